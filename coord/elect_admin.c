/* ElectLeaders on the controller (coord thread), as Kafka's ZooKeeper-mode
 * KafkaController.electLeaders: only the active controller elects (others
 * answer NOT_CONTROLLER, and clients send the request to the controller).
 * Preferred (type 0): replicas[0] if live and in the ISR, else
 * PREFERRED_LEADER_NOT_AVAILABLE; ELECTION_NOT_NEEDED if it leads already.
 * Unclean (type 1): only for a partition without a live leader; first the
 * ISR, then any live replica -- an admin-triggered unclean election is
 * allowed whatever unclean.leader.election.enable says, as in Kafka
 * (KIP-460); ELIGIBLE_LEADERS_NOT_AVAILABLE if no replica is live. */
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/proto/kerr.h"
#include "coord/coord_int.h"
#include "coord/elect.h"

#define CTL_MOD "controller"

struct el_op {
	struct coord *c;
	int8_t type;
	coord_elect_fn done;
	void *arg;
	int n;
	struct coord_tp *tps;    /* topics point into names */
	char *names;
	int16_t *errs;
	int all;                 /* tps filled on the coord thread: every partition */
};

static int el_decide_preferred(struct coord *c, struct ctl_topic *t,
			       struct ctl_partition *p, void *arg, struct zn_pstate *out)
{
	(void)t;
	(void)arg;
	return elect_preferred(&c->ctl.view, p->replicas, p->n_replicas, &p->st, out);
}

static int el_decide_unclean(struct coord *c, struct ctl_topic *t,
			     struct ctl_partition *p, void *arg, struct zn_pstate *out)
{
	(void)t;
	(void)arg;
	return elect_offline(&c->ctl.view, p->replicas, p->n_replicas, &p->st, 1, out);
}

static int16_t el_one(struct coord *c, int8_t type, const char *topic, int32_t partition)
{
	struct ctl_topic *t;
	struct ctl_partition *p = ctl_part_find(&c->ctl, topic, partition, &t);
	if (!p || t->deleting)
		return KERR_UNKNOWN_TOPIC_OR_PARTITION;
	if (ctl_read_state(c, t->name, p) || !p->has_state)
		return KERR_LEADER_NOT_AVAILABLE;
	int rc;
	if (type == 0) {
		if (p->n_replicas < 1 || p->st.leader == p->replicas[0])
			return KERR_ELECTION_NOT_NEEDED;
		/* as the controller's own preferred elections: a partition being
		 * reassigned lists RS, whose head need not be the final preference */
		if (ctl_part_reassigning(p))
			return KERR_PREFERRED_LEADER_NOT_AVAILABLE;
		rc = ctl_run_election(c, t, p, el_decide_preferred, NULL, "preferred (admin)");
		if (rc == ELECT_KEEP)
			return KERR_PREFERRED_LEADER_NOT_AVAILABLE;
	} else {
		if (p->st.leader >= 0 && elect_is_live(&c->ctl.view, p->st.leader))
			return KERR_ELECTION_NOT_NEEDED;
		rc = ctl_run_election(c, t, p, el_decide_unclean, NULL, "unclean (admin)");
		if (rc == ELECT_KEEP || (rc > 0 && p->st.leader < 0))
			return KERR_ELIGIBLE_LEADERS_NOT_AVAILABLE;
	}
	if (rc < 0)
		return c->ctl.fenced ? KERR_NOT_CONTROLLER : KERR_UNKNOWN_SERVER_ERROR;
	c->ctl.metadata_changed = 1;
	return 0;
}

/* Every partition of every topic (the request's null topic list). */
static int el_collect_all(struct el_op *op, struct controller *ctl)
{
	size_t bytes = 1;
	int n = 0;
	for (int k = 0; k < ctl->n_topics; k++) {
		n += ctl->topics[k].n_parts;
		bytes += strlen(ctl->topics[k].name) + 1;
	}
	op->tps = calloc((size_t)n + 1, sizeof *op->tps);
	op->names = malloc(bytes);
	op->errs = calloc((size_t)n + 1, sizeof *op->errs);
	if (!op->tps || !op->names || !op->errs)
		return -1;
	char *w = op->names;
	for (int k = 0; k < ctl->n_topics; k++) {
		size_t l = strlen(ctl->topics[k].name) + 1;
		memcpy(w, ctl->topics[k].name, l);
		for (int q = 0; q < ctl->topics[k].n_parts; q++)
			op->tps[op->n++] = (struct coord_tp){ w, q };
		w += l;
	}
	return 0;
}

static void el_deliver(void *arg)
{
	struct el_op *op = arg;
	op->done(op->arg, op->tps, op->errs, op->n);
	free(op->tps);
	free(op->names);
	free(op->errs);
	free(op);
}

static void el_run(void *arg)
{
	struct el_op *op = arg;
	struct coord *c = op->c;
	struct controller *ctl = &c->ctl;
	int active = !atomic_load(&c->stopping) && c->zh && ctl->active && !ctl->fenced;
	if (active && op->all && el_collect_all(op, ctl)) {
		op->n = 0; /* out of memory: nothing to answer for */
		active = 0;
	}
	int elected = 0;
	for (int k = 0; k < op->n; k++) {
		if (!active || ctl->fenced) {
			op->errs[k] = KERR_NOT_CONTROLLER;
			continue;
		}
		op->errs[k] = el_one(c, op->type, op->tps[k].topic, op->tps[k].partition);
		elected += op->errs[k] == 0;
	}
	if (active && !ctl->fenced && elected) {
		log_info(CTL_MOD, "%s election requested by an admin: %d partition(s) "
			 "got a new leader", op->type ? "unclean" : "preferred", elected);
		ctl_flush(c);
	}
	mbox_post(c->loop_mbox, el_deliver, op);
}

void coord_elect_leaders(struct coord *c, int8_t type, const struct coord_tp *tps, int n,
			 coord_elect_fn done, void *arg)
{
	struct el_op *op = calloc(1, sizeof *op);
	int bad = !op;
	if (op) {
		*op = (struct el_op){ .c = c, .type = type, .done = done, .arg = arg,
				      .all = tps == NULL };
		size_t bytes = 1;
		for (int k = 0; tps && k < n; k++)
			bytes += strlen(tps[k].topic) + 1;
		if (tps) {
			op->tps = calloc((size_t)n + 1, sizeof *op->tps);
			op->errs = calloc((size_t)n + 1, sizeof *op->errs);
			op->names = malloc(bytes);
			bad = !op->tps || !op->errs || !op->names;
		}
		char *w = op->names;
		for (int k = 0; !bad && tps && k < n; k++) {
			size_t l = strlen(tps[k].topic) + 1;
			memcpy(w, tps[k].topic, l);
			op->tps[k] = (struct coord_tp){ w, tps[k].partition };
			w += l;
		}
		op->n = bad ? 0 : (tps ? n : 0);
	}
	if (bad) {
		if (op) {
			free(op->tps);
			free(op->errs);
			free(op->names);
		}
		free(op);
		done(arg, NULL, NULL, -1);
		return;
	}
	mbox_post(c->events, el_run, op);
}
