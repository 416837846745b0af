/* Transactions (broker/txn): the coordinator's state machine (every
 * transition, legal and illegal, against a table written out by hand from
 * docs/zookeeper.md §5), the partition-side tracker (open transactions, last
 * stable offset, aborted index queries, pruning), marker batches (build and
 * parse, malformed input), and a real partition log: LSO, aborted index
 * and INVALID_TXN_STATE survive a reopen (rebuilt from the log, also over
 * a producer snapshot). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "broker/storage/log.h"
#include "broker/txn/producer_state_manager.h"
#include "psm_fixture.h"
#include "broker/txn/txn_state.h"
#include "broker/txn/txn_tracker.h"
#include "common/proto/kerr.h"
#include "common/proto/record_batch.h"

static char root[64];
static int dir_seq;

/* ---- state machine ---- */

/* "from>to" pairs Kafka allows; every other pair is illegal */
static const char *const allowed[] = {
	"Empty>Empty", "CompleteCommit>Empty", "CompleteAbort>Empty",
	"Ongoing>Ongoing", "Empty>Ongoing", "CompleteCommit>Ongoing", "CompleteAbort>Ongoing",
	"Ongoing>PrepareCommit",
	"Ongoing>PrepareAbort", "PrepareEpochFence>PrepareAbort",
	"PrepareCommit>CompleteCommit",
	"PrepareAbort>CompleteAbort",
	"Empty>Dead", "CompleteCommit>Dead", "CompleteAbort>Dead",
	"Ongoing>PrepareEpochFence",
};

static int listed(int from, int to)
{
	char key[64];
	snprintf(key, sizeof key, "%s>%s", txn_status_name(from), txn_status_name(to));
	for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++)
		if (strcmp(allowed[i], key) == 0)
			return 1;
	return 0;
}

START_TEST(test_every_transition)
{
	int legal = 0;
	for (int from = 0; from < TXN_NSTATUS; from++)
		for (int to = 0; to < TXN_NSTATUS; to++) {
			int want = listed(from, to);
			legal += want;
			ck_assert_msg(txn_transition_allowed(from, to) == want, "%s -> %s: expected %s",
				      txn_status_name(from), txn_status_name(to),
				      want ? "legal" : "illegal");
		}
	ck_assert_int_eq(legal, (int)(sizeof allowed / sizeof allowed[0]));
	ck_assert(!txn_transition_allowed(-1, TXN_EMPTY));
	ck_assert(!txn_transition_allowed(TXN_EMPTY, TXN_NSTATUS));
	ck_assert(!txn_transition_allowed(TXN_NSTATUS, TXN_EMPTY));
}
END_TEST

START_TEST(test_state_names)
{
	for (int s = 0; s < TXN_NSTATUS; s++) {
		const char *n = txn_status_name(s);
		ck_assert_int_eq(txn_status_from_name(n, (int32_t)strlen(n)), s);
	}
	ck_assert_str_eq(txn_status_name(2), "PrepareCommit");
	ck_assert_str_eq(txn_status_name(99), "Unknown");
	ck_assert_int_eq(txn_status_from_name("Ongoin", 6), -1);
	ck_assert_int_eq(txn_status_from_name("Ongoingx", 8), -1);
	ck_assert_int_eq(txn_status_from_name(NULL, -1), -1);
	ck_assert(txn_status_persistable(TXN_DEAD));
	ck_assert(!txn_status_persistable(TXN_PREPARE_EPOCH_FENCE));
}
END_TEST

/* ---- tracker ---- */

START_TEST(test_tracker_lso_and_aborted)
{
	struct txn_tracker t;
	tt_init(&t);
	ck_assert_int_eq(tt_lso(&t, 100), 100);
	ck_assert_int_eq(tt_on_data(&t, 7, 10), 0);
	ck_assert_int_eq(tt_on_data(&t, 7, 12), 0); /* still the first offset 10 */
	ck_assert_int_eq(tt_on_data(&t, 8, 11), 0);
	ck_assert_int_eq(tt_open_first(&t, 7), 10);
	ck_assert_int_eq(tt_lso(&t, 100), 10);
	ck_assert_int_eq(tt_lso(&t, 5), 5); /* never above the high watermark */
	ck_assert_int_eq(tt_on_marker(&t, 7, 15, TXN_MARKER_ABORT), 10);
	ck_assert_int_eq(tt_lso(&t, 100), 11);
	ck_assert_int_eq(tt_on_marker(&t, 8, 16, TXN_MARKER_COMMIT), 11);
	ck_assert_int_eq(tt_lso(&t, 100), 100);
	ck_assert_int_eq(tt_on_marker(&t, 8, 17, TXN_MARKER_ABORT), -1); /* none open */
	ck_assert_int_eq(tt_on_data(&t, 9, 20), 0);
	ck_assert_int_eq(tt_on_marker(&t, 9, 25, TXN_MARKER_ABORT), 20);
	ck_assert_uint_eq(t.nab, 2);

	struct txn_aborted out[4];
	/* [from, upper): last_offset >= from and first_offset < upper */
	ck_assert_uint_eq(tt_aborted(&t, 0, 100, out, 4), 2);
	ck_assert_int_eq(out[0].producer_id, 7);
	ck_assert_int_eq(out[0].first_offset, 10);
	ck_assert_int_eq(out[1].last_offset, 25);
	ck_assert_uint_eq(tt_aborted(&t, 15, 100, out, 4), 2); /* marker at 15 counts */
	ck_assert_uint_eq(tt_aborted(&t, 16, 100, out, 4), 1);
	ck_assert_int_eq(out[0].producer_id, 9);
	ck_assert_uint_eq(tt_aborted(&t, 0, 20, out, 4), 1);  /* txn 9 starts at 20 */
	ck_assert_uint_eq(tt_aborted(&t, 0, 10, out, 4), 0);
	ck_assert_uint_eq(tt_aborted(&t, 26, 100, out, 4), 0);
	ck_assert_uint_eq(tt_aborted(&t, 0, 100, out, 1), 1); /* max respected */

	tt_prune(&t, 16);
	ck_assert_uint_eq(t.nab, 1);
	ck_assert_int_eq(t.ab[0].producer_id, 9);
	tt_clear(&t);
	ck_assert_uint_eq(t.nab, 0);
	ck_assert_int_eq(tt_lso(&t, 3), 3);
	tt_free(&t);
}
END_TEST

START_TEST(test_marker_build_parse)
{
	uint8_t *b;
	size_t len;
	int32_t ce;
	ck_assert_int_eq(txn_marker_build(5, 3, TXN_MARKER_COMMIT, 77, 1000, &b, &len), 0);
	struct rb_header h;
	ck_assert_int_eq(rb_validate(b, len, &h), 0);
	ck_assert(h.attributes & RB_ATTR_CONTROL);
	ck_assert(h.attributes & RB_ATTR_TRANSACTIONAL);
	ck_assert_int_eq(h.producer_id, 5);
	ck_assert_int_eq(h.producer_epoch, 3);
	ck_assert_int_eq(h.base_sequence, -1);
	ck_assert_int_eq(txn_marker_parse(b, len, &ce), TXN_MARKER_COMMIT);
	ck_assert_int_eq(ce, 77);
	/* every truncation is refused or parsed without reading past it */
	for (size_t n = 0; n < len; n++) {
		uint8_t *cut = malloc(n + 1);
		memcpy(cut, b, n);
		int t = txn_marker_parse(cut, n, &ce);
		ck_assert(t == -1 || t == TXN_MARKER_COMMIT);
		free(cut);
	}
	free(b);
	ck_assert_int_eq(txn_marker_build(5, 3, TXN_MARKER_ABORT, 1, 1000, &b, &len), 0);
	ck_assert_int_eq(txn_marker_parse(b, len, &ce), TXN_MARKER_ABORT);
	b[21 + 1] &= (uint8_t)~RB_ATTR_CONTROL; /* no longer a control batch */
	ck_assert_int_eq(txn_marker_parse(b, len, &ce), -1);
	free(b);
}
END_TEST

/* ---- a real log ---- */

static int64_t append(struct partition_log *log, const uint8_t *buf, size_t len)
{
	int64_t base;
	uint8_t copy[1024];
	ck_assert_uint_le(len, sizeof copy);
	memcpy(copy, buf, len);
	ck_assert_int_eq(log_append(log, copy, len, 0, &base), 0);
	psm_on_append(psm_of(log), copy, len);
	return base;
}

static int64_t append_data(struct partition_log *log, int64_t pid, int16_t epoch, int32_t seq,
			   int txn)
{
	struct rb_build_record r[2] = { { "k", 1, "v", 1 }, { "k", 1, "w", 1 } };
	uint8_t buf[512];
	int64_t len = rb_build(buf, sizeof buf, r, 2, 1000, txn ? RB_ATTR_TRANSACTIONAL : 0, pid,
			       epoch, seq);
	ck_assert_int_gt(len, 0);
	return append(log, buf, (size_t)len);
}

static int64_t append_marker(struct partition_log *log, int64_t pid, int16_t epoch, int type,
			     int32_t cepoch)
{
	uint8_t *b;
	size_t len;
	ck_assert_int_eq(txn_marker_build(pid, epoch, type, cepoch, 1000, &b, &len), 0);
	int64_t off = append(log, b, len);
	free(b);
	return off;
}

static struct rb_header hdr_of(int64_t pid, int16_t epoch, int32_t seq, int txn)
{
	struct rb_header h = { 0 };
	h.producer_id = pid;
	h.producer_epoch = epoch;
	h.base_sequence = seq;
	h.last_offset_delta = 1;
	h.attributes = txn ? RB_ATTR_TRANSACTIONAL : 0;
	return h;
}

static void check_state(struct partition_log *log)
{
	/* offsets: 0-1 p1 txn (aborted at 4), 2-3 p2 txn (open), 4 abort
	 * marker p1, 5-6 p3 plain */
	struct txn_aborted out[4];
	ck_assert_int_eq(psm_lso(psm_of(log), 7), 2);
	ck_assert_uint_eq(psm_aborted(psm_of(log), 0, 7, out, 4), 1);
	ck_assert_int_eq(out[0].producer_id, 1);
	ck_assert_int_eq(out[0].first_offset, 0);
	ck_assert_int_eq(out[0].last_offset, 4);
	int dup;
	int64_t off;
	struct rb_header h = hdr_of(2, 0, 2, 0);
	ck_assert_int_eq(psm_check_produce(psm_of(log), &h, &dup, &off), KERR_INVALID_TXN_STATE);
	h = hdr_of(2, 0, 2, 1);
	ck_assert_int_eq(psm_check_produce(psm_of(log), &h, &dup, &off), 0);
	/* the marker fenced lower coordinator epochs and producer epochs */
	ck_assert_int_eq(psm_check_marker(psm_of(log), 1, 0, 4), KERR_TRANSACTION_COORDINATOR_FENCED);
	ck_assert_int_eq(psm_check_marker(psm_of(log), 1, 0, 5), 0);
	ck_assert_int_eq(psm_check_marker(psm_of(log), 1, 1, 6), 0);
	const struct ps_entry *e = ps_find(&psm_of(log)->state, 2);
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(e->current_txn_first_offset, 2);
}

START_TEST(test_log_rebuild)
{
	char d[128];
	snprintf(d, sizeof d, "%s/p%d", root, dir_seq++);
	struct log_config cfg;
	log_config_defaults(&cfg);
	struct partition_log *log;
	ck_assert_int_eq(log_open(d, &cfg, NULL, &log), 0);
	ck_assert_ptr_nonnull(psm_fixture_open(log));
	ck_assert_int_eq(append_data(log, 1, 0, 0, 1), 0);
	ck_assert_int_eq(append_data(log, 2, 0, 0, 1), 2);
	ck_assert_int_eq(psm_lso(psm_of(log), 4), 0);
	ck_assert_int_eq(append_marker(log, 1, 0, TXN_MARKER_ABORT, 5), 4);
	ck_assert_int_eq(append_data(log, 3, 0, 0, 0), 5);
	check_state(log);

	/* crash: rebuilt from the log alone */
	psm_fixture_close(log, 0);
	log_close(log);
	ck_assert_int_eq(log_open(d, &cfg, NULL, &log), 0);
	ck_assert_ptr_nonnull(psm_fixture_open(log));
	check_state(log);

	/* clean close: snapshot at 7, the tracker still from the whole log */
	psm_fixture_close(log, 1);
	log_close(log);
	ck_assert_int_eq(log_open(d, &cfg, NULL, &log), 0);
	ck_assert_ptr_nonnull(psm_fixture_open(log));
	check_state(log);

	/* commit of p2: nothing open, LSO = hw, still one aborted */
	ck_assert_int_eq(append_marker(log, 2, 0, TXN_MARKER_COMMIT, 5), 7);
	ck_assert_int_eq(psm_lso(psm_of(log), 8), 8);
	struct txn_aborted out[2];
	ck_assert_uint_eq(psm_aborted(psm_of(log), 0, 8, out, 2), 1);
	psm_fixture_close(log, 1);
	log_close(log);
}
END_TEST

/* Produce-time verification (broker/txn/txn_verify.c relies on these): a
 * producer's transaction is open here only at its epoch, and a guard taken
 * before asking the coordinator is voided by any marker of that producer
 * (not of others) and by a rebuild. */
START_TEST(test_verify_guards)
{
	char d[128];
	snprintf(d, sizeof d, "%s/p%d", root, dir_seq++);
	struct log_config cfg;
	log_config_defaults(&cfg);
	struct partition_log *log;
	ck_assert_int_eq(log_open(d, &cfg, NULL, &log), 0);
	ck_assert_ptr_nonnull(psm_fixture_open(log));
	ck_assert(!psm_txn_open_at(psm_of(log), 1, 0));
	uint64_t g1 = psm_verify_begin(psm_of(log), 1), g2 = psm_verify_begin(psm_of(log), 2);
	ck_assert(g1 != PSM_GUARD_NONE && g1 != PSM_GUARD_VOID && g2 != g1);
	ck_assert(psm_verify_valid(psm_of(log), 1, g1));
	ck_assert(!psm_verify_valid(psm_of(log), 2, g1)); /* guards are per producer */
	ck_assert_int_eq(append_data(log, 1, 0, 0, 1), 0);
	ck_assert(psm_txn_open_at(psm_of(log), 1, 0));
	ck_assert(!psm_txn_open_at(psm_of(log), 1, 1)); /* another epoch: verify again */
	ck_assert(psm_verify_valid(psm_of(log), 1, g1)); /* data does not void it */
	append_marker(log, 1, 0, TXN_MARKER_COMMIT, 3);
	ck_assert(!psm_txn_open_at(psm_of(log), 1, 0));
	ck_assert(!psm_verify_valid(psm_of(log), 1, g1)); /* the transaction ended */
	ck_assert(psm_verify_valid(psm_of(log), 2, g2));  /* another producer's stays */
	psm_verify_end(psm_of(log), 2, g2);
	ck_assert(!psm_verify_valid(psm_of(log), 2, g2));
	uint64_t g3 = psm_verify_begin(psm_of(log), 2);
	ck_assert(psm_verify_valid(psm_of(log), 2, g3));
	psm_on_truncate(psm_of(log)); /* a rebuild voids every guard */
	ck_assert(!psm_verify_valid(psm_of(log), 2, g3));
	psm_fixture_close(log, 0);
	log_close(log);
	/* a log without a manager: nothing to guard, always valid */
	ck_assert_int_eq(psm_verify_begin(psm_of(log), 1), PSM_GUARD_NONE);
	ck_assert(psm_verify_valid(psm_of(log), 1, PSM_GUARD_NONE));
}
END_TEST

int main(void)
{
	snprintf(root, sizeof root, "/tmp/test_txn.XXXXXX");
	if (!mkdtemp(root))
		return 1;
	Suite *s = suite_create("txn");
	TCase *tc = tcase_create("state");
	tcase_add_test(tc, test_every_transition);
	tcase_add_test(tc, test_state_names);
	suite_add_tcase(s, tc);
	tc = tcase_create("tracker");
	tcase_add_test(tc, test_tracker_lso_and_aborted);
	tcase_add_test(tc, test_marker_build_parse);
	tcase_add_test(tc, test_log_rebuild);
	tcase_add_test(tc, test_verify_guards);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", root);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", root);
	return failed ? 1 : 0;
}
