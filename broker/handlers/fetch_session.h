/* Fetch sessions (KIP-227), as Kafka's FetchSession/FetchSessionCache: a
 * client's full fetch (epoch 0) creates a session that remembers its
 * partitions and what the last response told it of each; later fetches
 * (epoch 1, 2, ...) send only changed partitions and get only partitions
 * with news (data, an error, a moved high watermark or log start offset).
 * The cache holds max.incremental.fetch.session.cache.slots sessions and
 * evicts by Kafka's rules (fetch_session.c). Loop thread only; pure data
 * structure (no I/O), so the unit tests drive it directly. */
#ifndef GREGOR_FETCH_SESSION_H
#define GREGOR_FETCH_SESSION_H

#include <stdint.h>

#include "common/strmap.h"

#define FS_INVALID_ID 0
#define FS_INITIAL_EPOCH 0
#define FS_FINAL_EPOCH (-1)
/* Kafka's min.incremental.fetch.session.eviction.ms (not configurable) */
#define FS_EVICTION_MS 120000

/* One partition of a session: the request parameters the client last sent
 * for it and the values the client last received. */
struct fs_part {
	char *topic;            /* owned; NULL while a v13+ id is unresolved */
	uint8_t topic_id[16];   /* zero in sessions without topic ids */
	int32_t partition;
	int64_t fetch_offset;
	int64_t log_start_offset;
	int32_t max_bytes;
	int32_t current_leader_epoch;
	int32_t last_fetched_epoch;
	int64_t sent_hw;        /* -1: resend on the next fetch */
	int64_t sent_log_start;
};

struct fetch_session {
	int32_t id;
	int32_t epoch;          /* the epoch the next incremental fetch must carry */
	int privileged;         /* a follower's (replication) session */
	int uses_ids;           /* created by Fetch v13+ */
	int64_t created_ms, last_used_ms;
	int32_t n, cap;
	struct fs_part *parts;  /* in fetch order; answered ones move to the end */
	struct strmap index;    /* partition key -> index + 1 into parts */
};

struct fs_cache {
	int32_t max_slots;
	int64_t eviction_ms;
	struct fetch_session **v;
	int32_t n, cap;
	uint64_t created, evicted;
};

struct broker;
/* The broker's cache (b->fetch, broker/handlers/fetch.h: made at start
 * with its configured slots), for the fetch handler and the metrics page. */
struct fs_cache *fetch_session_cache(struct broker *b);

void fs_cache_init(struct fs_cache *c, int32_t max_slots, int64_t eviction_ms);
void fs_cache_free(struct fs_cache *c);
/* Partitions over all sessions. */
int64_t fs_cache_partitions(const struct fs_cache *c);

struct fetch_session *fs_get(struct fs_cache *c, int32_t id);
void fs_remove(struct fs_cache *c, int32_t id);
/* A new empty session if a slot is free or one can be evicted by Kafka's
 * rules for a session of `size` partitions; NULL otherwise (the client is
 * then answered without a session, id 0). Its epoch is 1. */
struct fetch_session *fs_create(struct fs_cache *c, int privileged, int uses_ids, int32_t size,
				int64_t now_ms);
/* Marks a session used now (eviction order) after its size changed. */
void fs_touch(struct fs_cache *c, struct fetch_session *s, int64_t now_ms);

/* Adds or updates a partition (by topic id when the session uses ids, else
 * by name). Returns it, or NULL on allocation failure. */
struct fs_part *fs_upsert(struct fetch_session *s, const char *topic, int32_t tlen,
			  const uint8_t topic_id[16], int32_t partition);
struct fs_part *fs_find(struct fetch_session *s, const char *topic, int32_t tlen,
			const uint8_t topic_id[16], int32_t partition);
void fs_forget(struct fetch_session *s, const char *topic, int32_t tlen,
	       const uint8_t topic_id[16], int32_t partition);
/* Moves the partitions flagged in answered[0..n) to the end, keeping
 * order otherwise (Kafka rotates answered partitions so that the others
 * come first next time under a response byte limit). 0 or -1 (no memory:
 * order unchanged). */
int fs_rotate(struct fetch_session *s, const uint8_t *answered);
/* Kafka's mustRespond for an incremental fetch: whether the partition goes
 * into the response; also records what the client was told. */
int fs_must_respond(struct fs_part *p, int16_t error, int64_t hw, int64_t log_start,
		    int32_t records_len, int32_t preferred_read_replica);

static inline int32_t fs_next_epoch(int32_t e)
{
	return e < 0 ? FS_FINAL_EPOCH : e == INT32_MAX ? 1 : e + 1;
}

#endif
