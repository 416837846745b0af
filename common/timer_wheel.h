/* Hierarchical timing wheel (Varghese and Lauck; Kafka's purgatory timer is
 * the model): TW_LEVELS levels of TW_SLOTS buckets, level k's bucket spanning
 * TW_SLOTS^k ticks. Adding and cancelling an entry is O(1); an entry far in
 * the future sits in a coarse bucket and moves down a level each time its
 * bucket comes due, until it is due itself. Pure: no clock, no I/O; the
 * caller says what time it is (tw_advance) and when to come back (tw_next).
 *
 * Invariants:
 * - Every bucketed entry has expire > cur, or expire == cur in level 0;
 *   the buckets of one level hold distinct virtual slots (expire / span),
 *   all within TW_SLOTS spans of cur, so a slot never mixes two spans.
 * - An entry is never reported before its expiry (in ticks, rounded up). */
#ifndef GREGOR_TIMER_WHEEL_H
#define GREGOR_TIMER_WHEEL_H

#include <stddef.h>
#include <stdint.h>

#define TW_SLOTS 64
#define TW_LEVELS 4 /* 64^4 ticks: 4.6 hours at 1 ms; later ones wait in the top level */

/* Embedded in the caller's object. */
struct tw_entry {
	struct tw_entry *prev, *next; /* in a bucket or a due list; NULL when idle */
	int64_t expire;               /* in ticks */
	int16_t level, slot;          /* its bucket; level -1 on a due list */
};

struct timer_wheel {
	int64_t tick_ms;
	int64_t cur; /* in ticks: everything up to here has been reported */
	struct {
		struct tw_entry slot[TW_SLOTS]; /* list heads */
		int64_t due[TW_SLOTS];          /* in ticks: when each bucket comes due */
		uint64_t used;                  /* bit s: slot s is not empty */
	} lv[TW_LEVELS];
	size_t count; /* entries in buckets */
};

void tw_init(struct timer_wheel *tw, int64_t tick_ms, int64_t now_ms);
/* Schedules e (which must be idle) to be reported at or after expire_ms; a
 * time already past is reported at the next tw_advance. Returns the time in
 * ms at which e's bucket comes due (<= expire_ms rounded up to a tick). */
int64_t tw_add(struct timer_wheel *tw, struct tw_entry *e, int64_t expire_ms);
/* Takes e out of its bucket or due list; nothing if it is idle. */
void tw_cancel(struct timer_wheel *tw, struct tw_entry *e);
static inline int tw_pending(const struct tw_entry *e) { return e->next != NULL; }
/* When (ms) the earliest bucket comes due; INT64_MAX if none. */
int64_t tw_next_ms(const struct timer_wheel *tw);
/* Advances to now_ms and moves every entry due by then to the due list
 * (a head from tw_list_init), oldest bucket first. Returns how many. */
size_t tw_advance(struct timer_wheel *tw, int64_t now_ms, struct tw_entry *due);

/* Moves every entry to the due list, due or not (tearing down). */
size_t tw_drain(struct timer_wheel *tw, struct tw_entry *due);

void tw_list_init(struct tw_entry *head);
/* Unlinks and returns the first entry of a due list, NULL if empty. */
struct tw_entry *tw_list_pop(struct tw_entry *head);

#endif
