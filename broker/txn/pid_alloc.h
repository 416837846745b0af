/* Producer id allocation on the loop thread: hands out ids from the block
 * this broker claimed in ZooKeeper (coord_claim_pid_block) and claims the
 * next block once 90% of the current one is used, so InitProducerId rarely
 * waits. Requests that arrive while no id is available wait for the claim.
 * One allocator per broker (struct broker's pids): each has its own blocks,
 * waiters and claim in flight; nothing is shared between allocators. */
#ifndef GREGOR_PID_ALLOC_H
#define GREGOR_PID_ALLOC_H

#include <stdint.h>

struct pid_alloc;

typedef void (*pid_alloc_fn)(void *arg, int16_t kerr, int64_t producer_id);

/* The answer to a block claim: ids start..end (inclusive), or a Kafka
 * error. */
typedef void (*pid_block_done_fn)(void *arg, int16_t kerr, int64_t start, int64_t end);
/* Claims the next block for this allocator and calls done(done_arg, ...)
 * exactly once, on the loop thread, later or before returning (the broker:
 * coord_claim_pid_block). */
typedef void (*pid_block_claim_fn)(void *claim_arg, pid_block_done_fn done, void *done_arg);

/* An allocator with no block yet; the first pid_alloc_next claims one. NULL
 * when out of memory. */
struct pid_alloc *pid_alloc_new(pid_block_claim_fn claim, void *claim_arg);
/* Only with no claim in flight (so nothing waits); NULL is a no-op. */
void pid_alloc_free(struct pid_alloc *pa);

/* Calls fn(arg, 0, id) with a fresh producer id — at once when one is at
 * hand, else after the next block is claimed — or with a Kafka error
 * (COORDINATOR_NOT_AVAILABLE when the claim failed or too many wait). */
void pid_alloc_next(struct pid_alloc *pa, pid_alloc_fn fn, void *arg);

#endif
