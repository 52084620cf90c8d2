//! YAML examples in Markdown: their info-string attributes, what the page promises against what admission
//! did, and the record of each checked example that the playground lists.

pub(crate) use guardrail_engine::fragment::{Placed, Wrap, infer_wrap};
use guardrail_engine::limits::Limits;
use guardrail_engine::policy::{Child, Decision, Verdict as Admission};
use guardrail_engine::template::EnforcementAction;
use guardrail_engine::yaml::Schema;
use serde_json::Value;

use crate::diagnostics::{At, Diagnostic};

/// What the page shows for a checked example.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Admitted unchanged.
    Admitted,
    /// Admitted after mutation.
    Mutated,
    /// Rejected by at least one constraint.
    Rejected,
}

impl Verdict {
    /// The CSS class suffix and JSON name (`verdict-mutated`).
    pub(crate) fn name(self) -> &'static str {
        match self {
            Verdict::Admitted => "admitted",
            Verdict::Mutated => "mutated",
            Verdict::Rejected => "rejected",
        }
    }

    /// What a reader sees on the chip.
    pub(crate) fn label(self) -> &'static str {
        match self {
            Verdict::Admitted => "Admitted",
            Verdict::Mutated => "Admitted with changes",
            Verdict::Rejected => "Rejected",
        }
    }
}

/// A checked example, as shown in the playground's example list.
#[derive(Debug, Clone)]
pub(crate) struct ExampleRecord {
    /// The title of its page.
    pub(crate) page: String,
    /// Its playground URL, which carries its YAML (made once: compressing is the costly part).
    pub(crate) url: String,
    pub(crate) title: String,
    pub(crate) verdict: Verdict,
    /// The line of its opening fence.
    pub(crate) line: usize,
}

/// The most a piece of the examples list holds (a page's examples are never split, so one page alone may make a
/// piece larger): the playground fetches the pieces one at a time, as the reader asks for more.
pub(crate) const SHARD_BYTES: usize = 192 * 1024;

/// The examples list in pieces (`assets/examples/<n>.json`), each a JSON array of `{page, title, url, verdict,
/// label, line}` for whole pages, in page order: no file grows with the site, and the playground page carries
/// none of it.
pub(crate) fn example_shards(examples: &[ExampleRecord]) -> Vec<Vec<u8>> {
    let mut shards = Vec::new();
    let mut current: Vec<u8> = Vec::new();
    let mut i = 0;
    while i < examples.len() {
        // One page's examples, together.
        let page = &examples[i].page;
        let end = examples[i..].iter().position(|e| &e.page != page).map_or(examples.len(), |n| i + n);
        let mut piece = Vec::new();
        for e in &examples[i..end] {
            let record = serde_json::json!({
                "page": e.page, "title": e.title, "url": e.url,
                "verdict": e.verdict.name(), "label": e.verdict.label(), "line": e.line,
            });
            piece.push(b',');
            piece.extend(serde_json::to_vec(&record).unwrap_or_default());
        }
        if !current.is_empty() && current.len() + piece.len() + 1 > SHARD_BYTES {
            current.push(b']');
            shards.push(std::mem::take(&mut current));
        }
        if current.is_empty() {
            current.push(b'[');
            piece.remove(0);
        }
        current.extend(piece);
        i = end;
    }
    if !current.is_empty() {
        current.push(b']');
        shards.push(current);
    }
    shards
}

/// What the page promises about an example.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    Admit,
    Deny,
    /// The API server itself refuses it (an API version it no longer serves, a field it does not know, a
    /// required field missing, one of its plugins): a page that shows what not to write.
    Refused,
}

impl Expect {
    /// The verdict a writer names (`expect=deny`), if it is one.
    pub fn from_name(name: &str) -> Option<Expect> {
        match name {
            "admit" => Some(Expect::Admit),
            "deny" => Some(Expect::Deny),
            "refused" => Some(Expect::Refused),
            _ => None,
        }
    }
}

/// The attributes of a YAML code block (`yaml expect=deny violates="K8sPSPPrivilegedContainer"`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attrs {
    pub expect: Expect,
    /// Whether `expect=` was written (else the page's `<summary>` may say it: `[examples] summary-expect`).
    pub expect_given: bool,
    pub violates: Vec<String>,
    /// With `expect=refused`: words the API server's refusal must contain.
    pub reason: Option<String>,
    pub wrap: Option<Wrap>,
    pub namespace: Option<String>,
    pub title: Option<String>,
    pub novalidate: bool,
    /// Policy sources (paths from the site root) judged together with the site's for this example only: a
    /// rule or mutator the page describes that the cluster does not run everywhere.
    pub policies: Vec<String>,
}

impl Default for Attrs {
    fn default() -> Self {
        Attrs {
            expect: Expect::Admit,
            expect_given: false,
            violates: Vec::new(),
            reason: None,
            wrap: None,
            namespace: None,
            title: None,
            novalidate: false,
            policies: Vec::new(),
        }
    }
}

const KNOWN: &[&str] = &["expect", "violates", "reason", "wrap", "namespace", "title", "novalidate", "policies"];

/// Whether a fence's language makes it an example.
pub(crate) fn is_yaml(lang: &str) -> bool {
    lang == "yaml" || lang == "yml"
}

/// Whether `code` is YAML (or JSON) holding a Kubernetes API object: a mapping with string `apiVersion` and `kind`
/// that is not a webhook's payload (an AdmissionReview) or a configuration file no API server serves.
pub(crate) fn is_kubernetes_object(code: &str) -> bool {
    if !(code.contains("apiVersion") && code.contains("kind")) {
        return false;
    }
    guardrail_engine::yaml::load_documents(code, Schema::Kubernetes, &Limits::default()).is_ok_and(|docs| {
        docs.iter().any(|d| {
            let (Some(v), Some(k)) =
                (d.value.get("apiVersion").and_then(Value::as_str), d.value.get("kind").and_then(Value::as_str))
            else {
                return false;
            };
            k != "AdmissionReview" && guardrail_engine::object::configuration_file(v, k).is_none()
        })
    })
}

/// Whether a line of an example elides (`...`, `…`, `# ...`, `- ...`, `key: ...`): the writer left something out.
fn is_elision(line: &str) -> bool {
    let t = line.trim();
    let t = t.strip_prefix('#').or_else(|| t.strip_prefix('-')).map_or(t, str::trim_start);
    let t = match t.split_once(':') {
        Some((key, rest)) if !key.is_empty() && !key.contains(' ') => rest.trim(),
        _ => t,
    };
    matches!(t, "..." | "…" | "[...]" | "{...}")
}

/// The code with its elision lines blanked (so that line numbers stay), and whether it had any: an example that
/// shows part of an object.
pub(crate) fn strip_elisions(code: &str) -> (std::borrow::Cow<'_, str>, bool) {
    if !code.contains("...") && !code.contains('…') {
        return (std::borrow::Cow::Borrowed(code), false);
    }
    let mut partial = false;
    let out: Vec<&str> = code
        .split_inclusive('\n')
        .map(|line| {
            if is_elision(line) {
                partial = true;
                if line.ends_with('\n') { "\n" } else { "" }
            } else {
                line
            }
        })
        .collect();
    if partial { (std::borrow::Cow::Owned(out.concat()), true) } else { (std::borrow::Cow::Borrowed(code), false) }
}

/// The language of an info string (its first word) and the byte offset where the attributes after it start.
pub(crate) fn split_info(info: &str) -> (&str, usize) {
    let start = info.len() - info.trim_start_matches(|c: char| c.is_ascii_whitespace()).len();
    let end = info[start..].find(|c: char| c.is_ascii_whitespace()).map_or(info.len(), |n| start + n);
    (&info[start..end], end)
}

/// Splits an info string into its language and attributes; `at` is where the info string was written.
pub fn parse_info(info: &str, at: At<'_>) -> Result<(String, Attrs), Diagnostic> {
    let (lang, rest) = split_info(info);
    Ok((lang.to_string(), parse_attrs(info, rest, at)?))
}

/// The attributes of an info string, from byte `start` on (after the language).
pub(crate) fn parse_attrs(info: &str, start: usize, at: At<'_>) -> Result<Attrs, Diagnostic> {
    let bytes = info.as_bytes();
    let mut i = start;
    let skip_ws = |i: &mut usize| {
        while *i < bytes.len() && bytes[*i].is_ascii_whitespace() {
            *i += 1;
        }
    };
    let mut attrs = Attrs::default();
    loop {
        skip_ws(&mut i);
        if i >= bytes.len() {
            break;
        }
        let key_start = i;
        if bytes[i] == b'{' {
            // Docusaurus' line highlighting (`{1,3-5}`), read by the code block's renderer.
            i = info[i..].find('}').map_or(bytes.len(), |n| i + n + 1);
            continue;
        }
        while i < bytes.len() && bytes[i] != b'=' && !bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let key = &info[key_start..i];
        let mut value: Option<(String, usize)> = None;
        if i < bytes.len() && bytes[i] == b'=' {
            i += 1;
            let value_start = i;
            if i < bytes.len() && bytes[i] == b'"' {
                i += 1;
                let s = i;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += 1;
                }
                if i >= bytes.len() {
                    return Err(at
                        .error(value_start, format!("the value of `{key}` has no closing quote"))
                        .width(info[value_start..].chars().count()));
                }
                value = Some((info[s..i].to_string(), value_start));
                i += 1;
            } else {
                while i < bytes.len() && !bytes[i].is_ascii_whitespace() {
                    i += 1;
                }
                value = Some((info[value_start..i].to_string(), value_start));
            }
        }
        let err = |message: String, help: Option<String>| {
            let d = at.error(key_start, message).width(info[key_start..i].chars().count());
            match help {
                Some(h) => d.help(h),
                None => d,
            }
        };
        let need = |v: &Option<(String, usize)>| -> Result<String, Diagnostic> {
            match v {
                Some((s, _)) if !s.is_empty() => Ok(s.clone()),
                _ => Err(err(format!("`{key}` needs a value (`{key}=...`)"), None)),
            }
        };
        match key {
            "expect" => {
                attrs.expect_given = true;
                let name = need(&value)?;
                attrs.expect = match Expect::from_name(&name) {
                    Some(e) => e,
                    None => {
                        let other = name.as_str();
                        return Err(err(
                            format!("`expect={other}` is not a verdict"),
                            Some("write `expect=admit`, `expect=deny` (a policy rejects it) or `expect=refused` (the API server itself does)".into()),
                        ));
                    }
                }
            }
            "reason" => attrs.reason = Some(need(&value)?),
            "violates" => {
                attrs.violates =
                    need(&value)?.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
            }
            "wrap" => {
                let name = need(&value)?;
                attrs.wrap = Some(match Wrap::from_name(&name) {
                    Some(w) => w,
                    None => {
                        let kinds: Vec<String> =
                            guardrail_engine::fragment::WRAPS.iter().map(|w| format!("`wrap={}`", w.name())).collect();
                        return Err(err(
                            format!("`wrap={name}` is not a fragment kind"),
                            Some(format!("write one of {}", kinds.join(", "))),
                        ));
                    }
                })
            }
            "namespace" => attrs.namespace = Some(need(&value)?),
            "title" => attrs.title = Some(need(&value)?),
            "policies" => {
                attrs.policies =
                    need(&value)?.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
            }
            // Docusaurus' line numbers, read by the code block's renderer.
            "showLineNumbers" => {}
            "novalidate" => {
                if value.is_some() {
                    return Err(err("`novalidate` is a flag and takes no value".into(), None));
                }
                attrs.novalidate = true;
            }
            other => {
                let near = KNOWN.iter().find(|k| guardrail_engine::text::edit_distance(k, other) <= 2);
                return Err(err(
                    format!("unknown example attribute `{other}`"),
                    Some(match near {
                        Some(k) => format!("did you mean `{k}`? (a typo must not turn a check off)"),
                        None => format!("known attributes: {}", KNOWN.join(", ")),
                    }),
                ));
            }
        }
    }
    if attrs.reason.is_some() && attrs.expect != Expect::Refused {
        return Err(at
            .error(0, "`reason=` only goes with `expect=refused`")
            .width(info.chars().count())
            .help("add `expect=refused`, or remove `reason=`"));
    }
    if !attrs.violates.is_empty() && attrs.expect != Expect::Deny {
        return Err(at
            .error(0, "`violates=` only goes with `expect=deny`")
            .width(info.chars().count())
            .help("add `expect=deny`, or remove `violates=`"));
    }
    Ok(attrs)
}

/// The constraints (kind and name) that rejected a decision.
pub(crate) fn rejecting(d: &Decision) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = d
        .violations
        .iter()
        .filter(|v| v.action == EnforcementAction::Deny)
        .map(|v| (v.kind.clone(), v.name.clone()))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// An example's admission as the page reports it: the object's own verdict, or, when the object is admitted and
/// something it leads to is not (the Pods a Deployment's ReplicaSet creates), that rejection.
pub(crate) struct Outcome<'a> {
    /// The example's own decision.
    pub(crate) root: &'a Decision,
    /// The objects from the example down to the rejected one; empty when the example's own decision decides.
    pub(crate) chain: Vec<&'a Child>,
    /// The constraints (kind, name) that rejected whichever is rejected.
    pub(crate) by: Vec<(String, String)>,
}

impl<'a> Outcome<'a> {
    pub(crate) fn of(root: &'a Decision) -> Outcome<'a> {
        let chain = if root.verdict == Admission::Admitted { root.rejected_path() } else { Vec::new() };
        let deciding = chain.last().map_or(root, |c| &c.decision);
        Outcome { root, by: rejecting(deciding), chain }
    }

    /// Whether the example, or what it creates, is rejected.
    pub(crate) fn rejected(&self) -> bool {
        self.root.verdict == Admission::Rejected || !self.chain.is_empty()
    }

    /// The decision that rejected (the example's own when nothing it creates is).
    pub(crate) fn deciding(&self) -> &'a Decision {
        self.chain.last().map_or(self.root, |c| &c.decision)
    }
}

/// `Kind name` of an object.
pub(crate) fn kind_name(object: &Value) -> String {
    format!(
        "{} {}",
        object.get("kind").and_then(Value::as_str).unwrap_or("object"),
        guardrail_engine::object::meta_str(object, "name")
    )
}

/// Compares an outcome with the promise; `at` places the failure (it is only asked when there is one: finding
/// the field to point at costs a little).
pub(crate) fn compare(
    attrs: &Attrs,
    outcome: &Outcome<'_>,
    at: impl FnOnce(String) -> Diagnostic,
) -> Result<(), Diagnostic> {
    let rejected = outcome.rejected();
    let by = &outcome.by;
    let d = outcome.root;
    let messages = || -> Vec<String> {
        outcome
            .deciding()
            .violations
            .iter()
            .filter(|v| v.action == EnforcementAction::Deny)
            .map(|v| format!("{}: {}", v.kind, v.render()))
            .collect()
    };
    let kinds = || by.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>().join(",");
    let with_notes = |mut diagnostic: Diagnostic, notes: Vec<String>, help: String| {
        for n in notes {
            diagnostic = diagnostic.note(n);
        }
        diagnostic.help(help)
    };
    match attrs.expect {
        Expect::Admit if rejected && !outcome.chain.is_empty() => {
            let rejected_one = outcome.deciding();
            let kind = rejected_one.object.get("kind").and_then(Value::as_str).unwrap_or("object");
            let mut notes =
                vec!["expected: admitted, and so is everything it creates (expect=admit is the default)".to_string()];
            let mut got = vec![format!("{} admitted", kind_name(&d.object))];
            for c in &outcome.chain {
                let verdict = if c.decision.verdict == Admission::Rejected {
                    format!("rejected by {}", names(by))
                } else {
                    "admitted".to_string()
                };
                got.push(format!("{} {}, {verdict}", kind_name(&c.object), c.origin));
            }
            notes.push(format!("got: {}", got.join("; ")));
            notes.extend(messages());
            if let Some(event) = outcome.chain.last().and_then(|c| c.event()) {
                let owner = outcome.chain.len().checked_sub(2).map_or(&d.object, |i| &outcome.chain[i].object);
                notes.push(format!("`kubectl describe` of the {} shows the event: {event}", kind_name(owner)));
            }
            Err(with_notes(
                at(format!("example is admitted, but the {kind} created from it is rejected")),
                notes,
                format!("fix the example, or mark the block `expect=deny violates=\"{}\"`", kinds()),
            ))
        }
        Expect::Admit if rejected => {
            let mut notes = vec![
                if attrs.expect_given {
                    "expected: admitted (expect=admit)".to_string()
                } else {
                    "expected: admitted (expect=admit is the default)".to_string()
                },
                format!("got: rejected by {}", names(by)),
            ];
            notes.extend(messages());
            Err(with_notes(
                at("example is rejected, but the page promises it is admitted".into()),
                notes,
                format!("fix the example, or mark the block `expect=deny violates=\"{}\"`", kinds()),
            ))
        }
        Expect::Deny if !rejected => {
            let mut notes = vec!["expected: rejected (expect=deny)".to_string()];
            notes.push(if d.mutated() {
                format!("got: admitted, after mutation by {}", d.mutators.join(", "))
            } else {
                "got: admitted, unchanged".to_string()
            });
            Err(with_notes(
                at("example is admitted, but the page promises it is rejected".into()),
                notes,
                "fix the example, or remove `expect=deny` if the cluster does admit it".into(),
            ))
        }
        // The API server's own validation is no policy: a Pod it refuses for a missing field never reaches the
        // rule the page shows it to (unless the page names that stage: `violates="ObjectValidation"`).
        Expect::Deny
            if attrs.violates.is_empty()
                && matches!(
                    outcome.deciding().decided_by,
                    Some(
                        guardrail_engine::admission::Stage::Decode
                            | guardrail_engine::admission::Stage::ObjectValidation
                    )
                ) =>
        {
            let why = outcome.deciding().denial().unwrap_or_default();
            Err(with_notes(
                at("example is refused by the API server's own validation, not by a policy as the page promises"
                    .into()),
                vec![
                    "expected: rejected by a policy (expect=deny)".to_string(),
                    format!("got: refused by the API server: {why}"),
                ],
                "complete the object so that the policy judges it, or say `expect=refused` if the refusal is the point"
                    .into(),
            ))
        }
        Expect::Deny if !attrs.violates.is_empty() => {
            let matches = |want: &str, (k, n): &(String, String)| want == k || want == n;
            let missing: Vec<&String> = attrs.violates.iter().filter(|w| !by.iter().any(|b| matches(w, b))).collect();
            let extra: Vec<(String, String)> =
                by.iter().filter(|b| !attrs.violates.iter().any(|w| matches(w, b))).cloned().collect();
            if missing.is_empty() && extra.is_empty() {
                return Ok(());
            }
            let mut notes = vec![
                format!("expected: rejected by {}", attrs.violates.join(", ")),
                format!("got: rejected by {}", names(by)),
            ];
            notes.extend(messages());
            let headline = if !missing.is_empty() {
                format!(
                    "example is not rejected by {} as the page promises",
                    missing.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
                )
            } else {
                format!("example is also rejected by {}, which the page does not say", names(&extra))
            };
            Err(with_notes(at(headline), notes, format!("write `violates=\"{}\"`, or fix the example", kinds())))
        }
        _ => Ok(()),
    }
}

fn names(by: &[(String, String)]) -> String {
    if by.is_empty() {
        return "nothing".into();
    }
    by.iter().map(|(k, n)| format!("{k} ({n})")).collect::<Vec<_>>().join(", ")
}

/// Which wrap to use for a document: the attribute, or the inferred one.
pub(crate) fn resolve_wrap(attrs: &Attrs, doc: &Value) -> Result<Option<Wrap>, String> {
    match attrs.wrap {
        Some(w) => {
            if doc.get("apiVersion").is_some() && doc.get("kind").is_some() {
                return Err(format!(
                    "`wrap={}` is set, but the example is a whole object (it has apiVersion and kind)",
                    w.name()
                ));
            }
            Ok(Some(w))
        }
        None => infer_wrap(doc),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_examples_list_comes_in_pieces_of_whole_pages() {
        let record = |page: usize, n: usize| ExampleRecord {
            page: format!("Page {page}"),
            url: format!("/playground/#yaml={}", "x".repeat(900 + n)),
            title: format!("Example {n}"),
            verdict: Verdict::Rejected,
            line: n,
        };
        let examples: Vec<ExampleRecord> = (0..600).flat_map(|p| (0..3).map(move |n| record(p, n))).collect();
        let shards = example_shards(&examples);
        assert!(shards.len() > 5, "{}", shards.len());
        let mut pages_seen = Vec::new();
        let mut count = 0;
        for bytes in &shards {
            assert!(bytes.len() <= SHARD_BYTES, "{}", bytes.len());
            let list: Vec<serde_json::Value> = serde_json::from_slice(bytes).expect("a JSON array");
            count += list.len();
            let pages: Vec<&str> = list.iter().filter_map(|r| r["page"].as_str()).collect();
            // Each page's three examples are in one piece.
            for p in &pages {
                assert_eq!(pages.iter().filter(|q| q == &p).count(), 3, "{p}");
            }
            pages_seen.extend(pages.iter().map(|p| p.to_string()));
            assert_eq!(list[0]["verdict"], "rejected");
            assert_eq!(list[0]["label"], "Rejected");
        }
        assert_eq!(count, 1800);
        pages_seen.dedup();
        assert_eq!(pages_seen.len(), 600, "pages in order, none split");
        assert!(example_shards(&[]).is_empty());
    }

    fn info(text: &str) -> Result<(String, Attrs), Diagnostic> {
        parse_info(text, At { file: "page.md", text, offset: 0 })
    }

    #[test]
    fn elisions_are_blanked_and_mark_the_example_partial() {
        let code = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  ...\nspec:\n  # ...\n  containers:\n  - name: app\n    image: nginx\n    env: …\n  - ...\n";
        let (out, partial) = strip_elisions(code);
        assert!(partial);
        assert_eq!(out.lines().count(), code.lines().count());
        assert!(!out.contains("...") && !out.contains('…'), "{out}");
        assert!(out.contains("    image: nginx\n\n\n"), "{out}");
        let (same, partial) = strip_elisions("a: '...'\nb: x...\n");
        assert!(!partial && same == "a: '...'\nb: x...\n");
    }

    #[test]
    fn info_strings() {
        let (lang, a) =
            info("yaml expect=deny violates=\"K8sPSPPrivilegedContainer, psp-host-network\" title=\"pod.yaml\"")
                .unwrap();
        assert_eq!(lang, "yaml");
        assert_eq!(a.expect, Expect::Deny);
        assert_eq!(a.violates, ["K8sPSPPrivilegedContainer", "psp-host-network"]);
        assert_eq!(a.title.as_deref(), Some("pod.yaml"));
        let (_, a) = info("yml wrap=container namespace=team-a novalidate").unwrap();
        assert_eq!((a.wrap, a.namespace.as_deref(), a.novalidate), (Some(Wrap::Container), Some("team-a"), true));
        assert_eq!(info("yaml").unwrap().1, Attrs::default());
        assert_eq!(split_info("  yaml  expect=deny"), ("yaml", 6));
        assert_eq!(split_info(""), ("", 0));
    }

    #[test]
    fn refused_takes_a_reason_and_reason_needs_refused() {
        let (_, a) = info("yaml expect=refused reason=\"unknown field\"").unwrap();
        assert_eq!((a.expect, a.reason.as_deref()), (Expect::Refused, Some("unknown field")));
        assert_eq!(info("yaml expect=deny reason=x").unwrap_err().message, "`reason=` only goes with `expect=refused`");
    }

    #[test]
    fn info_string_errors() {
        let e = info("yaml expct=deny").unwrap_err();
        assert_eq!((e.line, e.column, e.width), (1, 6, 10));
        assert_eq!(e.message, "unknown example attribute `expct`");
        assert_eq!(e.help.as_deref(), Some("did you mean `expect`? (a typo must not turn a check off)"));
        assert_eq!(info("yaml expect=maybe").unwrap_err().message, "`expect=maybe` is not a verdict");
        assert_eq!(info("yaml title=\"open").unwrap_err().message, "the value of `title` has no closing quote");
        assert_eq!(info("yaml violates=X").unwrap_err().message, "`violates=` only goes with `expect=deny`");
        assert_eq!(info("yaml novalidate=yes").unwrap_err().message, "`novalidate` is a flag and takes no value");
        assert_eq!(info("yaml wrap").unwrap_err().message, "`wrap` needs a value (`wrap=...`)");
        // Placed in the file by the origin's offset.
        let page = "# T\n\n```yaml expext=deny\n";
        let e = parse_info("yaml expext=deny", At { file: "p.md", text: page, offset: 8 }).unwrap_err();
        assert_eq!((e.file.as_str(), e.line, e.column, e.width), ("p.md", 3, 9, 11));
    }
}
