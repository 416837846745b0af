/* Replica manager: the partitions this broker hosts, their logs, and whether
 * it leads them. Becomes leader/follower on LeaderAndIsr, drops replicas on
 * StopReplica, and wakes delayed fetches when data arrives.
 *
 * Invariant: a partition's high watermark never decreases and never exceeds
 * its log end offset; consumers are served only below it. With the ISR equal
 * to the leader alone the high watermark follows the log end offset. */
#ifndef GREGOR_REPLICA_MANAGER_H
#define GREGOR_REPLICA_MANAGER_H

#include <stdint.h>

#include "broker/storage/log.h"
#include "common/strmap.h"

struct broker;

struct partition {
	char *topic;
	int32_t index;
	struct partition_log *log;
	int is_leader;
	int32_t leader_id;
	int32_t leader_epoch;
	int32_t controller_epoch;
	int32_t zk_version;
	int32_t nreplicas, nisr;
	int32_t *replicas, *isr;
	int64_t high_watermark;
};

/* Something parked until data arrives on a partition (a delayed fetch). */
struct rm_waiter {
	struct rm_waiter *prev, *next;
	void (*wake)(struct rm_waiter *w);
	void *arg;
};

struct replica_manager {
	struct broker *b;
	char *log_dir;
	struct log_config lcfg;
	struct strmap parts;           /* "<topic>-<index>" -> struct partition */
	struct rm_waiter waiters;      /* list head */
};

struct replica_manager *rm_new(struct broker *b, const char *log_dir,
			       const struct log_config *lcfg);
/* Opens every partition directory found under the log dir (recovery). */
int rm_load(struct replica_manager *rm);
void rm_free(struct replica_manager *rm); /* closes logs cleanly */

struct partition *rm_get(struct replica_manager *rm, const char *topic,
			 int32_t tlen, int32_t index);

/* Applies one partition's LeaderAndIsr state; returns a Kafka error code. */
int rm_apply_leader_and_isr(struct replica_manager *rm, const char *topic,
			    int32_t tlen, int32_t index, int32_t leader,
			    int32_t leader_epoch, int32_t controller_epoch,
			    int32_t zk_version, const int32_t *replicas,
			    int32_t nreplicas, const int32_t *isr, int32_t nisr);
/* StopReplica: stop serving, optionally delete the log. */
int rm_stop_replica(struct replica_manager *rm, const char *topic, int32_t tlen,
		    int32_t index, int delete_log);

/* Appends a producer batch on the leader; returns a Kafka error code. */
int rm_append(struct replica_manager *rm, struct partition *p, uint8_t *batch,
	      size_t len, int64_t *base_offset);

void rm_waiter_add(struct replica_manager *rm, struct rm_waiter *w);
void rm_waiter_del(struct rm_waiter *w);

/* Once a second: log roll, retention and flush. */
void rm_tick(struct replica_manager *rm, int64_t now_wall_ms);

#endif
