/* AlterClientQuotas (49), v0-1: sets or removes quota keys of user,
 * client-id and user+client-id entities (a null name is the default), each
 * entity written to its ZooKeeper node with a change notification that
 * every broker follows (coord/quota_configs.c). Validation as Kafka's
 * ZkAdminManager: INVALID_REQUEST for an empty entity, an unknown entity
 * type, an empty name, an unknown key, or a fraction for a LONG key (the
 * byte rates); a SCRAM key on a user entity is Kafka's
 * UNKNOWN_SERVER_ERROR. Removing a key needs no validation. IP entities
 * (connection_creation_rate) are refused: Gregor does not keep them.
 * Entries are applied in order; validate_only checks without writing.
 * Needs ALTER_CONFIGS on the cluster (else CLUSTER_AUTHORIZATION_FAILED on
 * every entry). */
#include <stdio.h>
#include <string.h>

#include "broker/auth/authorizer.h"
#include "broker/broker.h"
#include "broker/handlers/admin_op.h"
#include "broker/handlers/handler_str.h"
#include "broker/handlers/handlers.h"
#include "broker/quota/quota_entity.h"
#include "common/auth/entity_name.h"
#include "common/proto/kerr.h"
#include "common/proto/messages.h"

#define NAME_MAX_SAN 800

typedef struct alter_client_quotas_req_entry req_entry_t;
typedef struct alter_client_quotas_req_op req_op_t;
typedef struct alter_client_quotas_resp_entry resp_entry_t;

static int kstr_is(struct kstr s, const char *c)
{
	return s.len >= 0 && (size_t)s.len == strlen(c) && memcmp(s.p, c, (size_t)s.len) == 0;
}

/* The znode name of an entity part: "<default>" for null, else sanitized. */
static int16_t part_name(struct arena *a, struct kstr name, char **out, char *msg, size_t cap)
{
	if (name.len < 0) {
		*out = "<default>";
		return 0;
	}
	char *raw = handler_cstr(a, name), *san = arena_alloc(a, NAME_MAX_SAN);
	if (!raw || !san)
		return KERR_UNKNOWN_SERVER_ERROR;
	if (strlen(raw) != (size_t)name.len || entity_sanitize(raw, san, NAME_MAX_SAN) < 0) {
		snprintf(msg, cap, "Invalid entity name");
		return KERR_INVALID_REQUEST;
	}
	*out = san;
	return 0;
}

/* Kafka's parseAndSanitizeQuotaEntity and its combinations. */
static int16_t entity_parse(struct arena *a, const req_entry_t *e, char **user, char **client,
			    char *msg, size_t cap)
{
	const struct client_quota_entity *en = e->entity.v;
	int ip = 0;
	*user = *client = NULL;
	if (e->entity.n <= 0) {
		snprintf(msg, cap, "Invalid empty client quota entity");
		return KERR_INVALID_REQUEST;
	}
	for (int i = 0; i < e->entity.n; i++) {
		char **slot = kstr_is(en[i].entity_type, "user") ? user
			      : kstr_is(en[i].entity_type, "client-id") ? client : NULL;
		if (!slot && !kstr_is(en[i].entity_type, "ip")) {
			snprintf(msg, cap, "Unhandled client quota entity type: %.*s",
				 en[i].entity_type.len > 200 ? 200 : (int)en[i].entity_type.len,
				 en[i].entity_type.len > 0 ? en[i].entity_type.p : "");
			return KERR_INVALID_REQUEST;
		}
		if (en[i].entity_name.len == 0) {
			snprintf(msg, cap, "Empty %.*s not supported", (int)en[i].entity_type.len,
				 en[i].entity_type.p);
			return KERR_INVALID_REQUEST;
		}
		if (!slot) {
			ip = 1;
			continue;
		}
		int16_t err = part_name(a, en[i].entity_name, slot, msg, cap);
		if (err)
			return err;
	}
	if (ip && (*user || *client)) {
		snprintf(msg, cap, "Invalid quota entity combination, IP entity should not be used "
			 "with user/client ID entity.");
		return KERR_INVALID_REQUEST;
	}
	if (ip) {
		snprintf(msg, cap, "IP quotas (connection_creation_rate) are not supported by Gregor");
		return KERR_INVALID_REQUEST;
	}
	return 0;
}

/* The ops as coord writes them; 0 or an error with msg. */
static int16_t ops_parse(struct arena *a, const req_entry_t *e, int is_user,
			 struct coord_quota_op *ops, char *msg, size_t cap)
{
	const req_op_t *o = e->ops.v;
	for (int i = 0; i < e->ops.n; i++) {
		char *key = handler_cstr(a, o[i].key);
		if (!key)
			return KERR_UNKNOWN_SERVER_ERROR;
		ops[i] = (struct coord_quota_op){ key, NULL };
		if (o[i].remove)
			continue;
		const struct config_def *k = quota_key_def_find(key);
		if (!k && is_user && (strcmp(key, "SCRAM-SHA-256") == 0 ||
				      strcmp(key, "SCRAM-SHA-512") == 0)) {
			snprintf(msg, cap, "Unexpected config type STRING");
			return KERR_UNKNOWN_SERVER_ERROR;
		}
		if (!k) {
			snprintf(msg, cap, "Invalid configuration key %.200s", key);
			return KERR_INVALID_REQUEST;
		}
		char *text = arena_alloc(a, 64);
		if (!text)
			return KERR_UNKNOWN_SERVER_ERROR;
		if (quota_value_text(k, o[i].value, text, 64, msg, cap) < 0)
			return KERR_INVALID_REQUEST;
		ops[i].value = text;
	}
	return 0;
}

static void alter_entry(struct admin_op *op, const req_entry_t *e, resp_entry_t *r,
			int validate_only)
{
	struct request *req = op->req;
	struct arena *a = &req->arena;
	char msg[320], *user, *client;
	int nops = e->ops.n > 0 ? e->ops.n : 0;
	struct coord_quota_op *ops = arena_alloc(a, ((size_t)nops + 1) * sizeof *ops);
	int16_t err = ops ? entity_parse(a, e, &user, &client, msg, sizeof msg)
			  : KERR_UNKNOWN_SERVER_ERROR;
	if (!err)
		err = ops_parse(a, e, user != NULL, ops, msg, sizeof msg);
	if (err) {
		r->error_code = err;
		r->error_message = err == KERR_UNKNOWN_SERVER_ERROR && !ops
					   ? (struct kstr){ NULL, -1 } : handler_kstr(a, msg);
		return;
	}
	struct admin_write *w = admin_write_new(op, &r->error_code, &r->error_message);
	if (!w) {
		r->error_code = KERR_UNKNOWN_SERVER_ERROR;
		return;
	}
	coord_alter_client_quota(req->b->coord, user, client, ops, nops, validate_only,
				 admin_write_done, w);
}

void handle_alter_client_quotas(struct request *req)
{
	const struct alter_client_quotas_request *in = req->body;
	int n = in->entries.n > 0 ? in->entries.n : 0;
	const req_entry_t *es = in->entries.v;
	struct alter_client_quotas_response *out = arena_alloc(&req->arena, sizeof *out);
	resp_entry_t *rs = arena_alloc(&req->arena, ((size_t)n + 1) * sizeof *rs);
	struct admin_op *op = NULL;
	if (!out || !rs || !(op = admin_op_new(req, out, 0, NULL))) {
		request_close(req, "out of memory");
		return;
	}
	int allowed = authz_cluster(req, ACL_OP_ALTER_CONFIGS);
	for (int i = 0; i < n; i++) {
		rs[i].entity = es[i].entity;
		rs[i].error_message = (struct kstr){ NULL, -1 };
		if (!allowed) {
			rs[i].error_code = KERR_CLUSTER_AUTHORIZATION_FAILED;
			rs[i].error_message = (struct kstr){ "Cluster authorization failed.", 29 };
			continue;
		}
		alter_entry(op, &es[i], &rs[i], in->validate_only);
	}
	out->entries = (struct karray){ n, rs };
	admin_op_release(op);
}
