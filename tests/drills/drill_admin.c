/* drill_admin: creates a topic through the Kafka CreateTopics API (the
 * drills' way of checking that the controller serves admin requests) and
 * waits for the result: drill_admin -b BOOTSTRAP -t TOPIC -p PARTS -r RF.
 * Exit 0 when created, 1 when the broker refused, 2 on a local error.
 */
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static rd_kafka_t *admin_create(const char *bootstrap)
{
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	char err[256];
	rd_kafka_t *rk;

	if (rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap, err, sizeof(err))) {
		fprintf(stderr, "drill_admin: %s\n", err);
		rd_kafka_conf_destroy(conf);
		return NULL;
	}
	rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
	if (!rk)
		fprintf(stderr, "drill_admin: rd_kafka_new: %s\n", err);
	return rk;
}

/* Returns the topic's error code from the CreateTopics result, or -1. */
static int topic_create(rd_kafka_t *rk, const char *topic, int parts, int rf)
{
	char err[256];
	rd_kafka_NewTopic_t *nt = rd_kafka_NewTopic_new(topic, parts, rf, err, sizeof(err));
	rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
	rd_kafka_AdminOptions_t *ao = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
	const rd_kafka_topic_result_t **res;
	rd_kafka_event_t *ev;
	size_t n;
	int rc = -1;

	if (!nt) {
		fprintf(stderr, "drill_admin: %s\n", err);
		return -1;
	}
	rd_kafka_AdminOptions_set_operation_timeout(ao, 20000, err, sizeof(err));
	rd_kafka_AdminOptions_set_request_timeout(ao, 30000, err, sizeof(err));
	rd_kafka_CreateTopics(rk, &nt, 1, ao, q);
	ev = rd_kafka_queue_poll(q, 40000);
	if (ev && rd_kafka_event_error(ev)) {
		fprintf(stderr, "drill_admin: %s\n", rd_kafka_event_error_string(ev));
	} else if (ev) {
		res = rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
		if (n == 1) {
			rc = rd_kafka_topic_result_error(res[0]);
			if (rc)
				fprintf(stderr, "drill_admin: %s: %s\n", topic,
					rd_kafka_topic_result_error_string(res[0]));
		}
	} else {
		fprintf(stderr, "drill_admin: no CreateTopics result within 40 s\n");
	}
	if (ev)
		rd_kafka_event_destroy(ev);
	rd_kafka_AdminOptions_destroy(ao);
	rd_kafka_NewTopic_destroy(nt);
	rd_kafka_queue_destroy(q);
	return rc;
}

int main(int argc, char **argv)
{
	const char *bootstrap = NULL, *topic = NULL;
	int c, parts = 1, rf = 1, rc;
	rd_kafka_t *rk;

	while ((c = getopt(argc, argv, "b:t:p:r:")) != -1) {
		switch (c) {
		case 'b': bootstrap = optarg; break;
		case 't': topic = optarg; break;
		case 'p': parts = atoi(optarg); break;
		case 'r': rf = atoi(optarg); break;
		default: bootstrap = NULL; break;
		}
	}
	if (!bootstrap || !topic || parts < 1 || rf < 1) {
		fprintf(stderr, "usage: drill_admin -b BOOTSTRAP -t TOPIC -p PARTITIONS -r RF\n");
		return 64;
	}
	rk = admin_create(bootstrap);
	if (!rk)
		return 2;
	rc = topic_create(rk, topic, parts, rf);
	rd_kafka_destroy(rk);
	if (rc == 0)
		printf("created %s partitions=%d rf=%d\n", topic, parts, rf);
	return rc == 0 ? 0 : rc < 0 ? 2 : 1;
}
