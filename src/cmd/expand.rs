//! `guardrail expand`: what workloads lead to, like `gator expand`. Every object an ExpansionTemplate makes of
//! an input (after mutation, recursively), and, for a built-in workload no template covers, what its controller
//! would create (a Deployment's ReplicaSet and that ReplicaSet's Pod), each after mutation.

use std::process::ExitCode;

use anyhow::{Context, Result};
use guardrail_engine::policy::{Child, PolicyObject, PolicySet, Request};
use serde_json::{Value, json};

use crate::cli::{ExpandArgs, ExpandOutput};
use crate::cmd::admit::{Input, read_inputs};

/// One object an input leads to.
struct Made<'a> {
    /// `Kind namespace/name` of the object it was made from.
    parent: String,
    child: &'a Child,
}

pub(crate) fn run(args: &ExpandArgs) -> Result<ExitCode> {
    let inputs = read_inputs(&args.files)?;
    let (policy_inputs, generators): (Vec<&Input>, Vec<&Input>) =
        inputs.iter().partition(|i| PolicySet::is_policy_object(&i.object));
    let extra: Vec<PolicyObject<'_>> =
        policy_inputs.iter().map(|i| PolicyObject { name: &i.source, value: &i.object }).collect();
    let loaded = guardrail_site::policies::load_with(&args.policies, &extra)?;
    let mut set = loaded.set;
    set.set_cluster(loaded.sources.cluster).map_err(|e| anyhow::anyhow!("the cluster state cannot be used: {e}"))?;
    set.set_api_server(args.api_server.api_server(&args.kubernetes_version)?);
    let request = Request { namespace: Some(args.namespace.clone()).filter(|n| !n.is_empty()), ..Request::default() };
    let mut decisions = Vec::new();
    for input in &generators {
        let d = set.admit(&input.object, &request).map_err(|e| anyhow::anyhow!("{}: {e}", input.source))?;
        decisions.push((input, d));
    }
    let made: Vec<Made<'_>> = decisions
        .iter()
        .flat_map(|(_, d)| d.descendants())
        .map(|(parent, child)| Made { parent: guardrail_engine::object::describe(parent), child })
        .collect();
    match args.output {
        ExpandOutput::Yaml => {
            let docs: Vec<String> = made
                .iter()
                .map(|m| {
                    format!(
                        "# from {}, {}\n{}",
                        m.parent,
                        m.child.origin,
                        guardrail_engine::yaml::to_yaml(&m.child.decision.object)
                    )
                })
                .collect();
            print!("{}", docs.join("---\n"));
        }
        ExpandOutput::Json => {
            let objects: Vec<Value> = made
                .iter()
                .map(|m| {
                    let origin = match &m.child.origin {
                        guardrail_engine::policy::Origin::Created { controller } => json!({"created": controller}),
                        guardrail_engine::policy::Origin::Expanded { template } => json!({"expanded": template}),
                    };
                    json!({"parent": m.parent, "origin": origin, "object": m.child.decision.object})
                })
                .collect();
            println!("{}", serde_json::to_string_pretty(&json!({"objects": objects})).context("cannot print JSON")?);
        }
    }
    if made.is_empty() {
        eprintln!("nothing to expand: no input is a workload an ExpansionTemplate or a built-in controller expands");
    }
    Ok(ExitCode::SUCCESS)
}
