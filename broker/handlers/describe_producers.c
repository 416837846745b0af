/* DescribeProducers (61), v0: the active producers of partitions this
 * broker leads, from their producer state (broker/txn). Needs READ on each
 * topic (TOPIC_AUTHORIZATION_FAILED), as Kafka. */
#include "broker/auth/authorizer.h"
#include "broker/broker.h"
#include "broker/handlers/handlers.h"
#include "broker/replica/replica_manager.h"
#include "broker/txn/producer_state_manager.h"
#include "common/proto/kerr.h"
#include "common/proto/messages.h"

static int16_t dp_partition(struct request *req, struct kstr topic, int32_t index,
			    struct describe_producers_resp_partition *po)
{
	po->partition_index = index;
	po->error_message = (struct kstr){ NULL, -1 };
	po->active_producers = (struct karray){ 0, NULL };
	if (!authz_topic(req, ACL_OP_READ, topic))
		return KERR_TOPIC_AUTHORIZATION_FAILED;
	struct partition *p = rm_get(req->b->rm, topic.p, topic.len, index);
	if (!p)
		return KERR_UNKNOWN_TOPIC_OR_PARTITION;
	if (!p->is_leader)
		return KERR_NOT_LEADER_OR_FOLLOWER;
	struct producer_state_manager *m = p->psm;
	if (!m)
		return 0;
	size_t n = m->state.n;
	struct describe_producers_resp_producer *v = arena_alloc(&req->arena, (n + 1) * sizeof *v);
	if (!v)
		return KERR_UNKNOWN_SERVER_ERROR;
	for (size_t i = 0; i < n; i++) {
		const struct ps_entry *e = &m->state.v[i];
		const struct ps_batch *b = e->nbatches ? &e->batches[e->nbatches - 1] : NULL;
		v[i] = (struct describe_producers_resp_producer){
			e->producer_id, e->epoch, b ? b->last_seq : -1,
			b ? b->timestamp : e->last_timestamp, e->coordinator_epoch,
			tt_open_first(&m->txns, e->producer_id) };
	}
	po->active_producers = (struct karray){ (int32_t)n, v };
	return 0;
}

void handle_describe_producers(struct request *req)
{
	const struct describe_producers_request *in = req->body;
	struct describe_producers_response *out = arena_alloc(&req->arena, sizeof *out);
	int32_t nt = in->topics.n > 0 ? in->topics.n : 0;
	const struct describe_producers_req_topic *ti = in->topics.v;
	struct describe_producers_resp_topic *to = arena_alloc(&req->arena, ((size_t)nt + 1) * sizeof *to);
	if (!out || !to) {
		request_close(req, "out of memory");
		return;
	}
	out->throttle_time_ms = 0;
	out->topics = (struct karray){ nt, to };
	for (int32_t i = 0; i < nt; i++) {
		int32_t np = ti[i].partition_indexes.n > 0 ? ti[i].partition_indexes.n : 0;
		const int32_t *ids = ti[i].partition_indexes.v;
		struct describe_producers_resp_partition *po =
			arena_alloc(&req->arena, ((size_t)np + 1) * sizeof *po);
		if (!po) {
			request_close(req, "out of memory");
			return;
		}
		to[i].name = ti[i].name;
		to[i].partitions = (struct karray){ np, po };
		for (int32_t j = 0; j < np; j++)
			po[j].error_code = dp_partition(req, ti[i].name, ids[j], &po[j]);
	}
	request_respond(req, out);
}
