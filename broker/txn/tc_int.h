/* Internals of the transaction coordinator shared by txn_coordinator.c,
 * tc_log.c and tc_markers.c. */
#ifndef GREGOR_TC_INT_H
#define GREGOR_TC_INT_H

#include "broker/internal_topic.h"
#include "broker/txn/txn_coordinator.h"
#include "broker/txn/txn_state.h"
#include "common/net/loop.h"
#include "common/strmap.h"

/* What __transaction_state holds for one transactional id. */
struct txn_rec {
	int64_t pid, last_pid;
	int16_t epoch, last_epoch;
	int32_t timeout_ms;
	int status;
	struct tc_tp *tps; /* topic strings owned */
	int ntps;
	int64_t start_ts, update_ts;
};

struct txn_meta {
	char *id;
	int32_t part;
	struct txn_rec cur;
	int pending;          /* a state write in flight: others get CONCURRENT_TRANSACTIONS */
	/* markers of cur (Prepare*): one flag per cur.tps entry */
	uint8_t *marker_done;
	int markers_left;
	uint32_t marker_gen;  /* bumped when a round is started or abandoned */
	struct loop_timer retry;
	struct txn_coordinator *tc;
	/* why cur's Prepare* was written (a static string; NULL: found in the
	 * log at load), and its partition count, for the outcome's line */
	const char *end_reason;
	int end_ntps;
	struct tc_held *held; /* AddPartitions waiting for Complete* (txn_coordinator.c) */
	int nheld;
};

enum tc_part_state { TC_NOT_LEADER, TC_LOADING, TC_LOADED };

struct tc_partition {
	struct txn_coordinator *tc;
	int32_t index;
	enum tc_part_state state;
	int32_t epoch;               /* = coordinator epoch while loaded */
	struct strmap txns;          /* id -> struct txn_meta */
	struct itopic_replay load;   /* under way while TC_LOADING */
};

struct txn_sender;

struct txn_coordinator {
	struct broker *b;
	int32_t nparts;
	struct tc_partition *parts;
	struct loop_timer tick;       /* timed-out transactions */
	struct loop_timer expire;     /* expired transactional ids */
	struct itopic_creator creator; /* of __transaction_state */
	struct itopic_watch watch;
	struct txn_sender *senders;  /* one per remote broker */
	struct tc_stats stats;
};

/* tc_log.c */
void tc_rec_free(struct txn_rec *r);
int tc_rec_copy(struct txn_rec *dst, const struct txn_rec *src);
int tc_rec_add_tp(struct txn_rec *r, const char *topic, int32_t partition);
/* Persists rec as meta's next state (acks=all); done(arg, err) with err 0
 * once it is applied to meta (which then owns rec's partitions), else an
 * error for the client (NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE...).
 * meta->pending is held meanwhile. */
typedef void (*tc_write_fn)(struct txn_coordinator *tc, struct txn_meta *m, int16_t err,
			    void *arg);
void tc_write(struct txn_coordinator *tc, struct txn_meta *m, struct txn_rec *rec,
	      tc_write_fn done, void *arg);
/* Persists a tombstone for m's id (acks=all), m->pending held meanwhile.
 * On success m is removed and freed and done gets m == NULL, err 0; on
 * failure done gets m (still loaded) or NULL (no longer ours) and err. */
void tc_write_tombstone(struct txn_coordinator *tc, struct txn_meta *m, tc_write_fn done,
			void *arg);
void tc_partition_init(struct tc_partition *p, struct txn_coordinator *tc, int32_t index);
void tc_load_start(struct tc_partition *p, int32_t epoch);
void tc_unload(struct tc_partition *p);
void tc_meta_free(struct txn_meta *m);
struct txn_meta *tc_meta_new(struct txn_coordinator *tc, int32_t part, const char *id);
struct txn_meta *tc_lookup(struct txn_coordinator *tc, int32_t part, int32_t epoch,
			   const char *id);

/* tc_markers.c: sends the markers of m->cur (Prepare*) to the partition
 * leaders; writes Complete* once all are acknowledged. */
void tc_markers_start(struct txn_coordinator *tc, struct txn_meta *m);
/* Sends the markers not yet sent or acknowledged (after a retriable error),
 * or writes Complete* when all are acknowledged. */
void tc_markers_resume(struct txn_coordinator *tc, struct txn_meta *m);
void tc_senders_free(struct txn_coordinator *tc);

/* txn_coordinator.c */
int32_t tc_partition_of(struct txn_coordinator *tc, const char *id);
/* m's transaction completed (Complete* applied): the held AddPartitions
 * are carried out now. */
void tc_held_release(struct txn_coordinator *tc, struct txn_meta *m);
/* m goes away (unloaded, expired): the held AddPartitions get err. */
void tc_held_fail(struct txn_meta *m, int16_t err);
int64_t tc_wall(void);

#endif
