#!/usr/bin/env bash
# Build a Debian 12 rootfs with systemd and import it as a podman image (no registry is reachable). Its name and
# version are in tests/podman/image.env. The mirror is the one this machine's apt already uses (it must serve Debian
# bookworm), or NETATTEST_DEBIAN_MIRROR. `--print-mirror` prints that mirror and stops (the AL2023 stand-in's
# scripts/build-al2023-image.sh uses the same one).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=../tests/podman/image.env
. tests/podman/image.env
IMAGE=$NETATTEST_IMAGE
mirror=${NETATTEST_DEBIAN_MIRROR:-}
if [ -z "$mirror" ]; then
  . /etc/os-release
  if [ "${ID:-}" != debian ]; then
    echo "build-image: this machine runs ${PRETTY_NAME:-an unknown system}, whose apt mirror has no Debian bookworm." >&2
    echo "build-image: set NETATTEST_DEBIAN_MIRROR to a Debian mirror's URL, or use make setup-controller for the" >&2
    echo "build-image: real-AWS path, which needs no image." >&2
    exit 1
  fi
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    mirror=$(awk '/^URIs:/ {print $2; exit}' "$f")
    [ -n "$mirror" ] && break
  done
  if [ -z "$mirror" ] && [ -f /etc/apt/sources.list ]; then
    mirror=$(awk '$1 == "deb" {for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) {print $i; exit}}' /etc/apt/sources.list)
  fi
fi
[ -n "$mirror" ] || { echo "build-image: no Debian mirror found in apt's sources; set NETATTEST_DEBIAN_MIRROR" >&2; exit 1; }
if [ "${1:-}" = "--print-mirror" ]; then echo "$mirror"; exit 0; fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "[setup] building $IMAGE with mmdebstrap (bookworm)"
# openssh-server: the molecule scenarios reach the container over SSH (ControlPersist, pipelining), as the collection
# reaches an EC2 instance; it costs a third of `podman exec` per task (benchmarks/connection.py).
mmdebstrap --quiet --variant=minbase \
  --include=systemd,systemd-sysv,dbus,python3,python3-apt,sudo,iproute2,procps,ca-certificates,openssh-server \
  bookworm "$tmp/rootfs.tar" "$mirror"
podman import --change 'CMD ["/sbin/init"]' --change 'STOPSIGNAL SIGRTMIN+3' \
  --change "LABEL netattest.image-version=$NETATTEST_IMAGE_VERSION" \
  "$tmp/rootfs.tar" "$IMAGE" >/dev/null
# mmdebstrap leaves empty package lists with a fresh mtime, which the apt module's cache_valid_time takes for a
# fresh cache. Age the (empty) lists directory, so that a role refreshes the lists once, as on a host never updated.
cid=$(podman create "$IMAGE" /bin/touch -d 2000-01-01 /var/lib/apt/lists)
podman start -a "$cid" >/dev/null
podman commit -q --change 'CMD ["/sbin/init"]' "$cid" "$IMAGE" >/dev/null
podman rm "$cid" >/dev/null
echo "[setup] image $IMAGE imported"
