// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the command-line parser: each input is an argument
 * list (arguments separated by NUL bytes; argv[0] is "recvtop"), given to
 * cli_parse() exactly as main() does.  Besides crashes, hangs and leaks
 * (ASan/UBSan/LSan), the result must keep the parser's promises:
 *   - bad usage: one non-empty line in err, no control characters;
 *   - accepted: every value in range, -c a name the kernel filter can
 *     hold, -p at most RT_MAX_PIDS positive ids, the COMMAND inside argv,
 *     -p and a COMMAND not combined, --compress never with version 6.
 * A broken promise aborts (a crash for libFuzzer).
 *
 *   tests/fuzz/build.sh BUILD_DIR      builds BUILD_DIR/fuzz/fuzz_cli
 *   fuzz_cli -dict=tests/fuzz/cli.dict SCRATCH tests/fuzz/cli-corpus
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recvtop/cli.h"

#define MAX_ARGS 64
#define MAX_BYTES 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void promise(bool cond)
{
	if (!cond)
		abort();
}

static void check_usage_error(const char *err, size_t errlen)
{
	size_t len = strnlen(err, errlen);

	promise(len > 0 && len < errlen);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)err[i];

		promise(c >= 0x20 && c != 0x7f);
	}
}

static void check_options(const struct rt_options *o, char **argv, int argc)
{
	char err[256];

	promise(o->cmd < RT_CMD_NR);
	promise(o->delay_ns >= NSEC_PER_SEC / 100 &&
		o->delay_ns <= 86400 * NSEC_PER_SEC);
	promise(o->nr_pids <= RT_MAX_PIDS);
	for (unsigned int i = 0; i < o->nr_pids; i++)
		promise(o->pids[i] > 0);
	promise(!o->comm || !cli_check_comm(o->comm, err, sizeof(err)));
	promise(!o->cgroup || (o->cgroup[0] == '/' &&
				!cli_check_cgroup(o->cgroup, err, sizeof(err))));
	promise(!o->container ||
		!cli_check_container(o->container, err, sizeof(err)));
	promise(!(o->cmd == RT_CMD_RECORD && !o->live &&
		  (o->cgroup || o->container)));
	promise(o->buffer_kb <= (16u << 20));
	promise(o->backend == RT_BACKEND_AUTO ||
		o->backend == RT_BACKEND_KPROBE ||
		o->backend == RT_BACKEND_TRACEPOINT);
	promise(!o->file_version || o->file_version == 6 ||
		o->file_version == 7);
	promise(!(o->compress && o->file_version == 6));
	if (o->command) {
		promise(o->nr_command > 0 && o->nr_command < argc);
		promise(o->command >= argv + 1 &&
			o->command + o->nr_command == argv + argc);
		promise(!o->nr_pids);
		promise(o->cmd == RT_CMD_TOP || o->cmd == RT_CMD_RECORD);
	}
	promise(!o->output || *o->output);
	promise(!o->input || *o->input);
	if (o->speed_set)
		promise(o->speed == 0 || (o->speed >= 0.01 &&
					  o->speed <= 10000));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *devnull;
	static struct rt_options o;
	char *argv[MAX_ARGS + 2];
	char err[512];
	int argc = 1, ret;
	size_t start = 0;

	if (size > MAX_BYTES)
		return 0;
	if (!devnull)
		devnull = fopen("/dev/null", "w");
	argv[0] = strdup("recvtop");
	/* every argument its own allocation: ASan sees reads past one */
	for (size_t i = 0; i <= size && argc <= MAX_ARGS; i++) {
		if (i < size && data[i])
			continue;
		if (i == size && start == size)
			break;
		argv[argc] = malloc(i - start + 1);
		memcpy(argv[argc], data + start, i - start);
		argv[argc][i - start] = 0;
		argc++;
		start = i + 1;
	}
	argv[argc] = NULL;
	err[0] = 0;
	ret = cli_parse(argc, argv, &o, devnull, err, sizeof(err));
	if (ret == RT_CLI_USAGE)
		check_usage_error(err, sizeof(err));
	else if (ret == RT_CLI_OK)
		check_options(&o, argv, argc);
	else
		promise(ret == RT_CLI_EXIT);
	for (int i = 0; i < argc; i++)
		free(argv[i]);
	return 0;
}
