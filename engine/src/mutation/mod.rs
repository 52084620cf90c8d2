//! Gatekeeper mutation: the location language, path tests, the walk, setters and schema conflicts.

pub mod mutator;
pub mod path;
pub mod schema;
pub mod setter;
pub mod system;
pub mod tester;
pub mod walk;
