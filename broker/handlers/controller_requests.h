/* Shared fencing for requests from the controller (LeaderAndIsr,
 * UpdateMetadata, StopReplica), after the gate checked CLUSTER_ACTION:
 *  - the broker epoch (KIP-380) must be this broker's current registration
 *    (the czxid of /brokers/ids/<id>) exactly: an older one was meant for an
 *    earlier life, and -1 or a made-up value is not from a controller that
 *    read our registration. STALE_BROKER_EPOCH (77); the controller resends
 *    after a full sync (covers the instant before our own registration
 *    result is stored);
 *  - then a controller epoch lower than the highest seen is
 *    STALE_CONTROLLER_EPOCH.
 * Only a request that passed both raises the controller epoch we believe,
 * so a forged epoch from a client cannot fence the real controller. */
#ifndef GREGOR_CONTROLLER_REQUESTS_H
#define GREGOR_CONTROLLER_REQUESTS_H
#include <stdint.h>
struct request;
int16_t controller_request_check(struct request *req, int32_t controller_id,
				 int32_t controller_epoch, int64_t broker_epoch);
#endif
