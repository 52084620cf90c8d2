//! Where a link written in a page leads, resolved once for both the rewrite and the check: Markdown files by
//! relative or content-rooted path (with or without `.md`/`.mdx`), page URLs, doc ids, and relative URLs as
//! Docusaurus readers follow them (Docusaurus' page URLs have no trailing slash, ours have one, so a relative
//! URL is resolved from the page's folder, as the author saw it work).

use std::collections::HashMap;

use crate::content::Page;

/// The link targets of a site.
#[derive(Debug, Clone, Default)]
pub(crate) struct LinkTable {
    /// Content page stem (`guides/writing`) → URL path below the base (`guides/writing/`).
    by_stem: HashMap<String, String>,
    /// URL path without its trailing slash (`guides/writing`, `` for the home page) → URL path.
    by_path: HashMap<String, String>,
    /// Docusaurus doc id (`guides/writing` or `guides/<front matter id>`) → URL path.
    by_id: HashMap<String, String>,
    /// Static files by their path below the static folder (`img/logo.png`) → their URL.
    pub(crate) assets: HashMap<String, String>,
    /// The path part of the base URL (`/`, `/docs/`).
    base_path: String,
}

/// Where a link leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    /// A page of the site: its URL path below the base, and the anchor.
    Page { url: String, anchor: Option<String> },
    /// A file of the static folder, at this URL.
    Asset(String),
    /// Somewhere guardrail does not check: another site, mail, a generated file (`/assets/...`), a relative
    /// file that is not a page.
    Elsewhere,
    /// A path that should be a page of the site and is not one; with what was looked for.
    Missing,
}

/// The path part of a base URL (`https://x.io/docs/` → `/docs/`), where the site is served.
pub fn base_path(base_url: &str) -> String {
    let path = match base_url.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("/", |i| &rest[i..]),
        None => base_url,
    };
    let path = path.trim_end_matches('/');
    if path.is_empty() {
        "/".to_string()
    } else {
        format!("{}/", if path.starts_with('/') { path.to_string() } else { format!("/{path}") })
    }
}

/// `path` with `.`, `..` and empty segments resolved; `None` when it climbs above the root.
fn normalize(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for p in path.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    Some(parts.join("/"))
}

/// The folder of a path (`a/b/c` → `a/b`, `c` → ``).
fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(d, _)| d)
}

impl LinkTable {
    pub(crate) fn new(pages: &[Page], assets: HashMap<String, String>, base_url: &str) -> LinkTable {
        let mut t = LinkTable { assets, base_path: base_path(base_url), ..LinkTable::default() };
        for p in pages {
            t.by_stem.insert(p.stem.clone(), p.url.clone());
            t.by_path.insert(p.url.trim_end_matches('/').to_string(), p.url.clone());
            let dir = crate::content::without_number_prefixes(parent(&p.stem));
            let id = if p.front.id.is_empty() {
                p.stem.rsplit('/').next().unwrap_or("").to_string()
            } else {
                p.front.id.clone()
            };
            let full = if dir.is_empty() { id } else { format!("{dir}/{id}") };
            t.by_id.entry(full).or_insert_with(|| p.url.clone());
        }
        t
    }

    /// The URL path of a content page found by stem, with or without a trailing `/index`.
    fn page_by_stem(&self, stem: &str) -> Option<&String> {
        self.by_stem
            .get(stem)
            .or_else(|| self.by_stem.get(&format!("{stem}/index")).filter(|_| !stem.is_empty()))
            .or_else(|| if stem.is_empty() { self.by_stem.get("index") } else { None })
            .or_else(|| stem.strip_suffix("/index").and_then(|s| self.by_stem.get(s)))
            .or_else(|| self.by_id.get(stem))
    }

    /// Resolves `dest` as written on page `from`.
    pub(crate) fn resolve(&self, dest: &str, from: &Page) -> Target {
        let dest = dest.trim();
        if dest.starts_with("pathname://")
            || dest.contains("://")
            || dest.starts_with("//")
            || dest.starts_with("mailto:")
            || dest.starts_with("tel:")
        {
            return Target::Elsewhere;
        }
        let (path, anchor) = match dest.split_once('#') {
            Some((p, a)) => (p, Some(a.to_string()).filter(|a| !a.is_empty())),
            None => (dest, None),
        };
        let path = path.split_once('?').map_or(path, |(p, _)| p);
        if path.is_empty() {
            return Target::Page { url: from.url.clone(), anchor };
        }
        let page = |url: &String| Target::Page { url: url.clone(), anchor: anchor.clone() };
        // A Markdown file, beside the page or from the content folder's root.
        if let Some(file) = path.strip_suffix(".md").or_else(|| path.strip_suffix(".mdx")) {
            let stem = match file.strip_prefix('/') {
                Some(abs) => normalize(abs),
                None => normalize(&format!("{}/{file}", parent(&from.stem))),
            };
            return stem.and_then(|s| self.by_stem.get(&s).cloned()).map_or(Target::Missing, |u| page(&u));
        }
        if let Some(abs) = path.strip_prefix('/') {
            let rel = abs.strip_prefix(self.base_path.trim_start_matches('/')).unwrap_or(abs);
            if let Some(url) = self.assets.get(rel) {
                return Target::Asset(url.clone());
            }
            if rel.starts_with("assets/") || rel.trim_end_matches('/') == "playground" {
                return Target::Elsewhere;
            }
            let Some(key) = normalize(rel) else { return Target::Missing };
            return match self.by_path.get(&key) {
                Some(url) => page(url),
                // Not a content page: a generated one (the policy reference) or nothing; the check knows.
                None => Target::Page { url: if key.is_empty() { key } else { format!("{key}/") }, anchor },
            };
        }
        // A relative path to a file that is not a page: an image or download beside the page, shipped with it.
        let last = path.trim_end_matches('/').rsplit('/').next().unwrap_or("");
        if last.contains('.') && !last.starts_with('.') {
            let file = normalize(&format!("{}/{path}", parent(&from.stem)));
            return match file.and_then(|f| self.assets.get(&format!("content/{f}"))) {
                Some(url) => Target::Asset(url.clone()),
                None => Target::Missing,
            };
        }
        // As a Docusaurus reader's browser follows it: from the folder of the page's URL (no trailing slash).
        let url_dir = parent(from.url.trim_end_matches('/'));
        if let Some(url) = normalize(&format!("{url_dir}/{path}")).and_then(|k| self.by_path.get(&k)) {
            return page(url);
        }
        // As a file path without its extension, or a doc id, from the page's folder.
        if let Some(url) =
            normalize(&format!("{}/{path}", parent(&from.stem))).and_then(|s| self.page_by_stem(&s).cloned())
        {
            return page(&url);
        }
        Target::Missing
    }

    /// The URL to write for `dest` on page `from`: pages and static files get their URLs under `base_url`;
    /// anything else stays as written.
    pub(crate) fn url(&self, dest: &str, from: &Page, base_url: &str) -> Option<String> {
        // Docusaurus' escape hatch for a path served as it is (`pathname:///files/x.pdf`).
        if let Some(path) = dest.strip_prefix("pathname://") {
            return Some(path.to_string());
        }
        match self.resolve(dest, from) {
            Target::Page { url, anchor } => {
                let anchor = anchor.map(|a| format!("#{a}")).unwrap_or_default();
                Some(if dest.starts_with('#') { anchor } else { format!("{base_url}{url}{anchor}") })
            }
            Target::Asset(url) => Some(url),
            Target::Elsewhere | Target::Missing => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(stem: &str, id: &str, slug: Option<&str>) -> Page {
        let front = match slug {
            Some(s) => format!("---\nid: {id}\nslug: {s}\n---\n"),
            None => format!("---\nid: {id}\n---\n"),
        };
        crate::content::read_page(&format!("content/{stem}.md"), stem, front).expect("page")
    }

    fn table() -> (LinkTable, Vec<Page>) {
        let pages = vec![
            page("index", "index", None),
            page("xks/developer-guide/introduction", "introduction", None),
            page("xks/developer-guide/getting-started", "getting-started", None),
            page("xks/operator-guide/index", "index", None),
            page("xks/operator-guide/agents", "build-agents", None),
            page("security", "security", Some("/safety")),
        ];
        let assets = HashMap::from([
            ("img/a.png".to_string(), "/docs/assets/img/a.1234.png".to_string()),
            ("content/xks/img/d.svg".to_string(), "/docs/assets/content/xks/img/d.5678.svg".to_string()),
        ]);
        (LinkTable::new(&pages, assets, "https://example.com/docs/"), pages)
    }

    #[test]
    fn links_resolve_as_docusaurus_readers_follow_them() {
        let (t, pages) = table();
        let intro = &pages[1];
        let to = |dest: &str, from: &Page| t.resolve(dest, from);
        let at = |url: &str, anchor: Option<&str>| Target::Page { url: url.into(), anchor: anchor.map(str::to_string) };
        // Files, with and without extensions.
        assert_eq!(to("getting-started.md#x", intro), at("xks/developer-guide/getting-started/", Some("x")));
        assert_eq!(to("../operator-guide/index.mdx", intro), at("xks/operator-guide/", None));
        assert_eq!(to("/security.md", intro), at("safety/", None));
        assert_eq!(to("missing.md", intro), Target::Missing);
        // Relative URLs, from the folder of the page's URL, as a browser on the Docusaurus site does.
        assert_eq!(
            to("./getting-started/#configure", intro),
            at("xks/developer-guide/getting-started/", Some("configure"))
        );
        assert_eq!(to("../operator-guide", intro), at("xks/operator-guide/", None));
        // As file paths without the extension (`./operator-guide/index`), and doc ids.
        let index = &pages[0];
        assert_eq!(to("./xks/operator-guide/index", index), at("xks/operator-guide/", None));
        assert_eq!(to("xks/operator-guide/build-agents", index), at("xks/operator-guide/build-agents/", None));
        assert_eq!(to("./xks/operator-guide/agents.md", index), at("xks/operator-guide/build-agents/", None));
        assert_eq!(to("./nowhere", intro), Target::Missing);
        // Absolute URLs under the base path, static files, anchors, and what is not checked.
        assert_eq!(to("/docs/xks/developer-guide/introduction", index), at("xks/developer-guide/introduction/", None));
        assert_eq!(to("/xks/operator-guide/", index), at("xks/operator-guide/", None));
        assert_eq!(to("/docs/img/a.png", index), Target::Asset("/docs/assets/img/a.1234.png".into()));
        assert_eq!(to("/policies/", index), at("policies/", None));
        assert_eq!(to("#top", intro), at("xks/developer-guide/introduction/", Some("top")));
        assert_eq!(to("./diagram.png", intro), Target::Missing, "no such file beside the page");
        assert_eq!(to("../img/d.svg", intro), Target::Asset("/docs/assets/content/xks/img/d.5678.svg".into()));
        for elsewhere in ["https://x.io/a", "mailto:a@b", "/assets/x.css", "/playground/"] {
            assert_eq!(to(elsewhere, intro), Target::Elsewhere, "{elsewhere}");
        }
        assert_eq!(
            t.url("./getting-started", intro, "/docs/").as_deref(),
            Some("/docs/xks/developer-guide/getting-started/")
        );
        assert_eq!(t.url("#top", intro, "/docs/").as_deref(), Some("#top"));
        assert_eq!(t.url("pathname:///files/x.pdf", intro, "/docs/").as_deref(), Some("/files/x.pdf"));
        assert_eq!(base_path("/"), "/");
        assert_eq!(base_path("https://x.io"), "/");
        assert_eq!(base_path("/docs"), "/docs/");
    }
}
