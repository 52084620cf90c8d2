//! The Security page in headless Chromium (Debian's `chromium`), light and dark, desktop and phone. The PNGs are
//! kept in `target/screenshots/` to be looked at; the test checks what can be checked without eyes: the pages
//! load with their styles, the dark theme applies, and light and dark differ.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

fn chromium() -> &'static str {
    for c in ["/usr/bin/chromium", "/usr/bin/chromium-browser"] {
        if Path::new(c).exists() {
            return c;
        }
    }
    panic!("Chromium is not installed: `bash scripts/test` installs Debian's chromium package");
}

/// Serves `root` on a free loopback port until the process ends; only GETs of files inside `root`.
fn serve(root: PathBuf) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    let port = listener.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let root = root.clone();
            std::thread::spawn(move || {
                let mut stream = stream;
                let mut buf = [0u8; 4096];
                let n = stream.read(&mut buf).unwrap_or(0);
                let req = String::from_utf8_lossy(&buf[..n]);
                let path =
                    req.split_whitespace().nth(1).unwrap_or("/").split(['?', '#']).next().unwrap_or("/").to_string();
                let mut file = root.join(path.trim_start_matches('/'));
                if path.ends_with('/') {
                    file = file.join("index.html");
                }
                let inside = !path.contains("..");
                let (status, body) = match std::fs::read(&file) {
                    Ok(b) if inside => ("200 OK", b),
                    _ => ("404 Not Found", std::fs::read(root.join("404.html")).unwrap_or_default()),
                };
                let ty = match file.extension().and_then(|e| e.to_str()) {
                    Some("css") => "text/css",
                    Some("js") => "text/javascript",
                    Some("json") => "application/json",
                    _ => "text/html; charset=utf-8",
                };
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status}\r\nContent-Type: {ty}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(&body);
            });
        }
    });
    port
}

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

fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "a PNG");
    let w = u32::from_be_bytes([bytes[16], bytes[17], bytes[18], bytes[19]]);
    let h = u32::from_be_bytes([bytes[20], bytes[21], bytes[22], bytes[23]]);
    (w, h)
}

#[test]
fn the_security_page_in_light_and_dark() {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let site = std::env::temp_dir().join(format!("guardrail-shots-site-{}", std::process::id()));
    let built = Command::new(env!("CARGO_BIN_EXE_guardrail"))
        .args(["build", "--root", repo.to_str().expect("utf-8"), "--out", site.to_str().expect("utf-8")])
        .output()
        .expect("builds");
    assert!(built.status.success(), "{}", String::from_utf8_lossy(&built.stderr));
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
