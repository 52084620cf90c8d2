//! `guardrail admit`: the cluster's verdict for manifests, from the terminal.

use std::io::Read;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use guardrail_engine::limits::Limits;
use guardrail_engine::mutation::mutator::Operation;
use guardrail_engine::object;
use guardrail_engine::policy::{Decision, PolicySet, Request, Verdict};
use guardrail_engine::yaml::{self, Schema};
use serde_json::{Value, json};

use crate::cli::{AdmitArgs, OperationArg, Output};
use crate::color::{Style, paint, paint_err};
use guardrail_site::policies;

struct Input {
    source: String,
    object: Value,
}

fn read_inputs(files: &[std::path::PathBuf]) -> Result<Vec<Input>> {
    let mut inputs = Vec::new();
    let mut errors = Vec::new();
    for file in files {
        let (name, text) = if file == Path::new("-") {
            let mut s = String::new();
            std::io::stdin().read_to_string(&mut s).context("cannot read standard input")?;
            ("<stdin>".to_string(), s)
        } else {
            (file.display().to_string(), policies::read_text(file)?)
        };
        match yaml::load_documents(&text, Schema::Kubernetes, &Limits::default()) {
            Ok(docs) => {
                for doc in docs.into_iter().filter(|d| !d.value.is_null()) {
                    if !doc.value.is_object() || object::Gvk::of(&doc.value).kind.is_empty() {
                        errors.push(format!(
                            "{name}:{}:1: document {} is not a Kubernetes object (it needs apiVersion and kind)",
                            doc.line,
                            doc.index + 1
                        ));
                        continue;
                    }
                    inputs.push(Input { source: format!("{name}:{}", doc.line), object: doc.value });
                }
            }
            Err(e) => errors.push(format!("{name}:{}:{}: invalid YAML: {}", e.line, e.column, e.message)),
        }
    }
    if !errors.is_empty() {
        bail!("{}", errors.join("\n"));
    }
    Ok(inputs)
}

pub(crate) fn run(args: &AdmitArgs) -> Result<ExitCode> {
    let inputs = read_inputs(&args.files)?;
    let mut set = policies::load(&args.policies)?;
    for note in set.notes() {
        eprintln!("{}: {note}", paint_err(Style::Warn, "note"));
    }
    let request = Request {
        operation: match args.operation {
            OperationArg::Create => Operation::Create,
            OperationArg::Update => Operation::Update,
        },
        namespace: Some(args.namespace.clone()).filter(|n| !n.is_empty()),
        ..Request::default()
    };
    let mut results = Vec::new();
    for input in &inputs {
        let mut req = request.clone();
        if args.operation == OperationArg::Update {
            req.old_object = Some(input.object.clone());
        }
        let decision = set.admit(&input.object, &req).map_err(|e| anyhow::anyhow!("{}: {e}", input.source))?;
        results.push((input, decision));
    }
    let rejected = results.iter().any(|(_, d)| d.verdict == Verdict::Rejected);
    match args.output {
        Output::Text => print_text(&results, &set),
        Output::Yaml => {
            let docs: Vec<String> = results
                .iter()
                .filter(|(_, d)| d.verdict == Verdict::Admitted)
                .map(|(_, d)| guardrail_engine::yaml::to_yaml(&d.object))
                .collect();
            print!("{}", docs.join("---\n"));
        }
        Output::Json => {
            let list: Vec<Value> = results.iter().map(|(i, d)| result_json(i, d)).collect();
            let text = serde_json::to_string_pretty(&json!({"results": list})).context("cannot print JSON")?;
            println!("{text}");
        }
    }
    Ok(if rejected { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

fn result_json(input: &Input, d: &Decision) -> Value {
    json!({
        "source": input.source,
        "verdict": d.verdict.as_str(),
        "mutated": d.mutated(),
        "object": d.object,
        "patch": d.patch,
        "mutators": d.mutators,
        "violations": d.violations.iter().map(|v| json!({
            "kind": v.kind, "name": v.name, "action": v.action.as_str(), "message": v.message,
        })).collect::<Vec<_>>(),
        "warnings": d.warnings,
    })
}

fn print_text(results: &[(&Input, Decision)], _set: &PolicySet) {
    let mut admitted = 0;
    for (input, d) in results {
        let what = object::describe(&input.object);
        let verdict = match (d.verdict, d.mutated()) {
            (Verdict::Rejected, _) => paint(Style::Bad, "rejected"),
            (Verdict::Admitted, true) => paint(Style::Good, "admitted with changes"),
            (Verdict::Admitted, false) => paint(Style::Good, "admitted"),
        };
        if d.verdict == Verdict::Admitted {
            admitted += 1;
        }
        println!("{} {} {}", paint(Style::Bold, &what), paint(Style::Dim, &format!("({})", input.source)), verdict);
        if d.mutated() {
            println!("  mutated by {}", d.mutators.join(", "));
            print_diff(&input.object, &d.object);
        }
        for v in &d.violations {
            let tag = match v.action {
                guardrail_engine::template::EnforcementAction::Deny => paint(Style::Bad, "deny"),
                guardrail_engine::template::EnforcementAction::Warn => paint(Style::Warn, "warn"),
                guardrail_engine::template::EnforcementAction::Dryrun => paint(Style::Dim, "dryrun"),
            };
            println!("  {tag} {} {}", paint(Style::Dim, &v.kind), v.render());
        }
        for w in &d.warnings {
            println!("  {}: {w}", paint(Style::Warn, "warning"));
        }
    }
    let n = results.len();
    println!("{admitted} of {n} object{} admitted", if n == 1 { "" } else { "s" });
}

fn print_diff(before: &Value, after: &Value) {
    let a = guardrail_engine::yaml::to_yaml(before);
    let b = guardrail_engine::yaml::to_yaml(after);
    let diff = similar::TextDiff::from_lines(&a, &b);
    for group in diff.grouped_ops(2) {
        for op in group {
            for change in diff.iter_changes(&op) {
                let line = change.value().trim_end_matches('\n');
                match change.tag() {
                    similar::ChangeTag::Insert => println!("  {}", paint(Style::Added, &format!("+ {line}"))),
                    similar::ChangeTag::Delete => println!("  {}", paint(Style::Removed, &format!("- {line}"))),
                    similar::ChangeTag::Equal => println!("  {}", paint(Style::Dim, &format!("  {line}"))),
                }
            }
        }
        println!("  {}", paint(Style::Dim, "  ..."));
    }
}
