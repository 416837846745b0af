/* Producer state (broker/txn): the idempotence window (duplicates of each of
 * the last five batches, gaps, sequence wrap-around, epoch bumps, fencing,
 * unknown producers), snapshot encoding round trip and corruption, snapshot
 * files, and recovery of a real partition log (snapshot + header replay,
 * truncation, corrupt newest snapshot). */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "broker/storage/log.h"
#include "broker/txn/producer_state.h"
#include "broker/txn/producer_state_manager.h"
#include "psm_fixture.h"
#include "common/proto/kerr.h"
#include "common/proto/record_batch.h"

/* Every step that changes a producer state is followed by its invariant
 * check (ps_check_state): these wrappers shadow the functions below. */
static int record_checked(struct producer_state *s, int64_t pid, int16_t epoch, int32_t first,
			  int32_t last, int64_t last_offset, int32_t delta, int64_t ts)
{
	int rc = (ps_record)(s, pid, epoch, first, last, last_offset, delta, ts);
	ck_assert_int_eq(ps_check_state(s), 0);
	return rc;
}

static int record_header_checked(struct producer_state *s, const uint8_t *hdr, size_t avail)
{
	int rc = (ps_record_header)(s, hdr, avail);
	ck_assert_int_eq(ps_check_state(s), 0);
	return rc;
}

static int snapshot_decode_checked(const uint8_t *p, size_t len, struct producer_state *s)
{
	int rc = (ps_snapshot_decode)(p, len, s);
	ck_assert_int_eq(ps_check_state(s), 0);
	return rc;
}
#define ps_record(...) record_checked(__VA_ARGS__)
#define ps_record_header(...) record_header_checked(__VA_ARGS__)
#define ps_snapshot_decode(...) snapshot_decode_checked(__VA_ARGS__)

static char root[64];
static int dir_seq;

static const char *new_dir(void)
{
	static char p[128];
	snprintf(p, sizeof p, "%s/p%d", root, dir_seq++);
	return p;
}

/* check helper: returns the error; *dup and *off as ps_check sets them */
static int16_t check(const struct producer_state *s, int64_t pid, int16_t epoch,
		     int32_t first, int32_t last, int *dup, int64_t *off)
{
	*dup = -1;
	*off = -7;
	return ps_check(s, pid, epoch, first, last, dup, off);
}

/* Five batches of 10 records each, sequences 0..49, offsets 100.. */
static void fill_five(struct producer_state *s, int64_t pid)
{
	for (int i = 0; i < 5; i++)
		ck_assert_int_eq(ps_record(s, pid, 3, i * 10, i * 10 + 9, 100 + i * 10 + 9, 9, 1000 + i), 0);
}

START_TEST(test_dup_of_each_of_last_five)
{
	struct producer_state s;
	ps_init(&s);
	fill_five(&s, 7);
	int dup;
	int64_t off;
	for (int i = 0; i < 5; i++) {
		ck_assert_int_eq(check(&s, 7, 3, i * 10, i * 10 + 9, &dup, &off), 0);
		ck_assert_int_eq(dup, 1);
		ck_assert_int_eq(off, 100 + i * 10);
	}
	/* a sixth batch pushes the first out of the window */
	ck_assert_int_eq(ps_record(&s, 7, 3, 50, 59, 159, 9, 1005), 0);
	ck_assert_int_eq(check(&s, 7, 3, 0, 9, &dup, &off), KERR_OUT_OF_ORDER_SEQUENCE_NUMBER);
	ck_assert_int_eq(check(&s, 7, 3, 10, 19, &dup, &off), 0);
	ck_assert_int_eq(dup, 1);
	ck_assert_int_eq(off, 110);
	/* the next batch in sequence is new */
	ck_assert_int_eq(check(&s, 7, 3, 60, 64, &dup, &off), 0);
	ck_assert_int_eq(dup, 0);
	ps_free(&s);
}
END_TEST

START_TEST(test_gap_and_partial_overlap_rejected)
{
	struct producer_state s;
	ps_init(&s);
	fill_five(&s, 7);
	int dup;
	int64_t off;
	ck_assert_int_eq(check(&s, 7, 3, 51, 55, &dup, &off), KERR_OUT_OF_ORDER_SEQUENCE_NUMBER);
	ck_assert_int_eq(check(&s, 7, 3, 49, 55, &dup, &off), KERR_OUT_OF_ORDER_SEQUENCE_NUMBER);
	/* same first sequence, different length: not a duplicate */
	ck_assert_int_eq(check(&s, 7, 3, 40, 45, &dup, &off), KERR_OUT_OF_ORDER_SEQUENCE_NUMBER);
	ps_free(&s);
}
END_TEST

START_TEST(test_sequence_wraps_at_int32_max)
{
	struct producer_state s;
	ps_init(&s);
	ck_assert_int_eq(ps_record(&s, 1, 0, INT32_MAX - 4, INT32_MAX, 10, 4, 0), 0);
	int dup;
	int64_t off;
	ck_assert_int_eq(check(&s, 1, 0, 0, 3, &dup, &off), 0);
	ck_assert_int_eq(dup, 0);
	ck_assert_int_eq(check(&s, 1, 0, 1, 3, &dup, &off), KERR_OUT_OF_ORDER_SEQUENCE_NUMBER);
	/* a batch that wraps inside: header-based recording computes last seq */
	uint8_t buf[512];
	struct rb_build_record r[3] = { { "a", 1, "x", 1 }, { "b", 1, "y", 1 }, { "c", 1, "z", 1 } };
	int64_t len = rb_build(buf, sizeof buf, r, 3, 5, 0, 2, 0, INT32_MAX - 1);
	ck_assert_int_gt(len, 0);
	rb_set_base_offset(buf, 40);
	ck_assert_int_eq(ps_record_header(&s, buf, (size_t)len), 0);
	const struct ps_entry *e = ps_find(&s, 2);
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(e->batches[0].last_seq, 0);
	ck_assert_int_eq(e->batches[0].last_offset, 42);
	ck_assert_int_eq(check(&s, 2, 0, 1, 1, &dup, &off), 0);
	ck_assert_int_eq(dup, 0);
	ck_assert_int_eq(check(&s, 2, 0, INT32_MAX - 1, 0, &dup, &off), 0);
	ck_assert_int_eq(dup, 1);
	ck_assert_int_eq(off, 40);
	ps_free(&s);
}
END_TEST

/* Transactional offset commits are written with sequence -1: no sequence
 * history is kept, but their epoch fences an older producer epoch. */
START_TEST(test_sequence_minus_one_records_epoch_only)
{
	struct producer_state s;
	ps_init(&s);
	uint8_t buf[256];
	struct rb_build_record r[1] = { { "k", 1, "v", 1 } };
	int64_t len = rb_build(buf, sizeof buf, r, 1, 5, RB_ATTR_TRANSACTIONAL, 9, 3, -1);
	ck_assert_int_gt(len, 0);
	ck_assert_int_eq(ps_record_header(&s, buf, (size_t)len), 0);
	const struct ps_entry *e = ps_find(&s, 9);
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(e->epoch, 3);
	ck_assert_int_eq(e->nbatches, 0);
	int dup;
	int64_t off;
	ck_assert_int_eq(check(&s, 9, 2, 0, 0, &dup, &off), KERR_INVALID_PRODUCER_EPOCH);
	ck_assert_int_eq(check(&s, 9, 3, 0, 0, &dup, &off), 0);
	/* an older epoch's -1 batch (replayed) does not move the epoch back */
	len = rb_build(buf, sizeof buf, r, 1, 5, RB_ATTR_TRANSACTIONAL, 9, 1, -1);
	ck_assert_int_eq(ps_record_header(&s, buf, (size_t)len), 0);
	ck_assert_int_eq(ps_find(&s, 9)->epoch, 3);
	ps_free(&s);
}
END_TEST

START_TEST(test_epoch_bump_and_fencing)
{
	struct producer_state s;
	ps_init(&s);
	fill_five(&s, 9);
	int dup;
	int64_t off;
	/* lower epoch: fenced, even for what would be a duplicate */
	ck_assert_int_eq(check(&s, 9, 2, 50, 59, &dup, &off), KERR_INVALID_PRODUCER_EPOCH);
	ck_assert_int_eq(check(&s, 9, 2, 0, 9, &dup, &off), KERR_INVALID_PRODUCER_EPOCH);
	/* new epoch must start at 0 */
	ck_assert_int_eq(check(&s, 9, 4, 5, 9, &dup, &off), KERR_OUT_OF_ORDER_SEQUENCE_NUMBER);
	ck_assert_int_eq(check(&s, 9, 4, 0, 9, &dup, &off), 0);
	ck_assert_int_eq(dup, 0); /* seq 0..9 of epoch 3 is no duplicate at epoch 4 */
	ck_assert_int_eq(ps_record(&s, 9, 4, 0, 9, 300, 9, 2000), 0);
	const struct ps_entry *e = ps_find(&s, 9);
	ck_assert_int_eq(e->epoch, 4);
	ck_assert_int_eq(e->nbatches, 1); /* history cleared by the bump */
	ck_assert_int_eq(check(&s, 9, 3, 50, 59, &dup, &off), KERR_INVALID_PRODUCER_EPOCH);
	ck_assert_int_eq(check(&s, 9, 4, 10, 19, &dup, &off), 0);
	ps_free(&s);
}
END_TEST

START_TEST(test_unknown_producer_any_sequence)
{
	struct producer_state s;
	ps_init(&s);
	fill_five(&s, 100);
	int dup;
	int64_t off;
	ck_assert_int_eq(check(&s, 55, 0, 12345, 12350, &dup, &off), 0);
	ck_assert_int_eq(dup, 0);
	ck_assert_int_eq(check(&s, 101, 7, 1, 1, &dup, &off), 0);
	/* producers are kept sorted and independent */
	ck_assert_int_eq(ps_record(&s, 55, 0, 12345, 12350, 500, 5, 1), 0);
	ck_assert_int_eq(ps_record(&s, 1, 0, 0, 0, 501, 0, 1), 0);
	ck_assert_int_eq(s.n, 3);
	ck_assert(s.v[0].producer_id < s.v[1].producer_id && s.v[1].producer_id < s.v[2].producer_id);
	ck_assert_int_eq(check(&s, 100, 3, 50, 59, &dup, &off), 0);
	ck_assert_int_eq(dup, 0);
	ps_free(&s);
}
END_TEST

START_TEST(test_snapshot_round_trip)
{
	struct producer_state s, t;
	ps_init(&s);
	ps_init(&t);
	fill_five(&s, 7);
	ck_assert_int_eq(ps_record(&s, 3, 1, INT32_MAX - 1, 2, 77, 4, 99), 0); /* wrapped */
	uint8_t *p;
	size_t len;
	ck_assert_int_eq(ps_snapshot_encode(&s, &p, &len), 0);
	ck_assert_uint_eq(len, 10 + 2 * 46);
	ck_assert_int_eq(ps_snapshot_decode(p, len, &t), 0);
	ck_assert_uint_eq(t.n, 2);
	const struct ps_entry *e = ps_find(&t, 7);
	ck_assert_int_eq(e->epoch, 3);
	ck_assert_int_eq(e->nbatches, 1); /* only the newest batch, as Kafka */
	ck_assert_int_eq(e->batches[0].first_seq, 40);
	ck_assert_int_eq(e->batches[0].last_seq, 49);
	ck_assert_int_eq(e->batches[0].last_offset, 149);
	ck_assert_int_eq(e->batches[0].timestamp, 1004);
	e = ps_find(&t, 3);
	ck_assert_int_eq(e->batches[0].first_seq, INT32_MAX - 1);
	ck_assert_int_eq(e->batches[0].last_seq, 2);
	int dup;
	int64_t off;
	ck_assert_int_eq(check(&t, 7, 3, 40, 49, &dup, &off), 0);
	ck_assert_int_eq(dup, 1);
	ck_assert_int_eq(off, 140);
	ck_assert_int_eq(check(&t, 7, 3, 50, 50, &dup, &off), 0);
	ck_assert_int_eq(dup, 0);
	free(p);
	ps_free(&s);
	ps_free(&t);
}
END_TEST

START_TEST(test_snapshot_corruption_rejected)
{
	struct producer_state s, t;
	ps_init(&s);
	ps_init(&t);
	fill_five(&s, 7);
	ck_assert_int_eq(ps_record(&s, 8, 0, 0, 0, 200, 0, 1), 0);
	uint8_t *p;
	size_t len;
	ck_assert_int_eq(ps_snapshot_encode(&s, &p, &len), 0);
	ck_assert_int_eq(ps_record(&t, 1234, 0, 0, 0, 1, 0, 1), 0);
	for (size_t i = 0; i < len; i++) { /* every single flipped byte */
		p[i] ^= 0x40;
		ck_assert_int_eq(ps_snapshot_decode(p, len, &t), -EINVAL);
		p[i] ^= 0x40;
	}
	for (size_t l = 0; l < len; l++) /* every truncation */
		ck_assert_int_eq(ps_snapshot_decode(p, l, &t), -EINVAL);
	ck_assert_ptr_nonnull(ps_find(&t, 1234)); /* failures leave it alone */
	ck_assert_int_eq(ps_snapshot_decode(p, len, &t), 0);
	ck_assert_ptr_null(ps_find(&t, 1234));
	free(p);
	ps_free(&s);
	ps_free(&t);
}
END_TEST

START_TEST(test_snapshot_files_newest_valid_below)
{
	const char *d = new_dir();
	char cmd[256];
	snprintf(cmd, sizeof cmd, "mkdir -p %s", d);
	ck_assert_int_eq(system(cmd), 0);
	struct producer_state s, t;
	ps_init(&s);
	ps_init(&t);
	ck_assert_int_eq(ps_record(&s, 1, 0, 0, 4, 4, 4, 1), 0);
	ck_assert_int_eq(ps_snapshot_write(d, 5, &s, 1), 0);
	ck_assert_int_eq(ps_record(&s, 1, 0, 5, 9, 9, 4, 1), 0);
	ck_assert_int_eq(ps_snapshot_write(d, 10, &s, 0), 0);
	ck_assert_int_eq(ps_record(&s, 1, 0, 10, 14, 14, 4, 1), 0);
	ck_assert_int_eq(ps_snapshot_write(d, 15, &s, 1), 0);
	ck_assert_int_eq(ps_snapshot_load(d, 12, &t), 10);
	ck_assert_int_eq(ps_find(&t, 1)->batches[0].last_seq, 9);
	ck_assert_int_eq(ps_snapshot_load(d, 100, &t), 15);
	/* corrupt the newest: the next older one is used */
	char path[256];
	snprintf(path, sizeof path, "%s/%020d.snapshot", d, 15);
	FILE *f = fopen(path, "r+b");
	ck_assert_ptr_nonnull(f);
	fseek(f, 12, SEEK_SET);
	fputc(0x5a, f);
	fclose(f);
	ck_assert_int_eq(ps_snapshot_load(d, 100, &t), 10);
	ck_assert_int_eq(ps_snapshot_load(d, 4, &t), -1);
	ck_assert_uint_eq(t.n, 0);
	ck_assert_int_eq(ps_snapshot_delete_above(d, 5), 2);
	ck_assert_int_eq(ps_snapshot_load(d, 100, &t), 5);
	ps_free(&s);
	ps_free(&t);
}
END_TEST

/* Appends an idempotent batch of n records (pid, epoch, seq) to log. */
static int64_t append_idem(struct partition_log *log, int64_t pid, int16_t epoch,
			   int32_t seq, int n)
{
	struct rb_build_record r[8];
	for (int i = 0; i < n; i++)
		r[i] = (struct rb_build_record){ "k", 1, "v", 1 };
	uint8_t buf[1024];
	int64_t len = rb_build(buf, sizeof buf, r, n, 1000, 0, pid, epoch, seq);
	ck_assert_int_gt(len, 0);
	int64_t base;
	ck_assert_int_eq(log_append(log, buf, (size_t)len, 0, &base), 0);
	struct producer_state_manager *m = psm_of(log);
	if (m)
		psm_on_append(m, buf, (size_t)len);
	return base;
}

START_TEST(test_recovery_from_log_snapshot_and_truncation)
{
	const char *d = new_dir();
	struct log_config cfg;
	log_config_defaults(&cfg);
	struct partition_log *log;
	ck_assert_int_eq(log_open(d, &cfg, NULL, &log), 0);
	struct producer_state_manager *m = psm_fixture_open(log);
	ck_assert_ptr_nonnull(m);
	for (int i = 0; i < 4; i++)
		append_idem(log, 42, 0, i * 2, 2); /* offsets 0..7 */
	psm_tick(m, m->last_tick_ms + 60000, 1000); /* snapshot at 8 */
	ck_assert_int_eq(m->snapshot_offset, 8);
	for (int i = 4; i < 8; i++)
		append_idem(log, 42, 0, i * 2, 2); /* offsets 8..15 */
	append_idem(log, 43, 1, 0, 1);             /* offset 16 */

	/* crash (no clean snapshot): snapshot at 8 + replay 8..16 */
	psm_fixture_close(log, 0);
	log_close(log);
	ck_assert_int_eq(log_open(d, &cfg, NULL, &log), 0);
	m = psm_fixture_open(log);
	int dup;
	int64_t off;
	struct rb_header h = { .producer_id = 42, .producer_epoch = 0, .base_sequence = 14,
			       .last_offset_delta = 1 };
	ck_assert_int_eq(psm_check(m, &h, &dup, &off), 0);
	ck_assert_int_eq(dup, 1);
	ck_assert_int_eq(off, 14);
	h.base_sequence = 8; /* oldest of the replayed five */
	ck_assert_int_eq(psm_check(m, &h, &dup, &off), 0);
	ck_assert_int_eq(dup, 1);
	ck_assert_int_eq(off, 8);
	h.base_sequence = 16;
	ck_assert_int_eq(psm_check(m, &h, &dup, &off), 0);
	ck_assert_int_eq(dup, 0);
	ck_assert_ptr_nonnull(ps_find(&m->state, 43));

	/* truncation below the snapshot: it is deleted, state rebuilt from
	 * the log start */
	psm_tick(m, m->last_tick_ms + 60000, 1000); /* snapshot at 17 */
	ck_assert_int_eq(log_truncate_to(log, 6), 0);
	psm_on_truncate(m);
	ck_assert_ptr_null(ps_find(&m->state, 43));
	h.base_sequence = 6;
	ck_assert_int_eq(psm_check(m, &h, &dup, &off), 0);
	ck_assert_int_eq(dup, 0); /* next in sequence after 4..5 */
	h.base_sequence = 4;
	ck_assert_int_eq(psm_check(m, &h, &dup, &off), 0);
	ck_assert_int_eq(dup, 1);
	ck_assert_int_eq(off, 4);
	struct producer_state t;
	ps_init(&t);
	ck_assert_int_eq(ps_snapshot_load(d, INT64_MAX, &t), -1); /* 8 and 17 gone */

	/* clean close writes a snapshot at the LEO; a corrupt one is ignored */
	psm_fixture_close(log, 1);
	log_close(log);
	ck_assert_int_eq(ps_snapshot_load(d, INT64_MAX, &t), 6);
	char path[256];
	snprintf(path, sizeof path, "%s/%020d.snapshot", d, 6);
	FILE *f = fopen(path, "r+b");
	fseek(f, 20, SEEK_SET);
	fputc(0xff, f);
	fclose(f);
	ck_assert_int_eq(log_open(d, &cfg, NULL, &log), 0);
	m = psm_fixture_open(log);
	ck_assert_int_eq(m->snapshot_offset, -1);
	h.base_sequence = 4;
	ck_assert_int_eq(psm_check(m, &h, &dup, &off), 0);
	ck_assert_int_eq(dup, 1);
	ck_assert_int_eq(off, 4);
	psm_fixture_close(log, 0);
	log_close(log);
	ps_free(&t);
}
END_TEST

/* Plain producers' batches (no producer id) change no producer state:
 * no periodic snapshot for them, however far the log end moved; the
 * first batch with a producer id makes the next one due, and so does a
 * rebuild that replayed such batches after the newest snapshot. */
START_TEST(test_no_snapshot_for_plain_batches)
{
	const char *d = new_dir();
	struct log_config cfg;
	log_config_defaults(&cfg);
	struct partition_log *log;
	ck_assert_int_eq(log_open(d, &cfg, NULL, &log), 0);
	struct producer_state_manager *m = psm_fixture_open(log);
	for (int i = 0; i < 3; i++)
		append_idem(log, -1, -1, -1, 2); /* offsets 0..5, plain */
	psm_tick(m, m->last_tick_ms + 60000, 1000);
	ck_assert_int_eq(m->snapshot_offset, -1);
	struct producer_state t;
	ps_init(&t);
	ck_assert_int_eq(ps_snapshot_load(d, INT64_MAX, &t), -1);
	append_idem(log, 42, 0, 0, 2); /* offsets 6..7 */
	psm_tick(m, m->last_tick_ms + 60000, 1000);
	ck_assert_int_eq(m->snapshot_offset, 8);
	append_idem(log, -1, -1, -1, 2); /* 8..9, plain again */
	psm_tick(m, m->last_tick_ms + 60000, 1000);
	ck_assert_int_eq(m->snapshot_offset, 8);
	append_idem(log, 42, 0, 2, 2); /* 10..11 */
	/* crash: snapshot at 8, the replay records 42's batch at 10 */
	psm_fixture_close(log, 0);
	log_close(log);
	ck_assert_int_eq(log_open(d, &cfg, NULL, &log), 0);
	m = psm_fixture_open(log);
	ck_assert_int_eq(m->snapshot_offset, 8);
	psm_tick(m, m->last_tick_ms + 60000, 1000);
	ck_assert_int_eq(m->snapshot_offset, 12);
	ck_assert_int_eq(ps_snapshot_load(d, INT64_MAX, &t), 12);
	ck_assert_ptr_nonnull(ps_find(&t, 42));
	psm_fixture_close(log, 0);
	log_close(log);
	ps_free(&t);
}
END_TEST

/* An empty log gets no periodic snapshot; a snapshot above the log end
 * (batches a crash lost) is removed at open, before the log can grow past
 * it again with other batches. */
START_TEST(test_no_empty_snapshot_and_stray_removed)
{
	const char *d = new_dir();
	struct log_config cfg;
	log_config_defaults(&cfg);
	struct partition_log *log;
	ck_assert_int_eq(log_open(d, &cfg, NULL, &log), 0);
	struct producer_state_manager *m = psm_fixture_open(log);
	psm_tick(m, m->last_tick_ms + 60000, 1000);
	struct producer_state t, stray;
	ps_init(&t);
	ps_init(&stray);
	ck_assert_int_eq(ps_snapshot_load(d, INT64_MAX, &t), -1);
	append_idem(log, 42, 0, 0, 2); /* offsets 0..1 */
	psm_tick(m, m->last_tick_ms + 60000, 1000);
	ck_assert_int_eq(ps_snapshot_load(d, INT64_MAX, &t), 2);
	psm_fixture_close(log, 0);
	log_close(log);

	ck_assert_int_eq(ps_record(&stray, 77, 0, 2, 9, 9, 7, 1), 0);
	ck_assert_int_eq(ps_snapshot_write(d, 10, &stray, 0), 0);
	ck_assert_int_eq(log_open(d, &cfg, NULL, &log), 0);
	m = psm_fixture_open(log);
	ck_assert_int_eq(m->snapshot_offset, 2);
	ck_assert_ptr_null(ps_find(&m->state, 77));
	ck_assert_int_eq(ps_snapshot_load(d, INT64_MAX, &t), 2); /* 10 is gone */
	psm_fixture_close(log, 0);
	log_close(log);
	ps_free(&t);
	ps_free(&stray);
}
END_TEST

/* Logs that got data at the same moment snapshot at their own phases of
 * the interval, not all in one tick (a burst of one file per partition). */
#define SPREAD_LOGS 16
START_TEST(test_periodic_snapshots_spread)
{
	struct log_config cfg;
	log_config_defaults(&cfg);
	struct partition_log *logs[SPREAD_LOGS];
	struct producer_state_manager *ms[SPREAD_LOGS];
	int64_t t0 = 0, first_at[SPREAD_LOGS];
	for (int i = 0; i < SPREAD_LOGS; i++) {
		ck_assert_int_eq(log_open(new_dir(), &cfg, NULL, &logs[i]), 0);
		ms[i] = psm_fixture_open(logs[i]);
		ck_assert_ptr_nonnull(ms[i]);
		append_idem(logs[i], 42, 0, 0, 2);
		t0 = ms[i]->last_tick_ms > t0 ? ms[i]->last_tick_ms : t0;
		first_at[i] = -1;
	}
	int worst = 0;
	for (int tick = 1; tick <= 60; tick++) { /* 1 s ticks, 30 s interval */
		int n = 0;
		for (int i = 0; i < SPREAD_LOGS; i++) {
			int64_t before = ms[i]->snapshot_offset;
			psm_tick(ms[i], t0 + tick * 1000, 30000);
			if (ms[i]->snapshot_offset != before) {
				n++;
				first_at[i] = first_at[i] < 0 ? tick : first_at[i];
				append_idem(logs[i], 42, 0, 2 * tick, 2); /* moves again */
			}
		}
		worst = n > worst ? n : worst;
	}
	ck_assert_int_le(worst, 4);
	for (int i = 0; i < SPREAD_LOGS; i++) {
		ck_assert_int_ge(first_at[i], 1);
		ck_assert_int_le(first_at[i], 31); /* within one interval and a tick */
		psm_fixture_close(logs[i], 0);
		log_close(logs[i]);
	}
}
END_TEST

/* The checker itself: a state the leader would never build is reported. */
START_TEST(test_check_state_reports_breaches)
{
	struct producer_state s;
	ps_init(&s);
	ck_assert_int_eq((ps_record)(&s, 4, 0, 0, 4, 4, 4, 1), 0);
	ck_assert_int_eq(ps_check_state(&s), 0);
	ck_assert_int_eq((ps_record)(&s, 4, 0, 7, 9, 7, 2, 1), 0); /* gap 5..6 */
	ck_assert_int_eq(ps_check_state(&s), -1);
	ps_clear(&s);
	ck_assert_int_eq((ps_record)(&s, 4, 0, 0, 4, 4, 3, 1), 0); /* 5 seqs, 4 offsets */
	ck_assert_int_eq(ps_check_state(&s), -1);
	ps_free(&s);
}
END_TEST

int main(void)
{
	snprintf(root, sizeof root, "/tmp/test_producer_state.XXXXXX");
	if (!mkdtemp(root))
		return 1;
	Suite *s = suite_create("producer_state");
	TCase *tc = tcase_create("window");
	tcase_add_test(tc, test_dup_of_each_of_last_five);
	tcase_add_test(tc, test_gap_and_partial_overlap_rejected);
	tcase_add_test(tc, test_sequence_wraps_at_int32_max);
	tcase_add_test(tc, test_epoch_bump_and_fencing);
	tcase_add_test(tc, test_sequence_minus_one_records_epoch_only);
	tcase_add_test(tc, test_unknown_producer_any_sequence);
	suite_add_tcase(s, tc);
	tc = tcase_create("snapshot");
	tcase_add_test(tc, test_snapshot_round_trip);
	tcase_add_test(tc, test_snapshot_corruption_rejected);
	tcase_add_test(tc, test_snapshot_files_newest_valid_below);
	tcase_add_test(tc, test_recovery_from_log_snapshot_and_truncation);
	tcase_add_test(tc, test_no_empty_snapshot_and_stray_removed);
	tcase_add_test(tc, test_periodic_snapshots_spread);
	tcase_add_test(tc, test_no_snapshot_for_plain_batches);
	tcase_add_test(tc, test_check_state_reports_breaches);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", root);
	if (system(cmd) != 0)
		failed++;
	return failed ? 1 : 0;
}
