/* Partition log: the on-disk record of one partition, in Kafka's layout.
 *
 * A directory <log.dirs>/<topic>-<partition>/ holds segments named by their
 * base offset (20 digits): NNN.log (RecordBatch v2 bytes exactly as they
 * travel on the wire), NNN.index (sparse offset index: u32 relative offset,
 * u32 file position, big-endian, one entry per index_interval_bytes) and
 * NNN.timeindex (i64 timestamp, u32 relative offset, big-endian). Beside
 * them: `recovery-point` (decimal offset + newline; all below it is fsynced)
 * and `clean-shutdown` (empty; present only between log_close and log_open).
 *
 * Invariants:
 * - Offsets are dense and increasing: the next batch appended starts at
 *   log_end_offset(), and the LEO never goes backwards except through
 *   log_truncate_to() (replication only).
 * - Every byte in a .log file before the append position is a whole, CRC-valid
 *   batch; a torn or corrupt tail found on open is cut off and logged.
 * - Only the event-loop thread touches a struct partition_log.
 */
#ifndef GREGOR_LOG_H_STORAGE
#define GREGOR_LOG_H_STORAGE

#include <stddef.h>
#include <stdint.h>

struct log_config {
	int64_t segment_bytes;           /* log.segment.bytes */
	int64_t roll_ms;                 /* log.roll.ms / log.roll.hours */
	int64_t retention_ms;            /* log.retention.ms/minutes/hours; -1 = forever */
	int64_t retention_bytes;         /* log.retention.bytes; -1 = unlimited */
	int64_t flush_interval_messages; /* log.flush.interval.messages; INT64_MAX = never */
	int64_t flush_interval_ms;       /* log.flush.interval.ms; INT64_MAX = never */
	int32_t index_interval_bytes;    /* log.index.interval.bytes (4096) */
	int32_t segment_index_bytes;     /* log.index.size.max.bytes (10 MiB): roll when full */
};

void log_config_defaults(struct log_config *c);

struct partition_log;

/* A byte range of one segment file; fd stays owned by the log. */
struct log_slice {
	int fd;
	int64_t pos;
	int32_t len;          /* 0 if nothing to read */
	int64_t first_offset; /* base offset of the first batch in the slice */
};

/* Opens (creating if needed) the directory and recovers it: segments are
 * scanned past the recovery point, a bad tail is truncated, indexes are
 * rebuilt when missing or inconsistent. Returns 0 or -errno. */
int log_open(const char *dir, const struct log_config *cfg,
	     struct partition_log **out);
/* Writes indexes and a clean-shutdown marker, closes files. */
void log_close(struct partition_log *log);
/* Closes and removes the directory (topic deletion). */
int log_delete(struct partition_log *log);

int64_t log_start_offset(const struct partition_log *log);
int64_t log_end_offset(const struct partition_log *log);
int64_t log_size_bytes(const struct partition_log *log);
const char *log_dir(const struct partition_log *log);

/* Appends one batch that the caller has validated (common/proto/record_batch).
 * Stamps baseOffset = LEO and partitionLeaderEpoch into the caller's buffer
 * (CRC unaffected), rolls a segment if needed, writes, updates indexes.
 * Returns 0 and *base_offset, or -errno (nothing appended). */
int log_append(struct partition_log *log, uint8_t *batch, size_t len,
	       int32_t leader_epoch, int64_t *base_offset);

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

/* Periodic work: time-based roll, retention (whole segments), time-based
 * flush. Call about once a second. */
void log_tick(struct partition_log *log, int64_t now_ms);

/* fsync the log and indexes up to the LEO; moves the recovery point. */
int log_flush(struct partition_log *log);

/* Drops everything at and above offset (follower truncation). */
int log_truncate_to(struct partition_log *log, int64_t offset);

/* Fault injection for tests: when set, the n-th following write() of segment
 * data writes only `partial` bytes and fails (simulated crash mid-write). */
void log_inject_write_fault(int nth_write, size_t partial);
/* Frees the log without writing anything: what a SIGKILL leaves behind.
 * The only call allowed after an injected fault; also used on open errors. */
void log_abandon(struct partition_log *log);

#endif
