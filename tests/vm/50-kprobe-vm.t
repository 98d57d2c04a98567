#!/bin/bash
# The kprobe backend on real kernels (and the sock backend where auto picks
# it, 6.12: every receive API of rtgen): Debian's 6.1 and 6.12 kernels booted
# under qemu (TCG) with a busybox initramfs holding recvtop, the generators
# and their libraries.  The guest (tests/vm/guest-init.sh) prints its
# results on the serial console; they are judged here, on the host
# (tests/vm/vmcheck.py, tests/lib/rtcheck.py).  The host's tracefs is not
# touched.
#
# Environment (all optional):
#   RT_VM_CACHE    where .debs and unpacked kernels are kept
#                  (default /var/cache/recvtop-tests)
#   RT_VM_KERNELS  releases to boot (default "6.1 6.12")
#   RT_VM_SMP      CPU counts to boot each with (default "2 4")
#   RT_VM_TIMEOUT  seconds one boot may take (default 300)
. "$RT_TOP/tests/lib/tap.sh"
. "$RT_TOP/tests/vm/vm.sh"

start=$(date +%s)
O="$RT_OUT/vm"
mkdir -p "$O"
kernels=${RT_VM_KERNELS:-6.1 6.12}
smps=${RT_VM_SMP:-2 4}
limit=${RT_VM_TIMEOUT:-300}

# the Debian meta package naming each release's current kernel package
meta_of() {
	case "$1" in
	6.1) echo linux-image-amd64 ;;
	*) echo "linux-image-$1-amd64" ;;
	esac
}

# --- prerequisites ---------------------------------------------------
if ! command -v qemu-system-x86_64 >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
	diag "qemu-system-x86_64 missing: installing qemu-system-x86"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends qemu-system-x86 >/dev/null 2>&1 ||
		{ apt-get update -qq >/dev/null 2>&1 &&
		  DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
			--no-install-recommends qemu-system-x86 >/dev/null 2>&1; }
fi
if ! command -v qemu-system-x86_64 >/dev/null 2>&1; then
	skip "kprobe backend on Debian 6.1 and 6.12 kernels" \
		"qemu-system-x86_64 is not installed and could not be installed (apt-get install qemu-system-x86 as root)"
	done_testing
	exit 0
fi

missing=""
# busybox-static: ldd refuses a static program
[ -x /bin/busybox ] && ! ldd /bin/busybox >/dev/null 2>&1 ||
	missing="$missing busybox-static"
for c in cpio gzip apt-get apt-cache dpkg-deb python3 cc ldd timeout; do
	command -v "$c" >/dev/null 2>&1 || missing="$missing $c"
done
is "$missing" "" "VM tier tools present (static busybox, cpio, apt, dpkg-deb, cc)"
bins=""
for b in "$RECVTOP_PLAIN" "$RECVTOP" "$RT_TOOLS/rtgen" "$RT_TOOLS/rtmem" \
	 "$RT_TOOLS/rtcard" "$RT_TOOLS/rttx" "$RT_TOOLS/rtpeer"; do
	[ -x "$b" ] || bins="$bins $b"
done
is "$bins" "" "recvtop (plain and ASan) and the generators are built"
if [ -n "$missing" ] || [ -n "$bins" ]; then
	done_testing
	exit 1
fi

# a cache outside the checkout; a user's own when the shared one is closed
if ! mkdir -p "$RT_VM_CACHE" 2>/dev/null || [ ! -w "$RT_VM_CACHE" ]; then
	RT_VM_CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/recvtop-tests"
	mkdir -p "$RT_VM_CACHE"
fi
diag "kernel cache: $RT_VM_CACHE"

cc -std=gnu11 -Wall -Wextra -Werror -O2 -g -pthread \
	-o "$O/rtblock" "$RT_TOP/tests/vm/rtblock.c" 2>"$O/rtblock.cc.err"
ok $? "rtblock (the kretprobe-miss provoker) builds"

# the plain recvtop for everything, the sanitized one ($RECVTOP) for two
# runs on the kprobe-only decode paths
cp "$RECVTOP" "$O/recvtop-asan"
# and the real servers of tests/eco/95-servers.t, with their clients
servers=""
for p in redis-server redis-cli redis-benchmark memcached; do
	command -v "$p" >/dev/null || { servers=""; break; }
	servers="$servers $(command -v "$p")"
done
vm_initramfs "$O/initrd.gz" "$RT_TOP/tests/vm/guest-init.sh" \
	"$RECVTOP_PLAIN" "$O/recvtop-asan" "$RT_TOOLS/rtgen" \
	"$RT_TOOLS/rtmem" "$O/rtblock" "$RT_TOOLS/rtcard" "$RT_TOOLS/rtmc" \
	"$RT_TOOLS/rttx" "$RT_TOOLS/rtpeer" $servers 2>"$O/initrd.err"
ok $? "initramfs with busybox, recvtop (plain and ASan), rtgen, rttx, rtpeer, rtmem, rtblock, rtcard, rtmc, redis-server, redis-benchmark, memcached and their libraries ($(du -k "$O/initrd.gz" 2>/dev/null | cut -f1) KB)"
[ -n "$servers" ]
ok $? "redis-server, redis-cli, redis-benchmark and memcached are installed (scripts/install-deps.sh)"
[ -s "$O/initrd.gz" ] || { done_testing; exit 1; }
# rtgen's uring scenario needs liburing in the guest: every library ldd
# lists for rtgen is in the archive
inside=$(zcat "$O/initrd.gz" | cpio -t --quiet 2>/dev/null | sed 's|^\./||')
nolib=""
for lib in $(ldd "$RT_TOOLS/rtgen" | grep -o '/[^ ]*'); do
	printf '%s\n' "$inside" | grep -qxF "${lib#/}" || nolib="$nolib $lib"
done
is "$nolib" "" "initramfs holds every library of rtgen ($(ldd "$RT_TOOLS/rtgen" |
	grep -o 'liburing[^ ]*' | head -n 1))"

# --- kernels ---------------------------------------------------------
t0=$(date +%s)
declare -A image offsets
for rel in $kernels; do
	meta=$(meta_of "$rel")
	pkg=$(vm_kernel_package "$meta")
	case "$pkg" in
	linux-image-"$rel".*) ;;
	*) pkg="" ;;
	esac
	if [ -z "$pkg" ]; then
		# offline: whatever of this release is in the cache
		pkg=$(ls -t "$RT_VM_CACHE"/debs/linux-image-"$rel".*_amd64.deb \
			2>/dev/null | head -n 1 | xargs -r basename | cut -d_ -f1)
	fi
	if [ -z "$pkg" ]; then
		fail "Debian $rel kernel: apt knows no package for $meta"
		continue
	fi
	image[$rel]=$(vm_kernel_image "$pkg")
	if [ -z "${image[$rel]}" ]; then
		fail "Debian $rel kernel: cannot fetch or unpack $pkg"
		continue
	fi
	pass "Debian $rel kernel: $pkg ($(basename "$(dirname "${image[$rel]}")"))"
	offsets[$rel]=$(python3 "$RT_TOP/tests/vm/btf_offsets.py" \
		"${image[$rel]}" 2>"$O/btf-$rel.err")
	like "${offsets[$rel]}" '^pid [0-9]+ tgid [0-9]+ comm [0-9]+$' \
		"Debian $rel kernel: task_struct offsets from the image's BTF: ${offsets[$rel]}"
	if [ "$pkg" = linux-image-6.1.0-56-amd64 ]; then
		is "${offsets[$rel]}" "pid 2416 tgid 2420 comm 2976" \
			"Debian 6.1.0-56: the documented offsets (probe-facts.md)"
	fi
done
diag "kernels ready in $(( $(date +%s) - t0 ))s"

# --- boots -----------------------------------------------------------
for rel in $kernels; do
	[ -n "${image[$rel]:-}" ] || continue
	for smp in $smps; do
		name="$rel-smp$smp"
		log="$O/$name.console"
		rm -rf "$O/$name"
		t0=$(date +%s)
		vm_boot "${image[$rel]}" "$O/initrd.gz" "$smp" "$log" "$limit"
		st=$?
		secs=$(( $(date +%s) - t0 ))
		tr -d '\r' <"$log" | grep -q '^@@DONE' || st="$st, no @@DONE"
		is "$st" 0 "$name: guest booted, ran its script and powered off (${secs}s)"
		if [ "$st" != 0 ]; then
			diag "$name: console tail ($log):"
			tr -d '\r' <"$log" | tail -n 30 | sed 's/^/#   /'
		fi
		# where the guest's time went (uptime at the end of each step)
		diag "$name: guest uptime after each step: $(tr -d '\r' <"$log" |
			sed -n 's/^@@END \([a-z0-9.-]*\)\.err rc=[0-9]* t=\([0-9.]*\)$/\1 \2s/p' |
			paste -sd, | sed 's/,/, /g')"
		vm_sections "$log" "$O/$name"
		python3 "$RT_TOP/tests/vm/vmcheck.py" "$O/$name" "$name" \
			--release "$rel" --smp "$smp" \
			--offsets "${offsets[$rel]:-unknown}" || vm_failed=1
	done
done

diag "VM tier wall time: $(( $(date +%s) - start ))s"
done_testing && [ -z "${vm_failed:-}" ]
