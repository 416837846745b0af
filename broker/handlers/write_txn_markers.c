/* WriteTxnMarkers (27), v0-1, from transaction coordinators: appends each
 * marker's control batch to the partitions this broker leads (acks=all)
 * and answers per partition once all are acknowledged. */
#include <string.h>

#include "broker/broker.h"
#include "broker/group/coordinator.h"
#include "broker/handlers/handlers.h"
#include "broker/replica/replica_manager.h"
#include "broker/txn/txn_coordinator.h"
#include "common/proto/kerr.h"
#include "common/proto/messages.h"

struct wtm_ctx {
	struct request *req;
	struct write_txn_markers_response *out;
	int left;
};

static void wtm_part_done(void *arg, struct txn_marker_part *parts, int n);

/* One marker's partitions, flattened; results go back per topic. */
struct wtm_marker {
	struct wtm_ctx *ctx;
	int mi;
	struct txn_marker_part *parts;
	int n;
};

static void wtm_finish(struct wtm_ctx *c)
{
	if (--c->left == 0)
		request_respond(c->req, c->out);
}

static void wtm_part_done(void *arg, struct txn_marker_part *parts, int n)
{
	struct wtm_marker *wm = arg;
	struct write_txn_markers_resp_marker *rm = wm->ctx->out->markers.v;
	struct write_txn_markers_resp_topic *rt = rm[wm->mi].topics.v;
	int k = 0;
	for (int32_t t = 0; t < rm[wm->mi].topics.n; t++) {
		struct write_txn_markers_resp_partition *rp = rt[t].partitions.v;
		for (int32_t j = 0; j < rt[t].partitions.n && k < n; j++, k++)
			rp[j].error_code = parts[k].error;
	}
	wtm_finish(wm->ctx);
}

static int wtm_one(struct wtm_ctx *c, int mi, const struct write_txn_markers_req_marker *m)
{
	struct arena *a = &c->req->arena;
	struct write_txn_markers_resp_marker *rm = &((struct write_txn_markers_resp_marker *)c->out->markers.v)[mi];
	int32_t nt = m->topics.n > 0 ? m->topics.n : 0, total = 0;
	const struct write_txn_markers_req_topic *ti = m->topics.v;
	for (int32_t t = 0; t < nt; t++)
		total += ti[t].partition_indexes.n > 0 ? ti[t].partition_indexes.n : 0;
	struct write_txn_markers_resp_topic *rt = arena_alloc(a, ((size_t)nt + 1) * sizeof *rt);
	struct wtm_marker *wm = arena_alloc(a, sizeof *wm);
	struct txn_marker_part *parts = arena_alloc(a, ((size_t)total + 1) * sizeof *parts);
	if (!rt || !wm || !parts)
		return -1;
	rm->producer_id = m->producer_id;
	rm->topics = (struct karray){ nt, rt };
	int n = 0;
	for (int32_t t = 0; t < nt; t++) {
		int32_t np = ti[t].partition_indexes.n > 0 ? ti[t].partition_indexes.n : 0;
		const int32_t *ids = ti[t].partition_indexes.v;
		char *topic = gc_cstr(a, ti[t].name);
		rt[t].name = ti[t].name;
		rt[t].partitions = (struct karray){ np, arena_alloc(a, ((size_t)np + 1) * sizeof(struct write_txn_markers_resp_partition)) };
		if (!topic || !rt[t].partitions.v)
			return -1;
		struct write_txn_markers_resp_partition *rp = rt[t].partitions.v;
		for (int32_t j = 0; j < np; j++) {
			rp[j] = (struct write_txn_markers_resp_partition){ ids[j], 0 };
			parts[n++] = (struct txn_marker_part){ topic, ids[j], 0 };
		}
	}
	*wm = (struct wtm_marker){ c, mi, parts, n };
	c->left++;
	txn_markers_write_local(c->req->b, m->producer_id, m->producer_epoch,
				m->transaction_result != 0, m->coordinator_epoch, parts, n,
				wtm_part_done, wm);
	return 0;
}

void handle_write_txn_markers(struct request *req)
{
	const struct write_txn_markers_request *in = req->body;
	struct write_txn_markers_response *out = arena_alloc(&req->arena, sizeof *out);
	struct wtm_ctx *c = arena_alloc(&req->arena, sizeof *c);
	int32_t nm = in->markers.n > 0 ? in->markers.n : 0;
	if (!out || !c || !(out->markers.v = arena_alloc(&req->arena, ((size_t)nm + 1) * sizeof(struct write_txn_markers_resp_marker)))) {
		request_close(req, "out of memory");
		return;
	}
	out->markers.n = nm;
	*c = (struct wtm_ctx){ req, out, 1 };
	const struct write_txn_markers_req_marker *mv = in->markers.v;
	rm_batch_begin(req->b->rm); /* one replication wake-up for the request */
	for (int32_t i = 0; i < nm; i++)
		if (wtm_one(c, i, &mv[i]) < 0) {
			/* earlier markers' appends still call back into c: answer
			 * with what is filled once they are done */
			out->markers.n = i;
			break;
		}
	rm_batch_end(req->b->rm);
	wtm_finish(c);
}
