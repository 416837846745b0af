/* Topic configs: a strmap of topic -> its overrides and its effective
 * config. What each key is (type, bounds, broker synonyms) is the topic
 * table of config_def.c. The effective config is computed when it can
 * change — the topic's overrides arrive, or a dynamic broker default
 * changes (topic_config_refresh_all) — and read by copy on every produce,
 * fetch and partition open. Topics without overrides share the entry under
 * the empty name (never a topic's). */
#include "broker/topic_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "broker/broker.h"
#include "broker/config_def.h"
#include "broker/replica/replica_manager.h"
#include "common/log.h"

struct topic_entry {
	int n;
	char **keys, **values;
	struct topic_config eff;
};

static struct strmap *table(const struct broker *b)
{
	return (struct strmap *)&b->topic_configs;
}

int topic_config_is_list(const char *key)
{
	const struct config_def *d = config_def_find(CONFIG_ENTITY_TOPIC, key);
	return d && d->type == CONFIG_TYPE_LIST;
}

int topic_config_check(const char *key, const char *value, char *err, size_t errlen)
{
	const struct config_def *d = config_def_find(CONFIG_ENTITY_TOPIC, key);
	if (!d) {
		snprintf(err, errlen, "Unknown topic config name: %.200s", key);
		return -1;
	}
	return config_def_check_kafka(d, key, value, err, errlen);
}

static const char *entry_get(const struct topic_entry *o, const char *key)
{
	for (int i = 0; o && i < o->n; i++)
		if (strcmp(o->keys[i], key) == 0)
			return o->values[i];
	return NULL;
}

/* Stores a checked value into the row's field of tc. */
static void field_store(struct topic_config *tc, const struct config_def *d, const char *v)
{
	char t[64];
	size_t n = strspn(v, " \t\r\n");
	snprintf(t, sizeof t, "%s", v + n);
	for (n = strlen(t); n > 0 && (unsigned char)t[n - 1] <= ' ';)
		t[--n] = '\0';
	void *f = (char *)tc + d->field - 1;
	int64_t x = 0;
	if (d->type == CONFIG_TYPE_DOUBLE)
		*(double *)f = strtod(t, NULL);
	else if (d->type == CONFIG_TYPE_BOOLEAN)
		*(int *)f = strcasecmp(t, "true") == 0;
	else if (config_def_parse_long(t, &x) < 0)
		return; /* checked before; never here */
	else if (d->type == CONFIG_TYPE_LONG || (d->flags & CONFIG_F_FIELD64))
		*(int64_t *)f = x;
	else
		*(int32_t *)f = (int32_t)x;
}

/* A topic key's value: the override, else the broker's effective value of
 * its first synonym, else the table's default. */
static const char *key_value(const struct broker_config *cfg, const struct topic_entry *o,
			     const struct config_def *d, char *buf, size_t n)
{
	const char *v = entry_get(o, d->name);
	if (v)
		return v;
	if (d->synonyms && d->synonyms[0] && broker_config_get(cfg, d->synonyms[0], buf, n) >= 0)
		return buf;
	return d->def;
}

static void compute(const struct broker *b, const struct topic_entry *o, struct topic_config *out)
{
	const struct broker_config *cfg = b->cfg;
	int nt;
	const struct config_def *t = config_defs(CONFIG_ENTITY_TOPIC, &nt);
	memset(out, 0, sizeof *out);
	broker_config_log(cfg, &out->log);
	for (int i = 0; i < nt; i++) {
		char buf[1024];
		const char *v = key_value(cfg, o, &t[i], buf, sizeof buf);
		if (!v)
			continue;
		if (t[i].field)
			field_store(out, &t[i], v);
		else if (strcmp(t[i].name, "cleanup.policy") == 0) {
			out->compact = strstr(v, "compact") != NULL;
			out->delete_segments = strstr(v, "delete") != NULL;
		} else if (strcmp(t[i].name, "message.timestamp.type") == 0) {
			out->log_append_time = strstr(v, "LogAppendTime") != NULL;
		}
	}
	if (out->log.retention_ms < 0)
		out->log.retention_ms = -1;
	if (out->log.retention_bytes < 0)
		out->log.retention_bytes = -1;
	if (!out->delete_segments) {
		/* compact-only topics never lose segments to retention */
		out->log.retention_ms = -1;
		out->log.retention_bytes = -1;
	}
	/* the log cleaner's settings (broker/storage, log_clean) */
	out->log.compact = out->compact && cfg->log_cleaner_enable;
	out->log.delete_retention_ms = out->delete_retention_ms;
	out->log.min_compaction_lag_ms = out->min_compaction_lag_ms;
}

void topic_config_effective(const struct broker *b, const char *topic, int32_t tlen,
			    struct topic_config *out)
{
	const struct topic_entry *o = strmap_get(table(b), topic, (size_t)tlen);
	if (!o)
		o = strmap_get(table(b), "", 0);
	if (o)
		*out = o->eff;
	else
		compute(b, NULL, out); /* before topic_config_refresh_all */
}

const char *topic_config_override(const struct broker *b, const char *topic, int32_t tlen,
				  const char *key)
{
	return tlen > 0 ? entry_get(strmap_get(table(b), topic, (size_t)tlen), key) : NULL;
}

static void entry_free(struct topic_entry *o)
{
	if (!o)
		return;
	for (int i = 0; i < o->n; i++) {
		free(o->keys[i]);
		free(o->values[i]);
	}
	free(o->keys);
	free(o->values);
	free(o);
}

static struct topic_entry *entry_copy(const char *const *keys, const char *const *values, int n)
{
	struct topic_entry *o = calloc(1, sizeof *o);
	if (!o)
		return NULL;
	o->keys = calloc((size_t)n + 1, sizeof *o->keys);
	o->values = calloc((size_t)n + 1, sizeof *o->values);
	if (!o->keys || !o->values) {
		entry_free(o);
		return NULL;
	}
	for (; o->n < n; o->n++) {
		o->keys[o->n] = strdup(keys[o->n]);
		o->values[o->n] = strdup(values[o->n]);
		if (!o->keys[o->n] || !o->values[o->n]) {
			o->n++;
			entry_free(o);
			return NULL;
		}
	}
	return o;
}

/* Overrides arrive from ZooKeeper, which anyone with write access (zkCli)
 * can fill with anything: each known key's value is checked as
 * AlterConfigs checks it, and a refused one is replaced by the key's
 * previous value (or dropped), with a warning naming the key. Unknown keys
 * are kept, as Kafka keeps custom configs; nothing reads them. Returns the
 * number of pairs kept in kk/vv. */
static int overrides_validate(const char *topic, const struct topic_entry *old,
			      const char *const *keys, const char *const *values, int n,
			      const char **kk, const char **vv)
{
	int m = 0;
	for (int i = 0; i < n; i++) {
		char why[320];
		const char *v = values[i];
		if (config_def_find(CONFIG_ENTITY_TOPIC, keys[i]) &&
		    topic_config_check(keys[i], v, why, sizeof why) < 0) {
			const char *prev = entry_get(old, keys[i]);
			log_warn("broker", "topic %s: config from ZooKeeper refused: %s; %s%s", topic,
				 why, prev ? "keeping the previous value " : "the key stays unset",
				 prev ? prev : "");
			if (!prev)
				continue;
			v = prev;
		}
		kk[m] = keys[i];
		vv[m++] = v;
	}
	return m;
}

/* The entry for the default view (no overrides), made once. */
static void default_entry_refresh(struct broker *b)
{
	struct topic_entry *o = strmap_get(&b->topic_configs, "", 0);
	if (!o && (o = calloc(1, sizeof *o)) && strmap_put(&b->topic_configs, "", 0, o) < 0) {
		free(o);
		o = NULL;
	}
	if (o)
		compute(b, NULL, &o->eff);
}

void topic_config_set(struct broker *b, const char *topic, const char *const *keys,
		      const char *const *values, int n)
{
	size_t tlen = strlen(topic);
	if (tlen == 0)
		return; /* never a topic; the name of the default entry */
	struct topic_entry *old = strmap_del(&b->topic_configs, topic, tlen);
	const char **kk = calloc((size_t)(n > 0 ? n : 0) + 1, sizeof *kk);
	const char **vv = calloc((size_t)(n > 0 ? n : 0) + 1, sizeof *vv);
	if (!kk || !vv) {
		free(kk);
		free(vv);
		if (old && strmap_put(&b->topic_configs, topic, tlen, old) < 0)
			entry_free(old);
		log_error("broker", "out of memory storing configs of topic %s", topic);
		return;
	}
	n = overrides_validate(topic, old, keys, values, n, kk, vv);
	if (n > 0) {
		struct topic_entry *o = entry_copy(kk, vv, n);
		if (o)
			compute(b, o, &o->eff);
		if (!o || strmap_put(&b->topic_configs, topic, tlen, o) < 0) {
			entry_free(o);
			log_error("broker", "out of memory storing configs of topic %s", topic);
			n = -1;
		}
	}
	entry_free(old); /* after the copy: vv may point into it */
	free(kk);
	free(vv);
	if (!strmap_get(&b->topic_configs, "", 0))
		default_entry_refresh(b);
	if (n >= 0)
		rm_apply_topic_config(b->rm, topic);
}

void topic_config_refresh_all(struct broker *b)
{
	default_entry_refresh(b);
	const char *k;
	void *v;
	for (size_t i = 0; strmap_next(&b->topic_configs, &i, &k, &v);) {
		struct topic_entry *o = v;
		if (o->n > 0)
			compute(b, o, &o->eff);
	}
}

void topic_config_free_all(struct broker *b)
{
	const char *k;
	void *v;
	for (size_t i = 0; strmap_next(&b->topic_configs, &i, &k, &v);)
		entry_free(v);
	strmap_free(&b->topic_configs);
}
