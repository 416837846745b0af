/* Leader election rules as pure functions (see elect.h). They mirror Kafka
 * 2.6's PartitionLeaderElectionAlgorithms and the ISR removal of
 * removeReplicasFromIsr: every write bumps leader_epoch. */
#include "coord/elect.h"

#include <errno.h>
#include <string.h>

static int elect_in(const int32_t *v, int n, int32_t id)
{
	for (int k = 0; k < n; k++)
		if (v[k] == id)
			return 1;
	return 0;
}

int elect_is_live(const struct elect_brokers *b, int32_t id)
{
	return elect_in(b->live, b->n_live, id);
}

int elect_is_eligible(const struct elect_brokers *b, int32_t id)
{
	return elect_is_live(b, id) && !elect_in(b->shutting, b->n_shutting, id);
}

int elect_same_state(const struct zn_pstate *a, const struct zn_pstate *b)
{
	if (a->leader != b->leader || a->leader_epoch != b->leader_epoch ||
	    a->n_isr != b->n_isr)
		return 0;
	for (int k = 0; k < a->n_isr; k++)
		if (!elect_in(b->isr, b->n_isr, a->isr[k]))
			return 0;
	return 1;
}

static int elect_changed(const struct zn_pstate *cur, struct zn_pstate *out, int rc)
{
	if (out->leader == cur->leader && out->n_isr == cur->n_isr &&
	    memcmp(out->isr, cur->isr, sizeof(int32_t) * (size_t)out->n_isr) == 0)
		return ELECT_KEEP;
	out->leader_epoch = cur->leader_epoch + 1;
	return rc;
}

int elect_new(const struct elect_brokers *b, const int32_t *replicas, int nr,
	      struct zn_pstate *out)
{
	memset(out, 0, sizeof *out);
	out->leader = -1;
	for (int k = 0; k < nr && k < ZN_MAX_REPLICAS; k++)
		if (elect_is_eligible(b, replicas[k]))
			out->isr[out->n_isr++] = replicas[k];
	if (out->n_isr == 0)
		return ELECT_KEEP;
	out->leader = out->isr[0];
	return ELECT_WRITE;
}

int elect_offline(const struct elect_brokers *b, const int32_t *replicas, int nr,
		  const struct zn_pstate *cur, int unclean_ok, struct zn_pstate *out)
{
	*out = *cur;
	out->leader = -1;
	out->n_isr = 0;
	for (int k = 0; k < nr && out->leader < 0; k++)
		if (elect_is_eligible(b, replicas[k]) &&
		    elect_in(cur->isr, cur->n_isr, replicas[k]))
			out->leader = replicas[k];
	if (out->leader >= 0) {
		for (int k = 0; k < cur->n_isr; k++)
			if (elect_is_eligible(b, cur->isr[k]))
				out->isr[out->n_isr++] = cur->isr[k];
		return elect_changed(cur, out, ELECT_WRITE);
	}
	if (unclean_ok) {
		for (int k = 0; k < nr && out->leader < 0; k++)
			if (elect_is_eligible(b, replicas[k]))
				out->leader = replicas[k];
		if (out->leader >= 0) {
			out->isr[0] = out->leader;
			out->n_isr = 1;
			return elect_changed(cur, out, ELECT_WRITE_UNCLEAN);
		}
	}
	for (int k = 0; k < cur->n_isr; k++)
		if (elect_is_live(b, cur->isr[k]))
			out->isr[out->n_isr++] = cur->isr[k];
	if (out->n_isr == 0 && cur->n_isr > 0) {
		/* never an empty ISR: keep the last leader as the one member */
		out->isr[0] = elect_in(cur->isr, cur->n_isr, cur->leader) ? cur->leader
									 : cur->isr[0];
		out->n_isr = 1;
	}
	return elect_changed(cur, out, ELECT_WRITE);
}

int elect_shrink_dead(const struct elect_brokers *b, const struct zn_pstate *cur,
		      struct zn_pstate *out)
{
	*out = *cur;
	out->n_isr = 0;
	for (int k = 0; k < cur->n_isr; k++)
		if (elect_is_live(b, cur->isr[k]))
			out->isr[out->n_isr++] = cur->isr[k];
	if (out->n_isr == 0) {
		*out = *cur;
		return ELECT_KEEP;
	}
	return elect_changed(cur, out, ELECT_WRITE);
}

int elect_preferred(const struct elect_brokers *b, const int32_t *replicas, int nr,
		    const struct zn_pstate *cur, struct zn_pstate *out)
{
	*out = *cur;
	if (nr < 1 || cur->leader == replicas[0] || !elect_is_eligible(b, replicas[0]) ||
	    !elect_in(cur->isr, cur->n_isr, replicas[0]))
		return ELECT_KEEP;
	out->leader = replicas[0];
	out->leader_epoch = cur->leader_epoch + 1;
	return ELECT_WRITE;
}

int elect_shutdown(const struct elect_brokers *b, int32_t id, const int32_t *replicas,
		   int nr, const struct zn_pstate *cur, struct zn_pstate *out,
		   int *was_follower)
{
	*out = *cur;
	*was_follower = 0;
	if (nr <= 1 || !elect_in(replicas, nr, id))
		return ELECT_KEEP;
	if (cur->leader != id) {
		if (!elect_in(cur->isr, cur->n_isr, id) || cur->n_isr <= 1)
			return ELECT_KEEP;
		*was_follower = 1;
		out->n_isr = 0;
		for (int k = 0; k < cur->n_isr; k++)
			if (cur->isr[k] != id)
				out->isr[out->n_isr++] = cur->isr[k];
		return elect_changed(cur, out, ELECT_WRITE);
	}
	out->leader = -1;
	for (int k = 0; k < nr && out->leader < 0; k++)
		if (elect_is_eligible(b, replicas[k]) &&
		    elect_in(cur->isr, cur->n_isr, replicas[k]))
			out->leader = replicas[k];
	if (out->leader < 0) {
		*out = *cur;
		return ELECT_KEEP;
	}
	out->n_isr = 0;
	for (int k = 0; k < cur->n_isr; k++)
		if (!elect_in(b->shutting, b->n_shutting, cur->isr[k]))
			out->isr[out->n_isr++] = cur->isr[k];
	return elect_changed(cur, out, ELECT_WRITE);
}

int elect_reassign(const struct elect_brokers *b, const int32_t *target, int nt,
		   const struct zn_pstate *cur, struct zn_pstate *out)
{
	*out = *cur;
	if (elect_in(target, nt, cur->leader) && elect_is_eligible(b, cur->leader))
		return ELECT_KEEP;
	out->leader = -1;
	for (int k = 0; k < nt && out->leader < 0; k++)
		if (elect_is_eligible(b, target[k]) && elect_in(cur->isr, cur->n_isr, target[k]))
			out->leader = target[k];
	if (out->leader < 0) {
		*out = *cur;
		return ELECT_KEEP;
	}
	out->leader_epoch = cur->leader_epoch + 1;
	return ELECT_WRITE;
}

int elect_reassign_finish(const struct elect_brokers *b, const int32_t *target, int nt,
			  const struct zn_pstate *cur, struct zn_pstate *out)
{
	*out = *cur;
	if (!elect_in(target, nt, cur->leader) || !elect_is_eligible(b, cur->leader)) {
		out->leader = -1;
		for (int k = 0; k < nt && out->leader < 0; k++)
			if (elect_is_eligible(b, target[k]) &&
			    elect_in(cur->isr, cur->n_isr, target[k]))
				out->leader = target[k];
		if (out->leader < 0) {
			*out = *cur;
			return ELECT_KEEP;
		}
	}
	out->n_isr = 0;
	for (int k = 0; k < cur->n_isr; k++)
		if (elect_in(target, nt, cur->isr[k]))
			out->isr[out->n_isr++] = cur->isr[k];
	out->leader_epoch = cur->leader_epoch + 1;
	return ELECT_WRITE;
}

static int elect_add_distinct(int32_t *v, int *n, int32_t id)
{
	if (elect_in(v, *n, id))
		return 0;
	if (*n >= ZN_MAX_REPLICAS)
		return -EINVAL;
	v[(*n)++] = id;
	return 0;
}

int elect_reassign_sets(const int32_t *orig, int no, const int32_t *target, int nt,
			struct reassign_sets *out)
{
	memset(out, 0, sizeof *out);
	for (int k = 0; k < nt; k++)
		if (elect_add_distinct(out->rs, &out->n_rs, target[k]))
			return -EINVAL;
	for (int k = 0; k < no; k++)
		if (elect_add_distinct(out->rs, &out->n_rs, orig[k]))
			return -EINVAL;
	for (int k = 0; k < out->n_rs; k++) {
		if (!elect_in(orig, no, out->rs[k]))
			out->adding[out->n_adding++] = out->rs[k];
		if (!elect_in(target, nt, out->rs[k]))
			out->removing[out->n_removing++] = out->rs[k];
	}
	return 0;
}
