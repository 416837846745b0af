/* String-keyed hash map (open addressing, linear probing). Keys are copied;
 * values are opaque pointers owned by the caller. */
#ifndef GREGOR_STRMAP_H
#define GREGOR_STRMAP_H
#include <stddef.h>

struct strmap_slot {
	char *key;   /* NULL = empty; STRMAP_TOMB = deleted */
	size_t len;
	void *val;
};
struct strmap {
	struct strmap_slot *slots;
	size_t cap, used, tombs;
};

void strmap_init(struct strmap *m);
void strmap_free(struct strmap *m); /* frees keys, not values */
void *strmap_get(const struct strmap *m, const char *key, size_t len);
/* Inserts or replaces; returns 0, or -1 on allocation failure. */
int strmap_put(struct strmap *m, const char *key, size_t len, void *val);
/* Removes and returns the value, or NULL. */
void *strmap_del(struct strmap *m, const char *key, size_t len);

/* Iteration: for (size_t i = 0; strmap_next(m, &i, &k, &v);) */
int strmap_next(const struct strmap *m, size_t *pos, const char **key, void **val);
#endif
