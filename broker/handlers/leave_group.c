/* LeaveGroup (13), v0-4: v0-2 name one member; v3+ a batch of members, each
 * by member id and/or group instance id, with an error per member. Needs
 * READ on the group (GROUP_AUTHORIZATION_FAILED). */
#include "broker/auth/authorizer.h"
#include "broker/broker.h"
#include "broker/group/coordinator.h"
#include "broker/handlers/handlers.h"
#include "common/proto/kerr.h"
#include "common/proto/messages.h"

static int16_t leave_one(struct request *req, struct group *g, struct kstr member_id,
			 struct kstr instance_id)
{
	char *m = gc_cstr(&req->arena, member_id);
	char *inst = gc_cstr(&req->arena, instance_id);
	if (!g)
		return KERR_UNKNOWN_MEMBER_ID;
	return group_leave(g, m ? m : "", inst, gc_now(gc_get(req->b)));
}

static void leave_batch(struct request *req, struct group *g, struct leave_group_response *out)
{
	const struct leave_group_request *in = req->body;
	int32_t n = in->members.n > 0 ? in->members.n : 0;
	struct leave_group_resp_member *mv = arena_alloc(&req->arena, ((size_t)n + 1) * sizeof *mv);
	const struct leave_group_req_member *rv = in->members.v;
	if (!mv) {
		out->error_code = KERR_UNKNOWN_SERVER_ERROR;
		return;
	}
	for (int32_t i = 0; i < n; i++) {
		mv[i].member_id = rv[i].member_id;
		mv[i].group_instance_id = rv[i].group_instance_id;
		mv[i].error_code = leave_one(req, g, rv[i].member_id, rv[i].group_instance_id);
	}
	out->members = (struct karray){ n, mv };
}

void handle_leave_group(struct request *req)
{
	const struct leave_group_request *in = req->body;
	struct leave_group_response *out = arena_alloc(&req->arena, sizeof *out);
	if (!out) {
		request_close(req, "out of memory");
		return;
	}
	struct group_coordinator *gc = gc_get(req->b);
	char *group_id = gc_cstr(&req->arena, in->group_id);
	struct group *g = NULL;
	if (!authz_group(req, ACL_OP_READ, in->group_id))
		out->error_code = KERR_GROUP_AUTHORIZATION_FAILED;
	else if (!gc)
		out->error_code = KERR_COORDINATOR_NOT_AVAILABLE;
	else if (!group_id)
		out->error_code = KERR_INVALID_REQUEST;
	else
		out->error_code = gc_group(gc, group_id, 0, &g);
	if (!out->error_code && req->hdr.api_version >= 3)
		leave_batch(req, g, out);
	else if (!out->error_code)
		out->error_code = leave_one(req, g, in->member_id, (struct kstr){ NULL, -1 });
	request_respond(req, out);
}
