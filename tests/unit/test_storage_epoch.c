/* Leader epoch cache, full truncation and checkpoint file tests: epoch
 * assignment and OffsetsForLeaderEpoch end offsets (KIP-101, KIP-279),
 * truncation, retention, persistence and rebuilds from batch headers;
 * log_truncate_fully_and_start_at; checkpoint round trips and every kind of
 * malformed checkpoint. Each test works in its own directory under one
 * mkdtemp root that main() removes. */
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
#include "common/clock.h"
#include "common/log.h"
#include "common/proto/record_batch.h"
#include "tests/unit/storage_fixture.h"

static struct log_config small_cfg(void)
{
	struct log_config c;
	log_config_defaults(&c);
	c.index_interval_bytes = 256;
	return c;
}

/* Appends one batch of n records stamped with epoch; returns its base. */
static int64_t append_e(struct partition_log *log, int n, int32_t epoch)
{
	static const uint8_t val[64] = "value";
	return sfx_append(log, n, val, (int32_t)sizeof val, clock_wall_ms(), epoch);
}

static void expect_end(struct partition_log *log, int32_t req, int32_t want_epoch,
		       int64_t want_end)
{
	int32_t e = 99;
	int64_t o = 99;
	log_epoch_end_offset(log, req, &e, &o);
	ck_assert_msg(e == want_epoch && o == want_end,
		      "epoch %d: got (%d, %lld), want (%d, %lld)", req, e, (long long)o,
		      want_epoch, (long long)want_end);
}

static char *read_text(const char *dir, const char *name)
{
	static char buf[4096];
	char p[256];
	snprintf(p, sizeof p, "%s/%s", dir, name);
	int fd = open(p, O_RDONLY);
	if (fd < 0)
		return NULL;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	ck_assert_int_ge(n, 0);
	buf[n] = '\0';
	return buf;
}

static void write_text(const char *path, const char *text, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, len), (ssize_t)len);
	close(fd);
}

static void write_epoch_file(const char *dir, const char *text)
{
	char p[256];
	snprintf(p, sizeof p, "%s/leader-epoch-checkpoint", dir);
	write_text(p, text, strlen(text));
}

static void expect_epoch_file(const char *dir, const char *want)
{
	const char *got = read_text(dir, "leader-epoch-checkpoint");
	ck_assert_ptr_nonnull(got);
	ck_assert_str_eq(got, want);
}

/* Epochs 1@0, 3@5, 5@9; LEO 12. */
static struct partition_log *log_with_epochs(const char *dir)
{
	struct log_config c = small_cfg();
	struct partition_log *log;
	ck_assert_int_eq(log_open(dir, &c, NULL, &log), 0);
	append_e(log, 3, 1);
	append_e(log, 2, 1);
	append_e(log, 4, 3);
	append_e(log, 3, 5);
	ck_assert_int_eq(log_end_offset(log), 12);
	return log;
}

START_TEST(test_epoch_assign_and_end_offsets)
{
	const char *dir = sfx_new_dir();
	struct log_config c = small_cfg();
	struct partition_log *log;
	ck_assert_int_eq(log_open(dir, &c, NULL, &log), 0);
	ck_assert_int_eq(log_latest_epoch(log), -1);
	expect_end(log, 0, -1, -1); /* empty cache */
	ck_assert_ptr_null(read_text(dir, "leader-epoch-checkpoint"));
	append_e(log, 3, 1);
	append_e(log, 2, 1);
	ck_assert_int_eq(log_epoch_assign(log, 3, 5), 0); /* new leader at its LEO */
	expect_end(log, 3, 3, 5);
	expect_end(log, 1, 1, 5);
	append_e(log, 4, 3);
	ck_assert_int_eq(log_epoch_assign(log, 2, 9), 0); /* older: ignored */
	ck_assert_int_eq(log_epoch_assign(log, 3, 9), 0); /* equal: ignored */
	append_e(log, 3, 5);
	ck_assert_int_eq(log_latest_epoch(log), 5);
	expect_epoch_file(dir, "0\n3\n1 0\n3 5\n5 9\n");
	expect_end(log, -1, -1, -1);
	expect_end(log, 0, -1, -1); /* below the first entry */
	expect_end(log, 1, 1, 5);
	expect_end(log, 2, 1, 5);   /* between entries: the lower one (KIP-279) */
	expect_end(log, 3, 3, 9);
	expect_end(log, 4, 3, 9);
	expect_end(log, 5, 5, 12);  /* latest: the LEO */
	expect_end(log, 9, 5, 12);  /* above the latest */
	ck_assert_int_eq(log_epoch_assign(log, 6, 13), -EINVAL); /* past the LEO */
	ck_assert_int_eq(log_epoch_assign(log, -2, 12), -EINVAL);
	/* two elections with no batch between: the older owns no offsets */
	ck_assert_int_eq(log_epoch_assign(log, 6, 12), 0);
	ck_assert_int_eq(log_epoch_assign(log, 7, 12), 0);
	expect_epoch_file(dir, "0\n4\n1 0\n3 5\n5 9\n7 12\n");
	expect_end(log, 6, 5, 12);
	expect_end(log, 7, 7, 12);
	/* a stale leader's lower epoch in a later append changes nothing */
	append_e(log, 1, 4);
	ck_assert_int_eq(log_latest_epoch(log), 7);
	expect_end(log, 7, 7, 13);
	log_close(log);
}
END_TEST

START_TEST(test_epoch_truncate_to)
{
	const char *dir = sfx_new_dir();
	struct partition_log *log = log_with_epochs(dir);
	/* 10 is inside batch [9..11]: LEO 9, epoch 5 (start 9) goes */
	ck_assert_int_eq(log_truncate_to(log, 10), 0);
	ck_assert_int_eq(log_end_offset(log), 9);
	ck_assert_int_eq(log_latest_epoch(log), 3);
	expect_epoch_file(dir, "0\n2\n1 0\n3 5\n");
	expect_end(log, 3, 3, 9);
	expect_end(log, 5, 3, 9);
	ck_assert_int_eq(log_truncate_to(log, 6), 0); /* inside [5..8] */
	ck_assert_int_eq(log_end_offset(log), 5);
	ck_assert_int_eq(log_latest_epoch(log), 1);
	expect_epoch_file(dir, "0\n1\n1 0\n");
	expect_end(log, 3, 1, 5);
	append_e(log, 2, 8);
	expect_epoch_file(dir, "0\n2\n1 0\n8 5\n");
	ck_assert_int_eq(log_truncate_to(log, 0), 0);
	ck_assert_int_eq(log_latest_epoch(log), -1);
	expect_epoch_file(dir, "0\n0\n");
	log_close(log);
}
END_TEST

START_TEST(test_epoch_persist_and_reload)
{
	const char *dir = sfx_new_dir();
	struct log_config c = small_cfg();
	struct partition_log *log = log_with_epochs(dir);
	ck_assert_int_eq(log_epoch_assign(log, 8, 12), 0); /* begun, no batch yet */
	log_close(log);
	ck_assert_int_eq(log_open(dir, &c, NULL, &log), 0); /* clean */
	ck_assert_int_eq(log_latest_epoch(log), 8);
	expect_end(log, 5, 5, 12);
	expect_end(log, 4, 3, 9);
	log_abandon(log); /* crash: the header scan agrees, the LEO entry stays */
	ck_assert_int_eq(log_open(dir, &c, NULL, &log), 0);
	ck_assert_int_eq(log_latest_epoch(log), 8);
	expect_epoch_file(dir, "0\n4\n1 0\n3 5\n5 9\n8 12\n");
	append_e(log, 1, 8);
	log_abandon(log);
	ck_assert_int_eq(log_open(dir, &c, NULL, &log), 0);
	expect_end(log, 8, 8, 13);
	log_close(log);
}
END_TEST

START_TEST(test_epoch_rebuild_after_delete)
{
	const char *dir = sfx_new_dir();
	struct log_config c = small_cfg();
	char p[256];
	snprintf(p, sizeof p, "%s/leader-epoch-checkpoint", dir);
	struct partition_log *log = log_with_epochs(dir);
	log_close(log);
	ck_assert_int_eq(unlink(p), 0);
	ck_assert_int_eq(log_open(dir, &c, NULL, &log), 0); /* clean, but no file */
	expect_epoch_file(dir, "0\n3\n1 0\n3 5\n5 9\n");
	expect_end(log, 4, 3, 9);
	log_abandon(log);
	ck_assert_int_eq(unlink(p), 0);
	ck_assert_int_eq(log_open(dir, &c, NULL, &log), 0); /* unclean, no file */
	expect_epoch_file(dir, "0\n3\n1 0\n3 5\n5 9\n");
	log_close(log);
}
END_TEST

/* An epoch's first append writes the file without fsync, so a crash may
 * leave the content before it, or no file: the unclean open rebuilds the
 * entry from the batch headers. A clean close (a flush) leaves it whole. */
START_TEST(test_epoch_unsynced_write_lost_in_crash)
{
	static const char *const left[] = { "0\n3\n1 0\n3 5\n5 9\n", NULL };
	const char *dir = sfx_new_dir();
	struct log_config c = small_cfg();
	struct partition_log *log = log_with_epochs(dir);
	log_close(log);
	for (size_t i = 0; i < sizeof left / sizeof *left; i++) {
		ck_assert_int_eq(log_open(dir, &c, NULL, &log), 0);
		int64_t base = append_e(log, 1, 7 + (int32_t)i);
		if (left[i]) {
			write_epoch_file(dir, left[i]);
		} else {
			char p[256];
			snprintf(p, sizeof p, "%s/leader-epoch-checkpoint", dir);
			ck_assert_int_eq(unlink(p), 0);
		}
		log_abandon(log);
		ck_assert_int_eq(log_open(dir, &c, NULL, &log), 0);
		ck_assert_int_eq(log_latest_epoch(log), 7 + (int32_t)i);
		expect_end(log, 5, 5, i == 0 ? base : base - 1);
		log_close(log);
	}
	ck_assert_int_eq(log_open(dir, &c, NULL, &log), 0); /* clean */
	ck_assert_int_eq(log_latest_epoch(log), 8);
	expect_end(log, 7, 7, 13);
	log_close(log);
}
END_TEST

/* Each bad or stale file, after a clean and after an unclean shutdown, is
 * replaced by what the batch headers say. */
START_TEST(test_epoch_rebuild_bad_file)
{
	static const char *const bad[] = {
		"garbage",
		"",
		"1\n1\n1 0\n",               /* version */
		"0\n2\n1 0\n",               /* fewer lines than the count */
		"0\n2\n1 0\n5 9\n3 5\n",     /* more lines than the count */
		"0\n2\n3 5\n1 0\n",          /* not increasing */
		"0\n2\n1 0\n3 0\n",          /* start not increasing */
		"0\n1\n1 -4\n",
		"0\n1\n5 0\n",               /* disagrees with the last batch */
		"0\n2\n1 0\n5 9",            /* no final newline */
		"0\n3\n1 0\n2 5\n5 9\n",     /* wrong epoch in the middle */
	};
	const char *dir = sfx_new_dir();
	struct log_config c = small_cfg();
	struct partition_log *log = log_with_epochs(dir);
	log_close(log);
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		for (int clean = 0; clean < 2; clean++) {
			/* open + close (clean) or open + abandon (unclean) */
			ck_assert_int_eq(log_open(dir, &c, NULL, &log), 0);
			write_epoch_file(dir, bad[i]);
			if (clean)
				log_close(log);
			else
				log_abandon(log);
			ck_assert_int_eq(log_open(dir, &c, NULL, &log), 0);
			ck_assert_msg(log_latest_epoch(log) == 5, "case %zu clean %d", i, clean);
			expect_end(log, 4, 3, 9);
			expect_end(log, 2, 1, 5);
			expect_epoch_file(dir, "0\n3\n1 0\n3 5\n5 9\n");
			log_close(log);
		}
	}
}
END_TEST

/* A file leaving out a middle epoch passes the cheap checks of a clean open
 * (a documented limit); the full scan of an unclean open repairs it. */
START_TEST(test_epoch_missing_middle_needs_scan)
{
	const char *dir = sfx_new_dir();
	struct log_config c = small_cfg();
	struct partition_log *log = log_with_epochs(dir);
	ck_assert_int_eq(log_checkpoint(log), 0); /* file durable: the close keeps it */
	write_epoch_file(dir, "0\n2\n1 0\n5 9\n");
	log_close(log);
	ck_assert_int_eq(log_open(dir, &c, NULL, &log), 0);
	expect_end(log, 3, 1, 9);
	log_abandon(log);
	ck_assert_int_eq(log_open(dir, &c, NULL, &log), 0);
	expect_end(log, 3, 3, 9);
	expect_epoch_file(dir, "0\n3\n1 0\n3 5\n5 9\n");
	log_close(log);
}
END_TEST

START_TEST(test_epoch_file_clamped_to_log)
{
	const char *dir = sfx_new_dir();
	struct log_config c = small_cfg();
	struct partition_log *log = log_with_epochs(dir);
	log_close(log);
	/* A truncation the file did not see (crash): entries past the LEO go. */
	write_epoch_file(dir, "0\n5\n1 0\n3 5\n5 9\n6 12\n7 40\n");
	ck_assert_int_eq(log_open(dir, &c, NULL, &log), 0);
	ck_assert_int_eq(log_latest_epoch(log), 6);
	expect_epoch_file(dir, "0\n4\n1 0\n3 5\n5 9\n6 12\n");
	log_close(log);
}
END_TEST

START_TEST(test_epoch_replica_follows_batches)
{
	struct log_config c = small_cfg();
	const char *fdir;
	struct partition_log *leader = log_with_epochs(sfx_new_dir()), *follower;
	fdir = sfx_new_dir();
	ck_assert_int_eq(log_open(fdir, &c, NULL, &follower), 0);
	struct log_slice s;
	ck_assert_int_eq(log_read(leader, 0, INT32_MAX, INT64_MAX, &s), 0);
	uint8_t *buf = malloc((size_t)s.len);
	ck_assert_int_eq(pread(s.fd, buf, (size_t)s.len, s.pos), s.len);
	ck_assert_int_eq(log_append_replica(follower, buf, (size_t)s.len), 0);
	free(buf);
	ck_assert_int_eq(log_end_offset(follower), 12);
	for (int32_t e = -1; e < 8; e++) {
		int32_t le, fe;
		int64_t lo, fo;
		log_epoch_end_offset(leader, e, &le, &lo);
		log_epoch_end_offset(follower, e, &fe, &fo);
		ck_assert_int_eq(le, fe);
		ck_assert_int_eq(lo, fo);
	}
	expect_epoch_file(fdir, "0\n3\n1 0\n3 5\n5 9\n");
	log_close(leader);
	log_close(follower);
}
END_TEST

START_TEST(test_epoch_retention_moves_first_entry)
{
	const char *dir = sfx_new_dir();
	struct log_config c = small_cfg();
	c.segment_bytes = 300; /* about one batch per segment */
	c.retention_bytes = 0;
	c.retention_ms = -1;
	struct partition_log *log;
	ck_assert_int_eq(log_open(dir, &c, NULL, &log), 0);
	append_e(log, 2, 1); /* 0..1 */
	append_e(log, 2, 1); /* 2..3 */
	append_e(log, 2, 2); /* 4..5 */
	append_e(log, 2, 2); /* 6..7 */
	append_e(log, 2, 4); /* 8..9 */
	expect_epoch_file(dir, "0\n3\n1 0\n2 4\n4 8\n");
	log_tick(log, clock_wall_ms()); /* retention: only the active segment stays */
	ck_assert_int_eq(log_start_offset(log), 8);
	expect_epoch_file(dir, "0\n1\n4 8\n");
	expect_end(log, 3, -1, -1);
	log_close(log);

	/* Start inside an epoch: the entry covering it now begins there. */
	dir = sfx_new_dir();
	c.retention_bytes = 500;
	ck_assert_int_eq(log_open(dir, &c, NULL, &log), 0);
	append_e(log, 2, 1);
	append_e(log, 2, 1);
	append_e(log, 2, 1);
	append_e(log, 2, 2);
	append_e(log, 2, 2);
	log_tick(log, clock_wall_ms());
	ck_assert_int_gt(log_start_offset(log), 0);
	ck_assert_int_lt(log_start_offset(log), 6);
	char want[64];
	snprintf(want, sizeof want, "0\n2\n1 %lld\n2 6\n", (long long)log_start_offset(log));
	expect_epoch_file(dir, want);
	log_abandon(log); /* and a rebuild from headers finds the same */
	ck_assert_int_eq(log_open(dir, &c, NULL, &log), 0);
	expect_epoch_file(dir, want);
	log_close(log);
}
END_TEST

static int count_logs(const char *dir)
{
	char cmd[512];
	snprintf(cmd, sizeof cmd, "ls %s | grep -c '\\.log$'", dir);
	FILE *f = popen(cmd, "r");
	int n = -1;
	ck_assert_int_eq(fscanf(f, "%d", &n), 1);
	pclose(f);
	return n;
}

START_TEST(test_truncate_fully_and_start_at)
{
	const char *dir = sfx_new_dir();
	struct log_config c = small_cfg();
	c.segment_bytes = 300;
	struct partition_log *log = log_with_epochs(dir);
	log_close(log);
	ck_assert_int_eq(log_open(dir, &c, NULL, &log), 0);
	append_e(log, 2, 6);
	ck_assert_int_gt(count_logs(dir), 1);
	ck_assert_int_eq(log_truncate_fully_and_start_at(log, 1000), 0);
	ck_assert_int_eq(log_start_offset(log), 1000);
	ck_assert_int_eq(log_end_offset(log), 1000);
	ck_assert_int_eq(log_size_bytes(log), 0);
	ck_assert_int_eq(log_latest_epoch(log), -1);
	expect_epoch_file(dir, "0\n0\n");
	ck_assert_str_eq(read_text(dir, "recovery-point"), "1000\n");
	ck_assert_int_eq(count_logs(dir), 1);
	ck_assert_ptr_nonnull(read_text(dir, "00000000000000001000.log"));
	struct log_slice s;
	ck_assert_int_eq(log_read(log, 5, 100, INT64_MAX, &s), -ERANGE);
	ck_assert_int_eq(log_read(log, 1000, 100, INT64_MAX, &s), 0);
	ck_assert_int_eq(s.len, 0);
	ck_assert_int_eq(append_e(log, 3, 9), 1000);
	expect_epoch_file(dir, "0\n1\n9 1000\n");
	ck_assert_int_eq(log_read(log, 1001, 100, INT64_MAX, &s), 0);
	ck_assert_int_eq(s.first_offset, 1000);
	ck_assert_int_gt(s.len, 0);
	log_abandon(log);
	ck_assert_int_eq(log_open(dir, &c, NULL, &log), 0);
	ck_assert_int_eq(log_start_offset(log), 1000);
	ck_assert_int_eq(log_end_offset(log), 1003);
	expect_end(log, 9, 9, 1003);
	/* also below the current start (a leader that lost data) */
	ck_assert_int_eq(log_truncate_fully_and_start_at(log, 7), 0);
	ck_assert_int_eq(log_end_offset(log), 7);
	ck_assert_int_eq(log_truncate_fully_and_start_at(log, -1), -EINVAL);
	log_close(log);
	ck_assert_int_eq(log_open(dir, &c, NULL, &log), 0);
	ck_assert_int_eq(log_start_offset(log), 7);
	ck_assert_int_eq(log_end_offset(log), 7);
	log_close(log);
}
END_TEST

/* ---- checkpoint files ---- */

static void cp_path(char *p, size_t cap, const char *name)
{
	const char *d = sfx_new_dir();
	ck_assert_int_eq(mkdir(d, 0755), 0);
	snprintf(p, cap, "%s/%s", d, name);
}

START_TEST(test_checkpoint_round_trip)
{
	char p[256];
	cp_path(p, sizeof p, "replication-offset-checkpoint");
	struct checkpoint_entry in[4] = {
		{ "orders", 0, 42 },
		{ "orders", 1, 0 },
		{ "__consumer_offsets", 49, INT64_MAX },
		{ "", 2147483647, 7 },
	};
	memset(in[3].topic, 'x', 255); /* the longest topic that fits */
	in[3].topic[255] = '\0';
	ck_assert_int_eq(checkpoint_write(p, in, 4), 0);
	struct checkpoint_entry *out = NULL;
	int n = -1;
	ck_assert_int_eq(checkpoint_read(p, &out, &n), 0);
	ck_assert_int_eq(n, 4);
	for (int i = 0; i < 4; i++) {
		ck_assert_str_eq(out[i].topic, in[i].topic);
		ck_assert_int_eq(out[i].partition, in[i].partition);
		ck_assert_int_eq(out[i].offset, in[i].offset);
	}
	free(out);
	/* Kafka's exact text */
	ck_assert_int_eq(checkpoint_write(p, in, 2), 0);
	char *dir = strdup(p);
	*strrchr(dir, '/') = '\0';
	ck_assert_str_eq(read_text(dir, "replication-offset-checkpoint"),
			 "0\n2\norders 0 42\norders 1 0\n");
	ck_assert_ptr_null(read_text(dir, "replication-offset-checkpoint.tmp"));
	free(dir);
	/* empty */
	ck_assert_int_eq(checkpoint_write(p, NULL, 0), 0);
	out = (void *)1;
	ck_assert_int_eq(checkpoint_read(p, &out, &n), 0);
	ck_assert_int_eq(n, 0);
	ck_assert_ptr_null(out);
	/* entries that could not be read back are refused, file unchanged */
	struct checkpoint_entry badw[] = {
		{ "has space", 0, 1 }, { "", 0, 1 }, { "t", -1, 1 }, { "t", 0, -1 },
		{ "new\nline", 0, 1 },
	};
	for (size_t i = 0; i < sizeof badw / sizeof *badw; i++)
		ck_assert_int_eq(checkpoint_write(p, &badw[i], 1), -EINVAL);
	ck_assert_int_eq(checkpoint_write(p, in, -1), -EINVAL);
	ck_assert_int_eq(checkpoint_read(p, &out, &n), 0);
	ck_assert_int_eq(n, 0);
	/* absent */
	cp_path(p, sizeof p, "none");
	ck_assert_int_eq(checkpoint_read(p, &out, &n), -ENOENT);
}
END_TEST

struct bad_case {
	const char *what;
	const char *text;
	size_t len; /* 0: strlen */
};

START_TEST(test_checkpoint_malformed)
{
	static const struct bad_case bad[] = {
		{ "empty file", "", 0 },
		{ "version 1", "1\n0\n", 0 },
		{ "version missing", "\n0\n", 0 },
		{ "version with leading zero", "00\n0\n", 0 },
		{ "version then EOF", "0\n", 0 },
		{ "count not a number", "0\nx\n", 0 },
		{ "negative count", "0\n-1\n", 0 },
		{ "count without newline", "0\n0", 0 },
		{ "huge count", "0\n999999999\nt 0 1\n", 0 },
		{ "count over the line bound", "0\n5\nt 0 1\n", 0 },
		{ "fewer lines than count", "0\n2\nt 0 1\n", 0 },
		{ "more lines than count", "0\n1\nt 0 1\nt 1 2\n", 0 },
		{ "trailing blank line", "0\n1\nt 0 1\n\n", 0 },
		{ "no final newline", "0\n1\nt 0 1", 0 },
		{ "double space", "0\n1\nt  0 1\n", 0 },
		{ "leading space", "0\n1\n t 0 1\n", 0 },
		{ "tab separator", "0\n1\nt\t0 1\n", 0 },
		{ "missing offset", "0\n1\nt 0\n", 0 },
		{ "extra field", "0\n1\nt 0 1 2\n", 0 },
		{ "negative offset", "0\n1\nt 0 -1\n", 0 },
		{ "negative partition", "0\n1\nt -1 5\n", 0 },
		{ "partition over int32", "0\n1\nt 2147483648 5\n", 0 },
		{ "offset over int64", "0\n1\nt 0 9223372036854775808\n", 0 },
		{ "offset with 20 digits", "0\n1\nt 0 99999999999999999999\n", 0 },
		{ "offset plus sign", "0\n1\nt 0 +5\n", 0 },
		{ "offset hex", "0\n1\nt 0 0x10\n", 0 },
		{ "partition leading zero", "0\n1\nt 01 5\n", 0 },
		{ "CRLF", "0\r\n1\r\nt 0 1\r\n", 0 },
		{ "NUL in topic", "0\n1\nt\0x 0 1\n", 13 },
		{ "NUL after last line", "0\n1\nt 0 1\n\0", 11 },
		{ "duplicate partition", "0\n2\nt 0 1\nt 0 2\n", 0 },
		{ "topic too long", NULL, 0 },
	};
	char p[256];
	cp_path(p, sizeof p, "recovery-point-offset-checkpoint");
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		char longt[400];
		const char *text = bad[i].text;
		size_t len = bad[i].len ? bad[i].len : (text ? strlen(text) : 0);
		if (!text) {
			memcpy(longt, "0\n1\n", 4);
			memset(longt + 4, 'x', 256);
			memcpy(longt + 260, " 0 1\n", 6);
			text = longt;
			len = strlen(longt);
		}
		write_text(p, text, len);
		struct checkpoint_entry *out = (void *)1;
		int n = -7;
		ck_assert_msg(checkpoint_read(p, &out, &n) == -EINVAL, "accepted: %s", bad[i].what);
		ck_assert_msg(out == (void *)1 && n == -7, "outputs touched: %s", bad[i].what);
	}
	/* the good form of the same content still reads */
	write_text(p, "0\n2\nt 0 1\nt 1 2\n", 16);
	struct checkpoint_entry *out;
	int n;
	ck_assert_int_eq(checkpoint_read(p, &out, &n), 0);
	ck_assert_int_eq(n, 2);
	free(out);
	/* a directory where the file should be */
	char *dir = strdup(p);
	*strrchr(dir, '/') = '\0';
	ck_assert_int_eq(checkpoint_read(dir, &out, &n), -EINVAL);
	free(dir);
}
END_TEST

int main(void)
{
	if (sfx_setup("storage-epoch") < 0)
		return 1;
	log_set_level(LOG_WARN);
	Suite *s = suite_create("storage_epoch");
	TCase *tc = tcase_create("epoch");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_epoch_assign_and_end_offsets);
	tcase_add_test(tc, test_epoch_truncate_to);
	tcase_add_test(tc, test_epoch_persist_and_reload);
	tcase_add_test(tc, test_epoch_rebuild_after_delete);
	tcase_add_test(tc, test_epoch_rebuild_bad_file);
	tcase_add_test(tc, test_epoch_unsynced_write_lost_in_crash);
	tcase_add_test(tc, test_epoch_missing_middle_needs_scan);
	tcase_add_test(tc, test_epoch_file_clamped_to_log);
	tcase_add_test(tc, test_epoch_replica_follows_batches);
	tcase_add_test(tc, test_epoch_retention_moves_first_entry);
	tcase_add_test(tc, test_truncate_fully_and_start_at);
	suite_add_tcase(s, tc);
	TCase *tk = tcase_create("checkpoint");
	tcase_add_test(tk, test_checkpoint_round_trip);
	tcase_add_test(tk, test_checkpoint_malformed);
	suite_add_tcase(s, tk);
	return sfx_run(s, 0);
}
