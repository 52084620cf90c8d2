//! `guardrail build` and `guardrail check`.

use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result};

use crate::cli::{CheckArgs, Format};
use crate::color::{Style, paint};
use crate::site;

/// Builds the site; `out` is `None` for `check` (nothing written) and `Some(dir)` for `build`.
pub(crate) fn run(args: &CheckArgs, out: Option<Option<&Path>>) -> Result<ExitCode> {
    let started = Instant::now();
    match site::build(&args.root) {
        Err(failure) => {
            match args.format {
                Format::Text => {
                    eprint!("{}", failure.render());
                    let n = failure.diagnostics.len();
                    eprintln!(
                        "\n{}: {} found {n} problem{}; nothing was written",
                        paint(Style::Error, "error"),
                        if out.is_some() { "build" } else { "check" },
                        if n == 1 { "" } else { "s" }
                    );
                }
                Format::Json => {
                    for d in &failure.diagnostics {
                        println!("{}", d.to_json_line());
                    }
                }
            }
            Ok(ExitCode::from(1))
        }
        Ok(built) => {
            let summary = format!(
                "{} page{}, {} example{} checked{}",
                built.pages,
                if built.pages == 1 { "" } else { "s" },
                built.examples_checked,
                if built.examples_checked == 1 { "" } else { "s" },
                if built.examples_unchecked > 0 {
                    format!(", {} not checked (novalidate)", built.examples_unchecked)
                } else {
                    String::new()
                }
            );
            if let Some(out) = out {
                let dir = site::out_dir(&args.root, out);
                site::write(&built, &dir).with_context(|| format!("cannot write the site to {}", dir.display()))?;
                eprintln!(
                    "{} {summary}; wrote {} in {} ms",
                    paint(Style::Good, "built"),
                    dir.display(),
                    started.elapsed().as_millis()
                );
            } else {
                eprintln!("{} {summary} in {} ms", paint(Style::Good, "checked"), started.elapsed().as_millis());
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
