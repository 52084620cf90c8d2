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

/// The end of a failed check: the problems by class (what the cluster would do otherwise than the page says
/// first), then what was not checked and why, so a team's first run shows in one screen what to fix and what to
/// mark.
fn by_class(diagnostics: &[guardrail_site::Diagnostic], summary: Option<&guardrail_site::Summary>) -> String {
    let mut out = String::new();
    // One problem is its own summary.
    if diagnostics.len() > 1 {
        for (n, class) in guardrail_site::diagnostics::by_class(diagnostics) {
            out.push_str(&format!("  {n:>5}  {class}\n"));
        }
    }
    // What was checked and not, once the pages were read.
    let Some(s) = summary.filter(|s| s.pages > 0) else { return out };
    let mut not_checked: Vec<(usize, String)> = Vec::new();
    if s.not_objects > 0 {
        not_checked.push((s.not_objects, "YAML of other tools (Helm values, CI files)".into()));
    }
    if !s.config_files.is_empty() {
        let kinds: Vec<&str> = s.config_files.keys().map(String::as_str).collect();
        not_checked.push((
            s.config_files.values().sum(),
            format!("configuration files no API server serves: {}", kinds.join(", ")),
        ));
    }
    if s.unplaced > 0 {
        not_checked.push((s.unplaced, "pieces whose readings disagree, or of Gatekeeper's own kinds".into()));
    }
    if !s.unknown_kinds.is_empty() {
        let kinds: Vec<&str> = s.unknown_kinds.keys().map(String::as_str).collect();
        let shown: Vec<&str> = kinds.iter().take(4).copied().collect();
        let more = if kinds.len() > 4 { format!(" and {} more", kinds.len() - 4) } else { String::new() };
        not_checked.push((
            s.unknown_kinds.values().sum(),
            format!("objects of kinds with no schema, admitted, fields not decoded: {}{more}", shown.join(", ")),
        ));
    }
    if s.examples_unchecked > 0 {
        not_checked.push((s.examples_unchecked, "examples marked novalidate".into()));
    }
    if s.no_promise > 0 {
        not_checked.push((
            s.no_promise,
            "examples whose <summary> promises nothing (summary-expect): judged and shown, not compared".into(),
        ));
    }
    // When everything was checked, the problems are the whole story.
    if !not_checked.is_empty() {
        out.push_str(&format!(
            "  checked: {} in {}; {} of other objects decoded; {} partial (lines elided)\n",
            plural(s.examples_checked, "example"),
            plural(s.pages, "page"),
            plural(s.pieces, "piece"),
            s.examples_partial
        ));
        out.push_str("  not checked (-v lists each):\n");
        for (n, what) in not_checked {
            out.push_str(&format!("  {n:>5}  {what}\n"));
        }
    }
    out
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
                    if args.verbose {
                        for n in failure.summary.iter().flat_map(|s| s.not_examples.iter()) {
                            eprintln!("not an example: {n}");
                        }
                    }
                    eprintln!(
                        "\n{}: {verb} found {}; nothing was written",
                        paint_err(Style::Error, "error"),
                        plural(failure.diagnostics.len(), "problem")
                    );
                    eprint!("{}", by_class(&failure.diagnostics, failure.summary.as_deref()));
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
    let built_summary = &built.summary;
    let mut summary = format!(
        "{}, {} checked",
        plural(built_summary.pages, "page"),
        plural(built_summary.examples_checked, "example")
    );
    if built_summary.examples_unchecked > 0 {
        summary.push_str(&format!(", {} not checked (novalidate)", built_summary.examples_unchecked));
    }
    if built_summary.no_promise > 0 {
        summary.push_str(&format!(", {} whose <summary> promises nothing", built_summary.no_promise));
    }
    if built_summary.examples_partial > 0 {
        summary.push_str(&format!(", {} partial (lines elided)", built_summary.examples_partial));
    }
    if built_summary.not_objects > 0 {
        let what = if built_summary.not_objects == 1 {
            "YAML block is not a Kubernetes object"
        } else {
            "YAML blocks are not Kubernetes objects"
        };
        summary.push_str(&format!(", {} {what}", built_summary.not_objects));
    }
    if built_summary.pieces > 0 {
        summary.push_str(&format!(", {} of other objects decoded", plural(built_summary.pieces, "piece")));
    }
    if built_summary.unplaced > 0 {
        summary.push_str(&format!(
            ", {} not checked (pieces whose readings disagree, or of Gatekeeper's own kinds; -v lists them)",
            plural(built_summary.unplaced, "YAML block")
        ));
    }
    if !built_summary.config_files.is_empty() {
        let n: usize = built_summary.config_files.values().sum();
        let kinds: Vec<&str> = built_summary.config_files.keys().map(String::as_str).collect();
        summary.push_str(&format!(", {} no API server serves: {}", plural(n, "configuration file"), kinds.join(", ")));
    }
    if args.verbose && args.format == Format::Text {
        for n in &built_summary.not_examples {
            eprintln!("not an example: {n}");
        }
    }
    if args.format == Format::Json {
        for n in &built_summary.not_examples {
            let (at, why) = n.split_once(": ").unwrap_or((n, ""));
            let (file, line) = at.rsplit_once(':').unwrap_or((at, "0"));
            println!(
                "{}",
                serde_json::json!({"severity": "info", "kind": "not-an-example", "file": file,
                    "line": line.parse::<usize>().unwrap_or(0), "message": why})
            );
        }
    }
    if !built_summary.unknown_kinds.is_empty() {
        let n: usize = built_summary.unknown_kinds.values().sum();
        let kinds: Vec<&str> = built_summary.unknown_kinds.keys().map(String::as_str).collect();
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
