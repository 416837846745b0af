/* Generates real librdkafka traffic against librdkafka's own mock cluster on
 * 127.0.0.1 so that tcpdump can record it (see capture.sh). argv[1] is an
 * optional broker.version.fallback; when given, ApiVersions is disabled and
 * librdkafka uses the older request versions of that Kafka release.
 * "serve N" only runs the mock for N seconds (for kafkajs.js).
 * "groups [fallback]" drives a consumer group (subscribe, poll long enough
 * for heartbeats, commit, close) and an idempotent then a transactional
 * producer (send offsets to the transaction, commit, then abort one). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

static rd_kafka_t *client_new(rd_kafka_type_t type, const char *bootstraps,
			      const char *fallback)
{
	char err[256];
	rd_kafka_conf_t *c = rd_kafka_conf_new();
	rd_kafka_conf_set(c, "bootstrap.servers", bootstraps, err, sizeof err);
	rd_kafka_conf_set(c, "client.id", "gregor-vectors", err, sizeof err);
	if (fallback) {
		rd_kafka_conf_set(c, "api.version.request", "false", err,
				  sizeof err);
		rd_kafka_conf_set(c, "broker.version.fallback", fallback, err,
				  sizeof err);
	}
	if (type == RD_KAFKA_CONSUMER)
		rd_kafka_conf_set(c, "group.id", "vectors", err, sizeof err);
	rd_kafka_t *rk = rd_kafka_new(type, c, err, sizeof err);
	if (!rk)
		fprintf(stderr, "rd_kafka_new: %s\n", err);
	return rk;
}

static void conf_set(rd_kafka_conf_t *c, const char *k, const char *v)
{
	char err[256];
	if (rd_kafka_conf_set(c, k, v, err, sizeof err) != RD_KAFKA_CONF_OK)
		fprintf(stderr, "%s: %s\n", k, err);
}

static rd_kafka_t *client_conf_new(rd_kafka_type_t type, rd_kafka_conf_t *c,
				   const char *bootstraps, const char *fallback)
{
	char err[256];
	conf_set(c, "bootstrap.servers", bootstraps);
	conf_set(c, "client.id", "gregor-vectors");
	if (fallback) {
		conf_set(c, "api.version.request", "false");
		conf_set(c, "broker.version.fallback", fallback);
	}
	rd_kafka_t *rk = rd_kafka_new(type, c, err, sizeof err);
	if (!rk)
		fprintf(stderr, "rd_kafka_new: %s\n", err);
	return rk;
}

/* Subscribe, consume until the idempotent and the committed transactional
 * message (read_committed skips the aborted one) are in and a few heartbeats
 * went out, commit synchronously, leave. Returns messages consumed. */
static int run_group_consumer(const char *bs, const char *fallback)
{
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	conf_set(conf, "group.id", "vectors-group");
	conf_set(conf, "auto.offset.reset", "earliest");
	conf_set(conf, "enable.auto.commit", "false");
	conf_set(conf, "heartbeat.interval.ms", "100");
	conf_set(conf, "session.timeout.ms", "6000");
	rd_kafka_t *c = client_conf_new(RD_KAFKA_CONSUMER, conf, bs, fallback);
	if (!c)
		return -1;
	rd_kafka_poll_set_consumer(c);
	rd_kafka_topic_partition_list_t *sub =
		rd_kafka_topic_partition_list_new(1);
	rd_kafka_topic_partition_list_add(sub, "vec", RD_KAFKA_PARTITION_UA);
	rd_kafka_subscribe(c, sub);
	rd_kafka_topic_partition_list_destroy(sub);
	int got = 0;
	for (int i = 0; i < 100 && (got < 2 || i < 20); i++) { /* <= 10 s */
		rd_kafka_message_t *m = rd_kafka_consumer_poll(c, 100);
		if (m && !m->err)
			got++;
		if (m)
			rd_kafka_message_destroy(m);
	}
	rd_kafka_commit(c, NULL, 0);
	rd_kafka_consumer_close(c);
	rd_kafka_destroy(c);
	return got;
}

/* An idempotent producer (InitProducerId without a transactional id), then
 * a transactional one: commit a transaction with consumer offsets, abort
 * another. Returns 0 if every call succeeded. */
static int run_txn_producer(const char *bs, const char *fallback)
{
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	conf_set(conf, "enable.idempotence", "true");
	rd_kafka_t *p = client_conf_new(RD_KAFKA_PRODUCER, conf, bs, fallback);
	if (!p)
		return -1;
	rd_kafka_producev(p, RD_KAFKA_V_TOPIC("vec"), RD_KAFKA_V_PARTITION(0),
			  RD_KAFKA_V_VALUE("idem", 4),
			  RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
			  RD_KAFKA_V_END);
	int bad = rd_kafka_flush(p, 5000) != RD_KAFKA_RESP_ERR_NO_ERROR;
	rd_kafka_destroy(p);

	conf = rd_kafka_conf_new();
	conf_set(conf, "transactional.id", "vectors-txn");
	p = client_conf_new(RD_KAFKA_PRODUCER, conf, bs, fallback);
	if (!p)
		return -1;
	rd_kafka_error_t *e = rd_kafka_init_transactions(p, 5000);
	for (int round = 0; round < 2 && !e; round++) {
		e = rd_kafka_begin_transaction(p);
		if (e)
			break;
		rd_kafka_producev(p, RD_KAFKA_V_TOPIC("vec"),
				  RD_KAFKA_V_PARTITION(0),
				  RD_KAFKA_V_VALUE("txn", 3),
				  RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
				  RD_KAFKA_V_END);
		rd_kafka_topic_partition_list_t *offs =
			rd_kafka_topic_partition_list_new(1);
		rd_kafka_topic_partition_list_add(offs, "vec", 0)->offset = 3;
		rd_kafka_consumer_group_metadata_t *gm =
			rd_kafka_consumer_group_metadata_new("vectors-group");
		e = rd_kafka_send_offsets_to_transaction(p, offs, gm, 5000);
		rd_kafka_consumer_group_metadata_destroy(gm);
		rd_kafka_topic_partition_list_destroy(offs);
		if (e)
			break;
		e = round == 0 ? rd_kafka_commit_transaction(p, 5000)
			       : rd_kafka_abort_transaction(p, 5000);
	}
	if (e) {
		fprintf(stderr, "transactions: %s\n", rd_kafka_error_string(e));
		rd_kafka_error_destroy(e);
		bad = 1;
	}
	rd_kafka_destroy(p);
	return bad ? -1 : 0;
}

int main(int argc, char **argv)
{
	const char *fallback = argc > 1 ? argv[1] : NULL;
	char err[256];
	rd_kafka_conf_t *mc = rd_kafka_conf_new();
	rd_kafka_t *mrk = rd_kafka_new(RD_KAFKA_PRODUCER, mc, err, sizeof err);
	if (!mrk)
		return 1;
	rd_kafka_mock_cluster_t *mcl = rd_kafka_mock_cluster_new(mrk, 1);
	if (!mcl)
		return 1;
	rd_kafka_mock_topic_create(mcl, "vec", 1, 1);
	const char *bs = rd_kafka_mock_cluster_bootstraps(mcl);
	printf("bootstrap %s\n", bs);
	fflush(stdout);
	if (fallback && strcmp(fallback, "groups") == 0) {
		const char *fb = argc > 2 ? argv[2] : NULL;
		int txn = run_txn_producer(bs, fb);
		int got = run_group_consumer(bs, fb);
		printf("groups: consumed %d, transactions %s\n", got,
		       txn ? "failed" : "ok");
		rd_kafka_mock_cluster_destroy(mcl);
		rd_kafka_destroy(mrk);
		return txn == 0 && got >= 2 ? 0 : 2;
	}
	if (fallback && strcmp(fallback, "serve") == 0) {
		sleep(argc > 2 ? (unsigned)atoi(argv[2]) : 10);
		rd_kafka_mock_cluster_destroy(mcl);
		rd_kafka_destroy(mrk);
		return 0;
	}

	rd_kafka_t *p = client_new(RD_KAFKA_PRODUCER, bs, fallback);
	if (!p)
		return 1;
	for (int i = 0; i < 5; i++) {
		char v[32];
		int n = snprintf(v, sizeof v, "value-%d", i);
		rd_kafka_producev(p, RD_KAFKA_V_TOPIC("vec"),
				  RD_KAFKA_V_PARTITION(0),
				  RD_KAFKA_V_KEY((i % 2 ? "key" : NULL), (i % 2 ? 3 : 0)),
				  RD_KAFKA_V_VALUE(v, (size_t)n),
				  RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
				  RD_KAFKA_V_END);
	}
	rd_kafka_flush(p, 5000);
	int64_t lo = -1, hi = -1;
	rd_kafka_query_watermark_offsets(p, "vec", 0, &lo, &hi, 5000);
	printf("watermarks %lld %lld\n", (long long)lo, (long long)hi);
	rd_kafka_destroy(p);

	rd_kafka_t *c = client_new(RD_KAFKA_CONSUMER, bs, fallback);
	if (!c)
		return 1;
	rd_kafka_topic_partition_list_t *tp = rd_kafka_topic_partition_list_new(1);
	rd_kafka_topic_partition_list_add(tp, "vec", 0)->offset =
		RD_KAFKA_OFFSET_BEGINNING;
	rd_kafka_assign(c, tp);
	rd_kafka_topic_partition_list_destroy(tp);
	int got = 0;
	for (int i = 0; i < 50 && got < 5; i++) { /* bounded: <= 5 s */
		rd_kafka_message_t *m = rd_kafka_consumer_poll(c, 100);
		if (m && !m->err)
			got++;
		if (m)
			rd_kafka_message_destroy(m);
	}
	printf("consumed %d\n", got);
	rd_kafka_consumer_close(c);
	rd_kafka_destroy(c);
	rd_kafka_mock_cluster_destroy(mcl);
	rd_kafka_destroy(mrk);
	return got == 5 ? 0 : 2;
}
