//! CEL against Rego, template by template: every template of a library that carries both engines judges its
//! suite's objects once by its CEL (as Gatekeeper does) and once by its Rego (the CEL removed), and the medians are
//! printed side by side.
//!
//! `cargo bench --bench cel` reads `tests/fixtures/cel-library`; `GUARDRAIL_CEL_LIBRARY=<dir>` points it at another
//! library laid out the same way (gatekeeper-library's `library/`, say). `GUARDRAIL_CEL_SAMPLES` sets the samples
//! per engine (default 300); each sample judges all the template's objects once.

use std::path::{Path, PathBuf};
use std::time::Instant;

use guardrail_engine::limits::Limits;
use guardrail_engine::mutation::mutator::Operation;
use guardrail_engine::policy::{PolicySet, PolicyText, Request};
use guardrail_engine::template::EnforcementPoint;
use guardrail_engine::yaml::{self, Schema};
use serde_json::Value;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn suites(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            suites(&p, out);
        } else if p.file_name().is_some_and(|n| n == "suite.yaml") {
            out.push(p);
        }
    }
}

fn load(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    yaml::load_documents(&text, Schema::Kubernetes, &Limits::default())
        .map(|docs| docs.into_iter().map(|d| d.value).filter(|v| !v.is_null()).collect())
        .unwrap_or_default()
}

/// The template with only the code of `engine` kept.
fn only(template: &Value, engine: &str) -> Option<Value> {
    let mut t = template.clone();
    let code = t.pointer_mut("/spec/targets/0/code")?.as_array_mut()?;
    code.retain(|c| c.get("engine").and_then(Value::as_str) == Some(engine));
    (code.len() == 1).then_some(t)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn time(set: &mut PolicySet, objects: &[Value], request: &Request, samples: usize) -> (f64, usize) {
    let violations: usize = objects.iter().map(|o| set.validate(o, request).len()).sum();
    let runs = (0..samples)
        .map(|_| {
            let start = Instant::now();
            for o in objects {
                std::hint::black_box(set.validate(std::hint::black_box(o), request));
            }
            start.elapsed().as_secs_f64() * 1e6
        })
        .collect();
    (median(runs), violations)
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let root = std::env::var("GUARDRAIL_CEL_LIBRARY")
        .map(PathBuf::from)
        .unwrap_or_else(|_| Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cel-library"));
    let samples: usize = std::env::var("GUARDRAIL_CEL_SAMPLES").ok().and_then(|s| s.parse().ok()).unwrap_or(300);
    let request = Request {
        operation: Operation::Unspecified,
        namespace: None,
        enforcement_point: EnforcementPoint::Gator,
        mutate: false,
        ..Request::default()
    };
    let mut found = Vec::new();
    suites(&root, &mut found);
    println!(
        "{:<44} {:>7} {:>12} {:>12} {:>8}",
        "template (objects judged)", "objects", "CEL µs", "Rego µs", "Rego/CEL"
    );
    let mut ratios = Vec::new();
    for suite_path in found {
        let dir = suite_path.parent().unwrap_or(Path::new("."));
        let Some(suite) = load(&suite_path).into_iter().next() else { continue };
        for test in suite.get("tests").and_then(Value::as_array).into_iter().flatten() {
            let file = |k: &str| test.get(k).and_then(Value::as_str).map(|p| dir.join(p));
            let (Some(t), Some(c)) = (file("template"), file("constraint")) else { continue };
            let Some(template) = load(&t).into_iter().next() else { continue };
            let constraints = load(&c);
            let objects: Vec<Value> = test
                .get("cases")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|case| case.get("object").and_then(Value::as_str))
                .flat_map(|o| load(&dir.join(o)))
                .filter(|o| o.get("kind").and_then(Value::as_str).is_some_and(|k| k != "AdmissionReview"))
                .collect();
            let (Some(cel), Some(rego)) = (only(&template, "K8sNativeValidation"), only(&template, "Rego")) else {
                continue;
            };
            if objects.is_empty() {
                continue;
            }
            let set_of = |t: &Value| -> Option<PolicySet> {
                let mut text = serde_json::to_string(t).ok()?;
                for c in &constraints {
                    text.push_str("\n---\n");
                    text.push_str(&serde_json::to_string(c).ok()?);
                }
                PolicySet::load(&[PolicyText { name: "bench.yaml", text: &text }], &Limits::default()).ok()
            };
            let (Some(mut cel_set), Some(mut rego_set)) = (set_of(&cel), set_of(&rego)) else { continue };
            let (cel_us, cel_v) = time(&mut cel_set, &objects, &request, samples);
            let (rego_us, rego_v) = time(&mut rego_set, &objects, &request, samples);
            let name = format!(
                "{} ({})",
                t.parent().and_then(|p| p.file_name()).map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
                test.get("name").and_then(Value::as_str).unwrap_or("")
            );
            let same = if cel_v == rego_v { "" } else { "  (violation counts differ)" };
            println!("{name:<44} {:>7} {cel_us:>12.1} {rego_us:>12.1} {:>8.2}{same}", objects.len(), rego_us / cel_us);
            ratios.push(rego_us / cel_us);
        }
    }
    if !ratios.is_empty() {
        println!("median Rego/CEL over {} template tests: {:.2}", ratios.len(), median(ratios.clone()));
        println!("slowest CEL relative to Rego: {:.2}", ratios.iter().copied().fold(f64::INFINITY, f64::min));
    }
}
