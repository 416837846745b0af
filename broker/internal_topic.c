/* Internal topics of the coordinators (see internal_topic.h): creation with
 * the replication factor capped by the live brokers, leadership events of
 * their partitions, and the stepwise replay of a partition's log that both
 * coordinators load their state with. */
#include "broker/internal_topic.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "broker/broker.h"
#include "broker/metadata_cache.h"
#include "broker/replica/replica_manager.h"
#include "common/log.h"
#include "common/proto/kerr.h"

#define REPLAY_SLICE_BYTES (1 << 20)
#define REPLAY_SLICES_PER_TURN 8

/* ---- creation ---- */

static void topic_created(void *arg, int16_t kerr, const char *msg)
{
	struct itopic_creator *c = arg;
	c->in_flight = 0;
	if (kerr && kerr != KERR_TOPIC_ALREADY_EXISTS)
		log_warn(c->module, "creating %s failed: %d %s", c->name, kerr, msg ? msg : "");
	else if (!kerr)
		log_info(c->module, "created %s", c->name);
}

static int32_t capped_min_isr(const struct itopic_creator *c, const struct itopic_spec *s,
			      int32_t rf)
{
	int32_t min_isr = s->min_isr;
	if (min_isr > rf) {
		log_warn(c->module, "%s: %s %d capped to %d", s->name, s->min_isr_setting, min_isr,
			 rf);
		min_isr = rf;
	}
	return min_isr < 1 ? 1 : min_isr;
}

void itopic_create(struct broker *b, struct itopic_creator *c, const struct itopic_spec *s)
{
	int32_t live = b->meta->nbrokers;
	int32_t rf = s->replication_factor;
	if (c->in_flight || live <= 0)
		return;
	if (s->n_configs > ITOPIC_MAX_CONFIGS) {
		log_error(c->module, "%s: %d configs, at most %d", s->name, s->n_configs,
			  ITOPIC_MAX_CONFIGS);
		return;
	}
	if (rf > live) {
		log_warn(c->module, "%s: %s %d capped to %d live brokers", s->name, s->rf_setting,
			 rf, live);
		rf = live;
	}
	if (rf < 1)
		rf = 1;
	char isr[16];
	struct coord_topic_config configs[ITOPIC_MAX_CONFIGS];
	if (s->min_isr_setting)
		snprintf(isr, sizeof isr, "%d", capped_min_isr(c, s, rf));
	for (int i = 0; i < s->n_configs; i++) {
		configs[i] = s->configs[i];
		if (s->min_isr_setting && strcmp(configs[i].name, "min.insync.replicas") == 0)
			configs[i].value = isr;
	}
	struct coord_new_topic t = {
		.name = s->name,
		.num_partitions = s->partitions,
		.replication_factor = (int16_t)rf,
		.configs = configs,
		.n_configs = s->n_configs,
	};
	c->in_flight = 1;
	coord_create_topic(b->coord, &t, topic_created, c);
}

int itopic_find_leader(struct broker *b, const char *name, int32_t index, int32_t *node_id,
		       const char **host, int32_t *port)
{
	const struct metadata_cache *mc = b->meta;
	const struct mc_topic *t = mc_topic(mc, name, (int32_t)strlen(name));
	if (!t)
		return -ENOENT;
	if (index < 0 || index >= t->npartitions || !t->parts[index].exists ||
	    t->parts[index].leader < 0)
		return KERR_COORDINATOR_NOT_AVAILABLE;
	const struct mc_broker *br = mc_broker(mc, t->parts[index].leader);
	if (!br)
		return KERR_COORDINATOR_NOT_AVAILABLE;
	*node_id = br->id;
	*host = br->host;
	*port = br->port;
	return 0;
}

/* ---- leadership ---- */

static void on_leadership(void *arg, const char *topic, int32_t index, int is_leader,
			  int32_t leader_epoch)
{
	struct itopic_watch *w = arg;
	if (strcmp(topic, w->topic) != 0 || index < 0 || index >= w->nparts)
		return;
	w->fn(w->arg, index, is_leader, leader_epoch);
}

int itopic_watch_start(struct broker *b, struct itopic_watch *w, const char *module)
{
	int rc = rm_add_leadership_listener(b->rm, on_leadership, w);
	if (rc < 0)
		log_error(module, "cannot listen for leadership changes of %s: nothing will load",
			  w->topic);
	for (int32_t i = 0; i < w->nparts; i++) { /* partitions led before we listened */
		struct partition *p = rm_get(b->rm, w->topic, (int32_t)strlen(w->topic), i);
		if (p && p->is_leader)
			w->fn(w->arg, i, 1, p->leader_epoch);
	}
	return rc < 0 ? -1 : 0;
}

/* ---- stepwise replay ---- */

/* Hands the whole batches in buf to on_batch; returns the offset after the
 * last. */
static int64_t replay_buffer(struct itopic_replay *r, const uint8_t *buf, size_t len)
{
	int64_t next = r->offset;
	size_t pos = 0;
	while (pos < len) {
		int64_t total = rb_total_size(buf + pos, len - pos);
		struct rb_header h;
		if (total < RB_HEADER_SIZE || (size_t)total > len - pos ||
		    rb_parse_header(buf + pos, len - pos, &h) < 0)
			break;
		r->on_batch(r->arg, buf + pos, (size_t)total, &h, r->offset);
		if (rb_last_offset(&h) + 1 > next)
			next = rb_last_offset(&h) + 1;
		pos += (size_t)total;
	}
	return next;
}

/* One slice: 1 if there is more to read, 0 when done, -1 on error. */
static int replay_slice(struct itopic_replay *r, struct partition *part)
{
	int64_t end = partition_log_end(part);
	if (r->offset < partition_log_start(part))
		r->offset = partition_log_start(part);
	if (r->offset >= end)
		return 0;
	struct log_slice s;
	if (partition_read(part, READ_FOLLOWER, r->offset, REPLAY_SLICE_BYTES, &s) != 0)
		return -1;
	if (s.len <= 0)
		return 0;
	uint8_t *buf = malloc((size_t)s.len);
	if (!buf || pread(s.fd, buf, (size_t)s.len, s.pos) != (ssize_t)s.len) {
		free(buf);
		return -1;
	}
	int64_t next = replay_buffer(r, buf, (size_t)s.len);
	free(buf);
	if (next <= r->offset)
		return -1; /* no whole batch: cannot progress */
	r->offset = next;
	return next < end;
}

static void on_replay_timer(struct loop_timer *t)
{
	struct itopic_replay *r = t->arg;
	struct partition *part = rm_get(r->b->rm, r->topic, (int32_t)strlen(r->topic), r->index);
	if (!part || !part->is_leader || part->leader_epoch != r->epoch) {
		r->on_lost(r->arg);
		return;
	}
	for (int i = 0; i < REPLAY_SLICES_PER_TURN; i++) {
		int rc = replay_slice(r, part);
		if (rc < 0) {
			log_error(r->module, "%s-%d: read error at offset %lld; loaded what came before",
				  r->topic, r->index, (long long)r->offset);
			rc = 0;
		}
		if (rc == 0) {
			r->on_done(r->arg);
			return;
		}
	}
	loop_timer_start(r->b->loop, &r->timer, 0);
}

void itopic_replay_init(struct itopic_replay *r, struct broker *b, const char *module,
			const char *topic, int32_t index, itopic_batch_fn on_batch,
			itopic_event_fn on_done, itopic_event_fn on_lost, void *arg)
{
	*r = (struct itopic_replay){ .b = b, .module = module, .topic = topic, .index = index,
				     .on_batch = on_batch, .on_done = on_done,
				     .on_lost = on_lost, .arg = arg };
	loop_timer_init(&r->timer, on_replay_timer, r);
}

void itopic_replay_start(struct itopic_replay *r, int32_t epoch, int64_t from)
{
	loop_timer_stop(r->b->loop, &r->timer);
	r->epoch = epoch;
	r->offset = from;
	log_info(r->module, "loading %s-%d (epoch %d)", r->topic, r->index, epoch);
	loop_timer_start(r->b->loop, &r->timer, 0);
}

void itopic_replay_stop(struct itopic_replay *r)
{
	loop_timer_stop(r->b->loop, &r->timer);
}
