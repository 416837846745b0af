/* The leader's high watermark (broker/replica/hw.c) over a real partition
 * log: it follows the slowest ISR member, waits for a member that has not
 * fetched, moves when a laggard leaves the ISR, never goes back, and
 * hw_check (HW <= own LEO and <= every ISR member's LEO) holds after every
 * step; a state that breaks it is reported. */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "broker/replica/hw.h"
#include "broker/replica/replica_manager.h"
#include "common/log.h"
#include "storage_fixture.h"

static const char val[16] = "hello, replicas";

struct fixture {
	struct partition p;
	int32_t isr[3];
	int32_t replicas[3];
	struct replica_state rs[3];
};

/* Leader 1 of replicas {1,2,3}, all in the ISR, followers not fetched. */
static void setup(struct fixture *f, struct partition_log *log)
{
	memset(f, 0, sizeof *f);
	for (int i = 0; i < 3; i++) {
		f->isr[i] = f->replicas[i] = i + 1;
		f->rs[i] = (struct replica_state){ .broker_id = i + 1, .leo = -1, .log_start = -1 };
	}
	f->p = (struct partition){ .topic = "t", .index = 0, .log = log, .is_leader = 1,
				   .leader_id = 1, .nreplicas = 3, .nisr = 3,
				   .replicas = f->replicas, .isr = f->isr, .rstate = f->rs,
				   .nrstate = 3 };
}

/* One step: advance, then the invariant; returns whether HW moved. */
static int step(struct fixture *f)
{
	int64_t before = f->p.high_watermark;
	int moved = hw_advance(&f->p);
	ck_assert_int_eq(hw_check(&f->p), 0);
	ck_assert_int_ge(f->p.high_watermark, before);
	return moved;
}

static void fetched(struct fixture *f, int32_t id, int64_t leo)
{
	f->rs[id - 1].leo = leo;
	step(f);
}

START_TEST(test_hw_follows_slowest_isr_member)
{
	struct partition_log *log;
	struct log_config c;
	log_config_defaults(&c);
	ck_assert_int_eq(log_open(sfx_new_dir(), &c, NULL, &log), 0);
	struct fixture f;
	setup(&f, log);
	for (int i = 0; i < 5; i++) {
		sfx_append(log, 2, val, sizeof val, 1000, 0);
		step(&f);
	}
	ck_assert_int_eq(f.p.high_watermark, 0); /* followers have not fetched */
	fetched(&f, 2, 10);
	ck_assert_int_eq(f.p.high_watermark, 0);
	fetched(&f, 3, 4);
	ck_assert_int_eq(f.p.high_watermark, 4);
	fetched(&f, 3, 8);
	ck_assert_int_eq(f.p.high_watermark, 8);
	sfx_append(log, 2, val, sizeof val, 1000, 0); /* LEO 12 */
	step(&f);
	fetched(&f, 2, 12);
	ck_assert_int_eq(f.p.high_watermark, 8);
	/* broker 3 leaves the ISR: the HW is the slowest remaining member */
	f.isr[2] = 0;
	f.p.nisr = 2;
	ck_assert_int_eq(step(&f), 1);
	ck_assert_int_eq(f.p.high_watermark, 12);
	/* it rejoins only once caught up to the HW; the HW holds */
	f.rs[2].leo = 12;
	f.isr[2] = 3;
	f.p.nisr = 3;
	ck_assert_int_eq(step(&f), 0);
	ck_assert_int_eq(f.p.high_watermark, 12);
	log_close(log);
}
END_TEST

START_TEST(test_hw_check_reports_breaches)
{
	struct partition_log *log;
	struct log_config c;
	log_config_defaults(&c);
	ck_assert_int_eq(log_open(sfx_new_dir(), &c, NULL, &log), 0);
	sfx_append(log, 3, val, sizeof val, 1000, 0);
	struct fixture f;
	setup(&f, log);
	f.rs[1].leo = f.rs[2].leo = 3;
	step(&f);
	ck_assert_int_eq(f.p.high_watermark, 3);
	f.rs[2].leo = 2; /* an ISR member behind the HW */
	ck_assert_int_eq(hw_check(&f.p), -1);
	ck_assert_int_eq(hw_check_own(&f.p), 0);
	f.rs[2].leo = 3;
	f.p.high_watermark = 4; /* above the leader's own LEO */
	ck_assert_int_eq(hw_check_own(&f.p), -1);
	ck_assert_int_eq(hw_check(&f.p), -1);
	log_close(log);
}
END_TEST

int main(void)
{
	if (sfx_setup("hw") < 0)
		return 1;
	log_set_level(LOG_ERROR + 1);
	Suite *s = suite_create("hw");
	TCase *tc = tcase_create("hw");
	tcase_add_test(tc, test_hw_follows_slowest_isr_member);
	tcase_add_test(tc, test_hw_check_reports_breaches);
	suite_add_tcase(s, tc);
	return sfx_run(s, 0);
}
