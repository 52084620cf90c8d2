//! Admission of a typical two-container Pod against the whole of `policies/`, loaded once.

use std::path::Path;

use guardrail_engine::admission::ApiServer;
use guardrail_engine::limits::Limits;
use guardrail_engine::policy::{PolicySet, PolicyText, Request};
use guardrail_engine::yaml::{self, Schema};

// The same allocator as the guardrail binary.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    // `cargo bench --bench admission` (divan passes `--bench`): the chain's stages first, then divan's table.
    if std::env::args().any(|a| a == "--bench") {
        print_stage_times();
    }
    divan::main();
}

/// The median time of each stage of the chain, for the two-container Pod and for the Deployment (its ReplicaSet's
/// and Pod's stages included), over 2,000 admissions each.
fn print_stage_times() {
    let pod = yaml::load_documents(POD, Schema::Kubernetes, &Limits::default()).expect("pod")[0].value.clone();
    let deployment = deployment_of(&pod);
    let mut set = chain_set();
    for (what, object) in [("two-container Pod", &pod), ("Deployment (with its ReplicaSet and Pod)", &deployment)] {
        set.time_stages(true);
        let mut per: Vec<(&'static str, Vec<std::time::Duration>)> = Vec::new();
        for _ in 0..2000 {
            set.admit(object, &in_tenant()).expect("admits");
            let mut sums: Vec<(&'static str, std::time::Duration)> = Vec::new();
            for (stage, took) in set.take_stage_times() {
                match sums.iter_mut().find(|(s, _)| *s == stage) {
                    Some((_, t)) => *t += took,
                    None => sums.push((stage, took)),
                }
            }
            for (stage, took) in sums {
                match per.iter_mut().find(|(s, _)| *s == stage) {
                    Some((_, all)) => all.push(took),
                    None => per.push((stage, vec![took])),
                }
            }
        }
        set.time_stages(false);
        println!("chain stages, {what} (median of 2,000 admissions; a stage run several times is summed):");
        let mut total = std::time::Duration::ZERO;
        for (stage, mut all) in per {
            all.sort();
            let median = all[all.len() / 2];
            total += median;
            println!("  {stage:<40} {:>9.2} µs", median.as_secs_f64() * 1e6);
        }
        println!("  {:<40} {:>9.2} µs", "sum of the medians", total.as_secs_f64() * 1e6);
    }
}

fn deployment_of(pod: &serde_json::Value) -> serde_json::Value {
    serde_json::json!({
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
        "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": pod["metadata"], "spec": pod["spec"]}},
    })
}

fn policy_set() -> PolicySet {
    guardrail_site::policies::load(&[Path::new(env!("CARGO_MANIFEST_DIR")).join("policies")])
        .expect("the project's policies load")
        .set
}

/// A typical two-container Pod (shared with benches/playground.rs).
const POD: &str = include_str!("support/pod.yaml");

#[divan::bench]
fn admit_two_container_pod(bencher: divan::Bencher<'_, '_>) {
    let mut set = policy_set();
    let pod = yaml::load_documents(POD, Schema::Kubernetes, &Limits::default()).expect("pod")[0].value.clone();
    let request = Request::default();
    assert!(set.admit(&pod, &request).expect("admits").violations.is_empty());
    bencher.bench_local(|| set.admit(divan::black_box(&pod), &request).expect("admits"));
}

/// The same Pod as the template of a Deployment: the Deployment, the ReplicaSet its controller creates and the
/// Pod that ReplicaSet creates are each admitted.
#[divan::bench]
fn admit_two_container_deployment(bencher: divan::Bencher<'_, '_>) {
    let mut set = policy_set();
    let pod = yaml::load_documents(POD, Schema::Kubernetes, &Limits::default()).expect("pod")[0].value.clone();
    let deployment = deployment_of(&pod);
    let request = Request::default();
    let d = set.admit(&deployment, &request).expect("admits");
    assert!(d.rejected_child().is_none() && d.children[0].decision.children.len() == 1);
    bencher.bench_local(|| set.admit(divan::black_box(&deployment), &request).expect("admits"));
}

/// `policies/` with its cluster state (the tenant namespace and its LimitRange, the PriorityClasses) and the API
/// server of Kubernetes 1.37 in front of Gatekeeper, as the docs check runs it.
fn chain_set() -> PolicySet {
    let loaded = guardrail_site::policies::load(&[Path::new(env!("CARGO_MANIFEST_DIR")).join("policies")])
        .expect("the project's policies load");
    let mut set = loaded.set;
    set.set_cluster(loaded.sources.cluster).expect("cluster state");
    set.set_api_server(ApiServer::new("1.37"));
    set
}

fn in_tenant() -> Request {
    Request { namespace: Some("tenant".into()), ..Request::default() }
}

/// The Pod through every stage of the chain: decoding, defaulting, LimitRanger, ServiceAccount, Priority,
/// DefaultTolerationSeconds, Gatekeeper's mutation, the object's validation, LimitRanger's limits, Pod Security,
/// Gatekeeper's constraints (compare with `admit_two_container_pod`, Gatekeeper alone).
#[divan::bench]
fn chain_two_container_pod(bencher: divan::Bencher<'_, '_>) {
    let mut set = chain_set();
    let pod = yaml::load_documents(POD, Schema::Kubernetes, &Limits::default()).expect("pod")[0].value.clone();
    let request = in_tenant();
    let d = set.admit(&pod, &request).expect("admits");
    assert!(d.violations.is_empty() && d.mutators.contains(&"LimitRanger".to_string()), "{:?}", d.mutators);
    bencher.bench_local(|| set.admit(divan::black_box(&pod), &request).expect("admits"));
}

/// The Deployment, its ReplicaSet and its Pod through every stage of the chain.
#[divan::bench]
fn chain_two_container_deployment(bencher: divan::Bencher<'_, '_>) {
    let mut set = chain_set();
    let pod = yaml::load_documents(POD, Schema::Kubernetes, &Limits::default()).expect("pod")[0].value.clone();
    let deployment = deployment_of(&pod);
    let request = in_tenant();
    let d = set.admit(&deployment, &request).expect("admits");
    assert!(d.rejected_child().is_none() && d.children[0].decision.children.len() == 1);
    bencher.bench_local(|| set.admit(divan::black_box(&deployment), &request).expect("admits"));
}

/// The API server's stages alone (no policies): what the chain adds to Gatekeeper's time.
#[divan::bench]
fn chain_api_server_stages_only(bencher: divan::Bencher<'_, '_>) {
    let loaded = guardrail_site::policies::load(&[Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/cluster")])
        .expect("the cluster state loads");
    let mut set = loaded.set;
    set.set_cluster(loaded.sources.cluster).expect("cluster state");
    set.set_api_server(ApiServer::new("1.37"));
    let pod = yaml::load_documents(POD, Schema::Kubernetes, &Limits::default()).expect("pod")[0].value.clone();
    let request = in_tenant();
    bencher.bench_local(|| set.admit(divan::black_box(&pod), &request).expect("admits"));
}

/// Stage by stage: the defaulting of the Pod.
#[divan::bench]
fn stage_defaulting(bencher: divan::Bencher<'_, '_>) {
    let pod = yaml::load_documents(POD, Schema::Kubernetes, &Limits::default()).expect("pod")[0].value.clone();
    bencher
        .with_inputs(|| pod.clone())
        .bench_local_values(|mut p| guardrail_engine::admission::defaults::apply(&mut p, 37));
}

/// Stage by stage: Pod Security at restricted:latest.
#[divan::bench]
fn stage_pod_security_restricted(bencher: divan::Bencher<'_, '_>) {
    use guardrail_engine::admission::podsecurity::{LevelVersion, Policy, evaluate};
    let pod = yaml::load_documents(POD, Schema::Kubernetes, &Limits::default()).expect("pod")[0].value.clone();
    let level = LevelVersion::parse("restricted", "latest").expect("level");
    let policy = Policy { enforce: level, warn: level, audit: level };
    bencher.bench_local(|| evaluate(divan::black_box(&pod), &policy, 37, None));
}

#[divan::bench]
fn load_policies() -> PolicySet {
    policy_set()
}

#[divan::bench]
fn mutate_only(bencher: divan::Bencher<'_, '_>) {
    let set = policy_set();
    let pod = yaml::load_documents(POD, Schema::Kubernetes, &Limits::default()).expect("pod")[0].value.clone();
    let req = guardrail_engine::mutation::mutator::MutationRequest {
        operation: guardrail_engine::mutation::mutator::Operation::Create,
        namespace: None,
        source: guardrail_engine::matching::Source::Original,
    };
    let mut namespaced = pod.clone();
    namespaced["metadata"]["namespace"] = "default".into();
    bencher.bench_local(|| {
        let mut p = namespaced.clone();
        set.mutation().mutate(&mut p, &req).expect("mutates")
    });
}

#[divan::bench]
fn validate_only(bencher: divan::Bencher<'_, '_>) {
    let mut set = policy_set();
    let pod = yaml::load_documents(POD, Schema::Kubernetes, &Limits::default()).expect("pod")[0].value.clone();
    let admitted = set.admit(&pod, &Request::default()).expect("admits").object;
    bencher.bench_local(|| set.validate(divan::black_box(&admitted), &Request::default()));
}

const RULES: &[&str] = &[
    "allow-privilege-escalation",
    "capabilities",
    "host-namespaces",
    "host-network",
    "privileged-containers",
    "proc-mount",
    "read-only-root-filesystem",
    "volume-types",
];

#[divan::bench(args = RULES)]
fn validate_one_template(bencher: divan::Bencher<'_, '_>, rule: &str) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies").join(rule);
    let files: Vec<(String, String)> = ["template.yaml", "constraint.yaml"]
        .iter()
        .map(|f| (f.to_string(), std::fs::read_to_string(dir.join(f)).expect("readable")))
        .collect();
    let texts: Vec<PolicyText<'_>> = files.iter().map(|(n, t)| PolicyText { name: n, text: t }).collect();
    let mut set = PolicySet::load(&texts, &Limits::default()).expect("loads");
    let mut full = policy_set();
    let pod = yaml::load_documents(POD, Schema::Kubernetes, &Limits::default()).expect("pod")[0].value.clone();
    let admitted = full.admit(&pod, &Request::default()).expect("admits").object;
    bencher.bench_local(|| set.validate(divan::black_box(&admitted), &Request::default()));
}

/// What Gatekeeper's stage does once per admission before any template: the review (with the admitted Pod)
/// converted to regorus' values.
#[divan::bench]
fn review_conversion(bencher: divan::Bencher<'_, '_>) {
    let mut full = policy_set();
    let pod = yaml::load_documents(POD, Schema::Kubernetes, &Limits::default()).expect("pod")[0].value.clone();
    let admitted = full.admit(&pod, &Request::default()).expect("admits").object;
    let request = Request::default();
    bencher.bench_local(|| request.review_rego(divan::black_box(&admitted)));
}

#[divan::bench]
fn rego_trivial_template(bencher: divan::Bencher<'_, '_>) {
    use guardrail_engine::rego::{CompiledRego, RegoSource, to_rego};
    let src = RegoSource {
        rego: "package t\nviolation[{\"msg\": \"x\"}] { input.review.object.nope }".into(),
        ..Default::default()
    };
    let mut c = CompiledRego::compile(&src, &Limits::default()).expect("compiles");
    let pod = yaml::load_documents(POD, Schema::Kubernetes, &Limits::default()).expect("pod")[0].value.clone();
    let review = to_rego(&Request::default().review(&pod));
    let params = to_rego(&serde_json::json!({}));
    bencher.bench_local(|| c.violations(&review, &params).expect("evaluates"));
}

/// The API server's strict decoding of the same Pod (the schemas parsed once, before): what decoding adds to one
/// admission.
#[divan::bench]
fn decode_two_container_pod(bencher: divan::Bencher<'_, '_>) {
    use guardrail_engine::schema::{Check, CustomSchemas, NEWEST, schemas};
    let api = schemas(NEWEST).expect("shipped");
    let custom = CustomSchemas::default();
    let pod = yaml::load_documents(POD, Schema::Kubernetes, &Limits::default()).expect("pod")[0].value.clone();
    assert_eq!(api.decode(&custom, &pod), Check::Checked(Vec::new()));
    bencher.bench_local(|| api.decode(&custom, divan::black_box(&pod)));
}

/// Reading the shipped (compiled) schemas of one Kubernetes version: done once per process, on first use.
#[divan::bench]
fn load_kubernetes_schemas() -> usize {
    let bytes = include_bytes!("../engine/schemas/kubernetes-v1.37.bin");
    guardrail_engine::schema::Schemas::from_compiled("1.37", bytes)
        .expect("compiled")
        .fields("io.k8s.api.core.v1.Container")
        .len()
}

/// Compiling them from the JSON definitions instead (what the shipped form saves).
#[divan::bench]
fn compile_kubernetes_schemas_from_json() -> usize {
    let text = include_str!("../engine/schemas/kubernetes-v1.37.json");
    guardrail_engine::schema::Schemas::parse_text("1.37", text).fields("io.k8s.api.core.v1.Container").len()
}
