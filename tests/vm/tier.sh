# The body of recvtop's VM tiers, sourced by tests/vm/50-kprobe-vm.t
# (x86-64) and tests/vm-arm64/50-kprobe-vm-arm64.t (AArch64), which set
# VM_ARCH first.
#
# The kprobe backend on real kernels (and the sock backend where auto picks
# it, 6.12: every receive API of rtgen): Debian's 6.1 and 6.12 kernels booted
# under qemu (TCG) with a busybox initramfs holding recvtop, the generators
# and their libraries.  The guest (tests/vm/guest-init.sh) prints its
# results on the serial console; they are judged here, on the host
# (tests/vm/vmcheck.py, tests/lib/rtcheck.py).  The host's tracefs is not
# touched.
#
# On aarch64 the programs are this tree cross-built
# (./configure --host=aarch64-linux-gnu, into $RT_BUILD/arm64), the
# libraries the arm64 multiarch packages' (scripts/install-deps.sh) and
# busybox busybox-static:arm64's; Debian's redis-server and memcached are
# not there (their arm64 packages do not install beside the host's), so
# that step is the x86-64 tier's only.
#
# Environment (all optional):
#   RT_VM_CACHE    where .debs and unpacked kernels are kept
#                  (default /var/cache/recvtop-tests)
#   RT_VM_KERNELS  releases to boot (default "6.1 6.12")
#   RT_VM_SMP      CPU counts to boot each with (default "2 4" on x86-64,
#                  "2" on aarch64, whose emulation is slower)
#   RT_VM_TIMEOUT  seconds one boot may take (default 600; 900 on aarch64)
. "$RT_TOP/tests/lib/tap.sh"
. "$RT_TOP/tests/vm/vm.sh"

start=$(date +%s)
if [ "$VM_ARCH" = aarch64 ]; then
	O="$RT_OUT/vm-arm64"
	smps=${RT_VM_SMP:-2}
	limit=${RT_VM_TIMEOUT:-900}
else
	O="$RT_OUT/vm"
	smps=${RT_VM_SMP:-2 4}
	limit=${RT_VM_TIMEOUT:-600}
fi
mkdir -p "$O"
kernels=${RT_VM_KERNELS:-6.1 6.12}

# the Debian meta package naming each release's current kernel package
meta_of() {
	case "$1" in
	6.1) echo "linux-image-$VM_DEBARCH" ;;
	*) echo "linux-image-$1-$VM_DEBARCH" ;;
	esac
}

# --- prerequisites ---------------------------------------------------
if ! command -v "$VM_QEMU" >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
	diag "$VM_QEMU missing: installing $VM_QEMU_PKG"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends "$VM_QEMU_PKG" >/dev/null 2>&1 ||
		{ apt-get update -qq >/dev/null 2>&1 &&
		  DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
			--no-install-recommends "$VM_QEMU_PKG" >/dev/null 2>&1; }
fi
if ! command -v "$VM_QEMU" >/dev/null 2>&1; then
	skip "kprobe backend on Debian $VM_DEBARCH 6.1 and 6.12 kernels" \
		"$VM_QEMU is not installed and could not be installed (apt-get install $VM_QEMU_PKG as root)"
	done_testing
	exit 0
fi

missing=""
if [ "$VM_ARCH" = x86_64 ]; then
	# busybox-static: ldd refuses a static program
	[ -x /bin/busybox ] && ! ldd /bin/busybox >/dev/null 2>&1 ||
		missing="$missing busybox-static"
	tools="cpio gzip apt-get apt-cache dpkg-deb python3 cc ldd timeout"
else
	tools="cpio gzip apt-get apt-cache dpkg-deb python3 readelf timeout $VM_CC $VM_TRIPLET-pkg-config"
fi
for c in $tools; do
	command -v "$c" >/dev/null 2>&1 || missing="$missing $c"
done
is "$missing" "" "VM tier tools present ($tools${missing:+; run scripts/install-deps.sh})"

if [ "$VM_ARCH" = aarch64 ]; then
	# the tree cross-built, beside the native build: configure writes its
	# Makefile into $O/cfg, make runs it from the top of the tree
	xb="$RT_BUILD/arm64"
	t0=$(date +%s)
	rm -rf "$O/cfg" && mkdir -p "$O/cfg" &&
		(cd "$O/cfg" && sh "$RT_TOP/configure" --host=$VM_TRIPLET) \
		>"$O/configure.log" 2>&1
	ok $? "./configure --host=$VM_TRIPLET ($(tail -n 1 "$O/configure.log"))"
	nice make -s -C "$RT_TOP" -f "$O/cfg/Makefile" -j2 BUILD="$xb" \
		"$xb/recvtop" "$xb/asan/recvtop" "$xb/tools/rtgen" \
		"$xb/tools/rtmem" "$xb/tools/rtcard" "$xb/tools/rtmc" \
		"$xb/tools/rttx" "$xb/tools/rtpeer" >"$O/make.log" 2>&1
	ok $? "cross build of recvtop (plain and ASan) and the generators in $(( $(date +%s) - t0 ))s"
	like "$(file -b "$xb/recvtop" 2>&1)" '^ELF 64-bit LSB pie executable, ARM aarch64' \
		"recvtop is an AArch64 program: $(file -b "$xb/recvtop" 2>&1 | cut -d, -f1-4)"
	RECVTOP_PLAIN=$xb/recvtop
	RECVTOP=$xb/asan/recvtop
	RT_TOOLS=$xb/tools
fi
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

$VM_CC -std=gnu11 -Wall -Wextra -Werror -O2 -g -pthread \
	-o "$O/rtblock" "$RT_TOP/tests/vm/rtblock.c" 2>"$O/rtblock.cc.err"
ok $? "rtblock (the kretprobe-miss provoker) builds"

# the plain recvtop for everything, the sanitized one ($RECVTOP) for two
# runs on the kprobe-only decode paths
cp "$RECVTOP" "$O/recvtop-asan"
# and the real servers of tests/eco/95-servers.t, with their clients
servers=""
if [ "$VM_ARCH" = x86_64 ]; then
	for p in redis-server redis-cli redis-benchmark memcached; do
		command -v "$p" >/dev/null || { servers=""; break; }
		servers="$servers $(command -v "$p")"
	done
	what=", redis-server, redis-benchmark, memcached"
else
	what=""
fi
vm_initramfs "$O/initrd.gz" "$RT_TOP/tests/vm/guest-init.sh" \
	"$RECVTOP_PLAIN" "$O/recvtop-asan" "$RT_TOOLS/rtgen" \
	"$RT_TOOLS/rtmem" "$O/rtblock" "$RT_TOOLS/rtcard" "$RT_TOOLS/rtmc" \
	"$RT_TOOLS/rttx" "$RT_TOOLS/rtpeer" $servers 2>"$O/initrd.err"
ok $? "$VM_DEBARCH initramfs with busybox, recvtop (plain and ASan), rtgen, rttx, rtpeer, rtmem, rtblock, rtcard, rtmc$what and their libraries ($(du -k "$O/initrd.gz" 2>/dev/null | cut -f1) KB)"
if [ "$VM_ARCH" = x86_64 ]; then
	[ -n "$servers" ]
	ok $? "redis-server, redis-cli, redis-benchmark and memcached are installed (scripts/install-deps.sh)"
fi
[ -s "$O/initrd.gz" ] || { done_testing; exit 1; }
# rtgen's uring scenario needs liburing in the guest: every library of
# rtgen is in the archive
inside=$(zcat "$O/initrd.gz" | cpio -t --quiet 2>/dev/null | sed 's|^\./||')
nolib=""
rtgen_libs=$(vm_libs "$RT_TOOLS/rtgen" | cut -d' ' -f2)
for lib in $rtgen_libs; do
	printf '%s\n' "$inside" | grep -qxF "${lib#/}" || nolib="$nolib $lib"
done
is "$nolib" "" "initramfs holds every library of rtgen ($(printf '%s\n' $rtgen_libs |
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
		pkg=$(ls -t "$RT_VM_CACHE"/debs/linux-image-"$rel".*_"$VM_DEBARCH".deb \
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
	pass "Debian $VM_DEBARCH $rel kernel: $pkg ($(basename "$(dirname "${image[$rel]}")"))"
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
		diag "$name: booted $(tr -d '\r' <"$O/$name/env" 2>/dev/null |
			sed -n 's/^kernel //p') ($(tr -d '\r' <"$O/$name/env" 2>/dev/null |
			sed -n 's/^machine //p'))"
		python3 "$RT_TOP/tests/vm/vmcheck.py" "$O/$name" "$name" \
			--release "$rel" --smp "$smp" --arch "$VM_ARCH" \
			--offsets "${offsets[$rel]:-unknown}" || vm_failed=1
	done
done

diag "VM tier ($VM_ARCH) wall time: $(( $(date +%s) - start ))s"
done_testing && [ -z "${vm_failed:-}" ]
