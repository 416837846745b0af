/* The acks=all path's last step, in-process (one broker's replica manager,
 * no sockets): the follower position that proves the last ISR member has a
 * batch moves the high watermark and completes the append waiting for it
 * at once, inside that call: no turn of the loop, no timer, no later fetch.
 * A position that proves less completes nothing. handlers/fetch.c records
 * a follower's position this way when its fetch arrives, before the fetch
 * may park (see docs/architecture.md, "A fetch, step by step"). */
#include <check.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "broker/broker.h"
#include "broker/config.h"
#include "broker/metadata_cache.h"
#include "broker/metrics.h"
#include "broker/replica/replica_manager.h"
#include "common/log.h"
#include "common/proto/kerr.h"
#include "common/proto/record_batch.h"

#define TOPIC "hw-wake"

struct done {
	int calls;
	int16_t kerr;
	int64_t base;
};

static void on_done(void *arg, int16_t kerr, int64_t base)
{
	struct done *d = arg;
	d->calls++;
	d->kerr = kerr;
	d->base = base;
}

static int rm_cb(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return remove(path);
}

struct fixture {
	char dir[64];
	struct broker_config cfg;
	struct broker b;
	struct partition *p;
};

/* Broker 0 leads TOPIC-0, replicas and ISR {0, 1, 2}. */
static void setup(struct fixture *fx)
{
	snprintf(fx->dir, sizeof fx->dir, "/tmp/gregor-hw-wake-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(fx->dir));
	broker_config_defaults(&fx->cfg);
	fx->b = (struct broker){ .cfg = &fx->cfg, .id = 0 };
	struct broker *b = &fx->b;
	b->loop = loop_new();
	ck_assert_ptr_nonnull(b->loop);
	purg_init(&b->purgatory, b->loop);
	b->meta = mc_new();
	b->metrics = metrics_new();
	strmap_init(&b->topic_configs);
	struct log_config lc;
	broker_config_log(&fx->cfg, &lc);
	b->rm = rm_new(b, fx->dir, &lc);
	ck_assert_ptr_nonnull(b->rm);
	ck_assert_int_ge(rm_load(b->rm), 0);
	static const int32_t reps[3] = { 0, 1, 2 };
	struct rm_partition_state s = { .topic = TOPIC, .tlen = (int32_t)strlen(TOPIC),
					.index = 0, .leader = 0, .leader_epoch = 1,
					.controller_epoch = 1, .replicas = reps, .isr = reps,
					.nreplicas = 3, .nisr = 3 };
	ck_assert_int_eq(rm_apply_leader_and_isr(b->rm, &s), 0);
	rm_start(b->rm);
	fx->p = rm_get(b->rm, TOPIC, (int32_t)strlen(TOPIC), 0);
	ck_assert_ptr_nonnull(fx->p);
}

static void teardown(struct fixture *fx)
{
	rm_free(fx->b.rm);
	purg_free(&fx->b.purgatory);
	mc_free(fx->b.meta);
	metrics_free(fx->b.metrics);
	strmap_free(&fx->b.topic_configs);
	loop_free(fx->b.loop);
	broker_config_free(&fx->cfg);
	nftw(fx->dir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

/* One acks=all append of one record; returns the LEO after it. */
static int64_t append_waiting(struct fixture *fx, struct done *d)
{
	uint8_t batch[256];
	struct rb_build_record rec = { "k", 1, "value", 5 };
	int64_t len = rb_build(batch, sizeof batch, &rec, 1, 1700000000000, 0, -1, -1, -1);
	ck_assert_int_gt(len, 0);
	rm_append_internal(fx->b.rm, TOPIC, 0, batch, (size_t)len, 2, 600000, on_done, d);
	return partition_log_end(fx->p);
}

static void follower_at(struct fixture *fx, int32_t id, int64_t offset)
{
	rm_follower_fetched(fx->b.rm, fx->p, id, offset, loop_now_ms(fx->b.loop));
}

START_TEST(test_proving_fetch_completes_at_once)
{
	struct fixture fx;
	setup(&fx);
	struct done d = { 0 };
	int64_t hw0 = fx.p->high_watermark;
	int64_t leo = append_waiting(&fx, &d);
	ck_assert_int_eq(leo, hw0 + 1);
	ck_assert_int_eq(d.calls, 0);
	/* follower 1 has it, follower 2 (in the ISR) not yet: nothing moves */
	follower_at(&fx, 1, leo);
	follower_at(&fx, 2, hw0);
	ck_assert_int_eq(fx.p->high_watermark, hw0);
	ck_assert_int_eq(d.calls, 0);
	/* follower 2's position proves it: done inside this call */
	follower_at(&fx, 2, leo);
	ck_assert_int_eq(fx.p->high_watermark, leo);
	ck_assert_int_eq(d.calls, 1);
	ck_assert_int_eq(d.kerr, 0);
	ck_assert_int_eq(d.base, hw0);
	/* a second append: the same, with the followers in the other order */
	struct done d2 = { 0 };
	int64_t leo2 = append_waiting(&fx, &d2);
	follower_at(&fx, 2, leo2);
	ck_assert_int_eq(d2.calls, 0);
	follower_at(&fx, 1, leo2);
	ck_assert_int_eq(d2.calls, 1);
	ck_assert_int_eq(d2.kerr, 0);
	ck_assert_int_eq(fx.p->high_watermark, leo2);
	ck_assert_int_eq(d.calls, 1); /* the first one completed only once */
	teardown(&fx);
}
END_TEST

int main(void)
{
	log_set_level(LOG_ERROR);
	Suite *s = suite_create("hw_wake");
	TCase *tc = tcase_create("acks_all");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_proving_fetch_completes_at_once);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
