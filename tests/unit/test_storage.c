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
#include "common/clock.h"
#include "common/log.h"
#include "common/proto/record_batch.h"

static char root[64];
static int dir_seq;

/* A fresh partition directory path (not created). Tests run in forked
 * children, so the pid keeps the names apart. */
static const char *new_dir(void)
{
	static char p[128];
	snprintf(p, sizeof p, "%s/t%d-%d", root, (int)getpid(), dir_seq++);
	return p;
}

static struct log_config small_cfg(void)
{
	struct log_config c;
	log_config_defaults(&c);
	c.index_interval_bytes = 256;
	return c;
}

/* A batch of n records with `vlen`-byte values and timestamp ts. */
static size_t make_batch(uint8_t *buf, size_t cap, int n, int vlen, int64_t ts)
{
	struct rb_build_record recs[16];
	static uint8_t val[2048];
	ck_assert_int_le(n, 16);
	ck_assert_int_le(vlen, (int)sizeof val);
	for (int i = 0; i < vlen; i++)
		val[i] = (uint8_t)('a' + i % 26);
	for (int i = 0; i < n; i++)
		recs[i] = (struct rb_build_record){ "k", 1, val, vlen };
	int64_t len = rb_build(buf, cap, recs, n, ts, 0, -1, -1, -1);
	ck_assert_int_gt(len, 0);
	return (size_t)len;
}

/* Appends one batch and checks the offset it got. */
static int64_t append_n(struct partition_log *log, int n, int vlen, int64_t ts)
{
	uint8_t buf[40000];
	size_t len = make_batch(buf, sizeof buf, n, vlen, ts);
	int64_t leo = log_end_offset(log), base = -1;
	ck_assert_int_eq(log_append(log, buf, len, 3, &base), 0);
	ck_assert_int_eq(base, leo);
	ck_assert_int_eq(log_end_offset(log), leo + n);
	return base;
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
	ck_assert_int_eq(log_open(new_dir(), &c, &log), 0);
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

START_TEST(test_index_correct_after_reopen)
{
	const char *d = new_dir();
	char dir[128];
	snprintf(dir, sizeof dir, "%s", d);
	struct log_config c = small_cfg();
	c.index_interval_bytes = 100;
	struct partition_log *log;
	ck_assert_int_eq(log_open(dir, &c, &log), 0);
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

	ck_assert_int_eq(log_open(dir, &c, &log), 0);
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
	ck_assert_int_eq(log_open(dir, &c, &log), 0);
	ck_assert_int_eq(log_end_offset(log), leo + 2);
	check_every_offset(log, 0);
	log_close(log);
}
END_TEST

START_TEST(test_roll_by_size)
{
	const char *dir = new_dir();
	struct log_config c = small_cfg();
	c.segment_bytes = 1000;
	struct partition_log *log;
	ck_assert_int_eq(log_open(dir, &c, &log), 0);
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
	ck_assert_int_eq(log_open(dir, &c, &log), 0);
	ck_assert_int_eq(log_end_offset(log), 80);
	check_every_offset(log, 0);
	log_close(log);
}
END_TEST

START_TEST(test_roll_when_index_full)
{
	const char *dir = new_dir();
	struct log_config c = small_cfg();
	c.index_interval_bytes = 0; /* an entry for every batch after the first */
	c.segment_index_bytes = 48; /* 6 offset entries, 4 time entries */
	struct partition_log *log;
	ck_assert_int_eq(log_open(dir, &c, &log), 0);
	for (int i = 0; i < 30; i++)
		append_n(log, 1, 10, 1000 + i);
	ck_assert_int_ge(count_files(dir, ".log"), 5);
	check_every_offset(log, 0);
	log_close(log);
}
END_TEST

START_TEST(test_roll_by_time)
{
	const char *dir = new_dir();
	struct log_config c = small_cfg();
	c.roll_ms = 10000;
	struct partition_log *log;
	ck_assert_int_eq(log_open(dir, &c, &log), 0);
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
	ck_assert_int_eq(log_open(dir, c, &log), 0);
	for (int i = 0; i < batches; i++)
		append_n(log, 2, 60, t0 + 1000 * i);
	return log;
}

START_TEST(test_retention_by_time)
{
	const char *dir = new_dir();
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
	ck_assert_int_eq(log_open(dir, &c, &log), 0);
	ck_assert_int_eq(log_start_offset(log), 36);
	ck_assert_int_eq(log_end_offset(log), 40);
	log_close(log);
}
END_TEST

START_TEST(test_retention_by_bytes)
{
	const char *dir = new_dir();
	struct log_config c = small_cfg();
	c.retention_ms = -1;
	struct partition_log *log = log_with_segments(dir, &c, 20, clock_wall_ms());
	int64_t total = log_size_bytes(log);
	ck_assert_int_eq(count_files(dir, ".log"), 10);
	log_close(log);
	c.retention_bytes = total / 2 + 10;
	ck_assert_int_eq(log_open(dir, &c, &log), 0);
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
	ck_assert_int_eq(log_open(dir, &c, &log), 0);
	log_tick(log, clock_wall_ms());
	ck_assert_int_eq(count_files(dir, ".log"), 1);
	ck_assert_int_eq(log_end_offset(log), 40);
	append_n(log, 1, 10, clock_wall_ms());
	ck_assert_int_eq(log_end_offset(log), 41);
	log_close(log);
}
END_TEST

int main(void)
{
	snprintf(root, sizeof root, "/tmp/gregor-storage-XXXXXX");
	if (!mkdtemp(root))
		return 1;
	log_set_level(LOG_WARN);
	Suite *s = suite_create("storage");
	TCase *tc = tcase_create("log");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_append_read_many_batches);
	tcase_add_test(tc, test_index_correct_after_reopen);
	tcase_add_test(tc, test_roll_by_size);
	tcase_add_test(tc, test_roll_when_index_full);
	tcase_add_test(tc, test_roll_by_time);
	tcase_add_test(tc, test_retention_by_time);
	tcase_add_test(tc, test_retention_by_bytes);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", root);
	if (system(cmd) != 0)
		failed++;
	return failed ? 1 : 0;
}
