/* SPDX-License-Identifier: GPL-2.0 */
#ifndef RECVTOP_WEBCFG_H
#define RECVTOP_WEBCFG_H

#include <stddef.h>

#include "recvtop/common.h"

/*
 * --web-config FILE: the exporter-toolkit's web configuration (YAML), the
 * part recvtop serves: tls_server_config.cert_file/key_file (PEM) and
 * basic_auth_users (user: bcrypt hash).  Anything else in the file is an
 * error rather than silently ignored.
 */

struct webcfg_user {
	char *name;
	char *hash;		/* "$2y$..." */
};

struct webcfg {
	char *cert_pem;		/* NULL: plain HTTP */
	char *key_pem;
	struct webcfg_user *users;
	size_t nr_users;	/* 0: no authentication */
	/* the credentials that passed last (bcrypt is slow on purpose) */
	char *ok_user;
	char *ok_pass;
};

/* 0, or -1 with one line naming the file and the problem in err */
int webcfg_load(struct webcfg *w, const char *path, char *err, size_t errlen);
void webcfg_free(struct webcfg *w);
/* does user/pass pass basic_auth_users?  (no users: always) */
bool webcfg_check(struct webcfg *w, const char *user, const char *pass);

#endif
