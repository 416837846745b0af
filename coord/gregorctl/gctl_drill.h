/* gregorctl drill internals: the load generators (an acks=all producer or a
 * transactional one, each on its own thread), the read-back that turns a
 * load's history into a verdict, and the cluster view the drills steer by
 * (leaders, ISR, controller from Metadata). All of it goes through
 * librdkafka, the client the drills stand in for. */
#ifndef GREGOR_GCTL_DRILL_H
#define GREGOR_GCTL_DRILL_H

#include <librdkafka/rdkafka.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#define DRILL_MAX_PROPS 32
#define DRILL_MAX_PARTS 256
#define DRILL_MAX_BROKERS 64

/* Client settings every librdkafka handle of a drill gets. */
struct drill_client {
	const char *bootstrap;
	const char *props[DRILL_MAX_PROPS]; /* "key=value" (-X) */
	int n_props;
	int verbose;                        /* librdkafka's log lines to stderr */
};

/* One acknowledged write of the plain load: where it landed, which
 * message it was, when the acknowledgement came (ms since the load began). */
struct drill_ack {
	int32_t partition;
	int64_t offset, seq, t_ms;
};

/* Transaction outcomes of the transactional load. */
enum { DRILL_TXN_COMMITTED = 'c', DRILL_TXN_ABORTED = 'a', DRILL_TXN_UNKNOWN = 'u' };

struct drill_load {
	/* in */
	const struct drill_client *client;
	const char *topic, *tag;  /* tag: unique per run, in every key */
	int rate;                 /* messages per second */
	int nparts;
	int idempotent;
	int msg_timeout_ms;
	const char *txn_id;       /* set: transactional load */
	int txn_size, abort_every;
	/* out; the arrays are written by the load thread only, read after
	 * drill_load_stop (the counters may be read any time) */
	int64_t t0_ms;            /* drill_now_ms() at the start */
	int64_t stop_ms;          /* load clock when drill_load_stop began */
	atomic_long sent, acked, failed, txns_done;
	struct drill_ack *acks;
	long n_acks, cap_acks;
	char *txn_state;          /* DRILL_TXN_* per transaction */
	int64_t *txn_end_ms;
	long n_txns, cap_txns;
	long unresolved;          /* still queued after the final flush */
	char first_error[160];
	int fatal;
	/* private */
	pthread_t thread;
	int running;
	atomic_int stop;
	rd_kafka_t *rk;
};

/* What the read-back found. */
struct drill_verdict {
	long acked, lost, duplicates, failed, records;
	long committed, aborted, unknown, aborted_seen, ru_missing;
	int64_t recover_ms; /* -1: no fault */
};

int64_t drill_now_ms(void);
void drill_sleep_ms(int ms);

/* The configuration of a handle with the drill's client settings plus
 * extra "key=value" pairs (NULL-terminated); NULL with the error printed. */
rd_kafka_conf_t *drill_conf_new(const struct drill_client *c, const char *const *extra);
/* A librdkafka handle with the drill's client settings plus extra
 * key/value pairs (NULL-terminated list); NULL with the error printed. */
rd_kafka_t *drill_client_new(const struct drill_client *c, rd_kafka_type_t type,
			     const char *const *extra);

/* Starts the load thread; 0, or -1 with the error printed. */
int drill_load_start(struct drill_load *l);
/* Stops producing, waits for every outstanding message or transaction to
 * resolve (bounded by the message timeout) and joins the thread. */
void drill_load_stop(struct drill_load *l);
void drill_load_free(struct drill_load *l);

/* Reads every partition back and checks the load's history against it
 * (plain: every acknowledged offset holds its message; transactional:
 * read_committed shows each committed message once and no aborted one,
 * read_uncommitted shows every committed one). 0, or -1 if the topic could
 * not be read in timeout_s (error printed). */
int drill_verify(struct drill_load *l, struct drill_verdict *v, int timeout_s);
/* The longest time, after fault_ms (load clock), that some partition went
 * without an acknowledgement (transactional: without a transaction ending). */
int64_t drill_recover_ms(const struct drill_load *l, int64_t fault_ms);

/* The cluster as one Metadata response shows it. */
struct drill_view {
	int n_parts;
	int32_t leader[DRILL_MAX_PARTS];
	int n_replicas[DRILL_MAX_PARTS], n_isr[DRILL_MAX_PARTS];
	int n_brokers;
	int32_t brokers[DRILL_MAX_BROKERS]; /* ascending */
	int32_t controller;                  /* -1: unknown */
};

/* Metadata of topic (NULL: brokers only) within timeout_ms; 0 or -1. */
int drill_view_get(rd_kafka_t *rk, const char *topic, struct drill_view *v, int timeout_ms);
/* The view of the one broker at addr (host:port): a fresh client whose
 * only bootstrap is addr sends its first Metadata there. 0 or -1. */
int drill_view_get_at(const struct drill_client *c, const char *addr, const char *topic,
		      struct drill_view *v, int timeout_ms);
/* Every partition led, with as many in-sync replicas as replicas. */
int drill_view_healthy(const struct drill_view *v);
/* CreateTopics; 0 created, 1 existed already, -1 error (printed). */
int drill_topic_create(rd_kafka_t *rk, const char *topic, int parts, int rf);

#endif
