/* LeaderAndIsr (4), v2: the controller tells this broker which partitions it
 * leads or follows. Each partition is applied by the replica manager only if
 * its leader epoch is not older than what the broker has. */
#include <string.h>

#include "broker/broker.h"
#include "broker/handlers/controller_requests.h"
#include "broker/handlers/handlers.h"
#include "broker/replica/replica_manager.h"
#include "common/proto/kerr.h"
#include "common/proto/messages.h"

/* The leader's address comes with the request (live_leaders), so a follower
 * can start fetching before any UpdateMetadata has arrived. */
static void leader_endpoint(struct request *req, const struct leader_and_isr_request *in,
			    int32_t leader, struct rm_partition_state *st)
{
	for (int32_t i = 0; i < in->live_leaders.n; i++) {
		const struct leader_and_isr_req_live_leader *l =
			&((const struct leader_and_isr_req_live_leader *)in->live_leaders.v)[i];
		if (l->broker_id != leader || l->host_name.len <= 0)
			continue;
		char *host = arena_alloc(&req->arena, (size_t)l->host_name.len + 1);
		if (!host)
			return;
		memcpy(host, l->host_name.p, (size_t)l->host_name.len);
		st->leader_host = host;
		st->leader_port = l->port;
		return;
	}
}

void handle_leader_and_isr(struct request *req)
{
	const struct leader_and_isr_request *in = req->body;
	struct leader_and_isr_response *out = arena_alloc(&req->arena, sizeof *out);
	if (!out) {
		request_close(req, "out of memory");
		return;
	}
	out->error_code = controller_request_check(req, in->controller_id, in->controller_epoch,
						   in->broker_epoch);
	if (out->error_code) {
		request_respond(req, out);
		return;
	}
	int32_t total = 0;
	for (int32_t i = 0; i < in->topic_states.n; i++)
		total += ((const struct leader_and_isr_req_topic_state *)in->topic_states.v)[i].partition_states.n;
	out->partition_errors.v = arena_alloc(&req->arena, ((size_t)total + 1) * sizeof(struct leader_and_isr_resp_partition_error));
	if (!out->partition_errors.v) {
		request_close(req, "out of memory");
		return;
	}
	struct leader_and_isr_resp_partition_error *pe = out->partition_errors.v;
	int32_t k = 0;
	for (int32_t i = 0; i < in->topic_states.n; i++) {
		const struct leader_and_isr_req_topic_state *t =
			&((const struct leader_and_isr_req_topic_state *)in->topic_states.v)[i];
		for (int32_t j = 0; j < t->partition_states.n; j++) {
			const struct leader_and_isr_req_partition_state *ps =
				&((const struct leader_and_isr_req_partition_state *)t->partition_states.v)[j];
			pe[k].topic_name = t->topic_name;
			pe[k].partition_index = ps->partition_index;
			struct rm_partition_state st = {
				.topic = t->topic_name.p, .tlen = t->topic_name.len,
				.index = ps->partition_index, .leader = ps->leader,
				.leader_epoch = ps->leader_epoch,
				.controller_epoch = ps->controller_epoch,
				.zk_version = ps->partition_epoch,
				.replicas = ps->replicas.v, .nreplicas = ps->replicas.n,
				.isr = ps->isr.v, .nisr = ps->isr.n,
				.is_new = ps->is_new,
			};
			leader_endpoint(req, in, ps->leader, &st);
			pe[k].error_code = (int16_t)rm_apply_leader_and_isr(req->b->rm, &st);
			k++;
		}
	}
	out->partition_errors.n = k;
	request_respond(req, out);
}
