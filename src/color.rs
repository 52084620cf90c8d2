//! Terminal colour, decided per stream: on when that stream is a terminal, off when NO_COLOR is set or it is
//! piped. Styles are anstyle's (already in the tree through clap).

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

fn no_color() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

fn stdout_on() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| !no_color() && std::io::stdout().is_terminal())
}

fn stderr_on() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| !no_color() && std::io::stderr().is_terminal())
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
