/* TxnOffsetCommit (28), v0-3, on the group coordinator: checks the group
 * (v3: member, generation and static instance as Kafka's KIP-447 rules),
 * writes the offsets as a transactional batch of the producer (acks=all)
 * and answers per partition. The offsets stay pending until the producer's
 * marker lands on the group's partition (broker/txn/txn_offsets.h). Needs
 * WRITE on the transactional id, READ on the group and on each topic. */
#include <stdint.h>
#include <string.h>

#include "broker/auth/authorizer.h"
#include "broker/broker.h"
#include "broker/group/coordinator.h"
#include "broker/handlers/handlers.h"
#include "broker/metadata_cache.h"
#include "common/proto/kerr.h"
#include "common/proto/messages.h"

#define PENDING INT16_MIN /* partition written; its error comes with the append */

typedef struct txn_offset_commit_resp_topic resp_topic;
typedef struct txn_offset_commit_resp_partition resp_part;

static void fill_errors(struct txn_offset_commit_response *out, int16_t err, int only_pending)
{
	for (int32_t t = 0; t < out->topics.n; t++) {
		resp_topic *rt = &((resp_topic *)out->topics.v)[t];
		for (int32_t i = 0; i < rt->partitions.n; i++) {
			resp_part *rp = &((resp_part *)rt->partitions.v)[i];
			if (!only_pending || rp->error_code == PENDING)
				rp->error_code = err;
		}
	}
}

/* The response skeleton: one entry per requested partition. */
static struct txn_offset_commit_response *response_new(struct request *req)
{
	const struct txn_offset_commit_request *in = req->body;
	struct txn_offset_commit_response *out = arena_alloc(&req->arena, sizeof *out);
	int32_t nt = in->topics.n > 0 ? in->topics.n : 0;
	resp_topic *tv = out ? arena_alloc(&req->arena, ((size_t)nt + 1) * sizeof *tv) : NULL;
	if (!tv)
		return NULL;
	const struct txn_offset_commit_req_topic *it = in->topics.v;
	for (int32_t t = 0; t < nt; t++) {
		int32_t np = it[t].partitions.n > 0 ? it[t].partitions.n : 0;
		resp_part *pv = arena_alloc(&req->arena, ((size_t)np + 1) * sizeof *pv);
		if (!pv)
			return NULL;
		const struct txn_offset_commit_req_partition *ip = it[t].partitions.v;
		for (int32_t i = 0; i < np; i++)
			pv[i].partition_index = ip[i].partition_index;
		tv[t].name = it[t].name;
		tv[t].partitions = (struct karray){ np, pv };
	}
	out->topics = (struct karray){ nt, tv };
	return out;
}

static int16_t partition_error(struct request *req, struct kstr topic,
			       const struct txn_offset_commit_req_partition *p)
{
	if (!authz_topic(req, ACL_OP_READ, topic))
		return KERR_TOPIC_AUTHORIZATION_FAILED;
	const struct mc_topic *t = topic.len > 0 ? mc_topic(req->b->meta, topic.p, topic.len) : NULL;
	if (!t || p->partition_index < 0 || p->partition_index >= t->npartitions)
		return KERR_UNKNOWN_TOPIC_OR_PARTITION;
	if (p->committed_metadata.len > req->b->cfg->offset_metadata_max_bytes)
		return KERR_OFFSET_METADATA_TOO_LARGE;
	return 0;
}

/* Collects the partitions to write; the others get their error now. */
static int collect(struct request *req, struct txn_offset_commit_response *out,
		   struct gc_offset **res)
{
	const struct txn_offset_commit_request *in = req->body;
	size_t total = 0;
	for (int32_t t = 0; t < out->topics.n; t++)
		total += (size_t)((resp_topic *)out->topics.v)[t].partitions.n;
	struct gc_offset *o = arena_alloc(&req->arena, (total + 1) * sizeof *o);
	int n = 0;
	const struct txn_offset_commit_req_topic *it = in->topics.v;
	for (int32_t t = 0; o && t < out->topics.n; t++) {
		resp_topic *rt = &((resp_topic *)out->topics.v)[t];
		const struct txn_offset_commit_req_partition *ipv = it[t].partitions.v;
		char *topic = gc_cstr(&req->arena, it[t].name);
		for (int32_t i = 0; i < rt->partitions.n; i++) {
			resp_part *rp = &((resp_part *)rt->partitions.v)[i];
			rp->error_code = topic ? partition_error(req, it[t].name, &ipv[i])
					       : KERR_UNKNOWN_TOPIC_OR_PARTITION;
			if (rp->error_code)
				continue;
			char *md = gc_cstr(&req->arena, ipv[i].committed_metadata);
			o[n++] = (struct gc_offset){ topic, ipv[i].partition_index,
						     ipv[i].committed_offset,
						     ipv[i].committed_leader_epoch, md ? md : "", 0 };
			rp->error_code = PENDING;
		}
	}
	*res = o;
	return o ? n : -1;
}

struct txn_commit_ctx {
	struct request *req;
	struct txn_offset_commit_response *out;
};

static void on_written(void *arg, int16_t err)
{
	struct txn_commit_ctx *c = arg;
	fill_errors(c->out, err, 1);
	request_respond(c->req, c->out);
}

/* Coordinator state and, when v3 names them, member and generation. An
 * unknown group is fine: the commit creates it (as Kafka). */
static int16_t check_group(struct request *req, struct group_coordinator *gc, const char *group_id)
{
	const struct txn_offset_commit_request *in = req->body;
	struct group *g;
	int16_t err = gc_group(gc, group_id, 0, &g);
	if (err || !g || req->hdr.api_version < 3)
		return err;
	return group_check_txn_commit(g, gc_cstr(&req->arena, in->member_id),
				      gc_cstr(&req->arena, in->group_instance_id),
				      in->generation_id);
}

void handle_txn_offset_commit(struct request *req)
{
	const struct txn_offset_commit_request *in = req->body;
	struct txn_offset_commit_response *out = response_new(req);
	struct txn_commit_ctx *c = arena_alloc(&req->arena, sizeof *c);
	if (!out || !c) {
		request_close(req, "out of memory");
		return;
	}
	struct group_coordinator *gc = gc_get(req->b);
	char *group_id = gc_cstr(&req->arena, in->group_id);
	/* as KafkaApis: WRITE on the transactional id, READ on the group, then
	 * READ on each topic (partition_error) */
	int16_t err = !authz_txn_id(req, ACL_OP_WRITE, in->transactional_id)
			      ? KERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED
		      : !authz_group(req, ACL_OP_READ, in->group_id) ? KERR_GROUP_AUTHORIZATION_FAILED
		      : !gc ? KERR_COORDINATOR_NOT_AVAILABLE
		      : !group_id ? KERR_INVALID_GROUP_ID
		      : check_group(req, gc, group_id);
	if (!err && in->producer_id < 0)
		err = KERR_INVALID_PRODUCER_ID_MAPPING;
	struct gc_offset *o = NULL;
	int n = err ? 0 : collect(req, out, &o);
	if (err || n <= 0) {
		fill_errors(out, n < 0 ? KERR_UNKNOWN_SERVER_ERROR : err, !err);
		request_respond(req, out);
		return;
	}
	*c = (struct txn_commit_ctx){ req, out };
	gc_commit_txn_offsets(gc, group_id, in->producer_id, in->producer_epoch, o, n, on_written, c);
}
