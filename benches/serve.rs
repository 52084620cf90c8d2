//! Save to reload for `guardrail serve`: edit one page and time until the reload event reaches an open event
//! stream, on the repository's site and on the generated 1,000-page site. Run: `cargo bench --bench serve`.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

#[path = "support/corpus.rs"]
mod corpus;

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start(root: &Path) -> (Server, u16) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_guardrail"))
        .args(["serve", "--port", "0", "--root", root.to_str().expect("utf-8")])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("serve starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("url line");
    let port = line
        .split("http://127.0.0.1:")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .and_then(|p| p.parse().ok())
        .expect("a port");
    (Server(child), port)
}

fn events(port: u16) -> mpsc::Receiver<(String, Instant)> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connects");
    write!(s, "GET /__guardrail/events HTTP/1.1\r\nHost: localhost\r\n\r\n").expect("request");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(s).lines() {
            let Ok(line) = line else { break };
            if let Some(name) = line.strip_prefix("event: ") {
                if tx.send((name.to_string(), Instant::now())).is_err() {
                    break;
                }
            }
        }
    });
    rx
}

fn wait(rx: &mpsc::Receiver<(String, Instant)>, name: &str) -> Instant {
    loop {
        let (n, at) = rx.recv_timeout(Duration::from_secs(60)).expect("an event");
        if n == name {
            return at;
        }
    }
}

fn measure(label: &str, root: &Path, page: &Path, runs: usize) {
    let (_server, port) = start(root);
    let rx = events(port);
    wait(&rx, "hello");
    let original = std::fs::read_to_string(page).expect("page");
    let mut times = Vec::new();
    for i in 0..runs {
        std::thread::sleep(Duration::from_millis(150));
        let started = Instant::now();
        std::fs::write(page, format!("{original}\nEdited line {i}.\n")).expect("edit");
        let at = wait(&rx, "reload");
        times.push(at.duration_since(started));
    }
    std::fs::write(page, original).expect("restore");
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "{label}: save to reload event, median {:.1} ms, p90 {:.1} ms, min {:.1} ms ({runs} edits)",
        ms(times[times.len() / 2]),
        ms(times[times.len() * 9 / 10]),
        ms(times[0])
    );
}

fn main() {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let runs: usize = std::env::var("GUARDRAIL_BENCH_RUNS").ok().and_then(|s| s.parse().ok()).unwrap_or(20);

    // The repository's site, copied so that editing it does not touch the repository.
    let copy = std::env::temp_dir().join("guardrail-bench-serve-repo");
    let _ = std::fs::remove_dir_all(&copy);
    std::fs::create_dir_all(copy.join("content")).expect("dir");
    for e in std::fs::read_dir(repo.join("content")).expect("content") {
        let p = e.expect("entry").path();
        std::fs::copy(&p, copy.join("content").join(p.file_name().expect("name"))).expect("copy");
    }
    std::fs::write(
        copy.join("guardrail.toml"),
        format!(
            "title = \"XKS\"\n[paths]\npolicies = \"{}\"\ntheme = \"{}\"\n",
            repo.join("policies").display(),
            repo.join("theme").display()
        ),
    )
    .expect("config");
    measure("repository site, content/security.md", &copy, &copy.join("content/security.md"), runs);

    let big = std::env::temp_dir().join("guardrail-bench-serve-1000");
    corpus::generate(&big, 1000, &repo);
    measure("generated 1,000-page site, one page", &big, &big.join("content/docs/page-507.md"), runs);
}
