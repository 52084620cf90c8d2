//! Terminal colour, decided per stream: `--color always|never` says so; otherwise (`auto`) CLICOLOR_FORCE turns
//! it on, NO_COLOR off, and else it is on when that stream is a terminal (the order anstream follows). Styles are
//! anstyle's (already in the tree through clap).

use std::io::IsTerminal;
use std::sync::OnceLock;

use anstyle::{AnsiColor, Style as Ansi};

#[derive(Debug, Clone, Copy)]
pub(crate) enum Style {
    Error,
    Good,
    Bad,
    Warn,
    Added,
    Removed,
    Dim,
    Bold,
}

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Choice {
    /// CLICOLOR_FORCE, then NO_COLOR, then whether the stream is a terminal.
    Auto,
    Always,
    Never,
}

static CHOICE: OnceLock<Choice> = OnceLock::new();

/// Sets `--color`; call before anything is printed.
pub(crate) fn choose(choice: Choice) {
    let _ = CHOICE.set(choice);
}

fn set(var: &str) -> bool {
    std::env::var_os(var).is_some_and(|v| !v.is_empty() && v != "0")
}

/// Whether a stream that is (or is not) a terminal gets colour.
fn decide(terminal: bool) -> bool {
    match CHOICE.get().copied().unwrap_or(Choice::Auto) {
        Choice::Always => true,
        Choice::Never => false,
        Choice::Auto if set("CLICOLOR_FORCE") => true,
        Choice::Auto if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) => false,
        Choice::Auto => terminal,
    }
}

fn stdout_on() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| decide(std::io::stdout().is_terminal()))
}

fn stderr_on() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| decide(std::io::stderr().is_terminal()))
}

/// Whether standard error is a terminal (for progress lines).
pub(crate) fn stderr_is_terminal() -> bool {
    std::io::stderr().is_terminal()
}

fn styled(on: bool, style: Style, text: &str) -> String {
    if !on {
        return text.to_string();
    }
    let ansi = match style {
        Style::Error | Style::Bad => Ansi::new().bold().fg_color(Some(AnsiColor::Red.into())),
        Style::Good => Ansi::new().bold().fg_color(Some(AnsiColor::Green.into())),
        Style::Warn => Ansi::new().bold().fg_color(Some(AnsiColor::Yellow.into())),
        Style::Added => Ansi::new().fg_color(Some(AnsiColor::Green.into())),
        Style::Removed => Ansi::new().fg_color(Some(AnsiColor::Red.into())),
        Style::Dim => Ansi::new().dimmed(),
        Style::Bold => Ansi::new().bold(),
    };
    format!("{ansi}{text}{ansi:#}")
}

/// `text` styled for standard output.
pub(crate) fn paint(style: Style, text: &str) -> String {
    styled(stdout_on(), style, text)
}

/// `text` styled for standard error.
pub(crate) fn paint_err(style: Style, text: &str) -> String {
    styled(stderr_on(), style, text)
}
