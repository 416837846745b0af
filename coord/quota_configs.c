/* Client quota entities in ZooKeeper, Kafka's ZooKeeper-mode layout:
 * /config/users/<user>, /config/clients/<client-id> and
 * /config/users/<user>/clients/<client-id> (names sanitized, "<default>"
 * for the defaults), each {"version":1,"config":{...}}; a user node also
 * holds SCRAM credentials, which every write here keeps. Brokers follow
 * them as Kafka's do: every quota entity when a session starts, then the
 * entity each /config/changes/config_change_ notification names (a child
 * watch on /config/changes; notifications older than 15 minutes are
 * purged, as Kafka's listener does). Also the write side of
 * AlterClientQuotas and the read side of DescribeClientQuotas, which read
 * ZooKeeper as Kafka's ZkAdminManager does. docs/quotas.md. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/proto/kerr.h"
#include "coord/coord_int.h"
#include "coord/zjson.h"

#define CHANGES "/config/changes"
#define CHANGE_EXPIRY_MS (15 * 60 * 1000) /* Kafka's changeExpirationMs */
#define PURGE_INTERVAL_MS 60000
#define INCREMENTAL_MAX 200  /* more new notifications at once: re-read all */
#define QC_MAX_KEYS 64
#define QC_PATH_MAX 1200
#define QC_ATTEMPTS 3

/* Kafka's QuotaConfigs.isClientOrUserQuotaConfig. */
static int is_quota_key(const char *k)
{
	return strcmp(k, "producer_byte_rate") == 0 || strcmp(k, "consumer_byte_rate") == 0 ||
	       strcmp(k, "request_percentage") == 0 || strcmp(k, "controller_mutation_rate") == 0;
}

/* ---- entities ---- */

static void qent_clear(struct coord_quota_entity *e)
{
	for (int i = 0; i < e->n; i++) {
		free(e->keys[i]);
		free(e->values[i]);
	}
	free(e->keys);
	free(e->values);
	free(e->user);
	free(e->client);
	memset(e, 0, sizeof *e);
}

struct qlist {
	struct coord_quota_entity *v;
	int n, cap, oom;
};

static void qlist_free(struct qlist *l)
{
	for (int i = 0; i < l->n; i++)
		qent_clear(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof *l);
}

static struct coord_quota_entity *qlist_add(struct qlist *l)
{
	if (l->n == l->cap) {
		int cap = l->cap ? l->cap * 2 : 16;
		struct coord_quota_entity *v = realloc(l->v, (size_t)cap * sizeof *v);
		if (!v) {
			l->oom = 1;
			return NULL;
		}
		l->v = v;
		l->cap = cap;
	}
	struct coord_quota_entity *e = &l->v[l->n++];
	memset(e, 0, sizeof *e);
	return e;
}

/* Adds key = value to e; 0 or -1 (full or out of memory). */
static int qent_put(struct coord_quota_entity *e, const char *k, const char *v)
{
	if (e->n >= QC_MAX_KEYS)
		return -1;
	if (!e->keys) {
		e->keys = calloc(QC_MAX_KEYS, sizeof *e->keys);
		e->values = calloc(QC_MAX_KEYS, sizeof *e->values);
		if (!e->keys || !e->values)
			return -1;
	}
	e->keys[e->n] = strdup(k);
	e->values[e->n] = strdup(v);
	if (!e->keys[e->n] || !e->values[e->n]) {
		free(e->keys[e->n]);
		free(e->values[e->n]);
		return -1;
	}
	e->n++;
	return 0;
}

/* {"version":1,"config":{...}} into e (only quota keys when quota_only).
 * 0, or -1 when malformed. */
static int config_parse(const char *data, size_t len, struct coord_quota_entity *e,
			int quota_only)
{
	struct zjson j;
	if (len == 0)
		return 0;
	if (zj_parse(&j, data, len))
		return -1;
	int cfg = zj_get(&j, 0, "config"), rc = 0;
	if (zj_type(&j, cfg) != ZJ_OBJ) {
		zj_free(&j);
		return -1;
	}
	int tok = cfg + 1;
	for (int i = 0; i < j.t[cfg].count && rc == 0; i++) {
		int val = tok + 1;
		char key[256], value[1024];
		if (zj_str(&j, tok, key, sizeof key) || zj_str(&j, val, value, sizeof value))
			rc = -1;
		else if ((!quota_only || is_quota_key(key)) && qent_put(e, key, value) < 0)
			rc = -1;
		tok = j.t[val].next;
	}
	zj_free(&j);
	return rc;
}

static void entity_path(char *out, size_t cap, const char *user, const char *client)
{
	if (user && client)
		snprintf(out, cap, "/config/users/%s/clients/%s", user, client);
	else if (user)
		snprintf(out, cap, "/config/users/%s", user);
	else
		snprintf(out, cap, "/config/clients/%s", client ? client : "");
}

/* Reads one entity (its quota keys) into a new element of l. A missing
 * node gives an entity with no keys (a removal). Returns a ZooKeeper rc. */
static int entity_read(struct coord *c, struct qlist *l, const char *user, const char *client)
{
	char path[QC_PATH_MAX];
	entity_path(path, sizeof path, user, client);
	char *data = NULL;
	int len = 0;
	struct Stat st;
	int rc = zk_get_alloc(c, path, 0, &data, &len, &st);
	if (rc != ZOK && rc != ZNONODE)
		return rc;
	struct coord_quota_entity *e = qlist_add(l);
	if (!e || (user && !(e->user = strdup(user))) || (client && !(e->client = strdup(client)))) {
		free(data);
		l->oom = 1;
		return ZSYSTEMERROR;
	}
	if (rc == ZOK && config_parse(data, (size_t)len, e, 1) < 0)
		log_warn_rl(COORD_MOD, "malformed quota config in %s: ignored", path);
	free(data);
	return ZOK;
}

static int children(struct coord *c, const char *path, struct String_vector *kids)
{
	kids->count = 0;
	kids->data = NULL;
	int rc = zoo_get_children(c->zh, path, 0, kids);
	return rc == ZNONODE ? ZOK : rc;
}

/* Every user, client and user+client entity node, with its quota keys
 * (none for a node holding only SCRAM credentials: Kafka's brokers apply
 * such a node too, which enables quota tracking at the user level). */
static int entities_scan(struct coord *c, struct qlist *l)
{
	struct String_vector users, clients;
	int rc = children(c, "/config/clients", &clients);
	for (int i = 0; rc == ZOK && i < clients.count; i++)
		rc = entity_read(c, l, NULL, clients.data[i]);
	deallocate_String_vector(&clients);
	if (rc == ZOK)
		rc = children(c, "/config/users", &users);
	else
		users.count = 0, users.data = NULL;
	for (int i = 0; rc == ZOK && i < users.count; i++) {
		char path[QC_PATH_MAX];
		struct String_vector uc;
		rc = entity_read(c, l, users.data[i], NULL);
		snprintf(path, sizeof path, "/config/users/%s/clients", users.data[i]);
		if (rc == ZOK)
			rc = children(c, path, &uc);
		else
			uc.count = 0, uc.data = NULL;
		for (int k = 0; rc == ZOK && k < uc.count; k++)
			rc = entity_read(c, l, users.data[i], uc.data[k]);
		deallocate_String_vector(&uc);
	}
	deallocate_String_vector(&users);
	return l->oom ? ZSYSTEMERROR : rc;
}

/* ---- the feed to the loop ---- */

struct qfeed {
	coord_quotas_fn fn;
	void *arg;
	int reset;
	struct qlist l;
};

static void feed_deliver(void *p)
{
	struct qfeed *f = p;
	f->fn(f->arg, f->reset, f->l.v, f->l.n);
	qlist_free(&f->l);
	free(f);
}

static void feed_post(struct coord *c, struct qfeed *f)
{
	f->fn = c->cfg.quotas_fn;
	f->arg = c->cfg.quotas_arg;
	mbox_post(c->loop_mbox, feed_deliver, f);
}

/* The sequence number of "config_change_0000000042", or -1. */
static int64_t change_seq(const char *child)
{
	const char *u = strrchr(child, '_');
	if (!u || !u[1] || strspn(u + 1, "0123456789") != strlen(u + 1) || strlen(u + 1) > 18)
		return -1;
	return strtoll(u + 1, NULL, 10);
}

/* Lists /config/changes, re-arming the child watch (creating the node if
 * it was removed). */
static int changes_list(struct coord *c, struct String_vector *kids)
{
	int rc = zoo_get_children(c->zh, CHANGES, 1, kids);
	if (rc == ZNONODE && zk_create_path(c, CHANGES) == ZOK)
		rc = zoo_get_children(c->zh, CHANGES, 1, kids);
	return rc;
}

/* Deletes notifications older than Kafka's 15 minutes, at most once a
 * minute. */
static void changes_purge(struct coord *c, const struct String_vector *kids)
{
	int64_t now = clock_mono_ms();
	if (now < c->qcfg_purge_at_ms)
		return;
	c->qcfg_purge_at_ms = now + PURGE_INTERVAL_MS;
	int64_t wall = clock_wall_ms();
	for (int i = 0; i < kids->count && i < 1000; i++) {
		char path[QC_PATH_MAX];
		struct Stat st;
		snprintf(path, sizeof path, CHANGES "/%s", kids->data[i]);
		if (zoo_exists(c->zh, path, 0, &st) == ZOK && wall - st.ctime > CHANGE_EXPIRY_MS)
			zoo_delete(c->zh, path, -1);
	}
}

void qcfg_sync_all(struct coord *c)
{
	if (!c->cfg.quotas_fn)
		return;
	/* the watch first: a change made during the scan fires it again */
	struct String_vector kids = { 0, NULL };
	int rc = changes_list(c, &kids);
	c->qcfg_seen = -1;
	for (int i = 0; rc == ZOK && i < kids.count; i++) {
		int64_t q = change_seq(kids.data[i]);
		if (q > c->qcfg_seen)
			c->qcfg_seen = q;
	}
	if (rc == ZOK)
		changes_purge(c, &kids);
	deallocate_String_vector(&kids);
	struct qfeed *f = rc == ZOK ? calloc(1, sizeof *f) : NULL;
	if (f)
		rc = entities_scan(c, &f->l);
	if (!f || rc != ZOK) {
		log_warn(COORD_MOD, "client quotas not read: %s",
			 f ? zerror(rc) : "out of memory");
		if (f)
			qlist_free(&f->l);
		free(f);
		return;
	}
	f->reset = 1;
	feed_post(c, f);
}

/* The entity a notification names: Kafka's version 2 {"entity_path":
 * "users/<u>[/clients/<c>]" | "clients/<c>"} or version 1 {"entity_type",
 * "entity_name"}. Returns 1 with user/client set (NULL when absent) for a
 * quota entity, 0 for another entity (topics, brokers), -1 malformed. */
static int change_entity(const char *data, int len, char *path, size_t cap, const char **user,
			 const char **client)
{
	struct zjson j;
	if (len <= 0 || zj_parse(&j, data, (size_t)len))
		return -1;
	int ep = zj_get(&j, 0, "entity_path"), rc = 0;
	if (ep >= 0) {
		rc = zj_str(&j, ep, path, cap);
	} else {
		char type[64], name[800];
		int et = zj_get(&j, 0, "entity_type"), en = zj_get(&j, 0, "entity_name");
		rc = zj_str(&j, et, type, sizeof type) || zj_str(&j, en, name, sizeof name) ||
		     snprintf(path, cap, "%s/%s", type, name) >= (int)cap;
	}
	zj_free(&j);
	if (rc)
		return -1;
	*user = *client = NULL;
	if (strncmp(path, "clients/", 8) == 0 && path[8] && !strchr(path + 8, '/')) {
		*client = path + 8;
		return 1;
	}
	if (strncmp(path, "users/", 6) != 0 || !path[6])
		return 0;
	char *u = path + 6, *slash = strchr(u, '/');
	*user = u;
	if (!slash)
		return 1;
	if (strncmp(slash, "/clients/", 9) != 0 || !slash[9] || strchr(slash + 9, '/'))
		return -1;
	*slash = 0;
	*client = slash + 9;
	return 1;
}

/* Applies the notifications newer than the last seen, in order. Returns
 * -1 when only a full re-read will do. */
static int changes_apply(struct coord *c)
{
	struct String_vector kids = { 0, NULL };
	if (changes_list(c, &kids) != ZOK)
		return -1;
	int64_t seqs[INCREMENTAL_MAX];
	int idx[INCREMENTAL_MAX], n = 0, rc = 0;
	for (int i = 0; i < kids.count && rc == 0; i++) {
		int64_t q = change_seq(kids.data[i]);
		if (q <= c->qcfg_seen)
			continue;
		if (n == INCREMENTAL_MAX) {
			rc = -1;
			break;
		}
		int k = n++; /* insertion by sequence: children come unordered */
		for (; k > 0 && seqs[k - 1] > q; k--) {
			seqs[k] = seqs[k - 1];
			idx[k] = idx[k - 1];
		}
		seqs[k] = q;
		idx[k] = i;
	}
	struct qfeed *f = rc == 0 && n > 0 ? calloc(1, sizeof *f) : NULL;
	if (rc == 0 && n > 0 && !f)
		rc = -1;
	for (int k = 0; k < n && rc == 0; k++) {
		char path[QC_PATH_MAX], ep[QC_PATH_MAX];
		const char *user, *client;
		char *data = NULL;
		int len = 0;
		snprintf(path, sizeof path, CHANGES "/%s", kids.data[idx[k]]);
		int zrc = zk_get_alloc(c, path, 0, &data, &len, NULL);
		int what = zrc == ZOK ? change_entity(data, len, ep, sizeof ep, &user, &client) : 0;
		if (zrc != ZOK && zrc != ZNONODE)
			rc = -1;
		else if (what < 0)
			log_warn_rl(COORD_MOD, "unreadable change notification %s: skipped", path);
		else if (what == 1 && entity_read(c, &f->l, user, client) != ZOK)
			rc = -1;
		free(data);
		if (rc == 0)
			c->qcfg_seen = seqs[k];
	}
	if (rc == 0)
		changes_purge(c, &kids);
	deallocate_String_vector(&kids);
	if (f && rc == 0 && f->l.n > 0) {
		feed_post(c, f);
	} else if (f) {
		qlist_free(&f->l);
		free(f);
	}
	return rc;
}

int qcfg_on_watch(struct coord *c, const char *path)
{
	if (strcmp(path, CHANGES) != 0)
		return 0;
	if (c->cfg.quotas_fn && changes_apply(c) < 0) {
		log_info(COORD_MOD, "config change notifications not applied one by one: "
			 "re-reading every client quota");
		qcfg_sync_all(c);
	}
	return 1;
}

/* ---- DescribeClientQuotas: read ZooKeeper ---- */

struct qdescribe {
	struct coord *c;
	coord_quotas_describe_fn done;
	void *arg;
	int16_t kerr;
	struct qlist l;
};

static void describe_deliver(void *p)
{
	struct qdescribe *d = p;
	d->done(d->arg, d->kerr, d->l.v, d->l.n);
	qlist_free(&d->l);
	free(d);
}

static void describe_run(void *p)
{
	struct qdescribe *d = p;
	struct coord *c = d->c;
	if (atomic_load(&c->stopping) || !c->zh || zoo_state(c->zh) != ZOO_CONNECTED_STATE) {
		d->kerr = KERR_REQUEST_TIMED_OUT;
	} else if (entities_scan(c, &d->l) != ZOK) {
		qlist_free(&d->l);
		d->kerr = KERR_UNKNOWN_SERVER_ERROR;
	}
	mbox_post(c->loop_mbox, describe_deliver, d);
}

void coord_describe_client_quotas(struct coord *c, coord_quotas_describe_fn done, void *arg)
{
	struct qdescribe *d = calloc(1, sizeof *d);
	if (!d)
		return; /* cannot answer; the request times out */
	d->c = c;
	d->done = done;
	d->arg = arg;
	mbox_post(c->events, describe_run, d);
}

/* ---- AlterClientQuotas: write one entity ---- */

struct qalter {
	struct coord *c;
	char *user, *client;
	int n;
	char **keys, **values; /* values[i] NULL: remove */
	int validate_only;
	coord_done_fn done;
	void *arg;
};

static void qalter_free(struct qalter *a)
{
	for (int i = 0; i < a->n; i++) {
		free(a->keys[i]);
		free(a->values[i]);
	}
	free(a->keys);
	free(a->values);
	free(a->user);
	free(a->client);
	free(a);
}

static void qent_remove(struct coord_quota_entity *e, const char *k)
{
	for (int i = 0; i < e->n; i++)
		if (strcmp(e->keys[i], k) == 0) {
			free(e->keys[i]);
			free(e->values[i]);
			e->n--;
			e->keys[i] = e->keys[e->n];
			e->values[i] = e->values[e->n];
			return;
		}
}

static int qent_set(struct coord_quota_entity *e, const char *k, const char *v)
{
	for (int i = 0; i < e->n; i++)
		if (strcmp(e->keys[i], k) == 0) {
			char *nv = strdup(v);
			if (!nv)
				return -1;
			free(e->values[i]);
			e->values[i] = nv;
			return 0;
		}
	return qent_put(e, k, v);
}

/* Kafka's tryCleanQuotaNodes: an entity left without configs and without
 * children is deleted; for a user+client entity also an emptied
 * /config/users/<u>/clients and a user node that holds nothing else. */
static int entity_delete(struct coord *c, const struct qalter *a, const char *path)
{
	struct String_vector kids = { 0, NULL };
	int rc = zoo_get_children(c->zh, path, 0, &kids);
	int empty = rc == ZOK && kids.count == 0;
	deallocate_String_vector(&kids);
	if (rc == ZNONODE)
		return ZOK;
	if (rc != ZOK || !empty)
		return rc != ZOK ? rc : ZNOTEMPTY;
	rc = zoo_delete(c->zh, path, -1);
	if (rc != ZOK || !(a->user && a->client))
		return rc == ZNONODE ? ZOK : rc;
	char up[QC_PATH_MAX];
	snprintf(up, sizeof up, "/config/users/%s/clients", a->user);
	if (zoo_delete(c->zh, up, -1) != ZOK)
		return ZOK; /* other clients remain */
	snprintf(up, sizeof up, "/config/users/%s", a->user);
	char *data = NULL;
	int len = 0;
	struct Stat st;
	struct coord_quota_entity e = { 0 };
	if (zk_get_alloc(c, up, 0, &data, &len, &st) == ZOK &&
	    config_parse(data, (size_t)len, &e, 0) == 0 && e.n == 0 && st.numChildren == 0)
		zoo_delete(c->zh, up, st.version);
	free(data);
	qent_clear(&e);
	return ZOK;
}

static int entity_write(struct coord *c, const char *path, const struct coord_quota_entity *e,
			int32_t version)
{
	struct zbuf b;
	zb_init(&b);
	zn_config_build(&b, (const char *const *)e->keys, (const char *const *)e->values, e->n);
	int rc = b.oom ? ZSYSTEMERROR : version >= 0
		 ? zoo_set(c->zh, path, b.p, (int)b.len, version)
		 : zoo_create(c->zh, path, b.p, (int)b.len, zk_acl(c, path), 0, NULL, 0);
	if (rc == ZNONODE && version < 0) {
		char parent[QC_PATH_MAX];
		snprintf(parent, sizeof parent, "%s", path);
		*strrchr(parent, '/') = 0;
		if (zk_create_path(c, parent) == ZOK)
			rc = zoo_create(c->zh, path, b.p, (int)b.len, zk_acl(c, path), 0, NULL, 0);
	}
	zb_free(&b);
	return rc;
}

static void notify(struct coord *c, const struct qalter *a)
{
	char ep[QC_PATH_MAX];
	if (a->user && a->client)
		snprintf(ep, sizeof ep, "users/%s/clients/%s", a->user, a->client);
	else if (a->user)
		snprintf(ep, sizeof ep, "users/%s", a->user);
	else
		snprintf(ep, sizeof ep, "clients/%s", a->client);
	struct zbuf b;
	zb_init(&b);
	zb_puts(&b, "{\"version\":2,\"entity_path\":");
	zb_jstr(&b, ep);
	zb_puts(&b, "}");
	const char *seq = CHANGES "/config_change_";
	int rc = b.oom ? ZSYSTEMERROR
		       : zoo_create(c->zh, seq, b.p, (int)b.len, zk_acl(c, seq), ZOO_SEQUENCE, NULL, 0);
	if (rc == ZNONODE && zk_create_path(c, CHANGES) == ZOK)
		rc = zoo_create(c->zh, seq, b.p, (int)b.len, zk_acl(c, seq), ZOO_SEQUENCE, NULL, 0);
	zb_free(&b);
	if (rc != ZOK)
		log_warn(COORD_MOD, "quotas of %s written but no change notification: %s", ep,
			 zerror(rc));
}

/* One attempt; returns 1 to retry after a concurrent write. */
static int qalter_try(struct coord *c, struct qalter *a, int16_t *kerr, char *msg, size_t cap)
{
	char path[QC_PATH_MAX];
	entity_path(path, sizeof path, a->user, a->client);
	char *data = NULL;
	int len = 0;
	struct Stat st;
	struct coord_quota_entity e = { 0 };
	int rc = zk_get_alloc(c, path, 0, &data, &len, &st);
	int32_t version = rc == ZOK ? st.version : -1;
	if (rc != ZOK && rc != ZNONODE) {
		*kerr = KERR_REQUEST_TIMED_OUT;
		snprintf(msg, cap, "ZooKeeper: %s", zerror(rc));
	} else if (rc == ZOK && config_parse(data, (size_t)len, &e, 0) < 0) {
		*kerr = KERR_UNKNOWN_SERVER_ERROR;
		snprintf(msg, cap, "malformed config znode %.200s", path);
	}
	free(data);
	for (int i = 0; i < a->n && !*kerr; i++) {
		if (!a->values[i])
			qent_remove(&e, a->keys[i]);
		else if (qent_set(&e, a->keys[i], a->values[i]) < 0) {
			*kerr = KERR_UNKNOWN_SERVER_ERROR;
			snprintf(msg, cap, "too many configs or out of memory");
		}
	}
	int retry = 0;
	if (!*kerr && !a->validate_only) {
		rc = e.n == 0 && version >= 0 ? entity_delete(c, a, path) : ZNOTEMPTY;
		if (rc == ZNOTEMPTY)
			rc = e.n == 0 && version < 0 ? ZOK : entity_write(c, path, &e, version);
		retry = rc == ZBADVERSION || rc == ZNODEEXISTS || rc == ZNONODE;
		if (rc == ZOK) {
			notify(c, a);
			log_info(COORD_MOD, "client quotas of %s: %d config(s) written", path, e.n);
		} else if (!retry) {
			*kerr = KERR_UNKNOWN_SERVER_ERROR;
			snprintf(msg, cap, "ZooKeeper: %s", zerror(rc));
		}
	}
	qent_clear(&e);
	return retry;
}

static void qalter_run(void *p)
{
	struct qalter *a = p;
	struct coord *c = a->c;
	int16_t kerr = 0;
	char msg[320] = "";
	if (atomic_load(&c->stopping) || !c->zh || zoo_state(c->zh) != ZOO_CONNECTED_STATE) {
		kerr = KERR_REQUEST_TIMED_OUT;
		snprintf(msg, sizeof msg, "ZooKeeper session not available");
	} else {
		int k = 0;
		while (qalter_try(c, a, &kerr, msg, sizeof msg) && ++k < QC_ATTEMPTS)
			;
		if (k == QC_ATTEMPTS) {
			kerr = KERR_UNKNOWN_SERVER_ERROR;
			snprintf(msg, sizeof msg, "quota config kept changing concurrently");
		}
	}
	coord_post_done(c, a->done, a->arg, kerr, kerr ? msg : NULL);
	qalter_free(a);
}

void coord_alter_client_quota(struct coord *c, const char *user, const char *client,
			      const struct coord_quota_op *ops, int n, int validate_only,
			      coord_done_fn done, void *arg)
{
	struct qalter *a = calloc(1, sizeof *a);
	if (!a)
		return; /* cannot answer; the request times out */
	a->c = c;
	a->done = done;
	a->arg = arg;
	a->validate_only = validate_only;
	int bad = (user && !(a->user = strdup(user))) || (client && !(a->client = strdup(client))) ||
		  (!user && !client) || n < 0;
	if (!bad && n > 0) {
		a->keys = calloc((size_t)n, sizeof *a->keys);
		a->values = calloc((size_t)n, sizeof *a->values);
		bad = !a->keys || !a->values;
	}
	for (int i = 0; !bad && i < n; i++) {
		a->keys[i] = strdup(ops[i].key);
		a->values[i] = ops[i].value ? strdup(ops[i].value) : NULL;
		a->n = i + 1;
		bad = !a->keys[i] || (ops[i].value && !a->values[i]);
	}
	if (bad) {
		coord_post_done(c, done, arg, KERR_UNKNOWN_SERVER_ERROR, "out of memory");
		qalter_free(a);
		return;
	}
	mbox_post(c->events, qalter_run, a);
}
