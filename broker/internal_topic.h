/* What the group and the transaction coordinator do alike with the internal
 * topic they keep their state in (__consumer_offsets, __transaction_state):
 * create it on first FindCoordinator, follow the leadership of its
 * partitions, and replay a partition's log when this broker becomes leader.
 * Everything runs on the event-loop thread. */
#ifndef GREGOR_INTERNAL_TOPIC_H
#define GREGOR_INTERNAL_TOPIC_H

#include <stddef.h>
#include <stdint.h>

#include "common/net/loop.h"
#include "common/proto/record_batch.h"
#include "coord/coord.h"

struct broker;

/* ---- creation ---- */

#define ITOPIC_MAX_CONFIGS 8

struct itopic_spec {
	const char *name;
	int32_t partitions;
	int32_t replication_factor;   /* capped to the live brokers, at least 1 */
	const char *rf_setting;       /* the broker setting it comes from (for the log) */
	/* With min_isr_setting: min_isr capped to the replication factor, at
	 * least 1, is the value of the configs entry "min.insync.replicas"
	 * (whose own value is ignored). */
	int32_t min_isr;
	const char *min_isr_setting;
	const struct coord_topic_config *configs; /* at most ITOPIC_MAX_CONFIGS */
	int n_configs;
};

/* Invariant: in_flight while a CreateTopic sent by itopic_create is
 * unanswered; no second one is sent meanwhile. */
struct itopic_creator {
	const char *module;           /* log module */
	const char *name;
	int in_flight;
};

/* Sends a CreateTopic for s unless one is in flight or no broker is known
 * live; the outcome is only logged (the client retries FindCoordinator). */
void itopic_create(struct broker *b, struct itopic_creator *c, const struct itopic_spec *s);

/* FindCoordinator: the leader of partition `index` of topic `name` from the
 * metadata cache: 0 and its address, COORDINATOR_NOT_AVAILABLE, or -ENOENT
 * when the topic does not exist yet (the caller then creates it). */
int itopic_find_leader(struct broker *b, const char *name, int32_t index, int32_t *node_id,
		       const char **host, int32_t *port);

/* ---- leadership ---- */

typedef void (*itopic_leader_fn)(void *arg, int32_t index, int is_leader, int32_t epoch);

struct itopic_watch {
	const char *topic;
	int32_t nparts;
	itopic_leader_fn fn;
	void *arg;
};

/* Calls fn for every leadership change of a partition in [0, nparts) of
 * topic, and right away (is_leader = 1) for each one this broker already
 * leads. w must outlive the broker. Returns 0 or -1 (logged by module). */
int itopic_watch_start(struct broker *b, struct itopic_watch *w, const char *module);

/* ---- stepwise replay ---- */

/* One whole batch at or past from (records below from may be in it: the
 * read started inside the batch). */
typedef void (*itopic_batch_fn)(void *arg, const uint8_t *batch, size_t len,
				const struct rb_header *h, int64_t from);
typedef void (*itopic_event_fn)(void *arg);

/* Replays one partition of an internal topic from an offset to its log
 * end, a bounded number of bytes per turn of the loop so that the broker
 * keeps serving meanwhile. Invariant: the timer runs only while a replay is
 * under way; offset is the next offset to replay. */
struct itopic_replay {
	struct broker *b;
	const char *module, *topic;
	int32_t index, epoch;
	int64_t offset;
	struct loop_timer timer;
	itopic_batch_fn on_batch;
	itopic_event_fn on_done;  /* reached the log end (or a read error, logged) */
	itopic_event_fn on_lost;  /* no longer leader for epoch: cancelled */
	void *arg;
};

void itopic_replay_init(struct itopic_replay *r, struct broker *b, const char *module,
			const char *topic, int32_t index, itopic_batch_fn on_batch,
			itopic_event_fn on_done, itopic_event_fn on_lost, void *arg);
/* Starts replaying from offset `from` (raised to the log start) as leader
 * of epoch; restarts a replay under way. */
void itopic_replay_start(struct itopic_replay *r, int32_t epoch, int64_t from);
/* Cancels a replay under way (none of the callbacks runs). */
void itopic_replay_stop(struct itopic_replay *r);

#endif
