//! Terminal colour: on for a terminal, off when NO_COLOR is set or output is piped.

use std::io::IsTerminal;
use std::sync::OnceLock;

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

fn enabled() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stdout().is_terminal())
}

pub(crate) fn paint(style: Style, text: &str) -> String {
    if !enabled() {
        return text.to_string();
    }
    let code = match style {
        Style::Error | Style::Bad => "1;31",
        Style::Good => "1;32",
        Style::Warn => "1;33",
        Style::Added => "32",
        Style::Removed => "31",
        Style::Dim => "2",
        Style::Bold => "1",
    };
    format!("\x1b[{code}m{text}\x1b[0m")
}
