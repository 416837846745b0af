/* txn_client: librdkafka driver for the transaction tests (txn.sh).
 *   produce BOOTSTRAP TOPIC TXNS PER_TXN   transactional producer, aborts
 *       every third transaction; prints "commit T" / "abort T" per txn
 *   consume BOOTSTRAP TOPIC NPARTS ISOLATION   prints every value read from
 *       the start of each partition (isolation.level given) until idle 5 s
 *   zombie BOOTSTRAP TOPIC   two producers with one transactional.id: the
 *       older must be fenced; prints what happened
 * Exits non-zero on any unexpected error; every wait is bounded. With
 * CLIENT_CONFIG set (cluster.sh up --secure / --tls / --sasl), every
 * key=value line of that librdkafka properties file is applied too. */
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The security settings of CLIENT_CONFIG, if the environment names one. */
static void conf_from_client_config(rd_kafka_conf_t *c)
{
	const char *path = getenv("CLIENT_CONFIG");
	char line[1024], err[512];
	FILE *f = path && *path ? fopen(path, "r") : NULL;
	if (path && *path && !f) {
		fprintf(stderr, "CLIENT_CONFIG %s: cannot open\n", path);
		exit(2);
	}
	while (f && fgets(line, sizeof line, f)) {
		line[strcspn(line, "\r\n")] = 0;
		char *eq = strchr(line, '=');
		if (!eq || line[0] == '#' || strncmp(line, "bootstrap.servers", 17) == 0)
			continue;
		*eq = 0;
		if (rd_kafka_conf_set(c, line, eq + 1, err, sizeof err)) {
			fprintf(stderr, "CLIENT_CONFIG %s: %s\n", line, err);
			exit(2);
		}
	}
	if (f)
		fclose(f);
}

static rd_kafka_t *producer(const char *bootstrap, const char *txn_id)
{
	char err[512];
	rd_kafka_conf_t *c = rd_kafka_conf_new();
	if (rd_kafka_conf_set(c, "bootstrap.servers", bootstrap, err, sizeof err) ||
	    rd_kafka_conf_set(c, "transactional.id", txn_id, err, sizeof err) ||
	    rd_kafka_conf_set(c, "transaction.timeout.ms", "60000", err, sizeof err) ||
	    rd_kafka_conf_set(c, "message.timeout.ms", "60000", err, sizeof err)) {
		fprintf(stderr, "conf: %s\n", err);
		exit(2);
	}
	conf_from_client_config(c);
	rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, c, err, sizeof err);
	if (!rk) {
		fprintf(stderr, "producer: %s\n", err);
		exit(2);
	}
	return rk;
}

static int check(rd_kafka_error_t *e, const char *what)
{
	if (!e)
		return 0;
	fprintf(stderr, "%s: %s (fatal %d, abortable %d, retriable %d)\n", what,
		rd_kafka_error_string(e), rd_kafka_error_is_fatal(e),
		rd_kafka_error_txn_requires_abort(e), rd_kafka_error_is_retriable(e));
	rd_kafka_error_destroy(e);
	return -1;
}

static int produce_one(rd_kafka_t *rk, const char *topic, int32_t part, const char *val)
{
	rd_kafka_resp_err_t e = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic),
		RD_KAFKA_V_PARTITION(part), RD_KAFKA_V_VALUE((void *)val, strlen(val)),
		RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
	if (e)
		fprintf(stderr, "produce %s: %s\n", val, rd_kafka_err2str(e));
	return e ? -1 : 0;
}

static int run_produce(const char *bootstrap, const char *topic, int txns, int per)
{
	rd_kafka_t *rk = producer(bootstrap, "gregor-txn-test");
	if (check(rd_kafka_init_transactions(rk, 60000), "init_transactions"))
		return 1;
	for (int t = 0; t < txns; t++) {
		if (check(rd_kafka_begin_transaction(rk), "begin"))
			return 1;
		for (int i = 0; i < per; i++) {
			char v[64];
			snprintf(v, sizeof v, "t%d-m%d", t, i);
			if (produce_one(rk, topic, i % 3, v))
				return 1;
		}
		int abort = t % 3 == 2;
		/* abort_transaction purges unsent messages: flush first so the
		 * aborted data really is in the log */
		if (abort && rd_kafka_flush(rk, 60000)) {
			fprintf(stderr, "flush before abort timed out\n");
			return 1;
		}
		if (abort) {
			if (check(rd_kafka_abort_transaction(rk, 60000), "abort"))
				return 1;
		} else if (check(rd_kafka_commit_transaction(rk, 60000), "commit")) {
			return 1;
		}
		printf("%s %d\n", abort ? "abort" : "commit", t);
		fflush(stdout);
	}
	rd_kafka_destroy(rk);
	return 0;
}

static int run_consume(const char *bootstrap, const char *topic, int nparts, const char *iso)
{
	char err[512];
	rd_kafka_conf_t *c = rd_kafka_conf_new();
	if (rd_kafka_conf_set(c, "bootstrap.servers", bootstrap, err, sizeof err) ||
	    rd_kafka_conf_set(c, "isolation.level", iso, err, sizeof err) ||
	    rd_kafka_conf_set(c, "enable.partition.eof", "true", err, sizeof err)) {
		fprintf(stderr, "conf: %s\n", err);
		return 2;
	}
	conf_from_client_config(c);
	rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, c, err, sizeof err);
	if (!rk)
		return 2;
	rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
	rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
	for (int p = 0; p < nparts; p++)
		rd_kafka_consume_start_queue(rkt, p, RD_KAFKA_OFFSET_BEGINNING, q);
	time_t last = time(NULL), start = last;
	int eofs = 0;
	while (time(NULL) - last < 5 && time(NULL) - start < 120) {
		rd_kafka_message_t *m = rd_kafka_consume_queue(q, 500);
		if (!m)
			continue;
		if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
			eofs++;
		} else if (m->err) {
			fprintf(stderr, "consume: %s\n", rd_kafka_message_errstr(m));
		} else {
			printf("%.*s\n", (int)m->len, (const char *)m->payload);
			last = time(NULL);
		}
		rd_kafka_message_destroy(m);
	}
	for (int p = 0; p < nparts; p++)
		rd_kafka_consume_stop(rkt, p);
	rd_kafka_queue_destroy(q);
	rd_kafka_topic_destroy(rkt);
	rd_kafka_destroy(rk);
	fprintf(stderr, "eofs %d\n", eofs);
	return 0;
}

static int run_zombie(const char *bootstrap, const char *topic)
{
	rd_kafka_t *old = producer(bootstrap, "gregor-txn-zombie");
	if (check(rd_kafka_init_transactions(old, 60000), "old init") ||
	    check(rd_kafka_begin_transaction(old), "old begin") ||
	    produce_one(old, topic, 0, "zombie-1"))
		return 1;
	rd_kafka_flush(old, 30000);
	rd_kafka_t *young = producer(bootstrap, "gregor-txn-zombie");
	if (check(rd_kafka_init_transactions(young, 60000), "young init"))
		return 1;
	printf("young initialised\n");
	/* the old one is fenced now: its writes and its commit must fail */
	produce_one(old, topic, 0, "zombie-2");
	rd_kafka_flush(old, 30000);
	rd_kafka_error_t *e = rd_kafka_commit_transaction(old, 30000);
	if (!e) {
		printf("old commit SUCCEEDED\n");
		return 1;
	}
	printf("old commit failed: %s (fatal %d)\n", rd_kafka_error_string(e),
	       rd_kafka_error_is_fatal(e));
	rd_kafka_error_destroy(e);
	if (check(rd_kafka_begin_transaction(young), "young begin") ||
	    produce_one(young, topic, 0, "young-1") ||
	    check(rd_kafka_commit_transaction(young, 60000), "young commit"))
		return 1;
	printf("young committed\n");
	rd_kafka_destroy(young);
	rd_kafka_destroy(old);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 6 && !strcmp(argv[1], "produce"))
		return run_produce(argv[2], argv[3], atoi(argv[4]), atoi(argv[5]));
	if (argc >= 6 && !strcmp(argv[1], "consume"))
		return run_consume(argv[2], argv[3], atoi(argv[4]), argv[5]);
	if (argc >= 4 && !strcmp(argv[1], "zombie"))
		return run_zombie(argv[2], argv[3]);
	fprintf(stderr, "usage: see the header of txn_client.c\n");
	return 2;
}
