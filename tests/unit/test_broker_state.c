/* Per-broker state (broker/broker.h): two instances of the producer id
 * allocator (broker/txn/pid_alloc.c) and of the produce-time transaction
 * verification (broker/txn/txn_verify.c) in one process are independent.
 * The allocators claim blocks through a fake claimer per instance, answered
 * when the test says; the verification runs against the real queues and
 * cache, with the broker's neighbours (replica manager, coordinator,
 * network client) replaced by the small fakes at the end of this file. */
#include <check.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "broker/broker.h"
#include "broker/metadata_cache.h"
#include "broker/net_client.h"
#include "broker/partition.h"
#include "broker/replica/replica_manager.h"
#include "broker/txn/pid_alloc.h"
#include "broker/txn/txn_coordinator.h"
#include "broker/txn/txn_verify.h"
#include "common/net/loop.h"
#include "common/proto/kerr.h"

/* ---- producer id allocators ---- */

/* One broker's view of ZooKeeper: hands out blocks of 10 from base, one
 * claim at a time, answered by claim_answer. */
struct fake_claimer {
	int64_t base;
	int calls;
	pid_block_done_fn done; /* the claim in flight, if any */
	void *done_arg;
};

static void fake_claim(void *arg, pid_block_done_fn done, void *done_arg)
{
	struct fake_claimer *fc = arg;
	ck_assert_ptr_null(fc->done); /* at most one in flight */
	fc->calls++;
	fc->done = done;
	fc->done_arg = done_arg;
}

static void claim_answer(struct fake_claimer *fc, int16_t kerr)
{
	ck_assert_ptr_nonnull(fc->done);
	pid_block_done_fn done = fc->done;
	fc->done = NULL;
	int64_t start = fc->base;
	fc->base += 10;
	done(fc->done_arg, kerr, kerr ? -1 : start, kerr ? -1 : start + 9);
}

struct got_id {
	int calls;
	int16_t kerr;
	int64_t id;
};

static void on_id(void *arg, int16_t kerr, int64_t id)
{
	struct got_id *g = arg;
	g->calls++;
	g->kerr = kerr;
	g->id = id;
}

static int64_t next_now(struct pid_alloc *pa)
{
	struct got_id g = { 0 };
	pid_alloc_next(pa, on_id, &g);
	ck_assert_int_eq(g.calls, 1);
	ck_assert_int_eq(g.kerr, 0);
	return g.id;
}

/* Each allocator waits for, and then hands out from, its own block; the
 * claim ahead at 90% is its own too. */
START_TEST(test_pid_allocators_own_blocks)
{
	struct fake_claimer ca = { .base = 0 }, cb = { .base = 1000 };
	struct pid_alloc *a = pid_alloc_new(fake_claim, &ca);
	struct pid_alloc *b = pid_alloc_new(fake_claim, &cb);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	struct got_id wa = { 0 }, wb = { 0 };
	pid_alloc_next(a, on_id, &wa);
	pid_alloc_next(b, on_id, &wb);
	ck_assert_int_eq(ca.calls, 1);
	ck_assert_int_eq(cb.calls, 1);
	claim_answer(&cb, 0); /* B's block only: A's request still waits */
	ck_assert_int_eq(wb.calls, 1);
	ck_assert_int_eq(wb.id, 1000);
	ck_assert_int_eq(wa.calls, 0);
	claim_answer(&ca, 0);
	ck_assert_int_eq(wa.calls, 1);
	ck_assert_int_eq(wa.id, 0);
	for (int64_t i = 1; i < 9; i++) /* A up to 90% of its block */
		ck_assert_int_eq(next_now(a), i);
	ck_assert_int_eq(ca.calls, 2); /* A claims ahead ... */
	ck_assert_int_eq(cb.calls, 1); /* ... B does not */
	ck_assert_int_eq(next_now(b), 1001);
	claim_answer(&ca, 0);
	ck_assert_int_eq(next_now(a), 9);
	ck_assert_int_eq(next_now(a), 10); /* A's next block */
	pid_alloc_free(a);
	pid_alloc_free(b);
}
END_TEST

/* A failed claim answers only its own allocator's waiters. */
START_TEST(test_pid_claim_failure_stays_local)
{
	struct fake_claimer ca = { .base = 0 }, cb = { .base = 500 };
	struct pid_alloc *a = pid_alloc_new(fake_claim, &ca);
	struct pid_alloc *b = pid_alloc_new(fake_claim, &cb);
	struct got_id wa = { 0 }, wb = { 0 };
	pid_alloc_next(a, on_id, &wa);
	pid_alloc_next(b, on_id, &wb);
	claim_answer(&ca, KERR_COORDINATOR_NOT_AVAILABLE);
	ck_assert_int_eq(wa.calls, 1);
	ck_assert_int_eq(wa.kerr, KERR_COORDINATOR_NOT_AVAILABLE);
	ck_assert_int_eq(wb.calls, 0);
	claim_answer(&cb, 0);
	ck_assert_int_eq(wb.kerr, 0);
	ck_assert_int_eq(wb.id, 500);
	/* A claims again on the next request and then serves from its block */
	struct got_id again = { 0 };
	pid_alloc_next(a, on_id, &again);
	ck_assert_int_eq(ca.calls, 2);
	claim_answer(&ca, 0);
	ck_assert_int_eq(again.kerr, 0);
	ck_assert_int_eq(again.id, 10);
	pid_alloc_free(a);
	pid_alloc_free(b);
}
END_TEST

/* ---- transaction verification ---- */

/* What txn_verify.c sees of the coordinator: this test's fake (the real
 * one is not linked in). */
struct txn_coordinator {
	int verifies;   /* AddPartitionsToTxn VerifyOnly answered */
	int16_t answer; /* what each answers */
};

/* One broker with what the verification touches. */
struct fake_broker {
	struct broker b;
	struct broker_config cfg;
	struct replica_manager rm;
	struct partition p; /* the only partition: "t"-0, led at epoch 5 */
	struct txn_coordinator tc;
};

static void fake_broker_init(struct fake_broker *f, int32_t id, int16_t answer)
{
	memset(f, 0, sizeof *f);
	f->cfg.transaction_partition_verification_enable = 1;
	f->b.cfg = &f->cfg;
	f->b.id = id;
	f->b.loop = loop_new();
	ck_assert_ptr_nonnull(f->b.loop);
	f->b.rm = &f->rm;
	f->rm.b = &f->b;
	f->p.is_leader = 1;
	f->p.leader_epoch = 5;
	f->tc.answer = answer;
	f->b.tc = &f->tc;
	f->b.tv = txn_verify_new(&f->b);
	ck_assert_ptr_nonnull(f->b.tv);
}

static void fake_broker_free(struct fake_broker *f)
{
	txn_verify_free(f->b.tv);
	loop_free(f->b.loop);
}

struct gated {
	struct tv_item it;
	struct rb_header h;
	int calls;
	int16_t kerr;
};

static void on_gate(struct tv_item *it, int16_t kerr)
{
	struct gated *g = it->arg;
	g->calls++;
	g->kerr = kerr;
}

/* Runs one transactional batch of producer 7 epoch 1 ("tx") through b's
 * gate; returns the answer (it comes at once: the coordinator is local). */
static int16_t gate(struct fake_broker *f)
{
	struct gated g = { .calls = 0 };
	g.h.producer_id = 7;
	g.h.producer_epoch = 1;
	g.it = (struct tv_item){ .topic = "t", .partition = 0, .leader_epoch = 5,
				 .txn_id = "tx", .h = &g.h, .fn = on_gate, .arg = &g };
	txn_verify_gate(&f->b, &g.it);
	ck_assert_int_eq(g.calls, 1);
	return g.kerr;
}

/* The same (partition, producer) on two brokers: each asks its own
 * coordinator, caches its own answer and counts in its own stats. */
START_TEST(test_verify_state_per_broker)
{
	static struct fake_broker a, b;
	fake_broker_init(&a, 1, 0);
	fake_broker_init(&b, 2, KERR_INVALID_TXN_STATE);
	ck_assert_int_eq(gate(&a), 0);
	ck_assert_int_eq(gate(&a), 0); /* A's cached answer */
	ck_assert_int_eq(a.tc.verifies, 1);
	ck_assert_int_eq(gate(&b), KERR_INVALID_TXN_STATE); /* not A's cache */
	ck_assert_int_eq(b.tc.verifies, 1);
	ck_assert_int_eq(gate(&a), 0);
	ck_assert_int_eq(a.tc.verifies, 1);
	const struct tv_stats *sa = txn_verify_stats(a.b.tv), *sb = txn_verify_stats(b.b.tv);
	ck_assert_uint_eq(sa->requests, 1);
	ck_assert_uint_eq(sa->cache_hits, 2);
	ck_assert_uint_eq(sa->refused, 0);
	ck_assert_uint_eq(sb->requests, 1);
	ck_assert_uint_eq(sb->cache_hits, 0);
	ck_assert_uint_eq(sb->refused, 1);
	fake_broker_free(&a);
	fake_broker_free(&b);
}
END_TEST

/* ---- the fakes txn_verify.c links against ---- */

struct partition *rm_get(struct replica_manager *rm, const char *topic, int32_t tlen,
			 int32_t index)
{
	struct fake_broker *f = (struct fake_broker *)rm->b;
	return tlen == 1 && topic[0] == 't' && index == 0 ? &f->p : NULL;
}

void rm_batch_begin(struct replica_manager *rm) { (void)rm; }
void rm_batch_end(struct replica_manager *rm) { (void)rm; }

struct txn_coordinator *tc_get(struct broker *b)
{
	return b->tc;
}

/* Every transactional id's coordinator is the asking broker itself. */
int16_t tc_find(struct txn_coordinator *tc, const char *txn_id, int32_t *node_id,
		const char **host, int32_t *port)
{
	(void)txn_id;
	struct fake_broker *f = (struct fake_broker *)((char *)tc - offsetof(struct fake_broker, tc));
	*node_id = f->b.id;
	*host = "127.0.0.1";
	*port = 9092;
	return 0;
}

void tc_verify_partitions(struct txn_coordinator *tc, const char *txn_id, int64_t producer_id,
			  int16_t epoch, const struct tc_tp *tps, int n, int16_t *errs)
{
	(void)txn_id;
	(void)producer_id;
	(void)epoch;
	(void)tps;
	tc->verifies++;
	for (int i = 0; i < n; i++)
		errs[i] = tc->answer;
}

/* Remote coordinators are never asked here. */
struct net_client *net_client_new(struct loop *l, const char *client_id,
				  const struct peer_security *sec)
{
	(void)l;
	(void)client_id;
	(void)sec;
	ck_abort_msg("no remote coordinator in this test");
	return NULL;
}

void net_client_free(struct net_client *nc) { (void)nc; }
void net_client_target(struct net_client *nc, const char *host, int port)
{
	(void)nc;
	(void)host;
	(void)port;
}
int net_client_busy(const struct net_client *nc)
{
	(void)nc;
	return 0;
}
int net_client_send(struct net_client *nc, int16_t api_key, int16_t version, const void *body,
		    int32_t timeout_ms, net_client_fn fn, void *arg)
{
	(void)nc;
	(void)api_key;
	(void)version;
	(void)body;
	(void)timeout_ms;
	(void)fn;
	(void)arg;
	return -1;
}
const struct mc_broker *mc_broker(const struct metadata_cache *mc, int32_t id)
{
	(void)mc;
	(void)id;
	return NULL;
}

int main(void)
{
	Suite *s = suite_create("broker_state");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_pid_allocators_own_blocks);
	tcase_add_test(tc, test_pid_claim_failure_stays_local);
	tcase_add_test(tc, test_verify_state_per_broker);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
