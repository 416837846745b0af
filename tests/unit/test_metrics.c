/* Unit tests of the metrics core (broker/metrics.c): the windowed latency
 * quantiles that the Prometheus summaries show, and label escaping. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "broker/metrics.h"

START_TEST(test_quantiles_follow_the_distribution)
{
	struct latency l = { 0 };
	for (int i = 0; i < 900; i++)
		latency_record(&l, 0.3, 1000);
	for (int i = 0; i < 100; i++)
		latency_record(&l, 40, 1000);
	ck_assert_uint_eq(l.count, 1000);
	ck_assert(latency_quantile(&l, 0.50, 1000) == 0.5);  /* the 0.5 ms bucket */
	ck_assert(latency_quantile(&l, 0.89, 1000) == 0.5);
	ck_assert(latency_quantile(&l, 0.95, 1000) == 50);   /* 40 ms lies in (30, 50] */
	ck_assert(latency_quantile(&l, 0.999, 1000) == 50);
}
END_TEST

START_TEST(test_quantiles_forget_old_windows)
{
	struct latency l = { 0 };
	latency_record(&l, 1000, 0);
	/* one window later the old sample still counts (previous window)... */
	latency_record(&l, 1, 30000);
	ck_assert(latency_quantile(&l, 0.99, 30000) == 1000);
	/* ...two windows later only what came since */
	latency_record(&l, 1, 60000);
	ck_assert(latency_quantile(&l, 0.99, 60001) == 1);
	/* with nothing recent the quantile is 0, the all-time count stays */
	ck_assert(latency_quantile(&l, 0.5, 200000) == 0);
	ck_assert_uint_eq(l.count, 3);
}
END_TEST

START_TEST(test_huge_latency_lands_in_the_last_bucket)
{
	struct latency l = { 0 };
	latency_record(&l, 1e9, 5);
	ck_assert(latency_quantile(&l, 0.5, 5) == 60000);
	ck_assert(l.sum_ms == 1e9);
}
END_TEST

START_TEST(test_label_values_are_escaped)
{
	struct mtext t = { 0 };
	const char *v = "a\"b\\c\nd";
	mtext_label(&t, v, strlen(v));
	ck_assert_str_eq(t.p, "a\\\"b\\\\c\\nd");
	mtext_printf(&t, " %d", 7);
	ck_assert_str_eq(t.p, "a\\\"b\\\\c\\nd 7");
	free(t.p);
}
END_TEST

START_TEST(test_topic_counters_are_created_once)
{
	struct broker_metrics *m = metrics_new();
	struct topic_metrics *a = metrics_topic(m, "orders", 6);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_eq(metrics_topic(m, "ordersXYZ", 6), a);
	metrics_count_append(m, a, 10, 1000);
	metrics_count_produce(m, a, 0);
	metrics_count_produce(m, a, 6);
	ck_assert_uint_eq(a->messages_in, 10);
	ck_assert_uint_eq(m->all.bytes_in, 1000);
	ck_assert_uint_eq(a->produce_total, 2);
	ck_assert_uint_eq(a->produce_failed, 1);
	metrics_request_done(m, 0, 7, 2.5, 0);
	metrics_request_done(m, 9999, 0, 1, 0); /* out of range: ignored */
	ck_assert_uint_eq(m->requests[0][7], 1);
	ck_assert_uint_eq(m->total_time[0].count, 1);
	metrics_free(m);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("metrics");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_quantiles_follow_the_distribution);
	tcase_add_test(tc, test_quantiles_forget_old_windows);
	tcase_add_test(tc, test_huge_latency_lands_in_the_last_bucket);
	tcase_add_test(tc, test_label_values_are_escaped);
	tcase_add_test(tc, test_topic_counters_are_created_once);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
