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
  --change "LABEL netattest.image-version=${IMAGE_VERSION:-4}" \
  "$tmp/rootfs.tar" "$IMAGE" >/dev/null
# mmdebstrap leaves empty package lists with a fresh mtime, which the apt module's cache_valid_time takes for a
# fresh cache. Age the (empty) lists directory, so that a role refreshes the lists once, as on a host never updated.
cid=$(podman create "$IMAGE" /bin/touch -d 2000-01-01 /var/lib/apt/lists)
podman start -a "$cid" >/dev/null
podman commit -q --change 'CMD ["/sbin/init"]' "$cid" "$IMAGE" >/dev/null
podman rm "$cid" >/dev/null
echo "[setup] image $IMAGE imported"
