/* Unit tests for group offsets: transactional ones applied by a COMMIT
 * marker (never over a plain commit appended later) or dropped by an
 * ABORT, their replay from __consumer_offsets batches built as the
 * coordinator builds them, plain commits in flight, a deleted topic's
 * offsets removed, and pending offsets keeping a group from expiring. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "broker/group/group.h"
#include "broker/group/group_log.h"
#include "common/proto/kerr.h"
#include "common/proto/record_batch.h"

/* group_log.c's one use of coordinator.c */
struct kstr gc_kstr(const char *s)
{
	return s ? (struct kstr){ s, (int32_t)strlen(s) } : (struct kstr){ NULL, -1 };
}

static struct group_config cfg = { 0, 6000, 300000, 0, 1 };

static void fake_store(void *env_arg, struct group *g, group_store_done_fn done, void *arg)
{
	(void)env_arg;
	done(g, 0, arg);
}

static int expire_calls, expire_n, expire_dead;

static void fake_expire(void *env_arg, struct group *g, const struct group_expiry *x,
			group_store_done_fn done, void *arg)
{
	(void)env_arg;
	expire_calls++;
	expire_n = x->n;
	expire_dead = x->dead;
	done(g, 0, arg);
}

static struct group_env env = { &cfg, fake_store, NULL, fake_expire };

static int64_t committed(const struct group *g, const char *topic, int32_t partition)
{
	const struct group_offset *o = group_offset_get(g, topic, partition);
	return o ? o->offset : -1;
}

START_TEST(test_commit_marker_applies_pending_offsets)
{
	struct group *g = group_new("g", &env);
	ck_assert_int_eq(group_offset_put(g, "t", 0, 5, -1, "", 100), 0);
	ck_assert_int_eq(group_txn_offset_put(g, 7, "t", 0, 10, 3, "m", 200), 0);
	ck_assert_int_eq(group_txn_offset_put(g, 7, "t", 1, 20, 3, "", 200), 0);
	ck_assert_int_eq(committed(g, "t", 0), 5);
	ck_assert_int_eq(committed(g, "t", 1), -1);
	ck_assert(group_txn_pending(g, "t", 0));
	ck_assert(!group_txn_pending(g, "t", 2));
	ck_assert_int_eq(group_txn_count(g), 2);
	ck_assert_int_eq(group_txn_complete(g, 7, 1), 2);
	ck_assert_int_eq(committed(g, "t", 0), 10);
	ck_assert_int_eq(group_offset_get(g, "t", 0)->leader_epoch, 3);
	ck_assert_str_eq(group_offset_get(g, "t", 0)->metadata, "m");
	ck_assert_int_eq(committed(g, "t", 1), 20);
	ck_assert(!group_txn_pending(g, "t", 0));
	ck_assert_int_eq(group_txn_count(g), 0);
	ck_assert_int_eq(group_txn_complete(g, 7, 1), 0); /* a second marker: nothing */
	group_free(g, 0);
}
END_TEST

START_TEST(test_abort_marker_drops_pending_offsets_of_that_producer_only)
{
	struct group *g = group_new("g", &env);
	group_offset_put(g, "t", 0, 5, -1, "", 100);
	group_txn_offset_put(g, 7, "t", 0, 10, -1, "", 200);
	group_txn_offset_put(g, 8, "t", 1, 30, -1, "", 200);
	ck_assert_int_eq(group_txn_complete(g, 7, 0), 1);
	ck_assert_int_eq(committed(g, "t", 0), 5);
	ck_assert(!group_txn_pending(g, "t", 0));
	ck_assert(group_txn_pending(g, "t", 1)); /* producer 8 still open */
	ck_assert_int_eq(group_txn_complete(g, 8, 1), 1);
	ck_assert_int_eq(committed(g, "t", 1), 30);
	group_free(g, 0);
}
END_TEST

START_TEST(test_failed_append_forgets_only_its_own_pending_offset)
{
	struct group *g = group_new("g", &env);
	group_txn_offset_put(g, 7, "t", 0, 10, -1, "", 200);
	group_txn_offset_del(g, 7, "t", 0, 199); /* an older commit's failure */
	ck_assert(group_txn_pending(g, "t", 0));
	group_txn_offset_del(g, 7, "t", 0, 200);
	ck_assert(!group_txn_pending(g, "t", 0));
	ck_assert_int_eq(group_txn_count(g), 0);
	group_free(g, 0);
}
END_TEST

START_TEST(test_txn_commit_checks_member_and_generation_when_given)
{
	struct group *g = group_new("g", &env);
	ck_assert_int_eq(group_check_txn_commit(g, NULL, NULL, -1), 0);  /* v0-2 */
	ck_assert_int_eq(group_check_txn_commit(g, "", NULL, -1), 0);
	ck_assert_int_eq(group_check_txn_commit(g, "m-1", NULL, -1), KERR_UNKNOWN_MEMBER_ID);
	ck_assert_int_eq(group_check_txn_commit(g, "", NULL, 4), KERR_ILLEGAL_GENERATION);
	ck_assert_int_eq(group_check_txn_commit(g, "", NULL, 0), 0);
	g->state = GROUP_DEAD;
	ck_assert_int_eq(group_check_txn_commit(g, "", NULL, -1), KERR_COORDINATOR_NOT_AVAILABLE);
	group_free(g, 0);
}
END_TEST

START_TEST(test_pending_offsets_keep_an_empty_group_from_expiring)
{
	struct group *g = group_new("g", &env);
	group_offset_put(g, "t", 0, 5, -1, "", 100);
	group_offset_put(g, "t", 1, 6, -1, "", 100);
	group_txn_offset_put(g, 7, "t", 0, 10, -1, "", 100);
	expire_calls = 0;
	ck_assert_int_eq(group_expire_offsets(g, 1000000, 1000), 1); /* t-1 only */
	ck_assert_int_eq(expire_n, 1);
	ck_assert_int_eq(expire_dead, 0);
	ck_assert_int_eq(committed(g, "t", 0), 5);
	ck_assert_int_eq(committed(g, "t", 1), -1);
	ck_assert_int_ne(g->state, GROUP_DEAD);
	group_txn_complete(g, 7, 0);
	ck_assert_int_eq(group_expire_offsets(g, 1000000, 1000), 1);
	ck_assert_int_eq(expire_dead, 1);
	ck_assert_int_eq(g->state, GROUP_DEAD);
	group_free(g, 0);
}
END_TEST

/* ---- replay ---- */

static uint8_t *batches[16];
static size_t lens[16];
static int nbatches;
static int64_t next_offset;

static void add_batch(uint8_t *b, size_t len)
{
	rb_set_base_offset(b, next_offset);
	struct rb_header h;
	ck_assert_int_eq(rb_parse_header(b, len, &h), 0);
	next_offset = rb_last_offset(&h) + 1;
	batches[nbatches] = b;
	lens[nbatches++] = len;
}

static void log_offsets(int64_t pid, const char *topic, int32_t partition, int64_t offset)
{
	struct glog gl;
	glog_init(&gl);
	struct gc_offset o = { topic, partition, offset, -1, "", 0 };
	glog_add_offset(&gl, "g", &o, 1000);
	uint8_t *b;
	size_t len;
	int rc = pid >= 0 ? glog_build_txn(&gl, 1000, pid, 0, &b, &len) : glog_build(&gl, 1000, &b, &len);
	ck_assert_int_eq(rc, 0);
	glog_free(&gl);
	add_batch(b, len);
}

static void log_marker(int64_t pid, int commit)
{
	uint8_t key[4] = { 0, 0, 0, (uint8_t)commit };
	uint8_t val[6] = { 0, 0, 0, 0, 0, 0 }; /* version, coordinator epoch */
	struct rb_build_record r = { key, 4, val, 6 };
	size_t cap = RB_HEADER_SIZE + 64;
	uint8_t *b = malloc(cap);
	int64_t len = rb_build(b, cap, &r, 1, 1000, RB_ATTR_CONTROL | RB_ATTR_TRANSACTIONAL, pid, 0, -1);
	ck_assert_int_gt(len, 0);
	add_batch(b, (size_t)len);
}

static struct group *replay_all(struct strmap *groups, int64_t from)
{
	strmap_init(groups);
	for (int i = 0; i < nbatches; i++)
		ck_assert_int_ge(glog_replay_batch(groups, &env, batches[i], lens[i], from), 0);
	return strmap_get(groups, "g", 1);
}

static void replay_free(struct strmap *groups)
{
	const char *k;
	void *v;
	for (size_t pos = 0; strmap_next(groups, &pos, &k, &v);)
		group_free(v, 0);
	strmap_free(groups);
	for (int i = 0; i < nbatches; i++)
		free(batches[i]);
	nbatches = 0;
	next_offset = 0;
}

START_TEST(test_replay_holds_transactional_offsets_until_their_marker)
{
	log_offsets(-1, "t", 0, 5);    /* plain commit */
	log_offsets(7, "t", 0, 10);    /* producer 7: committed later */
	log_offsets(8, "t", 1, 20);    /* producer 8: aborted later */
	log_offsets(9, "t", 2, 30);    /* producer 9: still open at the end */
	log_marker(8, 0);
	log_marker(7, 1);
	struct strmap groups;
	struct group *g = replay_all(&groups, 0);
	ck_assert_ptr_nonnull(g);
	ck_assert_int_eq(committed(g, "t", 0), 10);
	ck_assert_int_eq(committed(g, "t", 1), -1);
	ck_assert_int_eq(committed(g, "t", 2), -1);
	ck_assert(group_txn_pending(g, "t", 2));
	ck_assert_int_eq(group_txn_count(g), 1);
	/* the open transaction's marker, live after the load */
	ck_assert_int_eq(group_txn_complete(g, 9, 1), 1);
	ck_assert_int_eq(committed(g, "t", 2), 30);
	replay_free(&groups);
}
END_TEST

START_TEST(test_replay_before_the_marker_leaves_offsets_pending)
{
	log_offsets(-1, "t", 0, 5);
	log_offsets(7, "t", 0, 10);
	struct strmap groups;
	struct group *g = replay_all(&groups, 0);
	ck_assert_int_eq(committed(g, "t", 0), 5);
	ck_assert(group_txn_pending(g, "t", 0));
	replay_free(&groups);
}
END_TEST

START_TEST(test_replay_plain_commit_after_abort_wins)
{
	log_offsets(7, "t", 0, 10);
	log_marker(7, 0);
	log_offsets(-1, "t", 0, 6);
	struct strmap groups;
	struct group *g = replay_all(&groups, 0);
	ck_assert_int_eq(committed(g, "t", 0), 6);
	ck_assert_int_eq(group_txn_count(g), 0);
	replay_free(&groups);
}
END_TEST

/* ---- append positions (Kafka's olderThan) ---- */

static struct group_offset at(const char *topic, int32_t partition, int64_t offset,
			      int64_t log_offset)
{
	return (struct group_offset){ (char *)topic, partition, offset, -1, "", 100, 0, log_offset };
}

START_TEST(test_commit_marker_keeps_a_plain_commit_appended_later)
{
	struct group *g = group_new("g", &env);
	struct group_offset txn = at("t", 0, 10, 4), plain = at("t", 0, 6, 9);
	ck_assert_int_eq(group_txn_offset_stage(g, 7, &txn), 0);
	ck_assert_int_eq(group_offset_apply(g, &plain), 1);
	ck_assert_int_eq(group_txn_complete(g, 7, 1), 1);
	ck_assert_int_eq(committed(g, "t", 0), 6);
	/* appended after the plain commit: the marker applies it */
	struct group_offset later = at("t", 0, 12, 11);
	ck_assert_int_eq(group_txn_offset_stage(g, 8, &later), 0);
	ck_assert_int_eq(group_txn_complete(g, 8, 1), 1);
	ck_assert_int_eq(committed(g, "t", 0), 12);
	group_free(g, 0);
}
END_TEST

START_TEST(test_position_known_only_after_the_append)
{
	struct group *g = group_new("g", &env);
	ck_assert_int_eq(group_txn_offset_put(g, 7, "t", 0, 10, -1, "", 500), 0);
	group_txn_offset_appended(g, 7, "t", 0, 499, 3); /* another commit's: ignored */
	struct group_offset plain = at("t", 0, 6, 5);
	ck_assert_int_eq(group_offset_apply(g, &plain), 1);
	group_txn_offset_appended(g, 7, "t", 0, 500, 3);
	ck_assert_int_eq(group_txn_complete(g, 7, 1), 1);
	ck_assert_int_eq(committed(g, "t", 0), 6);
	/* a late acknowledgement of an older plain commit does not undo it */
	struct group_offset old = at("t", 0, 2, 1);
	ck_assert_int_eq(group_offset_apply(g, &old), 0);
	ck_assert_int_eq(committed(g, "t", 0), 6);
	group_free(g, 0);
}
END_TEST

START_TEST(test_replay_marker_keeps_a_plain_commit_appended_later)
{
	log_offsets(7, "t", 0, 10);
	log_offsets(-1, "t", 0, 6);
	log_offsets(8, "t", 1, 20);
	log_offsets(-1, "t", 1, 21);
	log_offsets(8, "t", 1, 22); /* the same producer again, after the plain one */
	log_marker(7, 1);
	log_marker(8, 1);
	struct strmap groups;
	struct group *g = replay_all(&groups, 0);
	ck_assert_int_eq(committed(g, "t", 0), 6);
	ck_assert_int_eq(committed(g, "t", 1), 22);
	ck_assert_int_eq(group_offset_get(g, "t", 1)->log_offset, 4);
	replay_free(&groups);
}
END_TEST

/* ---- plain commits in flight, deleted topics ---- */

START_TEST(test_plain_commit_in_flight_is_pending_until_its_append_ends)
{
	struct group *g = group_new("g", &env);
	ck_assert(!group_commit_pending(g, "t", 0));
	ck_assert_int_eq(group_commit_begin(g, "t", 0), 0);
	ck_assert_int_eq(group_commit_begin(g, "t", 0), 0);
	ck_assert(group_commit_pending(g, "t", 0));
	ck_assert(!group_commit_pending(g, "t", 1));
	ck_assert(!group_is_unused(g));
	ck_assert_int_eq(group_commit_end(g, "t", 0), 1);
	ck_assert(group_commit_pending(g, "t", 0)); /* the second is still out */
	ck_assert_int_eq(group_commit_end(g, "t", 0), 1);
	ck_assert(!group_commit_pending(g, "t", 0));
	ck_assert_int_eq(group_commit_end(g, "t", 0), 0);
	ck_assert(group_is_unused(g));
	group_free(g, 0);
}
END_TEST

static int has_part(const int32_t *v, int n, int32_t p)
{
	for (int i = 0; i < n; i++)
		if (v[i] == p)
			return 1;
	return 0;
}

START_TEST(test_deleted_topic_offsets_go_from_every_map)
{
	struct group *g = group_new("g", &env);
	group_offset_put(g, "gone", 0, 5, -1, "", 100);
	group_offset_put(g, "gone", 3, 7, -1, "", 100);
	group_offset_put(g, "kept", 0, 9, -1, "", 100);
	group_offset_put(g, "gone-not", 0, 1, -1, "", 100); /* a prefix is not the topic */
	group_commit_begin(g, "gone", 1);
	group_commit_begin(g, "kept", 1);
	group_txn_offset_put(g, 7, "gone", 0, 11, -1, "", 200);
	group_txn_offset_put(g, 8, "gone", 2, 12, -1, "", 200);
	group_txn_offset_put(g, 8, "kept", 2, 13, -1, "", 200);
	int32_t *parts = NULL;
	ck_assert_int_eq(group_remove_topic(g, "gone", &parts), 2);
	ck_assert(has_part(parts, 2, 0) && has_part(parts, 2, 3));
	free(parts);
	ck_assert_int_eq(committed(g, "gone", 0), -1);
	ck_assert_int_eq(committed(g, "gone", 3), -1);
	ck_assert_int_eq(committed(g, "kept", 0), 9);
	ck_assert_int_eq(committed(g, "gone-not", 0), 1);
	ck_assert(!group_commit_pending(g, "gone", 1));
	ck_assert(group_commit_pending(g, "kept", 1));
	ck_assert_int_eq(group_commit_end(g, "gone", 1), 0); /* its append must not apply */
	ck_assert(!group_txn_pending(g, "gone", 0) && !group_txn_pending(g, "gone", 2));
	ck_assert(group_txn_pending(g, "kept", 2));
	ck_assert_int_eq(group_txn_count(g), 1);
	ck_assert_int_eq(group_txn_complete(g, 7, 1), 0); /* producer 7 had only the topic */
	ck_assert_int_eq(group_txn_complete(g, 8, 1), 1);
	ck_assert_int_eq(committed(g, "gone", 2), -1);
	ck_assert_int_eq(group_remove_topic(g, "gone", &parts), 0); /* again: nothing */
	ck_assert_ptr_null(parts);
	group_free(g, 0);
}
END_TEST

START_TEST(test_group_with_only_a_deleted_topic_is_left_unused)
{
	struct group *g = group_new("g", &env);
	group_offset_put(g, "gone", 0, 5, -1, "", 100);
	ck_assert(!group_is_unused(g));
	int32_t *parts = NULL;
	ck_assert_int_eq(group_remove_topic(g, "gone", &parts), 1);
	free(parts);
	ck_assert(group_is_unused(g));
	group_free(g, 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("group_txn");
	TCase *tc = tcase_create("txn");
	tcase_add_test(tc, test_commit_marker_applies_pending_offsets);
	tcase_add_test(tc, test_abort_marker_drops_pending_offsets_of_that_producer_only);
	tcase_add_test(tc, test_failed_append_forgets_only_its_own_pending_offset);
	tcase_add_test(tc, test_txn_commit_checks_member_and_generation_when_given);
	tcase_add_test(tc, test_pending_offsets_keep_an_empty_group_from_expiring);
	tcase_add_test(tc, test_replay_holds_transactional_offsets_until_their_marker);
	tcase_add_test(tc, test_replay_before_the_marker_leaves_offsets_pending);
	tcase_add_test(tc, test_replay_plain_commit_after_abort_wins);
	tcase_add_test(tc, test_commit_marker_keeps_a_plain_commit_appended_later);
	tcase_add_test(tc, test_position_known_only_after_the_append);
	tcase_add_test(tc, test_replay_marker_keeps_a_plain_commit_appended_later);
	tcase_add_test(tc, test_plain_commit_in_flight_is_pending_until_its_append_ends);
	tcase_add_test(tc, test_deleted_topic_offsets_go_from_every_map);
	tcase_add_test(tc, test_group_with_only_a_deleted_topic_is_left_unused);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
