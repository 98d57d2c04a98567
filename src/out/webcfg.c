// SPDX-License-Identifier: GPL-2.0
/* The exporter's --web-config file: TLS and basic auth. */
#include <crypt.h>
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "recvtop/webcfg.h"

#define MAX_PEM (1 << 20)

static char *file_text(const char *path, const char *dir, char *err,
		       size_t errlen, const char *cfg, const char *what)
{
	char full[4096];
	char *text;
	size_t len;

	/* relative paths are relative to the config file, as in the toolkit */
	if (path[0] != '/')
		snprintf(full, sizeof(full), "%s/%s", dir, path);
	else
		snprintf(full, sizeof(full), "%s", path);
	text = rt_read_file(full, &len);
	if (!text) {
		snprintf(err, errlen, "%s: %s '%s': %s", cfg, what, full,
			 strerror(errno));
		return NULL;
	}
	if (len > MAX_PEM || !strstr(text, "-----BEGIN ")) {
		snprintf(err, errlen, "%s: %s '%s': not a PEM file", cfg, what,
			 full);
		free(text);
		return NULL;
	}
	return text;
}

static const char *scalar(yaml_document_t *doc, yaml_node_t *n)
{
	if (!n || n->type != YAML_SCALAR_NODE)
		return NULL;
	(void)doc;
	return (const char *)n->data.scalar.value;
}

static int load_tls(struct webcfg *w, yaml_document_t *doc, yaml_node_t *map,
		    const char *dir, const char *cfg, char *err, size_t errlen)
{
	const char *cert = NULL, *key = NULL;

	if (map->type != YAML_MAPPING_NODE) {
		snprintf(err, errlen, "%s: tls_server_config must be a mapping",
			 cfg);
		return -1;
	}
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
	     p < map->data.mapping.pairs.top; p++) {
		const char *k = scalar(doc, yaml_document_get_node(doc, p->key));
		const char *v = scalar(doc, yaml_document_get_node(doc, p->value));

		if (!k || !v) {
			snprintf(err, errlen, "%s: tls_server_config: keys and "
				 "values must be plain strings", cfg);
			return -1;
		}
		if (!strcmp(k, "cert_file")) {
			cert = v;
		} else if (!strcmp(k, "key_file")) {
			key = v;
		} else {
			snprintf(err, errlen, "%s: tls_server_config.%s is not "
				 "supported by recvtop (cert_file, key_file)",
				 cfg, k);
			return -1;
		}
	}
	if (!cert || !key) {
		snprintf(err, errlen, "%s: tls_server_config needs both "
			 "cert_file and key_file", cfg);
		return -1;
	}
	w->cert_pem = file_text(cert, dir, err, errlen, cfg, "cert_file");
	if (!w->cert_pem)
		return -1;
	w->key_pem = file_text(key, dir, err, errlen, cfg, "key_file");
	return w->key_pem ? 0 : -1;
}

static int load_users(struct webcfg *w, yaml_document_t *doc,
		      yaml_node_t *map, const char *cfg, char *err,
		      size_t errlen)
{
	size_t n;

	if (map->type != YAML_MAPPING_NODE) {
		snprintf(err, errlen, "%s: basic_auth_users must be a mapping",
			 cfg);
		return -1;
	}
	n = (size_t)(map->data.mapping.pairs.top -
		     map->data.mapping.pairs.start);
	w->users = calloc(n ? n : 1, sizeof(*w->users));
	if (!w->users) {
		snprintf(err, errlen, "%s: out of memory", cfg);
		return -1;
	}
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
	     p < map->data.mapping.pairs.top; p++) {
		const char *k = scalar(doc, yaml_document_get_node(doc, p->key));
		const char *v = scalar(doc, yaml_document_get_node(doc, p->value));
		struct webcfg_user *u = &w->users[w->nr_users];

		if (!k || !v || !*k) {
			snprintf(err, errlen, "%s: basic_auth_users: user names "
				 "and hashes must be plain strings", cfg);
			return -1;
		}
		if (strncmp(v, "$2a$", 4) && strncmp(v, "$2b$", 4) &&
		    strncmp(v, "$2y$", 4)) {
			snprintf(err, errlen, "%s: basic_auth_users.%s: not a "
				 "bcrypt hash ($2y$...)", cfg, k);
			return -1;
		}
		u->name = strdup(k);
		u->hash = strdup(v);
		if (!u->name || !u->hash) {
			free(u->name);
			free(u->hash);
			snprintf(err, errlen, "%s: out of memory", cfg);
			return -1;
		}
		w->nr_users++;
	}
	return 0;
}

int webcfg_load(struct webcfg *w, const char *path, char *err, size_t errlen)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root;
	char dirbuf[4096];
	const char *dir;
	FILE *f;
	int ret = -1;

	memset(w, 0, sizeof(*w));
	f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "--web-config '%s': %s", path,
			 strerror(errno));
		return -1;
	}
	snprintf(dirbuf, sizeof(dirbuf), "%s", path);
	dir = dirname(dirbuf);
	if (!yaml_parser_initialize(&parser)) {
		fclose(f);
		snprintf(err, errlen, "--web-config '%s': out of memory", path);
		return -1;
	}
	yaml_parser_set_input_file(&parser, f);
	if (!yaml_parser_load(&parser, &doc)) {
		snprintf(err, errlen, "--web-config '%s': line %zu: %s", path,
			 parser.problem_mark.line + 1,
			 parser.problem ? parser.problem : "not YAML");
		yaml_parser_delete(&parser);
		fclose(f);
		return -1;
	}
	root = yaml_document_get_root_node(&doc);
	if (!root) {
		/* an empty file: no TLS, no users */
		ret = 0;
		goto out;
	}
	if (root->type != YAML_MAPPING_NODE) {
		snprintf(err, errlen, "--web-config '%s': not a mapping", path);
		goto out;
	}
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start;
	     p < root->data.mapping.pairs.top; p++) {
		const char *k = scalar(&doc, yaml_document_get_node(&doc,
								      p->key));
		yaml_node_t *v = yaml_document_get_node(&doc, p->value);
		char cfg[4200];

		snprintf(cfg, sizeof(cfg), "--web-config '%s'", path);
		if (!k || !v) {
			snprintf(err, errlen, "%s: keys must be plain strings",
				 cfg);
			goto out;
		}
		if (!strcmp(k, "tls_server_config")) {
			if (load_tls(w, &doc, v, dir, cfg, err, errlen))
				goto out;
		} else if (!strcmp(k, "basic_auth_users")) {
			if (load_users(w, &doc, v, cfg, err, errlen))
				goto out;
		} else {
			snprintf(err, errlen, "%s: '%s' is not supported by "
				 "recvtop (tls_server_config, "
				 "basic_auth_users)", cfg, k);
			goto out;
		}
	}
	ret = 0;
out:
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	fclose(f);
	if (ret)
		webcfg_free(w);
	return ret;
}

void webcfg_free(struct webcfg *w)
{
	for (size_t i = 0; i < w->nr_users; i++) {
		free(w->users[i].name);
		free(w->users[i].hash);
	}
	free(w->users);
	free(w->cert_pem);
	if (w->key_pem) {
		explicit_bzero(w->key_pem, strlen(w->key_pem));
		free(w->key_pem);
	}
	if (w->ok_pass) {
		explicit_bzero(w->ok_pass, strlen(w->ok_pass));
		free(w->ok_pass);
	}
	free(w->ok_user);
	memset(w, 0, sizeof(*w));
}

/* equal strings, in a time that does not depend on where they differ */
static bool same(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned char d = la != lb;

	for (size_t i = 0; i < la && i < lb; i++)
		d |= (unsigned char)(a[i] ^ b[i]);
	return !d;
}

bool webcfg_check(struct webcfg *w, const char *user, const char *pass)
{
	struct crypt_data *cd;
	const struct webcfg_user *u = NULL;
	const char *h;
	bool ok;

	if (!w->nr_users)
		return true;
	if (!user || !pass)
		return false;
	for (size_t i = 0; i < w->nr_users; i++)
		if (!strcmp(w->users[i].name, user))
			u = &w->users[i];
	if (!u)
		return false;
	if (w->ok_user && !strcmp(w->ok_user, user) && same(w->ok_pass, pass))
		return true;
	cd = calloc(1, sizeof(*cd));
	if (!cd)
		return false;
	h = crypt_rn(pass, u->hash, cd, sizeof(*cd));
	ok = h && same(h, u->hash);
	free(cd);
	if (ok) {
		char *nu = strdup(user), *np = strdup(pass);

		if (nu && np) {
			free(w->ok_user);
			if (w->ok_pass) {
				explicit_bzero(w->ok_pass, strlen(w->ok_pass));
				free(w->ok_pass);
			}
			w->ok_user = nu;
			w->ok_pass = np;
		} else {
			free(nu);
			free(np);
		}
	}
	return ok;
}
