/* A transactional producer that leaves its transaction open, for the
 * gregorctl transactions test: begins a transaction, produces one message
 * to each given partition, flushes, prints "open" and waits (at most
 * WAIT_S seconds) for SIGUSR1, then commits, prints "committed" and exits.
 * Usage: txn_open_client BOOTSTRAP TOPIC TRANSACTIONAL_ID PARTITION... */
#define _POSIX_C_SOURCE 200809L
#include <librdkafka/rdkafka.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define WAIT_S 120
#define CALL_MS 30000

static volatile sig_atomic_t go;
static void on_usr1(int sig) { (void)sig; go = 1; }

static int check(rd_kafka_error_t *e, const char *what)
{
	if (!e)
		return 0;
	fprintf(stderr, "%s: %s\n", what, rd_kafka_error_string(e));
	rd_kafka_error_destroy(e);
	return 1;
}

int main(int argc, char **argv)
{
	if (argc < 5) {
		fprintf(stderr, "usage: %s BOOTSTRAP TOPIC TRANSACTIONAL_ID PARTITION...\n", argv[0]);
		return 2;
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	char err[512];
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	if (rd_kafka_conf_set(conf, "bootstrap.servers", argv[1], err, sizeof err) ||
	    rd_kafka_conf_set(conf, "transactional.id", argv[3], err, sizeof err) ||
	    rd_kafka_conf_set(conf, "transaction.timeout.ms", "90000", err, sizeof err) ||
	    rd_kafka_conf_set(conf, "broker.address.family", "v4", err, sizeof err)) {
		fprintf(stderr, "conf: %s\n", err);
		return 1;
	}
	rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
	if (!rk) {
		fprintf(stderr, "rd_kafka_new: %s\n", err);
		return 1;
	}
	int rc = check(rd_kafka_init_transactions(rk, CALL_MS), "init_transactions") ||
		 check(rd_kafka_begin_transaction(rk), "begin_transaction");
	for (int i = 4; !rc && i < argc; i++) {
		rd_kafka_resp_err_t e = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(argv[2]),
			RD_KAFKA_V_PARTITION(atoi(argv[i])), RD_KAFKA_V_VALUE("open", 4),
			RD_KAFKA_V_END);
		if (e) {
			fprintf(stderr, "produce: %s\n", rd_kafka_err2str(e));
			rc = 1;
		}
	}
	if (!rc && rd_kafka_flush(rk, CALL_MS)) {
		fprintf(stderr, "flush timed out\n");
		rc = 1;
	}
	if (!rc) {
		printf("open\n");
		fflush(stdout);
		for (int k = 0; k < WAIT_S * 10 && !go; k++) {
			struct timespec ts = { 0, 100000000L };
			nanosleep(&ts, NULL);
			rd_kafka_poll(rk, 0);
		}
		rc = !go || check(rd_kafka_commit_transaction(rk, CALL_MS), "commit_transaction");
		if (!rc)
			printf("committed\n");
	}
	rd_kafka_destroy(rk);
	return rc;
}
