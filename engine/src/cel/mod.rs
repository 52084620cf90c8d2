//! CEL, the Common Expression Language, as Kubernetes evaluates it: the language definition's standard
//! functions and macros, optionals, and the Kubernetes libraries (extended strings and lists, regex, URLs,
//! quantities, IP/CIDR, semver, sets, `format`), with a runtime cost limit. Expressions are parsed once
//! ([`Program::compile`]) and evaluated on the engine's JSON documents in place ([`Program::eval`]).
//!
//! Written here rather than taken from a crate: see the README's "CEL" section for the measurements.

pub mod eval;
pub mod ext;
pub mod parser;
pub mod stdlib;
pub mod value;

pub use eval::Activation;
pub use parser::ParseError;
pub use value::{Key, List, MapValue, Str, Type, Value};

/// A parsed expression, ready to evaluate any number of times.
#[derive(Debug, Clone, PartialEq)]
pub struct Program {
    source: Box<str>,
    expr: parser::Expr,
}

impl Program {
    /// Parses `source`.
    pub fn compile(source: &str) -> Result<Program, ParseError> {
        Ok(Program { source: source.into(), expr: parser::parse(source)? })
    }

    /// The expression's text.
    pub fn source(&self) -> &str {
        &self.source
    }

    pub(crate) fn expr(&self) -> &parser::Expr {
        &self.expr
    }

    /// Evaluates against `act`.
    pub fn eval<'a>(&self, act: &Activation<'_, 'a>) -> Result<Value<'a>, Error> {
        eval::evaluate(self, act).0
    }

    /// Evaluates against `act`, with the cost spent (0 on error).
    pub fn eval_with_cost<'a>(&self, act: &Activation<'_, 'a>) -> (Result<Value<'a>, Error>, u64) {
        eval::evaluate(self, act)
    }
}

/// An evaluation error: what CEL calls an error value (`no such key: foo`, `division by zero`), or the cost
/// limit being reached.
#[derive(Debug, Clone, PartialEq)]
pub struct Error {
    /// The message, as cel-go words it where it has one.
    pub message: String,
    /// The expression ran out of its cost budget.
    pub cost_exceeded: bool,
}

impl Error {
    /// An error value with `message`.
    pub fn new(message: impl Into<String>) -> Error {
        Error { message: message.into(), cost_exceeded: false }
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

/// The runtime cost of an evaluation: every step of the interpreter, and the size of what a function walks
/// (a string it scans, a list it copies), counts. Kubernetes' per-expression limit is 1,000,000.
#[derive(Debug, Clone, Copy)]
pub struct Cost {
    /// Spent so far.
    pub used: u64,
    /// The limit.
    pub limit: u64,
}

/// Kubernetes' per-expression cost limit (`PerCallLimit`).
pub const PER_CALL_LIMIT: u64 = 1_000_000;

impl Cost {
    /// A budget of `limit`.
    pub fn new(limit: u64) -> Cost {
        Cost { used: 0, limit }
    }

    /// Spend `n`; an error once the limit is passed.
    pub fn charge(&mut self, n: u64) -> Result<(), Error> {
        self.used = self.used.saturating_add(n);
        if self.used > self.limit {
            Err(Error { message: "operation cancelled: actual cost limit exceeded".to_string(), cost_exceeded: true })
        } else {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn eval(src: &str) -> Result<String, String> {
        let doc = json!({"spec": {"containers": [{"name": "app", "image": "nginx:1", "securityContext":
            {"capabilities": {"add": ["SYS_ADMIN", "NET_RAW"]}}}], "replicas": 3}});
        let p = Program::compile(src).map_err(|e| e.to_string())?;
        let mut act = Activation::new();
        act.bind_json("object", &doc);
        p.eval(&act).map(|v| v.to_string()).map_err(|e| e.message)
    }

    #[test]
    fn documents_are_read_in_place_with_cel_semantics() {
        assert_eq!(eval("object.spec.replicas <= 5").unwrap(), "true");
        assert_eq!(eval("has(object.spec.template)").unwrap(), "false");
        assert_eq!(eval("object.spec.template").unwrap_err(), "no such key: template");
        assert_eq!(eval("object.spec.containers.map(c, c.name)").unwrap(), r#"["app"]"#);
        assert_eq!(
            eval(r#"object.spec.containers.map(c, has(c.securityContext.capabilities.add), c.securityContext.capabilities.add.filter(x, x != "NET_RAW"))"#).unwrap(),
            r#"[["SYS_ADMIN"]]"#
        );
        assert_eq!(eval("[0, 2].all(x, 4 / x == 1)").unwrap(), "false");
        assert_eq!(eval("[0, 1].all(x, 4 / x == 4)").unwrap_err(), "division by zero");
        assert_eq!(eval("1 == 1.0 && 1u == 1 && 2 > 1.5").unwrap(), "true");
        assert_eq!(eval("object.?spec.?nothing.orValue('none')").unwrap(), "none");
        assert_eq!(
            eval("string(-4.5e-3) + ' ' + string(123.456) + ' ' + string(1e100)").unwrap(),
            "-0.0045 123.456 1e+100"
        );
        assert_eq!(eval("duration('1h30m') + duration('1.5s')").unwrap(), "5401.5s");
        assert_eq!(eval("timestamp('2009-02-13T23:31:30Z').getFullYear()").unwrap(), "2009");
        assert_eq!(eval("timestamp('2009-02-13T23:31:30+01:00')").unwrap(), "2009-02-13T22:31:30Z");
        assert_eq!(eval("type(1) == int && type(object) == map").unwrap(), "true");
        assert_eq!(eval("9223372036854775807 + 1").unwrap_err(), "integer overflow");
        assert_eq!(eval("cel.bind(x, 2, x * x)").unwrap(), "4");
        assert_eq!(eval("{'a': 1, 'b': 2}.all(k, v, v > 0)").unwrap(), "true");
        assert_eq!(eval("[1, 2, 3].exists_one(x, x > 2)").unwrap(), "true");
        assert_eq!(eval("'héllo'.size()").unwrap(), "5");
    }

    #[test]
    fn a_runaway_expression_stops_at_the_cost_limit() {
        let e = eval("[1,2,3,4,5,6,7,8,9,10].all(a, [1,2,3,4,5,6,7,8,9,10].all(b, [1,2,3,4,5,6,7,8,9,10].all(c, [1,2,3,4,5,6,7,8,9,10].all(d, [1,2,3,4,5,6,7,8,9,10].all(e, [1,2,3,4,5,6,7,8,9,10].all(f, a + b + c + d + e + f > 0))))))").unwrap_err();
        assert!(e.contains("cost limit"), "{e}");
    }
}
