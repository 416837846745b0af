/* OffsetDelete (47), v0: removes committed offsets (tombstones) unless the
 * group's consumers subscribe to the topic (GROUP_SUBSCRIBED_TO_TOPIC); a
 * non-consumer group with members answers NON_EMPTY_GROUP. Needs DELETE on
 * the group (GROUP_AUTHORIZATION_FAILED) and READ on each topic
 * (TOPIC_AUTHORIZATION_FAILED), as Kafka. */
#include <string.h>

#include "broker/auth/authorizer.h"
#include "broker/broker.h"
#include "broker/group/coordinator.h"
#include "broker/handlers/handlers.h"
#include "common/proto/kerr.h"
#include "common/proto/messages.h"

#define PENDING INT16_MIN

struct odel_ctx {
	struct request *req;
	struct offset_delete_response *out;
};

static void fill_pending(struct offset_delete_response *out, int16_t err)
{
	for (int32_t t = 0; t < out->topics.n; t++) {
		struct offset_delete_resp_topic *rt = &((struct offset_delete_resp_topic *)out->topics.v)[t];
		for (int32_t i = 0; i < rt->partitions.n; i++) {
			struct offset_delete_resp_partition *rp = &((struct offset_delete_resp_partition *)rt->partitions.v)[i];
			if (rp->error_code == PENDING)
				rp->error_code = err;
		}
	}
}

static void on_deleted(void *arg, int16_t err)
{
	struct odel_ctx *c = arg;
	fill_pending(c->out, err);
	request_respond(c->req, c->out);
}

/* Builds the response and the offsets to delete; returns their count. */
static int plan(struct request *req, const struct group *g, struct offset_delete_response *out,
		struct gc_offset **res)
{
	const struct offset_delete_request *in = req->body;
	int32_t nt = in->topics.n > 0 ? in->topics.n : 0;
	const struct offset_delete_req_topic *it = in->topics.v;
	size_t total = 0;
	for (int32_t t = 0; t < nt; t++)
		total += (size_t)(it[t].partitions.n > 0 ? it[t].partitions.n : 0);
	struct offset_delete_resp_topic *tv = arena_alloc(&req->arena, ((size_t)nt + 1) * sizeof *tv);
	struct gc_offset *o = arena_alloc(&req->arena, (total + 1) * sizeof *o);
	int n = 0;
	for (int32_t t = 0; tv && o && t < nt; t++) {
		int32_t np = it[t].partitions.n > 0 ? it[t].partitions.n : 0;
		struct offset_delete_resp_partition *pv = arena_alloc(&req->arena, ((size_t)np + 1) * sizeof *pv);
		char *topic = gc_cstr(&req->arena, it[t].name);
		if (!pv || !topic)
			return -1;
		int subscribed = group_subscribed_to(g, topic);
		int readable = authz_topic(req, ACL_OP_READ, it[t].name);
		for (int32_t i = 0; i < np; i++) {
			int32_t idx = ((const struct offset_delete_req_partition *)it[t].partitions.v)[i].partition_index;
			pv[i].partition_index = idx;
			pv[i].error_code = !readable ? KERR_TOPIC_AUTHORIZATION_FAILED
					   : subscribed ? KERR_GROUP_SUBSCRIBED_TO_TOPIC : PENDING;
			if (pv[i].error_code == PENDING)
				o[n++] = (struct gc_offset){ topic, idx, -1, -1, "", 0 };
		}
		tv[t] = (struct offset_delete_resp_topic){ it[t].name, { np, pv } };
	}
	if (!tv || !o)
		return -1;
	out->topics = (struct karray){ nt, tv };
	*res = o;
	return n;
}

static int16_t group_error(struct request *req, struct group_coordinator *gc, struct group **g)
{
	const struct offset_delete_request *in = req->body;
	char *gid = gc_cstr(&req->arena, in->group_id);
	if (!authz_group(req, ACL_OP_DELETE, in->group_id))
		return KERR_GROUP_AUTHORIZATION_FAILED;
	if (!gc)
		return KERR_COORDINATOR_NOT_AVAILABLE;
	int16_t err = gid ? gc_group(gc, gid, 0, g) : KERR_INVALID_GROUP_ID;
	if (!err && (!*g || (*g)->state == GROUP_DEAD))
		return KERR_GROUP_ID_NOT_FOUND;
	if (!err && (*g)->state != GROUP_EMPTY &&
	    (!(*g)->protocol_type || strcmp((*g)->protocol_type, "consumer")))
		return KERR_NON_EMPTY_GROUP;
	return err;
}

void handle_offset_delete(struct request *req)
{
	struct offset_delete_response *out = arena_alloc(&req->arena, sizeof *out);
	struct odel_ctx *c = arena_alloc(&req->arena, sizeof *c);
	if (!out || !c) {
		request_close(req, "out of memory");
		return;
	}
	struct group_coordinator *gc = gc_get(req->b);
	struct group *g = NULL;
	struct gc_offset *o = NULL;
	out->error_code = group_error(req, gc, &g);
	int n = out->error_code ? 0 : plan(req, g, out, &o);
	if (n < 0)
		out->error_code = KERR_UNKNOWN_SERVER_ERROR;
	if (n <= 0) {
		out->topics.n = out->error_code ? 0 : out->topics.n;
		request_respond(req, out);
		return;
	}
	*c = (struct odel_ctx){ req, out };
	gc_delete_offsets(gc, g->id, o, n, on_deleted, c);
}
