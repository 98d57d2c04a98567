// SPDX-License-Identifier: GPL-2.0
/*
 * rtblock - provokes kretprobe misses for recvtop's VM tests.
 *
 *   rtblock [--threads T] [--size S] [--hold-ms MS] [--expect FILE]
 *
 * Starts T threads that all block in recvfrom() on one UDP socket at the
 * same time, waits until every one of them sits in the syscall (checked in
 * /proc/self/task/TID/syscall), then sends T datagrams of S bytes from a
 * second socket, one for each thread.  The threads live on until MS
 * milliseconds (default 1500) after the last datagram, so that a tracer
 * can still find their process in /proc.  With T above a kretprobe's
 * maxactive (recvtop uses r4096), T - 4096 calls enter __sys_recvfrom
 * while every return instance is taken, so their return events are never
 * recorded and kprobe_profile counts them as nmissed.
 *
 * The process is named "rtblock"; only its threads call recvfrom(), each
 * exactly once, with a source address buffer.  --expect writes what was
 * done as one JSON object:
 *   {"pid":P,"comm":"rtblock","threads":T,"calls":T,"bytes":T*S,
 *    "peer":{"family":"inet","addr":"127.0.0.1","port":N}}
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define MAX_THREADS	20000
#define THREAD_STACK	(64 * 1024)
#define IN_FLIGHT	64		/* datagrams sent but not yet taken */
#define WAIT_S		300

static int rx_fd;
static unsigned long size = 32;
static atomic_ulong nr_done;
static atomic_ulong nr_bad;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t released_cond = PTHREAD_COND_INITIALIZER;
static int released;

static void __attribute__((format(printf, 1, 2), noreturn))
die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("rtblock: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static void *receiver(void *arg)
{
	char buf[2048];
	struct sockaddr_in from;
	socklen_t len = sizeof(from);
	ssize_t n;

	__atomic_store_n((pid_t *)arg, gettid(), __ATOMIC_RELEASE);
	n = recvfrom(rx_fd, buf, sizeof(buf), 0, (struct sockaddr *)&from,
		     &len);
	if (n != (ssize_t)size || from.sin_family != AF_INET)
		atomic_fetch_add(&nr_bad, 1);
	atomic_fetch_add(&nr_done, 1);
	pthread_mutex_lock(&lock);
	while (!released)
		pthread_cond_wait(&released_cond, &lock);
	pthread_mutex_unlock(&lock);
	return NULL;
}

/* is this thread inside recvfrom() right now? */
static bool in_recvfrom(pid_t tid)
{
	char path[64], line[64], want[16];
	int fd;
	ssize_t r;

	if (!tid)
		return false;
	snprintf(path, sizeof(path), "/proc/self/task/%d/syscall", (int)tid);
	snprintf(want, sizeof(want), "%d ", (int)SYS_recvfrom);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	r = read(fd, line, sizeof(line) - 1);
	close(fd);
	if (r <= 0)
		return false;
	line[r] = 0;
	return !strncmp(line, want, strlen(want));
}

int main(int argc, char **argv)
{
	unsigned long threads = 4200, sent = 0, hold_ms = 1500;
	const char *expect = NULL;
	struct sockaddr_in rx = { .sin_family = AF_INET }, tx = rx;
	socklen_t len = sizeof(rx);
	pthread_attr_t attr;
	pthread_t *tids;
	pid_t *ktids;
	unsigned long blocked = 0;
	int tx_fd, rcvbuf = 8 << 20;
	char buf[2048];
	time_t until;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--threads") && i + 1 < argc)
			threads = strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--size") && i + 1 < argc)
			size = strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--hold-ms") && i + 1 < argc)
			hold_ms = strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--expect") && i + 1 < argc)
			expect = argv[++i];
		else
			die("usage: rtblock [--threads T] [--size S] "
			    "[--hold-ms MS] [--expect FILE]");
	}
	if (!threads || threads > MAX_THREADS || !size || size > sizeof(buf))
		die("--threads 1..%d, --size 1..%zu", MAX_THREADS, sizeof(buf));
	prctl(PR_SET_NAME, "rtblock");

	rx.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	tx.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	rx_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	tx_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (rx_fd < 0 || tx_fd < 0)
		die("socket: %s", strerror(errno));
	/* room for every datagram even if the receivers are slow */
	if (setsockopt(rx_fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
		       sizeof(rcvbuf)))
		setsockopt(rx_fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf,
			   sizeof(rcvbuf));
	if (bind(rx_fd, (struct sockaddr *)&rx, sizeof(rx)) ||
	    getsockname(rx_fd, (struct sockaddr *)&rx, &len))
		die("bind: %s", strerror(errno));
	len = sizeof(tx);
	if (bind(tx_fd, (struct sockaddr *)&tx, sizeof(tx)) ||
	    getsockname(tx_fd, (struct sockaddr *)&tx, &len))
		die("bind: %s", strerror(errno));

	tids = calloc(threads, sizeof(*tids));
	ktids = calloc(threads, sizeof(*ktids));
	if (!tids || !ktids)
		die("out of memory");
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, THREAD_STACK);
	for (unsigned long i = 0; i < threads; i++) {
		int e = pthread_create(&tids[i], &attr, receiver,
					&ktids[i]);

		if (e)
			die("thread %lu of %lu: %s", i + 1, threads,
			    strerror(e));
	}

	/* all of them inside recvfrom() before the first datagram; a thread
	 * seen there stays there until then, so each is looked at until it
	 * is seen once */
	until = time(NULL) + WAIT_S;
	for (;;) {
		while (blocked < threads &&
		       in_recvfrom(__atomic_load_n(&ktids[blocked],
						   __ATOMIC_ACQUIRE)))
			blocked++;
		if (blocked == threads)
			break;
		if (time(NULL) > until)
			die("only %lu of %lu threads blocked in recvfrom()",
			    blocked, threads);
		sleep_ms(20);
	}

	memset(buf, 0x5a, sizeof(buf));
	until = time(NULL) + WAIT_S;
	while (sent < threads) {
		if (sent - atomic_load(&nr_done) >= IN_FLIGHT) {
			if (time(NULL) > until)
				die("receivers stuck: %lu of %lu sent, %lu "
				    "taken", sent, threads,
				    atomic_load(&nr_done));
			sleep_ms(1);
			continue;
		}
		if (sendto(tx_fd, buf, size, 0, (struct sockaddr *)&rx,
			   sizeof(rx)) != (ssize_t)size)
			die("sendto: %s", strerror(errno));
		sent++;
	}
	while (atomic_load(&nr_done) < threads)
		sleep_ms(1);
	sleep_ms((long)hold_ms);
	pthread_mutex_lock(&lock);
	released = 1;
	pthread_cond_broadcast(&released_cond);
	pthread_mutex_unlock(&lock);
	for (unsigned long i = 0; i < threads; i++)
		pthread_join(tids[i], NULL);
	if (atomic_load(&nr_bad))
		die("%lu receives had a wrong length or address",
		    atomic_load(&nr_bad));

	if (expect) {
		FILE *f = fopen(expect, "we");

		if (!f)
			die("%s: %s", expect, strerror(errno));
		fprintf(f, "{\"pid\":%d,\"comm\":\"rtblock\",\"threads\":%lu,"
			"\"calls\":%lu,\"bytes\":%lu,\"peer\":{\"family\":"
			"\"inet\",\"addr\":\"127.0.0.1\",\"port\":%u}}\n",
			(int)getpid(), threads, threads, threads * size,
			ntohs(tx.sin_port));
		if (fclose(f))
			die("%s: %s", expect, strerror(errno));
	}
	free(tids);
	free(ktids);
	return 0;
}
