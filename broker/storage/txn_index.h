/* Aborted-transaction index of one segment: Kafka's <base>.txnindex.
 * Fixed 34-byte big-endian entries {version int16 = 0, producerId int64,
 * firstOffset int64, lastOffset int64 (the ABORT marker), lastStableOffset
 * int64 (the LSO right after the marker)}, appended in log order when an
 * ABORT marker lands in the segment. Created on the first entry.
 *
 * Invariants: entries' last_offset strictly increase and are >= the
 * segment base; first_offset <= last_offset; the file holds a prefix of the
 * entries the segment's data implies (a torn or corrupt tail is cut on
 * load, truncation removes a suffix), so re-appending an entry whose
 * last_offset is not above the last one is a no-op. Loop thread only. */
#ifndef GREGOR_STORAGE_TXN_INDEX_H
#define GREGOR_STORAGE_TXN_INDEX_H

#include <stddef.h>
#include <stdint.h>

#define TXN_INDEX_ENTRY_SIZE 34
#define TXN_INDEX_SUFFIX ".txnindex"

struct txn_index_entry {
	int64_t producer_id;
	int64_t first_offset;
	int64_t last_offset;
	int64_t last_stable_offset;
};

struct txn_index {
	char *path;
	int fd;              /* -1 until loaded with a file or first appended */
	int64_t base;        /* the segment's base offset */
	int64_t n;           /* whole entries in the file */
	int64_t last_offset; /* of the last entry; -1 when empty */
	int dirty;           /* entries not yet fsynced */
};

/* Names the file <dir>/<20-digit base>.txnindex; touches nothing on disk.
 * 0 or -ENOMEM / -ENAMETOOLONG. */
int txn_index_init(struct txn_index *ix, const char *dir, int64_t base);
/* Opens an existing file (none is fine: empty index) and checks every
 * entry; the file is cut at a torn tail (length not a multiple of 34) or at
 * the first entry that breaks the invariants, with a warning naming the
 * file, entry and reason. Returns the number of entries dropped (>= 0) or
 * -errno on I/O errors (the index is then empty in memory). */
int64_t txn_index_load(struct txn_index *ix);
/* Appends an entry (creating the file). 0 when written or already present
 * (last_offset not above the last entry); -EINVAL when it does not belong
 * (last_offset below base, first > last); -errno on write errors (nothing
 * half-written stays). */
int txn_index_append(struct txn_index *ix, const struct txn_index_entry *e);
/* Drops the entries whose last_offset >= offset. 0 or -errno. */
int txn_index_truncate(struct txn_index *ix, int64_t offset);
/* Drops every entry (the segment is being rebuilt). 0 or -errno. */
int txn_index_reset(struct txn_index *ix);
/* fsyncs appended entries. 0 or -errno. */
int txn_index_sync(struct txn_index *ix);
/* Entries overlapping a fetch of [from, upper): last_offset >= from and
 * first_offset < upper, in log order, at most max into out. *complete = 1
 * when an entry's last_stable_offset >= upper: no later segment can hold a
 * transaction that started below upper (Kafka's TxnIndexSearchResult).
 * Returns how many were written, or -errno. */
int64_t txn_index_collect(const struct txn_index *ix, int64_t from, int64_t upper,
			  struct txn_index_entry *out, size_t max, int *complete);
/* Closes the file and frees the name (no unlink). */
void txn_index_close(struct txn_index *ix);
/* Closes and unlinks the file. */
void txn_index_remove(struct txn_index *ix);

/* Entry codec (exposed for tests). */
void txn_index_encode(const struct txn_index_entry *e, uint8_t out[TXN_INDEX_ENTRY_SIZE]);
/* 0, or -1 when the version is not 0. */
int txn_index_decode(const uint8_t in[TXN_INDEX_ENTRY_SIZE], struct txn_index_entry *e);

#endif
