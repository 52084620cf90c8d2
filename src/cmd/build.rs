//! `guardrail build` and `guardrail check`.

use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result};

use crate::cli::{CheckArgs, Format};
use crate::color::{Style, paint_err};

/// What the command does once the site is built.
pub(crate) enum Mode<'a> {
    /// Nothing more: every check, no output.
    Check,
    /// Write the site to `out` (default: `public/` of the root).
    Build { out: Option<&'a Path> },
}

fn plural(n: usize, one: &str) -> String {
    format!("{n} {one}{}", if n == 1 { "" } else { "s" })
}

/// Paths given on the command line, made absolute against the current folder (the site takes relative paths
/// from its root).
pub(crate) fn absolute(paths: &[std::path::PathBuf]) -> Result<Vec<std::path::PathBuf>> {
    let cwd = std::env::current_dir().context("cannot read the current folder")?;
    Ok(paths.iter().map(|p| cwd.join(p)).collect())
}

pub(crate) fn run(args: &CheckArgs, mode: Mode<'_>) -> Result<ExitCode> {
    let started = Instant::now();
    let verb = match mode {
        Mode::Check => "check",
        Mode::Build { .. } => "build",
    };
    let overrides = guardrail_site::Overrides { policies: absolute(&args.policies)? };
    let built = match guardrail_site::build_with(&args.root, &overrides) {
        Ok(built) => built,
        Err(failure) => {
            match args.format {
                Format::Text => {
                    eprint!("{}", failure.render());
                    eprintln!(
                        "\n{}: {verb} found {}; nothing was written",
                        paint_err(Style::Error, "error"),
                        plural(failure.diagnostics.len(), "problem")
                    );
                }
                Format::Json => {
                    for d in &failure.diagnostics {
                        println!("{}", d.to_json_line());
                    }
                }
            }
            return Ok(ExitCode::from(1));
        }
    };
    let mut summary = format!("{}, {} checked", plural(built.pages, "page"), plural(built.examples_checked, "example"));
    if built.examples_unchecked > 0 {
        summary.push_str(&format!(", {} not checked (novalidate)", built.examples_unchecked));
    }
    if !built.skipped.is_empty() {
        summary.push_str(&format!("; policy sources: skipped {}", built.skipped));
    }
    if !built.warnings.is_empty() {
        summary.push_str(&format!("; {}", plural(built.warnings.len(), "warning")));
        match args.format {
            Format::Text => eprintln!("{}", built.warnings_text),
            Format::Json => {
                for d in &built.warnings {
                    println!("{}", d.to_json_line());
                }
            }
        }
    }
    match mode {
        Mode::Check => {
            eprintln!("{} {summary} in {} ms", paint_err(Style::Good, "checked"), started.elapsed().as_millis());
        }
        Mode::Build { out } => {
            let dir = out.map_or_else(|| guardrail_site::default_out_dir(&args.root), Path::to_path_buf);
            guardrail_site::write(&built, &dir)
                .with_context(|| format!("cannot write the site to {}", dir.display()))?;
            eprintln!(
                "{} {summary}; wrote {} in {} ms",
                paint_err(Style::Good, "built"),
                dir.display(),
                started.elapsed().as_millis()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
