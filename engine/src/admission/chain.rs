//! The chain itself: one object through the stages of [`super::ORDER`], then what it leads to (ExpansionTemplate
//! resultants, or the objects its controller creates, each a request of its own).

use serde_json::Value;

use super::decision::{AdmitError, Child, Decision, Origin, StageReport, Verdict, Violation};
use super::request::Request;
use super::{ApiServer, ClusterState, Stage};
use crate::controllers;
use crate::expansion::{self, ExpandError, ExpansionTemplate};
use crate::gkconfig::Process;
use crate::matching::Source;
use crate::mutation::mutator::Operation;
use crate::object::{self, Gvk};
use crate::policy::{PolicySet, sort_violations};
use crate::template::EnforcementAction;

impl PolicySet {
    /// Mutates then validates `object` as the API server and Gatekeeper would. Then, when ExpansionTemplates
    /// apply to its kind, its resultants are mutated and validated as `Generated` objects and their violations
    /// count against it (`[Implied by <template>] `, with the template's enforcement action when it sets one), as
    /// Gatekeeper's webhook does. When none applies and it is admitted, what its controller would create (a
    /// Deployment's ReplicaSet, that ReplicaSet's Pod) is admitted too, each as a request of its own: those
    /// decisions are [`Decision::children`] and do not change this object's verdict.
    pub fn admit(&mut self, object: &Value, request: &Request) -> Result<Decision, AdmitError> {
        // The request's Namespace, from the cluster state, when the caller did not give one.
        if request.namespace_object.is_none() && !self.namespaces.is_empty() {
            if let Some(ns_obj) = request.namespace_for(object).and_then(|ns| self.namespaces.get(&ns)) {
                let request = Request { namespace_object: Some(ns_obj.clone()), ..request.clone() };
                return self.admit_at(object, &request, 0);
            }
        }
        self.admit_at(object, request, 0)
    }

    fn admit_at(&mut self, object: &Value, request: &Request, depth: usize) -> Result<Decision, AdmitError> {
        // Exempt namespaces: the mutating and validating webhooks each leave their own alone.
        let ns = request.namespace_for(object).unwrap_or_default();
        let unmutated = self.exemption(&ns, Process::MutationWebhook);
        let unvalidated = self.exemption(&ns, Process::Webhook);
        let why = match (&unmutated, &unvalidated) {
            (Some(m), None) => Some(format!("namespace {ns} is exempt from mutation ({m})")),
            (None, Some(v)) => Some(format!("namespace {ns} is exempt from validation ({v})")),
            (Some(m), Some(v)) if m == v => {
                Some(format!("namespace {ns} is exempt from mutation and validation ({m})"))
            }
            (Some(m), Some(v)) => {
                Some(format!("namespace {ns} is exempt from mutation ({m}) and from validation ({v})"))
            }
            (None, None) => None,
        };
        // Exempt from both, with no API server in front: nothing judges it.
        if let (Some(_), Some(_), None, Some(why)) = (&unmutated, &unvalidated, &self.api_server, &why) {
            return Ok(Decision::exempt(object, why.clone()));
        }
        // The request is copied only when an exemption changes it: this runs for every example of a build.
        let exempted;
        let request = if unmutated.is_none() && unvalidated.is_none() {
            request
        } else {
            exempted = Request {
                mutate: request.mutate && unmutated.is_none(),
                validate: request.validate && unvalidated.is_none(),
                ..request.clone()
            };
            &exempted
        };
        let mut d = self.run(object, request, Source::Original, None)?;
        d.exempt = why;
        // What Gatekeeper and the controllers see is the object as stored: defaulted and mutated.
        let gvk = Gvk::of(&d.stored);
        // The stored object already carries the request's namespace; it is copied only when something is made
        // from it (the decision is changed below).
        let parent = if self.expansions.iter().any(|t| t.applies_to(&gvk)) || controllers::makes(&gvk) {
            d.stored.clone()
        } else {
            Value::Null
        };
        let reached_gatekeeper = matches!(d.decided_by, None | Some(Stage::Gatekeeper));
        if reached_gatekeeper && request.validate && self.expansions.iter().any(|t| t.applies_to(&gvk)) {
            let (children, implied) = self.expand(&parent, request)?;
            for v in &implied {
                if v.action == EnforcementAction::Warn {
                    d.warnings.push(v.render());
                }
            }
            d.violations.extend(implied);
            sort_violations(&mut d.violations);
            d.verdict = Verdict::of(&d.violations);
            if d.verdict == Verdict::Rejected {
                d.decided_by = Some(Stage::Gatekeeper);
            }
            d.children = children;
        } else if d.verdict == Verdict::Admitted && depth < 4 {
            if let Some(created) = controllers::creates(&parent) {
                let req = Request {
                    operation: Operation::Create,
                    namespace: Some(object::meta_str(&created.object, "namespace").to_string()),
                    user_info: created.user_info(),
                    old_object: None,
                    namespace_object: request.namespace_object.clone(),
                    enforcement_point: request.enforcement_point,
                    mutate: request.mutate,
                    validate: request.validate,
                    // What a partial workload creates is as partial as its template.
                    partial: request.partial,
                };
                let decision = self.admit_at(&created.object, &req, depth + 1)?;
                d.children.push(Child {
                    origin: Origin::Created { controller: created.controller.to_string() },
                    object: created.object,
                    decision,
                });
            }
        }
        Ok(d)
    }

    /// Validates `object` (no mutation) and the resultants ExpansionTemplates make of it, as `gator verify` does
    /// for a test with an `expansion` file: the resultants' violations come after the object's own,
    /// `[Implied by <template>] `. Nothing is created by controllers.
    pub fn validate_expanded(&mut self, object: &Value, request: &Request) -> Result<Vec<Violation>, AdmitError> {
        let mut out = self.judge(object, request, Source::Original, &mut Vec::new(), &mut Vec::new());
        if self.expansions.iter().any(|t| t.applies_to(&Gvk::of(object))) {
            let request = Request { mutate: false, ..request.clone() };
            out.extend(self.expand(object, &request)?.1);
            sort_violations(&mut out);
        }
        Ok(out)
    }

    /// The resultants of `parent` and the violations they imply for it.
    fn expand(&mut self, parent: &Value, request: &Request) -> Result<(Vec<Child>, Vec<Violation>), AdmitError> {
        let namespace = request.namespace_for(parent);
        let mut children = Vec::new();
        self.expand_into(parent, namespace.as_deref(), request, 0, &mut children)?;
        let mut implied = Vec::new();
        for c in &children {
            c.implied(&mut implied);
        }
        Ok((children, implied))
    }

    /// Expands `parent` with every template that applies to it, depth first: each resultant is mutated and
    /// validated as a `Generated` object (its violations taking the template's enforcement action), then
    /// expanded in turn.
    fn expand_into(
        &mut self,
        parent: &Value,
        namespace: Option<&str>,
        request: &Request,
        depth: usize,
        out: &mut Vec<Child>,
    ) -> Result<(), AdmitError> {
        if depth >= expansion::MAX_DEPTH {
            return Err(AdmitError::Expansion(ExpandError::TooDeep(object::describe(parent)).to_string()));
        }
        let gvk = Gvk::of(parent);
        let templates: Vec<ExpansionTemplate> =
            self.expansions.iter().filter(|t| t.applies_to(&gvk)).cloned().collect();
        for t in templates {
            let resultant =
                expansion::expand_one(&t, parent, namespace).map_err(|e| AdmitError::Expansion(e.to_string()))?;
            let mut d = self.run(&resultant, request, Source::Generated, t.enforcement_action).map_err(|e| {
                AdmitError::Expansion(format!(
                    "failed to mutate resultant resource {}: {e}",
                    object::meta_str(&resultant, "name")
                ))
            })?;
            let mut grandchildren = Vec::new();
            self.expand_into(&d.object, namespace, request, depth + 1, &mut grandchildren)?;
            d.children = grandchildren;
            out.push(Child { origin: Origin::Expanded { template: t.name.clone() }, object: resultant, decision: d });
        }
        Ok(())
    }

    /// One object through every stage, in [`super::ORDER`]: no expansion, no controllers. `action`, when set,
    /// replaces every violation's enforcement action (an ExpansionTemplate's override); the warnings and the
    /// verdict follow from the violations as they end up. A `Generated` object (an ExpansionTemplate's resultant)
    /// never reaches the API server: only Gatekeeper's stages judge it.
    fn run(
        &mut self,
        object: &Value,
        request: &Request,
        source: Source,
        action: Option<EnforcementAction>,
    ) -> Result<Decision, AdmitError> {
        let api = if source == Source::Generated { None } else { self.api_server.clone() };
        let cluster = std::sync::Arc::clone(&self.cluster_state);
        let mut stored = object.clone();
        let injected = request.inject_namespace(&mut stored);
        let namespace = request.namespace_for(object).unwrap_or_default();
        let mut run = Run::default();
        // The kind is what every stage asks first; only a webhook's mutation could change it.
        let mut gvk = Gvk::of(object);
        // An UPDATE may not change what is immutable: the old object is put through the same stages (with no old
        // object of its own), so that both sides differ only where the manifests do.
        // Only kinds with immutable fields or Pod Security's update rule need it; an old object that does not get
        // through its own stages is not compared.
        if let (Some(_), Operation::Update, Some(old)) = (&api, request.operation, &request.old_object) {
            if super::validation::has_immutable_fields(&gvk) {
                let without_old = Request { old_object: None, ..request.clone() };
                run.old_stored = self
                    .run(old, &without_old, source, None)
                    .ok()
                    .filter(|d| d.decided_by != Some(Stage::Decode))
                    .map(|d| d.stored);
            }
        }
        for &stage in super::ORDER {
            let runs = match (stage, &api) {
                (Stage::GatekeeperMutation | Stage::Gatekeeper, _) => true,
                (_, None) => false,
                (Stage::MutatingAdmissionPolicy, Some(api)) => {
                    // GA (admissionregistration.k8s.io/v1) and on by default since Kubernetes 1.36.
                    api.minor >= 36 && !self.admission_policies.mutating.is_empty()
                }
                (Stage::ValidatingAdmissionPolicy, Some(api)) => {
                    // GA since 1.30; Gatekeeper generates policies only where the API is served.
                    api.minor >= 30
                        && request.validate
                        && (!self.admission_policies.validating.is_empty()
                            || self.templates.iter().any(|t| t.template.cel.is_some()))
                }
                (Stage::ObjectValidation, Some(_)) if request.partial => false,
                (s, Some(api)) => {
                    s.plugin().is_none_or(|p| api.runs(p)) && handles(s, request.operation, &stored, &gvk)
                }
            };
            if !runs {
                continue;
            }
            let started = self.stage_times.is_some().then(std::time::Instant::now);
            let mut report = StageReport::new(stage);
            let refused = match (stage, &api) {
                (Stage::GatekeeperMutation, _) => {
                    let applied = self
                        .gatekeeper_mutate(&mut stored, request, source, &mut report, &mut run.warnings)
                        .map_err(AdmitError::Mutation)?;
                    if !applied.is_empty() {
                        run.mutators.extend(applied);
                        gvk = Gvk::of(&stored);
                        // The API server decodes the webhook's patched object, which defaults what it added.
                        if let Some(api) = &api {
                            run.apply_defaults(&mut stored, api, &cluster);
                        }
                    }
                    Vec::new()
                }
                (Stage::Gatekeeper, _) => {
                    if request.validate {
                        self.judge(&stored, request, source, &mut run.constraints, &mut run.unchecked)
                    } else {
                        Vec::new()
                    }
                }
                (Stage::MutatingAdmissionPolicy, Some(api)) => {
                    let refused = self.mutating_policies(&mut stored, request, &mut report);
                    run.mutators
                        .extend(report.said.iter().filter_map(|s| s.strip_suffix(" changed it")).map(str::to_string));
                    if !report.changed.is_empty() {
                        gvk = Gvk::of(&stored);
                        run.apply_defaults(&mut stored, api, &cluster);
                    }
                    refused
                }
                (Stage::ValidatingAdmissionPolicy, Some(_)) => {
                    super::vap::validate(self, &stored, request, &mut report, &mut run.warnings)
                }
                (_, Some(api)) => {
                    api_stage(stage, api, &cluster, &mut stored, &namespace, request, &mut report, &mut run)
                }
                (_, None) => Vec::new(),
            };
            // What every cluster adds to every Pod, whatever its configuration (the not-ready and unreachable
            // tolerations; priority 0 where no class is named and none is the default), is kept apart with the
            // defaults: it says nothing about the platform. What the cluster's objects decide is admission's.
            let fixed = stage == Stage::DefaultTolerationSeconds
                || (stage == Stage::Priority && object::at(&stored, "/spec/priorityClassName").is_none());
            if fixed {
                report.said.clear();
                for pointer in &report.changed {
                    if let Some(v) = object::at(&stored, pointer) {
                        run.defaults.push((pointer.clone(), v.clone()));
                    }
                }
            } else if !report.changed.is_empty()
                && !matches!(stage, Stage::Defaulting | Stage::GatekeeperMutation | Stage::MutatingAdmissionPolicy)
            {
                run.mutators.push(stage.name().to_string());
            }
            if stage.plugin().is_some() {
                report.values =
                    report.changed.iter().map(|p| object::at(&stored, p).cloned().unwrap_or(Value::Null)).collect();
            }
            if stage != Stage::Defaulting
                && (!report.changed.is_empty() || !report.said.is_empty() || !report.warnings.is_empty())
            {
                run.stages.push(report);
            }
            if let (Some(times), Some(started)) = (&mut self.stage_times, started) {
                times.push((stage.name(), started.elapsed()));
            }
            let denies = refused.iter().any(|v| v.action == EnforcementAction::Deny);
            run.violations.extend(refused);
            // The first stage that denies ends the request; Gatekeeper's constraints are judged together.
            if denies && stage != Stage::Gatekeeper {
                run.decided_by = Some(stage);
                break;
            }
        }
        let mut violations = std::mem::take(&mut run.violations);
        if let Some(action) = action {
            for v in &mut violations {
                v.action = action;
            }
        }
        sort_violations(&mut violations);
        let verdict = Verdict::of(&violations);
        if verdict == Verdict::Rejected && run.decided_by.is_none() {
            run.decided_by = Some(Stage::Gatekeeper);
        }
        let mut warnings = run.warnings;
        for v in violations.iter().filter(|v| v.action == EnforcementAction::Warn) {
            warnings.push(v.render());
        }
        for id in &run.unchecked {
            warnings.push(format!(
                "{id} applies, but its template has no code Gatekeeper can run (neither Rego nor K8sNativeValidation): this rule was not checked"
            ));
        }
        // The object as admission left it, the API server's defaults apart (those nothing changed afterwards).
        let started = self.stage_times.is_some().then(std::time::Instant::now);
        let mut shown = stored.clone();
        let mut kept = Vec::new();
        // Last set first, so that items appended to a list come off its end.
        for (pointer, value) in run.defaults.iter().rev() {
            if object::at(&stored, pointer) == Some(value) && object::remove_at(&mut shown, pointer, object) {
                kept.push(pointer.clone());
            }
        }
        kept.reverse();
        if injected {
            if let Some(meta) = shown.get_mut("metadata").and_then(Value::as_object_mut) {
                meta.remove("namespace");
            }
        }
        if api.is_some() {
            run.stages.insert(0, StageReport { changed: kept, ..StageReport::new(Stage::Defaulting) });
        }
        let patch = crate::patch::diff(object, &shown);
        if let (Some(times), Some(started)) = (&mut self.stage_times, started) {
            times.push((DECISION, started.elapsed()));
        }
        Ok(Decision {
            verdict,
            object: shown,
            stored,
            decided_by: run.decided_by,
            stages: run.stages,
            patch,
            mutators: run.mutators,
            violations,
            warnings,
            constraints: run.constraints,
            children: Vec::new(),
            exempt: None,
            unchecked: run.unchecked,
        })
    }
}

/// What [`PolicySet::time_stages`] calls the work after the last stage: the object shown (defaults apart) and its
/// patch.
pub const DECISION: &str = "decision (object shown, patch)";

impl PolicySet {
    /// Times every stage of every admission from now on (`true`), or no longer (`false`); the times so far are
    /// dropped either way.
    pub fn time_stages(&mut self, on: bool) {
        self.stage_times = on.then(Vec::new);
    }

    /// The stages timed since the last call, in the order they ran (the stages of a Deployment's children
    /// included), as (stage name, time).
    pub fn take_stage_times(&mut self) -> Vec<(&'static str, std::time::Duration)> {
        self.stage_times.as_mut().map(std::mem::take).unwrap_or_default()
    }
}

/// What one run of the chain gathers.
#[derive(Default)]
struct Run {
    stages: Vec<StageReport>,
    /// What defaulting set, with the value it set.
    defaults: Vec<(String, Value)>,
    mutators: Vec<String>,
    violations: Vec<Violation>,
    warnings: Vec<String>,
    constraints: Vec<String>,
    unchecked: Vec<String>,
    decided_by: Option<Stage>,
    /// Whether decoding found required fields missing (then the object's validation checks it whole).
    lacks_required: bool,
    /// For an UPDATE, the old object as the same stages make it.
    old_stored: Option<Value>,
}

impl Run {
    /// The API group's defaults, or, for a custom resource, its CRD's schema defaults.
    fn apply_defaults(&mut self, object: &mut Value, api: &ApiServer, cluster: &ClusterState) {
        let mut set: Vec<String> = super::defaults::apply(object, api.minor).into_iter().map(|d| d.pointer).collect();
        if set.is_empty() && !cluster.custom.is_empty() {
            set = cluster.custom.apply_defaults(object);
        }
        for pointer in set {
            if let Some(v) = crate::object::at(object, &pointer) {
                self.defaults.push((pointer, v.clone()));
            }
        }
    }
}

/// Whether a stage of the API server handles this request: decoding, defaulting and the object's validation
/// every CREATE and UPDATE; the mutating plugins a Pod's (an Ingress's) CREATE; Pod Security and LimitRanger's
/// limits a Pod's or workload's CREATE and UPDATE. The docs check's operation ("", as gator's) counts as CREATE.
fn handles(stage: Stage, operation: Operation, object: &Value, gvk: &Gvk) -> bool {
    let create = matches!(operation, Operation::Create | Operation::Unspecified);
    let write = create || operation == Operation::Update;
    let pod = gvk.group.is_empty() && gvk.kind == "Pod";
    match stage {
        Stage::Decode | Stage::Defaulting | Stage::ObjectValidation => write,
        Stage::LimitRanger
        | Stage::ServiceAccount
        | Stage::Priority
        | Stage::DefaultTolerationSeconds
        | Stage::LimitRangerValidation => create && pod,
        Stage::DefaultIngressClass => create && gvk.group == "networking.k8s.io" && gvk.kind == "Ingress",
        Stage::PodSecurity => {
            write && (super::podsecurity::pod_of(object).is_some() || (gvk.group.is_empty() && gvk.kind == "Namespace"))
        }
        Stage::GatekeeperMutation | Stage::Gatekeeper => true,
        Stage::MutatingAdmissionPolicy | Stage::ValidatingAdmissionPolicy => true,
    }
}

/// `pods "web"`: how the API server names the object it refuses.
fn resource_name(object: &Value) -> String {
    let plural = super::vap::resource_of(&Gvk::of(object).kind, None);
    // A Pod named by `generateName` only is refused under that prefix.
    let name = match object::meta_str(object, "name") {
        "" => object::meta_str(object, "generateName"),
        name => name,
    };
    format!("{plural} \"{name}\"")
}

/// One stage of the API server's own; what it refuses, as violations of its stage.
#[allow(clippy::too_many_arguments)]
fn api_stage(
    stage: Stage,
    api: &ApiServer,
    cluster: &ClusterState,
    object: &mut Value,
    namespace: &str,
    request: &Request,
    report: &mut StageReport,
    run: &mut Run,
) -> Vec<Violation> {
    let forbidden = |object: &Value, why: String| format!("{} is forbidden: {why}", resource_name(object));
    match stage {
        Stage::Decode => {
            let schemas = api.schemas;
            // One walk of the object serves decoding now and, when it lacks nothing required, the object's
            // validation later (which then only looks at what admission wrote).
            let check = schemas.decode(&cluster.custom, object);
            run.lacks_required =
                matches!(&check, crate::schema::Check::Checked(e) if e.iter().any(|e| e.after_admission));
            let errors = schemas.refusal_of(check.before_admission(), object);
            match errors.is_empty() {
                true => Vec::new(),
                false => vec![Violation::refusal(stage, api.version, errors.join("; "))],
            }
        }
        Stage::Defaulting => {
            run.apply_defaults(object, api, cluster);
            Vec::new()
        }
        Stage::LimitRanger => {
            super::limitranger::admit(object, namespace, cluster, report);
            Vec::new()
        }
        Stage::ServiceAccount => {
            super::serviceaccount::admit(object, namespace, cluster, report);
            Vec::new()
        }
        Stage::Priority => match super::priority::admit(object, cluster, report) {
            Ok(()) => Vec::new(),
            Err(why) => vec![Violation::refusal(stage, "PriorityClass", forbidden(object, why))],
        },
        Stage::DefaultTolerationSeconds => {
            super::tolerations::admit(object, report);
            Vec::new()
        }
        Stage::DefaultIngressClass => {
            super::ingressclass::admit(object, cluster, report);
            Vec::new()
        }
        Stage::ObjectValidation => match super::validation::validate(
            api,
            cluster,
            object,
            // What the webhooks wrote, when the object lacked nothing before: defaults and the API server's own
            // plugins write nothing it would refuse.
            (!run.lacks_required)
                .then(|| {
                    run.stages
                        .iter()
                        .filter(|s| s.stage == Stage::GatekeeperMutation)
                        .flat_map(|s| s.changed.iter().map(String::as_str))
                        .collect::<Vec<_>>()
                })
                .as_deref(),
        ) {
            None => match run.old_stored.as_ref().and_then(|old| super::validation::validate_update(object, old)) {
                None => Vec::new(),
                Some(message) => vec![Violation::refusal(stage, api.version, message)],
            },
            Some(message) => vec![Violation::refusal(stage, api.version, message)],
        },
        Stage::LimitRangerValidation => match super::limitranger::validate(object, namespace, cluster) {
            Ok(()) => Vec::new(),
            Err(why) => vec![Violation::refusal(stage, "LimitRange", forbidden(object, why))],
        },
        Stage::PodSecurity if Gvk::of(object).kind == "Namespace" => {
            // A Namespace's own Pod Security labels must be valid.
            let labels = object.pointer("/metadata/labels").and_then(Value::as_object);
            let (_, problems) = super::podsecurity::policy_from_labels(labels, &api.pod_security);
            super::validation::invalid(object, &problems)
                .map(|message| vec![Violation::refusal(stage, "labels", message)])
                .unwrap_or_default()
        }
        Stage::PodSecurity => {
            let labels = request
                .namespace_object
                .as_ref()
                .and_then(|n| n.pointer("/metadata/labels"))
                .and_then(Value::as_object);
            let (policy, problems) = super::podsecurity::policy_from_labels(labels, &api.pod_security);
            report.said.extend(problems);
            // Whether an UPDATE changes what Pod Security looks at is told from the old object as the same stages
            // made it.
            let old = if request.operation == Operation::Update { run.old_stored.as_ref() } else { None };
            let outcome = super::podsecurity::evaluate(object, &policy, api.minor, old);
            run.warnings.extend(outcome.warnings.iter().cloned());
            report.warnings.extend(outcome.warnings);
            for (key, value) in outcome.audit.into_iter().filter(|(k, _)| k.ends_with("audit-violations")) {
                report.said.push(format!("audit annotation {key}: {value}"));
            }
            match outcome.denied {
                Some(message) => vec![Violation::refusal(stage, policy.enforce.to_string(), message)],
                None => Vec::new(),
            }
        }
        Stage::GatekeeperMutation
        | Stage::Gatekeeper
        | Stage::MutatingAdmissionPolicy
        | Stage::ValidatingAdmissionPolicy => Vec::new(),
    }
}
