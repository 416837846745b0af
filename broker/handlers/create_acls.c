/* CreateAcls (30), v0-2: any broker; the coordination thread writes the ACLs
 * to ZooKeeper (Kafka's /kafka-acl layout, coord/acl.c) and the answer gives
 * one result per creation. Needs ALTER on the cluster and an authorizer
 * (SECURITY_DISABLED without one, as Kafka). */
#include <string.h>

#include "broker/auth/authorizer.h"
#include "broker/broker.h"
#include "broker/handlers/handler_str.h"
#include "broker/handlers/handlers.h"
#include "common/proto/kerr.h"
#include "common/proto/messages.h"
#include "coord/acl.h"

static void ca_done(void *arg, const int16_t *errs, const char *const *msgs, int n)
{
	struct request *req = arg;
	const struct create_acls_request *in = req->body;
	struct create_acls_response *out = arena_alloc(&req->arena, sizeof *out);
	int32_t want = in->creations.n > 0 ? in->creations.n : 0;
	struct create_acls_resp_result *r = arena_alloc(&req->arena, ((size_t)want + 1) * sizeof *r);
	if (!out || !r) {
		request_close(req, "out of memory");
		return;
	}
	for (int32_t i = 0; i < want; i++) {
		r[i].error_code = i < n && errs ? errs[i] : KERR_UNKNOWN_SERVER_ERROR;
		r[i].error_message = r[i].error_code && i < n && msgs
					     ? handler_kstr(&req->arena, msgs[i])
					     : (struct kstr){ NULL, -1 };
	}
	out->results = (struct karray){ want, r };
	request_respond(req, out);
}

void handle_create_acls(struct request *req)
{
	const struct create_acls_request *in = req->body;
	int32_t n = in->creations.n > 0 ? in->creations.n : 0;
	const char *why;
	int16_t refused = authz_acl_api_check(req, ACL_OP_ALTER, &why);
	if (refused) {
		int16_t *errs = arena_alloc(&req->arena, ((size_t)n + 1) * sizeof *errs);
		const char **msgs = arena_alloc(&req->arena, ((size_t)n + 1) * sizeof *msgs);
		for (int32_t i = 0; errs && msgs && i < n; i++) {
			errs[i] = refused;
			msgs[i] = why;
		}
		ca_done(req, errs, msgs, errs && msgs ? n : 0);
		return;
	}
	struct acl_binding *b = arena_alloc(&req->arena, ((size_t)n + 1) * sizeof *b);
	if (!b) {
		request_close(req, "out of memory");
		return;
	}
	const struct create_acls_req_creation *c = in->creations.v;
	for (int32_t i = 0; i < n; i++) {
		b[i] = (struct acl_binding){
			.resource_type = c[i].resource_type,
			.pattern_type = c[i].resource_pattern_type,
			.operation = c[i].operation,
			.permission = c[i].permission_type,
			.resource_name = handler_cstr(&req->arena, c[i].resource_name),
			.principal = handler_cstr(&req->arena, c[i].principal),
			.host = handler_cstr(&req->arena, c[i].host),
		};
		/* an embedded NUL would make the stored name differ from the asked */
		if (b[i].resource_name && strlen(b[i].resource_name) != (size_t)c[i].resource_name.len)
			b[i].resource_name = "";
	}
	coord_create_acls(req->b->coord, b, n, ca_done, req);
}
