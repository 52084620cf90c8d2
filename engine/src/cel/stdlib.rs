//! The standard definitions of the CEL language: conversions, `size`, string predicates, durations and
//! timestamps.

/// A double as cel-go's `string()` prints it (Go's `%g` with the shortest digits: `123.456`, `-0.0045`,
/// `1e+100`, `1.234567e+06`).
pub fn format_double(d: f64) -> String {
    if d.is_nan() {
        return "NaN".to_string();
    }
    if d.is_infinite() {
        return if d > 0.0 { "+Inf".to_string() } else { "-Inf".to_string() };
    }
    if d == 0.0 {
        return if d.is_sign_negative() { "-0".to_string() } else { "0".to_string() };
    }
    // Rust's `{:e}` gives the shortest digits that round-trip: "1.234567e6", "-4.5e-3".
    let e = format!("{:e}", d);
    let (mantissa, exp) = e.split_once('e').unwrap_or((&e, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let negative = mantissa.starts_with('-');
    let digits: String = mantissa.chars().filter(|c| c.is_ascii_digit()).collect();
    let sign = if negative { "-" } else { "" };
    if !(-4..6).contains(&exp) {
        let (first, rest) = digits.split_at(1);
        let frac = if rest.is_empty() { String::new() } else { format!(".{rest}") };
        let esign = if exp < 0 { '-' } else { '+' };
        return format!("{sign}{first}{frac}e{esign}{:02}", exp.abs());
    }
    let n = digits.len() as i32;
    if exp >= 0 {
        let int_len = exp + 1;
        if n <= int_len {
            format!("{sign}{digits}{}", "0".repeat((int_len - n) as usize))
        } else {
            let (a, b) = digits.split_at(int_len as usize);
            format!("{sign}{a}.{b}")
        }
    } else {
        format!("{sign}0.{}{digits}", "0".repeat((-exp - 1) as usize))
    }
}

/// A duration as CEL prints it: seconds with the fraction protobuf's JSON form gives (`3600s`, `1.5s`).
pub fn format_duration(nanos: i128) -> String {
    let sign = if nanos < 0 { "-" } else { "" };
    let n = nanos.unsigned_abs();
    let secs = n / 1_000_000_000;
    let frac = n % 1_000_000_000;
    if frac == 0 {
        format!("{sign}{secs}s")
    } else {
        let f = format!("{frac:09}");
        format!("{sign}{secs}.{}s", f.trim_end_matches('0'))
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

/// The date of a day since 1970-01-01.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719468;
    let era = if z >= 0 { z } else { z - 146096 } / 146097;
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// A timestamp in RFC 3339, UTC, the fraction without trailing zeros (`2009-02-13T23:31:30Z`).
pub fn format_timestamp(nanos: i128) -> String {
    let secs = nanos.div_euclid(1_000_000_000) as i64;
    let frac = nanos.rem_euclid(1_000_000_000) as u32;
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let mut s = format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}", rem / 3600, rem / 60 % 60, rem % 60);
    if frac != 0 {
        let f = format!("{frac:09}");
        s.push('.');
        s.push_str(f.trim_end_matches('0'));
    }
    s.push('Z');
    s
}

use std::rc::Rc;

use super::parser::BinaryOp;
use super::value::{Key, List, MapValue, no_overload};
use super::{Cost, Error, Value, ext};

type R<'a> = Result<Value<'a>, Error>;

/// The standard functions: a call of one of these with arguments of no overload is `no such overload`.
pub const FUNCTIONS: &[&str] = &[
    "size",
    "int",
    "uint",
    "double",
    "string",
    "bytes",
    "bool",
    "dyn",
    "type",
    "duration",
    "timestamp",
    "contains",
    "startsWith",
    "endsWith",
    "matches",
    "hasValue",
    "value",
    "orValue",
    "or",
    "getFullYear",
    "getMonth",
    "getDate",
    "getDayOfMonth",
    "getDayOfWeek",
    "getDayOfYear",
    "getHours",
    "getMinutes",
    "getSeconds",
    "getMilliseconds",
    "optional.of",
    "optional.none",
    "optional.ofNonZeroValue",
    "jsonpatch.escapeKey",
];

const NANOS: i128 = 1_000_000_000;
/// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999999999Z, in nanoseconds since the epoch.
const MIN_TIMESTAMP: i128 = -62_135_596_800 * NANOS;
const MAX_TIMESTAMP: i128 = 253_402_300_800 * NANOS - 1;

fn timestamp_in_range<'a>(t: i128) -> R<'a> {
    if (MIN_TIMESTAMP..=MAX_TIMESTAMP).contains(&t) {
        Ok(Value::Timestamp(t))
    } else {
        Err(Error::new("timestamp out of range"))
    }
}

fn duration_in_range<'a>(d: i128) -> R<'a> {
    if (i64::MIN as i128..=i64::MAX as i128).contains(&d) {
        Ok(Value::Duration(d))
    } else {
        Err(Error::new("duration out of range"))
    }
}

/// A standard function or method; `None` when the standard library has none of that name.
pub fn call<'a>(name: &str, target: Option<&Value<'a>>, args: &[Value<'a>], cost: &mut Cost) -> Option<R<'a>> {
    let r = match (name, target, args) {
        ("size", Some(x), []) | ("size", None, [x]) => size(x, cost),
        ("int", None, [x]) => to_int(x),
        ("uint", None, [x]) => to_uint(x),
        ("double", None, [x]) => to_double(x),
        ("string", None, [x]) => to_string(x),
        ("bytes", None, [x]) => match x {
            Value::Bytes(_) => Ok(x.clone()),
            Value::String(s) => Ok(Value::Bytes(Rc::from(s.as_bytes()))),
            other => Err(no_overload("bytes", &[other])),
        },
        ("bool", None, [x]) => match x {
            Value::Bool(_) => Ok(x.clone()),
            Value::String(s) => match &**s {
                "1" | "t" | "T" | "TRUE" | "true" | "True" => Ok(Value::Bool(true)),
                "0" | "f" | "F" | "FALSE" | "false" | "False" => Ok(Value::Bool(false)),
                other => Err(Error::new(format!("type conversion error from 'string' to 'bool': '{other}'"))),
            },
            other => Err(no_overload("bool", &[other])),
        },
        ("dyn", None, [x]) => Ok(x.clone()),
        ("type", None, [x]) => Ok(Value::Type(x.type_of())),
        ("duration", None, [x]) => match x {
            Value::Duration(_) => Ok(x.clone()),
            Value::String(s) => parse_duration(s).and_then(duration_in_range),
            other => Err(no_overload("duration", &[other])),
        },
        ("timestamp", None, [x]) => match x {
            Value::Timestamp(_) => Ok(x.clone()),
            Value::String(s) => parse_timestamp(s).and_then(timestamp_in_range),
            Value::Int(i) => timestamp_in_range(*i as i128 * NANOS),
            other => Err(no_overload("timestamp", &[other])),
        },
        ("contains" | "startsWith" | "endsWith", Some(Value::String(s)), [Value::String(p)]) => {
            cost.charge((s.len() / 10) as u64 + 1).map(|()| {
                Value::Bool(match name {
                    "contains" => s.contains(&**p),
                    "startsWith" => s.starts_with(&**p),
                    _ => s.ends_with(&**p),
                })
            })
        }
        ("contains" | "startsWith" | "endsWith", Some(t), [a]) => Err(no_overload(name, &[t, a])),
        ("matches", Some(Value::String(s)), [Value::String(re)])
        | ("matches", None, [Value::String(s), Value::String(re)]) => {
            cost.charge((s.len() / 10) as u64 + 1).and_then(|()| ext::regex(re)).map(|r| Value::Bool(r.is_match(s)))
        }
        ("jsonpatch.escapeKey", None, [Value::String(k)]) => Ok(Value::string(k.replace('~', "~0").replace('/', "~1"))),
        ("optional.of", None, [x]) => Ok(Value::Optional(Some(Rc::new(x.clone())))),
        ("optional.none", None, []) => Ok(Value::Optional(None)),
        ("optional.ofNonZeroValue", None, [x]) => {
            Ok(Value::Optional(if x.is_zero() { None } else { Some(Rc::new(x.clone())) }))
        }
        ("hasValue", Some(Value::Optional(o)), []) => Ok(Value::Bool(o.is_some())),
        ("value", Some(Value::Optional(o)), []) => match o {
            Some(v) => Ok((**v).clone()),
            None => Err(Error::new("optional.none() dereference")),
        },
        ("orValue", Some(Value::Optional(o)), [d]) => Ok(o.as_ref().map_or_else(|| d.clone(), |v| (**v).clone())),
        ("or", Some(Value::Optional(o)), [other]) => match (o, other) {
            (Some(_), _) => Ok(Value::Optional(o.clone())),
            (None, Value::Optional(_)) => Ok(other.clone()),
            (None, x) => Err(no_overload("or", &[x])),
        },
        (
            "getFullYear" | "getMonth" | "getDate" | "getDayOfMonth" | "getDayOfWeek" | "getDayOfYear" | "getHours"
            | "getMinutes" | "getSeconds" | "getMilliseconds",
            Some(Value::Timestamp(t)),
            [] | [Value::String(_)],
        ) => {
            let zone = match args {
                [Value::String(z)] => time_zone(z),
                _ => Ok(0),
            };
            zone.map(|offset| Value::Int(timestamp_part(name, *t + offset as i128 * NANOS)))
        }
        ("getHours" | "getMinutes" | "getSeconds" | "getMilliseconds", Some(Value::Duration(d)), []) => {
            Ok(Value::Int(match name {
                "getHours" => d / (3600 * NANOS),
                "getMinutes" => d / (60 * NANOS),
                "getSeconds" => d / NANOS,
                _ => d / 1_000_000 % 1000,
            } as i64))
        }
        _ => return None,
    };
    Some(r)
}

fn size<'a>(x: &Value<'a>, cost: &mut Cost) -> R<'a> {
    match x {
        Value::String(s) => {
            cost.charge((s.len() / 10) as u64 + 1)?;
            Ok(Value::Int(s.chars().count() as i64))
        }
        Value::Bytes(b) => Ok(Value::Int(b.len() as i64)),
        Value::List(l) => Ok(Value::Int(l.len() as i64)),
        Value::Map(m) => Ok(Value::Int(m.len() as i64)),
        Value::Ext(e) => e.size().map(Value::Int).ok_or_else(|| no_overload("size", &[x])),
        other => Err(no_overload("size", &[other])),
    }
}

fn to_int<'a>(x: &Value<'a>) -> R<'a> {
    match x {
        Value::Int(_) => Ok(x.clone()),
        Value::Uint(u) => {
            i64::try_from(*u).map(Value::Int).map_err(|_| Error::new("range error converting uint to int"))
        }
        Value::Double(d) => {
            if d.is_nan() || *d <= i64::MIN as f64 || *d >= i64::MAX as f64 {
                Err(Error::new(format!("range error converting {} to int", format_double(*d))))
            } else {
                Ok(Value::Int(d.trunc() as i64))
            }
        }
        Value::String(s) => s
            .parse::<i64>()
            .map(Value::Int)
            .map_err(|_| Error::new(format!("type conversion error from 'string' to 'int': '{}'", &**s))),
        Value::Timestamp(t) => Ok(Value::Int(t.div_euclid(NANOS) as i64)),
        Value::Duration(d) => Ok(Value::Int(*d as i64)),
        other => Err(no_overload("int", &[other])),
    }
}

fn to_uint<'a>(x: &Value<'a>) -> R<'a> {
    match x {
        Value::Uint(_) => Ok(x.clone()),
        Value::Int(i) => {
            u64::try_from(*i).map(Value::Uint).map_err(|_| Error::new("range error converting int to uint"))
        }
        Value::Double(d) => {
            if d.is_nan() || *d < 0.0 || *d >= u64::MAX as f64 {
                Err(Error::new(format!("range error converting {} to uint", format_double(*d))))
            } else {
                Ok(Value::Uint(d.trunc() as u64))
            }
        }
        Value::String(s) => s
            .parse::<u64>()
            .map(Value::Uint)
            .map_err(|_| Error::new(format!("type conversion error from 'string' to 'uint': '{}'", &**s))),
        other => Err(no_overload("uint", &[other])),
    }
}

fn to_double<'a>(x: &Value<'a>) -> R<'a> {
    match x {
        Value::Double(_) => Ok(x.clone()),
        Value::Int(i) => Ok(Value::Double(*i as f64)),
        Value::Uint(u) => Ok(Value::Double(*u as f64)),
        Value::String(s) => {
            let t = match &**s {
                "Infinity" | "+Infinity" | "inf" | "+inf" | "Inf" | "+Inf" => Some(f64::INFINITY),
                "-Infinity" | "-inf" | "-Inf" => Some(f64::NEG_INFINITY),
                "NaN" | "nan" => Some(f64::NAN),
                other => other.parse::<f64>().ok(),
            };
            t.map(Value::Double)
                .ok_or_else(|| Error::new(format!("type conversion error from 'string' to 'double': '{}'", &**s)))
        }
        other => Err(no_overload("double", &[other])),
    }
}

fn to_string<'a>(x: &Value<'a>) -> R<'a> {
    match x {
        Value::String(_) => Ok(x.clone()),
        Value::Bytes(b) => std::str::from_utf8(b)
            .map(Value::string)
            .map_err(|_| Error::new("invalid UTF-8 in bytes, cannot convert to string")),
        Value::Int(_)
        | Value::Uint(_)
        | Value::Double(_)
        | Value::Bool(_)
        | Value::Duration(_)
        | Value::Timestamp(_)
        | Value::Type(_) => Ok(Value::string(x.to_string())),
        Value::Ext(e) => e.to_cel_string().map(Value::string),
        other => Err(no_overload("string", &[other])),
    }
}

/// The arithmetic operators.
pub fn arithmetic<'a>(op: BinaryOp, x: Value<'a>, y: Value<'a>, cost: &mut Cost) -> R<'a> {
    let overflow = || Error::new("integer overflow");
    let uoverflow = || Error::new("unsigned integer overflow");
    match (op, &x, &y) {
        (BinaryOp::Add, Value::Int(a), Value::Int(b)) => a.checked_add(*b).map(Value::Int).ok_or_else(overflow),
        (BinaryOp::Sub, Value::Int(a), Value::Int(b)) => a.checked_sub(*b).map(Value::Int).ok_or_else(overflow),
        (BinaryOp::Mul, Value::Int(a), Value::Int(b)) => a.checked_mul(*b).map(Value::Int).ok_or_else(overflow),
        (BinaryOp::Div, Value::Int(_), Value::Int(0)) | (BinaryOp::Div, Value::Uint(_), Value::Uint(0)) => {
            Err(Error::new("division by zero"))
        }
        (BinaryOp::Rem, Value::Int(_), Value::Int(0)) | (BinaryOp::Rem, Value::Uint(_), Value::Uint(0)) => {
            Err(Error::new("modulus by zero"))
        }
        (BinaryOp::Div, Value::Int(a), Value::Int(b)) => a.checked_div(*b).map(Value::Int).ok_or_else(overflow),
        (BinaryOp::Rem, Value::Int(a), Value::Int(b)) => a.checked_rem(*b).map(Value::Int).ok_or_else(overflow),
        (BinaryOp::Add, Value::Uint(a), Value::Uint(b)) => a.checked_add(*b).map(Value::Uint).ok_or_else(uoverflow),
        (BinaryOp::Sub, Value::Uint(a), Value::Uint(b)) => a.checked_sub(*b).map(Value::Uint).ok_or_else(uoverflow),
        (BinaryOp::Mul, Value::Uint(a), Value::Uint(b)) => a.checked_mul(*b).map(Value::Uint).ok_or_else(uoverflow),
        (BinaryOp::Div, Value::Uint(a), Value::Uint(b)) => Ok(Value::Uint(a / b)),
        (BinaryOp::Rem, Value::Uint(a), Value::Uint(b)) => Ok(Value::Uint(a % b)),
        (BinaryOp::Add, Value::Double(a), Value::Double(b)) => Ok(Value::Double(a + b)),
        (BinaryOp::Sub, Value::Double(a), Value::Double(b)) => Ok(Value::Double(a - b)),
        (BinaryOp::Mul, Value::Double(a), Value::Double(b)) => Ok(Value::Double(a * b)),
        (BinaryOp::Div, Value::Double(a), Value::Double(b)) => Ok(Value::Double(a / b)),
        (BinaryOp::Add, Value::String(a), Value::String(b)) => {
            cost.charge(((a.len() + b.len()) / 10) as u64 + 1)?;
            let mut s = String::with_capacity(a.len() + b.len());
            s.push_str(a);
            s.push_str(b);
            Ok(Value::string(s))
        }
        (BinaryOp::Add, Value::Bytes(a), Value::Bytes(b)) => {
            cost.charge(((a.len() + b.len()) / 10) as u64 + 1)?;
            Ok(Value::Bytes([&a[..], &b[..]].concat().into()))
        }
        (BinaryOp::Add, Value::List(a), Value::List(b)) => {
            if b.is_empty() {
                return Ok(x);
            }
            if a.is_empty() {
                return Ok(y);
            }
            cost.charge((a.len() + b.len()) as u64)?;
            let mut v = a.to_vec();
            v.extend(b.iter());
            Ok(Value::List(List::Owned(Rc::new(v))))
        }
        (BinaryOp::Add, Value::Duration(a), Value::Duration(b)) => duration_in_range(a + b),
        (BinaryOp::Sub, Value::Duration(a), Value::Duration(b)) => duration_in_range(a - b),
        (BinaryOp::Add, Value::Timestamp(a), Value::Duration(b))
        | (BinaryOp::Add, Value::Duration(b), Value::Timestamp(a)) => timestamp_in_range(a + b),
        (BinaryOp::Sub, Value::Timestamp(a), Value::Duration(b)) => timestamp_in_range(a - b),
        (BinaryOp::Sub, Value::Timestamp(a), Value::Timestamp(b)) => duration_in_range(a - b),
        _ => Err(no_overload(op.function(), &[&x, &y])),
    }
}

/// A message literal. Kubernetes' mutating policies build `Object{...}` (an apply configuration) and
/// `JSONPatch{...}`; both are maps of their fields here.
pub fn message<'a>(name: &str, fields: Vec<(Key<'a>, Value<'a>)>) -> R<'a> {
    if name == "Object" || name.starts_with("Object.") || name == "JSONPatch" {
        Ok(Value::Map(MapValue::Owned(Rc::new(fields))))
    } else {
        Err(Error::new(format!("unknown type: {name}")))
    }
}

/// Go's duration syntax: `1h30m`, `1.5s`, `-300ms`, `2us`, `1µs`, `10ns`.
pub fn parse_duration(s: &str) -> Result<i128, Error> {
    let bad = || Error::new(format!("invalid duration: '{s}'"));
    let (neg, mut rest) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    if rest == "0" {
        return Ok(0);
    }
    if rest.is_empty() {
        return Err(bad());
    }
    let mut total: f64 = 0.0;
    let mut exact: i128 = 0;
    while !rest.is_empty() {
        let n = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).ok_or_else(bad)?;
        if n == 0 {
            return Err(bad());
        }
        let number = &rest[..n];
        rest = &rest[n..];
        let u = rest.find(|c: char| c.is_ascii_digit() || c == '.').unwrap_or(rest.len());
        let unit: i128 = match &rest[..u] {
            "ns" => 1,
            "us" | "µs" | "μs" => 1_000,
            "ms" => 1_000_000,
            "s" => NANOS,
            "m" => 60 * NANOS,
            "h" => 3600 * NANOS,
            _ => return Err(bad()),
        };
        rest = &rest[u..];
        match number.split_once('.') {
            None => exact += number.parse::<i128>().map_err(|_| bad())? * unit,
            Some((int, frac)) => {
                let int: i128 = if int.is_empty() { 0 } else { int.parse().map_err(|_| bad())? };
                exact += int * unit;
                let f: f64 = format!("0.{frac}").parse().map_err(|_| bad())?;
                total += f * unit as f64;
            }
        }
    }
    let d = exact + total.round() as i128;
    Ok(if neg { -d } else { d })
}

/// RFC 3339: `2009-02-13T23:31:30Z`, `2009-02-13T23:31:30.5+01:00`.
pub fn parse_timestamp(s: &str) -> Result<i128, Error> {
    let bad = || Error::new(format!("invalid timestamp: '{s}'"));
    let b = s.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't') || b[13] != b':' || b[16] != b':' {
        return Err(bad());
    }
    let num = |r: std::ops::Range<usize>| -> Result<i64, Error> {
        let t = s.get(r).ok_or_else(bad)?;
        if t.bytes().all(|c| c.is_ascii_digit()) { t.parse().map_err(|_| bad()) } else { Err(bad()) }
    };
    let (y, mo, d, h, mi, se) = (num(0..4)?, num(5..7)?, num(8..10)?, num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || d < 1 || d > days_in_month(y, mo as u32) as i64 || h > 23 || mi > 59 || se > 59 {
        return Err(bad());
    }
    let mut i = 19;
    let mut frac: i128 = 0;
    if b.get(i) == Some(&b'.') {
        let start = i + 1;
        i = start;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        let digits = &s[start..i];
        if digits.is_empty() || digits.len() > 9 {
            return Err(bad());
        }
        frac = format!("{digits:0<9}").parse().map_err(|_| bad())?;
    }
    let offset = match s.get(i..) {
        Some("Z" | "z") => 0,
        Some(z) if z.len() == 6 => fixed_offset(z).ok_or_else(bad)?,
        _ => return Err(bad()),
    };
    let days = days_from_civil(y, mo as u32, d as u32);
    let secs = days * 86_400 + h * 3600 + mi * 60 + se - offset;
    Ok(secs as i128 * NANOS + frac)
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

/// `+05:30` → seconds east of UTC.
fn fixed_offset(z: &str) -> Option<i64> {
    let b = z.as_bytes();
    if b.len() != 6 || b[3] != b':' {
        return None;
    }
    let sign = match b[0] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let h: i64 = z.get(1..3)?.parse().ok()?;
    let m: i64 = z.get(4..6)?.parse().ok()?;
    (h < 24 && m < 60).then_some(sign * (h * 3600 + m * 60))
}

/// A time zone argument: `UTC`, or a fixed offset (`+01:00`, `-08:00`). Named zones would need a time-zone
/// database in the browser's wasm (about 150 KB); they are refused with a clear error instead.
fn time_zone(z: &str) -> Result<i64, Error> {
    match z {
        "UTC" | "Z" | "GMT" | "Etc/UTC" | "Etc/GMT" => Ok(0),
        _ => fixed_offset(z).ok_or_else(|| {
            Error::new(format!(
                "unknown time zone '{z}': guardrail knows UTC and fixed offsets such as '+01:00', not named zones"
            ))
        }),
    }
}

fn timestamp_part(name: &str, t: i128) -> i64 {
    let secs = t.div_euclid(NANOS) as i64;
    let nanos = t.rem_euclid(NANOS) as i64;
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    match name {
        "getFullYear" => y,
        "getMonth" => m as i64 - 1,
        "getDate" => d as i64,
        "getDayOfMonth" => d as i64 - 1,
        "getDayOfWeek" => (days + 4).rem_euclid(7),
        "getDayOfYear" => days - days_from_civil(y, 1, 1),
        "getHours" => rem / 3600,
        "getMinutes" => rem / 60 % 60,
        "getSeconds" => rem % 60,
        _ => nanos / 1_000_000,
    }
}
