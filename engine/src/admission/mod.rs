//! The cluster's admission chain, stage by stage, in the order a Kubernetes API server runs it with Gatekeeper
//! behind it: decoding, defaulting, the built-in mutating plugins, Gatekeeper's mutation, the registry's
//! validation of the object, then the validating plugins (LimitRanger's limits, Pod Security) and Gatekeeper's
//! constraints. The first stage that refuses ends the request; warnings of every stage are kept. [`ORDER`] is the
//! one place the order is written; each stage is a module with one job.

pub mod chain;
pub mod cluster;
pub mod decision;
pub mod defaults;
pub mod gatekeeper;
pub mod ingressclass;
pub mod limitranger;
pub mod map;
pub mod podsecurity;
pub mod priority;
pub mod request;
pub mod serviceaccount;
pub mod tolerations;
pub mod validation;
pub mod vap;

pub use cluster::ClusterState;
pub use decision::{AdmitError, Child, Decision, Origin, StageReport, Verdict, Violation};
pub use request::Request;

/// A stage of admission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Stage {
    /// Strict decoding of the body into the versioned type: unknown and duplicate fields, types, quantities.
    Decode,
    /// The API group's defaulting functions.
    Defaulting,
    /// The `LimitRanger` plugin's mutation: LimitRange defaults for containers without resources.
    LimitRanger,
    /// The `ServiceAccount` plugin: the default service account and its token volume.
    ServiceAccount,
    /// The `Priority` plugin: the priority of the Pod's PriorityClass.
    Priority,
    /// The `DefaultTolerationSeconds` plugin: 300 s tolerations of not-ready and unreachable nodes.
    DefaultTolerationSeconds,
    /// The `DefaultIngressClass` plugin: the default IngressClass for an Ingress that names none.
    DefaultIngressClass,
    /// The `MutatingAdmissionPolicy` plugin: CEL mutations of the bindings that select the request.
    MutatingAdmissionPolicy,
    /// Gatekeeper's mutating webhook (Assign, AssignMetadata, ModifySet, AssignImage), then defaulting again of
    /// what it wrote, as the API server decodes a webhook's patched object.
    GatekeeperMutation,
    /// The registry's validation of the mutated object: required fields.
    ObjectValidation,
    /// The `LimitRanger` plugin's validation: min, max and limit/request ratio of the namespace's LimitRanges.
    LimitRangerValidation,
    /// The `PodSecurity` plugin: the namespace's Pod Security Standards level.
    PodSecurity,
    /// The `ValidatingAdmissionPolicy` plugin: CEL validations of the bindings that select the request, the ones
    /// Gatekeeper generates from its CEL templates included.
    ValidatingAdmissionPolicy,
    /// Gatekeeper's validating webhook: the constraints.
    Gatekeeper,
}

/// Every stage, in the order the API server runs them. Mutating stages come before the object's validation, and
/// validating ones after it; a refusal at any stage ends the request there.
pub const ORDER: &[Stage] = &[
    Stage::Decode,
    Stage::Defaulting,
    Stage::LimitRanger,
    Stage::ServiceAccount,
    Stage::Priority,
    Stage::DefaultTolerationSeconds,
    Stage::DefaultIngressClass,
    Stage::MutatingAdmissionPolicy,
    Stage::GatekeeperMutation,
    Stage::ObjectValidation,
    Stage::LimitRangerValidation,
    Stage::PodSecurity,
    Stage::ValidatingAdmissionPolicy,
    Stage::Gatekeeper,
];

impl Stage {
    /// The stage's name, as the API server names its plugins (`PodSecurity`, `LimitRanger`).
    pub fn name(self) -> &'static str {
        match self {
            Stage::Decode => "Decode",
            Stage::Defaulting => "Defaulting",
            Stage::LimitRanger | Stage::LimitRangerValidation => "LimitRanger",
            Stage::ServiceAccount => "ServiceAccount",
            Stage::Priority => "Priority",
            Stage::DefaultTolerationSeconds => "DefaultTolerationSeconds",
            Stage::DefaultIngressClass => "DefaultIngressClass",
            Stage::MutatingAdmissionPolicy => "MutatingAdmissionPolicy",
            Stage::ValidatingAdmissionPolicy => "ValidatingAdmissionPolicy",
            Stage::GatekeeperMutation => "GatekeeperMutation",
            Stage::ObjectValidation => "ObjectValidation",
            Stage::PodSecurity => "PodSecurity",
            Stage::Gatekeeper => "Gatekeeper",
        }
    }

    /// How a reader is told what the stage is: `the API server's strict decoding`, `the PodSecurity admission
    /// plugin`, `Gatekeeper's constraints`.
    pub fn describe(self) -> &'static str {
        match self {
            Stage::Decode => "the API server's strict decoding",
            Stage::Defaulting => "the API server's defaulting",
            Stage::LimitRanger => "the LimitRanger admission plugin",
            Stage::ServiceAccount => "the ServiceAccount admission plugin",
            Stage::Priority => "the Priority admission plugin",
            Stage::DefaultTolerationSeconds => "the DefaultTolerationSeconds admission plugin",
            Stage::DefaultIngressClass => "the DefaultIngressClass admission plugin",
            Stage::MutatingAdmissionPolicy => "a MutatingAdmissionPolicy",
            Stage::ValidatingAdmissionPolicy => "a ValidatingAdmissionPolicy",
            Stage::GatekeeperMutation => "Gatekeeper's mutation",
            Stage::ObjectValidation => "the API server's validation of the object",
            Stage::LimitRangerValidation => "the LimitRanger admission plugin (its limits)",
            Stage::PodSecurity => "the PodSecurity admission plugin",
            Stage::Gatekeeper => "Gatekeeper's constraints",
        }
    }

    /// The built-in plugin a stage belongs to, when it is one a cluster may turn off.
    pub fn plugin(self) -> Option<Plugin> {
        match self {
            Stage::LimitRanger | Stage::LimitRangerValidation => Some(Plugin::LimitRanger),
            Stage::ServiceAccount => Some(Plugin::ServiceAccount),
            Stage::Priority => Some(Plugin::Priority),
            Stage::DefaultTolerationSeconds => Some(Plugin::DefaultTolerationSeconds),
            Stage::DefaultIngressClass => Some(Plugin::DefaultIngressClass),
            Stage::PodSecurity => Some(Plugin::PodSecurity),
            _ => None,
        }
    }

    /// Whether the stage belongs to the API server (everything but Gatekeeper's two).
    pub fn is_api_server(self) -> bool {
        !matches!(self, Stage::GatekeeperMutation | Stage::Gatekeeper)
    }
}

/// A built-in admission plugin of the API server that guardrail models.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Plugin {
    /// `LimitRanger`.
    LimitRanger,
    /// `ServiceAccount`.
    ServiceAccount,
    /// `Priority`.
    Priority,
    /// `DefaultTolerationSeconds`.
    DefaultTolerationSeconds,
    /// `DefaultIngressClass`.
    DefaultIngressClass,
    /// `PodSecurity`.
    PodSecurity,
}

impl Plugin {
    /// Every plugin modelled; all are on in a default kube-apiserver.
    pub const ALL: &'static [Plugin] = &[
        Plugin::LimitRanger,
        Plugin::ServiceAccount,
        Plugin::Priority,
        Plugin::DefaultTolerationSeconds,
        Plugin::DefaultIngressClass,
        Plugin::PodSecurity,
    ];

    /// The name kube-apiserver's `--enable-admission-plugins` uses.
    pub fn name(self) -> &'static str {
        match self {
            Plugin::LimitRanger => "LimitRanger",
            Plugin::ServiceAccount => "ServiceAccount",
            Plugin::Priority => "Priority",
            Plugin::DefaultTolerationSeconds => "DefaultTolerationSeconds",
            Plugin::DefaultIngressClass => "DefaultIngressClass",
            Plugin::PodSecurity => "PodSecurity",
        }
    }

    /// The plugin of that name.
    pub fn from_name(name: &str) -> Option<Plugin> {
        Plugin::ALL.iter().copied().find(|p| p.name() == name)
    }
}

/// The API server in front of Gatekeeper, as a cluster runs it: its Kubernetes version (the schemas decoded
/// against, the defaults and Pod Security checks of that version), the plugins it runs, and Pod Security's level
/// for namespaces that carry no label.
#[derive(Debug, Clone)]
pub struct ApiServer {
    /// The Kubernetes version (`1.37`): one of [`crate::schema::VERSIONS`].
    pub version: &'static str,
    /// Its minor number (37).
    pub minor: u32,
    /// The admission plugins it runs, of those modelled.
    pub plugins: Vec<Plugin>,
    /// Pod Security's levels where a namespace's labels say nothing (an AdmissionConfiguration's `defaults`).
    pub pod_security: podsecurity::Policy,
    /// The schemas of `version`, looked up once.
    pub schemas: &'static crate::schema::Schemas,
    /// How the cluster's Gatekeeper generates ValidatingAdmissionPolicies from CEL templates.
    pub gatekeeper: GatekeeperSettings,
}

/// The flags of the cluster's Gatekeeper that change what the API server runs (`[admission.gatekeeper]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields, default, rename_all = "kebab-case")]
pub struct GatekeeperSettings {
    /// `--default-create-vap-for-templates` (true since Gatekeeper 3.20): a ValidatingAdmissionPolicy for each
    /// template with CEL, unless its `generateVAP` says otherwise.
    #[serde(rename = "default-create-vap-for-templates")]
    pub vap_for_templates: bool,
    /// `--default-create-vap-binding-for-constraints` (true since 3.20): a binding for each of their constraints.
    #[serde(rename = "default-create-vap-binding-for-constraints")]
    pub vap_bindings_for_constraints: bool,
}

impl Default for GatekeeperSettings {
    fn default() -> Self {
        GatekeeperSettings { vap_for_templates: true, vap_bindings_for_constraints: true }
    }
}

impl ApiServer {
    /// A kube-apiserver of `version` with its default plugins and Pod Security's default (privileged); `None` for
    /// a version guardrail does not ship.
    pub fn new(version: &str) -> Option<ApiServer> {
        let version = *crate::schema::VERSIONS.iter().find(|v| **v == version)?;
        let minor = version.split('.').nth(1).and_then(|m| m.parse().ok())?;
        Some(ApiServer {
            version,
            minor,
            plugins: Plugin::ALL.to_vec(),
            pod_security: podsecurity::Policy::default(),
            schemas: crate::schema::schemas(version)?,
            gatekeeper: GatekeeperSettings::default(),
        })
    }

    /// Whether the server runs `plugin`.
    pub fn runs(&self, plugin: Plugin) -> bool {
        self.plugins.contains(&plugin)
    }
}

/// How a site (`[admission]` in `guardrail.toml`) or a playground bundle says which API server its clusters run.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields, default, rename_all = "kebab-case")]
pub struct Settings {
    /// Whether the API server's stages are modelled at all (`false`: Gatekeeper alone, as gator judges).
    pub api_server: bool,
    /// The admission plugins the clusters run, of those modelled (kube-apiserver's names); all by default, as a
    /// default kube-apiserver runs them.
    pub plugins: Vec<String>,
    /// Pod Security's levels for namespaces without labels (an AdmissionConfiguration's `defaults`).
    pub pod_security: PodSecuritySettings,
    /// The flags of the cluster's Gatekeeper that generate ValidatingAdmissionPolicies.
    pub gatekeeper: GatekeeperSettings,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            api_server: true,
            plugins: Plugin::ALL.iter().map(|p| p.name().to_string()).collect(),
            pod_security: PodSecuritySettings::default(),
            gatekeeper: GatekeeperSettings::default(),
        }
    }
}

/// Pod Security's cluster-wide defaults, as an AdmissionConfiguration's `PodSecurityConfiguration` writes them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields, default, rename_all = "kebab-case")]
pub struct PodSecuritySettings {
    /// `privileged`, `baseline` or `restricted`.
    pub enforce: String,
    /// `latest` or `v1.30`.
    pub enforce_version: String,
    /// The level that warns.
    pub warn: String,
    /// Its version.
    pub warn_version: String,
    /// The level that annotates the audit log.
    pub audit: String,
    /// Its version.
    pub audit_version: String,
}

impl Default for PodSecuritySettings {
    fn default() -> Self {
        let (level, version) = ("privileged".to_string(), "latest".to_string());
        PodSecuritySettings {
            enforce: level.clone(),
            enforce_version: version.clone(),
            warn: level.clone(),
            warn_version: version.clone(),
            audit: level,
            audit_version: version,
        }
    }
}

impl Settings {
    /// The API server these settings describe for Kubernetes `version`, or `None` when its stages are off. An
    /// unknown plugin or level is an error that names it and what is known.
    pub fn api_server(&self, version: &str) -> Result<Option<ApiServer>, String> {
        if !self.api_server {
            return Ok(None);
        }
        let mut api = ApiServer::new(version)
            .ok_or_else(|| format!("Kubernetes {version} is not a version guardrail ships the API of"))?;
        api.plugins = self
            .plugins
            .iter()
            .map(|name| {
                Plugin::from_name(name).ok_or_else(|| {
                    let known: Vec<&str> = Plugin::ALL.iter().map(|p| p.name()).collect();
                    format!("unknown admission plugin `{name}` (guardrail models {})", known.join(", "))
                })
            })
            .collect::<Result<_, _>>()?;
        let p = &self.pod_security;
        let level = |mode: &str, level: &str, version: &str| {
            podsecurity::LevelVersion::parse(level, version).map_err(|e| format!("pod-security {mode}: {e}"))
        };
        api.pod_security = podsecurity::Policy {
            enforce: level("enforce", &p.enforce, &p.enforce_version)?,
            warn: level("warn", &p.warn, &p.warn_version)?,
            audit: level("audit", &p.audit, &p.audit_version)?,
        };
        api.gatekeeper = self.gatekeeper;
        Ok(Some(api))
    }
}

impl ApiServer {
    /// The settings that describe this API server (what a playground bundle carries).
    pub fn settings(&self) -> Settings {
        let split = |lv: podsecurity::LevelVersion| {
            let text = lv.to_string();
            let (level, version) = text.split_once(':').unwrap_or((text.as_str(), "latest"));
            (level.to_string(), version.to_string())
        };
        let (enforce, enforce_version) = split(self.pod_security.enforce);
        let (warn, warn_version) = split(self.pod_security.warn);
        let (audit, audit_version) = split(self.pod_security.audit);
        Settings {
            api_server: true,
            plugins: self.plugins.iter().map(|p| p.name().to_string()).collect(),
            pod_security: PodSecuritySettings { enforce, enforce_version, warn, warn_version, audit, audit_version },
            gatekeeper: self.gatekeeper,
        }
    }
}

#[cfg(test)]
mod policy_tests;
#[cfg(test)]
mod tests;
