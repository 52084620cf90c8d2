// The playground's engine runs here, off the page's thread: a slow or hostile evaluation can never freeze the
// page, and the page can stop it (by ending this worker) and start a fresh one. Where the engine and the policies
// are comes in this script's URL, so that fetching and compiling start the moment the worker does.
// `guardrail build` ships this file with wasm-bindgen's glue put in front of it (one fetch, not two): `__wbg_init`,
// `Playground` and `prepare_schemas` below are the glue's.

const marks = { workerScript: performance.timeOrigin + performance.now() };
const lap = (name) => (marks[name] = performance.timeOrigin + performance.now());
const params = new URL(self.location.href).searchParams;

async function compile(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error("cannot fetch the engine: HTTP " + response.status);
  try {
    return await WebAssembly.compileStreaming(response.clone());
  } catch (e) {
    // Served without the application/wasm type: compile from the bytes instead.
    return WebAssembly.compile(await response.arrayBuffer());
  }
}

async function start() {
  const started = performance.now();
  const module = compile(params.get("wasm"));
  const bundle = fetch(params.get("policies")).then((r) => {
    if (!r.ok) throw new Error("cannot fetch the policy bundle: HTTP " + r.status);
    return r.text();
  });
  await __wbg_init({ module_or_path: await module });
  lap("wasm");
  // The Kubernetes schemas are parsed while the policy bundle may still be on its way.
  prepare_schemas(params.get("kubernetes") || "");
  lap("schemas");
  const engine = new Playground(await bundle);
  lap("policies");
  return { engine, ms: performance.now() - started };
}

const engineReady = start();
engineReady.then(
  ({ engine, ms }) =>
    self.postMessage({ type: "ready", info: JSON.parse(engine.info()), ms, phases: marks }),
  (e) => self.postMessage({ type: "fatal", message: String(e && e.message ? e.message : e) }),
);

// Messages are handled one at a time, in order: a policy edit posted before an evaluation is in force for it.
let queue = Promise.resolve();
self.onmessage = (event) => {
  queue = queue.then(() => handle(event.data));
};

async function handle(msg) {
  const { engine } = await engineReady;
  const started = performance.now();
  try {
    if (msg.type === "admit") {
      const outcome = JSON.parse(engine.admit_request(msg.text, JSON.stringify(msg.request)));
      self.postMessage({ type: "result", id: msg.id, outcome, ms: performance.now() - started });
    } else if (msg.type === "policies") {
      const outcome = JSON.parse(engine.set_policies(JSON.stringify(msg.docs)));
      self.postMessage({ type: "policies", id: msg.id, outcome, ms: performance.now() - started });
    } else if (msg.type === "docs") {
      // The site's documents as YAML, asked for after the first verdict: printing them does not delay it.
      self.postMessage({ type: "docs", docs: JSON.parse(engine.site_documents()) });
    } else if (msg.type === "suite") {
      const out = JSON.parse(engine.suite(msg.text, JSON.stringify(msg.request)));
      self.postMessage({ type: "suite", out });
    }
  } catch (e) {
    // A trap leaves the module unusable: say so; the page starts a new worker.
    self.postMessage({ type: "crashed", id: msg.id, message: String(e && e.message ? e.message : e) });
  }
}
