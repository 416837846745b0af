/* Arena: a chain of blocks; big requests get a block of their own. */
#include "arena.h"

#include <stdlib.h>
#include <string.h>

#define ARENA_BLOCK 16384

struct arena_block {
	struct arena_block *next;
	size_t used, cap;
	_Alignas(16) unsigned char data[];
};

void arena_init(struct arena *a) { a->head = NULL; }

static struct arena_block *block_new(size_t cap)
{
	struct arena_block *b = malloc(sizeof *b + cap);
	if (!b)
		return NULL;
	b->next = NULL;
	b->used = 0;
	b->cap = cap;
	return b;
}

void *arena_alloc(struct arena *a, size_t n)
{
	n = (n + 15) & ~(size_t)15;
	if (n == 0)
		n = 16;
	struct arena_block *b = a->head;
	if (!b || b->cap - b->used < n) {
		size_t cap = n > ARENA_BLOCK ? n : ARENA_BLOCK;
		struct arena_block *nb = block_new(cap);
		if (!nb)
			return NULL;
		nb->next = b;
		a->head = nb;
		b = nb;
	}
	void *p = b->data + b->used;
	b->used += n;
	memset(p, 0, n);
	return p;
}

void arena_reset(struct arena *a)
{
	struct arena_block *b = a->head;
	if (!b)
		return;
	/* keep the oldest block: it is the usual steady-state size */
	while (b->next) {
		struct arena_block *next = b->next;
		if (!next->next) {
			free(b);
			b = next;
			break;
		}
		free(b);
		b = next;
	}
	b->used = 0;
	b->next = NULL;
	a->head = b;
}

void arena_free(struct arena *a)
{
	struct arena_block *b = a->head;
	while (b) {
		struct arena_block *next = b->next;
		free(b);
		b = next;
	}
	a->head = NULL;
}
