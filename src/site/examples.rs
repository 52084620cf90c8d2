//! YAML examples in Markdown: their info-string attributes, fragment wrapping, and checking through the engine.

pub(crate) use guardrail_engine::fragment::{Placed, Wrap, infer_wrap};
use guardrail_engine::policy::{Decision, Verdict};
use guardrail_engine::template::EnforcementAction;
use serde_json::Value;

/// What the page promises about an example.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Expect {
    Admit,
    Deny,
}

/// The attributes of a YAML code block (`yaml expect=deny violates="K8sPSPPrivilegedContainer"`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Attrs {
    pub(crate) expect: Expect,
    pub(crate) violates: Vec<String>,
    pub(crate) wrap: Option<Wrap>,
    pub(crate) namespace: Option<String>,
    pub(crate) title: Option<String>,
    pub(crate) novalidate: bool,
}

impl Default for Attrs {
    fn default() -> Self {
        Attrs {
            expect: Expect::Admit,
            violates: Vec::new(),
            wrap: None,
            namespace: None,
            title: None,
            novalidate: false,
        }
    }
}

/// An info string that cannot be read; `offset` is the byte offset in the info string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AttrError {
    pub(crate) offset: usize,
    pub(crate) len: usize,
    pub(crate) message: String,
    pub(crate) help: Option<String>,
}

const KNOWN: &[&str] = &["expect", "violates", "wrap", "namespace", "title", "novalidate"];

/// Whether a fence's language makes it an example.
pub(crate) fn is_yaml(lang: &str) -> bool {
    lang == "yaml" || lang == "yml"
}

/// Splits an info string into its language and attributes.
pub(crate) fn parse_info(info: &str) -> Result<(String, Attrs), AttrError> {
    let bytes = info.as_bytes();
    let mut i = 0;
    let skip_ws = |i: &mut usize| {
        while *i < bytes.len() && bytes[*i].is_ascii_whitespace() {
            *i += 1;
        }
    };
    skip_ws(&mut i);
    let start = i;
    while i < bytes.len() && !bytes[i].is_ascii_whitespace() {
        i += 1;
    }
    let lang = info[start..i].to_string();
    let mut attrs = Attrs::default();
    loop {
        skip_ws(&mut i);
        if i >= bytes.len() {
            break;
        }
        let key_start = i;
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
                    return Err(AttrError {
                        offset: value_start,
                        len: info.len() - value_start,
                        message: format!("the value of `{key}` has no closing quote"),
                        help: None,
                    });
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
        let err =
            |message: String, help: Option<String>| AttrError { offset: key_start, len: i - key_start, message, help };
        let need = |v: &Option<(String, usize)>| -> Result<String, AttrError> {
            match v {
                Some((s, _)) if !s.is_empty() => Ok(s.clone()),
                _ => Err(err(format!("`{key}` needs a value (`{key}=...`)"), None)),
            }
        };
        match key {
            "expect" => {
                attrs.expect = match need(&value)?.as_str() {
                    "admit" => Expect::Admit,
                    "deny" => Expect::Deny,
                    other => {
                        return Err(err(
                            format!("`expect={other}` is not a verdict"),
                            Some("write `expect=admit` or `expect=deny`".into()),
                        ));
                    }
                }
            }
            "violates" => {
                attrs.violates =
                    need(&value)?.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
            }
            "wrap" => {
                attrs.wrap = Some(match need(&value)?.as_str() {
                    "pod" => Wrap::Pod,
                    "podspec" => Wrap::PodSpec,
                    "container" => Wrap::Container,
                    other => {
                        return Err(err(
                            format!("`wrap={other}` is not a fragment kind"),
                            Some("write `wrap=pod`, `wrap=podspec` or `wrap=container`".into()),
                        ));
                    }
                })
            }
            "namespace" => attrs.namespace = Some(need(&value)?),
            "title" => attrs.title = Some(need(&value)?),
            "novalidate" => {
                if value.is_some() {
                    return Err(err("`novalidate` is a flag and takes no value".into(), None));
                }
                attrs.novalidate = true;
            }
            other => {
                let near = KNOWN.iter().find(|k| edit_distance(k, other) <= 2);
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
    if !attrs.violates.is_empty() && attrs.expect != Expect::Deny {
        return Err(AttrError {
            offset: 0,
            len: info.len(),
            message: "`violates=` only goes with `expect=deny`".into(),
            help: Some("add `expect=deny`, or remove `violates=`".into()),
        });
    }
    Ok((lang, attrs))
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
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

/// Compares an outcome with the promise; `Err` holds the headline, notes and help of the failure.
pub(crate) fn compare(attrs: &Attrs, d: &Decision) -> Result<(), (String, Vec<String>, String)> {
    let rejected = d.verdict == Verdict::Rejected;
    let by = rejecting(d);
    let messages: Vec<String> = d
        .violations
        .iter()
        .filter(|v| v.action == EnforcementAction::Deny)
        .map(|v| format!("{}: {}", v.kind, v.render()))
        .collect();
    match attrs.expect {
        Expect::Admit if rejected => Err((
            "example is rejected, but the page promises it is admitted".into(),
            std::iter::once("expected: admitted (expect=admit is the default)".to_string())
                .chain(std::iter::once(format!("got: rejected by {}", names(&by))))
                .chain(messages)
                .collect(),
            format!(
                "fix the example, or mark the block `expect=deny violates=\"{}\"`",
                by.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>().join(",")
            ),
        )),
        Expect::Deny if !rejected => {
            let mut notes = vec!["expected: rejected (expect=deny)".to_string()];
            notes.push(if d.mutated() {
                format!("got: admitted, after mutation by {}", d.mutators.join(", "))
            } else {
                "got: admitted, unchanged".to_string()
            });
            Err((
                "example is admitted, but the page promises it is rejected".into(),
                notes,
                "fix the example, or remove `expect=deny` if the cluster does admit it".into(),
            ))
        }
        Expect::Deny if !attrs.violates.is_empty() => {
            let matches = |want: &str, (k, n): &(String, String)| want == k || want == n;
            let missing: Vec<&String> = attrs.violates.iter().filter(|w| !by.iter().any(|b| matches(w, b))).collect();
            let extra: Vec<&(String, String)> =
                by.iter().filter(|b| !attrs.violates.iter().any(|w| matches(w, b))).collect();
            if missing.is_empty() && extra.is_empty() {
                return Ok(());
            }
            let mut notes = vec![
                format!("expected: rejected by {}", attrs.violates.join(", ")),
                format!("got: rejected by {}", names(&by)),
            ];
            notes.extend(messages);
            let headline = if !missing.is_empty() {
                format!(
                    "example is not rejected by {} as the page promises",
                    missing.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
                )
            } else {
                format!(
                    "example is also rejected by {}, which the page does not say",
                    names(&extra.into_iter().cloned().collect::<Vec<_>>())
                )
            };
            Err((
                headline,
                notes,
                format!(
                    "write `violates=\"{}\"`, or fix the example",
                    by.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>().join(",")
                ),
            ))
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
    fn info_strings() {
        let (lang, a) =
            parse_info("yaml expect=deny violates=\"K8sPSPPrivilegedContainer, psp-host-network\" title=\"pod.yaml\"")
                .unwrap();
        assert_eq!(lang, "yaml");
        assert_eq!(a.expect, Expect::Deny);
        assert_eq!(a.violates, ["K8sPSPPrivilegedContainer", "psp-host-network"]);
        assert_eq!(a.title.as_deref(), Some("pod.yaml"));
        let (_, a) = parse_info("yml wrap=container namespace=team-a novalidate").unwrap();
        assert_eq!((a.wrap, a.namespace.as_deref(), a.novalidate), (Some(Wrap::Container), Some("team-a"), true));
        assert_eq!(parse_info("yaml").unwrap().1, Attrs::default());
    }

    #[test]
    fn info_string_errors() {
        let e = parse_info("yaml expct=deny").unwrap_err();
        assert_eq!((e.offset, e.len), (5, 10));
        assert_eq!(e.message, "unknown example attribute `expct`");
        assert_eq!(e.help.as_deref(), Some("did you mean `expect`? (a typo must not turn a check off)"));
        assert_eq!(parse_info("yaml expect=maybe").unwrap_err().message, "`expect=maybe` is not a verdict");
        assert_eq!(parse_info("yaml title=\"open").unwrap_err().message, "the value of `title` has no closing quote");
        assert_eq!(parse_info("yaml violates=X").unwrap_err().message, "`violates=` only goes with `expect=deny`");
        assert_eq!(parse_info("yaml novalidate=yes").unwrap_err().message, "`novalidate` is a flag and takes no value");
        assert_eq!(parse_info("yaml wrap").unwrap_err().message, "`wrap` needs a value (`wrap=...`)");
    }
}
