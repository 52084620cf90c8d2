//! The `LimitRanger` admission plugin. Mutating: a container created without a request or limit for a resource
//! gets the `defaultRequest` / `default` of its namespace's LimitRanges (`type: Container`), and the Pod the
//! `kubernetes.io/limit-ranger` annotation saying so. Validating: every container's requests and limits within
//! `min`, `max` and `maxLimitRequestRatio`.

use serde_json::{Map, Value, json};

use super::ClusterState;
use super::decision::StageReport;
use crate::object;

const ANNOTATION: &str = "kubernetes.io/limit-ranger";

/// One `type: Container` item of a LimitRange, as the API server stores it (its own defaulting applied: `default`
/// from `max`, `defaultRequest` from `default`, then from `min`).
struct Item {
    default: Map<String, Value>,
    default_request: Map<String, Value>,
    min: Map<String, Value>,
    max: Map<String, Value>,
    ratio: Map<String, Value>,
}

fn resources(v: &Value, key: &str) -> Map<String, Value> {
    v.get(key).and_then(Value::as_object).cloned().unwrap_or_default()
}

/// The `type: Container` items of each LimitRange of `namespace`, the ranges by name.
fn ranges(cluster: &ClusterState, namespace: &str) -> Vec<Vec<Item>> {
    let mut ranges: Vec<&Value> = cluster.limit_ranges_in(namespace).collect();
    ranges.sort_by(|a, b| object::meta_str(a, "name").cmp(object::meta_str(b, "name")));
    ranges
        .into_iter()
        .map(|range| {
            range
                .pointer("/spec/limits")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter(|item| item.get("type").and_then(Value::as_str) == Some("Container"))
                .map(|item| {
                    let mut it = Item {
                        default: resources(item, "default"),
                        default_request: resources(item, "defaultRequest"),
                        min: resources(item, "min"),
                        max: resources(item, "max"),
                        ratio: resources(item, "maxLimitRequestRatio"),
                    };
                    for (k, v) in &it.max {
                        it.default.entry(k.clone()).or_insert_with(|| v.clone());
                    }
                    for (k, v) in it.default.iter().chain(&it.min) {
                        it.default_request.entry(k.clone()).or_insert_with(|| v.clone());
                    }
                    it
                })
                .collect()
        })
        .collect()
}

fn items(cluster: &ClusterState, namespace: &str) -> Vec<Item> {
    ranges(cluster, namespace).into_iter().flatten().collect()
}

/// Mutates a Pod on CREATE with the LimitRanges of `namespace`, one after the other as the plugin does: each
/// range's defaults (its items', a later item's winning) go where the container has none, and the Pod's
/// annotation says what the last range that set anything set.
pub fn admit(pod: &mut Value, namespace: &str, cluster: &ClusterState, report: &mut StageReport) {
    for range in ranges(cluster, namespace) {
        let (mut limits, mut requests) = (Map::new(), Map::new());
        for item in &range {
            limits.extend(item.default.iter().map(|(k, v)| (k.clone(), v.clone())));
            requests.extend(item.default_request.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        if limits.is_empty() && requests.is_empty() {
            continue;
        }
        let said = apply_range(pod, &limits, &requests, report);
        if said.is_empty() {
            continue;
        }
        let annotation = format!("LimitRanger plugin set: {}", said.join("; "));
        report.said.extend(said);
        if let Some(map) = pod.as_object_mut() {
            let meta = crate::object::field_or(map, "metadata", json!({}));
            if let Some(meta) = meta.as_object_mut() {
                let annotations = crate::object::field_or(meta, "annotations", json!({}));
                if let Some(a) = annotations.as_object_mut() {
                    a.insert(ANNOTATION.into(), json!(annotation));
                    let pointer = format!("/metadata/annotations/{}", object::escape_key(ANNOTATION));
                    if !report.changed.contains(&pointer) {
                        report.changed.push(pointer);
                    }
                }
            }
        }
    }
}

/// One range's defaults over the containers, then the init containers: what it set, in the plugin's words
/// (requests before limits for each container).
fn apply_range(
    pod: &mut Value,
    limits: &Map<String, Value>,
    requests: &Map<String, Value>,
    report: &mut StageReport,
) -> Vec<String> {
    let mut said = Vec::new();
    let Some(spec) = pod.get_mut("spec").and_then(Value::as_object_mut) else { return said };
    for (list, prefix) in [("containers", "container"), ("initContainers", "init container")] {
        let Some(containers) = spec.get_mut(list).and_then(Value::as_array_mut) else { continue };
        for (i, c) in containers.iter_mut().enumerate() {
            let name = c.get("name").and_then(Value::as_str).unwrap_or("").to_string();
            let Some(c) = c.as_object_mut() else { continue };
            let had_resources = c.get("resources").is_some_and(|r| !r.is_null());
            let res = crate::object::field_or(c, "resources", json!({}));
            let Some(res) = res.as_object_mut() else { continue };
            let mut this = Vec::new();
            for (field, defaults, what) in [("requests", requests, "request"), ("limits", limits, "limit")] {
                let had = res.get(field).is_some_and(|r| !r.is_null());
                let target = crate::object::field_or(res, field, json!({}));
                let Some(target) = target.as_object_mut() else { continue };
                let mut set: Vec<&str> = Vec::new();
                for (k, v) in defaults {
                    if !target.contains_key(k) {
                        target.insert(k.clone(), v.clone());
                        report.changed.push(format!("/spec/{list}/{i}/resources/{field}/{}", object::escape_key(k)));
                        set.push(k);
                    }
                }
                // A map made here and left empty goes; one the writer wrote stays.
                if target.is_empty() && !had {
                    res.shift_remove(field);
                }
                if !set.is_empty() {
                    set.sort_unstable();
                    this.push(format!("{} {what} for {prefix} {name}", set.join(", ")));
                }
            }
            said.extend(this);
            if res.is_empty() && !had_resources {
                c.shift_remove("resources");
            }
        }
    }
    said
}

/// Validates a Pod on CREATE: `Err` is the refusal, without the `pods "name" is forbidden: ` the chain puts
/// before it (several problems as `[a, b]`, as Kubernetes aggregates errors).
pub fn validate(pod: &Value, namespace: &str, cluster: &ClusterState) -> Result<(), String> {
    let items = items(cluster, namespace);
    let mut errors = Vec::new();
    for list in ["initContainers", "containers"] {
        for c in pod.pointer(&format!("/spec/{list}")).and_then(Value::as_array).into_iter().flatten() {
            let requests = c.pointer("/resources/requests").and_then(Value::as_object);
            let limits = c.pointer("/resources/limits").and_then(Value::as_object);
            let get = |m: Option<&Map<String, Value>>, k: &str| m.and_then(|m| m.get(k)).map(|v| (text(v), amount(v)));
            for item in &items {
                for (k, min) in &item.min {
                    let (req, lim, floor) = (get(requests, k), get(limits, k), amount(min));
                    match req {
                        None => errors.push(format!(
                            "minimum {k} usage per Container is {}.  No request is specified",
                            text(min)
                        )),
                        Some((r, Some(rv))) if floor.is_some_and(|f| rv < f) => {
                            errors.push(format!("minimum {k} usage per Container is {}, but request is {r}", text(min)))
                        }
                        _ => match lim {
                            Some((l, Some(lv))) if floor.is_some_and(|f| lv < f) => errors
                                .push(format!("minimum {k} usage per Container is {}, but limit is {l}", text(min))),
                            _ => {}
                        },
                    }
                }
                for (k, max) in &item.max {
                    let (req, lim, ceiling) = (get(requests, k), get(limits, k), amount(max));
                    match lim {
                        None => errors
                            .push(format!("maximum {k} usage per Container is {}.  No limit is specified", text(max))),
                        Some((l, Some(lv))) if ceiling.is_some_and(|c| lv > c) => {
                            errors.push(format!("maximum {k} usage per Container is {}, but limit is {l}", text(max)))
                        }
                        _ => match req {
                            Some((r, Some(rv))) if ceiling.is_some_and(|c| rv > c) => errors
                                .push(format!("maximum {k} usage per Container is {}, but request is {r}", text(max))),
                            _ => {}
                        },
                    }
                }
                for (k, ratio) in &item.ratio {
                    let (req, lim) = (get(requests, k), get(limits, k));
                    match (req.and_then(|r| r.1).filter(|v| *v != 0.0), lim.and_then(|l| l.1).filter(|v| *v != 0.0)) {
                        (None, _) => errors.push(format!(
                            "{k} max limit to request ratio per Container is {}, but no request is specified or request is 0",
                            text(ratio)
                        )),
                        (_, None) => errors.push(format!(
                            "{k} max limit to request ratio per Container is {}, but no limit is specified or limit is 0",
                            text(ratio)
                        )),
                        (Some(r), Some(l)) if amount(ratio).is_some_and(|max| l / r > max) => errors.push(format!(
                            "{k} max limit to request ratio per Container is {}, but provided ratio is {:.6}",
                            text(ratio),
                            l / r
                        )),
                        _ => {}
                    }
                }
            }
        }
    }
    super::validation::aggregate(&errors).map_or(Ok(()), Err)
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A quantity's value in its base unit (`500m` → 0.5, `1Gi` → 1073741824); `None` when it is not one.
pub fn amount(v: &Value) -> Option<f64> {
    let s = match v {
        Value::Number(n) => return n.as_f64(),
        Value::String(s) => s.trim(),
        _ => return None,
    };
    let split = s.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '+' || c == '-')).unwrap_or(s.len());
    let (number, suffix) = s.split_at(split);
    let number: f64 = number.parse().ok()?;
    let factor = match suffix {
        "" => 1.0,
        "n" => 1e-9,
        "u" => 1e-6,
        "m" => 1e-3,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "E" => 1e18,
        "Ki" => 1024.0,
        "Mi" => 1024f64.powi(2),
        "Gi" => 1024f64.powi(3),
        "Ti" => 1024f64.powi(4),
        "Pi" => 1024f64.powi(5),
        "Ei" => 1024f64.powi(6),
        e if e.starts_with(['e', 'E']) => 10f64.powi(e[1..].parse().ok()?),
        _ => return None,
    };
    Some(number * factor)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// XKS's tenant LimitRange, as its scheduling guide describes it.
    fn xks() -> ClusterState {
        let lr = json!({"apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": "default", "namespace": "team"},
            "spec": {"limits": [{"type": "Container", "defaultRequest": {"cpu": "50m", "memory": "32Mi"},
                "default": {"memory": "256Mi"}}]}});
        ClusterState::new([lr].iter())
    }

    fn report() -> StageReport {
        StageReport::new(super::super::Stage::LimitRanger)
    }

    #[test]
    fn containers_without_resources_get_the_namespace_defaults_and_the_pod_says_so() {
        let mut p = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"}, "spec": {
            "containers": [{"name": "app", "image": "x"}, {"name": "own", "image": "y",
                "resources": {"requests": {"cpu": "1"}, "limits": {"memory": "1Gi"}}}]}});
        let mut r = report();
        admit(&mut p, "team", &xks(), &mut r);
        assert_eq!(
            p["spec"]["containers"][0]["resources"],
            json!({"limits": {"memory": "256Mi"}, "requests": {"cpu": "50m", "memory": "32Mi"}})
        );
        assert_eq!(
            p["spec"]["containers"][1]["resources"],
            json!({"requests": {"cpu": "1", "memory": "32Mi"}, "limits": {"memory": "1Gi"}})
        );
        assert_eq!(
            p["metadata"]["annotations"][ANNOTATION],
            "LimitRanger plugin set: cpu, memory request for container app; memory limit for container app; memory request for container own"
        );
        // Another namespace has no LimitRange: nothing changes.
        let mut q = json!({"spec": {"containers": [{"name": "app", "image": "x"}]}});
        admit(&mut q, "other", &xks(), &mut report());
        assert_eq!(q, json!({"spec": {"containers": [{"name": "app", "image": "x"}]}}));
    }

    #[test]
    fn a_maximum_is_the_default_limit_and_the_request_and_a_later_item_wins() {
        let lr = json!({"apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": "caps", "namespace": "ns"},
            "spec": {"limits": [{"type": "Container", "max": {"cpu": "2"}, "defaultRequest": {"memory": "64Mi"}},
                {"type": "Container", "defaultRequest": {"memory": "128Mi"}}]}});
        let state = ClusterState::new([lr].iter());
        let mut p = json!({"spec": {"containers": [{"name": "app", "image": "x"}], "initContainers": [{"name": "init", "image": "y"}]}});
        admit(&mut p, "ns", &state, &mut report());
        assert_eq!(
            p["spec"]["containers"][0]["resources"],
            json!({"requests": {"memory": "128Mi", "cpu": "2"}, "limits": {"cpu": "2"}})
        );
        // Containers are worded before init containers.
        assert_eq!(
            p["metadata"]["annotations"][ANNOTATION],
            "LimitRanger plugin set: cpu, memory request for container app; cpu limit for container app; cpu, memory request for init container init; cpu limit for init container init"
        );
    }

    #[test]
    fn min_max_and_ratio_are_enforced_with_the_plugins_words() {
        let lr = json!({"apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": "bounds", "namespace": "ns"},
            "spec": {"limits": [{"type": "Container", "max": {"memory": "1Gi"}, "min": {"cpu": "10m"},
                "maxLimitRequestRatio": {"memory": "2"}}]}});
        let state = ClusterState::new([lr].iter());
        let pod = |res: Value| json!({"spec": {"containers": [{"name": "app", "resources": res}]}});
        assert_eq!(
            validate(
                &pod(json!({"requests": {"cpu": "10m", "memory": "512Mi"}, "limits": {"memory": "1Gi"}})),
                "ns",
                &state
            ),
            Ok(())
        );
        assert_eq!(
            validate(
                &pod(json!({"requests": {"cpu": "10m", "memory": "1Gi"}, "limits": {"memory": "2Gi"}})),
                "ns",
                &state
            ),
            Err("maximum memory usage per Container is 1Gi, but limit is 2Gi".into())
        );
        assert_eq!(
            validate(&pod(json!({"requests": {"cpu": "5m", "memory": "100Mi"}, "limits": {"memory": "1Gi"}})), "ns", &state),
            Err("[minimum cpu usage per Container is 10m, but request is 5m, memory max limit to request ratio per Container is 2, but provided ratio is 10.240000]".into())
        );
        assert_eq!(amount(&json!("1.5Gi")), Some(1.5 * 1024f64.powi(3)));
        assert_eq!(amount(&json!("1e3")), Some(1000.0));
        assert_eq!(amount(&json!("1GB")), None);
    }
}
