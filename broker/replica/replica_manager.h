/* Replica manager: the partitions this broker hosts, their logs, and their
 * role. Becomes leader or follower on LeaderAndIsr, drops replicas on
 * StopReplica, tracks followers' log end offsets on the leader and advances
 * the high watermark, and wakes the delayed operations waiting on a
 * partition (the broker's purgatory) when its data, high watermark, log
 * start, ISR or leadership changes: only that partition's.
 *
 * Invariants:
 * - high_watermark never decreases while a broker leads a partition, never
 *   exceeds the log end offset, and on the leader equals the minimum log end
 *   offset over the ISR; consumers are served only below it.
 * - A follower's high watermark is min(leader's high watermark, own LEO).
 * - A partition is followed by at most one fetcher: the one of its leader. */
#ifndef GREGOR_REPLICA_MANAGER_H
#define GREGOR_REPLICA_MANAGER_H

#include <stdint.h>

#include "broker/partition.h"
#include "broker/storage/log.h"
#include "common/net/loop.h"
#include "common/purgatory.h"
#include "common/strmap.h"

struct broker;
struct fetcher;

/* Told after this broker starts or stops leading a partition, so that
 * coordinators can load or drop the state they keep in it. */
typedef void (*rm_leadership_fn)(void *arg, const char *topic, int32_t index,
				 int is_leader, int32_t leader_epoch);
#define RM_MAX_LISTENERS 4

struct checkpoint_entry;

/* One of log.dirs. Offline after an I/O error: its partitions are offline
 * on this broker, the others keep serving. */
struct rm_dir {
	char *path;
	int offline;
	int nparts;                    /* partitions placed in it */
	/* what each checkpoint file (RM_CKPT_*) last got: an unchanged one is
	 * not rewritten (an idle broker's periodic fsyncs) */
	struct checkpoint_entry *written[2];
	int nwritten[2];
};
enum { RM_CKPT_HW, RM_CKPT_LOG_START };
#define RM_MAX_DIRS 32

struct replica_manager {
	struct broker *b;
	char *log_dir;                 /* the first of the dirs (gregord.status lives there) */
	struct rm_dir dirs[RM_MAX_DIRS];
	int ndirs;
	struct log_config lcfg;
	struct strmap parts;           /* "<topic>-<index>" -> struct partition */
	struct partition *wake_list;   /* appended in the open batch, to wake at its end */
	struct fetcher *fetchers;      /* one per leader broker */
	struct loop_timer isr_timer;   /* shrink check every replica.lag.time.max.ms/2 */
	struct loop_timer hw_timer;    /* high watermark checkpoint */
	struct { rm_leadership_fn fn; void *arg; } listeners[RM_MAX_LISTENERS];
	int nlisteners;
	int dirs_offline;              /* how many dirs failed (rm_storage_error) */
	size_t check_next;             /* next partition for the interval checks */
	int batch_depth;               /* rm_batch_begin nesting */
};

/* log_dirs: log.dirs, a comma list (at most RM_MAX_DIRS). */
struct replica_manager *rm_new(struct broker *b, const char *log_dirs,
			       const struct log_config *lcfg);
/* Opens every partition directory found under the log dirs (recovery). A
 * dir that cannot be read is offline from the start; -errno only if none
 * can. */
int rm_load(struct replica_manager *rm);
void rm_free(struct replica_manager *rm); /* closes logs cleanly */

/* A write to log dir dir failed with rc. An I/O error (EIO, ENOSPC, EDQUOT,
 * EROFS, ...) takes that dir offline, as Kafka's LogDirFailureChannel does:
 * the cause is logged once; its partitions refuse further writes (answered
 * KAFKA_STORAGE_ERROR), stop leading and fetching, and are left for
 * recovery; the controller is told (broker_log_dir_failed: a
 * /log_dir_event_notification entry) and moves their leadership to the ISR;
 * the other dirs keep serving. When every dir has failed the broker stops
 * (broker_storage_failed), as Kafka halts. Returns 1 if rc took (or found)
 * the dir offline, 0 for other errors. */
int rm_storage_error(struct replica_manager *rm, int dir, const char *what, int rc);
/* 1 if p's log dir is offline. */
int rm_partition_offline(const struct replica_manager *rm, const struct partition *p);

struct partition *rm_get(struct replica_manager *rm, const char *topic,
			 int32_t tlen, int32_t index);

/* One partition's state from LeaderAndIsr. */
struct rm_partition_state {
	const char *topic;
	int32_t tlen, index;
	int32_t leader, leader_epoch, controller_epoch, zk_version;
	const int32_t *replicas, *isr;
	int32_t nreplicas, nisr;
	const char *leader_host; /* the leader's endpoint, NULL if unknown */
	int32_t leader_port;
	int is_new;              /* a replica of a new partition (LeaderAndIsr v1+) */
};
/* Applies it (only if its leader epoch is not older than ours); returns a
 * Kafka error code. */
int rm_apply_leader_and_isr(struct replica_manager *rm, const struct rm_partition_state *s);
/* StopReplica: stop serving, optionally delete the log. */
int rm_stop_replica(struct replica_manager *rm, const char *topic, int32_t tlen,
		    int32_t index, int delete_log);

/* Appends a batch the broker wrote on the leader; returns a Kafka error
 * code. Then the high watermark and the partition's waiters. */
int rm_append(struct replica_manager *rm, struct partition *p, uint8_t *batch,
	      size_t len, int64_t *base_offset);
/* Appends a client's batch on the leader (partition_append_client: the
 * idempotence check, LogAppendTime, the write); returns a Kafka error code.
 * A duplicate (out->dup) is not written and wakes nothing. */
int16_t rm_append_client(struct replica_manager *rm, struct partition *p, uint8_t *batch,
			 size_t len, const struct rb_header *h, struct partition_produce *out);
/* Appends batches fetched from the leader; returns 0 or -errno. */
int rm_append_replica(struct replica_manager *rm, struct partition *p,
		      const uint8_t *batches, size_t len, int64_t leader_hw);
/* Leader: a follower fetched at fetch_offset (its log end offset). */
void rm_follower_fetched(struct replica_manager *rm, struct partition *p,
			 int32_t replica_id, int64_t fetch_offset, int64_t now_ms);
int rm_is_replica(const struct partition *p, int32_t broker_id);
int rm_in_isr(const struct partition *p, int32_t broker_id);
/* The log's storage->flushed (log.h, append flushes): an append flush of
 * one of its partitions ended. Success: the leader's high watermark, the
 * partition's waiters (acks=1 produces wait for the flush) and a follower's
 * fetcher, which held its next fetch until its logs were flushed, go on.
 * Failure: the log dir goes offline (rm_storage_error). arg is the
 * replica manager. */
void rm_log_flushed(void *arg, struct partition_log *log, int rc);
/* Recomputes the leader's high watermark; wakes waiters if it moved. */
void rm_update_high_watermark(struct replica_manager *rm, struct partition *p);

int rm_add_leadership_listener(struct replica_manager *rm, rm_leadership_fn fn, void *arg);

/* Appends a batch the broker wrote itself (coordinator records) to a
 * partition it leads, and calls done once the high watermark has passed it
 * (acks=all semantics), or with NOT_LEADER_OR_FOLLOWER, NOT_ENOUGH_REPLICAS
 * (ISR smaller than min_isr before the append), KAFKA_STORAGE_ERROR or
 * REQUEST_TIMED_OUT. The batch is stamped in place. done never runs before
 * this returns. */
typedef void (*rm_append_done_fn)(void *arg, int16_t kerr, int64_t base_offset);
void rm_append_internal(struct replica_manager *rm, const char *topic, int32_t index,
			uint8_t *batch, size_t len, int32_t min_isr, int32_t timeout_ms,
			rm_append_done_fn done, void *arg);

/* Appends between rm_batch_begin and rm_batch_end (one Produce request)
 * wake their partitions' waiters after the last of them: a follower's parked
 * fetch then
 * answers with every partition the request wrote, one replication round
 * trip for the request instead of one per partition. Nests. */
void rm_batch_begin(struct replica_manager *rm);
void rm_batch_end(struct replica_manager *rm);

/* Tries the delayed operations waiting on p (they re-check their own
 * conditions); nothing else is woken. */
void rm_wake(struct replica_manager *rm, struct partition *p);

/* Re-applies the topic's effective log settings to its partitions. */
void rm_apply_topic_config(struct replica_manager *rm, const char *topic);

/* ---- log start offset (DeleteRecords, KIP-107) ---- */
/* Moves the partition's log start offset up to offset (log_advance_start_
 * offset), writes log-start-offset-checkpoint when it moved, and wakes
 * waiters. 0 or -ERANGE (above the LEO) / -errno. */
int rm_advance_log_start(struct replica_manager *rm, struct partition *p, int64_t offset);
/* Leader: a follower's fetch reported its log start offset (>= 0). */
void rm_follower_log_start(struct replica_manager *rm, struct partition *p,
			   int32_t replica_id, int64_t log_start);
/* Leader: min log start offset over the ISR (the leader's own included),
 * Kafka's low watermark; -1 while an ISR follower has not reported one. */
int64_t rm_low_watermark(const struct partition *p);
/* Writes every partition's log start offset to log-start-offset-checkpoint
 * in the log dir (Kafka's file); log_open's start is raised from it on load. */
int rm_checkpoint_log_start_offsets(struct replica_manager *rm);

/* Writes every partition's high watermark to replication-offset-checkpoint. */
int rm_checkpoint_high_watermarks(struct replica_manager *rm);
/* Starts the periodic ISR check and high watermark checkpoint. */
void rm_start(struct replica_manager *rm);

/* Once a second: log roll, retention and flush. */
void rm_tick(struct replica_manager *rm, int64_t now_wall_ms);

#endif
