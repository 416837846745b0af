/* Log compaction (Kafka's log cleaner) for partition logs with cfg.compact:
 * maps each key of the dirty segments to its latest offset, rewrites every
 * sealed segment below the cleanable end keeping only the latest record per
 * key, and swaps each rewritten file in with a rename. The rules are in
 * log.h. Runs on the loop thread in slices bounded by a byte budget.
 * Compressed batches are inflated, filtered like the others and written
 * again with their own codec, as Kafka's cleaner does. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "broker/storage/log_internal.h"
#include "common/compress.h"
#include "common/log.h"
#include "common/proto/crc32c.h"
#include "common/proto/record_batch.h"

#define MOD "cleaner"
#define CKPT_FILE "cleaner-checkpoint"
#define DEFAULT_BUDGET (8 << 20)
#define MAP_MAX_BYTES (64 << 20) /* a pass stops mapping at a segment end past this */
#define KEEP_WHOLE (RB_ATTR_CONTROL | RB_ATTR_TRANSACTIONAL)
/* A compressed batch whose records inflate past this is kept whole (and maps
 * nothing): Produce caps inflated batches at 32 x max.message.bytes, so only
 * batches from a topic with a very large max.message.bytes get here. */
#define INFLATE_MAX (64 << 20)
#define INFLATE_KEEP (4 << 20) /* larger scratch buffers are given back after use */

/* Scratch for inflated views and recompressed batches; the cleaner runs on
 * the loop thread, one log at a time per thread. */
static _Thread_local struct cbuf scratch_view, scratch_packed;

static void scratch_trim(void)
{
	if (scratch_view.cap > INFLATE_KEEP)
		cbuf_free(&scratch_view);
	if (scratch_packed.cap > INFLATE_KEEP)
		cbuf_free(&scratch_packed);
}

/* The batch's records in uncompressed form: the batch itself, or the
 * inflated view of a compressed one in scratch_view. NULL when it is to be
 * kept whole (corrupt, or inflating past INFLATE_MAX). */
static const uint8_t *batch_records(const struct rb_header *h, const uint8_t *p, size_t *len)
{
	if (!(h->attributes & RB_ATTR_COMPRESSION_MASK))
		return p;
	int rc = compress_batch_view(p, *len, INFLATE_MAX, &scratch_view);
	if (rc) {
		log_warn(MOD, "batch at offset %" PRId64 " (%s): cannot inflate (%d), kept whole",
			 h->base_offset, compress_codec_name(h->attributes & RB_ATTR_COMPRESSION_MASK),
			 rc);
		return NULL;
	}
	*len = scratch_view.len;
	return scratch_view.p;
}

enum { CL_IDLE, CL_MAP, CL_COPY };


/* ---- key -> latest offset (open addressing; key == NULL marks a free slot) ---- */

struct km_slot {
	uint64_t h;
	int64_t off;
	uint8_t *key;
	uint32_t len;
};

struct key_map {
	struct km_slot *slots;
	size_t cap, n;
	size_t bytes;
};

static uint64_t km_hash(const uint8_t *k, size_t n)
{
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < n; i++)
		h = (h ^ k[i]) * 1099511628211ULL;
	return h ^ (h >> 29);
}

static struct km_slot *km_slot_for(const struct key_map *m, uint64_t h, const uint8_t *k,
				   uint32_t len)
{
	size_t mask = m->cap - 1;
	/* the table is never more than 3/4 full, so a free slot ends the probe */
	for (size_t i = h & mask;; i = (i + 1) & mask) {
		struct km_slot *s = &m->slots[i];
		if (!s->key || (s->h == h && s->len == len && memcmp(s->key, k, len) == 0))
			return s;
	}
}

static int km_grow(struct key_map *m)
{
	size_t cap = m->cap ? m->cap * 2 : 1024;
	struct key_map n = { calloc(cap, sizeof *n.slots), cap, m->n, m->bytes };
	if (!n.slots)
		return -ENOMEM;
	for (size_t i = 0; i < m->cap; i++)
		if (m->slots[i].key)
			*km_slot_for(&n, m->slots[i].h, m->slots[i].key, m->slots[i].len) = m->slots[i];
	free(m->slots);
	*m = n;
	return 0;
}

static int km_put(struct key_map *m, const uint8_t *k, uint32_t len, int64_t off)
{
	if ((m->n + 1) * 4 > m->cap * 3 && km_grow(m) < 0)
		return -ENOMEM;
	uint64_t h = km_hash(k, len);
	struct km_slot *s = km_slot_for(m, h, k, len);
	if (s->key) {
		if (off > s->off)
			s->off = off;
		return 0;
	}
	uint8_t *copy = malloc(len ? len : 1);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, k, len);
	*s = (struct km_slot){ h, off, copy, len };
	m->n++;
	m->bytes += len + sizeof *s;
	return 0;
}

/* The latest offset recorded for the key, or -1. */
static int64_t km_get(const struct key_map *m, const uint8_t *k, uint32_t len)
{
	if (!m->cap)
		return -1;
	const struct km_slot *s = km_slot_for(m, km_hash(k, len), k, len);
	return s->key ? s->off : -1;
}

static void km_clear(struct key_map *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->cap; i++)
		free(m->slots[i].key);
	free(m->slots);
	*m = (struct key_map){ 0 };
}

/* ---- checkpoint: the first dirty offset ---- */

static int ckpt_read(const char *dir, int64_t *out)
{
	char p[4096], buf[32];
	if (log_path_in(p, sizeof p, dir, CKPT_FILE))
		return -ENAMETOOLONG;
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return -EINVAL;
	buf[n] = '\0';
	char *end;
	errno = 0;
	long long v = strtoll(buf, &end, 10);
	if (errno || end == buf || (*end != '\n' && *end != '\0') || v < 0)
		return -EINVAL;
	*out = v;
	return 0;
}

static int ckpt_write(const char *dir, int64_t first_dirty)
{
	char p[4096], tmp[4096], buf[32];
	if (log_path_in(p, sizeof p, dir, CKPT_FILE) ||
	    log_path_in(tmp, sizeof tmp, dir, CKPT_FILE ".tmp"))
		return -ENAMETOOLONG;
	int len = snprintf(buf, sizeof buf, "%" PRId64 "\n", first_dirty);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	int rc = write(fd, buf, (size_t)len) == len ? 0 : -EIO;
	if (rc == 0 && fsync(fd) < 0)
		rc = -errno;
	close(fd);
	if (rc == 0 && rename(tmp, p) < 0)
		rc = -errno;
	return rc ? rc : log_fsync_dir(dir);
}

/* The file's mtime stands for "first cleaned at" (see log.h). */
static void set_cleaned_time(int fd, int64_t ms)
{
	struct timespec ts[2];
	ts[0].tv_sec = ts[1].tv_sec = ms / 1000;
	ts[0].tv_nsec = ts[1].tv_nsec = (ms % 1000) * 1000000;
	if (ms >= 0)
		futimens(fd, ts);
}

static size_t first_dirty_index(const struct partition_log *log)
{
	size_t i = 0;
	while (i + 1 < log->n && log->segs[i]->base < log->cleaner.first_dirty)
		i++;
	return i;
}

void cleaner_init(struct partition_log *log)
{
	struct log_cleaner *c = &log->cleaner;
	c->out_fd = -1;
	if (ckpt_read(log->dir, &c->first_dirty) < 0 || c->first_dirty < log->start)
		c->first_dirty = log->start;
	size_t fd = first_dirty_index(log);
	for (size_t i = 0; i < fd; i++) {
		struct stat st;
		if (fstat(log->segs[i]->fd, &st) == 0)
			log->segs[i]->cleaned_ms = (int64_t)st.st_mtim.tv_sec * 1000 +
						   st.st_mtim.tv_nsec / 1000000;
	}
}

static void cleaned_path(const struct partition_log *log, char *p, size_t cap)
{
	if (seg_path(p, cap, log->dir, log->cleaner.seg_base, ".log.cleaned"))
		p[0] = '\0';
}

void cleaner_abort(struct partition_log *log)
{
	struct log_cleaner *c = &log->cleaner;
	if (c->out_fd >= 0) {
		char p[4096];
		cleaned_path(log, p, sizeof p);
		close(c->out_fd);
		c->out_fd = -1;
		if (p[0])
			unlink(p);
	}
	km_clear(c->map);
	c->phase = CL_IDLE;
}

void cleaner_free(struct partition_log *log)
{
	struct log_cleaner *c = &log->cleaner;
	cleaner_abort(log);
	free(c->map);
	free(c->in);
	free(c->out);
	c->map = NULL;
	c->in = c->out = NULL;
	c->in_cap = c->out_cap = 0;
}

void log_clean_get_stats(const struct partition_log *log, struct log_clean_stats *out)
{
	*out = log->cleaner.stats;
	out->first_dirty = log->cleaner.first_dirty;
}

/* ---- reading ---- */

static int grow(uint8_t **buf, size_t *cap, size_t need)
{
	if (need <= *cap)
		return 0;
	uint8_t *n = realloc(*buf, need);
	if (!n)
		return -ENOMEM;
	*buf = n;
	*cap = need;
	return 0;
}

/* The whole batch at pos into c->in: 1, 0 at the segment end, or -errno. */
static int read_batch(struct log_cleaner *c, const struct segment *s, int64_t pos,
		      struct seg_batch *b)
{
	int rc = seg_read_header(s, pos, b);
	if (rc <= 0)
		return rc;
	/* b->size is bounded by the file (seg_read_header checks it) */
	if ((rc = grow(&c->in, &c->in_cap, (size_t)b->size)) != 0)
		return rc;
	size_t got = 0;
	for (int tries = 0; got < (size_t)b->size && tries < 64; tries++) {
		ssize_t r = pread(s->fd, c->in + got, (size_t)b->size - got, pos + (int64_t)got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? -errno : -EIO;
		got += (size_t)r;
	}
	return got == (size_t)b->size ? 1 : -EIO;
}

static struct segment *seg_by_base(const struct partition_log *log, int64_t base, size_t *idx)
{
	if (log->n == 0)
		return NULL;
	size_t i = log_seg_for_offset(log, base);
	if (log->segs[i]->base != base)
		return NULL;
	*idx = i;
	return log->segs[i];
}

/* ---- the map phase ---- */

static int map_batch(struct log_cleaner *c, const uint8_t *p, size_t len)
{
	struct rb_header h;
	if (rb_parse_header(p, len, &h) < 0 || (h.attributes & KEEP_WHOLE) ||
	    !(p = batch_records(&h, p, &len)))
		return 0; /* kept whole, so it shadows nothing */
	struct rb_iter it;
	struct rb_record r;
	int rc;
	rb_iter_init(&it, p, len);
	while ((rc = rb_iter_next(&it, &r)) == 1) {
		if (r.key_len < 0)
			continue;
		int frc = km_put(c->map, r.key, (uint32_t)r.key_len, h.base_offset + r.offset_delta);
		if (frc)
			return frc;
	}
	return 0; /* an unparsable batch is kept whole and maps nothing */
}

static void start_copy(struct partition_log *log)
{
	log->cleaner.phase = CL_COPY;
	log->cleaner.seg_base = log->segs[0]->base;
	log->cleaner.pos = 0;
}

static int map_step(struct partition_log *log, int64_t *budget)
{
	struct log_cleaner *c = &log->cleaner;
	size_t i;
	struct segment *s = seg_by_base(log, c->seg_base, &i);
	if (!s)
		return -ESTALE; /* deleted or truncated under the pass */
	if (s->base >= c->end || i + 1 >= log->n) {
		start_copy(log);
		return 0;
	}
	struct seg_batch b;
	int rc = read_batch(c, s, c->pos, &b);
	if (rc < 0)
		return rc;
	if (rc == 0) {
		c->seg_base = log->segs[i + 1]->base;
		c->pos = 0;
		if (c->map->bytes > MAP_MAX_BYTES && c->seg_base < c->end)
			c->end = c->seg_base; /* the rest waits for the next pass */
		return 0;
	}
	c->pos += b.size;
	*budget -= b.size;
	rc = map_batch(c, c->in, (size_t)b.size);
	scratch_trim();
	return rc;
}

/* ---- the copy phase ---- */

/* Copies the records of src (an uncompressed batch or view) that survive
 * into c->out after src's header; *olen is the bytes written. Returns the
 * number of records removed, or -1 if src does not parse. */
static int32_t filter_records(struct log_cleaner *c, const struct rb_header *h,
			      const uint8_t *src, size_t len, size_t *olen, int32_t *kept,
			      int32_t *tombs)
{
	memcpy(c->out, src, RB_HEADER_SIZE);
	size_t o = RB_HEADER_SIZE;
	int32_t removed = 0;
	struct rb_iter it;
	struct rb_record r;
	int rc;
	*kept = *tombs = 0;
	rb_iter_init(&it, src, len);
	const uint8_t *rec_start = it.p;
	while ((rc = rb_iter_next(&it, &r)) == 1) {
		int keep = 1;
		if (r.key_len >= 0) {
			int64_t latest = km_get(c->map, r.key, (uint32_t)r.key_len);
			if (latest > h->base_offset + r.offset_delta)
				keep = 0;
			else if (r.value_len < 0 && c->drop_tombstones)
				keep = 0, (*tombs)++;
		}
		if (keep) {
			memcpy(c->out + o, rec_start, (size_t)(it.p - rec_start));
			o += (size_t)(it.p - rec_start);
			(*kept)++;
		} else {
			removed++;
		}
		rec_start = it.p;
	}
	if (rc < 0)
		return -1;
	*olen = o;
	return removed;
}

/* Filters one batch. Returns the bytes to write: the batch whole (*outp =
 * p), a rewritten batch (c->out, or scratch_packed for a compressed batch,
 * which keeps its codec, base offset, lastOffsetDelta, producer fields and
 * attributes), or 0 (drop it). */
static int64_t filter_batch(struct log_cleaner *c, const uint8_t *p, size_t len,
			    const uint8_t **outp)
{
	struct rb_header h;
	*outp = p;
	if (rb_parse_header(p, len, &h) < 0 || (h.attributes & KEEP_WHOLE))
		return (int64_t)len;
	int codec = h.attributes & RB_ATTR_COMPRESSION_MASK;
	size_t slen = len, o;
	const uint8_t *src = batch_records(&h, p, &slen);
	if (!src || grow(&c->out, &c->out_cap, slen) < 0)
		return (int64_t)len;
	int32_t kept, tombs;
	int32_t removed = filter_records(c, &h, src, slen, &o, &kept, &tombs);
	if (removed <= 0)
		return (int64_t)len; /* unparsable data is left as it is */
	if (kept == 0) {
		c->stats.records_removed += removed;
		c->stats.tombstones_removed += tombs;
		c->stats.batches_removed++;
		return 0;
	}
	uint8_t *out = c->out;
	seg_put_be32(out + 8, (uint32_t)(o - RB_LOG_OVERHEAD));
	seg_put_be32(out + 57, (uint32_t)kept);
	if (codec) {
		if (compress_batch_pack(out, o, codec, &scratch_packed) != 0)
			return (int64_t)len; /* nothing lost: the batch stays whole */
		out = scratch_packed.p;
		o = scratch_packed.len;
	}
	c->stats.records_removed += removed;
	c->stats.tombstones_removed += tombs;
	seg_put_be32(out + 17, crc32c(0, out + 21, o - 21));
	*outp = out;
	return (int64_t)o;
}

static int write_all(int fd, const uint8_t *p, size_t len, int64_t at)
{
	size_t done = 0;
	for (int tries = 0; done < len && tries < 1024; tries++) {
		ssize_t w = pwrite(fd, p + done, len - done, at + (int64_t)done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? -errno : -EIO;
		done += (size_t)w;
	}
	return done == len ? 0 : -EIO;
}

static int open_cleaned(struct partition_log *log, const struct segment *s)
{
	struct log_cleaner *c = &log->cleaner;
	char p[4096];
	cleaned_path(log, p, sizeof p);
	if (!p[0])
		return -ENAMETOOLONG;
	c->out_fd = open(p, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (c->out_fd < 0)
		return -errno;
	c->out_size = 0;
	c->dropped = 0;
	c->drop_tombstones = s->cleaned_ms >= 0 &&
			     c->now_ms - s->cleaned_ms >= log->cfg.delete_retention_ms;
	return 0;
}

/* Puts the rewritten file in place of segment s and replaces everything the
 * log keeps in memory about it (fd, size, indexes, max timestamp) at once. */
static int swap_segment(struct partition_log *log, struct segment *s)
{
	struct log_cleaner *c = &log->cleaner;
	char from[4096], to[4096], p[4096];
	cleaned_path(log, from, sizeof from);
	if (!from[0] || seg_path(to, sizeof to, log->dir, s->base, ".log"))
		return -ENAMETOOLONG;
	if (fsync(c->out_fd) < 0)
		return -errno;
	/* stale indexes must not meet the new file after a crash: gone first,
	 * rebuilt from the .log on open if the crash comes before they are
	 * written again */
	if (seg_path(p, sizeof p, log->dir, s->base, ".index") == 0)
		unlink(p);
	if (seg_path(p, sizeof p, log->dir, s->base, ".timeindex") == 0)
		unlink(p);
	if (rename(from, to) < 0)
		return -errno;
	int rc = log_fsync_dir(log->dir);
	close(s->fd); /* readers holding a dup keep the old file */
	s->fd = c->out_fd;
	c->out_fd = -1;
	log->size_total += c->out_size - s->size;
	s->size = c->out_size;
	if (seg_rebuild_indexes(s, log->cfg.index_interval_bytes) < 0)
		log_error(MOD, "%s: segment %" PRId64 ": index rebuild after cleaning failed",
			  log->dir, s->base);
	seg_seal_time_index(s);
	int wrc = seg_write_indexes(log->dir, s, 1, 1);
	s->dirty = 0; /* the data is synced (above) */
	if (wrc) /* idx_dirty stays: the next checkpoint or roll flush retries */
		log_warn(MOD, "%s: segment %" PRId64 ": writing indexes after cleaning: %s",
			 log->dir, s->base, strerror(-wrc));
	c->stats.segments_rewritten++;
	return rc;
}

static int finish_segment(struct partition_log *log, struct segment *s)
{
	struct log_cleaner *c = &log->cleaner;
	int rc = 0;
	if (c->dropped) {
		rc = swap_segment(log, s);
	} else {
		char p[4096];
		cleaned_path(log, p, sizeof p);
		close(c->out_fd);
		c->out_fd = -1;
		if (p[0])
			unlink(p);
	}
	if (s->cleaned_ms < 0)
		s->cleaned_ms = c->now_ms;
	set_cleaned_time(s->fd, s->cleaned_ms);
	return rc;
}

static int finish_pass(struct partition_log *log)
{
	struct log_cleaner *c = &log->cleaner;
	c->first_dirty = c->end;
	c->stats.passes++;
	km_clear(c->map);
	c->phase = CL_IDLE;
	log_info(MOD, "%s: cleaned offsets %" PRId64 "..%" PRId64 ": %" PRId64
		 " segments rewritten, %" PRId64 " records removed so far",
		 log->dir, log->start, c->end, c->stats.segments_rewritten,
		 c->stats.records_removed);
	return ckpt_write(log->dir, c->first_dirty);
}

static int copy_step(struct partition_log *log, int64_t *budget)
{
	struct log_cleaner *c = &log->cleaner;
	size_t i;
	struct segment *s = seg_by_base(log, c->seg_base, &i);
	if (!s)
		return -ESTALE;
	if (s->base >= c->end || i + 1 >= log->n)
		return finish_pass(log);
	int rc;
	if (c->out_fd < 0 && (rc = open_cleaned(log, s)) != 0)
		return rc;
	struct seg_batch b;
	rc = read_batch(c, s, c->pos, &b);
	if (rc < 0)
		return rc;
	if (rc == 0) {
		if ((rc = finish_segment(log, s)) != 0)
			return rc;
		c->seg_base = log->segs[i + 1]->base;
		c->pos = 0;
		return 0;
	}
	c->pos += b.size;
	*budget -= b.size;
	const uint8_t *out;
	int64_t n = filter_batch(c, c->in, (size_t)b.size, &out);
	if (n != b.size || out != c->in)
		c->dropped = 1; /* a rewritten batch may be as long as the original */
	rc = n > 0 ? write_all(c->out_fd, out, (size_t)n, c->out_size) : 0;
	scratch_trim();
	if (rc != 0)
		return rc;
	c->out_size += n;
	return 0;
}

/* ---- scheduling ---- */

/* Decides whether a pass is due and where it ends (see log.h). */
static int pass_due(const struct partition_log *log, int64_t now_ms, int force, int64_t *end)
{
	size_t fd = first_dirty_index(log), e = fd;
	int64_t horizon = now_ms - log->cfg.min_compaction_lag_ms;
	while (e + 1 < log->n && log->segs[e]->max_ts <= horizon)
		e++;
	int64_t dirty = 0, clean = 0;
	for (size_t i = 0; i < e; i++)
		*(i < fd ? &clean : &dirty) += log->segs[i]->size;
	*end = log->segs[e]->base;
	if (force)
		return e > 0;
	return dirty > 0 && (double)dirty >= log->cfg.min_cleanable_dirty_ratio * (double)(clean + dirty);
}

static int start_pass(struct partition_log *log, int64_t now_ms, int64_t end)
{
	struct log_cleaner *c = &log->cleaner;
	if (!c->map && !(c->map = calloc(1, sizeof *c->map)))
		return -ENOMEM;
	km_clear(c->map);
	c->now_ms = now_ms;
	c->end = end;
	c->out_fd = -1;
	size_t fd = first_dirty_index(log);
	c->phase = CL_MAP;
	c->seg_base = log->segs[fd]->base;
	c->pos = 0;
	if (c->seg_base >= end)
		start_copy(log);
	return 0;
}

static int clean_run(struct partition_log *log, int64_t now_ms, int force, int64_t budget)
{
	struct log_cleaner *c = &log->cleaner;
	if (log->crashed || !log->cfg.compact || log->n == 0) {
		cleaner_abort(log);
		return 0;
	}
	int rc = 0;
	if (c->phase == CL_IDLE) {
		int64_t end;
		if (!pass_due(log, now_ms, force, &end))
			return 0;
		rc = start_pass(log, now_ms, end);
	}
	while (rc == 0 && c->phase != CL_IDLE && budget > 0)
		rc = c->phase == CL_MAP ? map_step(log, &budget) : copy_step(log, &budget);
	if (rc < 0) {
		cleaner_abort(log);
		return rc;
	}
	return c->phase != CL_IDLE;
}

int log_clean(struct partition_log *log, int64_t now_ms)
{
	int64_t budget = log->storage->clean_budget_bytes;
	return clean_run(log, now_ms, 0, budget > 0 ? budget : DEFAULT_BUDGET);
}

int log_clean_force(struct partition_log *log, int64_t now_ms)
{
	cleaner_abort(log);
	int rc = clean_run(log, now_ms, 1, INT64_MAX);
	return rc < 0 ? rc : 0;
}
