/* Transaction states of the transaction coordinator and Kafka's allowed
 * transitions between them (docs/zookeeper.md §5). Pure functions: the
 * coordinator asks before every state change and refuses illegal ones. */
#ifndef GREGOR_TXN_STATE_H
#define GREGOR_TXN_STATE_H

#include <stdint.h>

enum txn_status {
	TXN_EMPTY = 0,
	TXN_ONGOING = 1,
	TXN_PREPARE_COMMIT = 2,
	TXN_PREPARE_ABORT = 3,
	TXN_COMPLETE_COMMIT = 4,
	TXN_COMPLETE_ABORT = 5,
	TXN_DEAD = 6,
	TXN_PREPARE_EPOCH_FENCE = 7, /* in memory only, never written */
};
#define TXN_NSTATUS 8

/* 1 when Kafka allows moving from `from` to `to`, else 0 (also for values
 * outside the enum). */
int txn_transition_allowed(int from, int to);
/* Kafka's name of a state ("Empty", "Ongoing", ...), "Unknown" otherwise. */
const char *txn_status_name(int s);
/* The state named by name[0..len), or -1. */
int txn_status_from_name(const char *name, int32_t len);
/* 1 for the states written to __transaction_state (0-6). */
int txn_status_persistable(int s);

#endif
