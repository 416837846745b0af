/* DescribeUserScramCredentials (50), v0: the mechanisms and iteration counts
 * of users' SCRAM credentials, from the broker's credential cache (fed by
 * /config/users, broker/auth/sasl.h); never a salt or key. Null or empty
 * Users: every user with a credential. A named user without one answers
 * RESOURCE_NOT_FOUND, a user named twice DUPLICATE_RESOURCE, as Kafka.
 * Needs DESCRIBE on the cluster (else CLUSTER_AUTHORIZATION_FAILED). */
#include <stdio.h>
#include <string.h>

#include "broker/auth/authorizer.h"
#include "broker/auth/sasl.h"
#include "broker/handlers/handler_str.h"
#include "broker/handlers/handlers.h"
#include "common/proto/kerr.h"
#include "common/proto/messages.h"

typedef struct describe_user_scram_credentials_resp_result result_t;
typedef struct describe_user_scram_credentials_resp_info info_t;

/* Fills r for one user with credentials c (NULL entries: none). 0 or -1. */
static int fill_infos(struct arena *a, result_t *r, const struct scram_cred *c[SCRAM_NMECH])
{
	info_t *infos = arena_alloc(a, SCRAM_NMECH * sizeof *infos);
	if (!infos)
		return -1;
	int n = 0;
	for (int m = 0; m < SCRAM_NMECH; m++)
		if (c[m]) {
			infos[n].mechanism = scram_mech_wire_id((enum scram_mech)m);
			infos[n++].iterations = c[m]->iterations;
		}
	r->credential_infos = (struct karray){ n, infos };
	r->error_message = (struct kstr){ NULL, -1 };
	return 0;
}

static int describe_all(struct request *req, struct karray *results)
{
	size_t count = 0, pos = 0;
	const char *user;
	const struct scram_cred *c[SCRAM_NMECH];
	while (sasl_credential_next(req->b, &pos, &user, c))
		count++;
	result_t *rs = arena_alloc(&req->arena, (count + 1) * sizeof *rs);
	if (!rs)
		return -1;
	int n = 0;
	pos = 0;
	while ((size_t)n < count && sasl_credential_next(req->b, &pos, &user, c)) {
		rs[n].user = handler_kstr(&req->arena, user);
		if (!rs[n].user.p || fill_infos(&req->arena, &rs[n], c) < 0)
			return -1;
		n++;
	}
	*results = (struct karray){ n, rs };
	return 0;
}

static int named_twice(const struct karray *users, int i)
{
	const struct describe_user_scram_credentials_req_user *u = users->v;
	for (int j = 0; j < users->n; j++)
		if (j != i && u[j].name.len == u[i].name.len &&
		    memcmp(u[j].name.p, u[i].name.p, (size_t)u[i].name.len) == 0)
			return 1;
	return 0;
}

static int describe_named(struct request *req, const struct karray *users,
			  struct karray *results)
{
	const struct describe_user_scram_credentials_req_user *u = users->v;
	result_t *rs = arena_alloc(&req->arena, ((size_t)users->n + 1) * sizeof *rs);
	if (!rs)
		return -1;
	for (int i = 0; i < users->n; i++) {
		char *name = handler_cstr(&req->arena, u[i].name), msg[400];
		const struct scram_cred *c[SCRAM_NMECH];
		int any = 0;
		rs[i].user = u[i].name;
		for (int m = 0; name && m < SCRAM_NMECH; m++)
			any |= (c[m] = sasl_credential_find(req->b, name, (enum scram_mech)m)) != NULL;
		if (named_twice(users, i)) {
			rs[i].error_code = KERR_DUPLICATE_RESOURCE;
			snprintf(msg, sizeof msg, "Cannot describe SCRAM credentials for the same user "
				 "twice in a single request: %s", name ? name : "");
		} else if (!any) {
			rs[i].error_code = KERR_RESOURCE_NOT_FOUND;
			snprintf(msg, sizeof msg, "Attempt to describe a user credential that does "
				 "not exist: %s", name ? name : "");
		} else if (fill_infos(&req->arena, &rs[i], c) < 0) {
			return -1;
		} else {
			continue;
		}
		rs[i].error_message = handler_kstr(&req->arena, msg);
		rs[i].credential_infos = (struct karray){ 0, NULL };
	}
	*results = (struct karray){ users->n, rs };
	return 0;
}

void handle_describe_user_scram_credentials(struct request *req)
{
	const struct describe_user_scram_credentials_request *in = req->body;
	struct describe_user_scram_credentials_response *out =
		arena_alloc(&req->arena, sizeof *out);
	if (!out) {
		request_close(req, "out of memory");
		return;
	}
	out->error_message = (struct kstr){ NULL, -1 };
	if (!authz_cluster(req, ACL_OP_DESCRIBE)) {
		out->error_code = KERR_CLUSTER_AUTHORIZATION_FAILED;
		request_respond(req, out);
		return;
	}
	int rc = in->users.n > 0 ? describe_named(req, &in->users, &out->results)
				 : describe_all(req, &out->results);
	if (rc < 0) {
		request_close(req, "out of memory");
		return;
	}
	request_respond(req, out);
}
