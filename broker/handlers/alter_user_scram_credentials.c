/* AlterUserScramCredentials (51), v0: upserts (the client sends salt and
 * salted password; the broker derives StoredKey and ServerKey) and deletes
 * SCRAM credentials, one result per user. A user's operations are checked
 * as Kafka checks them (empty name, unknown mechanism, iterations outside
 * 4096..16384, the same user and mechanism twice, deleting what does not
 * exist) and, when all pass, written together to /config/users/<user> with
 * a change notification by the coordination thread. Needs ALTER on the
 * cluster: without it every user's result is CLUSTER_AUTHORIZATION_FAILED. */
#include <stdio.h>
#include <string.h>

#include "broker/auth/authorizer.h"
#include "broker/auth/sasl.h"
#include "broker/broker.h"
#include "broker/handlers/admin_op.h"
#include "broker/handlers/handler_str.h"
#include "broker/handlers/handlers.h"
#include "common/auth/entity_name.h"
#include "common/proto/kerr.h"
#include "common/proto/messages.h"

typedef struct alter_user_scram_credentials_req_deletion deletion_t;
typedef struct alter_user_scram_credentials_req_upsertion upsertion_t;
typedef struct alter_user_scram_credentials_resp_result result_t;

/* One operation of the request, flattened: deletions then upsertions. */
struct op {
	struct kstr name;
	int8_t wire_mech;
	const upsertion_t *up; /* NULL: a deletion */
};

static int same_name(struct kstr a, struct kstr b)
{
	return a.len == b.len && (a.len <= 0 || memcmp(a.p, b.p, (size_t)a.len) == 0);
}

/* Kafka's checks of one operation; 0, or an error with msg set. */
static int16_t op_check(struct request *req, const struct op *ops, int n, int i, char *msg,
			size_t cap)
{
	const struct op *o = &ops[i];
	int m = scram_mech_from_wire_id(o->wire_mech);
	if (o->name.len <= 0) {
		snprintf(msg, cap, "Username must not be empty");
		return KERR_UNACCEPTABLE_CREDENTIAL;
	}
	if (m < 0) {
		snprintf(msg, cap, "Unknown SCRAM mechanism");
		return KERR_UNSUPPORTED_SASL_MECHANISM;
	}
	for (int j = 0; j < n; j++)
		if (j != i && ops[j].wire_mech == o->wire_mech && same_name(ops[j].name, o->name)) {
			snprintf(msg, cap, "A user credential cannot be altered twice in the same "
				 "request");
			return KERR_DUPLICATE_RESOURCE;
		}
	if (!o->up) {
		char *name = handler_cstr(&req->arena, o->name);
		if (!name || !sasl_credential_find(req->b, name, (enum scram_mech)m)) {
			snprintf(msg, cap, "Attempt to delete a user credential that does not exist");
			return KERR_RESOURCE_NOT_FOUND;
		}
		return 0;
	}
	if (o->up->iterations < SCRAM_MIN_ITERATIONS || o->up->iterations > SCRAM_MAX_ITERATIONS) {
		snprintf(msg, cap, o->up->iterations < SCRAM_MIN_ITERATIONS ? "Too few iterations"
									  : "Too many iterations");
		return KERR_UNACCEPTABLE_CREDENTIAL;
	}
	if (o->up->salt.len <= 0 || o->up->salt.len > SCRAM_SALT_MAX ||
	    o->up->salted_password.len != (int32_t)scram_key_len((enum scram_mech)m)) {
		snprintf(msg, cap, "Salt or salted password of the wrong length");
		return KERR_UNACCEPTABLE_CREDENTIAL;
	}
	return 0;
}

/* The config operation of one checked op (value in the arena). */
static int op_to_config(struct arena *a, const struct op *o, struct coord_config_op *out)
{
	enum scram_mech m = (enum scram_mech)scram_mech_from_wire_id(o->wire_mech);
	out->name = scram_mech_name(m);
	out->op = o->up ? 0 : 1; /* SET, DELETE */
	out->value = NULL;
	if (!o->up)
		return 0;
	struct scram_cred c;
	char *text = arena_alloc(a, 512);
	if (!text ||
	    scram_cred_from_salted(m, o->up->salted_password.p, o->up->salt.p,
				   (size_t)o->up->salt.len, o->up->iterations, &c) < 0 ||
	    scram_cred_format(m, &c, text, 512) < 0)
		return -1;
	out->value = text;
	return 0;
}

/* Checks and writes the operations of the user of ops[first]. */
static void alter_user(struct admin_op *op, const struct op *ops, int n, int first, result_t *r)
{
	struct request *req = op->req;
	struct coord_config_op *cops = arena_alloc(&req->arena, (size_t)n * sizeof *cops);
	char msg[200], san[800], *name = handler_cstr(&req->arena, ops[first].name);
	int k = 0;
	r->user = ops[first].name;
	r->error_message = (struct kstr){ NULL, -1 };
	for (int i = first; i < n; i++) {
		if (!same_name(ops[i].name, ops[first].name))
			continue;
		int16_t err = op_check(req, ops, n, i, msg, sizeof msg);
		if (!err && (!cops || op_to_config(&req->arena, &ops[i], &cops[k++]) < 0)) {
			err = KERR_UNKNOWN_SERVER_ERROR;
			snprintf(msg, sizeof msg, "out of memory");
		}
		if (err) {
			r->error_code = err;
			r->error_message = handler_kstr(&req->arena, msg);
			return;
		}
	}
	if (!name || entity_sanitize(name, san, sizeof san) < 0) {
		r->error_code = KERR_UNACCEPTABLE_CREDENTIAL;
		r->error_message = handler_kstr(&req->arena, "User name too long");
		return;
	}
	struct coord_entity_alter ea = { .type = "users", .name = san, .ops = cops, .n = k };
	struct admin_write *w = admin_write_new(op, &r->error_code, &r->error_message);
	if (!w) {
		r->error_code = KERR_UNKNOWN_SERVER_ERROR;
		return;
	}
	coord_alter_entity_config(req->b->coord, &ea, admin_write_done, w);
}

void handle_alter_user_scram_credentials(struct request *req)
{
	const struct alter_user_scram_credentials_request *in = req->body;
	int nd = in->deletions.n > 0 ? in->deletions.n : 0;
	int nu = in->upsertions.n > 0 ? in->upsertions.n : 0, n = nd + nu;
	struct alter_user_scram_credentials_response *out = arena_alloc(&req->arena, sizeof *out);
	struct op *ops = arena_alloc(&req->arena, ((size_t)n + 1) * sizeof *ops);
	result_t *rs = arena_alloc(&req->arena, ((size_t)n + 1) * sizeof *rs);
	struct admin_op *op = NULL;
	if (!out || !ops || !rs || !(op = admin_op_new(req, out, 0, NULL))) {
		request_close(req, "out of memory");
		return;
	}
	for (int i = 0; i < nd; i++) {
		const deletion_t *d = &((const deletion_t *)in->deletions.v)[i];
		ops[i] = (struct op){ d->name, d->mechanism, NULL };
	}
	for (int i = 0; i < nu; i++) {
		const upsertion_t *u = &((const upsertion_t *)in->upsertions.v)[i];
		ops[nd + i] = (struct op){ u->name, u->mechanism, u };
	}
	int nr = 0, allowed = authz_cluster(req, ACL_OP_ALTER);
	for (int i = 0; i < n; i++) {
		int seen = 0;
		for (int j = 0; j < i && !seen; j++)
			seen = same_name(ops[j].name, ops[i].name);
		if (seen)
			continue;
		if (allowed) {
			alter_user(op, ops, n, i, &rs[nr++]);
		} else {
			rs[nr].user = ops[i].name;
			rs[nr].error_code = KERR_CLUSTER_AUTHORIZATION_FAILED;
			rs[nr++].error_message = (struct kstr){ NULL, -1 };
		}
	}
	out->results = (struct karray){ nr, rs };
	admin_op_release(op);
}
