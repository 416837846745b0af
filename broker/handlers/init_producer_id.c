/* InitProducerId (22), v0-4. Without a transactional id: a fresh producer
 * id from this broker's claimed block, epoch 0 (idempotent producers may ask
 * any broker). With one: the transaction coordinator (broker/txn) gives a
 * new id, or bumps the epoch and fences the id's previous producer;
 * NOT_COORDINATOR from a broker that is not the id's coordinator. Needs
 * WRITE on the transactional id, or IDEMPOTENT_WRITE on the cluster without
 * one (Kafka 2.x). */
#include <string.h>

#include "broker/auth/authorizer.h"
#include "broker/broker.h"
#include "broker/handlers/handlers.h"
#include "broker/txn/pid_alloc.h"
#include "broker/txn/txn_coordinator.h"
#include "common/proto/kerr.h"
#include "common/proto/messages.h"

/* docs/protocol.md §1.3: clients before v4 know PRODUCER_FENCED as
 * INVALID_PRODUCER_EPOCH. */
static int16_t init_pid_error_for_version(int16_t kerr, int16_t version)
{
	return kerr == KERR_PRODUCER_FENCED && version < 4 ? KERR_INVALID_PRODUCER_EPOCH : kerr;
}

static void init_pid_respond_epoch(struct request *req, int16_t kerr, int64_t pid,
				   int16_t epoch)
{
	struct init_producer_id_response *out = arena_alloc(&req->arena, sizeof *out);
	if (!out) {
		request_close(req, "out of memory");
		return;
	}
	out->throttle_time_ms = 0;
	out->error_code = init_pid_error_for_version(kerr, req->hdr.api_version);
	out->producer_id = kerr ? -1 : pid;
	out->producer_epoch = kerr ? -1 : epoch;
	request_respond(req, out);
}

static void init_pid_respond(struct request *req, int16_t kerr, int64_t pid)
{
	init_pid_respond_epoch(req, kerr, pid, 0);
}

/* ---- transactional ids (broker/txn) ---- */
static void init_pid_txn_done(void *arg, int16_t kerr, int64_t pid, int16_t epoch)
{
	init_pid_respond_epoch(arg, kerr, pid, epoch);
}

static void init_pid_transactional(struct request *req)
{
	const struct init_producer_id_request *in = req->body;
	struct txn_coordinator *tc = tc_get(req->b);
	char *id = arena_alloc(&req->arena, (size_t)in->transactional_id.len + 1);
	if (!tc || !id) {
		init_pid_respond(req, KERR_COORDINATOR_NOT_AVAILABLE, -1);
		return;
	}
	if (in->transactional_id.len)
		memcpy(id, in->transactional_id.p, (size_t)in->transactional_id.len);
	id[in->transactional_id.len] = 0;
	int v3 = req->hdr.api_version >= 3;
	tc_init_producer_id(tc, id, in->transaction_timeout_ms, v3 ? in->producer_id : -1,
			    v3 ? in->producer_epoch : -1, init_pid_txn_done, req);
}
/* ---- end transactional ids ---- */

static void init_pid_allocated(void *arg, int16_t kerr, int64_t pid)
{
	init_pid_respond(arg, kerr, pid);
}

void handle_init_producer_id(struct request *req)
{
	const struct init_producer_id_request *in = req->body;
	/* as KafkaApis: WRITE on the transactional id, else IDEMPOTENT_WRITE on
	 * the cluster */
	if (in->transactional_id.len >= 0 &&
	    !authz_txn_id(req, ACL_OP_WRITE, in->transactional_id)) {
		init_pid_respond(req, KERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED, -1);
		return;
	}
	if (in->transactional_id.len < 0 && !authz_cluster(req, ACL_OP_IDEMPOTENT_WRITE)) {
		init_pid_respond(req, KERR_CLUSTER_AUTHORIZATION_FAILED, -1);
		return;
	}
	if (in->transactional_id.len >= 0) {
		init_pid_transactional(req);
		return;
	}
	pid_alloc_next(req->b->pids, init_pid_allocated, req);
}
