// The playground page: an editor, and the engine's verdict on what is in it, as the reader types.
// Everything shown is built with createElement/textContent: nothing the reader types, and no message made from it,
// is ever parsed as HTML. The engine runs in a worker (worker.js) so the page stays responsive whatever is pasted.

// Where the engine is, for when the head has not started it already (read when needed: this script may run
// from the head, before the page's body exists).
const config = () => document.getElementById("playground");
let root = null;
const scriptStartedAt = performance.now();
// Bound in setup(): this script starts the engine before the rest of the page is parsed.
let input, gutter, mark, statusLine, docsPane, policiesPane, versions, nsInput, wrapSelect, shareButton, shareOut, errorLine;

const DEBOUNCE_MS = 120;
const WATCHDOG_MS = 3000;
const SHARE_LIMIT = 32 * 1024;

let worker = null;
let info = null;
let ready = false;
let pending = null; // {id, timer}
let queued = false;
let nextId = 1;
let debounce = 0;
let evaluations = 0;
let sentAt = 0;

// ---- small DOM helpers: text only ----
function el(tag, className, ...children) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  for (const c of children) {
    if (c === null || c === undefined) continue;
    node.append(typeof c === "string" ? document.createTextNode(c) : c);
  }
  return node;
}

function setStatus(state, text) {
  root.dataset.state = state;
  statusLine.className = "pg-status pg-status-" + state;
  statusLine.textContent = text;
}

// ---- the editor: line numbers, tab indents, the error mark ----
let gutterLines = 0;
function updateGutter() {
  const lines = input.value.split("\n").length;
  if (lines !== gutterLines) {
    gutterLines = lines;
    const numbers = [];
    for (let i = 1; i <= lines; i++) numbers.push(i);
    gutter.textContent = numbers.join("\n");
  }
  gutter.scrollTop = input.scrollTop;
  placeMark();
}

let markAt = null; // {line, column}
function placeMark() {
  if (!markAt) {
    mark.hidden = true;
    return;
  }
  const style = getComputedStyle(input);
  const lineHeight = parseFloat(style.lineHeight);
  const top = parseFloat(style.paddingTop) + (markAt.line - 1) * lineHeight - input.scrollTop;
  mark.hidden = false;
  mark.style.top = top + "px";
  mark.style.height = lineHeight + "px";
  mark.style.setProperty("--column", String(Math.max(0, markAt.column - 1)));
  mark.style.setProperty("--text-left", gutter.offsetWidth + parseFloat(style.paddingLeft) - input.scrollLeft + "px");
}

function showError(problem) {
  markAt = problem ? { line: problem.line, column: problem.column } : null;
  input.setAttribute("aria-invalid", problem ? "true" : "false");
  errorLine.hidden = !problem;
  errorLine.textContent = "";
  if (problem) {
    const jump = el("button", "pg-jump", "Line " + problem.line + ", column " + problem.column);
    jump.type = "button";
    jump.addEventListener("click", () => moveCaret(problem.line, problem.column));
    errorLine.append(jump, ": " + problem.message);
  }
  placeMark();
}

function moveCaret(line, column) {
  const lines = input.value.split("\n");
  let offset = 0;
  for (let i = 0; i < line - 1 && i < lines.length; i++) offset += lines[i].length + 1;
  offset += Math.max(0, column - 1);
  input.focus();
  input.setSelectionRange(offset, offset);
}

function insertText(text) {
  // execCommand keeps the browser's undo history; setRangeText is the fallback.
  if (!document.execCommand || !document.execCommand("insertText", false, text)) {
    input.setRangeText(text, input.selectionStart, input.selectionEnd, "end");
    input.dispatchEvent(new Event("input"));
  }
}

// ---- the engine ----
let workerStartedAt = 0;
function startWorker() {
  ready = false;
  workerStartedAt = performance.now();
  const early = window.guardrailWorker;
  if (early) {
    // Started by the page's head; take it over, with what it said meanwhile.
    window.guardrailWorker = null;
    worker = early;
    worker.onmessage = onMessage;
    for (const event of early.q.splice(0)) onMessage(event);
  } else {
    const data = config().dataset;
    const url = new URL(data.worker, location.href);
    for (const key of ["wasm", "policies"]) url.searchParams.set(key, new URL(data[key], location.href).href);
    url.searchParams.set("kubernetes", data.kubernetes || "");
    worker = new Worker(url.href, { type: "module" });
    worker.onmessage = onMessage;
  }
  worker.onerror = (e) => onMessage({ data: { type: "fatal", message: e.message || "worker error" } });
}

function onMessage(event) {
  if (!uiReady) {
    early.push(event);
    return;
  }
  const msg = event.data;
  if (msg.type === "ready") {
    ready = true;
    info = msg.info;
    root.dataset.engineMs = msg.ms.toFixed(1);
    const since = (t) => Math.round(t - performance.timeOrigin);
    const phases = { script: Math.round(scriptStartedAt), worker: Math.round(workerStartedAt) };
    for (const k of Object.keys(msg.phases)) phases[k] = since(msg.phases[k]);
    phases.ready = Math.round(performance.now());
    root.dataset.phases = JSON.stringify(phases);
    versions.textContent = "engine " + info.engine + " · policies " + info.policies.slice(0, 12);
    versions.title = "policy set " + info.policies;
    renderPolicies(null);
    if (pending && !pending.timer) pending.timer = watchdog();
  } else if (msg.type === "fatal") {
    setStatus("fatal", "The engine could not start: " + msg.message);
  } else if (msg.type === "result" || msg.type === "crashed") {
    if (!pending || pending.id !== msg.id) return;
    clearTimeout(pending.timer);
    pending = null;
    if (msg.type === "crashed") {
      restart("The engine failed on this input (" + msg.message + "); it was restarted.");
      return;
    }
    evaluations += 1;
    root.dataset.evaluations = String(evaluations);
    root.dataset.evalMs = msg.ms.toFixed(2);
    render(msg.outcome);
    // Measured for the benchmark (benches/playground.rs): from navigation start, and from the request to the
    // rendered verdict (the debounce is a deliberate wait and not counted).
    const now = performance.now();
    if (!root.dataset.firstVerdictMs) root.dataset.firstVerdictMs = now.toFixed(1);
    root.dataset.roundTripMs = (now - sentAt).toFixed(2);
    if (queued) {
      queued = false;
      evaluate();
    }
  }
}

function restart(message) {
  if (worker) worker.terminate();
  pending = null;
  queued = false;
  showError(null);
  docsPane.textContent = "";
  setStatus("stopped", message);
  startWorker();
}

function schedule() {
  clearTimeout(debounce);
  debounce = setTimeout(evaluate, DEBOUNCE_MS);
}

function watchdog() {
  return setTimeout(() => {
    restart(
      "Evaluation was stopped after " + WATCHDOG_MS / 1000 + " s: the input is too large or too complex to judge here.",
    );
  }, WATCHDOG_MS);
}

// Sent as soon as there is text, even while the engine still loads (the worker waits for it): the first verdict
// does not wait for a round trip. The watchdog runs only once the engine is ready.
function evaluate() {
  if (!worker || !uiReady) return;
  if (pending) {
    queued = true;
    return;
  }
  const text = input.value;
  setStatus("evaluating", ready ? "Evaluating…" : "Loading the engine…");
  const id = nextId++;
  pending = { id, timer: ready ? watchdog() : 0 };
  sentAt = performance.now();
  worker.postMessage({ type: "admit", id, text, namespace: nsInput.value.trim(), wrap: wrapSelect.value });
}

// ---- results ----
const VERDICTS = {
  admitted: "Admitted",
  mutated: "Admitted with changes",
  rejected: "Rejected",
  refused: "Refused by the API server",
  error: "Not judged",
};

function render(outcome) {
  docsPane.textContent = "";
  if (outcome.error) {
    showError(outcome.error);
    setStatus("invalid", "The YAML does not parse, so nothing was judged.");
    renderPolicies(null);
    return;
  }
  const docs = outcome.documents;
  // What the API server refuses is marked in the editor, as a YAML error is: the first such field.
  const refused = docs.find((d) => d.verdict === "refused");
  showError(refused ? refused.problem : null);
  if (docs.length === 0) {
    setStatus("empty", "Paste or type a Kubernetes object (or a Pod fragment) on the left.");
    renderPolicies(null);
    return;
  }
  const counts = {};
  for (const d of docs) counts[d.verdict] = (counts[d.verdict] || 0) + 1;
  const parts = Object.keys(counts).map((v) => counts[v] + " " + VERDICTS[v].toLowerCase());
  setStatus("done", docs.length === 1 ? summary(docs[0]) : docs.length + " documents: " + parts.join(", "));
  for (const d of docs) docsPane.append(renderDocument(d, docs.length > 1));
  renderPolicies(docs);
}

function rejectingNames(violations) {
  return Array.from(new Set(violations.filter((v) => v.action === "deny").map((v) => v.constraint.split("/").pop())));
}

function summary(d) {
  if (d.made_rejected) {
    const m = d.made.find((x) => x.verdict === "rejected");
    return d.kind + " admitted, but the " + d.made_rejected + " created from it is rejected by " + rejectingNames(m ? m.violations : []).join(", ");
  }
  if (d.verdict === "rejected") {
    const by = d.violations.filter((v) => v.action === "deny").map((v) => v.constraint.split("/").pop());
    return "Rejected by " + Array.from(new Set(by)).join(", ");
  }
  if (d.verdict === "refused") return "Refused by the API server: " + d.problem.message;
  if (d.verdict === "mutated") return "Admitted with changes by " + d.mutators.length + (d.mutators.length === 1 ? " mutator" : " mutators");
  if (d.verdict === "admitted") return "Admitted unchanged";
  return VERDICTS[d.verdict];
}

function renderDocument(d, several) {
  const article = el("article", "pg-doc pg-doc-" + d.verdict);
  article.dataset.verdict = d.verdict;
  const chip = d.made_rejected ? d.made_rejected + "s rejected" : VERDICTS[d.verdict];
  const title = el("header", "pg-doc-head", el("span", "verdict verdict-" + d.verdict, chip));
  if (d.kind) title.append(" ", el("strong", null, d.kind), d.name ? " " + d.name : "");
  if (several) title.append(" ", el("span", "pg-muted", "line " + d.line));
  article.append(title);
  if (d.verdict === "refused") {
    // Decoded strictly before any webhook: each field the API server refuses, with a jump to it.
    article.append(el("p", "pg-label", "The API server refuses it before admission:"));
    const list = el("ul", "pg-refused");
    for (const p of d.refused) {
      const jump = el("button", "pg-jump", "Line " + p.line + ", column " + p.column);
      jump.type = "button";
      jump.addEventListener("click", () => moveCaret(p.line, p.column));
      const item = el("li", "pg-problem", jump, ": " + p.message);
      if (p.hint) item.append(el("span", "pg-hint", " (" + p.hint + ")"));
      list.append(item);
    }
    article.append(list);
    return article;
  }
  if (d.problem) {
    article.append(el("p", "pg-problem", "Line " + d.problem.line + ": " + d.problem.message));
    return article;
  }
  if (d.no_schema) {
    article.append(el("p", "pg-warning", "Fields not checked: no schema is known for " + d.no_schema + "."));
  }
  if (d.violations.length) {
    const table = el("table", "pg-violations");
    table.append(el("thead", null, el("tr", null, el("th", null, "Constraint"), el("th", null, "Action"), el("th", null, "Message"))));
    const body = el("tbody");
    for (const v of d.violations) {
      body.append(
        el("tr", "pg-action-" + v.action, el("td", "pg-mono", v.constraint), el("td", null, v.action), el("td", "pg-message", v.message)),
      );
    }
    table.append(body);
    article.append(table);
  }
  if (d.denial) {
    const by = d.decided_by ? " (" + d.decided_by + ")" : "";
    article.append(el("p", "pg-label", "The API server answers" + by + ":"), el("pre", "pg-denial", d.denial));
  }
  for (const w of d.warnings) article.append(el("p", "pg-warning", "Warning: " + w));
  if (d.plugins && d.plugins.length) {
    const list = el("ul", "pg-plugins");
    for (const p of d.plugins) list.append(el("li", null, p));
    article.append(el("p", "pg-label", "The API server's admission plugins, before any webhook:"), list);
  }
  if (d.exempt) article.append(el("p", "pg-warning", "Not judged by Gatekeeper: " + d.exempt));
  if ((d.verdict !== "rejected" || d.made_rejected) && d.after.length) {
    const label = d.mutators.length ? "After admission (changed by " + d.mutators.join(", ") + ")" : "After admission (unchanged)";
    article.append(el("p", "pg-label", label), afterBlock(d.after));
  }
  for (const m of d.made || []) article.append(renderMade(m));
  return article;
}

function afterBlock(lines) {
  const pre = el("pre", "code diff pg-after");
  const code = el("code");
  for (const line of lines) code.append(el("span", line.added ? "line added" : "line", line.text));
  pre.append(code);
  return pre;
}

// What the document leads to: a ReplicaSet, its Pod, an ExpansionTemplate's resultant.
function renderMade(m) {
  const section = el("section", "pg-made pg-doc-" + m.verdict);
  section.dataset.verdict = m.verdict;
  section.append(
    el("header", "pg-doc-head", el("span", "verdict verdict-" + m.verdict, VERDICTS[m.verdict]), " ", el("strong", null, m.kind), " " + m.name + " ", el("span", "pg-muted", "(" + m.origin + ")")),
  );
  for (const v of m.violations) section.append(el("p", "pg-message pg-action-" + v.action, v.constraint + " (" + v.action + "): " + v.message));
  if (m.event) section.append(el("p", "pg-label", "Its controller records the event:"), el("pre", "pg-denial", m.event));
  else if (m.denial) section.append(el("p", "pg-label", "The API server answers:"), el("pre", "pg-denial", m.denial));
  const label = m.mutators.length ? "As the cluster would store it (changed by " + m.mutators.join(", ") + ")" : "As the cluster would store it";
  section.append(el("p", "pg-label", label), afterBlock(m.after));
  return section;
}

function renderPolicies(docs) {
  if (!info) return;
  const applied = new Set();
  const mutated = new Set();
  for (const d of docs || []) {
    for (const c of d.constraints || []) applied.add(c);
    for (const m of d.mutators || []) mutated.add(m);
  }
  policiesPane.textContent = "";
  for (const c of info.constraints) {
    const item = el("li", applied.has(c.id) ? "pg-applied" : null, el("span", "pg-mono", c.id), " ", el("span", "pg-action", c.action));
    if (c.about) item.append(el("span", "pg-muted", " — " + c.about));
    policiesPane.append(item);
  }
  for (const m of info.mutators) {
    policiesPane.append(el("li", mutated.has(m) ? "pg-applied" : null, el("span", "pg-mono", m), " ", el("span", "pg-action", "mutates")));
  }
  const note = document.getElementById("pg-policies-note");
  note.textContent = docs
    ? applied.size + " of " + info.constraints.length + " constraints matched; " + mutated.size + " of " + info.mutators.length + " mutators changed it."
    : info.constraints.length + " constraints and " + info.mutators.length + " mutators.";
}

// ---- state in the URL fragment: #yaml=<deflate-raw, base64url>&ns=<base64url> ----
function toBase64url(bytes) {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64url(text) {
  const s = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

async function pipe(bytes, stream) {
  const body = new Blob([bytes]).stream().pipeThrough(stream);
  return new Uint8Array(await new Response(body).arrayBuffer());
}

async function readFragment() {
  const params = new URLSearchParams(location.hash.slice(1));
  const yaml = params.get("yaml");
  if (yaml === null) return false;
  try {
    const text = new TextDecoder("utf-8", { fatal: true }).decode(await pipe(fromBase64url(yaml), new DecompressionStream("deflate-raw")));
    const ns = params.get("ns");
    nsInput.value = ns ? new TextDecoder("utf-8", { fatal: true }).decode(fromBase64url(ns)) : nsInput.defaultValue;
    input.value = text;
  } catch (e) {
    setStatus("invalid", "The link's YAML cannot be read (it is cut short or altered).");
    return true;
  }
  updateGutter();
  evaluate();
  return true;
}

function setup() {
  root = document.getElementById("playground");
  if (!root) return;
  input = document.getElementById("pg-input");
  gutter = document.getElementById("pg-gutter");
  mark = document.getElementById("pg-mark");
  statusLine = document.getElementById("pg-status");
  docsPane = document.getElementById("pg-documents");
  policiesPane = document.getElementById("pg-policies");
  versions = document.getElementById("pg-versions");
  nsInput = document.getElementById("pg-ns");
  wrapSelect = document.getElementById("pg-wrap");
  shareButton = document.getElementById("pg-share");
  shareOut = document.getElementById("pg-share-url");
  errorLine = document.getElementById("pg-error");
  input.addEventListener("keydown", (event) => {
    if (event.key !== "Tab" || event.ctrlKey || event.altKey || event.metaKey) return;
    const { selectionStart: start, selectionEnd: end, value } = input;
    const lineStart = value.lastIndexOf("\n", start - 1) + 1;
    if (!event.shiftKey && start === end) {
      event.preventDefault();
      insertText("  ");
      return;
    }
    // Indent or dedent every selected line by two spaces.
    event.preventDefault();
    const blockEnd = value.indexOf("\n", end - (end > start && value[end - 1] === "\n" ? 1 : 0));
    const stop = blockEnd === -1 ? value.length : blockEnd;
    const block = value.slice(lineStart, stop);
    const changed = block
      .split("\n")
      .map((l) => (event.shiftKey ? l.replace(/^ {1,2}/, "") : "  " + l))
      .join("\n");
    input.setSelectionRange(lineStart, stop);
    insertText(changed);
    input.setSelectionRange(lineStart, lineStart + changed.length);
  });
  input.addEventListener("scroll", () => {
    gutter.scrollTop = input.scrollTop;
    placeMark();
  });
  input.addEventListener("input", () => {
    updateGutter();
    schedule();
  });
  nsInput.addEventListener("input", schedule);
  wrapSelect.addEventListener("change", schedule);

  shareButton.addEventListener("click", async () => {
    const packed = await pipe(new TextEncoder().encode(input.value), new CompressionStream("deflate-raw"));
    let fragment = "yaml=" + toBase64url(packed);
    const ns = nsInput.value.trim();
    if (ns && ns !== nsInput.defaultValue) fragment += "&ns=" + toBase64url(new TextEncoder().encode(ns));
    if (fragment.length > SHARE_LIMIT) {
      shareOut.hidden = false;
      shareOut.value = "";
      shareOut.placeholder = "Too long to share as a link (" + Math.round(fragment.length / 1024) + " KB compressed).";
      return;
    }
    history.replaceState(null, "", "#" + fragment);
    shareOut.hidden = false;
    shareOut.value = location.href;
    shareOut.select();
    try {
      await navigator.clipboard.writeText(location.href);
      shareButton.textContent = "Link copied";
    } catch (e) {
      shareButton.textContent = "Link ready";
    }
    setTimeout(() => (shareButton.textContent = "Share"), 2000);
  });
  window.addEventListener("hashchange", readFragment);
  updateGutter();
  uiReady = true;
  for (const event of early.splice(0)) onMessage(event);
  // A link's YAML is inflated asynchronously: judge it, not the text it replaces.
  readFragment().then((loaded) => loaded || evaluate());
}

// ---- start: the engine first (it takes longest), then the page around it ----
let uiReady = false;
const early = [];
startWorker();
if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup);
else setup();
