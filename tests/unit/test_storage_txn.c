/* Aborted-transaction index files (broker/storage/txn_index, Kafka's
 * .txnindex): entry layout, append/load/lookup, torn and corrupt tails,
 * truncation; and in a real log: files follow segments through rolls,
 * retention, follower truncation, and recovery rebuilds them from the
 * markers when the tracker (attached to the log) replays it. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "broker/storage/log.h"
#include "broker/storage/txn_index.h"
#include "broker/txn/producer_state_manager.h"
#include "psm_fixture.h"
#include "broker/txn/txn_tracker.h"
#include "common/proto/record_batch.h"
#include "tests/unit/storage_fixture.h"

/* A fresh directory, created (the txn index alone does not create one). */
static void new_dir(char *d, size_t cap)
{
	snprintf(d, cap, "%s", sfx_new_dir());
	ck_assert_int_eq(mkdir(d, 0755), 0);
}

static int64_t file_size(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 ? st.st_size : -1;
}

static struct txn_index_entry ent(int64_t pid, int64_t first, int64_t last, int64_t lso)
{
	return (struct txn_index_entry){ pid, first, last, lso };
}

START_TEST(test_append_load_lookup)
{
	char d[128];
	new_dir(d, sizeof d);
	struct txn_index ix;
	ck_assert_int_eq(txn_index_init(&ix, d, 100), 0);
	ck_assert_int_eq(txn_index_load(&ix), 0); /* no file: empty */
	ck_assert_int_eq(file_size(ix.path), -1);  /* created lazily */
	struct txn_index_entry e = ent(7, 90, 110, 111);
	ck_assert_int_eq(txn_index_append(&ix, &e), 0);
	e = ent(8, 105, 120, 106);
	ck_assert_int_eq(txn_index_append(&ix, &e), 0);
	e = ent(9, 125, 130, 131);
	ck_assert_int_eq(txn_index_append(&ix, &e), 0);
	ck_assert_int_eq(txn_index_append(&ix, &e), 0); /* replayed: no-op */
	e = ent(9, 10, 99, 100);
	ck_assert_int_eq(txn_index_append(&ix, &e), -EINVAL); /* below base */
	e = ent(9, 140, 135, 136);
	ck_assert_int_eq(txn_index_append(&ix, &e), -EINVAL); /* first > last */
	ck_assert_int_eq(file_size(ix.path), 3 * 34);
	ck_assert_str_eq(strrchr(ix.path, '/') + 1, "00000000000000000100.txnindex");

	/* Kafka's layout: version 0, pid, first, last, lso, big-endian */
	uint8_t raw[34];
	int fd = open(ix.path, O_RDONLY);
	ck_assert_int_eq(pread(fd, raw, 34, 0), 34);
	close(fd);
	static const uint8_t want[34] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 7,
					  0, 0, 0, 0, 0, 0, 0, 90,
					  0, 0, 0, 0, 0, 0, 0, 110,
					  0, 0, 0, 0, 0, 0, 0, 111 };
	ck_assert_mem_eq(raw, want, 34);
	txn_index_close(&ix);

	ck_assert_int_eq(txn_index_init(&ix, d, 100), 0);
	ck_assert_int_eq(txn_index_load(&ix), 0);
	ck_assert_int_eq(ix.n, 3);
	ck_assert_int_eq(ix.last_offset, 130);
	struct txn_index_entry out[4];
	int complete;
	/* overlap: last >= from and first < upper */
	ck_assert_int_eq(txn_index_collect(&ix, 0, 200, out, 4, &complete), 3);
	ck_assert_int_eq(out[1].producer_id, 8);
	ck_assert_int_eq(out[1].last_stable_offset, 106);
	ck_assert_int_eq(complete, 0); /* no lso reaches 200: later segments count */
	ck_assert_int_eq(txn_index_collect(&ix, 111, 200, out, 4, &complete), 2);
	ck_assert_int_eq(out[0].producer_id, 8);
	ck_assert_int_eq(txn_index_collect(&ix, 0, 100, out, 4, &complete), 1);
	ck_assert_int_eq(out[0].producer_id, 7);
	ck_assert_int_eq(complete, 1); /* entry 1's lso 111 >= 100 */
	ck_assert_int_eq(txn_index_collect(&ix, 131, 200, out, 4, &complete), 0);
	ck_assert_int_eq(txn_index_collect(&ix, 0, 200, out, 1, &complete), 1); /* max */
	txn_index_close(&ix);
}
END_TEST

START_TEST(test_torn_and_corrupt_tail)
{
	char d[128];
	new_dir(d, sizeof d);
	struct txn_index ix;
	ck_assert_int_eq(txn_index_init(&ix, d, 0), 0);
	struct txn_index_entry e = ent(1, 0, 5, 6);
	ck_assert_int_eq(txn_index_append(&ix, &e), 0);
	e = ent(2, 6, 9, 10);
	ck_assert_int_eq(txn_index_append(&ix, &e), 0);
	/* a crash mid-append leaves part of a third entry */
	int fd = open(ix.path, O_WRONLY | O_APPEND);
	ck_assert_int_eq(write(fd, "\0\0\0\0\0\0\0\0\0\3", 10), 10);
	close(fd);
	txn_index_close(&ix);
	ck_assert_int_eq(txn_index_init(&ix, d, 0), 0);
	ck_assert_int_eq(txn_index_load(&ix), 1);
	ck_assert_int_eq(ix.n, 2);
	ck_assert_int_eq(ix.last_offset, 9);
	ck_assert_int_eq(file_size(ix.path), 68); /* cut on disk */
	e = ent(3, 10, 12, 13);
	ck_assert_int_eq(txn_index_append(&ix, &e), 0);
	char path[256];
	snprintf(path, sizeof path, "%s", ix.path);
	txn_index_close(&ix);

	/* a corrupt entry (unknown version) cuts the index there */
	fd = open(path, O_WRONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pwrite(fd, "\0\1", 2, 34), 2);
	close(fd);
	ck_assert_int_eq(txn_index_init(&ix, d, 0), 0);
	ck_assert_int_eq(txn_index_load(&ix), 2);
	ck_assert_int_eq(ix.n, 1);
	ck_assert_int_eq(ix.last_offset, 5);
	txn_index_close(&ix);
	/* an entry below the segment base: also cut */
	char path6[256];
	snprintf(path6, sizeof path6, "%s/%020d.txnindex", d, 6);
	ck_assert_int_eq(rename(path, path6), 0);
	ck_assert_int_eq(txn_index_init(&ix, d, 6), 0); /* entry 0 ends at 5 < 6 */
	ck_assert_int_eq(txn_index_load(&ix), 1);
	ck_assert_int_eq(ix.n, 0);
	ck_assert_int_eq(file_size(ix.path), 0);
	txn_index_close(&ix);
}
END_TEST

START_TEST(test_truncate)
{
	char d[128];
	new_dir(d, sizeof d);
	struct txn_index ix;
	ck_assert_int_eq(txn_index_init(&ix, d, 100), 0);
	for (int i = 1; i <= 5; i++) {
		struct txn_index_entry e = ent(i, 100, 100 + 10 * i, 101 + 10 * i);
		ck_assert_int_eq(txn_index_append(&ix, &e), 0);
	}
	ck_assert_int_eq(txn_index_truncate(&ix, 131), 0); /* keeps 110..130 */
	ck_assert_int_eq(ix.n, 3);
	ck_assert_int_eq(ix.last_offset, 130);
	ck_assert_int_eq(txn_index_truncate(&ix, 120), 0); /* lastOffset >= 120 go */
	ck_assert_int_eq(ix.n, 1);
	ck_assert_int_eq(ix.last_offset, 110);
	ck_assert_int_eq(file_size(ix.path), 34);
	struct txn_index_entry e = ent(9, 111, 115, 116);
	ck_assert_int_eq(txn_index_append(&ix, &e), 0); /* appends after the cut */
	ck_assert_int_eq(ix.n, 2);
	ck_assert_int_eq(txn_index_reset(&ix), 0);
	ck_assert_int_eq(ix.n, 0);
	ck_assert_int_eq(file_size(ix.path), 0);
	txn_index_close(&ix);
}
END_TEST

/* ---- in a log ---- */

static int64_t append(struct partition_log *log, const uint8_t *buf, size_t len)
{
	int64_t base;
	uint8_t copy[1024];
	ck_assert_uint_le(len, sizeof copy);
	memcpy(copy, buf, len);
	ck_assert_int_eq(log_append(log, copy, len, 0, &base), 0);
	struct producer_state_manager *m = psm_of(log);
	if (m)
		psm_on_append(m, copy, len);
	return base;
}

static int64_t append_data(struct partition_log *log, int64_t pid, int txn)
{
	struct rb_build_record r[2] = { { "k", 1, "v", 1 }, { "k", 1, "w", 1 } };
	uint8_t buf[512];
	int64_t len = rb_build(buf, sizeof buf, r, 2, 1000, txn ? RB_ATTR_TRANSACTIONAL : 0, pid,
			       0, -1);
	ck_assert_int_gt(len, 0);
	return append(log, buf, (size_t)len);
}

static int64_t append_marker(struct partition_log *log, int64_t pid, int type)
{
	uint8_t *b;
	size_t len;
	ck_assert_int_eq(txn_marker_build(pid, 0, type, 1, 1000, &b, &len), 0);
	int64_t off = append(log, b, len);
	free(b);
	return off;
}

static void txn_path(char *p, size_t cap, const char *d, int64_t base)
{
	snprintf(p, cap, "%s/%020lld.txnindex", d, (long long)base);
}

static struct partition_log *open_attached(const char *d, const struct log_config *cfg)
{
	struct partition_log *log;
	ck_assert_int_eq(log_open(d, cfg, NULL, &log), 0);
	struct producer_state_manager *m = psm_fixture_open(log);
	ck_assert_ptr_nonnull(m);
	ck_assert_int_eq(tt_attach_log(&m->txns, log), 0);
	return log;
}

/* Fills a log with small segments (every 2 batches roll): p1 aborts
 * across segments, p2 commits, p3 aborts, p4 aborts. Returns the LEO. */
static int64_t fill(struct partition_log *log)
{
	ck_assert_int_eq(append_data(log, 1, 1), 0);   /* 0-1 */
	ck_assert_int_eq(append_data(log, 2, 1), 2);   /* 2-3 */
	ck_assert_int_eq(append_data(log, 1, 1), 4);   /* 4-5 */
	ck_assert_int_eq(append_marker(log, 1, TXN_MARKER_ABORT), 6);  /* p1 [0,6] lso 2 */
	ck_assert_int_eq(append_marker(log, 2, TXN_MARKER_COMMIT), 7);
	ck_assert_int_eq(append_data(log, 3, 1), 8);   /* 8-9 */
	ck_assert_int_eq(append_data(log, 9, 0), 10);  /* 10-11 plain */
	ck_assert_int_eq(append_marker(log, 3, TXN_MARKER_ABORT), 12); /* p3 [8,12] lso 13 */
	ck_assert_int_eq(append_data(log, 4, 1), 13);  /* 13-14 */
	ck_assert_int_eq(append_marker(log, 4, TXN_MARKER_ABORT), 15); /* p4 [13,15] */
	ck_assert_int_eq(append_data(log, 9, 0), 16);  /* 16-17 */
	return log_end_offset(log);
}

static void small_segments(struct log_config *cfg)
{
	log_config_defaults(cfg);
	cfg->segment_bytes = 150; /* about two batches each */
}

static void check_aborted(struct partition_log *log)
{
	struct txn_aborted out[8];
	ck_assert_int_eq(psm_lso(psm_of(log), 18), 18);
	ck_assert_uint_eq(psm_aborted(psm_of(log), 0, 18, out, 8), 3);
	ck_assert_int_eq(out[0].producer_id, 1);
	ck_assert_int_eq(out[0].first_offset, 0);
	ck_assert_int_eq(out[0].last_offset, 6);
	ck_assert_int_eq(out[0].last_stable_offset, 2); /* p2 still open then */
	ck_assert_int_eq(out[1].producer_id, 3);
	ck_assert_int_eq(out[1].last_stable_offset, 13);
	ck_assert_int_eq(out[2].producer_id, 4);
	ck_assert_uint_eq(psm_aborted(psm_of(log), 7, 18, out, 8), 2);
	ck_assert_uint_eq(psm_aborted(psm_of(log), 0, 8, out, 8), 1); /* p3 starts at 8 */
	ck_assert_uint_eq(psm_aborted(psm_of(log), 16, 18, out, 8), 0);
}

START_TEST(test_log_files_follow_segments)
{
	char d[128], p[256];
	snprintf(d, sizeof d, "%s", sfx_new_dir());
	struct log_config cfg;
	small_segments(&cfg);
	struct partition_log *log = open_attached(d, &cfg);
	ck_assert_int_eq(fill(log), 18);
	check_aborted(log);
	/* the in-memory list is empty: the files hold the index */
	ck_assert_uint_eq(psm_of(log)->txns.nab, 0);
	/* each entry sits in its marker's segment; find them via the lookup */
	struct txn_index_entry e[4];
	ck_assert_int_eq(log_txn_aborted(log, 0, 18, e, 4), 3);
	int files = 0;
	char first[256] = "";
	for (int64_t b = 0; b < 18; b++) {
		txn_path(p, sizeof p, d, b);
		if (file_size(p) > 0) {
			ck_assert_int_eq(file_size(p), 34);
			if (!files++)
				snprintf(first, sizeof first, "%s", p);
		}
	}
	ck_assert_int_eq(files, 3); /* markers 6, 12, 15 each in their own segment */

	/* follower truncation at 13: p4's entry (marker 15) goes */
	ck_assert_int_eq(log_truncate_to(log, 13), 0);
	psm_on_truncate(psm_of(log));
	ck_assert_int_eq(log_txn_aborted(log, 0, 18, e, 4), 2);
	ck_assert_int_eq(e[1].last_offset, 12);
	/* truncation inside the segment holding marker 12 */
	ck_assert_int_eq(log_truncate_to(log, 12), 0);
	psm_on_truncate(psm_of(log));
	ck_assert_int_eq(log_txn_aborted(log, 0, 18, e, 4), 1);

	/* retention deletes old segments and their .txnindex files */
	log_tick(log, 0);
	cfg.retention_bytes = 1;
	log_set_config(log, &cfg);
	log_tick(log, 0);
	ck_assert_int_gt(log_start_offset(log), 6);
	ck_assert_int_eq(file_size(first), -1); /* marker 6's segment is gone */
	ck_assert_int_eq(log_txn_aborted(log, 0, 18, e, 4), 0); /* only p1's was left */
	psm_fixture_close(log, 1);
	log_close(log);
}
END_TEST

/* Recovery: after a crash the .txnindex files of rescanned segments are
 * rebuilt from the markers (here: lost entirely, and one holding an entry
 * past the recovered end); after a clean close they are trusted. */
START_TEST(test_recovery_rebuilds)
{
	char d[128], p[256];
	snprintf(d, sizeof d, "%s", sfx_new_dir());
	struct log_config cfg;
	small_segments(&cfg);
	struct partition_log *log = open_attached(d, &cfg);
	ck_assert_int_eq(fill(log), 18);
	/* crash without flush: every .txnindex is lost */
	psm_fixture_close(log, 0);
	log_abandon(log);
	int removed = 0;
	for (int64_t b = 0; b < 18; b++) {
		txn_path(p, sizeof p, d, b);
		removed += unlink(p) == 0;
	}
	ck_assert_int_eq(removed, 3);
	log = open_attached(d, &cfg);
	check_aborted(log);
	ck_assert_uint_eq(psm_of(log)->txns.nab, 0);
	int files = 0;
	for (int64_t b = 0; b < 18; b++) {
		txn_path(p, sizeof p, d, b);
		files += file_size(p) == 34;
	}
	ck_assert_int_eq(files, 3); /* written again */

	/* clean close then reopen: the files are used as they are */
	psm_fixture_close(log, 1);
	log_close(log);
	log = open_attached(d, &cfg);
	check_aborted(log);

	/* an entry whose marker never reached the log (index ahead of data):
	 * recovery drops it */
	struct txn_index_entry ghost = ent(5, 16, 18, 19);
	struct txn_index ix;
	size_t last = 0;
	for (int64_t b = 17; b >= 0 && !last; b--) {
		snprintf(p, sizeof p, "%s/%020lld.log", d, (long long)b);
		if (file_size(p) >= 0)
			last = (size_t)b + 1;
	}
	ck_assert_uint_gt(last, 0);
	psm_fixture_close(log, 0);
	log_abandon(log);
	ck_assert_int_eq(txn_index_init(&ix, d, (int64_t)last - 1), 0);
	ck_assert_int_eq(txn_index_load(&ix), 0);
	ck_assert_int_eq(txn_index_append(&ix, &ghost), 0);
	txn_index_close(&ix);
	log = open_attached(d, &cfg);
	check_aborted(log);
	psm_fixture_close(log, 1);
	log_close(log);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("storage_txn");
	TCase *tc = tcase_create("txnindex");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_append_load_lookup);
	tcase_add_test(tc, test_torn_and_corrupt_tail);
	tcase_add_test(tc, test_truncate);
	tcase_add_test(tc, test_log_files_follow_segments);
	tcase_add_test(tc, test_recovery_rebuilds);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	if (sfx_setup("txnidx") < 0)
		return 1;
	return sfx_run(suite(), 1);
}
