/*
 * txn_bench: transactional producer throughput through librdkafka.
 *   txn_bench BOOTSTRAP TOPIC PARTITIONS TXNS PER_TXN SIZE [idempotent]
 * One producer runs TXNS transactions back to back, each writing PER_TXN
 * messages of SIZE bytes spread round-robin over PARTITIONS partitions (so
 * every transaction adds, and has verified, every partition), and commits
 * each. Prints transactions/s, messages/s and the mean commit latency.
 * With "idempotent", the same messages through an idempotent producer
 * without transactions (the baseline transactions are compared with).
 * Both modes first warm up, untimed (one transaction, or one flushed
 * message, per partition): the client's first use of the topic waits for its
 * metadata and connections (close to a second with librdkafka's timers),
 * which is startup, not the throughput measured.
 * TXN_BENCH_DEBUG in the environment sets librdkafka's "debug" (its log
 * goes to stderr; tests/bench/txn_path.sh reads it).
 * Exits non-zero on any error; every wait is bounded.
 */
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long failed;

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
	(void)rk;
	(void)opaque;
	if (m->err)
		failed++;
}

static void check(rd_kafka_error_t *e, const char *what)
{
	if (!e)
		return;
	fprintf(stderr, "txn_bench: %s: %s\n", what, rd_kafka_error_string(e));
	exit(1);
}

static rd_kafka_t *producer(const char *bootstrap, int idempotent)
{
	char err[512];
	const char *debug = getenv("TXN_BENCH_DEBUG"); /* librdkafka's debug contexts */
	rd_kafka_conf_t *c = rd_kafka_conf_new();
	if (rd_kafka_conf_set(c, "bootstrap.servers", bootstrap, err, sizeof err) ||
	    (idempotent ? rd_kafka_conf_set(c, "enable.idempotence", "true", err, sizeof err)
			: rd_kafka_conf_set(c, "transactional.id", "txn-bench", err, sizeof err)) ||
	    rd_kafka_conf_set(c, "linger.ms", "5", err, sizeof err) ||
	    rd_kafka_conf_set(c, "message.timeout.ms", "60000", err, sizeof err) ||
	    (debug && *debug && rd_kafka_conf_set(c, "debug", debug, err, sizeof err))) {
		fprintf(stderr, "txn_bench: conf: %s\n", err);
		exit(2);
	}
	rd_kafka_conf_set_dr_msg_cb(c, on_delivery);
	rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, c, err, sizeof err);
	if (!rk) {
		fprintf(stderr, "txn_bench: producer: %s\n", err);
		exit(2);
	}
	return rk;
}

/* One message to each partition, committed (or flushed): metadata,
 * connections and the producer id are in place before the clock starts. */
static int warm_up(rd_kafka_t *rk, const char *topic, int parts, char *payload, int size,
		   int idem)
{
	if (!idem)
		check(rd_kafka_begin_transaction(rk), "begin_transaction (warm-up)");
	for (int i = 0; i < parts; i++) {
		rd_kafka_resp_err_t e = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic),
							  RD_KAFKA_V_PARTITION((int32_t)i),
							  RD_KAFKA_V_VALUE(payload, (size_t)size),
							  RD_KAFKA_V_END);
		if (e) {
			fprintf(stderr, "txn_bench: warm-up produce: %s\n", rd_kafka_err2str(e));
			return -1;
		}
	}
	if (!idem) {
		check(rd_kafka_commit_transaction(rk, 60000), "commit_transaction (warm-up)");
		return 0;
	}
	if (rd_kafka_flush(rk, 60000)) {
		fprintf(stderr, "txn_bench: warm-up flush timed out\n");
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int idem = argc == 8 && !strcmp(argv[7], "idempotent");
	if (argc != 7 && !idem) {
		fprintf(stderr,
			"usage: txn_bench BOOTSTRAP TOPIC PARTITIONS TXNS PER_TXN SIZE [idempotent]\n");
		return 2;
	}
	int parts = atoi(argv[3]);
	long txns = atol(argv[4]), per = atol(argv[5]);
	int size = atoi(argv[6]);
	if (parts < 1 || txns < 1 || per < 1 || size < 1 || size > (1 << 20)) {
		fprintf(stderr, "txn_bench: bad arguments\n");
		return 2;
	}
	char *payload = malloc((size_t)size);
	if (!payload)
		return 2;
	memset(payload, 'x', (size_t)size);
	rd_kafka_t *rk = producer(argv[1], idem);
	if (!idem)
		check(rd_kafka_init_transactions(rk, 60000), "init_transactions");
	if (warm_up(rk, argv[2], parts, payload, size, idem) != 0)
		return 1;
	double commit_s = 0, start = now_s();
	for (long t = 0; t < txns; t++) {
		if (!idem)
			check(rd_kafka_begin_transaction(rk), "begin_transaction");
		for (long i = 0; i < per; i++) {
			rd_kafka_resp_err_t e;
			do {
				e = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(argv[2]),
						      RD_KAFKA_V_PARTITION((int32_t)(i % parts)),
						      RD_KAFKA_V_VALUE(payload, (size_t)size),
						      RD_KAFKA_V_END);
				if (e == RD_KAFKA_RESP_ERR__QUEUE_FULL)
					rd_kafka_poll(rk, 10);
			} while (e == RD_KAFKA_RESP_ERR__QUEUE_FULL);
			if (e) {
				fprintf(stderr, "txn_bench: produce: %s\n", rd_kafka_err2str(e));
				return 1;
			}
		}
		double c0 = now_s();
		if (!idem)
			check(rd_kafka_commit_transaction(rk, 60000), "commit_transaction");
		commit_s += now_s() - c0;
	}
	if (idem && rd_kafka_flush(rk, 60000)) {
		fprintf(stderr, "txn_bench: flush timed out\n");
		return 1;
	}
	double took = now_s() - start;
	rd_kafka_destroy(rk);
	free(payload);
	if (failed) {
		fprintf(stderr, "txn_bench: %ld messages failed\n", failed);
		return 1;
	}
	printf("txn_bench: %s%ld transactions x %ld messages of %d B over %d partitions in %.2f s: "
	       "%.1f txn/s, %.0f msg/s, mean commit %.1f ms\n",
	       idem ? "idempotent, no transactions: " : "", txns, per, size, parts, took,
	       (double)txns / took, (double)(txns * per) / took, 1000.0 * commit_s / (double)txns);
	return 0;
}
