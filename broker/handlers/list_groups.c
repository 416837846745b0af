/* ListGroups (16), v0-5: the groups this broker coordinates; v4 filters by
 * state, v5 by type (both case-insensitive, as Kafka). Every group here is a
 * "classic" one (Kafka's name for JoinGroup/SyncGroup groups). With DESCRIBE
 * on the cluster every group is listed, else only those the principal may
 * DESCRIBE (as Kafka). */
#include <string.h>
#include <strings.h>

#include "broker/auth/authorizer.h"
#include "broker/broker.h"
#include "broker/group/coordinator.h"
#include "broker/handlers/handlers.h"
#include "common/proto/kerr.h"
#include "common/proto/messages.h"

struct list_ctx {
	struct request *req;
	struct list_groups_resp_group *gv;
	int32_t n, cap;
};

static int kstr_is(struct kstr f, const char *s)
{
	return f.len >= 0 && (size_t)f.len == strlen(s) && !strncasecmp(f.p, s, (size_t)f.len);
}

/* v5: an empty filter takes every type; otherwise "classic" must be in it */
static int type_wanted(struct request *req)
{
	const struct list_groups_request *in = req->body;
	if (req->hdr.api_version < 5 || in->types_filter.n <= 0)
		return 1;
	for (int32_t i = 0; i < in->types_filter.n; i++)
		if (kstr_is(((const struct kstr *)in->types_filter.v)[i], "classic"))
			return 1;
	return 0;
}

static int state_wanted(struct request *req, const char *state)
{
	const struct list_groups_request *in = req->body;
	if (req->hdr.api_version < 4 || in->states_filter.n <= 0)
		return 1;
	for (int32_t i = 0; i < in->states_filter.n; i++) {
		struct kstr f = ((const struct kstr *)in->states_filter.v)[i];
		if (kstr_is(f, state))
			return 1;
	}
	return 0;
}

static void add_group(void *arg, const struct group *g)
{
	struct list_ctx *c = arg;
	const char *state = group_state_name(g->state);
	if (g->state == GROUP_DEAD || !state_wanted(c->req, state))
		return;
	if (!authz_cluster(c->req, ACL_OP_DESCRIBE) &&
	    !authz_group(c->req, ACL_OP_DESCRIBE, gc_kstr(g->id)))
		return;
	if (c->n == c->cap) {
		int32_t cap = c->cap ? c->cap * 2 : 16;
		struct list_groups_resp_group *v = arena_alloc(&c->req->arena, (size_t)cap * sizeof *v);
		if (!v)
			return;
		if (c->n)
			memcpy(v, c->gv, (size_t)c->n * sizeof *v);
		c->gv = v;
		c->cap = cap;
	}
	c->gv[c->n++] = (struct list_groups_resp_group){
		gc_kstr(g->id), gc_kstr(g->protocol_type ? g->protocol_type : ""), gc_kstr(state), gc_kstr("classic") };
}

void handle_list_groups(struct request *req)
{
	struct list_groups_response *out = arena_alloc(&req->arena, sizeof *out);
	if (!out) {
		request_close(req, "out of memory");
		return;
	}
	struct group_coordinator *gc = gc_get(req->b);
	struct list_ctx c = { req, NULL, 0, 0 };
	out->error_code = !gc ? KERR_COORDINATOR_NOT_AVAILABLE
			      : type_wanted(req) ? gc_for_each_group(gc, add_group, &c) : 0;
	out->groups = (struct karray){ c.n, c.gv };
	request_respond(req, out);
}
