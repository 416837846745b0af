/* SyncGroup (14), v0-4: the leader's assignment is stored in
 * __consumer_offsets before any member hears its share. Needs READ on the
 * group (GROUP_AUTHORIZATION_FAILED). */
#include <string.h>

#include "broker/auth/authorizer.h"
#include "broker/broker.h"
#include "broker/group/coordinator.h"
#include "broker/handlers/handlers.h"
#include "common/proto/kerr.h"
#include "common/proto/messages.h"

static void on_sync(void *arg, const struct group_sync_result *r)
{
	struct request *req = arg;
	struct sync_group_response *out = arena_alloc(&req->arena, sizeof *out);
	int32_t len = r->assignment_len > 0 ? r->assignment_len : 0;
	uint8_t *a = arena_alloc(&req->arena, (size_t)len + 1);
	if (!out || !a) {
		request_close(req, "out of memory");
		return;
	}
	if (len)
		memcpy(a, r->assignment, (size_t)len);
	out->error_code = r->error;
	out->protocol_type = gc_kstr(r->protocol_type ? gc_cstr(&req->arena, gc_kstr(r->protocol_type)) : NULL);
	out->protocol_name = gc_kstr(r->protocol_name ? gc_cstr(&req->arena, gc_kstr(r->protocol_name)) : NULL);
	out->assignment = (struct kbytes){ a, len };
	request_respond(req, out);
}

static struct group_assignment *assignments_of(struct request *req, int *n)
{
	const struct sync_group_request *in = req->body;
	*n = in->assignments.n > 0 ? in->assignments.n : 0;
	struct group_assignment *a = arena_alloc(&req->arena, ((size_t)*n + 1) * sizeof *a);
	const struct sync_group_req_assignment *av = in->assignments.v;
	for (int i = 0; a && i < *n; i++) {
		a[i].member_id = gc_cstr(&req->arena, av[i].member_id);
		if (!a[i].member_id)
			a[i].member_id = "";
		a[i].data = av[i].assignment.p;
		a[i].len = av[i].assignment.len > 0 ? av[i].assignment.len : 0;
	}
	return a;
}

void handle_sync_group(struct request *req)
{
	const struct sync_group_request *in = req->body;
	struct group_coordinator *gc = gc_get(req->b);
	char *group_id = gc_cstr(&req->arena, in->group_id);
	struct group_sync_req r = {
		.member_id = gc_cstr(&req->arena, in->member_id),
		.instance_id = gc_cstr(&req->arena, in->group_instance_id),
		.generation = in->generation_id,
		.protocol_type = req->hdr.api_version >= 5 ? gc_cstr(&req->arena, in->protocol_type) : NULL,
		.protocol_name = req->hdr.api_version >= 5 ? gc_cstr(&req->arena, in->protocol_name) : NULL,
	};
	r.assignments = assignments_of(req, &r.nassignments);
	if (!r.member_id)
		r.member_id = "";
	struct group_sync_result res = { 0 };
	struct group *g = NULL;
	if (!authz_group(req, ACL_OP_READ, in->group_id))
		res.error = KERR_GROUP_AUTHORIZATION_FAILED;
	else if (!gc)
		res.error = KERR_COORDINATOR_NOT_AVAILABLE;
	else if (!group_id || !r.assignments)
		res.error = KERR_INVALID_REQUEST;
	else if (!(res.error = gc_group(gc, group_id, 0, &g)) && !g)
		res.error = KERR_UNKNOWN_MEMBER_ID;
	if (res.error) {
		on_sync(req, &res);
		return;
	}
	group_sync(g, &r, gc_now(gc), on_sync, req);
}
