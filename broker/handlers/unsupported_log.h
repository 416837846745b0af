/* The log line an operator needs when an old (or too new) client asks for a
 * request version Gregor does not serve: client id, address, API and
 * version, once per (client id, host, API, version). Memory is a fixed
 * table; lines are also rate-limited overall, and what the limit held back
 * is counted in the next line. One table per broker (its server's, so two
 * brokers in one process remember their clients apart). Loop thread
 * only. */
#ifndef GREGOR_UNSUPPORTED_LOG_H
#define GREGOR_UNSUPPORTED_LOG_H

#include <stdint.h>

#include "common/proto/apis.h"

#define UNSUPPORTED_LOG_SLOTS 512      /* distinct clients remembered */
#define UNSUPPORTED_LOG_PER_MIN 20     /* lines per minute at most */

/* What is remembered; all zero is empty (unsupported_log_reset). */
struct unsupported_log {
	uint64_t key[UNSUPPORTED_LOG_SLOTS];
	int64_t when[UNSUPPORTED_LOG_SLOTS];
	int64_t window_start;
	int lines;
	int64_t held_back;
};

/* Notes one refused request in ul; returns 1 if it logged a line, else 0 (seen
 * before, or over the rate limit). min/max: what we serve (-1 if the API is
 * not served at all). */
int unsupported_log_note(struct unsupported_log *ul, const struct kreq_header *h,
			 const char *host, int16_t min_ver, int16_t max_ver, int64_t now_ms);
/* Forgets everything. */
void unsupported_log_reset(struct unsupported_log *ul);

#endif
