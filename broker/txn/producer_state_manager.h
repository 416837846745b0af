/* Producer state manager: the producer state (producer_state.h) of one
 * partition log, kept in step with the log. Recovery on open and after
 * truncation = newest valid snapshot at or below the log end, then a replay
 * of batch headers from there (or from the log start) to the log end.
 * Snapshots are written periodically and on clean close.
 *
 * Invariant: the state reflects exactly the batches in [log start or
 * snapshot, LEO) — every append (leader or follower) is recorded right after
 * it lands, every truncation rebuilds.
 *
 * Each partition holds its manager (struct partition's psm) and calls it on
 * every change of its log (broker/partition.c): nothing here detects a
 * change made behind its back. The query functions take NULL (no manager:
 * out of memory at open) and answer as for a log without producers.
 * Loop thread only. */
#ifndef GREGOR_PRODUCER_STATE_MANAGER_H
#define GREGOR_PRODUCER_STATE_MANAGER_H

#include <stddef.h>
#include <stdint.h>

#include "broker/txn/producer_state.h"
#include "broker/txn/txn_tracker.h"
#include "common/proto/record_batch.h"

struct partition_log;

/* A produce-time verification under way for one producer (txn_verify.c):
 * voided when a marker of that producer is recorded. */
struct psm_guard {
	int64_t producer_id;
	uint64_t token;
};

struct producer_state_manager {
	struct partition_log *log;
	struct psm_guard *guards; /* unsorted, few */
	size_t nguards, capguards;
	struct producer_state state;
	int64_t snapshot_offset;  /* offset of the newest snapshot written/loaded */
	int64_t last_tick_ms;     /* monotonic: psm_tick's previous now */
	uint32_t phase;           /* this log's offset into the snapshot interval */
	int64_t leo_seen;         /* the LEO the state is in step with */
	int64_t fed_since_snapshot; /* producer-id batches recorded since it */
	struct txn_tracker txns;  /* open transactions, aborted index: whole log */
};

/* Builds the state of a just-opened log. NULL on OOM. */
struct producer_state_manager *psm_open(struct partition_log *log);
/* Frees. clean: first write a snapshot at the LEO (call it before
 * log_close); 0 before log_delete / log_abandon. */
void psm_close(struct producer_state_manager *m, int clean);

/* Leader check of a client batch (see ps_check); also INVALID_TXN_STATE
 * for a non-transactional batch of a producer whose transaction is open. */
int16_t psm_check(const struct producer_state_manager *m, const struct rb_header *h,
		  int *dup, int64_t *dup_base_offset);
/* Records every batch of an appended byte range (offsets stamped). */
void psm_on_append(struct producer_state_manager *m, const uint8_t *batches, size_t len);
/* The log was truncated (either end): drops snapshots above the LEO and
 * rebuilds from the newest remaining one. */
void psm_on_truncate(struct producer_state_manager *m);
/* For the Produce path: psm_check, with a log line for refusals and
 * duplicates; 0 and *dup = 0 without a manager or a producer id. */
int16_t psm_check_produce(struct producer_state_manager *m, const struct rb_header *h,
			  int *dup, int64_t *dup_base_offset);

/* ---- transactions (read_committed, markers) ---- */
/* Last stable offset: min(first offset of the earliest open transaction,
 * hw); hw when the log has no manager. */
int64_t psm_lso(struct producer_state_manager *m, int64_t hw);
/* Aborted transactions overlapping a fetch of [from, upper) (see
 * tt_aborted); 0 when the log has no manager. */
size_t psm_aborted(struct producer_state_manager *m, int64_t from, int64_t upper,
		   struct txn_aborted *out, size_t max);
/* Leader check of a marker before it is appended: TRANSACTION_COORDINATOR_
 * FENCED when a newer coordinator already wrote for this producer,
 * INVALID_PRODUCER_EPOCH when the producer's epoch is already higher. */
int16_t psm_check_marker(struct producer_state_manager *m, int64_t producer_id, int16_t epoch,
			 int32_t coordinator_epoch);

/* ---- produce-time transaction verification (KIP-890 part 1) ---- */
/* 1 when the producer has a transaction open in this log at exactly this
 * epoch: its further batches need no verification (the coordinator's marker
 * will close that transaction here). */
int psm_txn_open_at(struct producer_state_manager *m, int64_t producer_id, int16_t epoch);
/* Registers a verification of the producer's first batch of a transaction
 * and returns its guard. Any marker of that producer recorded afterwards
 * (the transaction ended while the coordinator was being asked), or a
 * rebuild, voids it: psm_verify_valid then says 0, and the batch must not
 * be appended. PSM_GUARD_NONE when the log has no manager (then always
 * valid); PSM_GUARD_VOID on OOM (never valid). */
#define PSM_GUARD_NONE 0
#define PSM_GUARD_VOID UINT64_MAX
uint64_t psm_verify_begin(struct producer_state_manager *m, int64_t producer_id);
int psm_verify_valid(struct producer_state_manager *m, int64_t producer_id, uint64_t guard);
/* Forgets the guard (the verification's queue is done with it). */
void psm_verify_end(struct producer_state_manager *m, int64_t producer_id, uint64_t guard);

/* Periodic: a snapshot at the LEO when it moved and a batch with a
 * producer id was recorded since the newest snapshot (plain producers'
 * batches change no state), once per interval_ms at this log's own phase
 * of the interval (a hash of its directory), so that partitions that got
 * data together do not all write theirs in one tick; keeps the three
 * newest. */
void psm_tick(struct producer_state_manager *m, int64_t now_ms, int64_t interval_ms);

/* Rebuilds the state from snapshots and the log (open and truncation).
 * Returns the number of batch headers replayed, or -errno. */
int64_t psm_rebuild(struct producer_state_manager *m);

#endif
