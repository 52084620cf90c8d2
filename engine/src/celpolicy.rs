//! What Gatekeeper's K8sNativeValidation code and the API server's admission policies share: CEL
//! `variables`, `matchConditions` and `validations` (with `message`, `messageExpression`, `reason`), decoded and
//! compiled once, evaluated against an admission request.

use serde_json::Value;

use crate::cel::{Activation, Error as CelError, Program, Value as CelValue};
use crate::object::{self, FieldError};

/// A named CEL expression (a variable or a match condition).
#[derive(Debug, Clone, PartialEq)]
pub struct Named {
    /// `name`.
    pub name: String,
    /// `expression`, compiled.
    pub program: Program,
}

/// One of `validations`.
#[derive(Debug, Clone, PartialEq)]
pub struct Validation {
    /// `expression`, compiled.
    pub expression: Program,
    /// `message`.
    pub message: Option<String>,
    /// `messageExpression`, compiled.
    pub message_expression: Option<Program>,
    /// `reason` (a VAP's: `Unauthorized`, `Forbidden`, `Invalid`, `RequestEntityTooLarge`).
    pub reason: Option<String>,
}

/// CEL policy code: variables, match conditions, validations and audit annotations.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CelCode {
    /// `variables`, in order (each may read the earlier ones as `variables.<name>`).
    pub variables: Vec<Named>,
    /// `matchConditions`: all must be true for the validations to run.
    pub match_conditions: Vec<Named>,
    /// `validations`.
    pub validations: Vec<Validation>,
    /// `auditAnnotations`: key and `valueExpression`.
    pub audit_annotations: Vec<Named>,
}

/// Compiles `src` (found at `at`), with the parse error's line and column in the message.
pub fn compile(src: &str, at: &str) -> Result<Program, FieldError> {
    Program::compile(src).map_err(|e| {
        let location = if src.contains('\n') {
            format!("line {}, column {}", e.line, e.column)
        } else {
            format!("column {}", e.column)
        };
        FieldError::new(at, format!("compilation failed: {} ({location} of `{}`)", e.message, src.trim()))
    })
}

fn named_list(v: &Value, key: &str, value_key: &str, at: &str) -> Result<Vec<Named>, FieldError> {
    let mut out: Vec<Named> = Vec::new();
    for (i, item) in object::opt_list(v, key, at)?.iter().enumerate() {
        let here = format!("{at}.{key}[{i}]");
        let name = object::req_str(item, if key == "auditAnnotations" { "key" } else { "name" }, &here)?;
        if out.iter().any(|n| n.name == name) {
            return Err(FieldError::new(format!("{here}.name"), format!("`{name}` is declared twice")));
        }
        let expr = object::req_str(item, value_key, &here)?;
        out.push(Named { name: name.to_string(), program: compile(expr, &format!("{here}.{value_key}"))? });
    }
    Ok(out)
}

impl CelCode {
    /// Decodes the CEL parts of `v` (a VAP's `spec` or a template's `source`), compiling every expression.
    pub fn decode(v: &Value, at: &str) -> Result<CelCode, FieldError> {
        let mut validations = Vec::new();
        for (i, item) in object::opt_list(v, "validations", at)?.iter().enumerate() {
            let here = format!("{at}.validations[{i}]");
            let expr = object::req_str(item, "expression", &here)?;
            let message = object::opt_str(item, "message", &here)?.map(str::to_string);
            if message.as_deref().is_some_and(|m| m.contains('\n')) {
                return Err(FieldError::new(format!("{here}.message"), "must not contain line breaks"));
            }
            let message_expression = match object::opt_str(item, "messageExpression", &here)? {
                Some(m) => Some(compile(m, &format!("{here}.messageExpression"))?),
                None => None,
            };
            validations.push(Validation {
                expression: compile(expr, &format!("{here}.expression"))?,
                message,
                message_expression,
                reason: object::opt_str(item, "reason", &here)?.map(str::to_string),
            });
        }
        Ok(CelCode {
            variables: named_list(v, "variables", "expression", at)?,
            match_conditions: named_list(v, "matchConditions", "expression", at)?,
            validations,
            audit_annotations: named_list(v, "auditAnnotations", "valueExpression", at)?,
        })
    }
}

impl CelCode {
    /// Decodes a Gatekeeper template's K8sNativeValidation `source`: `variables`, `validations` (`expression`,
    /// `message`, `messageExpression`) and `matchCondition` (singular, as Gatekeeper spells it); Gatekeeper
    /// ignores other fields (`reason`, `auditAnnotations`, a plural `matchConditions`), and so does this.
    pub fn decode_gatekeeper(v: &Value, at: &str) -> Result<CelCode, FieldError> {
        let mut code = CelCode::decode(&without(v, &["matchConditions", "auditAnnotations"]), at)?;
        code.match_conditions = named_list(v, "matchCondition", "expression", at)?;
        for val in &mut code.validations {
            val.reason = None;
        }
        Ok(code)
    }
}

fn without(v: &Value, keys: &[&str]) -> Value {
    let mut v = v.clone();
    if let Some(m) = v.as_object_mut() {
        for k in keys {
            m.remove(*k);
        }
    }
    v
}

/// The documents an evaluation reads.
#[derive(Debug, Clone, Copy)]
pub struct Inputs<'a> {
    /// `object` (null on DELETE).
    pub object: &'a Value,
    /// `oldObject` (null on CREATE).
    pub old_object: &'a Value,
    /// `request`: the AdmissionRequest without its objects.
    pub request: &'a Value,
    /// `params` (null when the policy has none).
    pub params: &'a Value,
    /// `namespaceObject` (null for cluster-scoped objects).
    pub namespace_object: &'a Value,
}

/// Why a validation did not pass.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    /// The message, as the cluster words it before its own prefix.
    pub message: String,
    /// The validation's `reason`, when it has one.
    pub reason: Option<String>,
    /// The expression raised an error (rather than being false).
    pub error: bool,
}

/// What evaluating CEL code gave.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// A match condition was false: the policy does not apply.
    NotMatched,
    /// A match condition raised an error.
    MatchError(String),
    /// The validations that failed (empty: admitted), and the audit annotations.
    Evaluated { failures: Vec<Failure>, annotations: Vec<(String, String)> },
}

/// Binds the documents and `code`'s variables (and `extra` variables first, as Gatekeeper injects `params`
/// and `anyObject`).
fn activation<'p, 'a>(inputs: &Inputs<'a>, extra: &'p [Named], code: &'p CelCode) -> Activation<'p, 'a> {
    let mut act = Activation::new();
    act.bind_json("object", inputs.object)
        .bind_json("oldObject", inputs.old_object)
        .bind_json("request", inputs.request)
        .bind_json("params", inputs.params)
        .bind_json("namespaceObject", inputs.namespace_object);
    for n in extra.iter().chain(&code.variables) {
        act.variable(&n.name, &n.program);
    }
    act
}

/// How a failed expression is described when it has no message: `failed expression: <expression>`.
pub fn failed_expression(p: &Program) -> String {
    format!("failed expression: {}", p.source().trim())
}

impl CelCode {
    /// The activation the code's expressions are evaluated against.
    pub fn activation_for<'p, 'a>(&'p self, inputs: &Inputs<'a>) -> Activation<'p, 'a> {
        activation(inputs, &[], self)
    }

    /// Only the match conditions: `Evaluated` (with nothing in it) when they all hold.
    pub fn evaluate_conditions(&self, inputs: &Inputs<'_>) -> Outcome {
        let act = activation(inputs, &[], self);
        match self.conditions(&act) {
            Some(o) => o,
            None => Outcome::Evaluated { failures: Vec::new(), annotations: Vec::new() },
        }
    }

    fn conditions(&self, act: &Activation<'_, '_>) -> Option<Outcome> {
        // Any false means no match, even when another raised an error.
        let mut match_error = None;
        for c in &self.match_conditions {
            match c.program.eval(act) {
                Ok(CelValue::Bool(true)) => {}
                Ok(CelValue::Bool(false)) => return Some(Outcome::NotMatched),
                Ok(other) => {
                    match_error.get_or_insert(format!(
                        "matchCondition '{}' must evaluate to bool, not {}",
                        c.name,
                        other.type_name()
                    ));
                }
                Err(e) => {
                    match_error.get_or_insert(format!("matchCondition '{}' resulted in error: {e}", c.name));
                }
            }
        }
        match_error.map(Outcome::MatchError)
    }

    /// Evaluates the match conditions, then every validation; `extra` variables come before the code's own.
    pub fn evaluate(&self, inputs: &Inputs<'_>, extra: &[Named]) -> Outcome {
        let act = activation(inputs, extra, self);
        if let Some(o) = self.conditions(&act) {
            return o;
        }
        let mut failures = Vec::new();
        for v in &self.validations {
            match v.expression.eval(&act) {
                Ok(CelValue::Bool(true)) => {}
                Ok(CelValue::Bool(false)) => {
                    failures.push(Failure { message: message_of(v, &act), reason: v.reason.clone(), error: false })
                }
                Ok(other) => failures.push(Failure {
                    message: format!(
                        "expression '{}' resulted in error: must evaluate to bool, not {}",
                        v.expression.source().trim(),
                        other.type_name()
                    ),
                    reason: v.reason.clone(),
                    error: true,
                }),
                Err(e) => failures.push(Failure {
                    message: expression_error(&v.expression, &e),
                    reason: v.reason.clone(),
                    error: true,
                }),
            }
        }
        let mut annotations = Vec::new();
        for a in &self.audit_annotations {
            match a.program.eval(&act) {
                Ok(CelValue::String(s)) => annotations.push((a.name.clone(), s.to_string())),
                Ok(CelValue::Null) => {}
                Ok(other) => annotations.push((a.name.clone(), other.to_string())),
                Err(e) => annotations.push((a.name.clone(), format!("error: {e}"))),
            }
        }
        Outcome::Evaluated { failures, annotations }
    }
}

/// `expression '<expr>' resulted in error: <error>`.
pub fn expression_error(p: &Program, e: &CelError) -> String {
    format!("expression '{}' resulted in error: {}", p.source().trim(), e.message)
}

/// The message of a failed validation: its `messageExpression` when that gives a non-empty string of one line,
/// else its `message`, else `failed expression: ...`.
fn message_of(v: &Validation, act: &Activation<'_, '_>) -> String {
    if let Some(m) = &v.message_expression {
        if let Ok(CelValue::String(s)) = m.eval(act) {
            let s = s.trim();
            if !s.is_empty() && !s.contains('\n') {
                return s.to_string();
            }
        }
    }
    match &v.message {
        Some(m) if !m.is_empty() => m.clone(),
        _ => failed_expression(&v.expression),
    }
}

/// Gatekeeper's own variables, declared before a template's: `variables.params` (the constraint's
/// `spec.parameters`) and `variables.anyObject` (the object, or the old object of a DELETE).
pub const GATEKEEPER_VARIABLES: [(&str, &str); 2] = [
    ("params", "!has(params.spec) ? null : !has(params.spec.parameters) ? null: params.spec.parameters"),
    ("anyObject", "has(request.operation) && request.operation == \"DELETE\" && object == null ? oldObject : object"),
];

/// [`GATEKEEPER_VARIABLES`], compiled.
pub fn gatekeeper_variables() -> Vec<Named> {
    GATEKEEPER_VARIABLES
        .iter()
        .filter_map(|(name, src)| Program::compile(src).ok().map(|program| Named { name: name.to_string(), program }))
        .collect()
}

impl crate::template::NativeValidation {
    /// Gatekeeper's K8sNativeValidation judging `object` for a constraint (`params`: [`Constraint::cel_params`]):
    /// the violations' messages.
    ///
    /// [`Constraint::cel_params`]: crate::template::Constraint::cel_params
    pub fn judge(
        &self,
        object: &Value,
        old_object: Option<&Value>,
        request: &Value,
        namespace_object: Option<&Value>,
        constraint: &Value,
    ) -> Vec<String> {
        let null = Value::Null;
        let inputs = Inputs {
            object,
            old_object: old_object.unwrap_or(&null),
            request,
            params: constraint,
            namespace_object: namespace_object.unwrap_or(&null),
        };
        match self.code.evaluate(&inputs, &self.injected) {
            Outcome::NotMatched => Vec::new(),
            Outcome::MatchError(e) => vec![e],
            Outcome::Evaluated { failures, .. } => failures.into_iter().map(|f| f.message).collect(),
        }
    }
}
