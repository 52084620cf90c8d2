//! Small text helpers the engine's messages share with the site's (a "did you mean" needs a distance).

/// The Levenshtein distance between `a` and `b` (insertions, deletions and substitutions of characters).
pub fn edit_distance(a: &str, b: &str) -> usize {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_and_near_names() {
        assert_eq!(edit_distance("request", "requests"), 1);
        assert_eq!(edit_distance("imagePullPolicy", "imagePulPolicy"), 1);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(one_edit_away("request", ["limits", "requests", "claims"]), Some("requests"));
        assert_eq!(one_edit_away("ImagePullPolicy", ["imagePullPolicy"]), Some("imagePullPolicy"));
        assert_eq!(one_edit_away("colour", ["color", "size"]), Some("color"));
        assert_eq!(one_edit_away("portz", ["ports", "port"]), None, "two candidates: no guess");
        assert_eq!(one_edit_away("banana", ["limits", "requests"]), None);
    }
}
