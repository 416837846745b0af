/* Heartbeat (12), v0-4: keeps a member's session alive and tells it when a
 * rebalance is under way. Needs READ on the group. */
#include "broker/auth/authorizer.h"
#include "broker/broker.h"
#include "broker/group/coordinator.h"
#include "broker/handlers/handlers.h"
#include "common/proto/kerr.h"
#include "common/proto/messages.h"

static int16_t heartbeat(struct request *req)
{
	const struct heartbeat_request *in = req->body;
	if (!authz_group(req, ACL_OP_READ, in->group_id))
		return KERR_GROUP_AUTHORIZATION_FAILED;
	struct group_coordinator *gc = gc_get(req->b);
	if (!gc)
		return KERR_COORDINATOR_NOT_AVAILABLE;
	char *group_id = gc_cstr(&req->arena, in->group_id);
	char *member_id = gc_cstr(&req->arena, in->member_id);
	if (!group_id)
		return KERR_INVALID_GROUP_ID;
	struct group *g;
	int16_t err = gc_group(gc, group_id, 0, &g);
	if (err || !g)
		return err ? err : KERR_UNKNOWN_MEMBER_ID;
	return group_heartbeat(g, member_id ? member_id : "", gc_cstr(&req->arena, in->group_instance_id),
			       in->generation_id, gc_now(gc));
}

void handle_heartbeat(struct request *req)
{
	struct heartbeat_response *out = arena_alloc(&req->arena, sizeof *out);
	if (!out) {
		request_close(req, "out of memory");
		return;
	}
	out->error_code = heartbeat(req);
	request_respond(req, out);
}
