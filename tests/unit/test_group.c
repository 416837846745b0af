/* Unit tests for the group state machine (broker/group/group.c): joins,
 * delayed joins, syncs, heartbeats, session timeouts, leave, static members
 * and Kafka's error codes, driven with explicit time and a fake store. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker/group/group.h"
#include "common/proto/kerr.h"

/* Every step of a group is followed by its invariant check (group_check),
 * the generation tracked per group: these wrappers shadow the functions. */
#define SEEN_MAX 16
static const struct group *seen_group[SEEN_MAX];
static int32_t seen_generation[SEEN_MAX];

static void check_group(const struct group *g)
{
	int i = 0;
	while (i < SEEN_MAX && seen_group[i] && seen_group[i] != g)
		i++;
	ck_assert_int_lt(i, SEEN_MAX);
	if (!seen_group[i]) {
		seen_group[i] = g;
		seen_generation[i] = INT32_MIN;
	}
	ck_assert_int_eq(group_check(g, &seen_generation[i]), 0);
}

static void join_checked(struct group *g, const struct group_join_req *r, int64_t now,
			 group_join_fn cb, void *arg)
{
	(group_join)(g, r, now, cb, arg);
	check_group(g);
}

static void sync_checked(struct group *g, const struct group_sync_req *r, int64_t now,
			 group_sync_fn cb, void *arg)
{
	(group_sync)(g, r, now, cb, arg);
	check_group(g);
}

static int16_t heartbeat_checked(struct group *g, const char *member, const char *instance,
				 int32_t generation, int64_t now)
{
	int16_t rc = (group_heartbeat)(g, member, instance, generation, now);
	check_group(g);
	return rc;
}

static int16_t leave_checked(struct group *g, const char *member, const char *instance,
			     int64_t now)
{
	int16_t rc = (group_leave)(g, member, instance, now);
	check_group(g);
	return rc;
}

static void tick_checked(struct group *g, int64_t now)
{
	(group_tick)(g, now);
	check_group(g);
}

static void free_checked(struct group *g, int16_t err)
{
	for (int i = 0; i < SEEN_MAX; i++)
		if (seen_group[i] == g) /* a later group may get the same address */
			seen_group[i] = (const void *)1;
	(group_free)(g, err);
}
#define group_join(...) join_checked(__VA_ARGS__)
#define group_sync(...) sync_checked(__VA_ARGS__)
#define group_heartbeat(...) heartbeat_checked(__VA_ARGS__)
#define group_leave(...) leave_checked(__VA_ARGS__)
#define group_tick(...) tick_checked(__VA_ARGS__)
#define group_free(...) free_checked(__VA_ARGS__)

/* ---- fixtures ---- */

static struct group_config cfg = { 0, 6000, 300000, 0, 1 };
static int store_calls;
static int store_manual;        /* 1: keep the done callback for later */
static struct group *stored_g;
static group_store_done_fn stored_done;
static void *stored_arg;

static void fake_store(void *env_arg, struct group *g, group_store_done_fn done, void *arg)
{
	(void)env_arg;
	store_calls++;
	if (store_manual) {
		stored_g = g;
		stored_done = done;
		stored_arg = arg;
		return;
	}
	done(g, 0, arg);
}

static struct group_env env = { &cfg, fake_store, NULL, NULL };

struct join_out {
	int called;
	int16_t error;
	int32_t generation;
	char member_id[300], leader[300], protocol[64];
	int nmembers;
};

static void on_join(void *arg, const struct group_join_result *r)
{
	struct join_out *o = arg;
	o->called++;
	o->error = r->error;
	o->generation = r->generation;
	snprintf(o->member_id, sizeof o->member_id, "%s", r->member_id ? r->member_id : "");
	snprintf(o->leader, sizeof o->leader, "%s", r->leader ? r->leader : "");
	snprintf(o->protocol, sizeof o->protocol, "%s", r->protocol_name ? r->protocol_name : "");
	o->nmembers = r->nmembers;
}

struct sync_out {
	int called;
	int16_t error;
	char assignment[64];
};

static void on_sync(void *arg, const struct group_sync_result *r)
{
	struct sync_out *o = arg;
	o->called++;
	o->error = r->error;
	int n = r->assignment_len < 63 ? r->assignment_len : 63;
	memcpy(o->assignment, r->assignment ? (const char *)r->assignment : "", (size_t)(n > 0 ? n : 0));
	o->assignment[n > 0 ? n : 0] = 0;
}

static struct group_protocol range_p = { "range", (uint8_t *)"sub", 3 };
static struct group_protocol both_p[2] = { { "roundrobin", (uint8_t *)"rr", 2 },
					   { "range", (uint8_t *)"sub", 3 } };

static struct group_join_req jreq(const char *member_id, const char *instance_id)
{
	return (struct group_join_req){ .member_id = member_id, .instance_id = instance_id,
					.client_id = "c", .client_host = "/127.0.0.1",
					.session_timeout_ms = 10000,
					.rebalance_timeout_ms = 30000,
					.protocol_type = "consumer", .protocols = &range_p,
					.nprotocols = 1 };
}

static struct group *g;

static void setup(void)
{
	cfg.initial_rebalance_delay_ms = 0;
	cfg.max_size = 0;
	store_calls = 0;
	store_manual = 0;
	g = group_new("g1", &env);
}

static void teardown(void)
{
	group_free(g, KERR_NOT_COORDINATOR);
}

/* One member joins (no delay) and syncs: generation 1, Stable. */
static void join_one(struct join_out *j, int64_t now)
{
	struct group_join_req r = jreq("", NULL);
	group_join(g, &r, now, on_join, j);
	group_tick(g, now);
}

static void sync_leader(const char *member_id, int32_t gen, const char *assign, struct sync_out *s)
{
	struct group_assignment a = { member_id, (const uint8_t *)assign, (int32_t)strlen(assign) };
	struct group_sync_req r = { .member_id = member_id, .generation = gen,
				    .assignments = &a, .nassignments = 1 };
	group_sync(g, &r, 0, on_sync, s);
}

/* ---- tests ---- */

START_TEST(test_single_member_join_sync_stable)
{
	struct join_out j = { 0 };
	join_one(&j, 0);
	ck_assert_int_eq(j.called, 1);
	ck_assert_int_eq(j.error, 0);
	ck_assert_int_eq(j.generation, 1);
	ck_assert_str_eq(j.leader, j.member_id);
	ck_assert_str_eq(j.protocol, "range");
	ck_assert_int_eq(j.nmembers, 1);
	ck_assert_int_eq(g->state, GROUP_COMPLETING_REBALANCE);
	struct sync_out s = { 0 };
	sync_leader(j.member_id, 1, "A", &s);
	ck_assert_int_eq(s.called, 1);
	ck_assert_int_eq(s.error, 0);
	ck_assert_str_eq(s.assignment, "A");
	ck_assert_int_eq(g->state, GROUP_STABLE);
	ck_assert_int_eq(store_calls, 1);
}
END_TEST

START_TEST(test_member_id_required_then_join)
{
	struct group_join_req r = jreq("", NULL);
	r.require_known_member_id = 1;
	struct join_out j = { 0 };
	group_join(g, &r, 0, on_join, &j);
	ck_assert_int_eq(j.error, KERR_MEMBER_ID_REQUIRED);
	ck_assert(strlen(j.member_id) > 2);
	ck_assert_int_eq(g->nmembers, 0);
	char id[300];
	strcpy(id, j.member_id);
	r.member_id = id;
	memset(&j, 0, sizeof j);
	group_join(g, &r, 1, on_join, &j);
	ck_assert_int_eq(j.called, 1);
	ck_assert_int_eq(j.error, 0);
	ck_assert_str_eq(j.member_id, id);
}
END_TEST

START_TEST(test_pending_member_expires)
{
	struct group_join_req r = jreq("", NULL);
	r.require_known_member_id = 1;
	struct join_out j = { 0 };
	group_join(g, &r, 0, on_join, &j);
	ck_assert_int_eq(g->npending, 1);
	group_tick(g, 10001);
	ck_assert_int_eq(g->npending, 0);
	r.member_id = j.member_id;
	struct join_out j2 = { 0 };
	group_join(g, &r, 10002, on_join, &j2);
	ck_assert_int_eq(j2.error, KERR_UNKNOWN_MEMBER_ID);
}
END_TEST

START_TEST(test_initial_delay_gathers_members)
{
	cfg.initial_rebalance_delay_ms = 3000;
	struct join_out a = { 0 }, b = { 0 };
	struct group_join_req r = jreq("", NULL);
	group_join(g, &r, 0, on_join, &a);
	group_tick(g, 1000);
	ck_assert_int_eq(a.called, 0);
	group_join(g, &r, 1500, on_join, &b);
	group_tick(g, 2999);
	ck_assert_int_eq(a.called + b.called, 0);
	group_tick(g, 3000); /* a new member arrived: the delay extends once more */
	ck_assert_int_eq(a.called + b.called, 0);
	group_tick(g, 6000);
	ck_assert_int_eq(a.called, 1);
	ck_assert_int_eq(b.called, 1);
	ck_assert_int_eq(a.generation, 1);
	ck_assert_str_eq(a.leader, a.member_id);
	ck_assert_int_eq(a.nmembers, 2);
	ck_assert_int_eq(b.nmembers, 0);
}
END_TEST

/* Kafka extends the initial delay for new members only at generation 0: a
 * group that emptied after generation 1 waits one delay when it refills. */
START_TEST(test_refilled_group_waits_one_delay)
{
	struct join_out j = { 0 };
	join_one(&j, 0);
	struct sync_out s = { 0 };
	sync_leader(j.member_id, 1, "A", &s);
	ck_assert_int_eq(group_leave(g, j.member_id, NULL, 10), 0);
	ck_assert_int_eq(g->state, GROUP_EMPTY);
	int32_t before = g->generation;
	ck_assert_int_gt(before, 0);
	cfg.initial_rebalance_delay_ms = 3000;
	struct join_out a = { 0 }, b = { 0 };
	struct group_join_req r = jreq("", NULL);
	group_join(g, &r, 100, on_join, &a);
	group_join(g, &r, 1600, on_join, &b);
	group_tick(g, 3099);
	ck_assert_int_eq(a.called + b.called, 0);
	group_tick(g, 3100); /* no extension although b arrived during the delay */
	ck_assert_int_eq(a.called, 1);
	ck_assert_int_eq(b.called, 1);
	ck_assert_int_eq(a.generation, before + 1);
	ck_assert_int_eq(a.nmembers + b.nmembers, 2);
}
END_TEST

START_TEST(test_second_member_triggers_rebalance_and_waits_for_all)
{
	struct join_out a = { 0 };
	join_one(&a, 0);
	struct sync_out s = { 0 };
	sync_leader(a.member_id, 1, "A", &s);
	struct join_out b = { 0 };
	struct group_join_req r = jreq("", NULL);
	group_join(g, &r, 100, on_join, &b);
	ck_assert_int_eq(g->state, GROUP_PREPARING_REBALANCE);
	ck_assert_int_eq(b.called, 0);
	ck_assert_int_eq(group_heartbeat(g, a.member_id, NULL, 1, 200), KERR_REBALANCE_IN_PROGRESS);
	struct join_out a2 = { 0 };
	struct group_join_req ra = jreq(a.member_id, NULL);
	group_join(g, &ra, 300, on_join, &a2);
	ck_assert_int_eq(a2.called, 1);
	ck_assert_int_eq(b.called, 1);
	ck_assert_int_eq(a2.generation, 2);
	ck_assert_int_eq(a2.nmembers, 2);
	ck_assert_str_eq(b.leader, a.member_id);
}
END_TEST

START_TEST(test_rebalance_timeout_drops_members_that_did_not_rejoin)
{
	struct join_out a = { 0 };
	join_one(&a, 0);
	struct sync_out s = { 0 };
	sync_leader(a.member_id, 1, "A", &s);
	struct join_out b = { 0 };
	struct group_join_req r = jreq("", NULL);
	group_join(g, &r, 100, on_join, &b);
	for (int64_t t = 9000; t < 30000; t += 9000) {
		ck_assert_int_eq(group_heartbeat(g, a.member_id, NULL, 1, t), KERR_REBALANCE_IN_PROGRESS);
		group_tick(g, t);
	}
	group_tick(g, 100 + 29999);
	ck_assert_int_eq(b.called, 0);
	group_tick(g, 100 + 30000);
	ck_assert_int_eq(b.called, 1);
	ck_assert_int_eq(b.generation, 2);
	ck_assert_str_eq(b.leader, b.member_id); /* a is gone, b leads */
	ck_assert_int_eq(g->nmembers, 1);
	ck_assert_int_eq(group_heartbeat(g, a.member_id, NULL, 1, 30200), KERR_UNKNOWN_MEMBER_ID);
}
END_TEST

START_TEST(test_session_timeout_evicts_member)
{
	struct join_out a = { 0 };
	join_one(&a, 0);
	struct sync_out s = { 0 };
	sync_leader(a.member_id, 1, "A", &s);
	ck_assert_int_eq(group_heartbeat(g, a.member_id, NULL, 1, 9000), 0);
	group_tick(g, 18999);
	ck_assert_int_eq(g->nmembers, 1);
	group_tick(g, 19000);
	ck_assert_int_eq(g->nmembers, 0);
	ck_assert_int_eq(g->state, GROUP_EMPTY);
	ck_assert_int_eq(g->generation, 2);
}
END_TEST

START_TEST(test_heartbeat_errors)
{
	ck_assert_int_eq(group_heartbeat(g, "nobody", NULL, 0, 0), KERR_UNKNOWN_MEMBER_ID);
	struct join_out a = { 0 };
	join_one(&a, 0);
	ck_assert_int_eq(group_heartbeat(g, a.member_id, NULL, 1, 1), 0); /* CompletingRebalance */
	ck_assert_int_eq(group_heartbeat(g, a.member_id, NULL, 7, 1), KERR_ILLEGAL_GENERATION);
	ck_assert_int_eq(group_heartbeat(g, "x", NULL, 1, 1), KERR_UNKNOWN_MEMBER_ID);
}
END_TEST

START_TEST(test_sync_errors)
{
	struct join_out a = { 0 };
	join_one(&a, 0);
	struct sync_out s = { 0 };
	sync_leader(a.member_id, 5, "A", &s);
	ck_assert_int_eq(s.error, KERR_ILLEGAL_GENERATION);
	memset(&s, 0, sizeof s);
	sync_leader("nobody", 1, "A", &s);
	ck_assert_int_eq(s.error, KERR_UNKNOWN_MEMBER_ID);
	struct group_sync_req r = { .member_id = a.member_id, .generation = 1,
				    .protocol_type = "consumer", .protocol_name = "roundrobin" };
	memset(&s, 0, sizeof s);
	group_sync(g, &r, 0, on_sync, &s);
	ck_assert_int_eq(s.error, KERR_INCONSISTENT_GROUP_PROTOCOL);
}
END_TEST

START_TEST(test_sync_during_rebalance_and_follower_waits_for_leader)
{
	cfg.initial_rebalance_delay_ms = 100;
	struct join_out a = { 0 }, b = { 0 };
	struct group_join_req r = jreq("", NULL);
	group_join(g, &r, 0, on_join, &a);
	group_join(g, &r, 0, on_join, &b);
	group_tick(g, 100);
	group_tick(g, 200);
	ck_assert_int_eq(a.generation, 1);
	const char *follower = strcmp(a.leader, a.member_id) ? a.member_id : b.member_id;
	const char *leader = a.leader;
	struct sync_out sf = { 0 }, sl = { 0 };
	struct group_sync_req fr = { .member_id = follower, .generation = 1 };
	store_manual = 1;
	group_sync(g, &fr, 0, on_sync, &sf);
	ck_assert_int_eq(sf.called, 0);
	struct group_assignment as[2] = { { leader, (const uint8_t *)"L", 1 },
					  { follower, (const uint8_t *)"F", 1 } };
	struct group_sync_req lr = { .member_id = leader, .generation = 1, .assignments = as,
				     .nassignments = 2 };
	group_sync(g, &lr, 0, on_sync, &sl);
	ck_assert_int_eq(sf.called + sl.called, 0); /* not before the store */
	stored_done(stored_g, 0, stored_arg);
	ck_assert_int_eq(sf.called, 1);
	ck_assert_str_eq(sf.assignment, "F");
	ck_assert_str_eq(sl.assignment, "L");
	ck_assert_int_eq(g->state, GROUP_STABLE);
}
END_TEST

START_TEST(test_store_failure_fails_sync_and_rebalances)
{
	struct join_out a = { 0 };
	join_one(&a, 0);
	store_manual = 1;
	struct sync_out s = { 0 };
	sync_leader(a.member_id, 1, "A", &s);
	stored_done(stored_g, KERR_NOT_LEADER_OR_FOLLOWER, stored_arg);
	ck_assert_int_eq(s.called, 1);
	ck_assert_int_eq(s.error, KERR_NOT_COORDINATOR);
	ck_assert_int_eq(g->state, GROUP_PREPARING_REBALANCE);
}
END_TEST

START_TEST(test_rebalance_in_progress_answers_pending_sync)
{
	cfg.initial_rebalance_delay_ms = 10;
	struct join_out a = { 0 }, b = { 0 };
	struct group_join_req r = jreq("", NULL);
	group_join(g, &r, 0, on_join, &a);
	group_join(g, &r, 0, on_join, &b);
	group_tick(g, 10);
	group_tick(g, 20);
	const char *follower = strcmp(a.leader, a.member_id) ? a.member_id : b.member_id;
	struct sync_out sf = { 0 };
	struct group_sync_req fr = { .member_id = follower, .generation = 1 };
	group_sync(g, &fr, 20, on_sync, &sf);
	ck_assert_int_eq(group_leave(g, a.leader, NULL, 30), 0); /* leader leaves */
	ck_assert_int_eq(sf.called, 1);
	ck_assert_int_eq(sf.error, KERR_REBALANCE_IN_PROGRESS);
	ck_assert_int_eq(g->state, GROUP_PREPARING_REBALANCE);
}
END_TEST

START_TEST(test_leave_last_member_empties_group)
{
	struct join_out a = { 0 };
	join_one(&a, 0);
	struct sync_out s = { 0 };
	sync_leader(a.member_id, 1, "A", &s);
	ck_assert_int_eq(group_leave(g, "nobody", NULL, 1), KERR_UNKNOWN_MEMBER_ID);
	ck_assert_int_eq(group_leave(g, a.member_id, NULL, 1), 0);
	ck_assert_int_eq(g->state, GROUP_EMPTY);
	ck_assert_int_eq(g->nmembers, 0);
	ck_assert_int_eq(store_calls, 2); /* assignment, then the empty group */
}
END_TEST

START_TEST(test_inconsistent_protocol_rejected)
{
	struct join_out a = { 0 };
	join_one(&a, 0);
	struct group_protocol other = { "sticky", (uint8_t *)"x", 1 };
	struct group_join_req r = jreq("", NULL);
	r.protocols = &other;
	struct join_out b = { 0 };
	group_join(g, &r, 1, on_join, &b);
	ck_assert_int_eq(b.error, KERR_INCONSISTENT_GROUP_PROTOCOL);
	r = jreq("", NULL);
	r.protocol_type = "connect";
	memset(&b, 0, sizeof b);
	group_join(g, &r, 1, on_join, &b);
	ck_assert_int_eq(b.error, KERR_INCONSISTENT_GROUP_PROTOCOL);
	r.protocol_type = "";
	group_free(g, 0);
	g = group_new("g2", &env);
	memset(&b, 0, sizeof b);
	group_join(g, &r, 1, on_join, &b);
	ck_assert_int_eq(b.error, KERR_INCONSISTENT_GROUP_PROTOCOL); /* empty type */
}
END_TEST

START_TEST(test_protocol_selection_by_votes)
{
	cfg.initial_rebalance_delay_ms = 10;
	struct join_out a = { 0 }, b = { 0 }, c = { 0 };
	struct group_join_req r1 = jreq("", NULL);
	r1.protocols = both_p; /* prefers roundrobin */
	r1.nprotocols = 2;
	group_join(g, &r1, 0, on_join, &a);
	group_join(g, &r1, 0, on_join, &b);
	struct group_protocol range_first[2] = { both_p[1], both_p[0] };
	struct group_join_req r2 = r1;
	r2.protocols = range_first;
	group_join(g, &r2, 0, on_join, &c);
	group_tick(g, 10);
	group_tick(g, 20);
	ck_assert_str_eq(a.protocol, "roundrobin");
	ck_assert_str_eq(c.protocol, "roundrobin");
}
END_TEST

START_TEST(test_invalid_session_timeout)
{
	struct group_join_req r = jreq("", NULL);
	r.session_timeout_ms = 10;
	struct join_out a = { 0 };
	group_join(g, &r, 0, on_join, &a);
	ck_assert_int_eq(a.error, KERR_INVALID_SESSION_TIMEOUT);
}
END_TEST

START_TEST(test_unknown_member_join_rejected)
{
	struct group_join_req r = jreq("ghost", NULL);
	struct join_out a = { 0 };
	group_join(g, &r, 0, on_join, &a);
	ck_assert_int_eq(a.error, KERR_UNKNOWN_MEMBER_ID);
}
END_TEST

START_TEST(test_group_max_size)
{
	cfg.max_size = 1;
	struct join_out a = { 0 }, b = { 0 };
	join_one(&a, 0);
	struct group_join_req r = jreq("", NULL);
	group_join(g, &r, 1, on_join, &b);
	ck_assert_int_eq(b.error, KERR_GROUP_MAX_SIZE_REACHED);
}
END_TEST

START_TEST(test_static_member_restart_keeps_assignment_without_rebalance)
{
	cfg.initial_rebalance_delay_ms = 10;
	struct join_out a = { 0 }, b = { 0 };
	struct group_join_req ra = jreq("", "inst-a"), rb = jreq("", "inst-b");
	group_join(g, &ra, 0, on_join, &a);
	group_join(g, &rb, 0, on_join, &b);
	group_tick(g, 10);
	group_tick(g, 20);
	ck_assert_int_eq(a.generation, 1);
	const char *leader = a.leader;
	struct join_out *fol = strcmp(leader, a.member_id) ? &a : &b;
	struct group_join_req *fr = fol == &a ? &ra : &rb;
	char old_id[300];
	strcpy(old_id, fol->member_id);
	struct group_assignment as[2] = { { a.member_id, (const uint8_t *)"AA", 2 },
					  { b.member_id, (const uint8_t *)"BB", 2 } };
	struct group_sync_req lr = { .member_id = leader, .generation = 1, .assignments = as,
				     .nassignments = 2 };
	struct sync_out s = { 0 };
	group_sync(g, &lr, 20, on_sync, &s);
	ck_assert_int_eq(g->state, GROUP_STABLE);
	/* the follower restarts with the same instance id and no member id */
	struct join_out again = { 0 };
	group_join(g, fr, 30, on_join, &again);
	ck_assert_int_eq(again.error, 0);
	ck_assert_int_eq(again.generation, 1);
	ck_assert_str_ne(again.member_id, old_id);
	ck_assert_int_eq(g->state, GROUP_STABLE);
	/* the old id is fenced */
	ck_assert_int_eq(group_heartbeat(g, old_id, fr->instance_id, 1, 40), KERR_FENCED_INSTANCE_ID);
	struct sync_out s2 = { 0 };
	struct group_sync_req sr = { .member_id = again.member_id, .generation = 1 };
	group_sync(g, &sr, 40, on_sync, &s2);
	ck_assert_int_eq(s2.error, 0);
	ck_assert_str_eq(s2.assignment, fol == &a ? "AA" : "BB");
}
END_TEST

START_TEST(test_static_member_wrong_member_id_fenced)
{
	struct group_join_req r = jreq("", "inst");
	struct join_out a = { 0 };
	group_join(g, &r, 0, on_join, &a);
	group_tick(g, 0);
	r.member_id = "someone-else";
	struct join_out b = { 0 };
	group_join(g, &r, 1, on_join, &b);
	ck_assert_int_eq(b.error, KERR_FENCED_INSTANCE_ID);
	ck_assert_int_eq(group_leave(g, "someone-else", "inst", 2), KERR_FENCED_INSTANCE_ID);
	ck_assert_int_eq(group_leave(g, a.member_id, "inst", 2), 0);
	ck_assert_int_eq(g->nmembers, 0);
}
END_TEST

START_TEST(test_commit_rules)
{
	ck_assert_int_eq(group_check_commit(g, "", NULL, -1, 0), 0); /* simple consumer */
	struct join_out a = { 0 };
	join_one(&a, 0);
	ck_assert_int_eq(group_check_commit(g, a.member_id, NULL, 1, 1), KERR_REBALANCE_IN_PROGRESS);
	struct sync_out s = { 0 };
	sync_leader(a.member_id, 1, "A", &s);
	ck_assert_int_eq(group_check_commit(g, a.member_id, NULL, 1, 1), 0);
	ck_assert_int_eq(group_check_commit(g, a.member_id, NULL, 0, 1), KERR_ILLEGAL_GENERATION);
	ck_assert_int_eq(group_check_commit(g, "x", NULL, 1, 1), KERR_UNKNOWN_MEMBER_ID);
	ck_assert_int_eq(group_check_commit(g, "", NULL, -1, 1), KERR_UNKNOWN_MEMBER_ID);
	ck_assert_int_eq(group_offset_put(g, "t", 3, 42, 5, "m", 7), 0);
	const struct group_offset *o = group_offset_get(g, "t", 3);
	ck_assert_ptr_nonnull(o);
	ck_assert_int_eq(o->offset, 42);
	ck_assert_str_eq(o->metadata, "m");
	ck_assert_ptr_null(group_offset_get(g, "t", 4));
	group_offset_del(g, "t", 3);
	ck_assert_int_eq(group_offset_count(g), 0);
}
END_TEST

START_TEST(test_subscription_lookup)
{
	/* ConsumerProtocolSubscription v0: version, [topics], user data */
	static const uint8_t sub[] = { 0, 0, 0, 0, 0, 2, 0, 1, 'a', 0, 3, 'b', 'c', 'd',
				       0xff, 0xff, 0xff, 0xff };
	struct group_protocol p = { "range", (uint8_t *)sub, sizeof sub };
	struct group_join_req r = jreq("", NULL);
	r.protocols = &p;
	struct join_out a = { 0 };
	group_join(g, &r, 0, on_join, &a);
	group_tick(g, 0);
	ck_assert(group_subscribed_to(g, "bcd"));
	ck_assert(group_subscribed_to(g, "a"));
	ck_assert(!group_subscribed_to(g, "bc"));
}
END_TEST

START_TEST(test_free_answers_pending_callbacks)
{
	cfg.initial_rebalance_delay_ms = 1000;
	struct join_out a = { 0 };
	struct group_join_req r = jreq("", NULL);
	group_join(g, &r, 0, on_join, &a);
	ck_assert_int_eq(a.called, 0);
	group_free(g, KERR_NOT_COORDINATOR);
	g = group_new("g", &env);
	ck_assert_int_eq(a.called, 1);
	ck_assert_int_eq(a.error, KERR_NOT_COORDINATOR);
}
END_TEST

/* The checker itself: a generation that went back is reported. */
START_TEST(test_group_check_reports_generation_going_back)
{
	struct group *g = (group_new)("gc", &env);
	int32_t seen = INT32_MIN;
	ck_assert_int_eq(group_check(g, &seen), 0);
	ck_assert_int_eq(seen, g->generation);
	seen = g->generation + 1;
	ck_assert_int_eq(group_check(g, &seen), -1);
	(group_free)(g, 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("group");
	TCase *tc = tcase_create("state_machine");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_single_member_join_sync_stable);
	tcase_add_test(tc, test_member_id_required_then_join);
	tcase_add_test(tc, test_pending_member_expires);
	tcase_add_test(tc, test_initial_delay_gathers_members);
	tcase_add_test(tc, test_refilled_group_waits_one_delay);
	tcase_add_test(tc, test_second_member_triggers_rebalance_and_waits_for_all);
	tcase_add_test(tc, test_rebalance_timeout_drops_members_that_did_not_rejoin);
	tcase_add_test(tc, test_session_timeout_evicts_member);
	tcase_add_test(tc, test_heartbeat_errors);
	tcase_add_test(tc, test_sync_errors);
	tcase_add_test(tc, test_sync_during_rebalance_and_follower_waits_for_leader);
	tcase_add_test(tc, test_store_failure_fails_sync_and_rebalances);
	tcase_add_test(tc, test_rebalance_in_progress_answers_pending_sync);
	tcase_add_test(tc, test_leave_last_member_empties_group);
	tcase_add_test(tc, test_inconsistent_protocol_rejected);
	tcase_add_test(tc, test_protocol_selection_by_votes);
	tcase_add_test(tc, test_invalid_session_timeout);
	tcase_add_test(tc, test_unknown_member_join_rejected);
	tcase_add_test(tc, test_group_max_size);
	tcase_add_test(tc, test_static_member_restart_keeps_assignment_without_rebalance);
	tcase_add_test(tc, test_static_member_wrong_member_id_fenced);
	tcase_add_test(tc, test_commit_rules);
	tcase_add_test(tc, test_subscription_lookup);
	tcase_add_test(tc, test_free_answers_pending_callbacks);
	tcase_add_test(tc, test_group_check_reports_generation_going_back);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
