//! `guardrail policies`: a policy set as guardrail sees it, so that a team can check that their repository,
//! dump or chart loaded as they meant: what loaded, from which file, and what was skipped and why.

use std::process::ExitCode;

use anyhow::{Context, Result};
use guardrail_engine::matching::Match;
use guardrail_engine::object::meta_str;
use guardrail_engine::template::EnforcementPoint;
use serde_json::{Value, json};

use crate::cli::{ListOutput, PoliciesArgs};

/// `Pod, apps/Deployment` for a match's kinds (`everything` when it names none), and its namespaces.
fn match_text(m: &Match) -> String {
    let mut kinds: Vec<String> = Vec::new();
    for k in &m.kinds {
        for kind in &k.kinds {
            let groups = if k.api_groups.is_empty() { vec![String::from("*")] } else { k.api_groups.clone() };
            for g in groups {
                kinds.push(if g.is_empty() { kind.clone() } else { format!("{g}/{kind}") });
            }
        }
    }
    let mut text = if kinds.is_empty() { "everything".to_string() } else { kinds.join(", ") };
    let list = |ws: &[guardrail_engine::matching::Wildcard]| ws.iter().map(|w| w.0.clone()).collect::<Vec<_>>();
    if !m.namespaces.is_empty() {
        text.push_str(&format!("; namespaces {}", list(&m.namespaces).join(", ")));
    }
    if !m.excluded_namespaces.is_empty() {
        text.push_str(&format!("; not in {}", list(&m.excluded_namespaces).join(", ")));
    }
    if m.namespace_selector.is_some() {
        text.push_str("; namespaceSelector");
    }
    if m.label_selector.is_some() {
        text.push_str("; labelSelector");
    }
    if !m.source.is_empty() && m.source != "All" {
        text.push_str(&format!("; source {}", m.source));
    }
    text
}

pub(crate) fn run(args: &PoliciesArgs) -> Result<ExitCode> {
    let loaded = guardrail_site::policies::load(&args.policies)?;
    let set = &loaded.set;
    let file_of = |kind: &str, name: &str| -> String {
        set.objects()
            .find(|o| o.value.get("kind").and_then(Value::as_str) == Some(kind) && meta_str(o.value, "name") == name)
            .map(|o| o.name.to_string())
            .unwrap_or_default()
    };
    let templates: Vec<Value> = set
        .templates()
        .map(|t| {
            json!({
                "kind": t.kind, "name": t.name, "engine": t.engine().as_str(), "rego": t.rego.is_some(),
                "cel": t.cel.is_some(), "file": file_of("ConstraintTemplate", &t.name),
            })
        })
        .collect();
    let constraints: Vec<Value> = set
        .constraints()
        .iter()
        .map(|c| {
            json!({
                "kind": c.kind, "name": c.name,
                "action": c.enforcement.at(EnforcementPoint::Validation).map_or("none", |a| a.as_str()),
                "match": match_text(&c.r#match), "file": file_of(&c.kind, &c.name),
            })
        })
        .collect();
    let mutators: Vec<Value> = set
        .mutation()
        .mutators()
        .iter()
        .map(|m| {
            json!({
                "id": m.id(), "location": m.location_text, "match": match_text(&m.r#match),
                "file": file_of(m.kind.as_str(), &m.name),
            })
        })
        .collect();
    let expansions: Vec<Value> = set
        .expansions()
        .iter()
        .map(|t| {
            json!({
                "name": t.name,
                "applyTo": t.apply_to.iter().map(|g| format!("{} {}", g.api_version(), g.kind)).collect::<Vec<_>>(),
                "generates": format!("{} {}", t.generated.api_version(), t.generated.kind),
                "source": t.template_source,
                "action": t.enforcement_action.map(|a| a.as_str()),
                "file": file_of("ExpansionTemplate", &t.name),
            })
        })
        .collect();
    let configs: Vec<Value> = set
        .configs()
        .iter()
        .map(|c| {
            json!({
                "name": c.name,
                "exempt": c.exemptions.iter().map(|e| json!({
                    "namespaces": e.namespaces.iter().map(|w| w.0.clone()).collect::<Vec<_>>(),
                    "processes": e.processes,
                })).collect::<Vec<_>>(),
                "syncOnly": c.sync_only.as_ref().map(|l| l.iter().map(|g| format!("{} {}", g.api_version(), g.kind)).collect::<Vec<_>>()),
                "file": file_of("Config", &c.name),
            })
        })
        .collect();
    let admission_policies: Vec<Value> = set
        .objects()
        .filter(|o| {
            o.value
                .get("apiVersion")
                .and_then(Value::as_str)
                .is_some_and(|v| v.starts_with("admissionregistration.k8s.io/"))
        })
        .map(|o| json!({"object": guardrail_engine::object::describe(o.value), "file": o.name}))
        .collect();
    let cluster: Vec<Value> = loaded
        .sources
        .cluster
        .iter()
        .map(|(file, v)| json!({"object": guardrail_engine::object::describe(v), "file": file}))
        .collect();
    match args.output {
        ListOutput::Json => {
            let all = json!({
                "templates": templates, "constraints": constraints, "mutators": mutators,
                "expansionTemplates": expansions, "configs": configs,
                "admissionPolicies": admission_policies, "cluster": cluster,
                "skipped": loaded.sources.skipped, "notes": set.notes(),
            });
            println!("{}", serde_json::to_string_pretty(&all).context("cannot print JSON")?);
        }
        ListOutput::Text => {
            let section = |title: &str, items: &[Value], line: &dyn Fn(&Value) -> String| {
                println!("{title} ({})", items.len());
                for i in items {
                    println!("  {}", line(i));
                }
            };
            let s = |v: &Value, k: &str| v[k].as_str().unwrap_or("").to_string();
            section("ConstraintTemplates", &templates, &|t| {
                let engine = match (s(t, "engine").as_str(), t["rego"] == json!(true)) {
                    ("K8sNativeValidation", true) => "  judged by CEL (its Rego is not evaluated)",
                    ("K8sNativeValidation", false) => "  judged by CEL",
                    ("none", _) => "  [no code: not evaluated]",
                    _ => "",
                };
                format!("{}  ({}){engine}", s(t, "kind"), s(t, "file"))
            });
            section("Constraints", &constraints, &|c| {
                format!(
                    "{}/{}  {}  on {}  ({})",
                    s(c, "kind"),
                    s(c, "name"),
                    s(c, "action"),
                    s(c, "match"),
                    s(c, "file")
                )
            });
            section("Mutators", &mutators, &|m| {
                format!("{}  {}  on {}  ({})", s(m, "id"), s(m, "location"), s(m, "match"), s(m, "file"))
            });
            section("ExpansionTemplates", &expansions, &|t| {
                let kinds: Vec<String> = t["applyTo"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|k| k.as_str().map(str::to_string))
                    .collect();
                format!(
                    "{}  {} -> {} from {}  ({})",
                    s(t, "name"),
                    kinds.join(", "),
                    s(t, "generates"),
                    s(t, "source"),
                    s(t, "file")
                )
            });
            section("Admission policies", &admission_policies, &|o| format!("{}  ({})", s(o, "object"), s(o, "file")));
            section("Config", &configs, &|c| format!("{}  ({})", s(c, "name"), s(c, "file")));
            section("Cluster state", &cluster, &|o| format!("{}  ({})", s(o, "object"), s(o, "file")));
            let skipped = loaded.sources.skipped_summary();
            println!("Skipped: {}", if skipped.is_empty() { "nothing" } else { &skipped });
            for n in set.notes() {
                println!("Note: {n}");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
