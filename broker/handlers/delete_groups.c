/* DeleteGroups (42), v0-2: each empty group is marked Dead, tombstoned in
 * __consumer_offsets with its offsets, and forgotten; the answer waits for
 * every write. NON_EMPTY_GROUP while members remain. Needs DELETE on each
 * group (GROUP_AUTHORIZATION_FAILED). */
#include "broker/auth/authorizer.h"
#include "broker/broker.h"
#include "broker/group/coordinator.h"
#include "broker/handlers/handlers.h"
#include "common/proto/kerr.h"
#include "common/proto/messages.h"

struct delete_ctx {
	struct request *req;
	struct delete_groups_response *out;
	int pending; /* writes in flight + 1 while issuing */
};

struct delete_one {
	struct delete_ctx *c;
	int16_t *error_code;
};

static void release(struct delete_ctx *c)
{
	if (--c->pending == 0)
		request_respond(c->req, c->out);
}

static void on_deleted(void *arg, int16_t err)
{
	struct delete_one *d = arg;
	*d->error_code = err;
	release(d->c);
}

void handle_delete_groups(struct request *req)
{
	const struct delete_groups_request *in = req->body;
	struct delete_groups_response *out = arena_alloc(&req->arena, sizeof *out);
	struct delete_ctx *c = arena_alloc(&req->arena, sizeof *c);
	int32_t n = in->groups_names.n > 0 ? in->groups_names.n : 0;
	struct delete_groups_resp_result *rv = c && out ? arena_alloc(&req->arena, ((size_t)n + 1) * sizeof *rv) : NULL;
	struct delete_one *dv = rv ? arena_alloc(&req->arena, ((size_t)n + 1) * sizeof *dv) : NULL;
	if (!dv) {
		request_close(req, "out of memory");
		return;
	}
	*c = (struct delete_ctx){ req, out, 1 };
	out->results = (struct karray){ n, rv };
	struct group_coordinator *gc = gc_get(req->b);
	for (int32_t i = 0; i < n; i++) {
		struct kstr id = ((const struct kstr *)in->groups_names.v)[i];
		char *gid = gc_cstr(&req->arena, id);
		rv[i].group_id = id;
		if (!authz_group(req, ACL_OP_DELETE, id)) {
			rv[i].error_code = KERR_GROUP_AUTHORIZATION_FAILED;
			continue;
		}
		if (!gc || !gid) {
			rv[i].error_code = gc ? KERR_INVALID_GROUP_ID : KERR_COORDINATOR_NOT_AVAILABLE;
			continue;
		}
		dv[i] = (struct delete_one){ c, &rv[i].error_code };
		c->pending++;
		gc_delete_group(gc, gid, on_deleted, &dv[i]);
	}
	release(c);
}
