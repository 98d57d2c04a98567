// SPDX-License-Identifier: GPL-2.0
/* The exporter's HTTP server: /metrics over libmicrohttpd. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <unistd.h>

#include <microhttpd.h>

#include "recvtop/httpd.h"

#define CT_TEXT "text/plain; version=0.0.4; charset=utf-8"
#define CT_OPENMETRICS \
	"application/openmetrics-text; version=1.0.0; charset=utf-8"

/* per connection: the request and its headers must fit in this */
#define CONN_MEMORY (16 * 1024)
/* an idle connection is closed after this many seconds */
#define CONN_TIMEOUT 10
#define MAX_CONNS 1024

/* a rendering shared by every response of its generation */
struct shared {
	int refs;
	size_t len;
	char data[];
};

struct httpd {
	struct MHD_Daemon *d;
	int fd;
	unsigned int port;
	struct webcfg *web;
	struct metrics *m;
	/* only the run's thread touches these */
	struct shared *cache[2];
	u64 cache_gen[2];
	char *index_page;
};

static void shared_put(void *cls)
{
	struct shared *s = cls;

	if (s && --s->refs == 0)
		free(s);
}

/*
 * The media ranges of an Accept header: OpenMetrics 1.0.0 when it is
 * asked for with a q above the text format's, or at the same q.
 */
enum metrics_format httpd_negotiate(const char *accept)
{
	double q_om = -1, q_text = -1;
	const char *p = accept;

	if (!accept)
		return MX_PROMETHEUS;
	while (*p) {
		size_t len = strcspn(p, ",");
		char range[256];
		char *type, *param, *save = NULL;
		double q = 1;
		bool version_ok = true;

		snprintf(range, sizeof(range), "%.*s",
			 (int)(len < sizeof(range) ? len : sizeof(range) - 1),
			 p);
		p += len;
		if (*p == ',')
			p++;
		type = strtok_r(range, ";", &save);
		if (!type)
			continue;
		while (*type == ' ' || *type == '\t')
			type++;
		for (char *e = type + strlen(type); e > type &&
		     (e[-1] == ' ' || e[-1] == '\t'); e--)
			e[-1] = 0;
		while ((param = strtok_r(NULL, ";", &save))) {
			while (*param == ' ' || *param == '\t')
				param++;
			if (!strncasecmp(param, "q=", 2))
				q = strtod(param + 2, NULL);
			else if (!strncasecmp(param, "version=", 8))
				version_ok = !strncmp(param + 8, "1.0.0", 5);
		}
		if (!strcasecmp(type, "application/openmetrics-text")) {
			if (version_ok && q > q_om)
				q_om = q;
		} else if (!strcasecmp(type, "text/plain") ||
			   !strcasecmp(type, "*/*") ||
			   !strcasecmp(type, "text/*")) {
			if (q > q_text)
				q_text = q;
		}
	}
	return q_om > 0 && q_om >= q_text ? MX_OPENMETRICS : MX_PROMETHEUS;
}

static enum MHD_Result reply_text(struct MHD_Connection *c, unsigned int code,
				  const char *text, const char *allow)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(strlen(text), (void *)text,
					    MHD_RESPMEM_PERSISTENT);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
				"text/plain; charset=utf-8");
	if (allow)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
	ret = MHD_queue_response(c, code, r);
	MHD_destroy_response(r);
	return ret;
}

static struct shared *rendering(struct httpd *h, enum metrics_format fmt)
{
	u64 gen = metrics_gen(h->m);
	struct mx_buf b = { 0 };
	struct shared *s;

	if (h->cache[fmt] && h->cache_gen[fmt] == gen)
		return h->cache[fmt];
	if (metrics_render(h->m, fmt, &b)) {
		mx_buf_free(&b);
		return NULL;
	}
	s = malloc(sizeof(*s) + b.len + 1);
	if (!s) {
		mx_buf_free(&b);
		return NULL;
	}
	s->refs = 1;
	s->len = b.len;
	memcpy(s->data, b.p ? b.p : "", b.len + 1);
	mx_buf_free(&b);
	shared_put(h->cache[fmt]);
	h->cache[fmt] = s;
	h->cache_gen[fmt] = gen;
	return s;
}

static enum MHD_Result reply_metrics(struct httpd *h, struct MHD_Connection *c)
{
	const char *accept = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
							 MHD_HTTP_HEADER_ACCEPT);
	enum metrics_format fmt = httpd_negotiate(accept);
	struct MHD_Response *r;
	struct shared *s = rendering(h, fmt);
	enum MHD_Result ret;

	if (!s)
		return reply_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR,
				  "out of memory\n", NULL);
	s->refs++;
	r = MHD_create_response_from_buffer_with_free_callback_cls(
		s->len, s->data, shared_put, s);
	if (!r) {
		shared_put(s);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
				fmt == MX_OPENMETRICS ? CT_OPENMETRICS :
				CT_TEXT);
	ret = MHD_queue_response(c, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

static bool authorized(struct httpd *h, struct MHD_Connection *c)
{
	char *pass = NULL;
	char *user;
	bool ok;

	if (!h->web || !h->web->nr_users)
		return true;
	user = MHD_basic_auth_get_username_password(c, &pass);
	ok = webcfg_check(h->web, user, pass);
	if (pass) {
		explicit_bzero(pass, strlen(pass));
		MHD_free(pass);
	}
	if (user)
		MHD_free(user);
	return ok;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
				  const char *url, const char *method,
				  const char *version, const char *upload,
				  size_t *upload_size, void **req)
{
	struct httpd *h = cls;
	bool head = !strcmp(method, MHD_HTTP_METHOD_HEAD);

	(void)version;
	(void)upload;
	/* a body is never wanted: drop it as it comes */
	if (*req && *upload_size) {
		*upload_size = 0;
		return MHD_YES;
	}
	*req = h;
	if (!head && strcmp(method, MHD_HTTP_METHOD_GET))
		return reply_text(c, MHD_HTTP_METHOD_NOT_ALLOWED,
				  "only GET and HEAD\n", "GET, HEAD");
	if (!authorized(h, c)) {
		struct MHD_Response *r;
		enum MHD_Result ret;
		static const char msg[] = "unauthorized\n";

		r = MHD_create_response_from_buffer(sizeof(msg) - 1,
						    (void *)msg,
						    MHD_RESPMEM_PERSISTENT);
		if (!r)
			return MHD_NO;
		ret = MHD_queue_basic_auth_fail_response(c, "recvtop", r);
		MHD_destroy_response(r);
		return ret;
	}
	if (!strcmp(url, "/metrics"))
		return reply_metrics(h, c);
	if (!strcmp(url, "/")) {
		struct MHD_Response *r;
		enum MHD_Result ret;

		r = MHD_create_response_from_buffer(strlen(h->index_page),
						    h->index_page,
						    MHD_RESPMEM_PERSISTENT);
		if (!r)
			return MHD_NO;
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
					"text/html; charset=utf-8");
		ret = MHD_queue_response(c, MHD_HTTP_OK, r);
		MHD_destroy_response(r);
		return ret;
	}
	return reply_text(c, MHD_HTTP_NOT_FOUND, "not found: try /metrics\n",
			  NULL);
}

/* the daemon's own messages (a client's bad TLS handshake...) are noise */
static void quiet_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	(void)fmt;
	(void)ap;
}

static int bind_listen(const struct httpd_opts *o, char *err, size_t errlen)
{
	int fd = socket(o->addr->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int one = 1, zero = 0;

	if (fd < 0) {
		snprintf(err, errlen, "--listen %s: %s", o->listen,
			 strerror(errno));
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* ":PORT" on IPv6 takes IPv4 too */
	if (o->addr->sa_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	if (bind(fd, o->addr, o->addr_len) || listen(fd, 128)) {
		snprintf(err, errlen, "--listen %s: %s", o->listen,
			 strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* room for many idle clients beside the trace buffers */
static unsigned int conn_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return 256;
	if (rl.rlim_cur < rl.rlim_max && rl.rlim_cur < 4096) {
		rl.rlim_cur = rl.rlim_max < 4096 ? rl.rlim_max : 4096;
		setrlimit(RLIMIT_NOFILE, &rl);
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur < 512)
		return rl.rlim_cur > 128 ? (unsigned int)rl.rlim_cur - 96 : 32;
	return rl.rlim_cur - 256 < MAX_CONNS ?
	       (unsigned int)(rl.rlim_cur - 256) : MAX_CONNS;
}

struct httpd *httpd_start(const struct httpd_opts *o, char *err,
			  size_t errlen)
{
	struct httpd *h = calloc(1, sizeof(*h));
	/* no thread of its own: the run's loop drives it (httpd_run) */
	unsigned int flags = MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char page[512];

	if (!h) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	h->m = o->m;
	h->web = o->web;
	snprintf(page, sizeof(page), "<html><head><title>recvtop export"
		 "</title></head><body><h1>recvtop export</h1><p><a "
		 "href=\"/metrics\">Metrics</a></p></body></html>\n");
	h->index_page = strdup(page);
	h->fd = bind_listen(o, err, errlen);
	if (h->fd < 0 || !h->index_page) {
		free(h->index_page);
		free(h);
		return NULL;
	}
	if (!getsockname(h->fd, (struct sockaddr *)&ss, &sl))
		h->port = ntohs(ss.ss_family == AF_INET6 ?
				((struct sockaddr_in6 *)&ss)->sin6_port :
				((struct sockaddr_in *)&ss)->sin_port);
	if (o->web && o->web->cert_pem)
		flags |= MHD_USE_TLS;
	h->d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, h,
		MHD_OPTION_LISTEN_SOCKET, h->fd,
		MHD_OPTION_CONNECTION_LIMIT, conn_limit(),
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)CONN_TIMEOUT,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONN_MEMORY,
		MHD_OPTION_EXTERNAL_LOGGER, quiet_log, NULL,
		o->web && o->web->cert_pem ? MHD_OPTION_HTTPS_MEM_KEY :
			MHD_OPTION_END, o->web ? o->web->key_pem : NULL,
		MHD_OPTION_HTTPS_MEM_CERT, o->web ? o->web->cert_pem : NULL,
		MHD_OPTION_END);
	if (!h->d) {
		snprintf(err, errlen, "--listen %s: the HTTP server did not "
			 "start%s", o->listen, o->web && o->web->cert_pem ?
			 " (is the key the certificate's, both PEM?)" : "");
		close(h->fd);
		free(h->index_page);
		free(h);
		return NULL;
	}
	return h;
}

void httpd_stop(struct httpd *h)
{
	if (!h)
		return;
	MHD_stop_daemon(h->d);
	close(h->fd);
	shared_put(h->cache[0]);
	shared_put(h->cache[1]);
	free(h->index_page);
	free(h);
}

int httpd_fd(struct httpd *h)
{
	const union MHD_DaemonInfo *i =
		MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_EPOLL_FD);

	return i ? i->epoll_fd : -1;
}

void httpd_run(struct httpd *h)
{
	MHD_run(h->d);
}

unsigned int httpd_port(const struct httpd *h)
{
	return h->port;
}
