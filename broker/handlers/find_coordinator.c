/* FindCoordinator (10), v0-4: the broker leading a group's partition of
 * __consumer_offsets, or for key_type 1 a transactional id's partition of
 * __transaction_state (each created on first use). v4 batches keys. Needs
 * DESCRIBE on the group (GROUP_AUTHORIZATION_FAILED) or on the
 * transactional id (TRANSACTIONAL_ID_AUTHORIZATION_FAILED), as Kafka. */
#include <string.h>

#include "broker/auth/authorizer.h"
#include "broker/broker.h"
#include "broker/group/coordinator.h"
#include "broker/handlers/handlers.h"
#include "broker/metadata_cache.h"
#include "broker/txn/txn_coordinator.h"
#include "common/proto/kerr.h"
#include "common/proto/messages.h"

struct coordinator_answer {
	int16_t error;
	int32_t node_id;
	struct kstr host;
	int32_t port;
};

/* The coordinator's endpoint on the listener the client came in on (Kafka's
 * getAliveBrokerNode(listenerName)): a coordinator without that listener
 * is COORDINATOR_NOT_AVAILABLE for this client. */
static void for_listener(struct request *req, struct coordinator_answer *a)
{
	if (a->error)
		return;
	const struct mc_broker *b = mc_broker(req->b->meta, a->node_id);
	const struct mc_endpoint *ep = b ? mc_broker_endpoint(b, request_listener(req)->name) : NULL;
	if (!ep) {
		*a = (struct coordinator_answer){ KERR_COORDINATOR_NOT_AVAILABLE, -1, { "", 0 }, -1 };
		return;
	}
	a->host = gc_kstr(ep->host);
	a->port = ep->port;
}

static struct coordinator_answer lookup_any(struct request *req, int8_t key_type,
					    struct kstr key);

static struct coordinator_answer lookup(struct request *req, int8_t key_type, struct kstr key)
{
	struct coordinator_answer a = lookup_any(req, key_type, key);
	for_listener(req, &a);
	return a;
}

static struct coordinator_answer lookup_any(struct request *req, int8_t key_type,
					    struct kstr key)
{
	struct coordinator_answer a = { KERR_COORDINATOR_NOT_AVAILABLE, -1, { "", 0 }, -1 };
	char *id = gc_cstr(&req->arena, key);
	const char *host = NULL;
	if (key_type == 1 && !authz_txn_id(req, ACL_OP_DESCRIBE, key)) {
		a.error = KERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
		return a;
	}
	if (key_type == 0 && !authz_group(req, ACL_OP_DESCRIBE, key)) {
		a.error = KERR_GROUP_AUTHORIZATION_FAILED;
		return a;
	}
	if (key_type == 1) { /* transactions (broker/txn) */
		struct txn_coordinator *tc = tc_get(req->b);
		if (!tc || !id)
			return a;
		a.error = id[0] ? tc_find(tc, id, &a.node_id, &host, &a.port) : KERR_INVALID_REQUEST;
		if (a.error) {
			a.node_id = -1;
			a.port = -1;
		} else {
			a.host = gc_kstr(host);
		}
		return a;
	}
	struct group_coordinator *gc = gc_get(req->b);
	if (!gc || !id)
		return a;
	if (key_type != 0) {
		a.error = KERR_INVALID_REQUEST;
		return a;
	}
	if (!id[0]) {
		a.error = KERR_INVALID_GROUP_ID;
		return a;
	}
	a.error = gc_find(gc, id, &a.node_id, &host, &a.port);
	if (a.error) {
		a.node_id = -1;
		a.port = -1;
	} else {
		a.host = gc_kstr(host);
	}
	return a;
}

static void respond_v4(struct request *req, struct find_coordinator_response *out)
{
	const struct find_coordinator_request *in = req->body;
	int32_t n = in->coordinator_keys.n > 0 ? in->coordinator_keys.n : 0;
	struct find_coordinator_resp_coordinator *cv =
		arena_alloc(&req->arena, ((size_t)n + 1) * sizeof *cv);
	if (!cv) {
		request_close(req, "out of memory");
		return;
	}
	for (int32_t i = 0; i < n; i++) {
		struct kstr key = ((const struct kstr *)in->coordinator_keys.v)[i];
		struct coordinator_answer a = lookup(req, in->key_type, key);
		cv[i] = (struct find_coordinator_resp_coordinator){
			key, a.node_id, a.host, a.port, a.error, { NULL, -1 } };
	}
	out->coordinators = (struct karray){ n, cv };
	request_respond(req, out);
}

void handle_find_coordinator(struct request *req)
{
	const struct find_coordinator_request *in = req->body;
	struct find_coordinator_response *out = arena_alloc(&req->arena, sizeof *out);
	if (!out) {
		request_close(req, "out of memory");
		return;
	}
	out->error_message = (struct kstr){ NULL, -1 };
	if (req->hdr.api_version >= 4) {
		respond_v4(req, out);
		return;
	}
	struct coordinator_answer a = lookup(req, in->key_type, in->key);
	out->error_code = a.error;
	out->node_id = a.node_id;
	out->host = a.host;
	out->port = a.port;
	request_respond(req, out);
}
