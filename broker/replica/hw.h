/* The leader's high watermark rule, pure over struct partition (no I/O but
 * reading the log end): HW = min LEO over the ISR, where the leader's own
 * counts only up to what it may acknowledge (partition_ack_end: not past
 * a flush per message still running); a follower in the ISR that has not
 * fetched yet (LEO -1) holds it back; it never decreases. hw_check states what must hold after every step.
 * Loop thread only, like the partition. */
#ifndef GREGOR_REPLICA_HW_H
#define GREGOR_REPLICA_HW_H

struct partition;

/* Recomputes p's high watermark; 1 if it moved (up), else 0. */
int hw_advance(struct partition *p);
/* 0 <= HW <= own LEO; on a leader also HW <= the LEO of every ISR member
 * that has fetched. 0, or -1 after logging the first breach. */
int hw_check(const struct partition *p);
/* Only the part that holds in every state, used at run time: a follower
 * that truncated to a stale checkpointed HW may sit below the leader's HW
 * for a moment (Kafka has the same window), a leader's own log never. */
int hw_check_own(const struct partition *p);

#endif
