//! Shipping the playground with the site: the wasm engine and its JS glue (built by build.rs), the page's scripts
//! and styles (playground/ui), and the policy objects this build loaded, as a bundle the engine reads.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use guardrail_engine::policy::PolicySet;
use guardrail_playground::Bundle;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use sha2::Digest;

use crate::assets::asset_url;
use crate::html::escape;

const GLUE: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/guardrail_playground.js"));
const WASM: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/guardrail_playground_bg.wasm"));
const WORKER: &str = include_str!("../../playground/ui/worker.js");
const SCRIPT: &[u8] = include_bytes!("../../playground/ui/playground.js");
const STYLE: &[u8] = include_bytes!("../../playground/ui/playground.css");

/// What the editor holds when the page is opened without a link: a Pod the policies change.
const START: &str = "apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
  - name: app
    image: nginx:1.27
";

/// The worker: wasm-bindgen's glue (an ES module) with the worker's code after it, one file for one fetch.
fn worker_script() -> Vec<u8> {
    let mut script = GLUE.to_vec();
    script.extend_from_slice(b"\n");
    script.extend_from_slice(WORKER.as_bytes());
    script
}

/// What stays as it is in a URL query value: RFC 3986's unreserved characters, and `/`.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~').remove(b'/');

/// `value` for a URL query: everything else percent-encoded.
fn query_value(value: &str) -> String {
    utf8_percent_encode(value, QUERY_VALUE).to_string()
}

/// The playground's files (content-hashed, below `assets/playground/`) and their URLs.
pub(crate) struct Shipped {
    /// Site path → bytes.
    pub(crate) files: BTreeMap<String, Vec<u8>>,
    urls: BTreeMap<&'static str, String>,
    version: String,
    /// The Kubernetes version whose schemas the engine decodes with (the worker parses them while the policy
    /// bundle is fetched).
    kubernetes_version: String,
    /// The namespace the playground starts in: the one the site's examples are created in.
    namespace: String,
}

impl Shipped {
    /// The playground for a site whose build loaded `policies`: the bundle is the objects the build loaded.
    pub(crate) fn new(base_url: &str, policies: &PolicySet, kubernetes_version: &str, namespace: &str) -> Shipped {
        let bundle = Bundle::from_set(policies, kubernetes_version);
        let version = bundle.version.clone();
        let bundle = serde_json::to_vec(&bundle).unwrap_or_default();
        let mut files = BTreeMap::new();
        let mut urls = BTreeMap::new();
        let worker = worker_script();
        for (key, name, bytes) in [
            ("wasm", "guardrail_playground.wasm", WASM),
            ("worker", "worker.js", worker.as_slice()),
            ("script", "playground.js", SCRIPT),
            ("style", "playground.css", STYLE),
            ("policies", "policies.json", bundle.as_slice()),
        ] {
            let url = asset_url(base_url, &format!("playground/{name}"), bytes);
            files.insert(url[base_url.len()..].to_string(), bytes.to_vec());
            urls.insert(key, url);
        }
        Shipped {
            files,
            urls,
            version,
            kubernetes_version: kubernetes_version.to_string(),
            namespace: namespace.to_string(),
        }
    }

    fn url(&self, key: &str) -> String {
        escape(self.urls.get(key).map(String::as_str).unwrap_or_default())
    }

    /// For the page's `<head>` (themes print `head_html`): one inline script that starts the engine's worker the
    /// moment the head is parsed (the worker fetches and compiles while the page loads; it holds its messages
    /// until the page's script takes it over), and the SHA-256 of that script for the Content-Security-Policy,
    /// which allows it and no other inline script. A theme without `head_html` still gets a working playground:
    /// the page's script then starts the worker itself, later.
    pub(crate) fn head(&self) -> (String, String) {
        let mut worker = self.urls.get("worker").cloned().unwrap_or_default();
        worker.push_str("?wasm=");
        worker.push_str(&query_value(self.urls.get("wasm").map(String::as_str).unwrap_or_default()));
        worker.push_str("&policies=");
        worker.push_str(&query_value(self.urls.get("policies").map(String::as_str).unwrap_or_default()));
        worker.push_str("&kubernetes=");
        worker.push_str(&query_value(&self.kubernetes_version));
        // JSON-quoted, with `<` escaped so that nothing in it can close the script element.
        let quoted = serde_json::to_string(&worker).unwrap_or_default().replace('<', "\\u003c");
        let script = format!(
            "var w=new Worker({quoted},{{type:\"module\"}});w.q=[];w.onmessage=function(e){{w.q.push(e)}};window.guardrailWorker=w;"
        );
        let hash = STANDARD.encode(sha2::Sha256::digest(script.as_bytes()));
        let html = format!(
            "<script>{script}</script>\n<script type=\"module\" async src=\"{}\"></script>\n<link rel=\"stylesheet\" href=\"{}\">\n",
            self.url("script"),
            self.url("style")
        );
        (html, hash)
    }

    /// The page's content: the editor, the panes the script fills, and where the docs' examples list is: the
    /// script fetches its pieces (`<examples>0.json`, ...; `shards` of them) as the reader asks, so the page stays
    /// the same size however many examples the docs have.
    pub(crate) fn page_html(&self, examples: &str, shards: usize) -> String {
        let mut html = format!(
            concat!(
                "<link rel=\"stylesheet\" href=\"{style}\">\n",
                "<div class=\"pg\" id=\"playground\" data-state=\"loading\" data-worker=\"{worker}\" ",
                "data-wasm=\"{wasm}\" data-policies=\"{policies}\" data-policy-version=\"{version}\" data-kubernetes=\"{kubernetes}\">\n",
                // Early and async: the engine starts loading while the rest of the page is parsed.
                "<script type=\"module\" async src=\"{script}\"></script>\n",
                "<p class=\"pg-intro\">Paste a Pod, any Kubernetes object, several documents, or a fragment as in the docs. ",
                "It is mutated and judged as you type, by the engine that checked these docs, compiled to WebAssembly ",
                "and running in your browser, against the very policies of this build. Nothing is sent anywhere.</p>\n",
                "<div class=\"pg-toolbar\">",
                "<label>Namespace <input id=\"pg-ns\" value=\"{namespace}\" size=\"14\" spellcheck=\"false\" autocomplete=\"off\"></label>",
                "<label>Fragments <select id=\"pg-wrap\"><option value=\"\">detect</option><option value=\"pod\">Pod without apiVersion/kind</option>",
                "<option value=\"podspec\">Pod spec</option><option value=\"container\">container</option>",
                "<option value=\"containers\">list of containers</option><option value=\"volumes\">list of volumes</option></select></label>",
                "<button type=\"button\" id=\"pg-share\">Share</button>",
                "<button type=\"button\" id=\"pg-export\">Export gator suite</button>",
                "<span class=\"pg-versions\" id=\"pg-versions\">policies {short}</span>",
                "<input class=\"pg-share-url\" id=\"pg-share-url\" readonly hidden aria-label=\"Link to this state\">",
                "</div>\n",
                // The request around the object: what a constraint may read of it besides the object.
                "<fieldset class=\"pg-request\"><legend>Request</legend>",
                "<label>Operation <select id=\"pg-op\"><option value=\"\">none (as gator)</option><option>CREATE</option>",
                "<option>UPDATE</option><option>DELETE</option></select></label>",
                "<label>User <input id=\"pg-user\" size=\"14\" spellcheck=\"false\" autocomplete=\"off\"></label>",
                "<label>Groups <input id=\"pg-groups\" size=\"22\" spellcheck=\"false\" autocomplete=\"off\" placeholder=\"system:authenticated, dev\"></label>",
                "<label>Namespace labels <input id=\"pg-ns-labels\" size=\"22\" spellcheck=\"false\" autocomplete=\"off\" placeholder=\"env=prod, team=web\"></label>",
                "<div class=\"pg-old\" id=\"pg-old-wrap\" hidden><label for=\"pg-old\">Old object</label>",
                "<textarea class=\"pg-old-input\" id=\"pg-old\" rows=\"8\" spellcheck=\"false\" autocomplete=\"off\" wrap=\"off\" aria-describedby=\"pg-old-error\"></textarea>",
                "<p class=\"pg-error\" id=\"pg-old-error\" role=\"alert\" hidden></p></div>",
                "</fieldset>\n",
                "<div class=\"pg-export\" id=\"pg-export-pane\" hidden></div>\n",
                "<div class=\"pg-main\">\n<div>\n<div class=\"pg-editor\">",
                "<pre class=\"pg-gutter\" id=\"pg-gutter\" aria-hidden=\"true\"></pre>",
                "<div class=\"pg-mark\" id=\"pg-mark\" hidden></div>",
                "<textarea class=\"pg-input\" id=\"pg-input\" spellcheck=\"false\" autocomplete=\"off\" autocapitalize=\"off\" wrap=\"off\" ",
                "aria-label=\"YAML to admit\" aria-describedby=\"pg-error\">{start}</textarea></div>\n",
                "<p class=\"pg-error\" id=\"pg-error\" role=\"alert\" hidden></p>\n</div>\n",
                "<div class=\"pg-results\"><p class=\"pg-status\" id=\"pg-status\" role=\"status\" aria-live=\"polite\">Loading the engine…</p>",
                "<noscript><p class=\"pg-status pg-status-fatal\">The playground needs JavaScript and WebAssembly.</p></noscript>",
                "<div id=\"pg-documents\"></div>\n",
                "<section class=\"pg-policies\"><h2>Policies</h2><p class=\"pg-muted\" id=\"pg-policies-note\"></p>",
                "<div class=\"pg-policy-actions\"><button type=\"button\" id=\"pg-add-policy\">Add a document</button> ",
                "<button type=\"button\" id=\"pg-reset-policies\">Reset to the site's policies</button></div>",
                "<ul id=\"pg-policies\"></ul></section>",
                "</div>\n</div>\n"
            ),
            worker = self.url("worker"),
            wasm = self.url("wasm"),
            policies = self.url("policies"),
            version = escape(&self.version),
            kubernetes = escape(&self.kubernetes_version),
            namespace = escape(&self.namespace),
            short = escape(&self.version[..12.min(self.version.len())]),
            start = escape(START),
            script = self.url("script"),
            style = self.url("style"),
        );
        html.push_str(&format!(
            "<section class=\"pg-examples\" id=\"pg-examples\" data-examples=\"{}\" data-shards=\"{shards}\"><h2>Examples from the docs</h2>",
            escape(examples)
        ));
        if shards == 0 {
            html.push_str("<p class=\"pg-muted\">These docs have no checked examples yet.</p>");
        } else {
            html.push_str(
                "<div id=\"pg-examples-list\"></div><button type=\"button\" class=\"pg-more\" id=\"pg-more-examples\" hidden>More examples</button>",
            );
        }
        html.push_str("</section>\n</div>\n");
        html
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use guardrail_engine::limits::Limits;
    use guardrail_engine::policy::PolicyText;

    #[test]
    fn ships_the_engine_the_glue_and_the_policies_it_was_given() {
        let text = include_str!("../../policies/privileged-containers/template.yaml");
        let texts = [PolicyText { name: "policies/a.yaml", text }];
        let policies = PolicySet::load(&texts, &Limits::default()).unwrap();
        let shipped = Shipped::new("/docs/", &policies, "1.34", "default");
        let wasm = shipped.files.iter().find(|(k, _)| k.ends_with(".wasm")).map(|(_, v)| v).unwrap();
        assert_eq!(&wasm[..4], b"\0asm");
        // The worker carries the glue, whose names its own code uses.
        let worker = shipped.files.iter().find(|(k, _)| k.contains("/worker.")).map(|(_, v)| v).unwrap();
        let worker = String::from_utf8_lossy(worker);
        assert!(worker.contains("export class Playground"), "wasm-bindgen's glue changed");
        assert!(worker.contains("async function __wbg_init("), "wasm-bindgen's glue changed");
        assert!(worker.find("new Playground(") > worker.find("export class Playground"));
        let bundle = shipped.files.iter().find(|(k, _)| k.contains("policies.")).map(|(_, v)| v).unwrap();
        let bundle: Bundle = serde_json::from_slice(bundle).unwrap();
        assert_eq!(bundle.policies[0].file, "policies/a.yaml");
        assert_eq!(bundle.policies[0].object["kind"], "ConstraintTemplate");
        let html = shipped.page_html("/docs/assets/examples/", 0);
        for k in shipped.files.keys() {
            assert!(k.starts_with("assets/playground/"), "{k}");
            assert!(html.contains(&format!("\"/docs/{k}\"")), "the page does not name {k}");
        }
        assert!(!html.contains("<script>"), "no inline script in the content");
        // The head's one inline script, and its hash as a CSP source.
        let (head, hash) = shipped.head();
        let script = head.strip_prefix("<script>").and_then(|h| h.split("</script>").next()).unwrap();
        assert_eq!(hash, STANDARD.encode(sha2::Sha256::digest(script.as_bytes())));
        assert_eq!(hash.len(), 44);
        assert!(
            script.contains(&format!(
                "\"/docs/{}?wasm=/docs/assets/playground/",
                shipped.urls["worker"].trim_start_matches("/docs/")
            )),
            "{script}"
        );
        assert_eq!(query_value("/a b?c=<d>"), "/a%20b%3Fc%3D%3Cd%3E");
    }
}
