#!/usr/bin/env bash
# Set up what the collection's tests and demo need, from nothing, idempotently:
#   1. Debian packages (podman and friends, mmdebstrap, rsyslog for the benchmark reference receiver)
#   2. a virtualenv in .venv with the pinned Python packages of requirements-dev.txt (ansible from PyPI brings the
#      collections requirements.yml lists)
#   3. this checkout linked as the collection netattest.tls_syslog in .cache/collections
#   4. the local systemd container images (tests/podman/image.env; no registry needed): Debian 12, and the Amazon
#      Linux 2023 stand-in (scripts/build-al2023-image.sh: rsyslog 8.2204.0 and stunnel 5.58 built from vendor/, a local
#      dnf repository with AL2023's package names)
# `scripts/setup.sh --controller` (make setup-controller) does only 2 and 3: all that the real-AWS path needs. It
# installs no system package and touches no system service.
# The full set-up never stops a service it did not start: the rsyslog package may start the host's rsyslog; it is
# stopped again only if it was not running before.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
CONTROLLER_ONLY=false
[ "${1:-}" = "--controller" ] && CONTROLLER_ONLY=true

say() { printf '[setup] %s\n' "$*"; }

# 1. Debian packages -----------------------------------------------------------------------------
if [ "$CONTROLLER_ONLY" = false ]; then
  APT_PACKAGES=(podman runc uidmap slirp4netns fuse-overlayfs mmdebstrap rsyslog rsyslog-openssl
                rsyslog-gnutls python3-venv openssl make git testssl.sh chromium fonts-ipafont-gothic
                # the AL2023 stand-in: rsyslog 8.2204.0 and stunnel 5.58 built from vendor/, packaged as RPMs
                build-essential autoconf automake libtool pkg-config flex bison libestr-dev libfastjson-dev
                zlib1g-dev uuid-dev libssl-dev libsystemd-dev rpm createrepo-c dnf)
  missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    rsyslog_before=inactive
    if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet rsyslog 2>/dev/null; then
      rsyslog_before=active
    fi
    say "installing Debian packages: ${missing[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    # The rsyslog package starts the host's rsyslog when it installs it. Ours runs in containers only: stop the
    # host's again if this set-up started it, and leave it alone if it was running before.
    if [ "$rsyslog_before" = inactive ] && systemctl is-active --quiet rsyslog 2>/dev/null; then
      say "stopping the host's rsyslog, which installing the package started"
      $SUDO systemctl disable --now rsyslog >/dev/null 2>&1 || true
    fi
  else
    say "Debian packages present"
  fi
fi

# 2. Python virtualenv ---------------------------------------------------------------------------
PY=${PYTHON:-python3}
stamp=.venv/.installed-$(cat requirements.txt requirements-dev.txt constraints.txt | sha256sum | cut -c1-16)
if [ ! -f "$stamp" ]; then
  say "creating .venv and installing requirements-dev.txt (with requirements.txt; pinned by constraints.txt)"
  [ -x .venv/bin/python ] || "$PY" -m venv .venv
  .venv/bin/pip install -q --upgrade pip >/dev/null
  # uv (from PyPI) installs the same pinned set as pip in about half the wall time (19 s against 36 s from an empty
  # cache, benchmarks/RESULTS.md); it writes the bytecode, as pip does, only when asked.
  .venv/bin/pip install -q 'uv==0.13.9'
  .venv/bin/uv pip install -q --python .venv/bin/python --compile-bytecode -r requirements-dev.txt -c constraints.txt
  rm -f .venv/.installed-*
  touch "$stamp"
else
  say ".venv up to date"
fi

# 3. This checkout as the collection netattest.tls_syslog ----------------------------------------
mkdir -p .cache/collections/ansible_collections/netattest
link=.cache/collections/ansible_collections/netattest/tls_syslog
if [ "$(readlink "$link" 2>/dev/null)" != "$ROOT" ]; then
  rm -rf "$link"
  ln -s "$ROOT" "$link"
  say "linked $link -> $ROOT"
fi
if [ "$CONTROLLER_ONLY" = true ]; then
  say "done (controller only): export PATH=$ROOT/.venv/bin:\$PATH ANSIBLE_CONFIG=$ROOT/ansible.cfg"
  exit 0
fi

# Amazon Linux 2023's python3-cryptography (36.0.1), for the unit tests' second run (scripts/run-tests.sh, unit).
crypto36=.cache/cryptography-36.0.1
if [ ! -f "$crypto36/cryptography/__init__.py" ]; then
  say "unpacking cryptography 36.0.1 (Amazon Linux 2023's) into $crypto36"
  .venv/bin/pip install -q --no-deps --target "$crypto36" 'cryptography==36.0.1'
fi

# 4. Container image for molecule and the local demo ---------------------------------------------
# shellcheck source=../tests/podman/image.env
. tests/podman/image.env
export CONTAINERS_CONF=$ROOT/tests/podman/containers.conf
# The two images are built side by side (one mostly downloads and unpacks, the other compiles): on a fresh machine
# that is about the time of the longer one.
builds=()
have=$(podman image inspect --format '{{ index .Labels "netattest.image-version" }}' "$NETATTEST_IMAGE" 2>/dev/null || true)
if [ "$have" != "$NETATTEST_IMAGE_VERSION" ]; then
  builds+=(build-image)
else
  say "image $NETATTEST_IMAGE present"
fi
have=$(podman image inspect --format '{{ index .Labels "netattest.image-version" }}' "$NETATTEST_AL2023_IMAGE" 2>/dev/null || true)
if [ "$have" != "$NETATTEST_AL2023_IMAGE_VERSION" ]; then
  builds+=(build-al2023-image)
else
  say "image $NETATTEST_AL2023_IMAGE present"
fi
if [ ${#builds[@]} -gt 0 ]; then
  mkdir -p .cache
  declare -A pids=()
  for b in "${builds[@]}"; do
    say "scripts/$b.sh started (log: .cache/$b.log)"
    "scripts/$b.sh" >".cache/$b.log" 2>&1 &
    pids[$b]=$!
  done
  failed=0
  for b in "${builds[@]}"; do
    if wait "${pids[$b]}"; then
      grep -h '^\[setup\]' ".cache/$b.log" || true
    else
      echo "setup: scripts/$b.sh failed; its log (.cache/$b.log):" >&2
      tail -n 60 ".cache/$b.log" >&2
      failed=1
    fi
  done
  [ $failed -eq 0 ] || exit 1
fi
say "done"
