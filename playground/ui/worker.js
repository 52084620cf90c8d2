// The playground's engine runs here, off the page's thread: a slow or hostile evaluation can never freeze the
// page, and the page can stop it (by ending this worker) and start a fresh one.
let engine = null;

self.onmessage = async (event) => {
  const msg = event.data;
  if (msg.type === "init") {
    const started = performance.now();
    try {
      const glue = await import(msg.glue);
      await glue.default({ module_or_path: msg.wasm });
      const response = await fetch(msg.policies);
      if (!response.ok) throw new Error("cannot fetch the policy bundle: HTTP " + response.status);
      const bundle = await response.text();
      engine = new glue.Playground(bundle);
      self.postMessage({ type: "ready", info: JSON.parse(engine.info()), ms: performance.now() - started });
    } catch (e) {
      self.postMessage({ type: "fatal", message: String(e && e.message ? e.message : e) });
    }
    return;
  }
  if (msg.type === "admit") {
    const started = performance.now();
    try {
      const outcome = JSON.parse(engine.admit(msg.text, msg.namespace, msg.wrap));
      self.postMessage({ type: "result", id: msg.id, outcome, ms: performance.now() - started });
    } catch (e) {
      // A trap leaves the module unusable: say so; the page starts a new worker.
      self.postMessage({ type: "crashed", id: msg.id, message: String(e && e.message ? e.message : e) });
    }
  }
};
