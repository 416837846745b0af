/* DescribeCluster (60), v0: cluster id, controller and the live brokers, as
 * Metadata gives them: the endpoints of the listener the client came in
 * on, brokers without that listener left out (Kafka's
 * getAliveBrokerNodes(listenerName)). */
#include <stdint.h>
#include <string.h>

#include "broker/broker.h"
#include "broker/handlers/handlers.h"
#include "broker/metadata_cache.h"
#include "common/proto/messages.h"

static struct kstr kstr_of(const char *s)
{
	return (struct kstr){ s, (int32_t)strlen(s) };
}

void handle_describe_cluster(struct request *req)
{
	struct describe_cluster_response *out = arena_alloc(&req->arena, sizeof *out);
	const struct metadata_cache *mc = req->b->meta;
	struct describe_cluster_resp_broker *bv =
		arena_alloc(&req->arena, ((size_t)mc->nbrokers + 1) * sizeof *bv);
	char *cluster_id = arena_alloc(&req->arena, 32);
	if (!out || !bv || !cluster_id) {
		request_close(req, "out of memory");
		return;
	}
	memset(out, 0, sizeof *out);
	const char *lname = request_listener(req)->name;
	int32_t n = 0;
	for (int32_t i = 0; i < mc->nbrokers; i++) {
		const struct mc_broker *b = &mc->brokers[i];
		const struct mc_endpoint *ep = mc_broker_endpoint(b, lname);
		if (!ep)
			continue;
		bv[n++] = (struct describe_cluster_resp_broker){
			b->id, kstr_of(ep->host), ep->port,
			b->rack[0] ? kstr_of(b->rack) : (struct kstr){ NULL, -1 } };
	}
	coord_cluster_id(req->b->coord, cluster_id);
	out->error_message = (struct kstr){ NULL, -1 };
	out->cluster_id = kstr_of(cluster_id);
	out->controller_id = coord_controller_id(req->b->coord);
	out->brokers = (struct karray){ n, bv };
	/* authorized operations are not computed: Kafka's "not provided" */
	out->cluster_authorized_operations = INT32_MIN;
	request_respond(req, out);
}
