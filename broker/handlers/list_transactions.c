/* ListTransactions (66), v0-1: transactional ids this broker coordinates,
 * filtered by state names and producer ids (empty filter = all) and, v1, by
 * how long they have run. Unknown state names are reported back, as Kafka
 * does. Lists only the ids the principal may DESCRIBE. */
#include <string.h>

#include "broker/auth/authorizer.h"
#include "broker/broker.h"
#include "broker/group/coordinator.h"
#include "broker/handlers/handlers.h"
#include "broker/txn/txn_coordinator.h"
#include "broker/txn/txn_state.h"
#include "common/clock.h"
#include "common/proto/kerr.h"
#include "common/proto/messages.h"

#define LT_MAX 100000 /* bounded answer */

struct lt_ctx {
	struct request *req;
	unsigned state_mask; /* 0: all */
	struct list_transactions_resp_state *v;
	int32_t n, cap;
	int oom;
};

static int pid_wanted(const struct list_transactions_request *in, int64_t pid)
{
	if (in->producer_id_filters.n <= 0)
		return 1;
	const int64_t *f = in->producer_id_filters.v;
	for (int32_t i = 0; i < in->producer_id_filters.n; i++)
		if (f[i] == pid)
			return 1;
	return 0;
}

static void lt_add(void *arg, const struct tc_view *v)
{
	struct lt_ctx *c = arg;
	const struct list_transactions_request *in = c->req->body;
	if ((c->state_mask && !(c->state_mask & (1u << v->status))) ||
	    !pid_wanted(in, v->producer_id) || c->oom || c->n >= LT_MAX)
		return;
	/* v1: only those running longer than the filter (Kafka's arithmetic:
	 * a transaction never started, start -1, counts as very long) */
	if (in->duration_filter >= 0 && clock_wall_ms() - v->start_ts <= in->duration_filter)
		return;
	if (!authz_txn_id(c->req, ACL_OP_DESCRIBE, gc_kstr(v->id)))
		return;
	if (c->n == c->cap) {
		int32_t cap = c->cap ? c->cap * 2 : 16;
		struct list_transactions_resp_state *nv = arena_alloc(&c->req->arena, (size_t)cap * sizeof *nv);
		if (!nv) {
			c->oom = 1;
			return;
		}
		if (c->n)
			memcpy(nv, c->v, (size_t)c->n * sizeof *nv);
		c->v = nv;
		c->cap = cap;
	}
	char *id = arena_alloc(&c->req->arena, strlen(v->id) + 1);
	if (!id) {
		c->oom = 1;
		return;
	}
	strcpy(id, v->id);
	c->v[c->n++] = (struct list_transactions_resp_state){
		gc_kstr(id), v->producer_id, gc_kstr(txn_status_name(v->status)) };
}

void handle_list_transactions(struct request *req)
{
	const struct list_transactions_request *in = req->body;
	struct list_transactions_response *out = arena_alloc(&req->arena, sizeof *out);
	int32_t nf = in->state_filters.n > 0 ? in->state_filters.n : 0;
	struct kstr *unknown = arena_alloc(&req->arena, ((size_t)nf + 1) * sizeof *unknown);
	struct lt_ctx c = { req, 0, NULL, 0, 0, 0 };
	if (!out || !unknown) {
		request_close(req, "out of memory");
		return;
	}
	int32_t nu = 0;
	const struct kstr *f = in->state_filters.v;
	for (int32_t i = 0; i < nf; i++) {
		int s = txn_status_from_name(f[i].p, f[i].len);
		if (s < 0)
			unknown[nu++] = f[i];
		else
			c.state_mask |= 1u << s;
	}
	out->throttle_time_ms = 0;
	out->unknown_state_filters = (struct karray){ nu, unknown };
	struct txn_coordinator *tc = tc_get(req->b);
	out->error_code = tc ? 0 : KERR_COORDINATOR_NOT_AVAILABLE;
	/* only unknown names: nothing can match */
	if (tc && !(nf > 0 && !c.state_mask))
		out->error_code = tc_for_each(tc, lt_add, &c);
	if (c.oom) {
		request_close(req, "out of memory");
		return;
	}
	out->transaction_states = (struct karray){ c.n, c.v };
	request_respond(req, out);
}
