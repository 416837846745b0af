/* gregorctl internals: options, the ZooKeeper session and bounded reads
 * shared by the command files. Commands return the process exit status
 * (0 or 1) and print their own one-line errors through gctl_err. */
#ifndef GREGOR_GCTL_H
#define GREGOR_GCTL_H

#include <stdint.h>
/* the synchronous zoo_* API exists only in the multi-threaded client */
#ifndef THREADED
#define THREADED
#endif
#include <zookeeper/zookeeper.h>

#include "coord/znode.h"

#define GCTL_DATA_MAX (1 << 20) /* ZooKeeper's jute.maxbuffer default */
#define GCTL_PATH_MAX 512
#define GCTL_MAX_PARTITIONS 1000000

struct gctl_opts {
	const char *zookeeper;
	const char *zk_digest;      /* "user:password" (addauth digest) or NULL */
	const char *zk_digest_file; /* its first line holds user:password */
	int timeout_s;
	int json, verbose;
	const char *topic;
	int32_t partitions;      /* -1: not given */
	int32_t rf;              /* -1: not given */
	const char **configs;    /* "k=v" as given */
	int n_configs;
	int under_replicated, unavailable;
	const char *file;
	/* groups: the Kafka protocol instead of ZooKeeper */
	const char *bootstrap;
	const char *command_config; /* client properties (TLS) or NULL */
	const char *group;
	int to_earliest, to_latest, to_offset_set, execute;
	int64_t to_offset;
	/* health */
	const char *log_dir;
	int wait_s;
	/* users: SCRAM credentials */
	const char *user, *mechanism, *password;
	int32_t iterations;      /* 0: not given */
	/* reassign, leader-election (the Kafka protocol) */
	int verify, cancel, preferred, unclean;
	int32_t partition;       /* -1: not given */
};

struct gctl {
	struct gctl_opts o;
	zhandle_t *zh;
	int secure;             /* authenticated with --zk-digest* */
};

/* gctl_get results besides 0 */
enum { GCTL_NONODE = 1, GCTL_EXISTS = 2, GCTL_FAIL = -1 };

void gctl_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The whole file (at most 1 MiB), malloc'd; NULL with the error printed. */
char *gctl_read_file(const char *name, size_t *len);

/* Connects within o.timeout_s seconds; 0 or 1 (error printed). */
int gctl_connect(struct gctl *g);
void gctl_close(struct gctl *g);

/* Reads a znode into a NUL-terminated malloc'd buffer (null data: len 0).
 * 0, GCTL_NONODE, or GCTL_FAIL with the error printed. st may be NULL. */
int gctl_get(struct gctl *g, const char *path, char **data, int *len,
	     struct Stat *st);
/* Children sorted by strcmp; 0, GCTL_NONODE, or GCTL_FAIL (printed).
 * Free with deallocate_String_vector. */
int gctl_children(struct gctl *g, const char *path, struct String_vector *out);
/* Numeric children of /brokers/ids, ascending. Returns count or -1. */
int gctl_live_brokers(struct gctl *g, int32_t **ids);
/* The message for a missing top-level znode such as /brokers/topics. */
const char *gctl_no_cluster(const char *path);
int gctl_contains(const int32_t *v, int n, int32_t x);
/* snprintf into a path buffer; 0, or 1 with an error if it does not fit. */
int gctl_path(char *out, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* /brokers/topics/<t>: all partitions (malloc'd) and the znode version.
 * 0, GCTL_NONODE, or GCTL_FAIL (printed, including malformed data). */
int gctl_read_assignment(struct gctl *g, const char *topic,
			 struct zn_assign **as, int *n, int32_t *version);
/* Creates a persistent znode (data NULL: null data); 0, GCTL_EXISTS, or
 * GCTL_FAIL (printed). */
int gctl_write_new(struct gctl *g, const char *path, const char *data, size_t len);

int gctl_cmd_topics(struct gctl *g, const char *cmd);
int gctl_cmd_cluster(struct gctl *g, const char *cmd);
int gctl_cmd_partitions(struct gctl *g, const char *cmd);
/* Consumer groups over the Kafka protocol (o.bootstrap; no ZooKeeper). */
int gctl_cmd_groups(struct gctl *g, const char *cmd);
/* Transactions and producer state over the Kafka protocol (gctl_txn.c):
 * cmd list|describe (arg: the transactional id); producers of a partition. */
int gctl_cmd_transactions(struct gctl *g, const char *cmd, const char *arg);
int gctl_cmd_producers(struct gctl *g, const char *topic, const char *partition);
/* gctl_ops.c: reassign, leader-election, log-dirs over the Kafka protocol */
int gctl_cmd_reassign(struct gctl *g);
int gctl_cmd_leader_election(struct gctl *g);
int gctl_cmd_log_dirs(struct gctl *g);
/* This machine's broker, from its status file and ZooKeeper (gctl_health.c);
 * --zookeeper defaults to the broker's own zookeeper.connect. */
int gctl_cmd_health(struct gctl *g);
/* SCRAM credentials in /config/users (gctl_users.c): list, describe,
 * add/alter (--user --mechanism --password [--iterations]), delete. */
int gctl_cmd_users(struct gctl *g, const char *cmd);
/* gregorctl drill NAME ... (gctl_drill.c): argv[0] is "drill"; parses its
 * own options; the exit status. */
int gctl_cmd_drill(int argc, char **argv);

#endif
