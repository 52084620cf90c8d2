//! `guardrail build` and `guardrail check` end to end: golden diagnostics for every failure kind, snapshots of
//! rendered HTML, atomic output, determinism, and the seed page's conflict markers.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use guardrail_testkit::copy_tree;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn guardrail(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_guardrail")).args(args).env("NO_COLOR", "1").output().expect("runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A site in a fresh temporary folder using the repository's policies and theme, with `pages` as content.
fn site(name: &str, pages: &[(&str, &str)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("guardrail-site-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("content")).expect("temp dir");
    let r = repo();
    std::fs::write(
        dir.join("guardrail.toml"),
        format!(
            "title = \"Test\"\n[paths]\npolicies = \"{}\"\ntheme = \"{}\"\n",
            r.join("policies").display(),
            r.join("theme").display()
        ),
    )
    .expect("config");
    for (rel, body) in pages {
        let p = dir.join("content").join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("dirs");
        std::fs::write(p, body).expect("page");
    }
    dir
}

fn bless() -> bool {
    std::env::var_os("GUARDRAIL_BLESS").is_some()
}

/// Compares `actual` with the golden file, or rewrites it under GUARDRAIL_BLESS=1.
fn golden(path: &Path, actual: &str) {
    if bless() {
        std::fs::write(path, actual).expect("bless");
        return;
    }
    let expected = std::fs::read_to_string(path).unwrap_or_else(|_| panic!("missing golden file {}", path.display()));
    assert_eq!(
        actual,
        expected,
        "{} differs (run with GUARDRAIL_BLESS=1 to update after checking the new output)",
        path.display()
    );
}

#[test]
fn every_failure_kind_has_its_exact_diagnostic() {
    let cases = repo().join("tests/fixtures/diagnostics");
    let mut names: Vec<_> =
        std::fs::read_dir(&cases).expect("fixtures").map(|e| e.expect("entry").file_name()).collect();
    names.sort();
    assert!(names.len() >= 8, "{names:?}");
    for name in names {
        let name = name.to_string_lossy().into_owned();
        let body = std::fs::read_to_string(cases.join(&name).join("page.md")).expect("page.md");
        // Other files of the case (cluster state an example names with `policies=`) go beside the page.
        let mut files = vec![("page.md".to_string(), body)];
        for entry in std::fs::read_dir(cases.join(&name)).expect("case") {
            let file = entry.expect("entry").file_name().to_string_lossy().into_owned();
            if file != "page.md" && file != "expected.txt" {
                files.push((file.clone(), std::fs::read_to_string(cases.join(&name).join(&file)).expect("file")));
            }
        }
        let pages: Vec<(&str, &str)> = files.iter().map(|(n, b)| (n.as_str(), b.as_str())).collect();
        let root = site(&name, &pages);
        let out = guardrail(&["check", "--root", root.to_str().expect("utf-8")]);
        assert_eq!(out.status.code(), Some(1), "{name}: {}", text(&out.stderr));
        assert!(out.stdout.is_empty());
        golden(&cases.join(&name).join("expected.txt"), &text(&out.stderr));
        let json = guardrail(&["check", "--format", "json", "--root", root.to_str().expect("utf-8")]);
        assert_eq!(json.status.code(), Some(1));
        for line in text(&json.stdout).lines() {
            let v: serde_json::Value = serde_json::from_str(line).expect("one JSON object per line");
            assert_eq!(v["file"], "content/page.md", "{name}");
            assert!(v["line"].as_u64().is_some_and(|l| l > 0));
        }
        let _ = std::fs::remove_dir_all(root);
    }
}

#[test]
fn the_seed_page_fails_on_every_conflict_marker() {
    // The page as the user gave it (shared/seed/security.md), kept byte for byte so a clone tests it alone.
    let seed = repo().join("tests/fixtures/seed/security.md");
    let body = std::fs::read_to_string(&seed).expect("the seed page is in tests/fixtures/seed");
    let root = site("seed", &[("security.md", &body)]);
    let out = guardrail(&["check", "--root", root.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    let marker_lines: Vec<usize> = body
        .lines()
        .enumerate()
        .filter(|(_, l)| l.starts_with("<<<<<<<") || l.starts_with("=======") || l.starts_with(">>>>>>>"))
        .map(|(i, _)| i + 1)
        .collect();
    assert_eq!(marker_lines.len(), 9);
    for n in &marker_lines {
        assert!(err.contains(&format!("--> content/security.md:{n}:1\n")), "line {n} not named:\n{err}");
    }
    assert_eq!(err.matches("unresolved merge-conflict marker").count(), marker_lines.len(), "{err}");
    // And its basic snippet (drop: [NET_RAW]) is refused by the set XKS deploys.
    assert!(err.contains("got: rejected by K8sPSPCapabilities (psp-capabilities)"), "{err}");
    // The first run's summary: the page's problems by class.
    assert!(
        err.trim_end().ends_with(
            "check found 10 problems; nothing was written\n      1  broken promises: the cluster judges an example otherwise than its page says\n      9  files that do not parse (YAML, MDX, front matter, configuration)"
        ),
        "{err}"
    );
}

fn read_tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("readable") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).expect("inside").to_string_lossy().into_owned();
                out.insert(rel, std::fs::read(&p).expect("file"));
            }
        }
    }
    out
}

#[test]
fn the_fixture_site_renders_as_its_snapshots() {
    let root = repo().join("tests/fixtures/site");
    let out = std::env::temp_dir().join(format!("guardrail-snap-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let run = guardrail(&["build", "--root", root.to_str().expect("utf-8"), "--out", out.to_str().expect("utf-8")]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    assert!(text(&run.stderr).starts_with("built 2 pages, 2 examples checked;"), "{}", text(&run.stderr));
    let tree = read_tree(&out);
    for page in ["index.html", "guides/writing/index.html"] {
        let html = text(&tree[page]);
        let snap = root.join("expected").join(page.replace('/', "__"));
        golden(&snap, &html);
    }
    // Static files keep their paths (robots.txt where crawlers look for it); theme assets are content-hashed.
    assert_eq!(text(&tree["robots.txt"]), std::fs::read_to_string(root.join("static/robots.txt")).expect("robots"));
    assert!(tree.keys().any(|k| k.starts_with("assets/site.") && k.ends_with(".css")), "{:?}", tree.keys());
    assert!(tree.contains_key("sitemap.xml") && tree.contains_key("404.html"));
    assert!(text(&tree["sitemap.xml"]).contains("<loc>/docs/guides/writing/</loc>"));
    // Built twice, the site is byte-for-byte the same.
    let again = std::env::temp_dir().join(format!("guardrail-snap2-{}", std::process::id()));
    let run = guardrail(&["build", "--root", root.to_str().expect("utf-8"), "--out", again.to_str().expect("utf-8")]);
    assert_eq!(run.status.code(), Some(0));
    assert!(read_tree(&again) == tree, "two builds of the same input differ");
    let _ = std::fs::remove_dir_all(out);
    let _ = std::fs::remove_dir_all(again);
}

#[test]
fn a_failed_build_leaves_the_previous_site_untouched() {
    let good = "---\ntitle: Page\n---\n\n```yaml\nhostNetwork: false\n```\n";
    let root = site("atomic", &[("page.md", good)]);
    let out = root.join("public");
    let first = guardrail(&["build", "--root", root.to_str().expect("utf-8")]);
    assert_eq!(first.status.code(), Some(0), "{}", text(&first.stderr));
    let before = read_tree(&out);
    assert!(before.contains_key("page/index.html"));
    std::fs::write(root.join("content/page.md"), good.replace("hostNetwork: false", "hostNetwork: true"))
        .expect("edit");
    std::fs::write(root.join("content/other.md"), "# Other\n").expect("new page");
    let second = guardrail(&["build", "--root", root.to_str().expect("utf-8")]);
    assert_eq!(second.status.code(), Some(1));
    assert!(read_tree(&out) == before, "the previous site changed");
    let leftovers: Vec<_> = std::fs::read_dir(&root).expect("root").map(|e| e.expect("e").file_name()).collect();
    assert_eq!(leftovers.len(), 3, "no temporary folder is left behind: {leftovers:?}");
    let _ = std::fs::remove_dir_all(root);
}

#[test]
fn the_repository_site_builds() {
    let out = std::env::temp_dir().join(format!("guardrail-repo-site-{}", std::process::id()));
    let run = guardrail(&["build", "--root", env!("CARGO_MANIFEST_DIR"), "--out", out.to_str().expect("utf-8")]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    let tree = read_tree(&out);
    let security = text(&tree["security/index.html"]);
    assert_eq!(
        security.matches("class=\"verdict verdict-admitted\"").count(),
        5,
        "the basic, Pod-level, improved and resources snippets and the Deployment are admitted as written"
    );
    assert_eq!(
        security.matches("class=\"verdict verdict-rejected\"").count(),
        2,
        "dropping NET_RAW alone, an unknown priority class"
    );
    assert_eq!(
        security.matches("class=\"verdict verdict-mutated\"").count(),
        3,
        "the two Pods of the token section and the Deployment's Pod"
    );
    // What the chain computes, not what the page claims: the ServiceAccount plugin mounts the token before
    // Gatekeeper's Assign sets automountServiceAccountToken, so only a manifest that says no keeps it out.
    let figure = |title: &str| {
        security
            .split("<figure class=\"example\"")
            .find(|f| f.contains(&format!(">{title}<")))
            .unwrap_or_else(|| panic!("no example titled {title}"))
            .to_string()
    };
    let token = figure("The token is mounted unless your manifest says no");
    assert!(
        token.contains("(changed by LimitRanger, ServiceAccount, Assign/xks-pod-automount-service-account-token"),
        "{token}"
    );
    assert!(token.contains("kube-api-access-"), "{token}");
    let no_token = figure("No token: the manifest says so");
    assert!(!no_token.contains("kube-api-access-"), "{no_token}");
    assert!(no_token.contains("no token mounted: the Pod sets automountServiceAccountToken: false"), "{no_token}");
    let priority = figure("A priority class the cluster does not have");
    assert!(priority.contains("The API server answers (the Priority admission plugin)"), "{priority}");
    assert!(priority.contains("no PriorityClass with name gold was found"), "{priority}");
    assert!(security.contains("(created by the replicaset-controller)"), "the Deployment's Pod is shown");
    assert!(security.contains("href=\"/playground/#yaml="));
    let writing = text(&tree["writing-examples/index.html"]);
    assert!(writing.contains("verdict-mutated"));
    assert!(writing.contains("Rejected by K8sPSPPrivilegedContainer"));
    // What admission added is marked, a run of lines at a time.
    assert!(writing.contains("<pre class=\"code diff\"><code><span>") && writing.contains("<ins>"));
    assert!(writing.contains("[psp-privileged-containers] Privileged container is not allowed: &lt;shell&gt;"));
    for page in ["policies/index.html", "policies/mutators/index.html", "policies/k8spspcapabilities/index.html"] {
        assert!(tree.contains_key(page), "{page}");
    }
    let check = guardrail(&["check", "--root", env!("CARGO_MANIFEST_DIR")]);
    assert_eq!(check.status.code(), Some(0), "{}", text(&check.stderr));
    let _ = std::fs::remove_dir_all(out);
}

/// Past 60 pages the sidebar keeps only the current page's group open; the other groups are their titles,
/// linking to their first page. Below that, every group is open on every page.
#[test]
fn a_big_sidebar_closes_the_other_groups() {
    let names: Vec<(String, String)> = ["alpha", "beta"]
        .iter()
        .flat_map(|g| {
            (0..31).map(move |i| {
                (format!("{g}/p{i:02}.md"), format!("---\ntitle: {g} {i}\nsidebar_position: {i}\n---\n\nText.\n"))
            })
        })
        .collect();
    let pages: Vec<(&str, &str)> = names.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
    let dir = site("bigsidebar", &pages);
    let out = dir.join("out");
    let built = guardrail(&["build", "--root", dir.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(built.status.success(), "{}", text(&built.stderr));
    let page = std::fs::read_to_string(out.join("alpha/p05/index.html")).expect("page");
    let sidebar = &page[page.find("<nav class=\"sidebar\"").unwrap()..];
    let sidebar = &sidebar[..sidebar.find("</nav>").unwrap()];
    assert!(sidebar.contains("href=\"/alpha/p30/\""), "its own group is open");
    assert!(sidebar.contains("aria-current=\"page\" class=\"current\">alpha 5<"), "{sidebar}");
    assert!(!sidebar.contains("href=\"/beta/p01/\""), "another group is closed");
    assert!(sidebar.contains("sidebar-closed\"><a href=\"/beta/p00/\">Beta</a> <span>31</span>"), "{sidebar}");
    // The whole sidebar, shared by every page, has both groups open.
    let nav = sidebar.split("data-nav=\"/").nth(1).and_then(|r| r.split('"').next()).expect("a shared sidebar");
    let whole = std::fs::read_to_string(out.join(nav)).expect("the shared sidebar");
    assert!(whole.contains("href=\"/beta/p01/\"") && whole.contains("href=\"/alpha/p30/\""), "{whole}");
    // 20 pages (30 with the generated policy reference) stay under the limit: every group open.
    let small = site("smallsidebar", &pages[..20]);
    let out = small.join("out");
    assert!(guardrail(&["build", "--root", small.to_str().unwrap(), "--out", out.to_str().unwrap()]).status.success());
    let page = std::fs::read_to_string(out.join("alpha/p05/index.html")).expect("page");
    assert!(page.contains("href=\"/policies/mutators/\""), "every group open on a small site");
    assert!(!page.contains("sidebar-closed"));
    let _ = std::fs::remove_dir_all(dir);
    let _ = std::fs::remove_dir_all(small);
}

/// A big site's page carries a window of its sidebar (the way to itself, each list cut to 40 items around it,
/// the rest counted), so a page's size does not grow with the site's; the whole sidebar is one shared,
/// content-hashed file the page names, holding every page.
#[test]
fn a_big_flat_folder_ships_its_sidebar_once() {
    let names: Vec<(String, String)> = (0..300)
        .map(|i| (format!("docs/p{i:03}.md"), format!("---\ntitle: Page {i:03}\n---\n\nText {i}.\n")))
        .collect();
    let pages: Vec<(&str, &str)> = names.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
    let dir = site("flatsidebar", &pages);
    let out = dir.join("out");
    let built = guardrail(&["build", "--root", dir.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(built.status.success(), "{}", text(&built.stderr));
    let sidebar_of = |page: &str| {
        let html = std::fs::read_to_string(out.join(page)).expect("page");
        let nav = &html[html.find("<nav class=\"sidebar\"").unwrap()..];
        nav[..nav.find("</nav>").unwrap()].to_string()
    };
    let sidebar = sidebar_of("docs/p150/index.html");
    assert_eq!(sidebar.matches("<li><a href=\"/docs/p").count(), 40, "{sidebar}");
    assert!(
        sidebar.contains("href=\"/docs/p150/\" data-page=\"150\" aria-current=\"page\" class=\"current\">Page 150<")
    );
    assert!(sidebar.contains("href=\"/docs/p130/\"") && sidebar.contains("href=\"/docs/p169/\""), "{sidebar}");
    assert!(!sidebar.contains("href=\"/docs/p129/\"") && !sidebar.contains("href=\"/docs/p170/\""));
    assert!(sidebar.contains("<li class=\"sidebar-more\">\u{2026} 130 more</li>"), "{sidebar}");
    assert!(sidebar.contains("<li class=\"sidebar-more\">\u{2026} 130 more</li>\n</ul>"), "{sidebar}");
    // The first page's window starts at the top; every page names the same shared file.
    let first = sidebar_of("docs/p000/index.html");
    assert!(first.contains("href=\"/docs/p039/\"") && !first.contains("href=\"/docs/p040/\""), "{first}");
    let nav_url = |s: &str| s.split("data-nav=\"").nth(1).and_then(|r| r.split('"').next()).map(str::to_string);
    let url = nav_url(&sidebar).expect("a shared sidebar");
    assert_eq!(nav_url(&first).as_deref(), Some(url.as_str()));
    assert!(url.starts_with("/assets/nav-0.") && url.ends_with(".html"), "{url}");
    let whole = std::fs::read_to_string(out.join(url.trim_start_matches('/'))).expect("the shared sidebar");
    for i in 0..300 {
        assert!(whole.contains(&format!("href=\"/docs/p{i:03}/\" data-page=\"")), "page {i}");
    }
    assert!(!whole.contains("current"), "no page is current in the shared file");
    // A page of a site ten times bigger is no bigger: its window has the same size.
    assert!(sidebar.len() < 6_000, "{} bytes", sidebar.len());
    let _ = std::fs::remove_dir_all(dir);
}

/// A site in a fresh folder with a copy of the repository's policies (to add to), the repository's theme, and
/// `extra` appended to its `guardrail.toml`.
fn site_with_policies(tag: &str, extra: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("guardrail-site-{}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    copy_tree(&repo().join("policies"), &dir.join("policies"));
    std::fs::create_dir_all(dir.join("content")).expect("dir");
    std::fs::write(
        dir.join("guardrail.toml"),
        format!("title = \"T\"\n[paths]\ntheme = \"{}\"\n{extra}", repo().join("theme").display()),
    )
    .expect("config");
    dir
}

/// Every folder `guardrail.toml` names is the one used: links, static files, the theme, the policies, and
/// the labels of diagnostics.
#[test]
fn every_folder_can_be_renamed() {
    let dir = std::env::temp_dir().join(format!("guardrail-site-{}-renamed", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    copy_tree(&repo().join("theme"), &dir.join("look"));
    copy_tree(&repo().join("policies"), &dir.join("rules"));
    std::fs::create_dir_all(dir.join("files/img")).expect("dir");
    std::fs::write(dir.join("files/img/logo.txt"), "logo").expect("static");
    std::fs::create_dir_all(dir.join("docs/guides")).expect("dir");
    std::fs::write(
        dir.join("guardrail.toml"),
        "title = \"Renamed\"\n[paths]\ncontent = \"docs\"\ntheme = \"look\"\nstatic = \"files\"\npolicies = \"rules\"\n",
    )
    .expect("config");
    std::fs::write(
        dir.join("docs/index.md"),
        "# Home\n\nSee [the guide](/guides/writing.md#details), [again](guides/writing.md) and [the logo](/img/logo.txt).\n\n```yaml\nhostNetwork: false\n```\n",
    )
    .expect("page");
    std::fs::write(
        dir.join("docs/guides/writing.md"),
        "---\ntitle: Writing\n---\n\n## Details\n\nBack [home](../index.md).\n",
    )
    .expect("page");
    let root = dir.to_str().expect("utf-8");
    let out = dir.join("out");
    let run = guardrail(&["build", "--root", root, "--out", out.to_str().expect("utf-8")]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    let tree = read_tree(&out);
    let home = text(&tree["index.html"]);
    assert!(home.contains("href=\"/guides/writing/#details\""), "{home}");
    assert!(home.contains("href=\"/guides/writing/\""), "{home}");
    assert!(tree.contains_key("img/logo.txt"), "the static file, at its own path");
    assert!(home.contains("href=\"/img/logo.txt\""), "{home}");
    assert!(text(&tree["guides/writing/index.html"]).contains("href=\"/\""));
    assert!(tree.contains_key("policies/k8spspcapabilities/index.html"), "the reference is made from rules/");

    // A link to a page that does not exist, and one that climbs out of the content folder.
    std::fs::write(dir.join("docs/bad.md"), "# Bad\n\n[nothing](/nope.md) and [outside](../../guardrail.md)\n")
        .expect("page");
    let run = guardrail(&["check", "--root", root]);
    assert_eq!(run.status.code(), Some(1));
    let err = text(&run.stderr);
    assert_eq!(err.matches("broken link: no page at").count(), 2, "{err}");
    assert!(err.contains("--> docs/bad.md:3:1"), "{err}");
    assert!(err.contains("link to a Markdown file of docs/"), "{err}");
    std::fs::remove_file(dir.join("docs/bad.md")).expect("rm");

    // Diagnostics name the theme's folder as configured.
    let page_html = dir.join("look/templates/page.html");
    let good = std::fs::read_to_string(&page_html).expect("template");
    std::fs::write(&page_html, "{% if %}").expect("break the template");
    let err = text(&guardrail(&["check", "--root", root]).stderr);
    assert!(err.contains("--> look/templates:1:1"), "{err}");
    std::fs::write(&page_html, good).expect("restore");

    #[cfg(unix)]
    {
        // Static files must be files, and the help names the configured folder.
        std::os::unix::fs::symlink("/etc/hostname", dir.join("files/link.txt")).expect("link");
        let run = guardrail(&["check", "--root", root]);
        assert_eq!(run.status.code(), Some(1));
        let err = text(&run.stderr);
        assert!(err.contains("error: files/link.txt is a symbolic link; static files must be regular files"), "{err}");
        assert!(err.contains("copy the file into files/ instead of linking it"), "{err}");
        std::fs::remove_file(dir.join("files/link.txt")).expect("unlink");

        // A link back up the tree is reported at the link instead of being walked until paths are absurd.
        std::os::unix::fs::symlink("..", dir.join("docs/guides/loop")).expect("link");
        let run = guardrail(&["check", "--root", root]);
        assert_eq!(run.status.code(), Some(1));
        let err = text(&run.stderr);
        assert!(err.contains("error: docs/guides/loop is a symbolic link to `..`, a folder that contains it"), "{err}");
        assert!(err.contains("--> docs/guides/loop:1:1"), "{err}");
        std::fs::remove_file(dir.join("docs/guides/loop")).expect("unlink");
    }
    assert_eq!(guardrail(&["check", "--root", root]).status.code(), Some(0));
    let _ = std::fs::remove_dir_all(dir);
}

/// Files whose bytes come from the compiler, not from the site's sources: the playground's WebAssembly, the
/// worker that carries wasm-bindgen's glue for it, and the page that names both by their hashes. They change
/// with every change to the engine and with the toolchain; the browser tests check what they do.
fn compiled(path: &str) -> bool {
    path == "playground/index.html"
        || path.starts_with("assets/playground/guardrail_playground.")
        || path.starts_with("assets/playground/worker.")
}

/// The repository's site, file by file: a refactoring must not change a byte of it. The pinned list is
/// `sha256sum`'s format; `GUARDRAIL_BLESS=1` rewrites it after a deliberate change of the output.
#[test]
fn the_repository_site_matches_its_pinned_digests() {
    use sha2::Digest;
    let out = std::env::temp_dir().join(format!("guardrail-repo-digest-{}", std::process::id()));
    let run = guardrail(&["build", "--root", env!("CARGO_MANIFEST_DIR"), "--out", out.to_str().expect("utf-8")]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    let tree = read_tree(&out);
    assert_eq!(tree.keys().filter(|k| compiled(k)).count(), 3, "{:?}", tree.keys());
    let mut lines = String::new();
    for (path, bytes) in tree.iter().filter(|(k, _)| !compiled(k)) {
        let digest: String = sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect();
        lines.push_str(&format!("{digest}  {path}\n"));
    }
    golden(&repo().join("tests/fixtures/repo-site.sha256"), &lines);
    let _ = std::fs::remove_dir_all(out);
}

/// With an ExpansionTemplate among the policies, a workload is judged by its resultant, as Gatekeeper's
/// expansion does: the Deployment itself is rejected, `[Implied by ...]`, and the reference lists the template.
#[test]
fn expansion_templates_judge_workloads_and_are_listed() {
    let dir = site_with_policies("expansion", "");
    std::fs::write(
        dir.join("policies/expansion.yaml"),
        "apiVersion: expansion.gatekeeper.sh/v1beta1\nkind: ExpansionTemplate\nmetadata:\n  name: expand-deployments\nspec:\n  applyTo:\n  - groups: [apps]\n    kinds: [Deployment]\n    versions: [v1]\n  templateSource: spec.template\n  generatedGVK: {group: \"\", version: v1, kind: Pod}\n",
    )
    .expect("template");
    let deployment = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: debug\nspec:\n  selector:\n    matchLabels: {app: debug}\n  template:\n    metadata:\n      labels: {app: debug}\n    spec:\n      containers:\n      - name: shell\n        image: busybox\n        securityContext:\n          privileged: true\n";
    std::fs::write(
        dir.join("content/index.md"),
        format!("# Home\n\n```yaml expect=deny violates=\"K8sPSPPrivilegedContainer\"\n{deployment}```\n"),
    )
    .expect("page");
    let out = dir.join("out");
    let run = guardrail(&["build", "--root", dir.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    let home = std::fs::read_to_string(out.join("index.html")).expect("page");
    assert!(home.contains("verdict-rejected\">Rejected by K8sPSPPrivilegedContainer"), "the Deployment itself");
    assert!(
        home.contains("[psp-privileged-containers] [Implied by expand-deployments] Privileged container"),
        "{home}"
    );
    assert!(home.contains("(expanded by expand-deployments)"), "the resultant is shown");
    let reference = std::fs::read_to_string(out.join("policies/index.html")).expect("reference");
    assert!(
        reference.contains("<code>expand-deployments</code></td><td>apps/v1 Deployment</td><td>v1 Pod</td>"),
        "{reference}"
    );
    // Without expect=deny, the build fails on the Deployment itself.
    std::fs::write(dir.join("content/index.md"), format!("# Home\n\n```yaml\n{deployment}```\n")).expect("page");
    let err = text(&guardrail(&["check", "--root", dir.to_str().unwrap()]).stderr);
    assert!(err.contains("error: example is rejected, but the page promises it is admitted"), "{err}");
    assert!(err.contains("[Implied by expand-deployments]"), "{err}");
    assert!(err.contains("--> content/index.md:19:11"), "at the field of the Pod template: {err}");
    let _ = std::fs::remove_dir_all(dir);
}

/// `[paths] policies` takes a list; what the sources hold that is not a policy is counted in the summary; a Helm
/// template among them is a diagnostic that says to render it.
#[test]
fn policy_sources_are_a_list_and_say_what_they_skipped() {
    let root = site("sources", &[("index.md", "# Home\n\n```yaml\nhostNetwork: false\n```\n")]);
    std::fs::create_dir_all(root.join("extra")).expect("dir");
    std::fs::write(
        root.join("extra/kustomization.yaml"),
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: []\n",
    )
    .expect("k");
    let config = std::fs::read_to_string(root.join("guardrail.toml")).expect("config");
    let policies = repo().join("policies");
    let config = config.replace(
        &format!("policies = \"{}\"", policies.display()),
        &format!("policies = [\"{}\", \"extra\"]", policies.display()),
    );
    std::fs::write(root.join("guardrail.toml"), &config).expect("config");
    let run = guardrail(&["check", "--root", root.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    assert!(
        text(&run.stderr).contains("1 example checked; policy sources: skipped 1 Kustomization, 16 Suite in"),
        "{}",
        text(&run.stderr)
    );
    std::fs::write(root.join("extra/chart.yaml"), "{{- if .Values.on }}\nkind: Assign\n{{- end }}\n").expect("chart");
    let run = guardrail(&["check", "--root", root.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(1));
    let err = text(&run.stderr);
    assert!(
        err.contains("error: policy does not load: invalid YAML") && err.contains("--> extra/chart.yaml:1:"),
        "{err}"
    );
    assert!(err.contains("= help: this looks like a Helm template: render the chart first"), "{err}");
    // --policies replaces the configuration's list.
    let run = guardrail(&["check", "--root", root.to_str().unwrap(), "--policies", policies.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    let _ = std::fs::remove_dir_all(root);
}

/// Cluster state from `[paths] cluster`: the Namespaces and their labels answer a constraint's
/// `namespaceSelector`, so the same example is judged differently in two namespaces; the playground gets them.
#[test]
fn cluster_state_judges_examples_by_their_namespace() {
    let dir = site_with_policies("cluster", "cluster = \"cluster\"\n");
    let constraint = dir.join("policies/host-network/constraint.yaml");
    let written = std::fs::read_to_string(&constraint).expect("constraint");
    assert!(written.contains("  match:\n"), "{written}");
    std::fs::write(
        &constraint,
        written.replace("  match:\n", "  match:\n    namespaceSelector:\n      matchLabels: {tier: tenant}\n"),
    )
    .expect("edit");
    std::fs::create_dir_all(dir.join("cluster")).expect("dir");
    std::fs::write(
        dir.join("cluster/namespaces.yaml"),
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels: {tier: tenant}\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: monitoring\n  labels: {tier: platform}\n",
    )
    .expect("namespaces");
    std::fs::write(
        dir.join("content/index.md"),
        "# Home\n\n```yaml namespace=shop expect=deny violates=\"K8sPSPHostNetwork\"\nhostNetwork: true\n```\n\n```yaml namespace=monitoring\nhostNetwork: true\n```\n",
    )
    .expect("page");
    let out = dir.join("out");
    let run = guardrail(&["build", "--root", dir.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    let home = std::fs::read_to_string(out.join("index.html")).expect("page");
    assert_eq!(home.matches("verdict-rejected").count(), 1, "{home}");
    let bundle = std::fs::read_dir(out.join("assets/playground"))
        .expect("playground")
        .map(|e| e.expect("e").path())
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with("policies."))
        .expect("bundle");
    let bundle: serde_json::Value = serde_json::from_slice(&std::fs::read(bundle).expect("read")).expect("json");
    let namespaces: Vec<&str> = bundle["cluster"]
        .as_array()
        .expect("cluster state")
        .iter()
        .filter(|o| o["object"]["kind"] == "Namespace")
        .filter_map(|o| o["object"]["metadata"]["name"].as_str())
        .collect();
    for ns in ["shop", "monitoring"] {
        assert!(namespaces.contains(&ns), "the playground judges with the same Namespaces: {namespaces:?}");
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// Exempt namespaces: Gatekeeper's Config (per process) and the webhook's own list from `guardrail.toml`; an
/// example there is not judged (or not mutated), and the page says why.
#[test]
fn examples_in_exempt_namespaces_say_why_they_are_not_judged() {
    let dir = site_with_policies("exempt", "[policies]\nexempt-namespaces = [\"flux-system\"]\n");
    std::fs::write(
        dir.join("policies/config.yaml"),
        "apiVersion: config.gatekeeper.sh/v1alpha1\nkind: Config\nmetadata:\n  name: config\n  namespace: gatekeeper-system\nspec:\n  match:\n  - excludedNamespaces: [kube-system, gatekeeper-system]\n    processes: ['*']\n  - excludedNamespaces: ['*-monitoring']\n    processes: [webhook]\n",
    )
    .expect("config object");
    let privileged = "securityContext:\n  privileged: true\n";
    std::fs::write(
        dir.join("content/index.md"),
        format!(
            "# Home\n\n```yaml namespace=kube-system\n{privileged}```\n\n```yaml namespace=team-monitoring\n{privileged}```\n\n```yaml namespace=flux-system\n{privileged}```\n\n```yaml namespace=shop expect=deny\n{privileged}```\n"
        ),
    )
    .expect("page");
    let out = dir.join("out");
    let run = guardrail(&["build", "--root", dir.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    let home = std::fs::read_to_string(out.join("index.html")).expect("page");
    assert!(home.contains("namespace kube-system is exempt from mutation and validation (Config config: excludedNamespaces `kube-system` for processes *)"), "{home}");
    assert!(home.contains("namespace team-monitoring is exempt from validation (Config config: excludedNamespaces `*-monitoring` for processes webhook)"), "{home}");
    assert!(home.contains("namespace flux-system is exempt from mutation and validation (the webhook&#39;s exempt namespaces (`flux-system`))"), "{home}");
    assert_eq!(home.matches("verdict-mutated\">").count(), 1, "team-monitoring is still mutated");
    assert_eq!(home.matches("verdict-rejected\">").count(), 1, "shop is judged");
    let _ = std::fs::remove_dir_all(dir);
}

/// Real docs hold YAML that is not a Kubernetes example: Helm values, a CI pipeline, configuration files no API
/// server serves. Those are shown as written, counted in the summary and listed with `--verbose` and in JSON, never
/// errors; an AdmissionReview is judged as gator judges it (its request's object, operation and user), and a JSON
/// block that is an API object is an example while a webhook's JSON answer is not.
#[test]
fn yaml_that_is_not_a_kubernetes_example_is_shown_and_counted() {
    let dir = site_with_policies("not-examples", "");
    let review = |op: &str, expect: &str| {
        format!(
            "```yaml {expect}\napiVersion: admission.k8s.io/v1\nkind: AdmissionReview\nrequest:\n  uid: \"1\"\n  operation: {op}\n  namespace: team\n  userInfo: {{username: alice}}\n  object:\n    apiVersion: v1\n    kind: Pod\n    metadata: {{name: p, namespace: team}}\n    spec:\n      hostNetwork: true\n      containers:\n      - {{name: app, image: nginx:1.27}}\n```\n"
        )
    };
    let page = format!(
        "# Home\n\n```yaml\nreplicaCount: 2\nimage:\n  repository: nginx\n```\n\n```yaml\nname: ci\non: [push]\njobs:\n  build: {{runs-on: ubuntu-latest}}\n```\n\n```yaml\napiVersion: apiserver.config.k8s.io/v1\nkind: AdmissionConfiguration\nplugins: []\n```\n\n```yaml\napiVersion: v1\nkind: Config\nclusters: []\n```\n\n```yaml\napiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [a.yaml]\n```\n\n{}\n```json\n{{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {{\"name\": \"j\"}}, \"spec\": {{\"containers\": [{{\"name\": \"a\", \"image\": \"nginx:1.27\", \"securityContext\": {{\"privileged\": true}}}}]}}}}\n```\n\n```json\n{{\"apiVersion\": \"admission.k8s.io/v1\", \"kind\": \"AdmissionReview\", \"response\": {{\"uid\": \"1\", \"allowed\": false}}}}\n```\n",
        review("CREATE", "expect=deny violates=\"K8sPSPHostNetwork\"")
    );
    std::fs::write(dir.join("content/index.md"), &page).expect("page");
    let out = dir.join("out");
    let run = guardrail(&["build", "-v", "--root", dir.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    let err = text(&run.stderr);
    // The JSON Pod is privileged: an example like any other, so the page must say so.
    assert_eq!(run.status.code(), Some(1), "{err}");
    assert!(err.contains("example is rejected, but the page promises it is admitted"), "{err}");
    assert!(err.contains("content/index.md:53:145"), "{err}");
    let fixed = page.replace("\"securityContext\": {\"privileged\": true}", "\"securityContext\": {}");
    std::fs::write(dir.join("content/index.md"), &fixed).expect("page");
    let run = guardrail(&["build", "-v", "--root", dir.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    let err = text(&run.stderr);
    assert_eq!(run.status.code(), Some(0), "{err}");
    assert!(err.contains("2 examples checked, 2 YAML blocks are not Kubernetes objects, 3 configuration files no API server serves: AdmissionConfiguration (kube-apiserver), Config (kubeconfig), Kustomization (kustomize)"), "{err}");
    assert!(err.contains("not an example: content/index.md:4: not a Kubernetes object: `replicaCount`, `image` are fields of no Kubernetes kind"), "{err}");
    assert!(
        err.contains(
            "not an example: content/index.md:17: an AdmissionConfiguration (kube-apiserver) configuration file"
        ),
        "{err}"
    );
    let home = std::fs::read_to_string(out.join("index.html")).expect("page");
    // Shown as written, with no verdict.
    assert!(home.contains("replicaCount"), "{home}");
    assert_eq!(home.matches("class=\"verdict ").count(), 2, "only the review and the JSON Pod are judged: {home}");
    let check = guardrail(&["check", "--format", "json", "--root", dir.to_str().unwrap()]);
    let out_json = text(&check.stdout);
    assert_eq!(check.status.code(), Some(0), "{out_json}");
    assert_eq!(out_json.matches("\"kind\":\"not-an-example\"").count(), 5, "{out_json}");
    // The review's promise is checked: without `expect=deny` the page is wrong.
    std::fs::write(
        dir.join("content/index.md"),
        fixed.replace(&review("CREATE", "expect=deny violates=\"K8sPSPHostNetwork\""), &review("CREATE", "")),
    )
    .expect("page");
    let check = guardrail(&["check", "--root", dir.to_str().unwrap()]);
    let err = text(&check.stderr);
    assert_eq!(check.status.code(), Some(1), "{err}");
    assert!(err.contains("example is rejected, but the page promises it is admitted"), "{err}");
    assert!(err.contains("[psp-host-network] Sharing the host network namespace is not allowed, pod: p"), "{err}");
    let _ = std::fs::remove_dir_all(dir);
}

/// An example that elides (`...`, `# ...`, `…`) is checked as far as it is shown: a field it shows wrong is still
/// refused, but what it left out (a Deployment's selector, a Pod's containers) is never missed. It is marked
/// partial on the page and counted.
#[test]
fn elided_examples_are_checked_as_far_as_shown() {
    let dir = site_with_policies("partial", "");
    let page = "# Partial\n\n```yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  ...\n  template:\n    spec:\n      # ...\n      containers:\n      - name: app\n        image: nginx:1.27\n        ...\n```\n\n```yaml\napiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  ...\n```\n\n```yaml expect=deny violates=\"K8sPSPHostNetwork\"\napiVersion: v1\nkind: Pod\nmetadata:\n  name: host\nspec:\n  hostNetwork: true\n  …\n```\n";
    std::fs::write(dir.join("content/index.md"), page).expect("page");
    let out = dir.join("out");
    let run = guardrail(&["build", "--root", dir.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    let err = text(&run.stderr);
    assert_eq!(run.status.code(), Some(0), "{err}");
    assert!(err.contains("3 examples checked, 3 partial (lines elided)"), "{err}");
    let home = std::fs::read_to_string(out.join("index.html")).expect("page");
    assert_eq!(home.matches("what is shown was checked\">Partial</span>").count(), 3, "{home}");
    // The page shows what was written, elisions included.
    assert!(home.contains("  ...") || home.contains("…"), "{home}");
    // What is shown is checked strictly.
    std::fs::write(
        dir.join("content/index.md"),
        page.replace(
            "        image: nginx:1.27\n        ...",
            "        image: nginx:1.27\n        resources: {request: {cpu: 1}}\n        ...",
        ),
    )
    .expect("page");
    let run = guardrail(&["check", "--root", dir.to_str().unwrap()]);
    let err = text(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{err}");
    assert!(err.contains("unknown field \"spec.template.spec.containers[0].resources.request\""), "{err}");
    assert!(err.contains("check found 1 problem"), "{err}");
    let _ = std::fs::remove_dir_all(dir);
}

/// `expect=refused` promises that the API server itself refuses an example (a removed API version, an unknown
/// field, a required field missing), with `reason=` words of its refusal; the page shows the refusal. A Pod the API
/// server takes and Gatekeeper refuses does not keep that promise, nor does a refusal for another reason.
#[test]
fn expect_refused_promises_the_api_servers_own_refusal() {
    let dir = site_with_policies("refused", "");
    let good = "# Migrations\n\n```yaml expect=refused reason=\"no matches for kind\"\napiVersion: batch/v1beta1\nkind: CronJob\nmetadata:\n  name: nightly\nspec:\n  schedule: \"0 1 * * *\"\n```\n\n```yaml expect=refused reason=\"unknown field\"\napiVersion: v1\nkind: Pod\nmetadata: {name: typo}\nspec:\n  containers:\n  - name: app\n    image: nginx:1.27\n    resources: {request: {cpu: 1}}\n```\n\n```yaml expect=refused reason=\"Required value\"\napiVersion: v1\nkind: Pod\nmetadata: {name: empty}\nspec: {}\n```\n";
    std::fs::write(dir.join("content/index.md"), good).expect("page");
    let out = dir.join("out");
    let run = guardrail(&["build", "--root", dir.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    let home = std::fs::read_to_string(out.join("index.html")).expect("page");
    assert_eq!(home.matches(">Refused by the API server</span>").count(), 3, "{home}");
    assert!(home.contains("no matches for kind &quot;CronJob&quot; in version &quot;batch/v1beta1&quot;"), "{home}");
    let bad = format!(
        "{good}\n```yaml expect=refused\napiVersion: v1\nkind: Pod\nmetadata: {{name: host}}\nspec:\n  hostNetwork: true\n  containers:\n  - {{name: app, image: nginx:1.27}}\n```\n\n```yaml expect=refused reason=\"forbidden\"\napiVersion: batch/v1beta1\nkind: CronJob\nmetadata: {{name: x}}\nspec: {{}}\n```\n"
    );
    std::fs::write(dir.join("content/index.md"), bad).expect("page");
    let run = guardrail(&["check", "--root", dir.to_str().unwrap()]);
    let err = text(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{err}");
    assert!(err.contains("the API server takes this example, but the page promises it refuses it"), "{err}");
    assert!(
        err.contains("got: rejected by Gatekeeper's webhook, after the API server took it: [psp-host-network]"),
        "{err}"
    );
    assert!(
        err.contains("the API server refuses this example, but not for the reason the page gives (`forbidden`)"),
        "{err}"
    );
    assert!(err.contains("check found 2 problems"), "{err}");
    let _ = std::fs::remove_dir_all(dir);
}

/// A fragment that could be a Pod spec's or a container's (`resources:` alone) is not "ambiguous" when both
/// readings refuse the same field: that field is the problem, with its did-you-mean (the typo XKS published); when
/// both take it, it is judged.
#[test]
fn a_field_every_reading_refuses_is_reported_not_the_ambiguity() {
    let dir = site_with_policies("readings", "");
    std::fs::write(
        dir.join("content/index.md"),
        "# Resources\n\n```yaml\nresources:\n  request:\n    cpu: 100m\n```\n\n```yaml\nresources:\n  requests:\n    cpu: 100m\n```\n\nAn Azure Pipelines `resources:` shares the key and nothing else:\n\n```yaml\nresources:\n  repositories:\n    - repository: templates\n      type: git\n      name: project1/azure-devops-templates\n      ref: refs/tags/2021.03.1\n```\n",
    )
    .expect("page");
    let run = guardrail(&["check", "-v", "--root", dir.to_str().unwrap()]);
    let err = text(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{err}");
    assert!(err.contains("unknown field \"spec.resources.request\""), "{err}");
    assert!(err.contains("--> content/index.md:5:3"), "{err}");
    assert!(err.contains("whether it is read as a podspec or a container, the API server refuses this field"), "{err}");
    assert!(err.contains("did you mean `requests`?"), "{err}");
    assert!(!err.contains("ambiguous"), "{err}");
    assert!(err.contains("check found 1 problem"), "{err}");
    assert!(
        err.contains("content/index.md:18: not a Kubernetes object: `resources` holds `repositories` and other fields of no Kubernetes kind"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// Pieces of objects that are not a Pod's, a Pod spec's, a container's or metadata (a webhook's rules, a CRD's
/// schema, a list of volumes) are counted as not checked, not called ambiguous; a `spec:` of a kind guardrail does
/// not know is not taken for a Pod; a fragment of a container list that leaves out names is not refused for them.
#[test]
fn pieces_of_other_objects_are_counted_not_errors() {
    let dir = site_with_policies("pieces", "");
    let page = "# Pieces\n\n```yaml\n- emptyDir:\n    medium: Memory\n```\n\n```yaml\nopenAPIV3Schema:\n  properties:\n    labels: {type: array}\n```\n\n```yaml\nnamespaceSelector:\n  matchExpressions:\n  - {key: admission.gatekeeper.sh/ignore, operator: DoesNotExist}\n```\n\n```yaml\nspec:\n  targets:\n  - target: admission.k8s.gatekeeper.sh\n```\n\n```yaml\ncontainers:\n- args: [--port=443]\n  ports:\n  - {containerPort: 443}\n```\n";
    std::fs::write(dir.join("content/index.md"), page).expect("page");
    let run = guardrail(&["check", "-v", "--root", dir.to_str().unwrap()]);
    let err = text(&run.stderr);
    assert_eq!(run.status.code(), Some(0), "{err}");
    // The list of volumes and the `containers:` are placed in a Pod and admitted; the CRD's schema and the
    // webhook's selector decode as what has their fields; the template's `spec` is Gatekeeper's, not checked.
    assert!(err.contains("2 examples checked, 2 pieces of other objects decoded, 1 YAML block not checked"), "{err}");
    assert!(err.contains("content/index.md:9: a piece of a CustomResourceValidation: its fields decode"), "{err}");
    assert!(
        err.contains("content/index.md:15: a piece of a MatchResources, MutatingWebhook, ValidatingWebhook or "),
        "{err}"
    );
    assert!(
        err.contains("content/index.md:21: a piece of a Gatekeeper ConstraintTemplate spec: shown, not checked"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// A piece of an object that every definition with its fields refuses at one field is an error at that field,
/// with the field it most likely meant: a list of volumes placed in a Pod, an object's `metadata` alone, a
/// constraint's `match` and `parameters` read by the loaded templates' constraint kinds, a webhook rule with a
/// misspelt key; a whole constraint is decoded against the CRD Gatekeeper makes for its template.
#[test]
fn pieces_are_refused_at_the_field_every_reading_refuses() {
    let dir = site_with_policies("piece-errors", "");
    let page = "# Pieces\n\n```yaml\n- name: data\n  emptyDir:\n    medum: Memory\n```\n\n```yaml\nmetadata:\n  name: web\n  lables: {app: web}\n```\n\n```yaml\nmatch:\n  kinds: [{apiGroups: [\"\"], kinds: [Pod]}]\n  excludeNamespaces: [kube-system]\n```\n\n```yaml\nspec:\n  parameters:\n    allowedCapabilities: NET_ADMIN\n```\n\n```yaml\noperations: [CREATE]\napiGroup: [\"\"]\nresources: [pods]\n```\n\n```yaml\napiVersion: constraints.gatekeeper.sh/v1beta1\nkind: K8sPSPCapabilities\nmetadata:\n  name: caps\nspec:\n  enforcementActon: deny\n```\n";
    std::fs::write(dir.join("content/index.md"), page).expect("page");
    let run = guardrail(&["check", "--format", "json", "--root", dir.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(1), "{}", text(&run.stderr));
    let out = text(&run.stdout);
    let errors: Vec<serde_json::Value> = out
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|d| d["severity"] == "error")
        .collect();
    let at: Vec<(u64, String)> = errors
        .iter()
        .map(|d| {
            let help = d["help"].as_str().or_else(|| d["helps"][0].as_str()).unwrap_or("").to_string();
            (d["line"].as_u64().unwrap_or(0), format!("{} | {help}", d["message"].as_str().unwrap_or("")))
        })
        .collect();
    let expect = [
        (6, "medum", "did you mean `medium`?"),
        (12, "lables", "did you mean `labels`?"),
        (18, "excludeNamespaces", "did you mean `excludedNamespaces`?"),
        (24, "allowedCapabilities", ""),
        (29, "apiGroup", "did you mean `apiGroups`?"),
        (39, "enforcementActon", "did you mean `enforcementAction`?"),
    ];
    assert_eq!(at.len(), expect.len(), "{out}");
    for ((line, got), (want_line, field, help)) in at.iter().zip(expect) {
        assert_eq!(*line, want_line, "{got}");
        assert!(got.contains(field) && got.contains(help), "{got}");
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// A template with only CEL code judges examples as Gatekeeper does, and on a 1.37 cluster whose Gatekeeper
/// generates ValidatingAdmissionPolicies (its default flags) the API server answers first, in its own words; a
/// writer names the rule (the constraint's kind) either way. A platform team's own ValidatingAdmissionPolicy is
/// named by its stage.
#[test]
fn cel_templates_and_admission_policies_judge_examples() {
    let dir = site_with_policies("cel", "");
    std::fs::write(
        dir.join("policies/cel.yaml"),
        "apiVersion: templates.gatekeeper.sh/v1\nkind: ConstraintTemplate\nmetadata:\n  name: k8scelteam\nspec:\n  crd:\n    spec:\n      names:\n        kind: K8sCelTeam\n  targets:\n  - target: admission.k8s.gatekeeper.sh\n    code:\n    - engine: K8sNativeValidation\n      source:\n        validations:\n        - expression: \"has(object.metadata.labels) && 'team' in object.metadata.labels\"\n          messageExpression: \"'pod ' + object.metadata.name + ' needs a team label'\"\n---\napiVersion: constraints.gatekeeper.sh/v1beta1\nkind: K8sCelTeam\nmetadata:\n  name: team-label\nspec:\n  match:\n    kinds:\n    - apiGroups: [\"\"]\n      kinds: [Pod]\n---\napiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicy\nmetadata:\n  name: configmap-size\nspec:\n  matchConstraints:\n    resourceRules:\n    - {apiGroups: [\"\"], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [configmaps]}\n  validations:\n  - expression: \"!has(object.data) || size(object.data) <= 2\"\n    message: at most two keys\n---\napiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingAdmissionPolicyBinding\nmetadata:\n  name: configmap-size\nspec:\n  policyName: configmap-size\n  validationActions: [Deny]\n",
    )
    .expect("cel");
    std::fs::write(
        dir.join("content/index.md"),
        "# Home\n\n```yaml\nkind: ConfigMap\napiVersion: v1\nmetadata:\n  name: c\ndata: {a: x}\n```\n\n```yaml expect=deny violates=\"ValidatingAdmissionPolicy\"\nkind: ConfigMap\napiVersion: v1\nmetadata:\n  name: big\ndata: {a: one, b: two, c: three}\n```\n\n```yaml expect=deny violates=\"K8sCelTeam\"\nhostNetwork: false\n```\n",
    )
    .expect("page");
    let out = dir.join("out");
    let run = guardrail(&["build", "--root", dir.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    let home = std::fs::read_to_string(out.join("index.html")).expect("page");
    assert!(
        home.contains("ValidatingAdmissionPolicy &#39;gatekeeper-k8scelteam&#39; with binding &#39;gatekeeper-k8scelteam-team-label&#39; denied request: pod "),
        "{home}"
    );
    assert!(
        home.contains("configmaps \"big\" is forbidden: ValidatingAdmissionPolicy &#39;configmap-size&#39; with binding &#39;configmap-size&#39; denied request: at most two keys")
            || home.contains("configmaps &quot;big&quot; is forbidden: ValidatingAdmissionPolicy &#39;configmap-size&#39; with binding &#39;configmap-size&#39; denied request: at most two keys"),
        "{home}"
    );
    assert!(!home.contains("Not checked by guardrail"), "{home}");
    // The same page promising the Rego-era words fails the check, naming the stage that answered.
    std::fs::write(dir.join("content/index.md"), "# Home\n\n```yaml\nhostNetwork: false\n```\n").expect("page");
    let check = guardrail(&["check", "--root", dir.to_str().unwrap()]);
    assert_eq!(check.status.code(), Some(1), "{}", text(&check.stderr));
    let err = text(&check.stderr);
    assert!(err.contains("example is rejected, but the page promises it is admitted"), "{err}");
    assert!(err.contains("ValidatingAdmissionPolicy"), "{err}");
    let _ = std::fs::remove_dir_all(dir);
}

/// Rules that do not refuse are still shown: `warn` messages as kubectl prints them, `dryrun` ones as the audit
/// finds them on a stored whole object (not on a rejected one, which is never stored, nor on a fragment, whose
/// Pod guardrail made up). A fragment's chip and "changed by" list only what changed inside it.
#[test]
fn warn_and_dryrun_findings_are_shown_where_the_cluster_shows_them() {
    let dir = site_with_policies("not-enforced", "");
    std::fs::write(
        dir.join("policies/warn-volumes.yaml"),
        "apiVersion: constraints.gatekeeper.sh/v1beta1\nkind: K8sPSPVolumeTypes\nmetadata:\n  name: warn-volumes\nspec:\n  enforcementAction: warn\n  match:\n    kinds:\n    - apiGroups: [\"\"]\n      kinds: [Pod]\n  parameters:\n    volumes: [configMap]\n",
    )
    .expect("constraint");
    let pod = |name: &str, spec: &str| {
        format!(
            "```yaml expect=admit\napiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\nspec:\n{spec}  containers:\n  - name: app\n    image: nginx\n```\n\n"
        )
    };
    let page = format!(
        "# Page\n\n```yaml\nsecurityContext:\n  allowPrivilegeEscalation: false\n  capabilities:\n    drop: [ALL]\n  readOnlyRootFilesystem: true\n```\n\n{}{}```yaml expect=deny violates=\"K8sPSPHostNetwork\"\napiVersion: v1\nkind: Pod\nmetadata:\n  name: refused\nspec:\n  hostNetwork: true\n  containers:\n  - name: app\n    image: nginx\n```\n",
        pod("plain", ""),
        pod("scratch", "  volumes:\n  - name: tmp\n    emptyDir: {}\n"),
    );
    std::fs::write(dir.join("content/index.md"), page).expect("page");
    let out = dir.join("out");
    let run = guardrail(&["build", "--root", dir.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    let html = text(&std::fs::read(out.join("index.html")).expect("page"));
    let figures: Vec<&str> = html.split("<figure class=\"example\"").skip(1).collect();
    assert_eq!(figures.len(), 4);
    let audit = "Reported by Gatekeeper&#39;s audit";
    // The fragment: the Pod-level defaults went to the made-up Pod, so the fragment is admitted as written.
    assert!(figures[0].contains("verdict-admitted\">Admitted<"), "{}", figures[0]);
    assert!(!figures[0].contains(audit) && !figures[0].contains("changed by"), "{}", figures[0]);
    // A whole Pod: mutated, and the audit reports its missing readiness probe.
    assert!(figures[1].contains("Admitted with changes"), "{}", figures[1]);
    assert!(figures[1].contains("xks-pod-seccomp-profile"), "{}", figures[1]);
    assert!(figures[1].contains(audit), "{}", figures[1]);
    assert!(figures[1].contains("[required-readiness-probe] Container &lt;app&gt; in your &lt;Pod&gt; &lt;plain&gt;"));
    // Its only warning is the cluster's own doing: the API server's ServiceAccount plugin mounted the token as a
    // projected volume, which the warn constraint (configMap only) names.
    assert_eq!(figures[1].matches("<code>Warning: ").count(), 1, "{}", figures[1]);
    assert!(
        figures[1].contains("<code>Warning: [warn-volumes] Projected volume &lt;kube-api-access-"),
        "{}",
        figures[1]
    );
    // The warn constraint: admitted, with the warning kubectl would print.
    assert!(figures[2].contains("The API server warns"), "{}", figures[2]);
    assert!(
        figures[2].contains("<code>Warning: [warn-volumes] EmptyDir volume &lt;tmp&gt; is not allowed"),
        "{}",
        figures[2]
    );
    // Refused: never stored, so nothing for the audit to find.
    assert!(figures[3].contains("Rejected by K8sPSPHostNetwork"), "{}", figures[3]);
    assert!(!figures[3].contains(audit), "{}", figures[3]);
    let _ = std::fs::remove_dir_all(dir);
}

/// A site written the way Docusaurus sites are (docs/ beside sidebars.js, MDX imports, Tabs, details,
/// useBaseUrl images, links with and without extensions, a `deployment.yaml` fence, a Kubernetes object shown
/// with `novalidate`, a `_category_.json`, number prefixes, draft and unlisted pages, under /docs/) builds with
/// no diagnostics, and renders as its snapshots.
#[test]
fn a_docusaurus_site_builds_as_it_is_written() {
    let root = repo().join("tests/fixtures/docusaurus");
    let out = std::env::temp_dir().join(format!("guardrail-docusaurus-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let run = guardrail(&["build", "--root", root.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    assert!(text(&run.stderr).starts_with("built 8 pages, 3 examples checked;"), "{}", text(&run.stderr));
    let tree = read_tree(&out);
    for page in [
        "index.html",
        "xks/developer-guide/introduction/index.html",
        "xks/developer-guide/getting-started/index.html",
        "xks/operator-guide/index.html",
        "xks/operator-guide/agents/index.html",
        "reference/limits/index.html",
        "reference/unlisted/index.html",
    ] {
        let html = text(&tree[page]);
        golden(&repo().join("tests/fixtures/docusaurus-expected").join(page.replace('/', "__")), &html);
        // Every page link stays under the base path.
        for href in html.split("href=\"").skip(1).map(|h| &h[..h.find('"').unwrap()]) {
            assert!(
                href.starts_with("/docs/") || href.starts_with('#') || href.starts_with("https://"),
                "{page}: {href}"
            );
        }
    }
    // No page has the root URL here (intro has `slug: /`), so the root is the home page; a docs folder without one
    // gets a root that leads to the first page (tested below).
    assert!(!text(&tree["index.html"]).contains("http-equiv=\"refresh\""));
    // The draft was checked and is not published; the unlisted page is published but listed nowhere.
    assert!(!tree.keys().any(|k| k.contains("draft")), "{:?}", tree.keys());
    let sitemap = text(&tree["sitemap.xml"]);
    assert!(sitemap.contains("/docs/reference/limits/") && !sitemap.contains("unlisted"), "{sitemap}");
    assert!(!text(&tree["index.html"]).contains("Not listed"));
    let search: String = tree.iter().filter(|(k, _)| k.starts_with("assets/search/")).map(|(_, v)| text(v)).collect();
    assert!(search.contains("Limits"), "the search index holds the pages");
    assert!(!search.contains("Not listed") && !search.contains("Work in progress"));
    let _ = std::fs::remove_dir_all(out);
}

/// What a sidebars file cannot say statically, and a doc id it names that does not exist, are errors at their
/// place in the file.
#[test]
fn an_unreadable_sidebars_file_is_an_error_at_its_place() {
    let root = site("sidebars", &[("intro.md", "# Intro\n"), ("guide/a.md", "# A\n")]);
    let cases = [
        ("unreadable", "const items = require('./items');\nmodule.exports = {\n  docs: ['intro', ...items],\n};\n"),
        (
            "unknown-id",
            "module.exports = {\n  docs: [\n    'intro',\n    {type: 'category', label: 'Guide', items: ['guide/b']},\n  ],\n};\n",
        ),
    ];
    let mut all = String::new();
    for (name, js) in cases {
        std::fs::write(root.join("sidebars.js"), js).expect("sidebars");
        let out = guardrail(&["check", "--root", root.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1), "{name}");
        all.push_str(&format!("== {name}\n{}", text(&out.stderr)));
    }
    golden(&repo().join("tests/fixtures/docusaurus-expected/sidebars-errors.txt"), &all);
    // With a readable file, the sidebar follows it: `guide/a` is listed, `intro` is not.
    std::fs::write(
        root.join("sidebars.js"),
        "module.exports = {docs: [{type: 'doc', id: 'guide/a', label: 'Only A'}]};\n",
    )
    .expect("sidebars");
    let out = root.join("out");
    let run = guardrail(&["build", "--root", root.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    let html = text(&std::fs::read(out.join("guide/a/index.html")).expect("page"));
    let nav = &html[html.find("<nav class=\"sidebar\"").unwrap()..];
    let nav = &nav[..nav.find("</nav>").unwrap()];
    assert!(nav.contains(">Only A</a>") && !nav.contains(">Intro</a>"), "{nav}");
    let _ = std::fs::remove_dir_all(root);
}

fn git(dir: &Path, args: &[&str]) {
    let ok = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_AUTHOR_DATE", "2025-04-03T12:00:00Z")
        .env("GIT_COMMITTER_DATE", "2025-04-03T12:00:00Z")
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .output()
        .expect("git runs")
        .status
        .success();
    assert!(ok, "git {args:?}");
}

/// `edit-url` gives every page an "Edit this page" link (`custom_edit_url` overrides it, `null` removes it);
/// `show-last-updated` shows the date of the page's last commit (`last_update` overrides it), and outside a git
/// checkout says why there are no dates.
#[test]
fn edit_links_and_last_updated_dates() {
    let root = site(
        "edit",
        &[
            ("a.md", "# A\n"),
            ("b.md", "---\ncustom_edit_url: null\nlast_update:\n  date: 2020-02-02\n---\n# B\n"),
            ("c.md", "---\ncustom_edit_url: https://example.com/elsewhere\n---\n# C\n"),
        ],
    );
    let config = std::fs::read_to_string(root.join("guardrail.toml")).expect("config");
    std::fs::write(
        root.join("guardrail.toml"),
        config.replace(
            "title = \"Test\"\n",
            "title = \"Test\"\nedit-url = \"https://github.com/org/docs/edit/main/\"\nshow-last-updated = true\n",
        ),
    )
    .expect("config");
    // Not a git checkout: built, with a warning, and no dates from git.
    let out = root.join("out");
    let run = guardrail(&["build", "--root", root.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    assert!(
        text(&run.stderr).contains("warning: show-last-updated:") && text(&run.stderr).contains("not a git checkout"),
        "{}",
        text(&run.stderr)
    );
    let page = |p: &str| text(&std::fs::read(out.join(p)).expect("page"));
    assert!(!page("a/index.html").contains("Last updated"));
    git(&root, &["init", "-q"]);
    git(&root, &["add", "content"]);
    git(&root, &["commit", "-q", "-m", "docs"]);
    let run = guardrail(&["build", "--root", root.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    assert!(!text(&run.stderr).contains("warning"), "{}", text(&run.stderr));
    let a = page("a/index.html");
    assert!(a.contains("<a class=\"edit-link\" href=\"https:&#x2F;&#x2F;github.com&#x2F;org&#x2F;docs&#x2F;edit&#x2F;main&#x2F;content&#x2F;a.md\">Edit this page</a>"), "{a}");
    assert!(a.contains("<time datetime=\"2025-04-03\">2025-04-03</time>"), "{a}");
    let b = page("b/index.html");
    assert!(!b.contains("edit-link") && b.contains(">2020-02-02</time>"), "{b}");
    assert!(page("c/index.html").contains("href=\"https:&#x2F;&#x2F;example.com&#x2F;elsewhere\">Edit this page"));
    // Generated pages have no source to edit.
    assert!(!page("policies/index.html").contains("edit-link"));
    let _ = std::fs::remove_dir_all(root);
}

/// `policies=` judges one example with more policy objects than the site's: here the repository's service-mesh
/// example (an ExpansionTemplate and a `source: Generated` mutator), which adds the proxy to the expanded Pod
/// only. The page says so and offers no playground link; a path that does not load is an error at the fence.
#[test]
fn an_example_can_name_policies_of_its_own() {
    let deployment = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n      - name: app\n        image: nginx:1.27\n";
    let mesh = repo().join("examples/service-mesh");
    let page =
        format!("# Mesh\n\n```yaml policies=\"{}\"\n{deployment}```\n\n```yaml\n{deployment}```\n", mesh.display());
    let root = site("extra-policies", &[("index.md", &page)]);
    let out = root.join("out");
    let run = guardrail(&["build", "--root", root.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    let html = text(&std::fs::read(out.join("index.html")).expect("page"));
    let figures: Vec<&str> = html.split("<figure class=\"example\"").skip(1).collect();
    assert_eq!(figures.len(), 2);
    // With the mesh's policies: the Deployment is expanded, and the proxy is in its Pod.
    assert!(figures[0].contains("(expanded by expand-deployments)"), "{}", figures[0]);
    assert!(figures[0].contains("mesh-proxy") && figures[0].contains("policies and <code>"));
    assert!(!figures[0].contains("playground-link"));
    // Without them: the Pods the ReplicaSet creates, and no proxy.
    assert!(figures[1].contains("(created by the replicaset-controller)") && !figures[1].contains("mesh-proxy"));
    assert!(figures[1].contains("playground-link"));
    let listed = text(&std::fs::read(out.join("assets/examples/0.json")).expect("examples"));
    assert_eq!(listed.matches("\"url\"").count(), 1, "only the example the playground can judge: {listed}");
    // A path that is not there.
    std::fs::write(root.join("content/index.md"), format!("# Mesh\n\n```yaml policies=\"nowhere\"\n{deployment}```\n"))
        .expect("page");
    let run = guardrail(&["check", "--root", root.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(1));
    let err = text(&run.stderr);
    assert!(
        err.contains("error: the example's `policies=` do not load:") && err.contains("--> content/index.md:3:9"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(root);
}

/// The theme is built in: a site with no theme folder builds with it, and a site's theme folder overrides it
/// file by file.
#[test]
fn the_built_in_theme_and_file_by_file_overrides() {
    let root = site("builtin-theme", &[("index.md", "# Home\n\nHello.\n")]);
    let config = std::fs::read_to_string(root.join("guardrail.toml")).expect("config");
    let config: String = config.lines().filter(|l| !l.starts_with("theme =")).map(|l| format!("{l}\n")).collect();
    std::fs::write(root.join("guardrail.toml"), config).expect("config");
    let out = root.join("out");
    let build = || guardrail(&["build", "--root", root.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    let run = build();
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    let home = text(&std::fs::read(out.join("index.html")).expect("page"));
    assert!(home.contains("<nav class=\"sidebar\"") && home.contains("Hello."), "{home}");
    let built_in_css = std::fs::read_dir(out.join("assets")).unwrap().filter_map(|e| e.ok()).any(|e| {
        let n = e.file_name().to_string_lossy().into_owned();
        n.starts_with("style.") && n.ends_with(".css")
    });
    assert!(built_in_css);
    // Only page.html overridden: the rest (base.html, the assets) stay built in.
    std::fs::create_dir_all(root.join("theme/templates")).expect("dir");
    std::fs::write(
        root.join("theme/templates/page.html"),
        "{% extends \"base.html\" %}{% block content %}<div class=\"mine\">{{ content | safe }}</div>{% endblock content %}",
    )
    .expect("template");
    let run = build();
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    let home = text(&std::fs::read(out.join("index.html")).expect("page"));
    assert!(home.contains("<div class=\"mine\">") && home.contains("<nav class=\"sidebar\""), "{home}");
    let _ = std::fs::remove_dir_all(root);
}

/// `static/` is copied to the site root as it is (`CNAME`, `.nojekyll`, a favicon the theme links), and a static
/// file that would take the place of a page or of a file guardrail makes is an error.
#[test]
fn static_files_are_served_at_their_own_paths() {
    let root = site(
        "static-root",
        &[("index.md", "# Home\n\n![logo](/img/logo.svg) and [missing](/img/nope.png)\n"), ("guide.md", "# Guide\n")],
    );
    std::fs::create_dir_all(root.join("static/img")).expect("dir");
    for (f, body) in [
        ("CNAME", "docs.example.com\n"),
        (".nojekyll", ""),
        ("robots.txt", "User-agent: *\n"),
        ("favicon.ico", "ico"),
        ("favicon.svg", "<svg/>"),
        ("img/logo.svg", "<svg/>"),
    ] {
        std::fs::write(root.join("static").join(f), body).expect("static");
    }
    let run = guardrail(&["check", "--root", root.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(1));
    assert!(text(&run.stderr).contains("broken link: no file at `/img/nope.png`"), "{}", text(&run.stderr));
    std::fs::write(root.join("content/index.md"), "# Home\n\n![logo](/img/logo.svg)\n").expect("page");
    let out = root.join("out");
    let run = guardrail(&["build", "--root", root.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    assert_eq!(std::fs::read_to_string(out.join("CNAME")).expect("CNAME"), "docs.example.com\n");
    assert!(out.join(".nojekyll").is_file());
    assert_eq!(std::fs::read_to_string(out.join("robots.txt")).expect("robots.txt"), "User-agent: *\n");
    assert_eq!(std::fs::read_to_string(out.join("favicon.ico")).expect("favicon.ico"), "ico");
    let home = text(&std::fs::read(out.join("index.html")).expect("page"));
    assert!(home.contains("<img src=\"/img/logo.svg\""), "{home}");
    assert!(home.contains("<link rel=\"icon\" href=\"&#x2F;favicon.ico\">"), "the first favicon found: {home}");
    std::fs::create_dir_all(root.join("static/guide")).expect("dir");
    std::fs::write(root.join("static/guide/index.html"), "mine").expect("static");
    std::fs::write(root.join("static/sitemap.xml"), "mine").expect("static");
    // A big site's sitemap comes in pieces under those names.
    std::fs::write(root.join("static/sitemap-2.xml"), "mine").expect("static");
    let run = guardrail(&["check", "--root", root.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(1));
    let err = text(&run.stderr);
    assert!(err.contains("static/guide/index.html would replace the page content/guide.md in the built site"), "{err}");
    assert!(err.contains("static/sitemap.xml would replace a file guardrail makes"), "{err}");
    assert!(err.contains("static/sitemap-2.xml would replace a file guardrail makes"), "{err}");
    let _ = std::fs::remove_dir_all(root);
}

/// The repository's site without its theme folder is the same site, byte for byte: the built-in theme is the
/// repository's `theme/` (so the screenshots of the repository's site show what a site with no theme gets).
#[test]
fn a_site_without_a_theme_folder_is_the_repository_site() {
    let dir = std::env::temp_dir().join(format!("guardrail-no-theme-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for part in ["content", "policies", "static", "examples"] {
        copy_tree(&repo().join(part), &dir.join(part));
    }
    std::fs::copy(repo().join("guardrail.toml"), dir.join("guardrail.toml")).expect("config");
    assert!(!dir.join("theme").exists());
    let (a, b) = (dir.join("out-a"), std::env::temp_dir().join(format!("guardrail-with-theme-{}", std::process::id())));
    let run = guardrail(&["build", "--root", dir.to_str().unwrap(), "--out", a.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    let run = guardrail(&["build", "--root", env!("CARGO_MANIFEST_DIR"), "--out", b.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    let (with, without) = (read_tree(&b), read_tree(&a));
    assert_eq!(with.keys().collect::<Vec<_>>(), without.keys().collect::<Vec<_>>());
    for (k, v) in &with {
        assert!(without[k] == *v, "{k} differs");
    }
    let _ = std::fs::remove_dir_all(dir);
    let _ = std::fs::remove_dir_all(b);
}

/// A docs folder with no home page (as a Docusaurus `docs/` often is) gets a root that leads to its first page.
#[test]
fn a_site_without_a_home_page_leads_to_its_first_page() {
    let root = site("no-home", &[("guide/b.md", "# B\n"), ("guide/a.md", "---\nsidebar_position: 1\n---\n# A\n")]);
    let out = root.join("out");
    let run = guardrail(&["build", "--root", root.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    let home = text(&std::fs::read(out.join("index.html")).expect("a root page"));
    assert!(home.contains("<meta http-equiv=\"refresh\" content=\"0; url=/guide/a/\">"), "{home}");
    let _ = std::fs::remove_dir_all(root);
}

/// The Kubernetes schemas shipped in `engine/schemas/` are what `scripts/kubernetes-schemas.py` makes from the
/// pinned `kubernetes-validate` package (its output lists the same digests); a change is deliberate.
#[test]
fn the_kubernetes_schemas_are_pinned() {
    use sha2::Digest;
    let pinned = std::fs::read_to_string(repo().join("tests/fixtures/kubernetes-schemas.sha256")).expect("pins");
    let mut lines = 0;
    for line in pinned.lines() {
        let (digest, file) = line.split_once("  ").expect("sha256sum format");
        let bytes = std::fs::read(repo().join("engine/schemas").join(file)).expect("schema file");
        let actual: String = sha2::Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(actual, digest, "{file}: regenerate with scripts/kubernetes-schemas.py and re-pin deliberately");
        lines += 1;
    }
    assert_eq!(lines, 2, "the newest version and an older minor");
}

/// A custom resource has no schema: it is admitted, and the summary counts it by kind; a Kubernetes version
/// guardrail does not ship is a configuration error that lists those it does.
#[test]
fn custom_resources_are_counted_and_the_kubernetes_version_is_checked() {
    let hr = "```yaml\napiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: podinfo\n  namespace: team-a\nspec:\n  serviceAccountName: flux\n  chart:\n    spec:\n      chart: podinfo\n      sourceRef: {kind: HelmRepository, name: podinfo}\n```\n";
    let root = site("custom-resources", &[("index.md", &format!("# CRs\n\n{hr}\n{hr}"))]);
    let run = guardrail(&["check", "--root", root.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    assert!(
        text(&run.stderr).contains("2 examples checked, 2 objects of kinds with no schema: HelmRelease"),
        "{}",
        text(&run.stderr)
    );
    // The page marks each such example: its fields were not checked.
    let out = root.join("public");
    let run = guardrail(&["build", "--root", root.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    let html = std::fs::read_to_string(out.join("index.html")).expect("page");
    assert_eq!(
        html.matches("<div class=\"example-messages example-noschema\"><p>Fields not checked: no schema is known for <code>HelmRelease (helm.toolkit.fluxcd.io/v2)</code>.").count(),
        2,
        "{html}"
    );
    let config = std::fs::read_to_string(root.join("guardrail.toml")).expect("config");
    std::fs::write(root.join("guardrail.toml"), format!("{config}[examples]\nkubernetes-version = \"1.20\"\n"))
        .expect("config");
    let run = guardrail(&["check", "--root", root.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(1));
    let err = text(&run.stderr);
    assert!(
        err.contains("Kubernetes 1.20 is not a version guardrail ships the API of")
            && err.contains("use one of 1.37, 1.34"),
        "{err}"
    );
    std::fs::write(root.join("guardrail.toml"), format!("{config}[examples]\nkubernetes-version = \"v1.34.2\"\n"))
        .expect("config");
    let run = guardrail(&["check", "--root", root.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    let _ = std::fs::remove_dir_all(root);
}

/// A Docusaurus site keeps its pages in `docs/`: with no content folder named and no `content/`, that is the
/// content; a missing guardrail.toml says how to start one.
#[test]
fn a_docs_folder_is_the_content_when_nothing_else_is_named() {
    let dir = std::env::temp_dir().join(format!("guardrail-docs-folder-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("docs")).expect("dir");
    std::fs::write(dir.join("docs/intro.md"), "# Intro\n").expect("page");
    let run = guardrail(&["check", "--root", dir.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(1));
    assert!(text(&run.stderr).contains("help: `guardrail init` starts a site"), "{}", text(&run.stderr));
    std::fs::write(
        dir.join("guardrail.toml"),
        format!("title = \"T\"\n[paths]\npolicies = \"{}\"\n", repo().join("policies").display()),
    )
    .expect("config");
    let run = guardrail(&["check", "--root", dir.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    assert!(text(&run.stderr).starts_with("checked 1 page,"), "{}", text(&run.stderr));
    let _ = std::fs::remove_dir_all(dir);
}

/// A mutator that writes a field of the wrong type is a policy bug the build names: the object after mutation is
/// decoded too.
#[test]
fn a_mutator_that_breaks_the_schema_is_named() {
    let dir = site_with_policies("bad-mutator", "");
    std::fs::write(
        dir.join("policies/mutation/bad.yaml"),
        "apiVersion: mutations.gatekeeper.sh/v1\nkind: Assign\nmetadata:\n  name: bad-replicas\nspec:\n  applyTo:\n  - groups: [\"\"]\n    versions: [v1]\n    kinds: [Pod]\n  match:\n    kinds:\n    - apiGroups: [\"\"]\n      kinds: [Pod]\n  location: spec.priority\n  parameters:\n    assign:\n      value: high\n",
    )
    .expect("mutator");
    std::fs::write(dir.join("content/index.md"), "# P\n\n```yaml\nhostNetwork: false\n```\n").expect("page");
    let run = guardrail(&["check", "--root", dir.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(1));
    let err = text(&run.stderr);
    assert!(err.contains("error: after mutation the object no longer decodes: spec.priority: Invalid value: \"high\": must be an integer"), "{err}");
    assert!(err.contains("Assign/bad-replicas"), "{err}");
    let _ = std::fs::remove_dir_all(dir);
}

/// A CustomResourceDefinition in the cluster state gives its custom resources a schema: they are decoded as
/// the API server would (unknown fields, enums, types); a kind with no CRD stays counted as unknown.
#[test]
fn custom_resources_are_decoded_by_the_crds_of_the_cluster_state() {
    let dir = site_with_policies("crd", "cluster = \"cluster.yaml\"\n");
    std::fs::write(
        dir.join("cluster.yaml"),
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: widgets.example.com}\nspec:\n  group: example.com\n  names: {kind: Widget, plural: widgets}\n  scope: Namespaced\n  versions:\n  - name: v1\n    served: true\n    storage: true\n    schema:\n      openAPIV3Schema:\n        type: object\n        properties:\n          spec:\n            type: object\n            properties:\n              size: {type: string, enum: [small, large]}\n",
    )
    .expect("cluster");
    let widget = |spec: &str| {
        format!("```yaml\napiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\nspec:\n{spec}```\n\n")
    };
    let page = format!(
        "# W\n\n{}{}",
        widget("  size: small\n"),
        "```yaml\napiVersion: example.com/v1\nkind: Gadget\nmetadata:\n  name: g\n```\n"
    );
    std::fs::write(dir.join("content/index.md"), &page).expect("page");
    let run = guardrail(&["check", "--root", dir.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    assert!(
        text(&run.stderr).contains("2 examples checked, 1 object of kinds with no schema: Gadget"),
        "{}",
        text(&run.stderr)
    );
    std::fs::write(dir.join("content/index.md"), format!("# W\n\n{}", widget("  size: huge\n  colour: red\n")))
        .expect("page");
    let run = guardrail(&["check", "--root", dir.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(1));
    let err = text(&run.stderr);
    assert!(err.contains("the API server refuses the example: spec.size: Unsupported value: \"huge\""), "{err}");
    assert!(
        err.contains("strict decoding error: unknown field \"spec.colour\"")
            && err.contains("--> content/index.md:10:3"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// A policy library's page (`[examples] page-policies`, `summary-expect`): the template outside any group judges
/// the whole page, each top-level `<details>` group's constraint only the examples of that group, and the
/// `<summary>` says what each example promises; one whose summary names no verdict is judged, not compared. A
/// wrong example is a broken promise at its line, and the first run ends with the problems by class.
#[test]
fn a_policy_library_page_is_judged_by_its_own_policies_group_by_group() {
    let dir = std::env::temp_dir().join(format!("guardrail-site-{}-library", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    copy_tree(&repo().join("tests/fixtures/policy-library"), &dir);
    let run = guardrail(&["build", "--root", dir.to_str().unwrap(), "--out", dir.join("out").to_str().unwrap()]);
    let err = text(&run.stderr);
    assert_eq!(run.status.code(), Some(0), "{err}");
    assert!(err.contains("1 whose <summary> promises nothing"), "{err}");
    // The example that promises nothing is shown with its verdict: both groups' rules are not mixed, so it is
    // rejected by its own group's constraint only.
    let page = std::fs::read_to_string(dir.join("out/requiredlabels/index.html")).expect("page");
    // `owner` is asked once (group one's disallowed Pod); `team` twice (group two's disallowed Pod and the one
    // whose summary promises nothing, which group one's rule does not judge).
    assert_eq!(page.matches("you must provide label owner").count(), 1, "{page}");
    assert_eq!(page.matches("you must provide label team").count(), 2, "{page}");

    // A wrong example: group two's disallowed Pod given the label its rule asks for.
    let file = dir.join("docs/requiredlabels.md");
    let text_before = std::fs::read_to_string(&file).expect("page");
    let marker = "  name: has-owner\n  labels:\n    owner: platform\n";
    let last = text_before.rfind(marker).expect("group two's disallowed example");
    let wrong = format!(
        "{}  name: has-owner\n  labels:\n    owner: platform\n    team: web\n{}",
        &text_before[..last],
        &text_before[last + marker.len()..]
    );
    std::fs::write(&file, &wrong).expect("edit");
    let start = wrong[..last].rfind("apiVersion: v1").expect("the example's first line");
    let line = wrong[..start].matches('\n').count() + 1;
    let run = guardrail(&["check", "--root", dir.to_str().unwrap()]);
    let err = text(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!(
            "error: example is admitted, but the page promises it is rejected\n   --> docs/requiredlabels.md:{line}:1"
        )),
        "line {line}: {err}"
    );
    assert!(err.contains("the page promises it under `<summary>example-disallowed</summary>`"), "{err}");
    assert!(err.contains("check found 1 problem; nothing was written"), "{err}");
    // The first-run summary: what was checked and what was not (one problem needs no count by class).
    assert!(err.contains("  checked: 9 examples in 1 page;"), "{err}");
    assert!(err.contains("\n      1  examples whose <summary> promises nothing"), "{err}");
    let _ = std::fs::remove_dir_all(dir);
}

/// `[examples] summary-expect` names verdicts by the words of `expect=`, and single words.
#[test]
fn summary_expect_must_name_verdicts_and_words() {
    for (setting, says) in [
        ("{ allowed = \"ok\" }", "`allowed = \"ok\"` is not a verdict"),
        ("{ \"example allowed\" = \"admit\" }", "`example allowed` is not a word"),
    ] {
        let dir = std::env::temp_dir().join(format!("guardrail-site-{}-summary-expect", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("docs")).expect("dir");
        std::fs::write(dir.join("docs/index.md"), "# Home\n").expect("page");
        std::fs::write(dir.join("guardrail.toml"), format!("title = \"T\"\n[examples]\nsummary-expect = {setting}\n"))
            .expect("config");
        let run = guardrail(&["check", "--root", dir.to_str().unwrap()]);
        let err = text(&run.stderr);
        assert_eq!(run.status.code(), Some(1), "{err}");
        assert!(err.contains(says) && err.contains("--> guardrail.toml:3:1"), "{err}");
        let _ = std::fs::remove_dir_all(dir);
    }
}

/// `expect=deny` promises a policy's refusal: a Pod with only ephemeral containers, which the API server's own
/// validation refuses before any policy sees it, breaks the promise (naming the stage, `violates=`, keeps it).
#[test]
fn expect_deny_is_not_kept_by_the_api_servers_own_validation() {
    let dir = site_with_policies("deny-validation", "");
    let pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: debug\nspec:\n  ephemeralContainers:\n  - name: shell\n    image: busybox\n    securityContext: {privileged: true}\n";
    std::fs::write(
        dir.join("content/index.md"),
        format!(
            "# Home\n\n```yaml expect=deny\n{pod}```\n\n```yaml expect=deny violates=\"ObjectValidation\"\n{pod}```\n"
        ),
    )
    .expect("page");
    let run = guardrail(&["check", "--root", dir.to_str().unwrap()]);
    let err = text(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{err}");
    assert!(err.contains("error: example is refused by the API server's own validation, not by a policy as the page promises\n --> content/index.md:4:1"), "{err}");
    assert!(
        err.contains("got: refused by the API server: Pod \"debug\" is invalid: spec.containers: Required value"),
        "{err}"
    );
    assert!(err.contains("check found 1 problem"), "{err}");
    let _ = std::fs::remove_dir_all(dir);
}

#[path = "../benches/support/corpus.rs"]
#[allow(dead_code, unreachable_pub)]
mod corpus;

/// No output file grows with the site: built at 100 and at 400 pages of the benchmark corpus, no file but the
/// engine's wasm is over 1 MB, and no file of both builds (the playground page, the examples list's pieces, the
/// search index's, the sidebar's) grows with the page count; the examples list comes in pieces of at most 192 KB.
#[test]
fn no_output_file_grows_with_the_site() {
    let sizes = |pages: usize| -> BTreeMap<String, usize> {
        let dir = std::env::temp_dir().join(format!("guardrail-site-{}-growth-{pages}", std::process::id()));
        corpus::generate(&dir, pages, &repo());
        let out = dir.join("out");
        let run = guardrail(&["build", "--quiet", "--root", dir.to_str().unwrap(), "--out", out.to_str().unwrap()]);
        assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
        let files: BTreeMap<String, usize> =
            read_tree(&out).into_iter().map(|(path, bytes)| (path, bytes.len())).collect();
        let _ = std::fs::remove_dir_all(dir);
        files
    };
    let (small, large) = (sizes(100), sizes(400));
    for (path, &size) in &large {
        if path.ends_with(".wasm") {
            continue;
        }
        assert!(size <= 1024 * 1024, "{path} is {size} bytes at 400 pages");
        // A file both builds have holds the same kind of thing: it must not hold four times as much.
        if let Some(&before) = small.get(path) {
            assert!(
                size < before * 2 + 64 * 1024,
                "{path} grows with the site: {before} bytes at 100 pages, {size} at 400"
            );
        }
    }
    let page = |files: &BTreeMap<String, usize>| files.get("playground/index.html").copied().unwrap_or(0);
    assert!(page(&large) < 100 * 1024, "the playground page is {} bytes", page(&large));
    assert!(page(&large) < page(&small) + 4 * 1024, "{} then {}", page(&small), page(&large));
    let pieces: Vec<usize> = large.iter().filter(|(p, _)| p.starts_with("assets/examples/")).map(|(_, s)| *s).collect();
    assert!(pieces.len() > 1 && pieces.iter().all(|&s| s <= 192 * 1024), "{pieces:?}");
}
