//! ExpansionTemplates (`expansion.gatekeeper.sh`): how Gatekeeper judges a workload by the objects it will
//! create. A template says which parent kinds it applies to, where in the parent the child's template is
//! (`spec.template`) and what kind the child is; the child (the "resultant") is mutated and validated as a
//! `Generated` object, and its violations count against the parent.

use serde_json::{Map, Value, json};

use crate::object::{self, FieldError, Gvk};
use crate::template::EnforcementAction;

/// The API group of ExpansionTemplates.
pub const EXPANSION_GROUP: &str = "expansion.gatekeeper.sh";

/// How deep expansion may recurse (Gatekeeper's `maxRecursionDepth`).
pub const MAX_DEPTH: usize = 30;

/// One ExpansionTemplate.
#[derive(Debug, Clone, PartialEq)]
pub struct ExpansionTemplate {
    /// `metadata.name`.
    pub name: String,
    /// The parent kinds it expands, every `{groups, versions, kinds}` entry flattened (each once).
    pub apply_to: Vec<Gvk>,
    /// `spec.templateSource`: a dotted path in the parent (`spec.template`).
    pub template_source: String,
    /// `spec.generatedGVK`.
    pub generated: Gvk,
    /// `spec.enforcementAction`: when set, every violation of a resultant takes it.
    pub enforcement_action: Option<EnforcementAction>,
}

impl ExpansionTemplate {
    /// Reads an ExpansionTemplate object, with Gatekeeper's validation (`ValidateTemplate`).
    pub fn decode(v: &Value) -> Result<ExpansionTemplate, FieldError> {
        let name = object::meta_str(v, "name").to_string();
        if name.is_empty() {
            return Err(FieldError::new("metadata.name", "ExpansionTemplate has empty name field"));
        }
        if name.len() >= 64 {
            return Err(FieldError::new("metadata.name", "ExpansionTemplate name must be less than 64 characters"));
        }
        let spec = v.get("spec").cloned().unwrap_or(Value::Null);
        let template_source = object::opt_str(&spec, "templateSource", "spec")?.unwrap_or("").to_string();
        if template_source.is_empty() {
            return Err(FieldError::new(
                "spec.templateSource",
                format!("ExpansionTemplate {name} has empty source field"),
            ));
        }
        let gvk = object::opt_map(&spec, "generatedGVK", "spec")?;
        let field = |key: &str| -> Result<String, FieldError> {
            match gvk.and_then(|m| m.get(key)) {
                None | Some(Value::Null) => Ok(String::new()),
                Some(Value::String(s)) => Ok(s.clone()),
                Some(_) => Err(FieldError::new(format!("spec.generatedGVK.{key}"), "must be a string")),
            }
        };
        let generated = Gvk { group: field("group")?, version: field("version")?, kind: field("kind")? };
        if generated == Gvk::default() {
            return Err(FieldError::new(
                "spec.generatedGVK",
                format!("ExpansionTemplate {name} has empty generatedGVK field"),
            ));
        }
        let mut apply_to = Vec::new();
        for (i, a) in object::opt_list(&spec, "applyTo", "spec")?.iter().enumerate() {
            let at = format!("spec.applyTo[{i}]");
            let groups = object::str_list(a, "groups", &at)?;
            let versions = object::str_list(a, "versions", &at)?;
            let kinds = object::str_list(a, "kinds", &at)?;
            for group in &groups {
                for version in &versions {
                    for kind in &kinds {
                        let gvk = Gvk { group: group.clone(), version: version.clone(), kind: kind.clone() };
                        // Each GVK once: upstream's graph fails on a repeated edge and can panic on removal.
                        if !apply_to.contains(&gvk) {
                            apply_to.push(gvk);
                        }
                    }
                }
            }
        }
        if apply_to.is_empty() {
            return Err(FieldError::new("spec.applyTo", format!("ExpansionTemplate {name} must specify ApplyTo")));
        }
        if apply_to.contains(&generated) {
            return Err(FieldError::new(
                "spec.applyTo",
                format!(
                    "ExpansionTemplate {name} generates GVK {}, but also applies to that same GVK",
                    go_gvk(&generated)
                ),
            ));
        }
        let enforcement_action = match object::opt_str(&spec, "enforcementAction", "spec")? {
            None | Some("") => None,
            Some(s) => Some(EnforcementAction::parse(s).ok_or_else(|| {
                FieldError::new(
                    "spec.enforcementAction",
                    format!("`{s}` is not an enforcement action guardrail knows (deny, warn, dryrun)"),
                )
            })?),
        };
        Ok(ExpansionTemplate { name, apply_to, template_source, generated, enforcement_action })
    }

    /// Whether the template expands objects of `gvk`.
    pub fn applies_to(&self, gvk: &Gvk) -> bool {
        self.apply_to.contains(gvk)
    }
}

/// A GVK as Go's `%v` prints a `schema.GroupVersionKind` (`apps/v1, Kind=Deployment`, `/v1, Kind=Pod`).
fn go_gvk(g: &Gvk) -> String {
    format!("{}/{}, Kind={}", g.group, g.version, g.kind)
}

/// The templates that take part in a cycle (A generates what B applies to, ..., back to A), each with the cycle
/// as names (`a -> b -> a`). Gatekeeper marks such templates conflicted and does not use them; gator refuses them.
pub fn cycles(templates: &[ExpansionTemplate]) -> Vec<(usize, String)> {
    let edges: Vec<Vec<usize>> = templates
        .iter()
        .map(|a| (0..templates.len()).filter(|&j| templates[j].applies_to(&a.generated)).collect())
        .collect();
    let mut out = Vec::new();
    for start in 0..templates.len() {
        // Breadth-first from `start`, remembering the way back, until `start` is reached again.
        let mut from: Vec<Option<usize>> = vec![None; templates.len()];
        let mut queue = std::collections::VecDeque::from([start]);
        let mut seen = vec![false; templates.len()];
        let mut closing = None;
        while let Some(n) = queue.pop_front() {
            for &next in &edges[n] {
                if next == start {
                    closing = Some(n);
                    break;
                }
                if !seen[next] {
                    seen[next] = true;
                    from[next] = Some(n);
                    queue.push_back(next);
                }
            }
            if closing.is_some() {
                break;
            }
        }
        if let Some(last) = closing {
            let mut path = vec![last];
            while let Some(prev) = from[path[path.len() - 1]] {
                path.push(prev);
            }
            if path[path.len() - 1] != start {
                path.push(start);
            }
            path.reverse();
            let mut names: Vec<&str> = path.iter().map(|&i| templates[i].name.as_str()).collect();
            names.push(&templates[start].name);
            out.push((start, names.join(" -> ")));
        }
    }
    out
}

/// Why an object could not be expanded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExpandError {
    /// The template's source path is not in the object.
    #[error("ExpansionTemplate {template}: could not find source field \"{source_path}\" in resource {parent}")]
    NoSource { template: String, source_path: String, parent: String },
    /// The source path holds something other than a mapping.
    #[error(
        "ExpansionTemplate {template}: could not extract source field from unstructured: .{source_path} accessor error: it is {found}, expected a mapping"
    )]
    NotAMap { template: String, source_path: String, found: String },
    /// The parent has no apiVersion or kind.
    #[error("cannot expand resource {0} with empty GVK")]
    NoGvk(String),
    /// Expansion went deeper than [`MAX_DEPTH`]; the object it was about to expand.
    #[error("maximum recursion depth of {MAX_DEPTH} reached, expanding {0}")]
    TooDeep(String),
}

/// The child an ExpansionTemplate makes of `parent` (before mutation), in `namespace` when one is given.
pub fn expand_one(template: &ExpansionTemplate, parent: &Value, namespace: Option<&str>) -> Result<Value, ExpandError> {
    let parent_name = object::meta_str(parent, "name");
    let mut at = parent;
    for key in template.template_source.split('.') {
        at = at.get(key).ok_or_else(|| ExpandError::NoSource {
            template: template.name.clone(),
            source_path: template.template_source.clone(),
            parent: parent_name.to_string(),
        })?;
    }
    let Value::Object(source) = at else {
        return Err(ExpandError::NotAMap {
            template: template.name.clone(),
            source_path: template.template_source.clone(),
            found: describe(at),
        });
    };
    // apiVersion and kind first, as an object is usually written.
    let mut child: Map<String, Value> = Map::new();
    child.insert("apiVersion".into(), json!(template.generated.api_version()));
    child.insert("kind".into(), json!(template.generated.kind));
    for (k, v) in source {
        if k != "apiVersion" && k != "kind" {
            child.insert(k.clone(), v.clone());
        }
    }
    let meta = child.entry("metadata").or_insert_with(|| json!({}));
    if !meta.is_object() {
        *meta = json!({});
    }
    if let Some(meta) = meta.as_object_mut() {
        let ns = namespace
            .map(str::to_string)
            .or_else(|| Some(object::meta_str(parent, "namespace").to_string()).filter(|n| !n.is_empty()));
        match ns {
            Some(ns) if !ns.is_empty() => {
                meta.insert("namespace".into(), json!(ns));
            }
            Some(_) => {
                meta.remove("namespace");
            }
            None => {}
        }
        let name = if template.generated.kind.is_empty() {
            parent_name.to_string()
        } else {
            format!("{parent_name}-{}", template.generated.kind)
        };
        meta.insert("name".into(), json!(name.to_lowercase()));
        let parent_gvk = Gvk::of(parent);
        if !parent_gvk.api_version().is_empty() && !parent_gvk.kind.is_empty() && !parent_name.is_empty() {
            let owner = json!({"apiVersion": parent_gvk.api_version(), "kind": parent_gvk.kind, "name": parent_name});
            let refs = meta.entry("ownerReferences").or_insert_with(|| json!([]));
            if let Some(list) = refs.as_array_mut() {
                if !list.contains(&owner) {
                    list.push(owner);
                }
            }
        }
    }
    Ok(Value::Object(child))
}

fn describe(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(_) => "a boolean".into(),
        Value::Number(_) => "a number".into(),
        Value::String(_) => "a string".into(),
        Value::Array(_) => "a list".into(),
        Value::Object(_) => "a mapping".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn template(yaml_name: &str, source: &str, applies: Value, generated: Value) -> Value {
        json!({
            "apiVersion": "expansion.gatekeeper.sh/v1beta1",
            "kind": "ExpansionTemplate",
            "metadata": {"name": yaml_name},
            "spec": {"applyTo": applies, "templateSource": source, "generatedGVK": generated},
        })
    }

    fn deployments() -> Value {
        template(
            "expand-deployments",
            "spec.template",
            json!([{"groups": ["apps"], "kinds": ["Deployment", "StatefulSet"], "versions": ["v1"]}]),
            json!({"group": "", "version": "v1", "kind": "Pod"}),
        )
    }

    #[test]
    fn decodes_and_flattens_apply_to() {
        let t = ExpansionTemplate::decode(&deployments()).unwrap();
        assert_eq!(t.apply_to.len(), 2);
        assert!(t.applies_to(&Gvk { group: "apps".into(), version: "v1".into(), kind: "StatefulSet".into() }));
        assert_eq!(t.generated.api_version(), "v1");
        assert_eq!(t.enforcement_action, None);
    }

    #[test]
    fn validation_rules_have_gatekeepers_messages() {
        let err = |v: Value| ExpansionTemplate::decode(&v).unwrap_err();
        let mut v = deployments();
        v["metadata"]["name"] = json!("");
        assert_eq!(err(v).message, "ExpansionTemplate has empty name field");
        let mut v = deployments();
        v["metadata"]["name"] = json!("x".repeat(64));
        assert_eq!(err(v).message, "ExpansionTemplate name must be less than 64 characters");
        let mut v = deployments();
        v["spec"]["templateSource"] = json!("");
        let e = err(v);
        assert_eq!(
            (e.field.as_str(), e.message.as_str()),
            ("spec.templateSource", "ExpansionTemplate expand-deployments has empty source field")
        );
        let mut v = deployments();
        v["spec"]["generatedGVK"] = json!({});
        assert_eq!(err(v).message, "ExpansionTemplate expand-deployments has empty generatedGVK field");
        let mut v = deployments();
        v["spec"]["applyTo"] = json!([]);
        assert_eq!(err(v).message, "ExpansionTemplate expand-deployments must specify ApplyTo");
        let mut v = deployments();
        v["spec"]["applyTo"] = json!([{"groups": [""], "kinds": ["Pod"], "versions": ["v1"]}]);
        assert_eq!(
            err(v).message,
            "ExpansionTemplate expand-deployments generates GVK /v1, Kind=Pod, but also applies to that same GVK"
        );
        let mut v = deployments();
        v["spec"]["enforcementAction"] = json!("block");
        assert_eq!(err(v).field, "spec.enforcementAction");
        let mut v = deployments();
        v["spec"]["enforcementAction"] = json!("warn");
        assert_eq!(ExpansionTemplate::decode(&v).unwrap().enforcement_action, Some(EnforcementAction::Warn));
    }

    #[test]
    fn cycles_are_found_with_their_members() {
        let a = template(
            "a",
            "spec.template",
            json!([{"groups": ["x"], "kinds": ["A"], "versions": ["v1"]}]),
            json!({"group": "x", "version": "v1", "kind": "B"}),
        );
        let b = template(
            "b",
            "spec.template",
            json!([{"groups": ["x"], "kinds": ["B"], "versions": ["v1"]}]),
            json!({"group": "x", "version": "v1", "kind": "A"}),
        );
        let ts: Vec<ExpansionTemplate> =
            [a, b, deployments()].iter().map(|v| ExpansionTemplate::decode(v).unwrap()).collect();
        let found = cycles(&ts);
        assert_eq!(found, [(0, "a -> b -> a".to_string()), (1, "b -> a -> b".to_string())]);
        assert!(cycles(&ts[2..]).is_empty());
    }

    #[test]
    fn the_resultant_is_named_placed_and_owned() {
        let t = ExpansionTemplate::decode(&deployments()).unwrap();
        let deploy = json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "Web", "namespace": "shop", "labels": {"team": "a"}},
            "spec": {"template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "app"}]}}},
        });
        let pod = expand_one(&t, &deploy, None).unwrap();
        assert_eq!(
            pod,
            json!({
                "metadata": {"labels": {"app": "web"}, "namespace": "shop", "name": "web-pod",
                    "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "Web"}]},
                "spec": {"containers": [{"name": "app"}]},
                "apiVersion": "v1", "kind": "Pod",
            })
        );
        // The request's namespace wins; an empty one removes it (a cluster-scoped request).
        assert_eq!(object::meta_str(&expand_one(&t, &deploy, Some("other")).unwrap(), "namespace"), "other");
        assert_eq!(object::meta_str(&expand_one(&t, &deploy, Some("")).unwrap(), "namespace"), "");
        let mut bad = deploy.clone();
        bad["spec"].as_object_mut().unwrap().remove("template");
        assert_eq!(
            expand_one(&t, &bad, None).unwrap_err().to_string(),
            "ExpansionTemplate expand-deployments: could not find source field \"spec.template\" in resource Web"
        );
        bad["spec"]["template"] = json!([1]);
        assert!(expand_one(&t, &bad, None).unwrap_err().to_string().contains("it is a list, expected a mapping"));
    }
}
