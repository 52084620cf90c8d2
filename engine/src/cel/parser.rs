//! CEL's lexer and parser: the grammar of the language definition (`cel-spec/doc/langdef.md`), with its
//! macros expanded at parse time and the optional syntax (`a.?b`, `a[?k]`, `[?x]`, `{?k: v}`).

use std::sync::Arc;

/// A parse error: what and where (a byte offset into the source, and line and column from 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// What is wrong.
    pub message: String,
    /// Byte offset into the expression.
    pub offset: usize,
    /// Line, from 1.
    pub line: usize,
    /// Column (in characters), from 1.
    pub column: usize,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.column, self.message)
    }
}

impl std::error::Error for ParseError {}

/// A literal.
#[derive(Debug, Clone, PartialEq)]
pub enum Lit {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// `1`, `-1`, `0x1F`.
    Int(i64),
    /// `1u`.
    Uint(u64),
    /// `1.5`, `1e3`.
    Double(f64),
    /// `'a'`, `"a"`, `r'a'`, `'''a'''`.
    String(Arc<str>),
    /// `b'a'`.
    Bytes(Arc<[u8]>),
}

/// Unary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnaryOp {
    /// `!`.
    Not,
    /// `-`.
    Neg,
}

/// Binary operators other than `&&` and `||` (which short-circuit and absorb errors).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    /// `+`.
    Add,
    /// `-`.
    Sub,
    /// `*`.
    Mul,
    /// `/`.
    Div,
    /// `%`.
    Rem,
    /// `==`.
    Eq,
    /// `!=`.
    Ne,
    /// `<`.
    Lt,
    /// `<=`.
    Le,
    /// `>`.
    Gt,
    /// `>=`.
    Ge,
    /// `in`.
    In,
}

impl BinaryOp {
    /// The operator's function name, as cel-go names it in "no such overload" messages.
    pub fn function(self) -> &'static str {
        match self {
            BinaryOp::Add => "_+_",
            BinaryOp::Sub => "_-_",
            BinaryOp::Mul => "_*_",
            BinaryOp::Div => "_/_",
            BinaryOp::Rem => "_%_",
            BinaryOp::Eq => "_==_",
            BinaryOp::Ne => "_!=_",
            BinaryOp::Lt => "_<_",
            BinaryOp::Le => "_<=_",
            BinaryOp::Gt => "_>_",
            BinaryOp::Ge => "_>=_",
            BinaryOp::In => "@in",
        }
    }
}

/// What a comprehension macro computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comprehension {
    /// `all`.
    All,
    /// `exists`.
    Exists,
    /// `exists_one` / `existsOne`.
    ExistsOne,
    /// `map` (with an optional filter).
    Map,
    /// `filter`.
    Filter,
    /// `transformList`.
    TransformList,
    /// `transformMap`.
    TransformMap,
    /// `transformMapEntry`.
    TransformMapEntry,
}

/// An expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A literal.
    Lit(Lit),
    /// A name: a variable, a comprehension's variable, or a type (`int`).
    Ident(Box<str>),
    /// `a.b` (`optional`: `a.?b`).
    Select { operand: Box<Expr>, field: Box<str>, optional: bool },
    /// `has(a.b)`.
    Has { operand: Box<Expr>, field: Box<str> },
    /// `a[b]` (`optional`: `a[?b]`).
    Index { operand: Box<Expr>, index: Box<Expr>, optional: bool },
    /// `f(x)` or `t.f(x)`.
    Call { target: Option<Box<Expr>>, name: Box<str>, args: Vec<Expr> },
    /// `[a, ?b]`: elements, each with whether it is optional.
    List(Vec<(Expr, bool)>),
    /// `{k: v, ?k2: v2}`.
    Map(Vec<(Expr, Expr, bool)>),
    /// `Type{field: v}` (a message; for Kubernetes, `Object{...}` and `JSONPatch{...}`).
    Message { name: Box<str>, fields: Vec<(Box<str>, Expr, bool)> },
    /// `!a`, `-a`.
    Unary(UnaryOp, Box<Expr>),
    /// `a op b`.
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    /// `a && b`.
    And(Box<Expr>, Box<Expr>),
    /// `a || b`.
    Or(Box<Expr>, Box<Expr>),
    /// `a ? b : c`.
    Cond(Box<Expr>, Box<Expr>, Box<Expr>),
    /// A comprehension macro: `range.all(x, p)`, `range.map(x, p, t)`, `range.all(k, v, p)`.
    Fold {
        kind: Comprehension,
        range: Box<Expr>,
        var: Box<str>,
        var2: Option<Box<str>>,
        filter: Option<Box<Expr>>,
        body: Box<Expr>,
    },
    /// `cel.bind(var, init, body)`.
    Bind { var: Box<str>, init: Box<Expr>, body: Box<Expr> },
    /// `opt.optMap(x, body)` / `opt.optFlatMap(x, body)`.
    OptMap { operand: Box<Expr>, var: Box<str>, body: Box<Expr>, flat: bool },
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Int(u64),
    Uint(u64),
    Double(f64),
    Str(Arc<str>),
    Bytes(Arc<[u8]>),
    Ident(Box<str>),
    Punct(&'static str),
    End,
}

const PUNCT: [&str; 26] = [
    "==", "!=", "<=", ">=", "&&", "||", ".?", "<", ">", "+", "-", "*", "/", "%", "!", "?", ":", ".", ",", "(", ")",
    "[", "]", "{", "}", "=",
];

const RESERVED: [&str; 17] = [
    "as",
    "break",
    "const",
    "continue",
    "else",
    "for",
    "function",
    "if",
    "import",
    "let",
    "loop",
    "package",
    "namespace",
    "return",
    "var",
    "void",
    "while",
];

/// Words that are never a name, not even a field's.
const KEYWORDS: [&str; 4] = ["true", "false", "null", "in"];

struct Lexer<'s> {
    src: &'s str,
    pos: usize,
}

impl<'s> Lexer<'s> {
    fn err(&self, offset: usize, message: impl Into<String>) -> ParseError {
        position(self.src, offset, message.into())
    }

    fn skip_space(&mut self) {
        let b = self.src.as_bytes();
        loop {
            while self.pos < b.len() && matches!(b[self.pos], b' ' | b'\t' | b'\n' | b'\r' | 0x0c) {
                self.pos += 1;
            }
            if self.src[self.pos..].starts_with("//") {
                while self.pos < b.len() && b[self.pos] != b'\n' {
                    self.pos += 1;
                }
            } else {
                return;
            }
        }
    }

    fn next(&mut self) -> Result<(Tok, usize), ParseError> {
        self.skip_space();
        let start = self.pos;
        let rest = &self.src[self.pos..];
        let Some(c) = rest.chars().next() else { return Ok((Tok::End, start)) };
        if c.is_ascii_digit() || (c == '.' && rest[1..].starts_with(|d: char| d.is_ascii_digit())) {
            return self.number().map(|t| (t, start));
        }
        if c.is_ascii_alphabetic() || c == '_' {
            let len = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(rest.len());
            let word = &rest[..len];
            let after = &rest[len..];
            if after.starts_with(['\'', '"']) && word.len() <= 2 {
                let lower = word.to_ascii_lowercase();
                let (raw, bytes) = match lower.as_str() {
                    "r" => (true, false),
                    "b" => (false, true),
                    "rb" | "br" => (true, true),
                    _ => (false, false),
                };
                if raw || bytes {
                    self.pos += len;
                    return self.string(raw, bytes).map(|t| (t, start));
                }
            }
            self.pos += len;
            return Ok((Tok::Ident(word.into()), start));
        }
        if c == '\'' || c == '"' {
            return self.string(false, false).map(|t| (t, start));
        }
        for p in PUNCT {
            if rest.starts_with(p) {
                // `.?` only before a name; `a ? .5 : b` stays a conditional.
                if p == ".?" && !rest[2..].trim_start().starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
                    continue;
                }
                self.pos += p.len();
                if p == "=" {
                    return Err(self.err(start, "unexpected '=' (equality is '==')"));
                }
                return Ok((Tok::Punct(p), start));
            }
        }
        Err(self.err(start, format!("unexpected character '{c}'")))
    }

    fn number(&mut self) -> Result<Tok, ParseError> {
        let start = self.pos;
        let b = self.src.as_bytes();
        if self.src[start..].starts_with("0x") || self.src[start..].starts_with("0X") {
            let digits_start = start + 2;
            let mut end = digits_start;
            while end < b.len() && b[end].is_ascii_hexdigit() {
                end += 1;
            }
            let v = u64::from_str_radix(&self.src[digits_start..end], 16)
                .map_err(|_| self.err(start, "invalid hexadecimal literal"))?;
            self.pos = end;
            return Ok(self.int_suffix(v));
        }
        let mut end = start;
        while end < b.len() && b[end].is_ascii_digit() {
            end += 1;
        }
        let mut float = false;
        if end + 1 < b.len() && b[end] == b'.' && b[end + 1].is_ascii_digit() {
            float = true;
            end += 1;
            while end < b.len() && b[end].is_ascii_digit() {
                end += 1;
            }
        }
        if end < b.len() && (b[end] == b'e' || b[end] == b'E') {
            let mut e = end + 1;
            if e < b.len() && (b[e] == b'+' || b[e] == b'-') {
                e += 1;
            }
            if e < b.len() && b[e].is_ascii_digit() {
                while e < b.len() && b[e].is_ascii_digit() {
                    e += 1;
                }
                float = true;
                end = e;
            }
        }
        let text = &self.src[start..end];
        self.pos = end;
        if float {
            let v: f64 = text.parse().map_err(|_| self.err(start, "invalid floating point literal"))?;
            return Ok(Tok::Double(v));
        }
        let v: u64 = text.parse().map_err(|_| self.err(start, format!("integer literal out of range: {text}")))?;
        Ok(self.int_suffix(v))
    }

    fn int_suffix(&mut self, v: u64) -> Tok {
        if self.src[self.pos..].starts_with(['u', 'U']) {
            self.pos += 1;
            Tok::Uint(v)
        } else {
            Tok::Int(v)
        }
    }

    fn string(&mut self, raw: bool, bytes: bool) -> Result<Tok, ParseError> {
        let start = self.pos;
        let rest = &self.src[start..];
        let quote = if rest.starts_with("'''") {
            "'''"
        } else if rest.starts_with("\"\"\"") {
            "\"\"\""
        } else if rest.starts_with('\'') {
            "'"
        } else {
            "\""
        };
        let triple = quote.len() == 3;
        let mut i = start + quote.len();
        let mut out: Vec<u8> = Vec::new();
        loop {
            let rest = &self.src[i..];
            if rest.starts_with(quote) {
                self.pos = i + quote.len();
                break;
            }
            let Some(c) = rest.chars().next() else {
                return Err(self.err(start, "unterminated string literal"));
            };
            if !triple && (c == '\n' || c == '\r') {
                return Err(self.err(start, "unterminated string literal (a newline in a single-quoted string)"));
            }
            if c == '\\' && !raw {
                let (len, decoded) = self.escape(i, bytes)?;
                match decoded {
                    Escaped::Char(ch) => {
                        let mut buf = [0u8; 4];
                        out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                    }
                    Escaped::Byte(b) => out.push(b),
                }
                i += len;
                continue;
            }
            if c == '\\' && raw && rest[1..].starts_with(quote) && !triple {
                // A raw string cannot contain its quote; `\'` is still two characters.
                out.push(b'\\');
                i += 1;
                continue;
            }
            let mut buf = [0u8; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            i += c.len_utf8();
        }
        if bytes {
            Ok(Tok::Bytes(out.into()))
        } else {
            String::from_utf8(out)
                .map(|s| Tok::Str(s.into()))
                .map_err(|_| self.err(start, "invalid UTF-8 in string literal (an octal or \\x escape)"))
        }
    }

    /// An escape at `at` (the backslash): its length and what it stands for.
    fn escape(&self, at: usize, bytes: bool) -> Result<(usize, Escaped), ParseError> {
        let rest = &self.src[at + 1..];
        let Some(c) = rest.chars().next() else { return Err(self.err(at, "unterminated escape")) };
        let simple = match c {
            'a' => Some('\x07'),
            'b' => Some('\x08'),
            'f' => Some('\x0c'),
            'n' => Some('\n'),
            'r' => Some('\r'),
            't' => Some('\t'),
            'v' => Some('\x0b'),
            '\\' => Some('\\'),
            '?' => Some('?'),
            '"' => Some('"'),
            '\'' => Some('\''),
            '`' => Some('`'),
            _ => None,
        };
        if let Some(ch) = simple {
            return Ok((2, Escaped::Char(ch)));
        }
        let hex = |n: usize| -> Result<u32, ParseError> {
            let digits = rest.get(1..1 + n).filter(|d| d.chars().all(|c| c.is_ascii_hexdigit()));
            digits
                .and_then(|d| u32::from_str_radix(d, 16).ok())
                .ok_or_else(|| self.err(at, format!("invalid escape: expected {n} hexadecimal digits")))
        };
        match c {
            'x' | 'X' => {
                let v = hex(2)?;
                if bytes {
                    Ok((4, Escaped::Byte(v as u8)))
                } else {
                    Ok((4, Escaped::Char(char::from_u32(v).unwrap_or('\u{fffd}'))))
                }
            }
            'u' | 'U' => {
                let n = if c == 'u' { 4 } else { 8 };
                let v = hex(n)?;
                if bytes {
                    return Err(self.err(at, "\\u escapes are not allowed in bytes literals"));
                }
                let ch = char::from_u32(v).ok_or_else(|| self.err(at, "invalid Unicode code point in escape"))?;
                Ok((2 + n, Escaped::Char(ch)))
            }
            '0'..='3' => {
                let digits = rest.get(0..3).filter(|d| d.chars().all(|c| ('0'..='7').contains(&c)));
                let v = digits
                    .and_then(|d| u32::from_str_radix(d, 8).ok())
                    .ok_or_else(|| self.err(at, "invalid octal escape: expected 3 octal digits"))?;
                if bytes {
                    Ok((4, Escaped::Byte(v as u8)))
                } else {
                    Ok((4, Escaped::Char(char::from_u32(v).unwrap_or('\u{fffd}'))))
                }
            }
            other => Err(self.err(at, format!("invalid escape sequence '\\{other}'"))),
        }
    }
}

enum Escaped {
    Char(char),
    Byte(u8),
}

fn position(src: &str, offset: usize, message: String) -> ParseError {
    let before = &src[..offset.min(src.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    ParseError { message, offset, line, column }
}

/// How deep expressions may nest (cel-go allows 250; 100 keeps the browser's stack safe and no real policy comes near it).
const MAX_DEPTH: usize = 100;

struct Parser<'s> {
    lexer: Lexer<'s>,
    tok: Tok,
    at: usize,
    depth: usize,
}

/// Parses a CEL expression.
pub fn parse(src: &str) -> Result<Expr, ParseError> {
    let mut lexer = Lexer { src, pos: 0 };
    let (tok, at) = lexer.next()?;
    let mut p = Parser { lexer, tok, at, depth: 0 };
    let e = p.expr()?;
    if p.tok != Tok::End {
        return Err(p.err(format!("unexpected {}", describe(&p.tok))));
    }
    Ok(e)
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::End => "end of expression".to_string(),
        Tok::Punct(p) => format!("'{p}'"),
        Tok::Ident(i) => format!("'{i}'"),
        Tok::Str(_) | Tok::Bytes(_) => "string literal".to_string(),
        _ => "number".to_string(),
    }
}

impl Parser<'_> {
    fn err(&self, message: impl Into<String>) -> ParseError {
        position(self.lexer.src, self.at, message.into())
    }

    fn bump(&mut self) -> Result<Tok, ParseError> {
        let (tok, at) = self.lexer.next()?;
        self.at = at;
        Ok(std::mem::replace(&mut self.tok, tok))
    }

    fn is(&self, p: &str) -> bool {
        matches!(self.tok, Tok::Punct(q) if q == p)
    }

    fn eat(&mut self, p: &str) -> Result<bool, ParseError> {
        if self.is(p) {
            self.bump()?;
            Ok(true)
        } else {
            Ok(false)
        }
    }

    fn expect(&mut self, p: &str) -> Result<(), ParseError> {
        if self.eat(p)? { Ok(()) } else { Err(self.err(format!("expected '{p}', found {}", describe(&self.tok)))) }
    }

    fn deeper(&mut self) -> Result<(), ParseError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.err("expression nested too deeply (more than 100 levels)"));
        }
        Ok(())
    }

    fn expr(&mut self) -> Result<Expr, ParseError> {
        self.deeper()?;
        let cond = self.or()?;
        let e = if self.eat("?")? {
            let a = self.or()?;
            self.expect(":")?;
            let b = self.expr()?;
            Expr::Cond(Box::new(cond), Box::new(a), Box::new(b))
        } else {
            cond
        };
        self.depth -= 1;
        Ok(e)
    }

    fn or(&mut self) -> Result<Expr, ParseError> {
        let mut e = self.and()?;
        while self.eat("||")? {
            let r = self.and()?;
            e = Expr::Or(Box::new(e), Box::new(r));
        }
        Ok(e)
    }

    fn and(&mut self) -> Result<Expr, ParseError> {
        let mut e = self.relation()?;
        while self.eat("&&")? {
            let r = self.relation()?;
            e = Expr::And(Box::new(e), Box::new(r));
        }
        Ok(e)
    }

    fn relation(&mut self) -> Result<Expr, ParseError> {
        let mut e = self.addition()?;
        loop {
            let op = match &self.tok {
                Tok::Punct("==") => BinaryOp::Eq,
                Tok::Punct("!=") => BinaryOp::Ne,
                Tok::Punct("<") => BinaryOp::Lt,
                Tok::Punct("<=") => BinaryOp::Le,
                Tok::Punct(">") => BinaryOp::Gt,
                Tok::Punct(">=") => BinaryOp::Ge,
                Tok::Ident(i) if &**i == "in" => BinaryOp::In,
                _ => return Ok(e),
            };
            self.bump()?;
            let r = self.addition()?;
            e = Expr::Binary(op, Box::new(e), Box::new(r));
        }
    }

    fn addition(&mut self) -> Result<Expr, ParseError> {
        let mut e = self.multiplication()?;
        loop {
            let op = match self.tok {
                Tok::Punct("+") => BinaryOp::Add,
                Tok::Punct("-") => BinaryOp::Sub,
                _ => return Ok(e),
            };
            self.bump()?;
            let r = self.multiplication()?;
            e = Expr::Binary(op, Box::new(e), Box::new(r));
        }
    }

    fn multiplication(&mut self) -> Result<Expr, ParseError> {
        let mut e = self.unary()?;
        loop {
            let op = match self.tok {
                Tok::Punct("*") => BinaryOp::Mul,
                Tok::Punct("/") => BinaryOp::Div,
                Tok::Punct("%") => BinaryOp::Rem,
                _ => return Ok(e),
            };
            self.bump()?;
            let r = self.unary()?;
            e = Expr::Binary(op, Box::new(e), Box::new(r));
        }
    }

    fn unary(&mut self) -> Result<Expr, ParseError> {
        if self.is("!") {
            self.bump()?;
            self.deeper()?;
            let e = self.unary()?;
            self.depth -= 1;
            return Ok(Expr::Unary(UnaryOp::Not, Box::new(e)));
        }
        if self.is("-") {
            self.bump()?;
            // `-9223372036854775808` is an int literal, not the negation of one out of range.
            if let Tok::Int(v) = self.tok {
                if v <= i64::MAX as u64 + 1 {
                    self.bump()?;
                    let lit = Expr::Lit(Lit::Int((v as i128).wrapping_neg() as i64));
                    return self.member_suffix(lit);
                }
            }
            if let Tok::Double(v) = self.tok {
                self.bump()?;
                return self.member_suffix(Expr::Lit(Lit::Double(-v)));
            }
            self.deeper()?;
            let e = self.unary()?;
            self.depth -= 1;
            return Ok(Expr::Unary(UnaryOp::Neg, Box::new(e)));
        }
        let p = self.primary()?;
        self.member_suffix(p)
    }

    fn member_suffix(&mut self, mut e: Expr) -> Result<Expr, ParseError> {
        loop {
            if self.is(".") || self.is(".?") {
                let optional = self.is(".?");
                self.bump()?;
                let name = self.field_name()?;
                if !optional && self.is("(") {
                    self.bump()?;
                    let args = self.list_until(")")?;
                    e = self.member_call(e, name, args)?;
                } else {
                    e = Expr::Select { operand: Box::new(e), field: name, optional };
                }
            } else if self.is("[") {
                self.bump()?;
                let optional = self.eat("?")?;
                let index = self.expr()?;
                self.expect("]")?;
                e = Expr::Index { operand: Box::new(e), index: Box::new(index), optional };
            } else {
                return Ok(e);
            }
        }
    }

    /// A field or method name: reserved words are allowed there, the keywords are not.
    fn field_name(&mut self) -> Result<Box<str>, ParseError> {
        match self.bump()? {
            Tok::Ident(i) if !KEYWORDS.contains(&&*i) => Ok(i),
            other => Err(self.err(format!("expected a field name, found {}", describe(&other)))),
        }
    }

    fn ident(&mut self) -> Result<Box<str>, ParseError> {
        match self.bump()? {
            Tok::Ident(i) => {
                if RESERVED.contains(&&*i) {
                    Err(self.err(format!("reserved identifier: {i}")))
                } else {
                    Ok(i)
                }
            }
            other => Err(self.err(format!("expected a name, found {}", describe(&other)))),
        }
    }

    fn list_until(&mut self, close: &str) -> Result<Vec<Expr>, ParseError> {
        let mut items = Vec::new();
        if self.eat(close)? {
            return Ok(items);
        }
        loop {
            items.push(self.expr()?);
            if self.eat(close)? {
                return Ok(items);
            }
            self.expect(",")?;
            // A trailing comma is allowed in list and map literals, not in calls; calls never get here with one.
            if close != ")" && self.eat(close)? {
                return Ok(items);
            }
        }
    }

    fn var_name(&self, e: &Expr, what: &str) -> Result<Box<str>, ParseError> {
        match e {
            Expr::Ident(i) => Ok(i.clone()),
            _ => Err(self.err(format!("{what}: argument must be a simple name"))),
        }
    }

    fn member_call(&mut self, target: Expr, name: Box<str>, mut args: Vec<Expr>) -> Result<Expr, ParseError> {
        let kind = match &*name {
            "all" => Some(Comprehension::All),
            "exists" => Some(Comprehension::Exists),
            "exists_one" | "existsOne" => Some(Comprehension::ExistsOne),
            "map" => Some(Comprehension::Map),
            "filter" => Some(Comprehension::Filter),
            "transformList" => Some(Comprehension::TransformList),
            "transformMap" => Some(Comprehension::TransformMap),
            "transformMapEntry" => Some(Comprehension::TransformMapEntry),
            _ => None,
        };
        if let Some(kind) = kind {
            let two_vars = match (kind, args.len()) {
                (Comprehension::Map, 2 | 3) | (Comprehension::Filter, 2) => false,
                (Comprehension::All | Comprehension::Exists | Comprehension::ExistsOne, 2) => false,
                (Comprehension::All | Comprehension::Exists | Comprehension::ExistsOne, 3) => true,
                (
                    Comprehension::TransformList | Comprehension::TransformMap | Comprehension::TransformMapEntry,
                    3 | 4,
                ) => true,
                _ => return Err(self.err(format!("{name}(): wrong number of arguments ({})", args.len()))),
            };
            let var = self.var_name(&args[0], &name)?;
            let var2 = if two_vars { Some(self.var_name(&args[1], &name)?) } else { None };
            let first = if two_vars { 2 } else { 1 };
            let mut rest: Vec<Expr> = args.drain(first..).collect();
            let body = rest.pop().ok_or_else(|| self.err(format!("{name}(): missing expression")))?;
            let filter = rest.pop().map(Box::new);
            if var2.as_deref() == Some(&*var) {
                return Err(self.err(format!("{name}(): the two variables must differ")));
            }
            return Ok(Expr::Fold { kind, range: Box::new(target), var, var2, filter, body: Box::new(body) });
        }
        match (&*name, &target) {
            // `list.sortBy(v, key)`: the list sorted by each element's key, as cel-go expands it.
            ("sortBy", _) if args.len() == 2 => {
                let var = self.var_name(&args[0], "sortBy")?;
                let key = args.pop().ok_or_else(|| self.err("missing expression"))?;
                let keys = Expr::Fold {
                    kind: Comprehension::Map,
                    range: Box::new(target.clone()),
                    var,
                    var2: None,
                    filter: None,
                    body: Box::new(key),
                };
                return Ok(Expr::Call {
                    target: Some(Box::new(target)),
                    name: "@sortByAssociatedKeys".into(),
                    args: vec![keys],
                });
            }
            ("bind", Expr::Ident(ns)) if &**ns == "cel" && args.len() == 3 => {
                let var = self.var_name(&args[0], "cel.bind")?;
                let mut it = args.into_iter().skip(1);
                let (Some(init), Some(body)) = (it.next(), it.next()) else {
                    return Err(self.err("cel.bind(): wrong number of arguments"));
                };
                return Ok(Expr::Bind { var, init: Box::new(init), body: Box::new(body) });
            }
            ("optMap" | "optFlatMap", _) if args.len() == 2 => {
                let var = self.var_name(&args[0], &name)?;
                let body = args.pop().ok_or_else(|| self.err("missing expression"))?;
                return Ok(Expr::OptMap {
                    operand: Box::new(target),
                    var,
                    body: Box::new(body),
                    flat: &*name == "optFlatMap",
                });
            }
            _ => {}
        }
        Ok(Expr::Call { target: Some(Box::new(target)), name, args })
    }

    fn primary(&mut self) -> Result<Expr, ParseError> {
        let at = self.at;
        match self.bump()? {
            Tok::Int(v) => {
                let v = i64::try_from(v)
                    .map_err(|_| position(self.lexer.src, at, "integer literal out of range".into()))?;
                Ok(Expr::Lit(Lit::Int(v)))
            }
            Tok::Uint(v) => Ok(Expr::Lit(Lit::Uint(v))),
            Tok::Double(v) => Ok(Expr::Lit(Lit::Double(v))),
            Tok::Str(s) => Ok(Expr::Lit(Lit::String(s))),
            Tok::Bytes(b) => Ok(Expr::Lit(Lit::Bytes(b))),
            Tok::Punct("(") => {
                let e = self.expr()?;
                self.expect(")")?;
                Ok(e)
            }
            Tok::Punct("[") => {
                let mut items = Vec::new();
                if !self.eat("]")? {
                    loop {
                        let optional = self.eat("?")?;
                        items.push((self.expr()?, optional));
                        if self.eat("]")? {
                            break;
                        }
                        self.expect(",")?;
                        if self.eat("]")? {
                            break;
                        }
                    }
                }
                Ok(Expr::List(items))
            }
            Tok::Punct("{") => {
                let mut entries = Vec::new();
                if !self.eat("}")? {
                    loop {
                        let optional = self.eat("?")?;
                        let k = self.expr()?;
                        self.expect(":")?;
                        let v = self.expr()?;
                        entries.push((k, v, optional));
                        if self.eat("}")? {
                            break;
                        }
                        self.expect(",")?;
                        if self.eat("}")? {
                            break;
                        }
                    }
                }
                Ok(Expr::Map(entries))
            }
            Tok::Punct(".") => {
                // A leading dot names the root scope: `.x` is `x`, never a comprehension's variable.
                let name = self.ident()?;
                let e = self.ident_rest(name)?;
                Ok(match e {
                    Expr::Ident(n) => Expr::Ident(format!(".{n}").into()),
                    other => other,
                })
            }
            Tok::Ident(i) => match &*i {
                "true" => Ok(Expr::Lit(Lit::Bool(true))),
                "false" => Ok(Expr::Lit(Lit::Bool(false))),
                "null" => Ok(Expr::Lit(Lit::Null)),
                "in" => Err(position(self.lexer.src, at, "unexpected 'in'".into())),
                _ if RESERVED.contains(&&*i) => Err(position(self.lexer.src, at, format!("reserved identifier: {i}"))),
                _ => self.ident_rest(i),
            },
            other => Err(position(self.lexer.src, at, format!("unexpected {}", describe(&other)))),
        }
    }

    /// After a name: a call (`f(x)`, with `has` expanded), a message (`Object{...}`, `Object.spec{...}`),
    /// or the name.
    fn ident_rest(&mut self, name: Box<str>) -> Result<Expr, ParseError> {
        if self.is("(") {
            self.bump()?;
            let args = self.list_until(")")?;
            if &*name == "has" {
                return match <[Expr; 1]>::try_from(args) {
                    Ok([Expr::Select { operand, field, optional: false }]) => Ok(Expr::Has { operand, field }),
                    _ => Err(self.err("invalid argument to has() macro")),
                };
            }
            return Ok(Expr::Call { target: None, name, args });
        }
        // `Object.spec.template{...}`: a qualified message name, looked ahead for without consuming selects.
        if self.is("{") && name.starts_with(|c: char| c.is_ascii_uppercase()) {
            return self.message(name.to_string());
        }
        if self.is(".") && name.starts_with(|c: char| c.is_ascii_uppercase()) {
            let save_pos = self.lexer.pos;
            let save_tok = self.tok.clone();
            let save_at = self.at;
            let mut qualified = name.to_string();
            while self.is(".") {
                self.bump()?;
                match self.bump()? {
                    Tok::Ident(part) => {
                        qualified.push('.');
                        qualified.push_str(&part);
                    }
                    _ => break,
                }
                if self.is("{") {
                    return self.message(qualified);
                }
            }
            self.lexer.pos = save_pos;
            self.tok = save_tok;
            self.at = save_at;
        }
        Ok(Expr::Ident(name))
    }

    fn message(&mut self, name: String) -> Result<Expr, ParseError> {
        self.expect("{")?;
        let mut fields = Vec::new();
        if !self.eat("}")? {
            loop {
                let optional = self.eat("?")?;
                let field = self.ident()?;
                self.expect(":")?;
                let v = self.expr()?;
                fields.push((field, v, optional));
                if self.eat("}")? {
                    break;
                }
                self.expect(",")?;
                if self.eat("}")? {
                    break;
                }
            }
        }
        Ok(Expr::Message { name: name.into(), fields })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precedence_follows_the_grammar() {
        let e = parse("a || b && c == 1 + 2 * 3").unwrap();
        let Expr::Or(_, r) = e else { panic!("{e:?}") };
        let Expr::And(_, r) = *r else { panic!() };
        let Expr::Binary(BinaryOp::Eq, _, r) = *r else { panic!() };
        assert!(matches!(*r, Expr::Binary(BinaryOp::Add, _, _)));
    }

    #[test]
    fn literals_decode_escapes_and_prefixes() {
        assert_eq!(parse(r#"'a\n\x41\u00e9\101'"#).unwrap(), Expr::Lit(Lit::String("a\nAéA".into())));
        assert_eq!(parse(r"r'a\n'").unwrap(), Expr::Lit(Lit::String("a\\n".into())));
        assert_eq!(parse(r"b'\xff'").unwrap(), Expr::Lit(Lit::Bytes(vec![0xff].into())));
        assert_eq!(parse("'''a\nb'''").unwrap(), Expr::Lit(Lit::String("a\nb".into())));
        assert_eq!(parse("0x1F").unwrap(), Expr::Lit(Lit::Int(31)));
        assert_eq!(parse("7u").unwrap(), Expr::Lit(Lit::Uint(7)));
        assert_eq!(parse("-9223372036854775808").unwrap(), Expr::Lit(Lit::Int(i64::MIN)));
        assert_eq!(parse("1e3").unwrap(), Expr::Lit(Lit::Double(1000.0)));
        assert!(parse("9223372036854775808").is_err());
    }

    #[test]
    fn macros_expand_and_has_needs_a_field() {
        assert!(matches!(parse("has(a.b)").unwrap(), Expr::Has { .. }));
        assert!(parse("has(a)").is_err());
        assert!(matches!(parse("l.map(x, x > 1, x * 2)").unwrap(), Expr::Fold { filter: Some(_), .. }));
        assert!(matches!(parse("m.all(k, v, v > k)").unwrap(), Expr::Fold { var2: Some(_), .. }));
        assert!(matches!(parse("cel.bind(x, 1, x + 1)").unwrap(), Expr::Bind { .. }));
        assert!(parse("l.all(1, true)").is_err());
    }

    #[test]
    fn messages_and_optional_syntax_parse() {
        let e = parse("Object{spec: Object.spec{replicas: 1}}").unwrap();
        let Expr::Message { name, fields } = e else { panic!() };
        assert_eq!(&*name, "Object");
        assert!(matches!(&fields[0].1, Expr::Message { name, .. } if &**name == "Object.spec"));
        assert!(matches!(parse("a.?b").unwrap(), Expr::Select { optional: true, .. }));
        assert!(matches!(parse("a[?0]").unwrap(), Expr::Index { optional: true, .. }));
        assert!(matches!(parse("Foo.bar").unwrap(), Expr::Select { .. }));
    }

    #[test]
    fn errors_have_positions() {
        let e = parse("a &&\n  (b").unwrap_err();
        assert_eq!((e.line, e.column), (2, 5));
        assert!(e.message.contains("expected ')'"), "{e}");
        let e = parse("a = b").unwrap_err();
        assert!(e.message.contains("'=='"), "{e}");
        assert!(parse("if").is_err());
        assert!(parse(&"(".repeat(300)).is_err());
        let deep = format!("{}1{}", "(".repeat(95), ")".repeat(95));
        assert_eq!(parse(&deep).unwrap(), Expr::Lit(Lit::Int(1)));
        assert!(parse("'abc").unwrap_err().message.contains("unterminated"));
    }
}
