//! Build diagnostics: rustc-style text for people, JSON lines for CI; shared by `build`, `check` and `serve`.

use std::fmt::Write as _;

use serde::Serialize;

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Fails the build.
    Error,
    /// Printed; the build goes on.
    Warning,
}

/// 1-based line and column (in characters) of a byte offset of `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// Where a piece of a file starts: diagnostics about the piece are placed by their offset inside it.
#[derive(Debug, Clone, Copy)]
pub struct At<'a> {
    /// The file, as diagnostics name it.
    pub file: &'a str,
    /// The whole file.
    pub text: &'a str,
    /// Byte offset of the piece in `text`.
    pub offset: usize,
}

impl At<'_> {
    /// An error at byte `offset` of the piece.
    pub fn error(&self, offset: usize, message: impl Into<String>) -> Diagnostic {
        let (line, column) = line_col(self.text, self.offset + offset);
        Diagnostic::error(message, self.file, line, column)
    }
}

/// One problem found while building, pointing into a source file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// One line: what is wrong.
    pub message: String,
    /// File, relative to the site root, as written in `--> file:line:col`.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// How many characters to underline (at least 1).
    pub width: usize,
    /// `= note:` lines.
    pub notes: Vec<String>,
    /// `= help:` line (boxed: the diagnostic stays small enough to be returned by value).
    pub help: Option<Box<str>>,
}

impl Diagnostic {
    pub fn error(message: impl Into<String>, file: impl Into<String>, line: usize, column: usize) -> Self {
        Diagnostic {
            severity: Severity::Error,
            message: message.into(),
            file: file.into(),
            line,
            column,
            width: 1,
            notes: Vec::new(),
            help: None,
        }
    }

    /// A warning: printed, the build goes on.
    pub fn warning(message: impl Into<String>, file: impl Into<String>, line: usize, column: usize) -> Self {
        Diagnostic { severity: Severity::Warning, ..Diagnostic::error(message, file, line, column) }
    }

    pub fn width(mut self, width: usize) -> Self {
        self.width = width.max(1);
        self
    }

    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into().into_boxed_str());
        self
    }

    /// The rustc-style text: headline, `-->` location, the source line with a marker, notes, help.
    /// `source` is the whole file the diagnostic points into, when available.
    pub fn render(&self, source: Option<&str>) -> String {
        let mut out = String::new();
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let _ = writeln!(out, "{label}: {}", self.message);
        let gutter = self.line.to_string().len();
        let pad = " ".repeat(gutter);
        let _ = writeln!(out, "{pad}--> {}:{}:{}", self.file, self.line, self.column);
        if let Some(raw) = source.and_then(|s| s.lines().nth(self.line.saturating_sub(1))) {
            // Tabs are shown as four spaces; the marker moves with them.
            let col: usize =
                raw.chars().take(self.column.saturating_sub(1)).map(|c| if c == '\t' { 4 } else { 1 }).sum();
            let text = raw.replace('\t', "    ");
            let _ = writeln!(out, "{pad} |");
            let _ = writeln!(out, "{} | {}", self.line, text.trim_end());
            let avail = text.chars().count().saturating_sub(col).max(1);
            let _ = writeln!(out, "{pad} | {}{}", " ".repeat(col), "^".repeat(self.width.min(avail)));
            if !self.notes.is_empty() || self.help.is_some() {
                let _ = writeln!(out, "{pad} |");
            }
        }
        for n in &self.notes {
            let mut lines = n.lines();
            if let Some(first) = lines.next() {
                let _ = writeln!(out, "{pad} = note: {first}");
            }
            for rest in lines {
                let _ = writeln!(out, "{pad}         {rest}");
            }
        }
        if let Some(h) = &self.help {
            let _ = writeln!(out, "{pad} = help: {h}");
        }
        out
    }

    /// One JSON object on one line.
    /// The kind of problem, as a stable rule id for CI reports (SARIF `ruleId`): what a dashboard groups by.
    pub fn rule(&self) -> &'static str {
        let m = self.message.as_str();
        const RULES: &[(&str, &str)] = &[
            ("example is not fully checked", "unchecked-rule"),
            ("the API server refuses", "api-server"),
            ("after mutation the object no longer decodes", "mutation-schema"),
            ("example is ", "example-verdict"),
            ("invalid YAML in example", "example-yaml"),
            ("ambiguous example", "example-fragment"),
            ("example cannot be admitted", "example-admission"),
            ("the example's `policies=`", "example-policies"),
            ("unknown example attribute", "example-attribute"),
            ("`expect=", "example-attribute"),
            ("`violates=", "example-attribute"),
            ("`wrap=", "example-attribute"),
            ("the value of `", "example-attribute"),
            ("this code block holds a Kubernetes object", "unlabeled-kubernetes-block"),
            ("broken link", "broken-link"),
            ("link to a draft page", "broken-link"),
            ("unresolved merge-conflict marker", "merge-conflict"),
            ("invalid front matter", "front-matter"),
            ("front matter", "front-matter"),
            ("the MDX component", "mdx-component"),
            ("MDX reads a line", "mdx-esm"),
            ("<img>", "mdx-expression"),
            ("<a>", "mdx-expression"),
            ("cannot read sidebars", "sidebars"),
            ("the sidebar", "sidebars"),
            ("a sidebar item", "sidebars"),
            ("policy does not load", "policy-load"),
            ("the cluster state", "policy-load"),
            ("invalid guardrail.toml", "config"),
            ("theme template error", "theme"),
            ("show-last-updated", "last-updated"),
        ];
        if let Some((_, rule)) = RULES.iter().find(|(prefix, _)| m.starts_with(prefix)) {
            return rule;
        }
        if m.contains("closes nothing")
            || m.contains("is never closed")
            || m.contains("<summary>")
            || m.contains("<TabItem>")
            || m.contains("directly inside <Tabs>")
            || m.contains("`{/*`")
        {
            return "mdx-structure";
        }
        if m.contains(" would replace ") {
            return "static-file";
        }
        if m.contains("both want the URL") {
            return "duplicate-url";
        }
        if m.contains("sidebar") || self.file.ends_with("sidebars.js") || self.file.ends_with("sidebars.ts") {
            return "sidebars";
        }
        "site"
    }

    pub fn to_json_line(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| String::from("{}"))
    }
}

/// The classes of problems a check reports, in the order a summary names them: what the cluster would do
/// otherwise than the page says first, then what the API server refuses, broken links, and what could not be
/// read.
pub const CLASSES: &[&str] = &[
    "broken promises: the cluster judges an example otherwise than its page says",
    "refusals: the API server refuses an example before any policy sees it",
    "broken links",
    "ambiguous examples: guardrail cannot tell what a fragment is",
    "unchecked objects: a Kubernetes object in a fence that is not YAML",
    "policies that do not load",
    "files that do not parse (YAML, MDX, front matter, configuration)",
    "other problems",
];

impl Diagnostic {
    /// Which of [`CLASSES`] the problem is, from its message.
    pub fn class(&self) -> &'static str {
        let m = self.message.as_str();
        let class = if m.contains("but the page")
            || m.contains("the page promises")
            || m.contains("but not for the reason")
            || m.contains("which the page does not say")
        {
            0
        } else if m.starts_with("the API server refuses") || m.starts_with("after mutation the object") {
            1
        } else if m.starts_with("broken link") {
            2
        } else if m.starts_with("ambiguous example") {
            3
        } else if m.starts_with("this code block holds a Kubernetes object") {
            4
        } else if m.contains("do not load")
            || m.starts_with("policy does not load")
            || m.starts_with("the cluster state")
            || m.starts_with("example cannot be admitted")
        {
            5
        } else if m.starts_with("invalid")
            || m.contains("front matter")
            || m.contains("merge-conflict")
            || m.contains("MDX")
            || m.starts_with('<')
        {
            6
        } else {
            7
        };
        CLASSES[class]
    }
}

/// The problems counted by class, in [`CLASSES`] order: `5 broken links`.
pub fn by_class(diagnostics: &[Diagnostic]) -> Vec<(usize, &'static str)> {
    CLASSES
        .iter()
        .map(|c| (diagnostics.iter().filter(|d| d.class() == *c).count(), *c))
        .filter(|(n, _)| *n > 0)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_like_rustc() {
        let d = Diagnostic::error("example is rejected, but the page says it is admitted", "content/a.md", 3, 5)
            .width(16)
            .note("expected: admitted")
            .note("got: rejected by\n  [x] nope")
            .help("mark it `expect=deny`");
        let src = "# A\n\n    privileged: true\n";
        assert_eq!(
            d.render(Some(src)),
            "error: example is rejected, but the page says it is admitted\n --> content/a.md:3:5\n  |\n3 |     privileged: true\n  |     ^^^^^^^^^^^^^^^^\n  |\n  = note: expected: admitted\n  = note: got: rejected by\n            [x] nope\n  = help: mark it `expect=deny`\n"
        );
        assert!(d.to_json_line().starts_with("{\"severity\":\"error\",\"message\":"));
    }

    #[test]
    fn problems_are_counted_by_class_true_problems_first() {
        let d = |m: &str| Diagnostic::error(m, "a.md", 1, 1);
        let all = [
            d("broken link: no page at `x`"),
            d("example is rejected, but the page promises it is admitted"),
            d("the API server refuses the example: strict decoding error: unknown field \"x\""),
            d("broken link: no heading `#y` on that page"),
            d("invalid YAML in example: found a tab"),
            d("example is refused by the API server's own validation, not by a policy as the page promises"),
            d("something else"),
        ];
        assert_eq!(
            by_class(&all),
            [(2, CLASSES[0]), (1, CLASSES[1]), (2, CLASSES[2]), (1, CLASSES[6]), (1, CLASSES[7])]
        );
    }

    #[test]
    fn the_marker_never_runs_past_the_line() {
        let d = Diagnostic::error("x", "f.md", 1, 3).width(50);
        assert_eq!(d.render(Some("abcd\n")), "error: x\n --> f.md:1:3\n  |\n1 | abcd\n  |   ^^\n");
    }
}
