//! Gatekeeper's two stages: its mutating webhook (the mutation system, as Gatekeeper runs it, with `match.source`)
//! and its validating webhook (every matching constraint's template judging the object).

use serde_json::{Value, json};

use super::decision::{StageReport, Violation};
use super::request::Request;
use crate::matching::{Source, Target};
use crate::mutation::mutator::{Action, AssignValue, MutationRequest, Operation};
use crate::mutation::system::MutationError;
use crate::policy::PolicySet;

impl PolicySet {
    /// Gatekeeper's mutation of `object` (as `source`): the mutators that changed it, in the order they first
    /// did, and warnings for what guardrail cannot do (external data).
    pub(crate) fn gatekeeper_mutate(
        &self,
        object: &mut Value,
        request: &Request,
        source: Source,
        report: &mut StageReport,
        warnings: &mut Vec<String>,
    ) -> Result<Vec<String>, MutationError> {
        if !request.mutate
            || !matches!(request.operation, Operation::Create | Operation::Update | Operation::Unspecified)
        {
            return Ok(Vec::new());
        }
        let req =
            MutationRequest { operation: request.operation, namespace: request.namespace_object.as_ref(), source };
        let outcome = self.mutation.mutate(object, &req)?;
        report.changed = outcome.changed;
        let applied = outcome.applied;
        for m in self.mutation.mutators() {
            if matches!(m.action, Action::Assign(AssignValue::ExternalData)) && m.matches(object, &req).unwrap_or(false)
            {
                warnings.push(format!("{} uses external data, which guardrail does not call: not applied", m.id()));
            }
        }
        report.said.extend(applied.iter().map(|id| format!("{id} changed it")));
        Ok(applied)
    }

    /// Runs every matching constraint against `object` (no mutation), as gator verify and the webhook's
    /// validation do. Results sorted as Gatekeeper sorts them.
    pub fn validate(&mut self, object: &Value, request: &Request) -> Vec<Violation> {
        self.judge(object, request, Source::Original, &mut Vec::new(), &mut Vec::new())
    }

    /// [`PolicySet::validate`] of an object of `source`, also listing in `selected` the constraints that matched.
    pub(crate) fn judge(
        &mut self,
        object: &Value,
        request: &Request,
        source: Source,
        selected: &mut Vec<String>,
        unchecked: &mut Vec<String>,
    ) -> Vec<Violation> {
        // Made once, and only when a constraint matches: a Deployment that no rule matches costs no conversion.
        let mut review_rego: Option<regorus::Value> = None;
        let mut cel_request: Option<Value> = None;
        let mut out = Vec::new();
        let ns_obj = request.namespace_object.as_ref();
        for entry in &mut self.templates {
            if !entry.template.handles_operation(request.operation.as_str()) {
                continue;
            }
            let mut compiled = entry.rego.as_mut();
            for (c, parameters) in
                self.constraints.iter().zip(&self.parameters).filter(|(c, _)| c.kind == entry.template.kind)
            {
                let Some(action) = c.enforcement.at(request.enforcement_point) else { continue };
                let matched = constraint_matches(c, object, request, source);
                let violation = |message: String, details: Value| Violation {
                    stage: super::Stage::Gatekeeper,
                    kind: c.kind.clone(),
                    name: c.name.clone(),
                    action,
                    message,
                    details,
                };
                if !matches!(matched, Ok(false)) {
                    selected.push(format!("{}/{}", c.kind, c.name));
                }
                if let Some(native) = &entry.template.cel {
                    match matched {
                        Ok(false) => {}
                        Err(e) => out.push(violation(format!("unable to match constraints: {e}"), json!({}))),
                        Ok(true) => {
                            let req = cel_request.get_or_insert_with(|| request.cel_request(object));
                            for message in
                                native.judge(object, request.old_object.as_ref(), req, ns_obj, &c.cel_params())
                            {
                                out.push(violation(message, json!({})));
                            }
                        }
                    }
                    continue;
                }
                let Some(compiled) = compiled.as_deref_mut() else {
                    // A template with only CEL code: the constraint applies, and nothing here can judge it.
                    if matches!(matched, Ok(true)) {
                        unchecked.push(format!("{}/{}", c.kind, c.name));
                    }
                    continue;
                };
                match matched {
                    Ok(false) => continue,
                    Err(e) => out.push(violation(format!("unable to match constraints: {e}"), json!({}))),
                    Ok(true) => match compiled
                        .violations(review_rego.get_or_insert_with(|| request.review_rego(object)), parameters)
                    {
                        Ok(list) => {
                            let mut seen = Vec::new();
                            for v in list {
                                if !seen.contains(&(v.msg.clone(), v.details.clone())) {
                                    seen.push((v.msg.clone(), v.details.clone()));
                                    out.push(violation(v.msg, v.details));
                                }
                            }
                        }
                        Err(e) => out.push(violation(e, json!({}))),
                    },
                }
            }
        }
        crate::policy::sort_violations(&mut out);
        out
    }
}

/// Whether a constraint's match selects a request: its object, or else the old object of an UPDATE or DELETE, as
/// Gatekeeper matches (the webhook's and the policies it generates alike).
pub(crate) fn constraint_matches(
    c: &crate::template::Constraint,
    object: &Value,
    request: &Request,
    source: Source,
) -> Result<bool, crate::matching::MatchError> {
    let namespace = request.namespace_object.as_ref();
    match (c.r#match.matches(&Target { object, namespace, source }), request.old_object.as_ref()) {
        (Ok(false), Some(old)) => c.r#match.matches(&Target { object: old, namespace, source }),
        (m, _) => m,
    }
}
