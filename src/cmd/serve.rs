//! `guardrail serve`: the site built in memory, served by axum, rebuilt by notify on every save, and open tabs told
//! to reload over server-sent events. A failed rebuild keeps the last good site and overlays the diagnostics.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, Response, StatusCode, Uri, header};
use axum::response::IntoResponse;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::routing::get;
use tokio::sync::{broadcast, watch};

use guardrail_site::html::escape;
use guardrail_site::{Overrides, Session, config};

/// What the server serves: the last good site, and the diagnostics of the last build if it failed.
#[derive(Debug, Default)]
pub(crate) struct Served {
    pub(crate) files: BTreeMap<String, Arc<Vec<u8>>>,
    pub(crate) overlay: Option<String>,
    pub(crate) version: u64,
    /// The path the site lives under (`/`, or `/docs/` for `base-url = "/docs/"`), as it will be deployed.
    pub(crate) base_path: String,
}

#[derive(Clone)]
struct AppState {
    served: Arc<RwLock<Served>>,
    reload: broadcast::Sender<u64>,
    shutdown: watch::Receiver<bool>,
}

const LIVE_JS: &str = r#"// guardrail serve: reload this tab when the site is rebuilt.
(function () {
  var source = new EventSource("/__guardrail/events");
  source.addEventListener("reload", function () { window.location.reload(); });
})();
"#;

/// Decodes `%XX` escapes; `None` for a malformed escape (which percent-encoding would keep as it is) or a
/// result that is not UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let well_formed = bytes
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'%')
        .all(|(i, _)| bytes.get(i + 1..i + 3).is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)));
    if !well_formed {
        return None;
    }
    percent_encoding::percent_decode_str(s).decode_utf8().ok().map(|c| c.into_owned())
}

/// The key in the built site for a request path, or `None` when the path could reach outside it: `..` or `.`
/// segments (also when percent-encoded), backslashes, NUL, or an empty segment from `//`.
pub(crate) fn site_key(raw_path: &str) -> Option<String> {
    let decoded = percent_decode(raw_path)?;
    let rest = decoded.strip_prefix('/')?;
    if decoded.contains('\\') || decoded.contains('\0') {
        return None;
    }
    let segments: Vec<&str> = rest.split('/').collect();
    let last = segments.len() - 1;
    for (i, seg) in segments.iter().enumerate() {
        if *seg == ".." || *seg == "." || (seg.is_empty() && i != last) {
            return None;
        }
    }
    Some(if rest.is_empty() || rest.ends_with('/') { format!("{rest}index.html") } else { rest.to_string() })
}

fn content_type(key: &str) -> &'static str {
    match key.rsplit_once('.').map(|(_, e)| e) {
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("json") => "application/json",
        Some("wasm") => "application/wasm",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        Some("ico") => "image/x-icon",
        Some("xml") => "application/xml",
        Some("txt") => "text/plain; charset=utf-8",
        Some("woff2") => "font/woff2",
        _ => "application/octet-stream",
    }
}

/// The overlay shown on every page while the last rebuild failed. The diagnostics are escaped text.
fn overlay_html(diagnostics: &str) -> String {
    // Styled by a stylesheet, not style attributes: pages with a strict Content-Security-Policy show it too.
    format!(
        "<link rel=\"stylesheet\" href=\"/__guardrail/overlay.css\"><div id=\"guardrail-overlay\" role=\"alert\">\
         <p>The last rebuild failed; this is the last good page. Fix the file and this goes away on its own.</p>\
         <pre>{}</pre></div>",
        escape(diagnostics)
    )
}

/// Puts the reload script (and the overlay, if any) before `</body>`.
fn inject(html: &[u8], overlay: Option<&str>) -> Vec<u8> {
    let text = String::from_utf8_lossy(html);
    let mut extra = String::from("<script src=\"/__guardrail/live.js\"></script>");
    if let Some(o) = overlay {
        extra.push_str(&overlay_html(o));
    }
    match text.rfind("</body>") {
        Some(i) => format!("{}{extra}{}", &text[..i], &text[i..]).into_bytes(),
        None => format!("{text}{extra}").into_bytes(),
    }
}

fn respond(status: StatusCode, ty: &'static str, body: Vec<u8>) -> Response<Body> {
    let mut r = Response::new(Body::from(body));
    *r.status_mut() = status;
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(ty));
    r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r.headers_mut().insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    r
}

async fn file(State(state): State<AppState>, uri: Uri) -> Response<Body> {
    let served = match state.served.read() {
        Ok(s) => s,
        Err(poisoned) => poisoned.into_inner(),
    };
    let overlay = served.overlay.as_deref();
    // The site is served under its base path, as it will be deployed; `/` leads there.
    let base = if served.base_path.is_empty() { "/" } else { served.base_path.as_str() };
    let path = uri.path();
    if base != "/" && (path == "/" || path == base.trim_end_matches('/')) {
        let mut r = respond(StatusCode::FOUND, "text/plain; charset=utf-8", Vec::new());
        if let Ok(to) = HeaderValue::from_str(base) {
            r.headers_mut().insert(header::LOCATION, to);
        }
        return r;
    }
    let inside = path.strip_prefix(base.trim_end_matches('/')).filter(|rest| rest.starts_with('/'));
    let found = inside.and_then(site_key).and_then(|key| {
        served
            .files
            .get(&key)
            .map(|b| (key.clone(), b))
            .or_else(|| served.files.get(&format!("{key}/index.html")).map(|b| (format!("{key}/index.html"), b)))
    });
    match found {
        Some((key, bytes)) => {
            let ty = content_type(&key);
            let body = if ty.starts_with("text/html") { inject(bytes, overlay) } else { bytes.as_ref().clone() };
            respond(StatusCode::OK, ty, body)
        }
        None => {
            let page =
                served.files.get("404.html").map(|b| b.as_ref().clone()).unwrap_or_else(|| {
                    b"<!doctype html><title>Not found</title><body><h1>Not found</h1></body>".to_vec()
                });
            respond(StatusCode::NOT_FOUND, "text/html; charset=utf-8", inject(&page, overlay))
        }
    }
}

const OVERLAY_CSS: &str = "#guardrail-overlay{position:fixed;inset:0;z-index:2147483647;overflow:auto;\
background:rgba(20,20,24,.94);color:#f3f4f6;padding:2rem;font:14px/1.5 ui-monospace,monospace}\
#guardrail-overlay p{margin:0 0 1rem;font:600 18px system-ui,sans-serif;color:#fca5a5}\
#guardrail-overlay pre{white-space:pre-wrap;margin:0}\n";

async fn overlay_css() -> impl IntoResponse {
    respond(StatusCode::OK, "text/css; charset=utf-8", OVERLAY_CSS.as_bytes().to_vec())
}

async fn live_js() -> impl IntoResponse {
    respond(StatusCode::OK, "text/javascript; charset=utf-8", LIVE_JS.as_bytes().to_vec())
}

async fn events(State(state): State<AppState>) -> impl IntoResponse {
    let version = state.served.read().map(|s| s.version).unwrap_or(0);
    let hello = futures_util::stream::once(async move {
        Ok::<_, Infallible>(Event::default().event("hello").data(version.to_string()))
    });
    let rx = state.reload.subscribe();
    let shutdown = state.shutdown.clone();
    let updates = futures_util::stream::unfold((rx, shutdown), |(mut rx, mut shutdown)| async move {
        loop {
            tokio::select! {
                msg = rx.recv() => match msg {
                    Ok(v) => return Some((Ok(Event::default().event("reload").data(v.to_string())), (rx, shutdown))),
                    Err(broadcast::error::RecvError::Lagged(_)) => continue,
                    Err(broadcast::error::RecvError::Closed) => return None,
                },
                _ = shutdown.changed() => return None,
            }
        }
    });
    use futures_util::StreamExt;
    Sse::new(hello.chain(updates)).keep_alive(KeepAlive::default())
}

/// What the watcher saw, after the debounce.
fn relevant(root: &Path, paths: &[PathBuf], watched: &[PathBuf]) -> bool {
    paths.iter().any(|p| {
        let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        // Editors' swap and backup files are not part of the site.
        let scratch = name.starts_with('.') || name.ends_with('~') || name.ends_with(".swp") || name == "4913";
        // The sidebars file Docusaurus keeps at the root is read when there is one.
        let at_root = [config::FILE, "sidebars.js", "sidebars.ts"].iter().any(|f| p == &root.join(f));
        !scratch && (at_root || watched.iter().any(|w| p.starts_with(w)))
    })
}

/// Rebuilds (the cheapest sound way when a session exists) and tells the tabs; a failure keeps the last good site.
fn rebuild(
    root: &Path,
    overrides: &Overrides,
    session: &mut Option<Session>,
    changed: &[PathBuf],
    served: &RwLock<Served>,
    reload: &broadcast::Sender<u64>,
    why: &str,
) {
    let started = Instant::now();
    let result = match session.as_mut() {
        Some(s) => s.rebuild(changed).map(|kind| format!("{kind:?}").to_lowercase()),
        None => Session::build_with(root, overrides).map(|s| {
            *session = Some(s);
            "full".to_string()
        }),
    };
    let mut s = match served.write() {
        Ok(s) => s,
        Err(poisoned) => poisoned.into_inner(),
    };
    s.version += 1;
    match result {
        Ok(kind) => {
            if let Some(built) = session.as_ref() {
                s.files = built.files().clone();
                s.base_path = guardrail_site::base_path(&built.config().base_url);
                let warnings = built.warnings();
                if !warnings.diagnostics.is_empty() {
                    eprint!("{}", warnings.render());
                }
            }
            s.overlay = None;
            eprintln!("rebuilt ({why}; {kind}) in {} ms", started.elapsed().as_millis());
        }
        Err(failure) => {
            let text = failure.render();
            eprint!("{text}");
            eprintln!("rebuild failed ({why}); still serving the last good site");
            s.overlay = Some(text);
        }
    }
    let _ = reload.send(s.version);
}

/// The folders to watch: those of `guardrail.toml` as it is now (so a path changed there is watched even while
/// the build fails), else, when it does not load (its error is printed with the build's), the last good build's.
/// The root, where `guardrail.toml` lives, is always watched.
fn wanted(root: &Path, overrides: &Overrides, session: Option<&Session>) -> Vec<PathBuf> {
    match (config::load(root), session) {
        (Ok(mut c), _) => {
            if !overrides.policies.is_empty() {
                c.paths.policies = overrides.policies.clone();
            }
            guardrail_site::watched(root, &c)
        }
        (Err(_), Some(s)) => s.watched(),
        (Err(_), None) => Vec::new(),
    }
}

/// The folders being watched, kept equal to what the configuration asks for: a folder that appears later (a
/// `static/` created after the start) or a path changed in `guardrail.toml` is watched from the next rebuild on.
struct Watching {
    watcher: notify::RecommendedWatcher,
    folders: Vec<PathBuf>,
}

impl Watching {
    fn update(&mut self, wanted: Vec<PathBuf>) {
        use notify::Watcher;
        for old in &self.folders {
            if !wanted.contains(old) {
                let _ = self.watcher.unwatch(old);
            }
        }
        let mut now = Vec::new();
        for w in wanted {
            if self.folders.contains(&w) {
                now.push(w);
            } else if w.exists() {
                match self.watcher.watch(&w, notify::RecursiveMode::Recursive) {
                    Ok(()) => now.push(w),
                    Err(e) => eprintln!("cannot watch {}: {e}; its changes will not rebuild the site", w.display()),
                }
            }
        }
        self.folders = now;
    }
}

/// Runs the preview until Ctrl-C.
pub(crate) fn run(root: &Path, overrides: Overrides, bind: &str, port: u16, open: bool) -> Result<()> {
    let root = root.canonicalize().with_context(|| format!("cannot find the site root {}", root.display()))?;
    let served = Arc::new(RwLock::new(Served::default()));
    let (reload, _) = broadcast::channel(16);
    let mut session: Option<Session> = None;
    rebuild(&root, &overrides, &mut session, &[], &served, &reload, "start");

    // Watch: events go to a channel; a thread debounces them and rebuilds.
    let (tx, rx) = std::sync::mpsc::channel::<notify::Result<notify::Event>>();
    let mut watcher = notify::recommended_watcher(move |e| {
        let _ = tx.send(e);
    })
    .context("cannot start watching files")?;
    use notify::Watcher;
    watcher.watch(&root, notify::RecursiveMode::NonRecursive).context("cannot watch the site root")?;
    let mut watching = Watching { watcher, folders: Vec::new() };
    watching.update(wanted(&root, &overrides, session.as_ref()));
    {
        let (root, served, reload) = (root.clone(), served.clone(), reload.clone());
        std::thread::spawn(move || {
            let mut session = session;
            while let Ok(first) = rx.recv() {
                let mut paths = Vec::new();
                let mut push = |e: notify::Result<notify::Event>| {
                    if let Ok(ev) = e {
                        if !matches!(ev.kind, notify::EventKind::Access(_)) {
                            paths.extend(ev.paths);
                        }
                    }
                };
                push(first);
                // A save is often several events (write, close, rename): wait for a short quiet gap.
                let deadline = Instant::now() + Duration::from_millis(60);
                while let Ok(more) = rx.recv_timeout(Duration::from_millis(8)) {
                    push(more);
                    if Instant::now() > deadline {
                        break;
                    }
                }
                let watched = wanted(&root, &overrides, session.as_ref());
                if relevant(&root, &paths, &watched) {
                    let names: Vec<String> = paths
                        .iter()
                        .filter_map(|p| p.strip_prefix(&root).ok())
                        .map(|p| p.display().to_string())
                        .collect::<std::collections::BTreeSet<_>>()
                        .into_iter()
                        .collect();
                    paths.sort();
                    paths.dedup();
                    // Watch what the configuration now names before the tabs are told to reload: an edit made
                    // right after the reload must not fall between the rebuild and the new watch.
                    watching.update(wanted(&root, &overrides, session.as_ref()));
                    rebuild(&root, &overrides, &mut session, &paths, &served, &reload, &names.join(", "));
                    watching.update(wanted(&root, &overrides, session.as_ref()));
                }
            }
        });
    }

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the server runtime")?;
    runtime.block_on(async move {
        let addr: SocketAddr =
            format!("{bind}:{port}").parse().with_context(|| format!("`{bind}:{port}` is not an address to bind"))?;
        let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| format!("cannot listen on {addr}"))?;
        let local = listener.local_addr().context("no local address")?;
        let base = match served.read() {
            Ok(s) => s.base_path.clone(),
            Err(poisoned) => poisoned.into_inner().base_path.clone(),
        };
        let url = format!("http://{local}{}", if base.is_empty() { "/" } else { base.as_str() });
        println!("guardrail serve: {url} (watching {}; Ctrl-C to stop)", root.display());
        use std::io::Write;
        let _ = std::io::stdout().flush();
        if open {
            if let Err(e) = std::process::Command::new("xdg-open").arg(&url).spawn() {
                eprintln!("cannot open a browser ({e}); open {url} yourself");
            }
        }
        let (stop, shutdown) = watch::channel(false);
        let state = AppState { served, reload, shutdown };
        let app = Router::new()
            .route("/__guardrail/live.js", get(live_js))
            .route("/__guardrail/overlay.css", get(overlay_css))
            .route("/__guardrail/events", get(events))
            .fallback(get(file))
            .with_state(state);
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = tokio::signal::ctrl_c().await;
                let _ = stop.send(true);
            })
            .await
            .context("the server stopped")?;
        eprintln!("stopped");
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_paths_stay_inside_the_site() {
        assert_eq!(site_key("/").as_deref(), Some("index.html"));
        assert_eq!(site_key("/security/").as_deref(), Some("security/index.html"));
        assert_eq!(site_key("/assets/style.1234.css").as_deref(), Some("assets/style.1234.css"));
        assert_eq!(site_key("/a%20b.txt").as_deref(), Some("a b.txt"));
        for bad in [
            "/../x",
            "/%2e%2e/x",
            "/a/..%2f..%2fx",
            "/a/%2E%2E/x",
            "//etc/passwd",
            "/a\\..\\x",
            "/a/./b",
            "/%00",
            "/%zz",
            "x",
            "/a//b",
        ] {
            assert_eq!(site_key(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_reload_script_and_overlay_go_before_the_body_end() {
        let page = b"<html><body><p>hi</p></body></html>";
        let out = String::from_utf8(inject(page, Some("error: <script>x</script>"))).unwrap();
        assert!(out.contains("<p>hi</p><script src=\"/__guardrail/live.js\"></script><link rel=\"stylesheet\" href=\"/__guardrail/overlay.css\"><div id=\"guardrail-overlay\""));
        assert!(out.contains("error: &lt;script&gt;x&lt;/script&gt;"));
        assert!(out.ends_with("</body></html>"));
        assert_eq!(content_type("x/y.wasm"), "application/wasm");
    }
}
