/* The purgatory: one mechanism for every request that waits (Kafka's
 * DelayedOperationPurgatory is the model). A delayed operation watches keys
 * (struct purg_key, embedded in what it waits on: a partition) and has a
 * deadline on one timer wheel driven by one loop timer. An event on a key
 * (an append, a high watermark move, a leadership change) re-checks only
 * that key's watchers; the deadline completes the rest.
 *
 *   purg_op_init           set the operation's kind and callbacks
 *   purg_try_else_watch    complete now if possible, else park it
 *   purg_watch             park without trying first
 *   purg_check_key         an event on a key: try its watchers
 *   purg_complete          finish it now (Kafka's forceComplete)
 *   purg_cancel            drop it without a callback
 *   purg_key_release       the key's owner goes away
 *
 * An operation with no keys is a plain delay: a throttled response waits
 * that way for its throttle time (on_complete with expired = 1).
 *
 * Invariants: on_complete runs exactly once per parked operation, after the
 * operation has left every key and the wheel (so it may free it, or park it
 * again); try_complete never runs re-entrantly for one operation; a key's
 * watchers are tried in the order they started watching. Loop thread only. */
#ifndef GREGOR_PURGATORY_H
#define GREGOR_PURGATORY_H

#include <stddef.h>
#include <stdint.h>

#include "common/net/loop.h"
#include "common/timer_wheel.h"

#define PURG_KINDS 8 /* operation kinds counted apart (the size gauges) */

struct purg_op;

/* One watch of one key by one operation. */
struct purg_link {
	struct purg_link *prev, *next;
	struct purg_op *op;
};

/* A key: the list of its watchers. Embedded in its owner; zero it or call
 * purg_key_init before use, purg_key_release before freeing the owner. */
struct purg_key {
	struct purg_link head; /* sentinel; next == NULL: never used */
};

struct purg_op {
	/* 1 when the operation can complete now; called on key events. NULL:
	 * only the deadline (or purg_complete) completes it. */
	int (*try_complete)(struct purg_op *op);
	/* Exactly once: expired = 1 when the deadline passed, 0 when
	 * try_complete said yes or purg_complete forced it. May free op. */
	void (*on_complete)(struct purg_op *op, int expired);
	void *arg;
	int kind;
	/* the purgatory's */
	struct tw_entry timer;
	struct purg_link one;    /* the link of a one-key operation */
	struct purg_link *links; /* nlinks links (&one, or allocated) */
	int32_t nlinks;
	int parked, busy;
};

struct purgatory {
	struct loop *loop;
	struct timer_wheel wheel;
	struct loop_timer tick;
	int64_t armed_at; /* ms the loop timer is set for; INT64_MAX if not */
	int64_t size[PURG_KINDS];
	int64_t checks;   /* try_complete calls, for the benchmark and tests */
};

void purg_init(struct purgatory *pg, struct loop *loop);
/* Completes nothing: parked operations are dropped without callbacks
 * (their owners go away with the broker). */
void purg_free(struct purgatory *pg);

void purg_op_init(struct purg_op *op, int kind, int (*try_complete)(struct purg_op *),
		  void (*on_complete)(struct purg_op *, int), void *arg);
/* Parks op on keys (nkeys may be 0) with a deadline timeout_ms from now
 * (<= 0: the next turn of the loop). Keys named twice are watched once per
 * naming. Never completes op before it returns. */
void purg_watch(struct purgatory *pg, struct purg_op *op, struct purg_key *const *keys,
		int32_t nkeys, int64_t timeout_ms);
/* Tries op first: returns 1 if it completed at once (on_complete(op, 0)
 * has run), else parks it as purg_watch does and returns 0. */
int purg_try_else_watch(struct purgatory *pg, struct purg_op *op,
			struct purg_key *const *keys, int32_t nkeys, int64_t timeout_ms);
/* Tries every watcher of key once; returns how many completed. */
int purg_check_key(struct purgatory *pg, struct purg_key *key);
/* Completes a parked op now (on_complete(op, 0)); 0 if it was, -1 if it
 * was not parked. */
int purg_complete(struct purgatory *pg, struct purg_op *op);
/* Takes a parked op out without calling it. */
void purg_cancel(struct purgatory *pg, struct purg_op *op);

void purg_key_init(struct purg_key *key);
/* Watchers of the key stop watching it (they keep their other keys and
 * their deadline). */
void purg_key_release(struct purg_key *key);
/* Operations watching key (a count, for tests and metrics). */
size_t purg_key_watchers(const struct purg_key *key);

static inline int64_t purg_size(const struct purgatory *pg, int kind)
{
	return kind >= 0 && kind < PURG_KINDS ? pg->size[kind] : 0;
}

#endif
