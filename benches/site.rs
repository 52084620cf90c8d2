//! Site build speed: a generated N-page site (3 YAML examples a page, all checked) and the repository's own
//! site, built by the release binary. Prints medians and pages per second. Run: `cargo bench --bench site`
//! (`GUARDRAIL_BENCH_PAGES=1000` by default; `GUARDRAIL_BENCH_RUNS=5`).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// Writes an N-page site into `dir`: every page has a heading tree, a table, prose and three examples
/// (an admitted Pod, a mutated container fragment and a rejected one).
fn generate(dir: &Path, pages: usize, repo: &Path) {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir.join("content")).expect("content dir");
    std::fs::write(
        dir.join("guardrail.toml"),
        format!(
            "title = \"Bench\"\n[paths]\npolicies = \"{}\"\ntheme = \"{}\"\n",
            repo.join("policies").display(),
            repo.join("theme").display()
        ),
    )
    .expect("config");
    for i in 0..pages {
        let section = format!("section-{:02}", i % 20);
        let dir_path = dir.join("content").join(&section);
        std::fs::create_dir_all(&dir_path).expect("section dir");
        // Links must resolve: point at pages that exist.
        let body = format!(
            "---\ntitle: Page {i}\nsidebar_position: {i}\n---\n\n## Overview of page {i}\n\nThis page explains workload {i}. \
             See [the section's first page](page-{first}.md#overview-of-page-{first}).\n\n\
             | field | value |\n|---|---|\n| replicas | {i} |\n| tier | web |\n\n\
             ### An admitted Pod\n\n```yaml title=\"pod-{i}.yaml\"\napiVersion: v1\nkind: Pod\nmetadata:\n  name: web-{i}\nspec:\n  containers:\n  - name: app\n    image: nginx:1.27\n    securityContext:\n      allowPrivilegeEscalation: false\n      capabilities:\n        drop: [ALL]\n      readOnlyRootFilesystem: true\n```\n\n\
             ### What mutation adds\n\n```yaml\nname: worker\nimage: busybox:1.36\n```\n\n\
             ### What the cluster rejects\n\n```yaml expect=deny violates=\"K8sPSPPrivilegedContainer\"\nsecurityContext:\n  privileged: true\n```\n\n\
             Some closing prose for page {i}, long enough to look like documentation rather than a stub.\n",
            first = i % 20,
        );
        std::fs::write(dir_path.join(format!("page-{i}.md")), body).expect("page");
    }
}

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
    let per_sec = |d: Duration| pages as f64 / d.as_secs_f64();
    println!("generated site: {pages} pages, {} examples checked, median of {runs} runs", pages * 3);
    println!("  guardrail check  {:>8.1} ms  ({:.0} pages/s)", check.as_secs_f64() * 1e3, per_sec(check));
    println!("  guardrail build  {:>8.1} ms  ({:.0} pages/s)", build.as_secs_f64() * 1e3, per_sec(build));
    println!("repository site (Security page and the rest): guardrail build {:.1} ms", security.as_secs_f64() * 1e3);
}
