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

/* A repeatable option's values, in the order given. */
struct gctl_list {
	const char **v;
	int n;
};

struct gctl_opts {
	const char *zookeeper;
	const char *zk_digest;      /* "user:password" (addauth digest) or NULL */
	const char *zk_digest_file; /* its first line holds user:password */
	int timeout_s;
	int json, verbose;
	const char *action;      /* --list/--describe/... or the legacy word */
	const char *topic;       /* the first --topic */
	struct gctl_list topics; /* every --topic */
	int32_t partitions;      /* -1: not given */
	int32_t rf;              /* -1: not given */
	const char **configs;    /* "k=v" as given */
	int n_configs;
	int under_replicated, unavailable, under_min_isr, at_min_isr;
	int if_not_exists, if_exists, exclude_internal, with_overrides;
	const char *replica_assignment; /* "1:2,2:3" per partition */
	const char *file;
	/* groups: the Kafka protocol instead of ZooKeeper */
	const char *bootstrap;
	const char *command_config; /* client properties (TLS) or NULL */
	const char *group;
	struct gctl_list groups;
	int all_groups, all_topics, to_current, dry_run, members, offsets, state;
	int to_earliest, to_latest, to_offset_set, execute, shift_set;
	int64_t to_offset, shift_by;
	const char *to_datetime, *by_duration;
	/* health */
	const char *log_dir;
	int wait_s;
	/* users: SCRAM credentials */
	const char *user, *mechanism, *password;
	int32_t iterations;      /* 0: not given */
	/* reassign, leader-election (the Kafka protocol) */
	int verify, cancel, preferred, unclean, generate;
	int32_t partition;       /* -1: not given */
	const char *broker_list, *topics_to_move;
	int64_t throttle;        /* -1: not given */
	/* configs */
	struct gctl_list entity_types, entity_names;
	int entity_default, all;
	const char *add_config, *delete_config;
	/* acls */
	struct gctl_list allow_principals, deny_principals, allow_hosts, deny_hosts;
	struct gctl_list operations, txn_ids;
	const char *pattern_type, *principal;
	int cluster, producer, consumer, idempotent, force;
	/* transactions */
	const char *transactional_id;
	int64_t producer_id, start_offset;
	int32_t producer_epoch, coordinator_epoch, broker_id;
	int max_txn_timeout_set; /* --max-transaction-timeout minutes, in wait_s */
	/* dump-log */
	struct gctl_list files;
	int deep_iteration, print_data_log, index_sanity;
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
/* /brokers/topics/<t>'s topic_id into id, *have 0 if it has none yet;
 * 0, GCTL_NONODE or GCTL_FAIL (printed) */
int gctl_read_topic_id(struct gctl *g, const char *topic, uint8_t id[16], int *have);
int gctl_read_assignment(struct gctl *g, const char *topic,
			 struct zn_assign **as, int *n, int32_t *version);
/* Creates a persistent znode (data NULL: null data); 0, GCTL_EXISTS, or
 * GCTL_FAIL (printed). */
int gctl_write_new(struct gctl *g, const char *path, const char *data, size_t len);

/* Exit statuses (docs/gregorctl.md) */
enum { GCTL_EXIT_OK = 0, GCTL_EXIT_FAIL = 1, GCTL_EXIT_USAGE = 64 };

/* One verb: argv[0] is the verb's name, then every other argument as
 * given (options before the verb included). Returns the exit status. */
struct gctl_verb {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

/* What gctl_parse needs of a verb: its name, the long options it takes
 * (space-separated names from gregorctl's option table; --help, --timeout,
 * --json and --verbose always), and its --help text. */
struct gctl_spec {
	const char *verb;
	const char *options;
	const char *usage;
};

/* Initialises g and parses argv with getopt_long. Returns the count of
 * positional words (at most max, stored in words), or -1 with *status set:
 * 0 after --help (usage printed on stdout), 64 after a usage error
 * (message on stderr). Free with gctl_done. */
int gctl_parse(struct gctl *g, int argc, char **argv, const struct gctl_spec *spec,
	       const char **words, int max, int *status);
void gctl_done(struct gctl *g);
/* Is arg a known long option that takes the next argument as its value? */
int gctl_opt_takes_value(const char *arg);
/* A usage error: message, then "try --help"; returns 64. */
int gctl_usage_err(const char *verb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Sets o.action from a flag or legacy word; usage error if one is set. */
int gctl_set_action(struct gctl_opts *o, const char *a);
/* Connects to --zookeeper (required) and authenticates; 0 or 1/64. */
int gctl_zk_open(struct gctl *g, const char *verb);
/* --bootstrap-server given? 0, or 64 with the error printed. */
int gctl_need_bootstrap(const struct gctl *g, const char *verb);
/* Prints rows x cols cells (row 0 the header) left-aligned in columns. */
void gctl_table(const char **cells, int rows, int cols);

/* The verbs (gctl_verbs.c and the files named there) */
int gctl_verb_topics(int argc, char **argv);
int gctl_verb_cluster(int argc, char **argv);
int gctl_verb_partitions(int argc, char **argv);
int gctl_verb_users(int argc, char **argv);
int gctl_verb_consumer_groups(int argc, char **argv);
int gctl_verb_transactions(int argc, char **argv);
int gctl_verb_producers(int argc, char **argv);
int gctl_verb_reassign(int argc, char **argv);
int gctl_verb_leader_election(int argc, char **argv);
int gctl_verb_log_dirs(int argc, char **argv);
int gctl_verb_health(int argc, char **argv);
int gctl_verb_configs(int argc, char **argv);
int gctl_verb_acls(int argc, char **argv);
int gctl_verb_delete_records(int argc, char **argv);
int gctl_verb_api_versions(int argc, char **argv);
int gctl_verb_dump_log(int argc, char **argv);

/* A /config/<type>/<name> znode's {"version":1,"config":{..}} (gctl_users.c),
 * entity being "<type>/<sanitized name>" as in a change notification. */
#define GCTL_ZCFG_MAX 256
struct gctl_zcfg {
	int n;
	char *keys[GCTL_ZCFG_MAX], *values[GCTL_ZCFG_MAX];
	int32_t version; /* -1: node absent */
};
/* 0 (an absent node too: version -1, no keys) or 1 (printed). */
int gctl_zcfg_read(struct gctl *g, const char *entity, struct gctl_zcfg *u);
int gctl_zcfg_find(const struct gctl_zcfg *u, const char *key);
/* Sets (value non-NULL) or removes key; 0, or 1 when full or out of memory. */
int gctl_zcfg_put(struct gctl_zcfg *u, const char *key, const char *value);
/* Writes the node at the version read (creating it and its parent when
 * absent), then the change notification /config/changes/config_change_
 * {"version":2,"entity_path":entity}. 0, 2 on a concurrent change (read
 * again and retry), 1 on failure (printed). */
int gctl_zcfg_write(struct gctl *g, const char *entity, const struct gctl_zcfg *u);
void gctl_zcfg_free(struct gctl_zcfg *u);
/* Read, change, write of /config/<entity>, retried on a concurrent change:
 * sets add[i] to values[i] and removes del[]. strict: removing a key that
 * is not set is an error (Kafka's "Invalid config(s)"); otherwise such a
 * key is skipped, and a change that changes nothing writes nothing.
 * 0, or 1 (printed). */
int gctl_zcfg_change(struct gctl *g, const char *entity, const char *const *add,
		     const char *const *values, int n_add, const char *const *del, int n_del,
		     int strict);

/* configs --bootstrap-server for users and clients (gctl_configs_client.c):
 * the entity from o.entity_types/entity_names/entity_default, o.action
 * describe or alter with the split --add-config and --delete-config keys.
 * Returns the exit status. */
int gctl_configs_client_kafka(struct gctl *g, char **add, char **add_val, int n_add, char **del,
			      int n_del);

int gctl_cmd_topics(struct gctl *g, const char *cmd);
/* topics over the Kafka protocol (gctl_topics_kafka.c) */
int gctl_cmd_topics_kafka(struct gctl *g, const char *cmd);
int gctl_cmd_cluster(struct gctl *g, const char *cmd);
int gctl_cmd_partitions(struct gctl *g, const char *cmd);
/* Consumer groups over the Kafka protocol (o.bootstrap; no ZooKeeper). */
int gctl_cmd_groups(struct gctl *g, const char *cmd);
/* Transactions and producer state over the Kafka protocol (gctl_txn.c):
 * cmd list|describe (arg: the transactional id); producers of a partition. */
int gctl_cmd_transactions(struct gctl *g, const char *cmd, const char *arg);
int gctl_cmd_producers(struct gctl *g, const char *topic, const char *partition);
/* reassign's plan logic (gctl_reassign.c), over either path: where the
 * current assignment comes from and how configs are written. */
struct gctl_rsrc {
	void *ctx;
	/* A topic's partitions (malloc'd): 0, GCTL_NONODE when it does not
	 * exist, or GCTL_FAIL (printed). */
	int (*current)(void *ctx, const char *topic, struct zn_assign **as, int *n);
	/* Sets keys to values (NULL: deletes them) on broker name (is_broker)
	 * or topic name; 0, or 1 (printed). */
	int (*configs)(void *ctx, int is_broker, const char *name, const char *const *keys,
		       const char *const *values, int n);
	const int32_t *brokers; /* the registered brokers */
	int n_brokers;
};
/* --generate: prints the current assignment of --topics-to-move-json-file's
 * topics and a proposal over --broker-list (every id registered). Returns
 * the exit status. */
int gctl_reassign_generate(const struct gctl_opts *o, const struct gctl_rsrc *s);
/* --throttle: rate >= 0 sets the plan's throttle (the rates on the brokers
 * involved, the replica lists on its topics); rate < 0 removes it (the
 * rates from every broker). 0, or 1 (printed). */
int gctl_reassign_throttle(const struct gctl_rsrc *s, const struct zn_tp *v, int n, int64_t rate);
/* --reassignment-json-file F in kafka-reassign-partitions' JSON (gctl_ops.c);
 * malloc'd, count in *n; NULL with the error printed. */
struct zn_tp *gctl_read_plan(struct gctl *g, int *n);
/* reassign --zookeeper (gctl_reassign_zk.c): --generate, --execute
 * [--throttle], --verify, as the ZooKeeper-era tool. The exit status. */
int gctl_reassign_zk(struct gctl *g);
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
/* gregorctl quotas ... (gctl_quotas.c): its own options; argv[0] is
 * "quotas". Returns the exit status. */
int gctl_quotas_main(int argc, char **argv);
/* gregorctl drill NAME ... (gctl_drill.c): argv[0] is "drill"; parses its
 * own options; the exit status. */
int gctl_cmd_drill(int argc, char **argv);

#endif
