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

#include <stdint.h>

#include "../common/mbox.h"

struct coord_config {
	int32_t broker_id;
	const char *zk_connect;            /* host:port,...[/chroot] */
	int32_t zk_session_timeout_ms;     /* zookeeper.session.timeout.ms */
	/* advertised.listeners (or listeners), e.g. "PLAINTEXT://127.0.0.1:9092" */
	const char *advertised_listeners;
	const char *listener_security_protocol_map; /* "PLAINTEXT:PLAINTEXT,..." */
	const char *inter_broker_listener_name;      /* "PLAINTEXT" */
	const char *rack;                  /* NULL if unset */
	int32_t num_partitions;            /* for auto-created topics */
	int16_t default_replication_factor;
	int unclean_leader_election;       /* unclean.leader.election.enable */
	int delete_topic_enable;           /* delete.topic.enable */
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

#endif
