/* CreatePartitions (37), v0-1: on the controller only; extends a topic's
 * assignment in ZooKeeper and waits, up to timeout_ms, for leaders of the
 * new partitions. Explicit assignments are not supported yet. */
#include <string.h>

#include "broker/broker.h"
#include "broker/handlers/admin_op.h"
#include "broker/handlers/handlers.h"
#include "broker/metadata_cache.h"
#include "common/proto/kerr.h"
#include "common/proto/messages.h"

#define IN_TOPIC(in, i) (&((const struct create_partitions_req_topic *)(in)->topics.v)[i])
#define OUT_RESULT(out, i) (&((struct create_partitions_resp_topic *)((struct create_partitions_response *)(out))->results.v)[i])

static int all_grown(struct admin_op *op)
{
	const struct create_partitions_request *in = op->req->body;
	if (in->validate_only)
		return 1;
	for (int32_t i = 0; i < in->topics.n; i++) {
		const struct create_partitions_resp_topic *r = OUT_RESULT(op->out, i);
		if (r->error_code)
			continue;
		const struct mc_topic *t = mc_topic(op->req->b->meta, r->name.p, r->name.len);
		if (!t || t->npartitions < IN_TOPIC(in, i)->count)
			return 0;
		for (int32_t p = 0; p < t->npartitions; p++)
			if (!t->parts[p].exists || t->parts[p].leader < 0)
				return 0;
	}
	return 1;
}

void handle_create_partitions(struct request *req)
{
	const struct create_partitions_request *in = req->body;
	int32_t n = in->topics.n > 0 ? in->topics.n : 0;
	struct create_partitions_response *out = arena_alloc(&req->arena, sizeof *out);
	struct admin_op *op = NULL;
	if (!out || !(out->results.v = arena_alloc(&req->arena, ((size_t)n + 1) * sizeof(struct create_partitions_resp_topic))) ||
	    !(op = admin_op_new(req, out, in->timeout_ms, all_grown))) {
		request_close(req, "out of memory");
		return;
	}
	out->results.n = n;
	int controller = coord_controller_id(req->b->coord) == req->b->id;
	for (int32_t i = 0; i < n; i++) {
		const struct create_partitions_req_topic *t = IN_TOPIC(in, i);
		struct create_partitions_resp_topic *r = OUT_RESULT(out, i);
		r->name = t->name;
		r->error_message = (struct kstr){ NULL, -1 };
		char *name = t->name.len > 0 ? arena_alloc(&req->arena, (size_t)t->name.len + 1) : NULL;
		if (!controller) {
			r->error_code = KERR_NOT_CONTROLLER;
		} else if (t->assignments.n > 0) {
			r->error_code = KERR_INVALID_REQUEST;
			r->error_message = (struct kstr){ "explicit assignments are not supported", 38 };
		} else if (!name) {
			r->error_code = KERR_INVALID_TOPIC_EXCEPTION;
		} else {
			memcpy(name, t->name.p, (size_t)t->name.len);
			struct admin_write *w = admin_write_new(op, &r->error_code, &r->error_message);
			if (w)
				coord_create_partitions(req->b->coord, name, t->count, in->validate_only,
							admin_write_done, w);
			else
				r->error_code = KERR_UNKNOWN_SERVER_ERROR;
		}
	}
	admin_op_release(op);
}
