//! Pod Security Admission: the API server's built-in `PodSecurity` admission plugin, which judges Pods and pod
//! templates against the Pod Security Standards (privileged, baseline, restricted) at the level and version a
//! namespace's `pod-security.kubernetes.io/*` labels ask for.
//!
//! Written from `kubernetes/pod-security-admission` (the published copy of
//! `staging/src/k8s.io/pod-security-admission` in `kubernetes/kubernetes`, as of the v1.37 development cycle):
//! `policy/check_*.go` for each check's fields, reasons, details and versions, `policy/registry.go` for which
//! checks run at a level and version and in which order, `policy/checks.go` for how failures are joined,
//! `api/helpers.go` and `api/constants.go` for levels, versions and labels, `admission/admission.go` and
//! `admission/response.go` for what the plugin answers; `plugin/pkg/admission/security/podsecurity/admission.go`
//! in `kubernetes/kubernetes` for how the API server turns that answer into an error, warnings and audit
//! annotations; `apimachinery`'s `NewForbidden` and `field.Error` for the wording of errors.
//!
//! # What runs
//!
//! Every check belongs to baseline or restricted and has one or more variants, each starting at a minor
//! version. Baseline runs its own checks; restricted runs baseline's plus its own, except the baseline checks a
//! restricted check overrides at that version (restricted volumes replace hostPath volumes, restricted
//! capabilities replace baseline capabilities from v1.22, restricted seccomp replaces baseline seccomp from
//! v1.19, restricted procMount replaces baseline procMount from v1.35). The order is PSA's: baseline check IDs
//! sorted, then restricted check IDs sorted (byte order, so `seLinuxOptions` comes before
//! `seccompProfile_baseline`). [`check_ids`] lists them for a level.
//!
//! | ID | level | variants from |
//! | --- | --- | --- |
//! | `appArmorProfile` | baseline | v1.0 |
//! | `capabilities_baseline` | baseline | v1.0 (overridden in restricted from v1.22) |
//! | `hostNamespaces` | baseline | v1.0 |
//! | `hostPathVolumes` | baseline | v1.0 (always overridden in restricted) |
//! | `hostPorts` | baseline | v1.0 |
//! | `hostProbesAndHostLifecycle` | baseline | v1.34 |
//! | `privileged` | baseline | v1.0 |
//! | `procMount` | baseline | v1.0; v1.35 (any value when `hostUsers: false`); overridden in restricted from v1.35 |
//! | `seLinuxOptions` | baseline | v1.0; v1.31 (adds `container_engine_t`) |
//! | `seccompProfile_baseline` | baseline | v1.0 (annotations); v1.19 (fields); overridden in restricted from v1.19 |
//! | `sysctls` | baseline | v1.0; v1.27; v1.29; v1.32; v1.37 (each allows more sysctls) |
//! | `windowsHostProcess` | baseline | v1.0 |
//! | `allowPrivilegeEscalation` | restricted | v1.8; v1.25 (Windows pods exempt) |
//! | `capabilities_restricted` | restricted | v1.22; v1.25 (Windows pods exempt) |
//! | `procMount_restricted` | restricted | v1.35 |
//! | `restrictedVolumes` | restricted | v1.0 |
//! | `runAsNonRoot` | restricted | v1.0; v1.35 (any value when `hostUsers: false`) |
//! | `runAsUser` | restricted | v1.23; v1.35 (any value when `hostUsers: false`) |
//! | `seccompProfile_restricted` | restricted | v1.19; v1.25 (Windows pods exempt) |
//!
//! A version newer than the cluster's, and `latest`, are evaluated at the cluster's version (`latest_minor`), as
//! PSA caps them at the newest version it knows (and, since v1.35, at the emulated version).
//!
//! # Decisions where the Go code has no JSON counterpart
//!
//! The Go code reads typed objects; this module reads JSON as it is handed in, after whatever defaulting the
//! caller did (PSA sees the object after defaulting and after the registry's `PrepareForCreate`). A field of the
//! wrong JSON type (a string where a bool belongs) is read as absent: the API server would have refused to
//! decode it. A `null` is absent, as a nil pointer. A volume naming none of the Kubernetes volume sources is an
//! `emptyDir` volume, as the API server defaults it. Go's `%q` quoting is reproduced for the values PSA quotes
//! with it (annotation values, label values); what counts as printable outside ASCII follows Go's
//! `unicode.IsPrint` for the common cases (controls, spaces other than U+0020, format characters, private use),
//! not for unassigned code points.

use crate::text::go_quote;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::{self, Write as _};

use serde_json::{Map, Value};

/// A Pod Security Standards level, from least to most strict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// No restrictions.
    Privileged,
    /// Prevents known privilege escalations.
    Baseline,
    /// Current Pod hardening best practice.
    Restricted,
}

impl Level {
    /// The level as PSA spells it: `privileged`, `baseline`, `restricted`.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Privileged => "privileged",
            Level::Baseline => "baseline",
            Level::Restricted => "restricted",
        }
    }

    /// A label value as a level, or PSA's error text (`must be one of privileged, baseline, restricted`).
    pub fn parse(level: &str) -> Result<Level, String> {
        match level {
            "privileged" => Ok(Level::Privileged),
            "baseline" => Ok(Level::Baseline),
            "restricted" => Ok(Level::Restricted),
            _ => Err("must be one of privileged, baseline, restricted".to_string()),
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A policy version: `latest` or a Kubernetes 1.x minor version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Version {
    /// The newest policy the cluster knows.
    Latest,
    /// `v1.<minor>`: `Minor(30)` is v1.30.
    Minor(u32),
}

impl Version {
    /// A label value as a version (`latest`, or `v1.x` without leading zeros), or PSA's error text
    /// (`must be "latest" or "v1.x"`).
    pub fn parse(version: &str) -> Result<Version, String> {
        if version == "latest" {
            return Ok(Version::Latest);
        }
        let invalid = || Err(r#"must be "latest" or "v1.x""#.to_string());
        let Some(minor) = version.strip_prefix("v1.") else { return invalid() };
        let digits_only = !minor.is_empty() && minor.bytes().all(|b| b.is_ascii_digit());
        if !digits_only || (minor.len() > 1 && minor.starts_with('0')) {
            return invalid();
        }
        // Go accepts any int; a minor version past u32 is no Kubernetes version either way.
        minor.parse().map(Version::Minor).or_else(|_| invalid())
    }

    /// The minor version this version is evaluated at on a cluster at `1.<latest_minor>`.
    pub fn effective_minor(self, latest_minor: u32) -> u32 {
        match self {
            Version::Latest => latest_minor,
            Version::Minor(minor) => minor.min(latest_minor),
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Version::Latest => f.write_str("latest"),
            Version::Minor(minor) => write!(f, "v1.{minor}"),
        }
    }
}

/// A level at a version: `restricted:latest`, `baseline:v1.30`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LevelVersion {
    /// The level.
    pub level: Level,
    /// The version of the level's checks.
    pub version: Version,
}

impl LevelVersion {
    /// `restricted:latest`.
    pub const RESTRICTED_LATEST: LevelVersion = LevelVersion { level: Level::Restricted, version: Version::Latest };
    /// `privileged:latest`.
    pub const PRIVILEGED_LATEST: LevelVersion = LevelVersion { level: Level::Privileged, version: Version::Latest };

    /// A level and a version as label values; an invalid one is an error in PSA's words (the level's error
    /// first when both are invalid).
    pub fn parse(level: &str, version: &str) -> Result<LevelVersion, String> {
        Ok(LevelVersion { level: Level::parse(level)?, version: Version::parse(version)? })
    }
}

impl fmt::Display for LevelVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.level, self.version)
    }
}

/// A namespace's policy: enforce / warn / audit, each a level at a version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// Pods failing it are refused.
    pub enforce: LevelVersion,
    /// Pods and pod templates failing it get a warning.
    pub warn: LevelVersion,
    /// Pods and pod templates failing it get an audit annotation.
    pub audit: LevelVersion,
}

impl Default for Policy {
    /// `privileged:latest` for all three modes: the API server's default without an AdmissionConfiguration.
    fn default() -> Policy {
        Policy {
            enforce: LevelVersion::PRIVILEGED_LATEST,
            warn: LevelVersion::PRIVILEGED_LATEST,
            audit: LevelVersion::PRIVILEGED_LATEST,
        }
    }
}

impl Policy {
    /// Whether all three modes are privileged (PSA then lets a Pod through without evaluating it).
    pub fn fully_privileged(&self) -> bool {
        [self.enforce, self.warn, self.audit].iter().all(|lv| lv.level == Level::Privileged)
    }
}

/// The prefix of PSA's namespace labels and of its audit annotations.
pub const LABEL_PREFIX: &str = "pod-security.kubernetes.io/";
/// The namespace label with the enforce level.
pub const ENFORCE_LEVEL_LABEL: &str = "pod-security.kubernetes.io/enforce";
/// The namespace label with the enforce version.
pub const ENFORCE_VERSION_LABEL: &str = "pod-security.kubernetes.io/enforce-version";
/// The namespace label with the audit level.
pub const AUDIT_LEVEL_LABEL: &str = "pod-security.kubernetes.io/audit";
/// The namespace label with the audit version.
pub const AUDIT_VERSION_LABEL: &str = "pod-security.kubernetes.io/audit-version";
/// The namespace label with the warn level.
pub const WARN_LEVEL_LABEL: &str = "pod-security.kubernetes.io/warn";
/// The namespace label with the warn version.
pub const WARN_VERSION_LABEL: &str = "pod-security.kubernetes.io/warn-version";
/// The audit annotation with what the audit level's checks found.
pub const AUDIT_VIOLATIONS_ANNOTATION: &str = "pod-security.kubernetes.io/audit-violations";
/// The audit annotation naming the enforce level a Pod was evaluated at.
pub const ENFORCE_POLICY_ANNOTATION: &str = "pod-security.kubernetes.io/enforce-policy";
/// The audit annotation with the namespace labels' parse errors.
pub const ERROR_ANNOTATION: &str = "pod-security.kubernetes.io/error";

/// The namespace's policy from its labels (`pod-security.kubernetes.io/enforce`, `-version`, warn, audit), each
/// mode falling back to `defaults` when its label is absent, as PSA's `PolicyToEvaluate`.
///
/// An invalid label value is an error in PSA's words (`metadata.labels[pod-security.kubernetes.io/enforce]:
/// Invalid value: "strict": must be one of privileged, baseline, restricted`), and the policy PSA evaluates
/// instead is returned with it: an invalid enforce level is `restricted`, an invalid audit or warn level is
/// `privileged` (PSA fails open for those two), an invalid version is `latest`; the other half of the mode keeps
/// its own label or default. When the enforce level is set (validly) and no warn level is, warn becomes the
/// enforce level if that is stricter than the default warn level, with the enforce version unless a warn version
/// is set: that is how a namespace labelled only `enforce: restricted` warns about Deployments.
///
/// A label value that is not a JSON string is read as its JSON text (`null` as empty), so it is invalid.
pub fn policy_from_labels(labels: Option<&Map<String, Value>>, defaults: &Policy) -> (Policy, Vec<String>) {
    let mut policy = defaults.clone();
    let mut errors = Vec::new();
    let Some(labels) = labels else { return (policy, errors) };
    let label = |key: &str| labels.get(key).map(label_text);
    let mut invalid = |key: &str, value: &str, why: String| {
        errors.push(format!("metadata.labels[{key}]: Invalid value: {}: {why}", go_quote(value)));
    };

    let mut has_enforce_level = false;
    if let Some(value) = label(ENFORCE_LEVEL_LABEL) {
        match Level::parse(&value) {
            Ok(level) => {
                policy.enforce.level = level;
                has_enforce_level = true;
            }
            Err(why) => {
                policy.enforce.level = Level::Restricted;
                invalid(ENFORCE_LEVEL_LABEL, &value, why);
            }
        }
    }
    if let Some(value) = label(ENFORCE_VERSION_LABEL) {
        policy.enforce.version = Version::parse(&value).unwrap_or_else(|why| {
            invalid(ENFORCE_VERSION_LABEL, &value, why);
            Version::Latest
        });
    }
    if let Some(value) = label(AUDIT_LEVEL_LABEL) {
        policy.audit.level = Level::parse(&value).unwrap_or_else(|why| {
            invalid(AUDIT_LEVEL_LABEL, &value, why);
            Level::Privileged
        });
    }
    if let Some(value) = label(AUDIT_VERSION_LABEL) {
        policy.audit.version = Version::parse(&value).unwrap_or_else(|why| {
            invalid(AUDIT_VERSION_LABEL, &value, why);
            Version::Latest
        });
    }
    let warn_level = label(WARN_LEVEL_LABEL);
    if let Some(value) = &warn_level {
        policy.warn.level = Level::parse(value).unwrap_or_else(|why| {
            invalid(WARN_LEVEL_LABEL, value, why);
            Level::Privileged
        });
    }
    let warn_version = label(WARN_VERSION_LABEL);
    if let Some(value) = &warn_version {
        policy.warn.version = Version::parse(value).unwrap_or_else(|why| {
            invalid(WARN_VERSION_LABEL, value, why);
            Version::Latest
        });
    }

    if warn_level.is_none() && has_enforce_level && policy.enforce.level > policy.warn.level {
        policy.warn.level = policy.enforce.level;
        if warn_version.is_none() {
            policy.warn.version = policy.enforce.version;
        }
    }
    (policy, errors)
}

fn label_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// One failed check: PSA's forbidden reason and its detail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Forbidden {
    /// The short reason: `allowPrivilegeEscalation != false`.
    pub reason: String,
    /// What failed it: `container "app" must set securityContext.allowPrivilegeEscalation=false`.
    pub detail: String,
}

/// `allowPrivilegeEscalation != false (container "app" must set securityContext.allowPrivilegeEscalation=false),
/// unrestricted capabilities (...)`: each reason with its detail in parentheses (none when the detail is
/// empty), joined with `, `, as PSA words the failures in its errors, warnings and audit annotations.
pub fn reasons(forbidden: &[Forbidden]) -> String {
    let mut out = String::new();
    for (i, f) in forbidden.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(if f.reason.is_empty() { "unknown forbidden reason" } else { &f.reason });
        if !f.detail.is_empty() {
            let _ = write!(out, " ({})", f.detail);
        }
    }
    out
}

/// The reasons alone, joined with `, ` (PSA's `ForbiddenReason`, which it uses when it warns about the existing
/// Pods of a namespace whose enforce level is raised).
pub fn reason_summary(forbidden: &[Forbidden]) -> String {
    let reasons: Vec<&str> = forbidden
        .iter()
        .map(|f| if f.reason.is_empty() { "unknown forbidden reason" } else { f.reason.as_str() })
        .collect();
    reasons.join(", ")
}

/// Every check of `level` at its version against a Pod's metadata and spec (a Pod's, or a pod template's), in
/// PSA's order; empty when the Pod meets the level. `Privileged` never fails. The effective Kubernetes version for
/// `Version::Latest` (and for any version newer than the cluster) is `latest_minor` (37 for 1.37).
pub fn check(level: LevelVersion, latest_minor: u32, metadata: &Value, spec: &Value) -> Vec<Forbidden> {
    active_checks(level, latest_minor).into_iter().filter_map(|(_, run)| run(metadata, spec)).collect()
}

/// The IDs of the checks [`check`] runs for `level` on a cluster at `1.<latest_minor>`, in PSA's order.
pub fn check_ids(level: LevelVersion, latest_minor: u32) -> Vec<&'static str> {
    active_checks(level, latest_minor).into_iter().map(|(id, _)| id).collect()
}

/// Which objects PSA evaluates and where their Pod template is: for a Pod, (metadata, spec) of the object itself;
/// for Deployment, ReplicaSet, StatefulSet, DaemonSet (`apps`), Job (`batch`), ReplicationController and
/// PodTemplate (core): the template's; for CronJob (`batch`): `spec.jobTemplate.spec.template`'s. None for other
/// kinds, and for these kinds in another API group than PSA's (when `apiVersion` names one). Missing parts are
/// `Value::Null` (an empty template, which meets every level).
pub fn pod_of(object: &Value) -> Option<(&Value, &Value)> {
    let kind = object.get("kind").and_then(Value::as_str)?;
    let group = match kind {
        "Pod" | "ReplicationController" | "PodTemplate" => "",
        "Deployment" | "ReplicaSet" | "StatefulSet" | "DaemonSet" => "apps",
        "Job" | "CronJob" => "batch",
        _ => return None,
    };
    if let Some(api_version) = object.get("apiVersion").and_then(Value::as_str) {
        let object_group = api_version.rsplit_once('/').map_or("", |(g, _)| g);
        if object_group != group {
            return None;
        }
    }
    let template = match kind {
        "Pod" => object,
        "PodTemplate" => field(object, "template"),
        "CronJob" => field(field(field(field(object, "spec"), "jobTemplate"), "spec"), "template"),
        _ => field(field(object, "spec"), "template"),
    };
    Some((field(template, "metadata"), field(template, "spec")))
}

/// What PSA answers for one object in a namespace, as the API server words it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    /// The refusal for a Pod failing `enforce`: the full message kubectl prints after "Error from server
    /// (Forbidden): ", e.g. `pods "web" is forbidden: violates PodSecurity "restricted:latest":
    /// allowPrivilegeEscalation != false (...)`.
    pub denied: Option<String>,
    /// Warnings (kubectl prints each as `Warning: <text>`): `would violate PodSecurity "restricted:latest": ...`
    /// for an object failing `warn`. Never alongside a refusal.
    pub warnings: Vec<String>,
    /// The audit annotations PSA adds to the request's audit event, keys with their
    /// `pod-security.kubernetes.io/` prefix, sorted by key as the audit log writes them:
    /// `audit-violations` (`would violate PodSecurity "...": ...`) when the object fails `audit`,
    /// `enforce-policy` (`restricted:latest`) for every Pod PSA evaluates, and `error`
    /// (`Failed to parse policy: ...`) when the namespace's labels are invalid.
    pub audit: Vec<(String, String)>,
}

/// What PSA answers for `object` (created, or updated from `operation_is_update_with_old`) in a namespace with
/// `policy` on a cluster at `1.<latest_minor>`, following PSA's `admission.go`:
///
/// * Objects [`pod_of`] does not know get nothing (an empty outcome).
/// * A Pod, when all three modes are privileged: nothing evaluated, the audit annotation `enforce-policy` is
///   `privileged:latest` (whatever the enforce version).
/// * A Pod update that changes no container image and adds or removes no container (PSA's "significant"
///   update: only images are mutable among the fields it checks, apart from ephemeral containers being added):
///   nothing at all.
/// * A Pod is checked against `enforce`, `audit` and `warn`. Failing `enforce` refuses it
///   (`pods "web" is forbidden: violates PodSecurity "baseline:latest": ...`) and then no warning is added, so
///   warn at the enforce level never repeats the refusal as a warning. The Pod's name is `metadata.name`; the
///   API server has generated one from `generateName` before PSA runs, which this engine cannot know, so
///   `generateName` itself stands in for it; with neither the message is `pods is forbidden: ...`.
/// * A workload (any other kind [`pod_of`] knows) is never refused: PSA checks its template against `warn` and
///   `audit` only, on create and on every update, and skips it when both are privileged. A namespace labelled
///   `enforce: restricted` alone still warns about workloads, because [`policy_from_labels`] then sets warn to
///   restricted too; a `Policy` built by hand with a strict enforce and a privileged warn gets no warning for a
///   workload, as with an AdmissionConfiguration whose defaults do that.
///
/// Exemptions (usernames, runtime classes, namespaces) and subresources are out of scope.
pub fn evaluate(
    object: &Value,
    policy: &Policy,
    latest_minor: u32,
    operation_is_update_with_old: Option<&Value>,
) -> Outcome {
    evaluate_parsed(object, policy, &[], latest_minor, operation_is_update_with_old)
}

/// [`evaluate`] in a namespace with these labels (its policy from [`policy_from_labels`] with `defaults`): when a
/// label is invalid, PSA evaluates even a Pod in an otherwise privileged namespace (enforce falls back to
/// restricted) and adds the audit annotation `error` (`Failed to parse policy: <error>`, several errors as
/// `[<error>, <error>]`).
pub fn evaluate_in_namespace(
    object: &Value,
    namespace_labels: Option<&Map<String, Value>>,
    defaults: &Policy,
    latest_minor: u32,
    operation_is_update_with_old: Option<&Value>,
) -> Outcome {
    let (policy, errors) = policy_from_labels(namespace_labels, defaults);
    evaluate_parsed(object, &policy, &errors, latest_minor, operation_is_update_with_old)
}

fn evaluate_parsed(
    object: &Value,
    policy: &Policy,
    errors: &[String],
    latest_minor: u32,
    old: Option<&Value>,
) -> Outcome {
    let Some((metadata, spec)) = pod_of(object) else { return Outcome::default() };
    let is_pod = object.get("kind").and_then(Value::as_str) == Some("Pod");
    if is_pod {
        if errors.is_empty() && policy.fully_privileged() {
            let audit = vec![(ENFORCE_POLICY_ANNOTATION.to_string(), LevelVersion::PRIVILEGED_LATEST.to_string())];
            return Outcome { denied: None, warnings: Vec::new(), audit };
        }
        if let Some(old) = old {
            if !is_significant_pod_update(spec, field(old, "spec")) {
                return Outcome::default();
            }
        }
    } else if errors.is_empty() && policy.warn.level == Level::Privileged && policy.audit.level == Level::Privileged {
        return Outcome::default();
    }

    let mut audit = BTreeMap::new();
    if !errors.is_empty() {
        let error = if errors.len() == 1 { errors[0].clone() } else { format!("[{}]", errors.join(", ")) };
        audit.insert(ERROR_ANNOTATION, format!("Failed to parse policy: {error}"));
    }
    // PSA reuses one evaluation for modes at the same level and version; evaluating again gives the same.
    let mut cache: Vec<(LevelVersion, Vec<Forbidden>)> = Vec::new();
    let mut results = |lv: LevelVersion| -> Vec<Forbidden> {
        if let Some((_, found)) = cache.iter().find(|(seen, _)| *seen == lv) {
            return found.clone();
        }
        let found = check(lv, latest_minor, metadata, spec);
        cache.push((lv, found.clone()));
        found
    };

    let mut denied = None;
    if is_pod {
        audit.insert(ENFORCE_POLICY_ANNOTATION, policy.enforce.to_string());
        let failed = results(policy.enforce);
        if !failed.is_empty() {
            let name = match meta_text(metadata, "name") {
                "" => meta_text(metadata, "generateName"),
                name => name,
            };
            let error = format!("violates PodSecurity {}: {}", go_quote(&policy.enforce.to_string()), reasons(&failed));
            denied = Some(if name.is_empty() {
                format!("pods is forbidden: {error}")
            } else {
                format!("pods {} is forbidden: {error}", go_quote(name))
            });
        }
    }
    let failed = results(policy.audit);
    if !failed.is_empty() {
        audit.insert(AUDIT_VIOLATIONS_ANNOTATION, would_violate(policy.audit, &failed));
    }
    let mut warnings = Vec::new();
    if denied.is_none() {
        let failed = results(policy.warn);
        if !failed.is_empty() {
            warnings.push(would_violate(policy.warn, &failed));
        }
    }
    Outcome { denied, warnings, audit: audit.into_iter().map(|(k, v)| (k.to_string(), v)).collect() }
}

fn would_violate(lv: LevelVersion, failed: &[Forbidden]) -> String {
    format!("would violate PodSecurity {}: {}", go_quote(&lv.to_string()), reasons(failed))
}

/// PSA's `isSignificantPodUpdate`: a different number of containers or init containers, a container or init
/// container (by position) with another image, or an ephemeral container that is new or has another image.
fn is_significant_pod_update(spec: &Value, old_spec: &Value) -> bool {
    for key in ["containers", "initContainers"] {
        let (new, old) = (items(spec, key), items(old_spec, key));
        if new.len() != old.len() || new.iter().zip(old).any(|(n, o)| text(n, "image") != text(o, "image")) {
            return true;
        }
    }
    let old_ephemeral = items(old_spec, "ephemeralContainers");
    items(spec, "ephemeralContainers").iter().any(|c| {
        match old_ephemeral.iter().find(|o| text(o, "name") == text(c, "name")) {
            None => true,
            Some(o) => text(o, "image") != text(c, "image"),
        }
    })
}

// ---------------------------------------------------------------------------------------------------------------
// The checks.

type CheckFn = fn(&Value, &Value) -> Option<Forbidden>;

struct Check {
    id: &'static str,
    level: Level,
    /// (first minor version, what runs from there), oldest first.
    variants: &'static [(u32, CheckFn)],
    /// The baseline check this restricted check replaces wherever it runs.
    overrides: Option<&'static str>,
}

/// Every check, in PSA's order: baseline IDs sorted, then restricted IDs sorted (Go's byte order).
const CHECKS: &[Check] = &[
    Check { id: "appArmorProfile", level: Level::Baseline, variants: &[(0, app_armor_profile)], overrides: None },
    Check {
        id: "capabilities_baseline",
        level: Level::Baseline,
        variants: &[(0, capabilities_baseline)],
        overrides: None,
    },
    Check { id: "hostNamespaces", level: Level::Baseline, variants: &[(0, host_namespaces)], overrides: None },
    Check { id: "hostPathVolumes", level: Level::Baseline, variants: &[(0, host_path_volumes)], overrides: None },
    Check { id: "hostPorts", level: Level::Baseline, variants: &[(0, host_ports)], overrides: None },
    Check {
        id: "hostProbesAndHostLifecycle",
        level: Level::Baseline,
        variants: &[(34, host_probes_and_lifecycle)],
        overrides: None,
    },
    Check { id: "privileged", level: Level::Baseline, variants: &[(0, privileged)], overrides: None },
    Check {
        id: "procMount",
        level: Level::Baseline,
        variants: &[(0, proc_mount), (35, proc_mount_unless_user_namespace)],
        overrides: None,
    },
    Check {
        id: "seLinuxOptions",
        level: Level::Baseline,
        variants: &[(0, se_linux_options_1_0), (31, se_linux_options_1_31)],
        overrides: None,
    },
    Check {
        id: "seccompProfile_baseline",
        level: Level::Baseline,
        variants: &[(0, seccomp_annotations), (19, seccomp_baseline)],
        overrides: None,
    },
    Check {
        id: "sysctls",
        level: Level::Baseline,
        variants: &[(0, sysctls_1_0), (27, sysctls_1_27), (29, sysctls_1_29), (32, sysctls_1_32), (37, sysctls_1_37)],
        overrides: None,
    },
    Check { id: "windowsHostProcess", level: Level::Baseline, variants: &[(0, windows_host_process)], overrides: None },
    Check {
        id: "allowPrivilegeEscalation",
        level: Level::Restricted,
        variants: &[(8, allow_privilege_escalation), (25, allow_privilege_escalation_unless_windows)],
        overrides: None,
    },
    Check {
        id: "capabilities_restricted",
        level: Level::Restricted,
        variants: &[(22, capabilities_restricted), (25, capabilities_restricted_unless_windows)],
        overrides: Some("capabilities_baseline"),
    },
    Check {
        id: "procMount_restricted",
        level: Level::Restricted,
        variants: &[(35, proc_mount)],
        overrides: Some("procMount"),
    },
    Check {
        id: "restrictedVolumes",
        level: Level::Restricted,
        variants: &[(0, restricted_volumes)],
        overrides: Some("hostPathVolumes"),
    },
    Check {
        id: "runAsNonRoot",
        level: Level::Restricted,
        variants: &[(0, run_as_non_root), (35, run_as_non_root_unless_user_namespace)],
        overrides: None,
    },
    Check {
        id: "runAsUser",
        level: Level::Restricted,
        variants: &[(23, run_as_user), (35, run_as_user_unless_user_namespace)],
        overrides: None,
    },
    Check {
        id: "seccompProfile_restricted",
        level: Level::Restricted,
        variants: &[(19, seccomp_restricted), (25, seccomp_restricted_unless_windows)],
        overrides: Some("seccompProfile_baseline"),
    },
];

/// The variant of `check` at `minor`, if the check exists there.
fn variant_at(check: &Check, minor: u32) -> Option<CheckFn> {
    check.variants.iter().rev().find(|(since, _)| *since <= minor).map(|(_, run)| *run)
}

fn active_checks(level: LevelVersion, latest_minor: u32) -> Vec<(&'static str, CheckFn)> {
    if level.level == Level::Privileged {
        return Vec::new();
    }
    let minor = level.version.effective_minor(latest_minor);
    let overridden: Vec<&str> = if level.level == Level::Restricted {
        CHECKS
            .iter()
            .filter(|c| c.level == Level::Restricted && variant_at(c, minor).is_some())
            .filter_map(|c| c.overrides)
            .collect()
    } else {
        Vec::new()
    };
    CHECKS
        .iter()
        .filter(|c| c.level <= level.level && !(c.level == Level::Baseline && overridden.contains(&c.id)))
        .filter_map(|c| variant_at(c, minor).map(|run| (c.id, run)))
        .collect()
}

/// From v1.25 a Pod with `spec.os.name: windows` passes allowPrivilegeEscalation, capabilities and seccomp in
/// restricted (the API server refuses those fields on Windows Pods).
fn is_windows(spec: &Value) -> bool {
    text(field(spec, "os"), "name") == "windows"
}

fn allow_privilege_escalation_unless_windows(metadata: &Value, spec: &Value) -> Option<Forbidden> {
    if is_windows(spec) { None } else { allow_privilege_escalation(metadata, spec) }
}

fn capabilities_restricted_unless_windows(metadata: &Value, spec: &Value) -> Option<Forbidden> {
    if is_windows(spec) { None } else { capabilities_restricted(metadata, spec) }
}

fn seccomp_restricted_unless_windows(metadata: &Value, spec: &Value) -> Option<Forbidden> {
    if is_windows(spec) { None } else { seccomp_restricted(metadata, spec) }
}

/// `hostUsers: false`: the Pod runs in a user namespace.
fn in_user_namespace(spec: &Value) -> bool {
    flag(spec, "hostUsers") == Some(false)
}

fn forbid(reason: &str, detail: String) -> Option<Forbidden> {
    Some(Forbidden { reason: reason.to_string(), detail })
}

/// `container "a"` / `containers "a", "b"`.
fn containers_phrase(names: &[&str]) -> String {
    crate::object::quoted_list("container", names)
}

fn allow_privilege_escalation(_: &Value, spec: &Value) -> Option<Forbidden> {
    let bad: Vec<&str> = containers(spec)
        .filter(|c| flag(field(c, "securityContext"), "allowPrivilegeEscalation") != Some(false))
        .map(name)
        .collect();
    if bad.is_empty() {
        return None;
    }
    forbid(
        "allowPrivilegeEscalation != false",
        format!("{} must set securityContext.allowPrivilegeEscalation=false", containers_phrase(&bad)),
    )
}

const APPARMOR_ANNOTATION_PREFIX: &str = "container.apparmor.security.beta.kubernetes.io/";

fn app_armor_profile(metadata: &Value, spec: &Value) -> Option<Forbidden> {
    let allowed_type = |t: &str| t == "RuntimeDefault" || t == "Localhost";
    let mut setters = Vec::new();
    let mut bad_values = BTreeSet::new();
    if let Some(profile) = present(field(spec, "securityContext"), "appArmorProfile") {
        let t = text(profile, "type");
        if !allowed_type(t) {
            setters.push("pod".to_string());
            bad_values.insert(t.to_string());
        }
    }
    let mut bad_containers = Vec::new();
    for c in containers(spec) {
        if let Some(profile) = present(field(c, "securityContext"), "appArmorProfile") {
            let t = text(profile, "type");
            if !allowed_type(t) {
                bad_containers.push(name(c));
                bad_values.insert(t.to_string());
            }
        }
    }
    if !bad_containers.is_empty() {
        setters.push(containers_phrase(&bad_containers));
    }
    let mut annotations: Vec<String> = entries(field(metadata, "annotations"))
        .filter(|(k, _)| k.starts_with(APPARMOR_ANNOTATION_PREFIX))
        .filter_map(|(k, v)| Some((k, v.as_str()?)))
        .filter(|(_, v)| !(v.is_empty() || *v == "runtime/default" || v.starts_with("localhost/")))
        .map(|(k, v)| format!("{k}={}", go_quote(v)))
        .collect();
    let mut values: Vec<String> = bad_values.into_iter().collect();
    if !annotations.is_empty() {
        annotations.sort();
        setters.push(plural(annotations.len(), "annotation", "annotations").to_string());
        values.append(&mut annotations);
    }
    if setters.is_empty() {
        return None;
    }
    forbid(
        plural(values.len(), "forbidden AppArmor profile", "forbidden AppArmor profiles"),
        format!(
            "{} must not set AppArmor profile type to {}",
            setters.join(" and "),
            crate::object::join_quoted(&values)
        ),
    )
}

/// The capabilities baseline lets containers add (the container runtime's default set).
const DEFAULT_CAPABILITIES: &[&str] = &[
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

fn capabilities_baseline(_: &Value, spec: &Value) -> Option<Forbidden> {
    let mut bad = Vec::new();
    let mut added = BTreeSet::new();
    for c in containers(spec) {
        let Some(capabilities) = present(field(c, "securityContext"), "capabilities") else { continue };
        let mut valid = true;
        for cap in strings(capabilities, "add") {
            if !DEFAULT_CAPABILITIES.contains(&cap) {
                valid = false;
                added.insert(cap);
            }
        }
        if !valid {
            bad.push(name(c));
        }
    }
    if bad.is_empty() {
        return None;
    }
    let added: Vec<&str> = added.into_iter().collect();
    forbid(
        "non-default capabilities",
        format!(
            "{} must not include {} in securityContext.capabilities.add",
            containers_phrase(&bad),
            crate::object::join_quoted(&added)
        ),
    )
}

fn capabilities_restricted(_: &Value, spec: &Value) -> Option<Forbidden> {
    let mut missing_drop_all = Vec::new();
    let mut adding_forbidden = Vec::new();
    let mut forbidden_caps = BTreeSet::new();
    for c in containers(spec) {
        let Some(capabilities) = present(field(c, "securityContext"), "capabilities") else {
            missing_drop_all.push(name(c));
            continue;
        };
        if !strings(capabilities, "drop").any(|cap| cap == "ALL") {
            missing_drop_all.push(name(c));
        }
        let mut adds_forbidden = false;
        for cap in strings(capabilities, "add").filter(|cap| *cap != "NET_BIND_SERVICE") {
            adds_forbidden = true;
            forbidden_caps.insert(cap);
        }
        if adds_forbidden {
            adding_forbidden.push(name(c));
        }
    }
    let mut details = Vec::new();
    if !missing_drop_all.is_empty() {
        details.push(format!(
            r#"{} must set securityContext.capabilities.drop=["ALL"]"#,
            containers_phrase(&missing_drop_all)
        ));
    }
    if !adding_forbidden.is_empty() {
        let caps: Vec<&str> = forbidden_caps.into_iter().collect();
        details.push(format!(
            "{} must not include {} in securityContext.capabilities.add",
            containers_phrase(&adding_forbidden),
            crate::object::join_quoted(&caps)
        ));
    }
    if details.is_empty() {
        return None;
    }
    forbid("unrestricted capabilities", details.join("; "))
}

fn host_namespaces(_: &Value, spec: &Value) -> Option<Forbidden> {
    let shared: Vec<&str> =
        [("hostNetwork", "hostNetwork=true"), ("hostPID", "hostPID=true"), ("hostIPC", "hostIPC=true")]
            .into_iter()
            .filter(|(key, _)| flag(spec, key) == Some(true))
            .map(|(_, said)| said)
            .collect();
    if shared.is_empty() {
        return None;
    }
    forbid("host namespaces", shared.join(", "))
}

fn host_path_volumes(_: &Value, spec: &Value) -> Option<Forbidden> {
    let bad: Vec<&str> = items(spec, "volumes").iter().filter(|v| present(v, "hostPath").is_some()).map(name).collect();
    if bad.is_empty() {
        return None;
    }
    forbid(
        "hostPath volumes",
        format!("{} {}", plural(bad.len(), "volume", "volumes"), crate::object::join_quoted(&bad)),
    )
}

fn host_ports(_: &Value, spec: &Value) -> Option<Forbidden> {
    let mut bad = Vec::new();
    let mut ports = BTreeSet::new();
    for c in containers(spec) {
        let mut valid = true;
        for port in items(c, "ports") {
            let host_port = int(port, "hostPort").unwrap_or(0);
            if host_port != 0 {
                valid = false;
                ports.insert(host_port.to_string());
            }
        }
        if !valid {
            bad.push(name(c));
        }
    }
    if bad.is_empty() {
        return None;
    }
    let ports: Vec<String> = ports.into_iter().collect();
    forbid(
        "hostPort",
        format!(
            "{} {} {} {}",
            containers_phrase(&bad),
            plural(bad.len(), "uses", "use"),
            plural(ports.len(), "hostPort", "hostPorts"),
            ports.join(", ")
        ),
    )
}

fn host_probes_and_lifecycle(_: &Value, spec: &Value) -> Option<Forbidden> {
    let mut bad = BTreeSet::new();
    let mut hosts = BTreeSet::new();
    for c in containers(spec) {
        let lifecycle = field(c, "lifecycle");
        let handlers = ["livenessProbe", "readinessProbe", "startupProbe"]
            .into_iter()
            .map(|probe| field(c, probe))
            .chain(["postStart", "preStop"].into_iter().map(|hook| field(lifecycle, hook)));
        for handler in handlers {
            for action in ["httpGet", "tcpSocket"] {
                let host = text(field(handler, action), "host");
                if !host.is_empty() {
                    bad.insert(name(c));
                    hosts.insert(host);
                }
            }
        }
    }
    if bad.is_empty() {
        return None;
    }
    let bad: Vec<&str> = bad.into_iter().collect();
    let hosts: Vec<&str> = hosts.into_iter().collect();
    forbid(
        "probe or lifecycle host",
        format!(
            "{} {} {} {}",
            containers_phrase(&bad),
            plural(bad.len(), "uses", "use"),
            plural(hosts.len(), "probe or lifecycle host", "probe or lifecycle hosts"),
            crate::object::join_quoted(&hosts)
        ),
    )
}

fn privileged(_: &Value, spec: &Value) -> Option<Forbidden> {
    let bad: Vec<&str> =
        containers(spec).filter(|c| flag(field(c, "securityContext"), "privileged") == Some(true)).map(name).collect();
    if bad.is_empty() {
        return None;
    }
    forbid("privileged", format!("{} must not set securityContext.privileged=true", containers_phrase(&bad)))
}

fn proc_mount(_: &Value, spec: &Value) -> Option<Forbidden> {
    let mut bad = Vec::new();
    let mut types = BTreeSet::new();
    for c in containers(spec) {
        if let Some(proc_mount) = present(field(c, "securityContext"), "procMount").and_then(Value::as_str) {
            if proc_mount != "Default" {
                bad.push(name(c));
                types.insert(proc_mount);
            }
        }
    }
    if bad.is_empty() {
        return None;
    }
    let types: Vec<&str> = types.into_iter().collect();
    forbid(
        "procMount",
        format!(
            "{} must not set securityContext.procMount to {}",
            containers_phrase(&bad),
            crate::object::join_quoted(&types)
        ),
    )
}

fn proc_mount_unless_user_namespace(metadata: &Value, spec: &Value) -> Option<Forbidden> {
    if in_user_namespace(spec) { None } else { proc_mount(metadata, spec) }
}

/// The volume sources restricted allows, and those it names when refusing (in PSA's order of looking).
const RESTRICTED_ALLOWED_VOLUMES: &[&str] = &[
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "image",
    "persistentVolumeClaim",
    "projected",
    "secret",
];
const RESTRICTED_FORBIDDEN_VOLUMES: &[&str] = &[
    "hostPath",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "gitRepo",
    "nfs",
    "iscsi",
    "glusterfs",
    "rbd",
    "flexVolume",
    "cinder",
    "cephfs",
    "flocker",
    "fc",
    "azureFile",
    "vsphereVolume",
    "quobyte",
    "azureDisk",
    "photonPersistentDisk",
    "portworxVolume",
    "scaleIO",
    "storageos",
];

fn restricted_volumes(_: &Value, spec: &Value) -> Option<Forbidden> {
    let mut bad = Vec::new();
    let mut types = BTreeSet::new();
    for volume in items(spec, "volumes") {
        if RESTRICTED_ALLOWED_VOLUMES.iter().any(|source| present(volume, source).is_some()) {
            continue;
        }
        // No known source at all is an emptyDir after the API server's defaulting.
        if let Some(source) = RESTRICTED_FORBIDDEN_VOLUMES.iter().find(|source| present(volume, source).is_some()) {
            bad.push(name(volume));
            types.insert(*source);
        }
    }
    if bad.is_empty() {
        return None;
    }
    let types: Vec<&str> = types.into_iter().collect();
    forbid(
        "restricted volume types",
        format!(
            "{} {} {} {} {}",
            plural(bad.len(), "volume", "volumes"),
            crate::object::join_quoted(&bad),
            plural(bad.len(), "uses", "use"),
            plural(types.len(), "restricted volume type", "restricted volume types"),
            crate::object::join_quoted(&types)
        ),
    )
}

fn run_as_non_root(_: &Value, spec: &Value) -> Option<Forbidden> {
    let mut setters = Vec::new();
    let pod = flag(field(spec, "securityContext"), "runAsNonRoot");
    if pod == Some(false) {
        setters.push("pod".to_string());
    }
    let mut explicitly_bad = Vec::new();
    let mut implicitly_bad = Vec::new();
    for c in containers(spec) {
        match flag(field(c, "securityContext"), "runAsNonRoot") {
            Some(false) => explicitly_bad.push(name(c)),
            Some(true) => {}
            None if pod != Some(true) => implicitly_bad.push(name(c)),
            None => {}
        }
    }
    if !explicitly_bad.is_empty() {
        setters.push(containers_phrase(&explicitly_bad));
    }
    if !setters.is_empty() {
        return forbid(
            "runAsNonRoot != true",
            format!("{} must not set securityContext.runAsNonRoot=false", setters.join(" and ")),
        );
    }
    if !implicitly_bad.is_empty() {
        return forbid(
            "runAsNonRoot != true",
            format!("pod or {} must set securityContext.runAsNonRoot=true", containers_phrase(&implicitly_bad)),
        );
    }
    None
}

fn run_as_non_root_unless_user_namespace(metadata: &Value, spec: &Value) -> Option<Forbidden> {
    if in_user_namespace(spec) { None } else { run_as_non_root(metadata, spec) }
}

fn run_as_user(_: &Value, spec: &Value) -> Option<Forbidden> {
    let mut setters = Vec::new();
    if int(field(spec, "securityContext"), "runAsUser") == Some(0) {
        setters.push("pod".to_string());
    }
    let bad: Vec<&str> =
        containers(spec).filter(|c| int(field(c, "securityContext"), "runAsUser") == Some(0)).map(name).collect();
    if !bad.is_empty() {
        setters.push(containers_phrase(&bad));
    }
    if setters.is_empty() {
        return None;
    }
    forbid("runAsUser=0", format!("{} must not set runAsUser=0", setters.join(" and ")))
}

fn run_as_user_unless_user_namespace(metadata: &Value, spec: &Value) -> Option<Forbidden> {
    if in_user_namespace(spec) { None } else { run_as_user(metadata, spec) }
}

const SELINUX_TYPES_1_0: &[&str] = &["", "container_t", "container_init_t", "container_kvm_t"];
const SELINUX_TYPES_1_31: &[&str] = &["", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"];

fn se_linux_options_1_0(_: &Value, spec: &Value) -> Option<Forbidden> {
    se_linux_options(spec, SELINUX_TYPES_1_0)
}

fn se_linux_options_1_31(_: &Value, spec: &Value) -> Option<Forbidden> {
    se_linux_options(spec, SELINUX_TYPES_1_31)
}

fn se_linux_options(spec: &Value, allowed_types: &[&str]) -> Option<Forbidden> {
    let mut bad_types = BTreeSet::new();
    let (mut set_user, mut set_role) = (false, false);
    let mut valid = |options: &Value| {
        let mut ok = true;
        let t = text(options, "type");
        if !allowed_types.contains(&t) {
            ok = false;
            bad_types.insert(t.to_string());
        }
        if !text(options, "user").is_empty() {
            ok = false;
            set_user = true;
        }
        if !text(options, "role").is_empty() {
            ok = false;
            set_role = true;
        }
        ok
    };
    let mut setters = Vec::new();
    if let Some(options) = present(field(spec, "securityContext"), "seLinuxOptions") {
        if !valid(options) {
            setters.push("pod".to_string());
        }
    }
    let mut bad = Vec::new();
    for c in containers(spec) {
        if let Some(options) = present(field(c, "securityContext"), "seLinuxOptions") {
            if !valid(options) {
                bad.push(name(c));
            }
        }
    }
    if !bad.is_empty() {
        setters.push(containers_phrase(&bad));
    }
    if setters.is_empty() {
        return None;
    }
    let mut data = Vec::new();
    if !bad_types.is_empty() {
        let types: Vec<String> = bad_types.into_iter().collect();
        data.push(format!("{} {}", plural(types.len(), "type", "types"), crate::object::join_quoted(&types)));
    }
    if set_user {
        data.push("user may not be set".to_string());
    }
    if set_role {
        data.push("role may not be set".to_string());
    }
    forbid(
        "seLinuxOptions",
        format!("{} set forbidden securityContext.seLinuxOptions: {}", setters.join(" and "), data.join("; ")),
    )
}

const SECCOMP_POD_ANNOTATION: &str = "seccomp.security.alpha.kubernetes.io/pod";
const SECCOMP_CONTAINER_ANNOTATION_PREFIX: &str = "container.seccomp.security.alpha.kubernetes.io/";

/// Baseline seccomp before v1.19: the alpha annotations, when present, must name an allowed profile.
fn seccomp_annotations(metadata: &Value, spec: &Value) -> Option<Forbidden> {
    let annotations = field(metadata, "annotations");
    let valid = |v: &str| v == "runtime/default" || v == "docker/default" || v.starts_with("localhost/");
    let mut forbidden = BTreeSet::new();
    let mut look = |key: String| {
        if let Some(value) = annotations.get(&key).and_then(Value::as_str) {
            if !valid(value) {
                forbidden.insert(format!("{key}={}", go_quote(value)));
            }
        }
    };
    look(SECCOMP_POD_ANNOTATION.to_string());
    for c in containers(spec) {
        look(format!("{SECCOMP_CONTAINER_ANNOTATION_PREFIX}{}", name(c)));
    }
    if forbidden.is_empty() {
        return None;
    }
    let forbidden: Vec<String> = forbidden.into_iter().collect();
    forbid(
        "seccompProfile",
        format!("forbidden {} {}", plural(forbidden.len(), "annotation", "annotations"), forbidden.join(", ")),
    )
}

fn valid_seccomp(t: &str) -> bool {
    t == "RuntimeDefault" || t == "Localhost"
}

/// Pod-level and container-level seccomp profiles that are set to something other than RuntimeDefault or
/// Localhost: (who set them, the values, whether the pod set a valid one, containers setting none).
fn seccomp_profiles(spec: &Value) -> (Vec<String>, BTreeSet<&str>, bool, Vec<&str>) {
    let mut setters = Vec::new();
    let mut values = BTreeSet::new();
    let mut pod_valid = false;
    if let Some(profile) = present(field(spec, "securityContext"), "seccompProfile") {
        let t = text(profile, "type");
        if valid_seccomp(t) {
            pod_valid = true;
        } else {
            setters.push("pod".to_string());
            values.insert(t);
        }
    }
    let mut explicitly_bad = Vec::new();
    let mut unset = Vec::new();
    for c in containers(spec) {
        match present(field(c, "securityContext"), "seccompProfile") {
            Some(profile) => {
                let t = text(profile, "type");
                if !valid_seccomp(t) {
                    explicitly_bad.push(name(c));
                    values.insert(t);
                }
            }
            None => unset.push(name(c)),
        }
    }
    if !explicitly_bad.is_empty() {
        setters.push(containers_phrase(&explicitly_bad));
    }
    (setters, values, pod_valid, unset)
}

fn seccomp_explicitly_bad(setters: &[String], values: BTreeSet<&str>) -> Option<Forbidden> {
    let values: Vec<&str> = values.into_iter().collect();
    forbid(
        "seccompProfile",
        format!(
            "{} must not set securityContext.seccompProfile.type to {}",
            setters.join(" and "),
            crate::object::join_quoted(&values)
        ),
    )
}

fn seccomp_baseline(_: &Value, spec: &Value) -> Option<Forbidden> {
    let (setters, values, _, _) = seccomp_profiles(spec);
    if setters.is_empty() { None } else { seccomp_explicitly_bad(&setters, values) }
}

fn seccomp_restricted(_: &Value, spec: &Value) -> Option<Forbidden> {
    let (setters, values, pod_valid, unset) = seccomp_profiles(spec);
    if !setters.is_empty() {
        return seccomp_explicitly_bad(&setters, values);
    }
    if !pod_valid && !unset.is_empty() {
        return forbid(
            "seccompProfile",
            format!(
                r#"pod or {} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost""#,
                containers_phrase(&unset)
            ),
        );
    }
    None
}

const SYSCTLS_1_0: &[&str] = &[
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_unprivileged_port_start",
];
const SYSCTLS_1_27: &[&str] = &["net.ipv4.ip_local_reserved_ports"];
const SYSCTLS_1_29: &[&str] = &[
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
];
const SYSCTLS_1_32: &[&str] = &["net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"];
const SYSCTLS_1_37: &[&str] = &["net.ipv4.tcp_slow_start_after_idle", "net.ipv4.tcp_notsent_lowat"];

fn sysctls_1_0(_: &Value, spec: &Value) -> Option<Forbidden> {
    sysctls(spec, &[SYSCTLS_1_0])
}

fn sysctls_1_27(_: &Value, spec: &Value) -> Option<Forbidden> {
    sysctls(spec, &[SYSCTLS_1_0, SYSCTLS_1_27])
}

fn sysctls_1_29(_: &Value, spec: &Value) -> Option<Forbidden> {
    sysctls(spec, &[SYSCTLS_1_0, SYSCTLS_1_27, SYSCTLS_1_29])
}

fn sysctls_1_32(_: &Value, spec: &Value) -> Option<Forbidden> {
    sysctls(spec, &[SYSCTLS_1_0, SYSCTLS_1_27, SYSCTLS_1_29, SYSCTLS_1_32])
}

fn sysctls_1_37(_: &Value, spec: &Value) -> Option<Forbidden> {
    sysctls(spec, &[SYSCTLS_1_0, SYSCTLS_1_27, SYSCTLS_1_29, SYSCTLS_1_32, SYSCTLS_1_37])
}

fn sysctls(spec: &Value, allowed: &[&[&str]]) -> Option<Forbidden> {
    let forbidden: Vec<&str> = items(field(spec, "securityContext"), "sysctls")
        .iter()
        .map(name)
        .filter(|sysctl| !allowed.iter().any(|set| set.contains(sysctl)))
        .collect();
    if forbidden.is_empty() {
        return None;
    }
    forbid("forbidden sysctls", forbidden.join(", "))
}

fn windows_host_process(_: &Value, spec: &Value) -> Option<Forbidden> {
    let host_process = |sc: &Value| flag(field(sc, "windowsOptions"), "hostProcess") == Some(true);
    let bad: Vec<&str> = containers(spec).filter(|c| host_process(field(c, "securityContext"))).map(name).collect();
    let mut setters = Vec::new();
    if host_process(field(spec, "securityContext")) {
        setters.push("pod".to_string());
    }
    if !bad.is_empty() {
        setters.push(containers_phrase(&bad));
    }
    if setters.is_empty() {
        return None;
    }
    forbid(
        "hostProcess",
        format!("{} must not set securityContext.windowsOptions.hostProcess=true", setters.join(" and ")),
    )
}

// ---------------------------------------------------------------------------------------------------------------
// Reading JSON as Go reads the typed object, and writing as Go's fmt does.

static NULL: Value = Value::Null;

/// `v[key]`, or null.
fn field<'v>(v: &'v Value, key: &str) -> &'v Value {
    v.get(key).unwrap_or(&NULL)
}

/// `v[key]` when set to something other than null (a non-nil pointer).
fn present<'v>(v: &'v Value, key: &str) -> Option<&'v Value> {
    v.get(key).filter(|x| !x.is_null())
}

fn flag(v: &Value, key: &str) -> Option<bool> {
    v.get(key).and_then(Value::as_bool)
}

fn text<'v>(v: &'v Value, key: &str) -> &'v str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

fn meta_text<'v>(metadata: &'v Value, key: &str) -> &'v str {
    text(metadata, key)
}

fn int(v: &Value, key: &str) -> Option<i64> {
    let n = v.get(key)?;
    n.as_i64().or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64))
}

fn items<'v>(v: &'v Value, key: &str) -> &'v [Value] {
    v.get(key).and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

fn strings<'v>(v: &'v Value, key: &str) -> impl Iterator<Item = &'v str> {
    items(v, key).iter().filter_map(Value::as_str)
}

fn entries(v: &Value) -> impl Iterator<Item = (&String, &Value)> {
    v.as_object().into_iter().flatten()
}

fn name(v: &Value) -> &str {
    text(v, "name")
}

/// Init containers, containers, then ephemeral containers, as PSA visits them.
fn containers(spec: &Value) -> impl Iterator<Item = &Value> {
    ["initContainers", "containers", "ephemeralContainers"].into_iter().flat_map(move |key| items(spec, key))
}

fn plural<'a>(count: usize, singular: &'a str, plural: &'a str) -> &'a str {
    if count == 1 { singular } else { plural }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const LATEST: u32 = 37;

    fn lv(level: &str, version: &str) -> LevelVersion {
        LevelVersion::parse(level, version).expect("valid level and version")
    }

    fn restricted() -> LevelVersion {
        lv("restricted", "latest")
    }

    fn baseline() -> LevelVersion {
        lv("baseline", "latest")
    }

    fn forbidden(reason: &str, detail: &str) -> Vec<Forbidden> {
        vec![Forbidden { reason: reason.to_string(), detail: detail.to_string() }]
    }

    /// A Pod spec that meets restricted:latest.
    fn good_spec() -> Value {
        json!({
            "securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
            "containers": [{
                "name": "app",
                "image": "nginx",
                "securityContext": {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}}
            }]
        })
    }

    /// `good_spec` with `f` applied to it.
    fn spec_with(f: impl FnOnce(&mut Value)) -> Value {
        let mut spec = good_spec();
        f(&mut spec);
        spec
    }

    fn remove(object: &mut Value, key: &str) {
        if let Some(object) = object.as_object_mut() {
            object.remove(key);
        }
    }

    fn app(spec: &mut Value) -> &mut Value {
        &mut spec["containers"][0]
    }

    fn run(level: LevelVersion, spec: &Value) -> Vec<Forbidden> {
        check(level, LATEST, &json!({}), spec)
    }

    /// A baseline check: the same failure, and only it, at baseline and at restricted.
    fn assert_baseline_failure(spec: &Value, reason: &str, detail: &str) {
        assert_eq!(run(baseline(), spec), forbidden(reason, detail), "baseline");
        assert_eq!(run(restricted(), spec), forbidden(reason, detail), "restricted");
    }

    /// A restricted check: nothing at baseline, only this failure at restricted.
    fn assert_restricted_failure(spec: &Value, reason: &str, detail: &str) {
        assert_eq!(run(baseline(), spec), vec![], "baseline");
        assert_eq!(run(restricted(), spec), forbidden(reason, detail), "restricted");
    }

    #[test]
    fn a_hardened_pod_meets_every_level() {
        let spec = spec_with(|s| {
            s["securityContext"]["seLinuxOptions"] = json!({"type": "container_t"});
            s["securityContext"]["sysctls"] = json!([{"name": "net.ipv4.tcp_syncookies", "value": "1"}]);
            s["securityContext"]["appArmorProfile"] = json!({"type": "RuntimeDefault"});
            s["securityContext"]["runAsUser"] = json!(1000);
            s["volumes"] = json!([
                {"name": "config", "configMap": {"name": "x"}},
                {"name": "scratch", "emptyDir": {}},
                {"name": "defaulted"},
                {"name": "claim", "persistentVolumeClaim": {"claimName": "x"}},
                {"name": "hostPathNull", "hostPath": null, "secret": {"secretName": "x"}}
            ]);
            s["initContainers"] = json!([{
                "name": "init",
                "image": "busybox",
                "securityContext": {
                    "allowPrivilegeEscalation": false,
                    "capabilities": {"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]},
                    "seccompProfile": {"type": "Localhost", "localhostProfile": "p.json"},
                    "procMount": "Default",
                    "privileged": false
                }
            }]);
            app(s)["ports"] = json!([{"containerPort": 8080}, {"containerPort": 9090, "hostPort": 0}]);
            app(s)["readinessProbe"] = json!({"httpGet": {"path": "/", "port": 8080, "host": ""}});
        });
        let metadata =
            json!({"annotations": {"container.apparmor.security.beta.kubernetes.io/app": "runtime/default"}});
        for level in
            [restricted(), baseline(), lv("privileged", "latest"), lv("restricted", "v1.0"), lv("restricted", "v1.24")]
        {
            assert_eq!(check(level, LATEST, &metadata, &spec), vec![], "{level}");
        }
        // Nothing, not even an empty spec or a null one, fails privileged.
        let terrible =
            json!({"hostNetwork": true, "containers": [{"name": "x", "securityContext": {"privileged": true}}]});
        assert_eq!(run(lv("privileged", "v1.20"), &terrible), vec![]);
        assert_eq!(run(restricted(), &Value::Null), vec![]);
    }

    // ----- baseline checks -----

    #[test]
    fn app_armor_profile_fields_and_annotations() {
        let spec = spec_with(|s| app(s)["securityContext"]["appArmorProfile"] = json!({"type": "Unconfined"}));
        assert_baseline_failure(
            &spec,
            "forbidden AppArmor profile",
            r#"container "app" must not set AppArmor profile type to "Unconfined""#,
        );
        let spec = spec_with(|s| s["securityContext"]["appArmorProfile"] = json!({"type": "Unconfined"}));
        assert_baseline_failure(
            &spec,
            "forbidden AppArmor profile",
            r#"pod must not set AppArmor profile type to "Unconfined""#,
        );

        let metadata = json!({"annotations": {
            "container.apparmor.security.beta.kubernetes.io/b": "unconfined",
            "container.apparmor.security.beta.kubernetes.io/a": "localhost/mine",
            "container.apparmor.security.beta.kubernetes.io/c": "runtime/other"
        }});
        let spec = spec_with(|s| app(s)["securityContext"]["appArmorProfile"] = json!({"type": "Unconfined"}));
        assert_eq!(
            check(baseline(), LATEST, &metadata, &spec),
            forbidden(
                "forbidden AppArmor profiles",
                concat!(
                    r#"container "app" and annotations must not set AppArmor profile type to "Unconfined", "#,
                    r#""container.apparmor.security.beta.kubernetes.io/b="unconfined"", "#,
                    r#""container.apparmor.security.beta.kubernetes.io/c="runtime/other"""#
                )
            )
        );
    }

    #[test]
    fn capabilities_baseline_and_its_restricted_override() {
        let spec =
            spec_with(|s| app(s)["securityContext"]["capabilities"]["add"] = json!(["SYS_ADMIN", "CHOWN", "NET_RAW"]));
        assert_eq!(
            run(baseline(), &spec),
            forbidden(
                "non-default capabilities",
                r#"container "app" must not include "NET_RAW", "SYS_ADMIN" in securityContext.capabilities.add"#
            )
        );
        // Restricted replaces it with its own check from v1.22 (CHOWN is default, but restricted allows only
        // NET_BIND_SERVICE).
        assert_eq!(
            run(restricted(), &spec),
            forbidden(
                "unrestricted capabilities",
                r#"container "app" must not include "CHOWN", "NET_RAW", "SYS_ADMIN" in securityContext.capabilities.add"#
            )
        );
        // Before v1.22 restricted runs the baseline check.
        assert_eq!(run(lv("restricted", "v1.21"), &spec)[0].reason, "non-default capabilities");
        assert!(!check_ids(lv("restricted", "v1.21"), LATEST).contains(&"capabilities_restricted"));
        assert!(!check_ids(restricted(), LATEST).contains(&"capabilities_baseline"));
    }

    #[test]
    fn host_namespaces_fails_baseline() {
        let spec = spec_with(|s| {
            s["hostIPC"] = json!(true);
            s["hostNetwork"] = json!(true);
            s["hostPID"] = json!(false);
        });
        assert_baseline_failure(&spec, "host namespaces", "hostNetwork=true, hostIPC=true");
    }

    #[test]
    fn host_path_volumes_and_restricted_volumes() {
        let spec = spec_with(|s| s["volumes"] = json!([{"name": "data", "hostPath": {"path": "/var"}}]));
        assert_eq!(run(baseline(), &spec), forbidden("hostPath volumes", r#"volume "data""#));
        assert_eq!(
            run(restricted(), &spec),
            forbidden("restricted volume types", r#"volume "data" uses restricted volume type "hostPath""#)
        );
        let spec = spec_with(|s| {
            s["volumes"] = json!([
                {"name": "a", "hostPath": {"path": "/"}},
                {"name": "b", "hostPath": {"path": "/etc"}}
            ])
        });
        assert_eq!(run(baseline(), &spec), forbidden("hostPath volumes", r#"volumes "a", "b""#));
    }

    #[test]
    fn host_ports_fails_baseline() {
        let spec = spec_with(|s| app(s)["ports"] = json!([{"containerPort": 80, "hostPort": 8080}]));
        assert_baseline_failure(&spec, "hostPort", r#"container "app" uses hostPort 8080"#);
        let spec = spec_with(|s| {
            app(s)["ports"] = json!([{"containerPort": 80, "hostPort": 80}, {"containerPort": 443, "hostPort": 443}]);
            s["initContainers"] = json!([{"name": "init", "image": "x", "ports": [{"hostPort": 80}],
                "securityContext": {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}}}]);
        });
        assert_baseline_failure(&spec, "hostPort", r#"containers "init", "app" use hostPorts 443, 80"#);
    }

    #[test]
    fn host_probes_and_lifecycle_fails_baseline_from_1_34() {
        let spec = spec_with(|s| {
            app(s)["livenessProbe"] = json!({"httpGet": {"port": 80, "host": "10.0.0.1"}});
            app(s)["lifecycle"] = json!({"preStop": {"tcpSocket": {"port": 80, "host": "localhost"}}});
        });
        assert_baseline_failure(
            &spec,
            "probe or lifecycle host",
            r#"container "app" uses probe or lifecycle hosts "10.0.0.1", "localhost""#,
        );
        assert_eq!(run(lv("baseline", "v1.33"), &spec), vec![]);
        assert_eq!(check(baseline(), 33, &json!({}), &spec), vec![], "latest on a 1.33 cluster");
    }

    #[test]
    fn privileged_fails_baseline() {
        let spec = spec_with(|s| app(s)["securityContext"]["privileged"] = json!(true));
        assert_baseline_failure(&spec, "privileged", r#"container "app" must not set securityContext.privileged=true"#);
    }

    #[test]
    fn proc_mount_baseline_and_restricted() {
        let spec = spec_with(|s| app(s)["securityContext"]["procMount"] = json!("Unmasked"));
        assert_baseline_failure(
            &spec,
            "procMount",
            r#"container "app" must not set securityContext.procMount to "Unmasked""#,
        );
        assert_eq!(check_ids(restricted(), LATEST).iter().filter(|id| id.starts_with("procMount")).count(), 1);

        // In a user namespace baseline allows it from v1.35; restricted still refuses it.
        let spec = spec_with(|s| {
            s["hostUsers"] = json!(false);
            app(s)["securityContext"]["procMount"] = json!("Unmasked");
        });
        assert_restricted_failure(
            &spec,
            "procMount",
            r#"container "app" must not set securityContext.procMount to "Unmasked""#,
        );
        assert_eq!(run(lv("baseline", "v1.34"), &spec).len(), 1);
        assert_eq!(
            check_ids(lv("restricted", "v1.34"), LATEST).iter().filter(|id| id.starts_with("procMount")).count(),
            1
        );
    }

    #[test]
    fn se_linux_options_fails_baseline() {
        let spec = spec_with(|s| app(s)["securityContext"]["seLinuxOptions"] = json!({"type": "spc_t"}));
        assert_baseline_failure(
            &spec,
            "seLinuxOptions",
            r#"container "app" set forbidden securityContext.seLinuxOptions: type "spc_t""#,
        );
        let spec = spec_with(|s| {
            s["securityContext"]["seLinuxOptions"] = json!({"type": "foo", "user": "root"});
            app(s)["securityContext"]["seLinuxOptions"] = json!({"type": "bar", "role": "sysadm_r"});
        });
        assert_baseline_failure(
            &spec,
            "seLinuxOptions",
            r#"pod and container "app" set forbidden securityContext.seLinuxOptions: types "bar", "foo"; user may not be set; role may not be set"#,
        );
        // container_engine_t is allowed from v1.31.
        let spec = spec_with(|s| s["securityContext"]["seLinuxOptions"] = json!({"type": "container_engine_t"}));
        assert_eq!(run(baseline(), &spec), vec![]);
        assert_eq!(
            run(lv("baseline", "v1.30"), &spec),
            forbidden(
                "seLinuxOptions",
                r#"pod set forbidden securityContext.seLinuxOptions: type "container_engine_t""#
            )
        );
    }

    #[test]
    fn seccomp_baseline_fields_and_annotations() {
        let spec = spec_with(|s| s["securityContext"]["seccompProfile"] = json!({"type": "Unconfined"}));
        assert_baseline_failure(
            &spec,
            "seccompProfile",
            r#"pod must not set securityContext.seccompProfile.type to "Unconfined""#,
        );
        let spec = spec_with(|s| app(s)["securityContext"]["seccompProfile"] = json!({"type": "Unconfined"}));
        assert_baseline_failure(
            &spec,
            "seccompProfile",
            r#"container "app" must not set securityContext.seccompProfile.type to "Unconfined""#,
        );
        // Before v1.19, the alpha annotations.
        let metadata = json!({"annotations": {
            "seccomp.security.alpha.kubernetes.io/pod": "unconfined",
            "container.seccomp.security.alpha.kubernetes.io/app": "docker/default",
            "container.seccomp.security.alpha.kubernetes.io/other": "unconfined"
        }});
        assert_eq!(
            check(lv("baseline", "v1.18"), LATEST, &metadata, &good_spec()),
            forbidden(
                "seccompProfile",
                r#"forbidden annotation seccomp.security.alpha.kubernetes.io/pod="unconfined""#
            )
        );
        assert_eq!(check(baseline(), LATEST, &metadata, &good_spec()), vec![]);
        // Restricted before v1.19 runs the annotation check (and has no seccomp check of its own).
        let ids = check_ids(lv("restricted", "v1.18"), LATEST);
        assert!(ids.contains(&"seccompProfile_baseline") && !ids.contains(&"seccompProfile_restricted"));
    }

    #[test]
    fn sysctls_allowed_list_grows_with_versions() {
        let spec = spec_with(|s| {
            s["securityContext"]["sysctls"] = json!([
                {"name": "kernel.msgmax", "value": "1"},
                {"name": "net.ipv4.tcp_syncookies", "value": "1"},
                {"name": "kernel.sem", "value": "1"}
            ])
        });
        assert_baseline_failure(&spec, "forbidden sysctls", "kernel.msgmax, kernel.sem");
        for (sysctl, since) in [
            ("net.ipv4.ip_local_reserved_ports", 27),
            ("net.ipv4.tcp_keepalive_time", 29),
            ("net.ipv4.tcp_rmem", 32),
            ("net.ipv4.tcp_notsent_lowat", 37),
        ] {
            let spec = spec_with(|s| s["securityContext"]["sysctls"] = json!([{"name": sysctl, "value": "1"}]));
            let before = LevelVersion { level: Level::Baseline, version: Version::Minor(since - 1) };
            let from = LevelVersion { level: Level::Baseline, version: Version::Minor(since) };
            assert_eq!(run(before, &spec), forbidden("forbidden sysctls", sysctl), "{sysctl} before v1.{since}");
            assert_eq!(run(from, &spec), vec![], "{sysctl} from v1.{since}");
        }
        // latest on an older cluster is that cluster's version.
        let spec = spec_with(|s| s["securityContext"]["sysctls"] = json!([{"name": "net.ipv4.tcp_notsent_lowat"}]));
        assert_eq!(check(baseline(), 36, &json!({}), &spec).len(), 1);
        assert_eq!(check(lv("baseline", "v1.40"), 36, &json!({}), &spec).len(), 1);
    }

    #[test]
    fn windows_host_process_fails_baseline() {
        let spec = spec_with(|s| s["securityContext"]["windowsOptions"] = json!({"hostProcess": true}));
        assert_baseline_failure(
            &spec,
            "hostProcess",
            "pod must not set securityContext.windowsOptions.hostProcess=true",
        );
    }

    // ----- restricted checks -----

    #[test]
    fn allow_privilege_escalation_fails_restricted() {
        let spec = spec_with(|s| {
            remove(&mut app(s)["securityContext"], "allowPrivilegeEscalation");
        });
        assert_restricted_failure(
            &spec,
            "allowPrivilegeEscalation != false",
            r#"container "app" must set securityContext.allowPrivilegeEscalation=false"#,
        );
        assert!(!check_ids(lv("restricted", "v1.7"), LATEST).contains(&"allowPrivilegeEscalation"));
    }

    #[test]
    fn capabilities_restricted_fails_restricted() {
        let spec = spec_with(|s| app(s)["securityContext"]["capabilities"] = json!({"drop": ["NET_RAW"]}));
        assert_restricted_failure(
            &spec,
            "unrestricted capabilities",
            r#"container "app" must set securityContext.capabilities.drop=["ALL"]"#,
        );
        let spec = spec_with(|s| {
            app(s)["securityContext"]["capabilities"] = json!({"add": ["NET_BIND_SERVICE", "KILL"]});
        });
        assert_eq!(
            run(restricted(), &spec),
            forbidden(
                "unrestricted capabilities",
                r#"container "app" must set securityContext.capabilities.drop=["ALL"]; container "app" must not include "KILL" in securityContext.capabilities.add"#
            )
        );
    }

    #[test]
    fn restricted_volumes_fails_restricted() {
        let spec = spec_with(|s| {
            s["volumes"] = json!([
                {"name": "data", "nfs": {"server": "x", "path": "/"}},
                {"name": "ok", "projected": {"sources": []}},
                {"name": "repo", "gitRepo": {"repository": "x"}}
            ])
        });
        assert_restricted_failure(
            &spec,
            "restricted volume types",
            r#"volumes "data", "repo" use restricted volume types "gitRepo", "nfs""#,
        );
    }

    #[test]
    fn run_as_non_root_fails_restricted() {
        let spec = spec_with(|s| {
            remove(&mut s["securityContext"], "runAsNonRoot");
        });
        assert_restricted_failure(
            &spec,
            "runAsNonRoot != true",
            r#"pod or container "app" must set securityContext.runAsNonRoot=true"#,
        );
        let spec = spec_with(|s| app(s)["securityContext"]["runAsNonRoot"] = json!(false));
        assert_restricted_failure(
            &spec,
            "runAsNonRoot != true",
            r#"container "app" must not set securityContext.runAsNonRoot=false"#,
        );
        // In a user namespace from v1.35.
        let spec = spec_with(|s| {
            s["hostUsers"] = json!(false);
            s["securityContext"]["runAsNonRoot"] = json!(false);
        });
        assert_eq!(run(restricted(), &spec), vec![]);
        assert_eq!(
            run(lv("restricted", "v1.34"), &spec)[0].detail,
            "pod must not set securityContext.runAsNonRoot=false"
        );
    }

    #[test]
    fn run_as_user_fails_restricted_from_1_23() {
        let spec = spec_with(|s| s["securityContext"]["runAsUser"] = json!(0));
        assert_restricted_failure(&spec, "runAsUser=0", "pod must not set runAsUser=0");
        assert_eq!(run(lv("restricted", "v1.22"), &spec), vec![]);
        assert_eq!(run(lv("restricted", "v1.23"), &spec).len(), 1);
        let spec = spec_with(|s| {
            s["securityContext"]["runAsUser"] = json!(0);
            app(s)["securityContext"]["runAsUser"] = json!(0);
        });
        assert_restricted_failure(&spec, "runAsUser=0", r#"pod and container "app" must not set runAsUser=0"#);
    }

    #[test]
    fn seccomp_restricted_fails_restricted_from_1_19() {
        let spec = spec_with(|s| {
            remove(&mut s["securityContext"], "seccompProfile");
        });
        assert_restricted_failure(
            &spec,
            "seccompProfile",
            r#"pod or container "app" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost""#,
        );
        assert_eq!(run(lv("restricted", "v1.18"), &spec), vec![]);
    }

    #[test]
    fn windows_pods_skip_three_restricted_checks_from_1_25() {
        let spec = json!({
            "os": {"name": "windows"},
            "securityContext": {"runAsNonRoot": true},
            "containers": [{"name": "app", "image": "win"}]
        });
        assert_eq!(run(restricted(), &spec), vec![]);
        let reasons: Vec<String> = run(lv("restricted", "v1.24"), &spec).into_iter().map(|f| f.reason).collect();
        assert_eq!(reasons, ["allowPrivilegeEscalation != false", "unrestricted capabilities", "seccompProfile"]);
    }

    // ----- order, versions, messages -----

    #[test]
    fn checks_run_in_psa_order() {
        let (baseline_ids, restricted_ids): (Vec<&Check>, Vec<&Check>) =
            CHECKS.iter().partition(|c| c.level == Level::Baseline);
        for group in [baseline_ids, restricted_ids] {
            assert!(group.windows(2).all(|w| w[0].id < w[1].id), "sorted by byte order");
        }
        assert_eq!(
            check_ids(restricted(), LATEST),
            [
                "appArmorProfile",
                "hostNamespaces",
                "hostPorts",
                "hostProbesAndHostLifecycle",
                "privileged",
                "seLinuxOptions",
                "sysctls",
                "windowsHostProcess",
                "allowPrivilegeEscalation",
                "capabilities_restricted",
                "procMount_restricted",
                "restrictedVolumes",
                "runAsNonRoot",
                "runAsUser",
                "seccompProfile_restricted",
            ]
        );
        assert_eq!(check_ids(baseline(), LATEST).len(), 12);
        assert_eq!(check_ids(lv("privileged", "latest"), LATEST), Vec::<&str>::new());
    }

    #[test]
    fn a_refused_pod_names_every_failure_in_order() {
        let pod = json!({
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "web", "namespace": "shop"},
            "spec": {
                "hostNetwork": true,
                "containers": [
                    {"name": "app", "image": "nginx", "securityContext": {"privileged": true}},
                    {"name": "sidecar", "image": "envoy", "ports": [{"containerPort": 80, "hostPort": 80}]}
                ]
            }
        });
        let policy = Policy { enforce: restricted(), ..Policy::default() };
        let outcome = evaluate(&pod, &policy, LATEST, None);
        assert_eq!(
            outcome.denied.as_deref(),
            Some(concat!(
                r#"pods "web" is forbidden: violates PodSecurity "restricted:latest": "#,
                r#"host namespaces (hostNetwork=true), "#,
                r#"hostPort (container "sidecar" uses hostPort 80), "#,
                r#"privileged (container "app" must not set securityContext.privileged=true), "#,
                r#"allowPrivilegeEscalation != false (containers "app", "sidecar" must set securityContext.allowPrivilegeEscalation=false), "#,
                r#"unrestricted capabilities (containers "app", "sidecar" must set securityContext.capabilities.drop=["ALL"]), "#,
                r#"runAsNonRoot != true (pod or containers "app", "sidecar" must set securityContext.runAsNonRoot=true), "#,
                r#"seccompProfile (pod or containers "app", "sidecar" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")"#
            ))
        );
        assert_eq!(outcome.warnings, Vec::<String>::new());
        assert_eq!(outcome.audit, [(ENFORCE_POLICY_ANNOTATION.to_string(), "restricted:latest".to_string())]);
    }

    #[test]
    fn the_usual_unhardened_pod() {
        let pod = json!({"kind": "Pod", "metadata": {"generateName": "web-"},
            "spec": {"containers": [{"name": "app", "image": "nginx"}]}});
        let failed = check(lv("restricted", "v1.30"), LATEST, &pod["metadata"], &pod["spec"]);
        assert_eq!(
            reason_summary(&failed),
            "allowPrivilegeEscalation != false, unrestricted capabilities, runAsNonRoot != true, seccompProfile"
        );
        let policy = Policy { enforce: lv("restricted", "v1.30"), ..Policy::default() };
        let denied = evaluate(&pod, &policy, LATEST, None).denied.unwrap_or_default();
        assert!(denied.starts_with(r#"pods "web-" is forbidden: violates PodSecurity "restricted:v1.30": allowPrivilegeEscalation != false (container "app" must"#), "{denied}");
        let unnamed = json!({"kind": "Pod", "spec": {"containers": [{"name": "app", "image": "nginx"}]}});
        let denied = evaluate(&unnamed, &policy, LATEST, None).denied.unwrap_or_default();
        assert!(denied.starts_with(r#"pods is forbidden: violates PodSecurity "restricted:v1.30": "#), "{denied}");
    }

    // ----- labels -----

    fn labels(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn level_versions_parse_and_print_as_psa() {
        assert_eq!(lv("restricted", "latest").to_string(), "restricted:latest");
        assert_eq!(lv("baseline", "v1.30").to_string(), "baseline:v1.30");
        assert_eq!(lv("privileged", "v1.0").version, Version::Minor(0));
        assert_eq!(
            LevelVersion::parse("Restricted", "latest"),
            Err("must be one of privileged, baseline, restricted".into())
        );
        for bad in ["1.30", "v1.030", "v2.1", "v1.", "v1.3a", "Latest", ""] {
            assert_eq!(LevelVersion::parse("baseline", bad), Err(r#"must be "latest" or "v1.x""#.into()), "{bad}");
        }
    }

    #[test]
    fn policy_from_valid_labels() {
        let l = labels(json!({
            "pod-security.kubernetes.io/enforce": "baseline",
            "pod-security.kubernetes.io/enforce-version": "v1.30",
            "pod-security.kubernetes.io/warn": "restricted",
            "pod-security.kubernetes.io/warn-version": "latest",
            "pod-security.kubernetes.io/audit": "restricted",
            "kubernetes.io/metadata.name": "shop"
        }));
        let (policy, errors) = policy_from_labels(Some(&l), &Policy::default());
        assert_eq!(errors, Vec::<String>::new());
        assert_eq!(
            policy,
            Policy {
                enforce: lv("baseline", "v1.30"),
                warn: lv("restricted", "latest"),
                audit: lv("restricted", "latest")
            }
        );
    }

    #[test]
    fn policy_from_missing_labels_is_the_defaults() {
        let defaults = Policy { enforce: baseline(), warn: restricted(), audit: lv("restricted", "v1.29") };
        assert_eq!(policy_from_labels(None, &defaults), (defaults.clone(), vec![]));
        let other = labels(json!({"app": "shop"}));
        assert_eq!(policy_from_labels(Some(&other), &defaults), (defaults.clone(), vec![]));
        // Only the version set: the default level at that version.
        let version_only = labels(json!({"pod-security.kubernetes.io/enforce-version": "v1.29"}));
        assert_eq!(policy_from_labels(Some(&version_only), &defaults).0.enforce, lv("baseline", "v1.29"));
    }

    #[test]
    fn enforce_alone_sets_warn_too() {
        let l = labels(json!({
            "pod-security.kubernetes.io/enforce": "restricted",
            "pod-security.kubernetes.io/enforce-version": "v1.31"
        }));
        let (policy, _) = policy_from_labels(Some(&l), &Policy::default());
        assert_eq!(policy.warn, lv("restricted", "v1.31"));
        assert_eq!(policy.audit, lv("privileged", "latest"));
        // Not when warn is labelled, nor when the default warn is as strict.
        let l = labels(
            json!({"pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/warn": "baseline"}),
        );
        assert_eq!(policy_from_labels(Some(&l), &Policy::default()).0.warn, baseline());
        let strict_warn = Policy { warn: lv("restricted", "v1.25"), ..Policy::default() };
        let l = labels(json!({"pod-security.kubernetes.io/enforce": "baseline"}));
        assert_eq!(policy_from_labels(Some(&l), &strict_warn).0.warn, lv("restricted", "v1.25"));
    }

    #[test]
    fn invalid_labels_are_errors_with_psa_fallbacks() {
        let l = labels(json!({
            "pod-security.kubernetes.io/enforce": "strict",
            "pod-security.kubernetes.io/enforce-version": "v1.30",
            "pod-security.kubernetes.io/warn": "loud",
            "pod-security.kubernetes.io/audit-version": "1.30"
        }));
        let defaults = Policy { warn: baseline(), audit: baseline(), ..Policy::default() };
        let (policy, errors) = policy_from_labels(Some(&l), &defaults);
        assert_eq!(
            errors,
            [
                r#"metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "strict": must be one of privileged, baseline, restricted"#,
                r#"metadata.labels[pod-security.kubernetes.io/audit-version]: Invalid value: "1.30": must be "latest" or "v1.x""#,
                r#"metadata.labels[pod-security.kubernetes.io/warn]: Invalid value: "loud": must be one of privileged, baseline, restricted"#,
            ]
        );
        // Enforce falls back to restricted (keeping its valid version), warn fails open to privileged, a bad
        // version is latest.
        assert_eq!(
            policy,
            Policy { enforce: lv("restricted", "v1.30"), warn: lv("privileged", "latest"), audit: baseline() }
        );
        let odd = labels(json!({"pod-security.kubernetes.io/enforce": "bad\"value\n"}));
        assert_eq!(
            policy_from_labels(Some(&odd), &Policy::default()).1,
            [
                r#"metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "bad\"value\n": must be one of privileged, baseline, restricted"#
            ]
        );
    }

    // ----- admission -----

    fn deployment() -> Value {
        json!({
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "web"},
            "spec": {"template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "app", "image": "nginx", "securityContext": {"privileged": true}}]}
            }}
        })
    }

    #[test]
    fn a_workload_gets_a_warning_not_a_refusal() {
        let ns = labels(json!({"pod-security.kubernetes.io/enforce": "baseline"}));
        let outcome = evaluate_in_namespace(&deployment(), Some(&ns), &Policy::default(), LATEST, None);
        assert_eq!(outcome.denied, None);
        assert_eq!(
            outcome.warnings,
            [
                r#"would violate PodSecurity "baseline:latest": privileged (container "app" must not set securityContext.privileged=true)"#
            ]
        );
        assert_eq!(outcome.audit, vec![]);
        // Updates of workloads are evaluated too.
        assert_eq!(
            evaluate_in_namespace(&deployment(), Some(&ns), &Policy::default(), LATEST, Some(&deployment())),
            outcome
        );
        // Enforce alone (no warn, as with an AdmissionConfiguration's defaults) is not checked for workloads.
        let policy = Policy { enforce: baseline(), ..Policy::default() };
        assert_eq!(evaluate(&deployment(), &policy, LATEST, None), Outcome::default());
    }

    #[test]
    fn a_pod_failing_warn_is_admitted_with_a_warning_and_audited() {
        let pod = json!({"kind": "Pod", "metadata": {"name": "web"},
            "spec": {"containers": [{"name": "app", "image": "nginx"}]}});
        let policy = Policy { enforce: baseline(), warn: restricted(), audit: lv("restricted", "v1.21") };
        let outcome = evaluate(&pod, &policy, LATEST, None);
        assert_eq!(outcome.denied, None);
        assert_eq!(outcome.warnings.len(), 1);
        assert!(
            outcome.warnings[0]
                .starts_with(r#"would violate PodSecurity "restricted:latest": allowPrivilegeEscalation != false ("#)
        );
        assert_eq!(
            outcome.audit,
            [
                (
                    AUDIT_VIOLATIONS_ANNOTATION.to_string(),
                    concat!(
                        r#"would violate PodSecurity "restricted:v1.21": allowPrivilegeEscalation != false (container "app" must set securityContext.allowPrivilegeEscalation=false), "#,
                        r#"runAsNonRoot != true (pod or container "app" must set securityContext.runAsNonRoot=true), "#,
                        r#"seccompProfile (pod or container "app" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")"#
                    )
                    .to_string()
                ),
                (ENFORCE_POLICY_ANNOTATION.to_string(), "baseline:latest".to_string()),
            ]
        );
    }

    #[test]
    fn warn_at_the_enforce_level_does_not_repeat_a_refusal() {
        let pod = json!({"kind": "Pod", "metadata": {"name": "web"},
            "spec": {"hostPID": true, "containers": [{"name": "app", "image": "nginx"}]}});
        let ns = labels(
            json!({"pod-security.kubernetes.io/enforce": "baseline", "pod-security.kubernetes.io/audit": "baseline"}),
        );
        let outcome = evaluate_in_namespace(&pod, Some(&ns), &Policy::default(), LATEST, None);
        assert_eq!(
            outcome.denied.as_deref(),
            Some(r#"pods "web" is forbidden: violates PodSecurity "baseline:latest": host namespaces (hostPID=true)"#)
        );
        assert_eq!(outcome.warnings, Vec::<String>::new());
        assert_eq!(
            outcome.audit[0].1,
            r#"would violate PodSecurity "baseline:latest": host namespaces (hostPID=true)"#
        );
    }

    #[test]
    fn privileged_namespaces() {
        let pod = json!({"kind": "Pod", "metadata": {"name": "web"},
            "spec": {"hostPID": true, "containers": [{"name": "app", "image": "nginx"}]}});
        let privileged_latest = vec![(ENFORCE_POLICY_ANNOTATION.to_string(), "privileged:latest".to_string())];
        assert_eq!(
            evaluate(&pod, &Policy::default(), LATEST, None),
            Outcome { denied: None, warnings: vec![], audit: privileged_latest.clone() }
        );
        // Fully privileged short-circuits with privileged:latest whatever the version.
        let ns = labels(
            json!({"pod-security.kubernetes.io/enforce": "privileged", "pod-security.kubernetes.io/enforce-version": "v1.30"}),
        );
        assert_eq!(evaluate_in_namespace(&pod, Some(&ns), &Policy::default(), LATEST, None).audit, privileged_latest);
        // Enforce privileged with a stricter warn: evaluated, admitted with a warning.
        let policy = Policy { enforce: lv("privileged", "v1.30"), warn: baseline(), ..Policy::default() };
        let outcome = evaluate(&pod, &policy, LATEST, None);
        assert_eq!(outcome.denied, None);
        assert_eq!(
            outcome.warnings,
            [r#"would violate PodSecurity "baseline:latest": host namespaces (hostPID=true)"#]
        );
        assert_eq!(outcome.audit, [(ENFORCE_POLICY_ANNOTATION.to_string(), "privileged:v1.30".to_string())]);
    }

    #[test]
    fn invalid_labels_enforce_restricted_and_are_audited() {
        let pod = json!({"kind": "Pod", "metadata": {"name": "web"},
            "spec": {"containers": [{"name": "app", "image": "nginx"}]}});
        let ns = labels(json!({"pod-security.kubernetes.io/enforce": "nope"}));
        let outcome = evaluate_in_namespace(&pod, Some(&ns), &Policy::default(), LATEST, None);
        assert!(outcome.denied.unwrap_or_default().contains(r#"violates PodSecurity "restricted:latest""#));
        assert_eq!(
            outcome.audit,
            [
                (ENFORCE_POLICY_ANNOTATION.to_string(), "restricted:latest".to_string()),
                (
                    ERROR_ANNOTATION.to_string(),
                    r#"Failed to parse policy: metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "nope": must be one of privileged, baseline, restricted"#.to_string()
                ),
            ]
        );
    }

    #[test]
    fn pod_updates_that_change_no_image_are_ignored() {
        let old = json!({"kind": "Pod", "metadata": {"name": "web"},
            "spec": {"hostPID": true, "containers": [{"name": "app", "image": "nginx:1"}]}});
        let policy = Policy { enforce: baseline(), ..Policy::default() };
        let mut relabelled = old.clone();
        relabelled["metadata"]["labels"] = json!({"tier": "web"});
        relabelled["spec"]["activeDeadlineSeconds"] = json!(30);
        assert_eq!(evaluate(&relabelled, &policy, LATEST, Some(&old)), Outcome::default());

        let mut new_image = old.clone();
        new_image["spec"]["containers"][0]["image"] = json!("nginx:2");
        assert!(evaluate(&new_image, &policy, LATEST, Some(&old)).denied.is_some());

        let mut debugged = old.clone();
        debugged["spec"]["ephemeralContainers"] = json!([{"name": "debug", "image": "busybox"}]);
        assert!(evaluate(&debugged, &policy, LATEST, Some(&old)).denied.is_some());
        assert!(evaluate(&debugged, &policy, LATEST, Some(&debugged)).denied.is_none());
        // A create of the same Pod is refused.
        assert!(evaluate(&old, &policy, LATEST, None).denied.is_some());
    }

    #[test]
    fn pod_templates_are_found_where_psa_looks() {
        let template = json!({"metadata": {"labels": {"a": "b"}}, "spec": {"containers": []}});
        let cases = [
            json!({"apiVersion": "batch/v1", "kind": "Job", "spec": {"template": template}}),
            json!({"apiVersion": "batch/v1", "kind": "CronJob", "spec": {"jobTemplate": {"spec": {"template": template}}}}),
            json!({"apiVersion": "v1", "kind": "PodTemplate", "template": template}),
            json!({"apiVersion": "v1", "kind": "ReplicationController", "spec": {"template": template}}),
            json!({"apiVersion": "apps/v1", "kind": "DaemonSet", "spec": {"template": template}}),
            json!({"kind": "StatefulSet", "spec": {"template": template}}),
        ];
        for object in &cases {
            assert_eq!(pod_of(object), Some((&template["metadata"], &template["spec"])), "{object}");
        }
        let pod = json!({"kind": "Pod", "metadata": {"name": "p"}});
        assert_eq!(pod_of(&pod), Some((&pod["metadata"], &Value::Null)));
        for other in [
            json!({"apiVersion": "v1", "kind": "Service"}),
            json!({"apiVersion": "example.com/v1", "kind": "Deployment", "spec": {"template": template}}),
            json!({"apiVersion": "extensions/v1beta1", "kind": "Deployment"}),
            json!({"metadata": {}}),
        ] {
            assert_eq!(pod_of(&other), None, "{other}");
            let policy = Policy { enforce: restricted(), warn: restricted(), audit: restricted() };
            assert_eq!(evaluate(&other, &policy, LATEST, None), Outcome::default());
        }
    }

    #[test]
    fn go_quoting() {
        assert_eq!(go_quote("plain"), r#""plain""#);
        assert_eq!(go_quote("a\"b\\c\td\u{1}é\u{a0}"), r#""a\"b\\c\td\x01é\u00a0""#);
        assert_eq!(crate::object::join_quoted::<&str>(&[]), "");
        assert_eq!(crate::object::join_quoted(&["a\"", "b"]), r#""a"", "b""#);
    }
}
