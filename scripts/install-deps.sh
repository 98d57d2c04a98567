#!/bin/sh
# Install the Debian packages recvtop needs to build, run and test.
# Idempotent; needs root. Usage: scripts/install-deps.sh [--no-test]
#
# The tests include the arm64 tier (tests/vm-arm64): a cross build
# (./configure --host=aarch64-linux-gnu) with Debian's cross compiler and
# the arm64 -dev packages through multiarch (dpkg --add-architecture arm64),
# booted under qemu-system-aarch64.
set -e

BUILD="gcc make pkg-config libtracefs-dev libtraceevent-dev libtracecmd-dev \
libbpf-dev libelf-dev libncurses-dev libzstd-dev libmicrohttpd-dev libyaml-dev \
libcrypt-dev"
TEST="trace-cmd strace tmux python3 valgrind clang libclang-rt-14-dev \
iproute2 procps util-linux qemu-system-x86 busybox-static cpio ncurses-term \
afl++ xvfb xauth kernelshark imagemagick groff-base man-db mandoc zsh \
bash-completion liburing-dev redis-server redis-tools memcached prometheus python3-prometheus-client curl systemd \
qemu-system-arm gcc-aarch64-linux-gnu libc6-dev-arm64-cross pkgconf:arm64 \
libtracefs-dev:arm64 libtraceevent-dev:arm64 libbpf-dev:arm64 libelf-dev:arm64 \
libncurses-dev:arm64 libzstd-dev:arm64 libmicrohttpd-dev:arm64 \
libyaml-dev:arm64 libcrypt-dev:arm64 liburing-dev:arm64"
# libtracecmd1 and libtracecmd-dev (bookworm) are not Multi-Arch: same:
# installing their :arm64 packages would remove the amd64 ones (and
# trace-cmd's users, kernelshark).  Their arm64 files are unpacked into
# /usr/local/lib/aarch64-linux-gnu instead (the shared library, its links
# and libtracecmd.pc; the headers are the amd64 package's, same version),
# where aarch64-linux-gnu-pkg-config and the cross linker find them.
CROSS_TRACECMD=/usr/local/lib/aarch64-linux-gnu

pkgs="$BUILD"
[ "$1" = "--no-test" ] || pkgs="$pkgs $TEST"

if [ "$(id -u)" != 0 ]; then
	echo "install-deps: must run as root (apt-get install)" >&2
	exit 1
fi

# libtracecmd for arm64, unpacked beside the system (see above); the
# version of the amd64 libtracecmd-dev, whose headers it uses
cross_tracecmd() {
	ver=$(dpkg-query -W -f='${Version}' libtracecmd-dev 2>/dev/null) || return 1
	stamp="$CROSS_TRACECMD/.recvtop-libtracecmd-$ver"
	[ -e "$stamp" ] && [ -e "$CROSS_TRACECMD/pkgconfig/libtracecmd.pc" ] &&
		return 0
	tmp=$(mktemp -d) || return 1
	if ! (cd "$tmp" && apt-get download -q -o APT::Sandbox::User=root \
		"libtracecmd1:arm64=$ver" "libtracecmd-dev:arm64=$ver" >/dev/null); then
		rm -rf "$tmp"
		echo "install-deps: cannot download libtracecmd1:arm64 $ver" >&2
		return 1
	fi
	mkdir -p "$tmp/root" "$CROSS_TRACECMD/pkgconfig"
	for d in "$tmp"/*.deb; do
		dpkg-deb -x "$d" "$tmp/root"
	done
	cp -P "$tmp"/root/usr/lib/aarch64-linux-gnu/libtracecmd.so* \
		"$CROSS_TRACECMD/"
	sed "s|^libdir=.*|libdir=$CROSS_TRACECMD|" \
		"$tmp/root/usr/lib/aarch64-linux-gnu/pkgconfig/libtracecmd.pc" \
		>"$CROSS_TRACECMD/pkgconfig/libtracecmd.pc"
	rm -f "$CROSS_TRACECMD"/.recvtop-libtracecmd-*
	touch "$stamp"
	rm -rf "$tmp"
}

missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
if [ -z "$missing" ]; then
	[ "$1" = "--no-test" ] || cross_tracecmd
	exit 0
fi
case "$missing" in
*:arm64*)
	dpkg --print-foreign-architectures | grep -qx arm64 || {
		dpkg --add-architecture arm64
		rm -f /var/lib/apt/periodic/recvtop-update-stamp
	} ;;
esac

export DEBIAN_FRONTEND=noninteractive
stamp=/var/lib/apt/periodic/recvtop-update-stamp
if [ ! -e "$stamp" ] || [ -n "$(find "$stamp" -mmin +360 2>/dev/null)" ]; then
	apt-get update -q >/dev/null
	mkdir -p "$(dirname "$stamp")" && touch "$stamp"
fi
# the test servers (redis-server, memcached) are started by the tests on
# their own ports: keep their packages from starting system services
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy"
	trap 'rm -f "$policy"' EXIT
fi
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing >/dev/null
[ "$1" = "--no-test" ] || cross_tracecmd
