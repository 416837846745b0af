/* Controller fencing, see controller_requests.h. */
#include "broker/handlers/controller_requests.h"

#include "broker/broker.h"
#include "broker/metadata_cache.h"
#include "broker/server.h"
#include "common/log.h"
#include "common/proto/kerr.h"

int16_t controller_request_check(struct request *req, int32_t controller_id,
				 int32_t controller_epoch, int64_t broker_epoch)
{
	struct broker *b = req->b;
	int64_t mine = coord_broker_epoch(b->coord);
	if (mine < 0) {
		/* registered, but ZooKeeper's answer with our epoch has not reached
		 * us yet: the controller resends within a second */
		log_info_rl("broker", "%s from controller %d before our registration "
			 "completed: STALE_BROKER_EPOCH", req->api->name, controller_id);
		return KERR_STALE_BROKER_EPOCH;
	}
	if (broker_epoch != mine) {
		log_warn_rl("broker", "%s from %s (controller %d) for broker epoch %lld, ours "
			    "is %lld: STALE_BROKER_EPOCH", req->api->name, request_peer(req),
			    controller_id, (long long)broker_epoch, (long long)mine);
		return KERR_STALE_BROKER_EPOCH;
	}
	if (controller_epoch < b->controller_epoch) {
		log_warn_rl("broker", "%s from controller %d at stale epoch %d (current %d)",
			 req->api->name, controller_id, controller_epoch, b->controller_epoch);
		return KERR_STALE_CONTROLLER_EPOCH;
	}
	b->controller_epoch = controller_epoch;
	b->meta->controller_id = controller_id;
	return 0;
}
