/* The transaction coordinator of one broker: owns the transactional ids of
 * every __transaction_state partition this broker leads (coordinator epoch
 * = that partition's leader epoch), loads them on leadership
 * (COORDINATOR_LOAD_IN_PROGRESS meanwhile; PrepareCommit/PrepareAbort
 * resume their markers), persists every state change with acks=all before
 * acting on it, sends WriteTxnMarkers to partition leaders, and aborts
 * transactions past their timeout. docs/zookeeper.md §5. Loop thread only. */
#ifndef GREGOR_TXN_COORDINATOR_H
#define GREGOR_TXN_COORDINATOR_H

#include <stddef.h>
#include <stdint.h>

#define TC_TOPIC "__transaction_state"
#define TC_MAX_EPOCH 32766 /* Short.MAX_VALUE - 1: the next bump takes a new id */

struct broker;
struct txn_coordinator;

/* The broker's coordinator (b->tc), created on first use. */
struct txn_coordinator *tc_get(struct broker *b);

/* FindCoordinator key_type 1: the leader of the id's partition, or
 * COORDINATOR_NOT_AVAILABLE (creating __transaction_state on first use). */
int16_t tc_find(struct txn_coordinator *tc, const char *txn_id, int32_t *node_id,
		const char **host, int32_t *port);

typedef void (*tc_pid_fn)(void *arg, int16_t kerr, int64_t producer_id, int16_t epoch);
typedef void (*tc_done_fn)(void *arg, int16_t kerr);

/* InitProducerId with a transactional id. producer_id/epoch: -1 or the
 * caller's current ones (v3+, KIP-360). fn runs exactly once, maybe at once. */
void tc_init_producer_id(struct txn_coordinator *tc, const char *txn_id, int32_t timeout_ms,
			 int64_t producer_id, int16_t epoch, tc_pid_fn fn, void *arg);

struct tc_tp {
	const char *topic;
	int32_t partition;
};
/* AddPartitionsToTxn / AddOffsetsToTxn: one error for every partition.
 * While the previous transaction of the id is still completing (Prepare*
 * written, markers or Complete* under way) the request is held, up to
 * TC_HOLD_MS, and carried out once it completes, instead of answered
 * CONCURRENT_TRANSACTIONS at once (on which librdkafka waits 20 ms before
 * it retries). */
void tc_add_partitions(struct txn_coordinator *tc, const char *txn_id, int64_t producer_id,
		       int16_t epoch, const struct tc_tp *tps, int n, tc_done_fn fn, void *arg);
/* AddPartitionsToTxn v4 VerifyOnly (KIP-890 part 1), answered at once:
 * errs[i] is 0 when tps[i] is part of the producer's ongoing transaction at
 * exactly this producer id and epoch, else INVALID_TXN_STATE; a request
 * error goes to every partition (NOT_COORDINATOR, COORDINATOR_LOAD_IN_
 * PROGRESS, INVALID_PRODUCER_ID_MAPPING, PRODUCER_FENCED, CONCURRENT_
 * TRANSACTIONS while Prepare*). Nothing is written. */
void tc_verify_partitions(struct txn_coordinator *tc, const char *txn_id, int64_t producer_id,
			  int16_t epoch, const struct tc_tp *tps, int n, int16_t *errs);
/* The __consumer_offsets partition of a group (AddOffsetsToTxn). */
int32_t tc_offsets_partition(struct txn_coordinator *tc, const char *group_id);
/* EndTxn: answered once PrepareCommit/PrepareAbort is persisted. */
void tc_end_txn(struct txn_coordinator *tc, const char *txn_id, int64_t producer_id,
		int16_t epoch, int commit, tc_done_fn fn, void *arg);

/* Counters for metrics (plain fields, read on the loop thread): ongoing
 * transactions found past their transaction.timeout.ms by the periodic
 * check (each is then aborted), and how many were past it at that check. */
struct tc_stats {
	uint64_t timed_out_total;
	int32_t open_past_timeout;
};
const struct tc_stats *tc_stats(struct txn_coordinator *tc);
/* Ongoing transactions of the loaded partitions open longer than their
 * transaction.timeout.ms right now (what `gregorctl transactions` marks
 * HANGING): non-zero between a timeout and the next periodic check, and for
 * as long as their abort cannot be written. */
int32_t tc_count_past_timeout(struct txn_coordinator *tc);

/* DescribeTransactions / ListTransactions. */
struct tc_view {
	const char *id;
	int status;
	int32_t timeout_ms;
	int64_t start_ts;
	int64_t producer_id;
	int16_t epoch;
	const struct tc_tp *tps;
	int ntps;
};
/* 0 with *v filled, NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS or
 * TRANSACTIONAL_ID_NOT_FOUND. v's pointers live until the loop runs on. */
int16_t tc_describe(struct txn_coordinator *tc, const char *txn_id, struct tc_view *v);
typedef void (*tc_view_fn)(void *arg, const struct tc_view *v);
/* Every loaded transaction; COORDINATOR_LOAD_IN_PROGRESS when a partition
 * is still loading (the others are listed anyway). */
int16_t tc_for_each(struct txn_coordinator *tc, tc_view_fn fn, void *arg);

/* ---- partition leaders: writing markers (WriteTxnMarkers, and the
 * coordinator itself when it leads the partition) ---- */
struct txn_marker_part {
	const char *topic;
	int32_t partition;
	int16_t error; /* out */
};
typedef void (*txn_markers_done_fn)(void *arg, struct txn_marker_part *parts, int n);
/* Appends the marker to each partition this broker leads (acks=all) and
 * reports every partition's error once all are done (never synchronously
 * unless n == 0). parts must stay valid until done runs. */
void txn_markers_write_local(struct broker *b, int64_t producer_id, int16_t epoch, int commit,
			     int32_t coordinator_epoch, struct txn_marker_part *parts, int n,
			     txn_markers_done_fn done, void *arg);

#endif
