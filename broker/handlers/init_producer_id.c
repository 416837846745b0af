/* InitProducerId (22), v0-4. Without a transactional id: a fresh producer
 * id from this broker's claimed block, epoch 0 (idempotent producers may ask
 * any broker). With one: transactions are not served yet, so every broker
 * answers as one that is not the transaction coordinator, NOT_COORDINATOR,
 * which clients treat as retriable (they look the coordinator up again). */
#include "broker/broker.h"
#include "broker/handlers/handlers.h"
#include "broker/txn/pid_alloc.h"
#include "common/proto/kerr.h"
#include "common/proto/messages.h"

/* PROTOCOL.md §1.3: clients before v4 know PRODUCER_FENCED as
 * INVALID_PRODUCER_EPOCH. */
static int16_t init_pid_error_for_version(int16_t kerr, int16_t version)
{
	return kerr == KERR_PRODUCER_FENCED && version < 4 ? KERR_INVALID_PRODUCER_EPOCH : kerr;
}

static void init_pid_respond(struct request *req, int16_t kerr, int64_t pid)
{
	struct init_producer_id_response *out = arena_alloc(&req->arena, sizeof *out);
	if (!out) {
		request_close(req, "out of memory");
		return;
	}
	out->throttle_time_ms = 0;
	out->error_code = init_pid_error_for_version(kerr, req->hdr.api_version);
	out->producer_id = kerr ? -1 : pid;
	out->producer_epoch = kerr ? -1 : 0;
	request_respond(req, out);
}

static void init_pid_allocated(void *arg, int16_t kerr, int64_t pid)
{
	init_pid_respond(arg, kerr, pid);
}

void handle_init_producer_id(struct request *req)
{
	const struct init_producer_id_request *in = req->body;
	if (in->transactional_id.len >= 0) {
		init_pid_respond(req, KERR_NOT_COORDINATOR, -1);
		return;
	}
	pid_alloc_next(req->b->coord, init_pid_allocated, req);
}
