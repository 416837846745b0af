/* Log start offset (DeleteRecords, KIP-107) in broker/storage: advancing
 * it into a segment, reads below it refused, segments wholly below it
 * deleted (the active one never), not past the LEO, never backwards,
 * retention keeps it, follower truncation below it starts over, and a
 * reopen starts at the first segment (the caller's checkpoint restores it). */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "broker/storage/log.h"
#include "common/proto/record_batch.h"
#include "tests/unit/storage_fixture.h"

/* n batches of 2 records */
static void append_n(struct partition_log *log, int n)
{
	for (int i = 0; i < n; i++)
		sfx_append(log, 2, "v", 1, 1000, 0);
}

static int seg_exists(const char *d, int64_t base)
{
	char p[256];
	struct stat st;
	snprintf(p, sizeof p, "%s/%020lld.log", d, (long long)base);
	return stat(p, &st) == 0;
}

static struct partition_log *open_log(char *d, size_t cap, struct log_config *cfg)
{
	snprintf(d, cap, "%s", sfx_new_dir());
	log_config_defaults(cfg);
	cfg->segment_bytes = 300; /* about 3 batches of 2 records */
	struct partition_log *log;
	ck_assert_int_eq(log_open(d, cfg, NULL, &log), 0);
	return log;
}

START_TEST(test_advance)
{
	char d[128];
	struct log_config cfg;
	struct partition_log *log = open_log(d, sizeof d, &cfg);
	append_n(log, 20); /* offsets 0..39 */
	ck_assert_int_eq(log_end_offset(log), 40);
	ck_assert(seg_exists(d, 0));
	ck_assert_int_eq(log_advance_start_offset(log, 41), -ERANGE);
	ck_assert_int_eq(log_start_offset(log), 0);
	ck_assert_int_eq(log_advance_start_offset(log, 15), 0);
	ck_assert_int_eq(log_start_offset(log), 15);
	ck_assert(!seg_exists(d, 0)); /* wholly below 15 */
	struct log_slice s;
	ck_assert_int_eq(log_read(log, 14, 1 << 20, 40, &s), -ERANGE);
	ck_assert_int_eq(log_read(log, 15, 1 << 20, 40, &s), 0);
	ck_assert_int_gt(s.len, 0);
	ck_assert_int_le(s.first_offset, 15); /* the batch holding 15 */
	ck_assert_int_eq(log_advance_start_offset(log, 10), 0); /* never back */
	ck_assert_int_eq(log_start_offset(log), 15);
	/* the whole log: only the active segment stays */
	ck_assert_int_eq(log_advance_start_offset(log, 40), 0);
	ck_assert_int_eq(log_start_offset(log), 40);
	ck_assert_int_eq(log_read(log, 39, 1 << 20, 40, &s), -ERANGE);
	ck_assert_int_eq(log_read(log, 40, 1 << 20, 40, &s), 0);
	ck_assert_int_eq(s.len, 0);
	append_n(log, 1);
	ck_assert_int_eq(log_end_offset(log), 42);
	log_close(log);
}
END_TEST

START_TEST(test_retention_and_truncation)
{
	char d[128];
	struct log_config cfg;
	struct partition_log *log = open_log(d, sizeof d, &cfg);
	append_n(log, 20);
	ck_assert_int_eq(log_advance_start_offset(log, 7), 0);
	/* retention deleting the segment that holds 7 moves the start to the
	 * next base; one that does not keeps 7 */
	cfg.retention_bytes = 1 << 20;
	log_set_config(log, &cfg);
	log_tick(log, 0);
	ck_assert_int_eq(log_start_offset(log), 7);
	/* follower truncation below the start: the log starts over there */
	ck_assert_int_eq(log_truncate_to(log, 5), 0);
	ck_assert_int_eq(log_start_offset(log), 5);
	ck_assert_int_eq(log_end_offset(log), 5);
	append_n(log, 1);
	ck_assert_int_eq(log_end_offset(log), 7);
	log_close(log);
}
END_TEST

START_TEST(test_reopen)
{
	char d[128];
	struct log_config cfg;
	struct partition_log *log = open_log(d, sizeof d, &cfg);
	append_n(log, 20);
	ck_assert_int_eq(log_advance_start_offset(log, 15), 0);
	log_close(log);
	ck_assert_int_eq(log_open(d, &cfg, NULL, &log), 0);
	/* segments below were deleted; inside the first one it is the
	 * caller's checkpoint that restores 15 */
	ck_assert_int_gt(log_start_offset(log), 0);
	ck_assert_int_le(log_start_offset(log), 15);
	ck_assert_int_eq(log_advance_start_offset(log, 15), 0);
	ck_assert_int_eq(log_start_offset(log), 15);
	ck_assert_int_eq(log_end_offset(log), 40);
	log_close(log);
}
END_TEST

int main(void)
{
	if (sfx_setup("lstart") < 0)
		return 1;
	Suite *s = suite_create("storage_start");
	TCase *tc = tcase_create("log start offset");
	tcase_add_test(tc, test_advance);
	tcase_add_test(tc, test_retention_and_truncation);
	tcase_add_test(tc, test_reopen);
	suite_add_tcase(s, tc);
	return sfx_run(s, 1);
}
