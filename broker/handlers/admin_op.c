/* Admin ops: polling the metadata cache every 50 ms is cheap and avoids a
 * notification path from UpdateMetadata back to pending admin requests. */
#include "broker/handlers/admin_op.h"

#include <stdlib.h>
#include <string.h>

#include "broker/broker.h"
#include "common/clock.h"

#define ADMIN_POLL_MS 50

static void admin_poll(struct loop_timer *t)
{
	struct admin_op *op = t->arg;
	if (op->ready && !op->ready(op)) {
		if (clock_mono_ms() < op->deadline) {
			loop_timer_start(op->req->b->loop, &op->timer, ADMIN_POLL_MS);
			return;
		}
		if (op->expire && op->timeout_ms > 0)
			op->expire(op);
	}
	struct request *req = op->req;
	void *out = op->out;
	free(op);
	request_respond(req, out);
}

struct admin_op *admin_op_new(struct request *req, void *out, int32_t timeout_ms,
			      int (*ready)(struct admin_op *op))
{
	struct admin_op *op = calloc(1, sizeof *op);
	if (!op)
		return NULL;
	op->req = req;
	op->out = out;
	op->pending = 1;
	op->timeout_ms = timeout_ms;
	op->deadline = clock_mono_ms() + (timeout_ms > 0 ? timeout_ms : 0);
	op->ready = ready;
	loop_timer_init(&op->timer, admin_poll, op);
	return op;
}

void admin_op_hold(struct admin_op *op) { op->pending++; }

void admin_op_release(struct admin_op *op)
{
	if (--op->pending == 0)
		admin_poll(&op->timer);
}

struct admin_write *admin_write_new(struct admin_op *op, int16_t *error_code,
				    struct kstr *error_message)
{
	struct admin_write *w = malloc(sizeof *w);
	if (!w)
		return NULL;
	w->op = op;
	w->error_code = error_code;
	w->error_message = error_message;
	admin_op_hold(op);
	return w;
}

void admin_write_done(void *arg, int16_t kerr, const char *msg)
{
	struct admin_write *w = arg;
	*w->error_code = kerr;
	if (kerr && msg && w->error_message) {
		size_t n = strlen(msg);
		char *copy = arena_alloc(&w->op->req->arena, n + 1);
		if (copy) {
			memcpy(copy, msg, n);
			*w->error_message = (struct kstr){ copy, (int32_t)n };
		}
	}
	struct admin_op *op = w->op;
	free(w);
	admin_op_release(op);
}
