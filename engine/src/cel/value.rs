//! CEL values. Objects under admission stay `serde_json` values and are read in place: a field of `object` is a
//! borrowed view, never a copy, so a template that reads three fields of a Pod pays for three fields.

use std::cmp::Ordering;
use std::fmt;
use std::rc::Rc;

use serde_json::Value as Json;

use super::Error;
use super::ext::Ext;

/// A CEL value. `'a` is the lifetime of the JSON documents bound to the expression's variables.
#[derive(Clone, Debug)]
pub enum Value<'a> {
    /// `null`.
    Null,
    /// `bool`.
    Bool(bool),
    /// `int` (64-bit signed; overflow is an error).
    Int(i64),
    /// `uint` (64-bit unsigned; overflow is an error).
    Uint(u64),
    /// `double`.
    Double(f64),
    /// `string`.
    String(Str<'a>),
    /// `bytes`.
    Bytes(Rc<[u8]>),
    /// `list`.
    List(List<'a>),
    /// `map`.
    Map(MapValue<'a>),
    /// A type, as `type(x)` returns and `int` names.
    Type(Type),
    /// `google.protobuf.Duration`, in nanoseconds.
    Duration(i128),
    /// `google.protobuf.Timestamp`, nanoseconds since the Unix epoch (UTC).
    Timestamp(i128),
    /// `optional_type`: `optional.of(x)` or `optional.none()`.
    Optional(Option<Rc<Value<'a>>>),
    /// A value of one of the Kubernetes libraries (quantity, IP, CIDR, URL, semver, compiled regex).
    Ext(Rc<Ext>),
}

/// A string, borrowed from a document or made by the expression.
#[derive(Clone, Debug)]
pub enum Str<'a> {
    /// Read from a bound document or the source text.
    Borrowed(&'a str),
    /// Made while evaluating.
    Owned(Rc<str>),
    /// A literal of the program.
    Literal(std::sync::Arc<str>),
}

impl std::ops::Deref for Str<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        match self {
            Str::Borrowed(s) => s,
            Str::Owned(s) => s,
            Str::Literal(s) => s,
        }
    }
}

/// A list: a JSON array read in place, or one the expression made.
#[derive(Clone, Debug)]
pub enum List<'a> {
    /// An array of a bound document.
    Json(&'a [Json]),
    /// Made while evaluating.
    Owned(Rc<Vec<Value<'a>>>),
}

impl<'a> List<'a> {
    /// The number of elements.
    pub fn len(&self) -> usize {
        match self {
            List::Json(a) => a.len(),
            List::Owned(v) => v.len(),
        }
    }

    /// Whether it has no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The element at `i`.
    pub fn get(&self, i: usize) -> Option<Value<'a>> {
        match self {
            List::Json(a) => a.get(i).map(Value::from_json),
            List::Owned(v) => v.get(i).cloned(),
        }
    }

    /// The elements in order.
    pub fn iter(&self) -> impl Iterator<Item = Value<'a>> + '_ {
        (0..self.len()).filter_map(move |i| self.get(i))
    }

    /// The elements, collected.
    pub fn to_vec(&self) -> Vec<Value<'a>> {
        self.iter().collect()
    }
}

/// A map key: CEL allows `bool`, `int`, `uint` and `string` keys.
#[derive(Clone, Debug)]
pub enum Key<'a> {
    /// `bool` key.
    Bool(bool),
    /// `int` key.
    Int(i64),
    /// `uint` key.
    Uint(u64),
    /// `string` key.
    String(Str<'a>),
}

impl<'a> Key<'a> {
    /// The key of a value, or an error for a type that cannot be one.
    pub fn from_value(v: &Value<'a>) -> Result<Key<'a>, Error> {
        match v {
            Value::Bool(b) => Ok(Key::Bool(*b)),
            Value::Int(i) => Ok(Key::Int(*i)),
            Value::Uint(u) => Ok(Key::Uint(*u)),
            Value::String(s) => Ok(Key::String(s.clone())),
            // A double with an integral value finds the numerically equal key (heterogeneous equality).
            Value::Double(d) if d.fract() == 0.0 && *d >= i64::MIN as f64 && *d < i64::MAX as f64 => {
                Ok(Key::Int(*d as i64))
            }
            other => Err(Error::new(format!("unsupported key type: {}", other.type_name()))),
        }
    }

    /// The key as a value.
    pub fn to_value(&self) -> Value<'a> {
        match self {
            Key::Bool(b) => Value::Bool(*b),
            Key::Int(i) => Value::Int(*i),
            Key::Uint(u) => Value::Uint(*u),
            Key::String(s) => Value::String(s.clone()),
        }
    }

    /// Equality as CEL has it for keys: `1`, `1u` and `1.0` find the same entry.
    pub fn same(&self, other: &Key<'_>) -> bool {
        match (self, other) {
            (Key::Bool(a), Key::Bool(b)) => a == b,
            (Key::String(a), Key::String(b)) => **a == **b,
            (Key::Int(a), Key::Int(b)) => a == b,
            (Key::Uint(a), Key::Uint(b)) => a == b,
            (Key::Int(a), Key::Uint(b)) | (Key::Uint(b), Key::Int(a)) => *a >= 0 && *a as u64 == *b,
            _ => false,
        }
    }
}

/// A map: a JSON object read in place, or one the expression made (entries in insertion order).
#[derive(Clone, Debug)]
pub enum MapValue<'a> {
    /// An object of a bound document.
    Json(&'a serde_json::Map<String, Json>),
    /// Made while evaluating.
    Owned(Rc<Vec<(Key<'a>, Value<'a>)>>),
}

impl<'a> MapValue<'a> {
    /// The number of entries.
    pub fn len(&self) -> usize {
        match self {
            MapValue::Json(m) => m.len(),
            MapValue::Owned(v) => v.len(),
        }
    }

    /// Whether it has no entries.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The value under `key`.
    pub fn get(&self, key: &Key<'_>) -> Option<Value<'a>> {
        match self {
            MapValue::Json(m) => match key {
                Key::String(s) => m.get(&**s).map(Value::from_json),
                _ => None,
            },
            MapValue::Owned(v) => v.iter().find(|(k, _)| k.same(key)).map(|(_, v)| v.clone()),
        }
    }

    /// The value under a string key.
    pub fn get_str(&self, key: &str) -> Option<Value<'a>> {
        match self {
            MapValue::Json(m) => m.get(key).map(Value::from_json),
            MapValue::Owned(v) => {
                v.iter().find(|(k, _)| matches!(k, Key::String(s) if **s == *key)).map(|(_, v)| v.clone())
            }
        }
    }

    /// The keys, in order.
    pub fn keys(&self) -> Vec<Value<'a>> {
        match self {
            MapValue::Json(m) => m.keys().map(|k| Value::String(Str::Borrowed(k.as_str()))).collect(),
            MapValue::Owned(v) => v.iter().map(|(k, _)| k.to_value()).collect(),
        }
    }

    /// The entries, in order.
    pub fn entries(&self) -> Vec<(Value<'a>, Value<'a>)> {
        match self {
            MapValue::Json(m) => {
                m.iter().map(|(k, v)| (Value::String(Str::Borrowed(k.as_str())), Value::from_json(v))).collect()
            }
            MapValue::Owned(v) => v.iter().map(|(k, v)| (k.to_value(), v.clone())).collect(),
        }
    }
}

/// A CEL type, as a value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Type {
    /// `null_type`.
    Null,
    /// `bool`.
    Bool,
    /// `int`.
    Int,
    /// `uint`.
    Uint,
    /// `double`.
    Double,
    /// `string`.
    String,
    /// `bytes`.
    Bytes,
    /// `list`.
    List,
    /// `map`.
    Map,
    /// `type`.
    Type,
    /// `google.protobuf.Duration`.
    Duration,
    /// `google.protobuf.Timestamp`.
    Timestamp,
    /// `optional_type`.
    Optional,
    /// A type of the Kubernetes libraries (`kubernetes.Quantity`, `net.IP`, ...).
    Ext(&'static str),
}

impl Type {
    /// The type's name as CEL prints it.
    pub fn name(&self) -> &'static str {
        match self {
            Type::Null => "null_type",
            Type::Bool => "bool",
            Type::Int => "int",
            Type::Uint => "uint",
            Type::Double => "double",
            Type::String => "string",
            Type::Bytes => "bytes",
            Type::List => "list",
            Type::Map => "map",
            Type::Type => "type",
            Type::Duration => "google.protobuf.Duration",
            Type::Timestamp => "google.protobuf.Timestamp",
            Type::Optional => "optional_type",
            Type::Ext(n) => n,
        }
    }
}

impl<'a> Value<'a> {
    /// A JSON value as CEL sees it: integers are `int` (or `uint` above `int`'s range), other numbers `double`.
    pub fn from_json(v: &'a Json) -> Value<'a> {
        match v {
            Json::Null => Value::Null,
            Json::Bool(b) => Value::Bool(*b),
            Json::Number(n) => {
                if let Some(i) = n.as_i64() {
                    Value::Int(i)
                } else if let Some(u) = n.as_u64() {
                    Value::Uint(u)
                } else {
                    Value::Double(n.as_f64().unwrap_or(f64::NAN))
                }
            }
            Json::String(s) => Value::String(Str::Borrowed(s.as_str())),
            Json::Array(a) => Value::List(List::Json(a.as_slice())),
            Json::Object(m) => Value::Map(MapValue::Json(m)),
        }
    }

    /// An owned string value.
    pub fn string(s: impl Into<Rc<str>>) -> Value<'a> {
        Value::String(Str::Owned(s.into()))
    }

    /// An owned list value.
    pub fn list(items: Vec<Value<'a>>) -> Value<'a> {
        Value::List(List::Owned(Rc::new(items)))
    }

    /// The value's type.
    pub fn type_of(&self) -> Type {
        match self {
            Value::Null => Type::Null,
            Value::Bool(_) => Type::Bool,
            Value::Int(_) => Type::Int,
            Value::Uint(_) => Type::Uint,
            Value::Double(_) => Type::Double,
            Value::String(_) => Type::String,
            Value::Bytes(_) => Type::Bytes,
            Value::List(_) => Type::List,
            Value::Map(_) => Type::Map,
            Value::Type(_) => Type::Type,
            Value::Duration(_) => Type::Duration,
            Value::Timestamp(_) => Type::Timestamp,
            Value::Optional(_) => Type::Optional,
            Value::Ext(e) => Type::Ext(e.type_name()),
        }
    }

    /// The name of the value's type, for messages.
    pub fn type_name(&self) -> &'static str {
        self.type_of().name()
    }

    /// CEL equality (heterogeneous: `1 == 1u == 1.0`; values of unrelated types are unequal, not an error).
    pub fn equals(&self, other: &Value<'_>) -> bool {
        match (self, other) {
            (Value::Null, Value::Null) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::String(a), Value::String(b)) => **a == **b,
            (Value::Bytes(a), Value::Bytes(b)) => a == b,
            (Value::Duration(a), Value::Duration(b)) | (Value::Timestamp(a), Value::Timestamp(b)) => a == b,
            (Value::Type(a), Value::Type(b)) => a == b,
            (Value::List(a), Value::List(b)) => a.len() == b.len() && a.iter().zip(b.iter()).all(|(x, y)| x.equals(&y)),
            (Value::Map(a), Value::Map(b)) => {
                a.len() == b.len()
                    && a.entries().iter().all(|(k, v)| match Key::from_value(k) {
                        Ok(key) => b.get(&key).is_some_and(|w| v.equals(&w)),
                        Err(_) => false,
                    })
            }
            (Value::Optional(a), Value::Optional(b)) => match (a, b) {
                (None, None) => true,
                (Some(x), Some(y)) => x.equals(y),
                _ => false,
            },
            (Value::Ext(a), Value::Ext(b)) => a.equals(b),
            _ => match (self.numeric(), other.numeric()) {
                (Some(a), Some(b)) => compare_numbers(a, b) == Some(Ordering::Equal),
                _ => false,
            },
        }
    }

    /// CEL ordering: numbers across types, strings, bytes, bools, durations, timestamps; `None` when the two
    /// cannot be ordered (an error for `<`, a `false` for NaN).
    pub fn compare(&self, other: &Value<'_>) -> Result<Option<Ordering>, Error> {
        Ok(match (self, other) {
            (Value::Bool(a), Value::Bool(b)) => Some(a.cmp(b)),
            (Value::String(a), Value::String(b)) => Some((**a).cmp(&**b)),
            (Value::Bytes(a), Value::Bytes(b)) => Some(a.cmp(b)),
            (Value::Duration(a), Value::Duration(b)) | (Value::Timestamp(a), Value::Timestamp(b)) => Some(a.cmp(b)),
            (Value::Ext(a), Value::Ext(b)) => match a.compare(b) {
                Some(o) => Some(o),
                None => return Err(no_overload("_<_", &[self, other])),
            },
            _ => match (self.numeric(), other.numeric()) {
                (Some(a), Some(b)) => match compare_numbers(a, b) {
                    Some(o) => Some(o),
                    None => return Err(super::Error::new("NaN values cannot be ordered")),
                },
                _ => return Err(no_overload("_<_", &[self, other])),
            },
        })
    }

    fn numeric(&self) -> Option<Number> {
        match self {
            Value::Int(i) => Some(Number::Int(*i)),
            Value::Uint(u) => Some(Number::Uint(*u)),
            Value::Double(d) => Some(Number::Double(*d)),
            _ => None,
        }
    }

    /// Whether the value is its type's zero value (for `optional.ofNonZeroValue`).
    pub fn is_zero(&self) -> bool {
        match self {
            Value::Null => true,
            Value::Bool(b) => !b,
            Value::Int(i) => *i == 0,
            Value::Uint(u) => *u == 0,
            Value::Double(d) => *d == 0.0,
            Value::String(s) => s.is_empty(),
            Value::Bytes(b) => b.is_empty(),
            Value::List(l) => l.is_empty(),
            Value::Map(m) => m.is_empty(),
            Value::Duration(d) | Value::Timestamp(d) => *d == 0,
            Value::Optional(o) => o.is_none(),
            Value::Type(_) | Value::Ext(_) => false,
        }
    }

    /// The value as JSON (for a mutation's result and for messages); `None` for values JSON cannot hold.
    pub fn to_json(&self) -> Result<Json, Error> {
        Ok(match self {
            Value::Null => Json::Null,
            Value::Bool(b) => Json::Bool(*b),
            Value::Int(i) => Json::from(*i),
            Value::Uint(u) => Json::from(*u),
            Value::Double(d) => serde_json::Number::from_f64(*d)
                .map(Json::Number)
                .ok_or_else(|| Error::new("NaN or infinity in JSON"))?,
            Value::String(s) => Json::String(s.to_string()),
            Value::Bytes(b) => Json::String(super::ext::base64_encode(b)),
            Value::List(List::Json(a)) => Json::Array(a.to_vec()),
            Value::List(l) => Json::Array(l.iter().map(|v| v.to_json()).collect::<Result<_, _>>()?),
            Value::Map(MapValue::Json(m)) => Json::Object((*m).clone()),
            Value::Map(m) => {
                let mut out = serde_json::Map::new();
                for (k, v) in m.entries() {
                    let key = match k {
                        Value::String(s) => s.to_string(),
                        other => other.to_string(),
                    };
                    out.insert(key, v.to_json()?);
                }
                Json::Object(out)
            }
            Value::Duration(d) => Json::String(super::stdlib::format_duration(*d)),
            Value::Timestamp(t) => Json::String(super::stdlib::format_timestamp(*t)),
            Value::Optional(Some(v)) => v.to_json()?,
            Value::Optional(None) => Json::Null,
            Value::Type(t) => Json::String(t.name().to_string()),
            Value::Ext(e) => Json::String(e.to_string()),
        })
    }
}

#[derive(Clone, Copy)]
enum Number {
    Int(i64),
    Uint(u64),
    Double(f64),
}

fn compare_numbers(a: Number, b: Number) -> Option<Ordering> {
    match (a, b) {
        (Number::Int(x), Number::Int(y)) => Some(x.cmp(&y)),
        (Number::Uint(x), Number::Uint(y)) => Some(x.cmp(&y)),
        (Number::Int(x), Number::Uint(y)) => Some(if x < 0 { Ordering::Less } else { (x as u64).cmp(&y) }),
        (Number::Uint(x), Number::Int(y)) => Some(if y < 0 { Ordering::Greater } else { x.cmp(&(y as u64)) }),
        (Number::Double(x), Number::Double(y)) => x.partial_cmp(&y),
        // An int or uint is compared with a double as a double, as the language definition says.
        (Number::Double(x), Number::Int(y)) => x.partial_cmp(&(y as f64)),
        (Number::Int(x), Number::Double(y)) => (x as f64).partial_cmp(&y),
        (Number::Double(x), Number::Uint(y)) => x.partial_cmp(&(y as f64)),
        (Number::Uint(x), Number::Double(y)) => (x as f64).partial_cmp(&y),
    }
}

/// The error for a function or operator applied to arguments it has no overload for.
pub fn no_overload(function: &str, args: &[&Value<'_>]) -> Error {
    let types: Vec<&str> = args.iter().map(|a| a.type_name()).collect();
    Error::new(format!("no such overload: {}({})", function, types.join(", ")))
}

/// How CEL's `string()` and messages print a value.
impl fmt::Display for Value<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("null"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Uint(u) => write!(f, "{u}"),
            Value::Double(d) => f.write_str(&super::stdlib::format_double(*d)),
            Value::String(s) => f.write_str(s),
            Value::Bytes(b) => f.write_str(&String::from_utf8_lossy(b)),
            Value::List(l) => {
                f.write_str("[")?;
                for (i, v) in l.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    v.fmt_nested(f)?;
                }
                f.write_str("]")
            }
            Value::Map(m) => {
                f.write_str("{")?;
                for (i, (k, v)) in m.entries().iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    k.fmt_nested(f)?;
                    f.write_str(": ")?;
                    v.fmt_nested(f)?;
                }
                f.write_str("}")
            }
            Value::Type(t) => f.write_str(t.name()),
            Value::Duration(d) => f.write_str(&super::stdlib::format_duration(*d)),
            Value::Timestamp(t) => f.write_str(&super::stdlib::format_timestamp(*t)),
            Value::Optional(Some(v)) => write!(f, "optional.of({})", v),
            Value::Optional(None) => f.write_str("optional.none()"),
            Value::Ext(e) => write!(f, "{e}"),
        }
    }
}

impl Value<'_> {
    /// Inside a list or map strings are quoted, as cel-go's `format` `%s` prints them.
    fn fmt_nested(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::String(s) => write!(f, "{:?}", &**s),
            other => write!(f, "{other}"),
        }
    }
}
