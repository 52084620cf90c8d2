//! Syntax highlighting with syntect: HTML with CSS classes (`hl-*`) and one stylesheet for light and dark.

use std::sync::OnceLock;

use syntect::highlighting::ThemeSet;
use syntect::html::{ClassStyle, ClassedHTMLGenerator, css_for_theme_with_class_style};
use syntect::parsing::{SyntaxDefinition, SyntaxSet};
use syntect::util::LinesWithEndings;

use crate::html::escape;

const STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };
const REGO: &str = include_str!("../../theme/syntaxes/rego.sublime-syntax");

fn syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(SyntaxSet::load_defaults_newlines)
}

/// Rego lives in a set of its own: adding it to the default set would rebuild (and re-compress) every syntax.
fn rego_syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(|| {
        let mut builder = syntect::parsing::SyntaxSetBuilder::new();
        // The grammar is ours and checked by a test; a broken one only loses Rego colours.
        if let Ok(rego) = SyntaxDefinition::load_from_str(REGO, true, None) {
            builder.add(rego);
        }
        builder.build()
    })
}

/// Highlights `code` in language `lang` (a fence name or extension); unknown languages are escaped plain text.
/// Returns one HTML string per source line, without the line break.
pub(crate) fn highlight_lines(code: &str, lang: &str) -> Vec<String> {
    if matches!(lang, "yaml" | "yml") {
        return crate::yaml_highlight::highlight_lines(code);
    }
    let set = if lang == "rego" { rego_syntaxes() } else { syntaxes() };
    let syntax = match lang {
        "" | "text" | "txt" | "plain" => None,
        "yml" => set.find_syntax_by_extension("yaml"),
        "sh" | "shell" | "console" => set.find_syntax_by_extension("sh"),
        other => set.find_syntax_by_token(other),
    };
    let Some(syntax) = syntax else {
        return code.lines().map(escape).collect();
    };
    let mut out = Vec::new();
    for line in LinesWithEndings::from(code) {
        // One generator per line keeps every line's spans closed, so lines can be wrapped and marked one by one.
        let mut generator = ClassedHTMLGenerator::new_with_class_style(syntax, set, STYLE);
        let with_newline = if line.ends_with('\n') { line.to_string() } else { format!("{line}\n") };
        if generator.parse_html_for_line_which_includes_newline(&with_newline).is_err() {
            out.push(escape(line.trim_end_matches('\n')));
            continue;
        }
        out.push(generator.finalize().replace('\n', ""));
    }
    out
}

/// Highlights a whole block: the lines joined.
pub(crate) fn highlight(code: &str, lang: &str) -> String {
    highlight_lines(code, lang).join("\n")
}

/// A code block with Docusaurus' line marks applied: `{1,3-5}` in the info string and `highlight-next-line`,
/// `highlight-start`/`highlight-end` comment lines in the code (which are not shown), and `showLineNumbers`
/// (optionally `=N`, the first number).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Marked {
    /// The code as shown (magic comment lines removed).
    pub(crate) code: String,
    /// Per shown line: highlighted.
    pub(crate) highlighted: Vec<bool>,
    /// The first line number, when numbers are shown.
    pub(crate) numbers: Option<usize>,
}

fn magic(line: &str) -> Option<&str> {
    let t = line.trim();
    let t = ["//", "#", "/*", "<!--", "--", ";", "%"].iter().find_map(|p| t.strip_prefix(p))?;
    let t = t.trim().trim_end_matches("*/").trim_end_matches("-->").trim();
    ["highlight-next-line", "highlight-start", "highlight-end"].into_iter().find(|m| *m == t)
}

pub(crate) fn marks(info: &str, code: &str) -> Marked {
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    if let (Some(a), Some(b)) = (info.find('{'), info.find('}')) {
        if a < b {
            for part in info[a + 1..b].split(',') {
                let part = part.trim();
                let (x, y) = part.split_once('-').unwrap_or((part, part));
                if let (Ok(x), Ok(y)) = (x.trim().parse::<usize>(), y.trim().parse::<usize>()) {
                    ranges.push((x, y));
                }
            }
        }
    }
    let numbers = info.split_whitespace().find_map(|w| {
        if w == "showLineNumbers" { Some(1) } else { w.strip_prefix("showLineNumbers=").and_then(|n| n.parse().ok()) }
    });
    let mut shown = String::with_capacity(code.len());
    let mut highlighted = Vec::new();
    let (mut next, mut block) = (false, false);
    for line in code.split_inclusive('\n') {
        match magic(line) {
            Some("highlight-next-line") => next = true,
            Some("highlight-start") => block = true,
            Some("highlight-end") => block = false,
            _ => {
                let n = highlighted.len() + 1;
                highlighted.push(next || block || ranges.iter().any(|(a, b)| n >= *a && n <= *b));
                next = false;
                shown.push_str(line);
            }
        }
    }
    Marked { code: shown, highlighted, numbers }
}

/// The highlighted HTML of a marked block: as [`highlight`] when nothing is marked, else one block per line.
pub(crate) fn highlight_marked(m: &Marked, lang: &str) -> String {
    if m.numbers.is_none() && !m.highlighted.contains(&true) {
        return highlight(&m.code, lang);
    }
    highlight_lines(&m.code, lang)
        .into_iter()
        .enumerate()
        .map(|(i, html)| {
            let class = if m.highlighted.get(i) == Some(&true) { "code-line highlighted" } else { "code-line" };
            let number = m.numbers.map(|n| format!("<span class=\"line-number\">{}</span>", n + i)).unwrap_or_default();
            format!("<span class=\"{class}\">{number}{html}</span>")
        })
        .collect()
}

/// The stylesheet for highlighted code: a light theme, and a dark one under `[data-theme="dark"]`.
pub(crate) fn stylesheet() -> String {
    let themes = ThemeSet::load_defaults();
    let mut css = String::from("/* Syntax colours, generated by guardrail from syntect's themes. */\n");
    if let Some(light) = themes.themes.get("InspiredGitHub") {
        css.push_str(&css_for_theme_with_class_style(light, STYLE).unwrap_or_default());
        yaml_rules(light, "", &mut css);
    }
    if let Some(dark) = themes.themes.get("base16-ocean.dark") {
        let dark_css = css_for_theme_with_class_style(dark, STYLE).unwrap_or_default();
        for line in dark_css.lines() {
            if line.starts_with('.') {
                css.push_str(":root[data-theme=\"dark\"] ");
            }
            css.push_str(line);
            css.push('\n');
        }
        yaml_rules(dark, ":root[data-theme=\"dark\"] ", &mut css);
    }
    css
}

/// The YAML highlighter's short classes, each coloured as `theme` colours its scope.
fn yaml_rules(theme: &syntect::highlighting::Theme, prefix: &str, css: &mut String) {
    use std::fmt::Write as _;
    use syntect::highlighting::{FontStyle, Highlighter};
    let highlighter = Highlighter::new(theme);
    for (class, scope) in crate::yaml_highlight::CLASSES {
        let Ok(stack) = scope.parse::<syntect::parsing::ScopeStack>() else { continue };
        let style = highlighter.style_for_stack(stack.as_slice());
        let c = style.foreground;
        let _ = write!(css, "{prefix}.{class} {{ color: #{:02x}{:02x}{:02x};", c.r, c.g, c.b);
        if style.font_style.contains(FontStyle::BOLD) {
            css.push_str(" font-weight: bold;");
        }
        if style.font_style.contains(FontStyle::ITALIC) {
            css.push_str(" font-style: italic;");
        }
        if style.font_style.contains(FontStyle::UNDERLINE) {
            css.push_str(" text-decoration: underline;");
        }
        css.push_str(" }\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_marks_as_docusaurus_writes_them() {
        let code = "a: 1\n# highlight-next-line\nb: 2\nc: 3\n// highlight-start\nd: 4\ne: 5\n// highlight-end\nf: 6\n";
        let m = marks("yaml {4,6} showLineNumbers=3", code);
        assert_eq!(m.code, "a: 1\nb: 2\nc: 3\nd: 4\ne: 5\nf: 6\n");
        assert_eq!(m.highlighted, [false, true, false, true, true, true]);
        assert_eq!(m.numbers, Some(3));
        let html = highlight_marked(&m, "text");
        assert!(html.starts_with("<span class=\"code-line\"><span class=\"line-number\">3</span>a: 1</span><span class=\"code-line highlighted\"><span class=\"line-number\">4</span>b: 2</span>"), "{html}");
        assert_eq!(html.matches("class=\"code-line").count(), 6, "no empty last line: {html}");
        assert_eq!(highlight_marked(&m, "yaml").matches("class=\"code-line").count(), 6);
        let plain = marks("sh", "ls\n");
        assert_eq!(highlight_marked(&plain, "sh"), highlight("ls\n", "sh"));
        assert_eq!(marks("js {1-2}", "x\ny\nz\n").highlighted, [true, true, false]);
    }

    #[test]
    fn rego_and_yaml_are_highlighted_with_classes() {
        assert!(SyntaxDefinition::load_from_str(REGO, true, None).is_ok(), "the Rego grammar loads");
        let rego = highlight("package k8s\nviolation[{\"msg\": msg}] {\n  not input.x # why\n}\n", "rego");
        assert!(rego.contains("hl-keyword"), "{rego}");
        assert!(rego.contains("hl-comment"), "{rego}");
        let yaml = highlight_lines("a: 1\nb: \"<x>\"\n", "yaml");
        assert_eq!(yaml.len(), 2);
        assert!(yaml[1].contains("&lt;x&gt;"), "{yaml:?}");
        assert_eq!(highlight("<b>", "nonsense"), "&lt;b&gt;");
    }

    #[test]
    fn the_stylesheet_has_both_themes() {
        let css = stylesheet();
        assert!(css.contains(".hl-"));
        assert!(css.contains(":root[data-theme=\"dark\"] .hl-"));
    }

    /// Every class the YAML highlighter writes is coloured in both themes, keys apart from strings, each as the
    /// theme colours the scope it stands for.
    #[test]
    fn the_yaml_classes_are_coloured_in_both_themes() {
        let css = stylesheet();
        let rule = |prefix: &str, class: &str| -> String {
            let start = css.find(&format!("\n{prefix}.{class} {{")).unwrap_or_else(|| panic!("{prefix}.{class}"));
            css[start + 1..].lines().next().unwrap_or_default().to_string()
        };
        for (class, _) in crate::yaml_highlight::CLASSES {
            for prefix in ["", ":root[data-theme=\"dark\"] "] {
                assert!(rule(prefix, class).contains("color: #"), "{prefix}.{class}");
            }
        }
        let color = |r: String| r.split("color: ").nth(1).unwrap_or_default().chars().take(7).collect::<String>();
        assert_ne!(color(rule("", "hl-k")), color(rule("", "hl-s")));
        // InspiredGitHub colours tags (YAML keys) #63a35c and strings #183691.
        assert_eq!((color(rule("", "hl-k")), color(rule("", "hl-s"))), ("#63a35c".into(), "#183691".into()));
        let html = highlight_lines("a: \"x\"\n", "yaml").concat();
        assert!(html.contains("<span class=\"hl-k\">a</span>") && html.contains("class=\"hl-s\""), "{html}");
    }
}
