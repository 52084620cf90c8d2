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
    // The snippet comes from the page itself, the word marked, with the section it is in.
    b.wait("document.querySelector('#search-results mark')", Duration::from_secs(20), "a snippet");
    let snippet = b.js(
        "const li = document.querySelector('#search-results li');          return [li.querySelector('a').getAttribute('href'), li.querySelector('mark').textContent.toLowerCase(),                  li.querySelector('span').textContent.length > 20];",
        json!([]),
    );
    assert!(snippet[0].as_str().is_some_and(|h| h.contains('#')), "{snippet}");
    assert_eq!(snippet[1], "icmp", "{snippet}");
    assert_eq!(snippet[2], true, "{snippet}");
    let hits = search("<img src=x onerror=alert(1)>");
    assert!(hits[0].as_str().unwrap_or_default().contains("No page mentions"), "{hits}");
    assert_eq!(b.js("return document.querySelectorAll('#search-results img').length;", json!([])), json!(0));
    let _ = std::fs::remove_dir_all(site);
}

/// A 10,000-page site (one flat folder, short pages): built once, served for the tests below.
fn big_site() -> &'static (std::path::PathBuf, u16) {
    static SITE: std::sync::OnceLock<(std::path::PathBuf, u16)> = std::sync::OnceLock::new();
    SITE.get_or_init(|| {
        let root = std::env::temp_dir().join(format!("guardrail-search-big-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("content/docs")).expect("content");
        std::fs::write(
            root.join("guardrail.toml"),
            format!("title = \"Big\"\n[paths]\npolicies = \"{}\"\n", support::repo().join("policies").display()),
        )
        .expect("config");
        for i in 0..10_000 {
            let rare = if i == 7777 {
                "## Rare minerals\n\nOnly this page mentions zanzibarite, which no other page names.\n\n"
            } else {
                ""
            };
            std::fs::write(
                root.join(format!("content/docs/page-{i:05}.md")),
                format!(
                    "---\ntitle: Page {i:05}\n---\n\n## Overview\n\nThe cluster runs workload {i} behind the admission webhook.\n\n{rare}## Operating notes\n\nPolicies are checked before anything is admitted to the cluster.\n"
                ),
            )
            .expect("page");
        }
        let out = root.join("public");
        guardrail_site::build_to(&root, &guardrail_site::Overrides::default(), guardrail_site::Destination::Dir(&out))
            .expect("written")
            .unwrap_or_else(|f| panic!("the big site does not build:\n{f}"));
        let port = support::serve(out.clone());
        (out, port)
    })
}

/// On a 10,000-page site, the shared sidebar file replaces a page's window (every page listed, the current one
/// marked and opened to); search finds the one page that has a word, names its section with the word marked,
/// jumps to that heading, and downloads a few dozen kilobytes to do it.
#[test]
fn a_big_site_shares_its_sidebar_and_search_loads_what_a_query_needs() {
    let (_, port) = big_site();
    let b = Browser::start(false, 1280, 900);
    b.goto(&format!("http://127.0.0.1:{port}/docs/page-05000/"));
    b.wait("document.querySelector('.sidebar-tree.sidebar-whole')", Duration::from_secs(30), "the whole sidebar");
    let links = b.js("return document.querySelectorAll('.sidebar a[data-page]').length;", json!([]));
    assert!(links.as_u64().is_some_and(|n| n >= 10_000), "{links}");
    // The whole sidebar (about 670 KB here) comes in pieces, none over 512 KB, put together as one.
    let pieces = b.js("return document.querySelector('.sidebar-tree').dataset.nav.split(' ').length;", json!([]));
    assert!(pieces.as_u64().is_some_and(|n| n >= 2), "{pieces}");
    let current = b.js(
        "const a = document.querySelectorAll('.sidebar a.current'); \
         return [a.length, a[0].textContent, a[0].getAttribute('aria-current'), \
                 a[0].getBoundingClientRect().top > 0 && a[0].getBoundingClientRect().bottom < innerHeight];",
        json!([]),
    );
    assert_eq!(current, json!([1, "Page 05000", "page", true]), "marked once, and scrolled into view");
    let shots = support::repo().join("target/screenshots");
    std::fs::create_dir_all(&shots).expect("screenshots folder");
    std::fs::write(shots.join("big-site-sidebar.png"), b.screenshot()).expect("screenshot");

    b.js("performance.clearResourceTimings(); performance.setResourceTimingBufferSize(1000);", json!([]));
    b.js(
        "const s = document.getElementById('search'); s.focus(); s.value = 'zanzibarite'; \
         s.dispatchEvent(new Event('input'));",
        json!([]),
    );
    b.wait("document.querySelector('#search-results mark')", Duration::from_secs(30), "a search result's snippet");
    let hits = b.js(
        "return Array.from(document.querySelectorAll('#search-results li'), li => [li.querySelector('a').getAttribute('href'), \
           li.querySelector('strong').textContent, li.querySelector('em').textContent, \
           Array.from(li.querySelectorAll('mark'), m => m.textContent)]);",
        json!([]),
    );
    assert_eq!(hits, json!([["/docs/page-07777/#rare-minerals", "Page 07777", "Rare minerals", ["zanzibarite"]]]));
    let fetched = b.js(
        "return performance.getEntriesByType('resource').map(e => [e.name.replace(location.origin, ''), e.encodedBodySize]);",
        json!([]),
    );
    let total: u64 = fetched.as_array().expect("entries").iter().filter_map(|e| e[1].as_u64()).sum();
    assert!(total < 300 * 1024, "{total} bytes: {fetched}");
    std::fs::write(shots.join("big-site-search.png"), b.screenshot()).expect("screenshot");
    let names: Vec<&str> = fetched
        .as_array()
        .expect("entries")
        .iter()
        .filter_map(|e| e[0].as_str())
        .map(|n| n.split('?').next().unwrap_or(n))
        .collect();
    assert_eq!(
        names.iter().filter(|n| n.starts_with("/assets/search/s/")).count(),
        1,
        "the manifest, one shard, one titles file, the page: {fetched}"
    );
    assert!(
        names.contains(&"/assets/search/manifest.json") && names.contains(&"/assets/search/t/19.json"),
        "{fetched}"
    );
    assert!(names.contains(&"/docs/page-07777/") && names.len() == 4, "{fetched}");
    b.js("document.getElementById('search').dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter'}));", json!([]));
    b.wait("location.hash === '#rare-minerals'", Duration::from_secs(30), "the jump to the heading");
    assert_eq!(b.js("return location.pathname;", json!([])), json!("/docs/page-07777/"));
    assert_eq!(
        b.js("return document.getElementById('rare-minerals').textContent.replace('#', '');", json!([])),
        json!("Rare minerals")
    );
    // A common query stays small too: the pages are fetched for the shown results only.
    b.js("performance.clearResourceTimings();", json!([]));
    b.js(
        "const s = document.getElementById('search'); s.focus(); s.value = 'cluster admission webho'; \
         s.dispatchEvent(new Event('input'));",
        json!([]),
    );
    b.wait("document.querySelectorAll('#search-results em').length === 8", Duration::from_secs(30), "eight snippets");
    let fetched = b.js(
        "return performance.getEntriesByType('resource').map(e => [e.name.replace(location.origin, ''), e.encodedBodySize]);",
        json!([]),
    );
    let total: u64 = fetched.as_array().expect("entries").iter().filter_map(|e| e[1].as_u64()).sum();
    assert!(total < 300 * 1024, "{total} bytes: {fetched}");
    let pages = fetched
        .as_array()
        .expect("entries")
        .iter()
        .filter(|e| e[0].as_str().is_some_and(|n| n.starts_with("/docs/")))
        .count();
    assert_eq!(pages, 8, "the shown results' pages only: {fetched}");
}

/// With script off, a big site's page still has its own part of the sidebar: the links around it, itself
/// marked, and the count of the rest.
#[test]
fn a_big_site_page_is_navigable_without_script() {
    let (_, port) = big_site();
    let b = Browser::start_without_script(1280, 900);
    b.goto(&format!("http://127.0.0.1:{port}/docs/page-05000/"));
    let links = b.texts_of(".sidebar a[data-page]");
    assert_eq!(links.len(), 40, "{links:?}");
    assert!(links.contains(&"Page 04980".to_string()) && links.contains(&"Page 05019".to_string()), "{links:?}");
    assert_eq!(b.texts_of(".sidebar a.current"), ["Page 05000"]);
    assert_eq!(b.texts_of(".sidebar .sidebar-more"), ["\u{2026} 4980 more", "\u{2026} 4980 more"]);
    assert!(b.texts_of(".sidebar-whole").is_empty(), "no script ran");
}
