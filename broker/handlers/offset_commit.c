/* OffsetCommit (8), v1-9: checks the member against the group (simple
 * consumers commit with generation -1 to a memberless group), writes the
 * offsets to __consumer_offsets and answers once the ISR has them. A v2-4
 * retention_time_ms other than -1 gives the offsets an explicit expiry.
 * v0 commits go to ZooKeeper (/consumers/<group>/offsets/<topic>/<p>) as in
 * Kafka 3.9, through the coordination thread; any broker answers them.
 * Needs READ on the group (GROUP_AUTHORIZATION_FAILED everywhere) and READ
 * on each topic (TOPIC_AUTHORIZATION_FAILED), as Kafka. */
#include <stdint.h>
#include <string.h>

#include "broker/auth/authorizer.h"
#include "broker/broker.h"
#include "broker/group/coordinator.h"
#include "broker/handlers/handlers.h"
#include "broker/metadata_cache.h"
#include "common/clock.h"
#include "common/proto/kerr.h"
#include "common/proto/messages.h"
#include "coord/coord.h"

#define PENDING INT16_MIN /* partition written; its error comes with the append */

static void fill_errors(struct offset_commit_response *out, int16_t err, int only_pending)
{
	for (int32_t t = 0; t < out->topics.n; t++) {
		struct offset_commit_resp_topic *rt = &((struct offset_commit_resp_topic *)out->topics.v)[t];
		for (int32_t i = 0; i < rt->partitions.n; i++) {
			struct offset_commit_resp_partition *rp =
				&((struct offset_commit_resp_partition *)rt->partitions.v)[i];
			if (!only_pending || rp->error_code == PENDING)
				rp->error_code = err;
		}
	}
}

/* The response skeleton: one entry per requested partition. */
static struct offset_commit_response *response_new(struct request *req)
{
	const struct offset_commit_request *in = req->body;
	struct offset_commit_response *out = arena_alloc(&req->arena, sizeof *out);
	int32_t nt = in->topics.n > 0 ? in->topics.n : 0;
	struct offset_commit_resp_topic *tv = out ? arena_alloc(&req->arena, ((size_t)nt + 1) * sizeof *tv) : NULL;
	if (!tv)
		return NULL;
	const struct offset_commit_req_topic *it = in->topics.v;
	for (int32_t t = 0; t < nt; t++) {
		int32_t np = it[t].partitions.n > 0 ? it[t].partitions.n : 0;
		struct offset_commit_resp_partition *pv = arena_alloc(&req->arena, ((size_t)np + 1) * sizeof *pv);
		if (!pv)
			return NULL;
		const struct offset_commit_req_partition *ip = it[t].partitions.v;
		for (int32_t i = 0; i < np; i++)
			pv[i].partition_index = ip[i].partition_index;
		tv[t].name = it[t].name;
		tv[t].partitions = (struct karray){ np, pv };
	}
	out->topics = (struct karray){ nt, tv };
	return out;
}

static int16_t partition_error(struct request *req, struct kstr topic,
			       const struct offset_commit_req_partition *p)
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

/* Kafka: now + retention_time_ms when v2-4 set it (not -1); 0: none. */
static int64_t explicit_expiry(const struct request *req)
{
	const struct offset_commit_request *in = req->body;
	int16_t v = req->hdr.api_version;
	if (v < 2 || v > 4 || in->retention_time_ms < 0)
		return 0;
	int64_t now = clock_wall_ms();
	if (in->retention_time_ms > INT64_MAX - now)
		return INT64_MAX;
	int64_t t = now + in->retention_time_ms;
	return t > 0 ? t : 1;
}

/* Collects the partitions to write; the others get their error now. */
static int collect(struct request *req, struct offset_commit_response *out, struct gc_offset **res)
{
	const struct offset_commit_request *in = req->body;
	size_t total = 0;
	for (int32_t t = 0; t < out->topics.n; t++)
		total += (size_t)((struct offset_commit_resp_topic *)out->topics.v)[t].partitions.n;
	struct gc_offset *o = arena_alloc(&req->arena, (total + 1) * sizeof *o);
	int n = 0;
	int64_t expire_ts = explicit_expiry(req);
	const struct offset_commit_req_topic *it = in->topics.v;
	for (int32_t t = 0; o && t < out->topics.n; t++) {
		struct offset_commit_resp_topic *rt = &((struct offset_commit_resp_topic *)out->topics.v)[t];
		char *topic = gc_cstr(&req->arena, it[t].name);
		for (int32_t i = 0; i < rt->partitions.n; i++) {
			const struct offset_commit_req_partition *ip = &((const struct offset_commit_req_partition *)it[t].partitions.v)[i];
			struct offset_commit_resp_partition *rp = &((struct offset_commit_resp_partition *)rt->partitions.v)[i];
			rp->error_code = topic ? partition_error(req, it[t].name, ip) : KERR_UNKNOWN_TOPIC_OR_PARTITION;
			if (rp->error_code)
				continue;
			char *md = gc_cstr(&req->arena, ip->committed_metadata);
			o[n++] = (struct gc_offset){ topic, ip->partition_index, ip->committed_offset,
						     ip->committed_leader_epoch, md ? md : "", expire_ts };
			rp->error_code = PENDING;
		}
	}
	*res = o;
	return o ? n : -1;
}

struct commit_ctx {
	struct request *req;
	struct offset_commit_response *out;
};

static void on_written(void *arg, int16_t err)
{
	struct commit_ctx *c = arg;
	fill_errors(c->out, err, 1);
	request_respond(c->req, c->out);
}

static int16_t check_group(struct request *req, struct group_coordinator *gc, const char *group_id)
{
	const struct offset_commit_request *in = req->body;
	int32_t generation = req->hdr.api_version >= 1 ? in->generation_id_or_member_epoch : -1;
	struct group *g;
	int16_t err = gc_group(gc, group_id, generation < 0, &g);
	if (err)
		return err;
	if (!g)
		return KERR_ILLEGAL_GENERATION;
	char *member_id = gc_cstr(&req->arena, in->member_id);
	return group_check_commit(g, member_id ? member_id : "",
				  gc_cstr(&req->arena, in->group_instance_id), generation, gc_now(gc));
}

/* ---- v0: ZooKeeper ---- */

struct zk_commit_ctx {
	struct request *req;
	struct offset_commit_response *out;
};

static void zk_committed(void *arg, const struct coord_zk_offset *offs, int n)
{
	struct zk_commit_ctx *z = arg;
	int k = 0;
	for (int32_t t = 0; t < z->out->topics.n; t++) {
		struct offset_commit_resp_topic *rt = &((struct offset_commit_resp_topic *)z->out->topics.v)[t];
		for (int32_t i = 0; i < rt->partitions.n; i++) {
			struct offset_commit_resp_partition *rp =
				&((struct offset_commit_resp_partition *)rt->partitions.v)[i];
			if (rp->error_code == PENDING)
				rp->error_code = n < 0 ? KERR_UNKNOWN_SERVER_ERROR : offs[k++].error;
		}
	}
	request_respond(z->req, z->out);
}

/* Kafka: the same authorization as later versions, then unknown topics get
 * UNKNOWN_TOPIC_OR_PARTITION, oversized metadata OFFSET_METADATA_TOO_LARGE,
 * the rest is written. */
static void commit_v0(struct request *req, struct offset_commit_response *out)
{
	const struct offset_commit_request *in = req->body;
	const struct offset_commit_req_topic *it = in->topics.v;
	size_t total = 0;
	for (int32_t t = 0; t < out->topics.n; t++)
		total += (size_t)((struct offset_commit_resp_topic *)out->topics.v)[t].partitions.n;
	struct coord_zk_offset *o = arena_alloc(&req->arena, (total + 1) * sizeof *o);
	struct zk_commit_ctx *z = arena_alloc(&req->arena, sizeof *z);
	char *group = gc_cstr(&req->arena, in->group_id);
	if (!o || !z || !group) {
		request_close(req, "out of memory");
		return;
	}
	if (!authz_group(req, ACL_OP_READ, in->group_id)) {
		fill_errors(out, KERR_GROUP_AUTHORIZATION_FAILED, 0);
		request_respond(req, out);
		return;
	}
	int n = 0;
	for (int32_t t = 0; t < out->topics.n; t++) {
		struct offset_commit_resp_topic *rt = &((struct offset_commit_resp_topic *)out->topics.v)[t];
		char *topic = gc_cstr(&req->arena, it[t].name);
		int allowed = authz_topic(req, ACL_OP_READ, it[t].name);
		int known = topic && mc_topic(req->b->meta, it[t].name.p, it[t].name.len);
		for (int32_t i = 0; i < rt->partitions.n; i++) {
			const struct offset_commit_req_partition *ip =
				&((const struct offset_commit_req_partition *)it[t].partitions.v)[i];
			struct offset_commit_resp_partition *rp =
				&((struct offset_commit_resp_partition *)rt->partitions.v)[i];
			if (!allowed)
				rp->error_code = KERR_TOPIC_AUTHORIZATION_FAILED;
			else if (!known)
				rp->error_code = KERR_UNKNOWN_TOPIC_OR_PARTITION;
			else if (ip->committed_metadata.len > req->b->cfg->offset_metadata_max_bytes)
				rp->error_code = KERR_OFFSET_METADATA_TOO_LARGE;
			else {
				o[n++] = (struct coord_zk_offset){ topic, ip->partition_index,
								   ip->committed_offset, 0 };
				rp->error_code = PENDING;
			}
		}
	}
	if (n == 0) {
		request_respond(req, out);
		return;
	}
	*z = (struct zk_commit_ctx){ req, out };
	coord_zk_offsets_commit(req->b->coord, group, o, n, zk_committed, z);
}

void handle_offset_commit(struct request *req)
{
	const struct offset_commit_request *in = req->body;
	struct offset_commit_response *out = response_new(req);
	if (out && req->hdr.api_version == 0) {
		commit_v0(req, out);
		return;
	}
	struct commit_ctx *c = arena_alloc(&req->arena, sizeof *c);
	if (!out || !c) {
		request_close(req, "out of memory");
		return;
	}
	struct group_coordinator *gc = gc_get(req->b);
	char *group_id = gc_cstr(&req->arena, in->group_id);
	int16_t err = !authz_group(req, ACL_OP_READ, in->group_id) ? KERR_GROUP_AUTHORIZATION_FAILED
		      : !gc ? KERR_COORDINATOR_NOT_AVAILABLE
		      : !group_id ? KERR_INVALID_GROUP_ID
		      : check_group(req, gc, group_id);
	struct gc_offset *o = NULL;
	int n = err ? 0 : collect(req, out, &o);
	if (err || n <= 0) {
		fill_errors(out, n < 0 ? KERR_UNKNOWN_SERVER_ERROR : err, !err);
		request_respond(req, out);
		return;
	}
	*c = (struct commit_ctx){ req, out };
	gc_commit_offsets(gc, group_id, o, n, on_written, c);
}
