/* AddOffsetsToTxn (25), v0-3: adds the group's __consumer_offsets
 * partition to the producer's transaction (its TxnOffsetCommit then
 * becomes part of it). Needs WRITE on the transactional id and READ on
 * the group, as Kafka. */
#include "broker/auth/authorizer.h"
#include "broker/broker.h"
#include "broker/group/coordinator.h"
#include "broker/handlers/handlers.h"
#include "broker/txn/txn_coordinator.h"
#include "common/proto/kerr.h"
#include "common/proto/messages.h"

static void aot_done(void *arg, int16_t kerr)
{
	struct request *req = arg;
	struct add_offsets_to_txn_response *out = arena_alloc(&req->arena, sizeof *out);
	if (!out) {
		request_close(req, "out of memory");
		return;
	}
	out->throttle_time_ms = 0;
	/* docs/protocol.md §1.3: PRODUCER_FENCED is INVALID_PRODUCER_EPOCH before v2 */
	out->error_code = kerr == KERR_PRODUCER_FENCED && req->hdr.api_version < 2
				  ? KERR_INVALID_PRODUCER_EPOCH : kerr;
	request_respond(req, out);
}

void handle_add_offsets_to_txn(struct request *req)
{
	const struct add_offsets_to_txn_request *in = req->body;
	char *id = gc_cstr(&req->arena, in->transactional_id);
	char *group = gc_cstr(&req->arena, in->group_id);
	if (!authz_txn_id(req, ACL_OP_WRITE, in->transactional_id)) {
		aot_done(req, KERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
		return;
	}
	if (!authz_group(req, ACL_OP_READ, in->group_id)) {
		aot_done(req, KERR_GROUP_AUTHORIZATION_FAILED);
		return;
	}
	struct txn_coordinator *tc = tc_get(req->b);
	if (!tc) {
		aot_done(req, KERR_COORDINATOR_NOT_AVAILABLE);
		return;
	}
	if (!id || !group || !group[0]) {
		aot_done(req, !group || !group[0] ? KERR_INVALID_GROUP_ID : KERR_INVALID_REQUEST);
		return;
	}
	struct tc_tp tp = { GC_OFFSETS_TOPIC, tc_offsets_partition(tc, group) };
	tc_add_partitions(tc, id, in->producer_id, in->producer_epoch, &tp, 1, aot_done, req);
}
