#!/usr/bin/env bash
# Run the collection's checks. Without arguments: every stage, in four lanes side by side: the molecule scenarios
# (themselves side by side, over SSH); unit, sanity and the AWS role against moto; the playbooks against receiver
# containers and the local integration tests; lint, build, docs, the AWS role's cases with servers of their own and
# the installed collection. With arguments: only the named stages, in order (lint build installed docs unit sanity
# molecule integration, or its parts integration_local / integration_aws / integration_aws_instance /
# integration_receiver).
# `check`: lint beside docs and unit, the inner loop with the pure unit tests only (make check).
# Expects the environment `make` sets (PATH with .venv/bin, CONTAINERS_CONF, ANSIBLE_*).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
stages=("$@")
lanes=false
check=false
if [ ${#stages[@]} -eq 0 ]; then
  stages=()
  lanes=true
elif [ "${stages[*]}" = check ]; then  # make check: lint beside docs and unit (each about one core's work)
  stages=()
  check=true
fi

stage_lint() {
  ruff check .
  ruff format --check plugins tests benchmarks scripts 2>/dev/null || ruff format --diff plugins tests benchmarks scripts
  yamllint -s .
  # The plugins run on the receiver with Amazon Linux 2023's python3, 3.9 for the life of the distribution: vermin
  # fails on any syntax or standard-library use newer than that.
  vermin --target=3.9- --no-tips --violations --eval-annotations plugins/
  ansible-lint --profile production
  # The changelog: fragments and changelog.yaml valid, and CHANGELOG.md what antsibull-changelog generates from them.
  antsibull-changelog lint
  antsibull-changelog lint-changelog-yaml changelogs/changelog.yaml
  local generated=.cache/CHANGELOG.generated.md
  antsibull-changelog generate --output "$generated" --output-format md
  diff -u CHANGELOG.md "$generated" || { echo "lint: CHANGELOG.md is not generated: run antsibull-changelog generate" >&2; return 1; }
  echo "changelog: fragments valid, CHANGELOG.md generated from changelogs/changelog.yaml"
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
  # The tarball must carry the plugins, roles, playbooks, docs and EE files, and no development content.
  local listing
  listing=$(tar tzf "$tarball")
  if grep -E '^(tests|extensions|benchmarks|scripts|inventory|demo|vendor|\.venv|\.cache|\.git|\.ci)(/|$)|__pycache__|^(Makefile|ansible\.cfg|\.ansible-lint|\.yamllint|\.gitignore|ruff\.toml|constraints\.txt|requirements-dev\.txt|requirements\.yml)$' <<<"$listing"; then
    echo "build: the tarball carries development files it must not (above); see build_ignore in galaxy.yml" >&2; return 1
  fi
  local must
  for must in MANIFEST.json LICENSE README.md requirements.txt meta/runtime.yml meta/execution-environment.yml \
      meta/ee-requirements.txt meta/ee-bindep.txt changelogs/changelog.yaml changelogs/config.yaml docs/procedure.md \
      docs/install.md plugins/modules/pem_bundle.py plugins/filter/onegate_log.py roles/rsyslog_tls/tasks/main.yml \
      roles/aws_infra/meta/argument_specs.yml playbooks/site.yml playbooks/destroy.yml playbooks/vars/state.yml; do
    grep -qx "$must" <<<"$listing" || { echo "build: $must missing from the tarball" >&2; return 1; }
  done
  echo "tarball: $(wc -l <<<"$listing") entries, no tests, scripts, lint configs, inventory or caches"
}
stage_installed() {
  # The built tarball installed into an empty path and run by FQCN against moto, the way a user without a checkout
  # works; nothing may be written under the install path. Also the execution environment's build context.
  python -m pytest -q -s tests/integration/test_installed.py
}
stage_docs() {
  # The documents: every reference resolves, nothing cites a document outside the repository, the procedure map's task
  # names and paths are the code's (git ls-files: these are checks of the checkout, not unit tests).
  python -m pytest -q -p no:cacheprovider tests/docs
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
stage_unit() {  # the pure unit tests: no process, container, server or socket (tests/unit/conftest.py refuses them)
  python -m pytest -q -p no:cacheprovider tests/unit
  # Again the tests of the modules that use cryptography, against Amazon Linux 2023's python3-cryptography 36.0.1
  # (scripts/setup.sh unpacks it into .cache; it shadows the virtualenv's newer one).
  crypto36 tests/unit/plugins/modules/test_pem_bundle.py tests/unit/plugins/module_utils/test_tls_client.py \
    tests/unit/plugins/module_utils/test_ssh_host_keys.py tests/unit/plugins/filter/test_crl_check.py
}
crypto36() {  # pytest on these files with cryptography 36.0.1 first on the path, and the proof that it was used
  PYTHONPATH=$ROOT/.cache/cryptography-36.0.1 python -m pytest -q -p no:cacheprovider "$@"
  PYTHONPATH=$ROOT/.cache/cryptography-36.0.1 python -c \
    'import cryptography, sys; sys.exit(cryptography.__version__ != "36.0.1")' \
    || { echo "the cryptography 36.0.1 run did not use cryptography 36.0.1" >&2; return 1; }
}
stage_leftovers() {  # the full run's last check (see NETATTEST_RUN_ID below); named, it checks the stages before it
  local left="" out
  out=$(podman ps -a --filter "label=netattest.run=$NETATTEST_RUN_ID" --format '{{.Names}}')
  [ -z "$out" ] || left+="containers: "$out$'\n'
  out=$(podman volume ls --filter "label=netattest.run=$NETATTEST_RUN_ID" --format '{{.Name}}')
  [ -z "$out" ] || left+="volumes: "$out$'\n'
  # Processes with this run's id in their environment (moto_server, rsyslogd, stunnel, ansible ...), but for this
  # script and its parents.
  out=$(python - "$NETATTEST_RUN_ID" <<'PY'
import os, sys
mine, pid = set(), os.getpid()
while pid > 1:
    mine.add(pid)
    with open("/proc/%d/stat" % pid) as f:
        pid = int(f.read().rsplit(")", 1)[1].split()[1])
want = ("NETATTEST_RUN_ID=" + sys.argv[1]).encode()
for d in os.listdir("/proc"):
    if d.isdigit() and int(d) not in mine:
        try:
            with open("/proc/%s/environ" % d, "rb") as f:
                if want in f.read().split(b"\0"):
                    with open("/proc/%s/cmdline" % d, "rb") as c:
                        print(d, c.read().replace(b"\0", b" ").decode(errors="replace")[:160])
        except OSError:
            pass
PY
)
  [ -z "$out" ] || left+="processes: "$out$'\n'
  # Temporary files and directories, but for pytest's own (its last three sessions' tmp_path, removed below).
  out=$(find "$TMPDIR" -mindepth 1 -maxdepth 1 ! -name 'pytest-of-*' 2>/dev/null)
  [ -z "$out" ] || left+="temporary files in $TMPDIR: "$out$'\n'
  if [ -n "$left" ]; then
    printf 'leftovers: run %s left behind:\n%s' "$NETATTEST_RUN_ID" "$left" >&2
    return 1
  fi
  rm -rf "$TMPDIR"
  echo "leftovers: none (containers, volumes, processes, temporary files of run $NETATTEST_RUN_ID)"
}
stage_sanity() {
  scripts/sanity.sh
}
stage_molecule() {
  scripts/test-molecule.sh
}
stage_integration() {
  stage_integration_local
  stage_integration_aws
  stage_integration_aws_instance
  stage_integration_receiver
}
# The parts of stage integration, which the full run puts in lanes of their own.
stage_integration_local() {  # processes and servers on this host: rsyslogd, ansible-playbook on localhost, TLS servers
  python -m pytest -q -p no:cacheprovider tests/integration/local
  crypto36 tests/integration/local/test_syslog_send.py tests/integration/local/test_tls_client_socket.py
}
stage_integration_aws() {  # the AWS role against moto (and its fault-injecting proxy)
  python -m pytest -q -s tests/integration/test_aws_infra.py -m "not instance_side"
}
stage_integration_aws_instance() {  # its cases with servers and containers of their own: pinning, the expiry timer
  python -m pytest -q -s tests/integration/test_aws_infra.py -m instance_side
}
stage_integration_receiver() {  # the playbooks against receiver containers: e2e, secrets, inputs, report
  python -m pytest -q -s tests/integration --ignore tests/integration/test_installed.py \
    --ignore tests/integration/test_aws_infra.py --ignore tests/integration/local  # installed: stage installed
}

run_stage() {
  local s=$1 start
  echo "=== stage: $s"
  start=$(date +%s)
  "stage_$s"
  echo "$(( $(date +%s) - start ))" >"$ROOT/.cache/stage-$s.took"
  echo "=== stage $s passed in $(cat "$ROOT/.cache/stage-$s.took") s"
}
run_lane() {  # the stages of one lane, one after the other (run in the background: errexit stops the lane)
  local s
  for s in "$@"; do
    run_stage "$s"
  done
}

mkdir -p .cache
rm -f .cache/stage-*.took
# What a run makes carries its id: containers and volumes the label netattest.run=<id> (netattest_local.instance's
# run_labels), processes NETATTEST_RUN_ID in their environment, temporary files a TMPDIR of the run's own. The full run
# (or stage leftovers, named last) fails when anything of its own is left at the end; other runs' have other ids.
export NETATTEST_RUN_ID=$(date +%s%N)-$$  # always this run's own (a caller's would be in its other processes too)
if [ "$lanes" = true ] || { [ ${#stages[@]} -gt 0 ] && [ "${stages[-1]}" = leftovers ]; }; then
  export TMPDIR=/tmp/netattest-run-$NETATTEST_RUN_ID
  mkdir -p "$TMPDIR"
  echo "=== run $NETATTEST_RUN_ID (TMPDIR $TMPDIR)"
fi
suite_start=$(date +%s)
all=("${stages[@]}")
for s in "${stages[@]}"; do
  run_stage "$s"
done
if [ "$lanes" = true ]; then
  # The suite is CPU-bound on two cores (benchmarks/RESULTS.md): what sets its length is the three long lanes, the
  # molecule scenarios, the AWS role against moto and the playbooks against receiver containers, which take about
  # as long as each other. The fourth holds everything with slack, at a lower priority (nice 10): it takes the CPU the
  # long lanes leave while they wait (containers booting, the stall probes' windows) instead of slowing them down.
  # lint, build and docs run in it too: a failure there fails the run, at the end (make check is the quick loop).
  lane_a=(molecule)
  lane_b=(unit sanity integration_aws)
  lane_c=(integration_receiver)
  lane_d=(lint build docs integration_aws_instance installed integration_local)
  declare -A lane_nice=([a]=0 [b]=0 [c]=0 [d]=10)
  all+=("${lane_d[@]}" "${lane_a[@]}" "${lane_b[@]}" "${lane_c[@]}")
  echo "=== side by side: [${lane_a[*]}] [${lane_b[*]}] [${lane_c[*]}] [${lane_d[*]}]" \
    "(logs: .cache/lane-a.log, lane-b.log, lane-c.log, lane-d.log)"
  declare -A lane_pid lane_rc
  for l in a b c d; do
    declare -n lane="lane_$l"
    (renice -n "${lane_nice[$l]}" -p "$BASHPID" >/dev/null; run_lane "${lane[@]}") >".cache/lane-$l.log" 2>&1 &
    lane_pid[$l]=$!
    unset -n lane
  done
  failed=()
  for l in a b c d; do
    lane_rc[$l]=0
    wait "${lane_pid[$l]}" || lane_rc[$l]=$?
  done
  cat .cache/lane-d.log .cache/lane-b.log .cache/lane-c.log .cache/lane-a.log
  for l in a b c d; do
    declare -n lane="lane_$l"
    [ "${lane_rc[$l]}" -eq 0 ] || failed+=("[${lane[*]}] exit ${lane_rc[$l]}")
    unset -n lane
  done
  if [ ${#failed[@]} -gt 0 ]; then
    echo "=== FAILED lanes: ${failed[*]}" >&2
    exit 1
  fi
fi
if [ "$check" = true ]; then
  all+=(lint docs unit)
  echo "=== side by side: [lint] [docs unit] (logs: .cache/check-a.log, check-b.log)"
  run_lane lint >.cache/check-a.log 2>&1 &
  pid_a=$!
  run_lane docs unit >.cache/check-b.log 2>&1 &
  pid_b=$!
  rc_a=0; rc_b=0
  wait $pid_a || rc_a=$?
  wait $pid_b || rc_b=$?
  cat .cache/check-a.log .cache/check-b.log
  if [ $rc_a -ne 0 ] || [ $rc_b -ne 0 ]; then
    echo "=== FAILED lanes (exit codes): [lint] $rc_a, [docs unit] $rc_b" >&2
    exit 1
  fi
fi
if [ "$lanes" = true ]; then
  run_stage leftovers
  all+=(leftovers)
fi
echo "=== all stages passed: ${all[*]}"
for s in "${all[@]}"; do printf '  %-12s %5s s\n' "$s" "$(cat ".cache/stage-$s.took")"; done
printf '  %-12s %5s s (wall time; the lanes overlap)\n' total "$(( $(date +%s) - suite_start ))"
