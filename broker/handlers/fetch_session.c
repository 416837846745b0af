/* The fetch session cache (fetch_session.h). Eviction as Kafka's
 * FetchSessionCache: a new session takes a free slot; with none, the least
 * recently used session goes if it is stale (unused for eviction_ms);
 * otherwise the "least valuable" evictable session goes if the new one is
 * worth at least as much. Value orders (privileged, size, id): a follower's
 * session beats a consumer's, a bigger one a smaller. A session is
 * evictable once older than eviction_ms; a consumer's session is also
 * evictable at any age by a follower's. At most a few thousand sessions, so
 * the scans here are linear. */
#include "broker/handlers/fetch_session.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

void fs_cache_init(struct fs_cache *c, int32_t max_slots, int64_t eviction_ms)
{
	memset(c, 0, sizeof *c);
	c->max_slots = max_slots;
	c->eviction_ms = eviction_ms;
}

static void session_free(struct fetch_session *s)
{
	for (int32_t i = 0; i < s->n; i++)
		free(s->parts[i].topic);
	free(s->parts);
	strmap_free(&s->index);
	free(s);
}

void fs_cache_free(struct fs_cache *c)
{
	for (int32_t i = 0; i < c->n; i++)
		session_free(c->v[i]);
	free(c->v);
	memset(c, 0, sizeof *c);
}

static int32_t slot_of(const struct fs_cache *c, int32_t id)
{
	for (int32_t i = 0; id != FS_INVALID_ID && i < c->n; i++)
		if (c->v[i]->id == id)
			return i;
	return -1;
}

struct fetch_session *fs_get(struct fs_cache *c, int32_t id)
{
	int32_t i = slot_of(c, id);
	return i < 0 ? NULL : c->v[i];
}

static void remove_slot(struct fs_cache *c, int32_t i)
{
	session_free(c->v[i]);
	c->v[i] = c->v[--c->n];
}

void fs_remove(struct fs_cache *c, int32_t id)
{
	int32_t i = slot_of(c, id);
	if (i >= 0)
		remove_slot(c, i);
}

/* Kafka's EvictableKey order: privileged, then size, then id. */
static int key_cmp(int pa, int32_t sa, int32_t ia, int pb, int32_t sb, int32_t ib)
{
	if (pa != pb)
		return pa < pb ? -1 : 1;
	if (sa != sb)
		return sa < sb ? -1 : 1;
	return ia < ib ? -1 : ia > ib;
}

static int evictable(const struct fs_cache *c, const struct fetch_session *s, int by_privileged,
		     int64_t now_ms)
{
	int old = now_ms - s->created_ms > c->eviction_ms;
	return old || (by_privileged && !s->privileged);
}

static int try_evict(struct fs_cache *c, int privileged, int32_t size, int64_t now_ms)
{
	int32_t lru = -1, cand = -1;
	for (int32_t i = 0; i < c->n; i++) {
		const struct fetch_session *s = c->v[i];
		if (lru < 0 || s->last_used_ms < c->v[lru]->last_used_ms)
			lru = i;
		if (!evictable(c, s, privileged, now_ms))
			continue;
		if (cand < 0 || key_cmp(s->privileged, s->n, s->id, c->v[cand]->privileged,
					c->v[cand]->n, c->v[cand]->id) < 0)
			cand = i;
	}
	if (lru >= 0 && now_ms - c->v[lru]->last_used_ms > c->eviction_ms) {
		remove_slot(c, lru);
		c->evicted++;
		return 1;
	}
	/* the new session's id is not drawn yet: it ranks above any equal key */
	if (cand < 0 || key_cmp(privileged, size, INT32_MAX, c->v[cand]->privileged,
				c->v[cand]->n, c->v[cand]->id) < 0)
		return 0;
	remove_slot(c, cand);
	c->evicted++;
	return 1;
}

static int32_t new_id(const struct fs_cache *c)
{
	for (int tries = 0; tries < 100; tries++) {
		uint32_t r;
		if (getrandom(&r, sizeof r, 0) != sizeof r)
			return FS_INVALID_ID;
		int32_t id = (int32_t)(r & 0x7fffffff);
		if (id != FS_INVALID_ID && slot_of(c, id) < 0)
			return id;
	}
	return FS_INVALID_ID;
}

struct fetch_session *fs_create(struct fs_cache *c, int privileged, int uses_ids, int32_t size,
				int64_t now_ms)
{
	if (c->max_slots <= 0)
		return NULL;
	if (c->n >= c->max_slots && !try_evict(c, privileged, size, now_ms))
		return NULL;
	if (c->n == c->cap) {
		int32_t cap = c->cap ? c->cap * 2 : 16;
		struct fetch_session **v = realloc(c->v, (size_t)cap * sizeof *v);
		if (!v)
			return NULL;
		c->v = v;
		c->cap = cap;
	}
	struct fetch_session *s = calloc(1, sizeof *s);
	int32_t id = new_id(c);
	if (!s || id == FS_INVALID_ID) {
		free(s);
		return NULL;
	}
	s->id = id;
	s->epoch = fs_next_epoch(FS_INITIAL_EPOCH);
	s->privileged = privileged;
	s->uses_ids = uses_ids;
	s->created_ms = s->last_used_ms = now_ms;
	strmap_init(&s->index);
	c->v[c->n++] = s;
	c->created++;
	return s;
}

void fs_touch(struct fs_cache *c, struct fetch_session *s, int64_t now_ms)
{
	(void)c;
	s->last_used_ms = now_ms;
}

int64_t fs_cache_partitions(const struct fs_cache *c)
{
	int64_t total = 0;
	for (int32_t i = 0; i < c->n; i++)
		total += c->v[i]->n;
	return total;
}

/* The index key: the topic id (sessions with ids) or the name, then the
 * partition. */
static size_t part_key(const struct fetch_session *s, const char *topic, int32_t tlen,
		       const uint8_t id[16], int32_t partition, char *key, size_t cap)
{
	size_t n = s->uses_ids ? 16 : (size_t)(tlen > 0 ? tlen : 0);
	if (n + 5 > cap)
		return 0;
	memcpy(key, s->uses_ids ? (const char *)id : topic, n);
	key[n] = 0;
	memcpy(key + n + 1, &partition, 4);
	return n + 5;
}

static void reindex(struct fetch_session *s)
{
	strmap_free(&s->index);
	strmap_init(&s->index);
	char key[300];
	for (int32_t i = 0; i < s->n; i++) {
		const struct fs_part *p = &s->parts[i];
		size_t kl = part_key(s, p->topic, p->topic ? (int32_t)strlen(p->topic) : 0,
				     p->topic_id, p->partition, key, sizeof key);
		if (kl)
			strmap_put(&s->index, key, kl, (void *)(intptr_t)(i + 1));
	}
}

struct fs_part *fs_find(struct fetch_session *s, const char *topic, int32_t tlen,
			const uint8_t topic_id[16], int32_t partition)
{
	char key[300];
	size_t kl = part_key(s, topic, tlen, topic_id, partition, key, sizeof key);
	intptr_t at = kl ? (intptr_t)strmap_get(&s->index, key, kl) : 0;
	return at > 0 ? &s->parts[at - 1] : NULL;
}

struct fs_part *fs_upsert(struct fetch_session *s, const char *topic, int32_t tlen,
			  const uint8_t topic_id[16], int32_t partition)
{
	char key[300];
	size_t kl = part_key(s, topic, tlen, topic_id, partition, key, sizeof key);
	if (!kl)
		return NULL;
	intptr_t at = (intptr_t)strmap_get(&s->index, key, kl);
	if (at > 0)
		return &s->parts[at - 1];
	if (s->n == s->cap) {
		int32_t cap = s->cap ? s->cap * 2 : 8;
		struct fs_part *v = realloc(s->parts, (size_t)cap * sizeof *v);
		if (!v)
			return NULL;
		s->parts = v;
		s->cap = cap;
	}
	struct fs_part *p = &s->parts[s->n];
	memset(p, 0, sizeof *p);
	if (tlen > 0 && !(p->topic = strndup(topic, (size_t)tlen)))
		return NULL;
	memcpy(p->topic_id, topic_id, 16);
	p->partition = partition;
	p->sent_hw = p->sent_log_start = -1;
	if (strmap_put(&s->index, key, kl, (void *)(intptr_t)(s->n + 1)) < 0) {
		free(p->topic);
		return NULL;
	}
	s->n++;
	return p;
}

void fs_forget(struct fetch_session *s, const char *topic, int32_t tlen,
	       const uint8_t topic_id[16], int32_t partition)
{
	char key[300];
	size_t kl = part_key(s, topic, tlen, topic_id, partition, key, sizeof key);
	intptr_t at = kl ? (intptr_t)strmap_get(&s->index, key, kl) : 0;
	if (at <= 0)
		return;
	free(s->parts[at - 1].topic);
	memmove(&s->parts[at - 1], &s->parts[at], (size_t)(s->n - at) * sizeof *s->parts);
	s->n--;
	reindex(s);
}

int fs_rotate(struct fetch_session *s, const uint8_t *answered)
{
	struct fs_part *v = malloc(((size_t)s->n + 1) * sizeof *v);
	if (!v)
		return -1;
	int32_t k = 0;
	for (int pass = 0; pass < 2; pass++)
		for (int32_t i = 0; i < s->n; i++)
			if (!answered[i] == !pass)
				v[k++] = s->parts[i];
	memcpy(s->parts, v, (size_t)s->n * sizeof *v);
	free(v);
	reindex(s);
	return 0;
}

int fs_must_respond(struct fs_part *p, int16_t error, int64_t hw, int64_t log_start,
		    int32_t records_len, int32_t preferred_read_replica)
{
	int must = records_len > 0 || preferred_read_replica >= 0;
	if (p->sent_hw != hw) {
		must = 1;
		p->sent_hw = hw;
	}
	if (p->sent_log_start != log_start) {
		must = 1;
		p->sent_log_start = log_start;
	}
	if (error) {
		/* resent once the error clears */
		p->sent_hw = -1;
		must = 1;
	}
	return must;
}
