//! The `guardrail` binary end to end: the XKS rules on the Pods of xks-policies.md, suites, exit codes, bad input.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_guardrail"));
    c.current_dir(env!("CARGO_MANIFEST_DIR")).env("NO_COLOR", "1");
    c
}

fn run(args: &[&str], stdin: &str) -> Output {
    let mut child = bin()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    child.stdin.take().expect("stdin").write_all(stdin.as_bytes()).expect("write stdin");
    child.wait_with_output().expect("the binary finishes")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Admits `yaml` against the project's policies and returns the one result.
fn admit(yaml: &str) -> (i32, Value) {
    let out = run(&["admit", "--output", "json", "-"], yaml);
    let code = out.status.code().expect("exit code");
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", text(&out.stdout), text(&out.stderr)));
    let results = v["results"].as_array().expect("results").clone();
    assert_eq!(results.len(), 1);
    (code, results[0].clone())
}

fn pod(spec: &str) -> String {
    format!("apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n{spec}")
}

const BARE: &str = "  containers:\n  - name: app\n    image: nginx\n";

/// The kinds of the constraints that refuse `r` (`deny`), in order, once each.
fn violated_kinds(r: &Value) -> Vec<String> {
    let mut k: Vec<String> = r["violations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["action"] == "deny")
        .map(|v| v["kind"].as_str().unwrap().to_string())
        .collect();
    k.dedup();
    k
}

/// The constraints that report `r` without refusing it.
fn reported_only(r: &Value) -> Vec<(String, String)> {
    r["violations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["action"] != "deny")
        .map(|v| {
            (
                format!("{}/{}", v["kind"].as_str().unwrap(), v["name"].as_str().unwrap()),
                v["action"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn rejected_only_by(spec: &str, kind: &str) {
    let (code, r) = admit(&pod(spec));
    assert_eq!(code, 1, "{r}");
    assert_eq!(r["verdict"], "rejected");
    assert_eq!(violated_kinds(&r), [kind], "{r}");
}

/// The defaults XKS deploys: three per container, two for the Pod; the missing readiness probe is reported by the
/// dry-run rule, which does not refuse.
#[test]
fn a_bare_pod_is_admitted_with_the_deployed_defaults() {
    let (code, r) = admit(&pod(BARE));
    assert_eq!(code, 0, "{r}");
    assert_eq!(r["verdict"], "admitted");
    assert_eq!(r["mutated"], true);
    let sc = &r["object"]["spec"]["containers"][0]["securityContext"];
    assert_eq!(sc["allowPrivilegeEscalation"], false);
    assert_eq!(sc["capabilities"]["drop"], serde_json::json!(["NET_RAW", "CAP_SYS_ADMIN"]));
    assert_eq!(sc["readOnlyRootFilesystem"], true);
    assert_eq!(
        r["object"]["spec"]["securityContext"],
        serde_json::json!({"seccompProfile": {"type": "RuntimeDefault"}})
    );
    assert_eq!(r["object"]["spec"]["automountServiceAccountToken"], false);
    // The API server's ServiceAccount plugin ran before Gatekeeper's Assign set the field: the token is mounted.
    assert_eq!(r["mutators"][0], "ServiceAccount", "{r}");
    assert_eq!(r["mutators"].as_array().unwrap().len(), 6, "{r}");
    let volume = r["object"]["spec"]["volumes"][0]["name"].as_str().unwrap_or("");
    assert!(volume.starts_with("kube-api-access-"), "{r}");
    assert_eq!(
        r["object"]["spec"]["containers"][0]["volumeMounts"][0]["mountPath"],
        "/var/run/secrets/kubernetes.io/serviceaccount"
    );
    assert!(r["patch"].as_array().unwrap().iter().any(|p| p["path"] == "/spec/containers/0/securityContext"), "{r}");
    assert_eq!(reported_only(&r), [("K8sRequiredProbes/required-readiness-probe".to_string(), "dryrun".to_string())]);
    // The request namespace is used for matching but is not part of the result.
    assert!(r["object"]["metadata"].get("namespace").is_none());
}

#[test]
fn the_defaults_written_out_need_no_mutation() {
    let (code, r) = admit(&pod(
        "  automountServiceAccountToken: false\n  serviceAccountName: default\n  securityContext:\n    seccompProfile: {type: RuntimeDefault}\n  containers:\n  - name: app\n    image: nginx\n    securityContext:\n      allowPrivilegeEscalation: false\n      capabilities:\n        drop:\n        - NET_RAW\n        - CAP_SYS_ADMIN\n      readOnlyRootFilesystem: true\n",
    ));
    assert_eq!(code, 0, "{r}");
    assert_eq!(r["mutated"], false);
    assert!(r["patch"].as_array().unwrap().is_empty());
}

/// The snippet the Security page used to recommend: a container that sets capabilities gets no default drop
/// list, and NET_RAW alone is not the deployed required list.
#[test]
fn dropping_net_raw_alone_is_refused() {
    let (code, r) = admit(&pod(
        "  containers:\n  - name: app\n    image: nginx\n    securityContext:\n      allowPrivilegeEscalation: false\n      capabilities:\n        drop:\n        - NET_RAW\n      readOnlyRootFilesystem: true\n",
    ));
    assert_eq!(code, 1, "{r}");
    assert_eq!(violated_kinds(&r), ["K8sPSPCapabilities"]);
    assert_eq!(
        r["object"]["spec"]["containers"][0]["securityContext"]["capabilities"]["drop"],
        serde_json::json!(["NET_RAW"])
    );
    // A container that adds a capability keeps its own list too: refused for the add and for the missing drops.
    let (code, r) = admit(&pod(
        "  containers:\n  - name: app\n    image: nginx\n    securityContext:\n      capabilities:\n        add: [NET_BIND_SERVICE]\n",
    ));
    assert_eq!(code, 1, "{r}");
    let caps: Vec<&Value> =
        r["violations"].as_array().unwrap().iter().filter(|v| v["kind"] == "K8sPSPCapabilities").collect();
    assert_eq!(caps.len(), 2, "{r}");
    assert!(r["object"]["spec"]["containers"][0]["securityContext"]["capabilities"].get("drop").is_none(), "{r}");
}

#[test]
fn the_improved_snippet_keeps_drop_all() {
    let (code, r) = admit(&pod(
        "  containers:\n  - name: app\n    image: nginx\n    securityContext:\n      allowPrivilegeEscalation: false\n      capabilities:\n        drop:\n        - ALL\n      privileged: false\n      readOnlyRootFilesystem: true\n      runAsGroup: 1000\n      runAsNonRoot: true\n      runAsUser: 1000\n",
    ));
    assert_eq!(code, 0, "{r}");
    assert_eq!(
        r["object"]["spec"]["containers"][0]["securityContext"]["capabilities"]["drop"],
        serde_json::json!(["ALL"])
    );
    // Only the Pod-level defaults (and the API server's token) are added; the container is kept as written.
    assert_eq!(
        r["mutators"],
        serde_json::json!([
            "ServiceAccount",
            "Assign/xks-pod-automount-service-account-token",
            "Assign/xks-pod-seccomp-profile"
        ])
    );
}

#[test]
fn each_rule_rejects_its_own_pod() {
    let sc =
        |field: &str| format!("  containers:\n  - name: app\n    image: nginx\n    securityContext:\n      {field}\n");
    rejected_only_by(&sc("readOnlyRootFilesystem: false"), "K8sPSPReadOnlyRootFilesystem");
    rejected_only_by(&sc("capabilities:\n        add: [NET_ADMIN]"), "K8sPSPCapabilities");
    rejected_only_by(&sc("privileged: true"), "K8sPSPPrivilegedContainer");
    rejected_only_by(&sc("procMount: Unmasked"), "K8sPSPProcMount");
    rejected_only_by(&format!("  hostPID: true\n{BARE}"), "K8sPSPHostNamespace");
    rejected_only_by(&format!("  hostIPC: true\n{BARE}"), "K8sPSPHostNamespace");
    rejected_only_by(&format!("  hostNetwork: true\n{BARE}"), "K8sPSPHostNetwork");
    rejected_only_by(
        &format!("{BARE}  volumes:\n  - name: data\n    hostPath:\n      path: /var/data\n"),
        "K8sPSPVolumeTypes",
    );
}

#[test]
fn an_empty_dir_at_tmp_is_admitted() {
    let (code, r) = admit(&pod(
        "  containers:\n  - name: app\n    image: nginx\n    volumeMounts:\n    - name: tmp\n      mountPath: /tmp\n  volumes:\n  - name: tmp\n    emptyDir: {}\n",
    ));
    assert_eq!(code, 0, "{r}");
}

#[test]
fn an_init_container_is_mutated_like_the_others() {
    let (code, r) = admit(&pod(
        "  initContainers:\n  - name: init\n    image: busybox\n  containers:\n  - name: app\n    image: nginx\n",
    ));
    assert_eq!(code, 0, "{r}");
    let sc = &r["object"]["spec"]["initContainers"][0]["securityContext"];
    assert_eq!(sc["readOnlyRootFilesystem"], true);
    assert_eq!(sc["allowPrivilegeEscalation"], false);
    assert!(
        r["mutators"].as_array().unwrap().iter().any(|m| m == "Assign/xks-init-container-read-only-root-filesystem")
    );
}

#[test]
fn text_output_shows_verdict_diff_and_messages() {
    let yaml = format!("{}\n---\n{}", pod(BARE), pod(&format!("  hostNetwork: true\n{BARE}")));
    let out = run(&["admit", "-"], &yaml);
    assert_eq!(out.status.code(), Some(1));
    let s = text(&out.stdout);
    assert!(s.contains("Pod web (<stdin>:1) admitted with changes"), "{s}");
    assert!(s.contains("+       readOnlyRootFilesystem: true"), "{s}");
    assert!(s.contains("deny K8sPSPHostNetwork [psp-host-network] "), "{s}");
    assert!(s.trim_end().ends_with("1 of 2 objects admitted"), "{s}");
    assert!(!s.contains('\x1b'), "NO_COLOR is honoured");
}

#[test]
fn yaml_output_prints_the_admitted_objects() {
    let out = run(&["admit", "--output", "yaml", "-"], &pod(BARE));
    assert_eq!(out.status.code(), Some(0));
    let s = text(&out.stdout);
    assert!(s.starts_with("apiVersion: v1\nkind: Pod\n"), "{s}");
    assert!(s.contains("      readOnlyRootFilesystem: true\n"), "{s}");
}

#[test]
fn the_project_suites_pass() {
    let out = run(&["verify", "policies/"], "");
    let s = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{s}{}", text(&out.stderr));
    let last = s.lines().last().unwrap_or("");
    let passed: usize = last.split(' ').next().and_then(|n| n.parse().ok()).unwrap_or(0);
    assert!(passed >= 40 && last.ends_with(" passed, 0 failed"), "{s}");
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("guardrail-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn write(dir: &Path, name: &str, body: &str) {
    let p = dir.join(name);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, body).unwrap();
}

#[test]
fn verify_reports_failures_skips_and_filters() {
    let dir = scratch("suite");
    let tpl = std::fs::read_to_string("policies/host-network/template.yaml").unwrap();
    write(&dir, "template.yaml", &tpl);
    write(
        &dir,
        "constraint.yaml",
        "apiVersion: constraints.gatekeeper.sh/v1beta1\nkind: K8sPSPHostNetwork\nmetadata:\n  name: no-host-net\n",
    );
    write(&dir, "bad.yaml", &pod(&format!("  hostNetwork: true\n{BARE}")));
    write(&dir, "good.yaml", &pod(BARE));
    write(
        &dir,
        "suite.yaml",
        "kind: Suite\napiVersion: test.gatekeeper.sh/v1alpha1\ntests:\n- name: net\n  template: template.yaml\n  constraint: constraint.yaml\n  cases:\n  - name: bad-is-flagged\n    object: bad.yaml\n    assertions:\n    - violations: yes\n      message: host network\n  - name: wrong-expectation\n    object: good.yaml\n    assertions:\n    - violations: 1\n  - name: skipped\n    skip: true\n    object: good.yaml\n    assertions:\n    - violations: no\n",
    );
    let out = run(&["verify", dir.to_str().unwrap()], "");
    let s = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{s}");
    assert!(s.contains("FAIL ") && s.contains("net // wrong-expectation"), "{s}");
    assert!(s.contains("expected 1 violation, got 0"), "{s}");
    assert!(s.trim_end().ends_with("1 passed, 1 failed, 1 skipped"), "{s}");
    let out = run(&["verify", "--run", "net//bad", dir.to_str().unwrap()], "");
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).trim_end().ends_with("1 passed, 0 failed"));
}

fn bad_input(policies: &Path, manifest: &str) -> String {
    let out = run(&["admit", "--policies", policies.to_str().unwrap(), "-"], manifest);
    assert_eq!(out.status.code(), Some(2), "{}{}", text(&out.stdout), text(&out.stderr));
    assert!(out.stdout.is_empty(), "no partial output: {}", text(&out.stdout));
    let err = text(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    err
}

#[test]
fn bad_input_is_an_error_with_a_location_and_exit_2() {
    // Malformed YAML in the manifest.
    let err = bad_input(Path::new("policies"), "apiVersion: v1\nkind: Pod\nmetadata: [name\n");
    assert!(err.contains("<stdin>:4:1: invalid YAML"), "{err}");

    // A template whose Rego does not parse.
    let dir = scratch("rego");
    let tpl = std::fs::read_to_string("policies/host-network/template.yaml").unwrap().replacen(
        "violation[",
        "violation[[",
        1,
    );
    write(&dir, "template.yaml", &tpl);
    let err = bad_input(&dir, &pod(BARE));
    assert!(err.contains("template.yaml:") && err.contains("ConstraintTemplate k8spsphostnetwork: its Rego"), "{err}");

    // A constraint of an unknown kind.
    let dir = scratch("kind");
    write(&dir, "c.yaml", "apiVersion: constraints.gatekeeper.sh/v1beta1\nkind: K8sNothing\nmetadata:\n  name: x\n");
    let err = bad_input(&dir, &pod(BARE));
    assert!(
        err.contains("c.yaml:2:7: Constraint K8sNothing x: no ConstraintTemplate defines kind K8sNothing"),
        "{err}"
    );

    // An invalid location path.
    let dir = scratch("path");
    write(
        &dir,
        "m.yaml",
        "apiVersion: mutations.gatekeeper.sh/v1\nkind: Assign\nmetadata:\n  name: m\nspec:\n  applyTo: [{groups: [''], versions: [v1], kinds: [Pod]}]\n  location: spec.containers[name:*.image\n  parameters: {assign: {value: x}}\n",
    );
    let err = bad_input(&dir, &pod(BARE));
    assert!(err.contains("m.yaml:7:13: Assign m: spec.location: invalid location"), "{err}");

    // A pair of mutators that would fight: Gatekeeper disables both for a schema conflict; we refuse the set.
    let dir = scratch("fight");
    write(
        &dir,
        "m.yaml",
        "apiVersion: mutations.gatekeeper.sh/v1\nkind: Assign\nmetadata: {name: as-list}\nspec:\n  applyTo: [{groups: [''], versions: [v1], kinds: [Pod]}]\n  location: spec.l[name:*].n\n  parameters: {assign: {value: 1}}\n---\napiVersion: mutations.gatekeeper.sh/v1\nkind: ModifySet\nmetadata: {name: as-set}\nspec:\n  applyTo: [{groups: [''], versions: [v1], kinds: [Pod]}]\n  location: spec.l\n  parameters: {values: {fromList: [{name: x}]}}\n",
    );
    let err = bad_input(&dir, &pod(BARE));
    assert!(err.contains("m.yaml:6:13: schema conflict: Assign/as-list"), "{err}");
    assert!(err.contains("m.yaml:14:13: schema conflict: ModifySet/as-set"), "{err}");

    // A policies folder that does not exist.
    let err = bad_input(Path::new("no-such-folder"), &pod(BARE));
    assert!(err.contains("the policies folder no-such-folder does not exist"), "{err}");

    // A document that is not a Kubernetes object.
    let err = bad_input(Path::new("policies"), "- just\n- a list\n");
    assert!(err.contains("<stdin>:1:1: document 1 is not a Kubernetes object"), "{err}");
}

#[test]
fn help_is_available_for_every_command() {
    for args in [&["--help"][..], &["admit", "--help"], &["verify", "--help"]] {
        let out = run(args, "");
        assert_eq!(out.status.code(), Some(0));
        assert!(text(&out.stdout).contains("Usage: guardrail"), "{}", text(&out.stdout));
    }
}

fn deployment(pod_spec: &str) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector:\n    matchLabels: {{app: web}}\n  template:\n    metadata:\n      labels: {{app: web}}\n    spec:\n{}",
        pod_spec.lines().map(|l| format!("    {l}\n")).collect::<String>()
    )
}

/// A Deployment is admitted (no rule matches Deployments), and the Pods its ReplicaSet creates are judged as
/// the cluster judges them: the run fails when they are rejected, and says so under the Deployment.
#[test]
fn admit_judges_the_pods_a_deployment_creates() {
    let privileged = deployment(&format!("{BARE}    securityContext:\n      privileged: true\n"));
    let (code, r) = admit(&privileged);
    assert_eq!(code, 1, "{r}");
    assert_eq!(r["verdict"], "admitted");
    let rs = &r["children"][0];
    assert_eq!(
        (rs["origin"]["created"].as_str(), rs["verdict"].as_str()),
        (Some("deployment-controller"), Some("admitted"))
    );
    assert_eq!(rs["object"]["kind"], "ReplicaSet");
    let pod = &rs["children"][0];
    assert_eq!(
        (pod["origin"]["created"].as_str(), pod["verdict"].as_str()),
        (Some("replicaset-controller"), Some("rejected"))
    );
    assert_eq!(violated_kinds(pod), ["K8sPSPPrivilegedContainer"]);
    assert!(pod["mutated"].as_bool().unwrap(), "the Pod is mutated as any Pod is");
    let event = pod["event"].as_str().unwrap();
    assert!(event.starts_with("Error creating: admission webhook \"validation.gatekeeper.sh\" denied the request: [psp-privileged-containers] Privileged container is not allowed"), "{event}");
    assert_eq!(pod["children"], serde_json::json!([]));

    let out = run(&["admit", "-"], &privileged);
    let shown = text(&out.stdout);
    assert!(shown.starts_with("Deployment web (<stdin>:1) admitted\n  creates ReplicaSet default/web-"), "{shown}");
    assert!(shown.contains("    creates Pod default/web-"), "{shown}");
    assert!(shown.contains("      event: Error creating: admission webhook"), "{shown}");
    assert!(shown.ends_with("0 of 1 object admitted with what it creates\n"), "{shown}");

    let (code, r) = admit(&deployment(BARE));
    assert_eq!(code, 0, "{r}");
    assert_eq!(r["children"][0]["children"][0]["verdict"], "admitted");
    let out = run(&["admit", "--output", "yaml", "-"], &deployment(BARE));
    let yaml = text(&out.stdout);
    assert_eq!(yaml.matches("---\n").count(), 2, "the Deployment, its ReplicaSet and its Pod: {yaml}");
    assert!(yaml.contains("# Pod default/web-") && yaml.contains("created by the replicaset-controller"), "{yaml}");
}

/// `guardrail expand` prints what ExpansionTemplates make of the input (templates and mutators may come with
/// it, as with `gator expand`), after mutation; without a template, what the controllers create.
#[test]
fn expand_prints_resultants_after_mutation() {
    let dir = scratch("expand");
    let template = "apiVersion: expansion.gatekeeper.sh/v1beta1\nkind: ExpansionTemplate\nmetadata:\n  name: expand-deployments\nspec:\n  applyTo:\n  - groups: [apps]\n    kinds: [Deployment]\n    versions: [v1]\n  templateSource: spec.template\n  generatedGVK: {group: \"\", version: v1, kind: Pod}\n";
    let sidecar = "apiVersion: mutations.gatekeeper.sh/v1\nkind: Assign\nmetadata:\n  name: sidecar-env\nspec:\n  match:\n    source: Generated\n  applyTo:\n  - groups: [\"\"]\n    kinds: [Pod]\n    versions: [v1]\n  location: \"spec.containers[name:app].env\"\n  parameters:\n    assign:\n      value: [{name: INJECTED, value: \"yes\"}]\n";
    write(&dir, "policy.yaml", &format!("{template}---\n{sidecar}"));
    write(&dir, "deploy.yaml", &deployment(BARE));
    let policy = dir.join("policy.yaml");
    let deploy = dir.join("deploy.yaml");
    let out = run(&["expand", "-o", "json", policy.to_str().unwrap(), deploy.to_str().unwrap()], "");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    let objects = v["objects"].as_array().unwrap();
    assert_eq!(objects.len(), 1, "{v}");
    assert_eq!(objects[0]["origin"]["expanded"], "expand-deployments");
    let pod = &objects[0]["object"];
    assert_eq!((pod["kind"].as_str(), pod["metadata"]["name"].as_str()), (Some("Pod"), Some("web-pod")));
    assert_eq!(pod["spec"]["containers"][0]["env"][0]["name"], "INJECTED", "the Generated-only mutator ran");
    assert_eq!(pod["spec"]["containers"][0]["securityContext"]["readOnlyRootFilesystem"], true, "and policies/'s");

    let out = run(&["expand", deploy.to_str().unwrap()], "");
    let yaml = text(&out.stdout);
    assert!(
        yaml.starts_with(
            "# from Deployment web, created by the deployment-controller\napiVersion: apps/v1\nkind: ReplicaSet\n"
        ),
        "{yaml}"
    );
    assert!(yaml.contains("# from ReplicaSet default/web-"), "{yaml}");
    assert!(!yaml.contains("INJECTED"));
}

/// A Suite test's `expansion:` file: the Deployment case is judged by the Pods the templates make of it, and
/// the violation reads `[Implied by <template>] ...`, as gator verify reports it.
#[test]
fn verify_honours_a_tests_expansion_file() {
    let dir = scratch("expansion-suite");
    write(&dir, "template.yaml", &std::fs::read_to_string("policies/privileged-containers/template.yaml").unwrap());
    write(
        &dir,
        "constraint.yaml",
        "apiVersion: constraints.gatekeeper.sh/v1beta1\nkind: K8sPSPPrivilegedContainer\nmetadata:\n  name: no-privileged\nspec:\n  match:\n    kinds:\n    - apiGroups: [\"\"]\n      kinds: [Pod]\n",
    );
    write(
        &dir,
        "expansion.yaml",
        "apiVersion: expansion.gatekeeper.sh/v1alpha1\nkind: ExpansionTemplate\nmetadata:\n  name: expand-deployments\nspec:\n  applyTo:\n  - groups: [apps]\n    kinds: [Deployment]\n    versions: [v1]\n  templateSource: spec.template\n  generatedGVK: {group: \"\", version: v1, kind: Pod}\n",
    );
    write(&dir, "bad.yaml", &deployment(&format!("{BARE}    securityContext:\n      privileged: true\n")));
    write(&dir, "good.yaml", &deployment(BARE));
    let suite = |expansion: &str| {
        format!(
            "kind: Suite\napiVersion: test.gatekeeper.sh/v1alpha1\ntests:\n- name: deployments\n  template: template.yaml\n  constraint: constraint.yaml\n{expansion}  cases:\n  - name: privileged-pods\n    object: bad.yaml\n    assertions:\n    - violations: 1\n      message: '^\\[Implied by expand-deployments\\] Privileged container is not allowed'\n  - name: plain-pods\n    object: good.yaml\n    assertions:\n    - violations: no\n"
        )
    };
    write(&dir, "suite.yaml", &suite("  expansion: expansion.yaml\n"));
    let out = run(&["verify", "-v", dir.to_str().unwrap()], "");
    assert_eq!(out.status.code(), Some(0), "{}{}", text(&out.stdout), text(&out.stderr));
    assert!(text(&out.stdout).trim_end().ends_with("2 passed, 0 failed"));
    // Without the file, the constraint (on Pods) never sees the Deployment's Pod.
    write(&dir, "suite.yaml", &suite(""));
    let out = run(&["verify", dir.to_str().unwrap()], "");
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).contains("deployments // privileged-pods"), "{}", text(&out.stdout));
    // An expansion file holds ExpansionTemplates only.
    write(&dir, "expansion.yaml", &deployment(BARE));
    write(&dir, "suite.yaml", &suite("  expansion: expansion.yaml\n"));
    let out = run(&["verify", dir.to_str().unwrap()], "");
    assert!(text(&out.stdout).contains("is not an ExpansionTemplate"), "{}", text(&out.stdout));
}

/// The Pods of xks-policies.md's table, one document each.
fn pod_table() -> String {
    let specs = [
        BARE.to_string(),
        format!(
            "{BARE}    securityContext:\n      allowPrivilegeEscalation: false\n      capabilities:\n        drop: [NET_RAW]\n      readOnlyRootFilesystem: true\n"
        ),
        format!(
            "{BARE}    securityContext:\n      allowPrivilegeEscalation: false\n      capabilities:\n        drop: [ALL]\n      privileged: false\n      readOnlyRootFilesystem: true\n      runAsNonRoot: true\n      runAsUser: 1000\n"
        ),
        format!("{BARE}    securityContext:\n      readOnlyRootFilesystem: false\n"),
        format!("{BARE}    securityContext:\n      capabilities:\n        add: [NET_ADMIN]\n"),
        format!("{BARE}    securityContext:\n      privileged: true\n"),
        format!("{BARE}    securityContext:\n      procMount: Unmasked\n"),
        format!("  hostPID: true\n{BARE}"),
        format!("  hostNetwork: true\n{BARE}"),
        format!("{BARE}  volumes:\n  - name: host\n    hostPath: {{path: /var}}\n"),
        format!(
            "{BARE}    volumeMounts: [{{name: tmp, mountPath: /tmp}}]\n  volumes:\n  - name: tmp\n    emptyDir: {{}}\n"
        ),
        format!("  initContainers:\n  - name: init\n    image: busybox\n{BARE}"),
    ];
    specs.iter().map(|s| pod(s)).collect::<Vec<_>>().join("---\n")
}

/// One Pod's judgement: verdict, mutated, violated kinds, admitted object.
type Judged = (String, bool, Vec<String>, Value);

/// What `admit --output json` says of the Pod table with the given policy sources, and the standard error.
fn judged(sources: &[&Path]) -> (Vec<Judged>, String) {
    let mut args = vec!["admit".to_string(), "--output".into(), "json".into()];
    for s in sources {
        args.push("--policies".into());
        args.push(s.display().to_string());
    }
    args.push("-".into());
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = run(&refs, &pod_table());
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", text(&out.stdout), text(&out.stderr)));
    let results = v["results"].as_array().expect("results").iter().map(|r| {
        (
            r["verdict"].as_str().unwrap().to_string(),
            r["mutated"].as_bool().unwrap(),
            violated_kinds(r),
            r["object"].clone(),
        )
    });
    (results.collect(), text(&out.stderr))
}

/// Every policy object of `policies/` (suites and samples left out), with the file it came from.
fn policy_objects() -> Vec<(PathBuf, Value)> {
    let files = guardrail_site::policies::policy_files(&[PathBuf::from("policies")]).expect("files");
    let mut out = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).expect("text");
        let docs = guardrail_engine::yaml::load_documents(
            &text,
            guardrail_engine::yaml::Schema::Kubernetes,
            &Default::default(),
        )
        .expect("yaml");
        for d in docs {
            if !d.value.is_null() && d.value["kind"] != "Suite" {
                out.push((f.clone(), d.value));
            }
        }
    }
    out
}

/// Policy repositories laid out as real ones are, a live-cluster dump and a rendered Helm chart all judge the
/// Pod table exactly as the plain folder does; what is not a policy is skipped and counted, or kept as cluster
/// state; an unrendered Helm template is an error that says to render it.
#[test]
fn real_policy_sources_judge_as_the_folder_does() {
    let (reference, _) = judged(&[Path::new("policies")]);
    assert_eq!(reference.len(), 12);
    // The spring-2022 table's seven rejections, and its basic snippet (drop: [NET_RAW]), which the deployed set
    // refuses.
    assert_eq!(reference.iter().filter(|r| r.0 == "rejected").count(), 8, "{reference:?}");
    let dir = scratch("sources");
    let objects = policy_objects();

    // A library as gatekeeper-library and platform teams keep one: kustomize files, READMEs, Rego sources and
    // their tests next to each policy, suites with samples.
    let library = dir.join("library");
    for (file, _) in &objects {
        let to = library.join(file.strip_prefix("policies").unwrap());
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(file, &to).unwrap();
        let folder = to.parent().unwrap();
        write(
            folder,
            "kustomization.yaml",
            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- template.yaml\n",
        );
        write(folder, "README.md", "# A policy\n");
        write(folder, "src.rego", "package x\n");
        write(folder, "src_test.rego", "package x\ntest_a { true }\n");
    }
    for suite in guardrail_site::walk::files(
        Path::new("policies"),
        guardrail_site::walk::Links::Follow,
        &|p| p.ends_with("suite.yaml"),
        &|_| true,
    )
    .unwrap()
    {
        let to = library.join(suite.strip_prefix("policies").unwrap());
        std::fs::copy(&suite, &to).unwrap();
    }
    write(
        &library,
        "kustomization.yaml",
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [privileged-containers]\n",
    );
    write(&library, "values.yaml", "replicas: 1\nimage: {tag: v3}\n");
    let (got, stderr) = judged(&[&library]);
    assert_eq!(got, reference, "the library form");
    let folders = std::fs::read_dir(&library).unwrap().filter(|e| e.as_ref().unwrap().path().is_dir()).count();
    let suites = std::fs::read_dir("policies")
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().join("suite.yaml").exists())
        .count();
    assert!(
        stderr.contains(&format!("skipped {} Kustomization, {suites} Suite, 1 not Kubernetes objects", folders + 1)),
        "{stderr}"
    );

    // `kubectl get ... -o yaml` of a live cluster: one List, with what the API server adds; here as JSON.
    let items: Vec<Value> = objects
        .iter()
        .map(|(_, v)| {
            let mut v = v.clone();
            v["metadata"]["uid"] = "6f2c".into();
            v["metadata"]["resourceVersion"] = "81234".into();
            v["metadata"]["generation"] = 2.into();
            v["metadata"]["creationTimestamp"] = "2026-01-01T00:00:00Z".into();
            v["metadata"]["managedFields"] = serde_json::json!([{"manager": "kubectl", "operation": "Apply"}]);
            v["status"] = serde_json::json!({"byPod": [{"id": "gatekeeper-audit", "operations": ["audit"]}]});
            v
        })
        .collect();
    let dump =
        serde_json::json!({"apiVersion": "v1", "kind": "List", "items": items, "metadata": {"resourceVersion": ""}});
    write(&dir, "live.json", &serde_json::to_string_pretty(&dump).unwrap());
    let (got, stderr) = judged(&[&dir.join("live.json")]);
    assert_eq!(got, reference, "the live dump");
    assert!(!stderr.contains("skipped"), "{stderr}");

    // `helm template` output: every object after a `# Source:` comment, Helm's labels, and the chart's own
    // objects (which are cluster state, not errors).
    let mut rendered = String::new();
    for (i, (file, v)) in objects.iter().enumerate() {
        let mut v = v.clone();
        v["metadata"]["labels"]["app.kubernetes.io/managed-by"] = "Helm".into();
        rendered.push_str(&format!(
            "---\n# Source: xks-policies/templates/{}-{i}\n{}",
            file.file_name().unwrap().to_string_lossy(),
            guardrail_engine::yaml::to_yaml(&v)
        ));
    }
    rendered.push_str("---\n# Source: xks-policies/templates/serviceaccount.yaml\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: policy-manager\n");
    write(&dir, "rendered.yaml", &rendered);
    let (got, _) = judged(&[&dir.join("rendered.yaml")]);
    assert_eq!(got, reference, "the rendered chart");

    // Two sources together: the rendered templates and constraints, and the mutators from a folder.
    let mutators = dir.join("mutators");
    for (file, v) in objects.iter().filter(|(_, v)| v["apiVersion"].as_str().unwrap().starts_with("mutations.")) {
        write(&mutators, &file.file_name().unwrap().to_string_lossy(), &guardrail_engine::yaml::to_yaml(v));
    }
    let mut rules = String::new();
    for (_, v) in objects.iter().filter(|(_, v)| !v["apiVersion"].as_str().unwrap().starts_with("mutations.")) {
        rules.push_str(&format!("---\n{}", guardrail_engine::yaml::to_yaml(v)));
    }
    write(&dir, "rules.yaml", &rules);
    let (got, _) = judged(&[&dir.join("rules.yaml"), &mutators]);
    assert_eq!(got, reference, "two sources");

    // A chart that was not rendered.
    let chart = dir.join("chart");
    write(
        &chart,
        "constraint.yaml",
        "{{- if .Values.enabled }}\napiVersion: constraints.gatekeeper.sh/v1beta1\nkind: K8sPSPPrivilegedContainer\nmetadata:\n  name: {{ .Values.name }}\n{{- end }}\n",
    );
    let out = run(&["admit", "--policies", chart.to_str().unwrap(), "-"], &pod(BARE));
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("constraint.yaml:1:") && err.contains("invalid YAML"), "{err}");
    assert!(err.contains("help: this looks like a Helm template: render the chart first"), "{err}");
}

/// `guardrail policies` lists the set as guardrail sees it, with the file of each object and what was skipped.
#[test]
fn policies_lists_what_loaded_and_what_was_skipped() {
    let dir = scratch("list");
    write(
        &dir,
        "config.yaml",
        "apiVersion: config.gatekeeper.sh/v1alpha1\nkind: Config\nmetadata: {name: config, namespace: gatekeeper-system}\nspec:\n  match:\n  - excludedNamespaces: [kube-system]\n    processes: ['*']\n",
    );
    write(
        &dir,
        "cluster.yaml",
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n---\napiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n",
    );
    let out = run(&["policies", "-o", "json", "--policies", "policies", "--policies", dir.to_str().unwrap()], "");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["templates"].as_array().unwrap().len(), 16);
    assert_eq!(v["constraints"].as_array().unwrap().len(), 16);
    assert_eq!(v["mutators"].as_array().unwrap().len(), 11);
    let host = v["constraints"].as_array().unwrap().iter().find(|c| c["name"] == "psp-host-network").unwrap();
    assert_eq!((host["action"].as_str(), host["match"].as_str()), (Some("deny"), Some("Pod")));
    assert_eq!(host["file"], "policies/host-network/constraint.yaml");
    let configs = v["configs"].as_array().unwrap();
    assert_eq!(configs.len(), 2, "XKS's and this one: {configs:?}");
    assert!(
        configs.iter().any(|c| c["exempt"][0]["namespaces"] == serde_json::json!(["kube-system", "gatekeeper-system"]))
    );
    assert!(v["cluster"].as_array().unwrap().iter().any(|c| c["object"] == "Namespace shop"), "{}", v["cluster"]);
    assert_eq!(v["skipped"], serde_json::json!({"Kustomization": 1, "Suite": 16}));
    let out = run(&["policies"], "");
    let listing = text(&out.stdout);
    assert!(listing.starts_with("ConstraintTemplates (16)\n"), "{listing}");
    assert!(listing.contains("\nSkipped: 16 Suite\n"), "{listing}");
    assert!(listing.contains("\nConfig (1)\n  config  (policies/config/config.yaml)\n"), "{listing}");
}

/// `guardrail init` writes a site that checks, builds and verifies as it is; it refuses a folder with files in
/// it unless told to write there.
#[test]
fn init_writes_a_working_site() {
    let dir = scratch("init").join("docs");
    let site = dir.to_str().unwrap();
    let out = run(&["init", site], "");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("guardrail serve --root"), "{}", text(&out.stdout));
    for f in ["guardrail.toml", ".gitignore", "content/index.md", "content/writing-examples.md", "static/favicon.svg"] {
        assert!(dir.join(f).is_file(), "{f}");
    }
    let check = run(&["check", "--root", site], "");
    assert_eq!(check.status.code(), Some(0), "{}", text(&check.stderr));
    assert!(text(&check.stderr).starts_with("checked 2 pages, 3 examples checked;"), "{}", text(&check.stderr));
    let verify = run(&["verify", dir.join("policies").to_str().unwrap()], "");
    assert_eq!(verify.status.code(), Some(0), "{}", text(&verify.stdout));
    assert!(text(&verify.stdout).trim_end().ends_with("2 passed, 0 failed"));
    let build = run(&["build", "--root", site], "");
    assert_eq!(build.status.code(), Some(0), "{}", text(&build.stderr));
    let home = std::fs::read_to_string(dir.join("public/index.html")).expect("built");
    assert!(home.contains("Welcome") && home.contains("favicon.svg"), "{home}");
    // A folder with files in it is refused, and left as it is.
    std::fs::write(dir.join("content/index.md"), "# Mine\n").expect("edit");
    let again = run(&["init", site], "");
    assert_eq!(again.status.code(), Some(2));
    assert!(text(&again.stderr).contains("is not empty"), "{}", text(&again.stderr));
    assert_eq!(std::fs::read_to_string(dir.join("content/index.md")).unwrap(), "# Mine\n");
    let forced = run(&["init", "--force", site], "");
    assert_eq!(forced.status.code(), Some(0));
    assert!(std::fs::read_to_string(dir.join("content/index.md")).unwrap().contains("Welcome"));
}

/// Compares `actual` with the golden file `tests/fixtures/reports/<name>`; `GUARDRAIL_BLESS=1` rewrites it.
fn report_golden(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/reports").join(name);
    if std::env::var_os("GUARDRAIL_BLESS").is_some() {
        std::fs::write(&path, actual).expect("bless");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("missing golden {}", path.display()));
    assert_eq!(actual, expected, "{} differs (GUARDRAIL_BLESS=1 rewrites it)", path.display());
}

/// Every SARIF log guardrail writes is valid SARIF 2.1.0 (the OASIS schema, shipped as a fixture).
fn assert_valid_sarif(log: &Value) {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sarif-schema-2.1.0.json"))
            .expect("schema"),
    )
    .expect("schema JSON");
    let errors = guardrail_testkit::jsonschema::validate(&schema, log);
    assert!(errors.is_empty(), "not valid SARIF 2.1.0: {errors:#?}");
}

/// A site with a problem of three kinds: a wrong verdict, a broken link, an unknown component.
fn failing_site() -> PathBuf {
    let dir = scratch("reports-site");
    write(
        &dir,
        "guardrail.toml",
        &format!(
            "title = \"R\"\n[paths]\npolicies = \"{}\"\n",
            Path::new(env!("CARGO_MANIFEST_DIR")).join("policies").display()
        ),
    );
    std::fs::create_dir_all(dir.join("content")).unwrap();
    write(
        &dir,
        "content/page.md",
        "# Page\n\nSee [nothing](./nowhere).\n\n<Highlight>x</Highlight>\n\n```yaml\nhostNetwork: true\n```\n",
    );
    dir
}

#[test]
fn check_reports_for_github_and_code_scanning() {
    let dir = failing_site();
    let root = dir.to_str().unwrap();
    let out = run(&["check", "--format", "github", "--root", root], "");
    assert_eq!(out.status.code(), Some(1));
    let lines = text(&out.stdout);
    assert_eq!(lines.lines().count(), 3, "{lines}");
    assert!(lines.lines().all(|l| l.starts_with("::error file=content/page.md,line=")), "{lines}");
    report_golden("check.github.txt", &lines);
    let out = run(&["check", "--format", "sarif", "--root", root], "");
    assert_eq!(out.status.code(), Some(1));
    let log: Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    assert_valid_sarif(&log);
    let rules: Vec<&str> = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["broken-link", "example-verdict", "mdx-component"]);
    // The validator is not a rubber stamp: a level SARIF does not know is refused.
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["level"] = serde_json::json!("fatal");
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sarif-schema-2.1.0.json"))
            .expect("schema"),
    )
    .expect("schema JSON");
    assert!(!guardrail_testkit::jsonschema::validate(&schema, &broken).is_empty());
    report_golden("check.sarif.json", &text(&out.stdout));
    // A clean run writes a log with no results (code scanning then closes what was fixed).
    let out = run(&["check", "--format", "sarif"], "");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let log: Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    assert_valid_sarif(&log);
    assert_eq!(log["runs"][0]["results"], serde_json::json!([]));
}

#[test]
fn verify_reports_as_json_and_junit() {
    let dir = scratch("reports-verify");
    let policies = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/privileged-containers");
    for f in ["template.yaml", "constraint.yaml"] {
        std::fs::copy(policies.join(f), dir.join(f)).unwrap();
    }
    write(&dir, "ok.yaml", &pod(BARE));
    write(&dir, "bad.yaml", &pod(&format!("{BARE}    securityContext: {{privileged: true}}\n")));
    write(
        &dir,
        "suite.yaml",
        "apiVersion: test.gatekeeper.sh/v1alpha1\nkind: Suite\nmetadata: {name: s}\ntests:\n- name: privileged\n  template: template.yaml\n  constraint: constraint.yaml\n  cases:\n  - name: allowed\n    object: ok.yaml\n    assertions: [{violations: no}]\n  - name: wrongly-expected <clean> & \"quoted\"\n    object: bad.yaml\n    assertions: [{violations: no}]\n  - name: later\n    skip: true\n    object: ok.yaml\n",
    );
    let suite = dir.join("suite.yaml");
    let out = run(&["verify", "--format", "junit", suite.to_str().unwrap()], "");
    assert_eq!(out.status.code(), Some(1));
    let xml = text(&out.stdout).replace(&dir.display().to_string(), "<dir>");
    assert!(xml.contains("<testsuites name=\"guardrail verify\" tests=\"3\" failures=\"1\" skipped=\"1\">"), "{xml}");
    assert!(xml.contains("name=\"wrongly-expected &lt;clean&gt; &amp; &quot;quoted&quot;\""), "{xml}");
    report_golden("verify.junit.xml", &xml);
    let out = run(&["verify", "--format", "json", suite.to_str().unwrap()], "");
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!((v["passed"].as_u64(), v["failed"].as_u64(), v["skipped"].as_u64()), (Some(1), Some(1), Some(1)));
    assert_eq!(v["cases"][1]["status"], "failed");
    assert!(v["cases"][1]["message"].as_str().unwrap().contains("Privileged container is not allowed"), "{v}");
}

#[test]
fn admit_reports_violations_as_sarif() {
    let dir = scratch("reports-admit");
    let file = dir.join("manifests.yaml");
    std::fs::write(
        &file,
        format!(
            "{}---\n{}",
            pod(&format!("{BARE}    securityContext: {{privileged: true}}\n")),
            deployment(&format!("{BARE}    securityContext:\n      privileged: true\n"))
        ),
    )
    .unwrap();
    let out = run(&["admit", "--output", "sarif", file.to_str().unwrap()], "");
    assert_eq!(out.status.code(), Some(1));
    let log: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_valid_sarif(&log);
    let results = log["runs"][0]["results"].as_array().unwrap();
    let denied: Vec<&Value> = results.iter().filter(|r| r["level"] == "error").collect();
    assert_eq!(denied.len(), 2, "the Pod, and the Deployment's Pod: {results:#?}");
    assert_eq!(denied[0]["ruleId"], "K8sPSPPrivilegedContainer/psp-privileged-containers");
    assert_eq!(denied[1]["locations"][0]["physicalLocation"]["region"]["startLine"], 11);
    assert!(denied[1]["message"]["text"].as_str().unwrap().contains("(in Pod default/web-"), "{denied:#?}");
    assert!(results.iter().any(|r| r["level"] == "note"), "the readiness probe's dry run");
    report_golden("admit.sarif.json", &text(&out.stdout).replace(&dir.display().to_string(), "<dir>"));
}

/// Colour per stream, as `--color`, CLICOLOR_FORCE and NO_COLOR say (the tests' streams are pipes); `--quiet`
/// leaves only problems.
#[test]
fn colour_follows_the_flag_and_the_environment_and_quiet_is_quiet() {
    let privileged = pod(&format!("{BARE}    securityContext: {{privileged: true}}\n"));
    let coloured = |args: &[&str], env: &[(&str, &str)]| {
        let mut cmd = bin();
        cmd.args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
        cmd.env_remove("NO_COLOR").env_remove("CLICOLOR_FORCE");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("starts");
        child.stdin.take().expect("stdin").write_all(privileged.as_bytes()).expect("stdin");
        let out = child.wait_with_output().expect("finishes");
        (text(&out.stdout).contains('\u{1b}'), text(&out.stderr).contains('\u{1b}'))
    };
    assert_eq!(coloured(&["admit", "-"], &[]), (false, false), "pipes get no colour");
    assert_eq!(coloured(&["--color", "always", "admit", "-"], &[("NO_COLOR", "1")]), (true, true));
    assert_eq!(coloured(&["admit", "--color", "always", "-"], &[]), (true, true), "the flag goes anywhere");
    assert_eq!(coloured(&["admit", "-"], &[("CLICOLOR_FORCE", "1")]), (true, true));
    assert_eq!(coloured(&["admit", "-"], &[("CLICOLOR_FORCE", "0")]), (false, false));
    assert_eq!(coloured(&["--color", "never", "admit", "-"], &[("CLICOLOR_FORCE", "1")]), (false, false));
    let out = run(&["check", "--quiet"], "");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stderr), "", "nothing but problems");
    let out = run(&["check"], "");
    assert!(text(&out.stderr).starts_with("checked "), "{}", text(&out.stderr));
}

/// `admit` has the API server's strict decoding first: a typo is refused with kubectl's words (and the field it
/// most likely meant), goes no further, and fails the run as bad input (2); the other documents are admitted.
#[test]
fn admit_refuses_what_the_api_server_cannot_decode() {
    let typo = format!("{}    resources: {{request: {{cpu: 100m}}}}\n", pod(BARE));
    let both = format!("{typo}---\n{}", pod(BARE));
    let out = run(&["admit", "-"], &both);
    assert_eq!(out.status.code(), Some(2));
    let shown = text(&out.stdout);
    assert!(shown.starts_with("Pod web (<stdin>:1) refused by the API server\n  error strict decoding error: unknown field \"spec.containers[0].resources.request\" (did you mean `requests`?)\n"), "{shown}");
    assert!(shown.trim_end().ends_with("1 of 2 objects admitted"), "{shown}");
    let out = run(&["admit", "-o", "json", "-"], &both);
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["results"][0]["verdict"], "refused");
    assert_eq!(v["results"][1]["verdict"], "admitted");
    let psp = "apiVersion: policy/v1beta1\nkind: PodSecurityPolicy\nmetadata: {name: x}\n";
    let out = run(&["admit", "--kubernetes-version", "1.34", "-"], psp);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stdout).contains("no matches for kind \"PodSecurityPolicy\" in version \"policy/v1beta1\" (Kubernetes 1.34: policy/v1beta1 PodSecurityPolicy was removed in Kubernetes 1.25;"),
        "{}",
        text(&out.stdout)
    );
}

/// `verify --schema` decodes each case's object first, as the API server would: the project's flex-volume case
/// with a driverless volume (which gator judges, schema-blind) fails, naming the required field; the rest pass,
/// and without `--schema` it passes too.
#[test]
fn verify_decodes_case_objects_with_schema() {
    let out = run(&["verify", "policies/flex-volumes"], "");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    let out = run(&["verify", "--schema", "policies/flex-volumes"], "");
    assert_eq!(out.status.code(), Some(1));
    let shown = text(&out.stdout);
    assert!(shown.contains("FAIL policies/flex-volumes/suite.yaml flex-volumes // disallowed-flex-volume-without-driver\n    the API server (Kubernetes 1.37) refuses samples/disallowed-flex-volume-without-driver.yaml:\n      spec.volumes[1].flexVolume.driver: Required value\n"), "{shown}");
    assert!(shown.trim_end().ends_with("5 passed, 1 failed"), "{shown}");
    let dir = scratch("verify-schema");
    write(&dir, "template.yaml", &std::fs::read_to_string("policies/flex-volumes/template.yaml").unwrap());
    write(&dir, "constraint.yaml", &std::fs::read_to_string("policies/flex-volumes/constraint.yaml").unwrap());
    write(
        &dir,
        "typo.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  containers:\n  - name: a\n    image: x\n    imagePulPolicy: Always\n",
    );
    write(
        &dir,
        "suite.yaml",
        "apiVersion: test.gatekeeper.sh/v1alpha1\nkind: Suite\ntests:\n- name: t\n  template: template.yaml\n  constraint: constraint.yaml\n  cases:\n  - name: typo\n    object: typo.yaml\n    assertions: [{violations: no}]\n",
    );
    let out = run(&["verify", "--schema", "--kubernetes-version", "1.34", dir.to_str().unwrap()], "");
    assert!(text(&out.stdout).contains("the API server (Kubernetes 1.34) refuses typo.yaml:\n      strict decoding error: unknown field \"spec.containers[0].imagePulPolicy\" (did you mean `imagePullPolicy`?)"), "{}", text(&out.stdout));
    // --kubernetes-version goes with --schema only.
    assert_eq!(run(&["verify", "--kubernetes-version", "1.34", dir.to_str().unwrap()], "").status.code(), Some(2));
}

/// A reader that stops early (`| head`) ends the run quietly, never with a panic.
#[test]
fn a_closed_pipe_is_not_a_panic() {
    let many: String = (0..400).map(|_| format!("{}---\n", pod(BARE))).collect();
    let mut child = bin()
        .args(["admit", "-o", "json", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(many.as_bytes());
    });
    let mut first = [0u8; 16];
    use std::io::Read;
    child.stdout.take().expect("stdout").read_exact(&mut first).expect("some output");
    // stdout is dropped here: the reader went away.
    let out = child.wait_with_output().expect("finishes");
    writer.join().expect("writer");
    assert!(!text(&out.stderr).contains("panicked"), "{}", text(&out.stderr));
}

/// tests/fixtures/cel-library: the project's own ConstraintTemplates that use what gatekeeper-library's
/// K8sNativeValidation templates use (variable chains, `variables.params` and `anyObject`, three-argument `map`,
/// map literals, annotations, exempt image prefixes, UPDATE skips, a `matchCondition`, evaluation errors). All
/// but one also carry Rego whose messages are worded differently, so a suite shows which engine judged.
const CEL_LIBRARY: &str = "tests/fixtures/cel-library";

/// Cases in [`CEL_LIBRARY`]'s suites.
const CEL_LIBRARY_CASES: usize = 62;

/// `template` without its `- engine: <engine>` code entries (the entry's line and every line indented deeper).
fn without_engine(template: &str, engine: &str) -> String {
    let entry = format!("- engine: {engine}");
    let mut out = String::new();
    let mut dropping: Option<usize> = None;
    for line in template.lines() {
        let indent = line.len() - line.trim_start().len();
        if let Some(at) = dropping {
            if line.trim().is_empty() || indent > at {
                continue;
            }
            dropping = None;
        }
        if line.trim_end().trim_start() == entry {
            dropping = Some(indent);
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// Copies `from` into `to`, passing every template.yaml through `edit`.
fn copy_fixture(from: &Path, to: &Path, edit: &dyn Fn(&str) -> String) {
    std::fs::create_dir_all(to).expect("dir");
    for entry in std::fs::read_dir(from).expect("fixture dir") {
        let path = entry.expect("entry").path();
        let dest = to.join(path.file_name().expect("name"));
        if path.is_dir() {
            copy_fixture(&path, &dest, edit);
        } else if path.file_name().is_some_and(|n| n == "template.yaml") {
            std::fs::write(&dest, edit(&std::fs::read_to_string(&path).expect("template"))).expect("write");
        } else {
            std::fs::copy(&path, &dest).expect("copy");
        }
    }
}

/// A scratch copy of [`CEL_LIBRARY`] with one engine's code taken out of every template.
fn cel_library_without(engine: &str) -> PathBuf {
    let dir = scratch(&format!("cel-library-without-{engine}"));
    copy_fixture(Path::new(CEL_LIBRARY), &dir, &|t| without_engine(t, engine));
    dir
}

/// `verify --format json` of `dir`: the exit code and the report.
fn verify_json(dir: &Path) -> (Option<i32>, Value) {
    verify_json_with(dir, &[])
}

fn verify_json_with(dir: &Path, flags: &[&str]) -> (Option<i32>, Value) {
    let mut args = vec!["verify", "--format", "json"];
    args.extend_from_slice(flags);
    args.push(dir.to_str().unwrap());
    let out = run(&args, "");
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", text(&out.stdout), text(&out.stderr)));
    (out.status.code(), v)
}

/// Natively Rego runs on regorus' bytecode VM, in the browser on its interpreter: every case of the project's
/// policies and of the Rego-only CEL library (the Rego judging, its messages asserted against the CEL's) comes
/// out the same on both, message for message.
#[test]
fn the_bytecode_vm_and_the_interpreter_give_the_same_verdicts() {
    let rego_only = cel_library_without("K8sNativeValidation");
    for dir in [PathBuf::from("policies"), rego_only] {
        let (code, on_vm) = verify_json(&dir);
        let (same_code, interpreted) = verify_json_with(&dir, &["--rego-interpreter"]);
        assert_eq!(code, same_code, "{}", dir.display());
        let cases = on_vm["cases"].as_array().expect("cases");
        assert!(cases.len() >= 60, "{}: {} cases", dir.display(), cases.len());
        assert_eq!(on_vm["cases"], interpreted["cases"], "{}", dir.display());
    }
}

/// `(suite directory, test, case)` of every case of [`CEL_LIBRARY`] whose assertions all say `violations: no`.
fn cel_library_clean_cases() -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(CEL_LIBRARY).expect("fixture dir") {
        let dir = entry.expect("entry").path();
        let suite = std::fs::read_to_string(dir.join("suite.yaml")).expect("every fixture has a suite");
        let docs =
            guardrail_engine::yaml::load_documents(&suite, guardrail_engine::yaml::Schema::Core, &Default::default())
                .expect("suite yaml");
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        for test in docs[0].value["tests"].as_array().expect("tests") {
            for case in test["cases"].as_array().expect("cases") {
                if case["assertions"].as_array().expect("assertions").iter().all(|a| a["violations"] == "no") {
                    let id = |v: &Value| v.as_str().unwrap().to_string();
                    out.push((name.clone(), id(&test["name"]), id(&case["name"])));
                }
            }
        }
    }
    out
}

/// The suite directory, test and case of a case in `verify --format json`'s report.
fn case_id(c: &Value) -> (String, String, String) {
    let file = Path::new(c["file"].as_str().unwrap());
    let dir = file.parent().and_then(Path::file_name).unwrap().to_string_lossy().into_owned();
    (dir, c["test"].as_str().unwrap().to_string(), c["case"].as_str().unwrap().to_string())
}

#[test]
fn the_cel_library_fixtures_pass() {
    let out = run(&["verify", CEL_LIBRARY], "");
    let s = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{s}{}", text(&out.stderr));
    assert_eq!(s.trim_end(), format!("{CEL_LIBRARY_CASES} passed, 0 failed"));
}

/// With every Rego code entry taken out, the CEL alone passes every suite: it was the CEL that judged.
#[test]
fn the_cel_library_passes_on_cel_alone() {
    let dir = cel_library_without("Rego");
    let templates: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path().join("template.yaml")).unwrap())
        .collect();
    assert_eq!(templates.len(), 9);
    for t in &templates {
        assert!(t.contains("- engine: K8sNativeValidation") && !t.contains("engine: Rego"), "{t}");
        assert!(!t.contains("package k8scel"), "{t}");
    }
    let (code, v) = verify_json(&dir);
    assert_eq!(code, Some(0), "{v:#}");
    assert_eq!((v["passed"].as_u64(), v["failed"].as_u64()), (Some(CEL_LIBRARY_CASES as u64), Some(0)));
}

/// With the CEL taken out, the Rego judges: the cases that expect no violation still pass, and every case
/// that asserts a CEL message fails, the Rego's own words showing instead (the CEL-only template judges
/// nothing at all).
#[test]
fn the_cel_library_without_cel_is_judged_by_the_rego() {
    let dir = cel_library_without("K8sNativeValidation");
    let (code, v) = verify_json(&dir);
    assert_eq!(code, Some(1), "{v:#}");
    let clean = cel_library_clean_cases();
    assert_eq!(clean.len(), 26);
    let cases = v["cases"].as_array().expect("cases");
    assert_eq!(cases.len(), CEL_LIBRARY_CASES);
    let mut rego_words = Vec::new();
    for c in cases {
        let id = case_id(c);
        if clean.contains(&id) {
            assert_eq!(c["status"], "passed", "{id:?}: {c:#}");
            continue;
        }
        assert_eq!(c["status"], "failed", "{id:?} passed without the CEL: {c:#}");
        let why = c["message"].as_str().unwrap();
        assert!(why.starts_with("expected "), "{why}");
        // A violation list follows the expectation; the CEL-only template leaves it empty.
        match why.split_once('\n') {
            Some((_, listed)) => rego_words.push(listed.to_string()),
            None => assert_eq!(id.0, "host-network", "{why}"),
        }
    }
    assert_eq!(v["failed"].as_u64(), Some((CEL_LIBRARY_CASES - clean.len()) as u64));
    let rego = rego_words.join("\n");
    for words in [
        "privileged mode refused for app",
        "may not add the capabilities",
        "is not matched by ^team-[a-z]+$",
        "container app must mount its root filesystem read-only",
        "is outside the permitted ones",
    ] {
        assert!(rego.contains(words), "{words}: {rego}");
    }
    assert!(!rego.contains("resulted in error") && !rego.contains("failed expression"), "{rego}");
}
