/* The transaction coordinator (see txn_coordinator.h): partition ownership
 * from leadership events, FindCoordinator, the client-facing operations
 * (InitProducerId, AddPartitionsToTxn, EndTxn) as transitions of Kafka's
 * state machine, each persisted before it is acted upon, and the periodic
 * abort of transactions past their timeout. */
#include "broker/txn/txn_coordinator.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "broker/broker.h"
#include "broker/group/coordinator.h"
#include "broker/txn/pid_alloc.h"
#include "broker/txn/tc_int.h"
#include "common/clock.h"
#include "common/failpoint.h"
#include "common/log.h"
#include "common/proto/kerr.h"

#define TC_EXPIRE_PER_PASS 1000 /* tombstones in flight per pass, at most */

int64_t tc_wall(void)
{
	return clock_wall_ms();
}

int32_t tc_partition_of(struct txn_coordinator *tc, const char *id)
{
	return gc_partition_for(id, strlen(id), tc->nparts);
}

int32_t tc_offsets_partition(struct txn_coordinator *tc, const char *group_id)
{
	int32_t n = tc->b->cfg->offsets_topic_num_partitions > 0
			    ? tc->b->cfg->offsets_topic_num_partitions : 50;
	return gc_partition_for(group_id, strlen(group_id), n);
}

/* Crash tests (txn_failover.sh): die with the Prepare* record persisted
 * and no marker sent, before the client hears of it, so that only the next
 * coordinator can complete the transaction. */
static void failpoint_after_prepare(const struct txn_meta *m)
{
	if (!failpoint_hit("txn_after_prepare"))
		return;
	log_warn_rl("txn", "%s: %s persisted; failpoint txn_after_prepare: exiting", log_esc(m->id),
		 txn_status_name(m->cur.status));
	_exit(137);
}

/* ---- aborts (timeouts, fencing) ---- */

static void on_abort_prepared(struct txn_coordinator *tc, struct txn_meta *m, int16_t err,
			      void *arg)
{
	(void)arg;
	if (m && !err) {
		failpoint_after_prepare(m);
		tc_markers_start(tc, m);
	}
}

/* Ongoing -> PrepareAbort with the epoch bumped: the producer's next
 * request is fenced, and the markers carry the new epoch so that the
 * partitions refuse the old one's late writes. */
static void abort_with_bump(struct txn_coordinator *tc, struct txn_meta *m, const char *why)
{
	if (m->pending || m->cur.status != TXN_ONGOING)
		return;
	struct txn_rec r;
	if (tc_rec_copy(&r, &m->cur) < 0)
		return;
	if (r.epoch < INT16_MAX)
		r.epoch++;
	r.status = TXN_PREPARE_ABORT;
	r.update_ts = tc_wall();
	m->end_reason = why;
	log_info_rl("txn",
		    "%s: aborting the ongoing transaction of producer %lld (%s); epoch %d -> %d",
		    log_esc(m->id), (long long)m->cur.pid, why, m->cur.epoch, r.epoch);
	tc_write(tc, m, &r, on_abort_prepared, NULL);
}

/* ---- lifecycle ---- */

static int past_timeout(const struct txn_meta *m, int64_t now)
{
	return m->cur.status == TXN_ONGOING && m->cur.start_ts >= 0 &&
	       now > m->cur.start_ts + m->cur.timeout_ms;
}

static void on_tick(struct loop_timer *t)
{
	struct txn_coordinator *tc = t->arg;
	int64_t now = tc_wall();
	int32_t open_past = 0;
	for (int32_t i = 0; i < tc->nparts; i++) {
		struct tc_partition *p = &tc->parts[i];
		const char *k;
		void *v;
		for (size_t pos = 0; p->state == TC_LOADED && strmap_next(&p->txns, &pos, &k, &v);) {
			struct txn_meta *m = v;
			if (!past_timeout(m, now))
				continue;
			open_past++;
			if (!m->pending) {
				tc->stats.timed_out_total++;
				abort_with_bump(tc, m, "transaction.timeout.ms passed");
			}
		}
	}
	tc->stats.open_past_timeout = open_past;
	loop_timer_start(tc->b->loop, &tc->tick,
			 tc->b->cfg->transaction_abort_timed_out_cleanup_interval_ms);
}

/* ---- transactional id expiry (Kafka's removeExpiredTransactionalIds) ---- */

static void on_tombstone(struct txn_coordinator *tc, struct txn_meta *m, int16_t err, void *arg)
{
	(void)tc;
	(void)arg;
	if (err && m) /* still ours: the next pass tries again */
		log_warn_rl("txn", "%s: expiry tombstone not written (%d)", log_esc(m->id), err);
}

/* An id is forgotten once it has had no transaction for
 * transactional.id.expiration.ms: only at rest (Empty, Complete*), with no
 * state write in flight, the last update that long ago. */
static int txn_expired(const struct txn_meta *m, int64_t now, int64_t expiration_ms)
{
	int at_rest = m->cur.status == TXN_EMPTY || m->cur.status == TXN_COMPLETE_COMMIT ||
		      m->cur.status == TXN_COMPLETE_ABORT;
	return at_rest && !m->pending && m->cur.update_ts >= 0 &&
	       now - m->cur.update_ts >= expiration_ms;
}

static void on_expire_tick(struct loop_timer *t)
{
	struct txn_coordinator *tc = t->arg;
	int64_t now = tc_wall(), expiration = tc->b->cfg->transactional_id_expiration_ms;
	int n = 0;
	for (int32_t i = 0; i < tc->nparts && n < TC_EXPIRE_PER_PASS; i++) {
		struct tc_partition *p = &tc->parts[i];
		const char *k;
		void *v;
		/* a tombstone's completion may delete from p->txns: collect first */
		struct txn_meta *batch[64];
		int nb = 0;
		for (size_t pos = 0; p->state == TC_LOADED && nb < 64 &&
		     strmap_next(&p->txns, &pos, &k, &v);)
			if (txn_expired(v, now, expiration))
				batch[nb++] = v;
		for (int j = 0; j < nb; j++, n++) {
			log_info_rl("txn", "%s: transactional id unused for %lld ms: expiring",
				 log_esc(batch[j]->id), (long long)(now - batch[j]->cur.update_ts));
			tc_write_tombstone(tc, batch[j], on_tombstone, NULL);
		}
	}
	loop_timer_start(tc->b->loop, &tc->expire,
			 tc->b->cfg->transaction_remove_expired_cleanup_interval_ms);
}

static void on_leadership(void *arg, int32_t index, int is_leader, int32_t leader_epoch)
{
	struct txn_coordinator *tc = arg;
	struct tc_partition *p = &tc->parts[index];
	/* A new leader epoch while this broker stays leader (the controller
	 * shrank the ISR, say) changes nothing here: as in Kafka, only a broker
	 * that becomes leader loads, and the coordinator epoch stays the one it
	 * loaded with. Reloading would answer COORDINATOR_LOAD_IN_PROGRESS (and
	 * drop completions in flight) after every ISR change. A load under way
	 * restarts, since its replay stops at an epoch change. */
	if (!is_leader)
		tc_unload(p);
	else if (p->state == TC_NOT_LEADER || (p->state == TC_LOADING && p->epoch != leader_epoch))
		tc_load_start(p, leader_epoch);
}

struct txn_coordinator *tc_get(struct broker *b)
{
	if (b->tc)
		return b->tc;
	struct txn_coordinator *tc = calloc(1, sizeof *tc);
	int32_t n = b->cfg->transaction_state_log_num_partitions > 0
			    ? b->cfg->transaction_state_log_num_partitions : 50;
	if (!tc || !(tc->parts = calloc((size_t)n, sizeof *tc->parts))) {
		free(tc);
		return NULL;
	}
	tc->b = b;
	tc->nparts = n;
	for (int32_t i = 0; i < n; i++)
		tc_partition_init(&tc->parts[i], tc, i);
	tc->creator = (struct itopic_creator){ "txn", TC_TOPIC, 0 };
	tc->watch = (struct itopic_watch){ TC_TOPIC, n, on_leadership, tc };
	loop_timer_init(&tc->tick, on_tick, tc);
	loop_timer_start(b->loop, &tc->tick, b->cfg->transaction_abort_timed_out_cleanup_interval_ms);
	loop_timer_init(&tc->expire, on_expire_tick, tc);
	loop_timer_start(b->loop, &tc->expire,
			 b->cfg->transaction_remove_expired_cleanup_interval_ms);
	b->tc = tc;
	itopic_watch_start(b, &tc->watch, "txn");
	return tc;
}

/* ---- FindCoordinator ---- */

static void create_state_topic(struct txn_coordinator *tc)
{
	const struct broker_config *cfg = tc->b->cfg;
	static const struct coord_topic_config configs[] = {
		{ "cleanup.policy", "compact" },
		{ "segment.bytes", "104857600" },
		{ "compression.type", "uncompressed" },
		{ "min.insync.replicas", NULL }, /* transaction.state.log.min.isr */
		{ "unclean.leader.election.enable", "false" },
	};
	const struct itopic_spec s = {
		.name = TC_TOPIC,
		.partitions = tc->nparts,
		.replication_factor = cfg->transaction_state_log_replication_factor,
		.rf_setting = "transaction.state.log.replication.factor",
		.min_isr = cfg->transaction_state_log_min_isr,
		.min_isr_setting = "transaction.state.log.min.isr",
		.configs = configs,
		.n_configs = 5,
	};
	itopic_create(tc->b, &tc->creator, &s);
}

int16_t tc_find(struct txn_coordinator *tc, const char *txn_id, int32_t *node_id,
		const char **host, int32_t *port)
{
	int rc = itopic_find_leader(tc->b, TC_TOPIC, tc_partition_of(tc, txn_id), node_id, host,
				    port);
	if (rc == -ENOENT)
		create_state_topic(tc);
	return rc < 0 ? KERR_COORDINATOR_NOT_AVAILABLE : (int16_t)rc;
}

/* ---- lookups ---- */

/* The loaded partition of id, or the error to answer. */
static int16_t part_for(struct txn_coordinator *tc, const char *id, struct tc_partition **out)
{
	if (!id || !id[0])
		return KERR_INVALID_REQUEST;
	struct tc_partition *p = &tc->parts[tc_partition_of(tc, id)];
	*out = p;
	if (p->state == TC_NOT_LEADER)
		return KERR_NOT_COORDINATOR;
	if (p->state == TC_LOADING)
		return KERR_COORDINATOR_LOAD_IN_PROGRESS;
	return 0;
}

/* The checks every request of a producer goes through. */
static int16_t check_producer(struct txn_meta *m, int64_t pid, int16_t epoch)
{
	if (!m || m->cur.pid < 0 || m->cur.pid != pid)
		return KERR_INVALID_PRODUCER_ID_MAPPING;
	if (epoch != m->cur.epoch)
		return KERR_PRODUCER_FENCED;
	if (m->pending)
		return KERR_CONCURRENT_TRANSACTIONS;
	return 0;
}

/* ---- InitProducerId ---- */

struct init_ctx {
	struct txn_coordinator *tc;
	int32_t part, epoch;
	char *id;
	int32_t timeout_ms;
	tc_pid_fn fn;
	void *arg;
};

static void init_ctx_end(struct init_ctx *c, int16_t err, int64_t pid, int16_t epoch)
{
	c->fn(c->arg, err, pid, epoch);
	free(c->id);
	free(c);
}

static void init_written(struct txn_coordinator *tc, struct txn_meta *m, int16_t err, void *arg)
{
	(void)tc;
	struct init_ctx *c = arg;
	if (!err)
		log_info_rl("txn", "%s: producer %lld epoch %d (InitProducerId)", log_esc(m->id),
			 (long long)m->cur.pid, m->cur.epoch);
	init_ctx_end(c, err, err ? -1 : m->cur.pid, err ? -1 : m->cur.epoch);
}

/* Writes Empty with the given producer id and epoch. */
static void init_write(struct init_ctx *c, struct txn_meta *m, int64_t pid, int16_t epoch)
{
	struct txn_rec r = { 0 };
	r.last_pid = m->cur.pid != pid ? m->cur.pid : m->cur.last_pid;
	r.last_epoch = m->cur.epoch;
	r.pid = pid;
	r.epoch = epoch;
	r.timeout_ms = c->timeout_ms;
	r.status = TXN_EMPTY;
	r.start_ts = -1;
	r.update_ts = tc_wall();
	if (!txn_transition_allowed(m->cur.status, TXN_EMPTY)) {
		init_ctx_end(c, KERR_CONCURRENT_TRANSACTIONS, -1, -1);
		return;
	}
	tc_write(c->tc, m, &r, init_written, c);
}

static void init_new_pid(void *arg, int16_t kerr, int64_t pid)
{
	struct init_ctx *c = arg;
	if (kerr) {
		init_ctx_end(c, kerr, -1, -1);
		return;
	}
	struct tc_partition *p = &c->tc->parts[c->part];
	if (p->state != TC_LOADED || p->epoch != c->epoch) {
		init_ctx_end(c, KERR_NOT_COORDINATOR, -1, -1);
		return;
	}
	struct txn_meta *m = strmap_get(&p->txns, c->id, strlen(c->id));
	if (!m)
		m = tc_meta_new(c->tc, c->part, c->id);
	if (!m || m->pending) {
		init_ctx_end(c, m ? KERR_CONCURRENT_TRANSACTIONS : KERR_UNKNOWN_SERVER_ERROR, -1, -1);
		return;
	}
	init_write(c, m, pid, 0);
}

void tc_init_producer_id(struct txn_coordinator *tc, const char *id, int32_t timeout_ms,
			 int64_t pid, int16_t epoch, tc_pid_fn fn, void *arg)
{
	struct tc_partition *p;
	int16_t err = part_for(tc, id, &p);
	if (!err && (timeout_ms <= 0 || timeout_ms > tc->b->cfg->transaction_max_timeout_ms))
		err = KERR_INVALID_TRANSACTION_TIMEOUT;
	struct txn_meta *m = err ? NULL : strmap_get(&p->txns, id, strlen(id));
	if (!err && m && m->pending)
		err = KERR_CONCURRENT_TRANSACTIONS;
	/* KIP-360: a producer recovering names its current id and epoch */
	if (!err && m && pid >= 0 && m->cur.pid >= 0) {
		if (pid != m->cur.pid && pid != m->cur.last_pid)
			err = KERR_INVALID_PRODUCER_ID_MAPPING;
		else if (pid == m->cur.pid && epoch != m->cur.epoch)
			err = KERR_PRODUCER_FENCED;
	}
	if (!err && m && (m->cur.status == TXN_PREPARE_COMMIT || m->cur.status == TXN_PREPARE_ABORT))
		err = KERR_CONCURRENT_TRANSACTIONS;
	if (!err && m && m->cur.status == TXN_ONGOING) {
		abort_with_bump(tc, m, "InitProducerId");
		err = KERR_CONCURRENT_TRANSACTIONS;
	}
	struct init_ctx *c = err ? NULL : calloc(1, sizeof *c);
	if (!err && (!c || !(c->id = strdup(id)))) {
		free(c);
		err = KERR_UNKNOWN_SERVER_ERROR;
	}
	if (err) {
		fn(arg, err, -1, -1);
		return;
	}
	*c = (struct init_ctx){ tc, p->index, p->epoch, c->id, timeout_ms, fn, arg };
	if (!m || m->cur.pid < 0 || m->cur.epoch >= TC_MAX_EPOCH) {
		pid_alloc_next(tc->b->pids, init_new_pid, c);
		return;
	}
	init_write(c, m, m->cur.pid, (int16_t)(m->cur.epoch + 1));
}

/* ---- AddPartitionsToTxn / AddOffsetsToTxn ---- */

struct op_ctx {
	tc_done_fn fn;
	void *arg;
	int commit;
};

static void add_written(struct txn_coordinator *tc, struct txn_meta *m, int16_t err, void *arg)
{
	(void)tc;
	(void)m;
	struct op_ctx *c = arg;
	c->fn(c->arg, err);
	free(c);
}

static int has_all(const struct txn_rec *r, const struct tc_tp *tps, int n)
{
	for (int i = 0; i < n; i++) {
		int found = 0;
		for (int k = 0; k < r->ntps && !found; k++)
			found = r->tps[k].partition == tps[i].partition &&
				strcmp(r->tps[k].topic, tps[i].topic) == 0;
		if (!found)
			return 0;
	}
	return 1;
}

/* ---- AddPartitions held while the previous transaction completes ---- */

#define TC_HOLD_MS 1000
#define TC_HOLD_MAX 8 /* per transactional id; a client sends one at a time */

struct tc_held {
	struct tc_held *next;
	struct txn_meta *m;
	struct loop_timer timer;
	int64_t pid;
	int16_t epoch;
	struct tc_tp *tps; /* topic strings owned */
	int n;
	tc_done_fn fn;
	void *arg;
};

static void held_free(struct tc_held *h)
{
	for (int i = 0; i < h->n; i++)
		free((char *)h->tps[i].topic);
	free(h->tps);
	free(h);
}

static void held_unlink(struct txn_meta *m, struct tc_held *h)
{
	for (struct tc_held **pp = &m->held; *pp; pp = &(*pp)->next)
		if (*pp == h) {
			*pp = h->next;
			m->nheld--;
			return;
		}
}

static void on_held_timeout(struct loop_timer *t)
{
	struct tc_held *h = t->arg;
	held_unlink(h->m, h);
	h->fn(h->arg, KERR_CONCURRENT_TRANSACTIONS);
	held_free(h);
}

/* Holds the request when m's transaction is completing; 0 if it could not
 * (the caller answers CONCURRENT_TRANSACTIONS as Kafka does). */
static int held_add(struct txn_coordinator *tc, struct txn_meta *m, int64_t pid, int16_t epoch,
		    const struct tc_tp *tps, int n, tc_done_fn fn, void *arg)
{
	int completing = m->cur.status == TXN_PREPARE_COMMIT ||
			 m->cur.status == TXN_PREPARE_ABORT;
	if (!completing || m->nheld >= TC_HOLD_MAX || n <= 0)
		return 0;
	struct tc_held *h = calloc(1, sizeof *h);
	if (!h || !(h->tps = calloc((size_t)n, sizeof *h->tps))) {
		free(h);
		return 0;
	}
	for (int i = 0; i < n; i++, h->n++) {
		if (!(h->tps[i].topic = strdup(tps[i].topic))) {
			held_free(h);
			return 0;
		}
		h->tps[i].partition = tps[i].partition;
	}
	h->m = m;
	h->pid = pid;
	h->epoch = epoch;
	h->fn = fn;
	h->arg = arg;
	h->next = m->held;
	loop_timer_init(&h->timer, on_held_timeout, h);
	loop_timer_start(tc->b->loop, &h->timer, TC_HOLD_MS);
	m->held = h;
	m->nheld++;
	return 1;
}

void tc_held_release(struct txn_coordinator *tc, struct txn_meta *m)
{
	struct tc_held *h = m->held;
	m->held = NULL;
	m->nheld = 0;
	while (h) {
		struct tc_held *next = h->next;
		loop_timer_stop(tc->b->loop, &h->timer);
		tc_add_partitions(tc, m->id, h->pid, h->epoch, h->tps, h->n, h->fn, h->arg);
		held_free(h);
		h = next;
	}
}

void tc_held_fail(struct txn_meta *m, int16_t err)
{
	struct tc_held *h = m->held;
	m->held = NULL;
	m->nheld = 0;
	while (h) {
		struct tc_held *next = h->next;
		loop_timer_stop(m->tc->b->loop, &h->timer);
		h->fn(h->arg, err);
		held_free(h);
		h = next;
	}
}

void tc_add_partitions(struct txn_coordinator *tc, const char *id, int64_t pid, int16_t epoch,
		       const struct tc_tp *tps, int n, tc_done_fn fn, void *arg)
{
	struct tc_partition *p;
	int16_t err = part_for(tc, id, &p);
	struct txn_meta *m = err ? NULL : strmap_get(&p->txns, id, strlen(id));
	if (!err)
		err = check_producer(m, pid, epoch);
	if (!err && (m->cur.status == TXN_PREPARE_COMMIT || m->cur.status == TXN_PREPARE_ABORT))
		err = KERR_CONCURRENT_TRANSACTIONS;
	if (err == KERR_CONCURRENT_TRANSACTIONS && held_add(tc, m, pid, epoch, tps, n, fn, arg))
		return;
	if (!err && !txn_transition_allowed(m->cur.status, TXN_ONGOING))
		err = KERR_INVALID_TXN_STATE;
	if (!err && m->cur.status == TXN_ONGOING && has_all(&m->cur, tps, n)) {
		fn(arg, 0);
		return;
	}
	struct txn_rec r;
	struct op_ctx *c = NULL;
	if (!err && (!(c = malloc(sizeof *c)) || tc_rec_copy(&r, &m->cur) < 0)) {
		free(c);
		err = KERR_UNKNOWN_SERVER_ERROR;
	}
	if (err) {
		fn(arg, err);
		return;
	}
	if (r.status != TXN_ONGOING) { /* a new transaction */
		tc_rec_free(&r);
		r.start_ts = tc_wall();
	}
	for (int i = 0; i < n; i++)
		if (tc_rec_add_tp(&r, tps[i].topic, tps[i].partition) < 0) {
			tc_rec_free(&r);
			free(c);
			fn(arg, KERR_UNKNOWN_SERVER_ERROR);
			return;
		}
	r.status = TXN_ONGOING;
	r.update_ts = tc_wall();
	*c = (struct op_ctx){ fn, arg, 0 };
	tc_write(tc, m, &r, add_written, c);
}

/* ---- AddPartitionsToTxn v4 VerifyOnly ---- */

static int16_t verify_error(struct txn_coordinator *tc, const char *id, int64_t pid,
			    int16_t epoch, struct txn_meta **out)
{
	struct tc_partition *p;
	int16_t err = part_for(tc, id, &p);
	if (err)
		return err;
	struct txn_meta *m = strmap_get(&p->txns, id, strlen(id));
	if (!m || m->cur.pid < 0 || m->cur.pid != pid)
		return KERR_INVALID_PRODUCER_ID_MAPPING;
	if (m->cur.epoch != epoch)
		return KERR_PRODUCER_FENCED;
	if (m->cur.status == TXN_PREPARE_COMMIT || m->cur.status == TXN_PREPARE_ABORT)
		return KERR_CONCURRENT_TRANSACTIONS;
	*out = m;
	return 0;
}

void tc_verify_partitions(struct txn_coordinator *tc, const char *id, int64_t pid,
			  int16_t epoch, const struct tc_tp *tps, int n, int16_t *errs)
{
	struct txn_meta *m = NULL;
	int16_t err = verify_error(tc, id, pid, epoch, &m);
	/* a state write in flight (AddPartitions, EndTxn) is not waited for:
	 * partitions are in m->cur only once persisted, and an EndTxn that
	 * lands after this answer writes a marker the leader notices */
	for (int i = 0; i < n; i++)
		errs[i] = err ? err
			      : m->cur.status == TXN_ONGOING && has_all(&m->cur, &tps[i], 1)
				? 0 : KERR_INVALID_TXN_STATE;
}

const struct tc_stats *tc_stats(struct txn_coordinator *tc)
{
	return &tc->stats;
}

int32_t tc_count_past_timeout(struct txn_coordinator *tc)
{
	int64_t now = tc_wall();
	int32_t n = 0;
	for (int32_t i = 0; i < tc->nparts; i++) {
		struct tc_partition *p = &tc->parts[i];
		const char *k;
		void *v;
		for (size_t pos = 0; p->state == TC_LOADED && strmap_next(&p->txns, &pos, &k, &v);)
			n += past_timeout(v, now);
	}
	return n;
}

/* ---- EndTxn ---- */

static void end_written(struct txn_coordinator *tc, struct txn_meta *m, int16_t err, void *arg)
{
	struct op_ctx *c = arg;
	if (!err && m)
		failpoint_after_prepare(m);
	c->fn(c->arg, err);
	free(c);
	if (!err && m) {
		m->end_reason = m->cur.status == TXN_PREPARE_COMMIT ? "EndTxn commit" : "EndTxn abort";
		log_info_rl("txn", "%s: %s, %d partition(s), producer %lld epoch %d",
			    log_esc(m->id), txn_status_name(m->cur.status), m->cur.ntps,
			    (long long)m->cur.pid, m->cur.epoch);
		tc_markers_start(tc, m);
	}
}

static int16_t end_error_for_state(int status, int commit)
{
	switch (status) {
	case TXN_ONGOING:
		return 0;
	case TXN_COMPLETE_COMMIT: /* a retry of a finished EndTxn */
		return commit ? -1 : KERR_INVALID_TXN_STATE;
	case TXN_COMPLETE_ABORT:
		return commit ? KERR_INVALID_TXN_STATE : -1;
	case TXN_PREPARE_COMMIT:
		return commit ? KERR_CONCURRENT_TRANSACTIONS : KERR_INVALID_TXN_STATE;
	case TXN_PREPARE_ABORT:
		return commit ? KERR_INVALID_TXN_STATE : KERR_CONCURRENT_TRANSACTIONS;
	default:
		return KERR_INVALID_TXN_STATE;
	}
}

void tc_end_txn(struct txn_coordinator *tc, const char *id, int64_t pid, int16_t epoch,
		int commit, tc_done_fn fn, void *arg)
{
	struct tc_partition *p;
	int16_t err = part_for(tc, id, &p);
	struct txn_meta *m = err ? NULL : strmap_get(&p->txns, id, strlen(id));
	if (!err)
		err = check_producer(m, pid, epoch);
	if (!err)
		err = end_error_for_state(m->cur.status, commit);
	if (err) {
		fn(arg, err < 0 ? 0 : err);
		return;
	}
	int to = commit ? TXN_PREPARE_COMMIT : TXN_PREPARE_ABORT;
	struct txn_rec r;
	struct op_ctx *c = malloc(sizeof *c);
	if (!c || !txn_transition_allowed(m->cur.status, to) || tc_rec_copy(&r, &m->cur) < 0) {
		free(c);
		fn(arg, KERR_UNKNOWN_SERVER_ERROR);
		return;
	}
	r.status = to;
	r.update_ts = tc_wall();
	*c = (struct op_ctx){ fn, arg, commit };
	tc_write(tc, m, &r, end_written, c);
}

/* ---- Describe / List ---- */

static void view_of(const struct txn_meta *m, struct tc_view *v)
{
	*v = (struct tc_view){ m->id, m->cur.status, m->cur.timeout_ms, m->cur.start_ts,
			       m->cur.pid, m->cur.epoch, m->cur.tps, m->cur.ntps };
}

int16_t tc_describe(struct txn_coordinator *tc, const char *id, struct tc_view *v)
{
	struct tc_partition *p;
	int16_t err = part_for(tc, id, &p);
	if (err)
		return err;
	struct txn_meta *m = strmap_get(&p->txns, id, strlen(id));
	if (!m || m->cur.pid < 0)
		return KERR_TRANSACTIONAL_ID_NOT_FOUND;
	view_of(m, v);
	return 0;
}

int16_t tc_for_each(struct txn_coordinator *tc, tc_view_fn fn, void *arg)
{
	int16_t err = 0;
	for (int32_t i = 0; i < tc->nparts; i++) {
		struct tc_partition *p = &tc->parts[i];
		if (p->state == TC_LOADING)
			err = KERR_COORDINATOR_LOAD_IN_PROGRESS;
		const char *k;
		void *v;
		for (size_t pos = 0; p->state == TC_LOADED && strmap_next(&p->txns, &pos, &k, &v);) {
			struct txn_meta *m = v;
			struct tc_view view;
			if (m->cur.pid < 0)
				continue;
			view_of(m, &view);
			fn(arg, &view);
		}
	}
	return err;
}
