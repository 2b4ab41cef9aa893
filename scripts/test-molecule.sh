#!/usr/bin/env bash
# Run `molecule test` for every scenario in extensions/molecule (collection mode), one after the other, and fail if
# any fails. Prints the time of each scenario. Expects the Makefile's environment (PATH with .venv/bin,
# CONTAINERS_CONF, ANSIBLE_*); the image localhost/netattest-debian-systemd:12 comes from scripts/setup.sh.
set -uo pipefail
cd "$(dirname "$0")/.."
export MOLECULE_NO_LOG=false NO_COLOR=1 ANSIBLE_FORCE_COLOR=0
scenarios=()
for f in extensions/molecule/*/molecule.yml; do
  scenarios+=("$(basename "$(dirname "$f")")")
done
[ ${#scenarios[@]} -gt 0 ] || { echo "test-molecule: no scenario found in extensions/molecule" >&2; exit 1; }
failed=()
declare -A took
for s in "${scenarios[@]}"; do
  echo "=== molecule test -s $s"
  start=$(date +%s)
  if ! molecule test -s "$s"; then
    failed+=("$s")
    # Leave nothing running behind a failed scenario.
    molecule destroy -s "$s" >/dev/null 2>&1 || true
  fi
  took[$s]=$(( $(date +%s) - start ))
  echo "=== molecule scenario $s: ${took[$s]} s"
done
echo "=== molecule scenarios:"
for s in "${scenarios[@]}"; do
  status=passed
  for f in "${failed[@]}"; do [ "$f" = "$s" ] && status=FAILED; done
  printf '  %-10s %-7s %5s s\n' "$s" "$status" "${took[$s]}"
done
[ ${#failed[@]} -eq 0 ] || { echo "test-molecule: failed: ${failed[*]}" >&2; exit 1; }
