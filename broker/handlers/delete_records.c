/* DeleteRecords (21), v0-2: on each partition's leader, moves the log start
 * offset up to the requested offset (-1: the high watermark; above it:
 * OFFSET_OUT_OF_RANGE) and answers once every ISR follower has moved its
 * own too, or at timeout_ms with REQUEST_TIMED_OUT (Kafka's
 * DelayedDeleteRecords). low_watermark = min log start over the ISR. Needs
 * DELETE on each topic (TOPIC_AUTHORIZATION_FAILED). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "broker/auth/authorizer.h"
#include "broker/broker.h"
#include "broker/handlers/handlers.h"
#include "broker/metadata_cache.h"
#include "broker/replica/replica_manager.h"
#include "common/log.h"
#include "common/proto/kerr.h"
#include "common/proto/messages.h"

#define DELETE_RECORDS_HIGH_WATERMARK (-1)

/* A partition still waiting: its low watermark must reach `required`. */
struct dr_wait {
	struct kstr topic;
	int32_t index;
	int64_t required; /* -1 once answered */
	struct delete_records_resp_partition *out;
};

struct delayed_delete {
	struct purg_op op;
	struct request *req;
	struct delete_records_response *resp;
	struct dr_wait *waits;
	int32_t n, left;
};

/* Applies one partition's request; returns the offset to wait for, or -1
 * when answered already (error or nothing to wait for). */
static int64_t delete_one(struct request *req, struct kstr topic,
			  const struct delete_records_req_partition *pi,
			  struct delete_records_resp_partition *po)
{
	po->partition_index = pi->partition_index;
	po->low_watermark = -1;
	if (!authz_topic(req, ACL_OP_DELETE, topic)) {
		po->error_code = KERR_TOPIC_AUTHORIZATION_FAILED;
		return -1;
	}
	struct partition *p = rm_get(req->b->rm, topic.p, topic.len, pi->partition_index);
	if (!p) {
		po->error_code = mc_missing_partition_error(req->b->meta, topic.p, topic.len,
							    pi->partition_index);
		return -1;
	}
	if (!p->is_leader) {
		po->error_code = KERR_NOT_LEADER_OR_FOLLOWER;
		return -1;
	}
	int64_t target = pi->offset == DELETE_RECORDS_HIGH_WATERMARK ? p->high_watermark
								     : pi->offset;
	if (target < 0 || target > p->high_watermark) {
		po->error_code = KERR_OFFSET_OUT_OF_RANGE;
		return -1;
	}
	int rc = rm_advance_log_start(req->b->rm, p, target);
	if (rc < 0) {
		log_error_rl("handlers", "%s-%d: DeleteRecords to %lld: %s", p->topic, p->index,
			  (long long)target, strerror(-rc));
		po->error_code = rc == -ERANGE ? KERR_OFFSET_OUT_OF_RANGE : KERR_KAFKA_STORAGE_ERROR;
		return -1;
	}
	return target;
}

/* Marks partitions whose ISR has caught up (or that lost leadership). */
static int32_t check_waits(struct delayed_delete *d)
{
	for (int32_t i = 0; i < d->n; i++) {
		struct dr_wait *w = &d->waits[i];
		if (w->required < 0)
			continue;
		struct partition *p = rm_get(d->req->b->rm, w->topic.p, w->topic.len, w->index);
		if (!p || !p->is_leader) {
			w->out->error_code = KERR_NOT_LEADER_OR_FOLLOWER;
		} else {
			int64_t low = rm_low_watermark(p);
			if (low < w->required)
				continue;
			w->out->low_watermark = low;
		}
		w->required = -1;
		d->left--;
	}
	return d->left;
}

static int dd_ready(struct purg_op *op)
{
	return check_waits(op->arg) == 0;
}

/* The ISR caught up, or timeout_ms passed: what is missing timed out. */
static void dd_complete(struct purg_op *op, int expired)
{
	struct delayed_delete *d = op->arg;
	if (expired)
		check_waits(d);
	for (int32_t i = 0; expired && i < d->n; i++) {
		if (d->waits[i].required < 0)
			continue;
		d->waits[i].out->error_code = KERR_REQUEST_TIMED_OUT;
		struct partition *p = rm_get(d->req->b->rm, d->waits[i].topic.p,
					     d->waits[i].topic.len, d->waits[i].index);
		d->waits[i].out->low_watermark = p ? rm_low_watermark(p) : -1;
	}
	struct request *req = d->req;
	void *resp = d->resp;
	free(d);
	request_respond(req, resp);
}

static void dd_start(struct request *req, struct delete_records_response *out,
		     struct dr_wait *waits, int32_t n, int32_t timeout_ms)
{
	struct delayed_delete *d = calloc(1, sizeof *d);
	struct purg_key **keys = arena_alloc(&req->arena, ((size_t)n + 1) * sizeof *keys);
	if (!d || !keys) {
		free(d);
		request_close(req, "out of memory");
		return;
	}
	*d = (struct delayed_delete){ .req = req, .resp = out, .waits = waits, .n = n, .left = n };
	int32_t nk = 0;
	for (int32_t i = 0; i < n; i++) {
		struct partition *p = rm_get(req->b->rm, waits[i].topic.p, waits[i].topic.len,
					     waits[i].index);
		if (p)
			keys[nk++] = &p->waiters;
	}
	purg_op_init(&d->op, DELAYED_DELETE_RECORDS, dd_ready, dd_complete, d);
	purg_try_else_watch(&req->b->purgatory, &d->op, keys, nk, timeout_ms > 0 ? timeout_ms : 0);
}

void handle_delete_records(struct request *req)
{
	const struct delete_records_request *in = req->body;
	struct arena *a = &req->arena;
	struct delete_records_response *out = arena_alloc(a, sizeof *out);
	int32_t nt = in->topics.n > 0 ? in->topics.n : 0, total = 0;
	for (int32_t i = 0; i < nt; i++) {
		const struct delete_records_req_topic *t =
			&((const struct delete_records_req_topic *)in->topics.v)[i];
		total += t->partitions.n > 0 ? t->partitions.n : 0;
	}
	struct dr_wait *waits = arena_alloc(a, ((size_t)total + 1) * sizeof *waits);
	if (!out || !waits ||
	    !(out->topics.v = arena_alloc(a, ((size_t)nt + 1) * sizeof(struct delete_records_resp_topic)))) {
		request_close(req, "out of memory");
		return;
	}
	out->throttle_time_ms = 0;
	out->topics.n = nt;
	int32_t nw = 0;
	for (int32_t i = 0; i < nt; i++) {
		const struct delete_records_req_topic *ti =
			&((const struct delete_records_req_topic *)in->topics.v)[i];
		struct delete_records_resp_topic *to =
			&((struct delete_records_resp_topic *)out->topics.v)[i];
		int32_t np = ti->partitions.n > 0 ? ti->partitions.n : 0;
		to->name = ti->name;
		to->partitions.n = np;
		to->partitions.v = arena_alloc(a, ((size_t)np + 1) * sizeof(struct delete_records_resp_partition));
		if (!to->partitions.v) {
			request_close(req, "out of memory");
			return;
		}
		for (int32_t j = 0; j < np; j++) {
			struct delete_records_resp_partition *po =
				&((struct delete_records_resp_partition *)to->partitions.v)[j];
			po->error_code = 0;
			int64_t need = delete_one(req, ti->name,
				&((const struct delete_records_req_partition *)ti->partitions.v)[j], po);
			if (need >= 0)
				waits[nw++] = (struct dr_wait){ ti->name, po->partition_index, need, po };
		}
	}
	dd_start(req, out, waits, nw, in->timeout_ms);
}
