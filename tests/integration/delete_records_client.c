/* delete_records_client BOOTSTRAP TOPIC PARTITION OFFSET [TIMEOUT_MS]:
 * rd_kafka_DeleteRecords (librdkafka's admin API, DeleteRecords v0+) for
 * one partition; prints "<low watermark> <error name>" and exits 0 when
 * the request got an answer (whatever its error), 1 otherwise. */
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	if (argc < 5) {
		fprintf(stderr, "usage: %s BOOTSTRAP TOPIC PARTITION OFFSET [TIMEOUT_MS]\n", argv[0]);
		return 2;
	}
	char err[512];
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	if (rd_kafka_conf_set(conf, "bootstrap.servers", argv[1], err, sizeof err)) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
	if (!rk) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	int timeout = argc > 5 ? atoi(argv[5]) : 30000;
	rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
	rd_kafka_topic_partition_list_add(l, argv[2], atoi(argv[3]))->offset = atoll(argv[4]);
	rd_kafka_DeleteRecords_t *dr = rd_kafka_DeleteRecords_new(l);
	rd_kafka_topic_partition_list_destroy(l);
	rd_kafka_AdminOptions_t *opt = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_DELETERECORDS);
	rd_kafka_AdminOptions_set_operation_timeout(opt, timeout, err, sizeof err);
	rd_kafka_AdminOptions_set_request_timeout(opt, timeout + 10000, err, sizeof err);
	rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
	rd_kafka_DeleteRecords(rk, &dr, 1, opt, q);
	rd_kafka_event_t *ev = rd_kafka_queue_poll(q, timeout + 20000);
	int rc = 1;
	if (!ev) {
		fprintf(stderr, "no answer\n");
	} else if (rd_kafka_event_error(ev) &&
		   rd_kafka_event_error(ev) != RD_KAFKA_RESP_ERR__PARTIAL) {
		printf("-1 %s\n", rd_kafka_err2name(rd_kafka_event_error(ev)));
		rc = 0;
	} else {
		const rd_kafka_topic_partition_list_t *res =
			rd_kafka_DeleteRecords_result_offsets(rd_kafka_event_DeleteRecords_result(ev));
		if (res && res->cnt == 1) {
			printf("%lld %s\n", (long long)res->elems[0].offset,
			       rd_kafka_err2name(res->elems[0].err));
			rc = 0;
		}
	}
	if (ev)
		rd_kafka_event_destroy(ev);
	rd_kafka_DeleteRecords_destroy(dr);
	rd_kafka_AdminOptions_destroy(opt);
	rd_kafka_queue_destroy(q);
	rd_kafka_destroy(rk);
	return rc;
}
