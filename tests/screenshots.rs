//! The Security page in headless Chromium (Debian's `chromium`), light and dark, desktop and phone. The PNGs are
//! kept in `target/screenshots/` to be looked at; the test checks what can be checked without eyes: the pages
//! load with their styles, the dark theme applies, and light and dark differ.

use guardrail_testkit as support;
use std::path::PathBuf;

use std::process::Command;
use support::{chromium, png_size, serve};

fn browser(args: &[String]) -> Vec<u8> {
    let profile = std::env::temp_dir().join(format!("guardrail-chromium-{}-{}", std::process::id(), args.len()));
    let out = Command::new(chromium())
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"])
        .args(["--disable-component-update", "--disable-sync", "--hide-scrollbars"])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .output()
        .expect("chromium runs");
    let _ = std::fs::remove_dir_all(profile);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

#[test]
fn the_security_page_in_light_and_dark() {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let site = support::build_repo_site("shots");
    let port = serve(site.clone());
    let url = format!("http://127.0.0.1:{port}/security/");
    let shots = repo.join("target/screenshots");
    std::fs::create_dir_all(&shots).expect("screenshot folder");
    let mut pngs = Vec::new();
    for (name, scheme, size) in
        [("security-light", 1, "1280,2200"), ("security-dark", 0, "1280,2200"), ("security-phone-dark", 0, "390,1400")]
    {
        let file = shots.join(format!("{name}.png"));
        browser(&[
            format!("--blink-settings=preferredColorScheme={scheme}"),
            format!("--window-size={size}"),
            format!("--screenshot={}", file.display()),
            url.clone(),
        ]);
        let bytes = std::fs::read(&file).expect("a screenshot was written");
        let (w, h) = png_size(&bytes);
        assert_eq!(format!("{w},{h}"), size);
        assert!(bytes.len() > 20_000, "{name} is nearly empty ({} bytes)", bytes.len());
        pngs.push(bytes);
    }
    assert_ne!(pngs[0], pngs[1], "light and dark look the same");
    // The theme script ran and chose dark from the system preference; the stylesheet loaded.
    let dom = String::from_utf8_lossy(&browser(&[
        "--blink-settings=preferredColorScheme=0".into(),
        "--dump-dom".into(),
        url.clone(),
    ]))
    .into_owned();
    assert!(dom.contains("<html lang=\"en\" data-theme=\"dark\">"), "{}", &dom[..dom.len().min(300)]);
    let dom = String::from_utf8_lossy(&browser(&[
        "--blink-settings=preferredColorScheme=1".into(),
        "--dump-dom".into(),
        url,
    ]))
    .into_owned();
    assert!(dom.contains("data-theme=\"light\""));
    assert!(dom.contains("Rejected by") || dom.contains("verdict-admitted"));
    let _ = std::fs::remove_dir_all(site);
}
