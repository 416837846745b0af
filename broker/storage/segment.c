/* Segment files: the .log of whole batches and its sparse indexes.
 * Everything read back from disk is checked against the .log size before it
 * is used; an index that does not agree with the .log is rebuilt from it. */
#include "broker/storage/segment.h"

#include <errno.h>
#include <stdatomic.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/failpoint.h"
#define IDX_ENTRY 8
#define TIDX_ENTRY 12
#define INDEX_FILE_MAX (64 << 20) /* refuse to load an index larger than this */
#define HDR_PEEK RB_HEADER_SIZE

int seg_path(char *buf, size_t cap, const char *dir, int64_t base, const char *suffix)
{
	int n = snprintf(buf, cap, "%s/%020" PRId64 "%s", dir, base, suffix);
	return (n < 0 || (size_t)n >= cap) ? -ENAMETOOLONG : 0;
}

static struct segment *seg_alloc(const char *dir, int64_t base, int fd)
{
	struct segment *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	if (txn_index_init(&s->txn, dir, base) < 0) {
		free(s);
		return NULL;
	}
	s->base = base;
	s->fd = fd;
	s->max_ts = -1;
	s->cleaned_ms = -1;
	return s;
}

int seg_create(const char *dir, int64_t base, int64_t now_ms, struct segment **out)
{
	char p[4096];
	int rc = seg_path(p, sizeof p, dir, base, ".log");
	if (rc)
		return rc;
	int fd = open(p, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	/* Stale index files of an earlier segment with this base must not be
	 * mistaken for this one's: the index files start empty (every segment
	 * has them, as in Kafka, even before the first entry is written; a
	 * crash that loses them costs a rebuild from the .log). */
	static const char *const empty[] = { ".index", ".timeindex" };
	for (size_t i = 0; i < 2; i++) {
		if (seg_path(p, sizeof p, dir, base, empty[i]) != 0)
			continue;
		int ifd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (ifd >= 0)
			close(ifd);
		else
			unlink(p);
	}
	if (seg_path(p, sizeof p, dir, base, TXN_INDEX_SUFFIX) == 0)
		unlink(p);
	struct segment *s = seg_alloc(dir, base, fd);
	if (!s) {
		close(fd);
		return -ENOMEM;
	}
	s->roll_start_ms = now_ms;
	s->dirty = 1;
	*out = s;
	return 0;
}

int seg_open(const char *dir, int64_t base, struct segment **out)
{
	char p[4096];
	int rc = seg_path(p, sizeof p, dir, base, ".log");
	if (rc)
		return rc;
	int fd = open(p, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	struct stat st;
	if (fstat(fd, &st) < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	struct segment *s = seg_alloc(dir, base, fd);
	if (!s) {
		close(fd);
		return -ENOMEM;
	}
	s->size = st.st_size;
	int64_t dropped = txn_index_load(&s->txn);
	if (dropped < 0) {
		seg_free(s);
		return (int)dropped;
	}
	*out = s;
	return 0;
}

void seg_free(struct segment *s)
{
	if (!s)
		return;
	if (s->fd >= 0)
		close(s->fd);
	free(s->idx);
	free(s->tidx);
	txn_index_close(&s->txn);
	free(s);
}

void seg_remove(const char *dir, struct segment *s)
{
	static const char *const suffixes[] = { ".log", ".index", ".timeindex" };
	char p[4096];
	/* .log first: an orphaned index without its .log is ignored on open. */
	for (size_t i = 0; i < 3; i++)
		if (seg_path(p, sizeof p, dir, s->base, suffixes[i]) == 0)
			unlink(p);
	txn_index_remove(&s->txn);
	seg_free(s);
}

static int pread_full(int fd, void *buf, size_t n, int64_t pos)
{
	size_t got = 0;
	for (int tries = 0; got < n && tries < 64; tries++) {
		ssize_t r = pread(fd, (uint8_t *)buf + got, n - got, pos + (int64_t)got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return got == n ? 0 : -EIO;
}

/* atomic: the cleaner thread reads segments too */
static _Atomic uint64_t header_preads;

uint64_t seg_header_preads(void) { return atomic_load_explicit(&header_preads, memory_order_relaxed); }

static const struct seg_tail *tail_at(const struct segment *s, uint32_t i)
{
	return &s->tail[(s->tail_first + i) % SEG_TAIL];
}

/* The ring may be used: it is not empty and ends where the segment does
 * (a truncation or rewrite that did not go through seg_reset_indexes
 * leaves it unused rather than wrong). */
static int seg_tail_ok(const struct segment *s)
{
	if (s->tail_n == 0)
		return 0;
	const struct seg_tail *t = tail_at(s, s->tail_n - 1);
	return t->pos + t->size == s->size;
}

static void tail_to_batch(const struct seg_tail *t, struct seg_batch *b)
{
	*b = (struct seg_batch){ .pos = t->pos, .size = t->size, .base = t->base,
				 .last = t->base + t->last_delta, .max_ts = t->max_ts,
				 .count = t->last_delta + 1, .epoch = t->epoch };
}

/* Index in the ring of the first entry with pos >= at (tail_n if none). */
static uint32_t tail_pos_floor(const struct segment *s, int64_t at)
{
	uint32_t lo = 0, hi = s->tail_n;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (tail_at(s, mid)->pos < at)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Index in the ring of the first entry whose last offset >= target. */
static uint32_t tail_offset_floor(const struct segment *s, int64_t target)
{
	uint32_t lo = 0, hi = s->tail_n;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		const struct seg_tail *t = tail_at(s, mid);
		if (t->base + t->last_delta < target)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void seg_tail_note(struct segment *s, const struct seg_batch *b)
{
	if (s->tail_n) {
		const struct seg_tail *t = tail_at(s, s->tail_n - 1);
		if (t->pos + t->size != b->pos)
			s->tail_n = 0; /* not the next batch: start again here */
	}
	if (b->size > INT32_MAX || b->last - b->base > INT32_MAX) {
		s->tail_n = 0;
		return;
	}
	if (s->tail_n == 0)
		s->tail_first = 0;
	if (s->tail_n == SEG_TAIL) {
		s->tail_first = (s->tail_first + 1) % SEG_TAIL;
		s->tail_n--;
	}
	s->tail[(s->tail_first + s->tail_n) % SEG_TAIL] = (struct seg_tail){
		.pos = b->pos, .base = b->base, .max_ts = b->max_ts, .size = (int32_t)b->size,
		.last_delta = (int32_t)(b->last - b->base), .epoch = b->epoch };
	s->tail_n++;
}

static int header_from_file(const struct segment *s, int64_t pos, struct seg_batch *b);

int seg_tail_check(const struct segment *s, int64_t *at)
{
	for (uint32_t i = 0; seg_tail_ok(s) && i < s->tail_n; i++) {
		struct seg_batch f = { 0 }, t;
		tail_to_batch(tail_at(s, i), &t);
		*at = t.pos;
		if (header_from_file(s, t.pos, &f) != 1 || f.size != t.size || f.base != t.base ||
		    f.last != t.last || f.max_ts != t.max_ts || f.epoch != t.epoch ||
		    (i + 1 < s->tail_n && t.pos + t.size != tail_at(s, i + 1)->pos))
			return -1;
	}
	return 0;
}

int seg_read_header(const struct segment *s, int64_t pos, struct seg_batch *b)
{
	if (pos >= s->size)
		return 0;
	if (seg_tail_ok(s) && pos >= tail_at(s, 0)->pos) {
		uint32_t i = tail_pos_floor(s, pos);
		if (i < s->tail_n && tail_at(s, i)->pos == pos) {
			tail_to_batch(tail_at(s, i), b);
			return 1;
		}
	}
	atomic_fetch_add_explicit(&header_preads, 1, memory_order_relaxed);
	return header_from_file(s, pos, b);
}

static int header_from_file(const struct segment *s, int64_t pos, struct seg_batch *b)
{
	if (s->size - pos < HDR_PEEK)
		return -EIO;
	uint8_t h[HDR_PEEK];
	int rc = pread_full(s->fd, h, sizeof h, pos);
	if (rc)
		return rc;
	struct rb_header hd;
	if (rb_parse_header(h, sizeof h, &hd) < 0)
		return -EIO;
	int64_t total = RB_LOG_OVERHEAD + (int64_t)hd.batch_length;
	if (hd.batch_length < HDR_PEEK - RB_LOG_OVERHEAD || total > s->size - pos ||
	    hd.last_offset_delta < 0 || hd.base_offset < 0)
		return -EIO;
	b->pos = pos;
	b->size = total;
	b->base = hd.base_offset;
	b->last = hd.base_offset + hd.last_offset_delta;
	b->max_ts = hd.max_timestamp;
	b->count = hd.last_offset_delta + 1;
	b->epoch = hd.partition_leader_epoch;
	return 1;
}

/* Index of the last offset entry with rel <= rel_target, or -1. */
static ssize_t idx_floor(const struct segment *s, uint32_t rel_target)
{
	size_t lo = 0, hi = s->n_idx;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->idx[mid].rel <= rel_target)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (ssize_t)lo - 1;
}

int seg_find(const struct segment *s, int64_t target, int64_t *pos, struct seg_batch *b)
{
	/* at or after the ring's first batch: every earlier batch ends below
	 * target, so the answer is in the ring or is the end */
	if (seg_tail_ok(s) && target >= tail_at(s, 0)->base) {
		uint32_t i = tail_offset_floor(s, target);
		if (i == s->tail_n) {
			*pos = s->size;
			return 0;
		}
		tail_to_batch(tail_at(s, i), b);
		*pos = b->pos;
		return 1;
	}
	int64_t p = 0;
	if (target > s->base) {
		int64_t rel = target - s->base;
		ssize_t i = idx_floor(s, rel > UINT32_MAX ? UINT32_MAX : (uint32_t)rel);
		if (i >= 0)
			p = s->idx[i].pos;
	}
	/* Each step moves forward by at least one header, so this ends. */
	for (;;) {
		int rc = seg_read_header(s, p, b);
		if (rc < 0)
			return rc;
		if (rc == 0) {
			*pos = s->size;
			return 0;
		}
		if (b->last >= target) {
			*pos = p;
			return 1;
		}
		p += b->size;
	}
}

int64_t seg_index_floor_pos(const struct segment *s, int64_t from, int64_t limit)
{
	size_t lo = 0, hi = s->n_idx;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if ((int64_t)s->idx[mid].pos <= limit)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || (int64_t)s->idx[lo - 1].pos < from)
		return from;
	return s->idx[lo - 1].pos;
}

static void idx_push(struct segment *s, uint32_t rel, uint32_t pos)
{
	if (s->n_idx == s->cap_idx) {
		size_t cap = s->cap_idx ? s->cap_idx * 2 : 64;
		void *n = realloc(s->idx, cap * sizeof *s->idx);
		if (!n)
			return; /* a sparse index may skip an entry; reads walk further */
		s->idx = n;
		s->cap_idx = cap;
	}
	s->idx[s->n_idx++] = (struct seg_idx){ rel, pos };
}

static void tidx_push(struct segment *s, int64_t ts, uint32_t rel)
{
	if (s->n_tidx && s->tidx[s->n_tidx - 1].ts >= ts)
		return;
	if (s->n_tidx == s->cap_tidx) {
		size_t cap = s->cap_tidx ? s->cap_tidx * 2 : 64;
		void *n = realloc(s->tidx, cap * sizeof *s->tidx);
		if (!n)
			return;
		s->tidx = n;
		s->cap_tidx = cap;
	}
	s->tidx[s->n_tidx++] = (struct seg_tidx){ ts, rel };
}

void seg_note_batch(struct segment *s, const struct seg_batch *b, int32_t index_interval)
{
	uint32_t rel = (uint32_t)(b->base - s->base);
	if (b->max_ts > s->max_ts) {
		s->max_ts = b->max_ts;
		s->max_ts_rel = rel;
	}
	if (b->pos > 0 && s->since_index >= index_interval) {
		idx_push(s, rel, (uint32_t)b->pos);
		tidx_push(s, s->max_ts, s->max_ts_rel);
		s->since_index = 0;
	}
	s->since_index += b->size;
	s->dirty = 1;
	s->idx_dirty = 1;
	seg_tail_note(s, b);
}

void seg_seal_time_index(struct segment *s)
{
	if (s->max_ts >= 0) {
		tidx_push(s, s->max_ts, s->max_ts_rel);
		s->idx_dirty = 1;
	}
}

int seg_index_full(const struct segment *s, int32_t index_bytes)
{
	return (int64_t)(s->n_idx + 1) * IDX_ENTRY > index_bytes ||
	       (int64_t)(s->n_tidx + 1) * TIDX_ENTRY > index_bytes;
}

/* Reads a whole index file (bounded by INDEX_FILE_MAX); NULL if absent. */
static uint8_t *index_file_read(const char *path, size_t unit, size_t *n, int *bad)
{
	*n = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		*bad = errno != ENOENT;
		return NULL;
	}
	struct stat st;
	uint8_t *buf = NULL;
	if (fstat(fd, &st) < 0 || st.st_size > INDEX_FILE_MAX || st.st_size % (off_t)unit) {
		*bad = 1;
	} else if (st.st_size > 0) {
		buf = malloc((size_t)st.st_size);
		if (!buf || pread_full(fd, buf, (size_t)st.st_size, 0) < 0) {
			free(buf);
			buf = NULL;
			*bad = 1;
		} else {
			*n = (size_t)st.st_size / unit;
		}
	}
	close(fd);
	return buf;
}

static int load_offset_index(const char *dir, struct segment *s)
{
	char p[4096];
	if (seg_path(p, sizeof p, dir, s->base, ".index"))
		return -1;
	size_t n;
	int bad = 0;
	uint8_t *buf = index_file_read(p, IDX_ENTRY, &n, &bad);
	for (size_t i = 0; i < n && !bad; i++) {
		uint32_t rel = seg_get_be32(buf + i * IDX_ENTRY);
		uint32_t pos = seg_get_be32(buf + i * IDX_ENTRY + 4);
		if ((int64_t)pos >= s->size)
			break; /* entries past the file are dropped */
		if (s->n_idx && (rel <= s->idx[s->n_idx - 1].rel || pos <= s->idx[s->n_idx - 1].pos))
			bad = 1;
		else if (pos == 0)
			bad = 1;
		else
			idx_push(s, rel, pos);
	}
	free(buf);
	s->idx_on_disk = s->n_idx;
	return bad ? -1 : 0;
}

static int load_time_index(const char *dir, struct segment *s)
{
	char p[4096];
	if (seg_path(p, sizeof p, dir, s->base, ".timeindex"))
		return -1;
	size_t n;
	int bad = 0;
	uint8_t *buf = index_file_read(p, TIDX_ENTRY, &n, &bad);
	for (size_t i = 0; i < n && !bad; i++) {
		int64_t ts = (int64_t)seg_get_be64(buf + i * TIDX_ENTRY);
		uint32_t rel = seg_get_be32(buf + i * TIDX_ENTRY + 8);
		if (s->n_tidx && (ts <= s->tidx[s->n_tidx - 1].ts || rel < s->tidx[s->n_tidx - 1].rel))
			bad = 1;
		else
			tidx_push(s, ts, rel);
	}
	free(buf);
	s->tidx_on_disk = s->n_tidx;
	if (s->n_tidx) {
		s->max_ts = s->tidx[s->n_tidx - 1].ts;
		s->max_ts_rel = s->tidx[s->n_tidx - 1].rel;
	}
	return bad ? -1 : 0;
}

int seg_load_indexes(const char *dir, struct segment *s)
{
	if (load_offset_index(dir, s) < 0 || load_time_index(dir, s) < 0)
		return -1;
	if (s->size > 0 && s->n_tidx == 0)
		return -1; /* a sealed non-empty segment always has a time entry */
	if (s->n_idx) {
		/* The last entry must point at the batch it names. */
		struct seg_batch b;
		const struct seg_idx *e = &s->idx[s->n_idx - 1];
		if (seg_read_header(s, e->pos, &b) != 1 || b.base != s->base + e->rel)
			return -1;
	}
	s->since_index = 0;
	return 0;
}

static void seg_reset_indexes(struct segment *s)
{
	s->tail_n = 0;
	s->n_idx = s->n_tidx = 0;
	s->idx_on_disk = s->tidx_on_disk = 0;
	s->max_ts = -1;
	s->max_ts_rel = 0;
	s->since_index = 0;
}

int64_t seg_rebuild_indexes(struct segment *s, int32_t index_interval)
{
	seg_reset_indexes(s);
	int64_t next = s->base;
	int64_t pos = 0;
	struct seg_batch b;
	int rc;
	while ((rc = seg_read_header(s, pos, &b)) == 1) {
		if (b.base < next || b.last - s->base > INT32_MAX)
			return -EIO; /* gaps are fine (compaction), going back is not */
		seg_note_batch(s, &b, index_interval);
		next = b.last + 1;
		pos += b.size;
	}
	return rc < 0 ? rc : next;
}

static int write_entries(const char *path, const uint8_t *buf, size_t len, int64_t at,
			 int rewrite, int sync)
{
	int frc = failpoint_error("storage.index.write");
	if (frc)
		return frc;
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (rewrite ? O_TRUNC : 0), 0644);
	if (fd < 0)
		return -errno;
	int rc = 0;
	size_t done = 0;
	while (done < len && rc == 0) {
		ssize_t w = pwrite(fd, buf + done, len - done, at + (int64_t)done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			rc = w < 0 ? -errno : -EIO;
		else
			done += (size_t)w;
	}
	if (rc == 0 && !rewrite && ftruncate(fd, at + (int64_t)len) < 0)
		rc = -errno;
	if (rc == 0 && sync && fsync(fd) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

int seg_write_indexes(const char *dir, struct segment *s, int rewrite, int sync)
{
	char p[4096];
	if (rewrite)
		s->idx_on_disk = s->tidx_on_disk = 0;
	size_t ni = s->n_idx - s->idx_on_disk, nt = s->n_tidx - s->tidx_on_disk;
	uint8_t *buf = malloc(ni * IDX_ENTRY + nt * TIDX_ENTRY + 1);
	if (!buf)
		return -ENOMEM;
	for (size_t i = 0; i < ni; i++) {
		seg_put_be32(buf + i * IDX_ENTRY, s->idx[s->idx_on_disk + i].rel);
		seg_put_be32(buf + i * IDX_ENTRY + 4, s->idx[s->idx_on_disk + i].pos);
	}
	uint8_t *tb = buf + ni * IDX_ENTRY;
	for (size_t i = 0; i < nt; i++) {
		seg_put_be64(tb + i * TIDX_ENTRY, (uint64_t)s->tidx[s->tidx_on_disk + i].ts);
		seg_put_be32(tb + i * TIDX_ENTRY + 8, s->tidx[s->tidx_on_disk + i].rel);
	}
	int rc = seg_path(p, sizeof p, dir, s->base, ".index");
	if (rc == 0 && (ni || rewrite || sync))
		rc = write_entries(p, buf, ni * IDX_ENTRY, (int64_t)s->idx_on_disk * IDX_ENTRY,
				   rewrite, sync);
	if (rc == 0)
		rc = seg_path(p, sizeof p, dir, s->base, ".timeindex");
	if (rc == 0 && (nt || rewrite || sync))
		rc = write_entries(p, tb, nt * TIDX_ENTRY, (int64_t)s->tidx_on_disk * TIDX_ENTRY,
				   rewrite, sync);
	free(buf);
	if (rc == 0) {
		s->idx_on_disk = s->n_idx;
		s->tidx_on_disk = s->n_tidx;
		if (sync)
			s->idx_dirty = 0;
	}
	return rc;
}

void seg_trim_indexes(struct segment *s, int64_t end_offset)
{
	while (s->n_idx && ((int64_t)s->idx[s->n_idx - 1].pos >= s->size ||
			    s->base + s->idx[s->n_idx - 1].rel >= end_offset))
		s->n_idx--;
	while (s->n_tidx && s->base + s->tidx[s->n_tidx - 1].rel >= end_offset)
		s->n_tidx--;
	if (s->idx_on_disk > s->n_idx)
		s->idx_on_disk = s->n_idx;
	if (s->tidx_on_disk > s->n_tidx)
		s->tidx_on_disk = s->n_tidx;
}

#include "common/proto/crc32c.h"
#include "common/proto/kerr.h"


/* Records of a compacted batch: exactly records_count of them up to the
 * batch end, offset deltas strictly increasing within [0, lastOffsetDelta]. */
static int check_compacted_records(const uint8_t *p, size_t len, const struct rb_header *h)
{
	struct rb_iter it;
	struct rb_record r;
	int64_t prev = -1;
	int rc;
	rb_iter_init(&it, p, len);
	while ((rc = rb_iter_next(&it, &r)) == 1) {
		if (r.offset_delta <= prev || r.offset_delta > h->last_offset_delta)
			return KERR_INVALID_RECORD;
		prev = r.offset_delta;
	}
	return rc == 0 ? 0 : KERR_INVALID_RECORD;
}

int seg_validate_batch(const uint8_t *p, size_t len, struct rb_header *h)
{
	if (rb_parse_header(p, len, h))
		return KERR_CORRUPT_MESSAGE;
	if (h->records_count <= 0 || h->last_offset_delta < 0 ||
	    (int64_t)h->records_count == (int64_t)h->last_offset_delta + 1)
		return rb_validate(p, len, h);
	/* fewer records than offsets: only the cleaner writes such a batch */
	int64_t total = RB_LOG_OVERHEAD + (int64_t)h->batch_length;
	if (total < RB_HEADER_SIZE || (uint64_t)total > len || h->magic != 2)
		return KERR_CORRUPT_MESSAGE;
	if (crc32c(0, p + 21, (size_t)total - 21) != h->crc)
		return KERR_CORRUPT_MESSAGE;
	if (h->records_count > h->last_offset_delta ||
	    (h->attributes & RB_ATTR_COMPRESSION_MASK) != 0)
		return KERR_INVALID_RECORD;
	return check_compacted_records(p, (size_t)total, h);
}

int seg_validate_replica_batch(const uint8_t *p, size_t len, struct rb_header *h)
{
	if (rb_parse_header(p, len, h))
		return KERR_CORRUPT_MESSAGE;
	int64_t total = RB_LOG_OVERHEAD + (int64_t)h->batch_length;
	if (total < RB_HEADER_SIZE || (uint64_t)total > len || h->magic != 2)
		return KERR_CORRUPT_MESSAGE;
	if (crc32c(0, p + 21, (size_t)total - 21) != h->crc)
		return KERR_CORRUPT_MESSAGE;
	int64_t offsets = (int64_t)h->last_offset_delta + 1;
	/* fewer records than offsets only in what the cleaner wrote */
	if (h->records_count <= 0 || h->last_offset_delta < 0 || h->records_count > offsets ||
	    (h->records_count < offsets && (h->attributes & RB_ATTR_COMPRESSION_MASK) != 0))
		return KERR_INVALID_RECORD;
	return 0;
}

/* Reads and fully validates the batch at pos into *buf (grown as needed, but
 * never past what the file holds). 1 = good batch, 0 = bad. */
static int recover_one(struct segment *s, int64_t pos, int64_t next, uint8_t **buf,
		       size_t *cap, struct seg_batch *b)
{
	uint8_t head[RB_LOG_OVERHEAD];
	if (s->size - pos < RB_HEADER_SIZE || pread_full(s->fd, head, sizeof head, pos))
		return 0;
	int64_t total = rb_total_size(head, sizeof head);
	if (total < RB_HEADER_SIZE || total > s->size - pos)
		return 0;
	if ((size_t)total > *cap) {
		uint8_t *n = realloc(*buf, (size_t)total);
		if (!n)
			return 0;
		*buf = n;
		*cap = (size_t)total;
	}
	if (pread_full(s->fd, *buf, (size_t)total, pos))
		return 0;
	struct rb_header h;
	if (seg_validate_batch(*buf, (size_t)total, &h) != 0 || h.base_offset < next)
		return 0;
	b->pos = pos;
	b->size = total;
	b->base = h.base_offset;
	b->last = rb_last_offset(&h);
	b->max_ts = h.max_timestamp;
	b->count = h.last_offset_delta + 1;
	b->epoch = h.partition_leader_epoch;
	return 1;
}

/* Walks the headers of the batches wholly below `trusted_end` from pos 0
 * (they were fsynced before the recovery point passed them, so their
 * payload is not re-read), noting each one. Stops at the first batch that
 * reaches trusted_end or whose header is not sound (the full check then
 * judges it). Returns the position where full validation starts. */
static int64_t skip_trusted(struct segment *s, int64_t *next, int64_t trusted_end,
			    int32_t index_interval)
{
	int64_t pos = 0;
	struct seg_batch b;
	while (seg_read_header(s, pos, &b) == 1 && b.last < trusted_end && b.base >= *next &&
	       b.size >= RB_HEADER_SIZE && b.last - s->base <= INT32_MAX) {
		seg_note_batch(s, &b, index_interval);
		*next = b.last + 1;
		pos += b.size;
	}
	return pos;
}

int64_t seg_recover(struct segment *s, int64_t *next, int64_t trusted_end,
		    int32_t index_interval, int64_t *checked_from)
{
	seg_reset_indexes(s);
	uint8_t *buf = NULL;
	size_t cap = 0;
	int64_t pos = skip_trusted(s, next, trusted_end, index_interval);
	*checked_from = pos;
	struct seg_batch b;
	while (pos < s->size && recover_one(s, pos, *next, &buf, &cap, &b)) {
		if (b.last - s->base > INT32_MAX)
			break; /* relative offsets must fit the index */
		seg_note_batch(s, &b, index_interval);
		*next = b.last + 1;
		pos += b.size;
	}
	free(buf);
	return pos;
}
