/* SPDX-License-Identifier: GPL-2.0 */
#ifndef RECVTOP_CLI_H
#define RECVTOP_CLI_H

#include <stdio.h>
#include <sys/socket.h>

#include "recvtop/common.h"
#include "recvtop/probes.h"

enum rt_cmd {
	RT_CMD_TOP = 0,
	RT_CMD_RECORD,
	RT_CMD_REPORT,
	RT_CMD_RESET,
	RT_CMD_PROBES,
	RT_CMD_EXPORT,
	RT_CMD_NR,
};

#define RT_MAX_PIDS 1024

struct rt_options {
	enum rt_cmd cmd;
	u64 delay_ns;			/* -d */
	bool delay_set;			/* -d was given */
	unsigned int iterations;	/* -n, 0 = until stopped */
	bool batch;			/* -b */
	bool json;			/* --json */
	int pids[RT_MAX_PIDS];		/* -p */
	unsigned int nr_pids;
	const char *comm;		/* -c */
	const char *cgroup;		/* --cgroup: a cgroup v2 path, NULL = all */
	const char *container;		/* --container: an id or unit, NULL = all */
	enum rt_backend backend;	/* --backend */
	unsigned int direction;		/* --direction: RT_DIR_* */
	unsigned int buffer_kb;		/* --buffer-kb, 0 = default */
	char **command;			/* after --, NULL-terminated */
	int nr_command;
	/* record */
	const char *output;		/* -o, NULL = trace.dat */
	bool force;			/* --force */
	int file_version;		/* --file-version, 0 = default (6) */
	bool compress;			/* --compress: v7 + zstd */
	bool live;			/* --live */
	bool sched;			/* --sched */
	bool no_kallsyms;		/* --no-kallsyms */
	bool uprobes;			/* --uprobes (--no-uprobes: off) */
	const char *libc;		/* probes --libc-file FILE */
	/* report; top -i: replay */
	const char *input;		/* -i, NULL = trace.dat */
	double speed;			/* --speed (replay), 0 = as fast as possible */
	bool speed_set;
	bool backend_set, buffer_set;	/* given on the command line */
	bool direction_set;
	/* export */
	const char *listen;		/* --listen as given, NULL = default */
	struct sockaddr_storage listen_addr;
	socklen_t listen_len;
	unsigned int labels;		/* --labels: RT_LABEL_* */
	unsigned int max_series;	/* --max-series, 0 = default */
	unsigned int grace_s;		/* --series-grace, 0 = default */
	const char *web_config;		/* --web-config FILE */
};

/* --labels of recvtop export: what the series are split by beyond comm */
#define RT_LABEL_PID	0x1
#define RT_LABEL_PROTO	0x2
#define RT_LABEL_VIA	0x4
#define RT_LABEL_PEER	0x8

/* recvtop export's default address: loopback, this port */
#define RT_EXPORT_PORT 19420

enum {
	RT_CLI_OK = 0,
	RT_CLI_EXIT = 1,	/* help or version printed: exit 0 */
	RT_CLI_USAGE = -1,	/* bad usage: message in err, exit 2 */
};

/* Parse argv; on RT_CLI_USAGE err holds one line naming the input */
int cli_parse(int argc, char **argv, struct rt_options *o, FILE *out,
	      char *err, size_t errlen);
void cli_usage(FILE *f, enum rt_cmd cmd);
const char *cli_cmd_name(enum rt_cmd cmd);

/* exposed for tests */
int cli_parse_delay(const char *s, u64 *ns);
int cli_parse_pids(const char *s, int *pids, unsigned int *nr,
		   unsigned int max, char *err, size_t errlen);
/* live runs: every -p process must exist */
int cli_check_pids_exist(const int *pids, unsigned int nr, char *err,
			 size_t errlen);
/* --speed: "max" or a factor 0.01 .. 10000 (max gives 0) */
int cli_parse_speed(const char *s, double *speed);
int cli_check_comm(const char *s, char *err, size_t errlen);
/* --cgroup: an absolute, normalised cgroup v2 path ("/a/b", "/") */
int cli_check_cgroup(const char *s, char *err, size_t errlen);
/* --container: a 12- or 64-hex id, or a service unit ("nginx.service") */
int cli_check_container(const char *s, char *err, size_t errlen);
/* --labels "pid,via" -> RT_LABEL_*; -1 with one line in err */
int cli_parse_labels(const char *s, unsigned int *labels, char *err,
		     size_t errlen);
/* --listen: "ADDR:PORT", "[ADDR6]:PORT", ":PORT" (every address) */
int cli_parse_listen(const char *s, struct sockaddr_storage *ss,
		     socklen_t *len, char *err, size_t errlen);

#endif
