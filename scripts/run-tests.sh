#!/usr/bin/env bash
# Run the collection's checks. Without arguments: every stage, in order, stopping at the first
# failure. With arguments: only the named stages (lint build docs unit sanity molecule integration).
# Expects the environment `make` sets (PATH with .venv/bin, CONTAINERS_CONF, ANSIBLE_*).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
stages=("$@")
[ ${#stages[@]} -gt 0 ] || stages=(lint build docs unit sanity molecule integration)

declare -A took
stage_lint() {
  ruff check .
  ruff format --check plugins tests benchmarks scripts 2>/dev/null || ruff format --diff plugins tests benchmarks scripts
  yamllint -s .
  ansible-lint --profile production
  local pb
  for pb in playbooks/*.yml; do
    ansible-playbook -i inventory/hosts.yml --syntax-check "$pb" >/dev/null
    echo "syntax-check $pb: ok"
  done
}
stage_build() {
  local out=.cache/build
  rm -rf "$out"; mkdir -p "$out"
  ansible-galaxy collection build --force --output-path "$out" . >/dev/null
  local tarball
  tarball=$(ls "$out"/netattest-tls_syslog-*.tar.gz)
  echo "built $tarball"
  # The tarball must carry the plugins, roles and playbooks, and none of tests, venv or caches.
  local listing
  listing=$(tar tzf "$tarball")
  if grep -E '^(tests|\.venv|\.cache|\.git|\.ci|benchmarks/results|demo)(/|$)|__pycache__' <<<"$listing"; then
    echo "build: the tarball carries files it must not (above)" >&2; return 1
  fi
  local must
  for must in MANIFEST.json plugins/modules/pem_bundle.py plugins/filter/onegate_log.py roles/rsyslog_tls/tasks/main.yml \
      roles/aws_infra/meta/argument_specs.yml playbooks/site.yml meta/runtime.yml; do
    grep -qx "$must" <<<"$listing" || { echo "build: $must missing from the tarball" >&2; return 1; }
  done
  echo "tarball: $(wc -l <<<"$listing") entries, no tests/venv/caches"
}
stage_docs() {
  local m f
  for m in plugins/modules/*.py; do
    m=$(basename "$m" .py)
    ansible-doc "netattest.tls_syslog.$m" >/dev/null
    echo "ansible-doc netattest.tls_syslog.$m: ok"
  done
  for f in $(.venv/bin/python - <<'PY'
import ast, pathlib
for p in sorted(pathlib.Path("plugins/filter").glob("*.py")):
    if p.name.startswith("_"):
        continue
    tree = ast.parse(p.read_text())
    # one documented filter per file: the file name is the filter name
    if any(isinstance(n, ast.Assign) and any(getattr(t, "id", "") == "DOCUMENTATION" for t in n.targets) for n in tree.body):
        print(p.stem)
PY
); do
    ansible-doc -t filter "netattest.tls_syslog.$f" >/dev/null
    echo "ansible-doc -t filter netattest.tls_syslog.$f: ok"
  done
}
stage_unit() {
  python -m pytest -q tests/unit
}
stage_sanity() {
  scripts/sanity.sh
}
stage_molecule() {
  scripts/test-molecule.sh
}
stage_integration() {
  python -m pytest -q -s tests/integration
}

for s in "${stages[@]}"; do
  echo "=== stage: $s"
  start=$(date +%s)
  "stage_$s"
  took[$s]=$(( $(date +%s) - start ))
  echo "=== stage $s passed in ${took[$s]} s"
done
echo "=== all stages passed: ${stages[*]}"
for s in "${stages[@]}"; do printf '  %-12s %5s s\n' "$s" "${took[$s]}"; done
