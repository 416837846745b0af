/* Metadata (3), v0-12: brokers, controller and topics from the metadata cache.
 * Unknown topics are auto-created when allowed and answered with
 * LEADER_NOT_AVAILABLE until the controller has elected their leaders.
 * v0 has no null topic list: an empty one means every topic, as in Kafka.
 * v10+ answer each topic's id (the controller's, from UpdateMetadata v7).
 * v12 may name topics by id, as Kafka 3.9: if any requested topic has a
 * non-zero id, the request is answered by id alone (names beside are
 * ignored), an unknown id with UNKNOWN_TOPIC_ID and a null name, one the
 * principal may not describe with TOPIC_AUTHORIZATION_FAILED (ids are not
 * secret) and no auto-creation. Before v12 a null name or an id makes the
 * whole request INVALID_REQUEST, as Kafka.
 * Authorization as KafkaApis: only topics the principal may DESCRIBE are
 * listed; a named one it may not describe answers TOPIC_AUTHORIZATION_FAILED
 * whether it exists or not; auto-creation needs CREATE on the cluster or
 * the topic (TOPIC_AUTHORIZATION_FAILED without). */
#include <string.h>

#include "broker/auth/authorizer.h"
#include "broker/broker.h"
#include "broker/handlers/handlers.h"
#include "broker/metadata_cache.h"
#include "broker/topic_autocreate.h"
#include "common/proto/kerr.h"
#include "common/proto/messages.h"
#include "common/strmap.h"

static struct karray ids_array(struct arena *a, const int32_t *ids, int32_t n)
{
	struct karray arr = { n, arena_alloc(a, (size_t)n * sizeof(int32_t) + 1) };
	if (arr.v && n > 0)
		memcpy(arr.v, ids, (size_t)n * sizeof(int32_t));
	return arr;
}

/* The brokers that have the listener the client came in on, with that
 * listener's endpoint; the others are left out, as Kafka does. */
static void fill_brokers(struct request *req, struct metadata_response *out)
{
	const struct metadata_cache *mc = req->b->meta;
	const char *lname = request_listener(req)->name;
	out->brokers.v = arena_alloc(&req->arena, ((size_t)mc->nbrokers + 1) * sizeof(struct metadata_resp_broker));
	struct metadata_resp_broker *bv = out->brokers.v;
	int32_t n = 0;
	for (int32_t i = 0; bv && i < mc->nbrokers; i++) {
		const struct mc_endpoint *ep = mc_broker_endpoint(&mc->brokers[i], lname);
		if (!ep)
			continue;
		bv[n].node_id = mc->brokers[i].id;
		bv[n].host = (struct kstr){ ep->host, (int32_t)strlen(ep->host) };
		bv[n].port = ep->port;
		bv[n].rack = mc->brokers[i].rack[0]
				     ? (struct kstr){ mc->brokers[i].rack, (int32_t)strlen(mc->brokers[i].rack) }
				     : (struct kstr){ NULL, -1 };
		n++;
	}
	if (bv && mc->nbrokers == 0) {
		/* before the controller's first UpdateMetadata: at least ourselves,
		 * as advertised for this listener */
		const struct broker_config *cfg = req->b->cfg;
		const struct listener *l = &cfg->advertised[0];
		for (int i = 0; i < cfg->nadvertised; i++)
			if (strcmp(cfg->advertised[i].name, lname) == 0)
				l = &cfg->advertised[i];
		bv[0].node_id = req->b->id;
		bv[0].host = (struct kstr){ l->host, (int32_t)strlen(l->host) };
		bv[0].port = l->port;
		bv[0].rack = (struct kstr){ NULL, -1 };
		n = 1;
	}
	out->brokers.n = n;
}

/* Kafka's answer for a partition whose leader lacks the client's listener:
 * no leader, LISTENER_NOT_FOUND from v6, LEADER_NOT_AVAILABLE before. */
static int leader_reachable(struct request *req, int32_t leader)
{
	const struct mc_broker *b = mc_broker(req->b->meta, leader);
	return !b || mc_broker_endpoint(b, request_listener(req)->name) != NULL;
}

static void fill_topic(struct request *req, const struct mc_topic *t,
		       struct metadata_resp_topic *to)
{
	to->name = (struct kstr){ t->name, (int32_t)strlen(t->name) };
	memcpy(to->topic_id, t->id, sizeof to->topic_id);
	to->is_internal = t->name[0] == '_' && t->name[1] == '_';
	to->topic_authorized_operations =
		((const struct metadata_request *)req->body)->include_topic_authorized_operations
			? authz_operations(req, ACL_RES_TOPIC, t->name, strlen(t->name))
			: INT32_MIN;
	int32_t n = 0;
	for (int32_t i = 0; i < t->npartitions; i++)
		n += t->parts[i].exists;
	to->partitions.n = n;
	to->partitions.v = arena_alloc(&req->arena, ((size_t)n + 1) * sizeof(struct metadata_resp_partition));
	struct metadata_resp_partition *pv = to->partitions.v;
	if (!pv) {
		to->partitions.n = 0;
		return;
	}
	for (int32_t i = 0, k = 0; i < t->npartitions; i++) {
		const struct mc_partition *p = &t->parts[i];
		if (!p->exists)
			continue;
		struct metadata_resp_partition *po = &pv[k++];
		po->partition_index = i;
		po->leader_id = p->leader;
		po->leader_epoch = p->leader_epoch;
		po->error_code = p->leader < 0 ? KERR_LEADER_NOT_AVAILABLE : 0;
		if (p->leader >= 0 && !leader_reachable(req, p->leader)) {
			po->leader_id = -1;
			po->error_code = req->hdr.api_version >= 6 ? KERR_LISTENER_NOT_FOUND
								   : KERR_LEADER_NOT_AVAILABLE;
		}
		po->replica_nodes = ids_array(&req->arena, p->replicas, p->nreplicas);
		po->isr_nodes = ids_array(&req->arena, p->isr, p->nisr);
		po->offline_replicas = ids_array(&req->arena, p->offline, p->noffline);
	}
}

static void fill_all_topics(struct request *req, struct metadata_response *out)
{
	const struct metadata_cache *mc = req->b->meta;
	size_t n = mc->topics.used;
	out->topics.v = arena_alloc(&req->arena, (n + 1) * sizeof(struct metadata_resp_topic));
	const char *k;
	void *v;
	int32_t i = 0;
	for (size_t pos = 0; out->topics.v && strmap_next(&mc->topics, &pos, &k, &v);) {
		const struct mc_topic *t = v;
		struct kstr name = { t->name, (int32_t)strlen(t->name) };
		if (authz_topic(req, ACL_OP_DESCRIBE, name))
			fill_topic(req, t, &((struct metadata_resp_topic *)out->topics.v)[i++]);
	}
	out->topics.n = i;
}

static void fill_requested_topics(struct request *req, struct metadata_response *out)
{
	const struct metadata_request *in = req->body;
	int allow_create = req->hdr.api_version < 4 || in->allow_auto_topic_creation;
	int32_t n = in->topics.n;
	out->topics.n = n;
	out->topics.v = arena_alloc(&req->arena, ((size_t)n + 1) * sizeof(struct metadata_resp_topic));
	if (!out->topics.v) {
		out->topics.n = 0;
		return;
	}
	/* a topic named twice is answered once (Kafka keeps a set of them), so
	 * repeating a big topic cannot multiply the answer */
	struct strmap seen;
	strmap_init(&seen);
	int32_t k = 0;
	for (int32_t i = 0; i < n; i++) {
		struct kstr name = ((const struct metadata_req_topic *)in->topics.v)[i].name;
		size_t nl = name.len > 0 ? (size_t)name.len : 0;
		if (strmap_get(&seen, nl ? name.p : "", nl))
			continue;
		strmap_put(&seen, nl ? name.p : "", nl, &seen);
		struct metadata_resp_topic *to = &((struct metadata_resp_topic *)out->topics.v)[k++];
		const struct mc_topic *t = name.len > 0 ? mc_topic(req->b->meta, name.p, name.len) : NULL;
		int described = authz_topic(req, ACL_OP_DESCRIBE, name);
		if (t && described) {
			fill_topic(req, t, to);
			continue;
		}
		to->name = name;
		to->topic_authorized_operations = INT32_MIN;
		to->partitions.n = 0;
		if (name.len < 0) /* v12, a null name and a zero id: no topic named */
			to->error_code = KERR_UNKNOWN_TOPIC_ID;
		else if (!described)
			to->error_code = KERR_TOPIC_AUTHORIZATION_FAILED;
		else if (!topic_name_valid(name))
			to->error_code = KERR_INVALID_TOPIC_EXCEPTION;
		else if (allow_create && req->b->cfg->auto_create_topics_enable &&
			 !authz_may_create_topic(req, name))
			to->error_code = KERR_TOPIC_AUTHORIZATION_FAILED;
		else if (allow_create && autocreate_topic(req->b, name))
			to->error_code = KERR_LEADER_NOT_AVAILABLE;
		else
			to->error_code = KERR_UNKNOWN_TOPIC_OR_PARTITION;
	}
	strmap_free(&seen);
	out->topics.n = k;
}

static int request_uses_ids(const struct metadata_request *in, int16_t version)
{
	if (version < 12 || in->topics.n <= 0)
		return 0;
	for (int32_t i = 0; i < in->topics.n; i++)
		if (!mc_id_is_zero(((const struct metadata_req_topic *)in->topics.v)[i].topic_id))
			return 1;
	return 0;
}

static void fill_topics_by_id(struct request *req, struct metadata_response *out)
{
	const struct metadata_request *in = req->body;
	int32_t n = in->topics.n;
	out->topics.v = arena_alloc(&req->arena, ((size_t)n + 1) * sizeof(struct metadata_resp_topic));
	out->topics.n = 0;
	if (!out->topics.v)
		return;
	struct strmap seen;
	strmap_init(&seen);
	int32_t k = 0;
	for (int32_t i = 0; i < n; i++) {
		const uint8_t *id = ((const struct metadata_req_topic *)in->topics.v)[i].topic_id;
		if (mc_id_is_zero(id) || strmap_get(&seen, (const char *)id, 16))
			continue;
		strmap_put(&seen, (const char *)id, 16, &seen);
		struct metadata_resp_topic *to = &((struct metadata_resp_topic *)out->topics.v)[k++];
		const struct mc_topic *t = mc_topic_by_id(req->b->meta, id);
		struct kstr name = t ? (struct kstr){ t->name, (int32_t)strlen(t->name) }
				     : (struct kstr){ NULL, -1 };
		if (t && authz_topic(req, ACL_OP_DESCRIBE, name)) {
			fill_topic(req, t, to);
			continue;
		}
		to->name = (struct kstr){ NULL, -1 };
		memcpy(to->topic_id, id, sizeof to->topic_id);
		to->topic_authorized_operations = INT32_MIN;
		to->partitions.n = 0;
		to->error_code = t ? KERR_TOPIC_AUTHORIZATION_FAILED : KERR_UNKNOWN_TOPIC_ID;
	}
	strmap_free(&seen);
	out->topics.n = k;
}

/* Kafka 3.9 refuses a null name or a topic id before v12 with
 * InvalidRequestException, whose error answer lists every requested topic
 * with INVALID_REQUEST (a null name as "") and nothing else. */
static int refuse_before_v12(struct request *req, struct metadata_response *out)
{
	const struct metadata_request *in = req->body;
	if (req->hdr.api_version >= 12 || in->topics.n <= 0)
		return 0;
	const struct metadata_req_topic *t = in->topics.v;
	int bad = 0;
	for (int32_t i = 0; i < in->topics.n; i++)
		bad |= t[i].name.len < 0 || !mc_id_is_zero(t[i].topic_id);
	if (!bad)
		return 0;
	struct metadata_resp_topic *v =
		arena_alloc(&req->arena, ((size_t)in->topics.n + 1) * sizeof *v);
	if (!v)
		return 0;
	memset(v, 0, ((size_t)in->topics.n + 1) * sizeof *v);
	for (int32_t i = 0; i < in->topics.n; i++) {
		v[i].error_code = KERR_INVALID_REQUEST;
		v[i].name = t[i].name.len < 0 ? (struct kstr){ "", 0 } : t[i].name;
		memcpy(v[i].topic_id, t[i].topic_id, sizeof v[i].topic_id);
		v[i].topic_authorized_operations = INT32_MIN;
	}
	*out = (struct metadata_response){ .controller_id = -1,
					   .cluster_authorized_operations = INT32_MIN,
					   .cluster_id = { NULL, -1 },
					   .topics = { in->topics.n, v } };
	return 1;
}

void handle_metadata(struct request *req)
{
	const struct metadata_request *in = req->body;
	struct metadata_response *out = arena_alloc(&req->arena, sizeof *out);
	if (!out) {
		request_close(req, "out of memory");
		return;
	}
	char *cluster_id = arena_alloc(&req->arena, 32); /* the response's lifetime */
	if (!cluster_id) {
		request_close(req, "out of memory");
		return;
	}
	coord_cluster_id(req->b->coord, cluster_id);
	out->cluster_id = cluster_id[0] ? (struct kstr){ cluster_id, (int32_t)strlen(cluster_id) }
					: (struct kstr){ NULL, -1 };
	out->controller_id = coord_controller_id(req->b->coord);
	out->cluster_authorized_operations =
		in->include_cluster_authorized_operations
			? authz_operations(req, ACL_RES_CLUSTER, ACL_CLUSTER_NAME,
					   sizeof ACL_CLUSTER_NAME - 1)
			: INT32_MIN;
	if (refuse_before_v12(req, out)) {
		request_respond(req, out);
		return;
	}
	fill_brokers(req, out);
	if (in->topics.n < 0 || (req->hdr.api_version == 0 && in->topics.n == 0))
		fill_all_topics(req, out);
	else if (request_uses_ids(in, req->hdr.api_version))
		fill_topics_by_id(req, out);
	else
		fill_requested_topics(req, out);
	request_respond(req, out);
}
