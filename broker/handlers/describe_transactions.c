/* DescribeTransactions (65), v0: state, producer, timeout and partitions of
 * transactional ids this broker coordinates. Needs DESCRIBE on each
 * transactional id (TRANSACTIONAL_ID_AUTHORIZATION_FAILED); partitions of
 * topics the principal may not DESCRIBE are left out, as Kafka. */
#include <string.h>

#include "broker/auth/authorizer.h"
#include "broker/broker.h"
#include "broker/group/coordinator.h"
#include "broker/handlers/handlers.h"
#include "broker/txn/txn_coordinator.h"
#include "broker/txn/txn_state.h"
#include "common/proto/kerr.h"
#include "common/proto/messages.h"

/* The view's partitions grouped by topic (describable topics only). */
static int dt_topics(struct request *req, const struct tc_view *v, struct karray *out)
{
	struct arena *a = &req->arena;
	struct describe_transactions_resp_topic *t = arena_alloc(a, ((size_t)v->ntps + 1) * sizeof *t);
	int32_t *ids = arena_alloc(a, ((size_t)v->ntps + 1) * sizeof *ids);
	if (!t || !ids)
		return -1;
	int nt = 0, pos = 0;
	for (int i = 0; i < v->ntps; i++) {
		int seen = 0;
		for (int k = 0; k < i && !seen; k++)
			seen = strcmp(v->tps[k].topic, v->tps[i].topic) == 0;
		if (seen || !authz_topic(req, ACL_OP_DESCRIBE, gc_kstr(v->tps[i].topic)))
			continue;
		int start = pos;
		for (int k = i; k < v->ntps; k++)
			if (strcmp(v->tps[k].topic, v->tps[i].topic) == 0)
				ids[pos++] = v->tps[k].partition;
		char *name = arena_alloc(a, strlen(v->tps[i].topic) + 1);
		if (!name)
			return -1;
		strcpy(name, v->tps[i].topic);
		t[nt++] = (struct describe_transactions_resp_topic){ gc_kstr(name), { pos - start, ids + start } };
	}
	*out = (struct karray){ nt, t };
	return 0;
}

void handle_describe_transactions(struct request *req)
{
	const struct describe_transactions_request *in = req->body;
	struct describe_transactions_response *out = arena_alloc(&req->arena, sizeof *out);
	int32_t n = in->transactional_ids.n > 0 ? in->transactional_ids.n : 0;
	struct describe_transactions_resp_state *sv = arena_alloc(&req->arena, ((size_t)n + 1) * sizeof *sv);
	struct txn_coordinator *tc = tc_get(req->b);
	if (!out || !sv) {
		request_close(req, "out of memory");
		return;
	}
	out->throttle_time_ms = 0;
	out->transaction_states = (struct karray){ n, sv };
	const struct kstr *ids = in->transactional_ids.v;
	for (int32_t i = 0; i < n; i++) {
		struct describe_transactions_resp_state *s = &sv[i];
		char *id = gc_cstr(&req->arena, ids[i]);
		struct tc_view v;
		*s = (struct describe_transactions_resp_state){ 0 };
		s->transactional_id = ids[i];
		s->transaction_state = (struct kstr){ "", 0 };
		s->producer_id = -1;
		s->producer_epoch = -1;
		s->transaction_start_time_ms = -1;
		s->error_code = !authz_txn_id(req, ACL_OP_DESCRIBE, ids[i])
				      ? KERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED
			      : !tc ? KERR_COORDINATOR_NOT_AVAILABLE
			      : !id ? KERR_TRANSACTIONAL_ID_NOT_FOUND : tc_describe(tc, id, &v);
		if (s->error_code)
			continue;
		s->transaction_state = gc_kstr(txn_status_name(v.status));
		s->transaction_timeout_ms = v.timeout_ms;
		s->transaction_start_time_ms = v.start_ts;
		s->producer_id = v.producer_id;
		s->producer_epoch = v.epoch;
		if (dt_topics(req, &v, &s->topics) < 0) {
			request_close(req, "out of memory");
			return;
		}
	}
	request_respond(req, out);
}
