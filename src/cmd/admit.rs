//! `guardrail admit`: the cluster's verdict for manifests, from the terminal.

use std::io::Read;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use guardrail_engine::admission::Stage;
use guardrail_engine::limits::Limits;
use guardrail_engine::mutation::mutator::Operation;
use guardrail_engine::object;
use guardrail_engine::policy::{Child, Decision, Origin, PolicySet, Request, Verdict};
use guardrail_engine::template::EnforcementAction;
use guardrail_engine::yaml::{self, Schema};
use serde_json::{Value, json};

use crate::cli::{AdmitArgs, OperationArg, Output};
use crate::color::{Style, paint, paint_err};
use guardrail_site::policies;

pub(crate) struct Input {
    pub(crate) source: String,
    pub(crate) object: Value,
}

impl Input {
    /// The file and 1-based line of the document, from its `file:line` (or `<stdin>:line`) source.
    fn location(&self) -> (String, usize) {
        match self.source.rsplit_once(':') {
            Some((f, l)) => (f.to_string(), l.parse::<usize>().unwrap_or(1)),
            None => (self.source.clone(), 1),
        }
    }
}

pub(crate) fn read_inputs(files: &[std::path::PathBuf]) -> Result<Vec<Input>> {
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
    let loaded = policies::load(&args.policies)?;
    let mut set = loaded.set;
    set.set_cluster(loaded.sources.cluster.clone())
        .map_err(|e| anyhow::anyhow!("the cluster state cannot be used: {e}"))?;
    set.set_api_server(args.api_server.api_server(&args.kubernetes_version)?);
    for note in set.notes() {
        eprintln!("{}: {note}", paint_err(Style::Warn, "note"));
    }
    let skipped = loaded.sources.skipped_summary();
    if !skipped.is_empty() {
        eprintln!(
            "{}: the policy sources also held what is not a policy: skipped {skipped}",
            paint_err(Style::Dim, "note")
        );
    }
    let request = Request {
        operation: match args.operation {
            OperationArg::Create => Operation::Create,
            OperationArg::Update => Operation::Update,
        },
        namespace: Some(args.namespace.clone()).filter(|n| !n.is_empty()),
        ..Request::default()
    };
    // The API server decodes each object strictly before any webhook sees it: what it refuses goes no further.
    let api = guardrail_engine::schema::schemas(&args.kubernetes_version);
    let mut refused: Vec<(&Input, Vec<String>)> = Vec::new();
    let mut results = Vec::new();
    for input in &inputs {
        let refusal =
            |api: &guardrail_engine::schema::Schemas| api.refusal_of(set.decode(api, &input.object), &input.object);
        if let Some(errors) = api.map(refusal).filter(|e| !e.is_empty()) {
            refused.push((input, errors));
            continue;
        }
        let mut req = request.clone();
        if args.operation == OperationArg::Update {
            req.old_object = Some(input.object.clone());
        }
        let decision = set.admit(&input.object, &req).map_err(|e| anyhow::anyhow!("{}: {e}", input.source))?;
        results.push((input, decision));
    }
    // Something is rejected when an object is, or when something it creates is (a Deployment's Pods).
    let rejected = !refused.is_empty()
        || results.iter().any(|(_, d)| d.verdict == Verdict::Rejected || d.rejected_child().is_some());
    match args.output {
        Output::Text => {
            for (input, errors) in &refused {
                println!(
                    "{} {} {}",
                    paint(Style::Bold, &object::describe(&input.object)),
                    paint(Style::Dim, &format!("({})", input.source)),
                    paint(Style::Bad, "refused by the API server")
                );
                for e in errors {
                    println!("  {} {e}", paint(Style::Bad, "error"));
                }
            }
            print_text(&results, &set, refused.len())
        }
        Output::Yaml => {
            let mut docs = Vec::new();
            for (_, d) in results.iter().filter(|(_, d)| d.verdict == Verdict::Admitted) {
                docs.push(guardrail_engine::yaml::to_yaml(&d.object));
                // What it leads to and was admitted (a rejected object leads to nothing), each after a comment
                // that says where it comes from.
                for (_, c) in d.descendants().into_iter().filter(|(_, c)| c.decision.verdict == Verdict::Admitted) {
                    let what = object::describe(&c.decision.object);
                    docs.push(format!(
                        "# {what}, {}\n{}",
                        c.origin,
                        guardrail_engine::yaml::to_yaml(&c.decision.object)
                    ));
                }
            }
            print!("{}", docs.join("---\n"));
        }
        Output::Json => {
            // In the order of the input.
            let list: Vec<Value> = inputs
                .iter()
                .filter_map(|input| {
                    if let Some((_, errors)) = refused.iter().find(|(i, _)| std::ptr::eq(*i, input)) {
                        return Some(json!({"source": input.source, "verdict": "refused", "errors": errors}));
                    }
                    results.iter().find(|(i, _)| std::ptr::eq(*i, input)).map(|(i, d)| result_json(i, d))
                })
                .collect();
            let text = serde_json::to_string_pretty(&json!({"results": list})).context("cannot print JSON")?;
            println!("{text}");
        }
        Output::Sarif => {
            let text = serde_json::to_string_pretty(&sarif(&results, &refused)).context("cannot print SARIF")?;
            println!("{text}");
        }
    }
    // An object the API server cannot decode is bad input (2), before any verdict (1).
    Ok(match (refused.is_empty(), rejected) {
        (false, _) => ExitCode::from(2),
        (true, true) => ExitCode::from(1),
        (true, false) => ExitCode::SUCCESS,
    })
}

/// The violations of every object (and of what it leads to) as a SARIF log: a rule per constraint, a result per
/// violation at the object's document, deny as error, warn as warning, dryrun as note.
fn sarif(results: &[(&Input, Decision)], refused: &[(&Input, Vec<String>)]) -> Value {
    let mut rules: Vec<(String, String)> = Vec::new();
    let mut out = Vec::new();
    for (input, errors) in refused {
        let (uri, line) = input.location();
        if rules.is_empty() {
            rules.push((
                "api-server".into(),
                "The API server refuses the object before admission (strict decoding).".into(),
            ));
        }
        for e in errors {
            out.push(json!({
                "ruleId": "api-server",
                "level": "error",
                "message": {"text": format!("{}: {e}", object::describe(&input.object))},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri}, "region": {"startLine": line.max(1)}}}]
            }));
        }
    }
    for (input, d) in results {
        let (uri, line) = input.location();
        let mut decisions: Vec<(Option<String>, &Decision)> = vec![(None, d)];
        decisions.extend(
            d.descendants()
                .into_iter()
                .map(|(_, c)| (Some(format!("{} ({})", object::describe(&c.decision.object), c.origin)), &c.decision)),
        );
        for (via, decision) in decisions {
            for v in &decision.violations {
                let id = format!("{}/{}", v.kind, v.name);
                if !rules.iter().any(|(r, _)| *r == id) {
                    let what = match v.stage {
                        Stage::Gatekeeper => format!("Gatekeeper constraint {} of kind {}.", v.name, v.kind),
                        stage => format!("Refused by {} ({}).", stage.describe(), v.name),
                    };
                    rules.push((id.clone(), what));
                }
                let level = match v.action {
                    EnforcementAction::Deny => "error",
                    EnforcementAction::Warn => "warning",
                    EnforcementAction::Dryrun => "note",
                };
                let mut text = format!("{}: {}", object::describe(&d.object), v.render());
                if let Some(via) = &via {
                    text.push_str(&format!(" (in {via})"));
                }
                out.push(json!({
                    "ruleId": id,
                    "level": level,
                    "message": {"text": text},
                    "locations": [{"physicalLocation": {
                        "artifactLocation": {"uri": uri},
                        "region": {"startLine": line.max(1)}
                    }}]
                }));
            }
        }
    }
    for r in &mut out {
        let id = r["ruleId"].as_str().unwrap_or_default().to_string();
        r["ruleIndex"] = json!(rules.iter().position(|(x, _)| *x == id).unwrap_or(0));
    }
    crate::report::log(rules, out)
}

fn result_json(input: &Input, d: &Decision) -> Value {
    let mut v = decision_json(d);
    if let Some(map) = v.as_object_mut() {
        map.insert("source".into(), json!(input.source));
        // `source` first, as before the children were added.
        let mut ordered = serde_json::Map::new();
        ordered.insert("source".into(), json!(input.source));
        for (k, x) in std::mem::take(map) {
            if k != "source" {
                ordered.insert(k, x);
            }
        }
        *map = ordered;
    }
    v
}

/// A decision as JSON: verdict, object, patch, mutators, violations, warnings, and `children`: what the object
/// expands to or its controller creates, each with its `origin` and, when rejected, the controller's `event`.
fn decision_json(d: &Decision) -> Value {
    json!({
        "verdict": d.verdict.as_str(),
        "decided_by": d.decided_by.map(|s| s.name()),
        "mutated": d.mutated(),
        "object": d.object,
        "stored": d.stored,
        "stages": d.stages.iter().map(|s| json!({
            "stage": s.stage.name(), "changed": s.changed, "said": s.said, "warnings": s.warnings,
        })).collect::<Vec<_>>(),
        "patch": d.patch,
        "mutators": d.mutators,
        "violations": d.violations.iter().map(|v| json!({
            "stage": v.stage.name(), "kind": v.kind, "name": v.name, "action": v.action.as_str(), "message": v.message,
        })).collect::<Vec<_>>(),
        "warnings": d.warnings,
        "children": d.children.iter().map(|c| {
            let mut v = decision_json(&c.decision);
            let origin = match &c.origin {
                Origin::Created { controller } => json!({"created": controller}),
                Origin::Expanded { template } => json!({"expanded": template}),
            };
            if let Some(map) = v.as_object_mut() {
                map.insert("origin".into(), origin);
                map.insert("event".into(), c.event().map_or(Value::Null, Value::String));
            }
            v
        }).collect::<Vec<_>>(),
    })
}

/// What each object leads to, indented under it: verdict, mutation, and (for created objects, which are
/// requests of their own) violations and the controller's event. A resultant's violations are already listed on
/// its parent, `[Implied by ...]`.
fn print_children(children: &[Child], depth: usize) {
    let pad = "  ".repeat(depth);
    for c in children {
        let verdict = match (c.decision.verdict, c.decision.mutated()) {
            (Verdict::Rejected, _) => paint(Style::Bad, "rejected"),
            (Verdict::Admitted, true) => paint(Style::Good, "admitted with changes"),
            (Verdict::Admitted, false) => paint(Style::Good, "admitted"),
        };
        let how = match &c.origin {
            Origin::Created { .. } => "creates",
            Origin::Expanded { .. } => "expands to",
        };
        println!(
            "{pad}{how} {} {} {verdict}",
            paint(Style::Bold, &object::describe(&c.decision.object)),
            paint(Style::Dim, &format!("({})", c.origin))
        );
        if c.decision.mutated() {
            println!("{pad}  mutated by {}", c.decision.mutators.join(", "));
        }
        if matches!(c.origin, Origin::Created { .. }) {
            for v in &c.decision.violations {
                println!("{pad}  {} {} {}", action_tag(v.action), paint(Style::Dim, &v.kind), v.render());
            }
            if let Some(event) = c.event() {
                println!("{pad}  event: {}", event.replace('\n', &format!("\n{pad}    ")));
            }
        }
        print_children(&c.decision.children, depth + 1);
    }
}

fn action_tag(action: EnforcementAction) -> String {
    match action {
        EnforcementAction::Deny => paint(Style::Bad, "deny"),
        EnforcementAction::Warn => paint(Style::Warn, "warn"),
        EnforcementAction::Dryrun => paint(Style::Dim, "dryrun"),
    }
}

fn print_text(results: &[(&Input, Decision)], _set: &PolicySet, refused: usize) {
    let mut admitted = 0;
    for (input, d) in results {
        let what = object::describe(&input.object);
        let verdict = match (d.verdict, d.mutated(), d.decided_by) {
            (Verdict::Rejected, _, Some(stage)) => paint(Style::Bad, &format!("rejected by {}", stage.describe())),
            (Verdict::Rejected, _, None) => paint(Style::Bad, "rejected"),
            (Verdict::Admitted, true, _) => paint(Style::Good, "admitted with changes"),
            (Verdict::Admitted, false, _) => paint(Style::Good, "admitted"),
        };
        if d.verdict == Verdict::Admitted && d.rejected_child().is_none() {
            admitted += 1;
        }
        println!("{} {} {}", paint(Style::Bold, &what), paint(Style::Dim, &format!("({})", input.source)), verdict);
        if d.mutated() {
            println!("  mutated by {}", d.mutators.join(", "));
            print_diff(&input.object, &d.object);
        }
        for line in d.plugins_said() {
            println!("  {} {line}", paint(Style::Dim, "api-server"));
        }
        for v in &d.violations {
            println!("  {} {} {}", action_tag(v.action), paint(Style::Dim, &v.kind), v.render());
        }
        for w in &d.warnings {
            println!("  {}: {w}", paint(Style::Warn, "warning"));
        }
        print_children(&d.children, 1);
    }
    let n = results.len() + refused;
    let with_children = results.iter().any(|(_, d)| !d.children.is_empty());
    println!(
        "{admitted} of {n} object{} admitted{}",
        if n == 1 { "" } else { "s" },
        match (with_children, n) {
            (false, _) => "",
            (true, 1) => " with what it creates",
            (true, _) => " with what they create",
        }
    );
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
