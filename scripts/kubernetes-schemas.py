#!/usr/bin/env python3
"""Regenerates engine/schemas/kubernetes-v*.json: the Kubernetes OpenAPI definitions guardrail validates
examples against (strict: unknown fields refused), per Kubernetes version.

Source: the PyPI package kubernetes-validate (pinned below), which ships, per Kubernetes version, the strict
JSON schemas generated from the Kubernetes OpenAPI documents (`vX.Y.0-local-strict/_definitions.json`). This
script keeps the definitions as they are, minus their `description` texts (documentation, 4/5 of the bytes),
written compactly with sorted keys so that a regeneration from the same package is byte-identical; the tests
pin the files' SHA-256.

    python3 scripts/kubernetes-schemas.py          # needs pip and PyPI
"""
import hashlib
import json
import pathlib
import subprocess
import sys
import tempfile
import zipfile

PACKAGE = "kubernetes-validate==1.37.0"
# The newest release and an older minor a cluster may still run.
VERSIONS = ["1.37", "1.34"]
OUT = pathlib.Path(__file__).resolve().parent.parent / "engine" / "schemas"


def strip(value):
    if isinstance(value, dict):
        return {k: strip(v) for k, v in value.items() if k != "description"}
    if isinstance(value, list):
        return [strip(v) for v in value]
    return value


def main():
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:", "-d", tmp, PACKAGE],
            check=True,
        )
        wheel = next(pathlib.Path(tmp).glob("kubernetes_validate-*.whl"))
        archive = zipfile.ZipFile(wheel)
        OUT.mkdir(parents=True, exist_ok=True)
        for version in VERSIONS:
            name = f"kubernetes_validate/kubernetes-json-schema/v{version}.0-local-strict/_definitions.json"
            definitions = json.loads(archive.read(name))["$defs"]
            text = json.dumps(strip(definitions), separators=(",", ":"), sort_keys=True) + "\n"
            path = OUT / f"kubernetes-v{version}.json"
            path.write_text(text)
            print(f"{hashlib.sha256(text.encode()).hexdigest()}  {path.relative_to(OUT.parent.parent)}  ({len(text)} bytes, {len(definitions)} definitions)")


if __name__ == "__main__":
    main()
