//! The playground's engine: a policy bundle (the YAML files a site build used) loaded once, then YAML text admitted
//! as the reader types. Plain Rust with JSON in and out, so it is tested natively; `wasm` exposes it to JavaScript.
//!
//! What it may not do: I/O, or judge differently from the docs check. It sees only the bundle and the text it is
//! given, and every verdict comes from the engine's `fragment` and `policy` modules, as the site's do.

use guardrail_engine::fragment::{self, AfterLine, Wrap};
use guardrail_engine::limits::Limits;
use guardrail_engine::mutation::mutator::Operation;
use guardrail_engine::policy::{Child, PolicyObject, PolicySet, Verdict};
use guardrail_engine::schema::Check;
use guardrail_engine::template::{EnforcementAction, EnforcementPoint};
use guardrail_engine::yaml::{self, Schema};
use serde::{Deserialize, Serialize};

#[cfg(target_arch = "wasm32")]
mod wasm;

mod authors;
pub use authors::{PoliciesOutcome, PolicyDoc, PolicyProblem, RequestIn, SiteDoc, SuiteFile, review_response};

/// The policy set of a build, as `guardrail build` ships it: every policy object of its policy files, read from
/// YAML by the build (the browser then parses JSON, which is cheaper than YAML, and only once).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Bundle {
    /// A content hash of the objects: the policy set's version shown to readers.
    pub version: String,
    /// Every policy object, in the order the build loaded them.
    pub policies: Vec<BundleObject>,
    /// The cluster state the build judged with (Namespaces, ...); absent when there is none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cluster: Vec<BundleObject>,
    /// The namespaces the webhook leaves alone; absent when there are none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exempt_namespaces: Vec<String>,
    /// The Kubernetes version whose API decodes what the reader types first (`[examples] kubernetes-version`);
    /// absent: the newest shipped.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub kubernetes_version: String,
    /// The API server the build modelled in front of Gatekeeper (its plugins, Pod Security's defaults); absent:
    /// a default kube-apiserver.
    #[serde(default)]
    pub admission: guardrail_engine::admission::Settings,
}

/// One policy object and the file it came from.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct BundleObject {
    /// Its file below the site root (`policies/psp/privileged.yaml`).
    pub file: String,
    /// The object.
    pub object: serde_json::Value,
}

impl Bundle {
    /// The policy objects of a loaded set, as the build ships them. (Native only: the build makes bundles, the
    /// browser reads them.)
    #[cfg(not(target_arch = "wasm32"))]
    pub fn from_set(set: &PolicySet, kubernetes_version: &str) -> Bundle {
        let mut b = Bundle::new(
            set.objects().map(|o| BundleObject { file: o.name.to_string(), object: o.value.clone() }).collect(),
        );
        b.cluster = set.cluster().map(|o| BundleObject { file: o.name.to_string(), object: o.value.clone() }).collect();
        b.exempt_namespaces = set.exempt_namespaces();
        b.admission = set.api_server().map_or_else(
            || guardrail_engine::admission::Settings { api_server: false, ..Default::default() },
            guardrail_engine::admission::ApiServer::settings,
        );
        let custom_admission = b.admission != guardrail_engine::admission::Settings::default();
        if !b.cluster.is_empty() || !b.exempt_namespaces.is_empty() || custom_admission {
            // The version names the cluster state too: the same policies judge differently with other Namespaces.
            let mut all = b.policies.clone();
            all.extend(b.cluster.iter().cloned());
            all.extend(
                b.exempt_namespaces
                    .iter()
                    .map(|n| BundleObject { file: "exempt-namespaces".into(), object: n.clone().into() }),
            );
            // So do the API server's settings, when they are not a default kube-apiserver's.
            if custom_admission {
                all.push(BundleObject {
                    file: "admission".into(),
                    object: serde_json::to_value(&b.admission).unwrap_or_default(),
                });
            }
            b.version = Bundle::new(all).version;
        }
        b.kubernetes_version = kubernetes_version.to_string();
        b
    }

    /// Bundles `policies`, naming the version by their content: the first 64 bits of the SHA-256 of every
    /// object's file and JSON, each followed by a NUL (SHA-256 is also what names the site's assets).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn new(policies: Vec<BundleObject>) -> Bundle {
        use sha2::Digest;
        let mut hasher = sha2::Sha256::new();
        for p in &policies {
            hasher.update(p.file.as_bytes());
            hasher.update([0]);
            hasher.update(serde_json::to_string(&p.object).unwrap_or_default().as_bytes());
            hasher.update([0]);
        }
        let version = hasher.finalize()[..8].iter().map(|b| format!("{b:02x}")).collect();
        Bundle {
            version,
            policies,
            cluster: Vec::new(),
            exempt_namespaces: Vec::new(),
            kubernetes_version: String::new(),
            admission: Default::default(),
        }
    }
}

/// What the page shows about the engine and the policy set.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Info {
    /// guardrail's engine version.
    pub engine: &'static str,
    /// The bundle's version.
    pub policies: String,
    /// Constraints, as "Kind/name", with their action (at the gator enforcement point, as the docs check).
    pub constraints: Vec<ConstraintInfo>,
    /// Mutators, as "Kind/name".
    pub mutators: Vec<String>,
}

/// A constraint in [`Info`].
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ConstraintInfo {
    /// "Kind/name".
    pub id: String,
    /// The template's title or description, when it has one.
    pub about: String,
    /// deny, warn or dryrun.
    pub action: String,
}

/// A position and message: YAML errors, and documents that cannot be judged.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line in the reader's text.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What is wrong.
    pub message: String,
    /// What would fix it, when something is known ("did you mean `requests`?").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

/// The outcome for one YAML text.
#[derive(Debug, Clone, Serialize, PartialEq, Default)]
pub struct Outcome {
    /// A YAML error stops everything: no document is judged.
    pub error: Option<Problem>,
    /// The old object does not parse (its editor's line and column): the documents are judged without one.
    pub old_error: Option<Problem>,
    /// One entry per non-empty document.
    pub documents: Vec<DocumentOutcome>,
}

/// The outcome for one document.
#[derive(Debug, Clone, Serialize, PartialEq, Default)]
pub struct DocumentOutcome {
    /// Where the document starts.
    pub line: usize,
    /// "Pod", or "Pod (container fragment)" and the like.
    pub kind: String,
    /// `metadata.name`, when there is one.
    pub name: String,
    /// admitted, mutated or rejected; "refused" when the API server would not decode it; "error" when it cannot
    /// be judged (`problem` says why).
    pub verdict: String,
    /// Why the document could not be judged (an unplaceable fragment, a mutation that fails; for a document the
    /// API server refuses, the first of `refused`).
    pub problem: Option<Problem>,
    /// Why the API server refuses the document (verdict `refused`), each at its field: it never reaches
    /// admission.
    pub refused: Vec<Problem>,
    /// "HelmRelease (helm.toolkit.fluxcd.io/v2)" when no schema is known for the kind: its fields are not decoded.
    pub no_schema: Option<String>,
    /// Every violation.
    pub violations: Vec<ViolationOut>,
    /// Warnings.
    pub warnings: Vec<String>,
    /// Mutators that changed the object.
    pub mutators: Vec<String>,
    /// Constraints whose match selected the object.
    pub constraints: Vec<String>,
    /// The object after admission, line by line, `added` where mutation added the line.
    pub after: Vec<AfterLine>,
    /// The JSON Patch admission applied.
    pub patch: Vec<serde_json::Value>,
    /// What the API server would answer a rejected request.
    pub denial: Option<String>,
    /// What the object leads to, depth first: what its controllers would create (a Deployment's ReplicaSet,
    /// that ReplicaSet's Pod) or the resultants of ExpansionTemplates.
    pub made: Vec<MadeOutcome>,
    /// When the object itself is admitted but something it creates is not: that object's kind (`Pod`). The
    /// document's `verdict` is then `rejected`, as the docs page shows it.
    pub made_rejected: Option<String>,
    /// Why Gatekeeper leaves it alone (mutation, validation or both), when its namespace is exempt.
    pub exempt: Option<String>,
    /// The stage of the API server that refused it, in words (`the PodSecurity admission plugin`), when one of
    /// its own stages did rather than Gatekeeper.
    pub decided_by: Option<String>,
    /// What the API server's own admission plugins did, in words (`ServiceAccount: mounted the service account
    /// token ...`).
    pub plugins: Vec<String>,
    /// Whether the document is an AdmissionReview, judged with its own request.
    pub review: bool,
    /// The AdmissionReview response Gatekeeper's webhook would return (its uid the request's).
    pub response: serde_json::Value,
    /// The object after admission, whole (what an exported gator suite judges).
    #[serde(skip)]
    pub stored: serde_json::Value,
}

/// An object a document leads to.
#[derive(Debug, Clone, Serialize, PartialEq, Default)]
pub struct MadeOutcome {
    /// Its kind.
    pub kind: String,
    /// Its name.
    pub name: String,
    /// "created by the replicaset-controller" or "expanded by expand-deployments".
    pub origin: String,
    /// admitted, mutated or rejected.
    pub verdict: String,
    /// Its own violations.
    pub violations: Vec<ViolationOut>,
    /// What the API server answers its request, when rejected.
    pub denial: Option<String>,
    /// The event its controller records when the request is refused (`Error creating: ...`).
    pub event: Option<String>,
    /// Mutators that changed it.
    pub mutators: Vec<String>,
    /// It after admission, line by line, `added` where mutation added the line.
    pub after: Vec<AfterLine>,
}

fn verdict_name(d: &guardrail_engine::policy::Decision) -> &'static str {
    match (d.verdict, d.mutated()) {
        (Verdict::Rejected, _) => "rejected",
        (_, true) => "mutated",
        _ => "admitted",
    }
}

fn violations_out(d: &guardrail_engine::policy::Decision) -> Vec<ViolationOut> {
    d.violations
        .iter()
        .map(|v| ViolationOut {
            constraint: format!("{}/{}", v.kind, v.name),
            action: v.action.as_str().into(),
            message: v.message.clone(),
        })
        .collect()
}

/// An object a document leads to, as the page shows it.
fn made(c: &Child) -> MadeOutcome {
    let d = &c.decision;
    let placed = fragment::place(&c.object, None);
    MadeOutcome {
        kind: d.object.get("kind").and_then(|k| k.as_str()).unwrap_or("").to_string(),
        name: d.object.pointer("/metadata/name").and_then(|n| n.as_str()).unwrap_or("").to_string(),
        origin: c.origin.to_string(),
        verdict: verdict_name(d).into(),
        violations: violations_out(d),
        denial: d.denial(),
        event: c.event(),
        mutators: d.mutators.clone(),
        after: fragment::after_admission(&placed, d, &c.object),
    }
}

/// A violation as the page shows it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ViolationOut {
    /// "Kind/name" of the constraint.
    pub constraint: String,
    /// deny, warn or dryrun.
    pub action: String,
    /// The Rego's message.
    pub message: String,
}

/// Why a bundle does not load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadError {
    /// The bundle is not the JSON `guardrail build` writes.
    Bundle(String),
    /// A policy in it does not load (which a build that shipped it would have refused).
    Policies(Vec<String>),
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::Bundle(e) => write!(f, "the policy bundle is not valid: {e}"),
            LoadError::Policies(list) => write!(f, "the policy bundle does not load: {}", list.join("; ")),
        }
    }
}

impl std::error::Error for LoadError {}

/// The engine with a policy set, ready to admit what the reader types.
#[derive(Debug)]
pub struct Playground {
    set: PolicySet,
    /// The schemas the API server decodes with (the CRDs' are the policy set's cluster state).
    api: Option<&'static guardrail_engine::schema::Schemas>,
    info: Info,
    limits: Limits,
    /// The bundle as shipped: what "Reset to the site's policies" restores, and what the set is rebuilt with.
    bundle: Bundle,
    /// The Kubernetes version the bundle names (the newest when it names none).
    version: &'static str,
    /// Templates' Rego compiled so far: a policy edit compiles only the template it changed.
    cache: guardrail_engine::policy::CompileCache,
    /// The bundle's objects as YAML documents, made when first asked for (after the first verdict).
    site: std::cell::OnceCell<Vec<SiteDoc>>,
}

/// What [`Info`] says of a policy set, named `version`.
fn info_of(set: &PolicySet, version: &str) -> Info {
    let constraints = set
        .constraints()
        .iter()
        .map(|c| {
            let template = set.templates().find(|t| t.kind == c.kind);
            ConstraintInfo {
                id: format!("{}/{}", c.kind, c.name),
                about: template.and_then(|t| t.title.clone().or_else(|| t.description.clone())).unwrap_or_default(),
                action: c
                    .enforcement
                    .at(EnforcementPoint::Gator)
                    .map(EnforcementAction::as_str)
                    .unwrap_or("none")
                    .into(),
            }
        })
        .collect();
    let mutators = set.mutation().mutators().iter().map(|m| m.id()).collect();
    Info { engine: env!("CARGO_PKG_VERSION"), policies: version.to_string(), constraints, mutators }
}

impl Playground {
    /// Loads a bundle (the JSON of [`Bundle`]).
    pub fn load(bundle_json: &str) -> Result<Playground, LoadError> {
        let bundle: Bundle = serde_json::from_str(bundle_json).map_err(|e| LoadError::Bundle(e.to_string()))?;
        let limits = Limits::default();
        let objects: Vec<PolicyObject<'_>> =
            bundle.policies.iter().map(|p| PolicyObject { name: &p.file, value: &p.object }).collect();
        // The build loaded this set without errors: each template is compiled when first needed.
        let mut set = PolicySet::load_objects_deferred(&objects, &limits)
            .map_err(|errs| LoadError::Policies(errs.iter().map(ToString::to_string).collect()))?;
        let cluster = bundle.cluster.iter().map(|o| (o.file.clone(), o.object.clone())).collect();
        set.set_cluster(cluster).map_err(|e| LoadError::Policies(vec![format!("cluster state: {e}")]))?;
        set.set_exempt_namespaces(&bundle.exempt_namespaces)
            .map_err(|e| LoadError::Policies(vec![format!("exempt namespaces: {e}")]))?;
        let info = info_of(&set, &bundle.version);
        let version = guardrail_engine::schema::VERSIONS
            .iter()
            .copied()
            .find(|v| *v == bundle.kubernetes_version)
            .unwrap_or(guardrail_engine::schema::NEWEST);
        if !bundle.kubernetes_version.is_empty() && bundle.kubernetes_version != version {
            return Err(LoadError::Policies(vec![format!(
                "Kubernetes {} is not a version this engine ships",
                bundle.kubernetes_version
            )]));
        }
        let api = guardrail_engine::schema::schemas(version);
        let api_server = bundle.admission.api_server(version).map_err(|e| LoadError::Policies(vec![e]))?;
        set.set_api_server(api_server);
        Ok(Playground { set, api, info, limits, bundle, version, cache: Default::default(), site: Default::default() })
    }

    /// The engine's and the policy set's versions, and what the set holds.
    pub fn info(&self) -> &Info {
        &self.info
    }

    /// Admits every document of `text` in `namespace` as the docs check does. `wrap` is "" to infer fragments, or
    /// `pod`, `podspec`, `container` to say what every fragment is.
    pub fn admit(&mut self, text: &str, namespace: &str, wrap: &str) -> Outcome {
        let request = RequestIn { namespace: namespace.to_string(), wrap: wrap.to_string(), ..RequestIn::default() };
        self.admit_request(text, &request)
    }

    /// Admits every document of `text` with the request the reader set (operation, old object, user, groups, the
    /// namespace and its labels); an AdmissionReview among the documents is judged with its own request, as gator
    /// judges one.
    pub fn admit_request(&mut self, text: &str, req: &RequestIn) -> Outcome {
        let docs = match yaml::load_documents(text, Schema::Kubernetes, &self.limits) {
            Ok(d) => d,
            Err(e) => {
                return Outcome {
                    error: Some(Problem { line: e.line, column: e.column, message: e.message, hint: None }),
                    ..Outcome::default()
                };
            }
        };
        let (base, old_error) = match req.request() {
            Ok(r) => (r, None),
            Err(problem) => (req.request_without_old(), Some(problem)),
        };
        let forced = Wrap::from_name(&req.wrap);
        let mut documents = Vec::new();
        for doc in docs.iter().filter(|d| !d.value.is_null()) {
            let mut out = DocumentOutcome { line: doc.line, ..DocumentOutcome::default() };
            // An AdmissionReview brings its own request and object.
            let (value, mut request, uid) = match guardrail_engine::policy::Request::from_admission_review(&doc.value) {
                Ok(Some((r, object))) => {
                    let uid = doc.value.pointer("/request/uid").and_then(|u| u.as_str()).unwrap_or("").to_string();
                    out.review = true;
                    (object, r, uid)
                }
                Ok(None) => {
                    // A DELETE judges the object deleted: the old object, or what the editor holds.
                    let mut r = base.clone();
                    let value = match (r.operation, r.old_object.clone()) {
                        (Operation::Delete, Some(old)) => old,
                        (Operation::Delete, None) => {
                            r.old_object = Some(doc.value.clone());
                            doc.value.clone()
                        }
                        _ => doc.value.clone(),
                    };
                    (value, r, String::new())
                }
                Err(why) => {
                    out.verdict = "error".into();
                    out.problem = Some(Problem { line: doc.line, column: 1, message: why, hint: None });
                    documents.push(out);
                    continue;
                }
            };
            let whole = value.get("apiVersion").is_some() && value.get("kind").is_some();
            let wrap = match (forced, whole) {
                (Some(w), false) => Ok(Some(w)),
                _ => fragment::infer_wrap(&value),
            };
            let wrap = match wrap {
                Ok(w) => w,
                Err(why) => {
                    out.verdict = "error".into();
                    out.problem = Some(Problem { line: doc.line, column: 1, message: why, hint: None });
                    documents.push(out);
                    continue;
                }
            };
            let placed = fragment::place(&value, wrap);
            // As the docs check: a fragment is a piece of a manifest, not missing what it does not show.
            request.partial = placed.wrap.is_some();
            out.kind = placed.object.get("kind").and_then(|k| k.as_str()).unwrap_or("").to_string();
            if let Some(w) = wrap {
                out.kind = format!("{} ({} fragment)", out.kind, w.name());
            }
            out.name = placed.object.pointer("/metadata/name").and_then(|n| n.as_str()).unwrap_or("").to_string();
            // The API server decodes the object strictly first: what it refuses goes no further, as on the page.
            if let Some(api) = self.api {
                match self.set.decode(api, &placed.object) {
                    Check::Checked(errors) => {
                        out.refused = errors
                            .into_iter()
                            .map(|e| {
                                let (line, column) = doc
                                    .source_map
                                    .field(e.pointer.strip_prefix(placed.at.as_str()).unwrap_or(""))
                                    .unwrap_or((doc.line, 1));
                                Problem { line, column, message: e.message, hint: e.hint }
                            })
                            .collect();
                    }
                    Check::NoSuchKind { served_in } => {
                        let (line, column) = doc.source_map.field("/apiVersion").unwrap_or((doc.line, 1));
                        let (kind, version) = (
                            placed.object.get("kind").and_then(|k| k.as_str()).unwrap_or(""),
                            placed.object.get("apiVersion").and_then(|k| k.as_str()).unwrap_or(""),
                        );
                        out.refused.push(Problem {
                            line,
                            column,
                            message: format!("no matches for kind \"{kind}\" in version \"{version}\""),
                            hint: Some(format!(
                                "Kubernetes {}: {}",
                                api.version(),
                                api.no_such_kind_note(version, kind, &served_in)
                            )),
                        });
                    }
                    Check::Unknown => {
                        out.no_schema = Some(format!(
                            "{} ({})",
                            out.kind,
                            placed.object.get("apiVersion").and_then(|k| k.as_str()).unwrap_or("")
                        ));
                    }
                }
                if let Some(first) = out.refused.first() {
                    out.verdict = "refused".into();
                    out.problem = Some(first.clone());
                    documents.push(out);
                    continue;
                }
            }
            match fragment::admit_with(&mut self.set, &placed, &request) {
                Ok(d) => {
                    // As on the docs page: a fragment is "mutated" only when what it shows changed.
                    let shown = fragment::shown_mutators(&self.set, &placed, &d, &value);
                    out.response = review_response(&uid, &d);
                    out.stored = d.object.clone();
                    out.verdict = match (d.verdict, shown.is_empty()) {
                        (Verdict::Rejected, _) => "rejected",
                        (_, false) => "mutated",
                        _ => "admitted",
                    }
                    .into();
                    if d.verdict == Verdict::Admitted {
                        if let Some(c) = d.rejected_child() {
                            out.verdict = "rejected".into();
                            out.made_rejected =
                                c.decision.object.get("kind").and_then(|k| k.as_str()).map(str::to_string);
                        }
                    }
                    out.made = d.descendants().into_iter().map(|(_, c)| made(c)).collect();
                    out.exempt = d.exempt.clone();
                    out.decided_by = d.decided_by.filter(|s| s.is_api_server()).map(|s| s.describe().to_string());
                    out.plugins = d.plugins_said();
                    out.after = fragment::after_admission(&placed, &d, &value);
                    out.violations = violations_out(&d);
                    out.denial = d.denial();
                    out.warnings = d.warnings;
                    out.mutators = shown;
                    out.constraints = d.constraints;
                    out.patch = d.patch;
                }
                Err(e) => {
                    out.verdict = "error".into();
                    out.problem = Some(Problem { line: doc.line, column: 1, message: e.to_string(), hint: None });
                }
            }
            documents.push(out);
        }
        Outcome { error: None, old_error, documents }
    }
}

#[cfg(test)]
mod tests;
