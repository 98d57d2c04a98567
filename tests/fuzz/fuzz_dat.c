// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the .dat file reader: each input is a file handed
 * to the file source exactly as `recvtop report` does (metadata and page
 * checks, libtracecmd, then every event through decode, correlate and
 * stats), then read again after a seek.  Anything but a clean refusal or
 * a clean read is a bug.
 *
 *   tests/fuzz/build.sh BUILD_DIR      builds BUILD_DIR/fuzz/fuzz_dat
 *   fuzz_dat -max_total_time=60 CORPUS_SCRATCH tests/fuzz/dat-corpus
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "recvtop/correlate.h"
#include "recvtop/decode.h"
#include "recvtop/file_source.h"
#include "recvtop/pipeline.h"
#include "recvtop/stats.h"
#include "recvtop/taskinfo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void read_all(struct file_source *fs)
{
	struct decoder *dec = decoder_new(file_source_tep(fs));
	struct taskinfo *ti = taskinfo_new(RT_TASKS_STORED);
	struct correlator *corr = NULL;
	struct stats st;
	bool st_ok = false;
	struct pipeline p;
	char err[256];

	if (file_source_check_span(fs, NSEC_PER_SEC / 10, err, sizeof(err)))
		goto out;
	if (!dec || !ti || stats_init(&st, ti, NULL))
		goto out;
	st_ok = true;
	if (file_source_load_tasks(fs, ti, err, sizeof(err)) < 0)
		goto out;
	corr = correlator_new(&st, false);
	if (!corr)
		goto out;
	pipeline_init(&p, dec, corr, &st, NSEC_PER_SEC / 10, 0, NULL, NULL);
	file_source_feed(fs, &p, UINT64_MAX);
	pipeline_finish(&p);
	/* read the second half again, through the index */
	file_source_seek(fs, file_source_first_ts(fs) +
		(file_source_last_ts(fs) - file_source_first_ts(fs)) / 2);
	{
		struct rt_raw raw;

		while (file_source_next(fs, UINT64_MAX, &raw) == 1)
			;
	}
out:
	correlator_free(corr);
	if (st_ok)
		stats_free(&st);
	taskinfo_free(ti);
	decoder_free(dec);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz.dat", MFD_CLOEXEC);
	struct file_source *fs;
	char err[512];
	size_t done = 0;

	if (fd < 0)
		return 0;
	while (done < size) {
		ssize_t n = write(fd, data + done, size - done);

		if (n <= 0)
			break;
		done += (size_t)n;
	}
	fs = file_source_open_fd(fd, "fuzz.dat", err, sizeof(err));
	close(fd);
	if (!fs) {
		/* one line naming the problem */
		if (!err[0] || strchr(err, '\n'))
			__builtin_trap();
		return 0;
	}
	read_all(fs);
	file_source_close(fs);
	return 0;
}
