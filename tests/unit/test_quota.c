/* Client quotas (broker/quota/quota.c): Kafka's sampled rate and its window,
 * the throttle-time formula, the precedence of the 8 entity combinations
 * and their metric tags, and a simulated client that obeys the throttle
 * times converging on its quota. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "broker/quota/quota.h"

static const struct qcfg cfg11 = { 11, 1000 };

START_TEST(test_rate_fresh_window_counts_samples_minus_one)
{
	struct qstat st = { 0 };
	qstat_record(&st, &cfg11, 10000, 5000);
	/* one sample only: Kafka assumes 10 whole windows have passed */
	ck_assert_int_eq(qrate_window_ms(&st, &cfg11, 5000), 10000);
	ck_assert_double_eq_tol(qrate_measure(&st, &cfg11, 5000), 1000.0, 1e-9);
	/* half a second later: still 10 s (elapsed 500 ms, 0 full windows) */
	ck_assert_int_eq(qrate_window_ms(&st, &cfg11, 5500), 10500);
}
END_TEST

START_TEST(test_rate_steady_stream)
{
	struct qstat st = { 0 };
	int64_t t = 0;
	for (int i = 0; i < 300; i++, t += 100)
		qstat_record(&st, &cfg11, 1000, t); /* 10 000 B/s for 30 s */
	double r = qrate_measure(&st, &cfg11, t);
	ck_assert_double_eq_tol(r, 10000.0, 1100.0);
	ck_assert_int_le(qrate_window_ms(&st, &cfg11, t), 12000);
	ck_assert_int_ge(qrate_window_ms(&st, &cfg11, t), 10000);
}
END_TEST

START_TEST(test_rate_stale_samples_reset)
{
	struct qstat st = { 0 };
	qstat_record(&st, &cfg11, 5e6, 0);
	/* silent for samples * window: every sample is obsolete */
	ck_assert_double_eq_tol(qrate_measure(&st, &cfg11, 11000), 0.0, 1e-9);
}
END_TEST

START_TEST(test_throttle_formula)
{
	/* (O - T) / T * W */
	ck_assert_int_eq(quota_throttle_ms(2000, 1000, 10000, INT32_MAX), 10000);
	ck_assert_int_eq(quota_throttle_ms(1500, 1000, 11000, INT32_MAX), 5500);
	ck_assert_int_eq(quota_throttle_ms(1000, 1000, 11000, INT32_MAX), 0);
	ck_assert_int_eq(quota_throttle_ms(900, 1000, 11000, INT32_MAX), 0);
	/* the request quota caps at one window */
	ck_assert_int_eq(quota_throttle_ms(400, 100, 10000, 1000), 1000);
	/* a zero bound (Kafka divides by it) gives the cap */
	ck_assert_int_eq(quota_throttle_ms(1, 0, 10000, 777), 777);
	/* rounding to the nearest ms */
	ck_assert_int_eq(quota_throttle_ms(1000.26, 1000, 1000, INT32_MAX), 0);
	ck_assert_int_eq(quota_throttle_ms(1000.6, 1000, 1000, INT32_MAX), 1);
}
END_TEST

static void set1(struct quotas *q, const char *u, const char *c, const char *key, const char *v)
{
	const char *k[1] = { key }, *vv[1] = { v };
	ck_assert_int_eq(quotas_set_entity(q, u, c, k, vv, 1), 0);
}

static double bound_of(struct quotas *q, int t, const char *u, const char *c, char *ut,
		       char *ct)
{
	double b;
	quotas_limit(q, (enum quota_type)t, u, c, ut, 256, ct, 256, &b);
	return b;
}

START_TEST(test_precedence_of_entities)
{
	struct quotas *q = quotas_new(11, 1);
	char ut[256], ct[256];
	set1(q, NULL, QUOTA_DEFAULT, "producer_byte_rate", "8");        /* 8 */
	ck_assert_double_eq(bound_of(q, QUOTA_PRODUCE, "alice", "app", ut, ct), 8);
	ck_assert_str_eq(ut, "");
	ck_assert_str_eq(ct, "app");
	set1(q, NULL, "app", "producer_byte_rate", "7");                /* 7 */
	ck_assert_double_eq(bound_of(q, QUOTA_PRODUCE, "alice", "app", ut, ct), 7);
	ck_assert_double_eq(bound_of(q, QUOTA_PRODUCE, "alice", "other", ut, ct), 8);
	set1(q, QUOTA_DEFAULT, NULL, "producer_byte_rate", "6");        /* 6 */
	ck_assert_double_eq(bound_of(q, QUOTA_PRODUCE, "alice", "app", ut, ct), 6);
	ck_assert_str_eq(ut, "alice");
	ck_assert_str_eq(ct, "");
	set1(q, QUOTA_DEFAULT, QUOTA_DEFAULT, "producer_byte_rate", "5"); /* 5 */
	ck_assert_double_eq(bound_of(q, QUOTA_PRODUCE, "alice", "app", ut, ct), 5);
	ck_assert_str_eq(ct, "app");
	set1(q, QUOTA_DEFAULT, "app", "producer_byte_rate", "4");       /* 4 */
	ck_assert_double_eq(bound_of(q, QUOTA_PRODUCE, "alice", "app", ut, ct), 4);
	ck_assert_double_eq(bound_of(q, QUOTA_PRODUCE, "alice", "x", ut, ct), 5);
	set1(q, "alice", NULL, "producer_byte_rate", "3");              /* 3 */
	ck_assert_double_eq(bound_of(q, QUOTA_PRODUCE, "alice", "app", ut, ct), 3);
	ck_assert_str_eq(ct, "");
	ck_assert_double_eq(bound_of(q, QUOTA_PRODUCE, "bob", "app", ut, ct), 4);
	set1(q, "alice", QUOTA_DEFAULT, "producer_byte_rate", "2");     /* 2 */
	ck_assert_double_eq(bound_of(q, QUOTA_PRODUCE, "alice", "app", ut, ct), 2);
	set1(q, "alice", "app", "producer_byte_rate", "1");             /* 1 */
	ck_assert_double_eq(bound_of(q, QUOTA_PRODUCE, "alice", "app", ut, ct), 1);
	ck_assert_str_eq(ut, "alice");
	ck_assert_str_eq(ct, "app");
	/* each quota type is resolved on its own */
	ck_assert(isinf(bound_of(q, QUOTA_FETCH, "alice", "app", ut, ct)));
	quotas_free(q);
}
END_TEST

START_TEST(test_single_level_tags_and_removal)
{
	struct quotas *q = quotas_new(11, 1);
	char ut[256], ct[256];
	ck_assert(!quotas_enabled(q, QUOTA_FETCH));
	set1(q, "alice", NULL, "consumer_byte_rate", "1000");
	ck_assert(quotas_enabled(q, QUOTA_FETCH));
	/* only user quotas: tags are the user alone, whatever the client */
	ck_assert_double_eq(bound_of(q, QUOTA_FETCH, "alice", "c1", ut, ct), 1000);
	ck_assert_str_eq(ct, "");
	ck_assert(isinf(bound_of(q, QUOTA_FETCH, "bob", "c1", ut, ct)));
	ck_assert_str_eq(ut, "bob");
	/* a node rewritten without the key removes it; SCRAM keys are ignored */
	const char *k[1] = { "SCRAM-SHA-256" }, *v[1] = { "salt=x" };
	ck_assert_int_eq(quotas_set_entity(q, "alice", NULL, k, v, 1), 0);
	ck_assert(isinf(bound_of(q, QUOTA_FETCH, "alice", "c1", ut, ct)));
	/* enabled stays on, as Kafka's until restart */
	ck_assert(quotas_enabled(q, QUOTA_FETCH));
	quotas_free(q);
}
END_TEST

START_TEST(test_values_parse_as_kafka)
{
	struct quotas *q = quotas_new(11, 1);
	char ut[256], ct[256];
	const char *k[3] = { "producer_byte_rate", "consumer_byte_rate", "request_percentage" };
	const char *v[3] = { "1.5", "2048", "12.5" };
	/* a LONG key with "1.5" is malformed: dropped, the rest applies */
	ck_assert_int_eq(quotas_set_entity(q, NULL, "c%3A1", k, v, 3), -1);
	ck_assert(isinf(bound_of(q, QUOTA_PRODUCE, "u", "c:1", ut, ct)));
	ck_assert_double_eq(bound_of(q, QUOTA_FETCH, "u", "c:1", ut, ct), 2048);
	ck_assert_double_eq(bound_of(q, QUOTA_REQUEST, "u", "c:1", ut, ct), 12.5);
	/* the client id is desanitized from its znode name */
	ck_assert_str_eq(ct, "c:1");
	quotas_free(q);
}
END_TEST

START_TEST(test_record_throttles_and_unrecord)
{
	struct quotas *q = quotas_new(11, 1);
	set1(q, NULL, "app", "producer_byte_rate", "1000");
	/* 20 000 B at once: 2000 B/s over the assumed 10 s window */
	ck_assert_int_eq(quotas_record(q, QUOTA_PRODUCE, "ANONYMOUS", "app", 20000, 0, INT32_MAX),
			 10000);
	/* other clients are not affected */
	ck_assert_int_eq(quotas_record(q, QUOTA_PRODUCE, "ANONYMOUS", "free", 1e9, 0, INT32_MAX),
			 0);
	quotas_unrecord(q, QUOTA_PRODUCE, "ANONYMOUS", "app", 20000, 0);
	ck_assert_int_eq(quotas_record(q, QUOTA_PRODUCE, "ANONYMOUS", "app", 5000, 1, INT32_MAX),
			 0);
	quotas_record_throttle(q, QUOTA_PRODUCE, "ANONYMOUS", "app", 40, 1);
	size_t pos = 0;
	int seen = 0;
	for (struct quota_sensor *s; (s = quotas_next_sensor(q, &pos));)
		if (strcmp(s->client, "app") == 0) {
			seen = 1;
			ck_assert_double_eq(s->bound, 1000);
			ck_assert_double_eq(qstat_sum(&s->throttle, &(struct qcfg){ 2, 30000 }, 1,
						      NULL), 40);
		}
	ck_assert(seen);
	/* a consumer may fetch at most bound * (samples - 1) * window at once */
	ck_assert(isinf(quotas_max_in_window(q, QUOTA_FETCH, "u", "app")));
	set1(q, NULL, "app", "consumer_byte_rate", "1000");
	ck_assert_double_eq(quotas_max_in_window(q, QUOTA_FETCH, "u", "app"), 10000);
	quotas_expire(q, 3600 * 1000 + 2);
	pos = 0;
	ck_assert_ptr_null(quotas_next_sensor(q, &pos));
	quotas_free(q);
}
END_TEST

/* A client sending 50 KB requests as fast as allowed, waiting out each
 * throttle (as the muted channel makes it), settles at its quota. */
START_TEST(test_obeying_client_converges_on_quota)
{
	struct quotas *q = quotas_new(11, 1);
	set1(q, "u", NULL, "producer_byte_rate", "1048576");
	int64_t t = 0, sent = 0, start_ms = 0, start_bytes = 0;
	while (t < 120000) {
		int32_t th = quotas_record(q, QUOTA_PRODUCE, "u", "c", 51200, t, INT32_MAX);
		sent += 51200;
		t += 5 + th; /* 5 ms per round trip, then the mute */
		if (start_ms == 0 && t >= 30000) {
			start_ms = t;
			start_bytes = sent;
		}
	}
	double rate = (double)(sent - start_bytes) / ((double)(t - start_ms) / 1000.0);
	ck_assert_double_eq_tol(rate, 1048576.0, 1048576.0 * 0.05);
	quotas_free(q);
}
END_TEST

START_TEST(test_throttled_replicas_lists)
{
	int bad;
	struct repl_throttled *t = repl_throttled_parse(" 0:1, 1:2 ,2:1,7:1", 1, &bad);
	ck_assert_ptr_nonnull(t);
	ck_assert(!bad && !t->all && t->n == 3);
	ck_assert_int_eq(t->parts[0], 0);
	ck_assert_int_eq(t->parts[1], 2);
	ck_assert_int_eq(t->parts[2], 7);
	free(t);
	ck_assert_ptr_null(repl_throttled_parse("0:2,1:3", 1, &bad)); /* none for broker 1 */
	ck_assert(!bad);
	t = repl_throttled_parse("*", 5, &bad);
	ck_assert(t && t->all);
	free(t);
	ck_assert_ptr_null(repl_throttled_parse("", 1, &bad));
	ck_assert(!bad);
	const char *wrong[] = { "0", "0:", ":1", "a:1", "0:1,", "0:1,,1:1", "-1:1", "0:1:2" };
	for (size_t i = 0; i < sizeof wrong / sizeof wrong[0]; i++) {
		ck_assert_msg(!repl_throttled_parse(wrong[i], 1, &bad) && bad, "%s accepted",
			      wrong[i]);
	}
}
END_TEST

START_TEST(test_simple_rate_window)
{
	/* Kafka's SimpleRate: no assumed history, at least one window */
	struct qstat st = { 0 };
	const struct qcfg cfg = { 11, 1000 };
	qstat_record(&st, &cfg, 1000000, 0);
	ck_assert_double_eq_tol(repl_rate(&st, &cfg, 0), 1000000.0, 1e-6);
	ck_assert_double_eq_tol(repl_rate(&st, &cfg, 500), 1000000.0, 1e-6);
	qstat_record(&st, &cfg, 1000000, 1500);
	ck_assert_double_eq_tol(repl_rate(&st, &cfg, 2000), 1000000.0, 1e-6);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("quota");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_rate_fresh_window_counts_samples_minus_one);
	tcase_add_test(tc, test_rate_steady_stream);
	tcase_add_test(tc, test_rate_stale_samples_reset);
	tcase_add_test(tc, test_throttle_formula);
	tcase_add_test(tc, test_precedence_of_entities);
	tcase_add_test(tc, test_single_level_tags_and_removal);
	tcase_add_test(tc, test_values_parse_as_kafka);
	tcase_add_test(tc, test_record_throttles_and_unrecord);
	tcase_add_test(tc, test_obeying_client_converges_on_quota);
	tcase_add_test(tc, test_throttled_replicas_lists);
	tcase_add_test(tc, test_simple_rate_window);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
