#!/usr/bin/env bash
# Build the Amazon Linux 2023 stand-in image (tests/podman/image.env: NETATTEST_AL2023_IMAGE). No AL2023 image can be
# fetched here, so it is a Debian 12 systemd rootfs that answers like Amazon Linux 2023 where the collection looks:
#   - Ansible's facts: distribution Amazon, major version 2023, os_family RedHat, pkg_mgr dnf (/etc/os-release and
#     /etc/system-release come from the `system-release` RPM, which also provides system-release(releasever) = 2023);
#   - dnf 4.14 (AL2023's dnf version, Debian's build) with one local repository of AL2023's package names:
#       rsyslog, rsyslog-openssl  8.2204.0, built here from vendor/rsyslog-8.2204.0.tar.gz (AL2023 ships 8.2204.0)
#       stunnel                   5.58, built here from vendor/stunnel-5.58.tar.gz (AL2023 ships 5.58)
#       logrotate, python3-cryptography, iproute   Debian 12's files under AL2023's names
#     and no rsyslog-gnutls (AL2023 has none: dnf answers "No matching Packages"). Nothing of these is installed in the
#     image: the role installs them with dnf, as on a fresh instance.
# Both sources are checked against vendor/SHA256SUMS first. Build dependencies come from scripts/setup.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
# shellcheck source=../tests/podman/image.env
. tests/podman/image.env
IMAGE=$NETATTEST_AL2023_IMAGE
SRC=tests/podman/al2023
say() { printf '[setup] %s\n' "$*"; }

(cd vendor && sha256sum --quiet -c SHA256SUMS) || { echo "build-al2023-image: vendor/ does not match vendor/SHA256SUMS" >&2; exit 1; }
work=$(mktemp -d /var/tmp/netattest-al2023.XXXXXX)
trap 'rm -rf "$work"' EXIT
stage=$work/stage
mkdir -p "$stage" "$work/rpmbuild" "$work/repo" "$work/debs"
jobs=$(nproc)

# --- rsyslog 8.2204.0 from upstream's source, configured like Amazon Linux 2023's (ossl, imjournal, no gnutls) ---
say "AL2023 stand-in: building rsyslog 8.2204.0 from vendor/ (about a minute)"
tar -C "$work" -xzf vendor/rsyslog-8.2204.0.tar.gz
(
  cd "$work/rsyslog-8.2204.0"
  autoreconf -fi >/dev/null 2>&1
  ./configure -q --prefix=/usr --sysconfdir=/etc --localstatedir=/var --libdir=/usr/lib64 \
    --enable-openssl --disable-gnutls --enable-imjournal --disable-libgcrypt --disable-generate-man-pages \
    --disable-fmhttp >"$work/rsyslog-configure.log" 2>&1
  make -j"$jobs" >"$work/rsyslog-make.log" 2>&1
  make install DESTDIR="$stage/rsyslog" >/dev/null 2>&1
) || { echo "build-al2023-image: the rsyslog build failed; its logs:" >&2; tail -40 "$work"/rsyslog-*.log >&2; exit 1; }
find "$stage/rsyslog" -name '*.la' -delete
mkdir -p "$stage/rsyslog-openssl/usr/lib64/rsyslog"
mv "$stage/rsyslog/usr/lib64/rsyslog/lmnsd_ossl.so" "$stage/rsyslog-openssl/usr/lib64/rsyslog/"
install -D -m 0644 "$SRC/rsyslog.conf" "$stage/rsyslog/etc/rsyslog.conf"
install -D -m 0644 "$SRC/rsyslog.service" "$stage/rsyslog/usr/lib/systemd/system/rsyslog.service"
install -d -m 0755 "$stage/rsyslog/etc/rsyslog.d" "$stage/rsyslog/var/lib/rsyslog"

# --- stunnel 5.58 from upstream's source (AL2023: package stunnel, binary /usr/bin/stunnel) ---
say "AL2023 stand-in: building stunnel 5.58 from vendor/"
tar -C "$work" -xzf vendor/stunnel-5.58.tar.gz
(
  cd "$work/stunnel-5.58"
  ./configure -q --prefix=/usr --sysconfdir=/etc --localstatedir=/var --disable-fips --disable-libwrap \
    >"$work/stunnel-configure.log" 2>&1
  make -j"$jobs" >"$work/stunnel-make.log" 2>&1
  make install DESTDIR="$stage/stunnel" >/dev/null 2>&1
) || { echo "build-al2023-image: the stunnel build failed; its logs:" >&2; tail -40 "$work"/stunnel-*.log >&2; exit 1; }
find "$stage/stunnel" -name '*.la' -delete

# --- Debian 12's logrotate, python3-cryptography and iproute2, under AL2023's names ---
say "AL2023 stand-in: unpacking Debian's logrotate, python3-cryptography, iproute2"
(cd "$work/debs" && { apt-get download -qq logrotate python3-cryptography iproute2 2>/dev/null \
  || { apt-get update -qq && apt-get download -qq logrotate python3-cryptography iproute2; }; })
declare -A deb_of=([logrotate]=logrotate [python3-cryptography]=python3-cryptography [iproute]=iproute2)
for name in logrotate python3-cryptography iproute; do
  deb=$(ls "$work/debs/${deb_of[$name]}"_*.deb)
  dpkg-deb -x "$deb" "$stage/$name"
done
# iproute2's ip/ss live in /bin on Debian 12 and /usr/sbin on AL2023; usr-merged either way, keep Debian's paths.

# --- system-release: what makes the rootfs Amazon Linux 2023 to Ansible and to dnf ---
install -D -m 0644 "$SRC/os-release" "$stage/system-release/etc/os-release"
install -D -m 0644 "$SRC/os-release" "$stage/system-release/usr/lib/os-release"
install -D -m 0644 "$SRC/system-release" "$stage/system-release/etc/system-release"

# --- the RPMs and the repository ---
build_rpm() {  # name version summary license origin [provides]
  local name=$1 version=$2 summary=$3 license=$4 origin=$5 provides=${6:-}
  local list=$work/$name.files
  (cd "$stage/$name" && { find . \( -type f -o -type l \) | sed 's|^\.||'; find . -mindepth 1 -type d -empty \
    | sed 's|^\.|%dir |'; } | sort) >"$list"
  case $name in
    rsyslog) printf '%%dir /etc/rsyslog.d\n%%dir /var/lib/rsyslog\n%%dir /usr/lib64/rsyslog\n' >>"$list" ;;
    stunnel) printf '%%dir /etc/stunnel\n' >>"$list" ;;
  esac
  rpmbuild -bb --quiet "$SRC/package.spec" \
    --define "_topdir $work/rpmbuild" --define "_rpmdir $work/repo" --define "_build_id_links none" \
    --define "__os_install_post %{nil}" --define "debug_package %{nil}" \
    --define "pkgname $name" --define "pkgversion $version" --define "pkgrelease 1.amzn2023.standin" \
    --define "pkgsummary $summary" --define "pkglicense $license" --define "pkgorigin $origin" \
    --define "staging $stage/$name" --define "filelist $list" \
    ${provides:+--define "pkgprovides $provides"} >"$work/rpmbuild-$name.log" 2>&1 \
    || { echo "build-al2023-image: rpmbuild of $name failed:" >&2; tail -30 "$work/rpmbuild-$name.log" >&2; exit 1; }
}
debver() { dpkg-deb -f "$(ls "$work/debs/$1"_*.deb)" Version | sed 's/[-+~].*//; s/^[0-9]*://'; }
build_rpm rsyslog 8.2204.0 "rsyslog, the reliable system and kernel logging daemon" "GPLv3+ and ASL 2.0" \
  "upstream's v8.2204.0 source (vendor/)"
build_rpm rsyslog-openssl 8.2204.0 "rsyslog's TLS driver ossl (OpenSSL)" "GPLv3+ and ASL 2.0" \
  "upstream's v8.2204.0 source (vendor/)"
build_rpm stunnel 5.58 "stunnel, a TLS wrapper" "GPLv2+" "upstream's stunnel-5.58 source (vendor/)"
build_rpm logrotate "$(debver logrotate)" "logrotate" "GPLv2+" "Debian 12's logrotate package"
build_rpm python3-cryptography "$(debver python3-cryptography)" "Python cryptography" "ASL 2.0 or BSD" \
  "Debian 12's python3-cryptography package"
build_rpm iproute "$(debver iproute2)" "ip and ss" "GPLv2+" "Debian 12's iproute2 package"
build_rpm system-release 2023.6.20241010 "Amazon Linux 2023 release files" "MIT" "netattest.tls_syslog" \
  "system-release(releasever) = 2023"
mv "$work"/repo/*/*.rpm "$work/repo/"
rmdir "$work"/repo/*/ 2>/dev/null || true
createrepo_c --quiet "$work/repo"

# --- the rootfs: Debian 12 with systemd, dnf and the shared libraries the packages above link to ---
mirror=$(scripts/build-image.sh --print-mirror)
cat >"$work/hook.sh" <<HOOK
#!/bin/sh
set -e
root=\$1
cp -a "$work/repo" "\$root/opt/al2023-standin-repo"
install -D -m 0644 "$ROOT/$SRC/al2023-standin.repo" "\$root/etc/yum.repos.d/al2023-standin.repo"
# system-release, and iproute (ip, ss), which AL2023's AMI has installed; the rest is the role's to install.
chroot "\$root" rpm -i --quiet /opt/al2023-standin-repo/system-release-*.rpm /opt/al2023-standin-repo/iproute-*.rpm \
  2>/dev/null
rm -f "\$root/etc/debian_version"
# AL2023's unprivileged group is nobody (Debian: nogroup), same gid 65534.
sed -i 's/^nogroup:/nobody:/' "\$root/etc/group" "\$root/etc/gshadow"
HOOK
chmod +x "$work/hook.sh"
say "AL2023 stand-in: building the rootfs with mmdebstrap"
# openssh-server: an AL2023 AMI runs sshd (openssh-server), and the molecule scenarios reach the container over SSH.
mmdebstrap --quiet --variant=minbase \
  --include=systemd,systemd-sysv,dbus,python3,sudo,procps,ca-certificates,dnf,python3-dnf,python3-rpm,rpm,openssh-server \
  --include=libestr0,libfastjson4,libssl3,zlib1g,libuuid1,libsystemd0,python3-cffi-backend,libpopt0,libacl1 \
  --include=libbpf1,libbsd0,libcap2,libdb5.3,libelf1,libmnl0,libtirpc3,libxtables12,openssl \
  --customize-hook="$work/hook.sh \"\$1\"" \
  bookworm "$work/rootfs.tar" "$mirror"
podman import --change 'CMD ["/sbin/init"]' --change 'STOPSIGNAL SIGRTMIN+3' \
  --change "LABEL netattest.image-version=$NETATTEST_AL2023_IMAGE_VERSION" \
  "$work/rootfs.tar" "$IMAGE" >/dev/null
say "image $IMAGE imported"
