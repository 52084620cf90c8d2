use super::*;
use guardrail_engine::policy::PolicyText;

/// The repository's policies/ as a bundle, as `guardrail build` makes it (the same skipping of `samples/`, the
/// same loading).
fn repo_bundle() -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    let mut stack = vec![root.join("policies")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() && !path.ends_with("samples") {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "yaml") {
                let name = path.strip_prefix(&root).unwrap().display().to_string();
                files.push((name, std::fs::read_to_string(&path).unwrap()));
            }
        }
    }
    files.sort();
    let texts: Vec<PolicyText<'_>> = files.iter().map(|(name, text)| PolicyText { name, text }).collect();
    let (mut set, sources) = PolicySet::load_sources(&texts, &Limits::default()).unwrap();
    set.set_cluster(sources.cluster).unwrap();
    set.set_api_server(guardrail_engine::admission::ApiServer::new(guardrail_engine::schema::NEWEST));
    serde_json::to_string(&Bundle::from_set(&set, "")).unwrap()
}

fn playground() -> Playground {
    Playground::load(&repo_bundle()).unwrap()
}

const PRIVILEGED: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: root\nspec:\n  containers:\n  - name: app\n    image: nginx\n    securityContext:\n      privileged: true\n";
const BARE: &str =
    "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - name: app\n    image: nginx\n";

#[test]
fn a_privileged_pod_is_rejected_with_the_constraints_message() {
    let out = playground().admit(PRIVILEGED, "default", "");
    assert_eq!(out.error, None);
    let d = &out.documents[0];
    assert_eq!((d.verdict.as_str(), d.kind.as_str(), d.name.as_str(), d.line), ("rejected", "Pod", "root", 1));
    let v = d.violations.iter().find(|v| v.constraint.starts_with("K8sPSPPrivilegedContainer/")).unwrap();
    assert_eq!(v.action, "deny");
    assert!(v.message.contains("Privileged container is not allowed: <app>"), "{}", v.message);
    assert!(d.denial.as_deref().unwrap_or("").contains("Privileged container is not allowed"));
    assert!(d.constraints.iter().any(|c| c.starts_with("K8sPSPPrivilegedContainer/")));
}

#[test]
fn a_bare_pod_gets_the_deployed_defaults_marked_as_added() {
    let out = playground().admit(BARE, "default", "");
    let d = &out.documents[0];
    assert_eq!(d.verdict, "mutated", "{d:?}");
    let added: Vec<&str> = d.after.iter().filter(|l| l.added).map(|l| l.text.trim()).collect();
    for want in [
        "allowPrivilegeEscalation: false",
        "readOnlyRootFilesystem: true",
        "- NET_RAW",
        "- CAP_SYS_ADMIN",
        "type: RuntimeDefault",
        "automountServiceAccountToken: false",
    ] {
        assert!(added.contains(&want), "{want} not among the added lines {added:?}");
    }
    assert!(!d.after.iter().any(|l| l.added && l.text.contains("image: nginx")));
    // The API server's ServiceAccount plugin mounted the token before the Assign set the field.
    assert_eq!(d.mutators.len(), 6, "{:?}", d.mutators);
    assert_eq!(d.mutators[0], "ServiceAccount");
    assert!(added.contains(&"mountPath: /var/run/secrets/kubernetes.io/serviceaccount"), "{added:?}");
    assert!(!d.patch.is_empty());
}

#[test]
fn yaml_errors_carry_line_and_column_and_stop_judging() {
    let out = playground().admit("apiVersion: v1\nkind: Pod\nmetadata:\n  name: [x\n", "default", "");
    let e = out.error.unwrap();
    assert!(e.line >= 4, "{e:?}");
    assert!(out.documents.is_empty());
    let out = playground().admit("apiVersion: v1\nkind: Pod\nmetadata:\n\tname: x\n", "default", "");
    let e = out.error.unwrap();
    assert_eq!((e.line, e.column), (4, 2));
    assert!(e.message.contains("tabs"), "{e:?}");
}

#[test]
fn several_documents_fragments_and_forced_wraps() {
    let mut p = playground();
    let text = format!("{PRIVILEGED}---\n{BARE}---\nsecurityContext:\n  privileged: true\n---\nreplicas: 3\n");
    let out = p.admit(&text, "default", "");
    let verdicts: Vec<&str> = out.documents.iter().map(|d| d.verdict.as_str()).collect();
    assert_eq!(verdicts, ["rejected", "mutated", "rejected", "error"]);
    assert_eq!(out.documents[2].kind, "Pod (container fragment)");
    assert_eq!(out.documents[2].line, 21);
    assert!(out.documents[3].problem.as_ref().unwrap().message.contains("cannot tell"));
    // A Pod-or-container securityContext is ambiguous until the reader says what it is.
    let sc = "securityContext:\n  runAsNonRoot: true\n";
    assert_eq!(p.admit(sc, "default", "").documents[0].verdict, "error");
    assert_eq!(p.admit(sc, "default", "container").documents[0].kind, "Pod (container fragment)");
    // A whole object is never wrapped.
    assert_eq!(p.admit(BARE, "default", "container").documents[0].kind, "Pod");
}

#[test]
fn hostile_input_is_refused_by_the_engines_limits() {
    let mut p = playground();
    let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..10 {
        let refs = vec![format!("*a{}", i - 1); 10].join(", ");
        bomb.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
    }
    let e = p.admit(&bomb, "default", "").error.unwrap();
    assert!(e.message.contains("limits.max_nodes"), "{e:?}");
    let huge = format!("a: \"{}\"\n", "x".repeat(5 * 1024 * 1024));
    let e = p.admit(&huge, "default", "").error.unwrap();
    assert!(e.message.contains("limits.max_document_bytes"), "{e:?}");
    let deep = "[".repeat(10_000);
    assert!(p.admit(&deep, "default", "").error.unwrap().message.contains("limits.max_depth"));
}

#[test]
fn info_names_versions_and_policies() {
    let bundle = repo_bundle();
    let p = Playground::load(&bundle).unwrap();
    let info = p.info();
    assert_eq!(info.engine, env!("CARGO_PKG_VERSION"));
    assert_eq!(info.policies.len(), 16);
    assert!(info.constraints.iter().any(|c| c.id.starts_with("K8sPSPPrivilegedContainer/") && c.action == "deny"));
    assert_eq!(info.mutators.len(), 11);
    // The version follows the content.
    // The version follows the content: the policies and the cluster state.
    let mut b: Bundle = serde_json::from_str(&bundle).unwrap();
    let version = |b: &Bundle| {
        let mut all = b.policies.clone();
        all.extend(b.cluster.iter().cloned());
        Bundle::new(all).version
    };
    assert_eq!(version(&b), info.policies);
    b.policies[0].object["metadata"]["name"] = serde_json::json!("renamed");
    assert_ne!(version(&b), info.policies);
    // Suites are not policies and are not shipped.
    let b: Bundle = serde_json::from_str(&bundle).unwrap();
    assert!(b.policies.iter().all(|p| !p.file.ends_with("suite.yaml")));
    let of = |kind: &str| b.policies.iter().filter(|p| p.object["kind"] == kind).count();
    assert_eq!(of("ConstraintTemplate"), info.constraints.len(), "one constraint per template in policies/");
    assert_eq!(of("Config"), 1);
    assert_eq!(b.policies.len(), 2 * info.constraints.len() + info.mutators.len() + 1);
}

#[test]
fn bad_bundles_are_errors() {
    assert!(matches!(Playground::load("{"), Err(LoadError::Bundle(_))));
    // A bundle no build would ship: a Pod among the policies.
    let pod = serde_json::json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "x"}});
    let bad = Bundle::new(vec![BundleObject { file: "policies/x.yaml".into(), object: pod }]);
    let err = Playground::load(&serde_json::to_string(&bad).unwrap()).unwrap_err().to_string();
    assert!(
        err.contains("policies/x.yaml:1:") && err.contains("Pod x is not a policy object (ConstraintTemplate"),
        "{err}"
    );
}

#[test]
fn a_deployment_shows_the_pods_its_replicaset_creates() {
    let deployment = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n      - name: app\n        image: nginx\n        securityContext:\n          privileged: true\n";
    let out = playground().admit(deployment, "default", "");
    let d = &out.documents[0];
    assert_eq!(
        (d.kind.as_str(), d.verdict.as_str(), d.made_rejected.as_deref()),
        ("Deployment", "rejected", Some("Pod"))
    );
    assert!(d.violations.is_empty(), "the Deployment itself breaks no rule");
    let kinds: Vec<(&str, &str)> = d.made.iter().map(|m| (m.kind.as_str(), m.verdict.as_str())).collect();
    assert_eq!(kinds, [("ReplicaSet", "admitted"), ("Pod", "rejected")]);
    let pod = &d.made[1];
    assert_eq!(pod.origin, "created by the replicaset-controller");
    assert!(pod.event.as_deref().unwrap().starts_with(
        "Error creating: admission webhook \"validation.gatekeeper.sh\" denied the request: [psp-privileged-containers]"
    ));
    assert!(
        pod.after.iter().any(|l| l.added && l.text.contains("readOnlyRootFilesystem")),
        "the Pod is mutated, marked"
    );
    let fine = playground().admit(&deployment.replace("privileged: true", "privileged: false"), "default", "");
    assert_eq!((fine.documents[0].verdict.as_str(), fine.documents[0].made_rejected.as_deref()), ("admitted", None));
}

#[test]
fn a_fragment_is_judged_by_what_it_shows() {
    let mut p = playground();
    // The Pod made up around it gets the Pod-level defaults; the fragment itself comes out as written.
    let written = "securityContext:\n  allowPrivilegeEscalation: false\n  capabilities:\n    drop: [ALL]\n  readOnlyRootFilesystem: true\n";
    let d = &p.admit(written, "default", "container").documents[0];
    assert_eq!((d.verdict.as_str(), d.mutators.len()), ("admitted", 0), "{d:?}");
    // A bare container is changed by the container defaults only, not by the Pod-level ones.
    let d = &p.admit("name: app\nimage: nginx\n", "default", "container").documents[0];
    assert_eq!(d.verdict, "mutated", "{d:?}");
    assert!(d.mutators.iter().all(|m| m.starts_with("Assign/xks-container-")), "{:?}", d.mutators);
    assert_eq!(d.mutators.len(), 3, "{:?}", d.mutators);
}

#[test]
fn the_api_server_decodes_first_with_the_same_messages_at_their_lines() {
    let mut p = playground();
    // The published typo: refused at its line and column, with what it most likely meant.
    let typo = format!("{BARE}    resources:\n      request: {{cpu: 100m}}\n");
    let d = &p.admit(&typo, "default", "").documents[0];
    assert_eq!(d.verdict, "refused", "{d:?}");
    assert!(d.violations.is_empty() && d.after.is_empty(), "it never reaches admission");
    assert_eq!(
        d.refused,
        [Problem {
            line: 10,
            column: 7,
            message: "strict decoding error: unknown field \"spec.containers[0].resources.request\"".into(),
            hint: Some("did you mean `requests`?".into()),
        }]
    );
    assert_eq!(d.problem.as_ref(), d.refused.first());
    // A fragment's errors are at its own lines (the Pod made around it is not shown).
    let d = &p.admit("name: app\nimage: nginx\nports:\n- containerPort: http-port\n", "default", "").documents[0];
    assert_eq!(d.verdict, "refused");
    assert_eq!((d.refused[0].line, d.refused[0].column), (4, 3), "{:?}", d.refused);
    assert!(d.refused[0].message.starts_with("spec.containers[0].ports[0].containerPort: Invalid value"));
    // A removed API, with the release that removed it.
    let psp = "apiVersion: policy/v1beta1\nkind: PodSecurityPolicy\nmetadata: {name: x}\n";
    let d = &p.admit(psp, "default", "").documents[0];
    assert_eq!((d.verdict.as_str(), d.refused[0].line), ("refused", 1));
    assert!(d.refused[0].hint.as_deref().unwrap_or("").contains("removed in Kubernetes 1.25"), "{d:?}");
    // A custom resource: judged, marked as not decoded.
    let hr = "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: x, namespace: a}\nspec: {anything: 1}\n";
    let d = &p.admit(hr, "default", "").documents[0];
    assert_eq!(d.no_schema.as_deref(), Some("HelmRelease (helm.toolkit.fluxcd.io/v2)"));
    assert!(d.refused.is_empty() && d.verdict != "refused", "{d:?}");
    // A CI pipeline is not taken for a container.
    let pipeline = "trigger: [main]\nname: nightly\nresources:\n  repositories: []\nsteps:\n- script: make\n";
    let d = &p.admit(pipeline, "default", "").documents[0];
    assert_eq!(d.verdict, "error");
    assert!(d.problem.as_ref().unwrap().message.contains("`trigger`, `steps` are fields of no Pod"), "{d:?}");
}

#[test]
fn the_bundle_names_the_kubernetes_version() {
    let mut b: Bundle = serde_json::from_str(&repo_bundle()).unwrap();
    b.kubernetes_version = "1.34".into();
    let flex = "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  containers: [{name: a, image: x}]\n  volumes: [{name: v, flexVolume: {}}]\n";
    let mut p = Playground::load(&serde_json::to_string(&b).unwrap()).unwrap();
    // A missing required field is found by the object's validation, after mutation, in the API server's words.
    let d = &p.admit(flex, "default", "").documents[0];
    assert_eq!(d.verdict, "rejected", "{d:?}");
    assert_eq!(d.denial.as_deref(), Some("Pod \"a\" is invalid: spec.volumes[0].flexVolume.driver: Required value"));
    b.kubernetes_version = "1.20".into();
    let err = Playground::load(&serde_json::to_string(&b).unwrap()).unwrap_err().to_string();
    assert!(err.contains("Kubernetes 1.20 is not a version this engine ships"), "{err}");
}

// ---- the playground for policy authors ----

fn site_docs(p: &Playground) -> Vec<PolicyDoc> {
    p.site_documents().iter().map(|d| PolicyDoc { id: d.id.clone(), text: d.text.clone(), enabled: true }).collect()
}

fn rejected_by(out: &Outcome, kind: &str) -> bool {
    out.documents[0].violations.iter().any(|v| v.constraint.starts_with(&format!("{kind}/")) && v.action == "deny")
}

/// The template of tests/fixtures/playground/owner-policy.yaml (the browser tests' too), without its constraint.
fn owner_template() -> &'static str {
    const ALL: &str = include_str!("../../tests/fixtures/playground/owner-policy.yaml");
    ALL.split_once("---\n").map_or(ALL, |(template, _)| template)
}

fn owner_constraint(extra: &str) -> String {
    format!(
        "apiVersion: constraints.gatekeeper.sh/v1beta1\nkind: K8sImmutableOwner\nmetadata:\n  name: owner\nspec:\n  match:\n    kinds:\n    - apiGroups: [\"\"]\n      kinds: [Pod]\n{extra}"
    )
}

#[test]
fn the_site_documents_are_the_bundles_objects_as_yaml() {
    let p = playground();
    let docs = p.site_documents();
    assert!(docs.iter().any(|d| d.kind == "ConstraintTemplate" && !d.cluster));
    assert!(docs.iter().all(|d| d.id.starts_with("site:") && !d.text.is_empty()));
    let privileged = docs.iter().find(|d| d.kind == "K8sPSPPrivilegedContainer").unwrap();
    assert!(privileged.text.starts_with("apiVersion: constraints.gatekeeper.sh/v1beta1\n"), "{}", privileged.text);
    assert!(privileged.file.starts_with("policies/"), "{}", privileged.file);
}

#[test]
fn switching_a_constraint_off_or_editing_it_changes_the_verdict() {
    let mut p = playground();
    assert!(rejected_by(&p.admit(PRIVILEGED, "default", ""), "K8sPSPPrivilegedContainer"));
    let mut docs = site_docs(&p);
    // The same set, as the site ships it: judged alike, and named by the bundle's version.
    let same = p.set_policies(&docs);
    assert!(same.problems.is_empty(), "{:?}", same.problems);
    assert_ne!(same.info.policies, "edited");
    assert!(rejected_by(&p.admit(PRIVILEGED, "default", ""), "K8sPSPPrivilegedContainer"));
    // Switched off: nothing denies the Pod for being privileged.
    let i = p.site_documents().iter().position(|d| d.kind == "K8sPSPPrivilegedContainer").unwrap();
    docs[i].enabled = false;
    let off = p.set_policies(&docs);
    assert_eq!(off.info.policies, "edited");
    assert!(!off.info.constraints.iter().any(|c| c.id.starts_with("K8sPSPPrivilegedContainer/")));
    assert!(!rejected_by(&p.admit(PRIVILEGED, "default", ""), "K8sPSPPrivilegedContainer"));
    // Edited: the same constraint, warning instead of denying.
    docs[i].enabled = true;
    docs[i].text = docs[i].text.replace("enforcementAction: deny", "enforcementAction: warn");
    assert!(docs[i].text.contains("enforcementAction: warn"), "{}", docs[i].text);
    assert!(p.set_policies(&docs).problems.is_empty());
    let out = p.admit(PRIVILEGED, "default", "");
    let d = &out.documents[0];
    assert!(d.violations.iter().any(|v| v.constraint.starts_with("K8sPSPPrivilegedContainer/") && v.action == "warn"));
    assert!(!rejected_by(&out, "K8sPSPPrivilegedContainer"));
}

#[test]
fn a_broken_policy_is_named_at_its_line_and_the_rest_still_judge() {
    let mut p = playground();
    let mut docs = site_docs(&p);
    let broken = owner_template().replace("old != new", "old != ");
    docs.push(PolicyDoc { id: "added:1".into(), text: broken, enabled: true });
    docs.push(PolicyDoc { id: "added:2".into(), text: owner_constraint(""), enabled: true });
    let out = p.set_policies(&docs);
    let t = out.problems.iter().find(|x| x.id == "added:1").unwrap_or_else(|| panic!("{:?}", out.problems));
    // The Rego error, at its line in the template's text.
    assert!(t.line > 10, "{t:?}");
    // Its constraint has no template then, and says so; the site's policies still judge.
    assert!(out.problems.iter().any(|x| x.id == "added:2"), "{:?}", out.problems);
    assert!(rejected_by(&p.admit(PRIVILEGED, "default", ""), "K8sPSPPrivilegedContainer"));
    // YAML that does not parse, at its line and column.
    docs.truncate(docs.len() - 2);
    docs.push(PolicyDoc { id: "added:3".into(), text: "kind: [\n".into(), enabled: true });
    let out = p.set_policies(&docs);
    let y = &out.problems[0];
    assert_eq!((y.id.as_str(), y.line), ("added:3", 2), "{y:?}");
}

#[test]
fn the_request_reaches_old_object_and_user_info() {
    let mut p = playground();
    let mut docs = site_docs(&p);
    docs.push(PolicyDoc { id: "added:t".into(), text: owner_template().into(), enabled: true });
    docs.push(PolicyDoc { id: "added:c".into(), text: owner_constraint(""), enabled: true });
    assert!(p.set_policies(&docs).problems.is_empty());
    let pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  labels: {owner: team-b}\nspec:\n  containers:\n  - name: app\n    image: nginx\n";
    let old = pod.replace("team-b", "team-a");
    // CREATE: no old object, nothing to compare.
    let create = RequestIn { operation: "CREATE".into(), namespace: "default".into(), ..RequestIn::default() };
    assert!(!rejected_by(&p.admit_request(pod, &create), "K8sImmutableOwner"));
    // UPDATE with the old object: the template reads it.
    let update = RequestIn { operation: "UPDATE".into(), old_object: old.clone(), ..create.clone() };
    let out = p.admit_request(pod, &update);
    assert!(rejected_by(&out, "K8sImmutableOwner"), "{:?}", out.documents[0].violations);
    assert!(out.documents[0].violations.iter().any(|v| v.message == "the owner label cannot change from team-a"));
    // An old object that does not parse is marked in its editor; the object is judged without it.
    let bad = RequestIn { old_object: "a: [\n".into(), ..update.clone() };
    let out = p.admit_request(pod, &bad);
    assert_eq!(out.old_error.as_ref().map(|e| e.line), Some(2));
    assert!(!rejected_by(&out, "K8sImmutableOwner"));
    // userInfo.username: one user is denied, another admitted.
    docs.pop();
    docs.push(PolicyDoc {
        id: "added:c".into(),
        text: owner_constraint("  parameters:\n    adminOnly: true\n"),
        enabled: true,
    });
    assert!(p.set_policies(&docs).problems.is_empty());
    let alice = RequestIn { username: "alice".into(), groups: vec!["dev".into()], ..create.clone() };
    let out = p.admit_request(pod, &alice);
    assert!(out.documents[0].violations.iter().any(|v| v.message == "only admin may do this, not alice"));
    let admin = RequestIn { username: "admin".into(), ..create.clone() };
    assert!(!rejected_by(&p.admit_request(pod, &admin), "K8sImmutableOwner"));
}

#[test]
fn namespace_labels_select_a_constraints_namespace_selector() {
    let mut p = playground();
    let mut docs = site_docs(&p);
    docs.push(PolicyDoc { id: "added:t".into(), text: owner_template().into(), enabled: true });
    let selected = owner_constraint(
        "    namespaceSelector:\n      matchLabels: {env: prod}\n  parameters:\n    adminOnly: true\n",
    );
    docs.push(PolicyDoc { id: "added:c".into(), text: selected, enabled: true });
    assert!(p.set_policies(&docs).problems.is_empty());
    let labels = |env: &str| RequestIn {
        namespace: "shop".into(),
        username: "alice".into(),
        namespace_labels: [("env".to_string(), env.to_string())].into(),
        ..RequestIn::default()
    };
    assert!(rejected_by(&p.admit_request(BARE, &labels("prod")), "K8sImmutableOwner"));
    assert!(!rejected_by(&p.admit_request(BARE, &labels("dev")), "K8sImmutableOwner"));
    // A Namespace added as cluster state labels it as well.
    docs.push(PolicyDoc {
        id: "added:ns".into(),
        text: "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels: {env: prod}\n".into(),
        enabled: true,
    });
    assert!(p.set_policies(&docs).problems.is_empty());
    let plain = RequestIn { namespace: "shop".into(), username: "alice".into(), ..RequestIn::default() };
    assert!(rejected_by(&p.admit_request(BARE, &plain), "K8sImmutableOwner"));
}

#[test]
fn an_admission_review_is_judged_with_its_request_and_answered_as_a_webhook_would() {
    let mut p = playground();
    let review = format!(
        "apiVersion: admission.k8s.io/v1\nkind: AdmissionReview\nrequest:\n  uid: 705ab4f5-6393-11e8-b7cc-42010a800002\n  operation: CREATE\n  namespace: default\n  userInfo: {{username: alice}}\n  object:\n{}",
        PRIVILEGED.lines().map(|l| format!("    {l}\n")).collect::<String>()
    );
    let out = p.admit_request(&review, &RequestIn::default());
    let d = &out.documents[0];
    assert!(d.review && d.verdict == "rejected", "{d:?}");
    let r = &d.response;
    assert_eq!((r["apiVersion"].as_str(), r["kind"].as_str()), (Some("admission.k8s.io/v1"), Some("AdmissionReview")));
    assert_eq!(r["response"]["uid"], "705ab4f5-6393-11e8-b7cc-42010a800002");
    assert_eq!(r["response"]["allowed"], false);
    assert_eq!(r["response"]["status"]["code"], 403);
    assert!(r["response"]["status"]["message"].as_str().unwrap().contains("Privileged container is not allowed"));
    // A Pod the policies mutate: Gatekeeper's patch, base64, as the API server applies it.
    let out = p.admit_request(BARE, &RequestIn { namespace: "default".into(), ..RequestIn::default() });
    let r = &out.documents[0].response["response"];
    assert_eq!((r["allowed"].as_bool(), r["patchType"].as_str()), (Some(true), Some("JSONPatch")), "{r}");
    let patch = r["patch"].as_str().unwrap();
    assert!(patch.len().is_multiple_of(4) && patch.chars().all(|c| c.is_ascii_alphanumeric() || "+/=".contains(c)));
}

#[test]
fn a_case_exports_as_a_gator_suite() {
    let mut p = playground();
    let files = p.suite(PRIVILEGED, &RequestIn { namespace: "default".into(), ..RequestIn::default() }).unwrap();
    let suite = &files[0];
    assert_eq!(suite.path, "suite.yaml");
    assert!(suite.text.contains("kind: Suite") && suite.text.contains("apiVersion: test.gatekeeper.sh/v1alpha1"));
    assert!(suite.text.contains("- violations: \"yes\"") || suite.text.contains("- violations: yes"), "{}", suite.text);
    assert!(files.iter().any(|f| f.path.starts_with("templates/k8spspprivilegedcontainer")));
    assert!(files.iter().any(|f| f.path == "object.yaml" && f.text.contains("privileged: true")));
    // With a user, the object is an AdmissionReview that carries the request.
    let with_user = RequestIn { operation: "CREATE".into(), username: "alice".into(), ..RequestIn::default() };
    let files = p.suite(PRIVILEGED, &with_user).unwrap();
    let object = files.iter().find(|f| f.path == "object.yaml").unwrap();
    assert!(
        object.text.contains("kind: AdmissionReview") && object.text.contains("username: alice"),
        "{}",
        object.text
    );
    // Nothing judges a ConfigMap: no suite.
    let cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n";
    assert!(p.suite(cm, &RequestIn::default()).unwrap_err().contains("no constraint judged"));
}

#[test]
fn an_edit_compiles_only_the_template_it_changed() {
    let mut p = playground();
    let mut docs = site_docs(&p);
    p.set_policies(&docs);
    let compiled = p.cache.len();
    assert!(compiled > 5, "{compiled}");
    let i = p.site_documents().iter().position(|d| d.kind == "ConstraintTemplate").unwrap();
    docs[i].text = docs[i].text.replace("msg :=", "msg  :=");
    assert!(p.set_policies(&docs).problems.is_empty());
    assert_eq!(p.cache.len(), compiled + 1);
}
