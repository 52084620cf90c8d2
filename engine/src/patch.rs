//! JSON Patch (RFC 6902) between two values: what the webhook returns for a mutation.

use serde_json::Value;

/// Appends `/key` to a JSON pointer, escaped as RFC 6901 says.
fn push_key(path: &mut String, key: &str) {
    path.push('/');
    path.push_str(&crate::object::escape_key(key));
}

/// One operation, its value cloned in (`json!` would copy it through serde, many times slower for a subtree).
fn op(op: &str, path: &str, value: Option<&Value>) -> Value {
    let mut m = serde_json::Map::new();
    m.insert("op".into(), Value::from(op));
    m.insert("path".into(), Value::from(path));
    if let Some(v) = value {
        m.insert("value".into(), v.clone());
    }
    Value::Object(m)
}

/// The operations that turn `from` into `to`: `add`/`remove`/`replace`, lists compared by position.
pub fn diff(from: &Value, to: &Value) -> Vec<Value> {
    let mut ops = Vec::new();
    walk(from, to, &mut String::new(), &mut |kind, path, value| ops.push(op(kind, path, value)));
    ops
}

/// The paths [`diff`] would name, in its order, without making its operations (no value is copied).
pub fn changed_paths(from: &Value, to: &Value) -> Vec<String> {
    let mut paths = Vec::new();
    walk(from, to, &mut String::new(), &mut |_, path, _| paths.push(path.to_string()));
    paths
}

/// Each node is visited once: mappings and lists are compared by walking them (an equality test first would
/// compare every subtree again at every level above it), the path is one buffer, and each difference is handed to
/// `found` as (operation, path, value to write).
fn walk(from: &Value, to: &Value, path: &mut String, found: &mut impl FnMut(&str, &str, Option<&Value>)) {
    use std::fmt::Write as _;
    match (from, to) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, va) in a {
                let len = path.len();
                push_key(path, k);
                match b.get(k) {
                    Some(vb) => walk(va, vb, path, found),
                    None => found("remove", path, None),
                }
                path.truncate(len);
            }
            for (k, vb) in b {
                if !a.contains_key(k) {
                    let len = path.len();
                    push_key(path, k);
                    found("add", path, Some(vb));
                    path.truncate(len);
                }
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            let common = a.len().min(b.len());
            let len = path.len();
            for i in 0..common {
                let _ = write!(path, "/{i}");
                walk(&a[i], &b[i], path, found);
                path.truncate(len);
            }
            for (i, v) in b.iter().enumerate().skip(common) {
                let _ = write!(path, "/{i}");
                found("add", path, Some(v));
                path.truncate(len);
            }
            // Remove from the end so that indexes stay valid while the patch is applied.
            for i in (common..a.len()).rev() {
                let _ = write!(path, "/{i}");
                found("remove", path, None);
                path.truncate(len);
            }
        }
        _ if from == to => {}
        _ => found("replace", path, Some(to)),
    }
}

/// Why a JSON Patch does not apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PatchError {
    /// A `test` operation found another value (RFC 6902: the patch is not applied; not an error of the patch).
    TestFailed,
    /// The patch is wrong for this document: a missing path, a bad index, an unknown operation.
    Invalid(String),
}

fn pointer_parts(path: &str) -> Result<Vec<String>, PatchError> {
    if path.is_empty() {
        return Ok(Vec::new());
    }
    let Some(rest) = path.strip_prefix('/') else {
        return Err(PatchError::Invalid(format!("path `{path}` does not start with /")));
    };
    Ok(rest.split('/').map(|p| crate::object::unescape_key(p).into_owned()).collect())
}

fn get_mut<'v>(doc: &'v mut Value, parts: &[String], path: &str) -> Result<&'v mut Value, PatchError> {
    let mut cur = doc;
    for p in parts {
        cur = match cur {
            Value::Object(m) => m.get_mut(p),
            Value::Array(a) => p.parse::<usize>().ok().and_then(move |i| a.get_mut(i)),
            _ => None,
        }
        .ok_or_else(|| PatchError::Invalid(format!("doc is missing path: {path}")))?;
    }
    Ok(cur)
}

fn remove(doc: &mut Value, path: &str) -> Result<Value, PatchError> {
    let parts = pointer_parts(path)?;
    let Some((last, parent)) = parts.split_last() else {
        return Err(PatchError::Invalid("cannot remove the whole document".into()));
    };
    match get_mut(doc, parent, path)? {
        Value::Object(m) => {
            m.shift_remove(last).ok_or_else(|| PatchError::Invalid(format!("doc is missing path: {path}")))
        }
        Value::Array(a) => match last.parse::<usize>() {
            Ok(i) if i < a.len() => Ok(a.remove(i)),
            _ => Err(PatchError::Invalid(format!("index out of range: {path}"))),
        },
        _ => Err(PatchError::Invalid(format!("doc is missing path: {path}"))),
    }
}

fn add(doc: &mut Value, path: &str, value: Value) -> Result<(), PatchError> {
    let parts = pointer_parts(path)?;
    let Some((last, parent)) = parts.split_last() else {
        *doc = value;
        return Ok(());
    };
    match get_mut(doc, parent, path)? {
        Value::Object(m) => {
            m.insert(last.clone(), value);
            Ok(())
        }
        Value::Array(a) => {
            let i = if last == "-" {
                a.len()
            } else {
                last.parse::<usize>().map_err(|_| PatchError::Invalid(format!("bad index in {path}")))?
            };
            if i > a.len() {
                return Err(PatchError::Invalid(format!("index out of range: {path}")));
            }
            a.insert(i, value);
            Ok(())
        }
        _ => Err(PatchError::Invalid(format!("doc is missing path: {path}"))),
    }
}

/// Applies an RFC 6902 JSON Patch (add, remove, replace, move, copy, test): a MutatingAdmissionPolicy's, and the
/// patches [`diff`] makes.
pub fn apply(doc: &mut Value, ops: &[Value]) -> Result<(), PatchError> {
    for op in ops {
        let field = |k: &str| op.get(k).and_then(Value::as_str);
        let path = field("path").ok_or_else(|| PatchError::Invalid("operation without a path".into()))?;
        let value = || op.get("value").cloned().ok_or_else(|| PatchError::Invalid(format!("missing value for {path}")));
        match field("op").unwrap_or("") {
            "add" => add(doc, path, value()?)?,
            "remove" => {
                remove(doc, path)?;
            }
            "replace" => {
                let v = value()?;
                *get_mut(doc, &pointer_parts(path)?, path)? = v;
            }
            "move" | "copy" => {
                let from = field("from").ok_or_else(|| PatchError::Invalid(format!("missing from for {path}")))?;
                let v = if field("op") == Some("move") {
                    remove(doc, from)?
                } else {
                    get_mut(doc, &pointer_parts(from)?, from)?.clone()
                };
                add(doc, path, v)?;
            }
            "test" => {
                let want = value()?;
                if get_mut(doc, &pointer_parts(path)?, path).ok().map(|v| &*v) != Some(&want) {
                    return Err(PatchError::TestFailed);
                }
            }
            other => return Err(PatchError::Invalid(format!("unexpected operation `{other}`"))),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
            let paths: Vec<&str> = p.iter().filter_map(|op| op["path"].as_str()).collect();
            assert_eq!(changed_paths(&from, &to), paths, "the paths of the patch, in its order");
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
