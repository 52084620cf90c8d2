//! What Kubernetes' built-in controllers create from a workload: a Deployment's ReplicaSet, a ReplicaSet's,
//! ReplicationController's, StatefulSet's, DaemonSet's or Job's Pod, a CronJob's Job. Each is a CREATE request of
//! its own, by the controller's service account, so admission judges it separately from the workload: a
//! Deployment can be admitted while every Pod its ReplicaSet tries to create is rejected.
//!
//! The objects are what the controllers write (the template's metadata and spec, the parent's namespace, the
//! labels and owner references the controllers add). Names and hashes that the cluster makes at random or from
//! a hash of Go structures are made here deterministically in the same shape (`web-5d9c7b8f4`, `-x2x9k`), so the
//! same docs give the same output.

use serde_json::{Map, Value, json};

use crate::object::{self, Gvk};

/// An object a controller would create from a parent.
#[derive(Debug, Clone, PartialEq)]
pub struct Creation {
    /// The object, as the controller sends it (before admission).
    pub object: Value,
    /// The controller's service account in `kube-system` (`replicaset-controller`).
    pub controller: &'static str,
}

impl Creation {
    /// The request's `userInfo`: the controller's service account.
    pub fn user_info(&self) -> Value {
        json!({
            "username": format!("system:serviceaccount:kube-system:{}", self.controller),
            "groups": ["system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated"],
        })
    }
}

/// The characters Kubernetes uses for generated name suffixes and hashes (`rand.SafeEncodeString`): no vowels,
/// no look-alikes.
const ALPHANUMS: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

/// FNV-1a, 32 bits: what Kubernetes hashes a Pod template with for `pod-template-hash`.
fn fnv32a(bytes: &[u8]) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in bytes {
        h ^= u32::from(*b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// [`fnv32a`] of a template's JSON text, hashed as it is written (no string made).
fn template_hash(template: &Map<String, Value>) -> String {
    struct Fnv(u32);
    impl std::io::Write for Fnv {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            for b in bytes {
                self.0 ^= u32::from(*b);
                self.0 = self.0.wrapping_mul(0x0100_0193);
            }
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut h = Fnv(0x811c_9dc5);
    // Writing into a hash cannot fail, nor can serialising a JSON map.
    let _ = serde_json::to_writer(&mut h, template);
    safe_encode(h.0)
}

/// An object made by a controller, its parts moved in (`json!` would copy them through serde).
fn made(api_version: &str, kind: &str, meta: Map<String, Value>, spec: Value) -> Value {
    let mut object = Map::new();
    object.insert("apiVersion".into(), Value::from(api_version));
    object.insert("kind".into(), Value::from(kind));
    object.insert("metadata".into(), Value::Object(meta));
    object.insert("spec".into(), spec);
    Value::Object(object)
}

/// `rand.SafeEncodeString(fmt.Sprint(hash))`: the decimal digits mapped onto [`ALPHANUMS`].
fn safe_encode(hash: u32) -> String {
    hash.to_string().bytes().map(|d| char::from(ALPHANUMS[usize::from(d) % ALPHANUMS.len()])).collect()
}

/// A 5-character suffix as the API server appends to `generateName`, derived from `seed`.
fn suffix(seed: &str) -> String {
    let mut h = fnv32a(seed.as_bytes());
    (0..5)
        .map(|_| {
            let c = char::from(ALPHANUMS[(h % ALPHANUMS.len() as u32) as usize]);
            h /= ALPHANUMS.len() as u32;
            h = h.wrapping_mul(0x0100_0193) ^ 0x5bd1_e995;
            c
        })
        .collect()
}

/// A UUID-shaped uid for an object that exists only on paper, derived from its kind, namespace and name.
fn uid(kind: &str, namespace: &str, name: &str) -> String {
    let a = fnv32a(format!("{kind}/{namespace}/{name}").as_bytes());
    let b = fnv32a(format!("{name}/{namespace}/{kind}").as_bytes());
    let c = fnv32a(format!("{namespace}/{kind}/{name}").as_bytes());
    let d = fnv32a(format!("{a}{b}{c}").as_bytes());
    format!("{a:08x}-{:04x}-4{:03x}-{:04x}-{:04x}{d:08x}", b >> 16, b & 0xfff, 0x8000 | (c >> 16 & 0x3fff), c & 0xffff)
}

/// The owner reference a controller puts on what it creates.
fn owner(parent: &Value) -> Value {
    let gvk = Gvk::of(parent);
    let name = object::meta_str(parent, "name");
    let ns = object::meta_str(parent, "namespace");
    let uid = match object::meta_str(parent, "uid") {
        "" => uid(&gvk.kind, ns, name),
        u => u.to_string(),
    };
    json!({
        "apiVersion": gvk.api_version(),
        "kind": gvk.kind,
        "name": name,
        "uid": uid,
        "controller": true,
        "blockOwnerDeletion": true,
    })
}

/// The Pod template at `pointer` of `parent`, as an object map (empty when missing).
fn template_at(parent: &Value, pointer: &str) -> Map<String, Value> {
    parent.pointer(pointer).and_then(Value::as_object).cloned().unwrap_or_default()
}

/// `metadata` of a template, with `extra` labels added.
fn metadata_with(template: &Map<String, Value>, extra: &[(&str, String)]) -> Map<String, Value> {
    let mut meta = template.get("metadata").and_then(Value::as_object).cloned().unwrap_or_default();
    if !extra.is_empty() {
        let labels = meta.entry("labels").or_insert_with(|| json!({}));
        if !labels.is_object() {
            *labels = json!({});
        }
        if let Some(l) = labels.as_object_mut() {
            for (k, v) in extra {
                l.insert((*k).to_string(), json!(v));
            }
        }
    }
    meta
}

/// A Pod made from `template` by the controller of `parent`.
fn pod(parent: &Value, template: &Map<String, Value>, extra_labels: &[(&str, String)], name: PodName) -> Value {
    let mut meta = metadata_with(template, extra_labels);
    let ns = object::meta_str(parent, "namespace");
    match name {
        PodName::Generated(prefix) => {
            meta.insert("generateName".into(), json!(prefix));
            meta.insert("name".into(), json!(format!("{prefix}{}", suffix(&prefix))));
        }
        PodName::Fixed(n) => {
            meta.insert("name".into(), json!(n));
        }
    }
    if !ns.is_empty() {
        meta.insert("namespace".into(), json!(ns));
    }
    meta.insert("ownerReferences".into(), json!([owner(parent)]));
    let spec = template.get("spec").cloned().unwrap_or_else(|| json!({}));
    made("v1", "Pod", meta, spec)
}

enum PodName {
    /// `generateName` (`web-5d9c7b8f4-`), with the suffix the API server would add.
    Generated(String),
    /// A name the controller chooses (`db-0`).
    Fixed(String),
}

/// The replica count a Deployment's ReplicaSet may reach during a rollout (`deployment.kubernetes.io/max-replicas`).
fn max_replicas(deploy: &Value, replicas: i64) -> i64 {
    let strategy = deploy.pointer("/spec/strategy");
    if strategy.and_then(|s| s.get("type")).and_then(Value::as_str) == Some("Recreate") {
        return replicas;
    }
    let surge = match strategy.and_then(|s| s.pointer("/rollingUpdate/maxSurge")) {
        Some(Value::Number(n)) => n.as_i64().unwrap_or(0),
        Some(Value::String(p)) => {
            let pct: i64 = p.trim_end_matches('%').parse().unwrap_or(25);
            (replicas * pct + 99) / 100
        }
        _ => (replicas * 25 + 99) / 100,
    };
    replicas + surge
}

/// Whether a controller creates objects from objects of this kind (what [`creates`] answers for).
pub fn makes(gvk: &Gvk) -> bool {
    matches!(
        (gvk.group.as_str(), gvk.version.as_str(), gvk.kind.as_str()),
        ("apps", "v1", "Deployment" | "ReplicaSet" | "StatefulSet" | "DaemonSet")
            | ("", "v1", "ReplicationController")
            | ("batch", "v1", "Job" | "CronJob")
    )
}

/// What the controller of `parent` (after admission) creates, if it is a built-in workload kind.
pub fn creates(parent: &Value) -> Option<Creation> {
    let gvk = Gvk::of(parent);
    let name = object::meta_str(parent, "name");
    let ns = object::meta_str(parent, "namespace");
    match (gvk.group.as_str(), gvk.version.as_str(), gvk.kind.as_str()) {
        ("apps", "v1", "Deployment") => {
            let template = template_at(parent, "/spec/template");
            let hash = template_hash(&template);
            let rs_name = format!("{name}-{hash}");
            let replicas = parent.pointer("/spec/replicas").and_then(Value::as_i64).unwrap_or(1);
            let mut rs_template = template.clone();
            rs_template.insert(
                "metadata".into(),
                Value::Object(metadata_with(&template, &[("pod-template-hash", hash.clone())])),
            );
            let mut selector = parent.pointer("/spec/selector").cloned().unwrap_or_else(|| json!({}));
            if let Some(s) = selector.as_object_mut() {
                let labels = s.entry("matchLabels").or_insert_with(|| json!({}));
                if let Some(l) = labels.as_object_mut() {
                    l.insert("pod-template-hash".into(), json!(hash));
                }
            }
            let mut meta = metadata_with(&Map::new(), &[]);
            meta.insert("name".into(), json!(rs_name));
            if !ns.is_empty() {
                meta.insert("namespace".into(), json!(ns));
            }
            meta.insert(
                "labels".into(),
                rs_template.get("metadata").and_then(|m| m.get("labels")).cloned().unwrap_or_else(|| json!({})),
            );
            meta.insert(
                "annotations".into(),
                json!({
                    "deployment.kubernetes.io/desired-replicas": replicas.to_string(),
                    "deployment.kubernetes.io/max-replicas": max_replicas(parent, replicas).to_string(),
                    "deployment.kubernetes.io/revision": "1",
                }),
            );
            meta.insert("ownerReferences".into(), json!([owner(parent)]));
            let mut spec = Map::new();
            spec.insert("replicas".into(), Value::from(replicas));
            spec.insert("selector".into(), selector);
            spec.insert("template".into(), Value::Object(rs_template));
            if let Some(m) = parent.pointer("/spec/minReadySeconds") {
                spec.insert("minReadySeconds".into(), m.clone());
            }
            let rs = made("apps/v1", "ReplicaSet", meta, Value::Object(spec));
            Some(Creation { object: rs, controller: "deployment-controller" })
        }
        ("apps", "v1", "ReplicaSet") | ("", "v1", "ReplicationController") => {
            let template = template_at(parent, "/spec/template");
            let controller = if gvk.kind == "ReplicaSet" { "replicaset-controller" } else { "replication-controller" };
            Some(Creation { object: pod(parent, &template, &[], PodName::Generated(format!("{name}-"))), controller })
        }
        ("apps", "v1", "StatefulSet") => {
            let template = template_at(parent, "/spec/template");
            let pod_name = format!("{name}-0");
            let hash = template_hash(&template);
            let labels = [
                ("controller-revision-hash", format!("{name}-{hash}")),
                ("statefulset.kubernetes.io/pod-name", pod_name.clone()),
                ("apps.kubernetes.io/pod-index", "0".to_string()),
            ];
            let mut p = pod(parent, &template, &labels, PodName::Fixed(pod_name.clone()));
            if let Some(spec) = p.get_mut("spec").and_then(Value::as_object_mut) {
                spec.insert("hostname".into(), json!(pod_name));
                if let Some(service) = parent.pointer("/spec/serviceName").and_then(Value::as_str) {
                    spec.insert("subdomain".into(), json!(service));
                }
                // Each volume claim template becomes a claim of this Pod's own.
                let claims = parent.pointer("/spec/volumeClaimTemplates").and_then(Value::as_array);
                for claim in claims.into_iter().flatten() {
                    let claim_name = object::meta_str(claim, "name");
                    let volumes = spec.entry("volumes").or_insert_with(|| json!([]));
                    if let Some(list) = volumes.as_array_mut() {
                        if !list.iter().any(|v| v.get("name").and_then(Value::as_str) == Some(claim_name)) {
                            list.push(json!({
                                "name": claim_name,
                                "persistentVolumeClaim": {"claimName": format!("{claim_name}-{pod_name}")},
                            }));
                        }
                    }
                }
            }
            Some(Creation { object: p, controller: "statefulset-controller" })
        }
        ("apps", "v1", "DaemonSet") => {
            let template = template_at(parent, "/spec/template");
            let hash = template_hash(&template);
            let labels = [("controller-revision-hash", hash), ("pod-template-generation", "1".to_string())];
            let mut p = pod(parent, &template, &labels, PodName::Generated(format!("{name}-")));
            // The tolerations the DaemonSet controller adds, so that its Pods run on troubled nodes too.
            let host_network = p.pointer("/spec/hostNetwork").and_then(Value::as_bool) == Some(true);
            if let Some(spec) = p.get_mut("spec").and_then(Value::as_object_mut) {
                let list = spec.entry("tolerations").or_insert_with(|| json!([]));
                if let Some(list) = list.as_array_mut() {
                    let mut wanted = vec![
                        ("node.kubernetes.io/not-ready", "NoExecute"),
                        ("node.kubernetes.io/unreachable", "NoExecute"),
                        ("node.kubernetes.io/disk-pressure", "NoSchedule"),
                        ("node.kubernetes.io/memory-pressure", "NoSchedule"),
                        ("node.kubernetes.io/pid-pressure", "NoSchedule"),
                        ("node.kubernetes.io/unschedulable", "NoSchedule"),
                    ];
                    if host_network {
                        wanted.push(("node.kubernetes.io/network-unavailable", "NoSchedule"));
                    }
                    for (key, effect) in wanted {
                        let present = list.iter().any(|t| {
                            t.get("key").and_then(Value::as_str) == Some(key)
                                && t.get("effect").and_then(Value::as_str) == Some(effect)
                        });
                        if !present {
                            list.push(json!({"key": key, "operator": "Exists", "effect": effect}));
                        }
                    }
                }
            }
            Some(Creation { object: p, controller: "daemon-set-controller" })
        }
        ("batch", "v1", "Job") => {
            let template = template_at(parent, "/spec/template");
            let job_uid = match object::meta_str(parent, "uid") {
                "" => uid("Job", ns, name),
                u => u.to_string(),
            };
            let labels = [
                ("batch.kubernetes.io/controller-uid", job_uid.clone()),
                ("batch.kubernetes.io/job-name", name.to_string()),
                ("controller-uid", job_uid),
                ("job-name", name.to_string()),
            ];
            let mut p = pod(parent, &template, &labels, PodName::Generated(format!("{name}-")));
            if let Some(meta) = p.get_mut("metadata").and_then(Value::as_object_mut) {
                meta.insert("finalizers".into(), json!(["batch.kubernetes.io/job-tracking"]));
            }
            Some(Creation { object: p, controller: "job-controller" })
        }
        ("batch", "v1", "CronJob") => {
            let template = template_at(parent, "/spec/jobTemplate");
            // Named by the scheduled time in minutes since the epoch; here a fixed time, 2026-01-01T00:00:00Z.
            let job_name = format!("{name}-29453760");
            let mut meta = template.get("metadata").and_then(Value::as_object).cloned().unwrap_or_default();
            meta.insert("name".into(), json!(job_name));
            if !ns.is_empty() {
                meta.insert("namespace".into(), json!(ns));
            }
            let annotations = meta.entry("annotations").or_insert_with(|| json!({}));
            if let Some(a) = annotations.as_object_mut() {
                a.insert("batch.kubernetes.io/cronjob-scheduled-timestamp".into(), json!("2026-01-01T00:00:00Z"));
            }
            meta.insert("ownerReferences".into(), json!([owner(parent)]));
            let spec = template.get("spec").cloned().unwrap_or_else(|| json!({}));
            let job = made("batch/v1", "Job", meta, spec);
            Some(Creation { object: job, controller: "cronjob-controller" })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn workload(api_version: &str, kind: &str, spec: Value) -> Value {
        json!({"apiVersion": api_version, "kind": kind, "metadata": {"name": "web", "namespace": "shop"}, "spec": spec})
    }

    fn pod_template() -> Value {
        json!({"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "app", "image": "nginx"}]}})
    }

    #[test]
    fn a_deployment_creates_a_replicaset_that_creates_a_pod() {
        let d = workload(
            "apps/v1",
            "Deployment",
            json!({"replicas": 3, "selector": {"matchLabels": {"app": "web"}}, "template": pod_template()}),
        );
        let rs = creates(&d).unwrap();
        assert_eq!(rs.controller, "deployment-controller");
        assert_eq!(rs.user_info()["username"], "system:serviceaccount:kube-system:deployment-controller");
        let hash = rs.object["metadata"]["labels"]["pod-template-hash"].as_str().unwrap().to_string();
        assert!(!hash.is_empty() && hash.bytes().all(|b| ALPHANUMS.contains(&b)), "{hash}");
        assert_eq!(object::meta_str(&rs.object, "name"), format!("web-{hash}"));
        assert_eq!(object::meta_str(&rs.object, "namespace"), "shop");
        assert_eq!(rs.object["spec"]["selector"]["matchLabels"], json!({"app": "web", "pod-template-hash": hash}));
        assert_eq!(rs.object["metadata"]["annotations"]["deployment.kubernetes.io/max-replicas"], "4");
        let owner = &rs.object["metadata"]["ownerReferences"][0];
        assert_eq!(
            (owner["kind"].as_str(), owner["name"].as_str(), owner["controller"].as_bool()),
            (Some("Deployment"), Some("web"), Some(true))
        );
        // The same input makes the same names.
        assert_eq!(creates(&d).unwrap(), rs);

        let pod = creates(&rs.object).unwrap();
        assert_eq!(pod.controller, "replicaset-controller");
        let p = &pod.object;
        assert_eq!((p["apiVersion"].as_str(), p["kind"].as_str()), (Some("v1"), Some("Pod")));
        assert_eq!(p["metadata"]["generateName"], format!("web-{hash}-"));
        let name = object::meta_str(p, "name");
        assert!(name.starts_with(&format!("web-{hash}-")) && name.len() == format!("web-{hash}-").len() + 5, "{name}");
        assert_eq!(p["metadata"]["labels"], json!({"app": "web", "pod-template-hash": hash}));
        assert_eq!(p["metadata"]["ownerReferences"][0]["kind"], "ReplicaSet");
        assert_eq!(p["spec"], pod_template()["spec"]);
        assert!(creates(p).is_none(), "a Pod creates nothing");
    }

    #[test]
    fn statefulsets_daemonsets_jobs_and_cronjobs() {
        let mut spec = json!({"serviceName": "db", "template": pod_template(),
            "volumeClaimTemplates": [{"metadata": {"name": "data"}}]});
        let sts = creates(&workload("apps/v1", "StatefulSet", spec.clone())).unwrap();
        assert_eq!(sts.controller, "statefulset-controller");
        assert_eq!(object::meta_str(&sts.object, "name"), "web-0");
        assert_eq!(sts.object["spec"]["hostname"], "web-0");
        assert_eq!(sts.object["spec"]["subdomain"], "db");
        assert_eq!(sts.object["spec"]["volumes"][0]["persistentVolumeClaim"]["claimName"], "data-web-0");
        assert_eq!(sts.object["metadata"]["labels"]["statefulset.kubernetes.io/pod-name"], "web-0");

        spec["template"]["spec"]["hostNetwork"] = json!(true);
        let ds = creates(&workload("apps/v1", "DaemonSet", spec)).unwrap();
        assert_eq!(ds.controller, "daemon-set-controller");
        let tolerations = ds.object["spec"]["tolerations"].as_array().unwrap();
        assert_eq!(tolerations.len(), 7, "six defaults and network-unavailable for hostNetwork");

        let job = creates(&workload("batch/v1", "Job", json!({"template": pod_template()}))).unwrap();
        assert_eq!(job.controller, "job-controller");
        assert_eq!(job.object["metadata"]["labels"]["job-name"], "web");
        assert_eq!(job.object["metadata"]["finalizers"], json!(["batch.kubernetes.io/job-tracking"]));

        let cron = workload(
            "batch/v1",
            "CronJob",
            json!({"schedule": "* * * * *", "jobTemplate": {
            "metadata": {"labels": {"tier": "batch"}}, "spec": {"template": pod_template()}}}),
        );
        let created = creates(&cron).unwrap();
        assert_eq!(created.controller, "cronjob-controller");
        assert_eq!(Gvk::of(&created.object).kind, "Job");
        assert_eq!(created.object["metadata"]["labels"]["tier"], "batch");
        assert_eq!(creates(&created.object).unwrap().controller, "job-controller");

        let rc = creates(&workload("v1", "ReplicationController", json!({"template": pod_template()}))).unwrap();
        assert_eq!(rc.controller, "replication-controller");
        assert!(creates(&workload("apps/v1beta2", "Deployment", json!({}))).is_none(), "old versions are not modelled");
    }

    #[test]
    fn uids_look_like_uids() {
        let u = uid("Deployment", "shop", "web");
        assert_eq!(u.len(), 36);
        assert_eq!(u.split('-').map(str::len).collect::<Vec<_>>(), [8, 4, 4, 4, 12]);
        assert_ne!(u, uid("Deployment", "shop", "api"));
    }
}
