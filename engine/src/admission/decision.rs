//! What admission decided: the verdict, the stage that decided it, the object as admission left it and as it is
//! stored, each violation and warning, and what the object leads to.

use serde_json::Value;

use super::Stage;
use crate::mutation::system::MutationError;
use crate::template::EnforcementAction;

/// The verdict of an admission.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Admitted (possibly mutated, possibly with warnings).
    Admitted,
    /// Rejected by at least one `deny` constraint.
    Rejected,
}

impl Verdict {
    /// Rejected when any violation denies.
    pub(crate) fn of(violations: &[Violation]) -> Verdict {
        if violations.iter().any(|v| v.action == EnforcementAction::Deny) {
            Verdict::Rejected
        } else {
            Verdict::Admitted
        }
    }

    /// `admitted` or `rejected`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Admitted => "admitted",
            Verdict::Rejected => "rejected",
        }
    }
}

/// One violation of one constraint, or the refusal of a stage of the API server's own.
#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    /// The stage that found it: [`Stage::Gatekeeper`] for a constraint.
    pub stage: Stage,
    /// Constraint kind (the template kind); for a stage of the API server, the stage (`PodSecurity`).
    pub kind: String,
    /// Constraint name; for a stage of the API server, what judged (`restricted:latest`, a LimitRange's name).
    pub name: String,
    /// The constraint's action here.
    pub action: EnforcementAction,
    /// `msg`.
    pub message: String,
    /// `details`.
    pub details: Value,
}

impl Violation {
    /// The text the API server returns: `[constraint-name] message` for a constraint, the stage's own words
    /// otherwise (`pods "web" is forbidden: violates PodSecurity "restricted:latest": ...`).
    pub fn render(&self) -> String {
        match self.stage {
            Stage::Gatekeeper => format!("[{}] {}", self.name, self.message),
            _ => self.message.clone(),
        }
    }

    /// A refusal by a stage of the API server's own, named `kind` (its stage) and `name` (what judged).
    pub(crate) fn refusal(stage: Stage, name: impl Into<String>, message: String) -> Violation {
        Violation {
            stage,
            kind: stage.name().to_string(),
            name: name.into(),
            action: EnforcementAction::Deny,
            message,
            details: Value::Null,
        }
    }
}

/// What admission did to an object.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// Admitted or rejected.
    pub verdict: Verdict,
    /// The object after admission, the API server's defaults apart: what the manifest became (the defaults a field
    /// got and that nothing changed afterwards are in `stored` only).
    pub object: Value,
    /// The object as the API server stores it: defaults included. The same as `object` when the API server's
    /// stages are not modelled.
    pub stored: Value,
    /// The stage that refused the object, when one did (the first denial ends the request).
    pub decided_by: Option<Stage>,
    /// What each stage that ran did, in the order they ran.
    pub stages: Vec<StageReport>,
    /// JSON Patch (RFC 6902) from the original to `object`.
    pub patch: Vec<Value>,
    /// What changed the object, in the order it did: the API server's mutating plugins (`LimitRanger`,
    /// `ServiceAccount`, ...) and Gatekeeper's mutators (`Assign/name`).
    pub mutators: Vec<String>,
    /// Every violation, sorted.
    pub violations: Vec<Violation>,
    /// Warnings (`warn` violations rendered, and things guardrail could not evaluate).
    pub warnings: Vec<String>,
    /// The constraints whose `match` selected the object, so that their Rego judged it ("Kind/name").
    pub constraints: Vec<String>,
    /// What the object leads to: its ExpansionTemplate resultants (whose violations are also in `violations`,
    /// prefixed), or the object its controller would create (a separate request; its verdict is its own).
    pub children: Vec<Child>,
    /// Why mutation or validation (or both) did not run: the namespace is exempt.
    pub exempt: Option<String>,
    /// Constraints that apply but could not be evaluated ("Kind/name"): their template has only CEL code.
    pub unchecked: Vec<String>,
}

/// Where a child decision comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A resultant of this ExpansionTemplate.
    Expanded {
        /// The template's name.
        template: String,
    },
    /// Created by this controller (its service account in `kube-system`, `replicaset-controller`).
    Created {
        /// The controller.
        controller: String,
    },
}

impl std::fmt::Display for Origin {
    /// `created by the replicaset-controller`, `expanded by expand-deployments`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::Created { controller } => write!(f, "created by the {controller}"),
            Origin::Expanded { template } => write!(f, "expanded by {template}"),
        }
    }
}

/// The decision on an object that another object leads to.
#[derive(Debug, Clone, PartialEq)]
pub struct Child {
    /// How it came about.
    pub origin: Origin,
    /// The object as it was made, before admission (its decision's `object` is after mutation).
    pub object: Value,
    /// Its admission.
    pub decision: Decision,
}

impl Child {
    /// Its violations and its descendants', as the root object of an expansion reports them.
    pub(crate) fn implied(&self, out: &mut Vec<Violation>) {
        if let Origin::Expanded { template } = &self.origin {
            for v in &self.decision.violations {
                let mut v = v.clone();
                v.message = format!("[Implied by {template}] {}", v.message);
                out.push(v);
            }
        }
        for c in &self.decision.children {
            c.implied(out);
        }
    }

    /// For a created object that is rejected: the event its controller records (`kubectl describe` shows it on
    /// the ReplicaSet, Job, ...): `Error creating: admission webhook "validation.gatekeeper.sh" denied the request:
    /// [name] message`.
    pub fn event(&self) -> Option<String> {
        match self.origin {
            Origin::Created { .. } => self.decision.denial().map(|d| match self.decision.decided_by {
                Some(Stage::Gatekeeper) | None => {
                    format!("Error creating: admission webhook \"validation.gatekeeper.sh\" denied the request: {d}")
                }
                Some(_) => format!("Error creating: {d}"),
            }),
            Origin::Expanded { .. } => None,
        }
    }
}

impl Decision {
    /// An object admitted unchanged, judged by nothing, for `why`.
    pub(crate) fn exempt(object: &Value, why: String) -> Decision {
        Decision {
            verdict: Verdict::Admitted,
            object: object.clone(),
            stored: object.clone(),
            decided_by: None,
            stages: Vec::new(),
            patch: Vec::new(),
            mutators: Vec::new(),
            violations: Vec::new(),
            warnings: Vec::new(),
            constraints: Vec::new(),
            children: Vec::new(),
            exempt: Some(why),
            unchecked: Vec::new(),
        }
    }

    /// Whether mutation changed the object.
    pub fn mutated(&self) -> bool {
        !self.patch.is_empty()
    }

    /// The first object this one leads to that is rejected, depth first (a Deployment's Pod), if any.
    pub fn rejected_child(&self) -> Option<&Child> {
        self.rejected_path().last().copied()
    }

    /// The objects from this one down to the first that is rejected, depth first (a Deployment's ReplicaSet,
    /// then its Pod); empty when nothing it leads to is rejected.
    pub fn rejected_path(&self) -> Vec<&Child> {
        fn walk<'a>(children: &'a [Child], path: &mut Vec<&'a Child>) -> bool {
            for c in children {
                path.push(c);
                if c.decision.verdict == Verdict::Rejected || walk(&c.decision.children, path) {
                    return true;
                }
                path.pop();
            }
            false
        }
        let mut path = Vec::new();
        walk(&self.children, &mut path);
        path
    }

    /// Everything this object leads to, depth first, parents before children, each with the object it was made
    /// from (this one's `object`, or a child's after admission).
    pub fn descendants(&self) -> Vec<(&Value, &Child)> {
        fn walk<'a>(parent: &'a Value, children: &'a [Child], out: &mut Vec<(&'a Value, &'a Child)>) {
            for c in children {
                out.push((parent, c));
                walk(&c.decision.object, &c.decision.children, out);
            }
        }
        let mut out = Vec::new();
        walk(&self.object, &self.children, &mut out);
        out
    }

    /// What the API server's defaulting set on the object and nothing changed afterwards (JSON pointers into
    /// `stored`).
    pub fn defaults(&self) -> &[String] {
        self.stages.iter().find(|s| s.stage == Stage::Defaulting).map_or(&[], |s| s.changed.as_slice())
    }

    /// What the API server's own admission plugins did and warned, in words, each after its plugin's name
    /// (`ServiceAccount: mounted the service account token ...`), in the order they ran.
    pub fn plugins_said(&self) -> Vec<String> {
        self.stages
            .iter()
            .filter(|s| s.stage.plugin().is_some())
            .flat_map(|s| s.said.iter().map(move |line| format!("{}: {line}", s.stage.name())))
            .collect()
    }

    /// The warnings the API server's own stages returned (`kubectl` prints each as `Warning: ...`): Pod Security's
    /// `would violate PodSecurity ...`.
    pub fn api_server_warnings(&self) -> Vec<String> {
        self.stages.iter().filter(|s| s.stage.is_api_server()).flat_map(|s| s.warnings.iter().cloned()).collect()
    }

    /// The denial message the API server would return (deny violations joined by newlines).
    pub fn denial(&self) -> Option<String> {
        let lines: Vec<String> =
            self.violations.iter().filter(|v| v.action == EnforcementAction::Deny).map(Violation::render).collect();
        if lines.is_empty() { None } else { Some(lines.join("\n")) }
    }
}

/// Admission that could not complete.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AdmitError {
    /// Mutation failed (a walk error, a match error, or no convergence).
    #[error("{0}")]
    Mutation(MutationError),
    /// An ExpansionTemplate could not expand the object, or its resultant could not be mutated.
    #[error("{0}")]
    Expansion(String),
}

/// What one stage did to a request.
#[derive(Debug, Clone, PartialEq)]
pub struct StageReport {
    /// The stage.
    pub stage: Stage,
    /// The fields it set or changed, as JSON pointers into the stored object (for Gatekeeper's mutation, the
    /// paths of its patch).
    pub changed: Vec<String>,
    /// What it did, in words (`set cpu, memory request for container app`), or why it did nothing.
    pub said: Vec<String>,
    /// What it returned to the client as warnings (`kubectl` prints each as `Warning: ...`).
    pub warnings: Vec<String>,
    /// For a plugin of the API server: the value each of `changed` had right after it ran (a later stage may
    /// change it again).
    pub values: Vec<Value>,
}

impl StageReport {
    /// A report of `stage` that says nothing yet.
    pub fn new(stage: Stage) -> StageReport {
        StageReport { stage, changed: Vec::new(), said: Vec::new(), warnings: Vec::new(), values: Vec::new() }
    }
}
