/* OffsetForLeaderEpoch (23), v3: a follower asks where its latest epoch ends
 * on the leader, to truncate a divergent tail before fetching (KIP-101,
 * KIP-279). Answered from the leader's epoch cache. Needs CLUSTER_ACTION on
 * the cluster or else DESCRIBE on the topic (consumers use it since KIP-320),
 * as Kafka: TOPIC_AUTHORIZATION_FAILED. */
#include "broker/auth/authorizer.h"
#include "broker/broker.h"
#include "broker/handlers/handlers.h"
#include "broker/metadata_cache.h"
#include "broker/replica/replica_manager.h"
#include "common/proto/kerr.h"
#include "common/proto/messages.h"

static void answer_one(struct request *req, struct kstr topic,
		       const struct offset_for_leader_epoch_req_partition *pi,
		       struct offset_for_leader_epoch_resp_partition *po)
{
	po->partition = pi->partition;
	po->leader_epoch = -1;
	po->end_offset = -1;
	struct partition *p = rm_get(req->b->rm, topic.p, topic.len, pi->partition);
	if (!authz_cluster(req, ACL_OP_CLUSTER_ACTION) &&
	    !authz_topic(req, ACL_OP_DESCRIBE, topic)) {
		po->error_code = KERR_TOPIC_AUTHORIZATION_FAILED;
	} else if (!p) {
		po->error_code = mc_missing_partition_error(req->b->meta, topic.p, topic.len,
							    pi->partition);
	} else if (!p->is_leader) {
		po->error_code = KERR_NOT_LEADER_OR_FOLLOWER;
	} else if (pi->current_leader_epoch >= 0 && pi->current_leader_epoch != p->leader_epoch) {
		po->error_code = pi->current_leader_epoch < p->leader_epoch ? KERR_FENCED_LEADER_EPOCH
									    : KERR_UNKNOWN_LEADER_EPOCH;
	} else {
		partition_epoch_end(p, pi->leader_epoch, &po->leader_epoch, &po->end_offset);
	}
}

void handle_offset_for_leader_epoch(struct request *req)
{
	const struct offset_for_leader_epoch_request *in = req->body;
	struct offset_for_leader_epoch_response *out = arena_alloc(&req->arena, sizeof *out);
	int32_t nt = in->topics.n > 0 ? in->topics.n : 0;
	if (!out || !(out->topics.v = arena_alloc(&req->arena, ((size_t)nt + 1) *
						 sizeof(struct offset_for_leader_epoch_resp_topic)))) {
		request_close(req, "out of memory");
		return;
	}
	out->topics.n = nt;
	for (int32_t i = 0; i < nt; i++) {
		const struct offset_for_leader_epoch_req_topic *ti =
			&((const struct offset_for_leader_epoch_req_topic *)in->topics.v)[i];
		struct offset_for_leader_epoch_resp_topic *to =
			&((struct offset_for_leader_epoch_resp_topic *)out->topics.v)[i];
		int32_t np = ti->partitions.n > 0 ? ti->partitions.n : 0;
		to->topic = ti->topic;
		to->partitions.n = np;
		to->partitions.v = arena_alloc(&req->arena, ((size_t)np + 1) *
					       sizeof(struct offset_for_leader_epoch_resp_partition));
		if (!to->partitions.v) {
			request_close(req, "out of memory");
			return;
		}
		for (int32_t j = 0; j < np; j++)
			answer_one(req, ti->topic,
				   &((const struct offset_for_leader_epoch_req_partition *)ti->partitions.v)[j],
				   &((struct offset_for_leader_epoch_resp_partition *)to->partitions.v)[j]);
	}
	request_respond(req, out);
}
