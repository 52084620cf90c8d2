//! A Docusaurus-style site (tests/fixtures/docusaurus) with this repository's theme, served under `/docs/` as a
//! GitHub Pages project site is, in headless Chromium: tabs switch and stay in sync per group (and remember
//! the choice), the copy button copies the code, the playground works under the sub-path, and no page links
//! outside it.

use guardrail_testkit as support;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::json;
use support::{Browser, copy_tree};

/// The fixture with the repository's theme, built and written; returns the output folder.
fn build() -> PathBuf {
    let repo = support::repo();
    let dir = std::env::temp_dir().join(format!("guardrail-docusaurus-browser-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let fixture = repo.join("tests/fixtures/docusaurus");
    for part in ["docs", "static"] {
        copy_tree(&fixture.join(part), &dir.join(part));
    }
    std::fs::copy(fixture.join("sidebars.js"), dir.join("sidebars.js")).expect("sidebars");
    std::fs::write(
        dir.join("guardrail.toml"),
        format!(
            "title = \"XKS docs\"\nbase-url = \"/docs/\"\n[paths]\ncontent = \"docs\"\ntheme = \"{}\"\npolicies = \"{}\"\n",
            repo.join("theme").display(),
            repo.join("policies").display()
        ),
    )
    .expect("config");
    let site = guardrail_site::build(&dir).unwrap_or_else(|f| panic!("the fixture does not build:\n{f}"));
    let out = dir.join("public");
    guardrail_site::write(&site, &out).expect("written");
    out
}

fn html_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("readable") {
        let p = e.expect("entry").path();
        if p.is_dir() {
            html_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "html") {
            out.push(p);
        }
    }
}

#[test]
fn a_docusaurus_site_under_a_sub_path() {
    let out = build();
    // No built page links or loads anything outside the base path.
    let mut pages = Vec::new();
    html_files(&out, &mut pages);
    assert!(pages.len() > 10);
    for page in &pages {
        // Attribute values as the browser reads them (tera writes `/` as `&#x2F;`).
        let html = std::fs::read_to_string(page).expect("page").replace("&#x2F;", "/").replace("&amp;", "&");
        for attr in ["href=\"", "src=\""] {
            for url in html.split(attr).skip(1).map(|h| &h[..h.find('"').unwrap_or(0)]) {
                let ok = url.starts_with("/docs/")
                    || url.starts_with('#')
                    || url.starts_with("https://")
                    || url.starts_with("data:");
                assert!(ok, "{}: {attr}{url}", page.display());
            }
        }
    }

    let port = support::serve_at(out.clone(), "/docs/");
    let site = format!("http://127.0.0.1:{port}/docs/");
    let b = Browser::start(false, 1280, 1000);
    b.goto(&format!("{site}xks/developer-guide/introduction/"));
    b.wait("document.querySelectorAll('.tabs.js').length === 2", Duration::from_secs(10), "the tabs script");
    let visible = |b: &Browser| {
        b.js(
            "return Array.from(document.querySelectorAll('.tab-panel'), p => p.offsetParent !== null ? p.dataset.value : null).filter(Boolean);",
            json!([]),
        )
    };
    // One panel per group shows: the default of the first, the first of the second.
    assert_eq!(visible(&b), json!(["kubectl", "kubectl"]));
    b.js("document.querySelector('.tab[data-value=flux]').click();", json!([]));
    assert_eq!(visible(&b), json!(["flux", "flux"]), "tabs of one groupId switch together");
    // The choice is remembered for the group.
    b.goto(&format!("{site}xks/developer-guide/introduction/"));
    b.wait("document.querySelectorAll('.tabs.js').length === 2", Duration::from_secs(10), "the tabs script");
    assert_eq!(visible(&b), json!(["flux", "flux"]));
    let selected = b.js("return document.querySelector('.tab[aria-selected=true]').dataset.value;", json!([]));
    assert_eq!(selected, json!("flux"));
    let shot = b.screenshot();
    std::fs::create_dir_all(support::repo().join("target/screenshots")).expect("dir");
    std::fs::write(support::repo().join("target/screenshots/docusaurus-tabs.png"), &shot).expect("screenshot");
    assert!(support::png_size(&shot).0 >= 1000);

    // The copy button copies the code, not its own label.
    b.js("document.querySelector('.tab[data-value=kubectl]').click();", json!([]));
    let copied = b.js(
        "window.__copied = null; navigator.clipboard.writeText = t => { window.__copied = t; return Promise.resolve(); }; \
         const pre = document.querySelectorAll('.tabs')[1].querySelector('.tab-panel.active pre.code'); pre.querySelector('.copy-button').click(); \
         return null;",
        json!([]),
    );
    assert_eq!(copied, json!(null));
    b.wait("window.__copied !== null", Duration::from_secs(5), "the copied text");
    b.js("document.querySelectorAll('.tabs')[1].scrollIntoView();", json!([]));
    std::fs::write(support::repo().join("target/screenshots/docusaurus-lines.png"), b.screenshot())
        .expect("screenshot");
    let text = b.js("return window.__copied;", json!([]));
    assert_eq!(text.as_str().map(str::trim_end), Some("kubectl get deployments\nkubectl get pods"), "{text}");

    // The image the page loads through useBaseUrl is there, under the base path.
    b.goto(&site);
    b.wait(
        "document.querySelector('main img') && document.querySelector('main img').complete",
        Duration::from_secs(10),
        "the image",
    );
    assert!(b.js("return document.querySelector('main img').naturalWidth;", json!([])).as_u64().unwrap_or(0) > 0);

    // Search under the sub-path: the index, the titles and the pages it takes snippets from all come from /docs/.
    b.js(
        "const s = document.getElementById('search'); s.focus(); s.value = 'kubectl'; s.dispatchEvent(new Event('input'));",
        json!([]),
    );
    b.wait("document.querySelector('#search-results mark')", Duration::from_secs(20), "a search snippet");
    let hit = b.js(
        "const li = document.querySelector('#search-results li'); \
         return [li.querySelector('a').getAttribute('href'), li.querySelector('mark').textContent];",
        json!([]),
    );
    assert!(hit[0].as_str().is_some_and(|h| h.starts_with("/docs/")), "{hit}");
    assert_eq!(hit[1], "kubectl", "{hit}");

    // The playground works under the sub-path: its engine, worker and policies load from /docs/.
    b.goto(&format!("{site}playground/"));
    b.wait(
        "document.querySelector('#pg-documents .pg-doc') !== null",
        Duration::from_secs(60),
        "the playground's first verdict",
    );
    let _ = std::fs::remove_dir_all(out.parent().expect("dir"));
}
