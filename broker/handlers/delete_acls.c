/* DeleteAcls (31), v0-2: any broker; the coordination thread removes every
 * stored ACL a filter matches (conditional writes on the znode version) and
 * each deleted ACL is reported under the first filter that matched it, as
 * Kafka's AclAuthorizer does. Needs ALTER on the cluster and an authorizer
 * (SECURITY_DISABLED without one). */
#include <string.h>

#include "broker/auth/authorizer.h"
#include "broker/broker.h"
#include "broker/handlers/handler_str.h"
#include "broker/handlers/handlers.h"
#include "common/proto/kerr.h"
#include "common/proto/messages.h"
#include "coord/acl.h"

/* Filters refused before ZooKeeper is asked keep their error here. */
struct dl_state {
	struct request *req;
	struct acl_filter *filters;
	int16_t *bad;
	const char **why;
	int32_t n;
};

static void dl_done(void *arg, int16_t kerr, const char *msg, const struct acl_binding *b,
		    const int *filter_idx, const int16_t *errs, int n)
{
	struct dl_state *st = arg;
	struct request *req = st->req;
	struct arena *a = &req->arena;
	struct delete_acls_response *out = arena_alloc(a, sizeof *out);
	struct delete_acls_resp_filter_result *fr = arena_alloc(a, ((size_t)st->n + 1) * sizeof *fr);
	struct delete_acls_resp_matching_acl *m = arena_alloc(a, ((size_t)n + 1) * sizeof *m);
	if (!out || !fr || !m) {
		request_close(req, "out of memory");
		return;
	}
	int pos = 0;
	for (int32_t f = 0; f < st->n; f++) {
		fr[f].error_code = st->bad[f] ? st->bad[f] : kerr;
		fr[f].error_message = handler_kstr(a, st->bad[f] ? st->why[f] : kerr ? msg : NULL);
		fr[f].matching_acls.v = &m[pos];
		for (int i = 0; !fr[f].error_code && i < n; i++) {
			if (filter_idx[i] != f)
				continue;
			m[pos++] = (struct delete_acls_resp_matching_acl){
				.error_code = errs[i],
				.error_message = handler_kstr(a, errs[i] ? "ZooKeeper write failed" : NULL),
				.resource_type = b[i].resource_type,
				.resource_name = handler_kstr(a, b[i].resource_name),
				.pattern_type = b[i].pattern_type,
				.principal = handler_kstr(a, b[i].principal),
				.host = handler_kstr(a, b[i].host),
				.operation = b[i].operation,
				.permission_type = b[i].permission,
			};
			fr[f].matching_acls.n++;
		}
	}
	out->filter_results = (struct karray){ st->n, fr };
	request_respond(req, out);
}

void handle_delete_acls(struct request *req)
{
	const struct delete_acls_request *in = req->body;
	struct arena *a = &req->arena;
	int32_t n = in->filters.n > 0 ? in->filters.n : 0;
	struct dl_state *st = arena_alloc(a, sizeof *st);
	struct acl_filter *valid = arena_alloc(a, ((size_t)n + 1) * sizeof *valid);
	if (!st || !valid || !(st->bad = arena_alloc(a, ((size_t)n + 1) * sizeof *st->bad)) ||
	    !(st->why = arena_alloc(a, ((size_t)n + 1) * sizeof *st->why))) {
		request_close(req, "out of memory");
		return;
	}
	st->req = req;
	st->n = n;
	const struct delete_acls_req_filter *in_f = in->filters.v;
	for (int32_t i = 0; i < n; i++) {
		valid[i] = (struct acl_filter){
			.resource_type = in_f[i].resource_type_filter,
			.pattern_type = in_f[i].pattern_type_filter,
			.operation = in_f[i].operation,
			.permission = in_f[i].permission_type,
			.resource_name = handler_cstr(a, in_f[i].resource_name_filter),
			.principal = handler_cstr(a, in_f[i].principal_filter),
			.host = handler_cstr(a, in_f[i].host_filter),
		};
		st->bad[i] = acl_filter_check(&valid[i], &st->why[i]);
		if (st->bad[i]) /* matches nothing, keeps the indexes aligned */
			valid[i].resource_type = ACL_RES_UNKNOWN;
	}
	const char *why;
	int16_t refused = authz_acl_api_check(req, ACL_OP_ALTER, &why);
	if (refused)
		dl_done(st, refused, why, NULL, NULL, NULL, 0);
	else
		coord_delete_acls(req->b->coord, valid, n, dl_done, st);
}
