//! HTML text: escaping what goes into markup, and the plain text of rendered markup for the search index.

/// HTML-escapes text for element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Plain text of rendered HTML, for the search index: tags dropped, the five entities [`escape`] writes decoded,
/// whitespace collapsed.
pub(crate) fn plain_text(html: &str) -> String {
    // One pass: tags are spaces, runs of whitespace one space, the five entities decoded.
    let mut out = String::with_capacity(html.len() / 2);
    let mut in_tag = false;
    let mut space = true;
    let mut rest = html;
    while let Some(c) = rest.chars().next() {
        let mut len = c.len_utf8();
        let shown = match c {
            '<' => {
                in_tag = true;
                None
            }
            '>' if in_tag => {
                in_tag = false;
                Some(' ')
            }
            _ if in_tag => None,
            '&' => {
                let entity = [("&lt;", '<'), ("&gt;", '>'), ("&quot;", '"'), ("&#39;", '\''), ("&amp;", '&')]
                    .into_iter()
                    .find(|(e, _)| rest.starts_with(e));
                match entity {
                    Some((e, decoded)) => {
                        len = e.len();
                        Some(decoded)
                    }
                    None => Some('&'),
                }
            }
            c => Some(c),
        };
        match shown {
            Some(c) if c.is_whitespace() && !space => {
                out.push(' ');
                space = true;
            }
            Some(c) if c.is_whitespace() => {}
            Some(c) => {
                out.push(c);
                space = false;
            }
            None => {}
        }
        rest = &rest[len..];
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_strips() {
        assert_eq!(escape("<a href=\"x\">'&'</a>"), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
        assert_eq!(plain_text("<p>a <b>b</b> &amp; c</p>"), "a b & c");
        assert_eq!(plain_text(&escape("<x> & \"y\"")), "<x> & \"y\"");
    }
}
