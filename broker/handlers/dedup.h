/* Repeated names in one request: requests may name a resource many times
 * (40,000 x the same broker, group or partition); answering each repeat in
 * full would let a small request make a huge answer. Handlers remember what
 * they answered in a dedup set and answer a repeat once, or refuse it, as
 * Kafka does for that API. */
#ifndef GREGOR_HANDLERS_DEDUP_H
#define GREGOR_HANDLERS_DEDUP_H

#include <stdint.h>

#include "common/proto/codec.h"
#include "common/strmap.h"

struct dedup {
	struct strmap seen;
};

static inline void dedup_init(struct dedup *d) { strmap_init(&d->seen); }
static inline void dedup_free(struct dedup *d) { strmap_free(&d->seen); }

/* 1 if (name, n) was seen before in this set, else remembers it and
 * returns 0 (also 0 when out of memory: the repeat is then answered again). */
int dedup_seen(struct dedup *d, struct kstr name, int32_t n);

#endif
