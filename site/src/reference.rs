//! The generated policy reference: one page per ConstraintTemplate, one for the mutators, and an index. Made
//! from the same objects the build checks examples with, so the reference cannot drift from the policies.

use std::path::Path;

use guardrail_engine::limits::Limits;
use guardrail_engine::mutation::mutator::{Action, AssignValue, Mutator};
use guardrail_engine::policy::{PolicySet, Request};
use guardrail_engine::template::{Constraint, ConstraintTemplate, Enforcement, EnforcementPoint};
use guardrail_engine::yaml::{self, Schema, to_yaml};
use serde_json::Value;

use crate::content::{FrontMatter, Page};
use crate::highlight::highlight;
use crate::html::escape;
use crate::markdown::{Found, Heading};
use crate::page::{ExampleCounts, Rendered};

/// A suite case found next to a template.
struct Sample {
    name: String,
    object: Value,
    expect_violations: bool,
}

fn code(s: &str) -> String {
    format!("<code>{}</code>", escape(s))
}

fn block(yaml_or_rego: &str, lang: &str) -> String {
    format!(
        "<div class=\"code-block\"><pre class=\"code\" data-lang=\"{lang}\"><code>{}</code></pre></div>\n",
        highlight(yaml_or_rego, lang)
    )
}

fn page(
    stem: &str,
    title: &str,
    description: String,
    html: String,
    headings: Vec<Heading>,
    position: f64,
) -> (Page, Rendered) {
    let p = Page {
        file: format!("{stem}.generated"),
        text: String::new(),
        body_start: 0,
        front: FrontMatter {
            id: stem.rsplit('/').next().unwrap_or(stem).to_string(),
            title: title.to_string(),
            description: Some(description),
            sidebar_position: Some(position),
            ..FrontMatter::default()
        },
        stem: stem.to_string(),
        url: if stem == "policies/index" { "policies/".into() } else { format!("{stem}/") },
        last_updated: None,
    };
    let r = Rendered {
        html,
        found: Found { headings, ..Found::default() },
        diagnostics: Vec::new(),
        warnings: Vec::new(),
        examples: Vec::new(),
        counts: ExampleCounts::default(),
    };
    (p, r)
}

fn h2(id: &str, text: &str) -> (String, Heading) {
    (
        format!(
            "<h2 id=\"{id}\"><a class=\"anchor\" href=\"#{id}\" aria-label=\"Link to this section\">#</a>{}</h2>\n",
            escape(text)
        ),
        Heading { level: 2, id: id.to_string(), text: text.to_string() },
    )
}

/// Suite samples of each template, keyed by template file (root-relative). `texts` are the policy folder's
/// files as the build already read them (root-relative name, text); only the samples are read here.
fn samples(root: &Path, texts: &[(String, String)]) -> Vec<(String, Vec<Sample>)> {
    let mut out = Vec::new();
    for (rel, text) in texts {
        if !text.contains("test.gatekeeper.sh/") {
            continue;
        }
        let Ok(docs) = yaml::load_documents(text, Schema::Core, &Limits::default()) else { continue };
        let file = root.join(rel);
        let dir = file.parent().unwrap_or(root).to_path_buf();
        for suite in docs.iter().map(|d| &d.value) {
            for test in suite.get("tests").and_then(Value::as_array).into_iter().flatten() {
                let Some(tpl) = test.get("template").and_then(Value::as_str) else { continue };
                let tpl_file = dir.join(tpl);
                let key = tpl_file.strip_prefix(root).unwrap_or(&tpl_file).to_string_lossy().replace('\\', "/");
                let mut list = Vec::new();
                for case in test.get("cases").and_then(Value::as_array).into_iter().flatten() {
                    let Some(obj) = case.get("object").and_then(Value::as_str) else { continue };
                    let Ok(obj_text) = std::fs::read_to_string(dir.join(obj)) else { continue };
                    let Ok(obj_docs) = yaml::load_documents(&obj_text, Schema::Kubernetes, &Limits::default()) else {
                        continue;
                    };
                    let Some(object) = obj_docs.into_iter().map(|d| d.value).find(|v| !v.is_null()) else { continue };
                    let expect_violations =
                        case.get("assertions").and_then(Value::as_array).into_iter().flatten().any(|a| {
                            match a.get("violations") {
                                None => true,
                                Some(Value::String(s)) => s == "yes",
                                Some(Value::Number(n)) => n.as_u64().is_some_and(|n| n > 0),
                                _ => false,
                            }
                        });
                    list.push(Sample {
                        name: case.get("name").and_then(Value::as_str).unwrap_or("").to_string(),
                        object,
                        expect_violations,
                    });
                }
                out.push((key, list));
            }
        }
    }
    out
}

/// Which file each template came from, by kind.
fn template_files(texts: &[(String, String)]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (rel, text) in texts {
        let Ok(docs) = yaml::load_documents(text, Schema::Kubernetes, &Limits::default()) else { continue };
        for d in docs {
            if d.value.get("kind").and_then(Value::as_str) == Some("ConstraintTemplate") {
                if let Some(kind) = d.value.pointer("/spec/crd/spec/names/kind").and_then(Value::as_str) {
                    out.push((kind.to_string(), rel.clone()));
                }
            }
        }
    }
    out
}

fn action_text(c: &Constraint) -> String {
    match &c.enforcement {
        Enforcement::Action(a) => a.as_str().to_string(),
        Enforcement::Scoped(list) => list
            .iter()
            .map(|(a, points)| format!("{} at {}", a.as_str(), points.join(", ")))
            .collect::<Vec<_>>()
            .join("; "),
    }
}

fn match_text(c: &Constraint) -> String {
    let m = &c.r#match;
    let mut parts = Vec::new();
    for k in &m.kinds {
        let groups = if k.api_groups.is_empty() {
            "*".into()
        } else {
            k.api_groups
                .iter()
                .map(|g| if g.is_empty() { "core".to_string() } else { g.clone() })
                .collect::<Vec<_>>()
                .join(", ")
        };
        let kinds = if k.kinds.is_empty() { "*".into() } else { k.kinds.join(", ") };
        parts.push(format!("kinds {kinds} (groups: {groups})"));
    }
    if !m.scope.is_empty() {
        parts.push(format!("scope {}", m.scope));
    }
    if !m.namespaces.is_empty() {
        parts.push(format!("namespaces {}", m.namespaces.iter().map(|w| w.0.as_str()).collect::<Vec<_>>().join(", ")));
    }
    if !m.excluded_namespaces.is_empty() {
        parts.push(format!(
            "except namespaces {}",
            m.excluded_namespaces.iter().map(|w| w.0.as_str()).collect::<Vec<_>>().join(", ")
        ));
    }
    if m.label_selector.is_some() {
        parts.push("objects selected by labels".into());
    }
    if m.namespace_selector.is_some() {
        parts.push("namespaces selected by labels".into());
    }
    if parts.is_empty() { "every object".into() } else { parts.join("; ") }
}

fn template_page(t: &ConstraintTemplate, set: &mut PolicySet, samples: &[Sample], position: f64) -> (Page, Rendered) {
    let constraints: Vec<Constraint> = set.constraints().iter().filter(|c| c.kind == t.kind).cloned().collect();
    let mut html = String::new();
    let mut headings = Vec::new();
    if let Some(d) = &t.description {
        html.push_str(&format!("<p class=\"lead\">{}</p>\n", escape(d)));
    }
    html.push_str(&format!("<p>ConstraintTemplate {} of kind {}.</p>\n", code(&t.name), code(&t.kind)));

    let (h, hd) = h2("constraints", "Constraints");
    html.push_str(&h);
    headings.push(hd);
    if constraints.is_empty() {
        html.push_str("<p>No constraint uses this template, so it rejects nothing.</p>\n");
    } else {
        html.push_str("<table><thead><tr><th>constraint</th><th>applies to</th><th>action</th></tr></thead><tbody>\n");
        for c in &constraints {
            html.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                code(&c.name),
                escape(&match_text(c)),
                code(&action_text(c))
            ));
        }
        html.push_str("</tbody></table>\n");
    }

    let (h, hd) = h2("parameters", "Parameters");
    html.push_str(&h);
    headings.push(hd);
    let props = t.parameters_schema.as_ref().and_then(|s| s.get("properties")).and_then(Value::as_object);
    match props {
        None => html.push_str("<p>This template takes no parameters.</p>\n"),
        Some(props) => {
            html.push_str("<table><thead><tr><th>parameter</th><th>type</th><th>default</th><th>description</th></tr></thead><tbody>\n");
            for (name, schema) in props {
                let ty = schema.get("type").and_then(Value::as_str).unwrap_or("any");
                let ty = match (ty, schema.pointer("/items/type").and_then(Value::as_str)) {
                    ("array", Some(item)) => format!("array of {item}"),
                    (t, _) => t.to_string(),
                };
                let default = schema.get("default").map(|d| code(&d.to_string())).unwrap_or_default();
                let desc = schema.get("description").and_then(Value::as_str).unwrap_or("");
                html.push_str(&format!(
                    "<tr><td>{}</td><td>{}</td><td>{default}</td><td>{}</td></tr>\n",
                    code(name),
                    escape(&ty),
                    escape(desc)
                ));
            }
            html.push_str("</tbody></table>\n");
            for c in &constraints {
                html.push_str(&format!("<p>{} runs with these parameters (defaults applied):</p>\n", code(&c.name)));
                html.push_str(&block(&to_yaml(&c.parameters), "yaml"));
            }
        }
    }

    // The code that judges comes first, named as Gatekeeper picks it: CEL when the template has any (its Rego is
    // then never run), else Rego.
    if let Some(native) = &t.cel {
        let (h, hd) = h2("cel", "CEL (K8sNativeValidation)");
        html.push_str(&h);
        headings.push(hd);
        html.push_str("<p>Gatekeeper judges this template's constraints by this CEL code");
        if t.rego.is_some() {
            html.push_str(": it has the higher priority, and the Rego below is not evaluated");
        }
        html.push_str(". A cluster whose Gatekeeper generates ValidatingAdmissionPolicies (<code>--default-create-vap-for-templates</code>, the default since 3.20) also runs it in the API server as <code>");
        html.push_str(&escape(&guardrail_engine::admission::vap::generated_policy_name(&t.name)));
        html.push_str("</code>, before the webhook.</p>\n");
        html.push_str(&block(&to_yaml(&native.source), "yaml"));
    }
    let (h, hd) = h2("rego", if t.cel.is_some() { "Rego (not evaluated)" } else { "Rego" });
    html.push_str(&h);
    headings.push(hd);
    match &t.rego {
        Some(r) => {
            html.push_str(&block(&r.rego, "rego"));
            for (i, lib) in r.libs.iter().enumerate() {
                html.push_str(&format!("<p>Library {}:</p>\n", i + 1));
                html.push_str(&block(lib, "rego"));
            }
        }
        None if t.cel.is_some() => html.push_str("<p>This template has only CEL code.</p>\n"),
        None => {
            html.push_str("<p>This template has neither Rego nor CEL code: nothing evaluates its constraints.</p>\n")
        }
    }

    if !samples.is_empty() {
        let (h, hd) = h2("samples", "Samples");
        html.push_str(&h);
        headings.push(hd);
        html.push_str("<p>The cases of the template's suite, each judged by this build's engine (no mutation, as <code>gator verify</code> does).</p>\n");
        let request = Request {
            operation: guardrail_engine::mutation::mutator::Operation::Unspecified,
            namespace: None,
            enforcement_point: EnforcementPoint::Gator,
            mutate: false,
            ..Request::default()
        };
        for s in samples {
            let violations: Vec<_> =
                set.validate(&s.object, &request).into_iter().filter(|v| v.kind == t.kind).collect();
            let (class, label) =
                if violations.is_empty() { ("admitted", "Allowed") } else { ("rejected", "Disallowed") };
            let agrees = violations.is_empty() != s.expect_violations;
            let mut messages = String::new();
            if !violations.is_empty() {
                messages.push_str("<div class=\"example-messages\"><ul>");
                for v in &violations {
                    messages.push_str(&format!("<li><code>{}</code></li>", escape(&v.render())));
                }
                messages.push_str("</ul></div>");
            }
            html.push_str(&format!(
                "<figure class=\"example\"><figcaption><span class=\"example-title\">{}</span><span class=\"verdict verdict-{class}\">{label}</span>{}</figcaption><pre class=\"code\" data-lang=\"yaml\"><code>{}</code></pre>{messages}</figure>\n",
                escape(&s.name),
                if agrees { String::new() } else { "<span class=\"verdict verdict-rejected\">differs from the suite</span>".into() },
                highlight(&to_yaml(&s.object), "yaml"),
            ));
        }
    }
    let title = t.title.clone().unwrap_or_else(|| t.kind.clone());
    page(
        &format!("policies/{}", t.name),
        &title,
        t.description.clone().unwrap_or_else(|| format!("The {} policy.", t.kind)),
        html,
        headings,
        position,
    )
}

fn mutator_value(m: &Mutator) -> String {
    match &m.action {
        Action::Assign(AssignValue::Value(v)) => code(&v.to_string()),
        Action::Assign(AssignValue::FromMetadata(f)) => format!("the object's {}", code(f)),
        Action::Assign(AssignValue::ExternalData) => "external data (not evaluated by guardrail)".into(),
        Action::ModifySet(s) => format!(
            "{} {}",
            match s.operation {
                guardrail_engine::mutation::setter::SetOperation::Merge => "adds",
                guardrail_engine::mutation::setter::SetOperation::Prune => "removes",
            },
            code(&Value::Array(s.values.clone().unwrap_or_default()).to_string())
        ),
        Action::AssignImage(i) => format!("image parts {}", code(&format!("{}|{}|{}", i.domain, i.path, i.tag))),
    }
}

fn mutators_page(set: &PolicySet) -> (Page, Rendered) {
    let mut html = String::from(
        "<p>Gatekeeper runs these mutators on every matching object before the constraints judge it, in this order \
         (kind, then name), until the object stops changing.</p>\n",
    );
    html.push_str(
        "<table><thead><tr><th>mutator</th><th>location</th><th>sets</th><th>only if</th></tr></thead><tbody>\n",
    );
    for m in set.mutation().mutators() {
        let guard: Vec<String> = m
            .path_tests
            .iter()
            .map(|t| match t.condition {
                guardrail_engine::mutation::tester::Condition::MustExist => format!("{} exists", t.sub_path),
                guardrail_engine::mutation::tester::Condition::MustNotExist => format!("{} is not set", t.sub_path),
            })
            .collect();
        html.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            code(&m.id()),
            code(&m.location_text),
            mutator_value(m),
            if guard.is_empty() { "always".to_string() } else { escape(&guard.join("; ")) }
        ));
    }
    html.push_str("</tbody></table>\n");
    page(
        "policies/mutators",
        "Mutators",
        "What Gatekeeper sets on objects before judging them.".into(),
        html,
        Vec::new(),
        1.0,
    )
}

/// The generated pages, to be put in the site beside the Markdown pages.
/// How workloads are judged: the ExpansionTemplates (which kinds each expands, into what, from which field),
/// or, without them, that the Pods a controller creates are judged as requests of their own.
fn workloads_html(set: &PolicySet) -> String {
    let templates = set.expansions();
    if templates.is_empty() {
        return "<p>No ExpansionTemplates: a Deployment, StatefulSet, DaemonSet, Job or CronJob is admitted on its own, \
                and each Pod its controllers create is a request of its own, judged by the rules above. The docs check \
                those Pods too.</p>\n"
            .to_string();
    }
    let mut html = String::from(
        "<p>These ExpansionTemplates make the cluster judge a workload by the objects it will create: a violation of \
         the resultant rejects the workload itself, its message starting <code>[Implied by &lt;template&gt;]</code>.</p>\n\
         <table><thead><tr><th>template</th><th>applies to</th><th>makes</th><th>from</th><th>action</th></tr></thead><tbody>\n",
    );
    for t in templates {
        let kinds: Vec<String> = t.apply_to.iter().map(|g| format!("{} {}", g.api_version(), g.kind)).collect();
        html.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            code(&t.name),
            escape(&kinds.join(", ")),
            escape(&format!("{} {}", t.generated.api_version(), t.generated.kind)),
            code(&t.template_source),
            escape(t.enforcement_action.map_or("the constraint's", |a| a.as_str())),
        ));
    }
    html.push_str("</tbody></table>\n");
    html
}

pub(crate) fn pages(root: &Path, texts: &[(String, String)], base_url: &str, set: &PolicySet) -> Vec<(Page, Rendered)> {
    let mut set = set.clone();
    let samples = samples(root, texts);
    let files = template_files(texts);
    let mut out = vec![mutators_page(&set)];
    let templates: Vec<ConstraintTemplate> = set.templates().cloned().collect();
    let mut index = String::from(
        "<p>Every rule the cluster enforces, generated from <code>policies/</code>.</p>\n<table><thead><tr><th>policy</th><th>kind</th><th>what it checks</th></tr></thead><tbody>\n",
    );
    for (i, t) in templates.iter().enumerate() {
        let file = files.iter().find(|(k, _)| *k == t.kind).map(|(_, f)| f.as_str()).unwrap_or("");
        let own: &[Sample] = samples.iter().find(|(f, _)| f == file).map_or(&[], |(_, s)| s.as_slice());
        let (p, r) = template_page(t, &mut set, own, 10.0 + i as f64);
        index.push_str(&format!(
            "<tr><td><a href=\"{}\">{}</a></td><td>{}</td><td>{}</td></tr>\n",
            escape(&format!("{base_url}{}", p.url)),
            escape(&p.front.title),
            code(&t.kind),
            escape(t.description.as_deref().unwrap_or(""))
        ));
        out.push((p, r));
    }
    index.push_str(&format!(
        "</tbody></table>\n<p>The <a href=\"{}\">mutators</a> fill in defaults before these rules run.</p>\n",
        escape(&format!("{base_url}policies/mutators/"))
    ));
    let (workloads, heading) = h2("workloads", "Workloads");
    index.push_str(&workloads);
    index.push_str(&workloads_html(&set));
    out.push(page(
        "policies/index",
        "Policy reference",
        "Every rule and mutator of the cluster.".into(),
        index,
        vec![heading],
        0.0,
    ));
    out
}
