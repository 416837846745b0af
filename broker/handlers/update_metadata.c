/* UpdateMetadata (6), v5-7: the controller's view of live brokers and
 * partition states, cached for Metadata answers; v7 carries topic ids (the
 * controller sends v7). Leader -2 marks a deleted topic: it leaves the cache
 * and the group coordinator drops its offsets. */
#include <stdlib.h>
#include <string.h>

#include "broker/broker.h"
#include "broker/group/coordinator.h"
#include "broker/handlers/controller_requests.h"
#include "broker/handlers/handlers.h"
#include "broker/metadata_cache.h"
#include "common/log.h"
#include "common/proto/kerr.h"
#include "common/proto/messages.h"

#define LEADER_DELETED (-2)

static void copy_kstr(char *dst, size_t cap, struct kstr s)
{
	size_t n = s.len > 0 ? (size_t)s.len : 0;
	if (n >= cap)
		n = cap - 1;
	if (n)
		memcpy(dst, s.p, n); /* s.p may be NULL when n is 0 */
	dst[n] = 0;
}

/* Every endpoint of every live broker (Metadata and FindCoordinator answer
 * with the client's listener); host/port is the one this broker reaches the
 * others on, its inter-broker listener's, else the first. */
static void apply_brokers(struct broker *b, const struct update_metadata_request *in)
{
	int32_t n = in->live_brokers.n > 0 ? in->live_brokers.n : 0;
	struct mc_broker *list = calloc((size_t)n + 1, sizeof *list);
	if (!list)
		return;
	const char *ib = b->cfg->inter_broker_listener_name;
	for (int32_t i = 0; i < n; i++) {
		const struct update_metadata_req_broker *lb =
			&((const struct update_metadata_req_broker *)in->live_brokers.v)[i];
		struct mc_broker *mb = &list[i];
		mb->id = lb->id;
		copy_kstr(mb->rack, sizeof mb->rack, lb->rack);
		for (int32_t j = 0; j < lb->endpoints.n && mb->nendpoints < MC_MAX_ENDPOINTS; j++) {
			const struct update_metadata_req_endpoint *e =
				&((const struct update_metadata_req_endpoint *)lb->endpoints.v)[j];
			struct mc_endpoint *me = &mb->ep[mb->nendpoints++];
			copy_kstr(me->listener, sizeof me->listener, e->listener);
			copy_kstr(me->host, sizeof me->host, e->host);
			me->port = e->port;
			me->security_protocol = e->security_protocol;
		}
		const struct mc_endpoint *ep = ib ? mc_broker_endpoint(mb, ib) : NULL;
		if (!ep && mb->nendpoints)
			ep = &mb->ep[0];
		if (ep) {
			memcpy(mb->host, ep->host, sizeof mb->host);
			mb->port = ep->port;
		}
	}
	mc_set_brokers(b->meta, list, n);
	free(list);
}

/* Kafka's groupCoordinator.handleDeletedPartitions, on every broker: each
 * drops the offsets of the groups it coordinates. */
static void topic_deleted(struct broker *b, struct kstr name)
{
	char topic[256];
	struct group_coordinator *gc = gc_get(b);
	if (!gc || name.len <= 0 || (size_t)name.len >= sizeof topic)
		return;
	copy_kstr(topic, sizeof topic, name);
	gc_topic_deleted(gc, topic);
}

static void apply_partitions(struct broker *b, const struct update_metadata_request *in)
{
	for (int32_t i = 0; i < in->topic_states.n; i++) {
		const struct update_metadata_req_topic_state *t =
			&((const struct update_metadata_req_topic_state *)in->topic_states.v)[i];
		/* v5-6 carry no ids: a topic keeps the one it has */
		if (t->partition_states.n > 0 && !mc_id_is_zero(t->topic_id) &&
		    mc_set_topic_id(b->meta, t->topic_name.p, t->topic_name.len, t->topic_id) < 0)
			log_warn_rl("broker", "cannot keep the id of topic %s",
				    log_esc_len(t->topic_name.p, t->topic_name.len));
		for (int32_t j = 0; j < t->partition_states.n; j++) {
			const struct update_metadata_req_partition_state *ps =
				&((const struct update_metadata_req_partition_state *)t->partition_states.v)[j];
			if (ps->leader == LEADER_DELETED) {
				mc_remove_topic(b->meta, t->topic_name.p, t->topic_name.len);
				topic_deleted(b, t->topic_name);
				break;
			}
			if (mc_set_partition(b->meta, t->topic_name.p, t->topic_name.len,
					     ps->partition_index, ps->leader, ps->leader_epoch,
					     ps->replicas.v, ps->replicas.n, ps->isr.v, ps->isr.n,
					     ps->offline_replicas.v,
					     ps->offline_replicas.n > 0 ? ps->offline_replicas.n : 0) < 0)
				log_warn_rl("broker", "bad partition state %s-%d in UpdateMetadata",
					    log_esc_len(t->topic_name.p, t->topic_name.len),
					    ps->partition_index);
		}
	}
}

void handle_update_metadata(struct request *req)
{
	const struct update_metadata_request *in = req->body;
	struct update_metadata_response *out = arena_alloc(&req->arena, sizeof *out);
	if (!out) {
		request_close(req, "out of memory");
		return;
	}
	out->error_code = controller_request_check(req, in->controller_id, in->controller_epoch,
						   in->broker_epoch);
	if (!out->error_code) {
		apply_brokers(req->b, in);
		apply_partitions(req->b, in);
	}
	request_respond(req, out);
}
