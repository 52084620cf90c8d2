//! The `match` block shared by mutators and Constraints (kinds, scope, namespaces, selectors, name, source).

use serde_json::Value;

use crate::object::{self, FieldError};

/// Which objects a `match` block selects. Every field left unset matches everything.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Match {
    /// `kinds: [{apiGroups, kinds}]`.
    pub kinds: Vec<KindSelector>,
    /// `scope`: `Cluster`, `Namespaced`, or anything else (matches all).
    pub scope: String,
    /// `namespaces` wildcards.
    pub namespaces: Vec<Wildcard>,
    /// `excludedNamespaces` wildcards.
    pub excluded_namespaces: Vec<Wildcard>,
    /// `labelSelector` on the object's labels.
    pub label_selector: Option<LabelSelector>,
    /// `namespaceSelector` on the namespace's labels.
    pub namespace_selector: Option<LabelSelector>,
    /// `name` wildcard; empty matches all.
    pub name: Option<Wildcard>,
    /// `source`: `All`, `Original`, `Generated` or empty.
    pub source: String,
}

/// One `kinds` entry.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KindSelector {
    /// API groups (`""` is core, `*` any).
    pub api_groups: Vec<String>,
    /// Kinds (`*` any).
    pub kinds: Vec<String>,
}

/// A Gatekeeper wildcard: `*x*` contains, `*x` suffix, `x*` prefix, otherwise exact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wildcard(pub String);

impl Wildcard {
    /// Whether `s` matches.
    pub fn matches(&self, s: &str) -> bool {
        let p = self.0.as_str();
        if p == "*" {
            return true;
        }
        match (p.strip_prefix('*'), p.strip_suffix('*')) {
            (Some(_), Some(_)) if p.len() >= 2 => s.contains(&p[1..p.len() - 1]),
            (Some(rest), _) => s.ends_with(rest),
            (_, Some(rest)) => s.starts_with(rest),
            _ => s == p,
        }
    }

    /// Whether a `generateName` prefix may match: only prefix (`x*`) and contains (`*x*`) patterns count.
    pub fn matches_generate_name(&self, generate_name: &str) -> bool {
        let p = self.0.as_str();
        if p.len() >= 2 && p.starts_with('*') && p.ends_with('*') {
            return generate_name.contains(&p[1..p.len() - 1]);
        }
        if let Some(prefix) = p.strip_suffix('*').filter(|_| !p.starts_with('*')) {
            return generate_name.starts_with(prefix);
        }
        false
    }
}

/// A Kubernetes label selector.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LabelSelector {
    /// `matchLabels`.
    pub match_labels: Vec<(String, String)>,
    /// `matchExpressions`.
    pub match_expressions: Vec<LabelExpression>,
}

/// One `matchExpressions` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelExpression {
    /// Label key.
    pub key: String,
    /// `In`, `NotIn`, `Exists` or `DoesNotExist`.
    pub operator: LabelOperator,
    /// Values for In/NotIn.
    pub values: Vec<String>,
}

/// A label selector operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LabelOperator {
    /// The label's value is one of the values.
    In,
    /// The label is absent or its value is none of the values.
    NotIn,
    /// The label is present.
    Exists,
    /// The label is absent.
    DoesNotExist,
}

impl LabelSelector {
    /// Whether `labels` (a map of strings, or null) satisfy the selector.
    pub fn matches(&self, labels: Option<&Value>) -> bool {
        let get = |k: &str| labels.and_then(|l| l.get(k)).and_then(Value::as_str);
        self.match_labels.iter().all(|(k, v)| get(k) == Some(v.as_str()))
            && self.match_expressions.iter().all(|e| {
                let v = get(&e.key);
                match e.operator {
                    LabelOperator::In => v.is_some_and(|v| e.values.iter().any(|x| x == v)),
                    LabelOperator::NotIn => v.is_none_or(|v| e.values.iter().all(|x| x != v)),
                    LabelOperator::Exists => v.is_some(),
                    LabelOperator::DoesNotExist => v.is_none(),
                }
            })
    }

    /// Decodes a `matchLabels` / `matchExpressions` selector found at `at`.
    pub fn decode(v: &Value, at: &str) -> Result<LabelSelector, FieldError> {
        let mut sel = LabelSelector::default();
        if let Some(labels) = object::opt_map(v, "matchLabels", at)? {
            for (k, val) in labels {
                let Some(s) = val.as_str() else {
                    return Err(FieldError::new(format!("{at}.matchLabels.{k}"), "must be a string"));
                };
                sel.match_labels.push((k.clone(), s.to_string()));
            }
        }
        for (i, e) in object::opt_list(v, "matchExpressions", at)?.iter().enumerate() {
            let here = format!("{at}.matchExpressions[{i}]");
            let key = object::req_str(e, "key", &here)?.to_string();
            let op = object::req_str(e, "operator", &here)?;
            let values = object::str_list(e, "values", &here)?;
            let operator = match op {
                "In" => LabelOperator::In,
                "NotIn" => LabelOperator::NotIn,
                "Exists" => LabelOperator::Exists,
                "DoesNotExist" => LabelOperator::DoesNotExist,
                other => {
                    return Err(FieldError::new(
                        format!("{here}.operator"),
                        format!("`{other}` is not a valid label selector operator (In, NotIn, Exists, DoesNotExist)"),
                    ));
                }
            };
            let needs_values = matches!(operator, LabelOperator::In | LabelOperator::NotIn);
            if needs_values == values.is_empty() {
                return Err(FieldError::new(
                    format!("{here}.values"),
                    if needs_values {
                        "must be non-empty for In and NotIn"
                    } else {
                        "must be empty for Exists and DoesNotExist"
                    },
                ));
            }
            sel.match_expressions.push(LabelExpression { key, operator, values });
        }
        Ok(sel)
    }
}

/// Where the object being matched came from (`source` in a match block).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Source {
    /// Not known: a match that asks for Original or Generated is then an error.
    #[default]
    Unspecified,
    /// The object as submitted.
    Original,
    /// A resultant of an ExpansionTemplate.
    Generated,
}

/// What a match block is evaluated against.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    /// The object.
    pub object: &'a Value,
    /// The Namespace object of the object's namespace, when known.
    pub namespace: Option<&'a Value>,
    /// The object's source.
    pub source: Source,
}

/// A match that cannot be evaluated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct MatchError(pub String);

fn group_of(api_version: &str) -> &str {
    api_version.rsplit_once('/').map_or("", |(g, _)| g)
}

impl Match {
    /// Reads a `match` block at `at` (a dotted field path for messages).
    pub fn decode(v: &Value, at: &str) -> Result<Match, FieldError> {
        if v.is_null() {
            return Ok(Match::default());
        }
        if !v.is_object() {
            return Err(FieldError::new(at, "must be a mapping"));
        }
        let mut m = Match::default();
        for (i, k) in object::opt_list(v, "kinds", at)?.iter().enumerate() {
            let here = format!("{at}.kinds[{i}]");
            m.kinds.push(KindSelector {
                api_groups: object::str_list(k, "apiGroups", &here)?,
                kinds: object::str_list(k, "kinds", &here)?,
            });
        }
        m.scope = object::opt_str(v, "scope", at)?.unwrap_or_default().to_string();
        let wildcards = |field: &str| -> Result<Vec<Wildcard>, FieldError> {
            let list = object::str_list(v, field, at)?;
            for (i, p) in list.iter().enumerate() {
                if !valid_wildcard(p) {
                    return Err(FieldError::new(
                        format!("{at}.{field}[{i}]"),
                        format!(
                            "`{p}` is not a valid wildcard (lower-case letters, digits, `-` and `:`, with `*` only at either end)"
                        ),
                    ));
                }
            }
            Ok(list.into_iter().map(Wildcard).collect())
        };
        m.namespaces = wildcards("namespaces")?;
        m.excluded_namespaces = wildcards("excludedNamespaces")?;
        if let Some(sel) = v.get("labelSelector").filter(|s| !s.is_null()) {
            m.label_selector = Some(LabelSelector::decode(sel, &format!("{at}.labelSelector"))?);
        }
        if let Some(sel) = v.get("namespaceSelector").filter(|s| !s.is_null()) {
            m.namespace_selector = Some(LabelSelector::decode(sel, &format!("{at}.namespaceSelector"))?);
        }
        m.name = object::opt_str(v, "name", at)?.filter(|s| !s.is_empty()).map(|s| Wildcard(s.to_string()));
        m.source = object::opt_str(v, "source", at)?.unwrap_or_default().to_string();
        if !matches!(m.source.as_str(), "" | "All" | "Original" | "Generated") {
            return Err(FieldError::new(
                format!("{at}.source"),
                format!("`{}` is not a valid source (All, Original, Generated)", m.source),
            ));
        }
        Ok(m)
    }

    /// Evaluates the block: every check ANDed, in Gatekeeper's order; the first false short-circuits.
    pub fn matches(&self, t: &Target<'_>) -> Result<bool, MatchError> {
        let obj = t.object;
        let api_version = obj.get("apiVersion").and_then(Value::as_str).unwrap_or("");
        let kind = obj.get("kind").and_then(Value::as_str).unwrap_or("");
        let group = group_of(api_version);
        let meta = obj.get("metadata");
        let meta_str = |k: &str| meta.and_then(|m| m.get(k)).and_then(Value::as_str).unwrap_or("");
        let obj_ns = meta_str("namespace");
        let is_namespace = kind == "Namespace" && group.is_empty();
        let has_ns = !obj_ns.is_empty() || t.namespace.is_some();

        if !self.kinds.is_empty()
            && !self.kinds.iter().any(|k| {
                (k.kinds.is_empty() || k.kinds.iter().any(|x| x == "*" || x == kind))
                    && (k.api_groups.is_empty() || k.api_groups.iter().any(|g| g == "*" || g == group))
            })
        {
            return Ok(false);
        }
        let scope_ok = match self.scope.as_str() {
            "Cluster" => is_namespace || !has_ns,
            "Namespaced" => !is_namespace && has_ns,
            _ => true,
        };
        if !scope_ok {
            return Ok(false);
        }
        // The namespace a namespaces/excludedNamespaces pattern is matched against; None for cluster-scoped.
        let ns_name: Option<&str> = if is_namespace {
            Some(meta_str("name"))
        } else if let Some(ns) = t.namespace {
            Some(ns.get("metadata").and_then(|m| m.get("name")).and_then(Value::as_str).unwrap_or(""))
        } else if !obj_ns.is_empty() {
            Some(obj_ns)
        } else {
            None
        };
        if !self.namespaces.is_empty() {
            if let Some(ns) = ns_name {
                if !self.namespaces.iter().any(|w| w.matches(ns)) {
                    return Ok(false);
                }
            }
        }
        if let Some(ns) = ns_name {
            if self.excluded_namespaces.iter().any(|w| w.matches(ns)) {
                return Ok(false);
            }
        }
        if let Some(sel) = &self.label_selector {
            if !sel.matches(meta.and_then(|m| m.get("labels"))) {
                return Ok(false);
            }
        }
        if let Some(sel) = &self.namespace_selector {
            let labels = if is_namespace {
                Some(meta.and_then(|m| m.get("labels")))
            } else if let Some(ns) = t.namespace {
                Some(ns.get("metadata").and_then(|m| m.get("labels")))
            } else if obj_ns.is_empty() {
                None
            } else {
                return Err(MatchError(
                    "namespace selector for namespace-scoped object but missing Namespace".to_string(),
                ));
            };
            if let Some(labels) = labels {
                if !sel.matches(labels) {
                    return Ok(false);
                }
            }
        }
        if let Some(name) = &self.name {
            if !(name.matches(meta_str("name")) || name.matches_generate_name(meta_str("generateName"))) {
                return Ok(false);
            }
        }
        match (self.source.as_str(), t.source) {
            ("" | "All", _) => Ok(true),
            (_, Source::Unspecified) => Err(MatchError(format!(
                "source field {} specified but the source of the object is unknown",
                self.source
            ))),
            ("Original", s) => Ok(s == Source::Original),
            ("Generated", s) => Ok(s == Source::Generated),
            (other, _) => Err(MatchError(format!("invalid source field {other}"))),
        }
    }
}

pub(crate) fn valid_wildcard(p: &str) -> bool {
    let inner = p.strip_prefix('*').unwrap_or(p);
    let inner = inner.strip_suffix('*').unwrap_or(inner);
    inner.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == ':')
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn m(v: Value) -> Match {
        Match::decode(&v, "spec.match").expect("valid match")
    }

    fn pod(ns: &str, labels: Value) -> Value {
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web-1", "namespace": ns, "labels": labels}})
    }

    fn hit(m: &Match, obj: &Value) -> bool {
        m.matches(&Target { object: obj, namespace: None, source: Source::Original }).expect("no error")
    }

    #[test]
    fn kinds_need_group_and_kind() {
        let mm = m(json!({"kinds": [{"apiGroups": [""], "kinds": ["Pod"]}]}));
        assert!(hit(&mm, &pod("a", json!({}))));
        let deploy = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}});
        assert!(!hit(&mm, &deploy));
        assert!(hit(&m(json!({"kinds": [{"apiGroups": ["apps"], "kinds": ["*"]}]})), &deploy));
        assert!(hit(&m(json!({"kinds": [{"kinds": ["Deployment"]}]})), &deploy));
        assert!(!hit(&m(json!({"kinds": [{"apiGroups": ["*"], "kinds": ["Pod"]}]})), &deploy));
        assert!(hit(&m(json!({"kinds": []})), &deploy));
    }

    #[test]
    fn scope() {
        let ns = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team"}});
        let cluster_role =
            json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "r"}});
        let namespaced = m(json!({"scope": "Namespaced"}));
        let cluster = m(json!({"scope": "Cluster"}));
        assert!(hit(&namespaced, &pod("a", json!({}))));
        assert!(!hit(&namespaced, &ns));
        assert!(!hit(&namespaced, &cluster_role));
        assert!(hit(&cluster, &ns));
        assert!(hit(&cluster, &cluster_role));
        assert!(!hit(&cluster, &pod("a", json!({}))));
        assert!(hit(&m(json!({"scope": "*"})), &ns));
        // A namespace object given with the request makes an object namespaced even without metadata.namespace.
        let bare = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}});
        let nsobj = json!({"metadata": {"name": "default"}});
        assert!(
            namespaced.matches(&Target { object: &bare, namespace: Some(&nsobj), source: Source::Original }).unwrap()
        );
    }

    #[test]
    fn namespaces_and_exclusions_with_wildcards() {
        let only = m(json!({"namespaces": ["team-*", "prod"]}));
        assert!(hit(&only, &pod("team-a", json!({}))));
        assert!(hit(&only, &pod("prod", json!({}))));
        assert!(!hit(&only, &pod("production", json!({}))));
        let excl = m(json!({"excludedNamespaces": ["kube-*", "*-system", "*gatekeeper*"]}));
        assert!(!hit(&excl, &pod("kube-public", json!({}))));
        assert!(!hit(&excl, &pod("cert-system", json!({}))));
        assert!(!hit(&excl, &pod("my-gatekeeper-ns", json!({}))));
        assert!(hit(&excl, &pod("default", json!({}))));
        // Cluster-scoped objects pass namespace lists; a Namespace is judged by its own name.
        let cr =
            json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "r"}});
        assert!(hit(&only, &cr));
        let ns = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "kube-system"}});
        assert!(!hit(&excl, &ns));
        assert!(Match::decode(&json!({"namespaces": ["Bad_Name"]}), "spec.match").is_err());
    }

    #[test]
    fn label_selector() {
        let sel = m(json!({"labelSelector": {"matchLabels": {"app": "web"},
            "matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["db"]},
                                 {"key": "owner", "operator": "Exists"}]}}));
        assert!(hit(&sel, &pod("a", json!({"app": "web", "owner": "x"}))));
        assert!(!hit(&sel, &pod("a", json!({"app": "web", "owner": "x", "tier": "db"}))));
        assert!(!hit(&sel, &pod("a", json!({"app": "web"}))));
        assert!(!hit(&sel, &pod("a", json!({"app": "api", "owner": "x"}))));
        let in_ = m(
            json!({"labelSelector": {"matchExpressions": [{"key": "env", "operator": "In", "values": ["a", "b"]}, {"key": "x", "operator": "DoesNotExist"}]}}),
        );
        assert!(hit(&in_, &pod("a", json!({"env": "b"}))));
        assert!(!hit(&in_, &pod("a", json!({"env": "c"}))));
        assert!(!hit(&in_, &pod("a", json!({"env": "a", "x": "1"}))));
        assert!(hit(&m(json!({"labelSelector": {}})), &pod("a", Value::Null)));
        let bad = Match::decode(
            &json!({"labelSelector": {"matchExpressions": [{"key": "a", "operator": "Has"}]}}),
            "spec.match",
        );
        assert!(bad.unwrap_err().to_string().contains("not a valid label selector operator"));
    }

    #[test]
    fn namespace_selector() {
        let sel = m(json!({"namespaceSelector": {"matchLabels": {"env": "prod"}}}));
        let obj = pod("a", json!({}));
        let prod = json!({"metadata": {"name": "a", "labels": {"env": "prod"}}});
        let dev = json!({"metadata": {"name": "a", "labels": {"env": "dev"}}});
        assert!(sel.matches(&Target { object: &obj, namespace: Some(&prod), source: Source::Original }).unwrap());
        assert!(!sel.matches(&Target { object: &obj, namespace: Some(&dev), source: Source::Original }).unwrap());
        let err = sel.matches(&Target { object: &obj, namespace: None, source: Source::Original }).unwrap_err();
        assert_eq!(err.0, "namespace selector for namespace-scoped object but missing Namespace");
        let ns = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "x", "labels": {"env": "prod"}}});
        assert!(hit(&sel, &ns));
    }

    #[test]
    fn name_and_generate_name() {
        let exact = m(json!({"name": "web-1"}));
        assert!(hit(&exact, &pod("a", json!({}))));
        let prefix = m(json!({"name": "web-*"}));
        let generated = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"generateName": "web-"}});
        assert!(hit(&prefix, &generated));
        assert!(!hit(&m(json!({"name": "*-1"})), &generated));
        assert!(!hit(&m(json!({"name": "api"})), &pod("a", json!({}))));
    }

    #[test]
    fn source() {
        let orig = m(json!({"source": "Original"}));
        let obj = pod("a", json!({}));
        assert!(orig.matches(&Target { object: &obj, namespace: None, source: Source::Original }).unwrap());
        assert!(!orig.matches(&Target { object: &obj, namespace: None, source: Source::Generated }).unwrap());
        assert!(orig.matches(&Target { object: &obj, namespace: None, source: Source::Unspecified }).is_err());
        assert!(
            m(json!({"source": "All"}))
                .matches(&Target { object: &obj, namespace: None, source: Source::Unspecified })
                .unwrap()
        );
        assert!(Match::decode(&json!({"source": "Both"}), "spec.match").is_err());
    }

    #[test]
    fn wildcards() {
        assert!(Wildcard("*".into()).matches(""));
        assert!(Wildcard("a*".into()).matches("abc"));
        assert!(!Wildcard("a*".into()).matches("bac"));
        assert!(Wildcard("*c".into()).matches("abc"));
        assert!(Wildcard("*b*".into()).matches("abc"));
        assert!(!Wildcard("abc".into()).matches("abcd"));
        assert!(Wildcard("ab*".into()).matches_generate_name("abc-"));
        assert!(!Wildcard("abc".into()).matches_generate_name("abc"));
    }
}
