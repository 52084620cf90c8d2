//! The site generator: read `content/`, check every YAML example through the engine, render with `theme/`, and
//! write the site atomically. All diagnostics of a build are collected and reported together.

pub(crate) mod config;
pub(crate) mod content;
pub(crate) mod diagnostics;
pub(crate) mod examples;
pub(crate) mod highlight;
pub(crate) mod markdown;
pub(crate) mod output;
pub(crate) mod page;
pub(crate) mod playground_link;
pub(crate) mod reference;
pub(crate) mod theme;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use guardrail_engine::limits::Limits;
use guardrail_engine::policy::{PolicySet, PolicyText};
use serde_json::{Value, json};

use self::config::{Config, line_col};
use self::content::Page;
use self::diagnostics::Diagnostic;
use self::page::{ExampleRecord, LinkTable, Rendered};

/// A build that could not finish: every diagnostic, with the text of the file each points into.
#[derive(Debug, Default)]
pub(crate) struct Failure {
    pub(crate) diagnostics: Vec<Diagnostic>,
    pub(crate) sources: HashMap<String, String>,
}

impl Failure {
    fn one(d: Diagnostic) -> Self {
        Failure { diagnostics: vec![d], sources: HashMap::new() }
    }

    /// Every diagnostic as rustc-style text.
    pub(crate) fn render(&self) -> String {
        self.diagnostics
            .iter()
            .map(|d| d.render(self.sources.get(&d.file).map(String::as_str)))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// What a successful build made.
#[derive(Debug, Clone)]
pub(crate) struct Site {
    /// Output files: path relative to the output folder → bytes.
    pub(crate) files: BTreeMap<String, Vec<u8>>,
    pub(crate) pages: usize,
    pub(crate) examples_checked: usize,
    pub(crate) examples_unchecked: usize,
}

/// Builds the site of `root` in memory.
pub(crate) fn build(root: &Path) -> Result<Site, Failure> {
    let config = config::load(root).map_err(Failure::one)?;
    let policies = load_policies(root, &config)?;
    let mut failure = Failure::default();

    // Pages: front matter and URLs.
    let files = content::markdown_files(root, &config.paths.content).map_err(|e| {
        Failure::one(Diagnostic::error(
            format!("cannot read the content folder {}: {e}", config.paths.content.display()),
            config::FILE,
            1,
            1,
        ))
    })?;
    let mut pages: Vec<Page> = Vec::new();
    for (path, rel, stem) in files {
        let text = match read_utf8(&path, &rel) {
            Ok(t) => t,
            Err(d) => {
                failure.diagnostics.push(d);
                continue;
            }
        };
        failure.sources.insert(rel.clone(), text.clone());
        match content::read_page(&rel, &stem, text) {
            Ok(p) => pages.push(p),
            Err(ds) => failure.diagnostics.extend(ds),
        }
    }
    let mut seen: HashMap<String, String> = HashMap::new();
    for p in &pages {
        if let Some(other) = seen.insert(p.url.clone(), p.file.clone()) {
            failure.diagnostics.push(
                Diagnostic::error(format!("{} and {other} both want the URL /{}", p.file, p.url), &p.file, 1, 1)
                    .help("give one of them another `slug` in its front matter"),
            );
        }
    }
    let assets = theme::static_files(root, &config)
        .map_err(Failure::one)?
        .into_iter()
        .map(|(rel, bytes)| {
            let url = theme::asset_url(&config.base_url, &rel, &bytes);
            (rel, url)
        })
        .collect();
    let links = LinkTable { by_file: pages.iter().map(|p| (p.file.clone(), p.url.clone())).collect(), assets };

    // Render every page, checking its examples; pages are independent, so they render in parallel.
    let mut rendered = render_all(&pages, &config, &links, &policies);
    let content_pages = pages.len();
    for (p, r) in reference::pages(root, &config.paths.policies, &config.base_url, &policies).map_err(Failure::one)? {
        pages.push(p);
        rendered.push(r);
    }
    for (p, r) in pages.iter().zip(&rendered).take(content_pages) {
        let in_code = |line: usize| {
            r.found.code_ranges.iter().any(|range| {
                let (a, _) = line_col(&p.text, range.start);
                let (b, _) = line_col(&p.text, range.end.saturating_sub(1));
                line >= a && line <= b
            })
        };
        failure.diagnostics.extend(content::conflict_markers(p, &in_code));
        failure.diagnostics.extend(r.diagnostics.iter().cloned());
    }
    failure.diagnostics.extend(check_links(&pages, &rendered, &config, &links));
    if !failure.diagnostics.is_empty() {
        failure.diagnostics.sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
        failure.diagnostics.dedup();
        return Err(failure);
    }

    let examples: Vec<ExampleRecord> = rendered.iter().flat_map(|r| r.examples.iter().cloned()).collect();
    let checked = rendered.iter().map(|r| r.counts.checked).sum();
    let unchecked = rendered.iter().map(|r| r.counts.unchecked).sum();
    let files = theme::assemble(root, &config, &pages, &rendered, &examples).map_err(Failure::one)?;
    Ok(Site { files, pages: content_pages, examples_checked: checked, examples_unchecked: unchecked })
}

fn read_utf8(path: &Path, rel: &str) -> Result<String, Diagnostic> {
    let bytes = std::fs::read(path).map_err(|e| Diagnostic::error(format!("cannot read {rel}: {e}"), rel, 1, 1))?;
    String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let text = String::from_utf8_lossy(valid);
        let (line, col) = line_col(&text, text.len());
        Diagnostic::error(format!("{rel} is not valid UTF-8"), rel, line, col)
    })
}

fn load_policies(root: &Path, config: &Config) -> Result<PolicySet, Failure> {
    let dir = root.join(&config.paths.policies);
    let files = crate::policies::policy_files(&dir).map_err(|e| {
        Failure::one(
            Diagnostic::error(format!("{e:#}"), config::FILE, 1, 1).help("set `[paths] policies` in guardrail.toml"),
        )
    })?;
    let mut texts = Vec::new();
    let mut failure = Failure::default();
    for f in &files {
        let rel = f.strip_prefix(root).unwrap_or(f).to_string_lossy().replace('\\', "/");
        match read_utf8(f, &rel) {
            Ok(t) => {
                failure.sources.insert(rel.clone(), t.clone());
                texts.push((rel, t));
            }
            Err(d) => failure.diagnostics.push(d),
        }
    }
    if !failure.diagnostics.is_empty() {
        return Err(failure);
    }
    let refs: Vec<PolicyText<'_>> = texts.iter().map(|(n, t)| PolicyText { name: n, text: t }).collect();
    PolicySet::load(&refs, &Limits::default()).map_err(|errors| {
        failure.diagnostics = errors
            .into_iter()
            .map(|e| Diagnostic::error(format!("policy does not load: {}", e.message), e.name, e.line, e.column))
            .collect();
        failure
    })
}

fn render_all(pages: &[Page], config: &Config, links: &LinkTable, policies: &PolicySet) -> Vec<Rendered> {
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).min(pages.len().max(1));
    if workers <= 1 {
        let mut set = policies.clone();
        return pages.iter().map(|p| page::render(p, config, links, &mut set)).collect();
    }
    let mut slots: Vec<Option<Rendered>> = vec![None; pages.len()];
    std::thread::scope(|scope| {
        let chunks: Vec<_> =
            slots.chunks_mut(pages.len().div_ceil(workers)).zip(pages.chunks(pages.len().div_ceil(workers))).collect();
        for (out, chunk) in chunks {
            let mut set = policies.clone();
            scope.spawn(move || {
                for (slot, p) in out.iter_mut().zip(chunk) {
                    *slot = Some(page::render(p, config, links, &mut set));
                }
            });
        }
    });
    slots.into_iter().flatten().collect()
}

/// Internal links must reach a page, and their anchors a heading of it.
fn check_links(pages: &[Page], rendered: &[Rendered], config: &Config, links: &LinkTable) -> Vec<Diagnostic> {
    let mut by_url: HashMap<&str, &Rendered> = HashMap::new();
    let mut by_file: HashMap<&str, &Rendered> = HashMap::new();
    for (p, r) in pages.iter().zip(rendered) {
        by_url.insert(p.url.as_str(), r);
        by_file.insert(p.file.as_str(), r);
    }
    let mut out = Vec::new();
    for (p, r) in pages.iter().zip(rendered) {
        for link in &r.found.links {
            let dest = link.dest.as_str();
            if dest.contains("://") || dest.starts_with("mailto:") || dest.starts_with("tel:") {
                continue;
            }
            let (path, anchor) = match dest.split_once('#') {
                Some((a, b)) => (a, Some(b)),
                None => (dest, None),
            };
            let target: Option<&Rendered> = if path.is_empty() {
                Some(r)
            } else if path.ends_with(".md") {
                by_file.get(page::markdown_target(path, &p.file).as_str()).copied()
            } else if let Some(abs) = path.strip_prefix('/') {
                let base_path = config
                    .base_url
                    .split("://")
                    .nth(1)
                    .map_or(config.base_url.as_str(), |r| r.find('/').map_or("/", |i| &r[i..]));
                let rel = abs.strip_prefix(base_path.trim_start_matches('/')).unwrap_or(abs);
                let key = if rel.is_empty() || rel.ends_with('/') { rel.to_string() } else { format!("{rel}/") };
                if key == "playground/" || rel.starts_with("assets/") || links.assets.contains_key(rel) {
                    continue; // the playground and static files are not Markdown pages
                }
                by_url.get(key.as_str()).copied()
            } else {
                continue; // relative non-Markdown links (images, files) are not pages
            };
            let (line, col) = line_col(&p.text, link.offset);
            let Some(t) = target else {
                out.push(
                    Diagnostic::error(format!("broken link: no page at `{path}`"), &p.file, line, col)
                        .width(dest.len() + 2)
                        .help("link to a Markdown file of content/ (`other.md`) or to a page URL (`/security/`)"),
                );
                continue;
            };
            if let Some(a) = anchor.filter(|a| !a.is_empty()) {
                if !t.found.headings.iter().any(|h| h.id == a) {
                    let known: Vec<&str> = t.found.headings.iter().map(|h| h.id.as_str()).take(8).collect();
                    out.push(
                        Diagnostic::error(format!("broken link: no heading `#{a}` on that page"), &p.file, line, col)
                            .width(dest.len() + 2)
                            .note(format!("its headings: {}", known.join(", ")))
                            .help("link to one of its headings"),
                    );
                }
            }
        }
    }
    out
}

/// The JSON given to the playground: every checked example, by page.
pub(crate) fn examples_json(examples: &[ExampleRecord]) -> Value {
    json!(examples)
}

/// Writes `site` into `out` atomically: a sibling temporary folder, swapped in only when complete.
pub(crate) fn write(site: &Site, out: &Path) -> std::io::Result<()> {
    output::write_atomically(&site.files, out)
}

/// Resolves `--root` and `--out`.
pub(crate) fn out_dir(root: &Path, out: Option<&Path>) -> PathBuf {
    out.map_or_else(|| root.join("public"), Path::to_path_buf)
}
