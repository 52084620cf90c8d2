//! The setters of each mutator kind (Assign/AssignMetadata, ModifySet, AssignImage) and the AssignImage
//! parameter rules.

use std::sync::LazyLock;

use regex::Regex;
use serde_json::{Map, Value};

use super::walk::{MutateError, Setter, go_type_name, go_value_string};

/// Assign and AssignMetadata: `obj[key] = value`.
#[derive(Debug, Clone, PartialEq)]
pub struct AssignSetter {
    pub value: Value,
}

impl Setter for AssignSetter {
    fn set_value(&self, obj: &mut Map<String, Value>, key: &str) -> Result<(), MutateError> {
        // Each call stores its own copy: no aliasing between glob matches (see walk.rs tests).
        obj.insert(key.to_owned(), self.value.clone());
        Ok(())
    }

    fn keyed_list_okay(&self) -> bool {
        true
    }

    fn keyed_list_value(&self) -> Result<Value, MutateError> {
        if self.value.is_object() { Ok(self.value.clone()) } else { Err(MutateError::AssignValueNotObject) }
    }
}

/// ModifySet `operation`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SetOperation {
    /// The CRD default.
    #[default]
    Merge,
    Prune,
}

/// ModifySet: treats the list at the location as a set.
#[derive(Debug, Clone, PartialEq)]
pub struct ModifySetSetter {
    pub operation: SetOperation,
    /// `values.fromList`; `None` when missing or null, in which case a merge into a missing key writes `null`.
    pub values: Option<Vec<Value>>,
}

impl Setter for ModifySetSetter {
    fn set_value(&self, obj: &mut Map<String, Value>, key: &str) -> Result<(), MutateError> {
        let values = self.values.as_deref().unwrap_or_default();
        let Some(current) = obj.get_mut(key) else {
            if self.operation == SetOperation::Merge {
                let fresh = self.values.clone().map_or(Value::Null, Value::Array);
                obj.insert(key.to_owned(), fresh);
            }
            return Ok(());
        };
        let Value::Array(list) = current else {
            return Err(MutateError::NotASet { value: go_value_string(current) });
        };
        match self.operation {
            SetOperation::Merge => {
                for v in values {
                    // Compared against the growing list, so duplicates inside `values` are added once.
                    if !list.contains(v) {
                        list.push(v.clone());
                    }
                }
            }
            SetOperation::Prune => list.retain(|e| !values.contains(e)),
        }
        Ok(())
    }

    fn keyed_list_okay(&self) -> bool {
        false
    }

    fn keyed_list_value(&self) -> Result<Value, MutateError> {
        Err(MutateError::NonKeyedSetter)
    }
}

/// AssignImage: replaces the domain, path and/or tag of an image reference string.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AssignImageSetter {
    pub domain: String,
    pub path: String,
    pub tag: String,
}

impl Setter for AssignImageSetter {
    fn set_value(&self, obj: &mut Map<String, Value>, key: &str) -> Result<(), MutateError> {
        let old = match obj.get(key) {
            None => "",
            Some(Value::String(s)) => s.as_str(),
            Some(other) => {
                return Err(MutateError::ImageNotString {
                    value: go_value_string(other),
                    found: go_type_name(other).to_owned(),
                });
            }
        };
        let new = mutate_image(&self.domain, &self.path, &self.tag, old);
        obj.insert(key.to_owned(), Value::String(new));
        Ok(())
    }

    fn keyed_list_okay(&self) -> bool {
        false
    }

    fn keyed_list_value(&self) -> Result<Value, MutateError> {
        Err(MutateError::NonKeyedSetter)
    }
}

/// Rebuilds `old` with each non-empty part replaced.
pub fn mutate_image(domain: &str, path: &str, tag: &str, old: &str) -> String {
    let (old_domain, rest) = split_domain(old);
    let (old_path, old_tag) = split_tag(rest);
    fn pick<'a>(assigned: &'a str, old: &'a str) -> &'a str {
        if assigned.is_empty() { old } else { assigned }
    }
    let (domain, path, tag) = (pick(domain, old_domain), pick(path, old_path), pick(tag, old_tag));
    if domain.is_empty() { format!("{path}{tag}") } else { format!("{domain}/{path}{tag}") }
}

/// Splits off the registry: the part before the first `/`, if it looks like a host (has `.` or `:`, or is
/// `localhost`).
pub fn split_domain(s: &str) -> (&str, &str) {
    match s.split_once('/') {
        Some((domain, rest)) if domain.contains(['.', ':']) || domain == "localhost" => (domain, rest),
        _ => ("", s),
    }
}

/// Splits off the tag or digest at the first `:` or `@`; the tag keeps that character.
pub fn split_tag(s: &str) -> (&str, &str) {
    match s.find([':', '@']) {
        Some(i) => s.split_at(i),
        None => (s, ""),
    }
}

// Go RE2 `\w`/`\d` are ASCII-only, so the classes are spelled out.
static DOMAIN_RE: LazyLock<Result<Regex, regex::Error>> = LazyLock::new(|| {
    Regex::new(r"^(?:[0-9A-Za-z_][0-9A-Za-z_\-]*\.[0-9A-Za-z_\-.]*[0-9A-Za-z_](?::[0-9]+)?|localhost(?::[0-9]+)?)$")
});
// Unanchored at the end on purpose: upstream takes the leftmost-first match and compares it with the input.
static PATH_RE: LazyLock<Result<Regex, regex::Error>> =
    LazyLock::new(|| Regex::new(r"^[a-z0-9]+(?:(?:(?:[._/]|__|[-]*)[a-z0-9]+)+)?"));
static TAG_RE: LazyLock<Result<Regex, regex::Error>> = LazyLock::new(|| {
    Regex::new(
        r"^(?::[0-9A-Za-z_][0-9A-Za-z_.\-]{0,127}|@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9A-Fa-f]{32,})$",
    )
});

fn compiled(re: &'static LazyLock<Result<Regex, regex::Error>>) -> Result<&'static Regex, String> {
    re.as_ref().map_err(|e| format!("internal error: invalid image pattern: {e}"))
}

/// Validates AssignImage's `assignDomain`, `assignPath` and `assignTag`; the error is a message for the user.
pub fn validate_image_parts(domain: &str, path: &str, tag: &str) -> Result<(), String> {
    if domain.is_empty() && path.is_empty() && tag.is_empty() {
        return Err("at least one of [assignDomain, assignPath, assignTag] must be set".to_owned());
    }
    if !domain.is_empty() {
        let with_slash = format!("{domain}/");
        if !compiled(&DOMAIN_RE)?.is_match(domain) || split_domain(&with_slash) != (domain, "") {
            return Err(format!(
                "assignDomain {domain:?} must be a valid registry domain, optionally with a port (for example \
                 \"docker.io\", \"my.registry:5000\" or \"localhost\")"
            ));
        }
    }
    if !path.is_empty() {
        let whole = compiled(&PATH_RE)?.find(path).is_some_and(|m| m.as_str() == path);
        if !whole {
            return Err(format!(
                "assignPath {path:?} must be a valid image path: lowercase alphanumeric components separated by \
                 \".\", \"_\", \"__\", \"/\" or dashes, without a domain, tag or digest"
            ));
        }
    }
    if !tag.is_empty() && (!compiled(&TAG_RE)?.is_match(tag) || split_tag(tag) != ("", tag)) {
        return Err(format!(
            "assignTag {tag:?} must be a tag starting with \":\" (at most 128 characters of [A-Za-z0-9_.-]) or a \
             digest starting with \"@\" (for example \"@sha256:\" followed by at least 32 hex digits)"
        ));
    }
    if domain.is_empty() && !split_domain(path).0.is_empty() {
        return Err(format!(
            "assignDomain must be set if the first part of assignPath {path:?} can be interpretted as part of a domain"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mutation::path::Location;
    use crate::mutation::tester::Tester;
    use crate::mutation::walk::mutate;
    use serde_json::json;

    fn apply(setter: &dyn Setter, path: &str, obj: &mut Value) -> Result<bool, MutateError> {
        let location = match Location::parse(path) {
            Ok(l) => l,
            Err(e) => panic!("{e}"),
        };
        mutate(&location, &Tester::unconstrained(), setter, obj)
    }

    fn merge(values: Option<Value>) -> ModifySetSetter {
        ModifySetSetter { operation: SetOperation::Merge, values: values.and_then(|v| v.as_array().cloned()) }
    }

    fn prune(values: Value) -> ModifySetSetter {
        ModifySetSetter { operation: SetOperation::Prune, values: values.as_array().cloned() }
    }

    #[test]
    fn assign_sets_and_overwrites() {
        let setter = AssignSetter { value: json!({"a": [1]}) };
        let mut obj = json!({"spec": {"x": "old", "y": 1}});
        assert_eq!(apply(&setter, "spec.x", &mut obj), Ok(true));
        assert_eq!(obj, json!({"spec": {"x": {"a": [1]}, "y": 1}}));
        assert!(setter.keyed_list_okay());
        assert_eq!(setter.keyed_list_value(), Ok(json!({"a": [1]})));
    }

    #[test]
    fn assign_keyed_list_value_must_be_an_object() {
        let setter = AssignSetter { value: json!("s") };
        assert_eq!(setter.keyed_list_value(), Err(MutateError::AssignValueNotObject));
        assert_eq!(MutateError::AssignValueNotObject.to_string(), "assign.value for keyed list is not an object");
        let mut obj = json!({"l": []});
        assert_eq!(apply(&setter, "l[name:a]", &mut obj), Err(MutateError::AssignValueNotObject));
    }

    #[test]
    fn merge_into_missing_key_copies_values_with_duplicates() {
        let mut obj = json!({});
        assert_eq!(apply(&merge(Some(json!(["a", "a", "b"]))), "spec.args", &mut obj), Ok(true));
        assert_eq!(obj, json!({"spec": {"args": ["a", "a", "b"]}}));
    }

    #[test]
    fn merge_without_from_list_writes_null() {
        let mut obj = json!({"spec": {}});
        assert_eq!(apply(&merge(None), "spec.args", &mut obj), Ok(true));
        assert_eq!(obj, json!({"spec": {"args": null}}));
        // An existing list is left alone.
        let mut obj = json!({"spec": {"args": ["x"]}});
        assert_eq!(apply(&merge(None), "spec.args", &mut obj), Ok(true));
        assert_eq!(obj, json!({"spec": {"args": ["x"]}}));
    }

    #[test]
    fn merge_appends_missing_values_in_order() {
        let mut obj = json!({"args": ["b", "b", 1, {"k": 1, "j": 2}]});
        let setter = merge(Some(json!(["a", "b", 1.0, 1, "a", {"j": 2, "k": 1}, {"k": 1}])));
        assert_eq!(apply(&setter, "args", &mut obj), Ok(true));
        // 1.0 differs from 1; maps compare regardless of key order; "a" is added once.
        assert_eq!(obj, json!({"args": ["b", "b", 1, {"k": 1, "j": 2}, "a", 1.0, {"k": 1}]}));
    }

    #[test]
    fn set_operations_reject_non_lists() {
        for setter in [merge(Some(json!(["a"]))), prune(json!(["a"]))] {
            let mut obj = json!({"args": {"a": 1}});
            assert_eq!(
                apply(&setter, "args", &mut obj).map_err(|e| e.to_string()),
                Err("map[a:1] is not a list of values, cannot treat it as a set".to_owned())
            );
            let mut obj = json!({"args": null});
            assert_eq!(
                apply(&setter, "args", &mut obj).map_err(|e| e.to_string()),
                Err("<nil> is not a list of values, cannot treat it as a set".to_owned())
            );
            let mut obj = json!({"args": "a b"});
            assert_eq!(apply(&setter, "args", &mut obj), Err(MutateError::NotASet { value: "a b".to_owned() }));
        }
    }

    #[test]
    fn prune_removes_every_equal_element() {
        let mut obj = json!({"args": ["a", "b", "a", 1, 1.0, {"x": [1]}, "c"]});
        assert_eq!(apply(&prune(json!(["a", 1, {"x": [1]}, "zzz"])), "args", &mut obj), Ok(true));
        assert_eq!(obj, json!({"args": ["b", 1.0, "c"]}));
        let mut obj = json!({"args": []});
        assert_eq!(apply(&prune(json!(["a"])), "args", &mut obj), Ok(true));
        assert_eq!(obj, json!({"args": []}));
    }

    #[test]
    fn prune_on_missing_key_still_creates_parents() {
        let mut obj = json!({});
        assert_eq!(apply(&prune(json!(["a"])), "spec.x.y.args", &mut obj), Ok(true));
        assert_eq!(obj, json!({"spec": {"x": {"y": {}}}}));
    }

    #[test]
    fn modify_set_is_not_keyed() {
        let setter = merge(Some(json!([])));
        assert!(!setter.keyed_list_okay());
        let mut obj = json!({"l": []});
        assert_eq!(apply(&setter, "l[name:a]", &mut obj), Err(MutateError::NonKeyedSetter));
        assert_eq!(SetOperation::default(), SetOperation::Merge);
    }

    #[test]
    fn mutate_image_examples() {
        let cases = [
            ("", "", ":latest", "nginx", "nginx:latest"),
            ("a.b", "", "", "", "a.b/"),
            ("", "", "", "", ""),
            ("my.reg:5000", "", "", "nginx:1.2", "my.reg:5000/nginx:1.2"),
            ("my.reg", "", "", "docker.io/library/nginx:1.2", "my.reg/library/nginx:1.2"),
            ("", "new/path", "", "docker.io/library/nginx@sha256:abc", "docker.io/new/path@sha256:abc"),
            ("", "", ":v2", "localhost:5000/app@sha256:abc", "localhost:5000/app:v2"),
            ("", "", ":v2", "localhost/app:v1", "localhost/app:v2"),
            ("", "", ":v2", "library/app:v1", "library/app:v2"),
            ("d.io", "p", ":t", "anything.else/x/y:z", "d.io/p:t"),
            ("", "", ":t", "nginx:1@sha256:abc", "nginx:t"),
        ];
        for (domain, path, tag, old, want) in cases {
            assert_eq!(mutate_image(domain, path, tag, old), want, "{domain} {path} {tag} {old}");
        }
    }

    #[test]
    fn split_helpers() {
        assert_eq!(split_domain("nginx"), ("", "nginx"));
        assert_eq!(split_domain("library/nginx"), ("", "library/nginx"));
        assert_eq!(split_domain("a.b/c/d"), ("a.b", "c/d"));
        assert_eq!(split_domain("host:80/c"), ("host:80", "c"));
        assert_eq!(split_domain("localhost/c"), ("localhost", "c"));
        assert_eq!(split_domain("localhostx/c"), ("", "localhostx/c"));
        assert_eq!(split_domain("a.b/"), ("a.b", ""));
        assert_eq!(split_tag("nginx:1.2"), ("nginx", ":1.2"));
        assert_eq!(split_tag("nginx@sha256:ab"), ("nginx", "@sha256:ab"));
        assert_eq!(split_tag("nginx"), ("nginx", ""));
        assert_eq!(split_tag(":x"), ("", ":x"));
    }

    #[test]
    fn assign_image_setter() {
        let setter = AssignImageSetter { domain: "my.reg".to_owned(), ..Default::default() };
        let mut obj = json!({"spec": {"containers": [{"name": "a", "image": "nginx:1"}, {"name": "b"}]}});
        assert_eq!(apply(&setter, "spec.containers[name:*].image", &mut obj), Ok(true));
        assert_eq!(
            obj,
            json!({"spec": {"containers": [{"name": "a", "image": "my.reg/nginx:1"}, {"name": "b", "image": "my.reg/"}]}})
        );
        let mut obj = json!({"image": 5});
        assert_eq!(
            apply(&setter, "image", &mut obj).map_err(|e| e.to_string()),
            Err("expected value at AssignImage location to be a string, got 5 of type int64".to_owned())
        );
        let mut obj = json!({"image": null});
        assert!(matches!(apply(&setter, "image", &mut obj), Err(MutateError::ImageNotString { .. })));
        assert!(!setter.keyed_list_okay());
        let mut obj = json!({"l": []});
        assert_eq!(apply(&setter, "l[name:a]", &mut obj), Err(MutateError::NonKeyedSetter));
    }

    #[test]
    fn image_parts_need_at_least_one() {
        assert_eq!(
            validate_image_parts("", "", ""),
            Err("at least one of [assignDomain, assignPath, assignTag] must be set".to_owned())
        );
    }

    #[test]
    fn image_domain_rules() {
        for ok in [
            "docker.io",
            "a.b",
            "my-reg.example.com",
            "my_reg.x",
            "reg.io:5000",
            "localhost",
            "localhost:5000",
            "a.b.c.d",
            "1.2.3.4:80",
            "a..b",
            "a.-b",
        ] {
            assert_eq!(validate_image_parts(ok, "", ""), Ok(()), "{ok}");
        }
        for bad in [
            "docker",
            "localhost:",
            "localhost:x",
            "a.b:",
            "a.b:port",
            ".a.b",
            "-a.b",
            "a.b-",
            "a.",
            "a.b/c",
            "a.b/",
            "é.b",
            "a.b:５",
            "LOCALHOST",
            "a.b\n",
            "reg.io:5000:1",
        ] {
            assert!(validate_image_parts(bad, "", "").is_err(), "{bad:?}");
        }
    }

    #[test]
    fn image_path_rules() {
        for ok in ["nginx", "library/nginx", "a.b", "a_b", "a__b", "a-b", "a---b", "a/b/c", "0", "abc/d-e_f.g"] {
            assert_eq!(validate_image_parts("x.io", ok, ""), Ok(()), "{ok}");
        }
        for bad in ["Nginx", "a___b", "a//b", "a._b", "/a", "a/", "a-", "_a", "a:b", "a@b", "a b", "ａ", "a.b."] {
            assert!(validate_image_parts("x.io", bad, "").is_err(), "{bad:?}");
        }
    }

    #[test]
    fn image_tag_rules() {
        let digest = format!("@sha256:{}", "a".repeat(64));
        let long_tag = format!(":{}", "a".repeat(128));
        for ok in
            [":latest", ":v1.2-rc_3", ":_", ":A", &digest, "@sha256+b.c:0123456789abcdefABCDEF0123456789", &long_tag]
        {
            assert_eq!(validate_image_parts("", "", ok), Ok(()), "{ok}");
        }
        let too_long = format!(":{}", "a".repeat(129));
        for bad in [
            "latest",
            ":",
            ":-x",
            ":.x",
            ":a:b",
            ":a@b",
            "@sha256:abc",
            "@sha256:0123456789abcdef0123456789abcdeg",
            "@1sha:0123456789abcdef0123456789abcdef",
            "@sha256-:0123456789abcdef0123456789abcdef",
            &too_long,
            ":é",
        ] {
            assert!(validate_image_parts("", "", bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn domain_must_be_set_when_the_path_starts_like_one() {
        for path in ["a.b/c", "localhost/c", "my-reg:5000/c"] {
            let err = validate_image_parts("", path, "");
            // `my-reg:5000/c` already fails the path pattern; the others reach the domain rule.
            assert!(err.is_err(), "{path}");
        }
        assert_eq!(
            validate_image_parts("", "a.b/c", ""),
            Err("assignDomain must be set if the first part of assignPath \"a.b/c\" can be interpretted as part of a domain"
                .to_owned())
        );
        assert!(validate_image_parts("", "localhost/c", ":t").is_err());
        assert_eq!(validate_image_parts("d.io", "a.b/c", ""), Ok(()));
        assert_eq!(validate_image_parts("", "a.b", ""), Ok(()));
        assert_eq!(validate_image_parts("", "lib/c", ""), Ok(()));
    }
}
