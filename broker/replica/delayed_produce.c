/* Delayed produce: an operation in the broker's purgatory watching the
 * partitions it wrote, re-checked when one of them moves its high watermark
 * or ISR or changes leader, with the request's timeout as its deadline. */
#include "broker/replica/delayed_produce.h"

#include <stdlib.h>

#include "broker/broker.h"
#include "broker/replica/replica_manager.h"
#include "broker/server.h"
#include "broker/topic_config.h"
#include "common/proto/kerr.h"

struct delayed_produce {
	struct purg_op op;
	struct request *req;
	void *resp;
	struct produce_wait *parts;
	int32_t n, left;
};

/* Marks satisfied (or failed) partitions done; returns how many remain. */
static int32_t check_parts(struct delayed_produce *d)
{
	struct broker *b = d->req->b;
	for (int32_t i = 0; i < d->n; i++) {
		struct produce_wait *pw = &d->parts[i];
		if (pw->required < 0)
			continue;
		struct partition *p = rm_get(b->rm, pw->topic.p, pw->topic.len, pw->index);
		if (p && rm_partition_offline(b->rm, p)) {
			*pw->error_code = KERR_KAFKA_STORAGE_ERROR; /* its dir failed */
		} else if (!p || !p->is_leader) {
			*pw->error_code = KERR_NOT_LEADER_OR_FOLLOWER;
		} else if (pw->own_flush) {
			if (partition_ack_end(p) < pw->required)
				continue;
		} else if (p->high_watermark >= pw->required) {
			struct topic_config tc;
			topic_config_effective(b, pw->topic.p, pw->topic.len, &tc);
			if (p->nisr < tc.min_insync_replicas)
				*pw->error_code = KERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND;
		} else {
			continue;
		}
		pw->required = -1;
		d->left--;
	}
	return d->left;
}

static int try_complete(struct purg_op *op)
{
	return check_parts(op->arg) == 0;
}

/* Satisfied, or the timeout: what is still missing timed out. */
static void on_complete(struct purg_op *op, int expired)
{
	struct delayed_produce *d = op->arg;
	if (expired) {
		check_parts(d);
		for (int32_t i = 0; i < d->n; i++)
			if (d->parts[i].required >= 0)
				*d->parts[i].error_code = KERR_REQUEST_TIMED_OUT;
	}
	struct request *req = d->req;
	void *resp = d->resp;
	free(d);
	request_respond(req, resp);
}

void delayed_produce_start(struct request *req, void *resp, struct produce_wait *parts,
			   int32_t n, int32_t timeout_ms)
{
	struct delayed_produce *d = calloc(1, sizeof *d);
	struct purg_key **keys = arena_alloc(&req->arena, ((size_t)n + 1) * sizeof *keys);
	if (!d || !keys) {
		free(d);
		for (int32_t i = 0; i < n; i++)
			*parts[i].error_code = KERR_REQUEST_TIMED_OUT;
		request_respond(req, resp);
		return;
	}
	d->req = req;
	d->resp = resp;
	d->parts = parts;
	d->n = d->left = n;
	purg_op_init(&d->op, DELAYED_PRODUCE, try_complete, on_complete, d);
	int32_t nk = 0;
	for (int32_t i = 0; i < n; i++) {
		struct partition *p = rm_get(req->b->rm, parts[i].topic.p, parts[i].topic.len,
					     parts[i].index);
		if (p)
			keys[nk++] = &p->waiters;
	}
	purg_try_else_watch(&req->b->purgatory, &d->op, keys, nk, timeout_ms > 0 ? timeout_ms : 0);
}
