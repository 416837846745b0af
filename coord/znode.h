/* Kafka's znode contents: building and parsing the JSON that Kafka 2.6 writes
 * under /brokers, /controller, /cluster and /config (docs/zookeeper.md §1).
 * Pure functions, no ZooKeeper calls: unit-tested on their own. Parsers treat
 * the data as untrusted and fail with -EINVAL on anything out of shape. */
#ifndef GREGOR_ZNODE_H
#define GREGOR_ZNODE_H

#include <stddef.h>
#include <stdint.h>

#include "coord/zjson.h"

#define ZN_MAX_ENDPOINTS 8
#define ZN_MAX_REPLICAS 32
#define ZN_HOST_MAX 256
#define ZN_NAME_MAX 64

/* Security protocol ids as in Kafka's SecurityProtocol. */
enum zn_secproto { ZN_PLAINTEXT = 0, ZN_SSL = 1, ZN_SASL_PLAINTEXT = 2, ZN_SASL_SSL = 3 };

struct zn_endpoint {
	char listener[ZN_NAME_MAX]; /* listener name, e.g. PLAINTEXT */
	char host[ZN_HOST_MAX];
	int32_t port;
	int16_t security_protocol;  /* enum zn_secproto; -1 unknown */
};

/* The data of /brokers/ids/<id>. */
struct zn_broker {
	int32_t id;
	int n_endpoints;
	struct zn_endpoint ep[ZN_MAX_ENDPOINTS];
	char rack[ZN_NAME_MAX];     /* "" if none */
	int has_rack;
};

/* The data of /brokers/topics/<t>/partitions/<p>/state. */
struct zn_pstate {
	int32_t leader;
	int32_t leader_epoch;
	int32_t controller_epoch;
	int n_isr;
	int32_t isr[ZN_MAX_REPLICAS];
};

/* One partition of /brokers/topics/<t>. adding/removing are the
 * partition's entries of "adding_replicas"/"removing_replicas" (Kafka 2.4+:
 * non-empty only while a reassignment is in progress; both subsets of
 * replicas). */
struct zn_assign {
	int32_t partition;
	int n_replicas;
	int32_t replicas[ZN_MAX_REPLICAS];
	int n_adding;
	int32_t adding[ZN_MAX_REPLICAS];
	int n_removing;
	int32_t removing[ZN_MAX_REPLICAS];
};

int16_t zn_secproto_from_name(const char *name);

/* Parses "NAME://host:port,..." (IPv6 hosts in brackets) with an optional
 * listener->protocol map "NAME:PROTO,..." (NULL: each name is its protocol).
 * Returns the endpoint count or -EINVAL. */
int zn_parse_listeners(const char *listeners, const char *secmap,
		       struct zn_endpoint *out, int max);

/* /brokers/ids/<id> v5 JSON. secmap as above. rack NULL or "" if unset. */
int zn_broker_build(struct zbuf *b, const char *listeners, const char *secmap,
		    const char *rack, int64_t now_ms);
int zn_broker_parse(const char *data, size_t len, struct zn_broker *out);
/* The endpoint for a listener name; NULL if the broker has none. */
const struct zn_endpoint *zn_broker_endpoint(const struct zn_broker *b,
					     const char *listener);

void zn_controller_build(struct zbuf *b, int32_t broker_id, int64_t now_ms);
/* Returns the broker id or -EINVAL. */
int32_t zn_controller_parse(const char *data, size_t len);

void zn_pstate_build(struct zbuf *b, const struct zn_pstate *s);
int zn_pstate_parse(const char *data, size_t len, struct zn_pstate *out);

/* /brokers/topics/<t> v2 JSON from n partitions (partition ids 0..n-1);
 * the adding/removing maps list only partitions with non-empty sets. */
void zn_topic_build(struct zbuf *b, const struct zn_assign *parts, int n);
/* Parses v1 or v2; fills up to max partitions, sorted by partition id, which
 * must be exactly 0..n-1. adding/removing entries must name existing
 * partitions and be subsets of their replicas. Returns n or -EINVAL. */
int zn_topic_parse(const char *data, size_t len, struct zn_assign *out, int max);

/* Topic ids (Kafka 2.8+, KIP-516): the topic znode's "topic_id", a UUID
 * written as Kafka's Uuid.toString, 22 chars of url-safe base64 without
 * padding. zn_topic_build_id writes version 3 with the id (NULL id: the
 * version 2 form above). zn_topic_id_parse reads it: 0, -ENOENT (none),
 * -EINVAL (malformed or the zero id, which Kafka reserves). */
void zn_topic_build_id(struct zbuf *b, const uint8_t *id, const struct zn_assign *parts,
		       int n);
int zn_topic_id_parse(const char *data, size_t len, uint8_t id[16]);
/* A random id as Kafka's Uuid.randomUuid: never the zero id nor the
 * metadata topic's (1), never one whose string starts with '-'. */
int zn_uuid_generate(uint8_t id[16]);
void zn_uuid_str(const uint8_t id[16], char out[23]);
int zn_uuid_from_str(const char *s, uint8_t id[16]);

/* {"version":1,"config":{k:v,...}} with string values. */
void zn_config_build(struct zbuf *b, const char *const *keys,
		     const char *const *values, int n);

/* A topic-partition as listed in /isr_change_notification/isr_change_* and
 * /admin/preferred_replica_election; replicas only for reassignments. */
struct zn_tp {
	char topic[250];
	int32_t partition;
	int n_replicas;             /* -1 when the entry has no "replicas" */
	int32_t replicas[ZN_MAX_REPLICAS];
};

/* {"version":1,"partitions":[{"topic":t,"partition":p},...]} */
void zn_tp_list_build(struct zbuf *b, const struct zn_tp *v, int n);
/* Fills up to max entries (an optional "replicas" array is read too).
 * Returns the count, or -EINVAL (also when more than max). */
int zn_tp_list_parse(const char *data, size_t len, struct zn_tp *out, int max);
/* A string value from {"version":1,"config":{...}}: 0, -ENOENT, -EINVAL. */
int zn_config_get(const char *data, size_t len, const char *key, char *out,
		  size_t cap);

/* 22-char url-safe base64 (no padding) of 16 random bytes; out >= 23. */
int zn_cluster_id_generate(char out[23]);
void zn_cluster_id_build(struct zbuf *b, const char *id);
int zn_cluster_id_parse(const char *data, size_t len, char out[32]);

/* Kafka's topic name rule: [a-zA-Z0-9._-]{1,249}, not "." or "..". */
int zn_topic_name_valid(const char *name);

#endif
