// SPDX-License-Identifier: GPL-2.0
/* Small shared helpers: error lines, clocks, whole-file reads, names. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "recvtop/common.h"
#include "recvtop/event.h"

static void (*err_sink)(const char *msg);

void rt_err_set_sink(void (*sink)(const char *msg))
{
	err_sink = sink;
}

/*
 * Messages quote user input (file names, options): control bytes are
 * shown escaped, so an error is one line and sends nothing to the terminal
 */
static void escape_controls(const char *in, char *out, size_t len)
{
	size_t o = 0;

	for (; *in && o + 5 < len; in++) {
		unsigned char c = (unsigned char)*in;

		if (c == '\n') {
			out[o++] = '\\';
			out[o++] = 'n';
		} else if (c < 0x20 || c == 0x7f) {
			o += (size_t)snprintf(out + o, len - o, "\\x%02x", c);
		} else {
			out[o++] = (char)c;
		}
	}
	out[o] = 0;
}

static void vreport(const char *fmt, va_list ap)
{
	char raw[1024], msg[1024];

	vsnprintf(raw, sizeof(raw), fmt, ap);
	escape_controls(raw, msg, sizeof(msg));
	if (err_sink) {
		err_sink(msg);
		return;
	}
	fprintf(stderr, "recvtop: %s\n", msg);
}

void rt_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(fmt, ap);
	va_end(ap);
}

void rt_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(fmt, ap);
	va_end(ap);
}

u64 rt_now_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * NSEC_PER_SEC + (u64)ts.tv_nsec;
}

size_t rt_utf8_len(const unsigned char *s, size_t n)
{
	size_t len;
	u32 cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* overlong forms, surrogates, beyond U+10FFFF */
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

char *rt_read_file(const char *path, size_t *lenp)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t len = 0, cap = 4096;
	char *buf;

	if (fd < 0)
		return NULL;
	buf = malloc(cap);
	if (!buf)
		goto fail;
	for (;;) {
		ssize_t n;

		if (cap - len < 2) {
			char *nb = realloc(buf, cap * 2);

			if (!nb)
				goto fail;
			buf = nb;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = 0;
	if (lenp)
		*lenp = len;
	return buf;
fail:
	free(buf);
	close(fd);
	return NULL;
}

static const char *const kind_names[RT_EV_NR_KINDS] = {
	[RT_EV_NONE] = "none",
	[RT_EV_RECV_ENTER] = "recv_enter",
	[RT_EV_RECV_ADDR] = "recv_addr",
	[RT_EV_RECV_EXIT] = "recv_exit",
	[RT_EV_SOCK_RECV] = "sock_recv",
	[RT_EV_SOCK_ENTER] = "sock_enter",
	[RT_EV_SOCK_EXIT] = "sock_exit",
	[RT_EV_SOCKET_ENTER] = "socket_enter",
	[RT_EV_SOCKET_EXIT] = "socket_exit",
	[RT_EV_FD_CLOSE] = "fd_close",
	[RT_EV_PROC_RESET] = "proc_reset",
	[RT_EV_TASK_NEW] = "task_new",
	[RT_EV_TASK_RENAME] = "task_rename",
	[RT_EV_CGROUP_ATTACH] = "cgroup_attach",
	[RT_EV_CGROUP_DIR] = "cgroup_dir",
	[RT_EV_NETNS_ENTER] = "netns_enter",
	[RT_EV_NETNS_EXIT] = "netns_exit",
	[RT_EV_MM_ENTER] = "mm_enter",
	[RT_EV_MM_EXIT] = "mm_exit",
	[RT_EV_SC_ENTER] = "sc_enter",
	[RT_EV_SC_EXIT] = "sc_exit",
	[RT_EV_SOCK_SEND] = "sock_send",
	[RT_EV_MARKER] = "marker",
	[RT_EV_SOCK_STATE] = "sock_state",
	[RT_EV_USER_ADDR] = "user_addr",
	[RT_EV_OTHER] = "other",
};

const char *rt_event_kind_name(enum rt_event_kind kind)
{
	return kind < RT_EV_NR_KINDS ? kind_names[kind] : "?";
}

static const char *const family_names[RT_FAM_NR] = {
	[RT_FAM_INET] = "inet",
	[RT_FAM_INET6] = "inet6",
	[RT_FAM_UNIX] = "unix",
	[RT_FAM_OTHER] = "other",
};

const char *rt_family_name(enum rt_family fam)
{
	return fam < RT_FAM_NR ? family_names[fam] : "other";
}

static const char *const rx_via_names[RT_RX_NR] = {
	[RT_RX_RECVFROM] = "recvfrom",
	[RT_RX_RECVMSG] = "recvmsg",
	[RT_RX_RECVMMSG] = "recvmmsg",
	[RT_RX_READ] = "read",
	[RT_RX_IO_URING] = "io_uring",
	[RT_RX_SPLICE] = "splice",
};

const char *rt_rx_via_name(enum rt_rx_via via)
{
	return via < RT_RX_NR ? rx_via_names[via] : "other";
}

static const char *const tx_via_names[RT_TX_NR] = {
	[RT_TX_SENDTO] = "send:sendto",
	[RT_TX_SENDMSG] = "send:sendmsg",
	[RT_TX_SENDMMSG] = "send:sendmmsg",
	[RT_TX_WRITE] = "send:write",
	[RT_TX_IO_URING] = "send:io_uring",
	[RT_TX_SPLICE] = "send:splice",
	[RT_TX_SENDFILE] = "send:sendfile",
};

const char *rt_tx_via_name(enum rt_tx_via via)
{
	return via < RT_TX_NR ? tx_via_names[via] : "send:other";
}

const char *rt_br_name(unsigned int br)
{
	if (br < RT_RX_NR)
		return rx_via_names[br];
	if (br < RT_BR_NR)
		return tx_via_names[br - RT_RX_NR] + 5;
	return "other";
}

static const char *const proto_names[RT_PROTO_NR] = {
	[RT_PROTO_TCP] = "tcp",
	[RT_PROTO_UDP] = "udp",
	[RT_PROTO_UNIX] = "unix",
	[RT_PROTO_RAW] = "raw",
	[RT_PROTO_OTHER] = "other",
};

const char *rt_proto_name(enum rt_proto proto)
{
	return proto < RT_PROTO_NR ? proto_names[proto] : "other";
}

void rt_sockproto_parse(const char *name, u16 *family, u16 *protocol)
{
	static const struct {
		const char *name;
		u16 protocol;
	} inet[] = {
		{ "TCP", IPPROTO_TCP }, { "UDP", IPPROTO_UDP },
		{ "UDP-Lite", IPPROTO_UDPLITE }, { "UDPLITE", IPPROTO_UDPLITE },
		{ "RAW", IPPROTO_RAW }, { "PING", IPPROTO_ICMP },
		{ "MPTCP", IPPROTO_MPTCP }, { "SCTP", IPPROTO_SCTP },
	};
	size_t n = strlen(name);
	bool v6 = n > 2 && !strcmp(name + n - 2, "v6");

	*family = 0xffff;
	*protocol = 0;
	if (!strncmp(name, "UNIX", 4)) {
		*family = AF_UNIX;
		return;
	}
	if (!strcmp(name, "NETLINK")) {
		*family = AF_NETLINK;
		return;
	}
	if (!strcmp(name, "PACKET")) {
		*family = AF_PACKET;
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(inet); i++) {
		size_t l = strlen(inet[i].name);

		if (n != l + (v6 ? 2 : 0) || strncmp(name, inet[i].name, l))
			continue;
		*family = v6 ? AF_INET6 : AF_INET;
		*protocol = inet[i].protocol;
		if (v6 && *protocol == IPPROTO_ICMP)
			*protocol = IPPROTO_ICMPV6;
		return;
	}
}

enum rt_proto rt_proto_of(u16 family, u16 protocol)
{
	switch (family) {
	case AF_UNIX:
		return RT_PROTO_UNIX;
	case AF_INET:
	case AF_INET6:
		switch (protocol) {
		case IPPROTO_TCP:
		case IPPROTO_MPTCP:
			return RT_PROTO_TCP;
		case IPPROTO_UDP:
		case IPPROTO_UDPLITE:
			return RT_PROTO_UDP;
		case IPPROTO_RAW:
		case IPPROTO_ICMP:
		case IPPROTO_ICMPV6:
			return RT_PROTO_RAW;
		default:
			return RT_PROTO_OTHER;
		}
	case AF_PACKET:
		return RT_PROTO_RAW;
	default:
		return RT_PROTO_OTHER;
	}
}

int rt_addr_format(const struct rt_addr *a, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = 0;
	switch (a->family) {
	case RT_FAM_INET:
		return inet_ntop(AF_INET, a->addr, buf, (socklen_t)len) ? 0 : -1;
	case RT_FAM_INET6:
		return inet_ntop(AF_INET6, a->addr, buf, (socklen_t)len) ? 0 : -1;
	case RT_FAM_UNIX:
		/* abstract names start with NUL: shown as @name */
		for (size_t i = 0; i < a->len && o + 5 < len; i++) {
			unsigned char c = a->addr[i];

			if (i == 0 && c == 0)
				buf[o++] = '@';
			else if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
				buf[o++] = (char)c;
			else
				o += (size_t)snprintf(buf + o, len - o,
						      "\\x%02x", c);
		}
		buf[o < len ? o : len - 1] = 0;
		return 0;
	default:
		snprintf(buf, len, "family %u", a->raw_family);
		return 0;
	}
}
