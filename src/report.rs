//! Reports for CI: GitHub workflow commands, SARIF 2.1.0 (code scanning), JUnit XML (test dashboards).

use guardrail_site::Diagnostic;
use guardrail_site::diagnostics::Severity;
use serde_json::{Value, json};

/// A workflow command's data, escaped as GitHub's runner reads it.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// A workflow command's property value, escaped as GitHub's runner reads it.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// The full text of a diagnostic: its message, notes and help, one per line.
fn full_text(d: &Diagnostic) -> String {
    let mut text = d.message.clone();
    for n in &d.notes {
        text.push_str(&format!("\nnote: {n}"));
    }
    if let Some(h) = &d.help {
        text.push_str(&format!("\nhelp: {h}"));
    }
    text
}

/// One GitHub Actions workflow command (`::error file=...,line=...,col=...::message`): an annotation on the
/// pull request's line.
pub(crate) fn github(d: &Diagnostic) -> String {
    format!(
        "::{} file={},line={},col={},endColumn={},title={}::{}",
        level(d),
        escape_property(&d.file),
        d.line,
        d.column,
        d.column + d.width.max(1),
        escape_property(&format!("guardrail {}", d.rule())),
        escape_data(&full_text(d))
    )
}

/// What each rule id means, for the SARIF rule descriptions.
fn rule_description(rule: &str) -> &'static str {
    match rule {
        "example-verdict" => "A YAML example does not do what the page says it does.",
        "example-yaml" => "A YAML example does not parse.",
        "example-fragment" => "A fragment whose kind guardrail cannot tell.",
        "example-admission" => "A YAML example that admission cannot process.",
        "example-policies" => "An example's own policies do not load.",
        "example-attribute" => "A code block attribute that is not one guardrail knows, or has a wrong value.",
        "unlabeled-kubernetes-block" => "A Kubernetes object in a code block that would not be checked.",
        "unchecked-rule" => {
            "A rule that matches the example but whose template has no code to run (neither Rego nor CEL)."
        }
        "broken-link" => "A link to a page, heading or file that does not exist.",
        "merge-conflict" => "An unresolved merge-conflict marker.",
        "front-matter" => "Invalid front matter.",
        "mdx-component" => "An MDX component guardrail does not render.",
        "mdx-esm" => "A line MDX reads as JavaScript that is not a valid statement.",
        "mdx-expression" => "An MDX expression that cannot be read without running JavaScript.",
        "mdx-structure" => "MDX components that are not balanced.",
        "sidebars" => "A sidebars file that cannot be read, or names what does not exist.",
        "policy-load" => "A policy source that does not load.",
        "config" => "An invalid guardrail.toml.",
        "theme" => "A theme template that does not render.",
        "static-file" => "A static file that would replace a file of the built site.",
        "duplicate-url" => "Two pages that want the same URL.",
        "last-updated" => "Dates that cannot be read from git.",
        "constraint" => "A Gatekeeper constraint the object violates.",
        "api-server" => "An example the API server refuses before admission (strict decoding).",
        "mutation-schema" => "A mutator that makes an object the API server refuses.",
        _ => "A problem of the docs site.",
    }
}

fn level(d: &Diagnostic) -> &'static str {
    match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// The SARIF 2.1.0 log of a run: one rule per kind of problem found, one result per diagnostic.
pub(crate) fn sarif(diagnostics: &[Diagnostic]) -> Value {
    let mut rules: Vec<&'static str> = diagnostics.iter().map(Diagnostic::rule).collect();
    rules.sort_unstable();
    rules.dedup();
    let results: Vec<Value> = diagnostics
        .iter()
        .map(|d| {
            let rule = d.rule();
            json!({
                "ruleId": rule,
                "ruleIndex": rules.iter().position(|r| *r == rule).unwrap_or(0),
                "level": level(d),
                "message": {"text": full_text(d)},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": {"uri": d.file},
                        "region": {"startLine": d.line, "startColumn": d.column, "endColumn": d.column + d.width.max(1)}
                    }
                }]
            })
        })
        .collect();
    log(rules.iter().map(|r| (r.to_string(), rule_description(r).to_string())).collect(), results)
}

/// A SARIF log with one run of guardrail: its rules (id, description) and results.
pub(crate) fn log(rules: Vec<(String, String)>, results: Vec<Value>) -> Value {
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "guardrail",
                    "version": env!("CARGO_PKG_VERSION"),
                    "informationUri": "https://github.com/XenitAB",
                    "rules": rules.iter().map(|(id, text)| json!({
                        "id": id,
                        "shortDescription": {"text": text},
                    })).collect::<Vec<_>>()
                }
            },
            "results": results
        }]
    })
}

/// XML text or attribute content, escaped (as HTML is), without the characters XML 1.0 cannot hold at all.
pub(crate) fn xml(s: &str) -> String {
    let kept: String =
        s.chars().map(|c| if (c as u32) < 0x20 && !matches!(c, '\n' | '\r' | '\t') { '\u{FFFD}' } else { c }).collect();
    guardrail_site::html::escape(&kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workflow_commands_escape_what_the_runner_reads() {
        let d =
            Diagnostic::error("broken link: no page at `a,b:c`\n100%", "content/a,b.md", 3, 5).width(4).help("fix it");
        assert_eq!(
            github(&d),
            "::error file=content/a%2Cb.md,line=3,col=5,endColumn=9,title=guardrail broken-link::broken link: no page at `a,b:c`%0A100%25%0Ahelp: fix it"
        );
        assert_eq!(xml("<a href=\"x\">&'\u{1}"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;\u{FFFD}");
    }
}
