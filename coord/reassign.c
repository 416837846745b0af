/* Partition reassignment through /admin/reassign_partitions, Kafka 2.6's
 * controller flow (docs/zookeeper.md §1-2): the topic znode first gets
 * RS = TRS + (ORS - TRS) with adding/removing maps, every replica of RS a
 * LeaderAndIsr (leader_epoch+1); once the leader has added all of TRS to the
 * ISR (learned from /isr_change_notification), leadership moves into TRS if
 * needed, ORS - TRS leave the ISR and get StopReplica(delete), the topic
 * znode gets RS = TRS with empty maps, and the admin entry is removed.
 *
 * Invariant: a partition is being reassigned exactly while its mirrored
 * adding/removing sets are non-empty; the topic znode holds the same sets,
 * so a new controller resumes from it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "coord/coord_int.h"

#define CTL_MOD "controller"
#define REASSIGN_PATH "/admin/reassign_partitions"

static int ra_in(const int32_t *v, int n, int32_t id)
{
	for (int k = 0; k < n; k++)
		if (v[k] == id)
			return 1;
	return 0;
}

int ctl_part_reassigning(const struct ctl_partition *p)
{
	return p->n_adding > 0 || p->n_removing > 0;
}

/* TRS = replicas - removing; ORS = replicas - adding (order kept). */
static int ra_target(const struct ctl_partition *p, int32_t *out)
{
	int n = 0;
	for (int k = 0; k < p->n_replicas; k++)
		if (!ra_in(p->removing, p->n_removing, p->replicas[k]))
			out[n++] = p->replicas[k];
	return n;
}

static int ra_origin(const struct ctl_partition *p, int32_t *out)
{
	int n = 0;
	for (int k = 0; k < p->n_replicas; k++)
		if (!ra_in(p->adding, p->n_adding, p->replicas[k]))
			out[n++] = p->replicas[k];
	return n;
}

static int ra_same_list(const int32_t *a, int na, const int32_t *b, int nb)
{
	return na == nb && memcmp(a, b, sizeof *a * (size_t)na) == 0;
}

/* ---- the admin node ---- */

/* Rewrites the admin node with v[0..n) (fenced), deleting it when empty. */
static void ra_admin_write(struct coord *c, const struct zn_tp *v, int n)
{
	if (n == 0) {
		ctl_fenced_delete(c, REASSIGN_PATH);
		return;
	}
	struct zbuf b;
	zb_init(&b);
	zn_tp_list_build(&b, v, n);
	zoo_op_t ops[2];
	zoo_op_result_t res[2];
	struct Stat st;
	zoo_set_op_init(&ops[1], REASSIGN_PATH, b.p, (int)b.len, -1, &st);
	int rc = b.oom ? ZSYSTEMERROR : ctl_fenced_multi(c, 2, ops, res);
	zb_free(&b);
	if (rc != ZOK && rc != ZNONODE)
		log_warn(CTL_MOD, "cannot rewrite " REASSIGN_PATH ": %s", zerror(rc));
}

/* Drops topic-partition's entry from the admin node, if listed. */
static void ra_admin_remove(struct coord *c, const char *topic, int32_t partition)
{
	int n;
	struct zn_tp *v = ctl_read_tp_list(c, REASSIGN_PATH, 0, &n);
	int m = 0;
	for (int k = 0; k < n; k++)
		if (v[k].partition != partition || strcmp(v[k].topic, topic) != 0)
			v[m++] = v[k];
	if (v && m != n)
		ra_admin_write(c, v, m);
	free(v);
}

/* ---- completion ---- */

static int ra_decide_finish(struct coord *c, struct ctl_topic *t,
			    struct ctl_partition *p, void *arg, struct zn_pstate *out)
{
	(void)t;
	(void)arg;
	int32_t trs[ZN_MAX_REPLICAS];
	int nt = ra_target(p, trs);
	return elect_reassign_finish(&c->ctl.view, trs, nt, &p->st, out);
}

static void ra_stop_removed(struct coord *c, const struct ctl_topic *t, int32_t partition,
			    const int32_t *ids, int n)
{
	for (int k = 0; k < n; k++) {
		struct ctl_broker *b = ctl_broker_find(&c->ctl, ids[k]);
		if (!b)
			log_warn(CTL_MOD, "%s-%d: removed replica on dead broker %d "
				 "stays on its disk", t->name, partition, ids[k]);
		else if (ctl_send_stop_replica_one(c, b, t->name, partition, 1))
			log_warn(CTL_MOD, "%s-%d: StopReplica(delete) to broker %d "
				 "failed; its replica stays on disk", t->name, partition,
				 ids[k]);
	}
}

void ctl_reassign_check(struct coord *c, struct ctl_topic *t, struct ctl_partition *p)
{
	if (!ctl_part_reassigning(p) || c->ctl.fenced)
		return;
	if (ctl_read_state(c, t->name, p) || !p->has_state)
		return;
	int32_t trs[ZN_MAX_REPLICAS];
	int nt = ra_target(p, trs);
	for (int k = 0; k < nt; k++)
		if (!ra_in(p->st.isr, p->st.n_isr, trs[k]))
			return; /* still catching up */
	struct zn_pstate probe;
	if (elect_reassign_finish(&c->ctl.view, trs, nt, &p->st, &probe) == ELECT_KEEP) {
		log_warn(CTL_MOD, "%s-%d: reassignment waits: no target replica can "
			 "lead", t->name, p->id);
		return;
	}
	if (ctl_run_election(c, t, p, ra_decide_finish, NULL, "reassignment") <= 0)
		return;
	int32_t removed[ZN_MAX_REPLICAS];
	int nr = p->n_removing;
	memcpy(removed, p->removing, sizeof removed);
	struct ctl_partition saved = *p;
	memcpy(p->replicas, trs, sizeof trs);
	p->n_replicas = nt;
	p->n_adding = p->n_removing = 0;
	if (ctl_write_topic(c, t) != ZOK) {
		/* retried on the next ISR notification or failover */
		memcpy(p->replicas, saved.replicas, sizeof p->replicas);
		p->n_replicas = saved.n_replicas;
		p->n_adding = saved.n_adding;
		p->n_removing = saved.n_removing;
		return;
	}
	p->changed = 1;
	c->ctl.metadata_changed = 1;
	log_info(CTL_MOD, "%s-%d: reassignment complete (%d replica(s), leader %d)",
		 t->name, p->id, nt, p->st.leader);
	ra_stop_removed(c, t, p->id, removed, nr);
	ra_admin_remove(c, t->name, p->id);
	/* a deletion waiting for this resumes in ctl_after_event */
}

void ctl_reassign_check_all(struct coord *c)
{
	struct controller *ctl = &c->ctl;
	for (int k = 0; k < ctl->n_topics && !ctl->fenced; k++) {
		struct ctl_topic *t = &ctl->topics[k];
		for (int q = 0; q < t->n_parts && !ctl->fenced; q++)
			if (ctl_part_reassigning(&t->parts[q]))
				ctl_reassign_check(c, t, &t->parts[q]);
	}
}

/* ---- start ---- */

struct ra_start_arg {
	const int32_t *dropped;  /* adding replicas of an overridden target */
	int n_dropped;
};

/* Same leader; ISR minus dropped (never the leader, never empty);
 * leader_epoch+1 so every replica applies the new replica set. */
static int ra_decide_start(struct coord *c, struct ctl_topic *t,
			   struct ctl_partition *p, void *arg, struct zn_pstate *out)
{
	(void)c;
	(void)t;
	const struct ra_start_arg *a = arg;
	*out = p->st;
	out->n_isr = 0;
	for (int k = 0; k < p->st.n_isr; k++)
		if (p->st.isr[k] == p->st.leader ||
		    !ra_in(a->dropped, a->n_dropped, p->st.isr[k]))
			out->isr[out->n_isr++] = p->st.isr[k];
	if (out->n_isr == 0)
		*out = p->st;
	out->leader_epoch = p->st.leader_epoch + 1;
	return ELECT_WRITE;
}

/* Phase one: RS into the topic znode, epoch bump, LeaderAndIsr to RS. */
static void ra_start(struct coord *c, struct ctl_topic *t, struct ctl_partition *p,
		     const int32_t *trs, int nt)
{
	int32_t ors[ZN_MAX_REPLICAS];
	int no = ra_origin(p, ors);
	struct reassign_sets s;
	if (elect_reassign_sets(ors, no, trs, nt, &s)) {
		log_warn(CTL_MOD, "%s-%d: reassignment needs more than %d replicas",
			 t->name, p->id, ZN_MAX_REPLICAS);
		return;
	}
	int32_t dropped[ZN_MAX_REPLICAS];
	int nd = 0;
	for (int k = 0; k < p->n_replicas; k++)
		if (!ra_in(s.rs, s.n_rs, p->replicas[k]))
			dropped[nd++] = p->replicas[k];
	struct ctl_partition saved = *p;
	memcpy(p->replicas, s.rs, sizeof p->replicas);
	p->n_replicas = s.n_rs;
	memcpy(p->adding, s.adding, sizeof p->adding);
	p->n_adding = s.n_adding;
	/* replicas this reassignment creates: their LeaderAndIsr says IsNew */
	for (int k = 0; k < s.n_adding; k++)
		if (!ra_in(saved.replicas, saved.n_replicas, s.adding[k]) &&
		    !ra_in(p->new_replicas, p->n_new_replicas, s.adding[k]))
			p->new_replicas[p->n_new_replicas++] = s.adding[k];
	memcpy(p->removing, s.removing, sizeof p->removing);
	p->n_removing = s.n_removing;
	if (ctl_write_topic(c, t) != ZOK) {
		*p = saved;
		return;
	}
	log_info(CTL_MOD, "%s-%d: reassignment started: %d replica(s) during, "
		 "%d adding, %d removing", t->name, p->id, s.n_rs, s.n_adding,
		 s.n_removing);
	c->ctl.metadata_changed = 1;
	if (p->has_state && ctl_read_state(c, t->name, p) == 0 && p->has_state) {
		struct ra_start_arg a = { dropped, nd };
		ctl_run_election(c, t, p, ra_decide_start, &a, "reassignment started");
	}
	if (nd > 0)
		ra_stop_removed(c, t, p->id, dropped, nd);
	ctl_reassign_check(c, t, p);
}

/* NULL if e may start (or resume), else why it is dropped. */
static const char *ra_invalid(struct coord *c, const struct zn_tp *e,
			      struct ctl_topic **tout, struct ctl_partition **pout)
{
	struct ctl_partition *p = ctl_part_find(&c->ctl, e->topic, e->partition, tout);
	if (!p || (*tout)->deleting)
		return "unknown topic or partition";
	*pout = p;
	if (e->n_replicas < 1)
		return "no target replicas";
	for (int k = 0; k < e->n_replicas; k++) {
		if (e->replicas[k] < 0)
			return "negative broker id";
		if (ra_in(e->replicas, k, e->replicas[k]))
			return "duplicate target replica";
	}
	int32_t trs[ZN_MAX_REPLICAS];
	int nt = ra_target(p, trs);
	if (ctl_part_reassigning(p) && ra_same_list(trs, nt, e->replicas, e->n_replicas))
		return NULL; /* resuming: targets may be down meanwhile */
	for (int k = 0; k < e->n_replicas; k++)
		if (!ctl_broker_find(&c->ctl, e->replicas[k]))
			return "target broker not live";
	return NULL;
}

void ctl_on_reassign(struct coord *c)
{
	struct Stat st;
	if (zoo_exists(c->zh, REASSIGN_PATH, 1, &st) != ZOK)
		return; /* watch armed for its creation */
	int n;
	struct zn_tp *v = ctl_read_tp_list(c, REASSIGN_PATH, 1, &n);
	if (!v) {
		/* unreadable: Kafka drops the node rather than retrying forever */
		ctl_fenced_delete(c, REASSIGN_PATH);
		return;
	}
	int keep = 0;
	for (int k = 0; k < n && !c->ctl.fenced; k++) {
		struct ctl_topic *t = NULL;
		struct ctl_partition *p = NULL;
		const char *why = ra_invalid(c, &v[k], &t, &p);
		if (why) {
			log_warn(CTL_MOD, "dropping reassignment of %s-%d: %s", v[k].topic,
				 v[k].partition, why);
			continue;
		}
		int32_t trs[ZN_MAX_REPLICAS];
		int nt = ra_target(p, trs);
		if (!ctl_part_reassigning(p) ||
		    !ra_same_list(trs, nt, v[k].replicas, v[k].n_replicas))
			ra_start(c, t, p, v[k].replicas, v[k].n_replicas);
		else
			ctl_reassign_check(c, t, p);
		if (ctl_part_reassigning(p))
			v[keep++] = v[k];
	}
	if (keep != n && !c->ctl.fenced)
		ra_admin_write(c, v, keep);
	free(v);
}
