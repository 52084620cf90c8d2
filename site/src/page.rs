//! One page rendered: Markdown to HTML, each YAML example checked through the engine on the way.

use std::cell::RefCell;
use std::collections::HashMap;

use guardrail_engine::limits::Limits;
use guardrail_engine::policy::{Decision, Origin, PolicySet};
use guardrail_engine::template::EnforcementAction;
use guardrail_engine::yaml::{self, Schema};
use serde_json::Value;

use crate::config::Config;
use crate::content::Page;
use crate::diagnostics::{At, Diagnostic, line_col};
use crate::examples::{self, Attrs, ExampleRecord, Placed, Verdict};
use crate::highlight::{highlight, highlight_lines};
use crate::html::escape;
use crate::links::LinkTable;
use crate::markdown::{self, CodeBlock, Found};
use crate::playground_link;

/// Counts for the build summary.
#[derive(Debug, Clone, Default)]
pub(crate) struct ExampleCounts {
    pub(crate) checked: usize,
    pub(crate) unchecked: usize,
    /// Objects of kinds with no schema known (custom resources), by kind.
    pub(crate) unknown_kinds: std::collections::BTreeMap<String, usize>,
    /// YAML blocks that hold no Kubernetes object (Helm values, a CI pipeline): shown, not checked.
    pub(crate) not_objects: usize,
    /// YAML blocks that hold pieces of objects whose readings disagree (not checked).
    pub(crate) unplaced: usize,
    /// YAML blocks that hold pieces of objects (a webhook's rules, a constraint's `match`) that decode as such.
    pub(crate) pieces: usize,
    /// Configuration files written like objects that no API server serves, by what reads them.
    pub(crate) config_files: std::collections::BTreeMap<String, usize>,
    /// Where each document that is not an example is, and why (`content/x.md:12: a Kustomization ...`).
    pub(crate) not_examples: Vec<String>,
    /// Examples that elide part of an object (`...`): checked as far as shown.
    pub(crate) partial: usize,
    /// Examples whose `<summary>` promises nothing (`[examples] summary-expect`): judged, not compared.
    pub(crate) no_promise: usize,
}

/// What the API server's decoding says of a fragment under each of its readings.
enum Reading {
    /// These readings decode (the others, if any, are refused): judge it as these, if they judge alike.
    Same(Vec<guardrail_engine::fragment::Wrap>),
    /// Every reading refuses the same field: this error (of this reading).
    Refused(guardrail_engine::schema::SchemaError, guardrail_engine::fragment::Wrap),
    /// The readings disagree.
    Differs,
}

/// Up to three readings by name, then how many more: `Volume or EnvVar`, `RuleWithOperations, ... (7 kinds)`.
fn readings_named(names: &[String]) -> String {
    match names {
        [] => "Kubernetes object".to_string(),
        [one] => one.clone(),
        [a, b] => format!("{a} or {b}"),
        [a, b, c] => format!("{a}, {b} or {c}"),
        [a, b, c, ..] => format!("{a}, {b}, {c} or {} more", names.len() - 3),
    }
}

/// What an example promises.
#[derive(Debug, Clone, PartialEq)]
enum Promise {
    /// What its block says (`expect=`, or admitted by default).
    Given,
    /// What the `<summary>` of its `<details>` says (`[examples] summary-expect`), and that summary.
    Summary(examples::Expect, String),
    /// Nothing: its `<summary>` names none of the words, or words of different verdicts.
    Nothing,
}

/// Why a document is not an example.
#[derive(Debug, Clone)]
enum NotAnObject {
    /// A configuration file of this kind and reader: `AdmissionConfiguration (kube-apiserver)`.
    Configuration(String),
    /// YAML of some other tool: the keys that say so.
    NotKubernetes(String),
    /// A piece of a Kubernetes object that is not a Pod's (a webhook's `rules`, a CRD's `openAPIV3Schema`, a
    /// constraint's `match`) whose readings (the definitions with its fields) refuse it in different places:
    /// shown, not checked.
    Unplaced(String),
    /// YAML of another tool whose top keys are Kubernetes field names (`resources`) but whose fields inside are
    /// mostly of no Kubernetes kind (`repositories`): the keys, and the first such field.
    Foreign(String, String),
    /// A piece of some object whose fields fall where its readings' schemas name none (a `spec` of any shape).
    Loose(String),
    /// A piece of some object that decodes as one (the definitions named): checked, not admitted.
    Piece(String),
    /// A piece of a Gatekeeper object guardrail has no schema for (`ConstraintTemplate spec`).
    Gatekeeper(String),
}

/// What a document without apiVersion and kind is.
enum Classified {
    /// An example to admit (a piece of a Pod, or a whole object).
    Example,
    /// Not an example: shown, counted.
    Skip(NotAnObject),
    /// A piece of an object that every reading refuses at one field: the error, and the readings.
    Refused(guardrail_engine::schema::SchemaError, Vec<String>),
}

/// Gatekeeper's own kinds, by the fields of their `spec`, for pieces of them (guardrail has their semantics, not
/// their schemas).
const GATEKEEPER_SPECS: &[(&str, &[&str])] = &[
    ("constraint", &["match", "parameters", "enforcementAction", "scopedEnforcementActions"]),
    ("ConstraintTemplate", &["crd", "targets"]),
    ("Assign", &["applyTo", "match", "location", "parameters"]),
    ("AssignMetadata", &["match", "location", "parameters"]),
    ("AssignImage", &["applyTo", "match", "location", "parameters"]),
    ("ModifySet", &["applyTo", "match", "location", "parameters"]),
    ("ExpansionTemplate", &["applyTo", "templateSource", "generatedGVK", "enforcementAction"]),
    ("Config", &["sync", "match", "validation", "readiness"]),
    ("Provider", &["url", "timeout", "caBundle"]),
    ("SyncSet", &["gvks"]),
];

impl NotAnObject {
    fn describe(&self) -> String {
        match self {
            NotAnObject::Configuration(what) => {
                let a = if what.starts_with(['A', 'E', 'I', 'O', 'U']) { "an" } else { "a" };
                format!("{a} {what} configuration file, which no API server serves")
            }
            NotAnObject::NotKubernetes(what) if what.starts_with("an ") => {
                format!("{what}: a test input, not an example")
            }
            NotAnObject::NotKubernetes(keys) => {
                format!("not a Kubernetes object: {keys} are fields of no Kubernetes kind")
            }
            NotAnObject::Unplaced(what) => {
                format!("a piece of a {what}, which it breaks in different places under each reading: not checked")
            }
            NotAnObject::Piece(what) => format!("a piece of a {what}: its fields decode"),
            NotAnObject::Foreign(keys, field) => format!(
                "not a Kubernetes object: {keys} holds `{field}` and other fields of no Kubernetes kind (YAML of another tool)"
            ),
            NotAnObject::Loose(what) => {
                format!("a piece of a {what}, whose schema does not describe these fields: not checked")
            }
            NotAnObject::Gatekeeper(what) => {
                format!(
                    "a piece of a Gatekeeper {what}: shown, not checked (guardrail has no schema for Gatekeeper's own kinds, and no loaded template's constraint kind has these fields)"
                )
            }
        }
    }
}

/// A rendered page.
#[derive(Debug, Clone)]
pub(crate) struct Rendered {
    pub(crate) html: String,
    pub(crate) found: Found,
    pub(crate) diagnostics: Vec<Diagnostic>,
    /// Problems that do not fail the build (a rule that could not be evaluated).
    pub(crate) warnings: Vec<Diagnostic>,
    pub(crate) examples: Vec<ExampleRecord>,
    pub(crate) counts: ExampleCounts,
}

/// One document of an example, admitted.
/// What the API server's decoding made of an example's object.
enum Decoded {
    Yes,
    /// Refused (the errors are reported).
    No,
    /// A kind with no schema known: not decoded ("HelmRelease (helm.toolkit.fluxcd.io/v2)").
    NoSchema(String),
    /// Refused, as the page promised (`expect=refused`): the API server's words.
    Refused(String),
}

struct Checked {
    placed: Placed,
    decision: Decision,
    /// The document as written.
    original: Value,
    /// The constraints (kind, name) that rejected it, or what it creates.
    by: Vec<(String, String)>,
    /// Whether it, or what it creates, is rejected.
    rejected: bool,
    /// The kind of the first object made from it that is rejected (`Pod`), when it is itself admitted.
    made_rejected: Option<String>,
    /// "HelmRelease (helm.toolkit.fluxcd.io/v2)" when its fields were not decoded: no schema is known for its kind.
    no_schema: Option<String>,
}

/// The lines of an object after admission, highlighted as YAML (together: a block scalar spans lines), each with
/// whether admission added it.
fn highlighted(lines: &[guardrail_engine::fragment::AfterLine]) -> impl Iterator<Item = (bool, String)> + '_ {
    let text: String = lines.iter().map(|l| format!("{}\n", l.text)).collect();
    lines.iter().map(|l| l.added).zip(highlight_lines(&text, "yaml"))
}

/// Lines of a diff view, as runs: each run of unchanged lines one `<span>`, each run of added lines one `<ins>`
/// (both blocks, so no newline after a run's last line; the lines are already highlighted HTML). A marker per run,
/// not per line: most of a Pod's lines are the token volume the ServiceAccount plugin adds, in one run.
fn diff_runs(out: &mut String, lines: impl Iterator<Item = (bool, String)>) {
    let mut open: Option<bool> = None;
    let mut last_empty = false;
    // A run's last line, when empty, needs a newline of its own to take up a line.
    let close = |out: &mut String, added: bool, last_empty: bool| {
        if last_empty {
            out.push('\n');
        }
        out.push_str(if added { "</ins>" } else { "</span>" });
    };
    for (added, html) in lines {
        if open != Some(added) {
            if let Some(was) = open {
                close(out, was, last_empty);
            }
            out.push_str(if added { "<ins>" } else { "<span>" });
            open = Some(added);
        } else {
            out.push('\n');
        }
        last_empty = html.is_empty();
        out.push_str(&html);
    }
    if let Some(was) = open {
        close(out, was, last_empty);
    }
}

/// The objects the examples lead to that the cluster would store (the Pods of a Deployment, the resultants of an
/// ExpansionTemplate): each after admission, with mutation's lines marked, its verdict and messages.
fn made_html(results: &[Checked]) -> String {
    let mut html = String::new();
    for checked in results {
        let root = &checked.decision.object;
        let leaves = checked.decision.descendants().into_iter().filter(|(_, c)| c.decision.children.is_empty());
        for (parent, child) in leaves {
            // The object whose controller records the event: none when the example itself made it.
            let owner = (!std::ptr::eq(parent, root)).then_some(parent);
            let placed = guardrail_engine::fragment::place(&child.object, None);
            let lines = guardrail_engine::fragment::after_admission(&placed, &child.decision, &child.object);
            let mut body = String::new();
            diff_runs(&mut body, highlighted(&lines));
            let how = child.origin.to_string();
            let (class, label) = if child.decision.verdict == guardrail_engine::policy::Verdict::Rejected {
                ("rejected", "Rejected")
            } else if child.decision.mutated() {
                ("mutated", "Admitted with changes")
            } else {
                ("admitted", "Admitted")
            };
            html.push_str(&format!(
                "<div class=\"example-after example-made\"><p class=\"example-after-title\">{} <span class=\"mutators\">({})</span> <span class=\"verdict verdict-{class}\">{label}</span></p><pre class=\"code diff\"><code>{body}</code></pre>",
                escape(&examples::kind_name(&child.object)),
                escape(&how)
            ));
            let (title, lines): (String, Vec<String>) = match (child.event(), owner) {
                (Some(event), Some(owner)) => {
                    (format!("`kubectl describe` of the {} shows:", examples::kind_name(owner)), vec![event])
                }
                _ => (
                    "The API server answers:".to_string(),
                    child.decision.denial().map(|d| d.lines().map(str::to_string).collect()).unwrap_or_default(),
                ),
            };
            if !lines.is_empty() {
                html.push_str(&format!("<div class=\"example-messages\"><p>{}</p><ul>", escape(&title)));
                for l in lines {
                    html.push_str(&format!("<li><code>{}</code></li>", escape(&l)));
                }
                html.push_str("</ul></div>");
            }
            html.push_str(&not_enforced_html(&child.decision, checked.placed.wrap.is_none()));
            html.push_str("</div>");
        }
    }
    html
}

/// What the API server's own stages said of `d` that the diff does not: its plugins' changes in words (for a
/// fragment, the only place they show: they were made to the Pod around it) and its warnings (Pod Security's).
fn api_server_html(d: &Decision) -> String {
    let mut html = String::new();
    let warnings = d.api_server_warnings();
    if !warnings.is_empty() {
        html.push_str(
            "<div class=\"example-messages example-warn\"><p>The API server warns (admitted anyway):</p><ul>",
        );
        for w in warnings {
            html.push_str(&format!("<li><code>Warning: {}</code></li>", escape(&w)));
        }
        html.push_str("</ul></div>");
    }
    let said = d.plugins_said();
    if !said.is_empty() {
        html.push_str(
            "<div class=\"example-messages example-plugins\"><p>The API server's admission plugins, before any webhook:</p><ul>",
        );
        for line in said {
            html.push_str(&format!("<li>{}</li>", escape(&line)));
        }
        html.push_str("</ul></div>");
    }
    html
}

/// The object as the cluster stores it, the API server's defaults included, one click away from what admission
/// changed (only when defaulting set anything that stayed).
fn stored_html(c: &Checked) -> String {
    if c.decision.defaults().is_empty() {
        return String::new();
    }
    let mut stored = c.decision.stored.clone();
    if c.placed.wrap.is_some() || c.original.pointer("/metadata/namespace").is_none() {
        if let Some(meta) = stored.get_mut("metadata").and_then(Value::as_object_mut) {
            meta.remove("namespace");
        }
    }
    let part = guardrail_engine::fragment::shown(&c.placed, &stored, &c.original);
    let text = guardrail_engine::yaml::to_yaml(&part);
    format!(
        "<details class=\"example-stored\"><summary>As stored, with the API server's defaults</summary><pre class=\"code\"><code>{}</code></pre></details>",
        // Plain text: it is behind a click, and every admitted example carries one.
        escape(&text)
    )
}

/// The violations of `d` that do not refuse: `warn` ones, which `kubectl` prints as warnings (also next to a
/// denial), and `dryrun` ones, which only Gatekeeper's audit reports, so only for an object that is admitted and
/// stored, and (`audit`) only when the example is a whole object: of a fragment, guardrail made up the rest of the
/// Pod, and the audit would report what the writer never wrote (a container with no readiness probe).
fn not_enforced_html(d: &Decision, audit: bool) -> String {
    let audit = audit && d.verdict == guardrail_engine::policy::Verdict::Admitted;
    let mut html = String::new();
    for (action, title, prefix) in [
        (EnforcementAction::Warn, "The API server warns (enforcementAction: warn; admitted anyway):", "Warning: "),
        (EnforcementAction::Dryrun, "Reported by Gatekeeper's audit, not enforced (enforcementAction: dryrun):", ""),
    ] {
        let lines: Vec<String> =
            d.violations.iter().filter(|v| v.action == action).map(|v| format!("{prefix}{}", v.render())).collect();
        if lines.is_empty() || (action == EnforcementAction::Dryrun && !audit) {
            continue;
        }
        html.push_str(&format!(
            "<div class=\"example-messages example-{}\"><p>{}</p><ul>",
            action.as_str(),
            escape(title)
        ));
        for l in lines {
            html.push_str(&format!("<li><code>{}</code></li>", escape(&l)));
        }
        html.push_str("</ul></div>");
    }
    html
}

/// Where, in a workload, the fields of an object made from it are: a Pod's at the Pod template
/// (`/spec/template`, a CronJob's `/spec/jobTemplate/spec/template`), a CronJob's Job at `/spec/jobTemplate`.
fn template_pointer(workload: &Value, made: &Value) -> &'static str {
    let kind = |v: &Value| v.get("kind").and_then(Value::as_str).unwrap_or("").to_string();
    match (kind(workload).as_str(), kind(made).as_str()) {
        ("CronJob", "Pod") => "/spec/jobTemplate/spec/template",
        ("CronJob", "Job") => "/spec/jobTemplate",
        ("Deployment" | "ReplicaSet" | "StatefulSet" | "DaemonSet" | "Job" | "ReplicationController", _) => {
            "/spec/template"
        }
        _ => "",
    }
}

struct Ctx<'a> {
    root: &'a std::path::Path,
    page: &'a Page,
    config: &'a Config,
    links: &'a LinkTable,
    policies: RefCell<&'a mut PolicySet>,
    diagnostics: RefCell<Vec<Diagnostic>>,
    warnings: RefCell<Vec<Diagnostic>>,
    examples: RefCell<Vec<ExampleRecord>>,
    counts: RefCell<ExampleCounts>,
    /// The site's policies together with an example's `policies=` and the page's own policies of its group, by
    /// those, loaded once per page.
    extra_sets: RefCell<HashMap<String, Result<PolicySet, String>>>,
    /// Each fenced block's top-level `<details>` and `<summary>`s, by its fence's offset (read when
    /// `[examples] page-policies` or `summary-expect` asks).
    places: HashMap<usize, (Option<usize>, Vec<String>)>,
    /// The policy objects the page shows (`[examples] page-policies`): their top-level `<details>` (none: the
    /// whole page's), a name (`file:line`) and the object.
    page_policies: Vec<(Option<usize>, String, Value)>,
}

/// The places of a page's fenced blocks among its `<details>` and the policy objects it shows, when the site asks
/// for them (`[examples] page-policies`, `summary-expect`).
#[allow(clippy::type_complexity)]
fn page_places(
    page: &Page,
    config: &Config,
) -> (HashMap<usize, (Option<usize>, Vec<String>)>, Vec<(Option<usize>, String, Value)>) {
    let examples = &config.examples;
    let mut places = HashMap::new();
    let mut policies = Vec::new();
    if !examples.page_policies && (examples.summary_expect.is_empty() || !page.text.contains("<details")) {
        return (places, policies);
    }
    for p in markdown::block_places(&page.text, page.body_start) {
        let (lang, _) = examples::split_info(&p.info);
        let yaml = examples::is_yaml(lang) || lang.ends_with(".yaml") || lang.ends_with(".yml");
        if examples.page_policies && yaml && !p.info.split_whitespace().any(|w| w == "novalidate") {
            // A block that does not parse is reported where it is checked as an example.
            if let Ok(docs) = yaml::load_documents(&p.code, Schema::Kubernetes, &Limits::default()) {
                let (fence_line, _) = line_col(&page.text, p.fence_offset);
                for d in docs {
                    if PolicySet::is_policy_object(&d.value) {
                        policies.push((p.group, format!("{}:{}", page.file, fence_line + d.line), d.value));
                    }
                }
            }
        }
        places.insert(p.fence_offset, (p.group, p.summaries));
    }
    (places, policies)
}

/// Renders `page`, checking its examples against `policies`.
pub(crate) fn render(
    root: &std::path::Path,
    page: &Page,
    config: &Config,
    links: &LinkTable,
    policies: &mut PolicySet,
) -> Rendered {
    let (places, page_policies) = page_places(page, config);
    let ctx = Ctx {
        root,
        extra_sets: RefCell::new(HashMap::new()),
        places,
        page_policies,
        page,
        config,
        links,
        policies: RefCell::new(policies),
        diagnostics: RefCell::new(Vec::new()),
        warnings: RefCell::new(Vec::new()),
        examples: RefCell::new(Vec::new()),
        counts: RefCell::new(ExampleCounts::default()),
    };
    let (html, found) = markdown::render(&page.text, page.body_start, &ctx);
    for e in &found.mdx_errors {
        let (line, col) = line_col(&page.text, e.offset);
        ctx.error(Diagnostic::error(e.message.clone(), &page.file, line, col).width(e.width).help(e.help.clone()));
    }
    Rendered {
        html,
        found,
        diagnostics: ctx.diagnostics.into_inner(),
        warnings: ctx.warnings.into_inner(),
        examples: ctx.examples.into_inner(),
        counts: ctx.counts.into_inner(),
    }
}

impl markdown::Context for Ctx<'_> {
    fn code_block(&self, index: usize, block: &CodeBlock) -> String {
        let (lang, attrs_start) = examples::split_info(&block.info);
        // A fence named like a file (```deployment.yaml, ```.yaml) is a YAML example titled by that name.
        let file_name = (lang.ends_with(".yaml") || lang.ends_with(".yml")).then_some(lang);
        // A JSON block that is an API object is an example like a YAML one (a webhook's payload is not).
        let json_object = lang == "json"
            && !block.info.split_whitespace().any(|w| w == "novalidate")
            && examples::is_kubernetes_object(&block.code);
        if !examples::is_yaml(lang) && file_name.is_none() && !json_object {
            if !block.info.split_whitespace().any(|w| w == "novalidate") && examples::is_kubernetes_object(&block.code)
            {
                let (line, col) = line_col(&self.page.text, block.fence_offset);
                let shown = if lang.is_empty() { "no language".to_string() } else { format!("`{lang}`") };
                self.error(
                    Diagnostic::error(
                        format!("this code block holds a Kubernetes object, but its fence says {shown}, so it would not be checked"),
                        &self.page.file,
                        line,
                        col,
                    )
                    .width(self.page.text[block.fence_offset..].lines().next().map_or(3, |l| l.trim_end().len()))
                    .help("fence it as ```yaml to check it, or add `novalidate` after the language (```text novalidate) to show it unchecked"),
                );
            }
            let title = simple_title(&block.info);
            let marked = crate::highlight::marks(&block.info, &block.code);
            return code_html(&crate::highlight::highlight_marked(&marked, lang), lang, title.as_deref());
        }
        let at = At { file: &self.page.file, text: &self.page.text, offset: block.info_offset };
        match examples::parse_attrs(&block.info, attrs_start, at) {
            Err(d) => {
                self.diagnostics.borrow_mut().push(d);
                code_html(&highlight(&block.code, "yaml"), "yaml", None)
            }
            Ok(mut attrs) => {
                if let Some(name) = file_name.filter(|n| !n.starts_with('.')) {
                    attrs.title.get_or_insert_with(|| name.to_string());
                }
                self.example(index, block, &attrs)
            }
        }
    }

    fn link(&self, dest: &str) -> String {
        self.links.url(dest, self.page, &self.config.base_url).unwrap_or_else(|| dest.to_string())
    }
}

fn simple_title(info: &str) -> Option<String> {
    let i = info.find("title=\"")?;
    let rest = &info[i + 7..];
    rest.find('"').map(|end| rest[..end].to_string())
}

fn code_html(highlighted: &str, lang: &str, title: Option<&str>) -> String {
    let title = title.map(|t| format!("<div class=\"code-title\">{}</div>", escape(t))).unwrap_or_default();
    format!(
        "<div class=\"code-block\">{title}<pre class=\"code\" data-lang=\"{}\"><code>{highlighted}</code></pre></div>\n",
        escape(lang)
    )
}

/// Markdown line and column of a 1-based line/column inside the code block.
fn code_pos(page: &Page, block: &CodeBlock, line: usize, column: usize) -> (usize, usize) {
    let (first_line, first_col) = line_col(&page.text, block.code_offset);
    (first_line + line.saturating_sub(1), first_col + column.saturating_sub(1))
}

impl Ctx<'_> {
    fn error(&self, d: Diagnostic) {
        self.diagnostics.borrow_mut().push(d);
    }

    /// The page's policy objects that judge an example in the top-level `<details>` `group`: those of that group
    /// and those outside any.
    fn page_objects(&self, group: Option<usize>) -> Vec<(String, Value)> {
        self.page_policies
            .iter()
            .filter(|(g, _, _)| g.is_none() || *g == group)
            .map(|(_, name, value)| (name.clone(), value.clone()))
            .collect()
    }

    /// The site's policy set with `paths` (policy sources from the site root) and the page's own policies of
    /// `group` added, loaded once per page.
    fn with_extra(&self, paths: &[String], group: Option<usize>) -> Result<PolicySet, String> {
        let key = format!("{}#{group:?}", paths.join(","));
        if let Some(r) = self.extra_sets.borrow().get(&key) {
            return r.clone();
        }
        let load = || -> Result<PolicySet, String> {
            use guardrail_engine::policy::{PolicyObject, PolicyText};
            let sources: Vec<std::path::PathBuf> = paths.iter().map(|p| self.root.join(p)).collect();
            let files = crate::policies::policy_files(&sources).map_err(|e| e.to_string())?;
            let mut texts = Vec::new();
            for f in &files {
                let name = f.strip_prefix(self.root).unwrap_or(f).to_string_lossy().replace('\\', "/");
                texts.push((name, crate::policies::read_text(f).map_err(|e| e.to_string())?));
            }
            let refs: Vec<PolicyText<'_>> = texts.iter().map(|(n, t)| PolicyText { name: n, text: t }).collect();
            let joined = |errors: Vec<guardrail_engine::policy::PolicyError>| {
                errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
            };
            let (extra, found) = PolicySet::load_sources(&refs, &Limits::default()).map_err(joined)?;
            let base = self.policies.borrow();
            let mut objects: Vec<(String, Value)> =
                base.objects().chain(extra.objects()).map(|o| (o.name.to_string(), o.value.clone())).collect();
            objects.extend(self.page_objects(group));
            let all: Vec<PolicyObject<'_>> = objects.iter().map(|(n, v)| PolicyObject { name: n, value: v }).collect();
            let mut set = PolicySet::load_objects(&all, &Limits::default()).map_err(joined)?;
            // The example's own cluster state (a Namespace with its labels, a LimitRange) joins the site's.
            let mut cluster: Vec<(String, Value)> =
                base.cluster().map(|o| (o.name.to_string(), o.value.clone())).collect();
            cluster.extend(found.cluster);
            set.set_cluster(cluster)?;
            set.set_exempt_namespaces(&self.config.policies.exempt_namespaces)?;
            set.set_api_server(base.api_server().cloned());
            Ok(set)
        };
        let result = load();
        self.extra_sets.borrow_mut().insert(key, result.clone());
        result
    }

    /// Whether the API server would decode `placed` (of `doc`): its kind is served by the Kubernetes version of
    /// `[examples] kubernetes-version` and it matches that kind's schema (a custom resource: its CRD's, when the
    /// cluster state has it). Each problem is an error at its field; a kind with no schema known is counted.
    fn decodes(
        &self,
        block: &CodeBlock,
        doc: &yaml::Document,
        placed: &Placed,
        inferred: bool,
        expect_refused: bool,
        extra: Option<&PolicySet>,
    ) -> Decoded {
        use guardrail_engine::schema::{Check, schemas};
        let version = &self.config.examples.kubernetes_version;
        let Some(api) = schemas(version) else { return Decoded::Yes };
        let file = &self.page.file;
        // The field's line, or that of the nearest enclosing field that is written (a missing required field is
        // shown at its parent).
        let at = |pointer: &str| {
            let (l, c) =
                doc.source_map.field(pointer.strip_prefix(placed.at.as_str()).unwrap_or("")).unwrap_or((doc.line, 1));
            code_pos(self.page, block, l, c)
        };
        let kind = placed.object.get("kind").and_then(Value::as_str).unwrap_or("").to_string();
        let api_version = placed.object.get("apiVersion").and_then(Value::as_str).unwrap_or("").to_string();
        let check = match extra {
            Some(set) => set.decode(api, &placed.object),
            None => self.policies.borrow().decode(api, &placed.object),
        };
        match check {
            Check::Checked(errors) if errors.is_empty() => Decoded::Yes,
            Check::Checked(errors) if expect_refused => {
                Decoded::Refused(errors.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join("; "))
            }
            Check::NoSuchKind { .. } if expect_refused => {
                Decoded::Refused(format!("no matches for kind \"{kind}\" in version \"{api_version}\""))
            }
            Check::Checked(errors) => {
                for e in errors {
                    let (line, col) = at(&e.pointer);
                    let width =
                        e.path.rsplit(['.', '[']).next().map_or(1, |last| last.trim_end_matches(']').len().max(1));
                    let mut d =
                        Diagnostic::error(format!("the API server refuses the example: {}", e.message), file, line, col)
                            .width(width)
                            .note(format!(
                                "decoded as Kubernetes {version} decodes a {kind} ({api_version}), strictly, as `kubectl apply` asks"
                            ));
                    if let (true, Some(w)) = (inferred, placed.wrap) {
                        d = d.note(format!(
                            "guardrail took this block for a {} fragment from its keys; if it is not a Kubernetes object, mark the block `novalidate`",
                            w.name()
                        ));
                    }
                    d = match e.hint {
                        Some(hint) => d.help(hint),
                        None => d.help(
                            "fix the field; no admission webhook ever sees an object the API server cannot decode",
                        ),
                    };
                    self.error(d);
                }
                Decoded::No
            }
            Check::NoSuchKind { served_in } => {
                let (line, col) = at("/apiVersion");
                self.error(
                    Diagnostic::error(
                        format!("the API server refuses the example: no matches for kind \"{kind}\" in version \"{api_version}\""),
                        file,
                        line,
                        col,
                    )
                    .width(api_version.len().max(1))
                    .note(format!("Kubernetes {version}: {}", api.no_such_kind_note(&api_version, &kind, &served_in)))
                    .help("use an apiVersion and kind your clusters serve (`[examples] kubernetes-version` says which Kubernetes they run)"),
                );
                Decoded::No
            }
            Check::Unknown => {
                *self.counts.borrow_mut().unknown_kinds.entry(kind.clone()).or_default() += 1;
                Decoded::NoSchema(format!("{kind} ({api_version})"))
            }
        }
    }

    fn example(&self, index: usize, block: &CodeBlock, attrs: &Attrs) -> String {
        let title = attrs.title.as_deref();
        if attrs.novalidate {
            self.counts.borrow_mut().unchecked += 1;
            let chip = "<span class=\"verdict verdict-unchecked\" title=\"Not a Kubernetes object: shown, not checked\">Not checked</span>";
            let marked = crate::highlight::marks(&block.info, &block.code);
            return example_html(
                index,
                title,
                chip,
                &crate::highlight::highlight_marked(&marked, "yaml"),
                "",
                "",
                None,
            );
        }
        self.counts.borrow_mut().checked += 1;
        let file = &self.page.file;
        // Lines that elide (`...`, `# ...`) make a partial example: what is shown is checked, what was left out
        // is not missed.
        let (code, partial) = examples::strip_elisions(&block.code);
        let docs = match yaml::load_documents(&code, Schema::Kubernetes, &Limits::default()) {
            Ok(d) => d,
            Err(e) => {
                let (line, col) = code_pos(self.page, block, e.line, e.column);
                self.error(
                    Diagnostic::error(format!("invalid YAML in example: {}", e.message), file, line, col)
                        .help("fix the YAML; a docs example must parse as the cluster would parse it"),
                );
                return code_html(&highlight(&block.code, "yaml"), "yaml", title);
            }
        };
        let (group, summaries) = self.places.get(&block.fence_offset).cloned().unwrap_or_default();
        // Under `[examples] summary-expect`, the `<summary>` of the example's own `<details>` says what it promises
        // when the block says nothing: the verdict its words name, when they agree; nothing (judged and shown, not
        // compared) when it names none or they disagree (`blank-host`). The policies a page shows promise nothing.
        let policies_only =
            docs.iter().all(|d| d.value.is_null() || guardrail_engine::policy::PolicySet::is_policy_object(&d.value));
        let promise = match summaries.last() {
            Some(summary)
                if !attrs.expect_given && !self.config.examples.summary_expect.is_empty() && !policies_only =>
            {
                let mut verdicts: Vec<examples::Expect> = summary
                    .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .filter_map(|w| self.config.examples.summary_expect.get(w))
                    .filter_map(|v| examples::Expect::from_name(v))
                    .collect();
                verdicts.dedup();
                match verdicts.as_slice() {
                    [one] => Promise::Summary(*one, summary.clone()),
                    _ => Promise::Nothing,
                }
            }
            _ => Promise::Given,
        };
        let summary_attrs;
        let attrs = match &promise {
            Promise::Summary(expect, _) => {
                summary_attrs = Attrs { expect: *expect, expect_given: true, ..attrs.clone() };
                &summary_attrs
            }
            _ => attrs,
        };
        if promise == Promise::Nothing {
            self.counts.borrow_mut().no_promise += 1;
        }
        let namespace = attrs.namespace.clone().unwrap_or_else(|| self.config.examples.namespace.clone());
        let page_objects = !self.page_objects(group).is_empty();
        let mut extra = match attrs.policies.is_empty() && !page_objects {
            true => None,
            false => match self.with_extra(&attrs.policies, group) {
                Ok(set) => Some(set),
                Err(why) if attrs.policies.is_empty() => {
                    let (line, col) = line_col(&self.page.text, block.fence_offset);
                    self.error(
                        Diagnostic::error(format!("the page's policies do not load: {why}"), file, line, col).help(
                            "fix the policy the error names; `[examples] page-policies` judges this example by the policies the page shows",
                        ),
                    );
                    return code_html(&highlight(&block.code, "yaml"), "yaml", title);
                }
                Err(why) => {
                    let at = block.info.find("policies=").unwrap_or(0);
                    let width = block.info[at..].find(char::is_whitespace).unwrap_or(block.info.len() - at);
                    let (line, col) = line_col(&self.page.text, block.info_offset + at);
                    self.error(
                        Diagnostic::error(format!("the example's `policies=` do not load: {why}"), file, line, col)
                            .width(width)
                            .help("name policy files or folders by their path from the site root"),
                    );
                    return code_html(&highlight(&block.code, "yaml"), "yaml", title);
                }
            },
        };
        let mut results: Vec<Checked> = Vec::new();
        // Documents that are not API objects (configuration files, Helm values): shown, counted, not judged.
        let mut skipped: Vec<(usize, NotAnObject)> = Vec::new();
        // What the API server said of documents an `expect=refused` block shows, when it refused them.
        let mut refusals: Vec<String> = Vec::new();
        for doc in docs.iter().filter(|d| !d.value.is_null()) {
            let (line, col) = code_pos(self.page, block, doc.line, 1);
            // An AdmissionReview is judged as gator judges it: its request's object, operation, user, old object.
            let review = match guardrail_engine::policy::Request::from_admission_review(&doc.value) {
                Ok(r) => r,
                Err(why) => {
                    self.error(Diagnostic::error(format!("AdmissionReview example: {why}"), file, line, col).help(
                        "give the review a request with an operation and an object (or an oldObject for a DELETE)",
                    ));
                    continue;
                }
            };
            if review.as_ref().is_some_and(|(_, o)| {
                o.get("apiVersion").and_then(Value::as_str).is_none() || o.get("kind").and_then(Value::as_str).is_none()
            }) {
                skipped.push((
                    line,
                    NotAnObject::NotKubernetes(
                        "an AdmissionReview whose object has no apiVersion and kind".to_string(),
                    ),
                ));
                continue;
            }
            if review.is_none() && attrs.wrap.is_none() {
                match self.classify(&doc.value) {
                    Classified::Example => {}
                    Classified::Skip(why) => {
                        skipped.push((line, why));
                        continue;
                    }
                    Classified::Refused(e, names) => {
                        let (l, c) = doc.source_map.field(&e.pointer).unwrap_or((doc.line, 1));
                        let (line, col) = code_pos(self.page, block, l, c);
                        let width =
                            e.path.rsplit(['.', '[']).next().map_or(1, |last| last.trim_end_matches(']').len().max(1));
                        let mut d = Diagnostic::error(
                            format!("the API server refuses the example: {}", e.message),
                            file,
                            line,
                            col,
                        )
                        .width(width)
                        .note(format!(
                            "read as a piece of a {} (what has all its fields), the API server refuses this field",
                            readings_named(&names)
                        ));
                        d = match e.hint.clone() {
                            Some(hint) => d.help(hint),
                            None => {
                                d.help("fix the field; if the block is not a Kubernetes object, mark it `novalidate`")
                            }
                        };
                        self.error(d);
                        continue;
                    }
                }
            }
            let (value, review) = match review {
                Some((request, object)) => (object, Some(request)),
                None => (doc.value.clone(), None),
            };
            let inferred = attrs.wrap.is_none();
            let wrap = match examples::resolve_wrap(attrs, &value) {
                Ok(w) => w,
                Err(why) => {
                    // Several readings (a Pod spec's or a container's `resources`): when each refuses the same
                    // field, that field is the problem; when the cluster judges each alike, any reading judges it.
                    let readings =
                        if attrs.wrap.is_none() { guardrail_engine::fragment::readings(&value) } else { Vec::new() };
                    let ambiguous = |more: &str| {
                        Diagnostic::error(format!("ambiguous example: {why}{more}"), file, line, col)
                            .help("say what it is with `wrap=` (`pod`, `podspec`, `container`, `metadata`, `containers`, `volumes`, `env`, `ports`, `volumeMounts`); if it is not a Kubernetes object, mark the block `novalidate`")
                    };
                    match self.every_reading(&value, &readings) {
                        Reading::Same(clean) if self.judged_alike(&value, &clean, &namespace, extra.as_mut()) => {
                            clean.first().copied()
                        }
                        Reading::Same(_) => {
                            self.error(ambiguous("; and the cluster judges the readings differently"));
                            continue;
                        }
                        // A field no reading has and none is a typo of, in a block whose fields are mostly of
                        // no Pod part (an Azure Pipelines `resources: {repositories: ...}`): another tool's YAML.
                        Reading::Refused(e, _) if e.is_foreign(self.coverage(&value, &readings)) => {
                            let keys: Vec<String> = value
                                .as_object()
                                .map(|m| m.keys().map(|k| format!("`{k}`")).collect())
                                .unwrap_or_default();
                            let field = e.path.rsplit('.').next().unwrap_or(&e.path).to_string();
                            skipped.push((line, NotAnObject::Foreign(keys.join(", "), field)));
                            continue;
                        }
                        Reading::Refused(e, w) => {
                            let placed = guardrail_engine::fragment::place(&value, Some(w));
                            let rel = e.pointer.strip_prefix(placed.at.as_str()).unwrap_or("");
                            let (l, c) = doc.source_map.field(rel).unwrap_or((doc.line, 1));
                            let (line, col) = code_pos(self.page, block, l, c);
                            let names: Vec<&str> = readings.iter().map(|w| w.name()).collect();
                            let mut d = Diagnostic::error(
                                format!("the API server refuses the example: {}", e.message),
                                file,
                                line,
                                col,
                            )
                            .note(format!(
                                "whether it is read as a {}, the API server refuses this field",
                                names.join(" or a ")
                            ));
                            if let Some(hint) = e.hint.clone() {
                                d = d.help(hint);
                            }
                            self.error(d);
                            continue;
                        }
                        Reading::Differs => {
                            self.error(ambiguous(""));
                            continue;
                        }
                    }
                }
            };
            let placed = guardrail_engine::fragment::place(&value, wrap);
            // The API server decodes the object strictly before any webhook sees it.
            let expect_refused = attrs.expect == examples::Expect::Refused;
            let no_schema = match self.decodes(block, doc, &placed, inferred, expect_refused, extra.as_ref()) {
                Decoded::No => continue,
                Decoded::Yes => None,
                Decoded::NoSchema(what) => Some(what),
                Decoded::Refused(why) => {
                    self.refused_as_promised(attrs, &why, line, col);
                    refusals.push(why);
                    continue;
                }
            };
            let mut request = review.clone().unwrap_or_else(|| guardrail_engine::fragment::request_in(&namespace));
            // A fragment is a piece of a manifest: what it does not show (a container's name in a snippet of
            // `containers:`) is not missing, so only whole objects get the required-field check.
            request.partial = partial || placed.wrap.is_some();
            let admitted = match extra.as_mut() {
                Some(set) => guardrail_engine::fragment::admit_with(set, &placed, &request),
                None => guardrail_engine::fragment::admit_with(&mut self.policies.borrow_mut(), &placed, &request),
            };
            let decision = match admitted {
                Ok(d) => d,
                Err(e) => {
                    self.error(Diagnostic::error(format!("example cannot be admitted: {e}"), file, line, col));
                    continue;
                }
            };
            // What mutation made must decode too: a mutator that writes a field of the wrong type (or one the kind
            // does not have) is a policy bug, and the cluster would refuse every object it touches.
            if decision.mutated() {
                if let Some(api) = guardrail_engine::schema::schemas(&self.config.examples.kubernetes_version) {
                    // Only what the mutation wrote (its patch paths) needs decoding again.
                    let written: Vec<&str> =
                        decision.patch.iter().filter_map(|op| op.get("path").and_then(Value::as_str)).collect();
                    {
                        // A required field a partial example left out is not the mutator's fault.
                        for e in api
                            .check_at(&decision.object, &written)
                            .into_iter()
                            .filter(|e| !(partial && e.after_admission))
                        {
                            self.error(
                                Diagnostic::error(
                                    format!("after mutation the object no longer decodes: {}", e.message),
                                    file,
                                    line,
                                    col,
                                )
                                .note(format!("mutated by {}", decision.mutators.join(", ")))
                                .help("fix the mutator: it writes what the API server refuses"),
                            );
                        }
                    }
                }
            }
            if expect_refused {
                match decision.decided_by.filter(|s| s.is_api_server()).and_then(|_| decision.denial()) {
                    Some(why) => {
                        self.refused_as_promised(attrs, &why, line, col);
                        refusals.push(why);
                    }
                    None => {
                        let got = match decision.denial() {
                            Some(why) => {
                                format!("got: rejected by Gatekeeper's webhook, after the API server took it: {why}")
                            }
                            None => "got: admitted".to_string(),
                        };
                        self.error(
                            Diagnostic::error(
                                "the API server takes this example, but the page promises it refuses it".to_string(),
                                file,
                                line,
                                col,
                            )
                            .note("expected: refused by the API server itself (expect=refused)".to_string())
                            .note(got)
                            .help("fix the example, or say what happens with `expect=deny` or `expect=admit`"),
                        );
                    }
                }
                continue;
            }
            let outcome = examples::Outcome::of(&decision);
            let blame = |headline: String| {
                // The decision whose violations name fields: the rejected object a workload leads to, or, when
                // the workload is rejected by what an ExpansionTemplate makes of it, that resultant.
                let expanded = decision.children.iter().find(|c| {
                    matches!(c.origin, Origin::Expanded { .. })
                        && c.decision.verdict == guardrail_engine::policy::Verdict::Rejected
                });
                let deciding = match (outcome.chain.last().copied(), expanded) {
                    (Some(c), _) | (None, Some(c)) => &c.decision,
                    (None, None) => &decision,
                };
                let prefix = if std::ptr::eq(deciding, &decision) {
                    ""
                } else {
                    template_pointer(&decision.object, &deciding.object)
                };
                let (l, c, w) = self.blame(block, doc, &placed, deciding, prefix);
                Diagnostic::error(headline, file, l, c).width(w)
            };
            let compared = if promise == Promise::Nothing { Ok(()) } else { examples::compare(attrs, &outcome, blame) };
            // A verdict of a rule that reads the cluster's objects (`data.inventory`), with no cluster state to read:
            // the page may be right about a cluster guardrail cannot see, so it is said, not failed.
            let referential: Vec<String> = {
                let set = extra.as_ref().map_or_else(
                    || self.policies.borrow().referential_kinds().iter().map(|k| k.to_string()).collect::<Vec<_>>(),
                    |s| s.referential_kinds().iter().map(|k| k.to_string()).collect(),
                );
                let empty =
                    extra.as_ref().map_or_else(|| self.policies.borrow().cluster_is_empty(), |s| s.cluster_is_empty());
                let deciding = outcome.deciding();
                if empty {
                    set.into_iter()
                        .filter(|k| deciding.constraints.iter().any(|c| c.split('/').next() == Some(k.as_str())))
                        .collect()
                } else {
                    Vec::new()
                }
            };
            let compared = match compared {
                Err(d) if !referential.is_empty() => {
                    let mut w = Diagnostic::warning(format!("{} (not checked: the verdict depends on the cluster's objects)", d.message), file, d.line, d.column)
                        .note(format!("{} reads data.inventory, the objects Gatekeeper syncs from the cluster, and the site gives no cluster state", referential.join(", ")));
                    for n in d.notes {
                        w = w.note(n);
                    }
                    self.warnings.borrow_mut().push(w.help("give the objects the rule looks for (the page's inventory) as cluster state: `[paths] cluster`"));
                    Ok(())
                }
                other => other,
            };
            if let Err(d) = compared {
                let d = match &promise {
                    Promise::Summary(_, summary) => d.note(format!(
                        "the page promises it under `<summary>{summary}</summary>` ([examples] summary-expect)"
                    )),
                    _ => d,
                };
                self.error(d);
            }
            // A rule that applies but that nothing can evaluate (no Rego, no CEL): the page must not claim it held.
            let mut unchecked = decision.unchecked.clone();
            unchecked.extend(decision.descendants().iter().flat_map(|(_, c)| c.decision.unchecked.iter().cloned()));
            unchecked.sort();
            unchecked.dedup();
            if !unchecked.is_empty() {
                self.warnings.borrow_mut().push(
                    Diagnostic::warning(
                        format!("example is not fully checked: {} not evaluated", unchecked.join(", ")),
                        file,
                        line,
                        col,
                    )
                    .note("their templates have no code Gatekeeper can run (neither Rego nor K8sNativeValidation)")
                    .help("check this rule on a cluster, or give its template Rego as well"),
                );
            }
            let (rejected, by) = (outcome.rejected(), outcome.by.clone());
            let made_rejected = outcome
                .chain
                .last()
                .map(|c| c.object.get("kind").and_then(Value::as_str).unwrap_or("object").to_string());
            results.push(Checked { placed, decision, original: value.clone(), by, rejected, made_rejected, no_schema });
        }
        if results.is_empty()
            && !skipped.is_empty()
            && skipped.len() == docs.iter().filter(|d| !d.value.is_null()).count()
        {
            // Nothing here is a Kubernetes object: the block is shown as written, as Docusaurus shows it.
            let mut counts = self.counts.borrow_mut();
            counts.checked -= 1;
            for (line, why) in &skipped {
                if let NotAnObject::Configuration(what) = why {
                    *counts.config_files.entry(what.clone()).or_default() += 1;
                }
                counts.not_examples.push(format!("{file}:{line}: {}", why.describe()));
            }
            if skipped.iter().any(|(_, w)| {
                matches!(w, NotAnObject::Unplaced(_) | NotAnObject::Gatekeeper(_) | NotAnObject::Loose(_))
            }) {
                counts.unplaced += 1;
            } else if skipped.iter().any(|(_, w)| matches!(w, NotAnObject::NotKubernetes(_) | NotAnObject::Foreign(..)))
            {
                counts.not_objects += 1;
            } else if skipped.iter().all(|(_, w)| matches!(w, NotAnObject::Piece(_))) {
                counts.pieces += 1;
            }
            drop(counts);
            return code_html(&highlight(&block.code, "yaml"), "yaml", title);
        }
        for (line, why) in &skipped {
            self.counts.borrow_mut().not_examples.push(format!("{file}:{line}: {}", why.describe()));
        }
        if !refusals.is_empty() && results.is_empty() {
            let chip = "<span class=\"verdict verdict-rejected\">Refused by the API server</span>";
            let items: String = refusals.iter().map(|r| format!("<li><code>{}</code></li>", escape(r))).collect();
            let messages = format!(
                "<div class=\"example-messages\"><p>The API server refuses it, before any admission webhook:</p><ul>{items}</ul></div>"
            );
            let code = highlight(&block.code, "yaml");
            return example_html(index, title, chip, &code, "", &messages, None);
        }
        if partial {
            self.counts.borrow_mut().partial += 1;
            let html = self.view(index, block, attrs, &namespace, &results);
            // Said on the chip line: the reader knows lines were left out.
            return html.replacen(
                "</figcaption>",
                "<span class=\"verdict verdict-partial\" title=\"Lines elided with ...: what is shown was checked\">Partial</span></figcaption>",
                1,
            );
        }
        self.view(index, block, attrs, &namespace, &results)
    }

    /// Whether the cluster judges a fragment the same under each of its readings (verdict and rejecting rules).
    fn judged_alike(
        &self,
        value: &Value,
        readings: &[guardrail_engine::fragment::Wrap],
        namespace: &str,
        mut extra: Option<&mut guardrail_engine::policy::PolicySet>,
    ) -> bool {
        // A fragment is judged as a partial object (what it does not show is not missing), as below.
        let request =
            guardrail_engine::policy::Request { partial: true, ..guardrail_engine::fragment::request_in(namespace) };
        let verdicts: Vec<_> = readings
            .iter()
            .map(|r| {
                let placed = guardrail_engine::fragment::place(value, Some(*r));
                let d = match extra.as_deref_mut() {
                    Some(set) => guardrail_engine::fragment::admit_with(set, &placed, &request),
                    None => guardrail_engine::fragment::admit_with(&mut self.policies.borrow_mut(), &placed, &request),
                };
                d.map(|d| (d.verdict, examples::rejecting(&d))).ok()
            })
            .collect();
        verdicts.windows(2).all(|p| p[0] == p[1] && p[0].is_some())
    }

    /// How many of a fragment's fields its best reading names, and how many it has.
    fn coverage(&self, value: &Value, readings: &[guardrail_engine::fragment::Wrap]) -> (usize, usize) {
        let Some(api) = guardrail_engine::schema::schemas(&self.config.examples.kubernetes_version) else {
            return (0, 0);
        };
        let best = readings
            .iter()
            .map(|w| {
                // The fragment's own fields, read at its place in a Pod: the Pod's, less those of the Pod around
                // an empty fragment.
                let pod = "io.k8s.api.core.v1.Pod";
                let whole = api.coverage(pod, &guardrail_engine::fragment::place(value, Some(*w)).object);
                let empty = if w.is_list() { Value::Array(Vec::new()) } else { Value::Object(Default::default()) };
                let around = api.coverage(pod, &guardrail_engine::fragment::place(&empty, Some(*w)).object);
                (whole.0.saturating_sub(around.0), whole.1.saturating_sub(around.1))
            })
            .max_by_key(|c| c.0);
        best.unwrap_or((0, 0))
    }

    /// Decodes a fragment under each of its readings.
    fn every_reading(&self, value: &Value, readings: &[guardrail_engine::fragment::Wrap]) -> Reading {
        use guardrail_engine::schema::Check;
        let Some(api) = guardrail_engine::schema::schemas(&self.config.examples.kubernetes_version) else {
            return Reading::Differs;
        };
        let mut errors = Vec::new();
        for w in readings {
            let placed = guardrail_engine::fragment::place(value, Some(*w));
            match self.policies.borrow().decode(api, &placed.object) {
                Check::Checked(e) => {
                    // Each error's field relative to the fragment, so that the readings can be compared.
                    let rel: Vec<(String, guardrail_engine::schema::SchemaError)> = e
                        .into_iter()
                        .filter(|x| !x.after_admission)
                        .map(|x| (x.pointer.strip_prefix(placed.at.as_str()).unwrap_or(&x.pointer).to_string(), x))
                        .collect();
                    errors.push((*w, rel));
                }
                _ => return Reading::Differs,
            }
        }
        // What decodes under some readings is what the writer meant by them.
        let clean: Vec<guardrail_engine::fragment::Wrap> =
            errors.iter().filter(|(_, e)| e.is_empty()).map(|(w, _)| *w).collect();
        if !clean.is_empty() {
            return Reading::Same(clean);
        }
        let Some((w0, first)) = errors.first() else { return Reading::Differs };
        for (field, e) in first {
            if errors.iter().all(|(_, es)| es.iter().any(|(f, _)| f == field)) {
                return Reading::Refused(e.clone(), *w0);
            }
        }
        Reading::Differs
    }

    /// A refusal an `expect=refused` block promised: its `reason=` must be in the API server's words.
    fn refused_as_promised(&self, attrs: &Attrs, why: &str, line: usize, col: usize) {
        if let Some(reason) = attrs.reason.as_deref().filter(|r| !why.contains(r)) {
            self.error(
                Diagnostic::error(
                    format!("the API server refuses this example, but not for the reason the page gives (`{reason}`)"),
                    &self.page.file,
                    line,
                    col,
                )
                .note(format!("the API server says: {why}"))
                .help("fix `reason=` to words of the refusal, or the example"),
            );
        }
    }

    /// What a document of a YAML block is: an example (an object, or a piece of a Pod guardrail places in one);
    /// a configuration file no API server serves (a kubeconfig, an `AdmissionConfiguration`, a `Kustomization`);
    /// YAML of another tool (keys that are fields of no Kubernetes definition: Helm values, a CI pipeline); or a
    /// piece of some other object, decoded against the definitions with its fields (a webhook's `rules`, a
    /// constraint's `match` by the loaded templates' kinds, a CRD's piece by the cluster state's CRDs).
    fn classify(&self, doc: &Value) -> Classified {
        use guardrail_engine::policy::Piece;
        let Some(api) = guardrail_engine::schema::schemas(&self.config.examples.kubernetes_version) else {
            return Classified::Example;
        };
        let named = |keys: &[&str]| keys.iter().take(4).map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ");
        if let Value::Object(map) = doc {
            let (api_version, kind) =
                (map.get("apiVersion").and_then(Value::as_str), map.get("kind").and_then(Value::as_str));
            if let (Some(v), Some(k)) = (api_version, kind) {
                return match guardrail_engine::object::configuration_file(v, k) {
                    Some(reader) => Classified::Skip(NotAnObject::Configuration(format!("{k} ({reader})"))),
                    None => Classified::Example,
                };
            }
        }
        if guardrail_engine::fragment::infer_wrap(doc).is_ok() || !guardrail_engine::fragment::readings(doc).is_empty()
        {
            return Classified::Example;
        }
        let keys: Vec<&str> = match doc {
            Value::Object(map) => map.keys().map(String::as_str).collect(),
            Value::Array(_) => vec!["a list"],
            _ => return Classified::Skip(NotAnObject::NotKubernetes("a scalar".to_string())),
        };
        // A piece of one of Gatekeeper's own kinds, written bare or under `spec:`.
        let inner: Vec<&str> = match doc.get("spec").and_then(Value::as_object) {
            Some(spec) if keys.iter().all(|k| ["metadata", "spec"].contains(k)) => {
                spec.keys().map(String::as_str).collect()
            }
            _ => keys.clone(),
        };
        let gatekeeper = GATEKEEPER_SPECS
            .iter()
            .find(|(_, fields)| !inner.is_empty() && inner.iter().all(|k| fields.contains(k)))
            .map(|(kind, _)| *kind);
        let piece = self.policies.borrow().piece(api, doc);
        match piece {
            Piece::Decodes(names) => Classified::Skip(NotAnObject::Piece(readings_named(&names))),
            // Gatekeeper's kinds have no schema here: what fits one of them is not judged by built-in kinds' alone
            // (a loaded template's constraint kind, or a CRD, is a reading of its own).
            Piece::Refused(e, names, builtin_only) if !builtin_only || gatekeeper.is_none() => {
                Classified::Refused(e, names)
            }
            _ if gatekeeper.is_some() => {
                Classified::Skip(NotAnObject::Gatekeeper(format!("{} spec", gatekeeper.unwrap_or_default())))
            }
            Piece::Refused(e, names, _) => Classified::Refused(e, names),
            Piece::Differs(names) => Classified::Skip(NotAnObject::Unplaced(readings_named(&names))),
            Piece::Loose(names) => Classified::Skip(NotAnObject::Loose(readings_named(&names))),
            Piece::Unknown if doc.is_array() => Classified::Skip(NotAnObject::NotKubernetes("a list".to_string())),
            Piece::Unknown => Classified::Skip(NotAnObject::NotKubernetes(named(&keys))),
        }
    }

    /// The Markdown position a failure is best shown at: the field a violation of `d` names, else the document
    /// start. `d` is the example's own decision, or that of an object made from it (a Pod of a Deployment), whose
    /// fields are at `prefix` in the example (`/spec/template`).
    fn blame(
        &self,
        block: &CodeBlock,
        doc: &yaml::Document,
        placed: &Placed,
        d: &Decision,
        prefix: &str,
    ) -> (usize, usize, usize) {
        let obj = if prefix.is_empty() { &placed.object } else { &d.object };
        for v in &d.violations {
            let det = &v.details;
            let mut candidates = Vec::new();
            if let (Some(name), Some(list)) =
                (det.get("container").and_then(Value::as_str), det.get("containerList").and_then(Value::as_str))
            {
                let idx = obj
                    .pointer(&format!("/spec/{list}"))
                    .and_then(Value::as_array)
                    .and_then(|cs| cs.iter().position(|c| c.get("name").and_then(Value::as_str) == Some(name)));
                if let Some(i) = idx {
                    let base = format!("/spec/{list}/{i}");
                    if let Some(m) = det.as_object() {
                        for k in m.keys() {
                            candidates.push(format!("{base}/securityContext/{k}"));
                            candidates.push(format!("{base}/securityContext/capabilities/{k}"));
                        }
                    }
                    candidates.push(format!("{base}/securityContext"));
                    candidates.push(base);
                }
            }
            if let Some(field) = det.get("field").and_then(Value::as_str) {
                candidates.push(format!("/spec/{field}"));
            }
            if let Some(vol) = det.get("volume").and_then(Value::as_str) {
                if let Some(i) = obj
                    .pointer("/spec/volumes")
                    .and_then(Value::as_array)
                    .and_then(|vs| vs.iter().position(|x| x.get("name").and_then(Value::as_str) == Some(vol)))
                {
                    candidates.push(format!("/spec/volumes/{i}"));
                }
            }
            for c in candidates {
                let c = format!("{prefix}{c}");
                let Some(rel) = c.strip_prefix(placed.at.as_str()) else { continue };
                if let Some((l, col)) = doc.source_map.key(rel).or_else(|| doc.source_map.get(rel)) {
                    let (line, column) = code_pos(self.page, block, l, col);
                    let width = self
                        .page
                        .text
                        .lines()
                        .nth(line - 1)
                        .map_or(1, |t| t.trim_end().chars().count().saturating_sub(column - 1));
                    return (line, column, width);
                }
            }
        }
        let (line, column) = code_pos(self.page, block, doc.line, 1);
        (line, column, 1)
    }

    fn view(&self, index: usize, block: &CodeBlock, attrs: &Attrs, namespace: &str, results: &[Checked]) -> String {
        let rejected: Vec<String> = {
            let mut k: Vec<String> =
                results.iter().filter(|c| c.rejected).flat_map(|c| c.by.iter().map(|(kind, _)| kind.clone())).collect();
            k.sort();
            k.dedup();
            k
        };
        // What admission did to what the reader wrote: for a whole object, every change; for a fragment, the
        // changes inside it (the Pod guardrail made up around a fragment gets the Pod-level defaults, which say
        // nothing about the fragment), named by the mutators whose location reaches it.
        let shown: Vec<Vec<String>> = results
            .iter()
            .map(|c| {
                if !c.decision.mutated() {
                    return Vec::new();
                }
                guardrail_engine::fragment::shown_mutators(&self.policies.borrow(), &c.placed, &c.decision, &c.original)
            })
            .collect();
        let mutated = shown.iter().any(|m| !m.is_empty());
        let own_rejection = results.iter().any(|c| c.decision.verdict == guardrail_engine::policy::Verdict::Rejected);
        let (chip, verdict) = if !rejected.is_empty() {
            // Rejected itself, or admitted while what it creates is not ("Pods rejected by ...").
            let what = match results.iter().find_map(|c| c.made_rejected.as_deref()) {
                Some(kind) if !own_rejection => format!("{kind}s rejected by"),
                _ => "Rejected by".to_string(),
            };
            (
                format!(
                    "<span class=\"verdict verdict-rejected\">{} {}</span>",
                    escape(&what),
                    escape(&rejected.join(", "))
                ),
                Verdict::Rejected,
            )
        } else if mutated {
            ("<span class=\"verdict verdict-mutated\">Admitted with changes</span>".to_string(), Verdict::Mutated)
        } else {
            ("<span class=\"verdict verdict-admitted\">Admitted</span>".to_string(), Verdict::Admitted)
        };
        let mut after = String::new();
        if mutated && !own_rejection {
            let mut marked: Vec<(bool, String)> = Vec::new();
            for (i, c) in results.iter().enumerate() {
                // The diff is made only for what is shown changed.
                let lines = guardrail_engine::fragment::after_admission(&c.placed, &c.decision, &c.original);
                if i > 0 {
                    marked.push((false, "---".to_string()));
                }
                marked.extend(highlighted(&lines));
            }
            let mut body = String::new();
            diff_runs(&mut body, marked.into_iter());
            let mutators: Vec<String> = {
                let mut m: Vec<String> = shown.iter().flat_map(|m| m.iter().cloned()).collect();
                m.dedup();
                m
            };
            after = format!(
                "<div class=\"example-after\"><p class=\"example-after-title\">After admission <span class=\"mutators\">(changed by {})</span></p><pre class=\"code diff\"><code>{}</code></pre></div>",
                escape(&mutators.join(", ")),
                body
            );
        }
        let mut messages = String::new();
        let denials: Vec<String> = results.iter().filter_map(|c| c.decision.denial()).collect();
        if !denials.is_empty() {
            // Which stage refused, when it is the API server's own (Gatekeeper's messages name their constraint).
            let mut by: Vec<_> =
                results.iter().filter(|c| c.decision.denial().is_some()).map(|c| c.decision.decided_by).collect();
            by.dedup();
            let title = match by.as_slice() {
                [Some(stage)] if stage.is_api_server() => format!("The API server answers ({}):", stage.describe()),
                _ => "The API server answers:".to_string(),
            };
            messages.push_str(&format!("<div class=\"example-messages\"><p>{}</p><ul>", escape(&title)));
            for text in denials.iter().flat_map(|d| d.lines()) {
                messages.push_str(&format!("<li><code>{}</code></li>", escape(text)));
            }
            messages.push_str("</ul></div>");
        }
        for c in results {
            messages.push_str(&api_server_html(&c.decision));
            messages.push_str(&not_enforced_html(&c.decision, c.placed.wrap.is_none()));
        }
        for c in results.iter().filter(|c| c.decision.verdict == guardrail_engine::policy::Verdict::Admitted) {
            messages.push_str(&stored_html(c));
        }
        let unchecked: Vec<String> = results.iter().flat_map(|c| c.decision.unchecked.iter().cloned()).collect();
        if !unchecked.is_empty() {
            messages.push_str(
                "<div class=\"example-messages example-unchecked\"><p>Not checked by guardrail (no code to run):</p><ul>",
            );
            for id in &unchecked {
                messages.push_str(&format!("<li><code>{}</code></li>", escape(id)));
            }
            messages.push_str("</ul></div>");
        }
        let no_schema: Vec<&str> = results.iter().filter_map(|c| c.no_schema.as_deref()).collect();
        if !no_schema.is_empty() {
            messages.push_str(&format!(
                "<div class=\"example-messages example-noschema\"><p>Fields not checked: no schema is known for {}. Give the cluster state its CustomResourceDefinition to have them decoded.</p></div>",
                no_schema.iter().map(|k| format!("<code>{}</code>", escape(k))).collect::<Vec<_>>().join(", ")
            ));
        }
        let exempt: Vec<String> = results.iter().filter_map(|c| c.decision.exempt.clone()).collect();
        if !exempt.is_empty() {
            messages.push_str("<div class=\"example-messages example-exempt\"><p>Not judged by Gatekeeper:</p><ul>");
            for why in &exempt {
                messages.push_str(&format!("<li>{}</li>", escape(why)));
            }
            messages.push_str("</ul></div>");
        }
        after.push_str(&made_html(results));
        let code = crate::highlight::highlight_marked(&crate::highlight::marks(&block.info, &block.code), "yaml");
        if !attrs.policies.is_empty() {
            // Judged with policies the playground does not have: the page says so, and offers no playground link
            // (nor a place in the playground's list of examples) that would judge it without them.
            messages.push_str(&format!(
                "<div class=\"example-messages example-extra\"><p>Judged with the site's policies and {}</p></div>",
                attrs.policies.iter().map(|p| format!("<code>{}</code>", escape(p))).collect::<Vec<_>>().join(", ")
            ));
            return example_html(index, attrs.title.as_deref(), &chip, &code, &after, &messages, None);
        }
        let link = playground_link::url(&self.config.base_url, &block.code, namespace);
        let (line, _) = line_col(&self.page.text, block.fence_offset);
        self.examples.borrow_mut().push(ExampleRecord {
            page: self.page.front.title.clone(),
            url: link.clone(),
            title: attrs.title.clone().unwrap_or_else(|| format!("Example on line {line}")),
            verdict,
            line,
        });
        example_html(index, attrs.title.as_deref(), &chip, &code, &after, &messages, Some(&link))
    }
}

fn example_html(
    index: usize,
    title: Option<&str>,
    chip: &str,
    code: &str,
    after: &str,
    messages: &str,
    link: Option<&str>,
) -> String {
    let title = title.map(|t| format!("<span class=\"example-title\">{}</span>", escape(t))).unwrap_or_default();
    let link = link
        .map(|l| format!("<a class=\"playground-link\" href=\"{}\">Open in playground</a>", escape(l)))
        .unwrap_or_default();
    format!(
        "<figure class=\"example\" id=\"example-{n}\"><figcaption>{title}{chip}{link}</figcaption><pre class=\"code\" data-lang=\"yaml\"><code>{code}</code></pre>{after}{messages}</figure>\n",
        n = index + 1
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_diff_view_marks_runs_of_lines() {
        let lines = [(false, "a: 1"), (false, "b: 2"), (true, "c: 3"), (true, "d: 4"), (false, "e: 5"), (true, "f: 6")];
        let mut out = String::new();
        diff_runs(&mut out, lines.iter().map(|(added, l)| (*added, l.to_string())));
        assert_eq!(out, "<span>a: 1\nb: 2</span><ins>c: 3\nd: 4</ins><span>e: 5</span><ins>f: 6</ins>");
        let mut none = String::new();
        diff_runs(&mut none, std::iter::empty());
        assert_eq!(none, "");
        // An empty line that ends a run still takes up a line.
        let mut blank = String::new();
        diff_runs(&mut blank, [(false, "a: |"), (false, ""), (true, "b: 1")].iter().map(|(a, l)| (*a, l.to_string())));
        assert_eq!(blank, "<span>a: |\n\n</span><ins>b: 1</ins>");
    }
}
