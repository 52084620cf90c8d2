//! The admission policy plugins (ValidatingAdmissionPolicy, MutatingAdmissionPolicy) and the policies Gatekeeper
//! generates from CEL templates, on the Kubernetes documentation's examples, with the messages the API server gives.

use serde_json::{Value, json};

use super::tests::{in_ns, namespace, set};
use super::{ApiServer, GatekeeperSettings, Stage};
use crate::limits::Limits;
use crate::policy::{PolicySet, PolicyText, Verdict};

fn deployment(replicas: i64, image: &str) -> Value {
    json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "labels": {"app": "web"}},
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "app", "image": image}]}}}})
}

/// The documentation's first policy and binding (`basic-example-policy.yaml`, `basic-example-binding.yaml`).
const BASIC: &str = r#"
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: "demo-policy.example.com"
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules:
    - apiGroups:   ["apps"]
      apiVersions: ["v1"]
      operations:  ["CREATE", "UPDATE"]
      resources:   ["deployments"]
  validations:
    - expression: "object.spec.replicas <= 5"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: "demo-binding-test.example.com"
spec:
  policyName: "demo-policy.example.com"
  validationActions: [Deny]
  matchResources:
    namespaceSelector:
      matchLabels:
        environment: test
"#;

#[test]
fn the_replicas_limit_refuses_in_the_selected_namespace_only() {
    let cluster = [namespace("test", json!({"environment": "test"})), namespace("prod", json!({}))];
    let mut s = set(BASIC, &cluster);
    let d = s.admit(&deployment(7, "nginx"), &in_ns("test")).unwrap();
    assert_eq!((d.verdict, d.decided_by), (Verdict::Rejected, Some(Stage::ValidatingAdmissionPolicy)));
    assert_eq!(
        d.denial().unwrap(),
        "deployments.apps \"web\" is forbidden: ValidatingAdmissionPolicy 'demo-policy.example.com' with binding \
         'demo-binding-test.example.com' denied request: failed expression: object.spec.replicas <= 5"
    );
    assert_eq!(s.admit(&deployment(5, "nginx"), &in_ns("test")).unwrap().verdict, Verdict::Admitted);
    assert_eq!(s.admit(&deployment(7, "nginx"), &in_ns("prod")).unwrap().verdict, Verdict::Admitted);
    // The policy's resource rules: a Pod is not a deployment.
    let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "a", "image": "x"}]}});
    assert_eq!(s.admit(&pod, &in_ns("test")).unwrap().verdict, Verdict::Admitted);
    // A cluster older than 1.30 has no ValidatingAdmissionPolicy.
    s.set_api_server(ApiServer::new("1.29"));
    if s.api_server().is_some() {
        assert_eq!(s.admit(&deployment(7, "nginx"), &in_ns("test")).unwrap().verdict, Verdict::Admitted);
    }
}

/// `policy-with-param.yaml` with `deployment-replicas-policy.yaml`'s message: params from a custom resource.
const WITH_PARAMS: &str = r#"
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: "replicalimit-policy.example.com"
spec:
  failurePolicy: Fail
  paramKind:
    apiVersion: rules.example.com/v1
    kind: ReplicaLimit
  matchConstraints:
    resourceRules:
    - apiGroups:   ["apps"]
      apiVersions: ["v1"]
      operations:  ["CREATE", "UPDATE"]
      resources:   ["deployments"]
  validations:
    - expression: "object.spec.replicas <= params.maxReplicas"
      messageExpression: "'object.spec.replicas must be no greater than ' + string(params.maxReplicas)"
      reason: Invalid
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: "replicalimit-binding-test.example.com"
spec:
  policyName: "replicalimit-policy.example.com"
  validationActions: [Deny]
  paramRef:
    name: "replica-limit-test.example.com"
    namespace: "default"
    parameterNotFoundAction: Deny
  matchResources:
    namespaceSelector:
      matchLabels:
        environment: test
"#;

#[test]
fn params_come_from_the_cluster_state_and_a_missing_one_denies_when_told_to() {
    let limit = json!({"apiVersion": "rules.example.com/v1", "kind": "ReplicaLimit",
        "metadata": {"name": "replica-limit-test.example.com", "namespace": "default"}, "maxReplicas": 3});
    let test = namespace("test", json!({"environment": "test"}));
    let mut s = set(WITH_PARAMS, &[test.clone(), limit]);
    let d = s.admit(&deployment(5, "nginx"), &in_ns("test")).unwrap();
    assert_eq!(
        d.denial().unwrap(),
        "deployments.apps \"web\" is forbidden: ValidatingAdmissionPolicy 'replicalimit-policy.example.com' with \
         binding 'replicalimit-binding-test.example.com' denied request: object.spec.replicas must be no greater than 3"
    );
    assert_eq!(s.admit(&deployment(3, "nginx"), &in_ns("test")).unwrap().verdict, Verdict::Admitted);
    // Without the ReplicaLimit, `parameterNotFoundAction: Deny` refuses every request the binding selects.
    let mut s = set(WITH_PARAMS, &[test]);
    let d = s.admit(&deployment(1, "nginx"), &in_ns("test")).unwrap();
    assert_eq!(
        d.denial().unwrap(),
        "deployments.apps \"web\" is forbidden: ValidatingAdmissionPolicy 'replicalimit-policy.example.com' with \
         binding 'replicalimit-binding-test.example.com' denied request: failed to configure binding: no params \
         found for policy binding with `Deny` parameterNotFoundAction"
    );
    // With Allow, the binding is skipped.
    let mut s = set(
        &WITH_PARAMS.replace("parameterNotFoundAction: Deny", "parameterNotFoundAction: Allow"),
        &[namespace("test", json!({"environment": "test"}))],
    );
    assert_eq!(s.admit(&deployment(9, "nginx"), &in_ns("test")).unwrap().verdict, Verdict::Admitted);
}

#[test]
fn params_from_a_configmap_chosen_by_selector_are_each_evaluated() {
    let policy = r#"
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: image-registry}
spec:
  paramKind: {apiVersion: v1, kind: ConfigMap}
  matchConstraints:
    resourceRules:
    - {apiGroups: ["apps"], apiVersions: ["v1"], operations: ["CREATE"], resources: ["deployments"]}
  validations:
  - expression: "object.spec.template.spec.containers.all(c, c.image.startsWith(params.data.registry))"
    messageExpression: "'images must come from ' + params.data.registry"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: image-registry}
spec:
  policyName: image-registry
  validationActions: [Warn]
  paramRef:
    selector: {matchLabels: {policy: registry}}
    parameterNotFoundAction: Allow
"#;
    let cm = |name: &str, reg: &str| {
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": "team", "labels": {"policy": "registry"}},
            "data": {"registry": reg}})
    };
    let mut s = set(policy, &[namespace("team", json!({})), cm("a", "ghcr.io/"), cm("b", "quay.io/")]);
    let d = s.admit(&deployment(1, "ghcr.io/app:1"), &in_ns("team")).unwrap();
    // Warn admits, with the API server's warning for each param the object fails.
    assert_eq!(d.verdict, Verdict::Admitted);
    assert_eq!(
        d.warnings,
        [
            "Validation failed for ValidatingAdmissionPolicy 'image-registry' with binding 'image-registry': images must come from quay.io/"
        ]
    );
    // Params are looked up in the request's namespace: none in another.
    let d = s.admit(&deployment(1, "ghcr.io/app:1"), &in_ns("other")).unwrap();
    assert!(d.warnings.is_empty(), "{:?}", d.warnings);
}

#[test]
fn variables_and_the_namespace_object_give_the_documented_message() {
    let policy = r#"
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: "image-matches-namespace-environment.policy.example.com"
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules:
    - apiGroups:   ["apps"]
      apiVersions: ["v1"]
      operations:  ["CREATE", "UPDATE"]
      resources:   ["deployments"]
  variables:
  - name: environment
    expression: "'environment' in namespaceObject.metadata.labels ? namespaceObject.metadata.labels['environment'] : 'prod'"
  - name: exempt
    expression: "'exempt' in object.metadata.labels && object.metadata.labels['exempt'] == 'true'"
  - name: containers
    expression: "object.spec.template.spec.containers"
  - name: containersToCheck
    expression: "variables.containers.filter(c, c.image.contains('example.com'))"
  validations:
  - expression: "variables.exempt || variables.containersToCheck.all(c, c.image.startsWith(variables.environment + '.'))"
    messageExpression: "'only ' + variables.environment + ' images are allowed in namespace ' + namespaceObject.metadata.name"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: "demo-binding-test.example.com"
spec:
  policyName: "image-matches-namespace-environment.policy.example.com"
  validationActions: [Deny]
"#;
    let mut s = set(policy, &[namespace("default", json!({"kubernetes.io/metadata.name": "default"}))]);
    let d = s.admit(&deployment(1, "dev.example.com/nginx"), &in_ns("default")).unwrap();
    assert_eq!(
        d.denial().unwrap(),
        "deployments.apps \"web\" is forbidden: ValidatingAdmissionPolicy \
         'image-matches-namespace-environment.policy.example.com' with binding 'demo-binding-test.example.com' \
         denied request: only prod images are allowed in namespace default"
    );
    assert_eq!(
        s.admit(&deployment(1, "prod.example.com/nginx"), &in_ns("default")).unwrap().verdict,
        Verdict::Admitted
    );
}

#[test]
fn audit_annotations_match_conditions_and_failure_policy() {
    let policy = r#"
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: "demo-policy.example.com"
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules:
    - apiGroups:   ["apps"]
      apiVersions: ["v1"]
      operations:  ["CREATE", "UPDATE"]
      resources:   ["deployments"]
  matchConditions:
  - name: not-exempt
    expression: "!has(object.metadata.labels) || !('exempt' in object.metadata.labels)"
  validations:
    - expression: "object.spec.replicas > 50"
      messageExpression: "'Deployment spec.replicas set to ' + string(object.spec.replicas)"
    - expression: "object.spec.paused == false"
  auditAnnotations:
    - key: "high-replica-count"
      valueExpression: "'Deployment spec.replicas set to ' + string(object.spec.replicas)"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: audit-only}
spec:
  policyName: "demo-policy.example.com"
  validationActions: [Audit]
"#;
    let mut s = set(policy, &[namespace("default", json!({}))]);
    let d = s.admit(&deployment(128, "nginx"), &in_ns("default")).unwrap();
    assert_eq!(d.verdict, Verdict::Admitted);
    let said: Vec<&String> =
        d.stages.iter().filter(|r| r.stage == Stage::ValidatingAdmissionPolicy).flat_map(|r| &r.said).collect();
    assert!(
        said.iter().any(|s| *s
            == "audit annotation demo-policy.example.com/high-replica-count: Deployment spec.replicas set to 128"),
        "{said:?}"
    );
    // `spec.paused` is not set: an error, which under Fail goes through the binding's actions (Audit here).
    assert!(
        said.iter()
            .any(|s| s.contains("expression 'object.spec.paused == false' resulted in error: no such key: paused")),
        "{said:?}"
    );
    // A false match condition skips the policy.
    let mut exempt = deployment(128, "nginx");
    exempt["metadata"]["labels"]["exempt"] = json!("yes");
    let d = s.admit(&exempt, &in_ns("default")).unwrap();
    assert!(d.stages.iter().all(|r| r.stage != Stage::ValidatingAdmissionPolicy), "{:?}", d.stages);
    // With Deny, the error refuses under Fail and is ignored under Ignore.
    let deny = policy.replace("validationActions: [Audit]", "validationActions: [Deny]");
    let mut s = set(&deny, &[namespace("default", json!({}))]);
    let d = s.admit(&deployment(128, "nginx"), &in_ns("default")).unwrap();
    assert!(
        d.denial().unwrap().ends_with(
            "denied request: expression 'object.spec.paused == false' resulted in error: no such key: paused"
        ),
        "{:?}",
        d.denial()
    );
    let mut s = set(&deny.replace("failurePolicy: Fail", "failurePolicy: Ignore"), &[namespace("default", json!({}))]);
    assert_eq!(s.admit(&deployment(128, "nginx"), &in_ns("default")).unwrap().verdict, Verdict::Admitted);
}

#[test]
fn policies_and_bindings_that_do_not_decode_are_load_errors_with_their_field() {
    let bad = BASIC.replace("object.spec.replicas <= 5", "object.spec.replicas <=");
    let errs = PolicySet::load(&[PolicyText { name: "p.yaml", text: &bad }], &Limits::default()).unwrap_err();
    assert!(
        errs[0].message.starts_with(
            "ValidatingAdmissionPolicy demo-policy.example.com: spec.validations[0].expression: compilation failed"
        ),
        "{}",
        errs[0].message
    );
    assert_eq!(errs[0].line, 15);
    let both = BASIC.replace("validationActions: [Deny]", "validationActions: [Deny, Warn]");
    let errs = PolicySet::load(&[PolicyText { name: "p.yaml", text: &both }], &Limits::default()).unwrap_err();
    assert!(errs[0].message.contains("Deny and Warn may not both be set"), "{}", errs[0].message);
}

/// A template in the shape of gatekeeper-library's capabilities template: CEL and Rego whose messages differ.
const CAPABILITIES: &str = r#"
apiVersion: templates.gatekeeper.sh/v1
kind: ConstraintTemplate
metadata: {name: k8scapabilities}
spec:
  crd:
    spec:
      names: {kind: K8sCapabilities}
      validation:
        openAPIV3Schema:
          type: object
          properties:
            allowedCapabilities: {type: array, items: {type: string}}
  targets:
  - target: admission.k8s.gatekeeper.sh
    code:
    - engine: K8sNativeValidation
      source:
        variables:
        - name: containers
          expression: 'has(variables.anyObject.spec.containers) ? variables.anyObject.spec.containers : []'
        - name: allowed
          expression: 'has(variables.params.allowedCapabilities) ? variables.params.allowedCapabilities : []'
        - name: bad
          expression: |
            variables.containers.map(c, has(c.securityContext) && has(c.securityContext.capabilities) &&
              has(c.securityContext.capabilities.add) && c.securityContext.capabilities.add.exists(x, !(x in variables.allowed)),
              [c.name, c.securityContext.capabilities.add.filter(x, !(x in variables.allowed)).join(", ")])
        validations:
        - expression: 'size(variables.bad) == 0'
          messageExpression: '"containers have disallowed capabilities: " + variables.bad.map(p, "{container: " + p[0] + ", capabilities: [" + p[1] + "]}").join(", ")'
    - engine: Rego
      source:
        rego: |
          package k8scapabilities
          violation[{"msg": msg}] {
            c := input.review.object.spec.containers[_]
            c.securityContext.capabilities.add[_]
            msg := sprintf("container <%v> has a disallowed capability", [c.name])
          }
---
apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sCapabilities
metadata: {name: capabilities}
spec:
  match:
    kinds: [{apiGroups: [""], kinds: ["Pod"]}]
  parameters:
    allowedCapabilities: ["NET_BIND_SERVICE"]
"#;

fn privileged_pod() -> Value {
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"}, "spec": {"containers": [{"name": "app", "image": "nginx",
        "securityContext": {"capabilities": {"add": ["SYS_ADMIN", "NET_BIND_SERVICE"]}}}]}})
}

#[test]
fn a_template_with_cel_and_rego_is_judged_by_its_cel_and_by_the_generated_policy_first() {
    let cluster = [namespace("default", json!({}))];
    // Gatekeeper alone (gator's semantics): the CEL message, not the Rego one.
    let mut gator = PolicySet::load(&[PolicyText { name: "p.yaml", text: CAPABILITIES }], &Limits::default()).unwrap();
    let d = gator.admit(&privileged_pod(), &in_ns("default")).unwrap();
    assert_eq!(
        d.denial().unwrap(),
        "[capabilities] containers have disallowed capabilities: {container: app, capabilities: [SYS_ADMIN]}"
    );
    // A 1.37 cluster with Gatekeeper's default flags: its generated ValidatingAdmissionPolicy refuses first.
    let mut s = set(CAPABILITIES, &cluster);
    let d = s.admit(&privileged_pod(), &in_ns("default")).unwrap();
    assert_eq!(d.decided_by, Some(Stage::ValidatingAdmissionPolicy));
    assert_eq!(
        d.denial().unwrap(),
        "pods \"web\" is forbidden: ValidatingAdmissionPolicy 'gatekeeper-k8scapabilities' with binding \
         'gatekeeper-k8scapabilities-capabilities' denied request: containers have disallowed capabilities: \
         {container: app, capabilities: [SYS_ADMIN]}"
    );
    // Without the flags, Gatekeeper's webhook answers with the same CEL.
    let mut api = ApiServer::new("1.37").unwrap();
    api.gatekeeper = GatekeeperSettings { vap_for_templates: false, vap_bindings_for_constraints: true };
    s.set_api_server(Some(api));
    let d = s.admit(&privileged_pod(), &in_ns("default")).unwrap();
    assert_eq!(d.decided_by, Some(Stage::Gatekeeper));
    assert!(
        d.denial().unwrap().starts_with("[capabilities] containers have disallowed capabilities"),
        "{:?}",
        d.denial()
    );
    // `generateVAP: true` on the template overrides the flag; a dryrun constraint's binding only audits.
    let mut s = set(
        &CAPABILITIES.replace(
            "      source:\n        variables:",
            "      source:\n        generateVAP: true\n        variables:",
        ),
        &cluster,
    );
    let mut api = ApiServer::new("1.37").unwrap();
    api.gatekeeper.vap_for_templates = false;
    s.set_api_server(Some(api));
    assert_eq!(
        s.admit(&privileged_pod(), &in_ns("default")).unwrap().decided_by,
        Some(Stage::ValidatingAdmissionPolicy)
    );
}

#[test]
fn a_scoped_constraint_binds_only_the_actions_it_gives_vap() {
    let scoped = CAPABILITIES.replace(
        "  parameters:\n    allowedCapabilities",
        "  enforcementAction: scoped\n  scopedEnforcementActions:\n  - action: warn\n    enforcementPoints: [{name: vap.k8s.io}]\n  - action: deny\n    enforcementPoints: [{name: validation.gatekeeper.sh}]\n  parameters:\n    allowedCapabilities",
    );
    let mut s = set(&scoped, &[namespace("default", json!({}))]);
    let d = s.admit(&privileged_pod(), &in_ns("default")).unwrap();
    // The VAP warns, then the webhook denies.
    assert_eq!(d.decided_by, Some(Stage::Gatekeeper));
    assert!(d.warnings.iter().any(|w| w.starts_with("Validation failed for ValidatingAdmissionPolicy 'gatekeeper-k8scapabilities' with binding 'gatekeeper-k8scapabilities-capabilities': containers have")), "{:?}", d.warnings);
}

/// The documentation's MutatingAdmissionPolicy (`applyconfiguration-example.yaml`), at v1.
const SIDECAR: &str = r#"
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingAdmissionPolicy
metadata:
  name: "sidecar-policy.example.com"
spec:
  matchConstraints:
    resourceRules:
    - apiGroups:   [""]
      apiVersions: ["v1"]
      operations:  ["CREATE"]
      resources:   ["pods"]
  matchConditions:
    - name: does-not-already-have-sidecar
      expression: "!object.spec.initContainers.exists(ic, ic.name == \"mesh-proxy\")"
  failurePolicy: Fail
  reinvocationPolicy: IfNeeded
  mutations:
    - patchType: "ApplyConfiguration"
      applyConfiguration:
        expression: >
          Object{
            spec: Object.spec{
              initContainers: [
                Object.spec.initContainers{
                  name: "mesh-proxy",
                  image: "mesh/proxy:v1.0.0",
                  args: ["proxy", "sidecar"],
                  restartPolicy: "Always"
                }
              ]
            }
          }
---
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingAdmissionPolicyBinding
metadata:
  name: "sidecar-policy.example.com"
spec:
  matchResources:
    namespaceSelector: {}
  policyName: "sidecar-policy.example.com"
"#;

fn myapp() -> Value {
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "myapp"}, "spec": {
        "initContainers": [{"name": "myapp-initializer", "image": "example/initializer:v1.0.0"}],
        "containers": [{"name": "myapp", "image": "example/myapp:v1.0.0"}]}})
}

#[test]
fn an_apply_configuration_adds_the_sidecar_by_key_and_runs_before_gatekeeper() {
    let mut s = set(SIDECAR, &[namespace("default", json!({}))]);
    let d = s.admit(&myapp(), &in_ns("default")).unwrap();
    assert_eq!(d.verdict, Verdict::Admitted, "{:?}", d.denial());
    let names: Vec<&str> =
        d.object["spec"]["initContainers"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    // Server-side apply keeps the live items in order and appends the new one.
    assert_eq!(names, ["myapp-initializer", "mesh-proxy"]);
    assert_eq!(d.object["spec"]["initContainers"][1]["args"], json!(["proxy", "sidecar"]));
    assert!(d.mutators.iter().any(|m| m == "MutatingAdmissionPolicy/sidecar-policy.example.com"), "{:?}", d.mutators);
    // What it added is defaulted like the rest (the API server decodes the mutated object).
    assert_eq!(d.stored["spec"]["initContainers"][1]["imagePullPolicy"], "IfNotPresent");
    // The documentation's match condition reads `object.spec.initContainers` unguarded: a Pod without init
    // containers makes it an error, which under `failurePolicy: Fail` refuses the Pod.
    let mut bare = myapp();
    bare["spec"].as_object_mut().unwrap().remove("initContainers");
    let d = s.admit(&bare, &in_ns("default")).unwrap();
    assert_eq!(d.decided_by, Some(Stage::MutatingAdmissionPolicy));
    assert!(
        d.denial().unwrap().starts_with(
            "policy 'sidecar-policy.example.com' with binding 'sidecar-policy.example.com' denied request: "
        ),
        "{:?}",
        d.denial()
    );
    // An atomic list in an apply configuration is refused.
    let atomic = SIDECAR
        .replace("initContainers: [", "tolerations: [")
        .replace("Object.spec.initContainers{", "Object.spec.tolerations{");
    let mut s = set(&atomic, &[namespace("default", json!({}))]);
    let d = s.admit(&myapp(), &in_ns("default")).unwrap();
    assert!(
        d.denial().unwrap().contains("may not mutate atomic arrays, maps or structs: /spec/tolerations"),
        "{:?}",
        d.denial()
    );
}

#[test]
fn a_json_patch_adds_a_label_with_an_escaped_key() {
    let policy = r#"
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingAdmissionPolicy
metadata: {name: environment-label}
spec:
  matchConstraints:
    resourceRules:
    - {apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE"], resources: ["pods"]}
  mutations:
  - patchType: JSONPatch
    jsonPatch:
      expression: >
        [
          JSONPatch{op: "test", path: "/metadata/name", value: "myapp"},
          JSONPatch{
            op: "add",
            path: "/metadata/labels/" + jsonpatch.escapeKey("example.com/environment"),
            value: "test"
          },
        ]
---
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingAdmissionPolicyBinding
metadata: {name: environment-label}
spec:
  policyName: environment-label
"#;
    let mut s = set(policy, &[namespace("default", json!({}))]);
    let mut p = myapp();
    p["metadata"]["labels"] = json!({"app": "myapp"});
    let d = s.admit(&p, &in_ns("default")).unwrap();
    assert_eq!(d.object["metadata"]["labels"], json!({"app": "myapp", "example.com/environment": "test"}));
    // A failed `test` leaves the object as it was, without an error.
    p["metadata"]["name"] = json!("other");
    let d = s.admit(&p, &in_ns("default")).unwrap();
    assert_eq!((d.verdict, &d.object["metadata"]["labels"]), (Verdict::Admitted, &json!({"app": "myapp"})));
}

#[test]
fn a_constraint_without_parameters_gives_null_params_as_gatekeeper_binds_it() {
    let template = r#"
apiVersion: templates.gatekeeper.sh/v1
kind: ConstraintTemplate
metadata: {name: k8sparamsshape}
spec:
  crd:
    spec:
      names: {kind: K8sParamsShape}
  targets:
  - target: admission.k8s.gatekeeper.sh
    code:
    - engine: K8sNativeValidation
      source:
        validations:
        - expression: 'false'
          messageExpression: '"params " + (variables.params == null ? "null" : "set") + ", has x " + string(has(variables.params.x))'
"#;
    let constraint = |params: &str| {
        format!(
            "---\napiVersion: constraints.gatekeeper.sh/v1beta1\nkind: K8sParamsShape\nmetadata: {{name: c}}\nspec:\n  match:\n    kinds: [{{apiGroups: [\"\"], kinds: [ConfigMap]}}]\n{params}"
        )
    };
    let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}});
    for (params, want) in [("", "params null, has x false"), ("  parameters: {x: 1}\n", "params set, has x true")] {
        let text = format!("{template}{}", constraint(params));
        let mut s = PolicySet::load(&[PolicyText { name: "p.yaml", text: &text }], &Limits::default()).unwrap();
        let d = s.admit(&cm, &in_ns("default")).unwrap();
        assert_eq!(d.violations[0].message, want);
    }
}
