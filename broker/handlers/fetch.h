/* What the Fetch handler (fetch.c) keeps per broker: its fetch sessions
 * (KIP-227, fetch_session.h) and the down-conversion cost summed between
 * two log lines. struct broker's fetch owns it; loop thread only. */
#ifndef GREGOR_FETCH_H
#define GREGOR_FETCH_H

#include <stdint.h>

#include "broker/handlers/fetch_session.h"
#include "common/proto/message_set.h"

/* Fetch v0-3 down-conversion, summed since the last line (at most one a
 * minute). */
struct fetch_down_totals {
	struct ms_down_stats st;
	int64_t partitions, ns, last_log_ms;
};

struct fetch_state {
	struct fs_cache sessions;
	struct fetch_down_totals down;
};

/* max_sessions: max.incremental.fetch.session.cache.slots. NULL when out of
 * memory. */
struct fetch_state *fetch_state_new(int32_t max_sessions);
void fetch_state_free(struct fetch_state *fs); /* NULL is a no-op */

#endif
