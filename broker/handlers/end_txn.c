/* EndTxn (26), v0-3: commit or abort the producer's transaction; answered
 * once PrepareCommit/PrepareAbort is persisted, the markers follow. Needs
 * WRITE on the transactional id. */
#include "broker/auth/authorizer.h"
#include "broker/broker.h"
#include "broker/group/coordinator.h"
#include "broker/handlers/handlers.h"
#include "broker/txn/txn_coordinator.h"
#include "common/proto/kerr.h"
#include "common/proto/messages.h"

static void end_done(void *arg, int16_t kerr)
{
	struct request *req = arg;
	struct end_txn_response *out = arena_alloc(&req->arena, sizeof *out);
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

void handle_end_txn(struct request *req)
{
	const struct end_txn_request *in = req->body;
	char *id = gc_cstr(&req->arena, in->transactional_id);
	if (!authz_txn_id(req, ACL_OP_WRITE, in->transactional_id)) {
		end_done(req, KERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
		return;
	}
	struct txn_coordinator *tc = tc_get(req->b);
	if (!tc || !id) {
		end_done(req, tc ? KERR_INVALID_REQUEST : KERR_COORDINATOR_NOT_AVAILABLE);
		return;
	}
	tc_end_txn(tc, id, in->producer_id, in->producer_epoch, in->committed != 0, end_done, req);
}
