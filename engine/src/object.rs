//! Typed reads of fields in Kubernetes objects held as JSON values, with errors that name the field.

use std::borrow::Cow;

use serde_json::{Map, Value};

/// A field of an object that has the wrong shape; `field` is a dotted path such as `spec.match.kinds[0]`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct FieldError {
    /// Where, as a dotted path.
    pub field: String,
    /// What is wrong.
    pub message: String,
}

impl FieldError {
    /// A new error at `field`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError { field: field.into(), message: message.into() }
    }

    /// The JSON pointer of the field (`spec.match.kinds[0]` → `/spec/match/kinds/0`), to look up its line.
    pub fn pointer(&self) -> String {
        dotted_to_pointer(&self.field)
    }
}

/// A mapping key as a JSON pointer segment (RFC 6901: `~` as `~0`, `/` as `~1`); no copy when nothing needs it.
pub fn escape_key(key: &str) -> Cow<'_, str> {
    if key.contains(['~', '/']) { key.replace('~', "~0").replace('/', "~1").into() } else { key.into() }
}

/// A JSON pointer segment as the key it stands for; no copy when nothing needs it.
pub fn unescape_key(segment: &str) -> Cow<'_, str> {
    if segment.contains('~') { segment.replace("~1", "/").replace("~0", "~").into() } else { segment.into() }
}

/// Turns `a.b[0].c` into `/a/b/0/c`.
pub fn dotted_to_pointer(dotted: &str) -> String {
    let mut out = String::new();
    for part in dotted.split('.').filter(|p| !p.is_empty()) {
        let mut rest = part;
        if let Some(i) = rest.find('[') {
            out.push('/');
            out.push_str(&escape_key(&rest[..i]));
            rest = &rest[i..];
            while let Some(end) = rest.find(']') {
                out.push('/');
                out.push_str(&rest[1..end]);
                rest = &rest[end + 1..];
            }
        } else {
            out.push('/');
            out.push_str(&escape_key(rest));
        }
    }
    out
}

fn join(at: &str, key: &str) -> String {
    if at.is_empty() { key.to_string() } else { format!("{at}.{key}") }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

/// A required string field.
pub fn req_str<'v>(v: &'v Value, key: &str, at: &str) -> Result<&'v str, FieldError> {
    match v.get(key) {
        Some(Value::String(s)) => Ok(s),
        None | Some(Value::Null) => Err(FieldError::new(join(at, key), "is required")),
        Some(other) => Err(FieldError::new(join(at, key), format!("must be a string, not {}", type_name(other)))),
    }
}

/// An optional string field (null counts as absent).
pub fn opt_str<'v>(v: &'v Value, key: &str, at: &str) -> Result<Option<&'v str>, FieldError> {
    match v.get(key) {
        Some(Value::String(s)) => Ok(Some(s)),
        None | Some(Value::Null) => Ok(None),
        Some(other) => Err(FieldError::new(join(at, key), format!("must be a string, not {}", type_name(other)))),
    }
}

/// An optional boolean field.
pub fn opt_bool(v: &Value, key: &str, at: &str) -> Result<Option<bool>, FieldError> {
    match v.get(key) {
        Some(Value::Bool(b)) => Ok(Some(*b)),
        None | Some(Value::Null) => Ok(None),
        Some(other) => Err(FieldError::new(join(at, key), format!("must be a boolean, not {}", type_name(other)))),
    }
}

/// An optional list field; absent or null is empty.
pub fn opt_list<'v>(v: &'v Value, key: &str, at: &str) -> Result<&'v [Value], FieldError> {
    match v.get(key) {
        Some(Value::Array(a)) => Ok(a),
        None | Some(Value::Null) => Ok(&[]),
        Some(other) => Err(FieldError::new(join(at, key), format!("must be a list, not {}", type_name(other)))),
    }
}

/// An optional mapping field.
pub fn opt_map<'v>(v: &'v Value, key: &str, at: &str) -> Result<Option<&'v Map<String, Value>>, FieldError> {
    match v.get(key) {
        Some(Value::Object(m)) => Ok(Some(m)),
        None | Some(Value::Null) => Ok(None),
        Some(other) => Err(FieldError::new(join(at, key), format!("must be a mapping, not {}", type_name(other)))),
    }
}

/// An optional list of strings.
pub fn str_list(v: &Value, key: &str, at: &str) -> Result<Vec<String>, FieldError> {
    opt_list(v, key, at)?
        .iter()
        .enumerate()
        .map(|(i, x)| match x {
            Value::String(s) => Ok(s.clone()),
            other => Err(FieldError::new(
                format!("{}[{i}]", join(at, key)),
                format!("must be a string, not {}", type_name(other)),
            )),
        })
        .collect()
}

/// Group, version and kind of an object.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Gvk {
    /// API group; `""` is the core group.
    pub group: String,
    /// API version within the group.
    pub version: String,
    /// Kind.
    pub kind: String,
}

impl Gvk {
    /// Reads `apiVersion` and `kind` of an object (missing fields read as empty).
    pub fn of(obj: &Value) -> Gvk {
        let api_version = obj.get("apiVersion").and_then(Value::as_str).unwrap_or("");
        let (group, version) = match api_version.rsplit_once('/') {
            Some((g, v)) => (g.to_string(), v.to_string()),
            None => (String::new(), api_version.to_string()),
        };
        Gvk { group, version, kind: obj.get("kind").and_then(Value::as_str).unwrap_or("").to_string() }
    }

    /// `group/version`, or `version` for the core group.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() { self.version.clone() } else { format!("{}/{}", self.group, self.version) }
    }
}

/// `metadata.<key>` as a string, or "".
pub fn meta_str<'v>(obj: &'v Value, key: &str) -> &'v str {
    obj.get("metadata").and_then(|m| m.get(key)).and_then(Value::as_str).unwrap_or("")
}

/// A short human name for an object: `Pod default/web` or `Namespace team`.
pub fn describe(obj: &Value) -> String {
    let kind = obj.get("kind").and_then(Value::as_str).unwrap_or("object");
    let ns = meta_str(obj, "namespace");
    let mut name = meta_str(obj, "name");
    if name.is_empty() {
        name = meta_str(obj, "generateName");
    }
    let name = if name.is_empty() { "(unnamed)" } else { name };
    if ns.is_empty() { format!("{kind} {name}") } else { format!("{kind} {ns}/{name}") }
}

/// `container "app"`, `containers "a", "b"`: a noun and quoted names, as Kubernetes words its messages.
pub fn quoted_list<S: AsRef<str>>(noun: &str, names: &[S]) -> String {
    let noun = if names.len() == 1 { noun.to_string() } else { format!("{noun}s") };
    format!("{noun} {}", join_quoted(names))
}

/// `"a", "b"`: names quoted as Kubernetes quotes them in messages (Pod Security's `joinQuote`), not escaped.
pub fn join_quoted<S: AsRef<str>>(items: &[S]) -> String {
    if items.is_empty() {
        return String::new();
    }
    let joined: Vec<&str> = items.iter().map(AsRef::as_ref).collect();
    format!("\"{}\"", joined.join("\", \""))
}

/// The segments of a JSON pointer (RFC 6901), unescaped only where they need it; `None` for a pointer that does
/// not start with `/`.
fn segments(pointer: &str) -> Option<impl Iterator<Item = Cow<'_, str>>> {
    let rest = pointer.strip_prefix('/')?;
    Some(rest.split('/').map(unescape_key))
}

/// What `pointer` (RFC 6901) points at: [`Value::pointer`] without unescaping a segment that needs none (that
/// allocates twice a segment, and admission looks fields up by pointer many times an object).
pub fn at<'v>(value: &'v Value, pointer: &str) -> Option<&'v Value> {
    if pointer.is_empty() {
        return Some(value);
    }
    segments(pointer)?.try_fold(value, |here, seg| match here {
        Value::Object(map) => map.get(seg.as_ref()),
        Value::Array(list) => list.get(seg.parse::<usize>().ok()?),
        _ => None,
    })
}

/// [`at`], for changing what is there.
pub fn at_mut<'v>(value: &'v mut Value, pointer: &str) -> Option<&'v mut Value> {
    if pointer.is_empty() {
        return Some(value);
    }
    segments(pointer)?.try_fold(value, |here, seg| match here {
        Value::Object(map) => map.get_mut(seg.as_ref()),
        Value::Array(list) => list.get_mut(seg.parse::<usize>().ok()?),
        _ => None,
    })
}

/// Removes what is at `pointer` (a key of a mapping, or the item of a list); false when there is none. A mapping
/// or list left empty by it goes too when `written` (the object as its writer wrote it) does not have it: it was
/// made for what is removed; an empty one the writer wrote stays.
pub fn remove_at(object: &mut Value, pointer: &str, written: &Value) -> bool {
    let Some((parent, key)) = pointer.rsplit_once('/') else { return false };
    let key = unescape_key(key);
    let removed = match at_mut(object, parent) {
        Some(Value::Object(map)) => map.shift_remove(key.as_ref()).is_some(),
        Some(Value::Array(list)) => match key.parse::<usize>() {
            Ok(i) if i < list.len() => {
                list.remove(i);
                true
            }
            _ => false,
        },
        _ => false,
    };
    let emptied = |v: &Value| v.as_array().is_some_and(Vec::is_empty) || v.as_object().is_some_and(Map::is_empty);
    if removed && !parent.is_empty() && at(object, parent).is_some_and(emptied) && at(written, parent).is_none() {
        remove_at(object, parent, written);
    }
    removed
}

/// The field `key` of `map`, made `empty` first when it is missing or null (the API server reads a null as unset).
pub fn field_or<'m>(map: &'m mut Map<String, Value>, key: &str, empty: Value) -> &'m mut Value {
    let slot = map.entry(key).or_insert(Value::Null);
    if slot.is_null() {
        *slot = empty;
    }
    slot
}

/// What reads a configuration file that is written like a Kubernetes object but that no API server serves
/// (`kubeconfig` for `v1`/`Config`, `kube-apiserver` for an `AdmissionConfiguration`, `kustomize` for a
/// `Kustomization`), or `None` for an API object.
pub fn configuration_file(api_version: &str, kind: &str) -> Option<&'static str> {
    let group = api_version.rsplit_once('/').map_or("", |(g, _)| g);
    Some(match (group, kind) {
        ("", "Config") => "kubeconfig",
        ("apiserver.config.k8s.io" | "apiserver.k8s.io", _) => "kube-apiserver",
        ("audit.k8s.io", "Policy") => "kube-apiserver (audit policy)",
        ("pod-security.admission.config.k8s.io", _) | ("eventratelimit.admission.k8s.io", _) => "kube-apiserver",
        ("kubelet.config.k8s.io", _) | ("credentialprovider.kubelet.k8s.io", _) => "kubelet",
        ("kubeproxy.config.k8s.io", _) => "kube-proxy",
        ("kubescheduler.config.k8s.io", _) => "kube-scheduler",
        ("controllermanager.config.k8s.io" | "kubecontrollermanager.config.k8s.io", _) => "kube-controller-manager",
        ("kubeadm.k8s.io", _) => "kubeadm",
        ("kustomize.config.k8s.io", _) => "kustomize",
        ("kind.x-k8s.io", "Cluster") => "kind",
        ("k3d.io", _) => "k3d",
        ("ctlptl.dev", _) => "ctlptl",
        ("gvkmanifest.gatekeeper.sh", _) => "gator",
        (g, "Config") if g.starts_with("skaffold") => "skaffold",
        ("", _) if api_version.starts_with("skaffold/") => "skaffold",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn dotted_paths_become_pointers() {
        assert_eq!(dotted_to_pointer("spec.match.kinds[0].apiGroups"), "/spec/match/kinds/0/apiGroups");
        assert_eq!(dotted_to_pointer("a[1][2]"), "/a/1/2");
        assert_eq!(dotted_to_pointer(""), "");
    }

    #[test]
    fn field_errors_name_the_field_and_type() {
        let v = json!({"spec": {"kinds": "Pod", "n": 1}});
        let spec = &v["spec"];
        assert_eq!(
            opt_list(spec, "kinds", "spec").unwrap_err().to_string(),
            "spec.kinds: must be a list, not a string"
        );
        assert_eq!(req_str(spec, "name", "spec").unwrap_err().to_string(), "spec.name: is required");
        assert_eq!(req_str(spec, "n", "spec").unwrap_err().to_string(), "spec.n: must be a string, not a number");
        assert_eq!(str_list(&json!({"a": ["x", 1]}), "a", "").unwrap_err().field, "a[1]");
    }

    #[test]
    fn gvk_and_description() {
        let d =
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "prod"}});
        assert_eq!(Gvk::of(&d), Gvk { group: "apps".into(), version: "v1".into(), kind: "Deployment".into() });
        assert_eq!(Gvk::of(&json!({"apiVersion": "v1", "kind": "Pod"})).api_version(), "v1");
        assert_eq!(describe(&d), "Deployment prod/web");
        assert_eq!(describe(&json!({"kind": "Pod", "metadata": {"generateName": "web-"}})), "Pod web-");
    }
}
