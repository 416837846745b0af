/* OffsetFetch (9), v0-9: committed offsets of the requested partitions (all
 * of the group's when topics is null, v2+); -1 where none is committed.
 * v8 asks for several groups at once. Offsets are only answered by the
 * group's coordinator. With require_stable (v7+), a partition with an
 * offset commit still pending answers UNSTABLE_OFFSET_COMMIT: one an open
 * transaction committed, or a plain OffsetCommit still being appended
 * (Kafka's hasPendingOffsetCommitsForTopicPartition). v0 reads the offsets
 * OffsetCommit v0 wrote to ZooKeeper, as Kafka 3.9 does; v9's member id and
 * epoch belong to KIP-848 groups, which ZooKeeper mode has not.
 * Authorization as KafkaApis: DESCRIBE on the group (GROUP_AUTHORIZATION_FAILED),
 * DESCRIBE on each requested topic (TOPIC_AUTHORIZATION_FAILED); a null topic
 * list leaves out the topics the principal may not describe. */
#include <stdint.h>
#include <string.h>

#include "broker/auth/authorizer.h"
#include "broker/broker.h"
#include "broker/group/coordinator.h"
#include "broker/handlers/dedup.h"
#include "broker/handlers/handlers.h"
#include "broker/metadata_cache.h"
#include "common/proto/kerr.h"
#include "common/proto/messages.h"
#include "coord/coord.h"

static int require_stable(const struct request *req)
{
	const struct offset_fetch_request *in = req->body;
	return req->hdr.api_version >= 7 && in->require_stable;
}

static void fill_partition(const struct request *req, const struct group *g, const char *topic,
			   int32_t index, struct offset_fetch_resp_group_partition *p)
{
	const struct group_offset *o = g && topic ? group_offset_get(g, topic, index) : NULL;
	int unstable = g && topic && require_stable(req) &&
		       (group_txn_pending(g, topic, index) || group_commit_pending(g, topic, index));
	if (unstable)
		o = NULL;
	p->partition_index = index;
	p->committed_offset = o ? o->offset : -1;
	p->committed_leader_epoch = o ? o->leader_epoch : -1;
	p->metadata = gc_kstr(o ? o->metadata : "");
	p->error_code = unstable ? KERR_UNSTABLE_OFFSET_COMMIT : 0;
}

struct topic_list {
	struct request *req;
	struct offset_fetch_resp_group_topic *tv;
	int32_t n, cap;
};

static struct offset_fetch_resp_group_topic *topic_slot(struct topic_list *tl, const char *name)
{
	for (int32_t i = 0; i < tl->n; i++)
		if ((size_t)tl->tv[i].name.len == strlen(name) &&
		    !memcmp(tl->tv[i].name.p, name, (size_t)tl->tv[i].name.len))
			return &tl->tv[i];
	if (tl->n == tl->cap)
		return NULL;
	struct offset_fetch_resp_group_topic *t = &tl->tv[tl->n++];
	t->name = gc_kstr(name);
	return t;
}

/* Every committed offset of the group, grouped by topic. */
static struct karray all_offsets(struct request *req, const struct group *g)
{
	int32_t n = g ? group_offset_count(g) : 0;
	struct topic_list tl = { req, arena_alloc(&req->arena, ((size_t)n + 1) * sizeof *tl.tv), 0, n };
	struct offset_fetch_resp_group_partition *pv = arena_alloc(&req->arena, ((size_t)n + 1) * sizeof *pv);
	if (!tl.tv || !pv)
		return (struct karray){ 0, NULL };
	/* two passes: count per topic, then place */
	const char *k;
	void *v;
	for (size_t pos = 0; g && strmap_next(&g->offsets, &pos, &k, &v);) {
		const char *name = ((const struct group_offset *)v)->topic;
		if (!authz_topic(req, ACL_OP_DESCRIBE, gc_kstr(name)))
			continue;
		struct offset_fetch_resp_group_topic *t = topic_slot(&tl, name);
		if (t)
			t->partitions.n++;
	}
	int32_t used = 0;
	for (int32_t i = 0; i < tl.n; i++) {
		tl.tv[i].partitions.v = pv + used;
		used += tl.tv[i].partitions.n;
		tl.tv[i].partitions.n = 0;
	}
	for (size_t pos = 0; g && strmap_next(&g->offsets, &pos, &k, &v);) {
		const struct group_offset *o = v;
		if (!authz_topic(req, ACL_OP_DESCRIBE, gc_kstr(o->topic)))
			continue;
		struct offset_fetch_resp_group_topic *t = topic_slot(&tl, o->topic);
		if (t)
			fill_partition(req, g, o->topic, o->partition,
				       &((struct offset_fetch_resp_group_partition *)t->partitions.v)[t->partitions.n++]);
	}
	return (struct karray){ tl.n, tl.tv };
}

/* The requested partitions (v8 or v0-7 request topics have the same layout). */
static struct karray requested_offsets(struct request *req, const struct group *g,
				       const struct offset_fetch_req_group_topic *it, int32_t nt,
				       int16_t err)
{
	struct offset_fetch_resp_group_topic *tv = arena_alloc(&req->arena, ((size_t)nt + 1) * sizeof *tv);
	for (int32_t t = 0; tv && t < nt; t++) {
		int32_t np = it[t].partition_indexes.n > 0 ? it[t].partition_indexes.n : 0;
		struct offset_fetch_resp_group_partition *pv = arena_alloc(&req->arena, ((size_t)np + 1) * sizeof *pv);
		if (!pv)
			return (struct karray){ 0, NULL };
		char *topic = gc_cstr(&req->arena, it[t].name);
		int described = authz_topic(req, ACL_OP_DESCRIBE, it[t].name);
		for (int32_t i = 0; i < np; i++) {
			fill_partition(req, described ? g : NULL, topic,
				       ((const int32_t *)it[t].partition_indexes.v)[i], &pv[i]);
			if (err)
				pv[i].error_code = err;
			else if (!described)
				pv[i].error_code = KERR_TOPIC_AUTHORIZATION_FAILED;
		}
		tv[t].name = it[t].name;
		tv[t].partitions = (struct karray){ np, pv };
	}
	return (struct karray){ tv ? nt : 0, tv };
}

/* One group's answer: top-level error (coordinator state) and topics. */
static int16_t fetch_group(struct request *req, struct kstr group_id, struct karray topics,
			   int per_partition_errors, struct karray *out)
{
	struct group_coordinator *gc = gc_get(req->b);
	char *id = gc_cstr(&req->arena, group_id);
	struct group *g = NULL;
	int16_t err = !authz_group(req, ACL_OP_DESCRIBE, group_id) ? KERR_GROUP_AUTHORIZATION_FAILED
		      : !gc ? KERR_COORDINATOR_NOT_AVAILABLE
		      : !id ? KERR_INVALID_GROUP_ID
		      : gc_group(gc, id, 0, &g);
	if (topics.n < 0)
		*out = err ? (struct karray){ 0, NULL } : all_offsets(req, g);
	else
		*out = requested_offsets(req, err ? NULL : g, topics.v, topics.n,
					 per_partition_errors ? err : 0);
	return err;
}

static void respond_v8(struct request *req, struct offset_fetch_response *out)
{
	const struct offset_fetch_request *in = req->body;
	int32_t n = in->groups.n > 0 ? in->groups.n : 0;
	struct offset_fetch_resp_group *gv = arena_alloc(&req->arena, ((size_t)n + 1) * sizeof *gv);
	const struct offset_fetch_req_group *rg = in->groups.v;
	struct dedup seen;
	dedup_init(&seen);
	for (int32_t i = 0; gv && i < n; i++) {
		gv[i].group_id = rg[i].group_id;
		/* a group named twice: INVALID_REQUEST for the repeats, so that
		 * repeating a big group cannot multiply the answer */
		if (dedup_seen(&seen, rg[i].group_id, 0)) {
			gv[i].error_code = KERR_INVALID_REQUEST;
			gv[i].topics = (struct karray){ 0, NULL };
			continue;
		}
		gv[i].error_code = fetch_group(req, rg[i].group_id, rg[i].topics, 0, &gv[i].topics);
	}
	dedup_free(&seen);
	out->groups = (struct karray){ gv ? n : 0, gv };
	request_respond(req, out);
}

/* ---- v0: ZooKeeper ---- */

struct zk_fetch_ctx {
	struct request *req;
	struct offset_fetch_response *out;
};

static void zk_fetched(void *arg, const struct coord_zk_offset *offs, int n)
{
	struct zk_fetch_ctx *z = arg;
	int k = 0;
	for (int32_t t = 0; t < z->out->topics.n; t++) {
		struct offset_fetch_resp_topic *rt = &((struct offset_fetch_resp_topic *)z->out->topics.v)[t];
		for (int32_t i = 0; i < rt->partitions.n; i++) {
			struct offset_fetch_resp_partition *rp =
				&((struct offset_fetch_resp_partition *)rt->partitions.v)[i];
			if (rp->error_code != INT16_MIN)
				continue;
			rp->error_code = n < 0 ? KERR_UNKNOWN_SERVER_ERROR : offs[k].error;
			rp->committed_offset = n < 0 ? -1 : offs[k].offset;
			k++;
		}
	}
	request_respond(z->req, z->out);
}

/* Kafka: a partition the cluster does not have answers -1 and
 * UNKNOWN_TOPIC_OR_PARTITION without asking ZooKeeper. */
static void fetch_v0(struct request *req, struct offset_fetch_response *out)
{
	const struct offset_fetch_request *in = req->body;
	int32_t nt = in->topics.n > 0 ? in->topics.n : 0;
	const struct offset_fetch_req_topic *it = in->topics.v;
	size_t total = 0;
	for (int32_t t = 0; t < nt; t++)
		total += (size_t)(it[t].partition_indexes.n > 0 ? it[t].partition_indexes.n : 0);
	struct offset_fetch_resp_topic *tv = arena_alloc(&req->arena, ((size_t)nt + 1) * sizeof *tv);
	struct coord_zk_offset *o = arena_alloc(&req->arena, (total + 1) * sizeof *o);
	struct zk_fetch_ctx *z = arena_alloc(&req->arena, sizeof *z);
	char *group = gc_cstr(&req->arena, in->group_id);
	if (!tv || !o || !z || !group) {
		request_close(req, "out of memory");
		return;
	}
	int group_ok = authz_group(req, ACL_OP_DESCRIBE, in->group_id);
	int n = 0;
	for (int32_t t = 0; t < nt; t++) {
		int32_t np = it[t].partition_indexes.n > 0 ? it[t].partition_indexes.n : 0;
		struct offset_fetch_resp_partition *pv =
			arena_alloc(&req->arena, ((size_t)np + 1) * sizeof *pv);
		char *topic = gc_cstr(&req->arena, it[t].name);
		if (!pv || !topic) {
			request_close(req, "out of memory");
			return;
		}
		const struct mc_topic *mt = mc_topic(req->b->meta, it[t].name.p, it[t].name.len);
		int16_t denied = !group_ok ? KERR_GROUP_AUTHORIZATION_FAILED
			       : !authz_topic(req, ACL_OP_DESCRIBE, it[t].name)
				       ? KERR_TOPIC_AUTHORIZATION_FAILED : 0;
		for (int32_t i = 0; i < np; i++) {
			int32_t p = ((const int32_t *)it[t].partition_indexes.v)[i];
			int exists = !denied && mt && p >= 0 && p < mt->npartitions &&
				     mt->parts[p].exists;
			pv[i] = (struct offset_fetch_resp_partition){
				p, -1, -1, gc_kstr(""),
				denied ? denied : exists ? INT16_MIN : KERR_UNKNOWN_TOPIC_OR_PARTITION };
			if (exists)
				o[n++] = (struct coord_zk_offset){ topic, p, -1, 0 };
		}
		tv[t] = (struct offset_fetch_resp_topic){ it[t].name, { np, pv } };
	}
	out->topics = (struct karray){ nt, tv };
	if (n == 0) {
		request_respond(req, out);
		return;
	}
	*z = (struct zk_fetch_ctx){ req, out };
	coord_zk_offsets_fetch(req->b->coord, group, o, n, zk_fetched, z);
}

void handle_offset_fetch(struct request *req)
{
	const struct offset_fetch_request *in = req->body;
	struct offset_fetch_response *out = arena_alloc(&req->arena, sizeof *out);
	if (!out) {
		request_close(req, "out of memory");
		return;
	}
	if (req->hdr.api_version == 0) {
		fetch_v0(req, out);
		return;
	}
	if (req->hdr.api_version >= 8) {
		respond_v8(req, out);
		return;
	}
	_Static_assert(sizeof(struct offset_fetch_req_topic) == sizeof(struct offset_fetch_req_group_topic),
		       "v0-7 and v8 topic layouts must match");
	_Static_assert(sizeof(struct offset_fetch_resp_partition) == sizeof(struct offset_fetch_resp_group_partition),
		       "v0-7 and v8 partition layouts must match");
	int v1 = req->hdr.api_version < 2;
	int16_t err = fetch_group(req, in->group_id, in->topics, v1, &out->topics);
	out->error_code = v1 ? 0 : err;
	request_respond(req, out);
}
