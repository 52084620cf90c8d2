//! Reading policy sources from disk into an engine policy set: the one walk of policy folders, used by the site
//! build, `admit`, `expand`, the benchmarks and the fuzz targets. A source is a folder (a repository of
//! templates, constraints and mutators, a gatekeeper-library checkout) or a file (a `kubectl get -o yaml` dump, a
//! rendered Helm chart).

use std::fmt;
use std::path::{Path, PathBuf};

use guardrail_engine::limits::Limits;
use guardrail_engine::policy::{PolicyObject, PolicySet, PolicyText, Sources};

use crate::walk::{self, WalkError};

/// Why policy sources could not be read or loaded. Each message names the file, and the line and column
/// where there is one.
#[derive(Debug)]
pub enum PolicyError {
    /// A source does not exist.
    Missing(PathBuf),
    /// A folder could not be walked (unreadable, a symbolic-link loop).
    Walk(WalkError),
    /// A file could not be read.
    Read { path: PathBuf, error: std::io::Error },
    /// A file is not UTF-8; 1-based position of the first bad byte.
    NotUtf8 { path: PathBuf, line: usize, column: usize },
    /// The files were read but do not load; every error of every file, each `file:line:col: message`
    /// (followed by a help line where one helps).
    Load { sources: Vec<PathBuf>, errors: Vec<String> },
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PolicyError::Missing(dir) => {
                write!(f, "the policies folder {} does not exist or is not a folder", dir.display())
            }
            PolicyError::Walk(e) => e.fmt(f),
            PolicyError::Read { path, error } => write!(f, "cannot read {}: {error}", path.display()),
            PolicyError::NotUtf8 { path, line, column } => {
                write!(f, "{}:{line}:{column}: the file is not valid UTF-8", path.display())
            }
            PolicyError::Load { sources, errors } => {
                let names: Vec<String> = sources.iter().map(|s| s.display().to_string()).collect();
                write!(f, "the policies in {} do not load:\n{}", names.join(", "), errors.join("\n"))
            }
        }
    }
}

impl std::error::Error for PolicyError {}

/// Whether a file in a policies folder is read: YAML and JSON.
fn is_policy_file(p: &Path) -> bool {
    p.extension().is_some_and(|e| e == "yaml" || e == "yml" || e == "json")
}

/// Every policy file of `sources`: a file as given, the `.yaml`, `.yml` and `.json` files of a folder, sorted,
/// skipping `samples/` folders (suite fixtures, not policies). Symbolic links are followed; one that leads back
/// into its own ancestors is an error, not an endless walk.
pub fn policy_files(sources: &[PathBuf]) -> Result<Vec<PathBuf>, PolicyError> {
    let mut out = Vec::new();
    for source in sources {
        if source.is_file() {
            out.push(source.clone());
        } else if source.is_dir() {
            let found = walk::files(source, walk::Links::Follow, &is_policy_file, &|d| {
                d.file_name().is_none_or(|n| n != "samples")
            })
            .map_err(PolicyError::Walk)?;
            out.extend(found);
        } else {
            return Err(PolicyError::Missing(source.clone()));
        }
    }
    Ok(out)
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

/// The help for a load error: a file that does not parse because it is a Helm template (`{{ ... }}`) must be
/// rendered first. `texts` are the files as read, (name, text).
pub fn help_for(error: &guardrail_engine::policy::PolicyError, texts: &[(String, String)]) -> Option<&'static str> {
    let text = texts.iter().find(|(n, _)| *n == error.name).map_or("", |(_, t)| t.as_str());
    (error.message.starts_with("invalid YAML") && text.contains("{{")).then_some(
        "this looks like a Helm template: render the chart first (`helm template <release> <chart> > policies/rendered.yaml`) and point guardrail at the output",
    )
}

/// A loaded policy set and what its sources held besides policies.
#[derive(Debug)]
pub struct Loaded {
    pub set: PolicySet,
    pub sources: Sources,
}

/// Loads the policy sources (folders and files); all errors of all files are reported together. Lists are
/// unpacked; Namespaces and other Kubernetes objects are cluster state; kustomize files, Suites and YAML that is
/// not a Kubernetes object are skipped and counted (see [`PolicySet::load_sources`]).
pub fn load(sources: &[PathBuf]) -> Result<Loaded, PolicyError> {
    load_with(sources, &[])
}

/// [`load`], together with policy objects read elsewhere (the ExpansionTemplates and mutators among the files
/// `guardrail expand` is given).
pub fn load_with(sources: &[PathBuf], extra: &[PolicyObject<'_>]) -> Result<Loaded, PolicyError> {
    let files = policy_files(sources)?;
    let texts: Vec<(String, String)> =
        files.iter().map(|f| Ok((f.display().to_string(), read_text(f)?))).collect::<Result<_, PolicyError>>()?;
    let refs: Vec<PolicyText<'_>> = texts.iter().map(|(n, t)| PolicyText { name: n, text: t }).collect();
    let failed = |errors: Vec<guardrail_engine::policy::PolicyError>| PolicyError::Load {
        sources: sources.to_vec(),
        errors: errors
            .iter()
            .map(|e| match help_for(e, &texts) {
                Some(help) => format!("{e}\n  help: {help}"),
                None => e.to_string(),
            })
            .collect(),
    };
    let (set, found) = PolicySet::load_sources(&refs, &Limits::default()).map_err(failed)?;
    if extra.is_empty() {
        return Ok(Loaded { set, sources: found });
    }
    // The extra objects join the set: load again with them (policy files are few; this is `expand` only).
    let mut objects: Vec<(String, serde_json::Value)> =
        set.objects().map(|o| (o.name.to_string(), o.value.clone())).collect();
    objects.extend(extra.iter().map(|o| (o.name.to_string(), o.value.clone())));
    let all: Vec<PolicyObject<'_>> = objects.iter().map(|(n, v)| PolicyObject { name: n, value: v }).collect();
    let set = PolicySet::load_objects(&all, &Limits::default()).map_err(|errors| PolicyError::Load {
        sources: sources.to_vec(),
        errors: errors.iter().map(ToString::to_string).collect(),
    })?;
    Ok(Loaded { set, sources: found })
}

#[cfg(test)]
mod tests {
    /// Every template of the project's policies (the set XKS deploys) judges on regorus' bytecode VM: one that
    /// falls back to the interpreter (rules that may conflict, guardrail's extensions) doubles its share of every
    /// admission, so it is caught here rather than in a benchmark.
    #[test]
    fn the_projects_templates_run_on_the_bytecode_vm() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../policies");
        let loaded = super::load(&[root]).expect("the project's policies load");
        assert!(loaded.set.templates().count() >= 16);
        assert_eq!(loaded.set.templates_on_interpreter(), Vec::<&str>::new());
        let mut set = loaded.set;
        set.judge_rego_on_interpreter();
        assert_eq!(set.templates_on_interpreter().len(), set.templates().count());
    }
}
