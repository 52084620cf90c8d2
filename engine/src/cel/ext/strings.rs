//! cel-go's extended strings (the version Kubernetes ships, 2), its `format` (with the `en_US` number
//! formatting of that version), Kubernetes' `find`/`findAll`, and the translation of RE2 patterns for the
//! `regex` crate built without Unicode tables.

use std::iter::Peekable;
use std::ops::Range;
use std::str::Chars;

use super::{go_quote, regex, scan};
use crate::cel::stdlib::{format_double, format_duration, format_timestamp};
use crate::cel::{Cost, Error, Key, List, MapValue, Str, Value};

type R<'a> = Result<Value<'a>, Error>;

fn out_of_range(i: i64) -> Error {
    Error::new(format!("index out of range: {i}"))
}

/// A piece of `s`, borrowed when `s` is.
fn piece<'a>(s: &Str<'a>, r: Range<usize>) -> Value<'a> {
    match s {
        Str::Borrowed(b) => Value::String(Str::Borrowed(&b[r])),
        other => Value::string(&other[r]),
    }
}

/// The byte offset of code point `i` (the length for `i` = the number of code points), if there is one.
fn byte_at(s: &str, i: i64) -> Option<usize> {
    let i = usize::try_from(i).ok()?;
    s.char_indices().map(|(b, _)| b).chain([s.len()]).nth(i)
}

pub(super) fn char_at<'a>(s: &Str<'a>, i: i64, cost: &mut Cost) -> R<'a> {
    scan(cost, s.len())?;
    let start = byte_at(s, i).ok_or_else(|| out_of_range(i))?;
    let end = s[start..].chars().next().map_or(start, |c| start + c.len_utf8());
    Ok(piece(s, start..end))
}

/// `indexOf`/`lastIndexOf` on a string, in code points. A negative offset is an error, one past the end
/// finds nothing (or the end, for the empty string).
pub(super) fn index_of<'a>(s: &str, sub: &str, offset: Option<i64>, last: bool, cost: &mut Cost) -> R<'a> {
    cost.charge((s.len() as u64).saturating_mul(sub.len().max(1) as u64) / 10 + 1)?;
    let n = s.chars().count() as i64;
    let found = match offset {
        Some(off) if off < 0 => return Err(out_of_range(off)),
        None if sub.is_empty() => {
            if last {
                n
            } else {
                0
            }
        }
        Some(off) if sub.is_empty() => off.min(n),
        None if last && s.len() < sub.len() => -1,
        None if last => last_index(s, sub, n - 1, n),
        None => first_index(s, sub, 0, n),
        Some(off) if last => last_index(s, sub, off, n),
        Some(off) => first_index(s, sub, off, n),
    };
    Ok(Value::Int(found))
}

fn first_index(s: &str, sub: &str, off: i64, n: i64) -> i64 {
    let Some(start) = byte_at(s, off).filter(|_| off < n) else { return -1 };
    s[start..].find(sub).map_or(-1, |b| off + s[start..start + b].chars().count() as i64)
}

fn last_index(s: &str, sub: &str, off: i64, n: i64) -> i64 {
    if off >= n {
        return -1;
    }
    let off = off.min(n - sub.chars().count() as i64);
    let Some(start) = byte_at(s, off) else { return -1 };
    // A match starting at or before `off` ends by `start + sub.len()`, a character boundary if it is one.
    let mut end = (start + sub.len()).min(s.len());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].rfind(sub).map_or(-1, |b| s[..b].chars().count() as i64)
}

pub(super) fn ascii_case<'a>(s: &str, upper: bool, cost: &mut Cost) -> R<'a> {
    scan(cost, s.len())?;
    Ok(Value::string(if upper { s.to_ascii_uppercase() } else { s.to_ascii_lowercase() }))
}

/// Go's `strings.Replace`: at most `n` replacements, all for a negative `n`; an empty `old` matches before
/// every character and at the end.
pub(super) fn replace<'a>(s: &str, old: &str, new: &str, n: i64, cost: &mut Cost) -> R<'a> {
    let count = if old.is_empty() { s.chars().count() + 1 } else { s.matches(old).count() };
    let count = usize::try_from(n).map_or(count, |n| n.min(count));
    scan(cost, s.len() + count.saturating_mul(new.len()))?;
    Ok(Value::string(s.replacen(old, new, count)))
}

/// Go's `strings.SplitN`: no pieces for `n` = 0, all for a negative `n`; an empty separator splits between
/// characters.
pub(super) fn split<'a>(s: &str, sep: &str, n: i64, cost: &mut Cost) -> R<'a> {
    scan(cost, s.len())?;
    let limit = usize::try_from(n).unwrap_or(usize::MAX);
    let parts: Vec<&str> = if n == 0 {
        vec![]
    } else if sep.is_empty() {
        let count = s.chars().count().min(limit);
        let mut parts: Vec<&str> = Vec::with_capacity(count);
        let mut rest = s;
        while parts.len() + 1 < count {
            let c = rest.chars().next().map_or(0, char::len_utf8);
            parts.push(&rest[..c]);
            rest = &rest[c..];
        }
        if count > 0 {
            parts.push(rest);
        }
        parts
    } else {
        s.splitn(limit, sep).collect()
    };
    cost.charge(parts.len() as u64)?;
    Ok(Value::list(parts.into_iter().map(Value::string).collect()))
}

pub(super) fn substring<'a>(s: &Str<'a>, start: i64, end: Option<i64>, cost: &mut Cost) -> R<'a> {
    scan(cost, s.len())?;
    if let Some(end) = end.filter(|&e| start > e) {
        return Err(Error::new(format!("invalid substring range. start: {start}, end: {end}")));
    }
    let from = byte_at(s, start).ok_or_else(|| out_of_range(start))?;
    let to = match end {
        Some(end) => byte_at(s, end).ok_or_else(|| out_of_range(end))?,
        None => s.len(),
    };
    Ok(piece(s, from..to))
}

/// Go's `strings.TrimSpace`: Unicode white space.
pub(super) fn trim<'a>(s: &Str<'a>, cost: &mut Cost) -> R<'a> {
    scan(cost, s.len())?;
    let t = s.trim_start();
    let start = s.len() - t.len();
    Ok(piece(s, start..start + t.trim_end().len()))
}

pub(super) fn reverse<'a>(s: &str, cost: &mut Cost) -> R<'a> {
    scan(cost, s.len())?;
    Ok(Value::string(s.chars().rev().collect::<String>()))
}

pub(super) fn join<'a>(l: &List<'a>, sep: &str, cost: &mut Cost) -> R<'a> {
    let mut out = String::new();
    for (i, v) in l.iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        match v {
            Value::String(s) => out.push_str(&s),
            other => return Err(Error::new(format!("join: invalid input: {other}"))),
        }
    }
    scan(cost, out.len() + l.len())?;
    Ok(Value::string(out))
}

/// `strings.quote`: double quotes, and CEL's escapes for what would not print as itself.
pub(super) fn quote(s: &str, cost: &mut Cost) -> Result<String, Error> {
    scan(cost, s.len())?;
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\x07' => out.push_str("\\a"),
            '\x08' => out.push_str("\\b"),
            '\x0c' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\x0b' => out.push_str("\\v"),
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            c => out.push(c),
        }
    }
    out.push('"');
    Ok(out)
}

pub(super) fn find<'a>(s: &str, re: &str, cost: &mut Cost) -> R<'a> {
    scan(cost, s.len())?;
    let re = regex(re).map_err(illegal)?;
    Ok(Value::string(re.find(s).map_or("", |m| m.as_str())))
}

/// Go's `FindAllString`: at most `n` matches, all for a negative `n`.
pub(super) fn find_all<'a>(s: &str, re: &str, n: i64, cost: &mut Cost) -> R<'a> {
    scan(cost, s.len())?;
    let re = regex(re).map_err(illegal)?;
    let n = usize::try_from(n).unwrap_or(usize::MAX);
    Ok(Value::list(re.find_iter(s).take(n).map(|m| Value::string(m.as_str())).collect()))
}

fn illegal(e: Error) -> Error {
    let detail = e.message.split_once("': ").map_or(&*e.message, |(_, d)| d);
    Error::new(format!("Illegal regex: error parsing regexp: {detail}"))
}

/// `"...".format([args])`, as cel-go's strings library version 2 does it: `%s`, `%d`, `%f`/`%e` (with an
/// optional precision, default 6, numbers formatted for `en_US`: `1,234.500000`, `1.5 × 10⁰³`), `%b`,
/// `%o`, `%x`/`%X` and `%%`.
pub(super) fn format(f: &str, args: &List<'_>, cost: &mut Cost) -> Result<String, Error> {
    scan(cost, f.len())?;
    let mut out = String::with_capacity(f.len());
    let mut rest = f;
    let mut index = 0;
    while let Some(p) = rest.find('%') {
        out.push_str(&rest[..p]);
        rest = &rest[p + 1..];
        if let Some(r) = rest.strip_prefix('%') {
            out.push('%');
            rest = r;
            continue;
        }
        let arg = args.get(index).ok_or_else(|| Error::new(format!("index {index} out of range")))?;
        if rest.is_empty() {
            return Err(Error::new("unexpected end of string"));
        }
        let mut precision = None;
        if let Some(r) = rest.strip_prefix('.') {
            let digits = r.bytes().take_while(u8::is_ascii_digit).count();
            if digits == r.len() {
                return Err(clause_error("error while parsing precision: could not find end of precision specifier"));
            }
            let p: usize = r[..digits].parse().map_err(|_| {
                clause_error(&format!(
                    "error while parsing precision: error while converting precision to integer: strconv.Atoi: \
                     parsing {}: {}",
                    go_quote(&r[..digits]),
                    if digits == 0 { "invalid syntax" } else { "value out of range" }
                ))
            })?;
            if p > 1000 {
                return Err(clause_error(&format!(
                    "error while parsing precision: precision {p} exceeds maximum allowed precision 1000"
                )));
            }
            cost.charge(p as u64 / 10)?;
            precision = Some(p);
            rest = &r[digits..];
        }
        let Some(verb) = rest.chars().next() else { return Err(Error::new("unexpected end of string")) };
        rest = &rest[verb.len_utf8()..];
        let text = match verb {
            's' => format_string(&arg),
            'd' => format_decimal(&arg),
            'f' => format_float(&arg, precision.unwrap_or(6), false),
            'e' => format_float(&arg, precision.unwrap_or(6), true),
            'b' => format_radix(&arg, 2, false),
            'o' => format_radix(&arg, 8, false),
            'x' | 'X' => format_radix(&arg, 16, verb == 'X'),
            other => return Err(clause_error(&format!("unrecognized formatting clause \"{other}\""))),
        };
        out.push_str(&text.map_err(|e| Error::new(format!("error during formatting: {}", e.message)))?);
        index += 1;
    }
    out.push_str(rest);
    scan(cost, out.len())?;
    Ok(out)
}

fn clause_error(detail: &str) -> Error {
    Error::new(format!("could not parse formatting clause: {detail}"))
}

fn kind_error(what: &str, v: &Value<'_>) -> Error {
    Error::new(format!("{what}, was given {}", v.type_name()))
}

/// `%s`: a value as `string()` gives it; lists and maps as CEL literals.
fn format_string(v: &Value<'_>) -> Result<String, Error> {
    Ok(match v {
        Value::List(l) => format_list(l)?,
        Value::Map(m) => format_map(m)?,
        Value::Null => "null".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Uint(u) => u.to_string(),
        Value::Double(d) => format_double(*d),
        Value::String(s) => s.to_string(),
        Value::Bytes(b) => {
            String::from_utf8(b.to_vec()).map_err(|_| Error::new("invalid UTF-8 in bytes, cannot convert to string"))?
        }
        Value::Duration(d) => format_duration(*d),
        Value::Timestamp(t) => format_timestamp(*t),
        Value::Type(t) => t.name().to_string(),
        other => {
            return Err(kind_error(
                "string clause can only be used on strings, bools, bytes, ints, doubles, maps, lists, types, \
                 durations, and timestamps",
                other,
            ));
        }
    })
}

/// An element of a list or map under `%s`: as a CEL literal.
fn format_literal(v: &Value<'_>) -> Result<String, Error> {
    Ok(match v {
        Value::String(s) => go_quote(s),
        Value::Bytes(_) => format!("b{}", go_quote(&format_string(v)?)),
        Value::Double(d) if d.is_nan() => "\"NaN\"".to_string(),
        Value::Double(d) if d.is_infinite() => if *d > 0.0 { "\"+Inf\"" } else { "\"-Inf\"" }.to_string(),
        Value::Double(d) => format!("{d:.6}"),
        Value::Timestamp(t) => format!("timestamp({})", go_quote(&format_timestamp(*t))),
        Value::Duration(d) => format!("duration({})", go_quote(&format_duration(*d))),
        Value::Null | Value::Bool(_) | Value::Int(_) | Value::Uint(_) | Value::Type(_) => format_string(v)?,
        Value::List(l) => format_list(l)?,
        Value::Map(m) => format_map(m)?,
        other => return Err(Error::new(format!("no formatting function for {}", other.type_name()))),
    })
}

fn format_list(l: &List<'_>) -> Result<String, Error> {
    let items: Vec<String> = l.iter().map(|v| format_literal(&v)).collect::<Result<_, _>>()?;
    Ok(format!("[{}]", items.join(", ")))
}

/// Entries sorted by their printed key, `key:value`.
fn format_map(m: &MapValue<'_>) -> Result<String, Error> {
    let mut entries = Vec::with_capacity(m.len());
    for (k, v) in m.entries() {
        let key = match Key::from_value(&k) {
            Ok(Key::String(s)) => go_quote(&s),
            Ok(_) => k.to_string(),
            Err(_) => {
                return Err(Error::new(format!("no formatting function for map key of type {}", k.type_name())));
            }
        };
        let value = format_literal(&v)?;
        entries.push((key, value));
    }
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    let entries: Vec<String> = entries.into_iter().map(|(k, v)| format!("{k}:{v}")).collect();
    Ok(format!("{{{}}}", entries.join(", ")))
}

fn format_decimal(v: &Value<'_>) -> Result<String, Error> {
    match v {
        Value::Int(i) => Ok(i.to_string()),
        Value::Uint(u) => Ok(u.to_string()),
        other => Err(kind_error("decimal clause can only be used on integers", other)),
    }
}

/// `%f` and `%e` as `golang.org/x/text/message` prints them for `en_US`: grouped thousands, `∞`, and
/// scientific notation as `1.5 × 10⁰³`. Integers are taken as doubles (a JSON `2` of a `number` field).
fn format_float(v: &Value<'_>, precision: usize, scientific: bool) -> Result<String, Error> {
    let x = match v {
        Value::Double(d) => *d,
        Value::Int(i) => *i as f64,
        Value::Uint(u) => *u as f64,
        Value::String(s) if matches!(&**s, "NaN" | "Infinity" | "-Infinity") => s.parse().unwrap_or(f64::NAN),
        other if scientific => return Err(kind_error("scientific clause can only be used on doubles", other)),
        other => return Err(kind_error("fixed-point clause can only be used on doubles", other)),
    };
    if x.is_nan() {
        return Ok("NaN".to_string());
    }
    if x.is_infinite() {
        return Ok(if x > 0.0 { "∞" } else { "-∞" }.to_string());
    }
    if scientific {
        let s = format!("{x:.precision$e}");
        let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
        let exp: i32 = exp.parse().unwrap_or(0);
        let mut out = format!("{mantissa}\u{202f}×\u{202f}10");
        if exp < 0 {
            out.push('⁻');
        }
        for d in format!("{:02}", exp.unsigned_abs()).bytes() {
            out.push(['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'][usize::from(d - b'0')]);
        }
        return Ok(out);
    }
    let s = format!("{x:.precision$}");
    let (sign, s) = s.strip_prefix('-').map_or(("", &*s), |r| ("-", r));
    let int_len = s.find('.').unwrap_or(s.len());
    let mut out = String::with_capacity(s.len() + int_len / 3 + 1);
    out.push_str(sign);
    for (i, c) in s.char_indices() {
        if i > 0 && i < int_len && (int_len - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    Ok(out)
}

/// `%b`, `%o`, `%x`, `%X`: signed magnitudes (`-101`), booleans in binary, strings and bytes in hex.
fn format_radix(v: &Value<'_>, radix: u32, upper: bool) -> Result<String, Error> {
    let digits = |n: u64| match radix {
        2 => format!("{n:b}"),
        8 => format!("{n:o}"),
        _ if upper => format!("{n:X}"),
        _ => format!("{n:x}"),
    };
    let bytes = |b: &[u8]| b.iter().map(|x| if upper { format!("{x:02X}") } else { format!("{x:02x}") }).collect();
    match v {
        Value::Int(i) => Ok(format!("{}{}", if *i < 0 { "-" } else { "" }, digits(i.unsigned_abs()))),
        Value::Uint(u) => Ok(digits(*u)),
        Value::Bool(b) if radix == 2 => Ok(if *b { "1" } else { "0" }.to_string()),
        Value::String(s) if radix == 16 => Ok(bytes(s.as_bytes())),
        Value::Bytes(b) if radix == 16 => Ok(bytes(b)),
        other => Err(kind_error(
            match radix {
                2 => "only integers and bools can be formatted as binary",
                8 => "octal clause can only be used on integers",
                _ => "only integers, byte buffers, and strings can be formatted as hex",
            },
            other,
        )),
    }
}

/// An RE2 pattern in the `regex` crate's syntax without Unicode tables: `\d`, `\w`, `\s` as RE2's ASCII
/// classes, `\b`/`\B` as ASCII word boundaries, `(?i)` as explicit ASCII case pairs, escaped punctuation as
/// hex escapes, `\Q...\E` as literals, and class syntax RE2 reads literally (`[[]`, `&&`, `~~`) escaped.
pub(super) fn translate_re2(p: &str) -> String {
    let mut out = String::with_capacity(p.len() + 16);
    let mut chars = p.chars().peekable();
    let mut fold = false;
    let mut groups: Vec<bool> = Vec::new();
    while let Some(c) = chars.next() {
        match c {
            '\\' => escape(&mut chars, &mut out, fold, false),
            '[' => class(&mut chars, &mut out, fold),
            '(' => {
                groups.push(fold);
                out.push('(');
                if chars.next_if_eq(&'?').is_none() {
                    continue;
                }
                out.push('?');
                if matches!(chars.peek(), Some('P' | '<')) {
                    for c in chars.by_ref() {
                        out.push(c);
                        if c == '>' {
                            break;
                        }
                    }
                    continue;
                }
                // Flags: `i` is applied here, the others are the regex crate's too.
                let (mut on, mut off, mut negate) = (String::new(), String::new(), false);
                let mut end = None;
                for c in chars.by_ref() {
                    match c {
                        ')' | ':' => {
                            end = Some(c);
                            break;
                        }
                        '-' => negate = true,
                        'i' => fold = !negate,
                        c if negate => off.push(c),
                        c => on.push(c),
                    }
                }
                out.push_str(&on);
                if !off.is_empty() {
                    out.push('-');
                    out.push_str(&off);
                }
                match end {
                    // `(?flags)` sets them for the rest of the enclosing group.
                    Some(')') => {
                        if on.is_empty() && off.is_empty() {
                            out.truncate(out.len() - 2);
                        } else {
                            out.push(')');
                        }
                        groups.pop();
                    }
                    Some(c) => out.push(c),
                    None => {}
                }
            }
            ')' => {
                out.push(')');
                if let Some(outer) = groups.pop() {
                    fold = outer;
                }
            }
            c => literal(c, &mut out, fold),
        }
    }
    out
}

fn literal(c: char, out: &mut String, fold: bool) {
    if fold && c.is_ascii_alphabetic() {
        out.push('[');
        out.push(c.to_ascii_lowercase());
        out.push(c.to_ascii_uppercase());
        out.push(']');
    } else {
        out.push(c);
    }
}

fn escape(chars: &mut Peekable<Chars<'_>>, out: &mut String, fold: bool, in_class: bool) {
    let Some(c) = chars.next() else {
        out.push('\\');
        return;
    };
    let class = |set: &str| if in_class { set.to_string() } else { format!("[{set}]") };
    match c {
        'd' => out.push_str(&class("0-9")),
        'w' => out.push_str(&class("0-9A-Za-z_")),
        's' => out.push_str(&class("\\t\\n\\f\\r ")),
        'D' => out.push_str("[^0-9]"),
        'W' => out.push_str("[^0-9A-Za-z_]"),
        'S' => out.push_str("[^\\t\\n\\f\\r ]"),
        'b' | 'B' if !in_class => {
            out.push_str("(?-u:\\");
            out.push(c);
            out.push(')');
        }
        'Q' => {
            while let Some(c) = chars.next() {
                if c == '\\' && chars.next_if_eq(&'E').is_some() {
                    break;
                }
                if c.is_ascii_punctuation() || c == ' ' {
                    out.push_str(&format!("\\x{:02X}", c as u32));
                } else {
                    literal(c, out, fold && !in_class);
                }
            }
        }
        // Hex escapes and Unicode classes keep their argument as written.
        'x' | 'p' | 'P' => {
            out.push('\\');
            out.push(c);
            if chars.next_if_eq(&'{').is_some() {
                out.push('{');
                for c in chars.by_ref() {
                    out.push(c);
                    if c == '}' {
                        break;
                    }
                }
            } else {
                let n = if c == 'x' { 2 } else { 1 };
                out.extend(chars.by_ref().take(n));
            }
        }
        c if c.is_ascii_punctuation() || c == ' ' => out.push_str(&format!("\\x{:02X}", c as u32)),
        c => {
            out.push('\\');
            out.push(c);
        }
    }
}

/// A bracketed class; under case folding its ASCII letters and letter ranges gain their other case.
fn class(chars: &mut Peekable<Chars<'_>>, out: &mut String, fold: bool) {
    out.push('[');
    if chars.next_if_eq(&'^').is_some() {
        out.push('^');
    }
    let mut first = true;
    let mut dash = false;
    while let Some(c) = chars.next() {
        let was_dash = std::mem::take(&mut dash);
        match c {
            ']' if !first => {
                out.push(']');
                return;
            }
            '[' if chars.peek() == Some(&':') => {
                out.push('[');
                for c in chars.by_ref() {
                    out.push(c);
                    if c == ']' {
                        break;
                    }
                }
            }
            '\\' => escape(chars, out, fold, true),
            '-' => {
                out.push_str(if was_dash { "\\-" } else { "-" });
                dash = true;
            }
            c => {
                let mut ahead = chars.clone();
                let hi = match (ahead.next(), ahead.next()) {
                    (Some('-'), Some(hi)) if !matches!(hi, ']' | '\\' | '[') => Some(hi),
                    _ => None,
                };
                class_char(c, out);
                match hi {
                    Some(hi) => {
                        chars.next();
                        chars.next();
                        out.push('-');
                        class_char(hi, out);
                        if fold {
                            fold_range(c, hi, out);
                        }
                    }
                    None if fold && c.is_ascii_alphabetic() => {
                        out.push(if c.is_ascii_lowercase() { c.to_ascii_uppercase() } else { c.to_ascii_lowercase() })
                    }
                    None => {}
                }
            }
        }
        first = false;
    }
}

fn class_char(c: char, out: &mut String) {
    if matches!(c, '[' | '&' | '~' | '-') {
        out.push('\\');
    }
    out.push(c);
}

/// The other case of the letters in `lo-hi`.
fn fold_range(lo: char, hi: char, out: &mut String) {
    for (from, to) in [('a', 'z'), ('A', 'Z')] {
        let (a, b) = (lo.max(from), hi.min(to));
        if a <= b {
            let swap = |c: char| if from == 'a' { c.to_ascii_uppercase() } else { c.to_ascii_lowercase() };
            out.push(swap(a));
            out.push('-');
            out.push(swap(b));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{global, list, method, s};
    use crate::cel::Value;

    fn int(i: i64) -> Value<'static> {
        Value::Int(i)
    }

    #[test]
    fn char_at_counts_code_points() {
        assert_eq!(method("charAt", s("hello"), vec![int(4)]), "\"o\"");
        assert_eq!(method("charAt", s("hello"), vec![int(5)]), "\"\"");
        assert_eq!(method("charAt", s("hello"), vec![int(6)]), "error: index out of range: 6");
        assert_eq!(method("charAt", s("hello"), vec![int(-1)]), "error: index out of range: -1");
        assert_eq!(method("charAt", s("héllo😀"), vec![int(1)]), "\"é\"");
        assert_eq!(method("charAt", s("héllo😀"), vec![int(5)]), "\"😀\"");
        assert_eq!(method("charAt", s(""), vec![int(0)]), "\"\"");
    }

    #[test]
    fn index_of_follows_cel_go() {
        let hm = || s("hello mellow");
        assert_eq!(method("indexOf", hm(), vec![s("")]), "0");
        assert_eq!(method("indexOf", hm(), vec![s("ello")]), "1");
        assert_eq!(method("indexOf", hm(), vec![s("jello")]), "-1");
        assert_eq!(method("indexOf", hm(), vec![s(""), int(2)]), "2");
        assert_eq!(method("indexOf", hm(), vec![s("ello"), int(2)]), "7");
        assert_eq!(method("indexOf", hm(), vec![s("ello"), int(20)]), "-1");
        assert_eq!(method("indexOf", hm(), vec![s(""), int(20)]), "12");
        assert_eq!(method("indexOf", hm(), vec![s("ello"), int(-1)]), "error: index out of range: -1");
        assert_eq!(method("indexOf", s("ééa"), vec![s("a")]), "2");
        assert_eq!(method("indexOf", s("aéb"), vec![s("b"), int(1)]), "2");
        assert_eq!(method("lastIndexOf", hm(), vec![s("")]), "12");
        assert_eq!(method("lastIndexOf", hm(), vec![s("ello")]), "7");
        assert_eq!(method("lastIndexOf", hm(), vec![s("jello")]), "-1");
        assert_eq!(method("lastIndexOf", hm(), vec![s("ello"), int(6)]), "1");
        assert_eq!(method("lastIndexOf", hm(), vec![s("ello"), int(7)]), "7");
        assert_eq!(method("lastIndexOf", hm(), vec![s("ello"), int(20)]), "-1");
        assert_eq!(method("lastIndexOf", hm(), vec![s("ello"), int(-1)]), "error: index out of range: -1");
        assert_eq!(method("lastIndexOf", s("xa"), vec![s("é"), int(1)]), "-1");
        assert_eq!(method("lastIndexOf", s("éaéa"), vec![s("é")]), "2");
        assert_eq!(method("lastIndexOf", s(""), vec![s("a")]), "-1");
        assert_eq!(method("lastIndexOf", s("a"), vec![s("abc")]), "-1");
    }

    #[test]
    fn case_replace_split_trim() {
        assert_eq!(method("lowerAscii", s("TacoCÆt Xii"), vec![]), "\"tacocÆt xii\"");
        assert_eq!(method("upperAscii", s("TacoCÆt Xii"), vec![]), "\"TACOCÆT XII\"");
        let hh = || s("hello hello");
        assert_eq!(method("replace", hh(), vec![s("he"), s("we")]), "\"wello wello\"");
        assert_eq!(method("replace", hh(), vec![s("he"), s("we"), int(-1)]), "\"wello wello\"");
        assert_eq!(method("replace", hh(), vec![s("he"), s("we"), int(1)]), "\"wello hello\"");
        assert_eq!(method("replace", hh(), vec![s("he"), s("we"), int(0)]), "\"hello hello\"");
        assert_eq!(method("replace", hh(), vec![s(""), s("_")]), "\"_h_e_l_l_o_ _h_e_l_l_o_\"");
        assert_eq!(method("replace", s("ab"), vec![s(""), s("_"), int(2)]), "\"_a_b\"");
        assert_eq!(method("replace", hh(), vec![s("h"), s("")]), "\"ello ello\"");
        let h3 = || s("hello hello hello");
        assert_eq!(method("split", h3(), vec![s(" ")]), r#"["hello", "hello", "hello"]"#);
        assert_eq!(method("split", h3(), vec![s(" "), int(0)]), "[]");
        assert_eq!(method("split", h3(), vec![s(" "), int(1)]), r#"["hello hello hello"]"#);
        assert_eq!(method("split", h3(), vec![s(" "), int(2)]), r#"["hello", "hello hello"]"#);
        assert_eq!(method("split", h3(), vec![s(" "), int(-1)]), r#"["hello", "hello", "hello"]"#);
        assert_eq!(method("split", s("a,b,"), vec![s(",")]), r#"["a", "b", ""]"#);
        assert_eq!(method("split", s("héy"), vec![s("")]), r#"["h", "é", "y"]"#);
        assert_eq!(method("split", s("héy"), vec![s(""), int(2)]), r#"["h", "éy"]"#);
        assert_eq!(method("split", s(""), vec![s("")]), "[]");
        assert_eq!(method("trim", s("  \ttrim\n    "), vec![]), "\"trim\"");
        assert_eq!(method("trim", s("\u{a0}\u{3000}x\u{2029}"), vec![]), "\"x\"");
        assert_eq!(method("trim", s("\u{200b}x"), vec![]), "\"\\u{200b}x\"");
    }

    #[test]
    fn split_of_empty_string_is_one_empty_piece() {
        match super::super::tests::run("split", Some(s("")), vec![s(",")]) {
            Ok(Value::List(l)) => assert_eq!(l.len(), 1),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn substring_counts_code_points() {
        assert_eq!(method("substring", s("tacocat"), vec![int(4)]), "\"cat\"");
        assert_eq!(method("substring", s("tacocat"), vec![int(0), int(4)]), "\"taco\"");
        assert_eq!(method("substring", s("tacocat"), vec![int(7)]), "\"\"");
        assert_eq!(method("substring", s("tacocat"), vec![int(-1)]), "error: index out of range: -1");
        assert_eq!(method("substring", s("tacocat"), vec![int(8)]), "error: index out of range: 8");
        assert_eq!(
            method("substring", s("tacocat"), vec![int(2), int(1)]),
            "error: invalid substring range. start: 2, end: 1"
        );
        assert_eq!(method("substring", s("tacocat"), vec![int(2), int(9)]), "error: index out of range: 9");
        assert_eq!(method("substring", s("ta©o©αT"), vec![int(2), int(6)]), "\"©o©α\"");
    }

    #[test]
    fn join_reverse_quote() {
        assert_eq!(method("join", list(vec![s("hello"), s("mellow")]), vec![]), "\"hellomellow\"");
        assert_eq!(method("join", list(vec![s("hello"), s("mellow")]), vec![s(" ")]), "\"hello mellow\"");
        assert_eq!(method("join", list(vec![]), vec![s("/")]), "\"\"");
        assert_eq!(method("join", list(vec![s("a"), int(1)]), vec![]), "error: join: invalid input: 1");
        assert_eq!(method("reverse", s("John Smith"), vec![]), "\"htimS nhoJ\"");
        assert_eq!(method("reverse", s("né😀"), vec![]), "\"😀én\"");
        assert_eq!(
            global("strings.quote", vec![s("single-quote with \"double quote\"")]),
            r#""\"single-quote with \\\"double quote\\\"\"""#
        );
        assert_eq!(
            global("strings.quote", vec![s("two escape sequences \x07\n")]),
            r#""\"two escape sequences \\a\\n\"""#
        );
        assert_eq!(global("strings.quote", vec![s("")]), r#""\"\"""#);
    }

    #[test]
    fn find_and_find_all() {
        assert_eq!(method("find", s("abc 123"), vec![s("[0-9]+")]), "\"123\"");
        assert_eq!(method("find", s("abc 123"), vec![s("[0-9]*")]), "\"\"");
        assert_eq!(method("find", s("abc 123"), vec![s("xyz")]), "\"\"");
        assert_eq!(method("findAll", s("123 abc 456"), vec![s("[0-9]+")]), r#"["123", "456"]"#);
        assert_eq!(method("findAll", s("123 abc 456"), vec![s("[0-9]*")]), r#"["123", "", "", "", "", "456"]"#);
        assert_eq!(method("findAll", s("123 abc 456"), vec![s("[0-9]+"), int(1)]), r#"["123"]"#);
        assert_eq!(method("findAll", s("123 abc 456"), vec![s("[0-9]+"), int(0)]), "[]");
        assert_eq!(method("findAll", s("123 abc 456"), vec![s("xyz")]), "[]");
        assert_eq!(method("findAll", s("a1b22"), vec![s(r"\d+")]), r#"["1", "22"]"#);
        assert_eq!(method("find", s("x"), vec![s("(")]), "error: Illegal regex: error parsing regexp: unclosed group");
    }

    /// The formatted text in quotes, or the error.
    fn fmt(f: &str, args: Vec<Value<'static>>) -> String {
        match super::super::tests::run("format", Some(s(f)), vec![list(args)]) {
            Ok(Value::String(s)) => format!("\"{}\"", &*s),
            other => super::super::tests::show(other),
        }
    }

    #[test]
    fn format_clauses() {
        assert_eq!(fmt("no substitution", vec![]), "\"no substitution\"");
        assert_eq!(fmt("str is %s and some more", vec![s("filler")]), "\"str is filler and some more\"");
        assert_eq!(fmt("%% and also %%", vec![]), "\"% and also %\"");
        assert_eq!(fmt("%%%s%%", vec![s("text")]), "\"%text%\"");
        assert_eq!(fmt("%d %d %d, %s %s %s", vec![int(1), int(2), int(3), s("A"), s("B"), s("C")]), "\"1 2 3, A B C\"");
        assert_eq!(fmt("%.3f", vec![Value::Double(1.2345)]), "\"1.234\"");
        assert_eq!(fmt("%f", vec![Value::Double(1.25)]), "\"1.250000\"");
        assert_eq!(fmt("%.2f", vec![Value::Double(-1234567.891)]), "\"-1,234,567.89\"");
        assert_eq!(fmt("%.0f", vec![Value::Double(999.5)]), "\"1,000\"");
        assert_eq!(fmt("%.1f", vec![int(2)]), "\"2.0\"");
        assert_eq!(fmt("%f", vec![s("NaN")]), "\"NaN\"");
        assert_eq!(fmt("%f", vec![s("Infinity")]), "\"∞\"");
        assert_eq!(fmt("%f", vec![s("-Infinity")]), "\"-∞\"");
        assert_eq!(fmt("%.200f", vec![Value::Double(1.0)]), format!("\"1.{}\"", "0".repeat(200)));
        assert_eq!(fmt("%.6e", vec![Value::Double(1052.032911275)]), "\"1.052033\u{202f}×\u{202f}10⁰³\"");
        assert_eq!(fmt("%e", vec![Value::Double(3.0)]), "\"3.000000\u{202f}×\u{202f}10⁰⁰\"");
        assert_eq!(fmt("%.2e", vec![Value::Double(-0.000123)]), "\"-1.23\u{202f}×\u{202f}10⁻⁰⁴\"");
        assert_eq!(fmt("this is 5 in binary: %b", vec![int(5)]), "\"this is 5 in binary: 101\"");
        assert_eq!(fmt("%b", vec![int(-5)]), "\"-101\"");
        assert_eq!(fmt("%b", vec![Value::Uint(64)]), "\"1000000\"");
        assert_eq!(fmt("%b", vec![Value::Bool(true)]), "\"1\"");
        assert_eq!(fmt("%o", vec![int(11)]), "\"13\"");
        assert_eq!(fmt("%o", vec![int(-11)]), "\"-13\"");
        assert_eq!(fmt("%x is 30", vec![int(30)]), "\"1e is 30\"");
        assert_eq!(fmt("%X", vec![int(30)]), "\"1E\"");
        assert_eq!(fmt("%x", vec![int(-30)]), "\"-1e\"");
        assert_eq!(fmt("%x", vec![s("Hello world!")]), "\"48656c6c6f20776f726c6421\"");
        assert_eq!(
            fmt("%X", vec![Value::Bytes(b"\x00\x00byte string\x00"[..].into())]),
            "\"00006279746520737472696E6700\""
        );
    }

    #[test]
    fn format_s_prints_values_as_cel_go() {
        assert_eq!(fmt("%s", vec![Value::Double(2.71)]), "\"2.71\"");
        assert_eq!(fmt("%s", vec![Value::Double(0.000000002)]), "\"2e-09\"");
        assert_eq!(fmt("%s", vec![list(vec![Value::Double(2.71)])]), "\"[2.710000]\"");
        assert_eq!(fmt("null: %s", vec![Value::Null]), "\"null: null\"");
        assert_eq!(fmt("%s", vec![int(999999999999)]), "\"999999999999\"");
        assert_eq!(fmt("some bytes: %s", vec![Value::Bytes(b"xyz"[..].into())]), "\"some bytes: xyz\"");
        assert_eq!(fmt("type is %s", vec![Value::Type(crate::cel::Type::String)]), "\"type is string\"");
        assert_eq!(fmt("%s", vec![Value::Timestamp(1675467080 * 1_000_000_000)]), "\"2023-02-03T23:31:20Z\"");
        assert_eq!(fmt("%s", vec![Value::Duration(6347 * 1_000_000_000)]), "\"6347s\"");
        assert_eq!(fmt("%s %s", vec![Value::Bool(true), Value::Bool(false)]), "\"true false\"");
        assert_eq!(
            fmt(
                "%s",
                vec![list(vec![
                    s("abc"),
                    Value::Double(3.25),
                    Value::Null,
                    list(vec![int(9), int(8)]),
                    Value::Timestamp(1675467080 * 1_000_000_000)
                ])]
            ),
            r#""["abc", 3.250000, null, [9, 8], timestamp("2023-02-03T23:31:20Z")]""#
        );
        assert_eq!(
            fmt(
                "%s",
                vec![list(vec![
                    Value::Double(f64::NAN),
                    Value::Double(f64::INFINITY),
                    Value::Double(f64::NEG_INFINITY)
                ])]
            ),
            r#""["NaN", "+Inf", "-Inf"]""#
        );
        let map = Value::Map(crate::cel::MapValue::Owned(std::rc::Rc::new(vec![
            (crate::cel::Key::String(crate::cel::Str::Borrowed("key5")), Value::Null),
            (crate::cel::Key::String(crate::cel::Str::Borrowed("key1")), Value::Bytes(b"xyz"[..].into())),
            (crate::cel::Key::String(crate::cel::Str::Borrowed("key2")), Value::Duration(7200 * 1_000_000_000)),
            (crate::cel::Key::Int(6), Value::Double(2.5)),
            (crate::cel::Key::Bool(true), Value::Bool(true)),
        ])));
        assert_eq!(
            fmt("%s", vec![map]),
            r#""{"key1":b"xyz", "key2":duration("7200s"), "key5":null, 6:2.500000, true:true}""#
        );
    }

    #[test]
    fn format_errors_are_cel_go_s() {
        assert_eq!(
            fmt("%a", vec![int(1)]),
            "error: could not parse formatting clause: unrecognized formatting clause \"a\""
        );
        assert_eq!(
            fmt("%E", vec![int(1)]),
            "error: could not parse formatting clause: unrecognized formatting clause \"E\""
        );
        assert_eq!(fmt("%d %d %d", vec![int(0), int(1)]), "error: index 2 out of range");
        assert_eq!(fmt("filler %", vec![]), "error: index 0 out of range");
        assert_eq!(fmt("filler %", vec![int(1)]), "error: unexpected end of string");
        assert_eq!(
            fmt("double is %.34", vec![Value::Double(5.0)]),
            "error: could not parse formatting clause: error while parsing precision: could not find end of precision specifier"
        );
        assert_eq!(
            fmt("string is %b", vec![s("abc")]),
            "error: error during formatting: only integers and bools can be formatted as binary, was given string"
        );
        assert_eq!(
            fmt("%d", vec![Value::Duration(1)]),
            "error: error during formatting: decimal clause can only be used on integers, was given google.protobuf.Duration"
        );
        assert_eq!(
            fmt("octal: %o", vec![s("a string")]),
            "error: error during formatting: octal clause can only be used on integers, was given string"
        );
        assert_eq!(
            fmt("double is %x", vec![Value::Double(0.5)]),
            "error: error during formatting: only integers, byte buffers, and strings can be formatted as hex, was given double"
        );
        assert_eq!(
            fmt("null: %f", vec![Value::Null]),
            "error: error during formatting: fixed-point clause can only be used on doubles, was given null_type"
        );
        assert_eq!(
            fmt("null: %e", vec![Value::Null]),
            "error: error during formatting: scientific clause can only be used on doubles, was given null_type"
        );
        assert_eq!(
            fmt("%s", vec![Value::Optional(None)]),
            "error: error during formatting: string clause can only be used on strings, bools, bytes, ints, doubles, maps, lists, types, durations, and timestamps, was given optional_type"
        );
        assert_eq!(
            fmt("%s", vec![list(vec![Value::Optional(None)])]),
            "error: error during formatting: no formatting function for optional_type"
        );
        assert_eq!(
            fmt("%.f", vec![Value::Double(1.0)]),
            "error: could not parse formatting clause: error while parsing precision: error while converting precision to integer: strconv.Atoi: parsing \"\": invalid syntax"
        );
        assert_eq!(
            fmt("%s", vec![Value::Bytes(b"\xff"[..].into())]),
            "error: error during formatting: invalid UTF-8 in bytes, cannot convert to string"
        );
        assert_eq!(fmt("a%sé%s", vec![s("1"), s("2")]), "\"a1é2\"");
        assert_eq!(
            fmt("%é", vec![s("1")]),
            "error: could not parse formatting clause: unrecognized formatting clause \"é\""
        );
    }
}
