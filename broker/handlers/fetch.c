/* Fetch (1), v4-12: answers from the segment files without copying them
 * (the response carries file slices that the server sends with sendfile).
 * If fewer than min_bytes are available the request is parked as a delayed
 * fetch until enough data arrives or max_wait_ms passes. Consumers are served
 * only below the high watermark. */
#include <stdlib.h>
#include <string.h>

#include "broker/broker.h"
#include "broker/metrics.h"
#include "broker/handlers/handlers.h"
#include "broker/txn/producer_state_manager.h"
#include "broker/replica/replica_manager.h"
#include "common/proto/kerr.h"
#include "common/proto/messages.h"

#define FETCH_MAX_WAIT_CAP_MS 30000

struct delayed_fetch {
	struct rm_waiter w;
	struct loop_timer timer;
	struct request *req;
};

#define REQ_TOPIC(in, i) (&((const struct fetch_req_topic *)(in)->topics.v)[i])
#define REQ_PART(t, j) (&((const struct fetch_req_partition *)(t)->partitions.v)[j])

/* Where one partition's data comes from, or why there is none. Followers
 * read up to the log end, consumers up to the high watermark. */
static int16_t partition_slice(struct request *req, struct kstr topic,
			       const struct fetch_req_partition *pi, int32_t max_bytes,
			       struct partition **pp, struct log_slice *s)
{
	struct broker *b = req->b;
	int32_t replica_id = ((const struct fetch_request *)req->body)->replica_id;
	memset(s, 0, sizeof *s);
	s->fd = -1;
	struct partition *p = rm_get(b->rm, topic.p, topic.len, pi->partition);
	*pp = p;
	if (!p)
		return KERR_UNKNOWN_TOPIC_OR_PARTITION;
	if (!p->is_leader)
		return KERR_NOT_LEADER_OR_FOLLOWER;
	if (pi->current_leader_epoch >= 0 && pi->current_leader_epoch < p->leader_epoch)
		return KERR_FENCED_LEADER_EPOCH;
	if (pi->current_leader_epoch > p->leader_epoch)
		return KERR_UNKNOWN_LEADER_EPOCH;
	int64_t limit = replica_id >= 0 ? log_end_offset(p->log) : p->high_watermark;
	/* transactions (broker/txn): read_committed stops at the last stable offset */
	if (replica_id < 0 && ((const struct fetch_request *)req->body)->isolation_level == 1)
		limit = psm_lso(p->log, p->high_watermark);
	if (replica_id >= 0 && !rm_is_replica(p, replica_id))
		return KERR_NOT_LEADER_OR_FOLLOWER;
	if (pi->fetch_offset < log_start_offset(p->log) || pi->fetch_offset > log_end_offset(p->log))
		return KERR_OFFSET_OUT_OF_RANGE;
	if (pi->fetch_offset >= limit || max_bytes <= 0)
		return 0;
	int rc = log_read(p->log, pi->fetch_offset, max_bytes, limit, s);
	return rc < 0 ? KERR_OFFSET_OUT_OF_RANGE : 0;
}

/* Bytes a response would carry now, without building it. */
static int64_t fetch_available(struct request *req)
{
	const struct fetch_request *in = req->body;
	int64_t total = 0;
	for (int32_t i = 0; i < in->topics.n; i++) {
		const struct fetch_req_topic *t = REQ_TOPIC(in, i);
		for (int32_t j = 0; j < t->partitions.n; j++) {
			struct partition *p;
			struct log_slice s;
			int16_t ec = partition_slice(req, t->topic, REQ_PART(t, j),
						     REQ_PART(t, j)->partition_max_bytes, &p, &s);
			if (ec)
				return INT64_MAX; /* errors are answered at once */
			total += s.len;
		}
	}
	return total;
}

/* transactions (broker/txn): the aborted transactions a read_committed
 * consumer must skip in what it gets, [fetch offset, LSO). */
#define FETCH_MAX_ABORTED 4096
static int fetch_aborted(struct arena *a, struct partition *p, int64_t from,
			 struct fetch_resp_partition *po)
{
	struct txn_aborted tmp[64];
	size_t n = psm_aborted(p->log, from, po->last_stable_offset, tmp, 64);
	if (n == 64) /* rare: many aborts in one fetch; ask again for them all */
		n = FETCH_MAX_ABORTED;
	struct txn_aborted *all = n > 64 ? arena_alloc(a, n * sizeof *all) : tmp;
	if (!all)
		return -1;
	if (n > 64)
		n = psm_aborted(p->log, from, po->last_stable_offset, all, n);
	struct fetch_resp_aborted_transaction *v = arena_alloc(a, (n + 1) * sizeof *v);
	if (!v)
		return -1;
	for (size_t i = 0; i < n; i++)
		v[i] = (struct fetch_resp_aborted_transaction){ all[i].producer_id, all[i].first_offset };
	po->aborted_transactions = (struct karray){ (int32_t)n, v };
	return 0;
}

static void fetch_respond(struct request *req)
{
	const struct fetch_request *in = req->body;
	struct fetch_response *out = arena_alloc(&req->arena, sizeof *out);
	struct arena *a = &req->arena;
	int32_t nt = in->topics.n > 0 ? in->topics.n : 0;
	int64_t budget = in->max_bytes > 0 ? in->max_bytes : INT32_MAX;
	int first = 1;
	out->responses.n = nt;
	out->responses.v = arena_alloc(a, (size_t)nt * sizeof(struct fetch_resp_topic) + 1);
	if (!out || !out->responses.v) {
		request_close(req, "out of memory");
		return;
	}
	for (int32_t i = 0; i < nt; i++) {
		const struct fetch_req_topic *t = REQ_TOPIC(in, i);
		struct fetch_resp_topic *to = &((struct fetch_resp_topic *)out->responses.v)[i];
		int32_t np = t->partitions.n > 0 ? t->partitions.n : 0;
		to->topic = t->topic;
		/* consumers only: follower traffic is replication, not bytes out */
		struct topic_metrics *tm = in->replica_id < 0 && t->topic.len > 0 ?
			metrics_topic(req->b->metrics, t->topic.p, (size_t)t->topic.len) : NULL;
		to->partitions.n = np;
		to->partitions.v = arena_alloc(a, (size_t)np * sizeof(struct fetch_resp_partition) + 1);
		if (!to->partitions.v) {
			request_close(req, "out of memory");
			return;
		}
		for (int32_t j = 0; j < np; j++) {
			const struct fetch_req_partition *pi = REQ_PART(t, j);
			struct fetch_resp_partition *po = &((struct fetch_resp_partition *)to->partitions.v)[j];
			/* the response's max_bytes bounds every partition; only the
			 * first partition with data may exceed it, by its first batch
			 * (KIP-74), so that a consumer never stalls */
			int32_t limit = pi->partition_max_bytes;
			if (budget < limit)
				limit = budget > 0 ? (int32_t)budget : 0;
			struct partition *p;
			struct log_slice s;
			po->partition_index = pi->partition;
			po->error_code = partition_slice(req, t->topic, pi, limit, &p, &s);
			po->high_watermark = p ? p->high_watermark : -1;
			po->last_stable_offset = p ? psm_lso(p->log, p->high_watermark) : -1;
			po->log_start_offset = p ? log_start_offset(p->log) : -1;
			po->preferred_read_replica = -1;
			/* v12 tagged fields: -1 everywhere means "absent" (not sent) */
			po->diverging_epoch = (struct fetch_resp_epoch_end_offset){ -1, -1 };
			po->current_leader = (struct fetch_resp_leader_id_and_epoch){ -1, -1 };
			po->snapshot_id = (struct fetch_resp_snapshot_id){ -1, -1 };
			po->aborted_transactions.n = in->isolation_level == 1 ? 0 : -1;
			po->records = (struct krecords){ .p = NULL, .len = 0, .fd = -1 };
			if (!first && s.len > limit)
				s.len = 0; /* its first batch alone is over what is left */
			if (!po->error_code && s.len > 0) {
				po->records.fd = s.fd;
				po->records.file_off = s.pos;
				po->records.len = s.len;
				budget -= s.len;
				first = 0;
				if (in->isolation_level == 1 &&
				    fetch_aborted(a, p, pi->fetch_offset, po) < 0) {
					request_close(req, "out of memory");
					return;
				}
			}
			if (in->replica_id < 0)
				metrics_count_fetch(req->b->metrics, tm, po->error_code,
						    po->error_code ? 0 : (uint64_t)po->records.len);
		}
	}
	request_respond(req, out);
}

static void delayed_fetch_finish(struct delayed_fetch *d)
{
	rm_waiter_del(&d->w);
	loop_timer_stop(d->req->b->loop, &d->timer);
	struct request *req = d->req;
	free(d);
	fetch_respond(req);
}

static void delayed_fetch_wake(struct rm_waiter *w)
{
	struct delayed_fetch *d = w->arg;
	const struct fetch_request *in = d->req->body;
	if (fetch_available(d->req) >= in->min_bytes)
		delayed_fetch_finish(d);
}

static void delayed_fetch_timeout(struct loop_timer *t)
{
	delayed_fetch_finish(t->arg);
}

/* A follower's fetch offset is its log end offset: the leader learns from it
 * how far each replica has come, which moves the high watermark. */
static void record_follower_positions(struct request *req)
{
	const struct fetch_request *in = req->body;
	for (int32_t i = 0; i < in->topics.n; i++) {
		const struct fetch_req_topic *t = REQ_TOPIC(in, i);
		for (int32_t j = 0; j < t->partitions.n; j++) {
			const struct fetch_req_partition *pi = REQ_PART(t, j);
			struct partition *p = rm_get(req->b->rm, t->topic.p, t->topic.len, pi->partition);
			if (!p || !p->is_leader)
				continue;
			rm_follower_fetched(req->b->rm, p, in->replica_id, pi->fetch_offset,
					    loop_now_ms(req->b->loop));
			/* DeleteRecords waits for followers' log starts (v5+) */
			if (pi->log_start_offset >= 0)
				rm_follower_log_start(req->b->rm, p, in->replica_id,
						      pi->log_start_offset);
		}
	}
}

void handle_fetch(struct request *req)
{
	const struct fetch_request *in = req->body;
	if (in->replica_id >= 0)
		record_follower_positions(req);
	int32_t wait = in->max_wait_ms;
	if (wait <= 0 || in->min_bytes <= 0 || fetch_available(req) >= in->min_bytes) {
		fetch_respond(req);
		return;
	}
	struct delayed_fetch *d = calloc(1, sizeof *d);
	if (!d) {
		fetch_respond(req);
		return;
	}
	d->req = req;
	d->w.wake = delayed_fetch_wake;
	d->w.arg = d;
	d->w.kind = RM_WAIT_FETCH;
	loop_timer_init(&d->timer, delayed_fetch_timeout, d);
	loop_timer_start(req->b->loop, &d->timer,
			 wait > FETCH_MAX_WAIT_CAP_MS ? FETCH_MAX_WAIT_CAP_MS : wait);
	rm_waiter_add(req->b->rm, &d->w);
}
