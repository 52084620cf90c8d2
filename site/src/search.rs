//! The search index, split so that a query downloads what it needs and not the site: a small manifest, the
//! shards of the terms the query has (terms grouped by prefix, a shard split further while it is too big), the
//! titles of the few pages shown as results, and then those pages themselves, from which the script takes the
//! best section and a snippet (the page is the text: no second copy of every page is written for the search).
//!
//! Files (below `assets/search/`, fixed names, each URL carrying the manifest's version so that a new build is
//! never mixed with an old one in a browser's cache):
//! - `manifest.json`: `{"v": version, "n": pages, "s": [first terms]}`: the terms, sorted (by code point), are
//!   cut into shards of about [`SHARD_BYTES`]; shard `i` (`s/<i>.json`) holds the terms from `s[i]` up to
//!   `s[i + 1]`, so a term's shard is found by a binary search, and the terms a prefix begins are in a run of
//!   shards.
//! - `s/<i>.json`: `{term: postings}`, postings the pages holding the term as base-36 gaps between page numbers,
//!   comma-separated, a page marked `!` when the term is in its title or a heading (`"3,1!,a"`: pages 3, 4, 14).
//! - `t/<k>.json`: the titles and URLs of pages `k * t` up to `k * t + t` (`t` from the manifest,
//!   [`TITLES_PER_FILE`]): `[[title, url], ...]`.
//!
//! The script cuts a fetched page into sections at its headings and reads it without what [`GENERATED`] names,
//! as [`page_terms`] reads it.

use std::borrow::Cow;
use std::collections::BTreeMap;

use crate::markdown::Heading;

/// A shard takes terms while its JSON stays under this (a term's own postings are never split).
const SHARD_BYTES: usize = 24 * 1024;

/// Pages per titles file (about 20 KB of JSON for the corpus's titles and URLs).
const TITLES_PER_FILE: usize = 400;

/// What guardrail writes under an example and the search leaves out: the object as admission left it and as it
/// was stored (every default of every example's object: searching `terminationMessagePath` would find every page
/// with a Pod). What the author wrote, the example's own YAML, and what the cluster answers (its messages, which a
/// reader may paste into the search) stay.
const GENERATED: [(&str, &str); 2] =
    [("<div class=\"example-after", "div"), ("<details class=\"example-stored", "details")];

/// `html` without the [`GENERATED`] elements (guardrail's own markup, so their tags balance).
fn authored(html: &str) -> Cow<'_, str> {
    if !GENERATED.iter().any(|(open, _)| html.contains(open)) {
        return html.into();
    }
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    loop {
        let next = GENERATED.iter().filter_map(|(open, tag)| rest.find(open).map(|at| (at, *tag))).min();
        let Some((at, tag)) = next else { break };
        out.push_str(&rest[..at]);
        out.push(' ');
        rest = &rest[at..];
        // To the element's end: its own tag opened and closed, counted.
        let (open, close) = (format!("<{tag}"), format!("</{tag}>"));
        let mut depth = 0usize;
        let mut pos = 0;
        loop {
            let o = rest[pos..].find(&open).map(|i| pos + i);
            let c = rest[pos..].find(&close).map(|i| pos + i);
            match (o, c) {
                (Some(o), Some(c)) if o < c => {
                    depth += 1;
                    pos = o + open.len();
                }
                (_, Some(c)) => {
                    depth = depth.saturating_sub(1);
                    pos = c + close.len();
                    if depth == 0 {
                        break;
                    }
                }
                (_, None) => {
                    pos = rest.len();
                    break;
                }
            }
        }
        rest = &rest[pos..];
    }
    out.push_str(rest);
    out.into()
}

/// The words of a text as the index and the page's script both cut them: lower-cased runs of letters and
/// digits, of two characters or more.
#[cfg(test)]
pub(crate) fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for_each_word(text, false, &mut |w| out.push(w.into_owned()));
    out
}

/// Where `needle` (ASCII) first is in `hay`, case aside.
fn find_ignoring_case(hay: &str, needle: &str) -> Option<usize> {
    hay.as_bytes().windows(needle.len()).position(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// Hands each word of `text` to `f`, lower-cased (the text lower-cased first, then cut, as the script does);
/// with `html`, tags and character references are not text but separators.
fn for_each_word<'a>(text: &'a str, html: bool, f: &mut impl FnMut(Cow<'a, str>)) {
    let bytes = text.as_bytes();
    let mut word_start: Option<usize> = None;
    let mut i = 0;
    let end_word = |from: Option<usize>, to: usize, f: &mut dyn FnMut(Cow<'a, str>)| {
        let Some(from) = from else { return };
        let w = &text[from..to];
        if w.bytes().any(|b| b.is_ascii_uppercase() || !b.is_ascii()) {
            // Lower-casing may change what is a letter (a dotted capital I becomes i and a combining dot).
            let lower = w.to_lowercase();
            for part in cut(&lower) {
                f(Cow::Owned(part.to_string()));
            }
        } else if w.len() >= 2 && w.len() <= 64 {
            f(Cow::Borrowed(w));
        }
    };
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii() {
            if b.is_ascii_alphanumeric() {
                word_start.get_or_insert(i);
                i += 1;
                continue;
            }
            end_word(word_start.take(), i, f);
            i += 1;
            if html && b == b'<' {
                // A script's or a style's text is not the page's: skipped to the element's end.
                let raw = ["script", "style"].into_iter().find(|t| {
                    bytes.get(i..i + t.len()).is_some_and(|n| n.eq_ignore_ascii_case(t.as_bytes()))
                        && bytes.get(i + t.len()).is_some_and(|c| *c == b'>' || c.is_ascii_whitespace())
                });
                let end = match raw {
                    Some(t) => find_ignoring_case(&text[i..], &format!("</{t}")).map(|e| i + e),
                    None => Some(i),
                };
                i = end.and_then(|from| text[from..].find('>').map(|e| from + e + 1)).unwrap_or(bytes.len());
            } else if html && b == b'&' {
                // `&amp;`, `&#39;`, `&nbsp;`: a reference is a separator, not the word `amp`.
                let name = bytes[i..].iter().take(12).position(|c| *c == b';');
                if let Some(n) =
                    name.filter(|&n| n > 0 && bytes[i..i + n].iter().all(|c| c.is_ascii_alphanumeric() || *c == b'#'))
                {
                    i += n + 1;
                }
            }
            continue;
        }
        let c = text[i..].chars().next().unwrap_or(' ');
        if c.is_alphanumeric() {
            word_start.get_or_insert(i);
        } else {
            end_word(word_start.take(), i, f);
        }
        i += c.len_utf8();
    }
    end_word(word_start.take(), bytes.len(), f);
}

/// What the index keeps of one listed page: its terms, and its title and URL for the titles files.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Listed {
    pub(crate) terms: Terms,
    pub(crate) title: String,
    pub(crate) url: String,
}

impl Listed {
    /// What the index takes from a page with this title, URL, headings and rendered body.
    pub(crate) fn new(title: &str, url: String, headings: &[Heading], html: &str) -> Listed {
        Listed { terms: page_terms(title, headings, html), title: title.to_string(), url }
    }
}

/// A page's terms, sorted, each with whether it is in the title or a heading: one string of the words (each
/// followed by a NUL) and a flag per word, two allocations a page however many words it has (a 10,000-page site
/// holds every page's terms until the index is written).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Terms {
    words: String,
    strong: Vec<bool>,
}

impl Terms {
    /// Each term and whether it is strong, in order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&str, bool)> {
        self.words.split_terminator('\0').zip(self.strong.iter().copied())
    }
}

/// The terms of a page with this title, these headings and this rendered body (its HTML, headings included).
pub(crate) fn page_terms(title: &str, headings: &[Heading], html: &str) -> Terms {
    // Each word once (a fast hash: a page has a thousand words and a few hundred distinct), borrowed from the
    // text where lower-casing changes nothing, strong if it is in the title or a heading; then sorted.
    let body = authored(html);
    let mut seen: std::collections::HashMap<Cow<'_, str>, bool, foldhash::fast::FixedState> =
        std::collections::HashMap::with_capacity_and_hasher(body.len() / 16, foldhash::fast::FixedState::default());
    for text in std::iter::once(title).chain(headings.iter().map(|h| h.text.as_str())) {
        for_each_word(text, false, &mut |w| {
            seen.insert(w, true);
        });
    }
    for_each_word(&body, true, &mut |w| {
        seen.entry(w).or_insert(false);
    });
    let mut all: Vec<(Cow<'_, str>, bool)> = seen.into_iter().collect();
    all.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let mut out = Terms {
        words: String::with_capacity(all.iter().map(|(t, _)| t.len() + 1).sum()),
        strong: Vec::with_capacity(all.len()),
    };
    for (t, strong) in all {
        out.words.push_str(&t);
        out.words.push('\0');
        out.strong.push(strong);
    }
    out
}

/// The words of a lower-cased text (see [`words`]).
fn cut(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| w.chars().nth(1).is_some() && w.len() <= 64)
}

fn base36(mut n: usize, out: &mut String) {
    let digits = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut buf = Vec::new();
    loop {
        buf.push(digits[n % 36]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    out.extend(buf.iter().rev().map(|&b| b as char));
}

fn postings_text(postings: &[(u32, bool)]) -> String {
    let mut out = String::new();
    let mut last = 0;
    for (k, &(page, strong)) in postings.iter().enumerate() {
        if k > 0 {
            out.push(',');
        }
        base36((page - last) as usize, &mut out);
        if strong {
            out.push('!');
        }
        last = page;
    }
    out
}

/// The index's files (path below the site root → bytes) for `pages`, in page order.
#[cfg(test)]
pub(crate) fn files(pages: &[Listed]) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    let made: Result<(), std::convert::Infallible> = index_files(pages, |path, bytes| {
        files.insert(path, bytes);
        Ok(())
    });
    let Ok(()) = made;
    files
}

/// The shards, the titles files and the manifest for `pages` (in page order), each handed to `emit` as soon as it
/// is made (a 10,000-page index is several megabytes: it is never held whole).
pub(crate) fn index_files<E>(
    pages: &[Listed],
    mut emit: impl FnMut(String, Vec<u8>) -> Result<(), E>,
) -> Result<(), E> {
    use sha2::Digest;
    // Page numbers as u32: half the memory of the postings, which are one per page per term.
    let mut index: BTreeMap<&str, Vec<(u32, bool)>> = BTreeMap::new();
    for (page, listed) in pages.iter().enumerate() {
        let page = u32::try_from(page).unwrap_or(u32::MAX);
        for (term, strong) in listed.terms.iter() {
            index.entry(term).or_default().push((page, strong));
        }
    }
    // The version: every titles file's and shard's bytes, hashed as they are made.
    let mut version = sha2::Sha256::new();
    for (k, chunk) in pages.chunks(TITLES_PER_FILE).enumerate() {
        let titles: Vec<[&str; 2]> = chunk.iter().map(|p| [p.title.as_str(), p.url.as_str()]).collect();
        let bytes = serde_json::to_vec(&titles).unwrap_or_default();
        version.update(&bytes);
        emit(format!("assets/search/t/{k}.json"), bytes)?;
    }
    let mut firsts: Vec<String> = Vec::new();
    let mut shard = serde_json::Map::new();
    let mut size = 0;
    let mut flush = |shard: &mut serde_json::Map<String, serde_json::Value>,
                     version: &mut sha2::Sha256,
                     n: usize|
     -> Result<(), E> {
        let bytes = serde_json::to_vec(&*shard).unwrap_or_default();
        version.update(&bytes);
        shard.clear();
        emit(format!("assets/search/s/{n}.json"), bytes)
    };
    // BTreeMap order is byte order, which for UTF-8 is code point order, as the script compares.
    for (term, postings) in index {
        let text = postings_text(&postings);
        let bytes = term.len() + text.len() + 6;
        if firsts.is_empty() || size + bytes > SHARD_BYTES {
            if !firsts.is_empty() {
                flush(&mut shard, &mut version, firsts.len() - 1)?;
            }
            firsts.push(term.to_string());
            size = 0;
        }
        size += bytes;
        shard.insert(term.to_string(), serde_json::Value::String(text));
    }
    if !firsts.is_empty() {
        flush(&mut shard, &mut version, firsts.len() - 1)?;
    }
    let version: String = version.finalize()[..4].iter().map(|b| format!("{b:02x}")).collect();
    let manifest = serde_json::json!({"v": version, "n": pages.len(), "t": TITLES_PER_FILE, "s": firsts});
    emit("assets/search/manifest.json".into(), serde_json::to_vec(&manifest).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn heading(level: u8, id: &str, text: &str) -> Heading {
        Heading { level, id: id.into(), text: text.into() }
    }

    fn terms(t: &Terms) -> Vec<(&str, bool)> {
        t.iter().collect()
    }

    #[test]
    fn a_pages_terms_are_its_words_once_those_of_its_title_and_headings_marked() {
        let html = "<p>Intro &amp; more&nbsp;text.</p>\n<h2 id=\"a\"><a class=\"anchor\" href=\"#a\">#</a>First Step</h2>\n<p>One step, <em>ONE</em> Ünïcode word: İstanbul.</p>\n<h3 id=\"b\"><a class=\"anchor\" href=\"#b\">#</a>Second</h3><p>Two <code>x</code> <code>y2</code></p>";
        let t = page_terms("The Title", &[heading(2, "a", "First Step"), heading(3, "b", "Second")], html);
        assert_eq!(
            terms(&t),
            [
                ("first", true),
                ("intro", false),
                ("more", false),
                ("one", false),
                ("second", true),
                // İ lower-cases to i and a combining dot, which is not a letter: the script cuts the word there
                // too (and drops the one-letter `i`).
                ("stanbul", false),
                ("step", true),
                ("text", false),
                ("the", true),
                ("title", true),
                ("two", false),
                ("word", false),
                ("y2", false),
                ("ünïcode", false),
            ]
        );
    }

    /// The search reads what the author wrote and what the cluster answers, not the objects guardrail prints under
    /// an example (admitted, stored), which would put every default field on every page with an example.
    #[test]
    fn the_objects_printed_under_an_example_are_not_searched() {
        let html = concat!(
            "<p>Intro</p><figure class=\"example\"><pre class=\"code\"><code>image: nginx</code></pre>",
            "<div class=\"example-after\"><p>After</p><pre><code><div class=\"x\">terminationMessagePath</div>",
            "</code></pre></div><div class=\"example-messages\"><ul><li>[psp] privileged is not allowed</li></ul></div>",
            "<details class=\"example-stored\"><summary>As stored</summary><details><pre>dnsPolicy</pre></details></details>",
            "</figure><p>Outro</p>"
        );
        let t =
            page_terms("", &[], &format!("{html}<script>var hidden = 1;</script><STYLE>p {{ color: red }}</STYLE>"));
        let found: Vec<&str> = t.iter().map(|(w, _)| w).collect();
        let mut expected = ["intro", "image", "nginx", "psp", "privileged", "is", "not", "allowed", "outro"];
        expected.sort_unstable();
        assert_eq!(found, expected);
        // An element cut off by the end of the section is dropped to that end.
        assert_eq!(authored("<p>a</p><div class=\"example-after\"><div>b"), "<p>a</p> ");
        assert_eq!(authored("<p>plain</p>"), "<p>plain</p>");
    }

    #[test]
    fn words_postings_and_shards() {
        assert_eq!(
            words("Kubernetes' securityContext: runAsNonRoot=true, a 10Gi"),
            ["kubernetes", "securitycontext", "runasnonroot", "true", "10gi"]
        );
        assert_eq!(postings_text(&[(3, false), (4, true), (14, false), (50, false)]), "3,1!,a,10");
        let pages: Vec<Listed> = (0..1000)
            .map(|i| {
                let n = i % 400;
                let html = format!(
                    "<h2 id=\"s{n}\">Part {n}</h2><p>common words here and kube{n} zebra{} unique{n}word</p>",
                    n % 7
                );
                Listed::new(
                    &format!("Page {i}"),
                    format!("/p{i}/"),
                    &[heading(2, &format!("s{n}"), &format!("Part {n}"))],
                    &html,
                )
            })
            .collect();
        let files = files(&pages[..400]);
        let manifest: serde_json::Value = serde_json::from_slice(&files["assets/search/manifest.json"]).unwrap();
        assert_eq!(manifest["n"], 400);
        let firsts: Vec<&str> = manifest["s"].as_array().unwrap().iter().map(|p| p.as_str().unwrap()).collect();
        assert!(firsts.len() > 1, "{firsts:?}");
        assert!(firsts.windows(2).all(|w| w[0] < w[1]));
        // Every shard is small, and holds the terms from its first up to the next shard's.
        for (i, first) in firsts.iter().enumerate() {
            let bytes = &files[&format!("assets/search/s/{i}.json")];
            assert!(bytes.len() <= SHARD_BYTES, "{first}: {}", bytes.len());
            let shard: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(bytes).unwrap();
            for term in shard.keys() {
                assert!(
                    term.as_str() >= *first && firsts.get(i + 1).is_none_or(|next| term.as_str() < *next),
                    "{term}"
                );
            }
        }
        let find = |term: &str| -> String {
            let i = firsts.iter().rposition(|f| *f <= term).unwrap();
            let shard: serde_json::Value =
                serde_json::from_slice(&files[&format!("assets/search/s/{i}.json")]).unwrap();
            shard[term].as_str().unwrap_or("").to_string()
        };
        assert_eq!(find("unique123word"), "3f", "one page: 123 in base 36");
        assert_eq!(find("page").split(',').count(), 400);
        assert!(find("page").split(',').all(|p| p.ends_with('!')), "a title word is marked");
        assert_eq!(find("zebra3").split(',').count(), 57);
        // Titles and URLs, a file per TITLES_PER_FILE pages, the last one short.
        let titles = |files: &BTreeMap<String, Vec<u8>>, k: usize| -> serde_json::Value {
            serde_json::from_slice(&files[&format!("assets/search/t/{k}.json")]).unwrap()
        };
        assert_eq!(manifest["t"], TITLES_PER_FILE);
        assert_eq!(titles(&files, 0)[7], serde_json::json!(["Page 7", "/p7/"]));
        let all = super::files(&pages);
        assert_eq!(all.keys().filter(|k| k.starts_with("assets/search/t/")).count(), 3);
        assert_eq!(titles(&all, 2)[999 - 2 * TITLES_PER_FILE], serde_json::json!(["Page 999", "/p999/"]));
        assert_eq!(titles(&all, 2).as_array().map(Vec::len), Some(1000 - 2 * TITLES_PER_FILE));
    }
}
