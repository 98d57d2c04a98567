// SPDX-License-Identifier: GPL-2.0
/* The session: a run's tracefs instance and probe group, always removed. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <traceevent/event-parse.h>
#include <tracefs/tracefs.h>

#include "recvtop/session.h"

#ifndef TRACEFS_MAGIC
#define TRACEFS_MAGIC 0x74726163
#endif

#define BUFFER_PERCENT "25"

/* ---- emergency path: everything precomputed, async-signal-safe ---- */

#define EMERG_FDS 1024

static struct {
	volatile sig_atomic_t active;
	char tracing_on[PATH_MAX];
	char inst_dir[PATH_MAX];
	char dynevents[PATH_MAX];
	char group_rm[RT_NAME_LEN + 8];
	bool has_group;
	volatile int fds[EMERG_FDS];
	volatile int nr_fds;
} emerg;

/* files a run is writing (recordings): unlinked by the emergency path */
#define EMERG_PATHS 4096
static char *volatile emerg_paths[EMERG_PATHS];

/*
 * The same files, listed by absolute path in RUN_DIR/files-PID while they
 * exist, for the one death that cannot clean up (kill -9): the next run
 * and `recvtop reset` remove what a dead run's list names.  Best effort:
 * without a usable RUN_DIR, the next recording to the same place still
 * removes them (datfile.c).
 */
#define RUN_DIR "/run/recvtop"

static struct {
	int fd;
	char path[64];		/* empty: no list */
} reg = { .fd = -1 };

/* a directory only root can write to, so that its lists can be trusted */
static bool run_dir_ok(void)
{
	struct stat st;

	return lstat(RUN_DIR, &st) == 0 && S_ISDIR(st.st_mode) &&
	       st.st_uid == geteuid() && !(st.st_mode & 022);
}

/* a temp file name of run pid: "/DIR/.BASE.rtPID.tmp" or ".cpuN" */
static bool is_temp_of(const char *path, int pid)
{
	const char *base = strrchr(path, '/'), *p;
	char tag[24];
	int n;

	if (path[0] != '/' || !base || base[1] != '.')
		return false;
	n = snprintf(tag, sizeof(tag), ".rt%d.", pid);
	for (p = strstr(base, tag); p && strstr(p + 1, tag);
	     p = strstr(p + 1, tag))
		;
	if (!p || p == base + 1)
		return false;
	p += n;
	if (!strcmp(p, "tmp"))
		return true;
	if (strncmp(p, "cpu", 3) || !p[3])
		return false;
	return strspn(p + 3, "0123456789") == strlen(p + 3);
}

/* remove the files a list of run pid names, then the list */
static int remove_listed(const char *list, int pid, FILE *f)
{
	char *text = rt_read_file(list, NULL), *line, *save = NULL;
	int removed = 0;

	for (line = text ? strtok_r(text, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		struct stat st;

		if (!is_temp_of(line, pid) || lstat(line, &st) ||
		    !S_ISREG(st.st_mode) || unlink(line))
			continue;
		removed++;
		if (f)
			fprintf(f, "removed temp file %s (pid %d is gone)\n",
				line, pid);
	}
	free(text);
	unlink(list);
	return removed;
}

static void registry_add(const char *path)
{
	char line[PATH_MAX + 2], cwd[PATH_MAX];
	int n;

	if (strchr(path, '\n'))
		return;
	while (path[0] == '.' && path[1] == '/')
		path += 2;
	if (path[0] == '/')
		n = snprintf(line, sizeof(line), "%s\n", path);
	else if (getcwd(cwd, sizeof(cwd)))
		n = snprintf(line, sizeof(line), "%s/%s\n", cwd, path);
	else
		return;
	if (n < 0 || (size_t)n >= sizeof(line))
		return;
	/* twice: another run may remove the empty directory in between */
	for (int tries = 0; reg.fd < 0 && tries < 2; tries++) {
		char name[64];

		if ((mkdir(RUN_DIR, 0700) && errno != EEXIST) || !run_dir_ok())
			return;
		snprintf(name, sizeof(name), RUN_DIR "/files-%d", getpid());
		/* an earlier run with this pid left its list */
		remove_listed(name, getpid(), NULL);
		reg.fd = open(name, O_WRONLY | O_CREAT | O_EXCL | O_APPEND |
			      O_CLOEXEC | O_NOFOLLOW, 0600);
		if (reg.fd >= 0)
			memcpy(reg.path, name, sizeof(name));
	}
	if (reg.fd < 0)
		return;
	if (write(reg.fd, line, (size_t)n) != n) {
		/* best effort: the in-process cleanup still knows the file */
	}
}

static void registry_drop_if_empty(void)
{
	for (int i = 0; i < EMERG_PATHS; i++)
		if (emerg_paths[i])
			return;
	if (reg.fd >= 0) {
		close(reg.fd);
		reg.fd = -1;
	}
	if (reg.path[0]) {
		unlink(reg.path);
		reg.path[0] = 0;
		rmdir(RUN_DIR);		/* when no other run has a list */
	}
}

int session_register_path(const char *path)
{
	char *copy = strdup(path);

	if (!copy)
		return -1;
	for (int i = 0; i < EMERG_PATHS; i++) {
		if (!emerg_paths[i]) {
			emerg_paths[i] = copy;
			registry_add(path);
			return 0;
		}
	}
	free(copy);
	errno = ENOSPC;
	return -1;
}

void session_unregister_path(const char *path)
{
	for (int i = 0; i < EMERG_PATHS; i++) {
		char *p = emerg_paths[i];

		if (p && !strcmp(p, path)) {
			/* cleared before it is freed: a handler sees either */
			emerg_paths[i] = NULL;
			free(p);
		}
	}
	registry_drop_if_empty();
}

void session_register_fd(int fd)
{
	for (int i = 0; i < emerg.nr_fds; i++) {
		if (emerg.fds[i] < 0) {
			emerg.fds[i] = fd;
			return;
		}
	}
	if (emerg.nr_fds < EMERG_FDS) {
		emerg.fds[emerg.nr_fds] = fd;
		emerg.nr_fds++;
	}
}

void session_unregister_fd(int fd)
{
	for (int i = 0; i < emerg.nr_fds; i++)
		if (emerg.fds[i] == fd)
			emerg.fds[i] = -1;
}

static void write_str(const char *path, const char *s, int flags)
{
	int fd = open(path, O_WRONLY | flags);

	if (fd < 0)
		return;
	if (write(fd, s, strlen(s)) < 0) {
		/* nothing more can be done from here */
	}
	close(fd);
}

void session_emergency_cleanup(void)
{
	for (int i = 0; i < EMERG_PATHS; i++) {
		char *p = emerg_paths[i];

		if (p)
			unlink(p);
	}
	if (reg.path[0])
		unlink(reg.path);
	if (!emerg.active)
		return;
	emerg.active = 0;
	write_str(emerg.tracing_on, "0", 0);
	for (int i = 0; i < emerg.nr_fds; i++)
		if (emerg.fds[i] >= 0)
			close(emerg.fds[i]);
	/* removing the instance disables its events, so the probes can go */
	rmdir(emerg.inst_dir);
	if (emerg.has_group)
		write_str(emerg.dynevents, emerg.group_rm, O_APPEND);
}

/* ---- tracefs discovery ---- */

static bool is_tracefs(const char *dir)
{
	struct statfs st;

	return statfs(dir, &st) == 0 && (unsigned long)st.f_type == TRACEFS_MAGIC;
}

int session_find_tracefs(char *err, size_t errlen)
{
	static const char sys_path[] = "/sys/kernel/tracing";
	static const char debug_path[] = "/sys/kernel/debug/tracing";
	const char *dir = NULL;

	if (is_tracefs(sys_path)) {
		dir = sys_path;
	} else if (is_tracefs(debug_path)) {
		dir = debug_path;
	} else if (mount("nodev", sys_path, "tracefs", 0, NULL) == 0) {
		dir = sys_path;
	} else {
		int e = errno;

		if (e == EPERM || e == EACCES)
			snprintf(err, errlen, "tracefs is not mounted and "
				 "mounting it needs root: run as root, or mount "
				 "it with: mount -t tracefs nodev %s", sys_path);
		else
			snprintf(err, errlen, "tracefs is not mounted and "
				 "mounting it at %s failed (%s): mount it with: "
				 "mount -t tracefs nodev %s", sys_path,
				 strerror(e), sys_path);
		return -1;
	}
	if (tracefs_set_tracing_dir((char *)dir) < 0) {
		snprintf(err, errlen, "cannot use tracefs at %s", dir);
		return -1;
	}
	if (faccessat(AT_FDCWD, dir, W_OK, AT_EACCESS) != 0) {
		if (errno == EROFS)
			snprintf(err, errlen, "tracefs at %s is mounted "
				 "read-only: remount it read-write (mount -o "
				 "remount,rw %s)", dir, dir);
		else
			snprintf(err, errlen, "tracefs at %s is not writable "
				 "(%s): recvtop needs root", dir,
				 strerror(errno));
		return -1;
	}
	{
		char probe[PATH_MAX];

		snprintf(probe, sizeof(probe), "%s/instances", dir);
		if (access(probe, W_OK) != 0) {
			snprintf(err, errlen, "%s is not writable (%s)", probe,
				 strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* ---- liveness of other runs ---- */

static void self_comm(char *buf, size_t len)
{
	int fd = open("/proc/self/comm", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, buf, len - 1) : -1;

	if (fd >= 0)
		close(fd);
	if (n < 0)
		n = 0;
	buf[n] = 0;
	buf[strcspn(buf, "\n")] = 0;
}

bool session_pid_alive(int pid)
{
	char path[64], stat[512], mine[32], comm[64];
	char *p;
	int fd;
	ssize_t n;

	if (pid <= 0)
		return false;
	if (kill(pid, 0) != 0 && errno != EPERM)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, stat, sizeof(stat) - 1);
	close(fd);
	if (n <= 0)
		return false;
	stat[n] = 0;
	/* "pid (comm) S ..." : a zombie has already cleaned up or died */
	p = strrchr(stat, ')');
	if (!p || p[1] != ' ' || p[2] == 'Z' || p[2] == 'X')
		return false;
	/* a pid reused by another program is not a recvtop run */
	self_comm(mine, sizeof(mine));
	{
		char *open_paren = strchr(stat, '(');
		size_t len;

		if (!open_paren)
			return false;
		len = (size_t)(p - open_paren - 1);
		if (len >= sizeof(comm))
			len = sizeof(comm) - 1;
		memcpy(comm, open_paren + 1, len);
		comm[len] = 0;
	}
	return !strcmp(comm, mine) || !strncmp(comm, "recvtop", 7);
}

static int pid_of_name(const char *name, char sep)
{
	const char *p;
	char *end;
	long pid;

	if (strncmp(name, "recvtop", 7) || name[7] != sep)
		return -1;
	p = name + 8;
	if (!*p)
		return -1;
	pid = strtol(p, &end, 10);
	if (*end || pid <= 0 || pid > 0x7fffffff)
		return -1;
	return (int)pid;
}

static int remove_group(const char *group, unsigned int *nr_events)
{
	struct tracefs_dynevent **all;
	int ret = 0;

	*nr_events = 0;
	all = tracefs_dynevent_get_all(TRACEFS_DYNEVENT_KPROBE |
				       TRACEFS_DYNEVENT_KRETPROBE |
				       TRACEFS_DYNEVENT_UPROBE |
				       TRACEFS_DYNEVENT_URETPROBE, group);
	if (!all)
		return 0;
	for (int i = 0; all[i]; i++) {
		if (tracefs_dynevent_destroy(all[i], true) < 0)
			ret = -1;
		else
			(*nr_events)++;
	}
	tracefs_dynevent_list_free(all);
	return ret;
}

/* temp files of dead recording runs, from their lists in RUN_DIR */
static int reset_stale_files(FILE *f)
{
	DIR *d = run_dir_ok() ? opendir(RUN_DIR) : NULL;
	struct dirent *de;
	int removed = 0;

	while (d && (de = readdir(d))) {
		char list[300], *end;
		long pid;

		if (strncmp(de->d_name, "files-", 6))
			continue;
		pid = strtol(de->d_name + 6, &end, 10);
		if (end == de->d_name + 6 || *end || pid <= 0 ||
		    pid > 0x7fffffff || pid == getpid() ||
		    session_pid_alive((int)pid))
			continue;
		snprintf(list, sizeof(list), RUN_DIR "/%s", de->d_name);
		removed += remove_listed(list, (int)pid, f);
	}
	if (d) {
		closedir(d);
		rmdir(RUN_DIR);		/* when no other run has a list */
	}
	return removed;
}

int session_reset_stale(FILE *f)
{
	char **names = tracefs_instances(NULL);	/* pid_of_name() filters */
	struct tracefs_dynevent **all;
	int removed = 0;

	for (int i = 0; names && names[i]; i++) {
		int pid = pid_of_name(names[i], '-');
		struct tracefs_instance *inst;

		if (pid < 0 || session_pid_alive(pid))
			continue;
		inst = tracefs_instance_alloc(NULL, names[i]);
		if (!inst)
			continue;
		if (tracefs_instance_destroy(inst) == 0) {
			removed++;
			if (f)
				fprintf(f, "removed instance %s (pid %d is "
					"gone)\n", names[i], pid);
		} else if (f) {
			fprintf(f, "could not remove instance %s: %s\n",
				names[i], strerror(errno));
		}
		tracefs_instance_free(inst);
	}
	tracefs_list_free(names);

	/* groups: collect names first, the list is rebuilt per removal */
	all = tracefs_dynevent_get_all(TRACEFS_DYNEVENT_KPROBE |
				       TRACEFS_DYNEVENT_KRETPROBE |
				       TRACEFS_DYNEVENT_UPROBE |
				       TRACEFS_DYNEVENT_URETPROBE, NULL);
	if (all) {
		char **groups = NULL;

		for (int i = 0; all[i]; i++) {
			char *sys = NULL;
			int pid;
			bool seen = false;

			tracefs_dynevent_info(all[i], &sys, NULL, NULL, NULL,
					      NULL);
			pid = sys ? pid_of_name(sys, '_') : -1;
			for (int g = 0; groups && groups[g]; g++)
				if (sys && !strcmp(groups[g], sys))
					seen = true;
			if (pid > 0 && !seen && !session_pid_alive(pid))
				groups = tracefs_list_add(groups, sys);
			free(sys);
		}
		tracefs_dynevent_list_free(all);
		for (int g = 0; groups && groups[g]; g++) {
			unsigned int n;

			if (remove_group(groups[g], &n) == 0) {
				removed++;
				if (f)
					fprintf(f, "removed probe group %s "
						"(%u events; its run is gone)\n",
						groups[g], n);
			} else if (f) {
				fprintf(f, "could not remove probe group %s\n",
					groups[g]);
			}
		}
		tracefs_list_free(groups);
	}
	return removed + reset_stale_files(f);
}

/* ---- opening ---- */

static int write_instance(struct rt_session *s, const char *file,
			  const char *val, char *err, size_t errlen)
{
	if (tracefs_instance_file_write(s->inst, file, val) < 0) {
		snprintf(err, errlen, "cannot write '%s' to %s/instances/%s/%s: "
			 "%s", val, s->tracing_dir, s->name, file,
			 strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * A kretprobe with a maxactive, written by hand: libtracefs 1.6.4 makes its
 * prefix "r4096:" and then adds another ':', and the kernel rejects
 * "r4096::group/event".  The handle for removal is read back from the list.
 */
static struct tracefs_dynevent *create_kretprobe_max(const struct rt_probe *p,
						     const char *def)
{
	const char *file = tracefs_file_exists(NULL, "dynamic_events") ?
			   "dynamic_events" : "kprobe_events";
	char line[656];

	snprintf(line, sizeof(line), "%s\n", def);
	if (tracefs_instance_file_append(NULL, file, line) < 0)
		return NULL;
	return tracefs_dynevent_get(TRACEFS_DYNEVENT_KRETPROBE, p->system,
				    p->event);
}

static int create_probe(struct rt_session *s, const struct rt_probe *p,
			char *err, size_t errlen)
{
	struct tracefs_dynevent *ev;
	char def[640];
	bool by_hand = p->type == RT_PROBE_KRETPROBE && p->maxactive;

	if (p->type == RT_PROBE_KPROBE)
		ev = tracefs_kprobe_alloc(p->system, p->event, p->symbol,
					  p->fetchargs);
	else if (p->type == RT_PROBE_UPROBE)
		ev = tracefs_uprobe_alloc(p->system, p->event, p->path,
					  p->offset, p->fetchargs);
	else
		ev = tracefs_kretprobe_alloc(p->system, p->event, p->symbol,
					     p->fetchargs, 0);
	probe_definition(p, def, sizeof(def));
	if (!ev) {
		snprintf(err, errlen, "cannot allocate probe '%s'", def);
		return -1;
	}
	tracefs_error_clear(NULL);
	errno = 0;
	if (by_hand) {
		tracefs_dynevent_free(ev);
		ev = create_kretprobe_max(p, def);
	}
	if (by_hand ? !ev : tracefs_dynevent_create(ev) < 0) {
		char *kerr = tracefs_error_last(NULL);
		int e = errno;

		snprintf(err, errlen, "the kernel refused probe '%s': %s", def,
			 kerr && kerr[0] ? kerr : e ? strerror(e) :
			 p->type == RT_PROBE_UPROBE ? "no uprobe support" :
			 "no kprobe support");
		free(kerr);
		tracefs_dynevent_free(ev);
		return -1;
	}
	s->dyn[s->nr_dyn++] = ev;
	return 0;
}

/* the kernel filter of one probe: its own, and the user's -c */
static int set_filter(struct rt_session *s, const struct rt_probe *p,
		      const char *comm, char *err, size_t errlen)
{
	char filter[512];
	int n;

	if (p->any_task)
		comm = NULL;
	if (!p->filter[0] && !comm)
		return 0;
	if (p->filter[0] && comm)
		n = snprintf(filter, sizeof(filter), "(%s) && comm == \"%s\"",
			     p->filter, comm);
	else if (comm)
		n = snprintf(filter, sizeof(filter), "comm == \"%s\"", comm);
	else
		n = snprintf(filter, sizeof(filter), "%s", p->filter);
	if (n < 0 || (size_t)n >= sizeof(filter)) {
		snprintf(err, errlen, "filter for %s:%s too long", p->system,
			 p->event);
		return -1;
	}
	if (tracefs_event_file_write(s->inst, p->system, p->event, "filter",
				     filter) < 0) {
		snprintf(err, errlen, "the kernel refused filter '%s' on "
			 "%s:%s: %s", filter, p->system, p->event,
			 strerror(errno));
		return -1;
	}
	return 0;
}

static int set_pid_filter(struct rt_session *s, const struct rt_session_opts *o,
			  char *err, size_t errlen)
{
	char *buf;
	size_t len = (size_t)o->nr_tids * 12 + 1, off = 0;

	if (!o->nr_tids)
		return 0;
	buf = malloc(len);
	if (!buf)
		return -1;
	for (unsigned int i = 0; i < o->nr_tids; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%d",
					i ? " " : "", o->tids[i]);
	if (write_instance(s, "set_event_pid", buf, err, errlen)) {
		free(buf);
		return -1;
	}
	free(buf);
	if (o->follow_fork &&
	    tracefs_option_enable(s->inst, TRACEFS_OPTION_EVENT_FORK) < 0) {
		snprintf(err, errlen, "cannot set option event-fork in %s",
			 s->name);
		return -1;
	}
	return 0;
}

static const char *const sched_events[] = { "sched_switch", "sched_waking" };

/*
 * The kernel gives ring buffers until memory runs out: a production host
 * must keep most of it.  Refuse per-CPU buffers that together take more
 * than half of MemAvailable.
 */
static int buffer_too_big(unsigned int kb, int nr_cpus, char *err,
			  size_t errlen)
{
	char *text = rt_read_file("/proc/meminfo", NULL);
	const char *p = text ? strstr(text, "MemAvailable:") : NULL;
	unsigned long long avail, want = (unsigned long long)kb * (unsigned)nr_cpus;

	if (!p) {
		free(text);
		return 0;
	}
	avail = strtoull(p + 13, NULL, 10);
	free(text);
	if (want <= avail / 2)
		return 0;
	snprintf(err, errlen, "--buffer-kb %u: %d CPUs x %u KB is more than "
		 "half the memory available (%llu MB): use a smaller size",
		 kb, nr_cpus, kb, avail >> 10);
	return -1;
}

int session_open(struct rt_session *s, const struct rt_catalog *cat,
		 const struct rt_session_opts *o, char *err, size_t errlen)
{
	unsigned int kb = o->buffer_kb ? o->buffer_kb : RT_DEFAULT_BUFFER_KB;
	char val[32];
	int owner = getpid();

	memset(s, 0, sizeof(*s));
	s->cat = cat;
	s->marker_fd = -1;
	s->delay_ns = o->delay_ns;
	snprintf(s->name, sizeof(s->name), "recvtop-%d", owner);
	snprintf(s->tracing_dir, sizeof(s->tracing_dir), "%s",
		 tracefs_tracing_dir());
	s->nr_cpus = (int)sysconf(_SC_NPROCESSORS_CONF);

	/* precompute the emergency path before creating anything */
	snprintf(emerg.inst_dir, sizeof(emerg.inst_dir), "%s/instances/%s",
		 s->tracing_dir, s->name);
	snprintf(emerg.tracing_on, sizeof(emerg.tracing_on),
		 "%s/instances/%s/tracing_on", s->tracing_dir, s->name);
	snprintf(emerg.dynevents, sizeof(emerg.dynevents), "%s/dynamic_events",
		 s->tracing_dir);
	snprintf(emerg.group_rm, sizeof(emerg.group_rm), "-:%s/\n", cat->group);
	emerg.has_group = false;
	emerg.nr_fds = 0;

	/* a leftover of an earlier run that had our pid */
	if (tracefs_instance_exists(s->name)) {
		struct tracefs_instance *old = tracefs_instance_alloc(NULL,
								     s->name);

		if (old) {
			tracefs_instance_destroy(old);
			tracefs_instance_free(old);
		}
	}
	if (probe_catalog_has_dynevents(cat)) {
		unsigned int n;

		remove_group(cat->group, &n);
	}

	s->inst = tracefs_instance_create(s->name);
	if (!s->inst) {
		snprintf(err, errlen, "cannot create tracefs instance %s/"
			 "instances/%s: %s", s->tracing_dir, s->name,
			 strerror(errno));
		return -1;
	}
	emerg.active = 1;
	if (write_instance(s, "tracing_on", "0", err, errlen) ||
	    write_instance(s, "trace_clock", "mono", err, errlen))
		goto fail;
	if (buffer_too_big(kb, s->nr_cpus, err, errlen))
		goto fail;
	snprintf(val, sizeof(val), "%u", kb);
	if (write_instance(s, "buffer_size_kb", val, err, errlen))
		goto fail;
	/*
	 * Remember each traced task's process id in the kernel's
	 * saved_tgids, so a thread that exits before recvtop reads its
	 * events is still counted under its process (see taskinfo.c).
	 */
	if (tracefs_option_enable(s->inst, TRACEFS_OPTION_RECORD_TGID) < 0) {
		snprintf(err, errlen, "cannot set option record-tgid in %s",
			 s->name);
		goto fail;
	}
	/* wake the reader when a quarter of a CPU buffer is full */
	if (tracefs_file_exists(s->inst, "buffer_percent") &&
	    write_instance(s, "buffer_percent", BUFFER_PERCENT, err, errlen))
		goto fail;

	for (int i = 0; i < cat->nr_probes; i++) {
		const struct rt_probe *p = &cat->probes[i];

		if (p->type == RT_PROBE_TRACEPOINT)
			continue;
		emerg.has_group = true;
		if (create_probe(s, p, err, errlen))
			goto fail;
	}
	for (int i = 0; i < cat->nr_probes; i++)
		if (set_filter(s, &cat->probes[i], o->comm, err, errlen))
			goto fail;
	if (set_pid_filter(s, o, err, errlen))
		goto fail;
	for (int i = 0; i < cat->nr_probes; i++) {
		const struct rt_probe *p = &cat->probes[i];

		if (tracefs_event_enable(s->inst, p->system, p->event) < 0) {
			snprintf(err, errlen, "cannot enable %s:%s in %s: %s",
				 p->system, p->event, s->name, strerror(errno));
			goto fail;
		}
	}
	if (o->sched) {
		s->sched = true;
		for (size_t i = 0; i < ARRAY_SIZE(sched_events); i++) {
			if (tracefs_event_enable(s->inst, "sched",
						 sched_events[i]) < 0) {
				snprintf(err, errlen, "cannot enable sched:%s "
					 "in %s", sched_events[i], s->name);
				goto fail;
			}
		}
	}
	s->marker_fd = tracefs_instance_file_open(s->inst, "trace_marker",
						  O_WRONLY | O_CLOEXEC);
	if (s->marker_fd < 0) {
		snprintf(err, errlen, "cannot open trace_marker of %s: %s",
			 s->name, strerror(errno));
		goto fail;
	}
	session_register_fd(s->marker_fd);
	return 0;
fail:
	session_close(s);
	return -1;
}

int session_mark(struct rt_session *s, const char *text)
{
	char buf[256];
	int n = snprintf(buf, sizeof(buf), "recvtop: %s\n", text);

	if (s->marker_fd < 0 || n < 0)
		return -1;
	return write(s->marker_fd, buf, (size_t)n) == n ? 0 : -1;
}

int session_mark_delay(struct rt_session *s, u64 delay_ns)
{
	char text[48];

	snprintf(text, sizeof(text), "delay %llu", (unsigned long long)delay_ns);
	return session_mark(s, text);
}

int session_start(struct rt_session *s)
{
	char text[48];

	if (tracefs_trace_on(s->inst) < 0)
		return -1;
	s->tracing = true;
	if (!s->delay_ns)
		return session_mark(s, "start");
	snprintf(text, sizeof(text), "start delay=%llu",
		 (unsigned long long)s->delay_ns);
	return session_mark(s, text);
}

int session_stop(struct rt_session *s)
{
	int ret = 0;

	if (!s->tracing)
		return 0;
	if (session_mark(s, "stop") < 0)
		ret = -1;
	if (tracefs_trace_off(s->inst) < 0)
		ret = -1;
	s->tracing = false;
	return ret;
}

void session_close(struct rt_session *s)
{
	if (s->inst) {
		tracefs_trace_off(s->inst);
		s->tracing = false;
	}
	if (s->marker_fd >= 0) {
		session_unregister_fd(s->marker_fd);
		close(s->marker_fd);
		s->marker_fd = -1;
	}
	if (s->inst) {
		/* rmdir of the instance disables every event in it */
		if (tracefs_instance_destroy(s->inst) < 0)
			rt_err("cannot remove instance %s: %s (run 'recvtop "
			       "reset')", s->name, strerror(errno));
		tracefs_instance_free(s->inst);
		s->inst = NULL;
	}
	for (int i = 0; i < s->nr_dyn; i++) {
		if (tracefs_dynevent_destroy(s->dyn[i], true) < 0)
			rt_err("cannot remove probe event %s/%d: %s (run "
			       "'recvtop reset')", s->cat->group, i,
			       strerror(errno));
		tracefs_dynevent_free(s->dyn[i]);
	}
	s->nr_dyn = 0;
	if (emerg.has_group) {
		unsigned int n;

		/* whatever a half-done create left behind */
		remove_group(s->cat->group, &n);
	}
	emerg.active = 0;
	emerg.has_group = false;
}

/* parse one event's format file into tep */
static int parse_format(struct tep_handle *tep, const char *system,
			const char *event)
{
	char *text;
	int len = 0, ret;

	text = tracefs_event_file_read(NULL, system, event, "format", &len);
	if (!text)
		return -1;
	ret = tep_parse_event(tep, text, (unsigned long)len, system);
	free(text);
	return ret ? -1 : 0;
}

/*
 * Only the formats of the events this session records: parsing every
 * syscall format and kallsyms (as tracefs_local_events() does) costs
 * hundreds of milliseconds and is not needed to decode them.
 */
struct tep_handle *session_tep(struct rt_session *s)
{
	struct tep_handle *tep = tep_alloc();
	char *header;
	int len = 0;

	if (!tep)
		return NULL;
	tep_set_long_size(tep, (int)sizeof(long));
	tep_set_page_size(tep, getpagesize());
	header = tracefs_instance_file_read(NULL, "events/header_page", &len);
	if (!header || tep_parse_header_page(tep, header, (unsigned long)len,
					     (int)sizeof(long))) {
		free(header);
		tep_free(tep);
		return NULL;
	}
	free(header);
	if (parse_format(tep, "ftrace", "print"))
		goto fail;
	for (int i = 0; i < s->cat->nr_probes; i++)
		if (parse_format(tep, s->cat->probes[i].system,
				 s->cat->probes[i].event))
			goto fail;
	for (size_t i = 0; s->sched && i < ARRAY_SIZE(sched_events); i++)
		if (parse_format(tep, "sched", sched_events[i]))
			goto fail;
	return tep;
fail:
	tep_free(tep);
	return NULL;
}

static u64 stat_field(const char *text, const char *key)
{
	const char *p = strstr(text, key);

	return p ? strtoull(p + strlen(key), NULL, 10) : 0;
}

char *session_cpu_stats(struct rt_session *s, int cpu)
{
	char file[64];

	snprintf(file, sizeof(file), "per_cpu/cpu%d/stats", cpu);
	return tracefs_instance_file_read(s->inst, file, NULL);
}

int session_kernel_lost(struct rt_session *s, u64 *lost)
{
	*lost = 0;
	for (int cpu = 0; cpu < s->nr_cpus; cpu++) {
		char *text = session_cpu_stats(s, cpu);

		if (!text)
			continue;
		*lost += stat_field(text, "\noverrun: ") +
			 stat_field(text, "commit overrun: ") +
			 stat_field(text, "dropped events: ");
		free(text);
	}
	return 0;
}

int session_probe_misses(struct rt_session *s, u64 *missed)
{
	char path[PATH_MAX];
	char *text, *line, *save = NULL;

	*missed = 0;
	if (!probe_catalog_has_kprobes(s->cat))
		return 0;
	snprintf(path, sizeof(path), "%s/kprobe_profile", s->tracing_dir);
	text = rt_read_file(path, NULL);
	if (!text)
		return -1;
	/*
	 * "  EVENT   NHIT   NMISSED"; EVENT is the bare event name on the
	 * kernels seen (6.1, 6.12), "group/event" on some: recvtop's event
	 * names carry its pid, so both identify this run's probes.
	 */
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char name[160];
		const char *ev;
		unsigned long long hit, miss;

		if (sscanf(line, "%159s %llu %llu", name, &hit, &miss) != 3)
			continue;
		ev = strchr(name, '/');
		ev = ev ? ev + 1 : name;
		for (int i = 0; i < s->cat->nr_probes; i++) {
			const struct rt_probe *p = &s->cat->probes[i];

			if (p->type != RT_PROBE_TRACEPOINT &&
			    !strcmp(ev, p->event))
				*missed += miss;
		}
	}
	free(text);
	return 0;
}
