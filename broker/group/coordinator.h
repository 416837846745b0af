/* The group coordinator of one broker: owns the groups of every
 * __consumer_offsets partition this broker leads, loads them from the log
 * when it becomes leader (COORDINATOR_LOAD_IN_PROGRESS meanwhile), drops them
 * when it stops leading (NOT_COORDINATOR), persists group metadata and
 * offsets in Kafka's record formats with acks=all appends, and runs the
 * groups' deadlines. Handlers in broker/handlers/ call only this and group.h.
 * Everything runs on the event-loop thread. */
#ifndef GREGOR_GROUP_COORDINATOR_H
#define GREGOR_GROUP_COORDINATOR_H

#include <stddef.h>
#include <stdint.h>

#include "broker/group/group.h"
#include "common/arena.h"
#include "common/proto/codec.h"

#define GC_OFFSETS_TOPIC "__consumer_offsets"

struct broker;
struct group_coordinator;

/* The broker's coordinator (b->gc), created on first use: it then registers
 * for leadership changes and starts loading the partitions it already leads. */
struct group_coordinator *gc_get(struct broker *b);

/* The coordinator if it exists, without creating it (metrics). */
struct group_coordinator *gc_peek(const struct broker *b);
/* Calls fn for every committed offset of every loaded group (metrics). */
void gc_each_offset(struct group_coordinator *gc,
		    void (*fn)(void *arg, const char *group, const struct group_offset *o),
		    void *arg);

/* abs(Java String.hashCode(group id)) % partitions, as Kafka computes it
 * (UTF-16 code units of the UTF-8 id; abs(INT_MIN) = 0). */
int32_t gc_partition_for(const char *id, size_t len, int32_t partitions);

/* FindCoordinator for a group: the leader of its partition, or
 * COORDINATOR_NOT_AVAILABLE (creating __consumer_offsets on first use). */
int16_t gc_find(struct group_coordinator *gc, const char *group_id, int32_t *node_id,
		const char **host, int32_t *port);

/* The group for a request: NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS or
 * 0 with *out (NULL if unknown and !create; INVALID_GROUP_ID for ""). */
int16_t gc_group(struct group_coordinator *gc, const char *group_id, int create,
		 struct group **out);
/* Forgets a group that a failed request created and nothing uses. */
void gc_drop_if_unused(struct group_coordinator *gc, struct group *g);
int64_t gc_now(const struct group_coordinator *gc); /* monotonic ms */

/* Persists offsets; on success they are applied to the group. done gets 0
 * or the error to answer for every partition. */
struct gc_offset {
	const char *topic;
	int32_t partition;
	int64_t offset;          /* ignored for deletes */
	int32_t leader_epoch;
	const char *metadata;
	int64_t expire_ts;       /* > 0: explicit expiry, wall ms (OffsetCommit v2-4
				  * retention_time_ms); 0: offsets.retention.minutes */
};
typedef void (*gc_done_fn)(void *arg, int16_t err);
void gc_commit_offsets(struct group_coordinator *gc, const char *group_id,
		       const struct gc_offset *o, int n, gc_done_fn done, void *arg);
/* TxnOffsetCommit: writes the offsets as a transactional batch of the
 * producer (acks=all), holding them pending for it from the append on;
 * done gets 0 or the error for every partition (an append failure forgets
 * them). The group is created if unknown, as Kafka does. */
void gc_commit_txn_offsets(struct group_coordinator *gc, const char *group_id,
			   int64_t producer_id, int16_t producer_epoch,
			   const struct gc_offset *o, int n, gc_done_fn done, void *arg);
/* A marker of producer_id was acknowledged on __consumer_offsets partition
 * `partition`: its pending offsets there are applied (commit) or dropped. */
void gc_txn_marker(struct group_coordinator *gc, int32_t partition, int64_t producer_id,
		   int commit);
/* Writes tombstones for the given offsets and forgets them on success. */
void gc_delete_offsets(struct group_coordinator *gc, const char *group_id,
		       const struct gc_offset *o, int n, gc_done_fn done, void *arg);
/* DeleteGroups for one group: GROUP_ID_NOT_FOUND, NON_EMPTY_GROUP, or the
 * group turns Dead, tombstones for it and its offsets are written, and it
 * is forgotten. */
void gc_delete_group(struct group_coordinator *gc, const char *group_id,
		     gc_done_fn done, void *arg);

/* The controller deleted topic (UpdateMetadata with leader -2): every
 * loaded group forgets its offsets of the topic (committed, in flight,
 * transactional pending) and tombstones are appended for the committed
 * ones, as Kafka's GroupMetadataManager.cleanupGroupMetadata; an Empty
 * group left with nothing turns Dead. Only groups this broker coordinates
 * are touched, so only the coordinator writes. */
void gc_topic_deleted(struct group_coordinator *gc, const char *topic);

/* ListGroups: every loaded group; returns COORDINATOR_LOAD_IN_PROGRESS if
 * some partition is still loading (the groups are listed anyway). */
typedef void (*gc_group_fn)(void *arg, const struct group *g);
int16_t gc_for_each_group(struct group_coordinator *gc, gc_group_fn fn, void *arg);

/* A NUL-terminated copy of s in a; NULL for a null string and for a field
 * absent in the request's version (decoded as {NULL, 0}). */
char *gc_cstr(struct arena *a, struct kstr s);
/* s as a kstr (null for NULL). */
struct kstr gc_kstr(const char *s);

#endif
