//! A build of the whole site, and what `serve` keeps between saves to rebuild only what a change touched.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use guardrail_engine::limits::Limits;
use guardrail_engine::policy::{PolicySet, PolicyText, Sources};

use crate::assets::{self, StaticFile};
use crate::config::{self, Config};
use crate::content::{self, Page};
use crate::diagnostics::{Diagnostic, line_col};
use crate::examples::ExampleRecord;
use crate::links::{LinkTable, Target};
use crate::page::{self, Rendered};
use crate::search;
use crate::{history, par, playground, reference, sidebar, theme};

/// A build that could not finish: every diagnostic, with the text of the file each points into.
#[derive(Debug, Default)]
pub struct Failure {
    /// Sorted by file, line and column.
    pub diagnostics: Vec<Diagnostic>,
    sources: HashMap<String, String>,
    /// What the pages held, when they were all read: what was checked and what was not, and why (boxed: a
    /// failure stays small enough to return by value).
    pub summary: Option<Box<Summary>>,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.render())
    }
}

impl std::error::Error for Failure {}

impl Failure {
    fn one(d: Diagnostic) -> Self {
        Failure { diagnostics: vec![d], sources: HashMap::new(), summary: None }
    }

    fn sorted(mut self) -> Self {
        self.diagnostics.sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
        self.diagnostics.dedup();
        self
    }

    /// Every diagnostic as rustc-style text, each with the source line it points at.
    pub fn render(&self) -> String {
        self.diagnostics
            .iter()
            .map(|d| d.render(self.sources.get(&d.file).map(String::as_str)))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// What a successful build made.
#[derive(Debug, Clone)]
pub struct Site {
    /// Output files: path relative to the output folder → bytes.
    pub files: BTreeMap<String, Vec<u8>>,
    /// What the pages held: what was checked and what was not, and why.
    pub summary: Summary,
    /// What the policy sources held that is not a policy and was skipped (`7 Kustomization, 2 not Kubernetes
    /// objects`), or "".
    pub skipped: String,
    /// Problems that do not fail the build (an example a rule applies to that nothing could evaluate), sorted.
    pub warnings: Vec<Diagnostic>,
    /// The warnings as rustc-style text, each with the source line it points at.
    pub warnings_text: String,
}

/// What the content pages held: the examples checked, and what was not checked and why.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Content pages (the generated policy reference not counted).
    pub pages: usize,
    /// YAML examples admitted and compared with what their page promises.
    pub examples_checked: usize,
    /// YAML examples marked `novalidate`.
    pub examples_unchecked: usize,
    /// Objects of kinds with no schema known (custom resources), by kind: decoded by no schema, still admitted.
    pub unknown_kinds: BTreeMap<String, usize>,
    /// YAML blocks that hold no Kubernetes object (Helm values, a CI pipeline): shown as written, not checked.
    pub not_objects: usize,
    /// YAML blocks that hold pieces of objects that are not checked: their readings disagree, or they are pieces
    /// of Gatekeeper's own kinds.
    pub unplaced: usize,
    /// YAML blocks that hold pieces of objects other than Pods (a webhook's rules, a constraint's `match`) whose
    /// fields decode.
    pub pieces: usize,
    /// Configuration files written like objects that no API server serves (`Kustomization (kustomize)`), by kind.
    pub config_files: BTreeMap<String, usize>,
    /// Each document that is not an example, where and why (`content/x.md:12: ...`).
    pub not_examples: Vec<String>,
    /// Examples that elide part of an object, checked as far as shown.
    pub examples_partial: usize,
    /// Examples whose `<summary>` promises nothing (`[examples] summary-expect`): judged and shown, not compared.
    pub no_promise: usize,
}

impl Summary {
    /// The sums over rendered content pages.
    fn of(content: &[Rendered]) -> Summary {
        let sum_map = |f: &dyn Fn(&Rendered) -> &BTreeMap<String, usize>| {
            content.iter().flat_map(|r| f(r).iter()).fold(BTreeMap::new(), |mut all, (k, n)| {
                *all.entry(k.clone()).or_insert(0) += n;
                all
            })
        };
        Summary {
            pages: content.len(),
            examples_checked: content.iter().map(|r| r.counts.checked).sum(),
            examples_unchecked: content.iter().map(|r| r.counts.unchecked).sum(),
            not_objects: content.iter().map(|r| r.counts.not_objects).sum(),
            unplaced: content.iter().map(|r| r.counts.unplaced).sum(),
            pieces: content.iter().map(|r| r.counts.pieces).sum(),
            examples_partial: content.iter().map(|r| r.counts.partial).sum(),
            no_promise: content.iter().map(|r| r.counts.no_promise).sum(),
            config_files: sum_map(&|r| &r.counts.config_files),
            not_examples: content.iter().flat_map(|r| r.counts.not_examples.iter().cloned()).collect(),
            unknown_kinds: sum_map(&|r| &r.counts.unknown_kinds),
        }
    }
}

/// What the command line says instead of `guardrail.toml`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overrides {
    /// Policy sources (`--policies`, repeated), replacing `[paths] policies` when not empty. Relative paths are
    /// taken from the site root, so the command line should make them absolute.
    pub policies: Vec<PathBuf>,
}

/// Builds the site of `root` in memory.
pub fn build(root: &Path) -> Result<Site, Failure> {
    Session::build(root).map(Session::into_site)
}

/// [`build`], with what the command line says instead of `guardrail.toml`.
pub fn build_with(root: &Path, overrides: &Overrides) -> Result<Site, Failure> {
    Session::build_with(root, overrides).map(Session::into_site)
}

/// What takes each output file as it is made: (site path, bytes).
type Emit<'a> = dyn Fn(&str, &[u8]) -> Result<(), Failure> + Sync + 'a;

/// Where [`build_to`] puts the site.
#[derive(Debug, Clone, Copy)]
pub enum Destination<'a> {
    /// Nowhere: every page is still put through the theme (its errors are the build's), then dropped.
    Check,
    /// This folder, replaced whole at the end (see [`write`]); each page is written as soon as it is made, so
    /// the site is never held in memory.
    Dir(&'a Path),
}

/// Builds the site of `root` into `target`; the returned [`Site`] has no `files` (they went to the target). The
/// outer error is the output folder's (it is left as it was); the inner one, the docs' problems (nothing is
/// written).
pub fn build_to(root: &Path, overrides: &Overrides, target: Destination<'_>) -> std::io::Result<Result<Site, Failure>> {
    let mut session = match Session::prepare(root, overrides) {
        Ok(s) => s,
        Err(f) => return Ok(Err(f)),
    };
    // The pages' Markdown served their diagnostics; only those with warnings are shown again (at 10,000 pages
    // the texts are a fifth of what the build holds).
    session.release_texts();
    let made = match target {
        // A check puts every page through the theme (its errors are the build's) but makes no search index.
        Destination::Check => session.emit(&|_, _| Ok(()), false).map(drop),
        Destination::Dir(out) => {
            // An I/O error while writing stops the build; the first is kept to be reported.
            let failed: std::sync::Mutex<Option<std::io::Error>> = std::sync::Mutex::new(None);
            let written = crate::output::write_streaming(out, |dir| {
                session
                    .emit(
                        &|rel, bytes| {
                            let path = dir.join(rel);
                            let wrote = path
                                .parent()
                                .map_or(Ok(()), std::fs::create_dir_all)
                                .and_then(|()| std::fs::write(&path, bytes));
                            wrote.map_err(|e| {
                                let mut first = failed.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                                first.get_or_insert(e);
                                Failure::default()
                            })
                        },
                        true,
                    )
                    .map(drop)
            });
            match written {
                Ok(()) => Ok(()),
                Err(crate::output::Streamed::Io(e)) => return Err(e),
                Err(crate::output::Streamed::Made(f)) => {
                    match failed.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner) {
                        Some(e) => return Err(e),
                        None => Err(f),
                    }
                }
            }
        }
    };
    Ok(made.map(|()| session.into_site()))
}

/// A built site with everything needed to rebuild part of it: what `serve` keeps between saves.
pub struct Session {
    root: PathBuf,
    config: Config,
    /// The static folder, read once per full build (links and the theme's assets both need it).
    statics: Vec<StaticFile>,
    /// What the policy sources held besides policies (cluster state, what was skipped).
    policy_sources: Sources,
    /// What the command line says instead of `guardrail.toml`, applied again on every full rebuild.
    overrides: Overrides,
    policies: PolicySet,
    /// Content pages first, then the generated policy reference.
    pages: Vec<Page>,
    rendered: Vec<Rendered>,
    content_pages: usize,
    links: LinkTable,
    /// The sidebars, resolved to pages.
    trees: Vec<(String, Vec<sidebar::Item>)>,
    /// Warnings about the site as a whole (not of one page).
    site_warnings: Vec<Diagnostic>,
    theme: theme::Theme,
    layout: theme::Layout,
    /// The playground's engine, scripts and this build's policy bundle.
    playground: playground::Shipped,
    /// Shared so that a server can hold the files of one version while the next is built.
    files: BTreeMap<String, Arc<Vec<u8>>>,
    /// The search index's inputs, per listed page (in the order of [`Session::listed`]); kept so that a page's
    /// rebuild redoes only its own.
    search: Vec<search::Listed>,
}

/// How much a rebuild redid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rebuilt {
    /// Everything: config, policies, every page.
    Full,
    /// The changed Markdown pages only (and the search index and lists that include them).
    Pages(usize),
    /// Every page put through the theme again; no Markdown rendered, no example checked.
    Theme,
}

impl Session {
    /// A full build.
    pub fn build(root: &Path) -> Result<Session, Failure> {
        Session::build_with(root, &Overrides::default())
    }

    /// A full build, with what the command line says instead of `guardrail.toml`.
    pub fn build_with(root: &Path, overrides: &Overrides) -> Result<Session, Failure> {
        let mut session = Session::prepare(root, overrides)?;
        session.assemble_all()?;
        Ok(session)
    }

    fn build_inner(root: &Path, overrides: &Overrides) -> Result<Session, Failure> {
        let mut config = config::load(root).map_err(Failure::one)?;
        if !overrides.policies.is_empty() {
            config.paths.policies = overrides.policies.clone();
        }
        let PolicyLoad { set: policies, texts: policy_texts, sources: policy_sources } = load_policies(root, &config)?;
        let mut failure = Failure::default();

        // Pages: front matter and URLs.
        let files = content::markdown_files(root, &config.paths.content).map_err(Failure::one)?;
        // Read and split every page on every core; the results come back in the files' order.
        // A page's text is kept once, in its Page; the diagnostics get the texts only when the build fails.
        let read = par::map(&files, |(path, rel, stem)| {
            let text = read_utf8(path, rel).map_err(|d| vec![d])?;
            Ok::<_, Vec<Diagnostic>>(content::read_page(rel, stem, text.clone()).map_err(|ds| (text, ds)))
        });
        let mut pages: Vec<Page> = Vec::new();
        for ((_, rel, _), r) in files.iter().zip(read) {
            match r {
                Err(ds) => failure.diagnostics.extend(ds),
                Ok(Ok(p)) => pages.push(p),
                Ok(Err((text, ds))) => {
                    failure.sources.insert(rel.clone(), text);
                    failure.diagnostics.extend(ds);
                }
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
        // The date each page last changed, when the site shows it.
        let mut site_warnings = Vec::new();
        if config.show_last_updated {
            let dates = history::last_commit_dates(root, &config.paths.content).unwrap_or_else(|why| {
                site_warnings.push(
                    Diagnostic::warning(format!("show-last-updated: {why}; pages show no date"), config::FILE, 1, 1)
                        .help(
                            "build from a git checkout, or give pages `last_update: {date: ...}` in their front matter",
                        ),
                );
                HashMap::new()
            });
            for p in &mut pages {
                p.last_updated = p.front.last_update.clone().or_else(|| dates.get(&p.file).cloned());
            }
        }
        // Static files, then the files beside the pages (images a page links by a relative path); both are
        // shipped with content-hash names.
        let mut statics = assets::static_files(root, &config).map_err(Failure::one)?;
        statics.extend(assets::content_files(root, &config).map_err(Failure::one)?);
        let assets = statics.iter().map(|f| (f.rel.clone(), f.url(&config.base_url))).collect();
        // A static file served at its own path must not take the place of a file the build makes.
        let page_files: HashMap<String, &str> = pages.iter().map(|p| (p.output_path(), p.file.as_str())).collect();
        for f in statics.iter().filter(|f| f.at_root) {
            let page = page_files.get(&f.rel).map(|file| format!("the page {file}"));
            let reserved = f.rel == "404.html"
                || crate::sitemap::is_sitemap_file(&f.rel)
                || f.rel.starts_with("assets/")
                || f.rel.starts_with("playground/");
            if let Some(what) = page.or_else(|| reserved.then(|| "a file guardrail makes".to_string())) {
                let shown = format!("{}/{}", config.paths.static_dir.display(), f.rel);
                failure.diagnostics.push(
                    Diagnostic::error(format!("{shown} would replace {what} in the built site"), &shown, 1, 1)
                        .help("rename or move the static file (`assets/`, `playground/`, `404.html`, `sitemap.xml` and `sitemap-<n>.xml` are guardrail's)"),
                );
            }
        }
        let links = LinkTable::new(&pages, assets, &config.base_url);

        // Render every page, checking its examples: pages are independent, so they render on every core; meanwhile one more thread makes the policy reference, loads the theme and
        // prepares the playground's files, which need none of the pages.
        let (mut rendered, reference, theme, playground) = std::thread::scope(|scope| {
            let side = scope.spawn(|| {
                (
                    reference::pages(root, &policy_texts, &config.base_url, &policies),
                    theme::Theme::load(root, &config, &statics),
                    playground::Shipped::new(
                        &config.base_url,
                        &policies,
                        &config.examples.kubernetes_version,
                        &config.examples.namespace,
                    ),
                )
            });
            let rendered = render_all(root, &pages, &config, &links, &policies);
            let (reference, theme, playground) = side.join().unwrap_or_else(|e| std::panic::resume_unwind(e));
            (rendered, reference, theme, playground)
        });
        let content_pages = pages.len();
        for (p, r) in reference {
            pages.push(p);
            rendered.push(r);
        }
        failure.diagnostics.extend(page_diagnostics(&pages[..content_pages], &rendered[..content_pages]));
        failure.diagnostics.extend(check_links(&pages, &rendered, &config, &links));
        let trees = match sidebar::load(root, &config)
            .map_err(|d| vec![d])
            .and_then(|source| sidebar::trees(&source, &pages, content_pages))
        {
            Ok(t) => t,
            Err(ds) => {
                // Show the sidebars file's lines under its diagnostics.
                for d in &ds {
                    if let Ok(text) = std::fs::read_to_string(root.join(&d.file)) {
                        failure.sources.entry(d.file.clone()).or_insert(text);
                    }
                }
                failure.diagnostics.extend(ds);
                Vec::new()
            }
        };
        if !failure.diagnostics.is_empty() {
            for p in &pages {
                failure.sources.entry(p.file.clone()).or_insert_with(|| p.text.clone());
            }
            failure.summary = Some(Box::new(Summary::of(&rendered[..content_pages])));
            return Err(failure.sorted());
        }
        let theme = theme.map_err(Failure::one)?;
        let layout = theme.layout(&pages, &trees);
        Ok(Session {
            root: root.to_path_buf(),
            config,
            statics,
            policy_sources,
            overrides: overrides.clone(),
            policies,
            pages,
            rendered,
            content_pages,
            links,
            trees,
            site_warnings,
            theme,
            layout,
            playground,
            files: BTreeMap::new(),
            search: Vec::new(),
        })
    }

    /// Everything but putting the pages into the theme: what [`Session::build_with`] and [`build_to`] share.
    fn prepare(root: &Path, overrides: &Overrides) -> Result<Session, Failure> {
        Session::build_inner(root, overrides)
    }

    /// Drops the Markdown of every page without warnings: a one-shot build has no further use for it (a
    /// session that rebuilds keeps it).
    fn release_texts(&mut self) {
        for (i, p) in self.pages.iter_mut().enumerate() {
            if self.rendered.get(i).is_none_or(|r| r.warnings.is_empty()) {
                p.text = String::new();
            }
        }
    }

    /// The pages the search index lists (neither draft nor unlisted), in page order.
    fn listed(&self) -> Vec<usize> {
        (0..self.pages.len()).filter(|&i| !self.pages[i].front.draft && !self.pages[i].front.unlisted).collect()
    }

    /// What the search index takes from page `i`.
    fn search_page(&self, i: usize) -> search::Listed {
        let (p, r) = (&self.pages[i], &self.rendered[i]);
        search::Listed::new(&p.front.title, format!("{}{}", self.config.base_url, p.url), &r.found.headings, &r.html)
    }

    /// The search index's files, from the listed pages.
    fn search_index(search: &[search::Listed], emit: &Emit<'_>) -> Result<(), Failure> {
        search::index_files(search, |path, bytes| emit(&path, &bytes))
    }

    /// Every output file (pages, the search index, the site-wide files), each handed to `emit` as soon as it is
    /// made, on every core; nothing is kept but what the search takes of each page (returned). The first error
    /// stops it.
    fn emit(&self, emit: &Emit<'_>, with_search: bool) -> Result<Vec<search::Listed>, Failure> {
        let indexes: Vec<usize> = (0..self.pages.len()).filter(|i| !self.pages[*i].front.draft).collect();
        let mut listed_as = vec![None; self.pages.len()];
        for (n, i) in self.listed().into_iter().enumerate() {
            listed_as[i] = Some(n);
        }
        let (extras, pages) = std::thread::scope(|scope| {
            let extras = scope.spawn(|| {
                let files = self.extras()?;
                files.iter().try_for_each(|(path, bytes)| emit(path, bytes))
            });
            let pages = par::map(&indexes, |&i| {
                let (path, html) =
                    self.theme.page(&self.layout, &self.pages, &self.rendered, i).map_err(Failure::one)?;
                emit(&path, &html)?;
                Ok(listed_as[i].filter(|_| with_search).map(|_| self.search_page(i)))
            });
            (extras.join().unwrap_or_else(|e| std::panic::resume_unwind(e)), pages)
        });
        extras?;
        let search: Vec<search::Listed> =
            pages.into_iter().collect::<Result<Vec<_>, _>>()?.into_iter().flatten().collect();
        if with_search {
            Session::search_index(&search, emit)?;
        }
        Ok(search)
    }

    fn assemble_all(&mut self) -> Result<(), Failure> {
        let files = std::sync::Mutex::new(BTreeMap::new());
        let search = self.emit(
            &|path, bytes| {
                files
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .insert(path.to_string(), Arc::new(bytes.to_vec()));
                Ok(())
            },
            true,
        )?;
        self.files = files.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
        self.search = search;
        Ok(())
    }

    fn extras(&self) -> Result<BTreeMap<String, Arc<Vec<u8>>>, Failure> {
        let examples: Vec<ExampleRecord> = self.rendered.iter().flat_map(|r| r.examples.iter().cloned()).collect();
        let files = self.theme.extras(&self.layout, &self.pages, &examples, &self.playground).map_err(Failure::one)?;
        Ok(files.into_iter().map(|(k, v)| (k, Arc::new(v))).collect())
    }

    /// What the policy sources held besides policies.
    pub fn policy_sources(&self) -> &Sources {
        &self.policy_sources
    }

    /// The warnings of the last successful build, sorted, with the page texts they point into.
    pub fn warnings(&self) -> Failure {
        let mut report = Failure::default();
        report.diagnostics.extend(self.site_warnings.iter().cloned());
        for (p, r) in self.pages[..self.content_pages].iter().zip(&self.rendered) {
            if !r.warnings.is_empty() {
                report.diagnostics.extend(r.warnings.iter().cloned());
                report.sources.insert(p.file.clone(), p.text.clone());
            }
        }
        report.sorted()
    }

    /// The built site.
    pub fn into_site(self) -> Site {
        let warnings = self.warnings();
        let content = &self.rendered[..self.content_pages];
        Site {
            warnings_text: warnings.render(),
            warnings: warnings.diagnostics,
            skipped: self.policy_sources.skipped_summary(),
            files: self.files.into_iter().map(|(k, v)| (k, Arc::unwrap_or_clone(v))).collect(),
            summary: Summary::of(content),
        }
    }

    /// The output files, as of the last successful rebuild.
    pub fn files(&self) -> &BTreeMap<String, Arc<Vec<u8>>> {
        &self.files
    }

    /// The configuration of the last successful build.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The folders a change in which calls for a rebuild (content, theme, static, policies), absolute.
    /// `guardrail.toml` itself is at the root.
    pub fn watched(&self) -> Vec<PathBuf> {
        watched(&self.root, &self.config)
    }

    /// The cheapest sound rebuild for a set of changed paths. Markdown edits that keep a page's place in the
    /// navigation re-render that page only; theme edits re-template every page without checking examples again;
    /// anything else (config, policies, static files, a page added, removed or moved) rebuilds everything.
    pub fn rebuild(&mut self, changed: &[PathBuf]) -> Result<Rebuilt, Failure> {
        let content_dir = self.root.join(&self.config.paths.content);
        let theme_dir = self.root.join(&self.config.paths.theme);
        let all_markdown = changed.iter().all(|p| p.starts_with(&content_dir) && content::is_content_file(p));
        if all_markdown {
            if let Some(n) = self.update_pages(changed)? {
                return Ok(Rebuilt::Pages(n));
            }
        }
        let theme_only = changed
            .iter()
            .all(|p| p.starts_with(theme_dir.join("templates")) || p.starts_with(theme_dir.join("assets")));
        if theme_only {
            self.theme = theme::Theme::load(&self.root, &self.config, &self.statics).map_err(Failure::one)?;
            self.layout = self.theme.layout(&self.pages, &self.trees);
            self.assemble_all()?;
            return Ok(Rebuilt::Theme);
        }
        *self = Session::build_with(&self.root, &self.overrides)?;
        Ok(Rebuilt::Full)
    }

    /// Re-renders the pages of `changed`; `Ok(None)` when that would not be sound (a page is new or gone, or its
    /// place in the navigation changed) and everything must be rebuilt.
    fn update_pages(&mut self, changed: &[PathBuf]) -> Result<Option<usize>, Failure> {
        let mut updates = Vec::new();
        let mut failure = Failure::default();
        for path in changed {
            let Some(i) = self.pages[..self.content_pages].iter().position(|p| self.root.join(&p.file) == *path) else {
                return Ok(None);
            };
            if !path.exists() {
                return Ok(None);
            }
            let rel = self.pages[i].file.clone();
            let text = read_utf8(path, &rel).map_err(Failure::one)?;
            failure.sources.insert(rel.clone(), text.clone());
            let page = match content::read_page(&rel, &self.pages[i].stem, text) {
                Ok(mut p) => {
                    p.last_updated = p.front.last_update.clone().or_else(|| self.pages[i].last_updated.clone());
                    p
                }
                Err(ds) => {
                    failure.diagnostics.extend(ds);
                    return Err(failure);
                }
            };
            let old = &self.pages[i];
            // The front matter decides the page's place in the sidebar, the pager and the lists.
            let same_place = page.url == old.url && page.front == old.front;
            if !same_place {
                return Ok(None);
            }
            updates.push((i, page));
        }
        // Swap the new pages in; put the old ones back if the site no longer checks.
        let mut policies = self.policies.clone();
        let mut previous = Vec::with_capacity(updates.len());
        for (i, page) in updates.iter() {
            let r = page::render(&self.root, page, &self.config, &self.links, &mut policies);
            previous.push((
                *i,
                std::mem::replace(&mut self.pages[*i], page.clone()),
                std::mem::replace(&mut self.rendered[*i], r),
            ));
        }
        let n = self.content_pages;
        failure.diagnostics.extend(page_diagnostics(&self.pages[..n], &self.rendered[..n]));
        failure.diagnostics.extend(check_links(&self.pages, &self.rendered, &self.config, &self.links));
        if !failure.diagnostics.is_empty() {
            for p in &self.pages[..n] {
                failure.sources.entry(p.file.clone()).or_insert_with(|| p.text.clone());
            }
            failure.summary = Some(Box::new(Summary::of(&self.rendered[..n])));
            for (i, page, rendered) in previous {
                self.pages[i] = page;
                self.rendered[i] = rendered;
            }
            return Err(failure.sorted());
        }
        let mut files = self.extras()?;
        // The search index's and the examples list's pieces are made again from every page's kept terms, the
        // updated pages' anew (a piece the new index does not have is gone).
        let index_file = |p: &str| p.starts_with("assets/search/") || p.starts_with(crate::theme::EXAMPLES);
        for (path, bytes) in std::mem::take(&mut self.files).into_iter().filter(|(p, _)| !index_file(p)) {
            files.entry(path).or_insert(bytes);
        }
        let made = std::sync::Mutex::new(Vec::new());
        let collect = |path: &str, bytes: &[u8]| {
            made.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push((path.to_string(), bytes.to_vec()));
            Ok(())
        };
        let listed = self.listed();
        for (i, _) in &updates {
            let (path, html) = self.theme.page(&self.layout, &self.pages, &self.rendered, *i).map_err(Failure::one)?;
            files.insert(path, Arc::new(html));
            if let Some(n) = listed.iter().position(|l| l == i) {
                self.search[n] = self.search_page(*i);
            }
        }
        Session::search_index(&self.search, &collect)?;
        for (path, bytes) in made.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner) {
            files.insert(path, Arc::new(bytes));
        }
        self.files = files;
        Ok(Some(updates.len()))
    }
}

/// The folders of `config` below `root` whose changes call for a rebuild.
pub fn watched(root: &Path, config: &Config) -> Vec<PathBuf> {
    let p = &config.paths;
    [&p.content, &p.theme, &p.static_dir]
        .into_iter()
        .chain(&p.policies)
        .chain(&p.cluster)
        .chain(&p.sidebars)
        .map(|d| root.join(d))
        .collect()
}

/// Conflict markers and example diagnostics of content pages.
fn page_diagnostics(pages: &[Page], rendered: &[Rendered]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (p, r) in pages.iter().zip(rendered) {
        let in_code = |line: usize| {
            r.found.code_ranges.iter().any(|range| {
                let (a, _) = line_col(&p.text, range.start);
                let (b, _) = line_col(&p.text, range.end.saturating_sub(1));
                line >= a && line <= b
            })
        };
        out.extend(content::conflict_markers(p, &in_code));
        out.extend(r.diagnostics.iter().cloned());
    }
    out
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

/// Loads the policies; also returns the files as read (root-relative name, text) for the policy reference.
/// A policy set as the build loaded it.
struct PolicyLoad {
    set: PolicySet,
    /// The files as read (root-relative name, text), for the policy reference.
    texts: Vec<(String, String)>,
    /// What the sources held besides policies.
    sources: Sources,
}

/// Loads the policy sources.
fn load_policies(root: &Path, config: &Config) -> Result<PolicyLoad, Failure> {
    let sources: Vec<PathBuf> =
        config.paths.policies.iter().chain(&config.paths.cluster).map(|p| root.join(p)).collect();
    let files = crate::policies::policy_files(&sources).map_err(|e| {
        Failure::one(
            Diagnostic::error(e.to_string(), config::FILE, 1, 1).help("set `[paths] policies` in guardrail.toml"),
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
    let (set, found) = PolicySet::load_sources(&refs, &Limits::default()).map_err(|errors| {
        failure.diagnostics = errors
            .into_iter()
            .map(|e| {
                let helm = crate::policies::help_for(&e, &texts);
                let d = Diagnostic::error(format!("policy does not load: {}", e.message), e.name, e.line, e.column);
                match helm {
                    Some(h) => d.help(h),
                    None => d,
                }
            })
            .collect();
        failure
    })?;
    let mut set = set;
    set.set_cluster(found.cluster.clone()).map_err(|e| {
        Failure::one(Diagnostic::error(format!("the cluster state cannot be used: {e}"), config::FILE, 1, 1))
    })?;
    set.set_exempt_namespaces(&config.policies.exempt_namespaces).map_err(|e| {
        Failure::one(Diagnostic::error(
            format!("invalid {}: [policies] exempt-namespaces: {e}", config::FILE),
            config::FILE,
            1,
            1,
        ))
    })?;
    // Validated when the configuration was read.
    set.set_api_server(config.admission.api_server(&config.examples.kubernetes_version).unwrap_or_default());
    Ok(PolicyLoad { set, texts, sources: found })
}

fn render_all(root: &Path, pages: &[Page], config: &Config, links: &LinkTable, policies: &PolicySet) -> Vec<Rendered> {
    par::map_with(pages, || policies.clone(), |set, p| page::render(root, p, config, links, set))
}

/// Internal links must reach a page, and their anchors a heading of it, resolved as the rewrite resolved them.
fn check_links(pages: &[Page], rendered: &[Rendered], config: &Config, links: &LinkTable) -> Vec<Diagnostic> {
    let by_url: HashMap<&str, &Rendered> = pages.iter().zip(rendered).map(|(p, r)| (p.url.as_str(), r)).collect();
    let drafts: std::collections::HashSet<&str> =
        pages.iter().filter(|p| p.front.draft).map(|p| p.url.as_str()).collect();
    let help = format!(
        "link to a Markdown file of {}/ (`other.md`, `../guide/intro`) or to a page URL (`/security/`)",
        config.paths.content.display()
    );
    let mut out = Vec::new();
    for (p, r) in pages.iter().zip(rendered) {
        for link in &r.found.links {
            let dest = link.dest.as_str();
            let (path, target) = match links.resolve(dest, p) {
                Target::Elsewhere | Target::Asset(_) => continue,
                Target::Missing => (dest.split('#').next().unwrap_or(dest), None),
                Target::Page { url, anchor } => (dest.split('#').next().unwrap_or(dest), Some((url, anchor))),
            };
            let (line, col) = line_col(&p.text, link.offset);
            let Some(t) = target.as_ref().and_then(|(url, _)| by_url.get(url.as_str())) else {
                let last = path.trim_end_matches('/').rsplit('/').next().unwrap_or("");
                let what = if last.contains('.') && !last.ends_with(".md") && !last.ends_with(".mdx") {
                    "file"
                } else {
                    "page"
                };
                out.push(
                    Diagnostic::error(format!("broken link: no {what} at `{path}`"), &p.file, line, col)
                        .width(dest.len() + 2)
                        .help(if what == "file" {
                            format!(
                                "a relative path is read from the page's folder; put the file there, or in {}/ and link it as `/path`",
                                config.paths.static_dir.display()
                            )
                        } else {
                            help.clone()
                        }),
                );
                continue;
            };
            if target.as_ref().is_some_and(|(url, _)| drafts.contains(url.as_str())) && !p.front.draft {
                out.push(
                    Diagnostic::error(
                        format!("link to a draft page: `{path}` is checked but not published"),
                        &p.file,
                        line,
                        col,
                    )
                    .width(dest.len() + 2)
                    .help("remove `draft: true` from that page, or the link"),
                );
                continue;
            }
            if let Some(a) = target.and_then(|(_, a)| a) {
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

/// Writes `site` into `out` atomically: a sibling temporary folder, swapped in only when complete.
pub fn write(site: &Site, out: &Path) -> std::io::Result<()> {
    crate::output::write_atomically(&site.files, out)
}

/// Where `build` writes when no folder is given: `public/` of the site root.
pub fn default_out_dir(root: &Path) -> PathBuf {
    root.join("public")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_site(name: &str) -> PathBuf {
        let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
        let dir = std::env::temp_dir().join(format!("guardrail-session-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("content")).expect("dir");
        std::fs::create_dir_all(dir.join("theme")).expect("dir");
        // A theme of our own, so a theme edit here does not touch the repository's.
        for sub in ["templates", "assets"] {
            let from = repo.join("theme").join(sub);
            std::fs::create_dir_all(dir.join("theme").join(sub)).expect("dir");
            for e in std::fs::read_dir(&from).expect("theme") {
                let p = e.expect("entry").path();
                std::fs::copy(&p, dir.join("theme").join(sub).join(p.file_name().expect("name"))).expect("copy");
            }
        }
        std::fs::write(
            dir.join("guardrail.toml"),
            format!("title = \"S\"\n[paths]\npolicies = \"{}\"\n", repo.join("policies").display()),
        )
        .expect("config");
        std::fs::write(dir.join("content/a.md"), "---\ntitle: A\n---\n\nFirst.\n\n```yaml\nhostNetwork: false\n```\n")
            .expect("a");
        std::fs::write(dir.join("content/b.md"), "---\ntitle: B\n---\n\nSee [A](a.md).\n").expect("b");
        dir
    }

    fn page(s: &Session, path: &str) -> String {
        String::from_utf8_lossy(s.files()[path].as_ref()).into_owned()
    }

    #[test]
    fn rebuilds_do_the_least_that_is_sound() {
        let root = temp_site("incremental");
        let mut s = Session::build(&root).expect("builds");
        let b_before = s.files()["b/index.html"].clone();

        // A body edit re-renders that page only; the other page's output is the very same allocation.
        std::fs::write(
            root.join("content/a.md"),
            "---\ntitle: A\n---\n\nSecond.\n\n```yaml\nhostNetwork: false\n```\n",
        )
        .expect("edit");
        assert_eq!(s.rebuild(&[root.join("content/a.md")]).expect("rebuilds"), Rebuilt::Pages(1));
        assert!(page(&s, "a/index.html").contains("Second."));
        assert!(Arc::ptr_eq(&b_before, &s.files()["b/index.html"]));
        let searchable: String = s
            .files()
            .iter()
            .filter(|(k, _)| k.starts_with("assets/search/s/"))
            .map(|(_, v)| String::from_utf8_lossy(v.as_ref()).into_owned())
            .collect();
        assert!(searchable.contains("\"second\"") && !searchable.contains("\"first\""), "{searchable}");

        // A broken example fails and leaves the last good output.
        std::fs::write(root.join("content/a.md"), "---\ntitle: A\n---\n\nThird.\n\n```yaml\nhostNetwork: true\n```\n")
            .expect("break");
        let err = s.rebuild(&[root.join("content/a.md")]).expect_err("the example is rejected");
        assert!(err.render().contains("example is rejected"), "{}", err.render());
        assert!(page(&s, "a/index.html").contains("Second."));

        // A new title moves the page in the navigation: every page changes, so everything is rebuilt.
        std::fs::write(root.join("content/a.md"), "---\ntitle: Renamed\n---\n\nFourth.\n").expect("rename");
        assert_eq!(s.rebuild(&[root.join("content/a.md")]).expect("rebuilds"), Rebuilt::Full);
        assert!(page(&s, "b/index.html").contains("Renamed"));

        // A heading another page links to cannot disappear unnoticed.
        std::fs::write(root.join("content/b.md"), "---\ntitle: B\n---\n\nSee [A](a.md#fourth).\n").expect("anchor");
        std::fs::write(root.join("content/a.md"), "---\ntitle: Renamed\n---\n\n## Fourth\n").expect("heading");
        assert!(s.rebuild(&[root.join("content/a.md"), root.join("content/b.md")]).is_ok());
        std::fs::write(root.join("content/a.md"), "---\ntitle: Renamed\n---\n\n## Fifth\n").expect("heading gone");
        let err = s.rebuild(&[root.join("content/a.md")]).expect_err("b's link broke");
        assert!(err.render().contains("no heading `#fourth`"), "{}", err.render());
        std::fs::write(root.join("content/a.md"), "---\ntitle: Renamed\n---\n\n## Fourth\n").expect("heading back");
        assert!(s.rebuild(&[root.join("content/a.md")]).is_ok());

        // A theme edit re-templates every page without rendering Markdown again.
        let css = root.join("theme/assets/style.css");
        let mut text = std::fs::read_to_string(&css).expect("css");
        text.push_str("\n.new-rule { color: red; }\n");
        std::fs::write(&css, text).expect("css edit");
        assert_eq!(s.rebuild(&[css]).expect("rebuilds"), Rebuilt::Theme);
        assert!(
            s.files()
                .iter()
                .any(|(k, v)| k.starts_with("assets/style.")
                    && String::from_utf8_lossy(v.as_ref()).contains(".new-rule"))
        );
        let _ = std::fs::remove_dir_all(root);
    }
}
