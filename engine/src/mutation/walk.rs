//! The core mutation walk: follows a location through an object, creating what is missing, and hands the
//! final step to a [`Setter`].

use serde_json::{Map, Value};

use super::path::{KeyValue, Location, Node};
use super::tester::Tester;

/// Writes the value of one mutator kind at the end of the walk.
pub trait Setter {
    /// Sets `obj[key]`.
    fn set_value(&self, obj: &mut Map<String, Value>, key: &str) -> Result<(), MutateError>;
    /// Whether the location may end in a keyed list segment.
    fn keyed_list_okay(&self) -> bool;
    /// The element that replaces (or is appended to) a keyed list when the location ends in `[key: value]`.
    fn keyed_list_value(&self) -> Result<Value, MutateError>;
}

/// A failed mutation, worded as upstream words it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MutateError {
    #[error("attempting to mutate an empty target location")]
    EmptyLocation,
    /// `found` is the Go type name of the value (`%T`), e.g. `map[string]interface {}` or `<nil>`.
    #[error("mismatch between path entry (type: {expected}) and received object (type: {found})")]
    TypeMismatch { expected: &'static str, found: String },
    #[error("mutator does not understand keyed lists")]
    NonKeyedSetter,
    #[error("last path entry can not be globbed")]
    GlobbedTerminal,
    #[error("cast error: keyed list element is not an object (type: {found})")]
    ElementNotObject { found: String },
    #[error("key value of replaced object must not change")]
    KeyChanged,
    #[error("two consecutive list path entries not allowed")]
    ConsecutiveLists,
    #[error("list entry has no key value")]
    NoKeyValue,
    #[error("assign.value for keyed list is not an object")]
    AssignValueNotObject,
    /// `value` is the existing value printed as Go's `%v` would.
    #[error("{value} is not a list of values, cannot treat it as a set")]
    NotASet { value: String },
    #[error("expected value at AssignImage location to be a string, got {value} of type {found}")]
    ImageNotString { value: String, found: String },
}

/// Applies `setter` at `location` inside `obj`, in place. Returns whether the walk reached the setter (upstream
/// reports "mutated" even when the written value equals the old one).
pub fn mutate(location: &Location, tester: &Tester, setter: &dyn Setter, obj: &mut Value) -> Result<bool, MutateError> {
    if location.is_empty() {
        return Err(MutateError::EmptyLocation);
    }
    let walker = Walker { nodes: &location.nodes, tester, setter };
    walker.walk(obj, 0)
}

/// Go's `%T` for a value decoded as `unstructured`.
pub fn go_type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "<nil>",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float64",
        Value::Number(_) => "int64",
        Value::String(_) => "string",
        Value::Array(_) => "[]interface {}",
        Value::Object(_) => "map[string]interface {}",
    }
}

/// Go's `%v` for a value decoded as `unstructured` (maps print with sorted keys, as `fmt` does).
pub fn go_value_string(value: &Value) -> String {
    let mut out = String::new();
    write_go_value(&mut out, value);
    out
}

fn write_go_value(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("<nil>"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => out.push_str(&i.to_string()),
            (None, Some(u), _) => out.push_str(&u.to_string()),
            (None, None, Some(f)) => out.push_str(&go_float(f)),
            (None, None, None) => out.push_str(&n.to_string()),
        },
        Value::String(s) => out.push_str(s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                write_go_value(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push_str("map[");
            for (i, (k, v)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                out.push_str(k);
                out.push(':');
                write_go_value(out, v);
            }
            out.push(']');
        }
    }
}

/// Go's `%v` for a float64 (`'g'` with shortest digits): exponent form when the exponent is below -4 or at
/// least 6, so `1e+06` but `123456`.
fn go_float(f: f64) -> String {
    if f.is_nan() {
        return "NaN".to_owned();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf" } else { "-Inf" }.to_owned();
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0" } else { "0" }.to_owned();
    }
    // Rust's `{:e}` gives the shortest round-tripping digits, like Go's precision -1.
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => ("-", m),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    if !(-4..6).contains(&exp) {
        return go_exponent_form(sign, &digits, exp);
    }
    let n_digits = i32::try_from(digits.len()).unwrap_or(i32::MAX);
    let point = exp + 1;
    let mut out = String::from(sign);
    if point <= 0 {
        out.push_str("0.");
        for _ in 0..-point {
            out.push('0');
        }
        out.push_str(&digits);
    } else if point >= n_digits {
        out.push_str(&digits);
        for _ in 0..(point - n_digits) {
            out.push('0');
        }
    } else {
        let (int_part, frac) = digits.split_at(usize::try_from(point).unwrap_or(0));
        out.push_str(int_part);
        out.push('.');
        out.push_str(frac);
    }
    out
}

fn go_exponent_form(sign: &str, digits: &str, exp: i32) -> String {
    let mut out = String::from(sign);
    let (first, rest) = digits.split_at(digits.len().min(1));
    out.push_str(first);
    if !rest.is_empty() {
        out.push('.');
        out.push_str(rest);
    }
    out.push('e');
    out.push(if exp < 0 { '-' } else { '+' });
    let abs = exp.unsigned_abs();
    if abs < 10 {
        out.push('0');
    }
    out.push_str(&abs.to_string());
    out
}

/// Go `==` between an object's key value and a location's key value: an int key only matches integral JSON
/// numbers (never floats or strings), a string key only strings, and a glob nothing.
pub fn key_matches(value: &Value, key: &KeyValue) -> bool {
    match (key, value) {
        (KeyValue::Str(s), Value::String(v)) => s == v,
        (KeyValue::Int(i), Value::Number(n)) => n.as_i64() == Some(*i),
        _ => false,
    }
}

struct Walker<'a> {
    nodes: &'a [Node],
    tester: &'a Tester,
    setter: &'a dyn Setter,
}

impl Walker<'_> {
    fn walk(&self, current: &mut Value, depth: usize) -> Result<bool, MutateError> {
        let is_last = depth + 1 == self.nodes.len();
        match self.nodes.get(depth) {
            None => Ok(false),
            Some(Node::Object(reference)) => self.walk_object(current, depth, reference, is_last),
            Some(Node::List { key_field, key_value }) => {
                let Value::Array(list) = current else {
                    return Err(mismatch("List", current));
                };
                if is_last {
                    self.set_keyed_element(list, depth, key_field, key_value)
                } else {
                    self.walk_list(list, depth, key_field, key_value)
                }
            }
        }
    }

    fn walk_object(
        &self,
        current: &mut Value,
        depth: usize,
        reference: &str,
        is_last: bool,
    ) -> Result<bool, MutateError> {
        let Value::Object(map) = current else {
            return Err(mismatch("object", current));
        };
        let exists = map.contains_key(reference);
        if exists && !self.tester.exists_okay(depth) || !exists && !self.tester.missing_okay(depth) {
            return Ok(false);
        }
        if is_last {
            self.setter.set_value(map, reference)?;
            return Ok(true);
        }
        if let Some(next) = map.get_mut(reference) {
            // Mutating in place is equivalent to upstream's write-back: a walk that reports `false` changed nothing.
            return self.walk(next, depth + 1);
        }
        // A created parent is only attached if something below it was mutated.
        let mut next = create_missing(self.nodes, depth)?;
        let mutated = self.walk(&mut next, depth + 1)?;
        if mutated {
            map.insert(reference.to_owned(), next);
        }
        Ok(mutated)
    }

    /// The location ends in `[key: value]`: replace the first matching element whole, or append.
    fn set_keyed_element(
        &self,
        list: &mut Vec<Value>,
        depth: usize,
        key_field: &str,
        key_value: &KeyValue,
    ) -> Result<bool, MutateError> {
        if !self.setter.keyed_list_okay() {
            return Err(MutateError::NonKeyedSetter);
        }
        if *key_value == KeyValue::Glob {
            return Err(MutateError::GlobbedTerminal);
        }
        let new_element = self.setter.keyed_list_value()?;
        let Value::Object(new_map) = &new_element else {
            return Err(MutateError::AssignValueNotObject);
        };
        let new_key_matches = new_map.get(key_field).is_some_and(|v| key_matches(v, key_value));
        for element in list.iter_mut() {
            let Value::Object(map) = element else {
                return Err(MutateError::ElementNotObject { found: go_type_name(element).to_owned() });
            };
            if map.get(key_field).is_some_and(|v| key_matches(v, key_value)) {
                if !new_key_matches {
                    return Err(MutateError::KeyChanged);
                }
                if !self.tester.exists_okay(depth) {
                    return Ok(false);
                }
                *element = new_element;
                return Ok(true);
            }
        }
        if !self.tester.missing_okay(depth) {
            return Ok(false);
        }
        list.push(new_element);
        Ok(true)
    }

    fn walk_list(
        &self,
        list: &mut Vec<Value>,
        depth: usize,
        key_field: &str,
        key_value: &KeyValue,
    ) -> Result<bool, MutateError> {
        let glob = *key_value == KeyValue::Glob;
        if glob && !self.tester.exists_okay(depth) {
            return Ok(false);
        }
        let mut mutated = false;
        let mut found = false;
        for element in list.iter_mut() {
            if glob {
                mutated |= self.walk(element, depth + 1)?;
                found = true;
            } else if let Value::Object(map) = element
                && map.get(key_field).is_some_and(|v| key_matches(v, key_value))
            {
                if !self.tester.exists_okay(depth) {
                    return Ok(false);
                }
                mutated |= self.walk(element, depth + 1)?;
                found = true;
            }
        }
        if !glob && !found {
            if !self.tester.missing_okay(depth) {
                return Ok(false);
            }
            let mut element = create_missing(self.nodes, depth)?;
            let element_mutated = self.walk(&mut element, depth + 1)?;
            if element_mutated {
                list.push(element);
            }
            mutated |= element_mutated;
        }
        Ok(mutated)
    }
}

fn mismatch(expected: &'static str, found: &Value) -> MutateError {
    MutateError::TypeMismatch { expected, found: go_type_name(found).to_owned() }
}

/// The value to create for a missing `nodes[depth]`, shaped by the node after it.
fn create_missing(nodes: &[Node], depth: usize) -> Result<Value, MutateError> {
    let next_is_list = matches!(nodes.get(depth + 1), Some(Node::List { .. }));
    match nodes.get(depth) {
        Some(Node::List { key_field, key_value }) => {
            if next_is_list {
                return Err(MutateError::ConsecutiveLists);
            }
            let key = match key_value {
                KeyValue::Glob => return Err(MutateError::NoKeyValue),
                KeyValue::Str(s) => Value::String(s.clone()),
                KeyValue::Int(i) => Value::from(*i),
            };
            let mut element = Map::new();
            element.insert(key_field.clone(), key);
            Ok(Value::Object(element))
        }
        _ if next_is_list => Ok(Value::Array(Vec::new())),
        _ => Ok(Value::Object(Map::new())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mutation::tester::{Condition, PathTest};
    use serde_json::json;
    use std::cell::Cell;

    /// A minimal Assign-like setter that also counts calls.
    struct TestSetter {
        value: Value,
        keyed: bool,
        calls: Cell<usize>,
    }

    impl TestSetter {
        fn new(value: Value) -> Self {
            TestSetter { value, keyed: true, calls: Cell::new(0) }
        }
    }

    impl Setter for TestSetter {
        fn set_value(&self, obj: &mut Map<String, Value>, key: &str) -> Result<(), MutateError> {
            self.calls.set(self.calls.get() + 1);
            obj.insert(key.to_owned(), self.value.clone());
            Ok(())
        }

        fn keyed_list_okay(&self) -> bool {
            self.keyed
        }

        fn keyed_list_value(&self) -> Result<Value, MutateError> {
            Ok(self.value.clone())
        }
    }

    fn loc(s: &str) -> Location {
        match Location::parse(s) {
            Ok(l) => l,
            Err(e) => panic!("{e}"),
        }
    }

    fn run(path: &str, value: Value, obj: &mut Value) -> Result<bool, MutateError> {
        mutate(&loc(path), &Tester::unconstrained(), &TestSetter::new(value), obj)
    }

    fn run_tested(path: &str, tests: &[(&str, Condition)], value: Value, obj: &mut Value) -> Result<bool, MutateError> {
        let location = loc(path);
        let tests: Vec<PathTest> = tests.iter().map(|(p, c)| PathTest { sub_path: loc(p), condition: *c }).collect();
        let tester = match Tester::new(&location, &tests) {
            Ok(t) => t,
            Err(e) => panic!("{e}"),
        };
        mutate(&location, &tester, &TestSetter::new(value), obj)
    }

    fn pod() -> Value {
        json!({"spec": {"containers": [
            {"name": "a", "image": "nginx"},
            {"name": "b", "image": "redis"}
        ]}})
    }

    #[test]
    fn empty_location_is_an_error() {
        let mut obj = json!({});
        assert_eq!(
            mutate(&Location::default(), &Tester::unconstrained(), &TestSetter::new(json!(1)), &mut obj),
            Err(MutateError::EmptyLocation)
        );
        assert_eq!(MutateError::EmptyLocation.to_string(), "attempting to mutate an empty target location");
    }

    #[test]
    fn missing_parents_are_created() {
        let mut obj = json!({});
        assert_eq!(run("spec.a.b.c", json!("v"), &mut obj), Ok(true));
        assert_eq!(obj, json!({"spec": {"a": {"b": {"c": "v"}}}}));
    }

    #[test]
    fn keyed_segment_appends_a_new_element() {
        let mut obj = pod();
        assert_eq!(run("spec.containers[name:foo].image", json!("v"), &mut obj), Ok(true));
        assert_eq!(obj["spec"]["containers"][2], json!({"name": "foo", "image": "v"}));
        assert_eq!(obj["spec"]["containers"].as_array().map(Vec::len), Some(3));

        let mut obj = json!({});
        assert_eq!(run("spec.ports[containerPort:80].protocol", json!("TCP"), &mut obj), Ok(true));
        assert_eq!(obj, json!({"spec": {"ports": [{"containerPort": 80, "protocol": "TCP"}]}}));
    }

    #[test]
    fn must_exist_on_the_element_prevents_the_append() {
        let mut obj = pod();
        let before = obj.clone();
        let r = run_tested(
            "spec.containers[name:foo].image",
            &[("spec.containers[name:foo]", Condition::MustExist)],
            json!("v"),
            &mut obj,
        );
        assert_eq!(r, Ok(false));
        assert_eq!(obj, before);
        let r = run_tested(
            "spec.containers[name:a].image",
            &[("spec.containers[name:a]", Condition::MustExist)],
            json!("v"),
            &mut obj,
        );
        assert_eq!(r, Ok(true));
        assert_eq!(obj["spec"]["containers"][0]["image"], json!("v"));
    }

    #[test]
    fn terminal_always_reports_mutated() {
        let mut obj = json!({"a": 1});
        assert_eq!(run("a", json!(1), &mut obj), Ok(true));
        assert_eq!(obj, json!({"a": 1}));
    }

    #[test]
    fn type_mismatches() {
        let cases = [
            (json!({"spec": "x"}), "spec.a", "object", "string"),
            (json!({"metadata": {"labels": null}}), "metadata.labels.a", "object", "<nil>"),
            (json!({"spec": {"a": 1}}), "spec.a.b", "object", "int64"),
            (json!({"spec": {"a": 1.5}}), "spec.a.b", "object", "float64"),
            (json!({"spec": {"a": true}}), "spec.a.b", "object", "bool"),
            (json!({"spec": {"a": [1]}}), "spec.a.b", "object", "[]interface {}"),
            (json!({"spec": {"containers": {}}}), "spec.containers[name:a].x", "List", "map[string]interface {}"),
            (json!({"spec": {"containers": null}}), "spec.containers[name:a].x", "List", "<nil>"),
            (json!({"spec": {"containers": "s"}}), "spec.containers[name:a]", "List", "string"),
        ];
        for (mut obj, path, expected, found) in cases {
            assert_eq!(
                run(path, json!({"name": "a"}), &mut obj),
                Err(MutateError::TypeMismatch { expected, found: found.to_owned() }),
                "{path}"
            );
        }
        let mut root = json!([1]);
        assert_eq!(
            run("a", json!(1), &mut root).map_err(|e| e.to_string()),
            Err("mismatch between path entry (type: object) and received object (type: []interface {})".to_owned())
        );
    }

    #[test]
    fn exists_and_missing_okay_return_early() {
        // MustNotExist on an existing terminal: nothing happens.
        let mut obj = json!({"metadata": {"labels": {"a": "old"}}});
        let before = obj.clone();
        let r =
            run_tested("metadata.labels.a", &[("metadata.labels.a", Condition::MustNotExist)], json!("new"), &mut obj);
        assert_eq!((r, &obj), (Ok(false), &before));
        // MustExist on a missing parent: nothing is created.
        let mut obj = json!({});
        let r = run_tested("spec.a.b", &[("spec.a", Condition::MustExist)], json!(1), &mut obj);
        assert_eq!((r, obj), (Ok(false), json!({})));
        // MustNotExist on a missing terminal: set.
        let mut obj = json!({"metadata": {}});
        let r =
            run_tested("metadata.labels.a", &[("metadata.labels.a", Condition::MustNotExist)], json!("new"), &mut obj);
        assert_eq!((r, obj), (Ok(true), json!({"metadata": {"labels": {"a": "new"}}})));
    }

    #[test]
    fn created_parents_are_attached_only_if_something_below_mutated() {
        let mut obj = json!({"spec": {}});
        let r = run_tested("spec.a.b.c", &[("spec.a.b.c", Condition::MustExist)], json!(1), &mut obj);
        assert_eq!((r, obj), (Ok(false), json!({"spec": {}})));
    }

    #[test]
    fn glob_never_creates() {
        let mut obj = json!({"spec": {}});
        assert_eq!(run("spec.containers[name:*].image", json!("v"), &mut obj), Ok(false));
        assert_eq!(obj, json!({"spec": {}}));
        let mut obj = json!({"spec": {"containers": []}});
        assert_eq!(run("spec.containers[name:*].image", json!("v"), &mut obj), Ok(false));
        assert_eq!(obj, json!({"spec": {"containers": []}}));
    }

    #[test]
    fn glob_visits_every_element() {
        let mut obj = pod();
        assert_eq!(run("spec.containers[name:*].imagePullPolicy", json!("Always"), &mut obj), Ok(true));
        for c in obj["spec"]["containers"].as_array().into_iter().flatten() {
            assert_eq!(c["imagePullPolicy"], json!("Always"));
        }
        // Elements without the key field are visited too.
        let mut obj = json!({"l": [{"other": 1}]});
        assert_eq!(run("l[name:*].x", json!(1), &mut obj), Ok(true));
        assert_eq!(obj, json!({"l": [{"other": 1, "x": 1}]}));
    }

    #[test]
    fn glob_with_must_not_exist_never_succeeds() {
        let mut obj = pod();
        let before = obj.clone();
        let r = run_tested(
            "spec.containers[name:*].x",
            &[("spec.containers[name:*]", Condition::MustNotExist)],
            json!(1),
            &mut obj,
        );
        assert_eq!((r, obj), (Ok(false), before));
    }

    #[test]
    fn glob_over_non_map_elements_errors_but_keyed_segments_skip_them() {
        let mut obj = json!({"l": [{"name": "a"}, "scalar", 3]});
        assert_eq!(
            run("l[name:*].x", json!(1), &mut obj),
            Err(MutateError::TypeMismatch { expected: "object", found: "string".to_owned() })
        );
        let mut obj = json!({"l": ["scalar", {"name": "a"}, 3, null]});
        assert_eq!(run("l[name:a].x", json!(1), &mut obj), Ok(true));
        assert_eq!(obj, json!({"l": ["scalar", {"name": "a", "x": 1}, 3, null]}));
    }

    #[test]
    fn all_matching_elements_are_visited() {
        let mut obj = json!({"l": [{"name": "a"}, {"name": "b"}, {"name": "a", "k": 0}]});
        assert_eq!(run("l[name:a].x", json!(1), &mut obj), Ok(true));
        assert_eq!(obj, json!({"l": [{"name": "a", "x": 1}, {"name": "b"}, {"name": "a", "k": 0, "x": 1}]}));
    }

    #[test]
    fn non_terminal_keyed_must_not_exist_returns_on_first_match() {
        let mut obj = json!({"l": [{"name": "a"}]});
        let before = obj.clone();
        let r = run_tested("l[name:a].x", &[("l[name:a]", Condition::MustNotExist)], json!(1), &mut obj);
        assert_eq!((r, &obj), (Ok(false), &before));
        // Missing element: MustNotExist lets it be created.
        let r = run_tested("l[name:z].x", &[("l[name:z]", Condition::MustNotExist)], json!(1), &mut obj);
        assert_eq!(r, Ok(true));
        assert_eq!(obj, json!({"l": [{"name": "a"}, {"name": "z", "x": 1}]}));
    }

    #[test]
    fn int_keys_match_only_integers() {
        let obj = || json!({"ports": [{"containerPort": "8888"}, {"containerPort": 8888.0}, {"containerPort": 8888}]});
        let mut o = obj();
        assert_eq!(run("ports[containerPort:8888].hit", json!(true), &mut o), Ok(true));
        assert_eq!(o["ports"][2]["hit"], json!(true));
        assert!(o["ports"][0].get("hit").is_none() && o["ports"][1].get("hit").is_none());
        // A string key matches only the string.
        let mut o = obj();
        assert_eq!(run("ports[containerPort:\"8888\"].hit", json!(true), &mut o), Ok(true));
        assert_eq!(o["ports"][0]["hit"], json!(true));
        assert!(o["ports"][1].get("hit").is_none() && o["ports"][2].get("hit").is_none());
        // Neither int nor string matches a float: a new element is appended with the int key.
        let mut o = json!({"ports": [{"containerPort": 8888.0}]});
        assert_eq!(run("ports[containerPort:8888].hit", json!(true), &mut o), Ok(true));
        assert_eq!(o, json!({"ports": [{"containerPort": 8888.0}, {"containerPort": 8888, "hit": true}]}));
        // u64-stored integers compare by value.
        assert!(key_matches(&json!(5u64), &KeyValue::Int(5)));
        assert!(!key_matches(&json!(5), &KeyValue::Glob));
        assert!(!key_matches(&json!(-1), &KeyValue::Int(1)));
    }

    #[test]
    fn terminal_keyed_list_replaces_first_match_whole() {
        let mut obj = json!({"l": [{"name": "a", "old": 1}, {"name": "a", "second": 1}]});
        assert_eq!(run("l[name:a]", json!({"name": "a", "new": 2}), &mut obj), Ok(true));
        assert_eq!(obj, json!({"l": [{"name": "a", "new": 2}, {"name": "a", "second": 1}]}));
    }

    #[test]
    fn terminal_keyed_list_appends_when_missing() {
        let mut obj = json!({"l": [{"name": "a"}]});
        assert_eq!(run("l[name:b]", json!({"name": "b", "v": 1}), &mut obj), Ok(true));
        assert_eq!(obj, json!({"l": [{"name": "a"}, {"name": "b", "v": 1}]}));
        let mut obj = json!({});
        assert_eq!(run("spec.l[name:b]", json!({"name": "b"}), &mut obj), Ok(true));
        assert_eq!(obj, json!({"spec": {"l": [{"name": "b"}]}}));
    }

    #[test]
    fn terminal_keyed_list_key_must_not_change() {
        let mut obj = json!({"l": [{"port": 8888}]});
        assert_eq!(run("l[port:8888]", json!({"port": "8888"}), &mut obj), Err(MutateError::KeyChanged));
        assert_eq!(run("l[port:8888]", json!({"other": 1}), &mut obj), Err(MutateError::KeyChanged));
        // Only checked when something matches: an append with a wrong key goes through.
        assert_eq!(run("l[port:1]", json!({"port": 2}), &mut obj), Ok(true));
        assert_eq!(obj, json!({"l": [{"port": 8888}, {"port": 2}]}));
    }

    #[test]
    fn terminal_keyed_list_tests_are_checked_late() {
        let tests_exist = [("l[name:a]", Condition::MustNotExist)];
        // Match found: key check first, then ExistsOkay.
        let mut obj = json!({"l": [{"name": "a"}]});
        assert_eq!(run_tested("l[name:a]", &tests_exist, json!({"name": "x"}), &mut obj), Err(MutateError::KeyChanged));
        assert_eq!(run_tested("l[name:a]", &tests_exist, json!({"name": "a", "v": 1}), &mut obj), Ok(false));
        assert_eq!(obj, json!({"l": [{"name": "a"}]}));
        // No match: MissingOkay.
        let mut obj = json!({"l": [{"name": "b"}]});
        let r = run_tested("l[name:a]", &[("l[name:a]", Condition::MustExist)], json!({"name": "a"}), &mut obj);
        assert_eq!((r, obj), (Ok(false), json!({"l": [{"name": "b"}]})));
    }

    #[test]
    fn terminal_keyed_list_element_errors() {
        let mut obj = json!({"l": [{"name": "z"}, "scalar", {"name": "a"}]});
        assert_eq!(
            run("l[name:a]", json!({"name": "a"}), &mut obj),
            Err(MutateError::ElementNotObject { found: "string".to_owned() })
        );
        // Elements after the first match are never inspected.
        let mut obj = json!({"l": [{"name": "a"}, "scalar"]});
        assert_eq!(run("l[name:a]", json!({"name": "a", "v": 1}), &mut obj), Ok(true));
        // The new element must be a map.
        let mut obj = json!({"l": []});
        assert_eq!(run("l[name:a]", json!("x"), &mut obj), Err(MutateError::AssignValueNotObject));
    }

    #[test]
    fn terminal_keyed_list_needs_a_keyed_setter_and_no_glob() {
        let mut obj = json!({"l": []});
        let mut setter = TestSetter::new(json!({"name": "a"}));
        setter.keyed = false;
        assert_eq!(
            mutate(&loc("l[name:a]"), &Tester::unconstrained(), &setter, &mut obj),
            Err(MutateError::NonKeyedSetter)
        );
        assert_eq!(
            mutate(&loc("l[name:*]"), &Tester::unconstrained(), &setter, &mut obj),
            Err(MutateError::NonKeyedSetter)
        );
        assert_eq!(run("l[name:*]", json!({"name": "a"}), &mut obj), Err(MutateError::GlobbedTerminal));
        assert_eq!(MutateError::GlobbedTerminal.to_string(), "last path entry can not be globbed");
        // The list type is checked before the setter.
        let mut obj = json!({"l": {}});
        assert!(matches!(
            mutate(&loc("l[name:a]"), &Tester::unconstrained(), &setter, &mut obj),
            Err(MutateError::TypeMismatch { expected: "List", .. })
        ));
    }

    #[test]
    fn consecutive_lists_and_missing_key_values() {
        let nodes = vec![
            Node::Object("a".to_owned()),
            Node::List { key_field: "x".to_owned(), key_value: KeyValue::Int(1) },
            Node::List { key_field: "y".to_owned(), key_value: KeyValue::Int(2) },
            Node::Object("b".to_owned()),
        ];
        let location = Location { nodes: nodes.clone() };
        let setter = TestSetter::new(json!(1));
        let mut obj = json!({"a": []});
        assert_eq!(mutate(&location, &Tester::unconstrained(), &setter, &mut obj), Err(MutateError::ConsecutiveLists));
        let mut obj = json!({"a": [{"x": 1}]});
        assert!(matches!(
            mutate(&location, &Tester::unconstrained(), &setter, &mut obj),
            Err(MutateError::TypeMismatch { expected: "List", .. })
        ));
        let globbed = [
            Node::Object("a".to_owned()),
            Node::List { key_field: "x".to_owned(), key_value: KeyValue::Glob },
            Node::Object("b".to_owned()),
        ];
        assert_eq!(create_missing(&globbed, 1), Err(MutateError::NoKeyValue));
        assert_eq!(create_missing(&globbed, 0), Ok(json!([])));
        assert_eq!(create_missing(&nodes, 1), Err(MutateError::ConsecutiveLists));
        assert_eq!(create_missing(&nodes, 2), Ok(json!({"y": 2})));
        assert_eq!(create_missing(&nodes, 0), Ok(json!([])));
    }

    #[test]
    fn setter_errors_propagate_and_stop_the_walk() {
        struct Failing;
        impl Setter for Failing {
            fn set_value(&self, _: &mut Map<String, Value>, _: &str) -> Result<(), MutateError> {
                Err(MutateError::NotASet { value: "x".to_owned() })
            }
            fn keyed_list_okay(&self) -> bool {
                false
            }
            fn keyed_list_value(&self) -> Result<Value, MutateError> {
                Err(MutateError::NonKeyedSetter)
            }
        }
        let mut obj = json!({});
        assert_eq!(
            mutate(&loc("spec.a.b"), &Tester::unconstrained(), &Failing, &mut obj),
            Err(MutateError::NotASet { value: "x".to_owned() })
        );
        // The scratch parents of a failed walk are not attached.
        assert_eq!(obj, json!({}));
    }

    #[test]
    fn glob_matches_get_independent_copies() {
        // Decision: no aliasing. Upstream stores the same value instance at every glob match within one
        // Mutate pass, so the second write below would show up in container b as well.
        let mut obj = pod();
        assert_eq!(run("spec.containers[name:*].securityContext", json!({"runAsUser": 1}), &mut obj), Ok(true));
        assert_eq!(run("spec.containers[name:a].securityContext.x", json!(true), &mut obj), Ok(true));
        assert_eq!(obj["spec"]["containers"][0]["securityContext"], json!({"runAsUser": 1, "x": true}));
        assert_eq!(obj["spec"]["containers"][1]["securityContext"], json!({"runAsUser": 1}));
    }

    #[test]
    fn go_formatting() {
        assert_eq!(go_value_string(&json!(null)), "<nil>");
        assert_eq!(go_value_string(&json!("s")), "s");
        assert_eq!(go_value_string(&json!([1, "a", true, [2]])), "[1 a true [2]]");
        assert_eq!(go_value_string(&json!({"b": 1, "a": {"c": null}})), "map[a:map[c:<nil>] b:1]");
        let floats = [
            (1.0, "1"),
            (8888.0, "8888"),
            (0.5, "0.5"),
            (-2.25, "-2.25"),
            (123456.0, "123456"),
            (1234567.0, "1.234567e+06"),
            (1e6, "1e+06"),
            (1e21, "1e+21"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1.5e-7, "1.5e-07"),
            (1e100, "1e+100"),
            (100.0, "100"),
        ];
        for (f, s) in floats {
            assert_eq!(go_value_string(&json!(f)), s, "{f}");
        }
        assert_eq!(go_type_name(&json!(1.0)), "float64");
        assert_eq!(go_type_name(&json!(1)), "int64");
    }
}
