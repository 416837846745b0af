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

#include "coord/broker_channel.h"
#include "coord/coord.h"
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
	int seen;               /* scratch for set differences */
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
};

struct ctl_topic {
	char name[256];
	int n_parts;
	struct ctl_partition *parts;
	int deleting;
	int seen;
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

	atomic_int controller_id;
	atomic_llong broker_epoch;
	pthread_mutex_t lock;        /* cluster_id, ready, fatal */
	pthread_cond_t cond;
	char cluster_id[32];
	int registered;
	int fatal;

	struct controller ctl;
};

/* zkutil.c: synchronous helpers used on the coordination thread. */
/* Reads a znode into a malloc'd NUL-terminated buffer (*len excludes NUL).
 * watch: set the default watcher. Returns a ZooKeeper rc. */
int zk_get_alloc(struct coord *c, const char *path, int watch, char **data,
		 int *len, struct Stat *st);
/* Creates path and any missing parents as persistent null nodes. */
int zk_create_path(zhandle_t *zh, const char *path);
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

/* ctl_requests.c: controller -> broker requests. Each returns 0 or -1 (the
 * broker is then retried later with a full sync). */
int ctl_send_leader_and_isr(struct coord *c, struct ctl_broker *b, int full);
int ctl_send_update_metadata(struct coord *c, struct ctl_broker *b);
int ctl_send_stop_replica(struct coord *c, struct ctl_broker *b,
			  const struct ctl_topic *t, int delete_partitions);

#endif
