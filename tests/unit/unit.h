/* SPDX-License-Identifier: GPL-2.0 */
/* A small unit-test harness: TEST() registers, CHECK*() records failures. */
#ifndef RECVTOP_UNIT_H
#define RECVTOP_UNIT_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

typedef void (*unit_fn)(void);
void unit_register(const char *name, unit_fn fn);
void unit_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define TEST(name)							\
	static void name(void);						\
	__attribute__((constructor)) static void reg_##name(void)	\
	{								\
		unit_register(#name, name);				\
	}								\
	static void name(void)

#define CHECK(cond)							\
	do {								\
		if (!(cond))						\
			unit_fail(__FILE__, __LINE__, "%s", #cond);	\
	} while (0)

#define CHECK_EQ(a, b)							\
	do {								\
		long long _a = (long long)(a), _b = (long long)(b);	\
		if (_a != _b)						\
			unit_fail(__FILE__, __LINE__, "%s == %lld, want %s == %lld", \
				  #a, _a, #b, _b);			\
	} while (0)

#define CHECK_STR(a, b)							\
	do {								\
		const char *_a = (a), *_b = (b);			\
		if (!_a || !_b || strcmp(_a, _b))			\
			unit_fail(__FILE__, __LINE__, "%s == \"%s\", want \"%s\"", \
				  #a, _a ? _a : "(null)", _b ? _b : "(null)"); \
	} while (0)

#define CHECK_CONTAINS(hay, needle)					\
	do {								\
		const char *_h = (hay), *_n = (needle);			\
		if (!_h || !strstr(_h, _n))				\
			unit_fail(__FILE__, __LINE__, "\"%s\" lacks \"%s\"", \
				  _h ? _h : "(null)", _n);		\
	} while (0)

#endif
