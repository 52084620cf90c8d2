// Runs before the page paints: apply the saved theme, or the system's, so there is no flash of the wrong one.
(function () {
  var saved = null;
  try { saved = localStorage.getItem("guardrail-theme"); } catch (e) { /* storage may be off */ }
  var dark = saved ? saved === "dark" : window.matchMedia("(prefers-color-scheme: dark)").matches;
  document.documentElement.setAttribute("data-theme", dark ? "dark" : "light");
})();
