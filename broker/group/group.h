/* One consumer group: Kafka's classic group state machine (Empty,
 * PreparingRebalance, CompletingRebalance, Stable, Dead), its members and its
 * committed offsets. Pure logic: no sockets, no timers, no log. Time comes in
 * as now_ms and deadlines are checked by group_tick(); persistence goes
 * through env->store, which the coordinator backs with __consumer_offsets.
 *
 * Invariants:
 * - members[0..nmembers) are in join order; leader names one of them
 *   whenever nmembers > 0, and is NULL otherwise.
 * - A member has a join callback only in PreparingRebalance and a sync
 *   callback only in CompletingRebalance; every callback is answered exactly
 *   once (by a result, an error, or group_free).
 * - generation only grows; a new generation starts when a join completes. */
#ifndef GREGOR_GROUP_H
#define GREGOR_GROUP_H

#include <stdint.h>

#include "common/strmap.h"

enum group_state {
	GROUP_EMPTY,
	GROUP_PREPARING_REBALANCE,
	GROUP_COMPLETING_REBALANCE,
	GROUP_STABLE,
	GROUP_DEAD,
};
const char *group_state_name(enum group_state s); /* Kafka's names */

struct group_protocol {
	char *name;
	uint8_t *meta;
	int32_t meta_len;
};

/* Results are valid during the callback only. */
struct group_join_member {
	const char *member_id, *instance_id; /* instance_id NULL if dynamic */
	const uint8_t *meta;
	int32_t meta_len;
};
struct group_join_result {
	int16_t error;
	int32_t generation;                  /* -1 on error */
	const char *protocol_type, *protocol_name, *leader, *member_id;
	const struct group_join_member *members; /* leader only */
	int nmembers;
};
typedef void (*group_join_fn)(void *arg, const struct group_join_result *r);

struct group_sync_result {
	int16_t error;
	const char *protocol_type, *protocol_name;
	const uint8_t *assignment;
	int32_t assignment_len;
};
typedef void (*group_sync_fn)(void *arg, const struct group_sync_result *r);

struct group_member {
	char *member_id;
	char *instance_id;          /* NULL: dynamic member */
	char *client_id, *client_host;
	int32_t session_timeout_ms, rebalance_timeout_ms;
	char *protocol_type;
	struct group_protocol *protocols; /* client's preference order */
	int nprotocols;
	uint8_t *assignment;
	int32_t assignment_len;
	int64_t hb_deadline_ms;     /* session expiry unless awaiting join/sync */
	group_join_fn join_fn;      /* non-NULL: awaiting a join response */
	void *join_arg;
	group_sync_fn sync_fn;      /* non-NULL: awaiting a sync response */
	void *sync_arg;
	int joined;                 /* rejoined in the current rebalance */
	int synced;                 /* sent SyncGroup in this generation */
};

/* A committed offset; key in group.offsets is "<partition>:<topic>". */
struct group_offset {
	char *topic;
	int32_t partition;
	int64_t offset;
	int32_t leader_epoch;
	char *metadata;
	int64_t commit_ts;
	int64_t expire_ts;          /* > 0: explicit expiry (OffsetCommit v1-4), wall ms */
	int64_t log_offset;         /* its record's offset in __consumer_offsets; -1 unknown */
};

/* Offsets one producer's open transaction committed (TxnOffsetCommit):
 * invisible to OffsetFetch until the transaction's marker lands on the
 * group's __consumer_offsets partition (commit: applied; abort: dropped). */
struct group_txn {
	int64_t producer_id;
	struct strmap offsets;      /* -> struct group_offset, keyed as group.offsets */
};

struct group_config {
	int32_t initial_rebalance_delay_ms; /* group.initial.rebalance.delay.ms */
	int32_t min_session_timeout_ms, max_session_timeout_ms;
	int32_t max_size;                   /* group.max.size */
	int32_t broker_id;                  /* names the coordinator in log lines */
};

struct group;
typedef void (*group_store_done_fn)(struct group *g, int16_t err, void *arg);

/* Offsets chosen to expire: copies of topic, partition and commit_ts (the
 * commit they expire; a newer commit of the partition keeps it). */
struct group_expiry {
	struct group *g;            /* the group they were taken from */
	struct group_offset *offs;
	int n;
	int dead;                   /* the group's metadata goes too */
};

struct group_env {
	const struct group_config *cfg;
	/* Persists the group's metadata (members, assignments) as it is now;
	 * done runs later with the group (NULL if it is gone by then) and a
	 * Kafka error code, or synchronously in tests. */
	void (*store)(void *env_arg, struct group *g, group_store_done_fn done, void *arg);
	void *env_arg;
	/* Writes tombstones for x's offsets (and the group's metadata if
	 * x->dead); done as for store. NULL: offsets never expire. */
	void (*expire)(void *env_arg, struct group *g, const struct group_expiry *x,
		       group_store_done_fn done, void *arg);
};

struct pending_member {
	char *member_id;
	int64_t deadline_ms;
};

struct group {
	char *id;
	enum group_state state;
	char *protocol_type;        /* NULL: none yet (offsets-only group) */
	char *protocol;             /* selected protocol, NULL when Empty */
	char *leader;               /* points at a member's member_id */
	int32_t generation;
	int64_t state_ts;           /* wall ms of the last state change */
	struct group_member **members;
	int nmembers, capmembers;
	struct pending_member *pending; /* MEMBER_ID_REQUIRED ids not yet joined */
	int npending, cappending;
	int64_t join_deadline_ms;   /* PreparingRebalance */
	int initial_join;           /* the delay is group.initial.rebalance.delay.ms */
	int32_t initial_remaining_ms;
	int new_member_added;
	int64_t sync_deadline_ms;   /* CompletingRebalance */
	struct strmap offsets;      /* -> struct group_offset */
	int expiring;               /* an expiry write is in flight */
	struct strmap commits;      /* plain commits being appended: key as offsets -> int count */
	struct group_txn *txns;     /* [0..ntxns): producers with pending offsets */
	int ntxns, captxns;
	const struct group_env *env;
};

struct group *group_new(const char *id, const struct group_env *env);
/* The invariants above, checked: the leader is NULL exactly when there are
 * no members and otherwise names one of them, an Empty or Dead group has no
 * members, and the generation has not gone below *generation_seen (which is
 * then raised to it; start it at INT32_MIN). 0, or -1 after logging the
 * first breach. */
int group_check(const struct group *g, int32_t *generation_seen);
/* Answers every pending callback with err, frees members and offsets. */
void group_free(struct group *g, int16_t err);

struct group_join_req {
	const char *member_id;      /* "" for a new member */
	const char *instance_id;    /* NULL: dynamic */
	const char *client_id, *client_host;
	int32_t session_timeout_ms, rebalance_timeout_ms;
	const char *protocol_type;
	const struct group_protocol *protocols; /* borrowed; copied */
	int nprotocols;
	int require_known_member_id; /* JoinGroup v4+ */
};
/* JoinGroup: cb runs now (errors, MEMBER_ID_REQUIRED, a known member in a
 * settled group) or when the rebalance completes. */
void group_join(struct group *g, const struct group_join_req *r, int64_t now_ms,
		group_join_fn cb, void *arg);

struct group_assignment {
	const char *member_id;
	const uint8_t *data;
	int32_t len;
};
struct group_sync_req {
	const char *member_id, *instance_id;
	int32_t generation;
	const char *protocol_type, *protocol_name; /* NULL if not sent (< v5) */
	const struct group_assignment *assignments; /* leader only */
	int nassignments;
};
void group_sync(struct group *g, const struct group_sync_req *r, int64_t now_ms,
		group_sync_fn cb, void *arg);

int16_t group_heartbeat(struct group *g, const char *member_id, const char *instance_id,
			int32_t generation, int64_t now_ms);
/* LeaveGroup for one member (v3+: identified by instance id too). */
int16_t group_leave(struct group *g, const char *member_id, const char *instance_id,
		    int64_t now_ms);
/* Deadlines: delayed join, sync timeout, session and pending expiry. */
void group_tick(struct group *g, int64_t now_ms);

/* OffsetCommit checks (Kafka's rules; generation < 0 means a simple
 * consumer's commit, allowed only while the group has no members). */
int16_t group_check_commit(struct group *g, const char *member_id, const char *instance_id,
			   int32_t generation, int64_t now_ms);
const struct group_offset *group_offset_get(const struct group *g, const char *topic,
					    int32_t partition);
int group_offset_put(struct group *g, const char *topic, int32_t partition, int64_t offset,
		     int32_t leader_epoch, const char *metadata, int64_t commit_ts);
void group_offset_del(struct group *g, const char *topic, int32_t partition);
/* Applies a commit whose record is at in->log_offset unless the committed
 * offset's record is later in the log (Kafka's olderThan: a COMMIT marker
 * or a late acknowledgement never undoes a newer commit); an unknown
 * position (-1) on either side lets the new one win. Copies every field of
 * in. Returns 1 applied, 0 kept the newer one, -1 out of memory. */
int group_offset_apply(struct group *g, const struct group_offset *in);
int group_offset_count(const struct group *g);
/* Sets an offset's explicit expiry (wall ms; <= 0: none). */
void group_offset_set_expiry(struct group *g, const char *topic, int32_t partition,
			     int64_t expire_ts);

/* Offsets retention, as Kafka's GroupMetadata.removeExpiredOffsets (with
 * KIP-211). A Stable consumer group keeps the offsets of topics some member
 * subscribes to; a group with members keeps everything if it is not Stable,
 * a subscription is unreadable or the protocol type is not "consumer"; an
 * offset with an explicit expiry
 * expires then; otherwise retention_ms after its commit, or for an Empty
 * group with a protocol type after it became Empty if that is later. */
int group_offset_expired(const struct group *g, const struct group_offset *o,
			 int64_t now_wall_ms, int64_t retention_ms);
/* Starts expiring the group's expired offsets through env->expire; an
 * Empty group left with nothing turns Dead once the tombstones are
 * written. Returns the number of offsets expiring (-1: out of memory);
 * nothing happens while an earlier expiry is in flight. */
int group_expire_offsets(struct group *g, int64_t now_wall_ms, int64_t retention_ms);

/* ---- plain commits in flight (Kafka's pendingOffsetCommits) ---- */

/* An OffsetCommit's record for the partition is being appended. */
int group_commit_begin(struct group *g, const char *topic, int32_t partition);
/* Its append finished: 1 if it was still pending (apply it on success), 0
 * if the partition's pending commits were dropped meanwhile (topic deleted). */
int group_commit_end(struct group *g, const char *topic, int32_t partition);
/* Is a plain commit of the partition being appended? */
int group_commit_pending(const struct group *g, const char *topic, int32_t partition);
void group_commit_clear(struct group *g); /* group_free */

/* Kafka's cleanupGroupMetadata for a deleted topic: forgets the committed,
 * in-flight and transactional pending offsets of every partition of topic.
 * *parts (malloc'ed, may be NULL when 0) gets the partitions whose
 * committed offsets went, for tombstones. Returns their count, -1 on out
 * of memory (nothing is removed then). */
int group_remove_topic(struct group *g, const char *topic, int32_t **parts);
/* Empty, no members, no offsets committed, pending or in flight. */
int group_is_unused(const struct group *g);

/* ---- transactional offsets (TxnOffsetCommit) ---- */

/* TxnOffsetCommit checks (Kafka's doTxnCommitOffsets, KIP-447): member_id
 * NULL or "" and generation < 0 skip the member and generation checks;
 * no REBALANCE_IN_PROGRESS: a transaction's offsets wait for its marker. */
int16_t group_check_txn_commit(struct group *g, const char *member_id, const char *instance_id,
			       int32_t generation);
/* Holds an offset as pending for producer_id (replacing its earlier one). */
int group_txn_offset_put(struct group *g, int64_t producer_id, const char *topic,
			 int32_t partition, int64_t offset, int32_t leader_epoch,
			 const char *metadata, int64_t commit_ts);
/* Records where the pending offset committed at commit_ts was appended. */
void group_txn_offset_appended(struct group *g, int64_t producer_id, const char *topic,
			       int32_t partition, int64_t commit_ts, int64_t log_offset);
/* As group_txn_offset_put, from a record (log_offset included) read back. */
int group_txn_offset_stage(struct group *g, int64_t producer_id, const struct group_offset *in);
/* Forgets a pending offset, only if it is still the one committed at
 * commit_ts (< 0: whichever): its append failed, or a tombstone was read. */
void group_txn_offset_del(struct group *g, int64_t producer_id, const char *topic,
			  int32_t partition, int64_t commit_ts);
/* The producer's marker: commit applies its pending offsets to the group's
 * committed offsets (group_offset_apply: a plain commit appended after
 * them stays), abort drops them. Returns how many there were. */
int group_txn_complete(struct group *g, int64_t producer_id, int commit);
/* Does some producer hold a pending offset for the partition? */
int group_txn_pending(const struct group *g, const char *topic, int32_t partition);
/* Pending offsets of every producer. */
int group_txn_count(const struct group *g);
/* Forgets every pending offset (group_free). */
void group_txn_clear(struct group *g);

struct group_member *group_member_find(const struct group *g, const char *member_id);
/* Is the topic in some member's consumer-protocol subscription? */
int group_subscribed_to(const struct group *g, const char *topic);

/* Adds a member read back from the log (loading); no callbacks. */
int group_load_member(struct group *g, const struct group_member *m);
/* Forgets members and protocol before a group metadata record is replayed. */
void group_load_reset(struct group *g);
/* After loading: Stable with members, Empty without; sessions restart now. */
void group_load_finish(struct group *g, int64_t now_ms);

/* Maps an append error to what Kafka tells group clients. */
int16_t group_store_error(int16_t append_err);

#endif
