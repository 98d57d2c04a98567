#!/bin/sh
# Install the Debian packages recvtop needs to build, run and test.
# Idempotent; needs root. Usage: scripts/install-deps.sh [--no-test]
set -e

BUILD="gcc make pkg-config libtracefs-dev libtraceevent-dev libtracecmd-dev \
libbpf-dev libncurses-dev libzstd-dev libmicrohttpd-dev libyaml-dev libcrypt-dev"
TEST="trace-cmd strace tmux python3 valgrind clang libclang-rt-14-dev \
iproute2 procps util-linux qemu-system-x86 busybox-static cpio ncurses-term \
afl++ xvfb xauth kernelshark imagemagick groff-base man-db mandoc zsh \
bash-completion liburing-dev redis-server redis-tools memcached prometheus python3-prometheus-client curl systemd"

pkgs="$BUILD"
[ "$1" = "--no-test" ] || pkgs="$pkgs $TEST"

if [ "$(id -u)" != 0 ]; then
	echo "install-deps: must run as root (apt-get install)" >&2
	exit 1
fi

missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

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
