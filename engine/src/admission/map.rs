//! The API server's `MutatingAdmissionPolicy` plugin: for every binding that selects the request, its policy's
//! `mutations` (an `ApplyConfiguration`, merged as server-side apply merges; a `JSONPatch`), in order, before the
//! mutating webhooks; policies with `reinvocationPolicy: IfNeeded` run once more when a later mutation changed the
//! object.

use serde_json::Value;

use super::Stage;
use super::decision::{StageReport, Violation};
use super::request::Request;
use super::vap::{AdmissionPolicy, FailurePolicy, PolicyBinding};
use crate::cel::{Activation, Program, Value as CelValue};
use crate::celpolicy::{Inputs, Outcome};
use crate::object::{self, FieldError};

/// One of a MutatingAdmissionPolicy's `mutations`.
#[derive(Debug, Clone, PartialEq)]
pub enum Mutation {
    /// `patchType: ApplyConfiguration`: an `Object{...}` merged into the object.
    ApplyConfiguration(Program),
    /// `patchType: JSONPatch`: a list of `JSONPatch{...}` operations.
    JsonPatch(Program),
}

impl Mutation {
    /// Decodes `spec.mutations`.
    pub fn decode_all(spec: &Value, at: &str) -> Result<Vec<Mutation>, FieldError> {
        let mut out = Vec::new();
        for (i, m) in object::opt_list(spec, "mutations", at)?.iter().enumerate() {
            let here = format!("{at}.mutations[{i}]");
            let kind = object::req_str(m, "patchType", &here)?;
            let (key, make): (&str, fn(Program) -> Mutation) = match kind {
                "ApplyConfiguration" => ("applyConfiguration", Mutation::ApplyConfiguration),
                "JSONPatch" => ("jsonPatch", Mutation::JsonPatch),
                other => {
                    return Err(FieldError::new(
                        format!("{here}.patchType"),
                        format!("`{other}` is not ApplyConfiguration or JSONPatch"),
                    ));
                }
            };
            let body = m.get(key).unwrap_or(&Value::Null);
            let expr = object::req_str(body, "expression", &format!("{here}.{key}"))?;
            out.push(make(crate::celpolicy::compile(expr, &format!("{here}.{key}.expression"))?));
        }
        if out.is_empty() {
            return Err(FieldError::new(format!("{at}.mutations"), "Required value"));
        }
        Ok(out)
    }
}

/// Lists the API server merges by a key (`x-kubernetes-list-type: map`), by their field name, with the key.
fn list_key(field: &str) -> Option<&'static [&'static str]> {
    Some(match field {
        "containers"
        | "initContainers"
        | "ephemeralContainers"
        | "volumes"
        | "env"
        | "imagePullSecrets"
        | "resourceClaims"
        | "schedulingGates"
        | "readinessGates" => &["name"],
        "volumeMounts" | "volumeDevices" => &["mountPath"],
        "ports" => &["containerPort", "protocol"],
        "hostAliases" => &["ip"],
        "conditions" => &["type"],
        _ => return None,
    })
}

/// Lists merged as sets of values.
fn is_set_list(field: &str) -> bool {
    matches!(field, "finalizers")
}

/// Maps and structs whose fields are replaced whole (atomic): none of the Pod's are; the selector of a workload is.
fn is_atomic_map(path: &str) -> bool {
    path.ends_with("/selector") && !path.starts_with("/spec/template")
}

/// Server-side apply's merge of `patch` into `live`: maps merge per key, keyed lists by key (new items appended),
/// set lists by value, scalars from the patch win; an atomic list in the patch is refused.
fn merge(live: &mut Value, patch: &Value, path: &str, atomics: &mut Vec<String>) {
    match (live, patch) {
        (Value::Object(l), Value::Object(p)) if !is_atomic_map(path) => {
            for (k, v) in p {
                let here = format!("{path}/{}", object::escape_key(k));
                match l.get_mut(k) {
                    Some(existing) if !v.is_null() => match (existing, v) {
                        (Value::Array(la), Value::Array(pa)) => merge_list(k, la, pa, &here, atomics),
                        (e, v) => merge(e, v, &here, atomics),
                    },
                    _ => {
                        if let (Value::Array(_), None) = (v, list_key(k)) {
                            if !is_set_list(k) {
                                atomics.push(here.clone());
                                continue;
                            }
                        }
                        l.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (live, patch) => *live = patch.clone(),
    }
}

fn merge_list(field: &str, live: &mut Vec<Value>, patch: &[Value], path: &str, atomics: &mut Vec<String>) {
    if let Some(keys) = list_key(field) {
        for item in patch {
            let key_of = |v: &Value| keys.iter().map(|k| v.get(*k).cloned()).collect::<Vec<_>>();
            let k = key_of(item);
            match live.iter().position(|x| key_of(x) == k) {
                Some(i) => {
                    let here = format!("{path}/{i}");
                    merge(&mut live[i], item, &here, atomics);
                }
                None => live.push(item.clone()),
            }
        }
    } else if is_set_list(field) {
        for item in patch {
            if !live.contains(item) {
                live.push(item.clone());
            }
        }
    } else {
        atomics.push(path.to_string());
    }
}

/// Applies one mutation to `object`; `Ok(true)` when it changed it.
fn apply(m: &Mutation, act: &Activation<'_, '_>, object: &mut Value) -> Result<bool, String> {
    let before = object.clone();
    match m {
        Mutation::ApplyConfiguration(p) => {
            let v = p.eval(act).map_err(|e| crate::celpolicy::expression_error(p, &e))?;
            let CelValue::Map(_) = v else {
                return Err(format!(
                    "type mismatch: ApplyConfiguration.expression should evaluate to an Object, not {}",
                    v.type_name()
                ));
            };
            let patch = v.to_json().map_err(|e| format!("error applying patch: {e}"))?;
            let mut atomics = Vec::new();
            let mut merged = object.clone();
            merge(&mut merged, &patch, "", &mut atomics);
            if !atomics.is_empty() {
                return Err(format!(
                    "invalid ApplyConfiguration: may not mutate atomic arrays, maps or structs: {}",
                    atomics.join(", ")
                ));
            }
            *object = merged;
        }
        Mutation::JsonPatch(p) => {
            let v = p.eval(act).map_err(|e| crate::celpolicy::expression_error(p, &e))?;
            let CelValue::List(items) = v else {
                return Err("type mismatch: JSONPatchType.expression should evaluate to array".to_string());
            };
            let mut ops = Vec::new();
            for item in items.iter() {
                let op = item.to_json().map_err(|e| format!("JSON Patch: {e}"))?;
                if !op.is_object() {
                    return Err("type mismatch: JSONPatchType.expression should evaluate to array of JSONPatch".into());
                }
                ops.push(op);
            }
            let mut patched = object.clone();
            match crate::patch::apply(&mut patched, &ops) {
                Ok(()) => *object = patched,
                // A failed `test` leaves the object as it was; it is not an error.
                Err(crate::patch::PatchError::TestFailed) => {}
                Err(crate::patch::PatchError::Invalid(e)) => return Err(format!("JSON Patch: {e}")),
            }
        }
    }
    Ok(*object != before)
}

impl crate::policy::PolicySet {
    /// The MutatingAdmissionPolicy stage: every selected (policy, binding, param) mutates in order; those with
    /// `IfNeeded` run again once when a later one changed the object. Errors under `failurePolicy: Fail` refuse
    /// the request.
    pub(crate) fn mutating_policies(
        &self,
        object: &mut Value,
        request: &Request,
        report: &mut StageReport,
    ) -> Vec<Violation> {
        let null = Value::Null;
        let mut invocations: Vec<(&AdmissionPolicy, &PolicyBinding, Value)> = Vec::new();
        {
            let facts = self.request_facts(object, request);
            for p in &self.admission_policies.mutating {
                if !p.match_constraints_select(&facts) {
                    continue;
                }
                for b in self.admission_policies.mutating_bindings.iter().filter(|b| b.policy_name == p.name) {
                    if !b.selects(&facts) {
                        continue;
                    }
                    match self.policy_params(p, b, &facts) {
                        Ok(params) => invocations.extend(params.into_iter().map(|v| (p, b, v))),
                        Err(why) if p.failure_policy == FailurePolicy::Fail => {
                            return vec![self.map_refusal(
                                object,
                                request,
                                &p.name,
                                &b.name,
                                &format!("failed to configure binding: {why}"),
                            )];
                        }
                        Err(_) => {}
                    }
                }
            }
        }
        invocations.sort_by(|a, b| (&a.0.name, &a.1.name).cmp(&(&b.0.name, &b.1.name)));
        let mut changed_by: Vec<usize> = Vec::new();
        let round = |object: &mut Value,
                     only: Option<&[usize]>,
                     changed_by: &mut Vec<usize>|
         -> Result<bool, Box<Violation>> {
            let mut any = false;
            for (i, (p, b, params)) in invocations.iter().enumerate() {
                if only.is_some_and(|o| !o.contains(&i)) {
                    continue;
                }
                let request_json = request.cel_request(object);
                let snapshot = object.clone();
                let old = request.old_object.as_ref().unwrap_or(&null);
                let ns = request.namespace_object.as_ref().unwrap_or(&null);
                let inputs =
                    Inputs { object: &snapshot, old_object: old, request: &request_json, params, namespace_object: ns };
                match p.code.evaluate_conditions(&inputs) {
                    Outcome::NotMatched => continue,
                    Outcome::MatchError(e) => {
                        if p.failure_policy == FailurePolicy::Fail {
                            return Err(Box::new(self.map_refusal(&snapshot, request, &p.name, &b.name, &e)));
                        }
                        continue;
                    }
                    Outcome::Evaluated { .. } => {}
                }
                let act = p.code.activation_for(&inputs);
                for m in &p.mutations {
                    match apply(m, &act, object) {
                        Ok(true) => {
                            any = true;
                            changed_by.push(i);
                        }
                        Ok(false) => {}
                        Err(e) if p.failure_policy == FailurePolicy::Fail => {
                            return Err(Box::new(self.map_refusal(&snapshot, request, &p.name, &b.name, &e)));
                        }
                        Err(_) => {}
                    }
                }
            }
            Ok(any)
        };
        let before = object.clone();
        match round(object, None, &mut changed_by) {
            Err(v) => return vec![*v],
            Ok(false) => return Vec::new(),
            Ok(true) => {}
        }
        // Reinvocation: the IfNeeded policies run once more when another one changed the object after them.
        let again: Vec<usize> = invocations
            .iter()
            .enumerate()
            .filter(|(i, (p, _, _))| p.reinvoke && changed_by.iter().any(|c| c != i))
            .map(|(i, _)| i)
            .collect();
        if !again.is_empty() {
            if let Err(v) = round(object, Some(&again), &mut Vec::new()) {
                return vec![*v];
            }
        }
        report.changed = crate::patch::changed_paths(&before, object);
        let mut names: Vec<String> =
            changed_by.iter().map(|&i| format!("MutatingAdmissionPolicy/{}", invocations[i].0.name)).collect();
        names.dedup();
        report.said.extend(names.iter().map(|n| format!("{n} changed it")));
        Vec::new()
    }

    fn map_refusal(&self, object: &Value, request: &Request, policy: &str, binding: &str, why: &str) -> Violation {
        // The API server replaces the status message with the policy's error: no `pods "x" is forbidden:`.
        let _ = (object, request);
        Violation::refusal(
            Stage::MutatingAdmissionPolicy,
            policy.to_string(),
            format!("policy '{policy}' with binding '{binding}' denied request: {why}"),
        )
    }
}
