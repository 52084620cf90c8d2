//! Pages of `content/`: front matter (Docusaurus fields), URLs, and the source-level checks (conflict markers).

use std::path::{Path, PathBuf};

use guardrail_engine::yaml::{self, Schema};
use serde_json::Value;

use crate::diagnostics::Diagnostic;
use crate::walk::{self, Links, WalkError};

/// The Docusaurus front-matter fields guardrail reads.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FrontMatter {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) description: Option<String>,
    pub(crate) sidebar_position: Option<f64>,
    pub(crate) sidebar_label: Option<String>,
    pub(crate) sidebar_class_name: Option<String>,
    pub(crate) slug: Option<String>,
    pub(crate) hide_title: bool,
    pub(crate) hide_table_of_contents: bool,
    /// The heading levels the table of contents lists (Docusaurus: 2 to 3).
    pub(crate) toc_levels: (u8, u8),
    pub(crate) pagination_label: Option<String>,
    /// `pagination_next`/`pagination_prev`: `None` when unset, `Some(None)` when `null` (no link), else a doc id.
    pub(crate) pagination_next: Option<Option<String>>,
    pub(crate) pagination_prev: Option<Option<String>>,
    /// `custom_edit_url`: `Some(None)` when `null` (no edit link for this page).
    pub(crate) custom_edit_url: Option<Option<String>>,
    /// Checked, never published: not written, listed or searched.
    pub(crate) draft: bool,
    /// Published, but not listed in the sidebar, search, pager or sitemap, and marked `noindex`.
    pub(crate) unlisted: bool,
    pub(crate) keywords: Vec<String>,
    pub(crate) tags: Vec<String>,
    pub(crate) image: Option<String>,
    /// `last_update: {date: ...}`: the date to show instead of the last commit's.
    pub(crate) last_update: Option<String>,
}

impl Default for FrontMatter {
    fn default() -> Self {
        FrontMatter {
            id: String::new(),
            title: String::new(),
            description: None,
            sidebar_position: None,
            sidebar_label: None,
            sidebar_class_name: None,
            slug: None,
            hide_title: false,
            hide_table_of_contents: false,
            toc_levels: (2, 3),
            pagination_label: None,
            pagination_next: None,
            pagination_prev: None,
            custom_edit_url: None,
            draft: false,
            unlisted: false,
            keywords: Vec::new(),
            tags: Vec::new(),
            image: None,
            last_update: None,
        }
    }
}

/// Every field of Docusaurus' doc front matter: the ones above are honoured, the rest accepted (they concern
/// features guardrail has no counterpart for: custom sidebar props, which sidebar to show, MDX format, dates
/// of other tools).
const KNOWN_KEYS: &[&str] = &[
    "id",
    "title",
    "description",
    "slug",
    "sidebar_label",
    "sidebar_position",
    "sidebar_class_name",
    "sidebar_custom_props",
    "sidebar_key",
    "displayed_sidebar",
    "hide_title",
    "hide_table_of_contents",
    "toc_min_heading_level",
    "toc_max_heading_level",
    "pagination_label",
    "pagination_next",
    "pagination_prev",
    "parse_number_prefixes",
    "custom_edit_url",
    "keywords",
    "image",
    "tags",
    "draft",
    "unlisted",
    "last_update",
    "format",
];

/// A Markdown page.
#[derive(Debug, Clone)]
pub(crate) struct Page {
    /// Path relative to the site root, with `/` separators (`content/security.md`).
    pub(crate) file: String,
    /// The whole file.
    pub(crate) text: String,
    /// Byte offset where the Markdown body starts (after the front matter).
    pub(crate) body_start: usize,
    pub(crate) front: FrontMatter,
    /// Path relative to `content/` without extension (`security`, `guides/writing`, `index`).
    pub(crate) stem: String,
    /// The page's URL path below the base URL, ending in `/` (`security/`, `` for the index).
    pub(crate) url: String,
    /// The date the page last changed (its front matter's `last_update`, else its last commit), when the site
    /// shows it.
    pub(crate) last_updated: Option<String>,
}

impl Page {
    /// Where the page is written in the output (`security/index.html`).
    pub(crate) fn output_path(&self) -> String {
        format!("{}index.html", self.url)
    }
}

/// A path segment's Docusaurus number prefix (`01-intro` → (1, `intro`)); `None` when it has none (`2023`,
/// `intro`, `1-`).
pub(crate) fn number_prefix(seg: &str) -> Option<(f64, &str)> {
    let digits = seg.len() - seg.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    if digits == 0 {
        return None;
    }
    let rest = seg[digits..].trim_start();
    let sep = rest.len() - rest.trim_start_matches(['-', '_', '.']).len();
    if sep == 0 {
        return None;
    }
    let name = rest[sep..].trim_start();
    if name.is_empty() || name.starts_with(['-', '_', '.']) {
        return None;
    }
    Some((seg[..digits].parse().ok()?, name))
}

/// A content path with the number prefixes of its segments removed, as Docusaurus makes ids and URLs.
pub(crate) fn without_number_prefixes(path: &str) -> String {
    path.split('/').map(|s| number_prefix(s).map_or(s, |(_, n)| n)).collect::<Vec<_>>().join("/")
}

/// Reads a page: front matter and URL. `file` is the root-relative path used in diagnostics.
pub(crate) fn read_page(file: &str, stem: &str, text: String) -> Result<Page, Vec<Diagnostic>> {
    let (mut front, body_start) = parse_front_matter(file, &text, stem).map_err(|d| vec![d])?;
    let last = stem.rsplit('/').next().unwrap_or(stem);
    if front.sidebar_position.is_none() {
        front.sidebar_position = number_prefix(last).map(|(n, _)| n);
    }
    let mut path = without_number_prefixes(stem);
    // An `id` in the front matter names the page's last URL segment, as in Docusaurus (index pages keep their
    // folder's URL).
    let file_id = path.rsplit('/').next().unwrap_or("").to_string();
    if front.id != file_id && file_id != "index" && file_id != "README" && !front.id.is_empty() {
        path = match path.rsplit_once('/') {
            Some((dir, _)) => format!("{dir}/{}", front.id),
            None => front.id.clone(),
        };
    }
    let url = match &front.slug {
        Some(slug) => {
            let s = slug.trim_matches('/');
            if s.is_empty() { String::new() } else { format!("{s}/") }
        }
        None if path == "index" || path == "README" => String::new(),
        None => format!("{}/", path.trim_end_matches("/index").trim_end_matches("/README")),
    };
    Ok(Page { file: file.to_string(), text, body_start, front, stem: stem.to_string(), url, last_updated: None })
}

fn parse_front_matter(file: &str, text: &str, stem: &str) -> Result<(FrontMatter, usize), Diagnostic> {
    let last = stem.rsplit('/').next().unwrap_or(stem);
    let default_id = number_prefix(last).map_or(last, |(_, n)| n).to_string();
    let mut fm = FrontMatter { id: default_id.clone(), ..FrontMatter::default() };
    let Some(rest) = text.strip_prefix("---\n").or_else(|| text.strip_prefix("---\r\n")) else {
        fm.title = first_heading(text).unwrap_or_else(|| default_id.clone());
        return Ok((fm, 0));
    };
    let open_len = text.len() - rest.len();
    let mut end = None;
    let mut pos = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim_end() == "---" {
            end = Some((pos, pos + line.len()));
            break;
        }
        pos += line.len();
    }
    let Some((yaml_end, close_end)) = end else {
        return Err(Diagnostic::error("front matter is not closed: no `---` line after the opening one", file, 1, 1)
            .width(3)
            .help("end the front matter with a line `---`"));
    };
    let yaml_text = &rest[..yaml_end];
    let docs = yaml::load_documents(yaml_text, Schema::Core, &Default::default())
        .map_err(|e| Diagnostic::error(format!("invalid front matter: {}", e.message), file, e.line + 1, e.column))?;
    let value = docs.first().map(|d| d.value.clone()).unwrap_or(Value::Null);
    let source_map = docs.first().map(|d| d.source_map.clone()).unwrap_or_default();
    let at = |key: &str| source_map.key(&format!("/{key}")).map_or((2, 1), |(l, c)| (l + 1, c));
    let map = match value {
        Value::Null => serde_json::Map::new(),
        Value::Object(m) => m,
        _ => return Err(Diagnostic::error("front matter must be a YAML mapping", file, 2, 1)),
    };
    for (k, v) in &map {
        let (line, col) = at(k);
        let bad = |what: &str| {
            Diagnostic::error(format!("invalid front matter: `{k}` must be {what}"), file, line, col).width(k.len())
        };
        // Docusaurus reads a number where a string is asked as its text (`title: 101`, `tags: [2021]`).
        let string = |v: &Value| match v {
            Value::String(s) => Ok(s.clone()),
            Value::Number(n) => Ok(n.to_string()),
            _ => Err(bad("a string")),
        };
        let flag = |v: &Value| v.as_bool().ok_or_else(|| bad("true or false"));
        let doc_or_null = |v: &Value| match v {
            Value::Null => Ok(None),
            Value::String(s) => Ok(Some(s.clone())),
            _ => Err(bad("a doc id or null")),
        };
        let strings = |v: &Value| match v {
            Value::Array(items) => items
                .iter()
                .map(|i| match i {
                    Value::String(s) => Ok(s.clone()),
                    Value::Number(n) => Ok(n.to_string()),
                    // A tag may be {label, permalink}.
                    Value::Object(m) => m
                        .get("label")
                        .and_then(Value::as_str)
                        .map(str::to_string)
                        .ok_or_else(|| bad("a list of strings")),
                    _ => Err(bad("a list of strings")),
                })
                .collect::<Result<Vec<_>, _>>(),
            Value::String(s) => Ok(s.split(',').map(|t| t.trim().to_string()).filter(|t| !t.is_empty()).collect()),
            _ => Err(bad("a list of strings")),
        };
        let level = |v: &Value| match v.as_u64() {
            Some(n @ 2..=6) => Ok(n as u8),
            _ => Err(bad("a heading level from 2 to 6")),
        };
        match k.as_str() {
            "id" => fm.id = string(v)?,
            "title" => fm.title = string(v)?,
            "description" => fm.description = Some(string(v)?),
            "sidebar_label" => fm.sidebar_label = Some(string(v)?),
            "sidebar_class_name" => fm.sidebar_class_name = Some(string(v)?),
            "pagination_label" => fm.pagination_label = Some(string(v)?),
            "image" => fm.image = Some(string(v)?),
            "slug" => {
                let s = string(v)?;
                if s.contains("://") || s.contains('#') || s.contains('?') {
                    return Err(bad("a path (`/intro`, or `intro` for one beside the page)"));
                }
                // A relative slug is relative to the page's folder, as in Docusaurus.
                fm.slug = Some(if s.starts_with('/') || s.is_empty() {
                    s
                } else {
                    let dir = without_number_prefixes(stem.rsplit_once('/').map_or("", |(d, _)| d));
                    if dir.is_empty() { format!("/{s}") } else { format!("/{dir}/{s}") }
                })
            }
            "sidebar_position" => fm.sidebar_position = Some(v.as_f64().ok_or_else(|| bad("a number"))?),
            "hide_title" => fm.hide_title = flag(v)?,
            "hide_table_of_contents" => fm.hide_table_of_contents = flag(v)?,
            "draft" => fm.draft = flag(v)?,
            "unlisted" => fm.unlisted = flag(v)?,
            "toc_min_heading_level" => fm.toc_levels.0 = level(v)?,
            "toc_max_heading_level" => fm.toc_levels.1 = level(v)?,
            "pagination_next" => fm.pagination_next = Some(doc_or_null(v)?),
            "pagination_prev" => fm.pagination_prev = Some(doc_or_null(v)?),
            "custom_edit_url" => fm.custom_edit_url = Some(doc_or_null(v)?),
            "keywords" => fm.keywords = strings(v)?,
            "tags" => fm.tags = strings(v)?,
            "last_update" => {
                fm.last_update = match v.get("date") {
                    None | Some(Value::Null) => None,
                    Some(Value::String(d)) => Some(d.clone()),
                    Some(other) => Some(other.to_string()),
                }
            }
            other if KNOWN_KEYS.contains(&other) => {}
            other => {
                let near = KNOWN_KEYS
                    .iter()
                    .map(|k| (guardrail_engine::text::edit_distance(other, k), *k))
                    .filter(|(d, _)| *d <= 3)
                    .min();
                return Err(Diagnostic::error(
                    format!("invalid front matter: unknown field `{other}`"),
                    file,
                    line,
                    col,
                )
                .width(other.len())
                .help(match near {
                    Some((_, k)) => format!("did you mean `{k}`?"),
                    None => format!("Docusaurus' doc fields: {}", KNOWN_KEYS.join(", ")),
                }));
            }
        }
    }
    if fm.toc_levels.0 > fm.toc_levels.1 {
        return Err(Diagnostic::error(
            "invalid front matter: `toc_min_heading_level` is above `toc_max_heading_level`",
            file,
            at("toc_min_heading_level").0,
            1,
        ));
    }
    if fm.title.is_empty() {
        fm.title = first_heading(&text[open_len + close_end..]).unwrap_or(default_id);
    }
    Ok((fm, open_len + close_end))
}

fn first_heading(text: &str) -> Option<String> {
    text.lines().find_map(|l| l.strip_prefix("# ")).map(|t| t.trim().to_string())
}

/// Conflict markers left by git (`<<<<<<<`, `=======`, `>>>>>>>` at the start of a line) outside code blocks.
/// `code_lines` says, for each 1-based line, whether it is inside a fenced or indented code block.
pub(crate) fn conflict_markers(page: &Page, in_code: &dyn Fn(usize) -> bool) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (i, line) in page.text.lines().enumerate() {
        let n = i + 1;
        let marker = ["<<<<<<<", "=======", ">>>>>>>"].into_iter().find(|m| {
            line.starts_with(m)
                && (line.len() == m.len()
                    || line.as_bytes()[m.len()] == b' '
                    || *m == "=======" && line.trim_end() == *m)
        });
        let Some(m) = marker else { continue };
        if in_code(n) {
            continue;
        }
        let what = match m {
            "<<<<<<<" => "start of a conflict (our side)",
            "=======" => "middle of a conflict",
            _ => "end of a conflict (their side)",
        };
        out.push(
            Diagnostic::error(format!("unresolved merge-conflict marker: {what}"), &page.file, n, 1)
                .width(line.trim_end().chars().count())
                .help("resolve the conflict: keep the right text and delete the marker lines"),
        );
    }
    out
}

/// Whether `p` is a page: Markdown, or MDX as Docusaurus writes it.
pub(crate) fn is_content_file(p: &Path) -> bool {
    p.extension().is_some_and(|e| e == "md" || e == "mdx")
}

/// Every Markdown file under `dir`, sorted by path, as (path, root-relative path, stem relative to `dir`).
/// Symbolic links are followed; one that leads back into its own ancestors is an error at the link.
pub(crate) fn markdown_files(root: &Path, dir: &Path) -> Result<Vec<(PathBuf, String, String)>, Diagnostic> {
    let base = root.join(dir);
    let shown = |p: &Path| p.strip_prefix(root).unwrap_or(p).to_string_lossy().replace('\\', "/");
    let found = walk::files(&base, Links::Follow, &|p| is_content_file(p), &|_| true).map_err(|e| match e {
        WalkError::Read { path, error } if path == base => Diagnostic::error(
            format!("cannot read the content folder {}: {error}", dir.display()),
            crate::config::FILE,
            1,
            1,
        ),
        WalkError::Loop { path, ancestor } => Diagnostic::error(
            format!(
                "{} is a symbolic link to `{}`, a folder that contains it; the content folder would never end",
                shown(&path),
                std::fs::read_link(&path).unwrap_or(ancestor).display()
            ),
            shown(&path),
            1,
            1,
        )
        .help("remove the link, or point it outside the content folder"),
        other => Diagnostic::error(other.to_string(), shown(other.path()), 1, 1),
    })?;
    let mut out: Vec<(PathBuf, String, String)> = found
        .into_iter()
        .map(|p| {
            let rel = shown(&p);
            let stem = p.strip_prefix(&base).unwrap_or(&p).with_extension("").to_string_lossy().replace('\\', "/");
            (p, rel, stem)
        })
        .collect();
    out.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_prefixes_and_ids_make_urls_as_in_docusaurus() {
        assert_eq!(number_prefix("01-intro"), Some((1.0, "intro")));
        assert_eq!(number_prefix("2. Setup"), Some((2.0, "Setup")));
        assert_eq!(number_prefix("10_a"), Some((10.0, "a")));
        for none in ["2023", "intro", "1-", "1- -x", "v1-intro"] {
            assert_eq!(number_prefix(none), None, "{none}");
        }
        let p = read_page("content/02-guide/01-intro.md", "02-guide/01-intro", "# Intro\n".into()).unwrap();
        assert_eq!(
            (p.url.as_str(), p.front.id.as_str(), p.front.sidebar_position),
            ("guide/intro/", "intro", Some(1.0))
        );
        let p = read_page("content/02-guide/index.md", "02-guide/index", "# Guide\n".into()).unwrap();
        assert_eq!(p.url, "guide/");
        let p = read_page("content/a/b.md", "a/b", "---\nid: renamed\nsidebar_position: 5\n---\n".into()).unwrap();
        assert_eq!((p.url.as_str(), p.front.sidebar_position), ("a/renamed/", Some(5.0)));
        let p = read_page("content/a/README.md", "a/README", "# A\n".into()).unwrap();
        assert_eq!(p.url, "a/");
        let p = read_page("content/01-a/b.md", "01-a/b", "---\nslug: start\n---\n".into()).unwrap();
        assert_eq!(p.url, "a/start/");
    }

    #[test]
    fn front_matter_fields_and_urls() {
        let p = read_page(
            "content/security.md",
            "security",
            "---\nid: security\ntitle: Security\nsidebar_position: 2\n---\n\n# Hi\n".into(),
        )
        .unwrap();
        assert_eq!(p.front.title, "Security");
        assert_eq!(p.front.sidebar_position, Some(2.0));
        assert_eq!(p.url, "security/");
        assert_eq!(&p.text[p.body_start..], "\n# Hi\n");
        let i = read_page("content/index.md", "index", "# Welcome\n".into()).unwrap();
        assert_eq!((i.url.as_str(), i.front.title.as_str()), ("", "Welcome"));
        let s = read_page("content/a.md", "a", "---\nslug: /guides/writing\n---\n".into()).unwrap();
        assert_eq!(s.output_path(), "guides/writing/index.html");
        // A number where a string is asked is its text, as Docusaurus reads `title: 101`; a list is not.
        let n =
            read_page("content/a.md", "a", "---\nid: oneoone\ntitle: 101\ntags: [2021, k8s]\n---\n".into()).unwrap();
        assert_eq!(
            (n.front.title.as_str(), n.front.tags.clone()),
            ("101", vec!["2021".to_string(), "k8s".to_string()])
        );
        let e = read_page("content/a.md", "a", "---\ntitle: [a]\n---\n".into()).unwrap_err();
        assert_eq!(e[0].message, "invalid front matter: `title` must be a string");
    }

    #[test]
    fn bad_front_matter_points_at_the_line() {
        let e = read_page("content/a.md", "a", "---\ntitle: A\nsidebar_positon: 2\n---\n".into()).unwrap_err();
        assert_eq!((e[0].line, e[0].column), (3, 1));
        assert_eq!(e[0].message, "invalid front matter: unknown field `sidebar_positon`");
        let e = read_page("content/a.md", "a", "---\ntitle: [A\n---\n".into()).unwrap_err();
        assert!(e[0].message.starts_with("invalid front matter:"), "{}", e[0].message);
        assert!(e[0].line >= 2);
        let e = read_page("content/a.md", "a", "---\ntitle: A\n".into()).unwrap_err();
        assert!(e[0].message.contains("not closed"));
        let e = read_page("content/a.md", "a", "---\nsidebar_position: two\n---\n".into()).unwrap_err();
        assert_eq!(e[0].message, "invalid front matter: `sidebar_position` must be a number");
    }

    #[test]
    fn conflict_markers_outside_code() {
        let text = "a\n<<<<<<< HEAD\nb\n=======\nc\n>>>>>>> abc123 msg\n```\n=======\n```\n".to_string();
        let p = read_page("content/a.md", "a", text).unwrap();
        let d = conflict_markers(&p, &|n| n == 8);
        assert_eq!(d.iter().map(|d| d.line).collect::<Vec<_>>(), [2, 4, 6]);
    }
}
