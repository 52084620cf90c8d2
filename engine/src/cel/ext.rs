//! The Kubernetes CEL libraries (placeholder while they are written).

use std::cmp::Ordering;
use std::fmt;

use super::{Cost, Error, Value};

/// A value of one of the Kubernetes libraries.
#[derive(Debug, Clone, PartialEq)]
pub enum Ext {}

impl Ext {
    /// The CEL type name.
    pub fn type_name(&self) -> &'static str {
        match *self {}
    }
    /// Equality.
    pub fn equals(&self, _other: &Ext) -> bool {
        match *self {}
    }
    /// Ordering, where the type has one.
    pub fn compare(&self, _other: &Ext) -> Option<Ordering> {
        match *self {}
    }
}

impl fmt::Display for Ext {
    fn fmt(&self, _f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {}
    }
}

/// Standard base64.
pub fn base64_encode(_b: &[u8]) -> String {
    String::new()
}

/// A function of the Kubernetes libraries; `None` when there is none of that name.
pub fn call<'a>(
    _name: &str,
    _target: Option<&Value<'a>>,
    _args: &[Value<'a>],
    _cost: &mut Cost,
) -> Option<Result<Value<'a>, Error>> {
    None
}

/// A compiled RE2 pattern (placeholder: no class translation, no cache).
pub fn regex(pattern: &str) -> Result<std::rc::Rc<regex::Regex>, Error> {
    regex::Regex::new(pattern).map(std::rc::Rc::new).map_err(|e| Error::new(format!("invalid regex '{pattern}': {e}")))
}
