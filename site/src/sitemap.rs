//! `sitemap.xml`: the listed pages' URLs, in the sitemaps.org format. A site too big for one small file gets a
//! sitemap index (`sitemap.xml`) naming pieces (`sitemap-1.xml`, ...), each under [`PIECE_BYTES`], as the
//! protocol provides for (and as no output file but the playground's engine is over 1 MB).

use crate::html::escape;

/// A piece takes URLs while it stays under this.
const PIECE_BYTES: usize = 512 * 1024;

const URLSET_OPEN: &str =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n";
const URLSET_CLOSE: &str = "</urlset>\n";

/// Whether `rel` (a path below the site root) is a file the sitemap may be made of.
pub(crate) fn is_sitemap_file(rel: &str) -> bool {
    rel == "sitemap.xml"
        || rel
            .strip_prefix("sitemap-")
            .and_then(|r| r.strip_suffix(".xml"))
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// The sitemap's files (path below the site root, bytes) for `urls` (already absolute when the base URL is),
/// the pieces named under `base` in the index.
pub(crate) fn files(base: &str, urls: impl IntoIterator<Item = String>) -> Vec<(String, Vec<u8>)> {
    pieces(base, urls, PIECE_BYTES)
}

fn pieces(base: &str, urls: impl IntoIterator<Item = String>, budget: usize) -> Vec<(String, Vec<u8>)> {
    let mut done: Vec<String> = Vec::new();
    let mut piece = String::from(URLSET_OPEN);
    for url in urls {
        let entry = format!("  <url><loc>{}</loc></url>\n", escape(&url));
        if piece.len() + entry.len() + URLSET_CLOSE.len() > budget && piece.len() > URLSET_OPEN.len() {
            piece.push_str(URLSET_CLOSE);
            done.push(std::mem::replace(&mut piece, String::from(URLSET_OPEN)));
        }
        piece.push_str(&entry);
    }
    piece.push_str(URLSET_CLOSE);
    if done.is_empty() {
        return vec![("sitemap.xml".to_string(), piece.into_bytes())];
    }
    done.push(piece);
    let mut index = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    let mut out = Vec::with_capacity(done.len() + 1);
    for (n, piece) in done.into_iter().enumerate() {
        let name = format!("sitemap-{}.xml", n + 1);
        index.push_str(&format!("  <sitemap><loc>{}</loc></sitemap>\n", escape(&format!("{base}{name}"))));
        out.push((name, piece.into_bytes()));
    }
    index.push_str("</sitemapindex>\n");
    out.insert(0, ("sitemap.xml".to_string(), index.into_bytes()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn locs(xml: &[u8]) -> Vec<String> {
        String::from_utf8_lossy(xml)
            .split("<loc>")
            .skip(1)
            .map(|s| s[..s.find("</loc>").unwrap_or(0)].to_string())
            .collect()
    }

    #[test]
    fn a_small_site_has_one_sitemap() {
        let files = files("https://x.io/", ["https://x.io/a/".to_string(), "https://x.io/b?c&d".to_string()]);
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].0, "sitemap.xml");
        assert!(String::from_utf8_lossy(&files[0].1).starts_with("<?xml") && files[0].1.ends_with(b"</urlset>\n"));
        assert_eq!(locs(&files[0].1), ["https://x.io/a/", "https://x.io/b?c&amp;d"]);
    }

    #[test]
    fn a_big_site_gets_an_index_of_pieces_under_the_budget() {
        let urls: Vec<String> = (0..1000).map(|i| format!("https://x.io/docs/page-{i:04}/")).collect();
        let files = pieces("https://x.io/", urls.clone(), 4096);
        let (index, rest) = files.split_first().expect("files");
        assert_eq!(index.0, "sitemap.xml");
        assert!(String::from_utf8_lossy(&index.1).contains("<sitemapindex"));
        let named: Vec<String> = (1..=rest.len()).map(|n| format!("https://x.io/sitemap-{n}.xml")).collect();
        assert_eq!(locs(&index.1), named);
        assert!(rest.len() > 5, "{}", rest.len());
        for (name, bytes) in rest {
            assert!(is_sitemap_file(name) && bytes.len() <= 4096, "{name}: {}", bytes.len());
            assert!(bytes.ends_with(b"</urlset>\n"));
        }
        // Every URL once, in order.
        let all: Vec<String> = rest.iter().flat_map(|(_, b)| locs(b)).collect();
        assert_eq!(all, urls);
        assert!(
            is_sitemap_file("sitemap.xml") && !is_sitemap_file("sitemap-.xml") && !is_sitemap_file("sitemap-a.xml")
        );
    }
}
