/* Partition log: the on-disk record of one partition, in Kafka's layout.
 *
 * A directory <log.dirs>/<topic>-<partition>/ holds segments named by their
 * base offset (20 digits): NNN.log (RecordBatch v2 bytes exactly as they
 * travel on the wire), NNN.index (sparse offset index: u32 relative offset,
 * u32 file position, big-endian, one entry per index_interval_bytes) and
 * NNN.timeindex (i64 timestamp, u32 relative offset, big-endian). Beside
 * them: `recovery-point` (decimal offset + newline; all below it is fsynced:
 * data, indexes, .txnindex; written by log_checkpoint),
 * `clean-shutdown` (empty; present only between log_close and log_open),
 * NNN.txnindex (aborted transactions whose ABORT marker is in the segment,
 * see txn_index.h and the transaction index section below) and
 * `leader-epoch-checkpoint` (Kafka's format: `0`, entry count, then
 * `epoch startOffset` lines; see the leader epoch section below).
 *
 * Invariants:
 * - Offsets increase: the next batch appended starts at log_end_offset(),
 *   and the LEO never goes backwards except through log_truncate_to()
 *   (replication only). They are dense except where the log cleaner removed
 *   records of a compacted topic (see log_clean): a batch keeps its
 *   baseOffset and lastOffsetDelta but may hold fewer records, whole batches
 *   and the first batches of a segment may be gone (a segment keeps its base
 *   offset), and a read inside a gap returns the next batch, as in Kafka.
 * - Every byte in a .log file before the append position is a whole, CRC-valid
 *   batch; a torn or corrupt tail found on open is cut off and logged.
 * - Only the event-loop thread touches a struct partition_log.
 */
#ifndef GREGOR_LOG_H_STORAGE
#define GREGOR_LOG_H_STORAGE

#include <stddef.h>
#include <stdint.h>

#include "broker/storage/txn_index.h"

struct log_config {
	int64_t segment_bytes;           /* log.segment.bytes */
	int64_t roll_ms;                 /* log.roll.ms / log.roll.hours */
	int64_t retention_ms;            /* log.retention.ms/minutes/hours; -1 = forever */
	int64_t retention_bytes;         /* log.retention.bytes; -1 = unlimited */
	int64_t flush_interval_messages; /* log.flush.interval.messages; INT64_MAX = never */
	int64_t flush_interval_ms;       /* log.flush.interval.ms; INT64_MAX = never */
	int32_t index_interval_bytes;    /* log.index.interval.bytes (4096) */
	int32_t segment_index_bytes;     /* log.index.size.max.bytes (10 MiB): roll when full */
	int compact;                     /* cleanup.policy contains compact (0) */
	double min_cleanable_dirty_ratio; /* min.cleanable.dirty.ratio (0.5) */
	int64_t delete_retention_ms;     /* delete.retention.ms (1 day) */
	int64_t min_compaction_lag_ms;   /* min.compaction.lag.ms (0) */
	int64_t recovery_point_checkpoint_ms; /* log.flush.offset.checkpoint.interval.ms (60000) */
};

void log_config_defaults(struct log_config *c);

struct partition_log;
struct flusher;

/* What the logs of one owner share (a broker's: struct broker's storage):
 * the owner fills it before its first log_open and keeps it, unchanged but
 * for clean_budget_bytes, until its last log is closed and the flusher's
 * results are drained. Two owners in one process share nothing. */
struct log_storage {
	/* the background flush of rolled segments (see below); NULL: none */
	struct flusher *flusher;
	/* called after every flush with its duration (metrics), on the loop
	 * thread; NULL: none */
	void (*flush_observer)(void *arg, double ms);
	void *flush_observer_arg;
	/* called on the loop thread when an append flush (below) of a log
	 * ended: rc 0 when it succeeded (log_ack_end may have moved), else
	 * the -errno that now sticks to the log; NULL: none */
	void (*flushed)(void *arg, struct partition_log *log, int rc);
	void *flushed_arg;
	/* bytes of segment data one log_clean call may read; <= 0: 8 MiB */
	int64_t clean_budget_bytes;
};

/* A byte range of one segment file; fd stays owned by the log. */
struct log_slice {
	int fd;
	int64_t pos;
	int32_t len;          /* 0 if nothing to read */
	int64_t first_offset; /* base offset of the first batch in the slice */
};

/* Opens (creating if needed) the directory and recovers it, as one of the
 * logs of storage (NULL: no flusher, no observer, the default cleaning budget;
 * tests and tools). After a clean
 * shutdown indexes are trusted; after an unclean one, batches wholly below
 * the recovery point are only walked by their headers and everything from
 * there on is fully validated; a bad tail is truncated, indexes are rebuilt
 * when missing or inconsistent. Nothing is fsynced for an existing log
 * (the recovered range stays dirty until the next flush, and a crash before
 * it rescans the same range). Returns 0 or -errno. */
int log_open(const char *dir, const struct log_config *cfg, const struct log_storage *storage,
	     struct partition_log **out);
/* Writes indexes and a clean-shutdown marker, closes files. */
void log_close(struct partition_log *log);
/* Closes and removes the directory (topic deletion). */
int log_delete(struct partition_log *log);

/* Replaces the log's settings (a topic config changed); takes effect at the
 * next append or log_tick (an over-size active segment rolls then). */
void log_set_config(struct partition_log *log, const struct log_config *cfg);

/* The first offset a reader may fetch. It is the first segment's base
 * unless DeleteRecords (or a follower copying its leader's) moved it into
 * a segment: log_advance_start_offset. */
int64_t log_start_offset(const struct partition_log *log);
/* Kafka's maybeIncrementLogStartOffset: moves the log start up to
 * new_start (never down; a no-op when not above), deletes the segments
 * wholly below it (never the active one) and drops leader epoch entries
 * below it. Offsets below it are no longer read (log_read: -ERANGE).
 * Persisting it is the caller's job (Kafka's log-start-offset-checkpoint
 * in the log dir); log_open starts at the first segment's base and the
 * caller reapplies the checkpointed value. 0, -ERANGE when new_start is
 * above the LEO (nothing changes), -EIO after an injected fault. */
int log_advance_start_offset(struct partition_log *log, int64_t new_start);
int64_t log_end_offset(const struct partition_log *log);
int64_t log_size_bytes(const struct partition_log *log);
size_t log_segment_count(const struct partition_log *log);
size_t log_segment_count(const struct partition_log *log);
const char *log_dir(const struct partition_log *log);

/* Appends one batch that the caller has validated (common/proto/record_batch).
 * Stamps baseOffset = LEO and partitionLeaderEpoch into the caller's buffer
 * (CRC unaffected), rolls a segment if needed, writes, updates indexes.
 * Returns 0 and *base_offset, or -errno (nothing appended). */
int log_append(struct partition_log *log, uint8_t *batch, size_t len,
	       int32_t leader_epoch, int64_t *base_offset);

/* log_append and log_append_replica also fail (-errno) when the flush that
 * log.flush.interval.messages asks for fails after the batch was written
 * (on the caller's thread: see "Append flushes" below): the batch then
 * stays in the log, unacknowledged. */

/* ---- Append flushes (log.flush.interval.messages) ----
 * When an append reaches the flush interval and the log's storage has a
 * flusher, the fdatasync of the unsynced segment data (and of the
 * directory after a new segment file) runs on the flusher thread: the
 * append returns at once. One such job per log at a time; appends that
 * reach the interval while it runs are covered by the next single job,
 * queued when it finishes (group commit). Rules:
 * - log_ack_end: the end below which the data may be acknowledged: the
 *   LEO, except while an append flush is wanted and not done (then the
 *   recovery point, below which the data is durable). A leader answers a
 *   produce, counts itself towards the high watermark, and a follower
 *   reports its log end to the leader, only up to it; so with a flush per
 *   message nothing is acknowledged before the flush that covers it
 *   completed, as when Kafka flushes in the append path.
 * - A job's success moves the recovery point to the LEO it was queued at,
 *   unless a truncation came in between (then the next job covers the
 *   log again); a failure sticks to the log like a roll flush's (every
 *   later append, flush and tick returns it) and log_ack_end stays.
 * - Either way storage->flushed is told, on the loop thread.
 * - Without a flusher, or when a job cannot be queued, the flush runs on
 *   the caller's thread as before and its failure fails the append.
 * - log.flush.interval.ms (log_tick) queues the same job without raising
 *   the wanted point: nothing waits for it, as in Kafka, and its result
 *   is handled as above. */
int64_t log_ack_end(const struct partition_log *log);
/* 1 while an append flush is wanted and will end (log_ack_end < LEO; not
 * after a failure, which keeps log_ack_end where it is for good). */
int log_flush_awaited(const struct partition_log *log);
/* Whom storage->flushed is about: an opaque pointer the owner sets. */
void log_set_owner(struct partition_log *log, void *owner);
void *log_owner(const struct partition_log *log);

/* Appends batches that already carry offsets (a follower copying its
 * leader). The first must start at LEO. Returns 0 or -errno / -EINVAL. */
int log_append_replica(struct partition_log *log, const uint8_t *batches,
		       size_t len);

/* Finds the batches to return for a fetch at `offset`: starts at the batch
 * containing offset, stays within one segment, ends before `max_offset`
 * (exclusive, e.g. the high watermark), at most max_bytes but always at least
 * one whole batch (KIP-74). Returns 0 (slice->len may be 0 when offset ==
 * max_offset) or -ERANGE when offset is outside [start, LEO]. */
int log_read(struct partition_log *log, int64_t offset, int32_t max_bytes,
	     int64_t max_offset, struct log_slice *slice);

/* ListOffsets by timestamp: the first offset whose batch maxTimestamp >= ts,
 * and that batch's timestamp; -1 if none. */
int64_t log_offset_for_time(struct partition_log *log, int64_t ts,
			    int64_t *found_ts);

/* ListOffsets MAX_TIMESTAMP (-3): the largest batch maxTimestamp of the log
 * in *ts and the base offset of the first batch carrying it; -1 (and *ts
 * -1) for an empty log. */
int64_t log_max_timestamp_batch(struct partition_log *log, int64_t *ts);

/* ListOffsets v0 (Kafka's legacyFetchOffsetsBefore): the base offset of
 * every segment (raised to the log start) and, when the active segment holds
 * data, the log end offset, each with its segment file's mtime (now for the
 * log end); picks the newest entry (ts -1), the oldest (ts -2) or the last
 * one whose mtime <= ts, then up to max entries from there towards older
 * ones, into out in descending order. Returns how many were written. */
int log_legacy_offsets(struct partition_log *log, int64_t ts, int32_t max,
		       int64_t now_ms, int64_t *out, int cap);

/* Periodic work: time-based roll, retention (whole segments), a slice of
 * compaction (compacted topics), time-based flush. Call about once a second.
 * Returns 0, or the first -errno of a failed roll, clean or flush (each is
 * logged here too). */
int log_tick(struct partition_log *log, int64_t now_ms);

/* The log directory failed (an I/O error the broker cannot continue past):
 * from now on the log refuses every write with -EIO, and closing it leaves
 * it as a crash would (no flush, no clean-shutdown marker), so the next
 * start runs recovery. */
void log_set_offline(struct partition_log *log);

/* ---- Log compaction (Kafka's log cleaner; cfg.compact) ----
 * A pass keeps, for each key, only the record with the latest offset among
 * the segments it covers: [log start, end) where end is the base of the
 * first segment that is active or holds a batch with maxTimestamp newer
 * than now - min_compaction_lag_ms. The latest offset per key is taken from
 * the dirty part [first dirty, end) (all below first dirty was cleaned by an
 * earlier pass; `cleaner-checkpoint` in the directory holds first dirty).
 * A pass starts when dirty bytes / (clean + dirty bytes) of that range
 * >= min_cleanable_dirty_ratio. Rules:
 * - Records keep their offsets; a batch is rewritten with its surviving
 *   records (header kept, count/length/CRC recomputed), an emptied batch is
 *   dropped, a segment keeps its base offset.
 * - Kept whole and never used to shadow older records: compressed batches
 *   (not decompressed yet), control batches, transactional batches. Records
 *   with a null key are kept.
 * - A tombstone (null value) that is the latest for its key survives the
 *   pass that first cleans its segment and is removed by the first pass at
 *   least delete_retention_ms after that (the segment file's mtime records
 *   when it was first cleaned).
 * - Each segment is written to <base>.log.cleaned, fsynced and renamed over
 *   its .log (indexes are removed before and rebuilt after), so a crash
 *   leaves the old or the new file; log_open deletes a leftover .cleaned.
 *   A reader holding a dup of the old fd keeps reading the old bytes.
 * - The work runs on the caller's (loop) thread in slices: one call reads at
 *   most the budget (its log_storage's clean_budget_bytes, default 8 MiB)
 *   of segment bytes
 *   and writes what it keeps; a pass spans several calls. Truncation and
 *   closing abandon a pass in progress. */
struct log_clean_stats {
	int64_t passes;             /* passes completed */
	int64_t segments_rewritten;
	int64_t records_removed;    /* tombstones included */
	int64_t tombstones_removed;
	int64_t batches_removed;
	int64_t first_dirty;        /* current first dirty offset */
};
/* One slice of cleaning; log_tick calls it. Returns 1 while a pass is in
 * progress after this call, 0 when idle (nothing due, or a pass finished),
 * -errno when a pass failed (it is abandoned; retried later). */
int log_clean(struct partition_log *log, int64_t now_ms);
/* Test hook: runs a whole pass now, whatever the dirty ratio (the active
 * segment and min_compaction_lag_ms still apply). 0 or -errno. */
int log_clean_force(struct partition_log *log, int64_t now_ms);
void log_clean_get_stats(const struct partition_log *log, struct log_clean_stats *out);

/* fdatasyncs the segment data up to the LEO (and the directory after a new
 * segment file) and moves the recovery point there in memory: what is
 * acknowledged after it returns 0 survives a crash or power loss. It writes
 * no index and not the recovery-point file: the indexes, .txnindex, leader
 * epoch file and recovery point follow at the next log_checkpoint. 0 or
 * -errno (the point then stays). */
int log_flush(struct partition_log *log);

/* Kafka's recovery-point checkpoint: fsyncs what an unclean open trusts
 * below the recovery point (the index files and .txnindex of every segment
 * that ends at or below it, the leader epoch file), then writes the
 * recovery-point file at the point. log_tick calls it at most once per
 * recovery_point_checkpoint_ms when the point moved, log_close always.
 * After an unclean shutdown log_open reads again everything from the
 * segment holding the file's point on and rebuilds its indexes and
 * .txnindex (the transaction replay re-appends the entries), checks the
 * epoch file against every batch header, and the producer state comes from
 * its snapshots and a replay to the LEO: so a crash between a flush and the
 * next checkpoint loses nothing that was flushed. 0 or -errno (the file
 * then keeps its old value). */
int log_checkpoint(struct partition_log *log);

/* ---- Background flush of rolled segments (Kafka's flush on roll) ----
 * With a flusher in the log's storage (flusher.h; the broker's has one),
 * a roll that leaves anything below the new active segment not known to be
 * synced (with a flush per message: only the index files the roll wrote)
 * queues a job that fsyncs the sealed segments not known to be synced
 * (.log, .index, .timeindex, .txnindex), leader-epoch-checkpoint if it was
 * written without fsync, and the directory. When the
 * job's done callback runs on the loop thread and no truncation happened
 * since it was queued, the recovery point moves up to the new active
 * segment's base; the sealed segments are then clean. The recovery-point
 * file follows from log_tick, at most once per recovery_point_checkpoint_ms
 * (Kafka's log.flush.offset.checkpoint.interval.ms; the first move after
 * open at the next tick), and at log_close, so after an unclean shutdown
 * only segments that reach the last written point are rescanned. Rules:
 * - The recovery point never passes data that is not durable: it moves
 *   only when the fsyncs succeeded, the file only ever holds a value the
 *   point had (written by log_checkpoint after the indexes below it are
 *   synced), and truncation lowers the point, and the file when it is
 *   above, at once (synchronously).
 * - The loop goes on appending, reading, truncating, deleting and cleaning
 *   while a job runs; the job holds its own fds. A log closed or deleted
 *   meanwhile is detached from its jobs (their results are dropped).
 * - A failed background fsync is sticky: every later append and flush of
 *   the log returns it and log_tick returns it, which takes the log dir
 *   offline (the caller's storage-error path).
 * - Without a flusher, or when its queue is full, nothing is queued: the
 *   point moves at the next roll whose job runs, or the next log_flush. */
int64_t log_recovery_point(const struct partition_log *log);
/* Roll and append flushes queued for this log whose done callback has not
 * run yet. */
int log_flushes_pending(const struct partition_log *log);

/* Drops everything at and above offset (follower truncation). An offset
 * below the log start truncates fully and starts the log at offset. */
int log_truncate_to(struct partition_log *log, int64_t offset);

/* Follower whose log lies wholly below the leader's log start: deletes every
 * segment (highest first, so a crash leaves a contiguous prefix), starts an
 * empty segment at new_start, sets log start = LEO = recovery point =
 * new_start and clears the leader epoch cache (file included). 0 or -errno;
 * if the new segment cannot be created the log is unusable (as after an
 * injected fault) and must be abandoned and reopened. */
int log_truncate_fully_and_start_at(struct partition_log *log, int64_t new_start);

/* ---- Leader epochs (KIP-101, KIP-279) ----
 * The cache maps each leader epoch to the offset where it started.
 * Invariants:
 * - Epochs and start offsets both strictly increase; an older epoch that
 *   starts where a newer one starts is dropped (it owns no offsets).
 * - Every entry starts in [log start, LEO]: log_truncate_to drops entries
 *   at or above the new LEO, retention moves the first entry up to the new
 *   log start (dropping entries wholly below it).
 * - The file is rewritten (temp, fsync, rename, fsync dir) before any batch
 *   of a new epoch is written; if that fails the append fails. So after a
 *   crash the file may only hold entries that the data lacks; log_open drops
 *   entries past the LEO (and below the log start) and rebuilds the cache
 *   from the batch headers' partitionLeaderEpoch when the file is missing or
 *   malformed, after an unclean shutdown when the full header scan
 *   disagrees, and after a clean one when a cheap check fails (each entry
 *   must start a batch of its epoch; the first and last batches must carry
 *   the epochs the cache gives them). A file entry at exactly the LEO (an
 *   epoch begun with no batches yet) is kept when everything below agrees.
 *   Not detected after a clean shutdown: a file that leaves out a whole
 *   epoch in the middle (only hand edits make one). */

/* Records that `epoch` starts at start_offset if epoch is newer than the
 * latest entry (older or equal epochs are ignored). log_append does this
 * itself for the leader_epoch it stamps; log_append_replica for every batch
 * whose partitionLeaderEpoch is newer than the latest entry. A new leader
 * should call it with (its epoch, LEO) when it takes over, so that
 * OffsetsForLeaderEpoch answers right before its first append.
 * Returns 0 or -EINVAL (start_offset outside [log start, LEO], negative
 * epoch), or -errno when the checkpoint file cannot be written (the entry is
 * kept in memory and written again on the next change or close). */
int log_epoch_assign(struct partition_log *log, int32_t epoch, int64_t start_offset);
int32_t log_latest_epoch(const struct partition_log *log);  /* -1 if none */
/* OffsetsForLeaderEpoch as the leader answers it: the largest epoch <=
 * requested and its end offset (the start offset of the next epoch, or the
 * LEO for the latest epoch). *out_epoch = -1, *end_offset = -1 when the
 * requested epoch is below every entry. */
void log_epoch_end_offset(const struct partition_log *log, int32_t epoch,
			  int32_t *out_epoch, int64_t *end_offset);

/* ---- Aborted-transaction index (Kafka's .txnindex) ----
 * Each segment's index lists the aborted transactions whose ABORT marker
 * lies in it. The files follow their segment: created with it, deleted by
 * retention/truncation with it, cut to the LEO by log_truncate_to (entries
 * whose marker is at or above the truncation point go), emptied for the
 * segments recovery rescans after an unclean shutdown (the transaction
 * tracker re-appends what the markers imply when it replays the log). */

/* Appends an entry to the index of the segment holding e->last_offset (the
 * marker, which must be below the LEO). An entry already present (marker
 * not above that index's last) is a no-op, so replays may re-append.
 * 0, -EINVAL, -ERANGE (marker outside the log) or -errno. */
int log_txn_index_append(struct partition_log *log, const struct txn_index_entry *e);
/* Aborted transactions overlapping a fetch of [from, upper), in log order:
 * scans the indexes of the segment holding `from` and the ones after it
 * until an entry's last stable offset reaches upper (Kafka's
 * collectAbortedTransactions). Returns how many were written (<= max), or
 * -errno. */
int64_t log_txn_aborted(struct partition_log *log, int64_t from, int64_t upper,
			struct txn_index_entry *out, size_t max);

/* The log's invariants, checked (common/check.h): segments sorted with
 * whole-batch sizes, start <= recovery point <= LEO, the recovery-point
 * file not above the recovery point, every offset- and
 * time-index entry inside its segment (relative offsets and positions
 * ascending, positions below the segment size, offsets below the next
 * segment's base and the LEO), the leader epoch cache monotone and not past
 * the LEO. 0, or -1 after logging the first breach. */
int log_check(const struct partition_log *log);

/* Frees the log without writing anything: what a SIGKILL leaves behind.
 * The only call allowed after a torn write (failpoint storage.segment.write
 * torn(N), common/failpoint.h); also used on open errors. */
void log_abandon(struct partition_log *log);

#endif
