/* Produce-time transaction verification (see txn_verify.h): the queues per
 * (partition, producer id), the cached answers, and the asking: the local
 * coordinator directly, a remote one with AddPartitionsToTxn v4 VerifyOnly
 * over one net_client per coordinator broker, the queues waiting for it
 * batched into one request while the previous one is in flight. */
#include "broker/txn/txn_verify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker/broker.h"
#include "broker/config.h"
#include "broker/metadata_cache.h"
#include "broker/net_client.h"
#include "broker/replica/replica_manager.h"
#include "broker/txn/producer_state_manager.h"
#include "broker/txn/txn_coordinator.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/proto/kerr.h"
#include "common/proto/messages.h"
#include "common/strmap.h"

#define TV_CACHE_MS 5000      /* a verified answer not yet used by an append */
#define TV_SWEEP_MS 1000
#define TV_TIMEOUT_MS 5000    /* a coordinator that does not answer */
#define TV_MAX_PER_REQUEST 256 /* partitions in one v4 request */

enum tv_state {
	TV_IDLE,     /* nothing asked (or a failure already answered) */
	TV_PENDING,  /* asked, no answer yet */
	TV_VERIFIED, /* the coordinator confirmed q->epoch */
	TV_FAILED,   /* refused: q->err for the batches queued meanwhile */
};

struct tv_sender;

struct tv_queue {
	struct txn_verify *tv; /* its owner */
	char *topic;
	int32_t partition;
	int64_t pid;
	char key[300];
	size_t keylen;
	struct tv_item *head, *tail;
	/* the verification (state != TV_IDLE) */
	enum tv_state state;
	int16_t epoch;
	int16_t err;
	char *txn_id;
	int32_t leader_epoch;
	struct producer_state_manager *psm; /* the guard's; compared, read via queue_psm */
	uint64_t guard;
	int64_t answered_ms;       /* monotonic */
	struct tv_queue *snext;    /* a sender's waiting list */
};

struct tv_sender {
	struct tv_sender *next;
	struct txn_verify *tv;
	struct broker *b;
	int32_t broker_id;
	struct net_client *nc;
	struct tv_queue *waiting;  /* not yet sent */
	struct tv_queue **inflight;
	int ninflight;
	struct loop_timer kick;
};

/* One broker's verification state (struct broker's tv). */
struct txn_verify {
	struct broker *b;
	struct strmap queues; /* key -> struct tv_queue */
	struct tv_sender *senders;
	struct loop_timer sweep;
	struct tv_stats stats;
};

const struct tv_stats *txn_verify_stats(const struct txn_verify *tv)
{
	return &tv->stats;
}

int16_t txn_verify_produce_error(int16_t err)
{
	switch (err) {
	case KERR_PRODUCER_FENCED:
		return KERR_INVALID_PRODUCER_EPOCH;
	case KERR_CLUSTER_AUTHORIZATION_FAILED: /* not the client's to see */
		return KERR_INVALID_TXN_STATE;
	/* retriable for the coordinator, unknown to old clients on Produce:
	 * NOT_ENOUGH_REPLICAS makes them retry without a metadata refresh */
	case KERR_CONCURRENT_TRANSACTIONS:
	case KERR_COORDINATOR_LOAD_IN_PROGRESS:
	case KERR_COORDINATOR_NOT_AVAILABLE:
	case KERR_NOT_COORDINATOR:
	case KERR_NETWORK_EXCEPTION:
		return KERR_NOT_ENOUGH_REPLICAS;
	default:
		return err;
	}
}

/* ---- queues ---- */

static size_t queue_key(char *out, size_t cap, const char *topic, int32_t partition, int64_t pid)
{
	int n = snprintf(out, cap, "%s/%d/%lld", topic, partition, (long long)pid);
	return n < 0 || (size_t)n >= cap ? 0 : (size_t)n;
}

/* The guard's producer state if its partition still has it (the partition
 * may have been deleted or opened again since), else NULL. */
static struct producer_state_manager *queue_psm(const struct tv_queue *q)
{
	struct partition *p = rm_get(q->tv->b->rm, q->topic, (int32_t)strlen(q->topic),
				     q->partition);
	return p && p->psm == q->psm ? q->psm : NULL;
}

static void queue_end_guard(struct tv_queue *q)
{
	if (q->guard != PSM_GUARD_NONE && q->guard != PSM_GUARD_VOID)
		psm_verify_end(queue_psm(q), q->pid, q->guard);
	q->guard = PSM_GUARD_NONE;
}

static void queue_free(struct tv_queue *q)
{
	strmap_del(&q->tv->queues, q->key, q->keylen);
	queue_end_guard(q);
	free(q->topic);
	free(q->txn_id);
	free(q);
}

static void on_sweep(struct loop_timer *t);

/* A guard whose partition went away is void (PSM_GUARD_NONE stays valid:
 * the partition had no producer state to guard). */
static int guard_valid(const struct tv_queue *q)
{
	struct producer_state_manager *m = queue_psm(q);
	if (!m && q->psm && q->guard != PSM_GUARD_NONE)
		return 0;
	return psm_verify_valid(m, q->pid, q->guard);
}

static struct tv_queue *queue_get(struct txn_verify *tv, const struct tv_item *it)
{
	char key[300];
	size_t len = queue_key(key, sizeof key, it->topic, it->partition, it->h->producer_id);
	if (!len)
		return NULL;
	struct tv_queue *q = strmap_get(&tv->queues, key, len);
	if (q)
		return q;
	if (!(q = calloc(1, sizeof *q)) || !(q->topic = strdup(it->topic)) ||
	    strmap_put(&tv->queues, key, len, q) < 0) {
		if (q)
			free(q->topic);
		free(q);
		return NULL;
	}
	memcpy(q->key, key, len);
	q->keylen = len;
	q->tv = tv;
	q->partition = it->partition;
	q->pid = it->h->producer_id;
	if (!loop_timer_armed(&tv->sweep))
		loop_timer_start(tv->b->loop, &tv->sweep, TV_SWEEP_MS);
	return q;
}

/* A queue with nothing waiting goes once its answer is of no more use. */
static int queue_idle(const struct tv_queue *q, int64_t now)
{
	if (q->head || q->state == TV_PENDING)
		return 0;
	return q->state != TV_VERIFIED || now - q->answered_ms >= TV_CACHE_MS ||
	       !guard_valid(q);
}

static void on_sweep(struct loop_timer *t)
{
	struct txn_verify *tv = t->arg;
	int64_t now = clock_mono_ms();
	struct tv_queue *done[64];
	int n = 0, left = 0;
	const char *k;
	void *v;
	for (size_t pos = 0; strmap_next(&tv->queues, &pos, &k, &v);) {
		if (n < 64 && queue_idle(v, now))
			done[n++] = v;
		else
			left++;
	}
	for (int i = 0; i < n; i++)
		queue_free(done[i]);
	if (left || n == 64)
		loop_timer_start(tv->b->loop, &tv->sweep, TV_SWEEP_MS);
}

/* ---- deciding ---- */

enum { TV_GO, TV_WAIT };

static struct partition *led_partition(struct txn_verify *tv, const struct tv_item *it)
{
	struct partition *p = rm_get(tv->b->rm, it->topic, (int32_t)strlen(it->topic),
				     it->partition);
	return p && p->is_leader && p->leader_epoch == it->leader_epoch ? p : NULL;
}

/* Batches the idempotence check will answer anyway (a resend of an
 * appended batch, a fenced epoch, a sequence gap) need no coordinator. */
static int idempotence_decides(struct partition *p, const struct rb_header *h)
{
	struct producer_state_manager *m = p->psm;
	if (!m)
		return 0;
	int dup = 0;
	int64_t off;
	return psm_check(m, h, &dup, &off) != 0 || dup;
}

static int cached(const struct tv_queue *q, const struct partition *p, int16_t epoch)
{
	return q->state == TV_VERIFIED && q->epoch == epoch && q->psm == p->psm &&
	       q->leader_epoch == p->leader_epoch &&
	       clock_mono_ms() - q->answered_ms < TV_CACHE_MS &&
	       guard_valid(q);
}

static void verify_start(struct tv_queue *q, struct partition *p, const struct tv_item *it);

/* What the head of q may do now; *err is the answer when TV_GO. */
static int decide(struct tv_queue *q, struct tv_item *it, int16_t *err)
{
	*err = 0;
	struct partition *p = led_partition(q->tv, it);
	if (!p) {
		*err = KERR_NOT_LEADER_OR_FOLLOWER;
		return TV_GO;
	}
	int16_t epoch = it->h->producer_epoch;
	if (psm_txn_open_at(p->psm, q->pid, epoch) || idempotence_decides(p, it->h))
		return TV_GO;
	if (q->state == TV_PENDING)
		return TV_WAIT;
	if (cached(q, p, epoch)) {
		q->tv->stats.cache_hits++;
		return TV_GO;
	}
	if (q->state == TV_FAILED && q->epoch == epoch) {
		*err = q->err;
		q->tv->stats.refused++;
		return TV_GO;
	}
	verify_start(q, p, it);
	if (q->state == TV_PENDING)
		return TV_WAIT;
	*err = q->err; /* the local coordinator answered at once */
	q->tv->stats.refused += q->state == TV_FAILED;
	return TV_GO;
}

/* Lets through (or refuses) the queue's batches in order until one has to
 * wait for an answer. */
static void drain(struct tv_queue *q)
{
	struct tv_item *it;
	while ((it = q->head)) {
		int16_t err;
		if (decide(q, it, &err) == TV_WAIT)
			return;
		q->head = it->next;
		if (!q->head)
			q->tail = NULL;
		it->fn(it, err); /* may free it's memory */
	}
	/* a failure answers the batches that waited for it, not later ones */
	if (q->state == TV_FAILED) {
		queue_end_guard(q);
		q->state = TV_IDLE;
	}
}

/* The coordinator's answer for q (a Kafka error or 0). */
static void answer(struct tv_queue *q, int16_t kerr)
{
	if (kerr == 0 && !guard_valid(q)) {
		/* a marker of this producer landed here while we asked: the answer
		 * may describe the transaction that marker ended */
		log_info("txn", "%s-%d: producer %lld epoch %d: transaction ended during "
			 "verification", q->topic, q->partition, (long long)q->pid, q->epoch);
		kerr = KERR_INVALID_TXN_STATE;
	}
	q->state = kerr ? TV_FAILED : TV_VERIFIED;
	q->err = txn_verify_produce_error(kerr);
	q->answered_ms = clock_mono_ms();
	if (kerr)
		log_info("txn", "%s-%d: producer %lld epoch %d (%s): transactional batch refused: "
			 "coordinator says %d", q->topic, q->partition, (long long)q->pid, q->epoch,
			 q->txn_id ? q->txn_id : "?", kerr);
}

/* ---- asking a remote coordinator ---- */

static void sender_pump(struct tv_sender *s);

static void sender_kick(struct loop_timer *t)
{
	sender_pump(t->arg);
}

static struct tv_sender *sender_for(struct txn_verify *tv, int32_t broker_id)
{
	for (struct tv_sender *s = tv->senders; s; s = s->next)
		if (s->broker_id == broker_id)
			return s;
	struct tv_sender *s = calloc(1, sizeof *s);
	if (!s || !(s->inflight = calloc(TV_MAX_PER_REQUEST, sizeof *s->inflight)) ||
	    !(s->nc = net_client_new(tv->b->loop, "gregor-txn-verify", &tv->b->inter_broker))) {
		if (s)
			free(s->inflight);
		free(s);
		return NULL;
	}
	s->tv = tv;
	s->b = tv->b;
	s->broker_id = broker_id;
	loop_timer_init(&s->kick, sender_kick, s);
	s->next = tv->senders;
	tv->senders = s;
	return s;
}

/* The result of q in a v4 response: its transaction's partition, else
 * NETWORK_EXCEPTION (an answer that does not mention it proves nothing). */
static int16_t result_of(const struct add_partitions_to_txn_response *r, const struct tv_queue *q)
{
	if (r->error_code)
		return r->error_code;
	const struct add_partitions_to_txn_resp_txn_result *t = r->results_by_transaction.v;
	size_t idlen = strlen(q->txn_id), tlen = strlen(q->topic);
	for (int32_t i = 0; i < r->results_by_transaction.n; i++) {
		if (t[i].transactional_id.len != (int32_t)idlen ||
		    memcmp(t[i].transactional_id.p, q->txn_id, idlen) != 0)
			continue;
		const struct add_partitions_to_txn_resp_topic_result *to = t[i].topic_results.v;
		for (int32_t j = 0; j < t[i].topic_results.n; j++) {
			if (to[j].name.len != (int32_t)tlen || memcmp(to[j].name.p, q->topic, tlen) != 0)
				continue;
			const struct add_partitions_to_txn_resp_partition_result *pr =
				to[j].results_by_partition.v;
			for (int32_t k = 0; k < to[j].results_by_partition.n; k++)
				if (pr[k].partition_index == q->partition)
					return pr[k].partition_error_code;
		}
	}
	return KERR_NETWORK_EXCEPTION;
}

static void on_response(struct net_client *nc, int err, void *resp, void *arg)
{
	(void)nc;
	struct tv_sender *s = arg;
	int n = s->ninflight;
	struct tv_queue *qs[TV_MAX_PER_REQUEST];
	memcpy(qs, s->inflight, (size_t)n * sizeof *qs);
	s->ninflight = 0;
	loop_timer_start(s->b->loop, &s->kick, 0);
	for (int i = 0; i < n; i++)
		answer(qs[i], err || !resp ? KERR_NETWORK_EXCEPTION : result_of(resp, qs[i]));
	rm_batch_begin(s->b->rm); /* the batches let through: one wake-up */
	for (int i = 0; i < n; i++)
		drain(qs[i]);
	rm_batch_end(s->b->rm);
}

/* A request has one entry per transactional id, naming one producer id
 * and epoch: a queue of an id already in the request under another producer
 * id or epoch waits for the next request. */
static int conflicts(struct tv_queue **v, int n, const struct tv_queue *q)
{
	for (int i = 0; i < n; i++)
		if (strcmp(v[i]->txn_id, q->txn_id) == 0 &&
		    (v[i]->pid != q->pid || v[i]->epoch != q->epoch))
			return 1;
	return 0;
}

/* Queue k's topic within its transactional id: the partitions of the
 * queues from k on not yet placed go into parts (and are placed); returns
 * how many. */
static int32_t group_topic(struct tv_queue **v, int n, int k, uint8_t *placed, int32_t *parts)
{
	int32_t np = 0;
	for (int m = k; m < n; m++)
		if (!placed[m] && strcmp(v[m]->txn_id, v[k]->txn_id) == 0 &&
		    strcmp(v[m]->topic, v[k]->topic) == 0) {
			parts[np++] = v[m]->partition;
			placed[m] = 1;
		}
	return np;
}

/* The queues in flight as one v4 request: one entry per transactional id,
 * its partitions grouped by topic, so the partitions of one transaction on
 * this leader are verified in one round trip, not in one request after
 * another (a Produce request of a client that writes many partitions at
 * once would otherwise wait for as many round trips). */
static int send_batch(struct tv_sender *s, struct arena *a)
{
	const struct mc_broker *br = mc_broker(s->b->meta, s->broker_id);
	int n = s->ninflight;
	struct tv_queue **v = s->inflight;
	struct add_partitions_to_txn_transaction *tx = arena_alloc(a, (size_t)n * sizeof *tx);
	struct add_partitions_to_txn_req_topic *tp = arena_alloc(a, (size_t)n * sizeof *tp);
	int32_t *parts = arena_alloc(a, (size_t)n * sizeof *parts);
	uint8_t *placed = arena_alloc(a, (size_t)n); /* in a topic entry */
	uint8_t *seen = arena_alloc(a, (size_t)n);   /* its id has an entry */
	if (!br || !tx || !tp || !parts || !placed || !seen)
		return -1;
	memset(placed, 0, (size_t)n);
	memset(seen, 0, (size_t)n);
	int ntx = 0, ntp = 0, npart = 0;
	for (int i = 0; i < n; i++) {
		if (seen[i])
			continue;
		int tp0 = ntp;
		for (int k = i; k < n; k++) {
			if (strcmp(v[k]->txn_id, v[i]->txn_id) != 0)
				continue;
			seen[k] = 1;
			if (placed[k])
				continue;
			int32_t np = group_topic(v, n, k, placed, parts + npart);
			tp[ntp++] = (struct add_partitions_to_txn_req_topic){
				{ v[k]->topic, (int32_t)strlen(v[k]->topic) }, { np, parts + npart } };
			npart += np;
		}
		tx[ntx++] = (struct add_partitions_to_txn_transaction){
			{ v[i]->txn_id, (int32_t)strlen(v[i]->txn_id) }, v[i]->pid, v[i]->epoch, 1,
			{ ntp - tp0, tp + tp0 } };
	}
	struct add_partitions_to_txn_request req = { .transactions = { ntx, tx } };
	net_client_target(s->nc, br->host, br->port);
	return net_client_send(s->nc, 24, 4, &req, TV_TIMEOUT_MS, on_response, s);
}

static void sender_pump(struct tv_sender *s)
{
	if (s->ninflight || !s->waiting || net_client_busy(s->nc))
		return;
	struct tv_queue **link = &s->waiting;
	while (*link && s->ninflight < TV_MAX_PER_REQUEST) {
		struct tv_queue *q = *link;
		if (conflicts(s->inflight, s->ninflight, q)) {
			link = &q->snext;
			continue;
		}
		*link = q->snext;
		q->snext = NULL;
		s->inflight[s->ninflight++] = q;
	}
	struct arena a;
	arena_init(&a);
	int rc = send_batch(s, &a);
	arena_free(&a);
	s->tv->stats.requests += (uint64_t)s->ninflight;
	if (rc < 0)
		on_response(s->nc, -1, NULL, s);
}

/* ---- starting a verification ---- */

static void verify_local(struct tv_queue *q)
{
	struct tc_tp tp = { q->topic, q->partition };
	int16_t err;
	tc_verify_partitions(tc_get(q->tv->b), q->txn_id, q->pid, q->epoch, &tp, 1, &err);
	q->tv->stats.requests++;
	answer(q, err);
}

static void verify_start(struct tv_queue *q, struct partition *p, const struct tv_item *it)
{
	queue_end_guard(q);
	free(q->txn_id);
	q->txn_id = strdup(it->txn_id);
	q->epoch = it->h->producer_epoch;
	q->leader_epoch = p->leader_epoch;
	q->psm = p->psm;
	q->guard = psm_verify_begin(p->psm, q->pid);
	q->state = TV_PENDING;
	struct txn_verify *tv = q->tv;
	struct txn_coordinator *tc = tc_get(tv->b);
	int32_t node = -1, port;
	const char *host;
	int16_t err = !q->txn_id || !tc ? KERR_UNKNOWN_SERVER_ERROR
					: tc_find(tc, q->txn_id, &node, &host, &port);
	if (err) {
		answer(q, err);
		return;
	}
	if (node == tv->b->id) {
		verify_local(q);
		return;
	}
	struct tv_sender *s = sender_for(tv, node);
	if (!s) {
		answer(q, KERR_NETWORK_EXCEPTION);
		return;
	}
	struct tv_queue **link = &s->waiting;
	while (*link)
		link = &(*link)->snext;
	*link = q;
	loop_timer_start(tv->b->loop, &s->kick, 0);
}

/* ---- the gate ---- */

struct txn_verify *txn_verify_new(struct broker *b)
{
	struct txn_verify *tv = calloc(1, sizeof *tv);
	if (!tv)
		return NULL;
	tv->b = b;
	strmap_init(&tv->queues);
	loop_timer_init(&tv->sweep, on_sweep, tv);
	return tv;
}

/* A request in flight is cancelled first: its queues get NETWORK_EXCEPTION
 * while they still exist. */
static void sender_free(struct tv_sender *s)
{
	net_client_free(s->nc);
	loop_timer_stop(s->b->loop, &s->kick);
	free(s->inflight);
	free(s);
}

void txn_verify_free(struct txn_verify *tv)
{
	if (!tv)
		return;
	loop_timer_stop(tv->b->loop, &tv->sweep);
	while (tv->senders) {
		struct tv_sender *s = tv->senders;
		tv->senders = s->next;
		sender_free(s);
	}
	const char *k;
	void *v;
	for (size_t pos = 0; strmap_next(&tv->queues, &pos, &k, &v);) {
		struct tv_queue *q = v;
		queue_end_guard(q);
		free(q->topic);
		free(q->txn_id);
		free(q);
	}
	strmap_free(&tv->queues);
	free(tv);
}

void txn_verify_gate(struct broker *b, struct tv_item *it)
{
	struct txn_verify *tv = b->tv;
	if (!b->cfg->transaction_partition_verification_enable) {
		it->fn(it, 0);
		return;
	}
	char key[300];
	size_t len = queue_key(key, sizeof key, it->topic, it->partition, it->h->producer_id);
	struct tv_queue *q = len ? strmap_get(&tv->queues, key, len) : NULL;
	/* the common case, allocation-free: the transaction is open here */
	struct partition *p = led_partition(tv, it);
	if ((!q || !q->head) && p && psm_txn_open_at(p->psm, it->h->producer_id,
						     it->h->producer_epoch)) {
		it->fn(it, 0);
		return;
	}
	if (!q && !(q = queue_get(tv, it))) {
		it->fn(it, KERR_NOT_ENOUGH_REPLICAS); /* out of memory: retriable */
		return;
	}
	it->next = NULL;
	if (q->tail)
		q->tail->next = it;
	else
		q->head = it;
	q->tail = it;
	if (q->head == it)
		drain(q);
}
