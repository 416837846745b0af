/* DescribeAcls (29), v0-2: any broker answers from ZooKeeper, read on the
 * coordination thread for each request (coord/acl.c), so every broker sees
 * ACLs written through any other. Results are grouped by resource pattern as
 * Kafka's DescribeAclsResponse does. Needs DESCRIBE on the cluster and an authorizer. */
#include <string.h>

#include "broker/auth/authorizer.h"
#include "broker/broker.h"
#include "broker/handlers/handler_str.h"
#include "broker/handlers/handlers.h"
#include "common/proto/kerr.h"
#include "common/proto/messages.h"
#include "coord/acl.h"

static int same_pattern(const struct acl_binding *x, const struct acl_binding *y)
{
	return x->resource_type == y->resource_type && x->pattern_type == y->pattern_type &&
	       strcmp(x->resource_name, y->resource_name) == 0;
}

/* Groups b[0..n) by resource pattern into out->resources (arena copies). */
static int da_group(struct arena *a, const struct acl_binding *b, int n,
		    struct describe_acls_response *out)
{
	struct describe_acls_resp_resource *res = arena_alloc(a, ((size_t)n + 1) * sizeof *res);
	struct describe_acls_resp_acl *acls = arena_alloc(a, ((size_t)n + 1) * sizeof *acls);
	char *done = arena_alloc(a, (size_t)n + 1);
	if (!res || !acls || !done)
		return -1;
	int nr = 0, pos = 0;
	for (int i = 0; i < n; i++) {
		if (done[i])
			continue;
		struct describe_acls_resp_resource *r = &res[nr++];
		r->type = b[i].resource_type;
		r->pattern_type = b[i].pattern_type;
		r->name = handler_kstr(a, b[i].resource_name);
		r->acls.v = &acls[pos];
		for (int k = i; k < n; k++) {
			if (done[k] || !same_pattern(&b[i], &b[k]))
				continue;
			done[k] = 1;
			acls[pos++] = (struct describe_acls_resp_acl){
				handler_kstr(a, b[k].principal), handler_kstr(a, b[k].host),
				b[k].operation, b[k].permission };
			r->acls.n++;
		}
	}
	out->resources = (struct karray){ nr, res };
	return 0;
}

static void da_done(void *arg, int16_t kerr, const char *msg,
		    const struct acl_binding *b, int n)
{
	struct request *req = arg;
	struct describe_acls_response *out = arena_alloc(&req->arena, sizeof *out);
	if (!out) {
		request_close(req, "out of memory");
		return;
	}
	out->error_code = kerr;
	out->error_message = kerr && msg ? handler_kstr(&req->arena, msg) : (struct kstr){ NULL, -1 };
	if (!kerr && da_group(&req->arena, b, n, out) < 0) {
		request_close(req, "out of memory");
		return;
	}
	request_respond(req, out);
}

void handle_describe_acls(struct request *req)
{
	const struct describe_acls_request *in = req->body;
	struct acl_filter f = {
		.resource_type = in->resource_type_filter,
		.pattern_type = in->pattern_type_filter,
		.operation = in->operation,
		.permission = in->permission_type,
		.resource_name = handler_cstr(&req->arena, in->resource_name_filter),
		.principal = handler_cstr(&req->arena, in->principal_filter),
		.host = handler_cstr(&req->arena, in->host_filter),
	};
	const char *why;
	int16_t kerr = authz_acl_api_check(req, ACL_OP_DESCRIBE, &why);
	if (!kerr)
		kerr = acl_filter_check(&f, &why);
	if (kerr) {
		da_done(req, kerr, why, NULL, 0);
		return;
	}
	coord_describe_acls(req->b->coord, &f, da_done, req);
}
