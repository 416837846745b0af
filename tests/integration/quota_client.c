/* Client-quota test client (librdkafka): measures what a producer or a
 * consumer achieves over a sustained run.
 *   produce BOOTSTRAP TOPIC CLIENT_ID SECONDS WARMUP RATE
 *     sends 10 KiB values as fast as it may (RATE bytes/s, 0 = unlimited)
 *     for SECONDS and prints "rate=B/s acked=N throttles=T failed=F":
 *     the value bytes acknowledged between WARMUP and SECONDS, per second,
 *     and how many responses carried a throttle time (librdkafka's
 *     throttle callback). Exits 1 if a delivery failed.
 *   consume BOOTSTRAP TOPIC CLIENT_ID SECONDS WARMUP
 *     reads partition 0 from the beginning and prints "rate=B/s
 *     consumed=N throttles=T": value bytes received between WARMUP and
 *     SECONDS, per second; it fetches at most 128 KiB at a time.
 * Every wait is bounded. */
#include <librdkafka/rdkafka.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define VALUE_SIZE 10240

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t t0, warm_at, end_at;
static long long window_bytes, total, failed, throttles;

static void on_throttle(rd_kafka_t *rk, const char *broker, int32_t id, int ms, void *opaque)
{
	(void)rk, (void)broker, (void)id, (void)opaque;
	if (ms > 0)
		throttles++;
}

static void count(size_t len)
{
	int64_t t = now_ms();
	total++;
	if (t >= warm_at && t < end_at)
		window_bytes += (long long)len;
}

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
	(void)rk, (void)opaque;
	if (m->err == RD_KAFKA_RESP_ERR__PURGE_QUEUE)
		return; /* not sent when the run ended: not measured */
	if (m->err) {
		if (!failed)
			fprintf(stderr, "delivery failed: %s\n", rd_kafka_err2str(m->err));
		failed++;
		return;
	}
	count(m->len);
}

static rd_kafka_conf_t *conf_new(const char *bootstrap, const char *client_id)
{
	char err[256];
	rd_kafka_conf_t *c = rd_kafka_conf_new();
	if (rd_kafka_conf_set(c, "bootstrap.servers", bootstrap, err, sizeof err) ||
	    rd_kafka_conf_set(c, "client.id", client_id, err, sizeof err)) {
		fprintf(stderr, "conf: %s\n", err);
		exit(2);
	}
	rd_kafka_conf_set_throttle_cb(c, on_throttle);
	return c;
}

static int produce(const char *bootstrap, const char *topic, const char *client_id,
		   int seconds, int warmup, long long rate)
{
	char err[256];
	rd_kafka_conf_t *c = conf_new(bootstrap, client_id);
	if (rd_kafka_conf_set(c, "acks", "1", err, sizeof err) ||
	    rd_kafka_conf_set(c, "linger.ms", "5", err, sizeof err) ||
	    rd_kafka_conf_set(c, "queue.buffering.max.kbytes", "4096", err, sizeof err)) {
		fprintf(stderr, "conf: %s\n", err);
		return 2;
	}
	rd_kafka_conf_set_dr_msg_cb(c, on_delivery);
	rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, c, err, sizeof err);
	if (!rk) {
		fprintf(stderr, "producer: %s\n", err);
		return 2;
	}
	static char value[VALUE_SIZE];
	memset(value, 'q', sizeof value);
	long long sent_bytes = 0;
	while (now_ms() < end_at) {
		int64_t t = now_ms();
		if (rate > 0 && sent_bytes > rate * (t - t0) / 1000) {
			rd_kafka_poll(rk, 5);
			continue;
		}
		rd_kafka_resp_err_t e = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic),
							  RD_KAFKA_V_PARTITION(0),
							  RD_KAFKA_V_VALUE(value, sizeof value),
							  RD_KAFKA_V_END);
		if (e == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
			rd_kafka_poll(rk, 10);
			continue;
		}
		if (e) {
			fprintf(stderr, "produce: %s\n", rd_kafka_err2str(e));
			failed++;
			break;
		}
		sent_bytes += VALUE_SIZE;
		rd_kafka_poll(rk, 0);
	}
	rd_kafka_purge(rk, RD_KAFKA_PURGE_F_QUEUE); /* what is not sent yet is not measured */
	rd_kafka_flush(rk, 30000);
	double secs = (double)(seconds - warmup);
	printf("rate=%.0f acked=%lld throttles=%lld failed=%lld\n", (double)window_bytes / secs,
	       total, throttles, failed);
	rd_kafka_destroy(rk);
	return 0;
}

static int consume(const char *bootstrap, const char *topic, const char *client_id, int seconds,
		   int warmup)
{
	char err[256];
	rd_kafka_conf_t *c = conf_new(bootstrap, client_id);
	if (rd_kafka_conf_set(c, "group.id", "quota-test", err, sizeof err) ||
	    rd_kafka_conf_set(c, "enable.auto.commit", "false", err, sizeof err) ||
	    /* fetches small against the quota window, so that Kafka's empty
	     * answers to throttled fetches do not dominate (docs/quotas.md) */
	    rd_kafka_conf_set(c, "max.partition.fetch.bytes", "131072", err, sizeof err)) {
		fprintf(stderr, "conf: %s\n", err);
		return 2;
	}
	rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, c, err, sizeof err);
	if (!rk) {
		fprintf(stderr, "consumer: %s\n", err);
		return 2;
	}
	rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
	rd_kafka_topic_partition_list_add(l, topic, 0)->offset = RD_KAFKA_OFFSET_BEGINNING;
	rd_kafka_assign(rk, l);
	rd_kafka_topic_partition_list_destroy(l);
	while (now_ms() < end_at) {
		rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);
		rd_kafka_poll(rk, 0); /* the throttle callback */
		if (!m)
			continue;
		if (!m->err)
			count(m->len);
		rd_kafka_message_destroy(m);
	}
	printf("rate=%.0f consumed=%lld throttles=%lld\n",
	       (double)window_bytes / (double)(seconds - warmup), total, throttles);
	rd_kafka_consumer_close(rk);
	rd_kafka_destroy(rk);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 7 || (strcmp(argv[1], "produce") == 0 && argc < 8)) {
		fprintf(stderr, "usage: quota_client produce|consume BOOTSTRAP TOPIC CLIENT_ID "
				"SECONDS WARMUP [RATE]\n");
		return 2;
	}
	int seconds = atoi(argv[5]), warmup = atoi(argv[6]);
	if (seconds <= warmup || warmup < 0 || seconds > 600) {
		fprintf(stderr, "want 0 <= WARMUP < SECONDS <= 600\n");
		return 2;
	}
	t0 = now_ms();
	warm_at = t0 + warmup * 1000LL;
	end_at = t0 + seconds * 1000LL;
	int rc = strcmp(argv[1], "produce") == 0
		 ? produce(argv[2], argv[3], argv[4], seconds, warmup, atoll(argv[7]))
		 : consume(argv[2], argv[3], argv[4], seconds, warmup);
	return rc ? rc : failed ? 1 : 0;
}
