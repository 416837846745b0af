/* Loading a __consumer_offsets partition after this broker became its
 * leader: replays the log from its start to its end in bounded steps (one
 * slice per turn of the loop), so the broker keeps serving meanwhile and
 * group requests for the partition get COORDINATOR_LOAD_IN_PROGRESS. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "broker/broker.h"
#include "broker/group/coordinator_int.h"
#include "broker/group/group_log.h"
#include "broker/replica/replica_manager.h"
#include "common/log.h"
#include "common/proto/kerr.h"
#include "common/proto/record_batch.h"

#define LOAD_SLICE_BYTES (1 << 20)
#define LOAD_SLICES_PER_TURN 8

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
	loop_timer_stop(p->gc->b->loop, &p->load_timer);
	if (p->state != GC_NOT_LEADER)
		log_info("group", "no longer coordinator for %s-%d", GC_OFFSETS_TOPIC, p->index);
	p->state = GC_NOT_LEADER;
	free_group_cb(&p->groups);
}

static void replay_batch(struct gc_partition *p, const uint8_t *batch, size_t len,
			 const struct rb_header *h)
{
	int n = glog_replay_batch(&p->groups, &p->gc->env, batch, len, p->load_offset);
	if (n == GLOG_COMPRESSED)
		log_warn("group", "%s-%d: skipping compressed batch at %lld", GC_OFFSETS_TOPIC,
			 p->index, (long long)h->base_offset);
	else if (n == GLOG_MALFORMED)
		log_warn("group", "%s-%d: malformed batch at %lld skipped", GC_OFFSETS_TOPIC,
			 p->index, (long long)h->base_offset);
	else
		p->load_records += n;
}

/* Replays the whole batches in buf; returns the offset after the last. */
static int64_t replay_buffer(struct gc_partition *p, const uint8_t *buf, size_t len)
{
	int64_t next = p->load_offset;
	size_t pos = 0;
	while (pos < len) {
		int64_t total = rb_total_size(buf + pos, len - pos);
		struct rb_header h;
		if (total < RB_HEADER_SIZE || (size_t)total > len - pos ||
		    rb_parse_header(buf + pos, len - pos, &h) < 0)
			break;
		replay_batch(p, buf + pos, (size_t)total, &h);
		if (rb_last_offset(&h) + 1 > next)
			next = rb_last_offset(&h) + 1;
		pos += (size_t)total;
	}
	return next;
}

/* One slice: 1 if there is more to read, 0 when done, -1 on error. */
static int load_slice(struct gc_partition *p, struct partition *part)
{
	int64_t end = log_end_offset(part->log);
	if (p->load_offset < log_start_offset(part->log))
		p->load_offset = log_start_offset(part->log);
	if (p->load_offset >= end)
		return 0;
	struct log_slice s;
	if (log_read(part->log, p->load_offset, LOAD_SLICE_BYTES, end, &s) < 0)
		return -1;
	if (s.len <= 0)
		return 0;
	uint8_t *buf = malloc((size_t)s.len);
	if (!buf || pread(s.fd, buf, (size_t)s.len, s.pos) != (ssize_t)s.len) {
		free(buf);
		return -1;
	}
	int64_t next = replay_buffer(p, buf, (size_t)s.len);
	free(buf);
	if (next <= p->load_offset)
		return -1; /* no whole batch: cannot progress */
	p->load_offset = next;
	return next < end;
}

static void load_finish(struct gc_partition *p)
{
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

static void on_load_timer(struct loop_timer *t)
{
	struct gc_partition *p = t->arg;
	struct broker *b = p->gc->b;
	struct partition *part = rm_get(b->rm, GC_OFFSETS_TOPIC, (int32_t)strlen(GC_OFFSETS_TOPIC),
					p->index);
	if (!part || !part->is_leader || part->leader_epoch != p->epoch) {
		gc_unload(p);
		return;
	}
	for (int i = 0; i < LOAD_SLICES_PER_TURN; i++) {
		int rc = load_slice(p, part);
		if (rc < 0) {
			log_error("group", "%s-%d: read error at offset %lld; loaded what came before",
				  GC_OFFSETS_TOPIC, p->index, (long long)p->load_offset);
			rc = 0;
		}
		if (rc == 0) {
			load_finish(p);
			return;
		}
	}
	loop_timer_start(b->loop, &p->load_timer, 0);
}

void gc_partition_init(struct gc_partition *p, struct group_coordinator *gc, int32_t index)
{
	p->gc = gc;
	p->index = index;
	p->state = GC_NOT_LEADER;
	strmap_init(&p->groups);
	loop_timer_init(&p->load_timer, on_load_timer, p);
}

void gc_load_start(struct gc_partition *p, int32_t epoch)
{
	gc_unload(p);
	p->state = GC_LOADING;
	p->epoch = epoch;
	p->load_offset = 0;
	p->load_records = 0;
	log_info("group", "loading %s-%d (epoch %d)", GC_OFFSETS_TOPIC, p->index, epoch);
	loop_timer_start(p->gc->b->loop, &p->load_timer, 0);
}
