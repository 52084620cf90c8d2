#!/usr/bin/env bash
# Seeds each fuzz target's corpus from the project's own tests and fixtures.
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p corpus/location corpus/info_string corpus/fragment corpus/admit
i=0
for p in 'spec.containers[name:*].securityContext.allowPrivilegeEscalation' 'spec.containers[name:foo].image' \
         'metadata.labels."app.kubernetes.io/name"' 'spec.ports[containerPort:8080].protocol' "a['b c'][k:\"*\"].d" \
         'spec.' '[a:b]' 'a[x:1][y:2]' '"unterminated' 'spec.123' '0123_foo' 'a[name: ]' 'spec.foo bar'; do
  printf '%s' "$p" > "corpus/location/seed-$i"; i=$((i + 1))
done
i=0
for s in 'yaml' 'yaml expect=deny violates="K8sPSPPrivilegedContainer"' 'yml wrap=container namespace=team-a' \
         'yaml title="pod.yaml" novalidate' 'yaml expct=deny' 'yaml title="open' 'yaml violates=X' 'yaml wrap'; do
  printf '%s' "$s" > "corpus/info_string/seed-$i"; i=$((i + 1))
done
i=0
for f in ../policies/*/samples/*.yaml ../tests/bad_input/*/*.yaml ../examples/*.yaml; do
  [ -f "$f" ] || continue
  [ "$(stat -c %s "$f")" -lt 100000 ] || continue
  cp "$f" "corpus/admit/seed-$i.yaml"; cp "$f" "corpus/fragment/seed-$i.yaml"; i=$((i + 1))
done
for frag in 'securityContext:\n  privileged: true\n' 'hostNetwork: true\n' 'name: app\nimage: nginx\n' \
            'metadata: {name: x}\nspec: {containers: []}\n' 'securityContext:\n  runAsUser: 1000\n'; do
  printf "$frag" > "corpus/fragment/seed-$i"; i=$((i + 1))
done
echo "seeded: $(ls corpus/location | wc -l) location, $(ls corpus/info_string | wc -l) info_string, $(ls corpus/fragment | wc -l) fragment, $(ls corpus/admit | wc -l) admit"
