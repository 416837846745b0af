/* Partition log tests: appends and reads, rolling, retention, recovery from
 * torn and corrupt tails, fetch limits (KIP-74, max_offset) and follower
 * truncation. Every test works in its own directory under one mkdtemp root
 * that main() removes at the end. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "broker/storage/log.h"
#include "common/failpoint.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/proto/crc32c.h"
#include "common/proto/kerr.h"
#include "common/proto/record_batch.h"
#include "broker/storage/segment.h"
#include "tests/unit/storage_fixture.h"

static struct log_config small_cfg(void)
{
	struct log_config c;
	log_config_defaults(&c);
	c.index_interval_bytes = 256;
	return c;
}

/* vlen bytes of letters, the value of every record the tests write */
static const uint8_t *value(int vlen)
{
	static uint8_t val[2048];
	ck_assert_int_le(vlen, (int)sizeof val);
	for (int i = 0; i < vlen; i++)
		val[i] = (uint8_t)('a' + i % 26);
	return val;
}

/* A batch of n records with `vlen`-byte values and timestamp ts. */
static size_t make_batch(uint8_t *buf, size_t cap, int n, int vlen, int64_t ts)
{
	return sfx_build(buf, cap, n, value(vlen), vlen, ts);
}

/* Appends one batch (leader epoch 3) and checks the offsets it got. */
static int64_t append_n(struct partition_log *log, int n, int vlen, int64_t ts)
{
	return sfx_append(log, n, value(vlen), vlen, ts, 3);
}

struct slice_info {
	int batches;
	int64_t first, next; /* first base offset, offset after the last batch */
};

/* Reads a slice back and checks that it is whole, valid, dense batches. */
static struct slice_info check_slice(const struct log_slice *s)
{
	struct slice_info si = { 0, s->first_offset, s->first_offset };
	if (s->len == 0)
		return si;
	uint8_t *buf = malloc((size_t)s->len);
	ck_assert_ptr_nonnull(buf);
	ck_assert_int_eq(pread(s->fd, buf, (size_t)s->len, s->pos), s->len);
	size_t off = 0;
	while (off < (size_t)s->len) {
		int64_t total = rb_total_size(buf + off, (size_t)s->len - off);
		ck_assert_int_ge(total, RB_HEADER_SIZE);
		ck_assert_int_le(total, (int64_t)((size_t)s->len - off));
		struct rb_header h;
		ck_assert_int_eq(rb_validate(buf + off, (size_t)total, &h), 0);
		ck_assert_int_eq(h.base_offset, si.next);
		ck_assert_int_eq(h.partition_leader_epoch, 3);
		si.next = rb_last_offset(&h) + 1;
		si.batches++;
		off += (size_t)total;
	}
	free(buf);
	return si;
}

static int count_files(const char *dir, const char *suffix)
{
	char cmd[512];
	snprintf(cmd, sizeof cmd, "ls %s | grep -c '%s$'", dir, suffix);
	FILE *f = popen(cmd, "r");
	int n = -1;
	ck_assert_int_eq(fscanf(f, "%d", &n), 1);
	pclose(f);
	return n;
}

static off_t file_size(const char *dir, int64_t base, const char *suffix)
{
	char p[256];
	struct stat st;
	snprintf(p, sizeof p, "%s/%020lld%s", dir, (long long)base, suffix);
	if (stat(p, &st) < 0)
		return -1;
	return st.st_size;
}

/* Every offset in [from, leo) reads as exactly the batch that holds it. */
static void check_every_offset(struct partition_log *log, int64_t from)
{
	for (int64_t o = from; o < log_end_offset(log); o++) {
		struct log_slice s;
		ck_assert_int_eq(log_read(log, o, 1, INT64_MAX, &s), 0);
		struct slice_info si = check_slice(&s);
		ck_assert_int_eq(si.batches, 1);
		ck_assert_int_le(si.first, o);
		ck_assert_int_gt(si.next, o);
	}
}

START_TEST(test_append_read_many_batches)
{
	struct log_config c = small_cfg();
	struct partition_log *log;
	ck_assert_int_eq(log_open(sfx_new_dir(), &c, NULL, &log), 0);
	ck_assert_int_eq(log_end_offset(log), 0);
	for (int i = 0; i < 300; i++)
		append_n(log, 1 + i % 5, 10 + i % 50, 1000 + i);
	ck_assert_int_eq(log_end_offset(log), 300 / 5 * 15);
	check_every_offset(log, 0);
	struct log_slice s;
	ck_assert_int_eq(log_read(log, 0, INT32_MAX, INT64_MAX, &s), 0);
	struct slice_info si = check_slice(&s);
	ck_assert_int_eq(si.batches, 300);
	ck_assert_int_eq(si.next, log_end_offset(log));
	ck_assert_int_eq(s.len, log_size_bytes(log));
	/* at the LEO: nothing, beyond it or below start: out of range */
	ck_assert_int_eq(log_read(log, log_end_offset(log), 100, INT64_MAX, &s), 0);
	ck_assert_int_eq(s.len, 0);
	ck_assert_int_eq(log_read(log, log_end_offset(log) + 1, 100, INT64_MAX, &s), -ERANGE);
	ck_assert_int_eq(log_read(log, -1, 100, INT64_MAX, &s), -ERANGE);
	log_close(log);
}
END_TEST

/* Reads a few batches behind the end (followers, tailing consumers) find
 * their position in the tail ring, without reading a batch header from the
 * file; reads further back walk from the offset index as before, and both
 * stay right across truncation, appends after it and a reopen. */
static void check_tail_reads(struct partition_log *log, int64_t tail_from)
{
	uint64_t before = seg_header_preads();
	for (int64_t o = tail_from; o < log_end_offset(log); o++) {
		struct log_slice s;
		ck_assert_int_eq(log_read(log, o, 1, INT64_MAX, &s), 0);
		ck_assert_int_eq(s.first_offset, o); /* one record per batch */
		ck_assert_int_eq(log_read(log, o, INT32_MAX, log_end_offset(log) - 1, &s), 0);
		ck_assert_int_eq(s.first_offset, o);
	}
	ck_assert_uint_eq(seg_header_preads(), before);
}

START_TEST(test_tail_reads_without_header_io)
{
	struct log_config c = small_cfg(); /* an index entry every 256 bytes */
	c.index_interval_bytes = 4096;     /* Kafka's default: many small batches apart */
	const char *dir = sfx_new_dir();
	struct partition_log *log;
	ck_assert_int_eq(log_open(dir, &c, NULL, &log), 0);
	for (int i = 0; i < 200; i++)
		append_n(log, 1, 60, 1000 + i);
	check_every_offset(log, 0);
	check_tail_reads(log, log_end_offset(log) - (SEG_TAIL - 1));
	uint64_t before = seg_header_preads();
	check_every_offset(log, 0); /* the early offsets still walk the file */
	ck_assert_uint_gt(seg_header_preads(), before);
	/* a follower's truncation drops the cut batches from the ring */
	ck_assert_int_eq(log_truncate_to(log, 190), 0);
	ck_assert_int_eq(log_end_offset(log), 190);
	check_every_offset(log, 0);
	for (int i = 0; i < 5; i++)
		append_n(log, 1, 30, 2000 + i);
	check_every_offset(log, 150);
	check_tail_reads(log, 180);
	log_close(log);
	/* reopened, the ring holds what the open walked: from the last index
	 * entry to the end, so at least the newest batch */
	ck_assert_int_eq(log_open(dir, &c, NULL, &log), 0);
	check_every_offset(log, 0);
	check_tail_reads(log, log_end_offset(log) - 1);
	append_n(log, 1, 30, 3000);
	check_tail_reads(log, log_end_offset(log) - 2);
	log_close(log);
}
END_TEST

START_TEST(test_index_correct_after_reopen)
{
	const char *d = sfx_new_dir();
	char dir[128];
	snprintf(dir, sizeof dir, "%s", d);
	struct log_config c = small_cfg();
	c.index_interval_bytes = 100;
	struct partition_log *log;
	ck_assert_int_eq(log_open(dir, &c, NULL, &log), 0);
	for (int i = 0; i < 200; i++)
		append_n(log, 1 + i % 3, 40, 5000 + i);
	int64_t leo = log_end_offset(log);
	log_close(log);

	/* The index on disk: sorted entries, each naming the batch at its position. */
	off_t isz = file_size(dir, 0, ".index");
	ck_assert_int_gt(isz, 8 * 10);
	ck_assert_int_eq(isz % 8, 0);
	char p[256];
	snprintf(p, sizeof p, "%s/%020d.index", dir, 0);
	int ifd = open(p, O_RDONLY);
	snprintf(p, sizeof p, "%s/%020d.log", dir, 0);
	int lfd = open(p, O_RDONLY);
	uint32_t prev_rel = 0;
	for (off_t e = 0; e < isz; e += 8) {
		uint8_t ent[8], hdr[RB_HEADER_SIZE];
		ck_assert_int_eq(pread(ifd, ent, 8, e), 8);
		uint32_t rel = (uint32_t)ent[0] << 24 | ent[1] << 16 | ent[2] << 8 | ent[3];
		uint32_t pos = (uint32_t)ent[4] << 24 | ent[5] << 16 | ent[6] << 8 | ent[7];
		ck_assert_uint_gt(rel, prev_rel);
		prev_rel = rel;
		ck_assert_int_eq(pread(lfd, hdr, sizeof hdr, pos), (ssize_t)sizeof hdr);
		struct rb_header h;
		rb_parse_header(hdr, sizeof hdr, &h);
		ck_assert_int_eq(h.base_offset, rel);
	}
	close(ifd);
	close(lfd);

	ck_assert_int_eq(log_open(dir, &c, NULL, &log), 0);
	ck_assert_int_eq(log_end_offset(log), leo);
	check_every_offset(log, 0);
	ck_assert_int_eq(append_n(log, 2, 40, 9000), leo);
	log_close(log);

	/* A damaged index (entries past the file, garbage) is rebuilt. */
	snprintf(p, sizeof p, "%s/%020d.index", dir, 0);
	int fd = open(p, O_WRONLY | O_APPEND);
	uint8_t junk[16] = { 0, 0, 0x7f, 0, 0x7f, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8 };
	ck_assert_int_eq(write(fd, junk, sizeof junk), 16);
	close(fd);
	ck_assert_int_eq(log_open(dir, &c, NULL, &log), 0);
	ck_assert_int_eq(log_end_offset(log), leo + 2);
	check_every_offset(log, 0);
	log_close(log);
}
END_TEST

START_TEST(test_roll_by_size)
{
	const char *dir = sfx_new_dir();
	struct log_config c = small_cfg();
	c.segment_bytes = 1000;
	struct partition_log *log;
	ck_assert_int_eq(log_open(dir, &c, NULL, &log), 0);
	for (int i = 0; i < 40; i++)
		append_n(log, 2, 50, 1000 + i); /* ~ 200 bytes each */
	int segs = count_files(dir, ".log");
	ck_assert_int_ge(segs, 8);
	/* each segment <= segment_bytes */
	for (int64_t o = 0; o < log_end_offset(log); o += 2) {
		struct log_slice s;
		ck_assert_int_eq(log_read(log, o, INT32_MAX, INT64_MAX, &s), 0);
		ck_assert_int_le(s.pos + s.len, 1000);
		struct slice_info si = check_slice(&s);
		ck_assert_int_eq(si.first, o); /* batches of 2 start at even offsets */
		ck_assert_int_ge(si.batches, 1);
	}
	check_every_offset(log, 0);
	log_close(log);
	ck_assert_int_eq(log_open(dir, &c, NULL, &log), 0);
	ck_assert_int_eq(log_end_offset(log), 80);
	check_every_offset(log, 0);
	log_close(log);
}
END_TEST

START_TEST(test_roll_when_index_full)
{
	const char *dir = sfx_new_dir();
	struct log_config c = small_cfg();
	c.index_interval_bytes = 0; /* an entry for every batch after the first */
	c.segment_index_bytes = 48; /* 6 offset entries, 4 time entries */
	struct partition_log *log;
	ck_assert_int_eq(log_open(dir, &c, NULL, &log), 0);
	for (int i = 0; i < 30; i++)
		append_n(log, 1, 10, 1000 + i);
	ck_assert_int_ge(count_files(dir, ".log"), 5);
	check_every_offset(log, 0);
	log_close(log);
}
END_TEST

START_TEST(test_roll_by_time)
{
	const char *dir = sfx_new_dir();
	struct log_config c = small_cfg();
	c.roll_ms = 10000;
	struct partition_log *log;
	ck_assert_int_eq(log_open(dir, &c, NULL, &log), 0);
	int64_t now = clock_wall_ms();
	log_tick(log, now + 20000); /* empty active segment: no roll */
	ck_assert_int_eq(count_files(dir, ".log"), 1);
	append_n(log, 3, 10, now);
	log_tick(log, now + 5000);
	ck_assert_int_eq(count_files(dir, ".log"), 1);
	log_tick(log, now + 10500);
	ck_assert_int_eq(count_files(dir, ".log"), 2);
	ck_assert_int_eq(file_size(dir, 3, ".log"), 0);
	append_n(log, 1, 10, now);
	ck_assert_int_gt(file_size(dir, 3, ".log"), 0);
	check_every_offset(log, 0);
	log_close(log);
}
END_TEST

/* Segments of 2 batches each with timestamps base + 1000*i. */
static struct partition_log *log_with_segments(const char *dir, struct log_config *c,
					       int batches, int64_t t0)
{
	struct partition_log *log;
	c->segment_bytes = 450; /* two ~200-byte batches per segment */
	ck_assert_int_eq(log_open(dir, c, NULL, &log), 0);
	for (int i = 0; i < batches; i++)
		append_n(log, 2, 60, t0 + 1000 * i);
	return log;
}

START_TEST(test_retention_by_time)
{
	const char *dir = sfx_new_dir();
	struct log_config c = small_cfg();
	c.retention_ms = 5000;
	int64_t t0 = 1000000;
	struct partition_log *log = log_with_segments(dir, &c, 20, t0);
	int segs = count_files(dir, ".log");
	ck_assert_int_eq(segs, 10);
	/* segment k holds batches 2k, 2k+1: max ts t0 + 1000*(2k+1) */
	log_tick(log, t0 + 1000 * 5 + 5000); /* deletes segments whose max < t0+5000 */
	ck_assert_int_eq(count_files(dir, ".log"), 8);
	ck_assert_int_eq(log_start_offset(log), 8); /* 2 segments * 2 batches * 2 */
	struct log_slice s;
	ck_assert_int_eq(log_read(log, 7, 100, INT64_MAX, &s), -ERANGE);
	ck_assert_int_eq(log_read(log, 8, 100, INT64_MAX, &s), 0);
	ck_assert_int_eq(check_slice(&s).first, 8);
	/* Far in the future: everything but the active segment goes. */
	log_tick(log, t0 + 10000000);
	ck_assert_int_eq(count_files(dir, ".log"), 1);
	ck_assert_int_eq(log_start_offset(log), 36);
	ck_assert_int_eq(log_end_offset(log), 40);
	check_every_offset(log, 36);
	log_close(log);
	ck_assert_int_eq(log_open(dir, &c, NULL, &log), 0);
	ck_assert_int_eq(log_start_offset(log), 36);
	ck_assert_int_eq(log_end_offset(log), 40);
	log_close(log);
}
END_TEST

START_TEST(test_retention_by_bytes)
{
	const char *dir = sfx_new_dir();
	struct log_config c = small_cfg();
	c.retention_ms = -1;
	struct partition_log *log = log_with_segments(dir, &c, 20, clock_wall_ms());
	int64_t total = log_size_bytes(log);
	ck_assert_int_eq(count_files(dir, ".log"), 10);
	log_close(log);
	c.retention_bytes = total / 2 + 10;
	ck_assert_int_eq(log_open(dir, &c, NULL, &log), 0);
	log_tick(log, clock_wall_ms());
	int64_t start = log_start_offset(log);
	ck_assert_int_gt(start, 0);
	/* deleted while total - oldest >= limit: now total >= limit > total - oldest */
	ck_assert_int_ge(log_size_bytes(log), c.retention_bytes);
	ck_assert_int_lt(log_size_bytes(log) - file_size(dir, start, ".log"), c.retention_bytes);
	ck_assert_int_eq(file_size(dir, 0, ".log"), -1);
	check_every_offset(log, start);
	/* a limit of 0 still keeps the active segment */
	log_close(log);
	c.retention_bytes = 0;
	ck_assert_int_eq(log_open(dir, &c, NULL, &log), 0);
	log_tick(log, clock_wall_ms());
	ck_assert_int_eq(count_files(dir, ".log"), 1);
	ck_assert_int_eq(log_end_offset(log), 40);
	append_n(log, 1, 10, clock_wall_ms());
	ck_assert_int_eq(log_end_offset(log), 41);
	log_close(log);
}
END_TEST


/* Position and size of the batch holding offset o. */
static struct log_slice batch_at(struct partition_log *log, int64_t o)
{
	struct log_slice s;
	ck_assert_int_eq(log_read(log, o, 1, INT64_MAX, &s), 0);
	ck_assert_int_gt(s.len, 0);
	return s;
}

static void flip_byte(const char *dir, int64_t seg_base, int64_t pos)
{
	char p[256];
	snprintf(p, sizeof p, "%s/%020lld.log", dir, (long long)seg_base);
	int fd = open(p, O_RDWR);
	ck_assert_int_ge(fd, 0);
	uint8_t b;
	ck_assert_int_eq(pread(fd, &b, 1, pos), 1);
	b ^= 0x10;
	ck_assert_int_eq(pwrite(fd, &b, 1, pos), 1);
	close(fd);
}

/* After recovery: the LEO is where expected, everything before it reads
 * back, and appends continue there and survive another unclean reopen. */
static void check_recovered(const char *dir, struct log_config *c, int64_t want_leo)
{
	struct partition_log *log;
	ck_assert_int_eq(log_open(dir, c, NULL, &log), 0);
	ck_assert_int_eq(log_end_offset(log), want_leo);
	check_every_offset(log, log_start_offset(log));
	ck_assert_int_eq(append_n(log, 2, 30, 7000), want_leo);
	log_abandon(log);
	ck_assert_int_eq(log_open(dir, c, NULL, &log), 0);
	ck_assert_int_eq(log_end_offset(log), want_leo + 2);
	check_every_offset(log, log_start_offset(log));
	log_close(log);
}

START_TEST(test_recovery_torn_write_fault)
{
	const char *dir = sfx_new_dir();
	struct log_config c = small_cfg();
	struct partition_log *log;
	ck_assert_int_eq(log_open(dir, &c, NULL, &log), 0);
	for (int i = 0; i < 50; i++)
		append_n(log, 3, 40, 5000 + i);
	int64_t size = log_size_bytes(log);
	/* the second segment write is torn after 37 bytes: a crash mid-write */
	ck_assert_int_eq(failpoint_set("storage.segment.write", "1*off->1*torn(37)"), 0);
	append_n(log, 1, 40, 6000); /* the first write still succeeds */
	uint8_t buf[4096];
	size_t len = make_batch(buf, sizeof buf, 4, 40, 6001);
	int64_t base;
	ck_assert_int_eq(log_append(log, buf, len, 3, &base), -EIO);
	size_t one = make_batch(buf, sizeof buf, 1, 40, 6000);
	ck_assert_int_eq(file_size(dir, 0, ".log"), size + (off_t)one + 37);
	log_abandon(log); /* the process "died" mid-write */
	check_recovered(dir, &c, 151);
	ck_assert_int_eq(file_size(dir, 0, ".log"), size + (off_t)one + (off_t)make_batch(buf, sizeof buf, 2, 30, 7000));
}
END_TEST

START_TEST(test_recovery_truncated_file)
{
	const char *dir = sfx_new_dir();
	struct log_config c = small_cfg();
	struct partition_log *log;
	ck_assert_int_eq(log_open(dir, &c, NULL, &log), 0);
	for (int i = 0; i < 40; i++)
		append_n(log, 2, 40, 5000 + i);
	ck_assert_int_eq(log_flush(log), 0); /* recovery point 80 ... */
	ck_assert_int_eq(log_checkpoint(log), 0); /* ... in the file too ... */
	for (int i = 0; i < 10; i++)
		append_n(log, 2, 40, 6000 + i); /* ... then 20 more, unsynced */
	off_t sz = file_size(dir, 0, ".log");
	log_abandon(log);
	char p[256];
	snprintf(p, sizeof p, "%s/%020d.log", dir, 0);
	ck_assert_int_eq(truncate(p, sz - 7), 0); /* the last batch lost 7 bytes */
	check_recovered(dir, &c, 98);
	/* A cut into the middle of a header is handled as well. */
	ck_assert_int_eq(log_open(dir, &c, NULL, &log), 0);
	struct log_slice last = batch_at(log, log_end_offset(log) - 1);
	int64_t leo = log_end_offset(log);
	log_abandon(log);
	ck_assert_int_eq(truncate(p, last.pos + 20), 0);
	check_recovered(dir, &c, leo - 2);
}
END_TEST

START_TEST(test_recovery_bit_flip_in_tail)
{
	const char *dir = sfx_new_dir();
	struct log_config c = small_cfg();
	struct partition_log *log;
	ck_assert_int_eq(log_open(dir, &c, NULL, &log), 0);
	for (int i = 0; i < 30; i++)
		append_n(log, 4, 40, 5000 + i);
	struct log_slice last = batch_at(log, 119);
	ck_assert_int_eq(last.first_offset, 116);
	log_abandon(log);
	flip_byte(dir, 0, last.pos + last.len - 5); /* inside a record value */
	check_recovered(dir, &c, 116);
}
END_TEST

START_TEST(test_recovery_corrupt_middle_segment)
{
	const char *dir = sfx_new_dir();
	struct log_config c = small_cfg();
	struct partition_log *log = log_with_segments(dir, &c, 20, 1000000);
	ck_assert_int_eq(count_files(dir, ".log"), 10);
	struct log_slice mid = batch_at(log, 22); /* segment 20, second batch */
	ck_assert_int_eq(mid.first_offset, 22);
	log_close(log);
	/* Corruption below a clean shutdown is not looked for; after an unclean
	 * one (no marker) the rescan finds it. */
	char p[256];
	snprintf(p, sizeof p, "%s/clean-shutdown", dir);
	ck_assert_int_eq(unlink(p), 0);
	snprintf(p, sizeof p, "%s/recovery-point", dir);
	ck_assert_int_eq(unlink(p), 0);
	flip_byte(dir, 20, mid.pos + 30); /* inside the CRC-covered header */
	ck_assert_int_eq(log_open(dir, &c, NULL, &log), 0);
	ck_assert_int_eq(log_end_offset(log), 22);
	ck_assert_int_eq(count_files(dir, ".log"), 6);
	ck_assert_int_eq(file_size(dir, 22, ".log"), -1);
	check_every_offset(log, 0);
	ck_assert_int_eq(append_n(log, 2, 60, 2000000), 22);
	log_close(log);
	check_recovered(dir, &c, 24);
}
END_TEST

START_TEST(test_fetch_max_bytes_kip74)
{
	const char *dir = sfx_new_dir();
	struct log_config c = small_cfg();
	struct partition_log *log;
	ck_assert_int_eq(log_open(dir, &c, NULL, &log), 0);
	for (int i = 0; i < 100; i++)
		append_n(log, 2, 100, 5000 + i);
	int32_t bsz = batch_at(log, 0).len;
	struct log_slice s;
	/* smaller than one batch: still exactly one whole batch */
	ck_assert_int_eq(log_read(log, 10, 1, INT64_MAX, &s), 0);
	ck_assert_int_eq(s.len, bsz);
	ck_assert_int_eq(s.first_offset, 10);
	/* 2.5 batches: two whole ones, never a partial tail */
	ck_assert_int_eq(log_read(log, 11, bsz * 5 / 2, INT64_MAX, &s), 0);
	ck_assert_int_eq(s.len, 2 * bsz);
	ck_assert_int_eq(s.first_offset, 10);
	ck_assert_int_eq(check_slice(&s).batches, 2);
	/* a large cap far into the log walks via the index */
	ck_assert_int_eq(log_read(log, 3, bsz * 40 + 7, INT64_MAX, &s), 0);
	ck_assert_int_eq(s.len, 40 * bsz);
	ck_assert_int_eq(check_slice(&s).next, 82);
	log_close(log);
}
END_TEST

START_TEST(test_fetch_max_offset_cap)
{
	const char *dir = sfx_new_dir();
	struct log_config c = small_cfg();
	struct partition_log *log;
	ck_assert_int_eq(log_open(dir, &c, NULL, &log), 0);
	for (int i = 0; i < 100; i++)
		append_n(log, 3, 50, 5000 + i);
	struct log_slice s;
	ck_assert_int_eq(log_read(log, 0, INT32_MAX, 150, &s), 0);
	struct slice_info si = check_slice(&s);
	ck_assert_int_eq(si.next, 150);
	/* max_offset inside a batch: that batch is not served */
	ck_assert_int_eq(log_read(log, 4, INT32_MAX, 152, &s), 0);
	si = check_slice(&s);
	ck_assert_int_eq(si.first, 3);
	ck_assert_int_eq(si.next, 150);
	ck_assert_int_eq(log_read(log, 151, INT32_MAX, 152, &s), 0);
	ck_assert_int_eq(s.len, 0);
	ck_assert_int_eq(log_read(log, 150, INT32_MAX, 150, &s), 0);
	ck_assert_int_eq(s.len, 0);
	/* max_offset cap combined with max_bytes */
	ck_assert_int_eq(log_read(log, 0, 1, 150, &s), 0);
	ck_assert_int_eq(check_slice(&s).batches, 1);
	log_close(log);
}
END_TEST

START_TEST(test_truncate_to_for_followers)
{
	const char *dir = sfx_new_dir();
	struct log_config c = small_cfg();
	struct partition_log *log = log_with_segments(dir, &c, 20, 1000000);
	ck_assert_int_eq(log_flush(log), 0);
	/* mid-batch offset: cut at the batch boundary below it */
	ck_assert_int_eq(log_truncate_to(log, 27), 0);
	ck_assert_int_eq(log_end_offset(log), 26);
	ck_assert_int_eq(file_size(dir, 28, ".log"), -1);
	ck_assert_int_eq(file_size(dir, 24, ".log"), (off_t)batch_at(log, 24).len);
	check_every_offset(log, 0);
	/* exactly on a segment base: that segment goes entirely */
	ck_assert_int_eq(log_truncate_to(log, 24), 0);
	ck_assert_int_eq(log_end_offset(log), 24);
	ck_assert_int_eq(file_size(dir, 24, ".log"), -1);
	ck_assert_int_eq(append_n(log, 2, 60, 1000000), 24);
	ck_assert_int_eq(log_truncate_to(log, 100), 0); /* above the LEO: no-op */
	ck_assert_int_eq(log_end_offset(log), 26);
	log_abandon(log); /* offsets stay right after an unclean reopen */
	ck_assert_int_eq(log_open(dir, &c, NULL, &log), 0);
	ck_assert_int_eq(log_end_offset(log), 26);
	check_every_offset(log, 0);
	ck_assert_int_eq(log_truncate_to(log, 0), 0);
	ck_assert_int_eq(log_end_offset(log), 0);
	ck_assert_int_eq(count_files(dir, ".log"), 1);
	ck_assert_int_eq(append_n(log, 1, 10, 5), 0);
	log_close(log);
}
END_TEST

START_TEST(test_write_error_leaves_nothing_partial)
{
	const char *dir = sfx_new_dir();
	struct log_config c = small_cfg();
	struct partition_log *log;
	ck_assert_int_eq(log_open(dir, &c, NULL, &log), 0);
	for (int i = 0; i < 5; i++)
		append_n(log, 2, 100, 5000 + i);
	off_t sz = file_size(dir, 0, ".log");
	/* The file size limit makes the kernel write part of the batch and
	 * then fail with EFBIG: a real short write. */
	/* No ck_assert while the limit is on: Check's own message file would
	 * hit it too. */
	signal(SIGXFSZ, SIG_IGN);
	uint8_t buf[4096];
	size_t len = make_batch(buf, sizeof buf, 2, 100, 6000);
	struct rlimit rl = { (rlim_t)sz + 50, RLIM_INFINITY };
	int lim = setrlimit(RLIMIT_FSIZE, &rl);
	int64_t base;
	int rc = log_append(log, buf, len, 3, &base);
	off_t after = file_size(dir, 0, ".log");
	rl.rlim_cur = RLIM_INFINITY;
	int unlim = setrlimit(RLIMIT_FSIZE, &rl);
	ck_assert_int_eq(lim, 0);
	ck_assert_int_eq(unlim, 0);
	ck_assert_int_eq(rc, -EFBIG);
	ck_assert_int_eq(after, sz);
	ck_assert_int_eq(log_end_offset(log), 10);
	ck_assert_int_eq(append_n(log, 2, 100, 6000), 10);
	check_every_offset(log, 0);
	log_close(log);
}
END_TEST

START_TEST(test_offset_for_time)
{
	const char *dir = sfx_new_dir();
	struct log_config c = small_cfg();
	struct partition_log *log = log_with_segments(dir, &c, 40, 1000000);
	int64_t ts;
	ck_assert_int_eq(log_offset_for_time(log, 0, &ts), 0);
	ck_assert_int_eq(ts, 1000000);
	ck_assert_int_eq(log_offset_for_time(log, 1000000 + 17000, &ts), 34);
	ck_assert_int_eq(ts, 1000000 + 17000);
	ck_assert_int_eq(log_offset_for_time(log, 1000000 + 17001, &ts), 36);
	ck_assert_int_eq(log_offset_for_time(log, 1000000 + 39000, &ts), 78);
	ck_assert_int_eq(log_offset_for_time(log, 1000000 + 39001, &ts), -1);
	log_close(log);
	ck_assert_int_eq(log_open(dir, &c, NULL, &log), 0);
	ck_assert_int_eq(log_offset_for_time(log, 1000000 + 25500, &ts), 52);
	ck_assert_int_eq(ts, 1000000 + 26000);
	log_close(log);
}
END_TEST

/* ListOffsets v0 (Kafka's legacyFetchOffsetsBefore) and MAX_TIMESTAMP. */
START_TEST(test_legacy_offsets_and_max_timestamp)
{
	const char *dir = sfx_new_dir();
	struct log_config c = small_cfg();
	struct partition_log *log = log_with_segments(dir, &c, 20, 1000000);
	/* 10 segments of offsets 4k..4k+3: bases 0..36, then the log end 40 */
	int64_t out[32];
	int64_t now = clock_wall_ms();
	ck_assert_int_eq(log_legacy_offsets(log, -1, 3, now, out, 32), 3);
	ck_assert_int_eq(out[0], 40);
	ck_assert_int_eq(out[1], 36);
	ck_assert_int_eq(out[2], 32);
	ck_assert_int_eq(log_legacy_offsets(log, -1, 100, now, out, 32), 11);
	for (int i = 0; i < 11; i++)
		ck_assert_int_eq(out[i], 40 - 4 * i);
	ck_assert_int_eq(log_legacy_offsets(log, -2, 5, now, out, 32), 1);
	ck_assert_int_eq(out[0], 0);
	/* by time: segment files' mtimes (all just written) */
	ck_assert_int_eq(log_legacy_offsets(log, now + 3600000, 2, now, out, 32), 2);
	ck_assert_int_eq(out[0], 40);
	ck_assert_int_eq(log_legacy_offsets(log, 1, 2, now, out, 32), 0);
	ck_assert_int_eq(log_legacy_offsets(log, -1, 0, now, out, 32), 0);
	/* the log start raises the first base */
	ck_assert_int_eq(log_advance_start_offset(log, 2), 0);
	ck_assert_int_eq(log_legacy_offsets(log, -2, 1, now, out, 32), 1);
	ck_assert_int_eq(out[0], 2);
	int64_t ts;
	ck_assert_int_eq(log_max_timestamp_batch(log, &ts), 38);
	ck_assert_int_eq(ts, 1000000 + 19000);
	log_close(log);
	/* an empty log has none */
	ck_assert_int_eq(log_open(sfx_new_dir(), &c, NULL, &log), 0);
	ck_assert_int_eq(log_max_timestamp_batch(log, &ts), -1);
	ck_assert_int_eq(ts, -1);
	ck_assert_int_eq(log_legacy_offsets(log, -1, 5, now, out, 32), 1);
	ck_assert_int_eq(out[0], 0);
	log_close(log);
}
END_TEST

/* Big-endian 32-bit store, then the batch CRC made right again, so that a
 * test reaches the checks behind the CRC. */
static void put32_recrc(uint8_t *b, size_t len, size_t at, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		b[at + (size_t)i] = (uint8_t)(v >> (24 - 8 * i));
	uint32_t crc = crc32c(0, b + 21, len - 21);
	for (int i = 0; i < 4; i++)
		b[17 + i] = (uint8_t)(crc >> (24 - 8 * i));
}

/* A follower checks a replicated batch's framing, counts and CRC but not
 * each record (its leader validated them): garbage records under a valid
 * CRC pass the follower's check and fail the full one; a bad CRC, a cut
 * batch or contradicting counts fail both. */
START_TEST(test_replica_batch_check)
{
	uint8_t buf[4096], bad[4096];
	struct rb_header h;
	size_t len = make_batch(buf, sizeof buf, 3, 20, 1000);
	ck_assert_int_eq(seg_validate_replica_batch(buf, len, &h), 0);
	ck_assert_int_eq(h.records_count, 3);
	ck_assert_int_eq(seg_validate_batch(buf, len, &h), 0);
	ck_assert_int_eq(seg_validate_replica_batch(buf, len - 1, &h), KERR_CORRUPT_MESSAGE);
	memcpy(bad, buf, len);
	bad[len - 1] ^= 1;
	ck_assert_int_eq(seg_validate_replica_batch(bad, len, &h), KERR_CORRUPT_MESSAGE);
	/* the first record's length varint made wrong, CRC recomputed */
	memcpy(bad, buf, len);
	bad[RB_HEADER_SIZE] = 0x7e;
	put32_recrc(bad, len, RB_HEADER_SIZE - 4, 3); /* records_count unchanged */
	ck_assert_int_eq(seg_validate_replica_batch(bad, len, &h), 0);
	ck_assert_int_ne(seg_validate_batch(bad, len, &h), 0);
	/* more records than offsets */
	memcpy(bad, buf, len);
	put32_recrc(bad, len, RB_HEADER_SIZE - 4, 4);
	ck_assert_int_eq(seg_validate_replica_batch(bad, len, &h), KERR_INVALID_RECORD);
	put32_recrc(bad, len, RB_HEADER_SIZE - 4, 0);
	ck_assert_int_eq(seg_validate_replica_batch(bad, len, &h), KERR_INVALID_RECORD);
}
END_TEST

START_TEST(test_append_replica_keeps_offsets)
{
	struct log_config c = small_cfg();
	struct partition_log *leader, *follower;
	ck_assert_int_eq(log_open(sfx_new_dir(), &c, NULL, &leader), 0);
	ck_assert_int_eq(log_open(sfx_new_dir(), &c, NULL, &follower), 0);
	for (int i = 0; i < 30; i++)
		append_n(leader, 1 + i % 4, 30, 5000 + i);
	struct log_slice s;
	ck_assert_int_eq(log_read(leader, 0, 1000, INT64_MAX, &s), 0);
	uint8_t *buf = malloc((size_t)s.len + 30);
	ck_assert_int_eq(pread(s.fd, buf, (size_t)s.len + 30, s.pos), s.len + 30);
	/* a trailing partial batch (as a cut fetch would carry) is ignored */
	ck_assert_int_eq(log_append_replica(follower, buf, (size_t)s.len + 30), 0);
	struct slice_info si = check_slice(&s);
	ck_assert_int_eq(log_end_offset(follower), si.next);
	/* not starting at the LEO, or corrupt: refused, nothing appended */
	ck_assert_int_eq(log_append_replica(follower, buf, (size_t)s.len), -EINVAL);
	free(buf);
	ck_assert_int_eq(log_read(leader, si.next, INT32_MAX, INT64_MAX, &s), 0);
	buf = malloc((size_t)s.len);
	ck_assert_int_eq(pread(s.fd, buf, (size_t)s.len, s.pos), s.len);
	buf[s.len - 1] ^= 1;
	ck_assert_int_eq(log_append_replica(follower, buf, (size_t)s.len), -EINVAL);
	ck_assert_int_eq(log_end_offset(follower), si.next);
	buf[s.len - 1] ^= 1;
	ck_assert_int_eq(log_append_replica(follower, buf, (size_t)s.len), 0);
	ck_assert_int_eq(log_end_offset(follower), log_end_offset(leader));
	ck_assert_int_eq(log_size_bytes(follower), log_size_bytes(leader));
	check_every_offset(follower, 0);
	free(buf);
	log_close(leader);
	log_close(follower);
}
END_TEST

START_TEST(test_flush_policy_moves_recovery_point)
{
	const char *dir = sfx_new_dir();
	struct log_config c = small_cfg();
	c.flush_interval_messages = 10;
	c.flush_interval_ms = 60000;
	struct partition_log *log;
	ck_assert_int_eq(log_open(dir, &c, NULL, &log), 0);
	ck_assert_int_eq(sfx_read_rp(dir), 0);
	for (int i = 0; i < 4; i++)
		append_n(log, 3, 10, 5000);
	/* the 4th batch crossed 10 messages: flushed; the file follows at
	 * the next checkpoint (the first move after open: the next tick) */
	ck_assert_int_eq(log_recovery_point(log), 12);
	ck_assert_int_eq(sfx_read_rp(dir), 0);
	append_n(log, 3, 10, 5000);
	ck_assert_int_eq(log_recovery_point(log), 12);
	int64_t now = clock_wall_ms();
	log_tick(log, now + 1000);
	ck_assert_int_eq(sfx_read_rp(dir), 12);
	log_tick(log, now + 61000);
	ck_assert_int_eq(sfx_read_rp(dir), 15);
	log_close(log);
	ck_assert_int_eq(sfx_read_rp(dir), 15);
}
END_TEST

/* After a crash only what reaches the recovery point is validated again:
 * a flipped byte in a batch below it (fsynced before the point passed it)
 * is not read, one above it cuts the log there; opening does not move the
 * point (no flush at start-up), a later flush does. */
START_TEST(test_recovery_starts_at_recovery_point)
{
	const char *dir = sfx_new_dir();
	struct log_config c = small_cfg();
	c.segment_bytes = 1 << 20; /* one segment: the rescan is within it */
	struct partition_log *log;
	ck_assert_int_eq(log_open(dir, &c, NULL, &log), 0);
	for (int i = 0; i < 20; i++)
		append_n(log, 2, 40, 5000 + i);
	ck_assert_int_eq(log_flush(log), 0); /* recovery point 40 */
	ck_assert_int_eq(log_checkpoint(log), 0);
	for (int i = 0; i < 5; i++)
		append_n(log, 2, 40, 6000 + i); /* 40..49, unsynced */
	struct log_slice below = batch_at(log, 10), above = batch_at(log, 44);
	ck_assert_int_eq(above.first_offset, 44);
	log_abandon(log);
	ck_assert_int_eq(sfx_read_rp(dir), 40);

	flip_byte(dir, 0, below.pos + below.len - 5); /* a record value */
	ck_assert_int_eq(log_open(dir, &c, NULL, &log), 0);
	ck_assert_int_eq(log_end_offset(log), 50);
	log_abandon(log);
	ck_assert_int_eq(sfx_read_rp(dir), 40);
	flip_byte(dir, 0, below.pos + below.len - 5); /* restored */

	flip_byte(dir, 0, above.pos + above.len - 5);
	ck_assert_int_eq(log_open(dir, &c, NULL, &log), 0);
	ck_assert_int_eq(log_end_offset(log), 44);
	check_every_offset(log, 0);
	ck_assert_int_eq(sfx_read_rp(dir), 40);
	ck_assert_int_eq(file_size(dir, 0, ".log"), above.pos);
	ck_assert_int_eq(log_flush(log), 0); /* the recovered part is synced now */
	ck_assert_int_eq(log_recovery_point(log), 44);
	ck_assert_int_eq(sfx_read_rp(dir), 40);
	ck_assert_int_eq(log_checkpoint(log), 0);
	ck_assert_int_eq(sfx_read_rp(dir), 44);
	log_abandon(log);
	check_recovered(dir, &c, 44);
}
END_TEST

/* The recovery point inside a segment that is not the last: its batches
 * below the point are trusted, the first one reaching it is checked, and a
 * bad one there cuts the log and drops the segments after it. */
START_TEST(test_recovery_point_mid_segment)
{
	const char *dir = sfx_new_dir();
	struct log_config c = small_cfg();
	struct partition_log *log = log_with_segments(dir, &c, 9, 1000000); /* 0..17 */
	ck_assert_int_eq(log_flush(log), 0); /* recovery point 18, in segment 16 */
	ck_assert_int_eq(log_checkpoint(log), 0);
	for (int i = 0; i < 3; i++)
		append_n(log, 2, 60, 2000000 + i); /* 18..19 in segment 16, 20..23 in 20 */
	struct log_slice below = batch_at(log, 16), above = batch_at(log, 18);
	ck_assert_int_eq(above.first_offset, 18);
	ck_assert_int_eq(file_size(dir, 18, ".log"), -1); /* 16 and 18 share a segment */
	ck_assert_int_eq(file_size(dir, 20, ".log") > 0, 1);
	log_abandon(log);

	flip_byte(dir, 16, below.pos + below.len - 5);
	ck_assert_int_eq(log_open(dir, &c, NULL, &log), 0);
	ck_assert_int_eq(log_end_offset(log), 24);
	log_abandon(log);
	flip_byte(dir, 16, below.pos + below.len - 5); /* restored */

	flip_byte(dir, 16, above.pos + above.len - 5);
	ck_assert_int_eq(log_open(dir, &c, NULL, &log), 0);
	ck_assert_int_eq(log_end_offset(log), 18);
	ck_assert_int_eq(file_size(dir, 20, ".log"), -1);
	check_every_offset(log, 0);
	log_abandon(log);
	check_recovered(dir, &c, 18);
}
END_TEST

/* A recovery point past what survived (data below it lost after all) is
 * pulled back to the recovered end at once, so offsets written there again
 * are validated after the next crash. */
START_TEST(test_recovery_point_past_end)
{
	const char *dir = sfx_new_dir();
	struct log_config c = small_cfg();
	c.segment_bytes = 1 << 20;
	struct partition_log *log;
	ck_assert_int_eq(log_open(dir, &c, NULL, &log), 0);
	for (int i = 0; i < 10; i++)
		append_n(log, 2, 40, 5000 + i);
	ck_assert_int_eq(log_flush(log), 0);
	ck_assert_int_eq(log_checkpoint(log), 0);
	off_t sz = file_size(dir, 0, ".log");
	log_abandon(log);
	char p[256];
	snprintf(p, sizeof p, "%s/%020d.log", dir, 0);
	ck_assert_int_eq(truncate(p, sz - 7), 0);
	ck_assert_int_eq(sfx_read_rp(dir), 20);
	ck_assert_int_eq(log_open(dir, &c, NULL, &log), 0);
	ck_assert_int_eq(log_end_offset(log), 18);
	ck_assert_int_eq(sfx_read_rp(dir), 18);
	log_abandon(log);
	check_recovered(dir, &c, 18);
}
END_TEST

int main(void)
{
	if (sfx_setup("storage") < 0)
		return 1;
	log_set_level(LOG_WARN);
	Suite *s = suite_create("storage");
	TCase *tc = tcase_create("log");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_append_read_many_batches);
	tcase_add_test(tc, test_tail_reads_without_header_io);
	tcase_add_test(tc, test_index_correct_after_reopen);
	tcase_add_test(tc, test_roll_by_size);
	tcase_add_test(tc, test_roll_when_index_full);
	tcase_add_test(tc, test_roll_by_time);
	tcase_add_test(tc, test_retention_by_time);
	tcase_add_test(tc, test_retention_by_bytes);
	tcase_add_test(tc, test_recovery_torn_write_fault);
	tcase_add_test(tc, test_recovery_truncated_file);
	tcase_add_test(tc, test_recovery_bit_flip_in_tail);
	tcase_add_test(tc, test_recovery_corrupt_middle_segment);
	tcase_add_test(tc, test_fetch_max_bytes_kip74);
	tcase_add_test(tc, test_fetch_max_offset_cap);
	tcase_add_test(tc, test_truncate_to_for_followers);
	tcase_add_test(tc, test_write_error_leaves_nothing_partial);
	tcase_add_test(tc, test_offset_for_time);
	tcase_add_test(tc, test_legacy_offsets_and_max_timestamp);
	tcase_add_test(tc, test_append_replica_keeps_offsets);
	tcase_add_test(tc, test_replica_batch_check);
	tcase_add_test(tc, test_flush_policy_moves_recovery_point);
	tcase_add_test(tc, test_recovery_starts_at_recovery_point);
	tcase_add_test(tc, test_recovery_point_past_end);
	tcase_add_test(tc, test_recovery_point_mid_segment);
	suite_add_tcase(s, tc);
	return sfx_run(s, 0);
}
