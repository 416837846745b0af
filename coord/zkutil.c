/* Synchronous ZooKeeper helpers for the coordination thread: bounded reads,
 * recursive create and delete, and the ACL every znode Gregor creates gets
 * (zk_acl: the one place that decides it, see zookeeper.set.acl). */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "coord/coord_int.h"

int zk_get_alloc(struct coord *c, const char *path, int watch, char **data,
		 int *len, struct Stat *st)
{
	struct Stat s;
	*data = NULL;
	*len = 0;
	/* read into a small buffer first; grow to dataLength if it did not fit */
	int cap = 4096;
	for (int attempt = 0; attempt < 3; attempt++) {
		char *buf = malloc((size_t)cap + 1);
		if (!buf)
			return ZSYSTEMERROR;
		int l = cap;
		int rc = zoo_get(c->zh, path, watch, buf, &l, &s);
		if (rc != ZOK) {
			free(buf);
			return rc;
		}
		if (s.dataLength <= cap) {
			if (l < 0)
				l = 0; /* null data */
			buf[l] = 0;
			*data = buf;
			*len = l;
			if (st)
				*st = s;
			return ZOK;
		}
		free(buf);
		if (s.dataLength > ZK_DATA_MAX)
			return ZMARSHALLINGERROR;
		cap = s.dataLength;
	}
	return ZOPERATIONTIMEOUT; /* kept growing under us */
}

/* Kafka (ZkData.defaultAcls with zookeeper.set.acl): the creator (every
 * broker, as they share the digest credentials) may do anything, the world
 * may read; sensitive subtrees are creator-only. */
/* ZooKeeper's permission bits (zookeeper.h has them as extern consts) */
enum { PERM_READ = 1, PERM_ALL = 0x1f };
static struct ACL acl_creator_read[] = {
	{ PERM_ALL, { "auth", "" } },
	{ PERM_READ, { "world", "anyone" } },
};
static struct ACL acl_creator_only[] = {
	{ PERM_ALL, { "auth", "" } },
};
static struct ACL_vector acl_secure = { 2, acl_creator_read };
static struct ACL_vector acl_sensitive = { 1, acl_creator_only };

int zk_path_sensitive(const char *path)
{
	static const char *const roots[] = { "/config/users", "/delegation_token" };
	for (size_t k = 0; k < sizeof roots / sizeof *roots; k++) {
		size_t n = strlen(roots[k]);
		if (strncmp(path, roots[k], n) == 0 && (path[n] == 0 || path[n] == '/'))
			return 1;
	}
	return 0;
}

struct ACL_vector *zk_acl_for(int secure, const char *path)
{
	if (!secure)
		return &ZOO_OPEN_ACL_UNSAFE;
	return zk_path_sensitive(path) ? &acl_sensitive : &acl_secure;
}

struct ACL_vector *zk_acl(const struct coord *c, const char *path)
{
	return zk_acl_for(c->cfg.zk_set_acl, path);
}

int zk_create_path(struct coord *c, const char *path)
{
	return zk_create_path_on(c->zh, path, c->cfg.zk_set_acl);
}

int zk_create_path_on(zhandle_t *zh, const char *path, int secure)
{
	char buf[512];
	size_t l = strlen(path);
	if (l == 0 || l >= sizeof buf || path[0] != '/')
		return ZBADARGUMENTS;
	memcpy(buf, path, l + 1);
	for (size_t k = 1; k <= l; k++) {
		if (buf[k] != '/' && buf[k] != 0)
			continue;
		char save = buf[k];
		buf[k] = 0;
		int rc = zoo_create(zh, buf, NULL, -1, zk_acl_for(secure, buf), 0, NULL, 0);
		buf[k] = save;
		if (rc != ZOK && rc != ZNODEEXISTS)
			return rc;
	}
	return ZOK;
}

int zk_delete_recursive(zhandle_t *zh, const char *path, int depth)
{
	if (depth > 8)
		return ZBADARGUMENTS; /* Kafka's trees are at most 5 deep */
	struct String_vector kids = { 0, NULL };
	int rc = zoo_get_children(zh, path, 0, &kids);
	if (rc == ZNONODE)
		return ZOK;
	if (rc != ZOK)
		return rc;
	for (int k = 0; k < kids.count && rc == ZOK; k++) {
		char child[1024];
		if (snprintf(child, sizeof child, "%s/%s", path, kids.data[k]) >=
		    (int)sizeof child) {
			rc = ZBADARGUMENTS;
			break;
		}
		rc = zk_delete_recursive(zh, child, depth + 1);
	}
	deallocate_String_vector(&kids);
	if (rc != ZOK)
		return rc;
	rc = zoo_delete(zh, path, -1);
	return rc == ZNONODE ? ZOK : rc;
}

/* ---- digest credentials and securing existing znodes ---- */

struct auth_wait {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int done, rc;
};

static void auth_done(int rc, const void *data)
{
	struct auth_wait *w = (struct auth_wait *)data;
	pthread_mutex_lock(&w->mu);
	w->done = 1;
	w->rc = rc;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

int zk_add_digest(zhandle_t *zh, const char *cred, int timeout_ms)
{
	/* one wait per call: a late completion (after our timeout) still
	 * finds its struct, which is then left allocated on purpose */
	struct auth_wait *w = calloc(1, sizeof *w);
	if (!w)
		return ZSYSTEMERROR;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	pthread_mutex_lock(&w->mu);
	w->rc = ZOPERATIONTIMEOUT;
	int rc = zoo_add_auth(zh, "digest", cred, (int)strlen(cred), auth_done, w);
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += timeout_ms / 1000;
	ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	while (rc == ZOK && !w->done)
		if (pthread_cond_timedwait(&w->cv, &w->mu, &ts) != 0)
			break;
	int done = w->done;
	if (rc == ZOK)
		rc = done ? w->rc : ZOPERATIONTIMEOUT;
	pthread_mutex_unlock(&w->mu);
	/* answered, or refused by zoo_add_auth (no callback will come): only
	 * a timed-out wait keeps w for its late completion */
	if (done || rc != ZOPERATIONTIMEOUT) {
		pthread_mutex_destroy(&w->mu);
		pthread_cond_destroy(&w->cv);
		free(w);
	}
	return rc;
}

static int acl_same(const struct ACL_vector *a, const struct ACL_vector *want)
{
	if (a->count != want->count)
		return 0;
	for (int i = 0; i < want->count; i++) {
		const struct ACL *w = &want->data[i];
		int found = 0;
		for (int k = 0; k < a->count && !found; k++) {
			const struct ACL *h = &a->data[k];
			/* "auth" is stored as the creator's ids (digest:user:hash) */
			int id_ok = strcmp(w->id.scheme, "auth") == 0
					    ? strcmp(h->id.scheme, "digest") == 0
					    : strcmp(h->id.scheme, w->id.scheme) == 0 &&
						      strcmp(h->id.id, w->id.id) == 0;
			found = id_ok && h->perms == w->perms;
		}
		if (!found)
			return 0;
	}
	return 1;
}

/* Gives one node the secure ACL if it has another; ZNONODE is fine. */
static int secure_node(zhandle_t *zh, const char *path, int *fixed)
{
	struct ACL_vector have = { 0, NULL };
	struct Stat st;
	int rc = zoo_get_acl(zh, path, &have, &st);
	if (rc == ZNONODE)
		return ZOK;
	if (rc != ZOK)
		return rc;
	struct ACL_vector *want = zk_acl_for(1, path);
	if (!acl_same(&have, want)) {
		rc = zoo_set_acl(zh, path, -1, want);
		if (rc == ZOK)
			(*fixed)++;
		else if (rc != ZNONODE)
			log_warn(COORD_MOD, "securing %s: %s", path, zerror(rc));
	}
	deallocate_ACL_vector(&have);
	return ZOK;
}

/* Fixes path and everything below it; counts fixed nodes in *fixed. */
static int secure_tree(zhandle_t *zh, const char *path, int depth, int *fixed, int *budget)
{
	if (depth > 8 || --*budget < 0)
		return ZOK; /* Kafka's trees are at most 5 deep; bounded walk */
	int rc = secure_node(zh, path, fixed);
	if (rc != ZOK)
		return rc;
	struct String_vector kids = { 0, NULL };
	rc = zoo_get_children(zh, path, 0, &kids);
	if (rc == ZNONODE)
		return ZOK;
	for (int k = 0; rc == ZOK && k < kids.count; k++) {
		char child[1024];
		if (snprintf(child, sizeof child, "%s%s%s", path, strcmp(path, "/") ? "/" : "",
			     kids.data[k]) >= (int)sizeof child)
			continue;
		rc = secure_tree(zh, child, depth + 1, fixed, budget);
	}
	deallocate_String_vector(&kids);
	return rc;
}

int zk_secure_existing(struct coord *c)
{
	/* Kafka's ZkSecurityMigrator secures these roots (ZkData.SecureRootPaths) */
	static const char *const roots[] = {
		"/admin", "/brokers", "/cluster", "/config", "/controller",
		"/controller_epoch", "/isr_change_notification", "/kafka-acl",
		"/kafka-acl-changes", "/kafka-acl-extended", "/kafka-acl-extended-changes",
		"/latest_producer_id_block", "/log_dir_event_notification",
		"/delegation_token", "/consumers",
	};
	int fixed = 0, budget = 1000000;
	/* the chroot node itself (the session's "/"), as Kafka secures it: else
	 * anyone could delete or create top-level nodes such as /controller.
	 * Without a chroot "/" is ZooKeeper's own root and left alone. */
	if (c->zk_chroot && secure_node(c->zh, "/", &fixed) != ZOK)
		log_warn(COORD_MOD, "securing the chroot %s failed", c->zk_chroot);
	for (size_t k = 0; k < sizeof roots / sizeof *roots; k++) {
		int rc = secure_tree(c->zh, roots[k], 0, &fixed, &budget);
		if (rc != ZOK) {
			log_error(COORD_MOD, "securing znodes under %s: %s", roots[k], zerror(rc));
			return -1;
		}
	}
	return fixed;
}
