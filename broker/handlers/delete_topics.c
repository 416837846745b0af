/* DeleteTopics (20), v0-6: on the controller only; marks topics for deletion
 * in ZooKeeper (/admin/delete_topics) and waits, up to timeout_ms, until the
 * controller has removed them from the cluster metadata. Needs DELETE on
 * each topic (TOPIC_AUTHORIZATION_FAILED). v6 names a topic by name or by
 * id, never both (INVALID_REQUEST for the whole request, as Kafka): an
 * unknown id answers UNKNOWN_TOPIC_ID, one the principal may not describe
 * TOPIC_AUTHORIZATION_FAILED without the name. */
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

/* v0-5 send names as a string array, v6 as structs (name, topic id); an
 * id is resolved to its name through the metadata cache. */
static struct kstr requested_name(const struct request *req, int32_t i,
				  struct delete_topics_resp_topic *r)
{
	const struct delete_topics_request *in = req->body;
	if (req->hdr.api_version < 6)
		return ((const struct kstr *)in->topic_names.v)[i];
	const struct delete_topics_req_topic *t = &((const struct delete_topics_req_topic *)in->topics.v)[i];
	memcpy(r->topic_id, t->topic_id, sizeof r->topic_id);
	if (mc_id_is_zero(t->topic_id)) {
		const struct mc_topic *mt = t->name.len > 0 ? mc_topic(req->b->meta, t->name.p, t->name.len) : NULL;
		if (mt)
			memcpy(r->topic_id, mt->id, sizeof r->topic_id);
		return t->name;
	}
	/* copied: the answer goes out after the cache has dropped the topic */
	const struct mc_topic *mt = mc_topic_by_id(req->b->meta, t->topic_id);
	size_t n = mt ? strlen(mt->name) : 0;
	char *name = mt ? arena_alloc(&((struct request *)req)->arena, n + 1) : NULL;
	if (!name)
		return (struct kstr){ NULL, -1 };
	memcpy(name, mt->name, n + 1);
	return (struct kstr){ name, (int32_t)n };
}

static int names_and_ids(const struct request *req)
{
	const struct delete_topics_request *in = req->body;
	for (int32_t i = 0; req->hdr.api_version >= 6 && i < in->topics.n; i++) {
		const struct delete_topics_req_topic *t = &((const struct delete_topics_req_topic *)in->topics.v)[i];
		if (t->name.len >= 0 && !mc_id_is_zero(t->topic_id))
			return 1;
	}
	return 0;
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
	int invalid = names_and_ids(req);
	for (int32_t i = 0; i < n; i++) {
		struct delete_topics_resp_topic *r = OUT_RESULT(out, i);
		r->name = requested_name(req, i, r);
		r->error_message = (struct kstr){ NULL, -1 };
		int by_id = req->hdr.api_version >= 6 &&
			    !mc_id_is_zero(((const struct delete_topics_req_topic *)in->topics.v)[i].topic_id);
		char *name = r->name.len > 0 ? arena_alloc(&req->arena, (size_t)r->name.len + 1) : NULL;
		if (invalid) {
			r->error_code = KERR_INVALID_REQUEST;
			r->error_message = (struct kstr){ "Topic name and topic ID can not both be specified.", 50 };
		} else if (!controller) {
			r->error_code = KERR_NOT_CONTROLLER;
		} else if (by_id && r->name.len < 0) {
			r->error_code = KERR_UNKNOWN_TOPIC_ID;
		} else if (by_id && !authz_topic(req, ACL_OP_DESCRIBE, r->name)) {
			r->name = (struct kstr){ NULL, -1 };
			r->error_code = KERR_TOPIC_AUTHORIZATION_FAILED;
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
