/* Leader epoch cache: the in-memory list and its checkpoint file. The file
 * is read with the same strictness as the log dir checkpoints; a file that
 * breaks the ordering invariant is as bad as one that does not parse, since
 * lookups rely on it. */
#include "broker/storage/epoch_cache.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker/storage/checkpoint.h"
#include "common/log.h"

#define MOD "storage"
#define MIN_LINE 4 /* "0 0\n" */

void ec_free(struct epoch_cache *c)
{
	free(c->e);
	*c = (struct epoch_cache){ 0 };
}

void ec_clear(struct epoch_cache *c)
{
	c->n = 0;
}

static int ec_push(struct epoch_cache *c, int32_t epoch, int64_t start)
{
	if (c->n >= EPOCH_MAX_ENTRIES)
		return -ERANGE;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 8;
		void *n = realloc(c->e, cap * sizeof *c->e);
		if (!n)
			return -ENOMEM;
		c->e = n;
		c->cap = cap;
	}
	c->e[c->n++] = (struct epoch_entry){ epoch, start };
	return 0;
}

static int path_of(char *buf, size_t cap, const char *dir)
{
	int n = snprintf(buf, cap, "%s/%s", dir, EPOCH_FILE);
	return (n < 0 || (size_t)n >= cap) ? -ENAMETOOLONG : 0;
}

static int parse(struct epoch_cache *c, const char *buf, size_t len, int *line)
{
	const char *p = buf, *end = buf + len;
	int64_t v, count, epoch, start;
	*line = 1;
	if (checkpoint_parse_int(&p, end, '\n', 0, 0, &v))
		return -EINVAL;
	*line = 2;
	if (checkpoint_parse_int(&p, end, '\n', 0, EPOCH_MAX_ENTRIES, &count) ||
	    (uint64_t)count > len / MIN_LINE)
		return -EINVAL;
	for (int64_t i = 0; i < count; i++) {
		*line = (int)i + 3;
		if (checkpoint_parse_int(&p, end, ' ', 0, INT32_MAX, &epoch) ||
		    checkpoint_parse_int(&p, end, '\n', 0, INT64_MAX, &start))
			return -EINVAL;
		if (c->n && (epoch <= c->e[c->n - 1].epoch || start <= c->e[c->n - 1].start))
			return -EINVAL;
		int rc = ec_push(c, (int32_t)epoch, start);
		if (rc)
			return rc;
	}
	*line = (int)count + 3;
	return p == end ? 0 : -EINVAL;
}

int ec_load(struct epoch_cache *c, const char *dir)
{
	char p[4096];
	int rc = path_of(p, sizeof p, dir);
	if (rc)
		return rc;
	char *buf;
	size_t len;
	rc = checkpoint_slurp(p, (size_t)EPOCH_MAX_ENTRIES * 32 + 32, &buf, &len);
	if (rc == -EINVAL)
		log_warn(MOD, "%s: not a regular file or too large", p);
	if (rc)
		return rc;
	int line;
	rc = parse(c, buf, len, &line);
	free(buf);
	if (rc) {
		if (rc == -EINVAL)
			log_warn(MOD, "%s: malformed at line %d", p, line);
		c->n = 0;
	}
	return rc;
}

int ec_store(const struct epoch_cache *c, const char *dir, int durable)
{
	char p[4096];
	int rc = path_of(p, sizeof p, dir);
	if (rc)
		return rc;
	size_t cap = 32 + c->n * 32; /* int32 + space + int64 + newline < 32 */
	char *buf = malloc(cap);
	if (!buf)
		return -ENOMEM;
	size_t len = (size_t)snprintf(buf, cap, "0\n%zu\n", c->n);
	for (size_t i = 0; i < c->n; i++)
		len += (size_t)snprintf(buf + len, cap - len, "%" PRId32 " %" PRId64 "\n",
					c->e[i].epoch, c->e[i].start);
	rc = durable ? checkpoint_replace_file(p, buf, len) :
		       checkpoint_replace_file_nosync(p, buf, len);
	free(buf);
	return rc;
}

int32_t ec_latest_epoch(const struct epoch_cache *c)
{
	return c->n ? c->e[c->n - 1].epoch : -1;
}

int ec_assign(struct epoch_cache *c, int32_t epoch, int64_t start)
{
	if (epoch < 0 || start < 0 || epoch <= ec_latest_epoch(c))
		return 0;
	if (c->n >= EPOCH_MAX_ENTRIES && c->e[c->n - 1].start < start)
		return -ERANGE;
	size_t keep = c->n;
	while (keep && c->e[keep - 1].start >= start)
		keep--;
	if (keep < c->n && c->e[c->n - 1].start > start)
		log_warn(MOD, "epoch %" PRId32 " at %" PRId64 " drops %zu newer entries",
			 epoch, start, c->n - keep);
	c->n = keep;
	return ec_push(c, epoch, start) == 0 ? 1 : -ENOMEM;
}

int ec_truncate_from_end(struct epoch_cache *c, int64_t end)
{
	size_t n = c->n;
	while (c->n && c->e[c->n - 1].start >= end)
		c->n--;
	return n != c->n;
}

int ec_truncate_from_start(struct epoch_cache *c, int64_t start)
{
	size_t i = 0; /* entries [0, i) lie wholly below start */
	while (i + 1 < c->n && c->e[i + 1].start <= start)
		i++;
	int changed = i > 0;
	if (i) {
		memmove(c->e, c->e + i, (c->n - i) * sizeof *c->e);
		c->n -= i;
	}
	if (c->n && c->e[0].start < start) {
		c->e[0].start = start;
		changed = 1;
	}
	return changed;
}

void ec_end_offset(const struct epoch_cache *c, int32_t epoch, int64_t leo,
		   int32_t *out_epoch, int64_t *end_offset)
{
	/* Index of the first entry with a larger epoch. */
	size_t lo = 0, hi = c->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (c->e[mid].epoch <= epoch)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0) {
		*out_epoch = -1;
		*end_offset = -1;
		return;
	}
	*out_epoch = c->e[lo - 1].epoch;
	*end_offset = lo < c->n ? c->e[lo].start : leo;
}

int32_t ec_epoch_at(const struct epoch_cache *c, int64_t offset)
{
	size_t lo = 0, hi = c->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (c->e[mid].start <= offset)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? c->e[lo - 1].epoch : -1;
}

int ec_equal(const struct epoch_cache *a, const struct epoch_cache *b)
{
	if (a->n != b->n)
		return 0;
	for (size_t i = 0; i < a->n; i++)
		if (a->e[i].epoch != b->e[i].epoch || a->e[i].start != b->e[i].start)
			return 0;
	return 1;
}

int ec_check(const struct epoch_cache *c)
{
	for (size_t i = 0; i < c->n; i++) {
		const struct epoch_entry *e = &c->e[i];
		if (e->epoch < 0 || e->start < 0 ||
		    (i > 0 && (e->epoch <= e[-1].epoch || e->start <= e[-1].start))) {
			log_error("storage", "epoch cache entry %zu (epoch %d at %lld) breaks "
				  "monotonicity", i, e->epoch, (long long)e->start);
			return -1;
		}
	}
	return 0;
}
