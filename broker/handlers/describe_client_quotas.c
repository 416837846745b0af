/* DescribeClientQuotas (48), v0-1: the quota entities matching a filter,
 * read from ZooKeeper as Kafka's ZkAdminManager reads them (so a quota a
 * zkCli write put there shows at once). Filter components: entity type
 * "user" or "client-id" with match type 0 (that name), 1 (the default) or
 * 2 (any named one); strict leaves out entities with other parts. Errors
 * as Kafka: a repeated or empty entity type INVALID_REQUEST, another type
 * UNSUPPORTED_VERSION ("ip" quotas are not kept by Gregor: an ip filter
 * matches nothing). Needs DESCRIBE_CONFIGS on the cluster. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker/auth/authorizer.h"
#include "broker/broker.h"
#include "broker/handlers/handler_str.h"
#include "broker/handlers/handlers.h"
#include "broker/quota/quota_entity.h"
#include "common/log.h"
#include "common/proto/kerr.h"
#include "common/proto/messages.h"

typedef struct describe_client_quotas_req_component comp_t;
typedef struct describe_client_quotas_resp_entry entry_t;
typedef struct describe_client_quotas_resp_value value_t;

enum { MATCH_EXACT = 0, MATCH_DEFAULT = 1, MATCH_SPECIFIED = 2 };

struct filter {
	const comp_t *user, *client, *ip;
	int strict;
};

static int kstr_is(struct kstr s, const char *c)
{
	return s.len >= 0 && (size_t)s.len == strlen(c) && memcmp(s.p, c, (size_t)s.len) == 0;
}

static void respond_error(struct request *req, int16_t err, const char *msg)
{
	struct describe_client_quotas_response *out = arena_alloc(&req->arena, sizeof *out);
	if (!out) {
		request_close(req, "out of memory");
		return;
	}
	out->error_code = err;
	out->error_message = handler_kstr(&req->arena, msg);
	out->entries = (struct karray){ -1, NULL };
	request_respond(req, out);
}

/* Kafka's checks of the filter; 0, or an error with msg. */
static int16_t filter_parse(const struct describe_client_quotas_request *in, struct filter *f,
			    char *msg, size_t cap)
{
	memset(f, 0, sizeof *f);
	f->strict = in->strict != 0;
	const comp_t *c = in->components.v;
	for (int i = 0; i < in->components.n; i++) {
		const comp_t **slot = NULL;
		const char *what = NULL;
		if (c[i].match_type < MATCH_EXACT || c[i].match_type > MATCH_SPECIFIED ||
		    (c[i].match_type == MATCH_EXACT && c[i].match.len < 0)) {
			snprintf(msg, cap, "Unexpected match type: %d", c[i].match_type);
			return KERR_UNKNOWN_SERVER_ERROR;
		}
		if (kstr_is(c[i].entity_type, "user"))
			slot = &f->user, what = "user";
		else if (kstr_is(c[i].entity_type, "client-id"))
			slot = &f->client, what = "client";
		else if (kstr_is(c[i].entity_type, "ip"))
			slot = &f->ip, what = "ip";
		if (slot && *slot) {
			snprintf(msg, cap, "Duplicate %s filter component entity type", what);
			return KERR_INVALID_REQUEST;
		}
		if (!slot && c[i].entity_type.len <= 0) {
			snprintf(msg, cap, "Unexpected empty filter component entity type");
			return KERR_INVALID_REQUEST;
		}
		if (!slot) {
			snprintf(msg, cap, "Custom entity type '%.*s' not supported",
				 c[i].entity_type.len > 200 ? 200 : (int)c[i].entity_type.len,
				 c[i].entity_type.p);
			return KERR_UNSUPPORTED_VERSION;
		}
		*slot = &c[i];
	}
	if ((f->user || f->client) && f->ip) {
		snprintf(msg, cap, "Invalid entity filter component combination, IP filter component "
			 "should not be used with user or clientId filter component.");
		return KERR_INVALID_REQUEST;
	}
	return 0;
}

/* Kafka's matches(): has is whether the entity has this part, name its
 * wire name (p NULL for the default). */
static int part_matches(const comp_t *c, int strict, int has, struct kstr name)
{
	if (!c)
		return !has || !strict;
	if (c->match_type == MATCH_SPECIFIED)
		return has;
	if (!has)
		return 0;
	if (c->match_type == MATCH_DEFAULT)
		return name.p == NULL;
	return name.p != NULL && name.len == c->match.len &&
	       memcmp(name.p, c->match.p, (size_t)name.len) == 0;
}

/* The entity's wire form: user first, then client-id. 0 or -1. */
static int entry_fill(struct arena *a, entry_t *e, const struct coord_quota_entity *qe,
		      struct kstr user, struct kstr client)
{
	struct client_quota_entity *ents = arena_alloc(a, 2 * sizeof *ents);
	value_t *vals = arena_alloc(a, ((size_t)qe->n + 1) * sizeof *vals);
	if (!ents || !vals)
		return -1;
	int ne = 0, nv = 0;
	if (qe->user)
		ents[ne++] = (struct client_quota_entity){ { "user", 4 }, user };
	if (qe->client)
		ents[ne++] = (struct client_quota_entity){ { "client-id", 9 }, client };
	for (int i = 0; i < qe->n; i++) {
		char *end;
		double d = strtod(qe->values[i], &end);
		if (end == qe->values[i] || *end) {
			log_warn_rl("quota", "malformed quota value %s=%s: not described",
				    qe->keys[i], qe->values[i]);
			continue;
		}
		vals[nv].key = handler_kstr(a, qe->keys[i]);
		vals[nv++].value = d;
	}
	e->entity = (struct karray){ ne, ents };
	e->values = (struct karray){ nv, vals };
	return 0;
}

struct describe_ctx {
	struct request *req;
	struct filter f;
};

static void describe_done(void *arg, int16_t kerr, const struct coord_quota_entity *v, int n)
{
	struct describe_ctx *d = arg;
	struct request *req = d->req;
	struct arena *a = &req->arena;
	if (kerr) {
		respond_error(req, kerr, "ZooKeeper could not be read");
		return;
	}
	struct describe_client_quotas_response *out = arena_alloc(a, sizeof *out);
	entry_t *es = arena_alloc(a, ((size_t)n + 1) * sizeof *es);
	if (!out || !es) {
		request_close(req, "out of memory");
		return;
	}
	int ne = 0;
	for (int i = 0; i < n && !d->f.ip; i++) {
		int ok_u = 1, ok_c = 1;
		struct kstr user = { NULL, -1 }, client = { NULL, -1 };
		if (v[i].user)
			user = quota_wire_name(a, v[i].user, &ok_u);
		if (v[i].client)
			client = quota_wire_name(a, v[i].client, &ok_c);
		if (v[i].n == 0 || !ok_u || !ok_c ||
		    !part_matches(d->f.user, d->f.strict, v[i].user != NULL, user) ||
		    !part_matches(d->f.client, d->f.strict, v[i].client != NULL, client))
			continue;
		if (entry_fill(a, &es[ne], &v[i], user, client) < 0) {
			request_close(req, "out of memory");
			return;
		}
		ne += es[ne].values.n > 0;
	}
	out->error_message = (struct kstr){ NULL, -1 };
	out->entries = (struct karray){ ne, es };
	request_respond(req, out);
}

void handle_describe_client_quotas(struct request *req)
{
	const struct describe_client_quotas_request *in = req->body;
	char msg[320];
	if (!authz_cluster(req, ACL_OP_DESCRIBE_CONFIGS)) {
		respond_error(req, KERR_CLUSTER_AUTHORIZATION_FAILED, "Cluster authorization failed.");
		return;
	}
	struct describe_ctx *d = arena_alloc(&req->arena, sizeof *d);
	if (!d) {
		request_close(req, "out of memory");
		return;
	}
	d->req = req;
	int16_t err = filter_parse(in, &d->f, msg, sizeof msg);
	if (err) {
		respond_error(req, err, msg);
		return;
	}
	coord_describe_client_quotas(req->b->coord, describe_done, d);
}
