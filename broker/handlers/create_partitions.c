/* CreatePartitions (37), v0-1: on the controller only; extends a topic's
 * assignment in ZooKeeper and waits, up to timeout_ms, for leaders of the
 * new partitions. Explicit assignments (one broker list per new partition)
 * are checked and written by the coordination thread (coord/admin.c).
 * Needs ALTER on each topic (TOPIC_AUTHORIZATION_FAILED). */
#include <stdint.h>
#include <string.h>

#include "broker/auth/authorizer.h"
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

/* Flattens the request's lists (each bounded by the request's size) into
 * coord_new_partitions and hands them to the coordination thread; w is
 * completed either way. */
static void grow_topic(struct request *req, const struct create_partitions_req_topic *t,
		      const char *name, int validate_only, struct admin_write *w)
{
	struct coord_new_partitions np = {
		.name = name, .count = t->count, .validate_only = validate_only,
		.has_assign = t->assignments.n >= 0,
	};
	int32_t na = t->assignments.n > 0 ? t->assignments.n : 0;
	const struct create_partitions_req_assignment *as = t->assignments.v;
	int64_t total = 0;
	for (int32_t k = 0; k < na; k++)
		total += as[k].broker_ids.n > 0 ? as[k].broker_ids.n : 0;
	int32_t *off = arena_alloc(&req->arena, ((size_t)na + 1) * sizeof *off);
	int32_t *ids = total > INT32_MAX ? NULL :
		       arena_alloc(&req->arena, ((size_t)total + 1) * sizeof *ids);
	if (!off || !ids) {
		admin_write_done(w, KERR_UNKNOWN_SERVER_ERROR, "out of memory");
		return;
	}
	off[0] = 0;
	for (int32_t k = 0; k < na; k++) {
		int32_t n = as[k].broker_ids.n > 0 ? as[k].broker_ids.n : 0;
		if (n)
			memcpy(ids + off[k], as[k].broker_ids.v, (size_t)n * sizeof *ids);
		off[k + 1] = off[k] + n;
	}
	np.n_assign = na;
	np.replicas = ids;
	np.offsets = off;
	coord_create_partitions_assigned(req->b->coord, &np, admin_write_done, w);
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
		} else if (!authz_topic(req, ACL_OP_ALTER, t->name)) {
			r->error_code = KERR_TOPIC_AUTHORIZATION_FAILED;
		} else if (!name) {
			r->error_code = KERR_INVALID_TOPIC_EXCEPTION;
		} else {
			memcpy(name, t->name.p, (size_t)t->name.len);
			struct admin_write *w = admin_write_new(op, &r->error_code, &r->error_message);
			if (w)
				grow_topic(req, t, name, in->validate_only, w);
			else
				r->error_code = KERR_UNKNOWN_SERVER_ERROR;
		}
	}
	admin_op_release(op);
}
