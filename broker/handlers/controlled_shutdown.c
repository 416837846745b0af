/* ControlledShutdown (7), v1-2: a broker about to stop asks the controller to
 * move leadership off it first. Answered by the controller once it has done
 * so, with the partitions the broker still leads. */
#include <string.h>

#include "broker/broker.h"
#include "broker/handlers/handlers.h"
#include "common/proto/kerr.h"
#include "common/proto/messages.h"

static void shutdown_done(void *arg, int16_t kerr, const struct coord_tp *remaining, int32_t n)
{
	struct request *req = arg;
	struct controlled_shutdown_response *out = arena_alloc(&req->arena, sizeof *out);
	struct controlled_shutdown_resp_remaining_partition *rp =
		arena_alloc(&req->arena, ((size_t)(n > 0 ? n : 0) + 1) * sizeof *rp);
	if (!out || !rp) {
		request_close(req, "out of memory");
		return;
	}
	out->error_code = kerr;
	for (int32_t i = 0; i < n; i++) {
		size_t len = strlen(remaining[i].topic);
		char *t = arena_alloc(&req->arena, len + 1);
		if (t)
			memcpy(t, remaining[i].topic, len);
		rp[i].topic_name = (struct kstr){ t ? t : "", t ? (int32_t)len : 0 };
		rp[i].partition_index = remaining[i].partition;
	}
	out->remaining_partitions = (struct karray){ n > 0 ? n : 0, rp };
	request_respond(req, out);
}

void handle_controlled_shutdown(struct request *req)
{
	const struct controlled_shutdown_request *in = req->body;
	coord_controlled_shutdown(req->b->coord, in->broker_id, in->broker_epoch, shutdown_done, req);
}
