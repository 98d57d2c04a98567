// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>

#include "recvtop/cli.h"
#include "unit.h"

static struct rt_options o;
static char err[512];

/* parse a NULL-terminated list of arguments after "recvtop" */
static int parse(const char *first, ...)
{
	static char *argv[32];	/* o.command points into it */
	int argc = 0;
	va_list ap;
	const char *a;
	FILE *devnull = fopen("/dev/null", "w");
	int ret;

	argv[argc++] = (char *)"recvtop";
	va_start(ap, first);
	for (a = first; a && argc < 31; a = va_arg(ap, const char *))
		argv[argc++] = (char *)a;
	va_end(ap);
	argv[argc] = NULL;
	err[0] = 0;
	ret = cli_parse(argc, argv, &o, devnull, err, sizeof(err));
	fclose(devnull);
	return ret;
}

TEST(cli_defaults)
{
	CHECK_EQ(parse(NULL), RT_CLI_OK);
	CHECK_EQ(o.cmd, RT_CMD_TOP);
	CHECK_EQ(o.delay_ns, 1000000000ULL);
	CHECK_EQ(o.iterations, 0);
	CHECK_EQ(o.backend, RT_BACKEND_AUTO);
	CHECK(!o.batch && !o.json && !o.command);
}

TEST(cli_options_and_command)
{
	char pid[16];

	snprintf(pid, sizeof(pid), "%d,1", getpid());
	CHECK_EQ(parse("top", "-b", "--json", "-d", "0.25", "-n", "3", "-p",
		       pid, "-c", "nginx", "--backend", "tracepoint",
		       "--buffer-kb", "512", NULL), RT_CLI_OK);
	CHECK_EQ(o.cmd, RT_CMD_TOP);
	CHECK(o.batch && o.json);
	CHECK_EQ(o.delay_ns, 250000000ULL);
	CHECK_EQ(o.iterations, 3);
	CHECK_EQ(o.nr_pids, 2);
	CHECK_EQ(o.pids[0], getpid());
	CHECK_EQ(o.pids[1], 1);
	CHECK_STR(o.comm, "nginx");
	CHECK_EQ(o.backend, RT_BACKEND_TRACEPOINT);
	CHECK_EQ(o.buffer_kb, 512);

	CHECK_EQ(parse("--json", "--", "sleep", "-n", "1", NULL), RT_CLI_OK);
	CHECK(o.command != NULL);
	CHECK_EQ(o.nr_command, 3);
	CHECK_STR(o.command[0], "sleep");
	CHECK_STR(o.command[1], "-n");
	CHECK_EQ(o.iterations, 0);
	/* the command may also follow the options without "--" */
	CHECK_EQ(parse("-b", "true", NULL), RT_CLI_OK);
	CHECK_STR(o.command[0], "true");
	CHECK_EQ(parse("reset", NULL), RT_CLI_OK);
	CHECK_EQ(o.cmd, RT_CMD_RESET);
	CHECK_EQ(parse("probes", "--backend", "kprobe", NULL), RT_CLI_OK);
	CHECK_EQ(o.cmd, RT_CMD_PROBES);
	/* replay: -p names recorded processes, which need not exist now */
	CHECK_EQ(parse("top", "-i", "x.dat", "-p", "2147483646", "--speed",
		       "10x", "--json", NULL), RT_CLI_OK);
	CHECK_STR(o.input, "x.dat");
	CHECK(o.speed == 10 && o.speed_set);
	CHECK_EQ(parse("-i", "x.dat", "--speed", "max", NULL), RT_CLI_OK);
	CHECK(o.speed == 0 && o.speed_set);
	CHECK_EQ(parse("--help", NULL), RT_CLI_EXIT);
	CHECK_EQ(parse("--version", NULL), RT_CLI_EXIT);
	CHECK_EQ(parse("probes", "-h", NULL), RT_CLI_EXIT);
}

struct bad {
	const char *args[6];
	const char *msg;
};

TEST(cli_bad_input_messages)
{
	static const struct bad bad[] = {
		{ { "--bogus" }, "unknown option '--bogus' for 'recvtop top'" },
		{ { "-x" }, "unknown option '-x'" },
		{ { "frobnicate" }, "unknown command 'frobnicate'" },
		{ { "-d" }, "option '-d' needs a value" },
		{ { "-d", "abc" }, "-d 'abc': not a delay" },
		{ { "-d", "0" }, "-d '0': not a delay" },
		{ { "-d", "-1" }, "-d '-1': not a delay" },
		{ { "-d", "nan" }, "-d 'nan': not a delay" },
		{ { "-d", "1e9" }, "-d '1e9': not a delay" },
		{ { "-n", "0" }, "-n '0': not a positive number" },
		{ { "-n", "x" }, "-n 'x': not a positive number" },
		{ { "-n", "-3" }, "-n '-3': not a positive number" },
		{ { "-p", "abc" }, "-p 'abc': 'abc' is not a process id" },
		{ { "-p", "12x" }, "'12x' is not a process id" },
		{ { "-p", "" }, "-p: empty process list" },
		{ { "-p", "1," }, "trailing comma" },
		{ { "-p", "1,,2" }, "not a list of process ids" },
		{ { "-p", "0" }, "'0' is not a process id" },
		{ { "-p", "2147483646" }, "-p 2147483646: no such process" },
		{ { "-c", "" }, "-c: empty command name" },
		{ { "-c", "a-very-long-command-name" },
		  "command names are at most 15 characters" },
		{ { "-c", "x\" || 1" }, "quote, backslash or control" },
		{ { "-c", "a\nb" }, "quote, backslash or control" },
		{ { "--backend", "ebpf" }, "--backend 'ebpf': must be auto, "
		  "sock, kprobe or tracepoint" },
		{ { "--direction", "up" }, "--direction 'up': must be rx, tx "
		  "or both" },
		{ { "--buffer-kb", "0" }, "--buffer-kb '0': not a size" },
		{ { "--buffer-kb", "99999999999" }, "not a size in KB" },
		{ { "reset", "extra" }, "unexpected argument 'extra' for "
		  "'recvtop reset'" },
		{ { "reset", "-b" }, "unknown option '-b' for 'recvtop reset'" },
		{ { "-p", "1", "--", "true" }, "-p and a COMMAND cannot be "
		  "combined" },
		{ { "--speed", "2" }, "--speed applies to replaying a recording" },
		{ { "-i", "x.dat", "--speed", "fast" }, "--speed 'fast': must be" },
		{ { "-i", "x.dat", "--speed", "0" }, "--speed '0': must be" },
		{ { "-i", "x.dat", "--backend", "kprobe" },
		  "--backend does not apply to replaying" },
		{ { "-i", "x.dat", "--", "true" },
		  "a COMMAND does not apply to replaying" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		const char *const *a = bad[i].args;
		int r = parse(a[0], a[1], a[2], a[3], a[4], NULL);

		if (r != RT_CLI_USAGE)
			unit_fail(__FILE__, __LINE__, "case %zu (%s) parsed "
				  "(%d)", i, a[0], r);
		if (!strstr(err, bad[i].msg))
			unit_fail(__FILE__, __LINE__, "case %zu: '%s' lacks "
				  "'%s'", i, err, bad[i].msg);
		/* one line, no trailing newline */
		CHECK(!strchr(err, '\n'));
	}
}

TEST(cli_cgroup_container)
{
	static const char id64[] = "4f1d5c0e7a2b9c3d8e6f1a2b3c4d5e6f"
				   "7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d";

	/* accepted by every command that counts, kept as given */
	CHECK_EQ(parse("--cgroup", "/kubepods.slice/pod1", "--container",
		       "4f1d5c0e7a2b", NULL), RT_CLI_OK);
	CHECK_STR(o.cgroup, "/kubepods.slice/pod1");
	CHECK_STR(o.container, "4f1d5c0e7a2b");
	CHECK_EQ(parse("report", "--container", id64, NULL), RT_CLI_OK);
	CHECK_STR(o.container, id64);
	CHECK_EQ(parse("top", "-i", "x.dat", "--cgroup", "/", NULL), RT_CLI_OK);
	CHECK_STR(o.cgroup, "/");
	CHECK_EQ(parse("export", "--container", "nginx.service", NULL),
		 RT_CLI_OK);
	CHECK_STR(o.container, "nginx.service");
	CHECK_EQ(parse("record", "--live", "--cgroup", "/system.slice/", NULL),
		 RT_CLI_OK);
	CHECK_STR(o.cgroup, "/system.slice/");
	CHECK_EQ(parse("--container", "getty@tty1.service", NULL), RT_CLI_OK);
	CHECK_EQ(parse("--container", "systemd-journald.service", NULL),
		 RT_CLI_OK);
	CHECK(!parse(NULL) && !o.cgroup && !o.container);

	/* record: they filter the live view, not the recording */
	CHECK_EQ(parse("record", "--container", "nginx.service", NULL),
		 RT_CLI_USAGE);
	CHECK_STR(err, "--container filters the live view of record (the "
		  "recording keeps every process: filter it in report or "
		  "replay): add --live");
	CHECK_EQ(parse("record", "--cgroup", "/a", NULL), RT_CLI_USAGE);
	CHECK_CONTAINS(err, "--cgroup filters the live view of record");
	/* not for the commands that count nothing */
	CHECK_EQ(parse("probes", "--cgroup", "/a", NULL), RT_CLI_USAGE);
	CHECK_STR(err, "unknown option '--cgroup' for 'recvtop probes' (try "
		  "--help)");
	CHECK_EQ(parse("reset", "--container", "nginx.service", NULL),
		 RT_CLI_USAGE);
}

TEST(cli_cgroup_bad)
{
	char big[5000];

	CHECK_EQ(parse("--cgroup", "", NULL), RT_CLI_USAGE);
	CHECK_STR(err, "--cgroup: empty path");
	CHECK_EQ(parse("--cgroup", "system.slice", NULL), RT_CLI_USAGE);
	CHECK_STR(err, "--cgroup 'system.slice': not an absolute cgroup v2 path "
		  "(as in the 0:: line of /proc/PID/cgroup, e.g. "
		  "/system.slice/nginx.service)");
	CHECK_EQ(parse("--cgroup", "/sys/fs/cgroup/unified/system.slice",
		       NULL), RT_CLI_USAGE);
	CHECK_STR(err, "--cgroup '/sys/fs/cgroup/unified/system.slice': give "
		  "the path inside the cgroup v2 hierarchy (as in "
		  "/proc/PID/cgroup), not under its mount point");
	CHECK_EQ(parse("--cgroup", "/sys/fs/cgroup", NULL), RT_CLI_USAGE);
	/* a cgroup named like the mount point's start is a cgroup */
	CHECK_EQ(parse("--cgroup", "/sys/fs/cgroupish", NULL), RT_CLI_OK);
	CHECK_EQ(parse("--cgroup", "/a//b", NULL), RT_CLI_USAGE);
	CHECK_STR(err, "--cgroup '/a//b': an empty, . or .. component (give the "
		  "path as /proc/PID/cgroup shows it)");
	CHECK_EQ(parse("--cgroup", "/a/./b", NULL), RT_CLI_USAGE);
	CHECK_EQ(parse("--cgroup", "/a/..", NULL), RT_CLI_USAGE);
	CHECK_EQ(parse("--cgroup", "/..", NULL), RT_CLI_USAGE);
	/* dots inside a name are names */
	CHECK_EQ(parse("--cgroup", "/a/..b/.c", NULL), RT_CLI_OK);
	CHECK_EQ(parse("--cgroup", "/a\nb", NULL), RT_CLI_USAGE);
	CHECK_STR(err, "--cgroup: the path contains a control character");
	big[0] = '/';
	memset(big + 1, 'x', sizeof(big) - 2);
	big[sizeof(big) - 1] = 0;
	CHECK_EQ(parse("--cgroup", big, NULL), RT_CLI_USAGE);
	CHECK_CONTAINS(err, "...': longer than 4095 characters");
	CHECK(strlen(err) < 200);
	CHECK_EQ(parse("--cgroup", NULL), RT_CLI_USAGE);
	CHECK_STR(err, "option '--cgroup' needs a value");
}

TEST(cli_container_bad)
{
	static const char *const bad[] = {
		"4f1d5c0e7a2",		/* 11 hex */
		"4f1d5c0e7a2b9",	/* 13 hex */
		"4F1D5C0E7A2B",		/* upper case */
		"4f1d5c0e7a2g",		/* not hex */
		"nginx",		/* no unit suffix */
		"nginx.scope",		/* a scope is not a service */
		".service",		/* no name */
		"a b.service",		/* a space */
		"docker-4f1d5c0e7a2b.scope",
	};
	char unit[300];

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		char want[256];

		CHECK_EQ(parse("--container", bad[i], NULL), RT_CLI_USAGE);
		snprintf(want, sizeof(want), "--container '%s': not a container "
			 "id (12 or 64 lowercase hex digits) nor a service unit "
			 "name (such as nginx.service)", bad[i]);
		CHECK_STR(err, want);
	}
	CHECK_EQ(parse("--container", "", NULL), RT_CLI_USAGE);
	CHECK_STR(err, "--container: empty name");
	CHECK_EQ(parse("--container", "x\x1b[2J.service", NULL), RT_CLI_USAGE);
	CHECK_STR(err, "--container: the name contains a control character");
	/* systemd's longest unit name is 255 characters */
	memset(unit, 'u', 247);
	strcpy(unit + 247, ".service");
	CHECK_EQ(parse("--container", unit, NULL), RT_CLI_OK);
	memset(unit, 'u', 248);
	strcpy(unit + 248, ".service");
	CHECK_EQ(parse("--container", unit, NULL), RT_CLI_USAGE);
	CHECK_CONTAINS(err, "...': not a container id");
	/* the checks alone, as the fuzz harness calls them */
	CHECK_EQ(cli_check_container("0123456789ab", err, sizeof(err)), 0);
	CHECK_EQ(cli_check_cgroup("/", err, sizeof(err)), 0);
}
