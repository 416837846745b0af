/* AddPartitionsToTxn (24). v0-3 (clients): registers partitions in the
 * producer's transaction at its coordinator. Unknown partitions fail the
 * request: they get UNKNOWN_TOPIC_OR_PARTITION, the others
 * OPERATION_NOT_ATTEMPTED. Authorization as KafkaApis: WRITE on the
 * transactional id (TRANSACTIONAL_ID_AUTHORIZATION_FAILED everywhere), then
 * WRITE on each topic (TOPIC_AUTHORIZATION_FAILED fails the request like an
 * unknown one). v4 (brokers, CLUSTER_ACTION): several transactions; only
 * the VerifyOnly form is served (a partition leader asking, before it
 * appends a transactional batch, whether the partition is in the
 * transaction); adding through v4 is Kafka's KIP-890 part 2 and answered
 * INVALID_REQUEST. */
#include <string.h>

#include "broker/auth/authorizer.h"
#include "broker/broker.h"
#include "broker/gate.h"
#include "broker/group/coordinator.h"
#include "broker/handlers/handlers.h"
#include "broker/metadata_cache.h"
#include "broker/txn/txn_coordinator.h"
#include "common/proto/kerr.h"
#include "common/proto/messages.h"

/* docs/protocol.md §1.3: PRODUCER_FENCED is INVALID_PRODUCER_EPOCH before v2 */
static int16_t apt_error(int16_t kerr, int16_t version)
{
	return kerr == KERR_PRODUCER_FENCED && version < 2 ? KERR_INVALID_PRODUCER_EPOCH : kerr;
}

static int partition_known(struct broker *b, struct kstr topic, int32_t partition)
{
	const struct mc_topic *t = mc_topic(b->meta, topic.p, topic.len);
	return t && partition >= 0 && partition < t->npartitions && t->parts[partition].exists;
}

struct apt_ctx {
	struct request *req;
	struct add_partitions_to_txn_response *out;
};

/* Fills every partition's error; unknown ones get their own. */
static void apt_fill(struct apt_ctx *c, int16_t kerr, int check_unknown)
{
	struct request *req = c->req;
	const struct add_partitions_to_txn_request *in = req->body;
	struct add_partitions_to_txn_response *out = c->out;
	const struct add_partitions_to_txn_req_topic *ti = in->v3_and_below_topics.v;
	struct add_partitions_to_txn_resp_topic_result *to = out->results_by_topic_v3_and_below.v;
	for (int32_t i = 0; i < in->v3_and_below_topics.n; i++) {
		struct add_partitions_to_txn_resp_partition_result *po = to[i].results_by_partition.v;
		const int32_t *ids = ti[i].partitions.v;
		for (int32_t j = 0; j < ti[i].partitions.n; j++) {
			po[j].partition_index = ids[j];
			po[j].partition_error_code = kerr;
			if (check_unknown && !authz_topic(req, ACL_OP_WRITE, ti[i].name))
				po[j].partition_error_code = KERR_TOPIC_AUTHORIZATION_FAILED;
			else if (check_unknown && !partition_known(req->b, ti[i].name, ids[j]))
				po[j].partition_error_code = KERR_UNKNOWN_TOPIC_OR_PARTITION;
		}
	}
}

static void apt_done(void *arg, int16_t kerr)
{
	struct apt_ctx *c = arg;
	apt_fill(c, apt_error(kerr, c->req->hdr.api_version), 0);
	request_respond(c->req, c->out);
}

/* v4: one transaction's result, every partition answered synchronously. */
static int verify_one(struct request *req, struct txn_coordinator *tc,
		      const struct add_partitions_to_txn_transaction *t,
		      struct add_partitions_to_txn_resp_txn_result *r)
{
	int32_t nt = t->topics.n > 0 ? t->topics.n : 0;
	const struct add_partitions_to_txn_req_topic *ti = t->topics.v;
	struct add_partitions_to_txn_resp_topic_result *to =
		arena_alloc(&req->arena, ((size_t)nt + 1) * sizeof *to);
	int has_id = t->transactional_id.len >= 0;
	char *id = has_id ? gc_cstr(&req->arena, t->transactional_id) : NULL;
	if (!to || (has_id && !id))
		return -1; /* no id at all is the coordinator's INVALID_REQUEST */
	r->transactional_id = t->transactional_id;
	r->topic_results = (struct karray){ nt, to };
	for (int32_t i = 0; i < nt; i++) {
		int32_t np = ti[i].partitions.n > 0 ? ti[i].partitions.n : 0;
		const int32_t *ids = ti[i].partitions.v;
		struct add_partitions_to_txn_resp_partition_result *po =
			arena_alloc(&req->arena, ((size_t)np + 1) * sizeof *po);
		struct tc_tp *tps = arena_alloc(&req->arena, ((size_t)np + 1) * sizeof *tps);
		int16_t *errs = arena_alloc(&req->arena, ((size_t)np + 1) * sizeof *errs);
		char *topic = gc_cstr(&req->arena, ti[i].name);
		if (!po || !tps || !errs || !topic)
			return -1;
		for (int32_t j = 0; j < np; j++)
			tps[j] = (struct tc_tp){ topic, ids[j] };
		if (!tc)
			for (int32_t j = 0; j < np; j++)
				errs[j] = KERR_COORDINATOR_NOT_AVAILABLE;
		else if (!t->verify_only)
			for (int32_t j = 0; j < np; j++)
				errs[j] = KERR_INVALID_REQUEST;
		else
			tc_verify_partitions(tc, id, t->producer_id, t->producer_epoch, tps, np, errs);
		for (int32_t j = 0; j < np; j++)
			po[j] = (struct add_partitions_to_txn_resp_partition_result){ ids[j], errs[j] };
		to[i].name = ti[i].name;
		to[i].results_by_partition = (struct karray){ np, po };
	}
	return 0;
}

static void handle_v4(struct request *req)
{
	const struct add_partitions_to_txn_request *in = req->body;
	struct add_partitions_to_txn_response *out = arena_alloc(&req->arena, sizeof *out);
	int32_t n = in->transactions.n > 0 ? in->transactions.n : 0;
	struct add_partitions_to_txn_resp_txn_result *rv =
		arena_alloc(&req->arena, ((size_t)n + 1) * sizeof *rv);
	if (!out || !rv) {
		request_close(req, "out of memory");
		return;
	}
	memset(out, 0, sizeof *out);
	if (!gate_cluster_action_allowed(req)) { /* KafkaApis: brokers only */
		out->error_code = KERR_CLUSTER_AUTHORIZATION_FAILED;
		request_respond(req, out);
		return;
	}
	out->results_by_transaction = (struct karray){ n, rv };
	struct txn_coordinator *tc = tc_get(req->b);
	const struct add_partitions_to_txn_transaction *tv = in->transactions.v;
	for (int32_t i = 0; i < n; i++)
		if (verify_one(req, tc, &tv[i], &rv[i]) < 0) {
			request_close(req, "out of memory");
			return;
		}
	request_respond(req, out);
}

void handle_add_partitions_to_txn(struct request *req)
{
	const struct add_partitions_to_txn_request *in = req->body;
	if (req->hdr.api_version >= 4) {
		handle_v4(req);
		return;
	}
	struct add_partitions_to_txn_response *out = arena_alloc(&req->arena, sizeof *out);
	int32_t nt = in->v3_and_below_topics.n > 0 ? in->v3_and_below_topics.n : 0;
	const struct add_partitions_to_txn_req_topic *ti = in->v3_and_below_topics.v;
	struct add_partitions_to_txn_resp_topic_result *to =
		arena_alloc(&req->arena, ((size_t)nt + 1) * sizeof *to);
	int32_t total = 0;
	for (int32_t i = 0; i < nt; i++)
		total += ti[i].partitions.n > 0 ? ti[i].partitions.n : 0;
	struct tc_tp *tps = arena_alloc(&req->arena, ((size_t)total + 1) * sizeof *tps);
	char *id = gc_cstr(&req->arena, in->v3_and_below_transactional_id);
	struct apt_ctx *c = arena_alloc(&req->arena, sizeof *c);
	if (!out || !to || !tps || !c) {
		request_close(req, "out of memory");
		return;
	}
	out->results_by_topic_v3_and_below = (struct karray){ nt, to };
	*c = (struct apt_ctx){ req, out };
	int txn_ok = authz_txn_id(req, ACL_OP_WRITE, in->v3_and_below_transactional_id);
	int unknown = 0, n = 0;
	for (int32_t i = 0; i < nt; i++) {
		int32_t np = ti[i].partitions.n > 0 ? ti[i].partitions.n : 0;
		to[i].name = ti[i].name;
		to[i].results_by_partition.n = np;
		to[i].results_by_partition.v = arena_alloc(
			&req->arena, ((size_t)np + 1) * sizeof(struct add_partitions_to_txn_resp_partition_result));
		char *topic = gc_cstr(&req->arena, ti[i].name);
		if (!to[i].results_by_partition.v || !topic) {
			request_close(req, "out of memory");
			return;
		}
		const int32_t *ids = ti[i].partitions.v;
		unknown |= !authz_topic(req, ACL_OP_WRITE, ti[i].name);
		for (int32_t j = 0; j < np; j++) {
			unknown |= !partition_known(req->b, ti[i].name, ids[j]);
			tps[n++] = (struct tc_tp){ topic, ids[j] };
		}
	}
	if (!txn_ok) {
		apt_fill(c, KERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED, 0);
		request_respond(req, out);
		return;
	}
	struct txn_coordinator *tc = tc_get(req->b);
	if (!tc || !id) {
		apt_done(c, tc ? KERR_INVALID_REQUEST : KERR_COORDINATOR_NOT_AVAILABLE);
		return;
	}
	if (unknown) {
		apt_fill(c, KERR_OPERATION_NOT_ATTEMPTED, 1);
		request_respond(req, out);
		return;
	}
	tc_add_partitions(tc, id, in->v3_and_below_producer_id, in->v3_and_below_producer_epoch,
			  tps, n, apt_done, c);
}
