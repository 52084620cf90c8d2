//! Reading policy folders from disk into an engine policy set: the one walk of a policies folder, used by the
//! site build, `admit`, the benchmarks and the fuzz targets.

use std::fmt;
use std::path::{Path, PathBuf};

use guardrail_engine::limits::Limits;
use guardrail_engine::policy::{PolicyObject, PolicySet, PolicyText};

use crate::walk::{self, WalkError};

/// Why a policies folder could not be read or loaded. Each message names the file, and the line and column
/// where there is one.
#[derive(Debug)]
pub enum PolicyError {
    /// The folder is missing, or is a file.
    NotAFolder(PathBuf),
    /// The folder could not be walked (unreadable, a symbolic-link loop).
    Walk(WalkError),
    /// A file could not be read.
    Read { path: PathBuf, error: std::io::Error },
    /// A file is not UTF-8; 1-based position of the first bad byte.
    NotUtf8 { path: PathBuf, line: usize, column: usize },
    /// The files were read but do not load; every error of every file, each `file:line:col: message`.
    Load { dir: PathBuf, errors: Vec<String> },
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PolicyError::NotAFolder(dir) => {
                write!(f, "the policies folder {} does not exist or is not a folder", dir.display())
            }
            PolicyError::Walk(e) => e.fmt(f),
            PolicyError::Read { path, error } => write!(f, "cannot read {}: {error}", path.display()),
            PolicyError::NotUtf8 { path, line, column } => {
                write!(f, "{}:{line}:{column}: the file is not valid UTF-8", path.display())
            }
            PolicyError::Load { dir, errors } => {
                write!(f, "the policies in {} do not load:\n{}", dir.display(), errors.join("\n"))
            }
        }
    }
}

impl std::error::Error for PolicyError {}

/// Every `.yaml`/`.yml` file under `dir`, sorted, skipping `samples/` folders (suite fixtures, not policies).
/// Symbolic links are followed; a link that leads back into its own ancestors is an error, not an endless walk.
pub fn policy_files(dir: &Path) -> Result<Vec<PathBuf>, PolicyError> {
    if !dir.is_dir() {
        return Err(PolicyError::NotAFolder(dir.to_path_buf()));
    }
    walk::files(dir, walk::Links::Follow, &|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"), &|d| {
        d.file_name().is_none_or(|n| n != "samples")
    })
    .map_err(PolicyError::Walk)
}

/// Reads a text file, refusing invalid UTF-8 with the position of the first bad byte.
pub fn read_text(path: &Path) -> Result<String, PolicyError> {
    let bytes = std::fs::read(path).map_err(|error| PolicyError::Read { path: path.to_path_buf(), error })?;
    String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = valid.iter().filter(|b| **b == b'\n').count() + 1;
        let column = valid.iter().rev().take_while(|b| **b != b'\n').count() + 1;
        PolicyError::NotUtf8 { path: path.to_path_buf(), line, column }
    })
}

/// Loads the policy set of `dir`; all errors of all files are reported together.
pub fn load(dir: &Path) -> Result<PolicySet, PolicyError> {
    load_with(dir, &[])
}

/// Loads the policy set of `dir` together with policy objects read elsewhere (the ExpansionTemplates and mutators
/// among the files `guardrail expand` is given).
pub fn load_with(dir: &Path, extra: &[PolicyObject<'_>]) -> Result<PolicySet, PolicyError> {
    let files = policy_files(dir)?;
    let texts: Vec<(String, String)> =
        files.iter().map(|f| Ok((f.display().to_string(), read_text(f)?))).collect::<Result<_, PolicyError>>()?;
    let refs: Vec<PolicyText<'_>> = texts.iter().map(|(n, t)| PolicyText { name: n, text: t }).collect();
    PolicySet::load_with_objects(&refs, extra, &Limits::default()).map_err(|errors| PolicyError::Load {
        dir: dir.to_path_buf(),
        errors: errors.iter().map(ToString::to_string).collect(),
    })
}
