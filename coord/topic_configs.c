/* Topic config feed: every broker (not only the controller) keeps a child
 * watch on /config/topics and a data watch on each /config/topics/<t>, and
 * hands each topic's overrides to the data plane, which applies them to the
 * topic's partition logs. Data watches see AlterConfigs-style rewrites of the
 * node directly, so /config/changes notifications are not needed for it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "coord/coord_int.h"
#include "coord/zjson.h"

#define CONFIG_TOPICS "/config/topics"
#define TCFG_MAX_PAIRS 64

struct tcfg_msg {
	coord_topic_config_fn fn;
	void *arg;
	char *topic;
	int n;
	char *keys[TCFG_MAX_PAIRS];
	char *values[TCFG_MAX_PAIRS];
};

static void tcfg_msg_free(struct tcfg_msg *m)
{
	for (int i = 0; i < m->n; i++) {
		free(m->keys[i]);
		free(m->values[i]);
	}
	free(m->topic);
	free(m);
}

static void tcfg_deliver(void *arg)
{
	struct tcfg_msg *m = arg;
	m->fn(m->arg, m->topic, (const char *const *)m->keys, (const char *const *)m->values, m->n);
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

/* Reads one topic's node (re-arming its data watch) and delivers it. */
static void tcfg_read(struct coord *c, const char *topic)
{
	char path[512];
	if (!zn_topic_name_valid(topic))
		return;
	snprintf(path, sizeof path, CONFIG_TOPICS "/%s", topic);
	char *data = NULL;
	int len = 0;
	struct Stat st;
	int rc = zk_get_alloc(c, path, 1, &data, &len, &st);
	if (rc != ZOK && rc != ZNONODE)
		return; /* the session event path re-reads everything later */
	struct tcfg_msg *m = calloc(1, sizeof *m);
	if (!m || !(m->topic = strdup(topic))) {
		free(m);
		free(data);
		return;
	}
	m->fn = c->cfg.topic_config_fn;
	m->arg = c->cfg.topic_config_arg;
	if (rc == ZOK && tcfg_parse(m, data, (size_t)len) < 0) {
		log_warn(COORD_MOD, "malformed config in %s: ignored", path);
		tcfg_msg_free(m);
		free(data);
		return;
	}
	free(data);
	mbox_post(c->loop_mbox, tcfg_deliver, m);
}

void tcfg_sync_all(struct coord *c)
{
	if (!c->cfg.topic_config_fn)
		return;
	struct String_vector kids = { 0, NULL };
	if (zoo_get_children(c->zh, CONFIG_TOPICS, 1, &kids) != ZOK)
		return;
	for (int i = 0; i < kids.count; i++)
		tcfg_read(c, kids.data[i]);
	deallocate_String_vector(&kids);
}

int tcfg_on_watch(struct coord *c, const char *path)
{
	if (!c->cfg.topic_config_fn)
		return 0;
	if (strcmp(path, CONFIG_TOPICS) == 0) {
		tcfg_sync_all(c);
		return 1;
	}
	size_t n = strlen(CONFIG_TOPICS "/");
	if (strncmp(path, CONFIG_TOPICS "/", n) == 0 && !strchr(path + n, '/')) {
		tcfg_read(c, path + n);
		return 1;
	}
	return 0;
}
