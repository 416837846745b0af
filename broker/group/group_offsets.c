/* A group's committed offsets, the rules for accepting a commit and for
 * expiring offsets (offsets.retention.minutes), plus the one look into
 * member metadata the broker needs: which topics a consumer subscribed to
 * (OffsetDelete refuses those; retention keeps them). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker/group/group.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/proto/codec.h"
#include "common/proto/kerr.h"

static size_t offset_key(char *buf, size_t cap, const char *topic, int32_t partition)
{
	int n = snprintf(buf, cap, "%d:%s", partition, topic);
	return n < 0 ? 0 : (size_t)n < cap ? (size_t)n : cap - 1;
}

const struct group_offset *group_offset_get(const struct group *g, const char *topic,
					    int32_t partition)
{
	char key[300];
	size_t n = offset_key(key, sizeof key, topic, partition);
	return strmap_get(&g->offsets, key, n);
}

/* Puts a copy of in into an offsets map (committed or a producer's pending). */
static int offsets_map_put(struct strmap *m, const struct group_offset *in)
{
	char key[300];
	size_t n = offset_key(key, sizeof key, in->topic, in->partition);
	struct group_offset *o = strmap_get(m, key, n);
	char *md = strdup(in->metadata ? in->metadata : "");
	if (!md)
		return -1;
	if (!o) {
		o = calloc(1, sizeof *o);
		if (!o || !(o->topic = strdup(in->topic)) || strmap_put(m, key, n, o) < 0) {
			if (o)
				free(o->topic);
			free(o);
			free(md);
			return -1;
		}
		o->partition = in->partition;
	}
	free(o->metadata);
	o->metadata = md;
	o->offset = in->offset;
	o->leader_epoch = in->leader_epoch;
	o->commit_ts = in->commit_ts;
	o->expire_ts = in->expire_ts > 0 ? in->expire_ts : 0;
	o->log_offset = in->log_offset;
	return 0;
}

static struct group_offset offset_of(const char *topic, int32_t partition, int64_t offset,
				     int32_t leader_epoch, const char *metadata, int64_t commit_ts)
{
	return (struct group_offset){ (char *)topic, partition, offset, leader_epoch,
				      (char *)metadata, commit_ts, 0, -1 };
}

static void offset_free(struct group_offset *o)
{
	if (o) {
		free(o->topic);
		free(o->metadata);
		free(o);
	}
}

int group_offset_put(struct group *g, const char *topic, int32_t partition, int64_t offset,
		     int32_t leader_epoch, const char *metadata, int64_t commit_ts)
{
	struct group_offset in = offset_of(topic, partition, offset, leader_epoch, metadata,
					   commit_ts);
	return offsets_map_put(&g->offsets, &in);
}

int group_offset_apply(struct group *g, const struct group_offset *in)
{
	const struct group_offset *cur = group_offset_get(g, in->topic, in->partition);
	if (cur && cur->log_offset >= 0 && in->log_offset >= 0 && cur->log_offset > in->log_offset)
		return 0;
	return offsets_map_put(&g->offsets, in) < 0 ? -1 : 1;
}

void group_offset_set_expiry(struct group *g, const char *topic, int32_t partition,
			     int64_t expire_ts)
{
	char key[300];
	size_t n = offset_key(key, sizeof key, topic, partition);
	struct group_offset *o = strmap_get(&g->offsets, key, n);
	if (o)
		o->expire_ts = expire_ts > 0 ? expire_ts : 0;
}

void group_offset_del(struct group *g, const char *topic, int32_t partition)
{
	char key[300];
	size_t n = offset_key(key, sizeof key, topic, partition);
	offset_free(strmap_del(&g->offsets, key, n));
}

int group_offset_count(const struct group *g)
{
	return (int)g->offsets.used;
}

int16_t group_check_commit(struct group *g, const char *member_id, const char *instance_id,
			   int32_t generation, int64_t now)
{
	if (g->state == GROUP_DEAD)
		return KERR_COORDINATOR_NOT_AVAILABLE;
	if (generation < 0 && g->state == GROUP_EMPTY)
		return 0; /* not using group management: allowed */
	struct group_member *m = group_member_find(g, member_id);
	for (int i = 0; instance_id && i < g->nmembers; i++)
		if (g->members[i]->instance_id && !strcmp(g->members[i]->instance_id, instance_id) &&
		    g->members[i] != m)
			return KERR_FENCED_INSTANCE_ID;
	if (g->state == GROUP_COMPLETING_REBALANCE)
		return KERR_REBALANCE_IN_PROGRESS;
	if (!m)
		return KERR_UNKNOWN_MEMBER_ID;
	if (generation != g->generation)
		return KERR_ILLEGAL_GENERATION;
	m->hb_deadline_ms = now + m->session_timeout_ms; /* a commit counts as a heartbeat */
	return 0;
}

/* ConsumerProtocolSubscription: i16 version, [string] topics, ... Returns
 * 1 if topic (NULL: none) is listed, 0 if not, -1 if unreadable. */
static int subscription_has(const uint8_t *p, int32_t len, const char *topic)
{
	struct kreader r;
	kreader_init(&r, p, len > 0 ? (size_t)len : 0);
	(void)kr_i16(&r);
	int32_t n = kr_i32(&r);
	size_t tlen = topic ? strlen(topic) : 0;
	int found = 0;
	for (int32_t i = 0; i < n && !r.err; i++) {
		int16_t sl = kr_i16(&r);
		const uint8_t *s = sl > 0 ? kr_take(&r, (size_t)sl) : NULL;
		if (s && topic && (size_t)sl == tlen && memcmp(s, topic, tlen) == 0)
			found = 1;
	}
	return r.err || n < 0 ? -1 : found;
}

static int is_consumer(const struct group *g)
{
	return g->protocol_type && strcmp(g->protocol_type, "consumer") == 0;
}

/* Calls subscription_has for each member's subscription to the selected
 * protocol (any protocol while none is selected): 1 if one lists topic, 0
 * if none does, -1 if one is unreadable. */
static int members_subscribe(const struct group *g, const char *topic)
{
	int found = 0;
	for (int i = 0; i < g->nmembers; i++) {
		const struct group_member *m = g->members[i];
		for (int k = 0; k < m->nprotocols; k++) {
			if (g->protocol && strcmp(m->protocols[k].name, g->protocol) != 0)
				continue;
			int rc = subscription_has(m->protocols[k].meta, m->protocols[k].meta_len, topic);
			if (rc < 0)
				return -1;
			found |= rc;
		}
	}
	return found;
}

int group_subscribed_to(const struct group *g, const char *topic)
{
	return is_consumer(g) && members_subscribe(g, topic) == 1;
}

/* ---- transactional offsets ---- */

int16_t group_check_txn_commit(struct group *g, const char *member_id, const char *instance_id,
			       int32_t generation)
{
	if (g->state == GROUP_DEAD)
		return KERR_COORDINATOR_NOT_AVAILABLE;
	struct group_member *m = member_id && member_id[0] ? group_member_find(g, member_id) : NULL;
	for (int i = 0; instance_id && i < g->nmembers; i++)
		if (g->members[i]->instance_id && !strcmp(g->members[i]->instance_id, instance_id) &&
		    g->members[i] != m)
			return KERR_FENCED_INSTANCE_ID;
	if (member_id && member_id[0] && !m)
		return KERR_UNKNOWN_MEMBER_ID;
	if (generation >= 0 && generation != g->generation)
		return KERR_ILLEGAL_GENERATION;
	return 0;
}

static struct group_txn *txn_find(const struct group *g, int64_t producer_id)
{
	for (int i = 0; i < g->ntxns; i++)
		if (g->txns[i].producer_id == producer_id)
			return &g->txns[i];
	return NULL;
}

static void offsets_map_free(struct strmap *m)
{
	const char *k;
	void *v;
	for (size_t pos = 0; strmap_next(m, &pos, &k, &v);)
		offset_free(v);
	strmap_free(m);
}

/* Removes txns[i], keeping the others in order. */
static void txn_remove(struct group *g, int i)
{
	offsets_map_free(&g->txns[i].offsets);
	memmove(&g->txns[i], &g->txns[i + 1], (size_t)(g->ntxns - i - 1) * sizeof *g->txns);
	g->ntxns--;
	if (!g->ntxns) {
		free(g->txns);
		g->txns = NULL;
		g->captxns = 0;
	}
}

int group_txn_offset_put(struct group *g, int64_t producer_id, const char *topic,
			 int32_t partition, int64_t offset, int32_t leader_epoch,
			 const char *metadata, int64_t commit_ts)
{
	struct group_txn *t = txn_find(g, producer_id);
	if (!t) {
		if (g->ntxns == g->captxns) {
			int cap = g->captxns ? g->captxns * 2 : 2;
			struct group_txn *v = realloc(g->txns, (size_t)cap * sizeof *v);
			if (!v)
				return -1;
			g->txns = v;
			g->captxns = cap;
		}
		t = &g->txns[g->ntxns++];
		t->producer_id = producer_id;
		strmap_init(&t->offsets);
	}
	struct group_offset in = offset_of(topic, partition, offset, leader_epoch, metadata,
					   commit_ts);
	int rc = offsets_map_put(&t->offsets, &in);
	if (!t->offsets.used)
		txn_remove(g, (int)(t - g->txns));
	return rc;
}

int group_txn_offset_stage(struct group *g, int64_t producer_id, const struct group_offset *in)
{
	if (group_txn_offset_put(g, producer_id, in->topic, in->partition, in->offset,
				 in->leader_epoch, in->metadata, in->commit_ts) < 0)
		return -1;
	group_txn_offset_appended(g, producer_id, in->topic, in->partition, in->commit_ts,
				  in->log_offset);
	return 0;
}

void group_txn_offset_appended(struct group *g, int64_t producer_id, const char *topic,
			       int32_t partition, int64_t commit_ts, int64_t log_offset)
{
	struct group_txn *t = txn_find(g, producer_id);
	char key[300];
	size_t n = offset_key(key, sizeof key, topic, partition);
	struct group_offset *o = t ? strmap_get(&t->offsets, key, n) : NULL;
	if (o && o->commit_ts == commit_ts)
		o->log_offset = log_offset;
}

void group_txn_offset_del(struct group *g, int64_t producer_id, const char *topic,
			  int32_t partition, int64_t commit_ts)
{
	struct group_txn *t = txn_find(g, producer_id);
	if (!t)
		return;
	char key[300];
	size_t n = offset_key(key, sizeof key, topic, partition);
	const struct group_offset *o = strmap_get(&t->offsets, key, n);
	if (!o || (commit_ts >= 0 && o->commit_ts != commit_ts))
		return;
	offset_free(strmap_del(&t->offsets, key, n));
	if (!t->offsets.used)
		txn_remove(g, (int)(t - g->txns));
}

int group_txn_complete(struct group *g, int64_t producer_id, int commit)
{
	struct group_txn *t = txn_find(g, producer_id);
	if (!t)
		return 0;
	int n = 0;
	const char *k;
	void *v;
	for (size_t pos = 0; strmap_next(&t->offsets, &pos, &k, &v); n++) {
		if (commit && group_offset_apply(g, v) < 0)
			log_error_rl("group",
				     "group %s: out of memory applying a transaction's offset",
				     log_esc(g->id));
	}
	txn_remove(g, (int)(t - g->txns));
	return n;
}

int group_txn_pending(const struct group *g, const char *topic, int32_t partition)
{
	char key[300];
	size_t n = offset_key(key, sizeof key, topic, partition);
	for (int i = 0; i < g->ntxns; i++)
		if (strmap_get(&g->txns[i].offsets, key, n))
			return 1;
	return 0;
}

int group_txn_count(const struct group *g)
{
	int n = 0;
	for (int i = 0; i < g->ntxns; i++)
		n += (int)g->txns[i].offsets.used;
	return n;
}

void group_txn_clear(struct group *g)
{
	while (g->ntxns)
		txn_remove(g, g->ntxns - 1);
}

/* ---- plain commits in flight ---- */

int group_commit_begin(struct group *g, const char *topic, int32_t partition)
{
	char key[300];
	size_t n = offset_key(key, sizeof key, topic, partition);
	int *count = strmap_get(&g->commits, key, n);
	if (count) {
		(*count)++;
		return 0;
	}
	if (!(count = malloc(sizeof *count)) || strmap_put(&g->commits, key, n, count) < 0) {
		free(count);
		return -1;
	}
	*count = 1;
	return 0;
}

int group_commit_end(struct group *g, const char *topic, int32_t partition)
{
	char key[300];
	size_t n = offset_key(key, sizeof key, topic, partition);
	int *count = strmap_get(&g->commits, key, n);
	if (!count)
		return 0;
	if (--*count <= 0)
		free(strmap_del(&g->commits, key, n));
	return 1;
}

int group_commit_pending(const struct group *g, const char *topic, int32_t partition)
{
	char key[300];
	size_t n = offset_key(key, sizeof key, topic, partition);
	return strmap_get(&g->commits, key, n) != NULL;
}

void group_commit_clear(struct group *g)
{
	const char *k;
	void *v;
	for (size_t pos = 0; strmap_next(&g->commits, &pos, &k, &v);)
		free(v);
	strmap_free(&g->commits);
	strmap_init(&g->commits);
}

/* ---- deleted topics ---- */

/* Does an offsets-map key "<partition>:<topic>" name topic? */
static int key_of_topic(const char *key, const char *topic)
{
	const char *c = strchr(key, ':');
	return c && strcmp(c + 1, topic) == 0;
}

/* Deletes (freeing values with free_fn) every entry of m whose key names
 * topic; deleting the current entry keeps strmap_next valid. */
static void map_remove_topic(struct strmap *m, const char *topic, void (*free_fn)(void *))
{
	const char *k;
	void *v;
	for (size_t pos = 0; strmap_next(m, &pos, &k, &v);)
		if (key_of_topic(k, topic))
			free_fn(strmap_del(m, k, strlen(k)));
}

static void offset_free_any(void *o)
{
	offset_free(o);
}

int group_remove_topic(struct group *g, const char *topic, int32_t **parts)
{
	*parts = NULL;
	int n = 0;
	const char *k;
	void *v;
	for (size_t pos = 0; strmap_next(&g->offsets, &pos, &k, &v);)
		n += strcmp(((const struct group_offset *)v)->topic, topic) == 0;
	if (n && !(*parts = malloc((size_t)n * sizeof **parts)))
		return -1;
	int i = 0;
	for (size_t pos = 0; strmap_next(&g->offsets, &pos, &k, &v);)
		if (i < n && strcmp(((const struct group_offset *)v)->topic, topic) == 0)
			(*parts)[i++] = ((const struct group_offset *)v)->partition;
	map_remove_topic(&g->offsets, topic, offset_free_any);
	map_remove_topic(&g->commits, topic, free);
	for (int t = g->ntxns - 1; t >= 0; t--) {
		map_remove_topic(&g->txns[t].offsets, topic, offset_free_any);
		if (!g->txns[t].offsets.used)
			txn_remove(g, t);
	}
	return i;
}

/* ---- retention ---- */

/* The time an offset's retention counts from; -1: it never expires. */
static int64_t retention_base(const struct group *g, const struct group_offset *o)
{
	if (g->state == GROUP_DEAD)
		return -1;
	if (g->nmembers > 0) {
		/* Kafka (KAFKA-13636): only a Stable group's subscriptions are
		 * trusted; mid-rebalance they may be about to change */
		if (g->state != GROUP_STABLE || !is_consumer(g) || members_subscribe(g, NULL) < 0 ||
		    members_subscribe(g, o->topic) != 0)
			return -1;
		return o->commit_ts;
	}
	if (g->state != GROUP_EMPTY)
		return -1;
	if (g->protocol_type && g->state_ts > o->commit_ts)
		return g->state_ts; /* KIP-211: retention starts when the group empties */
	return o->commit_ts;
}

int group_offset_expired(const struct group *g, const struct group_offset *o,
			 int64_t now, int64_t retention_ms)
{
	int64_t base = retention_base(g, o);
	if (base < 0)
		return 0;
	if (o->expire_ts > 0)
		return now >= o->expire_ts;
	return now - base >= retention_ms;
}

static void expiry_free(struct group_expiry *x)
{
	for (int i = 0; x && i < x->n; i++)
		free(x->offs[i].topic);
	if (x)
		free(x->offs);
	free(x);
}

static int nothing_left(const struct group *g)
{
	return g->state == GROUP_EMPTY && !g->nmembers && !g->npending &&
	       !group_offset_count(g) && !group_txn_count(g) && !g->commits.used;
}

int group_is_unused(const struct group *g)
{
	return nothing_left(g);
}

/* The tombstones are in the log: forget what they cover, unless it was
 * committed again meanwhile. */
static void expiry_done(struct group *g, int16_t err, void *arg)
{
	struct group_expiry *x = arg;
	if (g && g != x->g)
		g = NULL; /* the group was replaced meanwhile */
	if (g)
		g->expiring = 0;
	if (g && err)
		log_warn_rl("group", "group %s: writing expired offsets failed: %d", log_esc(g->id),
			    err);
	for (int i = 0; g && !err && i < x->n; i++) {
		const struct group_offset *e = &x->offs[i];
		const struct group_offset *cur = group_offset_get(g, e->topic, e->partition);
		if (cur && cur->commit_ts == e->commit_ts && cur->offset == e->offset)
			group_offset_del(g, e->topic, e->partition);
	}
	if (g && !err && x->n)
		log_info_rl("group", "group %s: %d committed offsets expired", log_esc(g->id),
			    x->n);
	if (g && !err && x->dead && nothing_left(g)) {
		g->state = GROUP_DEAD;
		g->state_ts = clock_wall_ms();
		log_info_rl("group", "group %s: Empty with no offsets left, now Dead",
			    log_esc(g->id));
	}
	expiry_free(x);
}

static int expiry_collect(struct group *g, int64_t now, int64_t retention_ms,
			  struct group_expiry *x)
{
	int cap = group_offset_count(g);
	x->offs = calloc((size_t)cap + 1, sizeof *x->offs);
	if (!x->offs)
		return -1;
	const char *k;
	void *v;
	for (size_t pos = 0; strmap_next(&g->offsets, &pos, &k, &v) && x->n < cap;) {
		const struct group_offset *o = v;
		/* a transaction's pending offset will replace it: not expired */
		if (!group_offset_expired(g, o, now, retention_ms) ||
		    group_txn_pending(g, o->topic, o->partition))
			continue;
		struct group_offset *c = &x->offs[x->n];
		*c = *o;
		c->metadata = NULL;
		if (!(c->topic = strdup(o->topic)))
			return -1;
		x->n++;
	}
	return 0;
}

int group_expire_offsets(struct group *g, int64_t now, int64_t retention_ms)
{
	if (g->expiring || g->state == GROUP_DEAD || !g->env->expire)
		return 0;
	struct group_expiry *x = calloc(1, sizeof *x);
	if (!x || expiry_collect(g, now, retention_ms, x) < 0) {
		expiry_free(x);
		return -1;
	}
	x->g = g;
	x->dead = g->state == GROUP_EMPTY && !g->nmembers && !g->npending &&
		  x->n == group_offset_count(g) && !group_txn_count(g);
	if (!x->n && !x->dead) {
		expiry_free(x);
		return 0;
	}
	int n = x->n;
	g->expiring = 1;
	g->env->expire(g->env->env_arg, g, x, expiry_done, x);
	return n;
}
