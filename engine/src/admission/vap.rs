//! The API server's `ValidatingAdmissionPolicy` plugin: every binding whose `matchResources` select the request,
//! with its policy's `matchConstraints`, `matchConditions`, `variables` and `validations`, params from the cluster
//! state, and `validationActions` (Deny, Warn, Audit). It runs after Pod Security and before the webhooks; the
//! first denial ends the request. The policies Gatekeeper generates from CEL templates and their constraints
//! (`--default-create-vap-for-templates`, `--default-create-vap-binding-for-constraints`) run here too.

use serde_json::{Value, json};

use super::Stage;
use super::decision::{StageReport, Violation};
use super::request::Request;
use crate::celpolicy::{CelCode, Failure, Inputs, Named, Outcome};
use crate::matching::LabelSelector;
use crate::mutation::mutator::Operation;
use crate::object::{self, FieldError, Gvk};
use crate::template::EnforcementAction;

/// The API group of admission policies.
pub const GROUP: &str = "admissionregistration.k8s.io";

/// `failurePolicy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailurePolicy {
    /// An error refuses the request (the default).
    Fail,
    /// An error is ignored.
    Ignore,
}

/// One of `resourceRules` / `excludeResourceRules`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ResourceRule {
    /// `apiGroups`.
    pub api_groups: Vec<String>,
    /// `apiVersions`.
    pub api_versions: Vec<String>,
    /// `resources` (plural names; `*`, `pods/*`).
    pub resources: Vec<String>,
    /// `operations` (`*` for all).
    pub operations: Vec<String>,
    /// `resourceNames`.
    pub resource_names: Vec<String>,
    /// `scope`: `Cluster`, `Namespaced` or `*`.
    pub scope: Option<String>,
}

/// `matchConstraints` of a policy or `matchResources` of a binding.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MatchResources {
    /// `namespaceSelector` (empty: every namespace).
    pub namespace_selector: Option<LabelSelector>,
    /// `objectSelector`.
    pub object_selector: Option<LabelSelector>,
    /// `resourceRules` (for a binding, empty means whatever the policy matches).
    pub resource_rules: Vec<ResourceRule>,
    /// `excludeResourceRules`.
    pub exclude_resource_rules: Vec<ResourceRule>,
}

/// `paramKind`.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamKind {
    /// `apiVersion`.
    pub api_version: String,
    /// `kind`.
    pub kind: String,
}

/// A binding's `paramRef`.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamRef {
    /// `name`.
    pub name: Option<String>,
    /// `namespace`.
    pub namespace: Option<String>,
    /// `selector`.
    pub selector: Option<LabelSelector>,
    /// `parameterNotFoundAction`: whether a missing param denies (`Deny`) or skips the binding (`Allow`).
    pub deny_when_missing: bool,
}

/// A `ValidatingAdmissionPolicy` (or, with `mutations`, a `MutatingAdmissionPolicy`).
#[derive(Debug, Clone, PartialEq)]
pub struct AdmissionPolicy {
    /// `metadata.name`.
    pub name: String,
    /// `spec.paramKind`.
    pub param_kind: Option<ParamKind>,
    /// `spec.matchConstraints`.
    pub match_constraints: MatchResources,
    /// `spec.failurePolicy`.
    pub failure_policy: FailurePolicy,
    /// `variables`, `matchConditions`, `validations`, `auditAnnotations`.
    pub code: CelCode,
    /// A mutating policy's `mutations` (empty for a validating one).
    pub mutations: Vec<super::map::Mutation>,
    /// A mutating policy's `reinvocationPolicy: IfNeeded`.
    pub reinvoke: bool,
}

/// What a binding does with a failed validation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValidationAction {
    /// Refuse the request.
    Deny,
    /// Admit it with a warning.
    Warn,
    /// Record it in the audit log.
    Audit,
}

/// A `ValidatingAdmissionPolicyBinding` (or `MutatingAdmissionPolicyBinding`).
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyBinding {
    /// `metadata.name`.
    pub name: String,
    /// `spec.policyName`.
    pub policy_name: String,
    /// `spec.paramRef`.
    pub param_ref: Option<ParamRef>,
    /// `spec.matchResources`.
    pub match_resources: Option<MatchResources>,
    /// `spec.validationActions`.
    pub actions: Vec<ValidationAction>,
}

fn rules(v: &Value, key: &str, at: &str) -> Result<Vec<ResourceRule>, FieldError> {
    let mut out = Vec::new();
    for (i, r) in object::opt_list(v, key, at)?.iter().enumerate() {
        let here = format!("{at}.{key}[{i}]");
        let operations = object::str_list(r, "operations", &here)?;
        if let Some(bad) =
            operations.iter().find(|o| !matches!(o.as_str(), "*" | "CREATE" | "UPDATE" | "DELETE" | "CONNECT"))
        {
            return Err(FieldError::new(
                format!("{here}.operations"),
                format!("`{bad}` is not an operation (CREATE, UPDATE, DELETE, CONNECT or *)"),
            ));
        }
        out.push(ResourceRule {
            api_groups: object::str_list(r, "apiGroups", &here)?,
            api_versions: object::str_list(r, "apiVersions", &here)?,
            resources: object::str_list(r, "resources", &here)?,
            operations,
            resource_names: object::str_list(r, "resourceNames", &here)?,
            scope: object::opt_str(r, "scope", &here)?.map(str::to_string),
        });
    }
    Ok(out)
}

impl MatchResources {
    /// Decodes a `matchConstraints` / `matchResources` block.
    pub fn decode(v: &Value, at: &str) -> Result<MatchResources, FieldError> {
        let selector = |key: &str| -> Result<Option<LabelSelector>, FieldError> {
            match v.get(key) {
                None | Some(Value::Null) => Ok(None),
                Some(s) => LabelSelector::decode(s, &format!("{at}.{key}")).map(Some),
            }
        };
        Ok(MatchResources {
            namespace_selector: selector("namespaceSelector")?,
            object_selector: selector("objectSelector")?,
            resource_rules: rules(v, "resourceRules", at)?,
            exclude_resource_rules: rules(v, "excludeResourceRules", at)?,
        })
    }

    /// Whether the request is selected: a resource rule matches, no excluded rule does, and the selectors hold.
    /// `rules_required`: a policy's constraints need a rule; a binding without rules takes the policy's.
    fn selects(&self, req: &RequestFacts<'_>, rules_required: bool) -> bool {
        if (rules_required || !self.resource_rules.is_empty()) && !self.resource_rules.iter().any(|r| r.matches(req)) {
            return false;
        }
        if self.exclude_resource_rules.iter().any(|r| r.matches(req)) {
            return false;
        }
        if let Some(sel) = &self.object_selector {
            let labels = |o: &Value| o.pointer("/metadata/labels").cloned();
            let ok = [req.object, req.old_object].iter().any(|o| !o.is_null() && sel.matches(labels(o).as_ref()));
            if !ok {
                return false;
            }
        }
        if let Some(sel) = &self.namespace_selector {
            // Cluster-scoped objects other than a Namespace are not subject to a namespace selector.
            if req.namespaced || req.gvk.kind == "Namespace" {
                let labels = if req.gvk.kind == "Namespace" && req.gvk.group.is_empty() {
                    req.object.pointer("/metadata/labels")
                } else {
                    req.namespace_object.pointer("/metadata/labels")
                };
                if !sel.matches(labels) {
                    return false;
                }
            }
        }
        true
    }
}

fn any_or(list: &[String], value: &str) -> bool {
    list.iter().any(|x| x == "*" || x == value)
}

impl AdmissionPolicy {
    pub(crate) fn match_constraints_select(&self, facts: &RequestFacts<'_>) -> bool {
        self.match_constraints.selects(facts, true)
    }
}

impl PolicyBinding {
    pub(crate) fn selects(&self, facts: &RequestFacts<'_>) -> bool {
        self.match_resources.as_ref().is_none_or(|m| m.selects(facts, false))
    }
}

impl ResourceRule {
    fn matches(&self, req: &RequestFacts<'_>) -> bool {
        let op = req.operation;
        any_or(&self.operations, op)
            && any_or(&self.api_groups, &req.gvk.group)
            && any_or(&self.api_versions, &req.gvk.version)
            && self.resources.iter().any(|r| r == "*" || r == "*/*" || r == &req.resource)
            && (self.resource_names.is_empty() || self.resource_names.iter().any(|n| n == req.name))
            && match self.scope.as_deref() {
                Some("Cluster") => !req.namespaced,
                Some("Namespaced") => req.namespaced,
                _ => true,
            }
    }
}

/// `failurePolicy` of a policy's spec or a template's CEL source (`Fail` when unset).
pub(crate) fn failure_policy(v: &Value, at: &str) -> Result<FailurePolicy, FieldError> {
    match object::opt_str(v, "failurePolicy", at)?.unwrap_or("Fail") {
        "Fail" => Ok(FailurePolicy::Fail),
        "Ignore" => Ok(FailurePolicy::Ignore),
        other => Err(FieldError::new(format!("{at}.failurePolicy"), format!("`{other}` is not Fail or Ignore"))),
    }
}

impl AdmissionPolicy {
    /// Decodes a ValidatingAdmissionPolicy or MutatingAdmissionPolicy.
    pub fn decode(obj: &Value) -> Result<AdmissionPolicy, FieldError> {
        let gvk = Gvk::of(obj);
        let name = object::req_str(obj.get("metadata").unwrap_or(&Value::Null), "name", "metadata")?.to_string();
        let spec = obj.get("spec").unwrap_or(&Value::Null);
        let param_kind = match spec.get("paramKind") {
            None | Some(Value::Null) => None,
            Some(p) => Some(ParamKind {
                api_version: object::req_str(p, "apiVersion", "spec.paramKind")?.to_string(),
                kind: object::req_str(p, "kind", "spec.paramKind")?.to_string(),
            }),
        };
        let Some(constraints) = spec.get("matchConstraints").filter(|v| !v.is_null()) else {
            return Err(FieldError::new("spec.matchConstraints", "Required value"));
        };
        let match_constraints = MatchResources::decode(constraints, "spec.matchConstraints")?;
        if match_constraints.resource_rules.is_empty() {
            return Err(FieldError::new("spec.matchConstraints.resourceRules", "Required value"));
        }
        let mutating = gvk.kind == "MutatingAdmissionPolicy";
        let code = CelCode::decode(spec, "spec")?;
        if !mutating && code.validations.is_empty() && code.audit_annotations.is_empty() {
            return Err(FieldError::new(
                "spec.validations",
                "Required value: validations or auditAnnotations must contain at least one item",
            ));
        }
        let (mutations, reinvoke) = if mutating {
            let m = super::map::Mutation::decode_all(spec, "spec")?;
            let reinvoke = match object::opt_str(spec, "reinvocationPolicy", "spec")?.unwrap_or("Never") {
                "Never" => false,
                "IfNeeded" => true,
                other => {
                    return Err(FieldError::new(
                        "spec.reinvocationPolicy",
                        format!("`{other}` is not Never or IfNeeded"),
                    ));
                }
            };
            (m, reinvoke)
        } else {
            (Vec::new(), false)
        };
        Ok(AdmissionPolicy {
            name,
            param_kind,
            match_constraints,
            failure_policy: failure_policy(spec, "spec")?,
            code,
            mutations,
            reinvoke,
        })
    }
}

impl PolicyBinding {
    /// Decodes a ValidatingAdmissionPolicyBinding or MutatingAdmissionPolicyBinding.
    pub fn decode(obj: &Value) -> Result<PolicyBinding, FieldError> {
        let gvk = Gvk::of(obj);
        let name = object::req_str(obj.get("metadata").unwrap_or(&Value::Null), "name", "metadata")?.to_string();
        let spec = obj.get("spec").unwrap_or(&Value::Null);
        let policy_name = object::req_str(spec, "policyName", "spec")?.to_string();
        let param_ref = match spec.get("paramRef") {
            None | Some(Value::Null) => None,
            Some(p) => {
                let name = object::opt_str(p, "name", "spec.paramRef")?.map(str::to_string);
                let selector = match p.get("selector") {
                    None | Some(Value::Null) => None,
                    Some(s) => Some(LabelSelector::decode(s, "spec.paramRef.selector")?),
                };
                if name.is_some() == selector.is_some() {
                    return Err(FieldError::new("spec.paramRef", "one of name or selector must be set, not both"));
                }
                let deny_when_missing = match object::opt_str(p, "parameterNotFoundAction", "spec.paramRef")? {
                    Some("Deny") => true,
                    Some("Allow") => false,
                    None if gvk.kind == "MutatingAdmissionPolicyBinding" => false,
                    None => {
                        return Err(FieldError::new("spec.paramRef.parameterNotFoundAction", "Required value"));
                    }
                    Some(other) => {
                        return Err(FieldError::new(
                            "spec.paramRef.parameterNotFoundAction",
                            format!("`{other}` is not Allow or Deny"),
                        ));
                    }
                };
                Some(ParamRef {
                    name,
                    namespace: object::opt_str(p, "namespace", "spec.paramRef")?.map(str::to_string),
                    selector,
                    deny_when_missing,
                })
            }
        };
        let match_resources = match spec.get("matchResources") {
            None | Some(Value::Null) => None,
            Some(m) => Some(MatchResources::decode(m, "spec.matchResources")?),
        };
        let mut actions = Vec::new();
        if gvk.kind == "ValidatingAdmissionPolicyBinding" {
            for a in object::str_list(spec, "validationActions", "spec")? {
                let action = match a.as_str() {
                    "Deny" => ValidationAction::Deny,
                    "Warn" => ValidationAction::Warn,
                    "Audit" => ValidationAction::Audit,
                    other => {
                        return Err(FieldError::new(
                            "spec.validationActions",
                            format!("`{other}` is not Deny, Warn or Audit"),
                        ));
                    }
                };
                if actions.contains(&action) {
                    return Err(FieldError::new("spec.validationActions", format!("duplicate value: {a}")));
                }
                actions.push(action);
            }
            if actions.is_empty() {
                return Err(FieldError::new("spec.validationActions", "Required value"));
            }
            if actions.contains(&ValidationAction::Deny) && actions.contains(&ValidationAction::Warn) {
                return Err(FieldError::new(
                    "spec.validationActions",
                    "Deny and Warn may not both be set: use Deny, or Warn, with Audit if wanted",
                ));
            }
        }
        Ok(PolicyBinding { name, policy_name, param_ref, match_resources, actions })
    }
}

/// What the matching reads of a request.
pub(crate) struct RequestFacts<'a> {
    pub(crate) operation: &'static str,
    pub(crate) gvk: Gvk,
    pub(crate) resource: String,
    pub(crate) name: &'a str,
    pub(crate) namespaced: bool,
    pub(crate) object: &'a Value,
    pub(crate) old_object: &'a Value,
    pub(crate) namespace_object: &'a Value,
}

/// `pods`, `deployments`, `networkpolicies`, `ingresses`: the resource a kind is served as (the API server's
/// plural; a CRD's own plural when the cluster state has it).
pub fn resource_of(kind: &str, crd_plural: Option<&str>) -> String {
    if let Some(p) = crd_plural {
        return p.to_string();
    }
    let lower = kind.to_lowercase();
    match lower.as_str() {
        "endpoints" => lower,
        _ if lower.ends_with('s') || lower.ends_with("ch") || lower.ends_with("sh") || lower.ends_with('x') => {
            format!("{lower}es")
        }
        _ if lower.ends_with('y') && !lower.ends_with("ay") && !lower.ends_with("ey") && !lower.ends_with("oy") => {
            format!("{}ies", &lower[..lower.len() - 1])
        }
        _ => format!("{lower}s"),
    }
}

/// Kinds the API server serves cluster-wide (of those a docs example is likely to show).
pub fn cluster_scoped(gvk: &Gvk) -> bool {
    matches!(
        (gvk.group.as_str(), gvk.kind.as_str()),
        ("", "Namespace" | "Node" | "PersistentVolume")
            | ("rbac.authorization.k8s.io", "ClusterRole" | "ClusterRoleBinding")
            | ("storage.k8s.io", "StorageClass" | "CSIDriver" | "VolumeAttachment")
            | ("scheduling.k8s.io", "PriorityClass")
            | ("networking.k8s.io", "IngressClass")
            | ("apiextensions.k8s.io", "CustomResourceDefinition")
            | ("admissionregistration.k8s.io", _)
            | ("templates.gatekeeper.sh" | "constraints.gatekeeper.sh" | "mutations.gatekeeper.sh", _)
    )
}

/// `deployments.apps "web"`: how the API server names what it refuses.
pub(crate) fn qualified_name(facts: &RequestFacts<'_>) -> String {
    let name = match facts.name {
        "" => object::meta_str(facts.object, "generateName"),
        n => n,
    };
    let name = if name.is_empty() { "Unknown" } else { name };
    if facts.gvk.group.is_empty() {
        format!("{} \"{name}\"", facts.resource)
    } else {
        format!("{}.{} \"{name}\"", facts.resource, facts.gvk.group)
    }
}

/// A policy/binding pair to evaluate: a native one, or one Gatekeeper generated.
struct Pair<'s> {
    policy: String,
    binding: String,
    code: &'s CelCode,
    extra: &'s [Named],
    failure: FailurePolicy,
    actions: Vec<ValidationAction>,
    /// The params to evaluate with (each separately); empty when none was found and that is allowed.
    params: Vec<Value>,
    /// For a policy Gatekeeper generated: the constraint's kind and name, which a refusal is filed under (the
    /// rule a writer names), while its stage says the API server answered.
    constraint: Option<(String, String)>,
}

/// The outcome of the stage: a refusal, and what it says otherwise.
pub(crate) fn validate(
    set: &crate::policy::PolicySet,
    object: &Value,
    request: &Request,
    report: &mut StageReport,
    warnings: &mut Vec<String>,
) -> Vec<Violation> {
    let null = Value::Null;
    let facts = set.request_facts(object, request);
    let request_json = request.cel_request(object);
    let request_json = with_resource(request_json, &facts);
    let old = request.old_object.as_ref().unwrap_or(&null);
    let namespace_object = request.namespace_object.as_ref().unwrap_or(&null);
    let mut pairs: Vec<Pair<'_>> = Vec::new();
    let mut refusals = Vec::new();
    for p in &set.admission_policies.validating {
        if !p.match_constraints.selects(&facts, true) {
            continue;
        }
        for b in set.admission_policies.validating_bindings.iter().filter(|b| b.policy_name == p.name) {
            if b.match_resources.as_ref().is_some_and(|m| !m.selects(&facts, false)) {
                continue;
            }
            match set.policy_params(p, b, &facts) {
                Ok(params) => pairs.push(Pair {
                    policy: p.name.clone(),
                    binding: b.name.clone(),
                    code: &p.code,
                    extra: &[],
                    failure: p.failure_policy,
                    actions: b.actions.clone(),
                    params,
                    constraint: None,
                }),
                Err(why) if p.failure_policy == FailurePolicy::Fail => refusals.push((
                    format!(
                        "ValidatingAdmissionPolicy '{}' with binding '{}' denied request: failed to configure binding: {why}",
                        p.name, b.name
                    ),
                    (Stage::ValidatingAdmissionPolicy.name().to_string(), p.name.clone()),
                )),
                Err(_) => {}
            }
        }
    }
    pairs.extend(set.generated_pairs(object, request, &facts));
    pairs.sort_by(|a, b| (&a.policy, &a.binding).cmp(&(&b.policy, &b.binding)));
    for pair in &pairs {
        for params in &pair.params {
            let inputs = Inputs { object, old_object: old, request: &request_json, params, namespace_object };
            let failures: Vec<Failure> = match pair.code.evaluate(&inputs, pair.extra) {
                Outcome::NotMatched => continue,
                Outcome::MatchError(e) => match pair.failure {
                    FailurePolicy::Fail => vec![Failure { message: e, reason: None, error: true }],
                    FailurePolicy::Ignore => continue,
                },
                Outcome::Evaluated { failures, annotations } => {
                    for (k, v) in annotations {
                        report.said.push(format!("audit annotation {}/{k}: {v}", pair.policy));
                    }
                    failures
                }
            };
            for f in failures {
                if f.error && pair.failure == FailurePolicy::Ignore {
                    continue;
                }
                for action in &pair.actions {
                    match action {
                        ValidationAction::Deny => refusals.push((
                            format!(
                                "ValidatingAdmissionPolicy '{}' with binding '{}' denied request: {}",
                                pair.policy, pair.binding, f.message
                            ),
                            pair.constraint.clone().unwrap_or_else(|| {
                                (Stage::ValidatingAdmissionPolicy.name().to_string(), pair.policy.clone())
                            }),
                        )),
                        ValidationAction::Warn => {
                            let w = format!(
                                "Validation failed for ValidatingAdmissionPolicy '{}' with binding '{}': {}",
                                pair.policy, pair.binding, f.message
                            );
                            report.warnings.push(w.clone());
                            warnings.push(w);
                        }
                        ValidationAction::Audit => report.said.push(format!(
                            "audit annotation validation.policy.admission.k8s.io/validation_failure: {}",
                            json!([{"message": f.message, "policy": pair.policy, "binding": pair.binding,
                                "validationActions": ["Audit"]}])
                        )),
                    }
                }
            }
        }
    }
    // Only the first denial is the request's answer.
    refusals
        .into_iter()
        .next()
        .map(|(message, (kind, name))| {
            let mut v = Violation::refusal(
                Stage::ValidatingAdmissionPolicy,
                name,
                format!("{} is forbidden: {message}", qualified_name(&facts)),
            );
            v.kind = kind;
            vec![v]
        })
        .unwrap_or_default()
}

/// The request's `resource` (`{group, version, resource}`), which the AdmissionRequest carries.
fn with_resource(mut request: Value, facts: &RequestFacts<'_>) -> Value {
    if let Some(m) = request.as_object_mut() {
        m.insert(
            "resource".into(),
            json!({"group": facts.gvk.group, "version": facts.gvk.version, "resource": facts.resource}),
        );
    }
    request
}

/// The native and Gatekeeper-generated policies and bindings of a policy set.
#[derive(Debug, Clone, Default)]
pub struct AdmissionPolicies {
    /// ValidatingAdmissionPolicies, by name.
    pub validating: Vec<AdmissionPolicy>,
    /// Their bindings.
    pub validating_bindings: Vec<PolicyBinding>,
    /// MutatingAdmissionPolicies, by name.
    pub mutating: Vec<AdmissionPolicy>,
    /// Their bindings.
    pub mutating_bindings: Vec<PolicyBinding>,
}

impl AdmissionPolicies {
    /// Whether there is nothing to run.
    pub fn is_empty(&self) -> bool {
        self.validating.is_empty() && self.mutating.is_empty()
    }
}

/// The binding Gatekeeper generates for a constraint (since 3.23: `gatekeeper-<kind>-<name>`).
pub fn generated_binding_name(kind: &str, constraint: &str) -> String {
    format!("gatekeeper-{}-{constraint}", kind.to_lowercase())
}

/// The policy Gatekeeper generates for a template.
pub fn generated_policy_name(template: &str) -> String {
    format!("gatekeeper-{template}")
}

impl crate::policy::PolicySet {
    pub(crate) fn request_facts<'a>(&self, object: &'a Value, request: &'a Request) -> RequestFacts<'a> {
        let gvk = Gvk::of(object);
        let plural = self.cluster_state.custom.plural(&gvk.group, &gvk.kind);
        let resource = resource_of(&gvk.kind, plural.as_deref());
        let namespaced = !cluster_scoped(&gvk) && !self.cluster_state.custom.is_cluster_scoped(&gvk.group, &gvk.kind);
        let operation = match request.operation {
            Operation::Update => "UPDATE",
            Operation::Delete => "DELETE",
            Operation::Connect => "CONNECT",
            _ => "CREATE",
        };
        RequestFacts {
            operation,
            gvk,
            resource,
            name: object::meta_str(object, "name"),
            namespaced,
            object,
            old_object: request.old_object.as_ref().unwrap_or(&Value::Null),
            namespace_object: request.namespace_object.as_ref().unwrap_or(&Value::Null),
        }
    }

    /// The params a binding selects from the cluster state: by name or selector, in the binding's namespace (or
    /// the request's, for a namespaced param kind); `[null]` for a policy without `paramKind`.
    pub(crate) fn policy_params(
        &self,
        p: &AdmissionPolicy,
        b: &PolicyBinding,
        facts: &RequestFacts<'_>,
    ) -> Result<Vec<Value>, String> {
        let Some(kind) = &p.param_kind else { return Ok(vec![Value::Null]) };
        let Some(r) = &b.param_ref else {
            return Err("paramRef is required when the policy has a paramKind".to_string());
        };
        let request_ns = facts
            .namespaced
            .then(|| object::meta_str(facts.object, "namespace"))
            .filter(|n| !n.is_empty())
            .or_else(|| Some(object::meta_str(facts.namespace_object, "name")).filter(|n| !n.is_empty()));
        let namespace = r.namespace.as_deref().or(request_ns);
        let found: Vec<Value> = self
            .cluster()
            .map(|o| o.value)
            .filter(|o| {
                let g = Gvk::of(o);
                g.api_version() == kind.api_version && g.kind == kind.kind
            })
            .filter(|o| {
                let ns = object::meta_str(o, "namespace");
                ns.is_empty() || namespace.is_none_or(|n| n == ns)
            })
            .filter(|o| match (&r.name, &r.selector) {
                (Some(name), _) => object::meta_str(o, "name") == name,
                (None, Some(sel)) => sel.matches(o.pointer("/metadata/labels")),
                (None, None) => false,
            })
            .cloned()
            .collect();
        if found.is_empty() {
            if r.deny_when_missing {
                return Err("no params found for policy binding with `Deny` parameterNotFoundAction".to_string());
            }
            return Ok(Vec::new());
        }
        Ok(found)
    }

    /// The policy/binding pairs Gatekeeper generates: one policy per CEL template (unless its `generateVAP` says
    /// no), one binding per constraint whose actions at `vap.k8s.io` are not empty; each binding's constraint
    /// match (kinds, namespaces, name, selectors) decides whether it selects the request.
    fn generated_pairs(&self, object: &Value, request: &Request, facts: &RequestFacts<'_>) -> Vec<Pair<'_>> {
        let Some(api) = &self.api_server else { return Vec::new() };
        let mut out = Vec::new();
        if !matches!(facts.operation, "CREATE" | "UPDATE") {
            return out;
        }
        let namespace = request.namespace_for(object).unwrap_or_default();
        if self.exemption(&namespace, crate::gkconfig::Process::Webhook).is_some() {
            return out;
        }
        for entry in &self.templates {
            let Some(native) = &entry.template.cel else { continue };
            if !native.generate_vap.unwrap_or(api.gatekeeper.vap_for_templates) {
                continue;
            }
            if !entry.template.handles_operation(facts.operation) {
                continue;
            }
            for c in self.constraints.iter().filter(|c| c.kind == entry.template.kind) {
                let actions = c.enforcement.vap_actions(api.gatekeeper.vap_bindings_for_constraints);
                if actions.is_empty() {
                    continue;
                }
                let matched =
                    super::gatekeeper::constraint_matches(c, object, request, crate::matching::Source::Original)
                        .unwrap_or(false);
                if !matched {
                    continue;
                }
                let actions = actions
                    .into_iter()
                    .map(|a| match a {
                        EnforcementAction::Deny => ValidationAction::Deny,
                        EnforcementAction::Warn => ValidationAction::Warn,
                        EnforcementAction::Dryrun => ValidationAction::Audit,
                    })
                    .collect();
                out.push(Pair {
                    policy: generated_policy_name(&entry.template.name),
                    binding: generated_binding_name(&c.kind, &c.name),
                    code: &native.code,
                    extra: &native.injected,
                    failure: native.failure_policy,
                    actions,
                    params: vec![c.cel_params()],
                    constraint: Some((c.kind.clone(), c.name.clone())),
                });
            }
        }
        out
    }
}
