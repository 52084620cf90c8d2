//! Gatekeeper's `Config` (`config.gatekeeper.sh/v1alpha1`, kind `Config`): the namespaces each Gatekeeper
//! process leaves alone (`spec.match[].excludedNamespaces` with `processes`), and which kinds are synced into
//! `data.inventory` (`spec.sync.syncOnly`).

use serde_json::Value;

use crate::matching::{Wildcard, valid_wildcard};
use crate::object::{self, FieldError, Gvk};

/// The API group of Gatekeeper's Config.
pub const CONFIG_GROUP: &str = "config.gatekeeper.sh";

/// A Gatekeeper process a namespace can be exempt from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Process {
    /// The validating webhook (`webhook`).
    Webhook,
    /// The mutating webhook (`mutation-webhook`).
    MutationWebhook,
}

impl Process {
    /// The name in `processes`.
    pub fn as_str(self) -> &'static str {
        match self {
            Process::Webhook => "webhook",
            Process::MutationWebhook => "mutation-webhook",
        }
    }
}

/// One `spec.match` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Exemption {
    /// `excludedNamespaces`: exact names, `prefix*` or `*suffix`.
    pub namespaces: Vec<Wildcard>,
    /// `processes`: `*`, `audit`, `webhook`, `mutation-webhook`, `sync`.
    pub processes: Vec<String>,
}

/// A Config object.
#[derive(Debug, Clone, PartialEq)]
pub struct GatekeeperConfig {
    /// `metadata.name`.
    pub name: String,
    /// `spec.match`.
    pub exemptions: Vec<Exemption>,
    /// `spec.sync.syncOnly`: the kinds synced into `data.inventory`; `None` when not set.
    pub sync_only: Option<Vec<Gvk>>,
}

impl GatekeeperConfig {
    /// Reads a Config object.
    pub fn decode(v: &Value) -> Result<GatekeeperConfig, FieldError> {
        let spec = v.get("spec").cloned().unwrap_or(Value::Null);
        let mut exemptions = Vec::new();
        for (i, m) in object::opt_list(&spec, "match", "spec")?.iter().enumerate() {
            let at = format!("spec.match[{i}]");
            let names = object::str_list(m, "excludedNamespaces", &at)?;
            for (j, n) in names.iter().enumerate() {
                if !valid_wildcard(n) {
                    return Err(FieldError::new(
                        format!("{at}.excludedNamespaces[{j}]"),
                        format!("`{n}` is not a valid namespace pattern (a name, `prefix*` or `*suffix`)"),
                    ));
                }
            }
            let processes = object::str_list(m, "processes", &at)?;
            for (j, p) in processes.iter().enumerate() {
                if !matches!(p.as_str(), "*" | "audit" | "webhook" | "mutation-webhook" | "sync") {
                    return Err(FieldError::new(
                        format!("{at}.processes[{j}]"),
                        format!("`{p}` is not a Gatekeeper process (*, audit, webhook, mutation-webhook, sync)"),
                    ));
                }
            }
            exemptions.push(Exemption { namespaces: names.into_iter().map(Wildcard).collect(), processes });
        }
        let sync_only = match spec.pointer("/sync/syncOnly") {
            None | Some(Value::Null) => None,
            Some(_) => {
                let sync = spec.get("sync").cloned().unwrap_or(Value::Null);
                let mut kinds = Vec::new();
                for (i, k) in object::opt_list(&sync, "syncOnly", "spec.sync")?.iter().enumerate() {
                    let at = format!("spec.sync.syncOnly[{i}]");
                    kinds.push(Gvk {
                        group: object::opt_str(k, "group", &at)?.unwrap_or("").to_string(),
                        version: object::opt_str(k, "version", &at)?.unwrap_or("").to_string(),
                        kind: object::opt_str(k, "kind", &at)?.unwrap_or("").to_string(),
                    });
                }
                Some(kinds)
            }
        };
        Ok(GatekeeperConfig { name: object::meta_str(v, "name").to_string(), exemptions, sync_only })
    }

    /// The pattern that exempts `namespace` from `process`, and the processes its entry names, if one does.
    pub fn exempts(&self, namespace: &str, process: Process) -> Option<(&str, &[String])> {
        self.exemptions
            .iter()
            .filter(|e| e.processes.iter().any(|p| p == "*" || p == process.as_str()))
            .find_map(|e| e.namespaces.iter().find(|w| w.matches(namespace)).map(|w| (w.0.as_str(), &e.processes[..])))
    }

    /// Whether objects of `gvk` reach `data.inventory`.
    pub fn syncs(&self, gvk: &Gvk) -> bool {
        self.sync_only.as_ref().is_none_or(|list| {
            list.iter().any(|k| k.group == gvk.group && k.version == gvk.version && k.kind == gvk.kind)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn config() -> GatekeeperConfig {
        GatekeeperConfig::decode(&json!({
            "apiVersion": "config.gatekeeper.sh/v1alpha1", "kind": "Config",
            "metadata": {"name": "config", "namespace": "gatekeeper-system"},
            "spec": {
                "match": [
                    {"excludedNamespaces": ["kube-system", "gatekeeper-system"], "processes": ["*"]},
                    {"excludedNamespaces": ["aad-pod-*", "*-platform"], "processes": ["webhook", "mutation-webhook"]},
                    {"excludedNamespaces": ["audit-only"], "processes": ["audit"]},
                ],
                "sync": {"syncOnly": [{"group": "", "version": "v1", "kind": "Namespace"}]},
            },
        }))
        .unwrap()
    }

    #[test]
    fn exemptions_per_process_with_wildcards() {
        let c = config();
        let pattern = |ns: &str, p: Process| c.exempts(ns, p).map(|(w, _)| w.to_string());
        assert_eq!(pattern("kube-system", Process::Webhook).as_deref(), Some("kube-system"));
        assert_eq!(pattern("kube-system", Process::MutationWebhook).as_deref(), Some("kube-system"));
        assert_eq!(pattern("aad-pod-identity", Process::Webhook).as_deref(), Some("aad-pod-*"));
        assert_eq!(pattern("team-platform", Process::MutationWebhook).as_deref(), Some("*-platform"));
        assert_eq!(c.exempts("kube-system", Process::Webhook).unwrap().1, ["*"]);
        assert_eq!(c.exempts("audit-only", Process::Webhook), None, "exempt from audit only");
        assert_eq!(c.exempts("shop", Process::Webhook), None);
    }

    #[test]
    fn sync_only_decides_the_inventory() {
        let c = config();
        assert!(c.syncs(&Gvk { group: String::new(), version: "v1".into(), kind: "Namespace".into() }));
        assert!(!c.syncs(&Gvk { group: String::new(), version: "v1".into(), kind: "ConfigMap".into() }));
        let open = GatekeeperConfig::decode(&json!({"metadata": {"name": "config"}, "spec": {}})).unwrap();
        assert!(open.syncs(&Gvk::default()));
    }

    #[test]
    fn bad_fields_are_named() {
        let e = GatekeeperConfig::decode(&json!({"spec": {"match": [{"processes": ["webhooks"]}]}})).unwrap_err();
        assert_eq!(e.field, "spec.match[0].processes[0]");
        let e = GatekeeperConfig::decode(&json!({"spec": {"match": [{"excludedNamespaces": ["a*b"]}]}})).unwrap_err();
        assert_eq!(e.field, "spec.match[0].excludedNamespaces[0]");
    }
}
