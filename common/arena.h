/* Bump allocator for per-request memory: everything a request decodes or a
 * handler builds is freed at once when the response has been encoded. */
#ifndef GREGOR_ARENA_H
#define GREGOR_ARENA_H
#include <stddef.h>

struct arena_block;
struct arena {
	struct arena_block *head;
};

void arena_init(struct arena *a);
/* Zeroed memory, 16-byte aligned; NULL only on allocation failure. */
void *arena_alloc(struct arena *a, size_t n);
void arena_reset(struct arena *a); /* free all but the first block */
void arena_free(struct arena *a);
#endif
