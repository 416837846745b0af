/* DescribeLogDirs (35), v0-4: each of the broker's log dirs (log.dirs)
 * with the replicas it holds (an offline dir: KAFKA_STORAGE_ERROR and no
 * replicas): size on disk, offset lag 0 (no
 * future replicas: AlterReplicaLogDirs is not served), is_future false;
 * v4's total/usable bytes from statvfs. Null topics: every replica here;
 * requested replicas this broker does not hold are left out, as Kafka does.
 * Needs DESCRIBE on the cluster (CLUSTER_AUTHORIZATION_FAILED, top level
 * from v3; empty results before), as KafkaApis. */
#include <string.h>
#include <sys/statvfs.h>

#include "broker/auth/authorizer.h"
#include "broker/broker.h"
#include "broker/config.h"
#include "broker/handlers/handler_str.h"
#include "broker/handlers/handlers.h"
#include "broker/replica/replica_manager.h"
#include "broker/storage/log.h"
#include "common/proto/kerr.h"
#include "common/proto/messages.h"

static int dld_wanted(const struct describe_log_dirs_request *in, const struct partition *p)
{
	if (in->topics.n < 0)
		return 1;
	size_t tl = strlen(p->topic);
	for (int32_t i = 0; i < in->topics.n; i++) {
		const struct dld_req_topic *t = &((const struct dld_req_topic *)in->topics.v)[i];
		if (t->topic.len != (int32_t)tl || memcmp(t->topic.p, p->topic, tl) != 0)
			continue;
		for (int32_t j = 0; j < t->partitions.n; j++)
			if (((const int32_t *)t->partitions.v)[j] == p->index)
				return 1;
	}
	return 0;
}

/* The topic entry for p (created on first use); tv has room for n_max. */
static struct dld_resp_topic *dld_topic(struct arena *a, struct dld_resp_topic *tv,
					int32_t *nt, const struct partition *p, int32_t n_max)
{
	size_t tl = strlen(p->topic);
	for (int32_t k = 0; k < *nt; k++)
		if (tv[k].name.len == (int32_t)tl && memcmp(tv[k].name.p, p->topic, tl) == 0)
			return &tv[k];
	struct dld_resp_topic *t = &tv[(*nt)++];
	t->name = handler_kstr(a, p->topic);
	t->partitions = (struct karray){ 0, arena_alloc(a, ((size_t)n_max + 1) *
						       sizeof(struct dld_resp_partition)) };
	return t->name.p && t->partitions.v ? t : NULL;
}

/* One result per log dir: an offline dir answers KAFKA_STORAGE_ERROR and
 * lists nothing (Kafka's ReplicaManager.describeLogDirs); an online one its
 * partitions with their size on disk. */
static int dld_fill(struct request *req, struct dld_resp_result *r, int d)
{
	const struct describe_log_dirs_request *in = req->body;
	const struct replica_manager *rm = req->b->rm;
	struct arena *a = &req->arena;
	const char *dir = rm->dirs[d].path;
	const char *k;
	void *v;
	int32_t n = 0;
	for (size_t i = 0; strmap_next(&req->b->rm->parts, &i, &k, &v);)
		n++;
	struct dld_resp_topic *tv = arena_alloc(a, ((size_t)n + 1) * sizeof *tv);
	if (!tv)
		return -1;
	*r = (struct dld_resp_result){ .log_dir = handler_kstr(a, dir),
				       .total_bytes = -1, .usable_bytes = -1 };
	if (!r->log_dir.p)
		return -1;
	if (rm->dirs[d].offline) {
		r->error_code = KERR_KAFKA_STORAGE_ERROR;
		r->topics = (struct karray){ 0, tv };
		return 0;
	}
	struct statvfs vfs;
	if (statvfs(dir, &vfs) == 0) {
		r->total_bytes = (int64_t)vfs.f_blocks * (int64_t)vfs.f_frsize;
		r->usable_bytes = (int64_t)vfs.f_bavail * (int64_t)vfs.f_frsize;
	}
	int32_t nt = 0;
	for (size_t i = 0; strmap_next(&req->b->rm->parts, &i, &k, &v);) {
		const struct partition *p = v;
		if (p->dir != d || !dld_wanted(in, p))
			continue;
		struct dld_resp_topic *t = dld_topic(a, tv, &nt, p, n);
		if (!t)
			return -1;
		((struct dld_resp_partition *)t->partitions.v)[t->partitions.n++] =
			(struct dld_resp_partition){ p->index, partition_size_bytes(p),
						     0, 0 };
	}
	r->topics = (struct karray){ nt, tv };
	return 0;
}

void handle_describe_log_dirs(struct request *req)
{
	struct describe_log_dirs_response *out = arena_alloc(&req->arena, sizeof *out);
	int nd = req->b->rm->ndirs;
	struct dld_resp_result *r = out ? arena_alloc(&req->arena, ((size_t)nd + 1) * sizeof *r)
					: NULL;
	if (!r) {
		request_close(req, "out of memory");
		return;
	}
	if (!authz_cluster(req, ACL_OP_DESCRIBE)) {
		out->error_code = KERR_CLUSTER_AUTHORIZATION_FAILED;
		request_respond(req, out);
		return;
	}
	for (int d = 0; d < nd; d++)
		if (dld_fill(req, &r[d], d)) {
			request_close(req, "out of memory");
			return;
		}
	out->results = (struct karray){ nd, r };
	request_respond(req, out);
}
