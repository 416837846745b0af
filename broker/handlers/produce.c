/* Produce (0), v0-7: validate each partition's batch, append it on the leader,
 * answer per partition. acks=0 gets no response; acks=all waits (delayed
 * produce) until every ISR member has the batch, and acks=1 until the
 * leader's flush per message (when set) covered it. Compressed batches are
 * inflated to check their records, then stored as sent. v0-2 may also carry
 * legacy message sets (magic 0/1): converted to one v2 batch first, which
 * then goes the same way (common/proto/message_set.h). A transactional
 * batch is appended only once its transaction is verified with the
 * coordinator (broker/txn/txn_verify.h), so such partitions may answer
 * later than the others.
 * Authorization as KafkaApis: WRITE on each topic (TOPIC_AUTHORIZATION_FAILED),
 * and first transactional batches need WRITE on the transactional id,
 * idempotent ones IDEMPOTENT_WRITE on the cluster (every partition refused). */
#include <errno.h>
#include <string.h>

#include "broker/auth/authorizer.h"
#include "broker/broker.h"
#include "broker/metrics.h"
#include "broker/handlers/handlers.h"
#include "broker/replica/delayed_produce.h"
#include "broker/replica/replica_manager.h"
#include "broker/topic_autocreate.h"
#include "broker/topic_config.h"
#include "broker/group/coordinator.h"
#include "broker/txn/producer_state_manager.h"
#include "broker/txn/txn_verify.h"
#include "common/clock.h"
#include "common/compress.h"
#include "common/failpoint.h"
#include "common/log.h"
#include "common/proto/kerr.h"
#include "common/proto/message_set.h"
#include "common/proto/messages.h"
#include "common/proto/crc32c.h"
#include "common/proto/record_batch.h"

/* Inflated records are capped at this many times the topic's
 * max.message.bytes (bounded below and above): real batches stay far under
 * it, a decompression bomb stops there (MESSAGE_TOO_LARGE). */
#define INFLATE_FACTOR 32
#define INFLATE_MIN (1 << 20)
#define INFLATE_MAX (256 << 20)
/* a thread's inflate buffer larger than this is given back after use */
#define INFLATE_KEEP (4 << 20)

static size_t inflate_cap(int32_t max_message_bytes)
{
	int64_t cap = (int64_t)(max_message_bytes > 0 ? max_message_bytes : 0) * INFLATE_FACTOR;
	return (size_t)(cap < INFLATE_MIN ? INFLATE_MIN : cap > INFLATE_MAX ? INFLATE_MAX : cap);
}

/* Walks the records of an uncompressed batch (or a compressed batch's view):
 * they must decode exactly, as many as the header's count, with offset
 * deltas 0..n-1; on a compacted topic each needs a key, as the latest record
 * per key is what compaction keeps. */
static int16_t check_record_walk(const uint8_t *batch, size_t len, int compact)
{
	struct rb_iter it;
	struct rb_record rec;
	int32_t i = 0;
	int rc;
	rb_iter_init(&it, batch, len);
	while ((rc = rb_iter_next(&it, &rec)) == 1) {
		if (rec.offset_delta != i++)
			return KERR_INVALID_RECORD;
		if (compact && rec.key_len < 0)
			return KERR_INVALID_RECORD;
	}
	return rc == 0 ? 0 : KERR_INVALID_RECORD;
}

static int16_t inflate_error(int rc)
{
	switch (rc) {
	case -EFBIG: return KERR_MESSAGE_TOO_LARGE;
	case -ENOTSUP: return KERR_UNSUPPORTED_COMPRESSION_TYPE;
	case -ENOMEM: return KERR_UNKNOWN_SERVER_ERROR;
	default: return KERR_CORRUPT_MESSAGE; /* the compressed stream is broken */
	}
}

/* Kafka's LogValidator inflates compressed batches and checks their records
 * like uncompressed ones; the batch is still stored exactly as sent. The
 * uncompressed framing was checked by rb_validate already. */
static int16_t check_records(const uint8_t *batch, size_t len, const struct rb_header *h,
			     const struct topic_config *tc)
{
	if (!(h->attributes & RB_ATTR_COMPRESSION_MASK))
		return tc->compact ? check_record_walk(batch, len, 1) : 0;
	static _Thread_local struct cbuf view;
	int rc = compress_batch_view(batch, len, inflate_cap(tc->max_message_bytes), &view);
	int16_t err = rc ? inflate_error(rc) : check_record_walk(view.p, view.len, tc->compact);
	if (view.cap > INFLATE_KEEP)
		cbuf_free(&view);
	return err;
}

/* Produce v0-2 may carry a legacy message set (Kafka up-converts it to the
 * log's format); v3+ must be magic 2, which rb_validate_produce enforces
 * (INVALID_RECORD). On success *batch and *len give the batch to append:
 * the request's own, or the conversion in this thread's buffer, valid until
 * the next call. */
static int convert_legacy(int16_t api_version, uint8_t **batch, size_t *len,
			  const struct topic_config *tc)
{
	static _Thread_local struct cbuf conv;
	if (conv.cap > INFLATE_KEEP)
		cbuf_free(&conv); /* the previous conversion is done with */
	if (api_version >= 3 || !ms_is_legacy(*batch, *len))
		return 0;
	int rc = ms_convert(*batch, *len, tc->max_message_bytes,
			    inflate_cap(tc->max_message_bytes), &conv);
	if (rc)
		return rc;
	*batch = conv.p;
	*len = conv.len;
	return 0;
}

/* A produce request under way: partitions whose transactional batch waits
 * for verification (broker/txn/txn_verify.h) answer later; the request
 * goes on (acks, response) when the last one has. */
struct produce_ctx {
	struct request *req;
	struct produce_response *out;
	struct produce_wait *waits;
	int32_t nwait;
	int failed;
	int pending; /* partitions not answered, +1 while they are dispatched */
};

/* One partition's batch between its checks and its append. */
struct produce_part {
	struct produce_ctx *ctx;
	struct kstr topic;
	int32_t index;
	struct produce_resp_partition *out;
	uint8_t *batch; /* the request's frame (never a converted legacy set) */
	size_t len;
	struct rb_header h;
	int log_append_time;
	struct topic_metrics *tm; /* NULL: not counted */
	struct tv_item tv;
	int own_flush; /* acks=1: written, its flush per message still running */
};

/* Checks one partition's batch: 0 with part filled (append it), or the
 * error to answer. */
static int16_t produce_check(struct request *req, const struct produce_req_partition *in,
			     struct produce_part *part)
{
	int16_t acks = ((const struct produce_request *)req->body)->acks;
	struct broker *b = req->b;
	struct partition *p = rm_get(b->rm, part->topic.p, part->topic.len, in->index);
	if (!p) {
		if (authz_may_create_topic(req, part->topic))
			autocreate_topic(b, part->topic);
		return KERR_UNKNOWN_TOPIC_OR_PARTITION;
	}
	/* Kafka: a replica in a failed log dir answers KAFKA_STORAGE_ERROR */
	if (rm_partition_offline(b->rm, p))
		return KERR_KAFKA_STORAGE_ERROR;
	if (!p->is_leader)
		return KERR_NOT_LEADER_OR_FOLLOWER;
	struct topic_config tc;
	topic_config_effective(b, part->topic.p, part->topic.len, &tc);
	if (acks == -1 && p->nisr < tc.min_insync_replicas)
		return KERR_NOT_ENOUGH_REPLICAS;
	if (in->records.len <= 0)
		return KERR_CORRUPT_MESSAGE;
	/* the request owns its frame, and the converted batch is this thread's:
	 * both may be stamped in place when appended */
	uint8_t *batch = (uint8_t *)in->records.p;
	size_t len = (size_t)in->records.len;
	int rc = convert_legacy(req->hdr.api_version, &batch, &len, &tc);
	if (rc)
		return (int16_t)rc;
	struct rb_header *h = &part->h;
	if ((rc = rb_validate_produce(batch, len, tc.max_message_bytes, h)) != 0)
		return (int16_t)rc;
	if ((h->attributes & RB_ATTR_COMPRESSION_MASK) == 4 && req->hdr.api_version < 7)
		return KERR_UNSUPPORTED_COMPRESSION_TYPE;
	if ((rc = check_records(batch, len, h, &tc)) != 0)
		return (int16_t)rc;
	part->batch = batch;
	part->len = len;
	part->log_append_time = tc.log_append_time;
	part->tv.leader_epoch = p->leader_epoch;
	return 0;
}

/* Appends a checked batch; *required is the high watermark that
 * acknowledges it under acks=all (-1 when nothing was written). */
static int16_t produce_append(struct request *req, struct produce_part *part, int64_t *required)
{
	struct produce_resp_partition *out = part->out;
	const struct rb_header *h = &part->h;
	*required = -1;
	struct partition *p = rm_get(req->b->rm, part->topic.p, part->topic.len, part->index);
	if (p && rm_partition_offline(req->b->rm, p))
		return KERR_KAFKA_STORAGE_ERROR; /* its dir failed while it waited */
	if (!p || !p->is_leader)
		return KERR_NOT_LEADER_OR_FOLLOWER; /* lost while it waited */
	/* the partition's append rules (broker/partition.h): idempotence (a
	 * resend of one of the producer's last five batches is answered with
	 * its original offset and appended again never), LogAppendTime, the
	 * write and the producer state */
	struct partition_produce pp = { .log_append_time = part->log_append_time };
	int16_t kerr = rm_append_client(req->b->rm, p, part->batch, part->len, h, &pp);
	if (kerr)
		return kerr;
	out->base_offset = pp.base_offset;
	if (!pp.dup) {
		if (part->log_append_time)
			out->log_append_time_ms = pp.append_time_ms;
		metrics_count_append(req->b->metrics, part->tm,
				     (uint64_t)h->last_offset_delta + 1, part->len);
	}
	out->log_start_offset = partition_log_start(p);
	*required = out->base_offset + h->last_offset_delta + 1;
	/* acks=1 answers once the leader's own flush (log.flush.interval.
	 * messages) covered the batch, as when Kafka flushes in the append;
	 * a duplicate waits for the flush of its original too */
	part->own_flush = partition_ack_end(p) < *required;
	return 0;
}

/* acks=all waits at most the request's timeout, as in Kafka. acks=1 waits
 * only for the leader's own flush, which Kafka does inside the append
 * whatever the timeout says: bounded all the same (a flush that has not
 * ended by then is answered REQUEST_TIMED_OUT, never acknowledged). */
#define OWN_FLUSH_WAIT_MIN_MS 30000

static int32_t wait_timeout_ms(const struct produce_request *in)
{
	if (in->acks == -1 || in->timeout_ms >= OWN_FLUSH_WAIT_MIN_MS)
		return in->timeout_ms;
	return OWN_FLUSH_WAIT_MIN_MS;
}

static void produce_finish(struct produce_ctx *c)
{
	struct request *req = c->req;
	const struct produce_request *in = req->body;
	if (in->acks == 0) {
		/* Kafka closes the connection when an acks=0 produce fails, the only
		 * way to tell a client that expects no answer */
		if (c->failed)
			request_close(req, "acks=0 produce failed");
		else
			request_finish_silent(req);
		return;
	}
	if (c->nwait)
		delayed_produce_start(req, c->out, c->waits, c->nwait, wait_timeout_ms(in));
	else
		request_respond(req, c->out);
}

/* Records a partition's outcome; the last one finishes the request. */
static void part_done(struct produce_part *part, int16_t kerr, int64_t required)
{
	struct produce_ctx *c = part->ctx;
	const struct produce_request *in = c->req->body;
	part->out->error_code = kerr;
	c->failed += kerr != 0;
	metrics_count_produce(c->req->b->metrics, part->tm, kerr);
	if (!kerr && required >= 0 && (in->acks == -1 || (in->acks == 1 && part->own_flush)))
		c->waits[c->nwait++] = (struct produce_wait){ part->topic, part->index, required,
							      &part->out->error_code,
							      in->acks == 1 };
	if (--c->pending == 0)
		produce_finish(c);
}

static void on_verified(struct tv_item *it, int16_t kerr)
{
	struct produce_part *part = it->arg;
	int64_t required = -1;
	if (!kerr)
		kerr = produce_append(part->ctx->req, part, &required);
	part_done(part, kerr, required);
}

/* A transactional batch goes through verification before its append;
 * Kafka refuses one without a transactional id in the request. */
static void produce_one(struct produce_ctx *c, struct produce_part *part,
			const struct produce_req_partition *in)
{
	struct request *req = c->req;
	const struct produce_request *body = req->body;
	int64_t required = -1;
	int16_t kerr = produce_check(req, in, part);
	int txn = !kerr && part->h.producer_id >= 0 && (part->h.attributes & RB_ATTR_TRANSACTIONAL);
	if (txn && body->transactional_id.len <= 0)
		kerr = KERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
	char *topic = NULL, *id = NULL;
	if (!kerr && txn && (!(topic = gc_cstr(&req->arena, part->topic)) ||
			     !(id = gc_cstr(&req->arena, body->transactional_id))))
		kerr = KERR_UNKNOWN_SERVER_ERROR;
	if (kerr || !txn) {
		if (!kerr)
			kerr = produce_append(req, part, &required);
		part_done(part, kerr, required);
		return;
	}
	part->tv.topic = topic;
	part->tv.partition = part->index;
	part->tv.txn_id = id;
	part->tv.h = &part->h;
	part->tv.fn = on_verified;
	part->tv.arg = part;
	txn_verify_gate(req->b, &part->tv);
}

/* Kafka's checks before any append: transactional batches need WRITE on
 * the request's transactional id, idempotent ones IDEMPOTENT_WRITE on the
 * cluster (a batch's header tells: attributes at 21, producer id at 43). */
static int16_t produce_authorize_producer(struct request *req)
{
	const struct produce_request *in = req->body;
	int txn = 0, idem = 0;
	/* without an authorizer nothing is refused here; a transactional batch
	 * without a transactional id then gets TRANSACTIONAL_ID_AUTHORIZATION_
	 * FAILED from produce_one, before verification */
	if (!authz_enabled(req->b))
		return 0;
	for (int32_t i = 0; i < in->topic_data.n; i++) {
		const struct produce_req_topic *t = &((const struct produce_req_topic *)in->topic_data.v)[i];
		for (int32_t j = 0; j < t->partition_data.n; j++) {
			const struct produce_req_partition *p =
				&((const struct produce_req_partition *)t->partition_data.v)[j];
			const uint8_t *r = p->records.p;
			if (p->records.len < 61 || r[16] != 2)
				continue; /* legacy message sets carry no producer */
			txn |= (r[22] & RB_ATTR_TRANSACTIONAL) != 0;
			idem |= (r[43] & 0x80) == 0; /* producer id >= 0 */
		}
	}
	if (txn && (in->transactional_id.len < 0 ||
		    !authz_txn_id(req, ACL_OP_WRITE, in->transactional_id)))
		return KERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
	if (!txn && idem && !authz_cluster(req, ACL_OP_IDEMPOTENT_WRITE))
		return KERR_CLUSTER_AUTHORIZATION_FAILED;
	return 0;
}

/* Failpoint produce.delay_txn=delay(MS) (delayed-retry tests): a Produce
 * with a transactional id is held MS on the loop before it is handled, as if
 * the network had delayed it; the client may have given up on it meanwhile. */
struct produce_delay {
	struct loop_timer t;
	struct request *req;
};

static void produce_run(struct request *req);

static void on_produce_delayed(struct loop_timer *t)
{
	produce_run(((struct produce_delay *)t->arg)->req);
}

static int produce_maybe_delay(struct request *req)
{
	const struct produce_request *in = req->body;
	long ms = failpoint_delay("produce.delay_txn");
	if (ms <= 0 || in->transactional_id.len <= 0)
		return 0;
	struct produce_delay *d = arena_alloc(&req->arena, sizeof *d);
	if (!d)
		return 0;
	d->req = req;
	loop_timer_init(&d->t, on_produce_delayed, d);
	log_warn("failpoint", "produce.delay_txn: holding a transactional Produce from %s for %ld ms",
		 request_peer(req), ms);
	loop_timer_start(req->b->loop, &d->t, ms);
	return 1;
}

void handle_produce(struct request *req)
{
	if (!produce_maybe_delay(req))
		produce_run(req);
}

static void produce_run(struct request *req)
{
	const struct produce_request *in = req->body;
	struct produce_response *out = arena_alloc(&req->arena, sizeof *out);
	struct produce_ctx *c = arena_alloc(&req->arena, sizeof *c);
	int32_t nt = in->topic_data.n > 0 ? in->topic_data.n : 0;
	int32_t total = 0;
	for (int32_t i = 0; i < nt; i++)
		total += ((const struct produce_req_topic *)in->topic_data.v)[i].partition_data.n;
	struct produce_wait *waits = arena_alloc(&req->arena, ((size_t)total + 1) * sizeof *waits);
	struct produce_part *parts = arena_alloc(&req->arena, ((size_t)total + 1) * sizeof *parts);
	if (!out || !c || !waits || !parts) {
		request_close(req, "out of memory");
		return;
	}
	out->responses.n = nt;
	out->responses.v = arena_alloc(&req->arena, (size_t)nt * sizeof(struct produce_resp_topic) + 1);
	if (!out->responses.v) {
		request_close(req, "out of memory");
		return;
	}
	*c = (struct produce_ctx){ req, out, waits, 0, 0, 1 };
	int16_t refused = produce_authorize_producer(req);
	int valid_acks = in->acks == 0 || in->acks == 1 || in->acks == -1;
	int32_t n = 0;
	for (int32_t i = 0; i < nt; i++) {
		const struct produce_req_topic *ti = &((const struct produce_req_topic *)in->topic_data.v)[i];
		struct produce_resp_topic *to = &((struct produce_resp_topic *)out->responses.v)[i];
		to->name = ti->name;
		int32_t np = ti->partition_data.n > 0 ? ti->partition_data.n : 0;
		to->partition_responses.n = np;
		to->partition_responses.v = arena_alloc(&req->arena, (size_t)np * sizeof(struct produce_resp_partition) + 1);
		if (!to->partition_responses.v) {
			request_close(req, "out of memory"); /* nothing parked yet: safe */
			return;
		}
	}
	rm_batch_begin(req->b->rm); /* one replication wake-up for the request */
	for (int32_t i = 0; i < nt; i++) {
		const struct produce_req_topic *ti = &((const struct produce_req_topic *)in->topic_data.v)[i];
		struct produce_resp_topic *to = &((struct produce_resp_topic *)out->responses.v)[i];
		struct topic_metrics *tm = ti->name.len > 0 ?
			metrics_topic(req->b->metrics, ti->name.p, (size_t)ti->name.len) : NULL;
		int16_t topic_err = refused ? refused
				  : authz_topic(req, ACL_OP_WRITE, ti->name)
					  ? 0 : KERR_TOPIC_AUTHORIZATION_FAILED;
		for (int32_t j = 0; j < to->partition_responses.n; j++) {
			const struct produce_req_partition *pi = &((const struct produce_req_partition *)ti->partition_data.v)[j];
			struct produce_resp_partition *po = &((struct produce_resp_partition *)to->partition_responses.v)[j];
			struct produce_part *part = &parts[n++];
			po->index = pi->index;
			po->base_offset = po->log_append_time_ms = po->log_start_offset = -1;
			/* v8+: no message, v10+: no leader hint (tagged, default -1) */
			po->error_message = (struct kstr){ NULL, -1 };
			po->current_leader = (struct produce_resp_leader){ -1, -1 };
			*part = (struct produce_part){ .ctx = c, .topic = ti->name, .index = pi->index,
						       .out = po, .tm = tm };
			c->pending++;
			if (!valid_acks)
				part_done(part, KERR_INVALID_REQUIRED_ACKS, -1);
			else if (topic_err)
				part_done(part, topic_err, -1);
			else
				produce_one(c, part, pi);
		}
	}
	rm_batch_end(req->b->rm);
	if (--c->pending == 0)
		produce_finish(c);
}
