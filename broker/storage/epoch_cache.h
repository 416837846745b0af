/* Leader epoch cache of one partition (KIP-101): which leader epoch started
 * at which offset, kept in memory and in `leader-epoch-checkpoint` (line 1
 * `0`, line 2 the entry count, then `epoch startOffset` lines). Internal to
 * broker/storage; log.c decides when it changes and keeps the file in step.
 *
 * Invariant: entries are sorted, epochs strictly increasing and start
 * offsets strictly increasing, every epoch >= 0 and every start >= 0. An
 * epoch that started where a newer one starts owns no offsets, so it is
 * dropped (as Kafka does). */
#ifndef GREGOR_STORAGE_EPOCH_CACHE_H
#define GREGOR_STORAGE_EPOCH_CACHE_H

#include <stddef.h>
#include <stdint.h>

#define EPOCH_FILE "leader-epoch-checkpoint"
#define EPOCH_MAX_ENTRIES (1 << 16)

struct epoch_entry {
	int32_t epoch;
	int64_t start;
};

struct epoch_cache {
	struct epoch_entry *e;
	size_t n, cap;
};

void ec_free(struct epoch_cache *c);
/* Loads <dir>/leader-epoch-checkpoint into an empty cache. 0, -ENOENT when
 * absent, -EINVAL (logged) when malformed or breaking the invariant. */
int ec_load(struct epoch_cache *c, const char *dir);
/* Replaces the file with the cache's entries (atomic; fsynced when
 * durable). */
int ec_store(const struct epoch_cache *c, const char *dir, int durable);

int32_t ec_latest_epoch(const struct epoch_cache *c);
/* Adds (epoch, start) if epoch is newer than the latest entry; entries with
 * start >= `start` are dropped first. 1 if the cache changed, 0 if not,
 * -ENOMEM / -ERANGE (too many entries, nothing changed). */
int ec_assign(struct epoch_cache *c, int32_t epoch, int64_t start);
/* Drops entries with start >= end. 1 if the cache changed. */
int ec_truncate_from_end(struct epoch_cache *c, int64_t end);
/* Log start moved to `start`: entries wholly below it go, the one covering
 * it begins at it. 1 if the cache changed. */
int ec_truncate_from_start(struct epoch_cache *c, int64_t start);
void ec_clear(struct epoch_cache *c);
/* Largest epoch <= epoch and where it ends (next entry's start, else leo);
 * -1/-1 when epoch is below every entry or the cache is empty. */
void ec_end_offset(const struct epoch_cache *c, int32_t epoch, int64_t leo,
		   int32_t *out_epoch, int64_t *end_offset);
/* Epoch of the entry covering offset (largest start <= offset), or -1. */
int32_t ec_epoch_at(const struct epoch_cache *c, int64_t offset);
/* The invariant above, checked: 0, or -1 after logging the first breach. */
int ec_check(const struct epoch_cache *c);
int ec_equal(const struct epoch_cache *a, const struct epoch_cache *b);

#endif
