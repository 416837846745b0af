/* Topic-level configs: Kafka's per-topic keys (the topic table of
 * config_def.c: retention.ms, segment.bytes, cleanup.policy, ...), stored
 * as overrides in /config/topics/<t> and laid over the broker's defaults.
 * Overrides arrive from the coordination thread (when a topic appears and
 * when its znode changes) and are applied to the topic's partition logs at
 * once. The effective config is computed when overrides or broker defaults
 * change, never per request. Owned by the event-loop thread. */
#ifndef GREGOR_TOPIC_CONFIG_H
#define GREGOR_TOPIC_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "broker/storage/log.h"

struct broker;

struct topic_config {
	struct log_config log;
	int32_t min_insync_replicas;
	int32_t max_message_bytes;
	int compact;               /* cleanup.policy contains compact */
	int delete_segments;       /* cleanup.policy contains delete */
	int64_t delete_retention_ms;
	int64_t min_compaction_lag_ms;
	int log_append_time;       /* message.timestamp.type=LogAppendTime */
};

/* A LIST-type topic key (IncrementalAlterConfigs APPEND/SUBTRACT). */
int topic_config_is_list(const char *key);

/* Checks one topic-level key and value against the topic table as Kafka
 * does. 0, or -1 with Kafka's message naming both (unknown keys refused) in
 * err (CreateTopics and AlterConfigs answer INVALID_CONFIG). */
int topic_config_check(const char *key, const char *value, char *err, size_t errlen);

/* The broker defaults with the topic's overrides applied: a copy of the
 * value computed when either last changed. */
void topic_config_effective(const struct broker *b, const char *topic, int32_t tlen,
			    struct topic_config *out);
/* The override for key, or NULL (DescribeConfigs). */
const char *topic_config_override(const struct broker *b, const char *topic, int32_t tlen,
				  const char *key);

/* Replaces a topic's overrides (n pairs; copied) and re-applies the log
 * settings of its partitions. n == 0 clears them. */
void topic_config_set(struct broker *b, const char *topic, const char *const *keys,
		      const char *const *values, int n);
/* Recomputes every effective config: at start-up and whenever a dynamic
 * broker default changed. */
void topic_config_refresh_all(struct broker *b);
void topic_config_free_all(struct broker *b);

#endif
