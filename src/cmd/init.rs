//! `guardrail init`: a working starter site, from the files of `src/cmd/starter/` compiled into the binary.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};

use crate::cli::InitArgs;

/// The starter site: (path in the new site, contents).
const FILES: &[(&str, &str)] = &[
    ("guardrail.toml", include_str!("starter/guardrail.toml")),
    (".gitignore", include_str!("starter/gitignore")),
    ("content/index.md", include_str!("starter/content/index.md")),
    ("content/writing-examples.md", include_str!("starter/content/writing-examples.md")),
    ("static/favicon.svg", include_str!("starter/static/favicon.svg")),
    (
        "policies/privileged-containers/template.yaml",
        include_str!("starter/policies/privileged-containers/template.yaml"),
    ),
    (
        "policies/privileged-containers/constraint.yaml",
        include_str!("starter/policies/privileged-containers/constraint.yaml"),
    ),
    ("policies/privileged-containers/suite.yaml", include_str!("starter/policies/privileged-containers/suite.yaml")),
    (
        "policies/privileged-containers/samples/allowed.yaml",
        include_str!("starter/policies/privileged-containers/samples/allowed.yaml"),
    ),
    (
        "policies/privileged-containers/samples/disallowed.yaml",
        include_str!("starter/policies/privileged-containers/samples/disallowed.yaml"),
    ),
    (
        "policies/mutation/allow-privilege-escalation.yaml",
        include_str!("starter/policies/mutation/allow-privilege-escalation.yaml"),
    ),
];

/// Whether `dir` holds anything.
fn is_empty(dir: &Path) -> Result<bool> {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => Ok(entries.next().is_none()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(true),
        Err(e) => Err(e).with_context(|| format!("cannot read {}", dir.display())),
    }
}

pub(crate) fn run(args: &InitArgs) -> Result<ExitCode> {
    let dir = &args.dir;
    if dir.exists() && !dir.is_dir() {
        bail!("{} is a file, not a folder", dir.display());
    }
    if !args.force && !is_empty(dir)? {
        bail!(
            "{} is not empty; guardrail init writes a new site into an empty folder (--force writes it there anyway, replacing the starter's files)",
            dir.display()
        );
    }
    for (rel, text) in FILES {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
        }
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
    }
    let shown = dir.display();
    println!("wrote a guardrail site to {shown} ({} files)", FILES.len());
    println!("  guardrail serve --root {shown}     preview it at http://127.0.0.1:3000/, reloading on save");
    println!("  guardrail check --root {shown}     check every example against policies/");
    println!("  guardrail verify {shown}/policies  run the policies' suites");
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every file of `src/cmd/starter/` is written by `init` (a file added there and not to FILES would be lost).
    #[test]
    fn every_starter_file_is_written() {
        fn walk(dir: &Path, base: &Path, out: &mut Vec<String>) {
            for e in std::fs::read_dir(dir).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    walk(&p, base, out);
                } else {
                    out.push(p.strip_prefix(base).unwrap().to_string_lossy().replace('\\', "/"));
                }
            }
        }
        let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/cmd/starter");
        let mut on_disk = Vec::new();
        walk(&base, &base, &mut on_disk);
        let mut listed: Vec<String> = FILES.iter().map(|(r, _)| r.replace(".gitignore", "gitignore")).collect();
        on_disk.sort();
        listed.sort();
        assert_eq!(on_disk, listed);
    }
}
