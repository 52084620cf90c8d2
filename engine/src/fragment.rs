//! Docs examples and playground input alike: a YAML document that is a whole object or a fragment of a Pod (the
//! Pod without `apiVersion`/`kind`, its `spec`, or one container), placed in a Pod to be admitted, then shown back
//! as the reader wrote it, with the lines mutation added marked.

use serde_json::{Map, Value, json};

use crate::mutation::mutator::Operation;
use crate::policy::{AdmitError, Decision, PolicySet, Request};
use crate::template::EnforcementPoint;

/// How a fragment is placed in a Pod.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wrap {
    /// The Pod without `apiVersion`/`kind` (its `metadata`, `spec`).
    Pod,
    /// The Pod's `spec`.
    PodSpec,
    /// One container of the Pod.
    Container,
    /// The Pod's `metadata` (a bare `labels:`/`annotations:` block).
    Metadata,
    /// A list of containers: the Pod's `containers`.
    Containers,
    /// A list of volumes: the Pod's `volumes`.
    Volumes,
    /// A list of environment variables: its container's `env`.
    Env,
    /// A list of ports: its container's `ports`.
    Ports,
    /// A list of volume mounts: its container's `volumeMounts`.
    VolumeMounts,
}

/// Every fragment kind, in the order inference prefers them.
pub const WRAPS: [Wrap; 9] = [
    Wrap::Pod,
    Wrap::PodSpec,
    Wrap::Container,
    Wrap::Metadata,
    Wrap::Containers,
    Wrap::Volumes,
    Wrap::Env,
    Wrap::Ports,
    Wrap::VolumeMounts,
];

/// The list fragments: the wrap, the definition of its items, where the list sits in the Pod.
const LISTS: [(Wrap, &str, &str); 5] = [
    (Wrap::Containers, "io.k8s.api.core.v1.Container", "/spec/containers"),
    (Wrap::Volumes, "io.k8s.api.core.v1.Volume", "/spec/volumes"),
    (Wrap::Env, "io.k8s.api.core.v1.EnvVar", "/spec/containers/0/env"),
    (Wrap::Ports, "io.k8s.api.core.v1.ContainerPort", "/spec/containers/0/ports"),
    (Wrap::VolumeMounts, "io.k8s.api.core.v1.VolumeMount", "/spec/containers/0/volumeMounts"),
];

impl Wrap {
    /// The name writers use (`wrap=podspec`).
    pub fn name(self) -> &'static str {
        match self {
            Wrap::Pod => "pod",
            Wrap::PodSpec => "podspec",
            Wrap::Container => "container",
            Wrap::Metadata => "metadata",
            Wrap::Containers => "containers",
            Wrap::Volumes => "volumes",
            Wrap::Env => "env",
            Wrap::Ports => "ports",
            Wrap::VolumeMounts => "volumeMounts",
        }
    }

    /// Whether it is a list (of containers, volumes, ...).
    pub fn is_list(self) -> bool {
        LISTS.iter().any(|(w, _, _)| *w == self)
    }

    /// The wrap a writer named, if it is one.
    pub fn from_name(name: &str) -> Option<Wrap> {
        WRAPS.into_iter().find(|w| w.name() == name)
    }
}

/// Fields that only a container's securityContext has (not a Pod's).
const CONTAINER_ONLY_SC: &[&str] =
    &["allowPrivilegeEscalation", "capabilities", "readOnlyRootFilesystem", "privileged", "procMount"];
/// Fields that only a Pod's securityContext has (not a container's).
const POD_ONLY_SC: &[&str] = &[
    "fsGroup",
    "fsGroupChangePolicy",
    "seLinuxChangePolicy",
    "supplementalGroups",
    "supplementalGroupsPolicy",
    "sysctls",
];
/// The fields of an object's metadata that a bare metadata fragment may have besides `labels`/`annotations`.
const METADATA_KEYS: &[&str] = &["labels", "annotations", "name", "namespace", "generateName"];

/// What a document is, and where its fragment sits in the object admitted.
#[derive(Debug, Clone, PartialEq)]
pub struct Placed {
    /// The object admitted.
    pub object: Value,
    /// JSON pointer of the fragment inside `object` ("" for a whole object).
    pub at: String,
    /// How the document was wrapped (`None` for a whole object).
    pub wrap: Option<Wrap>,
}

/// The fragment kinds a document without apiVersion/kind could be, when it could be several (a mapping with only
/// `resources`: a Pod spec's or a container's); empty otherwise.
pub fn readings(doc: &Value) -> Vec<Wrap> {
    if infer_wrap(doc).is_ok() {
        return Vec::new();
    }
    let all: Vec<Wrap> = WRAPS.into_iter().filter(|w| fits(doc, *w)).collect();
    if all.len() > 1 { all } else { Vec::new() }
}

/// Whether every key of `doc` is a field of what `wrap` places it as.
fn fits(doc: &Value, wrap: Wrap) -> bool {
    let api = crate::schema::schemas(crate::schema::NEWEST);
    let fields_of = |def: &str| api.map(|a| a.fields(def)).unwrap_or_default();
    if let Some((_, def, _)) = LISTS.iter().find(|(w, _, _)| *w == wrap) {
        return list_fits(doc, &fields_of(def));
    }
    let Some(map) = doc.as_object() else { return false };
    let all_in = |fields: &[&str]| !map.is_empty() && map.keys().all(|k| fields.contains(&k.as_str()));
    match wrap {
        Wrap::Pod => {
            let pod_spec = fields_of("io.k8s.api.core.v1.PodSpec");
            map.contains_key("spec")
                && all_in(&["metadata", "spec"])
                && map
                    .get("spec")
                    .and_then(Value::as_object)
                    .is_none_or(|s| s.keys().all(|k| pod_spec.contains(&k.as_str())))
        }
        Wrap::PodSpec => all_in(&fields_of("io.k8s.api.core.v1.PodSpec")),
        Wrap::Container => all_in(&fields_of("io.k8s.api.core.v1.Container")),
        Wrap::Metadata => (map.contains_key("labels") || map.contains_key("annotations")) && all_in(METADATA_KEYS),
        _ => false,
    }
}

/// Whether `doc` is a non-empty list of mappings whose every key is one of `fields`.
fn list_fits(doc: &Value, fields: &[&str]) -> bool {
    let Some(items) = doc.as_array() else { return false };
    !items.is_empty()
        && items
            .iter()
            .all(|i| i.as_object().is_some_and(|m| !m.is_empty() && m.keys().all(|k| fields.contains(&k.as_str()))))
}

/// The list kind of a list fragment, from its items' fields: the one kind they all fit, or, when they fit
/// several (`- name: data` is a volume's, a mount's and an env var's), the one whose items' own required or
/// telling fields they have (a container's `image`, a mount's `mountPath`, a port's `containerPort`, an env var's
/// `value`/`valueFrom`, a volume's source).
fn infer_list(doc: &Value) -> Result<Option<Wrap>, String> {
    let Some(items) = doc.as_array() else { return Err(NOT_A_MAPPING.into()) };
    if !items.iter().all(Value::is_object) {
        return Err("the document is a list of values, not of Kubernetes objects".into());
    }
    let fits: Vec<Wrap> = LISTS.iter().map(|(w, _, _)| *w).filter(|w| fits(doc, *w)).collect();
    let telling = |w: Wrap| -> &'static [&'static str] {
        match w {
            Wrap::Containers => &["image", "command", "args", "securityContext", "resources"],
            Wrap::VolumeMounts => &["mountPath"],
            Wrap::Ports => &["containerPort"],
            Wrap::Env => &["value", "valueFrom"],
            _ => &[],
        }
    };
    let narrowed: Vec<Wrap> = if fits.len() > 1 {
        let with: Vec<Wrap> = fits
            .iter()
            .copied()
            .filter(|w| {
                let t = telling(*w);
                // A volume is told by its source, a mapping (`emptyDir: {}`; a container's `image` is a string).
                let volume = *w == Wrap::Volumes
                    && items
                        .iter()
                        .all(|i| i.as_object().is_some_and(|m| m.iter().any(|(k, v)| k != "name" && v.is_object())));
                volume || items.iter().all(|i| t.iter().any(|k| i.get(*k).is_some()))
            })
            .collect();
        if with.is_empty() { fits.clone() } else { with }
    } else {
        fits.clone()
    };
    match narrowed.as_slice() {
        [one] => Ok(Some(*one)),
        [] => Err("cannot tell what this list is: its items are not all containers, volumes, environment variables, ports or volume mounts".into()),
        several => Err(format!(
            "cannot tell what this list is: its items could be {}",
            several.iter().map(|w| w.name()).collect::<Vec<_>>().join(" or ")
        )),
    }
}

const NOT_A_MAPPING: &str = "the document is not a YAML mapping, so it is not a Kubernetes object";

/// Infers the fragment kind of a document (`Ok(None)`: a whole object), or says why it cannot.
///
/// A fragment is what all of its keys are fields of, by the Kubernetes schemas: a container when every key is a
/// Container field, a Pod spec when every key is a PodSpec field, a Pod when it has only `metadata` and `spec`,
/// metadata when it is `labels:`/`annotations:` (with at most a name and namespace). A securityContext settles
/// what both a container and a Pod spec have (`securityContext`, `resources`, `restartPolicy`) when it has fields
/// of one only. Anything else is refused: a YAML file that is not Kubernetes (a CI pipeline with `name:` and
/// `steps:`) is not taken for a container and mutated.
pub fn infer_wrap(doc: &Value) -> Result<Option<Wrap>, String> {
    if doc.is_array() {
        return infer_list(doc);
    }
    let Some(map) = doc.as_object() else {
        return Err(NOT_A_MAPPING.into());
    };
    if map.contains_key("apiVersion") && map.contains_key("kind") {
        return Ok(None);
    }
    let api = crate::schema::schemas(crate::schema::NEWEST);
    let fields_of = |def: &str| api.map(|a| a.fields(def)).unwrap_or_default();
    let (container, pod_spec) = (fields_of("io.k8s.api.core.v1.Container"), fields_of("io.k8s.api.core.v1.PodSpec"));
    let all_in = |fields: &[&str]| map.keys().all(|k| fields.contains(&k.as_str()));
    let has = |k: &str| map.contains_key(k);
    let mut fits = Vec::new();
    // `spec:` alone is a Pod's only when what it holds are a Pod spec's fields (a ConstraintTemplate's `spec:`
    // with `targets` is not).
    let spec_is_pods = match map.get("spec") {
        Some(Value::Object(spec)) => spec.keys().all(|k| pod_spec.contains(&k.as_str())),
        _ => true,
    };
    if has("spec") && all_in(&["metadata", "spec"]) && spec_is_pods {
        fits.push(Wrap::Pod);
    }
    if all_in(&pod_spec) {
        fits.push(Wrap::PodSpec);
    }
    if all_in(&container) {
        fits.push(Wrap::Container);
    }
    if (has("labels") || has("annotations")) && all_in(METADATA_KEYS) {
        fits.push(Wrap::Metadata);
    }
    if fits.len() > 1 {
        // Both a container and a Pod spec: what the securityContext holds may tell them apart.
        let sc: Vec<&str> = map
            .get("securityContext")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .map(|(k, _)| k.as_str())
            .collect();
        let container_only = sc.iter().any(|k| CONTAINER_ONLY_SC.contains(k));
        let pod_only = sc.iter().any(|k| POD_ONLY_SC.contains(k));
        if container_only != pod_only {
            fits.retain(|w| *w == if container_only { Wrap::Container } else { Wrap::PodSpec });
        }
    }
    match fits.as_slice() {
        [one] => Ok(Some(*one)),
        [] => {
            let mut stray: Vec<&str> = map
                .keys()
                .map(String::as_str)
                .filter(|k| !container.contains(k) && !pod_spec.contains(k) && !METADATA_KEYS.contains(k))
                .filter(|k| !["metadata", "spec"].contains(k))
                .collect();
            if stray.is_empty() {
                // Each key is a field of something, but not all of the same thing.
                stray = map.keys().map(String::as_str).collect();
                return Err(format!(
                    "cannot tell what this fragment is: its keys ({}) are not all fields of one Pod, Pod spec, container or metadata",
                    quoted(&stray)
                ));
            }
            Err(format!(
                "cannot tell what this fragment is: it has no apiVersion/kind, and {} {} of no Pod, Pod spec, container or object metadata",
                quoted(&stray),
                if stray.len() == 1 { "is a field" } else { "are fields" }
            ))
        }
        _ if has("securityContext") && map.len() == 1 => {
            Err("this `securityContext` could be a Pod's or a container's (it has no container-only field)".into())
        }
        several => Err(format!(
            "cannot tell what this fragment is: {} could be a {}",
            quoted(&map.keys().map(String::as_str).collect::<Vec<_>>()),
            several.iter().map(|w| w.name()).collect::<Vec<_>>().join(" or a ")
        )),
    }
}

fn quoted(keys: &[&str]) -> String {
    keys.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
}

/// The fields of `base`, then those of `doc` (when it is a mapping) written over them, in that order.
fn overlay(base: Value, doc: &Value) -> Map<String, Value> {
    let Value::Object(mut out) = base else { return Map::new() };
    if let Some(m) = doc.as_object() {
        for (k, v) in m {
            out.insert(k.clone(), v.clone());
        }
    }
    out
}

/// Places a document in a Pod as `wrap` says.
pub fn place(doc: &Value, wrap: Option<Wrap>) -> Placed {
    let pod =
        |spec: Value, metadata: Value| json!({"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": spec});
    let default_meta = json!({"name": "example"});
    let default_container = json!({"name": "app", "image": "nginx:1.27"});
    match wrap {
        None => Placed { object: doc.clone(), at: String::new(), wrap },
        Some(Wrap::Pod) => {
            let mut obj = overlay(json!({"apiVersion": "v1", "kind": "Pod"}), doc);
            obj.entry("metadata").or_insert(default_meta);
            Placed { object: Value::Object(obj), at: String::new(), wrap }
        }
        Some(Wrap::PodSpec) => {
            let mut spec = doc.clone();
            if let Some(s) = spec.as_object_mut() {
                if !s.contains_key("containers") {
                    s.insert("containers".into(), json!([default_container]));
                }
            }
            Placed { object: pod(spec, default_meta), at: "/spec".into(), wrap }
        }
        Some(Wrap::Metadata) => {
            let meta = overlay(default_meta, doc);
            Placed {
                object: pod(json!({"containers": [default_container]}), Value::Object(meta)),
                at: "/metadata".into(),
                wrap,
            }
        }
        Some(Wrap::Container) => {
            let c = overlay(default_container, doc);
            Placed {
                object: pod(json!({"containers": [Value::Object(c)]}), default_meta),
                at: "/spec/containers/0".into(),
                wrap,
            }
        }
        Some(Wrap::Containers) => {
            Placed { object: pod(json!({"containers": doc}), default_meta), at: "/spec/containers".into(), wrap }
        }
        Some(Wrap::Volumes) => Placed {
            object: pod(json!({"containers": [default_container], "volumes": doc}), default_meta),
            at: "/spec/volumes".into(),
            wrap,
        },
        Some(list @ (Wrap::Env | Wrap::Ports | Wrap::VolumeMounts)) => {
            let mut c = default_container;
            if let Some(m) = c.as_object_mut() {
                m.insert(list.name().to_string(), doc.clone());
            }
            Placed {
                object: pod(json!({"containers": [c]}), default_meta),
                at: format!("/spec/containers/0/{}", list.name()),
                wrap,
            }
        }
    }
}

/// The part of `object` to show for a fragment: what sits at `at`, minus the fields the wrapping added.
pub fn shown(placed: &Placed, object: &Value, original: &Value) -> Value {
    let Some(part) = object.pointer(&placed.at) else { return object.clone() };
    let mut part = part.clone();
    let added: &[&str] = match placed.wrap {
        None => &[],
        Some(Wrap::Container) => &["name", "image"],
        Some(Wrap::Pod) => &["apiVersion", "kind", "metadata"],
        Some(Wrap::PodSpec) => &["containers"],
        Some(Wrap::Metadata) => &["name"],
        Some(_) => &[],
    };
    if let (Some(p), Some(o)) = (part.as_object_mut(), original.as_object()) {
        for k in added {
            if !o.contains_key(*k) {
                p.shift_remove(*k);
            }
        }
    }
    part
}

/// Admits a placed document as the docs check does: like `gator test`, operation "" and no namespace object, in
/// `namespace` ("" for none).
pub fn admit(set: &mut PolicySet, placed: &Placed, namespace: &str) -> Result<Decision, AdmitError> {
    set.admit(&placed.object, &request_in(namespace))
}

/// The request a docs example is admitted with: an offline check's (no operation, as gator's) in `namespace`.
pub fn request_in(namespace: &str) -> Request {
    Request {
        operation: Operation::Unspecified,
        namespace: Some(namespace.to_string()).filter(|n| !n.is_empty()),
        enforcement_point: EnforcementPoint::Gator,
        ..Request::default()
    }
}

/// Admits a placed document with a request of its own (an AdmissionReview's).
pub fn admit_with(set: &mut PolicySet, placed: &Placed, request: &Request) -> Result<Decision, AdmitError> {
    set.admit(&placed.object, request)
}

/// What a document's view after admission is made from: for a whole object, the object as admission left it;
/// for a fragment, without what the API server's own plugins did to the Pod guardrail made up around it (its
/// service account token, its namespace's LimitRange resources, its priority): those say nothing about what the
/// writer wrote, and pages list them in words instead ([`Decision::plugins_said`]).
pub fn viewed<'d>(placed: &Placed, decision: &'d Decision) -> std::borrow::Cow<'d, Value> {
    // What each plugin set, with the value it set: a field a later stage changed again (Gatekeeper's Assign over
    // a LimitRange default) is Gatekeeper's change, and stays.
    let plugins: Vec<(&String, &Value)> = decision
        .stages
        .iter()
        .filter(|s| s.stage.plugin().is_some())
        .flat_map(|s| s.changed.iter().zip(s.values.iter()))
        .collect();
    if placed.wrap.is_none() || plugins.is_empty() {
        return std::borrow::Cow::Borrowed(&decision.object);
    }
    let mut object = decision.object.clone();
    for (pointer, value) in plugins.into_iter().rev() {
        if crate::object::at(&object, pointer) == Some(value) {
            crate::object::remove_at(&mut object, pointer, &placed.object);
        }
    }
    std::borrow::Cow::Owned(object)
}

/// One line of the object after admission, as YAML.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AfterLine {
    /// The line, without its newline.
    pub text: String,
    /// Whether mutation added (or changed) it.
    pub added: bool,
}

/// The document after admission, printed as YAML the way the reader wrote it (a fragment stays a fragment), each
/// line marked when mutation added it. `original` is the document as read.
pub fn after_admission(placed: &Placed, decision: &Decision, original: &Value) -> Vec<AfterLine> {
    let before = crate::yaml::to_yaml(original);
    let now = crate::yaml::to_yaml(&shown(placed, &viewed(placed, decision), original));
    // Myers' diff: time grows with the number of changed lines, which mutation keeps small.
    let diff = similar::TextDiff::from_lines(&before, &now);
    diff.iter_all_changes()
        .filter(|c| c.tag() != similar::ChangeTag::Delete)
        .map(|c| AfterLine {
            text: c.value().trim_end_matches('\n').to_string(),
            added: c.tag() == similar::ChangeTag::Insert,
        })
        .collect()
}

/// The mutators that changed what an example shows, in the order they ran: for a whole object, every mutator that
/// changed it; for a fragment, none when the fragment came out as written (the Pod guardrail made up around it may
/// have got the Pod-level defaults, which say nothing about the fragment), else those whose location reaches it.
/// Empty means the example is admitted as written.
pub fn shown_mutators(set: &PolicySet, placed: &Placed, decision: &Decision, original: &Value) -> Vec<String> {
    if placed.wrap.is_none() {
        return decision.mutators.clone();
    }
    if shown(placed, &viewed(placed, decision), original) == *original {
        return Vec::new();
    }
    let mutators = set.mutation().mutators();
    // The API server's plugins (named without a `Kind/`) changed the Pod around the fragment, not the fragment.
    let gatekeeper = decision.mutators.iter().filter(|id| id.contains('/'));
    let reaching: Vec<String> = gatekeeper
        .clone()
        .filter(|id| {
            mutators
                .iter()
                .find(|m| &m.id() == *id)
                .is_none_or(|m| location_reaches(&m.location, &decision.object, &placed.at))
        })
        .cloned()
        .collect();
    if reaching.is_empty() { gatekeeper.cloned().collect() } else { reaching }
}

/// Whether a mutator writing at `location` can change the part of `object` at `pointer` (a JSON pointer, the
/// fragment an example shows): the location runs through the pointer or ends above it. A keyed list step
/// (`[name: *]`, `[name: app]`) stands for the element at the pointer's index when that element's key matches.
/// Used to name, for a fragment, only the mutators that changed what the reader wrote, not the Pod around it.
pub fn location_reaches(location: &crate::mutation::path::Location, object: &Value, pointer: &str) -> bool {
    use crate::mutation::path::{KeyValue, Node};
    let segments: Vec<String> =
        pointer.split('/').skip(1).map(|s| crate::object::unescape_key(s).into_owned()).collect();
    let mut here = Some(object);
    let mut segs = segments.iter();
    for node in &location.nodes {
        let Some(seg) = segs.next() else { return true };
        match node {
            Node::Object(key) => {
                if key != seg {
                    return false;
                }
                here = here.and_then(|v| v.get(key.as_str()));
            }
            Node::List { key_field, key_value } => {
                let Ok(i) = seg.parse::<usize>() else { return false };
                let element = here.and_then(|v| v.get(i));
                let matches = match (key_value, element.and_then(|e| e.get(key_field.as_str()))) {
                    (KeyValue::Glob, _) => true,
                    (KeyValue::Str(want), Some(Value::String(got))) => want == got,
                    (KeyValue::Int(want), Some(got)) => got.as_i64() == Some(*want),
                    _ => false,
                };
                if !matches {
                    return false;
                }
                here = element;
            }
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Value {
        crate::yaml::load_documents(s, crate::yaml::Schema::Kubernetes, &Default::default()).unwrap()[0].value.clone()
    }

    #[test]
    fn a_location_reaches_a_fragment_it_runs_through_or_ends_above() {
        use crate::mutation::path::Location;
        let pod = json!({"spec": {"containers": [{"name": "app"}, {"name": "side"}], "securityContext": {}}});
        let reaches = |loc: &str, at: &str| location_reaches(&Location::parse(loc).unwrap(), &pod, at);
        let sc = "/spec/containers/0/securityContext";
        assert!(reaches("spec.containers[name:*].securityContext.readOnlyRootFilesystem", sc));
        assert!(reaches("spec.containers[name:app].securityContext.capabilities.drop", sc));
        assert!(!reaches("spec.containers[name:side].securityContext.capabilities.drop", sc));
        assert!(reaches("spec.containers[name:side].securityContext", "/spec/containers/1/securityContext"));
        assert!(!reaches("spec.initContainers[name:*].securityContext.readOnlyRootFilesystem", sc));
        assert!(!reaches("spec.securityContext.seccompProfile.type", sc));
        assert!(!reaches("spec.automountServiceAccountToken", sc));
        // A location above the fragment (assigning a whole parent) reaches it; a whole object reaches everything.
        assert!(reaches("spec.containers", sc));
        assert!(reaches("spec.securityContext.seccompProfile.type", ""));
        assert!(reaches("spec.securityContext.seccompProfile.type", "/spec"));
        assert!(!reaches("spec.containers[name:*].image", "/spec/containers/x"));
    }

    #[test]
    fn fragments_are_inferred() {
        assert_eq!(infer_wrap(&v("securityContext:\n  allowPrivilegeEscalation: false\n")), Ok(Some(Wrap::Container)));
        assert_eq!(infer_wrap(&v("hostNetwork: true\n")), Ok(Some(Wrap::PodSpec)));
        assert_eq!(infer_wrap(&v("name: app\nimage: nginx\n")), Ok(Some(Wrap::Container)));
        assert_eq!(infer_wrap(&v("metadata: {name: x}\nspec: {containers: []}\n")), Ok(Some(Wrap::Pod)));
        assert_eq!(infer_wrap(&v("labels:\n  app: web\n")), Ok(Some(Wrap::Metadata)));
        assert_eq!(infer_wrap(&v("name: web\nannotations: {a: b}\n")), Ok(Some(Wrap::Metadata)));
        // Every key must be a field of what the fragment is taken for.
        let e = infer_wrap(&v("labels: {a: b}\nimage: x\n")).unwrap_err();
        assert!(e.contains("are not all fields of one"), "{e}");
        assert_eq!(
            infer_wrap(&v("name: app\nimage: x\nresources: {}\nsecurityContext: {runAsUser: 1}\n")),
            Ok(Some(Wrap::Container))
        );
        assert_eq!(infer_wrap(&v("securityContext: {fsGroup: 2000}\nrestartPolicy: Never\n")), Ok(Some(Wrap::PodSpec)));
        // An Azure Pipelines file is no container, though it has `name:` and `resources:`.
        let pipeline = "trigger: [main]\nname: $(Date:yyyyMMdd)$(Rev:.r)\nresources:\n  repositories:\n  - repository: templates\n    type: git\n    name: Contoso/BuildTemplates\npool:\n  vmImage: ubuntu-latest\nsteps:\n- script: make\n";
        assert_eq!(
            infer_wrap(&v(pipeline)),
            Err("cannot tell what this fragment is: it has no apiVersion/kind, and `trigger`, `pool`, `steps` are fields of no Pod, Pod spec, container or object metadata".into())
        );
        let e = infer_wrap(&v("resources: {limits: {cpu: 1}}\n")).unwrap_err();
        assert!(e.contains("could be a podspec or a container"), "{e}");
        let placed = place(&v("labels:\n  app: web\n"), Some(Wrap::Metadata));
        assert_eq!(placed.object["metadata"], json!({"name": "example", "labels": {"app": "web"}}));
        assert_eq!(shown(&placed, &placed.object, &v("labels:\n  app: web\n")), json!({"labels": {"app": "web"}}));
        assert_eq!(infer_wrap(&v("apiVersion: v1\nkind: Pod\n")), Ok(None));
        assert!(infer_wrap(&v("securityContext:\n  runAsUser: 1000\n")).unwrap_err().contains("could be a Pod's"));
        assert!(infer_wrap(&v("replicas: 3\n")).unwrap_err().contains("`replicas` is a field of no Pod"));
        assert!(infer_wrap(&v("- a\n")).unwrap_err().contains("a list of values"));
        assert!(infer_wrap(&v("a\n")).unwrap_err().contains("not a YAML mapping"));
        assert_eq!(Wrap::from_name("deployment"), None);
    }

    #[test]
    fn lists_are_placed_by_what_their_items_are() {
        let list = |s: &str| infer_wrap(&v(s));
        assert_eq!(list("- name: app\n  image: nginx\n- name: side\n  image: envoy\n"), Ok(Some(Wrap::Containers)));
        assert_eq!(list("- name: data\n  emptyDir: {}\n"), Ok(Some(Wrap::Volumes)));
        assert_eq!(list("- name: FOO\n  value: bar\n"), Ok(Some(Wrap::Env)));
        assert_eq!(list("- containerPort: 80\n  protocol: TCP\n"), Ok(Some(Wrap::Ports)));
        assert_eq!(list("- name: data\n  mountPath: /data\n"), Ok(Some(Wrap::VolumeMounts)));
        // A name alone is an env var's, a volume's, a mount's, a container's, a port's: readings, not a guess.
        assert!(list("- name: data\n").unwrap_err().contains("could be"));
        assert!(readings(&v("- name: data\n")).len() > 1);
        // Items of different kinds, or of no Pod list, are not placed.
        assert!(list("- name: a\n  image: x\n- containerPort: 80\n").is_err());
        assert!(list("- operations: [CREATE]\n").is_err());
        // Placed where the Pod has them, and shown back as written.
        let vols = v("- name: data\n  emptyDir: {}\n");
        let p = place(&vols, Some(Wrap::Volumes));
        assert_eq!((p.at.as_str(), &p.object["spec"]["volumes"]), ("/spec/volumes", &vols));
        assert_eq!(p.object["spec"]["containers"][0]["name"], "app");
        assert_eq!(shown(&p, &p.object, &vols), vols);
        let env = v("- name: FOO\n  value: bar\n");
        let p = place(&env, Some(Wrap::Env));
        assert_eq!(p.object.pointer("/spec/containers/0/env"), Some(&env));
        assert_eq!(shown(&p, &p.object, &env), env);
        let cs = v("- name: a\n  image: x\n");
        assert_eq!(place(&cs, Some(Wrap::Containers)).object["spec"]["containers"], cs);
        for w in WRAPS {
            assert_eq!(Wrap::from_name(w.name()), Some(w));
            assert_eq!(
                w.is_list(),
                matches!(w, Wrap::Containers | Wrap::Volumes | Wrap::Env | Wrap::Ports | Wrap::VolumeMounts)
            );
        }
    }

    #[test]
    fn a_container_fragment_becomes_the_only_container_and_is_shown_back() {
        let frag = json!({"securityContext": {"privileged": true}});
        let p = place(&frag, Some(Wrap::Container));
        assert_eq!(p.object["spec"]["containers"][0]["name"], "app");
        assert_eq!(p.object["spec"]["containers"][0]["securityContext"]["privileged"], true);
        assert_eq!(shown(&p, &p.object, &frag), frag);
        let spec = json!({"hostNetwork": true});
        let p = place(&spec, Some(Wrap::PodSpec));
        assert_eq!(p.object["spec"]["containers"].as_array().map(Vec::len), Some(1));
        assert_eq!(shown(&p, &p.object, &spec), spec);
        let pod = json!({"spec": {"containers": []}});
        let p = place(&pod, Some(Wrap::Pod));
        assert_eq!(p.object["metadata"]["name"], "example");
        assert_eq!(shown(&p, &p.object, &pod), pod);
    }

    #[test]
    fn lines_added_by_mutation_are_marked() {
        let original = json!({"a": 1, "c": 3});
        let placed = place(&original, None);
        let decision = Decision {
            verdict: crate::policy::Verdict::Admitted,
            object: json!({"a": 1, "b": 2, "c": 3, "d": {"e": 5}}),
            stored: json!({"a": 1, "b": 2, "c": 3, "d": {"e": 5}}),
            decided_by: None,
            stages: Vec::new(),
            patch: Vec::new(),
            mutators: Vec::new(),
            violations: Vec::new(),
            warnings: Vec::new(),
            constraints: Vec::new(),
            children: Vec::new(),
            exempt: None,
            unchecked: Vec::new(),
        };
        let lines = after_admission(&placed, &decision, &original);
        let marked: Vec<(&str, bool)> = lines.iter().map(|l| (l.text.as_str(), l.added)).collect();
        assert_eq!(marked, [("a: 1", false), ("b: 2", true), ("c: 3", false), ("d:", true), ("  e: 5", true)]);
    }
}
