//! Multi-document YAML into JSON values, with the line and column of every node and hard limits on size.
//!
//! Built on saphyr-parser's event stream rather than a serde deserializer so that we keep a source map (JSON
//! pointer → line:column) for diagnostics, expand aliases under a node budget (an alias bomb is refused, not
//! expanded), and resolve plain scalars the way the consumer of the text does: Kubernetes reads manifests as
//! YAML 1.1 (`yes` is true, `0644` is 420), gator reads suites as YAML 1.2 (`yes` is a string).

use std::collections::HashMap;

/// The YAML reader's maps, keyed by pointers and keys it makes itself: a fast hash, no defence against chosen keys
/// needed beyond the limits on a document's size.
type FastMap<K, V> = HashMap<K, V, foldhash::fast::FixedState>;

use saphyr_parser::{Event, Parser, ScalarStyle, Span, Tag};
use serde_json::{Map, Number, Value};

use crate::limits::Limits;

/// How plain (unquoted) scalars are typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Schema {
    /// What the Kubernetes API machinery (sigs.k8s.io/yaml, go-yaml v2) does: `yes`/`no`/`on`/`off`/`y`/`n` are
    /// booleans, `0644` is octal, `0b101` binary, `1_000` an integer.
    Kubernetes,
    /// The YAML 1.2 core schema, as go-yaml v3 (gator's suite reader) resolves it.
    Core,
}

/// One YAML document of a stream.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// 0-based position in the stream, counting empty documents.
    pub index: usize,
    /// The document's value; `Null` for an empty document.
    pub value: Value,
    /// 1-based line where the document's content starts.
    pub line: usize,
    /// Where each node of `value` was written.
    pub source_map: SourceMap,
}

/// A map from JSON pointers (`/spec/containers/0/image`) to 1-based (line, column) positions.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SourceMap {
    entries: FastMap<String, (usize, usize)>,
    keys: FastMap<String, (usize, usize)>,
}

impl SourceMap {
    /// The position of the node at `pointer`, if it was written in the source (aliased copies are not).
    pub fn get(&self, pointer: &str) -> Option<(usize, usize)> {
        self.entries.get(pointer).copied()
    }

    /// The position of the mapping key whose value is at `pointer` (`/metadata/name` → where `name:` is written).
    pub fn key(&self, pointer: &str) -> Option<(usize, usize)> {
        self.keys.get(pointer).copied()
    }

    /// The position of the node at `pointer`, or of its nearest ancestor written in the source.
    pub fn nearest(&self, pointer: &str) -> Option<(usize, usize)> {
        let mut p = pointer;
        loop {
            if let Some(pos) = self.get(p) {
                return Some(pos);
            }
            if p.is_empty() {
                return None;
            }
            p = match p.rfind('/') {
                Some(i) => &p[..i],
                None => "",
            };
        }
    }

    /// Where the field at `pointer` is written (its key, else its value), or the nearest enclosing field that is:
    /// what a message about a field, maybe a missing one, points at. `None` when no field on the way is written.
    pub fn field(&self, pointer: &str) -> Option<(usize, usize)> {
        let mut p = pointer;
        while !p.is_empty() {
            if let Some(pos) = self.key(p).or_else(|| self.get(p)) {
                return Some(pos);
            }
            p = &p[..p.rfind('/').unwrap_or(0)];
        }
        None
    }

    /// Number of positions recorded.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// A YAML text that could not be read, with the 1-based line and column of the fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column {column}: {message}")]
pub struct YamlError {
    /// 1-based line.
    pub line: usize,
    /// 1-based column (in characters).
    pub column: usize,
    /// 0-based document index in the stream.
    pub document: usize,
    /// What is wrong.
    pub message: String,
}

/// Reads every document of `text`.
pub fn load_documents(text: &str, schema: Schema, limits: &Limits) -> Result<Vec<Document>, YamlError> {
    if text.len() > limits.max_document_bytes {
        return Err(YamlError {
            line: 1,
            column: 1,
            document: 0,
            message: format!(
                "the YAML text is {} bytes, over the limit of {} bytes (limits.max_document_bytes)",
                text.len(),
                limits.max_document_bytes
            ),
        });
    }
    let mut text = std::borrow::Cow::Borrowed(text);
    // go-yaml (what Kubernetes and gator read with) does not check the indentation of a quoted scalar's
    // continuation lines; saphyr does. Leading spaces of such a line are folded away, so indenting the line
    // changes nothing in the value: do that and read again (a bounded number of times).
    for _ in 0..64 {
        match parse(&text, schema, limits) {
            Err((e, true)) => {
                let Some(fixed) = indent_quoted(&text, e.line, e.column) else { return Err(e) };
                text = std::borrow::Cow::Owned(fixed);
            }
            Err((e, false)) => return Err(e),
            Ok(docs) => return Ok(docs),
        }
    }
    parse(&text, schema, limits).map_err(|(e, _)| e)
}

/// One read; the flag says the error is a quoted scalar's continuation line indented too little.
fn parse(text: &str, schema: Schema, limits: &Limits) -> Result<Vec<Document>, (YamlError, bool)> {
    let mut builder = Builder::new(schema, limits);
    for event in Parser::new_from_str(text) {
        match event {
            Ok((ev, span)) => builder.event(ev, span).map_err(|e| (e, false))?,
            Err(e) => {
                let m = e.marker();
                let quoted_indent = e.info().contains("indentation in quoted scalar");
                let message = if e.info().contains("recursion limit") {
                    format!("nesting deeper than {} levels (limits.max_depth)", limits.max_depth)
                } else {
                    scan_message(e.info())
                };
                return Err((builder.error_at(m.line(), m.col() + 1, message), quoted_indent));
            }
        }
    }
    Ok(builder.documents)
}

/// `text` with the continuation lines of the quoted scalar that opens at (`line`, `column`) indented one column
/// past the line it opens on; `None` if nothing can be fixed that way.
fn indent_quoted(text: &str, line: usize, column: usize) -> Option<String> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let open_line = lines.get(line.checked_sub(1)?)?;
    let quote_at = open_line.char_indices().nth(column.checked_sub(1)?).map(|(i, _)| i)?;
    let quote = open_line[quote_at..].chars().next().filter(|c| *c == '"' || *c == '\'')?;
    // Find the line where the scalar closes.
    let mut close_line = None;
    let mut escaped = false;
    let mut first = true;
    'outer: for (n, l) in lines.iter().enumerate().skip(line - 1) {
        let start = if first { quote_at + 1 } else { 0 };
        first = false;
        let mut chars = l[start..].chars().peekable();
        while let Some(c) = chars.next() {
            if escaped {
                escaped = false;
            } else if quote == '"' && c == '\\' {
                escaped = true;
            } else if c == quote {
                if quote == '\'' && chars.peek() == Some(&'\'') {
                    chars.next();
                    continue;
                }
                close_line = Some(n);
                break 'outer;
            }
        }
    }
    let close_line = close_line?;
    let want = open_line.len() - open_line.trim_start_matches(' ').len() + 1;
    let mut changed = false;
    let mut out = String::with_capacity(text.len() + 64);
    for (i, l) in lines.iter().enumerate() {
        if i >= line && i <= close_line && !l.trim().is_empty() {
            let have = l.len() - l.trim_start_matches(' ').len();
            if have < want {
                out.push_str(&" ".repeat(want - have));
                changed = true;
            }
        }
        out.push_str(l);
    }
    changed.then_some(out)
}

fn scan_message(info: &str) -> String {
    // saphyr's wording for a tab used as indentation is hard to act on; say what to do.
    if info.contains("tab") { format!("{info} (YAML indentation must use spaces, not tabs)") } else { info.to_string() }
}

enum Frame {
    Seq {
        items: Vec<Value>,
        anchor: usize,
        pointer: String,
        nodes: usize,
    },
    Map {
        map: Map<String, Value>,
        anchor: usize,
        pointer: String,
        pending_key: Option<(String, usize, bool)>,
        /// The line of each key written, in the map's order (a duplicate's message names the first).
        key_lines: Vec<usize>,
        merges: Vec<Value>,
        nodes: usize,
    },
}

struct Builder<'l> {
    schema: Schema,
    limits: &'l Limits,
    documents: Vec<Document>,
    stack: Vec<Frame>,
    anchors: FastMap<usize, (Value, usize)>,
    doc_index: usize,
    doc_line: usize,
    doc_nodes: usize,
    root: Option<Value>,
    source_map: SourceMap,
    in_doc: bool,
}

/// `parent` + `/` + `segment` (already escaped), in one allocation.
fn child_pointer(parent: &str, segment: &str) -> String {
    let mut p = String::with_capacity(parent.len() + 1 + segment.len());
    p.push_str(parent);
    p.push('/');
    p.push_str(segment);
    p
}

impl<'l> Builder<'l> {
    fn new(schema: Schema, limits: &'l Limits) -> Self {
        Builder {
            schema,
            limits,
            documents: Vec::new(),
            stack: Vec::new(),
            anchors: FastMap::default(),
            doc_index: 0,
            doc_line: 1,
            doc_nodes: 0,
            root: None,
            source_map: SourceMap::default(),
            in_doc: false,
        }
    }

    fn error_at(&self, line: usize, column: usize, message: String) -> YamlError {
        YamlError { line, column, document: self.doc_index, message }
    }

    fn span_error(&self, span: Span, message: String) -> YamlError {
        self.error_at(span.start.line(), span.start.col() + 1, message)
    }

    /// The pointer of the node about to be added, and whether it is a mapping key.
    fn next_pointer(&self) -> (String, bool) {
        match self.stack.last() {
            None => (String::new(), false),
            Some(Frame::Seq { items, pointer, .. }) => (child_pointer(pointer, &items.len().to_string()), false),
            Some(Frame::Map { pending_key: None, pointer, .. }) => (pointer.clone(), true),
            Some(Frame::Map { pending_key: Some((k, _, _)), pointer, .. }) => {
                (child_pointer(pointer, &crate::object::escape_key(k)), false)
            }
        }
    }

    fn count_nodes(&mut self, n: usize, span: Span) -> Result<(), YamlError> {
        self.doc_nodes = self.doc_nodes.saturating_add(n);
        if self.doc_nodes > self.limits.max_nodes {
            return Err(self.span_error(
                span,
                format!(
                    "the document has more than {} nodes (limits.max_nodes); an alias that expands a large anchor \
                     many times (a \"billion laughs\" document) is refused",
                    self.limits.max_nodes
                ),
            ));
        }
        for frame in &mut self.stack {
            match frame {
                Frame::Seq { nodes, .. } | Frame::Map { nodes, .. } => *nodes = nodes.saturating_add(n),
            }
        }
        Ok(())
    }

    fn event(&mut self, ev: Event<'_>, span: Span) -> Result<(), YamlError> {
        match ev {
            Event::Nothing | Event::StreamStart | Event::StreamEnd => {}
            Event::DocumentStart(_) => {
                if self.documents.len() >= self.limits.max_documents {
                    return Err(self.span_error(
                        span,
                        format!(
                            "more than {} YAML documents in one text (limits.max_documents)",
                            self.limits.max_documents
                        ),
                    ));
                }
                self.in_doc = true;
                self.doc_line = span.start.line();
                self.doc_nodes = 0;
                self.anchors.clear();
                self.source_map = SourceMap::default();
                self.root = None;
            }
            Event::DocumentEnd => {
                let value = self.root.take().unwrap_or(Value::Null);
                if let Some((line, _)) = self.source_map.get("") {
                    self.doc_line = line;
                }
                self.documents.push(Document {
                    index: self.doc_index,
                    value,
                    line: self.doc_line,
                    source_map: std::mem::take(&mut self.source_map),
                });
                self.doc_index += 1;
                self.in_doc = false;
            }
            Event::Alias(id) => {
                let Some((value, nodes)) = self.anchors.get(&id).cloned() else {
                    return Err(self.span_error(span, "alias to an unknown anchor".to_string()));
                };
                self.count_nodes(nodes, span)?;
                self.push_value(value, nodes, span, None)?;
            }
            Event::Scalar(text, style, anchor, tag) => {
                let (pointer, is_key) = self.next_pointer();
                if is_key {
                    let plain = style == ScalarStyle::Plain && tag.is_none();
                    let key = self.key_string(&text, style, tag.as_deref(), span)?;
                    self.count_nodes(1, span)?;
                    self.source_map.keys.insert(
                        child_pointer(&pointer, &crate::object::escape_key(&key)),
                        (span.start.line(), span.start.col() + 1),
                    );
                    if anchor > 0 {
                        self.anchors.insert(anchor, (Value::String(key.clone()), 1));
                    }
                    if let Some(Frame::Map { pending_key, .. }) = self.stack.last_mut() {
                        *pending_key = Some((key, span.start.line(), plain));
                    }
                    return Ok(());
                }
                let value = self.resolve(&text, style, tag.as_deref(), span)?;
                self.count_nodes(1, span)?;
                self.source_map.entries.insert(pointer, (span.start.line(), span.start.col() + 1));
                self.push_value(value, 1, span, Some(anchor))?;
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                let is_seq = matches!(ev, Event::SequenceStart(..));
                if self.stack.len() >= self.limits.max_depth {
                    return Err(self.span_error(
                        span,
                        format!("nesting deeper than {} levels (limits.max_depth)", self.limits.max_depth),
                    ));
                }
                let (pointer, is_key) = self.next_pointer();
                if is_key {
                    return Err(self.span_error(
                        span,
                        "a mapping key must be a scalar; complex keys have no JSON form".to_string(),
                    ));
                }
                self.count_nodes(1, span)?;
                self.source_map.entries.insert(pointer.clone(), (span.start.line(), span.start.col() + 1));
                self.stack.push(if is_seq {
                    Frame::Seq { items: Vec::new(), anchor, pointer, nodes: 1 }
                } else {
                    Frame::Map {
                        map: Map::new(),
                        anchor,
                        pointer,
                        pending_key: None,
                        key_lines: Vec::new(),
                        merges: Vec::new(),
                        nodes: 1,
                    }
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(frame) = self.stack.pop() else {
                    return Err(self.span_error(span, "unbalanced collection end".to_string()));
                };
                let (value, anchor, nodes) = match frame {
                    Frame::Seq { items, anchor, nodes, .. } => (Value::Array(items), anchor, nodes),
                    Frame::Map { mut map, anchor, merges, nodes, .. } => {
                        // Explicit keys win over merged ones; earlier merge sources win over later ones.
                        for source in merges {
                            if let Value::Object(src) = source {
                                for (k, v) in src {
                                    map.entry(k).or_insert(v);
                                }
                            }
                        }
                        (Value::Object(map), anchor, nodes)
                    }
                };
                // The container's own node count was already added to every ancestor as it grew.
                self.push_value(value, nodes, span, Some(anchor))?;
            }
        }
        Ok(())
    }

    /// Attaches a finished node to its parent (or as the document root). `counted` is its node count, already
    /// added to the budget; it is remembered for anchors so that aliases are charged their full size.
    fn push_value(&mut self, value: Value, counted: usize, span: Span, anchor: Option<usize>) -> Result<(), YamlError> {
        if let Some(id) = anchor.filter(|a| *a > 0) {
            self.anchors.insert(id, (value.clone(), counted));
        }
        match self.stack.last_mut() {
            None => {
                if !self.in_doc {
                    return Err(self.span_error(span, "content outside a document".to_string()));
                }
                self.root = Some(value);
            }
            Some(Frame::Seq { items, .. }) => items.push(value),
            Some(Frame::Map { map, pending_key, key_lines, merges, .. }) => {
                let Some((key, line, plain)) = pending_key.take() else {
                    return Err(YamlError {
                        line: span.start.line(),
                        column: span.start.col() + 1,
                        document: self.doc_index,
                        message: "a mapping key must be a scalar".to_string(),
                    });
                };
                if plain && key == "<<" {
                    match value {
                        Value::Object(_) => merges.push(value),
                        Value::Array(list) => {
                            for item in list {
                                if !item.is_object() {
                                    return Err(YamlError {
                                        line,
                                        column: span.start.col() + 1,
                                        document: self.doc_index,
                                        message: "a merge key (<<) takes a mapping or a list of mappings".into(),
                                    });
                                }
                                merges.push(item);
                            }
                        }
                        _ => {
                            return Err(YamlError {
                                line,
                                column: span.start.col() + 1,
                                document: self.doc_index,
                                message: "a merge key (<<) takes a mapping or a list of mappings".into(),
                            });
                        }
                    }
                    return Ok(());
                }
                if map.contains_key(&key) {
                    let first =
                        map.keys().position(|k| *k == key).and_then(|i| key_lines.get(i)).copied().unwrap_or(line);
                    return Err(YamlError {
                        line,
                        column: 1,
                        document: self.doc_index,
                        message: format!("duplicate key `{key}` (first written on line {first})"),
                    });
                }
                key_lines.push(line);
                map.insert(key, value);
            }
        }
        Ok(())
    }

    fn key_string(&self, text: &str, style: ScalarStyle, tag: Option<&Tag>, span: Span) -> Result<String, YamlError> {
        // sigs.k8s.io/yaml turns non-string keys into their JSON text (`1: x` has the key "1").
        Ok(match self.resolve(text, style, tag, span)? {
            Value::String(s) => s,
            Value::Null => "null".to_string(),
            other => other.to_string(),
        })
    }

    fn resolve(&self, text: &str, style: ScalarStyle, tag: Option<&Tag>, span: Span) -> Result<Value, YamlError> {
        if let Some(tag) = tag {
            return self.resolve_tagged(text, tag, span);
        }
        if style != ScalarStyle::Plain {
            return Ok(Value::String(text.to_string()));
        }
        Ok(resolve_plain(text, self.schema))
    }

    fn resolve_tagged(&self, text: &str, tag: &Tag, span: Span) -> Result<Value, YamlError> {
        let core = tag.is_yaml_core_schema() || tag.handle == "!!";
        if !core {
            // Local tags (`!foo`) carry no meaning for Kubernetes objects: keep the text.
            return Ok(Value::String(text.to_string()));
        }
        let bad = |what: &str| self.span_error(span, format!("`{text}` is not a valid !!{what}"));
        match tag.suffix.as_str() {
            "str" | "binary" | "timestamp" => Ok(Value::String(text.to_string())),
            "null" => Ok(Value::Null),
            "bool" => match resolve_plain(text, self.schema) {
                v @ Value::Bool(_) => Ok(v),
                _ => Err(bad("bool")),
            },
            "int" => match resolve_plain(text, self.schema) {
                v @ Value::Number(_) if !text.contains('.') => Ok(v),
                _ => Err(bad("int")),
            },
            "float" => match resolve_plain(text, self.schema) {
                Value::Number(n) => Ok(n.as_f64().and_then(Number::from_f64).map_or(Value::Number(n), Value::Number)),
                _ => Err(bad("float")),
            },
            other => Err(self.span_error(span, format!("unsupported tag !!{other}"))),
        }
    }
}

/// Types a plain scalar.
pub fn resolve_plain(text: &str, schema: Schema) -> Value {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    if schema == Schema::Kubernetes {
        match text {
            "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" => return Value::Bool(true),
            "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" => return Value::Bool(false),
            _ => {}
        }
    }
    if let Some(n) = resolve_int(text, schema) {
        return n;
    }
    if let Some(f) = resolve_float(text, schema) {
        return f;
    }
    Value::String(text.to_string())
}

fn resolve_int(text: &str, schema: Schema) -> Option<Value> {
    let (negative, body) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    if body.is_empty() {
        return None;
    }
    let cleaned;
    let body = if schema == Schema::Kubernetes && body.contains('_') {
        if body.starts_with('_') {
            return None;
        }
        cleaned = body.replace('_', "");
        cleaned.as_str()
    } else {
        body
    };
    let (radix, digits) = if let Some(h) = body.strip_prefix("0x") {
        (16, h)
    } else if let Some(o) = body.strip_prefix("0o") {
        if schema == Schema::Kubernetes {
            return None;
        }
        (8, o)
    } else if let Some(b) = body.strip_prefix("0b").filter(|_| schema == Schema::Kubernetes) {
        (2, b)
    } else if schema == Schema::Kubernetes && body.len() > 1 && body.starts_with('0') {
        (8, &body[1..])
    } else {
        (10, body)
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = u128::from_str_radix(digits, radix).ok()?;
    if negative {
        let v = i128::try_from(magnitude).ok()?.checked_neg()?;
        i64::try_from(v).ok().map(|v| Value::Number(v.into())).or_else(|| float_value(v as f64))
    } else if let Ok(v) = i64::try_from(magnitude) {
        Some(Value::Number(v.into()))
    } else if let Ok(v) = u64::try_from(magnitude) {
        Some(Value::Number(v.into()))
    } else {
        float_value(magnitude as f64)
    }
}

fn float_value(f: f64) -> Option<Value> {
    Number::from_f64(f).map(Value::Number)
}

fn resolve_float(text: &str, schema: Schema) -> Option<Value> {
    let lower = text.trim_start_matches(['+', '-']);
    match lower {
        // JSON has no infinity or NaN; keep the text, as a JSON conversion would have to.
        ".inf" | ".Inf" | ".INF" | ".nan" | ".NaN" | ".NAN" => return Some(Value::String(text.to_string())),
        _ => {}
    }
    let cleaned;
    let t = if schema == Schema::Kubernetes && text.contains('_') {
        cleaned = text.replace('_', "");
        cleaned.as_str()
    } else {
        text
    };
    let bytes = t.trim_start_matches(['+', '-']).as_bytes();
    // The core schema's float: digits with an optional point and exponent; Rust's parser accepts more
    // ("inf", "nan", "1e"), so check the shape first.
    let mut i = 0;
    let mut digits = 0;
    while i < bytes.len() && bytes[i].is_ascii_digit() {
        i += 1;
        digits += 1;
    }
    let mut point = false;
    if i < bytes.len() && bytes[i] == b'.' {
        point = true;
        i += 1;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
            digits += 1;
        }
    }
    if digits == 0 {
        return None;
    }
    let mut exp = false;
    if i < bytes.len() && (bytes[i] == b'e' || bytes[i] == b'E') {
        exp = true;
        i += 1;
        if i < bytes.len() && (bytes[i] == b'+' || bytes[i] == b'-') {
            i += 1;
        }
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return None;
        }
    }
    if i != bytes.len() || !(point || exp) {
        return None;
    }
    t.parse::<f64>().ok().and_then(float_value)
}

/// Writes `value` as block-style YAML, the way kubectl prints objects (list items at their key's indent).
/// Strings that would read back as something else (`yes`, `1.0`, `~`, a leading `*`) are double-quoted.
pub fn to_yaml(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Object(m) if !m.is_empty() => emit_map(m, 0, &mut out),
        Value::Array(a) if !a.is_empty() => emit_seq(a, 0, &mut out),
        other => {
            out.push_str(&scalar(other));
            out.push('\n');
        }
    }
    out
}

fn emit_map(m: &Map<String, Value>, indent: usize, out: &mut String) {
    for (k, v) in m {
        out.push_str(&" ".repeat(indent));
        out.push_str(&scalar(&Value::String(k.clone())));
        out.push(':');
        emit_child(v, indent, true, out);
    }
}

fn emit_seq(a: &[Value], indent: usize, out: &mut String) {
    for v in a {
        out.push_str(&" ".repeat(indent));
        out.push('-');
        match v {
            Value::Object(m) if !m.is_empty() => {
                // The first key goes on the dash's line.
                let mut first = true;
                for (k, val) in m {
                    if first {
                        out.push(' ');
                        first = false;
                    } else {
                        out.push_str(&" ".repeat(indent + 2));
                    }
                    out.push_str(&scalar(&Value::String(k.clone())));
                    out.push(':');
                    emit_child(val, indent + 2, true, out);
                }
            }
            other => emit_child(other, indent, false, out),
        }
    }
}

fn emit_child(v: &Value, indent: usize, in_map: bool, out: &mut String) {
    match v {
        Value::Object(m) if !m.is_empty() => {
            out.push('\n');
            emit_map(m, indent + 2, out);
        }
        Value::Array(a) if !a.is_empty() => {
            out.push('\n');
            emit_seq(a, if in_map { indent } else { indent + 2 }, out);
        }
        other => {
            out.push(' ');
            out.push_str(&scalar(other));
            out.push('\n');
        }
    }
}

fn scalar(v: &Value) -> String {
    match v {
        Value::Null => "null".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => {
            let plain_ok = !s.is_empty()
                && resolve_plain(s, Schema::Kubernetes) == Value::String(s.clone())
                && !s.starts_with([
                    ' ', '-', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`',
                ])
                && !s.ends_with([' ', ':'])
                && !s.contains(": ")
                && !s.contains(" #")
                && !s.chars().any(|c| c.is_control());
            if plain_ok { s.clone() } else { Value::String(s.clone()).to_string() }
        }
        Value::Array(_) => "[]".to_string(),
        Value::Object(_) => "{}".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn yaml_output_reads_back_the_same() {
        let v = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "labels": {"a/b": "yes", "n": "1.0"}},
            "spec": {"containers": [{"name": "app", "image": "nginx:1", "args": ["-v", "", "a: b", "*x"],
                "securityContext": {"capabilities": {"drop": ["NET_RAW"]}, "readOnlyRootFilesystem": true}}],
                "volumes": [], "empty": {}, "n": null, "f": 1.5, "multi": "a\nb"}});
        let text = to_yaml(&v);
        assert!(text.contains("spec:\n  containers:\n  - name: app\n    image: nginx:1\n"), "{text}");
        assert!(text.contains("a/b: \"yes\""), "{text}");
        let back = load_documents(&text, Schema::Kubernetes, &Limits::default()).unwrap();
        assert_eq!(back[0].value, v, "{text}");
    }

    fn load(text: &str) -> Result<Vec<Document>, YamlError> {
        load_documents(text, Schema::Kubernetes, &Limits::default())
    }

    fn one(text: &str) -> Value {
        let docs = load(text).expect("valid yaml");
        assert_eq!(docs.len(), 1, "{docs:?}");
        docs[0].value.clone()
    }

    #[test]
    fn reads_a_pod_with_positions() {
        let docs = load("apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: app\n    image: nginx\n").unwrap();
        assert_eq!(
            docs[0].value,
            json!({"apiVersion": "v1", "kind": "Pod", "spec": {"containers": [{"name": "app", "image": "nginx"}]}})
        );
        let map = &docs[0].source_map;
        assert_eq!(map.get("/spec/containers/0/image"), Some((6, 12)));
        assert_eq!(map.get("/spec/containers/0"), Some((5, 5)));
        assert_eq!(map.nearest("/spec/containers/0/securityContext/privileged"), Some((5, 5)));
        assert_eq!(map.key("/spec/containers/0/image"), Some((6, 5)));
        assert_eq!(map.key("/kind"), Some((2, 1)));
    }

    #[test]
    fn several_documents_and_empty_ones() {
        let docs = load("a: 1\n---\n---\nb: 2\n").unwrap();
        assert_eq!(docs.len(), 3);
        assert_eq!(docs[1].value, Value::Null);
        assert_eq!(docs[2].value, json!({"b": 2}));
        assert_eq!(docs[2].line, 4);
        assert_eq!(docs[2].index, 2);
    }

    #[test]
    fn kubernetes_schema_reads_yaml_1_1_scalars() {
        assert_eq!(
            one(
                "a: yes\nb: off\nc: 0644\nd: 0x1F\ne: 1_000\nf: 1.5\ng: ~\nh: '0644'\ni: 1e3\nj: 9223372036854775808\nk: .inf"
            ),
            json!({"a": true, "b": false, "c": 420, "d": 31, "e": 1000, "f": 1.5, "g": null, "h": "0644",
                   "i": 1000.0, "j": 9223372036854775808u64, "k": ".inf"})
        );
    }

    #[test]
    fn core_schema_reads_yaml_1_2_scalars() {
        let docs = load_documents("a: yes\nb: 0644\nc: 0o17\nd: true\n", Schema::Core, &Limits::default()).unwrap();
        assert_eq!(docs[0].value, json!({"a": "yes", "b": 644, "c": 15, "d": true}));
    }

    #[test]
    fn quoted_continuation_lines_need_no_indentation_as_in_go_yaml() {
        let text = "spec:\n  properties:\n    allow:\n      description: \"When set to true the TLS is optional, defaults\n      to false.\"\n      type: boolean\n";
        let v = one(text);
        assert_eq!(
            v["spec"]["properties"]["allow"]["description"],
            "When set to true the TLS is optional, defaults to false."
        );
        assert_eq!(v["spec"]["properties"]["allow"]["type"], "boolean");
    }

    #[test]
    fn integers_and_floats_differ() {
        let v = one("a: 1\nb: 1.0\nc: -3\n");
        assert!(v["a"].is_i64());
        assert!(v["b"].is_f64());
        assert_ne!(v["a"], v["b"]);
        assert_eq!(v["c"], json!(-3));
    }

    #[test]
    fn tags_force_types() {
        assert_eq!(one("a: !!str 12\nb: !!int \"7\"\nc: !custom x\n"), json!({"a": "12", "b": 7, "c": "x"}));
        let err = load("a: !!int abc\n").unwrap_err();
        assert_eq!((err.line, err.column), (1, 4));
        assert!(err.message.contains("not a valid !!int"), "{err}");
    }

    #[test]
    fn anchors_aliases_and_merge_keys() {
        let v = one("base: &b\n  x: 1\n  z: 2\nthing:\n  <<: *b\n  z: 3\nlist: [*b]\n");
        assert_eq!(v["thing"], json!({"z": 3, "x": 1}));
        assert_eq!(v["list"], json!([{"x": 1, "z": 2}]));
    }

    #[test]
    fn non_string_keys_become_their_json_text() {
        assert_eq!(one("1: a\ntrue: b\n"), json!({"1": "a", "true": "b"}));
        // go-yaml v2 reads the plain key `y` as a boolean, so Kubernetes sees "true": we do the same.
        assert_eq!(one("y: 1\n"), json!({"true": 1}));
    }

    #[test]
    fn duplicate_keys_are_refused_with_both_lines() {
        let err = load("a: 1\nb: 2\na: 3\n").unwrap_err();
        assert_eq!(err.line, 3);
        assert_eq!(err.message, "duplicate key `a` (first written on line 1)");
    }

    #[test]
    fn syntax_errors_carry_a_position() {
        let err = load("a: 1\nb: [1, 2\nc: 3\n").unwrap_err();
        assert!(err.line >= 2, "{err}");
        let err = load("spec:\n\tcontainers: []\n").unwrap_err();
        assert_eq!(err.line, 2, "{err}");
        assert!(err.message.contains("tabs"), "{err}");
    }

    #[test]
    fn an_alias_bomb_is_refused_fast() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let prev = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"
            ));
        }
        let started = std::time::Instant::now();
        let err = load(&text).unwrap_err();
        assert!(err.message.contains("limits.max_nodes"), "{err}");
        // Generous: expansion of 10^10 nodes would take minutes and all memory.
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }

    #[test]
    fn depth_and_size_limits() {
        let limits = Limits { max_depth: 10, ..Limits::default() };
        let deep = "[".repeat(20) + &"]".repeat(20);
        let err = load_documents(&deep, Schema::Kubernetes, &limits).unwrap_err();
        assert!(err.message.contains("limits.max_depth"), "{err}");
        let limits = Limits { max_document_bytes: 8, ..Limits::default() };
        let err = load_documents("a: 123456789\n", Schema::Kubernetes, &limits).unwrap_err();
        assert!(err.message.contains("limits.max_document_bytes"), "{err}");
        let limits = Limits { max_documents: 2, ..Limits::default() };
        let err = load_documents("a: 1\n---\nb: 1\n---\nc: 1\n", Schema::Kubernetes, &limits).unwrap_err();
        assert!(err.message.contains("limits.max_documents"), "{err}");
        assert_eq!(err.line, 4);
    }

    #[test]
    fn pointer_escapes_slashes_and_tildes() {
        let docs = load("metadata:\n  annotations:\n    a/b~c: x\n").unwrap();
        assert_eq!(docs[0].source_map.get("/metadata/annotations/a~1b~0c"), Some((3, 12)));
    }
}
