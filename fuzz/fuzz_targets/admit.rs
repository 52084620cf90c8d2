//! The whole admission path on arbitrary YAML against the project's policies: never panics, and a decision's
//! patch always turns the input into the admitted object.
#![no_main]

use std::sync::{Mutex, OnceLock};

use guardrail_engine::policy::{PolicySet, Request};
use guardrail_engine::yaml::{Schema, load_documents};
use libfuzzer_sys::fuzz_target;

fn policies() -> &'static Mutex<PolicySet> {
    static SET: OnceLock<Mutex<PolicySet>> = OnceLock::new();
    SET.get_or_init(|| {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../policies");
        Mutex::new(guardrail_site::policies::load(&[root]).expect("the project's policies load").set)
    })
}

fuzz_target!(|text: &str| {
    let Ok(docs) = load_documents(text, Schema::Kubernetes, &Default::default()) else { return };
    let mut set = policies().lock().expect("not poisoned");
    for doc in docs {
        if let Ok(d) = set.admit(&doc.value, &Request::default()) {
            let mut patched = doc.value.clone();
            guardrail_engine::patch::apply(&mut patched, &d.patch).expect("the patch applies");
            assert_eq!(patched, d.object, "{text:?}");
        }
    }
});
