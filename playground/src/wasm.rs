//! The JavaScript face of [`Playground`](crate::Playground): strings in, JSON strings out (the page parses them), so
//! no serialisation glue beyond wasm-bindgen is shipped.

use wasm_bindgen::prelude::*;

/// The engine with the site's policy set.
#[wasm_bindgen]
pub struct Playground {
    inner: crate::Playground,
}

#[wasm_bindgen]
impl Playground {
    /// Loads the bundle `guardrail build` wrote (`playground/policies.json`); throws its error as a string.
    #[wasm_bindgen(constructor)]
    pub fn new(bundle_json: &str) -> Result<Playground, JsError> {
        crate::Playground::load(bundle_json).map(|inner| Playground { inner }).map_err(|e| JsError::new(&e.to_string()))
    }

    /// The versions and the policies, as JSON.
    pub fn info(&self) -> String {
        serde_json::to_string(self.inner.info()).unwrap_or_default()
    }

    /// Admits `text` (any number of YAML documents) in `namespace`; the outcome as JSON.
    pub fn admit(&mut self, text: &str, namespace: &str, wrap: &str) -> String {
        serde_json::to_string(&self.inner.admit(text, namespace, wrap)).unwrap_or_default()
    }

    /// Admits `text` with the request the reader set (the JSON of [`crate::RequestIn`]); the outcome as JSON.
    pub fn admit_request(&mut self, text: &str, request_json: &str) -> String {
        let request: crate::RequestIn = serde_json::from_str(request_json).unwrap_or_default();
        serde_json::to_string(&self.inner.admit_request(text, &request)).unwrap_or_default()
    }

    /// The site's policy documents, as JSON.
    pub fn site_documents(&self) -> String {
        serde_json::to_string(&self.inner.site_documents()).unwrap_or_default()
    }

    /// Judges with these policy documents (the JSON of a list of [`crate::PolicyDoc`]); what did not load, and
    /// the set, as JSON.
    pub fn set_policies(&mut self, docs_json: &str) -> Result<String, JsError> {
        let docs: Vec<crate::PolicyDoc> = serde_json::from_str(docs_json).map_err(|e| JsError::new(&e.to_string()))?;
        Ok(serde_json::to_string(&self.inner.set_policies(&docs)).unwrap_or_default())
    }

    /// The first document of `text` as a gator suite: `{"files": [...]}` or `{"error": "..."}`.
    pub fn suite(&mut self, text: &str, request_json: &str) -> String {
        let request: crate::RequestIn = serde_json::from_str(request_json).unwrap_or_default();
        let out = match self.inner.suite(text, &request) {
            Ok(files) => serde_json::json!({ "files": files }),
            Err(e) => serde_json::json!({ "error": e }),
        };
        out.to_string()
    }
}

/// Parses the shipped schemas of Kubernetes `version` (the newest when empty or unknown) now, once, so that the
/// first admission does not wait for them.
#[wasm_bindgen]
pub fn prepare_schemas(version: &str) {
    let known = guardrail_engine::schema::VERSIONS.contains(&version);
    let _ = guardrail_engine::schema::schemas(if known { version } else { guardrail_engine::schema::NEWEST });
}
