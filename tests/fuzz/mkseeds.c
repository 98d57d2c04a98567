// SPDX-License-Identifier: GPL-2.0
/*
 * mkseeds DIR: small .dat files for the fuzz corpus, written by recvtop's
 * own writer (v6, v7, v7+zstd; with and without recvtop's thread table,
 * markers, lost-event pages, an empty CPU).
 */
#include <stdio.h>

#include "test_dat.h"

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		struct tdat_opts o;
	} seeds[] = {
		{ "v6-small", { .version = 6, .cpus = 1, .calls = { 20 },
				.markers = true, .tasks = true,
				.kallsyms = true } },
		{ "v6-two-cpus-missed", { .version = 6, .cpus = 2,
					  .calls = { 150, 40 },
					  .missed_page = 1 } },
		{ "v7-small", { .version = 7, .cpus = 2, .calls = { 30, 0 },
				.markers = true, .tasks = true } },
		{ "v7-zstd", { .version = 7, .zstd = true, .cpus = 2,
			       .calls = { 60, 25 }, .markers = true,
			       .tasks = true, .kallsyms = true } },
		{ "v7-zstd-plain", { .version = 7, .zstd = true, .cpus = 1,
				     .calls = { 5 } } },
	};
	char path[512], err[512];

	if (argc != 2) {
		fprintf(stderr, "usage: mkseeds DIR\n");
		return 2;
	}
	for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
		snprintf(path, sizeof(path), "%s/seed-%s.dat", argv[1],
			 seeds[i].name);
		if (tdat_write(path, &seeds[i].o, err, sizeof(err))) {
			fprintf(stderr, "mkseeds: %s\n", err);
			return 1;
		}
	}
	return 0;
}
