//! Markdown to HTML with pulldown-cmark: heading anchors, admonitions, code blocks handed to the caller, links
//! rewritten, raw HTML escaped. The renderer sees a small context, never the whole site.

use std::collections::HashMap;
use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd};

use crate::html::escape;

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
}

/// What the renderer asks of its caller.
pub(crate) trait Context {
    /// HTML for code block number `index` (in document order).
    fn code_block(&self, index: usize, block: &CodeBlock) -> String;
    /// The URL to put in the page for a link destination as written.
    fn link(&self, dest: &str) -> String;
}

const ADMONITIONS: &[&str] = &["note", "tip", "info", "warning", "danger", "caution"];

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// A piece of the body: Markdown, or an admonition holding more pieces.
#[derive(Debug)]
enum Piece {
    Markdown(Range<usize>),
    Admonition { kind: String, title: Option<String>, children: Vec<Piece> },
}

/// Splits `text[range]` at Docusaurus admonition fences (`:::note Title` … `:::`), skipping fenced code.
fn split_admonitions(text: &str, range: Range<usize>) -> Vec<Piece> {
    let mut stack: Vec<(String, Option<String>, Vec<Piece>)> = Vec::new();
    let mut top: Vec<Piece> = Vec::new();
    let mut start = range.start;
    let mut pos = range.start;
    let mut fence: Option<String> = None;
    for line in text[range.clone()].split_inclusive('\n') {
        let line_start = pos;
        pos += line.len();
        let trimmed = line.trim_start();
        let t = trimmed.trim_end();
        if let Some(f) = &fence {
            if t.starts_with(f.as_str()) && t.chars().all(|c| c == f.chars().next().unwrap_or('`')) {
                fence = None;
            }
            continue;
        }
        if t.starts_with("```") || t.starts_with("~~~") {
            let ch = t.chars().next().unwrap_or('`');
            fence = Some(t.chars().take_while(|c| *c == ch).collect());
            continue;
        }
        let Some(rest) = t.strip_prefix(":::") else { continue };
        let current =
            |stack: &mut Vec<(String, Option<String>, Vec<Piece>)>, top: &mut Vec<Piece>, p: Piece| match stack
                .last_mut()
            {
                Some((_, _, children)) => children.push(p),
                None => top.push(p),
            };
        if rest.is_empty() {
            if let Some((kind, title, children)) = stack.pop() {
                let mut children = children;
                if start < line_start {
                    children.push(Piece::Markdown(start..line_start));
                }
                current(&mut stack, &mut top, Piece::Admonition { kind, title, children });
                start = pos;
            }
            continue;
        }
        let (kind, title) = match rest.split_once(char::is_whitespace) {
            Some((k, t)) => (k, Some(t.trim().to_string()).filter(|t| !t.is_empty())),
            None => (rest, None),
        };
        if !ADMONITIONS.contains(&kind) {
            continue;
        }
        if start < line_start {
            current(&mut stack, &mut top, Piece::Markdown(start..line_start));
        }
        stack.push((kind.to_string(), title, Vec::new()));
        start = pos;
    }
    // Unclosed admonitions run to the end of the page.
    let end = range.end;
    if start < end {
        match stack.last_mut() {
            Some((_, _, children)) => children.push(Piece::Markdown(start..end)),
            None => top.push(Piece::Markdown(start..end)),
        }
    }
    while let Some((kind, title, children)) = stack.pop() {
        let p = Piece::Admonition { kind, title, children };
        match stack.last_mut() {
            Some((_, _, c)) => c.push(p),
            None => top.push(p),
        }
    }
    top
}

/// GitHub/Docusaurus-style heading ids: lower case, letters and digits kept, spaces become `-`.
pub(crate) fn slugify(text: &str) -> String {
    let mut out = String::new();
    for c in text.trim().chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if (c == ' ' || c == '-' || c == '_') && !out.ends_with('-') {
            out.push(if c == '_' { '_' } else { '-' });
        }
    }
    out.trim_matches('-').to_string()
}

struct State {
    found: Found,
    ids: HashMap<String, usize>,
    code_index: usize,
}

impl State {
    fn unique_id(&mut self, wanted: String) -> String {
        let base = if wanted.is_empty() { "section".to_string() } else { wanted };
        let n = self.ids.entry(base.clone()).or_insert(0);
        *n += 1;
        if *n == 1 { base } else { format!("{base}-{}", *n - 1) }
    }
}

/// Renders the page body `text[body_start..]` and reports what it found.
pub(crate) fn render(text: &str, body_start: usize, ctx: &dyn Context) -> (String, Found) {
    let mut state = State { found: Found::default(), ids: HashMap::new(), code_index: 0 };
    let mut html = String::with_capacity(text.len() * 2);
    let pieces = split_admonitions(text, body_start..text.len());
    render_pieces(text, &pieces, ctx, &mut state, &mut html);
    (html, state.found)
}

fn render_pieces(text: &str, pieces: &[Piece], ctx: &dyn Context, state: &mut State, html: &mut String) {
    for p in pieces {
        match p {
            Piece::Markdown(r) => render_markdown(text, r.clone(), ctx, state, html),
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
        }
    }
}

fn render_markdown(text: &str, range: Range<usize>, ctx: &dyn Context, state: &mut State, html: &mut String) {
    let base = range.start;
    let src = &text[range];
    let mut events: Vec<Event<'_>> = Vec::new();
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
                let id = state.unique_id(id.map(|i| i.to_string()).unwrap_or_else(|| slugify(&plain)));
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
                    CodeBlockKind::Fenced(info) => (info.to_string(), base + span.start),
                    CodeBlockKind::Indented => (String::new(), base + span.start),
                };
                let mut code = String::new();
                let mut code_offset = None;
                for (e, s) in iter.by_ref() {
                    match e {
                        Event::End(TagEnd::CodeBlock) => break,
                        Event::Text(t) => {
                            code_offset.get_or_insert(base + s.start);
                            code.push_str(&t);
                        }
                        _ => {}
                    }
                }
                state.found.code_ranges.push(base + span.start..base + span.end);
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
                state.found.links.push(Link { dest: dest_url.to_string(), offset: base + span.start });
                let url = ctx.link(&dest_url);
                events.push(Event::Start(Tag::Image { link_type, dest_url: CowStr::from(url), title, id }));
            }
            Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
                if !matches!(link_type, LinkType::Email) {
                    state.found.links.push(Link { dest: dest_url.to_string(), offset: base + span.start });
                }
                let url = ctx.link(&dest_url);
                events.push(Event::Start(Tag::Link { link_type, dest_url: CowStr::from(url), title, id }));
            }
            other => events.push(sanitize(other)),
        }
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
    fn tables_footnotes_tasks_strikethrough() {
        let (html, _) =
            render("| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done\n\n~~old~~ text[^1]\n\n[^1]: note\n", 0, &Plain);
        assert!(html.contains("<table>"));
        assert!(html.contains("type=\"checkbox\""));
        assert!(html.contains("<del>old</del>"));
        assert!(html.contains("footnote"));
    }

    #[test]
    fn slugs() {
        assert_eq!(slugify("Constraint Policies"), "constraint-policies");
        assert_eq!(slugify("What's `NET_RAW`?"), "whats-net_raw");
    }
}
