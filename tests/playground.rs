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
    // The site's policy documents come after the first verdict.
    browser.wait("document.querySelector('#pg-policies li[data-doc]')", WAIT, "the site's policy documents");
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

/// Whether the verdict on the page judged the last input, with nothing waiting for the debounce.
const INPUT_SETTLED: &str = "(() => { const d = document.getElementById('playground').dataset; \
     return !d.inputPending && d.input === d.judgedInput; })()";

/// Replaces the editor's text as typing would, and waits for the verdict on it.
fn type_yaml(browser: &Browser, yaml: &str) {
    let before = evaluations(browser);
    browser.js(
        "const t = document.getElementById('pg-input'); t.value = arguments[0]; t.dispatchEvent(new Event('input'));",
        json!([yaml]),
    );
    browser.wait(
        &format!(
            "Number(document.getElementById('playground').dataset.evaluations || 0) > {before} && {INPUT_SETTLED}"
        ),
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
    // And they look added: the theme gives them a background the kept lines do not have.
    let backgrounds = b.js(
        "return [document.querySelector('.pg-after .line.added'), document.querySelector('.pg-after .line:not(.added)')] \
           .map(l => getComputedStyle(l).backgroundColor);",
        json!([]),
    );
    assert_ne!(backgrounds[0], backgrounds[1], "{backgrounds}");
    assert_ne!(backgrounds[0], "rgba(0, 0, 0, 0)", "{backgrounds}");
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
    b.wait("location.hash.startsWith('#s=')", WAIT, "the share link");
    let url = b.js("return location.href;", json!([])).as_str().unwrap_or_default().to_string();
    b.goto("about:blank");
    b.goto(&url);
    b.wait("document.getElementById('playground').dataset.evaluations", WAIT, "the shared verdict");
    assert!(text(&b, "#pg-documents").contains(&format!("<{}>", payloads[1])));
    assert_eq!(b.js("return window.__pwned || null;", json!([])), Value::Null);
    assert_eq!(b.js("return document.querySelectorAll('#pg-documents script').length;", json!([])), json!(0));
    // A policy document whose names are payloads: listed and shown as text.
    add_policy(
        &b,
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: \"<img src=x onerror=window.__pwned=1>\"\n  labels: {a: \"<script>window.__pwned=1</script>\"}\n",
    );
    assert!(text(&b, "#pg-policies").contains("<img src=x onerror=window.__pwned=1>"));
    assert_eq!(
        b.js("return document.querySelectorAll('#pg-policies img, #pg-policies script').length;", json!([])),
        json!(0)
    );
    assert_eq!(b.js("return window.__pwned || null;", json!([])), Value::Null);
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
    // The examples list links every checked example of the docs, by page (fetched as the page opens); one click
    // loads it.
    b.wait("document.querySelector('.pg-examples a')", WAIT, "the examples list");
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

// ---- the playground for policy authors ----

/// The Policies panel's item whose label starts with `prefix`, as a JavaScript expression.
fn item(prefix: &str) -> String {
    format!(
        "Array.from(document.querySelectorAll('#pg-policies li[data-doc]')).find(l => l.querySelector('.pg-mono').textContent.startsWith({}))",
        serde_json::to_string(prefix).unwrap_or_default()
    )
}

/// Whether the verdict on the page is judged by the last policy set sent, with no edit waiting for the debounce.
const POLICIES_SETTLED: &str = "(() => { const d = document.getElementById('playground').dataset; \
     return !d.policyPending && d.policiesSent && d.policiesSent === d.policiesJudged && d.policyRoundTripMs; })()";

/// Runs `script`, which changes the policy set, and waits for the verdict judged by the changed set.
fn after_policy_edit(b: &Browser, script: &str, args: Value) {
    b.js("delete document.getElementById('playground').dataset.policyRoundTripMs;", json!([]));
    b.js(script, args);
    b.wait(POLICIES_SETTLED, WAIT, "the verdict under the edited policies");
}

/// Adds a policy document holding `text` and waits for the verdict under it.
fn add_policy(b: &Browser, text: &str) {
    b.js("document.getElementById('pg-add-policy').click();", json!([]));
    after_policy_edit(
        b,
        "const t = document.activeElement; t.value = arguments[0]; t.dispatchEvent(new Event('input'));",
        json!([text]),
    );
}

/// Sets a request field (an input or a select) and waits for the verdict with it.
fn set_field(b: &Browser, id: &str, value: &str) {
    let before = evaluations(b);
    b.js(
        "const f = document.getElementById(arguments[0]); f.value = arguments[1]; \
         f.dispatchEvent(new Event(f.tagName === 'SELECT' ? 'change' : 'input'));",
        json!([id, value]),
    );
    b.wait(
        &format!(
            "Number(document.getElementById('playground').dataset.evaluations || 0) > {before} && {INPUT_SETTLED}"
        ),
        WAIT,
        "a verdict with the request",
    );
}

fn violation_rows(b: &Browser) -> Vec<String> {
    texts(b, ".pg-violations tbody tr")
}

/// A template that reads the request: the old object's `owner` label must not change, and with `adminOnly` only
/// the user `admin` may create the object; with its constraint, one YAML document each.
const OWNER_POLICY: &str = include_str!("fixtures/playground/owner-policy.yaml");

const OWNED: &str = "apiVersion: v1
kind: Pod
metadata:
  name: web
  labels:
    owner: team-b
spec:
  containers:
  - name: app
    image: nginx:1.27
";

#[test]
fn policies_are_switched_off_edited_and_reset() {
    let b = Browser::start(false, 1280, 1000);
    open(&b, "");
    type_yaml(&b, PRIVILEGED);
    let denies = |b: &Browser, action: &str| {
        violation_rows(b).iter().any(|r| r.contains("K8sPSPPrivilegedContainer/") && r.contains(action))
    };
    assert!(denies(&b, "deny"), "{:?}", violation_rows(&b));
    // Switched off: the constraint no longer judges, and the set is no longer the site's.
    after_policy_edit(
        &b,
        &format!("{}.querySelector('[data-role=use]').click();", item("K8sPSPPrivilegedContainer/")),
        json!([]),
    );
    assert!(!violation_rows(&b).iter().any(|r| r.contains("K8sPSPPrivilegedContainer/")), "{:?}", violation_rows(&b));
    assert!(text(&b, "#pg-versions").contains("policies edited"), "{}", text(&b, "#pg-versions"));
    assert_eq!(
        b.js(&format!("return {}.classList.contains('pg-off');", item("K8sPSPPrivilegedContainer/")), json!([])),
        json!(true)
    );
    // On again, opened (its source highlighted), edited as a copy: the same rule warns instead.
    after_policy_edit(
        &b,
        &format!("{}.querySelector('[data-role=use]').click();", item("K8sPSPPrivilegedContainer/")),
        json!([]),
    );
    b.js(&format!("{}.querySelector('[data-role=open]').click();", item("K8sPSPPrivilegedContainer/")), json!([]));
    let source = b.js(
        &format!("return {}.querySelector('.pg-policy-source').textContent;", item("K8sPSPPrivilegedContainer/")),
        json!([]),
    );
    assert!(source.as_str().unwrap_or("").contains("enforcementAction: deny"), "{source}");
    assert!(
        b.js(
            &format!("return {}.querySelectorAll('.pg-y-key').length;", item("K8sPSPPrivilegedContainer/")),
            json!([])
        )
        .as_u64()
        .unwrap_or(0)
            > 5
    );
    b.js(&format!("{}.querySelector('[data-role=edit]').click();", item("K8sPSPPrivilegedContainer/")), json!([]));
    after_policy_edit(
        &b,
        &format!(
            "const t = {}.querySelector('textarea'); t.value = t.value.replace('enforcementAction: deny', 'enforcementAction: warn'); t.dispatchEvent(new Event('input'));",
            item("K8sPSPPrivilegedContainer/")
        ),
        json!([]),
    );
    assert!(denies(&b, "warn") && !denies(&b, "deny"), "{:?}", violation_rows(&b));
    assert!(
        b.js(&format!("return {}.textContent;", item("K8sPSPPrivilegedContainer/")), json!([]))
            .as_str()
            .unwrap_or("")
            .contains("edited")
    );
    // The site's set again.
    after_policy_edit(&b, "document.getElementById('pg-reset-policies').click();", json!([]));
    assert!(denies(&b, "deny"), "{:?}", violation_rows(&b));
    assert!(!text(&b, "#pg-versions").contains("edited"));
    // Re-evaluation after a policy edit, for the record (benches/playground.rs measures it).
    let ms = b.js("return document.getElementById('playground').dataset.policyRoundTripMs;", json!([]));
    eprintln!("policy edit to verdict: {ms} ms");
}

#[test]
fn a_broken_template_shows_its_error_at_its_line() {
    let b = Browser::start(false, 1280, 1000);
    open(&b, "");
    type_yaml(&b, PRIVILEGED);
    // The Rego's `old != new` cut short on line 26 of the document.
    add_policy(&b, &OWNER_POLICY.replace("old != new", "old != "));
    let broken = item("ConstraintTemplate/k8simmutableowner");
    let error = b.js(&format!("return {broken}.querySelector('.pg-error').textContent;"), json!([]));
    let error = error.as_str().unwrap_or_default().to_string();
    let line: usize =
        error.strip_prefix("Line ").and_then(|r| r.split(',').next()).and_then(|n| n.parse().ok()).unwrap_or(0);
    // The Rego starts on line 20 of the document; the error is in it, not at the document's start.
    assert!((20..=32).contains(&line), "{error}");
    assert!(b.js(&format!("return {broken}.textContent;"), json!([])).as_str().unwrap_or("").contains("does not load"));
    assert_eq!(
        b.js(&format!("return {broken}.querySelector('textarea').getAttribute('aria-invalid');"), json!([])),
        json!("true")
    );
    assert_ne!(b.js("return document.getElementById('playground').dataset.policyProblems;", json!([])), json!("0"));
    // The site's policies still judge.
    assert!(violation_rows(&b).iter().any(|r| r.contains("K8sPSPPrivilegedContainer/")));
    // Typing in the editor keeps the caret where it is when the panel shows the new verdict.
    after_policy_edit(
        &b,
        &format!(
            "const t = {broken}.querySelector('textarea'); t.focus(); t.setSelectionRange(40, 40); t.dispatchEvent(new Event('input'));"
        ),
        json!([]),
    );
    assert_eq!(
        b.js("const t = document.activeElement; return [t.tagName, t.selectionStart];", json!([])),
        json!(["TEXTAREA", 40])
    );
    // Fixed: it loads, and the error is gone.
    after_policy_edit(
        &b,
        &format!(
            "const t = {broken}.querySelector('textarea'); t.value = arguments[0]; t.dispatchEvent(new Event('input'));"
        ),
        json!([OWNER_POLICY]),
    );
    assert_eq!(b.js("return document.getElementById('playground').dataset.policyProblems;", json!([])), json!("0"));
}

#[test]
fn the_request_reaches_the_old_object_the_user_and_the_namespace_labels() {
    let b = Browser::start(false, 1280, 1000);
    open(&b, "");
    type_yaml(&b, OWNED);
    add_policy(&b, OWNER_POLICY);
    let owner_rows = |b: &Browser| -> Vec<String> {
        violation_rows(b).into_iter().filter(|r| r.contains("K8sImmutableOwner/")).collect()
    };
    assert!(owner_rows(&b).is_empty(), "{:?}", owner_rows(&b));
    // The labels of the request's fields are their names, as a screen reader reads them.
    for (label, id) in
        [("Operation", "pg-op"), ("User", "pg-user"), ("Groups", "pg-groups"), ("Namespace labels", "pg-ns-labels")]
    {
        let found = b.js(
            "const l = Array.from(document.querySelectorAll('label')).find(l => l.firstChild && l.firstChild.textContent.trim() === arguments[0]); return l ? l.querySelector('input, select').id : null;",
            json!([label]),
        );
        assert_eq!(found, json!(id), "{label}");
    }
    // UPDATE with an old object whose owner differs: the template reads oldObject.
    set_field(&b, "pg-op", "UPDATE");
    assert_eq!(b.js("return document.getElementById('pg-old-wrap').hidden;", json!([])), json!(false));
    assert_eq!(b.js("return document.querySelector('label[for=pg-old]').textContent;", json!([])), json!("Old object"));
    set_field(&b, "pg-old", &OWNED.replace("team-b", "team-a"));
    assert!(
        owner_rows(&b).iter().any(|r| r.contains("the owner label cannot change from team-a")),
        "{:?}",
        owner_rows(&b)
    );
    set_field(&b, "pg-op", "CREATE");
    assert!(owner_rows(&b).is_empty(), "{:?}", owner_rows(&b));
    // userInfo.username: with adminOnly, alice is denied and admin admitted.
    after_policy_edit(
        &b,
        &format!(
            "const t = {}.querySelector('textarea'); t.value = t.value + '  parameters:\\n    adminOnly: true\\n'; t.dispatchEvent(new Event('input'));",
            item("ConstraintTemplate/k8simmutableowner")
        ),
        json!([]),
    );
    set_field(&b, "pg-user", "alice");
    assert!(owner_rows(&b).iter().any(|r| r.contains("only admin may do this, not alice")), "{:?}", owner_rows(&b));
    set_field(&b, "pg-user", "admin");
    assert!(owner_rows(&b).is_empty(), "{:?}", owner_rows(&b));
    // Namespace labels: a constraint that selects env=prod namespaces judges only there.
    set_field(&b, "pg-user", "alice");
    after_policy_edit(
        &b,
        &format!(
            "const t = {}.querySelector('textarea'); t.value = t.value.replace('      kinds: [Pod]\\n', '      kinds: [Pod]\\n    namespaceSelector:\\n      matchLabels: {{env: prod}}\\n'); t.dispatchEvent(new Event('input'));",
            item("ConstraintTemplate/k8simmutableowner")
        ),
        json!([]),
    );
    set_field(&b, "pg-ns-labels", "env=dev");
    assert!(owner_rows(&b).is_empty(), "{:?}", owner_rows(&b));
    set_field(&b, "pg-ns-labels", "env=prod, team=web");
    assert!(owner_rows(&b).iter().any(|r| r.contains("only admin may do this, not alice")), "{:?}", owner_rows(&b));
}

#[test]
fn an_admission_review_is_judged_and_answered_with_a_valid_review() {
    let b = Browser::start(false, 1280, 1000);
    open(&b, "");
    let object: String = PRIVILEGED.lines().map(|l| format!("    {l}\n")).collect();
    let review = format!(
        "apiVersion: admission.k8s.io/v1\nkind: AdmissionReview\nrequest:\n  uid: 705ab4f5-6393-11e8-b7cc-42010a800002\n  operation: CREATE\n  namespace: default\n  userInfo:\n    username: alice\n  object:\n{object}"
    );
    type_yaml(&b, &review);
    assert_eq!(text(&b, "#pg-documents .pg-doc .verdict"), "Rejected");
    assert!(text(&b, "#pg-documents .pg-doc-head").contains("AdmissionReview"));
    b.js(
        "Array.from(document.querySelectorAll('.pg-takeaways button')).find(x => x.textContent === 'AdmissionReview response').click();",
        json!([]),
    );
    let copied = b.js("return document.querySelector('.pg-takeaway-text').value;", json!([]));
    let response: Value = serde_json::from_str(copied.as_str().unwrap_or("")).expect("the response is JSON");
    assert_eq!(response["apiVersion"], "admission.k8s.io/v1");
    assert_eq!(response["kind"], "AdmissionReview");
    assert_eq!(response["response"]["uid"], "705ab4f5-6393-11e8-b7cc-42010a800002");
    assert_eq!(response["response"]["allowed"], false);
    assert_eq!(response["response"]["status"]["code"], 403);
    assert!(response["response"]["status"]["message"].as_str().unwrap_or("").contains("[psp-privileged-containers]"));
    // A Pod the policies mutate is allowed with Gatekeeper's patch.
    type_yaml(&b, BARE);
    b.js(
        "Array.from(document.querySelectorAll('.pg-takeaways button')).find(x => x.textContent === 'AdmissionReview response').click();",
        json!([]),
    );
    let copied = b.js("return document.querySelector('.pg-takeaway-text').value;", json!([]));
    let response: Value = serde_json::from_str(copied.as_str().unwrap_or("")).expect("JSON");
    assert_eq!(response["response"]["allowed"], true);
    assert_eq!(response["response"]["patchType"], "JSONPatch");
    let patch = b.js("return JSON.parse(atob(arguments[0]));", json!([response["response"]["patch"]]));
    assert!(patch.as_array().is_some_and(|ops| ops.iter().any(|op| op["op"] == "add")), "{patch}");
    // The docs block promises what the engine found.
    type_yaml(&b, PRIVILEGED);
    b.js("Array.from(document.querySelectorAll('.pg-takeaways button')).find(x => x.textContent === 'Docs block').click();", json!([]));
    let block = b.js("return document.querySelector('.pg-takeaway-text').value;", json!([]));
    let block = block.as_str().unwrap_or_default();
    assert!(block.starts_with("```yaml expect=deny violates=\"K8sPSPPrivilegedContainer"), "{block}");
    assert!(block.ends_with("```\n") && block.contains("privileged: true"), "{block}");
}

#[test]
fn a_share_link_with_an_added_policy_round_trips() {
    let b = Browser::start(false, 1280, 1000);
    open(&b, "");
    type_yaml(&b, OWNED);
    add_policy(&b, OWNER_POLICY);
    set_field(&b, "pg-op", "UPDATE");
    set_field(&b, "pg-old", &OWNED.replace("team-b", "team-a"));
    set_field(&b, "pg-user", "alice");
    after_policy_edit(
        &b,
        &format!("{}.querySelector('[data-role=use]').click();", item("K8sPSPPrivilegedContainer/")),
        json!([]),
    );
    let before: Vec<String> = violation_rows(&b);
    assert!(before.iter().any(|r| r.contains("the owner label cannot change")), "{before:?}");
    b.js("document.getElementById('pg-share').click();", json!([]));
    b.wait("document.getElementById('pg-share-url').value", WAIT, "the share link");
    let link = b.js("return document.getElementById('pg-share-url').value;", json!([]));
    let link = link.as_str().unwrap_or_default().to_string();
    assert!(link.contains("/playground/#s="), "{link}");
    // A fresh browser: everything comes back from the link alone.
    let fresh = Browser::start(false, 1280, 1000);
    fresh.goto(&link);
    fresh.wait(POLICIES_SETTLED, WAIT, "the verdict under the link's policies");
    assert_eq!(fresh.js("return document.getElementById('pg-op').value;", json!([])), json!("UPDATE"));
    assert_eq!(fresh.js("return document.getElementById('pg-user').value;", json!([])), json!("alice"));
    assert!(
        fresh
            .js("return document.getElementById('pg-old').value;", json!([]))
            .as_str()
            .unwrap_or("")
            .contains("team-a")
    );
    assert_eq!(
        fresh.js(
            &format!("return {}.querySelector('[data-role=use]').checked;", item("K8sPSPPrivilegedContainer/")),
            json!([])
        ),
        json!(false)
    );
    assert!(
        fresh
            .js(&format!("return {}.textContent;", item("ConstraintTemplate/k8simmutableowner")), json!([]))
            .as_str()
            .unwrap_or("")
            .contains("added")
    );
    let after = violation_rows(&fresh);
    assert_eq!(after, before);
    // A state too large for a link says so, and makes none.
    let huge: String = (0..40_000).map(|i| format!("# {i:x}{}\n", i * 7919 % 104_729)).collect();
    type_yaml(&b, &huge);
    b.js("document.getElementById('pg-share').click();", json!([]));
    b.wait("document.getElementById('playground').dataset.shareTooLong", WAIT, "the too-long message");
    let placeholder = b.js("return document.getElementById('pg-share-url').placeholder;", json!([]));
    assert!(placeholder.as_str().unwrap_or("").starts_with("Too long to share as a link"), "{placeholder}");
    assert_eq!(b.js("return document.getElementById('pg-share-url').value;", json!([])), json!(""));
}

#[test]
fn the_exported_suite_passes_guardrail_verify() {
    let b = Browser::start(false, 1280, 1000);
    open(&b, "");
    type_yaml(&b, PRIVILEGED);
    b.js("document.getElementById('pg-export').click();", json!([]));
    b.wait("document.querySelector('.pg-suite-file')", WAIT, "the suite's files");
    let files = b.js(
        "return Array.from(document.querySelectorAll('.pg-suite-file'), p => [p.dataset.path, p.textContent]);",
        json!([]),
    );
    let dir = std::env::temp_dir().join(format!("guardrail-playground-suite-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for f in files.as_array().expect("files") {
        let (path, body) = (f[0].as_str().unwrap_or_default(), f[1].as_str().unwrap_or_default());
        let file = dir.join(path);
        std::fs::create_dir_all(file.parent().expect("parent")).expect("dir");
        std::fs::write(&file, body).expect("file");
    }
    assert!(dir.join("suite.yaml").is_file());
    let out =
        std::process::Command::new(env!("CARGO_BIN_EXE_guardrail")).arg("verify").arg(&dir).output().expect("runs");
    let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{said}");
    assert!(said.contains("passed") && !said.contains(" 0 passed"), "{said}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn author_screenshots_light_and_dark() {
    let out = support::repo().join("target/screenshots");
    std::fs::create_dir_all(&out).expect("dir");
    for dark in [false, true] {
        let b = Browser::start(dark, 1400, 1500);
        open(&b, "");
        type_yaml(&b, OWNED);
        add_policy(&b, &OWNER_POLICY.replace("old != new", "old != "));
        set_field(&b, "pg-op", "UPDATE");
        set_field(&b, "pg-old", &OWNED.replace("team-b", "team-a"));
        b.js(&format!("{}.querySelector('[data-role=open]').click();", item("K8sPSPPrivilegedContainer/")), json!([]));
        b.js("Array.from(document.querySelectorAll('.pg-takeaways button')).find(x => x.textContent === 'AdmissionReview response').click();", json!([]));
        let scheme = if dark { "dark" } else { "light" };
        // The request and the verdict at the top; the policy documents (one opened, one that does not load) below.
        b.js("document.activeElement.blur(); window.scrollTo(0, 0);", json!([]));
        let png = b.screenshot();
        assert!(png_size(&png).0 > 0);
        std::fs::write(out.join(format!("playground-authors-{scheme}.png")), png).expect("png");
        b.js("document.querySelector('#pg-policies .pg-broken').scrollIntoView({block: 'center'});", json!([]));
        let png = b.screenshot();
        std::fs::write(out.join(format!("playground-authors-policies-{scheme}.png")), png).expect("png");
        // The webhook's response, and the suite exported.
        b.js("document.querySelector('.pg-takeaway').scrollIntoView({block: 'center'});", json!([]));
        std::fs::write(out.join(format!("playground-authors-review-{scheme}.png")), b.screenshot()).expect("png");
        b.js("document.getElementById('pg-export').click();", json!([]));
        b.wait("document.querySelector('.pg-suite-file')", WAIT, "the suite");
        b.js("window.scrollTo(0, 0);", json!([]));
        std::fs::write(out.join(format!("playground-authors-suite-{scheme}.png")), b.screenshot()).expect("png");
    }
}
