/* One log segment: a .log file of whole RecordBatch v2 batches plus its
 * sparse offset and time indexes, held in memory and written to .index /
 * .timeindex lazily (on flush, roll and close). Internal to broker/storage.
 * Index files are rebuilt from the .log whenever they cannot be trusted. */
#ifndef GREGOR_STORAGE_SEGMENT_H
#define GREGOR_STORAGE_SEGMENT_H

#include <stddef.h>
#include <stdint.h>

#include "broker/storage/txn_index.h"
#include "common/proto/record_batch.h"

/* Offset index entry: batch base offset (relative) -> its file position. */
struct seg_idx {
	uint32_t rel;
	uint32_t pos;
};

/* Time index entry: the segment's max timestamp so far and the relative base
 * offset of the first batch that reached it. Timestamps strictly increase. */
struct seg_tidx {
	int64_t ts;
	uint32_t rel;
};

/* The headers of the segment's last few batches, kept in memory as they
 * are appended (or walked): a follower or a tailing consumer reads a few
 * batches behind the end, and finding its position from the sparse offset
 * index would pread every batch header after the nearest index entry (up
 * to index.interval.bytes of small batches, for every fetch). Entries are
 * consecutive batches, oldest first; the newest ends at `size` whenever the
 * ring is used (seg_tail_ok), else it is ignored. */
#define SEG_TAIL 32
struct seg_tail {
	int64_t pos, base, max_ts;
	int32_t size, last_delta, epoch;
};

struct segment {
	int64_t base;
	int fd;              /* .log, O_RDWR */
	int64_t size;        /* append position == bytes of whole batches */
	int64_t max_ts;      /* largest batch maxTimestamp, -1 when none */
	uint32_t max_ts_rel; /* relative base offset of the batch that set it */
	int64_t roll_start_ms; /* when the first batch arrived (time-based roll) */
	int64_t since_index; /* bytes appended since the last index entry */
	int dirty;           /* .log bytes not yet fsynced */
	int idx_dirty;       /* .index/.timeindex may not durably hold every
			      * entry in memory (unwritten, or written without
			      * fsync): synced before the recovery-point file
			      * passes the segment's end (log.c) */
	int64_t cleaned_ms;  /* when the cleaner first cleaned it; -1 never */
	struct seg_idx *idx;
	size_t n_idx, cap_idx, idx_on_disk;
	struct seg_tidx *tidx;
	size_t n_tidx, cap_tidx, tidx_on_disk;
	struct txn_index txn; /* <base>.txnindex: aborted transactions whose
			       * ABORT marker is in this segment */
	struct seg_tail tail[SEG_TAIL];
	uint32_t tail_first, tail_n; /* ring: oldest entry, entries held */
};

/* What a header walk needs from one batch: 61 bytes decoded. */
struct seg_batch {
	int64_t pos;
	int64_t size;
	int64_t base;
	int64_t last;
	int64_t max_ts;
	int32_t count;
	int32_t epoch; /* partitionLeaderEpoch as stored */
};

static inline uint32_t seg_get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline uint64_t seg_get_be64(const uint8_t *p)
{
	return (uint64_t)seg_get_be32(p) << 32 | seg_get_be32(p + 4);
}

static inline void seg_put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline void seg_put_be64(uint8_t *p, uint64_t v)
{
	seg_put_be32(p, (uint32_t)(v >> 32));
	seg_put_be32(p + 4, (uint32_t)v);
}

/* File name of a segment part: <dir>/<20-digit base><suffix>. */
int seg_path(char *buf, size_t cap, const char *dir, int64_t base, const char *suffix);

/* Creates an empty segment (truncating any stale files of that base). */
int seg_create(const char *dir, int64_t base, int64_t now_ms, struct segment **out);
/* Opens an existing .log and loads its .txnindex (cut at a bad entry);
 * offset/time indexes are not loaded (see seg_load_indexes). */
int seg_open(const char *dir, int64_t base, struct segment **out);
void seg_free(struct segment *s);
/* Closes and unlinks the .log and index files (.txnindex included). */
void seg_remove(const char *dir, struct segment *s);

/* Reads the header of the batch at pos (from the tail ring when it holds
 * it, else from the file). Returns 1 with *b filled, 0 when pos is at the
 * end, -EIO when the bytes there cannot be a batch of this file (short, bad
 * length, crossing the end). */
int seg_read_header(const struct segment *s, int64_t pos, struct seg_batch *b);
/* Header reads that went to the file (pread), process-wide: tests count
 * them to check that reads near the end need none. */
uint64_t seg_header_preads(void);
/* The tail ring against the file: 0 when it is unused or every entry is
 * the header at its position, else -1 with *at the first wrong one. */
int seg_tail_check(const struct segment *s, int64_t *at);

/* Position of the first batch whose last offset >= target, starting at the
 * nearest offset index entry; s->size when there is none. *b gets that batch. */
int seg_find(const struct segment *s, int64_t target, int64_t *pos, struct seg_batch *b);
/* Largest indexed batch position <= limit and >= from (from if none). */
int64_t seg_index_floor_pos(const struct segment *s, int64_t from, int64_t limit);

/* Records one appended batch in the in-memory indexes and max timestamp.
 * index_interval decides whether this batch gets an offset index entry. */
void seg_note_batch(struct segment *s, const struct seg_batch *b, int32_t index_interval);
/* Adds a final time index entry if the max timestamp has moved (on seal). */
void seg_seal_time_index(struct segment *s);
int seg_index_full(const struct segment *s, int32_t index_bytes);

/* Loads .index / .timeindex and checks them against the .log; entries past
 * the file are dropped. Returns 0 if they can be trusted, -1 otherwise. */
int seg_load_indexes(const char *dir, struct segment *s);
/* Forgets the indexes and rebuilds them by walking the batch headers up to
 * s->size; returns the offset after the last batch, or -EIO on a bad header. */
int64_t seg_rebuild_indexes(struct segment *s, int32_t index_interval);
/* Appends index entries not yet on disk; rewrite = 1 rewrites the files,
 * sync = 1 fsyncs them (and, on success, clears idx_dirty). */
int seg_write_indexes(const char *dir, struct segment *s, int rewrite, int sync);
/* Forgets index entries at or beyond the file size / relative offset end. */
void seg_trim_indexes(struct segment *s, int64_t end_offset);

/* rb_validate for batches read from a log: also accepts what the cleaner
 * writes (uncompressed, fewer records than lastOffsetDelta + 1, offset
 * deltas increasing within [0, lastOffsetDelta]). 0 or a Kafka error code. */
int seg_validate_batch(const uint8_t *p, size_t len, struct rb_header *h);

/* What a follower checks of a batch its leader sent: the framing and the
 * header's counts as seg_validate_batch does, and the CRC, which covers
 * every record, but not each record's encoding: the leader validated those
 * before it appended them (Kafka's follower, too, checks only the CRC).
 * 0 or a Kafka error code. */
int seg_validate_replica_batch(const uint8_t *p, size_t len, struct rb_header *h);

/* Walks from pos 0 to s->size checking every batch (lengths, CRC, contents,
 * offsets increasing from *next; gaps are allowed, compaction leaves them).
 * Batches wholly below trusted_end (the recovery point: fsynced) are only
 * walked by their headers; full checks start at the first batch that
 * reaches it. Stops at the first bad batch: returns its position
 * (== s->size when all good) and leaves *next after the last good batch;
 * *checked_from is where the full checks began (what was read again).
 * Rebuilds the in-memory indexes for the good part. */
int64_t seg_recover(struct segment *s, int64_t *next, int64_t trusted_end,
		    int32_t index_interval, int64_t *checked_from);

#endif
