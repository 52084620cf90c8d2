//! A reader for the object literals of Docusaurus' `sidebars.js`/`sidebars.ts`, without running JavaScript:
//! JSON5-style values (unquoted and quoted keys, single- and double-quoted strings, template strings without
//! substitutions, numbers, `true`/`false`/`null`, trailing commas, `//` and `/* */` comments). Anything that
//! needs evaluating (a variable, a call, a spread) is an error at its offset.

use serde_json::{Map, Value};

/// Why the file cannot be read statically, at a byte offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ReadError {
    pub(crate) offset: usize,
    pub(crate) message: String,
}

struct Reader<'a> {
    s: &'a str,
    i: usize,
}

impl Reader<'_> {
    fn err<T>(&self, message: impl Into<String>) -> Result<T, ReadError> {
        Err(ReadError { offset: self.i, message: message.into() })
    }

    fn skip(&mut self) -> Result<(), ReadError> {
        let b = self.s.as_bytes();
        loop {
            while self.i < b.len() && b[self.i].is_ascii_whitespace() {
                self.i += 1;
            }
            if self.s[self.i..].starts_with("//") {
                self.i = self.s[self.i..].find('\n').map_or(self.s.len(), |n| self.i + n + 1);
            } else if self.s[self.i..].starts_with("/*") {
                match self.s[self.i + 2..].find("*/") {
                    Some(n) => self.i += n + 4,
                    None => return self.err("a `/*` comment is never closed"),
                }
            } else {
                return Ok(());
            }
        }
    }

    fn peek(&self) -> Option<u8> {
        self.s.as_bytes().get(self.i).copied()
    }

    fn value(&mut self, depth: usize) -> Result<Value, ReadError> {
        if depth > 64 {
            return self.err("nested too deeply");
        }
        self.skip()?;
        match self.peek() {
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'\'' | b'"' | b'`') => Ok(Value::String(self.string()?)),
            Some(c) if c == b'-' || c.is_ascii_digit() => self.number(),
            Some(b'.') if self.s[self.i..].starts_with("...") => {
                self.err("a spread (`...`) needs JavaScript to evaluate; write the items out")
            }
            Some(c) if c.is_ascii_alphabetic() || c == b'_' || c == b'$' => {
                let word = self.word();
                match word.as_str() {
                    "true" => Ok(Value::Bool(true)),
                    "false" => Ok(Value::Bool(false)),
                    "null" | "undefined" => Ok(Value::Null),
                    _ => {
                        self.i -= word.len();
                        self.err(format!(
                            "`{word}` is a JavaScript expression guardrail cannot evaluate; sidebars must be plain object literals"
                        ))
                    }
                }
            }
            Some(_) => self.err("expected a value (an object, array, string, number or boolean)"),
            None => self.err("the file ends where a value was expected"),
        }
    }

    fn word(&mut self) -> String {
        let b = self.s.as_bytes();
        let start = self.i;
        while self.i < b.len() && (b[self.i].is_ascii_alphanumeric() || b[self.i] == b'_' || b[self.i] == b'$') {
            self.i += 1;
        }
        self.s[start..self.i].to_string()
    }

    fn string(&mut self) -> Result<String, ReadError> {
        let q = self.s.as_bytes()[self.i];
        let start = self.i;
        self.i += 1;
        let mut out = String::new();
        loop {
            let Some(c) = self.s[self.i..].chars().next() else {
                self.i = start;
                return self.err("a string is never closed");
            };
            self.i += c.len_utf8();
            match c {
                '\\' => {
                    let Some(e) = self.s[self.i..].chars().next() else { return self.err("a string is never closed") };
                    self.i += e.len_utf8();
                    out.push(match e {
                        'n' => '\n',
                        't' => '\t',
                        other => other,
                    });
                }
                '$' if q == b'`' && self.s[self.i..].starts_with('{') => {
                    self.i -= 1;
                    return self.err("a template string with `${...}` needs JavaScript to evaluate");
                }
                '\n' if q != b'`' => {
                    self.i = start;
                    return self.err("a string is never closed on its line");
                }
                c if c as u32 == u32::from(q) => return Ok(out),
                c => out.push(c),
            }
        }
    }

    fn number(&mut self) -> Result<Value, ReadError> {
        let start = self.i;
        let b = self.s.as_bytes();
        self.i += 1;
        while self.i < b.len() && (b[self.i].is_ascii_digit() || matches!(b[self.i], b'.' | b'e' | b'E' | b'+' | b'-'))
        {
            self.i += 1;
        }
        let text = &self.s[start..self.i];
        match text.parse::<f64>() {
            Ok(n) => Ok(serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number)),
            Err(_) => {
                self.i = start;
                self.err(format!("`{text}` is not a number"))
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Value, ReadError> {
        self.i += 1;
        let mut out = Vec::new();
        loop {
            self.skip()?;
            if self.peek() == Some(b']') {
                self.i += 1;
                return Ok(Value::Array(out));
            }
            out.push(self.value(depth + 1)?);
            self.skip()?;
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b']') => {}
                _ => return self.err("expected `,` or `]` in the array"),
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Value, ReadError> {
        self.i += 1;
        let mut out = Map::new();
        loop {
            self.skip()?;
            let key = match self.peek() {
                Some(b'}') => {
                    self.i += 1;
                    return Ok(Value::Object(out));
                }
                Some(b'\'' | b'"') => self.string()?,
                Some(b'.') => return self.err("a spread (`...`) needs JavaScript to evaluate; write the items out"),
                Some(b'[') => return self.err("a computed key (`[...]`) needs JavaScript to evaluate"),
                Some(c) if c.is_ascii_alphanumeric() || c == b'_' || c == b'$' => self.word(),
                _ => return self.err("expected a key or `}` in the object"),
            };
            self.skip()?;
            if self.peek() != Some(b':') {
                return self.err(format!("expected `:` after the key `{key}` (shorthand properties need JavaScript)"));
            }
            self.i += 1;
            let v = self.value(depth + 1)?;
            out.insert(key, v);
            self.skip()?;
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b'}') => {}
                _ => return self.err("expected `,` or `}` in the object"),
            }
        }
    }
}

/// Reads the sidebars object of a `sidebars.js`/`sidebars.ts` file: the object literal exported by
/// `module.exports = ...` or `export default ...`, directly or through a variable (`const sidebars = {...}`).
pub(crate) fn read_sidebars_file(text: &str) -> Result<Value, ReadError> {
    let export = ["module.exports", "export default"]
        .iter()
        .filter_map(|k| text.find(k).map(|i| (i, i + k.len())))
        .min()
        .ok_or_else(|| ReadError {
            offset: 0,
            message: "no `module.exports = ...` or `export default ...` found".into(),
        })?;
    let (export_at, mut i) = export;
    let rest = &text[i..];
    let trimmed = rest.trim_start();
    i += rest.len() - trimmed.len();
    if let Some(after) = text[i..].strip_prefix('=') {
        i += 1 + after.len() - after.trim_start().len();
    }
    let value_at = match text.as_bytes().get(i) {
        Some(b'{' | b'[') => i,
        Some(c) if c.is_ascii_alphabetic() || *c == b'_' || *c == b'$' => {
            let name: String =
                text[i..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '$').collect();
            if text[i + name.len()..].trim_start().starts_with('(') {
                return Err(ReadError {
                    offset: export_at,
                    message: "the sidebars are made by a function call, which needs JavaScript to evaluate".into(),
                });
            }
            // `const <name>[: Type] = {`
            let decl = ["const ", "let ", "var "].iter().find_map(|kw| {
                let mut from = 0;
                while let Some(n) = text[from..].find(&format!("{kw}{name}")) {
                    let at = from + n + kw.len() + name.len();
                    let tail = &text[at..];
                    if tail.starts_with(|c: char| c.is_whitespace() || c == ':' || c == '=') {
                        let eq = tail.find('=')?;
                        let v = &tail[eq + 1..];
                        return Some(at + eq + 1 + (v.len() - v.trim_start().len()));
                    }
                    from = at;
                }
                None
            });
            decl.ok_or_else(|| ReadError {
                offset: i,
                message: format!("`{name}` is exported, but no `const {name} = {{...}}` declares it"),
            })?
        }
        _ => return Err(ReadError { offset: i, message: "no object literal is exported here".into() }),
    };
    let mut r = Reader { s: text, i: value_at };
    r.value(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_docusaurus_sites_write() {
        let text = r#"// @ts-check
/** @type {import('@docusaurus/plugin-content-docs').SidebarsConfig} */
const sidebars = {
  // The main sidebar
  docs: [
    'intro',
    {
      type: 'category',
      label: "Guides",
      collapsed: false,
      items: ['guides/a', `guides/b`, /* inline */ {type: 'link', label: 'GitHub', href: 'https://github.com'},],
    },
    {type: 'autogenerated', dirName: '.'},
  ],
  other: {Category: ['x', 'y']},
  n: -1.5e1,
};

module.exports = sidebars;
"#;
        let v = read_sidebars_file(text).unwrap();
        assert_eq!(v["docs"][0], "intro");
        assert_eq!(v["docs"][1]["items"][1], "guides/b");
        assert_eq!(v["docs"][1]["items"][2]["href"], "https://github.com");
        assert_eq!(v["docs"][1]["collapsed"], false);
        assert_eq!(v["other"]["Category"][1], "y");
        assert_eq!(v["n"], -15.0);
        let ts = "import type {SidebarsConfig} from '@docusaurus/plugin-content-docs';\nconst sidebars: SidebarsConfig = {a: ['b']};\nexport default sidebars;\n";
        assert_eq!(read_sidebars_file(ts).unwrap()["a"][0], "b");
        assert_eq!(read_sidebars_file("module.exports = {s: [\"x\"]}").unwrap()["s"][0], "x");
    }

    #[test]
    fn expressions_are_errors_at_their_place() {
        for (text, wanted, at) in [
            ("module.exports = {a: items};", "`items` is a JavaScript expression", "items"),
            ("module.exports = {a: [...more]};", "a spread", "...more"),
            ("module.exports = {a: `x${y}`};", "template string", "${y}"),
            ("module.exports = {a: 'x};", "never closed", "'x"),
            ("module.exports = makeSidebars({});", "function call", "module"),
            (
                "const x = require('y');\nconst s = x.build();\nmodule.exports = s;",
                "`x` is a JavaScript expression",
                "x.build",
            ),
            ("// nothing here\n", "no `module.exports", "//"),
        ] {
            let e = read_sidebars_file(text).unwrap_err();
            assert!(e.message.contains(wanted), "{text}: {e:?}");
            assert!(text[e.offset..].starts_with(at), "{text}: at {}", &text[e.offset..]);
        }
    }
}
