// SPDX-License-Identifier: GPL-2.0
/* The live source: per-CPU trace_pipe_raw readers. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <tracefs/tracefs.h>

#include "recvtop/live.h"

int live_source_open(struct live_source *ls, struct rt_session *s,
		     char *err, size_t errlen)
{
	memset(ls, 0, sizeof(*ls));
	ls->session = s;
	ls->cpus = calloc((size_t)s->nr_cpus, sizeof(*ls->cpus));
	ls->pfds = calloc((size_t)s->nr_cpus + 1, sizeof(*ls->pfds));
	ls->by_cpu = malloc((size_t)s->nr_cpus * sizeof(*ls->by_cpu));
	if (!ls->cpus || !ls->pfds || !ls->by_cpu) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	for (int cpu = 0; cpu < s->nr_cpus; cpu++)
		ls->by_cpu[cpu] = -1;
	for (int cpu = 0; cpu < s->nr_cpus; cpu++) {
		char file[64];
		struct live_cpu *c = &ls->cpus[ls->nr];
		int fd, size;

		snprintf(file, sizeof(file), "per_cpu/cpu%d/trace_pipe_raw",
			 cpu);
		if (!tracefs_file_exists(s->inst, file))
			continue;	/* not a possible CPU */
		fd = tracefs_instance_file_open(s->inst, file,
						O_RDONLY | O_NONBLOCK |
						O_CLOEXEC);
		if (fd < 0) {
			snprintf(err, errlen, "cannot open %s of %s: %s", file,
				 s->name, strerror(errno));
			goto fail;
		}
		session_register_fd(fd);
		c->cpu = cpu;
		c->fd = fd;
		if (!ls->page_size) {
			struct tracefs_cpu *probe = tracefs_cpu_open(s->inst,
								     cpu, true);

			size = probe ? tracefs_cpu_read_size(probe) : -1;
			if (probe)
				tracefs_cpu_close(probe);
			if (size <= 0)
				size = getpagesize();
			ls->page_size = (unsigned int)size;
		}
		c->tcpu = tracefs_cpu_alloc_fd(fd, (int)ls->page_size, true);
		if (!c->tcpu) {
			session_unregister_fd(fd);
			close(fd);
			snprintf(err, errlen, "cannot set up the reader of %s",
				 file);
			goto fail;
		}
		ls->pfds[ls->nr].fd = fd;
		ls->pfds[ls->nr].events = POLLIN;
		ls->by_cpu[cpu] = ls->nr;
		ls->nr++;
		ls->max_cpu = cpu + 1;
	}
	if (!ls->nr) {
		snprintf(err, errlen, "no per-CPU buffers in %s", s->name);
		goto fail;
	}
	return 0;
fail:
	live_source_close(ls);
	return -1;
}

void live_source_close(struct live_source *ls)
{
	for (int i = 0; ls->cpus && i < ls->nr; i++) {
		int fd = ls->cpus[i].fd;

		session_unregister_fd(fd);
		tracefs_cpu_free_fd(ls->cpus[i].tcpu);
		/* libtracefs 1.6 leaves the fd open, later versions close it;
		 * an open fd keeps the instance busy */
		if (fcntl(fd, F_GETFD) != -1)
			close(fd);
	}
	free(ls->cpus);
	free(ls->pfds);
	free(ls->by_cpu);
	ls->cpus = NULL;
	ls->pfds = NULL;
	ls->by_cpu = NULL;
	ls->nr = 0;
}

int live_source_wait(struct live_source *ls, int timeout_ms, int extra_fd,
		     bool *extra_ready)
{
	nfds_t n = (nfds_t)ls->nr;
	int ret;

	if (extra_fd >= 0) {
		ls->pfds[n].fd = extra_fd;
		ls->pfds[n].events = POLLIN;
		ls->pfds[n].revents = 0;
		n++;
	}
	ret = poll(ls->pfds, n, timeout_ms);
	if (extra_ready)
		*extra_ready = extra_fd >= 0 && ret > 0 &&
			       (ls->pfds[ls->nr].revents & (POLLIN | POLLHUP));
	return ret < 0 && errno == EINTR ? 0 : ret;
}

/* read one page of c into m: 1 read, 0 nothing there, -1 error (ls->error) */
static int read_page(struct live_source *ls, struct cpu_merge *m,
		     struct live_cpu *c)
{
	void *page = merge_page_buf(m);
	int r;

	if (!page) {
		ls->error = ENOMEM;
		return -1;
	}
	r = tracefs_cpu_read(c->tcpu, page, true);
	if (r <= 0) {
		merge_drop_page(m, page);
		if (r < 0 && errno != EAGAIN && errno != EINTR) {
			ls->error = errno ? errno : EIO;
			return -1;
		}
		return 0;
	}
	if ((unsigned int)r < ls->page_size)
		memset((char *)page + r, 0, ls->page_size - (unsigned int)r);
	ls->pages++;
	ls->bytes += (u64)r;
	if (ls->hook && ls->hook(ls->hook_ctx, c->cpu, page,
				 ls->page_size) < 0) {
		merge_drop_page(m, page);
		ls->error = errno ? errno : EIO;
		return -1;
	}
	merge_commit_page(m, c->cpu, page);
	return 1;
}

/* the merge used up a page of cpu: read that CPU's next */
static void need_page(void *ctx, int cpu)
{
	struct live_source *ls = ctx;

	if (ls->error || cpu < 0 || cpu >= ls->max_cpu ||
	    ls->by_cpu[cpu] < 0)
		return;
	read_page(ls, ls->merge, &ls->cpus[ls->by_cpu[cpu]]);
}

void live_source_attach(struct live_source *ls, struct cpu_merge *m)
{
	ls->merge = m;
	merge_set_need(m, need_page, ls);
}

int live_source_prime(struct live_source *ls)
{
	int total = 0;

	if (ls->error) {
		errno = ls->error;
		return -1;
	}
	for (int i = 0; i < ls->nr; i++) {
		struct live_cpu *c = &ls->cpus[i];
		int r;

		if (merge_cpu_queued(ls->merge, c->cpu))
			continue;
		r = read_page(ls, ls->merge, c);
		if (r < 0) {
			errno = ls->error;
			return -1;
		}
		total += r;
	}
	return total;
}

int live_source_check(const struct live_source *ls)
{
	if (!ls->error)
		return 0;
	errno = ls->error;
	return -1;
}
