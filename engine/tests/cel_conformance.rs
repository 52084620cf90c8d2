//! The CEL conformance table: `engine/tests/cel/conformance.txt`, written from the language definition
//! (cel-spec `doc/langdef.md`), the Kubernetes CEL libraries' documentation and cel-go's extension docs. Every
//! case runs; every failure is printed (line, expression, expected, got) with the counts per section, and the
//! test fails if any case failed.
//!
//! The file's format, a case a line:
//!
//! ```text
//! # strings                                  a section (its name is what follows the '#')
//! // a comment
//! 'abc'.size() ==> 3                         the expected side is a CEL expression too: both must be equal
//!                                            and of the same type, at every depth (NaN equals NaN here)
//! 1 / 0 !!> division by zero                 an evaluation error whose message contains the text (one of
//!                                            the alternatives separated by ' | '; nothing after '!!>': any error)
//! 1 + ~~> parse error                        the expression does not parse (text after 'parse error:' must be
//!                                            in the message)
//! let x = {"a": 1}; x.a ==> 1                a JSON document bound to `x` for this case (several `let`s may
//!                                            follow one another; a value ends at the first ';' outside
//!                                            string literals)
//! let x := [1u, b'a']; x[0] ==> 1u           the value of a CEL expression (evaluated with no variables)
//!                                            bound to `x`
//! let x = {"a": 1}                           a `let` with no case after it binds for the rest of the section
//! 1 + \                                      a line ending with a backslash goes on on the next line (joined
//! 2 ==> 3                                    with a newline)
//! ```
//!
//! `CEL_CASES=<file>` runs another file of the same format instead (the cel-spec conformance data converted by
//! `scripts/cel-spec-conformance.py`): the counts are reported, and the test fails only with
//! `CEL_CASES_STRICT=1`. `CEL_REPORT=<file>` writes every case's outcome there as JSON lines.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use guardrail_engine::cel::{Activation, Error, MapValue, Program, Value};

#[derive(Debug, Clone)]
enum Expect {
    /// `==>`: the value of this expression.
    Value(String),
    /// `!!>`: an evaluation error whose message contains one of these (any error when empty).
    Error(Vec<String>),
    /// `~~>`: a parse error whose message contains this (any when empty).
    ParseError(String),
}

#[derive(Debug, Clone)]
enum Bound {
    Json(serde_json::Value),
    Cel(String),
}

/// Variables and what they are bound to.
type Bindings = Vec<(String, Bound)>;

#[derive(Debug, Clone)]
struct Case {
    line: usize,
    section: String,
    bindings: Bindings,
    expr: String,
    expect: Expect,
}

/// How one case went.
struct Outcome {
    case: Case,
    /// `None` when it passed; otherwise what was got instead.
    failure: Option<String>,
}

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cel")
}

/// Where a quoted CEL string starting at `i` (the quote) ends: the index after its closing quote.
fn skip_string(b: &[u8], i: usize) -> usize {
    // A raw string: `r'...'`, `R"..."`, `br'...'`, `rb'...'`; the prefix must start a token.
    let mut j = i;
    let mut raw = false;
    while j > 0 && b[j - 1].is_ascii_alphabetic() && i - j < 2 {
        j -= 1;
        if b[j] == b'r' || b[j] == b'R' {
            raw = true;
        }
    }
    if j > 0 && (b[j - 1].is_ascii_alphanumeric() || b[j - 1] == b'_') {
        raw = false;
    }
    let q = b[i];
    let triple = b.len() >= i + 3 && b[i + 1] == q && b[i + 2] == q;
    let mut k = if triple { i + 3 } else { i + 1 };
    while k < b.len() {
        if b[k] == b'\\' && !raw {
            k += 2;
            continue;
        }
        if b[k] == q {
            if !triple {
                return k + 1;
            }
            if b.len() >= k + 3 && b[k + 1] == q && b[k + 2] == q {
                return k + 3;
            }
        }
        k += 1;
    }
    b.len()
}

/// The first of `needles` found in `s` outside CEL string literals: (offset, which).
fn find_outside_strings(s: &str, needles: &[&str]) -> Option<(usize, usize)> {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\'' || b[i] == b'"' {
            i = skip_string(b, i);
            continue;
        }
        for (n, needle) in needles.iter().enumerate() {
            if s[i..].starts_with(needle) {
                return Some((i, n));
            }
        }
        i += 1;
    }
    None
}

/// Reads the leading `let name = <json>;` / `let name := <cel>;` bindings of a line: the bindings and the rest.
fn parse_lets(mut rest: &str) -> Result<(Bindings, &str), String> {
    let mut out = Vec::new();
    loop {
        let Some(after) = rest.strip_prefix("let ") else { return Ok((out, rest)) };
        let after = after.trim_start();
        let name_len = after.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(after.len());
        let name = after[..name_len].to_string();
        let after = after[name_len..].trim_start();
        let (is_json, value) = match (after.strip_prefix(":="), after.strip_prefix('=')) {
            (Some(cel), _) => (false, cel),
            (None, Some(json)) => (true, json),
            // Not a binding: an expression that starts with `let` (a parse error case).
            (None, None) => return Ok((out, rest)),
        };
        if name.is_empty() {
            return Ok((out, rest));
        }
        // The value ends at the first ';' outside string literals (JSON strings are double-quoted).
        let (end, _) = find_outside_strings(value, &[";"]).unwrap_or((value.len(), 0));
        let bound = if is_json {
            Bound::Json(serde_json::from_str(&value[..end]).map_err(|e| format!("bad JSON for `{name}`: {e}"))?)
        } else {
            Bound::Cel(value[..end].trim().to_string())
        };
        out.push((name, bound));
        rest = value.get(end + 1..).unwrap_or("").trim_start();
    }
}

fn parse_cases(text: &str) -> Result<(Vec<Case>, Vec<String>), String> {
    let mut cases = Vec::new();
    let mut sections: Vec<String> = Vec::new();
    let mut section = String::from("(top)");
    let mut section_bindings: Bindings = Vec::new();
    let lines: Vec<&str> = text.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        let line_no = i + 1;
        let mut line = lines[i].to_string();
        i += 1;
        // A backslash at the end of a line continues it on the next.
        while line.ends_with('\\') && i < lines.len() {
            line.pop();
            line.push('\n');
            line.push_str(lines[i]);
            i += 1;
        }
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with("//") {
            continue;
        }
        if let Some(name) = trimmed.strip_prefix('#') {
            section = name.trim().to_string();
            if !sections.contains(&section) {
                sections.push(section.clone());
            }
            section_bindings.clear();
            continue;
        }
        let (lets, rest) = parse_lets(trimmed).map_err(|e| format!("line {line_no}: {e}"))?;
        if rest.is_empty() {
            section_bindings.extend(lets);
            continue;
        }
        const SEPARATORS: [&str; 3] = [" ==> ", " !!>", " ~~>"];
        // Outside string literals; else (an unterminated literal, in a parse error case) the last one.
        let found = find_outside_strings(rest, &SEPARATORS)
            .or_else(|| SEPARATORS.iter().enumerate().filter_map(|(n, s)| rest.rfind(s).map(|at| (at, n))).max());
        let Some((at, which)) = found else {
            return Err(format!("line {line_no}: no ' ==> ', ' !!>' or ' ~~>' in {rest:?}"));
        };
        let expr = rest[..at].trim().to_string();
        let tail = rest[at + 4..].trim();
        let expect = match which {
            0 => Expect::Value(tail.to_string()),
            1 => Expect::Error(if tail.is_empty() {
                Vec::new()
            } else {
                tail.split(" | ").map(|s| s.trim().to_string()).collect()
            }),
            _ => {
                let t = tail.strip_prefix("parse error").unwrap_or(tail).trim_start();
                Expect::ParseError(t.strip_prefix(':').unwrap_or(t).trim().to_string())
            }
        };
        let mut bindings = section_bindings.clone();
        bindings.extend(lets);
        if !sections.contains(&section) {
            sections.push(section.clone());
        }
        cases.push(Case { line: line_no, section: section.clone(), bindings, expr, expect });
    }
    Ok((cases, sections))
}

/// A value as a CEL literal would write it (for the failure messages).
fn show(v: &Value<'_>) -> String {
    match v {
        Value::String(s) => format!("{:?}", &**s),
        Value::Bytes(b) => {
            let mut out = String::from("b\"");
            for &c in b.iter() {
                if c.is_ascii_graphic() && c != b'"' && c != b'\\' || c == b' ' {
                    out.push(c as char);
                } else {
                    let _ = write!(out, "\\x{c:02x}");
                }
            }
            out.push('"');
            out
        }
        Value::Uint(u) => format!("{u}u"),
        Value::Double(d) if d.is_finite() && d.fract() == 0.0 && d.abs() < 1e16 => format!("{d:.1}"),
        Value::Double(d) if d.is_nan() => "double('NaN')".into(),
        Value::Double(d) if d.is_infinite() => format!("double('{}Infinity')", if *d < 0.0 { "-" } else { "" }),
        Value::List(l) => format!("[{}]", l.iter().map(|x| show(&x)).collect::<Vec<_>>().join(", ")),
        Value::Map(m) => format!(
            "{{{}}}",
            m.entries().iter().map(|(k, x)| format!("{}: {}", show(k), show(x))).collect::<Vec<_>>().join(", ")
        ),
        Value::Duration(_) => format!("duration('{v}')"),
        Value::Timestamp(_) => format!("timestamp('{v}')"),
        Value::Optional(Some(x)) => format!("optional.of({})", show(x)),
        Value::Optional(None) => "optional.none()".into(),
        Value::Type(t) => format!("type {}", t.name()),
        Value::Ext(_) => format!("{}({v})", v.type_name()),
        other => other.to_string(),
    }
}

/// Equal and of the same type, at every depth; NaN equals NaN.
fn same(a: &Value<'_>, b: &Value<'_>) -> bool {
    if a.type_of() != b.type_of() {
        return false;
    }
    match (a, b) {
        (Value::Double(x), Value::Double(y)) => (x.is_nan() && y.is_nan()) || x == y,
        (Value::List(x), Value::List(y)) => x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| same(&p, &q)),
        (Value::Map(x), Value::Map(y)) => maps_same(x, y),
        (Value::Optional(Some(x)), Value::Optional(Some(y))) => same(x, y),
        (Value::Optional(x), Value::Optional(y)) => x.is_none() && y.is_none(),
        _ => a.equals(b),
    }
}

fn maps_same(x: &MapValue<'_>, y: &MapValue<'_>) -> bool {
    let (ex, ey) = (x.entries(), y.entries());
    ex.len() == ey.len()
        && ex.iter().all(|(k, v)| ey.iter().any(|(k2, v2)| k.type_of() == k2.type_of() && k.equals(k2) && same(v, v2)))
}

fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "(a panic)".to_string()
    }
}

fn describe_error(e: &Error) -> String {
    format!("error: {}{}", e.message, if e.cost_exceeded { " (cost limit)" } else { "" })
}

/// Runs one case: `None` when it passed, else what happened instead.
fn run_case(case: &Case) -> Option<String> {
    let program = Program::compile(&case.expr);
    if let Expect::ParseError(want) = &case.expect {
        return match program {
            Err(e) if want.is_empty() || e.message.contains(want.as_str()) => None,
            Err(e) => Some(format!("parse error without {want:?}: {e}")),
            Ok(p) => {
                let act = Activation::new();
                Some(format!("parsed; evaluates to {}", p.eval(&act).map_or_else(|e| describe_error(&e), |v| show(&v))))
            }
        };
    }
    let program = match program {
        Ok(p) => p,
        Err(e) => return Some(format!("parse error: {e}")),
    };
    // Bindings: CEL expressions are evaluated first, with no variables.
    let mut cel_values: Vec<(String, Value<'_>)> = Vec::new();
    for (name, b) in &case.bindings {
        if let Bound::Cel(src) = b {
            let v = Program::compile(src)
                .map_err(|e| format!("binding `{name}` does not parse: {e}"))
                .and_then(|p| p.eval(&Activation::new()).map_err(|e| format!("binding `{name}`: {}", e.message)));
            match v {
                Ok(v) => cel_values.push((name.clone(), v)),
                Err(e) => return Some(e),
            }
        }
    }
    let mut act = Activation::new();
    for (name, b) in &case.bindings {
        match b {
            Bound::Json(j) => {
                act.bind_json(name, j);
            }
            Bound::Cel(_) => {
                if let Some((_, v)) = cel_values.iter().find(|(n, _)| n == name) {
                    act.bind(name, v.clone());
                }
            }
        }
    }
    let got = program.eval(&act);
    match &case.expect {
        Expect::Value(want_src) => {
            let want = match Program::compile(want_src) {
                Ok(p) => p.eval(&act),
                Err(e) => return Some(format!("the expected side does not parse: {e}")),
            };
            match (got, want) {
                (_, Err(e)) => Some(format!("the expected side fails: {}", e.message)),
                (Ok(g), Ok(w)) if same(&g, &w) => None,
                (Ok(g), Ok(w)) if g.equals(&w) => {
                    Some(format!("{} (a {}; expected a {})", show(&g), g.type_name(), w.type_name()))
                }
                (Ok(g), Ok(_)) => Some(show(&g)),
                (Err(e), Ok(_)) => Some(describe_error(&e)),
            }
        }
        Expect::Error(alternatives) => match got {
            Err(e) if alternatives.is_empty() || alternatives.iter().any(|a| e.message.contains(a.as_str())) => None,
            Err(e) => Some(describe_error(&e)),
            Ok(v) => Some(format!("{} (no error)", show(&v))),
        },
        Expect::ParseError(_) => unreachable!(),
    }
}

fn expectation(e: &Expect) -> String {
    match e {
        Expect::Value(v) => v.clone(),
        Expect::Error(a) if a.is_empty() => "an error".into(),
        Expect::Error(a) => {
            format!("an error with {}", a.iter().map(|s| format!("{s:?}")).collect::<Vec<_>>().join(" or "))
        }
        Expect::ParseError(s) if s.is_empty() => "a parse error".into(),
        Expect::ParseError(s) => format!("a parse error with {s:?}"),
    }
}

fn run_all(cases: Vec<Case>) -> Vec<Outcome> {
    // Panics are failures of their case, reported with the others; the default hook would print each one.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let outcomes = cases
        .into_iter()
        .map(|case| {
            let failure = match catch_unwind(AssertUnwindSafe(|| run_case(&case))) {
                Ok(f) => f,
                Err(p) => Some(format!("panic: {}", panic_message(&*p))),
            };
            Outcome { case, failure }
        })
        .collect();
    std::panic::set_hook(hook);
    outcomes
}

fn write_report(path: &Path, outcomes: &[Outcome]) {
    let mut out = String::new();
    for o in outcomes {
        let record = serde_json::json!({
            "line": o.case.line,
            "section": o.case.section,
            "expr": o.case.expr,
            "expected": expectation(&o.case.expect),
            "passed": o.failure.is_none(),
            "got": o.failure,
        });
        out.push_str(&record.to_string());
        out.push('\n');
    }
    std::fs::write(path, out).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
}

#[test]
fn cel_conformance() {
    let alternative = std::env::var_os("CEL_CASES").map(PathBuf::from);
    let strict = alternative.is_none() || std::env::var("CEL_CASES_STRICT").is_ok_and(|v| v == "1");
    let path = alternative.clone().unwrap_or_else(|| data_dir().join("conformance.txt"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let (cases, sections) = parse_cases(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let total = cases.len();
    if alternative.is_none() {
        assert!(total >= 350, "{total} cases: the table should have 350 or more");
    }

    // Deeply nested expressions recurse: a thread with a roomy stack.
    let outcomes = std::thread::Builder::new()
        .name("cel-conformance".into())
        .stack_size(256 << 20)
        .spawn(move || run_all(cases))
        .expect("a thread")
        .join()
        .expect("the cases ran");

    if let Some(report) = std::env::var_os("CEL_REPORT") {
        write_report(Path::new(&report), &outcomes);
    }

    let mut per_section: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut failures = String::new();
    for o in &outcomes {
        let entry = per_section.entry(o.case.section.as_str()).or_default();
        entry.0 += 1;
        if let Some(got) = &o.failure {
            entry.1 += 1;
            let _ = writeln!(
                failures,
                "{}:{} [{}]\n    expr:     {}\n    expected: {}\n    got:      {}",
                path.file_name().map_or_else(|| path.display().to_string(), |f| f.to_string_lossy().into_owned()),
                o.case.line,
                o.case.section,
                o.case.expr.replace('\n', "\n              "),
                expectation(&o.case.expect),
                got
            );
        }
    }
    let failed: usize = per_section.values().map(|(_, f)| f).sum();
    if !failures.is_empty() {
        println!("failures:\n{failures}");
    }
    println!("per section (passed/cases):");
    for name in &sections {
        if let Some((n, f)) = per_section.get(name.as_str()) {
            println!(
                "  {:<32} {:>4}/{:<4}{}",
                name,
                n - f,
                n,
                if *f > 0 { format!("  ({f} failed)") } else { String::new() }
            );
        }
    }
    println!(
        "CEL conformance, {}: {total} cases in {} sections; passed {}, failed {failed}",
        path.display(),
        sections.len(),
        total - failed
    );
    if strict {
        assert_eq!(failed, 0, "{failed} of {total} CEL cases failed (listed above)");
    }
}

#[test]
fn the_format_reads_as_documented() {
    let text = r#"
# first
let doc = {"a": [1, 2]}
doc.a[1] ==> 2
let y := 3u; y + uint(doc.a.size()) ==> 5u
'a ==> b' + " !!> " ==> 'a ==> b !!> '
1 / 0 !!> division by zero | modulus
x !!>
1 + \
2 ==> 3
(1 ~~> parse error
# second
doc !!> undeclared
"#;
    let (cases, sections) = parse_cases(text).expect("parses");
    assert_eq!(sections, ["first", "second"]);
    assert_eq!(cases.len(), 8);
    assert_eq!(cases[2].expr, r#"'a ==> b' + " !!> ""#);
    assert!(matches!(&cases[3].expect, Expect::Error(a) if a.len() == 2));
    assert!(matches!(&cases[4].expect, Expect::Error(a) if a.is_empty()));
    assert_eq!(cases[5].expr, "1 + \n2");
    assert!(cases[7].bindings.is_empty(), "section bindings end with the section");
    let outcomes = run_all(cases);
    let failed: Vec<_> = outcomes.iter().filter_map(|o| o.failure.as_ref().map(|f| (o.case.line, f))).collect();
    assert!(failed.is_empty(), "{failed:?}");
    // A wrong expectation is caught: a value of another type, and a missing error.
    let (wrong, _) = parse_cases("1 ==> 1.0\n1 ==> 1u\n1 !!> error\n[1] ==> [1.0]").expect("parses");
    assert!(run_all(wrong).iter().all(|o| o.failure.is_some()));
}
