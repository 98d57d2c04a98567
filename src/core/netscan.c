// SPDX-License-Identifier: GPL-2.0
/* The TCP connections older than the run: /proc/PID/net/tcp, tcp6. */
#include <dirent.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "recvtop/netscan.h"

/* a kernel address: the top of the 64-bit space (x86-64, arm64) */
#define KERNEL_ADDR_MIN 0xffff000000000000ull

/* "ADDR:PORT" of a table row, addr as the kernel printed it (host-order
 * 32-bit words); returns the text after it, NULL if it does not parse */
static const char *parse_endpoint(const char *p, bool v6, struct rt_addr *a)
{
	unsigned int words = v6 ? 4 : 1;
	char *end;

	while (*p == ' ')
		p++;
	memset(a, 0, sizeof(*a));
	for (unsigned int i = 0; i < words; i++) {
		char hex[9];
		u32 w;

		memcpy(hex, p, 8);
		hex[8] = 0;
		if (strlen(hex) != 8 || strspn(hex, "0123456789abcdefABCDEF") != 8)
			return NULL;
		w = (u32)strtoul(hex, NULL, 16);
		memcpy(a->addr + 4 * i, &w, 4);
		p += 8;
	}
	if (*p != ':')
		return NULL;
	a->port = (u16)strtoul(p + 1, &end, 16);
	if (end != p + 5)
		return NULL;
	a->len = v6 ? 16 : 4;
	a->family = v6 ? RT_FAM_INET6 : RT_FAM_INET;
	a->raw_family = v6 ? AF_INET6 : AF_INET;
	return end;
}

/* one row: "sl: local remote st tx:rx tr:when retr uid timeout inode
 * refcnt sk ..." */
static int parse_row(const char *line, bool v6, struct conntab *t,
		     struct netscan_info *info)
{
	struct rt_addr local, remote;
	unsigned int st, uid, refcnt;
	unsigned long long sk, tx, rx, when, inode;
	unsigned int tr, retr;
	int timeout, n = 0;
	const char *p = strchr(line, ':');

	if (!p)
		return -1;
	p = parse_endpoint(p + 1, v6, &local);
	if (!p)
		return -1;
	p = parse_endpoint(p, v6, &remote);
	if (!p)
		return -1;
	if (sscanf(p, " %x %llx:%llx %x:%llx %x %u %d %llu %u %llx%n", &st,
		   &tx, &rx, &tr, &when, &retr, &uid, &timeout, &inode,
		   &refcnt, &sk, &n) != 11 || !n)
		return -1;
	/* listeners, TIME_WAIT and closed sockets, request socks: no
	 * connection of a socket that receives */
	if (st == RT_TCP_LISTEN || st == RT_TCP_TIME_WAIT ||
	    st == RT_TCP_CLOSE || st == RT_TCP_NEW_SYN_RECV || !remote.port)
		return 0;
	if (sk < KERNEL_ADDR_MIN) {
		info->unusable++;
		return 0;
	}
	if (conntab_add(t, sk, local.port, IPPROTO_TCP, &remote,
			RT_CONN_PROCNET))
		info->full++;
	else
		info->conns++;
	return 0;
}

u32 netscan_parse(const char *text, bool v6, struct conntab *t,
		  struct netscan_info *info)
{
	const char *p = strchr(text, '\n');	/* the header line */
	u32 bad = 0;

	while (p && *++p) {
		const char *nl = strchr(p, '\n');
		char line[512];
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		if (len && len < sizeof(line)) {
			memcpy(line, p, len);
			line[len] = 0;
			if (parse_row(line, v6, t, info))
				bad++;
		} else if (len) {
			bad++;
		}
		p = nl;
	}
	return bad;
}

static char *read_text(const char *path)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t len = 0, cap = 0;

	if (!f)
		return NULL;
	for (;;) {
		size_t n;

		if (cap - len < 4096) {
			char *nb = realloc(buf, cap + 65536);

			if (!nb) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
			cap += 65536;
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
		if (!n)
			break;
	}
	fclose(f);
	buf[len] = 0;
	return buf;
}

int netscan_read(const char *proc, struct conntab *t,
		 struct netscan_info *info)
{
	DIR *d = opendir(proc);
	struct dirent *de;
	u64 *seen = NULL;
	size_t nseen = 0, cap = 0;

	memset(info, 0, sizeof(*info));
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		char path[512];
		struct stat st;
		bool known = false;

		if (de->d_name[0] < '1' || de->d_name[0] > '9' ||
		    strspn(de->d_name, "0123456789") != strlen(de->d_name))
			continue;
		snprintf(path, sizeof(path), "%s/%s/ns/net", proc, de->d_name);
		if (stat(path, &st))
			continue;	/* gone, or a kernel thread's */
		for (size_t i = 0; i < nseen && !known; i++)
			known = seen[i] == (u64)st.st_ino;
		if (known)
			continue;
		if (nseen == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			u64 *ns = realloc(seen, ncap * sizeof(*ns));

			if (!ns)
				break;
			seen = ns;
			cap = ncap;
		}
		seen[nseen++] = (u64)st.st_ino;
		for (int v6 = 0; v6 < 2; v6++) {
			char *text;

			snprintf(path, sizeof(path), "%s/%s/net/%s", proc,
				 de->d_name, v6 ? "tcp6" : "tcp");
			text = read_text(path);
			if (!text)
				continue;
			netscan_parse(text, v6, t, info);
			free(text);
		}
		info->netns++;
	}
	closedir(d);
	free(seen);
	return 0;
}
