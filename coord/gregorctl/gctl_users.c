/* gregorctl users: SCRAM credentials in ZooKeeper, written the way Kafka's
 * kafka-configs.sh --zookeeper --entity-type users wrote them:
 * /config/users/<sanitized user> holds {"version":1,"config":{
 * "SCRAM-SHA-256":"salt=...,stored_key=...,server_key=...,iterations=N"}}
 * (other keys, e.g. quotas, are kept), and a sequential
 * /config/changes/config_change_ node {"version":2,"entity_path":
 * "users/<sanitized>"} tells brokers. Passwords never reach ZooKeeper:
 * only the salted keys do. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/auth/entity_name.h"
#include "common/auth/scram.h"
#include "coord/gregorctl/gctl.h"
#include "coord/zkacl.h"
#include "coord/zjson.h"

#define USERS "/config/users"
#define MAX_KEYS GCTL_ZCFG_MAX

void gctl_zcfg_free(struct gctl_zcfg *u)
{
	for (int i = 0; i < u->n; i++) {
		free(u->keys[i]);
		free(u->values[i]);
	}
	u->n = 0;
}

int gctl_zcfg_read(struct gctl *g, const char *entity, struct gctl_zcfg *u)
{
	char path[GCTL_PATH_MAX], *data = NULL;
	int len = 0;
	struct Stat st;
	memset(u, 0, sizeof *u);
	u->version = -1;
	if (gctl_path(path, "/config/%s", entity))
		return 1;
	int rc = gctl_get(g, path, &data, &len, &st);
	if (rc == GCTL_NONODE)
		return 0;
	if (rc != 0)
		return 1;
	u->version = st.version;
	int bad = 0;
	if (len > 0) {
		struct zjson j;
		if (zj_parse(&j, data, (size_t)len))
			bad = 1;
		else {
			int cfg = zj_get(&j, 0, "config");
			bad = zj_type(&j, cfg) != ZJ_OBJ;
			int tok = cfg + 1;
			for (int i = 0; !bad && i < j.t[cfg].count; i++) {
				char k[256], v[2048];
				int val = tok + 1;
				bad = u->n == MAX_KEYS || zj_str(&j, tok, k, sizeof k) ||
				      zj_str(&j, val, v, sizeof v);
				if (!bad) {
					u->keys[u->n] = strdup(k);
					u->values[u->n++] = strdup(v);
				}
				tok = j.t[val].next;
			}
			zj_free(&j);
		}
	}
	free(data);
	if (bad) {
		gctl_err("%s holds malformed config JSON", path);
		gctl_zcfg_free(u);
		return 1;
	}
	return 0;
}

int gctl_zcfg_find(const struct gctl_zcfg *u, const char *key)
{
	for (int i = 0; i < u->n; i++)
		if (strcmp(u->keys[i], key) == 0)
			return i;
	return -1;
}

int gctl_zcfg_write(struct gctl *g, const char *entity, const struct gctl_zcfg *u)
{
	char path[GCTL_PATH_MAX], parent[GCTL_PATH_MAX];
	struct zbuf b;
	if (gctl_path(path, "/config/%s", entity) || gctl_path(parent, "%s", path))
		return 1;
	*strrchr(parent, '/') = 0;
	zb_init(&b);
	zn_config_build(&b, (const char *const *)u->keys, (const char *const *)u->values, u->n);
	int rc = b.oom ? ZSYSTEMERROR : u->version < 0
		 ? zoo_create(g->zh, path, b.p, (int)b.len, zk_acl_for(g->secure, path), 0, NULL, 0)
		 : zoo_set(g->zh, path, b.p, (int)b.len, u->version);
	if (rc == ZNONODE && u->version < 0) {
		/* /config/<type> itself is missing on a fresh ZooKeeper */
		zoo_create(g->zh, "/config", NULL, -1, zk_acl_for(g->secure, "/config"), 0, NULL, 0);
		zoo_create(g->zh, parent, NULL, -1, zk_acl_for(g->secure, parent), 0, NULL, 0);
		rc = zoo_create(g->zh, path, b.p, (int)b.len, zk_acl_for(g->secure, path), 0, NULL, 0);
	}
	zb_free(&b);
	if (rc == ZBADVERSION || rc == ZNODEEXISTS || rc == ZNONODE)
		return 2;
	if (rc != ZOK) {
		gctl_err("cannot write %s: %s", path, zerror(rc));
		return 1;
	}
	zb_init(&b);
	zb_puts(&b, "{\"version\":2,\"entity_path\":");
	zb_jstr(&b, entity);
	zb_puts(&b, "}");
	rc = b.oom ? ZSYSTEMERROR
		   : zoo_create(g->zh, "/config/changes/config_change_", b.p, (int)b.len,
				zk_acl_for(g->secure, "/config/changes/config_change_"), ZOO_SEQUENCE, NULL, 0);
	if (rc == ZNONODE) {
		zoo_create(g->zh, "/config/changes", NULL, -1, zk_acl_for(g->secure, "/config/changes"), 0, NULL, 0);
		rc = zoo_create(g->zh, "/config/changes/config_change_", b.p, (int)b.len,
				zk_acl_for(g->secure, "/config/changes/config_change_"), ZOO_SEQUENCE, NULL, 0);
	}
	zb_free(&b);
	if (rc != ZOK)
		fprintf(stderr, "gregorctl: warning: %s written, but no change notification: %s\n",
			path, zerror(rc));
	return 0;
}

/* Sets (value non-NULL) or removes key in u. 0, or 1 when full. */
int gctl_zcfg_put(struct gctl_zcfg *u, const char *key, const char *value)
{
	int i = gctl_zcfg_find(u, key);
	if (!value) {
		if (i >= 0) {
			free(u->keys[i]);
			free(u->values[i]);
			u->n--;
			u->keys[i] = u->keys[u->n];
			u->values[i] = u->values[u->n];
		}
		return 0;
	}
	if (i < 0) {
		if (u->n == MAX_KEYS)
			return 1;
		i = u->n++;
		u->keys[i] = strdup(key);
		u->values[i] = NULL;
	}
	free(u->values[i]);
	u->values[i] = strdup(value);
	return !u->keys[i] || !u->values[i];
}

/* One attempt of gctl_zcfg_change: 0, 1 (printed) or 2 (changed meanwhile). */
static int zcfg_change_once(struct gctl *g, const char *entity, const char *const *add,
			    const char *const *values, int n_add, const char *const *del,
			    int n_del, int strict)
{
	struct gctl_zcfg u;
	if (gctl_zcfg_read(g, entity, &u))
		return 1;
	int rc = 0, changed = n_add > 0;
	for (int i = 0; !rc && i < n_del; i++) {
		int have = gctl_zcfg_find(&u, del[i]) >= 0;
		if (!have && strict)
			rc = (gctl_err("Invalid config(s): %s (not set for %s)", del[i], entity), 1);
		changed |= have;
		if (!rc)
			gctl_zcfg_put(&u, del[i], NULL);
	}
	for (int i = 0; !rc && i < n_add; i++)
		if (gctl_zcfg_put(&u, add[i], values[i]))
			rc = (gctl_err("/config/%s: out of memory or too many configs", entity), 1);
	if (!rc && changed)
		rc = gctl_zcfg_write(g, entity, &u);
	gctl_zcfg_free(&u);
	return rc;
}

int gctl_zcfg_change(struct gctl *g, const char *entity, const char *const *add,
		     const char *const *values, int n_add, const char *const *del, int n_del,
		     int strict)
{
	for (int attempt = 0; attempt < 5; attempt++) {
		int rc = zcfg_change_once(g, entity, add, values, n_add, del, n_del, strict);
		if (rc != 2)
			return rc;
	}
	gctl_err("/config/%s kept changing concurrently", entity);
	return 1;
}

/* The user's sanitized name; 0 or 1 (printed). */
static int user_name(struct gctl *g, char *san, size_t cap)
{
	if (!g->o.user || !*g->o.user || strlen(g->o.user) > 255) {
		gctl_err("--user NAME is required (1-255 characters)");
		return 1;
	}
	if (entity_sanitize(g->o.user, san, cap) < 0) {
		gctl_err("user name too long");
		return 1;
	}
	return 0;
}

/* Sets (value) or removes (NULL) one key of the user's node. */
static int users_update(struct gctl *g, const char *san, const char *key, const char *value)
{
	char ent[GCTL_PATH_MAX];
	if (gctl_path(ent, "users/%s", san))
		return 1;
	return value ? gctl_zcfg_change(g, ent, &key, &value, 1, NULL, 0, 1)
		     : gctl_zcfg_change(g, ent, NULL, NULL, 0, &key, 1, 1);
}

static int mech_of(struct gctl *g)
{
	int m = scram_mech_parse(g->o.mechanism);
	if (m < 0)
		gctl_err("--mechanism must be SCRAM-SHA-256 or SCRAM-SHA-512");
	return m;
}

static int users_upsert(struct gctl *g)
{
	char san[GCTL_PATH_MAX], text[512];
	if (user_name(g, san, sizeof san))
		return 1;
	int m = mech_of(g);
	if (m < 0)
		return 1;
	if (!g->o.password || !*g->o.password) {
		gctl_err("--password is required");
		return 1;
	}
	int iter = g->o.iterations > 0 ? g->o.iterations : SCRAM_MIN_ITERATIONS;
	if (iter < SCRAM_MIN_ITERATIONS || iter > SCRAM_MAX_ITERATIONS) {
		gctl_err("--iterations must be %d..%d", SCRAM_MIN_ITERATIONS, SCRAM_MAX_ITERATIONS);
		return 1;
	}
	struct scram_cred c;
	if (scram_cred_make((enum scram_mech)m, g->o.password, NULL, 0, iter, &c) < 0 ||
	    scram_cred_format((enum scram_mech)m, &c, text, sizeof text) < 0) {
		gctl_err("cannot compute the SCRAM credential");
		return 1;
	}
	int rc = users_update(g, san, scram_mech_name((enum scram_mech)m), text);
	if (rc == 0)
		printf("user %s: %s credential set (%d iterations)\n", g->o.user,
		       scram_mech_name((enum scram_mech)m), iter);
	return rc;
}

static int users_delete(struct gctl *g)
{
	char san[GCTL_PATH_MAX], ent[GCTL_PATH_MAX];
	if (user_name(g, san, sizeof san) || (g->o.mechanism && mech_of(g) < 0) ||
	    gctl_path(ent, "users/%s", san))
		return 1;
	int deleted = 0;
	for (int m = 0; m < SCRAM_NMECH; m++) {
		const char *name = scram_mech_name((enum scram_mech)m);
		if (g->o.mechanism && strcmp(g->o.mechanism, name) != 0)
			continue;
		struct gctl_zcfg u;
		if (gctl_zcfg_read(g, ent, &u))
			return 1;
		int has = gctl_zcfg_find(&u, name) >= 0;
		gctl_zcfg_free(&u);
		if (!has && !g->o.mechanism)
			continue; /* deleting every mechanism: skip the absent ones */
		if (users_update(g, san, name, NULL))
			return 1;
		printf("user %s: %s credential deleted\n", g->o.user, name);
		deleted++;
	}
	if (!deleted)
		gctl_err("user %s has no SCRAM credentials", g->o.user);
	return !deleted;
}

/* One user's mechanisms and iterations; 0, or 1 when it has none. */
static int users_show(struct gctl *g, const char *san, int *first)
{
	char user[256], ent[GCTL_PATH_MAX];
	struct gctl_zcfg u;
	if (gctl_path(ent, "users/%s", san))
		return 1;
	if (entity_desanitize(san, user, sizeof user) < 0 || gctl_zcfg_read(g, ent, &u))
		return 1;
	int shown = 0;
	for (int m = 0; m < SCRAM_NMECH; m++) {
		const char *name = scram_mech_name((enum scram_mech)m);
		int i = gctl_zcfg_find(&u, name);
		struct scram_cred c;
		char err[128];
		if (i < 0)
			continue;
		int ok = scram_cred_parse((enum scram_mech)m, u.values[i], &c, err, sizeof err) == 0;
		if (g->o.json) {
			printf("%s{\"user\":", *first ? "" : ",");
			struct zbuf b;
			zb_init(&b);
			zb_jstr(&b, user);
			printf("%.*s,\"mechanism\":\"%s\",\"iterations\":%d}", (int)b.len, b.p, name,
			       ok ? c.iterations : -1);
			zb_free(&b);
		} else if (ok) {
			printf("%s\t%s\titerations=%d\n", user, name, c.iterations);
		} else {
			printf("%s\t%s\tMALFORMED (%s)\n", user, name, err);
		}
		*first = 0;
		shown = 1;
	}
	gctl_zcfg_free(&u);
	return !shown;
}

static int users_list(struct gctl *g, const char *only)
{
	struct String_vector kids = { 0, NULL };
	int first = 1, rc = 0;
	if (only) {
		char san[GCTL_PATH_MAX];
		if (user_name(g, san, sizeof san))
			return 1;
		if (g->o.json)
			printf("[");
		rc = users_show(g, san, &first);
		if (g->o.json)
			printf("]\n");
		if (rc)
			gctl_err("user %s has no SCRAM credentials", only);
		return rc;
	}
	int r = gctl_children(g, USERS, &kids);
	if (r == GCTL_FAIL)
		return 1;
	if (g->o.json)
		printf("[");
	for (int i = 0; i < kids.count; i++)
		users_show(g, kids.data[i], &first);
	if (g->o.json)
		printf("]\n");
	deallocate_String_vector(&kids);
	return 0;
}

int gctl_cmd_users(struct gctl *g, const char *cmd)
{
	if (strcmp(cmd, "list") == 0)
		return users_list(g, NULL);
	if (strcmp(cmd, "describe") == 0)
		return users_list(g, g->o.user ? g->o.user : "");
	if (strcmp(cmd, "add") == 0 || strcmp(cmd, "alter") == 0)
		return users_upsert(g);
	if (strcmp(cmd, "delete") == 0)
		return users_delete(g);
	gctl_err("unknown users command '%s' (list, describe, add, alter, delete)", cmd);
	return 1;
}
