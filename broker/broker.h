/* The broker's data-plane context, owned by the event-loop thread. Every
 * piece of state a module keeps for a broker hangs off this struct (or off
 * an object it owns), so that two brokers could live in one process;
 * docs/architecture.md "Who owns what" lists what is process-wide instead. */
#ifndef GREGOR_BROKER_H
#define GREGOR_BROKER_H

#include <stdint.h>

#include "broker/config.h"
#include "broker/storage/log.h"
#include "common/mbox.h"
#include "common/net/loop.h"
#include "common/net/peer_security.h"
#include "common/purgatory.h"
#include "common/strmap.h"
#include "coord/coord.h"
#include "coord/health.h"

struct acl_cache;
struct conn;
struct fetch_state;
struct pid_alloc;
struct request;
struct txn_verify;
struct listener_rt;
struct broker_metrics;
struct group_coordinator;
struct txn_coordinator;
struct metadata_cache;
struct replica_manager;
struct sasl_ctx;
struct server;

#define BROKER_MAX_LISTENERS 8

/* Kinds of delayed operation in the broker's purgatory (the size gauges). */
enum delayed_kind {
	DELAYED_OTHER,          /* a coordinator's own acks=all append */
	DELAYED_PRODUCE,        /* acks=all */
	DELAYED_FETCH,          /* min bytes / max wait */
	DELAYED_DELETE_RECORDS, /* the ISR's log starts */
};

struct broker {
	struct broker_config *cfg;
	int32_t id;
	struct loop *loop;
	struct mbox *mbox;          /* work from the coordination thread */
	struct loop_io mbox_io;
	/* what this broker's logs share (broker/storage/log.h), given to each
	 * at log_open: the background fsync of rolled segments
	 * (storage.flusher, broker/storage/flusher.h), whose results come back
	 * through their own mailbox, so that shutdown can drain them after
	 * the logs are closed and nothing else, and the flush observer
	 * (metrics) */
	struct log_storage storage;
	struct mbox *flush_mbox;
	struct loop_io flush_mbox_io;
	struct coord *coord;
	struct metadata_cache *meta;
	struct replica_manager *rm;
	/* created on first use (gc_get, tc_get), main() creates both at start */
	struct group_coordinator *gc;
	struct txn_coordinator *tc;
	struct pid_alloc *pids;     /* producer id blocks (broker/txn/pid_alloc.h) */
	struct txn_verify *tv;      /* produce-time txn verification (broker/txn/txn_verify.h) */
	struct fetch_state *fetch;  /* fetch sessions, down-conversion totals (handlers/fetch.h) */
	struct strmap autocreate_pending; /* topic -> creation asked (broker/topic_autocreate.c) */
	/* SaslHandshake v0 bare tokens (server_set_raw_token_handler) */
	void (*raw_token_handler)(struct request *req);
	/* every request that waits: keyed by partition, deadlines on one timer
	 * wheel (common/purgatory.h) */
	struct purgatory purgatory;
	struct broker_metrics *metrics; /* counters for the Prometheus page */
	struct quotas *quotas;      /* client quotas (broker/quota/client_quotas.h) */
	struct repl_quotas *repl_quotas; /* replication throttles (broker/quota/replication_quota.h) */
	struct listener_rt *listeners[BROKER_MAX_LISTENERS];
	int nlisteners;
	struct conn *conns;
	struct server *srv;         /* server.c: connection accounting and bounds */
	int32_t max_request_bytes;  /* socket.request.max.bytes */
	int32_t controller_epoch;   /* highest seen from a controller */
	struct loop_timer tick;     /* once a second: log maintenance */
	int shutting_down;          /* controlled shutdown under way */
	struct strmap topic_configs; /* topic -> overrides (broker/topic_config.c) */
	struct sasl_ctx *sasl;      /* SASL listeners and credentials (broker/auth) */
	int storage_failed;         /* the log dir failed: stopping, no clean close */
	int accept_held;            /* listeners bound but not accepting yet (ACLs loading) */
	/* how this broker connects to others (inter-broker listener) */
	struct peer_security inter_broker;
	struct acl_cache *acls;     /* NULL: no authorizer (broker/auth/authorizer.h) */
	char status_path[4200];      /* <log.dirs>/gregord.status; "" if too long */
	struct health_status status; /* as last written there */
};

/* The log dir failed (replica_manager.h: rm_storage_error): stop serving at
 * once, without a controlled shutdown; main() then closes the ZooKeeper
 * session first so that the controller re-elects leaders right away, and
 * exits non-zero. Loop thread only. */
void broker_storage_failed(struct broker *b);
/* One log dir failed and others serve (rm_storage_error): the controller is
 * told, which moves the leadership of that dir's partitions. Loop thread. */
void broker_log_dir_failed(struct broker *b);

#endif
