//! The cluster state admission reads: Namespaces (their labels), LimitRanges, PriorityClasses, ServiceAccounts,
//! IngressClasses and the CRDs' schemas, sorted out once from the objects a site or a command was given.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::object::{self, Gvk};
use crate::schema::CustomSchemas;

/// What the built-in plugins look up, by kind.
#[derive(Debug, Default)]
pub struct ClusterState {
    /// Namespaces by name.
    pub namespaces: BTreeMap<String, Value>,
    /// LimitRanges, in the order given.
    pub limit_ranges: Vec<Value>,
    /// PriorityClasses (`scheduling.k8s.io`), in the order given.
    pub priority_classes: Vec<Value>,
    /// ServiceAccounts, in the order given.
    pub service_accounts: Vec<Value>,
    /// IngressClasses (`networking.k8s.io`), in the order given.
    pub ingress_classes: Vec<Value>,
    /// The schemas of the CustomResourceDefinitions.
    pub custom: CustomSchemas,
}

impl ClusterState {
    /// Sorts `objects` by what reads them.
    pub fn new<'a>(objects: impl Iterator<Item = &'a Value> + Clone) -> ClusterState {
        let mut state = ClusterState { custom: CustomSchemas::from_objects(objects.clone()), ..Default::default() };
        for o in objects {
            let gvk = Gvk::of(o);
            match (gvk.group.as_str(), gvk.kind.as_str()) {
                ("", "Namespace") => {
                    state.namespaces.insert(object::meta_str(o, "name").to_string(), o.clone());
                }
                ("", "LimitRange") => state.limit_ranges.push(o.clone()),
                ("", "ServiceAccount") => state.service_accounts.push(o.clone()),
                ("scheduling.k8s.io", "PriorityClass") => state.priority_classes.push(o.clone()),
                ("networking.k8s.io", "IngressClass") => state.ingress_classes.push(o.clone()),
                _ => {}
            }
        }
        state
    }

    /// The LimitRanges of `namespace`.
    pub fn limit_ranges_in<'a>(&'a self, namespace: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
        self.limit_ranges.iter().filter(move |l| object::meta_str(l, "namespace") == namespace)
    }

    /// The ServiceAccount `name` of `namespace`, when the cluster state has it.
    pub fn service_account(&self, namespace: &str, name: &str) -> Option<&Value> {
        self.service_accounts
            .iter()
            .find(|s| object::meta_str(s, "namespace") == namespace && object::meta_str(s, "name") == name)
    }
}
