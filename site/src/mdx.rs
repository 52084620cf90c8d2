//! The MDX that Docusaurus pages are written in, read without running JavaScript: ESM `import`/`export`
//! statements are consumed, `{/* comments */}` and HTML comments dropped, and the block components of
//! Docusaurus' standard theme (`<Tabs>`/`<TabItem>`, `<details>`/`<summary>`) and its admonitions (`:::note`)
//! split the page into pieces the Markdown renderer walks. Inline JSX (`<img src={useBaseUrl(...)} />`,
//! `<a href=...>`) is read by [`jsx_tag`] from the renderer. Any other JSX component is an error that names it.
//!
//! MDX does not know indented code blocks, and Docusaurus writers indent what a component holds; pulldown-cmark
//! would read four spaces as code, so the content of a component is dedented into a [`Segment`] that maps its
//! offsets back to the page, for diagnostics.

use std::ops::Range;

/// The components guardrail renders, for the error about any other.
pub(crate) const SUPPORTED: &str =
    "<Tabs>/<TabItem>, <details>/<summary>, <img>, <a>, <br>, {/* comments */}, <!-- comments -->, import/export lines";

/// Text the Markdown renderer reads, with the page offset of each of its lines.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Segment {
    pub(crate) src: String,
    /// (offset in `src`, offset in the page) of each line start, ascending.
    map: Vec<(usize, usize)>,
}

impl Segment {
    /// The page offset of `src` offset `o`.
    pub(crate) fn page_offset(&self, o: usize) -> usize {
        let i = self.map.partition_point(|(s, _)| *s <= o).saturating_sub(1);
        match self.map.get(i) {
            Some((s, p)) => p + (o - s),
            None => o,
        }
    }

    fn push_line(&mut self, text: &str, start: usize, end: usize, dedent: usize) {
        let line = &text[start..end];
        let strip = line.len() - line.trim_start_matches([' ', '\t']).len();
        let cut = strip.min(dedent);
        self.map.push((self.src.len(), start + cut));
        self.src.push_str(&line[cut..]);
    }

    fn is_blank(&self) -> bool {
        self.src.trim().is_empty()
    }
}

/// A piece of the page body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Piece {
    Markdown(Segment),
    Admonition { kind: String, title: Option<String>, children: Vec<Piece> },
    Tabs { group_id: Option<String>, default: Option<String>, items: Vec<TabItem> },
    Details { open: bool, summary: Option<Segment>, children: Vec<Piece> },
}

/// One `<TabItem>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TabItem {
    pub(crate) value: String,
    pub(crate) label: String,
    pub(crate) default: bool,
    pub(crate) children: Vec<Piece>,
}

/// A problem with the page's MDX, at a page offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MdxError {
    pub(crate) offset: usize,
    pub(crate) width: usize,
    pub(crate) message: String,
    pub(crate) help: String,
}

const ADMONITIONS: &[&str] = &["note", "tip", "info", "warning", "danger", "caution"];

/// A JSX attribute value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum AttrValue {
    /// `attr` alone.
    True,
    /// `attr="text"` or `attr='text'`.
    Str(String),
    /// `attr={expression}`, the expression's text.
    Expr(String),
}

/// A JSX or HTML tag as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Tag {
    pub(crate) name: String,
    pub(crate) closing: bool,
    pub(crate) self_closing: bool,
    pub(crate) attrs: Vec<(String, AttrValue)>,
    /// Bytes the tag takes.
    pub(crate) len: usize,
}

impl Tag {
    pub(crate) fn attr(&self, name: &str) -> Option<&AttrValue> {
        self.attrs.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    pub(crate) fn str_attr(&self, name: &str) -> Option<String> {
        match self.attr(name)? {
            AttrValue::Str(s) => Some(s.clone()),
            AttrValue::Expr(e) => js_string(e.trim()),
            AttrValue::True => None,
        }
    }
}

/// A JavaScript string literal's value (`'a'`, `"a"`, `` `a` `` without substitutions).
pub(crate) fn js_string(e: &str) -> Option<String> {
    let q = e.chars().next()?;
    if !matches!(q, '\'' | '"' | '`') || e.len() < 2 || !e.ends_with(q) {
        return None;
    }
    let inner = &e[1..e.len() - 1];
    if q == '`' && inner.contains("${") {
        return None;
    }
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            out.push(chars.next()?);
        } else if c == q {
            return None;
        } else {
            out.push(c);
        }
    }
    Some(out)
}

/// Reads a JSX/HTML tag at the start of `s` (`<Name a="b" c={d}>`, `</Name>`, `<Name />`), or `None` when `s`
/// does not start with one. Attribute expressions may hold nested braces and strings.
pub(crate) fn jsx_tag(s: &str) -> Option<Tag> {
    let b = s.as_bytes();
    if b.first() != Some(&b'<') {
        return None;
    }
    let mut i = 1;
    let closing = b.get(i) == Some(&b'/');
    if closing {
        i += 1;
    }
    let name_start = i;
    while i < b.len() && (b[i].is_ascii_alphanumeric() || matches!(b[i], b'.' | b'-' | b'_')) {
        i += 1;
    }
    if i == name_start || !b[name_start].is_ascii_alphabetic() {
        return None;
    }
    let name = s[name_start..i].to_string();
    let mut attrs = Vec::new();
    loop {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        match b.get(i)? {
            b'>' => return Some(Tag { name, closing, self_closing: false, attrs, len: i + 1 }),
            b'/' if b.get(i + 1) == Some(&b'>') => {
                return Some(Tag { name, closing, self_closing: true, attrs, len: i + 2 });
            }
            b'{' if !closing => {
                // A spread (`{...props}`): read past it.
                let end = expression_end(s, i)?;
                attrs.push(("...".to_string(), AttrValue::Expr(s[i + 1..end - 1].to_string())));
                i = end;
            }
            c if c.is_ascii_alphabetic() || *c == b'_' || *c == b':' || *c == b'@' => {
                let a = i;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || matches!(b[i], b'-' | b'_' | b':' | b'.')) {
                    i += 1;
                }
                let attr = s[a..i].to_string();
                let mut j = i;
                while j < b.len() && b[j].is_ascii_whitespace() {
                    j += 1;
                }
                if b.get(j) != Some(&b'=') {
                    attrs.push((attr, AttrValue::True));
                    continue;
                }
                j += 1;
                while j < b.len() && b[j].is_ascii_whitespace() {
                    j += 1;
                }
                match b.get(j)? {
                    q @ (b'"' | b'\'') => {
                        let close = s[j + 1..].find(*q as char)? + j + 1;
                        attrs.push((attr, AttrValue::Str(s[j + 1..close].to_string())));
                        i = close + 1;
                    }
                    b'{' => {
                        let end = expression_end(s, j)?;
                        attrs.push((attr, AttrValue::Expr(s[j + 1..end - 1].to_string())));
                        i = end;
                    }
                    _ => return None,
                }
            }
            _ => return None,
        }
    }
}

/// The end (exclusive) of the `{...}` expression starting at `start`, skipping strings and nested braces.
fn expression_end(s: &str, start: usize) -> Option<usize> {
    let b = s.as_bytes();
    let mut depth = 0usize;
    let mut i = start;
    while i < b.len() {
        match b[i] {
            b'{' | b'[' | b'(' => depth += 1,
            b'}' | b']' | b')' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            q @ (b'"' | b'\'' | b'`') => {
                i += 1;
                while i < b.len() && b[i] != q {
                    if b[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// Whether a line starts an ESM statement MDX would take as JavaScript.
fn is_esm(line: &str) -> bool {
    let Some(rest) = line.strip_prefix("import").or_else(|| line.strip_prefix("export")) else { return false };
    rest.starts_with([' ', '{', '*', '\'', '"'])
}

/// Whether the statement `s` (from `import`/`export` to its end) is one: MDX reads any paragraph that starts
/// with these words as JavaScript, so a sentence that does is an error in Docusaurus too.
fn is_valid_esm(s: &str) -> bool {
    if let Some(rest) = s.strip_prefix("import") {
        let rest = rest.trim_start();
        if rest.starts_with(['\'', '"']) {
            return true;
        }
        return s.split(" from ").nth(1).is_some_and(|src| src.trim_start().starts_with(['\'', '"']));
    }
    let rest = s.strip_prefix("export").unwrap_or("").trim_start();
    ["const ", "let ", "var ", "function", "default ", "class ", "async ", "{", "*"].iter().any(|k| rest.starts_with(k))
}

/// Where an ESM statement starting at page offset `start` ends (the offset after its last line): its brackets
/// balanced and its line ended with `;`, a closing bracket, or a `from '...'` source.
fn esm_end(text: &str, start: usize) -> usize {
    let mut depth: i64 = 0;
    let mut pos = start;
    for line in text[start..].split_inclusive('\n') {
        pos += line.len();
        let mut in_str: Option<char> = None;
        let mut prev = ' ';
        for c in line.chars() {
            match in_str {
                Some(q) if c == q && prev != '\\' => in_str = None,
                Some(_) => {}
                None => match c {
                    '\'' | '"' | '`' => in_str = Some(c),
                    '{' | '(' | '[' => depth += 1,
                    '}' | ')' | ']' => depth -= 1,
                    _ => {}
                },
            }
            prev = c;
        }
        let t = line.trim_end();
        let statement_done = t.ends_with(';')
            || t.ends_with('}')
            || t.ends_with(')')
            || t.ends_with(']')
            || t.ends_with('\'')
            || t.ends_with('"');
        if depth <= 0 && (statement_done || t.is_empty()) {
            return pos;
        }
    }
    pos
}

struct Frame {
    kind: FrameKind,
    children: Vec<Piece>,
    /// Indentation to strip from the content's lines.
    dedent: usize,
    /// Page offset of the opening, for "never closed".
    opened_at: usize,
}

enum FrameKind {
    Admonition { kind: String, title: Option<String> },
    Tabs { group_id: Option<String>, default: Option<String>, legacy: Vec<(String, String)> },
    TabItem { value: String, label: Option<String>, default: bool },
    Details { open: bool, summary: Option<Segment> },
}

impl FrameKind {
    fn closing_name(&self) -> &'static str {
        match self {
            FrameKind::Admonition { .. } => ":::",
            FrameKind::Tabs { .. } => "Tabs",
            FrameKind::TabItem { .. } => "TabItem",
            FrameKind::Details { .. } => "details",
        }
    }
}

struct Splitter<'a> {
    text: &'a str,
    stack: Vec<Frame>,
    top: Vec<Piece>,
    run: Segment,
    errors: Vec<MdxError>,
}

impl Splitter<'_> {
    fn dedent(&self) -> usize {
        self.stack.last().map_or(0, |f| f.dedent)
    }

    fn children(&mut self) -> &mut Vec<Piece> {
        match self.stack.last_mut() {
            Some(f) => &mut f.children,
            None => &mut self.top,
        }
    }

    fn flush(&mut self) {
        let run = std::mem::take(&mut self.run);
        if !run.is_blank() {
            self.children().push(Piece::Markdown(run));
        }
    }

    fn error(&mut self, offset: usize, width: usize, message: String, help: &str) {
        self.errors.push(MdxError { offset, width, message, help: help.to_string() });
    }

    fn open(&mut self, kind: FrameKind, offset: usize, indent: usize) {
        self.flush();
        // The content is dedented by the opening tag's indentation plus what the writer adds below it; the
        // next non-blank line decides, see `line`.
        self.stack.push(Frame { kind, children: Vec::new(), dedent: usize::MAX - indent, opened_at: offset });
    }

    /// Closes the innermost frame if it is `name`; otherwise reports the mismatch.
    fn close(&mut self, name: &str, offset: usize, width: usize) {
        match self.stack.last() {
            Some(f) if f.kind.closing_name() == name => {}
            Some(f) => {
                let open = f.kind.closing_name();
                self.error(
                    offset,
                    width,
                    format!("`</{name}>` closes nothing here: the open component is <{open}>"),
                    "close the components in the order they were opened",
                );
                return;
            }
            None => {
                self.error(
                    offset,
                    width,
                    format!("`</{name}>` closes nothing: no <{name}> is open"),
                    "remove it, or open the component before",
                );
                return;
            }
        }
        self.flush();
        let Some(frame) = self.stack.pop() else { return };
        let piece = match frame.kind {
            FrameKind::Admonition { kind, title } => Piece::Admonition { kind, title, children: frame.children },
            FrameKind::Details { open, summary } => Piece::Details { open, summary, children: frame.children },
            FrameKind::TabItem { value, label, default } => {
                // A TabItem outside Tabs is rendered as its content.
                if let Some(Frame { kind: FrameKind::Tabs { .. }, children, .. }) = self.stack.last_mut() {
                    children.push(Piece::Tabs {
                        group_id: None,
                        default: None,
                        items: vec![TabItem {
                            label: label.unwrap_or_else(|| value.clone()),
                            value,
                            default,
                            children: frame.children,
                        }],
                    });
                    return;
                }
                self.children().extend(frame.children);
                return;
            }
            FrameKind::Tabs { group_id, default, legacy } => {
                let mut items: Vec<TabItem> = Vec::new();
                for p in frame.children {
                    match p {
                        Piece::Tabs { items: mut one, group_id: None, default: None } if one.len() == 1 => {
                            let mut item = one.remove(0);
                            if let Some((_, l)) = legacy.iter().find(|(v, _)| *v == item.value) {
                                if item.label == item.value {
                                    item.label = l.clone();
                                }
                            }
                            items.push(item);
                        }
                        Piece::Markdown(_) => {
                            let at = frame.opened_at;
                            self.error(
                                at,
                                6,
                                "text directly inside <Tabs> (outside a <TabItem>) would not be shown".into(),
                                "put it inside a <TabItem>, or after </Tabs>",
                            );
                        }
                        other => items.push(TabItem {
                            value: String::new(),
                            label: String::new(),
                            default: false,
                            children: vec![other],
                        }),
                    }
                }
                Piece::Tabs { group_id, default, items }
            }
        };
        self.children().push(piece);
    }

    /// Handles the tags at the start of `rest` (page offset `at`); returns the offset where ordinary content
    /// starts again, or `None` when the line is not a component line.
    fn tags(&mut self, rest_at: usize, indent: usize) -> Option<usize> {
        let text = self.text;
        let mut at = rest_at;
        let mut any = false;
        loop {
            let s = &text[at..];
            let Some(tag) = jsx_tag(s) else { break };
            let width = tag.len;
            match (tag.name.as_str(), tag.closing) {
                ("Tabs", false) => {
                    let legacy = tag.attr("values").map_or_else(Vec::new, |v| match v {
                        AttrValue::Expr(e) => legacy_values(e),
                        _ => Vec::new(),
                    });
                    self.open(
                        FrameKind::Tabs {
                            group_id: tag.str_attr("groupId"),
                            default: tag.str_attr("defaultValue"),
                            legacy,
                        },
                        at,
                        indent,
                    );
                }
                ("TabItem", false) => {
                    let value = tag.str_attr("value").unwrap_or_default();
                    if value.is_empty() {
                        self.error(
                            at,
                            width,
                            "<TabItem> without a `value`".into(),
                            "give each TabItem a value=\"...\" (and a label)",
                        );
                    }
                    let default = match tag.attr("default") {
                        Some(AttrValue::True) => true,
                        Some(AttrValue::Expr(e)) => e.trim() == "true",
                        _ => false,
                    };
                    self.open(FrameKind::TabItem { value, label: tag.str_attr("label"), default }, at, indent);
                    if tag.self_closing {
                        self.close("TabItem", at, width);
                    }
                }
                ("details", false) => {
                    self.open(FrameKind::Details { open: tag.attr("open").is_some(), summary: None }, at, indent);
                }
                ("summary", false) => {
                    let after = at + tag.len;
                    let Some(end) = text[after..].find("</summary>") else {
                        self.error(
                            at,
                            width,
                            "<summary> is not closed on its line".into(),
                            "write <summary>Title</summary> on one line",
                        );
                        return Some(at + tag.len);
                    };
                    let mut seg = Segment::default();
                    seg.map.push((0, after));
                    seg.src.push_str(text[after..after + end].trim_end());
                    match self.stack.last_mut() {
                        Some(Frame { kind: FrameKind::Details { summary, .. }, .. }) => *summary = Some(seg),
                        _ => {
                            self.error(at, width, "<summary> outside <details>".into(), "put it first inside <details>")
                        }
                    }
                    at = after + end + "</summary>".len();
                    any = true;
                    let trimmed = text[at..].len() - text[at..].trim_start_matches([' ', '\t']).len();
                    at += trimmed;
                    continue;
                }
                (name @ ("Tabs" | "TabItem" | "details"), true) => self.close(name, at, width),
                (name, closing) if name.starts_with(|c: char| c.is_ascii_uppercase()) => {
                    if let Some(e) = unknown_component(&self.errors, name, closing, at, width) {
                        self.errors.push(e);
                    }
                }
                _ => break,
            }
            any = true;
            at += tag.len;
            let trimmed = text[at..].len() - text[at..].trim_start_matches([' ', '\t']).len();
            at += trimmed;
        }
        any.then_some(at)
    }

    fn line(&mut self, start: usize, end: usize) {
        let text = self.text;
        let line = &text[start..end];
        let indent = line.len() - line.trim_start_matches([' ', '\t']).len();
        // The first non-blank line inside a component sets how much of its content's indentation to strip.
        if let Some(f) = self.stack.last_mut() {
            if f.dedent > usize::MAX / 2 && !line.trim().is_empty() {
                f.dedent = indent;
            }
        }
        let dedent = self.dedent();
        self.run.push_line(text, start, end, dedent);
    }
}

/// The error for a component guardrail does not render, or `None` for the closing tag of one already reported
/// (one error per component, at its opening).
pub(crate) fn unknown_component(
    reported: &[MdxError],
    name: &str,
    closing: bool,
    offset: usize,
    width: usize,
) -> Option<MdxError> {
    let opening = format!("the MDX component <{name}> is not one guardrail renders");
    if closing && reported.iter().any(|e| e.message == opening) {
        return None;
    }
    Some(MdxError {
        offset,
        width,
        message: if closing { format!("the MDX component </{name}> is not one guardrail renders") } else { opening },
        help: format!("guardrail renders {SUPPORTED}; remove the component or replace it with Markdown"),
    })
}

/// Reads the legacy `values={[{label: 'A', value: 'a'}, ...]}` of `<Tabs>`: (value, label) pairs.
fn legacy_values(e: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for obj in e.split('{').skip(1) {
        let obj = obj.split('}').next().unwrap_or("");
        let field = |name: &str| {
            obj.split(',').find_map(|kv| {
                let (k, v) = kv.split_once(':')?;
                (k.trim().trim_matches(['\'', '"']) == name).then(|| js_string(v.trim())).flatten()
            })
        };
        if let (Some(v), Some(l)) = (field("value"), field("label")) {
            out.push((v, l));
        }
    }
    out
}

/// Splits `text[range]` into pieces; errors for unknown components and unbalanced tags.
pub(crate) fn split(text: &str, range: Range<usize>) -> (Vec<Piece>, Vec<MdxError>) {
    let mut sp = Splitter { text, stack: Vec::new(), top: Vec::new(), run: Segment::default(), errors: Vec::new() };
    let mut pos = range.start;
    let mut fence: Option<(char, usize, usize)> = None;
    let mut skip_to = 0usize;
    let body = &text[range.clone()];
    for line in body.split_inclusive('\n') {
        let start = pos;
        pos += line.len();
        if start < skip_to {
            continue;
        }
        let stripped = line.trim_start_matches([' ', '\t']);
        let indent = line.len() - stripped.len();
        let t = stripped.trim_end();
        if let Some((ch, n, _)) = fence {
            if t.len() >= n && t.chars().all(|c| c == ch) {
                fence = None;
            }
            sp.line(start, pos);
            continue;
        }
        if t.starts_with("```") || t.starts_with("~~~") {
            let ch = t.chars().next().unwrap_or('`');
            let n = t.chars().take_while(|c| *c == ch).count();
            fence = Some((ch, n, start));
            sp.line(start, pos);
            continue;
        }
        let at = start + indent;
        if indent == 0 && sp.stack.is_empty() && is_esm(t) {
            let end = esm_end(text, start);
            if is_valid_esm(text[start..end].trim()) {
                skip_to = end;
                continue;
            }
            let word = if t.starts_with("import") { "import" } else { "export" };
            sp.error(
                start,
                word.len(),
                format!(
                    "MDX reads a line that starts with `{word}` as JavaScript, and this is not a valid {word} statement"
                ),
                "rephrase the sentence so it does not start with the word (Docusaurus fails on it too)",
            );
        }
        if let Some(rest) = t.strip_prefix("{/*") {
            // A comment alone on its line(s): dropped. Inline ones are the renderer's.
            if let Some(end) = text[at..].find("*/}") {
                let after = at + end + 3;
                let tail_end = text[after..].find('\n').map_or(text.len(), |n| after + n + 1);
                if text[after..tail_end].trim().is_empty() {
                    skip_to = tail_end;
                    continue;
                }
            } else if !rest.contains("*/}") {
                sp.error(at, 3, "`{/*` comment is never closed with `*/}`".into(), "close the comment");
                skip_to = text.len();
                continue;
            }
        }
        if t.starts_with("<!--") {
            if let Some(end) = text[at..].find("-->") {
                let after = at + end + 3;
                let tail_end = text[after..].find('\n').map_or(text.len(), |n| after + n + 1);
                if text[after..tail_end].trim().is_empty() {
                    skip_to = tail_end;
                    continue;
                }
            }
        }
        if let Some(rest) = t.strip_prefix(":::") {
            if rest.is_empty() {
                if matches!(sp.stack.last(), Some(Frame { kind: FrameKind::Admonition { .. }, .. })) {
                    sp.close(":::", at, 3);
                }
                continue;
            }
            // `:::note Title` (Docusaurus 2) or `:::note[Title]` (Docusaurus 3), with optional `{#id}` attributes.
            let (kind, title) = match rest.find(|c: char| c.is_whitespace() || c == '[' || c == '{') {
                Some(i) if rest[i..].starts_with('[') => {
                    let inner = &rest[i + 1..];
                    let title = inner.rfind(']').map_or(inner, |e| &inner[..e]);
                    (&rest[..i], Some(title.trim().to_string()).filter(|t| !t.is_empty()))
                }
                Some(i) => {
                    let t = rest[i..].trim();
                    let t = if t.starts_with('{') { "" } else { t };
                    (&rest[..i], Some(t.to_string()).filter(|t| !t.is_empty()))
                }
                None => (rest, None),
            };
            if ADMONITIONS.contains(&kind) {
                sp.open(FrameKind::Admonition { kind: kind.to_string(), title }, at, 0);
                // Admonition content is not indented.
                if let Some(f) = sp.stack.last_mut() {
                    f.dedent = 0;
                }
                continue;
            }
        }
        if t.starts_with('<') {
            if let Some(content_at) = sp.tags(at, indent) {
                // Tags may run over several lines (attributes on their own lines): skip to the end of the last.
                let line_end = text[content_at..].find('\n').map_or(text.len(), |n| content_at + n + 1);
                if content_at < line_end && !text[content_at..line_end].trim().is_empty() {
                    // Content after the tags on the same line (`<TabItem value="a">Text</TabItem>`).
                    let close = closing_on_line(&text[content_at..line_end]);
                    let content_end = content_at + close.unwrap_or(line_end - content_at);
                    let mut seg = Segment::default();
                    seg.map.push((0, content_at));
                    seg.src.push_str(text[content_at..content_end].trim_end());
                    seg.src.push('\n');
                    sp.flush();
                    if !seg.is_blank() {
                        sp.children().push(Piece::Markdown(seg));
                    }
                    if close.is_some() {
                        let _ = sp.tags(content_end, indent);
                    }
                }
                skip_to = line_end;
                continue;
            }
        }
        sp.line(start, pos);
    }
    sp.flush();
    while let Some(f) = sp.stack.last() {
        let (name, at) = (f.kind.closing_name(), f.opened_at);
        if name == ":::" {
            // Unclosed admonitions run to the end of the page, as before.
            sp.close(":::", at, 3);
            continue;
        }
        sp.error(at, name.len() + 2, format!("<{name}> is never closed"), &format!("add </{name}> where it ends"));
        let _ = sp.stack.pop();
    }
    (sp.top, sp.errors)
}

/// Where, in `s` (the rest of a line after opening tags), a closing tag of a component starts.
fn closing_on_line(s: &str) -> Option<usize> {
    ["</TabItem>", "</details>", "</Tabs>"].iter().filter_map(|c| s.find(c)).min()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pieces(text: &str) -> (Vec<Piece>, Vec<MdxError>) {
        split(text, 0..text.len())
    }

    fn md(p: &Piece) -> &str {
        match p {
            Piece::Markdown(s) => &s.src,
            other => panic!("not Markdown: {other:?}"),
        }
    }

    #[test]
    fn tags_and_attributes_are_read() {
        let t = jsx_tag("<img src={useBaseUrl(\"/img/a.png\")} alt='A \"b\"' width={300} hidden />rest").unwrap();
        assert_eq!((t.name.as_str(), t.self_closing, t.closing), ("img", true, false));
        assert_eq!(t.attr("src"), Some(&AttrValue::Expr("useBaseUrl(\"/img/a.png\")".into())));
        assert_eq!(t.str_attr("alt").as_deref(), Some("A \"b\""));
        assert_eq!(t.attr("hidden"), Some(&AttrValue::True));
        assert_eq!(&"<img src={useBaseUrl(\"/img/a.png\")} alt='A \"b\"' width={300} hidden />rest"[t.len..], "rest");
        let t = jsx_tag("<TabItem\n  value=\"a\"\n  label={'A'}\n  default>").unwrap();
        assert_eq!((t.str_attr("value").as_deref(), t.str_attr("label").as_deref()), (Some("a"), Some("A")));
        assert!(jsx_tag("</Tabs>").unwrap().closing);
        for not in ["< a", "<1>", "x", "<a href=\"x", "<a {"] {
            assert_eq!(jsx_tag(not), None, "{not}");
        }
        assert_eq!(js_string("'it\\'s'").as_deref(), Some("it's"));
        assert_eq!(js_string("`a${b}`"), None);
    }

    #[test]
    fn esm_and_comments_are_consumed() {
        let text = "import Tabs from '@theme/Tabs';\nimport {\n  a,\n  b,\n} from \"x\";\nexport const meta = {\n  a: 1,\n};\n\n# Title\n\n{/* a comment */}\n<!-- another\nover lines -->\nimport is a word here.\nimport './side-effect.css'\nexport default function X() {\n  return 1;\n}\n";
        let (p, errors) = pieces(text);
        assert_eq!(p.len(), 1);
        assert_eq!(md(&p[0]), "\n# Title\n\nimport is a word here.\n");
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].message.starts_with("MDX reads a line that starts with `import` as JavaScript"));
        assert_eq!(&text[errors[0].offset..errors[0].offset + 9], "import is");
    }

    #[test]
    fn tabs_hold_dedented_markdown_with_page_offsets() {
        let text = "<Tabs groupId=\"os\">\n  <TabItem value=\"linux\" label=\"Linux\" default>\n    Run this:\n\n    ```sh\n    ls\n    ```\n  </TabItem>\n  <TabItem value=\"mac\">Mac text</TabItem>\n</Tabs>\nAfter.\n";
        let (p, errors) = pieces(text);
        assert!(errors.is_empty(), "{errors:?}");
        let Piece::Tabs { group_id, items, .. } = &p[0] else { panic!("{p:?}") };
        assert_eq!(group_id.as_deref(), Some("os"));
        assert_eq!(items.len(), 2);
        assert_eq!((items[0].label.as_str(), items[0].default), ("Linux", true));
        assert_eq!((items[1].value.as_str(), items[1].label.as_str()), ("mac", "mac"));
        let Piece::Markdown(seg) = &items[0].children[0] else { panic!() };
        assert_eq!(seg.src, "Run this:\n\n```sh\nls\n```\n");
        // `ls` is at its place in the page.
        let o = seg.src.find("ls").unwrap();
        assert_eq!(&text[seg.page_offset(o)..seg.page_offset(o) + 2], "ls");
        assert_eq!(md(&items[1].children[0]), "Mac text\n");
        assert_eq!(md(&p[1]), "After.\n");
    }

    #[test]
    fn details_admonitions_and_errors() {
        let text = "<details>\n<summary>More **info**</summary>\n\nHidden.\n\n</details>\n\n:::tip Title\nIn a tip.\n:::\n:::warning[Mind *this*]\nCareful.\n:::\n<Foo bar />\n</Tabs>\n<Tabs>\n";
        let (p, errors) = pieces(text);
        let Piece::Details { summary: Some(s), children, open: false } = &p[0] else { panic!("{p:?}") };
        assert_eq!(s.src, "More **info**");
        assert_eq!(md(&children[0]), "\nHidden.\n\n");
        assert!(matches!(&p[1], Piece::Admonition { kind, title: Some(t), .. } if kind == "tip" && t == "Title"));
        assert!(
            matches!(&p[2], Piece::Admonition { kind, title: Some(t), .. } if kind == "warning" && t == "Mind *this*"),
            "{:?}",
            p[2]
        );
        let messages: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "the MDX component <Foo> is not one guardrail renders",
                "`</Tabs>` closes nothing: no <Tabs> is open",
                "<Tabs> is never closed"
            ]
        );
        assert_eq!(&text[errors[0].offset..errors[0].offset + errors[0].width], "<Foo bar />");
    }

    #[test]
    fn code_is_never_read_as_mdx() {
        let text = "```mdx\nimport X from 'y';\n<Tabs>\n```\n";
        let (p, errors) = pieces(text);
        assert!(errors.is_empty());
        assert_eq!(md(&p[0]), text);
    }

    #[test]
    fn legacy_tab_values_give_labels() {
        let text = "<Tabs values={[{label: 'Apple', value: 'apple'}, {label: \"Pear\", value: 'pear'}]}>\n<TabItem value=\"apple\">\n\nA\n\n</TabItem>\n</Tabs>\n";
        let (p, errors) = pieces(text);
        assert!(errors.is_empty(), "{errors:?}");
        let Piece::Tabs { items, .. } = &p[0] else { panic!() };
        assert_eq!(items[0].label, "Apple");
    }
}
