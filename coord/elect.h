/* Kafka's leader election rules (docs/zookeeper.md §2) as pure functions over a
 * partition's assignment, its current state and the brokers' liveness, so
 * the controller's decisions are unit-testable without ZooKeeper.
 *
 * Each function fills *out with the state to write (leader_epoch already
 * incremented; controller_epoch left to the caller) and returns ELECT_WRITE,
 * or ELECT_KEEP when nothing should be written. None of them ever produces
 * an empty ISR. */
#ifndef GREGOR_ELECT_H
#define GREGOR_ELECT_H

#include <stdint.h>

#include "coord/znode.h"

/* Live = registered under /brokers/ids. Eligible = live and not in the
 * middle of a controlled shutdown (Kafka's isReplicaOnline). */
struct elect_brokers {
	const int32_t *live;
	int n_live;
	const int32_t *shutting;   /* subset of live */
	int n_shutting;
};

enum elect_rc { ELECT_KEEP = 0, ELECT_WRITE = 1, ELECT_WRITE_UNCLEAN = 2 };

int elect_is_live(const struct elect_brokers *b, int32_t id);
int elect_is_eligible(const struct elect_brokers *b, int32_t id);

/* New partition: leader = first eligible replica, ISR = eligible replicas,
 * leader_epoch 0. ELECT_KEEP if no replica is eligible (stays New). */
int elect_new(const struct elect_brokers *b, const int32_t *replicas, int nr,
	      struct zn_pstate *out);

/* Offline partition (leader -1 or not live): first replica in assignment
 * order eligible and in the ISR; new ISR = eligible ISR members. Else, if
 * unclean_ok, first live eligible replica with ISR [leader]
 * (ELECT_WRITE_UNCLEAN). Else leader -1 with the ISR minus dead brokers,
 * keeping one member if all are dead. ELECT_KEEP if that equals cur. */
int elect_offline(const struct elect_brokers *b, const int32_t *replicas, int nr,
		  const struct zn_pstate *cur, int unclean_ok, struct zn_pstate *out);

/* Leader still live: drop dead brokers from the ISR (never to empty). */
int elect_shrink_dead(const struct elect_brokers *b, const struct zn_pstate *cur,
		      struct zn_pstate *out);

/* Preferred replica: replicas[0] if eligible and in the ISR. ELECT_KEEP if
 * it already leads or cannot. */
int elect_preferred(const struct elect_brokers *b, const int32_t *replicas, int nr,
		    const struct zn_pstate *cur, struct zn_pstate *out);

/* Controlled shutdown of broker id (listed in b->shutting). Partitions with
 * one replica are left alone. If id leads: new leader = first assigned
 * replica eligible and in the ISR, ISR minus shutting-down brokers (KEEP if
 * none qualifies). If id is a follower in the ISR: ISR minus id, same leader.
 * *was_follower is set when the second case applies. */
int elect_shutdown(const struct elect_brokers *b, int32_t id, const int32_t *replicas,
		   int nr, const struct zn_pstate *cur, struct zn_pstate *out,
		   int *was_follower);

/* Reassignment: first target replica eligible and in the ISR; KEEP if the
 * current leader is already a target and eligible, or none qualifies. */
int elect_reassign(const struct elect_brokers *b, const int32_t *target, int nt,
		   const struct zn_pstate *cur, struct zn_pstate *out);

/* Reassignment completion (all targets in the ISR): leader stays if it is
 * a target and eligible, else the first target eligible and in the ISR; the
 * ISR keeps only targets; leader_epoch+1 even if nothing else changes (so
 * replicas apply the new replica set). ELECT_KEEP if no target qualifies. */
int elect_reassign_finish(const struct elect_brokers *b, const int32_t *target, int nt,
			  const struct zn_pstate *cur, struct zn_pstate *out);

/* Kafka 2.6's replica sets for a reassignment from orig to target:
 * rs = target followed by the orig replicas not in target (distinct),
 * adding = rs - orig, removing = rs - target. Arrays hold ZN_MAX_REPLICAS;
 * -EINVAL if rs would not fit. */
struct reassign_sets {
	int n_rs, n_adding, n_removing;
	int32_t rs[ZN_MAX_REPLICAS], adding[ZN_MAX_REPLICAS], removing[ZN_MAX_REPLICAS];
};
int elect_reassign_sets(const int32_t *orig, int no, const int32_t *target, int nt,
			struct reassign_sets *out);

/* Same leader, leader epoch and ISR (as a set). */
int elect_same_state(const struct zn_pstate *a, const struct zn_pstate *b);

#endif
