/* Loading a __consumer_offsets partition after this broker became its
 * leader: the groups are rebuilt from the log, replayed stepwise by
 * broker/internal_topic.c, and group requests for the partition get
 * COORDINATOR_LOAD_IN_PROGRESS meanwhile. */
#include <string.h>

#include "broker/broker.h"
#include "broker/group/coordinator_int.h"
#include "broker/group/group_log.h"
#include "common/log.h"
#include "common/proto/kerr.h"
#include "common/proto/record_batch.h"

static void free_group_cb(struct strmap *m)
{
	const char *k;
	void *v;
	for (size_t pos = 0; strmap_next(m, &pos, &k, &v);)
		group_free(v, KERR_NOT_COORDINATOR);
	strmap_free(m);
	strmap_init(m);
}

void gc_unload(struct gc_partition *p)
{
	itopic_replay_stop(&p->load);
	if (p->state != GC_NOT_LEADER)
		log_info("group", "no longer coordinator for %s-%d", GC_OFFSETS_TOPIC, p->index);
	p->state = GC_NOT_LEADER;
	free_group_cb(&p->groups);
}

static void replay_batch(void *arg, const uint8_t *batch, size_t len, const struct rb_header *h,
			 int64_t from)
{
	struct gc_partition *p = arg;
	int n = glog_replay_batch(&p->groups, &p->gc->env, batch, len, from);
	if (n == GLOG_COMPRESSED)
		log_warn("group", "%s-%d: skipping compressed batch at %lld", GC_OFFSETS_TOPIC,
			 p->index, (long long)h->base_offset);
	else if (n == GLOG_MALFORMED)
		log_warn("group", "%s-%d: malformed batch at %lld skipped", GC_OFFSETS_TOPIC,
			 p->index, (long long)h->base_offset);
	else
		p->load_records += n;
}

static void load_finish(void *arg)
{
	struct gc_partition *p = arg;
	int64_t now = gc_now(p->gc);
	const char *k;
	void *v;
	int n = 0, pending = 0;
	for (size_t pos = 0; strmap_next(&p->groups, &pos, &k, &v);) {
		struct group *g = v;
		group_load_finish(g, now);
		/* Nothing but tombstones left (deleted or expired): as Kafka, the
		 * group is not loaded. Deleting the current entry keeps the
		 * iteration valid (the slot only becomes a tombstone). */
		if (!g->nmembers && !g->protocol_type && !group_offset_count(g) &&
		    !group_txn_count(g)) {
			strmap_del(&p->groups, g->id, strlen(g->id));
			group_free(g, 0);
			continue;
		}
		pending |= group_txn_count(g) > 0;
		n++;
	}
	p->state = GC_LOADED;
	log_info("group", "loaded %s-%d (epoch %d): %d groups from %lld records%s",
		 GC_OFFSETS_TOPIC, p->index, p->epoch, n, (long long)p->load_records,
		 pending ? " (some with transactional offsets pending)" : "");
}

static void load_lost(void *arg)
{
	gc_unload(arg);
}

void gc_partition_init(struct gc_partition *p, struct group_coordinator *gc, int32_t index)
{
	p->gc = gc;
	p->index = index;
	p->state = GC_NOT_LEADER;
	strmap_init(&p->groups);
	itopic_replay_init(&p->load, gc->b, "group", GC_OFFSETS_TOPIC, index, replay_batch,
			   load_finish, load_lost, p);
}

void gc_load_start(struct gc_partition *p, int32_t epoch)
{
	gc_unload(p);
	p->state = GC_LOADING;
	p->epoch = epoch;
	p->load_records = 0;
	itopic_replay_start(&p->load, epoch, 0);
}
