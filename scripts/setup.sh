#!/usr/bin/env bash
# Set up everything the collection's tests and demo need, from nothing, idempotently:
#   - Debian packages (podman and friends, mmdebstrap, rsyslog for the benchmark reference receiver)
#   - a virtualenv in .venv with the pinned Python packages of requirements-dev.txt (ansible from PyPI brings the
#     collections requirements.yml lists)
#   - this checkout linked as the collection netattest.tls_syslog in .cache/collections
#   - the local systemd container image localhost/netattest-debian-systemd:12 (no registry needed)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

say() { printf '[setup] %s\n' "$*"; }

# 1. Debian packages -----------------------------------------------------------------------------
APT_PACKAGES=(podman runc uidmap slirp4netns fuse-overlayfs mmdebstrap rsyslog rsyslog-openssl
              rsyslog-gnutls python3-venv openssl make git testssl.sh chromium fonts-ipafont-gothic)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  say "installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # The host's rsyslog service is not ours to run: the package may start it; stop it if it did.
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet rsyslog 2>/dev/null; then
    $SUDO systemctl disable --now rsyslog >/dev/null 2>&1 || true
  fi
else
  say "Debian packages present"
fi

# 2. Python virtualenv ---------------------------------------------------------------------------
PY=${PYTHON:-python3}
stamp=.venv/.installed-$(cat requirements.txt requirements-dev.txt constraints.txt | sha256sum | cut -c1-16)
if [ ! -f "$stamp" ]; then
  say "creating .venv and installing requirements-dev.txt (with requirements.txt; pinned by constraints.txt)"
  [ -x .venv/bin/python ] || "$PY" -m venv .venv
  .venv/bin/pip install -q --upgrade pip >/dev/null
  .venv/bin/pip install -q -r requirements-dev.txt -c constraints.txt
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

# 4. Container image for molecule and the local demo ---------------------------------------------
IMAGE=localhost/netattest-debian-systemd:12
export CONTAINERS_CONF=$ROOT/tests/podman/containers.conf
IMAGE_VERSION=4  # bump when scripts/build-image.sh changes what is in the image
have=$(podman image inspect --format '{{ index .Labels "netattest.image-version" }}' "$IMAGE" 2>/dev/null || true)
if [ "$have" != "$IMAGE_VERSION" ]; then
  IMAGE_VERSION=$IMAGE_VERSION scripts/build-image.sh "$IMAGE"
else
  say "image $IMAGE present"
fi
say "done"
