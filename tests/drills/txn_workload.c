/* txn_workload: the processes of the transactional checker's workload
 * (tests/drills/txn_check.sh), librdkafka. Each writes its history, one
 * flushed line per event, to LOG (format: tests/drills/txn_history.py), so
 * that a SIGKILL loses nothing already written.
 *   produce -b B -t TOPIC -P NPARTS -i TXNID -g GEN -o LOG -s STOPFILE
 *           [-a ABORT_PERCENT] [-T TXN_TIMEOUT_MS] [-S SEED]
 *       transactions until STOPFILE exists, each writing 1-3 unique values
 *       to each of 2-4 random partitions; ABORT_PERCENT (20) are aborted on
 *       purpose. Values are TXNID.G.N.PART.K, transactions TXNID.G.N, with
 *       G = GEN*100 + the producer instance (a fatal error starts a new one).
 *   consume -b B -t TOPIC -P NPARTS -I ISOLATION -n NAME -o LOG -s STOPFILE
 *           [-d DEADLINE_S]
 *       reads every partition from the start; once STOPFILE exists, stops
 *       when every partition reached its end (LSO for read_committed), or
 *       at the deadline (default 120 s after STOPFILE).
 *   lso -b B -t TOPIC -P NPARTS -o LOG -s STOPFILE [-w WAIT_S]
 *       samples each partition's LSO and HW every 500 ms; after STOPFILE,
 *       until every LSO equals its HW or WAIT_S (default 90) passed.
 * Error handling follows librdkafka's transactional API: retriable -> call
 * again (bounded), abortable -> abort, fatal -> exit 3. Every wait is
 * bounded. */
#include <librdkafka/rdkafka.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define MAX_PARTS 64
#define RETRIES 20
#define OP_TIMEOUT_MS 30000

static FILE *hist;

static long long wall_ms(void)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	return (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static void emit(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfprintf(hist, fmt, ap);
	va_end(ap);
	fputc('\n', hist);
	fflush(hist);
}

static int exists(const char *path)
{
	return access(path, F_OK) == 0;
}

static void conf_set(rd_kafka_conf_t *c, const char *k, const char *v)
{
	char err[512];
	if (rd_kafka_conf_set(c, k, v, err, sizeof err) != RD_KAFKA_CONF_OK) {
		fprintf(stderr, "txn_workload: %s=%s: %s\n", k, v, err);
		exit(2);
	}
}

static rd_kafka_t *client(rd_kafka_type_t type, rd_kafka_conf_t *c)
{
	char err[512];
	rd_kafka_t *rk = rd_kafka_new(type, c, err, sizeof err);
	if (!rk) {
		fprintf(stderr, "txn_workload: %s\n", err);
		exit(2);
	}
	return rk;
}

struct opts {
	const char *bootstrap, *topic, *txnid, *log, *stop, *isolation, *name;
	int nparts, gen, abort_pct, txn_timeout_ms, deadline_s, wait_s;
	unsigned seed;
};

/* ---- produce ---- */

/* A value is TXN.PART.K: its transaction is all before the last two dots
 * (delivery reports may come after the next transaction began). */
static int txn_len(const char *v, int len)
{
	int dots = 0;
	for (int i = len - 1; i >= 0; i--)
		if (v[i] == '.' && ++dots == 2)
			return i;
	return len;
}

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
	(void)rk;
	(void)opaque;
	const char *v = m->payload;
	int len = (int)m->len, tl = txn_len(v, len);
	if (m->err)
		emit("X %.*s %d %.*s", tl, v, m->partition, len, v);
	else
		emit("W %.*s %d %lld %.*s", tl, v, m->partition, (long long)m->offset, len, v);
}

/* Returns 0 done, 1 abortable (abort it), 3 fatal; retries retriable. */
static int txn_call(rd_kafka_error_t *(*fn)(rd_kafka_t *, int), rd_kafka_t *rk, const char *what)
{
	for (int i = 0; i < RETRIES; i++) {
		rd_kafka_error_t *e = fn(rk, OP_TIMEOUT_MS);
		if (!e)
			return 0;
		int fatal = rd_kafka_error_is_fatal(e), abortable = rd_kafka_error_txn_requires_abort(e),
		    retriable = rd_kafka_error_is_retriable(e);
		fprintf(stderr, "txn_workload: %s: %s\n", what, rd_kafka_error_string(e));
		rd_kafka_error_destroy(e);
		if (fatal)
			return 3;
		if (abortable)
			return 1;
		if (!retriable)
			return 1;
		usleep(200000);
	}
	return 1;
}

static rd_kafka_error_t *commit_fn(rd_kafka_t *rk, int ms)
{
	return rd_kafka_commit_transaction(rk, ms);
}

static rd_kafka_error_t *abort_fn(rd_kafka_t *rk, int ms)
{
	return rd_kafka_abort_transaction(rk, ms);
}

static rd_kafka_error_t *init_fn(rd_kafka_t *rk, int ms)
{
	return rd_kafka_init_transactions(rk, ms);
}

/* Aborts the current transaction; A on success, U if even that fails. */
static int do_abort(rd_kafka_t *rk, const char *txn)
{
	emit("E %s abort %lld", txn, wall_ms());
	int r = txn_call(abort_fn, rk, "abort_transaction");
	if (r == 0)
		emit("A %s %lld", txn, wall_ms());
	else
		emit("U %s", txn);
	return r;
}

static int one_txn(rd_kafka_t *rk, const struct opts *o, long n)
{
	static char txn[256];
	snprintf(txn, sizeof txn, "%s.%d.%ld", o->txnid, o->gen, n);
	rd_kafka_error_t *e = rd_kafka_begin_transaction(rk);
	if (e) {
		fprintf(stderr, "txn_workload: begin: %s\n", rd_kafka_error_string(e));
		int fatal = rd_kafka_error_is_fatal(e);
		rd_kafka_error_destroy(e);
		return fatal ? 3 : 1;
	}
	emit("B %s %lld", txn, wall_ms());
	int chosen[MAX_PARTS] = { 0 };
	int k = 2 + (int)(rand_r((unsigned *)&o->seed) % 3);
	if (k > o->nparts)
		k = o->nparts;
	for (int c = 0; c < k;) {
		int p = (int)(rand_r((unsigned *)&o->seed) % (unsigned)o->nparts);
		if (chosen[p])
			continue;
		chosen[p] = 1;
		c++;
		int m = 1 + (int)(rand_r((unsigned *)&o->seed) % 3);
		for (int i = 0; i < m; i++) {
			char v[300];
			int len = snprintf(v, sizeof v, "%s.%d.%d", txn, p, i);
			rd_kafka_resp_err_t err = rd_kafka_producev(
				rk, RD_KAFKA_V_TOPIC(o->topic), RD_KAFKA_V_PARTITION(p),
				RD_KAFKA_V_VALUE(v, (size_t)len), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
				RD_KAFKA_V_END);
			if (err) {
				fprintf(stderr, "txn_workload: produce: %s\n", rd_kafka_err2str(err));
				emit("X %s %d %s", txn, p, v);
				return do_abort(rk, txn) == 3 ? 3 : 1;
			}
		}
	}
	int abort = (int)(rand_r((unsigned *)&o->seed) % 100) < o->abort_pct;
	/* An abort on purpose comes after the writes are acknowledged:
	 * librdkafka 2.0.2 makes an EndTxn(abort) that races its own
	 * unanswered AddPartitionsToTxn a fatal error (its issue #4849), with
	 * any broker; that client bug is not what this workload is after. */
	if (abort && rd_kafka_flush(rk, OP_TIMEOUT_MS) == RD_KAFKA_RESP_ERR_NO_ERROR)
		return do_abort(rk, txn) == 3 ? 3 : 0;
	if (abort)
		return do_abort(rk, txn) == 3 ? 3 : 1;
	emit("E %s commit %lld", txn, wall_ms());
	int r = txn_call(commit_fn, rk, "commit_transaction");
	rd_kafka_poll(rk, 0); /* delivery reports first: W lines before C */
	if (r == 0) {
		emit("C %s %lld", txn, wall_ms());
		return 0;
	}
	if (r == 3) {
		emit("U %s", txn);
		return 3;
	}
	return do_abort(rk, txn) == 3 ? 3 : 1;
}

static rd_kafka_t *txn_producer(const struct opts *o)
{
	char buf[32];
	rd_kafka_conf_t *c = rd_kafka_conf_new();
	conf_set(c, "bootstrap.servers", o->bootstrap);
	conf_set(c, "transactional.id", o->txnid);
	snprintf(buf, sizeof buf, "%d", o->txn_timeout_ms);
	conf_set(c, "transaction.timeout.ms", buf);
	conf_set(c, "message.timeout.ms", buf);
	conf_set(c, "linger.ms", "2");
	rd_kafka_conf_set_dr_msg_cb(c, on_delivery);
	return client(RD_KAFKA_PRODUCER, c);
}

/* A fatal error (fenced after a coordinator timed the transaction out...)
 * ends a producer instance; like an application would, a new instance
 * with the same transactional.id takes over (generation GEN*100 + k, so
 * values stay unique), at most MAX_INSTANCES times. */
#define MAX_INSTANCES 50

static int run_produce(struct opts *o)
{
	int base = o->gen, rc = 0;
	for (int k = 0; k < MAX_INSTANCES && !exists(o->stop); k++) {
		o->gen = base * 100 + k;
		rd_kafka_t *rk = txn_producer(o);
		rc = txn_call(init_fn, rk, "init_transactions");
		for (long n = 0; rc == 0 && !exists(o->stop);) {
			rc = one_txn(rk, o, n++);
			rc = rc == 3 ? 3 : 0;
		}
		rd_kafka_flush(rk, 10000);
		rd_kafka_destroy(rk);
		if (rc == 3)
			fprintf(stderr, "txn_workload: fatal: a new producer instance takes over\n");
		else if (rc)
			usleep(500000); /* init failed: try again shortly */
	}
	return rc == 3 ? 3 : 0;
}

/* ---- consume ---- */

static int caught_up(rd_kafka_t *rk, const struct opts *o, const int64_t *pos, int *ended)
{
	int all = 1;
	for (int p = 0; p < o->nparts; p++) {
		int64_t lo, hi;
		if (rd_kafka_query_watermark_offsets(rk, o->topic, p, &lo, &hi, 5000)) {
			all = 0;
			continue;
		}
		/* read_committed: hi is the LSO; position may sit past markers */
		if (pos[p] >= hi) {
			if (!ended[p])
				emit("F %d %lld", p, (long long)pos[p]);
			ended[p] = 1;
		} else {
			all = 0;
		}
	}
	return all;
}

static int run_consume(struct opts *o)
{
	rd_kafka_conf_t *c = rd_kafka_conf_new();
	conf_set(c, "bootstrap.servers", o->bootstrap);
	conf_set(c, "group.id", o->name); /* unused: partitions are assigned */
	conf_set(c, "isolation.level", o->isolation);
	conf_set(c, "enable.auto.commit", "false");
	conf_set(c, "enable.partition.eof", "false");
	rd_kafka_t *rk = client(RD_KAFKA_CONSUMER, c);
	rd_kafka_poll_set_consumer(rk);
	rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(o->nparts);
	for (int p = 0; p < o->nparts; p++)
		rd_kafka_topic_partition_list_add(l, o->topic, p)->offset = RD_KAFKA_OFFSET_BEGINNING;
	rd_kafka_assign(rk, l);
	rd_kafka_topic_partition_list_destroy(l);
	emit("I %s %s", o->isolation, o->name);
	int64_t pos[MAX_PARTS] = { 0 };
	int ended[MAX_PARTS] = { 0 };
	double stop_at = 0, next_check = 0;
	for (;;) {
		rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 200);
		if (m) {
			if (!m->err && m->partition >= 0 && m->partition < o->nparts) {
				emit("R %d %lld %.*s %lld", m->partition, (long long)m->offset, (int)m->len,
				     (const char *)m->payload, wall_ms());
				pos[m->partition] = m->offset + 1;
			} else if (m->err) {
				fprintf(stderr, "txn_workload: consume: %s\n", rd_kafka_message_errstr(m));
			}
			rd_kafka_message_destroy(m);
			continue;
		}
		double now = (double)wall_ms() / 1000.0;
		if (!stop_at && exists(o->stop))
			stop_at = now + o->deadline_s;
		if (stop_at && now >= next_check) {
			next_check = now + 1;
			/* positions count markers too: take the consumer's own */
			rd_kafka_topic_partition_list_t *q = rd_kafka_topic_partition_list_new(o->nparts);
			for (int p = 0; p < o->nparts; p++)
				rd_kafka_topic_partition_list_add(q, o->topic, p);
			if (!rd_kafka_position(rk, q))
				for (int i = 0; i < q->cnt; i++)
					if (q->elems[i].offset > pos[q->elems[i].partition])
						pos[q->elems[i].partition] = q->elems[i].offset;
			rd_kafka_topic_partition_list_destroy(q);
			if (caught_up(rk, o, pos, ended) || now >= stop_at)
				break;
		}
	}
	rd_kafka_consumer_close(rk);
	rd_kafka_destroy(rk);
	return 0;
}

/* ---- LSO samples ---- */

static rd_kafka_t *watcher(const struct opts *o, const char *isolation)
{
	rd_kafka_conf_t *c = rd_kafka_conf_new();
	conf_set(c, "bootstrap.servers", o->bootstrap);
	conf_set(c, "group.id", "txn-workload-lso");
	conf_set(c, "isolation.level", isolation);
	return client(RD_KAFKA_CONSUMER, c);
}

static int run_lso(struct opts *o)
{
	rd_kafka_t *rc = watcher(o, "read_committed"), *ru = watcher(o, "read_uncommitted");
	double stop_at = 0;
	for (;;) {
		int settled = 1;
		for (int p = 0; p < o->nparts; p++) {
			int64_t lo, lso, hw;
			if (rd_kafka_query_watermark_offsets(rc, o->topic, p, &lo, &lso, 5000) ||
			    rd_kafka_query_watermark_offsets(ru, o->topic, p, &lo, &hw, 5000)) {
				settled = 0;
				continue;
			}
			emit("L %d %lld %lld %lld", p, (long long)lso, (long long)hw, wall_ms());
			settled &= lso >= hw;
		}
		double now = (double)wall_ms() / 1000.0;
		if (!stop_at && exists(o->stop))
			stop_at = now + o->wait_s;
		if (stop_at && (settled || now >= stop_at))
			break;
		usleep(500000);
	}
	rd_kafka_destroy(rc);
	rd_kafka_destroy(ru);
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: txn_workload produce|consume|lso -b B -t TOPIC -P NPARTS -o LOG "
			"-s STOPFILE [options] (see the source's header)\n");
	exit(2);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		usage();
	const char *mode = argv[1];
	struct opts o = { .abort_pct = 20, .txn_timeout_ms = 10000, .deadline_s = 120,
			  .wait_s = 90, .isolation = "read_committed", .name = "c",
			  .seed = (unsigned)getpid() };
	int ch;
	optind = 2;
	while ((ch = getopt(argc, argv, "b:t:P:i:g:o:s:a:T:S:I:n:d:w:")) != -1) {
		switch (ch) {
		case 'b': o.bootstrap = optarg; break;
		case 't': o.topic = optarg; break;
		case 'P': o.nparts = atoi(optarg); break;
		case 'i': o.txnid = optarg; break;
		case 'g': o.gen = atoi(optarg); break;
		case 'o': o.log = optarg; break;
		case 's': o.stop = optarg; break;
		case 'a': o.abort_pct = atoi(optarg); break;
		case 'T': o.txn_timeout_ms = atoi(optarg); break;
		case 'S': o.seed = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'I': o.isolation = optarg; break;
		case 'n': o.name = optarg; break;
		case 'd': o.deadline_s = atoi(optarg); break;
		case 'w': o.wait_s = atoi(optarg); break;
		default: usage();
		}
	}
	if (!o.bootstrap || !o.topic || !o.log || !o.stop || o.nparts < 1 || o.nparts > MAX_PARTS)
		usage();
	if (!(hist = fopen(o.log, "a"))) {
		perror(o.log);
		return 2;
	}
	if (strcmp(mode, "produce") == 0 && o.txnid)
		return run_produce(&o);
	if (strcmp(mode, "consume") == 0)
		return run_consume(&o);
	if (strcmp(mode, "lso") == 0)
		return run_lso(&o);
	usage();
	return 2;
}
