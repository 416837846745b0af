/* One partition replica hosted by this broker, and the only way to its log:
 * every change to the log (leader and follower appends, truncation, moving
 * the log start) goes through here together with the state that depends on
 * it (producer state and transaction index, high watermark clamps), and
 * every read applies the partition's read rules (what a follower, a
 * read_uncommitted and a read_committed consumer may see). Roles, ISR and
 * the high watermark rule are the replica manager's (replica_manager.h);
 * the replica manager also owns partitions' lifetimes.
 *
 * Invariants:
 * - The producer state reflects exactly the batches in the log: it records
 *   each append right after it lands and is rebuilt by each truncation, here,
 *   so nothing has to detect a change made behind its back.
 * - high_watermark <= log end offset after every truncation.
 * Loop thread only (but partition_open_log at start-up: the log recovery
 * threads of broker/replica/partition_load.c open partitions that nothing
 * else can see yet). */
#ifndef GREGOR_PARTITION_H
#define GREGOR_PARTITION_H

#include <stddef.h>
#include <stdint.h>

#include "broker/storage/log.h"
#include "broker/txn/txn_tracker.h"
#include "common/proto/record_batch.h"
#include "common/purgatory.h"

struct fetcher;
struct producer_state_manager;

/* What the leader knows of one replica (itself included). */
struct replica_state {
	int32_t broker_id;
	int64_t leo;             /* -1 until it has fetched */
	int64_t last_caught_up_ms;
	int64_t last_fetch_ms;   /* when it last fetched ... */
	int64_t last_fetch_leader_leo; /* ... and the leader's LEO then */
	int64_t log_start;       /* its log start offset as it last fetched; -1 unknown */
};

struct partition {
	char *topic;
	int32_t index;
	int dir;                            /* index of its log dir in rm->dirs */
	struct partition_log *log;          /* this module's and storage's only */
	struct producer_state_manager *psm; /* idempotence and transactions; NULL on OOM */
	int is_leader;
	int32_t leader_id;
	int32_t leader_epoch;
	int32_t controller_epoch;
	int32_t zk_version;
	int32_t nreplicas, nisr;
	int32_t *replicas, *isr;
	struct replica_state *rstate; /* leader only: one per replica, in order */
	int32_t nrstate;
	int64_t high_watermark;
	int64_t epoch_start_offset;   /* leader: LEO when this epoch began */
	int isr_update_pending;       /* leader: a ZooKeeper ISR write in flight */
	int truncating;               /* follower: must check its tail against the leader */
	struct fetcher *fetcher;      /* follower only */
	struct partition *fnext;      /* fetcher's list */
	/* delayed operations waiting on this partition (the broker's
	 * purgatory): tried on its appends, high watermark and log start
	 * moves, ISR and leadership changes, and on nothing else */
	struct purg_key waiters;
	struct partition *wake_next;  /* rm->wake_list while wake_pending */
	int wake_pending;             /* appended inside rm_batch_begin/end */
};

/* ---- lifetime (the replica manager's) ---- */
/* Opens (creating) the log in dir with cfg and its owner's storage context
 * st (log_open) and builds its producer state and transaction index. 0 or
 * -errno. */
int partition_open_log(struct partition *p, const char *dir, const struct log_config *cfg,
		       const struct log_storage *st);
/* clean: a producer snapshot at the LEO, then a clean close; else the log
 * is deleted (StopReplica with delete). */
void partition_close_log(struct partition *p, int clean);
/* The log's dir went offline: its producer state goes without a snapshot
 * (nothing more is written there); the log is left for recovery. */
void partition_drop_state(struct partition *p);

/* A new leader epoch starting at start_offset (KIP-101), durable before
 * anyone is told. 0 or -errno. */
int partition_assign_epoch(struct partition *p, int32_t epoch, int64_t start_offset);
/* The log dir failed: the log refuses writes from now on. */
void partition_set_offline(struct partition *p);
/* The topic's log settings changed (retention, segments, compaction). */
void partition_set_config(struct partition *p, const struct log_config *cfg);
/* Once a second, unless its dir is offline (maintain 0): roll, retention,
 * flush and compaction (log_tick), and the periodic producer snapshot.
 * 0 or -errno (log_tick's). */
int partition_tick(struct partition *p, int64_t now_wall_ms, int maintain);
/* The log's invariants (log_check); 0 when they hold. */
int partition_check(struct partition *p);

/* ---- changes ---- */
/* Leader: a client's batch. The idempotence check first (a resend of one
 * of the producer's last five batches: *dup = 1 and *base_offset its
 * original offset, nothing written); then, with log_append_time, the
 * broker's clock stamped into it (*append_time_ms); then the write, with
 * leader epoch and base offset stamped, and the producer state. A Kafka
 * error code; KAFKA_STORAGE_ERROR with *io_rc the -errno of a failed write. */
struct partition_produce {
	int log_append_time; /* in */
	int dup;             /* out */
	int64_t base_offset;
	int64_t append_time_ms;
	int io_rc;
};
int16_t partition_append_client(struct partition *p, uint8_t *batch, size_t len,
				 const struct rb_header *h, struct partition_produce *out);
/* Leader: a batch the broker wrote itself (coordinators' records, markers).
 * 0 or -errno. */
int partition_append_leader(struct partition *p, uint8_t *batch, size_t len,
			    int64_t *base_offset);
/* Follower: batches fetched from the leader (offsets as the leader's). A
 * failed or partial write rebuilds the producer state from what landed.
 * 0 or -errno. */
int partition_append_follower(struct partition *p, const uint8_t *batches, size_t len);
/* Follower: cuts the log at offset (divergence from the leader) or, when
 * the leader's log starts past ours, empties it to start at offset. The
 * producer state is rebuilt and the high watermark clamped. 0 or -errno. */
int partition_truncate_to(struct partition *p, int64_t offset);
int partition_truncate_fully(struct partition *p, int64_t start);
/* Moves the log start up to offset (DeleteRecords, a leader's start seen
 * by a follower, the checkpoint on load). 0 or -ERANGE / -errno. */
int partition_advance_log_start(struct partition *p, int64_t offset);

/* ---- reads ---- */
enum partition_reader {
	READ_FOLLOWER,    /* up to the log end */
	READ_UNCOMMITTED, /* a consumer: up to the high watermark */
	READ_COMMITTED,   /* a consumer: up to the last stable offset */
};
/* A fetch at offset: OFFSET_OUT_OF_RANGE outside [log start, LEO];
 * otherwise *s is whole batches from the one holding offset, at most
 * max_bytes (the first batch whole even above it), below the reader's
 * limit; an empty slice at the limit or with max_bytes <= 0. */
int16_t partition_read(struct partition *p, enum partition_reader who, int64_t offset,
		       int32_t max_bytes, struct log_slice *s);
static inline int64_t partition_log_end(const struct partition *p)
{
	return log_end_offset(p->log);
}
/* The end below which the log's data may be acknowledged (log_ack_end):
 * the LEO, or less while a flush per message is still running. */
static inline int64_t partition_ack_end(const struct partition *p)
{
	return log_ack_end(p->log);
}
static inline int64_t partition_log_start(const struct partition *p)
{
	return log_start_offset(p->log);
}
int64_t partition_size_bytes(const struct partition *p);
size_t partition_segment_count(const struct partition *p);
/* Leader epochs (KIP-101): the latest (-1 if none), and the largest epoch
 * <= epoch with its end offset (log_epoch_end_offset). */
int32_t partition_latest_epoch(const struct partition *p);
void partition_epoch_end(const struct partition *p, int32_t epoch, int32_t *out_epoch,
			 int64_t *end_offset);
/* ListOffsets by time (log_offset_for_time, log_max_timestamp_batch,
 * log_legacy_offsets). */
int64_t partition_offset_for_time(struct partition *p, int64_t ts, int64_t *found_ts);
int64_t partition_max_timestamp_batch(struct partition *p, int64_t *ts);
int partition_legacy_offsets(struct partition *p, int64_t ts, int32_t max, int64_t now_ms,
			     int64_t *out, int cap);
/* min(first offset of the earliest open transaction, high watermark). */
int64_t partition_last_stable(struct partition *p);
/* Aborted transactions overlapping [from, upper), for read_committed. */
size_t partition_aborted(struct partition *p, int64_t from, int64_t upper,
			 struct txn_aborted *out, size_t max);
/* Leader check of a transaction marker before it is written (psm_check_marker). */
int16_t partition_check_marker(struct partition *p, int64_t producer_id, int16_t epoch,
			       int32_t coordinator_epoch);

#endif
