/* Unit tests for offsets retention (group_offsets.c: group_offset_expired,
 * group_expire_offsets), as Kafka's removeExpiredOffsets with KIP-211:
 * the clock is the now_wall_ms argument and a fake env records the
 * tombstones the coordinator would write and completes them on demand. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker/group/group.h"
#include "common/proto/kerr.h"

#define R 60000 /* retention: offsets.retention.minutes=1 */

/* ---- fixtures ---- */

static struct group_config cfg = { 0, 6000, 300000, 0, 1 };

static void fake_store(void *env_arg, struct group *g, group_store_done_fn done, void *arg)
{
	(void)env_arg;
	done(g, 0, arg);
}

/* The last expiry requested: what would be tombstoned. */
static struct {
	int calls;
	int n, dead;
	char keys[16][64];          /* "<topic>-<partition>" */
	int manual;                 /* keep done for later */
	int16_t err;                /* what a synchronous write answers */
	struct group *g;
	group_store_done_fn done;
	void *arg;
} ex;

static void fake_expire(void *env_arg, struct group *g, const struct group_expiry *x,
			group_store_done_fn done, void *arg)
{
	(void)env_arg;
	ex.calls++;
	ex.n = x->n;
	ex.dead = x->dead;
	for (int i = 0; i < x->n && i < 16; i++)
		snprintf(ex.keys[i], sizeof ex.keys[i], "%s-%d", x->offs[i].topic,
			 x->offs[i].partition);
	if (ex.manual) {
		ex.g = g;
		ex.done = done;
		ex.arg = arg;
		return;
	}
	done(g, ex.err, arg);
}

static struct group_env env = { &cfg, fake_store, NULL, fake_expire };

static int expired(const char *topic, int32_t partition)
{
	char k[64];
	snprintf(k, sizeof k, "%s-%d", topic, partition);
	for (int i = 0; i < ex.n && i < 16; i++)
		if (strcmp(ex.keys[i], k) == 0)
			return 1;
	return 0;
}

static void on_join(void *arg, const struct group_join_result *r)
{
	snprintf(arg, 300, "%s", r->member_id ? r->member_id : "");
}

static void on_sync(void *arg, const struct group_sync_result *r)
{
	*(int16_t *)arg = r->error;
}

/* ConsumerProtocolSubscription v0: topics "a" and "bcd", null user data. */
static const uint8_t sub_a_bcd[] = { 0, 0, 0, 0, 0, 2, 0, 1, 'a', 0, 3, 'b', 'c', 'd',
				     0xff, 0xff, 0xff, 0xff };

static struct group *g;

static void setup(void)
{
	memset(&ex, 0, sizeof ex);
	g = group_new("g1", &env);
}

static void teardown(void)
{
	group_free(g, KERR_NOT_COORDINATOR);
}

/* One member of protocol type ptype joins and syncs: Stable. */
static void make_stable(const char *ptype, const uint8_t *meta, int32_t meta_len, char *member)
{
	struct group_protocol p = { "range", (uint8_t *)meta, meta_len };
	struct group_join_req r = { .member_id = "", .client_id = "c", .client_host = "/h",
				    .session_timeout_ms = 10000, .rebalance_timeout_ms = 30000,
				    .protocol_type = ptype, .protocols = &p, .nprotocols = 1 };
	group_join(g, &r, 0, on_join, member);
	group_tick(g, 0);
	struct group_assignment a = { member, (const uint8_t *)"A", 1 };
	struct group_sync_req s = { .member_id = member, .generation = g->generation,
				    .assignments = &a, .nassignments = 1 };
	int16_t err = -1;
	group_sync(g, &s, 0, on_sync, &err);
	ck_assert_int_eq(err, 0);
	ck_assert_int_eq(g->state, GROUP_STABLE);
}

/* ---- tests ---- */

/* KIP-211: an Empty group's offsets expire retention after the later of
 * their commit and the group becoming Empty. */
START_TEST(test_empty_group_offsets_expire_after_retention)
{
	char m[300];
	make_stable("consumer", sub_a_bcd, sizeof sub_a_bcd, m);
	ck_assert_int_eq(group_leave(g, m, NULL, 1), 0);
	ck_assert_int_eq(g->state, GROUP_EMPTY);
	int64_t e = g->state_ts;
	ck_assert_int_eq(group_offset_put(g, "a", 0, 10, -1, "", e - 10 * R), 0);
	ck_assert_int_eq(group_offset_put(g, "a", 1, 11, -1, "", e + 5), 0);

	ck_assert_int_eq(group_expire_offsets(g, e + R - 1, R), 0);
	ck_assert_int_eq(ex.calls, 0);
	ck_assert_int_eq(group_offset_count(g), 2);

	ck_assert_int_eq(group_expire_offsets(g, e + R, R), 1);
	ck_assert_int_eq(ex.calls, 1);
	ck_assert(expired("a", 0));
	ck_assert_int_eq(ex.dead, 0);
	ck_assert_ptr_null(group_offset_get(g, "a", 0));
	ck_assert_ptr_nonnull(group_offset_get(g, "a", 1));
	ck_assert_int_eq(g->state, GROUP_EMPTY);

	ck_assert_int_eq(group_expire_offsets(g, e + R + 4, R), 0);
	ck_assert_int_eq(group_offset_count(g), 1);
	ck_assert_int_eq(group_expire_offsets(g, e + R + 5, R), 1);
	ck_assert(expired("a", 1));
	ck_assert_int_eq(ex.dead, 1); /* nothing remains: metadata tombstone too */
	ck_assert_int_eq(group_offset_count(g), 0);
	ck_assert_int_eq(g->state, GROUP_DEAD);
	ck_assert_int_eq(group_expire_offsets(g, e + 100 * R, R), 0); /* Dead: done */
	ck_assert_int_eq(ex.calls, 2);
}
END_TEST

/* A consumer group with members never expires subscribed topics' offsets,
 * however old, explicit expiry included; others expire after retention
 * from their commit. */
START_TEST(test_active_group_keeps_subscribed_expires_unsubscribed)
{
	char m[300];
	make_stable("consumer", sub_a_bcd, sizeof sub_a_bcd, m);
	ck_assert_int_eq(group_offset_put(g, "a", 0, 1, -1, "", 1000), 0);
	ck_assert_int_eq(group_offset_put(g, "bcd", 2, 2, -1, "", 1000), 0);
	group_offset_set_expiry(g, "bcd", 2, 1500);
	ck_assert_int_eq(group_offset_put(g, "gone", 0, 3, -1, "", 1000), 0);
	ck_assert_int_eq(group_offset_put(g, "gone", 1, 4, -1, "", 2000), 0);

	ck_assert_int_eq(group_expire_offsets(g, 1000 + R - 1, R), 0);
	ck_assert_int_eq(ex.calls, 0);
	/* mid-rebalance the subscriptions may change: nothing expires */
	char m2[300];
	struct group_protocol p = { "range", (uint8_t *)sub_a_bcd, sizeof sub_a_bcd };
	struct group_join_req r = { .member_id = "", .client_id = "c", .client_host = "/h",
				    .session_timeout_ms = 10000, .rebalance_timeout_ms = 30000,
				    .protocol_type = "consumer", .protocols = &p, .nprotocols = 1 };
	group_join(g, &r, 1, on_join, m2);
	ck_assert_int_eq(g->state, GROUP_PREPARING_REBALANCE);
	ck_assert_int_eq(group_expire_offsets(g, 1000 * R, R), 0);
	ck_assert_int_eq(ex.calls, 0);
	group_tick(g, 1 + 30000); /* the old member never rejoins: generation 2 without it */
	ck_assert_int_eq(g->state, GROUP_COMPLETING_REBALANCE);
	ck_assert_int_eq(group_expire_offsets(g, 1000 * R, R), 0);
	struct group_assignment a = { m2, (const uint8_t *)"A", 1 };
	struct group_sync_req sr = { .member_id = m2, .generation = 2, .assignments = &a,
				     .nassignments = 1 };
	int16_t err = -1;
	group_sync(g, &sr, 2, on_sync, &err);
	ck_assert_int_eq(err, 0);
	ck_assert_int_eq(g->state, GROUP_STABLE);
	ck_assert_int_eq(group_expire_offsets(g, 1000 + R, R), 1);
	ck_assert(expired("gone", 0));
	ck_assert_int_eq(ex.dead, 0);
	ck_assert_int_eq(group_expire_offsets(g, 1000 * R, R), 1);
	ck_assert(expired("gone", 1));
	ck_assert_int_eq(ex.dead, 0);
	ck_assert_int_eq(group_expire_offsets(g, INT64_MAX / 2, R), 0);
	ck_assert_ptr_nonnull(group_offset_get(g, "a", 0));
	ck_assert_ptr_nonnull(group_offset_get(g, "bcd", 2));
	ck_assert_int_eq(group_offset_count(g), 2);
	ck_assert_int_eq(g->state, GROUP_STABLE);
}
END_TEST

/* Members of another protocol type, or with an unreadable subscription:
 * nothing is known about their topics, so nothing expires. */
START_TEST(test_active_non_consumer_or_unreadable_keeps_all)
{
	char m[300];
	make_stable("connect", sub_a_bcd, sizeof sub_a_bcd, m);
	ck_assert_int_eq(group_offset_put(g, "gone", 0, 3, -1, "", 0), 0);
	ck_assert_int_eq(group_expire_offsets(g, 1000 * R, R), 0);
	group_free(g, 0);
	g = group_new("g2", &env);
	static const uint8_t bad[] = { 0, 0, 0, 0, 0, 5, 0, 1 }; /* claims 5 topics */
	make_stable("consumer", bad, sizeof bad, m);
	ck_assert_int_eq(group_offset_put(g, "gone", 0, 3, -1, "", 0), 0);
	ck_assert_int_eq(group_expire_offsets(g, 1000 * R, R), 0);
	ck_assert_int_eq(ex.calls, 0);
	ck_assert_int_eq(group_offset_count(g), 1);
}
END_TEST

/* An offsets-only group (simple consumer): retention from the commit; an
 * explicit expiry (OffsetCommit v2-4 retention_time_ms) wins. */
START_TEST(test_offsets_only_group_and_explicit_expiry)
{
	ck_assert_ptr_null(g->protocol_type);
	ck_assert_int_eq(group_offset_put(g, "t", 0, 5, -1, "", 1000), 0);
	group_offset_set_expiry(g, "t", 0, 1500);
	ck_assert_int_eq(group_offset_put(g, "t", 1, 6, -1, "", 1000), 0);
	ck_assert_int_eq(group_expire_offsets(g, 1499, R), 0);
	ck_assert_int_eq(group_expire_offsets(g, 1500, R), 1);
	ck_assert(expired("t", 0));
	ck_assert_int_eq(ex.dead, 0);
	/* a recommit without retention drops the explicit expiry */
	group_offset_set_expiry(g, "t", 1, 1200);
	ck_assert_int_eq(group_offset_put(g, "t", 1, 7, -1, "", 1100), 0);
	ck_assert_int_eq(group_expire_offsets(g, 1100 + R - 1, R), 0);
	ck_assert_int_eq(group_expire_offsets(g, 1100 + R, R), 1);
	ck_assert_int_eq(ex.dead, 1);
	ck_assert_int_eq(g->state, GROUP_DEAD);
}
END_TEST

/* An Empty group with no offsets at all goes (metadata tombstone only). */
START_TEST(test_empty_group_without_offsets_dies)
{
	char m[300];
	make_stable("consumer", sub_a_bcd, sizeof sub_a_bcd, m);
	ck_assert_int_eq(group_expire_offsets(g, 1000 * R, R), 0);
	ck_assert_int_eq(ex.calls, 0); /* Stable: stays */
	ck_assert_int_eq(group_leave(g, m, NULL, 1), 0);
	ck_assert_int_eq(group_expire_offsets(g, 1000 * R, R), 0);
	ck_assert_int_eq(ex.calls, 1);
	ck_assert_int_eq(ex.n, 0);
	ck_assert_int_eq(ex.dead, 1);
	ck_assert_int_eq(g->state, GROUP_DEAD);
}
END_TEST

/* While the tombstones are in flight: no second expiry; a partition
 * committed again meanwhile keeps its new offset, and the group lives. */
START_TEST(test_recommit_during_expiry_survives)
{
	ex.manual = 1;
	ck_assert_int_eq(group_offset_put(g, "t", 0, 5, -1, "", 1000), 0);
	ck_assert_int_eq(group_offset_put(g, "t", 1, 6, -1, "", 1000), 0);
	ck_assert_int_eq(group_expire_offsets(g, 1000 + R, R), 2);
	ck_assert_int_eq(ex.dead, 1);
	ck_assert_int_eq(group_expire_offsets(g, 1000 + R, R), 0);
	ck_assert_int_eq(ex.calls, 1);
	ck_assert_int_eq(group_offset_put(g, "t", 1, 9, -1, "", 1000 + R), 0);
	ex.done(ex.g, 0, ex.arg);
	ck_assert_ptr_null(group_offset_get(g, "t", 0));
	const struct group_offset *o = group_offset_get(g, "t", 1);
	ck_assert_ptr_nonnull(o);
	ck_assert_int_eq(o->offset, 9);
	ck_assert_int_eq(g->state, GROUP_EMPTY);
	ck_assert_int_eq(g->expiring, 0);
}
END_TEST

/* A failed tombstone write forgets nothing; the next pass retries. */
START_TEST(test_failed_write_keeps_offsets)
{
	ex.err = KERR_NOT_ENOUGH_REPLICAS;
	ck_assert_int_eq(group_offset_put(g, "t", 0, 5, -1, "", 0), 0);
	ck_assert_int_eq(group_expire_offsets(g, R, R), 1);
	ck_assert_int_eq(group_offset_count(g), 1);
	ck_assert_int_eq(g->state, GROUP_EMPTY);
	ex.err = 0;
	ck_assert_int_eq(group_expire_offsets(g, R, R), 1);
	ck_assert_int_eq(ex.calls, 2);
	ck_assert_int_eq(group_offset_count(g), 0);
	ck_assert_int_eq(g->state, GROUP_DEAD);
}
END_TEST

/* The group went away while its tombstones were in flight: done with a
 * NULL group only frees. */
START_TEST(test_done_after_group_gone)
{
	ex.manual = 1;
	ck_assert_int_eq(group_offset_put(g, "t", 0, 5, -1, "", 0), 0);
	ck_assert_int_eq(group_expire_offsets(g, R, R), 1);
	group_free(g, 0);
	g = group_new("g1", &env);
	ex.done(NULL, 0, ex.arg);
	ck_assert_int_eq(g->state, GROUP_EMPTY);
}
END_TEST

/* A loaded Empty group keeps the logged time it became Empty. */
START_TEST(test_load_keeps_empty_since)
{
	g->state_ts = 12345;
	group_load_finish(g, 99);
	ck_assert_int_eq(g->state, GROUP_EMPTY);
	ck_assert_int_eq(g->state_ts, 12345);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("group_expiry");
	TCase *tc = tcase_create("retention");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_empty_group_offsets_expire_after_retention);
	tcase_add_test(tc, test_active_group_keeps_subscribed_expires_unsubscribed);
	tcase_add_test(tc, test_active_non_consumer_or_unreadable_keeps_all);
	tcase_add_test(tc, test_offsets_only_group_and_explicit_expiry);
	tcase_add_test(tc, test_empty_group_without_offsets_dies);
	tcase_add_test(tc, test_recommit_during_expiry_survives);
	tcase_add_test(tc, test_failed_write_keeps_offsets);
	tcase_add_test(tc, test_done_after_group_gone);
	tcase_add_test(tc, test_load_keeps_empty_since);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
