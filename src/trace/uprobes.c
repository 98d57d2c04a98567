// SPDX-License-Identifier: GPL-2.0
/* libc discovery for the sender-address uprobes: ELF symbols, syscall sites. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "recvtop/uprobes.h"

#ifndef NT_GNU_BUILD_ID
#define NT_GNU_BUILD_ID 3
#endif

static const char *const ufunc_names[RT_UFUNC_NR] = {
	[RT_UFUNC_RECVFROM] = "recvfrom",
	[RT_UFUNC_RECVMSG] = "recvmsg",
};

/* syscall numbers: x86-64 arch/x86/entry/syscalls, asm-generic unistd.h */
static const u32 nr_x86[RT_UFUNC_NR] = { 45, 47 };
static const u32 nr_arm64[RT_UFUNC_NR] = { 207, 212 };

/* longest function body read (glibc's are under 256 bytes) */
#define FN_MAX 4096
/* how far before a syscall its number may be loaded (x86: two movs) */
#define X86_MOV_WINDOW 16
#define ARM64_MOV_WINDOW 4	/* instructions */

const char *rt_ufunc_name(enum rt_ufunc f)
{
	return f < RT_UFUNC_NR ? ufunc_names[f] : "?";
}

static u32 le32(const u8 *p)
{
	return (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

/*
 * x86-64: "0f 05" (syscall) counts only where a "b8 NR 00 00 00" (mov
 * $NR,%eax) ends at most X86_MOV_WINDOW bytes before it: the bytes 0f 05
 * inside another instruction's operands would need that mov pattern
 * too.  The site is the byte after the syscall.
 */
static int scan_x86(const u8 *b, size_t n, u32 nr, u64 base, u64 *site,
		    int max)
{
	int found = 0;

	for (size_t i = 5; i + 2 <= n && found < max; i++) {
		bool mov = false;

		if (b[i] != 0x0f || b[i + 1] != 0x05)
			continue;
		for (size_t j = i >= 5 + X86_MOV_WINDOW ?
			     i - 5 - X86_MOV_WINDOW : 0; j + 5 <= i; j++)
			if (b[j] == 0xb8 && le32(b + j + 1) == nr)
				mov = true;
		if (mov)
			site[found++] = base + i + 2;
	}
	return found;
}

/*
 * arm64: instructions are 4 bytes, aligned; "svc #0" (0xd4000001)
 * counts where "mov x8, #NR" (movz: 0xd2800008 | NR << 5) is among the
 * ARM64_MOV_WINDOW instructions before it.
 */
static int scan_arm64(const u8 *b, size_t n, u32 nr, u64 base, u64 *site,
		      int max)
{
	u32 mov = 0xd2800008u | nr << 5;
	int found = 0;

	for (size_t i = 4; i + 4 <= n && found < max; i += 4) {
		bool ok = false;

		if (le32(b + i) != 0xd4000001u)
			continue;
		for (size_t k = 1; k <= ARM64_MOV_WINDOW && k * 4 <= i; k++)
			if (le32(b + i - 4 * k) == mov)
				ok = true;
		if (ok)
			site[found++] = base + i + 4;
	}
	return found;
}

static void read_build_id(Elf *elf, struct rt_libc *lc)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *data;
		GElf_Nhdr nh;
		size_t off = 0, name_off, desc_off;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE ||
		    !(data = elf_getdata(scn, NULL)))
			continue;
		while ((off = gelf_getnote(data, off, &nh, &name_off,
					   &desc_off)) > 0) {
			if (nh.n_type != NT_GNU_BUILD_ID || nh.n_namesz != 4 ||
			    memcmp((char *)data->d_buf + name_off, "GNU", 4))
				continue;
			lc->build_id_len = nh.n_descsz > RT_BUILD_ID_MAX ?
					   RT_BUILD_ID_MAX : (int)nh.n_descsz;
			memcpy(lc->build_id, (char *)data->d_buf + desc_off,
			       (size_t)lc->build_id_len);
			return;
		}
	}
}

/* recvfrom and recvmsg from .dynsym: their address and size */
static void read_symbols(Elf *elf, struct rt_libc *lc)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *data;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_DYNSYM ||
		    !sh.sh_entsize || !(data = elf_getdata(scn, NULL)))
			continue;
		for (size_t i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym sym;
			const char *name;

			if (!gelf_getsym(data, (int)i, &sym) ||
			    GELF_ST_TYPE(sym.st_info) != STT_FUNC ||
			    sym.st_shndx == SHN_UNDEF || !sym.st_size)
				continue;
			name = elf_strptr(elf, sh.sh_link, sym.st_name);
			for (int f = 0; name && f < RT_UFUNC_NR; f++)
				if (!lc->fn[f].vaddr &&
				    !strcmp(name, ufunc_names[f])) {
					lc->fn[f].vaddr = sym.st_value;
					lc->fn[f].size = sym.st_size;
				}
		}
	}
}

/* the file offset of vaddr in an executable PT_LOAD; -1 outside */
static long long file_offset(Elf *elf, u64 vaddr, u64 size)
{
	size_t n;

	if (elf_getphdrnum(elf, &n))
		return -1;
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD ||
		    !(ph.p_flags & PF_X))
			continue;
		if (vaddr >= ph.p_vaddr && vaddr + size <= ph.p_vaddr +
		    ph.p_filesz)
			return (long long)(vaddr - ph.p_vaddr + ph.p_offset);
	}
	return -1;
}

int uprobe_libc_scan(const char *path, struct rt_libc *lc)
{
	static u8 buf[FN_MAX];
	Elf *elf = NULL;
	GElf_Ehdr eh;
	struct stat st;
	int fd, ret = -1;

	memset(lc, 0, sizeof(*lc));
	snprintf(lc->path, sizeof(lc->path), "%s", path);
	if (elf_version(EV_CURRENT) == EV_NONE) {
		snprintf(lc->why, sizeof(lc->why), "libelf: %s",
			 elf_errmsg(-1));
		return -1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		snprintf(lc->why, sizeof(lc->why), "cannot open %s: %s", path,
			 strerror(errno));
		goto out;
	}
	lc->dev = st.st_dev;
	lc->ino = st.st_ino;
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &eh)) {
		snprintf(lc->why, sizeof(lc->why), "%s is not an ELF file",
			 path);
		goto out;
	}
	if (eh.e_machine == EM_X86_64) {
		lc->arch = RT_UARCH_X86_64;
	} else if (eh.e_machine == EM_AARCH64) {
		lc->arch = RT_UARCH_ARM64;
	} else {
		snprintf(lc->why, sizeof(lc->why), "%s: machine %u is neither "
			 "x86-64 nor arm64", path, eh.e_machine);
		goto out;
	}
	read_build_id(elf, lc);
	read_symbols(elf, lc);
	for (int f = 0; f < RT_UFUNC_NR; f++) {
		u64 size = lc->fn[f].size > FN_MAX ? FN_MAX : lc->fn[f].size;
		long long off;
		ssize_t got;

		if (!lc->fn[f].vaddr) {
			snprintf(lc->why, sizeof(lc->why), "%s: no %s in "
				 ".dynsym", path, ufunc_names[f]);
			goto out;
		}
		off = file_offset(elf, lc->fn[f].vaddr, size);
		got = off < 0 ? -1 : pread(fd, buf, (size_t)size, (off_t)off);
		if (got != (ssize_t)size) {
			snprintf(lc->why, sizeof(lc->why), "%s: %s is outside "
				 "its executable segments", path,
				 ufunc_names[f]);
			goto out;
		}
		lc->fn[f].nr_sites = lc->arch == RT_UARCH_X86_64 ?
			scan_x86(buf, (size_t)size, nr_x86[f], (u64)off,
				 lc->fn[f].site, RT_USITES_MAX) :
			scan_arm64(buf, (size_t)size, nr_arm64[f], (u64)off,
				   lc->fn[f].site, RT_USITES_MAX);
		if (!lc->fn[f].nr_sites) {
			snprintf(lc->why, sizeof(lc->why), "%s: no syscall "
				 "instruction found in %s", path,
				 ufunc_names[f]);
			goto out;
		}
	}
	ret = 0;
out:
	if (elf)
		elf_end(elf);
	if (fd >= 0)
		close(fd);
	return ret;
}

void uprobe_build_id_hex(const struct rt_libc *lc, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = 0;
	for (int i = 0; i < lc->build_id_len && o + 3 <= len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%02x",
				      lc->build_id[i]);
	if (!lc->build_id_len)
		snprintf(buf, len, "none");
}

/* is this mapped file a glibc libc (libc.so.6, or libc-2.NN.so)? */
static bool is_libc(const char *path)
{
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	if (!strcmp(base, "libc.so.6"))
		return true;
	return !strncmp(base, "libc-2.", 7) &&
	       strlen(base) > 10 && !strcmp(base + strlen(base) - 3, ".so");
}

/* add the libc files pid maps (its maps' last column) to out */
static void scan_maps(const char *pid, struct rt_libc *out, int *nr, int max)
{
	char file[64], line[1024];
	FILE *f;

	snprintf(file, sizeof(file), "/proc/%s/maps", pid);
	f = fopen(file, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *path = strchr(line, '/');
		char full[512];
		struct stat st, mine;
		bool dup = false;
		struct rt_libc lc;

		if (!path)
			continue;
		path[strcspn(path, "\n")] = 0;
		if (strstr(path, " (deleted)") || !is_libc(path))
			continue;
		/* the file as that process sees it (its mount namespace) */
		snprintf(full, sizeof(full), "/proc/%s/root%s", pid, path);
		if (stat(full, &st))
			continue;
		for (int i = 0; i < *nr; i++)
			if (out[i].dev == st.st_dev && out[i].ino == st.st_ino)
				dup = true;
		if (dup || *nr >= max)
			continue;
		/* its own path where that names the same file here */
		if (!stat(path, &mine) && mine.st_dev == st.st_dev &&
		    mine.st_ino == st.st_ino)
			snprintf(full, sizeof(full), "%s", path);
		uprobe_libc_scan(full, &lc);
		lc.dev = st.st_dev;
		lc.ino = st.st_ino;
		out[(*nr)++] = lc;
	}
	fclose(f);
}

int uprobe_libc_find(const int *pids, unsigned int nr_pids,
		     struct rt_libc *out, int max)
{
	char pid[16];
	int nr = 0;

	/* recvtop's own: the host's libc, which later processes map */
	scan_maps("self", out, &nr, max);
	if (nr_pids) {
		for (unsigned int i = 0; i < nr_pids; i++) {
			snprintf(pid, sizeof(pid), "%d", pids[i]);
			scan_maps(pid, out, &nr, max);
		}
		return nr;
	}
	{
		DIR *d = opendir("/proc");
		struct dirent *de;

		while (d && (de = readdir(d)))
			if (isdigit((unsigned char)de->d_name[0]))
				scan_maps(de->d_name, out, &nr, max);
		if (d)
			closedir(d);
	}
	return nr;
}
