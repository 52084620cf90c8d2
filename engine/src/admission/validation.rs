//! The registry's validation of the object after mutating admission: what decoding lets through but the object
//! may not lack (a required field). A Pod with no containers that a mutator gives one is valid; one that is still
//! without is refused here, in the API server's words: `Pod "web" is invalid: spec.containers: Required value`.

use serde_json::Value;

use super::{ApiServer, ClusterState};
use crate::object::{self, Gvk};
use crate::schema::Check;

/// The refusal, when the object is invalid.
pub fn validate(api: &ApiServer, cluster: &ClusterState, object: &Value) -> Option<String> {
    let schemas = crate::schema::schemas(api.version)?;
    let Check::Checked(errors) = schemas.decode(&cluster.custom, object) else { return None };
    let errors: Vec<String> = errors.into_iter().filter(|e| e.after_admission).map(|e| e.message).collect();
    if errors.is_empty() {
        return None;
    }
    let gvk = Gvk::of(object);
    // The kind as Kubernetes qualifies it: `Pod`, `Deployment.apps`.
    let kind = if gvk.group.is_empty() { gvk.kind.clone() } else { format!("{}.{}", gvk.kind, gvk.group) };
    let list = if errors.len() == 1 { errors[0].clone() } else { format!("[{}]", errors.join(", ")) };
    Some(format!("{kind} \"{}\" is invalid: {list}", object::meta_str(object, "name")))
}
