/* Controller operations beyond topic life-cycle (docs/zookeeper.md §2): ISR change
 * notifications written by partition leaders, preferred replica election
 * (admin znode and auto.leader.rebalance), and controlled shutdown. All run
 * on the coordination thread; every state write goes through
 * ctl_run_election (fenced, conditional on the cached zk_version). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/proto/kerr.h"
#include "coord/coord_int.h"

#define CTL_MOD "controller"
#define ISR_NOTIFY_DIR "/isr_change_notification"
#define PREFERRED_PATH "/admin/preferred_replica_election"


struct ctl_partition *ctl_part_find(struct controller *ctl, const char *topic,
				    int32_t partition, struct ctl_topic **tout)
{
	struct ctl_topic *t = ctl_topic_find(ctl, topic);
	if (!t || partition < 0 || partition >= t->n_parts)
		return NULL;
	*tout = t;
	return &t->parts[partition];
}

/* Reads a znode holding a topic-partition list; returns a malloc'd array
 * (count in *n) or NULL. The bound on entries comes from the data length. */
struct zn_tp *ctl_read_tp_list(struct coord *c, const char *path, int watch, int *n)
{
	char *d;
	int l;
	*n = 0;
	if (zk_get_alloc(c, path, watch, &d, &l, NULL) != ZOK)
		return NULL;
	int max = l / 24 + 1; /* {"topic":"","partition":0} is 26 bytes */
	struct zn_tp *v = calloc((size_t)max, sizeof *v);
	int rc = v ? zn_tp_list_parse(d, (size_t)l, v, max) : -1;
	free(d);
	if (rc < 0) {
		log_warn(CTL_MOD, "ignoring malformed %s", path);
		free(v);
		return NULL;
	}
	*n = rc;
	return v;
}

/* ---- ISR change notifications ---- */

static void ctl_apply_isr_notification(struct coord *c, const char *path)
{
	int n;
	struct zn_tp *v = ctl_read_tp_list(c, path, 0, &n);
	for (int k = 0; k < n; k++) {
		struct ctl_topic *t;
		struct ctl_partition *p = ctl_part_find(&c->ctl, v[k].topic,
							v[k].partition, &t);
		if (p && p->has_state && ctl_read_state(c, t->name, p) == 0) {
			c->ctl.metadata_changed = 1;
			ctl_reassign_check(c, t, p);
		}
	}
	free(v);
}

void ctl_on_isr_change(struct coord *c)
{
	struct String_vector kids = { 0, NULL };
	if (zoo_get_children(c->zh, ISR_NOTIFY_DIR, 1, &kids) != ZOK)
		return;
	for (int k = 0; k < kids.count && !c->ctl.fenced; k++) {
		char path[512];
		if (snprintf(path, sizeof path, ISR_NOTIFY_DIR "/%s", kids.data[k]) >=
		    (int)sizeof path)
			continue;
		ctl_apply_isr_notification(c, path);
		ctl_fenced_delete(c, path);
	}
	if (kids.count > 0)
		log_debug(CTL_MOD, "processed %d ISR change notification(s)", kids.count);
	deallocate_String_vector(&kids);
}

/* ---- preferred replica election ---- */

static int ctl_decide_preferred(struct coord *c, struct ctl_topic *t,
				struct ctl_partition *p, void *arg, struct zn_pstate *out)
{
	(void)t;
	(void)arg;
	return elect_preferred(&c->ctl.view, p->replicas, p->n_replicas, &p->st, out);
}

static void ctl_elect_preferred(struct coord *c, struct ctl_topic *t,
				struct ctl_partition *p)
{
	/* Kafka skips partitions being reassigned: their replica list is RS,
	 * whose first member need not be the final preferred leader */
	if (!p->has_state || p->n_replicas < 1 || p->st.leader == p->replicas[0] ||
	    ctl_part_reassigning(p))
		return;
	/* leaders' ISR changes reach the cache up to ~8 s late: decide on the
	 * znode as it is now */
	if (ctl_read_state(c, t->name, p) || !p->has_state)
		return;
	c->ctl.metadata_changed = 1;
	if (ctl_run_election(c, t, p, ctl_decide_preferred, NULL, "preferred") == ELECT_KEEP)
		log_info(CTL_MOD, "%s-%d: preferred replica %d is not live or not in "
			 "the ISR", t->name, p->id, p->replicas[0]);
}

void ctl_on_preferred_election(struct coord *c)
{
	struct Stat st;
	for (int round = 0; round < 3 && !c->ctl.fenced; round++) {
		if (zoo_exists(c->zh, PREFERRED_PATH, 1, &st) != ZOK)
			return; /* watch armed for its creation */
		int n;
		struct zn_tp *v = ctl_read_tp_list(c, PREFERRED_PATH, 1, &n);
		for (int k = 0; k < n && !c->ctl.fenced; k++) {
			struct ctl_topic *t;
			struct ctl_partition *p = ctl_part_find(&c->ctl, v[k].topic,
								v[k].partition, &t);
			if (p)
				ctl_elect_preferred(c, t, p);
		}
		free(v);
		ctl_fenced_delete(c, PREFERRED_PATH);
	}
}

/* auto.leader.rebalance.enable: per broker, the share of partitions it
 * prefers but does not lead; above the percentage, elect preferred. */
static void ctl_rebalance_broker(struct coord *c, int32_t id)
{
	struct controller *ctl = &c->ctl;
	int total = 0, off = 0;
	for (int k = 0; k < ctl->n_topics; k++) {
		struct ctl_topic *t = &ctl->topics[k];
		for (int q = 0; q < t->n_parts && !t->deleting; q++) {
			struct ctl_partition *p = &t->parts[q];
			if (!p->has_state || p->n_replicas < 1 || p->replicas[0] != id ||
			    ctl_part_reassigning(p))
				continue;
			total++;
			off += p->st.leader != id;
		}
	}
	if (off == 0 || (int64_t)off * 100 <=
	    (int64_t)c->cfg.leader_imbalance_per_broker_percentage * total)
		return;
	log_info(CTL_MOD, "broker %d is the preferred leader of %d partition(s) but "
		 "leads %d fewer; rebalancing", id, total, off);
	for (int k = 0; k < ctl->n_topics && !ctl->fenced; k++) {
		struct ctl_topic *t = &ctl->topics[k];
		for (int q = 0; q < t->n_parts && !t->deleting; q++)
			if (t->parts[q].n_replicas > 0 && t->parts[q].replicas[0] == id)
				ctl_elect_preferred(c, t, &t->parts[q]);
	}
}

void ctl_check_rebalance(struct coord *c)
{
	struct controller *ctl = &c->ctl;
	int64_t now = clock_mono_ms();
	if (!c->cfg.auto_leader_rebalance_enable || now < ctl->next_rebalance_ms)
		return;
	ctl->next_rebalance_ms = now +
		(int64_t)c->cfg.leader_imbalance_check_interval_seconds * 1000;
	for (int k = 0; k < ctl->n_brokers && !ctl->fenced; k++)
		if (!ctl->brokers[k].shutting_down)
			ctl_rebalance_broker(c, ctl->brokers[k].id);
	if (!ctl->fenced)
		ctl_flush(c);
}

/* ---- controlled shutdown, controller side ---- */

struct cs_op {
	struct coord *c;
	int32_t broker_id;
	int64_t broker_epoch;
	coord_shutdown_done_fn done;
	void *arg;
	int16_t kerr;
	int n;
	struct coord_tp *tps;   /* topic strings point into names */
	char *names;
};

static void cs_deliver(void *arg)
{
	struct cs_op *op = arg;
	op->done(op->arg, op->kerr, op->tps, op->n);
	free(op->tps);
	free(op->names);
	free(op);
}

struct cs_decide_arg {
	int32_t id;
	int was_follower;
};

static int ctl_decide_shutdown(struct coord *c, struct ctl_topic *t,
			       struct ctl_partition *p, void *arg, struct zn_pstate *out)
{
	(void)t;
	struct cs_decide_arg *a = arg;
	return elect_shutdown(&c->ctl.view, a->id, p->replicas, p->n_replicas, &p->st,
			      out, &a->was_follower);
}

/* Lists the partitions id still leads into op (one allocation for names). */
static void cs_collect_remaining(struct controller *ctl, struct cs_op *op, int32_t id)
{
	size_t bytes = 0;
	int n = 0;
	for (int k = 0; k < ctl->n_topics; k++)
		for (int q = 0; q < ctl->topics[k].n_parts; q++)
			if (ctl->topics[k].parts[q].has_state &&
			    ctl->topics[k].parts[q].st.leader == id) {
				n++;
				bytes += strlen(ctl->topics[k].name) + 1;
			}
	op->tps = calloc((size_t)n + 1, sizeof *op->tps);
	op->names = malloc(bytes + 1);
	if (!op->tps || !op->names) {
		op->kerr = -1;
		return;
	}
	char *w = op->names;
	for (int k = 0; k < ctl->n_topics; k++)
		for (int q = 0; q < ctl->topics[k].n_parts; q++) {
			struct ctl_partition *p = &ctl->topics[k].parts[q];
			if (!p->has_state || p->st.leader != id)
				continue;
			size_t l = strlen(ctl->topics[k].name) + 1;
			memcpy(w, ctl->topics[k].name, l);
			op->tps[op->n++] = (struct coord_tp){ w, p->id };
			w += l;
		}
}

static void cs_run(void *arg)
{
	struct cs_op *op = arg;
	struct coord *c = op->c;
	struct controller *ctl = &c->ctl;
	struct ctl_broker *b = ctl->active && !ctl->fenced ?
			       ctl_broker_find(ctl, op->broker_id) : NULL;
	if (atomic_load(&c->stopping) || !c->zh || !ctl->active)
		op->kerr = KERR_NOT_CONTROLLER;
	else if (!b)
		op->kerr = KERR_BROKER_NOT_AVAILABLE;
	else if (op->broker_epoch != b->epoch)
		/* KIP-380, stricter than Kafka: v1's missing epoch (-1) or a
		 * made-up one never shuts a broker down; a broker that just
		 * re-registered retries until we have seen its registration */
		op->kerr = KERR_STALE_BROKER_EPOCH;
	if (op->kerr) {
		mbox_post(c->loop_mbox, cs_deliver, op);
		return;
	}
	if (!b->shutting_down)
		log_info(CTL_MOD, "broker %d is shutting down (controlled)", b->id);
	b->shutting_down = 1;
	ctl_view_refresh(ctl);
	int moved = 0, stopped = 0;
	for (int k = 0; k < ctl->n_topics && !ctl->fenced; k++) {
		struct ctl_topic *t = &ctl->topics[k];
		for (int q = 0; q < t->n_parts && !t->deleting && !ctl->fenced; q++) {
			struct ctl_partition *p = &t->parts[q];
			if (!p->has_state || p->n_replicas < 2)
				continue;
			int hosts = 0;
			for (int r = 0; r < p->n_replicas; r++)
				hosts |= p->replicas[r] == b->id;
			/* decide on the znode as it is now (see ctl_elect_preferred) */
			if (!hosts || ctl_read_state(c, t->name, p) || !p->has_state)
				continue;
			ctl->metadata_changed = 1;
			struct cs_decide_arg a = { b->id, 0 };
			int rc = ctl_run_election(c, t, p, ctl_decide_shutdown, &a,
						  "controlled shutdown");
			if (rc > 0 && a.was_follower) {
				p->stop_mark = 1;
				stopped++;
			} else if (rc > 0) {
				moved++;
			}
		}
	}
	if (stopped && ctl_send_stop_replica_marked(c, b, 0))
		log_warn(CTL_MOD, "StopReplica to shutting-down broker %d failed", b->id);
	if (ctl->fenced) {
		op->kerr = KERR_NOT_CONTROLLER;
	} else {
		ctl_flush(c);
		cs_collect_remaining(ctl, op, b->id);
		log_info(CTL_MOD, "controlled shutdown of broker %d: %d leader(s) moved, "
			 "%d follower(s) stopped, %d partition(s) remaining", b->id,
			 moved, stopped, op->n);
	}
	mbox_post(c->loop_mbox, cs_deliver, op);
}

void coord_controlled_shutdown(struct coord *c, int32_t broker_id, int64_t broker_epoch,
			       coord_shutdown_done_fn done, void *arg)
{
	struct cs_op *op = calloc(1, sizeof *op);
	if (!op) {
		done(arg, -1, NULL, 0);
		return;
	}
	*op = (struct cs_op){ .c = c, .broker_id = broker_id,
			      .broker_epoch = broker_epoch, .done = done, .arg = arg };
	mbox_post(c->events, cs_run, op);
}
