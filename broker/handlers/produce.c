/* Produce (0), v0-7: validate each partition's batch, append it on the leader,
 * answer per partition. acks=0 gets no response; acks=all waits (delayed
 * produce) until every ISR member has the batch. Compressed batches are
 * inflated to check their records, then stored as sent. v0-2 may also carry
 * legacy message sets (magic 0/1): converted to one v2 batch first, which
 * then goes the same way (common/proto/message_set.h).
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
#include "broker/txn/producer_state_manager.h"
#include "common/clock.h"
#include "common/compress.h"
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

/* message.timestamp.type=LogAppendTime: the broker's clock becomes the
 * batch's timestamp (attribute bit 3, maxTimestamp), so the CRC, which
 * covers both, is computed again. Returns the time stamped. */
static int64_t stamp_log_append_time(uint8_t *batch, size_t len)
{
	int64_t now = clock_wall_ms();
	uint16_t attrs = (uint16_t)(batch[21] << 8 | batch[22]) | RB_ATTR_LOG_APPEND_TIME;
	batch[21] = (uint8_t)(attrs >> 8);
	batch[22] = (uint8_t)attrs;
	for (int i = 0; i < 8; i++)
		batch[35 + i] = (uint8_t)((uint64_t)now >> (56 - 8 * i));
	uint32_t crc = crc32c(0, batch + 21, len - 21);
	for (int i = 0; i < 4; i++)
		batch[17 + i] = (uint8_t)(crc >> (24 - 8 * i));
	return now;
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

/* Appends one partition's batch; *required is the high watermark that
 * acknowledges it under acks=all (-1 when nothing was written). */
static int16_t produce_one(struct request *req, struct kstr topic,
			   const struct produce_req_partition *in,
			   struct produce_resp_partition *out, int64_t *required,
			   struct topic_metrics *tm)
{
	int16_t acks = ((const struct produce_request *)req->body)->acks;
	*required = -1;
	struct broker *b = req->b;
	out->index = in->index;
	out->base_offset = -1;
	out->log_append_time_ms = -1;
	out->log_start_offset = -1;
	struct partition *p = rm_get(b->rm, topic.p, topic.len, in->index);
	if (!p) {
		if (authz_may_create_topic(req, topic))
			autocreate_topic(b, topic);
		return KERR_UNKNOWN_TOPIC_OR_PARTITION;
	}
	if (!p->is_leader)
		return KERR_NOT_LEADER_OR_FOLLOWER;
	struct topic_config tc;
	topic_config_effective(b, topic.p, topic.len, &tc);
	if (acks == -1 && p->nisr < tc.min_insync_replicas)
		return KERR_NOT_ENOUGH_REPLICAS;
	if (in->records.len <= 0)
		return KERR_CORRUPT_MESSAGE;
	/* the request owns its frame, and the converted batch is this thread's:
	 * both may be stamped in place below */
	uint8_t *batch = (uint8_t *)in->records.p;
	size_t len = (size_t)in->records.len;
	int rc = convert_legacy(req->hdr.api_version, &batch, &len, &tc);
	if (rc)
		return (int16_t)rc;
	struct rb_header h;
	if ((rc = rb_validate_produce(batch, len, tc.max_message_bytes, &h)) != 0)
		return (int16_t)rc;
	if ((h.attributes & RB_ATTR_COMPRESSION_MASK) == 4 && req->hdr.api_version < 7)
		return KERR_UNSUPPORTED_COMPRESSION_TYPE;
	if ((rc = check_records(batch, len, &h, &tc)) != 0)
		return (int16_t)rc;
	/* idempotence (broker/txn): epoch and sequence checks; a resend of one
	 * of the producer's last five batches is answered with its original
	 * offset and appended again never */
	int dup = 0;
	rc = psm_check_produce(p->log, &h, &dup, &out->base_offset);
	if (rc)
		return (int16_t)rc;
	if (dup) {
		out->log_start_offset = log_start_offset(p->log);
		*required = out->base_offset + h.last_offset_delta + 1;
		return 0;
	}
	if (tc.log_append_time)
		out->log_append_time_ms = stamp_log_append_time(batch, len);
	rc = rm_append(b->rm, p, batch, len, &out->base_offset);
	if (rc)
		return (int16_t)rc;
	metrics_count_append(b->metrics, tm, (uint64_t)h.last_offset_delta + 1, len);
	out->log_start_offset = log_start_offset(p->log);
	*required = out->base_offset + h.last_offset_delta + 1;
	return 0;
}

/* Kafka's checks before any append: transactional batches need WRITE on
 * the request's transactional id, idempotent ones IDEMPOTENT_WRITE on the
 * cluster (a batch's header tells: attributes at 21, producer id at 43). */
static int16_t produce_authorize_producer(struct request *req)
{
	const struct produce_request *in = req->body;
	int txn = 0, idem = 0;
	/* without an authorizer nothing is refused here; a transactional batch
	 * without a transactional id then fails validation (INVALID_RECORD) */
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

static int16_t produce_refuse(const struct produce_req_partition *in,
			      struct produce_resp_partition *out, int16_t err)
{
	out->index = in->index;
	out->base_offset = -1;
	out->log_append_time_ms = -1;
	out->log_start_offset = -1;
	return err;
}

void handle_produce(struct request *req)
{
	const struct produce_request *in = req->body;
	struct produce_response *out = arena_alloc(&req->arena, sizeof *out);
	int32_t nt = in->topic_data.n > 0 ? in->topic_data.n : 0;
	out->responses.n = nt;
	out->responses.v = arena_alloc(&req->arena, (size_t)nt * sizeof(struct produce_resp_topic) + 1);
	if (!out->responses.v) {
		request_close(req, "out of memory");
		return;
	}
	int failed = 0;
	int32_t nwait = 0, total = 0;
	for (int32_t i = 0; i < nt; i++)
		total += ((const struct produce_req_topic *)in->topic_data.v)[i].partition_data.n;
	struct produce_wait *waits = arena_alloc(&req->arena, ((size_t)total + 1) * sizeof *waits);
	if (!waits) {
		request_close(req, "out of memory");
		return;
	}
	int16_t refused = produce_authorize_producer(req);
	rm_batch_begin(req->b->rm);
	for (int32_t i = 0; i < nt; i++) {
		const struct produce_req_topic *ti = &((const struct produce_req_topic *)in->topic_data.v)[i];
		struct produce_resp_topic *to = &((struct produce_resp_topic *)out->responses.v)[i];
		to->name = ti->name;
		struct topic_metrics *tm = ti->name.len > 0 ?
			metrics_topic(req->b->metrics, ti->name.p, (size_t)ti->name.len) : NULL;
		int16_t topic_err = refused ? refused
				  : authz_topic(req, ACL_OP_WRITE, ti->name)
					  ? 0 : KERR_TOPIC_AUTHORIZATION_FAILED;
		int32_t np = ti->partition_data.n > 0 ? ti->partition_data.n : 0;
		to->partition_responses.n = np;
		to->partition_responses.v = arena_alloc(&req->arena, (size_t)np * sizeof(struct produce_resp_partition) + 1);
		if (!to->partition_responses.v) {
			rm_batch_end(req->b->rm);
			request_close(req, "out of memory");
			return;
		}
		for (int32_t j = 0; j < np; j++) {
			const struct produce_req_partition *pi = &((const struct produce_req_partition *)ti->partition_data.v)[j];
			struct produce_resp_partition *po = &((struct produce_resp_partition *)to->partition_responses.v)[j];
			/* v8+: no message, v10+: no leader hint (tagged, default -1) */
			po->error_message = (struct kstr){ NULL, -1 };
			po->current_leader = (struct produce_resp_leader){ -1, -1 };
			int valid_acks = in->acks == 0 || in->acks == 1 || in->acks == -1;
			int64_t required = -1;
			po->error_code = !valid_acks ? produce_refuse(pi, po, KERR_INVALID_REQUIRED_ACKS)
					 : topic_err ? produce_refuse(pi, po, topic_err)
					 : produce_one(req, ti->name, pi, po, &required, tm);
			failed += po->error_code != 0;
			metrics_count_produce(req->b->metrics, tm, po->error_code);
			if (in->acks == -1 && required >= 0)
				waits[nwait++] = (struct produce_wait){ ti->name, pi->index, required,
									&po->error_code };
		}
	}
	rm_batch_end(req->b->rm);
	if (in->acks == 0) {
		/* Kafka closes the connection when an acks=0 produce fails, the only
		 * way to tell a client that expects no answer */
		if (failed)
			request_close(req, "acks=0 produce failed");
		else
			request_finish_silent(req);
		return;
	}
	if (nwait)
		delayed_produce_start(req, out, waits, nwait, in->timeout_ms);
	else
		request_respond(req, out);
}
