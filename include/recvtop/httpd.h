/* SPDX-License-Identifier: GPL-2.0 */
#ifndef RECVTOP_HTTPD_H
#define RECVTOP_HTTPD_H

#include <sys/socket.h>

#include "recvtop/metrics.h"
#include "recvtop/webcfg.h"

/*
 * The exporter's HTTP side (libmicrohttpd over epoll, driven by the run's
 * own loop: no thread beside it):
 * GET/HEAD on /metrics and /, content negotiation between the
 * Prometheus text format and OpenMetrics, optional TLS and basic auth.
 * Connections are capped in number, memory and idle time, and the
 * rendering is shared by every request of the same generation, so no
 * client can stall a scrape or grow memory.
 */

struct httpd;

struct httpd_opts {
	const struct sockaddr *addr;
	socklen_t addr_len;
	const char *listen;		/* as the user gave it, for messages */
	struct webcfg *web;		/* NULL: plain, no auth */
	struct metrics *m;
};

/* Bind and start serving; NULL with one line in err */
struct httpd *httpd_start(const struct httpd_opts *o, char *err,
			  size_t errlen);
void httpd_stop(struct httpd *h);
/* the descriptor to poll (readable: call httpd_run) */
int httpd_fd(struct httpd *h);
/* serve what is ready, close idle connections; never blocks */
void httpd_run(struct httpd *h);
/* the port bound (for ":0" in the tests) */
unsigned int httpd_port(const struct httpd *h);

/* "Accept" header -> the format to serve (exposed for tests) */
enum metrics_format httpd_negotiate(const char *accept);

#endif
