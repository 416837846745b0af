/* Unit tests for common/: string map, arena, mailbox, event-loop timers. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/arena.h"
#include "common/log.h"
#include "common/mbox.h"
#include "common/net/loop.h"
#include "common/strmap.h"

START_TEST(test_strmap_put_get_delete_many)
{
	struct strmap m;
	strmap_init(&m);
	char key[32];
	for (long i = 0; i < 5000; i++) {
		int n = snprintf(key, sizeof key, "topic-%ld", i);
		ck_assert_int_eq(strmap_put(&m, key, (size_t)n, (void *)(i + 1)), 0);
	}
	ck_assert_uint_eq(m.used, 5000);
	for (long i = 0; i < 5000; i += 2) {
		int n = snprintf(key, sizeof key, "topic-%ld", i);
		ck_assert_ptr_eq(strmap_del(&m, key, (size_t)n), (void *)(i + 1));
	}
	for (long i = 0; i < 5000; i++) {
		int n = snprintf(key, sizeof key, "topic-%ld", i);
		void *want = i % 2 ? (void *)(i + 1) : NULL;
		ck_assert_ptr_eq(strmap_get(&m, key, (size_t)n), want);
	}
	/* re-inserting over tombstones must not grow without bound */
	for (int round = 0; round < 20; round++)
		for (long i = 0; i < 5000; i += 2) {
			int n = snprintf(key, sizeof key, "topic-%ld", i);
			strmap_put(&m, key, (size_t)n, (void *)1);
			strmap_del(&m, key, (size_t)n);
		}
	ck_assert_uint_le(m.cap, 16384);
	size_t seen = 0, pos = 0;
	const char *k;
	void *v;
	while (strmap_next(&m, &pos, &k, &v))
		seen++;
	ck_assert_uint_eq(seen, 2500);
	strmap_free(&m);
}
END_TEST

START_TEST(test_strmap_keys_are_binary_lengths)
{
	struct strmap m;
	strmap_init(&m);
	strmap_put(&m, "ab", 1, (void *)1);
	strmap_put(&m, "ab", 2, (void *)2);
	ck_assert_ptr_eq(strmap_get(&m, "a", 1), (void *)1);
	ck_assert_ptr_eq(strmap_get(&m, "ab", 2), (void *)2);
	ck_assert_ptr_null(strmap_get(&m, "abc", 3));
	strmap_free(&m);
}
END_TEST

START_TEST(test_arena_zeroed_aligned_and_large)
{
	struct arena a;
	arena_init(&a);
	for (int i = 0; i < 1000; i++) {
		unsigned char *p = arena_alloc(&a, (size_t)(i % 97) + 1);
		ck_assert_ptr_nonnull(p);
		ck_assert_uint_eq((uintptr_t)p % 16, 0);
		for (int j = 0; j < i % 97 + 1; j++)
			ck_assert_uint_eq(p[j], 0);
		memset(p, 0xab, (size_t)(i % 97) + 1);
	}
	unsigned char *big = arena_alloc(&a, 1 << 20);
	ck_assert_ptr_nonnull(big);
	ck_assert_uint_eq(big[(1 << 20) - 1], 0);
	arena_reset(&a);
	unsigned char *again = arena_alloc(&a, 64);
	ck_assert_uint_eq(again[63], 0);
	arena_free(&a);
}
END_TEST

static int counter;
static void bump(void *arg) { counter += (int)(long)arg; }

START_TEST(test_mbox_runs_in_order_once)
{
	struct mbox *mb = mbox_new();
	counter = 0;
	for (long i = 1; i <= 10; i++)
		mbox_post(mb, bump, (void *)i);
	ck_assert_int_eq(mbox_drain(mb), 10);
	ck_assert_int_eq(counter, 55);
	ck_assert_int_eq(mbox_drain(mb), 0);
	ck_assert_int_eq(mbox_wait(mb, 10), 0);
	mbox_free(mb);
}
END_TEST

static int fired[8], fire_seq;
static struct loop *tl;
static void on_timer(struct loop_timer *t)
{
	fired[(long)t->arg] = ++fire_seq;
	if (fire_seq == 3)
		loop_stop(tl);
}

START_TEST(test_loop_timers_fire_in_deadline_order_and_stop_cancels)
{
	tl = loop_new();
	struct loop_timer t[4];
	for (long i = 0; i < 4; i++)
		loop_timer_init(&t[i], on_timer, (void *)i);
	memset(fired, 0, sizeof fired);
	fire_seq = 0;
	loop_timer_start(tl, &t[0], 30);
	loop_timer_start(tl, &t[1], 10);
	loop_timer_start(tl, &t[2], 20);
	loop_timer_start(tl, &t[3], 15);
	loop_timer_stop(tl, &t[3]);
	ck_assert(!loop_timer_armed(&t[3]));
	ck_assert_int_eq(loop_run(tl), 0);
	ck_assert_int_eq(fired[1], 1);
	ck_assert_int_eq(fired[2], 2);
	ck_assert_int_eq(fired[0], 3);
	ck_assert_int_eq(fired[3], 0);
	loop_free(tl);
}
END_TEST

START_TEST(test_log_module_levels_override_the_root)
{
	ck_assert_int_eq(log_level_parse("debug"), LOG_DEBUG);
	ck_assert_int_eq(log_level_parse("TRACE"), LOG_DEBUG);
	ck_assert_int_eq(log_level_parse("FATAL"), LOG_ERROR);
	ck_assert_int_eq(log_level_parse("LOUD"), -1);
	ck_assert_int_eq(log_level_parse(NULL), -1);
	enum log_level root = log_root_level();
	ck_assert_int_eq(log_module_override("unit-mod"), -1);
	ck_assert_int_eq(log_effective_level("unit-mod"), root);
	ck_assert_int_eq(log_set_module_level("unit-mod", LOG_DEBUG), 0);
	ck_assert_int_eq(log_effective_level("unit-mod"), LOG_DEBUG);
	ck_assert_int_eq(log_effective_level("other-mod"), root);
	ck_assert_int_eq(log_set_module_level("unit-mod", -1), 0);
	ck_assert_int_eq(log_effective_level("unit-mod"), root);
	ck_assert_int_eq(log_set_module_level("unit-mod", 7), -1);
	ck_assert_int_eq(log_set_module_level("a-module-name-far-too-long-to-keep-here", LOG_INFO), -1);
	ck_assert_str_eq(log_level_name(LOG_WARN), "WARN");
}
END_TEST

START_TEST(test_log_escape_masks_and_cuts)
{
	char buf[32];
	ck_assert_str_eq(log_escape("group-1", (size_t)-1, buf, sizeof buf), "group-1");
	ck_assert_str_eq(log_escape("a\nb\\c\x1b", (size_t)-1, buf, sizeof buf),
			 "a\\x0ab\\\\c\\x1b");
	/* embedded NUL with an explicit length */
	ck_assert_str_eq(log_escape("x\0y", 3, buf, sizeof buf), "x\\x00y");
	char longs[100];
	memset(longs, 'z', sizeof longs - 1);
	longs[99] = '\0';
	const char *e = log_escape(longs, (size_t)-1, buf, sizeof buf);
	ck_assert_uint_lt(strlen(e), sizeof buf);
	ck_assert_str_eq(e + strlen(e) - 3, "...");
	ck_assert_str_eq(log_esc(NULL), "");
}
END_TEST

START_TEST(test_log_ids_lists_and_cuts)
{
	char buf[16];
	int32_t ids[] = { 1, 22, 333, 4444, 55555 };
	ck_assert_str_eq(log_ids(ids, 0, buf, sizeof buf), "[]");
	ck_assert_str_eq(log_ids(ids, 3, buf, sizeof buf), "[1,22,333]");
	/* "[1,22,333,4444" fits, ",55555]" does not */
	ck_assert_str_eq(log_ids(ids, 5, buf, sizeof buf), "[1,22,333,4...]");
	ck_assert_str_eq(log_ids(ids, 2, buf, 8), "[1,22]");
	ck_assert_str_eq(log_ids(ids, 4, buf, 8), "[1,...]");
	ck_assert_str_eq(log_ids_str(ids, 2), "[1,22]");
	ck_assert_int_ge(log_set_module_level(LOG_STATE_MOD, LOG_WARN), 0);
	ck_assert_int_eq(log_effective_level("state.change"), LOG_WARN);
	ck_assert_int_ge(log_set_module_level(LOG_STATE_MOD, -1), 0);
}
END_TEST

/* Lines written to stderr while fn runs. */
static int count_stderr_lines(void (*fn)(void), char *last, size_t n)
{
	fflush(stderr);
	FILE *tmp = tmpfile();
	ck_assert_ptr_nonnull(tmp);
	int saved = dup(2);
	dup2(fileno(tmp), 2);
	fn();
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(tmp);
	char line[1200];
	int lines = 0;
	while (fgets(line, sizeof line, tmp)) {
		lines++;
		snprintf(last, n, "%s", line);
	}
	fclose(tmp);
	return lines;
}

static void log_many(void)
{
	for (int i = 0; i < 1000; i++)
		log_warn_rl("test", "bad frame number %d", i);
}

static struct log_limit site;

static void log_site_15(void)
{
	for (int i = 0; i < 15; i++)
		log_limited(&site, LOG_WARN, "test", "line %d", i);
}

static void log_site_1(void)
{
	log_limited(&site, LOG_WARN, "test", "again");
}

START_TEST(test_log_rate_limited_per_site)
{
	char last[1200] = "";
	int lines = count_stderr_lines(log_many, last, sizeof last);
	ck_assert_int_eq(lines, LOG_LIMIT_LINES);
	ck_assert_ptr_nonnull(strstr(last, "bad frame number 9"));
	/* the first line of a new window says how many were dropped */
	site.window_start_ms = 0;
	site.lines = 0;
	site.suppressed = 0;
	ck_assert_int_eq(count_stderr_lines(log_site_15, last, sizeof last), LOG_LIMIT_LINES);
	ck_assert_int_eq(site.suppressed, 15 - LOG_LIMIT_LINES);
	site.window_start_ms -= 2 * LOG_LIMIT_WINDOW_MS; /* the window is over */
	ck_assert_int_eq(count_stderr_lines(log_site_1, last, sizeof last), 1);
	ck_assert_ptr_nonnull(strstr(last, "(5 similar lines suppressed)"));
}
END_TEST


int main(void)
{
	Suite *s = suite_create("common");
	TCase *tc = tcase_create("all");
	tcase_add_test(tc, test_strmap_put_get_delete_many);
	tcase_add_test(tc, test_strmap_keys_are_binary_lengths);
	tcase_add_test(tc, test_arena_zeroed_aligned_and_large);
	tcase_add_test(tc, test_mbox_runs_in_order_once);
	tcase_add_test(tc, test_loop_timers_fire_in_deadline_order_and_stop_cancels);
	tcase_add_test(tc, test_log_escape_masks_and_cuts);
	tcase_add_test(tc, test_log_ids_lists_and_cuts);
	tcase_add_test(tc, test_log_module_levels_override_the_root);
	tcase_add_test(tc, test_log_rate_limited_per_site);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
