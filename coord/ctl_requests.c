/* Controller -> broker requests: LeaderAndIsr v2, UpdateMetadata v7 (topic ids) and
 * StopReplica v1 (all non-flexible, so request header v1 and response header
 * v0), built from the controller's mirror of ZooKeeper and sent over the
 * broker's channel. Arrays live in a per-request arena. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "common/log.h"
#include "common/proto/apis.h"
#include "common/proto/kerr.h"
#include "common/proto/messages.h"
#include "coord/coord_int.h"

#define CTL_MOD "controller"

enum { API_LEADER_AND_ISR = 4, API_STOP_REPLICA = 5, API_UPDATE_METADATA = 6 };
enum { CTL_LEADER_DURING_DELETE = -2 };

static struct kstr ctl_kstr(const char *s)
{
	struct kstr k = { s, (int32_t)strlen(s) };
	return k;
}

static struct karray ctl_i32s(const int32_t *v, int n)
{
	struct karray a = { n, (void *)v };
	return a;
}

int bchan_call(struct broker_channel *ch, int16_t key, int16_t ver,
	       const struct kmsg *req_msg, const void *req,
	       const struct kmsg *resp_msg, void *resp, struct arena *a)
{
	const struct kapi *api = kapi_find(key);
	if (!api)
		return -1;
	struct kout w;
	kout_init(&w);
	size_t at = kw_reserve_i32(&w);
	int32_t corr = ch->next_corr_id++;
	struct kreq_header h = { key, ver, corr, ctl_kstr("gregor-controller") };
	kreq_header_encode(&w, &h);
	int rc = kcodec_encode(req_msg, kapi_ver(api, ver), req, &w);
	kw_patch_i32(&w, at, (int32_t)(w.len - at - 4));
	kout_finish(&w);
	if (rc || w.oom) {
		log_error(CTL_MOD, "cannot encode %s v%d", api->name, ver);
		kout_free(&w);
		return -1;
	}
	uint8_t *body = NULL;
	size_t blen = 0;
	rc = broker_channel_roundtrip(ch, w.buf, w.len, corr, &body, &blen);
	kout_free(&w);
	if (rc)
		return -1;
	/* decoded strings point into the body: it lives as long as the arena */
	uint8_t *kept = arena_alloc(a, blen + 1);
	if (kept && blen)
		memcpy(kept, body, blen);
	free(body);
	if (!kept)
		return -1;
	struct kreader r = { kept, kept + blen, 0 };
	/* a flexible version's response header ends with a tag buffer: before
	 * this, an error code was read from it (UpdateMetadata v7 answering
	 * STALE_BROKER_EPOCH looked undecodable and the broker unreachable) */
	rc = kresp_header_tags_decode(&r, key, ver);
	if (rc == 0)
		rc = kcodec_decode(resp_msg, kapi_ver(api, ver), &r, resp, a);
	if (rc) {
		log_warn(CTL_MOD, "broker %d: undecodable %s response", ch->broker_id,
			 api->name);
		broker_channel_close(ch);
		return -1;
	}
	return 0;
}

/* Sends one request to b and decodes the response into resp. */
static int ctl_call(struct coord *c, struct ctl_broker *b, int16_t key, int16_t ver,
		    const struct kmsg *req_msg, const void *req,
		    const struct kmsg *resp_msg, void *resp, struct arena *a)
{
	(void)c;
	return bchan_call(&b->ch, key, ver, req_msg, req, resp_msg, resp, a);
}

static const struct zn_endpoint *ctl_broker_ep(struct coord *c, const struct ctl_broker *b)
{
	const struct zn_endpoint *ep =
		zn_broker_endpoint(&b->reg, c->cfg.inter_broker_listener_name);
	return ep ? ep : &b->reg.ep[0];
}

static int ctl_id_in(const int32_t *v, int n, int32_t id)
{
	for (int k = 0; k < n; k++)
		if (v[k] == id)
			return 1;
	return 0;
}

static int ctl_is_replica(const struct ctl_partition *p, int32_t id)
{
	return ctl_id_in(p->replicas, p->n_replicas, id);
}

void ctl_new_replicas_delivered(struct controller *ctl, int32_t id)
{
	for (int k = 0; k < ctl->n_topics; k++)
		for (int q = 0; q < ctl->topics[k].n_parts; q++) {
			struct ctl_partition *p = &ctl->topics[k].parts[q];
			int n = 0;
			for (int r = 0; r < p->n_new_replicas; r++)
				if (p->new_replicas[r] != id)
					p->new_replicas[n++] = p->new_replicas[r];
			p->n_new_replicas = n;
		}
}

int ctl_send_leader_and_isr(struct coord *c, struct ctl_broker *b, int full)
{
	struct controller *ctl = &c->ctl;
	struct arena a;
	arena_init(&a);
	struct leader_and_isr_request req = {
		.controller_id = c->cfg.broker_id, .controller_epoch = ctl->epoch,
		.broker_epoch = b->epoch,
	};
	struct leader_and_isr_req_topic_state *ts =
		arena_alloc(&a, sizeof *ts * (size_t)(ctl->n_topics + 1));
	struct leader_and_isr_req_live_leader *ll =
		arena_alloc(&a, sizeof *ll * (size_t)(ctl->n_brokers + 1));
	int nt = 0, nl = 0, np_total = 0;
	for (int k = 0; ts && ll && k < ctl->n_topics; k++) {
		struct ctl_topic *t = &ctl->topics[k];
		if (t->deleting)
			continue; /* its replicas go to deletion, never back online */
		struct leader_and_isr_req_partition_state *ps =
			arena_alloc(&a, sizeof *ps * (size_t)(t->n_parts + 1));
		int np = 0;
		for (int q = 0; ps && q < t->n_parts; q++) {
			struct ctl_partition *p = &t->parts[q];
			if (!p->has_state || !ctl_is_replica(p, b->id) || !(full || p->changed))
				continue;
			if (b->shutting_down && p->stop_mark)
				continue; /* it gets StopReplica instead */
			ps[np++] = (struct leader_and_isr_req_partition_state){
				.partition_index = p->id,
				.controller_epoch = p->st.controller_epoch,
				.leader = p->st.leader, .leader_epoch = p->st.leader_epoch,
				.isr = ctl_i32s(p->st.isr, p->st.n_isr),
				.partition_epoch = p->zk_version,
				.replicas = ctl_i32s(p->replicas, p->n_replicas),
				.is_new = (uint8_t)(p->is_new ||
						    ctl_id_in(p->new_replicas, p->n_new_replicas, b->id)),
			};
			int seen = 0;
			for (int x = 0; x < nl; x++)
				seen |= ll[x].broker_id == p->st.leader;
			struct ctl_broker *lb = NULL;
			for (int x = 0; x < ctl->n_brokers; x++)
				if (ctl->brokers[x].id == p->st.leader)
					lb = &ctl->brokers[x];
			if (!seen && lb) {
				const struct zn_endpoint *ep = ctl_broker_ep(c, lb);
				ll[nl++] = (struct leader_and_isr_req_live_leader){
					lb->id, ctl_kstr(ep->host), ep->port };
			}
		}
		if (np > 0) {
			ts[nt].topic_name = ctl_kstr(t->name);
			ts[nt].partition_states = (struct karray){ np, ps };
			nt++;
			np_total += np;
		}
	}
	int rc = 0;
	if (!ts || !ll) {
		rc = -1;
	} else if (np_total > 0) {
		req.ungrouped_partition_states = (struct karray){ 0, NULL };
		req.topic_states = (struct karray){ nt, ts };
		req.live_leaders = (struct karray){ nl, ll };
		struct leader_and_isr_response resp;
		rc = ctl_call(c, b, API_LEADER_AND_ISR, 2, &leader_and_isr_request_msg,
			      &req, &leader_and_isr_response_msg, &resp, &a);
		if (rc == 0 && resp.error_code)
			log_warn(CTL_MOD, "broker %d answered LeaderAndIsr with error %d",
				 b->id, resp.error_code);
		else if (rc == 0)
			log_debug(CTL_MOD, "LeaderAndIsr (%d partitions) to broker %d",
				  np_total, b->id);
		/* Kafka's controller: a replica answered KAFKA_STORAGE_ERROR is in
		 * an offline log dir (coord/log_dir_event.c) */
		for (int32_t k = 0; rc == 0 && !resp.error_code && k < resp.partition_errors.n; k++) {
			const struct leader_and_isr_resp_partition_error *pe =
				&((const struct leader_and_isr_resp_partition_error *)
					  resp.partition_errors.v)[k];
			char topic[256];
			if (pe->error_code != KERR_KAFKA_STORAGE_ERROR || pe->topic_name.len <= 0 ||
			    pe->topic_name.len >= (int32_t)sizeof topic)
				continue;
			memcpy(topic, pe->topic_name.p, (size_t)pe->topic_name.len);
			topic[pe->topic_name.len] = '\0';
			ctl_offline_add(c, topic, pe->partition_index, b->id);
		}
		/* it holds a newer or older registration than we know, or has not
		 * loaded the ACLs that let us in yet: resend after a full sync */
		if (rc == 0 && (resp.error_code == KERR_STALE_BROKER_EPOCH ||
				resp.error_code == KERR_CLUSTER_AUTHORIZATION_FAILED))
			rc = CTL_REFUSED;
	}
	arena_free(&a);
	return rc;
}

static int ctl_fill_live_brokers(struct coord *c, struct arena *a,
				 struct karray *out)
{
	struct controller *ctl = &c->ctl;
	struct update_metadata_req_broker *v =
		arena_alloc(a, sizeof *v * (size_t)(ctl->n_brokers + 1));
	if (!v)
		return -1;
	for (int k = 0; k < ctl->n_brokers; k++) {
		struct ctl_broker *b = &ctl->brokers[k];
		struct update_metadata_req_endpoint *e =
			arena_alloc(a, sizeof *e * (size_t)(b->reg.n_endpoints + 1));
		if (!e)
			return -1;
		int ne = 0;
		for (int x = 0; x < b->reg.n_endpoints; x++) {
			const struct zn_endpoint *ep = &b->reg.ep[x];
			e[ne++] = (struct update_metadata_req_endpoint){
				.port = ep->port, .host = ctl_kstr(ep->host),
				.listener = ctl_kstr(ep->listener),
				.security_protocol = ep->security_protocol < 0 ? 0 :
						     ep->security_protocol,
			};
		}
		v[k].id = b->id;
		v[k].endpoints = (struct karray){ ne, e };
		v[k].rack = b->reg.has_rack ? ctl_kstr(b->reg.rack) : (struct kstr){ NULL, -1 };
	}
	*out = (struct karray){ ctl->n_brokers, v };
	return 0;
}

static int ctl_fill_topic_states(struct coord *c, struct arena *a, struct karray *out)
{
	struct controller *ctl = &c->ctl;
	struct update_metadata_req_topic_state *ts =
		arena_alloc(a, sizeof *ts * (size_t)(ctl->n_topics + 1));
	if (!ts)
		return -1;
	int nt = 0;
	for (int k = 0; k < ctl->n_topics; k++) {
		struct ctl_topic *t = &ctl->topics[k];
		struct update_metadata_req_partition_state *ps =
			arena_alloc(a, sizeof *ps * (size_t)(t->n_parts + 1));
		if (!ps)
			return -1;
		int np = 0;
		for (int q = 0; q < t->n_parts; q++) {
			struct ctl_partition *p = &t->parts[q];
			if (t->deleting) {
				/* Kafka's LeaderDuringDelete: brokers drop the
				 * topic from their metadata at once */
				ps[np++] = (struct update_metadata_req_partition_state){
					.partition_index = p->id,
					.controller_epoch = ctl->epoch,
					.leader = CTL_LEADER_DURING_DELETE,
					.leader_epoch = p->has_state ? p->st.leader_epoch : 0,
					.isr = ctl_i32s(p->st.isr, p->has_state ? p->st.n_isr : 0),
					.zk_version = p->zk_version,
					.replicas = ctl_i32s(p->replicas, p->n_replicas),
					.offline_replicas = ctl_i32s(NULL, 0),
				};
				continue;
			}
			if (!p->has_state)
				continue; /* New without a live replica: not served */
			int32_t *off = arena_alloc(a, sizeof *off * (size_t)(p->n_replicas + 1));
			if (!off)
				return -1;
			int noff = 0;
			for (int r = 0; r < p->n_replicas; r++) {
				int live = 0;
				for (int x = 0; x < ctl->n_brokers; x++)
					live |= ctl->brokers[x].id == p->replicas[r];
				/* Kafka: dead brokers and replicas in offline log dirs */
				if (!live || ctl_replica_offline(ctl, t->name, p->id, p->replicas[r]))
					off[noff++] = p->replicas[r];
			}
			ps[np++] = (struct update_metadata_req_partition_state){
				.partition_index = p->id,
				.controller_epoch = p->st.controller_epoch,
				.leader = p->st.leader, .leader_epoch = p->st.leader_epoch,
				.isr = ctl_i32s(p->st.isr, p->st.n_isr),
				.zk_version = p->zk_version,
				.replicas = ctl_i32s(p->replicas, p->n_replicas),
				.offline_replicas = ctl_i32s(off, noff),
			};
		}
		if (np > 0) {
			ts[nt].topic_name = ctl_kstr(t->name);
			memcpy(ts[nt].topic_id, t->id, sizeof t->id);
			ts[nt].partition_states = (struct karray){ np, ps };
			nt++;
		}
	}
	*out = (struct karray){ nt, ts };
	return 0;
}

int ctl_send_update_metadata(struct coord *c, struct ctl_broker *b)
{
	struct arena a;
	arena_init(&a);
	struct update_metadata_request req = {
		.controller_id = c->cfg.broker_id, .controller_epoch = c->ctl.epoch,
		.broker_epoch = b->epoch,
	};
	int rc = -1;
	if (ctl_fill_topic_states(c, &a, &req.topic_states) == 0 &&
	    ctl_fill_live_brokers(c, &a, &req.live_brokers) == 0) {
		struct update_metadata_response resp;
		rc = ctl_call(c, b, API_UPDATE_METADATA, 7, &update_metadata_request_msg,
			      &req, &update_metadata_response_msg, &resp, &a);
		if (rc == 0 && resp.error_code)
			log_warn(CTL_MOD, "broker %d answered UpdateMetadata with error %d",
				 b->id, resp.error_code);
		/* it holds a newer or older registration than we know, or has not
		 * loaded the ACLs that let us in yet: resend after a full sync */
		if (rc == 0 && (resp.error_code == KERR_STALE_BROKER_EPOCH ||
				resp.error_code == KERR_CLUSTER_AUTHORIZATION_FAILED))
			rc = CTL_REFUSED;
	}
	arena_free(&a);
	return rc;
}

int ctl_send_stop_replica(struct coord *c, struct ctl_broker *b,
			  const struct ctl_topic *t, int delete_partitions)
{
	struct arena a;
	arena_init(&a);
	int32_t *idx = arena_alloc(&a, sizeof *idx * (size_t)(t->n_parts + 1));
	struct stop_replica_req_topic_v1 *top = arena_alloc(&a, sizeof *top);
	int rc = -1;
	if (idx && top) {
		int n = 0;
		for (int q = 0; q < t->n_parts; q++)
			if (ctl_is_replica(&t->parts[q], b->id))
				idx[n++] = t->parts[q].id;
		top->name = ctl_kstr(t->name);
		top->partition_indexes = ctl_i32s(idx, n);
		struct stop_replica_request req = {
			.controller_id = c->cfg.broker_id, .controller_epoch = c->ctl.epoch,
			.broker_epoch = b->epoch, .delete_partitions = (uint8_t)!!delete_partitions,
			.topics = { 1, top },
		};
		struct stop_replica_response resp;
		rc = ctl_call(c, b, API_STOP_REPLICA, 1, &stop_replica_request_msg, &req,
			      &stop_replica_response_msg, &resp, &a);
		if (rc == 0 && resp.error_code)
			log_warn(CTL_MOD, "broker %d answered StopReplica with error %d",
				 b->id, resp.error_code);
		/* it holds a newer or older registration than we know, or has not
		 * loaded the ACLs that let us in yet: resend after a full sync */
		if (rc == 0 && (resp.error_code == KERR_STALE_BROKER_EPOCH ||
				resp.error_code == KERR_CLUSTER_AUTHORIZATION_FAILED))
			rc = CTL_REFUSED;
	}
	arena_free(&a);
	return rc;
}

int ctl_send_stop_replica_one(struct coord *c, struct ctl_broker *b, const char *topic,
			      int32_t partition, int delete_partition)
{
	struct arena a;
	arena_init(&a);
	struct stop_replica_req_topic_v1 top = { ctl_kstr(topic), ctl_i32s(&partition, 1) };
	struct stop_replica_request req = {
		.controller_id = c->cfg.broker_id, .controller_epoch = c->ctl.epoch,
		.broker_epoch = b->epoch, .delete_partitions = (uint8_t)!!delete_partition,
		.topics = { 1, &top },
	};
	struct stop_replica_response resp;
	int rc = ctl_call(c, b, API_STOP_REPLICA, 1, &stop_replica_request_msg, &req,
			  &stop_replica_response_msg, &resp, &a);
	if (rc == 0 && resp.error_code)
		log_warn(CTL_MOD, "broker %d answered StopReplica with error %d",
			 b->id, resp.error_code);
	/* it holds a newer or older registration than we know, or has not
	 * loaded the ACLs that let us in yet: resend after a full sync */
	if (rc == 0 && (resp.error_code == KERR_STALE_BROKER_EPOCH ||
			resp.error_code == KERR_CLUSTER_AUTHORIZATION_FAILED))
		rc = -1;
	arena_free(&a);
	return rc;
}

int ctl_send_stop_replica_marked(struct coord *c, struct ctl_broker *b,
				 int delete_partitions)
{
	struct controller *ctl = &c->ctl;
	struct arena a;
	arena_init(&a);
	struct stop_replica_req_topic_v1 *top =
		arena_alloc(&a, sizeof *top * (size_t)(ctl->n_topics + 1));
	int nt = 0, rc = top ? 0 : -1;
	for (int k = 0; top && k < ctl->n_topics && rc == 0; k++) {
		const struct ctl_topic *t = &ctl->topics[k];
		int32_t *idx = arena_alloc(&a, sizeof *idx * (size_t)(t->n_parts + 1));
		int n = 0;
		rc = idx ? 0 : -1;
		for (int q = 0; idx && q < t->n_parts; q++)
			if (t->parts[q].stop_mark && ctl_is_replica(&t->parts[q], b->id))
				idx[n++] = t->parts[q].id;
		if (n > 0) {
			top[nt].name = ctl_kstr(t->name);
			top[nt].partition_indexes = ctl_i32s(idx, n);
			nt++;
		}
	}
	if (rc == 0 && nt > 0) {
		struct stop_replica_request req = {
			.controller_id = c->cfg.broker_id, .controller_epoch = ctl->epoch,
			.broker_epoch = b->epoch,
			.delete_partitions = (uint8_t)!!delete_partitions,
			.topics = { nt, top },
		};
		struct stop_replica_response resp;
		rc = ctl_call(c, b, API_STOP_REPLICA, 1, &stop_replica_request_msg, &req,
			      &stop_replica_response_msg, &resp, &a);
		if (rc == 0 && resp.error_code)
			log_warn(CTL_MOD, "broker %d answered StopReplica with error %d",
				 b->id, resp.error_code);
		/* it holds a newer or older registration than we know, or has not
		 * loaded the ACLs that let us in yet: resend after a full sync */
		if (rc == 0 && (resp.error_code == KERR_STALE_BROKER_EPOCH ||
				resp.error_code == KERR_CLUSTER_AUTHORIZATION_FAILED))
			rc = CTL_REFUSED;
	}
	arena_free(&a);
	return rc;
}
