//! guardrail's strict decoding against the `kubernetes-validate` package's validator (JSON Schema, strict, from the
//! same Kubernetes OpenAPI documents), object by object over `tests/fixtures/schema-corpus.jsonl` (made by
//! `scripts/schema-corpus.py`): the same accept/reject decision on every one, for every Kubernetes version shipped,
//! except the objects the corpus marks `beyond_json_schema`: refused by the API server for what its code checks
//! and a JSON Schema cannot state (a malformed quantity, an int32 out of range), which kubernetes-validate
//! accepts and guardrail refuses, as the API server does.
//!
//! The package runs in the Python environment `bash scripts/test` makes (`target/kubernetes-validate`), or the
//! interpreter `GUARDRAIL_KUBERNETES_VALIDATE` names. Without it this test fails, saying how to get it: it is
//! never skipped.

use std::path::{Path, PathBuf};
use std::process::Command;

use guardrail_engine::schema::{Check, CustomSchemas, VERSIONS, schemas};
use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn python() -> PathBuf {
    match std::env::var_os("GUARDRAIL_KUBERNETES_VALIDATE") {
        Some(p) => PathBuf::from(p),
        None => root().join("target/kubernetes-validate/bin/python"),
    }
}

#[test]
fn decisions_are_those_of_kubernetes_validate() {
    let corpus_path = root().join("tests/fixtures/schema-corpus.jsonl");
    let corpus: Vec<(String, Value, bool)> = std::fs::read_to_string(&corpus_path)
        .expect("the corpus")
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).expect("a JSON line");
            (v["name"].as_str().expect("name").to_string(), v["object"].clone(), v.get("beyond_json_schema").is_some())
        })
        .collect();
    assert!(corpus.len() >= 200, "{} objects", corpus.len());
    let python = python();
    assert!(
        python.exists(),
        "{} is missing: `bash scripts/test` installs kubernetes-validate there (or set GUARDRAIL_KUBERNETES_VALIDATE)",
        python.display()
    );
    // The corpus is what the script makes of the repository's objects now.
    let check = Command::new(&python)
        .arg(root().join("scripts/schema-corpus.py"))
        .arg("--check")
        .output()
        .expect("python runs");
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stderr));
    // One validator process per version, at the same time.
    let runs: Vec<_> = VERSIONS
        .iter()
        .map(|version| {
            let mut cmd = Command::new(&python);
            cmd.arg(root().join("scripts/kubernetes-validate-decisions.py")).arg(&corpus_path).arg(version);
            (version, std::thread::spawn(move || cmd.output().expect("python runs")))
        })
        .collect();
    let custom = CustomSchemas::default();
    let mut report = Vec::new();
    let (mut accepted, mut refused, mut beyond) = (0, 0, 0);
    for (version, run) in runs {
        let out = run.join().expect("the validator's thread");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let theirs: Vec<Value> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| serde_json::from_str(l).expect("a decision"))
            .collect();
        assert_eq!(theirs.len(), corpus.len(), "one decision per object");
        let api = schemas(version).expect("shipped");
        for ((name, object, beyond_json_schema), their) in corpus.iter().zip(&theirs) {
            assert_eq!(their["name"].as_str(), Some(name.as_str()));
            let ours = match api.decode(&custom, object) {
                Check::Checked(errors) => errors.into_iter().map(|e| e.message).collect::<Vec<_>>(),
                Check::NoSuchKind { .. } => vec!["no such kind".to_string()],
                Check::Unknown => vec!["no schema".to_string()],
            };
            let they_accept = their["accepted"].as_bool().expect("accepted");
            // (A variant of an object refused anyway is compared as any other.)
            if *beyond_json_schema && they_accept {
                beyond += 1;
                if ours.is_empty() {
                    report.push(format!("{version} {name}: the API server refuses it, guardrail accepts it"));
                }
                continue;
            }
            if they_accept {
                accepted += 1
            } else {
                refused += 1
            }
            if they_accept != ours.is_empty() {
                report.push(format!(
                    "{version} {name}: kubernetes-validate {} ({}), guardrail {}",
                    if they_accept { "accepts" } else { "refuses" },
                    their["message"].as_str().unwrap_or(""),
                    if ours.is_empty() { "accepts".to_string() } else { format!("refuses: {}", ours.join("; ")) }
                ));
            }
        }
    }
    assert!(accepted > 200 && refused > 200, "both decisions are exercised: {accepted} accepted, {refused} refused");
    assert!(beyond > 0);
    eprintln!(
        "{accepted} accepted and {refused} refused by both; {beyond} refused by guardrail only, as by the API server"
    );
    assert!(report.is_empty(), "{} different decisions:\n{}", report.len(), report.join("\n"));
}
