/* The group coordinator (see coordinator.h): partition ownership from the
 * replica manager's leadership events, group lookup for handlers, writes to
 * __consumer_offsets and the periodic tick that runs the groups' deadlines
 * and, every offsets.retention.check.interval.ms, the offsets expiry. */
#include "broker/group/coordinator.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "broker/broker.h"
#include "broker/group/coordinator_int.h"
#include "broker/group/group_log.h"
#include "broker/replica/replica_manager.h"
#include "broker/txn/producer_state_manager.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/proto/kerr.h"

#define GC_TICK_MS 200
#define GC_APPEND_TIMEOUT_MS 5000 /* offsets.commit.timeout.ms */

/* ---- partition mapping ---- */

/* Next code point of UTF-8 text; malformed bytes decode as U+FFFD. */
static uint32_t utf8_next(const unsigned char *s, size_t len, size_t *i)
{
	unsigned c = s[*i];
	int n = c < 0x80 ? 0 : (c & 0xe0) == 0xc0 ? 1 : (c & 0xf0) == 0xe0 ? 2 : (c & 0xf8) == 0xf0 ? 3 : -1;
	if (n < 0 || *i + (size_t)n >= len) {
		(*i)++;
		return n == 0 ? c : 0xfffd;
	}
	uint32_t cp = n == 0 ? c : c & (0x3f >> n);
	for (int k = 1; k <= n; k++) {
		if ((s[*i + (size_t)k] & 0xc0) != 0x80) {
			(*i)++;
			return 0xfffd;
		}
		cp = (cp << 6) | (s[*i + (size_t)k] & 0x3f);
	}
	*i += (size_t)n + 1;
	return cp;
}

int32_t gc_partition_for(const char *id, size_t len, int32_t partitions)
{
	uint32_t h = 0;
	const unsigned char *s = (const unsigned char *)id;
	for (size_t i = 0; i < len;) {
		uint32_t cp = utf8_next(s, len, &i);
		if (cp >= 0x10000) {
			cp -= 0x10000;
			h = h * 31 + (0xd800 + (cp >> 10));
			h = h * 31 + (0xdc00 + (cp & 0x3ff));
		} else {
			h = h * 31 + cp;
		}
	}
	int32_t hs = (int32_t)h;
	int32_t a = hs == INT32_MIN ? 0 : hs < 0 ? -hs : hs;
	return partitions > 0 ? a % partitions : 0;
}

/* ---- lifecycle ---- */

int64_t gc_now(const struct group_coordinator *gc)
{
	return loop_now_ms(gc->b->loop);
}

static int64_t retention_ms(const struct group_coordinator *gc)
{
	return (int64_t)gc->b->cfg->offsets_retention_minutes * 60000;
}

/* Kafka's cleanupGroupMetadata for one partition. A partition with offset
 * commits in flight waits for a later tick: a tombstone appended after a
 * commit it did not see would erase that commit from the log. Expiry only
 * completes synchronously on failure, which removes no group, so the
 * iteration stays valid. */
static void expire_partition(struct gc_partition *p, int64_t now_wall)
{
	const char *k;
	void *v;
	for (size_t pos = 0; strmap_next(&p->groups, &pos, &k, &v);)
		if (group_expire_offsets(v, now_wall, retention_ms(p->gc)) < 0)
			log_warn_rl("group", "group %s: offsets expiry: out of memory", log_esc(k));
	p->expire_due = 0;
}

static void expire_offsets_tick(struct group_coordinator *gc, int64_t now)
{
	if (now >= gc->next_expire_ms) {
		gc->next_expire_ms = now + gc->b->cfg->offsets_retention_check_interval_ms;
		for (int32_t i = 0; i < gc->nparts; i++)
			gc->parts[i].expire_due = gc->parts[i].state == GC_LOADED;
	}
	int64_t wall = clock_wall_ms();
	for (int32_t i = 0; i < gc->nparts; i++) {
		struct gc_partition *p = &gc->parts[i];
		if (p->expire_due && p->state == GC_LOADED && !p->commits_in_flight)
			expire_partition(p, wall);
	}
}

static void on_tick(struct loop_timer *t)
{
	struct group_coordinator *gc = t->arg;
	int64_t now = gc_now(gc);
	for (int32_t i = 0; i < gc->nparts; i++) {
		struct gc_partition *p = &gc->parts[i];
		const char *k;
		void *v;
		for (size_t pos = 0; p->state == GC_LOADED && strmap_next(&p->groups, &pos, &k, &v);)
			group_tick(v, now);
	}
	expire_offsets_tick(gc, now);
	loop_timer_start(gc->b->loop, &gc->tick, GC_TICK_MS);
}

static void on_leadership(void *arg, int32_t index, int is_leader, int32_t leader_epoch)
{
	struct group_coordinator *gc = arg;
	struct gc_partition *p = &gc->parts[index];
	/* Only a broker that becomes leader loads (Kafka's onElection); a new
	 * epoch while it stays leader keeps the groups, or every ISR change
	 * would bounce all their members. A load under way restarts, since its
	 * replay stops at an epoch change. */
	if (!is_leader)
		gc_unload(p);
	else if (p->state == GC_NOT_LEADER || (p->state == GC_LOADING && p->epoch != leader_epoch))
		gc_load_start(p, leader_epoch);
}

static void store_metadata(void *env_arg, struct group *g, group_store_done_fn done, void *arg);
static void store_expiry(void *env_arg, struct group *g, const struct group_expiry *x,
			 group_store_done_fn done, void *arg);

static void gc_init_config(struct group_coordinator *gc)
{
	const struct broker_config *c = gc->b->cfg;
	gc->cfg = (struct group_config){
		.initial_rebalance_delay_ms = c->group_initial_rebalance_delay_ms,
		.min_session_timeout_ms = c->group_min_session_timeout_ms,
		.max_session_timeout_ms = c->group_max_session_timeout_ms,
		.max_size = c->group_max_size,
		.broker_id = c->broker_id,
	};
	gc->env = (struct group_env){ &gc->cfg, store_metadata, gc, store_expiry };
}

struct group_coordinator *gc_peek(const struct broker *b) { return b->gc; }

void gc_each_offset(struct group_coordinator *gc,
		    void (*fn)(void *arg, const char *group, const struct group_offset *o),
		    void *arg)
{
	for (int32_t i = 0; i < gc->nparts; i++) {
		const char *k;
		void *v;
		for (size_t pos = 0; strmap_next(&gc->parts[i].groups, &pos, &k, &v);) {
			struct group *g = v;
			void *ov;
			for (size_t op = 0; strmap_next(&g->offsets, &op, &k, &ov);)
				fn(arg, g->id, ov);
		}
	}
}

struct group_coordinator *gc_get(struct broker *b)
{
	if (b->gc)
		return b->gc;
	struct group_coordinator *gc = calloc(1, sizeof *gc);
	int32_t n = b->cfg->offsets_topic_num_partitions > 0 ? b->cfg->offsets_topic_num_partitions : 50;
	if (!gc || !(gc->parts = calloc((size_t)n, sizeof *gc->parts))) {
		free(gc);
		return NULL;
	}
	gc->b = b;
	gc->nparts = n;
	gc_init_config(gc);
	for (int32_t i = 0; i < n; i++)
		gc_partition_init(&gc->parts[i], gc, i);
	gc->creator = (struct itopic_creator){ "group", GC_OFFSETS_TOPIC, 0 };
	gc->watch = (struct itopic_watch){ GC_OFFSETS_TOPIC, n, on_leadership, gc };
	loop_timer_init(&gc->tick, on_tick, gc);
	gc->next_expire_ms = loop_now_ms(b->loop) + b->cfg->offsets_retention_check_interval_ms;
	loop_timer_start(b->loop, &gc->tick, GC_TICK_MS);
	b->gc = gc;
	itopic_watch_start(b, &gc->watch, "group");
	return gc;
}

/* ---- FindCoordinator ---- */

static void create_offsets_topic(struct group_coordinator *gc)
{
	static const struct coord_topic_config configs[] = {
		{ "cleanup.policy", "compact" },
		{ "segment.bytes", "104857600" },
		{ "compression.type", "producer" },
	};
	const struct itopic_spec s = {
		.name = GC_OFFSETS_TOPIC,
		.partitions = gc->nparts,
		.replication_factor = gc->b->cfg->offsets_topic_replication_factor,
		.rf_setting = "offsets.topic.replication.factor",
		.configs = configs,
		.n_configs = 3,
	};
	itopic_create(gc->b, &gc->creator, &s);
}

int16_t gc_find(struct group_coordinator *gc, const char *group_id, int32_t *node_id,
		const char **host, int32_t *port)
{
	int32_t i = gc_partition_for(group_id, strlen(group_id), gc->nparts);
	int rc = itopic_find_leader(gc->b, GC_OFFSETS_TOPIC, i, node_id, host, port);
	if (rc == -ENOENT)
		create_offsets_topic(gc);
	return rc < 0 ? KERR_COORDINATOR_NOT_AVAILABLE : (int16_t)rc;
}

/* ---- groups ---- */

static struct gc_partition *partition_of(struct group_coordinator *gc, const char *id)
{
	return &gc->parts[gc_partition_for(id, strlen(id), gc->nparts)];
}

int16_t gc_group(struct group_coordinator *gc, const char *id, int create, struct group **out)
{
	*out = NULL;
	if (!id || !id[0])
		return KERR_INVALID_GROUP_ID;
	struct gc_partition *p = partition_of(gc, id);
	if (p->state == GC_NOT_LEADER)
		return KERR_NOT_COORDINATOR;
	if (p->state == GC_LOADING)
		return KERR_COORDINATOR_LOAD_IN_PROGRESS;
	struct group *g = strmap_get(&p->groups, id, strlen(id));
	/* Deadlines that passed since the last tick apply before the request
	 * sees the group: Kafka expires sessions at their exact deadline, and
	 * e.g. a DeleteGroups right after a session timeout must find the
	 * group empty. */
	if (g)
		group_tick(g, gc_now(gc));
	if (!g && create) {
		g = group_new(id, &gc->env);
		if (!g || strmap_put(&p->groups, g->id, strlen(g->id), g) < 0) {
			group_free(g, 0);
			return KERR_UNKNOWN_SERVER_ERROR;
		}
	}
	*out = g;
	return 0;
}

void gc_drop_if_unused(struct group_coordinator *gc, struct group *g)
{
	if (g->state != GROUP_EMPTY || g->generation || g->nmembers || g->npending ||
	    g->protocol_type || group_offset_count(g) || group_txn_count(g) || g->commits.used)
		return;
	struct gc_partition *p = partition_of(gc, g->id);
	if (strmap_get(&p->groups, g->id, strlen(g->id)) != g)
		return;
	strmap_del(&p->groups, g->id, strlen(g->id));
	group_free(g, 0);
}

int16_t gc_for_each_group(struct group_coordinator *gc, gc_group_fn fn, void *arg)
{
	int16_t err = 0;
	for (int32_t i = 0; i < gc->nparts; i++) {
		struct gc_partition *p = &gc->parts[i];
		if (p->state == GC_LOADING)
			err = KERR_COORDINATOR_LOAD_IN_PROGRESS;
		const char *k;
		void *v;
		for (size_t pos = 0; p->state == GC_LOADED && strmap_next(&p->groups, &pos, &k, &v);)
			fn(arg, v);
	}
	return err;
}

/* ---- writes ---- */

enum store_kind {
	STORE_METADATA, STORE_COMMIT, STORE_DELETE_OFFSETS, STORE_DELETE_GROUP, STORE_EXPIRE,
	STORE_TXN_COMMIT, STORE_TOPIC_DELETED
};

struct store_ctx {
	struct group_coordinator *gc;
	enum store_kind kind;
	int32_t part, epoch;
	char *group_id;
	group_store_done_fn gdone;  /* STORE_METADATA, STORE_EXPIRE */
	gc_done_fn done;            /* others */
	void *arg;
	struct gc_offset *offs;     /* copies, strings in arena */
	int noffs;
	int64_t commit_ts;
	struct group *pending_in;   /* STORE_COMMIT: the group holding it in flight */
	int64_t producer_id;        /* STORE_TXN_COMMIT */
	int16_t producer_epoch;
	struct arena arena;
};

static struct group *ctx_group(struct store_ctx *c)
{
	struct gc_partition *p = &c->gc->parts[c->part];
	if (p->state != GC_LOADED || p->epoch != c->epoch)
		return NULL;
	return strmap_get(&p->groups, c->group_id, strlen(c->group_id));
}

/* A transactional commit whose append failed: its offsets were held
 * pending from the append on (a marker may follow the batch in the log
 * before the acknowledgement); as Kafka, they are forgotten. */
static void drop_txn_offsets(struct store_ctx *c, struct group *g)
{
	for (int i = 0; i < c->noffs; i++)
		group_txn_offset_del(g, c->producer_id, c->offs[i].topic, c->offs[i].partition,
				     c->commit_ts);
}

/* Record i of the batch is at base_offset + i (one record per offset). */
static void apply_offsets(struct store_ctx *c, struct group *g, int64_t base_offset)
{
	for (int i = 0; i < c->noffs; i++) {
		const struct gc_offset *o = &c->offs[i];
		struct group_offset in = { (char *)o->topic, o->partition, o->offset, o->leader_epoch,
					   (char *)o->metadata, c->commit_ts, o->expire_ts,
					   base_offset >= 0 ? base_offset + i : -1 };
		if (c->kind == STORE_DELETE_OFFSETS)
			group_offset_del(g, o->topic, o->partition);
		else if (group_offset_apply(g, &in) < 0)
			log_error_rl("group", "group %s: out of memory applying an offset",
				     log_esc(g->id));
	}
}

/* A plain commit's append finished: it leaves the group's in-flight set;
 * on success it applies where it is still in flight (a topic deletion
 * meanwhile dropped it, as Kafka's removeOffsets drops pendingOffsetCommits). */
static void end_commit(struct store_ctx *c, struct group *g, int16_t err, int64_t base_offset)
{
	struct group *held = c->pending_in;
	for (int i = 0; held && held == g && i < c->noffs; i++) {
		int still = group_commit_end(g, c->offs[i].topic, c->offs[i].partition);
		if (!err && still) {
			struct store_ctx one = *c;
			one.offs = &c->offs[i];
			one.noffs = 1;
			apply_offsets(&one, g, base_offset >= 0 ? base_offset + i : -1);
		}
	}
	if (g && !err && !held)
		apply_offsets(c, g, base_offset); /* the group was not loaded at the start */
}

static void txn_appended(struct store_ctx *c, struct group *g, int64_t base_offset)
{
	for (int i = 0; base_offset >= 0 && i < c->noffs; i++)
		group_txn_offset_appended(g, c->producer_id, c->offs[i].topic, c->offs[i].partition,
					  c->commit_ts, base_offset + i);
}

static void forget_group(struct store_ctx *c, struct group *g)
{
	struct gc_partition *p = &c->gc->parts[c->part];
	strmap_del(&p->groups, g->id, strlen(g->id));
	group_free(g, KERR_COORDINATOR_NOT_AVAILABLE);
}

static void ctx_free(struct store_ctx *c)
{
	arena_free(&c->arena);
	free(c->group_id);
	free(c);
}

static void on_appended(void *arg, int16_t kerr, int64_t base_offset)
{
	struct store_ctx *c = arg;
	struct group *g = ctx_group(c);
	int16_t err = group_store_error(kerr);
	if (!err && !g && c->kind != STORE_METADATA)
		err = KERR_NOT_COORDINATOR;
	if (c->kind == STORE_COMMIT && c->gc->parts[c->part].commits_in_flight > 0)
		c->gc->parts[c->part].commits_in_flight--;
	if (c->kind == STORE_METADATA || c->kind == STORE_EXPIRE) {
		int was_dead = g && g->state == GROUP_DEAD;
		c->gdone(g, kerr, c->arg);
		if (c->kind == STORE_EXPIRE && g && !was_dead && g->state == GROUP_DEAD)
			forget_group(c, g); /* its tombstones are written */
	} else if (c->kind == STORE_TXN_COMMIT) {
		if (g && err)
			drop_txn_offsets(c, g);
		else if (g)
			txn_appended(c, g, base_offset);
		c->done(c->arg, err);
	} else if (c->kind == STORE_TOPIC_DELETED) {
		/* the group may be gone (turned Dead): only the append matters */
		if (kerr)
			log_warn_rl("group",
				    "group %s: tombstones for a deleted topic's offsets: error %d",
				    log_esc(c->group_id), kerr);
	} else if (c->kind == STORE_COMMIT) {
		end_commit(c, g, err, base_offset);
		c->done(c->arg, err);
	} else {
		if (g && !err && c->kind != STORE_DELETE_GROUP)
			apply_offsets(c, g, -1);
		if (g && c->kind == STORE_DELETE_GROUP)
			forget_group(c, g); /* gone from memory even if the write failed */
		c->done(c->arg, err);
	}
	ctx_free(c);
}

static struct store_ctx *ctx_new(struct group_coordinator *gc, enum store_kind kind,
				 const char *group_id)
{
	struct store_ctx *c = calloc(1, sizeof *c);
	if (!c || !(c->group_id = strdup(group_id))) {
		free(c);
		return NULL;
	}
	struct gc_partition *p = partition_of(gc, group_id);
	c->gc = gc;
	c->kind = kind;
	c->part = p->index;
	c->epoch = p->epoch;
	c->commit_ts = clock_wall_ms();
	arena_init(&c->arena);
	return c;
}

/* Appends the records; on_appended reports the outcome (never synchronously
 * for the append itself; synchronously only when nothing could be built). */
static void ctx_append(struct store_ctx *c, struct glog *gl)
{
	uint8_t *batch = NULL;
	size_t len = 0;
	int rc;
	if (c->kind == STORE_TXN_COMMIT)
		rc = glog_build_txn(gl, c->commit_ts, c->producer_id, c->producer_epoch, &batch, &len);
	else
		rc = glog_build(gl, c->commit_ts, &batch, &len);
	glog_free(gl);
	if (rc < 0) {
		on_appended(c, KERR_UNKNOWN_SERVER_ERROR, -1);
		return;
	}
	const struct broker_config *cfg = c->gc->b->cfg;
	rm_append_internal(c->gc->b->rm, GC_OFFSETS_TOPIC, c->part, batch, len,
			   cfg->min_insync_replicas, GC_APPEND_TIMEOUT_MS, on_appended, c);
	free(batch);
}

/* The context of a write that group g asked for (its metadata, its
 * expiry); NULL, with done already called, when out of memory. */
static struct store_ctx *group_ctx_new(void *env_arg, enum store_kind kind, struct group *g,
				       group_store_done_fn done, void *arg)
{
	struct store_ctx *c = ctx_new(env_arg, kind, g->id);
	if (!c) {
		done(g, KERR_UNKNOWN_SERVER_ERROR, arg);
		return NULL;
	}
	c->gdone = done;
	c->arg = arg;
	return c;
}

static void store_metadata(void *env_arg, struct group *g, group_store_done_fn done, void *arg)
{
	struct store_ctx *c = group_ctx_new(env_arg, STORE_METADATA, g, done, arg);
	if (!c)
		return;
	struct glog gl;
	glog_init(&gl);
	glog_add_metadata(&gl, g);
	ctx_append(c, &gl);
}

static void store_expiry(void *env_arg, struct group *g, const struct group_expiry *x,
			 group_store_done_fn done, void *arg)
{
	struct store_ctx *c = group_ctx_new(env_arg, STORE_EXPIRE, g, done, arg);
	if (!c)
		return;
	struct glog gl;
	glog_init(&gl);
	for (int i = 0; i < x->n; i++)
		glog_add_offset_tombstone(&gl, g->id, x->offs[i].topic, x->offs[i].partition);
	if (x->dead)
		glog_add_metadata_tombstone(&gl, g->id);
	log_info_rl("group", "group %s: expiring %d offsets%s", log_esc(g->id), x->n,
		 x->dead ? " and the group" : "");
	ctx_append(c, &gl);
}

static char *arena_strdup(struct arena *a, const char *s)
{
	size_t n = strlen(s ? s : "");
	char *d = arena_alloc(a, n + 1);
	if (d)
		memcpy(d, s ? s : "", n + 1);
	return d;
}

static int ctx_copy_offsets(struct store_ctx *c, const struct gc_offset *o, int n)
{
	c->offs = arena_alloc(&c->arena, ((size_t)n + 1) * sizeof *c->offs);
	if (!c->offs)
		return -1;
	for (int i = 0; i < n; i++) {
		c->offs[i] = o[i];
		c->offs[i].topic = arena_strdup(&c->arena, o[i].topic);
		c->offs[i].metadata = arena_strdup(&c->arena, o[i].metadata);
		if (!c->offs[i].topic || !c->offs[i].metadata)
			return -1;
	}
	c->noffs = n;
	return 0;
}

static void write_offsets(struct group_coordinator *gc, enum store_kind kind,
			  const char *group_id, const struct gc_offset *o, int n,
			  gc_done_fn done, void *arg)
{
	struct store_ctx *c = ctx_new(gc, kind, group_id);
	if (!c || ctx_copy_offsets(c, o, n) < 0) {
		if (c)
			ctx_free(c);
		done(arg, KERR_UNKNOWN_SERVER_ERROR);
		return;
	}
	c->done = done;
	c->arg = arg;
	if (kind == STORE_COMMIT) {
		gc->parts[c->part].commits_in_flight++;
		struct group *g = ctx_group(c);
		for (int i = 0; g && i < n; i++)
			if (group_commit_begin(g, o[i].topic, o[i].partition) < 0) {
				while (i-- > 0)
					group_commit_end(g, o[i].topic, o[i].partition);
				g = NULL;
			}
		c->pending_in = g;
	}
	struct glog gl;
	glog_init(&gl);
	for (int i = 0; i < n; i++) {
		if (kind == STORE_COMMIT)
			glog_add_offset(&gl, group_id, &o[i], c->commit_ts);
		else
			glog_add_offset_tombstone(&gl, group_id, o[i].topic, o[i].partition);
	}
	ctx_append(c, &gl);
}

void gc_commit_offsets(struct group_coordinator *gc, const char *group_id,
		       const struct gc_offset *o, int n, gc_done_fn done, void *arg)
{
	write_offsets(gc, STORE_COMMIT, group_id, o, n, done, arg);
}

/* Kafka checks the producer's epoch when the batch is appended; a batch
 * with sequence -1 leaves no sequence history, so the check is the
 * marker's: an epoch below the newest seen on the partition is fenced. */
static int16_t txn_epoch_check(struct group_coordinator *gc, int32_t part, int64_t producer_id,
			       int16_t epoch)
{
	struct partition *p = rm_get(gc->b->rm, GC_OFFSETS_TOPIC,
				     (int32_t)strlen(GC_OFFSETS_TOPIC), part);
	if (!p || !p->is_leader)
		return KERR_NOT_COORDINATOR;
	return partition_check_marker(p, producer_id, epoch, INT32_MAX);
}

void gc_commit_txn_offsets(struct group_coordinator *gc, const char *group_id,
			   int64_t producer_id, int16_t producer_epoch,
			   const struct gc_offset *o, int n, gc_done_fn done, void *arg)
{
	struct group *g = NULL;
	int16_t err = gc_group(gc, group_id, 1, &g);
	if (!err && !g)
		err = KERR_UNKNOWN_SERVER_ERROR;
	if (!err)
		err = txn_epoch_check(gc, partition_of(gc, group_id)->index, producer_id,
				      producer_epoch);
	struct store_ctx *c = err ? NULL : ctx_new(gc, STORE_TXN_COMMIT, group_id);
	if (!err && (!c || ctx_copy_offsets(c, o, n) < 0))
		err = KERR_UNKNOWN_SERVER_ERROR;
	if (err) {
		if (c)
			ctx_free(c);
		done(arg, err);
		return;
	}
	c->done = done;
	c->arg = arg;
	c->producer_id = producer_id;
	c->producer_epoch = producer_epoch;
	struct glog gl;
	glog_init(&gl);
	for (int i = 0; i < n; i++) {
		glog_add_offset(&gl, group_id, &o[i], c->commit_ts);
		if (group_txn_offset_put(g, producer_id, o[i].topic, o[i].partition, o[i].offset,
					 o[i].leader_epoch, o[i].metadata, c->commit_ts) < 0)
			gl.oom = 1;
	}
	ctx_append(c, &gl); /* a build failure drops what was put */
}

void gc_txn_marker(struct group_coordinator *gc, int32_t partition, int64_t producer_id,
		   int commit)
{
	if (partition < 0 || partition >= gc->nparts)
		return;
	struct gc_partition *p = &gc->parts[partition];
	/* while loading, the replay reaches the marker in the log itself */
	if (p->state != GC_LOADED)
		return;
	const char *k;
	void *v;
	int n = 0;
	for (size_t pos = 0; strmap_next(&p->groups, &pos, &k, &v);)
		n += group_txn_complete(v, producer_id, commit);
	if (n)
		log_debug("group", "%s-%d: producer %lld %s %d transactional offsets",
			  GC_OFFSETS_TOPIC, partition, (long long)producer_id,
			  commit ? "committed" : "aborted", n);
}

void gc_delete_offsets(struct group_coordinator *gc, const char *group_id,
		       const struct gc_offset *o, int n, gc_done_fn done, void *arg)
{
	write_offsets(gc, STORE_DELETE_OFFSETS, group_id, o, n, done, arg);
}

void gc_delete_group(struct group_coordinator *gc, const char *group_id, gc_done_fn done,
		     void *arg)
{
	struct group *g;
	int16_t err = gc_group(gc, group_id, 0, &g);
	if (!err && (!g || g->state == GROUP_DEAD))
		err = KERR_GROUP_ID_NOT_FOUND;
	/* pending transactional offsets: the group is still in use */
	if (!err && (g->state != GROUP_EMPTY || group_txn_count(g)))
		err = KERR_NON_EMPTY_GROUP;
	struct store_ctx *c = err ? NULL : ctx_new(gc, STORE_DELETE_GROUP, group_id);
	if (!err && !c)
		err = KERR_UNKNOWN_SERVER_ERROR;
	if (err) {
		done(arg, err);
		return;
	}
	g->state = GROUP_DEAD;
	c->done = done;
	c->arg = arg;
	struct glog gl;
	glog_init(&gl);
	glog_add_metadata_tombstone(&gl, group_id);
	const char *k;
	void *v;
	for (size_t pos = 0; strmap_next(&g->offsets, &pos, &k, &v);) {
		const struct group_offset *o = v;
		glog_add_offset_tombstone(&gl, group_id, o->topic, o->partition);
	}
	log_info_rl("group", "deleting group %s", log_esc(group_id));
	ctx_append(c, &gl);
}

/* ---- deleted topics ---- */

/* Kafka's onPartitionsDeleted for one group: its offsets of the topic go
 * from memory now and from the log by tombstones; an Empty group left
 * with nothing turns Dead and is tombstoned and forgotten too. */
static void group_topic_deleted(struct group_coordinator *gc, struct group *g,
				const char *topic)
{
	int32_t *parts = NULL;
	int n = group_remove_topic(g, topic, &parts);
	if (n <= 0) {
		if (n < 0)
			log_warn_rl("group", "group %s: out of memory dropping deleted topic %s",
				    log_esc(g->id), topic);
		return;
	}
	int dead = group_is_unused(g);
	struct store_ctx *c = ctx_new(gc, STORE_TOPIC_DELETED, g->id);
	struct glog gl;
	glog_init(&gl);
	for (int i = 0; i < n; i++)
		glog_add_offset_tombstone(&gl, g->id, topic, parts[i]);
	if (dead)
		glog_add_metadata_tombstone(&gl, g->id);
	free(parts);
	log_info_rl("group", "group %s: %d offsets of deleted topic %s removed%s", log_esc(g->id),
		    n, topic, dead ? "; group now Dead" : "");
	if (dead) {
		g->state = GROUP_DEAD;
		struct gc_partition *p = partition_of(gc, g->id);
		strmap_del(&p->groups, g->id, strlen(g->id));
		group_free(g, KERR_COORDINATOR_NOT_AVAILABLE);
	}
	if (!c) {
		glog_free(&gl);
		log_warn_rl("group", "out of memory writing tombstones for deleted topic %s",
			    topic);
		return;
	}
	ctx_append(c, &gl);
}

void gc_topic_deleted(struct group_coordinator *gc, const char *topic)
{
	for (int32_t i = 0; i < gc->nparts; i++) {
		struct gc_partition *p = &gc->parts[i];
		const char *k;
		void *v;
		/* forgetting the current group leaves the iteration valid */
		for (size_t pos = 0; p->state == GC_LOADED && strmap_next(&p->groups, &pos, &k, &v);)
			group_topic_deleted(gc, v, topic);
	}
}

/* ---- helpers for handlers ---- */

char *gc_cstr(struct arena *a, struct kstr s)
{
	if (s.len < 0 || (!s.p && s.len == 0)) /* null, or absent in this version */
		return NULL;
	char *d = arena_alloc(a, (size_t)s.len + 1);
	if (!d)
		return NULL;
	if (s.len)
		memcpy(d, s.p, (size_t)s.len);
	d[s.len] = 0;
	return d;
}

struct kstr gc_kstr(const char *s)
{
	return s ? (struct kstr){ s, (int32_t)strlen(s) } : (struct kstr){ NULL, -1 };
}
