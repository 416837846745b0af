/* Client quotas on the loop thread (docs/quotas.md): the broker's quota
 * table fed from ZooKeeper by the coordination thread, the gate's quota
 * stage, the Fetch hooks and what a request's end decides (its
 * throttle_time_ms and how long its connection stays muted), as Kafka's
 * ClientQuotaManager / ClientRequestQuotaManager and KafkaApis do it.
 *
 *   client_quotas_init / client_quotas_free
 *   client_quotas_feed          coord callback: entities from ZooKeeper
 *   quota_gate                  the gate's stage: Produce bytes, exemptions
 *   quota_fetch_max_bytes       a consumer fetch's byte cap
 *   quota_fetch_record          a consumer fetch's bytes; > 0: answer empty
 *   quota_request_end           the request's throttle time at its end */
#ifndef GREGOR_CLIENT_QUOTAS_H
#define GREGOR_CLIENT_QUOTAS_H

#include <stdint.h>

#include "broker/server.h"
#include "coord/coord.h"

struct broker;

/* Reads quota.window.num and quota.window.size.seconds, and sets up the
 * replication throttles (replication_quota.h) too; 0 or -1 (memory). */
int client_quotas_init(struct broker *b);
void client_quotas_free(struct broker *b);
/* struct coord_config's quotas_fn (arg: the broker). */
void client_quotas_feed(void *arg, int reset, const struct coord_quota_entity *v, int n);

/* The gate's quota stage, before the handler: marks requests exempt from
 * the request quota (inter-broker APIs, GATE_CLUSTER_ACTION rows) and
 * records a Produce's size against producer_byte_rate (its throttle is
 * applied when the request ends). */
void quota_gate(struct request *req, unsigned gate_flags);

/* A consumer fetch's cap on its response: Kafka's getMaxValueInQuotaWindow
 * (INT32_MAX without a consumer_byte_rate quota). */
int32_t quota_fetch_max_bytes(struct request *req);
/* A consumer fetch about to answer with bytes of records: records them and
 * the request time so far; returns the throttle time. When it is > 0 the
 * bytes are taken back and the caller answers with no data, as Kafka. */
int32_t quota_fetch_record(struct request *req, int64_t bytes);

/* At the request's end (response encoded or none due): records the loop
 * time it took (cpu_us) against request_percentage unless exempt or
 * already recorded, and returns max(bandwidth, request) throttle time in
 * ms, for throttle_time_ms and the connection's mute; records it in the
 * throttle-time metric of the quota that set it. */
int32_t quota_request_end(struct request *req, int64_t cpu_us);

#endif
