#!/bin/bash
# The libc scanner of the sender-address uprobes (src/trace/uprobes.c),
# through `recvtop probes --libc-file FILE` (no root): on the host's x86-64
# libc and, where installed, the arm64 one, the functions' addresses
# and the uprobe sites (the file offset of the instruction after each
# syscall instruction) equal what objdump -d and readelf show; bad input
# is one line on stderr and exit 2.
. "$RT_TOP/tests/lib/tap.sh"

# expected FILE OBJDUMP: "recvfrom 0xV 0xS..." "recvmsg ...", from the
# dynamic symbols, the disassembly and the PT_LOAD segments
expected() {
	python3 - "$1" "$2" <<'PY'
import re, subprocess, sys
path, objdump = sys.argv[1], sys.argv[2]
loads = []
for l in subprocess.run(["readelf", "-lW", path], capture_output=True,
                        text=True).stdout.splitlines():
    f = l.split()
    if f and f[0] == "LOAD" and "E" in " ".join(f[6:-1]):
        loads.append((int(f[1], 16), int(f[2], 16), int(f[4], 16)))
syms = {}
for l in subprocess.run(["readelf", "--dyn-syms", "-W", path],
                        capture_output=True, text=True).stdout.splitlines():
    f = l.split()
    if len(f) >= 8 and f[3] == "FUNC" and f[7].split("@")[0] in \
            ("recvfrom", "recvmsg") and f[6] != "UND":
        syms.setdefault(f[7].split("@")[0], (int(f[1], 16), int(f[2])))
def off(v):
    for o, va, fs in loads:
        if va <= v < va + fs:
            return v - va + o
    return -1
for name in ("recvfrom", "recvmsg"):
    v, size = syms[name]
    out = subprocess.run([objdump, "-d", "--start-address=%#x" % v,
                          "--stop-address=%#x" % (v + size), path],
                         capture_output=True, text=True).stdout
    insns = [(int(m.group(1), 16), m.group(2)) for m in
             re.finditer(r"^\s*([0-9a-f]+):\s+(?:(?:[0-9a-f]{2} )+|[0-9a-f]{8}\s)\s*(.*)$",
                         out, re.M)]
    sites = []
    for i, (a, text) in enumerate(insns):
        if re.match(r"(syscall|svc\s+#0x0)\b", text):
            nxt = insns[i + 1][0] if i + 1 < len(insns) else a + \
                (2 if text.startswith("syscall") else 4)
            sites.append(off(nxt))
    print(name, "%#x" % v, " ".join("%#x" % s for s in sites))
PY
}

check_libc() {	# check_libc FILE OBJDUMP ARCH
	local f=$1 od=$2 arch=$3 got want
	got=$("$RECVTOP" probes --libc-file "$f" 2>&1)
	is "$?" 0 "$arch libc $f: probes --libc-file exits 0"
	want=$(expected "$f" "$od")
	is "$(echo "$got" | grep -E '^(recvfrom|recvmsg) ')" "$want" \
		"$arch: recvfrom and recvmsg and their uprobe sites equal objdump -d ($(echo $want))"
	is "$(echo "$got" | sed -n 's/^build-id //p')" \
		"$(readelf -n "$f" | sed -n 's/.*Build ID: \([0-9a-f]*\).*/\1/p')" \
		"$arch: the build-id is readelf's"
	is "$(echo "$got" | sed -n 's/^arch //p')" "$arch" "$arch: the machine"
	# two sites per function in glibc 2.36 (single-thread, cancellable)
	is "$(echo "$want" | awk '{ n += NF - 2 } END { print n }')" 4 \
		"$arch: objdump shows 4 syscall instructions in the two functions"
}

X86=/lib/x86_64-linux-gnu/libc.so.6
if [ -e "$X86" ] && command -v objdump >/dev/null; then
	check_libc "$X86" objdump x86-64
else
	skip "x86-64 libc" "no $X86 or objdump"
fi
A64=/usr/aarch64-linux-gnu/lib/libc.so.6
if [ -e "$A64" ] && command -v aarch64-linux-gnu-objdump >/dev/null; then
	check_libc "$A64" aarch64-linux-gnu-objdump arm64
else
	skip "arm64 libc" "no $A64 or aarch64-linux-gnu-objdump"
fi

# bad input: not an ELF file, a missing file, an ELF without recvfrom
err=$("$RECVTOP" probes --libc-file /etc/hostname 2>&1 >/dev/null)
is "$?/$(echo "$err" | wc -l)" "2/1" "--libc-file on a text file: exit 2, one line"
like "$err" "is not an ELF file" "--libc-file on a text file: says so"
err=$("$RECVTOP" probes --libc-file /nonexistent/libc.so.6 2>&1 >/dev/null)
is "$?" 2 "--libc-file on a missing file: exit 2"
like "$err" "cannot open /nonexistent/libc.so.6" "--libc-file on a missing file: says so"
err=$("$RECVTOP" probes --libc-file /bin/true 2>&1 >/dev/null)
is "$?" 2 "--libc-file on an ELF without recvfrom: exit 2"
like "$err" "no recvfrom in .dynsym" "--libc-file on /bin/true: says which symbol is missing"

done_testing
