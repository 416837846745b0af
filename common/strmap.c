/* strmap: FNV-1a hashing, power-of-two capacity, load kept under 3/4. */
#include "strmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static char tomb_marker;
#define STRMAP_TOMB (&tomb_marker)

static uint64_t hash(const char *k, size_t len)
{
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)k[i];
		h *= 1099511628211ULL;
	}
	return h;
}

void strmap_init(struct strmap *m) { memset(m, 0, sizeof *m); }

void strmap_free(struct strmap *m)
{
	for (size_t i = 0; i < m->cap; i++)
		if (m->slots[i].key && m->slots[i].key != STRMAP_TOMB)
			free(m->slots[i].key);
	free(m->slots);
	memset(m, 0, sizeof *m);
}

static struct strmap_slot *find(const struct strmap *m, const char *key, size_t len)
{
	if (!m->cap)
		return NULL;
	size_t mask = m->cap - 1;
	for (size_t i = hash(key, len) & mask, n = 0; n < m->cap; i = (i + 1) & mask, n++) {
		struct strmap_slot *s = &m->slots[i];
		if (!s->key)
			return NULL;
		if (s->key != STRMAP_TOMB && s->len == len && memcmp(s->key, key, len) == 0)
			return s;
	}
	return NULL;
}

void *strmap_get(const struct strmap *m, const char *key, size_t len)
{
	struct strmap_slot *s = find(m, key, len);
	return s ? s->val : NULL;
}

static int grow(struct strmap *m)
{
	size_t cap = m->cap ? m->cap * 2 : 16;
	if (m->cap && m->used < m->cap / 4)
		cap = m->cap; /* mostly tombstones: rehash at the same size */
	struct strmap_slot *old = m->slots;
	size_t oldcap = m->cap;
	m->slots = calloc(cap, sizeof *m->slots);
	if (!m->slots) {
		m->slots = old;
		return -1;
	}
	m->cap = cap;
	m->used = m->tombs = 0;
	for (size_t i = 0; i < oldcap; i++) {
		struct strmap_slot *s = &old[i];
		if (!s->key || s->key == STRMAP_TOMB)
			continue;
		size_t mask = cap - 1, j = hash(s->key, s->len) & mask;
		while (m->slots[j].key)
			j = (j + 1) & mask;
		m->slots[j] = *s;
		m->used++;
	}
	free(old);
	return 0;
}

int strmap_put(struct strmap *m, const char *key, size_t len, void *val)
{
	struct strmap_slot *s = find(m, key, len);
	if (s) {
		s->val = val;
		return 0;
	}
	if ((m->used + m->tombs + 1) * 4 > m->cap * 3 && grow(m) < 0)
		return -1;
	char *k = malloc(len + 1);
	if (!k)
		return -1;
	memcpy(k, key, len);
	k[len] = 0;
	size_t mask = m->cap - 1, i = hash(key, len) & mask;
	while (m->slots[i].key && m->slots[i].key != STRMAP_TOMB)
		i = (i + 1) & mask;
	if (m->slots[i].key == STRMAP_TOMB)
		m->tombs--;
	m->slots[i] = (struct strmap_slot){ k, len, val };
	m->used++;
	return 0;
}

void *strmap_del(struct strmap *m, const char *key, size_t len)
{
	struct strmap_slot *s = find(m, key, len);
	if (!s)
		return NULL;
	void *v = s->val;
	free(s->key);
	s->key = STRMAP_TOMB;
	s->val = NULL;
	m->used--;
	m->tombs++;
	return v;
}

int strmap_next(const struct strmap *m, size_t *pos, const char **key, void **val)
{
	while (*pos < m->cap) {
		struct strmap_slot *s = &m->slots[(*pos)++];
		if (s->key && s->key != STRMAP_TOMB) {
			*key = s->key;
			*val = s->val;
			return 1;
		}
	}
	return 0;
}
