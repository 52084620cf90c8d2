//! The `ServiceAccount` admission plugin: a Pod created without a service account gets `default`, and, unless the
//! Pod or its ServiceAccount sets `automountServiceAccountToken: false`, the projected token volume
//! `kube-api-access-<suffix>` mounted read-only at `/var/run/secrets/kubernetes.io/serviceaccount` in every
//! container and init container. It runs before any webhook: a webhook that sets the field later is too late.

use serde_json::{Value, json};

use super::ClusterState;
use super::decision::StageReport;
use crate::object;

/// Where the token is mounted.
pub const TOKEN_MOUNT_PATH: &str = "/var/run/secrets/kubernetes.io/serviceaccount";
/// The prefix of the token volume's name.
pub const TOKEN_VOLUME_PREFIX: &str = "kube-api-access-";

/// Mutates a Pod on CREATE. A ServiceAccount the cluster state does not hold is taken to exist (every namespace
/// has `default`; a site's cluster state is rarely complete), with `automountServiceAccountToken` unset.
pub fn admit(pod: &mut Value, namespace: &str, cluster: &ClusterState, report: &mut StageReport) {
    let name_for_suffix = format!("{namespace}/{}", object::meta_str(pod, "name"));
    let Some(spec) = pod.get_mut("spec").and_then(Value::as_object_mut) else { return };
    // The deprecated `serviceAccount` stands for `serviceAccountName` when that is empty, as the API server reads
    // a v1 Pod.
    let nonempty = |k: &str| spec.get(k).and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_string);
    let account = match (nonempty("serviceAccountName"), nonempty("serviceAccount")) {
        (Some(name), _) => name,
        (None, Some(alias)) => {
            spec.insert("serviceAccountName".into(), json!(alias));
            alias
        }
        (None, None) => {
            spec.insert("serviceAccountName".into(), json!("default"));
            report.changed.push("/spec/serviceAccountName".into());
            report.said.push("set serviceAccountName: default".into());
            "default".to_string()
        }
    };
    let known = cluster.service_account(namespace, &account);
    let automount = match spec.get("automountServiceAccountToken").and_then(Value::as_bool) {
        Some(on) => Some((on, "the Pod")),
        None => known
            .and_then(|sa| sa.get("automountServiceAccountToken").and_then(Value::as_bool))
            .map(|on| (on, "its ServiceAccount")),
    };
    if let Some((false, whose)) = automount {
        report.said.push(format!("no token mounted: {whose} sets automountServiceAccountToken: false"));
    } else {
        mount_token(spec, &name_for_suffix, report);
    }
    // The ServiceAccount's image pull secrets, when the Pod names none.
    let pull: Vec<Value> = known
        .and_then(|sa| sa.get("imagePullSecrets"))
        .and_then(Value::as_array)
        .map(|l| l.iter().filter_map(|s| s.get("name")).map(|n| json!({"name": n})).collect())
        .unwrap_or_default();
    let has_pull = spec.get("imagePullSecrets").and_then(Value::as_array).is_some_and(|l| !l.is_empty());
    if !pull.is_empty() && !has_pull {
        spec.insert("imagePullSecrets".into(), Value::Array(pull));
        report.changed.push("/spec/imagePullSecrets".into());
        report.said.push(format!("set the image pull secrets of ServiceAccount {account}"));
    }
}

/// The token volume and its mounts. An existing `kube-api-access-*` volume is reused; a container that already
/// mounts something at the token's path is left alone.
fn mount_token(spec: &mut serde_json::Map<String, Value>, seed: &str, report: &mut StageReport) {
    let existing = spec
        .get("volumes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|v| v.get("name").and_then(Value::as_str))
        .find(|n| n.starts_with(TOKEN_VOLUME_PREFIX))
        .map(str::to_string);
    let volume = existing.clone().unwrap_or_else(|| format!("{TOKEN_VOLUME_PREFIX}{}", suffix(seed)));
    let mut mounted = Vec::new();
    for list in ["initContainers", "containers"] {
        let Some(containers) = spec.get_mut(list).and_then(Value::as_array_mut) else { continue };
        for (i, c) in containers.iter_mut().enumerate() {
            let Some(c) = c.as_object_mut() else { continue };
            let mounts = crate::object::field_or(c, "volumeMounts", json!([]));
            let Some(mounts) = mounts.as_array_mut() else { continue };
            if mounts.iter().any(|m| m.get("mountPath").and_then(Value::as_str) == Some(TOKEN_MOUNT_PATH)) {
                continue;
            }
            mounts.push(json!({"name": volume, "readOnly": true, "mountPath": TOKEN_MOUNT_PATH}));
            report.changed.push(format!("/spec/{list}/{i}/volumeMounts/{}", mounts.len() - 1));
            mounted.push(c.get("name").and_then(Value::as_str).unwrap_or("").to_string());
        }
    }
    if mounted.is_empty() {
        return;
    }
    if existing.is_none() {
        let volumes = crate::object::field_or(spec, "volumes", json!([]));
        if let Some(volumes) = volumes.as_array_mut() {
            volumes.push(token_volume(&volume));
            report.changed.push(format!("/spec/volumes/{}", volumes.len() - 1));
        }
    }
    report.said.push(format!(
        "mounted the service account token (volume {volume}) at {TOKEN_MOUNT_PATH} in {}",
        object::quoted_list("container", &mounted)
    ));
}

/// The projected volume the plugin adds: a bound token that expires (3607 s), the cluster's CA and the namespace.
fn token_volume(name: &str) -> Value {
    json!({
        "name": name,
        "projected": {
            "sources": [
                {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
                {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}}
            ],
            "defaultMode": 420
        }
    })
}

/// Five characters of the alphabet Kubernetes' name generator uses. The API server picks them at random; a docs
/// site must build the same bytes every time, so they come from a hash of the Pod's namespace and name.
fn suffix(seed: &str) -> String {
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in seed.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    (0..5)
        .map(|i| {
            // In u64: `usize` is 32 bits in the playground's wasm, and the page and the playground must agree.
            let n = (h >> (i * 8)) % ALPHABET.len() as u64;
            ALPHABET[n as usize] as char
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(spec: Value) -> Value {
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"}, "spec": spec})
    }

    fn report() -> StageReport {
        StageReport::new(super::super::Stage::ServiceAccount)
    }

    #[test]
    fn every_container_mounts_the_token_of_the_default_account() {
        let mut p = pod(json!({"initContainers": [{"name": "init", "image": "busybox"}],
            "containers": [{"name": "app", "image": "nginx"}, {"name": "side", "image": "envoy",
                "volumeMounts": [{"name": "own", "mountPath": TOKEN_MOUNT_PATH}]}]}));
        let mut r = report();
        admit(&mut p, "default", &ClusterState::default(), &mut r);
        let spec = &p["spec"];
        assert_eq!(spec["serviceAccountName"], "default");
        let volume = spec["volumes"][0]["name"].as_str().unwrap();
        assert!(volume.starts_with(TOKEN_VOLUME_PREFIX) && volume.len() == TOKEN_VOLUME_PREFIX.len() + 5);
        assert_eq!(spec["volumes"][0]["projected"]["sources"][0]["serviceAccountToken"]["expirationSeconds"], 3607);
        let mount = json!([{"name": volume, "readOnly": true, "mountPath": TOKEN_MOUNT_PATH}]);
        assert_eq!(spec["initContainers"][0]["volumeMounts"], mount);
        assert_eq!(spec["containers"][0]["volumeMounts"], mount);
        assert_eq!(spec["containers"][1]["volumeMounts"].as_array().unwrap().len(), 1, "its own mount wins");
        assert_eq!(
            r.changed,
            [
                "/spec/serviceAccountName",
                "/spec/initContainers/0/volumeMounts/0",
                "/spec/containers/0/volumeMounts/0",
                "/spec/volumes/0"
            ]
        );
        // The same Pod gets the same volume name: builds are reproducible.
        let mut again = pod(json!({"containers": [{"name": "app", "image": "nginx"}]}));
        admit(&mut again, "default", &ClusterState::default(), &mut report());
        assert_eq!(again["spec"]["volumes"][0]["name"], volume);
    }

    #[test]
    fn the_pod_or_its_account_can_refuse_the_token() {
        let mut p = pod(json!({"automountServiceAccountToken": false, "containers": [{"name": "app", "image": "x"}]}));
        let mut r = report();
        admit(&mut p, "default", &ClusterState::default(), &mut r);
        assert!(p["spec"].get("volumes").is_none());
        assert!(r.said.iter().any(|s| s.contains("the Pod sets automountServiceAccountToken: false")), "{r:?}");
        let sa = json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "builder", "namespace": "ci"},
            "automountServiceAccountToken": false, "imagePullSecrets": [{"name": "registry"}]});
        let cluster = ClusterState::new([sa].iter());
        let mut p = pod(json!({"serviceAccountName": "builder", "containers": [{"name": "app", "image": "x"}]}));
        admit(&mut p, "ci", &cluster, &mut report());
        assert!(p["spec"].get("volumes").is_none());
        assert_eq!(p["spec"]["imagePullSecrets"], json!([{"name": "registry"}]));
        // The Pod's own `true` wins over its account's `false`.
        let mut p = pod(json!({"serviceAccountName": "builder", "automountServiceAccountToken": true,
            "containers": [{"name": "app", "image": "x"}]}));
        admit(&mut p, "ci", &cluster, &mut report());
        assert_eq!(p["spec"]["volumes"].as_array().unwrap().len(), 1);
    }
}
