/* Generates real librdkafka traffic against librdkafka's own mock cluster on
 * 127.0.0.1 so that tcpdump can record it (see capture.sh). argv[1] is an
 * optional broker.version.fallback; when given, ApiVersions is disabled and
 * librdkafka uses the older request versions of that Kafka release.
 * "serve N" only runs the mock for N seconds (for kafkajs.js). */
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
