/* What this broker knows of the cluster, as the controller last told it with
 * UpdateMetadata: live brokers with endpoints, every topic's partitions with
 * leader, epoch, replicas and ISR, and the controller id. Metadata requests
 * are answered from here. Owned by the event-loop thread. */
#ifndef GREGOR_METADATA_CACHE_H
#define GREGOR_METADATA_CACHE_H

#include <stdint.h>

#include "common/strmap.h"

#define MC_MAX_ENDPOINTS 8

/* One advertised listener of a broker, as UpdateMetadata carries it. */
struct mc_endpoint {
	char listener[32]; /* listener name, e.g. "EXTERNAL" */
	char host[256];
	int32_t port;
	int16_t security_protocol; /* Kafka's SecurityProtocol id */
};

struct mc_broker {
	int32_t id;
	char host[256];  /* host and port of the inter-broker listener (this */
	int32_t port;    /* broker's), else of the broker's first endpoint */
	char rack[64]; /* "" = none */
	int32_t nendpoints;
	struct mc_endpoint ep[MC_MAX_ENDPOINTS];
};

struct mc_partition {
	int exists;            /* a state has been received */
	int32_t leader;        /* -1 none */
	int32_t leader_epoch;
	int32_t nreplicas, nisr, noffline;
	int32_t *replicas, *isr, *offline;
};

struct mc_topic {
	char *name;
	uint8_t id[16];        /* topic id (KIP-516); zero = none known */
	int32_t npartitions;
	struct mc_partition *parts;
};

struct metadata_cache {
	struct strmap topics;  /* name -> struct mc_topic */
	struct strmap ids;     /* 16-byte topic id -> the same struct mc_topic */
	struct mc_broker *brokers;
	int32_t nbrokers;
	int32_t controller_id;
};

struct metadata_cache *mc_new(void);
void mc_free(struct metadata_cache *mc);

const struct mc_topic *mc_topic(const struct metadata_cache *mc, const char *name, int32_t len);
const struct mc_broker *mc_broker(const struct metadata_cache *mc, int32_t id);
/* The error for a partition this broker holds no replica of (Kafka's
 * getPartitionOrException): NOT_LEADER_OR_FOLLOWER if the cluster has it,
 * on which clients refresh metadata and retry, else
 * UNKNOWN_TOPIC_OR_PARTITION. */
int16_t mc_missing_partition_error(const struct metadata_cache *mc, const char *topic,
				   int32_t len, int32_t partition);
/* The broker's endpoint for a listener name (clients see the endpoints of
 * the listener they came in on, as Kafka), or NULL if it has none. */
const struct mc_endpoint *mc_broker_endpoint(const struct mc_broker *b, const char *listener);

/* Replaces the live-broker list. */
int mc_set_brokers(struct metadata_cache *mc, const struct mc_broker *b, int32_t n);
/* Sets one partition's state (growing the topic as needed). */
int mc_set_partition(struct metadata_cache *mc, const char *topic, int32_t tlen,
		     int32_t index, int32_t leader, int32_t leader_epoch,
		     const int32_t *replicas, int32_t nreplicas,
		     const int32_t *isr, int32_t nisr,
		     const int32_t *offline, int32_t noffline);
/* Sets a topic's id (UpdateMetadata v7+); a zero id clears it. */
int mc_set_topic_id(struct metadata_cache *mc, const char *topic, int32_t tlen,
		    const uint8_t id[16]);
/* The topic with this id, or NULL (unknown, or the zero id). */
const struct mc_topic *mc_topic_by_id(const struct metadata_cache *mc, const uint8_t id[16]);
int mc_id_is_zero(const uint8_t id[16]);
/* Forgets a topic (deleted). */
void mc_remove_topic(struct metadata_cache *mc, const char *topic, int32_t tlen);

#endif
