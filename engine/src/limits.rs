//! Every hard limit of the engine, in one place, so that hostile input is refused with an error that names it.

use std::time::Duration;

/// Bounds on what the engine reads and runs. The defaults are far above any real Kubernetes manifest and far below
/// what would exhaust this machine; each error message names the field that was exceeded.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Limits {
    /// Largest YAML text read at once, in bytes (the Kubernetes API server refuses requests over 3 MiB).
    pub max_document_bytes: usize,
    /// Most documents in one YAML text.
    pub max_documents: usize,
    /// Most nodes one document may expand to, counting every alias expansion (stops "billion laughs").
    pub max_nodes: usize,
    /// Deepest nesting of mappings and sequences.
    pub max_depth: usize,
    /// Longest a single Rego evaluation may run before it is stopped.
    pub max_rego_time: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_document_bytes: 4 * 1024 * 1024,
            max_documents: 1_000,
            max_nodes: 250_000,
            max_depth: 128,
            max_rego_time: Duration::from_secs(2),
        }
    }
}
