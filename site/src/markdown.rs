//! Markdown to HTML with pulldown-cmark: heading anchors, admonitions, the MDX components of Docusaurus' theme
//! (`mdx.rs` splits the page at them), code blocks handed to the caller, links rewritten, raw HTML escaped. The
//! renderer sees a small context, never the whole site.

use std::collections::HashMap;
use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd};

use crate::html::escape;
use crate::mdx::{self, AttrValue, MdxError, Piece, Segment};

/// A heading of a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Heading {
    pub(crate) level: u8,
    pub(crate) id: String,
    pub(crate) text: String,
}

/// A fenced code block, with where it was written (byte offsets into the page's text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CodeBlock {
    /// The info string after the fence (`yaml expect=deny`).
    pub(crate) info: String,
    /// Offset of the info string's first byte.
    pub(crate) info_offset: usize,
    /// The code.
    pub(crate) code: String,
    /// Offset of the code's first line.
    pub(crate) code_offset: usize,
    /// Offset of the opening fence.
    pub(crate) fence_offset: usize,
}

/// A link destination and where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Link {
    pub(crate) dest: String,
    pub(crate) offset: usize,
}

/// What the renderer found, in document order.
#[derive(Debug, Clone, Default)]
pub(crate) struct Found {
    pub(crate) headings: Vec<Heading>,
    pub(crate) code_blocks: Vec<CodeBlock>,
    pub(crate) links: Vec<Link>,
    /// Byte ranges of code (fenced and indented), for checks that must skip code.
    pub(crate) code_ranges: Vec<Range<usize>>,
    /// MDX the page holds that guardrail cannot render (an unknown component, an unclosed tag).
    pub(crate) mdx_errors: Vec<MdxError>,
}

/// What the renderer asks of its caller.
pub(crate) trait Context {
    /// HTML for code block number `index` (in document order).
    fn code_block(&self, index: usize, block: &CodeBlock) -> String;
    /// The URL to put in the page for a link destination as written.
    fn link(&self, dest: &str) -> String;
}

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// A heading's id as Docusaurus makes it (github-slugger): lower case; letters, marks, digits, `-` and `_` kept;
/// every space a `-` (so `a -- b` is `a----b`: hyphens are neither collapsed nor trimmed); everything else dropped.
pub(crate) fn slugify(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.trim().chars() {
        if c == ' ' {
            out.push('-');
        } else if c.is_alphanumeric() || c == '-' || c == '_' || is_mark(c) {
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// Combining marks (`\p{M}`), which github-slugger keeps: the common blocks.
fn is_mark(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}' | '\u{0483}'..='\u{0489}' | '\u{0591}'..='\u{05BD}' | '\u{064B}'..='\u{065F}'
        | '\u{0900}'..='\u{0903}' | '\u{093A}'..='\u{094F}' | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}'
        | '\u{20D0}'..='\u{20FF}' | '\u{FE00}'..='\u{FE0F}' | '\u{FE20}'..='\u{FE2F}')
}

/// Unique heading ids as Docusaurus hands them out: the first `x`, then `x-1`, `x-2`, ... skipping any taken
/// (a heading `x-1` written before keeps its id, the next duplicate of `x` becomes `x-2`). An explicit `{#id}`
/// is used as written and takes no part.
#[derive(Default)]
pub(crate) struct Slugger {
    occurrences: HashMap<String, usize>,
}

impl Slugger {
    /// The id for a heading whose text is `text`.
    pub(crate) fn slug(&mut self, text: &str) -> String {
        let original = slugify(text);
        let original = if original.is_empty() { "section".to_string() } else { original };
        let mut result = original.clone();
        while self.occurrences.contains_key(&result) {
            let n = self.occurrences.entry(original.clone()).or_insert(0);
            *n += 1;
            result = format!("{original}-{n}");
        }
        self.occurrences.insert(result.clone(), 0);
        result
    }
}

struct State {
    found: Found,
    ids: Slugger,
    code_index: usize,
    /// Tab groups rendered so far, for unique element ids.
    tabs: usize,
}

/// A fenced code block's place among the page's `<details>`: the top-level `<details>` it is in (numbered from
/// 0 in page order) and the text of the `<summary>`s above it, the outermost first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BlockPlace {
    pub(crate) fence_offset: usize,
    pub(crate) group: Option<usize>,
    pub(crate) summaries: Vec<String>,
    pub(crate) info: String,
    pub(crate) code: String,
}

/// Every fenced code block of the page body `text[body_start..]` with its place among the `<details>`, read
/// before the page is rendered (a page's policies judge examples shown above them too).
pub(crate) fn block_places(text: &str, body_start: usize) -> Vec<BlockPlace> {
    fn walk(pieces: &[Piece], group: Option<usize>, summaries: &[String], next: &mut usize, out: &mut Vec<BlockPlace>) {
        for p in pieces {
            match p {
                Piece::Markdown(seg) => {
                    let mut iter = Parser::new_ext(&seg.src, options()).into_offset_iter();
                    while let Some((event, span)) = iter.next() {
                        if let Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) = event {
                            let mut code = String::new();
                            for (e, _) in iter.by_ref() {
                                match e {
                                    Event::End(TagEnd::CodeBlock) => break,
                                    Event::Text(t) => code.push_str(&t),
                                    _ => {}
                                }
                            }
                            out.push(BlockPlace {
                                fence_offset: seg.page_offset(span.start),
                                group,
                                summaries: summaries.to_vec(),
                                info: info.to_string(),
                                code,
                            });
                        }
                    }
                }
                Piece::Admonition { children, .. } => walk(children, group, summaries, next, out),
                Piece::Tabs { items, .. } => {
                    for item in items {
                        walk(&item.children, group, summaries, next, out);
                    }
                }
                Piece::Details { summary: own, children, .. } => {
                    let group = group.or_else(|| {
                        *next += 1;
                        Some(*next - 1)
                    });
                    let mut inner = summaries.to_vec();
                    inner.extend(own.as_ref().map(|seg| summary_text(&seg.src)));
                    walk(children, group, &inner, next, out);
                }
            }
        }
    }
    let (pieces, _) = mdx::split(text, body_start..text.len());
    let mut out = Vec::new();
    walk(&pieces, None, &[], &mut 0, &mut out);
    out
}

/// A `<summary>`'s words: its source without tags and Markdown emphasis.
fn summary_text(src: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in src.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if in_tag => {}
            '*' | '_' | '`' => out.push(' '),
            c => out.push(c),
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Renders the page body `text[body_start..]` and reports what it found.
pub(crate) fn render(text: &str, body_start: usize, ctx: &dyn Context) -> (String, Found) {
    let mut state = State { found: Found::default(), ids: Slugger::default(), code_index: 0, tabs: 0 };
    let mut html = String::with_capacity(text.len() * 2);
    let (pieces, errors) = mdx::split(text, body_start..text.len());
    state.found.mdx_errors = errors;
    render_pieces(text, &pieces, ctx, &mut state, &mut html);
    (html, state.found)
}

fn render_pieces(text: &str, pieces: &[Piece], ctx: &dyn Context, state: &mut State, html: &mut String) {
    for p in pieces {
        match p {
            Piece::Markdown(seg) => render_markdown(text, seg, ctx, state, html),
            Piece::Admonition { kind, title, children } => {
                let label = title.clone().unwrap_or_else(|| {
                    let mut k = kind.clone();
                    if let Some(f) = k.get_mut(0..1) {
                        f.make_ascii_uppercase();
                    }
                    k
                });
                html.push_str(&format!(
                    "<div class=\"admonition admonition-{kind}\" role=\"note\"><p class=\"admonition-title\">{}</p>\n",
                    escape(&label)
                ));
                render_pieces(text, children, ctx, state, html);
                html.push_str("</div>\n");
            }
            Piece::Details { open, summary, children } => {
                html.push_str(if *open { "<details class=\"details\" open>" } else { "<details class=\"details\">" });
                let mut title = String::new();
                match summary {
                    Some(seg) => render_markdown(text, seg, ctx, state, &mut title),
                    None => title.push_str("Details"),
                }
                let title = title.trim();
                let title = title.strip_prefix("<p>").and_then(|t| t.strip_suffix("</p>")).unwrap_or(title);
                html.push_str(&format!("<summary>{title}</summary>\n<div class=\"details-body\">\n"));
                render_pieces(text, children, ctx, state, html);
                html.push_str("</div></details>\n");
            }
            Piece::Tabs { group_id, default, items } => {
                state.tabs += 1;
                let selected = items
                    .iter()
                    .position(|i| i.default)
                    .or_else(|| default.as_ref().and_then(|d| items.iter().position(|i| &i.value == d)))
                    .unwrap_or(0);
                let group = group_id.as_ref().map(|g| format!(" data-group=\"{}\"", escape(g))).unwrap_or_default();
                html.push_str(&format!("<div class=\"tabs\"{group}><div class=\"tabs-list\" role=\"tablist\">"));
                for (n, item) in items.iter().enumerate() {
                    html.push_str(&format!(
                        "<button type=\"button\" role=\"tab\" class=\"tab\" id=\"tab-{t}-{n}\" aria-controls=\"tabpanel-{t}-{n}\" aria-selected=\"{}\" data-value=\"{}\">{}</button>",
                        n == selected,
                        escape(&item.value),
                        escape(&item.label),
                        t = state.tabs
                    ));
                }
                html.push_str("</div>\n");
                for (n, item) in items.iter().enumerate() {
                    html.push_str(&format!(
                        "<div class=\"tab-panel{}\" role=\"tabpanel\" id=\"tabpanel-{t}-{n}\" aria-labelledby=\"tab-{t}-{n}\" data-value=\"{}\"><p class=\"tab-panel-label\">{}</p>\n",
                        if n == selected { " active" } else { "" },
                        escape(&item.value),
                        escape(&item.label),
                        t = state.tabs
                    ));
                    render_pieces(text, &item.children, ctx, state, html);
                    html.push_str("</div>\n");
                }
                html.push_str("</div>\n");
            }
        }
    }
}

fn render_markdown(text: &str, seg: &Segment, ctx: &dyn Context, state: &mut State, html: &mut String) {
    let src = seg.src.as_str();
    let at = |o: usize| seg.page_offset(o);
    let mut events: Vec<Event<'_>> = Vec::new();
    // Text and raw HTML, gathered until something else comes, to read the inline JSX in them.
    let mut pending = String::new();
    // Where each piece of `pending` starts in it, in the page, and whether Markdown decoded it (an escape `\\<`
    // or an entity `&lt;`): such a `<` is a character, never the start of a JSX tag.
    let mut pending_at: Vec<(usize, usize, bool)> = Vec::new();
    let mut open_links = 0usize;
    let mut iter = Parser::new_ext(src, options()).into_offset_iter().peekable();
    while let Some((event, span)) = iter.next() {
        match event {
            Event::Start(Tag::Heading { level, id, classes: _, attrs: _ }) => {
                let mut inner = Vec::new();
                let mut plain = String::new();
                for (e, _) in iter.by_ref() {
                    match e {
                        Event::End(TagEnd::Heading(_)) => break,
                        Event::Text(ref t) | Event::Code(ref t) => {
                            plain.push_str(t);
                            inner.push(e);
                        }
                        other => inner.push(sanitize(other)),
                    }
                }
                let id = match id {
                    Some(explicit) => explicit.to_string(),
                    None => state.ids.slug(&plain),
                };
                let lvl = heading_level(level);
                state.found.headings.push(Heading { level: lvl, id: id.clone(), text: plain });
                let mut body = String::new();
                pulldown_cmark::html::push_html(&mut body, inner.into_iter());
                events.push(Event::Html(CowStr::from(format!(
                    "<h{lvl} id=\"{id}\"><a class=\"anchor\" href=\"#{id}\" aria-label=\"Link to this section\">#</a>{body}</h{lvl}>\n",
                    id = escape(&id)
                ))));
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                let (info, fence_offset) = match &kind {
                    CodeBlockKind::Fenced(info) => (info.to_string(), at(span.start)),
                    CodeBlockKind::Indented => (String::new(), at(span.start)),
                };
                let mut code = String::new();
                let mut code_offset = None;
                for (e, s) in iter.by_ref() {
                    match e {
                        Event::End(TagEnd::CodeBlock) => break,
                        Event::Text(t) => {
                            code_offset.get_or_insert(at(s.start));
                            code.push_str(&t);
                        }
                        _ => {}
                    }
                }
                state.found.code_ranges.push(at(span.start)..at(span.end));
                let info_offset = match &kind {
                    CodeBlockKind::Fenced(_) => {
                        let fence_line = &text[fence_offset..];
                        let after_ticks = fence_line.trim_start().trim_start_matches(['`', '~']);
                        fence_offset
                            + (fence_line.len() - after_ticks.len())
                            + (after_ticks.len() - after_ticks.trim_start().len())
                    }
                    CodeBlockKind::Indented => fence_offset,
                };
                let code_offset = code_offset.unwrap_or_else(|| {
                    // An empty block: its code would start on the line after the fence.
                    text[fence_offset..].find('\n').map_or(fence_offset, |n| fence_offset + n + 1)
                });
                let block = CodeBlock { info, info_offset, code, code_offset, fence_offset };
                let index = state.code_index;
                state.code_index += 1;
                events.push(Event::Html(CowStr::from(ctx.code_block(index, &block))));
                state.found.code_blocks.push(block);
            }
            Event::Start(Tag::Image { link_type, dest_url, title, id }) => {
                state.found.links.push(Link { dest: dest_url.to_string(), offset: at(span.start) });
                let url = ctx.link(&dest_url);
                events.push(Event::Start(Tag::Image { link_type, dest_url: CowStr::from(url), title, id }));
            }
            Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
                if !matches!(link_type, LinkType::Email) {
                    state.found.links.push(Link { dest: dest_url.to_string(), offset: at(span.start) });
                }
                let url = ctx.link(&dest_url);
                events.push(Event::Start(Tag::Link { link_type, dest_url: CowStr::from(url), title, id }));
            }
            Event::Text(t) | Event::Html(t) | Event::InlineHtml(t) => {
                // An entity's text differs from its source; a backslash escape's span starts after the backslash.
                let decoded = src.get(span.clone()).is_some_and(|raw| raw != &*t)
                    || (span.start > 0 && src.as_bytes().get(span.start - 1) == Some(&b'\\'));
                pending_at.push((pending.len(), at(span.start), decoded));
                pending.push_str(&t);
            }
            other => {
                inline_jsx(&mut pending, &mut pending_at, &mut events, &mut open_links, ctx, state);
                if matches!(other, Event::End(TagEnd::Paragraph)) {
                    // A link opened by JSX and never closed ends with its paragraph.
                    for _ in 0..std::mem::take(&mut open_links) {
                        events.push(Event::Html(CowStr::from("</a>")));
                    }
                }
                events.push(other);
            }
        }
        if !pending.is_empty()
            && !matches!(iter.peek(), Some((Event::Text(_) | Event::Html(_) | Event::InlineHtml(_), _)))
        {
            inline_jsx(&mut pending, &mut pending_at, &mut events, &mut open_links, ctx, state);
        }
    }
    inline_jsx(&mut pending, &mut pending_at, &mut events, &mut open_links, ctx, state);
    for _ in 0..open_links {
        events.push(Event::Html(CowStr::from("</a>")));
    }
    pulldown_cmark::html::push_html(html, events.into_iter());
}

/// Raw HTML written in Markdown is shown as text, never inserted: nothing a writer types becomes markup.
fn sanitize(e: Event<'_>) -> Event<'_> {
    match e {
        Event::Html(h) | Event::InlineHtml(h) => Event::Text(h),
        other => other,
    }
}

/// The path an `<img src>` or `<a href>` of MDX means: a string, `useBaseUrl('/x')`, `require('./x').default`,
/// `require('@site/static/x')` (the static folder's `/x`). `Err` for an expression guardrail cannot read.
fn jsx_url(v: &AttrValue) -> Result<String, String> {
    let e = match v {
        AttrValue::Str(s) => return Ok(s.clone()),
        AttrValue::True => return Err("has no value".into()),
        AttrValue::Expr(e) => e.trim(),
    };
    if let Some(s) = mdx::js_string(e) {
        return Ok(s);
    }
    let call = |name: &str| {
        let inner = e.strip_prefix(name)?.trim_start().strip_prefix('(')?;
        let close = inner.rfind(')')?;
        let rest = inner[close + 1..].trim();
        if !(rest.is_empty() || rest == ".default") {
            return None;
        }
        mdx::js_string(inner[..close].trim())
    };
    // `useBaseUrl('img/x.png')` is the site's `/img/x.png`: Docusaurus puts the base URL before any path that is
    // not an anchor, a URL with a protocol, or already under the base.
    let based = call("useBaseUrl").map(|p| {
        if p.is_empty() || p.starts_with(['/', '#']) || p.contains("://") || p.starts_with("mailto:") {
            p
        } else {
            format!("/{p}")
        }
    });
    let path = based.or_else(|| call("require")).ok_or_else(|| format!("`{{{e}}}`"))?;
    Ok(match path.strip_prefix("@site/static/") {
        Some(p) => format!("/{p}"),
        None => path,
    })
}

/// Emits `pending` (text and raw HTML as written) as events: the JSX guardrail renders (`<img>`, `<a>`, `<br>`)
/// becomes markup it writes itself, comments are dropped, other components are errors, and everything else is
/// text (escaped when written out).
fn inline_jsx(
    pending: &mut String,
    pending_at: &mut Vec<(usize, usize, bool)>,
    events: &mut Vec<Event<'_>>,
    open_links: &mut usize,
    ctx: &dyn Context,
    state: &mut State,
) {
    if pending.is_empty() {
        return;
    }
    let s = std::mem::take(pending);
    let map = std::mem::take(pending_at);
    let piece = |o: usize| map.get(map.partition_point(|(p, _, _)| *p <= o).saturating_sub(1));
    let page_at = |o: usize| piece(o).map_or(o, |(p, at, _)| at + (o - p));
    // A decoded piece's first character is what was escaped (`\\<`) or the whole piece was an entity (`&lt;`).
    let decoded = |o: usize| piece(o).is_some_and(|(p, _, decoded)| *decoded && *p == o);
    let mut literal = String::new();
    let flush = |literal: &mut String, events: &mut Vec<Event<'_>>| {
        if !literal.is_empty() {
            events.push(Event::Text(CowStr::from(std::mem::take(literal))));
        }
    };
    let mut i = 0;
    while i < s.len() {
        let rest = &s[i..];
        let skip = if rest.starts_with("{/*") {
            rest.find("*/}").map(|e| e + 3)
        } else if rest.starts_with("<!--") {
            rest.find("-->").map(|e| e + 3)
        } else {
            None
        };
        if let Some(n) = skip {
            i += n;
            continue;
        }
        if rest.starts_with('<') && !decoded(i) {
            if let Some(tag) = mdx::jsx_tag(rest) {
                let name = tag.name.as_str();
                let mut handled = true;
                match (name.to_ascii_lowercase().as_str(), tag.closing) {
                    ("img", false) => match tag.attr("src").map(jsx_url) {
                        Some(Ok(path)) => {
                            state.found.links.push(Link { dest: path.clone(), offset: page_at(i) });
                            let alt = tag.str_attr("alt").unwrap_or_default();
                            let mut extra = String::new();
                            for a in ["width", "height", "title"] {
                                if let Some(v) = tag.str_attr(a).or_else(|| match tag.attr(a) {
                                    Some(AttrValue::Expr(e)) if e.trim().chars().all(|c| c.is_ascii_digit()) => {
                                        Some(e.trim().to_string())
                                    }
                                    _ => None,
                                }) {
                                    extra.push_str(&format!(" {a}=\"{}\"", escape(&v)));
                                }
                            }
                            flush(&mut literal, events);
                            events.push(Event::Html(CowStr::from(format!(
                                "<img src=\"{}\" alt=\"{}\"{extra} />",
                                escape(&ctx.link(&path)),
                                escape(&alt)
                            ))));
                        }
                        Some(Err(why)) => {
                            state.found.mdx_errors.push(MdxError {
                                offset: page_at(i),
                                width: tag.len,
                                message: format!("<img> source {why} cannot be read without running JavaScript"),
                                help: "write src=\"/img/x.png\", src={useBaseUrl('/img/x.png')} or src={require('./x.png').default}".into(),
                            });
                        }
                        None => state.found.mdx_errors.push(MdxError {
                            offset: page_at(i),
                            width: tag.len,
                            message: "<img> without a `src`".into(),
                            help: "give the image a src".into(),
                        }),
                    },
                    ("a", false) => match tag.attr("href").map(jsx_url) {
                        Some(Ok(path)) => {
                            state.found.links.push(Link { dest: path.clone(), offset: page_at(i) });
                            flush(&mut literal, events);
                            events
                                .push(Event::Html(CowStr::from(format!("<a href=\"{}\">", escape(&ctx.link(&path))))));
                            *open_links += 1;
                        }
                        Some(Err(why)) => state.found.mdx_errors.push(MdxError {
                            offset: page_at(i),
                            width: tag.len,
                            message: format!("<a> target {why} cannot be read without running JavaScript"),
                            help: "write href=\"/docs/page\" or href={useBaseUrl('/x')}".into(),
                        }),
                        None => handled = false,
                    },
                    ("a", true) if *open_links > 0 => {
                        flush(&mut literal, events);
                        events.push(Event::Html(CowStr::from("</a>")));
                        *open_links -= 1;
                    }
                    ("br", false) => {
                        flush(&mut literal, events);
                        events.push(Event::Html(CowStr::from("<br />")));
                    }
                    _ if name.starts_with(|c: char| c.is_ascii_uppercase()) => {
                        if let Some(e) =
                            mdx::unknown_component(&state.found.mdx_errors, name, tag.closing, page_at(i), tag.len)
                        {
                            state.found.mdx_errors.push(e);
                        }
                    }
                    _ => handled = false,
                }
                if handled {
                    i += tag.len;
                    continue;
                }
            }
        }
        // Up to the next place a tag or a comment may begin, as it is.
        let c = rest.chars().next().map_or(1, char::len_utf8);
        let run = rest[c..].find(['<', '{']).map_or(rest.len(), |n| n + c);
        literal.push_str(&rest[..run]);
        i += run;
    }
    flush(&mut literal, events);
}

fn heading_level(l: HeadingLevel) -> u8 {
    match l {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_are_placed_in_their_top_level_details_with_their_summaries() {
        let page = "# T\n\n```yaml\na: 1\n```\n\n<details>\n<summary>group-one</summary>\n\n<details>\n<summary>**example**-allowed</summary>\n\n```yaml\nb: 2\n```\n\n</details>\n</details>\n\n:::note\n\n<details>\n<summary>two</summary>\n\n```yaml title=\"x\"\nc: 3\n```\n\n</details>\n\n:::\n";
        let places = block_places(page, 0);
        let got: Vec<(Option<usize>, Vec<&str>, &str)> =
            places.iter().map(|p| (p.group, p.summaries.iter().map(String::as_str).collect(), p.code.trim())).collect();
        assert_eq!(
            got,
            [
                (None, vec![], "a: 1"),
                (Some(0), vec!["group-one", "example -allowed"], "b: 2"),
                (Some(1), vec!["two"], "c: 3"),
            ]
        );
        // The offsets are the fences' in the page, as the renderer reports them.
        assert!(page[places[1].fence_offset..].starts_with("```yaml\nb: 2"));
        assert_eq!(places[2].info, "yaml title=\"x\"");
    }

    struct Plain;
    impl Context for Plain {
        fn code_block(&self, index: usize, block: &CodeBlock) -> String {
            format!("<pre data-i=\"{index}\">{}</pre>", escape(&block.code))
        }
        fn link(&self, dest: &str) -> String {
            dest.replace(".md", "/")
        }
    }

    #[test]
    fn headings_get_unique_anchors() {
        let (html, found) =
            render("# Title\n\n## Security Features\n\n## Security Features\n\n### `code` {#custom}\n", 0, &Plain);
        let ids: Vec<&str> = found.headings.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["title", "security-features", "security-features-1", "custom"]);
        assert!(
            html.contains("<h2 id=\"security-features\"><a class=\"anchor\" href=\"#security-features\""),
            "{html}"
        );
        assert!(html.contains("<h3 id=\"custom\"><a class=\"anchor\" href=\"#custom\" aria-label=\"Link to this section\">#</a><code>code</code></h3>"), "{html}");
    }

    #[test]
    fn code_blocks_are_handed_out_with_offsets() {
        let text = "intro\n\n```yaml expect=deny\na: 1\n```\n";
        let (html, found) = render(text, 0, &Plain);
        let b = &found.code_blocks[0];
        assert_eq!(b.info, "yaml expect=deny");
        assert_eq!(&text[b.info_offset..b.info_offset + 4], "yaml");
        assert_eq!(&text[b.code_offset..b.code_offset + 4], "a: 1");
        assert!(html.contains("<pre data-i=\"0\">a: 1\n</pre>"), "{html}");
        assert_eq!(found.code_ranges.len(), 1);
    }

    #[test]
    fn admonitions_wrap_markdown() {
        let text = ":::warning Careful here\n\nSome **bold** text.\n\n```yaml\n:::\n```\n\n:::\n\nAfter.\n";
        let (html, found) = render(text, 0, &Plain);
        assert!(html.starts_with("<div class=\"admonition admonition-warning\" role=\"note\"><p class=\"admonition-title\">Careful here</p>"), "{html}");
        assert!(html.contains("<strong>bold</strong>"));
        assert!(html.contains("</div>\n<p>After.</p>"), "{html}");
        assert_eq!(found.code_blocks[0].code, ":::\n");
        let (html, _) = render(":::tip\nNo blank lines\n:::\n", 0, &Plain);
        assert!(html.contains("<p class=\"admonition-title\">Tip</p>\n<p>No blank lines</p>"), "{html}");
    }

    #[test]
    fn raw_html_is_escaped_and_links_rewritten() {
        let (html, found) =
            render("<script>alert(1)</script>\n\nSee [the page](other.md#x) and <b>bold</b>.\n", 0, &Plain);
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(html.contains("&lt;b&gt;"), "{html}");
        assert!(html.contains("href=\"other/#x\""), "{html}");
        assert_eq!(found.links[0].dest, "other.md#x");
    }

    #[test]
    fn use_base_url_without_a_leading_slash_is_the_sites_path() {
        let (html, found) =
            render("<img src={useBaseUrl(\"img/x.png\")} />\n\n<a href={useBaseUrl('#top')}>top</a>\n", 0, &Plain);
        assert!(html.contains("<img src=\"/img/x.png\""), "{html}");
        let dests: Vec<&str> = found.links.iter().map(|l| l.dest.as_str()).collect();
        assert_eq!(dests, ["/img/x.png", "#top"]);
    }

    #[test]
    fn mdx_escapes_and_entities_are_text() {
        let text = "Set \\<ENV\\> or &lt;ENV&gt; to `<ENV>`, then run it.\n\n- \\<cluster-name\\>: the name\n";
        let (html, found) = render(text, 0, &Plain);
        assert!(found.mdx_errors.is_empty(), "{:?}", found.mdx_errors);
        assert_eq!(html.matches("&lt;ENV&gt;").count(), 3, "{html}");
        assert!(html.contains("&lt;cluster-name&gt;: the name"), "{html}");
    }

    #[test]
    fn tables_footnotes_tasks_strikethrough() {
        let (html, _) =
            render("| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done\n\n~~old~~ text[^1]\n\n[^1]: note\n", 0, &Plain);
        assert!(html.contains("<table>"));
        assert!(html.contains("type=\"checkbox\""));
        assert!(html.contains("<del>old</del>"));
        assert!(html.contains("footnote"));
    }

    #[test]
    fn mdx_images_links_and_comments_render_and_the_rest_stays_text() {
        let text = "import useBaseUrl from '@docusaurus/useBaseUrl';\n\nSee <img src={useBaseUrl(\"/img/a.png\")} alt=\"A <b>\" width={300} /> and <a href={useBaseUrl('/x.md')}>the *x* page</a>.{/* hidden */}<br/>\n\n<img src={require('@site/static/img/b.png').default} />\n\n<div onclick=\"x\">kept as text</div> <!-- gone -->\n";
        let (html, found) = render(text, 0, &Plain);
        assert!(!html.contains("import"), "{html}");
        assert!(html.contains("<img src=\"/img/a.png\" alt=\"A &lt;b&gt;\" width=\"300\" />"), "{html}");
        assert!(html.contains("<a href=\"/x/\">the <em>x</em> page</a>"), "{html}");
        assert!(html.contains("<br />"), "{html}");
        assert!(html.contains("<img src=\"/img/b.png\" alt=\"\" />"), "{html}");
        assert!(html.contains("&lt;div onclick=\"x\"&gt;kept as text&lt;/div&gt;"), "{html}");
        assert!(!html.contains("hidden") && !html.contains("gone"), "{html}");
        let dests: Vec<&str> = found.links.iter().map(|l| l.dest.as_str()).collect();
        assert_eq!(dests, ["/img/a.png", "/x.md", "/img/b.png"]);
        assert_eq!(&text[found.links[0].offset..found.links[0].offset + 4], "<img");
        assert!(found.mdx_errors.is_empty(), "{:?}", found.mdx_errors);
        let (html, found) = render("Text <Highlight color=\"red\">hi</Highlight> and <img src={logo} />\n", 0, &Plain);
        let messages: Vec<&str> = found.mdx_errors.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "the MDX component <Highlight> is not one guardrail renders",
                "<img> source `{logo}` cannot be read without running JavaScript"
            ]
        );
        assert!(!html.contains("Highlight"), "never printed as text: {html}");
    }

    #[test]
    fn tabs_and_details_render_as_html_that_works_without_script() {
        let text = "<Tabs groupId=\"os\">\n  <TabItem value=\"linux\" label=\"Linux\">\n\n    ```yaml\n    a: 1\n    ```\n\n  </TabItem>\n  <TabItem value=\"mac\" label=\"macOS\" default>\n    Mac **text**\n  </TabItem>\n</Tabs>\n\n<details>\n  <summary>More `info`</summary>\n\n  Hidden.\n</details>\n";
        let (html, found) = render(text, 0, &Plain);
        assert!(found.mdx_errors.is_empty(), "{:?}", found.mdx_errors);
        assert!(
            html.starts_with("<div class=\"tabs\" data-group=\"os\"><div class=\"tabs-list\" role=\"tablist\">"),
            "{html}"
        );
        assert!(html.contains("aria-selected=\"false\" data-value=\"linux\">Linux</button>"), "{html}");
        assert!(html.contains("aria-selected=\"true\" data-value=\"mac\">macOS</button>"), "{html}");
        assert!(html.contains("<div class=\"tab-panel active\" role=\"tabpanel\" id=\"tabpanel-1-1\""), "{html}");
        assert!(html.contains("<p class=\"tab-panel-label\">Linux</p>\n<pre data-i=\"0\">a: 1\n</pre>"), "{html}");
        assert!(html.contains("<p>Mac <strong>text</strong></p>"), "{html}");
        assert!(html.contains("<details class=\"details\"><summary>More <code>info</code></summary>"), "{html}");
        assert!(html.contains("<p>Hidden.</p>\n</div></details>"), "{html}");
        // The example inside a tab keeps its place in the page.
        let b = &found.code_blocks[0];
        assert_eq!(&text[b.code_offset..b.code_offset + 4], "a: 1");
        assert_eq!(&text[b.info_offset..b.info_offset + 4], "yaml");
    }

    #[test]
    fn slugs_are_github_sluggers() {
        assert_eq!(slugify("Constraint Policies"), "constraint-policies");
        assert_eq!(slugify("What's `NET_RAW`?"), "whats-net_raw");
        // Docusaurus keeps repeated hyphens: Gatekeeper's docs link to this one.
        assert_eq!(
            slugify("Exempting namespaces using --exempt-namespace flag"),
            "exempting-namespaces-using---exempt-namespace-flag"
        );
        assert_eq!(slugify("Step 1: install (v3.20+)"), "step-1-install-v320");
        assert_eq!(slugify("Über Größe"), "über-größe");
        assert_eq!(slugify("🚀 Launch"), "-launch");
        assert_eq!(slugify("a.b/c"), "abc");
        assert_eq!(slugify("C++ & Rust"), "c--rust");
        let mut s = Slugger::default();
        let ids: Vec<String> = ["a", "a", "a-1", "a", "b"].iter().map(|t| s.slug(t)).collect();
        assert_eq!(ids, ["a", "a-1", "a-1-1", "a-2", "b"]);
    }
}
