//! Fragment wrapping on arbitrary YAML: reading, inference, placement and the shown part never panic, and a
//! placed fragment is found where the placement says.
#![no_main]

use guardrail_engine::fragment as examples;
use guardrail_engine::yaml::{Schema, load_documents};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let Ok(docs) = load_documents(text, Schema::Kubernetes, &Default::default()) else { return };
    for doc in docs {
        let Ok(wrap) = examples::infer_wrap(&doc.value) else { continue };
        let placed = examples::place(&doc.value, wrap);
        assert!(placed.object.pointer(&placed.at).is_some(), "{text:?}");
        let _ = examples::shown(&placed, &placed.object, &doc.value);
    }
});
