//! The registry's validation of the object after mutating admission: what decoding lets through but the object
//! may not lack (a required field). A Pod with no containers that a mutator gives one is valid; one that is still
//! without is refused here, in the API server's words: `Pod "web" is invalid: spec.containers: Required value`.

use serde_json::Value;

use super::{ApiServer, ClusterState};
use crate::object::{self, Gvk};
use crate::schema::Check;

/// The refusal, when the object is invalid. `written`, when given, says the object lacked nothing required
/// before admission and holds what admission wrote (JSON pointers): only those parts are looked at again.
pub fn validate(api: &ApiServer, cluster: &ClusterState, object: &Value, written: Option<&[&str]>) -> Option<String> {
    let schemas = api.schemas;
    let errors = match written {
        Some(at) => schemas.check_at(object, at),
        None => match schemas.decode(&cluster.custom, object) {
            Check::Checked(errors) => errors,
            _ => return None,
        },
    };
    let errors: Vec<String> = errors.into_iter().filter(|e| e.after_admission).map(|e| e.message).collect();
    invalid(object, &errors)
}

/// Several errors as Kubernetes aggregates them: the one alone, else `[a, b]`; `None` for none.
pub(crate) fn aggregate(errors: &[String]) -> Option<String> {
    match errors {
        [] => None,
        [one] => Some(one.clone()),
        many => Some(format!("[{}]", many.join(", "))),
    }
}

/// The API server's refusal of an invalid object, `Pod "web" is invalid: <errors>` (the kind qualified by its
/// group: `Deployment.apps`); `None` when there are no errors.
pub(crate) fn invalid(object: &Value, errors: &[String]) -> Option<String> {
    let gvk = Gvk::of(object);
    let kind = if gvk.group.is_empty() { gvk.kind.clone() } else { format!("{}.{}", gvk.kind, gvk.group) };
    aggregate(errors).map(|list| format!("{kind} \"{}\" is invalid: {list}", object::meta_str(object, "name")))
}

/// Whether objects of this kind have fields an UPDATE may not change (what [`validate_update`] checks).
pub fn has_immutable_fields(gvk: &Gvk) -> bool {
    matches!(
        (gvk.group.as_str(), gvk.kind.as_str()),
        ("", "Pod") | ("apps", "Deployment" | "ReplicaSet" | "StatefulSet" | "DaemonSet") | ("batch", "Job")
    )
}

/// The fields an UPDATE may not change, compared between the object as stored before (`old`, defaulted and
/// admitted as it was created) and after admission: a Pod's spec but its images, `activeDeadlineSeconds`,
/// added tolerations and `terminationGracePeriodSeconds`; the selector of a Deployment, ReplicaSet, StatefulSet,
/// DaemonSet or Job; a Job's template. The refusal in the API server's words (its diff of the spec left out).
pub fn validate_update(object: &Value, old: &Value) -> Option<String> {
    let gvk = Gvk::of(object);
    let invalid = |what: String| invalid(object, &[what]);
    let at = |v: &Value, p: &str| crate::object::at(v, p).cloned().unwrap_or(Value::Null);
    match (gvk.group.as_str(), gvk.kind.as_str()) {
        ("", "Pod") => {
            let (mut new_spec, mut old_spec) = (at(object, "/spec"), at(old, "/spec"));
            for spec in [&mut new_spec, &mut old_spec] {
                mutable_pod_fields_cleared(spec);
            }
            let old_tolerations = at(old, "/spec/tolerations");
            let new_tolerations = at(object, "/spec/tolerations");
            let kept = old_tolerations
                .as_array()
                .is_none_or(|list| list.iter().all(|t| new_tolerations.as_array().is_some_and(|n| n.contains(t))));
            if new_spec != old_spec || !kept {
                return invalid(
                    "spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)".into(),
                );
            }
            None
        }
        ("apps", "StatefulSet") => {
            // Only these may change; the rest of the spec is fixed at creation.
            let fixed = |v: &Value| {
                let mut spec = at(v, "/spec");
                if let Some(map) = spec.as_object_mut() {
                    for field in [
                        "replicas",
                        "ordinals",
                        "template",
                        "updateStrategy",
                        "persistentVolumeClaimRetentionPolicy",
                        "minReadySeconds",
                    ] {
                        map.remove(field);
                    }
                }
                spec
            };
            if fixed(object) != fixed(old) {
                return invalid("spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden".into());
            }
            None
        }
        ("apps", "Deployment" | "ReplicaSet" | "DaemonSet") | ("batch", "Job") => {
            let mut immutable = vec!["selector"];
            if gvk.kind == "Job" {
                immutable.push("template");
            }
            let changed: Vec<String> = immutable
                .into_iter()
                .filter(|f| at(object, &format!("/spec/{f}")) != at(old, &format!("/spec/{f}")))
                .map(|f| format!("spec.{f}: Invalid value: {}: field is immutable", at(object, &format!("/spec/{f}"))))
                .collect();
            self::invalid(object, &changed)
        }
        _ => None,
    }
}

/// Clears what a Pod UPDATE may change, so that what is left must be equal.
fn mutable_pod_fields_cleared(spec: &mut Value) {
    let Some(map) = spec.as_object_mut() else { return };
    for field in ["activeDeadlineSeconds", "tolerations", "terminationGracePeriodSeconds"] {
        map.remove(field);
    }
    for list in ["containers", "initContainers"] {
        for c in map.get_mut(list).and_then(Value::as_array_mut).into_iter().flatten() {
            if let Some(c) = c.as_object_mut() {
                c.remove("image");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_pod_update_may_change_images_only() {
        let old = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"},
            "spec": {"containers": [{"name": "app", "image": "nginx:1.26"}], "tolerations": [{"key": "a", "operator": "Exists"}]}});
        let mut new = old.clone();
        new["spec"]["containers"][0]["image"] = json!("nginx:1.27");
        new["spec"]["tolerations"].as_array_mut().unwrap().push(json!({"key": "b", "operator": "Exists"}));
        assert_eq!(validate_update(&new, &old), None);
        new["spec"]["hostNetwork"] = json!(true);
        let e = validate_update(&new, &old).unwrap();
        assert!(
            e.starts_with("Pod \"web\" is invalid: spec: Forbidden: pod updates may not change fields other than"),
            "{e}"
        );
        let mut dropped = old.clone();
        dropped["spec"]["tolerations"] = json!([]);
        assert!(validate_update(&dropped, &old).is_some(), "tolerations may only be added");
    }

    #[test]
    fn a_selector_is_immutable() {
        let old = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
            "spec": {"selector": {"matchLabels": {"app": "web"}}, "replicas": 1}});
        let mut new = old.clone();
        new["spec"]["replicas"] = json!(3);
        assert_eq!(validate_update(&new, &old), None);
        new["spec"]["selector"]["matchLabels"]["app"] = json!("api");
        assert_eq!(
            validate_update(&new, &old).unwrap(),
            "Deployment.apps \"web\" is invalid: spec.selector: Invalid value: {\"matchLabels\":{\"app\":\"api\"}}: field is immutable"
        );
    }
}
