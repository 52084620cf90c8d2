//! The docs' offline search in headless Chromium: the index is fetched on first use, matches are ranked by
//! title, headings and body, and results are text (a query that looks like markup stays text).

use guardrail_testkit as support;
use std::time::Duration;

use serde_json::json;
use support::Browser;

#[test]
fn search_finds_pages_by_title_and_body() {
    let site = support::build_repo_site("search");
    let port = support::serve(site.clone());
    let b = Browser::start(false, 1280, 900);
    b.goto(&format!("http://127.0.0.1:{port}/"));
    let search = |q: &str| {
        b.js(
            "const s = document.getElementById('search'); s.focus(); s.value = arguments[0]; \
             s.dispatchEvent(new Event('input'));",
            json!([q]),
        );
        b.wait("!document.getElementById('search-results').hidden", Duration::from_secs(20), "search results");
        b.js("return Array.from(document.querySelectorAll('#search-results li'), li => li.textContent);", json!([]))
    };
    let hits = search("SecurityContext");
    let first = hits[0].as_str().unwrap_or_default();
    assert!(first.starts_with("Security"), "{hits}");
    // Case does not matter, and a body-only word finds its page.
    let hits = search("icmp");
    assert!(
        hits.as_array().is_some_and(|h| h.iter().any(|t| t.as_str().unwrap_or("").starts_with("Security"))),
        "{hits}"
    );
    let hits = search("<img src=x onerror=alert(1)>");
    assert!(hits[0].as_str().unwrap_or_default().contains("No page mentions"), "{hits}");
    assert_eq!(b.js("return document.querySelectorAll('#search-results img').length;", json!([])), json!(0));
    let _ = std::fs::remove_dir_all(site);
}
