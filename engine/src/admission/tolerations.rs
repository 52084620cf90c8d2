//! The `DefaultTolerationSeconds` admission plugin: a Pod created without a NoExecute toleration of
//! `node.kubernetes.io/not-ready` (or `unreachable`) gets one for 300 seconds, so it is evicted five minutes after
//! its node goes away rather than at once.

use serde_json::{Value, json};

use super::decision::StageReport;

const TAINTS: &[&str] = &["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"];

/// Mutates a Pod on CREATE. A toleration with the taint's key (or no key) and effect NoExecute (or no effect)
/// already tolerates it.
pub fn admit(pod: &mut Value, report: &mut StageReport) {
    let Some(spec) = pod.get_mut("spec").and_then(Value::as_object_mut) else { return };
    let list = crate::object::field_or(spec, "tolerations", json!([]));
    let Some(list) = list.as_array_mut() else { return };
    // A list the plugin makes is one field it set; items it appends to the Pod's own list are each one.
    let was_empty = list.is_empty();
    for taint in TAINTS {
        let tolerated = list.iter().any(|t| {
            let key = t.get("key").and_then(Value::as_str).unwrap_or("");
            let effect = t.get("effect").and_then(Value::as_str).unwrap_or("");
            (key == *taint || key.is_empty()) && (effect == "NoExecute" || effect.is_empty())
        });
        if !tolerated {
            list.push(json!({"key": taint, "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}));
            let at = format!("/spec/tolerations/{}", list.len() - 1);
            if !was_empty || report.changed.is_empty() {
                report.changed.push(if was_empty { "/spec/tolerations".to_string() } else { at });
            }
            report.said.push(format!("tolerate {taint} for 300 s"));
        }
    }
    if list.is_empty() {
        spec.remove("tolerations");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_tolerations_are_added_unless_the_pod_tolerates_the_taint() {
        let mut r = StageReport::new(super::super::Stage::DefaultTolerationSeconds);
        let mut p = json!({"spec": {"containers": []}});
        admit(&mut p, &mut r);
        assert_eq!(
            p["spec"]["tolerations"],
            json!([
                {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
                {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}
            ])
        );
        let mut p = json!({"spec": {"tolerations": [{"key": "node.kubernetes.io/unreachable", "operator": "Exists",
            "effect": "NoExecute", "tolerationSeconds": 60}]}});
        admit(&mut p, &mut r);
        let list = p["spec"]["tolerations"].as_array().unwrap();
        assert_eq!(
            (list.len(), &list[0]["tolerationSeconds"], &list[1]["key"]),
            (2, &json!(60), &json!("node.kubernetes.io/not-ready"))
        );
        // An operator-Exists toleration of every taint tolerates both.
        let mut p = json!({"spec": {"tolerations": [{"operator": "Exists"}]}});
        admit(&mut p, &mut r);
        assert_eq!(p["spec"]["tolerations"].as_array().unwrap().len(), 1);
    }
}
