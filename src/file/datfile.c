// SPDX-License-Identifier: GPL-2.0
/* trace-cmd .dat files: raw pages, the writer, the metadata parser. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zstd.h>

#include "recvtop/datfile.h"
#include "recvtop/session.h"

#define ZSTD_LEVEL 3
/* the copy into the final file moves this much at a time */
#define COPY_BLOCK (256u << 10)
/*
 * Space preallocated right after the head: the tail (command lines,
 * options, tables) and the first copy block land there, so a recording
 * that filled the disk can still be finished (the rest of the copy frees
 * the CPU files as it goes).
 */
#define RESERVE_BYTES (COPY_BLOCK + (768u << 10))
#define MAX_CPUS 8192

static inline u16 rd16(const u8 *p, bool swap)
{
	u16 v;

	memcpy(&v, p, 2);
	return swap ? __builtin_bswap16(v) : v;
}

static inline u32 rd32(const u8 *p, bool swap)
{
	u32 v;

	memcpy(&v, p, 4);
	return swap ? __builtin_bswap32(v) : v;
}

static inline u64 rd64(const u8 *p, bool swap)
{
	u64 v;

	memcpy(&v, p, 8);
	return swap ? __builtin_bswap64(v) : v;
}

static bool host_big_endian(void)
{
	return __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__;
}

int dat_pread_full(int fd, void *buf, size_t len, u64 off)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = pread(fd, (char *)buf + got, len - got,
				  (off_t)(off + got));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0) {
			errno = EIO;
			return -1;
		}
		got += (size_t)n;
	}
	return 0;
}

static int pwrite_full(int fd, const void *buf, size_t len, u64 off)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pwrite(fd, (const char *)buf + done, len - done,
				   (off_t)(off + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0) {
			errno = ENOSPC;
			return -1;
		}
		done += (size_t)n;
	}
	return 0;
}

/* ---- raw pages ---- */

enum {
	RB_PADDING = 29,
	RB_TIME_EXTEND = 30,
	RB_TIME_STAMP = 31,
};

int dat_page_parse(const void *page, u32 page_size, int commit_size,
		   bool swap, struct dat_page_info *info, dat_event_fn fn,
		   void *ctx, const char **why)
{
	const u8 *p = page;
	u32 hdr = 8 + (u32)commit_size;
	bool big = host_big_endian() != swap;
	const u8 *d;
	u64 flags, ts;
	u32 commit, pos = 0, room;

	memset(info, 0, sizeof(*info));
	if ((commit_size != 4 && commit_size != 8) || page_size <= hdr) {
		*why = "bad page geometry";
		return -1;
	}
	room = page_size - hdr;
	info->ts = ts = rd64(p, swap);
	flags = commit_size == 8 ? rd64(p + 8, swap) : rd32(p + 8, swap);
	commit = (u32)(flags & DAT_COMMIT_MASK);
	info->commit = commit;
	if (commit > room) {
		*why = "a page claims more data than fits in a page";
		return -1;
	}
	d = p + hdr;
	if (flags & DAT_MISSED_EVENTS) {
		info->missed = true;
		info->missed_count = -1;
		if (flags & DAT_MISSED_STORED) {
			s64 n;

			if (room - commit < (u32)commit_size) {
				*why = "a page's lost-event count lies outside "
				       "the page";
				return -1;
			}
			n = commit_size == 8 ? (s64)rd64(d + commit, swap) :
					       (s32)rd32(d + commit, swap);
			info->missed_count = n > 0 ? n : -1;
		}
	}
	while (pos < commit) {
		u32 h, type_len, delta, len;

		if (commit - pos < 4) {
			*why = "an event header crosses the end of a page";
			return -1;
		}
		h = rd32(d + pos, swap);
		if (big) {
			type_len = h >> 27;
			delta = h & ((1u << 27) - 1);
		} else {
			type_len = h & 31;
			delta = h >> 5;
		}
		pos += 4;
		switch (type_len) {
		case RB_PADDING:
			if (commit - pos < 4) {
				*why = "a padding event crosses the end of a "
				       "page";
				return -1;
			}
			len = rd32(d + pos, swap);
			ts += delta;
			/* as kbuffer: the length counts from its own word */
			if (len >= commit - pos)
				return (int)info->events;
			pos += len;
			continue;
		case RB_TIME_EXTEND:
		case RB_TIME_STAMP: {
			u64 ext;

			if (commit - pos < 4) {
				*why = "a time stamp crosses the end of a page";
				return -1;
			}
			ext = ((u64)rd32(d + pos, swap) << 27) + delta;
			pos += 4;
			if (type_len == RB_TIME_STAMP)
				ts = ext;
			else
				ts += ext;
			continue;
		}
		case 0:
			if (commit - pos < 4) {
				*why = "an event length crosses the end of a "
				       "page";
				return -1;
			}
			len = rd32(d + pos, swap);
			if (len < 4) {
				*why = "an event has a bad length";
				return -1;
			}
			len = ((len - 4) + 3) & ~3u;
			pos += 4;
			break;
		default:
			len = type_len * 4;
			break;
		}
		if (len > commit - pos) {
			*why = "an event runs past the end of a page";
			return -1;
		}
		ts += delta;
		if (!info->events)
			info->first_ts = ts;
		info->last_ts = ts;
		info->events++;
		if (fn)
			fn(ctx, d + pos, len, ts);
		pos += len;
	}
	return (int)info->events;
}

/* ---- growable output buffer ---- */

struct obuf {
	u8 *p;
	size_t len, cap;
	bool oom;
};

static void ob_put(struct obuf *b, const void *d, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		u8 *np;

		while (cap < b->len + n)
			cap *= 2;
		np = realloc(b->p, cap);
		if (!np) {
			b->oom = true;
			return;
		}
		b->p = np;
		b->cap = cap;
	}
	if (n)
		memcpy(b->p + b->len, d, n);
	b->len += n;
}

static void ob_u16(struct obuf *b, u16 v)
{
	ob_put(b, &v, 2);
}

static void ob_u32(struct obuf *b, u32 v)
{
	ob_put(b, &v, 4);
}

static void ob_u64(struct obuf *b, u64 v)
{
	ob_put(b, &v, 8);
}

static void ob_str(struct obuf *b, const char *s)
{
	ob_put(b, s, strlen(s) + 1);
}

static void ob_free(struct obuf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

/* ---- writer ---- */

/* section descriptions (the STRINGS section), as trace-cmd writes them */
enum {
	DESC_HEADERS,
	DESC_FTRACE,
	DESC_EVENTS,
	DESC_KALLSYMS,
	DESC_PRINTK,
	DESC_CMDLINES,
	DESC_OPTIONS,
	DESC_BUFFER,
	DESC_STRINGS,
	DESC_NR,
};

static const char *const desc_text[DESC_NR] = {
	"headers", "ftrace events", "events format", "kallsyms", "printk",
	"command lines", "options", "buffer flyrecord ", "strings",
};

struct dat_writer {
	struct dat_writer_opts o;
	char *path;			/* final name */
	char *tmp_path;
	char **cpu_path;
	int fd;
	int *cpu_fd;
	u64 *cpu_size;
	u64 off;			/* end of what was written to fd */
	u64 head_end;
	u64 reserved;			/* preallocated after head_end */
	u64 first_opt_pos;		/* v7: where the first options offset goes */
	u64 sec[DAT_OPT_CMDLINES + 1];	/* v7: section offsets by id */
	bool head_done;
	bool finished;
	bool no_punch;
	ZSTD_CCtx *zc;
	u8 *zin, *zout;			/* compression buffers */
	size_t zout_cap;
};

const char *dat_writer_path(const struct dat_writer *w)
{
	return w->path;
}

static void set_err(char *err, size_t errlen, const char *fmt, ...)
	__printf(3, 4);

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static int create_temp(const char *path, char *err, size_t errlen)
{
	int fd;

	if (session_register_path(path)) {
		set_err(err, errlen, "cannot keep track of %s: %s", path,
			strerror(errno));
		return -1;
	}
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 && errno == EEXIST) {
		/* a dead run with our pid left it */
		unlink(path);
		fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	}
	if (fd < 0) {
		set_err(err, errlen, "cannot create %s: %s", path,
			strerror(errno));
		session_unregister_path(path);
	}
	return fd;
}

static void remove_temp(char *path, int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
	if (path) {
		unlink(path);
		session_unregister_path(path);
	}
}

/*
 * Temp files of a run killed with SIGKILL (the one path that cannot clean
 * up): ".BASE.rtPID.tmp" / ".cpuN" beside the same output, PID dead.
 */
static void remove_stale_temps(const char *dir, int dirlen, const char *base)
{
	char prefix[260], path[PATH_MAX];
	DIR *d;
	struct dirent *de;
	size_t plen;

	snprintf(prefix, sizeof(prefix), ".%.200s.rt", base);
	plen = strlen(prefix);
	snprintf(path, sizeof(path), "%.*s", dirlen ? dirlen : 1,
		 dirlen ? dir : "/");
	d = opendir(path);
	if (!d)
		return;
	while ((de = readdir(d))) {
		char *end;
		long pid;

		if (strncmp(de->d_name, prefix, plen))
			continue;
		pid = strtol(de->d_name + plen, &end, 10);
		if (end == de->d_name + plen || pid <= 0 || pid == getpid() ||
		    (strcmp(end, ".tmp") && strncmp(end, ".cpu", 4)) ||
		    session_pid_alive((int)pid))
			continue;
		snprintf(path, sizeof(path), "%.*s/%s", dirlen, dir,
			 de->d_name);
		unlink(path);
	}
	closedir(d);
}

struct dat_writer *dat_writer_create(const char *path,
				     const struct dat_writer_opts *o,
				     char *err, size_t errlen)
{
	struct dat_writer *w;
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	int dirlen = slash ? (int)(slash - path) : 1;
	const char *dir = slash ? path : ".";
	int pid = getpid();

	if (o->version != 6 && o->version != 7) {
		set_err(err, errlen, "file version %d: recvtop writes 6 or 7",
			o->version);
		return NULL;
	}
	if (o->compress == DAT_COMPRESS_ZSTD && o->version != 7) {
		set_err(err, errlen, "compressed files are version 7");
		return NULL;
	}
	if (o->page_size < 4096 || o->page_size > (1u << 20) ||
	    (o->page_size & (o->page_size - 1)) || o->nr_cpus < 1 ||
	    o->nr_cpus > MAX_CPUS || !*base) {
		set_err(err, errlen, "bad file geometry for %s", path);
		return NULL;
	}
	if (slash == path)
		dirlen = 0;	/* "/name" */
	remove_stale_temps(dir, dirlen, base);
	w = calloc(1, sizeof(*w));
	if (!w)
		goto oom;
	w->o = *o;
	w->fd = -1;
	w->path = strdup(path);
	w->cpu_fd = malloc((size_t)o->nr_cpus * sizeof(*w->cpu_fd));
	w->cpu_path = calloc((size_t)o->nr_cpus, sizeof(*w->cpu_path));
	w->cpu_size = calloc((size_t)o->nr_cpus, sizeof(*w->cpu_size));
	if (!w->path || !w->cpu_fd || !w->cpu_path || !w->cpu_size)
		goto oom;
	for (int i = 0; i < o->nr_cpus; i++)
		w->cpu_fd[i] = -1;
	if (asprintf(&w->tmp_path, "%.*s/.%.200s.rt%d.tmp", dirlen, dir, base,
		     pid) < 0) {
		w->tmp_path = NULL;
		goto oom;
	}
	w->fd = create_temp(w->tmp_path, err, errlen);
	if (w->fd < 0) {
		free(w->tmp_path);
		w->tmp_path = NULL;
		goto fail;
	}
	for (int i = 0; i < o->nr_cpus; i++) {
		if (asprintf(&w->cpu_path[i], "%.*s/.%.200s.rt%d.cpu%d", dirlen,
			     dir, base, pid, i) < 0) {
			w->cpu_path[i] = NULL;
			goto oom;
		}
		w->cpu_fd[i] = create_temp(w->cpu_path[i], err, errlen);
		if (w->cpu_fd[i] < 0) {
			free(w->cpu_path[i]);
			w->cpu_path[i] = NULL;
			goto fail;
		}
	}
	if (o->compress == DAT_COMPRESS_ZSTD) {
		w->zc = ZSTD_createCCtx();
		w->zin = malloc((size_t)o->page_size * DAT_PAGES_PER_CHUNK);
		w->zout_cap = ZSTD_compressBound((size_t)o->page_size *
						 DAT_PAGES_PER_CHUNK);
		w->zout = malloc(w->zout_cap);
		if (!w->zc || !w->zin || !w->zout)
			goto oom;
	}
	return w;
oom:
	set_err(err, errlen, "out of memory");
fail:
	dat_writer_free(w);
	return NULL;
}

void dat_writer_free(struct dat_writer *w)
{
	if (!w)
		return;
	if (!w->finished) {
		remove_temp(w->tmp_path, &w->fd);
		for (int i = 0; w->cpu_fd && i < w->o.nr_cpus; i++)
			remove_temp(w->cpu_path ? w->cpu_path[i] : NULL,
				    &w->cpu_fd[i]);
	}
	for (int i = 0; w->cpu_path && i < w->o.nr_cpus; i++)
		free(w->cpu_path[i]);
	free(w->cpu_path);
	free(w->cpu_fd);
	free(w->cpu_size);
	free(w->tmp_path);
	free(w->path);
	ZSTD_freeCCtx(w->zc);
	free(w->zin);
	free(w->zout);
	free(w);
}

static int out_write(struct dat_writer *w, const void *d, size_t len)
{
	if (pwrite_full(w->fd, d, len, w->off))
		return -1;
	w->off += len;
	return 0;
}

static int out_ob(struct dat_writer *w, struct obuf *b)
{
	if (b->oom) {
		errno = ENOMEM;
		return -1;
	}
	return out_write(w, b->p, b->len);
}

static u32 desc_offset(int which)
{
	u32 off = 0;

	for (int i = 0; i < which; i++)
		off += (u32)strlen(desc_text[i]) + 1;
	return off;
}

/*
 * A v7 section: 16-byte header, then the data, compressed as one block
 * (u32 compressed size, u32 size, zstd frame) in zstd files.
 */
static int write_section(struct dat_writer *w, u16 id, int desc,
			 const void *data, size_t len, u64 *where)
{
	struct obuf h = { 0 };
	bool z = w->o.compress == DAT_COMPRESS_ZSTD;
	void *cbuf = NULL;
	size_t clen = 0;
	int ret;

	if (len > UINT32_MAX) {
		errno = EFBIG;
		return -1;
	}
	if (z) {
		size_t bound = ZSTD_compressBound(len);

		cbuf = malloc(bound + 8);
		if (!cbuf) {
			errno = ENOMEM;
			return -1;
		}
		clen = ZSTD_compressCCtx(w->zc, (u8 *)cbuf + 8, bound, data,
					 len, ZSTD_LEVEL);
		if (ZSTD_isError(clen)) {
			free(cbuf);
			errno = EIO;
			return -1;
		}
		memcpy(cbuf, &(u32){ (u32)clen }, 4);
		memcpy((u8 *)cbuf + 4, &(u32){ (u32)len }, 4);
		clen += 8;
	}
	if (where)
		*where = w->off;
	ob_u16(&h, id);
	ob_u16(&h, z ? DAT_SEC_FL_COMPRESS : 0);
	ob_u32(&h, desc_offset(desc));
	ob_u64(&h, z ? clen : len);
	ret = out_ob(w, &h);
	if (!ret)
		ret = out_write(w, z ? cbuf : data, z ? clen : len);
	ob_free(&h);
	free(cbuf);
	return ret;
}

static void blob_header_info(struct obuf *b, const struct dat_head *h)
{
	ob_put(b, "header_page", 12);
	ob_u64(b, h->header_page_len);
	ob_put(b, h->header_page, h->header_page_len);
	ob_put(b, "header_event", 13);
	ob_u64(b, h->header_event_len);
	ob_put(b, h->header_event, h->header_event_len);
}

static void blob_ftrace(struct obuf *b, const struct dat_head *h)
{
	ob_u32(b, h->nr_ftrace);
	for (unsigned int i = 0; i < h->nr_ftrace; i++) {
		ob_u64(b, h->ftrace[i].len);
		ob_put(b, h->ftrace[i].data, h->ftrace[i].len);
	}
}

/* events grouped by system, systems in the order they first appear */
static void blob_events(struct obuf *b, const struct dat_head *h)
{
	u32 nsys = 0;

	for (unsigned int i = 0; i < h->nr_events; i++) {
		bool seen = false;

		for (unsigned int j = 0; j < i && !seen; j++)
			seen = !strcmp(h->events[j].system, h->events[i].system);
		nsys += !seen;
	}
	ob_u32(b, nsys);
	for (unsigned int i = 0; i < h->nr_events; i++) {
		const char *sys = h->events[i].system;
		bool seen = false;
		u32 n = 0;

		for (unsigned int j = 0; j < i && !seen; j++)
			seen = !strcmp(h->events[j].system, sys);
		if (seen)
			continue;
		for (unsigned int j = i; j < h->nr_events; j++)
			n += !strcmp(h->events[j].system, sys);
		ob_str(b, sys);
		ob_u32(b, n);
		for (unsigned int j = i; j < h->nr_events; j++) {
			if (strcmp(h->events[j].system, sys))
				continue;
			ob_u64(b, h->events[j].len);
			ob_put(b, h->events[j].data, h->events[j].len);
		}
	}
}

static void blob_text32(struct obuf *b, const char *s, size_t len)
{
	ob_u32(b, s ? (u32)len : 0);
	if (s)
		ob_put(b, s, len);
}

int dat_writer_write_head(struct dat_writer *w, const struct dat_head *h,
			  char *err, size_t errlen)
{
	struct obuf b = { 0 };
	char ver[2] = { w->o.version == 7 ? '7' : '6', 0 };
	bool v7 = w->o.version == 7;
	struct obuf blob[5] = { { 0 } };
	static const u16 ids[5] = {
		DAT_OPT_HEADER_INFO, DAT_OPT_FTRACE_EVENTS,
		DAT_OPT_EVENT_FORMATS, DAT_OPT_KALLSYMS, DAT_OPT_PRINTK,
	};
	int ret = -1;

	if (w->head_done || !h->header_page || !h->header_page_len) {
		set_err(err, errlen, "%s: no ring-buffer page header to "
			"write", w->path);
		return -1;
	}
	if ((h->kallsyms && h->kallsyms_len > UINT32_MAX) ||
	    (h->printk && h->printk_len > UINT32_MAX)) {
		set_err(err, errlen, "%s: kallsyms or printk formats too "
			"large", w->path);
		return -1;
	}
	ob_put(&b, DAT_MAGIC, DAT_MAGIC_LEN);
	ob_put(&b, ver, 2);
	ob_put(&b, &(u8){ host_big_endian() }, 1);
	ob_put(&b, &(u8){ (u8)sizeof(long) }, 1);
	ob_u32(&b, w->o.page_size);
	if (v7) {
		if (w->o.compress == DAT_COMPRESS_ZSTD) {
			ob_str(&b, "zstd");
			ob_str(&b, ZSTD_versionString());
		} else {
			ob_str(&b, "none");
			ob_str(&b, "");
		}
		w->first_opt_pos = b.len;
		ob_u64(&b, 0);
	}
	w->off = 0;
	if (out_ob(w, &b))
		goto werr;

	blob_header_info(&blob[0], h);
	blob_ftrace(&blob[1], h);
	blob_events(&blob[2], h);
	blob_text32(&blob[3], h->kallsyms, h->kallsyms_len);
	blob_text32(&blob[4], h->printk, h->printk_len);
	for (int i = 0; i < 5; i++) {
		if (blob[i].oom) {
			errno = ENOMEM;
			goto werr;
		}
		if (v7 ? write_section(w, ids[i], i, blob[i].p, blob[i].len,
				       &w->sec[ids[i]]) :
			 out_ob(w, &blob[i]))
			goto werr;
	}
	w->head_end = w->off;
	/* keep room to finish the file when the disk fills up */
	if (fallocate(w->fd, FALLOC_FL_KEEP_SIZE, (off_t)w->head_end,
		      RESERVE_BYTES) && errno == ENOSPC)
		goto werr;
	w->reserved = RESERVE_BYTES;
	w->head_done = true;
	ret = 0;
	goto out;
werr:
	set_err(err, errlen, "writing %s failed: %s", w->tmp_path,
		strerror(errno));
out:
	ob_free(&b);
	for (int i = 0; i < 5; i++)
		ob_free(&blob[i]);
	return ret;
}

int dat_writer_reserve_tail(struct dat_writer *w, u64 tail_bytes)
{
	u64 want = COPY_BLOCK + tail_bytes;

	if (!w->head_done || want <= w->reserved)
		return 0;
	if (fallocate(w->fd, FALLOC_FL_KEEP_SIZE, (off_t)w->head_end,
		      (off_t)want)) {
		if (errno == ENOSPC)
			return -1;
		return 0;	/* no fallocate here: nothing to keep */
	}
	w->reserved = want;
	return 0;
}

int dat_writer_cpu_fd(struct dat_writer *w, int cpu)
{
	return cpu >= 0 && cpu < w->o.nr_cpus ? w->cpu_fd[cpu] : -1;
}

int dat_writer_add_cpu_pages(struct dat_writer *w, int cpu,
			     const void *pages, size_t len)
{
	const char *p = pages;

	if (cpu < 0 || cpu >= w->o.nr_cpus || len % w->o.page_size) {
		errno = EINVAL;
		return -1;
	}
	while (len) {
		ssize_t n = write(w->cpu_fd[cpu], p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = ENOSPC;
			dat_writer_cpu_sync(w, cpu, false);
			return -1;
		}
		w->cpu_size[cpu] += (u64)n;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

s64 dat_writer_cpu_sync(struct dat_writer *w, int cpu, bool pad)
{
	int fd = w->cpu_fd[cpu];
	off_t end = lseek(fd, 0, SEEK_END);
	u64 ps = w->o.page_size;
	u64 part;

	if (end < 0)
		return -1;
	part = (u64)end % ps;
	if (part && pad) {
		static const char zeros[4096];
		u64 need = ps - part;

		while (need) {
			size_t n = need > sizeof(zeros) ? sizeof(zeros) :
				   (size_t)need;

			if (pwrite_full(fd, zeros, n, (u64)end)) {
				pad = false;
				break;
			}
			end += (off_t)n;
			need -= n;
		}
		part = (u64)end % ps;
	}
	if (part) {
		end -= (off_t)part;
		if (ftruncate(fd, end))
			return -1;
	}
	if (lseek(fd, end, SEEK_SET) < 0)
		return -1;
	w->cpu_size[cpu] = (u64)end;
	return end;
}

u64 dat_writer_bytes(const struct dat_writer *w)
{
	u64 n = w->off;

	/* pages also arrive by splice: ask the files */
	for (int i = 0; i < w->o.nr_cpus; i++) {
		struct stat st;

		if (w->cpu_fd[i] >= 0 && !fstat(w->cpu_fd[i], &st))
			n += (u64)st.st_size;
		else
			n += w->cpu_size[i];
	}
	return n;
}

static void punch(struct dat_writer *w, int fd, u64 off, u64 len)
{
	if (w->no_punch)
		return;
	if (fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		      (off_t)off, (off_t)len))
		w->no_punch = true;
}

/* move one CPU's data to dst, freeing the source as it goes */
static int copy_raw(struct dat_writer *w, int cpu, u64 size, u64 dst)
{
	int in = w->cpu_fd[cpu];
	u64 done = 0;
	bool plain = false;
	char *buf = NULL;
	int ret = -1;

	while (done < size) {
		size_t n = size - done > COPY_BLOCK ? COPY_BLOCK :
			   (size_t)(size - done);

		if (!plain) {
			loff_t ioff = (loff_t)done, ooff = (loff_t)(dst + done);
			size_t left = n;

			while (left) {
				ssize_t c = copy_file_range(in, &ioff, w->fd,
							    &ooff, left, 0);

				if (c < 0 && errno == EINTR)
					continue;
				if (c <= 0)
					break;
				left -= (size_t)c;
			}
			if (!left)
				goto copied;
			if (errno == ENOSPC || errno == EIO ||
			    errno == EDQUOT || errno == EFBIG)
				goto out;
			/* no in-kernel copy here: plain reads and writes */
			plain = true;
			n -= left;
			if (n)
				goto copied;
			continue;
		}
		if (!buf) {
			buf = malloc(COPY_BLOCK);
			if (!buf) {
				errno = ENOMEM;
				goto out;
			}
		}
		if (dat_pread_full(in, buf, n, done) ||
		    pwrite_full(w->fd, buf, n, dst + done))
			goto out;
copied:
		punch(w, in, done, n);
		done += n;
	}
	ret = 0;
out:
	free(buf);
	return ret;
}

/* compress one CPU's data to dst in chunks; *out_len: bytes written */
static int copy_zstd(struct dat_writer *w, int cpu, u64 size, u64 dst,
		     u64 *out_len)
{
	int in = w->cpu_fd[cpu];
	size_t chunk = (size_t)w->o.page_size * DAT_PAGES_PER_CHUNK;
	u64 done = 0, pos = dst + 4;
	u32 count = 0;

	while (done < size) {
		size_t n = size - done > chunk ? chunk : (size_t)(size - done);
		size_t c;
		u32 hdr[2];

		if (dat_pread_full(in, w->zin, n, done))
			return -1;
		c = ZSTD_compressCCtx(w->zc, w->zout, w->zout_cap, w->zin, n,
				      ZSTD_LEVEL);
		if (ZSTD_isError(c)) {
			errno = EIO;
			return -1;
		}
		hdr[0] = (u32)c;
		hdr[1] = (u32)n;
		if (pwrite_full(w->fd, hdr, 8, pos) ||
		    pwrite_full(w->fd, w->zout, c, pos + 8))
			return -1;
		pos += 8 + c;
		punch(w, in, done, n);
		done += n;
		count++;
	}
	if (pwrite_full(w->fd, &count, 4, dst))
		return -1;
	*out_len = pos - dst;
	return 0;
}

static u64 align_up(u64 v, u64 a)
{
	return (v + a - 1) & ~(a - 1);
}

static void opt_add(struct obuf *b, u16 id, const void *d, u32 len)
{
	ob_u16(b, id);
	ob_u32(b, len);
	ob_put(b, d, len);
}

static void opt_add_str(struct obuf *b, u16 id, const char *s)
{
	if (s)
		opt_add(b, id, s, (u32)strlen(s) + 1);
}

static void opts_common(struct dat_writer *w, struct obuf *b,
			const struct dat_tail *t)
{
	/*
	 * v6: the clock in use is the "[clock]" after the CPU table.
	 * libtracecmd 1.3.1 parses a "[clock]" in the TRACECLOCK option as
	 * well, when the file is opened, and leaks that copy when the table's
	 * clock replaces it; so the v6 option holds the bare clock name.
	 */
	if (w->o.version < 7 && t->trace_clock)
		opt_add_str(b, DAT_OPT_TRACECLOCK, t->clock ? t->clock :
			    "local");
	else
		opt_add_str(b, DAT_OPT_TRACECLOCK, t->trace_clock);
	opt_add_str(b, DAT_OPT_UNAME, t->uname);
	opt_add_str(b, DAT_OPT_VERSION, t->version);
	for (int i = 0; t->cpustats && i < w->o.nr_cpus; i++) {
		char *s;

		if (!t->cpustats[i])
			continue;
		if (asprintf(&s, "CPU: %d\n%s", i, t->cpustats[i]) < 0) {
			b->oom = true;
			return;
		}
		opt_add_str(b, DAT_OPT_CPUSTAT, s);
		free(s);
	}
}

static int write_cmdlines(struct dat_writer *w, const struct dat_tail *t)
{
	struct obuf b = { 0 };
	u64 len = t->cmdlines_len + (t->recvtop ? 1 + t->recvtop_len : 0);
	int ret;

	ob_u64(&b, len);
	if (t->cmdlines)
		ob_put(&b, t->cmdlines, t->cmdlines_len);
	if (t->recvtop) {
		ob_put(&b, "", 1);
		ob_put(&b, t->recvtop, t->recvtop_len);
	}
	if (b.oom) {
		errno = ENOMEM;
		ret = -1;
	} else if (w->o.version == 7) {
		ret = write_section(w, DAT_OPT_CMDLINES, DESC_CMDLINES, b.p,
				    b.len, &w->sec[DAT_OPT_CMDLINES]);
	} else {
		ret = out_ob(w, &b);
	}
	ob_free(&b);
	return ret;
}

static int finish_v6(struct dat_writer *w, const struct dat_tail *t,
		     const u64 *size)
{
	int n = w->o.nr_cpus;
	struct obuf b = { 0 };
	u64 *offs = calloc((size_t)n, sizeof(*offs));
	char clock[64];
	u64 table, data;
	int ret = -1;

	if (!offs) {
		errno = ENOMEM;
		return -1;
	}
	snprintf(clock, sizeof(clock), "[%s]", t->clock ? t->clock : "local");
	ob_u32(&b, (u32)n);
	ob_put(&b, "options  ", 10);
	opts_common(w, &b, t);
	ob_u16(&b, DAT_OPT_DONE);
	ob_put(&b, "flyrecord", 10);
	table = w->off + b.len;
	for (int i = 0; i < n; i++) {
		ob_u64(&b, 0);
		ob_u64(&b, 0);
	}
	if (t->trace_clock) {
		/* read back only because TRACECLOCK is there */
		ob_u64(&b, strlen(clock));
		ob_put(&b, clock, strlen(clock));
	}
	if (out_ob(w, &b))
		goto out;
	data = align_up(w->off, w->o.page_size);
	for (int i = 0; i < n; i++) {
		offs[i] = data;
		if (size[i] && copy_raw(w, i, size[i], data))
			goto out;
		data = align_up(data + size[i], w->o.page_size);
	}
	w->off = offs[n - 1] + size[n - 1];
	/* the table last: a file cut short never points past its end */
	ob_free(&b);
	for (int i = 0; i < n; i++) {
		ob_u64(&b, offs[i]);
		ob_u64(&b, size[i]);
	}
	if (b.oom) {
		errno = ENOMEM;
		goto out;
	}
	ret = pwrite_full(w->fd, b.p, b.len, table);
out:
	ob_free(&b);
	free(offs);
	return ret;
}

static int finish_v7(struct dat_writer *w, const struct dat_tail *t,
		     const u64 *size)
{
	int n = w->o.nr_cpus;
	bool z = w->o.compress == DAT_COMPRESS_ZSTD;
	struct obuf b = { 0 };
	u64 *offs = calloc((size_t)n, sizeof(*offs));
	u64 *lens = calloc((size_t)n, sizeof(*lens));
	u64 opt_a, done_a, buf_sec, opt_b, data;
	const char *clock = t->clock ? t->clock : "local";
	u32 count = 0;
	int ret = -1;

	if (!offs || !lens) {
		errno = ENOMEM;
		goto out;
	}
	/* first options section: the metadata sections and the facts */
	opt_a = w->off;
	ob_u16(&b, DAT_OPT_DONE);
	ob_u16(&b, 0);
	ob_u32(&b, desc_offset(DESC_OPTIONS));
	ob_u64(&b, 0);		/* size, below */
	for (u16 id = DAT_OPT_HEADER_INFO; id <= DAT_OPT_PRINTK; id++)
		opt_add(&b, id, &w->sec[id], 8);
	opts_common(w, &b, t);
	opt_add(&b, DAT_OPT_CMDLINES, &w->sec[DAT_OPT_CMDLINES], 8);
	opt_add(&b, DAT_OPT_CPUCOUNT, &(u32){ (u32)n }, 4);
	ob_u16(&b, DAT_OPT_DONE);
	ob_u32(&b, 8);
	done_a = opt_a + b.len;
	ob_u64(&b, 0);		/* next options section, below */
	if (!b.oom)
		memcpy(b.p + 8, &(u64){ b.len - 16 }, 8);
	if (out_ob(w, &b))
		goto out;

	/* the buffer section: CPU data at page-aligned offsets */
	buf_sec = w->off;
	ob_free(&b);
	ob_u16(&b, DAT_OPT_BUFFER);
	ob_u16(&b, z ? DAT_SEC_FL_COMPRESS : 0);
	ob_u32(&b, desc_offset(DESC_BUFFER));
	ob_u64(&b, 0);
	if (out_ob(w, &b))
		goto out;
	data = align_up(w->off, w->o.page_size);
	for (int i = 0; i < n; i++) {
		if (!size[i])
			continue;
		offs[i] = data;
		if (z) {
			if (copy_zstd(w, i, size[i], data, &lens[i]))
				goto out;
		} else {
			if (copy_raw(w, i, size[i], data))
				goto out;
			lens[i] = size[i];
		}
		w->off = data + lens[i];
		data = align_up(w->off, w->o.page_size);
		count++;
	}
	if (pwrite_full(w->fd, &(u64){ w->off - buf_sec - 16 }, 8,
			buf_sec + 8))
		goto out;

	/* second options section: where the data is */
	opt_b = w->off;
	ob_free(&b);
	ob_u16(&b, DAT_OPT_DONE);
	ob_u16(&b, 0);
	ob_u32(&b, desc_offset(DESC_OPTIONS));
	ob_u64(&b, 0);
	ob_u16(&b, DAT_OPT_BUFFER);
	ob_u32(&b, (u32)(8 + 1 + strlen(clock) + 1 + 4 + 4 + count * 20));
	ob_u64(&b, buf_sec);
	ob_str(&b, "");
	ob_str(&b, clock);
	ob_u32(&b, w->o.page_size);
	ob_u32(&b, count);
	for (int i = 0; i < n; i++) {
		if (!size[i])
			continue;
		ob_u32(&b, (u32)i);
		ob_u64(&b, offs[i]);
		/* compressed: without the chunk count, as trace-cmd */
		ob_u64(&b, z ? lens[i] - 4 : lens[i]);
	}
	ob_u16(&b, DAT_OPT_DONE);
	ob_u32(&b, 8);
	ob_u64(&b, 0);
	if (!b.oom)
		memcpy(b.p + 8, &(u64){ b.len - 16 }, 8);
	if (out_ob(w, &b))
		goto out;

	/* descriptions */
	ob_free(&b);
	for (int i = 0; i < DESC_NR; i++)
		ob_str(&b, desc_text[i]);
	if (b.oom) {
		errno = ENOMEM;
		goto out;
	}
	if (write_section(w, DAT_OPT_STRINGS, DESC_STRINGS, b.p, b.len, NULL))
		goto out;

	/* link it all: the options chain, then the header */
	if (pwrite_full(w->fd, &opt_b, 8, done_a) ||
	    pwrite_full(w->fd, &opt_a, 8, w->first_opt_pos))
		goto out;
	ret = 0;
out:
	ob_free(&b);
	free(offs);
	free(lens);
	return ret;
}

static int give_name(struct dat_writer *w)
{
	if (w->o.overwrite)
		return rename(w->tmp_path, w->path);
	if (renameat2(AT_FDCWD, w->tmp_path, AT_FDCWD, w->path,
		      RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
	/* no RENAME_NOREPLACE here: link refuses an existing name too */
	if (link(w->tmp_path, w->path) == 0) {
		unlink(w->tmp_path);
		return 0;
	}
	if (errno == EEXIST)
		return -1;
	if (access(w->path, F_OK) == 0) {
		errno = EEXIST;
		return -1;
	}
	return rename(w->tmp_path, w->path);
}

s64 dat_writer_finish(struct dat_writer *w, const struct dat_tail *t,
		      char *err, size_t errlen)
{
	u64 *size = calloc((size_t)w->o.nr_cpus, sizeof(*size));
	int ret = -1;

	if (!size) {
		set_err(err, errlen, "out of memory");
		goto fail;
	}
	if (!w->head_done || w->finished) {
		set_err(err, errlen, "%s: nothing to finish", w->path);
		goto fail;
	}
	for (int i = 0; i < w->o.nr_cpus; i++) {
		s64 s = dat_writer_cpu_sync(w, i, false);

		if (s < 0)
			goto werr;
		size[i] = (u64)s;
	}
	w->off = w->head_end;
	if (write_cmdlines(w, t))
		goto werr;
	ret = w->o.version == 7 ? finish_v7(w, t, size) : finish_v6(w, t, size);
	if (ret)
		goto werr;
	/* the file must not be shorter than its data (zeros at the end) */
	if (ftruncate(w->fd, (off_t)w->off) || fdatasync(w->fd))
		goto werr;
	if (give_name(w)) {
		if (errno == EEXIST)
			set_err(err, errlen, "%s appeared while recording; not "
				"overwriting it", w->path);
		else
			set_err(err, errlen, "cannot rename %s to %s: %s",
				w->tmp_path, w->path, strerror(errno));
		goto fail;
	}
	w->finished = true;
	session_unregister_path(w->tmp_path);
	close(w->fd);
	w->fd = -1;
	for (int i = 0; i < w->o.nr_cpus; i++)
		remove_temp(w->cpu_path[i], &w->cpu_fd[i]);
	free(size);
	return (s64)w->off;
werr:
	/* whatever the error: the fail path below removes the file */
	set_err(err, errlen, "writing %s failed: %s (the unfinished file was "
		"removed)", w->path, strerror(errno));
fail:
	free(size);
	/* never leave anything that could pass for the recording */
	remove_temp(w->tmp_path, &w->fd);
	for (int i = 0; i < w->o.nr_cpus; i++)
		remove_temp(w->cpu_path[i], &w->cpu_fd[i]);
	return -1;
}

/* ---- metadata parser ---- */

#define MAX_TEXT (256u << 20)		/* cmdlines, decompressed sections */
#define MAX_SMALL (64u << 10)		/* header_page, options text */
#define MAX_OPTION (64u << 20)
#define MAX_OPT_SECTIONS 64

struct rd {
	int fd;			/* the file, or -1: mem */
	const u8 *mem;
	u64 pos, end;
	bool swap;
	const char *what;	/* what is being read, for messages */
	char *err;
	size_t errlen;
};

static int rd_fail(struct rd *r, const char *fmt, ...) __printf(2, 3);

static int rd_fail(struct rd *r, const char *fmt, ...)
{
	va_list ap;

	if (r->err[0])
		return -1;	/* keep the first reason */
	va_start(ap, fmt);
	vsnprintf(r->err, r->errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static int rd_short(struct rd *r)
{
	return rd_fail(r, "truncated or corrupt: the %s runs past the end of "
		       "the %s", r->what, r->fd >= 0 ? "file" : "section");
}

static int rd_bytes(struct rd *r, void *buf, u64 n)
{
	if (n > r->end - r->pos)
		return rd_short(r);
	if (r->fd < 0)
		memcpy(buf, r->mem + r->pos, (size_t)n);
	else if (dat_pread_full(r->fd, buf, (size_t)n, r->pos))
		return rd_fail(r, "cannot read the %s: %s", r->what,
			       strerror(errno));
	r->pos += n;
	return 0;
}

static int rd_u16(struct rd *r, u16 *v)
{
	u8 b[2];

	if (rd_bytes(r, b, 2))
		return -1;
	*v = rd16(b, r->swap);
	return 0;
}

static int rd_u32(struct rd *r, u32 *v)
{
	u8 b[4];

	if (rd_bytes(r, b, 4))
		return -1;
	*v = rd32(b, r->swap);
	return 0;
}

static int rd_u64(struct rd *r, u64 *v)
{
	u8 b[8];

	if (rd_bytes(r, b, 8))
		return -1;
	*v = rd64(b, r->swap);
	return 0;
}

static int rd_skip(struct rd *r, u64 n)
{
	if (n > r->end - r->pos)
		return rd_short(r);
	r->pos += n;
	return 0;
}

/* a NUL-terminated string of at most max - 1 characters */
static int rd_string(struct rd *r, char *buf, size_t max)
{
	for (size_t i = 0; i < max; i++) {
		if (rd_bytes(r, &buf[i], 1))
			return -1;
		if (!buf[i])
			return 0;
	}
	return rd_fail(r, "corrupt: a name in the %s is not terminated",
		       r->what);
}

static int rd_text(struct rd *r, u64 n, u64 limit, struct dat_text *t)
{
	if (n > limit)
		return rd_fail(r, "corrupt: the %s is implausibly large (%llu "
			       "bytes)", r->what, (unsigned long long)n);
	if (n > r->end - r->pos)
		return rd_short(r);
	free(t->data);
	t->data = malloc((size_t)n + 1);
	if (!t->data)
		return rd_fail(r, "out of memory");
	if (rd_bytes(r, t->data, n))
		return -1;
	t->data[n] = 0;
	t->len = (size_t)n;
	return 0;
}

static void text_free(struct dat_text *t)
{
	free(t->data);
	t->data = NULL;
	t->len = 0;
}

/*
 * One header_page line: "\tfield: TYPE NAME;\toffset:N;\tsize:N;[\tsigned:N;]".
 * libtraceevent reads the four fields in a fixed order (timestamp, commit,
 * overwrite, data) and silently leaves zeros when a name differs, after
 * which libtracecmd crashes; so the text must be exactly that.
 */
static bool header_line(const char **pp, const char *name, u32 *off,
			u32 *size)
{
	const char *l = *pp, *nl = strchr(l, '\n'), *semi, *p;
	size_t nlen = strlen(name);
	char *end;
	unsigned long v;

	if (!nl || strncmp(l, "\tfield: ", 8))
		return false;
	semi = memchr(l, ';', (size_t)(nl - l));
	if (!semi || (size_t)(semi - l) < 8 + nlen + 1 ||
	    strncmp(semi - nlen, name, nlen) || semi[-(long)nlen - 1] != ' ')
		return false;
	p = semi + 1;
	if (strncmp(p, "\toffset:", 8))
		return false;
	v = strtoul(p + 8, &end, 10);
	if (end == p + 8 || *end != ';' || v > 1u << 20)
		return false;
	*off = (u32)v;
	p = end + 1;
	if (strncmp(p, "\tsize:", 6))
		return false;
	v = strtoul(p + 6, &end, 10);
	if (end == p + 6 || *end != ';' || v > 1u << 20)
		return false;
	*size = (u32)v;
	p = end + 1;
	if (!strncmp(p, "\tsigned:", 8)) {
		v = strtoul(p + 8, &end, 10);
		if (end == p + 8 || *end != ';' || v > 1)
			return false;
		p = end + 1;
	}
	if (p != nl)
		return false;
	*pp = nl + 1;
	return true;
}

static bool header_page_ok(const char *text, u32 page_size, u32 *commit,
			   u32 *data)
{
	const char *p = text;
	u32 toff, tsize, coff, csize, ooff, osize, doff, dsize;

	if (!header_line(&p, "timestamp", &toff, &tsize) ||
	    !header_line(&p, "commit", &coff, &csize) ||
	    !header_line(&p, "overwrite", &ooff, &osize) ||
	    !header_line(&p, "data", &doff, &dsize))
		return false;
	if (*p || toff || tsize != 8 || coff != 8 ||
	    (csize != 4 && csize != 8) || doff != 8 + csize || !dsize ||
	    doff >= page_size)
		return false;
	*commit = csize;
	*data = doff;
	return true;
}

static int parse_header_info(struct rd *r, struct dat_meta *m)
{
	char tag[13];
	struct dat_text hp = { 0 };
	u32 csize, doff;
	u64 n;

	r->what = "header_page block";
	if (rd_bytes(r, tag, 12))
		return -1;
	if (memcmp(tag, "header_page", 12))
		return rd_fail(r, "corrupt: no header_page block where the "
			       "format puts it");
	if (rd_u64(r, &n) || rd_text(r, n, MAX_SMALL, &hp))
		return -1;
	if (strlen(hp.data) != hp.len ||
	    !header_page_ok(hp.data, m->page_size, &csize, &doff)) {
		text_free(&hp);
		return rd_fail(r, "the header_page block is not the kernel's "
			       "ring-buffer page header (readers would show "
			       "no events)");
	}
	text_free(&hp);
	m->commit_size = (int)csize;
	m->page_header = doff;
	r->what = "header_event block";
	if (rd_bytes(r, tag, 13))
		return -1;
	if (memcmp(tag, "header_event", 13))
		return rd_fail(r, "corrupt: no header_event block after "
			       "header_page");
	if (rd_u64(r, &n))
		return -1;
	if (n > MAX_SMALL)
		return rd_fail(r, "corrupt: the header_event block is "
			       "implausibly large");
	return rd_skip(r, n);
}

static int parse_formats(struct rd *r, unsigned int count,
			 unsigned int *total)
{
	for (unsigned int i = 0; i < count; i++) {
		u64 n;

		if (rd_u64(r, &n) || rd_skip(r, n))
			return -1;
		(*total)++;
	}
	return 0;
}

static int parse_ftrace(struct rd *r, struct dat_meta *m)
{
	u32 n;

	r->what = "ftrace event formats";
	if (rd_u32(r, &n))
		return -1;
	if (n > (r->end - r->pos) / 8)
		return rd_short(r);
	return parse_formats(r, n, &m->nr_ftrace);
}

static int parse_events(struct rd *r, struct dat_meta *m)
{
	u32 nsys;

	r->what = "event formats";
	if (rd_u32(r, &nsys))
		return -1;
	if (nsys > (r->end - r->pos) / 5)
		return rd_short(r);
	for (u32 i = 0; i < nsys; i++) {
		char name[256];
		u32 n;

		if (rd_string(r, name, sizeof(name)) || rd_u32(r, &n))
			return -1;
		if (n > (r->end - r->pos) / 8)
			return rd_short(r);
		if (parse_formats(r, n, &m->nr_events))
			return -1;
		m->nr_systems++;
	}
	return 0;
}

static bool is_hex(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F');
}

/*
 * libtraceevent 1.7.1 parses kallsyms and printk formats without bounds
 * checks (a printk format of fewer than three characters, or a line that
 * ends at its colon, is read out of bounds).  Only the exact shapes the
 * kernel writes are let through:
 *   kallsyms: "HEX T NAME" or "HEX T NAME\t[MODULE]"
 *   printk:   "0xHEX : \"FORMAT\"", FORMAT at least two characters
 */
static bool kallsyms_line_ok(const char *l, size_t n)
{
	size_t i = 0, name;

	while (i < n && is_hex(l[i]))
		i++;
	if (!i || i + 3 >= n || l[i] != ' ' || l[i + 2] != ' ' ||
	    !((l[i + 1] >= 'a' && l[i + 1] <= 'z') ||
	      (l[i + 1] >= 'A' && l[i + 1] <= 'Z')))
		return false;
	i += 3;
	name = i;
	while (i < n && l[i] != ' ' && l[i] != '\t')
		i++;
	if (i == name)
		return false;
	if (i == n)
		return true;
	if (l[i] != '\t' || i + 3 > n || l[i + 1] != '[' || l[n - 1] != ']')
		return false;
	for (size_t j = i + 2; j < n - 1; j++)
		if (l[j] == ']' || l[j] == '\t')
			return false;
	return n - 1 > i + 2;
}

static bool printk_line_ok(const char *l, size_t n)
{
	size_t i = 0;

	if (n > 2 && l[0] == '0' && l[1] == 'x')
		i = 2;
	if (i >= n || !is_hex(l[i]))
		return false;
	while (i < n && is_hex(l[i]))
		i++;
	/* ' : "' + at least two characters + '"' */
	return n - i >= 7 && !memcmp(l + i, " : \"", 4) && l[n - 1] == '"';
}

static int check_lines(struct rd *r, const char *text, size_t len,
		       bool (*line_ok)(const char *, size_t))
{
	const char *p = text, *end = text + len;

	if (memchr(text, 0, len))
		return rd_fail(r, "corrupt: the %s hold a NUL byte", r->what);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (n && !line_ok(p, n))
			return rd_fail(r, "corrupt: the %s are not in the "
				       "kernel's format", r->what);
		p += n + 1;
	}
	return 0;
}

static int parse_text32(struct rd *r, const char *what, u64 *len,
			bool (*line_ok)(const char *, size_t))
{
	struct dat_text t = { 0 };
	int ret;
	u32 n;

	r->what = what;
	if (rd_u32(r, &n) || rd_text(r, n, MAX_TEXT, &t))
		return -1;
	*len = n;
	ret = check_lines(r, t.data, t.len, line_ok);
	text_free(&t);
	return ret;
}

static int parse_cmdlines(struct rd *r, struct dat_meta *m)
{
	struct dat_text t = { 0 };
	size_t first;
	u64 n;

	r->what = "saved command lines";
	if (rd_u64(r, &n) || rd_text(r, n, MAX_TEXT, &t))
		return -1;
	text_free(&m->cmdlines);
	text_free(&m->recvtop);
	first = strlen(t.data);
	if (first < t.len) {
		const char *rest = t.data + first + 1;
		size_t rlen = t.len - first - 1;

		if (rlen >= strlen(DAT_RECVTOP_TAG) &&
		    !memcmp(rest, DAT_RECVTOP_TAG, strlen(DAT_RECVTOP_TAG))) {
			m->recvtop.data = malloc(rlen + 1);
			if (!m->recvtop.data) {
				text_free(&t);
				return rd_fail(r, "out of memory");
			}
			memcpy(m->recvtop.data, rest, rlen);
			m->recvtop.data[rlen] = 0;
			m->recvtop.len = rlen;
		}
	}
	t.len = first;
	m->cmdlines = t;
	return 0;
}

/* a C string inside an option's payload */
static bool payload_str(const u8 *p, u32 size, u32 *pos, const char **s)
{
	const void *nul;

	if (*pos >= size)
		return false;
	nul = memchr(p + *pos, 0, size - *pos);
	if (!nul)
		return false;
	*s = (const char *)p + *pos;
	*pos = (u32)((const u8 *)nul - p) + 1;
	return true;
}

/*
 * The clock libtracecmd finds in a trace_clock text: the first word that
 * starts with '['.  It crashes on a word made of brackets only.
 */
static bool clock_text_ok(const char *text, char *clock, size_t len)
{
	const char *p = text;

	while (*p) {
		size_t wl;

		while (*p == ' ')
			p++;
		wl = strcspn(p, " ");
		if (*p == '[') {
			size_t i = 0;

			while (i < wl && (p[i] == '[' || p[i] == ']'))
				i++;
			if (i == wl)
				return false;
			if (clock) {
				size_t n = strcspn(p + i, "[]");

				if (n > wl - i)
					n = wl - i;
				snprintf(clock, len, "%.*s", (int)n, p + i);
			}
			return true;
		}
		p += wl;
	}
	return true;
}

struct opt_state {
	bool traceclock;
	u64 sec[DAT_OPT_CMDLINES + 1];
	bool top_buffer;
	u64 buffer_sec;
	u32 cpucount;
	bool cpucount_set;
};

static int parse_buffer_option(struct rd *r, struct dat_meta *m,
			       struct opt_state *st, u16 id, const u8 *p,
			       u32 size)
{
	const char *name, *clock;
	u32 pos = 8, ps, count;
	u64 off;

	if (size < 8 || !payload_str(p, size, &pos, &name))
		return rd_fail(r, "corrupt: a BUFFER option is malformed");
	off = rd64(p, r->swap);
	if (m->version < 7)
		return 0;	/* v6: an instance, not read */
	if (!payload_str(p, size, &pos, &clock))
		return rd_fail(r, "corrupt: a BUFFER option is malformed");
	if (id == DAT_OPT_BUFFER_TEXT) {
		if (!*name)
			return rd_fail(r, "holds a latency trace (text), not "
				       "recorded ring buffers");
		return 0;
	}
	if (size - pos < 8)
		return rd_fail(r, "corrupt: a BUFFER option is malformed");
	ps = rd32(p + pos, r->swap);
	count = rd32(p + pos + 4, r->swap);
	pos += 8;
	if (count > MAX_CPUS || (u64)count * 20 > size - pos)
		return rd_fail(r, "corrupt: a BUFFER option lists more CPUs "
			       "than it holds");
	if (*name)
		return 0;	/* another instance: not read */
	if (ps != m->page_size)
		return rd_fail(r, "corrupt: the data's page size %u differs "
			       "from the file's %u", ps, m->page_size);
	free(m->cpu);
	m->cpu = calloc(count ? count : 1, sizeof(*m->cpu));
	if (!m->cpu)
		return rd_fail(r, "out of memory");
	m->nr_cpu_data = (int)count;
	for (u32 i = 0; i < count; i++) {
		const u8 *e = p + pos + i * 20;
		u32 cpu = rd32(e, r->swap);

		if (cpu >= MAX_CPUS)
			return rd_fail(r, "corrupt: data for CPU %u", cpu);
		for (u32 j = 0; j < i; j++)
			if (m->cpu[j].cpu == (int)cpu)
				return rd_fail(r, "corrupt: two data blocks "
					       "for CPU %u", cpu);
		m->cpu[i].cpu = (int)cpu;
		m->cpu[i].offset = rd64(e + 4, r->swap);
		m->cpu[i].size = rd64(e + 12, r->swap);
	}
	snprintf(m->clock, sizeof(m->clock), "%s", clock);
	st->top_buffer = true;
	st->buffer_sec = off;
	return 0;
}

static int parse_option(struct rd *r, struct dat_meta *m,
			struct opt_state *st, u16 id, const u8 *p, u32 size)
{
	const void *nul = size ? memchr(p, 0, size) : NULL;
	struct dat_text *t;

	switch (id) {
	case DAT_OPT_DATE:
	case DAT_OPT_OFFSET:
		if (!nul)
			return rd_fail(r, "corrupt: a time offset option is "
				       "not a string");
		return 0;
	case DAT_OPT_CPUSTAT:
		if (!size)
			return rd_fail(r, "corrupt: an empty CPUSTAT option");
		if (m->nr_cpustats >= MAX_CPUS)
			return 0;
		t = realloc(m->cpustats, ((size_t)m->nr_cpustats + 1) *
			    sizeof(*t));
		if (!t)
			return rd_fail(r, "out of memory");
		m->cpustats = t;
		t = &m->cpustats[m->nr_cpustats];
		t->data = malloc(size + 1);
		if (!t->data)
			return rd_fail(r, "out of memory");
		memcpy(t->data, p, size);
		t->data[size] = 0;
		t->len = strlen(t->data);
		m->nr_cpustats++;
		return 0;
	case DAT_OPT_BUFFER:
	case DAT_OPT_BUFFER_TEXT:
		return parse_buffer_option(r, m, st, id, p, size);
	case DAT_OPT_TRACECLOCK:
		if (!nul || !clock_text_ok((const char *)p, m->clock,
					   sizeof(m->clock)))
			return rd_fail(r, "corrupt: the TRACECLOCK option is "
				       "malformed");
		st->traceclock = true;
		return 0;
	case DAT_OPT_UNAME:
	case DAT_OPT_VERSION:
		if (!nul)
			return rd_fail(r, "corrupt: a %s option is not a "
				       "string", id == DAT_OPT_UNAME ? "UNAME" :
				       "VERSION");
		t = id == DAT_OPT_UNAME ? &m->uname : &m->tc_version;
		text_free(t);
		t->data = strdup((const char *)p);
		if (!t->data)
			return rd_fail(r, "out of memory");
		t->len = strlen(t->data);
		return 0;
	case DAT_OPT_HOOK:
		return rd_fail(r, "uses event hooks (trace-cmd record -H), "
			       "which recvtop does not read");
	case DAT_OPT_PROCMAPS:
		return rd_fail(r, "holds process maps (trace-cmd record "
			       "--proc-map), which recvtop does not read");
	case DAT_OPT_TIME_SHIFT:
	case DAT_OPT_GUEST:
		return rd_fail(r, "is a host/guest recording, which recvtop "
			       "does not read");
	case DAT_OPT_CPUCOUNT:
		if (size < 4)
			return rd_fail(r, "corrupt: a short CPUCOUNT option");
		st->cpucount = rd32(p, r->swap);
		st->cpucount_set = true;
		if (!st->cpucount || st->cpucount > MAX_CPUS)
			return rd_fail(r, "corrupt: CPUCOUNT says %u CPUs",
				       st->cpucount);
		return 0;
	case DAT_OPT_TSC2NSEC:
		if (size >= 16 && rd32(p + 4, r->swap) > 32)
			return rd_fail(r, "corrupt: a TSC2NSEC shift of %u",
				       rd32(p + 4, r->swap));
		return 0;
	case DAT_OPT_HEADER_INFO:
	case DAT_OPT_FTRACE_EVENTS:
	case DAT_OPT_EVENT_FORMATS:
	case DAT_OPT_KALLSYMS:
	case DAT_OPT_PRINTK:
	case DAT_OPT_CMDLINES:
		if (m->version >= 7 && size >= 8)
			st->sec[id] = rd64(p, r->swap);
		return 0;
	default:
		return 0;	/* unknown: readers skip it */
	}
}

/* options up to DONE; v7: *next gets the next options section */
static int parse_options(struct rd *r, struct dat_meta *m,
			 struct opt_state *st, u64 *next)
{
	for (;;) {
		u16 id;
		u32 size;
		u8 *p;
		int ret;

		r->what = "options";
		if (rd_u16(r, &id))
			return -1;
		if (m->version < 7 && id == DAT_OPT_DONE)
			return 0;
		if (rd_u32(r, &size))
			return -1;
		if (size > MAX_OPTION || size > r->end - r->pos)
			return rd_short(r);
		p = malloc(size ? size : 1);
		if (!p)
			return rd_fail(r, "out of memory");
		if (rd_bytes(r, p, size)) {
			free(p);
			return -1;
		}
		m->nr_options++;
		if (id == DAT_OPT_DONE) {
			if (size < 8)
				ret = rd_fail(r, "corrupt: the options end "
					      "without a next offset");
			else
				*next = rd64(p, r->swap);
			free(p);
			return size < 8 ? -1 : 0;
		}
		ret = parse_option(r, m, st, id, p, size);
		free(p);
		if (ret)
			return -1;
	}
}

/* v7 section header at off */
static int read_section_header(struct rd *r, u64 off, u16 *id, u16 *flags,
			       u64 *size)
{
	u32 desc;

	if (off > r->end || r->end - off < 16)
		return rd_fail(r, "truncated or corrupt: a section at offset "
			       "%llu lies outside the file",
			       (unsigned long long)off);
	r->pos = off;
	r->what = "section header";
	if (rd_u16(r, id) || rd_u16(r, flags) || rd_u32(r, &desc) ||
	    rd_u64(r, size))
		return -1;
	if (*size > r->end - r->pos)
		return rd_fail(r, "truncated or corrupt: section %u at offset "
			       "%llu runs past the end of the file", *id,
			       (unsigned long long)off);
	return 0;
}

/*
 * A v7 metadata section's content: a reader over the file, or over the
 * decompressed block (*buf, freed by the caller).
 */
static int section_reader(struct rd *f, struct dat_meta *m, u64 off,
			  u16 want, struct rd *out, u8 **buf)
{
	u16 id, flags;
	u64 size;

	if (read_section_header(f, off, &id, &flags, &size))
		return -1;
	if (id != want)
		return rd_fail(f, "corrupt: the options point to section %u "
			       "at offset %llu, but section %u is there", want,
			       (unsigned long long)off, id);
	*out = *f;
	out->end = f->pos + size;
	if (!(flags & DAT_SEC_FL_COMPRESS))
		return 0;
	if (m->compress != DAT_COMPRESS_ZSTD)
		return rd_fail(f, "corrupt: a compressed section in a file "
			       "without compression");
	{
		u32 csize, usize;
		u8 *in;
		size_t got;

		out->what = "compressed section";
		if (rd_u32(out, &csize) || rd_u32(out, &usize))
			return -1;
		if (csize > out->end - out->pos)
			return rd_short(out);
		if (usize > MAX_TEXT)
			return rd_fail(f, "corrupt: section %u claims %u "
				       "bytes uncompressed", id, usize);
		in = malloc(csize ? csize : 1);
		*buf = malloc(usize ? usize : 1);
		if (!in || !*buf) {
			free(in);
			free(*buf);
			*buf = NULL;
			return rd_fail(f, "out of memory");
		}
		if (rd_bytes(out, in, csize)) {
			free(in);
			free(*buf);
			*buf = NULL;
			return -1;
		}
		got = ZSTD_decompress(*buf, usize, in, csize);
		free(in);
		if (ZSTD_isError(got) || got != usize) {
			free(*buf);
			*buf = NULL;
			return rd_fail(f, "corrupt: section %u does not "
				       "decompress", id);
		}
		out->fd = -1;
		out->mem = *buf;
		out->pos = 0;
		out->end = usize;
	}
	return 0;
}

/* libtracecmd walks every section header from the start for STRINGS */
static int check_strings_walk(struct rd *f, struct dat_meta *m, u64 start)
{
	u64 pos = start;

	while (pos <= m->file_size && m->file_size - pos >= 16) {
		u8 h[16];
		u16 id, flags;
		u64 size;

		if (dat_pread_full(f->fd, h, 16, pos))
			return rd_fail(f, "cannot read: %s", strerror(errno));
		id = rd16(h, f->swap);
		flags = rd16(h + 2, f->swap);
		size = rd64(h + 8, f->swap);
		pos += 16;
		m->nr_sections++;
		if (id == DAT_OPT_STRINGS) {
			if (size > m->file_size - pos || size > MAX_SMALL)
				return rd_fail(f, "corrupt: a STRINGS section "
					       "of %llu bytes",
					       (unsigned long long)size);
			if (flags & DAT_SEC_FL_COMPRESS) {
				u8 b[8];

				if (size < 8 ||
				    dat_pread_full(f->fd, b, 8, pos) ||
				    rd32(b, f->swap) > size - 8 ||
				    rd32(b + 4, f->swap) > MAX_SMALL)
					return rd_fail(f, "corrupt: a "
						       "compressed STRINGS "
						       "section");
			}
		}
		if (size > m->file_size - pos)
			break;
		pos += size;
	}
	if (pos < m->file_size && m->file_size - pos < 16)
		return rd_fail(f, "truncated: the file ends inside a section "
			       "header");
	return 0;
}

static int check_cpu_data(struct rd *f, struct dat_meta *m)
{
	int max_id = -1;

	for (int i = 0; i < m->nr_cpu_data; i++) {
		struct dat_cpu_data *d = &m->cpu[i];
		u64 need = d->size + (m->data_compressed ? 4 : 0);

		if (d->cpu > max_id)
			max_id = d->cpu;
		if (!d->size)
			continue;
		if (need < d->size || d->offset > m->file_size ||
		    m->file_size - d->offset < need)
			return rd_fail(f, "truncated: CPU %d's data needs %llu "
				       "bytes at offset %llu, the file has "
				       "%llu", d->cpu,
				       (unsigned long long)need,
				       (unsigned long long)d->offset,
				       (unsigned long long)m->file_size);
		if (!m->data_compressed &&
		    (d->offset % m->page_size || d->size % m->page_size))
			return rd_fail(f, "corrupt: CPU %d's data is not in "
				       "whole, aligned pages", d->cpu);
	}
	if (max_id + 1 > m->cpus)
		m->cpus = max_id + 1;
	return 0;
}

static int read_v6(struct rd *f, struct dat_meta *m)
{
	struct opt_state st = { 0 };
	char tag[10];
	u32 cpus;

	if (parse_header_info(f, m) || parse_ftrace(f, m) ||
	    parse_events(f, m) ||
	    parse_text32(f, "kernel symbols", &m->kallsyms_len,
			 kallsyms_line_ok) ||
	    parse_text32(f, "printk formats", &m->printk_len,
			 printk_line_ok) ||
	    parse_cmdlines(f, m))
		return -1;
	f->what = "CPU count";
	if (rd_u32(f, &cpus))
		return -1;
	if (!cpus || cpus > MAX_CPUS)
		return rd_fail(f, "corrupt: the file says %u CPUs", cpus);
	f->what = "options";
	if (rd_bytes(f, tag, 10))
		return -1;
	if (!strncmp(tag, "options", 7)) {
		if (parse_options(f, m, &st, NULL))
			return -1;
		f->what = "data header";
		if (rd_bytes(f, tag, 10))
			return -1;
	}
	if (!strncmp(tag, "latency", 7))
		return rd_fail(f, "holds a latency trace (text), not recorded "
			       "ring buffers");
	if (strncmp(tag, "flyrecord", 9))
		return rd_fail(f, "corrupt: no flyrecord data where the format "
			       "puts it");
	if (st.cpucount_set && st.cpucount != cpus)
		return rd_fail(f, "corrupt: CPUCOUNT %u differs from the CPU "
			       "count %u", st.cpucount, cpus);
	m->cpus = (int)cpus;
	m->cpu = calloc(cpus, sizeof(*m->cpu));
	if (!m->cpu)
		return rd_fail(f, "out of memory");
	m->nr_cpu_data = (int)cpus;
	f->what = "CPU data table";
	for (u32 i = 0; i < cpus; i++) {
		m->cpu[i].cpu = (int)i;
		if (rd_u64(f, &m->cpu[i].offset) ||
		    rd_u64(f, &m->cpu[i].size))
			return -1;
	}
	if (st.traceclock) {
		struct dat_text clk = { 0 };
		u64 n;
		bool ok;

		f->what = "trace clock";
		if (rd_u64(f, &n) || rd_text(f, n, 256, &clk))
			return -1;
		ok = clock_text_ok(clk.data, m->clock, sizeof(m->clock));
		text_free(&clk);
		if (!ok)
			return rd_fail(f, "corrupt: the trace clock is "
				       "malformed");
	}
	return check_cpu_data(f, m);
}

static int read_v7(struct rd *f, struct dat_meta *m)
{
	struct opt_state st = { 0 };
	u64 opt, visited[MAX_OPT_SECTIONS];
	int nr_visited = 0;
	static const u16 ids[] = {
		DAT_OPT_HEADER_INFO, DAT_OPT_FTRACE_EVENTS,
		DAT_OPT_EVENT_FORMATS, DAT_OPT_KALLSYMS, DAT_OPT_PRINTK,
		DAT_OPT_CMDLINES,
	};

	f->what = "compression header";
	if (rd_string(f, m->compress_name, sizeof(m->compress_name)) ||
	    rd_string(f, m->compress_version, sizeof(m->compress_version)))
		return -1;
	if (!strcmp(m->compress_name, "none"))
		m->compress = DAT_COMPRESS_NONE;
	else if (!strcmp(m->compress_name, "zstd"))
		m->compress = DAT_COMPRESS_ZSTD;
	else
		return rd_fail(f, "is compressed with '%.31s'; recvtop reads "
			       "uncompressed and zstd files",
			       m->compress_name);
	if (rd_u64(f, &opt))
		return -1;
	if (!opt)
		return rd_fail(f, "corrupt: no options section");
	if (check_strings_walk(f, m, f->pos))
		return -1;
	while (opt) {
		u16 id, flags;
		u64 size;

		for (int i = 0; i < nr_visited; i++)
			if (visited[i] == opt)
				return rd_fail(f, "corrupt: the options "
					       "sections form a loop");
		if (nr_visited == MAX_OPT_SECTIONS)
			return rd_fail(f, "corrupt: too many options sections");
		visited[nr_visited++] = opt;
		if (read_section_header(f, opt, &id, &flags, &size))
			return -1;
		if (id != DAT_OPT_DONE || (flags & DAT_SEC_FL_COMPRESS))
			return rd_fail(f, "corrupt: no options section at "
				       "offset %llu", (unsigned long long)opt);
		opt = 0;
		if (parse_options(f, m, &st, &opt))
			return -1;
	}
	if (!st.sec[DAT_OPT_HEADER_INFO])
		return rd_fail(f, "corrupt: no header_page section (readers "
			       "would show no events)");
	for (size_t i = 0; i < ARRAY_SIZE(ids); i++) {
		struct rd s;
		u8 *buf = NULL;
		int ret;

		if (!st.sec[ids[i]])
			continue;
		if (section_reader(f, m, st.sec[ids[i]], ids[i], &s, &buf))
			return -1;
		switch (ids[i]) {
		case DAT_OPT_HEADER_INFO:
			ret = parse_header_info(&s, m);
			break;
		case DAT_OPT_FTRACE_EVENTS:
			ret = parse_ftrace(&s, m);
			break;
		case DAT_OPT_EVENT_FORMATS:
			ret = parse_events(&s, m);
			break;
		case DAT_OPT_KALLSYMS:
			ret = parse_text32(&s, "kernel symbols",
					   &m->kallsyms_len, kallsyms_line_ok);
			break;
		case DAT_OPT_PRINTK:
			ret = parse_text32(&s, "printk formats",
					   &m->printk_len, printk_line_ok);
			break;
		default:
			ret = parse_cmdlines(&s, m);
			break;
		}
		free(buf);
		if (ret)
			return -1;
	}
	if (!st.top_buffer)
		return rd_fail(f, "corrupt: no BUFFER option for the recorded "
			       "data");
	{
		u16 id, flags;
		u64 size;

		if (read_section_header(f, st.buffer_sec, &id, &flags, &size))
			return -1;
		if (id == DAT_OPT_BUFFER_TEXT)
			return rd_fail(f, "holds a latency trace (text), not "
				       "recorded ring buffers");
		if (id != DAT_OPT_BUFFER)
			return rd_fail(f, "corrupt: no buffer section at offset "
				       "%llu",
				       (unsigned long long)st.buffer_sec);
		m->data_compressed = flags & DAT_SEC_FL_COMPRESS;
		if (m->data_compressed && m->compress != DAT_COMPRESS_ZSTD)
			return rd_fail(f, "corrupt: compressed data in a file "
				       "without compression");
	}
	m->have_cpucount = st.cpucount_set;
	m->cpus = st.cpucount_set ? (int)st.cpucount : 0;
	return check_cpu_data(f, m);
}

/* messages quote bytes from the file: keep them one printable line */
void dat_err_clean(char *err)
{
	for (unsigned char *p = (unsigned char *)err; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			*p = '?';
}

static int meta_read(int fd, struct dat_meta *m, char *err, size_t errlen);

int dat_meta_read(int fd, struct dat_meta *m, char *err, size_t errlen)
{
	int ret = meta_read(fd, m, err, errlen);

	if (ret) {
		if (!err[0])
			snprintf(err, errlen, "corrupt");
		dat_err_clean(err);
	}
	return ret;
}

static int meta_read(int fd, struct dat_meta *m, char *err, size_t errlen)
{
	struct rd f = { .fd = fd, .err = err, .errlen = errlen };
	struct stat st;
	u8 hdr[10];
	char ver[16];
	u8 b[6];

	memset(m, 0, sizeof(*m));
	err[0] = 0;
	if (fstat(fd, &st))
		return rd_fail(&f, "%s", strerror(errno));
	if (S_ISDIR(st.st_mode))
		return rd_fail(&f, "is a directory");
	if (!S_ISREG(st.st_mode))
		return rd_fail(&f, "is not a regular file");
	m->file_size = (u64)st.st_size;
	f.end = m->file_size;
	f.what = "file header";
	if (m->file_size < 10 || rd_bytes(&f, hdr, 10) ||
	    memcmp(hdr, DAT_MAGIC, DAT_MAGIC_LEN)) {
		err[0] = 0;
		return rd_fail(&f, "not a trace-cmd .dat file (no trace-cmd "
			       "magic at the start)");
	}
	if (rd_string(&f, ver, sizeof(ver)) || rd_bytes(&f, b, 6))
		return -1;
	if (strcmp(ver, "6") && strcmp(ver, "7"))
		return rd_fail(&f, "is trace-cmd file version '%.8s'; recvtop "
			       "reads versions 6 and 7", ver);
	m->version = ver[0] - '0';
	m->big_endian = b[0] != 0;
	f.swap = m->big_endian != host_big_endian();
	m->long_size = b[1];
	m->page_size = rd32(b + 2, f.swap);
	if (m->long_size != 4 && m->long_size != 8)
		return rd_fail(&f, "corrupt: a long size of %d bytes",
			       m->long_size);
	if (m->page_size < 4096 || m->page_size > (1u << 20) ||
	    (m->page_size & (m->page_size - 1)))
		return rd_fail(&f, "corrupt: a page size of %u bytes",
			       m->page_size);
	if (m->version == 6 ? read_v6(&f, m) : read_v7(&f, m))
		return -1;
	if (!m->cpus)
		return rd_fail(&f, "holds no CPU data");
	return 0;
}

void dat_meta_free(struct dat_meta *m)
{
	text_free(&m->cmdlines);
	text_free(&m->recvtop);
	text_free(&m->uname);
	text_free(&m->tc_version);
	for (int i = 0; i < m->nr_cpustats; i++)
		text_free(&m->cpustats[i]);
	free(m->cpustats);
	free(m->cpu);
	memset(m, 0, sizeof(*m));
}

int dat_chunks_read(int fd, const struct dat_meta *m,
		    const struct dat_cpu_data *d, struct dat_chunk **out,
		    u32 *nr, char *err, size_t errlen)
{
	bool swap = m->big_endian != host_big_endian();
	u64 pos = d->offset + 4, end = d->offset + 4 + d->size;
	u64 max_usize = (u64)m->page_size * 64;
	struct dat_chunk *c;
	u8 b[8];
	u32 count;

	*out = NULL;
	*nr = 0;
	if (dat_pread_full(fd, b, 4, d->offset)) {
		set_err(err, errlen, "cannot read CPU %d's data: %s", d->cpu,
			strerror(errno));
		return -1;
	}
	count = rd32(b, swap);
	if (count > d->size / 8) {
		set_err(err, errlen, "corrupt: CPU %d's data claims %u "
			"compressed chunks", d->cpu, count);
		return -1;
	}
	c = calloc(count ? count : 1, sizeof(*c));
	if (!c) {
		set_err(err, errlen, "out of memory");
		return -1;
	}
	for (u32 i = 0; i < count; i++) {
		if (end - pos < 8 || dat_pread_full(fd, b, 8, pos)) {
			set_err(err, errlen, "truncated or corrupt: CPU %d's "
				"compressed chunk %u", d->cpu, i);
			free(c);
			return -1;
		}
		c[i].csize = rd32(b, swap);
		c[i].usize = rd32(b + 4, swap);
		c[i].offset = pos + 8;
		pos += 8;
		if (c[i].csize > end - pos || !c[i].usize ||
		    c[i].usize > max_usize || c[i].usize % m->page_size) {
			set_err(err, errlen, "corrupt: CPU %d's compressed "
				"chunk %u", d->cpu, i);
			free(c);
			return -1;
		}
		pos += c[i].csize;
	}
	*out = c;
	*nr = count;
	return 0;
}

int dat_chunk_decompress(int fd, const struct dat_chunk *c, void *scratch,
			 void *out)
{
	size_t got;

	if (dat_pread_full(fd, scratch, c->csize, c->offset))
		return -1;
	got = ZSTD_decompress(out, c->usize, scratch, c->csize);
	if (ZSTD_isError(got) || got != c->usize) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}
