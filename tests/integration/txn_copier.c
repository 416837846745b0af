/* txn_copier: librdkafka driver for the consume-transform-produce test
 * (txn_copier.sh), exercising TxnOffsetCommit via send_offsets_to_transaction.
 *   produce BOOTSTRAP TOPIC NPARTS N   idempotent producer: "in-%07d", 0..N-1,
 *       message i to partition i % NPARTS; exits 0 once all are delivered
 *   copy BOOTSTRAP IN OUT NPARTS GROUP TXNID MAX_S   transactional copier:
 *       group consumer (read_committed, no auto commit); per batch of up to
 *       500: begin, produce "out-<value>" to OUT (same partition), send the
 *       consumer's positions, commit. Prints "copied TOTAL" after each
 *       commit (TOTAL: this run). Exits 0 once every IN partition is
 *       assigned to it and its committed offset is the high watermark,
 *       1 after MAX_S seconds, 3 on a fatal error.
 *   consume BOOTSTRAP TOPIC NPARTS N   read_committed from the start of every
 *       partition; prints every value until N read or idle 10 s.
 * Every wait is bounded. */
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BATCH 500

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void conf_set(rd_kafka_conf_t *c, const char *k, const char *v)
{
	char err[512];
	if (rd_kafka_conf_set(c, k, v, err, sizeof err) != RD_KAFKA_CONF_OK) {
		fprintf(stderr, "conf %s: %s\n", k, err);
		exit(2);
	}
}

static rd_kafka_t *client(rd_kafka_type_t type, rd_kafka_conf_t *c)
{
	char err[512];
	rd_kafka_t *rk = rd_kafka_new(type, c, err, sizeof err);
	if (!rk) {
		fprintf(stderr, "rd_kafka_new: %s\n", err);
		exit(2);
	}
	return rk;
}

/* ---- produce ---- */

static int delivered, failed;

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
	(void)rk;
	(void)opaque;
	if (m->err) {
		if (failed++ < 5)
			fprintf(stderr, "delivery: %s\n", rd_kafka_err2str(m->err));
	} else {
		delivered++;
	}
}

static int run_produce(const char *bootstrap, const char *topic, int nparts, int n)
{
	rd_kafka_conf_t *c = rd_kafka_conf_new();
	conf_set(c, "bootstrap.servers", bootstrap);
	conf_set(c, "enable.idempotence", "true");
	conf_set(c, "linger.ms", "20");
	conf_set(c, "message.timeout.ms", "120000");
	rd_kafka_conf_set_dr_msg_cb(c, on_delivery);
	rd_kafka_t *rk = client(RD_KAFKA_PRODUCER, c);
	double deadline = now_s() + 180;
	char val[32];
	for (int i = 0; i < n && now_s() < deadline;) {
		snprintf(val, sizeof val, "in-%07d", i);
		rd_kafka_resp_err_t e = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic),
			RD_KAFKA_V_PARTITION(i % nparts), RD_KAFKA_V_VALUE(val, strlen(val)),
			RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
		if (e == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
			rd_kafka_poll(rk, 50);
			continue;
		}
		if (e) {
			fprintf(stderr, "produce: %s\n", rd_kafka_err2str(e));
			break;
		}
		rd_kafka_poll(rk, 0);
		i++;
	}
	rd_kafka_flush(rk, 120000);
	rd_kafka_destroy(rk);
	printf("delivered %d failed %d\n", delivered, failed);
	return delivered == n && !failed ? 0 : 1;
}

/* ---- copy ---- */

struct copier {
	rd_kafka_t *p, *c;
	const char *in, *out;
	int nparts;
	long copied;
};

static int err_report(rd_kafka_error_t *e, const char *what)
{
	fprintf(stderr, "%s: %s (fatal %d, abortable %d, retriable %d)\n", what,
		rd_kafka_error_string(e), rd_kafka_error_is_fatal(e),
		rd_kafka_error_txn_requires_abort(e), rd_kafka_error_is_retriable(e));
	int rc = rd_kafka_error_is_fatal(e) ? 3 : rd_kafka_error_txn_requires_abort(e) ? 2 : 1;
	rd_kafka_error_destroy(e);
	return rc;
}

/* After an abort: back to the committed offsets (the beginning where none). */
static void rewind_to_committed(struct copier *cp)
{
	rd_kafka_topic_partition_list_t *a = NULL;
	if (rd_kafka_assignment(cp->c, &a) || !a)
		return;
	if (a->cnt && !rd_kafka_committed(cp->c, a, 15000)) {
		for (int i = 0; i < a->cnt; i++)
			if (a->elems[i].offset < 0)
				a->elems[i].offset = RD_KAFKA_OFFSET_BEGINNING;
		rd_kafka_error_t *e = rd_kafka_seek_partitions(cp->c, a, 15000);
		if (e)
			err_report(e, "seek");
	}
	rd_kafka_topic_partition_list_destroy(a);
}

/* Runs one transactional call, retrying retriable errors up to 10 times;
 * rc gets 0 or the err_report class of the last error. */
#define TXN_CALL(rc, what, call)                                               \
	do {                                                                   \
		for (int try_ = 0; try_ < 10; try_++) {                        \
			rd_kafka_error_t *e_ = (call);                         \
			if (!e_) {                                             \
				(rc) = 0;                                      \
				break;                                         \
			}                                                      \
			int retry_ = rd_kafka_error_is_retriable(e_);          \
			(rc) = err_report(e_, what);                           \
			if (!retry_)                                           \
				break;                                         \
		}                                                              \
	} while (0)

static int send_positions(struct copier *cp)
{
	rd_kafka_topic_partition_list_t *a = NULL;
	if (rd_kafka_assignment(cp->c, &a) || !a)
		return 2;
	rd_kafka_position(cp->c, a);
	rd_kafka_topic_partition_list_t *pos = rd_kafka_topic_partition_list_new(a->cnt);
	for (int i = 0; i < a->cnt; i++)
		if (a->elems[i].offset >= 0)
			rd_kafka_topic_partition_list_add(pos, a->elems[i].topic,
							  a->elems[i].partition)->offset = a->elems[i].offset;
	rd_kafka_consumer_group_metadata_t *md = rd_kafka_consumer_group_metadata(cp->c);
	int rc = 0;
	TXN_CALL(rc, "send_offsets_to_transaction",
		 rd_kafka_send_offsets_to_transaction(cp->p, pos, md, 30000));
	rd_kafka_consumer_group_metadata_destroy(md);
	rd_kafka_topic_partition_list_destroy(pos);
	rd_kafka_topic_partition_list_destroy(a);
	return rc;
}

/* One transaction over msgs[0..n); 0 committed, 2 aborted, 3 fatal. */
static int copy_batch(struct copier *cp, rd_kafka_message_t **msgs, int n)
{
	int rc = 0;
	TXN_CALL(rc, "begin_transaction", rd_kafka_begin_transaction(cp->p));
	if (rc)
		return 3;
	char val[64];
	for (int i = 0; i < n && !rc; i++) {
		int len = snprintf(val, sizeof val, "out-%.*s", (int)msgs[i]->len,
				   (const char *)msgs[i]->payload);
		rd_kafka_resp_err_t e;
		while ((e = rd_kafka_producev(cp->p, RD_KAFKA_V_TOPIC(cp->out),
				RD_KAFKA_V_PARTITION(msgs[i]->partition),
				RD_KAFKA_V_VALUE(val, (size_t)len),
				RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END)) ==
		       RD_KAFKA_RESP_ERR__QUEUE_FULL)
			rd_kafka_poll(cp->p, 50);
		if (e) {
			fprintf(stderr, "produce: %s\n", rd_kafka_err2str(e));
			rc = 2;
		}
	}
	if (!rc)
		rc = send_positions(cp);
	if (!rc)
		TXN_CALL(rc, "commit_transaction", rd_kafka_commit_transaction(cp->p, 60000));
	if (rc == 3)
		return 3;
	if (rc) {
		int arc = 0;
		TXN_CALL(arc, "abort_transaction", rd_kafka_abort_transaction(cp->p, 60000));
		if (arc)
			return 3;
		rewind_to_committed(cp);
		fprintf(stderr, "aborted a transaction of %d messages; rewound\n", n);
		return 2;
	}
	cp->copied += n;
	printf("copied %ld\n", cp->copied);
	fflush(stdout);
	return 0;
}

/* Every IN partition assigned here and committed at its high watermark. */
static int caught_up(struct copier *cp)
{
	rd_kafka_topic_partition_list_t *a = NULL;
	int done = 0;
	if (rd_kafka_assignment(cp->c, &a) || !a)
		return 0;
	if (a->cnt == cp->nparts && !rd_kafka_committed(cp->c, a, 10000)) {
		done = 1;
		for (int i = 0; i < a->cnt && done; i++) {
			int64_t lo, hi;
			if (rd_kafka_query_watermark_offsets(cp->c, a->elems[i].topic,
							     a->elems[i].partition, &lo, &hi, 10000) ||
			    a->elems[i].err || a->elems[i].offset != hi)
				done = 0;
		}
	}
	rd_kafka_topic_partition_list_destroy(a);
	return done;
}

static void copier_open(struct copier *cp, const char *bootstrap, const char *group,
			const char *txnid)
{
	rd_kafka_conf_t *pc = rd_kafka_conf_new();
	conf_set(pc, "bootstrap.servers", bootstrap);
	conf_set(pc, "transactional.id", txnid);
	conf_set(pc, "transaction.timeout.ms", "60000");
	conf_set(pc, "message.timeout.ms", "60000");
	cp->p = client(RD_KAFKA_PRODUCER, pc);
	rd_kafka_conf_t *cc = rd_kafka_conf_new();
	conf_set(cc, "bootstrap.servers", bootstrap);
	conf_set(cc, "group.id", group);
	conf_set(cc, "enable.auto.commit", "false");
	conf_set(cc, "isolation.level", "read_committed");
	conf_set(cc, "auto.offset.reset", "earliest");
	conf_set(cc, "session.timeout.ms", "6000");
	cp->c = client(RD_KAFKA_CONSUMER, cc);
	rd_kafka_poll_set_consumer(cp->c);
}

/* Up to BATCH messages: polls until BATCH or 300 ms without one. */
static int collect(struct copier *cp, rd_kafka_message_t **msgs)
{
	int n = 0;
	double idle_until = now_s() + 0.3;
	while (n < BATCH && now_s() < idle_until) {
		rd_kafka_message_t *m = rd_kafka_consumer_poll(cp->c, 100);
		if (!m)
			continue;
		if (m->err) {
			if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
				fprintf(stderr, "consume: %s\n", rd_kafka_message_errstr(m));
			rd_kafka_message_destroy(m);
			continue;
		}
		msgs[n++] = m;
		idle_until = now_s() + 0.3;
	}
	return n;
}

static int run_copy(const char *bootstrap, const char *in, const char *out, int nparts,
		    const char *group, const char *txnid, int max_s)
{
	struct copier cp = { .in = in, .out = out, .nparts = nparts };
	double deadline = now_s() + max_s;
	copier_open(&cp, bootstrap, group, txnid);
	rd_kafka_error_t *e = rd_kafka_init_transactions(cp.p, 60000);
	if (e)
		return err_report(e, "init_transactions") == 3 ? 3 : 1;
	rd_kafka_topic_partition_list_t *sub = rd_kafka_topic_partition_list_new(1);
	rd_kafka_topic_partition_list_add(sub, in, RD_KAFKA_PARTITION_UA);
	rd_kafka_resp_err_t se = rd_kafka_subscribe(cp.c, sub);
	rd_kafka_topic_partition_list_destroy(sub);
	if (se) {
		fprintf(stderr, "subscribe: %s\n", rd_kafka_err2str(se));
		return 1;
	}
	static rd_kafka_message_t *msgs[BATCH];
	int rc = 1;
	double next_check = 0;
	while (now_s() < deadline) {
		int n = collect(&cp, msgs);
		int r = n ? copy_batch(&cp, msgs, n) : 0;
		for (int i = 0; i < n; i++)
			rd_kafka_message_destroy(msgs[i]);
		if (r == 3) {
			rc = 3;
			break;
		}
		if (!n && now_s() >= next_check) {
			next_check = now_s() + 1;
			if (caught_up(&cp)) {
				rc = 0;
				break;
			}
		}
	}
	fprintf(stderr, "copier: %ld copied, exit %d\n", cp.copied, rc);
	rd_kafka_consumer_close(cp.c);
	rd_kafka_destroy(cp.c);
	rd_kafka_destroy(cp.p);
	return rc;
}

/* ---- consume ---- */

static int run_consume(const char *bootstrap, const char *topic, int nparts, long want)
{
	rd_kafka_conf_t *c = rd_kafka_conf_new();
	conf_set(c, "bootstrap.servers", bootstrap);
	conf_set(c, "isolation.level", "read_committed");
	/* assign() only, never joined or committed: the group id is a formality */
	conf_set(c, "group.id", "txn-copier-verify");
	conf_set(c, "enable.auto.commit", "false");
	rd_kafka_t *rk = client(RD_KAFKA_CONSUMER, c);
	rd_kafka_poll_set_consumer(rk);
	rd_kafka_topic_partition_list_t *a = rd_kafka_topic_partition_list_new(nparts);
	for (int p = 0; p < nparts; p++)
		rd_kafka_topic_partition_list_add(a, topic, p)->offset = RD_KAFKA_OFFSET_BEGINNING;
	rd_kafka_assign(rk, a);
	rd_kafka_topic_partition_list_destroy(a);
	long n = 0;
	double deadline = now_s() + 150, idle_until = now_s() + 20;
	while (n < want && now_s() < deadline && now_s() < idle_until) {
		rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 200);
		if (!m)
			continue;
		if (!m->err) {
			printf("%.*s\n", (int)m->len, (const char *)m->payload);
			n++;
			idle_until = now_s() + 10;
		} else if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
			fprintf(stderr, "consume: %s\n", rd_kafka_message_errstr(m));
		}
		rd_kafka_message_destroy(m);
	}
	/* a few more seconds: duplicates past the expected count must show */
	for (double end = now_s() + 3; now_s() < end;) {
		rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 200);
		if (m && !m->err)
			printf("%.*s\n", (int)m->len, (const char *)m->payload);
		if (m)
			rd_kafka_message_destroy(m);
	}
	rd_kafka_consumer_close(rk);
	rd_kafka_destroy(rk);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 6 && !strcmp(argv[1], "produce"))
		return run_produce(argv[2], argv[3], atoi(argv[4]), atoi(argv[5]));
	if (argc == 9 && !strcmp(argv[1], "copy"))
		return run_copy(argv[2], argv[3], argv[4], atoi(argv[5]), argv[6], argv[7],
				atoi(argv[8]));
	if (argc == 6 && !strcmp(argv[1], "consume"))
		return run_consume(argv[2], argv[3], atoi(argv[4]), atol(argv[5]));
	fprintf(stderr, "usage: see the header of txn_copier.c\n");
	return 2;
}
