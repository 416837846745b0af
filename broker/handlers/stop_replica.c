/* StopReplica (5), v1: stop serving partitions, deleting their logs when the
 * controller is deleting the topic. */
#include "broker/broker.h"
#include "broker/handlers/controller_requests.h"
#include "broker/handlers/handlers.h"
#include "broker/replica/replica_manager.h"
#include "common/proto/kerr.h"
#include "common/proto/messages.h"

void handle_stop_replica(struct request *req)
{
	const struct stop_replica_request *in = req->body;
	struct stop_replica_response *out = arena_alloc(&req->arena, sizeof *out);
	if (!out) {
		request_close(req, "out of memory");
		return;
	}
	out->error_code = controller_request_check(req, in->controller_id, in->controller_epoch,
						   in->broker_epoch);
	if (out->error_code) {
		request_respond(req, out);
		return;
	}
	int32_t total = 0;
	for (int32_t i = 0; i < in->topics.n; i++)
		total += ((const struct stop_replica_req_topic_v1 *)in->topics.v)[i].partition_indexes.n;
	struct stop_replica_resp_partition_error *pe =
		arena_alloc(&req->arena, ((size_t)total + 1) * sizeof *pe);
	if (!pe) {
		request_close(req, "out of memory");
		return;
	}
	int32_t k = 0;
	for (int32_t i = 0; i < in->topics.n; i++) {
		const struct stop_replica_req_topic_v1 *t = &((const struct stop_replica_req_topic_v1 *)in->topics.v)[i];
		for (int32_t j = 0; j < t->partition_indexes.n; j++) {
			int32_t idx = ((const int32_t *)t->partition_indexes.v)[j];
			pe[k].topic_name = t->name;
			pe[k].partition_index = idx;
			pe[k].error_code = (int16_t)rm_stop_replica(req->b->rm, t->name.p, t->name.len,
								   idx, in->delete_partitions);
			k++;
		}
	}
	out->partition_errors.n = k;
	out->partition_errors.v = pe;
	request_respond(req, out);
}
