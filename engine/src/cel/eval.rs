//! The interpreter: walks the parsed expression over [`Value`]s, with CEL's error semantics (errors are values
//! that `&&`, `||`, `all` and `exists` may absorb) and the cost budget.

use std::cell::RefCell;
use std::rc::Rc;

use super::parser::{BinaryOp, Comprehension, Expr, Lit, UnaryOp};
use super::value::{Key, MapValue, Str, Type, no_overload};
use super::{Cost, Error, Program, Value, ext, stdlib};

/// Lazily evaluated variables (`variables.<name>` of a policy): each is evaluated once, on first use.
pub struct Lazy<'p, 'a> {
    entries: Vec<(&'p str, &'p Program, Memo<'a>)>,
}

/// A variable's value once computed.
type Memo<'a> = RefCell<Option<Result<Value<'a>, Error>>>;

impl<'p, 'a> Lazy<'p, 'a> {
    /// No variables.
    pub fn new() -> Self {
        Lazy { entries: Vec::new() }
    }

    /// Declares `name`, computed by `program` when first read.
    pub fn push(&mut self, name: &'p str, program: &'p Program) {
        self.entries.push((name, program, RefCell::new(None)));
    }
}

impl Default for Lazy<'_, '_> {
    fn default() -> Self {
        Self::new()
    }
}

/// What an expression is evaluated against: named values (`object`, `request`, ...), and the lazily computed
/// `variables`.
pub struct Activation<'p, 'a> {
    vars: Vec<(&'p str, Value<'a>)>,
    lazy: Lazy<'p, 'a>,
    /// The name the lazy variables are read under (`variables`).
    lazy_root: &'p str,
    /// The per-expression cost limit.
    pub limit: u64,
}

impl<'p, 'a> Activation<'p, 'a> {
    /// An empty activation with Kubernetes' per-expression cost limit.
    pub fn new() -> Self {
        Activation { vars: Vec::new(), lazy: Lazy::new(), lazy_root: "variables", limit: super::PER_CALL_LIMIT }
    }

    /// Binds `name` to `value`.
    pub fn bind(&mut self, name: &'p str, value: Value<'a>) -> &mut Self {
        self.vars.retain(|(n, _)| *n != name);
        self.vars.push((name, value));
        self
    }

    /// Binds `name` to a JSON document, read in place.
    pub fn bind_json(&mut self, name: &'p str, value: &'a serde_json::Value) -> &mut Self {
        self.bind(name, Value::from_json(value))
    }

    /// Declares a lazily evaluated variable, read as `variables.<name>`.
    pub fn variable(&mut self, name: &'p str, program: &'p Program) -> &mut Self {
        self.lazy.push(name, program);
        self
    }

    /// The value of a variable (evaluating it if it was not yet), with the cost it spent.
    pub fn variable_value(&self, name: &str, cost: &mut Cost) -> Option<Result<Value<'a>, Error>> {
        let (_, program, cell) = self.lazy.entries.iter().find(|(n, _, _)| *n == name)?;
        if let Some(done) = &*cell.borrow() {
            return Some(done.clone());
        }
        let result = Eval { act: self, locals: Vec::new(), cost: *cost }.run(program.expr());
        let result = match result {
            Ok((v, spent)) => {
                *cost = spent;
                Ok(v)
            }
            Err(e) => Err(e),
        };
        // A cost overrun is not remembered: it belongs to the expression that ran out, not to the variable.
        if !matches!(&result, Err(e) if e.cost_exceeded) {
            *cell.borrow_mut() = Some(result.clone());
        }
        Some(result)
    }

    fn lookup(&self, name: &str) -> Option<&Value<'a>> {
        self.vars.iter().rev().find(|(n, _)| *n == name).map(|(_, v)| v)
    }
}

impl Default for Activation<'_, '_> {
    fn default() -> Self {
        Self::new()
    }
}

/// Evaluates `program` against `act`: the value, or the error, and the cost spent.
pub fn evaluate<'a>(program: &Program, act: &Activation<'_, 'a>) -> (Result<Value<'a>, Error>, u64) {
    let e = Eval { act, locals: Vec::new(), cost: Cost::new(act.limit) };
    match e.run(program.expr()) {
        Ok((v, cost)) => (Ok(v), cost.used),
        Err(err) => (Err(err), 0),
    }
}

struct Eval<'e, 'p, 'a> {
    act: &'e Activation<'p, 'a>,
    locals: Vec<(&'e str, Value<'a>)>,
    cost: Cost,
}

type R<'a> = Result<Value<'a>, Error>;

fn as_bool(v: &Value<'_>, op: &str) -> Result<bool, Error> {
    match v {
        Value::Bool(b) => Ok(*b),
        other => Err(no_overload(op, &[other])),
    }
}

impl<'e, 'p, 'a> Eval<'e, 'p, 'a> {
    fn run(mut self, expr: &'e Expr) -> Result<(Value<'a>, Cost), Error> {
        let v = self.eval(expr)?;
        Ok((v, self.cost))
    }

    fn eval(&mut self, expr: &'e Expr) -> R<'a> {
        self.cost.charge(1)?;
        match expr {
            Expr::Lit(l) => Ok(literal(l)),
            Expr::Ident(name) => self.ident(name),
            Expr::Select { operand, field, optional } => {
                // `variables.x` reads a lazily evaluated variable.
                if let Expr::Ident(root) = &**operand {
                    if &**root == self.act.lazy_root && !self.is_local(root) && self.act.lookup(root).is_none() {
                        let mut cost = self.cost;
                        let r = self.act.variable_value(field, &mut cost);
                        self.cost = cost;
                        if let Some(r) = r {
                            return r;
                        }
                    }
                }
                if let Some(t) = self.qualified_type(operand, field) {
                    return Ok(Value::Type(t));
                }
                let v = self.eval(operand)?;
                select(v, field, *optional)
            }
            Expr::Has { operand, field } => {
                if let Expr::Ident(root) = &**operand {
                    if &**root == self.act.lazy_root && !self.is_local(root) && self.act.lookup(root).is_none() {
                        return Ok(Value::Bool(self.act.lazy.entries.iter().any(|(n, _, _)| *n == &**field)));
                    }
                }
                let v = self.eval(operand)?;
                has(&v, field)
            }
            Expr::Index { operand, index, optional } => {
                let v = self.eval(operand)?;
                let i = self.eval(index)?;
                index_value(v, &i, *optional)
            }
            Expr::Call { target, name, args } => self.call(target.as_deref(), name, args),
            Expr::List(items) => {
                let mut out = Vec::with_capacity(items.len());
                for (e, optional) in items {
                    let v = self.eval(e)?;
                    if *optional {
                        match v {
                            Value::Optional(Some(x)) => out.push((*x).clone()),
                            Value::Optional(None) => {}
                            other => return Err(no_overload("optional element", &[&other])),
                        }
                    } else {
                        out.push(v);
                    }
                }
                Ok(Value::list(out))
            }
            Expr::Map(entries) => {
                let mut out: Vec<(Key<'a>, Value<'a>)> = Vec::with_capacity(entries.len());
                for (k, v, optional) in entries {
                    let kv = self.eval(k)?;
                    if let Value::Double(_) = kv {
                        return Err(Error::new("unsupported key type: double"));
                    }
                    let key = Key::from_value(&kv)?;
                    let mut value = self.eval(v)?;
                    if *optional {
                        match value {
                            Value::Optional(Some(x)) => value = (*x).clone(),
                            Value::Optional(None) => continue,
                            other => return Err(no_overload("optional entry", &[&other])),
                        }
                    }
                    if out.iter().any(|(k2, _)| k2.same(&key)) {
                        return Err(Error::new(format!("Failed with repeated key: {}", key.to_value())));
                    }
                    out.push((key, value));
                }
                Ok(Value::Map(MapValue::Owned(Rc::new(out))))
            }
            Expr::Message { name, fields } => {
                let mut out: Vec<(Key<'a>, Value<'a>)> = Vec::with_capacity(fields.len());
                for (field, v, optional) in fields {
                    let mut value = self.eval(v)?;
                    if *optional {
                        match value {
                            Value::Optional(Some(x)) => value = (*x).clone(),
                            Value::Optional(None) => continue,
                            other => return Err(no_overload("optional field", &[&other])),
                        }
                    }
                    out.push((Key::String(Str::Owned(Rc::from(&**field))), value));
                }
                stdlib::message(name, out)
            }
            Expr::Unary(op, e) => {
                let v = self.eval(e)?;
                match (op, v) {
                    (UnaryOp::Not, Value::Bool(b)) => Ok(Value::Bool(!b)),
                    (UnaryOp::Neg, Value::Int(i)) => {
                        i.checked_neg().map(Value::Int).ok_or_else(|| Error::new("integer overflow"))
                    }
                    (UnaryOp::Neg, Value::Double(d)) => Ok(Value::Double(-d)),
                    (UnaryOp::Neg, Value::Duration(d)) => Ok(Value::Duration(-d)),
                    (UnaryOp::Not, v) => Err(no_overload("!_", &[&v])),
                    (UnaryOp::Neg, v) => Err(no_overload("-_", &[&v])),
                }
            }
            Expr::Binary(op, a, b) => {
                let x = self.eval(a)?;
                let y = self.eval(b)?;
                self.binary(*op, x, y)
            }
            Expr::And(a, b) => {
                let x = self.eval(a).and_then(|v| as_bool(&v, "_&&_"));
                if x == Ok(false) {
                    return Ok(Value::Bool(false));
                }
                let y = self.eval(b).and_then(|v| as_bool(&v, "_&&_"));
                match (x, y) {
                    (_, Ok(false)) => Ok(Value::Bool(false)),
                    (Ok(true), Ok(true)) => Ok(Value::Bool(true)),
                    (Err(e), _) | (_, Err(e)) if e.cost_exceeded => Err(e),
                    (Err(e), _) => Err(e),
                    (_, Err(e)) => Err(e),
                    (Ok(false), _) => Ok(Value::Bool(false)),
                }
            }
            Expr::Or(a, b) => {
                let x = self.eval(a).and_then(|v| as_bool(&v, "_||_"));
                if x == Ok(true) {
                    return Ok(Value::Bool(true));
                }
                let y = self.eval(b).and_then(|v| as_bool(&v, "_||_"));
                match (x, y) {
                    (_, Ok(true)) => Ok(Value::Bool(true)),
                    (Ok(false), Ok(false)) => Ok(Value::Bool(false)),
                    (Err(e), _) | (_, Err(e)) if e.cost_exceeded => Err(e),
                    (Err(e), _) => Err(e),
                    (_, Err(e)) => Err(e),
                    (Ok(true), _) => Ok(Value::Bool(true)),
                }
            }
            Expr::Cond(c, a, b) => {
                let c = self.eval(c)?;
                if as_bool(&c, "_?_:_")? { self.eval(a) } else { self.eval(b) }
            }
            Expr::Fold { kind, range, var, var2, filter, body } => {
                let range = self.eval(range)?;
                self.fold(*kind, range, var, var2.as_deref(), filter.as_deref(), body)
            }
            Expr::Bind { var, init, body } => {
                let v = self.eval(init)?;
                self.locals.push((var, v));
                let r = self.eval(body);
                self.locals.pop();
                r
            }
            Expr::OptMap { operand, var, body, flat } => {
                let v = self.eval(operand)?;
                match v {
                    Value::Optional(None) => Ok(Value::Optional(None)),
                    Value::Optional(Some(x)) => {
                        self.locals.push((var, (*x).clone()));
                        let r = self.eval(body);
                        self.locals.pop();
                        let r = r?;
                        if *flat {
                            match r {
                                Value::Optional(_) => Ok(r),
                                other => Err(no_overload("optFlatMap", &[&other])),
                            }
                        } else {
                            Ok(Value::Optional(Some(Rc::new(r))))
                        }
                    }
                    other => Err(no_overload(if *flat { "optFlatMap" } else { "optMap" }, &[&other])),
                }
            }
        }
    }

    /// `google.protobuf.Duration`: a dotted name of a type, when its root names no variable.
    fn qualified_type(&self, operand: &Expr, field: &str) -> Option<Type> {
        let mut parts = vec![field];
        let mut e = operand;
        loop {
            match e {
                Expr::Select { operand, field, optional: false } => {
                    parts.push(field);
                    e = operand;
                }
                Expr::Ident(root) => {
                    if self.is_local(root) || self.act.lookup(root).is_some() || root.as_ref() == self.act.lazy_root {
                        return None;
                    }
                    parts.push(root);
                    break;
                }
                _ => return None,
            }
        }
        parts.reverse();
        type_named(&parts.join("."))
    }

    fn is_local(&self, name: &str) -> bool {
        self.locals.iter().any(|(n, _)| *n == name)
    }

    fn ident(&mut self, name: &str) -> R<'a> {
        // `.x` names the root scope: comprehension variables do not hide it.
        let (name, root) = match name.strip_prefix('.') {
            Some(n) => (n, true),
            None => (name, false),
        };
        if !root {
            if let Some((_, v)) = self.locals.iter().rev().find(|(n, _)| *n == name) {
                return Ok(v.clone());
            }
        }
        if let Some(v) = self.act.lookup(name) {
            return Ok(v.clone());
        }
        if let Some(t) = type_named(name) {
            return Ok(Value::Type(t));
        }
        Err(Error::new(format!("undeclared reference to '{name}'")))
    }

    fn call(&mut self, target: Option<&'e Expr>, name: &str, args: &'e [Expr]) -> R<'a> {
        // `sets.contains(...)`, `optional.of(...)`: a namespaced function when the "target" names no variable.
        if let Some(Expr::Ident(ns)) = target {
            if !self.is_local(ns) && self.act.lookup(ns).is_none() && NAMESPACES.contains(&&**ns) {
                let qualified = format!("{ns}.{name}");
                let values = self.args(args)?;
                return self.function(&qualified, None, values);
            }
        }
        let target = match target {
            Some(t) => Some(self.eval(t)?),
            None => None,
        };
        let values = self.args(args)?;
        self.function(name, target, values)
    }

    fn args(&mut self, args: &'e [Expr]) -> Result<Vec<Value<'a>>, Error> {
        args.iter().map(|a| self.eval(a)).collect()
    }

    fn function(&mut self, name: &str, target: Option<Value<'a>>, args: Vec<Value<'a>>) -> R<'a> {
        if let Some(r) = stdlib::call(name, target.as_ref(), &args, &mut self.cost) {
            return r;
        }
        if let Some(r) = ext::call(name, target.as_ref(), &args, &mut self.cost) {
            return r;
        }
        if stdlib::FUNCTIONS.contains(&name) {
            let mut all: Vec<&Value<'a>> = target.iter().collect();
            all.extend(args.iter());
            return Err(no_overload(name, &all));
        }
        Err(Error::new(format!("undeclared reference to '{name}'")))
    }

    fn binary(&mut self, op: BinaryOp, x: Value<'a>, y: Value<'a>) -> R<'a> {
        use std::cmp::Ordering::*;
        match op {
            BinaryOp::Eq => Ok(Value::Bool(x.equals(&y))),
            BinaryOp::Ne => Ok(Value::Bool(!x.equals(&y))),
            BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => {
                let o = x.compare(&y).map_err(|e| {
                    if e.message.starts_with("NaN") { e } else { no_overload(op.function(), &[&x, &y]) }
                })?;
                Ok(Value::Bool(match (op, o) {
                    (_, None) => false,
                    (BinaryOp::Lt, Some(o)) => o == Less,
                    (BinaryOp::Le, Some(o)) => o != Greater,
                    (BinaryOp::Gt, Some(o)) => o == Greater,
                    (_, Some(o)) => o != Less,
                }))
            }
            BinaryOp::In => match &y {
                Value::List(l) => {
                    self.cost.charge(l.len() as u64)?;
                    Ok(Value::Bool(l.iter().any(|e| e.equals(&x))))
                }
                Value::Map(m) => Ok(Value::Bool(match Key::from_value(&x) {
                    Ok(k) => m.get(&k).is_some(),
                    Err(_) => false,
                })),
                _ => Err(no_overload("@in", &[&x, &y])),
            },
            _ => stdlib::arithmetic(op, x, y, &mut self.cost),
        }
    }

    fn fold(
        &mut self,
        kind: Comprehension,
        range: Value<'a>,
        var: &'e str,
        var2: Option<&'e str>,
        filter: Option<&'e Expr>,
        body: &'e Expr,
    ) -> R<'a> {
        // The pairs to iterate: (first variable, second variable).
        let items: Vec<(Value<'a>, Option<Value<'a>>)> = match (&range, var2.is_some()) {
            (Value::List(l), false) => l.iter().map(|v| (v, None)).collect(),
            (Value::List(l), true) => l.iter().enumerate().map(|(i, v)| (Value::Int(i as i64), Some(v))).collect(),
            (Value::Map(m), false) => m.keys().into_iter().map(|k| (k, None)).collect(),
            (Value::Map(m), true) => m.entries().into_iter().map(|(k, v)| (k, Some(v))).collect(),
            (other, _) => return Err(no_overload(fold_name(kind), &[other])),
        };
        if matches!(kind, Comprehension::TransformMap | Comprehension::TransformMapEntry) && var2.is_none() {
            return Err(no_overload("transformMap", &[&range]));
        }
        let depth = self.locals.len();
        let mut error: Option<Error> = None;
        let mut count = 0usize;
        let mut out: Vec<Value<'a>> = Vec::new();
        let mut out_map: Vec<(Key<'a>, Value<'a>)> = Vec::new();
        for (a, b) in items {
            self.cost.charge(1)?;
            self.locals.truncate(depth);
            let key_for_map = a.clone();
            self.locals.push((var, a));
            if let (Some(name), Some(v)) = (var2, b) {
                self.locals.push((name, v));
            }
            let step: Result<Option<bool>, Error> = (|| {
                if let Some(f) = filter {
                    let keep = self.eval(f)?;
                    if !as_bool(&keep, fold_name(kind))? {
                        return Ok(None);
                    }
                }
                match kind {
                    Comprehension::All | Comprehension::Exists | Comprehension::ExistsOne | Comprehension::Filter => {
                        let v = self.eval(body)?;
                        as_bool(&v, fold_name(kind)).map(Some)
                    }
                    Comprehension::Map | Comprehension::TransformList => {
                        out.push(self.eval(body)?);
                        Ok(None)
                    }
                    Comprehension::TransformMap => {
                        let v = self.eval(body)?;
                        out_map.push((Key::from_value(&key_for_map)?, v));
                        Ok(None)
                    }
                    Comprehension::TransformMapEntry => {
                        let Value::Map(entry) = self.eval(body)? else {
                            return Err(Error::new("transformMapEntry: the expression must give a map"));
                        };
                        for (k, v) in entry.entries() {
                            let key = Key::from_value(&k)?;
                            if out_map.iter().any(|(k2, _)| k2.same(&key)) {
                                return Err(Error::new(format!("insert failed: key {k} already exists")));
                            }
                            out_map.push((key, v));
                        }
                        Ok(None)
                    }
                }
            })();
            match (kind, step) {
                (_, Err(e)) if e.cost_exceeded => {
                    self.locals.truncate(depth);
                    return Err(e);
                }
                (Comprehension::All, Ok(Some(false))) => {
                    self.locals.truncate(depth);
                    return Ok(Value::Bool(false));
                }
                (Comprehension::Exists, Ok(Some(true))) => {
                    self.locals.truncate(depth);
                    return Ok(Value::Bool(true));
                }
                (Comprehension::All | Comprehension::Exists, Err(e)) => {
                    error.get_or_insert(e);
                }
                (Comprehension::ExistsOne, Ok(Some(true))) => count += 1,
                (Comprehension::Filter, Ok(Some(true))) => {
                    let kept = self.locals[depth].1.clone();
                    out.push(kept);
                }
                (_, Err(e)) => {
                    self.locals.truncate(depth);
                    return Err(e);
                }
                _ => {}
            }
        }
        self.locals.truncate(depth);
        match kind {
            Comprehension::All => error.map_or(Ok(Value::Bool(true)), Err),
            Comprehension::Exists => error.map_or(Ok(Value::Bool(false)), Err),
            Comprehension::ExistsOne => Ok(Value::Bool(count == 1)),
            Comprehension::Map | Comprehension::Filter | Comprehension::TransformList => Ok(Value::list(out)),
            Comprehension::TransformMap | Comprehension::TransformMapEntry => {
                Ok(Value::Map(MapValue::Owned(Rc::new(out_map))))
            }
        }
    }
}

const NAMESPACES: [&str; 9] = ["optional", "sets", "lists", "strings", "base64", "math", "ip", "cel", "jsonpatch"];

fn fold_name(kind: Comprehension) -> &'static str {
    match kind {
        Comprehension::All => "all",
        Comprehension::Exists => "exists",
        Comprehension::ExistsOne => "exists_one",
        Comprehension::Map => "map",
        Comprehension::Filter => "filter",
        Comprehension::TransformList => "transformList",
        Comprehension::TransformMap => "transformMap",
        Comprehension::TransformMapEntry => "transformMapEntry",
    }
}

fn literal<'a>(l: &Lit) -> Value<'a> {
    match l {
        Lit::Null => Value::Null,
        Lit::Bool(b) => Value::Bool(*b),
        Lit::Int(i) => Value::Int(*i),
        Lit::Uint(u) => Value::Uint(*u),
        Lit::Double(d) => Value::Double(*d),
        Lit::String(s) => Value::String(Str::Literal(s.clone())),
        Lit::Bytes(b) => Value::Bytes(Rc::from(&b[..])),
    }
}

/// The type a bare name denotes, when it names one.
pub fn type_named(name: &str) -> Option<Type> {
    Some(match name {
        "int" => Type::Int,
        "uint" => Type::Uint,
        "double" => Type::Double,
        "bool" => Type::Bool,
        "string" => Type::String,
        "bytes" => Type::Bytes,
        "list" => Type::List,
        "map" => Type::Map,
        "null_type" => Type::Null,
        "type" => Type::Type,
        "optional_type" => Type::Optional,
        "google.protobuf.Duration" => Type::Duration,
        "google.protobuf.Timestamp" => Type::Timestamp,
        _ => return None,
    })
}

fn select<'a>(v: Value<'a>, field: &str, optional: bool) -> R<'a> {
    match v {
        Value::Map(m) => match m.get_str(field) {
            Some(x) if optional => Ok(Value::Optional(Some(Rc::new(x)))),
            Some(x) => Ok(x),
            None if optional => Ok(Value::Optional(None)),
            None => Err(Error::new(format!("no such key: {field}"))),
        },
        // Selecting from an optional (`a.?b.c`) stays optional.
        Value::Optional(None) => Ok(Value::Optional(None)),
        Value::Optional(Some(inner)) => select((*inner).clone(), field, true),
        Value::Null => Err(Error::new(format!("no such key: {field}"))),
        other => Err(Error::new(format!(
            "no such key: {field} (a field of {}, which is not a map or an object)",
            other.type_name()
        ))),
    }
}

fn has<'a>(v: &Value<'a>, field: &str) -> R<'a> {
    match v {
        Value::Map(m) => Ok(Value::Bool(m.get_str(field).is_some())),
        // cel-go without its presence-test error (Kubernetes never turns it on): `has(null.x)` is false.
        Value::Null => Ok(Value::Bool(false)),
        Value::Optional(None) => Ok(Value::Bool(false)),
        Value::Optional(Some(inner)) => has(inner, field),
        other => Err(no_overload("has", &[other])),
    }
}

fn index_value<'a>(v: Value<'a>, i: &Value<'a>, optional: bool) -> R<'a> {
    let found: Result<Option<Value<'a>>, Error> = match &v {
        Value::List(l) => {
            let idx = match i {
                Value::Int(n) => Some(*n as i128),
                Value::Uint(n) => Some(*n as i128),
                Value::Double(d) if d.fract() == 0.0 && d.is_finite() => Some(*d as i128),
                _ => None,
            };
            match idx {
                None => Err(no_overload("_[_]", &[&v, i])),
                Some(n) if n < 0 || n >= l.len() as i128 => {
                    if optional {
                        Ok(None)
                    } else {
                        Err(Error::new(format!("index out of bounds: {n}")))
                    }
                }
                Some(n) => Ok(l.get(n as usize)),
            }
        }
        Value::Map(m) => match Key::from_value(i) {
            Ok(k) => match m.get(&k) {
                Some(x) => Ok(Some(x)),
                None if optional => Ok(None),
                None => Err(Error::new(format!("no such key: {}", k.to_value()))),
            },
            Err(e) => Err(e),
        },
        Value::Optional(None) => return Ok(Value::Optional(None)),
        Value::Optional(Some(inner)) => return index_value((**inner).clone(), i, true),
        _ => Err(no_overload("_[_]", &[&v, i])),
    };
    match found? {
        Some(x) if optional => Ok(Value::Optional(Some(Rc::new(x)))),
        Some(x) => Ok(x),
        None => Ok(Value::Optional(None)),
    }
}
