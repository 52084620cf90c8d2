//! guardrail-site: the docs-site generator. It reads a site's folders (`guardrail.toml`, content, theme, static
//! files, policies), checks every YAML example of the Markdown through the engine, renders the pages with the
//! theme, generates the policy reference, ships the playground, and writes the site atomically.
//!
//! What it may not do: print to a terminal or read the command line. Every problem is a value ([`Failure`],
//! [`Diagnostic`], [`PolicyError`]) that the caller renders; the `guardrail` binary owns the terminal, exit
//! codes and the preview server. Admission itself is the engine's (`guardrail-engine`, no I/O); this crate does
//! the file system around it.
//!
//! The public API is small: [`build`] and [`write`] for a one-off build, [`Session`] for a build that is rebuilt
//! on changes, [`policies`] for reading a policies folder, [`walk`] for walking a folder tree, and the
//! configuration and diagnostics types those use.

mod assets;
mod builtin_theme;
pub mod config;
mod content;
pub mod diagnostics;
pub mod examples;
mod highlight;
mod history;
pub mod html;
mod jsobject;
mod links;
mod markdown;
mod mdx;
mod output;
mod page;
mod par;
mod playground;
pub mod playground_link;
pub mod policies;
mod reference;
mod search;
mod session;
mod sidebar;
mod sitemap;
mod theme;
pub mod walk;
mod yaml_highlight;

pub use config::Config;
pub use diagnostics::Diagnostic;
pub use links::base_path;
pub use policies::PolicyError;
pub use session::{
    Destination, Failure, Overrides, Rebuilt, Session, Site, Summary, build, build_to, build_with, default_out_dir,
    watched, write,
};

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    /// The modules each module of this crate uses (`crate::x`), test code left out.
    fn imports() -> BTreeMap<String, BTreeSet<String>> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut out = BTreeMap::new();
        for entry in std::fs::read_dir(&dir).expect("src") {
            let path = entry.expect("entry").path();
            let name = path.file_stem().expect("name").to_string_lossy().into_owned();
            if name == "lib" {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("source");
            let code = text.split("#[cfg(test)]").next().unwrap_or_default();
            let mut uses = BTreeSet::new();
            for (i, _) in code.match_indices("crate::") {
                let rest = &code[i + 7..];
                if let Some(group) = rest.strip_prefix('{') {
                    let group = &group[..group.find('}').unwrap_or(group.len())];
                    uses.extend(group.split(',').map(|m| m.trim().split("::").next().unwrap_or("").to_string()));
                } else {
                    uses.insert(rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect());
                }
            }
            uses.retain(|m| !m.is_empty() && *m != name);
            out.insert(name, uses);
        }
        out
    }

    /// The modules form layers: no module reaches itself through the modules it uses.
    #[test]
    fn no_module_imports_itself_through_others() {
        let graph = imports();
        assert!(graph.len() > 15, "{graph:?}");
        assert!(graph["page"].contains("examples") && graph["examples"].contains("diagnostics"), "{graph:?}");
        for start in graph.keys() {
            let mut stack: Vec<Vec<&String>> = vec![vec![start]];
            while let Some(path) = stack.pop() {
                let last = path[path.len() - 1];
                for next in graph.get(last).into_iter().flatten() {
                    assert!(
                        next != start,
                        "import cycle: {}",
                        path.iter().chain([&next]).map(|s| s.as_str()).collect::<Vec<_>>().join(" -> ")
                    );
                    if !path.contains(&next) {
                        let mut longer = path.clone();
                        longer.push(next);
                        stack.push(longer);
                    }
                }
            }
        }
    }
}
