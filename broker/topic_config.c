/* Topic configs: a strmap of topic -> its override pairs; the effective
 * config is computed on demand (partition open, produce checks), which is
 * cheap: a handful of string compares per override. */
#include "broker/topic_config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker/broker.h"
#include "broker/replica/replica_manager.h"
#include "common/log.h"

struct overrides {
	int n;
	char **keys, **values;
};

static struct strmap *table(const struct broker *b)
{
	return (struct strmap *)&b->topic_configs;
}

static int parse_long(const char *v, int64_t min, int64_t *out)
{
	char *end;
	errno = 0;
	long long x = strtoll(v, &end, 10);
	if (errno || end == v || *end || x < min)
		return -1;
	*out = x;
	return 0;
}

/* Which keys are numbers, and their lower bound. */
static const struct {
	const char *key;
	int64_t min;
} numeric_keys[] = {
	{ "retention.ms", -1 },          { "retention.bytes", -1 },
	{ "segment.bytes", 14 },         { "segment.ms", 1 },
	{ "flush.messages", 1 },         { "flush.ms", 0 },
	{ "index.interval.bytes", 0 },   { "segment.index.bytes", 4 },
	{ "min.insync.replicas", 1 },    { "max.message.bytes", 0 },
	{ "delete.retention.ms", 0 },    { "min.compaction.lag.ms", 0 },
	{ "max.compaction.lag.ms", 1 },  { "file.delete.delay.ms", 0 },
	{ "segment.jitter.ms", 0 },      { "min.cleanable.dirty.ratio", 0 },
};

static const char *const other_keys[] = {
	"cleanup.policy", "compression.type", "message.timestamp.type",
	"unclean.leader.election.enable", "preallocate", "message.downconversion.enable",
	"follower.replication.throttled.replicas", "leader.replication.throttled.replicas",
	"message.format.version", "message.timestamp.difference.max.ms",
};

static int check_enum(const char *value, const char *const *allowed)
{
	for (; *allowed; allowed++)
		if (strcmp(value, *allowed) == 0)
			return 0;
	return -1;
}

static int check_cleanup_policy(const char *v)
{
	return strcmp(v, "delete") && strcmp(v, "compact") && strcmp(v, "compact,delete") &&
	       strcmp(v, "delete,compact") ? -1 : 0;
}

int topic_config_check(const char *key, const char *value, char *err, size_t errlen)
{
	int64_t x;
	for (size_t i = 0; i < sizeof numeric_keys / sizeof numeric_keys[0]; i++) {
		if (strcmp(key, numeric_keys[i].key))
			continue;
		/* a ratio: Kafka takes a double in [0, 1] */
		if (strcmp(key, "min.cleanable.dirty.ratio") == 0) {
			char *end;
			double d = strtod(value, &end);
			if (end != value && !*end && d >= 0 && d <= 1)
				return 0;
		} else if (parse_long(value, numeric_keys[i].min, &x) == 0) {
			return 0;
		}
		snprintf(err, errlen, "invalid value \"%s\" for %s", value, key);
		return -1;
	}
	static const char *const compressions[] = { "producer", "uncompressed", "gzip",
						    "snappy", "lz4", "zstd", NULL };
	static const char *const ts_types[] = { "CreateTime", "LogAppendTime", NULL };
	static const char *const bools[] = { "true", "false", NULL };
	int bad = 0;
	if (strcmp(key, "cleanup.policy") == 0)
		bad = check_cleanup_policy(value);
	else if (strcmp(key, "compression.type") == 0)
		bad = check_enum(value, compressions);
	else if (strcmp(key, "message.timestamp.type") == 0)
		bad = check_enum(value, ts_types);
	else if (strcmp(key, "unclean.leader.election.enable") == 0 ||
		 strcmp(key, "preallocate") == 0)
		bad = check_enum(value, bools);
	else {
		int known = 0;
		for (size_t i = 0; i < sizeof other_keys / sizeof other_keys[0]; i++)
			known |= strcmp(key, other_keys[i]) == 0;
		if (!known) {
			snprintf(err, errlen, "unknown topic config %s", key);
			return -1;
		}
	}
	if (bad) {
		snprintf(err, errlen, "invalid value \"%s\" for %s", value, key);
		return -1;
	}
	return 0;
}

static void apply_one(struct topic_config *tc, const char *key, const char *value)
{
	int64_t x;
	if (strcmp(key, "cleanup.policy") == 0) {
		tc->compact = strstr(value, "compact") != NULL;
		tc->delete_segments = strstr(value, "delete") != NULL;
		return;
	}
	if (strcmp(key, "message.timestamp.type") == 0) {
		tc->log_append_time = strcmp(value, "LogAppendTime") == 0;
		return;
	}
	if (parse_long(value, INT64_MIN, &x) < 0)
		return;
	if (!strcmp(key, "retention.ms"))
		tc->log.retention_ms = x;
	else if (!strcmp(key, "retention.bytes"))
		tc->log.retention_bytes = x;
	else if (!strcmp(key, "segment.bytes"))
		tc->log.segment_bytes = x;
	else if (!strcmp(key, "segment.ms"))
		tc->log.roll_ms = x;
	else if (!strcmp(key, "flush.messages"))
		tc->log.flush_interval_messages = x;
	else if (!strcmp(key, "flush.ms"))
		tc->log.flush_interval_ms = x;
	else if (!strcmp(key, "index.interval.bytes"))
		tc->log.index_interval_bytes = (int32_t)x;
	else if (!strcmp(key, "segment.index.bytes"))
		tc->log.segment_index_bytes = (int32_t)x;
	else if (!strcmp(key, "min.insync.replicas"))
		tc->min_insync_replicas = (int32_t)x;
	else if (!strcmp(key, "max.message.bytes"))
		tc->max_message_bytes = (int32_t)x;
	else if (!strcmp(key, "delete.retention.ms"))
		tc->delete_retention_ms = x;
	else if (!strcmp(key, "min.compaction.lag.ms"))
		tc->min_compaction_lag_ms = x;
}

void topic_config_effective(const struct broker *b, const char *topic, int32_t tlen,
			    struct topic_config *out)
{
	const struct broker_config *cfg = b->cfg;
	memset(out, 0, sizeof *out);
	broker_config_log(cfg, &out->log);
	out->min_insync_replicas = cfg->min_insync_replicas;
	out->max_message_bytes = cfg->message_max_bytes;
	out->compact = cfg->log_cleanup_policy && strstr(cfg->log_cleanup_policy, "compact");
	out->delete_segments = !cfg->log_cleanup_policy || strstr(cfg->log_cleanup_policy, "delete");
	out->delete_retention_ms = 86400000;
	out->log_append_time = cfg->log_message_timestamp_type &&
			       strcmp(cfg->log_message_timestamp_type, "LogAppendTime") == 0;
	const struct overrides *o = strmap_get(table(b), topic, (size_t)tlen);
	for (int i = 0; o && i < o->n; i++)
		apply_one(out, o->keys[i], o->values[i]);
	if (!out->delete_segments) {
		/* compact-only topics never lose segments to retention */
		out->log.retention_ms = -1;
		out->log.retention_bytes = -1;
	}
	/* the log cleaner's settings (broker/storage, log_clean) */
	out->log.compact = out->compact && cfg->log_cleaner_enable;
	out->log.delete_retention_ms = out->delete_retention_ms;
	out->log.min_compaction_lag_ms = out->min_compaction_lag_ms;
	const char *ratio = topic_config_override(b, topic, tlen, "min.cleanable.dirty.ratio");
	if (ratio)
		out->log.min_cleanable_dirty_ratio = strtod(ratio, NULL);
}

const char *topic_config_override(const struct broker *b, const char *topic, int32_t tlen,
				  const char *key)
{
	const struct overrides *o = strmap_get(table(b), topic, (size_t)tlen);
	for (int i = 0; o && i < o->n; i++)
		if (strcmp(o->keys[i], key) == 0)
			return o->values[i];
	return NULL;
}

static void overrides_free(struct overrides *o)
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

static struct overrides *overrides_copy(const char *const *keys, const char *const *values, int n)
{
	struct overrides *o = calloc(1, sizeof *o);
	if (!o)
		return NULL;
	o->keys = calloc((size_t)n + 1, sizeof *o->keys);
	o->values = calloc((size_t)n + 1, sizeof *o->values);
	if (!o->keys || !o->values) {
		overrides_free(o);
		return NULL;
	}
	for (; o->n < n; o->n++) {
		o->keys[o->n] = strdup(keys[o->n]);
		o->values[o->n] = strdup(values[o->n]);
		if (!o->keys[o->n] || !o->values[o->n]) {
			o->n++;
			overrides_free(o);
			return NULL;
		}
	}
	return o;
}

static int key_known(const char *key)
{
	for (size_t i = 0; i < sizeof numeric_keys / sizeof numeric_keys[0]; i++)
		if (strcmp(key, numeric_keys[i].key) == 0)
			return 1;
	for (size_t i = 0; i < sizeof other_keys / sizeof other_keys[0]; i++)
		if (strcmp(key, other_keys[i]) == 0)
			return 1;
	return 0;
}

/* Overrides arrive from ZooKeeper, which anyone with write access (zkCli)
 * can fill with anything: each known key's value is checked as
 * AlterConfigs checks it, and a refused one is replaced by the key's
 * previous value (or dropped), with a warning naming the key. Unknown keys
 * are kept, as Kafka keeps custom configs; nothing reads them. Returns the
 * number of pairs kept in kk/vv. */
static int overrides_validate(const char *topic, const struct overrides *old,
			      const char *const *keys, const char *const *values, int n,
			      const char **kk, const char **vv)
{
	int m = 0;
	for (int i = 0; i < n; i++) {
		char why[320];
		const char *v = values[i];
		if (key_known(keys[i]) && topic_config_check(keys[i], v, why, sizeof why) < 0) {
			const char *prev = NULL;
			for (int j = 0; old && j < old->n && !prev; j++)
				if (strcmp(old->keys[j], keys[i]) == 0)
					prev = old->values[j];
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

void topic_config_set(struct broker *b, const char *topic, const char *const *keys,
		      const char *const *values, int n)
{
	size_t tlen = strlen(topic);
	struct overrides *old = strmap_del(&b->topic_configs, topic, tlen);
	const char **kk = calloc((size_t)(n > 0 ? n : 0) + 1, sizeof *kk);
	const char **vv = calloc((size_t)(n > 0 ? n : 0) + 1, sizeof *vv);
	if (!kk || !vv) {
		free(kk);
		free(vv);
		if (old && strmap_put(&b->topic_configs, topic, tlen, old) < 0)
			overrides_free(old);
		log_error("broker", "out of memory storing configs of topic %s", topic);
		return;
	}
	n = overrides_validate(topic, old, keys, values, n, kk, vv);
	if (n > 0) {
		struct overrides *o = overrides_copy(kk, vv, n);
		if (!o || strmap_put(&b->topic_configs, topic, tlen, o) < 0) {
			overrides_free(o);
			log_error("broker", "out of memory storing configs of topic %s", topic);
			n = -1;
		}
	}
	overrides_free(old); /* after the copy: vv may point into it */
	free(kk);
	free(vv);
	if (n >= 0)
		rm_apply_topic_config(b->rm, topic);
}

void topic_config_free_all(struct broker *b)
{
	const char *k;
	void *v;
	for (size_t i = 0; strmap_next(&b->topic_configs, &i, &k, &v);)
		overrides_free(v);
	strmap_free(&b->topic_configs);
}
