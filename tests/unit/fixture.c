// SPDX-License-Identifier: GPL-2.0
/* Test fixtures: event formats as the kernel prints them, synthetic pages. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <traceevent/event-parse.h>

#include "fixture.h"
#include "recvtop/decode.h"

static const char header_page[] =
	"\tfield: u64 timestamp;\toffset:0;\tsize:8;\tsigned:0;\n"
	"\tfield: local_t commit;\toffset:8;\tsize:8;\tsigned:1;\n"
	"\tfield: int overwrite;\toffset:8;\tsize:1;\tsigned:1;\n"
	"\tfield: char data;\toffset:16;\tsize:4080;\tsigned:0;\n";

#define COMMON FX_FORMAT_COMMON

#define F(decl, off, size, sgn)						\
	"\tfield:" decl ";\toffset:" #off ";\tsize:" #size ";\tsigned:" #sgn ";\n"

static const struct fx_format formats[] = {
	{ "ftrace", "name: print\nID: 5\n" COMMON
	  F("unsigned long ip", 8, 8, 0) F("char buf[]", 16, 0, 0)
	  "\nprint fmt: \"%ps: %s\", (void *)REC->ip, REC->buf\n" },
	{ "syscalls", "name: sys_enter_recvfrom\nID: 2222\n" COMMON
	  F("int __syscall_nr", 8, 4, 1) F("int fd", 16, 8, 0)
	  F("void * ubuf", 24, 8, 0) F("size_t size", 32, 8, 0)
	  F("unsigned int flags", 40, 8, 0) F("struct sockaddr * addr", 48, 8, 0)
	  F("int * addr_len", 56, 8, 0)
	  "\nprint fmt: \"fd: 0x%08lx\", ((unsigned long)(REC->fd))\n" },
	{ "syscalls", "name: sys_exit_recvfrom\nID: 2221\n" COMMON
	  F("int __syscall_nr", 8, 4, 1) F("long ret", 16, 8, 1)
	  "\nprint fmt: \"0x%lx\", REC->ret\n" },
	{ "syscalls", "name: sys_enter_ptrace\nID: 231\n" COMMON
	  F("int __syscall_nr", 8, 4, 1) F("long request", 16, 8, 0)
	  F("long pid", 24, 8, 0) F("unsigned long addr", 32, 8, 0)
	  F("unsigned long data", 40, 8, 0)
	  "\nprint fmt: \"request: 0x%08lx\", ((unsigned long)(REC->request))\n" },
	{ "syscalls", "name: sys_exit_ptrace\nID: 230\n" COMMON
	  F("int __syscall_nr", 8, 4, 1) F("long ret", 16, 8, 1)
	  "\nprint fmt: \"0x%lx\", REC->ret\n" },
	{ "syscalls", "name: sys_enter_process_vm_readv\nID: 1501\n" COMMON
	  F("int __syscall_nr", 8, 4, 1) F("pid_t pid", 16, 8, 0)
	  F("const struct iovec * lvec", 24, 8, 0)
	  F("unsigned long liovcnt", 32, 8, 0)
	  F("const struct iovec * rvec", 40, 8, 0)
	  F("unsigned long riovcnt", 48, 8, 0) F("unsigned long flags", 56, 8, 0)
	  "\nprint fmt: \"pid: 0x%08lx\", ((unsigned long)(REC->pid))\n" },
	{ "syscalls", "name: sys_exit_process_vm_readv\nID: 1500\n" COMMON
	  F("int __syscall_nr", 8, 4, 1) F("long ret", 16, 8, 1)
	  "\nprint fmt: \"0x%lx\", REC->ret\n" },
	{ "syscalls", "name: sys_enter_process_vm_writev\nID: 1503\n" COMMON
	  F("int __syscall_nr", 8, 4, 1) F("pid_t pid", 16, 8, 0)
	  F("const struct iovec * lvec", 24, 8, 0)
	  F("unsigned long liovcnt", 32, 8, 0)
	  F("const struct iovec * rvec", 40, 8, 0)
	  F("unsigned long riovcnt", 48, 8, 0) F("unsigned long flags", 56, 8, 0)
	  "\nprint fmt: \"pid: 0x%08lx\", ((unsigned long)(REC->pid))\n" },
	{ "syscalls", "name: sys_exit_process_vm_writev\nID: 1502\n" COMMON
	  F("int __syscall_nr", 8, 4, 1) F("long ret", 16, 8, 1)
	  "\nprint fmt: \"0x%lx\", REC->ret\n" },
	{ "recvtop_1", "name: recvfrom_1\nID: 3000\n" COMMON
	  F("unsigned long __probe_ip", 8, 8, 0) F("s32 fd", 16, 4, 1)
	  F("u64 size", 20, 8, 0) F("x32 flags", 28, 4, 0)
	  F("x64 addr", 32, 8, 0)
	  "\nprint fmt: \"(%lx) fd=%d\", REC->__probe_ip, REC->fd\n" },
	{ "recvtop_1", "name: recvfrom_ret_1\nID: 3001\n" COMMON
	  F("unsigned long __probe_func", 8, 8, 0)
	  F("unsigned long __probe_ret_ip", 16, 8, 0) F("s32 ret", 24, 4, 1)
	  "\nprint fmt: \"(%lx <- %lx) ret=%d\", REC->__probe_func, "
	  "REC->__probe_ret_ip, REC->ret\n" },
	{ "recvtop_1", "name: recv_addr\nID: 3002\n" COMMON
	  F("unsigned long __probe_ip", 8, 8, 0) F("s32 klen", 16, 4, 1)
	  F("u16 fam", 20, 2, 0) F("u16 port", 22, 2, 0) F("u32 ip4", 24, 4, 0)
	  F("u8 ip6[16]", 28, 16, 0)
	  "\nprint fmt: \"(%lx) klen=%d\", REC->__probe_ip, REC->klen\n" },
	{ "recvtop_1", "name: mm_access\nID: 3003\n" COMMON
	  F("unsigned long __probe_ip", 8, 8, 0) F("s32 tpid", 16, 4, 1)
	  F("s32 ttgid", 20, 4, 1) F("__data_loc char[] tcomm", 24, 4, 1)
	  F("x32 mode", 28, 4, 0)
	  "\nprint fmt: \"(%lx) tpid=%d tcomm=\\\"%s\\\"\", REC->__probe_ip, "
	  "REC->tpid, __get_str(tcomm)\n" },
	{ "recvtop_1", "name: mm_access_ret\nID: 3004\n" COMMON
	  F("unsigned long __probe_func", 8, 8, 0)
	  F("unsigned long __probe_ret_ip", 16, 8, 0) F("s64 ret", 24, 8, 1)
	  "\nprint fmt: \"(%lx <- %lx) ret=%Ld\", REC->__probe_func, "
	  "REC->__probe_ret_ip, REC->ret\n" },
	{ "other", "name: unrelated\nID: 3100\n" COMMON
	  F("int value", 8, 4, 1) "\nprint fmt: \"%d\", REC->value\n" },
};

struct tep_handle *fixture_tep(void)
{
	struct tep_handle *tep = tep_alloc();

	if (!tep)
		return NULL;
	tep_set_long_size(tep, 8);
	tep_set_page_size(tep, FX_PAGE);
	tep_set_file_bigendian(tep, TEP_LITTLE_ENDIAN);
	tep_set_local_bigendian(tep, TEP_LITTLE_ENDIAN);
	if (tep_parse_header_page(tep, (char *)header_page,
				  sizeof(header_page) - 1, 8)) {
		tep_free(tep);
		return NULL;
	}
	for (size_t i = 0; i < ARRAY_SIZE(formats); i++) {
		if (tep_parse_event(tep, formats[i].text,
				    strlen(formats[i].text),
				    formats[i].system)) {
			fprintf(stderr, "fixture: format %zu does not parse\n",
				i);
			tep_free(tep);
			return NULL;
		}
	}
	return tep;
}

struct decoder *fixture_decoder(const struct fx_format *f, unsigned int n,
				struct tep_handle **tep)
{
	struct decoder *d = NULL;

	*tep = tep_alloc();
	if (!*tep)
		return NULL;
	tep_set_long_size(*tep, 8);
	for (unsigned int i = 0; i < n; i++) {
		if (tep_parse_event(*tep, f[i].text, strlen(f[i].text),
				    f[i].system)) {
			fprintf(stderr, "fixture: format %u does not parse\n",
				i);
			goto fail;
		}
	}
	d = decoder_new(*tep);
	if (d)
		return d;
fail:
	tep_free(*tep);
	*tep = NULL;
	return NULL;
}

/* ---- pages ---- */

#define TS_EXTEND 30
#define TS_MAX_DELTA ((1ULL << 27) - 1)

void fx_page_init(struct fx_page *p, u64 ts)
{
	memset(p, 0, sizeof(*p));
	p->base = p->last = ts;
	memcpy(p->data, &ts, 8);
}

static void commit(struct fx_page *p)
{
	u64 c;

	memcpy(&c, p->data + 8, 8);
	c = (c & ~((1ULL << 27) - 1)) | p->off;
	memcpy(p->data + 8, &c, 8);
}

static int put32(struct fx_page *p, u32 v)
{
	if (16 + p->off + 4 > FX_PAGE)
		return -1;
	memcpy(p->data + 16 + p->off, &v, 4);
	p->off += 4;
	return 0;
}

int fx_page_add(struct fx_page *p, u64 ts, const void *payload, u32 len)
{
	u64 delta = ts - p->last;
	u32 words = (len + 3) / 4;
	u32 need = 4 + words * 4 + (delta > TS_MAX_DELTA ? 8 : 0) +
		   (words > 28 ? 4 : 0);

	if (ts < p->last || 16 + p->off + need > FX_PAGE)
		return -1;
	if (delta > TS_MAX_DELTA) {
		/* time extend: low 27 bits in the header, the rest after */
		put32(p, TS_EXTEND | (u32)((delta & TS_MAX_DELTA) << 5));
		put32(p, (u32)(delta >> 27));
		delta = 0;
	}
	if (words <= 28) {
		put32(p, words | (u32)(delta << 5));
	} else {
		put32(p, (u32)(delta << 5));
		put32(p, words * 4 + 4);
	}
	memset(p->data + 16 + p->off, 0, words * 4);
	memcpy(p->data + 16 + p->off, payload, len);
	p->off += words * 4;
	p->last = ts;
	commit(p);
	return 0;
}

void fx_page_missed(struct fx_page *p, long long count)
{
	u64 c;

	memcpy(&c, p->data + 8, 8);
	c |= 1ULL << 31;
	if (count >= 0 && 16 + p->off + 8 <= FX_PAGE) {
		c |= 1ULL << 30;
		memcpy(p->data + 16 + p->off, &count, 8);
	}
	memcpy(p->data + 8, &c, 8);
}

/* ---- payloads ---- */

static u32 common(u8 *b, u16 id, int pid)
{
	memset(b, 0, 8);
	memcpy(b, &id, 2);
	memcpy(b + 4, &pid, 4);
	return 8;
}

static void put(u8 *b, u32 off, const void *v, u32 n)
{
	memcpy(b + off, v, n);
}

u32 fx_sys_enter_recvfrom(u8 *b, int pid, int fd, u64 size, u32 flags,
			  u64 addr)
{
	u64 v;

	common(b, FX_ENTER_RECVFROM, pid);
	memset(b + 8, 0, 56);
	v = (u64)(u32)fd;
	put(b, 16, &v, 8);
	put(b, 32, &size, 8);
	v = flags;
	put(b, 40, &v, 8);
	put(b, 48, &addr, 8);
	return 64;
}

u32 fx_sys_exit(u8 *b, u16 id, int pid, s64 ret)
{
	common(b, id, pid);
	memset(b + 8, 0, 8);
	put(b, 16, &ret, 8);
	return 24;
}

u32 fx_sys_enter_pid(u8 *b, u16 id, int pid, long target, long request)
{
	common(b, id, pid);
	memset(b + 8, 0, 56);
	if (id == FX_ENTER_PTRACE) {
		put(b, 16, &request, 8);
		put(b, 24, &target, 8);
		return 48;
	}
	put(b, 16, &target, 8);
	return 64;
}

u32 fx_k_recvfrom(u8 *b, int pid, int fd, u64 size, u32 flags, u64 addr)
{
	u64 ip = 0xffffffff817b29e0ULL;

	common(b, FX_K_RECVFROM, pid);
	put(b, 8, &ip, 8);
	put(b, 16, &fd, 4);
	put(b, 20, &size, 8);
	put(b, 28, &flags, 4);
	put(b, 32, &addr, 8);
	return 40;
}

u32 fx_k_ret(u8 *b, u16 id, int pid, s64 ret)
{
	u64 z = 0;

	common(b, id, pid);
	put(b, 8, &z, 8);
	put(b, 16, &z, 8);
	if (id == FX_K_RECVFROM_RET) {
		s32 r = (s32)ret;

		put(b, 24, &r, 4);
		return 28;
	}
	put(b, 24, &ret, 8);
	return 32;
}

static u32 addr_common(u8 *b, int pid, int klen, u16 fam)
{
	u64 ip = 0xffffffff817af9f0ULL;

	common(b, FX_K_RECV_ADDR, pid);
	memset(b + 8, 0, 36);
	put(b, 8, &ip, 8);
	put(b, 16, &klen, 4);
	put(b, 20, &fam, 2);
	return 44;
}

u32 fx_k_addr4(u8 *b, int pid, int klen, const char *ip, u16 port)
{
	u32 a;
	u16 pbe = htons(port);
	u32 len = addr_common(b, pid, klen, AF_INET);

	inet_pton(AF_INET, ip, &a);
	put(b, 22, &pbe, 2);
	put(b, 24, &a, 4);
	/* sin_zero and beyond, as a kernel stack copy would have them */
	memset(b + 28, 0xaa, 16);
	return len;
}

u32 fx_k_addr6(u8 *b, int pid, int klen, const char *ip, u16 port)
{
	u8 a[16];
	u16 pbe = htons(port);
	u32 len = addr_common(b, pid, klen, AF_INET6);
	u32 flow = 0;

	inet_pton(AF_INET6, ip, a);
	put(b, 22, &pbe, 2);
	put(b, 24, &flow, 4);
	put(b, 28, a, 16);
	return len;
}

u32 fx_k_addr_unix(u8 *b, int pid, const char *path, int abstract)
{
	size_t n = strlen(path);
	u8 sun[22];
	u32 len;
	int klen = 2 + (int)n + (abstract ? 1 : 1);

	memset(sun, 0, sizeof(sun));
	if (abstract) {
		memcpy(sun + 1, path, n < 21 ? n : 21);
	} else {
		memcpy(sun, path, n < 22 ? n : 22);
	}
	len = addr_common(b, pid, klen, AF_UNIX);
	/* sun_path bytes 0..21 land in port, ip4 and ip6 */
	put(b, 22, sun, 22);
	return len;
}

u32 fx_k_mm(u8 *b, int pid, int tpid, int ttgid, const char *tcomm,
	    u32 mode)
{
	u64 ip = 0xffffffff8109ecd0ULL;
	u32 slen = (u32)strlen(tcomm) + 1;
	u32 loc = 32 | (slen << 16);

	common(b, FX_K_MM_ACCESS, pid);
	put(b, 8, &ip, 8);
	put(b, 16, &tpid, 4);
	put(b, 20, &ttgid, 4);
	put(b, 24, &loc, 4);
	put(b, 28, &mode, 4);
	memcpy(b + 32, tcomm, slen);
	return 32 + slen;
}

u32 fx_print(u8 *b, int pid, const char *text)
{
	u64 ip = 0;
	u32 n = (u32)strlen(text);

	common(b, FX_PRINT, pid);
	put(b, 8, &ip, 8);
	memcpy(b + 16, text, n);
	b[16 + n] = '\n';
	b[17 + n] = 0;
	return 18 + n;
}

u32 fx_unrelated(u8 *b, int pid)
{
	int v = 42;

	common(b, FX_UNRELATED, pid);
	put(b, 8, &v, 4);
	return 12;
}
