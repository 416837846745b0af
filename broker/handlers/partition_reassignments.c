/* AlterPartitionReassignments (45) and ListPartitionReassignments (46), v0:
 * the admin API over the controller's reassignment (coord/reassign.c). Alter
 * answers once each partition's target (or cancellation) is in
 * /admin/reassign_partitions, as Kafka answers once its controller has
 * started the move; List reports the partitions whose topic znode has
 * adding/removing replicas. Alter needs ALTER on the cluster, List DESCRIBE
 * (CLUSTER_AUTHORIZATION_FAILED), as KafkaApis. */
#include <string.h>

#include "broker/auth/authorizer.h"
#include "broker/broker.h"
#include "broker/handlers/admin_op.h"
#include "broker/handlers/handler_str.h"
#include "broker/handlers/handlers.h"
#include "common/proto/kerr.h"
#include "common/proto/messages.h"
#include "coord/coord.h"

static void alter_one(struct admin_op *op, struct kstr topic,
		      const struct apr_req_partition *in, struct apr_resp_partition *out)
{
	struct request *req = op->req;
	out->partition_index = in->partition_index;
	out->error_message = (struct kstr){ NULL, -1 };
	char *name = handler_cstr(&req->arena, topic);
	struct admin_write *w = name ? admin_write_new(op, &out->error_code,
						       &out->error_message) : NULL;
	if (!w) {
		out->error_code = KERR_UNKNOWN_SERVER_ERROR;
		return;
	}
	coord_alter_reassignment(req->b->coord, name, in->partition_index,
				 in->replicas.v, in->replicas.n, admin_write_done, w);
}

void handle_alter_partition_reassignments(struct request *req)
{
	const struct alter_partition_reassignments_request *in = req->body;
	struct alter_partition_reassignments_response *out =
		arena_alloc(&req->arena, sizeof *out);
	int32_t nt = in->topics.n > 0 ? in->topics.n : 0;
	struct apr_resp_topic *tv = out ? arena_alloc(&req->arena, ((size_t)nt + 1) * sizeof *tv) : NULL;
	struct admin_op *op = tv ? admin_op_new(req, out, in->timeout_ms, NULL) : NULL;
	if (!op) {
		request_close(req, "out of memory");
		return;
	}
	out->error_message = (struct kstr){ NULL, -1 };
	out->responses = (struct karray){ nt, tv };
	int allowed = authz_cluster(req, ACL_OP_ALTER);
	if (!allowed)
		out->error_code = KERR_CLUSTER_AUTHORIZATION_FAILED;
	for (int32_t i = 0; i < nt; i++) {
		const struct apr_req_topic *ti = &((const struct apr_req_topic *)in->topics.v)[i];
		int32_t np = ti->partitions.n > 0 ? ti->partitions.n : 0;
		struct apr_resp_partition *pv = arena_alloc(&req->arena, ((size_t)np + 1) * sizeof *pv);
		tv[i].name = ti->name;
		tv[i].partitions = (struct karray){ pv ? np : 0, pv };
		for (int32_t j = 0; pv && j < np; j++) {
			const struct apr_req_partition *pi =
				&((const struct apr_req_partition *)ti->partitions.v)[j];
			if (!allowed) {
				pv[j] = (struct apr_resp_partition){ pi->partition_index,
					KERR_CLUSTER_AUTHORIZATION_FAILED, { NULL, -1 } };
				continue;
			}
			alter_one(op, ti->name, pi, &pv[j]);
		}
	}
	admin_op_release(op);
}

/* ---- list ---- */

struct list_ctx {
	struct request *req;
	struct list_partition_reassignments_response *out;
};

static int wanted_partition(const struct list_partition_reassignments_request *in,
			    const char *topic, int32_t partition)
{
	if (in->topics.n < 0)
		return 1;
	size_t tl = strlen(topic);
	for (int32_t i = 0; i < in->topics.n; i++) {
		const struct lpr_req_topic *t = &((const struct lpr_req_topic *)in->topics.v)[i];
		if (t->name.len != (int32_t)tl || memcmp(t->name.p, topic, tl) != 0)
			continue;
		for (int32_t j = 0; j < t->partition_indexes.n; j++)
			if (((const int32_t *)t->partition_indexes.v)[j] == partition)
				return 1;
	}
	return 0;
}

static struct karray ids_copy(struct arena *a, const int32_t *v, int n)
{
	int32_t *c = arena_alloc(a, ((size_t)n + 1) * sizeof *c);
	if (!c)
		return (struct karray){ 0, NULL };
	memcpy(c, v, (size_t)n * sizeof *c);
	return (struct karray){ n, c };
}

/* Appends r under its topic (v is grouped by topic: one znode each). */
static void list_add(struct request *req, struct lpr_resp_topic *tv, int32_t *nt,
		     const struct coord_reassignment *r, int n_left)
{
	struct arena *a = &req->arena;
	size_t tl = strlen(r->topic);
	struct lpr_resp_topic *t = *nt > 0 ? &tv[*nt - 1] : NULL;
	if (!t || t->name.len != (int32_t)tl || memcmp(t->name.p, r->topic, tl) != 0) {
		t = &tv[(*nt)++];
		t->name = handler_kstr(a, r->topic);
		t->partitions = (struct karray){ 0, arena_alloc(a, ((size_t)n_left + 1) *
							sizeof(struct lpr_resp_partition)) };
	}
	struct lpr_resp_partition *pv = t->partitions.v;
	if (!pv)
		return;
	struct lpr_resp_partition *p = &pv[t->partitions.n++];
	p->partition_index = r->a.partition;
	p->replicas = ids_copy(a, r->a.replicas, r->a.n_replicas);
	p->adding_replicas = ids_copy(a, r->a.adding, r->a.n_adding);
	p->removing_replicas = ids_copy(a, r->a.removing, r->a.n_removing);
}

static void on_listed(void *arg, int16_t kerr, const struct coord_reassignment *v, int n)
{
	struct list_ctx *c = arg;
	struct request *req = c->req;
	const struct list_partition_reassignments_request *in = req->body;
	struct lpr_resp_topic *tv = arena_alloc(&req->arena, ((size_t)n + 1) * sizeof *tv);
	int32_t nt = 0;
	c->out->error_code = kerr ? kerr : tv ? 0 : KERR_UNKNOWN_SERVER_ERROR;
	for (int k = 0; tv && k < n; k++)
		if (wanted_partition(in, v[k].topic, v[k].a.partition))
			list_add(req, tv, &nt, &v[k], n - k);
	c->out->topics = (struct karray){ nt, tv };
	request_respond(req, c->out);
}

void handle_list_partition_reassignments(struct request *req)
{
	const struct list_partition_reassignments_request *in = req->body;
	struct list_partition_reassignments_response *out =
		arena_alloc(&req->arena, sizeof *out);
	struct list_ctx *c = out ? arena_alloc(&req->arena, sizeof *c) : NULL;
	int32_t nt = in->topics.n > 0 ? in->topics.n : 0;
	const char **names = c ? arena_alloc(&req->arena, ((size_t)nt + 1) * sizeof *names) : NULL;
	if (!names) {
		request_close(req, "out of memory");
		return;
	}
	out->error_message = (struct kstr){ NULL, -1 };
	if (!authz_cluster(req, ACL_OP_DESCRIBE)) {
		out->error_code = KERR_CLUSTER_AUTHORIZATION_FAILED;
		request_respond(req, out);
		return;
	}
	for (int32_t i = 0; i < nt; i++) {
		names[i] = handler_cstr(&req->arena, ((const struct lpr_req_topic *)in->topics.v)[i].name);
		if (!names[i])
			names[i] = "";
	}
	*c = (struct list_ctx){ req, out };
	coord_list_reassignments(req->b->coord, in->topics.n < 0 ? NULL : names, nt,
				 on_listed, c);
}
