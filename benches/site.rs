//! Site build speed: a generated N-page site (3 YAML examples a page, all checked) and the repository's own
//! site, built by the release binary as a user runs it, and in process by the site crate (`Session::build`, no
//! process start, nothing written). Prints medians and pages per second. Run: `cargo bench --bench site`
//! (`GUARDRAIL_BENCH_PAGES=1000` by default; `GUARDRAIL_BENCH_RUNS=5`).

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

// The same allocator as the guardrail binary, for the in-process figures.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "support/corpus.rs"]
mod corpus;
use corpus::generate;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn time(bin: &str, args: &[&str], runs: usize) -> Duration {
    let mut times = Vec::new();
    for _ in 0..runs {
        let started = Instant::now();
        let out = Command::new(bin).args(args).output().expect("guardrail runs");
        let took = started.elapsed();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        times.push(took);
    }
    median(times)
}

fn time_in_process(root: &std::path::Path, runs: usize) -> Duration {
    let mut times = Vec::new();
    for _ in 0..runs {
        let started = Instant::now();
        let session = guardrail_site::Session::build(root).unwrap_or_else(|f| panic!("{f}"));
        times.push(started.elapsed());
        drop(session);
    }
    median(times)
}

/// What the strict decoding of every example of the generated pages costs alone (placed as the build places
/// them; the schemas' one-time parse included, as a build pays it once).
fn time_decoding(dir: &std::path::Path, runs: usize) -> Duration {
    use guardrail_engine::{fragment, limits::Limits, schema, yaml};
    let mut blocks = Vec::new();
    for entry in std::fs::read_dir(dir.join("content")).expect("content") {
        let text = std::fs::read_to_string(entry.expect("entry").path()).unwrap_or_default();
        for part in text.split("```yaml").skip(1) {
            let body = part.split_once('\n').map_or("", |(_, rest)| rest);
            blocks.push(body.split("```").next().unwrap_or("").to_string());
        }
    }
    let placed: Vec<fragment::Placed> = blocks
        .iter()
        .flat_map(|b| yaml::load_documents(b, yaml::Schema::Kubernetes, &Limits::default()).expect("yaml"))
        .map(|d| fragment::place(&d.value, fragment::infer_wrap(&d.value).expect("placeable")))
        .collect();
    assert!(placed.len() >= blocks.len());
    let mut times = Vec::new();
    for _ in 0..runs {
        let started = Instant::now();
        let bytes = include_bytes!("../engine/schemas/kubernetes-v1.37.bin");
        let api = schema::Schemas::from_compiled("1.37", bytes).expect("compiled");
        let custom = schema::CustomSchemas::default();
        for p in &placed {
            assert_eq!(api.decode(&custom, &p.object), schema::Check::Checked(Vec::new()));
        }
        times.push(started.elapsed());
    }
    median(times)
}

fn main() {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let bin = env!("CARGO_BIN_EXE_guardrail");
    let pages: usize = std::env::var("GUARDRAIL_BENCH_PAGES").ok().and_then(|s| s.parse().ok()).unwrap_or(1000);
    let runs: usize = std::env::var("GUARDRAIL_BENCH_RUNS").ok().and_then(|s| s.parse().ok()).unwrap_or(5);
    let dir = std::env::temp_dir().join(format!("guardrail-bench-{pages}"));
    generate(&dir, pages, &repo);
    let root = dir.to_str().expect("utf-8 path");
    let out = dir.join("public");
    let out = out.to_str().expect("utf-8 path");
    let check = time(bin, &["check", "--root", root], runs);
    let build = time(bin, &["build", "--root", root, "--out", out], runs);
    let repo_root = repo.to_str().expect("utf-8 path");
    let site_out = std::env::temp_dir().join("guardrail-bench-repo-site");
    let security = time(bin, &["build", "--root", repo_root, "--out", site_out.to_str().expect("utf-8")], runs);
    let in_process = time_in_process(&dir, runs);
    let decoding = time_decoding(&dir, runs);
    let repo_in_process = time_in_process(&repo, runs);
    let per_sec = |d: Duration| pages as f64 / d.as_secs_f64();
    println!("generated site: {pages} pages, {} examples checked, median of {runs} runs", pages * 3);
    println!("  guardrail check  {:>8.1} ms  ({:.0} pages/s)", check.as_secs_f64() * 1e3, per_sec(check));
    println!("  guardrail build  {:>8.1} ms  ({:.0} pages/s)", build.as_secs_f64() * 1e3, per_sec(build));
    println!("  in process       {:>8.1} ms  ({:.0} pages/s)", in_process.as_secs_f64() * 1e3, per_sec(in_process));
    println!(
        "  of which the API server's strict decoding of every example: {:.1} ms ({:.1}% of the check)",
        decoding.as_secs_f64() * 1e3,
        100.0 * decoding.as_secs_f64() / check.as_secs_f64()
    );
    println!("repository site (Security page and the rest): guardrail build {:.1} ms", security.as_secs_f64() * 1e3);
    println!("  in process       {:>8.1} ms", repo_in_process.as_secs_f64() * 1e3);
}
