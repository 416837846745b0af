/* Transaction state machine: the table of allowed previous states, straight
 * from docs/zookeeper.md §5 (Kafka's TransactionState.validPreviousStates). */
#include "broker/txn/txn_state.h"

#include <string.h>

#define B(s) (1u << (s))

/* valid_prev[to] = set of states `to` may be entered from */
static const unsigned valid_prev[TXN_NSTATUS] = {
	[TXN_EMPTY] = B(TXN_EMPTY) | B(TXN_COMPLETE_COMMIT) | B(TXN_COMPLETE_ABORT),
	[TXN_ONGOING] = B(TXN_ONGOING) | B(TXN_EMPTY) | B(TXN_COMPLETE_COMMIT) |
			B(TXN_COMPLETE_ABORT),
	[TXN_PREPARE_COMMIT] = B(TXN_ONGOING),
	[TXN_PREPARE_ABORT] = B(TXN_ONGOING) | B(TXN_PREPARE_EPOCH_FENCE),
	[TXN_COMPLETE_COMMIT] = B(TXN_PREPARE_COMMIT),
	[TXN_COMPLETE_ABORT] = B(TXN_PREPARE_ABORT),
	[TXN_DEAD] = B(TXN_EMPTY) | B(TXN_COMPLETE_COMMIT) | B(TXN_COMPLETE_ABORT),
	[TXN_PREPARE_EPOCH_FENCE] = B(TXN_ONGOING),
};

static const char *const names[TXN_NSTATUS] = {
	"Empty", "Ongoing", "PrepareCommit", "PrepareAbort",
	"CompleteCommit", "CompleteAbort", "Dead", "PrepareEpochFence",
};

int txn_transition_allowed(int from, int to)
{
	if (from < 0 || from >= TXN_NSTATUS || to < 0 || to >= TXN_NSTATUS)
		return 0;
	return (valid_prev[to] & B(from)) != 0;
}

const char *txn_status_name(int s)
{
	return s >= 0 && s < TXN_NSTATUS ? names[s] : "Unknown";
}

int txn_status_from_name(const char *name, int32_t len)
{
	for (int s = 0; s < TXN_NSTATUS && name && len >= 0; s++)
		if ((size_t)len == strlen(names[s]) && memcmp(name, names[s], (size_t)len) == 0)
			return s;
	return -1;
}

int txn_status_persistable(int s)
{
	return s >= TXN_EMPTY && s <= TXN_DEAD;
}
