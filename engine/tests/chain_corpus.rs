//! The whole chain over every object of `tests/fixtures/schema-corpus.jsonl` (the project's examples and policy
//! samples and their generated variants, valid and invalid: unknown fields, wrong types, nulls, missing names and
//! templates), in a namespace with a LimitRange, Pod Security at restricted and the XKS PriorityClasses: no object
//! stops admission with an error or a panic, the same object gets the same decision twice, and the object as
//! stored keeps every field admission showed as changed.

use std::path::PathBuf;

use guardrail_engine::admission::ApiServer;
use guardrail_engine::admission::podsecurity::{LevelVersion, Policy};
use guardrail_engine::limits::Limits;
use guardrail_engine::policy::{PolicySet, Request};
use serde_json::{Value, json};

fn corpus() -> Vec<(String, Value)> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/schema-corpus.jsonl");
    let text = std::fs::read_to_string(&path).expect("the corpus is in tests/fixtures");
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: Value = serde_json::from_str(l).expect("one JSON object a line");
            (v["name"].as_str().unwrap_or("").to_string(), v["object"].clone())
        })
        .collect()
}

#[test]
fn every_corpus_object_goes_through_the_chain() {
    let mut set = PolicySet::load(&[], &Limits::default()).expect("an empty set");
    let cluster = vec![
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team",
            "labels": {"pod-security.kubernetes.io/enforce": "restricted"}}}),
        json!({"apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": "default", "namespace": "team"},
            "spec": {"limits": [{"type": "Container", "defaultRequest": {"cpu": "50m", "memory": "32Mi"},
                "default": {"memory": "256Mi"}, "max": {"memory": "4Gi"}}]}}),
        json!({"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass", "metadata": {"name": "tenant-low"},
            "value": 800000, "preemptionPolicy": "Never"}),
    ];
    set.set_cluster(cluster.into_iter().map(|v| ("cluster".to_string(), v)).collect()).expect("cluster");
    let mut api = ApiServer::new("1.37").expect("1.37 is shipped");
    let restricted = LevelVersion::parse("restricted", "latest").expect("level");
    api.pod_security = Policy { warn: restricted, ..Policy::default() };
    set.set_api_server(Some(api));
    let request = Request { namespace: Some("team".into()), ..Request::default() };
    let objects = corpus();
    assert!(objects.len() > 2000, "{}", objects.len());
    let (mut admitted, mut refused) = (0, 0);
    for (name, object) in &objects {
        let first = set.admit(object, &request).unwrap_or_else(|e| panic!("{name}: {e}"));
        let again = set.admit(object, &request).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(first, again, "{name}: the same object, the same decision");
        if first.decided_by.is_some() {
            refused += 1;
        } else {
            admitted += 1;
        }
        // What admission shows as its change is in the object as stored.
        for op in first.patch.iter().filter(|op| op["op"] != "remove") {
            let path = op["path"].as_str().unwrap_or("");
            if !path.starts_with("/metadata/namespace") {
                assert_eq!(first.stored.pointer(path), op.get("value"), "{name}: {path}");
            }
        }
    }
    // Both outcomes occur: the corpus holds invalid variants, and valid objects that restricted refuses.
    assert!(admitted > 100 && refused > 100, "admitted {admitted}, refused {refused}");
}
