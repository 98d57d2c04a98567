#!/usr/bin/env python3
"""task_struct offsets of pid, tgid and comm, read from a kernel image's BTF.

usage: btf_offsets.py VMLINUZ
prints "pid P tgid T comm C" (byte offsets), or exits 1 with a reason.

An independent check of what recvtop finds in /sys/kernel/btf/vmlinux
inside the guest: the x86 bzImage's payload (xz, zstd or gzip) is
unpacked, the vmlinux ELF's .BTF section parsed, and struct task_struct
searched (through anonymous struct/union members, as libbpf users do).
An arm64 Image (Debian's vmlinuz, plain or gzip'ed) is the kernel's
memory image with no section table: its BTF is found by the BTF header
(magic 0xeb9f, version 1, 24-byte header) whose type and string areas fit
the image and parse.
"""
import gzip
import lzma
import struct
import subprocess
import sys

# BTF kinds (include/uapi/linux/btf.h)
INT, PTR, ARRAY, STRUCT, UNION, ENUM, FWD, TYPEDEF, VOLATILE, CONST, \
    RESTRICT, FUNC, FUNC_PROTO, VAR, DATASEC, FLOAT, DECL_TAG, TYPE_TAG, \
    ENUM64 = range(1, 20)


def die(msg):
    print("btf_offsets: " + msg, file=sys.stderr)
    sys.exit(1)


def payload(image):
    """the compressed vmlinux inside a bzImage (boot protocol >= 2.08)"""
    if image[0x202:0x206] != b"HdrS":
        die("not a bzImage")
    setup_sects = image[0x1f1] or 4
    off, length = struct.unpack_from("<II", image, 0x248)
    start = (setup_sects + 1) * 512 + off
    return image[start:start + length]


def vmlinux(image):
    data = payload(image)
    if data.startswith(b"\xfd7zXZ\x00"):
        return lzma.LZMADecompressor(format=lzma.FORMAT_XZ).decompress(data)
    if data.startswith(b"\x28\xb5\x2f\xfd"):
        # the kernel appends the uncompressed size (4 bytes)
        try:
            return subprocess.run(["zstd", "-dcq"], input=data[:-4],
                                  stdout=subprocess.PIPE,
                                  check=True).stdout
        except (OSError, subprocess.CalledProcessError) as e:
            die("zstd payload and no working zstd program (%s)" % e)
    if data.startswith(b"\x1f\x8b"):
        return gzip.decompress(data[:-4])
    die("unknown payload compression %s" % data[:6].hex())


def arm64_image(image):
    """an arm64 Image (magic "ARM\\x64" at 0x38), or None"""
    if image.startswith(b"\x1f\x8b"):
        try:
            image = gzip.decompress(image)
        except (OSError, EOFError):
            return None
    return image if image[0x38:0x3c] == b"ARM\x64" else None


def btf_in_image(image):
    """the BTF blob of a kernel memory image, found by its header"""
    magic = struct.pack("<HBBI", 0xeb9f, 1, 0, 24)
    at = image.find(magic)
    while at >= 0:
        _, _, _, hdr_len, type_off, type_len, str_off, str_len = \
            struct.unpack_from("<HBBIIIII", image, at)
        end = hdr_len + max(type_off + type_len, str_off + str_len)
        if type_len and str_len and at + end <= len(image) and \
                image[at + hdr_len + str_off] == 0:
            return image[at:at + end]
        at = image.find(magic, at + 1)
    die("no BTF in the arm64 Image")


def btf_section(elf):
    if elf[:4] != b"\x7fELF" or elf[4] != 2:
        die("payload is not a 64-bit ELF")
    shoff, = struct.unpack_from("<Q", elf, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", elf, 0x3a)
    def sh(i):
        return struct.unpack_from("<IIQQQQIIQQ", elf, shoff + i * shentsize)
    stroff = sh(shstrndx)[4]
    for i in range(shnum):
        h = sh(i)
        name = elf[stroff + h[0]:elf.index(b"\0", stroff + h[0])]
        if name == b".BTF":
            return elf[h[4]:h[4] + h[5]]
    die("vmlinux has no .BTF section")


def parse_types(btf):
    magic, ver, flags, hdr_len, type_off, type_len, str_off, str_len = \
        struct.unpack_from("<HBBIIIII", btf, 0)
    if magic != 0xeb9f:
        die("bad BTF magic")
    types = btf[hdr_len + type_off:hdr_len + type_off + type_len]
    strs = btf[hdr_len + str_off:hdr_len + str_off + str_len]

    def name(off):
        return strs[off:strs.index(b"\0", off)].decode()

    out = [None]  # type id 0 is void
    p = 0
    while p < len(types):
        name_off, info, size_type = struct.unpack_from("<III", types, p)
        p += 12
        kind = (info >> 24) & 0x1f
        vlen = info & 0xffff
        kflag = info >> 31
        t = {"kind": kind, "name": name(name_off), "type": size_type}
        if kind == INT:
            p += 4
        elif kind == ARRAY:
            p += 12
        elif kind in (STRUCT, UNION):
            members = []
            for _ in range(vlen):
                m_name, m_type, m_off = struct.unpack_from("<III", types, p)
                p += 12
                bits = m_off & 0xffffff if kflag else m_off
                members.append((name(m_name), m_type, bits))
            t["members"] = members
        elif kind == ENUM:
            p += 8 * vlen
        elif kind == FUNC_PROTO:
            p += 8 * vlen
        elif kind == VAR:
            p += 4
        elif kind == DATASEC:
            p += 12 * vlen
        elif kind == DECL_TAG:
            p += 4
        elif kind == ENUM64:
            p += 12 * vlen
        out.append(t)
    return out


def member_offset(types, t, want, depth=0):
    if depth > 8:
        return None
    for name, tid, bits in t["members"]:
        if name:
            if name == want:
                return bits // 8 if bits % 8 == 0 else None
            continue
        mt = types[tid]
        while mt and mt["kind"] in (TYPEDEF, VOLATILE, CONST, RESTRICT,
                                    TYPE_TAG):
            mt = types[mt["type"]]
        if mt and mt["kind"] in (STRUCT, UNION):
            off = member_offset(types, mt, want, depth + 1)
            if off is not None:
                return bits // 8 + off
    return None


def main(argv):
    if len(argv) != 2:
        die("usage: btf_offsets.py VMLINUZ")
    with open(argv[1], "rb") as f:
        image = f.read()
    arm64 = arm64_image(image)
    if arm64 is not None:
        types = parse_types(btf_in_image(arm64))
    else:
        types = parse_types(btf_section(vmlinux(image)))
    task = [t for t in types[1:] if t["kind"] == STRUCT and
            t["name"] == "task_struct"]
    if not task:
        die("no struct task_struct in BTF")
    offs = [member_offset(types, task[0], m) for m in ("pid", "tgid", "comm")]
    if None in offs:
        die("task_struct lacks pid, tgid or comm")
    print("pid %d tgid %d comm %d" % tuple(offs))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
