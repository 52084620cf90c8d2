//! ConstraintTemplate Rego on regorus: compile once per template, evaluate `violation` per matched constraint.

pub mod prepass;
mod vm;

use std::collections::BTreeMap;

use serde_json::Value as Json;

use crate::limits::Limits;

/// Rego language version of a template's source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RegoVersion {
    /// Rego v0 (the default for every Gatekeeper template).
    #[default]
    V0,
    /// Rego v1 (`code[].source.version: v1`).
    V1,
}

/// The Rego of a template.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RegoSource {
    /// The entrypoint module.
    pub rego: String,
    /// Library modules (`package lib.*`).
    pub libs: Vec<String>,
    /// Language version.
    pub version: RegoVersion,
}

/// A template whose Rego does not load; `line` is 1-based in the entrypoint (or the lib named in `module`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct RegoError {
    /// `rego` or `libs[i]`.
    pub module: String,
    /// Line in that module, when known.
    pub line: Option<usize>,
    /// What is wrong.
    pub message: String,
}

/// One element of `violation`, before it is tied to its constraint.
#[derive(Debug, Clone, PartialEq)]
pub struct RawViolation {
    /// `msg`.
    pub msg: String,
    /// `details`, `{}` when absent.
    pub details: Json,
}

/// A template's Rego, parsed and prepared; cheap to clone (regorus shares the parsed modules and the program).
///
/// Natively, `violation` runs on regorus' bytecode VM when the template compiles to it, on its interpreter
/// otherwise (see [`vm`]); in the browser always on the interpreter.
///
/// A template a build has already compiled (the playground's bundle) may be loaded [`CompiledRego::deferred`]:
/// compiled when a constraint of it first matches, so that a page's first verdict waits only for the templates
/// it needs.
#[derive(Clone)]
pub struct CompiledRego {
    state: State,
}

#[derive(Clone)]
enum State {
    Ready(Box<Prepared>),
    /// Not compiled yet: the source, and what was asked of it meanwhile.
    Deferred {
        source: RegoSource,
        limits: Box<Limits>,
        inventory: Option<Json>,
        interpreter: bool,
    },
    /// Compiled when first needed, and it failed: every evaluation says why.
    Failed(String),
}

#[derive(Clone)]
struct Prepared {
    engine: regorus::Engine,
    entry: String,
    vm: Option<vm::Vm>,
}

impl std::fmt::Debug for CompiledRego {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = match &self.state {
            State::Ready(p) => p.entry.as_str(),
            State::Deferred { .. } => "(not compiled yet)",
            State::Failed(_) => "(failed)",
        };
        f.debug_struct("CompiledRego").field("entry", &state).finish_non_exhaustive()
    }
}

impl CompiledRego {
    /// Parses the entrypoint and libs with Gatekeeper's rules (a `violation` rule, libs under `lib.*`, data
    /// references only under `data.lib` and `data.inventory`) and prepares them for evaluation.
    pub fn compile(source: &RegoSource, limits: &Limits) -> Result<CompiledRego, RegoError> {
        Ok(CompiledRego { state: State::Ready(Box::new(Prepared::compile(source, limits)?)) })
    }

    /// Rego that a build compiled without errors, compiled here when first evaluated. Should it fail after all,
    /// every evaluation returns the error (a violation, as Gatekeeper reports an evaluation error).
    pub fn deferred(source: &RegoSource, limits: &Limits) -> CompiledRego {
        CompiledRego {
            state: State::Deferred {
                source: source.clone(),
                limits: Box::new(limits.clone()),
                inventory: None,
                interpreter: false,
            },
        }
    }

    /// Whether it is compiled (not [`CompiledRego::deferred`] and still waiting).
    pub fn is_compiled(&self) -> bool {
        !matches!(self.state, State::Deferred { .. })
    }

    fn prepared(&mut self) -> Result<&mut Prepared, String> {
        if let State::Deferred { source, limits, inventory, interpreter } = &self.state {
            let made = Prepared::compile(source, limits).map_err(|e| e.message).and_then(|mut p| {
                if *interpreter {
                    p.vm = None;
                }
                if let Some(inventory) = inventory {
                    p.set_inventory(inventory)?;
                }
                Ok(p)
            });
            self.state = match made {
                Ok(p) => State::Ready(Box::new(p)),
                Err(e) => State::Failed(e),
            };
        }
        match &mut self.state {
            State::Ready(p) => Ok(p),
            State::Failed(e) => Err(e.clone()),
            State::Deferred { .. } => Err("the template's Rego is not compiled".to_string()),
        }
    }

    /// Whether `violation` runs on the bytecode VM (false: on the interpreter, or not compiled yet).
    pub fn on_vm(&self) -> bool {
        matches!(&self.state, State::Ready(p) if p.vm.is_some())
    }

    /// Runs `violation` on the interpreter from now on.
    pub fn use_interpreter(&mut self) {
        match &mut self.state {
            State::Ready(p) => p.vm = None,
            State::Deferred { interpreter, .. } => *interpreter = true,
            State::Failed(_) => {}
        }
    }

    /// Replaces `data.inventory`.
    pub fn set_inventory(&mut self, inventory: &Json) -> Result<(), String> {
        match &mut self.state {
            State::Ready(p) => p.set_inventory(inventory),
            State::Deferred { inventory: kept, .. } => {
                *kept = Some(inventory.clone());
                Ok(())
            }
            State::Failed(_) => Ok(()),
        }
    }

    /// Evaluates `violation` for one constraint: `input = {"review": review, "parameters": parameters}`. An
    /// evaluation error is returned as its message (Gatekeeper turns it into a violation).
    pub fn violations(
        &mut self,
        review: &regorus::Value,
        parameters: &regorus::Value,
    ) -> Result<Vec<RawViolation>, String> {
        self.prepared()?.violations(review, parameters)
    }
}

fn line_of(message: &str) -> Option<usize> {
    // regorus reports `<path>:<line>:<col>: error: ...`; the path is ours, so look for the first `:<n>:`.
    message.split(':').skip(1).find_map(|p| p.trim().parse::<usize>().ok())
}

impl Prepared {
    fn compile(source: &RegoSource, limits: &Limits) -> Result<Prepared, RegoError> {
        let mut engine = regorus::Engine::new();
        engine.set_rego_v0(source.version == RegoVersion::V0);
        engine.set_strict_builtin_errors(false);
        #[cfg(not(target_arch = "wasm32"))]
        if let Some(timer) = timer(limits) {
            engine.set_execution_timer_config(timer);
        }
        add_extensions(&mut engine);

        let rewrite = |text: &str| -> String {
            if source.version == RegoVersion::V0 { prepass::rewrite(text) } else { text.to_string() }
        };
        let prepare = |text: &str| -> String { prepass::guard_assignments(&rewrite(text)) };
        // A module that does not parse is reported as its author wrote it, without the guards.
        let error_in = |module: &str, text: &str, guarded: anyhow::Error| -> RegoError {
            let mut bare = regorus::Engine::new();
            bare.set_rego_v0(source.version == RegoVersion::V0);
            let message = match bare.add_policy(module.to_string(), rewrite(text)) {
                Err(e) => e.to_string(),
                Ok(_) => guarded.to_string(),
            };
            RegoError { module: module.to_string(), line: line_of(&message), message }
        };
        for (i, lib) in source.libs.iter().enumerate() {
            let module = format!("libs[{i}]");
            check_data_refs(&module, lib)?;
            let pkg = engine.add_policy(module.clone(), prepare(lib)).map_err(|e| error_in(&module, lib, e))?;
            if !pkg.starts_with("data.lib.") {
                return Err(RegoError {
                    module,
                    line: Some(1),
                    message: format!(
                        "a template lib must be in a sub-package of lib (`package lib.<name>`), not `{}`",
                        pkg.trim_start_matches("data.")
                    ),
                });
            }
        }
        check_data_refs("rego", &source.rego)?;
        let pkg = engine
            .add_policy("rego".to_string(), prepare(&source.rego))
            .map_err(|e| error_in("rego", &source.rego, e))?;
        if !prepass::defines_rule(&source.rego, "violation") {
            return Err(RegoError {
                module: "rego".into(),
                line: None,
                message: "the template's Rego must define a rule named `violation`".into(),
            });
        }
        let entry = format!("{pkg}.violation");
        // Prepare now, with an empty input, so that analysis errors surface at load time, not per request.
        engine.set_input(regorus::Value::new_object());
        if let Err(e) = engine.eval_rule(entry.clone()) {
            let message = e.to_string();
            if !message.contains("undefined") {
                return Err(RegoError { module: "rego".into(), line: line_of(&message), message });
            }
        }
        // A template whose rules may give two values for one input runs on the interpreter, which reports that
        // as OPA does; the others on the bytecode VM.
        let conflicts = prepass::may_conflict(&source.rego) || source.libs.iter().any(|l| prepass::may_conflict(l));
        let vm = if conflicts { None } else { vm::Vm::compile(&mut engine, &entry, limits) };
        Ok(Prepared { engine, entry, vm })
    }

    fn set_inventory(&mut self, inventory: &Json) -> Result<(), String> {
        self.engine.clear_data();
        let mut data = BTreeMap::new();
        data.insert(regorus::Value::from("inventory"), to_rego(inventory));
        let data = regorus::Value::from(data);
        if let Some(vm) = &mut self.vm {
            vm.set_data(&data)?;
        }
        self.engine.add_data(data).map_err(|e| e.to_string())
    }

    fn violations(
        &mut self,
        review: &regorus::Value,
        parameters: &regorus::Value,
    ) -> Result<Vec<RawViolation>, String> {
        let mut input = BTreeMap::new();
        input.insert(regorus::Value::from("review"), review.clone());
        input.insert(regorus::Value::from("parameters"), parameters.clone());
        let input = regorus::Value::from(input);
        let result = match &mut self.vm {
            Some(vm) => vm.eval(input, &self.entry)?,
            None => {
                self.engine.set_input(input);
                self.engine.eval_rule(self.entry.clone()).map_err(|e| e.to_string())?
            }
        };
        let items: Vec<regorus::Value> = match &result {
            regorus::Value::Undefined => return Ok(Vec::new()),
            regorus::Value::Set(s) => s.iter().cloned().collect(),
            regorus::Value::Array(a) => a.iter().cloned().collect(),
            other => return Err(format!("violation is not a set but {}", kind_of(other))),
        };
        let mut out = Vec::with_capacity(items.len());
        let msg_key = regorus::Value::from("msg");
        let details_key = regorus::Value::from("details");
        for item in items {
            let regorus::Value::Object(obj) = &item else { continue };
            let msg = match obj.get(&msg_key) {
                None | Some(regorus::Value::Undefined) => continue,
                Some(regorus::Value::String(s)) => s.to_string(),
                Some(_) => return Err("extracting message binding: msg is not a string".to_string()),
            };
            let details = obj.get(&details_key).map_or_else(|| Json::Object(Default::default()), from_rego);
            out.push(RawViolation { msg, details });
        }
        Ok(out)
    }
}

/// The wall-clock limit of one evaluation (checked every 64 steps), on the interpreter and the VM alike. The
/// browser has no clock regorus can read: there the page ends a worker that runs too long.
#[cfg(not(target_arch = "wasm32"))]
fn timer(limits: &Limits) -> Option<regorus::utils::limits::ExecutionTimerConfig> {
    std::num::NonZeroU32::new(64).map(|interval| regorus::utils::limits::ExecutionTimerConfig {
        limit: limits.max_rego_time,
        check_interval: interval,
    })
}

fn kind_of(v: &regorus::Value) -> &'static str {
    match v {
        regorus::Value::Null => "null",
        regorus::Value::Bool(_) => "a boolean",
        regorus::Value::Number(_) => "a number",
        regorus::Value::String(_) => "a string",
        regorus::Value::Array(_) => "an array",
        regorus::Value::Set(_) => "a set",
        regorus::Value::Object(_) => "an object",
        regorus::Value::Undefined => "undefined",
    }
}

fn check_data_refs(module: &str, src: &str) -> Result<(), RegoError> {
    for (line, root) in prepass::data_refs(src) {
        if root != "lib" && root != "inventory" {
            return Err(RegoError {
                module: module.to_string(),
                line: Some(line),
                message: format!(
                    "`data.{root}` is not allowed: a template may only read `data.lib` and `data.inventory`"
                ),
            });
        }
    }
    Ok(())
}

/// The deprecated builtins that public templates still call, which regorus does not ship.
fn add_extensions(engine: &mut regorus::Engine) {
    let regex_cache: std::sync::Arc<std::sync::Mutex<Vec<(String, regex::Regex)>>> = Default::default();
    let re_match = move |args: Vec<regorus::Value>| -> anyhow::Result<regorus::Value> {
        let (Some(regorus::Value::String(pat)), Some(regorus::Value::String(s))) = (args.first(), args.get(1)) else {
            return Ok(regorus::Value::Undefined);
        };
        let mut cache = regex_cache.lock().map_err(|_| anyhow::anyhow!("regex cache poisoned"))?;
        if let Some((_, re)) = cache.iter().find(|(p, _)| p.as_str() == pat.as_ref()) {
            return Ok(regorus::Value::from(re.is_match(s)));
        }
        match regex::Regex::new(pat) {
            Ok(re) => {
                let hit = re.is_match(s);
                if cache.len() < 64 {
                    cache.push((pat.to_string(), re));
                }
                Ok(regorus::Value::from(hit))
            }
            // A bad pattern makes the call undefined (non-strict builtin errors), as OPA does.
            Err(_) => Ok(regorus::Value::Undefined),
        }
    };
    fn truthy(args: &[regorus::Value], want_any: bool) -> regorus::Value {
        let items: Vec<&regorus::Value> = match args.first() {
            Some(regorus::Value::Array(a)) => a.iter().collect(),
            Some(regorus::Value::Set(s)) => s.iter().collect(),
            _ => return regorus::Value::Undefined,
        };
        let t = regorus::Value::Bool(true);
        regorus::Value::from(if want_any { items.iter().any(|v| **v == t) } else { items.iter().all(|v| **v == t) })
    }
    // The names are free in regorus, so these cannot fail; a failure would only mean a newer regorus ships
    // them itself, which is fine.
    let _ = engine.add_extension("re_match".to_string(), 2, Box::new(re_match));
    let _ = engine.add_extension("any".to_string(), 1, Box::new(|a: Vec<regorus::Value>| Ok(truthy(&a, true))));
    let _ = engine.add_extension("all".to_string(), 1, Box::new(|a: Vec<regorus::Value>| Ok(truthy(&a, false))));
}

/// Converts a JSON value into a regorus value without a text round trip.
pub fn to_rego(v: &Json) -> regorus::Value {
    match v {
        Json::Null => regorus::Value::Null,
        Json::Bool(b) => regorus::Value::Bool(*b),
        Json::Number(n) => {
            if let Some(i) = n.as_i64() {
                regorus::Value::from(i)
            } else if let Some(u) = n.as_u64() {
                regorus::Value::from(u)
            } else {
                regorus::Value::from(n.as_f64().unwrap_or(0.0))
            }
        }
        Json::String(s) => regorus::Value::from(s.as_str()),
        Json::Array(a) => regorus::Value::from(a.iter().map(to_rego).collect::<Vec<_>>()),
        Json::Object(m) => regorus::Value::from(
            m.iter().map(|(k, v)| (regorus::Value::from(k.as_str()), to_rego(v))).collect::<BTreeMap<_, _>>(),
        ),
    }
}

/// `base` (a JSON object) converted, with `extra` fields added as already-converted values.
pub fn object_with<const N: usize>(base: &Json, extra: [(&str, regorus::Value); N]) -> regorus::Value {
    let mut map: BTreeMap<regorus::Value, regorus::Value> = match base {
        Json::Object(m) => m.iter().map(|(k, v)| (regorus::Value::from(k.as_str()), to_rego(v))).collect(),
        _ => BTreeMap::new(),
    };
    for (k, v) in extra {
        map.insert(regorus::Value::from(k), v);
    }
    regorus::Value::from(map)
}

/// Converts a regorus value back to JSON (sets become arrays, undefined becomes null).
pub fn from_rego(v: &regorus::Value) -> Json {
    serde_json::to_value(v).unwrap_or(Json::Null)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn compile(rego: &str) -> CompiledRego {
        CompiledRego::compile(&RegoSource { rego: rego.into(), ..Default::default() }, &Limits::default())
            .expect("compiles")
    }

    fn msgs(c: &mut CompiledRego, object: Json, params: Json) -> Result<Vec<String>, String> {
        let review = to_rego(&json!({"object": object, "operation": ""}));
        let mut v: Vec<String> = c.violations(&review, &to_rego(&params))?.into_iter().map(|v| v.msg).collect();
        v.sort();
        Ok(v)
    }

    #[test]
    fn violations_read_review_and_parameters() {
        let mut c = compile(
            r#"package k8sreplicas
violation[{"msg": msg, "details": {"max": max}}] {
  max := input.parameters.max
  input.review.object.spec.replicas > max
  msg := sprintf("replicas %v over %v", [input.review.object.spec.replicas, max])
}"#,
        );
        assert_eq!(msgs(&mut c, json!({"spec": {"replicas": 5}}), json!({"max": 3})).unwrap(), ["replicas 5 over 3"]);
        assert!(msgs(&mut c, json!({"spec": {"replicas": 2}}), json!({"max": 3})).unwrap().is_empty());
        let review = to_rego(&json!({"object": {"spec": {"replicas": 9}}}));
        let v = c.violations(&review, &to_rego(&json!({"max": 1}))).unwrap();
        assert_eq!(v[0].details, json!({"max": 1}));
    }

    #[test]
    fn libs_are_loaded_and_must_live_under_lib() {
        let source = RegoSource {
            rego: "package t\nimport data.lib.names\nviolation[{\"msg\": m}] { names.bad(input.review.object.metadata.name); m := \"bad name\" }".into(),
            libs: vec!["package lib.names\nbad(n) { startswith(n, \"x\") }".into()],
            version: RegoVersion::V0,
        };
        let mut c = CompiledRego::compile(&source, &Limits::default()).unwrap();
        assert_eq!(msgs(&mut c, json!({"metadata": {"name": "xy"}}), json!({})).unwrap(), ["bad name"]);
        let bad = RegoSource { libs: vec!["package lib\nx = 1".into()], ..source };
        let err = CompiledRego::compile(&bad, &Limits::default()).unwrap_err();
        assert!(err.message.contains("sub-package of lib"), "{err}");
    }

    #[test]
    fn inventory_is_data_inventory() {
        let mut c = compile(
            r#"package uniq
violation[{"msg": msg}] {
  other := data.inventory.namespace[ns][_]["Service"][name]
  other.spec.clusterIP == input.review.object.spec.clusterIP
  msg := sprintf("ip taken by %v/%v", [ns, name])
}"#,
        );
        c.set_inventory(
            &json!({"namespace": {"prod": {"v1": {"Service": {"db": {"spec": {"clusterIP": "10.0.0.1"}}}}}}}),
        )
        .unwrap();
        assert_eq!(
            msgs(&mut c, json!({"spec": {"clusterIP": "10.0.0.1"}}), json!({})).unwrap(),
            ["ip taken by prod/db"]
        );
        assert!(msgs(&mut c, json!({"spec": {"clusterIP": "10.0.0.2"}}), json!({})).unwrap().is_empty());
    }

    #[test]
    fn an_evaluation_error_is_reported() {
        // A function with two outputs for one input is an evaluation error in OPA and regorus alike.
        let mut c = compile(
            "package t\nf(v) = 1 { v > 0 }\nf(v) = 2 { v > 1 }\nviolation[{\"msg\": m}] { f(input.review.object.n) > 0; m := \"x\" }",
        );
        assert_eq!(msgs(&mut c, json!({"n": 1}), json!({})).unwrap(), ["x"]);
        let err = msgs(&mut c, json!({"n": 2}), json!({})).unwrap_err();
        assert!(!err.is_empty());
        // Rules that conflict whatever the input are refused when the template loads.
        let source = RegoSource {
            rego: "package t\nx = 1 { true }\nx = 2 { true }\nviolation[{\"msg\": m}] { x > 0; m := \"x\" }".into(),
            ..Default::default()
        };
        assert_eq!(CompiledRego::compile(&source, &Limits::default()).unwrap_err().line, Some(3));
    }

    #[test]
    fn a_non_string_msg_is_an_error_and_a_missing_msg_is_dropped() {
        let mut c =
            compile("package t\nviolation[{\"msg\": 1}] { input.review.object.a }\nviolation[{\"x\": 1}] { true }");
        assert!(msgs(&mut c, json!({"a": true}), json!({})).unwrap_err().contains("msg is not a string"));
        assert!(msgs(&mut c, json!({"a": false}), json!({})).unwrap().is_empty());
    }

    #[test]
    fn deprecated_builtins_are_provided() {
        let mut c = compile(
            r#"package t
violation[{"msg": "re"}] { re_match("^nginx:[0-9.]+$", input.review.object.image) }
violation[{"msg": "any"}] { any([false, input.review.object.flag]) }
violation[{"msg": "all"}] { all({true, input.review.object.flag}) }"#,
        );
        assert_eq!(
            msgs(&mut c, json!({"image": "nginx:1.25", "flag": true}), json!({})).unwrap(),
            ["all", "any", "re"]
        );
        assert!(msgs(&mut c, json!({"image": "nginx:latest", "flag": false}), json!({})).unwrap().is_empty());
    }

    #[test]
    fn template_rules_are_checked() {
        let no_violation = RegoSource { rego: "package t\ndeny[m] { m := 1 }".into(), ..Default::default() };
        let err = CompiledRego::compile(&no_violation, &Limits::default()).unwrap_err();
        assert!(err.message.contains("`violation`"), "{err}");
        let bad_data = RegoSource {
            rego: "package t\nviolation[{\"msg\": m}] {\n  data.other.x\n  m := \"\"\n}".into(),
            ..Default::default()
        };
        let err = CompiledRego::compile(&bad_data, &Limits::default()).unwrap_err();
        assert_eq!(err.line, Some(3));
        assert!(err.message.contains("data.other"), "{err}");
        let syntax =
            RegoSource { rego: "package t\n\nviolation[{\"msg\": m}] {\n  m := \n}".into(), ..Default::default() };
        let err = CompiledRego::compile(&syntax, &Limits::default()).unwrap_err();
        assert!(err.line.is_some(), "{err:?}");
    }

    #[test]
    fn rego_v1_templates_are_supported() {
        let v1 = RegoSource {
            rego: "package t\nviolation contains {\"msg\": \"v1\"} if input.review.object.a".into(),
            version: RegoVersion::V1,
            ..Default::default()
        };
        let mut c = CompiledRego::compile(&v1, &Limits::default()).unwrap();
        assert_eq!(msgs(&mut c, json!({"a": true}), json!({})).unwrap(), ["v1"]);
    }

    // The four places where regorus differs from OPA on v0 templates; each test asserts OPA's result.

    #[test]
    fn opa_sprintf_prints_missing_arguments() {
        let mut c = compile(
            "package t\nviolation[{\"msg\": m}] { m := sprintf(\"container %v uses %v\", [input.review.object.name]) }",
        );
        assert_eq!(msgs(&mut c, json!({"name": "app"}), json!({})).unwrap(), ["container app uses %!v(MISSING)"]);
    }

    #[test]
    fn opa_not_with_an_undefined_argument_is_undefined() {
        let mut c = compile(
            "package t\nviolation[{\"msg\": \"no prefix\"}] {\n  input.review.object.kind == \"Pod\"\n  not startswith(input.review.object.image, \"registry.example/\")\n}",
        );
        assert_eq!(msgs(&mut c, json!({"kind": "Pod", "image": "nginx"}), json!({})).unwrap(), ["no prefix"]);
        assert!(msgs(&mut c, json!({"kind": "Pod", "image": "registry.example/a"}), json!({})).unwrap().is_empty());
        // `image` undefined: OPA's body fails, so no violation.
        assert!(msgs(&mut c, json!({"kind": "Pod"}), json!({})).unwrap().is_empty());
    }

    #[test]
    fn opa_not_over_a_wildcard_is_true_when_nothing_matches() {
        let mut c = compile(
            "package t\nviolation[{\"msg\": \"no ALL\"}] {\n  c := input.review.object\n  not c.drop[_] == \"ALL\"\n}",
        );
        assert_eq!(msgs(&mut c, json!({"drop": ["NET_RAW"]}), json!({})).unwrap(), ["no ALL"]);
        assert!(msgs(&mut c, json!({"drop": ["NET_RAW", "ALL"]}), json!({})).unwrap().is_empty());
        // OPA: the negated expression is undefined for an empty or missing list, so `not` is true.
        assert_eq!(msgs(&mut c, json!({"drop": []}), json!({})).unwrap(), ["no ALL"]);
        assert_eq!(msgs(&mut c, json!({}), json!({})).unwrap(), ["no ALL"]);
    }

    #[test]
    fn opa_a_line_starting_with_a_paren_is_its_own_expression() {
        let mut c = compile("package t\nviolation[{\"msg\": \"big\"}] {\n  x := input.review.object.n\n  (x > 3)\n}");
        assert_eq!(msgs(&mut c, json!({"n": 5}), json!({})).unwrap(), ["big"]);
        assert!(msgs(&mut c, json!({"n": 1}), json!({})).unwrap().is_empty());
    }

    #[test]
    fn opa_a_rule_with_two_bodies_is_two_rules() {
        let mut c = compile(
            "package t\nviolation[{\"msg\": m}] {\n  input.review.object.a\n  m := \"a\"\n} {\n  input.review.object.b\n  m := \"b\"\n}",
        );
        assert_eq!(msgs(&mut c, json!({"a": true, "b": true}), json!({})).unwrap(), ["a", "b"]);
        assert_eq!(msgs(&mut c, json!({"b": true}), json!({})).unwrap(), ["b"]);
    }

    /// Rule bodies on which regorus' bytecode VM and its interpreter disagreed before the guards (an assignment
    /// of an undefined value goes on on the VM), and the shapes around them. Each is judged on the VM and on the
    /// interpreter, and both must give OPA's answer.
    #[test]
    fn the_vm_judges_as_opa_does() {
        let rules = "f(k) = 1 { k == \"x\" }\ng(k) = 1 { k == \"Pod\" }\nh(k) := input.review.object.nope\n\
                     r := input.review.object.nope\ndefault d = 5\nd = 6 { input.review.object.nope }\n\
                     e = 1 { input.review.object.nope } else = 2 { true }\n";
        let cases: &[(&str, usize)] = &[
            ("x := input.review.object.nope; m := \"a\"", 0),
            ("x := input.review.object.nope; not startswith(x, \"a\"); m := \"a\"", 0),
            ("not startswith(input.review.object.nope, \"a\"); m := \"a\"", 0),
            ("x := input.review.object.kind; not startswith(x, \"a\"); m := \"a\"", 1),
            ("x := false; m := \"a\"", 1),
            ("x := null; y := x; m := \"a\"", 1),
            ("some i; c := input.review.object.cs[i]; x := c.nope; m := \"a\"", 0),
            ("some i; c := input.review.object.cs[i]; x := c.a; m := sprintf(\"%v\", [x])", 1),
            ("x := f(input.review.object.kind); m := \"a\"", 0),
            ("x := g(input.review.object.kind); m := \"a\"", 1),
            ("x := h(input.review.object.kind); m := \"a\"", 0),
            ("y := r; m := \"a\"", 0),
            ("x := concat(\",\", input.review.object.nope); m := \"a\"", 0),
            ("x := {1 | input.review.object.nope}; m := \"a\"", 1),
            ("x := [y | y := input.review.object.cs[_].nope]; count(x) == 0; m := \"a\"", 1),
            ("x := input.review.object[\"nope\"]; m := \"a\"", 0),
            ("[a, b] := input.review.object.nope; m := \"a\"", 0),
            ("m := sprintf(\"%v\", [input.review.object.nope])", 0),
            ("d == 5; e == 2; m := \"a\"", 1),
        ];
        for (body, want) in cases {
            let src = format!("package t\n{rules}violation[{{\"msg\": m}}] {{ {body} }}");
            let mut c = compile(&src);
            assert!(c.on_vm(), "{body}: on the VM");
            let object = json!({"kind": "Pod", "cs": [{"a": 1}]});
            let on_vm = msgs(&mut c, object.clone(), json!({})).unwrap();
            c.use_interpreter();
            let interpreted = msgs(&mut c, object, json!({})).unwrap();
            assert_eq!((on_vm.len(), interpreted.len()), (*want, *want), "{body}");
        }
    }

    /// A function or complete rule defined twice with a value may conflict for some input: such a template runs
    /// on the interpreter, which reports the conflict as OPA does (regorus' VM gives no value instead). Definitions
    /// with no value (`true`) and partial sets do not conflict and stay on the VM.
    #[test]
    fn templates_whose_rules_may_conflict_run_on_the_interpreter() {
        let conflict = "package t\nk(v) = \"one\" { v }\nk(v) = \"two\" { v }\n\
                        violation[{\"msg\": m}] { m := k(input.review.object.kind) }";
        let mut c = compile(conflict);
        assert!(!c.on_vm());
        let err = msgs(&mut c, json!({"kind": "Pod"}), json!({})).unwrap_err();
        assert!(err.contains("multiple outputs"), "{err}");
        let complete = "package t\nc = 1 { input.review.object.kind }\nc = 2 { input.review.object.kind }\n\
                        violation[{\"msg\": \"x\"}] { c > 0 }";
        let mut c = compile(complete);
        assert!(!c.on_vm());
        assert!(msgs(&mut c, json!({"kind": "Pod"}), json!({})).unwrap_err().contains("conflicts"));
        // guardrail's extensions cannot be called from the VM: such a template stays on the interpreter.
        let extension = "package t\nviolation[{\"msg\": \"x\"}] { re_match(\"^a\", input.review.object.n) }";
        let mut c = compile(extension);
        assert!(!c.on_vm());
        assert_eq!(msgs(&mut c, json!({"n": "abc"}), json!({})).unwrap(), ["x"]);
        assert!(msgs(&mut c, json!({"n": "bcd"}), json!({})).unwrap().is_empty());
        let fine = "package t\nok(v) { v == 1 }\nok(v) = true { v == 2 }\np[x] { x := 1 }\np[x] { x := 2 }\n\
                    violation[{\"msg\": \"x\"}] { ok(input.review.object.n); p[_] }";
        let mut c = compile(fine);
        assert!(c.on_vm());
        assert_eq!(msgs(&mut c, json!({"n": 2}), json!({})).unwrap(), ["x"]);
        assert!(msgs(&mut c, json!({"n": 3}), json!({})).unwrap().is_empty());
    }

    #[test]
    fn json_and_rego_values_round_trip() {
        let v = json!({"a": [1, 2.5, "x", null, true], "b": {"c": -3, "d": 18446744073709551615u64}});
        assert_eq!(from_rego(&to_rego(&v)), v);
    }
}
