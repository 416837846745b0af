/* Shared fencing for requests from the controller (LeaderAndIsr,
 * UpdateMetadata, StopReplica): a lower controller epoch than the highest
 * seen is STALE_CONTROLLER_EPOCH; a broker epoch below this broker's current
 * registration is STALE_BROKER_EPOCH (it was meant for an earlier life). */
#ifndef GREGOR_CONTROLLER_REQUESTS_H
#define GREGOR_CONTROLLER_REQUESTS_H
#include <stdint.h>
struct request;
int16_t controller_request_check(struct request *req, int32_t controller_id,
				 int32_t controller_epoch, int64_t broker_epoch);
#endif
