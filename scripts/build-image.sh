#!/usr/bin/env bash
# Build a Debian 12 rootfs with systemd and import it as a podman image (no registry is reachable).
# The mirror is the one this machine's apt already uses.
set -euo pipefail
IMAGE=${1:-localhost/netattest-debian-systemd:12}
mirror=""
for f in /etc/apt/sources.list.d/*.sources; do
  [ -f "$f" ] || continue
  mirror=$(awk '/^URIs:/ {print $2; exit}' "$f")
  [ -n "$mirror" ] && break
done
if [ -z "$mirror" ] && [ -f /etc/apt/sources.list ]; then
  mirror=$(awk '$1 == "deb" {for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) {print $i; exit}}' /etc/apt/sources.list)
fi
[ -n "$mirror" ] || { echo "build-image: no Debian mirror found in apt's sources" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "[setup] building $IMAGE with mmdebstrap (bookworm)"
mmdebstrap --quiet --variant=minbase \
  --include=systemd,systemd-sysv,dbus,python3,python3-apt,sudo,iproute2,procps,ca-certificates \
  bookworm "$tmp/rootfs.tar" "$mirror"
podman import --change 'CMD ["/sbin/init"]' --change 'STOPSIGNAL SIGRTMIN+3' \
  "$tmp/rootfs.tar" "$IMAGE" >/dev/null
echo "[setup] image $IMAGE imported"
