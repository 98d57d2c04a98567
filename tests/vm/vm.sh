# Helpers of recvtop's VM tier: Debian kernels, the guest initramfs, qemu.
# Source it from bash.  Nothing here touches the host's tracefs.
#
#   RT_VM_CACHE   cache of downloaded .debs and unpacked kernels
#                 (default /var/cache/recvtop-tests; outside the checkout)

RT_VM_CACHE=${RT_VM_CACHE:-/var/cache/recvtop-tests}

vm_log() { echo "# vm: $*" >&2; }

# the binary package a Debian meta package depends on (linux-image-amd64 ->
# linux-image-6.1.0-56-amd64); runs apt-get update once if apt knows nothing
vm_kernel_package() {	# vm_kernel_package META
	local meta=$1 pkg
	pkg=$(apt-cache depends "$meta" 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-[^ ]*\)$/\1/p' | head -n 1)
	if [ -z "$pkg" ] && [ -z "${_vm_updated:-}" ]; then
		_vm_updated=1
		vm_log "apt-cache knows no $meta: apt-get update"
		apt-get update -qq >/dev/null 2>&1
		pkg=$(apt-cache depends "$meta" 2>/dev/null |
			sed -n 's/^ *Depends: \(linux-image-[^ ]*\)$/\1/p' |
			head -n 1)
	fi
	echo "$pkg"
}

# download PACKAGE into DIR (atomically: nothing is left half-written)
vm_download() {	# vm_download PACKAGE DIR
	local pkg=$1 debs=$2 tmp st
	tmp=$(mktemp -d "$debs/download.XXXXXX") || return 1
	(cd "$tmp" && apt-get download -q -o APT::Sandbox::User=root \
		"$pkg" >&2) && mv "$tmp"/*.deb "$debs/"
	st=$?
	rm -rf "$tmp"
	return $st
}

# fetch (once) and unpack (once) a kernel package; prints the vmlinuz path
vm_kernel_image() {	# vm_kernel_image PACKAGE
	local pkg=$1 debs="$RT_VM_CACHE/debs" deb ver dir tmp rel old
	mkdir -p "$debs" || return 1
	ver=$(apt-cache policy "$pkg" 2>/dev/null |
		sed -n 's/^ *Candidate: *//p')
	deb=""
	if [ -n "$ver" ] && [ "$ver" != "(none)" ]; then
		# apt-get names the file PKG_VERSION_ARCH.deb, ':' as %3a
		deb="$debs/${pkg}_${ver//:/%3a}_amd64.deb"
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
			for old in "$debs"/linux-image-"$rel".*.deb \
				   "$RT_VM_CACHE"/kernels/linux-image-"$rel".*; do
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
		deb=$(ls -t "$debs/${pkg}"_*.deb 2>/dev/null | head -n 1)
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

# copy a program and every library ldd lists for it into the root folder
vm_add_program() {	# vm_add_program ROOT FILE [NAME-IN-/bin]
	local root=$1 file=$2 name=${3:-$(basename "$2")} lib
	install -m 0755 "$file" "$root/bin/$name" || return 1
	for lib in $(ldd "$file" | grep -o '/[^ ]*'); do
		[ -e "$root$lib" ] && continue
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib" || return 1
	done
}

# build the guest's initramfs (gzip'ed newc cpio) from the given programs
vm_initramfs() {	# vm_initramfs OUT.gz INIT PROGRAM...
	local out=$1 init=$2 root
	shift 2
	root=$(mktemp -d "${out%.gz}.root.XXXXXX") || return 1
	mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,etc}
	cp /bin/busybox "$root/bin/busybox" && ln -s busybox "$root/bin/sh" || return 1
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
vm_boot() {	# vm_boot VMLINUZ INITRD SMP LOG TIMEOUT_S
	local kernel=$1 initrd=$2 smp=$3 log=$4 limit=$5
	timeout --kill-after=10 "$limit" qemu-system-x86_64 \
		-accel tcg,thread=single \
		-m 1024 -smp "$smp" -kernel "$kernel" -initrd "$initrd" \
		-append "console=ttyS0 quiet rdinit=/init panic=-1" \
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
