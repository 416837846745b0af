/* Idempotence test client (librdkafka).
 *   produce BOOTSTRAP TOPIC N RATE ACKFILE: an enable.idempotence=true
 *     producer sends keys k0000000..k(N-1), RATE messages per second, and
 *     writes every key whose delivery report succeeded to ACKFILE; prints
 *     "produced=N acknowledged=A failed=F" and exits 1 on a fatal error.
 *   verify BOOTSTRAP TOPIC NPART N ACKFILE: reads every partition from the
 *     beginning to its high watermark with the simple consumer and prints
 *     "acknowledged=A consumed=C duplicates=D lost=L"; exits 1 unless D and
 *     L are 0 (lost = acknowledged but absent).
 * Every wait is bounded. */
#include <librdkafka/rdkafka.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DEADLINE_S 300

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static rd_kafka_conf_t *base_conf(const char *bootstrap)
{
	char err[256];
	rd_kafka_conf_t *c = rd_kafka_conf_new();
	if (rd_kafka_conf_set(c, "bootstrap.servers", bootstrap, err, sizeof err) ||
	    rd_kafka_conf_set(c, "socket.timeout.ms", "10000", err, sizeof err) ||
	    rd_kafka_conf_set(c, "topic.metadata.refresh.interval.ms", "2000", err, sizeof err)) {
		fprintf(stderr, "conf: %s\n", err);
		exit(2);
	}
	return c;
}

static FILE *ack_file;
static long acked, failed;
static char first_error[512];

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
	(void)rk;
	(void)opaque;
	if (m->err) {
		failed++;
		if (!first_error[0])
			snprintf(first_error, sizeof first_error, "%s", rd_kafka_err2str(m->err));
		return;
	}
	acked++;
	fprintf(ack_file, "%.*s\n", (int)m->key_len, (const char *)m->key);
}

static int cmd_produce(const char *bootstrap, const char *topic, long n, long rate,
		       const char *ackpath)
{
	char err[512];
	ack_file = fopen(ackpath, "w");
	if (!ack_file) {
		perror(ackpath);
		return 2;
	}
	rd_kafka_conf_t *c = base_conf(bootstrap);
	if (rd_kafka_conf_set(c, "enable.idempotence", "true", err, sizeof err) ||
	    rd_kafka_conf_set(c, "linger.ms", "5", err, sizeof err) ||
	    rd_kafka_conf_set(c, "message.timeout.ms", "240000", err, sizeof err)) {
		fprintf(stderr, "conf: %s\n", err);
		return 2;
	}
	rd_kafka_conf_set_dr_msg_cb(c, on_delivery);
	rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, c, err, sizeof err);
	if (!rk) {
		fprintf(stderr, "producer: %s\n", err);
		return 2;
	}
	int64_t t0 = now_ms(), deadline = t0 + DEADLINE_S * 1000LL;
	long i = 0;
	while (i < n && now_ms() < deadline) {
		/* pace: i messages are due after i/rate seconds */
		if (rate > 0 && i * 1000 / rate > now_ms() - t0) {
			rd_kafka_poll(rk, 5);
			continue;
		}
		char key[32], val[64];
		snprintf(key, sizeof key, "k%07ld", i);
		int vl = snprintf(val, sizeof val, "value-%ld", i);
		rd_kafka_resp_err_t e = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic),
			RD_KAFKA_V_KEY(key, strlen(key)), RD_KAFKA_V_VALUE(val, (size_t)vl),
			RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
		if (e == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
			rd_kafka_poll(rk, 10);
			continue;
		}
		if (e) {
			fprintf(stderr, "produce %ld: %s\n", i, rd_kafka_err2str(e));
			break;
		}
		i++;
		rd_kafka_poll(rk, 0);
	}
	int64_t left = deadline - now_ms();
	rd_kafka_flush(rk, (int)(left > 1000 ? left : 1000));
	rd_kafka_resp_err_t fatal = rd_kafka_fatal_error(rk, err, sizeof err);
	printf("produced=%ld acknowledged=%ld failed=%ld in_queue=%d\n", i, acked, failed,
	       rd_kafka_outq_len(rk));
	if (first_error[0])
		printf("first delivery error: %s\n", first_error);
	if (fatal)
		printf("FATAL: %s\n", err);
	rd_kafka_destroy(rk);
	fclose(ack_file);
	return fatal || i < n ? 1 : 0;
}

/* Keys are k0000000..: an index into a count array. */
static long key_index(const void *k, size_t len, long n)
{
	if (len != 8 || ((const char *)k)[0] != 'k')
		return -1;
	long v = 0;
	for (size_t j = 1; j < len; j++) {
		char ch = ((const char *)k)[j];
		if (ch < '0' || ch > '9')
			return -1;
		v = v * 10 + (ch - '0');
	}
	return v < n ? v : -1;
}

static long consume_partition(rd_kafka_t *rk, rd_kafka_topic_t *rkt, const char *topic,
			      int32_t part, long n, unsigned *seen)
{
	int64_t lo = 0, hi = 0;
	rd_kafka_resp_err_t e = rd_kafka_query_watermark_offsets(rk, topic, part, &lo, &hi, 10000);
	if (e) {
		fprintf(stderr, "watermarks of %s-%d: %s\n", topic, part, rd_kafka_err2str(e));
		exit(1);
	}
	if (rd_kafka_consume_start(rkt, part, RD_KAFKA_OFFSET_BEGINNING) < 0) {
		fprintf(stderr, "consume_start %d failed\n", part);
		exit(1);
	}
	long count = 0;
	int64_t next = lo, deadline = now_ms() + 120000;
	while (next < hi && now_ms() < deadline) {
		rd_kafka_message_t *m = rd_kafka_consume(rkt, part, 1000);
		if (!m)
			continue;
		if (m->err) {
			if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
				fprintf(stderr, "consume %d: %s\n", part, rd_kafka_err2str(m->err));
			rd_kafka_message_destroy(m);
			continue;
		}
		next = m->offset + 1;
		count++;
		long k = key_index(m->key, m->key_len, n);
		if (k >= 0)
			seen[k]++;
		else
			fprintf(stderr, "unexpected key at %s-%d@%lld\n", topic, part, (long long)m->offset);
		rd_kafka_message_destroy(m);
	}
	rd_kafka_consume_stop(rkt, part);
	if (next < hi) {
		fprintf(stderr, "%s-%d: stopped at %lld of %lld\n", topic, part, (long long)next,
			(long long)hi);
		exit(1);
	}
	return count;
}

static int cmd_verify(const char *bootstrap, const char *topic, int npart, long n,
		      const char *ackpath)
{
	char err[256];
	unsigned *seen = calloc((size_t)n + 1, sizeof *seen);
	unsigned char *ack = calloc((size_t)n + 1, 1);
	FILE *f = fopen(ackpath, "r");
	if (!seen || !ack || !f) {
		perror("verify");
		return 2;
	}
	char line[64];
	long acks = 0;
	while (fgets(line, sizeof line, f)) {
		long k = key_index(line, strcspn(line, "\n"), n);
		if (k >= 0 && !ack[k]) {
			ack[k] = 1;
			acks++;
		}
	}
	fclose(f);
	rd_kafka_conf_t *c = base_conf(bootstrap);
	rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, c, err, sizeof err);
	if (!rk) {
		fprintf(stderr, "consumer: %s\n", err);
		return 2;
	}
	rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
	long consumed = 0, dups = 0, lost = 0;
	for (int32_t p = 0; p < npart; p++)
		consumed += consume_partition(rk, rkt, topic, p, n, seen);
	for (long k = 0; k < n; k++) {
		if (seen[k] > 1)
			dups += seen[k] - 1;
		if (ack[k] && !seen[k])
			lost++;
	}
	printf("acknowledged=%ld consumed=%ld duplicates=%ld lost=%ld\n", acks, consumed, dups, lost);
	rd_kafka_topic_destroy(rkt);
	rd_kafka_destroy(rk);
	free(seen);
	free(ack);
	return dups || lost || acks == 0 ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 7 && strcmp(argv[1], "produce") == 0)
		return cmd_produce(argv[2], argv[3], atol(argv[4]), atol(argv[5]), argv[6]);
	if (argc == 7 && strcmp(argv[1], "verify") == 0)
		return cmd_verify(argv[2], argv[3], atoi(argv[4]), atol(argv[5]), argv[6]);
	fprintf(stderr, "usage: %s produce BOOTSTRAP TOPIC N RATE ACKFILE\n"
			"       %s verify BOOTSTRAP TOPIC NPART N ACKFILE\n", argv[0], argv[0]);
	return 2;
}
