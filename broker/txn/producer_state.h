/* Idempotent producer state of one partition: per producer id its epoch and
 * the last five batches it appended (Kafka's ProducerStateManager). Pure data:
 * no I/O except the snapshot files at the end. Rules: docs/protocol.md §3,
 * docs/zookeeper.md §4.
 *
 * Invariants:
 * - Entries are sorted by producer id, ids unique.
 * - An entry's batches are oldest first, at most PS_WINDOW, all of its
 *   current epoch (an epoch change clears them), last offsets increasing.
 */
#ifndef GREGOR_PRODUCER_STATE_H
#define GREGOR_PRODUCER_STATE_H

#include <stddef.h>
#include <stdint.h>

#define PS_WINDOW 5
#define PS_SNAPSHOT_VERSION 1
#define PS_SNAPSHOT_ENTRY_SIZE 46
#define PS_SNAPSHOT_HEADER_SIZE 10 /* version i16, crc u32, count i32 */

struct ps_batch {
	int32_t first_seq, last_seq;
	int64_t last_offset;
	int32_t offset_delta; /* last offset - first offset */
	int64_t timestamp;    /* the batch's max timestamp */
};

struct ps_entry {
	int64_t producer_id;
	int16_t epoch;
	int nbatches;
	struct ps_batch batches[PS_WINDOW];
	int32_t coordinator_epoch;        /* -1 until transactions use it */
	int64_t current_txn_first_offset; /* -1: no open transaction */
	int64_t last_timestamp;
};

struct producer_state {
	struct ps_entry *v;
	size_t n, cap;
};

void ps_init(struct producer_state *s);
void ps_free(struct producer_state *s);
void ps_clear(struct producer_state *s);

const struct ps_entry *ps_find(const struct producer_state *s, int64_t producer_id);

/* Leader-side check of a client batch before it is appended. Returns 0 and
 * *dup = 0 (append it), 0 and *dup = 1 with *dup_base_offset (a resend of
 * one of the last PS_WINDOW batches: answer success with that offset,
 * append nothing), or a Kafka error: INVALID_PRODUCER_EPOCH (lower epoch),
 * OUT_OF_ORDER_SEQUENCE_NUMBER (gap, or a new epoch not at sequence 0). A
 * producer without stored state may start at any sequence. */
int16_t ps_check(const struct producer_state *s, int64_t producer_id, int16_t epoch,
		 int32_t first_seq, int32_t last_seq, int *dup, int64_t *dup_base_offset);

/* Records an appended batch (leader after append; followers and recovery
 * for every replicated batch, unchecked). A new epoch replaces the entry's
 * history. Returns 0 or -ENOMEM. */
int ps_record(struct producer_state *s, int64_t producer_id, int16_t epoch,
	      int32_t first_seq, int32_t last_seq, int64_t last_offset,
	      int32_t offset_delta, int64_t timestamp);

/* The invariants above, checked, plus: within an entry, each batch's
 * sequences span its offsets (last_seq - first_seq == offset_delta, with
 * wrap-around) and each batch starts at the sequence after the previous
 * one's last (contiguous). Contiguity holds for what the leader validated;
 * a replayed compacted log may have gaps, so only callers that know the
 * window came through ps_check (tests, the leader) assert it. 0, or -1
 * after logging the first breach. */
int ps_check_state(const struct producer_state *s);

/* The mutable entry of a producer, NULL if unknown. */
struct ps_entry *ps_lookup(struct producer_state *s, int64_t producer_id);
/* Records a transaction marker (control batch) of the producer: a higher
 * epoch replaces the entry's epoch and history (it fences older writers),
 * the coordinator epoch is remembered and the open transaction closed.
 * Returns 0 or -ENOMEM. */
int ps_record_marker(struct producer_state *s, int64_t producer_id, int16_t epoch,
		     int32_t coordinator_epoch, int64_t timestamp);

/* Records a batch from its raw header (61+ bytes with stamped base offset);
 * batches without producer id, control batches and short input are
 * ignored. Returns 0 or -ENOMEM. */
int ps_record_header(struct producer_state *s, const uint8_t *hdr, size_t avail);

/* Snapshot bytes (Kafka's producer snapshot v1): i16 version, u32 CRC-32C
 * over everything after it, i32 count, count entries {producer_id i64, epoch
 * i16, last_sequence i32, last_offset i64, offset_delta i32, timestamp i64,
 * coordinator_epoch i32, current_txn_first_offset i64}. Only each producer's
 * newest batch is kept, as in Kafka. Encode returns a malloc'd buffer. */
int ps_snapshot_encode(const struct producer_state *s, uint8_t **out, size_t *len);
/* Replaces *s with the snapshot's content; -EINVAL on any malformation (bad
 * version, CRC, count/length mismatch, unsorted or duplicate ids), s then
 * unchanged. */
int ps_snapshot_decode(const uint8_t *p, size_t len, struct producer_state *s);

/* ---- snapshot files: <dir>/<20-digit offset>.snapshot ---- */
/* Writes the state as of offset (exclusive end: the next offset) atomically
 * (temp file, rename; with durable, fsync of the file and the dir). 0 or
 * -errno. A snapshot is only a shortcut for replay: a torn or lost one fails
 * its CRC at load and an older one, or the log, is used instead. */
int ps_snapshot_write(const char *dir, int64_t offset, const struct producer_state *s,
		      int durable);
/* Loads the newest valid snapshot whose offset <= max_offset; corrupt ones
 * are skipped (and logged). Returns its offset (state in *s), or -1 with *s
 * cleared when there is none. */
int64_t ps_snapshot_load(const char *dir, int64_t max_offset, struct producer_state *s);
/* Deletes snapshots with offset > max_offset (after truncation); returns how
 * many were deleted. */
int ps_snapshot_delete_above(const char *dir, int64_t max_offset);
/* Keeps the `keep` newest snapshots and deletes older ones. */
void ps_snapshot_retain(const char *dir, int keep);

#endif
