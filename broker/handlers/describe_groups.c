/* DescribeGroups (15), v0-5: state, protocol and members of each group;
 * member metadata and assignments only while Stable (as Kafka); an unknown
 * group is described as Dead. Needs DESCRIBE on each group
 * (GROUP_AUTHORIZATION_FAILED for that group). */
#include <string.h>

#include "broker/auth/authorizer.h"
#include "broker/broker.h"
#include "broker/group/coordinator.h"
#include "broker/handlers/dedup.h"
#include "broker/handlers/handlers.h"
#include "common/proto/kerr.h"
#include "common/proto/messages.h"

static struct kbytes bytes_of(const uint8_t *p, int32_t len)
{
	return p && len > 0 ? (struct kbytes){ p, len } : (struct kbytes){ (const uint8_t *)"", 0 };
}

static void describe_members(struct request *req, const struct group *g,
			     struct describe_groups_resp_group *out)
{
	int stable = g->state == GROUP_STABLE;
	struct describe_groups_resp_member *mv =
		arena_alloc(&req->arena, ((size_t)g->nmembers + 1) * sizeof *mv);
	if (!mv)
		return;
	for (int i = 0; i < g->nmembers; i++) {
		const struct group_member *m = g->members[i];
		mv[i].member_id = gc_kstr(m->member_id);
		mv[i].group_instance_id = gc_kstr(m->instance_id);
		mv[i].client_id = gc_kstr(m->client_id);
		mv[i].client_host = gc_kstr(m->client_host);
		mv[i].member_metadata = bytes_of(NULL, 0);
		mv[i].member_assignment = bytes_of(NULL, 0);
		for (int k = 0; stable && k < m->nprotocols; k++)
			if (g->protocol && !strcmp(m->protocols[k].name, g->protocol))
				mv[i].member_metadata = bytes_of(m->protocols[k].meta, m->protocols[k].meta_len);
		if (stable)
			mv[i].member_assignment = bytes_of(m->assignment, m->assignment_len);
	}
	out->members = (struct karray){ g->nmembers, mv };
}

static void describe_one(struct request *req, struct kstr id, struct describe_groups_resp_group *out)
{
	struct group_coordinator *gc = gc_get(req->b);
	char *gid = gc_cstr(&req->arena, id);
	struct group *g = NULL;
	out->group_id = id;
	out->authorized_operations =
		((const struct describe_groups_request *)req->body)->include_authorized_operations
			? authz_operations(req, ACL_RES_GROUP, id.p ? id.p : "",
					   id.len > 0 ? (size_t)id.len : 0)
			: INT32_MIN;
	out->protocol_type = out->protocol_data = (struct kstr){ "", 0 };
	out->group_state = (struct kstr){ "", 0 };
	out->error_code = !authz_group(req, ACL_OP_DESCRIBE, id) ? KERR_GROUP_AUTHORIZATION_FAILED
			: !gc ? KERR_COORDINATOR_NOT_AVAILABLE
			: !gid ? KERR_INVALID_GROUP_ID
			: gc_group(gc, gid, 0, &g);
	if (out->error_code)
		return;
	out->group_state = gc_kstr(group_state_name(g ? g->state : GROUP_DEAD));
	if (!g)
		return;
	out->protocol_type = gc_kstr(g->protocol_type ? g->protocol_type : "");
	out->protocol_data = gc_kstr(g->state == GROUP_STABLE && g->protocol ? g->protocol : "");
	describe_members(req, g, out);
}

void handle_describe_groups(struct request *req)
{
	const struct describe_groups_request *in = req->body;
	struct describe_groups_response *out = arena_alloc(&req->arena, sizeof *out);
	int32_t n = in->groups.n > 0 ? in->groups.n : 0;
	struct describe_groups_resp_group *gv = out ? arena_alloc(&req->arena, ((size_t)n + 1) * sizeof *gv) : NULL;
	if (!gv) {
		request_close(req, "out of memory");
		return;
	}
	/* a group named twice: INVALID_REQUEST for the repeats (members'
	 * metadata and assignments can be large; no repeat may multiply them) */
	struct dedup seen;
	dedup_init(&seen);
	for (int32_t i = 0; i < n; i++) {
		struct kstr id = ((const struct kstr *)in->groups.v)[i];
		if (dedup_seen(&seen, id, 0)) {
			gv[i] = (struct describe_groups_resp_group){
				.error_code = KERR_INVALID_REQUEST, .group_id = id,
				.group_state = { "", 0 }, .protocol_type = { "", 0 },
				.protocol_data = { "", 0 }, .authorized_operations = INT32_MIN,
			};
			continue;
		}
		describe_one(req, id, &gv[i]);
	}
	dedup_free(&seen);
	out->groups = (struct karray){ n, gv };
	request_respond(req, out);
}
