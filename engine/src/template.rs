//! ConstraintTemplates and Constraints: decoding, Gatekeeper's validation rules, parameter defaults and schema.

use serde_json::{Map, Value};

use crate::celpolicy::CelCode;
use crate::matching::Match;
use crate::object::{self, FieldError, Gvk};
use crate::rego::{RegoSource, RegoVersion};

/// The group of ConstraintTemplates.
pub const TEMPLATES_GROUP: &str = "templates.gatekeeper.sh";
/// The group of Constraints.
pub const CONSTRAINTS_GROUP: &str = "constraints.gatekeeper.sh";
/// The only target Gatekeeper's admission webhook serves.
pub const ADMISSION_TARGET: &str = "admission.k8s.gatekeeper.sh";

/// A ConstraintTemplate, decoded and checked (its Rego is compiled separately).
#[derive(Debug, Clone, PartialEq)]
pub struct ConstraintTemplate {
    /// `metadata.name` (the lower-cased kind).
    pub name: String,
    /// `spec.crd.spec.names.kind`.
    pub kind: String,
    /// `metadata.annotations.description`.
    pub description: Option<String>,
    /// `metadata.annotations["metadata.gatekeeper.sh/title"]`.
    pub title: Option<String>,
    /// The Rego code; `None` when the template carries only CEL code.
    pub rego: Option<RegoSource>,
    /// The K8sNativeValidation (CEL) code. When present it is what judges: Gatekeeper evaluates one engine per
    /// template and CEL has the higher priority, with no fallback to the Rego.
    pub cel: Option<NativeValidation>,
    /// `spec.crd.spec.validation.openAPIV3Schema`, the schema of a constraint's `spec.parameters`.
    pub parameters_schema: Option<Value>,
    /// Whether unknown parameter fields are kept (v1beta1/v1alpha1 `legacySchema` default).
    pub legacy_schema: bool,
    /// `targets[0].operations`; empty means all.
    pub operations: Vec<String>,
    /// Things worth telling the user that are not errors (a CEL entry skipped, say).
    pub notes: Vec<String>,
}

/// A template's `engine: K8sNativeValidation` code: its CEL, compiled.
#[derive(Debug, Clone, PartialEq)]
pub struct NativeValidation {
    /// `variables`, `matchConditions`, `validations`.
    pub code: CelCode,
    /// The source as written (for reference pages and the generated ValidatingAdmissionPolicy).
    pub source: Value,
    /// The variables Gatekeeper declares before the template's own (`params`, `anyObject`).
    pub injected: Vec<crate::celpolicy::Named>,
    /// `generateVAP`: whether Gatekeeper generates a ValidatingAdmissionPolicy for it (unset: its
    /// `--default-create-vap-for-templates` decides).
    pub generate_vap: Option<bool>,
    /// `failurePolicy` (what an evaluation error does; `Fail` by default).
    pub failure_policy: crate::admission::vap::FailurePolicy,
}

/// Which engine judges a template's constraints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// `K8sNativeValidation` (CEL).
    Cel,
    /// `Rego`.
    Rego,
    /// No code guardrail or Gatekeeper can run.
    None,
}

impl Engine {
    /// The engine's name as a template writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Engine::Cel => "K8sNativeValidation",
            Engine::Rego => "Rego",
            Engine::None => "none",
        }
    }
}

/// What a Constraint does with a violation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EnforcementAction {
    /// Reject the request.
    Deny,
    /// Admit with a warning.
    Warn,
    /// Only report.
    Dryrun,
}

impl EnforcementAction {
    /// The name as written in YAML.
    pub fn as_str(self) -> &'static str {
        match self {
            EnforcementAction::Deny => "deny",
            EnforcementAction::Warn => "warn",
            EnforcementAction::Dryrun => "dryrun",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<Self> {
        match s {
            "deny" => Some(EnforcementAction::Deny),
            "warn" => Some(EnforcementAction::Warn),
            "dryrun" => Some(EnforcementAction::Dryrun),
            _ => None,
        }
    }
}

/// Where a constraint is being enforced (for `scoped` enforcement actions).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnforcementPoint {
    /// The validating admission webhook (`validation.gatekeeper.sh`).
    Validation,
    /// The audit (`audit.gatekeeper.sh`).
    Audit,
    /// gator, and so offline checks (`gator.gatekeeper.sh`).
    Gator,
}

impl EnforcementPoint {
    /// The name used in `enforcementPoints`.
    pub fn as_str(self) -> &'static str {
        match self {
            EnforcementPoint::Validation => "validation.gatekeeper.sh",
            EnforcementPoint::Audit => "audit.gatekeeper.sh",
            EnforcementPoint::Gator => "gator.gatekeeper.sh",
        }
    }
}

/// `spec.enforcementAction` with `scopedEnforcementActions` resolved lazily per enforcement point.
#[derive(Debug, Clone, PartialEq)]
pub enum Enforcement {
    /// One action everywhere.
    Action(EnforcementAction),
    /// `scoped`: actions per enforcement point.
    Scoped(Vec<(EnforcementAction, Vec<String>)>),
}

impl Enforcement {
    /// The actions of the binding Gatekeeper generates for the constraint (enforcement point `vap.k8s.io`):
    /// with `scoped`, the actions listed for `vap.k8s.io` or `*`; otherwise the action, when Gatekeeper runs with
    /// `--default-create-vap-binding-for-constraints`.
    pub fn vap_actions(&self, default_binding: bool) -> Vec<EnforcementAction> {
        match self {
            Enforcement::Action(a) if default_binding => vec![*a],
            Enforcement::Action(_) => Vec::new(),
            Enforcement::Scoped(list) => {
                let mut out: Vec<EnforcementAction> = list
                    .iter()
                    .filter(|(_, points)| points.iter().any(|p| p == "*" || p == "vap.k8s.io"))
                    .map(|(a, _)| *a)
                    .collect();
                out.sort();
                out.dedup();
                out
            }
        }
    }

    /// The action at `point`, or `None` when the constraint is not evaluated there. Several scoped actions for
    /// one point resolve to the strictest.
    pub fn at(&self, point: EnforcementPoint) -> Option<EnforcementAction> {
        match self {
            Enforcement::Action(a) => Some(*a),
            Enforcement::Scoped(list) => list
                .iter()
                .filter(|(_, points)| points.iter().any(|p| p == "*" || p == point.as_str()))
                .map(|(a, _)| *a)
                .min(),
        }
    }
}

/// A Constraint of some template's kind.
#[derive(Debug, Clone, PartialEq)]
pub struct Constraint {
    /// The template kind.
    pub kind: String,
    /// `metadata.name`.
    pub name: String,
    /// `spec.match`.
    pub r#match: Match,
    /// `spec.enforcementAction` (and scoped actions).
    pub enforcement: Enforcement,
    /// `spec.parameters` with the template schema's defaults applied; `{}` when absent.
    pub parameters: Value,
    /// Whether the constraint has `spec.parameters` at all (CEL's `variables.params` is null when not).
    pub parameters_given: bool,
}

impl Constraint {
    /// The constraint as CEL's `params` sees it (Gatekeeper binds the constraint object; its variable
    /// `params` is then `spec.parameters`, or null).
    pub fn cel_params(&self) -> Value {
        let mut spec = Map::new();
        if self.parameters_given {
            spec.insert("parameters".into(), self.parameters.clone());
        }
        serde_json::json!({"kind": self.kind, "metadata": {"name": self.name}, "spec": spec})
    }
}

fn is_dns1123_subdomain(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.split('.').all(|part| {
            !part.is_empty()
                && part.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                && !part.starts_with('-')
                && !part.ends_with('-')
        })
}

impl ConstraintTemplate {
    /// Decodes a ConstraintTemplate object.
    pub fn decode(obj: &Value) -> Result<ConstraintTemplate, FieldError> {
        let gvk = Gvk::of(obj);
        if gvk.group != TEMPLATES_GROUP || !matches!(gvk.version.as_str(), "v1" | "v1beta1" | "v1alpha1") {
            return Err(FieldError::new(
                "apiVersion",
                format!(
                    "`{}` is not a ConstraintTemplate version (templates.gatekeeper.sh/v1, v1beta1 or v1alpha1)",
                    gvk.api_version()
                ),
            ));
        }
        let meta = obj.get("metadata").cloned().unwrap_or(Value::Null);
        let name = object::req_str(&meta, "name", "metadata")?.to_string();
        let spec = obj.get("spec").cloned().unwrap_or(Value::Null);
        let names = spec.pointer("/crd/spec/names").cloned().unwrap_or(Value::Null);
        let kind = object::req_str(&names, "kind", "spec.crd.spec.names")?.to_string();
        if name != kind.to_lowercase() {
            return Err(FieldError::new(
                "metadata.name",
                format!("the template name `{name}` must be the lower-cased kind `{}`", kind.to_lowercase()),
            ));
        }
        let targets = object::opt_list(&spec, "targets", "spec")?;
        if targets.len() != 1 {
            return Err(FieldError::new(
                "spec.targets",
                format!("a template must have exactly one target, this one has {}", targets.len()),
            ));
        }
        let target = &targets[0];
        let target_name = object::req_str(target, "target", "spec.targets[0]")?;
        if target_name != ADMISSION_TARGET {
            return Err(FieldError::new(
                "spec.targets[0].target",
                format!("`{target_name}` is not a known target (only {ADMISSION_TARGET})"),
            ));
        }
        let mut notes = Vec::new();
        let legacy_rego = object::opt_str(target, "rego", "spec.targets[0]")?.filter(|r| !r.trim().is_empty());
        let mut cel = None;
        let mut rego = legacy_rego.map(|rego| -> Result<RegoSource, FieldError> {
            Ok(RegoSource {
                rego: rego.to_string(),
                libs: object::str_list(target, "libs", "spec.targets[0]")?,
                version: RegoVersion::V0,
            })
        });
        let rego_from_code = rego.is_none();
        for (i, code) in object::opt_list(target, "code", "spec.targets[0]")?.iter().enumerate() {
            let at = format!("spec.targets[0].code[{i}]");
            let engine = object::req_str(code, "engine", &at)?;
            let src = code.get("source").cloned().unwrap_or(Value::Null);
            let at = format!("{at}.source");
            match engine {
                "K8sNativeValidation" if cel.is_none() => {
                    cel = Some(NativeValidation {
                        code: CelCode::decode_gatekeeper(&src, &at)?,
                        generate_vap: object::opt_bool(&src, "generateVAP", &at)?,
                        failure_policy: crate::admission::vap::failure_policy(&src, &at)?,
                        source: src,
                        injected: crate::celpolicy::gatekeeper_variables(),
                    });
                }
                "Rego" if rego_from_code && rego.is_none() => {
                    let version = match object::opt_str(&src, "version", &at)?.unwrap_or("v0") {
                        "v0" => RegoVersion::V0,
                        "v1" => RegoVersion::V1,
                        other => {
                            return Err(FieldError::new(format!("{at}.version"), format!("`{other}` is not v0 or v1")));
                        }
                    };
                    rego = Some(Ok(RegoSource {
                        rego: object::req_str(&src, "rego", &at)?.to_string(),
                        libs: object::str_list(&src, "libs", &at)?,
                        version,
                    }));
                }
                "K8sNativeValidation" | "Rego" => {
                    return Err(FieldError::new(at, format!("a second `{engine}` code entry (one per engine)")));
                }
                other => {
                    notes.push(format!("{at}: `{other}` is not an engine Gatekeeper knows (Rego, K8sNativeValidation)"))
                }
            }
        }
        let rego = rego.transpose()?;
        if rego.is_none() && cel.is_none() {
            notes.push(format!("template {name} has no Rego and no CEL: its constraints are not evaluated"));
        }
        let annotations = meta.get("annotations").cloned().unwrap_or(Value::Null);
        let annotation = |k: &str| annotations.get(k).and_then(Value::as_str).map(str::to_string);
        let validation = spec.pointer("/crd/spec/validation").cloned().unwrap_or(Value::Null);
        let legacy_default = gvk.version != "v1";
        Ok(ConstraintTemplate {
            description: annotation("description"),
            title: annotation("metadata.gatekeeper.sh/title"),
            name,
            kind,
            rego,
            cel,
            parameters_schema: validation.get("openAPIV3Schema").filter(|s| !s.is_null()).cloned(),
            legacy_schema: object::opt_bool(&validation, "legacySchema", "spec.crd.spec.validation")?
                .unwrap_or(legacy_default),
            operations: object::str_list(target, "operations", "spec.targets[0]")?,
            notes,
        })
    }

    /// The `openAPIV3Schema` of the CRD Gatekeeper makes for this template's constraint kind, as its constraint
    /// framework writes it: `spec` with `match` (Gatekeeper's match schema), `enforcementAction`,
    /// `scopedEnforcementActions` and, when the template gives a schema, `parameters`; a legacy schema
    /// (`legacySchema`, the default of v1beta1 templates) keeps unknown fields at every level, and gives a template
    /// without a schema parameters of any shape. The API server decodes a constraint against it.
    pub fn constraint_schema(&self) -> Value {
        let mut spec = serde_json::json!({
            "type": "object",
            "properties": {
                "match": match_schema(),
                "enforcementAction": {"type": "string"},
                "scopedEnforcementActions": {"type": "array", "items": {"type": "object", "properties": {
                    "action": {"type": "string"},
                    "enforcementPoints": {"type": "array", "items": {"type": "object", "properties": {
                        "name": {"type": "string"}}}}}}}
            }
        });
        let parameters = match (&self.parameters_schema, self.legacy_schema) {
            (Some(s), legacy) => {
                let mut s = s.clone();
                if legacy {
                    preserve_unknown_fields(&mut s);
                }
                Some(s)
            }
            (None, true) => Some(serde_json::json!({"x-kubernetes-preserve-unknown-fields": true})),
            (None, false) => None,
        };
        if let (Some(p), Some(props)) = (parameters, spec.get_mut("properties").and_then(Value::as_object_mut)) {
            props.insert("parameters".into(), p);
        }
        serde_json::json!({
            "type": "object",
            "properties": {
                "metadata": {"type": "object", "properties": {"name": {"type": "string", "maxLength": 63}}},
                "spec": spec,
                "status": {"x-kubernetes-preserve-unknown-fields": true}
            }
        })
    }

    /// The engine that judges this template's constraints: CEL when it has any, else Rego (Gatekeeper's
    /// priority; no fallback).
    pub fn engine(&self) -> Engine {
        match (&self.cel, &self.rego) {
            (Some(_), _) => Engine::Cel,
            (None, Some(_)) => Engine::Rego,
            (None, None) => Engine::None,
        }
    }

    /// Whether the template runs for a request with `operation` (empty, `*` or listing it).
    pub fn handles_operation(&self, operation: &str) -> bool {
        operation.is_empty()
            || self.operations.is_empty()
            || self.operations.iter().any(|o| o == "*" || o.eq_ignore_ascii_case(operation))
    }
}

impl Constraint {
    /// Decodes a Constraint of `template`'s kind: its match block, action and parameters (defaulted and checked
    /// against the template's schema).
    pub fn decode(obj: &Value, template: &ConstraintTemplate) -> Result<Constraint, FieldError> {
        let gvk = Gvk::of(obj);
        if gvk.group != CONSTRAINTS_GROUP {
            return Err(FieldError::new("apiVersion", format!("`{}` is not a Constraint group", gvk.api_version())));
        }
        if !matches!(gvk.version.as_str(), "v1beta1" | "v1alpha1") {
            return Err(FieldError::new(
                "apiVersion",
                format!("Constraints are served as {CONSTRAINTS_GROUP}/v1beta1 or v1alpha1, not `{}`", gvk.version),
            ));
        }
        let meta = obj.get("metadata").cloned().unwrap_or(Value::Null);
        let name = object::req_str(&meta, "name", "metadata")?.to_string();
        if name.len() > 63 || !is_dns1123_subdomain(&name) {
            return Err(FieldError::new(
                "metadata.name",
                format!(
                    "`{name}` is not a valid constraint name (lower-case letters, digits, `-` and `.`, at most 63)"
                ),
            ));
        }
        let spec = obj.get("spec").cloned().unwrap_or(Value::Null);
        if !spec.is_null() && !spec.is_object() {
            return Err(FieldError::new("spec", "must be a mapping"));
        }
        let r#match = Match::decode(spec.get("match").unwrap_or(&Value::Null), "spec.match")?;
        let action = object::opt_str(&spec, "enforcementAction", "spec")?.unwrap_or("deny");
        let enforcement = if action == "scoped" {
            let mut list = Vec::new();
            for (i, s) in object::opt_list(&spec, "scopedEnforcementActions", "spec")?.iter().enumerate() {
                let at = format!("spec.scopedEnforcementActions[{i}]");
                let a = object::req_str(s, "action", &at)?;
                let Some(a) = EnforcementAction::parse(a) else {
                    return Err(FieldError::new(format!("{at}.action"), format!("`{a}` is not deny, warn or dryrun")));
                };
                let mut points = Vec::new();
                for (j, p) in object::opt_list(s, "enforcementPoints", &at)?.iter().enumerate() {
                    points.push(object::req_str(p, "name", &format!("{at}.enforcementPoints[{j}]"))?.to_string());
                }
                list.push((a, points));
            }
            if list.is_empty() {
                return Err(FieldError::new(
                    "spec.scopedEnforcementActions",
                    "is required when enforcementAction is scoped",
                ));
            }
            Enforcement::Scoped(list)
        } else {
            Enforcement::Action(EnforcementAction::parse(action).ok_or_else(|| {
                FieldError::new("spec.enforcementAction", format!("`{action}` is not deny, warn, dryrun or scoped"))
            })?)
        };
        let parameters_given = !matches!(spec.get("parameters"), None | Some(Value::Null));
        let mut parameters = match spec.get("parameters") {
            None | Some(Value::Null) => Value::Object(Map::new()),
            Some(p) => p.clone(),
        };
        if let Some(schema) = &template.parameters_schema {
            apply_defaults(&mut parameters, schema);
            check_schema(&parameters, schema, "spec.parameters", template.legacy_schema)?;
        }
        Ok(Constraint { kind: gvk.kind, name, r#match, enforcement, parameters, parameters_given })
    }
}

/// The schema of a constraint's `spec.match` (Gatekeeper's match CRD, `embeddedMatch`).
fn match_schema() -> Value {
    let strings = serde_json::json!({"type": "array", "items": {"type": "string"}});
    let selector = serde_json::json!({"type": "object", "properties": {
        "matchLabels": {"type": "object", "additionalProperties": {"type": "string"}},
        "matchExpressions": {"type": "array", "items": {"type": "object", "required": ["key", "operator"], "properties": {
            "key": {"type": "string"}, "operator": {"type": "string"}, "values": strings.clone()}}}}});
    serde_json::json!({"type": "object", "properties": {
        "kinds": {"type": "array", "items": {"type": "object", "properties": {
            "apiGroups": strings.clone(), "kinds": strings.clone()}}},
        "scope": {"type": "string"},
        "namespaces": strings.clone(),
        "excludedNamespaces": strings,
        "labelSelector": selector.clone(),
        "namespaceSelector": selector,
        "name": {"type": "string"},
        "source": {"type": "string"}
    }})
}

/// `x-kubernetes-preserve-unknown-fields: true` wherever a schema is an object or of no type, with structural
/// item schemas for untyped arrays: what Gatekeeper's constraint framework does to a legacy parameters schema.
fn preserve_unknown_fields(s: &mut Value) {
    let Some(map) = s.as_object_mut() else { return };
    match map.get("type").and_then(Value::as_str) {
        None | Some("object") => {
            map.insert("x-kubernetes-preserve-unknown-fields".into(), Value::Bool(true));
        }
        Some("array") if !map.get("items").is_some_and(Value::is_object) => {
            map.insert("items".into(), serde_json::json!({"x-kubernetes-preserve-unknown-fields": true}));
        }
        Some(_) => {}
    }
    if let Some(props) = map.get_mut("properties").and_then(Value::as_object_mut) {
        for v in props.values_mut() {
            preserve_unknown_fields(v);
        }
    }
    for key in ["items", "additionalProperties"] {
        if let Some(sub) = map.get_mut(key).filter(|v| v.is_object()) {
            preserve_unknown_fields(sub);
        }
    }
}

/// Structural defaulting as the API server does it: a missing property with a `default` gets it, recursively
/// into objects and array items that are present.
pub fn apply_defaults(value: &mut Value, schema: &Value) {
    match value {
        Value::Object(map) => {
            if let Some(Value::Object(props)) = schema.get("properties") {
                for (k, sub) in props {
                    if !map.contains_key(k) {
                        if let Some(d) = sub.get("default") {
                            map.insert(k.clone(), d.clone());
                        }
                    }
                    if let Some(v) = map.get_mut(k) {
                        apply_defaults(v, sub);
                    }
                }
            }
            if let Some(extra) = schema.get("additionalProperties").filter(|s| s.is_object()) {
                let declared = schema.get("properties");
                for (k, v) in map.iter_mut() {
                    if declared.and_then(|p| p.get(k)).is_none() {
                        apply_defaults(v, extra);
                    }
                }
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = schema.get("items") {
                for v in items {
                    apply_defaults(v, item_schema);
                }
            }
        }
        _ => {}
    }
}

fn check_schema(value: &Value, schema: &Value, at: &str, legacy: bool) -> Result<(), FieldError> {
    let ty = schema.get("type").and_then(Value::as_str);
    let ok = match (ty, value) {
        (None, _) => true,
        (Some(_), Value::Null) => schema.get("nullable").and_then(Value::as_bool).unwrap_or(false),
        (Some("object"), Value::Object(_)) | (Some("array"), Value::Array(_)) => true,
        (Some("string"), Value::String(_)) | (Some("boolean"), Value::Bool(_)) => true,
        (Some("integer"), Value::Number(n)) => n.is_i64() || n.is_u64(),
        (Some("number"), Value::Number(_)) => true,
        _ => false,
    };
    if !ok {
        return Err(FieldError::new(at, format!("must be of type {}", ty.unwrap_or("?"))));
    }
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array) {
        if !allowed.contains(value) {
            return Err(FieldError::new(at, format!("must be one of {}", Value::Array(allowed.clone()))));
        }
    }
    match value {
        Value::Object(map) => {
            let props = schema.get("properties").and_then(Value::as_object);
            let preserve = legacy
                || schema.get("x-kubernetes-preserve-unknown-fields").and_then(Value::as_bool).unwrap_or(false)
                || schema.get("additionalProperties").is_some()
                || props.is_none();
            for (k, v) in map {
                match props.and_then(|p| p.get(k)) {
                    Some(sub) => check_schema(v, sub, &format!("{at}.{k}"), legacy)?,
                    None if !preserve => {
                        return Err(FieldError::new(
                            format!("{at}.{k}"),
                            "is not a parameter of this template (unknown field)",
                        ));
                    }
                    None => {
                        if let Some(extra) = schema.get("additionalProperties").filter(|s| s.is_object()) {
                            check_schema(v, extra, &format!("{at}.{k}"), legacy)?;
                        }
                    }
                }
            }
        }
        Value::Array(items) => {
            if let Some(item) = schema.get("items") {
                for (i, v) in items.iter().enumerate() {
                    check_schema(v, item, &format!("{at}[{i}]"), legacy)?;
                }
            }
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn template(extra_schema: Value) -> Value {
        json!({
            "apiVersion": "templates.gatekeeper.sh/v1",
            "kind": "ConstraintTemplate",
            "metadata": {"name": "k8srequiredlabels", "annotations": {"description": "Requires labels."}},
            "spec": {
                "crd": {"spec": {"names": {"kind": "K8sRequiredLabels"},
                    "validation": {"openAPIV3Schema": extra_schema}}},
                "targets": [{"target": "admission.k8s.gatekeeper.sh", "rego": "package x\nviolation[{\"msg\": \"m\"}] { false }"}]
            }
        })
    }

    fn schema() -> Value {
        json!({"type": "object", "properties": {
            "labels": {"type": "array", "items": {"type": "string"}},
            "message": {"type": "string", "default": "missing labels"},
            "opts": {"type": "object", "properties": {"strict": {"type": "boolean", "default": true}}}
        }})
    }

    #[test]
    fn legacy_rego_and_annotations() {
        let t = ConstraintTemplate::decode(&template(schema())).unwrap();
        assert_eq!(t.kind, "K8sRequiredLabels");
        assert_eq!(t.description.as_deref(), Some("Requires labels."));
        assert_eq!(t.rego.as_ref().unwrap().version, RegoVersion::V0);
        assert!(!t.legacy_schema);
    }

    #[test]
    fn code_entries_both_engines_are_kept_and_cel_judges() {
        let mut v = template(schema());
        v["spec"]["targets"][0] = json!({"target": "admission.k8s.gatekeeper.sh", "code": [
            {"engine": "K8sNativeValidation", "source": {"validations": [{"expression": "true"}]}},
            {"engine": "Rego", "source": {"rego": "package y\nviolation contains {\"msg\": \"m\"} if false", "libs": ["package lib.a"], "version": "v1"}}
        ]});
        let t = ConstraintTemplate::decode(&v).unwrap();
        let rego = t.rego.as_ref().unwrap();
        assert_eq!(rego.version, RegoVersion::V1);
        assert_eq!(rego.libs.len(), 1);
        assert!(t.notes.is_empty(), "{:?}", t.notes);
        assert_eq!(t.engine(), Engine::Cel);
        assert_eq!(t.cel.as_ref().unwrap().code.validations.len(), 1);
        assert_eq!(t.cel.as_ref().unwrap().injected.len(), 2, "Gatekeeper's own variables compile");
    }

    #[test]
    fn cel_that_does_not_compile_is_a_template_error_with_its_field() {
        let mut v = template(schema());
        v["spec"]["targets"][0] = json!({"target": "admission.k8s.gatekeeper.sh", "code": [
            {"engine": "K8sNativeValidation", "source": {"validations": [{"expression": "object.spec.replicas <"}]}}
        ]});
        let e = ConstraintTemplate::decode(&v).unwrap_err();
        assert_eq!(e.field, "spec.targets[0].code[0].source.validations[0].expression");
        assert!(e.message.starts_with("compilation failed: unexpected end of expression (column 23"), "{}", e.message);
        v["spec"]["targets"][0]["code"] = json!([{"engine": "Wasm", "source": {}}]);
        let t = ConstraintTemplate::decode(&v).unwrap();
        assert_eq!(t.engine(), Engine::None);
        assert!(t.notes[0].contains("`Wasm` is not an engine Gatekeeper knows"), "{:?}", t.notes);
    }

    #[test]
    fn name_must_be_the_lower_cased_kind() {
        let mut v = template(schema());
        v["metadata"]["name"] = json!("requiredlabels");
        let err = ConstraintTemplate::decode(&v).unwrap_err();
        assert_eq!(err.field, "metadata.name");
        assert_eq!(err.message, "the template name `requiredlabels` must be the lower-cased kind `k8srequiredlabels`");
        v["metadata"]["name"] = json!("k8srequiredlabels");
        v["spec"]["targets"] = json!([]);
        assert_eq!(ConstraintTemplate::decode(&v).unwrap_err().field, "spec.targets");
    }

    fn constraint(params: Value) -> Value {
        json!({"apiVersion": "constraints.gatekeeper.sh/v1beta1", "kind": "K8sRequiredLabels",
               "metadata": {"name": "must-have-owner"}, "spec": {"parameters": params}})
    }

    #[test]
    fn parameters_get_schema_defaults() {
        let t = ConstraintTemplate::decode(&template(schema())).unwrap();
        let c = Constraint::decode(&constraint(json!({"labels": ["owner"], "opts": {}})), &t).unwrap();
        assert_eq!(c.parameters, json!({"labels": ["owner"], "opts": {"strict": true}, "message": "missing labels"}));
        assert_eq!(c.enforcement, Enforcement::Action(EnforcementAction::Deny));
        let c = Constraint::decode(&constraint(Value::Null), &t).unwrap();
        assert_eq!(c.parameters, json!({"message": "missing labels"}));
    }

    #[test]
    fn parameters_are_checked_against_the_schema() {
        let t = ConstraintTemplate::decode(&template(schema())).unwrap();
        let err = Constraint::decode(&constraint(json!({"labels": "owner"})), &t).unwrap_err();
        assert_eq!(err.to_string(), "spec.parameters.labels: must be of type array");
        let err = Constraint::decode(&constraint(json!({"label": ["owner"]})), &t).unwrap_err();
        assert_eq!(err.field, "spec.parameters.label");
        // v1beta1 templates default to legacySchema, which keeps unknown fields.
        let mut v = template(schema());
        v["apiVersion"] = json!("templates.gatekeeper.sh/v1beta1");
        let legacy = ConstraintTemplate::decode(&v).unwrap();
        assert!(Constraint::decode(&constraint(json!({"label": ["owner"]})), &legacy).is_ok());
    }

    #[test]
    fn actions_and_versions() {
        let t = ConstraintTemplate::decode(&template(schema())).unwrap();
        let mut c = constraint(json!({}));
        c["spec"]["enforcementAction"] = json!("warn");
        assert_eq!(
            Constraint::decode(&c, &t).unwrap().enforcement.at(EnforcementPoint::Gator),
            Some(EnforcementAction::Warn)
        );
        c["spec"]["enforcementAction"] = json!("block");
        assert!(Constraint::decode(&c, &t).unwrap_err().message.contains("`block`"));
        c["spec"]["enforcementAction"] = json!("scoped");
        c["spec"]["scopedEnforcementActions"] = json!([{"action": "warn", "enforcementPoints": [{"name": "audit.gatekeeper.sh"}]},
                                                      {"action": "deny", "enforcementPoints": [{"name": "validation.gatekeeper.sh"}]}]);
        let s = Constraint::decode(&c, &t).unwrap().enforcement;
        assert_eq!(s.at(EnforcementPoint::Validation), Some(EnforcementAction::Deny));
        assert_eq!(s.at(EnforcementPoint::Audit), Some(EnforcementAction::Warn));
        assert_eq!(s.at(EnforcementPoint::Gator), None);
        let mut v1 = constraint(json!({}));
        v1["apiVersion"] = json!("constraints.gatekeeper.sh/v1");
        assert!(Constraint::decode(&v1, &t).unwrap_err().message.contains("v1beta1"));
        let mut dotted = constraint(json!({}));
        dotted["metadata"]["name"] = json!("verify-1.16");
        assert!(Constraint::decode(&dotted, &t).is_ok(), "names are DNS-1123 subdomains: dots are allowed");
        let mut bad_name = constraint(json!({}));
        bad_name["metadata"]["name"] = json!("Must_Have");
        assert_eq!(Constraint::decode(&bad_name, &t).unwrap_err().field, "metadata.name");
    }
}
