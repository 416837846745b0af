/* ListOffsets (2), v1-5: earliest (-2), latest (-1: the high watermark, which
 * is also the last stable offset while there are no transactions), or the
 * first offset at or after a timestamp. Needs DESCRIBE on each topic
 * (TOPIC_AUTHORIZATION_FAILED), as Kafka. */
#include <stdlib.h>
#include <unistd.h>

#include "broker/auth/authorizer.h"
#include "broker/broker.h"
#include "broker/handlers/handlers.h"
#include "broker/txn/producer_state_manager.h"
#include "broker/replica/replica_manager.h"
#include "common/proto/kerr.h"
#include "common/proto/messages.h"
#include "common/proto/record_batch.h"

#define LIST_LATEST (-1)
#define LIST_EARLIEST (-2)

/* The storage finds the first batch whose max timestamp reaches the target;
 * Kafka answers with the first record in it that does (FileRecords
 * .searchForTimestamp), with that record's own timestamp. Compressed batches
 * and LogAppendTime batches answer with the batch as a whole. */
static int64_t record_for_time(struct partition *p, int64_t batch_offset, int64_t target,
			       int64_t *ts)
{
	struct log_slice s;
	if (log_read(p->log, batch_offset, 1, log_end_offset(p->log), &s) < 0 || s.len <= 0 ||
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

static void list_one(struct request *req, struct kstr topic,
		     const struct list_offsets_req_partition *pi,
		     struct list_offsets_resp_partition *po)
{
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
		po->error_code = KERR_UNKNOWN_TOPIC_OR_PARTITION;
		return;
	}
	if (!p->is_leader) {
		po->error_code = KERR_NOT_LEADER_OR_FOLLOWER;
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
	if (pi->timestamp == LIST_LATEST) {
		/* transactions (broker/txn): read_committed sees up to the LSO */
		int committed = ((const struct list_offsets_request *)req->body)->isolation_level == 1;
		po->offset = committed ? psm_lso(p->log, p->high_watermark) : p->high_watermark;
	} else if (pi->timestamp == LIST_EARLIEST) {
		po->offset = log_start_offset(p->log);
	} else {
		int64_t ts = -1;
		int64_t off = log_offset_for_time(p->log, pi->timestamp, &ts);
		if (off >= 0)
			off = record_for_time(p, off, pi->timestamp, &ts);
		if (off >= p->high_watermark)
			off = -1;
		po->offset = off;
		po->timestamp = off >= 0 ? ts : -1;
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
