//! Gatekeeper admission for guardrail: mutation (Assign, AssignMetadata, ModifySet, AssignImage) re-implemented
//! natively and ConstraintTemplate validation on regorus. No file or network I/O: callers hand in text and objects.

pub mod fragment;
pub mod limits;
pub mod matching;
pub mod mutation;
pub mod object;
pub mod patch;
pub mod policy;
pub mod rego;
pub mod template;
pub mod yaml;
