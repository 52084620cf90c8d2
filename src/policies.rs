//! Reading a policies folder from disk into an engine policy set.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use guardrail_engine::limits::Limits;
use guardrail_engine::policy::{PolicySet, PolicyText};

/// Every `.yaml`/`.yml` file under `dir`, sorted, skipping `samples/` folders (suite fixtures, not policies).
pub(crate) fn policy_files(dir: &Path) -> Result<Vec<PathBuf>> {
    if !dir.is_dir() {
        bail!("the policies folder {} does not exist or is not a folder", dir.display());
    }
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d).with_context(|| format!("cannot read {}", d.display()))?;
        for entry in entries {
            let path = entry.with_context(|| format!("cannot read {}", d.display()))?.path();
            if path.is_dir() {
                if path.file_name().is_some_and(|n| n != "samples") {
                    stack.push(path);
                }
            } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Reads a text file, refusing invalid UTF-8 with the offending position.
pub(crate) fn read_text(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let valid = &e.as_bytes()[..at];
        let line = valid.iter().filter(|b| **b == b'\n').count() + 1;
        let col = valid.iter().rev().take_while(|b| **b != b'\n').count() + 1;
        anyhow::anyhow!("{}:{line}:{col}: the file is not valid UTF-8", path.display())
    })
}

/// Loads the policy set of `dir`; all errors of all files are reported together.
pub(crate) fn load(dir: &Path) -> Result<PolicySet> {
    let files = policy_files(dir)?;
    let texts: Vec<(String, String)> =
        files.iter().map(|f| Ok((f.display().to_string(), read_text(f)?))).collect::<Result<_>>()?;
    let refs: Vec<PolicyText<'_>> = texts.iter().map(|(n, t)| PolicyText { name: n, text: t }).collect();
    PolicySet::load(&refs, &Limits::default()).map_err(|errors| {
        let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
        anyhow::anyhow!("the policies in {} do not load:\n{}", dir.display(), lines.join("\n"))
    })
}
