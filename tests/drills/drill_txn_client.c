/* drill_txn_client: librdkafka transactional producer and checker for the
 * transaction drills and tests (drill_txn_coord_kill.sh, txn_failover.sh,
 * txn_timeout.sh). Error handling follows librdkafka's documentation:
 * retriable -> call again, abortable -> abort_transaction, fatal -> report.
 *   produce -b B -t TOPIC -i TXNID -n TXNS -m PER -o LOG [-a EVERY] [-T MS]
 *           [-d DELAY_MS]
 *       aborts every EVERY-th transaction (default 3; 0: none), pauses
 *       DELAY_MS between transactions; one line per
 *       transaction in LOG: "T PER committed|aborted|unknown"
 *   one -b B -t TOPIC -i TXNID -m PER -v PREFIX -c commit|abort [-p PART]
 *       one transaction of values PREFIX-mI; prints "result committed|aborted"
 *   hang -b B -t TOPIC -i TXNID -m PER -v PREFIX -T TIMEOUT_MS -s SECONDS
 *       begins, produces, flushes, prints "produced", sleeps, then commits
 *       and prints "commit ok" or "commit failed: ... (flags)"
 *   consume -b B -t TOPIC -P NPARTS -I ISOLATION [-s IDLE_S]   prints every
 *       value; stops IDLE_S (default 3) after the last message once every
 *       partition reached its end
 *   verify -b B -t TOPIC -P NPARTS -l LOG   checks LOG against both
 *       isolation levels; prints the figures, exits 1 on a violation
 * Every wait is bounded. Values are "t<T>-m<I>" for produce. */
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_TXNS 100000
#define MAX_PER 10000
#define RETRY_LIMIT 30

struct opts {
	const char *cmd, *bootstrap, *topic, *txn_id, *log, *prefix, *iso, *end;
	int txns, per, every, nparts, sleep_s, part, delay_ms;
	const char *timeout_ms;
};

static void die_conf(const char *err)
{
	fprintf(stderr, "conf: %s\n", err);
	exit(2);
}

static rd_kafka_t *producer_new(const struct opts *o)
{
	char err[512];
	rd_kafka_conf_t *c = rd_kafka_conf_new();
	if (rd_kafka_conf_set(c, "bootstrap.servers", o->bootstrap, err, sizeof err) ||
	    rd_kafka_conf_set(c, "transactional.id", o->txn_id, err, sizeof err) ||
	    rd_kafka_conf_set(c, "transaction.timeout.ms", o->timeout_ms, err, sizeof err) ||
	    rd_kafka_conf_set(c, "message.timeout.ms", o->timeout_ms, err, sizeof err) ||
	    rd_kafka_conf_set(c, "socket.timeout.ms", atoi(o->timeout_ms) > 10000 ? "10000" :
			      o->timeout_ms, err, sizeof err))
		die_conf(err);
	rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, c, err, sizeof err);
	if (!rk)
		die_conf(err);
	return rk;
}

/* What an error object asks for; the object is destroyed. */
enum verdict { V_OK, V_RETRY, V_ABORT, V_FATAL };

static enum verdict judge(rd_kafka_error_t *e, const char *what, int t)
{
	if (!e)
		return V_OK;
	enum verdict v = rd_kafka_error_is_fatal(e) ? V_FATAL
			 : rd_kafka_error_txn_requires_abort(e) ? V_ABORT
			 : rd_kafka_error_is_retriable(e) ? V_RETRY : V_FATAL;
	fprintf(stderr, "txn %d %s: %s (%s) -> %s\n", t, what, rd_kafka_error_name(e),
		rd_kafka_error_string(e), rd_kafka_error_is_fatal(e) ? "fatal" :
		v == V_ABORT ? "abort" : v == V_RETRY ? "retry" : "not retriable");
	rd_kafka_error_destroy(e);
	return v;
}

static int produce_one(rd_kafka_t *rk, const char *topic, int32_t part, const char *val)
{
	for (int tries = 0; tries < 100; tries++) {
		rd_kafka_resp_err_t e = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic),
			RD_KAFKA_V_PARTITION(part), RD_KAFKA_V_VALUE((void *)val, strlen(val)),
			RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
		if (!e)
			return 0;
		if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
			fprintf(stderr, "produce %s: %s\n", val, rd_kafka_err2str(e));
			return -1;
		}
		rd_kafka_poll(rk, 100);
	}
	return -1;
}

/* abort_transaction, retried while retriable. 0: aborted. */
static int abort_txn(rd_kafka_t *rk, int t)
{
	for (int i = 0; i < RETRY_LIMIT; i++) {
		enum verdict v = judge(rd_kafka_abort_transaction(rk, -1), "abort", t);
		if (v == V_OK)
			return 0;
		if (v != V_RETRY)
			return -1;
	}
	return -1;
}

/* Ends transaction t: "committed", "aborted" or NULL (fatal/unknown). */
static const char *end_txn(rd_kafka_t *rk, int t, int commit)
{
	if (!commit) /* abort purges what is queued: flush so the data is in the log */
		rd_kafka_flush(rk, 60000);
	for (int i = 0; commit && i < RETRY_LIMIT; i++) {
		enum verdict v = judge(rd_kafka_commit_transaction(rk, -1), "commit", t);
		if (v == V_OK)
			return "committed";
		if (v == V_FATAL)
			return NULL;
		if (v == V_ABORT)
			break;
	}
	return abort_txn(rk, t) == 0 ? "aborted" : NULL;
}

static int begin_txn(rd_kafka_t *rk, int t)
{
	return judge(rd_kafka_begin_transaction(rk), "begin", t) == V_OK ? 0 : -1;
}

static int init_txns(rd_kafka_t *rk)
{
	for (int i = 0; i < RETRY_LIMIT; i++) {
		enum verdict v = judge(rd_kafka_init_transactions(rk, 30000), "init", -1);
		if (v == V_OK)
			return 0;
		if (v != V_RETRY)
			return -1;
	}
	return -1;
}

static int run_produce(const struct opts *o)
{
	FILE *log = fopen(o->log, "w");
	if (!log) {
		perror(o->log);
		return 2;
	}
	rd_kafka_t *rk = producer_new(o);
	int fatal = 0, ncommit = 0, nabort = 0, nunknown = 0;
	if (init_txns(rk) < 0) {
		fprintf(stderr, "init_transactions failed\n");
		fclose(log);
		return 1;
	}
	for (int t = 0; t < o->txns && !fatal; t++) {
		if (begin_txn(rk, t) < 0) {
			fatal = 1;
			break;
		}
		int produced_ok = 1;
		for (int i = 0; i < o->per && produced_ok; i++) {
			char v[64];
			snprintf(v, sizeof v, "t%d-m%d", t, i);
			produced_ok = produce_one(rk, o->topic, i % o->nparts, v) == 0;
		}
		int commit = produced_ok && !(o->every > 0 && t % o->every == o->every - 1);
		const char *r = end_txn(rk, t, commit);
		if (!r) {
			nunknown++;
			fatal = 1;
		} else if (!strcmp(r, "committed")) {
			ncommit++;
		} else {
			nabort++;
		}
		fprintf(log, "%d %d %s\n", t, o->per, r ? r : "unknown");
		fflush(log);
		if (o->delay_ms > 0)
			usleep((useconds_t)o->delay_ms * 1000);
	}
	fclose(log);
	printf("txns=%d committed=%d aborted=%d unknown=%d fatal=%d\n",
	       ncommit + nabort + nunknown, ncommit, nabort, nunknown, fatal);
	rd_kafka_destroy(rk);
	return fatal ? 1 : 0;
}

static int run_one(const struct opts *o)
{
	rd_kafka_t *rk = producer_new(o);
	if (init_txns(rk) < 0 || begin_txn(rk, 0) < 0)
		return 1;
	for (int i = 0; i < o->per; i++) {
		char v[128];
		snprintf(v, sizeof v, "%s-m%d", o->prefix, i);
		if (produce_one(rk, o->topic, o->part >= 0 ? o->part : i % o->nparts, v))
			return 1;
	}
	rd_kafka_flush(rk, 30000);
	printf("produced\n");
	fflush(stdout);
	const char *r = end_txn(rk, 0, !strcmp(o->end, "commit"));
	printf("result %s\n", r ? r : "unknown");
	rd_kafka_destroy(rk);
	return r ? 0 : 1;
}

static int run_hang(const struct opts *o)
{
	rd_kafka_t *rk = producer_new(o);
	if (init_txns(rk) < 0 || begin_txn(rk, 0) < 0)
		return 1;
	for (int i = 0; i < o->per; i++) {
		char v[128];
		snprintf(v, sizeof v, "%s-m%d", o->prefix, i);
		if (produce_one(rk, o->topic, o->part >= 0 ? o->part : 0, v))
			return 1;
	}
	if (rd_kafka_flush(rk, 30000)) {
		fprintf(stderr, "flush timed out\n");
		return 1;
	}
	printf("produced\n");
	fflush(stdout);
	for (int s = 0; s < o->sleep_s; s++) { /* -1: none */
		rd_kafka_poll(rk, 0);
		sleep(1);
	}
	rd_kafka_error_t *e = rd_kafka_commit_transaction(rk, 30000);
	if (!e) {
		printf("commit ok\n");
	} else {
		printf("commit failed: %s (fatal %d, abortable %d, retriable %d)\n",
		       rd_kafka_error_name(e), rd_kafka_error_is_fatal(e),
		       rd_kafka_error_txn_requires_abort(e), rd_kafka_error_is_retriable(e));
		rd_kafka_error_destroy(e);
	}
	rd_kafka_destroy(rk);
	return 0;
}

/* Calls fn(arg, value, len) for every value of the topic from the start of
 * each partition until every partition reached its end and idle_s passed
 * without a message (or 120 s in all). */
typedef void (*value_fn)(void *arg, const char *v, size_t len);

static int consume_all(const struct opts *o, const char *iso, int idle_s, value_fn fn,
		       void *arg)
{
	char err[512];
	rd_kafka_conf_t *c = rd_kafka_conf_new();
	if (rd_kafka_conf_set(c, "bootstrap.servers", o->bootstrap, err, sizeof err) ||
	    rd_kafka_conf_set(c, "isolation.level", iso, err, sizeof err) ||
	    rd_kafka_conf_set(c, "enable.partition.eof", "true", err, sizeof err))
		die_conf(err);
	rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, c, err, sizeof err);
	if (!rk)
		die_conf(err);
	rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, o->topic, NULL);
	rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
	for (int p = 0; p < o->nparts; p++)
		rd_kafka_consume_start_queue(rkt, p, RD_KAFKA_OFFSET_BEGINNING, q);
	time_t start = time(NULL), last = start;
	int eof[256] = { 0 }, neof = 0, rc = 0;
	while (time(NULL) - start < 120 && (neof < o->nparts || time(NULL) - last < idle_s)) {
		rd_kafka_message_t *m = rd_kafka_consume_queue(q, 200);
		if (!m)
			continue;
		if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
			if (m->partition >= 0 && m->partition < 256 && !eof[m->partition]++)
				neof++;
		} else if (m->err) {
			fprintf(stderr, "consume: %s\n", rd_kafka_message_errstr(m));
		} else {
			fn(arg, m->payload, m->len);
			last = time(NULL);
		}
		rd_kafka_message_destroy(m);
	}
	if (neof < o->nparts) {
		fprintf(stderr, "%s: only %d of %d partitions reached their end\n", iso, neof,
			o->nparts);
		rc = -1;
	}
	for (int p = 0; p < o->nparts; p++)
		rd_kafka_consume_stop(rkt, p);
	rd_kafka_queue_destroy(q);
	rd_kafka_topic_destroy(rkt);
	rd_kafka_destroy(rk);
	return rc;
}

static void print_value(void *arg, const char *v, size_t len)
{
	(void)arg;
	printf("%.*s\n", (int)len, v);
}

static int run_consume(const struct opts *o)
{
	int idle = o->sleep_s >= 0 ? o->sleep_s : 3;
	return consume_all(o, o->iso, idle, print_value, NULL) < 0 ? 1 : 0;
}

struct seen {
	int txns, per;
	unsigned short *count; /* [t * per + i] */
	long foreign;
};

static void count_value(void *arg, const char *v, size_t len)
{
	struct seen *s = arg;
	char buf[64];
	int t, i;
	char extra;
	if (len >= sizeof buf)
		len = sizeof buf - 1;
	memcpy(buf, v, len);
	buf[len] = 0;
	if (sscanf(buf, "t%d-m%d%c", &t, &i, &extra) != 2 || t < 0 || t >= s->txns || i < 0 ||
	    i >= s->per) {
		s->foreign++;
		return;
	}
	if (s->count[t * s->per + i] < 65535)
		s->count[t * s->per + i]++;
}

static int run_verify(const struct opts *o)
{
	FILE *f = fopen(o->log, "r");
	if (!f) {
		perror(o->log);
		return 2;
	}
	static char state[MAX_TXNS]; /* 'c' committed, 'a' aborted, 'u' unknown */
	int t, per, txns = 0, maxper = 0;
	char r[32];
	while (fscanf(f, "%d %d %31s", &t, &per, r) == 3)
		if (t >= 0 && t < MAX_TXNS && per > 0 && per <= MAX_PER) {
			state[t] = r[0];
			txns = t + 1 > txns ? t + 1 : txns;
			maxper = per > maxper ? per : maxper;
		}
	fclose(f);
	if (txns == 0) {
		fprintf(stderr, "verify: no transaction in %s\n", o->log);
		return 2;
	}
	struct seen rc = { txns, maxper, calloc((size_t)txns * maxper, 2), 0 };
	struct seen ru = { txns, maxper, calloc((size_t)txns * maxper, 2), 0 };
	if (!rc.count || !ru.count)
		return 2;
	int rc1 = consume_all(o, "read_committed", 3, count_value, &rc);
	int rc2 = consume_all(o, "read_uncommitted", 3, count_value, &ru);
	long acked = 0, dups = 0, lost = 0, aborted_seen = 0, ru_missing = 0, unknown = 0;
	long ncommit = 0, nabort = 0;
	for (t = 0; t < txns; t++) {
		ncommit += state[t] == 'c';
		nabort += state[t] == 'a';
		unknown += state[t] == 'u' || state[t] == 0;
		for (int i = 0; i < maxper; i++) {
			int c = rc.count[t * maxper + i], u = ru.count[t * maxper + i];
			if (state[t] == 'c') {
				acked++;
				lost += c == 0;
				dups += c > 1 ? c - 1 : 0;
				ru_missing += u == 0;
			} else if (state[t] == 'a') {
				aborted_seen += c > 0;
			}
		}
	}
	printf("txns=%d committed=%ld aborted=%ld unknown=%ld acknowledged=%ld duplicates=%ld "
	       "lost=%ld aborted_seen=%ld ru_missing=%ld foreign=%ld\n", txns, ncommit, nabort,
	       unknown, acked, dups, lost, aborted_seen, ru_missing, rc.foreign + ru.foreign);
	free(rc.count);
	free(ru.count);
	if (rc1 < 0 || rc2 < 0)
		return 2;
	return dups || lost || aborted_seen || ru_missing || rc.foreign ? 1 : 0;
}

static int parse(int argc, char **argv, struct opts *o)
{
	*o = (struct opts){ .every = 3, .nparts = 3, .timeout_ms = "60000", .iso =
			    "read_committed", .end = "commit", .prefix = "v", .part = -1,
			    .per = 1, .txns = 1, .sleep_s = -1 };
	if (argc < 2)
		return -1;
	o->cmd = argv[1];
	int c;
	optind = 2;
	while ((c = getopt(argc, argv, "b:t:i:n:m:o:a:T:v:c:p:P:I:s:l:d:")) != -1) {
		switch (c) {
		case 'b': o->bootstrap = optarg; break;
		case 't': o->topic = optarg; break;
		case 'i': o->txn_id = optarg; break;
		case 'n': o->txns = atoi(optarg); break;
		case 'm': o->per = atoi(optarg); break;
		case 'o': o->log = optarg; break;
		case 'a': o->every = atoi(optarg); break;
		case 'T': o->timeout_ms = optarg; break;
		case 'v': o->prefix = optarg; break;
		case 'c': o->end = optarg; break;
		case 'p': o->part = atoi(optarg); break;
		case 'P': o->nparts = atoi(optarg); break;
		case 'I': o->iso = optarg; break;
		case 's': o->sleep_s = atoi(optarg); break;
		case 'l': o->log = optarg; break;
		case 'd': o->delay_ms = atoi(optarg); break;
		default: return -1;
		}
	}
	if (!o->bootstrap || !o->topic || o->nparts < 1 || o->nparts > 256 || o->txns < 1 ||
	    o->txns > MAX_TXNS || o->per < 1 || o->per > MAX_PER || o->sleep_s < -1 ||
	    o->sleep_s > 3600 || o->delay_ms < 0 || o->delay_ms > 60000)
		return -1;
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o;
	if (parse(argc, argv, &o) < 0) {
		fprintf(stderr, "usage: see the header of drill_txn_client.c\n");
		return 2;
	}
	int need_id = strcmp(o.cmd, "consume") && strcmp(o.cmd, "verify");
	if (need_id && !o.txn_id) {
		fprintf(stderr, "-i TXNID needed\n");
		return 2;
	}
	if (!strcmp(o.cmd, "produce") && o.log)
		return run_produce(&o);
	if (!strcmp(o.cmd, "one"))
		return run_one(&o);
	if (!strcmp(o.cmd, "hang"))
		return run_hang(&o);
	if (!strcmp(o.cmd, "consume"))
		return run_consume(&o);
	if (!strcmp(o.cmd, "verify") && o.log)
		return run_verify(&o);
	fprintf(stderr, "unknown command or missing -o/-l\n");
	return 2;
}
