/* SPDX-License-Identifier: GPL-2.0 */
#ifndef RECVTOP_COMMON_H
#define RECVTOP_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int32_t s32;
typedef int64_t s64;

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define NSEC_PER_SEC 1000000000ULL
#define NSEC_PER_MSEC 1000000ULL

#define RT_COMM_LEN 16

/* exit status contract (design.md) */
enum {
	RT_EXIT_OK = 0,
	RT_EXIT_RUNTIME = 1,
	RT_EXIT_USAGE = 2,
};

#define __printf(a, b) __attribute__((format(printf, a, b)))

/* One line on stderr, prefixed with "recvtop: " */
void rt_err(const char *fmt, ...) __printf(1, 2);
/* Same, and also remembered as the last error (for tests and the TUI) */
void rt_warn(const char *fmt, ...) __printf(1, 2);

/* rt_err() output goes here instead of stderr when set (TUI uses it) */
void rt_err_set_sink(void (*sink)(const char *msg));

u64 rt_now_mono_ns(void);

/* length of the valid UTF-8 sequence at s (n > 0 bytes left), 0 if invalid */
size_t rt_utf8_len(const unsigned char *s, size_t n);

/* Read a whole (pseudo-)file; returns malloc'ed NUL-terminated text or NULL */
char *rt_read_file(const char *path, size_t *len);

#endif
