//! The chain as a whole: each stage in its place, the order between them, and what a decision records.

use serde_json::{Value, json};

use super::{ApiServer, Stage};
use crate::limits::Limits;
use crate::policy::{PolicySet, PolicyText, Request, Verdict};

pub(super) fn set(policies: &str, cluster: &[Value]) -> PolicySet {
    let mut s = PolicySet::load(&[PolicyText { name: "p.yaml", text: policies }], &Limits::default()).expect("loads");
    s.set_cluster(cluster.iter().map(|v| ("cluster.yaml".to_string(), v.clone())).collect()).expect("cluster");
    s.set_api_server(ApiServer::new("1.37"));
    s
}

fn pod(spec: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"}, "spec": spec})
}

pub(super) fn namespace(name: &str, labels: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}})
}

pub(super) fn in_ns(ns: &str) -> Request {
    Request { namespace: Some(ns.to_string()), ..Request::default() }
}

const SIDECAR: &str = r#"
apiVersion: mutations.gatekeeper.sh/v1
kind: Assign
metadata: {name: sidecar}
spec:
  applyTo: [{groups: [""], versions: [v1], kinds: [Pod]}]
  location: "spec.containers[name:sidecar].image"
  parameters:
    assign: {value: "envoy:1.30"}
"#;

#[test]
fn required_fields_are_validated_after_mutation() {
    // No containers: decoding lets it through, a mutator adds one, and the object's validation finds it whole.
    let mut s = set(SIDECAR, &[]);
    let d = s.admit(&pod(json!({})), &Request::default()).unwrap();
    assert_eq!((d.verdict, d.decided_by), (Verdict::Admitted, None), "{:?}", d.violations);
    assert_eq!(d.object["spec"]["containers"], json!([{"name": "sidecar", "image": "envoy:1.30"}]));
    // What the mutator added is defaulted as the API server decodes the webhook's patch, apart from what is shown.
    assert_eq!(d.stored["spec"]["containers"][0]["imagePullPolicy"], "IfNotPresent");
    // Without the mutator, the same Pod is refused by validation, in the API server's words, before Gatekeeper.
    let mut bare = set("", &[]);
    let d = bare.admit(&pod(json!({})), &Request::default()).unwrap();
    assert_eq!((d.verdict, d.decided_by), (Verdict::Rejected, Some(Stage::ObjectValidation)));
    assert_eq!(d.denial().unwrap(), "Pod \"web\" is invalid: spec.containers: Required value");
}

#[test]
fn mutators_see_the_defaulted_object() {
    let guarded = r#"
apiVersion: mutations.gatekeeper.sh/v1
kind: Assign
metadata: {name: always-pull}
spec:
  applyTo: [{groups: [""], versions: [v1], kinds: [Pod]}]
  location: "spec.containers[name:*].imagePullPolicy"
  parameters:
    pathTests: [{subPath: "spec.containers[name:*].imagePullPolicy", condition: MustNotExist}]
    assign: {value: Always}
"#;
    let mut s = set(guarded, &[]);
    let p = pod(json!({"containers": [{"name": "app", "image": "nginx:1.27"}]}));
    let d = s.admit(&p, &Request::default()).unwrap();
    assert!(!d.mutators.iter().any(|m| m.contains("always-pull")), "{:?}", d.mutators);
    assert_eq!(d.stored["spec"]["containers"][0]["imagePullPolicy"], "IfNotPresent");
    // Gatekeeper alone (as gator) has no defaulting: the same mutator fires.
    s.set_api_server(None);
    let d = s.admit(&p, &Request::default()).unwrap();
    assert_eq!(d.mutators, ["Assign/always-pull"]);
}

#[test]
fn defaults_are_stored_but_kept_apart_from_what_admission_changed() {
    let mut s = set("", &[]);
    let p = pod(json!({"automountServiceAccountToken": false, "tolerations": [{"operator": "Exists"}],
        "containers": [{"name": "app", "image": "nginx:1.27"}]}));
    let d = s.admit(&p, &Request::default()).unwrap();
    assert_eq!(d.stored["spec"]["restartPolicy"], "Always");
    assert_eq!(d.stored["spec"]["containers"][0]["terminationMessagePath"], "/dev/termination-log");
    assert!(d.defaults().contains(&"/spec/restartPolicy".to_string()), "{:?}", d.defaults());
    // What admission changed: the ServiceAccount plugin's account. What every cluster adds to every Pod (priority
    // 0 with no class, the not-ready tolerations) is stored and kept with the defaults.
    assert!(d.object["spec"].get("restartPolicy").is_none());
    assert_eq!(d.mutators, ["ServiceAccount"]);
    let paths: Vec<&str> = d.patch.iter().filter_map(|op| op["path"].as_str()).collect();
    assert_eq!(paths, ["/spec/serviceAccountName"]);
    assert_eq!((&d.stored["spec"]["priority"], d.object["spec"].get("priority")), (&json!(0), None));
    let mut no_tolerations = p.clone();
    no_tolerations["spec"].as_object_mut().unwrap().remove("tolerations");
    let d = s.admit(&no_tolerations, &Request::default()).unwrap();
    assert_eq!(d.stored["spec"]["tolerations"].as_array().map(Vec::len), Some(2));
    assert!(d.object["spec"].get("tolerations").is_none(), "{}", d.object);
    assert!(d.defaults().contains(&"/spec/tolerations".to_string()), "{:?}", d.defaults());
}

#[test]
fn limit_range_defaults_are_stored_and_its_limits_refuse() {
    let lr = json!({"apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": "default", "namespace": "team"},
        "spec": {"limits": [{"type": "Container", "defaultRequest": {"cpu": "50m", "memory": "32Mi"},
            "default": {"memory": "256Mi"}, "max": {"memory": "1Gi"}}]}});
    let mut s = set("", &[lr]);
    let p = pod(json!({"containers": [{"name": "app", "image": "nginx:1.27"}]}));
    let d = s.admit(&p, &in_ns("team")).unwrap();
    assert_eq!(
        d.object["spec"]["containers"][0]["resources"],
        json!({"limits": {"memory": "256Mi"}, "requests": {"cpu": "50m", "memory": "32Mi"}})
    );
    assert_eq!(d.mutators[0], "LimitRanger");
    let big = pod(
        json!({"containers": [{"name": "app", "image": "nginx:1.27", "resources": {"limits": {"memory": "2Gi"}}}]}),
    );
    let d = s.admit(&big, &in_ns("team")).unwrap();
    assert_eq!(d.decided_by, Some(Stage::LimitRangerValidation));
    assert_eq!(
        d.denial().unwrap(),
        "pods \"web\" is forbidden: maximum memory usage per Container is 1Gi, but limit is 2Gi"
    );
    // Another namespace has no LimitRange.
    let d = s.admit(&p, &in_ns("other")).unwrap();
    assert!(d.object["spec"]["containers"][0].get("resources").is_none());
}

const NO_TOKEN: &str = r#"
apiVersion: mutations.gatekeeper.sh/v1
kind: Assign
metadata: {name: no-token}
spec:
  applyTo: [{groups: [""], versions: [v1], kinds: [Pod]}]
  location: "spec.automountServiceAccountToken"
  parameters:
    pathTests: [{subPath: "spec.automountServiceAccountToken", condition: MustNotExist}]
    assign: {value: false}
"#;

#[test]
fn the_token_is_mounted_before_a_webhook_can_say_no() {
    let mut s = set(NO_TOKEN, &[]);
    let p = pod(json!({"containers": [{"name": "app", "image": "nginx:1.27"}]}));
    let d = s.admit(&p, &Request::default()).unwrap();
    // The webhook set the field, but the ServiceAccount plugin had already mounted the token.
    assert_eq!(d.stored["spec"]["automountServiceAccountToken"], false);
    let volume = d.stored["spec"]["volumes"][0]["name"].as_str().unwrap();
    assert!(volume.starts_with("kube-api-access-"), "{volume}");
    assert_eq!(
        d.stored["spec"]["containers"][0]["volumeMounts"][0]["mountPath"],
        "/var/run/secrets/kubernetes.io/serviceaccount"
    );
    assert_eq!(d.mutators, ["ServiceAccount", "Assign/no-token"]);
    // The manifest that says so itself gets no token.
    let mut own = p.clone();
    own["spec"]["automountServiceAccountToken"] = json!(false);
    let d = s.admit(&own, &Request::default()).unwrap();
    assert!(d.stored["spec"].get("volumes").is_none());
    assert!(d.stored["spec"]["containers"][0].get("volumeMounts").is_none());
}

#[test]
fn a_global_default_priority_class_is_set_before_a_constraint_reads_it() {
    let template = r#"
apiVersion: templates.gatekeeper.sh/v1
kind: ConstraintTemplate
metadata: {name: k8sneedsclass}
spec:
  crd: {spec: {names: {kind: K8sNeedsClass}}}
  targets:
  - target: admission.k8s.gatekeeper.sh
    rego: |
      package k8sneedsclass
      violation[{"msg": msg}] {
        not input.review.object.spec.priorityClassName
        msg := "a priority class is required"
      }
---
apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sNeedsClass
metadata: {name: needs-class}
"#;
    let pc = json!({"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass", "metadata": {"name": "tenant-low"},
        "value": 800000, "globalDefault": true, "preemptionPolicy": "Never"});
    let p = pod(json!({"containers": [{"name": "app", "image": "nginx:1.27"}]}));
    let mut s = set(template, &[pc]);
    let d = s.admit(&p, &Request::default()).unwrap();
    assert_eq!(d.verdict, Verdict::Admitted, "{:?}", d.violations);
    assert_eq!(
        (&d.object["spec"]["priorityClassName"], &d.object["spec"]["priority"]),
        (&json!("tenant-low"), &json!(800000))
    );
    let mut without = set(template, &[]);
    let d = without.admit(&p, &Request::default()).unwrap();
    assert_eq!(d.denial().unwrap(), "[needs-class] a priority class is required");
    assert_eq!(d.decided_by, Some(Stage::Gatekeeper));
    // An unknown class, where the cluster state lists classes, ends the request in the mutating phase.
    let pc = json!({"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass", "metadata": {"name": "tenant-low"}, "value": 1});
    let mut s = set(template, &[pc]);
    let d = s
        .admit(
            &pod(json!({"priorityClassName": "gold", "containers": [{"name": "a", "image": "b"}]})),
            &Request::default(),
        )
        .unwrap();
    assert_eq!(d.decided_by, Some(Stage::Priority));
    assert_eq!(d.denial().unwrap(), "pods \"web\" is forbidden: no PriorityClass with name gold was found");
}

const PRIVILEGED_TEMPLATE: &str = r#"
apiVersion: templates.gatekeeper.sh/v1
kind: ConstraintTemplate
metadata: {name: k8sprivileged}
spec:
  crd: {spec: {names: {kind: K8sPrivileged}}}
  targets:
  - target: admission.k8s.gatekeeper.sh
    rego: |
      package k8sprivileged
      violation[{"msg": msg}] {
        c := input.review.object.spec.containers[_]
        c.securityContext.privileged
        msg := sprintf("privileged container is not allowed: %v", [c.name])
      }
---
apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sPrivileged
metadata: {name: no-privileged}
spec:
  match:
    kinds: [{apiGroups: [""], kinds: [Pod]}]
"#;

#[test]
fn pod_security_refuses_before_gatekeeper_is_asked() {
    let restricted = namespace("locked", json!({"pod-security.kubernetes.io/enforce": "restricted"}));
    let mut s = set(PRIVILEGED_TEMPLATE, &[restricted]);
    let p =
        pod(json!({"containers": [{"name": "app", "image": "nginx:1.27", "securityContext": {"privileged": true}}]}));
    let d = s.admit(&p, &in_ns("locked")).unwrap();
    assert_eq!(d.decided_by, Some(Stage::PodSecurity));
    assert_eq!(
        d.denial().unwrap(),
        "pods \"web\" is forbidden: violates PodSecurity \"restricted:latest\": privileged (container \"app\" must not set securityContext.privileged=true), allowPrivilegeEscalation != false (container \"app\" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container \"app\" must set securityContext.capabilities.drop=[\"ALL\"]), runAsNonRoot != true (pod or container \"app\" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container \"app\" must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\")"
    );
    assert!(d.violations.iter().all(|v| v.stage == Stage::PodSecurity), "Gatekeeper never saw it");
    // In an unlabelled namespace (privileged by default), Gatekeeper decides.
    let d = s.admit(&p, &in_ns("open")).unwrap();
    assert_eq!(d.decided_by, Some(Stage::Gatekeeper));
    assert_eq!(d.denial().unwrap(), "[no-privileged] privileged container is not allowed: app");
    // A cluster whose default level is baseline refuses it there too.
    let mut api = ApiServer::new("1.37").unwrap();
    api.pod_security = super::podsecurity::Policy {
        enforce: super::podsecurity::LevelVersion::parse("baseline", "latest").unwrap(),
        ..Default::default()
    };
    s.set_api_server(Some(api));
    let d = s.admit(&p, &in_ns("open")).unwrap();
    assert_eq!(d.decided_by, Some(Stage::PodSecurity));
    assert!(d.denial().unwrap().contains("violates PodSecurity \"baseline:latest\": privileged"), "{:?}", d.denial());
}

#[test]
fn a_deployment_in_a_restricted_namespace_is_admitted_with_a_warning_and_its_pods_are_refused() {
    let restricted = namespace("locked", json!({"pod-security.kubernetes.io/enforce": "restricted"}));
    let mut s = set("", &[restricted]);
    let deployment = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": {
        "selector": {"matchLabels": {"app": "web"}},
        "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]}}}});
    let d = s.admit(&deployment, &in_ns("locked")).unwrap();
    assert_eq!(d.verdict, Verdict::Admitted);
    assert!(
        d.warnings.iter().any(
            |w| w.starts_with("would violate PodSecurity \"restricted:latest\": allowPrivilegeEscalation != false")
        ),
        "{:?}",
        d.warnings
    );
    // The Deployment's defaults are stored (replicas, strategy) and its Pods carry the template's defaults.
    assert_eq!(d.stored["spec"]["replicas"], 1);
    let pod = &d.rejected_child().expect("its Pods are refused").decision;
    assert_eq!(pod.decided_by, Some(Stage::PodSecurity));
    let event = d.rejected_path().last().unwrap().event().unwrap();
    assert!(event.starts_with("Error creating: pods \"web-"), "{event}");
}

#[test]
fn gatekeeper_alone_is_what_it_was() {
    // With no API server modelled (gator's semantics), nothing but Gatekeeper touches the object.
    let mut s = set(PRIVILEGED_TEMPLATE, &[]);
    s.set_api_server(None);
    let d = s.admit(&pod(json!({})), &Request::default()).unwrap();
    assert_eq!((d.verdict, d.mutators.len(), d.stages.len()), (Verdict::Admitted, 0, 0));
    assert_eq!((&d.stored["spec"], &d.stored["metadata"]["namespace"]), (&d.object["spec"], &json!("default")));
}

#[test]
fn an_update_may_not_change_what_is_immutable() {
    let mut s = set(PRIVILEGED_TEMPLATE, &[]);
    let old = pod(json!({"containers": [{"name": "app", "image": "nginx:1.26"}]}));
    let update = Request {
        operation: crate::mutation::mutator::Operation::Update,
        old_object: Some(old.clone()),
        ..Request::default()
    };
    let mut new = old.clone();
    new["spec"]["containers"][0]["image"] = json!("nginx:1.27");
    let d = s.admit(&new, &update).unwrap();
    assert_eq!(d.verdict, Verdict::Admitted, "{:?}", d.violations);
    new["spec"]["hostNetwork"] = json!(true);
    let d = s.admit(&new, &update).unwrap();
    assert_eq!(d.decided_by, Some(Stage::ObjectValidation));
    assert!(
        d.denial().unwrap().starts_with("Pod \"web\" is invalid: spec: Forbidden: pod updates may not change"),
        "{:?}",
        d.denial()
    );
}

#[test]
fn a_custom_resource_gets_its_crds_defaults() {
    let crd = serde_json::from_str::<Value>(
        r#"{"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"},
        "spec": {"group": "example.com", "names": {"kind": "Widget", "plural": "widgets"}, "scope": "Namespaced",
          "versions": [{"name": "v1", "served": true, "storage": true, "schema": {"openAPIV3Schema": {
            "type": "object", "properties": {"spec": {"type": "object", "properties": {
              "size": {"type": "string", "default": "small"},
              "ports": {"type": "array", "items": {"type": "object", "properties": {
                "protocol": {"type": "string", "default": "TCP"}, "port": {"type": "integer"}}}},
              "tuning": {"type": "object", "properties": {"level": {"type": "integer", "default": 3}}}}}}}}}]}}"#,
    )
    .unwrap();
    let mut s = set("", &[crd]);
    let widget = json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"},
        "spec": {"ports": [{"port": 80}], "size": null}});
    let d = s.admit(&widget, &Request::default()).unwrap();
    assert_eq!(d.decided_by, None, "{:?}", d.violations);
    assert_eq!(d.stored["spec"]["size"], "small", "null where null is not allowed is defaulted");
    assert_eq!(d.stored["spec"]["ports"][0]["protocol"], "TCP");
    assert!(d.stored["spec"].get("tuning").is_none(), "no parent, no default below it");
    assert_eq!(d.defaults(), ["/spec/size", "/spec/ports/0/protocol"]);
    assert!(d.object["spec"]["ports"][0].get("protocol").is_none());
}

#[test]
fn a_fragment_shows_gatekeepers_change_over_a_plugins() {
    let lr = json!({"apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": "default", "namespace": "team"},
        "spec": {"limits": [{"type": "Container", "default": {"memory": "256Mi"}}]}});
    let assign = r#"
apiVersion: mutations.gatekeeper.sh/v1
kind: Assign
metadata: {name: big-memory}
spec:
  applyTo: [{groups: [""], versions: [v1], kinds: [Pod]}]
  location: "spec.containers[name:*].resources.limits.memory"
  parameters:
    assign: {value: 512Mi}
"#;
    let mut s = set(assign, &[lr]);
    let fragment = json!({"name": "app", "image": "nginx:1.27"});
    let placed = crate::fragment::place(&fragment, Some(crate::fragment::Wrap::Container));
    let d = crate::fragment::admit(&mut s, &placed, "team").unwrap();
    let viewed = crate::fragment::viewed(&placed, &d);
    // LimitRanger set 256Mi, then the Assign 512Mi: the fragment shows the Assign's; the token mount (the
    // ServiceAccount plugin's, unchanged since) is left to the words.
    assert_eq!(viewed["spec"]["containers"][0]["resources"]["limits"]["memory"], "512Mi", "{viewed}");
    assert!(viewed["spec"]["containers"][0].get("volumeMounts").is_none(), "{viewed}");
    assert_eq!(crate::fragment::shown_mutators(&s, &placed, &d, &fragment), ["Assign/big-memory"]);
}

#[test]
fn settings_turn_plugins_off_and_name_what_they_do_not_know() {
    let mut settings = super::Settings { plugins: vec!["PodSecurity".into()], ..Default::default() };
    let api = settings.api_server("1.37").unwrap().unwrap();
    let mut s = set("", &[]);
    s.set_api_server(Some(api));
    let d =
        s.admit(&pod(json!({"containers": [{"name": "app", "image": "nginx:1.27"}]})), &Request::default()).unwrap();
    assert!(d.stored["spec"].get("volumes").is_none(), "no ServiceAccount plugin, no token");
    assert_eq!(d.stored["spec"]["restartPolicy"], "Always", "defaulting is not a plugin");
    settings.plugins.push("NodeRestriction".into());
    let e = settings.api_server("1.37").unwrap_err();
    assert!(e.starts_with("unknown admission plugin `NodeRestriction` (guardrail models LimitRanger,"), "{e}");
    settings.plugins.pop();
    settings.pod_security.enforce = "strict".into();
    assert!(settings.api_server("1.37").unwrap_err().starts_with("pod-security enforce:"));
    let off = super::Settings { api_server: false, ..Default::default() };
    assert!(off.api_server("1.37").unwrap().is_none());
}

#[test]
fn an_exempt_namespace_skips_gatekeeper_not_the_api_server() {
    let mut s = set(&format!("{PRIVILEGED_TEMPLATE}\n---\n{NO_TOKEN}"), &[]);
    s.set_exempt_namespaces(&["kube-system".to_string()]).unwrap();
    let p = pod(json!({"containers": [{"name": "app", "image": "x:1", "securityContext": {"privileged": true}}]}));
    let d = s.admit(&p, &in_ns("kube-system")).unwrap();
    assert_eq!(d.verdict, Verdict::Admitted);
    assert!(d.exempt.as_deref().unwrap_or("").contains("exempt from mutation and validation"), "{:?}", d.exempt);
    assert!(d.stored["spec"]["volumes"][0]["name"].as_str().unwrap().starts_with("kube-api-access-"));
    assert!(d.stored["spec"].get("automountServiceAccountToken").is_none(), "Gatekeeper's Assign did not run");
}

#[test]
fn what_an_expansion_template_makes_never_meets_the_api_server() {
    let expand = r#"
apiVersion: expansion.gatekeeper.sh/v1beta1
kind: ExpansionTemplate
metadata: {name: expand-deployments}
spec:
  applyTo: [{groups: [apps], kinds: [Deployment], versions: [v1]}]
  templateSource: spec.template
  generatedGVK: {kind: Pod, group: "", version: v1}
"#;
    let mut s = set(expand, &[]);
    let deployment = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": {
        "selector": {"matchLabels": {"app": "web"}},
        "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]}}}});
    let d = s.admit(&deployment, &Request::default()).unwrap();
    let resultant = &d.children[0].decision;
    assert!(resultant.stages.is_empty(), "{:?}", resultant.stages);
    assert!(resultant.stored["spec"].get("volumes").is_none(), "no ServiceAccount plugin for a resultant");
    // It is made from the Deployment as stored: the template's defaults are there.
    assert_eq!(resultant.stored["spec"]["restartPolicy"], "Always");
}

#[test]
fn a_namespaces_pod_security_labels_must_be_valid() {
    let mut s = set("", &[]);
    let ns = namespace("team", json!({"pod-security.kubernetes.io/enforce": "strict"}));
    let d = s.admit(&ns, &Request { namespace: None, ..Request::default() }).unwrap();
    assert_eq!(d.decided_by, Some(Stage::PodSecurity));
    assert_eq!(
        d.denial().unwrap(),
        "Namespace \"team\" is invalid: metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: \"strict\": must be one of privileged, baseline, restricted"
    );
    let ok = namespace("team", json!({"pod-security.kubernetes.io/enforce": "baseline"}));
    assert_eq!(s.admit(&ok, &Request { namespace: None, ..Request::default() }).unwrap().verdict, Verdict::Admitted);
}

#[test]
fn the_plugins_read_a_null_as_unset_and_the_old_service_account_field() {
    let sa = json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "builder", "namespace": "default"},
        "automountServiceAccountToken": false});
    let mut s = set("", &[sa]);
    let p = pod(json!({"tolerations": null, "volumes": null, "priority": null,
        "containers": [{"name": "app", "image": "nginx:1.27", "volumeMounts": null}]}));
    let d = s.admit(&p, &Request::default()).unwrap();
    assert_eq!(d.stored["spec"]["tolerations"].as_array().map(Vec::len), Some(2));
    assert_eq!(d.stored["spec"]["priority"], 0);
    let volume = &d.stored["spec"]["volumes"][0]["name"];
    assert_eq!(&d.stored["spec"]["containers"][0]["volumeMounts"][0]["name"], volume, "the mount has its volume");
    // `serviceAccount` (deprecated) names the account when `serviceAccountName` does not.
    let d = s
        .admit(
            &pod(json!({"serviceAccount": "builder", "containers": [{"name": "app", "image": "x:1"}]})),
            &Request::default(),
        )
        .unwrap();
    assert_eq!(d.stored["spec"]["serviceAccountName"], "builder");
    assert!(d.stored["spec"].get("volumes").is_none(), "builder says no token");
}

#[test]
fn an_empty_field_the_writer_wrote_stays_in_what_is_shown() {
    let mut s = set("", &[]);
    let deployment = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": {
        "strategy": {}, "selector": {"matchLabels": {"app": "web"}},
        "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]}}}});
    let d = s.admit(&deployment, &Request::default()).unwrap();
    assert_eq!(d.stored["spec"]["strategy"]["type"], "RollingUpdate");
    assert_eq!(d.object["spec"]["strategy"], json!({}), "{}", d.object["spec"]);
    assert!(d.patch.is_empty(), "{:?}", d.patch);
}

#[test]
fn priority_refuses_a_preemption_policy_its_class_does_not_have() {
    let pc = json!({"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass", "metadata": {"name": "tenant-low"},
        "value": 800000, "preemptionPolicy": "Never"});
    let mut s = set("", &[pc]);
    let p = pod(json!({"priorityClassName": "tenant-low", "preemptionPolicy": "PreemptLowerPriority",
        "containers": [{"name": "app", "image": "x:1"}]}));
    let d = s.admit(&p, &Request::default()).unwrap();
    assert_eq!(
        d.denial().unwrap(),
        "pods \"web\" is forbidden: the string value of PreemptionPolicy (PreemptLowerPriority) must not be provided in pod spec; priority admission controller computed Never from the given PriorityClass name"
    );
    let mut named = p.clone();
    named["metadata"] = json!({"generateName": "web-"});
    named["spec"]["priorityClassName"] = json!("gold");
    assert!(s.admit(&named, &Request::default()).unwrap().denial().unwrap().starts_with("pods \"web-\" is forbidden"));
}

#[test]
fn stages_are_timed_only_when_asked_in_the_order_they_ran() {
    let mut s = set(SIDECAR, &[namespace("team", json!({}))]);
    let p = pod(json!({"containers": [{"name": "app", "image": "nginx"}]}));
    s.admit(&p, &in_ns("team")).expect("admits");
    assert!(s.take_stage_times().is_empty(), "nothing is timed unless asked");
    s.time_stages(true);
    s.admit(&p, &in_ns("team")).expect("admits");
    let names: Vec<&str> = s.take_stage_times().into_iter().map(|(name, _)| name).collect();
    let at = |n: &str| names.iter().position(|x| *x == n).unwrap_or_else(|| panic!("{n} in {names:?}"));
    assert!(at("Decode") < at("Defaulting") && at("Defaulting") < at("GatekeeperMutation"), "{names:?}");
    assert!(at("GatekeeperMutation") < at("Gatekeeper"));
    assert_eq!(names.last(), Some(&super::chain::DECISION));
    assert!(s.take_stage_times().is_empty(), "taken");
    s.time_stages(false);
    s.admit(&p, &in_ns("team")).expect("admits");
    assert!(s.take_stage_times().is_empty());
}
