//! The playground's figures: the shipped wasm's size (raw and gzipped), load to first verdict in headless Chromium,
//! re-evaluation while typing, and the same admission natively against the very policy bundle the page loads, for
//! the wasm-vs-native ratio. `cargo bench --bench playground`; prints medians.

use guardrail_testkit as support;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::json;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The two-container Pod of benches/admission.rs, typed into the editor.
const POD: &str = include_str!("support/pod.yaml");
const LOADS: usize = 5;
const WARM_LOADS: usize = 8;
const EDITS: usize = 40;
const NATIVE_RUNS: usize = 400;
const POLICY_EDITS: usize = 20;

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn file_in(dir: &Path, prefix: &str, ext: &str) -> std::path::PathBuf {
    std::fs::read_dir(dir)
        .expect("the playground folder")
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            let n = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            n.starts_with(prefix) && n.ends_with(ext)
        })
        .unwrap_or_else(|| panic!("no {prefix}*{ext} in {}", dir.display()))
}

fn gzipped(path: &Path) -> usize {
    let out = Command::new("gzip").args(["-9", "-c"]).arg(path).output().expect("gzip runs");
    out.stdout.len()
}

fn number(b: &support::Browser, key: &str) -> f64 {
    b.js("return Number(document.getElementById('playground').dataset[arguments[0]]);", json!([key]))
        .as_f64()
        .unwrap_or(f64::NAN)
}

/// With GUARDRAIL_BENCH_VERBOSE set, where each load spent its time (ms since navigation start): the page's script
/// runs, the worker's script runs, the module is instantiated, the policies are loaded, the page hears "ready".
fn phases(b: &support::Browser, which: &str) {
    if std::env::var_os("GUARDRAIL_BENCH_VERBOSE").is_none() {
        return;
    }
    let p = b.js(
        "const d = document.getElementById('playground').dataset; const n = performance.getEntriesByType('navigation')[0]; \
         return d.phases + ' first verdict ' + d.firstVerdictMs + ' dom interactive ' + Math.round(n.domInteractive);",
        json!([]),
    );
    eprintln!("{which} load: {}", p.as_str().unwrap_or_default());
}

fn main() {
    let site = support::build_repo_site("bench");
    let assets = site.join("assets/playground");
    let wasm = file_in(&assets, "guardrail_playground.", ".wasm");
    let worker = file_in(&assets, "worker.", ".js");
    let raw = std::fs::metadata(&wasm).expect("wasm").len();
    println!("wasm: {:.0} KB raw, {:.0} KB gzipped (-9)", raw as f64 / 1024.0, gzipped(&wasm) as f64 / 1024.0);
    println!(
        "worker (wasm-bindgen glue + ours): {:.1} KB raw, {:.1} KB gzipped",
        std::fs::metadata(&worker).expect("worker").len() as f64 / 1024.0,
        gzipped(&worker) as f64 / 1024.0
    );

    // Warm loads are measured twice: from a server like a static host (GitHub Pages' `max-age=600` and an ETag),
    // so that a reload is served from the browser's cache as a reader's second visit is; and from one that sends
    // no caching headers, so that every reload downloads and compiles everything again.
    let port = support::serve_like_a_host(site.clone());
    let uncached_port = support::serve(site.clone());
    let url = format!("http://127.0.0.1:{port}/playground/");
    let uncached_url = format!("http://127.0.0.1:{uncached_port}/playground/");
    let wait = Duration::from_secs(30);
    let first = "document.getElementById('playground').dataset.firstVerdictMs";

    // Load to first verdict: a fresh browser profile (cold cache) each time, then warm reloads in it.
    let (mut cold, mut warm, mut uncached) = (Vec::new(), Vec::new(), Vec::new());
    // Navigates `b` to `url` (from a blank page) and takes the time to its first verdict.
    let load = |b: &support::Browser, url: &str, which: &str| -> f64 {
        b.goto("about:blank");
        b.goto(url);
        b.wait(first, wait, "the first verdict");
        phases(b, which);
        number(b, "firstVerdictMs")
    };
    for _ in 0..LOADS {
        let b = support::Browser::start(false, 1280, 900);
        cold.push(load(&b, &url, "cold"));
        warm.extend((0..WARM_LOADS).map(|_| load(&b, &url, "warm")));
        uncached.extend((0..WARM_LOADS).map(|_| load(&b, &uncached_url, "uncached")));
    }
    println!(
        "load to first verdict (navigation start to rendered verdict): cold cache median {:.0} ms (min {:.0}, max {:.0}; {LOADS} loads), warm median {:.0} ms ({} loads; served with a static host's caching headers), warm without caching headers median {:.0} ms",
        median(&mut cold.clone()),
        cold.iter().cloned().fold(f64::INFINITY, f64::min),
        cold.iter().cloned().fold(0.0, f64::max),
        median(&mut warm),
        LOADS * WARM_LOADS,
        median(&mut uncached)
    );

    // Re-evaluation while typing: each edit renames the Pod, so every evaluation is of new text.
    let b = support::Browser::start(false, 1280, 900);
    b.goto(&url);
    b.wait(first, wait, "the first verdict");
    let (mut engine, mut round) = (Vec::new(), Vec::new());
    for i in 0..EDITS {
        let before = number(&b, "evaluations");
        let text = POD.replace("name: web\n", &format!("name: web-{i}\n"));
        b.js(
            "const t = document.getElementById('pg-input'); t.value = arguments[0]; t.dispatchEvent(new Event('input'));",
            json!([text]),
        );
        b.wait(
            &format!("Number(document.getElementById('playground').dataset.evaluations) > {before}"),
            wait,
            "a verdict",
        );
        engine.push(number(&b, "evalMs"));
        round.push(number(&b, "roundTripMs"));
    }
    let wasm_ms = median(&mut engine);
    println!(
        "re-evaluation of the two-container Pod: engine in the worker median {wasm_ms:.2} ms; request to rendered verdict median {:.2} ms ({EDITS} edits; the 120 ms typing debounce not counted)",
        median(&mut round)
    );

    // Re-evaluation after a policy edit: one template's Rego changed each time (a new comment line), so that
    // template is compiled again and the set rebuilt; from the edit sent to the verdict under the new set.
    b.wait("document.querySelector('#pg-policies li[data-doc]')", wait, "the site's policy documents");
    let template = b.js(
        "const li = Array.from(document.querySelectorAll('#pg-policies li[data-doc]')).find(l => l.querySelector('.pg-mono').textContent.startsWith('ConstraintTemplate/k8spspprivilegedcontainer')); \
         li.querySelector('[data-role=open]').click(); return li.dataset.doc;",
        json!([]),
    );
    let template = template.as_str().expect("the privileged-container template is listed").to_string();
    b.js(
        "document.querySelector('#pg-policies li[data-doc=\"' + arguments[0] + '\"] [data-role=edit]').click();",
        json!([template]),
    );
    let (mut in_worker, mut policy_round) = (Vec::new(), Vec::new());
    for i in 0..POLICY_EDITS {
        b.js("delete document.getElementById('playground').dataset.policyRoundTripMs;", json!([]));
        b.js(
            "const t = document.querySelector('#pg-policies li[data-doc=\"' + arguments[0] + '\"] textarea'); \
             t.value = t.value.replace(/package k8spspprivilegedcontainer( # edit \\d+)?/, 'package k8spspprivilegedcontainer # edit ' + arguments[1]); \
             t.dispatchEvent(new Event('input'));",
            json!([template, i]),
        );
        b.wait("document.getElementById('playground').dataset.policyRoundTripMs", wait, "a verdict after the edit");
        in_worker.push(number(&b, "policyMs"));
        policy_round.push(number(&b, "policyRoundTripMs"));
    }
    println!(
        "re-evaluation after a policy edit (one template changed): set rebuilt in the worker median {:.2} ms; edit sent to rendered verdict median {:.2} ms ({POLICY_EDITS} edits; the debounce not counted)",
        median(&mut in_worker),
        median(&mut policy_round)
    );

    // The same admission natively, from the very bundle the page fetched, through the same API.
    let bundle = std::fs::read_to_string(file_in(&assets, "policies.", ".json")).expect("bundle");
    let mut native = guardrail_playground::Playground::load(&bundle).expect("the bundle loads");
    let mut times = Vec::new();
    for i in 0..NATIVE_RUNS {
        let text = POD.replace("name: web\n", &format!("name: web-{i}\n"));
        let started = Instant::now();
        let outcome = native.admit(&text, "default", "");
        let json = serde_json::to_string(&outcome).expect("serialises");
        std::hint::black_box(json);
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    let native_ms = median(&mut times);
    println!(
        "native, same API and bundle: median {native_ms:.3} ms ({NATIVE_RUNS} runs); wasm / native = {:.1}x",
        wasm_ms / native_ms
    );
    let _ = std::fs::remove_dir_all(site);
}
