//! The four mutator kinds: decoding with Gatekeeper's creation-time validation, and applying one to an object.

use serde_json::Value;

use super::path::{Location, Node};
use super::schema::Terminal;
use super::setter::{AssignImageSetter, AssignSetter, ModifySetSetter, SetOperation, validate_image_parts};
use super::tester::{Condition, PathTest, Tester};
use super::walk::{self, MutateError};
use crate::matching::{Match, Target};
use crate::object::{self, FieldError, Gvk};

/// The group of mutators.
pub const MUTATIONS_GROUP: &str = "mutations.gatekeeper.sh";

/// A mutator kind, in Gatekeeper's order (mutators run sorted by kind, then name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MutatorKind {
    /// `Assign`.
    Assign,
    /// `AssignImage`.
    AssignImage,
    /// `AssignMetadata`.
    AssignMetadata,
    /// `ModifySet`.
    ModifySet,
}

impl MutatorKind {
    /// The kind as written.
    pub fn as_str(self) -> &'static str {
        match self {
            MutatorKind::Assign => "Assign",
            MutatorKind::AssignImage => "AssignImage",
            MutatorKind::AssignMetadata => "AssignMetadata",
            MutatorKind::ModifySet => "ModifySet",
        }
    }

    /// The kind named `s`, if it is a mutator kind.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "Assign" => Some(MutatorKind::Assign),
            "AssignImage" => Some(MutatorKind::AssignImage),
            "AssignMetadata" => Some(MutatorKind::AssignMetadata),
            "ModifySet" => Some(MutatorKind::ModifySet),
            _ => None,
        }
    }
}

/// The operation of a request, as mutation sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Operation {
    /// `CREATE`.
    #[default]
    Create,
    /// `UPDATE`.
    Update,
    /// `DELETE`.
    Delete,
    /// `CONNECT`.
    Connect,
    /// `""`: audit, gator, expansion, and so an offline check.
    Unspecified,
}

impl Operation {
    /// The operation as written in an AdmissionRequest.
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::Create => "CREATE",
            Operation::Update => "UPDATE",
            Operation::Delete => "DELETE",
            Operation::Connect => "CONNECT",
            Operation::Unspecified => "",
        }
    }

    /// Parses an operation name (case-insensitive; empty is unspecified).
    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_uppercase().as_str() {
            "CREATE" => Some(Operation::Create),
            "UPDATE" => Some(Operation::Update),
            "DELETE" => Some(Operation::Delete),
            "CONNECT" => Some(Operation::Connect),
            "" => Some(Operation::Unspecified),
            _ => None,
        }
    }
}

/// One `applyTo` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplyTo {
    /// API groups (exact; `""` is core).
    pub groups: Vec<String>,
    /// Versions.
    pub versions: Vec<String>,
    /// Kinds.
    pub kinds: Vec<String>,
    /// `CREATE`, `UPDATE` or `*`; empty means both.
    pub operations: Vec<String>,
}

impl ApplyTo {
    fn covers(&self, gvk: &Gvk, op: Operation) -> bool {
        let has = |list: &[String], s: &str| list.iter().any(|x| x == s);
        if !(has(&self.groups, &gvk.group) && has(&self.versions, &gvk.version) && has(&self.kinds, &gvk.kind)) {
            return false;
        }
        let all = self.operations.is_empty() || has(&self.operations, "*");
        match op {
            Operation::Create => all || has(&self.operations, "CREATE"),
            Operation::Update => all || has(&self.operations, "UPDATE"),
            Operation::Unspecified => all || (has(&self.operations, "CREATE") && has(&self.operations, "UPDATE")),
            Operation::Delete | Operation::Connect => false,
        }
    }
}

/// Where the value an Assign writes comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum AssignValue {
    /// `assign.value`.
    Value(Value),
    /// `assign.fromMetadata.field`: `namespace` or `name`.
    FromMetadata(String),
    /// `assign.externalData`: needs a provider guardrail cannot call.
    ExternalData,
}

/// What a mutator does at its location.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Assign or AssignMetadata.
    Assign(AssignValue),
    /// ModifySet.
    ModifySet(ModifySetSetter),
    /// AssignImage.
    AssignImage(AssignImageSetter),
}

/// A decoded, validated mutator.
#[derive(Debug, Clone, PartialEq)]
pub struct Mutator {
    /// Kind.
    pub kind: MutatorKind,
    /// `metadata.name`.
    pub name: String,
    /// `spec.applyTo` (empty for AssignMetadata, which applies to any kind).
    pub apply_to: Vec<ApplyTo>,
    /// `spec.match`.
    pub r#match: Match,
    /// `spec.location`, parsed.
    pub location: Location,
    /// The location as written.
    pub location_text: String,
    /// Path tests (implicit for AssignMetadata).
    pub tester: Tester,
    /// The path tests as written (for AssignMetadata, the implicit one).
    pub path_tests: Vec<PathTest>,
    /// What it writes.
    pub action: Action,
}

/// What a mutator needs to know about the request beyond the object.
#[derive(Debug, Clone, Copy)]
pub struct MutationRequest<'a> {
    /// The operation.
    pub operation: Operation,
    /// The Namespace object, when known.
    pub namespace: Option<&'a Value>,
    /// Where the object came from.
    pub source: crate::matching::Source,
}

impl Mutator {
    /// `Kind/name`, how mutators are named in messages and decisions.
    pub fn id(&self) -> String {
        format!("{}/{}", self.kind.as_str(), self.name)
    }

    /// The schema terminal type and whether the location must end there (schema conflict detection).
    pub fn schema_terminal(&self) -> Option<(Terminal, bool)> {
        match (&self.kind, &self.action) {
            (MutatorKind::AssignMetadata, _) => None,
            (_, Action::ModifySet(_)) => Some((Terminal::Set, false)),
            (_, Action::AssignImage(_)) => Some((Terminal::String, true)),
            (_, Action::Assign(AssignValue::ExternalData)) => Some((Terminal::Unknown, true)),
            _ => Some((Terminal::Unknown, false)),
        }
    }

    /// The GVK bindings of the mutator (`group/version/Kind`), for schema conflicts.
    pub fn bindings(&self) -> Vec<String> {
        let mut out = Vec::new();
        for a in &self.apply_to {
            for g in &a.groups {
                for v in &a.versions {
                    for k in &a.kinds {
                        out.push(format!("{g}/{v}/{k}"));
                    }
                }
            }
        }
        out.sort();
        out.dedup();
        out
    }

    /// Decodes a mutator object, applying every creation-time rule of its kind.
    pub fn decode(obj: &Value) -> Result<Mutator, FieldError> {
        let gvk = Gvk::of(obj);
        let Some(kind) = MutatorKind::parse(&gvk.kind).filter(|_| gvk.group == MUTATIONS_GROUP) else {
            return Err(FieldError::new("kind", format!("`{}` is not a mutator kind", gvk.kind)));
        };
        let versions: &[&str] =
            if kind == MutatorKind::AssignImage { &["v1alpha1"] } else { &["v1", "v1beta1", "v1alpha1"] };
        if !versions.contains(&gvk.version.as_str()) {
            return Err(FieldError::new(
                "apiVersion",
                format!(
                    "{} is served as {MUTATIONS_GROUP}/{}, not `{}`",
                    kind.as_str(),
                    versions.join(", "),
                    gvk.version
                ),
            ));
        }
        let meta = obj.get("metadata").cloned().unwrap_or(Value::Null);
        let name = object::req_str(&meta, "name", "metadata")?.to_string();
        if name.len() > 63 {
            return Err(FieldError::new("metadata.name", format!("`{name}` is longer than 63 characters")));
        }
        let spec = obj.get("spec").cloned().unwrap_or(Value::Null);
        let apply_to = decode_apply_to(&spec, kind)?;
        let r#match = Match::decode(spec.get("match").unwrap_or(&Value::Null), "spec.match")?;
        let location_text = object::req_str(&spec, "location", "spec")?.to_string();
        let location = Location::parse(&location_text).map_err(|e| FieldError::new("spec.location", e.to_string()))?;
        let params = spec.get("parameters").cloned().unwrap_or(Value::Null);
        check_location(kind, &location)?;
        let tests = if kind == MutatorKind::AssignMetadata {
            vec![PathTest { sub_path: location.clone(), condition: Condition::MustNotExist }]
        } else {
            decode_path_tests(&params)?
        };
        let tester =
            Tester::new(&location, &tests).map_err(|e| FieldError::new("spec.parameters.pathTests", e.to_string()))?;
        let path_tests = tests;
        let action = match kind {
            MutatorKind::Assign | MutatorKind::AssignMetadata => {
                let value = decode_assign_value(&params, kind)?;
                if kind == MutatorKind::Assign {
                    if let Some(Node::List { key_field, key_value }) = location.nodes.last() {
                        let AssignValue::Value(v) = &value else {
                            return Err(FieldError::new(
                                "spec.parameters.assign",
                                "a location ending in a keyed list needs assign.value, not fromMetadata or externalData",
                            ));
                        };
                        let key_ok = match (v.get(key_field), key_value) {
                            (Some(found), kv) => walk::key_matches(found, kv),
                            (None, _) => false,
                        };
                        if !key_ok {
                            return Err(FieldError::new(
                                "spec.parameters.assign.value",
                                format!(
                                    "must be a mapping whose `{key_field}` equals the key of the location's last list entry"
                                ),
                            ));
                        }
                    }
                }
                Action::Assign(value)
            }
            MutatorKind::ModifySet => {
                let operation = match object::opt_str(&params, "operation", "spec.parameters")?.unwrap_or("merge") {
                    "merge" => SetOperation::Merge,
                    "prune" => SetOperation::Prune,
                    other => {
                        return Err(FieldError::new(
                            "spec.parameters.operation",
                            format!("unrecognized operation for modifyset: {other}"),
                        ));
                    }
                };
                let values = match params.pointer("/values/fromList") {
                    None | Some(Value::Null) => None,
                    Some(Value::Array(a)) => Some(a.clone()),
                    Some(_) => {
                        return Err(FieldError::new("spec.parameters.values.fromList", "must be a list"));
                    }
                };
                Action::ModifySet(ModifySetSetter { operation, values })
            }
            MutatorKind::AssignImage => {
                let part = |k: &str| -> Result<String, FieldError> {
                    Ok(object::opt_str(&params, k, "spec.parameters")?.unwrap_or("").to_string())
                };
                let (domain, path, tag) = (part("assignDomain")?, part("assignPath")?, part("assignTag")?);
                validate_image_parts(&domain, &path, &tag).map_err(|m| FieldError::new("spec.parameters", m))?;
                Action::AssignImage(AssignImageSetter { domain, path, tag })
            }
        };
        Ok(Mutator { kind, name, apply_to, r#match, location, location_text, tester, path_tests, action })
    }

    /// Whether the mutator applies to `obj` for this request (applyTo and match).
    pub fn matches(&self, obj: &Value, req: &MutationRequest<'_>) -> Result<bool, crate::matching::MatchError> {
        if self.kind != MutatorKind::AssignMetadata {
            let gvk = Gvk::of(obj);
            if !self.apply_to.iter().any(|a| a.covers(&gvk, req.operation)) {
                return Ok(false);
            }
        }
        self.r#match.matches(&Target { object: obj, namespace: req.namespace, source: req.source })
    }

    /// Applies the mutator to `obj` in place; true when the walk reports a change (the terminal was reached).
    pub fn mutate(&self, obj: &mut Value) -> Result<bool, MutateError> {
        match &self.action {
            Action::Assign(AssignValue::Value(v)) => {
                walk::mutate(&self.location, &self.tester, &AssignSetter { value: v.clone() }, obj)
            }
            Action::Assign(AssignValue::FromMetadata(field)) => {
                let value = Value::String(object::meta_str(obj, field).to_string());
                walk::mutate(&self.location, &self.tester, &AssignSetter { value }, obj)
            }
            Action::Assign(AssignValue::ExternalData) => Ok(false),
            Action::ModifySet(s) => walk::mutate(&self.location, &self.tester, s, obj),
            Action::AssignImage(s) => walk::mutate(&self.location, &self.tester, s, obj),
        }
    }
}

fn decode_apply_to(spec: &Value, kind: MutatorKind) -> Result<Vec<ApplyTo>, FieldError> {
    let list = object::opt_list(spec, "applyTo", "spec")?;
    if kind == MutatorKind::AssignMetadata {
        // AssignMetadata matches every GVK; an applyTo there is pruned by the CRD.
        return Ok(Vec::new());
    }
    if list.is_empty() {
        return Err(FieldError::new("spec.applyTo", format!("{} requires applyTo", kind.as_str())));
    }
    let mut out = Vec::new();
    for (i, a) in list.iter().enumerate() {
        let at = format!("spec.applyTo[{i}]");
        let entry = ApplyTo {
            groups: object::str_list(a, "groups", &at)?,
            versions: object::str_list(a, "versions", &at)?,
            kinds: object::str_list(a, "kinds", &at)?,
            operations: object::str_list(a, "operations", &at)?,
        };
        for (field, list) in [("groups", &entry.groups), ("versions", &entry.versions), ("kinds", &entry.kinds)] {
            if list.is_empty() {
                return Err(FieldError::new(format!("{at}.{field}"), "needs at least one entry"));
            }
            if list.iter().any(|s| s.contains('*')) {
                return Err(FieldError::new(format!("{at}.{field}"), "globs are not allowed in applyTo"));
            }
        }
        let mut seen = Vec::new();
        for op in &entry.operations {
            if !matches!(op.as_str(), "CREATE" | "UPDATE" | "*") {
                return Err(FieldError::new(
                    format!("{at}.operations"),
                    format!("`{op}` is not a mutating operation (CREATE, UPDATE or *)"),
                ));
            }
            if seen.contains(op) {
                return Err(FieldError::new(format!("{at}.operations"), format!("`{op}` is listed twice")));
            }
            seen.push(op.clone());
        }
        if seen.iter().any(|o| o == "*") && seen.len() > 1 {
            return Err(FieldError::new(format!("{at}.operations"), "`*` must be the only operation"));
        }
        out.push(entry);
    }
    Ok(out)
}

fn check_location(kind: MutatorKind, loc: &Location) -> Result<(), FieldError> {
    let err = |m: String| Err(FieldError::new("spec.location", m));
    let first_is_metadata = matches!(loc.nodes.first(), Some(Node::Object(n)) if n == "metadata");
    match kind {
        MutatorKind::AssignMetadata => {
            let ok = loc.nodes.len() == 3
                && first_is_metadata
                && matches!(&loc.nodes[1], Node::Object(n) if n == "labels" || n == "annotations")
                && matches!(&loc.nodes[2], Node::Object(_));
            if !ok {
                return err(format!(
                    "AssignMetadata can only set metadata.labels.<key> or metadata.annotations.<key>, not `{loc}`"
                ));
            }
        }
        MutatorKind::Assign | MutatorKind::ModifySet | MutatorKind::AssignImage => {
            if kind == MutatorKind::Assign && loc.is_empty() {
                return err("the location is empty".to_string());
            }
            if first_is_metadata {
                return err(format!("{} {loc} can't change metadata", kind.as_str().to_lowercase()));
            }
            if kind != MutatorKind::Assign && matches!(loc.nodes.last(), Some(Node::List { .. })) {
                return err(format!(
                    "final node in a {} location cannot be a keyed list",
                    kind.as_str().to_lowercase()
                ));
            }
            if loc.nodes.windows(2).any(|p| matches!((&p[0], &p[1]), (Node::List { .. }, Node::List { .. }))) {
                return err("child of a list can't be a list".to_string());
            }
            if kind != MutatorKind::ModifySet {
                if let [.., Node::List { key_field, .. }, Node::Object(last)] = loc.nodes.as_slice() {
                    if last == key_field {
                        return err("changing the item key is not allowed".to_string());
                    }
                }
            }
        }
    }
    Ok(())
}

fn decode_path_tests(params: &Value) -> Result<Vec<PathTest>, FieldError> {
    let mut out = Vec::new();
    for (i, t) in object::opt_list(params, "pathTests", "spec.parameters")?.iter().enumerate() {
        let at = format!("spec.parameters.pathTests[{i}]");
        let sub = object::req_str(t, "subPath", &at)?;
        let sub_path = Location::parse(sub).map_err(|e| FieldError::new(format!("{at}.subPath"), e.to_string()))?;
        let condition = match object::req_str(t, "condition", &at)? {
            "MustExist" => Condition::MustExist,
            "MustNotExist" => Condition::MustNotExist,
            other => {
                return Err(FieldError::new(
                    format!("{at}.condition"),
                    format!("`{other}` is not MustExist or MustNotExist"),
                ));
            }
        };
        out.push(PathTest { sub_path, condition });
    }
    Ok(out)
}

fn decode_assign_value(params: &Value, kind: MutatorKind) -> Result<AssignValue, FieldError> {
    let assign = params.get("assign").cloned().unwrap_or(Value::Null);
    let at = "spec.parameters.assign";
    let has_value = assign.get("value").is_some();
    let from_meta = assign.get("fromMetadata").filter(|v| !v.is_null());
    let external = assign.get("externalData").filter(|v| !v.is_null());
    let count = usize::from(has_value) + usize::from(from_meta.is_some()) + usize::from(external.is_some());
    if count != 1 {
        return Err(FieldError::new(at, "exactly one of value, fromMetadata or externalData must be set"));
    }
    if let Some(fm) = from_meta {
        let field = object::req_str(fm, "field", &format!("{at}.fromMetadata"))?;
        if field != "namespace" && field != "name" {
            return Err(FieldError::new(
                format!("{at}.fromMetadata.field"),
                format!("`{field}` is not namespace or name"),
            ));
        }
        return Ok(AssignValue::FromMetadata(field.to_string()));
    }
    if let Some(ext) = external {
        let source = object::opt_str(ext, "dataSource", &format!("{at}.externalData"))?.unwrap_or("ValueAtLocation");
        if kind == MutatorKind::AssignMetadata && source != "Username" {
            return Err(FieldError::new(
                format!("{at}.externalData.dataSource"),
                "AssignMetadata only takes externalData with dataSource Username",
            ));
        }
        object::req_str(ext, "provider", &format!("{at}.externalData"))?;
        return Ok(AssignValue::ExternalData);
    }
    let value = assign.get("value").cloned().unwrap_or(Value::Null);
    if kind == MutatorKind::AssignMetadata && !value.is_string() {
        return Err(FieldError::new(format!("{at}.value"), "AssignMetadata values must be strings"));
    }
    Ok(AssignValue::Value(value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn assign(location: &str, params: Value) -> Value {
        json!({"apiVersion": "mutations.gatekeeper.sh/v1", "kind": "Assign", "metadata": {"name": "m"},
               "spec": {"applyTo": [{"groups": [""], "versions": ["v1"], "kinds": ["Pod"]}],
                        "location": location, "parameters": params}})
    }

    fn err(v: Value) -> String {
        Mutator::decode(&v).unwrap_err().to_string()
    }

    #[test]
    fn assign_rules() {
        assert!(Mutator::decode(&assign("spec.dnsPolicy", json!({"assign": {"value": "None"}}))).is_ok());
        assert!(err(assign("metadata.labels.a", json!({"assign": {"value": "x"}}))).contains("can't change metadata"));
        assert!(
            err(assign("spec.containers[name:a].name", json!({"assign": {"value": "b"}})))
                .contains("changing the item key")
        );
        assert!(err(assign("spec.a[x:1][y:2]", json!({"assign": {"value": {}}}))).starts_with("spec.location: "));
        assert!(
            err(assign("spec.x", json!({"assign": {"value": 1, "fromMetadata": {"field": "name"}}})))
                .contains("exactly one")
        );
        assert!(err(assign("spec.x", json!({}))).contains("exactly one"));
        assert!(err(assign("spec.", json!({"assign": {"value": 1}}))).starts_with("spec.location:"));
        // A keyed-list terminal needs a map value carrying the same key (int 8888 is not the string "8888").
        let ports = assign("spec.ports[port:8888]", json!({"assign": {"value": {"port": "8888"}}}));
        assert!(err(ports).contains("equals the key"));
        assert!(
            Mutator::decode(&assign("spec.ports[port:8888]", json!({"assign": {"value": {"port": 8888}}}))).is_ok()
        );
        let mut no_apply = assign("spec.x", json!({"assign": {"value": 1}}));
        no_apply["spec"]["applyTo"] = json!([]);
        assert!(err(no_apply).contains("requires applyTo"));
        let mut glob = assign("spec.x", json!({"assign": {"value": 1}}));
        glob["spec"]["applyTo"] = json!([{"groups": ["*"], "versions": ["v1"], "kinds": ["Pod"]}]);
        assert!(err(glob).contains("globs"));
        let mut ops = assign("spec.x", json!({"assign": {"value": 1}}));
        ops["spec"]["applyTo"][0]["operations"] = json!(["*", "CREATE"]);
        assert!(err(ops).contains("only operation"));
        let mut long = assign("spec.x", json!({"assign": {"value": 1}}));
        long["metadata"]["name"] = json!("x".repeat(64));
        assert!(err(long).contains("63"));
    }

    #[test]
    fn assign_metadata_rules() {
        let am = |loc: &str, value: Value| {
            json!({"apiVersion": "mutations.gatekeeper.sh/v1", "kind": "AssignMetadata", "metadata": {"name": "m"},
                   "spec": {"location": loc, "parameters": {"assign": {"value": value}}}})
        };
        let ok = Mutator::decode(&am("metadata.labels.team", json!("a"))).unwrap();
        assert!(ok.apply_to.is_empty());
        assert!(err(am("metadata.name", json!("a"))).contains("only set metadata.labels"));
        assert!(err(am("metadata.labels.team", json!(1))).contains("must be strings"));
        // Add-only: an existing label is never overwritten.
        let mut obj = json!({"metadata": {"labels": {"team": "b"}}});
        assert!(!ok.mutate(&mut obj).unwrap());
        assert_eq!(obj["metadata"]["labels"]["team"], "b");
        let mut bare = json!({"kind": "Pod"});
        assert!(ok.mutate(&mut bare).unwrap());
        assert_eq!(bare, json!({"kind": "Pod", "metadata": {"labels": {"team": "a"}}}));
    }

    #[test]
    fn modify_set_and_assign_image_rules() {
        let ms = |loc: &str, params: Value| {
            json!({"apiVersion": "mutations.gatekeeper.sh/v1", "kind": "ModifySet", "metadata": {"name": "m"},
                   "spec": {"applyTo": [{"groups": [""], "versions": ["v1"], "kinds": ["Pod"]}], "location": loc, "parameters": params}})
        };
        let m = Mutator::decode(&ms("spec.containers[name:*].args", json!({"values": {"fromList": ["-v"]}}))).unwrap();
        assert!(matches!(&m.action, Action::ModifySet(s) if s.operation == SetOperation::Merge));
        assert!(err(ms("spec.containers[name:a]", json!({}))).contains("keyed list"));
        assert!(err(ms("spec.a", json!({"operation": "add"}))).contains("unrecognized operation"));
        let ai = |params: Value| {
            json!({"apiVersion": "mutations.gatekeeper.sh/v1alpha1", "kind": "AssignImage", "metadata": {"name": "m"},
                   "spec": {"applyTo": [{"groups": [""], "versions": ["v1"], "kinds": ["Pod"]}],
                            "location": "spec.containers[name:*].image", "parameters": params}})
        };
        assert!(Mutator::decode(&ai(json!({"assignDomain": "registry.example.com"}))).is_ok());
        assert!(Mutator::decode(&ai(json!({}))).is_err());
        let mut v1 = ai(json!({"assignTag": ":v1"}));
        v1["apiVersion"] = json!("mutations.gatekeeper.sh/v1");
        assert!(err(v1).contains("v1alpha1"));
    }

    #[test]
    fn apply_to_and_operations() {
        let m = Mutator::decode(&assign("spec.x", json!({"assign": {"value": 1}}))).unwrap();
        let pod = json!({"apiVersion": "v1", "kind": "Pod"});
        let req = |op| MutationRequest { operation: op, namespace: None, source: crate::matching::Source::Original };
        assert!(m.matches(&pod, &req(Operation::Create)).unwrap());
        assert!(m.matches(&pod, &req(Operation::Unspecified)).unwrap());
        assert!(!m.matches(&pod, &req(Operation::Delete)).unwrap());
        assert!(!m.matches(&json!({"apiVersion": "apps/v1", "kind": "Pod"}), &req(Operation::Create)).unwrap());
        let mut create_only = assign("spec.x", json!({"assign": {"value": 1}}));
        create_only["spec"]["applyTo"][0]["operations"] = json!(["CREATE"]);
        let m = Mutator::decode(&create_only).unwrap();
        assert!(m.matches(&pod, &req(Operation::Create)).unwrap());
        assert!(!m.matches(&pod, &req(Operation::Update)).unwrap());
        // An offline check (operation "") only runs mutators that cover every operation.
        assert!(!m.matches(&pod, &req(Operation::Unspecified)).unwrap());
    }

    #[test]
    fn from_metadata_reads_the_object() {
        let m =
            Mutator::decode(&assign("spec.ns", json!({"assign": {"fromMetadata": {"field": "namespace"}}}))).unwrap();
        let mut obj = json!({"metadata": {"namespace": "team-a"}});
        assert!(m.mutate(&mut obj).unwrap());
        assert_eq!(obj["spec"]["ns"], "team-a");
    }
}
