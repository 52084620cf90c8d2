//! The `Priority` admission plugin: a Pod created with a `priorityClassName` gets that class's value as
//! `spec.priority` (and its preemption policy); a Pod naming none gets the `globalDefault: true` class (the
//! lowest-valued one if several claim it), or priority 0. A class that does not exist refuses the Pod.

use serde_json::{Value, json};

use super::ClusterState;
use super::decision::StageReport;

/// The classes every cluster has without anyone creating them.
const SYSTEM: &[(&str, i64)] = &[("system-node-critical", 2_000_001_000), ("system-cluster-critical", 2_000_000_000)];

/// A class: name, value, preemption policy.
struct Class<'a> {
    name: &'a str,
    value: i64,
    preemption: &'a str,
}

fn class(v: &Value) -> Option<Class<'_>> {
    Some(Class {
        name: v.get("metadata")?.get("name")?.as_str()?,
        value: v.get("value")?.as_i64()?,
        preemption: v.get("preemptionPolicy").and_then(Value::as_str).unwrap_or("PreemptLowerPriority"),
    })
}

/// Mutates a Pod on CREATE; `Err` is the refusal (`no PriorityClass with name x was found`), without the
/// `pods "name" is forbidden: ` the chain puts before it. A class the cluster state does not hold is refused only
/// when the state holds PriorityClasses at all: a site that lists none has simply not described them, and then
/// the class is taken to exist, its value unknown (the Pod's priority is left unset, and said so).
pub fn admit(pod: &mut Value, cluster: &ClusterState, report: &mut StageReport) -> Result<(), String> {
    let Some(spec) = pod.get_mut("spec").and_then(Value::as_object_mut) else { return Ok(()) };
    let named = spec.get("priorityClassName").and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_string);
    let classes: Vec<Class<'_>> = cluster.priority_classes.iter().filter_map(class).collect();
    let (name, value, preemption) = match &named {
        None => {
            let default = cluster
                .priority_classes
                .iter()
                .filter(|c| c.get("globalDefault").and_then(Value::as_bool) == Some(true))
                .filter_map(class)
                .min_by_key(|c| c.value);
            match default {
                Some(c) => (Some(c.name.to_string()), c.value, c.preemption.to_string()),
                None => (None, 0, "PreemptLowerPriority".to_string()),
            }
        }
        Some(n) => match classes.iter().find(|c| c.name == n) {
            Some(c) => (None, c.value, c.preemption.to_string()),
            None => match SYSTEM.iter().find(|(s, _)| s == n) {
                Some((_, v)) => (None, *v, "PreemptLowerPriority".to_string()),
                None if classes.is_empty() => {
                    report.said.push(format!(
                        "PriorityClass {n} is not in the cluster state: its value is not known, so spec.priority is left unset"
                    ));
                    return Ok(());
                }
                None => return Err(format!("no PriorityClass with name {n} was found")),
            },
        },
    };
    if let Some(given) = spec.get("priority").and_then(Value::as_i64) {
        if given != value {
            return Err(format!(
                "the integer value of priority ({given}) must not be provided in pod spec; priority admission controller computed {value} from the given PriorityClass name"
            ));
        }
    }
    if let Some(given) = spec.get("preemptionPolicy").and_then(Value::as_str) {
        if given != preemption {
            return Err(format!(
                "the string value of PreemptionPolicy ({given}) must not be provided in pod spec; priority admission controller computed {preemption} from the given PriorityClass name"
            ));
        }
    }
    if let Some(default) = name {
        spec.insert("priorityClassName".into(), json!(default));
        report.changed.push("/spec/priorityClassName".into());
        report.said.push(format!("set priorityClassName: {default} (the globalDefault class)"));
    }
    if spec.get("priority").is_none_or(Value::is_null) {
        spec.insert("priority".into(), json!(value));
        report.changed.push("/spec/priority".into());
        report.said.push(format!(
            "set priority: {value}{}",
            named.as_deref().map(|n| format!(" (PriorityClass {n})")).unwrap_or_default()
        ));
    }
    if spec.get("preemptionPolicy").is_none_or(Value::is_null) {
        spec.insert("preemptionPolicy".into(), json!(preemption));
        report.changed.push("/spec/preemptionPolicy".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> StageReport {
        StageReport::new(super::super::Stage::Priority)
    }

    fn pc(name: &str, value: i64, global: bool) -> Value {
        json!({"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass", "metadata": {"name": name},
            "value": value, "globalDefault": global})
    }

    fn pod(spec: Value) -> Value {
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"}, "spec": spec})
    }

    #[test]
    fn the_global_default_class_names_the_pod_and_its_priority() {
        let state = ClusterState::new([pc("tenant-low", 100, true), pc("tenant-high", 300, false)].iter());
        let mut p = pod(json!({"containers": []}));
        admit(&mut p, &state, &mut report()).unwrap();
        assert_eq!((&p["spec"]["priorityClassName"], &p["spec"]["priority"]), (&json!("tenant-low"), &json!(100)));
        assert_eq!(p["spec"]["preemptionPolicy"], "PreemptLowerPriority");
        let mut p = pod(json!({"priorityClassName": "tenant-high"}));
        admit(&mut p, &state, &mut report()).unwrap();
        assert_eq!(p["spec"]["priority"], 300);
        let mut p = pod(json!({"priorityClassName": "system-node-critical"}));
        admit(&mut p, &state, &mut report()).unwrap();
        assert_eq!(p["spec"]["priority"], 2_000_001_000);
    }

    #[test]
    fn no_default_class_means_priority_zero_and_unknown_classes_are_refused() {
        let mut p = pod(json!({}));
        admit(&mut p, &ClusterState::default(), &mut report()).unwrap();
        assert_eq!(p["spec"]["priority"], 0);
        assert!(p["spec"].get("priorityClassName").is_none());
        let state = ClusterState::new([pc("tenant-low", 100, false)].iter());
        let e = admit(&mut pod(json!({"priorityClassName": "gold"})), &state, &mut report()).unwrap_err();
        assert_eq!(e, "no PriorityClass with name gold was found");
        // A cluster state without classes has not described them: the class is taken to exist.
        let mut p = pod(json!({"priorityClassName": "gold"}));
        let mut r = report();
        admit(&mut p, &ClusterState::default(), &mut r).unwrap();
        assert!(p["spec"].get("priority").is_none() && r.said[0].contains("not in the cluster state"));
        let e = admit(&mut pod(json!({"priorityClassName": "tenant-low", "priority": 5})), &state, &mut report())
            .unwrap_err();
        assert_eq!(
            e,
            "the integer value of priority (5) must not be provided in pod spec; priority admission controller computed 100 from the given PriorityClass name"
        );
    }
}
