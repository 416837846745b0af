/* ISR shrink/expand: one write in flight per partition; the answer is
 * applied only if the partition is still led at the same epoch. */
#include "broker/replica/isr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker/broker.h"
#include "broker/metrics.h"
#include "broker/replica/replica_manager.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/proto/kerr.h"

struct isr_write {
	struct replica_manager *rm;
	char *topic;
	int32_t index;
	int32_t leader_epoch;
	int32_t old_zk_version;
	char old_isr[LOG_IDS_MAX]; /* for the state-change line */
	char reason[128];
	int32_t nisr;
	int32_t isr[];
};

static void isr_written(void *arg, int16_t kerr, int32_t new_zk_version)
{
	struct isr_write *w = arg;
	struct partition *p = rm_get(w->rm, w->topic, (int32_t)strlen(w->topic), w->index);
	if (p && p->is_leader && p->leader_epoch == w->leader_epoch) {
		p->isr_update_pending = 0;
		const char *ids = log_ids_str(w->isr, w->nisr);
		if (kerr) {
			log_warn("replica", "%s-%d: ISR change to %s not written: %s", p->topic,
				 p->index, ids, kerr_name(kerr));
		} else {
			int32_t *isr = malloc(((size_t)w->nisr + 1) * sizeof *isr);
			if (isr) {
				memcpy(isr, w->isr, (size_t)w->nisr * sizeof *isr);
				free(p->isr);
				p->isr = isr;
				p->nisr = w->nisr;
				p->zk_version = new_zk_version;
				log_state("[Broker id=%d] %s-%d: ISR %s -> %s at leader epoch %d, "
					  "zkVersion %d -> %d (reason: %s)", w->rm->b->id, p->topic,
					  p->index, w->old_isr, ids, p->leader_epoch,
					  w->old_zk_version, new_zk_version, w->reason);
				rm_update_high_watermark(w->rm, p);
				rm_wake(w->rm, p); /* acks=all waiters re-check min.insync */
			}
		}
	}
	free(w->topic);
	free(w);
}

static void isr_write(struct replica_manager *rm, struct partition *p, const int32_t *isr,
		      int32_t n, const char *reason)
{
	struct isr_write *w = malloc(sizeof *w + ((size_t)n + 1) * sizeof(int32_t));
	if (!w || !(w->topic = strdup(p->topic))) {
		free(w);
		return;
	}
	w->rm = rm;
	w->index = p->index;
	w->leader_epoch = p->leader_epoch;
	w->old_zk_version = p->zk_version;
	log_ids(p->isr, p->nisr, w->old_isr, sizeof w->old_isr);
	snprintf(w->reason, sizeof w->reason, "%s", reason);
	w->nisr = n;
	memcpy(w->isr, isr, (size_t)n * sizeof *isr);
	p->isr_update_pending = 1;
	coord_update_isr(rm->b->coord, p->topic, p->index, p->leader_id, p->leader_epoch,
			 p->controller_epoch, isr, n, p->zk_version, isr_written, w);
}

void isr_maybe_expand(struct replica_manager *rm, struct partition *p,
		      const struct replica_state *rs)
{
	if (!p->is_leader || p->isr_update_pending || rm_in_isr(p, rs->broker_id))
		return;
	if (rs->leo < p->high_watermark || rs->leo < p->epoch_start_offset)
		return;
	int32_t isr[p->nisr + 1];
	memcpy(isr, p->isr, (size_t)p->nisr * sizeof *isr);
	isr[p->nisr] = rs->broker_id;
	char why[128];
	snprintf(why, sizeof why, "replica %d caught up at offset %lld, high watermark %lld",
		 rs->broker_id, (long long)rs->leo, (long long)p->high_watermark);
	rm->b->metrics->isr_expands++;
	isr_write(rm, p, isr, p->nisr + 1, why);
}

/* Followers in the ISR that are behind and have not caught up for lag_ms. */
static void shrink_one(struct replica_manager *rm, struct partition *p, int64_t now, int64_t lag_ms)
{
	int64_t leo = partition_log_end(p);
	int32_t keep[p->nisr + 1], n = 0;
	char why[128] = "";
	for (int32_t i = 0; i < p->nisr; i++) {
		int32_t id = p->isr[i];
		const struct replica_state *rs = NULL;
		for (int32_t j = 0; j < p->nrstate; j++)
			if (p->rstate[j].broker_id == id)
				rs = &p->rstate[j];
		int lagging = id != p->leader_id && rs && rs->leo != leo &&
			      now - rs->last_caught_up_ms > lag_ms;
		if (lagging && !why[0]) /* the first laggard names the reason */
			snprintf(why, sizeof why, "replica %d out of sync: at offset %lld, leader "
				 "at %lld, not caught up for %lld ms", id, (long long)rs->leo,
				 (long long)leo, (long long)(now - rs->last_caught_up_ms));
		if (!lagging)
			keep[n++] = id;
	}
	if (n < p->nisr) {
		rm->b->metrics->isr_shrinks++;
		isr_write(rm, p, keep, n, why);
	}
}

static void isr_check(struct loop_timer *t)
{
	struct replica_manager *rm = t->arg;
	int64_t lag_ms = rm->b->cfg->replica_lag_time_max_ms;
	int64_t now = clock_mono_ms();
	const char *k;
	void *v;
	for (size_t i = 0; strmap_next(&rm->parts, &i, &k, &v);) {
		struct partition *p = v;
		if (p->is_leader && !p->isr_update_pending && p->nisr > 1)
			shrink_one(rm, p, now, lag_ms);
	}
	loop_timer_start(rm->b->loop, &rm->isr_timer, lag_ms / 2 > 0 ? lag_ms / 2 : 1);
}

void isr_start(struct replica_manager *rm)
{
	loop_timer_init(&rm->isr_timer, isr_check, rm);
	int64_t lag_ms = rm->b->cfg->replica_lag_time_max_ms;
	loop_timer_start(rm->b->loop, &rm->isr_timer, lag_ms / 2 > 0 ? lag_ms / 2 : 1);
}

void isr_stop(struct replica_manager *rm)
{
	loop_timer_stop(rm->b->loop, &rm->isr_timer);
}
