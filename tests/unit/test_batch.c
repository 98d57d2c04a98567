// SPDX-License-Identifier: GPL-2.0
/* Batch output helpers: JSON strings, container kinds. */
#include <stdio.h>
#include <stdlib.h>

#include "recvtop/batch.h"
#include "recvtop/taskinfo.h"
#include "unit.h"

static char *json_of(const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	CHECK(f);
	if (!f)
		return NULL;
	rt_json_string(f, s);
	fclose(f);
	return buf;
}

TEST(batch_json_string_escapes_and_stays_utf8)
{
	static const struct { const char *in, *want; } cases[] = {
		{ "", "\"\"" },
		{ "/system.slice/nginx.service",
		  "\"/system.slice/nginx.service\"" },
		{ "a\"b\\c", "\"a\\\"b\\\\c\"" },
		{ "x\ny\x1b\x7f", "\"x\\u000ay\\u001b\\u007f\"" },
		/* valid UTF-8 as it is */
		{ "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xb3",
		  "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xb3\"" },
		/* invalid bytes, truncated and overlong sequences, surrogates */
		{ "a\xffz", "\"a\\ufffdz\"" },
		{ "\xe2\x82", "\"\\ufffd\\ufffd\"" },
		{ "\xc0\xaf", "\"\\ufffd\\ufffd\"" },
		{ "\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"" },
		{ "\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *got = json_of(cases[i].in);

		CHECK_STR(got, cases[i].want);
		free(got);
	}
}

TEST(batch_container_kind_names)
{
	struct taskinfo *ti = taskinfo_new(RT_TASKS_STORED);
	struct stats s;
	u32 ctr, svc;

	CHECK_EQ(stats_init(&s, ti, NULL), 0);
	ctr = taskinfo_cgroup_container(ti, taskinfo_cgroup_intern(ti,
		"/docker/0123456789abcdef0123456789abcdef"
		"0123456789abcdef0123456789abcdef"));
	svc = taskinfo_cgroup_container(ti, taskinfo_cgroup_intern(ti,
		"/system.slice/nginx.service"));
	CHECK_STR(rt_cont_kind_name(&s, ctr, false), "container");
	CHECK_STR(rt_cont_kind_name(&s, svc, false), "service");
	CHECK_STR(rt_cont_kind_name(&s, 0, false), "host");
	CHECK_STR(rt_cont_kind_name(&s, ctr, true), "other");
	stats_free(&s);
	taskinfo_free(ti);
}
