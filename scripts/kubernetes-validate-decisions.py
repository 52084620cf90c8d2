#!/usr/bin/env python3
"""The `kubernetes-validate` package's decision on every object of a corpus (tests/fixtures/schema-corpus.jsonl),
strict, for one Kubernetes version: one JSON line per object, {"name", "accepted", "message"}. The differential
test (engine/tests/differential.rs) compares them with guardrail's.

    target/kubernetes-validate/bin/python scripts/kubernetes-validate-decisions.py CORPUS 1.37
"""
import json
import sys

import kubernetes_validate


def main():
    corpus, version = sys.argv[1], sys.argv[2]
    desired = f"{version}.0"
    out = sys.stdout
    with open(corpus) as f:
        for line in f:
            entry = json.loads(line)
            try:
                kubernetes_validate.validate(entry["object"], desired, strict=True)
                accepted, message = True, ""
            except kubernetes_validate.ValidationError as e:
                accepted, message = False, f"{'.'.join(str(p) for p in e.path)}: {e.message}"
            except kubernetes_validate.SchemaNotFoundError as e:
                accepted, message = False, str(e)
            except kubernetes_validate.InvalidSchemaError as e:
                accepted, message = False, str(e)
            out.write(json.dumps({"name": entry["name"], "accepted": accepted, "message": message[:300]}) + "\n")


if __name__ == "__main__":
    main()
