//! The whole admission path on arbitrary YAML against the project's policies: never panics, and a decision's
//! patch always turns the input into the admitted object.
#![no_main]

use std::sync::{Mutex, OnceLock};

use guardrail_engine::policy::{PolicySet, PolicyText, Request};
use guardrail_engine::yaml::{Schema, load_documents};
use libfuzzer_sys::fuzz_target;

fn policies() -> &'static Mutex<PolicySet> {
    static SET: OnceLock<Mutex<PolicySet>> = OnceLock::new();
    SET.get_or_init(|| {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../policies");
        let mut files = Vec::new();
        let mut stack = vec![root];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).expect("policies") {
                let p = e.expect("entry").path();
                if p.is_dir() && !p.ends_with("samples") {
                    stack.push(p);
                } else if p.extension().is_some_and(|x| x == "yaml") {
                    files.push((p.display().to_string(), std::fs::read_to_string(&p).expect("readable")));
                }
            }
        }
        let texts: Vec<PolicyText<'_>> = files.iter().map(|(n, t)| PolicyText { name: n, text: t }).collect();
        Mutex::new(PolicySet::load(&texts, &Default::default()).expect("the project's policies load"))
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
