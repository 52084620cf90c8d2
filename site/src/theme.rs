//! Putting pages into the theme: tera templates, the sidebar and pager, hashed assets, search index, sitemap.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde_json::json;

use crate::assets::{StaticFile, asset_url};
use crate::config::Config;
use crate::content::Page;
use crate::diagnostics::Diagnostic;
use crate::examples::ExampleRecord;
use crate::highlight;
use crate::html::escape;
use crate::page::Rendered;
use crate::playground::Shipped;
use crate::sidebar::{self, Item};

/// The built-in templates, with every `.html` template of `<theme>/templates` (when the folder exists) in place
/// of the built-in one of the same name, or added; `label` is that folder as diagnostics name it.
fn load_templates(theme: &Path, label: &str) -> Result<tera::Tera, Diagnostic> {
    let dir = theme.join("templates");
    let mut tera = tera::Tera::default();
    let mut list: BTreeMap<String, String> =
        crate::builtin_theme::TEMPLATES.iter().map(|(n, t)| (n.to_string(), t.to_string())).collect();
    if dir.is_dir() {
        let entries = std::fs::read_dir(&dir).map_err(|e| {
            Diagnostic::error(format!("cannot read the theme's templates in {}: {e}", dir.display()), label, 1, 1)
        })?;
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "html") {
                let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                let text = std::fs::read_to_string(&path).map_err(|e| {
                    Diagnostic::error(format!("cannot read {}: {e}", path.display()), format!("{label}/{name}"), 1, 1)
                })?;
                list.insert(name, text);
            }
        }
    }
    tera.add_raw_templates(list).map_err(|e| template_error(&e, label))?;
    Ok(tera)
}

fn template_error(e: &tera::Error, label: &str) -> Diagnostic {
    let mut msg = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        source = s.source();
    }
    Diagnostic::error(format!("theme template error: {msg}"), label, 1, 1)
}

/// The loaded theme: templates and hashed assets, ready to put any page in the layout.
pub(crate) struct Theme {
    tera: tera::Tera,
    assets: BTreeMap<String, String>,
    asset_files: BTreeMap<String, Vec<u8>>,
    site: serde_json::Value,
    base: String,
    description: String,
    /// The templates folder as diagnostics name it (`theme/templates`).
    templates_label: String,
    /// `edit-url` of the configuration.
    edit_url: Option<String>,
}

/// The page order and the sidebars for one set of pages.
pub(crate) struct Layout {
    /// Page indexes in sidebar order (the pager's order).
    pub(crate) flat: Vec<usize>,
    /// Page index → its place in `flat`.
    position: Vec<Option<usize>>,
    /// The sidebar HTML variants of a small site; a page shows `renders[render_of[page]]`.
    renders: Vec<String>,
    render_of: Vec<usize>,
    /// The sidebar of pages in no sidebar (playground, 404).
    outside: String,
    /// A big site: each page carries a window of its sidebar, and the whole of it is one shared file per
    /// sidebar.
    big: Option<Big>,
}

/// How a big site's pages find their sidebar.
struct Big {
    trees: Vec<Vec<Item>>,
    /// Per tree, what each item holds (for a closed category: its first page and its size).
    infos: Vec<Vec<Info>>,
    /// Per page: its sidebar and the positions leading to it (index in each list, outermost first).
    home: Vec<Option<(usize, Vec<usize>)>>,
    /// Per tree: the shared files' site paths, URLs and HTML (one file, or pieces of [`NAV_PIECE_BYTES`] that are
    /// one HTML text put together).
    navs: Vec<Vec<(String, String, Vec<u8>)>>,
}

/// A big sidebar's shared HTML comes in pieces of at most this (cut between lines), so that no file grows with
/// the site; the page's script fetches them all and puts them together.
const NAV_PIECE_BYTES: usize = 512 * 1024;

/// `html` cut between lines into pieces of at most `budget` bytes (a line longer than that is a piece alone).
fn cut_between_lines(html: &str, budget: usize) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut end = 0;
    for line in html.split_inclusive('\n') {
        if end > start && end - start + line.len() > budget {
            pieces.push(&html[start..end]);
            start = end;
        }
        end += line.len();
    }
    if end > start || pieces.is_empty() {
        pieces.push(&html[start..end]);
    }
    pieces
}

/// What a sidebar item holds, computed once: its first page and the number of pages in it.
struct Info {
    first: Option<usize>,
    count: usize,
    children: Vec<Info>,
}

fn infos(items: &[Item]) -> Vec<Info> {
    items
        .iter()
        .map(|item| match item {
            Item::Doc { page, .. } => Info { first: Some(*page), count: 1, children: Vec::new() },
            Item::Link { .. } => Info { first: None, count: 0, children: Vec::new() },
            Item::Category { link, items, .. } => {
                let children = infos(items);
                let first = link.or_else(|| children.iter().find_map(|c| c.first));
                let count = usize::from(link.is_some()) + children.iter().map(|c| c.count).sum::<usize>();
                Info { first, count, children }
            }
        })
        .collect()
}

/// For every page of `items`, the positions leading to it (index in each list, outermost first).
fn positions(items: &[Item], path: &mut Vec<usize>, out: &mut Vec<(usize, Vec<usize>)>) {
    for (k, item) in items.iter().enumerate() {
        path.push(k);
        match item {
            Item::Doc { page, .. } => out.push((*page, path.clone())),
            Item::Link { .. } => {}
            Item::Category { link, items, .. } => {
                if let Some(l) = link {
                    out.push((*l, path.clone()));
                }
                positions(items, path, out);
            }
        }
        path.pop();
    }
}

/// A page's entry in a sidebar list (marked when it is `current`).
fn doc_item(
    p: &Page,
    page: usize,
    label: Option<&str>,
    class: Option<&String>,
    href: &str,
    current: Option<usize>,
) -> String {
    let label = label.or(p.front.sidebar_label.as_deref()).unwrap_or(&p.front.title);
    let class = class.or(p.front.sidebar_class_name.as_ref());
    let li = class.map(|c| format!("<li class=\"{}\">", escape(c))).unwrap_or_else(|| "<li>".into());
    let mark = if current == Some(page) { " aria-current=\"page\" class=\"current\"" } else { "" };
    format!("{li}<a href=\"{href}\" data-page=\"{page}\"{mark}>{}</a></li>\n", escape(label))
}

/// A link item (`type: link`) of a sidebar list.
fn link_item(to: &str, label: &str) -> String {
    format!("<li><a class=\"sidebar-link\" href=\"{}\">{}</a></li>\n", escape(to), escape(label))
}

/// How many items of one list a big site's page shows around the way to its own entry; the rest are counted.
const SIDEBAR_WINDOW: usize = 40;

/// Which categories a rendering shows open.
enum Open<'a> {
    /// Every category (a small site), except those the sidebar says are collapsed.
    All,
    /// Only these (the current page's ancestors, on a big site); the others are their titles.
    Path(&'a [usize]),
    /// Every category listed, those below the top closed unless the sidebar says `collapsed: false` (a big
    /// site's shared sidebar: the page's script opens the way to the current page).
    Whole,
}

/// Pages in a subtree, and how many categories it holds.
fn subtree(items: &[Item]) -> (Vec<usize>, usize) {
    let mut pages = Vec::new();
    sidebar::pages_in_order(items, &mut pages);
    fn categories(items: &[Item]) -> usize {
        items
            .iter()
            .map(|i| match i {
                Item::Category { items, .. } => 1 + categories(items),
                _ => 0,
            })
            .sum()
    }
    (pages, categories(items))
}

/// For every page of `items`, the ids (DFS order) of the categories above it, innermost last.
fn chains(items: &[Item], path: &mut Vec<usize>, next: &mut usize, out: &mut Vec<(usize, Vec<usize>)>) {
    for item in items {
        match item {
            Item::Doc { page, .. } => out.push((*page, path.clone())),
            Item::Link { .. } => {}
            Item::Category { link, items, .. } => {
                let id = *next;
                *next += 1;
                path.push(id);
                if let Some(l) = link {
                    out.push((*l, path.clone()));
                }
                chains(items, path, next, out);
                path.pop();
            }
        }
    }
}

/// Up to this many pages, every sidebar group is open on every page; above it, only the current page's group
/// is (as Docusaurus closes categories): a 1,000-page site would otherwise repeat 1,000 links in every page.
const SIDEBAR_EXPANDED_MAX: usize = 60;

/// The search index and the examples list live at fixed URLs (not content-hashed) so that editing one page
/// does not change every page that links to them.
const SEARCH_MANIFEST: &str = "assets/search/manifest.json";
/// The examples list's pieces: `<n>.json` below it.
pub(crate) const EXAMPLES: &str = "assets/examples/";

impl Theme {
    /// Reads the templates and the theme's assets; the site's static files (read once by the build) are added
    /// to the assets.
    pub(crate) fn load(root: &Path, config: &Config, statics: &[StaticFile]) -> Result<Theme, Diagnostic> {
        let base = config.base_url.clone();
        let mut asset_files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
        let mut assets: BTreeMap<String, String> = BTreeMap::new();
        let mut add_asset = |logical: &str, bytes: Vec<u8>| {
            let url = asset_url(&base, logical, &bytes);
            asset_files.insert(url[base.len()..].to_string(), bytes);
            assets.insert(logical.to_string(), url);
        };
        let theme_dir = root.join(&config.paths.theme);
        let theme_assets = theme_dir.join("assets");
        let label = config.paths.theme.display().to_string();
        let templates_label = format!("{label}/templates");
        let read_err = |p: &Path, e: std::io::Error| {
            Diagnostic::error(format!("cannot read {}: {e}", p.display()), format!("{label}/assets"), 1, 1)
        };
        // The built-in assets, each replaced by the theme folder's file of the same name; the folder may add more.
        let mut files: BTreeMap<String, Vec<u8>> =
            crate::builtin_theme::ASSETS.iter().map(|(n, b)| (n.to_string(), b.to_vec())).collect();
        if theme_assets.is_dir() {
            let names: Vec<_> = std::fs::read_dir(&theme_assets)
                .map_err(|e| read_err(&theme_assets, e))?
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.is_file())
                .collect();
            for p in names {
                let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                let bytes = std::fs::read(&p).map_err(|e| read_err(&p, e))?;
                files.insert(name, bytes);
            }
        }
        for (name, bytes) in files {
            add_asset(&name, bytes);
        }
        add_asset("syntax.css", highlight::stylesheet().into_bytes());
        for f in statics.iter().filter(|f| !f.at_root) {
            add_asset(&f.rel, f.bytes.clone());
        }
        let mut favicon = String::new();
        for f in statics.iter().filter(|f| f.at_root) {
            // Static files keep their paths: `robots.txt`, `CNAME`, `.nojekyll` work where hosts look for them.
            asset_files.insert(f.rel.clone(), f.bytes.clone());
            assets.insert(f.rel.clone(), f.url(&base));
            if favicon.is_empty() && ["favicon.ico", "favicon.svg", "favicon.png"].contains(&f.rel.as_str()) {
                favicon = f.url(&base);
            }
        }
        assets.insert("search-index.json".into(), format!("{base}{SEARCH_MANIFEST}"));
        assets.insert("examples".into(), format!("{base}{EXAMPLES}"));
        Ok(Theme {
            tera: load_templates(&theme_dir, &templates_label)?,
            assets,
            asset_files,
            site: json!({
                "title": config.title,
                "base_url": config.base_url,
                "description": config.description,
                "favicon": favicon,
            }),
            base: config.base_url.clone(),
            description: config.description.clone(),
            templates_label,
            edit_url: config.edit_url.clone(),
        })
    }

    /// Orders `pages` by the sidebars and renders each sidebar once per variant (each page then only marks its
    /// own entry: a 1,000-page site would otherwise render a million links through the template engine).
    pub(crate) fn layout(&self, pages: &[Page], trees: &[(String, Vec<Item>)]) -> Layout {
        let collapse = pages.len() > SIDEBAR_EXPANDED_MAX;
        let mut flat = Vec::new();
        let mut seen = vec![false; pages.len()];
        // The sidebar a page shows: the first that holds it; with it, its categories.
        let mut home: Vec<Option<(usize, Vec<usize>)>> = vec![None; pages.len()];
        for (t, (_, items)) in trees.iter().enumerate() {
            let mut order = Vec::new();
            chains(items, &mut Vec::new(), &mut 0, &mut order);
            for (page, path) in order {
                if page < pages.len() && !seen[page] {
                    seen[page] = true;
                    flat.push(page);
                    home[page] = Some((t, path));
                }
            }
        }
        // Pages in no sidebar come last in the pager; drafts and unlisted pages not at all.
        flat.extend((0..pages.len()).filter(|i| !seen[*i] && !pages[*i].front.draft && !pages[*i].front.unlisted));
        let empty: Vec<Item> = Vec::new();
        let tree = |t: usize| trees.get(t).map_or(&empty, |(_, items)| items);
        let mut renders = Vec::new();
        let mut render_of = vec![0; pages.len()];
        let mut variants: HashMap<(usize, Option<usize>), usize> = HashMap::new();
        for (i, h) in home.iter().enumerate() {
            let (t, path) = h.clone().unwrap_or((0, Vec::new()));
            let key = (t, if collapse { path.last().copied() } else { None });
            let n = *variants.entry(key).or_insert_with(|| {
                let open = if collapse { Open::Path(&path) } else { Open::All };
                let mut html = String::new();
                self.render_items(tree(t), pages, 0, &open, collapse, &mut 0, &mut html);
                renders.push(html);
                renders.len() - 1
            });
            render_of[i] = n;
        }
        let mut outside = String::new();
        let open = if collapse { Open::Path(&[]) } else { Open::All };
        self.render_items(tree(0), pages, 0, &open, collapse, &mut 0, &mut outside);
        let mut position = vec![None; pages.len()];
        for (n, &i) in flat.iter().enumerate() {
            position[i] = Some(n);
        }
        let big = collapse.then(|| self.big(pages, trees));
        Layout { flat, position, renders, render_of, outside, big }
    }

    /// A big site's sidebars: each whole, once, as a shared file (categories below the top closed unless the
    /// sidebar says otherwise; the page's script opens the way to the current page), and where each page is.
    fn big(&self, pages: &[Page], trees: &[(String, Vec<Item>)]) -> Big {
        let mut home: Vec<Option<(usize, Vec<usize>)>> = vec![None; pages.len()];
        let mut navs = Vec::new();
        for (t, (_, items)) in trees.iter().enumerate() {
            let mut order = Vec::new();
            positions(items, &mut Vec::new(), &mut order);
            for (page, path) in order {
                if page < pages.len() && home[page].is_none() {
                    home[page] = Some((t, path));
                }
            }
            let mut html = String::new();
            self.render_items(items, pages, 0, &Open::Whole, false, &mut 0, &mut html);
            let pieces = cut_between_lines(&html, NAV_PIECE_BYTES);
            let many = pieces.len() > 1;
            navs.push(
                pieces
                    .into_iter()
                    .enumerate()
                    .map(|(k, piece)| {
                        let name = if many { format!("nav-{t}-{k}.html") } else { format!("nav-{t}.html") };
                        let url = asset_url(&self.base, &name, piece.as_bytes());
                        (url[self.base.len()..].to_string(), url, piece.as_bytes().to_vec())
                    })
                    .collect(),
            );
        }
        Big {
            trees: trees.iter().map(|(_, items)| items.clone()).collect(),
            infos: trees.iter().map(|(_, items)| infos(items)).collect(),
            home,
            navs,
        }
    }

    /// A big site's sidebar on one page: the way to `current` open, each list shown around it
    /// ([`SIDEBAR_WINDOW`] items, the rest counted), in an element that names the whole sidebar's shared file.
    fn window(&self, big: &Big, pages: &[Page], current: Option<usize>) -> String {
        let (t, path) = current.and_then(|i| big.home.get(i).cloned().flatten()).unwrap_or((0, Vec::new()));
        let Some(items) = big.trees.get(t) else { return String::new() };
        // The pieces' URLs, space-separated (a space in the base URL written as %20, which fetches the same).
        let url = big
            .navs
            .get(t)
            .map(|pieces| pieces.iter().map(|(_, u, _)| u.replace(' ', "%20")).collect::<Vec<_>>().join(" "));
        let url = url.as_deref().unwrap_or("");
        let mut out = format!(
            "<div class=\"sidebar-tree\" data-nav=\"{}\"{}>\n",
            escape(url),
            current.map(|i| format!(" data-current=\"{i}\"")).unwrap_or_default()
        );
        self.render_window(items, &big.infos[t], pages, 0, &path, current, &mut out);
        out.push_str("</div>\n");
        out
    }

    #[allow(clippy::too_many_arguments)]
    fn render_window(
        &self,
        items: &[Item],
        infos: &[Info],
        pages: &[Page],
        depth: usize,
        path: &[usize],
        current: Option<usize>,
        out: &mut String,
    ) {
        let base = &self.base;
        let href = |i: usize| escape(&format!("{base}{}", pages[i].url));
        let n = items.len();
        let center = path.first().copied().unwrap_or(0);
        let lo = center.saturating_sub(SIDEBAR_WINDOW / 2).min(n.saturating_sub(SIDEBAR_WINDOW));
        let hi = (lo + SIDEBAR_WINDOW).min(n);
        let mut list_open = false;
        let more = |count: usize, list_open: bool, out: &mut String| {
            let pages_in: usize = count;
            let tag = if list_open || depth > 0 { "li" } else { "p" };
            out.push_str(&format!("<{tag} class=\"sidebar-more\">\u{2026} {pages_in} more</{tag}>\n"));
        };
        if lo > 0 {
            if depth == 0 {
                out.push_str("<ul>\n");
                list_open = true;
            }
            more(infos[..lo].iter().map(|i| i.count.max(1)).sum(), list_open, out);
        }
        for k in lo..hi {
            let item = &items[k];
            if depth == 0 && !matches!(item, Item::Category { .. }) && !list_open {
                out.push_str("<ul>\n");
                list_open = true;
            }
            match item {
                Item::Doc { page, label, class } => {
                    let p = &pages[*page];
                    out.push_str(&doc_item(p, *page, label.as_deref(), class.as_ref(), &href(*page), current));
                }
                Item::Link { href: to, label } => out.push_str(&link_item(to, label)),
                Item::Category { label, link, class, items: inner, .. } => {
                    if depth == 0 && list_open {
                        out.push_str("</ul>\n");
                        list_open = false;
                    }
                    let on_path = path.len() > 1 && path[0] == k || path.len() == 1 && path[0] == k && link.is_some();
                    let info = &infos[k];
                    let class = class.as_ref().map(|c| format!(" {}", escape(c))).unwrap_or_default();
                    let title = match (on_path, link) {
                        (true, Some(l)) => {
                            let mark =
                                if current == Some(*l) { " aria-current=\"page\" class=\"current\"" } else { "" };
                            format!("<a href=\"{}\" data-page=\"{l}\"{mark}>{}</a>", href(*l), escape(label))
                        }
                        (true, None) => escape(label),
                        (false, _) => info.first.map_or_else(
                            || escape(label),
                            |f| format!("<a href=\"{}\">{}</a>", href(f), escape(label)),
                        ),
                    };
                    if !on_path {
                        let count = info.count;
                        if depth == 0 {
                            out.push_str(&format!(
                                "<p class=\"sidebar-group sidebar-closed{class}\">{title} <span>{count}</span></p>\n"
                            ));
                        } else {
                            out.push_str(&format!("<li class=\"sidebar-category sidebar-closed{class}\">{title} <span>{count}</span></li>\n"));
                        }
                        continue;
                    }
                    let rest = if path.len() > 1 { &path[1..] } else { &[][..] };
                    if depth == 0 {
                        out.push_str(&format!("<p class=\"sidebar-group{class}\">{title}</p>\n<ul>\n"));
                        self.render_window(inner, &info.children, pages, depth + 1, rest, current, out);
                        out.push_str("</ul>\n");
                    } else {
                        out.push_str(&format!(
                            "<li class=\"sidebar-category{class}\"><details open><summary>{title}</summary><ul>\n"
                        ));
                        self.render_window(inner, &info.children, pages, depth + 1, rest, current, out);
                        out.push_str("</ul></details></li>\n");
                    }
                }
            }
        }
        if hi < n {
            if depth == 0 && !list_open {
                out.push_str("<ul>\n");
                list_open = true;
            }
            more(infos[hi..].iter().map(|i| i.count.max(1)).sum(), list_open, out);
        }
        if list_open {
            out.push_str("</ul>\n");
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn render_items(
        &self,
        items: &[Item],
        pages: &[Page],
        depth: usize,
        open: &Open<'_>,
        collapse: bool,
        next: &mut usize,
        out: &mut String,
    ) {
        let base = &self.base;
        let href = |i: usize| escape(&format!("{base}{}", pages[i].url));
        let mut list_open = false;
        for item in items {
            if depth == 0 && !matches!(item, Item::Category { .. }) && !list_open {
                out.push_str("<ul>\n");
                list_open = true;
            }
            match item {
                Item::Doc { page, label, class } => {
                    let p = &pages[*page];
                    out.push_str(&doc_item(p, *page, label.as_deref(), class.as_ref(), &href(*page), None));
                }
                Item::Link { href: to, label } => out.push_str(&link_item(to, label)),
                Item::Category { label, link, collapsed, class, items } => {
                    if list_open {
                        out.push_str("</ul>\n");
                        list_open = false;
                    }
                    let id = *next;
                    *next += 1;
                    let (in_it, inner) = subtree(items);
                    let is_open = match open {
                        Open::All | Open::Whole => true,
                        Open::Path(path) => path.contains(&id),
                    };
                    let title = match link {
                        Some(l) => format!("<a href=\"{}\" data-page=\"{l}\">{}</a>", href(*l), escape(label)),
                        None => escape(label),
                    };
                    let class = class.as_ref().map(|c| format!(" {}", escape(c))).unwrap_or_default();
                    if collapse && !is_open {
                        *next += inner;
                        let first = link.or_else(|| in_it.first().copied());
                        let count = in_it.len() + usize::from(link.is_some());
                        let title = first.map_or_else(
                            || escape(label),
                            |f| format!("<a href=\"{}\">{}</a>", href(f), escape(label)),
                        );
                        if depth == 0 {
                            out.push_str(&format!(
                                "<p class=\"sidebar-group sidebar-closed{class}\">{title} <span>{count}</span></p>\n"
                            ));
                        } else {
                            out.push_str(&format!("<li class=\"sidebar-category sidebar-closed{class}\">{title} <span>{count}</span></li>\n"));
                        }
                        continue;
                    }
                    if depth == 0 {
                        out.push_str(&format!("<p class=\"sidebar-group{class}\">{title}</p>\n<ul>\n"));
                        self.render_items(items, pages, depth + 1, open, collapse, next, out);
                        out.push_str("</ul>\n");
                    } else {
                        let shown_open = match open {
                            Open::Whole => *collapsed == Some(false),
                            _ => collapse || *collapsed != Some(true),
                        };
                        let open_attr = if shown_open { " open" } else { "" };
                        out.push_str(&format!(
                            "<li class=\"sidebar-category{class}\"><details{open_attr}><summary>{title}</summary><ul>\n"
                        ));
                        self.render_items(items, pages, depth + 1, open, collapse, next, out);
                        out.push_str("</ul></details></li>\n");
                    }
                }
            }
        }
        if list_open {
            out.push_str("</ul>\n");
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn context(
        &self,
        layout: &Layout,
        pages: &[Page],
        title: &str,
        description: &str,
        content: &str,
        current: Option<usize>,
    ) -> tera::Context {
        let sidebar = match (current, &layout.big) {
            (current, Some(big)) => self.window(big, pages, current),
            (Some(i), None) => {
                let own = layout.render_of.get(i).and_then(|n| layout.renders.get(*n)).unwrap_or(&layout.outside);
                own.replacen(
                    &format!(" data-page=\"{i}\">"),
                    &format!(" data-page=\"{i}\" aria-current=\"page\" class=\"current\">"),
                    1,
                )
            }
            (None, None) => layout.outside.clone(),
        };
        // Every template gets every variable, so a theme's templates can share one layout.
        let mut ctx = tera::Context::new();
        ctx.insert("site", &self.site);
        ctx.insert("assets", &self.assets);
        ctx.insert("page_title", title);
        ctx.insert("description", description);
        ctx.insert("content", content);
        ctx.insert("show_title", &true);
        ctx.insert("toc", &Vec::<serde_json::Value>::new());
        ctx.insert("sidebar_html", &sidebar);
        ctx.insert("section", "docs");
        ctx.insert("head_html", "");
        ctx.insert("head_script_hash", "");
        ctx.insert("prev", &None::<serde_json::Value>);
        ctx.insert("next", &None::<serde_json::Value>);
        ctx.insert("noindex", &false);
        ctx.insert("edit_url", &None::<String>);
        ctx.insert("last_updated", &None::<String>);
        ctx.insert("keywords", "");
        ctx.insert("image", "");
        ctx
    }

    /// One page in the layout: (output path, HTML).
    pub(crate) fn page(
        &self,
        layout: &Layout,
        pages: &[Page],
        rendered: &[Rendered],
        i: usize,
    ) -> Result<(String, Vec<u8>), Diagnostic> {
        let (p, r) = (&pages[i], &rendered[i]);
        let base = &self.base;
        let f = &p.front;
        let nav = |k: usize| {
            let t = &pages[k].front;
            json!({"title": t.pagination_label.as_ref().unwrap_or(&t.title), "url": format!("{base}{}", pages[k].url)})
        };
        // `pagination_prev`/`pagination_next` name a doc (its id or path), or `null` for none.
        let by_id = |id: &str| {
            pages.iter().position(|q| {
                q.front.id == id || q.stem == id || crate::content::without_number_prefixes(&q.stem) == id || {
                    let dir = q.stem.rsplit_once('/').map_or("", |(d, _)| d);
                    format!("{}/{}", crate::content::without_number_prefixes(dir), q.front.id) == id
                }
            })
        };
        let pos = layout.position.get(i).copied().flatten();
        let prev = match &f.pagination_prev {
            Some(choice) => choice.as_deref().and_then(by_id),
            None => pos.and_then(|n| n.checked_sub(1)).map(|k| layout.flat[k]),
        };
        let next = match &f.pagination_next {
            Some(choice) => choice.as_deref().and_then(by_id),
            None => pos.and_then(|n| layout.flat.get(n + 1).copied()),
        };
        let (min, max) = f.toc_levels;
        let toc: Vec<_> = if f.hide_table_of_contents {
            Vec::new()
        } else {
            r.found.headings.iter().filter(|h| h.level >= min && h.level <= max).collect()
        };
        let starts_with_h1 = r.found.headings.first().is_some_and(|h| h.level == 1);
        let description = f.description.clone().unwrap_or_else(|| self.description.clone());
        let mut ctx = self.context(layout, pages, &f.title, &description, &r.html, Some(i));
        ctx.insert("show_title", &(!starts_with_h1 && !f.hide_title));
        ctx.insert(
            "toc",
            &toc.iter().map(|h| json!({"level": h.level, "id": h.id, "text": h.text})).collect::<Vec<_>>(),
        );
        ctx.insert("prev", &prev.map(nav));
        ctx.insert("next", &next.map(nav));
        let edit_url = match &f.custom_edit_url {
            Some(choice) => choice.clone(),
            None => {
                self.edit_url.as_ref().filter(|_| !p.file.ends_with(".generated")).map(|e| format!("{e}{}", p.file))
            }
        };
        ctx.insert("edit_url", &edit_url);
        ctx.insert("last_updated", &p.last_updated);
        ctx.insert("noindex", &f.unlisted);
        ctx.insert("keywords", &f.keywords.join(", "));
        ctx.insert("image", &f.image.as_deref().unwrap_or(""));
        let html = self.tera.render("page.html", &ctx).map_err(|e| template_error(&e, &self.templates_label))?;
        Ok((p.output_path(), html.into_bytes()))
    }

    /// Everything that depends on all pages at once: search index, examples list, playground page, 404, sitemap.
    pub(crate) fn extras(
        &self,
        layout: &Layout,
        pages: &[Page],
        examples: &[ExampleRecord],
        playground: &Shipped,
    ) -> Result<BTreeMap<String, Vec<u8>>, Diagnostic> {
        let base = &self.base;
        let mut files = self.asset_files.clone();
        for (path, _, bytes) in layout.big.iter().flat_map(|b| b.navs.iter().flatten()) {
            files.insert(path.clone(), bytes.clone());
        }
        let shards = crate::examples::example_shards(examples);
        for (i, bytes) in shards.iter().enumerate() {
            files.insert(format!("{EXAMPLES}{i}.json"), bytes.clone());
        }

        let mut ctx = self.context(layout, pages, "Page not found", &self.description, "", None);
        ctx.insert("section", "");
        files.insert(
            "404.html".into(),
            self.tera.render("404.html", &ctx).map_err(|e| template_error(&e, &self.templates_label))?.into_bytes(),
        );

        // The playground: the engine, its scripts, this build's policies, and the page around them.
        files.extend(playground.files.iter().map(|(k, v)| (k.clone(), v.clone())));
        let mut ctx = self.context(
            layout,
            pages,
            "Playground",
            "Paste a Pod and see what the cluster would do to it.",
            &playground.page_html(&format!("{base}{EXAMPLES}"), shards.len()),
            None,
        );
        ctx.insert("section", "playground");
        let (head, hash) = playground.head();
        ctx.insert("head_html", &head);
        ctx.insert("head_script_hash", &hash);
        files.insert(
            "playground/index.html".into(),
            self.tera.render("page.html", &ctx).map_err(|e| template_error(&e, &self.templates_label))?.into_bytes(),
        );

        // No home page (a Docusaurus docs folder keeps its home page elsewhere): the site's root leads to the first
        // page of the sidebar, so the base URL is never a 404.
        if !pages.iter().any(|p| p.url.is_empty() && !p.front.draft) {
            if let Some(&first) = layout.flat.first() {
                let url = escape(&format!("{base}{}", pages[first].url));
                files.insert(
                    "index.html".into(),
                    format!(
                        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta http-equiv=\"refresh\" content=\"0; url={url}\"><link rel=\"canonical\" href=\"{url}\"><title>{}</title></head><body><p><a href=\"{url}\">{}</a></p></body></html>\n",
                        escape(self.site["title"].as_str().unwrap_or("")),
                        escape(&pages[first].front.title)
                    )
                    .into_bytes(),
                );
            }
        }
        // sitemap.xml: absolute URLs when the base URL is absolute, as the format requires.
        let urls = layout.flat.iter().map(|&i| format!("{base}{}", pages[i].url));
        files.extend(crate::sitemap::files(base, urls));
        Ok(files)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_big_sidebar_is_cut_between_lines_into_pieces_under_the_budget() {
        let html: String = (0..100).map(|i| format!("<li><a href=\"/p{i}/\">Page {i}</a></li>\n")).collect();
        let pieces = cut_between_lines(&html, 200);
        assert!(pieces.len() > 10, "{}", pieces.len());
        assert!(pieces.iter().all(|p| p.len() <= 200 && p.ends_with('\n')));
        assert_eq!(pieces.concat(), html, "put together, the same text");
        assert_eq!(cut_between_lines(&html, 1 << 20), [html.as_str()]);
        assert_eq!(cut_between_lines("", 10), [""]);
        // A line longer than the budget is a piece alone.
        assert_eq!(cut_between_lines("a\nbbbbbbbbbbbb\nc\n", 4), ["a\n", "bbbbbbbbbbbb\n", "c\n"]);
    }
}
