//! The API server's defaulting of built-in kinds: what it fills in after decoding an object and before any
//! admission plugin or webhook sees it, for Kubernetes 1.34 through 1.37.
//!
//! The facts are those of k8s.io/kubernetes: the `SetDefaults_*` functions of `pkg/apis/core/v1/defaults.go`,
//! `pkg/apis/apps/v1/defaults.go`, `pkg/apis/batch/v1/defaults.go`, `pkg/apis/networking/v1/defaults.go` and
//! `pkg/apis/autoscaling/v{1,2}/defaults.go`, the `+default=` markers of k8s.io/api's `types.go`, and the generated
//! `zz_generated.defaults.go` files that call them on every nested type (every pod template inside a workload gets
//! the PodSpec defaults, every container the container defaults, and so on). Feature gates count as they are by
//! default in the given minor version.
//!
//! Left out on purpose, because they are not defaulting or change what is already there:
//! - what the registry does on create (a Service's clusterIP, ipFamilies and ipFamilyPolicy, node ports, a Job's
//!   generated selector and labels, a Pod's status), what admission plugins do (service account, priority,
//!   tolerations, LimitRanger), and what serialization adds (`resources: {}`, `creationTimestamp: null`,
//!   `podSelector: {}`, canonical quantities);
//! - `SetDefaults_ResourceList`'s rounding of quantities up to milli-units, the removal of `sessionAffinityConfig`
//!   from a Service whose affinity is `None`, and the overwriting of a Namespace's `kubernetes.io/metadata.name`
//!   label with another value: all three change values that are present;
//! - a Pod's pod-level resources (`spec.resources`, the `PodLevelResources` gate, on from 1.34): defaulting them
//!   sums container quantities;
//! - `SetDefaults_ConfigMap`'s empty `data` map, which is never serialized.

use std::fmt::Write as _;

use serde_json::{Map, Value, json};

type Obj = Map<String, Value>;

/// One default the API server filled in: the JSON pointer of the field it set (`/spec/containers/0/imagePullPolicy`)
/// — the highest field that was absent, e.g. `/spec/securityContext` for an absent securityContext set to {}.
#[derive(Debug, Clone, PartialEq)]
pub struct Defaulted {
    /// The JSON pointer (RFC 6901) of the field set.
    pub pointer: String,
}

/// Fills in the defaults of `object` (any kind; kinds with no defaults are left alone) as Kubernetes 1.`minor`'s
/// API server does, returning what it set, in the order set. Values already present are never changed. Malformed
/// shapes (a string where a mapping is expected) are left alone, never panic.
///
/// A field counts as absent when it is missing or null, and, for the fields that are plain strings or integers in
/// the API's Go types (where the server cannot tell them from unset), also when it is `""` or `0`.
pub fn apply(object: &mut Value, minor: u32) -> Vec<Defaulted> {
    let mut out = Out::default();
    if let Value::Object(obj) = object
        && let Some(kind) = Kind::of(obj)
    {
        kind.apply(obj, minor, &mut out);
    }
    out.list
}

/// The Pod defaults for a pod template or a Pod's spec, for callers that build Pods (a controller creating a Pod
/// from a template): `spec` is the PodSpec mapping; `at` the pointer prefix for the Defaulted entries.
///
/// These are the defaults a Pod object gets, so besides those of every PodSpec they include the ones
/// `SetDefaults_Pod` gives Pods only: requests copied from limits, `enableServiceLinks`, and host ports under
/// `hostNetwork`. For a template inside a workload, which gets only the PodSpec ones, see [`pod_template_spec`].
pub fn pod_spec(spec: &mut Value, at: &str, minor: u32, out: &mut Vec<Defaulted>) {
    with_list(out, |o| {
        if let Value::Object(spec) = spec {
            pod_spec_map(spec, at, minor, true, o);
        }
    });
}

/// The defaults the API server gives the PodSpec of a pod template (in a Deployment, a Job, a PodTemplate...):
/// those of [`pod_spec`] less the Pod-only ones. `spec` is the PodSpec mapping; `at` the pointer prefix.
pub fn pod_template_spec(spec: &mut Value, at: &str, minor: u32, out: &mut Vec<Defaulted>) {
    with_list(out, |o| {
        if let Value::Object(spec) = spec {
            pod_spec_map(spec, at, minor, false, o);
        }
    });
}

fn with_list(list: &mut Vec<Defaulted>, f: impl FnOnce(&mut Out)) {
    let mut out = Out { list: std::mem::take(list), muted: 0 };
    f(&mut out);
    *list = out.list;
}

/// What was set so far; `muted` while filling a mapping that was itself absent (only the mapping is recorded).
#[derive(Default)]
struct Out {
    list: Vec<Defaulted>,
    muted: u32,
}

impl Out {
    fn record(&mut self, at: &str, key: &str) {
        if self.muted == 0 {
            self.list.push(Defaulted { pointer: child(at, key) });
        }
    }
}

/// `at` + `/` + `key`, the key escaped as RFC 6901 says.
fn child(at: &str, key: &str) -> String {
    let mut p = String::with_capacity(at.len() + key.len() + 1);
    p.push_str(at);
    p.push('/');
    for c in key.chars() {
        match c {
            '~' => p.push_str("~0"),
            '/' => p.push_str("~1"),
            c => p.push(c),
        }
    }
    p
}

/// Missing or null: what a Go pointer, slice or map decodes to nil from.
fn is_absent(m: &Obj, key: &str) -> bool {
    matches!(m.get(key), None | Some(Value::Null))
}

/// Absent, or the empty string (a Go `string` field's zero value).
fn is_empty_string(m: &Obj, key: &str) -> bool {
    match m.get(key) {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.is_empty(),
        _ => false,
    }
}

/// Absent, or 0 (a Go `int32` field's zero value).
fn is_zero_int(m: &Obj, key: &str) -> bool {
    match m.get(key) {
        None | Some(Value::Null) => true,
        Some(Value::Number(n)) => n.as_f64() == Some(0.0),
        _ => false,
    }
}

/// Absent, or an empty mapping (`len(map) == 0` in Go).
fn is_empty_map(m: &Obj, key: &str) -> bool {
    match m.get(key) {
        None | Some(Value::Null) => true,
        Some(Value::Object(o)) => o.is_empty(),
        _ => false,
    }
}

fn str_of<'a>(m: &'a Obj, key: &str) -> Option<&'a str> {
    m.get(key).and_then(Value::as_str)
}

/// A pointer field (`*T`): set when absent.
fn set_ptr(m: &mut Obj, key: &str, value: impl FnOnce() -> Value, at: &str, out: &mut Out) {
    if is_absent(m, key) {
        m.insert(key.to_owned(), value());
        out.record(at, key);
    }
}

/// A string field: set when absent or "".
fn set_str(m: &mut Obj, key: &str, value: &str, at: &str, out: &mut Out) {
    if is_empty_string(m, key) {
        m.insert(key.to_owned(), Value::String(value.to_owned()));
        out.record(at, key);
    }
}

/// An integer field: set when absent or 0.
fn set_int(m: &mut Obj, key: &str, value: i64, at: &str, out: &mut Out) {
    if is_zero_int(m, key) {
        m.insert(key.to_owned(), Value::from(value));
        out.record(at, key);
    }
}

/// Runs `f` on the mapping at `key`, which a Go struct field (not a pointer) always has: an absent one is filled
/// as a new mapping, kept only if `f` set something, and recorded as one default. Anything else is left alone.
fn with_obj(m: &mut Obj, key: &str, at: &str, out: &mut Out, f: impl FnOnce(&mut Obj, &str, &mut Out)) {
    match m.get_mut(key) {
        Some(Value::Object(o)) => f(o, &child(at, key), out),
        None | Some(Value::Null) => {
            let path = child(at, key);
            let mut o = Obj::new();
            out.muted += 1;
            f(&mut o, &path, out);
            out.muted -= 1;
            if !o.is_empty() {
                m.insert(key.to_owned(), Value::Object(o));
                if out.muted == 0 {
                    out.list.push(Defaulted { pointer: path });
                }
            }
        }
        Some(_) => {}
    }
}

/// Runs `f` on the mapping at `key` if there is one (a Go pointer to a struct: nothing is defaulted under nil).
fn with_existing(m: &mut Obj, key: &str, at: &str, out: &mut Out, f: impl FnOnce(&mut Obj, &str, &mut Out)) {
    if let Some(Value::Object(o)) = m.get_mut(key) {
        f(o, &child(at, key), out);
    }
}

/// Runs `f` on each mapping of the list at `key`.
fn each_obj(m: &mut Obj, key: &str, at: &str, out: &mut Out, mut f: impl FnMut(&mut Obj, &str, &mut Out)) {
    if let Some(Value::Array(items)) = m.get_mut(key) {
        let base = child(at, key);
        let mut path = String::with_capacity(base.len() + 4);
        for (i, item) in items.iter_mut().enumerate() {
            if let Value::Object(o) = item {
                path.clear();
                path.push_str(&base);
                // Writing to a String cannot fail.
                let _ = write!(path, "/{i}");
                f(o, &path, out);
            }
        }
    }
}

/// Adds to the mapping at `target` the entries of `source` it lacks (creating it when absent).
fn copy_missing(m: &mut Obj, target: &str, source: Obj, at: &str, out: &mut Out) {
    if source.is_empty() {
        return;
    }
    match m.get_mut(target) {
        None | Some(Value::Null) => {
            m.insert(target.to_owned(), Value::Object(source));
            out.record(at, target);
        }
        Some(Value::Object(t)) => {
            let path = child(at, target);
            for (k, v) in source {
                if !t.contains_key(&k) {
                    out.record(&path, &k);
                    t.insert(k, v);
                }
            }
        }
        Some(_) => {}
    }
}

fn non_empty_map(m: &Obj, key: &str) -> Option<Obj> {
    match m.get(key) {
        Some(Value::Object(o)) if !o.is_empty() => Some(o.clone()),
        _ => None,
    }
}

/// The kinds with defaults, by apiVersion and kind.
#[derive(Clone, Copy)]
enum Kind {
    Pod,
    PodTemplate,
    ReplicationController,
    Service,
    Secret,
    Namespace,
    PersistentVolumeClaim,
    PersistentVolume,
    Endpoints,
    LimitRange,
    Deployment,
    ReplicaSet,
    StatefulSet,
    DaemonSet,
    Job,
    CronJob,
    NetworkPolicy,
    IngressClass,
    HorizontalPodAutoscalerV1,
    HorizontalPodAutoscalerV2,
}

impl Kind {
    fn of(obj: &Obj) -> Option<Kind> {
        let api = str_of(obj, "apiVersion")?;
        let kind = str_of(obj, "kind")?;
        Some(match (api, kind) {
            ("v1", "Pod") => Kind::Pod,
            ("v1", "PodTemplate") => Kind::PodTemplate,
            ("v1", "ReplicationController") => Kind::ReplicationController,
            ("v1", "Service") => Kind::Service,
            ("v1", "Secret") => Kind::Secret,
            ("v1", "Namespace") => Kind::Namespace,
            ("v1", "PersistentVolumeClaim") => Kind::PersistentVolumeClaim,
            ("v1", "PersistentVolume") => Kind::PersistentVolume,
            ("v1", "Endpoints") => Kind::Endpoints,
            ("v1", "LimitRange") => Kind::LimitRange,
            ("apps/v1", "Deployment") => Kind::Deployment,
            ("apps/v1", "ReplicaSet") => Kind::ReplicaSet,
            ("apps/v1", "StatefulSet") => Kind::StatefulSet,
            ("apps/v1", "DaemonSet") => Kind::DaemonSet,
            ("batch/v1", "Job") => Kind::Job,
            ("batch/v1", "CronJob") => Kind::CronJob,
            ("networking.k8s.io/v1", "NetworkPolicy") => Kind::NetworkPolicy,
            ("networking.k8s.io/v1", "IngressClass") => Kind::IngressClass,
            ("autoscaling/v1", "HorizontalPodAutoscaler") => Kind::HorizontalPodAutoscalerV1,
            ("autoscaling/v2", "HorizontalPodAutoscaler") => Kind::HorizontalPodAutoscalerV2,
            _ => return None,
        })
    }

    fn apply(self, obj: &mut Obj, minor: u32, out: &mut Out) {
        match self {
            Kind::Pod => with_obj(obj, "spec", "", out, |s, at, out| pod_spec_map(s, at, minor, true, out)),
            Kind::PodTemplate => template(obj, "", minor, out),
            Kind::ReplicationController => replication_controller(obj, minor, out),
            Kind::Service => service(obj, out),
            Kind::Secret => set_str(obj, "type", "Opaque", "", out),
            Kind::Namespace => namespace(obj, out),
            Kind::PersistentVolumeClaim => claim(obj, "", out),
            Kind::PersistentVolume => volume_object(obj, out),
            Kind::Endpoints => each_obj(obj, "subsets", "", out, |s, at, out| {
                each_obj(s, "ports", at, out, |p, at, out| set_str(p, "protocol", "TCP", at, out));
            }),
            Kind::LimitRange => with_existing(obj, "spec", "", out, |s, at, out| each_obj(s, "limits", at, out, limit)),
            Kind::Deployment => with_obj(obj, "spec", "", out, |s, at, out| deployment(s, at, minor, out)),
            Kind::ReplicaSet => with_obj(obj, "spec", "", out, |s, at, out| {
                set_ptr(s, "replicas", || json!(1), at, out);
                template(s, at, minor, out);
            }),
            Kind::StatefulSet => with_obj(obj, "spec", "", out, |s, at, out| stateful_set(s, at, minor, out)),
            Kind::DaemonSet => with_obj(obj, "spec", "", out, |s, at, out| daemon_set(s, at, minor, out)),
            Kind::Job => job(obj, minor, out),
            Kind::CronJob => with_obj(obj, "spec", "", out, |s, at, out| {
                set_str(s, "concurrencyPolicy", "Allow", at, out);
                set_ptr(s, "suspend", || json!(false), at, out);
                set_ptr(s, "successfulJobsHistoryLimit", || json!(3), at, out);
                set_ptr(s, "failedJobsHistoryLimit", || json!(1), at, out);
                // The job template gets the PodSpec defaults only: SetDefaults_Job takes a Job, not a JobSpec.
                with_obj(s, "jobTemplate", at, out, |jt, at, out| {
                    with_obj(jt, "spec", at, out, |js, at, out| template(js, at, minor, out));
                });
            }),
            Kind::NetworkPolicy => with_obj(obj, "spec", "", out, network_policy),
            Kind::IngressClass => with_existing(obj, "spec", "", out, |s, at, out| {
                with_existing(s, "parameters", at, out, |p, at, out| {
                    set_ptr(p, "scope", || json!("Cluster"), at, out);
                });
            }),
            Kind::HorizontalPodAutoscalerV1 => with_obj(obj, "spec", "", out, |s, at, out| {
                set_ptr(s, "minReplicas", || json!(1), at, out);
            }),
            Kind::HorizontalPodAutoscalerV2 => with_obj(obj, "spec", "", out, autoscaler),
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// core/v1: Pod, containers, volumes

/// `spec.template.spec` of `m` (a workload's spec, a PodTemplate): the PodSpec defaults of a template.
fn template(m: &mut Obj, at: &str, minor: u32, out: &mut Out) {
    with_obj(m, "template", at, out, |t, at, out| {
        with_obj(t, "spec", at, out, |s, at, out| pod_spec_map(s, at, minor, false, out));
    });
}

/// `SetDefaults_Pod` (when `pod`), `SetDefaults_PodSpec`, then the volumes and containers, as
/// `SetObjectDefaults_Pod` / `SetObjectDefaults_PodTemplate` order them.
fn pod_spec_map(s: &mut Obj, at: &str, minor: u32, pod: bool, out: &mut Out) {
    if pod {
        each_obj(s, "containers", at, out, requests_from_limits);
        each_obj(s, "initContainers", at, out, requests_from_limits);
        set_ptr(s, "enableServiceLinks", || json!(true), at, out);
        if s.get("hostNetwork") == Some(&Value::Bool(true)) {
            for list in ["containers", "initContainers"] {
                each_obj(s, list, at, out, |c, at, out| each_obj(c, "ports", at, out, host_port));
            }
        }
    }
    set_str(s, "dnsPolicy", "ClusterFirst", at, out);
    set_str(s, "restartPolicy", "Always", at, out);
    set_ptr(s, "securityContext", || Value::Object(Obj::new()), at, out);
    set_ptr(s, "terminationGracePeriodSeconds", || json!(30), at, out);
    set_str(s, "schedulerName", "default-scheduler", at, out);
    each_obj(s, "volumes", at, out, |v, at, out| volume(v, at, minor, out));
    for list in ["initContainers", "containers", "ephemeralContainers"] {
        each_obj(s, list, at, out, container);
    }
}

/// A Pod's container (not a template's): requests default to the limits where unset.
fn requests_from_limits(c: &mut Obj, at: &str, out: &mut Out) {
    with_existing(c, "resources", at, out, |r, at, out| {
        if let Some(limits) = non_empty_map(r, "limits") {
            copy_missing(r, "requests", limits, at, out);
        }
    });
}

/// Under `hostNetwork`, a port's hostPort defaults to its containerPort.
fn host_port(p: &mut Obj, at: &str, out: &mut Out) {
    if is_zero_int(p, "hostPort")
        && let Some(port) = p.get("containerPort").filter(|v| v.is_number() && v.as_f64() != Some(0.0)).cloned()
    {
        p.insert("hostPort".to_owned(), port);
        out.record(at, "hostPort");
    }
}

/// `SetDefaults_Container` and what the generated code does under a container.
fn container(c: &mut Obj, at: &str, out: &mut Out) {
    if is_empty_string(c, "imagePullPolicy") {
        let policy = pull_policy(str_of(c, "image").unwrap_or(""));
        c.insert("imagePullPolicy".to_owned(), Value::String(policy.to_owned()));
        out.record(at, "imagePullPolicy");
    }
    set_str(c, "terminationMessagePath", "/dev/termination-log", at, out);
    set_str(c, "terminationMessagePolicy", "File", at, out);
    each_obj(c, "ports", at, out, |p, at, out| set_str(p, "protocol", "TCP", at, out));
    each_obj(c, "env", at, out, |e, at, out| {
        with_existing(e, "valueFrom", at, out, |v, at, out| {
            with_existing(v, "fieldRef", at, out, field_ref);
            // `+default=false` on FileKeySelector.optional (the EnvFiles field, from 1.34).
            with_existing(v, "fileKeyRef", at, out, |f, at, out| set_ptr(f, "optional", || json!(false), at, out));
        });
    });
    for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
        with_existing(c, probe, at, out, |p, at, out| {
            set_int(p, "timeoutSeconds", 1, at, out);
            set_int(p, "periodSeconds", 10, at, out);
            set_int(p, "successThreshold", 1, at, out);
            set_int(p, "failureThreshold", 3, at, out);
            with_existing(p, "httpGet", at, out, http_get);
            // `+default=""` on GRPCAction.service.
            with_existing(p, "grpc", at, out, |g, at, out| set_ptr(g, "service", || json!(""), at, out));
        });
    }
    with_existing(c, "lifecycle", at, out, |l, at, out| {
        for hook in ["postStart", "preStop"] {
            with_existing(l, hook, at, out, |h, at, out| with_existing(h, "httpGet", at, out, http_get));
        }
    });
}

fn http_get(h: &mut Obj, at: &str, out: &mut Out) {
    set_str(h, "path", "/", at, out);
    set_str(h, "scheme", "HTTP", at, out);
}

fn field_ref(f: &mut Obj, at: &str, out: &mut Out) {
    set_str(f, "apiVersion", "v1", at, out);
}

/// The volume sources of `VolumeSource`: a volume with none of them is an emptyDir.
const VOLUME_SOURCES: [&str; 30] = [
    "hostPath",
    "emptyDir",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "gitRepo",
    "secret",
    "nfs",
    "iscsi",
    "glusterfs",
    "persistentVolumeClaim",
    "rbd",
    "flexVolume",
    "cinder",
    "cephfs",
    "flocker",
    "downwardAPI",
    "fc",
    "azureFile",
    "configMap",
    "vsphereVolume",
    "quobyte",
    "azureDisk",
    "photonPersistentDisk",
    "projected",
    "portworxVolume",
    "scaleIO",
    "storageos",
    "csi",
    "ephemeral",
    "image",
];

/// The mode 0644 that secret, configMap, downwardAPI and projected volumes default to.
const DEFAULT_MODE: i64 = 0o644;

/// `SetDefaults_Volume` and the defaults of each volume source.
fn volume(v: &mut Obj, at: &str, minor: u32, out: &mut Out) {
    if VOLUME_SOURCES.iter().all(|k| is_absent(v, k)) {
        v.insert("emptyDir".to_owned(), Value::Object(Obj::new()));
        out.record(at, "emptyDir");
    }
    // The ImageVolume gate: beta and on by default from 1.35, GA in 1.36.
    if minor >= 35 {
        with_existing(v, "image", at, out, |i, at, out| {
            if is_empty_string(i, "pullPolicy") {
                let policy = pull_policy(str_of(i, "reference").unwrap_or(""));
                i.insert("pullPolicy".to_owned(), Value::String(policy.to_owned()));
                out.record(at, "pullPolicy");
            }
        });
    }
    with_existing(v, "hostPath", at, out, host_path);
    with_existing(v, "secret", at, out, default_mode);
    with_existing(v, "iscsi", at, out, iscsi);
    with_existing(v, "rbd", at, out, rbd);
    with_existing(v, "downwardAPI", at, out, |d, at, out| {
        default_mode(d, at, out);
        downward_items(d, at, out);
    });
    with_existing(v, "configMap", at, out, default_mode);
    with_existing(v, "azureDisk", at, out, azure_disk);
    with_existing(v, "projected", at, out, |p, at, out| {
        default_mode(p, at, out);
        each_obj(p, "sources", at, out, |s, at, out| {
            with_existing(s, "downwardAPI", at, out, downward_items);
            with_existing(s, "serviceAccountToken", at, out, |t, at, out| {
                set_ptr(t, "expirationSeconds", || json!(3600), at, out);
            });
        });
    });
    with_existing(v, "scaleIO", at, out, scale_io);
    with_existing(v, "ephemeral", at, out, |e, at, out| {
        with_existing(e, "volumeClaimTemplate", at, out, |t, at, out| with_obj(t, "spec", at, out, claim_spec));
    });
}

fn default_mode(m: &mut Obj, at: &str, out: &mut Out) {
    set_ptr(m, "defaultMode", || json!(DEFAULT_MODE), at, out);
}

fn downward_items(d: &mut Obj, at: &str, out: &mut Out) {
    each_obj(d, "items", at, out, |i, at, out| with_existing(i, "fieldRef", at, out, field_ref));
}

fn host_path(h: &mut Obj, at: &str, out: &mut Out) {
    set_ptr(h, "type", || json!(""), at, out);
}

fn iscsi(i: &mut Obj, at: &str, out: &mut Out) {
    set_str(i, "iscsiInterface", "default", at, out);
}

fn rbd(r: &mut Obj, at: &str, out: &mut Out) {
    set_str(r, "pool", "rbd", at, out);
    set_str(r, "user", "admin", at, out);
    set_str(r, "keyring", "/etc/ceph/keyring", at, out);
}

fn azure_disk(a: &mut Obj, at: &str, out: &mut Out) {
    set_ptr(a, "cachingMode", || json!("ReadWrite"), at, out);
    set_ptr(a, "fsType", || json!("ext4"), at, out);
    set_ptr(a, "readOnly", || json!(false), at, out);
    set_ptr(a, "kind", || json!("Shared"), at, out);
}

fn scale_io(s: &mut Obj, at: &str, out: &mut Out) {
    set_str(s, "storageMode", "ThinProvisioned", at, out);
    set_str(s, "fsType", "xfs", at, out);
}

/// `imagePullPolicy` (and an image volume's `pullPolicy`) for an image: `Always` when ParseImageName gives the tag
/// `latest` (written, or no tag and no digest), `IfNotPresent` otherwise, a reference it rejects included.
fn pull_policy(image: &str) -> &'static str {
    if image_tag(image) == Some("latest") { "Always" } else { "IfNotPresent" }
}

/// The tag `ParseImageName` (k8s.io/kubernetes pkg/util/parsers, on github.com/distribution/reference's
/// `ParseNormalizedNamed`) returns: the written tag, `latest` when there is neither tag nor digest, and none for a
/// digest alone or a reference it rejects.
fn image_tag(s: &str) -> Option<&str> {
    // A bare 64-hex identifier is refused as a repository name.
    if s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return None;
    }
    // splitDockerDomain: the first component is a registry if it has a dot or a colon, is localhost, or has
    // upper-case letters; otherwise the image is on Docker Hub (under library/ when it has one component).
    let (domain, remainder) = match s.find('/') {
        Some(i) => {
            let first = &s[..i];
            if first.contains(['.', ':']) || first == "localhost" || first.chars().any(char::is_uppercase) {
                (first, &s[i + 1..])
            } else {
                ("docker.io", s)
            }
        }
        None => ("docker.io", s),
    };
    let domain = if domain == "index.docker.io" { "docker.io" } else { domain };
    let library = domain == "docker.io" && !remainder.contains('/');
    let remote = remainder.split(':').next().unwrap_or(remainder);
    if remote.chars().any(char::is_uppercase) {
        return None;
    }
    let (named, digest) = match remainder.split_once('@') {
        Some((named, digest)) => (named, Some(digest)),
        None => (remainder, None),
    };
    let (path, tag) = match named.rfind(':') {
        Some(i) if !named[i + 1..].contains('/') => (&named[..i], Some(&named[i + 1..])),
        _ => (named, None),
    };
    let name_len = domain.len() + 1 + if library { "library/".len() } else { 0 } + path.len();
    if !valid_domain(domain) || !path.split('/').all(valid_path_component) || name_len > 255 {
        return None;
    }
    if let Some(tag) = tag
        && !valid_tag(tag)
    {
        return None;
    }
    if let Some(digest) = digest
        && !valid_digest(digest)
    {
        return None;
    }
    match (tag, digest) {
        (Some(tag), _) => Some(tag),
        (None, Some(_)) => None,
        (None, None) => Some("latest"),
    }
}

/// `host[:port]`, the host a DNS name of alphanumeric components (hyphens inside) or a bracketed IPv6 address.
fn valid_domain(d: &str) -> bool {
    let (host, port) = if let Some(rest) = d.strip_prefix('[') {
        let Some(end) = rest.find(']') else { return false };
        let inner = &rest[..end];
        if inner.is_empty() || !inner.bytes().all(|b| b.is_ascii_hexdigit() || b == b':') {
            return false;
        }
        match &rest[end + 1..] {
            "" => return true,
            tail => match tail.strip_prefix(':') {
                Some(port) => ("x", Some(port)),
                None => return false,
            },
        }
    } else {
        match d.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (d, None),
        }
    };
    let port_ok = port.is_none_or(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    let host_ok = host.split('.').all(|c| {
        let b = c.as_bytes();
        !b.is_empty()
            && b.iter().all(|x| x.is_ascii_alphanumeric() || *x == b'-')
            && b[0] != b'-'
            && b[b.len() - 1] != b'-'
    });
    port_ok && host_ok
}

/// `[a-z0-9]+` runs joined by `.`, `_`, `__` or one or more `-`.
fn valid_path_component(c: &str) -> bool {
    let b = c.as_bytes();
    let alnum = |x: u8| x.is_ascii_lowercase() || x.is_ascii_digit();
    let mut i = 0;
    loop {
        let start = i;
        while i < b.len() && alnum(b[i]) {
            i += 1;
        }
        if i == start {
            return false;
        }
        if i == b.len() {
            return true;
        }
        match b[i] {
            b'.' => i += 1,
            b'_' => {
                i += 1;
                if i < b.len() && b[i] == b'_' {
                    i += 1;
                }
            }
            b'-' => {
                while i < b.len() && b[i] == b'-' {
                    i += 1;
                }
            }
            _ => return false,
        }
    }
}

/// `[\w][\w.-]{0,127}`.
fn valid_tag(t: &str) -> bool {
    let b = t.as_bytes();
    let word = |x: u8| x.is_ascii_alphanumeric() || x == b'_';
    !b.is_empty() && b.len() <= 128 && word(b[0]) && b[1..].iter().all(|x| word(*x) || *x == b'.' || *x == b'-')
}

/// A digest go-digest accepts: an algorithm it has (sha256, sha384, sha512) and lower-case hex of its length.
fn valid_digest(d: &str) -> bool {
    let Some((algorithm, hex)) = d.split_once(':') else { return false };
    let len = match algorithm {
        "sha256" => 64,
        "sha384" => 96,
        "sha512" => 128,
        _ => return false,
    };
    hex.len() == len && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

// ---------------------------------------------------------------------------------------------------------------
// core/v1: the other kinds

/// `SetDefaults_ReplicationController` (selector and labels from the template's labels; replicas 1), then the
/// template's PodSpec defaults when there is a template.
fn replication_controller(obj: &mut Obj, minor: u32, out: &mut Out) {
    let labels = template_labels(obj);
    if let Some(labels) = &labels {
        metadata_labels(obj, labels, out);
    }
    with_obj(obj, "spec", "", out, |s, at, out| {
        if let Some(labels) = labels
            && is_empty_map(s, "selector")
        {
            s.insert("selector".to_owned(), Value::Object(labels));
            out.record(at, "selector");
        }
        set_ptr(s, "replicas", || json!(1), at, out);
        with_existing(s, "template", at, out, |t, at, out| {
            with_obj(t, "spec", at, out, |s, at, out| pod_spec_map(s, at, minor, false, out));
        });
    });
}

/// The non-empty labels of `spec.template.metadata.labels`.
fn template_labels(obj: &Obj) -> Option<Obj> {
    let template = obj.get("spec")?.get("template")?.get("metadata")?.as_object()?;
    non_empty_map(template, "labels")
}

/// The object's labels become `labels` when it has none.
fn metadata_labels(obj: &mut Obj, labels: &Obj, out: &mut Out) {
    with_obj(obj, "metadata", "", out, |m, at, out| {
        if is_empty_map(m, "labels") {
            m.insert("labels".to_owned(), Value::Object(labels.clone()));
            out.record(at, "labels");
        }
    });
}

/// `SetDefaults_Service` and the `+default="TCP"` of its ports.
fn service(obj: &mut Obj, out: &mut Out) {
    with_obj(obj, "spec", "", out, |s, at, out| {
        set_str(s, "sessionAffinity", "None", at, out);
        if str_of(s, "sessionAffinity") == Some("ClientIP") {
            with_obj(s, "sessionAffinityConfig", at, out, |c, at, out| {
                with_obj(c, "clientIP", at, out, |ip, at, out| {
                    set_ptr(ip, "timeoutSeconds", || json!(10800), at, out);
                });
            });
        }
        set_str(s, "type", "ClusterIP", at, out);
        each_obj(s, "ports", at, out, |p, at, out| {
            set_str(p, "protocol", "TCP", at, out);
            let unset = match p.get("targetPort") {
                None | Some(Value::Null) => true,
                Some(Value::String(t)) => t.is_empty(),
                Some(Value::Number(n)) => n.as_f64() == Some(0.0),
                Some(_) => false,
            };
            if unset && let Some(port) = p.get("port").filter(|v| v.is_i64() || v.is_u64()).cloned() {
                p.insert("targetPort".to_owned(), port);
                out.record(at, "targetPort");
            }
        });
        let kind = str_of(s, "type").unwrap_or("");
        let external_ips = matches!(s.get("externalIPs"), Some(Value::Array(a)) if !a.is_empty());
        let externally_accessible =
            kind == "LoadBalancer" || kind == "NodePort" || (kind == "ClusterIP" && external_ips);
        let internal = matches!(kind, "ClusterIP" | "NodePort" | "LoadBalancer");
        let load_balancer = kind == "LoadBalancer";
        if externally_accessible {
            set_str(s, "externalTrafficPolicy", "Cluster", at, out);
        }
        if internal {
            set_ptr(s, "internalTrafficPolicy", || json!("Cluster"), at, out);
        }
        if load_balancer {
            set_ptr(s, "allocateLoadBalancerNodePorts", || json!(true), at, out);
        }
    });
    let load_balancer = obj.get("spec").and_then(|s| s.get("type")).and_then(Value::as_str) == Some("LoadBalancer");
    if load_balancer {
        with_existing(obj, "status", "", out, |st, at, out| {
            with_existing(st, "loadBalancer", at, out, |lb, at, out| {
                each_obj(lb, "ingress", at, out, |i, at, out| {
                    if !is_empty_string(i, "ip") {
                        set_ptr(i, "ipMode", || json!("VIP"), at, out);
                    }
                });
            });
        });
    }
}

/// `SetDefaults_Namespace` (the `kubernetes.io/metadata.name` label, when missing) and `SetDefaults_NamespaceStatus`.
fn namespace(obj: &mut Obj, out: &mut Out) {
    with_existing(obj, "metadata", "", out, |m, at, out| {
        let Some(name) = str_of(m, "name").filter(|n| !n.is_empty()).map(str::to_owned) else { return };
        with_obj(m, "labels", at, out, |l, at, out| {
            set_ptr(l, "kubernetes.io/metadata.name", || Value::String(name), at, out);
        });
    });
    with_obj(obj, "status", "", out, |s, at, out| set_str(s, "phase", "Active", at, out));
}

/// A PersistentVolumeClaim (or a StatefulSet's claim template): status phase Pending, volumeMode Filesystem.
fn claim(c: &mut Obj, at: &str, out: &mut Out) {
    with_obj(c, "status", at, out, |s, at, out| set_str(s, "phase", "Pending", at, out));
    with_obj(c, "spec", at, out, claim_spec);
}

fn claim_spec(s: &mut Obj, at: &str, out: &mut Out) {
    set_ptr(s, "volumeMode", || json!("Filesystem"), at, out);
}

/// `SetDefaults_PersistentVolume` and the defaults of its volume sources.
fn volume_object(obj: &mut Obj, out: &mut Out) {
    with_obj(obj, "status", "", out, |s, at, out| set_str(s, "phase", "Pending", at, out));
    with_obj(obj, "spec", "", out, |s, at, out| {
        set_str(s, "persistentVolumeReclaimPolicy", "Retain", at, out);
        set_ptr(s, "volumeMode", || json!("Filesystem"), at, out);
        with_existing(s, "hostPath", at, out, host_path);
        with_existing(s, "rbd", at, out, rbd);
        with_existing(s, "iscsi", at, out, iscsi);
        with_existing(s, "azureDisk", at, out, azure_disk);
        with_existing(s, "scaleIO", at, out, scale_io);
    });
}

/// `SetDefaults_LimitRangeItem`: a Container item's default limits come from max, its default requests from the
/// default limits, then from min.
fn limit(item: &mut Obj, at: &str, out: &mut Out) {
    if str_of(item, "type") != Some("Container") {
        return;
    }
    if let Some(max) = non_empty_map(item, "max") {
        copy_missing(item, "default", max, at, out);
    }
    let mut source = non_empty_map(item, "default").unwrap_or_default();
    if let Some(Value::Object(min)) = item.get("min") {
        for (k, v) in min {
            if !source.contains_key(k) {
                source.insert(k.clone(), v.clone());
            }
        }
    }
    copy_missing(item, "defaultRequest", source, at, out);
}

// ---------------------------------------------------------------------------------------------------------------
// apps/v1

fn deployment(s: &mut Obj, at: &str, minor: u32, out: &mut Out) {
    set_ptr(s, "replicas", || json!(1), at, out);
    with_obj(s, "strategy", at, out, |st, at, out| {
        set_str(st, "type", "RollingUpdate", at, out);
        if str_of(st, "type") == Some("RollingUpdate") {
            with_obj(st, "rollingUpdate", at, out, |r, at, out| {
                set_ptr(r, "maxUnavailable", || json!("25%"), at, out);
                set_ptr(r, "maxSurge", || json!("25%"), at, out);
            });
        }
    });
    set_ptr(s, "revisionHistoryLimit", || json!(10), at, out);
    set_ptr(s, "progressDeadlineSeconds", || json!(600), at, out);
    template(s, at, minor, out);
}

fn daemon_set(s: &mut Obj, at: &str, minor: u32, out: &mut Out) {
    with_obj(s, "updateStrategy", at, out, |st, at, out| {
        set_str(st, "type", "RollingUpdate", at, out);
        if str_of(st, "type") == Some("RollingUpdate") {
            with_obj(st, "rollingUpdate", at, out, |r, at, out| {
                set_ptr(r, "maxUnavailable", || json!(1), at, out);
                set_ptr(r, "maxSurge", || json!(0), at, out);
            });
        }
    });
    set_ptr(s, "revisionHistoryLimit", || json!(10), at, out);
    template(s, at, minor, out);
}

fn stateful_set(s: &mut Obj, at: &str, minor: u32, out: &mut Out) {
    set_str(s, "podManagementPolicy", "OrderedReady", at, out);
    with_obj(s, "updateStrategy", at, out, |u, at, out| {
        // Only a strategy without a type gets a rollingUpdate made for it; the partition (and maxUnavailable)
        // then go into whichever rollingUpdate there is.
        let typeless = is_empty_string(u, "type");
        if typeless {
            u.insert("type".to_owned(), json!("RollingUpdate"));
            out.record(at, "type");
        }
        if str_of(u, "type") != Some("RollingUpdate") {
            return;
        }
        let fill = |r: &mut Obj, at: &str, out: &mut Out| {
            set_ptr(r, "partition", || json!(0), at, out);
            // MaxUnavailableStatefulSet: on by default in 1.35.0 to 1.35.3, turned off again in 1.35.4 and 1.36
            // (kubernetes/kubernetes#137904), on from 1.37.
            if minor >= 37 {
                set_ptr(r, "maxUnavailable", || json!(1), at, out);
            }
        };
        if typeless {
            with_obj(u, "rollingUpdate", at, out, fill);
        } else {
            with_existing(u, "rollingUpdate", at, out, fill);
        }
    });
    with_obj(s, "persistentVolumeClaimRetentionPolicy", at, out, |p, at, out| {
        set_str(p, "whenDeleted", "Retain", at, out);
        set_str(p, "whenScaled", "Retain", at, out);
    });
    set_ptr(s, "replicas", || json!(1), at, out);
    set_ptr(s, "revisionHistoryLimit", || json!(10), at, out);
    template(s, at, minor, out);
    each_obj(s, "volumeClaimTemplates", at, out, claim);
}

// ---------------------------------------------------------------------------------------------------------------
// batch/v1

/// `SetDefaults_Job`, then the template's PodSpec defaults. The Job's labels (from the template's) come first here,
/// where `SetDefaults_Job` sets them after backoffLimit.
fn job(obj: &mut Obj, minor: u32, out: &mut Out) {
    if let Some(labels) = template_labels(obj) {
        metadata_labels(obj, &labels, out);
    }
    with_obj(obj, "spec", "", out, |s, at, out| {
        if is_absent(s, "completions") && is_absent(s, "parallelism") {
            set_ptr(s, "completions", || json!(1), at, out);
        }
        set_ptr(s, "parallelism", || json!(1), at, out);
        let per_index = !is_absent(s, "backoffLimitPerIndex");
        set_ptr(s, "backoffLimit", || json!(if per_index { i64::from(i32::MAX) } else { 6 }), at, out);
        set_ptr(s, "completionMode", || json!("NonIndexed"), at, out);
        set_ptr(s, "suspend", || json!(false), at, out);
        with_existing(s, "podFailurePolicy", at, out, |p, at, out| {
            each_obj(p, "rules", at, out, |r, at, out| {
                each_obj(r, "onPodConditions", at, out, |c, at, out| set_str(c, "status", "True", at, out));
            });
        });
        let failure_policy = !is_absent(s, "podFailurePolicy");
        let replacement = if failure_policy { "Failed" } else { "TerminatingOrFailed" };
        set_ptr(s, "podReplacementPolicy", || json!(replacement), at, out);
        set_ptr(s, "manualSelector", || json!(false), at, out);
        template(s, at, minor, out);
    });
}

// ---------------------------------------------------------------------------------------------------------------
// networking.k8s.io/v1

fn network_policy(s: &mut Obj, at: &str, out: &mut Out) {
    let no_types = match s.get("policyTypes") {
        None | Some(Value::Null) => true,
        Some(Value::Array(a)) => a.is_empty(),
        Some(_) => false,
    };
    if no_types {
        let egress = matches!(s.get("egress"), Some(Value::Array(a)) if !a.is_empty());
        let types = if egress { json!(["Ingress", "Egress"]) } else { json!(["Ingress"]) };
        s.insert("policyTypes".to_owned(), types);
        out.record(at, "policyTypes");
    }
    for rules in ["ingress", "egress"] {
        each_obj(s, rules, at, out, |r, at, out| {
            each_obj(r, "ports", at, out, |p, at, out| set_ptr(p, "protocol", || json!("TCP"), at, out));
        });
    }
}

// ---------------------------------------------------------------------------------------------------------------
// autoscaling/v2

fn autoscaler(s: &mut Obj, at: &str, out: &mut Out) {
    set_ptr(s, "minReplicas", || json!(1), at, out);
    if matches!(s.get("metrics"), None | Some(Value::Null))
        || matches!(s.get("metrics"), Some(Value::Array(a)) if a.is_empty())
    {
        s.insert(
            "metrics".to_owned(),
            json!([{
                "type": "Resource",
                "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}},
            }]),
        );
        out.record(at, "metrics");
    }
    // Only a behavior that is there is completed.
    with_existing(s, "behavior", at, out, |b, at, out| {
        with_obj(b, "scaleUp", at, out, |r, at, out| {
            set_ptr(r, "stabilizationWindowSeconds", || json!(0), at, out);
            set_ptr(r, "selectPolicy", || json!("Max"), at, out);
            set_ptr(
                r,
                "policies",
                || {
                    json!([
                        {"type": "Pods", "value": 4, "periodSeconds": 15},
                        {"type": "Percent", "value": 100, "periodSeconds": 15},
                    ])
                },
                at,
                out,
            );
        });
        with_obj(b, "scaleDown", at, out, |r, at, out| {
            set_ptr(r, "selectPolicy", || json!("Max"), at, out);
            set_ptr(r, "policies", || json!([{"type": "Percent", "value": 100, "periodSeconds": 15}]), at, out);
        });
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pointers(d: &[Defaulted]) -> Vec<&str> {
        d.iter().map(|d| d.pointer.as_str()).collect()
    }

    #[test]
    fn a_bare_pod_gets_what_kubectl_shows() {
        let mut pod = json!({
            "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"},
            "spec": {"containers": [{"name": "nginx", "image": "nginx:1.25"}]},
        });
        let set = apply(&mut pod, 34);
        assert_eq!(
            pod,
            json!({
                "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"},
                "spec": {
                    "containers": [{
                        "name": "nginx",
                        "image": "nginx:1.25",
                        "imagePullPolicy": "IfNotPresent",
                        "terminationMessagePath": "/dev/termination-log",
                        "terminationMessagePolicy": "File",
                    }],
                    "dnsPolicy": "ClusterFirst",
                    "enableServiceLinks": true,
                    "restartPolicy": "Always",
                    "schedulerName": "default-scheduler",
                    "securityContext": {},
                    "terminationGracePeriodSeconds": 30,
                },
            })
        );
        assert_eq!(
            pointers(&set),
            [
                "/spec/enableServiceLinks",
                "/spec/dnsPolicy",
                "/spec/restartPolicy",
                "/spec/securityContext",
                "/spec/terminationGracePeriodSeconds",
                "/spec/schedulerName",
                "/spec/containers/0/imagePullPolicy",
                "/spec/containers/0/terminationMessagePath",
                "/spec/containers/0/terminationMessagePolicy",
            ]
        );
        for d in &set {
            assert!(pod.pointer(&d.pointer).is_some(), "{} resolves", d.pointer);
        }
        // Defaulting twice sets nothing more.
        assert!(apply(&mut pod, 34).is_empty());
    }

    #[test]
    fn pull_policy_follows_the_tag() {
        let digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        let cases = [
            ("nginx", "Always"),
            ("nginx:latest", "Always"),
            ("nginx:1.25", "IfNotPresent"),
            ("library/nginx", "Always"),
            ("docker.io/library/nginx:1.25", "IfNotPresent"),
            ("registry.example.com/team/app", "Always"),
            ("registry.example.com:5000/team/app:v2", "IfNotPresent"),
            ("localhost:5000/app", "Always"),
            ("localhost/app:latest", "Always"),
            ("[::1]:5000/app", "Always"),
            ("ghcr.io/org/app-x__y.z:latest", "Always"),
            (&format!("nginx@{digest}"), "IfNotPresent"),
            (&format!("nginx:latest@{digest}"), "Always"),
            (&format!("nginx:1.25@{digest}"), "IfNotPresent"),
            // References ParseImageName rejects have no tag.
            ("Nginx", "IfNotPresent"),
            ("", "IfNotPresent"),
            ("nginx@sha256:abc", "IfNotPresent"),
            ("nginx:latest@md5:0123456789abcdef0123456789abcdef", "IfNotPresent"),
            ("nginx:-bad", "IfNotPresent"),
            ("my--app_.x", "IfNotPresent"),
            ("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "IfNotPresent"),
            ("nginx:LATEST", "IfNotPresent"),
        ];
        for (image, want) in cases {
            assert_eq!(pull_policy(image), want, "{image}");
        }
        let long = format!("{}:latest", "a".repeat(250));
        assert_eq!(pull_policy(&long), "IfNotPresent", "a name over 255 characters");
    }

    #[test]
    fn images_in_a_pod() {
        let mut pod = json!({"apiVersion": "v1", "kind": "Pod", "spec": {
            "initContainers": [{"name": "a", "image": "busybox"}],
            "containers": [
                {"name": "b", "image": "nginx:latest"},
                {"name": "c", "image": "nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"},
                {"name": "d", "image": "nginx", "imagePullPolicy": "Never"},
                {"name": "e", "image": "nginx", "imagePullPolicy": ""},
            ],
            "ephemeralContainers": [{"name": "f", "image": "busybox:1.36"}],
        }});
        let set = apply(&mut pod, 35);
        let policy = |p: &str| pod.pointer(p).and_then(Value::as_str).map(str::to_owned);
        assert_eq!(policy("/spec/initContainers/0/imagePullPolicy").as_deref(), Some("Always"));
        assert_eq!(policy("/spec/containers/0/imagePullPolicy").as_deref(), Some("Always"));
        assert_eq!(policy("/spec/containers/1/imagePullPolicy").as_deref(), Some("IfNotPresent"));
        assert_eq!(policy("/spec/containers/2/imagePullPolicy").as_deref(), Some("Never"));
        assert_eq!(policy("/spec/containers/3/imagePullPolicy").as_deref(), Some("Always"));
        assert_eq!(policy("/spec/ephemeralContainers/0/imagePullPolicy").as_deref(), Some("IfNotPresent"));
        assert!(!pointers(&set).contains(&"/spec/containers/2/imagePullPolicy"));
        assert!(pointers(&set).contains(&"/spec/containers/3/imagePullPolicy"));
    }

    #[test]
    fn a_deployment_and_its_template() {
        let mut d = json!({
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
            "spec": {
                "selector": {"matchLabels": {"app": "web"}},
                "template": {
                    "metadata": {"labels": {"app": "web"}},
                    "spec": {"containers": [{"name": "web", "image": "nginx:1.25",
                        "ports": [{"containerPort": 80}],
                        "resources": {"limits": {"cpu": "500m"}},
                        "readinessProbe": {"httpGet": {"port": 80}}}]},
                },
            },
        });
        let set = apply(&mut d, 36);
        let spec = &d["spec"];
        assert_eq!(spec["replicas"], json!(1));
        assert_eq!(
            spec["strategy"],
            json!({"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}})
        );
        assert_eq!(spec["revisionHistoryLimit"], json!(10));
        assert_eq!(spec["progressDeadlineSeconds"], json!(600));
        let pod = &spec["template"]["spec"];
        assert_eq!(pod["dnsPolicy"], "ClusterFirst");
        assert_eq!(pod["restartPolicy"], "Always");
        assert_eq!(pod["schedulerName"], "default-scheduler");
        assert_eq!(pod["securityContext"], json!({}));
        assert_eq!(pod["terminationGracePeriodSeconds"], json!(30));
        // SetDefaults_Pod is for Pods only: no service links, no requests from limits in a template.
        assert!(pod.get("enableServiceLinks").is_none());
        assert!(pod["containers"][0]["resources"].get("requests").is_none());
        let c = &pod["containers"][0];
        assert_eq!(c["ports"][0]["protocol"], "TCP");
        assert_eq!(
            c["readinessProbe"],
            json!({"httpGet": {"port": 80, "path": "/", "scheme": "HTTP"},
                "timeoutSeconds": 1, "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3})
        );
        let p = pointers(&set);
        assert_eq!(
            &p[..5],
            [
                "/spec/replicas",
                "/spec/strategy",
                "/spec/revisionHistoryLimit",
                "/spec/progressDeadlineSeconds",
                "/spec/template/spec/dnsPolicy"
            ]
        );
        assert!(p.contains(&"/spec/template/spec/containers/0/readinessProbe/httpGet/path"));
        for d in &set {
            assert!(d.pointer.starts_with("/spec/"));
        }
    }

    #[test]
    fn pointers_name_the_highest_absent_field() {
        let mut d = json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "spec": {"strategy": {}, "template": {"spec": {"containers": []}}}});
        let set = apply(&mut d, 34);
        let p = pointers(&set);
        assert!(p.contains(&"/spec/strategy/type"));
        assert!(p.contains(&"/spec/strategy/rollingUpdate"));
        assert!(!p.iter().any(|p| p.starts_with("/spec/strategy/rollingUpdate/")));

        let mut d = json!({"apiVersion": "apps/v1", "kind": "Deployment", "spec": {"strategy": {"type": "Recreate"}}});
        let set = apply(&mut d, 34);
        assert_eq!(d["spec"]["strategy"], json!({"type": "Recreate"}));
        // An absent template is filled as a whole.
        assert!(pointers(&set).contains(&"/spec/template"));
        assert_eq!(d["spec"]["template"]["spec"]["dnsPolicy"], "ClusterFirst");

        // No spec at all: one entry for it.
        let mut d = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "x"}});
        assert_eq!(pointers(&apply(&mut d, 34)), ["/spec"]);
        assert_eq!(d["spec"]["replicas"], json!(1));

        // Requests copied from limits: the requests mapping, or each missing key (escaped).
        let mut pod = json!({"apiVersion": "v1", "kind": "Pod", "spec": {"containers": [
            {"name": "a", "image": "x:1", "resources": {"limits": {"cpu": "1", "nvidia.com/gpu": 1}}},
            {"name": "b", "image": "x:1", "resources": {"limits": {"cpu": "1", "memory": "1Gi"},
                "requests": {"cpu": "100m"}}},
        ]}});
        let set = apply(&mut pod, 34);
        let p = pointers(&set);
        assert_eq!(&p[..2], ["/spec/containers/0/resources/requests", "/spec/containers/1/resources/requests/memory"]);
        assert_eq!(pod["spec"]["containers"][0]["resources"]["requests"], json!({"cpu": "1", "nvidia.com/gpu": 1}));
        assert_eq!(pod["spec"]["containers"][1]["resources"]["requests"], json!({"cpu": "100m", "memory": "1Gi"}));
        let mut pod = json!({"apiVersion": "v1", "kind": "Pod", "spec": {"containers": [
            {"name": "a", "image": "x:1", "resources": {"limits": {"nvidia.com/gpu": 1}, "requests": {}}},
        ]}});
        let set = apply(&mut pod, 34);
        assert_eq!(set[0].pointer, "/spec/containers/0/resources/requests/nvidia.com~1gpu");
        assert_eq!(pod.pointer(&set[0].pointer), Some(&json!(1)));
    }

    #[test]
    fn present_values_are_kept() {
        let mut pod = json!({"apiVersion": "v1", "kind": "Pod", "spec": {
            "containers": [{"name": "a", "image": "nginx", "imagePullPolicy": "IfNotPresent",
                "terminationMessagePath": "/tmp/t", "terminationMessagePolicy": "FallbackToLogsOnError",
                "ports": [{"containerPort": 80, "protocol": "UDP"}],
                "livenessProbe": {"exec": {"command": ["true"]}, "timeoutSeconds": 5, "periodSeconds": 3,
                    "successThreshold": 1, "failureThreshold": 9},
                "env": [{"name": "N", "valueFrom": {"fieldRef": {"apiVersion": "v2", "fieldPath": "x"}}}]}],
            "dnsPolicy": "Default", "restartPolicy": "Never", "securityContext": {"runAsUser": 1},
            "terminationGracePeriodSeconds": 0, "schedulerName": "mine", "enableServiceLinks": false,
            "volumes": [{"name": "s", "secret": {"secretName": "s", "defaultMode": 256}}],
        }});
        let before = pod.clone();
        assert!(apply(&mut pod, 37).is_empty());
        assert_eq!(pod, before);

        let mut d = json!({"apiVersion": "apps/v1", "kind": "Deployment", "spec": {
            "replicas": 0, "revisionHistoryLimit": 0, "progressDeadlineSeconds": 30,
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}},
            "template": {"spec": {"containers": [], "dnsPolicy": "None", "restartPolicy": "Always",
                "securityContext": {}, "terminationGracePeriodSeconds": 5, "schedulerName": "s"}}}});
        let before = d.clone();
        assert!(apply(&mut d, 34).is_empty());
        assert_eq!(d, before);
    }

    #[test]
    fn service_ports() {
        let mut svc = json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"}, "spec": {
            "selector": {"app": "web"},
            "ports": [
                {"port": 80},
                {"name": "https", "port": 443, "targetPort": "https", "protocol": "TCP"},
                {"port": 53, "protocol": "UDP", "targetPort": 0},
            ],
        }});
        let set = apply(&mut svc, 34);
        assert_eq!(
            svc["spec"],
            json!({
                "selector": {"app": "web"},
                "ports": [
                    {"port": 80, "protocol": "TCP", "targetPort": 80},
                    {"name": "https", "port": 443, "targetPort": "https", "protocol": "TCP"},
                    {"port": 53, "protocol": "UDP", "targetPort": 53},
                ],
                "sessionAffinity": "None",
                "type": "ClusterIP",
                "internalTrafficPolicy": "Cluster",
            })
        );
        assert_eq!(
            pointers(&set),
            [
                "/spec/sessionAffinity",
                "/spec/type",
                "/spec/ports/0/protocol",
                "/spec/ports/0/targetPort",
                "/spec/ports/2/targetPort",
                "/spec/internalTrafficPolicy",
            ]
        );

        let mut lb = json!({"apiVersion": "v1", "kind": "Service", "spec": {"type": "LoadBalancer",
            "sessionAffinity": "ClientIP", "ports": [{"port": 80, "targetPort": 8080}]},
            "status": {"loadBalancer": {"ingress": [{"ip": "10.0.0.1"}, {"hostname": "lb.example"}]}}});
        apply(&mut lb, 34);
        assert_eq!(lb["spec"]["externalTrafficPolicy"], "Cluster");
        assert_eq!(lb["spec"]["allocateLoadBalancerNodePorts"], json!(true));
        assert_eq!(lb["spec"]["sessionAffinityConfig"], json!({"clientIP": {"timeoutSeconds": 10800}}));
        assert_eq!(lb["spec"]["ports"][0]["targetPort"], json!(8080));
        assert_eq!(
            lb["status"]["loadBalancer"]["ingress"],
            json!([{"ip": "10.0.0.1", "ipMode": "VIP"}, {"hostname": "lb.example"}])
        );

        let mut ext =
            json!({"apiVersion": "v1", "kind": "Service", "spec": {"type": "ExternalName", "externalName": "a.b"}});
        apply(&mut ext, 34);
        assert!(ext["spec"].get("internalTrafficPolicy").is_none());
        assert!(ext["spec"].get("externalTrafficPolicy").is_none());
        let mut ips = json!({"apiVersion": "v1", "kind": "Service", "spec": {"externalIPs": ["1.2.3.4"]}});
        apply(&mut ips, 34);
        assert_eq!(ips["spec"]["externalTrafficPolicy"], "Cluster");
    }

    #[test]
    fn a_cron_job_down_to_its_pod_template() {
        let mut cj = json!({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "hello"}, "spec": {
            "schedule": "*/1 * * * *",
            "jobTemplate": {"spec": {"template": {"spec": {
                "restartPolicy": "OnFailure",
                "containers": [{"name": "hello", "image": "busybox:1.28", "command": ["date"]}],
            }}}},
        }});
        let set = apply(&mut cj, 34);
        assert_eq!(
            cj["spec"],
            json!({
                "schedule": "*/1 * * * *",
                "concurrencyPolicy": "Allow",
                "suspend": false,
                "successfulJobsHistoryLimit": 3,
                "failedJobsHistoryLimit": 1,
                "jobTemplate": {"spec": {"template": {"spec": {
                    "restartPolicy": "OnFailure",
                    "containers": [{"name": "hello", "image": "busybox:1.28", "command": ["date"],
                        "imagePullPolicy": "IfNotPresent",
                        "terminationMessagePath": "/dev/termination-log",
                        "terminationMessagePolicy": "File"}],
                    "dnsPolicy": "ClusterFirst",
                    "securityContext": {},
                    "terminationGracePeriodSeconds": 30,
                    "schedulerName": "default-scheduler",
                }}}},
            })
        );
        assert!(pointers(&set).contains(&"/spec/jobTemplate/spec/template/spec/containers/0/imagePullPolicy"));
    }

    #[test]
    fn a_job() {
        let mut job = json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "pi"}, "spec": {
            "template": {"metadata": {"labels": {"app": "pi"}},
                "spec": {"restartPolicy": "Never", "containers": [{"name": "pi", "image": "perl:5.34"}]}}}});
        let set = apply(&mut job, 34);
        let s = &job["spec"];
        assert_eq!(s["completions"], json!(1));
        assert_eq!(s["parallelism"], json!(1));
        assert_eq!(s["backoffLimit"], json!(6));
        assert_eq!(s["completionMode"], "NonIndexed");
        assert_eq!(s["suspend"], json!(false));
        assert_eq!(s["podReplacementPolicy"], "TerminatingOrFailed");
        assert_eq!(s["manualSelector"], json!(false));
        assert_eq!(job["metadata"]["labels"], json!({"app": "pi"}));
        assert_eq!(set[0].pointer, "/metadata/labels");

        let mut job = json!({"apiVersion": "batch/v1", "kind": "Job", "spec": {"parallelism": 3,
            "completionMode": "Indexed", "completions": 10, "backoffLimitPerIndex": 1,
            "podFailurePolicy": {"rules": [{"action": "Ignore", "onPodConditions": [{"type": "DisruptionTarget"}]}]},
            "template": {"spec": {"restartPolicy": "Never", "containers": []}}}});
        apply(&mut job, 34);
        let s = &job["spec"];
        assert_eq!(s["parallelism"], json!(3));
        assert_eq!(s["backoffLimit"], json!(2147483647));
        assert_eq!(s["podReplacementPolicy"], "Failed");
        assert_eq!(s["podFailurePolicy"]["rules"][0]["onPodConditions"][0]["status"], "True");

        let mut job = json!({"apiVersion": "batch/v1", "kind": "Job", "spec": {"parallelism": 2}});
        apply(&mut job, 34);
        assert!(job["spec"].get("completions").is_none());
    }

    #[test]
    fn stateful_set_and_daemon_set() {
        let sts = || {
            json!({"apiVersion": "apps/v1", "kind": "StatefulSet", "spec": {
                "serviceName": "db",
                "template": {"spec": {"containers": [{"name": "db", "image": "postgres:16"}]}},
                "volumeClaimTemplates": [{"metadata": {"name": "data"},
                    "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}],
            }})
        };
        let mut s36 = sts();
        apply(&mut s36, 36);
        let s = &s36["spec"];
        assert_eq!(s["podManagementPolicy"], "OrderedReady");
        assert_eq!(s["updateStrategy"], json!({"type": "RollingUpdate", "rollingUpdate": {"partition": 0}}));
        assert_eq!(s["persistentVolumeClaimRetentionPolicy"], json!({"whenDeleted": "Retain", "whenScaled": "Retain"}));
        assert_eq!(s["replicas"], json!(1));
        assert_eq!(s["revisionHistoryLimit"], json!(10));
        assert_eq!(s["volumeClaimTemplates"][0]["status"], json!({"phase": "Pending"}));
        assert_eq!(s["volumeClaimTemplates"][0]["spec"]["volumeMode"], "Filesystem");
        let mut s37 = sts();
        apply(&mut s37, 37);
        assert_eq!(
            s37["spec"]["updateStrategy"],
            json!({"type": "RollingUpdate", "rollingUpdate": {"partition": 0, "maxUnavailable": 1}})
        );
        // A typed strategy without rollingUpdate gets none.
        let mut typed = json!({"apiVersion": "apps/v1", "kind": "StatefulSet", "spec": {"updateStrategy": {"type": "RollingUpdate"}}});
        apply(&mut typed, 37);
        assert_eq!(typed["spec"]["updateStrategy"], json!({"type": "RollingUpdate"}));

        let mut ds =
            json!({"apiVersion": "apps/v1", "kind": "DaemonSet", "spec": {"template": {"spec": {"containers": []}}}});
        apply(&mut ds, 34);
        assert_eq!(
            ds["spec"]["updateStrategy"],
            json!({"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}})
        );
        assert_eq!(ds["spec"]["revisionHistoryLimit"], json!(10));
    }

    #[test]
    fn pod_only_defaults_and_volumes() {
        let mut pod = json!({"apiVersion": "v1", "kind": "Pod", "spec": {
            "hostNetwork": true,
            "containers": [{"name": "a", "image": "x:1", "ports": [{"containerPort": 8080}, {"containerPort": 9090, "hostPort": 9091}],
                "env": [{"name": "NODE", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}},
                    {"name": "F", "valueFrom": {"fileKeyRef": {"volumeName": "v", "path": "p", "key": "k"}}}],
                "startupProbe": {"grpc": {"port": 9000}},
                "lifecycle": {"preStop": {"httpGet": {"port": 80, "path": "/stop"}}}}],
            "volumes": [
                {"name": "scratch"},
                {"name": "cfg", "configMap": {"name": "c"}},
                {"name": "host", "hostPath": {"path": "/var/log"}},
                {"name": "token", "projected": {"sources": [
                    {"serviceAccountToken": {"path": "token"}},
                    {"downwardAPI": {"items": [{"path": "n", "fieldRef": {"fieldPath": "metadata.name"}}]}}]}},
                {"name": "img", "image": {"reference": "quay.io/crio/artifact:v1"}},
                {"name": "eph", "ephemeral": {"volumeClaimTemplate": {"spec": {"accessModes": ["ReadWriteOnce"]}}}},
            ],
        }});
        apply(&mut pod, 34);
        let s = &pod["spec"];
        assert_eq!(
            s["containers"][0]["ports"],
            json!([
            {"containerPort": 8080, "hostPort": 8080, "protocol": "TCP"},
            {"containerPort": 9090, "hostPort": 9091, "protocol": "TCP"}])
        );
        assert_eq!(s["containers"][0]["env"][0]["valueFrom"]["fieldRef"]["apiVersion"], "v1");
        assert_eq!(s["containers"][0]["env"][1]["valueFrom"]["fileKeyRef"]["optional"], json!(false));
        assert_eq!(s["containers"][0]["startupProbe"]["grpc"], json!({"port": 9000, "service": ""}));
        assert_eq!(s["containers"][0]["lifecycle"]["preStop"]["httpGet"]["scheme"], "HTTP");
        assert_eq!(s["containers"][0]["lifecycle"]["preStop"]["httpGet"]["path"], "/stop");
        let v = &s["volumes"];
        assert_eq!(v[0], json!({"name": "scratch", "emptyDir": {}}));
        assert_eq!(v[1]["configMap"]["defaultMode"], json!(420));
        assert_eq!(v[2]["hostPath"], json!({"path": "/var/log", "type": ""}));
        assert_eq!(v[3]["projected"]["defaultMode"], json!(420));
        assert_eq!(v[3]["projected"]["sources"][0]["serviceAccountToken"]["expirationSeconds"], json!(3600));
        assert_eq!(v[3]["projected"]["sources"][1]["downwardAPI"]["items"][0]["fieldRef"]["apiVersion"], "v1");
        assert_eq!(v[5]["ephemeral"]["volumeClaimTemplate"]["spec"]["volumeMode"], "Filesystem");
        // The image volume's pullPolicy: not before 1.35.
        assert!(v[4]["image"].get("pullPolicy").is_none());
        apply(&mut pod, 35);
        assert_eq!(pod["spec"]["volumes"][4]["image"]["pullPolicy"], "IfNotPresent");
    }

    #[test]
    fn other_kinds() {
        let mut secret = json!({"apiVersion": "v1", "kind": "Secret", "data": {}});
        assert_eq!(pointers(&apply(&mut secret, 34)), ["/type"]);
        assert_eq!(secret["type"], "Opaque");

        let mut cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}});
        assert!(apply(&mut cm, 34).is_empty());

        let mut ns = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team-a"}});
        let set = apply(&mut ns, 34);
        assert_eq!(ns["metadata"]["labels"], json!({"kubernetes.io/metadata.name": "team-a"}));
        assert_eq!(ns["status"], json!({"phase": "Active"}));
        assert_eq!(pointers(&set), ["/metadata/labels", "/status"]);
        let mut ns = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "b", "labels": {"x": "y"}}});
        let set = apply(&mut ns, 34);
        assert_eq!(set[0].pointer, "/metadata/labels/kubernetes.io~1metadata.name");
        assert_eq!(ns.pointer(&set[0].pointer), Some(&json!("b")));

        let mut rc = json!({"apiVersion": "v1", "kind": "ReplicationController", "metadata": {"name": "r"},
            "spec": {"template": {"metadata": {"labels": {"app": "r"}}, "spec": {"containers": []}}}});
        apply(&mut rc, 34);
        assert_eq!(rc["spec"]["selector"], json!({"app": "r"}));
        assert_eq!(rc["metadata"]["labels"], json!({"app": "r"}));
        assert_eq!(rc["spec"]["replicas"], json!(1));
        assert_eq!(rc["spec"]["template"]["spec"]["restartPolicy"], "Always");

        let mut lr = json!({"apiVersion": "v1", "kind": "LimitRange", "spec": {"limits": [
            {"type": "Container", "max": {"cpu": "2", "memory": "1Gi"}, "default": {"cpu": "1"}, "min": {"cpu": "100m", "ephemeral-storage": "1Gi"}},
            {"type": "Pod", "max": {"cpu": "4"}}]}});
        let set = apply(&mut lr, 34);
        assert_eq!(lr["spec"]["limits"][0]["default"], json!({"cpu": "1", "memory": "1Gi"}));
        assert_eq!(
            lr["spec"]["limits"][0]["defaultRequest"],
            json!({"cpu": "1", "memory": "1Gi", "ephemeral-storage": "1Gi"})
        );
        assert!(lr["spec"]["limits"][1].get("default").is_none());
        assert_eq!(pointers(&set), ["/spec/limits/0/default/memory", "/spec/limits/0/defaultRequest"]);

        let mut np = json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "spec": {
            "podSelector": {}, "egress": [{"ports": [{"port": 53}, {"port": 53, "protocol": "UDP"}]}]}});
        apply(&mut np, 34);
        assert_eq!(np["spec"]["policyTypes"], json!(["Ingress", "Egress"]));
        assert_eq!(
            np["spec"]["egress"][0]["ports"],
            json!([{"port": 53, "protocol": "TCP"}, {"port": 53, "protocol": "UDP"}])
        );
        let mut np =
            json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "spec": {"podSelector": {}}});
        apply(&mut np, 34);
        assert_eq!(np["spec"]["policyTypes"], json!(["Ingress"]));

        let mut ing = json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "spec": {"rules": []}});
        assert!(apply(&mut ing, 34).is_empty());
        let mut pdb = json!({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "spec": {"minAvailable": 1}});
        assert!(apply(&mut pdb, 34).is_empty());

        let mut hpa = json!({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}, "maxReplicas": 5}});
        apply(&mut hpa, 34);
        assert_eq!(hpa["spec"]["minReplicas"], json!(1));
        assert_eq!(hpa["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"], json!(80));
        assert!(hpa["spec"].get("behavior").is_none());
        let mut hpa = json!({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "spec": {
            "maxReplicas": 5, "behavior": {"scaleDown": {"stabilizationWindowSeconds": 60}}}});
        let set = apply(&mut hpa, 34);
        let b = &hpa["spec"]["behavior"];
        assert_eq!(b["scaleUp"]["policies"][0], json!({"type": "Pods", "value": 4, "periodSeconds": 15}));
        assert_eq!(b["scaleUp"]["stabilizationWindowSeconds"], json!(0));
        assert_eq!(
            b["scaleDown"],
            json!({"stabilizationWindowSeconds": 60, "selectPolicy": "Max",
            "policies": [{"type": "Percent", "value": 100, "periodSeconds": 15}]})
        );
        assert!(pointers(&set).contains(&"/spec/behavior/scaleUp"));

        let mut pvc =
            json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "spec": {"accessModes": ["ReadWriteOnce"]}});
        assert_eq!(pointers(&apply(&mut pvc, 34)), ["/status", "/spec/volumeMode"]);
    }

    #[test]
    fn malformed_objects_do_not_panic() {
        let cases = [
            json!(null),
            json!("Pod"),
            json!([1, 2]),
            json!({"apiVersion": "v1", "kind": "Pod", "spec": "nope"}),
            json!({"apiVersion": "v1", "kind": "Pod", "spec": {"containers": "nope", "volumes": {"a": 1}}}),
            json!({"apiVersion": "v1", "kind": "Pod", "spec": {"containers": [1, "x", null, {"image": 5,
                "ports": "80", "env": [1], "livenessProbe": "p", "resources": {"limits": [1]}}]}}),
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "spec": {"strategy": "fast", "template": 3}}),
            json!({"apiVersion": "apps/v1", "kind": "StatefulSet", "spec": {"updateStrategy": {"type": 1, "rollingUpdate": "x"}, "volumeClaimTemplates": [[]]}}),
            json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": "m", "spec": {"template": {"metadata": {"labels": {"a": "b"}}}}}),
            json!({"apiVersion": "v1", "kind": "Service", "spec": {"ports": [{"port": "80"}, {"targetPort": []}], "type": 7}}),
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "n", "labels": "x"}}),
            json!({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "spec": {"behavior": {"scaleUp": 1}}}),
            json!({"apiVersion": 1, "kind": "Pod"}),
        ];
        for mut case in cases {
            let _ = apply(&mut case, 34);
        }
        let mut pod =
            json!({"apiVersion": "v1", "kind": "Pod", "spec": {"containers": [1, {"name": "a", "image": "x:1"}]}});
        let set = apply(&mut pod, 34);
        assert_eq!(pod["spec"]["containers"][0], json!(1));
        assert!(pointers(&set).contains(&"/spec/containers/1/imagePullPolicy"));
        let mut d = json!({"apiVersion": "apps/v1", "kind": "Deployment", "spec": {"strategy": "fast"}});
        apply(&mut d, 34);
        assert_eq!(d["spec"]["strategy"], "fast");
    }

    #[test]
    fn pod_spec_for_callers_building_pods() {
        let mut spec = json!({"containers": [{"name": "a", "image": "a", "resources": {"limits": {"cpu": "1"}}}]});
        let mut out = vec![Defaulted { pointer: "/earlier".to_owned() }];
        pod_spec(&mut spec, "/spec", 34, &mut out);
        assert_eq!(out[0].pointer, "/earlier");
        assert_eq!(out[1].pointer, "/spec/containers/0/resources/requests");
        assert_eq!(spec["enableServiceLinks"], json!(true));
        assert_eq!(spec["containers"][0]["imagePullPolicy"], "Always");
        let mut template = json!({"containers": []});
        let mut out = Vec::new();
        pod_template_spec(&mut template, "/spec/template/spec", 34, &mut out);
        assert!(template.get("enableServiceLinks").is_none());
        assert_eq!(out[0].pointer, "/spec/template/spec/dnsPolicy");
    }
}
