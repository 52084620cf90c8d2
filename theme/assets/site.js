// Theme toggle, phone menu and offline search. Results are built with DOM APIs and textContent only:
// nothing from the index or the query is ever parsed as HTML.
(function () {
  "use strict";
  var root = document.documentElement;

  var toggle = document.getElementById("theme-toggle");
  if (toggle) {
    toggle.addEventListener("click", function () {
      var next = root.getAttribute("data-theme") === "dark" ? "light" : "dark";
      root.setAttribute("data-theme", next);
      try { localStorage.setItem("guardrail-theme", next); } catch (e) { /* storage may be off */ }
    });
  }

  var menu = document.querySelector(".menu-toggle");
  var sidebar = document.getElementById("sidebar");
  if (menu && sidebar) {
    menu.addEventListener("click", function () {
      var open = sidebar.classList.toggle("open");
      menu.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }

  // The current page's categories are open in the sidebar, even those the sidebar file collapses.
  var current = document.querySelector(".sidebar a.current");
  for (var el = current && current.parentElement; el; el = el.parentElement) {
    if (el.tagName === "DETAILS") { el.open = true; }
  }

  // Tabs (MDX <Tabs>): the HTML shows every panel with its label; with script, one panel at a time. Tabs with
  // the same group switch together, and the choice is remembered per group.
  function selectTab(tabs, value) {
    var buttons = tabs.querySelectorAll(":scope > .tabs-list > .tab");
    var found = false;
    buttons.forEach(function (b) { if (b.getAttribute("data-value") === value) { found = true; } });
    if (!found) { return; }
    buttons.forEach(function (b) {
      var on = b.getAttribute("data-value") === value;
      b.setAttribute("aria-selected", on ? "true" : "false");
      b.tabIndex = on ? 0 : -1;
    });
    tabs.querySelectorAll(":scope > .tab-panel").forEach(function (panel) {
      panel.classList.toggle("active", panel.getAttribute("data-value") === value);
    });
  }
  document.querySelectorAll(".tabs").forEach(function (tabs) {
    var group = tabs.getAttribute("data-group");
    tabs.classList.add("js");
    if (group) {
      try {
        var saved = localStorage.getItem("guardrail-tab-" + group);
        if (saved) { selectTab(tabs, saved); }
      } catch (e) { /* storage may be off */ }
    }
    var list = tabs.querySelector(":scope > .tabs-list");
    list.querySelectorAll(".tab").forEach(function (b) { b.tabIndex = b.getAttribute("aria-selected") === "true" ? 0 : -1; });
    function choose(b) {
      var value = b.getAttribute("data-value");
      if (group) {
        document.querySelectorAll(".tabs").forEach(function (t) {
          if (t.getAttribute("data-group") === group) { selectTab(t, value); }
        });
        try { localStorage.setItem("guardrail-tab-" + group, value); } catch (e) { /* storage may be off */ }
      } else {
        selectTab(tabs, value);
      }
    }
    list.addEventListener("click", function (ev) {
      var b = ev.target.closest(".tab");
      if (b) { choose(b); }
    });
    list.addEventListener("keydown", function (ev) {
      if (ev.key !== "ArrowRight" && ev.key !== "ArrowLeft") { return; }
      var all = Array.prototype.slice.call(list.querySelectorAll(".tab"));
      var i = all.indexOf(document.activeElement);
      if (i < 0) { return; }
      var next = all[(i + (ev.key === "ArrowRight" ? 1 : all.length - 1)) % all.length];
      choose(next);
      next.focus();
      ev.preventDefault();
    });
  });

  // A copy button on every code block.
  document.querySelectorAll("pre.code").forEach(function (pre) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "copy-button";
    button.textContent = "Copy";
    button.setAttribute("aria-label", "Copy the code");
    button.addEventListener("click", function () {
      var code = pre.querySelector("code") || pre;
      // Numbered or highlighted lines are blocks: read each without its number.
      var lines = code.querySelectorAll(".code-line");
      var text = lines.length
        ? Array.prototype.map.call(lines, function (line) {
          var copy = line.cloneNode(true);
          copy.querySelectorAll(".line-number").forEach(function (n) { n.remove(); });
          return copy.textContent;
        }).join("\n")
        : code.innerText;
      var done = function () {
        button.textContent = "Copied";
        setTimeout(function () { button.textContent = "Copy"; }, 1500);
      };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(text).then(done, function () { button.textContent = "Copy failed"; });
      } else {
        button.textContent = "Copy failed";
      }
    });
    pre.classList.add("has-copy");
    pre.appendChild(button);
  });

  var input = document.getElementById("search");
  var list = document.getElementById("search-results");
  if (!input || !list) { return; }
  var index = null;
  var loading = null;

  function load() {
    if (index || loading) { return loading; }
    loading = fetch(document.body.getAttribute("data-search-index"))
      .then(function (r) { return r.json(); })
      .then(function (data) {
        // Lower-cased here, not shipped twice in the index.
        data.forEach(function (doc) { doc.t = doc.title.toLowerCase(); doc.b = doc.text.toLowerCase(); });
        index = data;
        return data;
      })
      .catch(function () { index = []; return index; });
    return loading;
  }

  function score(doc, terms) {
    var s = 0;
    for (var i = 0; i < terms.length; i++) {
      var t = terms[i];
      var inTitle = doc.t.indexOf(t) >= 0;
      var inHead = doc.h.indexOf(t) >= 0;
      var inBody = doc.b.indexOf(t) >= 0;
      if (!inTitle && !inHead && !inBody) { return 0; }
      s += (inTitle ? 10 : 0) + (inHead ? 4 : 0) + (inBody ? 1 : 0);
    }
    return s;
  }

  function excerpt(text, term) {
    var i = text.indexOf(term);
    if (i < 0) { return text.slice(0, 120); }
    var start = Math.max(0, i - 50);
    return (start > 0 ? "\u2026" : "") + text.slice(start, start + 140) + "\u2026";
  }

  function show() {
    var q = input.value.trim().toLowerCase();
    while (list.firstChild) { list.removeChild(list.firstChild); }
    if (!q || !index) { list.hidden = true; return; }
    var terms = q.split(/\s+/);
    var hits = [];
    for (var i = 0; i < index.length; i++) {
      var s = score(index[i], terms);
      if (s > 0) { hits.push([s, index[i]]); }
    }
    hits.sort(function (a, b) { return b[0] - a[0]; });
    if (hits.length === 0) {
      var none = document.createElement("li");
      none.className = "search-empty";
      none.textContent = "No page mentions \u201c" + input.value.trim() + "\u201d.";
      list.appendChild(none);
    }
    hits.slice(0, 8).forEach(function (h) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = h[1].u;
      var title = document.createElement("strong");
      title.textContent = h[1].title;
      var text = document.createElement("span");
      text.textContent = excerpt(h[1].text, terms[0]);
      a.appendChild(title);
      a.appendChild(text);
      li.appendChild(a);
      list.appendChild(li);
    });
    list.hidden = false;
  }

  input.addEventListener("focus", load);
  input.addEventListener("input", function () { (load() || Promise.resolve()).then(show); });
  input.addEventListener("keydown", function (e) {
    if (e.key === "Escape") { input.value = ""; show(); input.blur(); }
    if (e.key === "Enter") {
      var first = list.querySelector("a");
      if (first) { window.location.href = first.href; }
    }
  });
  document.addEventListener("keydown", function (e) {
    if (e.key === "/" && document.activeElement !== input) { e.preventDefault(); input.focus(); }
  });
})();
