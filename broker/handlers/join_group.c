/* JoinGroup (11), v0-6: translates the request for the group state machine
 * (broker/group/group.c), which answers now or when the rebalance ends;
 * v4+ new members first get MEMBER_ID_REQUIRED with their id. Needs READ on
 * the group (GROUP_AUTHORIZATION_FAILED), as Kafka. */
#include <string.h>

#include "broker/auth/authorizer.h"
#include "broker/broker.h"
#include "broker/group/coordinator.h"
#include "broker/handlers/handlers.h"
#include "common/proto/kerr.h"
#include "common/proto/messages.h"

static void respond_error(struct request *req, int16_t err, struct kstr member_id)
{
	struct join_group_response *out = arena_alloc(&req->arena, sizeof *out);
	if (!out) {
		request_close(req, "out of memory");
		return;
	}
	out->error_code = err;
	out->generation_id = -1;
	out->protocol_type = out->protocol_name = (struct kstr){ NULL, -1 };
	out->leader = (struct kstr){ "", 0 };
	out->member_id = member_id.len >= 0 ? member_id : (struct kstr){ "", 0 };
	request_respond(req, out);
}

static struct kstr copy_str(struct request *req, const char *s)
{
	return s ? gc_kstr(gc_cstr(&req->arena, gc_kstr(s))) : (struct kstr){ NULL, -1 };
}

static struct kbytes copy_bytes(struct request *req, const uint8_t *p, int32_t len)
{
	uint8_t *d = arena_alloc(&req->arena, (size_t)(len > 0 ? len : 0) + 1);
	if (d && len > 0)
		memcpy(d, p, (size_t)len);
	return (struct kbytes){ d ? d : (const uint8_t *)"", d && len > 0 ? len : 0 };
}

/* Runs now or later; the result's strings live only during the call. */
static void on_join(void *arg, const struct group_join_result *r)
{
	struct request *req = arg;
	struct join_group_response *out = arena_alloc(&req->arena, sizeof *out);
	struct join_group_resp_member *mv =
		arena_alloc(&req->arena, ((size_t)r->nmembers + 1) * sizeof *mv);
	if (!out || !mv) {
		request_close(req, "out of memory");
		return;
	}
	out->error_code = r->error;
	out->generation_id = r->generation;
	out->protocol_type = copy_str(req, r->protocol_type);
	out->protocol_name = copy_str(req, r->protocol_name);
	out->leader = copy_str(req, r->leader ? r->leader : "");
	out->member_id = copy_str(req, r->member_id ? r->member_id : "");
	for (int i = 0; i < r->nmembers; i++) {
		mv[i].member_id = copy_str(req, r->members[i].member_id);
		mv[i].group_instance_id = copy_str(req, r->members[i].instance_id);
		mv[i].metadata = copy_bytes(req, r->members[i].meta, r->members[i].meta_len);
	}
	out->members = (struct karray){ r->nmembers, mv };
	request_respond(req, out);
}

static struct group_protocol *protocols_of(struct request *req, int *n)
{
	const struct join_group_request *in = req->body;
	*n = in->protocols.n > 0 ? in->protocols.n : 0;
	struct group_protocol *p = arena_alloc(&req->arena, ((size_t)*n + 1) * sizeof *p);
	const struct join_group_req_protocol *pv = in->protocols.v;
	for (int i = 0; p && i < *n; i++) {
		p[i].name = gc_cstr(&req->arena, pv[i].name);
		if (!p[i].name)
			p[i].name = "";
		p[i].meta = (uint8_t *)pv[i].metadata.p;
		p[i].meta_len = pv[i].metadata.len > 0 ? pv[i].metadata.len : 0;
	}
	return p;
}

void handle_join_group(struct request *req)
{
	const struct join_group_request *in = req->body;
	struct group_coordinator *gc = gc_get(req->b);
	char *group_id = gc_cstr(&req->arena, in->group_id);
	char *member_id = gc_cstr(&req->arena, in->member_id);
	const char *client_id = gc_cstr(&req->arena, req->hdr.client_id);
	struct group_join_req r = {
		.member_id = member_id ? member_id : "",
		.instance_id = gc_cstr(&req->arena, in->group_instance_id),
		.client_id = client_id ? client_id : "",
		.client_host = request_client_host(req),
		.session_timeout_ms = in->session_timeout_ms,
		.rebalance_timeout_ms = req->hdr.api_version >= 1 ? in->rebalance_timeout_ms
								  : in->session_timeout_ms,
		.protocol_type = gc_cstr(&req->arena, in->protocol_type),
		.require_known_member_id = req->hdr.api_version >= 4,
	};
	if (!r.protocol_type)
		r.protocol_type = "";
	r.protocols = protocols_of(req, &r.nprotocols);
	if (!authz_group(req, ACL_OP_READ, in->group_id)) {
		respond_error(req, KERR_GROUP_AUTHORIZATION_FAILED, in->member_id);
		return;
	}
	if (!gc || !group_id || !r.protocols || !r.protocol_type) {
		respond_error(req, gc ? KERR_INVALID_REQUEST : KERR_COORDINATOR_NOT_AVAILABLE, in->member_id);
		return;
	}
	struct group *g;
	int16_t err = gc_group(gc, group_id, !r.member_id[0], &g);
	if (!err && !g)
		err = KERR_UNKNOWN_MEMBER_ID;
	if (err) {
		respond_error(req, err, in->member_id);
		return;
	}
	group_join(g, &r, gc_now(gc), on_join, req);
	gc_drop_if_unused(gc, g);
}
