//! guardrail-testkit: what the browser tests and the playground benchmark share. The repository's site built
//! (by the site crate, in process), a static file server for it, and a small WebDriver client for Debian's
//! chromium-driver (a few JSON requests over HTTP/1.1; no browser download, no heavy client crate).
//!
//! What it may not do: anything a test asserts about. It starts and drives; the tests judge. Missing
//! Chromium is one clear line and a failed test run, not a panic trace.

pub mod jsonschema;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

/// The first of `candidates` that exists; `GUARDRAIL_<VAR>` overrides them all. When none does, the test run
/// stops here with one line saying what is missing and how to get it (a panic in every browser test would bury
/// that under traces).
fn installed(var: &str, candidates: &[&'static str], package: &str) -> String {
    let overridden = std::env::var(format!("GUARDRAIL_{var}")).ok();
    let found = match &overridden {
        Some(p) => Path::new(p).exists().then(|| p.clone()),
        None => candidates.iter().find(|c| Path::new(c).exists()).map(|c| c.to_string()),
    };
    found.unwrap_or_else(|| {
        let looked = overridden.unwrap_or_else(|| candidates.join(", "));
        // One line however many tests ask at once: the first takes the lock and ends the process; the others wait.
        static ONE: std::sync::Mutex<()> = std::sync::Mutex::new(());
        let _first = ONE.lock();
        // Straight to the process's standard error: the test harness captures `eprintln!`, and would drop it
        // when the process exits.
        let _ = writeln!(
            std::io::stderr(),
            "error: the browser tests need Debian's {package} package, and it is not installed (looked for {looked}); \
             `bash scripts/test` installs it"
        );
        std::process::exit(1)
    })
}

/// The Chromium binary (`GUARDRAIL_CHROMIUM` overrides).
pub fn chromium() -> String {
    installed("CHROMIUM", &["/usr/bin/chromium", "/usr/bin/chromium-browser"], "chromium")
}

/// The chromedriver binary (`GUARDRAIL_CHROMEDRIVER` overrides).
pub fn chromedriver() -> String {
    installed("CHROMEDRIVER", &["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"], "chromium-driver")
}

/// The repository's root (where its `guardrail.toml` is).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Copies the folder `from` to `to`, recursively (fixtures into a scratch folder to change them there).
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("dir");
    for e in std::fs::read_dir(from).expect("readable") {
        let p = e.expect("entry").path();
        let dest = to.join(p.file_name().expect("name"));
        if p.is_dir() {
            copy_tree(&p, &dest);
        } else {
            std::fs::copy(&p, &dest).expect("copy");
        }
    }
}

/// Builds the repository's site into a fresh folder, as `guardrail build` does.
pub fn build_repo_site(tag: &str) -> PathBuf {
    let site = std::env::temp_dir().join(format!("guardrail-{tag}-site-{}", std::process::id()));
    let built = guardrail_site::build(&repo()).unwrap_or_else(|f| panic!("the repository's site does not build:\n{f}"));
    guardrail_site::write(&built, &site).unwrap_or_else(|e| panic!("cannot write {}: {e}", site.display()));
    site
}

/// Serves `root` on a free loopback port until the process ends; only GETs of files inside `root`. Nothing is
/// cached: every request is answered in full (tests rebuild a site and load it again).
pub fn serve(root: PathBuf) -> u16 {
    serve_with(root, "/", false)
}

/// Serves `root` under the URL path `prefix` (`/docs/`), as a project site on GitHub Pages is: anything outside
/// the prefix is a 404.
pub fn serve_at(root: PathBuf, prefix: &'static str) -> u16 {
    serve_with(root, prefix, false)
}

/// Serves `root` with the caching headers GitHub Pages sends (`Cache-Control: max-age=600` and an `ETag`; a
/// request whose `If-None-Match` names the file's tag gets `304 Not Modified`), so that a browser's second visit
/// is what a reader's is: from its cache. For benchmarks of warm loads.
pub fn serve_like_a_host(root: PathBuf) -> u16 {
    serve_with(root, "/", true)
}

fn serve_with(root: PathBuf, prefix: &'static str, caching: bool) -> u16 {
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
                let full =
                    req.split_whitespace().nth(1).unwrap_or("/").split(['?', '#']).next().unwrap_or("/").to_string();
                let outside = !full.starts_with(prefix);
                let path = format!("/{}", full.strip_prefix(prefix).unwrap_or(""));
                let mut file = root.join(path.trim_start_matches('/'));
                if path.ends_with('/') {
                    file = file.join("index.html");
                }
                let inside = !path.contains("..") && !outside;
                let (status, body) = match std::fs::read(&file) {
                    Ok(b) if inside => ("200 OK", b),
                    _ => ("404 Not Found", std::fs::read(root.join("404.html")).unwrap_or_default()),
                };
                let ty = match file.extension().and_then(|e| e.to_str()) {
                    Some("css") => "text/css",
                    Some("js") => "text/javascript",
                    Some("json") => "application/json",
                    Some("wasm") => "application/wasm",
                    Some("svg") => "image/svg+xml",
                    _ => "text/html; charset=utf-8",
                };
                if caching && status.starts_with("200") {
                    use std::hash::{Hash, Hasher};
                    let mut h = std::collections::hash_map::DefaultHasher::new();
                    body.hash(&mut h);
                    let tag = format!("\"{:016x}\"", h.finish());
                    let matches = req
                        .lines()
                        .any(|l| l.to_ascii_lowercase().starts_with("if-none-match:") && l.contains(tag.as_str()));
                    let (status, body) = if matches { ("304 Not Modified", &[][..]) } else { (status, &body[..]) };
                    let _ = write!(
                        stream,
                        "HTTP/1.1 {status}\r\nContent-Type: {ty}\r\nContent-Length: {}\r\nCache-Control: max-age=600\r\nETag: {tag}\r\nConnection: close\r\n\r\n",
                        body.len()
                    );
                    let _ = stream.write_all(body);
                    return;
                }
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

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

/// One JSON request to `127.0.0.1:port`; the parsed JSON answer.
fn request(port: u16, method: &str, path: &str, body: Option<&Value>) -> std::io::Result<Value> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(120)))?;
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut reader = BufReader::new(stream);
    let mut length = None;
    let mut chunked = false;
    let mut line = String::new();
    loop {
        line.clear();
        reader.read_line(&mut line)?;
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        let lower = l.to_ascii_lowercase();
        if let Some(v) = lower.strip_prefix("content-length:") {
            length = v.trim().parse::<usize>().ok();
        }
        if lower.starts_with("transfer-encoding:") && lower.contains("chunked") {
            chunked = true;
        }
    }
    let mut data = Vec::new();
    if chunked {
        loop {
            line.clear();
            reader.read_line(&mut line)?;
            let size = usize::from_str_radix(line.trim(), 16).unwrap_or(0);
            if size == 0 {
                break;
            }
            let mut chunk = vec![0; size + 2];
            reader.read_exact(&mut chunk)?;
            data.extend_from_slice(&chunk[..size]);
        }
    } else if let Some(n) = length {
        data.resize(n, 0);
        reader.read_exact(&mut data)?;
    } else {
        reader.read_to_end(&mut data)?;
    }
    serde_json::from_slice(&data).map_err(|e| std::io::Error::other(format!("{e}: {}", String::from_utf8_lossy(&data))))
}

/// Headless Chromium driven through chromedriver.
pub struct Browser {
    port: u16,
    session: String,
    driver: Child,
    profile: PathBuf,
}

impl Browser {
    /// Starts chromedriver and a headless Chromium with a fresh profile; `dark` sets the system colour scheme.
    pub fn start(dark: bool, width: u32, height: u32) -> Browser {
        Browser::launch(dark, width, height, true)
    }

    /// [`Browser::start`] with the pages' JavaScript turned off (as a reader who blocks it): the page is what
    /// its HTML says. Look at it with [`Browser::texts_of`], which needs no script.
    pub fn start_without_script(width: u32, height: u32) -> Browser {
        Browser::launch(false, width, height, false)
    }

    fn launch(dark: bool, width: u32, height: u32, script: bool) -> Browser {
        let (browser, driver_bin) = (chromium(), chromedriver());
        let port = free_port();
        let driver = Command::new(driver_bin)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let started = Instant::now();
        while request(port, "GET", "/status", None).is_err() {
            assert!(started.elapsed() < Duration::from_secs(20), "chromedriver did not answer");
            std::thread::sleep(Duration::from_millis(50));
        }
        let profile = std::env::temp_dir().join(format!("guardrail-wd-{}-{port}", std::process::id()));
        let args = vec![
            "--headless".to_string(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--no-first-run".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--hide-scrollbars".into(),
            format!(
                "--blink-settings=preferredColorScheme={}{}",
                if dark { 0 } else { 1 },
                if script { "" } else { ",scriptEnabled=false" }
            ),
            format!("--window-size={width},{height}"),
            format!("--user-data-dir={}", profile.display()),
        ];
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": browser, "args": args},
        }}});
        let answer = request(port, "POST", "/session", Some(&caps)).expect("a WebDriver session");
        let session =
            answer["value"]["sessionId"].as_str().unwrap_or_else(|| panic!("no session: {answer}")).to_string();
        Browser { port, session, driver, profile }
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let path = format!("/session/{}{path}", self.session);
        let answer = request(self.port, method, &path, body.as_ref()).expect("chromedriver answers");
        if answer["value"].get("error").is_some() {
            panic!("WebDriver {method} {path}: {}", answer["value"]);
        }
        answer["value"].clone()
    }

    /// Opens `url` and waits for it to load.
    pub fn goto(&self, url: &str) {
        self.call("POST", "/url", Some(json!({"url": url})));
    }

    /// Runs `script` (a function body; `arguments` are `args`) in the page and returns its value.
    pub fn js(&self, script: &str, args: Value) -> Value {
        self.call("POST", "/execute/sync", Some(json!({"script": script, "args": args})))
    }

    /// Polls `condition` (an expression) until it is truthy; panics with `what` after `timeout`.
    pub fn wait(&self, condition: &str, timeout: Duration, what: &str) {
        let started = Instant::now();
        loop {
            let v = self.js(&format!("return !!({condition});"), json!([]));
            if v == json!(true) {
                return;
            }
            if started.elapsed() > timeout {
                let state = self.js(
                    "var p = document.getElementById('playground'); var s = document.getElementById('pg-status'); \
                     return (p ? p.dataset.state : 'no playground') + ': ' + (s ? s.textContent : '');",
                    json!([]),
                );
                panic!("timed out waiting for {what} ({condition}); page state: {state}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The text of every element `selector` finds, through WebDriver's own element lookup (no page script).
    pub fn texts_of(&self, selector: &str) -> Vec<String> {
        let found = self.call("POST", "/elements", Some(json!({"using": "css selector", "value": selector})));
        let key = "element-6066-11e4-a52e-4f735466cecf";
        found
            .as_array()
            .map(|els| {
                els.iter()
                    .filter_map(|e| e[key].as_str())
                    .map(|id| self.call("GET", &format!("/element/{id}/text"), None).as_str().unwrap_or("").to_string())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// A PNG of the viewport.
    pub fn screenshot(&self) -> Vec<u8> {
        let b64 = self.call("GET", "/screenshot", None);
        STANDARD.decode(b64.as_str().expect("base64 text")).expect("a screenshot in base64")
    }

    /// Resizes the window.
    pub fn resize(&self, width: u32, height: u32) {
        self.call("POST", "/window/rect", Some(json!({"width": width, "height": height})));
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = request(self.port, "DELETE", &format!("/session/{}", self.session), None);
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// Width and height of a PNG.
pub fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "a PNG");
    let w = u32::from_be_bytes([bytes[16], bytes[17], bytes[18], bytes[19]]);
    let h = u32::from_be_bytes([bytes[20], bytes[21], bytes[22], bytes[23]]);
    (w, h)
}
