//! The bad-input catalog: one folder per case under `tests/bad_input/`, each with the command's arguments
//! (`args`, one per line, run in that folder), its inputs, the exact expected standard error (`expected.txt`)
//! and exit code (`exit`). No case may panic, print to standard output, or leave output behind.
//! `GUARDRAIL_BLESS=1` rewrites the expected files after a deliberate change.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Inputs too large to commit are made here: a 10 MB document and 10,000 levels of nesting.
fn generate(dir: &Path) {
    let big = dir.join("ten-megabytes/big.yaml");
    if !big.exists() {
        let mut text = String::from("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n");
        let mut i = 0;
        while text.len() < 10 * 1024 * 1024 {
            text.push_str(&format!("  key{i}: \"{}\"\n", "x".repeat(100)));
            i += 1;
        }
        std::fs::write(&big, text).expect("big.yaml");
    }
    let deep = dir.join("deep-nesting/deep.yaml");
    if !deep.exists() {
        let text = format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deep\ndata: {}{}\n",
            "[".repeat(10_000),
            "]".repeat(10_000)
        );
        std::fs::write(&deep, text).expect("deep.yaml");
    }
}

#[test]
fn every_bad_input_gets_its_exact_message() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/bad_input");
    generate(&root);
    let mut cases: Vec<PathBuf> =
        std::fs::read_dir(&root).expect("catalog").map(|e| e.expect("entry").path()).filter(|p| p.is_dir()).collect();
    cases.sort();
    assert!(cases.len() >= 17, "{} cases", cases.len());
    let bless = std::env::var_os("GUARDRAIL_BLESS").is_some();
    let mut failures = Vec::new();
    for case in &cases {
        let name = case.file_name().expect("name").to_string_lossy().into_owned();
        let args: Vec<String> =
            std::fs::read_to_string(case.join("args")).expect("args").lines().map(str::to_string).collect();
        let started = std::time::Instant::now();
        let out = Command::new(env!("CARGO_BIN_EXE_guardrail"))
            .args(&args)
            .current_dir(case)
            .env("NO_COLOR", "1")
            .output()
            .expect("runs");
        let took = started.elapsed();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let code = out.status.code().unwrap_or(-1);
        assert!(!stderr.contains("panicked"), "{name} panicked:\n{stderr}");
        assert!(out.stdout.is_empty(), "{name} printed to stdout:\n{}", String::from_utf8_lossy(&out.stdout));
        assert!(!case.join("public").exists(), "{name} left output behind");
        // Refused fast: nothing here should take long (an expanded alias bomb would take minutes).
        assert!(took.as_secs() < 20, "{name} took {took:?}");
        if bless {
            std::fs::write(case.join("expected.txt"), &stderr).expect("bless");
            std::fs::write(case.join("exit"), format!("{code}\n")).expect("bless");
            continue;
        }
        let expected = std::fs::read_to_string(case.join("expected.txt")).unwrap_or_default();
        let want: i32 =
            std::fs::read_to_string(case.join("exit")).ok().and_then(|s| s.trim().parse().ok()).unwrap_or(-2);
        if stderr != expected || code != want {
            failures.push(format!("{name}: exit {code} (want {want})\n--- got\n{stderr}--- want\n{expected}"));
        }
        let is_check = args.first().is_some_and(|a| a == "check" || a == "build");
        assert_eq!(code, if is_check { 1 } else { 2 }, "{name}: a failed check exits 1, bad input 2");
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
