/* Fetch (1), v0-12: answers from the segment files without copying them
 * (the response carries file slices that the server sends with sendfile).
 * v0-3 consumers get the data down-converted to magic 0/1 message sets
 * (read, converted, bounded by the partition's byte budget; the cost is
 * counted and logged once a minute). Fetch sessions (v7+) are not kept:
 * every fetch is a full one answered with session id 0, which Kafka's
 * protocol allows; an incremental fetch (epoch > 0) therefore finds no
 * session (FETCH_SESSION_ID_NOT_FOUND) and the client starts a full one.
 * If fewer than min_bytes are available the request is parked as a delayed
 * fetch in the broker's purgatory, watching its partitions, until enough
 * data arrives or max_wait_ms passes. Consumers are served
 * only below the high watermark. Authorization as KafkaApis: a follower's
 * fetch (replica_id >= 0) needs CLUSTER_ACTION on the cluster, a consumer's
 * READ on each topic; refused partitions answer TOPIC_AUTHORIZATION_FAILED
 * and a refused follower moves no follower position. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "broker/auth/authorizer.h"
#include "broker/broker.h"
#include "broker/handlers/dedup.h"
#include "broker/handlers/handlers.h"
#include "broker/metrics.h"
#include "broker/metadata_cache.h"
#include "broker/txn/producer_state_manager.h"
#include "broker/replica/replica_manager.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/proto/kerr.h"
#include "common/proto/message_set.h"
#include "common/proto/messages.h"

#define FETCH_MAX_WAIT_CAP_MS 30000
#define FETCH_DOWN_MAX_INFLATE (64 << 20) /* per partition, like max.message.bytes x64 */
#define FETCH_DOWN_LOG_MS 60000

struct delayed_fetch {
	struct purg_op op;
	struct request *req;
};

#define REQ_TOPIC(in, i) (&((const struct fetch_req_topic *)(in)->topics.v)[i])
#define REQ_PART(t, j) (&((const struct fetch_req_partition *)(t)->partitions.v)[j])

static int fetch_allowed(struct request *req, struct kstr topic)
{
	if (((const struct fetch_request *)req->body)->replica_id >= 0)
		return authz_cluster(req, ACL_OP_CLUSTER_ACTION);
	return authz_topic(req, ACL_OP_READ, topic);
}

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
	*pp = NULL;
	if (!fetch_allowed(req, topic))
		return KERR_TOPIC_AUTHORIZATION_FAILED;
	struct partition *p = rm_get(b->rm, topic.p, topic.len, pi->partition);
	*pp = p;
	if (!p)
		return mc_missing_partition_error(b->meta, topic.p, topic.len, pi->partition);
	if (!p->is_leader)
		return KERR_NOT_LEADER_OR_FOLLOWER;
	if (pi->current_leader_epoch >= 0 && pi->current_leader_epoch < p->leader_epoch)
		return KERR_FENCED_LEADER_EPOCH;
	if (pi->current_leader_epoch > p->leader_epoch)
		return KERR_UNKNOWN_LEADER_EPOCH;
	if (replica_id >= 0 && !rm_is_replica(p, replica_id))
		return KERR_NOT_LEADER_OR_FOLLOWER;
	/* the partition's read rules: followers to the log end, consumers to the
	 * high watermark, read_committed to the last stable offset */
	enum partition_reader who = replica_id >= 0 ? READ_FOLLOWER
		: ((const struct fetch_request *)req->body)->isolation_level == 1 ? READ_COMMITTED
		: READ_UNCOMMITTED;
	return partition_read(p, who, pi->fetch_offset, max_bytes, s);
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
	size_t n = partition_aborted(p, from, po->last_stable_offset, tmp, 64);
	if (n == 64) /* rare: many aborts in one fetch; ask again for them all */
		n = FETCH_MAX_ABORTED;
	struct txn_aborted *all = n > 64 ? arena_alloc(a, n * sizeof *all) : tmp;
	if (!all)
		return -1;
	if (n > 64)
		n = partition_aborted(p, from, po->last_stable_offset, all, n);
	struct fetch_resp_aborted_transaction *v = arena_alloc(a, (n + 1) * sizeof *v);
	if (!v)
		return -1;
	for (size_t i = 0; i < n; i++)
		v[i] = (struct fetch_resp_aborted_transaction){ all[i].producer_id, all[i].first_offset };
	po->aborted_transactions = (struct karray){ (int32_t)n, v };
	return 0;
}

/* Down-conversion cost, summed and logged at most once a minute. */
static struct {
	struct ms_down_stats st;
	int64_t partitions, ns, last_log_ms;
} down;

static void down_account(const struct ms_down_stats *st, int64_t ns, int64_t now_ms)
{
	down.partitions++;
	down.ns += ns;
	down.st.batches_in += st->batches_in;
	down.st.bytes_in += st->bytes_in;
	down.st.records_out += st->records_out;
	down.st.bytes_out += st->bytes_out;
	down.st.inflated += st->inflated;
	if (now_ms - down.last_log_ms < FETCH_DOWN_LOG_MS)
		return;
	log_info("fetch", "down-conversion (Fetch v0-3): %" PRId64 " partition reads, %" PRId64
		 " batches / %" PRId64 " bytes in, %" PRId64 " inflated, %" PRId64
		 " messages / %" PRId64 " bytes out, %.1f ms CPU (%.2f us per message)",
		 down.partitions, down.st.batches_in, down.st.bytes_in, down.st.inflated,
		 down.st.records_out, down.st.bytes_out, (double)down.ns / 1e6,
		 down.st.records_out ? (double)down.ns / 1e3 / (double)down.st.records_out : 0.0);
	memset(&down, 0, sizeof down);
	down.last_log_ms = now_ms;
}

/* Fetch v0-3: replaces the file slice with the same data as a legacy
 * message set (magic 0 for v0-1, 1 for v2-3) in the request's memory. */
static int16_t down_convert(struct request *req, const struct log_slice *s, int64_t offset,
			    int32_t limit, struct fetch_resp_partition *po, struct topic_metrics *tm)
{
	int64_t t0 = clock_mono_ns();
	uint8_t *raw = malloc((size_t)s->len);
	struct cbuf out = { 0 };
	struct ms_down_stats st = { 0 };
	int16_t err = 0;
	if (!raw || pread(s->fd, raw, (size_t)s->len, s->pos) != s->len)
		err = raw ? KERR_KAFKA_STORAGE_ERROR : KERR_UNKNOWN_SERVER_ERROR;
	else
		err = (int16_t)ms_down_convert(raw, (size_t)s->len, req->hdr.api_version >= 2,
					       offset, (size_t)(limit > 0 ? limit : 1),
					       FETCH_DOWN_MAX_INFLATE, &out, &st);
	free(raw);
	uint8_t *p = !err && out.len ? arena_alloc(&req->arena, out.len) : NULL;
	if (p)
		memcpy(p, out.p, out.len);
	else if (!err && out.len)
		err = KERR_UNKNOWN_SERVER_ERROR;
	po->records = (struct krecords){ .p = p, .len = p ? (int32_t)out.len : 0, .fd = -1 };
	cbuf_free(&out);
	int64_t ns = clock_mono_ns() - t0;
	down_account(&st, ns, loop_now_ms(req->b->loop));
	metrics_count_conversions(req->b->metrics, tm, (uint64_t)st.records_out, (double)ns / 1e6,
				  loop_now_ms(req->b->loop));
	return err;
}

static void fetch_respond(struct request *req)
{
	const struct fetch_request *in = req->body;
	struct fetch_response *out = arena_alloc(&req->arena, sizeof *out);
	struct arena *a = &req->arena;
	int32_t nt = in->topics.n > 0 ? in->topics.n : 0;
	int64_t budget = in->max_bytes > 0 ? in->max_bytes : INT32_MAX;
	int first = 1;
	if (!out || !(out->responses.v = arena_alloc(a, (size_t)nt * sizeof(struct fetch_resp_topic) + 1))) {
		request_close(req, "out of memory");
		return;
	}
	out->responses.n = nt;
	struct dedup seen;
	dedup_init(&seen);
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
			dedup_free(&seen);
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
			po->last_stable_offset = p ? partition_last_stable(p) : -1;
			po->log_start_offset = p ? partition_log_start(p) : -1;
			po->preferred_read_replica = -1;
			/* v12 tagged fields: -1 everywhere means "absent" (not sent) */
			po->diverging_epoch = (struct fetch_resp_epoch_end_offset){ -1, -1 };
			po->current_leader = (struct fetch_resp_leader_id_and_epoch){ -1, -1 };
			po->snapshot_id = (struct fetch_resp_snapshot_id){ -1, -1 };
			po->aborted_transactions.n = in->isolation_level == 1 ? 0 : -1;
			po->records = (struct krecords){ .p = NULL, .len = 0, .fd = -1 };
			if (!first && s.len > limit)
				s.len = 0; /* its first batch alone is over what is left */
			/* a partition named twice gets its data once (Kafka keeps a
			 * map of them): repeats cannot pin more segment fds */
			if (dedup_seen(&seen, t->topic, pi->partition))
				s.len = 0;
			if (!po->error_code && s.len > 0 && req->hdr.api_version <= 3 &&
			    in->replica_id < 0) {
				po->error_code = down_convert(req, &s, pi->fetch_offset, limit, po, tm);
				budget -= po->records.len;
				first = first && po->records.len == 0;
			} else if (!po->error_code && s.len > 0) {
				po->records.fd = s.fd;
				po->records.file_off = s.pos;
				po->records.len = s.len;
				budget -= s.len;
				first = 0;
				if (in->isolation_level == 1 &&
				    fetch_aborted(a, p, pi->fetch_offset, po) < 0) {
					dedup_free(&seen);
					request_close(req, "out of memory");
					return;
				}
			}
			if (in->replica_id < 0)
				metrics_count_fetch(req->b->metrics, tm, po->error_code,
						    po->error_code ? 0 : (uint64_t)po->records.len);
		}
	}
	dedup_free(&seen);
	request_respond(req, out);
}

static int delayed_fetch_ready(struct purg_op *op)
{
	struct delayed_fetch *d = op->arg;
	const struct fetch_request *in = d->req->body;
	return fetch_available(d->req) >= in->min_bytes;
}

/* Enough data, or max_wait_ms passed: answer with what there is. */
static void delayed_fetch_complete(struct purg_op *op, int expired)
{
	(void)expired;
	struct delayed_fetch *d = op->arg;
	struct request *req = d->req;
	free(d);
	fetch_respond(req);
}

/* The partitions of the request hosted here: the keys it waits on. */
static int32_t fetch_keys(struct request *req, struct purg_key ***out)
{
	const struct fetch_request *in = req->body;
	int32_t n = 0;
	for (int32_t i = 0; i < in->topics.n; i++)
		n += REQ_TOPIC(in, i)->partitions.n > 0 ? REQ_TOPIC(in, i)->partitions.n : 0;
	struct purg_key **keys = arena_alloc(&req->arena, ((size_t)n + 1) * sizeof *keys);
	int32_t k = 0;
	for (int32_t i = 0; keys && i < in->topics.n; i++) {
		const struct fetch_req_topic *t = REQ_TOPIC(in, i);
		for (int32_t j = 0; j < t->partitions.n; j++) {
			struct partition *p = rm_get(req->b->rm, t->topic.p, t->topic.len,
						     REQ_PART(t, j)->partition);
			if (p)
				keys[k++] = &p->waiters;
		}
	}
	*out = keys;
	return keys ? k : -1;
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

/* No fetch sessions are kept (see the top): an incremental fetch names a
 * session that does not exist. */
static int fetch_session_refused(struct request *req)
{
	const struct fetch_request *in = req->body;
	if (req->hdr.api_version < 7 || in->session_epoch <= 0)
		return 0;
	struct fetch_response *out = arena_alloc(&req->arena, sizeof *out);
	if (!out) {
		request_close(req, "out of memory");
		return 1;
	}
	out->error_code = KERR_FETCH_SESSION_ID_NOT_FOUND;
	request_respond(req, out);
	return 1;
}

void handle_fetch(struct request *req)
{
	const struct fetch_request *in = req->body;
	if (fetch_session_refused(req))
		return;
	if (in->replica_id >= 0 && authz_cluster(req, ACL_OP_CLUSTER_ACTION))
		record_follower_positions(req);
	int32_t wait = in->max_wait_ms;
	if (wait <= 0 || in->min_bytes <= 0 || fetch_available(req) >= in->min_bytes) {
		fetch_respond(req);
		return;
	}
	struct delayed_fetch *d = calloc(1, sizeof *d);
	struct purg_key **keys;
	int32_t nk = fetch_keys(req, &keys);
	if (!d || nk < 0) {
		free(d);
		fetch_respond(req);
		return;
	}
	d->req = req;
	purg_op_init(&d->op, DELAYED_FETCH, delayed_fetch_ready, delayed_fetch_complete, d);
	purg_watch(&req->b->purgatory, &d->op, keys, nk,
		   wait > FETCH_MAX_WAIT_CAP_MS ? FETCH_MAX_WAIT_CAP_MS : wait);
}
