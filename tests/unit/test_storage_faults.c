/* Storage under injected faults (common/failpoint.h): disk full on append,
 * on index write and on checkpoint write, EIO from fdatasync, short writes,
 * a corrupt batch in the middle of a segment, garbage checkpoint files. For
 * each: the failing call reports the error, nothing it reported written is
 * lost, nothing it reported failed is visible, and the log works again once
 * the fault is gone (also across an unclean reopen). */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "broker/storage/checkpoint.h"
#include "broker/storage/log.h"
#include "common/failpoint.h"
#include "common/log.h"
#include "common/proto/record_batch.h"
#include "storage_fixture.h"

#define VLEN 40

static struct log_config small_cfg(void)
{
	struct log_config c;
	log_config_defaults(&c);
	c.index_interval_bytes = 256;
	c.segment_bytes = 16 * 1024;
	return c;
}

static const uint8_t *value(void)
{
	static uint8_t val[VLEN];
	for (int i = 0; i < VLEN; i++)
		val[i] = (uint8_t)('a' + i % 26);
	return val;
}

static int64_t append_ok(struct partition_log *log, int n)
{
	int64_t base = sfx_append(log, n, value(), VLEN, 1000, 0);
	ck_assert(log_check(log) == 0);
	return base;
}

/* One more batch of n records; returns log_append's result. */
static int append_raw(struct partition_log *log, int n)
{
	uint8_t buf[4096];
	size_t len = sfx_build(buf, sizeof buf, n, value(), VLEN, 1000);
	int64_t base;
	return log_append(log, buf, len, 0, &base);
}

static off_t path_size(const char *dir, const char *name)
{
	char p[4096];
	snprintf(p, sizeof p, "%s/%s", dir, name);
	struct stat st;
	return stat(p, &st) == 0 ? st.st_size : -1;
}

/* Reads the whole log back through log_read: whole CRC-valid batches with
 * offsets from 0 to exactly leo, no gap, nothing after. */
static void assert_log_reads(struct partition_log *log, int64_t leo)
{
	ck_assert_int_eq(log_end_offset(log), leo);
	int64_t next = 0;
	for (int guard = 0; next < leo && guard < 100000; guard++) {
		struct log_slice s;
		ck_assert_int_eq(log_read(log, next, 1 << 20, leo, &s), 0);
		ck_assert_int_gt(s.len, 0);
		uint8_t *buf = malloc((size_t)s.len);
		ck_assert_ptr_nonnull(buf);
		ck_assert_int_eq(pread(s.fd, buf, (size_t)s.len, s.pos), s.len);
		size_t off = 0;
		while (off < (size_t)s.len) {
			struct rb_header h;
			int64_t total = rb_total_size(buf + off, (size_t)s.len - off);
			ck_assert_int_gt(total, 0);
			ck_assert_int_eq(rb_validate(buf + off, (size_t)total, &h), 0);
			ck_assert_int_eq(h.base_offset, next);
			next = rb_last_offset(&h) + 1;
			off += (size_t)total;
		}
		free(buf);
	}
	ck_assert_int_eq(next, leo);
}

static struct partition_log *reopen(const char *dir, struct partition_log *log, int clean)
{
	if (clean)
		log_close(log);
	else
		log_abandon(log); /* what a crash leaves */
	struct log_config c = small_cfg();
	struct partition_log *again;
	ck_assert_int_eq(log_open(dir, &c, NULL, &again), 0);
	ck_assert(log_check(again) == 0);
	return again;
}

START_TEST(test_enospc_on_append_writes_nothing)
{
	const char *dir = sfx_new_dir();
	struct log_config c = small_cfg();
	struct partition_log *log;
	ck_assert_int_eq(log_open(dir, &c, NULL, &log), 0);
	for (int i = 0; i < 20; i++)
		append_ok(log, 3);
	int64_t leo = log_end_offset(log), bytes = log_size_bytes(log);
	ck_assert_int_eq(failpoint_set("storage.segment.write", "1*error(ENOSPC)"), 0);
	ck_assert_int_eq(append_raw(log, 4), -ENOSPC);
	ck_assert_uint_eq(failpoint_fired("storage.segment.write"), 1);
	ck_assert_int_eq(log_end_offset(log), leo);
	ck_assert_int_eq(log_size_bytes(log), bytes);
	ck_assert(log_check(log) == 0);
	/* the fault is gone: the next append lands right where the failed one would have */
	ck_assert_int_eq(append_ok(log, 2), leo);
	assert_log_reads(log, leo + 2);
	log = reopen(dir, log, 0);
	assert_log_reads(log, leo + 2);
	log_close(log);
}
END_TEST

START_TEST(test_short_write_then_enospc_is_cut_back)
{
	const char *dir = sfx_new_dir();
	struct log_config c = small_cfg();
	struct partition_log *log;
	ck_assert_int_eq(log_open(dir, &c, NULL, &log), 0);
	for (int i = 0; i < 10; i++)
		append_ok(log, 2);
	int64_t leo = log_end_offset(log);
	off_t before = path_size(dir, "00000000000000000000.log");
	/* the disk fills in the middle of the batch: 37 bytes land, then ENOSPC */
	ck_assert_int_eq(failpoint_set("storage.segment.write", "1*short(37)->1*error(ENOSPC)"), 0);
	ck_assert_int_eq(append_raw(log, 5), -ENOSPC);
	ck_assert_uint_eq(failpoint_fired("storage.segment.write"), 2);
	/* no partial batch stays in the file */
	ck_assert_int_eq(path_size(dir, "00000000000000000000.log"), before);
	ck_assert_int_eq(log_end_offset(log), leo);
	log = reopen(dir, log, 0);
	assert_log_reads(log, leo);
	ck_assert_int_eq(append_ok(log, 1), leo);
	log_close(log);
}
END_TEST

START_TEST(test_short_writes_complete_the_batch)
{
	const char *dir = sfx_new_dir();
	struct log_config c = small_cfg();
	struct partition_log *log;
	ck_assert_int_eq(log_open(dir, &c, NULL, &log), 0);
	append_ok(log, 2);
	/* the kernel may write less than asked without an error: go on */
	ck_assert_int_eq(failpoint_set("storage.segment.write", "3*short(11)"), 0);
	ck_assert_int_eq(append_ok(log, 4), 2);
	ck_assert_uint_eq(failpoint_fired("storage.segment.write"), 3);
	assert_log_reads(log, 6);
	log = reopen(dir, log, 0);
	assert_log_reads(log, 6);
	log_close(log);
}
END_TEST

START_TEST(test_enospc_on_index_write)
{
	const char *dir = sfx_new_dir();
	struct log_config c = small_cfg();
	struct partition_log *log;
	ck_assert_int_eq(log_open(dir, &c, NULL, &log), 0);
	for (int i = 0; i < 40; i++)
		append_ok(log, 2);
	int64_t leo = log_end_offset(log);
	ck_assert_int_eq(failpoint_set("storage.index.write", "error(ENOSPC)"), 0);
	/* a flush writes no index: the data is made durable all the same */
	ck_assert_int_eq(log_flush(log), 0);
	ck_assert_int_eq(log_recovery_point(log), leo);
	ck_assert_uint_eq(failpoint_fired("storage.index.write"), 0);
	/* a roll writes the old segment's indexes: it fails to, and the data
	 * still goes in (the index is rebuilt from the .log when needed) */
	for (int i = 0; i < 400 && log_end_offset(log) < leo + 600; i++)
		append_ok(log, 2);
	ck_assert_uint_ge(failpoint_fired("storage.index.write"), 2);
	int64_t leo2 = log_end_offset(log);
	assert_log_reads(log, leo2);
	/* the checkpoint must sync the sealed segments' indexes before the
	 * file passes them: it fails, and the file keeps its old value */
	int64_t rp_file = sfx_read_rp(dir);
	ck_assert_int_eq(log_flush(log), 0);
	ck_assert_int_eq(log_checkpoint(log), -ENOSPC);
	ck_assert_int_eq(sfx_read_rp(dir), rp_file);
	/* a crash while the index cannot be written: recovery must write the
	 * rebuilt indexes, so it refuses while the disk is still full ... */
	log_abandon(log);
	ck_assert_int_eq(log_open(dir, &c, NULL, &log), -ENOSPC);
	/* ... and brings everything back once the fault is cleared */
	failpoint_set("storage.index.write", NULL);
	ck_assert_int_eq(log_open(dir, &c, NULL, &log), 0);
	ck_assert(log_check(log) == 0);
	assert_log_reads(log, leo2);
	ck_assert_int_eq(log_flush(log), 0);
	log = reopen(dir, log, 1);
	assert_log_reads(log, leo2);
	log_close(log);
}
END_TEST

START_TEST(test_eio_on_fdatasync_keeps_recovery_point)
{
	const char *dir = sfx_new_dir();
	struct log_config c = small_cfg();
	struct partition_log *log;
	ck_assert_int_eq(log_open(dir, &c, NULL, &log), 0);
	for (int i = 0; i < 10; i++)
		append_ok(log, 2);
	ck_assert_int_eq(log_flush(log), 0);
	ck_assert_int_eq(log_recovery_point(log), 20);
	ck_assert_int_eq(log_checkpoint(log), 0);
	char rp[64] = { 0 };
	char path[4096];
	snprintf(path, sizeof path, "%s/recovery-point", dir);
	FILE *f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(rp, sizeof rp, f));
	fclose(f);
	ck_assert_str_eq(rp, "20\n");
	for (int i = 0; i < 10; i++)
		append_ok(log, 2);
	ck_assert_int_eq(failpoint_set("storage.fdatasync", "error(EIO)"), 0);
	ck_assert_int_eq(log_flush(log), -EIO);
	/* what was not synced is not claimed synced, in memory or on disk */
	ck_assert_int_eq(log_recovery_point(log), 20);
	ck_assert_int_eq(log_checkpoint(log), 0);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(rp, sizeof rp, f));
	fclose(f);
	ck_assert_str_eq(rp, "20\n");
	failpoint_set("storage.fdatasync", NULL);
	ck_assert_int_eq(log_flush(log), 0);
	ck_assert_int_eq(log_recovery_point(log), 40);
	log = reopen(dir, log, 0);
	assert_log_reads(log, 40);
	log_close(log);
}
END_TEST

/* With a flush per message, a failed fdatasync fails the append: the
 * caller must not acknowledge it. */
START_TEST(test_eio_on_flush_per_message_fails_append)
{
	const char *dir = sfx_new_dir();
	struct log_config c = small_cfg();
	c.flush_interval_messages = 1;
	struct partition_log *log;
	ck_assert_int_eq(log_open(dir, &c, NULL, &log), 0);
	append_ok(log, 2);
	ck_assert_int_eq(failpoint_set("storage.fdatasync", "1*error(EIO)"), 0);
	ck_assert_int_eq(append_raw(log, 3), -EIO);
	ck_assert(log_check(log) == 0);
	ck_assert_int_eq(append_raw(log, 1), 0); /* fault gone: flushed again */
	log = reopen(dir, log, 0);
	assert_log_reads(log, 6); /* the unacknowledged batch stayed, nothing lost */
	log_close(log);
}
END_TEST

START_TEST(test_enospc_on_checkpoint_write_keeps_old_file)
{
	const char *dir = sfx_new_dir();
	ck_assert_int_eq(mkdir(dir, 0755), 0);
	char path[4096];
	snprintf(path, sizeof path, "%s/replication-offset-checkpoint", dir);
	struct checkpoint_entry e[2] = { { "t", 0, 10 }, { "t", 1, 20 } };
	ck_assert_int_eq(checkpoint_write(path, e, 2), 0);
	ck_assert_int_eq(failpoint_set("storage.checkpoint.write", "1*error(ENOSPC)"), 0);
	e[0].offset = 99;
	ck_assert_int_eq(checkpoint_write(path, e, 2), -ENOSPC);
	struct checkpoint_entry *got = NULL;
	int n = 0;
	ck_assert_int_eq(checkpoint_read(path, &got, &n), 0);
	ck_assert_int_eq(n, 2);
	ck_assert_int_eq(got[0].offset, 10); /* the old file, whole */
	free(got);
	ck_assert_int_eq(path_size(dir, "replication-offset-checkpoint.tmp"), -1);
	/* cleared: the next write goes through */
	ck_assert_int_eq(checkpoint_write(path, e, 2), 0);
	ck_assert_int_eq(checkpoint_read(path, &got, &n), 0);
	ck_assert_int_eq(got[0].offset, 99);
	free(got);
}
END_TEST

START_TEST(test_new_epoch_not_written_unless_checkpointed)
{
	const char *dir = sfx_new_dir();
	struct log_config c = small_cfg();
	struct partition_log *log;
	ck_assert_int_eq(log_open(dir, &c, NULL, &log), 0);
	append_ok(log, 2);
	/* a batch of epoch 1 needs leader-epoch-checkpoint to say so first */
	ck_assert_int_eq(failpoint_set("storage.checkpoint.write", "1*error(ENOSPC)"), 0);
	uint8_t buf[4096];
	size_t len = sfx_build(buf, sizeof buf, 3, value(), VLEN, 1000);
	int64_t base;
	ck_assert_int_eq(log_append(log, buf, len, 1, &base), -ENOSPC);
	ck_assert_int_eq(log_end_offset(log), 2);
	/* the cache may hold epoch 1 from the LEO on (as after a LeaderAndIsr);
	 * what matters is that no batch of it is in the log */
	ck_assert(log_check(log) == 0);
	assert_log_reads(log, 2);
	len = sfx_build(buf, sizeof buf, 3, value(), VLEN, 1000);
	ck_assert_int_eq(log_append(log, buf, len, 1, &base), 0);
	ck_assert_int_eq(base, 2);
	ck_assert_int_eq(log_latest_epoch(log), 1);
	log = reopen(dir, log, 0);
	ck_assert_int_eq(log_latest_epoch(log), 1);
	assert_log_reads(log, 5);
	log_close(log);
}
END_TEST

/* Flips one byte inside the records of the batch holding `offset`. */
static void corrupt_batch_at(struct partition_log *log, int64_t offset)
{
	struct log_slice s;
	ck_assert_int_eq(log_read(log, offset, 1, log_end_offset(log), &s), 0);
	ck_assert_int_gt(s.len, RB_HEADER_SIZE);
	uint8_t b;
	ck_assert_int_eq(pread(s.fd, &b, 1, s.pos + RB_HEADER_SIZE + 2), 1);
	b ^= 0x5a;
	ck_assert_int_eq(pwrite(s.fd, &b, 1, s.pos + RB_HEADER_SIZE + 2), 1);
}

START_TEST(test_corrupt_batch_mid_segment_after_crash)
{
	const char *dir = sfx_new_dir();
	struct log_config c = small_cfg();
	c.segment_bytes = 1 << 20; /* one segment */
	struct partition_log *log;
	ck_assert_int_eq(log_open(dir, &c, NULL, &log), 0);
	for (int i = 0; i < 10; i++)
		append_ok(log, 2);
	ck_assert_int_eq(log_flush(log), 0); /* recovery point 20 */
	for (int i = 0; i < 20; i++)
		append_ok(log, 2);
	corrupt_batch_at(log, 40); /* the middle of the segment, past the recovery point */
	log_abandon(log);
	ck_assert_int_eq(log_open(dir, &c, NULL, &log), 0);
	/* recovery cuts at the first bad batch: what precedes it stays whole,
	 * nothing after it is served (a follower fetches it again from the
	 * leader; a leader's acknowledged copies live on its ISR) */
	ck_assert(log_check(log) == 0);
	assert_log_reads(log, 40);
	ck_assert_int_eq(append_ok(log, 1), 40);
	log = reopen(dir, log, 1);
	assert_log_reads(log, 41);
	log_close(log);
}
END_TEST

static void write_file(const char *dir, const char *name, const char *data)
{
	char p[4096];
	snprintf(p, sizeof p, "%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	ck_assert_ptr_nonnull(f);
	fputs(data, f);
	fclose(f);
}

START_TEST(test_garbage_checkpoint_files)
{
	const char *dir = sfx_new_dir();
	struct log_config c = small_cfg();
	struct partition_log *log;
	ck_assert_int_eq(log_open(dir, &c, NULL, &log), 0);
	for (int i = 0; i < 10; i++)
		sfx_append(log, 2, value(), VLEN, 1000, i < 5 ? 0 : 3);
	log_abandon(log);
	write_file(dir, "recovery-point", "\x01\xffnot a number");
	write_file(dir, "leader-epoch-checkpoint", "0\n7\n1 2\n0 0\ngarbage");
	ck_assert_int_eq(log_open(dir, &c, NULL, &log), 0);
	/* an unreadable recovery point means: scan everything */
	assert_log_reads(log, 20);
	/* an unreadable epoch file is rebuilt from the batches */
	ck_assert_int_eq(log_latest_epoch(log), 3);
	int32_t e;
	int64_t end;
	log_epoch_end_offset(log, 0, &e, &end);
	ck_assert_int_eq(e, 0);
	ck_assert_int_eq(end, 10);
	ck_assert(log_check(log) == 0);
	log_close(log);

	/* the per-log-dir checkpoints: rejected cleanly, never half-used */
	const char *junk[] = { "", "0\n", "0\n2\nt 0 5\n", "1\n1\nt 0 5\n", "0\n1\nt -1 5\n",
			       "0\n1\nt 0 5 6\n", "0\n2\nt 0 5\nt 0 6\n", "\x00\x01\x02" };
	char path[4096];
	snprintf(path, sizeof path, "%s/replication-offset-checkpoint", dir);
	for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++) {
		write_file(dir, "replication-offset-checkpoint", junk[i]);
		struct checkpoint_entry *got = (void *)1;
		int n = -1;
		ck_assert_int_lt(checkpoint_read(path, &got, &n), 0);
	}
}
END_TEST

/* An index file that names offsets past its segment (disk corruption that
 * still looks ordered) is rebuilt on open, never trusted. */
START_TEST(test_index_past_segment_rebuilt)
{
	const char *dir = sfx_new_dir();
	struct log_config c = small_cfg();
	c.segment_bytes = 2048;
	struct partition_log *log;
	ck_assert_int_eq(log_open(dir, &c, NULL, &log), 0);
	for (int i = 0; i < 40; i++)
		append_ok(log, 2);
	int64_t leo = log_end_offset(log);
	log_close(log);
	/* the first segment's time index gains an entry at relative offset 1e6 */
	char p[4096];
	snprintf(p, sizeof p, "%s/00000000000000000000.timeindex", dir);
	FILE *f = fopen(p, "ab");
	ck_assert_ptr_nonnull(f);
	const uint8_t entry[12] = { 0x7f, 0, 0, 0, 0, 0, 0, 0, 0, 0x0f, 0x42, 0x40 };
	ck_assert_int_eq(fwrite(entry, 1, sizeof entry, f), sizeof entry);
	fclose(f);
	ck_assert_int_eq(log_open(dir, &c, NULL, &log), 0); /* checked by the fixture */
	assert_log_reads(log, leo);
	log_close(log);
}
END_TEST

START_TEST(test_failpoint_specs)
{
	ck_assert_int_eq(failpoint_set("x", "2*off->1*error(EIO)->short(5)"), 0);
	long arg = 0;
	ck_assert_int_eq(failpoint_eval("x", &arg), FP_OFF);
	ck_assert_int_eq(failpoint_eval("x", &arg), FP_OFF);
	ck_assert_int_eq(failpoint_eval("x", &arg), FP_ERROR);
	ck_assert_int_eq(arg, EIO);
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(failpoint_eval("x", &arg), FP_SHORT);
		ck_assert_int_eq(arg, 5);
	}
	ck_assert_uint_eq(failpoint_hits("x"), 6);
	ck_assert_uint_eq(failpoint_fired("x"), 4);
	ck_assert_int_eq(failpoint_set("x", "off"), 0);
	ck_assert_int_eq(failpoint_eval("x", &arg), FP_OFF);
	ck_assert_int_eq(failpoint_error("unknown"), 0);
	ck_assert_int_eq(failpoint_set("d", "1*delay(1)"), 0);
	ck_assert_int_eq(failpoint_hit("d"), 0); /* a delay is no fault */
	ck_assert_int_eq(failpoint_set("e", "1*error(28)"), 0);
	ck_assert_int_eq(failpoint_error("e"), -ENOSPC);
	ck_assert_int_eq(failpoint_error("e"), 0);
	const char *bad[] = { "error", "error()", "error(ENOPE)", "0*on", "x*on", "on(3)",
			      "bogus", "short(-1)", "1*on->", "crash(1)" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		ck_assert_msg(failpoint_set("y", bad[i]) == -EINVAL, "accepted %s", bad[i]);
	ck_assert_int_eq(failpoint_set_list("a,b=1*error(EIO)"), 0);
	ck_assert_int_eq(failpoint_hit("a"), 1);
	ck_assert_int_eq(failpoint_error("b"), -EIO);
	ck_assert_int_eq(failpoint_set_list("a=nonsense"), -EINVAL);
	ck_assert_int_eq(failpoint_hit("a"), 0); /* a bad list arms nothing */
}
END_TEST

static void clear(void)
{
	failpoint_clear_all();
}

int main(void)
{
	if (sfx_setup("storage-faults") < 0)
		return 1;
	log_set_level(LOG_ERROR + 1);
	Suite *s = suite_create("storage_faults");
	TCase *tc = tcase_create("faults");
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, clear, clear);
	tcase_add_test(tc, test_failpoint_specs);
	tcase_add_test(tc, test_enospc_on_append_writes_nothing);
	tcase_add_test(tc, test_short_write_then_enospc_is_cut_back);
	tcase_add_test(tc, test_short_writes_complete_the_batch);
	tcase_add_test(tc, test_enospc_on_index_write);
	tcase_add_test(tc, test_eio_on_fdatasync_keeps_recovery_point);
	tcase_add_test(tc, test_eio_on_flush_per_message_fails_append);
	tcase_add_test(tc, test_enospc_on_checkpoint_write_keeps_old_file);
	tcase_add_test(tc, test_new_epoch_not_written_unless_checkpointed);
	tcase_add_test(tc, test_corrupt_batch_mid_segment_after_crash);
	tcase_add_test(tc, test_garbage_checkpoint_files);
	tcase_add_test(tc, test_index_past_segment_rebuilt);
	suite_add_tcase(s, tc);
	return sfx_run(s, 0);
}
