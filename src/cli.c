// SPDX-License-Identifier: GPL-2.0
/* Command-line parsing: subcommands, options, their checks. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "recvtop/cli.h"
#include "recvtop/version.h"

static const char *const cmd_names[RT_CMD_NR] = {
	[RT_CMD_TOP] = "top",
	[RT_CMD_RECORD] = "record",
	[RT_CMD_REPORT] = "report",
	[RT_CMD_RESET] = "reset",
	[RT_CMD_PROBES] = "probes",
	[RT_CMD_EXPORT] = "export",
};

const char *cli_cmd_name(enum rt_cmd cmd)
{
	return cmd < RT_CMD_NR ? cmd_names[cmd] : "?";
}

enum {
	OPT_JSON = 256,
	OPT_BACKEND,
	OPT_BUFFER_KB,
	OPT_HELP,
	OPT_VERSION,
	OPT_FORCE,
	OPT_FILE_VERSION,
	OPT_COMPRESS,
	OPT_LIVE,
	OPT_SCHED,
	OPT_NO_KALLSYMS,
	OPT_UPROBES,
	OPT_NO_UPROBES,
	OPT_LIBC,
	OPT_SPEED,
	OPT_DIRECTION,
	OPT_LISTEN,
	OPT_LABELS,
	OPT_MAX_SERIES,
	OPT_SERIES_GRACE,
	OPT_WEB_CONFIG,
	OPT_CGROUP,
	OPT_CONTAINER,
};

#define CMD(x) (1u << (x))
#define LIVE_CMDS (CMD(RT_CMD_TOP) | CMD(RT_CMD_RECORD))
#define REC CMD(RT_CMD_RECORD)
#define REP CMD(RT_CMD_REPORT)
#define TOP CMD(RT_CMD_TOP)
#define EXP CMD(RT_CMD_EXPORT)
#define TRACE_CMDS (LIVE_CMDS | EXP)	/* every command that traces */
#define ALL_CMDS ((1u << RT_CMD_NR) - 1)

struct opt_desc {
	struct option lo;
	int shortopt;
	unsigned int cmds;	/* subcommands that take it */
	const char *arg;
	const char *help;
};

static const struct opt_desc opts[] = {
	{ { "output", required_argument, NULL, 'o' }, 'o', REC,
	  "FILE.dat", "where to record (default trace.dat)" },
	{ { "input", required_argument, NULL, 'i' }, 'i', REP | TOP,
	  "FILE.dat", "the recording to replay or summarise" },
	{ { "speed", required_argument, NULL, OPT_SPEED }, 0, TOP,
	  "X|max", "replay speed: factor or max (default 1; batch max)" },
	{ { "delay", required_argument, NULL, 'd' }, 'd', TRACE_CMDS | REP,
	  "SECONDS", "refresh interval, fractions allowed (default 1)" },
	{ { "iterations", required_argument, NULL, 'n' }, 'n', TRACE_CMDS,
	  "N", "stop after N intervals" },
	{ { "batch", no_argument, NULL, 'b' }, 'b', LIVE_CMDS,
	  NULL, "text snapshots instead of the live view" },
	{ { "json", no_argument, NULL, OPT_JSON }, 0, LIVE_CMDS | REP,
	  NULL, "JSON lines instead of text" },
	{ { "pid", required_argument, NULL, 'p' }, 'p', TRACE_CMDS,
	  "PID[,PID...]", "only these processes" },
	{ { "comm", required_argument, NULL, 'c' }, 'c', TRACE_CMDS,
	  "NAME", "only tasks with this command name" },
	{ { "cgroup", required_argument, NULL, OPT_CGROUP }, 0,
	  TRACE_CMDS | REP, "PATH", "only processes in this cgroup v2 path or "
	  "below it" },
	{ { "container", required_argument, NULL, OPT_CONTAINER }, 0,
	  TRACE_CMDS | REP, "ID|UNIT", "only this container (its id) or "
	  "service (its unit)" },
	{ { "backend", required_argument, NULL, OPT_BACKEND }, 0,
	  TRACE_CMDS | CMD(RT_CMD_PROBES), "auto|sock|kprobe|tracepoint",
	  "probe backend (default auto)" },
	{ { "direction", required_argument, NULL, OPT_DIRECTION }, 0,
	  TRACE_CMDS | CMD(RT_CMD_PROBES), "rx|tx|both",
	  "trace receives, sends or both (default both)" },
	{ { "uprobes", no_argument, NULL, OPT_UPROBES }, 0,
	  TRACE_CMDS | CMD(RT_CMD_PROBES), NULL,
	  "libc uprobes for UDP senders (costly: see probes)" },
	{ { "no-uprobes", no_argument, NULL, OPT_NO_UPROBES }, 0,
	  TRACE_CMDS | CMD(RT_CMD_PROBES), NULL,
	  "no libc uprobes (the default)" },
	{ { "libc-file", required_argument, NULL, OPT_LIBC }, 0, CMD(RT_CMD_PROBES),
	  "FILE", "show the uprobe sites recvtop finds in this libc" },
	{ { "buffer-kb", required_argument, NULL, OPT_BUFFER_KB }, 0,
	  TRACE_CMDS, "KB", "per-CPU ring buffer size (default 8192)" },
	{ { "listen", required_argument, NULL, OPT_LISTEN }, 0, EXP,
	  "ADDR:PORT", "where to serve /metrics (default 127.0.0.1:19420)" },
	{ { "labels", required_argument, NULL, OPT_LABELS }, 0, EXP,
	  "pid,proto,via,peer", "split the series by these beyond comm" },
	{ { "max-series", required_argument, NULL, OPT_MAX_SERIES }, 0, EXP,
	  "N", "series per family beyond which (other) counts (10000)" },
	{ { "series-grace", required_argument, NULL, OPT_SERIES_GRACE }, 0,
	  EXP, "SECONDS", "keep a gone process's series this long (default "
	  "300)" },
	{ { "web-config", required_argument, NULL, OPT_WEB_CONFIG }, 0, EXP,
	  "FILE", "TLS and basic auth (exporter-toolkit web config)" },
	{ { "file-version", required_argument, NULL, OPT_FILE_VERSION }, 0,
	  REC, "6|7", "trace-cmd file version (default 6)" },
	{ { "compress", no_argument, NULL, OPT_COMPRESS }, 0, REC,
	  NULL, "file version 7, compressed with zstd" },
	{ { "live", no_argument, NULL, OPT_LIVE }, 0, REC,
	  NULL, "also show the live view (-d, -n, -b, --json apply)" },
	{ { "sched", no_argument, NULL, OPT_SCHED }, 0, REC,
	  NULL, "also record sched_switch and sched_waking" },
	{ { "no-kallsyms", no_argument, NULL, OPT_NO_KALLSYMS }, 0, REC,
	  NULL, "leave the kernel symbols out of the file" },
	{ { "force", no_argument, NULL, OPT_FORCE }, 0, REC,
	  NULL, "allow a name without .dat; replace any existing file" },
	{ { "help", no_argument, NULL, 'h' }, 'h', ALL_CMDS,
	  NULL, "show this help" },
	{ { "version", no_argument, NULL, 'V' }, 'V', ALL_CMDS,
	  NULL, "show the version" },
};

static const char *const cmd_synopsis[RT_CMD_NR] = {
	[RT_CMD_TOP] = "recvtop [top] [OPTIONS] [-- COMMAND [ARGS]]\n"
		       "       recvtop top -i FILE.dat [OPTIONS]",
	[RT_CMD_RECORD] = "recvtop record [-o FILE.dat] [OPTIONS] "
			  "[-- COMMAND [ARGS]]",
	[RT_CMD_REPORT] = "recvtop report [-i FILE.dat] [-d SECONDS] [--json]",
	[RT_CMD_RESET] = "recvtop reset",
	[RT_CMD_PROBES] = "recvtop probes [--backend auto|sock|kprobe|tracepoint]",
	[RT_CMD_EXPORT] = "recvtop export [--listen ADDR:PORT] [OPTIONS]",
};

static const char *const cmd_about[RT_CMD_NR] = {
	[RT_CMD_TOP] = "Watch network receives and memory reads live, or "
		       "replay a recording.",
	[RT_CMD_RECORD] = "Record to a trace-cmd compatible .dat file.",
	[RT_CMD_REPORT] = "Summarise a recording.",
	[RT_CMD_RESET] = "Remove tracefs instances and probes left by "
			 "crashed runs.",
	[RT_CMD_PROBES] = "Show the backend and probes this kernel gets, and "
			  "why.",
	[RT_CMD_EXPORT] = "Serve the counters to Prometheus on /metrics.",
};

/* width of the option column in --help */
#define HELP_COL 24

void cli_usage(FILE *f, enum rt_cmd cmd)
{
	fprintf(f, "usage: %s\n%s\n", cmd_synopsis[cmd], cmd_about[cmd]);
	if (cmd == RT_CMD_TOP) {
		fprintf(f, "\ncommands:\n");
		for (int c = 0; c < RT_CMD_NR; c++)
			fprintf(f, "  %-8s %s\n", cmd_names[c], cmd_about[c]);
	}
	fprintf(f, "\noptions:\n");
	for (size_t i = 0; i < ARRAY_SIZE(opts); i++) {
		const struct opt_desc *d = &opts[i];
		char left[64];

		if (!(d->cmds & CMD(cmd)))
			continue;
		if (d->shortopt)
			snprintf(left, sizeof(left), "-%c, --%s%s%s",
				 d->shortopt, d->lo.name, d->arg ? " " : "",
				 d->arg ? d->arg : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", d->lo.name,
				 d->arg ? " " : "", d->arg ? d->arg : "");
		/* a long option and argument get the help on a line of its own */
		if (strlen(left) > HELP_COL)
			fprintf(f, "  %s\n  %-*s %s\n", left, HELP_COL, "",
				d->help);
		else
			fprintf(f, "  %-*s %s\n", HELP_COL, left, d->help);
	}
	if (cmd == RT_CMD_TOP)
		fprintf(f, "\nWith -- COMMAND, recvtop runs the command, traces "
			"it and its children until it\nexits, prints the "
			"summary and exits with the command's status.  With -i "
			"it\nreplays a recording; -p and -c then name recorded "
			"processes.\nExit status: 0 ok, 1 runtime error, 2 bad "
			"usage or input file.\n'recvtop COMMAND --help' shows "
			"the options of a command.\n");
	if (cmd == RT_CMD_RECORD)
		fprintf(f, "\nRecords until Ctrl-C (or until COMMAND exits) a "
			"file that trace-cmd report\nand KernelShark open; "
			"recvtop report summarises it.  -d, -n, -b and --json\n"
			"shape the --live view.  Exit status: 0 ok (with -- "
			"COMMAND: the command's),\n1 runtime error (the file "
			"is then complete up to the error, or absent),\n2 bad "
			"usage.\n");
	if (cmd == RT_CMD_EXPORT)
		fprintf(f, "\nTraces like the live view and serves /metrics "
			"(Prometheus text format 0.0.4,\nor OpenMetrics 1.0.0 "
			"when the scraper asks for it) until SIGTERM or\n"
			"SIGINT.  --listen takes 1.2.3.4:PORT, localhost:PORT, "
			"[::1]:PORT or\n:PORT (every address).  Exit status: 0 ok, "
			"1 runtime\nerror, 2 bad usage or a bad --web-config.\n");
	if (cmd == RT_CMD_REPORT)
		fprintf(f, "\nReads a recording of recvtop record or trace-cmd "
			"record (file version 6 or 7,\nuncompressed or zstd; "
			"trace.dat without -i).  -d sets the length of the\n"
			"intervals the summary counts, as in the live view.  "
			"Exit status: 0 ok,\n1 runtime error, 2 bad usage or "
			"a file recvtop cannot read.\n");
}

int cli_parse_delay(const char *s, u64 *ns)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v < 0.01 ||
	    v > 86400)
		return -1;
	*ns = (u64)llround(v * 1e9);
	return 0;
}

static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (!*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v == 0 || v > max)
		return -1;
	*out = v;
	return 0;
}

static bool pid_exists(int pid)
{
	char path[32];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d", pid);
	return stat(path, &st) == 0 || (kill(pid, 0) == 0 || errno == EPERM);
}

int cli_parse_pids(const char *s, int *pids, unsigned int *nr,
		   unsigned int max, char *err, size_t errlen)
{
	const char *p = s;

	if (!*s) {
		snprintf(err, errlen, "-p: empty process list");
		return -1;
	}
	while (*p) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		char buf[16];
		unsigned long v;

		if (len == 0 || len >= sizeof(buf)) {
			snprintf(err, errlen, "-p '%s': not a list of process "
				 "ids", s);
			return -1;
		}
		memcpy(buf, p, len);
		buf[len] = 0;
		if (parse_uint(buf, INT_MAX, &v)) {
			snprintf(err, errlen, "-p '%s': '%s' is not a process "
				 "id", s, buf);
			return -1;
		}
		if (*nr >= max) {
			snprintf(err, errlen, "-p: more than %u processes",
				 max);
			return -1;
		}
		pids[(*nr)++] = (int)v;
		p += len;
		if (*p == ',')
			p++;
		if (comma && !*p) {
			snprintf(err, errlen, "-p '%s': trailing comma", s);
			return -1;
		}
	}
	return 0;
}

int cli_check_pids_exist(const int *pids, unsigned int nr, char *err,
			 size_t errlen)
{
	for (unsigned int i = 0; i < nr; i++) {
		if (!pid_exists(pids[i])) {
			snprintf(err, errlen, "-p %d: no such process", pids[i]);
			return -1;
		}
	}
	return 0;
}

int cli_parse_speed(const char *s, double *speed)
{
	char *end;
	double v;

	if (!strcmp(s, "max")) {
		*speed = 0;
		return 0;
	}
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s)
		return -1;
	if (*end == 'x')	/* "10x" */
		end++;
	if (*end)
		return -1;
	if (!isfinite(v) || v < 0.01 || v > 10000)
		return -1;
	*speed = v;
	return 0;
}

/*
 * -c goes into a kernel filter string (comm == "NAME"): only names the
 * kernel can hold and that cannot end the quoted string are accepted.
 */
int cli_check_comm(const char *s, char *err, size_t errlen)
{
	size_t len = strlen(s);

	if (!len) {
		snprintf(err, errlen, "-c: empty command name");
		return -1;
	}
	if (len >= RT_COMM_LEN) {
		snprintf(err, errlen, "-c '%.40s%s': command names are at most "
			 "%d characters", s, len > 40 ? "..." : "",
			 RT_COMM_LEN - 1);
		return -1;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') {
			snprintf(err, errlen, "-c: command name contains a "
				 "character recvtop cannot filter on (quote, "
				 "backslash or control character)");
			return -1;
		}
	}
	return 0;
}

/* "/a/b" quoted in a message: at most 60 characters of it */
#define QUOTE_MAX 60
#define QUOTED(s) (int)(strlen(s) > QUOTE_MAX ? QUOTE_MAX : strlen(s)), (s), \
	strlen(s) > QUOTE_MAX ? "..." : ""

static bool has_controls(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return true;
	return false;
}

/*
 * --cgroup is compared with the "0::" line of /proc/PID/cgroup, whole
 * components at a time: an absolute path without empty, "." or ".."
 * components (a trailing slash is dropped), inside the hierarchy rather
 * than under its mount point.
 */
int cli_check_cgroup(const char *s, char *err, size_t errlen)
{
	const char *p;

	if (!*s) {
		snprintf(err, errlen, "--cgroup: empty path");
		return -1;
	}
	if (has_controls(s)) {
		snprintf(err, errlen, "--cgroup: the path contains a control "
			 "character");
		return -1;
	}
	if (s[0] != '/') {
		snprintf(err, errlen, "--cgroup '%.*s%s': not an absolute "
			 "cgroup v2 path (as in the 0:: line of /proc/PID/cgroup, "
			 "e.g. /system.slice/nginx.service)", QUOTED(s));
		return -1;
	}
	if (!strncmp(s, "/sys/fs/cgroup", 14) &&
	    (s[14] == '/' || !s[14])) {
		snprintf(err, errlen, "--cgroup '%.*s%s': give the path inside "
			 "the cgroup v2 hierarchy (as in /proc/PID/cgroup), not "
			 "under its mount point", QUOTED(s));
		return -1;
	}
	if (strlen(s) >= PATH_MAX) {
		snprintf(err, errlen, "--cgroup '%.*s%s': longer than %d "
			 "characters", QUOTED(s), PATH_MAX - 1);
		return -1;
	}
	for (p = s + 1; *p; ) {
		size_t len = strcspn(p, "/");

		if ((len == 0 && p[len]) || (len == 1 && p[0] == '.') ||
		    (len == 2 && p[0] == '.' && p[1] == '.')) {
			snprintf(err, errlen, "--cgroup '%.*s%s': an empty, . or "
				 ".. component (give the path as /proc/PID/cgroup "
				 "shows it)", QUOTED(s));
			return -1;
		}
		p += len;
		if (*p == '/')
			p++;
	}
	return 0;
}

static bool is_lower_hex(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* systemd's unit name characters, with ".service" at the end */
static bool is_service_unit(const char *s, size_t len)
{
	static const char suffix[] = ".service";
	size_t slen = sizeof(suffix) - 1;

	/* systemd's UNIT_NAME_MAX is 256 with the NUL */
	if (len <= slen || len > 255 || strcmp(s + len - slen, suffix))
		return false;
	for (size_t i = 0; i < len - slen; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || strchr(":-_.\\@", c)))
			return false;
	}
	return true;
}

int cli_check_container(const char *s, char *err, size_t errlen)
{
	size_t len = strlen(s);

	if (!len) {
		snprintf(err, errlen, "--container: empty name");
		return -1;
	}
	if ((len == 12 || len == 64) && is_lower_hex(s, len))
		return 0;
	if (is_service_unit(s, len))
		return 0;
	if (has_controls(s))
		snprintf(err, errlen, "--container: the name contains a control "
			 "character");
	else
		snprintf(err, errlen, "--container '%.*s%s': not a container id "
			 "(12 or 64 lowercase hex digits) nor a service unit "
			 "name (such as nginx.service)", QUOTED(s));
	return -1;
}

int cli_parse_listen(const char *s, struct sockaddr_storage *ss,
		     socklen_t *len, char *err, size_t errlen)
{
	char host[64];
	const char *colon;
	unsigned long port;

	memset(ss, 0, sizeof(*ss));
	if (s[0] == '[') {
		const char *end = strchr(s, ']');

		if (!end || end[1] != ':' || (size_t)(end - s - 1) >= sizeof(host))
			goto bad;
		memcpy(host, s + 1, (size_t)(end - s - 1));
		host[end - s - 1] = 0;
		colon = end + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon || (size_t)(colon - s) >= sizeof(host) ||
		    memchr(s, ':', (size_t)(colon - s)))
			goto bad;
		memcpy(host, s, (size_t)(colon - s));
		host[colon - s] = 0;
	}
	if (parse_uint(colon + 1, 65535, &port))
		goto bad;
	if (s[0] == '[' || !host[0]) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

		/* ":PORT": every address, IPv6 and IPv4 */
		a->sin6_family = AF_INET6;
		a->sin6_port = htons((u16)port);
		if (host[0] && inet_pton(AF_INET6, host, &a->sin6_addr) != 1)
			goto bad;
		*len = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;

		a->sin_family = AF_INET;
		a->sin_port = htons((u16)port);
		if (!strcmp(host, "localhost"))
			snprintf(host, sizeof(host), "127.0.0.1");
		if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
			goto bad;
		*len = sizeof(*a);
	}
	return 0;
bad:
	snprintf(err, errlen, "--listen '%s': not ADDR:PORT, [ADDR6]:PORT or "
		 ":PORT (port 1 to 65535)", s);
	return -1;
}

int cli_parse_labels(const char *s, unsigned int *labels, char *err,
			 size_t errlen)
{
	static const struct { const char *name; unsigned int bit; } names[] = {
		{ "pid", RT_LABEL_PID },
		{ "proto", RT_LABEL_PROTO },
		{ "via", RT_LABEL_VIA },
		{ "peer", RT_LABEL_PEER },
	};
	const char *p = s;

	*labels = 0;
	if (!*s) {
		snprintf(err, errlen, "--labels: empty list (pid, proto, via, "
			 "peer)");
		return -1;
	}
	while (*p) {
		size_t len = strcspn(p, ",");
		bool found = false;

		for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
			if (len == strlen(names[i].name) &&
			    !strncmp(p, names[i].name, len)) {
				*labels |= names[i].bit;
				found = true;
			}
		}
		if (!found) {
			snprintf(err, errlen, "--labels '%s': '%.*s' is not a "
				 "label (pid, proto, via, peer)", s,
				 (int)(len > 32 ? 32 : len), p);
			return -1;
		}
		p += len;
		if (*p == ',' && !*++p) {
			snprintf(err, errlen, "--labels '%s': trailing comma",
				 s);
			return -1;
		}
	}
	if ((*labels & RT_LABEL_PROTO) && (*labels & RT_LABEL_VIA)) {
		snprintf(err, errlen, "--labels '%s': proto and via cannot be "
			 "combined (recvtop counts ways per process, protocols "
			 "per socket)", s);
		return -1;
	}
	return 0;
}

static int find_cmd(const char *s)
{
	for (int c = 0; c < RT_CMD_NR; c++)
		if (!strcmp(s, cmd_names[c]))
			return c;
	return -1;
}

/*
 * The user's input is quoted in the messages: control characters in it
 * (a newline, a terminal escape) are shown as \n or \xNN, so that the
 * message stays one line and the terminal is not driven by it.
 */
static void escape_controls(char *s, size_t len)
{
	char tmp[1024];
	size_t o = 0;

	for (const unsigned char *p = (const unsigned char *)s;
	     *p && o + 5 < sizeof(tmp); p++) {
		if (*p == '\n') {
			tmp[o++] = '\\';
			tmp[o++] = 'n';
		} else if (*p < 0x20 || *p == 0x7f) {
			o += (size_t)snprintf(tmp + o, sizeof(tmp) - o,
					      "\\x%02x", *p);
		} else {
			tmp[o++] = (char)*p;
		}
	}
	tmp[o] = 0;
	snprintf(s, len, "%s", tmp);
}

static int parse_args(int argc, char **argv, struct rt_options *o, FILE *out,
		      char *err, size_t errlen);

int cli_parse(int argc, char **argv, struct rt_options *o, FILE *out,
	      char *err, size_t errlen)
{
	int ret = parse_args(argc, argv, o, out, err, errlen);

	if (ret == RT_CLI_USAGE && errlen)
		escape_controls(err, errlen);
	return ret;
}

static int parse_args(int argc, char **argv, struct rt_options *o, FILE *out,
		      char *err, size_t errlen)
{
	struct option lopts[ARRAY_SIZE(opts) + 1];
	char shorts[64] = "+:";
	size_t ns = 2, nl = 0;
	int first = 1;
	int c;
	const char *view_opt = NULL;	/* a live-view option (record) */
	const char *filter_opt = NULL;	/* --cgroup/--container (record) */

	memset(o, 0, sizeof(*o));
	o->delay_ns = NSEC_PER_SEC;
	o->backend = RT_BACKEND_AUTO;
	o->direction = RT_DIR_BOTH;

	if (argc > 1 && argv[1][0] != '-') {
		int cmd = find_cmd(argv[1]);

		if (cmd < 0) {
			if (!strcmp(argv[1], "help")) {
				cli_usage(out, RT_CMD_TOP);
				return RT_CLI_EXIT;
			}
			snprintf(err, errlen, "unknown command '%s' (try "
				 "'recvtop --help')", argv[1]);
			return RT_CLI_USAGE;
		}
		o->cmd = (enum rt_cmd)cmd;
		first = 2;
	}

	for (size_t i = 0; i < ARRAY_SIZE(opts); i++) {
		if (!(opts[i].cmds & CMD(o->cmd)))
			continue;
		lopts[nl++] = opts[i].lo;
		if (opts[i].shortopt) {
			shorts[ns++] = (char)opts[i].shortopt;
			if (opts[i].lo.has_arg == required_argument)
				shorts[ns++] = ':';
		}
	}
	memset(&lopts[nl], 0, sizeof(lopts[nl]));
	shorts[ns] = 0;

	/* parse the part after the subcommand; optind = 0 resets getopt */
	argc -= first - 1;
	argv += first - 1;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, shorts, lopts, NULL)) != -1) {
		unsigned long v;

		switch (c) {
		case 'o':
			if (!*optarg) {
				snprintf(err, errlen, "-o: empty file name");
				return RT_CLI_USAGE;
			}
			o->output = optarg;
			break;
		case 'i':
			if (!*optarg) {
				snprintf(err, errlen, "-i: empty file name");
				return RT_CLI_USAGE;
			}
			o->input = optarg;
			break;
		case OPT_FORCE:
			o->force = true;
			break;
		case OPT_FILE_VERSION:
			if (strcmp(optarg, "6") && strcmp(optarg, "7")) {
				snprintf(err, errlen, "--file-version '%s': "
					 "must be 6 or 7", optarg);
				return RT_CLI_USAGE;
			}
			o->file_version = optarg[0] - '0';
			break;
		case OPT_COMPRESS:
			o->compress = true;
			break;
		case OPT_LIVE:
			o->live = true;
			break;
		case OPT_SCHED:
			o->sched = true;
			break;
		case OPT_NO_KALLSYMS:
			o->no_kallsyms = true;
			break;
		case OPT_UPROBES:
			o->uprobes = true;
			break;
		case OPT_NO_UPROBES:
			o->uprobes = false;
			break;
		case OPT_LIBC:
			o->libc = optarg;
			break;
		case OPT_SPEED:
			if (cli_parse_speed(optarg, &o->speed)) {
				snprintf(err, errlen, "--speed '%s': must be a "
					 "factor (0.01 to 10000) or max", optarg);
				return RT_CLI_USAGE;
			}
			o->speed_set = true;
			break;
		case 'd':
			if (o->cmd == RT_CMD_RECORD)
				view_opt = "-d";
			if (cli_parse_delay(optarg, &o->delay_ns)) {
				snprintf(err, errlen, "-d '%s': not a delay in "
					 "seconds (0.01 to 86400)", optarg);
				return RT_CLI_USAGE;
			}
			o->delay_set = true;
			break;
		case 'n':
			if (parse_uint(optarg, UINT_MAX, &v)) {
				snprintf(err, errlen, "-n '%s': not a positive "
					 "number of intervals", optarg);
				return RT_CLI_USAGE;
			}
			o->iterations = (unsigned int)v;
			if (o->cmd == RT_CMD_RECORD)
				view_opt = "-n";
			break;
		case 'b':
			o->batch = true;
			if (o->cmd == RT_CMD_RECORD)
				view_opt = "-b";
			break;
		case OPT_JSON:
			o->json = true;
			if (o->cmd == RT_CMD_RECORD)
				view_opt = "--json";
			break;
		case 'p':
			if (cli_parse_pids(optarg, o->pids, &o->nr_pids,
					   RT_MAX_PIDS, err, errlen))
				return RT_CLI_USAGE;
			break;
		case 'c':
			if (cli_check_comm(optarg, err, errlen))
				return RT_CLI_USAGE;
			o->comm = optarg;
			break;
		case OPT_CGROUP:
			if (cli_check_cgroup(optarg, err, errlen))
				return RT_CLI_USAGE;
			o->cgroup = optarg;
			if (o->cmd == RT_CMD_RECORD)
				filter_opt = "--cgroup";
			break;
		case OPT_CONTAINER:
			if (cli_check_container(optarg, err, errlen))
				return RT_CLI_USAGE;
			o->container = optarg;
			if (o->cmd == RT_CMD_RECORD)
				filter_opt = "--container";
			break;
		case OPT_BACKEND:
			if (rt_backend_parse(optarg, &o->backend)) {
				snprintf(err, errlen, "--backend '%s': must be "
					 "auto, sock, kprobe or tracepoint", optarg);
				return RT_CLI_USAGE;
			}
			o->backend_set = true;
			break;
		case OPT_DIRECTION:
			if (rt_direction_parse(optarg, &o->direction)) {
				snprintf(err, errlen, "--direction '%s': must be "
					 "rx, tx or both", optarg);
				return RT_CLI_USAGE;
			}
			o->direction_set = true;
			break;
		case OPT_LISTEN:
			if (cli_parse_listen(optarg, &o->listen_addr,
					     &o->listen_len, err, errlen))
				return RT_CLI_USAGE;
			o->listen = optarg;
			break;
		case OPT_LABELS:
			if (cli_parse_labels(optarg, &o->labels, err,
						 errlen))
				return RT_CLI_USAGE;
			break;
		case OPT_MAX_SERIES:
			if (parse_uint(optarg, 10000000, &v)) {
				snprintf(err, errlen, "--max-series '%s': not a "
					 "number of series (1 to 10000000)",
					 optarg);
				return RT_CLI_USAGE;
			}
			o->max_series = (unsigned int)v;
			break;
		case OPT_SERIES_GRACE:
			if (parse_uint(optarg, 86400 * 365, &v)) {
				snprintf(err, errlen, "--series-grace '%s': not a "
					 "number of seconds (1 to 31536000)",
					 optarg);
				return RT_CLI_USAGE;
			}
			o->grace_s = (unsigned int)v;
			break;
		case OPT_WEB_CONFIG:
			if (!*optarg) {
				snprintf(err, errlen, "--web-config: empty file "
					 "name");
				return RT_CLI_USAGE;
			}
			o->web_config = optarg;
			break;
		case OPT_BUFFER_KB:
			if (parse_uint(optarg, 16u << 20, &v)) {
				snprintf(err, errlen, "--buffer-kb '%s': not a "
					 "size in KB (1 to 16777216)", optarg);
				return RT_CLI_USAGE;
			}
			o->buffer_kb = (unsigned int)v;
			o->buffer_set = true;
			break;
		case 'h':
			cli_usage(out, o->cmd);
			return RT_CLI_EXIT;
		case 'V':
			fprintf(out, "recvtop %s\n", RT_VERSION);
			return RT_CLI_EXIT;
		case ':':
			snprintf(err, errlen, "option '%s' needs a value",
				 argv[optind - 1]);
			return RT_CLI_USAGE;
		default:
			if (optopt && optopt < 256)
				snprintf(err, errlen, "unknown option '-%c' for "
					 "'recvtop %s' (try --help)", optopt,
					 cmd_names[o->cmd]);
			else
				snprintf(err, errlen, "unknown option '%s' for "
					 "'recvtop %s' (try --help)",
					 argv[optind - 1], cmd_names[o->cmd]);
			return RT_CLI_USAGE;
		}
	}

	if (optind < argc) {
		if (o->cmd != RT_CMD_TOP && o->cmd != RT_CMD_RECORD) {
			snprintf(err, errlen, "unexpected argument '%s' for "
				 "'recvtop %s'", argv[optind],
				 cmd_names[o->cmd]);
			return RT_CLI_USAGE;
		}
		o->command = &argv[optind];
		o->nr_command = argc - optind;
	}
	if (o->command && o->nr_pids) {
		snprintf(err, errlen, "-p and a COMMAND cannot be combined");
		return RT_CLI_USAGE;
	}
	if (filter_opt && !o->live) {
		snprintf(err, errlen, "%s filters the live view of record (the "
			 "recording keeps every process: filter it in report or "
			 "replay): add --live", filter_opt);
		return RT_CLI_USAGE;
	}
	if (view_opt && !o->live) {
		snprintf(err, errlen, "%s is an option of the live view: add "
			 "--live", view_opt);
		return RT_CLI_USAGE;
	}
	if (o->cmd == RT_CMD_TOP && o->input) {
		const char *live_only = o->command ? "a COMMAND" :
			o->backend_set ? "--backend" :
			o->direction_set ? "--direction" :
			o->buffer_set ? "--buffer-kb" : NULL;

		if (live_only) {
			snprintf(err, errlen, "%s does not apply to replaying "
				 "a recording (-i)", live_only);
			return RT_CLI_USAGE;
		}
	} else if (o->speed_set) {
		snprintf(err, errlen, "--speed applies to replaying a "
			 "recording: add -i FILE.dat");
		return RT_CLI_USAGE;
	}
	/* a live run watches processes that exist now */
	if (!(o->cmd == RT_CMD_TOP && o->input) &&
	    cli_check_pids_exist(o->pids, o->nr_pids, err, errlen))
		return RT_CLI_USAGE;
	if (o->cmd == RT_CMD_EXPORT && !o->listen) {
		struct sockaddr_in *a = (struct sockaddr_in *)&o->listen_addr;

		a->sin_family = AF_INET;
		a->sin_port = htons(RT_EXPORT_PORT);
		a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		o->listen_len = sizeof(*a);
	}
	if (o->compress && o->file_version == 6) {
		snprintf(err, errlen, "--compress writes file version 7, not "
			 "6");
		return RT_CLI_USAGE;
	}
	return RT_CLI_OK;
}
