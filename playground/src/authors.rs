//! The playground for policy authors: the policy set as documents to open, switch off, edit and add to; the request
//! around what is judged (operation, old object, user, groups, the namespace's labels); the AdmissionReview response
//! Gatekeeper's webhook would return; a case exported as a gator suite that `guardrail verify` (and gator) run.

use std::collections::{BTreeMap, BTreeSet};

use guardrail_engine::admission::Stage;
use guardrail_engine::mutation::mutator::Operation;
use guardrail_engine::policy::{Decision, PolicySet, PolicyText, Request, Verdict};
use guardrail_engine::template::EnforcementPoint;
use guardrail_engine::yaml::{self, Schema};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::{Info, Playground, Problem, info_of};

/// One document of the site's policy set, as the Policies panel lists it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SiteDoc {
    /// Stable within a build: `site:<n>`, in the bundle's order.
    pub id: String,
    /// The file it came from (`policies/privileged-containers/template.yaml`).
    pub file: String,
    /// Its kind and name.
    pub kind: String,
    pub name: String,
    /// Cluster state (a Namespace, a LimitRange) rather than a policy.
    pub cluster: bool,
    /// The object as YAML.
    pub text: String,
}

/// A policy document as the reader has it: the site's, edited, or added.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct PolicyDoc {
    /// `site:<n>` for one of the site's (edited or not), anything else for one the reader added.
    pub id: String,
    /// Its YAML (one document or several).
    pub text: String,
    /// Switched on.
    #[serde(default = "on")]
    pub enabled: bool,
}

fn on() -> bool {
    true
}

/// Why a policy document does not load, at its line and column.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PolicyProblem {
    /// The document's id.
    pub id: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// The policy set after an edit: what did not load (left out of the set), and what the set now holds.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PoliciesOutcome {
    pub problems: Vec<PolicyProblem>,
    pub info: Info,
}

/// The request around what the reader judges.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(default, rename_all = "camelCase")]
pub struct RequestIn {
    /// The request's namespace (objects without one are created there).
    pub namespace: String,
    /// "" to infer fragments, else a fragment kind (`podspec`).
    pub wrap: String,
    /// "" (no operation, as gator and the docs check), CREATE, UPDATE, DELETE or CONNECT.
    pub operation: String,
    /// The old object's YAML (UPDATE, DELETE); "" for none.
    pub old_object: String,
    /// `userInfo.username`; "" for none.
    pub username: String,
    /// `userInfo.groups`.
    pub groups: Vec<String>,
    /// The namespace's labels, when the reader gives them (otherwise the cluster state's Namespace, if any).
    pub namespace_labels: BTreeMap<String, String>,
}

impl RequestIn {
    /// The engine's request; the old object's YAML error, at its line and column, when it does not parse.
    pub(crate) fn request(&self) -> Result<Request, Problem> {
        let mut r = self.request_without_old();
        let old = self.old_object.trim();
        if !old.is_empty() {
            let docs = yaml::load_documents(&self.old_object, Schema::Kubernetes, &Default::default())
                .map_err(|e| Problem { line: e.line, column: e.column, message: e.message, hint: None })?;
            r.old_object = docs.into_iter().map(|d| d.value).find(|v| !v.is_null());
        }
        Ok(r)
    }

    /// The request without its old object.
    pub(crate) fn request_without_old(&self) -> Request {
        let mut user = serde_json::Map::new();
        if !self.username.trim().is_empty() {
            user.insert("username".into(), json!(self.username.trim()));
        }
        let groups: Vec<&str> = self.groups.iter().map(|g| g.trim()).filter(|g| !g.is_empty()).collect();
        if !groups.is_empty() {
            user.insert("groups".into(), json!(groups));
        }
        let namespace = Some(self.namespace.trim().to_string()).filter(|n| !n.is_empty());
        let namespace_object = match (&namespace, self.namespace_labels.is_empty()) {
            (Some(ns), false) => Some(json!({
                "apiVersion": "v1", "kind": "Namespace",
                "metadata": {"name": ns, "labels": self.namespace_labels}
            })),
            _ => None,
        };
        Request {
            operation: Operation::parse(&self.operation).unwrap_or(Operation::Unspecified),
            namespace,
            user_info: Value::Object(user),
            old_object: None,
            namespace_object,
            enforcement_point: EnforcementPoint::Gator,
            ..Request::default()
        }
    }
}

/// The AdmissionReview response Gatekeeper's webhook would return for a request it judged as `d` says: allowed or
/// not (403, with its `[constraint] message` lines, or the API server's words when one of its own stages refused
/// first), the JSON Patch of Gatekeeper's mutation (base64, `patchType: JSONPatch`), the warnings; `uid` is the
/// request's.
pub fn review_response(uid: &str, d: &Decision) -> Value {
    let mut response = json!({"uid": uid, "allowed": d.verdict != Verdict::Rejected});
    if d.verdict == Verdict::Rejected {
        response["status"] = json!({"code": 403, "message": d.denial().unwrap_or_default()});
    }
    // Only what Gatekeeper's mutation wrote is its webhook's patch (the API server's plugins patch nothing).
    let gatekeeper: BTreeSet<&str> = d
        .stages
        .iter()
        .filter(|s| s.stage == Stage::GatekeeperMutation)
        .flat_map(|s| s.changed.iter().map(String::as_str))
        .collect();
    let patch: Vec<&Value> = d
        .patch
        .iter()
        .filter(|op| {
            d.stages.is_empty() || op.get("path").and_then(Value::as_str).is_some_and(|p| gatekeeper.contains(p))
        })
        .collect();
    if !patch.is_empty() {
        response["patchType"] = json!("JSONPatch");
        // Standard base64 with padding, as the API server reads `patch`.
        let encoded =
            guardrail_engine::cel::ext::base64_encode(serde_json::to_string(&patch).unwrap_or_default().as_bytes());
        response["patch"] = json!(encoded);
    }
    if !d.warnings.is_empty() {
        response["warnings"] = json!(d.warnings);
    }
    json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "response": response})
}

/// One file of an exported gator suite.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct SuiteFile {
    /// Its path in the suite's folder (`suite.yaml`, `templates/k8sx.yaml`).
    pub path: String,
    pub text: String,
}

impl Playground {
    /// The site's policy documents (then its cluster state), as the Policies panel lists and opens them; printed
    /// once.
    pub fn site_documents(&self) -> &[SiteDoc] {
        self.site.get_or_init(|| {
            let policies = self.bundle.policies.iter().map(|o| (o, false));
            let cluster = self.bundle.cluster.iter().map(|o| (o, true));
            policies
                .chain(cluster)
                .enumerate()
                .map(|(i, (o, cluster))| SiteDoc {
                    id: format!("site:{i}"),
                    file: o.file.clone(),
                    kind: o.object.get("kind").and_then(Value::as_str).unwrap_or("").to_string(),
                    name: o.object.pointer("/metadata/name").and_then(Value::as_str).unwrap_or("").to_string(),
                    cluster,
                    text: yaml::to_yaml(&o.object),
                })
                .collect()
        })
    }

    /// Judges with `docs` as the policy set (templates, constraints, mutators, admission policies, Gatekeeper's
    /// `Config`, and cluster state such as Namespaces and LimitRanges), instead of the site's. A document that does
    /// not load is left out, its error at its line and column; the rest judge. Each template's Rego is compiled
    /// once: an edit of one template compiles that one.
    pub fn set_policies(&mut self, docs: &[PolicyDoc]) -> PoliciesOutcome {
        let site = self.site_documents();
        let unchanged = docs.len() == site.len()
            && docs.iter().zip(site).all(|(d, s)| d.enabled && d.id == s.id && d.text == s.text);
        let mut problems: Vec<PolicyProblem> = Vec::new();
        let mut left_out: BTreeSet<String> = BTreeSet::new();
        // A document that fails is left out, and the rest loaded again (a constraint whose template failed then
        // fails in turn, and is named too).
        for _ in 0..4 {
            let texts: Vec<PolicyText<'_>> = docs
                .iter()
                .filter(|d| d.enabled && !left_out.contains(&d.id))
                .map(|d| PolicyText { name: &d.id, text: &d.text })
                .collect();
            match PolicySet::load_sources_cached(&texts, &self.limits, &mut self.cache) {
                Ok((mut set, sources)) => {
                    if let Err(e) = set.set_cluster(sources.cluster) {
                        problems.push(PolicyProblem { id: String::new(), line: 1, column: 1, message: e });
                    }
                    let _ = set.set_exempt_namespaces(&self.bundle.exempt_namespaces);
                    set.set_api_server(self.bundle.admission.api_server(self.version).ok().flatten());
                    let version = if unchanged { self.bundle.version.clone() } else { "edited".to_string() };
                    self.info = info_of(&set, &version);
                    self.set = set;
                    return PoliciesOutcome { problems, info: self.info.clone() };
                }
                Err(errors) => {
                    for e in errors {
                        left_out.insert(e.name.clone());
                        problems.push(PolicyProblem { id: e.name, line: e.line, column: e.column, message: e.message });
                    }
                }
            }
        }
        PoliciesOutcome { problems, info: self.info.clone() }
    }

    /// The first document of `text`, judged with `req`, as a gator suite: for each constraint that judged it, its
    /// template and constraint, and a case whose object is the document as admission left it (an AdmissionReview
    /// when the request says more than gator's default: an operation, a user, an old object), asserting the
    /// violations the playground found; the cluster state as inventory.
    pub fn suite(&mut self, text: &str, req: &RequestIn) -> Result<Vec<SuiteFile>, String> {
        let out = self.admit_request(text, req);
        if let Some(e) = out.error {
            return Err(format!("the YAML does not parse (line {}, column {}): {}", e.line, e.column, e.message));
        }
        let d = out
            .documents
            .iter()
            .find(|d| !d.stored.is_null())
            .ok_or("nothing was judged: a suite needs an object the policies judge")?;
        let mut judged: Vec<String> = d.constraints.clone();
        for v in &d.violations {
            if v.constraint.contains('/') && !judged.contains(&v.constraint) {
                judged.push(v.constraint.clone());
            }
        }
        let objects: Vec<&Value> = self.set.objects().map(|o| o.value).collect();
        let mut files = Vec::new();
        let mut tests = Vec::new();
        let request = req.request().unwrap_or_else(|_| req.request_without_old());
        let plain = request.operation == Operation::Unspecified
            && request.old_object.is_none()
            && request.user_info.as_object().is_none_or(|u| u.is_empty());
        let object = if plain || d.review {
            d.stored.clone()
        } else {
            json!({
                "apiVersion": "admission.k8s.io/v1",
                "kind": "AdmissionReview",
                "request": {
                    "uid": "playground",
                    "operation": req.operation.to_ascii_uppercase(),
                    "namespace": request.namespace.clone().unwrap_or_default(),
                    "userInfo": request.user_info,
                    "object": if request.operation == Operation::Delete { Value::Null } else { d.stored.clone() },
                    "oldObject": request.old_object.clone().unwrap_or(Value::Null),
                }
            })
        };
        files.push(SuiteFile { path: "object.yaml".into(), text: yaml::to_yaml(&object) });
        let cluster: Vec<Value> = self.set.cluster().map(|o| o.value.clone()).collect();
        if !cluster.is_empty() {
            let text = cluster.iter().map(yaml::to_yaml).collect::<Vec<_>>().join("---\n");
            files.push(SuiteFile { path: "inventory.yaml".into(), text });
        }
        for id in &judged {
            let Some((kind, name)) = id.split_once('/') else { continue };
            let template = objects.iter().find(|o| {
                o.get("kind").and_then(Value::as_str) == Some("ConstraintTemplate")
                    && o.pointer("/spec/crd/spec/names/kind").and_then(Value::as_str) == Some(kind)
            });
            let constraint = objects.iter().find(|o| {
                o.get("kind").and_then(Value::as_str) == Some(kind)
                    && o.pointer("/metadata/name").and_then(Value::as_str) == Some(name)
            });
            let (Some(template), Some(constraint)) = (template, constraint) else { continue };
            let (t, c) = (format!("templates/{}.yaml", kind.to_lowercase()), format!("constraints/{name}.yaml"));
            if !files.iter().any(|f| f.path == t) {
                files.push(SuiteFile { path: t.clone(), text: yaml::to_yaml(template) });
            }
            files.push(SuiteFile { path: c.clone(), text: yaml::to_yaml(constraint) });
            let violates = d.violations.iter().any(|v| &v.constraint == id);
            let mut case = json!({
                "name": if violates { "violates" } else { "admitted" },
                "object": "object.yaml",
                "assertions": [{"violations": if violates { "yes" } else { "no" }}],
            });
            if !cluster.is_empty() {
                case["inventory"] = json!(["inventory.yaml"]);
            }
            tests.push(json!({"name": name, "template": t, "constraint": c, "cases": [case]}));
        }
        if tests.is_empty() {
            return Err("no constraint judged this object: a suite needs a constraint whose match selects it".into());
        }
        let suite = json!({
            "kind": "Suite",
            "apiVersion": "test.gatekeeper.sh/v1alpha1",
            "metadata": {"name": "playground"},
            "tests": tests,
        });
        files.insert(0, SuiteFile { path: "suite.yaml".into(), text: yaml::to_yaml(&suite) });
        Ok(files)
    }
}
