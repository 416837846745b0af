/* The fetch session cache (broker/handlers/fetch_session.c): Kafka's
 * FetchSessionCache eviction rules, epochs, partition bookkeeping by name
 * and by topic id, what an incremental answer must carry, and rotation of
 * answered partitions to the end. */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "broker/handlers/fetch_session.h"

static const uint8_t ZERO[16];
static const uint8_t ID_A[16] = { 1, 2, 3 };
static const uint8_t ID_B[16] = { 9, 9, 9 };

static struct fetch_session *with_parts(struct fs_cache *c, int privileged, int n, int64_t now)
{
	struct fetch_session *s = fs_create(c, privileged, 0, n, now);
	ck_assert_ptr_nonnull(s);
	for (int i = 0; i < n; i++)
		ck_assert_ptr_nonnull(fs_upsert(s, "t", 1, ZERO, i));
	fs_touch(c, s, now);
	return s;
}

START_TEST(test_epochs)
{
	ck_assert_int_eq(fs_next_epoch(0), 1);
	ck_assert_int_eq(fs_next_epoch(41), 42);
	ck_assert_int_eq(fs_next_epoch(INT32_MAX), 1);
	ck_assert_int_eq(fs_next_epoch(FS_FINAL_EPOCH), FS_FINAL_EPOCH);
	struct fs_cache c;
	fs_cache_init(&c, 10, FS_EVICTION_MS);
	struct fetch_session *s = fs_create(&c, 0, 0, 0, 0);
	ck_assert_ptr_nonnull(s);
	ck_assert_int_ne(s->id, FS_INVALID_ID);
	ck_assert_int_eq(s->epoch, 1); /* the first incremental fetch carries 1 */
	ck_assert_ptr_eq(fs_get(&c, s->id), s);
	int32_t id = s->id;
	fs_remove(&c, id);
	ck_assert_ptr_null(fs_get(&c, id));
	ck_assert_ptr_null(fs_get(&c, FS_INVALID_ID));
	fs_cache_free(&c);
}
END_TEST

START_TEST(test_zero_slots_never_cache)
{
	struct fs_cache c;
	fs_cache_init(&c, 0, FS_EVICTION_MS);
	ck_assert_ptr_null(fs_create(&c, 1, 0, 5, 0));
	fs_cache_free(&c);
}
END_TEST

/* Full cache of young consumer sessions: another consumer gets none. */
START_TEST(test_young_sessions_are_kept)
{
	struct fs_cache c;
	fs_cache_init(&c, 2, 1000);
	with_parts(&c, 0, 1, 0);
	with_parts(&c, 0, 1, 0);
	ck_assert_ptr_null(fs_create(&c, 0, 0, 100, 10));
	ck_assert_int_eq(c.n, 2);
	ck_assert_int_eq((int)c.evicted, 0);
	fs_cache_free(&c);
}
END_TEST

/* A follower's session evicts the smallest consumer session at any age. */
START_TEST(test_privileged_evicts_smallest_consumer)
{
	struct fs_cache c;
	fs_cache_init(&c, 2, 1000);
	struct fetch_session *big = with_parts(&c, 0, 5, 0);
	struct fetch_session *small = with_parts(&c, 0, 2, 0);
	int32_t big_id = big->id, small_id = small->id;
	ck_assert_int_eq(fs_cache_partitions(&c), 7);
	struct fetch_session *f = fs_create(&c, 1, 0, 1, 10);
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_null(fs_get(&c, small_id));
	ck_assert_ptr_nonnull(fs_get(&c, big_id));
	ck_assert_int_eq((int)c.evicted, 1);
	ck_assert_int_eq(fs_cache_partitions(&c), 5); /* big's 5, f's none yet */
	/* a young follower session is not evictable by another follower */
	fs_touch(&c, f, 10);
	ck_assert_ptr_nonnull(fs_create(&c, 1, 0, 1, 20)); /* evicts the consumer */
	ck_assert_ptr_null(fs_get(&c, big_id));
	ck_assert_ptr_null(fs_create(&c, 1, 0, 100, 30));
	fs_cache_free(&c);
}
END_TEST

/* Sessions older than the eviction time are evictable by anyone, smallest
 * first, and only for a session at least as valuable. */
START_TEST(test_old_sessions_by_value)
{
	struct fs_cache c;
	fs_cache_init(&c, 2, 1000);
	struct fetch_session *a = with_parts(&c, 0, 3, 0);
	struct fetch_session *b = with_parts(&c, 0, 6, 0);
	int32_t a_id = a->id, b_id = b->id;
	fs_touch(&c, a, 1500); /* used lately: not stale, but old */
	fs_touch(&c, b, 1500);
	ck_assert_ptr_null(fs_create(&c, 0, 0, 2, 1600)); /* smaller than both */
	ck_assert_ptr_nonnull(fs_create(&c, 0, 0, 4, 1600));
	ck_assert_ptr_null(fs_get(&c, a_id));
	ck_assert_ptr_nonnull(fs_get(&c, b_id));
	fs_cache_free(&c);
}
END_TEST

/* The least recently used session goes first once it is stale. */
START_TEST(test_stale_lru_goes_first)
{
	struct fs_cache c;
	fs_cache_init(&c, 2, 1000);
	struct fetch_session *a = with_parts(&c, 1, 50, 0);
	struct fetch_session *b = with_parts(&c, 1, 50, 0);
	int32_t a_id = a->id, b_id = b->id;
	fs_touch(&c, b, 900);
	ck_assert_ptr_nonnull(fs_create(&c, 0, 0, 1, 1200)); /* a unused for 1200 ms */
	ck_assert_ptr_null(fs_get(&c, a_id));
	ck_assert_ptr_nonnull(fs_get(&c, b_id));
	fs_cache_free(&c);
}
END_TEST

START_TEST(test_parts_by_name_and_id)
{
	struct fs_cache c;
	fs_cache_init(&c, 4, 1000);
	struct fetch_session *byname = fs_create(&c, 0, 0, 0, 0);
	struct fs_part *p = fs_upsert(byname, "orders", 6, ZERO, 3);
	ck_assert_ptr_nonnull(p);
	p->fetch_offset = 42;
	ck_assert_ptr_eq(fs_upsert(byname, "orders", 6, ZERO, 3), p);
	ck_assert_ptr_null(fs_find(byname, "orders", 6, ZERO, 4));
	ck_assert_ptr_null(fs_find(byname, "order", 5, ZERO, 3));
	ck_assert_int_eq(byname->n, 1);
	struct fetch_session *byid = fs_create(&c, 0, 1, 0, 0);
	ck_assert_ptr_nonnull(fs_upsert(byid, NULL, -1, ID_A, 0)); /* name unknown yet */
	ck_assert_ptr_nonnull(fs_upsert(byid, "x", 1, ID_B, 0));
	ck_assert_ptr_nonnull(fs_find(byid, "other name", 10, ID_A, 0));
	ck_assert_int_eq(byid->n, 2);
	fs_forget(byid, NULL, -1, ID_A, 0);
	ck_assert_int_eq(byid->n, 1);
	ck_assert_ptr_null(fs_find(byid, NULL, -1, ID_A, 0));
	ck_assert_ptr_nonnull(fs_find(byid, NULL, -1, ID_B, 0));
	fs_forget(byid, NULL, -1, ID_A, 0); /* twice: no effect */
	ck_assert_int_eq(byid->n, 1);
	fs_cache_free(&c);
}
END_TEST

START_TEST(test_must_respond)
{
	struct fs_cache c;
	fs_cache_init(&c, 4, 1000);
	struct fetch_session *s = fs_create(&c, 0, 0, 0, 0);
	struct fs_part *p = fs_upsert(s, "t", 1, ZERO, 0);
	ck_assert_int_eq(fs_must_respond(p, 0, 10, 0, 0, -1), 1);  /* first answer */
	ck_assert_int_eq(fs_must_respond(p, 0, 10, 0, 0, -1), 0);  /* nothing new */
	ck_assert_int_eq(fs_must_respond(p, 0, 10, 0, 100, -1), 1); /* data */
	ck_assert_int_eq(fs_must_respond(p, 0, 11, 0, 0, -1), 1);  /* high watermark */
	ck_assert_int_eq(fs_must_respond(p, 0, 11, 5, 0, -1), 1);  /* log start */
	ck_assert_int_eq(fs_must_respond(p, 0, 11, 5, 0, 2), 1);   /* another replica */
	ck_assert_int_eq(fs_must_respond(p, 6, 11, 5, 0, -1), 1);  /* an error... */
	ck_assert_int_eq(fs_must_respond(p, 0, 11, 5, 0, -1), 1);  /* ...then its end */
	ck_assert_int_eq(fs_must_respond(p, 0, 11, 5, 0, -1), 0);
	fs_cache_free(&c);
}
END_TEST

START_TEST(test_rotate_answered_to_end)
{
	struct fs_cache c;
	fs_cache_init(&c, 4, 1000);
	struct fetch_session *s = fs_create(&c, 0, 0, 0, 0);
	for (int i = 0; i < 5; i++)
		fs_upsert(s, "t", 1, ZERO, i);
	const uint8_t answered[5] = { 1, 0, 1, 0, 0 };
	ck_assert_int_eq(fs_rotate(s, answered), 0);
	const int32_t want[5] = { 1, 3, 4, 0, 2 };
	for (int i = 0; i < 5; i++)
		ck_assert_int_eq(s->parts[i].partition, want[i]);
	for (int i = 0; i < 5; i++) /* the index follows the moves */
		ck_assert_ptr_eq(fs_find(s, "t", 1, ZERO, want[i]), &s->parts[i]);
	fs_cache_free(&c);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("fetch_session");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_epochs);
	tcase_add_test(tc, test_zero_slots_never_cache);
	tcase_add_test(tc, test_young_sessions_are_kept);
	tcase_add_test(tc, test_privileged_evicts_smallest_consumer);
	tcase_add_test(tc, test_old_sessions_by_value);
	tcase_add_test(tc, test_stale_lru_goes_first);
	tcase_add_test(tc, test_parts_by_name_and_id);
	tcase_add_test(tc, test_must_respond);
	tcase_add_test(tc, test_rotate_answered_to_end);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
