/* gregorctl's Kafka-protocol side: a cluster view from the bootstrap
 * brokers' Metadata, one blocking channel per broker (coord/broker_channel,
 * bounded by --timeout) and request/response calls through the shared codec.
 * Every decoded response lives in the gk arena until gk_close. */
#ifndef GREGOR_GCTL_KAFKA_H
#define GREGOR_GCTL_KAFKA_H

#include <stdint.h>

#include "common/arena.h"
#include "common/proto/codec.h"
#include "common/proto/messages.h"
#include "coord/broker_channel.h"
#include "coord/gregorctl/gctl.h"

enum {
	GK_API_LIST_OFFSETS = 2, GK_API_METADATA = 3, GK_API_OFFSET_COMMIT = 8,
	GK_API_OFFSET_FETCH = 9, GK_API_FIND_COORDINATOR = 10,
	GK_API_DESCRIBE_GROUPS = 15, GK_API_LIST_GROUPS = 16,
	GK_API_DELETE_GROUPS = 42, GK_API_OFFSET_DELETE = 47,
};

struct gk_node {
	int32_t id;
	struct broker_channel ch;
};

struct peer_security;

struct gk {
	const struct gctl_opts *o;
	const struct peer_security *sec; /* --command-config; NULL: plaintext */
	struct arena a;
	struct gk_node *nodes; /* brokers from Metadata, then coordinators */
	int n_nodes, cap_nodes;
	struct metadata_response md;
};

/* Metadata (all topics) from the first bootstrap broker that answers;
 * 0, or 1 with the error printed. */
int gk_open(struct gk *k, const struct gctl_opts *o);
void gk_close(struct gk *k);
/* --command-config FILE (security.protocol and ssl.* keys) into sec;
 * 0, or 1 with the error printed. */
int gk_security_load(const char *path, struct peer_security *sec);
/* The channel to broker id (address from Metadata), or NULL. */
struct broker_channel *gk_broker(struct gk *k, int32_t id);
/* One request to ch, the response decoded into resp (arena memory).
 * 0 or -errno (-EBADMSG for an undecodable response). */
int gk_call(struct gk *k, struct broker_channel *ch, int16_t key, int16_t ver,
	    const struct kmsg *req_msg, const void *req,
	    const struct kmsg *resp_msg, void *resp);
/* Calls the group's coordinator (FindCoordinator v2 first), retrying while
 * the coordinator moves or loads (err_of(resp) tells) for at most
 * --timeout. 0 with resp decoded (its error code may still be set), or 1
 * with the error printed. */
int gk_group_call(struct gk *k, const char *group, int16_t key, int16_t ver,
		  const struct kmsg *req_msg, const void *req,
		  const struct kmsg *resp_msg, void *resp,
		  int16_t (*err_of)(const void *resp));
/* The first Metadata broker's channel (for requests any broker answers),
 * or NULL with the error printed. */
struct broker_channel *gk_any(struct gk *k);
/* Prints "what: reason" for a gk_call failure; returns 1. */
int gk_failed(const char *what, int rc);
struct zbuf;
/* Writes b to stdout; 1 (printed) if it ran out of memory. */
int gk_put_json(struct zbuf *b);
/* Topic t in the Metadata, or NULL. */
const struct metadata_resp_topic *gk_topic(const struct gk *k, const char *t);
/* A NUL-terminated arena copy ("" when null or out of memory). */
const char *gk_cstr(struct gk *k, struct kstr s);
/* s as a kstr; NULL gives the null string (length -1). */
struct kstr gk_kstr(const char *s);

/* Client quotas over the Kafka protocol (gctl_quotas.c), shared by
 * 'quotas' and 'configs --entity-type users|clients'. An entity has one or
 * two parts, "user" and/or "client-id". */
#define GCTL_QMAX_KEYS 64
enum { GCTL_QMATCH_EXACT = 0, GCTL_QMATCH_DEFAULT = 1, GCTL_QMATCH_ANY = 2 };
struct gctl_qpart {
	const char *type; /* "user" or "client-id" */
	int8_t match;     /* GCTL_QMATCH_*: alter takes EXACT or DEFAULT */
	const char *name; /* EXACT only */
};
struct gctl_qentry {
	struct gctl_qpart part[2]; /* match EXACT (name) or DEFAULT (NULL) */
	int n_parts;
	const char *keys[GCTL_QMAX_KEYS];
	double values[GCTL_QMAX_KEYS];
	int n;
};
/* Is key a client quota key Gregor knows? */
int gctl_quota_key(const char *key);
/* DescribeClientQuotas with the parts as filter (strict: entities with no
 * other parts); row() gets each entry. 0, or 1 with the error printed. */
int gctl_quota_describe(struct gk *k, const struct gctl_qpart *parts, int n_parts, int strict,
			void (*row)(void *ctx, const struct gctl_qentry *e), void *ctx);
/* AlterClientQuotas of one entity: set add[i] to values[i], remove del[].
 * 0, or 1 with the error printed. */
int gctl_quota_alter(struct gk *k, const struct gctl_qpart *parts, int n_parts,
		     const char *const *add, const double *values, int n_add,
		     const char *const *del, int n_del, int validate_only);

#endif
