/* Log dir failures, both sides, as Kafka's ZooKeeper mode has them.
 * A broker whose log dir failed writes a persistent sequential
 * /log_dir_event_notification/log_dir_event_<n> holding
 * {"version":1,"broker":<id>,"event":1} (1: LogDirFailure). The controller
 * watches that directory; for each entry it deletes the node and sends the
 * broker a full LeaderAndIsr, whose KAFKA_STORAGE_ERROR answers name the
 * replicas in offline dirs (ctl_offline_add). Those replicas are offline
 * until their broker registers again: a partition led by one gets a new
 * leader from the rest of its ISR, and one is dropped from any ISR it is
 * in. Coordination thread only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/proto/kerr.h"
#include "coord/coord_int.h"
#include "coord/elect.h"
#include "coord/zjson.h"

#define LDE_DIR "/log_dir_event_notification"
#define LDE_PREFIX LDE_DIR "/log_dir_event_"
#define LDE_FAILURE 1
#define CTL_MOD "controller"

/* ---- broker side ---- */

static void lde_write(struct coord *c)
{
	char data[96], made[160];
	snprintf(data, sizeof data, "{\"version\":1,\"broker\":%d,\"event\":%d}",
		 (int)c->cfg.broker_id, LDE_FAILURE);
	int rc = zoo_create(c->zh, LDE_PREFIX, data, (int)strlen(data), zk_acl(c, LDE_PREFIX),
			    ZOO_SEQUENCE, made, sizeof made);
	if (rc == ZNONODE && zk_create_path(c, LDE_DIR) == ZOK)
		rc = zoo_create(c->zh, LDE_PREFIX, data, (int)strlen(data), zk_acl(c, LDE_PREFIX),
				ZOO_SEQUENCE, made, sizeof made);
	if (rc != ZOK) {
		log_warn(COORD_MOD, "writing the log dir event notification: %s (will retry)",
			 zerror(rc));
		return;
	}
	c->log_dir_event_pending = 0;
	log_info(COORD_MOD, "log dir failure told to the controller: %s", made);
}

static void lde_run(void *arg)
{
	struct coord *c = arg;
	c->log_dir_event_pending = 1;
	if (c->zh && zoo_state(c->zh) == ZOO_CONNECTED_STATE)
		lde_write(c);
}

void coord_log_dir_failure(struct coord *c)
{
	mbox_post(c->events, lde_run, c);
}

void coord_log_dir_tick(struct coord *c)
{
	if (c->log_dir_event_pending && c->zh && zoo_state(c->zh) == ZOO_CONNECTED_STATE)
		lde_write(c);
}

/* ---- controller side ---- */

int ctl_replica_offline(const struct controller *ctl, const char *topic, int32_t partition,
			int32_t broker)
{
	for (int k = 0; k < ctl->n_offline; k++) {
		const struct ctl_offline_replica *o = &ctl->offline[k];
		if (o->broker == broker && o->partition == partition && !strcmp(o->topic, topic))
			return 1;
	}
	return 0;
}

void ctl_offline_add(struct coord *c, const char *topic, int32_t partition, int32_t broker)
{
	struct controller *ctl = &c->ctl;
	if (ctl_replica_offline(ctl, topic, partition, broker) || strlen(topic) >= 256)
		return;
	if (ctl->n_offline == ctl->cap_offline) {
		int cap = ctl->cap_offline ? 2 * ctl->cap_offline : 16;
		struct ctl_offline_replica *v = realloc(ctl->offline, (size_t)cap * sizeof *v);
		if (!v)
			return; /* asked again on the next full LeaderAndIsr */
		ctl->offline = v;
		ctl->cap_offline = cap;
	}
	struct ctl_offline_replica *o = &ctl->offline[ctl->n_offline++];
	snprintf(o->topic, sizeof o->topic, "%s", topic);
	o->partition = partition;
	o->broker = broker;
	ctl->offline_pending = 1;
	log_warn(CTL_MOD, "%s-%d: replica on broker %d is in an offline log dir", topic,
		 partition, broker);
}

void ctl_offline_forget(struct controller *ctl, int32_t broker)
{
	int m = 0;
	for (int k = 0; k < ctl->n_offline; k++)
		if (ctl->offline[k].broker != broker)
			ctl->offline[m++] = ctl->offline[k];
	ctl->n_offline = m;
}

/* p's assigned replicas and ISR without its offline replicas. An ISR that
 * would be empty keeps its members (never an empty ISR). */
static void lde_filter(const struct controller *ctl, const struct ctl_topic *t,
		       const struct ctl_partition *p, int32_t *reps, int *nr,
		       struct zn_pstate *cur)
{
	*nr = 0;
	for (int k = 0; k < p->n_replicas; k++)
		if (!ctl_replica_offline(ctl, t->name, p->id, p->replicas[k]))
			reps[(*nr)++] = p->replicas[k];
	*cur = p->st;
	cur->n_isr = 0;
	for (int k = 0; k < p->st.n_isr; k++)
		if (!ctl_replica_offline(ctl, t->name, p->id, p->st.isr[k]))
			cur->isr[cur->n_isr++] = p->st.isr[k];
	if (cur->n_isr == 0)
		*cur = p->st;
}

/* Kafka's OfflineReplica transition: a leader in an offline dir is
 * replaced by the first assigned replica eligible and in the ISR (none:
 * leader -1); any other offline replica leaves the ISR. */
static int lde_decide(struct coord *c, struct ctl_topic *t, struct ctl_partition *p,
		      void *arg, struct zn_pstate *out)
{
	(void)arg;
	int32_t reps[ZN_MAX_REPLICAS] = { 0 };
	int nr;
	struct zn_pstate cur;
	lde_filter(&c->ctl, t, p, reps, &nr, &cur);
	if (p->st.leader >= 0 && ctl_replica_offline(&c->ctl, t->name, p->id, p->st.leader))
		return elect_offline(&c->ctl.view, reps, nr, &cur, 0, out);
	*out = cur;
	if (cur.n_isr == p->st.n_isr)
		return ELECT_KEEP;
	out->leader_epoch = p->st.leader_epoch + 1;
	return ELECT_WRITE;
}

void ctl_on_offline_replicas(struct coord *c)
{
	struct controller *ctl = &c->ctl;
	ctl->offline_pending = 0;
	for (int k = 0; k < ctl->n_topics && !ctl->fenced; k++) {
		struct ctl_topic *t = &ctl->topics[k];
		for (int q = 0; q < t->n_parts && !ctl->fenced && !t->deleting; q++) {
			struct ctl_partition *p = &t->parts[q];
			int hit = 0;
			for (int r = 0; r < p->n_replicas && !hit; r++)
				hit = ctl_replica_offline(ctl, t->name, p->id, p->replicas[r]);
			if (!hit || !p->has_state)
				continue;
			int rc = ctl_run_election(c, t, p, lde_decide, NULL, "replica in an "
						  "offline log dir");
			if (rc > 0)
				ctl->metadata_changed = 1;
			if (rc > 0 && p->st.leader < 0)
				log_warn(CTL_MOD, "%s-%d: no other in-sync replica; partition "
					 "offline", t->name, p->id);
		}
	}
}

/* Reads one notification: the broker id, or -1. */
static int32_t lde_read(struct coord *c, const char *path)
{
	char *data = NULL;
	int len = 0;
	struct zjson j;
	int64_t id = -1;
	if (zk_get_alloc(c, path, 0, &data, &len, NULL) != ZOK || !data)
		return -1;
	if (zj_parse(&j, data, (size_t)len) == 0) {
		if (zj_int(&j, zj_get(&j, 0, "broker"), 0, INT32_MAX, &id) < 0)
			id = -1;
		zj_free(&j);
	}
	free(data);
	return (int32_t)id;
}

void ctl_on_log_dir_event(struct coord *c)
{
	struct String_vector kids = { 0, NULL };
	if (zoo_get_children(c->zh, LDE_DIR, 1, &kids) != ZOK)
		return;
	for (int k = 0; k < kids.count && !c->ctl.fenced; k++) {
		char path[512];
		if (snprintf(path, sizeof path, LDE_DIR "/%s", kids.data[k]) >= (int)sizeof path)
			continue;
		int32_t id = lde_read(c, path);
		struct ctl_broker *b = id >= 0 ? ctl_broker_find(&c->ctl, id) : NULL;
		log_info(CTL_MOD, "log dir event %s: broker %d%s", kids.data[k], (int)id,
			 b ? "; asking it which replicas are offline" : " (not live)");
		if (b)
			b->full_sync = 1; /* the LeaderAndIsr answers tell */
		ctl_fenced_delete(c, path);
	}
	deallocate_String_vector(&kids);
}
