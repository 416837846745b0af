/* Entity config feed: every broker (not only the controller) keeps a child
 * watch on /config/topics and a data watch on each /config/topics/<t>, and
 * hands each topic's overrides to the data plane, which applies them to the
 * topic's partition logs. Likewise a data (or, while absent, exists) watch
 * on /config/brokers/<default> and /config/brokers/<own id> feeds the
 * dynamic broker config layers. Data watches see every rewrite of those
 * nodes directly (also ones made by kafka-configs.sh --zookeeper), so the
 * /config/changes notifications are not needed to follow them. Users'
 * SCRAM credentials (/config/users/<u>) are fed the same way to the
 * broker's credential cache.
 * Also the write side of (Incremental)AlterConfigs for topics and brokers,
 * which still writes those notifications for Kafka tools and brokers. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/auth/entity_name.h"
#include "common/log.h"
#include "common/proto/kerr.h"
#include "coord/coord_int.h"
#include "coord/zjson.h"

#define CONFIG_TOPICS "/config/topics"
#define CONFIG_BROKERS "/config/brokers"
#define CONFIG_USERS "/config/users"
#define BROKER_DEFAULT "<default>"
#define TCFG_MAX_PAIRS 64

struct tcfg_msg {
	coord_topic_config_fn fn;
	coord_broker_config_fn bfn; /* set instead of fn for a broker layer */
	coord_user_config_fn ufn;   /* set instead of fn for a user */
	int per_broker;
	void *arg;
	char *topic;
	int n;
	char *keys[TCFG_MAX_PAIRS];
	char *values[TCFG_MAX_PAIRS];
	char **names;  /* users only: every existing user (topic is NULL) */
	int nnames;
};

static void tcfg_msg_free(struct tcfg_msg *m)
{
	for (int i = 0; i < m->n; i++) {
		free(m->keys[i]);
		free(m->values[i]);
	}
	for (int i = 0; i < m->nnames; i++)
		free(m->names[i]);
	free(m->names);
	free(m->topic);
	free(m);
}

static void tcfg_deliver(void *arg)
{
	struct tcfg_msg *m = arg;
	if (m->bfn)
		m->bfn(m->arg, m->per_broker, (const char *const *)m->keys,
		       (const char *const *)m->values, m->n);
	else if (m->ufn && m->names)
		m->ufn(m->arg, NULL, (const char *const *)m->names, NULL, m->nnames);
	else if (m->ufn)
		m->ufn(m->arg, m->topic, (const char *const *)m->keys,
		       (const char *const *)m->values, m->n);
	else
		m->fn(m->arg, m->topic, (const char *const *)m->keys,
		      (const char *const *)m->values, m->n);
	tcfg_msg_free(m);
}

/* {"version":1,"config":{"k":"v",...}}: string values only, as Kafka
 * writes them. Returns 0 (pairs added to m) or -1 on malformed data. */
static int tcfg_parse(struct tcfg_msg *m, const char *data, size_t len)
{
	struct zjson j;
	if (len == 0)
		return 0; /* a node with no data: no overrides */
	if (zj_parse(&j, data, len))
		return -1;
	int cfg = zj_get(&j, 0, "config"), rc = 0;
	if (zj_type(&j, cfg) != ZJ_OBJ) {
		zj_free(&j);
		return -1;
	}
	int tok = cfg + 1;
	for (int i = 0; i < j.t[cfg].count && m->n < TCFG_MAX_PAIRS; i++) {
		int val = tok + 1;
		char key[256], value[1024];
		if (zj_str(&j, tok, key, sizeof key) || zj_str(&j, val, value, sizeof value)) {
			rc = -1;
			break;
		}
		m->keys[m->n] = strdup(key);
		m->values[m->n] = strdup(value);
		if (!m->keys[m->n] || !m->values[m->n]) {
			free(m->keys[m->n]);
			free(m->values[m->n]);
			rc = -1;
			break;
		}
		m->n++;
		tok = j.t[val].next;
	}
	zj_free(&j);
	return rc;
}

/* The state-change line of a config change: the entity, its znode
 * version, the overrides (values only where with_values: a broker layer may
 * hold secrets) and why. */
static void tcfg_log_change(const struct coord *c, const char *what, const char *entity,
			    int32_t version, const struct tcfg_msg *m, int with_values,
			    const char *why)
{
	char list[600];
	size_t off = 0;
	list[0] = '\0';
	for (int i = 0; i < m->n && off + 4 < sizeof list; i++) {
		int w = snprintf(list + off, sizeof list - off, "%s%s%s%s", i ? "," : "", m->keys[i],
				 with_values ? "=" : "", with_values ? m->values[i] : "");
		off = w < 0 ? off : off + (size_t)w < sizeof list ? off + (size_t)w : sizeof list - 1;
	}
	log_state("[Broker id=%d] config change %s: %s, zkVersion %d, %d override(s) {%s} "
		  "(reason: %s)", (int)c->cfg.broker_id, what, entity, version, m->n, list, why);
}

/* Reads one entity's config node at path (re-arming its data watch) and
 * delivers it to the loop as m, named name (a topic or a user); a missing
 * node delivers no keys. Frees m when there is nothing to deliver. why:
 * log the change as applied (a topic's node changed), or NULL. */
static void entity_read(struct coord *c, const char *path, const char *name,
			struct tcfg_msg *m, const char *why)
{
	char *data = NULL;
	int len = 0;
	struct Stat st;
	int rc = zk_get_alloc(c, path, 1, &data, &len, &st);
	if (rc != ZOK && rc != ZNONODE) {
		tcfg_msg_free(m); /* the session event path re-reads everything later */
		return;
	}
	if (!(m->topic = strdup(name)) || (rc == ZOK && tcfg_parse(m, data, (size_t)len) < 0)) {
		if (m->topic)
			log_warn(COORD_MOD, "malformed config in %s: ignored", path);
		tcfg_msg_free(m);
		free(data);
		return;
	}
	free(data);
	if (why)
		tcfg_log_change(c, "applied", path + strlen("/config/"),
				rc == ZOK ? st.version : -1, m, 1, why);
	mbox_post(c->loop_mbox, tcfg_deliver, m);
}

/* Reads one topic's node (re-arming its data watch) and delivers it; why as
 * entity_read's. */
static void tcfg_read(struct coord *c, const char *topic, const char *why)
{
	char path[512];
	if (!zn_topic_name_valid(topic))
		return;
	snprintf(path, sizeof path, CONFIG_TOPICS "/%s", topic);
	struct tcfg_msg *m = calloc(1, sizeof *m);
	if (!m)
		return;
	m->fn = c->cfg.topic_config_fn;
	m->arg = c->cfg.topic_config_arg;
	entity_read(c, path, topic, m, why);
}

/* Reads one broker layer, leaving a data watch on it, or an exists watch
 * while it is absent so that its creation is seen too. */
static void bcfg_read(struct coord *c, int per_broker, const char *why)
{
	char path[128];
	if (per_broker)
		snprintf(path, sizeof path, CONFIG_BROKERS "/%d", (int)c->cfg.broker_id);
	else
		snprintf(path, sizeof path, CONFIG_BROKERS "/" BROKER_DEFAULT);
	char *data = NULL;
	int len = 0;
	struct Stat st;
	int rc = ZNONODE;
	for (int k = 0; k < 2 && rc == ZNONODE; k++) {
		rc = zk_get_alloc(c, path, 1, &data, &len, &st);
		if (rc == ZNONODE && zoo_exists(c->zh, path, 1, &st) == ZNONODE)
			break; /* absent, watched for creation */
	}
	if (rc != ZOK && rc != ZNONODE)
		return; /* the session event path re-reads everything later */
	struct tcfg_msg *m = calloc(1, sizeof *m);
	if (!m || !(m->topic = strdup(path))) {
		free(m);
		free(data);
		return;
	}
	m->bfn = c->cfg.broker_config_fn;
	m->arg = c->cfg.broker_config_arg;
	m->per_broker = per_broker;
	if (rc == ZOK && tcfg_parse(m, data, (size_t)len) < 0) {
		log_warn(COORD_MOD, "malformed config in %s: ignored", path);
		tcfg_msg_free(m);
		free(data);
		return;
	}
	free(data);
	if (why)
		tcfg_log_change(c, "applied", path + strlen("/config/"),
				rc == ZOK ? st.version : -1, m, 0, why);
	mbox_post(c->loop_mbox, tcfg_deliver, m);
}

/* Reads one user's node (re-arming its data watch) and delivers its pairs
 * under the desanitized user name. Data watches see every rewrite, also
 * zkCli's or kafka-configs.sh's, so the /config/changes notification that
 * follows such a write needs no separate reading. */
static void ucfg_read(struct coord *c, const char *znode_name)
{
	char path[512], user[256];
	if (entity_desanitize(znode_name, user, sizeof user) < 0 || strchr(znode_name, '/')) {
		log_warn(COORD_MOD, CONFIG_USERS "/%.200s: not a sanitized user name: ignored",
			 znode_name);
		return;
	}
	snprintf(path, sizeof path, CONFIG_USERS "/%s", znode_name);
	struct tcfg_msg *m = calloc(1, sizeof *m);
	if (!m)
		return;
	m->ufn = c->cfg.user_config_fn;
	m->arg = c->cfg.user_config_arg;
	entity_read(c, path, user, m, NULL); /* credentials: never logged */
}

/* After the reads: the names of every user that exists (user NULL). */
static void ucfg_post_names(struct coord *c, const struct String_vector *kids)
{
	struct tcfg_msg *m = calloc(1, sizeof *m);
	char **names = m ? calloc((size_t)kids->count + 1, sizeof *names) : NULL;
	if (!names) {
		free(m);
		return;
	}
	m->ufn = c->cfg.user_config_fn;
	m->arg = c->cfg.user_config_arg;
	m->names = names;
	for (int i = 0; i < kids->count; i++) {
		char user[256];
		if (entity_desanitize(kids->data[i], user, sizeof user) == 0 &&
		    (names[m->nnames] = strdup(user)))
			m->nnames++;
	}
	mbox_post(c->loop_mbox, tcfg_deliver, m);
}

/* Every user node, leaving a child watch on /config/users (created if
 * missing, so that the watch exists before the first user does). */
static void ucfg_sync_all(struct coord *c)
{
	struct String_vector kids = { 0, NULL };
	int rc = zoo_get_children(c->zh, CONFIG_USERS, 1, &kids);
	if (rc == ZNONODE && zk_create_path(c, CONFIG_USERS) == ZOK)
		rc = zoo_get_children(c->zh, CONFIG_USERS, 1, &kids);
	if (rc != ZOK)
		return;
	for (int i = 0; i < kids.count; i++)
		ucfg_read(c, kids.data[i]);
	ucfg_post_names(c, &kids);
	deallocate_String_vector(&kids);
}

/* Which broker layer a watched path is: 1 per-broker, 0 default, -1 none. */
static int bcfg_layer_of(const struct coord *c, const char *path)
{
	size_t n = strlen(CONFIG_BROKERS "/");
	if (strncmp(path, CONFIG_BROKERS "/", n) != 0)
		return -1;
	if (strcmp(path + n, BROKER_DEFAULT) == 0)
		return 0;
	char id[16];
	snprintf(id, sizeof id, "%d", (int)c->cfg.broker_id);
	return strcmp(path + n, id) == 0 ? 1 : -1;
}

/* Every topic's node, leaving a child watch on /config/topics. */
static void tcfg_sync_topics(struct coord *c)
{
	if (!c->cfg.topic_config_fn)
		return;
	struct String_vector kids = { 0, NULL };
	if (zoo_get_children(c->zh, CONFIG_TOPICS, 1, &kids) != ZOK)
		return;
	for (int i = 0; i < kids.count; i++)
		tcfg_read(c, kids.data[i], NULL);
	deallocate_String_vector(&kids);
}

void tcfg_sync_all(struct coord *c)
{
	if (c->cfg.broker_config_fn) {
		bcfg_read(c, 0, NULL);
		bcfg_read(c, 1, NULL);
	}
	if (c->cfg.user_config_fn)
		ucfg_sync_all(c);
	tcfg_sync_topics(c);
}

int tcfg_on_watch(struct coord *c, const char *path)
{
	size_t un = strlen(CONFIG_USERS "/");
	if (c->cfg.user_config_fn && strcmp(path, CONFIG_USERS) == 0) {
		ucfg_sync_all(c);
		return 1;
	}
	if (c->cfg.user_config_fn && strncmp(path, CONFIG_USERS "/", un) == 0 &&
	    !strchr(path + un, '/')) {
		ucfg_read(c, path + un);
		return 1;
	}
	int layer = c->cfg.broker_config_fn ? bcfg_layer_of(c, path) : -1;
	if (layer >= 0) {
		bcfg_read(c, layer, "its znode changed");
		return 1;
	}
	if (!c->cfg.topic_config_fn)
		return 0;
	if (strcmp(path, CONFIG_TOPICS) == 0) {
		tcfg_sync_topics(c);
		return 1;
	}
	size_t n = strlen(CONFIG_TOPICS "/");
	if (strncmp(path, CONFIG_TOPICS "/", n) == 0 && !strchr(path + n, '/')) {
		tcfg_read(c, path + n, "its znode changed");
		return 1;
	}
	return 0;
}

/* ---- (Incremental)AlterConfigs of topics and brokers (admin writes) ---- */

enum { TCFG_SET = 0, TCFG_DELETE = 1, TCFG_APPEND = 2, TCFG_SUBTRACT = 3 };
#define TCFG_ATTEMPTS 3

struct tcfg_alter {
	struct coord *c;
	char *type, *name;        /* entity: "topics"/"brokers", its name */
	int n;
	char **names, **values;   /* values[i] NULL: a null value */
	int8_t *ops;
	int replace, validate_only;
	coord_config_check_fn check;
	int16_t check_kerr;
	int (*is_list)(const char *key);
	coord_done_fn done;
	void *arg;
};

static void tcfg_alter_free(struct tcfg_alter *a)
{
	for (int i = 0; i < a->n; i++) {
		free(a->names[i]);
		free(a->values[i]);
	}
	free(a->names);
	free(a->values);
	free(a->ops);
	free(a->type);
	free(a->name);
	free(a);
}

static void tcfg_alter_finish(struct tcfg_alter *a, int16_t kerr, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void tcfg_alter_finish(struct tcfg_alter *a, int16_t kerr, const char *fmt, ...)
{
	char msg[320];
	if (fmt) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(msg, sizeof msg, fmt, ap);
		va_end(ap);
	}
	coord_post_done(a->c, a->done, a->arg, kerr, fmt ? msg : NULL);
	tcfg_alter_free(a);
}

static int tcfg_is_topics(const struct tcfg_alter *a)
{
	return strcmp(a->type, "topics") == 0;
}

static int tcfg_find(const struct tcfg_msg *m, const char *key)
{
	for (int i = 0; i < m->n; i++)
		if (strcmp(m->keys[i], key) == 0)
			return i;
	return -1;
}

static void tcfg_remove(struct tcfg_msg *m, int i)
{
	free(m->keys[i]);
	free(m->values[i]);
	m->n--;
	m->keys[i] = m->keys[m->n];
	m->values[i] = m->values[m->n];
}

/* Sets key to value (copied); 0 or -1 (full or out of memory). */
static int tcfg_put(struct tcfg_msg *m, const char *key, const char *value)
{
	char *v = strdup(value);
	int i = tcfg_find(m, key);
	if (v && i >= 0) {
		free(m->values[i]);
		m->values[i] = v;
		return 0;
	}
	char *k = v && m->n < TCFG_MAX_PAIRS ? strdup(key) : NULL;
	if (!k) {
		free(v);
		return -1;
	}
	m->keys[m->n] = k;
	m->values[m->n++] = v;
	return 0;
}

/* Does the comma list contains item? */
static int tcfg_list_has(const char *list, const char *item, size_t ilen)
{
	for (const char *p = list; p && *p;) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (n == ilen && memcmp(p, item, n) == 0)
			return 1;
		p = e ? e + 1 : NULL;
	}
	return 0;
}

/* APPEND (items not yet present, in order) or SUBTRACT (every item of
 * value) on a comma list; an emptied list removes the key, as Kafka. */
static int tcfg_list_op(struct tcfg_msg *m, const char *key, const char *value, int append)
{
	int i = tcfg_find(m, key);
	const char *old = i >= 0 ? m->values[i] : "";
	const char *from = append ? value : old, *against = append ? old : value;
	size_t cap = strlen(old) + strlen(value) + 2;
	char *out = malloc(cap);
	if (!out)
		return -1;
	size_t o = 0;
	if (append) {
		memcpy(out, old, strlen(old));
		o = strlen(old);
	}
	out[o] = 0;
	for (const char *p = from; *p;) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		int keep = n > 0 && (append ? !tcfg_list_has(against, p, n) &&
						      !tcfg_list_has(out, p, n)
					    : !tcfg_list_has(against, p, n));
		if (keep) {
			if (o)
				out[o++] = ',';
			memcpy(out + o, p, n);
			o += n;
			out[o] = 0;
		}
		p = e ? e + 1 : p + n;
	}
	int rc = 0;
	if (o == 0 && i >= 0)
		tcfg_remove(m, i);
	else if (o > 0)
		rc = tcfg_put(m, key, out);
	free(out);
	return rc;
}

/* Applies a's operations to m. Returns 0 or a Kafka error with msg set. */
static int16_t tcfg_apply_ops(const struct tcfg_alter *a, struct tcfg_msg *m,
			      char *msg, size_t cap)
{
	for (int i = 0; i < a->n; i++) {
		const char *k = a->names[i], *v = a->values[i];
		int8_t op = a->ops[i];
		if (a->replace && !v)
			continue; /* Kafka's AlterConfigs drops null values */
		if (op != TCFG_DELETE && !v) {
			snprintf(msg, cap, "Null value not supported for : %s", k);
			return KERR_INVALID_REQUEST;
		}
		if ((op == TCFG_APPEND || op == TCFG_SUBTRACT) && (!a->is_list || !a->is_list(k))) {
			snprintf(msg, cap, "Config value %s is not allowed for config key: %s",
				 op == TCFG_APPEND ? "append" : "subtract", k);
			return KERR_INVALID_REQUEST;
		}
		int rc = 0, at;
		switch (op) {
		case TCFG_SET: rc = tcfg_put(m, k, v); break;
		case TCFG_DELETE:
			if ((at = tcfg_find(m, k)) >= 0)
				tcfg_remove(m, at);
			break;
		case TCFG_APPEND:
		case TCFG_SUBTRACT: rc = tcfg_list_op(m, k, v, op == TCFG_APPEND); break;
		default:
			snprintf(msg, cap, "Unknown config operation %d for %s", op, k);
			return KERR_INVALID_REQUEST;
		}
		if (rc) {
			snprintf(msg, cap, "too many configs or out of memory");
			return KERR_UNKNOWN_SERVER_ERROR;
		}
	}
	for (int i = 0; i < m->n && a->check; i++)
		if (a->check(m->keys[i], m->values[i], msg, cap) < 0)
			return a->check_kerr;
	return 0;
}

/* Kafka 2.x (AdminZkClient.changeEntityConfig): the entity config, then a
 * sequential change notification that brokers watching /config/changes
 * act on. */
static int tcfg_write(struct coord *c, const struct tcfg_alter *a, const struct tcfg_msg *m,
		      int32_t version)
{
	char path[512];
	struct zbuf b;
	snprintf(path, sizeof path, "/config/%s/%s", a->type, a->name);
	zb_init(&b);
	zn_config_build(&b, (const char *const *)m->keys, (const char *const *)m->values, m->n);
	int rc = b.oom ? ZSYSTEMERROR : version < 0
		 ? zoo_create(c->zh, path, b.p, (int)b.len, zk_acl(c, path), 0, NULL, 0)
		 : zoo_set(c->zh, path, b.p, (int)b.len, version);
	if (rc == ZNONODE && !tcfg_is_topics(a)) {
		/* /config/brokers is made at start-up; recreate it if removed */
		snprintf(path, sizeof path, "/config/%s", a->type);
		if (zk_create_path(c, path) == ZOK) {
			snprintf(path, sizeof path, "/config/%s/%s", a->type, a->name);
			rc = zoo_create(c->zh, path, b.p, (int)b.len, zk_acl(c, path), 0,
					NULL, 0);
		}
	}
	zb_free(&b);
	if (rc != ZOK)
		return rc;
	zb_init(&b);
	zb_puts(&b, "{\"version\":2,\"entity_path\":");
	snprintf(path, sizeof path, "%s/%s", a->type, a->name);
	zb_jstr(&b, path);
	zb_puts(&b, "}");
	char made[512];
	rc = b.oom ? ZSYSTEMERROR
		   : zoo_create(c->zh, "/config/changes/config_change_", b.p, (int)b.len,
				zk_acl(c, "/config/changes/config_change_"), ZOO_SEQUENCE, made, sizeof made);
	if (rc == ZNONODE && zk_create_path(c, "/config/changes") == ZOK)
		rc = zoo_create(c->zh, "/config/changes/config_change_", b.p, (int)b.len,
				zk_acl(c, "/config/changes/config_change_"), ZOO_SEQUENCE, made, sizeof made);
	zb_free(&b);
	if (rc != ZOK)
		log_warn(COORD_MOD, "config of %s/%s written but no change notification: %s",
			 a->type, a->name, zerror(rc));
	return ZOK; /* the config itself is in place; brokers watch it directly */
}

/* A topic must exist (Kafka checks /brokers/topics/<t>); a broker entity
 * is "<default>" or a broker id, which need not be registered (Kafka lets
 * configs be prepared for a broker before it starts). */
static int tcfg_entity_ok(struct coord *c, struct tcfg_alter *a)
{
	if (tcfg_is_topics(a)) {
		char path[512];
		struct Stat st;
		snprintf(path, sizeof path, "/brokers/topics/%s", a->name);
		if (!zn_topic_name_valid(a->name) || zoo_exists(c->zh, path, 0, &st) != ZOK) {
			tcfg_alter_finish(a, KERR_UNKNOWN_TOPIC_OR_PARTITION, "Topic %s does not exist",
					  a->name);
			return 0;
		}
		return 1;
	}
	size_t n = strlen(a->name);
	char user[256];
	if (strcmp(a->type, "users") == 0) {
		/* a sanitized user name (AlterUserScramCredentials) */
		int ok = !strchr(a->name, '/') && entity_desanitize(a->name, user, sizeof user) == 0;
		if (!ok)
			tcfg_alter_finish(a, KERR_INVALID_REQUEST, "Invalid user name %.64s", a->name);
		return ok;
	}
	int ok = strcmp(a->type, "brokers") == 0 && n > 0 && n < 12 &&
		 (strcmp(a->name, BROKER_DEFAULT) == 0 || strspn(a->name, "0123456789") == n);
	if (!ok)
		tcfg_alter_finish(a, KERR_INVALID_REQUEST, "Invalid entity %.32s/%.64s",
				  a->type, a->name);
	return ok;
}

/* Kafka's DescribeConfigs reads ZooKeeper, so a describe right after an
 * alter sees the new value. Here the loop thread serves describes from its
 * copy: re-read what was just written and post it before the alter's
 * result (the mailbox is FIFO), so this broker's next answer is fresh;
 * other brokers follow the change notification as Kafka's do. */
static void tcfg_refresh_local(struct coord *c, const struct tcfg_alter *a)
{
	if (tcfg_is_topics(a)) {
		if (c->cfg.topic_config_fn)
			tcfg_read(c, a->name, NULL); /* the write was logged */
		return;
	}
	if (strcmp(a->type, "brokers") != 0)
		return; /* other entities (users) follow their notification */
	int layer = -1;
	if (strcmp(a->name, BROKER_DEFAULT) == 0)
		layer = 0;
	else if (atoi(a->name) == (int)c->cfg.broker_id)
		layer = 1;
	if (layer >= 0 && c->cfg.broker_config_fn)
		bcfg_read(c, layer, NULL); /* the write was logged */
}

/* One attempt: read (incremental), apply, check, write at the version read.
 * Returns 1 to retry after a concurrent write, else 0 (a finished). */
static int tcfg_alter_try(struct coord *c, struct tcfg_alter *a)
{
	char path[512], msg[300] = "";
	struct Stat st;
	if (!tcfg_entity_ok(c, a))
		return 0;
	snprintf(path, sizeof path, "/config/%s/%s", a->type, a->name);
	char *data = NULL;
	int len = 0;
	int rc = zk_get_alloc(c, path, 0, &data, &len, &st);
	int32_t version = rc == ZOK ? st.version : -1;
	struct tcfg_msg *m = calloc(1, sizeof *m);
	int16_t kerr = m ? 0 : KERR_UNKNOWN_SERVER_ERROR;
	if (rc != ZOK && rc != ZNONODE) {
		kerr = KERR_REQUEST_TIMED_OUT;
		snprintf(msg, sizeof msg, "ZooKeeper: %s", zerror(rc));
	} else if (m && rc == ZOK && !a->replace && tcfg_parse(m, data, (size_t)len) < 0) {
		kerr = KERR_UNKNOWN_SERVER_ERROR;
		snprintf(msg, sizeof msg, "malformed config znode of %.200s", a->name);
	}
	free(data);
	if (!kerr)
		kerr = tcfg_apply_ops(a, m, msg, sizeof msg);
	int retry = 0;
	if (!kerr && !a->validate_only) {
		rc = tcfg_write(c, a, m, version);
		retry = rc == ZBADVERSION || rc == ZNODEEXISTS || rc == ZNONODE;
		if (rc != ZOK && !retry) {
			kerr = KERR_UNKNOWN_SERVER_ERROR;
			snprintf(msg, sizeof msg, "ZooKeeper: %s", zerror(rc));
		} else if (rc == ZOK) {
			char entity[300];
			snprintf(entity, sizeof entity, "%s/%s", a->type, a->name);
			tcfg_log_change(c, "written", entity, version + 1, m, tcfg_is_topics(a),
					"AlterConfigs");
			tcfg_refresh_local(c, a);
		}
	}
	if (m)
		tcfg_msg_free(m);
	if (retry)
		return 1;
	if (kerr)
		tcfg_alter_finish(a, kerr, "%s", msg);
	else
		tcfg_alter_finish(a, 0, NULL);
	return 0;
}

static void tcfg_alter_run(void *p)
{
	struct tcfg_alter *a = p;
	struct coord *c = a->c;
	if (atomic_load(&c->stopping) || !c->zh || zoo_state(c->zh) != ZOO_CONNECTED_STATE) {
		tcfg_alter_finish(a, KERR_REQUEST_TIMED_OUT, "ZooKeeper session not available");
		return;
	}
	for (int k = 1; k <= TCFG_ATTEMPTS; k++)
		if (!tcfg_alter_try(c, a))
			return;
	tcfg_alter_finish(a, KERR_UNKNOWN_SERVER_ERROR, "config of %s/%s kept changing concurrently",
			  a->type, a->name);
}

/* Copies the operations; 0, or -1 on allocation failure. */
static int tcfg_alter_copy_ops(struct tcfg_alter *a, const struct coord_config_op *ops, int n)
{
	a->names = calloc((size_t)n + 1, sizeof *a->names);
	a->values = calloc((size_t)n + 1, sizeof *a->values);
	a->ops = calloc((size_t)n + 1, sizeof *a->ops);
	if (!a->names || !a->values || !a->ops)
		return -1;
	for (int i = 0; i < n; i++) {
		a->names[i] = strdup(ops[i].name ? ops[i].name : "");
		a->values[i] = ops[i].value ? strdup(ops[i].value) : NULL;
		a->ops[i] = ops[i].op;
		a->n = i + 1;
		if (!a->names[i] || (ops[i].value && !a->values[i]))
			return -1;
	}
	return 0;
}

void coord_alter_entity_config(struct coord *c, const struct coord_entity_alter *ea,
			       coord_done_fn done, void *arg)
{
	struct tcfg_alter *a = calloc(1, sizeof *a);
	if (!a)
		return; /* cannot even answer; the request times out */
	int n = ea->n > 0 ? ea->n : 0;
	a->c = c;
	a->done = done;
	a->arg = arg;
	a->replace = ea->replace;
	a->validate_only = ea->validate_only;
	a->check = ea->check;
	a->check_kerr = ea->check_kerr;
	a->is_list = ea->is_list;
	a->type = strdup(ea->type ? ea->type : "");
	a->name = strdup(ea->name ? ea->name : "");
	int bad = !a->type || !a->name || tcfg_alter_copy_ops(a, ea->ops, n) < 0;
	if (!bad && n > TCFG_MAX_PAIRS) {
		tcfg_alter_finish(a, KERR_INVALID_REQUEST, "too many configs (%d)", n);
		return;
	}
	for (int i = 0; !bad && i < n; i++)
		for (int j = 0; j < i; j++)
			if (strcmp(a->names[i], a->names[j]) == 0) {
				tcfg_alter_finish(a, KERR_INVALID_REQUEST,
						  "Error due to duplicate config keys");
				return;
			}
	if (bad)
		tcfg_alter_finish(a, KERR_UNKNOWN_SERVER_ERROR, "out of memory");
	else
		mbox_post(c->events, tcfg_alter_run, a);
}
