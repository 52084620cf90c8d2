//! A policy set: templates (compiled), constraints and mutators loaded from YAML texts, and admission against it.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

pub use crate::admission::{AdmitError, Child, Decision, Origin, Request, StageReport, Verdict, Violation};
use crate::admission::{ApiServer, ClusterState};
use crate::expansion::{self, EXPANSION_GROUP, ExpansionTemplate};
use crate::gkconfig::{CONFIG_GROUP, GatekeeperConfig, Process};
use crate::limits::Limits;
use crate::matching::Wildcard;
use crate::mutation::mutator::{MUTATIONS_GROUP, Mutator};
use crate::mutation::system::MutationSystem;
use crate::object::{self, Gvk};
use crate::rego::{self, CompiledRego};
use crate::template::{CONSTRAINTS_GROUP, Constraint, ConstraintTemplate, TEMPLATES_GROUP};
use crate::yaml::{self, Schema};

/// A named YAML text handed to the loader (the caller reads files; the engine does no I/O).
#[derive(Debug, Clone, Copy)]
pub struct PolicyText<'a> {
    /// Shown in errors: usually the file path.
    pub name: &'a str,
    /// The YAML.
    pub text: &'a str,
}

/// A policy object already read from YAML, with the name of the text it came from.
#[derive(Debug, Clone, Copy)]
pub struct PolicyObject<'a> {
    /// Shown in errors: usually the file path.
    pub name: &'a str,
    /// The object.
    pub value: &'a Value,
}

/// A policy object that cannot be loaded, with where it was written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{name}:{line}:{column}: {message}")]
pub struct PolicyError {
    /// The text's name (file path).
    pub name: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What is wrong, naming the object.
    pub message: String,
}

struct Loaded {
    gvk: Gvk,
    value: Value,
    name: String,
    doc: yaml::Document,
    /// Where the object is in its document: "" for the document itself, `/items/3` for an item of a `List`.
    at: String,
}

impl Loaded {
    fn error(&self, pointer: &str, message: String) -> PolicyError {
        let (line, column) =
            self.doc.source_map.nearest(&format!("{}{pointer}", self.at)).unwrap_or((self.doc.line, 1));
        PolicyError { name: self.name.clone(), line, column, message }
    }
}

/// Templates, constraints and mutators, ready to admit objects.
#[derive(Debug, Clone, Default)]
pub struct PolicySet {
    pub(crate) templates: Vec<TemplateEntry>,
    pub(crate) constraints: Vec<Constraint>,
    /// Each constraint's parameters as a regorus value, converted once at load.
    pub(crate) parameters: Vec<regorus::Value>,
    pub(crate) mutation: MutationSystem,
    /// ExpansionTemplates, sorted by name.
    pub(crate) expansions: Vec<ExpansionTemplate>,
    notes: Vec<String>,
    /// Every policy object loaded (suites and empty documents left out), with the name of its text, in load
    /// order; shared between clones.
    objects: std::sync::Arc<Vec<(String, Value)>>,
    /// Cluster state: objects that describe the cluster (Namespaces, ...), with the name of their text.
    cluster: std::sync::Arc<Vec<(String, Value)>>,
    /// The Namespaces of the cluster state, by name: the `namespaceObject` of a request in one of them.
    pub(crate) namespaces: std::sync::Arc<BTreeMap<String, Value>>,
    /// Gatekeeper's `Config` objects: namespaces exempt per process, what is synced.
    configs: Vec<GatekeeperConfig>,
    /// Namespaces the webhook is told to leave alone (its `--exempt-namespace`, the
    /// `admission.gatekeeper.sh/ignore` label): neither mutated nor validated.
    exempt_namespaces: Vec<Wildcard>,
    /// The API server in front of Gatekeeper, when its stages are modelled (`None`: Gatekeeper alone, as gator).
    pub(crate) api_server: Option<ApiServer>,
    /// The cluster state sorted by what admission reads; shared between clones.
    pub(crate) cluster_state: std::sync::Arc<ClusterState>,
    /// ValidatingAdmissionPolicies and MutatingAdmissionPolicies with their bindings.
    pub(crate) admission_policies: crate::admission::vap::AdmissionPolicies,
    /// When asked for ([`PolicySet::time_stages`]), how long each stage of each admission took: for benchmarks,
    /// natively (the browser has no clock this can read).
    pub(crate) stage_times: Option<Vec<(&'static str, std::time::Duration)>>,
}

/// Templates' Rego compiled before, by their source: loading a set again compiles only what changed.
#[derive(Debug, Default)]
pub struct CompileCache {
    rego: std::collections::HashMap<(String, Vec<String>, bool), CompiledRego>,
}

impl CompileCache {
    /// How many compiled templates it holds.
    pub fn len(&self) -> usize {
        self.rego.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.rego.is_empty()
    }
}

/// A template's Rego, compiled, or taken from `cache` when the same source was compiled before (at most 256 are
/// kept: an editor's every keystroke is a new source).
fn compile_rego(
    src: &rego::RegoSource,
    limits: &Limits,
    cache: Option<&mut CompileCache>,
) -> Result<CompiledRego, rego::RegoError> {
    let Some(cache) = cache else { return CompiledRego::compile(src, limits) };
    let key = (src.rego.clone(), src.libs.clone(), src.version == rego::RegoVersion::V0);
    if let Some(c) = cache.rego.get(&key) {
        return Ok(c.clone());
    }
    let compiled = CompiledRego::compile(src, limits)?;
    if cache.rego.len() >= 256 {
        cache.rego.clear();
    }
    cache.rego.insert(key, compiled.clone());
    Ok(compiled)
}

/// What the schemas say of a piece of an object ([`PolicySet::piece`]).
#[derive(Debug, Clone, PartialEq)]
pub enum Piece {
    /// No definition guardrail knows has its fields: not a piece of a Kubernetes object.
    Unknown,
    /// It decodes as a piece of these (`Volume`, `K8sAllowedRepos spec.match`).
    Decodes(Vec<String>),
    /// Each of these readings refuses it at one field: that error (of the first reading), the readings, and
    /// whether they are all built-in definitions (no CRD's or constraint kind's).
    Refused(crate::schema::SchemaError, Vec<String>, bool),
    /// These readings refuse it, each in other places.
    Differs(Vec<String>),
    /// These readings take it, but where their schemas name no fields (a `spec` of any shape): not checked.
    Loose(Vec<String>),
}

/// One way of reading a piece: a built-in definition, or a structural schema's piece (by index).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Reader {
    Definition(String),
    Structural(usize),
}

/// The API group of gator's test Suites, which may sit among policy files but are not policies.
const SUITES_GROUP: &str = "test.gatekeeper.sh";

/// What policy sources held besides policies.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sources {
    /// Kubernetes objects that describe the cluster (Namespaces, ConfigMaps, ...), with the name of their text.
    pub cluster: Vec<(String, Value)>,
    /// What was skipped, counted by what it is: a kind (`Kustomization`, `Suite`), or `not Kubernetes
    /// objects` for YAML without `apiVersion` and `kind` (Helm values, other configuration).
    pub skipped: BTreeMap<String, usize>,
}

impl Sources {
    /// `7 Kustomization, 2 not Kubernetes objects`, or "" when nothing was skipped.
    pub fn skipped_summary(&self) -> String {
        self.skipped.iter().map(|(what, n)| format!("{n} {what}")).collect::<Vec<_>>().join(", ")
    }
}

/// The fields the API server writes, which a dump of a live cluster carries and a policy does not need.
fn drop_server_fields(value: &mut Value) {
    if let Some(map) = value.as_object_mut() {
        map.remove("status");
        if let Some(meta) = map.get_mut("metadata").and_then(Value::as_object_mut) {
            for key in ["managedFields", "resourceVersion", "uid", "generation", "creationTimestamp"] {
                meta.remove(key);
            }
        }
    }
}

/// Sorts one document (or List item) of a policy source: a policy to load, cluster state, or skipped.
fn classify(mut l: Loaded, loaded: &mut Vec<Loaded>, sources: &mut Sources) {
    let is_object = l.value.get("apiVersion").and_then(Value::as_str).is_some_and(|s| !s.is_empty())
        && l.value.get("kind").and_then(Value::as_str).is_some_and(|s| !s.is_empty());
    if !is_object {
        // kustomize reads `kustomization.yaml` without apiVersion and kind, and most repositories write it so.
        let file = l.name.rsplit(['/', '\\']).next().unwrap_or("");
        let what = if matches!(file, "kustomization.yaml" | "kustomization.yml" | "Kustomization") {
            "Kustomization"
        } else {
            "not Kubernetes objects"
        };
        *sources.skipped.entry(what.into()).or_default() += 1;
        return;
    }
    if l.gvk.kind.ends_with("List") {
        if let Some(items) = l.value.get("items").and_then(Value::as_array) {
            for (i, item) in items.iter().enumerate() {
                classify(
                    Loaded {
                        gvk: Gvk::of(item),
                        value: item.clone(),
                        name: l.name.clone(),
                        doc: l.doc.clone(),
                        at: format!("{}/items/{i}", l.at),
                    },
                    loaded,
                    sources,
                );
            }
            return;
        }
    }
    drop_server_fields(&mut l.value);
    if PolicySet::is_policy_object(&l.value) {
        loaded.push(l);
    } else if l.gvk.group == SUITES_GROUP || l.gvk.group.starts_with("kustomize.config.k8s.io") {
        *sources.skipped.entry(l.gvk.kind.clone()).or_default() += 1;
    } else {
        sources.cluster.push((l.name, l.value));
    }
}

#[derive(Debug, Clone)]
pub(crate) struct TemplateEntry {
    pub(crate) template: ConstraintTemplate,
    pub(crate) rego: Option<CompiledRego>,
    /// The schema of the CRD Gatekeeper makes for the template's constraint kind, made once at load.
    pub(crate) constraint_schema: Value,
}

impl PolicySet {
    /// Loads every document of `texts`. Suites (`test.gatekeeper.sh`) and empty documents are skipped; any other
    /// object that is not a template, constraint or mutator is an error. All errors are returned together.
    pub fn load(texts: &[PolicyText<'_>], limits: &Limits) -> Result<PolicySet, Vec<PolicyError>> {
        let mut errors = Vec::new();
        let mut loaded = Vec::new();
        Self::parse(texts, limits, &mut loaded, &mut errors);
        Self::build(&loaded, limits, errors)
    }

    /// Loads policy objects that were already read from YAML (by [`PolicySet::load`]'s parser): what a site ships
    /// to the playground, so that the browser does not parse the YAML again. Errors point at line 1 of `name`.
    pub fn load_objects(objects: &[PolicyObject<'_>], limits: &Limits) -> Result<PolicySet, Vec<PolicyError>> {
        Self::build(&loaded_objects(objects), limits, Vec::new())
    }

    /// [`PolicySet::load_objects`] for objects a build has already loaded without errors (the playground's
    /// bundle): each template's Rego is compiled when a constraint of it first matches
    /// ([`CompiledRego::deferred`]), not here, so that the first admission waits only for the templates it needs.
    pub fn load_objects_deferred(objects: &[PolicyObject<'_>], limits: &Limits) -> Result<PolicySet, Vec<PolicyError>> {
        Self::build_with(&loaded_objects(objects), limits, Vec::new(), None, true)
    }

    /// Loads policy sources as real repositories and cluster dumps hold them: `List`s (`kind: List`,
    /// `ConstraintTemplateList`, ...) are unpacked; the fields the API server writes (`status`,
    /// `metadata.managedFields`, `resourceVersion`, `uid`, `generation`, `creationTimestamp`) are dropped; objects
    /// that are not policies are not errors: Kubernetes objects (Namespaces, ConfigMaps, ...) are returned as
    /// cluster state, and the rest (kustomize files, gator Suites, Gatekeeper's `Config`, YAML that is not a
    /// Kubernetes object) is counted as skipped. YAML that does not parse, and policies that do not load, are still
    /// errors, all of them together.
    pub fn load_sources(texts: &[PolicyText<'_>], limits: &Limits) -> Result<(PolicySet, Sources), Vec<PolicyError>> {
        Self::sources_with(texts, limits, None)
    }

    /// [`PolicySet::load_sources`], compiling each template's Rego once per `cache`: a set loaded again with one
    /// template changed (a playground edit) compiles only that one.
    pub fn load_sources_cached(
        texts: &[PolicyText<'_>],
        limits: &Limits,
        cache: &mut CompileCache,
    ) -> Result<(PolicySet, Sources), Vec<PolicyError>> {
        Self::sources_with(texts, limits, Some(cache))
    }

    fn sources_with(
        texts: &[PolicyText<'_>],
        limits: &Limits,
        cache: Option<&mut CompileCache>,
    ) -> Result<(PolicySet, Sources), Vec<PolicyError>> {
        let mut errors = Vec::new();
        let mut docs = Vec::new();
        Self::parse(texts, limits, &mut docs, &mut errors);
        let mut sources = Sources::default();
        let mut loaded = Vec::new();
        for l in docs {
            classify(l, &mut loaded, &mut sources);
        }
        let set = Self::build_with(&loaded, limits, errors, cache, false)?;
        Ok((set, sources))
    }

    /// Whether an object is of a kind a policy set holds (a template, constraint, mutator or ExpansionTemplate).
    pub fn is_policy_object(object: &Value) -> bool {
        let gvk = Gvk::of(object);
        (gvk.group == TEMPLATES_GROUP && gvk.kind == "ConstraintTemplate")
            || gvk.group == CONSTRAINTS_GROUP
            || gvk.group == MUTATIONS_GROUP
            || (gvk.group == EXPANSION_GROUP && gvk.kind == "ExpansionTemplate")
            || (gvk.group == CONFIG_GROUP && gvk.kind == "Config")
            || (gvk.group == crate::admission::vap::GROUP
                && matches!(
                    gvk.kind.as_str(),
                    "ValidatingAdmissionPolicy"
                        | "ValidatingAdmissionPolicyBinding"
                        | "MutatingAdmissionPolicy"
                        | "MutatingAdmissionPolicyBinding"
                ))
    }

    /// Sets the namespaces the webhook leaves alone (its `--exempt-namespace`): exact names, `prefix*` or
    /// `*suffix`. Requests there are neither mutated nor validated.
    pub fn set_exempt_namespaces(&mut self, namespaces: &[String]) -> Result<(), String> {
        if let Some(bad) = namespaces.iter().find(|n| !crate::matching::valid_wildcard(n)) {
            return Err(format!("`{bad}` is not a valid namespace pattern (a name, `prefix*` or `*suffix`)"));
        }
        self.exempt_namespaces = namespaces.iter().cloned().map(Wildcard).collect();
        Ok(())
    }

    /// Gatekeeper's `Config` objects.
    pub fn configs(&self) -> &[GatekeeperConfig] {
        &self.configs
    }

    /// The namespaces the webhook leaves alone, as given.
    pub fn exempt_namespaces(&self) -> Vec<String> {
        self.exempt_namespaces.iter().map(|w| w.0.clone()).collect()
    }

    /// Why requests in `namespace` skip `process`, if they do: the webhook's exempt namespaces, or a Config.
    pub fn exemption(&self, namespace: &str, process: Process) -> Option<String> {
        if namespace.is_empty() {
            return None;
        }
        if let Some(w) = self.exempt_namespaces.iter().find(|w| w.matches(namespace)) {
            return Some(format!("the webhook's exempt namespaces (`{}`)", w.0));
        }
        self.configs.iter().find_map(|c| {
            c.exempts(namespace, process).map(|(pattern, processes)| {
                format!("Config {}: excludedNamespaces `{pattern}` for processes {}", c.name, processes.join(", "))
            })
        })
    }

    fn parse(texts: &[PolicyText<'_>], limits: &Limits, loaded: &mut Vec<Loaded>, errors: &mut Vec<PolicyError>) {
        for t in texts {
            match yaml::load_documents(t.text, Schema::Kubernetes, limits) {
                Ok(docs) => {
                    for doc in docs {
                        if doc.value.is_null() {
                            continue;
                        }
                        let gvk = Gvk::of(&doc.value);
                        loaded.push(Loaded {
                            gvk,
                            value: doc.value.clone(),
                            name: t.name.to_string(),
                            doc,
                            at: String::new(),
                        });
                    }
                }
                Err(e) => errors.push(PolicyError {
                    name: t.name.to_string(),
                    line: e.line,
                    column: e.column,
                    message: format!("invalid YAML: {}", e.message),
                }),
            }
        }
    }

    fn build(loaded: &[Loaded], limits: &Limits, errors: Vec<PolicyError>) -> Result<PolicySet, Vec<PolicyError>> {
        Self::build_with(loaded, limits, errors, None, false)
    }

    fn build_with(
        loaded: &[Loaded],
        limits: &Limits,
        mut errors: Vec<PolicyError>,
        mut cache: Option<&mut CompileCache>,
        defer: bool,
    ) -> Result<PolicySet, Vec<PolicyError>> {
        let mut set = PolicySet::default();
        let mut mutators = Vec::new();
        let mut expansion_sources: Vec<(String, &Loaded)> = Vec::new();
        // Templates first: constraints need their kinds and schemas.
        for l in loaded {
            if l.gvk.group == TEMPLATES_GROUP && l.gvk.kind == "ConstraintTemplate" {
                match ConstraintTemplate::decode(&l.value) {
                    Err(e) => errors.push(l.error(&e.pointer(), format!("ConstraintTemplate: {e}"))),
                    Ok(t) if set.templates.iter().any(|x| x.template.kind == t.kind) => errors.push(l.error(
                        "/metadata/name",
                        format!("ConstraintTemplate {}: a template for kind {} is already loaded", t.name, t.kind),
                    )),
                    Ok(t) => {
                        // Gatekeeper hands a template to one engine: with CEL code, the Rego is never compiled.
                        let rego = match &t.rego {
                            _ if t.cel.is_some() => None,
                            None => None,
                            Some(src) if defer => Some(CompiledRego::deferred(src, limits)),
                            Some(src) => match compile_rego(src, limits, cache.as_deref_mut()) {
                                Ok(c) => Some(c),
                                Err(e) => {
                                    errors.push(rego_error(l, &t, &e));
                                    continue;
                                }
                            },
                        };
                        set.notes.extend(t.notes.iter().cloned());
                        let constraint_schema = t.constraint_schema();
                        set.templates.push(TemplateEntry { template: t, rego, constraint_schema });
                    }
                }
            }
        }
        for l in loaded {
            let g = l.gvk.group.as_str();
            if g == TEMPLATES_GROUP && l.gvk.kind == "ConstraintTemplate" || g == SUITES_GROUP {
                continue;
            }
            if g == CONSTRAINTS_GROUP {
                let Some(t) = set.templates.iter().find(|t| t.template.kind == l.gvk.kind) else {
                    errors.push(l.error(
                        "/kind",
                        format!(
                            "Constraint {} {}: no ConstraintTemplate defines kind {}",
                            l.gvk.kind,
                            object::meta_str(&l.value, "name"),
                            l.gvk.kind
                        ),
                    ));
                    continue;
                };
                match Constraint::decode(&l.value, &t.template) {
                    Ok(c) => set.constraints.push(c),
                    Err(e) => errors.push(l.error(
                        &e.pointer(),
                        format!("Constraint {} {}: {e}", l.gvk.kind, object::meta_str(&l.value, "name")),
                    )),
                }
            } else if g == CONFIG_GROUP && l.gvk.kind == "Config" {
                match GatekeeperConfig::decode(&l.value) {
                    Ok(c) => set.configs.push(c),
                    Err(e) => errors
                        .push(l.error(&e.pointer(), format!("Config {}: {e}", object::meta_str(&l.value, "name")))),
                }
            } else if g == EXPANSION_GROUP && l.gvk.kind == "ExpansionTemplate" {
                match ExpansionTemplate::decode(&l.value) {
                    Ok(t) if set.expansions.iter().any(|x| x.name == t.name) => errors.push(l.error(
                        "/metadata/name",
                        format!("ExpansionTemplate {}: a template of that name is already loaded", t.name),
                    )),
                    Ok(t) => {
                        expansion_sources.push((t.name.clone(), l));
                        set.expansions.push(t);
                    }
                    Err(e) => errors.push(l.error(&e.pointer(), e.message)),
                }
            } else if g == crate::admission::vap::GROUP {
                let name = object::meta_str(&l.value, "name").to_string();
                let what = format!("{} {name}", l.gvk.kind);
                let policies = &mut set.admission_policies;
                let result = match l.gvk.kind.as_str() {
                    "ValidatingAdmissionPolicy" | "MutatingAdmissionPolicy" => {
                        crate::admission::vap::AdmissionPolicy::decode(&l.value).map(|p| {
                            if l.gvk.kind.starts_with("Validating") {
                                policies.validating.push(p)
                            } else {
                                policies.mutating.push(p)
                            }
                        })
                    }
                    _ => crate::admission::vap::PolicyBinding::decode(&l.value).map(|b| {
                        if l.gvk.kind.starts_with("Validating") {
                            policies.validating_bindings.push(b)
                        } else {
                            policies.mutating_bindings.push(b)
                        }
                    }),
                };
                if let Err(e) = result {
                    errors.push(l.error(&e.pointer(), format!("{what}: {e}")));
                }
            } else if g == MUTATIONS_GROUP {
                match Mutator::decode(&l.value) {
                    Ok(m) => mutators.push(m),
                    Err(e) => errors.push(
                        l.error(&e.pointer(), format!("{} {}: {e}", l.gvk.kind, object::meta_str(&l.value, "name"))),
                    ),
                }
            } else {
                errors.push(l.error(
                    "/kind",
                    format!(
                        "{} is not a policy object (ConstraintTemplate, Constraint, Assign, AssignMetadata, ModifySet, AssignImage, ExpansionTemplate, Config, Validating/MutatingAdmissionPolicy or their bindings)",
                        object::describe(&l.value)
                    ),
                ));
            }
        }
        set.mutation = MutationSystem::new(mutators);
        // Templates that expand into each other forever: gator refuses them, Gatekeeper disables them; either way a
        // policy folder that holds them has a mistake to fix.
        for (i, path) in expansion::cycles(&set.expansions) {
            let name = &set.expansions[i].name;
            if let Some((_, l)) = expansion_sources.iter().find(|(n, _)| n == name) {
                errors.push(l.error(
                    "/spec/generatedGVK",
                    format!("ExpansionTemplate {name}: template forms expansion cycle ({path})"),
                ));
            }
        }
        set.expansions.sort_by(|a, b| a.name.cmp(&b.name));
        set.objects = std::sync::Arc::new(
            loaded.iter().filter(|l| l.gvk.group != SUITES_GROUP).map(|l| (l.name.clone(), l.value.clone())).collect(),
        );
        // Gatekeeper registers conflicting mutators disabled and reports ErrConflictingSchema; for a policy folder
        // that is a mistake to fix, so it is an error here, at each mutator's location.
        for (id, why) in set.mutation.conflicts() {
            let at = loaded.iter().find(|l| {
                l.gvk.group == MUTATIONS_GROUP && format!("{}/{}", l.gvk.kind, object::meta_str(&l.value, "name")) == id
            });
            match at {
                Some(l) => errors.push(l.error("/spec/location", format!("schema conflict: {why}"))),
                None => set.notes.push(why),
            }
        }
        set.constraints.sort_by(|a, b| (&a.kind, &a.name).cmp(&(&b.kind, &b.name)));
        set.admission_policies.validating.sort_by(|a, b| a.name.cmp(&b.name));
        set.admission_policies.mutating.sort_by(|a, b| a.name.cmp(&b.name));
        set.parameters = set.constraints.iter().map(|c| rego::to_rego(&c.parameters)).collect();
        if errors.is_empty() { Ok(set) } else { Err(errors) }
    }

    /// Notes about the set that are not errors (CEL code skipped).
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// The templates.
    pub fn templates(&self) -> impl Iterator<Item = &ConstraintTemplate> {
        self.templates.iter().map(|t| &t.template)
    }

    /// Judges every template's Rego on regorus' interpreter from now on, as the browser does (natively the
    /// bytecode VM judges those it can): for checking that both give the same verdicts.
    pub fn judge_rego_on_interpreter(&mut self) {
        for t in &mut self.templates {
            if let Some(rego) = &mut t.rego {
                rego.use_interpreter();
            }
        }
    }

    /// The names of the templates whose Rego judges on regorus' interpreter rather than its bytecode VM (see
    /// `rego/vm.rs`): those whose rules may conflict or that call guardrail's extensions; every template in the
    /// browser.
    pub fn templates_on_interpreter(&self) -> Vec<&str> {
        self.templates
            .iter()
            .filter(|t| t.rego.as_ref().is_some_and(|r| !r.on_vm()))
            .map(|t| t.template.name.as_str())
            .collect()
    }

    /// Every policy object loaded, in load order: what [`PolicySet::load_objects`] takes to load the same set
    /// again (gator Suites and empty documents are not among them).
    pub fn objects(&self) -> impl Iterator<Item = PolicyObject<'_>> {
        self.objects.iter().map(|(name, value)| PolicyObject { name, value })
    }

    /// The constraints, sorted by kind then name.
    pub fn constraints(&self) -> &[Constraint] {
        &self.constraints
    }

    /// The mutation system.
    pub fn mutation(&self) -> &MutationSystem {
        &self.mutation
    }

    /// Sets the cluster state: its Namespaces (with their labels) answer `namespaceSelector` and
    /// `namespaceObject` for requests in them, and every object is in `data.inventory`, as gator does with
    /// inventory objects.
    pub fn set_cluster(&mut self, objects: Vec<(String, Value)>) -> Result<(), String> {
        let values: Vec<Value> = objects.iter().map(|(_, v)| v.clone()).collect();
        // A Config's syncOnly decides what reaches data.inventory; without one, everything does (as with gator).
        let synced: Vec<Value> =
            values.iter().filter(|v| self.configs.iter().all(|c| c.syncs(&Gvk::of(v)))).cloned().collect();
        self.set_inventory(&synced)?;
        let namespaces = values
            .iter()
            .filter(|v| Gvk::of(v).kind == "Namespace" && Gvk::of(v).group.is_empty())
            .map(|v| (object::meta_str(v, "name").to_string(), v.clone()))
            .collect();
        self.namespaces = std::sync::Arc::new(namespaces);
        self.cluster_state = std::sync::Arc::new(ClusterState::new(values.iter()));
        self.cluster = std::sync::Arc::new(objects);
        Ok(())
    }

    /// Models the API server in front of Gatekeeper (its decoding, defaulting, built-in plugins, validation and
    /// Pod Security, in the cluster's order), or, with `None`, Gatekeeper alone as gator runs it (the default).
    pub fn set_api_server(&mut self, api_server: Option<ApiServer>) {
        self.api_server = api_server;
    }

    /// What the API server's decoding says of `object` against `schemas` and the CRDs of the cluster state: with
    /// the API server's stages modelled, a missing required field is left to the object's validation after
    /// mutation (a mutator may add it); with Gatekeeper alone, decoding is the only check there is.
    pub fn decode(&self, schemas: &crate::schema::Schemas, object: &Value) -> crate::schema::Check {
        let mut check = schemas.decode(&self.cluster_state.custom, object);
        if check == crate::schema::Check::Unknown {
            // A constraint of a loaded template's kind: the CRD Gatekeeper makes for it.
            let gvk = Gvk::of(object);
            if gvk.group == CONSTRAINTS_GROUP && matches!(gvk.version.as_str(), "v1beta1" | "v1alpha1") {
                if let Some(t) = self.templates.iter().find(|t| t.template.kind == gvk.kind) {
                    check = crate::schema::Check::Checked(crate::schema::check_structural(
                        schemas,
                        &t.constraint_schema,
                        object,
                    ));
                }
            }
        }
        if self.api_server.is_some() { check.before_admission() } else { check }
    }

    /// What the schemas guardrail knows say of a piece of an object (a mapping, or a list of mappings, without
    /// apiVersion and kind): the built-in definitions of `schemas`, the CRDs of the cluster state and the
    /// constraint kinds of the loaded templates. Each definition with every key as a field is a reading (when
    /// none has, those with all but one key, that one a typo of a field); a missing required field is no fault
    /// of a piece.
    pub fn piece(&self, schemas: &crate::schema::Schemas, doc: &Value) -> Piece {
        let items: Vec<&Map<String, Value>> = match doc {
            Value::Object(m) => vec![m],
            Value::Array(list) => match list.iter().map(Value::as_object).collect::<Option<Vec<_>>>() {
                Some(maps) if !maps.is_empty() => maps,
                _ => return Piece::Unknown,
            },
            _ => return Piece::Unknown,
        };
        let mut structural: Vec<crate::schema::StructuralPiece<'_>> = Vec::new();
        for (kind, schema) in self.cluster_state.custom.kinds() {
            structural.extend(crate::schema::structural_pieces(schema, kind));
        }
        for t in &self.templates {
            structural.extend(crate::schema::structural_pieces(&t.constraint_schema, &t.template.kind));
        }
        let fields = |s: &Value| -> Vec<String> {
            s.get("properties").and_then(Value::as_object).map(|p| p.keys().cloned().collect()).unwrap_or_default()
        };
        // The readings of one mapping: built-in definitions by name, structural pieces by index.
        let readings_of = |keys: &[&str], near: bool| -> Vec<Reader> {
            let mut out: Vec<Reader> = if near {
                schemas.definitions_near(keys).into_iter().map(|d| Reader::Definition(d.to_string())).collect()
            } else {
                schemas.definitions_with(keys).into_iter().map(|d| Reader::Definition(d.to_string())).collect()
            };
            for (i, piece) in structural.iter().enumerate() {
                let names = fields(piece.schema);
                let missing: Vec<&&str> = keys.iter().filter(|k| !names.iter().any(|n| n == **k)).collect();
                let fits = match (near, missing.as_slice()) {
                    (false, []) => !keys.is_empty(),
                    (true, [one]) => {
                        keys.len() > 1 && crate::text::one_edit_away(one, names.iter().map(String::as_str)).is_some()
                    }
                    _ => false,
                };
                if fits {
                    out.push(Reader::Structural(i));
                }
            }
            out
        };
        let common = |near: bool| -> Vec<Reader> {
            let mut all: Option<Vec<Reader>> = None;
            for m in &items {
                let keys: Vec<&str> = m.keys().map(String::as_str).collect();
                let these = readings_of(&keys, near);
                all = Some(match all {
                    None => these,
                    Some(prev) => prev.into_iter().filter(|r| these.contains(r)).collect(),
                });
            }
            all.unwrap_or_default()
        };
        let mut readers = common(false);
        if readers.is_empty() {
            readers = common(true);
        }
        if readers.is_empty() {
            return Piece::Unknown;
        }
        let label = |r: &Reader| match r {
            Reader::Definition(d) => d.rsplit('.').next().unwrap_or(d).to_string(),
            Reader::Structural(i) => structural[*i].label.clone(),
        };
        let check_one = |r: &Reader, v: &Value| match r {
            Reader::Definition(d) => schemas.check_definition(d, v),
            // A whole custom resource's fields (`spec`, `metadata`) without its apiVersion and kind.
            Reader::Structural(i) if structural[*i].root => {
                crate::schema::check_structural(schemas, structural[*i].schema, v)
            }
            Reader::Structural(i) => crate::schema::check_piece(structural[*i].schema, v),
        };
        // How many of the piece's fields the reading's schema names (a `spec` of no declared fields, or one that
        // keeps unknown fields, says nothing of what is in it), and how many it has.
        let coverage = |r: &Reader| {
            let one = |v: &Value| match r {
                Reader::Definition(d) => schemas.coverage(d, v),
                Reader::Structural(i) => crate::schema::structural_coverage(structural[*i].schema, v),
            };
            match doc {
                Value::Array(list) => list.iter().map(one).fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1)),
                _ => one(doc),
            }
        };
        // The readings that name the most of it: a constraint kind's `spec` that knows `parameters.label` reads
        // `spec: {parameters: {label: 3}}` better than a kind whose `spec` names nothing.
        let scored: Vec<(Reader, (usize, usize))> = readers
            .into_iter()
            .map(|r| {
                let c = coverage(&r);
                (r, c)
            })
            .collect();
        let best = scored.iter().map(|(_, c)| c.0).max().unwrap_or(0);
        let total = scored.iter().map(|(_, c)| c.1).max().unwrap_or(0);
        let readers: Vec<(Reader, bool)> =
            scored.into_iter().filter(|(_, c)| c.0 == best).map(|(r, c)| (r, c.0 == c.1)).collect();
        let builtin_only = readers.iter().all(|(r, _)| matches!(r, Reader::Definition(_)));
        let mut results: Vec<(String, Vec<crate::schema::SchemaError>, bool)> = Vec::new();
        for (r, covered) in &readers {
            let errors: Vec<crate::schema::SchemaError> = match doc {
                Value::Array(list) => list
                    .iter()
                    .enumerate()
                    .flat_map(|(i, item)| {
                        check_one(r, item).into_iter().map(move |mut e| {
                            e.pointer = format!("/{i}{}", e.pointer);
                            if !e.message.starts_with("strict decoding error") {
                                e.message = if e.path.is_empty() {
                                    format!("[{i}]: {}", e.message)
                                } else {
                                    format!("[{i}].{}", e.message)
                                };
                            }
                            e.path = if e.path.is_empty() { format!("[{i}]") } else { format!("[{i}].{}", e.path) };
                            e
                        })
                    })
                    .collect(),
                _ => check_one(r, doc),
            };
            let errors: Vec<crate::schema::SchemaError> = errors.into_iter().filter(|e| !e.after_admission).collect();
            let covered = errors.is_empty() && *covered;
            results.push((label(r), errors, covered));
        }
        let distinct = |names: Vec<String>| {
            let mut seen = std::collections::BTreeSet::new();
            names.into_iter().filter(|n| seen.insert(n.clone())).collect::<Vec<_>>()
        };
        let names = distinct(results.iter().map(|(l, _, _)| l.clone()).collect());
        let clean = distinct(results.iter().filter(|(_, _, c)| *c).map(|(l, _, _)| l.clone()).collect());
        if !clean.is_empty() {
            return Piece::Decodes(clean);
        }
        if results.iter().any(|(_, e, _)| e.is_empty()) {
            // Some reading takes it, but only where its schema says nothing of the fields.
            let loose = distinct(results.iter().filter(|(_, e, _)| e.is_empty()).map(|(l, _, _)| l.clone()).collect());
            return Piece::Loose(loose);
        }
        // A field every reading refuses, there or at a field above it (one reading's unknown `labels` is another's
        // `labels.app` of the wrong type): the deepest such, as the reading that names it says.
        let at_or_above = |p: &str, q: &str| q == p || (p.starts_with(q) && p[q.len()..].starts_with('/'));
        let best_named = best;
        let mut best: Option<&crate::schema::SchemaError> = None;
        for (_, errors, _) in &results {
            for e in errors {
                let everywhere =
                    results.iter().all(|(_, es, _)| es.iter().any(|x| at_or_above(&e.pointer, &x.pointer)));
                if everywhere && best.is_none_or(|b| e.pointer.len() > b.pointer.len()) {
                    best = Some(e);
                }
            }
        }
        match best {
            // A field no reading has and none is a typo of, in a piece whose fields are mostly of no kind (an Azure
            // Pipelines `resources: {repositories: ...}`): YAML of another tool that shares a key name.
            Some(e) if e.is_foreign((best_named, total)) => Piece::Unknown,
            Some(e) => Piece::Refused(e.clone(), names, builtin_only),
            None => Piece::Differs(names),
        }
    }

    /// The API server modelled in front of Gatekeeper, if any.
    pub fn api_server(&self) -> Option<&ApiServer> {
        self.api_server.as_ref()
    }

    /// The cluster state, in the order it was given.
    pub fn cluster(&self) -> impl Iterator<Item = PolicyObject<'_>> {
        self.cluster.iter().map(|(name, value)| PolicyObject { name, value })
    }

    /// The constraint kinds whose templates read `data.inventory` (objects of the cluster Gatekeeper syncs): their
    /// verdicts depend on what the cluster holds.
    pub fn referential_kinds(&self) -> Vec<&str> {
        self.templates
            .iter()
            .filter(|t| {
                t.template.cel.is_none()
                    && t.template.rego.as_ref().is_some_and(|r| {
                        r.rego.contains("data.inventory") || r.libs.iter().any(|l| l.contains("data.inventory"))
                    })
            })
            .map(|t| t.template.kind.as_str())
            .collect()
    }

    /// Whether the cluster state holds no object (so `data.inventory` is empty).
    pub fn cluster_is_empty(&self) -> bool {
        self.cluster.is_empty()
    }

    /// Sets `data.inventory` from objects (cluster-scoped under `cluster`, namespaced under `namespace`).
    pub fn set_inventory(&mut self, objects: &[Value]) -> Result<(), String> {
        let inventory = build_inventory(objects);
        for t in &mut self.templates {
            if let Some(r) = &mut t.rego {
                r.set_inventory(&inventory)?;
            }
        }
        Ok(())
    }

    /// The ExpansionTemplates, sorted by name.
    pub fn expansions(&self) -> &[ExpansionTemplate] {
        &self.expansions
    }
}

/// Violations in the order Gatekeeper reports them.
pub(crate) fn sort_violations(list: &mut [Violation]) {
    list.sort_by(|a, b| (a.action, &a.message, &a.kind, &a.name).cmp(&(b.action, &b.message, &b.kind, &b.name)));
}

/// Policy objects as loaded documents (empty ones left out).
fn loaded_objects(objects: &[PolicyObject<'_>]) -> Vec<Loaded> {
    objects
        .iter()
        .filter(|o| !o.value.is_null())
        .map(|o| Loaded {
            gvk: Gvk::of(o.value),
            value: o.value.clone(),
            name: o.name.to_string(),
            doc: yaml::Document { index: 0, value: Value::Null, line: 1, source_map: Default::default() },
            at: String::new(),
        })
        .collect()
}

fn rego_error(l: &Loaded, t: &ConstraintTemplate, e: &rego::RegoError) -> PolicyError {
    let pointer = if e.module == "rego" {
        if l.value.pointer("/spec/targets/0/rego").is_some() { "/spec/targets/0/rego" } else { "/spec/targets/0/code" }
    } else {
        "/spec/targets/0/libs"
    };
    let mut err = l.error(pointer, String::new());
    // A block scalar's content starts on the line after its key.
    if let (Some(line), "rego") = (e.line, e.module.as_str()) {
        err.line += line;
        err.column = 1;
    }
    let first = e.message.trim().lines().last().unwrap_or("").trim().to_string();
    let detail = if first.is_empty() { e.message.clone() } else { first };
    err.message = format!(
        "ConstraintTemplate {}: its Rego ({}{}) does not load: {}",
        t.name,
        e.module,
        e.line.map(|l| format!(", line {l}")).unwrap_or_default(),
        detail.trim_start_matches("error: ")
    );
    err
}

/// apiVersion → Kind → name → object.
type ByVersion = BTreeMap<String, BTreeMap<String, Map<String, Value>>>;

fn build_inventory(objects: &[Value]) -> Value {
    let mut cluster: ByVersion = BTreeMap::new();
    let mut namespaced: BTreeMap<String, ByVersion> = BTreeMap::new();
    for o in objects {
        let gvk = Gvk::of(o);
        let name = object::meta_str(o, "name").to_string();
        let ns = object::meta_str(o, "namespace");
        if ns.is_empty() {
            cluster.entry(gvk.api_version()).or_default().entry(gvk.kind.clone()).or_default().insert(name, o.clone());
        } else {
            namespaced
                .entry(ns.to_string())
                .or_default()
                .entry(gvk.api_version())
                .or_default()
                .entry(gvk.kind.clone())
                .or_default()
                .insert(name, o.clone());
        }
    }
    json!({"cluster": cluster, "namespace": namespaced})
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mutation::mutator::Operation;
    use crate::template::EnforcementAction;

    const TEMPLATE: &str = r#"
apiVersion: templates.gatekeeper.sh/v1
kind: ConstraintTemplate
metadata:
  name: k8sdenylabel
spec:
  crd:
    spec:
      names:
        kind: K8sDenyLabel
      validation:
        openAPIV3Schema:
          type: object
          properties:
            label: {type: string, default: forbidden}
  targets:
  - target: admission.k8s.gatekeeper.sh
    rego: |
      package k8sdenylabel
      violation[{"msg": msg}] {
        input.review.object.metadata.labels[input.parameters.label]
        msg := sprintf("label %v is not allowed on %v", [input.parameters.label, input.review.object.metadata.name])
      }
"#;

    fn set(extra: &str) -> PolicySet {
        let text = format!("{TEMPLATE}\n---\n{extra}");
        PolicySet::load(&[PolicyText { name: "p.yaml", text: &text }], &Limits::default()).expect("loads")
    }

    const DENY: &str =
        "apiVersion: constraints.gatekeeper.sh/v1beta1\nkind: K8sDenyLabel\nmetadata:\n  name: no-forbidden\n";

    fn pod(labels: Value) -> Value {
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "labels": labels}, "spec": {"containers": [{"name": "a", "image": "x"}]}})
    }

    #[test]
    fn pieces_are_read_by_every_definition_with_their_fields() {
        let api = crate::schema::schemas(crate::schema::NEWEST).expect("schemas");
        let set = set("");
        let piece = |y: &str| {
            let doc = crate::yaml::load_documents(y, Schema::Kubernetes, &Limits::default()).expect("yaml");
            set.piece(api, &doc[0].value)
        };
        // A webhook's rule decodes as one.
        let Piece::Decodes(names) = piece("operations: [CREATE]\napiGroups: [\"\"]\nresources: [pods]\n") else {
            panic!("a rule decodes")
        };
        assert!(names.contains(&"RuleWithOperations".to_string()), "{names:?}");
        // A misspelt key: the definitions it is one edit from read it, and refuse the field with a did-you-mean.
        let Piece::Refused(e, _, _) = piece("operations: [CREATE]\napiGroup: [\"\"]\n") else { panic!("refused") };
        assert_eq!((e.pointer.as_str(), e.hint.as_deref()), ("/apiGroup", Some("did you mean `apiGroups`?")));
        // `metadata` alone: every kind refuses `lables`, each at that field.
        let Piece::Refused(e, names, _) = piece("metadata:\n  name: x\n  lables: {app: web}\n") else { panic!() };
        assert_eq!((e.pointer.as_str(), e.hint.as_deref()), ("/metadata/lables", Some("did you mean `labels`?")));
        assert!(names.len() > 50, "{}", names.len());
        // `y` is YAML 1.1's true: a Pod refuses the label's value, a List kind the labels; the deepest is said.
        let Piece::Refused(e, _, _) = piece("metadata:\n  labels: {app: y}\n") else { panic!() };
        assert_eq!(e.pointer, "/metadata/labels/app");
        // A loaded template's constraint kind reads a constraint's spec, its match and its parameters.
        assert_eq!(
            piece("match:\n  kinds: [{apiGroups: [\"\"], kinds: [Pod]}]\n  excludedNamespaces: [kube-system]\n"),
            Piece::Decodes(vec!["K8sDenyLabel spec".into()])
        );
        let Piece::Refused(e, names, _) = piece("match:\n  excludeNamespaces: [kube-system]\n") else { panic!() };
        assert_eq!(
            (e.hint.as_deref(), names),
            (Some("did you mean `excludedNamespaces`?"), vec!["K8sDenyLabel spec".into()])
        );
        let Piece::Refused(e, _, _) = piece("spec:\n  parameters:\n    label: 3\n") else { panic!() };
        assert_eq!(e.pointer, "/spec/parameters/label");
        assert_eq!(piece("spec:\n  parameters:\n    label: x\n"), Piece::Decodes(vec!["K8sDenyLabel object".into()]));
        // A list of webhook rules; a list whose items fit nothing; Helm values.
        assert!(matches!(piece("- operations: [CREATE]\n  resources: [pods]\n"), Piece::Decodes(_)));
        let Piece::Refused(e, _, _) = piece("- operations: [CREATE]\n  resources: pods\n") else { panic!() };
        assert_eq!((e.pointer.as_str(), e.path.as_str()), ("/0/resources", "[0].resources"));
        assert_eq!(piece("replicaCount: 2\nimage: {repository: x}\n"), Piece::Unknown);
        // Another tool's YAML under a Kubernetes key name: an unknown field no reading has a near miss for, in a
        // piece whose fields are mostly of no kind.
        assert_eq!(piece("namespaceSelector:\n  include: [a, b]\n  exclude: [c]\n  mode: strict\n"), Piece::Unknown);
        assert_eq!(piece("- 1\n- 2\n"), Piece::Unknown);
        // A `spec` a built-in kind leaves undescribed takes anything: not checked, not passed.
        assert!(
            matches!(piece("spec:\n  crd: {}\n  targets: []\n"), Piece::Loose(_)),
            "{:?}",
            piece("spec:\n  crd: {}\n")
        );
    }

    #[test]
    fn a_constraint_is_decoded_against_the_crd_gatekeeper_makes_for_it() {
        let api = crate::schema::schemas(crate::schema::NEWEST).expect("schemas");
        let set = set("");
        let decode = |y: &str| {
            let doc = crate::yaml::load_documents(y, Schema::Kubernetes, &Limits::default()).expect("yaml");
            match set.decode(api, &doc[0].value) {
                crate::schema::Check::Checked(e) => Some(e.into_iter().map(|e| e.message).collect::<Vec<_>>()),
                _ => None,
            }
        };
        let head = "apiVersion: constraints.gatekeeper.sh/v1beta1\nkind: K8sDenyLabel\nmetadata:\n  name: x\n";
        assert_eq!(decode(&format!("{head}spec:\n  parameters: {{label: team}}\n")), Some(vec![]));
        assert_eq!(
            decode(&format!("{head}spec:\n  match:\n    namespace: [a]\n")),
            Some(vec!["strict decoding error: unknown field \"spec.match.namespace\"".to_string()])
        );
        assert_eq!(
            decode(&format!("{head}spec:\n  parameters: {{labels: team}}\n")),
            Some(vec!["strict decoding error: unknown field \"spec.parameters.labels\"".to_string()])
        );
        // A kind no template loaded has no schema.
        assert_eq!(
            decode("apiVersion: constraints.gatekeeper.sh/v1beta1\nkind: K8sOther\nmetadata: {name: x}\n"),
            None
        );
    }

    #[test]
    fn a_legacy_schema_keeps_unknown_parameters() {
        let t = TEMPLATE.replace("templates.gatekeeper.sh/v1\n", "templates.gatekeeper.sh/v1beta1\n");
        let set = PolicySet::load(&[PolicyText { name: "p.yaml", text: &t }], &Limits::default()).expect("loads");
        let api = crate::schema::schemas(crate::schema::NEWEST).expect("schemas");
        let c = json!({"apiVersion": "constraints.gatekeeper.sh/v1beta1", "kind": "K8sDenyLabel", "metadata": {"name": "x"},
            "spec": {"parameters": {"label": "a", "extra": {"deep": 1}}, "match": {"namespace": ["a"]}}});
        let crate::schema::Check::Checked(errors) = set.decode(api, &c) else { panic!("checked") };
        // The parameters keep what the schema does not name; `match` is Gatekeeper's and stays strict.
        let fields: Vec<&str> = errors.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(fields, ["spec.match.namespace"]);
    }

    #[test]
    fn objects_load_as_their_yaml_does() {
        let text = format!("{TEMPLATE}\n---\n{DENY}");
        let docs = yaml::load_documents(&text, Schema::Kubernetes, &Limits::default()).unwrap();
        let objects: Vec<PolicyObject<'_>> =
            docs.iter().map(|d| PolicyObject { name: "p.yaml", value: &d.value }).collect();
        let mut from_objects = PolicySet::load_objects(&objects, &Limits::default()).unwrap();
        let mut from_text = set(DENY);
        assert_eq!(from_objects.constraints(), from_text.constraints());
        for labels in [json!({"forbidden": "1"}), json!({"ok": "1"})] {
            let a = from_objects.admit(&pod(labels.clone()), &Request::default()).unwrap();
            assert_eq!(a, from_text.admit(&pod(labels), &Request::default()).unwrap());
        }
        // A bad object is still an error, named by its text (without a position: there is no text to point into).
        let bad = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "x"}});
        let errs =
            PolicySet::load_objects(&[PolicyObject { name: "b.yaml", value: &bad }], &Limits::default()).unwrap_err();
        assert_eq!((errs[0].name.as_str(), errs[0].line), ("b.yaml", 1));
    }

    #[test]
    fn deferred_templates_compile_when_a_constraint_first_needs_them() {
        let load = |template: &str, constraint: &str| {
            let text = format!("{template}\n---\n{constraint}");
            let docs = yaml::load_documents(&text, Schema::Kubernetes, &Limits::default()).unwrap();
            let objects: Vec<PolicyObject<'_>> =
                docs.iter().map(|d| PolicyObject { name: "p.yaml", value: &d.value }).collect();
            PolicySet::load_objects_deferred(&objects, &Limits::default()).expect("loads")
        };
        let compiled = |set: &PolicySet| set.templates[0].rego.as_ref().is_some_and(CompiledRego::is_compiled);
        let services = DENY_PODS.replace("[Pod]", "[Service]");
        let mut deferred = load(TEMPLATE, &services);
        assert!(!compiled(&deferred));
        // A Pod matches no constraint of the template: it stays as it was loaded.
        let a = deferred.admit(&pod(json!({"forbidden": "1"})), &Request::default()).unwrap();
        assert!(a.verdict == Verdict::Admitted && !compiled(&deferred));
        // A Service does: compiled then, with the verdict of a set compiled at load.
        let service =
            json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s", "labels": {"forbidden": "1"}}});
        let got = deferred.admit(&service, &Request::default()).unwrap();
        assert!(compiled(&deferred));
        let mut eager = set(&services);
        assert_eq!(got, eager.admit(&service, &Request::default()).unwrap());
        assert_eq!(got.verdict, Verdict::Rejected);
        // Rego that fails to compile after all is every matching constraint's violation, not a crash.
        let broken = TEMPLATE.replace("msg := sprintf(", "msg := sprintf((");
        let mut bad = load(&broken, DENY_PODS);
        let a = bad.admit(&pod(json!({})), &Request::default()).unwrap();
        assert_eq!(a.verdict, Verdict::Rejected, "{a:?}");
        assert!(a.violations.iter().any(|v| v.kind == "K8sDenyLabel" && !v.message.is_empty()), "{a:?}");
    }

    const DENY_PODS: &str = "apiVersion: constraints.gatekeeper.sh/v1beta1\nkind: K8sDenyLabel\nmetadata:\n  name: no-forbidden\nspec:\n  match:\n    kinds:\n    - apiGroups: [\"\"]\n      kinds: [Pod]\n";

    const EXPAND: &str = "apiVersion: expansion.gatekeeper.sh/v1beta1\nkind: ExpansionTemplate\nmetadata:\n  name: expand-deployments\nspec:\n  applyTo:\n  - groups: [apps]\n    kinds: [Deployment]\n    versions: [v1]\n  templateSource: spec.template\n  generatedGVK:\n    kind: Pod\n    group: \"\"\n    version: v1\n";

    fn deployment(labels: Value) -> Value {
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": {
            "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": labels}, "spec": {"containers": [{"name": "a", "image": "x"}]}}}})
    }

    #[test]
    fn a_deployment_is_admitted_while_the_pods_its_replicaset_creates_are_not() {
        let mut s = set(DENY_PODS);
        let d = s.admit(&deployment(json!({"forbidden": "1"})), &Request::default()).unwrap();
        assert_eq!(d.verdict, Verdict::Admitted, "no constraint matches Deployments");
        let rs = &d.children[0];
        assert_eq!(rs.origin, Origin::Created { controller: "deployment-controller".into() });
        assert_eq!(
            (Gvk::of(&rs.decision.object).kind.as_str(), rs.decision.verdict),
            ("ReplicaSet", Verdict::Admitted)
        );
        assert_eq!(object::meta_str(&rs.decision.object, "namespace"), "default", "in the request's namespace");
        let pod = &rs.decision.children[0];
        assert_eq!(pod.origin, Origin::Created { controller: "replicaset-controller".into() });
        assert_eq!(pod.decision.verdict, Verdict::Rejected);
        let name = object::meta_str(&pod.decision.object, "name");
        assert_eq!(pod.decision.denial().unwrap(), format!("[no-forbidden] label forbidden is not allowed on {name}"));
        assert_eq!(
            pod.event().unwrap(),
            format!(
                "Error creating: admission webhook \"validation.gatekeeper.sh\" denied the request: [no-forbidden] label forbidden is not allowed on {name}"
            )
        );
        assert_eq!(d.rejected_child(), Some(pod));
        assert!(d.violations.is_empty(), "a created object's violations are its own, not the workload's");
        let ok = s.admit(&deployment(json!({"app": "web"})), &Request::default()).unwrap();
        assert!(ok.rejected_child().is_none());
        assert_eq!(ok.children[0].decision.children.len(), 1, "the Pod was judged too");
    }

    #[test]
    fn a_rejected_workload_creates_nothing() {
        let all =
            "apiVersion: constraints.gatekeeper.sh/v1beta1\nkind: K8sDenyLabel\nmetadata:\n  name: no-forbidden\n";
        let mut s = set(all);
        let mut d = deployment(json!({}));
        d["metadata"]["labels"] = json!({"forbidden": "1"});
        let d = s.admit(&d, &Request::default()).unwrap();
        assert_eq!(d.verdict, Verdict::Rejected);
        assert!(d.children.is_empty());
    }

    #[test]
    fn expansion_templates_imply_violations_on_the_parent() {
        let mut s = set(&format!("{DENY_PODS}---\n{EXPAND}"));
        let d = s.admit(&deployment(json!({"forbidden": "1"})), &Request::default()).unwrap();
        assert_eq!(d.verdict, Verdict::Rejected);
        assert_eq!(
            d.denial().unwrap(),
            "[no-forbidden] [Implied by expand-deployments] label forbidden is not allowed on web-pod"
        );
        assert_eq!(d.children.len(), 1, "the resultant, and no controller-created objects");
        assert_eq!(d.children[0].origin, Origin::Expanded { template: "expand-deployments".into() });
        assert_eq!(d.children[0].decision.object["metadata"]["namespace"], "default");
        assert!(d.children[0].event().is_none());
        // The template's action overrides the constraint's.
        let mut s = set(&format!("{DENY_PODS}---\n{EXPAND}  enforcementAction: warn\n"));
        let d = s.admit(&deployment(json!({"forbidden": "1"})), &Request::default()).unwrap();
        assert_eq!(d.verdict, Verdict::Admitted);
        assert_eq!(
            d.warnings,
            ["[no-forbidden] [Implied by expand-deployments] label forbidden is not allowed on web-pod"]
        );
        assert_eq!(d.children[0].decision.violations[0].action, EnforcementAction::Warn);
    }

    #[test]
    fn expansion_recurses_through_generated_kinds() {
        let jobs = EXPAND
            .replace("expand-deployments", "expand-jobs")
            .replace("groups: [apps]", "groups: [batch]")
            .replace("kinds: [Deployment]", "kinds: [Job]");
        let cronjobs = "apiVersion: expansion.gatekeeper.sh/v1beta1\nkind: ExpansionTemplate\nmetadata:\n  name: expand-cronjobs\nspec:\n  applyTo:\n  - groups: [batch]\n    kinds: [CronJob]\n    versions: [v1]\n  templateSource: spec.jobTemplate\n  generatedGVK: {group: batch, version: v1, kind: Job}\n";
        let mut s = set(&format!("{DENY_PODS}---\n{jobs}---\n{cronjobs}"));
        let cron = json!({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "nightly"}, "spec": {
            "jobTemplate": {"spec": {"template": {"metadata": {"labels": {"forbidden": "1"}}, "spec": {}}}}}});
        let d = s.admit(&cron, &Request::default()).unwrap();
        assert_eq!(
            d.denial().unwrap(),
            "[no-forbidden] [Implied by expand-jobs] label forbidden is not allowed on nightly-job-pod"
        );
        let job = &d.children[0];
        assert_eq!(job.decision.object["metadata"]["ownerReferences"][0]["kind"], "CronJob");
        assert_eq!(job.decision.children[0].decision.object["metadata"]["ownerReferences"][0]["name"], "nightly-job");
    }

    #[test]
    fn match_source_selects_original_or_generated_objects() {
        let only = |source: &str| {
            format!("{}---\n{EXPAND}", DENY_PODS.replace("  match:\n", &format!("  match:\n    source: {source}\n")))
        };
        let bare = pod(json!({"forbidden": "1"}));
        let mut generated = set(&only("Generated"));
        assert_eq!(generated.admit(&bare, &Request::default()).unwrap().verdict, Verdict::Admitted);
        assert_eq!(
            generated.admit(&deployment(json!({"forbidden": "1"})), &Request::default()).unwrap().verdict,
            Verdict::Rejected
        );
        let mut original = set(&only("Original"));
        assert_eq!(original.admit(&bare, &Request::default()).unwrap().verdict, Verdict::Rejected);
        assert_eq!(
            original.admit(&deployment(json!({"forbidden": "1"})), &Request::default()).unwrap().verdict,
            Verdict::Admitted
        );
        // A mutator for generated objects only: what a sidecar injector or a controller adds to the Pods it makes.
        let inject = "apiVersion: mutations.gatekeeper.sh/v1\nkind: AssignMetadata\nmetadata:\n  name: tag\nspec:\n  match:\n    source: Generated\n  location: metadata.labels.forbidden\n  parameters:\n    assign:\n      value: injected\n";
        let mut s = set(&format!("{DENY_PODS}---\n{EXPAND}---\n{inject}"));
        let plain = pod(json!({"ok": "1"}));
        let d = s.admit(&plain, &Request::default()).unwrap();
        assert!(!d.mutated() && d.verdict == Verdict::Admitted, "a real Pod is not touched");
        let d = s.admit(&deployment(json!({"ok": "1"})), &Request::default()).unwrap();
        assert!(!d.mutated());
        assert_eq!(d.children[0].decision.mutators, ["AssignMetadata/tag"]);
        assert_eq!(d.verdict, Verdict::Rejected, "the resultant, as mutated, breaks the rule");
    }

    /// Every mutator kind honours `match.source`: a `Generated` one changes only resultants, an `Original` one
    /// only real requests.
    #[test]
    fn every_mutator_kind_honours_match_source() {
        let pods = "applyTo: [{groups: [''], versions: [v1], kinds: [Pod]}]";
        let mutators = [
            ("Assign", format!("{pods}\n  location: spec.priorityClassName\n  parameters: {{assign: {{value: low}}}}")),
            ("AssignMetadata", "location: metadata.annotations.team\n  parameters: {assign: {value: a}}".to_string()),
            (
                "ModifySet",
                format!(
                    "{pods}\n  location: spec.containers[name:a].args\n  parameters: {{values: {{fromList: [--quiet]}}}}"
                ),
            ),
            (
                "AssignImage",
                format!(
                    "{pods}\n  location: spec.containers[name:a].image\n  parameters: {{assignDomain: registry.example.com}}"
                ),
            ),
        ];
        for (kind, spec) in mutators {
            for source in ["Generated", "Original"] {
                let version = if kind == "AssignImage" { "v1alpha1" } else { "v1" };
                let m = format!(
                    "apiVersion: mutations.gatekeeper.sh/{version}\nkind: {kind}\nmetadata: {{name: m}}\nspec:\n  match:\n    source: {source}\n  {spec}\n"
                );
                let mut s = set(&format!("{EXPAND}---\n{m}"));
                let bare = s.admit(&pod(json!({})), &Request::default()).unwrap();
                let deploy = s.admit(&deployment(json!({})), &Request::default()).unwrap();
                let resultant = &deploy.children[0].decision;
                assert_eq!(bare.mutators.len(), usize::from(source == "Original"), "{kind} {source} on a Pod");
                assert_eq!(
                    resultant.mutators.len(),
                    usize::from(source == "Generated"),
                    "{kind} {source} on a resultant"
                );
            }
        }
    }

    #[test]
    fn expansion_errors_name_the_template() {
        let a = "apiVersion: expansion.gatekeeper.sh/v1alpha1\nkind: ExpansionTemplate\nmetadata:\n  name: a\nspec:\n  applyTo:\n  - {groups: [x], kinds: [A], versions: [v1]}\n  templateSource: spec.t\n  generatedGVK: {group: x, version: v1, kind: B}\n";
        let b = a.replace("name: a", "name: b").replace("kinds: [A]", "kinds: [B]").replace("kind: B}", "kind: A}");
        let text = format!("{a}---\n{b}");
        let errs = PolicySet::load(&[PolicyText { name: "e.yaml", text: &text }], &Limits::default()).unwrap_err();
        let messages: Vec<String> = errs.iter().map(ToString::to_string).collect();
        assert_eq!(
            messages,
            [
                "e.yaml:9:17: ExpansionTemplate a: template forms expansion cycle (a -> b -> a)",
                "e.yaml:19:17: ExpansionTemplate b: template forms expansion cycle (b -> a -> b)",
            ]
        );
        let mut s = set(&format!("{DENY_PODS}---\n{EXPAND}"));
        let mut d = deployment(json!({}));
        d["spec"].as_object_mut().unwrap().remove("template");
        let err = s.admit(&d, &Request::default()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "ExpansionTemplate expand-deployments: could not find source field \"spec.template\" in resource web"
        );
    }

    #[test]
    fn sources_hold_lists_dumps_and_things_that_are_not_policies() {
        let indented: String = TEMPLATE.trim_start().lines().map(|l| format!("  {l}\n")).collect();
        let dump = format!(
            "apiVersion: v1\nkind: List\nitems:\n- {}\n- apiVersion: constraints.gatekeeper.sh/v1beta1\n  kind: K8sDenyLabel\n  metadata:\n    name: no-forbidden\n    uid: 1234\n    resourceVersion: \"99\"\n    managedFields: [{{manager: kubectl}}]\n  status: {{totalViolations: 3}}\n",
            indented.trim_start()
        );
        let other = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [template.yaml]\n---\nreplicaCount: 2\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels: {team: a}\n---\napiVersion: test.gatekeeper.sh/v1alpha1\nkind: Suite\nmetadata:\n  name: s\n";
        // kustomization.yaml as most repositories write it: no apiVersion, no kind.
        let bare = "resources:\n- template.yaml\n";
        let texts = [
            PolicyText { name: "live.yaml", text: &dump },
            PolicyText { name: "repo.yaml", text: other },
            PolicyText { name: "lib/privileged/kustomization.yaml", text: bare },
        ];
        let (mut set, sources) = PolicySet::load_sources(&texts, &Limits::default()).unwrap();
        assert_eq!(set.constraints().len(), 1);
        assert_eq!(sources.skipped_summary(), "2 Kustomization, 1 Suite, 1 not Kubernetes objects");
        assert_eq!(sources.cluster.len(), 1);
        assert_eq!(sources.cluster[0].1["kind"], "Namespace");
        let loaded = set.objects().find(|o| o.value["kind"] == "K8sDenyLabel").unwrap();
        assert!(loaded.value.get("status").is_none() && loaded.value["metadata"].get("uid").is_none());
        let d = set.admit(&pod(json!({"forbidden": "1"})), &Request::default()).unwrap();
        assert_eq!(d.verdict, Verdict::Rejected);
        // An error inside a List item points at the item's own line.
        let bad = dump.replace("kind: K8sDenyLabel\n  metadata:", "kind: K8sNoSuchKind\n  metadata:");
        let errs =
            PolicySet::load_sources(&[PolicyText { name: "live.yaml", text: &bad }], &Limits::default()).unwrap_err();
        let line = bad.lines().position(|l| l.contains("K8sNoSuchKind")).unwrap() + 1;
        assert_eq!(
            (errs[0].line, errs[0].message.contains("no ConstraintTemplate defines kind K8sNoSuchKind")),
            (line, true),
            "{errs:?}"
        );
    }

    #[test]
    fn cluster_state_answers_namespace_selectors() {
        let selected =
            DENY_PODS.replace("  match:\n", "  match:\n    namespaceSelector:\n      matchLabels: {team: shop}\n");
        let mut s = set(&selected);
        let forbidden = pod(json!({"forbidden": "1"}));
        let in_ns = |ns: &str| Request { namespace: Some(ns.to_string()), ..Request::default() };
        // Without cluster state, a namespaceSelector cannot be answered: Gatekeeper's error, as a violation.
        let d = s.admit(&forbidden, &in_ns("shop")).unwrap();
        assert!(d.violations[0].message.contains("unable to match constraints"), "{:?}", d.violations);
        let ns = |name: &str, team: &str| {
            (
                "cluster.yaml".to_string(),
                json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": {"team": team}}}),
            )
        };
        s.set_cluster(vec![ns("shop", "shop"), ns("tools", "platform")]).unwrap();
        assert_eq!(s.admit(&forbidden, &in_ns("shop")).unwrap().verdict, Verdict::Rejected);
        assert_eq!(s.admit(&forbidden, &in_ns("tools")).unwrap().verdict, Verdict::Admitted);
        assert_eq!(s.cluster().count(), 2);
        // The Namespace is the review's namespaceObject too, and the objects are in data.inventory.
        assert_eq!(s.clone().admit(&forbidden, &in_ns("tools")).unwrap().verdict, Verdict::Admitted, "clones keep it");
    }

    #[test]
    fn exempt_namespaces_skip_mutation_validation_or_both() {
        let config = "apiVersion: config.gatekeeper.sh/v1alpha1\nkind: Config\nmetadata:\n  name: config\n  namespace: gatekeeper-system\nspec:\n  match:\n  - excludedNamespaces: [kube-system]\n    processes: ['*']\n  - excludedNamespaces: ['*-platform']\n    processes: [webhook]\n  sync:\n    syncOnly:\n    - {group: '', version: v1, kind: Namespace}\n";
        let mutator = "apiVersion: mutations.gatekeeper.sh/v1\nkind: AssignMetadata\nmetadata:\n  name: tag\nspec:\n  location: metadata.labels.forbidden\n  parameters:\n    assign:\n      value: yes-really\n";
        let mut s = set(&format!("{DENY}---\n{config}---\n{mutator}"));
        let req = |ns: &str| Request { namespace: Some(ns.to_string()), ..Request::default() };
        let ok = pod(json!({}));
        let d = s.admit(&ok, &req("kube-system")).unwrap();
        assert_eq!((d.verdict, d.mutated()), (Verdict::Admitted, false));
        assert_eq!(
            d.exempt.as_deref(),
            Some(
                "namespace kube-system is exempt from mutation and validation (Config config: excludedNamespaces `kube-system` for processes *)"
            )
        );
        // Exempt from validation only: mutated, then not judged.
        let d = s.admit(&ok, &req("team-platform")).unwrap();
        assert_eq!((d.verdict, d.mutated()), (Verdict::Admitted, true));
        assert_eq!(
            d.exempt.as_deref(),
            Some(
                "namespace team-platform is exempt from validation (Config config: excludedNamespaces `*-platform` for processes webhook)"
            )
        );
        assert_eq!(s.admit(&ok, &req("shop")).unwrap().verdict, Verdict::Rejected, "judged elsewhere");
        // The webhook's own exempt namespaces.
        s.set_exempt_namespaces(&["shop".into()]).unwrap();
        assert!(
            s.admit(&ok, &req("shop")).unwrap().exempt.unwrap().contains("the webhook's exempt namespaces (`shop`)")
        );
        assert!(s.set_exempt_namespaces(&["a*b".into()]).is_err());
        // syncOnly: only Namespaces reach the inventory.
        let cm = (
            "c.yaml".to_string(),
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x", "namespace": "shop"}}),
        );
        assert!(s.set_cluster(vec![cm]).is_ok());
    }

    /// A template whose only code is CEL is judged by it: a Pod its validation fails is refused with the
    /// CEL message, an object its constraint does not match is not judged.
    #[test]
    fn cel_only_templates_judge_with_their_cel() {
        let cel = "apiVersion: templates.gatekeeper.sh/v1\nkind: ConstraintTemplate\nmetadata:\n  name: k8scelonly\nspec:\n  crd:\n    spec:\n      names:\n        kind: K8sCelOnly\n  targets:\n  - target: admission.k8s.gatekeeper.sh\n    code:\n    - engine: K8sNativeValidation\n      source:\n        variables:\n        - name: team\n          expression: \"has(variables.anyObject.metadata.labels) && 'team' in variables.anyObject.metadata.labels\"\n        validations:\n        - expression: variables.team\n          messageExpression: \"'pod ' + object.metadata.name + ' has no team label'\"\n---\napiVersion: constraints.gatekeeper.sh/v1beta1\nkind: K8sCelOnly\nmetadata:\n  name: cel-pods\nspec:\n  match:\n    kinds:\n    - apiGroups: [\"\"]\n      kinds: [Pod]\n";
        let mut s = set(cel);
        let d = s.admit(&pod(json!({})), &Request::default()).unwrap();
        assert!(d.unchecked.is_empty());
        assert_eq!(d.violations.len(), 1, "{:?}", d.violations);
        assert_eq!(d.violations[0].message, "pod web has no team label");
        assert_eq!(d.verdict, Verdict::Rejected);
        let d = s.admit(&pod(json!({"team": "a"})), &Request::default()).unwrap();
        assert!(d.violations.is_empty() && d.verdict == Verdict::Admitted, "{:?}", d.violations);
        let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}});
        let d = s.admit(&cm, &Request::default()).unwrap();
        assert!(d.violations.is_empty() && d.warnings.is_empty(), "{:?}", d.warnings);
    }

    #[test]
    fn deny_rejects_with_the_constraint_name() {
        let mut s = set(DENY);
        let d = s.admit(&pod(json!({"forbidden": "1"})), &Request::default()).unwrap();
        assert_eq!(d.verdict, Verdict::Rejected);
        assert_eq!(d.denial().unwrap(), "[no-forbidden] label forbidden is not allowed on web");
        let d = s.admit(&pod(json!({"ok": "1"})), &Request::default()).unwrap();
        assert_eq!(d.verdict, Verdict::Admitted);
        assert!(d.violations.is_empty());
    }

    #[test]
    fn warn_admits_with_a_warning_and_dryrun_only_reports() {
        let mut s = set(&format!("{DENY}spec:\n  enforcementAction: warn\n"));
        let d = s.admit(&pod(json!({"forbidden": "1"})), &Request::default()).unwrap();
        assert_eq!(d.verdict, Verdict::Admitted);
        assert_eq!(d.warnings, ["[no-forbidden] label forbidden is not allowed on web"]);
        let mut s = set(&format!("{DENY}spec:\n  enforcementAction: dryrun\n"));
        let d = s.admit(&pod(json!({"forbidden": "1"})), &Request::default()).unwrap();
        assert_eq!(d.verdict, Verdict::Admitted);
        assert!(d.warnings.is_empty());
        assert_eq!(d.violations.len(), 1);
    }

    #[test]
    fn mutation_runs_before_validation_and_yields_a_patch() {
        let mutator = "apiVersion: mutations.gatekeeper.sh/v1\nkind: AssignMetadata\nmetadata:\n  name: tag\nspec:\n  location: metadata.labels.forbidden\n  parameters:\n    assign:\n      value: yes-really\n";
        let mut s = set(&format!("{DENY}---\n{mutator}"));
        let original = pod(json!({"ok": "1"}));
        let d = s.admit(&original, &Request::default()).unwrap();
        assert_eq!(d.verdict, Verdict::Rejected, "validation sees the mutated object");
        assert_eq!(d.mutators, ["AssignMetadata/tag"]);
        assert_eq!(d.patch, [json!({"op": "add", "path": "/metadata/labels/forbidden", "value": "yes-really"})]);
        // The request namespace was put in for matching, and taken out of the result again.
        assert!(d.object["metadata"].get("namespace").is_none());
    }

    #[test]
    fn the_review_is_shaped_like_an_admission_request() {
        let req = Request { namespace: Some("team".into()), ..Request::default() };
        let r = req.review(&pod(json!({})));
        assert_eq!(r["operation"], "CREATE");
        assert_eq!(r["namespace"], "team");
        assert_eq!(r["name"], "web");
        assert_eq!(r["kind"], json!({"group": "", "version": "v1", "kind": "Pod"}));
        assert_eq!(r["oldObject"], Value::Null);
        assert_eq!(r["namespaceObject"], json!({}));
        assert_eq!(rego::from_rego(&req.review_rego(&pod(json!({})))), r);
        let cluster = Request { namespace: None, operation: Operation::Unspecified, ..Request::default() };
        let r = cluster.review(&json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "x"}}));
        assert!(r.get("namespace").is_none());
        assert_eq!(r["operation"], "");
    }

    #[test]
    fn load_errors_name_file_line_and_object() {
        let errs = PolicySet::load(
            &[PolicyText {
                name: "c.yaml",
                text: "apiVersion: constraints.gatekeeper.sh/v1beta1\nkind: K8sMissing\nmetadata:\n  name: x\n",
            }],
            &Limits::default(),
        )
        .unwrap_err();
        assert_eq!(
            errs[0].to_string(),
            "c.yaml:2:7: Constraint K8sMissing x: no ConstraintTemplate defines kind K8sMissing"
        );
        let bad_rego = TEMPLATE.replace("msg := sprintf", "msg := := sprintf");
        let errs = PolicySet::load(&[PolicyText { name: "t.yaml", text: &bad_rego }], &Limits::default()).unwrap_err();
        assert_eq!(errs[0].line, 23, "{}", errs[0]);
        assert!(
            errs[0].message.starts_with("ConstraintTemplate k8sdenylabel: its Rego (rego, line 4) does not load"),
            "{}",
            errs[0]
        );
        let errs = PolicySet::load(
            &[PolicyText { name: "x.yaml", text: "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n" }],
            &Limits::default(),
        )
        .unwrap_err();
        assert!(errs[0].message.contains("is not a policy object (ConstraintTemplate"));
        let errs = PolicySet::load(&[PolicyText { name: "y.yaml", text: "a: [1\n" }], &Limits::default()).unwrap_err();
        assert!(errs[0].message.starts_with("invalid YAML"));
        let fight = "apiVersion: mutations.gatekeeper.sh/v1\nkind: Assign\nmetadata: {name: as-list}\nspec:\n  applyTo: [{groups: [''], versions: [v1], kinds: [Pod]}]\n  location: spec.l[name:*].n\n  parameters: {assign: {value: 1}}\n---\napiVersion: mutations.gatekeeper.sh/v1\nkind: ModifySet\nmetadata: {name: as-set}\nspec:\n  applyTo: [{groups: [''], versions: [v1], kinds: [Pod]}]\n  location: spec.l\n  parameters: {values: {fromList: [{name: x}]}}\n";
        let errs = PolicySet::load(&[PolicyText { name: "m.yaml", text: fight }], &Limits::default()).unwrap_err();
        assert_eq!(errs.len(), 2);
        assert_eq!((errs[0].line, errs[1].line), (6, 14));
        assert!(
            errs[0].message.starts_with(
                "schema conflict: Assign/as-list: its location `spec.l[name:*].n` conflicts with ModifySet/as-set"
            ),
            "{}",
            errs[0]
        );
    }

    #[test]
    fn an_evaluation_error_becomes_a_violation() {
        let tpl = TEMPLATE.replace(
            "violation[{\"msg\": msg}] {",
            "f(v) = 1 { v }\n      f(v) = 2 { v }\n      violation[{\"msg\": msg}] {\n        f(count(input.review.object.metadata.name) > 0) == 1",
        );
        let text = format!("{tpl}\n---\n{DENY}");
        let mut s = PolicySet::load(&[PolicyText { name: "p.yaml", text: &text }], &Limits::default()).unwrap();
        let d = s.admit(&pod(json!({"forbidden": "1"})), &Request::default()).unwrap();
        assert_eq!(d.verdict, Verdict::Rejected);
        assert_eq!(d.violations.len(), 1);
        assert_eq!(d.violations[0].name, "no-forbidden");
    }

    #[test]
    fn inventory_objects_are_visible() {
        let tpl = r#"
apiVersion: templates.gatekeeper.sh/v1
kind: ConstraintTemplate
metadata: {name: k8suniquename}
spec:
  crd: {spec: {names: {kind: K8sUniqueName}}}
  targets:
  - target: admission.k8s.gatekeeper.sh
    rego: |
      package k8suniquename
      violation[{"msg": "taken"}] {
        data.inventory.namespace[_]["v1"]["Pod"][input.review.object.metadata.name]
      }
---
apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sUniqueName
metadata: {name: unique}
"#;
        let mut s = PolicySet::load(&[PolicyText { name: "p.yaml", text: tpl }], &Limits::default()).unwrap();
        assert_eq!(s.admit(&pod(json!({})), &Request::default()).unwrap().verdict, Verdict::Admitted);
        s.set_inventory(&[
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "namespace": "other"}}),
        ])
        .unwrap();
        assert_eq!(s.admit(&pod(json!({})), &Request::default()).unwrap().verdict, Verdict::Rejected);
        // Cluster state reaches the inventory too, unless a Config's syncOnly leaves its kind out.
        let taken = (
            "c.yaml".to_string(),
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "namespace": "other"}}),
        );
        let mut fresh = PolicySet::load(&[PolicyText { name: "p.yaml", text: tpl }], &Limits::default()).unwrap();
        fresh.set_cluster(vec![taken.clone()]).unwrap();
        assert_eq!(fresh.admit(&pod(json!({})), &Request::default()).unwrap().verdict, Verdict::Rejected);
        let synced = format!(
            "{tpl}---\napiVersion: config.gatekeeper.sh/v1alpha1\nkind: Config\nmetadata: {{name: config}}\nspec:\n  sync:\n    syncOnly: [{{group: '', version: v1, kind: Namespace}}]\n"
        );
        let mut only_ns = PolicySet::load(&[PolicyText { name: "p.yaml", text: &synced }], &Limits::default()).unwrap();
        only_ns.set_cluster(vec![taken]).unwrap();
        assert_eq!(only_ns.admit(&pod(json!({})), &Request::default()).unwrap().verdict, Verdict::Admitted);
    }
}
