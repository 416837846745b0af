/* ListOffsets (2), v1-5: earliest (-2), latest (-1: the high watermark, which
 * is also the last stable offset while there are no transactions), or the
 * first offset at or after a timestamp. */
#include "broker/broker.h"
#include "broker/handlers/handlers.h"
#include "broker/replica/replica_manager.h"
#include "common/proto/kerr.h"
#include "common/proto/messages.h"

#define LIST_LATEST (-1)
#define LIST_EARLIEST (-2)

static void list_one(struct request *req, struct kstr topic,
		     const struct list_offsets_req_partition *pi,
		     struct list_offsets_resp_partition *po)
{
	po->partition_index = pi->partition_index;
	po->timestamp = -1;
	po->offset = -1;
	po->leader_epoch = -1;
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
		po->offset = p->high_watermark;
	} else if (pi->timestamp == LIST_EARLIEST) {
		po->offset = log_start_offset(p->log);
	} else {
		int64_t ts = -1;
		int64_t off = log_offset_for_time(p->log, pi->timestamp, &ts);
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
