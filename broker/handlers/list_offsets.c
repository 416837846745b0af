/* ListOffsets (2), v0-9: earliest (-2), latest (-1: the high watermark, or
 * for read_committed the last stable offset), the first offset at or after a
 * timestamp, and as Kafka 3.9 without tiered storage: the record with the
 * largest timestamp (-3, v7+), the earliest local offset (-4, v8+: the log
 * start) and the latest tiered offset (-5, v9+: none, -1). v0 answers Kafka's
 * legacy list of segment offsets (max_num_offsets of them). While a new
 * leader's high watermark still lags the start of its epoch, "latest" and
 * lookups past what is readable answer OFFSET_NOT_AVAILABLE (v5+) or
 * LEADER_NOT_AVAILABLE (v1-4), retriable, as Kafka's. Needs DESCRIBE on
 * each topic (TOPIC_AUTHORIZATION_FAILED), as Kafka. */
#include <stdlib.h>
#include <unistd.h>

#include "broker/auth/authorizer.h"
#include "broker/broker.h"
#include "broker/handlers/handlers.h"
#include "broker/metadata_cache.h"
#include "broker/txn/producer_state_manager.h"
#include "broker/replica/replica_manager.h"
#include "common/proto/kerr.h"
#include "common/proto/messages.h"
#include "common/clock.h"
#include "common/proto/record_batch.h"

#define LIST_LATEST (-1)
#define LIST_EARLIEST (-2)
#define LIST_MAX_TIMESTAMP (-3)
#define LIST_EARLIEST_LOCAL (-4)
#define LIST_LATEST_TIERED (-5)
#define LIST_V0_MAX_OFFSETS 1024 /* bounds v0's answer (max_num_offsets) */

/* The storage finds the first batch whose max timestamp reaches the target;
 * Kafka answers with the first record in it that does (FileRecords
 * .searchForTimestamp), with that record's own timestamp. Compressed batches
 * and LogAppendTime batches answer with the batch as a whole. */
static int64_t record_for_time(struct partition *p, int64_t batch_offset, int64_t target,
			       int64_t *ts)
{
	struct log_slice s;
	if (partition_read(p, READ_FOLLOWER, batch_offset, 1, &s) != 0 || s.len <= 0 ||
	    s.len > (1 << 24))
		return batch_offset;
	uint8_t *buf = malloc((size_t)s.len);
	struct rb_header h;
	if (!buf || pread(s.fd, buf, (size_t)s.len, s.pos) != s.len ||
	    rb_parse_header(buf, (size_t)s.len, &h) < 0 ||
	    (h.attributes & (RB_ATTR_COMPRESSION_MASK | RB_ATTR_LOG_APPEND_TIME))) {
		free(buf);
		return batch_offset;
	}
	int64_t found = batch_offset;
	struct rb_iter it;
	struct rb_record rec;
	rb_iter_init(&it, buf, (size_t)rb_total_size(buf, (size_t)s.len));
	while (rb_iter_next(&it, &rec) == 1) {
		int64_t off = h.base_offset + rec.offset_delta;
		int64_t rts = h.base_timestamp + rec.timestamp_delta;
		if (off >= batch_offset && rts >= target) {
			found = off;
			*ts = rts;
			break;
		}
	}
	free(buf);
	return found;
}

/* v0: Kafka's legacy answer, capped at the high watermark for consumers. */
static void list_v0(struct request *req, struct partition *p,
		    const struct list_offsets_req_partition *pi,
		    struct list_offsets_resp_partition *po)
{
	if (pi->timestamp < LIST_EARLIEST) {
		po->error_code = KERR_UNSUPPORTED_VERSION;
		return;
	}
	int32_t max = pi->max_num_offsets;
	if (max > LIST_V0_MAX_OFFSETS)
		max = LIST_V0_MAX_OFFSETS;
	int64_t *v = arena_alloc(&req->arena, (LIST_V0_MAX_OFFSETS + 2) * sizeof *v);
	if (!v) {
		po->error_code = KERR_UNKNOWN_SERVER_ERROR;
		return;
	}
	int n = max > 0 ? partition_legacy_offsets(p, pi->timestamp, max, clock_wall_ms(), v + 1,
					    LIST_V0_MAX_OFFSETS)
			: 0;
	int64_t *out = v + 1;
	int32_t replica_id = ((const struct list_offsets_request *)req->body)->replica_id;
	if (replica_id == -1) { /* a consumer: nothing past the high watermark */
		int k = 0;
		while (k < n && out[k] > p->high_watermark)
			k++;
		if (k > 0) {
			out += k - 1;
			out[0] = p->high_watermark;
			n -= k - 1;
		}
	}
	po->old_style_offsets = (struct karray){ n, out };
}

/* Kafka: a leader whose high watermark lags the start of its epoch cannot
 * yet say what is readable; the client retries. */
static int16_t offsets_not_ready(struct request *req, struct partition *p)
{
	if (p->epoch_start_offset <= p->high_watermark)
		return 0;
	return req->hdr.api_version >= 5 ? KERR_OFFSET_NOT_AVAILABLE : KERR_LEADER_NOT_AVAILABLE;
}

static void list_by_time(struct request *req, struct partition *p, int64_t target,
			 int64_t readable, struct list_offsets_resp_partition *po)
{
	int64_t ts = -1, off;
	if (target == LIST_MAX_TIMESTAMP) {
		off = partition_max_timestamp_batch(p, &ts);
		if (off >= 0)
			off = record_for_time(p, off, ts, &ts);
	} else {
		off = partition_offset_for_time(p, target, &ts);
		if (off >= 0)
			off = record_for_time(p, off, target, &ts);
	}
	if (off >= readable)
		off = -1;
	if (off < 0 && (po->error_code = offsets_not_ready(req, p)))
		return;
	po->offset = off;
	po->timestamp = off >= 0 ? ts : -1;
}

static void list_one(struct request *req, struct kstr topic,
		     const struct list_offsets_req_partition *pi,
		     struct list_offsets_resp_partition *po)
{
	const struct list_offsets_request *in = req->body;
	po->partition_index = pi->partition_index;
	po->timestamp = -1;
	po->offset = -1;
	po->leader_epoch = -1;
	if (!authz_topic(req, ACL_OP_DESCRIBE, topic)) {
		po->error_code = KERR_TOPIC_AUTHORIZATION_FAILED;
		return;
	}
	struct partition *p = rm_get(req->b->rm, topic.p, topic.len, pi->partition_index);
	if (!p) {
		po->error_code = mc_missing_partition_error(req->b->meta, topic.p, topic.len,
							    pi->partition_index);
		return;
	}
	if (!p->is_leader) {
		po->error_code = KERR_NOT_LEADER_OR_FOLLOWER;
		return;
	}
	if (req->hdr.api_version == 0) {
		list_v0(req, p, pi, po);
		return;
	}
	if (req->hdr.api_version >= 4 && pi->current_leader_epoch >= 0 &&
	    pi->current_leader_epoch != p->leader_epoch) {
		po->error_code = pi->current_leader_epoch < p->leader_epoch
					 ? KERR_FENCED_LEADER_EPOCH
					 : KERR_UNKNOWN_LEADER_EPOCH;
		return;
	}
	po->leader_epoch = p->leader_epoch;
	/* transactions (broker/txn): read_committed sees up to the LSO */
	int64_t readable = in->isolation_level == 1 ? partition_last_stable(p)
						     : p->high_watermark;
	switch (pi->timestamp) {
	case LIST_LATEST:
		if (!(po->error_code = offsets_not_ready(req, p)))
			po->offset = readable;
		break;
	case LIST_EARLIEST:
	case LIST_EARLIEST_LOCAL:
		po->offset = partition_log_start(p);
		break;
	case LIST_LATEST_TIERED: /* no tiered storage: nothing tiered */
		break;
	default:
		list_by_time(req, p, pi->timestamp, readable, po);
		break;
	}
}

void handle_list_offsets(struct request *req)
{
	const struct list_offsets_request *in = req->body;
	struct list_offsets_response *out = arena_alloc(&req->arena, sizeof *out);
	int32_t nt = in->topics.n > 0 ? in->topics.n : 0;
	if (!out || !(out->topics.v = arena_alloc(&req->arena, ((size_t)nt + 1) * sizeof(struct list_offsets_resp_topic)))) {
		request_close(req, "out of memory");
		return;
	}
	out->topics.n = nt;
	for (int32_t i = 0; i < nt; i++) {
		const struct list_offsets_req_topic *ti = &((const struct list_offsets_req_topic *)in->topics.v)[i];
		struct list_offsets_resp_topic *to = &((struct list_offsets_resp_topic *)out->topics.v)[i];
		int32_t np = ti->partitions.n > 0 ? ti->partitions.n : 0;
		to->name = ti->name;
		to->partitions.n = np;
		to->partitions.v = arena_alloc(&req->arena, ((size_t)np + 1) * sizeof(struct list_offsets_resp_partition));
		if (!to->partitions.v) {
			request_close(req, "out of memory");
			return;
		}
		for (int32_t j = 0; j < np; j++)
			list_one(req, ti->name,
				 &((const struct list_offsets_req_partition *)ti->partitions.v)[j],
				 &((struct list_offsets_resp_partition *)to->partitions.v)[j]);
	}
	request_respond(req, out);
}
