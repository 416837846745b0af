/* DeleteTopics (20), v0-6: on the controller only; marks topics for deletion
 * in ZooKeeper (/admin/delete_topics) and waits, up to timeout_ms, until the
 * controller has removed them from the cluster metadata. Needs DELETE on
 * each topic (TOPIC_AUTHORIZATION_FAILED). */
#include <string.h>

#include "broker/auth/authorizer.h"
#include "broker/broker.h"
#include "broker/handlers/admin_op.h"
#include "broker/handlers/handlers.h"
#include "broker/metadata_cache.h"
#include "common/proto/kerr.h"
#include "common/proto/messages.h"

#define OUT_RESULT(out, i) (&((struct delete_topics_resp_topic *)(out)->responses.v)[i])

static int all_gone(struct admin_op *op)
{
	const struct delete_topics_response *out = op->out;
	for (int32_t i = 0; i < out->responses.n; i++) {
		const struct delete_topics_resp_topic *r = OUT_RESULT(out, i);
		if (!r->error_code && mc_topic(op->req->b->meta, r->name.p, r->name.len))
			return 0;
	}
	return 1;
}

static void mark_timed_out(struct admin_op *op)
{
	const struct delete_topics_response *out = op->out;
	for (int32_t i = 0; i < out->responses.n; i++) {
		struct delete_topics_resp_topic *r = OUT_RESULT(out, i);
		if (!r->error_code && mc_topic(op->req->b->meta, r->name.p, r->name.len))
			r->error_code = KERR_REQUEST_TIMED_OUT;
	}
}

/* v0-5 send names as a string array, v6 as structs (name, topic id). */
static struct kstr requested_name(const struct request *req, int32_t i)
{
	const struct delete_topics_request *in = req->body;
	if (req->hdr.api_version >= 6)
		return ((const struct delete_topics_req_topic *)in->topics.v)[i].name;
	return ((const struct kstr *)in->topic_names.v)[i];
}

void handle_delete_topics(struct request *req)
{
	const struct delete_topics_request *in = req->body;
	int32_t n = req->hdr.api_version >= 6 ? in->topics.n : in->topic_names.n;
	n = n > 0 ? n : 0;
	struct delete_topics_response *out = arena_alloc(&req->arena, sizeof *out);
	struct admin_op *op = NULL;
	if (!out || !(out->responses.v = arena_alloc(&req->arena, ((size_t)n + 1) * sizeof(struct delete_topics_resp_topic))) ||
	    !(op = admin_op_new(req, out, in->timeout_ms, all_gone))) {
		request_close(req, "out of memory");
		return;
	}
	out->responses.n = n;
	op->expire = mark_timed_out;
	int controller = coord_controller_id(req->b->coord) == req->b->id;
	for (int32_t i = 0; i < n; i++) {
		struct delete_topics_resp_topic *r = OUT_RESULT(out, i);
		r->name = requested_name(req, i);
		r->error_message = (struct kstr){ NULL, -1 };
		char *name = r->name.len > 0 ? arena_alloc(&req->arena, (size_t)r->name.len + 1) : NULL;
		if (!controller) {
			r->error_code = KERR_NOT_CONTROLLER;
		} else if (!authz_topic(req, ACL_OP_DELETE, r->name)) {
			r->error_code = KERR_TOPIC_AUTHORIZATION_FAILED;
		} else if (!name) {
			r->error_code = KERR_INVALID_TOPIC_EXCEPTION;
		} else {
			memcpy(name, r->name.p, (size_t)r->name.len);
			struct admin_write *w = admin_write_new(op, &r->error_code, &r->error_message);
			if (w)
				coord_delete_topic(req->b->coord, name, admin_write_done, w);
			else
				r->error_code = KERR_UNKNOWN_SERVER_ERROR;
		}
	}
	admin_op_release(op);
}
