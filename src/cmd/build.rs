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

/// A line on a terminal's standard error while a build runs past a second (`building... 3 s`), erased when it
/// ends: a long build shows it is alive; a short one, and anything that is not a terminal, sees nothing.
struct Progress {
    done: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Progress {
    fn start(verb: &'static str) -> Progress {
        use std::sync::atomic::Ordering;
        let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = done.clone();
        let thread = std::thread::spawn(move || {
            let started = Instant::now();
            let mut shown = false;
            while !flag.load(Ordering::Relaxed) {
                std::thread::sleep(std::time::Duration::from_millis(100));
                let secs = started.elapsed().as_secs();
                if secs >= 1 && !flag.load(Ordering::Relaxed) {
                    eprint!("\r{verb}ing... {secs} s");
                    shown = true;
                }
            }
            if shown {
                eprint!("\r\x1b[2K");
            }
        });
        Progress { done, thread: Some(thread) }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.done.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The formats that print a line per diagnostic (JSON, GitHub workflow commands) to standard output.
fn print_lines(format: Format, diagnostics: &[guardrail_site::Diagnostic]) {
    for d in diagnostics {
        match format {
            Format::Json => println!("{}", d.to_json_line()),
            Format::Github => println!("{}", crate::report::github(d)),
            Format::Text | Format::Sarif => {}
        }
    }
}

fn sarif_text(diagnostics: &[guardrail_site::Diagnostic]) -> String {
    serde_json::to_string_pretty(&crate::report::sarif(diagnostics)).unwrap_or_default()
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
    let progress = (!args.quiet && args.format == Format::Text && crate::color::stderr_is_terminal())
        .then(|| Progress::start(verb));
    // Pages are written as they are made (into a temporary folder swapped in at the end), never all held.
    let out_dir = match mode {
        Mode::Check => None,
        Mode::Build { out } => Some(out.map_or_else(|| guardrail_site::default_out_dir(&args.root), Path::to_path_buf)),
    };
    let target = match &out_dir {
        None => guardrail_site::Destination::Check,
        Some(dir) => guardrail_site::Destination::Dir(dir),
    };
    let result = guardrail_site::build_to(&args.root, &overrides, target).with_context(|| {
        format!("cannot write the site to {}", out_dir.as_deref().unwrap_or(Path::new("")).display())
    })?;
    drop(progress);
    let built = match result {
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
                Format::Json => print_lines(args.format, &failure.diagnostics),
                Format::Github => {
                    print_lines(args.format, &failure.diagnostics);
                    eprintln!("{verb} found {}; nothing was written", plural(failure.diagnostics.len(), "problem"));
                }
                Format::Sarif => println!("{}", sarif_text(&failure.diagnostics)),
            }
            return Ok(ExitCode::from(1));
        }
    };
    let mut summary = format!("{}, {} checked", plural(built.pages, "page"), plural(built.examples_checked, "example"));
    if built.examples_unchecked > 0 {
        summary.push_str(&format!(", {} not checked (novalidate)", built.examples_unchecked));
    }
    if built.examples_partial > 0 {
        summary.push_str(&format!(", {} partial (lines elided)", built.examples_partial));
    }
    if built.not_objects > 0 {
        let what = if built.not_objects == 1 {
            "YAML block is not a Kubernetes object"
        } else {
            "YAML blocks are not Kubernetes objects"
        };
        summary.push_str(&format!(", {} {what}", built.not_objects));
    }
    if built.unplaced > 0 {
        summary.push_str(&format!(
            ", {} not checked (pieces of objects guardrail does not place yet; -v lists them)",
            plural(built.unplaced, "YAML block")
        ));
    }
    if !built.config_files.is_empty() {
        let n: usize = built.config_files.values().sum();
        let kinds: Vec<&str> = built.config_files.keys().map(String::as_str).collect();
        summary.push_str(&format!(", {} no API server serves: {}", plural(n, "configuration file"), kinds.join(", ")));
    }
    if args.verbose && args.format == Format::Text {
        for n in &built.not_examples {
            eprintln!("not an example: {n}");
        }
    }
    if args.format == Format::Json {
        for n in &built.not_examples {
            let (at, why) = n.split_once(": ").unwrap_or((n, ""));
            let (file, line) = at.rsplit_once(':').unwrap_or((at, "0"));
            println!(
                "{}",
                serde_json::json!({"severity": "info", "kind": "not-an-example", "file": file,
                    "line": line.parse::<usize>().unwrap_or(0), "message": why})
            );
        }
    }
    if !built.unknown_kinds.is_empty() {
        let n: usize = built.unknown_kinds.values().sum();
        let kinds: Vec<&str> = built.unknown_kinds.keys().map(String::as_str).collect();
        summary.push_str(&format!(", {} of kinds with no schema: {}", plural(n, "object"), kinds.join(", ")));
    }
    if !built.skipped.is_empty() {
        summary.push_str(&format!("; policy sources: skipped {}", built.skipped));
    }
    if !built.warnings.is_empty() {
        summary.push_str(&format!("; {}", plural(built.warnings.len(), "warning")));
        match args.format {
            Format::Text => eprintln!("{}", built.warnings_text),
            Format::Json | Format::Github => print_lines(args.format, &built.warnings),
            Format::Sarif => {}
        }
    }
    // A SARIF log is written whatever it holds: code scanning closes the alerts a clean run no longer has.
    if args.format == Format::Sarif {
        println!("{}", sarif_text(&built.warnings));
    }
    match mode {
        Mode::Check if args.quiet => {}
        Mode::Check => {
            eprintln!("{} {summary} in {} ms", paint_err(Style::Good, "checked"), started.elapsed().as_millis());
        }
        Mode::Build { .. } => {
            let dir = out_dir.unwrap_or_default();
            if args.quiet {
                return Ok(ExitCode::SUCCESS);
            }
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
