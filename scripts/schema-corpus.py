#!/usr/bin/env python3
"""Makes tests/fixtures/schema-corpus.jsonl: the objects the differential test decodes with guardrail and with
the `kubernetes-validate` package, one JSON object per line ({"name", "object"}).

The corpus is the project's own objects of built-in kinds (whole-object examples of content/ and examples/,
the sample objects of policies/ and of the test fixtures) and, for each, variants made here, valid and invalid:
unknown fields (top level, nested, the published `resources.request` typo), wrong types, missing required fields,
int-or-string and quantity fields, nulls, a removed apiVersion. Written as JSON so that both validators read the
very same values (no YAML 1.1/1.2 differences between PyYAML and guardrail).

    target/kubernetes-validate/bin/python scripts/schema-corpus.py     # needs PyYAML (kubernetes-validate has it)
    target/kubernetes-validate/bin/python scripts/schema-corpus.py --check   # fails if the corpus is stale
"""
import copy
import json
import pathlib
import re
import sys

import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "fixtures" / "schema-corpus.jsonl"


def built_in(obj):
    if not isinstance(obj, dict) or not isinstance(obj.get("apiVersion"), str) or not isinstance(obj.get("kind"), str):
        return False
    if obj["kind"] == "AdmissionReview":  # a suite's request around an object, not a resource anyone creates
        return False
    group = obj["apiVersion"].rpartition("/")[0]
    return group == "" or "." not in group or group.endswith(".k8s.io")


class Loader(yaml.SafeLoader):
    """YAML as the Kubernetes tools read it, but timestamps stay strings (JSON has no dates)."""


Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def documents(text):
    try:
        return [d for d in yaml.load_all(text, Loader=Loader) if d is not None]
    except yaml.YAMLError:
        return []


def base_objects():
    found = []
    for path in sorted(ROOT.glob("content/**/*.md")):
        text = path.read_text()
        for i, m in enumerate(re.finditer(r"^```ya?ml([^\n]*)\n(.*?)^```", text, re.S | re.M)):
            for j, d in enumerate(documents(m.group(2))):
                found.append((f"{path.relative_to(ROOT)}#{i}.{j}", d))
    for pattern in ["examples/**/*.yaml", "policies/**/samples/*.yaml", "tests/fixtures/**/*.yaml"]:
        for path in sorted(ROOT.glob(pattern)):
            for j, d in enumerate(documents(path.read_text())):
                found.append((f"{path.relative_to(ROOT)}#{j}", d))
    seen, out = set(), []
    for name, obj in found:
        if not built_in(obj) or obj.get("kind") == "List":
            continue
        key = json.dumps(obj, sort_keys=True)
        if key not in seen:
            seen.add(key)
            out.append((name, obj))
    return out


def pod_spec(obj):
    """The Pod spec inside a Pod or a workload, if there is one."""
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return None
    if obj["kind"] == "Pod":
        return spec
    if obj["kind"] == "CronJob":
        spec = ((spec.get("jobTemplate") or {}).get("spec") or {})
    template = spec.get("template")
    if isinstance(template, dict) and isinstance(template.get("spec"), dict):
        return template["spec"]
    return None


def first_container(obj):
    spec = pod_spec(obj)
    if spec is None:
        return None
    containers = spec.get("containers")
    if isinstance(containers, list) and containers and isinstance(containers[0], dict):
        return containers[0]
    return None


def variants(obj):
    """(suffix, object) pairs: what a writer's slip or a valid addition would make of `obj`."""
    out = []

    def variant(suffix, change):
        o = copy.deepcopy(obj)
        if change(o) is not False:
            out.append((suffix, o))

    def meta(o):
        return o.setdefault("metadata", {})

    variant("metadata-typo", lambda o: meta(o).__setitem__("lables", {"app": "web"}))
    variant("name-number", lambda o: meta(o).__setitem__("name", 12))
    variant("label-value-number", lambda o: meta(o).__setitem__("labels", {"tier": 3}))
    variant("annotations-null", lambda o: meta(o).__setitem__("annotations", None))
    variant("labels-valid", lambda o: meta(o).__setitem__("labels", {"app.kubernetes.io/name": "web"}))
    variant("top-level-unknown", lambda o: o.__setitem__("specs", {}))

    def spec_unknown(o):
        if not isinstance(o.get("spec"), dict):
            return False
        o["spec"]["replica"] = 2

    variant("spec-unknown", spec_unknown)

    if obj["kind"] in ("Deployment", "StatefulSet", "ReplicaSet", "DaemonSet", "Job", "CronJob"):
        def removed(o):
            o["apiVersion"] = {
                "Deployment": "extensions/v1beta1",
                "DaemonSet": "extensions/v1beta1",
                "ReplicaSet": "extensions/v1beta1",
                "StatefulSet": "apps/v1beta1",
                "Job": "batch/v2alpha1",
                "CronJob": "batch/v1beta1",
            }[o["kind"]]

        variant("removed-api-version", removed)

        def no_template(o):
            spec = o.get("spec") or {}
            if o["kind"] == "CronJob" or "template" not in spec:
                return False
            del spec["template"]

        variant("missing-template", no_template)

    if first_container(obj) is not None:
        def on_container(change):
            def apply(o):
                return change(first_container(o))
            return apply

        def on_pod_spec(change):
            def apply(o):
                return change(pod_spec(o))
            return apply

        variant("resources-request-typo", on_container(lambda c: c.__setitem__("resources", {"request": {"cpu": "100m"}})))
        variant("resources-valid", on_container(lambda c: c.__setitem__(
            "resources", {"requests": {"cpu": "100m", "memory": "64Mi"}, "limits": {"memory": 134217728}})))
        variant("image-pull-policy-typo", on_container(lambda c: c.__setitem__("imagePulPolicy", "Always")))
        variant("container-port-string", on_container(lambda c: c.__setitem__("ports", [{"containerPort": "8080"}])))
        variant("container-port-valid", on_container(lambda c: c.__setitem__(
            "ports", [{"name": "http", "containerPort": 8080, "protocol": "TCP"}])))
        variant("probe-named-port", on_container(lambda c: c.__setitem__(
            "readinessProbe", {"httpGet": {"path": "/healthz", "port": "http"}, "periodSeconds": 5})))
        variant("probe-port-list", on_container(lambda c: c.__setitem__(
            "livenessProbe", {"tcpSocket": {"port": [8080]}})))
        variant("container-without-name", on_container(lambda c: c.pop("name", None) is not None or False))
        variant("env-value-from", on_container(lambda c: c.__setitem__(
            "env", [{"name": "POD", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}])))
        variant("env-value-number", on_container(lambda c: c.__setitem__("env", [{"name": "COUNT", "value": 3}])))
        variant("security-context-valid", on_container(lambda c: c.__setitem__("securityContext", {
            "allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True, "runAsNonRoot": True,
            "capabilities": {"drop": ["ALL"]}, "seccompProfile": {"type": "RuntimeDefault"}})))
        variant("privileged-string", on_container(lambda c: c.__setitem__("securityContext", {"privileged": "yes"})))
        variant("capabilities-not-list", on_container(lambda c: c.__setitem__(
            "securityContext", {"capabilities": {"drop": "ALL"}})))
        variant("pod-security-context-on-container", on_container(lambda c: c.__setitem__(
            "securityContext", {"fsGroup": 2000})))
        variant("host-network-string", on_pod_spec(lambda s: s.__setitem__("hostNetwork", "true")))
        variant("volume-empty-dir", on_pod_spec(lambda s: s.__setitem__(
            "volumes", [{"name": "tmp", "emptyDir": {"sizeLimit": "1Gi"}}])))
        variant("volume-unknown-source", on_pod_spec(lambda s: s.__setitem__(
            "volumes", [{"name": "tmp", "emptyDirectory": {}}])))
        variant("tolerations-valid", on_pod_spec(lambda s: s.__setitem__(
            "tolerations", [{"key": "dedicated", "operator": "Equal", "value": "gpu", "effect": "NoSchedule"}])))
        # Checks the API server makes in code, beyond what a JSON Schema says: kubernetes-validate accepts these.
        variant("quantity-malformed", on_container(lambda c: c.__setitem__("resources", {"limits": {"memory": "1GB"}})))
        variant("int32-overflow", on_container(lambda c: c.__setitem__("ports", [{"containerPort": 4294967376}])))
        variant("containers-not-list", on_pod_spec(lambda s: s.__setitem__("containers", {"name": "a", "image": "b"})))
    return out


# Variants the API server refuses by checks a JSON Schema cannot state (kubernetes-validate accepts them): the
# differential test expects kubernetes-validate to accept them and guardrail to refuse them, as the API server does.
BEYOND_JSON_SCHEMA = {
    "quantity-malformed": "quantities are parsed by the API server (resource.ParseQuantity), not matched by the schema",
    "int32-overflow": "the schema's format int32 is not asserted by JSON Schema validators",
}


def main():
    lines = []
    for name, obj in base_objects():
        lines.append({"name": name, "object": obj})
        for suffix, v in variants(obj):
            line = {"name": f"{name}/{suffix}", "object": v}
            if suffix in BEYOND_JSON_SCHEMA:
                line["beyond_json_schema"] = BEYOND_JSON_SCHEMA[suffix]
            lines.append(line)
    text = "".join(json.dumps(l, sort_keys=True) + "\n" for l in lines)
    if "--check" in sys.argv:
        # The differential test: the committed corpus is what this script makes of the repository now.
        if OUT.read_text() != text:
            sys.exit(f"{OUT.relative_to(ROOT)} is stale: run scripts/schema-corpus.py")
        return
    OUT.write_text(text)
    print(f"{OUT.relative_to(ROOT)}: {len(lines)} objects")


if __name__ == "__main__":
    main()
