/* gregorctl drill: the load generators. The plain load is an acks=all
 * producer at a fixed rate whose keys k-TAG-SEQ name each message; every
 * acknowledgement is recorded with its partition, offset and time. The
 * transactional load runs transactions of txn_size messages over every
 * partition, aborting every abort_every-th on purpose, and records each
 * outcome. Both run on their own thread until drill_load_stop. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "coord/gregorctl/gctl.h"
#include "coord/gregorctl/gctl_drill.h"

#define DRILL_TXN_RETRIES 30

int64_t drill_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void drill_sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

static int drill_conf_kv(rd_kafka_conf_t *conf, const char *kv)
{
	char key[128], err[256];
	const char *eq = strchr(kv, '=');
	if (!eq || eq == kv || (size_t)(eq - kv) >= sizeof key) {
		gctl_err("drill: bad client property '%s' (want key=value)", kv);
		return -1;
	}
	memcpy(key, kv, (size_t)(eq - kv));
	key[eq - kv] = '\0';
	if (rd_kafka_conf_set(conf, key, eq + 1, err, sizeof err) != RD_KAFKA_CONF_OK) {
		gctl_err("drill: %s: %s", kv, err);
		return -1;
	}
	return 0;
}

/* librdkafka's own log and error lines (every disconnect of a killed
 * broker) only with --verbose: the drill narrates what it does itself. */
static void drill_log_cb(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	/* wall-clock time and the client's name: to line up with the
	 * brokers' logs and tell the drill's clients apart */
	fprintf(stderr, "%02d:%02d:%02d.%03ld %s %d %s: %s\n", tm.tm_hour, tm.tm_min, tm.tm_sec,
		ts.tv_nsec / 1000000, rd_kafka_name(rk), level, fac, buf);
}

static void drill_error_cb(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
	(void)rk;
	(void)opaque;
	fprintf(stderr, "rdkafka error %s: %s\n", rd_kafka_err2name(err), reason);
}

static void drill_quiet_error_cb(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
	(void)rk;
	(void)err;
	(void)reason;
	(void)opaque;
}

static void drill_quiet_log_cb(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
	(void)rk;
	(void)level;
	(void)fac;
	(void)buf;
}

rd_kafka_conf_t *drill_conf_new(const struct drill_client *c, const char *const *extra)
{
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	char kv[512];
	int bad = 0;
	snprintf(kv, sizeof kv, "bootstrap.servers=%s", c->bootstrap);
	bad |= drill_conf_kv(conf, kv);
	for (int i = 0; extra && extra[i]; i++)
		bad |= drill_conf_kv(conf, extra[i]);
	for (int i = 0; i < c->n_props; i++) /* the operator's -X last: they win */
		bad |= drill_conf_kv(conf, c->props[i]);
	if (bad) {
		rd_kafka_conf_destroy(conf);
		return NULL;
	}
	rd_kafka_conf_set_log_cb(conf, c->verbose ? drill_log_cb : drill_quiet_log_cb);
	rd_kafka_conf_set_error_cb(conf, c->verbose ? drill_error_cb : drill_quiet_error_cb);
	return conf;
}

/* Consumes conf (also on failure). */
static rd_kafka_t *drill_rk_new(rd_kafka_conf_t *conf, rd_kafka_type_t type)
{
	char err[256];
	rd_kafka_t *rk = rd_kafka_new(type, conf, err, sizeof err);
	if (!rk) {
		gctl_err("drill: rd_kafka_new: %s", err);
		rd_kafka_conf_destroy(conf);
	}
	return rk;
}

rd_kafka_t *drill_client_new(const struct drill_client *c, rd_kafka_type_t type,
			     const char *const *extra)
{
	rd_kafka_conf_t *conf = drill_conf_new(c, extra);
	return conf ? drill_rk_new(conf, type) : NULL;
}

/* ---- the plain load */

static void drill_note_error(struct drill_load *l, const char *name, const char *what)
{
	if (!l->first_error[0])
		snprintf(l->first_error, sizeof l->first_error, "%s: %s", name, what);
}

static void drill_on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
	struct drill_load *l = opaque;
	(void)rk;
	if (m->err) {
		atomic_fetch_add(&l->failed, 1);
		drill_note_error(l, rd_kafka_err2name(m->err), rd_kafka_err2str(m->err));
		return;
	}
	if (l->n_acks == l->cap_acks) {
		long cap = l->cap_acks ? l->cap_acks * 2 : 4096;
		struct drill_ack *a = realloc(l->acks, (size_t)cap * sizeof *a);
		if (!a) { /* counted as failed: the verdict cannot vouch for it */
			atomic_fetch_add(&l->failed, 1);
			return;
		}
		l->acks = a;
		l->cap_acks = cap;
	}
	l->acks[l->n_acks++] = (struct drill_ack){ m->partition, m->offset,
		(int64_t)(intptr_t)m->_private, drill_now_ms() - l->t0_ms };
	atomic_fetch_add(&l->acked, 1);
}

static void drill_produce_one(struct drill_load *l, int64_t seq)
{
	char key[96], val[160];
	int kn = snprintf(key, sizeof key, "k-%s-%" PRId64, l->tag, seq);
	int vn = snprintf(val, sizeof val, "v-%s-%" PRId64 "-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
			  l->tag, seq);
	for (int tries = 0; tries < 1000; tries++) {
		rd_kafka_resp_err_t err = rd_kafka_producev(l->rk, RD_KAFKA_V_TOPIC(l->topic),
			RD_KAFKA_V_KEY(key, (size_t)kn), RD_KAFKA_V_VALUE(val, (size_t)vn),
			RD_KAFKA_V_OPAQUE((void *)(intptr_t)seq),
			RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
		if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
			rd_kafka_poll(l->rk, 10);
			continue;
		}
		if (err) {
			atomic_fetch_add(&l->failed, 1);
			drill_note_error(l, rd_kafka_err2name(err), rd_kafka_err2str(err));
		}
		atomic_fetch_add(&l->sent, 1);
		return;
	}
	atomic_fetch_add(&l->failed, 1);
	atomic_fetch_add(&l->sent, 1);
	drill_note_error(l, "_QUEUE_FULL", "local queue full for 10 s");
}

static void *drill_plain_run(void *arg)
{
	struct drill_load *l = arg;
	int64_t seq = 0;
	while (!atomic_load(&l->stop)) {
		int64_t due = (drill_now_ms() - l->t0_ms) * l->rate / 1000 + 1;
		while (seq < due && !atomic_load(&l->stop))
			drill_produce_one(l, seq++);
		rd_kafka_poll(l->rk, 5);
	}
	/* every message resolves (ack or error) within message.timeout.ms */
	rd_kafka_flush(l->rk, l->msg_timeout_ms + 15000);
	l->unresolved = rd_kafka_outq_len(l->rk);
	return NULL;
}

/* ---- the transactional load (error handling as librdkafka documents it:
 * retriable -> call again, abortable -> abort, fatal -> stop) */

enum drill_txn_step { TXN_OK, TXN_RETRY, TXN_ABORT, TXN_FATAL };

static enum drill_txn_step drill_txn_judge(struct drill_load *l, rd_kafka_error_t *e)
{
	if (!e)
		return TXN_OK;
	enum drill_txn_step s = rd_kafka_error_is_fatal(e) ? TXN_FATAL :
		rd_kafka_error_txn_requires_abort(e) ? TXN_ABORT :
		rd_kafka_error_is_retriable(e) ? TXN_RETRY : TXN_FATAL;
	if (s == TXN_FATAL)
		drill_note_error(l, rd_kafka_error_name(e), rd_kafka_error_string(e));
	rd_kafka_error_destroy(e);
	return s;
}

static int drill_txn_abort(struct drill_load *l)
{
	for (int i = 0; i < DRILL_TXN_RETRIES; i++) {
		enum drill_txn_step s = drill_txn_judge(l, rd_kafka_abort_transaction(l->rk, -1));
		if (s == TXN_OK)
			return 0;
		if (s != TXN_RETRY)
			return -1;
	}
	return -1;
}

/* Ends the open transaction; its DRILL_TXN_* outcome. */
static char drill_txn_end(struct drill_load *l, int commit)
{
	if (!commit) /* abort purges what is queued: flush so it is in the log */
		rd_kafka_flush(l->rk, l->msg_timeout_ms);
	for (int i = 0; commit && i < DRILL_TXN_RETRIES; i++) {
		enum drill_txn_step s = drill_txn_judge(l, rd_kafka_commit_transaction(l->rk, -1));
		if (s == TXN_OK)
			return DRILL_TXN_COMMITTED;
		if (s == TXN_FATAL)
			return DRILL_TXN_UNKNOWN;
		if (s == TXN_ABORT)
			break;
	}
	return drill_txn_abort(l) == 0 ? DRILL_TXN_ABORTED : DRILL_TXN_UNKNOWN;
}

static int drill_txn_record(struct drill_load *l, char state)
{
	if (l->n_txns == l->cap_txns) {
		long cap = l->cap_txns ? l->cap_txns * 2 : 1024;
		char *s = realloc(l->txn_state, (size_t)cap);
		if (s)
			l->txn_state = s;
		int64_t *t = realloc(l->txn_end_ms, (size_t)cap * sizeof *t);
		if (t)
			l->txn_end_ms = t;
		if (!s || !t)
			return -1;
		l->cap_txns = cap;
	}
	l->txn_state[l->n_txns] = state;
	l->txn_end_ms[l->n_txns++] = drill_now_ms() - l->t0_ms;
	atomic_fetch_add(&l->txns_done, 1);
	return 0;
}

/* Produces transaction t's messages "TAG-tT-mI" over every partition; 0,
 * or -1 when a message could not even be queued. */
static int drill_txn_fill(struct drill_load *l, long t)
{
	for (int i = 0; i < l->txn_size; i++) {
		char val[128];
		int n = snprintf(val, sizeof val, "%s-t%ld-m%d", l->tag, t, i);
		rd_kafka_resp_err_t err;
		int tries = 0;
		do {
			err = rd_kafka_producev(l->rk, RD_KAFKA_V_TOPIC(l->topic),
				RD_KAFKA_V_PARTITION((int32_t)((t + i) % l->nparts)),
				RD_KAFKA_V_KEY(val, (size_t)n), RD_KAFKA_V_VALUE(val, (size_t)n),
				RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
			if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL)
				rd_kafka_poll(l->rk, 10);
		} while (err == RD_KAFKA_RESP_ERR__QUEUE_FULL && ++tries < 1000);
		if (err) {
			drill_note_error(l, rd_kafka_err2name(err), rd_kafka_err2str(err));
			return -1;
		}
		atomic_fetch_add(&l->sent, 1);
	}
	return 0;
}

static int drill_txn_init(struct drill_load *l)
{
	for (int i = 0; i < DRILL_TXN_RETRIES; i++) {
		enum drill_txn_step s = drill_txn_judge(l, rd_kafka_init_transactions(l->rk, 30000));
		if (s == TXN_OK)
			return 0;
		if (s != TXN_RETRY)
			return -1;
	}
	return -1;
}

static void *drill_txn_run(void *arg)
{
	struct drill_load *l = arg;
	if (drill_txn_init(l)) {
		l->fatal = 1;
		drill_note_error(l, "init_transactions", "failed");
		return NULL;
	}
	for (long t = 0; !atomic_load(&l->stop) && !l->fatal; t++) {
		if (drill_txn_judge(l, rd_kafka_begin_transaction(l->rk)) != TXN_OK) {
			l->fatal = 1;
			break;
		}
		int filled = drill_txn_fill(l, t) == 0;
		int commit = filled && !(l->abort_every > 0 && t % l->abort_every == l->abort_every - 1);
		char state = drill_txn_end(l, commit);
		if (drill_txn_record(l, state) || state == DRILL_TXN_UNKNOWN)
			l->fatal = 1;
		/* pace: the same message rate as the plain load */
		int64_t due = l->t0_ms + (int64_t)atomic_load(&l->sent) * 1000 / l->rate;
		while (drill_now_ms() < due && !atomic_load(&l->stop))
			drill_sleep_ms(10);
	}
	return NULL;
}

int drill_load_start(struct drill_load *l)
{
	char timeout[64], idem[64], txn[300], txn_to[64];
	snprintf(timeout, sizeof timeout, "message.timeout.ms=%d", l->msg_timeout_ms);
	snprintf(idem, sizeof idem, "enable.idempotence=%s", l->idempotent ? "true" : "false");
	snprintf(txn, sizeof txn, "transactional.id=%s", l->txn_id ? l->txn_id : "");
	snprintf(txn_to, sizeof txn_to, "transaction.timeout.ms=%d", l->msg_timeout_ms);
	/* a request to a broker cut off without a reset (a container off its
	 * network) is given up after 10 s and retried elsewhere, well within
	 * the message timeout (Kafka's delivery.timeout.ms default, 120 s) */
	const char *plain[] = { "acks=all", "retries=1000000", "retry.backoff.ms=100",
		"linger.ms=5", "topic.metadata.refresh.interval.ms=2000", "socket.timeout.ms=10000",
		timeout, idem, NULL };
	const char *trans[] = { "acks=all", "topic.metadata.refresh.interval.ms=2000",
		"socket.timeout.ms=10000", timeout, txn, txn_to, NULL };
	rd_kafka_conf_t *conf = drill_conf_new(l->client, l->txn_id ? trans : plain);
	if (!conf)
		return -1;
	if (!l->txn_id)
		rd_kafka_conf_set_dr_msg_cb(conf, drill_on_delivery);
	rd_kafka_conf_set_opaque(conf, l);
	l->rk = drill_rk_new(conf, RD_KAFKA_PRODUCER);
	if (!l->rk)
		return -1;
	l->t0_ms = drill_now_ms();
	if (pthread_create(&l->thread, NULL, l->txn_id ? drill_txn_run : drill_plain_run, l)) {
		gctl_err("drill: cannot start the load thread");
		rd_kafka_destroy(l->rk);
		l->rk = NULL;
		return -1;
	}
	l->running = 1;
	return 0;
}

void drill_load_stop(struct drill_load *l)
{
	if (!l->running)
		return;
	l->stop_ms = drill_now_ms() - l->t0_ms;
	atomic_store(&l->stop, 1);
	pthread_join(l->thread, NULL);
	l->running = 0;
	rd_kafka_destroy(l->rk);
	l->rk = NULL;
}

void drill_load_free(struct drill_load *l)
{
	drill_load_stop(l);
	free(l->acks);
	free(l->txn_state);
	free(l->txn_end_ms);
}
