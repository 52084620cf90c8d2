//! The Kubernetes CEL libraries, as the API server's base environment declares them: cel-go's extended
//! strings (version 2, with the locale-aware `format` of that version), lists (version 3) and sets, the
//! optional library's `first`/`last`/`unwrapOpt`, and Kubernetes' own lists, regex, URLs, quantities, IP and
//! CIDR, semver and `jsonpatch.escapeKey`; plus cel-go's `base64` and `math` extensions.
//!
//! Behaviour and error messages follow the Go implementations (cel-go, `k8s.io/apiserver/pkg/cel/library`,
//! `resource.Quantity`, `net/netip`, `net/url`, blang/semver), down to their quirks where a policy can see
//! them: `quantity("1.5Gi").isInteger()` is false because Kubernetes keeps that value in its arbitrary
//! precision form, `cidr("10.0.0.1/8")` is accepted unmasked.

mod lists;
mod net;
mod quantity;
mod semver;
mod strings;

use std::cell::RefCell;
use std::cmp::Ordering;
use std::collections::HashMap;
use std::fmt;
use std::rc::Rc;

pub(crate) use crate::text::go_quote;

use super::value::no_overload;
use super::{Cost, Error, Value};

pub use net::{Cidr, Ip, Url};
pub use quantity::Quantity;
pub use semver::Semver;

/// A value of one of the Kubernetes libraries.
#[derive(Debug, Clone, PartialEq)]
pub enum Ext {
    /// `kubernetes.Quantity`.
    Quantity(Quantity),
    /// `net.IP`.
    Ip(Ip),
    /// `net.CIDR`.
    Cidr(Cidr),
    /// `kubernetes.URL`.
    Url(Url),
    /// `kubernetes.Semver`.
    Semver(Semver),
}

impl Ext {
    /// The CEL type name.
    pub fn type_name(&self) -> &'static str {
        match self {
            Ext::Quantity(_) => "kubernetes.Quantity",
            Ext::Ip(_) => "net.IP",
            Ext::Cidr(_) => "net.CIDR",
            Ext::Url(_) => "kubernetes.URL",
            Ext::Semver(_) => "kubernetes.Semver",
        }
    }

    /// Equality: quantities by value (`1Gi == 1024Mi`), semvers ignoring build metadata, URLs by their
    /// printed form, IPs and CIDRs exactly (an unmasked CIDR differs from its masked form).
    pub fn equals(&self, other: &Ext) -> bool {
        match (self, other) {
            (Ext::Quantity(a), Ext::Quantity(b)) => a.compare(b) == Ordering::Equal,
            (Ext::Ip(a), Ext::Ip(b)) => a == b,
            (Ext::Cidr(a), Ext::Cidr(b)) => a == b,
            (Ext::Url(a), Ext::Url(b)) => a.to_string() == b.to_string(),
            (Ext::Semver(a), Ext::Semver(b)) => a.compare(b) == Ordering::Equal,
            _ => false,
        }
    }

    /// Ordering, where the type has one: none has in Kubernetes (`<` on quantities or semvers is a type
    /// error there; they have `compareTo`, `isLessThan`, `isGreaterThan`).
    pub fn compare(&self, _other: &Ext) -> Option<Ordering> {
        None
    }

    /// `size(x)`, where the type has one: an IP's bytes (4 or 16), a CIDR's prefix bytes (`/20` is 3).
    pub fn size(&self) -> Option<i64> {
        match self {
            Ext::Ip(ip) => Some(ip.byte_len()),
            Ext::Cidr(c) => Some(i64::from(c.prefix_length().div_ceil(8))),
            _ => None,
        }
    }

    /// `string(x)`: IPs and CIDRs convert; quantities, URLs and semvers do not in Kubernetes.
    pub fn to_cel_string(&self) -> Result<String, Error> {
        match self {
            Ext::Ip(_) | Ext::Cidr(_) => Ok(self.to_string()),
            _ => Err(Error::new(format!("type conversion error from '{}' to 'string'", self.type_name()))),
        }
    }
}

impl fmt::Display for Ext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ext::Quantity(q) => q.fmt(f),
            Ext::Ip(ip) => ip.fmt(f),
            Ext::Cidr(c) => c.fmt(f),
            Ext::Url(u) => u.fmt(f),
            Ext::Semver(v) => v.fmt(f),
        }
    }
}

const PARSERS: [&str; 11] =
    ["quantity", "isQuantity", "semver", "isSemver", "url", "isURL", "ip", "isIP", "ip.isCanonical", "cidr", "isCIDR"];

/// Charge for scanning `len` bytes.
fn scan(cost: &mut Cost, len: usize) -> Result<(), Error> {
    cost.charge(len as u64 / 10 + 1)
}

fn ext<'a>(e: Ext) -> Value<'a> {
    Value::Ext(Rc::new(e))
}

/// A function of the Kubernetes libraries: `None` when there is none of that name, an error when none of
/// its overloads takes these arguments or when it fails.
pub fn call<'a>(
    name: &str,
    target: Option<&Value<'a>>,
    args: &[Value<'a>],
    cost: &mut Cost,
) -> Option<Result<Value<'a>, Error>> {
    use Value as V;
    let nov = || {
        let all: Vec<&Value<'_>> = target.into_iter().chain(args).collect();
        Err(no_overload(name, &all))
    };
    // The parsers scan their string.
    if let (None, Some(Value::String(s))) = (target, args.first()) {
        if PARSERS.contains(&name) {
            if let Err(e) = scan(cost, s.len()) {
                return Some(Err(e));
            }
        }
    }
    Some(match name {
        // Extended strings.
        "charAt" => match (target, args) {
            (Some(V::String(s)), [V::Int(i)]) => strings::char_at(s, *i, cost),
            _ => nov(),
        },
        "indexOf" | "lastIndexOf" => {
            let last = name == "lastIndexOf";
            match (target, args) {
                (Some(V::String(s)), [V::String(sub)]) => strings::index_of(s, sub, None, last, cost),
                (Some(V::String(s)), [V::String(sub), V::Int(off)]) => {
                    strings::index_of(s, sub, Some(*off), last, cost)
                }
                (Some(V::List(l)), [x]) => lists::index_of(l, x, last, cost),
                _ => nov(),
            }
        }
        "lowerAscii" | "upperAscii" => match (target, args) {
            (Some(V::String(s)), []) => strings::ascii_case(s, name == "upperAscii", cost),
            _ => nov(),
        },
        "replace" => match (target, args) {
            (Some(V::String(s)), [V::String(old), V::String(new)]) => strings::replace(s, old, new, -1, cost),
            (Some(V::String(s)), [V::String(old), V::String(new), V::Int(n)]) => {
                strings::replace(s, old, new, *n, cost)
            }
            _ => nov(),
        },
        "split" => match (target, args) {
            (Some(V::String(s)), [V::String(sep)]) => strings::split(s, sep, -1, cost),
            (Some(V::String(s)), [V::String(sep), V::Int(n)]) => strings::split(s, sep, *n, cost),
            _ => nov(),
        },
        "substring" => match (target, args) {
            (Some(V::String(s)), [V::Int(start)]) => strings::substring(s, *start, None, cost),
            (Some(V::String(s)), [V::Int(start), V::Int(end)]) => strings::substring(s, *start, Some(*end), cost),
            _ => nov(),
        },
        "trim" => match (target, args) {
            (Some(V::String(s)), []) => strings::trim(s, cost),
            _ => nov(),
        },
        "join" => match (target, args) {
            (Some(V::List(l)), []) => strings::join(l, "", cost),
            (Some(V::List(l)), [V::String(sep)]) => strings::join(l, sep, cost),
            _ => nov(),
        },
        "reverse" => match (target, args) {
            (Some(V::String(s)), []) => strings::reverse(s, cost),
            (Some(V::List(l)), []) => lists::reverse(l, cost),
            _ => nov(),
        },
        "strings.quote" => match (target, args) {
            (None, [V::String(s)]) => strings::quote(s, cost).map(V::string),
            _ => nov(),
        },
        "format" => match (target, args) {
            (Some(V::String(s)), [V::List(l)]) => strings::format(s, l, cost).map(V::string),
            _ => nov(),
        },

        // Regex.
        "find" => match (target, args) {
            (Some(V::String(s)), [V::String(re)]) => strings::find(s, re, cost),
            _ => nov(),
        },
        "findAll" => match (target, args) {
            (Some(V::String(s)), [V::String(re)]) => strings::find_all(s, re, -1, cost),
            (Some(V::String(s)), [V::String(re), V::Int(n)]) => strings::find_all(s, re, *n, cost),
            _ => nov(),
        },

        // Lists.
        "isSorted" => match (target, args) {
            (Some(V::List(l)), []) => lists::is_sorted(l, cost),
            _ => nov(),
        },
        "sum" => match (target, args) {
            (Some(V::List(l)), []) => lists::sum(l, cost),
            _ => nov(),
        },
        "min" | "max" => match (target, args) {
            (Some(V::List(l)), []) => lists::min_max(l, name == "max", cost),
            _ => nov(),
        },
        "includes" => match (target, args) {
            (Some(V::List(l)), [x]) => lists::index_of(l, x, false, cost).map(|i| V::Bool(!matches!(i, V::Int(-1)))),
            (Some(t), [x]) => Ok(V::Bool(t.equals(x))),
            _ => nov(),
        },
        "slice" => match (target, args) {
            (Some(V::List(l)), [V::Int(start), V::Int(end)]) => lists::slice(l, *start, *end, cost),
            _ => nov(),
        },
        "flatten" => match (target, args) {
            (Some(V::List(l)), []) => lists::flatten(l, 1, cost),
            (Some(V::List(l)), [V::Int(depth)]) => lists::flatten(l, *depth, cost),
            _ => nov(),
        },
        "distinct" => match (target, args) {
            (Some(V::List(l)), []) => lists::distinct(l, cost),
            _ => nov(),
        },
        "sort" => match (target, args) {
            (Some(V::List(l)), []) => lists::sort_by_keys(l, l, cost),
            _ => nov(),
        },
        // What the `sortBy` macro expands to: `list.@sortByAssociatedKeys(list.map(e, key))`.
        "@sortByAssociatedKeys" => match (target, args) {
            (Some(V::List(l)), [V::List(keys)]) => lists::sort_by_keys(l, keys, cost),
            _ => nov(),
        },
        "first" | "last" => match (target, args) {
            (Some(V::List(l)), []) => {
                let i = if name == "first" { 0 } else { l.len().wrapping_sub(1) };
                Ok(V::Optional(l.get(i).map(Rc::new)))
            }
            _ => nov(),
        },
        "lists.range" => match (target, args) {
            (None, [V::Int(n)]) => lists::range(*n, cost),
            _ => nov(),
        },
        "optional.unwrap" => match (target, args) {
            (None, [V::List(l)]) => lists::unwrap_optionals(l, cost),
            _ => nov(),
        },
        "unwrapOpt" => match (target, args) {
            (Some(V::List(l)), []) => lists::unwrap_optionals(l, cost),
            _ => nov(),
        },

        // Sets.
        "sets.contains" | "sets.equivalent" | "sets.intersects" => match (target, args) {
            (None, [V::List(a), V::List(b)]) => lists::sets(&name[5..], a, b, cost),
            _ => nov(),
        },

        // Math.
        "math.greatest" | "math.least" | "math.@max" | "math.@min" => match target {
            None if !args.is_empty() => {
                let max = matches!(name, "math.greatest" | "math.@max");
                match args {
                    [V::List(l)] => lists::greatest(&l.to_vec(), max, name, cost),
                    _ => lists::greatest(args, max, name, cost),
                }
            }
            _ => nov(),
        },
        "math.ceil" | "math.floor" | "math.round" | "math.trunc" | "math.isNaN" | "math.isInf" | "math.isFinite"
        | "math.abs" | "math.sign" => match (target, args) {
            (None, [x]) => lists::math(name, x).unwrap_or_else(nov),
            _ => nov(),
        },

        // Base64.
        "base64.encode" => match (target, args) {
            (None, [V::Bytes(b)]) => cost.charge(b.len() as u64 / 10 + 1).map(|()| V::string(base64_encode(b))),
            _ => nov(),
        },
        "base64.decode" => match (target, args) {
            (None, [V::String(s)]) => cost.charge(s.len() as u64 / 10 + 1).and_then(|()| {
                base64_decode_at(s)
                    .map(|b| V::Bytes(b.into()))
                    .map_err(|at| Error::new(format!("illegal base64 data at input byte {at}")))
            }),
            _ => nov(),
        },

        // Quantity.
        "quantity" => match (target, args) {
            (None, [V::String(s)]) => quantity::parse(s).map(|q| ext(Ext::Quantity(q))).map_err(Error::new),
            _ => nov(),
        },
        "isQuantity" => match (target, args) {
            (None, [V::String(s)]) => Ok(V::Bool(quantity::parse(s).is_ok())),
            _ => nov(),
        },
        "sign" => match (target, args) {
            (Some(V::Ext(q)), []) | (None, [V::Ext(q)]) => match &**q {
                Ext::Quantity(q) => Ok(V::Int(q.sign())),
                _ => nov(),
            },
            _ => nov(),
        },
        "isInteger" | "asInteger" | "asApproximateFloat" => match (target, args) {
            (Some(V::Ext(q)), []) => match &**q {
                Ext::Quantity(q) => match name {
                    "isInteger" => Ok(V::Bool(q.as_i64().is_some())),
                    "asInteger" => q.as_i64().map(V::Int).ok_or_else(|| Error::new("cannot convert value to integer")),
                    _ => Ok(V::Double(q.approximate_float())),
                },
                _ => nov(),
            },
            _ => nov(),
        },
        "add" | "sub" => match (target, args) {
            (Some(V::Ext(q)), [y]) => match (&**q, y) {
                (Ext::Quantity(q), V::Ext(y)) => match &**y {
                    Ext::Quantity(y) => q.add(y, name == "sub", cost).map(|q| ext(Ext::Quantity(q))),
                    _ => nov(),
                },
                (Ext::Quantity(q), V::Int(n)) => {
                    q.add(&Quantity::from_int(*n), name == "sub", cost).map(|q| ext(Ext::Quantity(q)))
                }
                _ => nov(),
            },
            _ => nov(),
        },
        "isLessThan" | "isGreaterThan" | "compareTo" => match (target, args) {
            (Some(V::Ext(a)), [V::Ext(b)]) => {
                let o = match (&**a, &**b) {
                    (Ext::Quantity(a), Ext::Quantity(b)) => a.compare(b),
                    (Ext::Semver(a), Ext::Semver(b)) => a.compare(b),
                    _ => return Some(nov()),
                };
                Ok(match name {
                    "isLessThan" => V::Bool(o == Ordering::Less),
                    "isGreaterThan" => V::Bool(o == Ordering::Greater),
                    _ => V::Int(o as i64),
                })
            }
            _ => nov(),
        },

        // Semver.
        "semver" | "isSemver" => {
            let parsed = match (target, args) {
                (None, [V::String(s)]) => semver::parse(s, false),
                (None, [V::String(s), V::Bool(normalize)]) => semver::parse(s, *normalize),
                _ => return Some(nov()),
            };
            if name == "isSemver" {
                Ok(V::Bool(parsed.is_ok()))
            } else {
                parsed.map(|v| ext(Ext::Semver(v))).map_err(Error::new)
            }
        }
        "major" | "minor" | "patch" => match (target, args) {
            (Some(V::Ext(v)), []) => match &**v {
                Ext::Semver(v) => Ok(V::Int(v.part(name))),
                _ => nov(),
            },
            _ => nov(),
        },

        // URLs.
        "url" => match (target, args) {
            (None, [V::String(s)]) => Url::parse_request(s).map(|u| ext(Ext::Url(u))).map_err(Error::new),
            _ => nov(),
        },
        "isURL" => match (target, args) {
            (None, [V::String(s)]) => Ok(V::Bool(Url::parse_request(s).is_ok())),
            _ => nov(),
        },
        "getScheme" | "getHost" | "getHostname" | "getPort" | "getEscapedPath" | "getQuery" => match (target, args) {
            (Some(V::Ext(u)), []) => match &**u {
                Ext::Url(u) => Ok(u.component(name)),
                _ => nov(),
            },
            _ => nov(),
        },

        // IP and CIDR.
        "ip" => match (target, args) {
            (None, [V::String(s)]) => Ip::parse(s).map(|ip| ext(Ext::Ip(ip))).map_err(Error::new),
            (Some(V::Ext(c)), []) => match &**c {
                Ext::Cidr(c) => Ok(ext(Ext::Ip(c.ip()))),
                _ => nov(),
            },
            _ => nov(),
        },
        "isIP" => match (target, args) {
            (None, [V::String(s)]) => Ok(V::Bool(Ip::parse(s).is_ok())),
            _ => nov(),
        },
        "ip.isCanonical" => match (target, args) {
            (None, [V::String(s)]) => Ip::parse(s).map(|ip| V::Bool(ip.to_string() == **s)).map_err(Error::new),
            _ => nov(),
        },
        "family"
        | "isUnspecified"
        | "isLoopback"
        | "isLinkLocalMulticast"
        | "isLinkLocalUnicast"
        | "isGlobalUnicast" => match (target, args) {
            (Some(V::Ext(ip)), []) => match &**ip {
                Ext::Ip(ip) => Ok(ip.property(name)),
                _ => nov(),
            },
            _ => nov(),
        },
        "cidr" => match (target, args) {
            (None, [V::String(s)]) => Cidr::parse(s).map(|c| ext(Ext::Cidr(c))).map_err(Error::new),
            _ => nov(),
        },
        "isCIDR" => match (target, args) {
            (None, [V::String(s)]) => Ok(V::Bool(Cidr::parse(s).is_ok())),
            _ => nov(),
        },
        "containsIP" | "containsCIDR" | "masked" | "prefixLength" => match (target, args) {
            (Some(V::Ext(c)), rest) => match &**c {
                Ext::Cidr(c) => c.method(name, rest).unwrap_or_else(nov),
                _ => nov(),
            },
            _ => nov(),
        },

        // JSON patch (mutating admission policies).
        "jsonpatch.escapeKey" => match (target, args) {
            (None, [V::String(s)]) => {
                cost.charge(s.len() as u64 / 10 + 1).map(|()| V::string(s.replace('~', "~0").replace('/', "~1")))
            }
            _ => nov(),
        },
        _ => return None,
    })
}

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 (RFC 4648 alphabet, with padding).
pub fn base64_encode(b: &[u8]) -> String {
    let mut out = String::with_capacity(b.len().div_ceil(3) * 4);
    for chunk in b.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, &x)| n | u32::from(x) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(BASE64[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Standard base64, as cel-go's `base64.decode` reads it: padded, or else unpadded; line breaks are ignored.
pub fn base64_decode(s: &str) -> Option<Vec<u8>> {
    base64_decode_at(s).ok()
}

/// The bytes, or the offset of the first byte that makes `s` invalid.
fn base64_decode_at(s: &str) -> Result<Vec<u8>, usize> {
    let input: Vec<(usize, u8)> = s.bytes().enumerate().filter(|&(_, c)| c != b'\r' && c != b'\n').collect();
    decode_base64(&input, true).or_else(|_| decode_base64(&input, false))
}

/// Padded: whole quanta, at most two `=`. Unpadded: no `=`, no lone last character. The error is the
/// offset of the first character that does not fit (what Go reports for the unpadded reading).
fn decode_base64(input: &[(usize, u8)], padded: bool) -> Result<Vec<u8>, usize> {
    let pad = if padded { input.iter().rev().take_while(|&&(_, c)| c == b'=').count() } else { 0 };
    let data = &input[..input.len() - pad];
    if padded && (!input.len().is_multiple_of(4) || pad > 2) {
        return Err(0);
    }
    let mut out = Vec::with_capacity(data.len() * 3 / 4);
    for group in data.chunks(4) {
        let mut n = 0u32;
        for (k, &(at, c)) in group.iter().enumerate() {
            let v = BASE64.iter().position(|&x| x == c).ok_or(at)?;
            n |= (v as u32) << (18 - 6 * k);
        }
        if group.len() == 1 {
            return Err(group[0].0);
        }
        out.extend_from_slice(&n.to_be_bytes()[1..group.len()]);
    }
    Ok(out)
}

thread_local! {
    static REGEXES: RefCell<HashMap<String, Rc<regex::Regex>>> = RefCell::new(HashMap::new());
}

/// An RE2 pattern compiled, cached (a few hundred patterns per thread). The `regex` crate is built without
/// its Unicode tables, so `\d`, `\w`, `\s`, `\b` and case-insensitivity are translated to the ASCII forms
/// RE2 gives them; Unicode classes (`\pL`) are available only where the build has the regex crate's Unicode tables (the binary, not the playground's wasm).
pub fn regex(pattern: &str) -> Result<Rc<regex::Regex>, Error> {
    if let Some(r) = REGEXES.with(|c| c.borrow().get(pattern).cloned()) {
        return Ok(r);
    }
    let re = regex::Regex::new(&strings::translate_re2(pattern)).map(Rc::new).map_err(|e| {
        let detail = e.to_string();
        let last = detail.lines().last().unwrap_or_default();
        Error::new(format!("invalid regex '{pattern}': {}", last.trim_start_matches("error: ")))
    })?;
    REGEXES.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() >= 256 {
            c.clear();
        }
        c.insert(pattern.to_string(), re.clone());
    });
    Ok(re)
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn s(x: &str) -> Value<'static> {
        Value::string(x)
    }

    pub(super) fn list(items: Vec<Value<'static>>) -> Value<'static> {
        Value::list(items)
    }

    pub(super) fn run(
        name: &str,
        target: Option<Value<'static>>,
        args: Vec<Value<'static>>,
    ) -> Result<Value<'static>, Error> {
        let mut cost = Cost::new(crate::cel::PER_CALL_LIMIT);
        call(name, target.as_ref(), &args, &mut cost).unwrap_or_else(|| panic!("no function {name}"))
    }

    /// The value as CEL prints it, or the error's message.
    pub(super) fn show(r: Result<Value<'static>, Error>) -> String {
        match r {
            Ok(Value::String(s)) => format!("{:?}", &*s),
            Ok(v) => v.to_string(),
            Err(e) => format!("error: {}", e.message),
        }
    }

    pub(super) fn method(name: &str, target: Value<'static>, args: Vec<Value<'static>>) -> String {
        show(run(name, Some(target), args))
    }

    pub(super) fn global(name: &str, args: Vec<Value<'static>>) -> String {
        show(run(name, None, args))
    }

    #[test]
    fn unknown_names_are_none_and_mismatches_name_the_overload() {
        let mut cost = Cost::new(100);
        assert!(call("noSuchFunction", None, &[], &mut cost).is_none());
        assert_eq!(method("charAt", s("abc"), vec![s("x")]), "error: no such overload: charAt(string, string)");
        assert_eq!(global("quantity", vec![Value::Int(1)]), "error: no such overload: quantity(int)");
        assert_eq!(
            method("isLessThan", global_value("quantity", "1"), vec![Value::Int(1)]),
            "error: no such overload: isLessThan(kubernetes.Quantity, int)"
        );
        assert_eq!(
            method("compareTo", global_value("quantity", "1"), vec![global_value("semver", "1.0.0")]),
            "error: no such overload: compareTo(kubernetes.Quantity, kubernetes.Semver)"
        );
    }

    pub(super) fn global_value(name: &str, arg: &str) -> Value<'static> {
        run(name, None, vec![s(arg)]).unwrap_or_else(|e| panic!("{name}({arg}): {e}"))
    }

    #[test]
    fn base64_round_trips_and_reads_unpadded() {
        assert_eq!(base64_encode(b""), "");
        assert_eq!(base64_encode(b"f"), "Zg==");
        assert_eq!(base64_encode(b"fo"), "Zm8=");
        assert_eq!(base64_encode(b"foo"), "Zm9v");
        assert_eq!(base64_encode(b"foob\xff"), "Zm9vYv8=");
        assert_eq!(base64_decode("Zm9vYv8=").as_deref(), Some(&b"foob\xff"[..]));
        assert_eq!(base64_decode("Zg").as_deref(), Some(&b"f"[..]));
        assert_eq!(base64_decode("Zm8\n=").as_deref(), Some(&b"fo"[..]));
        assert_eq!(base64_decode(""), Some(vec![]));
        assert_eq!(base64_decode("Z"), None);
        assert_eq!(base64_decode("Zg=a"), None);
        assert_eq!(base64_decode("Z==="), None);
        assert_eq!(global("base64.encode", vec![Value::Bytes(b"hello"[..].into())]), "\"aGVsbG8=\"");
        assert_eq!(global("base64.decode", vec![s("aGVsbG8=")]), "hello");
        assert_eq!(global("base64.decode", vec![s("aGVsbG8")]), "hello");
        assert_eq!(global("base64.decode", vec![s("a*")]), "error: illegal base64 data at input byte 1");
        assert_eq!(global("base64.encode", vec![s("x")]), "error: no such overload: base64.encode(string)");
    }

    #[test]
    fn regexes_translate_re2_classes_to_ascii() {
        let m = |p: &str, s: &str| regex(p).map(|r| r.find(s).map(|m| m.as_str().to_string()));
        assert_eq!(m(r"\d+", "ab 123").unwrap(), Some("123".into()));
        assert_eq!(m(r"\D+", "12ab3").unwrap(), Some("ab".into()));
        assert_eq!(m(r"[\d_]+", "x1_2y").unwrap(), Some("1_2".into()));
        assert_eq!(m(r"[^\d]+", "12ab3").unwrap(), Some("ab".into()));
        assert_eq!(m(r"[\D]+", "12ab3").unwrap(), Some("ab".into()));
        assert_eq!(m(r"\w+", "  é_a1-").unwrap(), Some("_a1".into()));
        assert_eq!(m(r"\s+", "a \t\nb").unwrap(), Some(" \t\n".into()));
        assert_eq!(m(r"\S+", " ab ").unwrap(), Some("ab".into()));
        assert_eq!(m(r"\bb\b", "ab b").unwrap(), Some("b".into()));
        assert_eq!(m(r"\\d", r"x\d").unwrap(), Some(r"\d".into()));
        assert_eq!(m(r"[\\d]+", r"d\x").unwrap(), Some(r"d\".into()));
        assert_eq!(m(r"\.", "a.b").unwrap(), Some(".".into()));
        assert_eq!(m(r"\/\-\<", "a/-<").unwrap(), Some("/-<".into()));
        assert_eq!(m(r"[[]", "a[").unwrap(), Some("[".into()));
        assert_eq!(m(r"[a&&b]+", "&&ab").unwrap(), Some("&&ab".into()));
        assert_eq!(m(r"[[:alpha:]]+", "12ab").unwrap(), Some("ab".into()));
        assert_eq!(m(r"\Q.*\E", "a.*").unwrap(), Some(".*".into()));
        assert_eq!(m(r"\x41\x{42}", "AB").unwrap(), Some("AB".into()));
        assert_eq!(m("é+", "aéé").unwrap(), Some("éé".into()));
        assert_eq!(m(".", "é").unwrap(), Some("é".into()));
    }

    #[test]
    fn regexes_fold_ascii_case_under_the_i_flag() {
        let is = |p: &str, s: &str| regex(p).map(|r| r.is_match(s));
        assert_eq!(is("(?i)^abc$", "AbC"), Ok(true));
        assert_eq!(is("(?i)^[a-c]+$", "AbC"), Ok(true));
        assert_eq!(is("(?i)^[^a]$", "A"), Ok(false));
        assert_eq!(is("(?i)^[X-c]+$", "xYzAbC[]"), Ok(true));
        assert_eq!(is("^a(?i)b$", "aB"), Ok(true));
        assert_eq!(is("^a(?i)b$", "AB"), Ok(false));
        assert_eq!(is("^(?i:a)b$", "Ab"), Ok(true));
        assert_eq!(is("^(?i:a)b$", "AB"), Ok(false));
        assert_eq!(is("^((?i)a)b$", "AB"), Ok(false));
        assert_eq!(is("(?is)^a.b$", "A\nB"), Ok(true));
        assert_eq!(is("(?i)(?-i)^a$", "A"), Ok(false));
        assert_eq!(is(r"(?i)^\x41$", "A"), Ok(true));
        assert_eq!(is(r"(?i)^(?P<name>a)$", "A"), Ok(true));
        assert_eq!(is(r"(?i)^\d{2}$", "12"), Ok(true));
    }

    #[test]
    fn regex_flags_last_to_the_end_of_their_group() {
        let is = |p: &str, s: &str| regex(p).map(|r| r.is_match(s));
        assert_eq!(is("^(a|(?i)b|c)$", "C"), Ok(true));
        assert_eq!(is("^(a|(?i)b|c)$", "A"), Ok(false));
        assert_eq!(is("^(?:(?i)a)a$", "Aa"), Ok(true));
        assert_eq!(is("^(?:(?i)a)a$", "AA"), Ok(false));
        assert_eq!(is("^(?i:a(?-i:b)c)$", "AbC"), Ok(true));
        assert_eq!(is("^(?i:a(?-i:b)c)$", "ABC"), Ok(false));
    }

    #[test]
    fn other_libraries_names_are_left_to_the_evaluator() {
        let mut cost = Cost::new(100);
        for name in ["size", "contains", "startsWith", "matches", "string", "int", "has", "all", "map"] {
            assert!(call(name, Some(&s("x")), &[s("y")], &mut cost).is_none(), "{name}");
        }
    }

    #[test]
    fn string_pieces_of_documents_stay_borrowed() {
        let doc = serde_json::json!("  héllo  ");
        let v = Value::from_json(&doc);
        let mut cost = Cost::new(100);
        let trimmed = call("trim", Some(&v), &[], &mut cost);
        assert!(matches!(trimmed, Some(Ok(Value::String(crate::cel::Str::Borrowed("héllo"))))));
        let sub = call("substring", Some(&v), &[Value::Int(3), Value::Int(5)], &mut cost);
        assert!(matches!(sub, Some(Ok(Value::String(crate::cel::Str::Borrowed("él"))))));
    }

    #[test]
    fn string_work_is_charged() {
        let big = s(&"x".repeat(10_000));
        let mut cost = Cost::new(100);
        let r = call("upperAscii", Some(&big), &[], &mut cost);
        assert!(matches!(r, Some(Err(e)) if e.cost_exceeded));
        let mut cost = Cost::new(100);
        let r = call("quantity", None, &[big], &mut cost);
        assert!(matches!(r, Some(Err(e)) if e.cost_exceeded));
    }

    #[test]
    fn invalid_regexes_name_the_pattern() {
        assert_eq!(regex("(").map(|_| ()), Err(Error::new("invalid regex '(': unclosed group")));
        // `\pL` depends on the build: the regex crate's Unicode tables are in a workspace build (another crate
        // asks for them) and not in the playground's wasm, where it is an error.
        assert!(regex("[a").is_err());
        for i in 0..300 {
            assert!(regex(&format!("a{i}")).is_ok());
        }
        assert!(REGEXES.with(|c| c.borrow().len()) <= 256);
    }

    #[test]
    fn go_quote_escapes_as_go_does() {
        assert_eq!(go_quote("a\"b\\c\n\t\x01\x7f"), r#""a\"b\\c\n\t\x01\x7f""#);
        assert_eq!(go_quote("é\u{a0}\u{200b}😀"), "\"é\\u00a0\\u200b😀\"");
    }

    #[test]
    fn ext_values_print_compare_and_size() {
        let q1 = global_value("quantity", "1Gi");
        let q2 = global_value("quantity", "1024Mi");
        assert!(q1.equals(&q2));
        assert!(!q1.equals(&global_value("quantity", "1G")));
        assert_eq!(q1.to_string(), "1Gi");
        assert_eq!(q1.type_name(), "kubernetes.Quantity");
        assert!(q1.compare(&q2).is_err());
        let ip = global_value("ip", "::1");
        assert_eq!(ip.type_name(), "net.IP");
        let (Value::Ext(ip), Value::Ext(c), Value::Ext(q)) =
            (ip, global_value("cidr", "10.0.0.0/20"), global_value("quantity", "1"))
        else {
            panic!("not ext values")
        };
        assert_eq!(ip.size(), Some(16));
        assert_eq!(c.size(), Some(3));
        assert_eq!(q.size(), None);
        assert_eq!(c.to_cel_string(), Ok("10.0.0.0/20".to_string()));
        assert_eq!(q.to_cel_string(), Err(Error::new("type conversion error from 'kubernetes.Quantity' to 'string'")));
        assert!(!ip.equals(&q));
    }
}
