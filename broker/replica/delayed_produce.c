/* Delayed produce: a waiter on the replica manager, re-checked whenever data
 * or a high watermark moves, plus a timer for the request's timeout. */
#include "broker/replica/delayed_produce.h"

#include <stdlib.h>

#include "broker/broker.h"
#include "broker/replica/replica_manager.h"
#include "broker/server.h"
#include "broker/topic_config.h"
#include "common/proto/kerr.h"

struct delayed_produce {
	struct rm_waiter w;
	struct loop_timer timer;
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

static void finish(struct delayed_produce *d)
{
	rm_waiter_del(&d->w);
	loop_timer_stop(d->req->b->loop, &d->timer);
	struct request *req = d->req;
	void *resp = d->resp;
	free(d);
	request_respond(req, resp);
}

static void on_wake(struct rm_waiter *w)
{
	struct delayed_produce *d = w->arg;
	if (check_parts(d) == 0)
		finish(d);
}

static void on_timeout(struct loop_timer *t)
{
	struct delayed_produce *d = t->arg;
	check_parts(d);
	for (int32_t i = 0; i < d->n; i++)
		if (d->parts[i].required >= 0)
			*d->parts[i].error_code = KERR_REQUEST_TIMED_OUT;
	finish(d);
}

void delayed_produce_start(struct request *req, void *resp, struct produce_wait *parts,
			   int32_t n, int32_t timeout_ms)
{
	struct delayed_produce *d = calloc(1, sizeof *d);
	if (!d) {
		for (int32_t i = 0; i < n; i++)
			*parts[i].error_code = KERR_REQUEST_TIMED_OUT;
		request_respond(req, resp);
		return;
	}
	d->req = req;
	d->resp = resp;
	d->parts = parts;
	d->n = d->left = n;
	if (check_parts(d) == 0) {
		request_respond(req, resp);
		free(d);
		return;
	}
	d->w.wake = on_wake;
	d->w.arg = d;
	d->w.kind = RM_WAIT_PRODUCE;
	loop_timer_init(&d->timer, on_timeout, d);
	loop_timer_start(req->b->loop, &d->timer, timeout_ms > 0 ? timeout_ms : 0);
	rm_waiter_add(req->b->rm, &d->w);
}
