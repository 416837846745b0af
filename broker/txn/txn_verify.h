/* Produce-time transaction verification on a partition leader (Kafka 3.6's
 * KIP-890 part 1): the first transactional batch of a producer's transaction
 * in a partition is appended only once the transaction coordinator confirms
 * (AddPartitionsToTxn v4 VerifyOnly) that the partition is in that
 * producer's ongoing transaction at that epoch. A batch that arrives after
 * its transaction ended, or with a stale epoch, is refused and so can never
 * open a transaction no marker will close (a "hanging" transaction holding
 * the last stable offset).
 *
 * Invariants:
 * - Per (partition, producer id) one FIFO: a batch that arrives while an
 *   earlier one of the same producer waits for verification waits behind it,
 *   so appends keep the order the producer sent them in.
 * - One round trip per partition per transaction: the answer is cached for
 *   the (partition, producer id, epoch) until a marker of that producer is
 *   recorded in the partition (the guard in producer_state_manager.h), the
 *   leadership changes, or TV_CACHE_MS pass; once a batch is appended the
 *   producer state itself shows the open transaction.
 * One state per broker (struct broker's tv, txn_verify_new): its queues,
 * cached answers, connections to coordinators and counters are its own.
 * Loop thread only. */
#ifndef GREGOR_TXN_VERIFY_H
#define GREGOR_TXN_VERIFY_H

#include <stdint.h>

#include "common/proto/record_batch.h"

struct broker;
struct tv_item;
struct txn_verify;

/* The state of broker b (b's loop, replica manager, transaction
 * coordinator and inter-broker security); NULL when out of memory. */
struct txn_verify *txn_verify_new(struct broker *b);
/* Only once no batch waits at the gate (a request still in flight to a
 * coordinator is cancelled); NULL is a no-op. */
void txn_verify_free(struct txn_verify *tv);

/* kerr 0: append the batch now; else the produce error to answer, nothing
 * appended. */
typedef void (*tv_fn)(struct tv_item *it, int16_t kerr);

/* One transactional batch at the gate; the caller owns the memory and keeps
 * it (and the strings) alive until fn has run. */
struct tv_item {
	const char *topic;
	int32_t partition;
	int32_t leader_epoch; /* the partition's when the batch arrived */
	const char *txn_id;
	const struct rb_header *h; /* producer id, epoch, sequences */
	tv_fn fn;
	void *arg;
	struct tv_item *next; /* private */
};

/* Decides when it->fn may append the batch (see above), with b's state
 * (b->tv): runs it->fn exactly once, possibly before returning. Only for
 * transactional batches of a request with a transactional id, on the
 * partition's leader. */
void txn_verify_gate(struct broker *b, struct tv_item *it);

/* Counters for metrics (plain fields, loop thread). */
struct tv_stats {
	uint64_t requests;  /* verifications asked of a coordinator */
	uint64_t cache_hits; /* first batches let through by a cached answer */
	uint64_t refused;   /* batches refused because of an answer */
};
const struct tv_stats *txn_verify_stats(const struct txn_verify *tv);

/* Produce-error mapping of a coordinator's answer (Kafka 3.6's, for clients
 * that know no newer codes). Exposed for unit tests. */
int16_t txn_verify_produce_error(int16_t coordinator_err);

#endif
