/* Producer id allocation on the loop thread: hands out ids from the block
 * this broker claimed in ZooKeeper (coord_claim_pid_block) and claims the
 * next block once 90% of the current one is used, so InitProducerId rarely
 * waits. Requests that arrive while no id is available wait for the claim.
 * One allocator per broker process. */
#ifndef GREGOR_PID_ALLOC_H
#define GREGOR_PID_ALLOC_H

#include <stdint.h>

struct coord;

typedef void (*pid_alloc_fn)(void *arg, int16_t kerr, int64_t producer_id);

/* Calls fn(arg, 0, id) with a fresh producer id — at once when one is at
 * hand, else after the next block is claimed — or with a Kafka error
 * (COORDINATOR_NOT_AVAILABLE when the claim failed or too many wait). */
void pid_alloc_next(struct coord *c, pid_alloc_fn fn, void *arg);

#endif
