/* CreateTopics (19), v0-7: on the controller only. Each topic is written to
 * ZooKeeper by the coordination thread; the answer waits (up to timeout_ms)
 * until the controller has elected leaders for every new partition, so a
 * client can use the topic as soon as it has the answer. Needs CREATE on
 * the cluster or on the topic (TOPIC_AUTHORIZATION_FAILED), as Kafka. */
#include <string.h>

#include "broker/auth/authorizer.h"
#include "broker/broker.h"
#include "broker/handlers/admin_op.h"
#include "broker/handlers/handlers.h"
#include "broker/metadata_cache.h"
#include "broker/topic_config.h"
#include "common/proto/kerr.h"
#include "common/proto/messages.h"

#define IN_TOPIC(in, i) (&((const struct create_topics_req_topic *)(in)->topics.v)[i])
#define OUT_TOPIC(out, i) (&((struct create_topics_resp_topic *)((struct create_topics_response *)(out))->topics.v)[i])

static int topic_ready(struct broker *b, struct kstr name, int32_t want)
{
	const struct mc_topic *t = mc_topic(b->meta, name.p, name.len);
	if (!t || t->npartitions < want)
		return 0;
	for (int32_t i = 0; i < t->npartitions; i++)
		if (!t->parts[i].exists || t->parts[i].leader < 0)
			return 0;
	return 1;
}

static int all_created(struct admin_op *op)
{
	const struct create_topics_request *in = op->req->body;
	if (in->validate_only)
		return 1;
	for (int32_t i = 0; i < in->topics.n; i++) {
		struct create_topics_resp_topic *to = OUT_TOPIC(op->out, i);
		if (to->error_code == 0 && !topic_ready(op->req->b, to->name, to->num_partitions))
			return 0;
	}
	/* v7+: each created topic's id, as the controller assigned it */
	for (int32_t i = 0; i < in->topics.n; i++) {
		struct create_topics_resp_topic *to = OUT_TOPIC(op->out, i);
		const struct mc_topic *t = to->error_code || to->name.len <= 0 ? NULL :
			mc_topic(op->req->b->meta, to->name.p, to->name.len);
		if (t)
			memcpy(to->topic_id, t->id, sizeof to->topic_id);
	}
	return 1;
}

static void mark_timed_out(struct admin_op *op)
{
	const struct create_topics_request *in = op->req->body;
	for (int32_t i = 0; i < in->topics.n; i++) {
		struct create_topics_resp_topic *to = OUT_TOPIC(op->out, i);
		if (to->error_code == 0 && !topic_ready(op->req->b, to->name, to->num_partitions))
			to->error_code = KERR_REQUEST_TIMED_OUT;
	}
}

static char *arena_strdup(struct arena *a, struct kstr s)
{
	size_t n = s.len > 0 ? (size_t)s.len : 0;
	char *c = arena_alloc(a, n + 1);
	if (c && n)
		memcpy(c, s.p, n);
	return c;
}

/* Explicit assignments: every partition listed once, in order, same size. */
static int16_t read_assignment(struct arena *a, const struct create_topics_req_topic *t,
			       struct coord_new_topic *nt)
{
	int32_t na = t->assignments.n > 0 ? t->assignments.n : 0;
	if (na == 0)
		return 0;
	const struct create_topics_req_assignment *as = t->assignments.v;
	int32_t rf = as[0].broker_ids.n;
	if (rf <= 0 || t->num_partitions != -1 || t->replication_factor != -1)
		return KERR_INVALID_REQUEST;
	int32_t *ids = arena_alloc(a, (size_t)na * (size_t)rf * sizeof *ids);
	if (!ids)
		return KERR_UNKNOWN_SERVER_ERROR;
	for (int32_t j = 0; j < na; j++) {
		if (as[j].broker_ids.n != rf || as[j].partition_index != j)
			return KERR_INVALID_REPLICA_ASSIGNMENT;
		memcpy(ids + (size_t)j * (size_t)rf, as[j].broker_ids.v, (size_t)rf * sizeof *ids);
	}
	nt->assignment = ids;
	nt->n_assign = na;
	nt->assign_rf = rf;
	return 0;
}

static void create_one(struct admin_op *op, int32_t i)
{
	struct request *req = op->req;
	struct arena *a = &req->arena;
	const struct create_topics_request *in = req->body;
	const struct create_topics_req_topic *t = IN_TOPIC(in, i);
	struct create_topics_resp_topic *to = OUT_TOPIC(op->out, i);
	struct coord_new_topic nt = {
		.name = arena_strdup(a, t->name),
		.num_partitions = t->num_partitions,
		.replication_factor = t->replication_factor,
		.validate_only = in->validate_only,
	};
	to->num_partitions = t->num_partitions > 0 ? t->num_partitions : req->b->cfg->num_partitions;
	to->replication_factor = t->replication_factor > 0 ? t->replication_factor
							   : req->b->cfg->default_replication_factor;
	if ((to->error_code = read_assignment(a, t, &nt)))
		return;
	if (nt.n_assign) {
		to->num_partitions = nt.n_assign;
		to->replication_factor = (int16_t)nt.assign_rf;
	}
	int32_t nc = t->configs.n > 0 ? t->configs.n : 0;
	struct coord_topic_config *cfgs = arena_alloc(a, ((size_t)nc + 1) * sizeof *cfgs);
	for (int32_t j = 0; cfgs && j < nc; j++) {
		const struct create_topics_req_config *c = &((const struct create_topics_req_config *)t->configs.v)[j];
		cfgs[j].name = arena_strdup(a, c->name);
		cfgs[j].value = arena_strdup(a, c->value);
		char err[300];
		if (cfgs[j].name && cfgs[j].value &&
		    topic_config_check(cfgs[j].name, cfgs[j].value, err, sizeof err) < 0) {
			to->error_code = KERR_INVALID_CONFIG;
			to->error_message = (struct kstr){ arena_strdup(a, (struct kstr){ err, (int32_t)strlen(err) }),
							   (int32_t)strlen(err) };
			return;
		}
	}
	nt.configs = cfgs;
	nt.n_configs = nc;
	struct admin_write *w = admin_write_new(op, &to->error_code, &to->error_message);
	if (!nt.name || !cfgs || !w) {
		to->error_code = KERR_UNKNOWN_SERVER_ERROR;
		if (w)
			admin_write_done(w, KERR_UNKNOWN_SERVER_ERROR, NULL);
		return;
	}
	coord_create_topic(req->b->coord, &nt, admin_write_done, w);
}

void handle_create_topics(struct request *req)
{
	const struct create_topics_request *in = req->body;
	struct create_topics_response *out = arena_alloc(&req->arena, sizeof *out);
	int32_t n = in->topics.n > 0 ? in->topics.n : 0;
	struct admin_op *op = NULL;
	if (!out || !(out->topics.v = arena_alloc(&req->arena, ((size_t)n + 1) * sizeof(struct create_topics_resp_topic))) ||
	    !(op = admin_op_new(req, out, in->timeout_ms, all_created))) {
		request_close(req, "out of memory");
		return;
	}
	out->topics.n = n;
	op->expire = mark_timed_out;
	int controller = coord_controller_id(req->b->coord) == req->b->id;
	for (int32_t i = 0; i < n; i++) {
		struct create_topics_resp_topic *to = OUT_TOPIC(out, i);
		to->name = IN_TOPIC(in, i)->name;
		to->error_message = (struct kstr){ NULL, -1 };
		to->configs.n = -1;
		to->num_partitions = -1;
		to->replication_factor = -1;
		if (!controller)
			to->error_code = KERR_NOT_CONTROLLER;
		else if (!authz_may_create_topic(req, to->name))
			to->error_code = KERR_TOPIC_AUTHORIZATION_FAILED;
		else
			create_one(op, i);
	}
	admin_op_release(op);
}
