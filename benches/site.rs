//! Site build speed and growth: generated sites of 1,000 and 10,000 pages (one flat folder, ~1,100 words and 3
//! YAML examples a page, all checked) and the repository's own site, built by the release binary as a user runs
//! it (time, peak memory, output size, the search index's parts), and in process by the site crate
//! (`Session::build`, no process start, nothing written). Prints medians and the 10k/1k ratios. Run:
//! `cargo bench --bench site` (`GUARDRAIL_BENCH_PAGES=1000,10000` by default; `GUARDRAIL_BENCH_RUNS=5`).

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
    measure(bin, args, runs).0
}

/// The median time and the largest peak resident memory (KiB, from GNU time) of `runs` runs.
fn measure(bin: &str, args: &[&str], runs: usize) -> (Duration, u64) {
    let mut times = Vec::new();
    let mut peak = 0;
    for _ in 0..runs {
        let started = Instant::now();
        let out = Command::new("/usr/bin/time").arg("-f").arg("%M").arg(bin).args(args).output().expect("runs");
        let took = started.elapsed();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{stderr}");
        peak = peak.max(stderr.lines().last().and_then(|l| l.trim().parse().ok()).unwrap_or(0));
        times.push(took);
    }
    (median(times), peak)
}

/// Bytes and files under `dir`.
fn size_of(dir: &std::path::Path) -> (u64, usize) {
    let mut total = (0, 0);
    for entry in std::fs::read_dir(dir).expect("readable").flatten() {
        let meta = entry.metadata().expect("metadata");
        if meta.is_dir() {
            let (b, n) = size_of(&entry.path());
            total = (total.0 + b, total.1 + n);
        } else {
            total = (total.0 + meta.len(), total.1 + 1);
        }
    }
    total
}

/// What a search for `query` downloads from the built site `out`, computed as the page's script fetches:
/// the manifest, the shard of each word (the last also as a prefix: the run of shards its terms are in, up to
/// six), the titles files of the eight best pages (each once) and those pages themselves (here: the eight biggest
/// holding the first word, an upper bound).
fn search_transfer(out: &std::path::Path, query: &str) -> usize {
    let read = |rel: &str| std::fs::read(out.join("assets/search").join(rel)).expect("search file");
    let manifest_bytes = read("manifest.json");
    let manifest: serde_json::Value = serde_json::from_slice(&manifest_bytes).expect("manifest");
    let firsts: Vec<&str> = manifest["s"].as_array().expect("s").iter().filter_map(|p| p.as_str()).collect();
    let shard_of = |t: &str| firsts.iter().rposition(|f| *f <= t).unwrap_or(0);
    let words: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
    let mut shards = std::collections::BTreeSet::new();
    for (k, w) in words.iter().enumerate() {
        let first = shard_of(w);
        shards.insert(first);
        if k + 1 == words.len() {
            let last = shard_of(&format!("{w}\u{10FFFF}"));
            if last - first < 6 {
                shards.extend(first..=last);
            }
        }
    }
    let shard_bytes: usize = shards.iter().map(|i| read(&format!("s/{i}.json")).len()).sum();
    // The pages holding the first word, from its shard.
    let shard: serde_json::Value =
        serde_json::from_slice(&read(&format!("s/{}.json", shard_of(&words[0])))).expect("shard");
    let per_file = manifest["t"].as_u64().expect("titles per file") as usize;
    // Each titles file read once; the browser fetches it once, whichever of its pages are shown.
    let mut titles: std::collections::BTreeMap<usize, (usize, serde_json::Value)> = Default::default();
    let mut holding = Vec::new();
    let mut page = 0;
    for p in shard[words[0].as_str()].as_str().unwrap_or("").split(',').filter(|p| !p.is_empty()) {
        page += usize::from_str_radix(p.trim_end_matches('!'), 36).expect("base 36");
        let (_, list) = titles.entry(page / per_file).or_insert_with(|| {
            let bytes = read(&format!("t/{}.json", page / per_file));
            (bytes.len(), serde_json::from_slice(&bytes).expect("titles file"))
        });
        let url = list[page % per_file][1].as_str().expect("url");
        let html = std::fs::metadata(out.join(url.trim_start_matches('/')).join("index.html")).expect("page");
        holding.push((html.len() as usize, page / per_file));
    }
    holding.sort_unstable_by(|a, b| b.cmp(a));
    let best = &holding[..holding.len().min(8)];
    let files: std::collections::BTreeSet<usize> = best.iter().map(|(_, k)| *k).collect();
    manifest_bytes.len()
        + shard_bytes
        + best.iter().map(|(page, _)| page).sum::<usize>()
        + files.iter().map(|k| titles[k].0).sum::<usize>()
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
    for entry in std::fs::read_dir(dir.join("content/docs")).expect("content") {
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
    let sizes: Vec<usize> = std::env::var("GUARDRAIL_BENCH_PAGES")
        .unwrap_or_else(|_| "1000,10000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let runs: usize = std::env::var("GUARDRAIL_BENCH_RUNS").ok().and_then(|s| s.parse().ok()).unwrap_or(5);
    let mut rows = Vec::new();
    for &pages in &sizes {
        let dir = std::env::temp_dir().join(format!("guardrail-bench-{pages}"));
        generate(&dir, pages, &repo);
        let root = dir.to_str().expect("utf-8 path");
        let out = dir.join("public");
        let out_str = out.to_str().expect("utf-8 path");
        let (check, check_peak) = measure(bin, &["check", "--root", root], runs);
        // Each build writes a fresh folder, as on a fresh checkout; the previous ones are removed after the runs
        // (untimed): on a file system that makes new files step over recently deleted inodes (this machine's
        // ext4 has no journal), deleting 20,000 files between runs would charge the next run for it.
        let outs: Vec<String> = (0..runs).map(|r| format!("{out_str}-{r}")).collect();
        for o in &outs {
            let _ = std::fs::remove_dir_all(o);
        }
        let mut builds = Vec::new();
        let mut build_peak = 0;
        for o in &outs {
            let (t, peak) = measure(bin, &["build", "--root", root, "--out", o], 1);
            builds.push(t);
            build_peak = build_peak.max(peak);
        }
        let build = median(builds);
        let _ = std::fs::remove_dir_all(&out);
        std::fs::rename(&outs[0], &out).expect("keep one build");
        for o in &outs[1..] {
            let _ = std::fs::remove_dir_all(o);
        }
        let (bytes, files) = size_of(&out);
        let (search_bytes, _) = size_of(&out.join("assets/search"));
        let query = search_transfer(&out, "cluster admission policy");
        let rare = search_transfer(&out, "zanzibarite");
        let per_sec = |d: Duration| pages as f64 / d.as_secs_f64();
        println!("generated site: {pages} pages, {} examples checked, median of {runs} runs", pages * 3);
        println!(
            "  guardrail check  {:>9.1} ms  ({:.0} pages/s), peak memory {:.0} MB",
            check.as_secs_f64() * 1e3,
            per_sec(check),
            check_peak as f64 / 1024.0
        );
        println!(
            "  guardrail build  {:>9.1} ms  ({:.0} pages/s), peak memory {:.0} MB",
            build.as_secs_f64() * 1e3,
            per_sec(build),
            build_peak as f64 / 1024.0
        );
        println!(
            "  output {:.1} MB in {files} files; search index {:.1} MB; a query downloads at most {:.0} KB (3 common words) / {:.0} KB (a rare one)",
            bytes as f64 / 1e6,
            search_bytes as f64 / 1e6,
            query as f64 / 1024.0,
            rare as f64 / 1024.0
        );
        if pages == sizes[0] {
            let in_process = time_in_process(&dir, runs);
            let decoding = time_decoding(&dir, runs);
            println!(
                "  in process       {:>9.1} ms  ({:.0} pages/s)",
                in_process.as_secs_f64() * 1e3,
                per_sec(in_process)
            );
            println!(
                "  of which the API server's strict decoding of every example: {:.1} ms ({:.1}% of the check)",
                decoding.as_secs_f64() * 1e3,
                100.0 * decoding.as_secs_f64() / check.as_secs_f64()
            );
        }
        rows.push((pages, check, build, build_peak, bytes));
    }
    if let [(p1, c1, b1, m1, o1), .., (p2, c2, b2, m2, o2)] = rows.as_slice() {
        println!(
            "growth {p2}/{p1} pages: check x{:.1}, build x{:.1}, peak memory x{:.1}, output x{:.1} (linear: x{:.0})",
            c2.as_secs_f64() / c1.as_secs_f64(),
            b2.as_secs_f64() / b1.as_secs_f64(),
            *m2 as f64 / *m1 as f64,
            *o2 as f64 / *o1 as f64,
            *p2 as f64 / *p1 as f64
        );
    }
    let repo_root = repo.to_str().expect("utf-8 path");
    let site_out = std::env::temp_dir().join("guardrail-bench-repo-site");
    let security = time(bin, &["build", "--root", repo_root, "--out", site_out.to_str().expect("utf-8")], runs);
    let repo_in_process = time_in_process(&repo, runs);
    println!("repository site (Security page and the rest): guardrail build {:.1} ms", security.as_secs_f64() * 1e3);
    println!("  in process       {:>8.1} ms", repo_in_process.as_secs_f64() * 1e3);
}
