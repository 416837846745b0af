/* Per-broker state (broker/broker.h): two instances of the producer id
 * allocator (broker/txn/pid_alloc.c) and of the produce-time transaction
 * verification (broker/txn/txn_verify.c) in one process are independent.
 * The allocators claim blocks through a fake claimer per instance, answered
 * when the test says; the verification runs against the real queues and
 * cache, with the broker's neighbours (replica manager, coordinator,
 * network client) replaced by the small fakes at the end of this file, and
 * what it asks a remote coordinator is checked request by request. */
#include <check.h>
#include <stddef.h>
#include <stdio.h>
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
#include "common/proto/messages.h"

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
	struct partition p; /* "t"-0, led at epoch 5 */
	struct partition p_t1, p_u0; /* "t"-1 and "u"-0, the same */
	struct txn_coordinator tc;
	int remote_coordinator; /* tc_find names broker id + 1 */
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
	f->p.is_leader = f->p_t1.is_leader = f->p_u0.is_leader = 1;
	f->p.leader_epoch = f->p_t1.leader_epoch = f->p_u0.leader_epoch = 5;
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

/* ---- verification by a remote coordinator: one request ---- */

/* What the fake network client was asked to send, and how to answer. */
static struct {
	int sends;
	struct add_partitions_to_txn_request req; /* the last one, copied */
	struct add_partitions_to_txn_transaction tx[8];
	struct add_partitions_to_txn_req_topic tp[8][8];
	int32_t parts[8][8][8];
	char names[8][8][16], ids[8][16];
	net_client_fn fn;
	void *arg;
} sent;

static void gate_item(struct fake_broker *f, struct gated *g, const char *topic,
		      int32_t partition, const char *txn_id, int64_t pid)
{
	memset(g, 0, sizeof *g);
	g->h.producer_id = pid;
	g->h.producer_epoch = 1;
	g->it = (struct tv_item){ .topic = topic, .partition = partition, .leader_epoch = 5,
				  .txn_id = txn_id, .h = &g->h, .fn = on_gate, .arg = g };
	txn_verify_gate(&f->b, &g->it);
}

static void on_stop(struct loop_timer *t)
{
	loop_stop(t->arg);
}

/* Runs the loop long enough for the zero-delay kicks (bounded: 50 ms). */
static void run_loop(struct fake_broker *f)
{
	struct loop_timer stop;
	loop_timer_init(&stop, on_stop, f->b.loop);
	loop_timer_start(f->b.loop, &stop, 50);
	ck_assert_int_eq(loop_run(f->b.loop), 0);
}

/* The partitions of transaction entry ti, as "topic:p,p;topic:p;" */
static void entry_text(int ti, char *out, size_t cap)
{
	const struct add_partitions_to_txn_transaction *t = &sent.tx[ti];
	size_t n = 0;
	out[0] = 0;
	for (int32_t k = 0; k < t->topics.n; k++) {
		const struct add_partitions_to_txn_req_topic *tp = &((const struct add_partitions_to_txn_req_topic *)t->topics.v)[k];
		n += (size_t)snprintf(out + n, cap - n, "%.*s:", (int)tp->name.len, tp->name.p);
		for (int32_t j = 0; j < tp->partitions.n; j++)
			n += (size_t)snprintf(out + n, cap - n, "%s%d", j ? "," : "",
					      ((const int32_t *)tp->partitions.v)[j]);
		n += (size_t)snprintf(out + n, cap - n, ";");
	}
}

/* Answers the last request: every partition of it, err. */
static void answer_sent(int16_t err)
{
	struct add_partitions_to_txn_resp_txn_result tr[8];
	struct add_partitions_to_txn_resp_topic_result to[8][8];
	struct add_partitions_to_txn_resp_partition_result pr[8][8][8];
	int32_t nt = sent.req.transactions.n;
	for (int32_t i = 0; i < nt; i++) {
		const struct add_partitions_to_txn_transaction *t = &sent.tx[i];
		for (int32_t k = 0; k < t->topics.n; k++) {
			const struct add_partitions_to_txn_req_topic *tp = &sent.tp[i][k];
			for (int32_t j = 0; j < tp->partitions.n; j++)
				pr[i][k][j] = (struct add_partitions_to_txn_resp_partition_result){
					sent.parts[i][k][j], err };
			to[i][k] = (struct add_partitions_to_txn_resp_topic_result){
				tp->name, { tp->partitions.n, pr[i][k] } };
		}
		tr[i] = (struct add_partitions_to_txn_resp_txn_result){
			t->transactional_id, { t->topics.n, to[i] } };
	}
	struct add_partitions_to_txn_response r = { .results_by_transaction = { nt, tr } };
	sent.fn(NULL, 0, &r, sent.arg);
}

/* Partitions of one transactional id on this leader are verified in one
 * request, one entry per id with its partitions grouped by topic; the same
 * id under another producer id waits for the next request. */
START_TEST(test_verify_groups_partitions_of_a_transaction)
{
	static struct fake_broker f;
	fake_broker_init(&f, 1, 0);
	f.remote_coordinator = 1;
	memset(&sent, 0, sizeof sent);
	static struct gated g[5];
	gate_item(&f, &g[0], "t", 0, "tx", 7);
	gate_item(&f, &g[1], "t", 1, "tx", 7);
	gate_item(&f, &g[2], "u", 0, "tx", 7);
	gate_item(&f, &g[3], "t", 0, "ty", 8);
	gate_item(&f, &g[4], "u", 0, "tx", 9); /* another producer of "tx" */
	run_loop(&f);
	ck_assert_int_eq(sent.sends, 1);
	ck_assert_int_eq(sent.req.transactions.n, 2);
	char text[128];
	ck_assert_int_eq(sent.tx[0].transactional_id.len, 2);
	ck_assert(memcmp(sent.tx[0].transactional_id.p, "tx", 2) == 0);
	ck_assert_int_eq(sent.tx[0].producer_id, 7);
	ck_assert(sent.tx[0].verify_only);
	entry_text(0, text, sizeof text);
	ck_assert_str_eq(text, "t:0,1;u:0;");
	ck_assert(memcmp(sent.tx[1].transactional_id.p, "ty", 2) == 0);
	entry_text(1, text, sizeof text);
	ck_assert_str_eq(text, "t:0;");
	for (int i = 0; i < 5; i++)
		ck_assert_int_eq(g[i].calls, 0);
	answer_sent(0);
	for (int i = 0; i < 4; i++) {
		ck_assert_int_eq(g[i].calls, 1);
		ck_assert_int_eq(g[i].kerr, 0);
	}
	ck_assert_int_eq(g[4].calls, 0);
	run_loop(&f); /* the answer kicked the sender: the held queue goes */
	ck_assert_int_eq(sent.sends, 2);
	ck_assert_int_eq(sent.req.transactions.n, 1);
	ck_assert_int_eq(sent.tx[0].producer_id, 9);
	entry_text(0, text, sizeof text);
	ck_assert_str_eq(text, "u:0;");
	answer_sent(KERR_INVALID_TXN_STATE);
	ck_assert_int_eq(g[4].calls, 1);
	ck_assert_int_ne(g[4].kerr, 0);
	ck_assert_uint_eq(txn_verify_stats(f.b.tv)->requests, 5);
	fake_broker_free(&f);
}
END_TEST

/* ---- the fakes txn_verify.c links against ---- */

struct partition *rm_get(struct replica_manager *rm, const char *topic, int32_t tlen,
			 int32_t index)
{
	struct fake_broker *f = (struct fake_broker *)rm->b;
	if (tlen != 1)
		return NULL;
	if (topic[0] == 't')
		return index == 0 ? &f->p : index == 1 ? &f->p_t1 : NULL;
	return topic[0] == 'u' && index == 0 ? &f->p_u0 : NULL;
}

void rm_batch_begin(struct replica_manager *rm) { (void)rm; }
void rm_batch_end(struct replica_manager *rm) { (void)rm; }

struct txn_coordinator *tc_get(struct broker *b)
{
	return b->tc;
}

/* Every transactional id's coordinator is the asking broker itself, or
 * with remote_coordinator the broker after it. */
int16_t tc_find(struct txn_coordinator *tc, const char *txn_id, int32_t *node_id,
		const char **host, int32_t *port)
{
	(void)txn_id;
	struct fake_broker *f = (struct fake_broker *)((char *)tc - offsetof(struct fake_broker, tc));
	*node_id = f->b.id + (f->remote_coordinator ? 1 : 0);
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

/* The network client to a remote coordinator: records what is sent
 * (sent), answered by the test through sent.fn. */
static int fake_nc;

struct net_client *net_client_new(struct loop *l, const char *client_id,
				  const struct peer_security *sec)
{
	(void)l;
	(void)client_id;
	(void)sec;
	return (struct net_client *)&fake_nc;
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

/* Copies the v4 request (its strings into sent's buffers: the caller's
 * arena is freed after the call). */
int net_client_send(struct net_client *nc, int16_t api_key, int16_t version, const void *body,
		    int32_t timeout_ms, net_client_fn fn, void *arg)
{
	(void)nc;
	(void)timeout_ms;
	ck_assert_int_eq(api_key, 24);
	ck_assert_int_eq(version, 4);
	const struct add_partitions_to_txn_request *r = body;
	ck_assert_int_le(r->transactions.n, 8);
	for (int32_t i = 0; i < r->transactions.n; i++) {
		const struct add_partitions_to_txn_transaction *t = &((const struct add_partitions_to_txn_transaction *)r->transactions.v)[i];
		ck_assert_int_le(t->topics.n, 8);
		ck_assert_int_lt(t->transactional_id.len, 16);
		memcpy(sent.ids[i], t->transactional_id.p, (size_t)t->transactional_id.len);
		sent.tx[i] = *t;
		sent.tx[i].transactional_id.p = sent.ids[i];
		sent.tx[i].topics.v = sent.tp[i];
		for (int32_t k = 0; k < t->topics.n; k++) {
			const struct add_partitions_to_txn_req_topic *tp = &((const struct add_partitions_to_txn_req_topic *)t->topics.v)[k];
			ck_assert_int_le(tp->partitions.n, 8);
			ck_assert_int_lt(tp->name.len, 16);
			memcpy(sent.names[i][k], tp->name.p, (size_t)tp->name.len);
			memcpy(sent.parts[i][k], tp->partitions.v, (size_t)tp->partitions.n * sizeof(int32_t));
			sent.tp[i][k] = (struct add_partitions_to_txn_req_topic){
				{ sent.names[i][k], tp->name.len }, { tp->partitions.n, sent.parts[i][k] } };
		}
	}
	sent.req = *r;
	sent.req.transactions.v = sent.tx;
	sent.fn = fn;
	sent.arg = arg;
	sent.sends++;
	return 0;
}
const struct mc_broker *mc_broker(const struct metadata_cache *mc, int32_t id)
{
	(void)mc;
	static struct mc_broker br = { .host = "127.0.0.1", .port = 9092 };
	br.id = id;
	return &br;
}

int main(void)
{
	Suite *s = suite_create("broker_state");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_pid_allocators_own_blocks);
	tcase_add_test(tc, test_pid_claim_failure_stays_local);
	tcase_add_test(tc, test_verify_state_per_broker);
	tcase_add_test(tc, test_verify_groups_partitions_of_a_transaction);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
