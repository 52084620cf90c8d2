//! guardrail-engine: Gatekeeper admission for guardrail. YAML read as Kubernetes and gator read it (with a source
//! map and limits), mutation (Assign, AssignMetadata, ModifySet, AssignImage) re-implemented natively, and
//! ConstraintTemplate validation on regorus; the docs site, the command line and the playground all judge with it.
//!
//! What it may not do: I/O of any kind (files, network, clock-dependent output, terminal). Callers hand in text
//! and objects and get values back, which is what lets the same code run in the browser as WebAssembly.

pub mod admission;
pub mod cel;
pub mod celpolicy;
pub mod controllers;
pub mod expansion;
pub mod fragment;
pub mod gkconfig;
pub mod limits;
pub mod matching;
pub mod mutation;
pub mod object;
pub mod patch;
pub mod policy;
pub mod rego;
pub mod schema;
pub mod template;
pub mod text;
pub mod yaml;
