//! The `DefaultIngressClass` admission plugin: an Ingress created with neither `spec.ingressClassName` nor the
//! old `kubernetes.io/ingress.class` annotation gets the IngressClass annotated
//! `ingressclass.kubernetes.io/is-default-class: "true"` (the newest, when several are).

use serde_json::{Value, json};

use super::ClusterState;
use super::decision::StageReport;
use crate::object;

/// Mutates an Ingress on CREATE.
pub fn admit(ingress: &mut Value, cluster: &ClusterState, report: &mut StageReport) {
    if ingress.pointer("/metadata/annotations/kubernetes.io~1ingress.class").is_some() {
        return;
    }
    let mut defaults: Vec<&Value> = cluster
        .ingress_classes
        .iter()
        .filter(|c| {
            c.pointer("/metadata/annotations/ingressclass.kubernetes.io~1is-default-class").and_then(Value::as_str)
                == Some("true")
        })
        .collect();
    // The newest first (RFC 3339 timestamps in whole seconds, as the API server writes them, sort as text), then
    // by name.
    defaults.sort_by(|a, b| {
        object::meta_str(b, "creationTimestamp")
            .cmp(object::meta_str(a, "creationTimestamp"))
            .then_with(|| object::meta_str(a, "name").cmp(object::meta_str(b, "name")))
    });
    let Some(class) = defaults.first().map(|c| object::meta_str(c, "name").to_string()) else { return };
    let Some(map) = ingress.as_object_mut() else { return };
    let spec = crate::object::field_or(map, "spec", json!({}));
    let Some(spec) = spec.as_object_mut() else { return };
    if spec.get("ingressClassName").is_some_and(|v| !v.is_null()) {
        return;
    }
    spec.insert("ingressClassName".into(), json!(class));
    report.changed.push("/spec/ingressClassName".into());
    report.said.push(format!("set ingressClassName: {class} (the default IngressClass)"));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ingress_without_a_class_gets_the_default_one() {
        let class = |name: &str, default: bool| {
            json!({"apiVersion": "networking.k8s.io/v1", "kind": "IngressClass", "metadata": {"name": name,
                "annotations": {"ingressclass.kubernetes.io/is-default-class": if default { "true" } else { "false" }}}})
        };
        let state = ClusterState::new([class("internal", false), class("nginx", true)].iter());
        let mut r = StageReport::new(super::super::Stage::DefaultIngressClass);
        let mut ing =
            json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "web"}, "spec": {}});
        admit(&mut ing, &state, &mut r);
        assert_eq!(ing["spec"]["ingressClassName"], "nginx");
        let mut named = json!({"metadata": {"name": "web"}, "spec": {"ingressClassName": "internal"}});
        admit(&mut named, &state, &mut r);
        assert_eq!(named["spec"]["ingressClassName"], "internal");
        let mut annotated =
            json!({"metadata": {"name": "web", "annotations": {"kubernetes.io/ingress.class": "x"}}, "spec": {}});
        admit(&mut annotated, &state, &mut r);
        assert!(annotated["spec"].get("ingressClassName").is_none());
        // Of several defaults, the newest.
        let dated = |name: &str, at: &str| {
            let mut c = class(name, true);
            c["metadata"]["creationTimestamp"] = json!(at);
            c
        };
        let two =
            ClusterState::new([dated("old", "2024-01-01T00:00:00Z"), dated("new", "2025-06-01T00:00:00Z")].iter());
        let mut ing2 = json!({"metadata": {"name": "web"}, "spec": {}});
        admit(&mut ing2, &two, &mut r);
        assert_eq!(ing2["spec"]["ingressClassName"], "new");
        let mut none = json!({"metadata": {"name": "web"}, "spec": {}});
        admit(&mut none, &ClusterState::default(), &mut r);
        assert!(none["spec"].get("ingressClassName").is_none());
    }
}
