#!/usr/bin/env bash
# Run `molecule test` for every scenario in extensions/molecule (collection mode), side by side, and fail if any
# fails. Most of a scenario's time is spent waiting on `podman exec` round trips, not CPU, so they share the machine
# well. Each scenario has its own containers, volumes and test PKI (.cache/test-pki/<scenario>, made by tests/lib/netattest_local/pki.py); its output goes to
# .cache/molecule/<scenario>.log, and the log of a failed scenario is printed. Prints the time of each scenario.
# Expects the Makefile's environment (PATH with .venv/bin, CONTAINERS_CONF, ANSIBLE_*); the images come from
# scripts/setup.sh. NETATTEST_MOLECULE_JOBS limits how many run at once (default: all).
set -uo pipefail
cd "$(dirname "$0")/.."
export MOLECULE_NO_LOG=false NO_COLOR=1 ANSIBLE_FORCE_COLOR=0
scenarios=()
for f in extensions/molecule/*/molecule.yml; do
  scenarios+=("$(basename "$(dirname "$f")")")
done
[ ${#scenarios[@]} -gt 0 ] || { echo "test-molecule: no scenario found in extensions/molecule" >&2; exit 1; }
jobs_max=${NETATTEST_MOLECULE_JOBS:-${#scenarios[@]}}
logs=.cache/molecule
mkdir -p "$logs"

run_one() {
  local s=$1 start rc
  start=$(date +%s)
  molecule test -s "$s" >"$logs/$s.log" 2>&1
  rc=$?
  # Leave nothing running behind a failed scenario.
  [ $rc -eq 0 ] || molecule destroy -s "$s" >>"$logs/$s.log" 2>&1 || true
  echo "$rc $(( $(date +%s) - start ))" >"$logs/$s.result"
}

for s in "${scenarios[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do sleep 1; done
  rm -f "$logs/$s.result"
  echo "=== molecule test -s $s (log: $logs/$s.log)"
  run_one "$s" &
done
wait

failed=()
echo "=== molecule scenarios:"
for s in "${scenarios[@]}"; do
  read -r rc took <"$logs/$s.result" 2>/dev/null || { rc=1; took=?; }
  status=passed
  if [ "$rc" != 0 ]; then status=FAILED; failed+=("$s"); fi
  printf '  %-10s %-7s %5s s\n' "$s" "$status" "$took"
done
for s in "${failed[@]}"; do
  echo "=== the log of the failed scenario $s (last 150 lines; whole: $logs/$s.log)"
  tail -n 150 "$logs/$s.log"
done
[ ${#failed[@]} -eq 0 ] || { echo "test-molecule: failed: ${failed[*]}" >&2; exit 1; }
