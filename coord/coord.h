/* Coordination: everything that touches ZooKeeper, run on its own thread.
 *
 * The coordination thread owns the ZooKeeper session: it creates Kafka's
 * persistent paths, writes /cluster/id once, registers /brokers/ids/<id>
 * (ephemeral, Kafka's v5 JSON), takes part in controller election through
 * /controller and /controller_epoch, and, while controller, drives topics and
 * partition leadership, telling brokers with LeaderAndIsr / UpdateMetadata /
 * StopReplica over ordinary Kafka connections.
 *
 * The data plane never blocks on ZooKeeper: admin requests are queued here and
 * their completion callbacks are posted to the loop's mailbox.
 */
#ifndef GREGOR_COORD_H
#define GREGOR_COORD_H

#include <stddef.h>
#include <stdint.h>

#include "../common/mbox.h"
#include "znode.h"

/* A topic's config overrides (/config/topics/<t>), delivered on the loop
 * thread whenever they are read: for every topic when a session starts, when
 * a topic's config node appears or changes; n == 0 when it is gone. */
typedef void (*coord_topic_config_fn)(void *arg, const char *topic,
				      const char *const *keys,
				      const char *const *values, int n);

/* A dynamic broker config layer (/config/brokers/<id> when per_broker, else
 * /config/brokers/<default>), delivered on the loop thread like topic
 * configs: when a session starts and whenever the node is written, created
 * or deleted (n == 0 when it is gone or empty). */
typedef void (*coord_broker_config_fn)(void *arg, int per_broker,
				       const char *const *keys,
				       const char *const *values, int n);

/* A user's configs (/config/users/<sanitized name>: SCRAM credentials
 * under the keys SCRAM-SHA-256 / SCRAM-SHA-512, in Kafka's text form),
 * delivered on the loop thread like topic configs, with the user name
 * desanitized; n == 0 when the node is gone. After reading every user
 * (session start, a change of /config/users' children) one more call has
 * user NULL, values NULL and keys the n users that exist: any other user
 * the callee knows was deleted meanwhile (e.g. while the session was
 * down). */
typedef void (*coord_user_config_fn)(void *arg, const char *user,
				     const char *const *keys,
				     const char *const *values, int n);

struct peer_security;
/* The whole ACL store (every binding of /kafka-acl and /kafka-acl-extended),
 * delivered on the loop thread when a session starts and after every change
 * notification. The callee owns v and its strings (free each string and v).
 * The type is struct acl_binding (coord/acl.h). */
struct acl_binding;
typedef void (*coord_acls_changed_fn)(void *arg, struct acl_binding *v, int n);
/* One resource pattern's ACLs as they are now (n == 0: none left), after a
 * change notification named it; delivered like the whole store, which it
 * amends. The callee owns v. */
typedef void (*coord_acl_resource_fn)(void *arg, int8_t resource_type, int8_t pattern_type,
				      const char *name, struct acl_binding *v, int n);

/* A client quota entity (coord/quota_configs.c): user and client are the
 * znode names (sanitized, or "<default>"), NULL when the entity has no such
 * part; keys/values its quota configs (n == 0: none, i.e. removed). */
struct coord_quota_entity {
	char *user, *client;
	int n;
	char **keys, **values;
};
/* Quota entities for the data plane, on the loop thread: reset (a session
 * start) lists every entity and replaces what the callee knew; otherwise
 * the entities change notifications named, as they are now. */
typedef void (*coord_quotas_fn)(void *arg, int reset, const struct coord_quota_entity *v,
				int n);

struct coord_config {
	int32_t broker_id;
	const char *zk_connect;            /* host:port,...[/chroot] */
	int32_t zk_session_timeout_ms;     /* zookeeper.session.timeout.ms */
	/* advertised.listeners (or listeners), e.g. "PLAINTEXT://127.0.0.1:9092" */
	const char *advertised_listeners;
	const char *listener_security_protocol_map; /* "PLAINTEXT:PLAINTEXT,..." */
	const char *inter_broker_listener_name;      /* "PLAINTEXT" */
	/* how the controller connects to brokers (NULL: plain TCP); must
	 * outlive the coordination thread */
	const struct peer_security *inter_broker;
	const char *rack;                  /* NULL if unset */
	int32_t num_partitions;            /* for auto-created topics */
	int16_t default_replication_factor;
	int unclean_leader_election;       /* unclean.leader.election.enable */
	int delete_topic_enable;           /* delete.topic.enable */
	int auto_leader_rebalance_enable;  /* auto.leader.rebalance.enable */
	/* leader.imbalance.check.interval.seconds; <= 0: Kafka's 300 */
	int32_t leader_imbalance_check_interval_seconds;
	/* leader.imbalance.per.broker.percentage (Kafka's default is 10) */
	int32_t leader_imbalance_per_broker_percentage;
	/* zookeeper.set.acl: every znode made creator-all + world-read
	 * (sensitive ones creator-only), existing ones fixed at start */
	int zk_set_acl;
	const char *zk_digest;             /* "user:password" (addauth digest) or NULL */
	coord_acls_changed_fn acls_fn;     /* NULL: no authorizer, ACLs not followed */
	coord_acl_resource_fn acl_resource_fn; /* per change; NULL: whole store each time */
	void *acls_arg;
	coord_topic_config_fn topic_config_fn; /* NULL: not needed */
	void *topic_config_arg;
	coord_broker_config_fn broker_config_fn; /* NULL: not needed */
	void *broker_config_arg;
	coord_user_config_fn user_config_fn; /* NULL: not needed */
	void *user_config_arg;
	coord_quotas_fn quotas_fn; /* NULL: quotas not followed */
	void *quotas_arg;
};

struct coord;

/* Starts the coordination thread. Returns NULL on a bad config (logged).
 * loop_mbox receives completion callbacks for the admin calls below. */
struct coord *coord_start(const struct coord_config *cfg, struct mbox *loop_mbox);
/* Blocks until this broker is registered and some controller is known, or
 * timeout_ms passes. Returns 0 when ready, -1 on timeout. */
int coord_wait_ready(struct coord *c, int timeout_ms);
/* Nonzero once start-up failed for good (e.g. duplicate broker.id); the
 * reason is logged. coord_wait_ready returns -1 early in that case. */
int coord_failed(struct coord *c);
/* Resigns, deletes this broker's ephemeral znodes, closes the session. */
void coord_stop(struct coord *c);

/* Cheap, thread-safe reads of the latest known values. */
int32_t coord_controller_id(const struct coord *c); /* -1 if unknown */
int64_t coord_broker_epoch(const struct coord *c);  /* czxid of /brokers/ids/<id> */
/* ZooKeeper session health, for metrics: state is one of "CONNECTED",
 * "CONNECTING", "EXPIRED", "AUTH_FAILED", "CLOSED"; the counters are Kafka's
 * ZooKeeperDisconnects and ZooKeeperExpires. */
struct coord_zk_stats {
	const char *state;
	int64_t disconnects, expires;
};
void coord_zk_stats(const struct coord *c, struct coord_zk_stats *out);
/* Copies the cluster id (22 chars + NUL) into out; "" until known. */
void coord_cluster_id(const struct coord *c, char out[32]);

/* Admin results arrive on the loop thread: kerr is a Kafka error code
 * (0 = success) and msg a human-readable reason or NULL. */
typedef void (*coord_done_fn)(void *arg, int16_t kerr, const char *msg);

/* Topic config override (written to /config/topics/<t>). */
struct coord_topic_config {
	const char *name;
	const char *value;
};

struct coord_new_topic {
	const char *name;
	int32_t num_partitions;     /* -1: num.partitions */
	int16_t replication_factor; /* -1: default.replication.factor */
	/* Explicit assignment instead of the two counts: n_assign partitions of
	 * rf replicas each, row-major; NULL if none. */
	const int32_t *assignment;
	int32_t n_assign, assign_rf;
	const struct coord_topic_config *configs;
	int n_configs;
	int validate_only;
};

/* Writes /config/topics/<t> then /brokers/topics/<t> (Kafka's v2 JSON) with
 * an assignment over the live brokers (Kafka's round-robin), like Kafka's
 * AdminZkClient. TOPIC_ALREADY_EXISTS, INVALID_PARTITIONS,
 * INVALID_REPLICATION_FACTOR, INVALID_TOPIC_EXCEPTION as Kafka answers.
 * The strings are copied before this returns. */
void coord_create_topic(struct coord *c, const struct coord_new_topic *t,
			coord_done_fn done, void *arg);
/* Creates /admin/delete_topics/<t>; the controller does the rest. */
void coord_delete_topic(struct coord *c, const char *name,
			coord_done_fn done, void *arg);
/* Extends /brokers/topics/<t> to `count` partitions. */
void coord_create_partitions(struct coord *c, const char *name, int32_t count,
			     int validate_only, coord_done_fn done, void *arg);

/* CreatePartitions with Kafka's optional explicit assignments: when
 * has_assign, n_assign replica lists for the new partitions (in partition
 * order), list k being replicas[offsets[k] .. offsets[k+1]) (offsets has
 * n_assign + 1 entries). Validated as Kafka's AdminManager/AdminZkClient
 * do (INVALID_REPLICA_ASSIGNMENT with Kafka's messages); the arrays are
 * copied before this returns. */
struct coord_new_partitions {
	const char *name;
	int32_t count;
	int has_assign;            /* assignments given (an empty list counts) */
	int32_t n_assign;
	const int32_t *replicas;
	const int32_t *offsets;
	int validate_only;
};
void coord_create_partitions_assigned(struct coord *c,
				      const struct coord_new_partitions *np,
				      coord_done_fn done, void *arg);

/* One change of a topic's overrides (IncrementalAlterConfigs operations:
 * 0 SET, 1 DELETE, 2 APPEND, 3 SUBTRACT; value NULL only for DELETE). */
struct coord_config_op {
	const char *name;
	const char *value;
	int8_t op;
};
/* Checks one key and value: 0, or -1 with a message in err. */
typedef int (*coord_config_check_fn)(const char *key, const char *value, char *err,
				     size_t errlen);
/* AlterConfigs (replace: the SET ops become the whole override set) or
 * IncrementalAlterConfigs (ops applied in order to the current overrides)
 * of an entity Kafka keeps under /config/<type>: checks the result, then
 * unless validate_only writes /config/<type>/<name> and a
 * /config/changes/config_change_ node as Kafka 2.x does;
 * UNKNOWN_TOPIC_OR_PARTITION, INVALID_CONFIG, INVALID_REQUEST as Kafka
 * answers; strings are copied before return. The entity is
 * type "topics" (name a topic that must exist), "brokers" (name a broker
 * id or "<default>"; the caller has checked the keys) or "users" (name a
 * sanitized user name: SCRAM credentials). check sees every
 * resulting key; its failure answers check_kerr (Kafka: INVALID_CONFIG 40
 * for topics, INVALID_REQUEST 42 for brokers). APPEND/SUBTRACT are allowed
 * for keys is_list accepts (the config tables' LIST keys; NULL: none). The
 * notification is {"version":2,"entity_path":"<type>/<name>"}. */
struct coord_entity_alter {
	const char *type;
	const char *name;
	const struct coord_config_op *ops;
	int n;
	int replace, validate_only;
	coord_config_check_fn check; /* NULL: no check */
	int16_t check_kerr;
	int (*is_list)(const char *key);
};
void coord_alter_entity_config(struct coord *c, const struct coord_entity_alter *ea,
			       coord_done_fn done, void *arg);

/* Leader: writes a partition's new ISR to its state znode, conditional on
 * zk_version (same leader, leader_epoch, controller_epoch as given), and
 * queues an /isr_change_notification entry (batched as Kafka: flushed after
 * 5 s of quiet or 60 s since the last flush; checked every 2.5 s).
 * On BADVERSION re-read: identical data counts as success, otherwise
 * KERR_INVALID_UPDATE_VERSION (95) and the ISR is left alone (the controller
 * will send a LeaderAndIsr). UNKNOWN_TOPIC_OR_PARTITION (3) if the znode is
 * gone, REQUEST_TIMED_OUT (7) without a ZooKeeper session. done runs on the
 * loop thread; new_zk_version is -1 unless kerr is 0. */
typedef void (*coord_isr_done_fn)(void *arg, int16_t kerr, int32_t new_zk_version);
void coord_update_isr(struct coord *c, const char *topic, int32_t partition,
		      int32_t leader, int32_t leader_epoch, int32_t controller_epoch,
		      const int32_t *isr, int32_t nisr, int32_t zk_version,
		      coord_isr_done_fn done, void *arg);

/* Controller side (called by the ControlledShutdown handler on the broker that
 * is controller): for every partition led by broker_id with more than one
 * replica, elect a new leader = first assigned replica that is live, in the
 * ISR and not shutting down (leader_epoch+1, ISR minus the shutting-down
 * broker, fenced conditional write), send LeaderAndIsr/UpdateMetadata; for
 * partitions where it is a follower, remove it from the ISR likewise and send
 * StopReplica(delete=false) to it. done gets the partitions it still leads
 * (valid during the call only). STALE_BROKER_EPOCH (77) if broker_epoch is not
 * its registration's epoch (czxid); BROKER_NOT_AVAILABLE (8) if it is not
 * registered; NOT_CONTROLLER (41) if this broker is not controller. The
 * broker is not eligible for leadership until it registers again. */
struct coord_tp { const char *topic; int32_t partition; };
typedef void (*coord_shutdown_done_fn)(void *arg, int16_t kerr,
				       const struct coord_tp *remaining, int32_t n);
void coord_controlled_shutdown(struct coord *c, int32_t broker_id, int64_t broker_epoch,
			       coord_shutdown_done_fn done, void *arg);
/* Broker side: asynchronously sends ControlledShutdown v2 (broker_id,
 * broker_epoch) to the current controller over a broker channel (from its own
 * thread), retrying max_retries times every retry_backoff_ms until the answer
 * lists no remaining partitions; done(arg, kerr, msg) on the loop thread when
 * finished (kerr 0) or given up (kerr != 0). The data plane keeps serving
 * meanwhile (it must process the LeaderAndIsr that moves leadership away).
 * At most one at a time: a second call fails at once. */
/* A log dir of this broker failed: tells the controller through a
 * /log_dir_event_notification/log_dir_event_<n> entry (written on the
 * coordination thread, retried until ZooKeeper takes it). */
void coord_log_dir_failure(struct coord *c);

void coord_begin_controlled_shutdown(struct coord *c, int max_retries, int retry_backoff_ms,
				     coord_done_fn done, void *arg);

/* Producer ids (coord/pid_block.c): claims the next block of 1000 ids from
 * /latest_producer_id_block with a conditional write (empty node: [0, 999];
 * BADVERSION: re-read, our own block = success, else retry). done runs on
 * the loop thread with the inclusive range, or kerr != 0 (15
 * COORDINATOR_NOT_AVAILABLE without ZooKeeper) and -1, -1. */
void coord_claim_pid_block(struct coord *c,
			   void (*done)(void *arg, int16_t kerr, int64_t start, int64_t end),
			   void *arg);

/* Consumer offsets in ZooKeeper (OffsetCommit/OffsetFetch v0, as Kafka's
 * ZooKeeper-mode broker: /consumers/<group>/offsets/<topic>/<partition>).
 * The entries are copied; done gets them back on the loop thread in the
 * same order with error set (and, for a fetch, offset: -1 with
 * UNKNOWN_TOPIC_OR_PARTITION when none is committed), or offs NULL and
 * n -1 when memory ran out. */
struct coord_zk_offset {
	char *topic;
	int32_t partition;
	int64_t offset;
	int16_t error;
};
typedef void (*coord_zk_offsets_fn)(void *arg, const struct coord_zk_offset *offs, int n);
void coord_zk_offsets_commit(struct coord *c, const char *group,
			     const struct coord_zk_offset *offs, int n,
			     coord_zk_offsets_fn done, void *arg);
void coord_zk_offsets_fetch(struct coord *c, const char *group,
			    const struct coord_zk_offset *offs, int n,
			    coord_zk_offsets_fn done, void *arg);

/* AlterPartitionReassignments of one partition (coord/reassign_admin.c):
 * merges the target into /admin/reassign_partitions for the controller;
 * n_replicas < 0 cancels (NO_REASSIGNMENT_IN_PROGRESS if none).
 * UNKNOWN_TOPIC_OR_PARTITION, INVALID_REPLICA_ASSIGNMENT as Kafka. */
void coord_alter_reassignment(struct coord *c, const char *topic, int32_t partition,
			      const int32_t *replicas, int n_replicas,
			      coord_done_fn done, void *arg);

/* One partition being reassigned: a is its /brokers/topics/<t> entry
 * (replicas = the full set during the move, adding, removing). */
struct coord_reassignment {
	char topic[250];
	struct zn_assign a;
};
/* Called on the loop thread; v is freed after it returns. */
typedef void (*coord_reassign_list_fn)(void *arg, int16_t kerr,
				       const struct coord_reassignment *v, int n);
/* The partitions being reassigned, of the given topics (NULL: all). */
void coord_list_reassignments(struct coord *c, const char *const *topics, int n_topics,
			      coord_reassign_list_fn done, void *arg);

/* ElectLeaders on this broker if it is the active controller
 * (coord/elect_admin.c): type 0 preferred, 1 unclean; tps NULL = every
 * partition. done gets one error per partition (NOT_CONTROLLER elsewhere),
 * on the loop thread; n -1 when out of memory. */
typedef void (*coord_elect_fn)(void *arg, const struct coord_tp *tps, const int16_t *errs,
			       int n);
void coord_elect_leaders(struct coord *c, int8_t type, const struct coord_tp *tps, int n,
			 coord_elect_fn done, void *arg);

/* AlterClientQuotas of one entity (coord/quota_configs.c): user/client as
 * in struct coord_quota_entity; each op sets key to value (a string as
 * Kafka writes it) or, value NULL, removes it; other keys of the node (SCRAM
 * credentials) stay. Unless validate_only, writes the node (an emptied node
 * without children is deleted, as Kafka's tryCleanQuotaNodes) and a
 * /config/changes notification. Strings are copied before return. */
struct coord_quota_op {
	const char *key;
	const char *value;
};
void coord_alter_client_quota(struct coord *c, const char *user, const char *client,
			      const struct coord_quota_op *ops, int n, int validate_only,
			      coord_done_fn done, void *arg);
/* DescribeClientQuotas reads ZooKeeper, as Kafka's: every quota entity
 * node with its quota keys (v is freed after done returns; kerr != 0 with
 * n == 0 when ZooKeeper could not be read). */
typedef void (*coord_quotas_describe_fn)(void *arg, int16_t kerr,
					 const struct coord_quota_entity *v, int n);
void coord_describe_client_quotas(struct coord *c, coord_quotas_describe_fn done, void *arg);

#endif
