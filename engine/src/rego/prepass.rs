//! A source pre-pass over Rego v0 that makes regorus judge the constructs where it differs from OPA as OPA does.
//!
//! Each rewrite keeps line numbers (nothing inserted spans a newline) so that regorus' error positions still
//! point into the template as written:
//! 1. `sprintf("%v %v", [x])`: OPA (Go's fmt) prints `%!v(MISSING)` for a verb without an argument, regorus makes
//!    the call undefined. The missing verbs of a literal format are turned into the literal text Go prints.
//! 2. `not f(x)` with `x` undefined: OPA's compiler hoists call arguments out of the negation, so the expression is
//!    undefined (the body fails); regorus evaluates the negation to true. Non-literal arguments are hoisted into
//!    locals (`__gr_n1 := x; not f(__gr_n1)`) unless they use the `_` wildcard, whose scope the hoist would change.
//! 3. A line starting with `(` continues the previous line's call in regorus, but starts a new expression in OPA:
//!    a `;` is put at the end of the previous line.
//! 5. `not x[_] == "a"`: in OPA a wildcard inside a negation is local to it (no element equals "a"); regorus
//!    iterates it outside (some element differs). Such a negation becomes `count([1 | x[_] == "a"]) == 0`.
//! 4. A v0 rule with several bodies (`p[x] { a } { b }`) is two rules for OPA and a parse error for regorus: the
//!    head is repeated before each further body.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Ident,
    Number,
    Str,
    Punct(u8),
    Newline,
}

#[derive(Debug, Clone, Copy)]
struct Token {
    kind: Kind,
    start: usize,
    end: usize,
}

fn tokenize(src: &str) -> Vec<Token> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let start = i;
        match c {
            b'\n' => {
                out.push(Token { kind: Kind::Newline, start, end: i + 1 });
                i += 1;
            }
            b' ' | b'\t' | b'\r' => i += 1,
            b'#' => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' && b[i] != b'\n' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                i = (i + 1).min(b.len());
                out.push(Token { kind: Kind::Str, start, end: i });
            }
            b'`' => {
                i += 1;
                while i < b.len() && b[i] != b'`' {
                    i += 1;
                }
                i = (i + 1).min(b.len());
                out.push(Token { kind: Kind::Str, start, end: i });
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                    i += 1;
                }
                out.push(Token { kind: Kind::Ident, start, end: i });
            }
            c if c.is_ascii_digit() => {
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'.') {
                    i += 1;
                }
                out.push(Token { kind: Kind::Number, start, end: i });
            }
            c if c.is_ascii() => {
                out.push(Token { kind: Kind::Punct(c), start, end: i + 1 });
                i += 1;
            }
            _ => {
                // Non-ASCII outside strings and comments is a syntax error regorus will report; step over it whole.
                let len = src[i..].chars().next().map_or(1, char::len_utf8);
                out.push(Token { kind: Kind::Punct(b'?'), start, end: i + len });
                i += len;
            }
        }
    }
    out
}

/// A text edit: insert `text` at `at`, or replace `at..end` with it.
#[derive(Debug)]
struct Edit {
    at: usize,
    end: usize,
    text: String,
}

/// Applies the rewrites and returns the new source (unchanged when nothing applies).
pub fn rewrite(src: &str) -> String {
    let toks = tokenize(src);
    let mut edits = Vec::new();
    sprintf_missing(src, &toks, &mut edits);
    hoist_not_args(src, &toks, &mut edits);
    negated_wildcards(src, &toks, &mut edits);
    paren_line_starts(&toks, &mut edits);
    multi_body_rules(src, &toks, &mut edits);
    if edits.is_empty() {
        return src.to_string();
    }
    apply(src, edits)
}

/// `src` with `edits` made, in order of place (an edit overlapping the one before is dropped: none of these
/// patterns makes one; stay safe if they do).
fn apply(src: &str, mut edits: Vec<Edit>) -> String {
    edits.sort_by_key(|e| (e.at, e.end));
    let mut out = String::with_capacity(src.len() + edits.iter().map(|e| e.text.len()).sum::<usize>());
    let mut pos = 0;
    for e in edits {
        if e.at < pos {
            continue;
        }
        out.push_str(&src[pos..e.at]);
        out.push_str(&e.text);
        pos = e.end;
    }
    out.push_str(&src[pos..]);
    out
}

/// Whether `toks` are one literal that is always defined: a number, a string, `true`, `false` or `null`.
fn is_literal(src: &str, toks: &[Token]) -> bool {
    toks.len() == 1
        && (matches!(toks[0].kind, Kind::Number | Kind::Str)
            || matches!(text(src, &toks[0]), "true" | "false" | "null"))
}

/// After every `name := value` statement of a rule body, a statement that fails when `name` is undefined:
/// `name := value; type_name(name)`. OPA's body fails at an assignment of an undefined value; regorus' bytecode VM
/// goes on with the variable undefined (a later `sprintf`, `not f(name)` or a message then succeeds where OPA's
/// rule did not). `type_name` is defined for every defined value, `false` and `null` included, so the guard changes
/// nothing else. Statements at the package level (rule definitions) are left alone.
pub fn guard_assignments(src: &str) -> String {
    let toks = tokenize(src);
    let mut edits = Vec::new();
    let mut braces = 0i32;
    for i in 0..toks.len() {
        match toks[i].kind {
            Kind::Punct(b'{') => braces += 1,
            Kind::Punct(b'}') => braces -= 1,
            _ => {}
        }
        let assigns = toks[i].kind == Kind::Ident
            && toks.get(i + 1).map(|t| t.kind) == Some(Kind::Punct(b':'))
            && toks.get(i + 2).is_some_and(|t| t.kind == Kind::Punct(b'=') && t.start == toks[i + 1].end);
        if !assigns || braces <= 0 || !is_statement_start(prev_token(toks.as_slice(), i)) {
            continue;
        }
        let name = text(src, &toks[i]);
        if name == "_" {
            continue;
        }
        let end = statement_end(&toks, i + 3);
        let value = &toks[i + 3..end];
        if value.is_empty() || is_literal(src, value) {
            continue; // nothing assigned (a syntax error regorus reports as it is), or a value always defined
        }
        let at = toks[end - 1].end;
        edits.push(Edit { at, end: at, text: format!("; type_name({name})") });
    }
    if edits.is_empty() {
        return src.to_string();
    }
    // An assignment inside another's value (a comprehension) ends first: `apply` puts them in order of place.
    apply(src, edits)
}

/// Whether a module defines a function, a complete rule or an object rule more than once with a value in its
/// head (`f(x) = y { ... }` twice): two of its bodies may then give two values for one input, which OPA reports as
/// an evaluation error (Gatekeeper turns it into a violation). regorus' bytecode VM does not report it, so such a
/// template runs on the interpreter. Definitions whose value is `true` (`f(x) { ... }`) cannot conflict.
pub fn may_conflict(src: &str) -> bool {
    let toks = tokenize(src);
    let mut depth = 0i32;
    let mut valued: Vec<(&str, bool)> = Vec::new();
    for i in 0..toks.len() {
        match toks[i].kind {
            Kind::Punct(b'(' | b'[' | b'{') => depth += 1,
            Kind::Punct(b')' | b']' | b'}') => depth -= 1,
            _ => {}
        }
        let line_start = i == 0 || toks[i - 1].kind == Kind::Newline;
        if depth != 0 || !line_start || toks[i].kind != Kind::Ident {
            continue;
        }
        let name = text(src, &toks[i]);
        if matches!(name, "package" | "import" | "default") {
            continue;
        }
        // The head: `name(.name)*`, then `(args)` or `[key]`, then `=`/`:=` and a value, up to the body.
        let mut j = i + 1;
        while toks.get(j).map(|t| t.kind) == Some(Kind::Punct(b'.'))
            && toks.get(j + 1).map(|t| t.kind) == Some(Kind::Ident)
        {
            j += 2;
        }
        let full = &src[toks[i].start..toks[j - 1].end];
        if matches!(toks.get(j).map(|t| t.kind), Some(Kind::Punct(b'(' | b'['))) {
            let Some(close) = matching_close(&toks, j) else { continue };
            j = close + 1;
        }
        if toks.get(j).map(|t| t.kind) == Some(Kind::Punct(b':')) {
            j += 1;
        }
        let has_value = toks.get(j).map(|t| t.kind) == Some(Kind::Punct(b'='));
        let value = if has_value {
            let start = j + 1;
            let mut end = start;
            let mut d = 0i32;
            while let Some(t) = toks.get(end) {
                match t.kind {
                    Kind::Punct(b'(' | b'[') => d += 1,
                    Kind::Punct(b')' | b']') => d -= 1,
                    Kind::Punct(b'{') if d == 0 => break,
                    Kind::Newline if d == 0 => break,
                    Kind::Ident if d == 0 && text(src, t) == "if" => break,
                    _ => {}
                }
                end += 1;
            }
            let v = &toks[start..end];
            !(v.len() == 1 && text(src, &v[0]) == "true")
        } else {
            false
        };
        valued.push((full, value));
    }
    valued
        .iter()
        .enumerate()
        .any(|(k, (name, v))| valued.iter().enumerate().any(|(l, (other, w))| k != l && name == other && (*v || *w)))
}

fn text<'s>(src: &'s str, t: &Token) -> &'s str {
    &src[t.start..t.end]
}

/// Index of the token closing the bracket opened at `open` (same nesting), skipping newlines.
fn matching_close(toks: &[Token], open: usize) -> Option<usize> {
    let mut depth = 0i32;
    for (i, t) in toks.iter().enumerate().skip(open) {
        match t.kind {
            Kind::Punct(b'(' | b'[' | b'{') => depth += 1,
            Kind::Punct(b')' | b']' | b'}') => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// Splits the tokens between `open` and its closing bracket into top-level comma-separated ranges.
fn split_args(toks: &[Token], open: usize, close: usize) -> Vec<(usize, usize)> {
    let mut args = Vec::new();
    let mut depth = 0;
    let mut start = open + 1;
    for (i, t) in toks.iter().enumerate().take(close).skip(open + 1) {
        match t.kind {
            Kind::Punct(b'(' | b'[' | b'{') => depth += 1,
            Kind::Punct(b')' | b']' | b'}') => depth -= 1,
            Kind::Punct(b',') if depth == 0 => {
                args.push((start, i));
                start = i + 1;
            }
            _ => {}
        }
    }
    let has_content = (start..close).any(|i| toks[i].kind != Kind::Newline);
    if has_content {
        args.push((start, close));
    }
    args
}

/// The verbs of a Go format string, as (byte range in the string, verb char).
fn format_verbs(fmt: &str) -> Vec<(usize, usize, char)> {
    let b = fmt.as_bytes();
    let mut verbs = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'%' {
            i += 1;
            continue;
        }
        let start = i;
        i += 1;
        if i < b.len() && b[i] == b'%' {
            i += 1;
            continue;
        }
        while i < b.len() && matches!(b[i], b'+' | b'-' | b'#' | b' ' | b'0'..=b'9' | b'.' | b'*') {
            i += 1;
        }
        if i < b.len() && b[i].is_ascii_alphabetic() {
            verbs.push((start, i + 1, b[i] as char));
            i += 1;
        }
    }
    verbs
}

fn sprintf_missing(src: &str, toks: &[Token], edits: &mut Vec<Edit>) {
    for i in 0..toks.len() {
        if toks[i].kind != Kind::Ident || text(src, &toks[i]) != "sprintf" {
            continue;
        }
        let (Some(open), Some(fmt)) = (toks.get(i + 1), toks.get(i + 2)) else { continue };
        if open.kind != Kind::Punct(b'(') || fmt.kind != Kind::Str {
            continue;
        }
        if toks.get(i + 3).map(|t| t.kind) != Some(Kind::Punct(b',')) {
            continue;
        }
        let Some(arr) = toks.get(i + 4).filter(|t| t.kind == Kind::Punct(b'[')) else { continue };
        let _ = arr;
        let Some(close) = matching_close(toks, i + 4) else { continue };
        let nargs = split_args(toks, i + 4, close).len();
        let raw = text(src, fmt);
        let verbs = format_verbs(raw);
        if verbs.len() <= nargs {
            continue;
        }
        let mut new = String::with_capacity(raw.len() + 16);
        let mut pos = 0;
        for (start, end, verb) in verbs.into_iter().skip(nargs) {
            new.push_str(&raw[pos..start]);
            new.push_str(&format!("%%!{verb}(MISSING)"));
            pos = end;
        }
        new.push_str(&raw[pos..]);
        edits.push(Edit { at: fmt.start, end: fmt.end, text: new });
    }
}

fn is_statement_start(prev: Option<&Token>) -> bool {
    match prev.map(|t| t.kind) {
        None | Some(Kind::Newline) => true,
        Some(Kind::Punct(c)) => matches!(c, b'{' | b';' | b'|'),
        _ => false,
    }
}

fn hoist_not_args(src: &str, toks: &[Token], edits: &mut Vec<Edit>) {
    let mut counter = 0;
    for i in 0..toks.len() {
        if toks[i].kind != Kind::Ident || text(src, &toks[i]) != "not" || !is_statement_start(prev_token(toks, i)) {
            continue;
        }
        // A call: ident(.ident)* followed by `(`.
        let mut j = i + 1;
        if toks.get(j).map(|t| t.kind) != Some(Kind::Ident) {
            continue;
        }
        while toks.get(j + 1).map(|t| t.kind) == Some(Kind::Punct(b'.'))
            && toks.get(j + 2).map(|t| t.kind) == Some(Kind::Ident)
        {
            j += 2;
        }
        let open = j + 1;
        if toks.get(open).map(|t| t.kind) != Some(Kind::Punct(b'(')) || toks[j].end != toks[open].start {
            continue;
        }
        let Some(close) = matching_close(toks, open) else { continue };
        // Only a whole-statement negation of a call.
        if !matches!(
            toks.get(close + 1).map(|t| t.kind),
            None | Some(Kind::Newline) | Some(Kind::Punct(b';' | b'}' | b']'))
        ) {
            continue;
        }
        if toks[open..close].iter().any(|t| t.kind == Kind::Ident && text(src, t) == "_") {
            continue; // left to `negated_wildcards`
        }
        let mut hoisted = String::new();
        for (a, b) in split_args(toks, open, close) {
            let arg = &toks[a..b];
            let literal = is_literal(src, arg);
            let wildcard = arg.iter().any(|t| t.kind == Kind::Ident && text(src, t) == "_");
            let multiline = arg.iter().any(|t| t.kind == Kind::Newline);
            if literal || wildcard || multiline || arg.is_empty() {
                continue;
            }
            counter += 1;
            let name = format!("__gr_n{counter}");
            let (s, e) = (arg[0].start, arg[arg.len() - 1].end);
            hoisted.push_str(&format!("{name} := {}; ", &src[s..e]));
            edits.push(Edit { at: s, end: e, text: name });
        }
        if !hoisted.is_empty() {
            edits.push(Edit { at: toks[i].start, end: toks[i].start, text: hoisted });
        }
    }
}

/// `not E` where E uses `_` becomes `count([1 | E]) == 0`, which scopes the wildcard inside the negation.
fn negated_wildcards(src: &str, toks: &[Token], edits: &mut Vec<Edit>) {
    for i in 0..toks.len() {
        if toks[i].kind != Kind::Ident || text(src, &toks[i]) != "not" || !is_statement_start(prev_token(toks, i)) {
            continue;
        }
        let end = statement_end(toks, i + 1);
        let expr = &toks[i + 1..end];
        let has_wildcard = expr.iter().any(|t| t.kind == Kind::Ident && text(src, t) == "_");
        let has_with = expr.iter().any(|t| t.kind == Kind::Ident && text(src, t) == "with");
        if expr.is_empty() || !has_wildcard || has_with {
            continue;
        }
        let (s, e) = (expr[0].start, expr[expr.len() - 1].end);
        edits.push(Edit { at: toks[i].start, end: e, text: format!("count([1 | {}]) == 0", &src[s..e]) });
    }
}

/// The index of the token ending the statement that goes on at `from`: a newline, `;` or a closing bracket at
/// its depth (or the end).
fn statement_end(toks: &[Token], from: usize) -> usize {
    let mut depth = 0i32;
    let mut end = from;
    while end < toks.len() {
        match toks[end].kind {
            Kind::Punct(b'(' | b'[' | b'{') => depth += 1,
            Kind::Punct(b')' | b']' | b'}') => {
                if depth == 0 {
                    break;
                }
                depth -= 1;
            }
            Kind::Newline | Kind::Punct(b';') if depth == 0 => break,
            _ => {}
        }
        end += 1;
    }
    end
}

fn prev_token(toks: &[Token], i: usize) -> Option<&Token> {
    i.checked_sub(1).map(|p| &toks[p])
}

fn paren_line_starts(toks: &[Token], edits: &mut Vec<Edit>) {
    let mut stack: Vec<u8> = Vec::new();
    for i in 0..toks.len() {
        match toks[i].kind {
            Kind::Punct(c @ (b'(' | b'[' | b'{')) => {
                let line_start = i > 0 && toks[i - 1].kind == Kind::Newline;
                if c == b'(' && line_start && stack.last() == Some(&b'{') {
                    // Find the last token before the newline run.
                    let mut p = i - 1;
                    while p > 0 && toks[p].kind == Kind::Newline {
                        p -= 1;
                    }
                    let ends_expr = matches!(
                        toks[p].kind,
                        Kind::Ident | Kind::Number | Kind::Str | Kind::Punct(b')' | b']' | b'}')
                    );
                    if ends_expr {
                        edits.push(Edit { at: toks[p].end, end: toks[p].end, text: ";".to_string() });
                    }
                }
                stack.push(c);
            }
            Kind::Punct(b')' | b']' | b'}') => {
                stack.pop();
            }
            _ => {}
        }
    }
}

fn multi_body_rules(src: &str, toks: &[Token], edits: &mut Vec<Edit>) {
    let mut depth = 0i32;
    let mut stmt_start: Option<usize> = None; // token index where the current top-level statement began
    let mut head_end: Option<usize> = None; // byte offset where the first body of that statement opens
    let mut i = 0;
    while i < toks.len() {
        let t = toks[i];
        if depth == 0 && t.kind != Kind::Newline && stmt_start.is_none() {
            stmt_start = Some(i);
            head_end = None;
        }
        match t.kind {
            Kind::Newline if depth == 0 => {
                // A statement continues across a newline only into `else` or another body.
                let next = toks[i + 1..].iter().find(|t| t.kind != Kind::Newline);
                let continues =
                    next.is_some_and(|n| n.kind == Kind::Punct(b'{') && head_end.is_some() || text(src, n) == "else");
                if !continues {
                    stmt_start = None;
                }
            }
            Kind::Punct(b'(' | b'[') => depth += 1,
            Kind::Punct(b'{') => {
                if depth == 0 {
                    if let Some(start) = stmt_start {
                        let prev_close = prev_significant(toks, i).is_some_and(|p| p.kind == Kind::Punct(b'}'));
                        match head_end {
                            Some(end) if prev_close => {
                                let head = src[toks[start].start..end].trim_end();
                                let is_else = toks[start..i].iter().any(|t| text(src, t) == "else");
                                if !is_else && !head.contains('\n') {
                                    edits.push(Edit { at: t.start, end: t.start, text: format!("{head} ") });
                                }
                            }
                            // `p = {..} { body }`: a `{` right after `=` is the value, not a body.
                            None if prev_significant(toks, i).is_some_and(|p| p.kind == Kind::Punct(b'=')) => {}
                            None => head_end = Some(t.start),
                            _ => {}
                        }
                    }
                }
                depth += 1;
            }
            Kind::Punct(b')' | b']' | b'}') => depth -= 1,
            _ => {}
        }
        i += 1;
    }
}

/// The roots of every `data.<root>` reference, with their 1-based lines.
pub fn data_refs(src: &str) -> Vec<(usize, String)> {
    let toks = tokenize(src);
    let mut out = Vec::new();
    let mut line = 1;
    for (i, t) in toks.iter().enumerate() {
        if t.kind == Kind::Newline {
            line += 1;
            continue;
        }
        if t.kind == Kind::Ident
            && text(src, t) == "data"
            && toks.get(i + 1).is_some_and(|d| d.kind == Kind::Punct(b'.') && d.start == t.end)
            && (i == 0 || toks[i - 1].kind != Kind::Punct(b'.'))
        {
            if let Some(root) = toks.get(i + 2).filter(|r| r.kind == Kind::Ident) {
                out.push((line, text(src, root).to_string()));
            }
        }
    }
    out
}

/// Whether a top-level rule named `name` is defined (its head starts a statement at depth 0).
pub fn defines_rule(src: &str, name: &str) -> bool {
    let toks = tokenize(src);
    let mut depth = 0i32;
    let mut at_start = true;
    for t in &toks {
        match t.kind {
            Kind::Newline => {
                if depth == 0 {
                    at_start = true;
                }
                continue;
            }
            Kind::Ident if depth == 0 && at_start && text(src, t) == name => return true,
            Kind::Punct(b'(' | b'[' | b'{') => depth += 1,
            Kind::Punct(b')' | b']' | b'}') => depth -= 1,
            _ => {}
        }
        if !(t.kind == Kind::Ident && text(src, t) == "default") {
            at_start = false;
        }
    }
    false
}

fn prev_significant(toks: &[Token], i: usize) -> Option<&Token> {
    toks[..i].iter().rev().find(|t| t.kind != Kind::Newline)
}

#[cfg(test)]
mod tests {
    use super::{guard_assignments, may_conflict, rewrite};

    #[test]
    fn assignments_in_bodies_are_guarded() {
        assert_eq!(
            guard_assignments("package t\nr := input.x\np { x := input.a; y := 1\n  z := f(x) # note\n}"),
            "package t\nr := input.x\np { x := input.a; type_name(x); y := 1\n  z := f(x); type_name(z) # note\n}"
        );
        // An assignment inside another's value ends first; the edits are applied in order of place.
        assert_eq!(
            guard_assignments("p { x := [y | y := f(z)]; w := {\"a\": 1} }"),
            "p { x := [y | y := f(z); type_name(y)]; type_name(x); w := {\"a\": 1}; type_name(w) }"
        );
        // A value spanning lines inside brackets; `_ :=` and literals are left alone.
        assert_eq!(
            guard_assignments("p {\n  x := concat(\",\",\n    [a, b])\n  _ := g(1)\n  s := \"lit\"\n}"),
            "p {\n  x := concat(\",\",\n    [a, b]); type_name(x)\n  _ := g(1)\n  s := \"lit\"\n}"
        );
    }

    #[test]
    fn rules_defined_twice_with_a_value_may_conflict() {
        assert!(may_conflict("package t\nf(x) = y { y := x }\nf(x) = y { y := 2 }"));
        assert!(may_conflict("package t\nc := 1 { true }\nc := 2 if { true }"));
        assert!(may_conflict("package t\no[k] = v { k := 1; v := 1 }\no[k] = v { k := 1; v := 2 }"));
        // `true` heads, partial sets, `default` and different names cannot conflict.
        assert!(!may_conflict("package t\nf(x) { x }\nf(x) = true { x }\np[x] { x := 1 }\np[x] { x := 2 }"));
        assert!(!may_conflict("package t\ndefault d = 1\nd = 2 { input.a }\ng(x) = 1 { x }\nh(x) = 2 { x }"));
        assert!(!may_conflict(
            "package t\nviolation[{\"msg\": m}] { m := \"a\" }\nviolation[{\"msg\": m}] { m := \"b\" }"
        ));
    }

    #[test]
    fn sprintf_missing_verbs_become_gos_text() {
        assert_eq!(
            rewrite(r#"msg := sprintf("container %v has %v", [name])"#),
            r#"msg := sprintf("container %v has %%!v(MISSING)", [name])"#
        );
        assert_eq!(
            rewrite(r#"msg := sprintf("%d%% of %s", [])"#),
            r#"msg := sprintf("%%!d(MISSING)%% of %%!s(MISSING)", [])"#
        );
        let enough = r#"msg := sprintf("%v and %v", [a, f(b, c)])"#;
        assert_eq!(rewrite(enough), enough);
    }

    #[test]
    fn not_call_arguments_are_hoisted() {
        assert_eq!(
            rewrite("p {\n  not startswith(input.x, \"a\")\n}"),
            "p {\n  __gr_n1 := input.x; not startswith(__gr_n1, \"a\")\n}"
        );
        // Literals stay, non-call negations are left alone.
        let w = "p {\n  not input.y\n  not a == b\n}";
        assert_eq!(rewrite(w), w);
        assert_eq!(rewrite("p { not lib.ok(c) }"), "p { __gr_n1 := c; not lib.ok(__gr_n1) }");
    }

    #[test]
    fn a_negated_wildcard_becomes_an_empty_count() {
        assert_eq!(rewrite("p {\n  not c.drop[_] == \"ALL\"\n}"), "p {\n  count([1 | c.drop[_] == \"ALL\"]) == 0\n}");
        assert_eq!(rewrite("p { not f(input.x[_], y); q }"), "p { count([1 | f(input.x[_], y)]) == 0; q }");
        let with = "p {\n  not f(x[_]) with input as {}\n}";
        assert_eq!(rewrite(with), with);
    }

    #[test]
    fn a_line_starting_with_a_paren_is_a_new_expression() {
        assert_eq!(rewrite("p {\n  x := y\n  (x == 1)\n}"), "p {\n  x := y;\n  (x == 1)\n}");
        let call = "p {\n  f(\n    (1 + 2)\n  )\n}";
        assert_eq!(rewrite(call), call);
    }

    #[test]
    fn several_bodies_repeat_the_head() {
        assert_eq!(
            rewrite("violation[{\"msg\": m}] {\n  a\n  m := \"x\"\n} {\n  b\n  m := \"y\"\n}\n"),
            "violation[{\"msg\": m}] {\n  a\n  m := \"x\"\n} violation[{\"msg\": m}] {\n  b\n  m := \"y\"\n}\n"
        );
        let else_chain = "p = 1 {\n  a\n} else = 2 {\n  b\n}\n";
        assert_eq!(rewrite(else_chain), else_chain);
        let two_rules = "p {\n  a\n}\n\nq {\n  b\n}\n";
        let literal_value = "params = {} {\n  a\n}\nx = {\"a\": 1}\n";
        assert_eq!(rewrite(literal_value), literal_value);
        assert_eq!(rewrite("p = {1} {\n  a\n} {\n  b\n}"), "p = {1} {\n  a\n} p = {1} {\n  b\n}");
        assert_eq!(rewrite(two_rules), two_rules);
    }

    #[test]
    fn finds_rules_and_data_references() {
        let src = "package t\nimport data.lib.x\ndefault allow = false\nviolation[{\"msg\": m}] {\n  data.inventory.a\n  m := \"data.other\"\n}";
        assert!(super::defines_rule(src, "violation"));
        assert!(super::defines_rule(src, "allow"));
        assert!(!super::defines_rule(src, "m"));
        assert_eq!(super::data_refs(src), vec![(2, "lib".to_string()), (5, "inventory".to_string())]);
    }

    #[test]
    fn strings_and_comments_are_not_rewritten() {
        let s = "# not f(x) sprintf(\"%v\", [])\np { x := \"not f(y)\" }";
        assert_eq!(rewrite(s), s);
    }
}
