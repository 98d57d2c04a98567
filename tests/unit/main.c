// SPDX-License-Identifier: GPL-2.0
/* Unit-test runner: every TEST in order, TAP lines, "N passed, N failed". */
#include <stdarg.h>
#include <stdlib.h>

#include "unit.h"

#define MAX_TESTS 1024

static struct {
	const char *name;
	unit_fn fn;
} tests[MAX_TESTS];
static int nr_tests;
static int failures;

void unit_register(const char *name, unit_fn fn)
{
	if (nr_tests < MAX_TESTS) {
		tests[nr_tests].name = name;
		tests[nr_tests].fn = fn;
		nr_tests++;
	}
}

void unit_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	failures++;
	printf("# %s:%d: ", file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

int main(int argc, char **argv)
{
	int passed = 0, failed = 0;

	for (int i = 0; i < nr_tests; i++) {
		int before = failures;

		if (argc > 1 && !strstr(tests[i].name, argv[1]))
			continue;
		tests[i].fn();
		if (failures == before) {
			printf("ok - %s\n", tests[i].name);
			passed++;
		} else {
			printf("not ok - %s\n", tests[i].name);
			failed++;
		}
		fflush(stdout);
	}
	printf("# unit: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
