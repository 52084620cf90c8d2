//! A JSON Schema (draft-04) validator for what the SARIF 2.1.0 schema uses: `$ref` to `#/definitions/...`,
//! `type`, `properties`, `required`, `additionalProperties`, `items`, `enum`, `minItems`, `uniqueItems`,
//! `minimum`, `maximum`, `pattern`, `anyOf`, `oneOf`, `format` (`uri`, `uri-reference`, `date-time`). Written
//! for the tests: no validator crate is in the tree, and this is the subset the schema needs.

use serde_json::Value;

/// Every way `instance` breaks `schema`, as `<JSON pointer>: <why>`; empty when it conforms.
pub fn validate(schema: &Value, instance: &Value) -> Vec<String> {
    let mut errors = Vec::new();
    check(schema, schema, instance, "", &mut errors);
    errors
}

fn resolve<'a>(root: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => r.strip_prefix('#').and_then(|p| root.pointer(p)).unwrap_or(&Value::Null),
        None => schema,
    }
}

fn type_ok(t: &str, v: &Value) -> bool {
    match t {
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "boolean" => v.is_boolean(),
        "null" => v.is_null(),
        "integer" => v.as_i64().is_some() || v.as_u64().is_some() || v.as_f64().is_some_and(|f| f.fract() == 0.0),
        "number" => v.is_number(),
        _ => false,
    }
}

fn check(root: &Value, schema: &Value, v: &Value, at: &str, errors: &mut Vec<String>) {
    let schema = resolve(root, schema);
    let Some(s) = schema.as_object() else { return };
    if let Some(t) = s.get("type") {
        let ok = match t {
            Value::String(t) => type_ok(t, v),
            Value::Array(ts) => ts.iter().filter_map(Value::as_str).any(|t| type_ok(t, v)),
            _ => true,
        };
        if !ok {
            errors.push(format!("{at}: is not of type {t}"));
            return;
        }
    }
    if let Some(options) = s.get("enum").and_then(Value::as_array) {
        if !options.contains(v) {
            errors.push(format!("{at}: {v} is not one of {}", Value::Array(options.clone())));
        }
    }
    if let (Some(min), Some(n)) = (s.get("minimum").and_then(Value::as_f64), v.as_f64()) {
        if n < min {
            errors.push(format!("{at}: {n} is below the minimum {min}"));
        }
    }
    if let (Some(max), Some(n)) = (s.get("maximum").and_then(Value::as_f64), v.as_f64()) {
        if n > max {
            errors.push(format!("{at}: {n} is above the maximum {max}"));
        }
    }
    if let (Some(p), Some(text)) = (s.get("pattern").and_then(Value::as_str), v.as_str()) {
        match regex::Regex::new(p) {
            Ok(re) if !re.is_match(text) => errors.push(format!("{at}: `{text}` does not match /{p}/")),
            Ok(_) => {}
            Err(e) => errors.push(format!("{at}: the schema's pattern /{p}/ does not compile: {e}")),
        }
    }
    if let (Some(f), Some(text)) = (s.get("format").and_then(Value::as_str), v.as_str()) {
        let ok = match f {
            "uri" => text.split_once(':').is_some_and(|(scheme, _)| {
                !scheme.is_empty() && scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
            }),
            "uri-reference" => !text.contains(' '),
            "date-time" => text.len() >= 20 && text.as_bytes().get(10) == Some(&b'T'),
            _ => true,
        };
        if !ok {
            errors.push(format!("{at}: `{text}` is not a {f}"));
        }
    }
    if let Some(list) = s.get("anyOf").and_then(Value::as_array) {
        if !list.iter().any(|sub| validate_at(root, sub, v, at).is_empty()) {
            errors.push(format!("{at}: matches none of anyOf"));
        }
    }
    if let Some(list) = s.get("oneOf").and_then(Value::as_array) {
        let n = list.iter().filter(|sub| validate_at(root, sub, v, at).is_empty()).count();
        if n != 1 {
            errors.push(format!("{at}: matches {n} of oneOf, not exactly one"));
        }
    }
    if let Some(items) = v.as_array() {
        if let Some(min) = s.get("minItems").and_then(Value::as_u64) {
            if (items.len() as u64) < min {
                errors.push(format!("{at}: has {} items, fewer than {min}", items.len()));
            }
        }
        if s.get("uniqueItems") == Some(&Value::Bool(true)) {
            for (i, a) in items.iter().enumerate() {
                if items[..i].contains(a) {
                    errors.push(format!("{at}/{i}: repeats an earlier item"));
                }
            }
        }
        if let Some(item_schema) = s.get("items") {
            for (i, item) in items.iter().enumerate() {
                check(root, item_schema, item, &format!("{at}/{i}"), errors);
            }
        }
    }
    if let Some(obj) = v.as_object() {
        for key in s.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str) {
            if !obj.contains_key(key) {
                errors.push(format!("{at}: misses the required `{key}`"));
            }
        }
        let props = s.get("properties").and_then(Value::as_object);
        for (k, x) in obj {
            match props.and_then(|p| p.get(k)) {
                Some(sub) => check(root, sub, x, &format!("{at}/{k}"), errors),
                None => match s.get("additionalProperties") {
                    Some(Value::Bool(false)) => errors.push(format!("{at}: `{k}` is not a property it allows")),
                    Some(sub @ Value::Object(_)) => check(root, sub, x, &format!("{at}/{k}"), errors),
                    _ => {}
                },
            }
        }
    }
}

fn validate_at(root: &Value, schema: &Value, v: &Value, at: &str) -> Vec<String> {
    let mut errors = Vec::new();
    check(root, schema, v, at, &mut errors);
    errors
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_keywords_it_knows() {
        let schema = json!({
            "type": "object",
            "required": ["version", "runs"],
            "additionalProperties": false,
            "properties": {
                "version": {"enum": ["2.1.0"]},
                "runs": {"type": "array", "minItems": 1, "items": {"$ref": "#/definitions/run"}},
                "uri": {"type": "string", "format": "uri"},
                "id": {"type": "string", "pattern": "^[a-z]+$"}
            },
            "definitions": {"run": {"type": "object", "properties": {"n": {"type": "integer", "minimum": 0}}}}
        });
        assert!(
            validate(&schema, &json!({"version": "2.1.0", "runs": [{"n": 1}], "uri": "https://x", "id": "ab"}))
                .is_empty()
        );
        let errors = validate(
            &schema,
            &json!({"version": "2.0", "runs": [{"n": -1}, {"n": "x"}], "extra": 1, "uri": "nope", "id": "A"}),
        );
        assert_eq!(errors.len(), 6, "{errors:?}");
        assert_eq!(validate(&schema, &json!({"runs": []})).len(), 2);
    }
}
