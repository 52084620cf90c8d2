//! Small text helpers the engine's messages share with the site's (a "did you mean" needs a distance).

use std::fmt::Write as _;

/// The edit distance between `a` and `b`: insertions, deletions and substitutions of characters, and swaps of
/// two neighbouring ones (a swap is one typo).
pub fn edit_distance(a: &str, b: &str) -> usize {
    // Optimal string alignment: insertions, deletions, substitutions and swaps of two neighbours (`lables`).
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut rows: Vec<Vec<usize>> = vec![(0..=b.len()).collect()];
    for i in 1..=a.len() {
        let mut cur = vec![i];
        for j in 1..=b.len() {
            let prev = &rows[i - 1];
            let mut d = (prev[j - 1] + usize::from(a[i - 1] != b[j - 1])).min(prev[j] + 1).min(cur[j - 1] + 1);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(rows[i - 2][j - 2] + 1);
            }
            cur.push(d);
        }
        rows.push(cur);
    }
    rows[a.len()][b.len()]
}

/// The candidate one edit away from `word` (or equal to it but for case), when exactly one is: what a typo of a
/// known name most likely meant.
pub fn one_edit_away<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let mut found = None;
    for c in candidates {
        if c != word && (edit_distance(c, word) <= 1 || c.eq_ignore_ascii_case(word)) {
            if found.is_some_and(|f| f != c) {
                return None;
            }
            found = Some(c);
        }
    }
    found
}

/// Go's `%q` of a string (`strconv.Quote`), as Kubernetes quotes values in its messages: Go's escapes, `\x`, `\u`
/// or `\U` for what Go does not print.
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if go_printable(c) => out.push(c),
            c if u32::from(c) < 0x80 => {
                let _ = write!(out, "\\x{:02x}", u32::from(c));
            }
            c if u32::from(c) < 0x10000 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => {
                let _ = write!(out, "\\U{:08x}", u32::from(c));
            }
        }
    }
    out.push('"');
    out
}

/// Go's `unicode.IsPrint`: not controls, separators other than the space, format characters or private use.
fn go_printable(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    let format_or_private = matches!(u32::from(c),
        0xAD | 0x600..=0x605 | 0x61C | 0x6DD | 0x70F | 0x180E | 0x200B..=0x200F | 0x202A..=0x202E
        | 0x2060..=0x206F | 0xE000..=0xF8FF | 0xFEFF | 0xFFF9..=0xFFFB | 0xF0000..);
    !format_or_private
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_and_near_names() {
        assert_eq!(edit_distance("request", "requests"), 1);
        assert_eq!(edit_distance("imagePullPolicy", "imagePulPolicy"), 1);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("lables", "labels"), 1);
        assert_eq!(edit_distance("ca", "abc"), 3);
        assert_eq!(one_edit_away("request", ["limits", "requests", "claims"]), Some("requests"));
        assert_eq!(one_edit_away("ImagePullPolicy", ["imagePullPolicy"]), Some("imagePullPolicy"));
        assert_eq!(one_edit_away("colour", ["color", "size"]), Some("color"));
        assert_eq!(one_edit_away("portz", ["ports", "port"]), None, "two candidates: no guess");
        assert_eq!(one_edit_away("banana", ["limits", "requests"]), None);
    }
}
