//! JSON Patch (RFC 6902) between two values: what the webhook returns for a mutation.

use serde_json::{Value, json};

/// Appends `/key` to a JSON pointer, escaped as RFC 6901 says.
fn push_key(path: &mut String, key: &str) {
    path.push('/');
    path.push_str(&crate::object::escape_key(key));
}

/// The operations that turn `from` into `to`: `add`/`remove`/`replace`, lists compared by position.
pub fn diff(from: &Value, to: &Value) -> Vec<Value> {
    let mut ops = Vec::new();
    walk(from, to, &mut String::new(), &mut ops);
    ops
}

/// Each node is visited once: mappings and lists are compared by walking them (an equality test first would
/// compare every subtree again at every level above it), the path is one buffer, and a path is made into a string
/// only for an operation.
fn walk(from: &Value, to: &Value, path: &mut String, ops: &mut Vec<Value>) {
    match (from, to) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, va) in a {
                let len = path.len();
                push_key(path, k);
                match b.get(k) {
                    Some(vb) => walk(va, vb, path, ops),
                    None => ops.push(json!({"op": "remove", "path": path.as_str()})),
                }
                path.truncate(len);
            }
            for (k, vb) in b {
                if !a.contains_key(k) {
                    let len = path.len();
                    push_key(path, k);
                    ops.push(json!({"op": "add", "path": path.as_str(), "value": vb}));
                    path.truncate(len);
                }
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            let common = a.len().min(b.len());
            let len = path.len();
            for i in 0..common {
                path.push_str(&format!("/{i}"));
                walk(&a[i], &b[i], path, ops);
                path.truncate(len);
            }
            for (i, v) in b.iter().enumerate().skip(common) {
                ops.push(json!({"op": "add", "path": format!("{path}/{i}"), "value": v}));
            }
            // Remove from the end so that indexes stay valid while the patch is applied.
            for i in (common..a.len()).rev() {
                ops.push(json!({"op": "remove", "path": format!("{path}/{i}")}));
            }
        }
        _ if from == to => {}
        _ => ops.push(json!({"op": "replace", "path": path.as_str(), "value": to})),
    }
}

/// Applies a patch made by [`diff`]; used to check that patches round-trip.
pub fn apply(doc: &mut Value, patch: &[Value]) -> Result<(), String> {
    for op in patch {
        let path = op.get("path").and_then(Value::as_str).ok_or("patch operation without a path")?;
        let kind = op.get("op").and_then(Value::as_str).ok_or("patch operation without an op")?;
        if path.is_empty() {
            *doc = op.get("value").cloned().unwrap_or(Value::Null);
            continue;
        }
        let (parent, last) = path.rsplit_once('/').ok_or("bad path")?;
        let last = crate::object::unescape_key(last).into_owned();
        let target = doc.pointer_mut(parent).ok_or_else(|| format!("no parent for {path}"))?;
        let value = op.get("value").cloned().unwrap_or(Value::Null);
        match (target, kind) {
            (Value::Object(m), "add" | "replace") => {
                m.insert(last, value);
            }
            (Value::Object(m), "remove") => {
                m.shift_remove(&last);
            }
            (Value::Array(a), op) => {
                let i: usize = last.parse().map_err(|_| format!("bad index in {path}"))?;
                match op {
                    "add" if i <= a.len() => a.insert(i, value),
                    "replace" if i < a.len() => a[i] = value,
                    "remove" if i < a.len() => {
                        a.remove(i);
                    }
                    _ => return Err(format!("cannot {op} at {path}")),
                }
            }
            _ => return Err(format!("cannot {kind} at {path}")),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patches_round_trip() {
        let cases = [
            (json!({"a": 1, "b": {"c": [1, 2, 3]}}), json!({"a": 2, "b": {"c": [1, 5]}, "d/e": "~"})),
            (
                json!({"spec": {"containers": [{"name": "a"}]}}),
                json!({"spec": {"containers": [{"name": "a", "securityContext": {"x": true}}, {"name": "b"}]}}),
            ),
            (json!([1, 2]), json!({"x": 1})),
            (json!({"a": null}), json!({})),
        ];
        for (from, to) in cases {
            let p = diff(&from, &to);
            let mut doc = from.clone();
            apply(&mut doc, &p).unwrap();
            assert_eq!(doc, to, "{p:?}");
        }
    }

    #[test]
    fn an_added_field_is_one_add() {
        let p = diff(&json!({"spec": {}}), &json!({"spec": {"x": {"y": 1}}}));
        assert_eq!(p, [json!({"op": "add", "path": "/spec/x", "value": {"y": 1}})]);
        assert!(diff(&json!({"a": 1}), &json!({"a": 1})).is_empty());
        assert_eq!(diff(&json!({"a": 1}), &json!({"a": 1.0})).len(), 1);
    }
}
