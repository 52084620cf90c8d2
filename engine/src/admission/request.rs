//! The admission request around an object: operation, namespace, user, old object, and what the request's review
//! looks like to a ConstraintTemplate.

use serde_json::{Map, Value, json};

use crate::mutation::mutator::Operation;
use crate::object::{self, Gvk};
use crate::rego;
use crate::template::EnforcementPoint;

/// The admission request around an object.
#[derive(Debug, Clone)]
pub struct Request {
    /// The operation (CREATE by default; `Unspecified` for an offline check like gator's).
    pub operation: Operation,
    /// The request namespace; objects without `metadata.namespace` are created there. `None` for cluster-scoped.
    pub namespace: Option<String>,
    /// `userInfo`.
    pub user_info: Value,
    /// `oldObject` for UPDATE.
    pub old_object: Option<Value>,
    /// The Namespace object, when known (for namespaceSelector and `namespaceObject`).
    pub namespace_object: Option<Value>,
    /// Which enforcement point is judging (for scoped enforcement actions).
    pub enforcement_point: EnforcementPoint,
    /// Whether to run mutation before validation.
    pub mutate: bool,
    /// Whether to run validation.
    pub validate: bool,
    /// The object is shown in part (a docs example that elides with `...`): the object's validation, which would
    /// miss what was left out, is skipped; every other stage judges what is there.
    pub partial: bool,
}

impl Default for Request {
    fn default() -> Self {
        Request {
            operation: Operation::Create,
            namespace: Some("default".to_string()),
            user_info: json!({}),
            old_object: None,
            namespace_object: None,
            enforcement_point: EnforcementPoint::Validation,
            mutate: true,
            validate: true,
            partial: false,
        }
    }
}

impl Request {
    /// The request an `admission.k8s.io` AdmissionReview carries, and the object it judges (the old object of a
    /// DELETE), as gator reads a review: its operation, userInfo, namespace and oldObject; `Ok(None)` for a
    /// document that is not an AdmissionReview.
    pub fn from_admission_review(review: &Value) -> Result<Option<(Request, Value)>, String> {
        let gvk = Gvk::of(review);
        if gvk.group != "admission.k8s.io" || gvk.kind != "AdmissionReview" {
            return Ok(None);
        }
        let req = review.get("request").filter(|r| r.is_object()).ok_or("an AdmissionReview without a request")?;
        let op = req.get("operation").and_then(Value::as_str).unwrap_or("");
        let operation = Operation::parse(op).ok_or_else(|| format!("unknown operation `{op}`"))?;
        let old_object = req.get("oldObject").filter(|o| !o.is_null()).cloned();
        let object = match req.get("object").filter(|o| !o.is_null()) {
            Some(o) if operation != Operation::Delete => o.clone(),
            _ => old_object.clone().ok_or("the request has no object or oldObject")?,
        };
        let request = Request {
            operation,
            namespace: req.get("namespace").and_then(Value::as_str).map(str::to_string),
            user_info: req.get("userInfo").cloned().unwrap_or_else(|| json!({})),
            old_object,
            enforcement_point: EnforcementPoint::Gator,
            ..Request::default()
        };
        Ok(Some((request, object)))
    }

    /// The namespace a request for `object` is in: the object's own, else the request's.
    pub(crate) fn namespace_for(&self, object: &Value) -> Option<String> {
        match object::meta_str(object, "namespace") {
            "" => self.namespace.clone(),
            ns => Some(ns.to_string()),
        }
    }

    /// As the API server does, fill an empty `metadata.namespace` with the request namespace; true if it did.
    pub(crate) fn inject_namespace(&self, obj: &mut Value) -> bool {
        let Some(ns) = self.namespace.as_deref().filter(|n| !n.is_empty()) else { return false };
        if Gvk::of(obj).kind == "Namespace" || !object::meta_str(obj, "namespace").is_empty() {
            return false;
        }
        let Some(map) = obj.as_object_mut() else { return false };
        let meta = map.entry("metadata").or_insert_with(|| json!({}));
        match meta.as_object_mut() {
            Some(m) => {
                m.insert("namespace".to_string(), Value::String(ns.to_string()));
                true
            }
            None => false,
        }
    }

    /// [`Request::review`] as a regorus value, converting `object` once and without copying it first.
    pub fn review_rego(&self, object: &Value) -> regorus::Value {
        let shell = Value::Object(self.review_shell(object));
        let old = self.old_object.as_ref().map_or(regorus::Value::Null, rego::to_rego);
        rego::object_with(&shell, [("object", rego::to_rego(object)), ("oldObject", old)])
    }

    /// `input.review` for `object`: an AdmissionRequest plus `namespaceObject` (§6.3).
    pub fn review(&self, object: &Value) -> Value {
        let mut r = self.review_shell(object);
        r.insert("object".into(), object.clone());
        r.insert("oldObject".into(), self.old_object.clone().unwrap_or(Value::Null));
        Value::Object(r)
    }

    /// CEL's `request`: the AdmissionRequest without its objects.
    pub(crate) fn cel_request(&self, object: &Value) -> Value {
        let mut r = self.review_shell(object);
        r.remove("namespaceObject");
        Value::Object(r)
    }

    /// Every field of the review but `object` and `oldObject`.
    fn review_shell(&self, object: &Value) -> Map<String, Value> {
        let gvk = Gvk::of(object);
        let mut r = Map::new();
        r.insert("uid".into(), json!(""));
        r.insert("kind".into(), json!({"group": gvk.group, "version": gvk.version, "kind": gvk.kind}));
        r.insert("resource".into(), json!({"group": "", "version": "", "resource": ""}));
        let name = object::meta_str(object, "name");
        if !name.is_empty() {
            r.insert("name".into(), json!(name));
        }
        let ns = match object::meta_str(object, "namespace") {
            "" => self.namespace.clone().unwrap_or_default(),
            ns => ns.to_string(),
        };
        if !ns.is_empty() && gvk.kind != "Namespace" {
            r.insert("namespace".into(), json!(ns));
        }
        r.insert("operation".into(), json!(self.operation.as_str()));
        r.insert("userInfo".into(), self.user_info.clone());
        r.insert("options".into(), Value::Null);
        r.insert("namespaceObject".into(), self.namespace_object.clone().unwrap_or_else(|| json!({})));
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_admission_review_gives_its_request_and_the_object_judged() {
        let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}});
        let review = json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {
            "operation": "UPDATE", "namespace": "team", "userInfo": {"username": "alice", "groups": ["dev"]},
            "object": pod, "oldObject": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "labels": {"a": "b"}}}}});
        let (r, object) = Request::from_admission_review(&review).unwrap().unwrap();
        assert_eq!((r.operation, r.namespace.as_deref(), object), (Operation::Update, Some("team"), pod.clone()));
        assert_eq!(r.user_info["username"], "alice");
        assert_eq!(r.old_object.unwrap()["metadata"]["labels"]["a"], "b");
        // A DELETE judges the old object; a review without a request, or of an unknown operation, is an error.
        let delete = json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {"operation": "DELETE", "oldObject": pod}});
        let (r, object) = Request::from_admission_review(&delete).unwrap().unwrap();
        assert_eq!((r.operation, object), (Operation::Delete, pod.clone()));
        let bad = json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {"operation": "PATCH", "object": pod}});
        assert_eq!(Request::from_admission_review(&bad).unwrap_err(), "unknown operation `PATCH`");
        assert!(
            Request::from_admission_review(&json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview"}))
                .is_err()
        );
        assert!(Request::from_admission_review(&pod).unwrap().is_none());
    }
}
