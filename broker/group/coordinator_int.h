/* Internals shared by coordinator.c and gc_load.c. */
#ifndef GREGOR_GROUP_COORDINATOR_INT_H
#define GREGOR_GROUP_COORDINATOR_INT_H

#include "broker/group/coordinator.h"
#include "broker/internal_topic.h"
#include "common/net/loop.h"
#include "common/strmap.h"

enum gc_part_state { GC_NOT_LEADER, GC_LOADING, GC_LOADED };

/* One __consumer_offsets partition. Invariant: groups is empty unless the
 * state is GC_LOADING or GC_LOADED, and epoch is the leader epoch they were
 * loaded for. */
struct gc_partition {
	struct group_coordinator *gc;
	int32_t index;
	enum gc_part_state state;
	int32_t epoch;
	struct strmap groups;        /* id -> struct group */
	struct itopic_replay load;   /* under way while GC_LOADING */
	int64_t load_records;
	int commits_in_flight;       /* offset commits appended, not yet applied */
	int expire_due;              /* an offsets expiry pass is wanted */
};

struct group_coordinator {
	struct broker *b;
	int32_t nparts;
	struct gc_partition *parts;
	struct group_config cfg;
	struct group_env env;
	struct loop_timer tick;
	int64_t next_expire_ms;      /* monotonic: the next offsets retention check */
	struct itopic_creator creator; /* of __consumer_offsets */
	struct itopic_watch watch;
};

void gc_partition_init(struct gc_partition *p, struct group_coordinator *gc, int32_t index);
/* Starts (or restarts) loading a partition this broker now leads. */
void gc_load_start(struct gc_partition *p, int32_t epoch);
/* Drops every group of the partition, answering waiters NOT_COORDINATOR. */
void gc_unload(struct gc_partition *p);

#endif
