//! `guardrail serve` end to end: reload events over SSE, a rebuilt page, the error overlay while the last good
//! page stays served, its disappearance after the fix, path traversal, content types, and Ctrl-C.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

struct Server {
    child: Child,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn site(name: &str) -> PathBuf {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = std::env::temp_dir().join(format!("guardrail-serve-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("content")).expect("dir");
    std::fs::create_dir_all(dir.join("static")).expect("dir");
    std::fs::write(
        dir.join("guardrail.toml"),
        format!(
            "title = \"Serve\"\n[paths]\npolicies = \"{}\"\ntheme = \"{}\"\n",
            repo.join("policies").display(),
            repo.join("theme").display()
        ),
    )
    .expect("config");
    std::fs::write(dir.join("content/index.md"), "# Home\n\nFirst version.\n").expect("page");
    std::fs::write(dir.join("content/pod.md"), POD_OK).expect("page");
    std::fs::write(dir.join("static/engine.wasm"), b"\0asm\x01\0\0\0").expect("wasm");
    dir
}

const POD_OK: &str = "---\ntitle: Pod\n---\n\n```yaml\nhostNetwork: false\n```\n";

fn start(root: &Path) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_guardrail"))
        .args(["serve", "--port", "0", "--root", root.to_str().expect("utf-8")])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).expect("a line");
    let port = line
        .split("http://127.0.0.1:")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no URL in {line:?}"));
    Server { child, port }
}

/// A raw GET; returns (status, content type, body). The path is sent as is, so encoded attacks reach the server.
fn get(port: u16, path: &str) -> (u16, String, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connects");
    s.set_read_timeout(Some(Duration::from_secs(10))).expect("timeout");
    write!(s, "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").expect("request");
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).expect("response");
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let ty = head
        .lines()
        .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-type: ").map(str::to_string))
        .unwrap_or_default();
    (status, ty, body.to_string())
}

/// Opens the reload channel; events arrive on the returned receiver as their `event:` names.
fn events(port: u16) -> mpsc::Receiver<String> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connects");
    write!(s, "GET /__guardrail/events HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n")
        .expect("request");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(s).lines() {
            let Ok(line) = line else { break };
            if let Some(name) = line.strip_prefix("event: ") {
                if tx.send(name.to_string()).is_err() {
                    break;
                }
            }
        }
    });
    rx
}

fn wait_for(rx: &mpsc::Receiver<String>, name: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(n) if n == name => return,
            Ok(_) => {}
            Err(_) => panic!("no `{name}` event within 30 s"),
        }
    }
}

#[test]
fn edits_reload_and_errors_overlay_until_fixed() {
    let root = site("reload");
    let server = start(&root);
    let rx = events(server.port);
    wait_for(&rx, "hello");
    let (status, ty, body) = get(server.port, "/");
    assert_eq!((status, ty.as_str()), (200, "text/html; charset=utf-8"));
    assert!(body.contains("First version.") && body.contains("/__guardrail/live.js"));

    std::fs::write(root.join("content/index.md"), "# Home\n\nSecond version.\n").expect("edit");
    wait_for(&rx, "reload");
    let (_, _, body) = get(server.port, "/");
    assert!(body.contains("Second version."), "{body}");
    assert!(!body.contains("guardrail-overlay"));

    // Break an example: the old page stays, with the diagnostics over it.
    std::fs::write(root.join("content/pod.md"), POD_OK.replace("hostNetwork: false", "hostNetwork: true"))
        .expect("break");
    wait_for(&rx, "reload");
    let (status, _, body) = get(server.port, "/pod/");
    assert_eq!(status, 200);
    assert!(body.contains("id=\"guardrail-overlay\""), "{body}");
    assert!(body.contains("example is rejected, but the page promises it is admitted"));
    assert!(body.contains("--&gt; content/pod.md:6:1") || body.contains("--> content/pod.md:6:1"), "{body}");
    assert!(body.contains("[psp-host-network]"));
    assert!(body.contains("Admitted"), "the last good page is still served under the overlay");
    let (_, _, other) = get(server.port, "/");
    assert!(other.contains("guardrail-overlay"), "every page carries the overlay");

    std::fs::write(root.join("content/pod.md"), POD_OK).expect("fix");
    wait_for(&rx, "reload");
    let (_, _, body) = get(server.port, "/pod/");
    assert!(!body.contains("guardrail-overlay"), "{body}");
    drop(server);
    let _ = std::fs::remove_dir_all(root);
}

#[test]
fn only_the_built_site_is_reachable() {
    let root = site("traversal");
    std::fs::write(root.join("secret.txt"), "do not serve").expect("secret");
    let server = start(&root);
    for attack in [
        "/../guardrail.toml",
        "/%2e%2e/guardrail.toml",
        "/%2E%2E/%2E%2E/etc/passwd",
        "/..%2fguardrail.toml",
        "/assets/..%2f..%2fsecret.txt",
        "/content/index.md",
        "/guardrail.toml",
        "/secret.txt",
        "//etc/passwd",
        "/%2fetc%2fpasswd",
        "/..\\secret.txt",
        "/.%2e/secret.txt",
        "/%c0%ae%c0%ae/secret.txt",
        "/index.html%00.txt",
    ] {
        let (status, _, body) = get(server.port, attack);
        assert_eq!(status, 404, "{attack}");
        assert!(!body.contains("do not serve") && !body.contains("root:"), "{attack}");
        assert!(body.contains("/__guardrail/live.js"), "the 404 page still reloads ({attack})");
    }
    let (status, ty, _) = get(server.port, "/sitemap.xml");
    assert_eq!((status, ty.as_str()), (200, "application/xml"));
    drop(server);
    let _ = std::fs::remove_dir_all(root);
}

#[test]
fn content_types_include_wasm() {
    let root = site("types");
    let server = start(&root);
    let (_, _, home) = get(server.port, "/");
    let home = home.replace("&#x2F;", "/");
    let css = home
        .split("href=\"")
        .filter_map(|s| s.split('"').next())
        .find(|h| h.contains("/assets/style."))
        .expect("a stylesheet")
        .to_string();
    let (status, ty, _) = get(server.port, &css);
    assert_eq!((status, ty.as_str()), (200, "text/css; charset=utf-8"));
    let names: Vec<String> = std::fs::read_dir(root.join("static"))
        .expect("static")
        .map(|e| e.expect("e").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["engine.wasm"]);
    // Static files are served at their own paths.
    let (status, ty, _) = get(server.port, "/engine.wasm");
    assert_eq!((status, ty.as_str()), (200, "application/wasm"));
    drop(server);
    let _ = std::fs::remove_dir_all(root);
}

#[test]
fn ctrl_c_stops_the_server_cleanly() {
    let root = site("stop");
    let mut server = start(&root);
    let rx = events(server.port);
    wait_for(&rx, "hello");
    let pid = server.child.id().to_string();
    let sent = Command::new("kill").args(["-INT", &pid]).status().expect("kill runs");
    assert!(sent.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = server.child.try_wait().expect("wait") {
            assert!(status.success(), "{status:?}");
            break;
        }
        assert!(Instant::now() < deadline, "still running 10 s after Ctrl-C (an open event stream must not hold it)");
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = std::fs::remove_dir_all(root);
}

/// The folders of `guardrail.toml` are the ones watched, a broken configuration is reported (and the server
/// keeps going), and after the configuration names another content folder, that folder is watched.
#[test]
fn the_configured_folders_are_watched_and_rewatched_after_a_config_change() {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let root = std::env::temp_dir().join(format!("guardrail-serve-{}-renamed", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(root.join("docs")).expect("dir");
    std::fs::create_dir_all(root.join("pages")).expect("dir");
    let config = |content: &str| {
        format!(
            "title = \"Serve\"\n[paths]\ncontent = \"{content}\"\npolicies = \"{}\"\ntheme = \"{}\"\n",
            repo.join("policies").display(),
            repo.join("theme").display()
        )
    };
    std::fs::write(root.join("guardrail.toml"), config("docs")).expect("config");
    std::fs::write(root.join("docs/index.md"), "# Home\n\nFrom docs.\n").expect("page");
    std::fs::write(root.join("pages/index.md"), "# Home\n\nFrom pages.\n").expect("page");
    let server = start(&root);
    let rx = events(server.port);
    wait_for(&rx, "hello");
    assert!(get(server.port, "/").2.contains("From docs."));

    std::fs::write(root.join("docs/index.md"), "# Home\n\nEdited in docs.\n").expect("edit");
    wait_for(&rx, "reload");
    assert!(get(server.port, "/").2.contains("Edited in docs."));

    // A broken configuration: the last good site stays, with the error over it.
    std::fs::write(root.join("guardrail.toml"), "title = [\n").expect("break");
    wait_for(&rx, "reload");
    let (_, _, body) = get(server.port, "/");
    assert!(body.contains("guardrail-overlay") && body.contains("invalid guardrail.toml"), "{body}");
    assert!(body.contains("Edited in docs."));

    // Fixed, and pointing at another folder: that folder's page is served, and its edits rebuild.
    std::fs::write(root.join("guardrail.toml"), config("pages")).expect("fix");
    wait_for(&rx, "reload");
    let (_, _, body) = get(server.port, "/");
    assert!(body.contains("From pages.") && !body.contains("guardrail-overlay"), "{body}");
    std::fs::write(root.join("pages/index.md"), "# Home\n\nEdited in pages.\n").expect("edit");
    wait_for(&rx, "reload");
    assert!(get(server.port, "/").2.contains("Edited in pages."));
    drop(server);
    let _ = std::fs::remove_dir_all(root);
}

/// A server started on a broken configuration says so and serves the error until it is fixed.
#[test]
fn a_broken_configuration_at_start_is_shown_until_fixed() {
    let root = site("badconfig");
    let good = std::fs::read_to_string(root.join("guardrail.toml")).expect("config");
    std::fs::write(root.join("guardrail.toml"), format!("{good}\n[paths]\nnope = 1\n")).expect("break");
    let server = start(&root);
    let rx = events(server.port);
    wait_for(&rx, "hello");
    let (status, _, body) = get(server.port, "/");
    assert_eq!(status, 404);
    assert!(body.contains("guardrail-overlay") && body.contains("invalid guardrail.toml"), "{body}");
    std::fs::write(root.join("guardrail.toml"), good).expect("fix");
    wait_for(&rx, "reload");
    let (status, _, body) = get(server.port, "/");
    assert_eq!(status, 200);
    assert!(body.contains("First version.") && !body.contains("guardrail-overlay"), "{body}");
    drop(server);
    let _ = std::fs::remove_dir_all(root);
}

/// With `base-url = "/docs/"` the preview serves the site where it will be deployed: under `/docs/`, with `/`
/// leading there, and nothing outside it.
#[test]
fn the_preview_serves_under_the_base_path() {
    let root = site("sub-path");
    let config = std::fs::read_to_string(root.join("guardrail.toml")).expect("config");
    std::fs::write(
        root.join("guardrail.toml"),
        config.replace("title = \"Serve\"\n", "title = \"Serve\"\nbase-url = \"/docs/\"\n"),
    )
    .expect("config");
    let server = start(&root);
    let (status, ty, body) = get(server.port, "/docs/");
    assert_eq!((status, ty.as_str()), (200, "text/html; charset=utf-8"));
    assert!(body.contains("First version.") && body.contains("href=\"/docs/pod/\""), "{body}");
    assert_eq!(get(server.port, "/docs/pod/").0, 200);
    assert_eq!(get(server.port, "/pod/").0, 404, "outside the base path");
    assert_eq!(get(server.port, "/docs/sitemap.xml").0, 200);
    let mut s = TcpStream::connect(("127.0.0.1", server.port)).expect("connects");
    write!(s, "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").expect("request");
    let mut raw = String::new();
    s.read_to_string(&mut raw).expect("response");
    assert!(raw.starts_with("HTTP/1.1 302") && raw.to_ascii_lowercase().contains("location: /docs/"), "{raw}");
    drop(server);
    let _ = std::fs::remove_dir_all(root);
}

/// The site `guardrail init` writes is served as it is.
#[test]
fn serve_shows_a_new_site() {
    let dir = std::env::temp_dir().join(format!("guardrail-serve-{}-init", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let init =
        Command::new(env!("CARGO_BIN_EXE_guardrail")).args(["init", dir.to_str().unwrap()]).output().expect("init");
    assert!(init.status.success());
    let server = start(&dir);
    let (status, _, body) = get(server.port, "/");
    assert_eq!(status, 200);
    assert!(body.contains("Welcome") && body.contains("Writing examples"), "{body}");
    let (status, _, body) = get(server.port, "/writing-examples/");
    assert_eq!(status, 200);
    assert!(body.contains("Rejected by K8sDenyPrivileged") && body.contains("Admitted with changes"), "{body}");
    drop(server);
    let _ = std::fs::remove_dir_all(dir);
}
