# Helpers of recvtop's VM tier: Debian kernels, the guest initramfs, qemu.
# Source it from bash.  Nothing here touches the host's tracefs.
#
#   RT_VM_CACHE   cache of downloaded .debs and unpacked kernels
#                 (default /var/cache/recvtop-tests; outside the checkout)
#   VM_ARCH       the guest's machine: x86_64 (default) or aarch64 (set it
#                 before sourcing this file)

RT_VM_CACHE=${RT_VM_CACHE:-/var/cache/recvtop-tests}
VM_ARCH=${VM_ARCH:-x86_64}
case "$VM_ARCH" in
aarch64)
	VM_DEBARCH=arm64		# Debian's name of the architecture
	VM_TRIPLET=aarch64-linux-gnu	# its multiarch library folder
	VM_QEMU=qemu-system-aarch64
	VM_QEMU_PKG=qemu-system-arm
	VM_CC=aarch64-linux-gnu-gcc ;;
*)
	VM_DEBARCH=amd64
	VM_TRIPLET=x86_64-linux-gnu
	VM_QEMU=qemu-system-x86_64
	VM_QEMU_PKG=qemu-system-x86
	VM_CC=cc ;;
esac

vm_log() { echo "# vm: $*" >&2; }

# the binary package a Debian meta package depends on (linux-image-amd64 ->
# linux-image-6.1.0-56-amd64); runs apt-get update once if apt knows
# nothing.  A foreign architecture's packages are asked for as
# NAME:ARCH (dpkg --add-architecture arm64: scripts/install-deps.sh) and
# named without the suffix
vm_kernel_package() {	# vm_kernel_package META
	local meta=$1 pkg q=$1
	[ "$VM_DEBARCH" = amd64 ] || q="$meta:$VM_DEBARCH"
	pkg=$(apt-cache depends "$q" 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[^ :]*\)\(:[a-z0-9]*\)\{0,1\}$/\1/p' |
		head -n 1)
	if [ -z "$pkg" ] && [ -z "${_vm_updated:-}" ]; then
		_vm_updated=1
		vm_log "apt-cache knows no $q: apt-get update"
		apt-get update -qq >/dev/null 2>&1
		pkg=$(apt-cache depends "$q" 2>/dev/null |
			sed -n 's/^ *Depends: \(linux-image-[^ :]*\)\(:[a-z0-9]*\)\{0,1\}$/\1/p' |
			head -n 1)
	fi
	echo "$pkg"
}

# apt's name of a package of the guest's architecture
vm_apt_name() {	# vm_apt_name PACKAGE
	if [ "$VM_DEBARCH" = amd64 ]; then echo "$1"; else echo "$1:$VM_DEBARCH"; fi
}

# download PACKAGE into DIR (atomically: nothing is left half-written)
vm_download() {	# vm_download PACKAGE DIR
	local pkg=$1 debs=$2 tmp st
	tmp=$(mktemp -d "$debs/download.XXXXXX") || return 1
	(cd "$tmp" && apt-get download -q -o APT::Sandbox::User=root \
		"$(vm_apt_name "$pkg")" >&2) && mv "$tmp"/*.deb "$debs/"
	st=$?
	rm -rf "$tmp"
	return $st
}

# fetch (once) and unpack (once) a kernel package; prints the vmlinuz path
vm_kernel_image() {	# vm_kernel_image PACKAGE
	local pkg=$1 debs="$RT_VM_CACHE/debs" deb ver dir tmp rel old
	mkdir -p "$debs" || return 1
	ver=$(apt-cache policy "$(vm_apt_name "$pkg")" 2>/dev/null |
		sed -n 's/^ *Candidate: *//p')
	deb=""
	if [ -n "$ver" ] && [ "$ver" != "(none)" ]; then
		# apt-get names the file PKG_VERSION_ARCH.deb, ':' as %3a
		deb="$debs/${pkg}_${ver//:/%3a}_$VM_DEBARCH.deb"
	fi
	if [ -n "$deb" ] && [ ! -s "$deb" ]; then
		vm_log "downloading $pkg $ver"
		if ! vm_download "$pkg" "$debs"; then
			# stale package lists name a version the mirror dropped
			vm_log "download failed: apt-get update, then again"
			apt-get update -qq >/dev/null 2>&1
			vm_download "$pkg" "$debs"
		fi
		if [ -s "$deb" ]; then
			# a new version: older ones of this release can go
			rel=$(echo "$pkg" |
				sed 's/^linux-image-\([0-9]*\.[0-9]*\)[.-].*/\1/')
			# (of this architecture: the other tier's stay)
			for old in "$debs"/linux-image-"$rel".*_"$VM_DEBARCH".deb \
				   "$RT_VM_CACHE"/kernels/linux-image-"$rel".*_"$VM_DEBARCH"; do
				[ -e "$old" ] || continue
				[ "$(basename "$old" .deb)" = \
				  "$(basename "$deb" .deb)" ] && continue
				vm_log "removing old $(basename "$old")"
				rm -rf "$old"
			done
		fi
	fi
	# offline: the newest cached version of that package
	if [ -z "$deb" ] || [ ! -s "$deb" ]; then
		deb=$(ls -t "$debs/${pkg}"_*_"$VM_DEBARCH".deb 2>/dev/null |
			head -n 1)
	fi
	[ -n "$deb" ] && [ -s "$deb" ] || return 1
	dir="$RT_VM_CACHE/kernels/$(basename "$deb" .deb)"
	if [ ! -s "$dir/vmlinuz" ]; then
		tmp=$(mktemp -d "$RT_VM_CACHE/unpack.XXXXXX") || return 1
		# only ./boot is needed: the guest loads no modules
		if ! dpkg-deb --fsys-tarfile "$deb" |
			tar -x -C "$tmp" --wildcards './boot/*'; then
			vm_log "cannot unpack $deb: removed, fetched again next time"
			rm -rf "$tmp" "$deb"
			return 1
		fi
		mkdir -p "$dir"
		cp "$tmp"/boot/vmlinuz-* "$dir/vmlinuz.tmp" &&
			cp "$tmp"/boot/config-* "$dir/config" &&
			mv "$dir/vmlinuz.tmp" "$dir/vmlinuz"
		rm -rf "$tmp"
	fi
	[ -s "$dir/vmlinuz" ] && echo "$dir/vmlinuz"
}

# the libraries a program of the guest's architecture needs, as
# "HOST-PATH GUEST-PATH" lines: ldd's list on x86-64; for another
# architecture (ldd cannot run its programs) the ELF interpreter and the
# DT_NEEDED entries, recursively, found in its multiarch folders (and
# /usr/local/lib/TRIPLET, where install-deps.sh puts libtracecmd, and
# /usr/TRIPLET/lib, the cross compiler's libasan and libubsan), each
# put in the guest's /lib/TRIPLET, where its ld.so looks
vm_libs() {	# vm_libs FILE
	local file=$1 lib todo seen="" n dir found
	if [ "$VM_DEBARCH" = amd64 ]; then
		for lib in $(ldd "$file" | grep -o '/[^ ]*'); do
			echo "$lib $lib"
		done
		return 0
	fi
	lib=$(readelf -lW "$file" | sed -n 's/.*Requesting program interpreter: \(.*\)\]$/\1/p')
	[ -n "$lib" ] && echo "$lib $lib"
	todo=$file
	while [ -n "$todo" ]; do
		set -- $todo
		todo=""
		for f in "$@"; do
			for n in $(readelf -dW "$f" |
				sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p'); do
				case " $seen " in *" $n "*) continue ;; esac
				seen="$seen $n"
				found=""
				for dir in /lib/$VM_TRIPLET /usr/lib/$VM_TRIPLET \
					   /usr/local/lib/$VM_TRIPLET \
					   /usr/$VM_TRIPLET/lib; do
					[ -e "$dir/$n" ] && { found=$dir/$n; break; }
				done
				if [ -z "$found" ]; then
					vm_log "$file: library $n not found in the $VM_TRIPLET folders"
					return 1
				fi
				echo "$found /lib/$VM_TRIPLET/$n"
				todo="$todo $found"
			done
		done
	done
}

# copy a program and every library it needs into the root folder
vm_add_program() {	# vm_add_program ROOT FILE [NAME-IN-/bin]
	local root=$1 file=$2 name=${3:-$(basename "$2")} libs lib dst
	install -m 0755 "$file" "$root/bin/$name" || return 1
	libs=$(vm_libs "$file") || return 1
	while read -r lib dst; do
		[ -n "$lib" ] || continue
		[ -e "$root$dst" ] && continue
		mkdir -p "$root$(dirname "$dst")"
		cp -L "$lib" "$root$dst" || return 1
	done <<<"$libs"
}

# the static busybox of the guest's architecture: the host's on x86-64,
# else busybox-static:ARCH's, fetched (once) into the cache and unpacked
# (dpkg cannot install it beside the host's); prints its path
vm_busybox() {
	local debs="$RT_VM_CACHE/debs" deb dir tmp
	if [ "$VM_DEBARCH" = amd64 ]; then
		echo /bin/busybox
		return 0
	fi
	dir="$RT_VM_CACHE/busybox-$VM_DEBARCH"
	if [ ! -x "$dir/busybox" ]; then
		mkdir -p "$debs" || return 1
		deb=$(ls -t "$debs"/busybox-static_*_"$VM_DEBARCH".deb 2>/dev/null |
			head -n 1)
		if [ -z "$deb" ]; then
			vm_log "downloading busybox-static:$VM_DEBARCH"
			vm_download busybox-static "$debs" || return 1
			deb=$(ls -t "$debs"/busybox-static_*_"$VM_DEBARCH".deb |
				head -n 1)
		fi
		tmp=$(mktemp -d "$RT_VM_CACHE/unpack.XXXXXX") || return 1
		dpkg-deb -x "$deb" "$tmp" && mkdir -p "$dir" &&
			cp "$tmp/bin/busybox" "$dir/busybox.tmp" &&
			mv "$dir/busybox.tmp" "$dir/busybox"
		rm -rf "$tmp"
	fi
	[ -x "$dir/busybox" ] && echo "$dir/busybox"
}

# build the guest's initramfs (gzip'ed newc cpio) from the given programs
vm_initramfs() {	# vm_initramfs OUT.gz INIT PROGRAM...
	local out=$1 init=$2 root
	shift 2
	local bb
	bb=$(vm_busybox) || return 1
	root=$(mktemp -d "${out%.gz}.root.XXXXXX") || return 1
	mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,etc}
	cp "$bb" "$root/bin/busybox" && ln -s busybox "$root/bin/sh" || return 1
	install -m 0755 "$init" "$root/init" || return 1
	for p in "$@"; do
		vm_add_program "$root" "$p" || return 1
	done
	(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) \
		>"$out.tmp" && mv "$out.tmp" "$out"
	local st=$?
	rm -rf "$root"
	return $st
}

# boot a kernel with the initramfs; the console goes to LOG.
# One host thread runs all the guest's CPUs (thread=single): with a thread
# per vCPU, a CPU could still run the int3 the kernel's text_poke_bp had
# put into __schedule after the kernel had removed it and synced every
# CPU (a tracepoint or static call switched on by a trace session), and
# the guest died of "Oops: int3" (once in a CI run, 6.12 -smp 2)
# (the same on aarch64, where the kernel patches its text through
# aarch64_insn_patch_text too).  aarch64: the virt board, its PL011 UART
# as the console; -cpu max with the cheap (implementation defined)
# pointer authentication, which TCG runs much faster than QARMA
vm_boot() {	# vm_boot VMLINUZ INITRD SMP LOG TIMEOUT_S
	local kernel=$1 initrd=$2 smp=$3 log=$4 limit=$5
	local machine=() console=ttyS0 mem=1024
	if [ "$VM_ARCH" = aarch64 ]; then
		machine=(-M virt -cpu max,pauth-impdef=on)
		console=ttyAMA0
		mem=2048
	fi
	timeout --kill-after=10 "$limit" "$VM_QEMU" "${machine[@]}" \
		-accel tcg,thread=single \
		-m "$mem" -smp "$smp" -kernel "$kernel" -initrd "$initrd" \
		-append "console=$console quiet rdinit=/init panic=-1" \
		-nographic -no-reboot -nic none </dev/null >"$log" 2>&1
}

# cut the @@BEGIN NAME ... @@END NAME rc=N sections out of a console log
# into DIR/NAME, and DIR/NAME.rc
vm_sections() {	# vm_sections LOG DIR
	local log=$1 dir=$2
	mkdir -p "$dir"
	tr -d '\r' <"$log" | awk -v dir="$dir" '
		# the first marker may follow the firmware'"'"'s escape codes
		/@@BEGIN / { sub(/.*@@BEGIN /, "@@BEGIN ");
			name = $2; file = dir "/" name;
			printf "" > file; inside = 1; next }
		/^@@END / && inside { close(file); sub(/^rc=/, "", $3);
			print $3 > (file ".rc"); close(file ".rc");
			inside = 0; next }
		inside { print > file }'
}
