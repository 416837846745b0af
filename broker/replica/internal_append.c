/* Internal appends: coordinators write their records like an acks=all
 * producer would, and hear back once the ISR has them. One operation per
 * append in the broker's purgatory, watching its partition, with the
 * timeout as its deadline. */
#include <stdlib.h>
#include <string.h>

#include "broker/broker.h"
#include "broker/replica/replica_manager.h"
#include "common/proto/kerr.h"
#include "common/proto/record_batch.h"

struct internal_append {
	struct purg_op op;
	struct replica_manager *rm;
	char *topic;
	int32_t index;
	int32_t leader_epoch;
	int64_t base_offset;
	int64_t required;   /* high watermark that acknowledges the batch */
	int16_t kerr;       /* set: finish with this at the deadline */
	rm_append_done_fn done;
	void *arg;
};

static void finish(struct internal_append *ia, int16_t kerr)
{
	ia->done(ia->arg, kerr, kerr ? -1 : ia->base_offset);
	free(ia->topic);
	free(ia);
}

static int acknowledged(struct internal_append *ia)
{
	struct partition *p = rm_get(ia->rm, ia->topic, (int32_t)strlen(ia->topic), ia->index);
	return !ia->kerr && p && p->is_leader && p->leader_epoch == ia->leader_epoch &&
	       p->high_watermark >= ia->required;
}

/* Done once the ISR has it, or once this broker no longer leads the epoch
 * it wrote in. */
static int ready(struct purg_op *op)
{
	struct internal_append *ia = op->arg;
	struct partition *p = rm_get(ia->rm, ia->topic, (int32_t)strlen(ia->topic), ia->index);
	if (!p || !p->is_leader || p->leader_epoch != ia->leader_epoch)
		ia->kerr = KERR_NOT_LEADER_OR_FOLLOWER;
	return ia->kerr || p->high_watermark >= ia->required;
}

static void complete(struct purg_op *op, int expired)
{
	struct internal_append *ia = op->arg;
	if (!expired || acknowledged(ia))
		finish(ia, ia->kerr);
	else
		finish(ia, ia->kerr ? ia->kerr : KERR_REQUEST_TIMED_OUT);
}

void rm_append_internal(struct replica_manager *rm, const char *topic, int32_t index,
			uint8_t *batch, size_t len, int32_t min_isr, int32_t timeout_ms,
			rm_append_done_fn done, void *arg)
{
	struct internal_append *ia = calloc(1, sizeof *ia);
	if (!ia || !(ia->topic = strdup(topic))) {
		free(ia);
		done(arg, KERR_UNKNOWN_SERVER_ERROR, -1); /* out of memory: no timer to use */
		return;
	}
	ia->rm = rm;
	ia->index = index;
	ia->done = done;
	ia->arg = arg;
	purg_op_init(&ia->op, DELAYED_OTHER, ready, complete, ia);
	struct purgatory *pg = &rm->b->purgatory;
	struct partition *p = rm_get(rm, topic, (int32_t)strlen(topic), index);
	struct rb_header h;
	if (!p || !p->is_leader)
		ia->kerr = KERR_NOT_LEADER_OR_FOLLOWER;
	else if (p->nisr < min_isr)
		ia->kerr = KERR_NOT_ENOUGH_REPLICAS;
	else if (rb_parse_header(batch, len, &h) < 0)
		ia->kerr = KERR_CORRUPT_MESSAGE;
	else if ((ia->kerr = (int16_t)rm_append(rm, p, batch, len, &ia->base_offset)) == 0) {
		ia->leader_epoch = p->leader_epoch;
		ia->required = ia->base_offset + h.last_offset_delta + 1;
		/* with the leader alone in the ISR it is acknowledged already:
		 * the deadline reports it on the next turn of the loop */
		if (acknowledged(ia)) {
			purg_watch(pg, &ia->op, NULL, 0, 0);
		} else {
			struct purg_key *k = &p->waiters;
			purg_watch(pg, &ia->op, &k, 1, timeout_ms > 0 ? timeout_ms : 0);
		}
		return;
	}
	purg_watch(pg, &ia->op, NULL, 0, 0); /* report the error later */
}
