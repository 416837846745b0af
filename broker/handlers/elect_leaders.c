/* ElectLeaders (43), v0-2: preferred (type 0; the only one in v0) or unclean
 * (type 1) leader election, run by this broker's controller
 * (coord/elect_admin.c; NOT_CONTROLLER per partition elsewhere, as Kafka's
 * ZooKeeper-mode brokers answer). Answers once the controller has written
 * the new states and sent LeaderAndIsr. Needs ALTER on the cluster
 * (CLUSTER_AUTHORIZATION_FAILED, top level from v1 and per partition). */
#include <string.h>

#include "broker/auth/authorizer.h"
#include "broker/broker.h"
#include "broker/handlers/handler_str.h"
#include "broker/handlers/handlers.h"
#include "common/proto/kerr.h"
#include "common/proto/messages.h"
#include "coord/coord.h"

/* Groups (tps, errs) into per-topic results; consecutive equal topics. */
static void el_build(struct request *req, struct elect_leaders_response *out,
		     const struct coord_tp *tps, const int16_t *errs, int n)
{
	struct arena *a = &req->arena;
	struct elr_resp_topic *tv = arena_alloc(a, ((size_t)n + 1) * sizeof *tv);
	struct elr_resp_partition *pv = arena_alloc(a, ((size_t)n + 1) * sizeof *pv);
	int32_t nt = 0;
	for (int k = 0; tv && pv && k < n; k++) {
		if (k == 0 || strcmp(tps[k].topic, tps[k - 1].topic) != 0) {
			tv[nt].topic = handler_kstr(a, tps[k].topic);
			tv[nt].partition_result = (struct karray){ 0, &pv[k] };
			nt++;
		}
		pv[k] = (struct elr_resp_partition){ tps[k].partition, errs[k], { NULL, -1 } };
		tv[nt - 1].partition_result.n++;
	}
	out->replica_election_results = (struct karray){ tv && pv ? nt : 0, tv };
	if (!tv || !pv)
		out->error_code = KERR_UNKNOWN_SERVER_ERROR;
}

struct el_ctx {
	struct request *req;
	struct elect_leaders_response *out;
};

static void on_elected(void *arg, const struct coord_tp *tps, const int16_t *errs, int n)
{
	struct el_ctx *c = arg;
	if (n < 0)
		c->out->error_code = KERR_UNKNOWN_SERVER_ERROR;
	else
		el_build(c->req, c->out, tps, errs, n);
	request_respond(c->req, c->out);
}

/* The request's partitions as coord_tp (topics in the arena). */
static struct coord_tp *el_request_tps(struct request *req, int *n_out)
{
	const struct elect_leaders_request *in = req->body;
	int n = 0;
	for (int32_t i = 0; i < in->topic_partitions.n; i++)
		n += ((const struct elr_req_topic *)in->topic_partitions.v)[i].partitions.n;
	struct coord_tp *v = arena_alloc(&req->arena, ((size_t)n + 1) * sizeof *v);
	int m = 0;
	for (int32_t i = 0; v && i < in->topic_partitions.n; i++) {
		const struct elr_req_topic *t = &((const struct elr_req_topic *)in->topic_partitions.v)[i];
		const char *name = handler_cstr(&req->arena, t->topic);
		if (!name)
			return NULL;
		for (int32_t j = 0; j < t->partitions.n; j++)
			v[m++] = (struct coord_tp){ name, ((const int32_t *)t->partitions.v)[j] };
	}
	*n_out = m;
	return v;
}

void handle_elect_leaders(struct request *req)
{
	const struct elect_leaders_request *in = req->body;
	struct elect_leaders_response *out = arena_alloc(&req->arena, sizeof *out);
	struct el_ctx *c = out ? arena_alloc(&req->arena, sizeof *c) : NULL;
	int n = 0;
	struct coord_tp *tps = c ? el_request_tps(req, &n) : NULL;
	if (!tps) {
		request_close(req, "out of memory");
		return;
	}
	int16_t err = 0;
	if (!authz_cluster(req, ACL_OP_ALTER))
		err = KERR_CLUSTER_AUTHORIZATION_FAILED;
	else if (in->election_type != 0 && in->election_type != 1)
		err = KERR_INVALID_REQUEST;
	if (err) {
		int16_t *errs = arena_alloc(&req->arena, ((size_t)n + 1) * sizeof *errs);
		for (int k = 0; errs && k < n; k++)
			errs[k] = err;
		out->error_code = err == KERR_CLUSTER_AUTHORIZATION_FAILED ? err : 0;
		el_build(req, out, tps, errs ? errs : &err, errs ? n : 0);
		request_respond(req, out);
		return;
	}
	*c = (struct el_ctx){ req, out };
	coord_elect_leaders(req->b->coord, in->election_type,
			    in->topic_partitions.n < 0 ? NULL : tps, n, on_elected, c);
}
