/* Check tests for log compaction (broker/storage/cleaner.c): latest record
 * per key, offsets kept and reads at every offset, tombstone expiry by
 * delete.retention.ms, active segment and lag untouched, slices, crash
 * leftovers, readers holding the old file, followers copying a gapped log,
 * compressed batches (inflated, filtered, written again with their codec). */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "broker/storage/log.h"
#include "common/clock.h"
#include "common/compress.h"
#include "common/log.h"
#include "common/proto/crc32c.h"
#include "common/proto/record_batch.h"
#include "tests/unit/storage_fixture.h"

#define MAXREC 4096

/* put() compresses its batches with this codec (0: none); parse_slice
 * records each batch's codec in seen_codecs and, with check_lod set, checks
 * that cleaning kept lastOffsetDelta (fill: 3-record batches at o % 7 == 3). */
static int put_codec;
static unsigned seen_codecs;
static int check_lod;


static struct log_config compact_cfg(void)
{
	struct log_config c;
	log_config_defaults(&c);
	c.index_interval_bytes = 200;
	c.segment_bytes = 1200;
	c.compact = 1;
	c.retention_ms = -1;
	c.delete_retention_ms = 10000;
	return c;
}

/* What was written: offset -> key index and value (-1 = tombstone). */
struct model {
	int key[MAXREC];
	int val[MAXREC];
	int64_t n;
};

/* Appends one batch of n records (keys[i], vals[i]; val < 0 = tombstone). */
static void put(struct partition_log *log, struct model *m, const int *keys, const int *vals,
		int n, int16_t attrs)
{
	struct rb_build_record recs[16];
	char kb[16][16], vb[16][16];
	ck_assert_int_le(n, 16);
	for (int i = 0; i < n; i++) {
		snprintf(kb[i], sizeof kb[i], "key-%d", keys[i]);
		snprintf(vb[i], sizeof vb[i], "v%d", vals[i]);
		recs[i] = (struct rb_build_record){ kb[i], (int32_t)strlen(kb[i]),
						    vals[i] < 0 ? NULL : vb[i],
						    vals[i] < 0 ? -1 : (int32_t)strlen(vb[i]) };
	}
	uint8_t buf[4096];
	int txn = attrs & RB_ATTR_TRANSACTIONAL;
	int64_t len = rb_build(buf, sizeof buf, recs, n, 1000, attrs, txn ? 7 : -1,
			       txn ? 0 : -1, txn ? (int32_t)m->n : -1);
	ck_assert_int_gt(len, 0);
	struct cbuf packed = { 0 };
	uint8_t *batch = buf;
	if (put_codec) {
		ck_assert_int_eq(compress_batch_pack(buf, (size_t)len, put_codec, &packed), 0);
		uint32_t crc = crc32c(0, packed.p + 21, packed.len - 21);
		for (int k = 0; k < 4; k++)
			packed.p[17 + k] = (uint8_t)(crc >> (24 - 8 * k));
		batch = packed.p;
		len = (int64_t)packed.len;
	}
	int64_t base;
	ck_assert_int_eq(log_append(log, batch, (size_t)len, 0, &base), 0);
	cbuf_free(&packed);
	ck_assert_int_eq(base, m->n);
	for (int i = 0; i < n; i++) {
		m->key[m->n] = keys[i];
		m->val[m->n] = vals[i];
		m->n++;
	}
}

static void put1(struct partition_log *log, struct model *m, int key, int val)
{
	put(log, m, &key, &val, 1, 0);
}

/* One record as read back. */
struct rec {
	int64_t off;
	int key, val;
};

static int parse_int_after(const uint8_t *p, int32_t len, const char *prefix)
{
	char tmp[32];
	size_t pl = strlen(prefix);
	ck_assert(len > (int32_t)pl && len < (int32_t)sizeof tmp);
	memcpy(tmp, p, (size_t)len);
	tmp[len] = '\0';
	ck_assert(strncmp(tmp, prefix, pl) == 0);
	return atoi(tmp + pl);
}

/* Parses the batches of a slice (CRC checked) into out; returns the count
 * and sets *next to the offset after the last batch. */
static int parse_slice(const struct log_slice *s, struct rec *out, int cap, int64_t *next)
{
	uint8_t *buf = malloc((size_t)s->len + 1);
	ck_assert_int_eq(pread(s->fd, buf, (size_t)s->len, s->pos), s->len);
	int n = 0;
	for (int32_t off = 0; off < s->len;) {
		struct rb_header h;
		ck_assert_int_eq(rb_parse_header(buf + off, (size_t)(s->len - off), &h), 0);
		int32_t total = RB_LOG_OVERHEAD + h.batch_length;
		ck_assert_int_le(total, s->len - off);
		ck_assert_uint_eq(crc32c(0, buf + off + 21, (size_t)total - 21), h.crc);
		struct rb_iter it;
		struct rb_record r;
		int rc, cnt = 0;
		int codec = h.attributes & RB_ATTR_COMPRESSION_MASK;
		seen_codecs |= 1u << codec;
		if (check_lod)
			ck_assert_int_eq(h.last_offset_delta, h.base_offset % 7 == 3 ? 2 : 0);
		struct cbuf view = { 0 };
		if (codec) {
			ck_assert_int_eq(compress_batch_view(buf + off, (size_t)total, 1 << 20, &view), 0);
			rb_iter_init(&it, view.p, view.len);
		} else {
			rb_iter_init(&it, buf + off, (size_t)total);
		}
		while ((rc = rb_iter_next(&it, &r)) == 1) {
			ck_assert_int_lt(n, cap);
			out[n].off = h.base_offset + r.offset_delta;
			ck_assert_int_le(r.offset_delta, h.last_offset_delta);
			out[n].key = parse_int_after(r.key, r.key_len, "key-");
			out[n].val = r.value_len < 0 ? -1 : parse_int_after(r.value, r.value_len, "v");
			n++;
			cnt++;
		}
		ck_assert_int_eq(rc, 0);
		ck_assert_int_eq(cnt, h.records_count);
		cbuf_free(&view);
		*next = rb_last_offset(&h) + 1;
		off += total;
	}
	free(buf);
	return n;
}

/* Reads the whole log; offsets must strictly increase. */
static int read_all(struct partition_log *log, struct rec *out, int cap)
{
	int n = 0;
	int64_t off = log_start_offset(log);
	for (int guard = 0; off < log_end_offset(log) && guard < 100000; guard++) {
		struct log_slice s;
		ck_assert_int_eq(log_read(log, off, 700, INT64_MAX, &s), 0);
		if (s.len == 0)
			break;
		int64_t next = off;
		int got = parse_slice(&s, out + n, cap - n, &next);
		for (int i = 0; i < got; i++)
			ck_assert(n + i == 0 || out[n + i].off > out[n + i - 1].off);
		n += got;
		ck_assert_int_gt(next, off);
		off = next;
	}
	ck_assert_int_eq(off, log_end_offset(log));
	return n;
}

/* Survivors expected after one pass over [0, end) starting clean: below
 * end, the latest record of each key within [0, end); everything at or
 * above end. keep[o] is set for each surviving offset. */
static void expect_after_pass(const struct model *m, int64_t end, char *keep)
{
	int64_t latest[64];
	for (int k = 0; k < 64; k++)
		latest[k] = -1;
	for (int64_t o = 0; o < end; o++)
		latest[m->key[o]] = o;
	for (int64_t o = 0; o < m->n; o++)
		keep[o] = o >= end || latest[m->key[o]] == o;
}

/* The log holds exactly the offsets in keep, with the model's contents,
 * and a read at every offset starts with the next surviving record. */
static void check_log(struct partition_log *log, const struct model *m, const char *keep)
{
	static struct rec got[MAXREC];
	int n = read_all(log, got, MAXREC);
	int i = 0;
	for (int64_t o = 0; o < m->n; o++) {
		if (!keep[o])
			continue;
		ck_assert_int_lt(i, n);
		ck_assert_int_eq(got[i].off, o);
		ck_assert_int_eq(got[i].key, m->key[o]);
		ck_assert_int_eq(got[i].val, m->val[o]);
		i++;
	}
	ck_assert_int_eq(i, n);
	for (int64_t o = log_start_offset(log); o < log_end_offset(log); o++) {
		int64_t want = o;
		while (want < m->n && !keep[want])
			want++;
		/* as a client does: skip records below o, fetch on after the batch */
		int64_t at = o, found = -1;
		for (int guard = 0; found < 0 && at < log_end_offset(log) && guard < 1000; guard++) {
			struct log_slice s;
			ck_assert_int_eq(log_read(log, at, 1, INT64_MAX, &s), 0);
			if (s.len == 0)
				break;
			struct rec r[64];
			int64_t next = at;
			int k = parse_slice(&s, r, 64, &next);
			for (int j = 0; j < k && found < 0; j++)
				if (r[j].off >= o)
					found = r[j].off;
			ck_assert_int_gt(next, at);
			at = next;
		}
		if (want == m->n) { /* only removed records left: nothing to read */
			ck_assert_int_eq(found, -1);
			continue;
		}
		int64_t w = want;
		ck_assert_int_eq(found, w);
	}
}

/* Base of the active segment: the highest <base>.log in the directory. */
static int64_t active_base(struct partition_log *log)
{
	DIR *d = opendir(log_dir(log));
	ck_assert_ptr_nonnull(d);
	int64_t best = -1;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		if (len == 24 && strcmp(e->d_name + 20, ".log") == 0 && atoll(e->d_name) > best)
			best = atoll(e->d_name);
	}
	closedir(d);
	return best;
}

static int count_cleaned(const char *dir)
{
	DIR *d = opendir(dir);
	ck_assert_ptr_nonnull(d);
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL)
		n += strstr(e->d_name, ".cleaned") != NULL;
	closedir(d);
	return n;
}

/* Whether offset o is in the log (read back). */
static int has_offset(struct partition_log *log, int64_t o)
{
	static struct rec got[MAXREC];
	int n = read_all(log, got, MAXREC);
	for (int i = 0; i < n; i++)
		if (got[i].off == o)
			return 1;
	return 0;
}

static void filler(struct partition_log *log, struct model *m, int count)
{
	for (int i = 0; i < count; i++)
		put1(log, m, 3 + i % 7, (int)m->n);
}

/* 400 records over 10 keys: single records and 3-record batches. */
static void fill(struct partition_log *log, struct model *m, int count, int seed)
{
	while (m->n < count) {
		int64_t o = m->n;
		if (o % 7 == 3) {
			int keys[3] = { (int)((o * 3 + seed) % 10), (int)((o + 1) % 10),
					(int)((o * 7 + 2) % 10) };
			int vals[3] = { (int)o, (int)o + 1, (int)o + 2 };
			put(log, m, keys, vals, 3, 0);
		} else {
			put1(log, m, (int)((o * 5 + seed) % 10), (int)o);
		}
	}
}

START_TEST(test_clean_latest_per_key)
{
	const char *dir = sfx_new_dir();
	struct log_config c = compact_cfg();
	struct partition_log *log;
	static struct model m;
	static char keep[MAXREC];
	m.n = 0;
	ck_assert_int_eq(log_open(dir, &c, NULL, &log), 0);
	fill(log, &m, 400, 0);
	int64_t leo = log_end_offset(log), size = log_size_bytes(log);
	int64_t end = active_base(log);
	ck_assert_int_gt(end, 100);
	ck_assert_int_eq(log_clean_force(log, clock_wall_ms()), 0);
	struct log_clean_stats st;
	log_clean_get_stats(log, &st);
	ck_assert_int_eq(st.passes, 1);
	ck_assert_int_eq(st.first_dirty, end);
	ck_assert_int_gt(st.records_removed, 100);
	ck_assert_int_eq(log_end_offset(log), leo);
	ck_assert_int_eq(log_start_offset(log), 0);
	ck_assert_int_lt(log_size_bytes(log), size);
	expect_after_pass(&m, end, keep);
	check_log(log, &m, keep);
	/* appends go on at the LEO */
	put1(log, &m, 3, 9999);
	keep[m.n - 1] = 1;
	check_log(log, &m, keep);
	/* a clean reopen and an unclean one (full rescan across gaps) agree */
	log_close(log);
	ck_assert_int_eq(log_open(dir, &c, NULL, &log), 0);
	ck_assert_int_eq(log_end_offset(log), m.n);
	check_log(log, &m, keep);
	log_abandon(log);
	char p[256];
	snprintf(p, sizeof p, "%s/recovery-point", dir);
	unlink(p);
	ck_assert_int_eq(log_open(dir, &c, NULL, &log), 0);
	ck_assert_int_eq(log_end_offset(log), m.n);
	check_log(log, &m, keep);
	/* the first dirty offset survived the restart */
	log_clean_get_stats(log, &st);
	ck_assert_int_eq(st.first_dirty, end);
	log_close(log);
}
END_TEST

/* A second pass over new dirty data removes older copies from the clean
 * part, and sliced passes (tiny budget, via log_tick) reach the same end. */
START_TEST(test_clean_incremental_slices)
{
	const char *dir = sfx_new_dir();
	struct log_config c = compact_cfg();
	struct partition_log *log;
	static struct model m;
	static char keep[MAXREC];
	m.n = 0;
	struct log_storage owner = { 0 };
	ck_assert_int_eq(log_open(dir, &c, &owner, &log), 0);
	fill(log, &m, 300, 1);
	int64_t now = clock_wall_ms();
	ck_assert_int_eq(log_clean_force(log, now), 0);
	fill(log, &m, 700, 4);
	/* below the ratio nothing starts */
	c.min_cleanable_dirty_ratio = 1.0;
	log_set_config(log, &c);
	ck_assert_int_eq(log_clean(log, now), 0);
	c.min_cleanable_dirty_ratio = 0.5;
	log_set_config(log, &c);
	owner.clean_budget_bytes = 150;
	int calls = 0;
	log_tick(log, now);
	for (calls = 1; log_clean(log, now) == 1 && calls < 100000; calls++)
		;
	owner.clean_budget_bytes = 0;
	ck_assert_int_gt(calls, 10);
	struct log_clean_stats st;
	log_clean_get_stats(log, &st);
	ck_assert_int_eq(st.passes, 2);
	int64_t end = active_base(log);
	ck_assert_int_eq(st.first_dirty, end);
	expect_after_pass(&m, end, keep);
	check_log(log, &m, keep);
	log_close(log);
}
END_TEST

START_TEST(test_tombstones_expire)
{
	const char *dir = sfx_new_dir();
	struct log_config c = compact_cfg();
	struct partition_log *log;
	static struct model m;
	m.n = 0;
	ck_assert_int_eq(log_open(dir, &c, NULL, &log), 0);
	put1(log, &m, 1, 100);
	put1(log, &m, 2, 200);
	put1(log, &m, 1, -1); /* offset 2: tombstone for key 1 */
	filler(log, &m, 100);
	int64_t t0 = clock_wall_ms();
	ck_assert_int_eq(log_clean_force(log, t0), 0);
	ck_assert(!has_offset(log, 0));
	ck_assert(has_offset(log, 1));
	ck_assert(has_offset(log, 2)); /* kept by the pass that first cleans it */
	ck_assert_int_eq(log_clean_force(log, t0 + 9999), 0);
	ck_assert(has_offset(log, 2));
	/* the first-cleaned time survives a restart (segment mtime) */
	log_close(log);
	ck_assert_int_eq(log_open(dir, &c, NULL, &log), 0);
	ck_assert_int_eq(log_clean_force(log, t0 + 9999), 0);
	ck_assert(has_offset(log, 2));
	/* new dirty data with a fresh tombstone for key 2 */
	put1(log, &m, 2, -1);
	int64_t t2 = m.n - 1;
	filler(log, &m, 60);
	ck_assert_int_eq(log_clean_force(log, t0 + 10000), 0);
	struct log_clean_stats st;
	log_clean_get_stats(log, &st);
	ck_assert_int_eq(st.tombstones_removed, 1);
	ck_assert(!has_offset(log, 2)); /* expired */
	ck_assert(!has_offset(log, 1)); /* shadowed by the new tombstone */
	ck_assert(has_offset(log, t2)); /* first cleaned now: kept */
	ck_assert_int_eq(log_clean_force(log, t0 + 19999), 0);
	ck_assert(has_offset(log, t2));
	ck_assert_int_eq(log_clean_force(log, t0 + 20001), 0);
	ck_assert(!has_offset(log, t2));
	log_close(log);
}
END_TEST

/* Records in the active segment and in segments newer than the lag are
 * never touched. */
START_TEST(test_active_and_lag_untouched)
{
	const char *dir = sfx_new_dir();
	struct log_config c = compact_cfg();
	c.segment_bytes = 1 << 20;
	struct partition_log *log;
	static struct model m;
	static char keep[MAXREC];
	m.n = 0;
	ck_assert_int_eq(log_open(dir, &c, NULL, &log), 0);
	fill(log, &m, 200, 3);
	int64_t size = log_size_bytes(log);
	ck_assert_int_eq(log_clean_force(log, clock_wall_ms()), 0);
	struct log_clean_stats st;
	log_clean_get_stats(log, &st);
	ck_assert_int_eq(st.passes, 0);
	ck_assert_int_eq(log_size_bytes(log), size);
	memset(keep, 1, sizeof keep);
	check_log(log, &m, keep);
	log_close(log);
	/* sealed segments, but their batches (timestamp 1000) are younger
	 * than the lag at now = 1000 + lag - 1 */
	c = compact_cfg();
	c.min_compaction_lag_ms = 5000;
	ck_assert_int_eq(log_open(dir = sfx_new_dir(), &c, NULL, &log), 0);
	m.n = 0;
	fill(log, &m, 300, 3);
	size = log_size_bytes(log);
	ck_assert_int_eq(log_clean_force(log, 1000 + 4999), 0);
	ck_assert_int_eq(log_size_bytes(log), size);
	check_log(log, &m, keep);
	ck_assert_int_eq(log_clean_force(log, 1000 + 5000), 0);
	ck_assert_int_lt(log_size_bytes(log), size);
	expect_after_pass(&m, active_base(log), keep);
	check_log(log, &m, keep);
	log_close(log);
}
END_TEST

/* A crash in the middle of a pass leaves a .cleaned file; open removes it
 * and the log is the old one, which a later pass cleans. */
START_TEST(test_crash_mid_clean)
{
	const char *dir = sfx_new_dir();
	struct log_config c = compact_cfg();
	struct partition_log *log;
	static struct model m;
	static char keep[MAXREC];
	m.n = 0;
	struct log_storage st = { .clean_budget_bytes = 100 }; /* a slice ends inside a copy */
	ck_assert_int_eq(log_open(dir, &c, &st, &log), 0);
	fill(log, &m, 400, 5);
	int64_t now = clock_wall_ms();
	int rc = 1, seen = 0;
	for (int i = 0; i < 100000 && rc == 1 && !seen; i++) {
		rc = log_clean(log, now);
		seen = count_cleaned(dir);
	}
	ck_assert_int_eq(rc, 1);
	ck_assert_int_eq(seen, 1);
	log_abandon(log); /* SIGKILL */
	ck_assert_int_eq(log_open(dir, &c, NULL, &log), 0);
	ck_assert_int_eq(count_cleaned(dir), 0);
	memset(keep, 1, sizeof keep);
	check_log(log, &m, keep);
	ck_assert_int_eq(log_clean_force(log, now), 0);
	expect_after_pass(&m, active_base(log), keep);
	check_log(log, &m, keep);
	log_close(log);
}
END_TEST

/* A fetch that holds a dup of the old segment's fd keeps reading the old
 * bytes after the swap; new reads see the cleaned file. */
START_TEST(test_reader_keeps_old_file)
{
	const char *dir = sfx_new_dir();
	struct log_config c = compact_cfg();
	struct partition_log *log;
	static struct model m;
	m.n = 0;
	ck_assert_int_eq(log_open(dir, &c, NULL, &log), 0);
	fill(log, &m, 300, 6);
	struct log_slice s;
	ck_assert_int_eq(log_read(log, 0, 100000, INT64_MAX, &s), 0);
	int held = dup(s.fd);
	ck_assert_int_ge(held, 0);
	uint8_t *before = malloc((size_t)s.len), *after = malloc((size_t)s.len);
	ck_assert_int_eq(pread(held, before, (size_t)s.len, s.pos), s.len);
	ck_assert_int_eq(log_clean_force(log, clock_wall_ms()), 0);
	ck_assert_int_eq(pread(held, after, (size_t)s.len, s.pos), s.len);
	ck_assert_int_eq(memcmp(before, after, (size_t)s.len), 0);
	struct log_slice n;
	ck_assert_int_eq(log_read(log, 0, 100000, INT64_MAX, &n), 0);
	ck_assert_int_lt(n.len, s.len);
	close(held);
	free(before);
	free(after);
	log_close(log);
}
END_TEST

/* Transactional batches are kept whole and shadow nothing; a follower
 * copies a gapped log batch for batch. */
START_TEST(test_txn_whole_and_follower_copy)
{
	struct log_config c = compact_cfg();
	struct partition_log *log, *f;
	static struct model m;
	static char keep[MAXREC];
	m.n = 0;
	ck_assert_int_eq(log_open(sfx_new_dir(), &c, NULL, &log), 0);
	put1(log, &m, 1, 1);
	int keys[2] = { 1, 1 }, vals[2] = { 2, 3 };
	put(log, &m, keys, vals, 2, RB_ATTR_TRANSACTIONAL);
	fill(log, &m, 300, 7);
	ck_assert_int_eq(log_clean_force(log, clock_wall_ms()), 0);
	ck_assert(has_offset(log, 1) && has_offset(log, 2));
	ck_assert(!has_offset(log, 0)); /* key 1 comes again in the plain records */
	ck_assert_int_eq(log_open(sfx_new_dir(), &c, NULL, &f), 0);
	int64_t off = 0;
	for (int guard = 0; off < log_end_offset(log) && guard < 10000; guard++) {
		struct log_slice s;
		ck_assert_int_eq(log_read(log, off, 500, INT64_MAX, &s), 0);
		ck_assert_int_gt(s.len, 0);
		uint8_t *buf = malloc((size_t)s.len);
		ck_assert_int_eq(pread(s.fd, buf, (size_t)s.len, s.pos), s.len);
		ck_assert_int_eq(log_append_replica(f, buf, (size_t)s.len), 0);
		free(buf);
		off = log_end_offset(f);
	}
	ck_assert_int_eq(log_end_offset(f), log_end_offset(log));
	static struct rec a[MAXREC], b[MAXREC];
	int na = read_all(log, a, MAXREC), nb = read_all(f, b, MAXREC);
	ck_assert_int_eq(na, nb);
	ck_assert_int_eq(memcmp(a, b, (size_t)na * sizeof *a), 0);
	(void)keep;
	log_close(f);
	log_close(log);
}
END_TEST

/* Compressed batches are compacted like plain ones (Kafka's cleaner
 * inflates them): the survivors are written back with the same codec, the
 * same base offset and lastOffsetDelta; tombstones inside them expire. */
START_TEST(test_compressed_batches)
{
	static const int codecs[] = { COMPRESS_GZIP, COMPRESS_SNAPPY, COMPRESS_LZ4, COMPRESS_ZSTD };
	for (int ci = 0; ci < 4; ci++) {
		struct log_config c = compact_cfg();
		struct partition_log *log;
		static struct model m;
		static char keep[MAXREC];
		m.n = 0;
		put_codec = codecs[ci];
		ck_assert_int_eq(log_open(sfx_new_dir(), &c, NULL, &log), 0);
		put1(log, &m, 20, 1);
		put1(log, &m, 20, -1); /* offset 1: tombstone of key 20 */
		fill(log, &m, 400, ci);
		int64_t end = active_base(log);
		int64_t t0 = clock_wall_ms();
		ck_assert_int_eq(log_clean_force(log, t0), 0);
		struct log_clean_stats st;
		log_clean_get_stats(log, &st);
		ck_assert_int_gt(st.records_removed, 100);
		expect_after_pass(&m, end, keep);
		ck_assert(keep[1] && !keep[0]);
		seen_codecs = 0;
		check_lod = 1;
		check_log(log, &m, keep);
		ck_assert_uint_eq(seen_codecs, 1u << codecs[ci]);
		/* a partly cleaned 3-record batch: base offset and lastOffsetDelta
		 * kept, so offsets and producer sequences stay where they were */
		int partial = 0;
		for (int64_t o = 3; o + 2 < end; o += 7)
			partial += keep[o] + keep[o + 1] + keep[o + 2] == 1 ||
				   keep[o] + keep[o + 1] + keep[o + 2] == 2;
		ck_assert_int_gt(partial, 0);
		/* past delete.retention.ms the tombstone goes */
		ck_assert_int_eq(log_clean_force(log, t0 + 10001), 0);
		keep[1] = 0;
		check_log(log, &m, keep);
		check_lod = 0;
		log_clean_get_stats(log, &st);
		ck_assert_int_eq(st.tombstones_removed, 1);
		log_close(log);
	}
	put_codec = 0;
}
END_TEST

/* The budget is the owner's (struct log_storage), not the process's: the
 * same data under two owners, one with a tiny budget, one with the
 * default, is cleaned in slices by the first and in one call by the second
 * (as two brokers in one process would). */
START_TEST(test_budget_per_owner)
{
	struct log_config c = compact_cfg();
	struct log_storage tiny = { .clean_budget_bytes = 100 }, dflt = { 0 };
	struct partition_log *a, *b;
	static struct model ma, mb;
	ma.n = mb.n = 0;
	ck_assert_int_eq(log_open(sfx_new_dir(), &c, &tiny, &a), 0);
	ck_assert_int_eq(log_open(sfx_new_dir(), &c, &dflt, &b), 0);
	fill(a, &ma, 300, 1);
	fill(b, &mb, 300, 1);
	int64_t now = clock_wall_ms();
	ck_assert_int_eq(log_clean(a, now), 1); /* a pass under way */
	ck_assert_int_eq(log_clean(b, now), 0); /* a whole pass done */
	struct log_clean_stats sa, sb;
	log_clean_get_stats(a, &sa);
	log_clean_get_stats(b, &sb);
	ck_assert_int_eq(sa.passes, 0);
	ck_assert_int_eq(sb.passes, 1);
	int calls = 1;
	while (log_clean(a, now) == 1 && calls < 100000)
		calls++;
	ck_assert_int_gt(calls, 10);
	log_clean_get_stats(a, &sa);
	ck_assert_int_eq(sa.passes, 1);
	ck_assert_int_eq(sa.records_removed, sb.records_removed);
	log_close(a);
	log_close(b);
}
END_TEST

int main(void)
{
	if (sfx_setup("clean") < 0)
		return 1;
	log_set_level(LOG_WARN);
	Suite *s = suite_create("storage_clean");
	TCase *tc = tcase_create("clean");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_clean_latest_per_key);
	tcase_add_test(tc, test_clean_incremental_slices);
	tcase_add_test(tc, test_tombstones_expire);
	tcase_add_test(tc, test_active_and_lag_untouched);
	tcase_add_test(tc, test_crash_mid_clean);
	tcase_add_test(tc, test_reader_keeps_old_file);
	tcase_add_test(tc, test_txn_whole_and_follower_copy);
	tcase_add_test(tc, test_compressed_batches);
	tcase_add_test(tc, test_budget_per_owner);
	suite_add_tcase(s, tc);
	return sfx_run(s, 0);
}
