//! The playground in headless Chromium (Debian's chromium + chromium-driver): the repository's site is built by the
//! site crate, served as static files, and driven through WebDriver as a reader would use it. The engine runs as the
//! shipped WebAssembly; nothing here calls the engine natively.

use guardrail_testkit as support;
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;

use serde_json::{Value, json};
use support::{Browser, png_size};

const WAIT: Duration = Duration::from_secs(30);

/// The site is built once and served for every test of this file.
fn site() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| {
        let site = support::build_repo_site("playground");
        let port = support::serve(site);
        format!("http://127.0.0.1:{port}")
    })
}

/// Opens the playground (with `fragment`, if any) and waits for the first verdict.
fn open(browser: &Browser, fragment: &str) {
    land(browser, &format!("{}/playground/{fragment}", site()), "the first verdict");
}

/// Goes to `url` and waits for the verdict evaluated there. Going from one `/playground/#yaml=` link to
/// another only changes the fragment (no new document), so the verdict already on the page is cleared
/// first: the wait then sees the new evaluation, not the last one.
fn land(browser: &Browser, url: &str, what: &str) {
    browser.js("const p = document.getElementById('playground'); if (p) { delete p.dataset.evaluations; }", json!([]));
    browser.goto(url);
    browser.wait("document.getElementById('playground').dataset.evaluations", WAIT, what);
}

fn evaluations(browser: &Browser) -> u64 {
    browser
        .js("return Number(document.getElementById('playground').dataset.evaluations || 0);", json!([]))
        .as_u64()
        .unwrap_or(0)
}

/// Replaces the editor's text as typing would, and waits for the verdict on it.
fn type_yaml(browser: &Browser, yaml: &str) {
    let before = evaluations(browser);
    browser.js(
        "const t = document.getElementById('pg-input'); t.value = arguments[0]; t.dispatchEvent(new Event('input'));",
        json!([yaml]),
    );
    browser.wait(
        &format!("Number(document.getElementById('playground').dataset.evaluations || 0) > {before}"),
        WAIT,
        "a new verdict",
    );
}

fn text(browser: &Browser, selector: &str) -> String {
    browser
        .js("const n = document.querySelector(arguments[0]); return n ? n.textContent : null;", json!([selector]))
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| panic!("no element {selector}"))
}

fn texts(browser: &Browser, selector: &str) -> Vec<String> {
    let v = browser
        .js("return Array.from(document.querySelectorAll(arguments[0]), n => n.textContent);", json!([selector]));
    v.as_array().map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_string)).collect()).unwrap_or_default()
}

/// The editor line the error mark sits on (-1 when hidden).
fn marked_line(b: &Browser) -> Value {
    b.js(
        "const t = document.getElementById('pg-input'); const m = document.getElementById('pg-mark'); \
         const s = getComputedStyle(t); if (m.hidden) return -1; \
         return Math.round((m.offsetTop - parseFloat(s.paddingTop)) / parseFloat(s.lineHeight)) + 1;",
        json!([]),
    )
}

const PRIVILEGED: &str = "apiVersion: v1
kind: Pod
metadata:
  name: root-shell
spec:
  containers:
  - name: shell
    image: busybox:1.36
    securityContext:
      privileged: true
";

const BARE: &str = "apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
  - name: app
    image: nginx:1.27
";

#[test]
fn a_privileged_pod_is_rejected_with_the_constraints_message() {
    let b = Browser::start(false, 1280, 1000);
    open(&b, "");
    type_yaml(&b, PRIVILEGED);
    assert_eq!(text(&b, "#pg-documents .pg-doc .verdict"), "Rejected");
    let rows = texts(&b, ".pg-violations tbody tr");
    let row = rows.iter().find(|r| r.contains("K8sPSPPrivilegedContainer/")).unwrap_or_else(|| panic!("{rows:?}"));
    assert!(row.contains("deny"), "{row}");
    assert!(row.contains("Privileged container is not allowed: <shell> (securityContext.privileged is true)"), "{row}");
    assert!(text(&b, ".pg-denial").contains("Privileged container is not allowed: <shell>"));
    // The policies pane marks the constraint that judged it.
    let applied = texts(&b, "#pg-policies li.pg-applied");
    assert!(applied.iter().any(|a| a.contains("K8sPSPPrivilegedContainer/")), "{applied:?}");
    assert!(text(&b, "#pg-versions").starts_with("engine "), "{}", text(&b, "#pg-versions"));
    // The head's inline script ran under the page's Content-Security-Policy (allowed by its hash) and its worker
    // was taken over: `null`, where a blocked script would have left it undefined.
    assert_eq!(b.js("return window.guardrailWorker === null;", json!([])), json!(true));
}

#[test]
fn a_bare_pod_gets_the_three_securitycontext_defaults_in_the_diff() {
    let b = Browser::start(false, 1280, 1000);
    open(&b, "");
    type_yaml(&b, BARE);
    assert_eq!(text(&b, "#pg-documents .pg-doc .verdict"), "Admitted with changes");
    let added: Vec<String> = texts(&b, ".pg-after .line.added").iter().map(|l| l.trim().to_string()).collect();
    for want in ["allowPrivilegeEscalation: false", "readOnlyRootFilesystem: true", "- NET_RAW"] {
        assert!(added.contains(&want.to_string()), "{want} is not marked added: {added:?}");
    }
    let kept: Vec<String> = texts(&b, ".pg-after .line:not(.added)");
    assert!(kept.iter().any(|l| l.trim() == "image: nginx:1.27"), "{kept:?}");
    let label = texts(&b, ".pg-doc .pg-label").join(" ");
    assert!(label.contains("xks-container-allow-privilege-escalation"), "{label}");
}

/// Every "Open in playground" link of the docs lands with the verdict its page shows.
#[test]
fn docs_examples_open_with_their_verdict() {
    let b = Browser::start(false, 1280, 1000);
    let mut examples = Vec::new();
    for page in ["security/", "writing-examples/"] {
        b.goto(&format!("{}/{page}", site()));
        let found = b.js(
            "return Array.from(document.querySelectorAll('figure.example'), f => { \
           const a = f.querySelector('a.playground-link'); const v = f.querySelector('.verdict'); \
           return a && v ? [a.getAttribute('href'), v.className] : null; }).filter(Boolean);",
            json!([]),
        );
        let found = found.as_array().cloned().unwrap_or_default();
        assert!(!found.is_empty(), "{page} has examples");
        examples.extend(found);
    }
    let mut seen = std::collections::BTreeSet::new();
    for e in &examples {
        let (href, class) = (e[0].as_str().unwrap_or_default(), e[1].as_str().unwrap_or_default());
        let want = ["rejected", "mutated", "admitted"].into_iter().find(|v| class.contains(v)).unwrap_or("?");
        land(&b, &format!("{}{href}", site()), "the example's verdict");
        let verdicts = texts(&b, "#pg-documents .pg-doc");
        let got: Vec<String> = b
            .js(
                "return Array.from(document.querySelectorAll('#pg-documents .pg-doc'), d => d.dataset.verdict);",
                json!([]),
            )
            .as_array()
            .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
            .unwrap_or_default();
        // A multi-document example is rejected if any document is, as on the docs page.
        let overall = if got.iter().any(|v| v == "rejected") {
            "rejected"
        } else if got.iter().any(|v| v == "mutated") {
            "mutated"
        } else {
            "admitted"
        };
        assert_eq!(overall, want, "{href}: {verdicts:?}");
        seen.insert(want);
    }
    assert!(seen.contains("rejected") && seen.contains("mutated"), "{seen:?}");
}

#[test]
fn a_yaml_error_is_marked_at_its_line_and_column() {
    let b = Browser::start(false, 1280, 1000);
    open(&b, "");
    type_yaml(&b, "apiVersion: v1\nkind: Pod\nmetadata:\n\tname: tabbed\n");
    assert_eq!(b.js("return document.getElementById('playground').dataset.state;", json!([])), json!("invalid"));
    let error = text(&b, "#pg-error");
    assert!(error.starts_with("Line 4, column 2: "), "{error}");
    assert!(error.contains("tabs"), "{error}");
    assert_eq!(texts(&b, "#pg-documents .pg-doc").len(), 0, "nothing is judged");
    // The mark sits on the fourth line of the editor.
    let line = marked_line(&b);
    assert_eq!(line, json!(4));
    assert_eq!(
        b.js("return document.getElementById('pg-input').getAttribute('aria-invalid');", json!([])),
        json!("true")
    );
    // Fixing it clears the mark.
    type_yaml(&b, BARE);
    assert_eq!(b.js("return document.getElementById('pg-mark').hidden;", json!([])), json!(true));
}

/// The API server's strict decoding runs first in the browser too: the published typo is refused with kubectl's
/// words and what it most likely meant, marked at its line in the editor, and never admitted.
#[test]
fn a_field_the_api_server_refuses_is_marked_with_its_message() {
    let b = Browser::start(false, 1280, 1000);
    open(&b, "");
    type_yaml(&b, &format!("{BARE}    resources:\n      request:\n        cpu: 100m\n"));
    let doc = texts(&b, "#pg-documents .pg-doc");
    assert_eq!(doc.len(), 1);
    assert!(doc[0].starts_with("Refused by the API server Pod web"), "{}", doc[0]);
    assert_eq!(
        texts(&b, "#pg-documents .pg-refused li"),
        [
            "Line 10, column 7: strict decoding error: unknown field \"spec.containers[0].resources.request\" (did you mean `requests`?)"
        ]
    );
    assert!(!doc[0].contains("After admission"), "it never reaches admission");
    assert!(
        text(&b, "#pg-status").starts_with("Refused by the API server: strict decoding error"),
        "{}",
        text(&b, "#pg-status")
    );
    let line = marked_line(&b);
    assert_eq!(line, json!(10));
    let shot = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("../screenshots/playground-refused.png");
    std::fs::create_dir_all(shot.parent().expect("folder")).expect("screenshots folder");
    std::fs::write(&shot, b.screenshot()).expect("screenshot");
    type_yaml(&b, BARE);
    assert_eq!(b.js("return document.getElementById('pg-mark').hidden;", json!([])), json!(true));
}

/// The playground judges with the site's whole chain and cluster state: the API server's ServiceAccount plugin
/// mounts the token before Gatekeeper's Assign says no, and a PriorityClass the cluster does not have is refused
/// by the Priority plugin, named as the stage that answered.
#[test]
fn the_api_servers_own_stages_run_in_the_browser() {
    let b = Browser::start(false, 1280, 1000);
    open(&b, "");
    type_yaml(&b, BARE);
    let doc = texts(&b, "#pg-documents .pg-doc");
    assert!(doc[0].contains("The API server's admission plugins, before any webhook:"), "{}", doc[0]);
    assert!(doc[0].contains("ServiceAccount: mounted the service account token"), "{}", doc[0]);
    // The playground starts in the namespace the site's examples are created in, with its LimitRange.
    assert_eq!(b.js("return document.getElementById('pg-ns').value;", json!([])), json!("tenant"));
    assert!(doc[0].contains("LimitRanger: cpu, memory request for container app"), "{}", doc[0]);
    assert!(doc[0].contains("mountPath: /var/run/secrets/kubernetes.io/serviceaccount"), "{}", doc[0]);
    assert!(doc[0].contains("automountServiceAccountToken: false"), "the Assign still sets it: {}", doc[0]);
    type_yaml(&b, &BARE.replace("spec:\n", "spec:\n  priorityClassName: gold\n"));
    let doc = texts(&b, "#pg-documents .pg-doc");
    assert!(doc[0].contains("The API server answers (the Priority admission plugin):"), "{}", doc[0]);
    assert!(doc[0].contains("pods \"web\" is forbidden: no PriorityClass with name gold was found"), "{}", doc[0]);
    type_yaml(&b, &BARE.replace("spec:\n", "spec:\n  priorityClassName: tenant-low\n"));
    let doc = texts(&b, "#pg-documents .pg-doc");
    assert!(!doc[0].contains("forbidden"), "XKS's classes are in the cluster state: {}", doc[0]);
}

/// Payloads in names, images, annotations, messages, the namespace and a shared link: shown as text, never run.
#[test]
fn script_injection_payloads_are_shown_as_text_and_never_run() {
    let payloads = [
        "<img src=x onerror=\"window.__pwned='img'\">",
        "<script>window.__pwned='script'</script>",
        "\"><svg onload=\"window.__pwned='svg'\">",
        "'><iframe srcdoc=\"<script>parent.__pwned='iframe'</script>\">",
        "javascript:window.__pwned='href'",
        "</textarea><img src=x onerror=\"window.__pwned='textarea'\">",
        "{{7*7}}<b onmouseover=\"window.__pwned='b'\">x</b>",
    ];
    let b = Browser::start(false, 1280, 1000);
    open(&b, "");
    let quote = |s: &str| serde_json::to_string(s).unwrap_or_default();
    for p in payloads {
        // In a container name (it ends up in the constraint's message), an image, an annotation and the Pod's
        // name; privileged so the message is built from it, plus a second, mutated document that shows the image.
        let yaml = format!(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {q}\n  annotations:\n    note: {q}\nspec:\n  containers:\n  - name: {q}\n    image: {q}\n    securityContext:\n      privileged: true\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: {q}\nspec:\n  containers:\n  - name: app\n    image: {q}\n",
            q = quote(p)
        );
        type_yaml(&b, &yaml);
        let report = b.js(
            "const pg = document.getElementById('playground'); \
             return { pwned: window.__pwned || null, \
                      elements: pg.querySelectorAll('#pg-documents img, #pg-documents svg, #pg-documents script, #pg-documents iframe, #pg-documents b, #pg-documents a').length, \
                      text: document.getElementById('pg-documents').textContent };",
            json!([]),
        );
        assert_eq!(report["pwned"], Value::Null, "{p} ran");
        assert_eq!(report["elements"], json!(0), "{p} became markup");
        let shown = report["text"].as_str().unwrap_or_default();
        assert!(
            shown.contains(&format!("Privileged container is not allowed: <{p}>")),
            "{p} not in the message: {shown}"
        );
        assert!(
            shown.contains(&format!("image: {}", quote(p))) || shown.contains(&format!("image: {p}")),
            "{p}: {shown}"
        );
    }
    // The namespace field and a YAML error message that quotes the input.
    b.js(
        "const n = document.getElementById('pg-ns'); n.value = arguments[0]; n.dispatchEvent(new Event('input'));",
        json!([payloads[0]]),
    );
    type_yaml(&b, "apiVersion: v1\nkind: Pod\nmetadata: {name: \"<img src=x onerror=window.__pwned=1>\"\n");
    let error = text(&b, "#pg-error");
    assert!(!error.is_empty());
    assert_eq!(b.js("return document.querySelectorAll('#pg-error img').length;", json!([])), json!(0));
    // A shared link carrying a payload.
    b.js(
        "document.getElementById('pg-ns').value = 'default'; const t = document.getElementById('pg-input'); \
         t.value = arguments[0]; t.dispatchEvent(new Event('input')); document.getElementById('pg-share').click();",
        json!([format!("apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\nspec:\n  containers:\n  - name: {}\n    image: nginx\n    securityContext: {{privileged: true}}\n", quote(payloads[1]))]),
    );
    b.wait("location.hash.startsWith('#yaml=')", WAIT, "the share link");
    let url = b.js("return location.href;", json!([])).as_str().unwrap_or_default().to_string();
    b.goto("about:blank");
    b.goto(&url);
    b.wait("document.getElementById('playground').dataset.evaluations", WAIT, "the shared verdict");
    assert!(text(&b, "#pg-documents").contains(&format!("<{}>", payloads[1])));
    assert_eq!(b.js("return window.__pwned || null;", json!([])), Value::Null);
    assert_eq!(b.js("return document.querySelectorAll('#pg-documents script').length;", json!([])), json!(0));
}

#[test]
fn huge_and_hostile_input_gets_a_message_and_the_page_stays_responsive() {
    let b = Browser::start(false, 1280, 1000);
    open(&b, "");
    // A 5 MB paste.
    b.js(
        "const t = document.getElementById('pg-input'); t.value = 'data: \"' + 'x'.repeat(5 * 1024 * 1024) + '\"\\n'; \
         t.dispatchEvent(new Event('input'));",
        json!([]),
    );
    b.wait(
        "document.getElementById('pg-error').textContent.includes('limits.max_document_bytes')",
        WAIT,
        "the size limit",
    );
    // The page still answers, and evaluates the next input.
    type_yaml(&b, PRIVILEGED);
    assert_eq!(text(&b, "#pg-documents .pg-doc .verdict"), "Rejected");
    // An alias bomb (a billion laughs).
    let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        bomb.push_str(&format!("a{i}: &a{i} [{}]\n", vec![format!("*a{}", i - 1); 10].join(", ")));
    }
    type_yaml(&b, &bomb);
    assert!(text(&b, "#pg-error").contains("limits.max_nodes"), "{}", text(&b, "#pg-error"));
    // 10,000 levels of nesting.
    type_yaml(&b, &"[".repeat(10_000));
    assert!(text(&b, "#pg-error").contains("limits.max_depth"), "{}", text(&b, "#pg-error"));
    type_yaml(&b, BARE);
    assert_eq!(text(&b, "#pg-documents .pg-doc .verdict"), "Admitted with changes");
}

#[test]
fn fragments_several_documents_and_the_examples_list() {
    let b = Browser::start(false, 1280, 1000);
    open(&b, "");
    type_yaml(&b, &format!("securityContext:\n  privileged: true\n---\n{BARE}---\nreplicas: 3\n"));
    let got: Vec<Value> = b
        .js("return Array.from(document.querySelectorAll('#pg-documents .pg-doc'), d => d.dataset.verdict);", json!([]))
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(got, [json!("rejected"), json!("mutated"), json!("error")]);
    assert!(text(&b, "#pg-documents").contains("Pod (container fragment)"));
    assert!(text(&b, "#pg-status").starts_with("3 documents"), "{}", text(&b, "#pg-status"));
    // Forcing the wrap of an ambiguous fragment.
    type_yaml(&b, "securityContext:\n  runAsNonRoot: true\n");
    assert_eq!(text(&b, "#pg-documents .pg-doc .verdict"), "Not judged");
    let before = evaluations(&b);
    b.js(
        "const s = document.getElementById('pg-wrap'); s.value = 'container'; s.dispatchEvent(new Event('change'));",
        json!([]),
    );
    b.wait(
        &format!("Number(document.getElementById('playground').dataset.evaluations) > {before}"),
        WAIT,
        "re-evaluation",
    );
    assert!(text(&b, "#pg-documents").contains("Pod (container fragment)"));
    // The examples list links every checked example of the docs, by page; one click loads it.
    let links =
        b.js("return Array.from(document.querySelectorAll('.pg-examples a'), a => a.getAttribute('href'));", json!([]));
    let links = links.as_array().cloned().unwrap_or_default();
    assert!(links.len() >= 5, "{links:?}");
    let before = evaluations(&b);
    b.js("document.querySelector('.pg-examples a').click();", json!([]));
    b.wait(
        &format!("Number(document.getElementById('playground').dataset.evaluations) > {before}"),
        WAIT,
        "the example",
    );
    let editor = b.js("return document.getElementById('pg-input').value;", json!([]));
    assert!(editor.as_str().is_some_and(|t| !t.contains("runAsNonRoot")), "{editor}");
}

/// Light and dark screenshots, a rejected and a mutated Pod, kept in target/screenshots/ to be looked at.
#[test]
fn screenshots_light_and_dark() {
    let shots = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&shots).expect("screenshot folder");
    let mut pngs = Vec::new();
    for (dark, scheme) in [(false, "light"), (true, "dark")] {
        let b = Browser::start(dark, 1400, 1000);
        open(&b, "");
        let theme = b.js("return document.documentElement.dataset.theme;", json!([]));
        assert_eq!(theme, json!(scheme));
        for (name, yaml) in [("rejected", PRIVILEGED), ("mutated", BARE)] {
            type_yaml(&b, yaml);
            let png = b.screenshot();
            assert_eq!(png_size(&png).0, 1400);
            assert!(png.len() > 30_000, "{scheme}-{name} is nearly empty");
            std::fs::write(shots.join(format!("playground-{scheme}-{name}.png")), &png).expect("written");
            pngs.push(png);
        }
    }
    assert_ne!(pngs[0], pngs[2], "light and dark look the same");
}

/// A Deployment whose Pods break a rule: the Deployment is admitted, and the playground shows the ReplicaSet and
/// the Pod it would create, the Pod rejected with the event a reader would find on the ReplicaSet.
#[test]
fn a_deployments_rejected_pods_are_shown_with_their_messages() {
    let b = Browser::start(false, 1280, 1400);
    open(&b, "");
    type_yaml(
        &b,
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n      - name: shell\n        image: busybox:1.36\n        securityContext:\n          privileged: true\n",
    );
    assert_eq!(text(&b, "#pg-documents .pg-doc .verdict"), "Pods rejected");
    let status = text(&b, "#pg-status");
    assert!(
        status.contains("Deployment admitted, but the Pod created from it is rejected by psp-privileged-containers"),
        "{status}"
    );
    let made = texts(&b, ".pg-made .pg-doc-head");
    assert_eq!(made.len(), 2, "{made:?}");
    assert!(made[0].contains("ReplicaSet") && made[0].contains("(created by the deployment-controller)"), "{made:?}");
    assert!(made[1].starts_with("Rejected") && made[1].contains("Pod"), "{made:?}");
    let event = text(&b, ".pg-made[data-verdict=rejected] .pg-denial");
    assert!(event.starts_with("Error creating: admission webhook \"validation.gatekeeper.sh\" denied the request: [psp-privileged-containers] Privileged container is not allowed: <shell>"), "{event}");
    let added: Vec<String> =
        texts(&b, ".pg-made[data-verdict=rejected] .line.added").iter().map(|l| l.trim().to_string()).collect();
    assert!(added.contains(&"readOnlyRootFilesystem: true".to_string()), "the Pod as mutated: {added:?}");
    std::fs::create_dir_all("target/screenshots").expect("dir");
    std::fs::write("target/screenshots/playground-deployment.png", b.screenshot()).expect("png");
}
