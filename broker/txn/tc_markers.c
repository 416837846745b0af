/* Transaction markers: the coordinator's side (send WriteTxnMarkers v0 to
 * every partition leader of a Prepare* transaction, retry what fails, write
 * Complete* when all are acknowledged) and the leader's side (append the
 * control batch with acks=all). One net_client per remote broker, one
 * request in flight each, jobs queued behind it. */
#include <stdlib.h>
#include <string.h>

#include "broker/broker.h"
#include "broker/metadata_cache.h"
#include "broker/net_client.h"
#include "broker/replica/replica_manager.h"
#include "broker/topic_config.h"
#include "broker/txn/producer_state_manager.h"
#include "broker/txn/tc_int.h"
#include "broker/txn/txn_offsets.h"
#include "broker/txn/txn_tracker.h"
#include "common/log.h"
#include "common/proto/kerr.h"
#include "common/proto/messages.h"

#define MARKER_RETRY_MS 500
#define MARKER_TIMEOUT_MS 10000
#define MARKER_APPEND_TIMEOUT_MS 5000

enum { TP_TODO = 0, TP_SENT = 1, TP_DONE = 2 };

struct marker_job {
	struct marker_job *next;
	struct txn_coordinator *tc;
	int32_t part, cepoch;
	char *id;
	uint32_t gen;
	int64_t pid;
	int16_t epoch;
	int commit;
	int32_t leader;
	int n;
	struct txn_marker_part *parts; /* topic strings owned */
	int *idx;                      /* parts[i] is m->cur.tps[idx[i]] */
};

struct txn_sender {
	struct txn_sender *next;
	struct txn_coordinator *tc;
	int32_t broker_id;
	struct net_client *nc;
	struct marker_job *head, *tail, *inflight;
	struct loop_timer kick;
};

static void job_free(struct marker_job *j)
{
	for (int i = 0; j->parts && i < j->n; i++)
		free((char *)j->parts[i].topic);
	free(j->id);
	free(j->parts);
	free(j->idx);
	free(j);
}

/* ---- completion ---- */

static void on_complete_written(struct txn_coordinator *tc, struct txn_meta *m, int16_t err,
				void *arg)
{
	(void)arg;
	if (!m)
		return;
	if (err == KERR_NOT_COORDINATOR)
		return;
	if (err) {
		loop_timer_start(tc->b->loop, &m->retry, 1000);
		return;
	}
	const struct tc_partition *p = &tc->parts[m->part];
	log_state_rl("[TransactionCoordinator id=%d] txn %s: %s, producer %lld epoch %d, "
		     "%d partition(s) marked, " TC_TOPIC "-%d coordinator epoch %d (reason: %s)",
		     tc->b->id, log_esc(m->id), txn_status_name(m->cur.status),
		     (long long)m->cur.pid, m->cur.epoch, m->end_ntps, m->part, p->epoch,
		     m->end_reason ? m->end_reason : "resumed after loading " TC_TOPIC);
	m->end_reason = NULL;
	tc_held_release(tc, m);
}

static void write_complete(struct txn_coordinator *tc, struct txn_meta *m)
{
	if (m->pending)
		return;
	struct txn_rec r = m->cur;
	r.tps = NULL;
	r.ntps = 0;
	r.status = m->cur.status == TXN_PREPARE_COMMIT ? TXN_COMPLETE_COMMIT : TXN_COMPLETE_ABORT;
	r.update_ts = tc_wall();
	m->end_ntps = m->cur.ntps;
	tc_write(tc, m, &r, on_complete_written, NULL);
}

static int retriable(int16_t err)
{
	switch (err) {
	case 0:
	case KERR_UNKNOWN_TOPIC_OR_PARTITION: /* deleted: nothing to mark */
	case KERR_INVALID_PRODUCER_EPOCH:     /* a newer epoch's marker is there */
	case KERR_TRANSACTION_COORDINATOR_FENCED: /* a newer coordinator finishes it */
		return 0;
	default:
		return 1;
	}
}

static void job_finish(struct marker_job *j)
{
	struct txn_coordinator *tc = j->tc;
	struct txn_meta *m = tc_lookup(tc, j->part, j->cepoch, j->id);
	if (!m || m->marker_gen != j->gen || !m->marker_done) {
		job_free(j);
		return;
	}
	int retry = 0;
	for (int i = 0; i < j->n; i++) {
		int k = j->idx[i];
		if (k >= m->cur.ntps || m->marker_done[k] != TP_SENT)
			continue;
		if (retriable(j->parts[i].error)) {
			m->marker_done[k] = TP_TODO;
			retry = 1;
			log_info_rl("txn", "%s: marker for %s-%d failed (%d), retrying",
				    log_esc(m->id), j->parts[i].topic, j->parts[i].partition,
				    j->parts[i].error);
		} else {
			m->marker_done[k] = TP_DONE;
			m->markers_left--;
		}
	}
	job_free(j);
	if (m->markers_left == 0)
		write_complete(tc, m);
	else if (retry && !loop_timer_armed(&m->retry))
		loop_timer_start(tc->b->loop, &m->retry, MARKER_RETRY_MS);
}

static void job_local_done(void *arg, struct txn_marker_part *parts, int n)
{
	(void)parts;
	(void)n;
	job_finish(arg);
}

/* ---- remote senders ---- */

static void sender_pump(struct txn_sender *s);

static void sender_kick(struct loop_timer *t)
{
	sender_pump(t->arg);
}

static struct txn_sender *sender_for(struct txn_coordinator *tc, int32_t broker_id)
{
	for (struct txn_sender *s = tc->senders; s; s = s->next)
		if (s->broker_id == broker_id)
			return s;
	struct txn_sender *s = calloc(1, sizeof *s);
	if (!s || !(s->nc = net_client_new(tc->b->loop, "gregor-txn-markers",
						  &tc->b->inter_broker))) {
		free(s);
		return NULL;
	}
	s->tc = tc;
	s->broker_id = broker_id;
	loop_timer_init(&s->kick, sender_kick, s);
	s->next = tc->senders;
	tc->senders = s;
	return s;
}

static void fail_job(struct marker_job *j, int16_t err)
{
	for (int i = 0; i < j->n; i++)
		j->parts[i].error = err;
	job_finish(j);
}

static void on_response(struct net_client *nc, int err, void *resp, void *arg)
{
	(void)nc;
	struct txn_sender *s = arg;
	struct marker_job *j = s->inflight;
	s->inflight = NULL;
	loop_timer_start(s->tc->b->loop, &s->kick, 0);
	if (!j)
		return;
	const struct write_txn_markers_response *r = resp;
	if (err || !r || r->markers.n < 1) {
		fail_job(j, KERR_NETWORK_EXCEPTION);
		return;
	}
	const struct write_txn_markers_resp_marker *rm = r->markers.v;
	for (int i = 0; i < j->n; i++) {
		j->parts[i].error = KERR_NETWORK_EXCEPTION; /* unless answered */
		const struct write_txn_markers_resp_topic *t = rm[0].topics.v;
		for (int32_t a = 0; a < rm[0].topics.n; a++) {
			if (t[a].name.len != (int32_t)strlen(j->parts[i].topic) ||
			    memcmp(t[a].name.p, j->parts[i].topic, (size_t)t[a].name.len) != 0)
				continue;
			const struct write_txn_markers_resp_partition *pp = t[a].partitions.v;
			for (int32_t b = 0; b < t[a].partitions.n; b++)
				if (pp[b].partition_index == j->parts[i].partition)
					j->parts[i].error = pp[b].error_code;
		}
	}
	job_finish(j);
}

/* One marker, its partitions grouped by topic (in an arena). */
static int send_job(struct txn_sender *s, struct marker_job *j, struct arena *a)
{
	const struct mc_broker *br = mc_broker(s->tc->b->meta, s->broker_id);
	if (!br)
		return -1;
	struct write_txn_markers_req_topic *tv = arena_alloc(a, ((size_t)j->n + 1) * sizeof *tv);
	int32_t *ids = arena_alloc(a, ((size_t)j->n + 1) * sizeof *ids);
	if (!tv || !ids)
		return -1;
	int nt = 0, pos = 0;
	for (int i = 0; i < j->n; i++) {
		int seen = 0;
		for (int t = 0; t < nt; t++)
			seen |= strcmp(tv[t].name.p, j->parts[i].topic) == 0;
		if (seen)
			continue;
		int start = pos;
		for (int k = i; k < j->n; k++)
			if (strcmp(j->parts[k].topic, j->parts[i].topic) == 0)
				ids[pos++] = j->parts[k].partition;
		tv[nt++] = (struct write_txn_markers_req_topic){
			{ j->parts[i].topic, (int32_t)strlen(j->parts[i].topic) },
			{ pos - start, ids + start } };
	}
	struct write_txn_markers_req_marker mk = {
		.producer_id = j->pid, .producer_epoch = j->epoch,
		.transaction_result = (uint8_t)j->commit, .topics = { nt, tv },
		.coordinator_epoch = j->cepoch,
	};
	struct write_txn_markers_request req = { { 1, &mk } };
	net_client_target(s->nc, br->host, br->port);
	return net_client_send(s->nc, 27, 0, &req, MARKER_TIMEOUT_MS, on_response, s);
}

static void sender_pump(struct txn_sender *s)
{
	if (s->inflight || !s->head || net_client_busy(s->nc))
		return;
	struct marker_job *j = s->head;
	s->head = j->next;
	if (!s->head)
		s->tail = NULL;
	struct arena a;
	arena_init(&a);
	s->inflight = j;
	int rc = send_job(s, j, &a);
	arena_free(&a);
	if (rc < 0) {
		s->inflight = NULL;
		fail_job(j, KERR_NETWORK_EXCEPTION);
		loop_timer_start(s->tc->b->loop, &s->kick, 0);
	}
}

void tc_senders_free(struct txn_coordinator *tc)
{
	while (tc->senders) {
		struct txn_sender *s = tc->senders;
		tc->senders = s->next;
		loop_timer_stop(tc->b->loop, &s->kick);
		net_client_free(s->nc);
		while (s->head) {
			struct marker_job *j = s->head;
			s->head = j->next;
			job_free(j);
		}
		if (s->inflight)
			job_free(s->inflight);
		free(s);
	}
}

/* ---- rounds ---- */

static int32_t leader_of(struct txn_coordinator *tc, const struct tc_tp *tp)
{
	const struct mc_topic *t = mc_topic(tc->b->meta, tp->topic, (int32_t)strlen(tp->topic));
	if (!t)
		return -2; /* topic gone */
	if (tp->partition < 0 || tp->partition >= t->npartitions || !t->parts[tp->partition].exists)
		return -2;
	return t->parts[tp->partition].leader;
}

static struct marker_job *job_new(struct txn_coordinator *tc, struct txn_meta *m, int32_t leader)
{
	struct marker_job *j = calloc(1, sizeof *j);
	if (!j)
		return NULL;
	j->parts = calloc((size_t)m->cur.ntps + 1, sizeof *j->parts);
	j->idx = calloc((size_t)m->cur.ntps + 1, sizeof *j->idx);
	j->id = strdup(m->id);
	if (!j->parts || !j->idx || !j->id) {
		job_free(j);
		return NULL;
	}
	j->tc = tc;
	j->part = m->part;
	j->cepoch = tc->parts[m->part].epoch;
	j->gen = m->marker_gen;
	j->pid = m->cur.pid;
	j->epoch = m->cur.epoch;
	j->commit = m->cur.status == TXN_PREPARE_COMMIT;
	j->leader = leader;
	return j;
}

static void job_dispatch(struct txn_coordinator *tc, struct marker_job *j)
{
	if (j->leader == tc->b->id) {
		txn_markers_write_local(tc->b, j->pid, j->epoch, j->commit, j->cepoch, j->parts,
					j->n, job_local_done, j);
		return;
	}
	struct txn_sender *s = sender_for(tc, j->leader);
	if (!s) {
		fail_job(j, KERR_NETWORK_EXCEPTION);
		return;
	}
	if (s->tail)
		s->tail->next = j;
	else
		s->head = j;
	s->tail = j;
	loop_timer_start(tc->b->loop, &s->kick, 0);
}

void tc_markers_resume(struct txn_coordinator *tc, struct txn_meta *m)
{
	if (!m->marker_done)
		return;
	if (m->markers_left == 0) {
		write_complete(tc, m);
		return;
	}
	int waiting = 0;
	uint32_t gen = m->marker_gen;
	for (int i = 0; i < m->cur.ntps && gen == m->marker_gen; i++) {
		if (m->marker_done[i] != TP_TODO)
			continue;
		int32_t leader = leader_of(tc, &m->cur.tps[i]);
		if (leader == -2) {
			m->marker_done[i] = TP_DONE;
			m->markers_left--;
			continue;
		}
		if (leader < 0) {
			waiting = 1;
			continue;
		}
		struct marker_job *j = job_new(tc, m, leader);
		if (!j) {
			waiting = 1;
			continue;
		}
		/* this leader's other partitions go in the same job */
		for (int k = i; k < m->cur.ntps; k++) {
			if (m->marker_done[k] != TP_TODO || leader_of(tc, &m->cur.tps[k]) != leader)
				continue;
			char *topic = strdup(m->cur.tps[k].topic);
			if (!topic)
				break;
			m->marker_done[k] = TP_SENT;
			j->parts[j->n] = (struct txn_marker_part){ topic, m->cur.tps[k].partition, 0 };
			j->idx[j->n++] = k;
		}
		job_dispatch(tc, j); /* may finish at once (local errors) */
	}
	if (gen != m->marker_gen)
		return;
	if (m->markers_left == 0)
		write_complete(tc, m);
	else if (waiting && !loop_timer_armed(&m->retry))
		loop_timer_start(tc->b->loop, &m->retry, MARKER_RETRY_MS);
}

void tc_markers_start(struct txn_coordinator *tc, struct txn_meta *m)
{
	free(m->marker_done);
	m->marker_gen++;
	m->marker_done = calloc((size_t)m->cur.ntps + 1, 1);
	m->markers_left = m->cur.ntps;
	if (!m->marker_done) {
		loop_timer_start(tc->b->loop, &m->retry, MARKER_RETRY_MS);
		return;
	}
	tc_markers_resume(tc, m);
}

/* ---- the leader's side ---- */

struct local_write {
	struct broker *b;
	int64_t pid;
	int commit;
	int left;
	struct txn_marker_part *parts;
	int n;
	txn_markers_done_fn done;
	void *arg;
};

struct local_item {
	struct local_write *lw;
	int i;
};

static void local_one_done(struct local_write *lw)
{
	if (--lw->left > 0)
		return;
	lw->done(lw->arg, lw->parts, lw->n);
	free(lw);
}

static void on_marker_appended(void *arg, int16_t kerr, int64_t base_offset)
{
	(void)base_offset;
	struct local_item *it = arg;
	struct local_write *lw = it->lw;
	struct txn_marker_part *mp = &lw->parts[it->i];
	mp->error = kerr;
	if (!kerr && strcmp(mp->topic, TXN_OFFSETS_TOPIC) == 0)
		txn_offsets_on_marker(lw->b, mp->partition, lw->pid, lw->commit);
	free(it);
	local_one_done(lw);
}

static int16_t local_append(struct local_write *lw, int i, int16_t epoch, int32_t cepoch)
{
	struct txn_marker_part *mp = &lw->parts[i];
	struct broker *b = lw->b;
	struct partition *p = rm_get(b->rm, mp->topic, (int32_t)strlen(mp->topic), mp->partition);
	if (!p)
		return KERR_UNKNOWN_TOPIC_OR_PARTITION;
	if (!p->is_leader)
		return KERR_NOT_LEADER_OR_FOLLOWER;
	int16_t kerr = partition_check_marker(p, lw->pid, epoch, cepoch);
	if (kerr)
		return kerr;
	uint8_t *batch;
	size_t len;
	struct local_item *it = malloc(sizeof *it);
	if (!it || txn_marker_build(lw->pid, epoch, lw->commit ? TXN_MARKER_COMMIT : TXN_MARKER_ABORT,
				    cepoch, tc_wall(), &batch, &len) < 0) {
		free(it);
		return KERR_UNKNOWN_SERVER_ERROR;
	}
	struct topic_config tcfg;
	topic_config_effective(b, mp->topic, (int32_t)strlen(mp->topic), &tcfg);
	*it = (struct local_item){ lw, i };
	lw->left++;
	rm_append_internal(b->rm, mp->topic, mp->partition, batch, len, tcfg.min_insync_replicas,
			   MARKER_APPEND_TIMEOUT_MS, on_marker_appended, it);
	free(batch);
	return 0;
}

void txn_markers_write_local(struct broker *b, int64_t producer_id, int16_t epoch, int commit,
			     int32_t coordinator_epoch, struct txn_marker_part *parts, int n,
			     txn_markers_done_fn done, void *arg)
{
	struct local_write *lw = calloc(1, sizeof *lw);
	if (!lw) {
		for (int i = 0; i < n; i++)
			parts[i].error = KERR_UNKNOWN_SERVER_ERROR;
		done(arg, parts, n);
		return;
	}
	*lw = (struct local_write){ b, producer_id, commit, 1, parts, n, done, arg };
	/* the followers' parked fetches are woken once, after the last of
	 * these appends: one replication round trip for all of this leader's
	 * markers instead of one per partition (a fetch woken by the first
	 * append would answer with that partition alone) */
	rm_batch_begin(b->rm);
	for (int i = 0; i < n; i++) {
		parts[i].error = 0;
		int16_t kerr = local_append(lw, i, epoch, coordinator_epoch);
		if (kerr)
			parts[i].error = kerr;
	}
	rm_batch_end(b->rm);
	local_one_done(lw); /* the guard taken at the start */
}
