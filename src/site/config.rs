//! `guardrail.toml`: the site's settings. Unknown keys are errors, so a typo fails loudly.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::diagnostics::Diagnostic;

/// The site configuration, with defaults for everything but the title.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct Config {
    /// Shown in the top bar and in every page title.
    pub(crate) title: String,
    /// One line about the site, for the index page's description.
    #[serde(default)]
    pub(crate) description: String,
    /// Where the site is served, ending in `/` (`https://docs.example.com/` or `/`).
    #[serde(default = "default_base_url")]
    pub(crate) base_url: String,
    #[serde(default)]
    pub(crate) paths: Paths,
    #[serde(default)]
    pub(crate) examples: Examples,
}

/// Folders, relative to the site root.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct Paths {
    pub(crate) content: PathBuf,
    pub(crate) theme: PathBuf,
    #[serde(rename = "static")]
    pub(crate) static_dir: PathBuf,
    pub(crate) policies: PathBuf,
}

impl Default for Paths {
    fn default() -> Self {
        Paths {
            content: "content".into(),
            theme: "theme".into(),
            static_dir: "static".into(),
            policies: "policies".into(),
        }
    }
}

/// Defaults for YAML examples.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct Examples {
    /// Namespace examples without one are created in.
    pub(crate) namespace: String,
}

impl Default for Examples {
    fn default() -> Self {
        Examples { namespace: "default".into() }
    }
}

fn default_base_url() -> String {
    "/".into()
}

pub(crate) const FILE: &str = "guardrail.toml";

/// Reads `<root>/guardrail.toml`.
pub(crate) fn load(root: &Path) -> Result<Config, Diagnostic> {
    let path = root.join(FILE);
    let text = std::fs::read_to_string(&path)
        .map_err(|e| Diagnostic::error(format!("cannot read {FILE}: {e}"), FILE, 1, 1))?;
    parse(&text)
}

pub(crate) fn parse(text: &str) -> Result<Config, Diagnostic> {
    let mut config: Config = toml::from_str(text).map_err(|e| {
        let (line, column) = e.span().map_or((1, 1), |s| line_col(text, s.start));
        Diagnostic::error(format!("invalid {FILE}: {}", e.message()), FILE, line, column)
    })?;
    if !config.base_url.ends_with('/') {
        config.base_url.push('/');
    }
    Ok(config)
}

/// 1-based line and column of a byte offset.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
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
        assert_eq!(c.paths.policies, PathBuf::from("policies"));
    }

    #[test]
    fn unknown_keys_are_errors_with_a_position() {
        let d = parse("title = \"XKS\"\n[paths]\npolicy = \"p\"\n").unwrap_err();
        assert_eq!((d.line, d.column), (3, 1));
        assert!(d.message.starts_with("invalid guardrail.toml: unknown field `policy`"), "{}", d.message);
        assert!(parse("base-url = \"/\"\n").unwrap_err().message.contains("missing field `title`"));
    }
}
