/* In-sync replica set management on the leader (Kafka 2.6 semantics): the
 * leader shrinks the ISR when a follower has not caught up for
 * replica.lag.time.max.ms and expands it when a follower reaches the high
 * watermark and the start of the current leader epoch. Every change is
 * written to the partition's state znode first (conditional on its version,
 * through the coordination thread); the in-memory ISR changes only once that
 * write succeeded, so ZooKeeper is never behind what the leader acts on. */
#ifndef GREGOR_ISR_H
#define GREGOR_ISR_H

#include <stdint.h>

struct replica_manager;
struct partition;
struct replica_state;

/* Starts the periodic shrink check. */
void isr_start(struct replica_manager *rm);
void isr_stop(struct replica_manager *rm);
/* After a follower's fetch: adds it to the ISR if it qualifies. */
void isr_maybe_expand(struct replica_manager *rm, struct partition *p,
		      const struct replica_state *rs);

#endif
