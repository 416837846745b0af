/* Unit tests for the timer wheel (common/timer_wheel.c) and the purgatory
 * (common/purgatory.c): entries are reported once, never early, and at the
 * first advance past their expiry, cancelled ones never; operations complete
 * on their keys' events only, expire on their deadline, cancel silently,
 * and survive callbacks that change the purgatory under them. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include "common/net/loop.h"
#include "common/purgatory.h"
#include "common/timer_wheel.h"

/* ---- timer wheel ---- */

#define NE 3000

struct item {
	struct tw_entry e;
	int64_t expire, reported_at;
	int cancelled;
};

static uint64_t rng = 88172645463325252ull;
static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Expiries from 0 to ~10 hours (past the wheel's top level), random steps
 * of time: each entry is reported exactly once, at the first advance whose
 * time is at or past its expiry. */
START_TEST(test_wheel_reports_each_entry_once_never_early)
{
	static struct item it[NE];
	struct timer_wheel tw;
	int64_t now = 1000;
	tw_init(&tw, 1, now);
	for (int i = 0; i < NE; i++) {
		int64_t range = i % 3 == 0 ? 100 : i % 3 == 1 ? 300000 : 36000000;
		it[i] = (struct item){ .expire = now + (int64_t)(next_rand() % (uint64_t)range),
				       .reported_at = -1 };
		int64_t due = tw_add(&tw, &it[i].e, it[i].expire);
		ck_assert_int_le(due, it[i].expire);
		if (i % 7 == 0) {
			tw_cancel(&tw, &it[i].e);
			it[i].cancelled = 1;
		}
	}
	int64_t prev = now - 1; /* expiries at `now` are due at the first advance */
	size_t left = 0;
	for (int i = 0; i < NE; i++)
		left += !it[i].cancelled;
	for (int round = 0; round < 200000 && left > 0; round++) {
		if (round % 500 == 0) { /* the wheel's next time is never after an expiry */
			int64_t min = INT64_MAX;
			for (int i = 0; i < NE; i++)
				if (!it[i].cancelled && it[i].reported_at < 0 && it[i].expire < min)
					min = it[i].expire;
			ck_assert_int_le(tw_next_ms(&tw), min);
		}
		now += round % 50 == 0 ? (int64_t)(next_rand() % 2000000) : (int64_t)(next_rand() % 40);
		struct tw_entry due;
		tw_list_init(&due);
		size_t n = tw_advance(&tw, now, &due);
		for (struct tw_entry *e; (e = tw_list_pop(&due)); n--) {
			struct item *x = (struct item *)e;
			ck_assert_int_eq(x->cancelled, 0);
			ck_assert_int_eq(x->reported_at, -1);
			ck_assert_int_le(x->expire, now);  /* never early */
			ck_assert_int_gt(x->expire, prev); /* not late either */
			x->reported_at = now;
			left--;
		}
		ck_assert_uint_eq(n, 0);
		prev = now;
	}
	ck_assert_uint_eq(left, 0);
	ck_assert_uint_eq(tw.count, 0);
	for (int i = 0; i < NE; i++)
		ck_assert(it[i].cancelled ? it[i].reported_at == -1 : it[i].reported_at >= 0);
}
END_TEST

START_TEST(test_wheel_past_expiry_is_due_at_once_and_next_tracks_earliest)
{
	struct timer_wheel tw;
	tw_init(&tw, 1, 5000);
	struct tw_entry a, b;
	ck_assert_int_eq(tw_next_ms(&tw), INT64_MAX);
	tw_add(&tw, &a, 100); /* in the past */
	tw_add(&tw, &b, 9000);
	ck_assert_int_le(tw_next_ms(&tw), 5000);
	struct tw_entry due;
	tw_list_init(&due);
	ck_assert_uint_eq(tw_advance(&tw, 5000, &due), 1);
	ck_assert_ptr_eq(tw_list_pop(&due), &a);
	ck_assert(tw_next_ms(&tw) > 5000 && tw_next_ms(&tw) <= 9000);
	ck_assert_uint_eq(tw_advance(&tw, 8999, &due), 0);
	ck_assert_uint_eq(tw_advance(&tw, 9000, &due), 1);
	ck_assert_int_eq(tw_next_ms(&tw), INT64_MAX);
	/* cancelling an entry waiting on a due list takes it off that list */
	tw_add(&tw, &a, 9100);
	tw_add(&tw, &b, 9100);
	struct tw_entry d2;
	tw_list_init(&d2);
	ck_assert_uint_eq(tw_advance(&tw, 9100, &d2), 2);
	tw_cancel(&tw, &b);
	ck_assert_ptr_eq(tw_list_pop(&d2), &a);
	ck_assert_ptr_null(tw_list_pop(&d2));
}
END_TEST

/* ---- purgatory ---- */

struct op {
	struct purg_op po;
	int ready;      /* try_complete's answer */
	int completed;  /* on_complete calls */
	int expired;
	int64_t at_ms;
	struct purgatory *pg;
	struct purg_key *park_on; /* on_complete parks `extra` on this key */
	struct op *extra;
	struct op *cancel;        /* on_complete cancels this one */
};

static int op_try(struct purg_op *po) { return ((struct op *)po->arg)->ready; }

static void op_done(struct purg_op *po, int expired)
{
	struct op *o = po->arg;
	o->completed++;
	o->expired = expired;
	o->at_ms = loop_now_ms(o->pg->loop);
	if (o->park_on) {
		struct purg_key *k = o->park_on;
		o->park_on = NULL;
		purg_watch(o->pg, &o->extra->po, &k, 1, 60000);
	}
	if (o->cancel)
		purg_cancel(o->pg, &o->cancel->po);
}

static void op_setup(struct op *o, struct purgatory *pg, int kind)
{
	*o = (struct op){ .pg = pg };
	purg_op_init(&o->po, kind, op_try, op_done, o);
}

static void stop_loop(struct loop_timer *t) { loop_stop(t->arg); }

/* Runs the loop until ms have passed (a deadline, not a sleep: the loop
 * serves the purgatory's timer meanwhile). */
static void run_for(struct loop *l, int64_t ms)
{
	struct loop_timer t;
	loop_timer_init(&t, stop_loop, l);
	loop_timer_start(l, &t, ms);
	ck_assert_int_eq(loop_run(l), 0);
}

START_TEST(test_purgatory_key_event_completes_only_its_watchers)
{
	struct loop *l = loop_new();
	struct purgatory pg;
	purg_init(&pg, l);
	enum { NK = 1000 };
	static struct purg_key keys[NK];
	static struct op ops[NK];
	for (int i = 0; i < NK; i++) {
		purg_key_init(&keys[i]);
		op_setup(&ops[i], &pg, 1);
		struct purg_key *k = &keys[i];
		ck_assert_int_eq(purg_try_else_watch(&pg, &ops[i].po, &k, 1, 60000), 0);
	}
	ck_assert_int_eq(purg_size(&pg, 1), NK);
	/* not ready: a check tries exactly that key's one watcher */
	int64_t c0 = pg.checks;
	ck_assert_int_eq(purg_check_key(&pg, &keys[500]), 0);
	ck_assert_int_eq(pg.checks - c0, 1);
	for (int i = 0; i < NK; i += 2)
		ops[i].ready = 1;
	c0 = pg.checks;
	for (int i = 0; i < NK; i += 4)
		ck_assert_int_eq(purg_check_key(&pg, &keys[i]), 1);
	ck_assert_int_eq(pg.checks - c0, NK / 4);
	for (int i = 0; i < NK; i++) {
		ck_assert_int_eq(ops[i].completed, i % 4 == 0);
		ck_assert_uint_eq(purg_key_watchers(&keys[i]), i % 4 != 0);
	}
	ck_assert_int_eq(purg_size(&pg, 1), NK - NK / 4);
	purg_free(&pg);
	loop_free(l);
}
END_TEST

START_TEST(test_purgatory_ready_at_once_is_not_parked)
{
	struct loop *l = loop_new();
	struct purgatory pg;
	purg_init(&pg, l);
	struct purg_key key;
	purg_key_init(&key);
	struct op o;
	op_setup(&o, &pg, 2);
	o.ready = 1;
	struct purg_key *k = &key;
	ck_assert_int_eq(purg_try_else_watch(&pg, &o.po, &k, 1, 60000), 1);
	ck_assert_int_eq(o.completed, 1);
	ck_assert_int_eq(o.expired, 0);
	ck_assert_int_eq(purg_size(&pg, 2), 0);
	ck_assert_uint_eq(purg_key_watchers(&key), 0);
	purg_free(&pg);
	loop_free(l);
}
END_TEST

START_TEST(test_purgatory_deadline_expires_and_cancel_is_silent)
{
	struct loop *l = loop_new();
	struct purgatory pg;
	purg_init(&pg, l);
	struct purg_key key;
	purg_key_init(&key);
	struct purg_key *k = &key;
	struct op a, b, c, d;
	op_setup(&a, &pg, 1);
	op_setup(&b, &pg, 1);
	op_setup(&c, &pg, 1);
	op_setup(&d, &pg, 3);
	int64_t t0 = loop_now_ms(l);
	purg_watch(&pg, &a.po, &k, 1, 30);
	purg_watch(&pg, &b.po, &k, 1, 30);
	purg_watch(&pg, &c.po, &k, 1, 100000); /* outlives the test */
	purg_watch(&pg, &d.po, NULL, 0, 0);    /* a plain delay: next turn */
	ck_assert_int_eq(d.completed, 0);      /* never before purg_watch returns */
	purg_cancel(&pg, &b.po);
	run_for(l, 300);
	ck_assert_int_eq(a.completed, 1);
	ck_assert_int_eq(a.expired, 1);
	ck_assert_int_ge(a.at_ms - t0, 30);
	ck_assert_int_eq(b.completed, 0);
	ck_assert_int_eq(c.completed, 0);
	ck_assert_int_eq(d.completed, 1);
	ck_assert_int_eq(d.expired, 1);
	ck_assert_uint_eq(purg_key_watchers(&key), 1); /* c only */
	ck_assert_int_eq(purg_complete(&pg, &c.po), 0);
	ck_assert_int_eq(c.completed, 1);
	ck_assert_int_eq(c.expired, 0);
	ck_assert_int_eq(purg_complete(&pg, &c.po), -1);
	ck_assert_int_eq(purg_size(&pg, 1) + purg_size(&pg, 3), 0);
	purg_free(&pg);
	loop_free(l);
}
END_TEST

/* One operation on many keys (a fetch of several partitions): an event on
 * any of them completes it and it leaves all of them; releasing a key
 * keeps the operation's deadline. */
START_TEST(test_purgatory_many_keys_per_operation)
{
	struct loop *l = loop_new();
	struct purgatory pg;
	purg_init(&pg, l);
	struct purg_key keys[5];
	struct purg_key *kp[6];
	for (int i = 0; i < 5; i++) {
		purg_key_init(&keys[i]);
		kp[i] = &keys[i];
	}
	kp[5] = &keys[2]; /* named twice */
	struct op o, r;
	op_setup(&o, &pg, 1);
	op_setup(&r, &pg, 1);
	purg_watch(&pg, &o.po, kp, 6, 60000);
	ck_assert_uint_eq(purg_key_watchers(&keys[2]), 2);
	o.ready = 1;
	ck_assert_int_eq(purg_check_key(&pg, &keys[2]), 1);
	ck_assert_int_eq(o.completed, 1);
	for (int i = 0; i < 5; i++)
		ck_assert_uint_eq(purg_key_watchers(&keys[i]), 0);
	purg_watch(&pg, &r.po, kp, 2, 40);
	purg_key_release(&keys[0]);
	purg_key_release(&keys[1]);
	r.ready = 1;
	ck_assert_int_eq(purg_check_key(&pg, &keys[0]), 0);
	run_for(l, 300);
	ck_assert_int_eq(r.completed, 1);
	ck_assert_int_eq(r.expired, 1);
	purg_free(&pg);
	loop_free(l);
}
END_TEST

/* Callbacks that change the purgatory under it: a completion parks a new
 * operation on the key being checked (it waits for the next event: it was
 * not watching when this one began), and an expiry cancels another
 * operation that is due in the same tick. */
START_TEST(test_purgatory_callbacks_may_change_the_purgatory)
{
	struct loop *l = loop_new();
	struct purgatory pg;
	purg_init(&pg, l);
	struct purg_key key;
	purg_key_init(&key);
	struct purg_key *k = &key;
	struct op a, extra, x, y;
	op_setup(&a, &pg, 1);
	op_setup(&extra, &pg, 1);
	a.ready = 1;
	a.park_on = &key;
	a.extra = &extra;
	purg_watch(&pg, &a.po, &k, 1, 60000);
	ck_assert_int_eq(purg_check_key(&pg, &key), 1);
	ck_assert_int_eq(a.completed, 1);
	ck_assert_int_eq(extra.completed, 0);
	ck_assert_uint_eq(purg_key_watchers(&key), 1);
	extra.ready = 1;
	ck_assert_int_eq(purg_check_key(&pg, &key), 1);
	ck_assert_int_eq(extra.completed, 1);
	op_setup(&x, &pg, 1);
	op_setup(&y, &pg, 1);
	purg_watch(&pg, &x.po, &k, 1, 20);
	purg_watch(&pg, &y.po, &k, 1, 20);
	x.cancel = &y;
	run_for(l, 300);
	ck_assert_int_eq(x.completed + y.completed, 1);
	ck_assert_int_eq(purg_size(&pg, 1), 0);
	ck_assert_uint_eq(purg_key_watchers(&key), 0);
	purg_free(&pg);
	loop_free(l);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("purgatory");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_wheel_reports_each_entry_once_never_early);
	tcase_add_test(tc, test_wheel_past_expiry_is_due_at_once_and_next_tracks_earliest);
	tcase_add_test(tc, test_purgatory_key_event_completes_only_its_watchers);
	tcase_add_test(tc, test_purgatory_ready_at_once_is_not_parked);
	tcase_add_test(tc, test_purgatory_deadline_expires_and_cancel_is_silent);
	tcase_add_test(tc, test_purgatory_many_keys_per_operation);
	tcase_add_test(tc, test_purgatory_callbacks_may_change_the_purgatory);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
