//! YAML highlighting by hand: a line-oriented scanner for the YAML of Kubernetes manifests (block mappings and
//! sequences, flow collections, quoted and plain scalars, block scalars, comments, anchors, tags), in a fraction
//! of syntect's time (its YAML grammar runs dozens of regexes per line; a docs build highlights thousands of
//! examples). Each token gets one short class (`hl-k` for a key), coloured as syntect's theme colours the scope it
//! stands for ([`CLASSES`]; `highlight::stylesheet`): a key was `hl-entity hl-name hl-tag` in syntect's markup, and
//! a page's examples and their admitted objects are mostly keys.

use crate::html::escape;

const KEY: &str = "hl-k";
const STRING: &str = "hl-s";
const NUMBER: &str = "hl-n";
const CONSTANT: &str = "hl-c";
const COMMENT: &str = "hl-m";
const ANCHOR: &str = "hl-v";
const TAG: &str = "hl-t";

/// Each class and the TextMate scope whose colours it takes.
pub(crate) const CLASSES: [(&str, &str); 7] = [
    (KEY, "entity.name.tag"),
    (STRING, "string"),
    (NUMBER, "constant.numeric"),
    (CONSTANT, "constant.language"),
    (COMMENT, "comment"),
    (ANCHOR, "variable"),
    (TAG, "storage.type"),
];

fn span(out: &mut String, class: &str, text: &str) {
    if text.is_empty() {
        return;
    }
    out.push_str("<span class=\"");
    out.push_str(class);
    out.push_str("\">");
    out.push_str(&escape(text));
    out.push_str("</span>");
}

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

/// One HTML string per line of `code`, without line breaks.
pub(crate) fn highlight_lines(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    // Inside a block scalar (`|`, `>`): lines indented deeper than its key are text.
    let mut block: Option<usize> = None;
    for line in code.lines() {
        let mut html = String::with_capacity(line.len() + 32);
        if let Some(parent) = block {
            if line.trim().is_empty() || indent_of(line) > parent {
                let indent = indent_of(line);
                html.push_str(&line[..indent]);
                span(&mut html, STRING, &line[indent..]);
                out.push(html);
                continue;
            }
            block = None;
        }
        let indent = indent_of(line);
        html.push_str(&line[..indent]);
        let mut rest = &line[indent..];
        if rest.starts_with('#') {
            span(&mut html, COMMENT, rest);
            out.push(html);
            continue;
        }
        if rest == "---" || rest.starts_with("--- ") || rest == "..." {
            let (marker, tail) = rest.split_at(3);
            html.push_str(marker);
            value(&mut html, tail, indent, &mut block);
            out.push(html);
            continue;
        }
        // Sequence dashes, possibly several (`- - a`).
        let mut key_indent = indent;
        while rest == "-" || rest.starts_with("- ") {
            html.push('-');
            rest = &rest[1..];
            let spaces = rest.len() - rest.trim_start_matches(' ').len();
            html.push_str(&rest[..spaces]);
            key_indent += 1 + spaces;
            rest = &rest[spaces..];
        }
        match split_key(rest) {
            Some((key, after)) => {
                span(&mut html, KEY, key);
                html.push(':');
                value(&mut html, &after[1..], key_indent, &mut block);
            }
            None => value(&mut html, rest, key_indent.saturating_sub(1), &mut block),
        }
        out.push(html);
    }
    out
}

/// A mapping key at the start of `text`: the key and what follows it, starting at its `:`.
fn split_key(text: &str) -> Option<(&str, &str)> {
    let first = text.chars().next()?;
    if matches!(first, '[' | '{' | '|' | '>' | '&' | '*' | '!' | '#' | '%' | '@' | '`') {
        return None;
    }
    let end = if first == '"' || first == '\'' {
        closing_quote(text, first)? + 1
    } else {
        let mut end = None;
        for (i, c) in text.char_indices() {
            if c == ':' && text[i + 1..].chars().next().is_none_or(|n| n == ' ') {
                end = Some(i);
                break;
            }
            if c == '#' && i > 0 && text[..i].ends_with(' ') {
                return None;
            }
        }
        end?
    };
    let after = &text[end..];
    let after = after.trim_start_matches(' ');
    if after.starts_with(':') && after[1..].chars().next().is_none_or(|n| n == ' ') {
        let key_len = text.len() - after.len();
        Some((&text[..key_len], after))
    } else {
        None
    }
}

/// The byte index of the quote closing the one at 0 (`''` escapes a single quote; `\` escapes in double quotes).
fn closing_quote(text: &str, quote: char) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = 1;
    while i < bytes.len() {
        let b = bytes[i];
        if quote == '"' && b == b'\\' {
            i += 2;
            continue;
        }
        if b == quote as u8 {
            if quote == '\'' && bytes.get(i + 1) == Some(&b'\'') {
                i += 2;
                continue;
            }
            return Some(i);
        }
        i += 1;
    }
    None
}

/// What follows a key's `:` (or a dash, or a document marker): spaces, a scalar or flow collection, a comment.
fn value(html: &mut String, text: &str, parent: usize, block: &mut Option<usize>) {
    let spaces = text.len() - text.trim_start_matches(' ').len();
    html.push_str(&text[..spaces]);
    let text = &text[spaces..];
    if text.is_empty() {
        return;
    }
    if text.starts_with('#') {
        span(html, COMMENT, text);
        return;
    }
    // Anchors and tags before the value.
    let mut text = text;
    while let Some(c @ ('&' | '!')) = text.chars().next() {
        let end = text.find(' ').unwrap_or(text.len());
        span(html, if c == '&' { ANCHOR } else { TAG }, &text[..end]);
        let after = &text[end..];
        let spaces = after.len() - after.trim_start_matches(' ').len();
        html.push_str(&after[..spaces]);
        text = &after[spaces..];
    }
    if text.starts_with('|') || text.starts_with('>') {
        let end = text.find(' ').unwrap_or(text.len());
        html.push_str(&escape(&text[..end]));
        *block = Some(parent);
        comment_tail(html, &text[end..]);
        return;
    }
    if text.starts_with('[') || text.starts_with('{') {
        flow(html, text);
        return;
    }
    let (scalar, tail) = split_comment(text);
    scalar_span(html, scalar);
    comment_tail(html, tail);
}

/// A scalar and what follows it: a ` #` comment starts outside quotes.
fn split_comment(text: &str) -> (&str, &str) {
    let first = text.chars().next();
    let start = match first {
        Some(q @ ('"' | '\'')) => closing_quote(text, q).map_or(text.len(), |i| i + 1),
        _ => 0,
    };
    match text[start..].find(" #") {
        Some(i) => text.split_at(start + i),
        None => (text, ""),
    }
}

fn comment_tail(html: &mut String, tail: &str) {
    let spaces = tail.len() - tail.trim_start_matches(' ').len();
    html.push_str(&tail[..spaces]);
    let rest = &tail[spaces..];
    if rest.starts_with('#') {
        span(html, COMMENT, rest);
    } else {
        html.push_str(&escape(rest));
    }
}

fn scalar_span(html: &mut String, scalar: &str) {
    let trimmed = scalar.trim_end_matches(' ');
    let class = if trimmed.starts_with('*') {
        ANCHOR
    } else if trimmed.starts_with('"') || trimmed.starts_with('\'') {
        STRING
    } else if is_number(trimmed) {
        NUMBER
    } else if matches!(
        trimmed,
        "true"
            | "false"
            | "True"
            | "False"
            | "TRUE"
            | "FALSE"
            | "yes"
            | "no"
            | "on"
            | "off"
            | "null"
            | "Null"
            | "NULL"
            | "~"
    ) {
        CONSTANT
    } else {
        STRING
    };
    span(html, class, trimmed);
    html.push_str(&scalar[trimmed.len()..]);
}

fn is_number(s: &str) -> bool {
    let s = s.strip_prefix(['-', '+']).unwrap_or(s);
    if s.is_empty() {
        return false;
    }
    if let Some(hex) = s.strip_prefix("0x") {
        return !hex.is_empty() && hex.chars().all(|c| c.is_ascii_hexdigit());
    }
    if matches!(s, ".inf" | ".Inf" | ".INF" | ".nan" | ".NaN" | ".NAN") {
        return true;
    }
    let mut digits = false;
    let mut dot = false;
    let mut exp = false;
    let mut prev = ' ';
    for c in s.chars() {
        match c {
            '0'..='9' => digits = true,
            '.' if !dot && !exp => dot = true,
            'e' | 'E' if digits && !exp => exp = true,
            '-' | '+' if matches!(prev, 'e' | 'E') => {}
            '_' if digits => {}
            _ => return false,
        }
        prev = c;
    }
    digits
}

/// A flow collection on one line: brackets, braces, commas and colons plain, keys and scalars coloured.
fn flow(html: &mut String, text: &str) {
    let mut i = 0;
    let bytes = text.as_bytes();
    let mut expect_key = false;
    while i < bytes.len() {
        let c = bytes[i] as char;
        match c {
            '[' | ']' | '{' | '}' | ',' => {
                html.push(c);
                expect_key = c == '{' || (c == ',' && in_mapping(&text[..i]));
                i += 1;
            }
            ' ' => {
                html.push(' ');
                i += 1;
            }
            '#' if i > 0 && bytes[i - 1] == b' ' => {
                span(html, COMMENT, &text[i..]);
                return;
            }
            ':' => {
                html.push(':');
                i += 1;
            }
            _ => {
                // A scalar up to the next flow indicator (quotes keep their content whole).
                let start = i;
                let end = if c == '"' || c == '\'' {
                    closing_quote(&text[i..], c).map_or(text.len(), |q| i + q + 1)
                } else {
                    let mut j = i;
                    while j < bytes.len() {
                        let b = bytes[j];
                        if matches!(b, b',' | b']' | b'}') || (b == b':' && bytes.get(j + 1).is_none_or(|n| *n == b' '))
                        {
                            break;
                        }
                        j += 1;
                    }
                    j
                };
                let token = &text[start..end];
                let is_key = expect_key && text[end..].trim_start_matches(' ').starts_with(':');
                if is_key {
                    span(html, KEY, token.trim_end_matches(' '));
                    html.push_str(&token[token.trim_end_matches(' ').len()..]);
                } else {
                    scalar_span(html, token);
                }
                expect_key = false;
                i = end;
            }
        }
    }
}

/// Whether the innermost open flow collection before this point is a mapping.
fn in_mapping(before: &str) -> bool {
    let mut depth = Vec::new();
    for c in before.chars() {
        match c {
            '{' | '[' => depth.push(c),
            '}' | ']' => {
                depth.pop();
            }
            _ => {}
        }
    }
    depth.last() == Some(&'{')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classes(line: &str) -> Vec<(String, String)> {
        // (class, text) pairs of a highlighted line.
        let html = highlight_lines(line).remove(0);
        let mut out = Vec::new();
        let mut rest = html.as_str();
        while let Some(i) = rest.find("<span class=\"") {
            let after = &rest[i + 13..];
            let q = after.find('"').unwrap();
            let class = after[..q].to_string();
            let body = &after[q + 2..];
            let e = body.find("</span>").unwrap();
            out.push((class, strip(&body[..e])));
            rest = &body[e + 7..];
        }
        out
    }

    fn strip(html: &str) -> String {
        let mut out = String::new();
        let mut in_tag = false;
        for c in html.chars() {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                c if !in_tag => out.push(c),
                _ => {}
            }
        }
        out.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&amp;", "&")
    }

    #[test]
    fn keys_values_and_kinds_of_scalars() {
        assert_eq!(classes("apiVersion: v1"), [(KEY.into(), "apiVersion".into()), (STRING.into(), "v1".into())]);
        assert_eq!(classes("  replicas: 3")[1], (NUMBER.into(), "3".into()));
        assert_eq!(classes("privileged: true")[1], (CONSTANT.into(), "true".into()));
        assert_eq!(classes("x: null # none")[2], (COMMENT.into(), "# none".into()));
        assert_eq!(classes("- name: app")[0], (KEY.into(), "name".into()));
        assert_eq!(classes("- NET_RAW"), [(STRING.into(), "NET_RAW".into())]);
        assert_eq!(classes("image: \"a: b # c\"")[1], (STRING.into(), "\"a: b # c\"".into()));
        assert_eq!(classes("url: http://x:80/a")[1], (STRING.into(), "http://x:80/a".into()));
        assert_eq!(classes("\"quoted key\": 1")[0], (KEY.into(), "\"quoted key\"".into()));
        assert_eq!(classes("base: &b {a: 1}")[1], (ANCHOR.into(), "&b".into()));
        assert_eq!(classes("v: !!str 0644")[1], (TAG.into(), "!!str".into()));
        assert_eq!(
            classes("drop: [ALL, NET_RAW]"),
            [(KEY.into(), "drop".into()), (STRING.into(), "ALL".into()), (STRING.into(), "NET_RAW".into())]
        );
        assert_eq!(classes("r: {cpu: 100m, n: 2}")[3], (KEY.into(), "n".into()));
        assert_eq!(classes("r: {cpu: 100m, n: 2}")[4], (NUMBER.into(), "2".into()));
        assert!(is_number("-1.5e3") && is_number("0x1F") && !is_number("1.2.3") && !is_number("100m"));
    }

    #[test]
    fn block_scalars_are_text_until_the_indent_returns() {
        let code = "rego: |\n  package x\n  violation[{\"msg\": m}] {\n\n  }\nnext: 1\n";
        let lines = highlight_lines(code);
        assert_eq!(lines.len(), 6);
        assert!(lines[1].contains(STRING) && !lines[1].contains(KEY), "{}", lines[1]);
        assert!(!lines[2].contains(KEY), "{}", lines[2]);
        assert!(lines[5].contains(KEY), "{}", lines[5]);
    }

    #[test]
    fn text_is_kept_and_escaped() {
        let code = "a: \"<script>\" # <b>\n- - x: 'it''s'\n---\n  weird: [{a: b}, \"c, d\"] # e\n";
        for (line, html) in code.lines().zip(highlight_lines(code)) {
            assert_eq!(strip(&html), line);
            assert!(!html.contains("<script>") && !html.contains("<b>"), "{html}");
        }
    }

    #[test]
    fn every_short_line_of_tricky_characters_is_kept_whole() {
        // All 4-character lines over the characters the scanner treats specially (and a non-ASCII one): no
        // panic, and the text comes back exactly.
        let alphabet = [' ', ':', '-', '#', '"', '\'', '[', '{', ']', ',', '|', '>', '&', '!', '*', 'é', 'a', '\\'];
        let n = alphabet.len();
        for code in 0..n.pow(4) {
            let mut line = String::new();
            let mut c = code;
            for _ in 0..4 {
                line.push(alphabet[c % n]);
                c /= n;
            }
            let html = highlight_lines(&line);
            let back: Vec<String> = html.iter().map(|h| strip(h)).collect();
            assert_eq!(back, line.lines().collect::<Vec<_>>(), "{line:?}");
        }
        // And as the line after a block scalar's key, and inside one.
        for code in ["k: |\n  é: [\"", "- - \"a\n: b", "a: >-\n\n  x\ny: 1"] {
            let back: Vec<String> = highlight_lines(code).iter().map(|h| strip(h)).collect();
            assert_eq!(back, code.lines().collect::<Vec<_>>());
        }
    }
}
