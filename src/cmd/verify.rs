//! `guardrail verify`: run gator Suite files (test.gatekeeper.sh/v1alpha1) as `gator verify` does.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, anyhow, bail};
use guardrail_engine::limits::Limits;
use guardrail_engine::mutation::mutator::Operation;
use guardrail_engine::object::Gvk;
use guardrail_engine::policy::{PolicySet, PolicyText, Request};
use guardrail_engine::schema::{CustomSchemas, Schemas};
use guardrail_engine::template::EnforcementPoint;
use guardrail_engine::yaml::{self, Schema};
use regex::Regex;
use serde_json::Value;

use crate::cli::{VerifyArgs, VerifyFormat};
use crate::color::{Style, paint};
use guardrail_site::policies::read_text;
use guardrail_site::walk;

/// Suite files under `path` (or `path` itself): YAML whose top level is a Suite.
fn suite_files(path: &Path) -> Result<Vec<PathBuf>> {
    if path.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    if !path.is_dir() {
        bail!("{} does not exist", path.display());
    }
    let yaml = |p: &Path| p.extension().is_some_and(|e| e == "yaml" || e == "yml");
    let mut out = Vec::new();
    for p in walk::files(path, walk::Links::Follow, &yaml, &|_| true)? {
        let text = read_text(&p)?;
        if text.contains("test.gatekeeper.sh/") && text.contains("Suite") {
            out.push(p);
        }
    }
    Ok(out)
}

struct Filter {
    test: Option<Regex>,
    case: Option<Regex>,
    either: Option<Regex>,
}

impl Filter {
    fn new(run: Option<&str>) -> Result<Filter> {
        let re = |s: &str| Regex::new(s).with_context(|| format!("--run: `{s}` is not a valid regex"));
        Ok(match run {
            None => Filter { test: None, case: None, either: None },
            Some(r) => match r.split_once("//") {
                Some((t, c)) => Filter { test: Some(re(t)?), case: Some(re(c)?), either: None },
                None => Filter { test: None, case: None, either: Some(re(r)?) },
            },
        })
    }

    fn wants(&self, test: &str, case: &str) -> bool {
        if let Some(e) = &self.either {
            return e.is_match(test) || e.is_match(case);
        }
        self.test.as_ref().is_none_or(|t| t.is_match(test)) && self.case.as_ref().is_none_or(|c| c.is_match(case))
    }
}

#[derive(Default)]
struct Tally {
    passed: usize,
    failed: usize,
    skipped: usize,
    /// Every case run or skipped, in order, for the reports.
    cases: Vec<CaseResult>,
}

/// How one case ended.
enum Status {
    Passed,
    Failed(String),
    Skipped,
}

struct CaseResult {
    file: String,
    test: String,
    case: String,
    status: Status,
}

impl Tally {
    fn skip(&mut self, file: &Path, test: &str, cases: &[&Value]) {
        let names: Vec<&str> = cases.iter().map(|c| str_field(c, "name").unwrap_or("")).collect();
        let names = if names.is_empty() { vec![""] } else { names };
        for case in names {
            self.skipped += 1;
            self.cases.push(CaseResult {
                file: file.display().to_string(),
                test: test.to_string(),
                case: case.to_string(),
                status: Status::Skipped,
            });
        }
    }
}

fn load_yaml(path: &Path, schema: Schema) -> Result<Vec<Value>> {
    let text = read_text(path)?;
    let docs = yaml::load_documents(&text, schema, &Limits::default())
        .map_err(|e| anyhow!("{}:{}:{}: invalid YAML: {}", path.display(), e.line, e.column, e.message))?;
    Ok(docs.into_iter().map(|d| d.value).filter(|v| !v.is_null()).collect())
}

fn str_field<'v>(v: &'v Value, key: &str) -> Option<&'v str> {
    v.get(key).and_then(Value::as_str)
}

fn truthy(v: &Value, key: &str) -> bool {
    v.get(key).and_then(Value::as_bool).unwrap_or(false)
}

pub(crate) fn run(args: &VerifyArgs) -> Result<ExitCode> {
    let filter = Filter::new(args.run.as_deref())?;
    let mut files = Vec::new();
    for p in &args.paths {
        files.extend(suite_files(p)?);
    }
    if files.is_empty() {
        bail!("no Suite files (apiVersion test.gatekeeper.sh/v1alpha1, kind Suite) under {:?}", args.paths);
    }
    let mut tally = Tally::default();
    let api = if args.schema { guardrail_engine::schema::schemas(&args.kubernetes_version) } else { None };
    for file in &files {
        run_suite(file, &filter, api, args.rego_interpreter, &mut tally)?;
    }
    match args.format {
        VerifyFormat::Text => {
            for r in &tally.cases {
                match &r.status {
                    Status::Passed if args.verbose => {
                        println!("{} {} {} // {}", paint(Style::Good, "ok"), r.file, r.test, r.case)
                    }
                    Status::Failed(why) => {
                        println!("{} {} {} // {}", paint(Style::Bad, "FAIL"), r.file, r.test, r.case);
                        for line in why.lines() {
                            println!("    {line}");
                        }
                    }
                    _ => {}
                }
            }
            let mut line = format!("{} passed, {} failed", tally.passed, tally.failed);
            if tally.skipped > 0 {
                line.push_str(&format!(", {} skipped", tally.skipped));
            }
            println!("{line}");
        }
        VerifyFormat::Json => {
            let cases: Vec<Value> = tally
                .cases
                .iter()
                .map(|r| {
                    let (status, message) = match &r.status {
                        Status::Passed => ("passed", None),
                        Status::Failed(why) => ("failed", Some(why.as_str())),
                        Status::Skipped => ("skipped", None),
                    };
                    serde_json::json!({"file": r.file, "test": r.test, "case": r.case, "status": status, "message": message})
                })
                .collect();
            let doc = serde_json::json!({
                "cases": cases, "passed": tally.passed, "failed": tally.failed, "skipped": tally.skipped
            });
            println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
        }
        VerifyFormat::Junit => print!("{}", junit(&tally)),
    }
    Ok(if tally.failed > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// JUnit XML: a `<testsuite>` per suite file, a `<testcase>` per case (`classname` the test, `name` the case).
fn junit(tally: &Tally) -> String {
    use crate::report::xml;
    let mut files: Vec<&str> = Vec::new();
    for r in &tally.cases {
        if !files.contains(&r.file.as_str()) {
            files.push(&r.file);
        }
    }
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"guardrail verify\" tests=\"{}\" failures=\"{}\" skipped=\"{}\">\n",
        tally.cases.len(),
        tally.failed,
        tally.skipped
    );
    for file in files {
        let cases: Vec<&CaseResult> = tally.cases.iter().filter(|r| r.file == file).collect();
        let failures = cases.iter().filter(|r| matches!(r.status, Status::Failed(_))).count();
        let skipped = cases.iter().filter(|r| matches!(r.status, Status::Skipped)).count();
        out.push_str(&format!(
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" skipped=\"{skipped}\">\n",
            xml(file),
            cases.len()
        ));
        for r in cases {
            let open = format!("    <testcase classname=\"{}\" name=\"{}\"", xml(&r.test), xml(&r.case));
            match &r.status {
                Status::Passed => out.push_str(&format!("{open}/>\n")),
                Status::Skipped => out.push_str(&format!("{open}>\n      <skipped/>\n    </testcase>\n")),
                Status::Failed(why) => out.push_str(&format!(
                    "{open}>\n      <failure message=\"{}\">{}</failure>\n    </testcase>\n",
                    xml(why.lines().next().unwrap_or("")),
                    xml(why)
                )),
            }
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

fn run_suite(
    file: &Path,
    filter: &Filter,
    api: Option<&Schemas>,
    rego_interpreter: bool,
    tally: &mut Tally,
) -> Result<()> {
    // gator reads suites as YAML 1.2: `violations: yes` is the string "yes".
    let docs = load_yaml(file, Schema::Core)?;
    let dir = file.parent().unwrap_or(Path::new("."));
    for suite in docs.iter().filter(|d| Gvk::of(d).kind == "Suite") {
        let tests = suite.get("tests").and_then(Value::as_array).cloned().unwrap_or_default();
        let skip_suite = truthy(suite, "skip");
        for test in &tests {
            let test_name = str_field(test, "name").unwrap_or("");
            let cases = test.get("cases").and_then(Value::as_array).cloned().unwrap_or_default();
            let wanted: Vec<&Value> =
                cases.iter().filter(|c| filter.wants(test_name, str_field(c, "name").unwrap_or(""))).collect();
            if wanted.is_empty() && !(cases.is_empty() && filter.wants(test_name, "")) {
                continue;
            }
            if skip_suite || truthy(test, "skip") {
                tally.skip(file, test_name, &wanted);
                continue;
            }
            let set = match build_set(dir, test, rego_interpreter) {
                Ok(set) => set,
                Err(e) => {
                    // `invalid: true` expects the constraint to be refused.
                    if truthy(test, "invalid") {
                        pass(file, test_name, "(invalid constraint refused)", tally);
                    } else {
                        fail(file, test_name, "", &format!("{e:#}"), tally);
                    }
                    continue;
                }
            };
            if truthy(test, "invalid") {
                fail(file, test_name, "", "expected the constraint to be refused as invalid, but it loaded", tally);
                continue;
            }
            for case in wanted {
                let case_name = str_field(case, "name").unwrap_or("");
                if truthy(case, "skip") {
                    tally.skip(file, test_name, &[case]);
                    continue;
                }
                match run_case(dir, set.clone(), case, api) {
                    Ok(None) => pass(file, test_name, case_name, tally),
                    Ok(Some(why)) => fail(file, test_name, case_name, &why, tally),
                    Err(e) => fail(file, test_name, case_name, &format!("{e:#}"), tally),
                }
            }
        }
    }
    Ok(())
}

fn pass(file: &Path, test: &str, case: &str, tally: &mut Tally) {
    tally.passed += 1;
    tally.cases.push(CaseResult {
        file: file.display().to_string(),
        test: test.to_string(),
        case: case.to_string(),
        status: Status::Passed,
    });
}

fn fail(file: &Path, test: &str, case: &str, why: &str, tally: &mut Tally) {
    tally.failed += 1;
    tally.cases.push(CaseResult {
        file: file.display().to_string(),
        test: test.to_string(),
        case: case.to_string(),
        status: Status::Failed(why.to_string()),
    });
}

fn build_set(dir: &Path, test: &Value, rego_interpreter: bool) -> Result<PolicySet> {
    let mut texts = Vec::new();
    for key in ["template", "constraint"] {
        let rel = str_field(test, key).ok_or_else(|| anyhow!("the test has no `{key}`"))?;
        let path = dir.join(rel);
        texts.push((path.display().to_string(), read_text(&path)?));
    }
    // `expansion:` names a file of ExpansionTemplates used for this test's cases, as gator's does.
    if let Some(rel) = str_field(test, "expansion") {
        let path = dir.join(rel);
        let text = read_text(&path)?;
        let docs = yaml::load_documents(&text, Schema::Kubernetes, &Limits::default())
            .map_err(|e| anyhow!("{}:{}:{}: invalid YAML: {}", path.display(), e.line, e.column, e.message))?;
        for doc in docs.iter().filter(|d| !d.value.is_null()) {
            let gvk = Gvk::of(&doc.value);
            if gvk.group != "expansion.gatekeeper.sh" || gvk.kind != "ExpansionTemplate" {
                bail!(
                    "{}:{}:1: {} is not an ExpansionTemplate (an `expansion` file holds only ExpansionTemplates)",
                    path.display(),
                    doc.line,
                    guardrail_engine::object::describe(&doc.value)
                );
            }
        }
        texts.push((path.display().to_string(), text));
    }
    let refs: Vec<PolicyText<'_>> = texts.iter().map(|(n, t)| PolicyText { name: n, text: t }).collect();
    let mut set = PolicySet::load(&refs, &Limits::default())
        .map_err(|errs| anyhow!("{}", errs.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")))?;
    if rego_interpreter {
        set.judge_rego_on_interpreter();
    }
    Ok(set)
}

/// Runs one case; `Ok(None)` when every assertion holds, `Ok(Some(why))` when one does not. With `api`, the
/// object is first decoded as the API server would (a refused object fails the case: no webhook would see it).
fn run_case(dir: &Path, mut set: PolicySet, case: &Value, api: Option<&Schemas>) -> Result<Option<String>> {
    let rel = str_field(case, "object").ok_or_else(|| anyhow!("the case has no `object`"))?;
    let objects = load_yaml(&dir.join(rel), Schema::Kubernetes)?;
    if objects.len() != 1 {
        bail!("{rel}: a case object file must hold exactly one object, it holds {}", objects.len());
    }
    let mut inventory = Vec::new();
    for inv in case.get("inventory").and_then(Value::as_array).into_iter().flatten() {
        let rel = inv.as_str().ok_or_else(|| anyhow!("inventory entries are paths"))?;
        inventory.extend(load_yaml(&dir.join(rel), Schema::Kubernetes)?);
    }
    set.set_inventory(&inventory).map_err(|e| anyhow!("inventory: {e}"))?;
    let mut request = Request {
        operation: Operation::Unspecified,
        namespace: None,
        enforcement_point: EnforcementPoint::Gator,
        mutate: false,
        ..Request::default()
    };
    let mut object = objects[0].clone();
    let gvk = Gvk::of(&object);
    if let Some((from_review, judged)) =
        guardrail_engine::policy::Request::from_admission_review(&object).map_err(|e| anyhow!("{rel}: {e}"))?
    {
        request = guardrail_engine::policy::Request {
            enforcement_point: request.enforcement_point,
            mutate: request.mutate,
            ..from_review
        };
        object = judged;
    }
    if let (Some(api), false) = (api, request.operation == Operation::Delete) {
        let custom = CustomSchemas::from_objects(inventory.iter());
        let refused = api.refusal(&custom, &object);
        if !refused.is_empty() {
            let mut why = format!("the API server (Kubernetes {}) refuses {rel}:", api.version());
            for e in refused {
                why.push_str(&format!("\n  {e}"));
            }
            return Ok(Some(why));
        }
    }
    let ns_name = guardrail_engine::object::meta_str(&object, "namespace").to_string();
    request.namespace_object = inventory
        .iter()
        .find(|o| Gvk::of(o).kind == "Namespace" && guardrail_engine::object::meta_str(o, "name") == ns_name)
        .cloned();
    // An AdmissionReview is judged as it is; an object is also expanded when the test names ExpansionTemplates.
    let violations = if gvk.group == "admission.k8s.io" && gvk.kind == "AdmissionReview" {
        set.validate(&object, &request)
    } else {
        set.validate_expanded(&object, &request).map_err(|e| anyhow!("expanding resource {rel}: {e}"))?
    };
    let assertions = case.get("assertions").and_then(Value::as_array).cloned().unwrap_or_default();
    if assertions.is_empty() {
        bail!("the case has no assertions");
    }
    for a in &assertions {
        let message = str_field(a, "message");
        let re = message
            .map(Regex::new)
            .transpose()
            .with_context(|| format!("message `{}` is not a valid regex", message.unwrap_or("")))?;
        let matching = violations.iter().filter(|v| re.as_ref().is_none_or(|r| r.is_match(&v.message))).count();
        let expect = a.get("violations").cloned().unwrap_or(Value::String("yes".into()));
        let (ok, wanted) = match &expect {
            Value::String(s) if s == "yes" => (matching >= 1, "at least 1".to_string()),
            Value::String(s) if s == "no" => (matching == 0, "0".to_string()),
            Value::Number(n) if n.as_u64().is_some() => (Some(matching as u64) == n.as_u64(), n.to_string()),
            other => bail!("violations: {other} is not yes, no or a count"),
        };
        if !ok {
            let mut why = format!(
                "expected {wanted} violation{}{}, got {matching}",
                if wanted == "1" { "" } else { "s" },
                message.map(|m| format!(" matching /{m}/")).unwrap_or_default()
            );
            for v in &violations {
                why.push_str(&format!("\n  [{}] {}", v.name, v.message));
            }
            return Ok(Some(why));
        }
    }
    Ok(None)
}
