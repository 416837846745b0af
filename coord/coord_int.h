/* Internals shared by the coordination thread's files (coord.c, zkutil.c,
 * controller.c, ctl_requests.c). Everything here is touched only on the
 * coordination thread, except the fields marked atomic/locked. */
#ifndef GREGOR_COORD_INT_H
#define GREGOR_COORD_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
/* the synchronous zoo_* API exists only in the multi-threaded client */
#ifndef THREADED
#define THREADED
#endif
#include <zookeeper/zookeeper.h>

#include "common/arena.h"
#include "common/proto/messages.h"
#include "coord/broker_channel.h"
#include "coord/coord.h"
#include "coord/elect.h"
#include "coord/zkacl.h"
#include "coord/znode.h"

#define COORD_MOD "coord"
#define ZK_DATA_MAX (1 << 20) /* ZooKeeper's jute.maxbuffer default */

struct ctl_broker {
	int32_t id;
	int64_t epoch;          /* czxid of /brokers/ids/<id> */
	struct zn_broker reg;
	struct broker_channel ch;
	int full_sync;          /* owes it full UpdateMetadata + LeaderAndIsr */
	int64_t retry_at_ms;    /* after a failed send */
	int refusals;           /* CTL_REFUSED answers in a row (backoff) */
	int seen;               /* scratch for set differences */
	int shutting_down;      /* in controlled shutdown: never elected until
				 * it registers again (new epoch) */
};

struct ctl_partition {
	int32_t id;
	int n_replicas;
	int32_t replicas[ZN_MAX_REPLICAS];
	int has_state;          /* state znode exists */
	struct zn_pstate st;
	int32_t zk_version;     /* of the state znode: partition epoch */
	int changed;            /* LeaderAndIsr owed to its replicas */
	int is_new;
	/* Replicas a reassignment added that have not yet had a LeaderAndIsr
	 * delivered: theirs says IsNew (Kafka's NewReplica transition), so a
	 * broker with an offline log dir creates them in a healthy one. An id
	 * leaves once its broker got the request. */
	int n_new_replicas;
	int32_t new_replicas[ZN_MAX_REPLICAS];
	int stop_mark;          /* the shutting-down broker left its ISR: it gets
				 * StopReplica, not LeaderAndIsr, for this change */
	/* Reassignment in progress iff either count is > 0 (mirrors the topic
	 * znode's adding_replicas/removing_replicas): replicas = RS = TRS then
	 * ORS - TRS; adding = TRS - ORS; removing = ORS - TRS. */
	int n_adding, n_removing;
	int32_t adding[ZN_MAX_REPLICAS], removing[ZN_MAX_REPLICAS];
	/* topic deletion: bit r set once replicas[r] got StopReplica(delete) */
	uint32_t del_done;
};

struct ctl_topic {
	char name[256];
	uint8_t id[16];         /* the znode's topic_id; zero until assigned */
	int n_parts;
	struct ctl_partition *parts;
	int deleting;           /* queued under /admin/delete_topics */
	int del_wait_logged;    /* "deletion waits" said once */
	int seen;
};

/* A replica in a failed log dir (coord/log_dir_event.c). */
struct ctl_offline_replica {
	char topic[256];
	int32_t partition, broker;
};

struct controller {
	int active;
	int32_t epoch;
	int32_t epoch_zk_version; /* fencing token: version of /controller_epoch */
	int n_brokers;
	struct ctl_broker *brokers;  /* live brokers, sorted by id */
	int n_topics;
	struct ctl_topic *topics;
	int metadata_changed;        /* UpdateMetadata owed to all live brokers */
	int fenced;                  /* an epoch check failed: resign after event */
	/* liveness as elect.c sees it; rebuilt by ctl_view_refresh whenever
	 * brokers or shutting_down flags change */
	struct elect_brokers view;
	int32_t *view_live, *view_shut;
	int64_t next_rebalance_ms;
	/* replicas in offline log dirs, until their broker registers again */
	struct ctl_offline_replica *offline;
	int n_offline, cap_offline;
	int offline_pending;         /* added since the last ctl_on_offline_replicas */
};

struct coord {
	struct coord_config cfg;     /* strings owned (strdup) */
	char *zk_hosts, *zk_chroot;  /* split zk_connect */
	struct mbox *events;         /* the coordination thread's queue */
	struct mbox *loop_mbox;
	pthread_t thread;
	atomic_int stopping;
	atomic_int session_gen;      /* bumps on each new session */
	zhandle_t *zh;
	int64_t zk_lost_ms;          /* since when no server answers; 0 connected */

	atomic_int controller_id;
	atomic_int zk_state_id;        /* enum in coord.c: the session's last state */
	atomic_llong zk_disconnects, zk_expires;
	atomic_llong broker_epoch;
	pthread_mutex_t lock;        /* cluster_id, ready, fatal */
	pthread_cond_t cond;
	char cluster_id[32];
	int registered;
	int fatal;
	int secured;                 /* zk_secure_existing ran (zookeeper.set.acl) */
	int64_t acl_purge_at_ms;     /* next purge of old ACL change znodes */
	int64_t qcfg_seen;           /* highest /config/changes notification applied */
	int64_t qcfg_purge_at_ms;    /* next purge of old config change znodes */
	int64_t acl_seen[2];         /* highest change notification applied, per
				      * directory (literal, extended); -1 none */

	struct controller ctl;

	/* leader-side ISR change notifications (isr.c), coordination thread */
	struct zn_tp *isr_pending;
	int n_isr_pending, cap_isr_pending;
	int64_t isr_last_change_ms, isr_last_flush_ms, isr_next_check_ms;
	int log_dir_event_pending;   /* a log dir failed; notification not yet written */

	/* controlled shutdown sender (shutdown.c) */
	pthread_t cs_thread;
	int cs_started;              /* cs_thread exists and is not joined; lock */
	int cs_running;              /* a sender is in progress; lock */
	/* the controller's inter-broker endpoint, kept by coord_set_controller */
	int32_t ctl_ep_id;           /* -1 unknown; under lock */
	char ctl_ep_host[ZN_HOST_MAX];
	int32_t ctl_ep_port;
};

/* topic_configs.c: the /config/topics feed to the data plane. */
/* Posts done(arg, kerr, msg) to the loop thread (msg copied, cut at 320
 * bytes; NULL: none). Coordination thread; on allocation failure the
 * callback is lost, as for every mailbox post. */
void coord_post_done(struct coord *c, coord_done_fn done, void *arg, int16_t kerr,
		     const char *msg);

void tcfg_sync_all(struct coord *c);
/* Handles a watch event under /config/topics, /config/brokers or
 * /config/users; 1 if it was one of ours. */
int tcfg_on_watch(struct coord *c, const char *path);

/* quota_configs.c: client quota entities to the data plane (cfg.quotas_fn):
 * all of them at a session start, then those /config/changes names. */
void qcfg_sync_all(struct coord *c);
/* Handles a watch event on /config/changes; 1 if it was that. */
int qcfg_on_watch(struct coord *c, const char *path);

/* acl.c: the ACL feed to the authorizer (cfg.acls_fn): a child watch on
 * both change directories; any change re-reads the whole store and posts it
 * to the loop thread. Also purges change znodes older than 15 minutes. */
void acl_sync_all(struct coord *c);
/* Handles a watch event on a change directory; 1 if it was one. */
int acl_on_watch(struct coord *c, const char *path);

/* zkutil.c: synchronous helpers used on the coordination thread. */
/* Reads a znode into a malloc'd NUL-terminated buffer (*len excludes NUL).
 * watch: set the default watcher. Returns a ZooKeeper rc. */
int zk_get_alloc(struct coord *c, const char *path, int watch, char **data,
		 int *len, struct Stat *st);
/* Creates path and any missing parents as persistent null nodes, with the
 * ACL zk_acl gives each. */
int zk_create_path(struct coord *c, const char *path);
int zk_create_path_on(zhandle_t *zh, const char *path, int secure);
/* zk_acl_for(cfg.zk_set_acl, path) (coord/zkacl.h): every zoo_create in
 * coord/ takes its ACL from here. */
struct ACL_vector *zk_acl(const struct coord *c, const char *path);
/* zookeeper.set.acl on a start: every existing znode under Kafka's roots
 * whose ACL differs from zk_acl's gets it (as Kafka's
 * zookeeper-security-migration tool). Returns the number fixed, or -1. */
int zk_secure_existing(struct coord *c);
/* Deletes path and everything below it. */
int zk_delete_recursive(zhandle_t *zh, const char *path, int depth);

/* controller.c */
void ctl_on_elected(struct coord *c, int32_t epoch, int32_t epoch_zk_version);
void ctl_resign(struct coord *c);
void ctl_on_watch(struct coord *c, int type, const char *path);
void ctl_tick(struct coord *c);
/* A fenced multi-op: ops[0] must be left free for the epoch check. Returns
 * the ZooKeeper rc; a failed epoch check resigns. */
int ctl_fenced_multi(struct coord *c, int n, zoo_op_t *ops, zoo_op_result_t *res);
void coord_reelect(struct coord *c);
/* controller.c helpers shared with ctl_ops.c */
struct ctl_broker *ctl_broker_find(struct controller *ctl, int32_t id);
struct ctl_topic *ctl_topic_find(struct controller *ctl, const char *name);
void ctl_view_refresh(struct controller *ctl);
int ctl_read_state(struct coord *c, const char *topic, struct ctl_partition *p);
/* Decides a partition's next state; returns an enum elect_rc. */
typedef int (*ctl_decide_fn)(struct coord *c, struct ctl_topic *t,
			     struct ctl_partition *p, void *arg, struct zn_pstate *out);
/* Runs decide and writes its result (fenced, at the cached zk_version),
 * re-reading and deciding again after BADVERSION. Returns decide's rc once
 * written, ELECT_KEEP if nothing to write, -1 on failure. */
int ctl_run_election(struct coord *c, struct ctl_topic *t, struct ctl_partition *p,
		     ctl_decide_fn decide, void *arg, const char *why);
int ctl_fenced_delete(struct coord *c, const char *path);
/* Sends what brokers are owed (LeaderAndIsr, UpdateMetadata). */
void ctl_flush(struct coord *c);

/* Deletion (controller.c): finishes queued deletions that are eligible:
 * none of the topic's partitions is being reassigned, and every replica's
 * broker is live (dead ones get StopReplica(delete) when they return). */
void ctl_resume_deletions(struct coord *c);
int ctl_write_topic(struct coord *c, const struct ctl_topic *t);

/* reassign.c: /admin/reassign_partitions (Kafka 2.6 flow) */
int ctl_part_reassigning(const struct ctl_partition *p);
/* Reads the admin node (re-arming its exists- and data watch), starts or
 * resumes the listed reassignments, drops invalid entries. */
void ctl_on_reassign(struct coord *c);
/* Completes p's reassignment if all its targets are in the (re-read) ISR. */
void ctl_reassign_check(struct coord *c, struct ctl_topic *t, struct ctl_partition *p);
/* Checks every partition being reassigned (failover, brokers changed). */
void ctl_reassign_check_all(struct coord *c);

/* ctl_ops.c: ISR notifications, preferred/auto-rebalance, controlled shutdown */
struct zn_tp *ctl_read_tp_list(struct coord *c, const char *path, int watch, int *n);
struct ctl_partition *ctl_part_find(struct controller *ctl, const char *topic,
				    int32_t partition, struct ctl_topic **tout);
void ctl_on_isr_change(struct coord *c);
void ctl_on_preferred_election(struct coord *c);
void ctl_check_rebalance(struct coord *c);
/* log_dir_event.c: log dir failures (broker: write the notification;
 * controller: learn and act on offline replicas) */
void coord_log_dir_tick(struct coord *c);
int ctl_replica_offline(const struct controller *ctl, const char *topic, int32_t partition,
			int32_t broker);
/* A LeaderAndIsr answer said KAFKA_STORAGE_ERROR for this replica. */
void ctl_offline_add(struct coord *c, const char *topic, int32_t partition, int32_t broker);
/* The broker registered again: its dirs are whatever it now says. */
void ctl_offline_forget(struct controller *ctl, int32_t broker);
/* New leaders and ISRs for partitions with offline replicas. */
void ctl_on_offline_replicas(struct coord *c);
/* /log_dir_event_notification children (re-arms the watch). */
void ctl_on_log_dir_event(struct coord *c);
/* isr.c */
void coord_isr_tick(struct coord *c);
void coord_isr_free(struct coord *c);
/* shutdown.c */
void coord_refresh_controller_ep(struct coord *c, int32_t id);
void coord_shutdown_join(struct coord *c);
/* Generic request/response over a broker channel (ctl_requests.c); 0, -1
 * on transport/decoding failure. */
int bchan_call(struct broker_channel *ch, int16_t key, int16_t ver,
	       const struct kmsg *req_msg, const void *req,
	       const struct kmsg *resp_msg, void *resp, struct arena *a);

/* ctl_requests.c: controller -> broker requests. Each returns 0, -1 (not
 * answered: the broker is retried later with a full sync) or, for
 * LeaderAndIsr and UpdateMetadata, CTL_REFUSED: the broker answered
 * STALE_BROKER_EPOCH or CLUSTER_AUTHORIZATION_FAILED. That is mostly a
 * broker that registered a moment ago and has not yet heard its own broker
 * epoch back from ZooKeeper (or loaded the ACLs that let us in), so it is
 * retried soon, backing off. */
#define CTL_REFUSED (-2)
int ctl_send_leader_and_isr(struct coord *c, struct ctl_broker *b, int full);
/* Forgets broker id in every partition's new_replicas (its LeaderAndIsr
 * was delivered). */
void ctl_new_replicas_delivered(struct controller *ctl, int32_t id);
int ctl_send_update_metadata(struct coord *c, struct ctl_broker *b);
int ctl_send_stop_replica(struct coord *c, struct ctl_broker *b,
			  const struct ctl_topic *t, int delete_partitions);
/* StopReplica for one partition (b need not be among its replicas). */
int ctl_send_stop_replica_one(struct coord *c, struct ctl_broker *b, const char *topic,
			      int32_t partition, int delete_partition);
/* StopReplica for the partitions with stop_mark where b is a replica. */
int ctl_send_stop_replica_marked(struct coord *c, struct ctl_broker *b,
				 int delete_partitions);

#endif
