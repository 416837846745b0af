/* High watermark computation and its invariant (see hw.h). Kept apart from
 * replica_manager.c so that the rule and its check are unit-tested over
 * plain partition structs. */
#include "broker/replica/hw.h"

#include <inttypes.h>

#include "broker/replica/replica_manager.h"
#include "common/log.h"

static int in_isr(const struct partition *p, int32_t id)
{
	for (int32_t i = 0; i < p->nisr; i++)
		if (p->isr[i] == id)
			return 1;
	return 0;
}

int hw_advance(struct partition *p)
{
	/* the leader's own share: what it may acknowledge (with a flush per
	 * message, only what is flushed), not simply its LEO */
	int64_t hw = partition_ack_end(p);
	for (int32_t i = 0; i < p->nrstate; i++) {
		const struct replica_state *rs = &p->rstate[i];
		if (rs->broker_id == p->leader_id || !in_isr(p, rs->broker_id))
			continue;
		if (rs->leo < hw)
			hw = rs->leo;
	}
	if (hw <= p->high_watermark)
		return 0;
	p->high_watermark = hw;
	return 1;
}

static int hw_bad(const struct partition *p, const char *what, int64_t other)
{
	log_error("replica", "%s-%d: invariant broken: high watermark %" PRId64 " %s %" PRId64,
		  p->topic, p->index, p->high_watermark, what, other);
	return -1;
}

int hw_check_own(const struct partition *p)
{
	int64_t leo = partition_log_end(p);
	if (p->high_watermark < 0 || p->high_watermark > leo)
		return hw_bad(p, "outside [0, own LEO]", leo);
	return 0;
}

int hw_check(const struct partition *p)
{
	if (hw_check_own(p))
		return -1;
	if (!p->is_leader)
		return 0;
	for (int32_t i = 0; i < p->nrstate; i++) {
		const struct replica_state *rs = &p->rstate[i];
		if (rs->broker_id == p->leader_id || !in_isr(p, rs->broker_id) || rs->leo < 0)
			continue;
		if (p->high_watermark > rs->leo)
			return hw_bad(p, "above the LEO of ISR member", rs->broker_id);
	}
	return 0;
}
