//! `guardrail.toml`: the site's settings. Unknown keys are errors, so a typo fails loudly.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::diagnostics::{Diagnostic, line_col};

/// The site configuration, with defaults for everything but the title.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// Shown in the top bar and in every page title.
    pub title: String,
    /// One line about the site, for the index page's description.
    #[serde(default)]
    pub description: String,
    /// Where the site is served, ending in `/` (`https://docs.example.com/` or `/`).
    #[serde(default = "default_base_url")]
    pub base_url: String,
    /// Where a page's source can be edited: this, followed by the page's path from the site root, is the
    /// "Edit this page" link (`https://github.com/org/repo/edit/main/`); no link when unset.
    #[serde(default)]
    pub edit_url: Option<String>,
    /// Show each page's last-updated date: its front matter's `last_update.date`, else its last commit's date
    /// from git.
    #[serde(default)]
    pub show_last_updated: bool,
    #[serde(default)]
    pub paths: Paths,
    #[serde(default)]
    pub examples: Examples,
    #[serde(default)]
    pub policies: Policies,
    /// The API server in front of Gatekeeper: whether its stages are modelled, its plugins, Pod Security's
    /// defaults (`[admission]`).
    #[serde(default)]
    pub admission: guardrail_engine::admission::Settings,
}

/// How the policies are applied.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default, rename_all = "kebab-case")]
pub struct Policies {
    /// Namespaces the webhook leaves alone (Gatekeeper's `--exempt-namespace`): examples there are neither
    /// mutated nor validated. Exact names, `prefix*` or `*suffix`.
    pub exempt_namespaces: Vec<String>,
}

/// Folders, relative to the site root.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct Paths {
    pub content: PathBuf,
    pub theme: PathBuf,
    #[serde(rename = "static")]
    pub static_dir: PathBuf,
    /// Policy sources: folders and files, one path or a list.
    #[serde(deserialize_with = "one_or_many")]
    pub policies: Vec<PathBuf>,
    /// Cluster state: folders and files of objects that describe the cluster (Namespaces with their labels, ...),
    /// one path or a list; none by default. Policy sources may hold such objects too.
    #[serde(deserialize_with = "one_or_many")]
    pub cluster: Vec<PathBuf>,
    /// A Docusaurus sidebars file; by default `sidebars.js` or `sidebars.ts` at the root when there is one,
    /// else the content folder's tree.
    pub sidebars: Option<PathBuf>,
}

/// A path, or a list of paths.
fn one_or_many<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<PathBuf>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(PathBuf),
        Many(Vec<PathBuf>),
    }
    match OneOrMany::deserialize(d) {
        Ok(OneOrMany::One(p)) => Ok(vec![p]),
        Ok(OneOrMany::Many(list)) if !list.is_empty() => Ok(list),
        Ok(OneOrMany::Many(_)) => Err(serde::de::Error::custom("needs at least one path")),
        Err(_) => Err(serde::de::Error::custom("a path or a list of paths")),
    }
}

impl Default for Paths {
    fn default() -> Self {
        Paths {
            content: "content".into(),
            theme: "theme".into(),
            static_dir: "static".into(),
            policies: vec!["policies".into()],
            cluster: Vec::new(),
            sidebars: None,
        }
    }
}

/// Defaults for YAML examples.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default, rename_all = "kebab-case")]
pub struct Examples {
    /// Namespace examples without one are created in.
    pub namespace: String,
    /// The Kubernetes version whose API (schemas, served kinds) examples are decoded against: one of those
    /// shipped (`guardrail_engine::schema::VERSIONS`), the newest by default.
    pub kubernetes_version: String,
    /// Whether the policy objects a page shows (templates, constraints, mutators) judge that page's examples,
    /// with the site's: those inside a top-level `<details>` the examples of that `<details>`, those outside any
    /// the whole page. A policy library's pages show each policy with its examples.
    pub page_policies: bool,
    /// Words of a `<summary>` that say what the examples under it promise, when they say nothing themselves:
    /// `{ allowed = "admit", disallowed = "deny" }` reads `<summary>example-disallowed</summary>` as `expect=deny`
    /// (the innermost summary with one of the words, as a word: `disallowed` is not `allowed`).
    pub summary_expect: std::collections::BTreeMap<String, String>,
}

impl Default for Examples {
    fn default() -> Self {
        Examples {
            namespace: "default".into(),
            kubernetes_version: guardrail_engine::schema::NEWEST.into(),
            page_policies: false,
            summary_expect: std::collections::BTreeMap::new(),
        }
    }
}

fn default_base_url() -> String {
    "/".into()
}

pub const FILE: &str = "guardrail.toml";

/// Reads `<root>/guardrail.toml`.
pub fn load(root: &Path) -> Result<Config, Diagnostic> {
    let path = root.join(FILE);
    let text = std::fs::read_to_string(&path).map_err(|e| {
        Diagnostic::error(format!("cannot read {FILE}: {e}"), FILE, 1, 1)
            .help("`guardrail init` starts a site; a guardrail.toml needs only `title = \"...\"`")
    })?;
    let mut config = parse(&text)?;
    // A Docusaurus site keeps its pages in docs/: when the configuration names no content folder and there is
    // no content/, docs/ is the content.
    let names_content = text.lines().any(|l| l.trim_start().starts_with("content") && l.contains('='));
    if !names_content && !root.join(&config.paths.content).exists() && root.join("docs").is_dir() {
        config.paths.content = "docs".into();
    }
    // A site that names no policies and has no policies/ (a Docusaurus site trying guardrail) has its examples
    // judged by the API server alone; a folder it names must exist.
    let names_policies = text.lines().any(|l| l.trim_start().starts_with("policies") && l.contains('='));
    if !names_policies && config.paths.policies.iter().all(|p| !root.join(p).exists()) {
        config.paths.policies.clear();
    }
    Ok(config)
}

pub fn parse(text: &str) -> Result<Config, Diagnostic> {
    let mut config: Config = toml::from_str(text).map_err(|e| {
        let (line, column) = e.span().map_or((1, 1), |s| line_col(text, s.start));
        Diagnostic::error(format!("invalid {FILE}: {}", e.message()), FILE, line, column)
    })?;
    let v = config.examples.kubernetes_version.trim_start_matches('v');
    let v = v.split('.').take(2).collect::<Vec<_>>().join(".");
    if !guardrail_engine::schema::VERSIONS.contains(&v.as_str()) {
        let at = text.find("kubernetes-version").map_or((1, 1), |o| line_col(text, o));
        return Err(Diagnostic::error(
            format!(
                "invalid {FILE}: Kubernetes {} is not a version guardrail ships the API of",
                config.examples.kubernetes_version
            ),
            FILE,
            at.0,
            at.1,
        )
        .help(format!("use one of {}", guardrail_engine::schema::VERSIONS.join(", "))));
    }
    config.examples.kubernetes_version = v;
    for (word, verdict) in &config.examples.summary_expect {
        let at = text.find("summary-expect").map_or((1, 1), |o| line_col(text, o));
        if crate::examples::Expect::from_name(verdict).is_none() {
            return Err(Diagnostic::error(
                format!("invalid {FILE}: [examples] summary-expect: `{word} = \"{verdict}\"` is not a verdict"),
                FILE,
                at.0,
                at.1,
            )
            .help("say `admit`, `deny` or `refused` for each word"));
        }
        if word.is_empty() || !word.chars().all(|c| c.is_alphanumeric() || c == '_') {
            return Err(Diagnostic::error(
                format!("invalid {FILE}: [examples] summary-expect: `{word}` is not a word"),
                FILE,
                at.0,
                at.1,
            )
            .help(
                "name single words (`allowed`, `disallowed`); a summary matches one it contains between non-letters",
            ));
        }
    }
    if let Err(e) = config.admission.api_server(&config.examples.kubernetes_version) {
        let at = text.find("[admission]").map_or((1, 1), |o| line_col(text, o));
        return Err(Diagnostic::error(format!("invalid {FILE}: [admission] {e}"), FILE, at.0, at.1));
    }
    if !config.base_url.ends_with('/') {
        config.base_url.push('/');
    }
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_values() {
        let c =
            parse("title = \"XKS\"\nbase-url = \"https://docs.example\"\n[examples]\nnamespace = \"team\"\n").unwrap();
        assert_eq!(c.base_url, "https://docs.example/");
        assert_eq!(c.examples.namespace, "team");
        assert_eq!(c.paths.policies, [PathBuf::from("policies")]);
        let c = parse("title = \"X\"\n[paths]\npolicies = [\"policies\", \"live.yaml\"]\n").unwrap();
        assert_eq!(c.paths.policies, [PathBuf::from("policies"), PathBuf::from("live.yaml")]);
        let e = parse("title = \"X\"\n[paths]\npolicies = 3\n").unwrap_err();
        assert!(e.message.contains("a path or a list of paths"), "{}", e.message);
        assert!(parse("title = \"X\"\n[paths]\npolicies = []\n").unwrap_err().message.contains("at least one"));
    }

    #[test]
    fn unknown_keys_are_errors_with_a_position() {
        let d = parse("title = \"XKS\"\n[paths]\npolicy = \"p\"\n").unwrap_err();
        assert_eq!((d.line, d.column), (3, 1));
        assert!(d.message.starts_with("invalid guardrail.toml: unknown field `policy`"), "{}", d.message);
        assert!(parse("base-url = \"/\"\n").unwrap_err().message.contains("missing field `title`"));
    }
}
