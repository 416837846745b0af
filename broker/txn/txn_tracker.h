/* Transactions as seen by one partition log: which producers have an open
 * transaction (and its first offset), and the index of aborted
 * transactions {producer id, first offset, marker offset, LSO after it}.
 * Gives the last stable offset and the aborted list a read_committed Fetch
 * needs. producer_state_manager feeds it every batch and rebuilds it from
 * the log on open and after truncation.
 *
 * The aborted index lives in the log's per-segment .txnindex files once a
 * log is attached (tt_attach_log): each ABORT is appended to the file of
 * the marker's segment and lookups read the files, so nothing of old
 * segments stays in memory and retention/truncation/recovery act on the
 * files with their segments. Replays re-append; entries already present
 * are skipped. Unattached (tests, or before attach) the index is an
 * in-memory list.
 *
 * Invariants: open ids unique; aborted entries in log order (last_offset
 * strictly increasing), first_offset <= last_offset. */
#ifndef GREGOR_TXN_TRACKER_H
#define GREGOR_TXN_TRACKER_H

#include <stddef.h>
#include <stdint.h>

struct txn_open {
	int64_t producer_id;
	int64_t first_offset;
};

struct txn_aborted {
	int64_t producer_id;
	int64_t first_offset;
	int64_t last_offset; /* the ABORT marker */
	int64_t last_stable_offset; /* right after the marker: first offset of the
				     * earliest other open txn, else last + 1 */
};

struct partition_log;

struct txn_tracker {
	struct txn_open *open;
	size_t nopen, capopen;
	struct txn_aborted *ab; /* unattached only */
	size_t nab, capab;
	struct partition_log *log; /* NULL: in-memory index */
};

#define TXN_MARKER_ABORT 0
#define TXN_MARKER_COMMIT 1

void tt_init(struct txn_tracker *t);
void tt_free(struct txn_tracker *t);
/* Forgets open transactions and the in-memory index (an attached log's
 * files stay: the log itself truncates them). */
void tt_clear(struct txn_tracker *t);
/* From now on the aborted index is the log's .txnindex files: writes the
 * in-memory entries not yet in the files (those below the log start are
 * dropped) and frees the list. 0 or -errno (the list is then kept and
 * the tracker stays unattached). */
int tt_attach_log(struct txn_tracker *t, struct partition_log *log);

/* A transactional data batch at base_offset: opens the producer's
 * transaction unless already open. 0 or -ENOMEM. */
int tt_on_data(struct txn_tracker *t, int64_t producer_id, int64_t base_offset);
/* A marker at offset closes the producer's transaction; an ABORT of an open
 * one is indexed (attached: appended to the marker segment's .txnindex,
 * the marker must be in the log already). Returns the closed transaction's
 * first offset, -1 if none was open, -ENOMEM (-12) when the index cannot
 * grow or -EIO when the file append failed (logged). */
int64_t tt_on_marker(struct txn_tracker *t, int64_t producer_id, int64_t offset, int type);
/* First offset of the producer's open transaction, or -1. */
int64_t tt_open_first(const struct txn_tracker *t, int64_t producer_id);
/* min(first offset of the earliest open transaction, hw). */
int64_t tt_lso(const struct txn_tracker *t, int64_t hw);
/* Aborted transactions a fetch of [from, upper) must report: those with
 * last_offset >= from and first_offset < upper. Returns how many were
 * written to out (at most max), in log order. Attached: read from the
 * files of the segments from `from` on, stopping at the first entry whose
 * last stable offset reaches upper (as Kafka); 0 on a read error (logged). */
size_t tt_aborted(const struct txn_tracker *t, int64_t from, int64_t upper,
		  struct txn_aborted *out, size_t max);
/* Forgets aborted entries entirely below offset (retention moved on);
 * attached, retention deletes the files with their segments: a no-op. */
void tt_prune(struct txn_tracker *t, int64_t log_start);

/* The type of a control batch (whole batch or at least its header and
 * first record): TXN_MARKER_ABORT/COMMIT with the coordinator epoch of its
 * value in *coordinator_epoch (-1 if absent), or -1 when it is no valid
 * transaction marker. */
int txn_marker_parse(const uint8_t *batch, size_t avail, int32_t *coordinator_epoch);
/* Builds the control batch of a marker (malloc'd) for the coordinator's
 * WriteTxnMarkers: attributes control|transactional, baseSequence -1. */
int txn_marker_build(int64_t producer_id, int16_t epoch, int type, int32_t coordinator_epoch,
		     int64_t now_ms, uint8_t **out, size_t *len);

#endif
