/* Group records in __consumer_offsets, in Kafka's formats: offset commits
 * (key v1 {group, topic, partition}, value v3 {offset, leader epoch,
 * metadata, commit time}) and group metadata (key v2 {group}, value v3 with
 * members, subscriptions and assignments); a null value is a tombstone.
 * Builds uncompressed batches of them and replays them into groups. */
#ifndef GREGOR_GROUP_LOG_H
#define GREGOR_GROUP_LOG_H

#include <stddef.h>
#include <stdint.h>

#include "broker/group/coordinator.h"
#include "broker/group/group.h"
#include "common/proto/codec.h"
#include "common/strmap.h"

/* A batch under construction: records encoded one by one. */
struct glog {
	struct kout *keys, *vals;   /* vals[i].buf == NULL: tombstone */
	int n, cap;
	int oom;
};
void glog_init(struct glog *gl);
void glog_free(struct glog *gl);
void glog_add_metadata(struct glog *gl, const struct group *g);
void glog_add_metadata_tombstone(struct glog *gl, const char *group_id);
void glog_add_offset(struct glog *gl, const char *group_id, const struct gc_offset *o,
		     int64_t commit_ts);
void glog_add_offset_tombstone(struct glog *gl, const char *group_id, const char *topic,
			       int32_t partition);
/* The RecordBatch of every record added (malloc'ed), or -1 (out of memory). */
int glog_build(struct glog *gl, int64_t now_wall_ms, uint8_t **out, size_t *len);

/* As glog_build, as a transactional batch of the producer with sequence
 * -1, as Kafka writes TxnOffsetCommit's records. */
int glog_build_txn(struct glog *gl, int64_t now_wall_ms, int64_t producer_id,
		   int16_t producer_epoch, uint8_t **out, size_t *len);

/* Applies one record read back from the log to groups (id -> struct group);
 * unknown key versions and malformed records are skipped (-1 returned). */
int glog_replay(struct strmap *groups, const struct group_env *env, const uint8_t *key,
		int32_t key_len, const uint8_t *val, int32_t val_len);

/* Replays one whole batch read back from the log, skipping records below
 * from_offset. Offset records of a transactional batch are held pending
 * for its producer; a control batch (marker) of a producer applies
 * (commit) or drops (abort) that producer's pending offsets in every
 * group. Returns the records replayed, GLOG_COMPRESSED (not read: Kafka
 * never compresses these) or GLOG_MALFORMED (records before the damage are
 * replayed). */
#define GLOG_MALFORMED (-1)
#define GLOG_COMPRESSED (-2)
int glog_replay_batch(struct strmap *groups, const struct group_env *env,
		      const uint8_t *batch, size_t len, int64_t from_offset);

#endif
