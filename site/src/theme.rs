//! Putting pages into the theme: tera templates, the sidebar and pager, hashed assets, search index, sitemap.

use std::collections::BTreeMap;
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

fn title_case(s: &str) -> String {
    s.split(['-', '_'])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Page indexes in sidebar order, grouped by folder: the top level first, then folders by name.
fn order(pages: &[Page]) -> Vec<(String, Vec<usize>)> {
    let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, p) in pages.iter().enumerate() {
        let group = p.stem.rsplit_once('/').map(|(d, _)| d.to_string()).unwrap_or_default();
        groups.entry(group).or_default().push(i);
    }
    let key = |i: &usize| {
        let p = &pages[*i];
        let is_index = p.stem == "index" || p.stem.ends_with("/index");
        (!is_index, p.front.sidebar_position.unwrap_or(f64::MAX), p.front.title.to_lowercase())
    };
    groups
        .into_iter()
        .map(|(g, mut idx)| {
            idx.sort_by(|a, b| key(a).partial_cmp(&key(b)).unwrap_or(std::cmp::Ordering::Equal));
            (g, idx)
        })
        .collect()
}

/// Reads every `.html` template of `<theme>/templates`; `label` is that folder as diagnostics name it.
fn load_templates(theme: &Path, label: &str) -> Result<tera::Tera, Diagnostic> {
    let dir = theme.join("templates");
    let mut tera = tera::Tera::default();
    let mut list = Vec::new();
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
            list.push((name, text));
        }
    }
    list.sort();
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
}

/// The page order and the sidebar for one set of pages.
pub(crate) struct Layout {
    /// Page indexes in sidebar order.
    pub(crate) flat: Vec<usize>,
    /// When groups close: the sidebar as seen from each group's pages (its own group open). Empty otherwise.
    by_group: Vec<String>,
    /// Page index → its group.
    group_of: Vec<usize>,
    /// The sidebar of every page when no group closes, else of pages in no group (playground, 404).
    outside: String,
}

/// Up to this many pages, every sidebar group is open on every page; above it, only the current page's group
/// is (as Docusaurus closes categories): a 1,000-page site would otherwise repeat 1,000 links in every page.
const SIDEBAR_EXPANDED_MAX: usize = 60;

/// The search index and the examples list live at fixed URLs (not content-hashed) so that editing one page
/// does not change every page that links to them.
const SEARCH_INDEX: &str = "assets/search-index.json";
const EXAMPLES: &str = "assets/examples.json";

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
        let mut names: Vec<_> = std::fs::read_dir(&theme_assets)
            .map_err(|e| read_err(&theme_assets, e))?
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_file())
            .collect();
        names.sort();
        for p in names {
            let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let bytes = std::fs::read(&p).map_err(|e| read_err(&p, e))?;
            add_asset(&name, bytes);
        }
        add_asset("syntax.css", highlight::stylesheet().into_bytes());
        for f in statics {
            add_asset(&f.rel, f.bytes.clone());
        }
        assets.insert("search-index.json".into(), format!("{base}{SEARCH_INDEX}"));
        assets.insert("examples.json".into(), format!("{base}{EXAMPLES}"));
        Ok(Theme {
            tera: load_templates(&theme_dir, &templates_label)?,
            assets,
            asset_files,
            site: json!({"title": config.title, "base_url": config.base_url, "description": config.description}),
            base: config.base_url.clone(),
            description: config.description.clone(),
            templates_label,
        })
    }

    /// Orders `pages` and renders the sidebar once (each page then only marks its own entry: a 1,000-page site
    /// would otherwise render a million links through the template engine).
    pub(crate) fn layout(&self, pages: &[Page]) -> Layout {
        let groups = order(pages);
        let flat: Vec<usize> = groups.iter().flat_map(|(_, g)| g.iter().copied()).collect();
        let collapse = flat.len() > SIDEBAR_EXPANDED_MAX;
        let mut group_of = vec![0; pages.len()];
        for (n, (_, idx)) in groups.iter().enumerate() {
            for i in idx {
                group_of[*i] = n;
            }
        }
        // One sidebar per group (its own group open), plus one with every group closed for pages outside them.
        let render = |open: Option<usize>| -> String {
            let mut sidebar = String::new();
            for (n, (g, idx)) in groups.iter().enumerate() {
                let title = title_case(g.rsplit('/').next().unwrap_or(g));
                let closed = collapse && !title.is_empty() && open != Some(n);
                if closed {
                    // A closed group is its title, linking to its first page: the pages of a big site do not
                    // each carry every link of the site.
                    let first = idx.first().map(|i| format!("{}{}", self.base, pages[*i].url)).unwrap_or_default();
                    sidebar.push_str(&format!(
                        "<p class=\"sidebar-group sidebar-closed\"><a href=\"{}\">{}</a> <span>{}</span></p>\n",
                        escape(&first),
                        escape(&title),
                        idx.len()
                    ));
                    continue;
                }
                if !title.is_empty() {
                    sidebar.push_str(&format!("<p class=\"sidebar-group\">{}</p>\n", escape(&title)));
                }
                sidebar.push_str("<ul>\n");
                for i in idx {
                    let label = pages[*i].front.sidebar_label.as_deref().unwrap_or(&pages[*i].front.title);
                    sidebar.push_str(&format!(
                        "<li><a href=\"{}\" data-page=\"{i}\">{}</a></li>\n",
                        escape(&format!("{}{}", self.base, pages[*i].url)),
                        escape(label)
                    ));
                }
                sidebar.push_str("</ul>\n");
            }
            sidebar
        };
        let by_group = if collapse { (0..groups.len()).map(|n| render(Some(n))).collect() } else { Vec::new() };
        Layout { flat, by_group, group_of, outside: render(None) }
    }

    fn context(
        &self,
        layout: &Layout,
        title: &str,
        description: &str,
        content: &str,
        current: Option<usize>,
    ) -> tera::Context {
        let sidebar = match current {
            Some(i) => {
                let own = layout.group_of.get(i).and_then(|g| layout.by_group.get(*g)).unwrap_or(&layout.outside);
                own.replacen(
                    &format!(" data-page=\"{i}\">"),
                    &format!(" data-page=\"{i}\" aria-current=\"page\" class=\"current\">"),
                    1,
                )
            }
            None => layout.outside.clone(),
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
        let nav = |k: usize| json!({"title": pages[k].front.title, "url": format!("{base}{}", pages[k].url)});
        let pos = layout.flat.iter().position(|k| *k == i).unwrap_or(0);
        let toc: Vec<_> = r.found.headings.iter().filter(|h| h.level == 2 || h.level == 3).collect();
        let starts_with_h1 = r.found.headings.first().is_some_and(|h| h.level == 1);
        let description = p.front.description.clone().unwrap_or_else(|| self.description.clone());
        let mut ctx = self.context(layout, &p.front.title, &description, &r.html, Some(i));
        ctx.insert("show_title", &!starts_with_h1);
        ctx.insert(
            "toc",
            &toc.iter().map(|h| json!({"level": h.level, "id": h.id, "text": h.text})).collect::<Vec<_>>(),
        );
        ctx.insert("prev", &pos.checked_sub(1).map(|k| nav(layout.flat[k])));
        ctx.insert("next", &layout.flat.get(pos + 1).map(|k| nav(*k)));
        let html = self.tera.render("page.html", &ctx).map_err(|e| template_error(&e, &self.templates_label))?;
        Ok((p.output_path(), html.into_bytes()))
    }

    /// Everything that depends on all pages at once: search index, examples list, playground page, 404, sitemap.
    pub(crate) fn extras(
        &self,
        layout: &Layout,
        pages: &[Page],
        rendered: &[Rendered],
        examples: &[ExampleRecord],
        playground: &Shipped,
    ) -> Result<BTreeMap<String, Vec<u8>>, Diagnostic> {
        let base = &self.base;
        let mut files = self.asset_files.clone();
        let search: Vec<_> = pages
            .iter()
            .zip(rendered)
            .map(|(p, r)| {
                let text = &r.plain;
                let headings: Vec<&str> = r.found.headings.iter().map(|h| h.text.as_str()).collect();
                json!({
                    "title": p.front.title,
                    "u": format!("{base}{}", p.url),
                    "h": headings.join(" ").to_lowercase(),
                    "text": text,
                })
            })
            .collect();
        files.insert(SEARCH_INDEX.into(), serde_json::to_vec(&search).unwrap_or_default());
        files.insert(EXAMPLES.into(), serde_json::to_vec(examples).unwrap_or_default());

        let mut ctx = self.context(layout, "Page not found", &self.description, "", None);
        ctx.insert("section", "");
        files.insert(
            "404.html".into(),
            self.tera.render("404.html", &ctx).map_err(|e| template_error(&e, &self.templates_label))?.into_bytes(),
        );

        // The playground: the engine, its scripts, this build's policies, and the page around them.
        files.extend(playground.files.iter().map(|(k, v)| (k.clone(), v.clone())));
        let mut ctx = self.context(
            layout,
            "Playground",
            "Paste a Pod and see what the cluster would do to it.",
            &playground.page_html(examples),
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

        // sitemap.xml: absolute URLs when the base URL is absolute, as the format requires.
        let mut sitemap = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
        );
        for &i in &layout.flat {
            sitemap.push_str(&format!("  <url><loc>{}</loc></url>\n", escape(&format!("{base}{}", pages[i].url))));
        }
        sitemap.push_str("</urlset>\n");
        files.insert("sitemap.xml".into(), sitemap.into_bytes());
        Ok(files)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_titles() {
        assert_eq!(title_case("how-to_guides"), "How To Guides");
    }
}
