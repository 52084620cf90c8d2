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
let opSelect, oldWrap, oldInput, oldError, userInput, groupsInput, labelsInput, exportButton, exportPane;

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
// The policy set as the reader has it: the site's documents (switched on or off, edited) and added ones.
let siteDocs = []; // [{id, file, kind, name, cluster, text}] as the build shipped them
let docs = []; // [{id, text, enabled, added}]
let problems = {}; // document id -> [{line, column, message}], in the engine's order
const openDocs = new Set();
let policyEditAt = 0;
let pendingPolicyState = null; // a link's policy changes, applied once the site's documents are known
let nextAdded = 1;

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

// "Line 3, column 5", a button that puts the caret there in `area`.
function jumpButton(area, line, column) {
  const jump = el("button", "pg-jump", "Line " + line + ", column " + column);
  jump.type = "button";
  jump.addEventListener("click", () => caretAt(area, line, column));
  return jump;
}

function showError(problem) {
  markAt = problem ? { line: problem.line, column: problem.column } : null;
  input.setAttribute("aria-invalid", problem ? "true" : "false");
  errorLine.hidden = !problem;
  errorLine.textContent = "";
  if (problem) {
    errorLine.append(jumpButton(input, problem.line, problem.column), ": " + problem.message);
  }
  placeMark();
}

function moveCaret(line, column) {
  caretAt(input, line, column);
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
    showVersions();
    renderPolicies(null);
    if (pending && !pending.timer) pending.timer = watchdog();
  } else if (msg.type === "docs") {
    siteDocs = msg.docs || [];
    if (!docs.length) docs = siteDocs.map((d) => ({ id: d.id, text: d.text, enabled: true, added: false }));
    if (pendingPolicyState) {
      applyPolicyState(pendingPolicyState);
      pendingPolicyState = null;
    }
    renderPolicies(lastDocs);
  } else if (msg.type === "policies") {
    info = msg.outcome.info;
    problems = {};
    for (const p of msg.outcome.problems) (problems[p.id] = problems[p.id] || []).push(p);
    root.dataset.policyMs = msg.ms.toFixed(2);
    root.dataset.policyProblems = String(msg.outcome.problems.length);
    showVersions();
    // The verdict under the new set is on its way and renders the panel with it; render now only if none is.
    if (!pending && !queued) renderPolicies(lastDocs);
  } else if (msg.type === "suite") {
    renderSuite(msg.out);
  } else if (msg.type === "fatal") {
    setStatus("fatal", "The engine could not start: " + msg.message);
  } else if (msg.type === "result" || msg.type === "crashed") {
    if (!pending || pending.id !== msg.id) return;
    clearTimeout(pending.timer);
    const judgedBy = pending.policies;
    root.dataset.judgedInput = String(pending.input);
    pending = null;
    if (msg.type === "crashed") {
      restart("The engine failed on this input (" + msg.message + "); it was restarted.");
      return;
    }
    evaluations += 1;
    root.dataset.evaluations = String(evaluations);
    // The site's documents, once, after the first verdict (the Policies panel lists them).
    if (evaluations === 1 && !siteDocs.length) worker.postMessage({ type: "docs" });
    root.dataset.evalMs = msg.ms.toFixed(2);
    render(msg.outcome);
    // Measured for the benchmark (benches/playground.rs): from navigation start, and from the request to the
    // rendered verdict (the debounce is a deliberate wait and not counted).
    const now = performance.now();
    if (!root.dataset.firstVerdictMs) root.dataset.firstVerdictMs = now.toFixed(1);
    root.dataset.roundTripMs = (now - sentAt).toFixed(2);
    root.dataset.policiesJudged = String(judgedBy);
    if (policyEditAt && judgedBy === policySeq) {
      // From the policy edit sent to the verdict under the edited set.
      root.dataset.policyRoundTripMs = (now - policyEditAt).toFixed(2);
      policyEditAt = 0;
    }
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

// Which input the verdict on the page judged (`judgedInput`) and the last one (`input`): a verdict is the
// current input's when they are equal and nothing waits for the debounce (`inputPending`).
let inputSeq = 0;
function schedule() {
  clearTimeout(debounce);
  inputSeq += 1;
  root.dataset.input = String(inputSeq);
  root.dataset.inputPending = "true";
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
  delete root.dataset.inputPending;
  pending = { id, timer: ready ? watchdog() : 0, policies: policySeq, input: inputSeq };
  sentAt = performance.now();
  worker.postMessage({ type: "admit", id, text, request: requestIn() });
}

// The request around what is judged, as the engine reads it (playground/src/authors.rs, RequestIn).
function requestIn() {
  const labels = {};
  for (const pair of labelsInput.value.split(",")) {
    const [k, ...rest] = pair.split("=");
    if (k && k.trim()) labels[k.trim()] = rest.join("=").trim();
  }
  const op = opSelect.value;
  return {
    namespace: nsInput.value.trim(),
    wrap: wrapSelect.value,
    operation: op,
    oldObject: op === "UPDATE" || op === "DELETE" ? oldInput.value : "",
    username: userInput.value.trim(),
    groups: groupsInput.value.split(",").map((g) => g.trim()).filter(Boolean),
    namespaceLabels: labels,
  };
}

function showVersions() {
  const v = info.policies === "edited" ? "edited" : info.policies.slice(0, 12);
  versions.textContent = "engine " + info.engine + " · policies " + v;
  versions.title = "policy set " + info.policies;
}

// ---- the policy set ----
function docsForEngine() {
  return docs.map((d) => ({ id: d.id, text: d.text, enabled: d.enabled }));
}

// Sends the reader's policy set; the verdict that follows is judged by it. After the debounce, as typing is.
let policyDebounce = 0;
function policiesChanged() {
  clearTimeout(policyDebounce);
  root.dataset.policyPending = "true";
  policyDebounce = setTimeout(sendPolicies, DEBOUNCE_MS);
}

// How many policy sets were sent, and which one the verdict on the page was judged by (`policiesJudged`): a
// verdict is the current set's when the two are equal and no edit waits (`policyPending`).
let policySeq = 0;
function sendPolicies() {
  if (!worker) return;
  policyEditAt = performance.now();
  policySeq += 1;
  root.dataset.policiesSent = String(policySeq);
  delete root.dataset.policyPending;
  worker.postMessage({ type: "policies", id: 0, docs: docsForEngine() });
  evaluate();
}

function siteDoc(id) {
  return siteDocs.find((d) => d.id === id);
}

function docLabel(d) {
  const site = siteDoc(d.id);
  if (site) return site.kind + "/" + site.name;
  const kind = (d.text.match(/^kind:\s*(\S+)/m) || [])[1] || "document";
  const raw = ((d.text.match(/^\s+name:[ \t]*(.+)$/m) || [])[1] || d.id).trim();
  const name = /^(["']).*\1$/.test(raw) ? raw.slice(1, -1) : raw;
  return kind + "/" + name;
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
  showOldError(outcome.old_error);
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
  docs.forEach((d, i) => docsPane.append(renderDocument(d, docs.length > 1, i)));
  renderPolicies(docs);
}

function showOldError(problem) {
  oldInput.setAttribute("aria-invalid", problem ? "true" : "false");
  oldError.hidden = !problem;
  oldError.textContent = "";
  if (problem) {
    oldError.append("Old object: ", jumpButton(oldInput, problem.line, problem.column), ": " + problem.message);
  }
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

function renderDocument(d, several, index) {
  const article = el("article", "pg-doc pg-doc-" + d.verdict);
  article.dataset.verdict = d.verdict;
  const chip = d.made_rejected ? d.made_rejected + "s rejected" : VERDICTS[d.verdict];
  const title = el("header", "pg-doc-head", el("span", "verdict verdict-" + d.verdict, chip));
  if (d.kind) title.append(" ", el("strong", null, d.kind), d.name ? " " + d.name : "");
  if (several) title.append(" ", el("span", "pg-muted", "line " + d.line));
  if (d.review) title.append(" ", el("span", "pg-badge", "AdmissionReview"));
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
    article.append(list, takeaways(d, index));
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
  article.append(takeaways(d, index));
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

// The Policies panel: every document of the set, switched on or off, opened (highlighted), edited as a copy,
// added; the ones that judged the last object marked.
let lastDocs = null;
function renderPolicies(judged) {
  if (!info) return;
  lastDocs = judged;
  const applied = new Set();
  for (const d of judged || []) {
    for (const c of d.constraints || []) applied.add(c);
    for (const m of d.mutators || []) applied.add(m);
  }
  const focused = document.activeElement && document.activeElement.closest && document.activeElement.closest("#pg-policies li");
  const focusId = focused ? focused.dataset.doc : null;
  const active = document.activeElement;
  const focusRole = active ? active.dataset.role : null;
  // Where the caret was in an editor being typed in: the panel is made again under it.
  const caret = focused && active.tagName === "TEXTAREA" ? [active.selectionStart, active.selectionEnd, active.scrollTop] : null;
  policiesPane.textContent = "";
  const about = {};
  for (const c of info.constraints) about[c.id] = c;
  // Until the site's documents are known (they come after the first verdict): the set's rules by name.
  const listed = docs.length
    ? docs
    : info.constraints.map((c) => ({ id: c.id, label: c.id })).concat(info.mutators.map((m) => ({ id: m, label: m })));
  if (!docs.length) {
    for (const r of listed) {
      const item = el("li", applied.has(r.label) ? "pg-applied" : null, el("span", "pg-mono", r.label));
      const c = about[r.label];
      item.append(" ", el("span", "pg-action", c ? c.action : "mutates"));
      if (c && c.about) item.append(el("span", "pg-muted", " — " + c.about));
      policiesPane.append(item);
    }
  }
  for (const d of docs) {
    const label = docLabel(d);
    const site = siteDoc(d.id);
    const edited = site && site.text !== d.text;
    const item = el("li", applied.has(label) ? "pg-applied" : null);
    item.dataset.doc = d.id;
    const use = el("input");
    use.type = "checkbox";
    use.checked = d.enabled;
    use.dataset.role = "use";
    use.setAttribute("aria-label", "Use " + label);
    use.addEventListener("change", () => {
      d.enabled = use.checked;
      policiesChanged();
      renderPolicies(lastDocs);
    });
    const name = el("span", "pg-mono", label);
    item.append(use, " ", name);
    const c = about[label];
    if (c) item.append(" ", el("span", "pg-action", c.action));
    else if (site && site.cluster) item.append(" ", el("span", "pg-action", "cluster state"));
    else if (/^(Assign|AssignMetadata|ModifySet|AssignImage)\//.test(label)) item.append(" ", el("span", "pg-action", "mutates"));
    if (edited) item.append(" ", el("span", "pg-badge", "edited"));
    if (d.added) item.append(" ", el("span", "pg-badge", "added"));
    if (!d.enabled) item.classList.add("pg-off");
    if (c && c.about) item.append(el("span", "pg-muted", " — " + c.about));
    const toggle = el("button", "pg-link", openDocs.has(d.id) ? "Close" : "Open");
    toggle.type = "button";
    toggle.dataset.role = "open";
    toggle.setAttribute("aria-expanded", openDocs.has(d.id) ? "true" : "false");
    toggle.setAttribute("aria-label", (openDocs.has(d.id) ? "Close " : "Open ") + label);
    toggle.addEventListener("click", () => {
      if (openDocs.has(d.id)) openDocs.delete(d.id);
      else openDocs.add(d.id);
      renderPolicies(lastDocs);
    });
    item.append(" ", toggle);
    const problem = problems[d.id];
    if (problem && d.enabled) {
      item.classList.add("pg-broken");
      item.append(" ", el("span", "pg-badge pg-badge-bad", "does not load"));
    }
    if (openDocs.has(d.id)) item.append(policyEditor(d, label, site, edited, problem));
    policiesPane.append(item);
  }
  const note = document.getElementById("pg-policies-note");
  const on = docs.filter((d) => d.enabled).length;
  note.textContent =
    (judged
      ? applied.size + " of " + (info.constraints.length + info.mutators.length) + " constraints and mutators judged it. "
      : info.constraints.length + " constraints and " + info.mutators.length + " mutators. ") +
    on + " of " + docs.length + " documents in use.";
  if (focusId) {
    const again = policiesPane.querySelector('li[data-doc="' + CSS.escape(focusId) + '"] [data-role="' + (focusRole || "open") + '"]');
    if (again) {
      again.focus();
      if (caret && again.tagName === "TEXTAREA") {
        again.setSelectionRange(caret[0], caret[1]);
        again.scrollTop = caret[2];
      }
    }
  }
}

// One document opened: its source highlighted, or, once edited, its editor with its load error.
function policyEditor(d, label, site, edited, problem) {
  const box = el("div", "pg-policy");
  const editing = d.added || edited || d.editing;
  if (!editing) {
    box.append(highlightYaml(d.text));
    const copy = el("button", null, "Edit a copy");
    copy.type = "button";
    copy.dataset.role = "edit";
    copy.addEventListener("click", () => {
      d.editing = true;
      renderPolicies(lastDocs);
      const area = policiesPane.querySelector('li[data-doc="' + CSS.escape(d.id) + '"] textarea');
      if (area) area.focus();
    });
    box.append(el("div", "pg-policy-actions", copy));
    return box;
  }
  const area = el("textarea", "pg-policy-input");
  area.value = d.text;
  area.spellcheck = false;
  area.rows = Math.min(24, Math.max(6, d.text.split("\n").length + 1));
  area.setAttribute("aria-label", "Policy " + label);
  area.setAttribute("wrap", "off");
  area.dataset.role = "text";
  const err = el("p", "pg-error");
  err.setAttribute("role", "alert");
  if (problem && d.enabled) {
    area.setAttribute("aria-invalid", "true");
    problem.forEach((p, i) => {
      if (i) err.append("\n");
      err.append(jumpButton(area, p.line, p.column), ": " + p.message);
    });
  } else {
    err.hidden = true;
  }
  area.addEventListener("input", () => {
    d.text = area.value;
    policiesChanged();
  });
  const actions = el("div", "pg-policy-actions");
  if (site) {
    const revert = el("button", null, "Revert to the site's");
    revert.type = "button";
    revert.dataset.role = "revert";
    revert.addEventListener("click", () => {
      d.text = site.text;
      d.editing = false;
      policiesChanged();
      renderPolicies(lastDocs);
    });
    actions.append(revert);
  } else {
    const remove = el("button", null, "Remove");
    remove.type = "button";
    remove.dataset.role = "remove";
    remove.addEventListener("click", () => {
      docs = docs.filter((x) => x !== d);
      openDocs.delete(d.id);
      policiesChanged();
      renderPolicies(lastDocs);
    });
    actions.append(remove);
  }
  box.append(area, err, actions);
  return box;
}

function caretAt(area, line, column) {
  const lines = area.value.split("\n");
  let offset = 0;
  for (let i = 0; i < line - 1 && i < lines.length; i++) offset += lines[i].length + 1;
  offset += Math.max(0, column - 1);
  area.focus();
  area.setSelectionRange(offset, offset);
}

// YAML highlighted with spans made from text (keys, strings, numbers and booleans, comments): never HTML.
function highlightYaml(text) {
  const pre = el("pre", "code pg-policy-source");
  const code = el("code");
  for (const line of text.split("\n")) {
    const m = line.match(/^(\s*(?:- )*)([^\s#:'"][^:#]*?|"[^"]*"|'[^']*')(:)(\s|$)(.*)$/);
    let rest = line;
    if (m) {
      code.append(m[1], el("span", "pg-y-key", m[2]), m[3] + m[4]);
      rest = m[5];
    }
    const hash = rest.search(/(^|\s)#/);
    const value = hash >= 0 ? rest.slice(0, hash) : rest;
    const comment = hash >= 0 ? rest.slice(hash) : "";
    const v = value.trim();
    if (/^(["']).*\1$/.test(v)) code.append(el("span", "pg-y-str", value));
    else if (/^(-?\d[\d_.]*|true|false|null|~)$/.test(v)) code.append(el("span", "pg-y-num", value));
    else code.append(value);
    if (comment) code.append(el("span", "pg-y-com", comment));
    code.append("\n");
  }
  pre.append(code);
  return pre;
}

function addDocument() {
  const id = "added:" + nextAdded++;
  const ns = nsInput.value.trim() || "default";
  const text = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: " + ns + "\n  labels:\n    env: prod\n";
  docs.push({ id, text, enabled: true, added: true });
  openDocs.add(id);
  policiesChanged();
  renderPolicies(lastDocs);
  const area = policiesPane.querySelector('li[data-doc="' + CSS.escape(id) + '"] textarea');
  if (area) {
    area.focus();
    area.select();
  }
}

function resetPolicies() {
  docs = siteDocs.map((d) => ({ id: d.id, text: d.text, enabled: true, added: false }));
  openDocs.clear();
  problems = {};
  policiesChanged();
  renderPolicies(lastDocs);
}

// The reader's changes to the site's set, as a share link carries them.
function policyState() {
  const state = { off: [], edit: {}, add: [] };
  for (const d of docs) {
    const site = siteDoc(d.id);
    if (!site) state.add.push({ text: d.text, on: d.enabled });
    else {
      if (!d.enabled) state.off.push(d.id);
      if (site.text !== d.text) state.edit[d.id] = d.text;
    }
  }
  return state.off.length || state.add.length || Object.keys(state.edit).length ? state : null;
}

function applyPolicyState(state) {
  docs = siteDocs.map((d) => ({
    id: d.id,
    text: state.edit && state.edit[d.id] !== undefined ? state.edit[d.id] : d.text,
    enabled: !(state.off || []).includes(d.id),
    added: false,
  }));
  for (const a of state.add || []) docs.push({ id: "added:" + nextAdded++, text: a.text, enabled: a.on !== false, added: true });
  sendPolicies();
  renderPolicies(lastDocs);
}

// ---- what a verdict can be taken away as ----
// The document's own text in the editor (documents split at `---` lines), for a docs block.
function documentText(index) {
  const parts = [];
  let current = [];
  for (const line of input.value.split("\n")) {
    if (/^---\s*$/.test(line)) {
      parts.push(current.join("\n"));
      current = [];
    } else current.push(line);
  }
  parts.push(current.join("\n"));
  const nonEmpty = parts.filter((p) => p.split("\n").some((l) => l.trim() && !l.trim().startsWith("#")));
  return (nonEmpty[index] || input.value).replace(/\n+$/, "") + "\n";
}

// A fenced block for the docs, promising what the engine found (`expect=deny violates="..."`).
function docsBlock(d, index) {
  let info = "yaml";
  if (wrapSelect.value && !d.review) info += " wrap=" + wrapSelect.value;
  const ns = nsInput.value.trim();
  if (ns && ns !== nsInput.defaultValue) info += " namespace=" + ns;
  if (d.verdict === "refused") info += " expect=refused";
  else if (d.verdict === "rejected") {
    const violations = d.made_rejected ? (d.made.find((m) => m.verdict === "rejected") || { violations: [] }).violations : d.violations;
    const kinds = Array.from(new Set(violations.filter((v) => v.action === "deny").map((v) => v.constraint.split("/")[0])));
    info += " expect=deny";
    if (kinds.length) info += ' violates="' + kinds.join(",") + '"';
  }
  return "```" + info + "\n" + documentText(index) + "```\n";
}

function copyBox(label, text) {
  const box = el("div", "pg-takeaway");
  const area = el("textarea", "pg-takeaway-text");
  area.readOnly = true;
  area.value = text;
  area.rows = Math.min(18, text.split("\n").length + 1);
  area.setAttribute("aria-label", label);
  area.setAttribute("wrap", "off");
  const copy = el("button", null, "Copy");
  copy.type = "button";
  copy.addEventListener("click", async () => {
    area.select();
    try {
      await navigator.clipboard.writeText(text);
      copy.textContent = "Copied";
    } catch (e) {
      copy.textContent = "Selected";
    }
    setTimeout(() => (copy.textContent = "Copy"), 2000);
  });
  box.append(area, copy);
  return box;
}

function takeaways(d, index) {
  const row = el("div", "pg-takeaways");
  const panes = el("div");
  const toggle = (name, make) => {
    const b = el("button", "pg-link", name);
    b.type = "button";
    b.setAttribute("aria-expanded", "false");
    b.addEventListener("click", () => {
      const open = b.getAttribute("aria-expanded") === "true";
      for (const other of row.querySelectorAll("button")) other.setAttribute("aria-expanded", "false");
      panes.textContent = "";
      if (!open) {
        b.setAttribute("aria-expanded", "true");
        panes.append(make());
      }
    });
    return b;
  };
  if (d.response && d.response.kind) {
    row.append(toggle("AdmissionReview response", () => copyBox("AdmissionReview response", JSON.stringify(d.response, null, 2) + "\n")));
  }
  row.append(" ", toggle("Docs block", () => copyBox("Docs block", docsBlock(d, index))));
  const frag = document.createDocumentFragment();
  frag.append(row, panes);
  return frag;
}

function exportSuite() {
  exportPane.hidden = false;
  exportPane.textContent = "Making the suite…";
  worker.postMessage({ type: "suite", text: input.value, request: requestIn() });
}

function renderSuite(out) {
  exportPane.hidden = false;
  exportPane.textContent = "";
  if (out.error) {
    exportPane.append(el("p", "pg-problem", "No suite: " + out.error));
    return;
  }
  const download = el("button", null, "Download suite.tar");
  download.type = "button";
  download.addEventListener("click", () => {
    const blob = new Blob([tar(out.files)], { type: "application/x-tar" });
    const a = el("a");
    a.href = URL.createObjectURL(blob);
    a.download = "suite.tar";
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  });
  exportPane.append(
    el("p", "pg-label", "A gator suite for this case (run it with `guardrail verify` or `gator verify`):"),
    download,
  );
  for (const f of out.files) {
    const pre = el("pre", "code pg-suite-file");
    pre.dataset.path = f.path;
    pre.append(el("code", null, f.text));
    exportPane.append(el("p", "pg-mono", f.path), pre);
  }
}

// A ustar archive of text files (what `tar -x` reads).
function tar(files) {
  const enc = new TextEncoder();
  const chunks = [];
  const field = (block, offset, length, text) => block.set(enc.encode(text).subarray(0, length), offset);
  const octal = (n, length) => n.toString(8).padStart(length - 1, "0") + "\0";
  for (const f of files) {
    const body = enc.encode(f.text);
    const header = new Uint8Array(512);
    field(header, 0, 100, f.path);
    field(header, 100, 8, octal(0o644, 8));
    field(header, 108, 8, octal(0, 8));
    field(header, 116, 8, octal(0, 8));
    field(header, 124, 12, octal(body.length, 12));
    field(header, 136, 12, octal(Math.floor(Date.now() / 1000), 12));
    field(header, 148, 8, "        ");
    field(header, 156, 1, "0");
    field(header, 257, 6, "ustar\0");
    field(header, 263, 2, "00");
    let sum = 0;
    for (const b of header) sum += b;
    field(header, 148, 8, octal(sum, 7) + " ");
    chunks.push(header, body, new Uint8Array((512 - (body.length % 512)) % 512));
  }
  chunks.push(new Uint8Array(1024));
  return new Blob(chunks);
}

// ---- state in the URL fragment: #s=<deflate-raw of the state's JSON, base64url>; older links #yaml=...&ns=... ----
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
  const packed = params.get("s");
  const yaml = params.get("yaml");
  if (packed === null && yaml === null) return false;
  const inflate = async (text) =>
    new TextDecoder("utf-8", { fatal: true }).decode(await pipe(fromBase64url(text), new DecompressionStream("deflate-raw")));
  try {
    if (packed !== null) {
      const state = JSON.parse(await inflate(packed));
      input.value = String(state.yaml || "");
      nsInput.value = state.ns !== undefined ? String(state.ns) : nsInput.defaultValue;
      wrapSelect.value = state.wrap || "";
      opSelect.value = state.op || "";
      oldInput.value = String(state.old || "");
      userInput.value = String(state.user || "");
      groupsInput.value = (state.groups || []).join(", ");
      labelsInput.value = Object.entries(state.labels || {}).map(([k, v]) => k + "=" + v).join(", ");
      showOld();
      if (state.policies) {
        if (siteDocs.length) applyPolicyState(state.policies);
        else pendingPolicyState = state.policies;
      }
      if (state.v && info && state.v !== info.policies && state.v !== "edited") {
        setStatus("done", "This link was made with policies " + state.v.slice(0, 12) + "; this site now has " + info.policies.slice(0, 12) + ".");
      }
    } else {
      const ns = params.get("ns");
      nsInput.value = ns ? new TextDecoder("utf-8", { fatal: true }).decode(fromBase64url(ns)) : nsInput.defaultValue;
      input.value = await inflate(yaml);
    }
  } catch (e) {
    setStatus("invalid", "The link's state cannot be read (it is cut short or altered).");
    return true;
  }
  updateGutter();
  evaluate();
  return true;
}

// Everything a link restores: the text, the request, and the reader's changes to the policy set.
function shareState() {
  const state = { yaml: input.value };
  const ns = nsInput.value.trim();
  if (ns !== nsInput.defaultValue) state.ns = ns;
  if (wrapSelect.value) state.wrap = wrapSelect.value;
  const req = requestIn();
  if (req.operation) state.op = req.operation;
  if (req.oldObject) state.old = req.oldObject;
  if (req.username) state.user = req.username;
  if (req.groups.length) state.groups = req.groups;
  if (Object.keys(req.namespaceLabels).length) state.labels = req.namespaceLabels;
  const policies = policyState();
  if (policies) state.policies = policies;
  if (info) state.v = info.policies;
  return state;
}

function showOld() {
  const op = opSelect.value;
  oldWrap.hidden = !(op === "UPDATE" || op === "DELETE");
}

// ---- the docs' examples, fetched a piece at a time (assets/examples/<n>.json) ----
let examplesLoaded = 0;
let examplesPage = null; // the page whose list the last piece ended in
async function moreExamples() {
  const section = document.getElementById("pg-examples");
  const list = document.getElementById("pg-examples-list");
  const more = document.getElementById("pg-more-examples");
  if (!section || !list) return;
  const shards = Number(section.dataset.shards || 0);
  if (examplesLoaded >= shards) return;
  more.disabled = true;
  try {
    const response = await fetch(new URL(section.dataset.examples + examplesLoaded + ".json", location.href));
    if (!response.ok) throw new Error("HTTP " + response.status);
    const records = await response.json();
    examplesLoaded += 1;
    let ul = examplesPage ? examplesPage.ul : null;
    for (const r of records) {
      if (!examplesPage || examplesPage.title !== r.page) {
        ul = el("ul", "example-list");
        list.append(el("h3", null, r.page), ul);
        examplesPage = { title: r.page, ul };
      }
      const a = el("a", null, r.title);
      // Only the site's own playground links: a piece that says otherwise is not followed.
      a.href = new URL(r.url, location.href).origin === location.origin ? r.url : "#";
      ul.append(el("li", null, a, " ", el("span", "verdict verdict-" + r.verdict, r.label)));
    }
    section.dataset.loaded = String(examplesLoaded);
  } catch (e) {
    list.append(el("p", "pg-problem", "The examples list could not be fetched (" + e.message + ")."));
  }
  more.disabled = false;
  more.hidden = examplesLoaded >= shards;
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
  opSelect = document.getElementById("pg-op");
  oldWrap = document.getElementById("pg-old-wrap");
  oldInput = document.getElementById("pg-old");
  oldError = document.getElementById("pg-old-error");
  userInput = document.getElementById("pg-user");
  groupsInput = document.getElementById("pg-groups");
  labelsInput = document.getElementById("pg-ns-labels");
  exportButton = document.getElementById("pg-export");
  exportPane = document.getElementById("pg-export-pane");
  opSelect.addEventListener("change", () => {
    showOld();
    schedule();
  });
  for (const field of [oldInput, userInput, groupsInput, labelsInput]) field.addEventListener("input", schedule);
  exportButton.addEventListener("click", exportSuite);
  document.getElementById("pg-add-policy").addEventListener("click", addDocument);
  document.getElementById("pg-reset-policies").addEventListener("click", resetPolicies);
  const more = document.getElementById("pg-more-examples");
  if (more) more.addEventListener("click", moreExamples);
  moreExamples();
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
    const packed = await pipe(new TextEncoder().encode(JSON.stringify(shareState())), new CompressionStream("deflate-raw"));
    const fragment = "s=" + toBase64url(packed);
    if (fragment.length > SHARE_LIMIT) {
      // Never a link cut short: say why there is none.
      shareOut.hidden = false;
      shareOut.value = "";
      shareOut.placeholder = "Too long to share as a link (" + Math.round(fragment.length / 1024) + " KB compressed; at most " + SHARE_LIMIT / 1024 + " KB).";
      root.dataset.shareTooLong = "true";
      return;
    }
    delete root.dataset.shareTooLong;
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
