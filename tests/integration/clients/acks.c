/*
 * acks: end-to-end check of Produce with acks=0, acks=1 and acks=all through
 * librdkafka, then a read-back with the simple (group-less) consumer proving
 * every acknowledged message sits exactly once at the offset the broker
 * reported, with the bytes that were sent.  Exit 0 only if all of that holds.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <librdkafka/rdkafka.h>

#define PHASES 3
#define MAX_COUNT 1000000
#define MAX_PARTITIONS 1024
#define KEY_MAX 32
#define VALUE_MAX 256

static const int phase_acks[PHASES] = { 0, 1, -1 };
static const char *const phase_name[PHASES] = { "acks=0", "acks=1", "acks=all" };

/* One produced message: filled by the delivery report, checked on read-back. */
struct sent_msg {
	int delivered;       /* delivery report seen */
	rd_kafka_resp_err_t err;
	int32_t partition;
	int64_t offset;      /* RD_KAFKA_OFFSET_INVALID for acks=0 */
	int seen;            /* times found by the consumer */
};

struct acks_opts {
	const char *bootstrap;
	const char *topic;
	int count;
	int partitions;
	int replication;
	int timeout_s;
	int allow_acks0_loss;
	int no_create;       /* rely on auto-creation; take partition count from Metadata */
};

struct acks_run {
	struct acks_opts opt;
	struct sent_msg *msgs[PHASES];
	int dr_count;
	int failures;
};

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void fail(struct acks_run *run, const char *fmt, ...)
{
	va_list ap;
	/* Print the first few failures in full; the count tells the rest. */
	if (run->failures < 20) {
		fputs("FAIL: ", stderr);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
	run->failures++;
}

static int make_key(char *buf, size_t cap, int phase, int idx)
{
	return snprintf(buf, cap, "k-%d-%07d", phase, idx);
}

/* The value is a pure function of (phase, idx) so the reader can regenerate it. */
static size_t make_value(char *buf, size_t cap, int phase, int idx)
{
	int n = snprintf(buf, cap, "v-%d-%07d-", phase, idx);
	size_t len = (size_t)n + (size_t)(idx % 97);
	if (len >= cap)
		len = cap - 1;
	for (size_t i = (size_t)n; i < len; i++)
		buf[i] = (char)('a' + (idx + (int)i) % 26);
	return len;
}

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
	struct acks_run *run = opaque;
	struct sent_msg *s = m->_private;
	(void)rk;
	if (!s)
		return;
	s->delivered++;
	s->err = m->err;
	s->partition = m->partition;
	s->offset = m->offset;
	run->dr_count++;
}

static rd_kafka_conf_t *conf_base(const struct acks_opts *o)
{
	char err[256];
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	if (rd_kafka_conf_set(conf, "bootstrap.servers", o->bootstrap, err, sizeof err) ||
	    rd_kafka_conf_set(conf, "client.id", "gregor-acks-test", err, sizeof err) ||
	    rd_kafka_conf_set(conf, "broker.address.family", "v4", err, sizeof err)) {
		fprintf(stderr, "conf: %s\n", err);
		rd_kafka_conf_destroy(conf);
		return NULL;
	}
	return conf;
}

/* Create the topic through the Admin API; an existing topic is fine. */
static int topic_create(const struct acks_opts *o)
{
	char err[256];
	rd_kafka_conf_t *conf = conf_base(o);
	if (!conf)
		return -1;
	rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
	if (!rk) {
		fprintf(stderr, "rd_kafka_new: %s\n", err);
		return -1;
	}
	rd_kafka_NewTopic_t *nt = rd_kafka_NewTopic_new(o->topic, o->partitions, o->replication,
							err, sizeof err);
	rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
	rd_kafka_AdminOptions_t *ao = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
	rd_kafka_AdminOptions_set_operation_timeout(ao, o->timeout_s * 1000, err, sizeof err);
	rd_kafka_AdminOptions_set_request_timeout(ao, o->timeout_s * 1000, err, sizeof err);
	rd_kafka_CreateTopics(rk, &nt, 1, ao, q);

	int rc = -1;
	rd_kafka_event_t *ev = rd_kafka_queue_poll(q, o->timeout_s * 1000 + 5000);
	if (!ev) {
		fprintf(stderr, "CreateTopics: no result within %d s\n", o->timeout_s);
	} else if (rd_kafka_event_error(ev)) {
		fprintf(stderr, "CreateTopics: %s\n", rd_kafka_event_error_string(ev));
	} else {
		size_t n = 0;
		const rd_kafka_topic_result_t **res =
			rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
		rd_kafka_resp_err_t e = n == 1 ? rd_kafka_topic_result_error(res[0])
					       : RD_KAFKA_RESP_ERR__BAD_MSG;
		if (e == RD_KAFKA_RESP_ERR_NO_ERROR || e == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
			rc = 0;
			printf("topic %s: %s (partitions=%d replication=%d)\n", o->topic,
			       e ? "already exists" : "created", o->partitions, o->replication);
		} else {
			fprintf(stderr, "CreateTopics %s: %s\n", o->topic, rd_kafka_err2str(e));
		}
	}
	if (ev)
		rd_kafka_event_destroy(ev);
	rd_kafka_AdminOptions_destroy(ao);
	rd_kafka_NewTopic_destroy(nt);
	rd_kafka_queue_destroy(q);
	rd_kafka_destroy(rk);
	return rc;
}

/* Wait until Metadata lists every partition with a leader (creation is async). */
static int topic_wait_ready(rd_kafka_t *rk, struct acks_opts *o)
{
	int64_t deadline = now_ms() + (int64_t)o->timeout_s * 1000;
	rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, o->topic, NULL);
	int ready = 0;
	while (!ready && now_ms() < deadline) {
		const struct rd_kafka_metadata *md = NULL;
		if (rd_kafka_metadata(rk, 0, rkt, &md, 5000) == RD_KAFKA_RESP_ERR_NO_ERROR &&
		    md->topic_cnt == 1 && md->topics[0].err == 0 &&
		    md->topics[0].partition_cnt > 0 && md->topics[0].partition_cnt <= MAX_PARTITIONS &&
		    (o->no_create || md->topics[0].partition_cnt == o->partitions)) {
			o->partitions = md->topics[0].partition_cnt;
			ready = 1;
			for (int p = 0; p < md->topics[0].partition_cnt; p++)
				if (md->topics[0].partitions[p].err || md->topics[0].partitions[p].leader < 0)
					ready = 0;
		}
		if (md)
			rd_kafka_metadata_destroy(md);
		if (!ready) {
			struct timespec ts = { 0, 200 * 1000000L };
			nanosleep(&ts, NULL);
		}
	}
	rd_kafka_topic_destroy(rkt);
	if (!ready)
		fprintf(stderr, "topic %s: partitions without leader after %d s\n", o->topic,
			o->timeout_s);
	return ready ? 0 : -1;
}

static int produce_phase(struct acks_run *run, int phase)
{
	struct acks_opts *o = &run->opt;
	char err[256], acks[8], key[KEY_MAX], val[VALUE_MAX];
	rd_kafka_conf_t *conf = conf_base(o);
	if (!conf)
		return -1;
	snprintf(acks, sizeof acks, "%d", phase_acks[phase]);
	if (rd_kafka_conf_set(conf, "request.required.acks", acks, err, sizeof err) ||
	    rd_kafka_conf_set(conf, "enable.idempotence", "false", err, sizeof err) ||
	    rd_kafka_conf_set(conf, "linger.ms", "5", err, sizeof err) ||
	    rd_kafka_conf_set(conf, "message.timeout.ms", "60000", err, sizeof err)) {
		fprintf(stderr, "conf: %s\n", err);
		rd_kafka_conf_destroy(conf);
		return -1;
	}
	rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
	rd_kafka_conf_set_opaque(conf, run);
	rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
	if (!rk) {
		fprintf(stderr, "rd_kafka_new: %s\n", err);
		return -1;
	}
	if (topic_wait_ready(rk, o)) {
		rd_kafka_destroy(rk);
		return -1;
	}
	int64_t t0 = now_ms();
	for (int i = 0; i < o->count; i++) {
		int klen = make_key(key, sizeof key, phase, i);
		size_t vlen = make_value(val, sizeof val, phase, i);
		rd_kafka_resp_err_t e;
		int tries = 0;
		do {
			e = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(o->topic),
					      RD_KAFKA_V_KEY(key, (size_t)klen),
					      RD_KAFKA_V_VALUE(val, vlen),
					      RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
					      RD_KAFKA_V_OPAQUE(&run->msgs[phase][i]),
					      RD_KAFKA_V_END);
			if (e == RD_KAFKA_RESP_ERR__QUEUE_FULL)
				rd_kafka_poll(rk, 100);
		} while (e == RD_KAFKA_RESP_ERR__QUEUE_FULL && ++tries < 600);
		if (e) {
			fail(run, "%s produce #%d: %s", phase_name[phase], i, rd_kafka_err2str(e));
			break;
		}
		rd_kafka_poll(rk, 0);
	}
	rd_kafka_resp_err_t fe = rd_kafka_flush(rk, 90 * 1000);
	if (fe)
		fail(run, "%s flush: %s (%d still queued)", phase_name[phase], rd_kafka_err2str(fe),
		     rd_kafka_outq_len(rk));
	printf("%s: produced %d in %" PRId64 " ms\n", phase_name[phase], o->count, now_ms() - t0);
	rd_kafka_destroy(rk);
	return 0;
}

/* Delivery reports: all successful; offsets only when acks != 0, and unique. */
static int check_reports(struct acks_run *run, int phase)
{
	int ok = 0;
	for (int i = 0; i < run->opt.count; i++) {
		const struct sent_msg *s = &run->msgs[phase][i];
		if (s->delivered != 1) {
			fail(run, "%s msg %d: %d delivery reports", phase_name[phase], i, s->delivered);
			continue;
		}
		if (s->err) {
			fail(run, "%s msg %d: delivery error %s", phase_name[phase], i,
			     rd_kafka_err2str(s->err));
			continue;
		}
		if (phase_acks[phase] != 0 && s->offset < 0) {
			fail(run, "%s msg %d: no offset in delivery report", phase_name[phase], i);
			continue;
		}
		if (s->partition < 0 || s->partition >= run->opt.partitions) {
			fail(run, "%s msg %d: partition %d", phase_name[phase], i, s->partition);
			continue;
		}
		ok++;
	}
	printf("%s: %d/%d delivery reports successful\n", phase_name[phase], ok, run->opt.count);
	return ok;
}

static int parse_key(const rd_kafka_message_t *m, int count, int *phase, int *idx)
{
	char buf[KEY_MAX];
	if (!m->key || m->key_len == 0 || m->key_len >= sizeof buf)
		return -1;
	memcpy(buf, m->key, m->key_len);
	buf[m->key_len] = '\0';
	char tail;
	if (sscanf(buf, "k-%d-%d%c", phase, idx, &tail) != 2)
		return -1;
	if (*phase < 0 || *phase >= PHASES || *idx < 0 || *idx >= count)
		return -1;
	return 0;
}

static void verify_message(struct acks_run *run, const rd_kafka_message_t *m, int *verified)
{
	int phase, idx;
	char val[VALUE_MAX];
	if (parse_key(m, run->opt.count, &phase, &idx)) {
		fail(run, "unexpected record at %d/%" PRId64 " (key_len %zu)", m->partition, m->offset,
		     m->key_len);
		return;
	}
	struct sent_msg *s = &run->msgs[phase][idx];
	if (++s->seen > 1) {
		fail(run, "%s msg %d duplicated (again at %d/%" PRId64 ")", phase_name[phase], idx,
		     m->partition, m->offset);
		return;
	}
	size_t vlen = make_value(val, sizeof val, phase, idx);
	if (m->len != vlen || memcmp(m->payload, val, vlen) != 0) {
		fail(run, "%s msg %d: value differs at %d/%" PRId64, phase_name[phase], idx,
		     m->partition, m->offset);
		return;
	}
	if (s->delivered && s->err == 0 && m->partition != s->partition) {
		fail(run, "%s msg %d: reported partition %d, found in %d", phase_name[phase], idx,
		     s->partition, m->partition);
		return;
	}
	if (phase_acks[phase] != 0 && s->offset != m->offset) {
		fail(run, "%s msg %d: reported offset %" PRId64 ", found at %" PRId64,
		     phase_name[phase], idx, s->offset, m->offset);
		return;
	}
	(*verified)++;
}

/*
 * Read every partition from the beginning until the expected number of
 * records has arrived and every partition has reported EOF since the last
 * record (so duplicates past the expected count are seen too), or until the
 * deadline.
 */
static int consume_all(struct acks_run *run, int *verified)
{
	const struct acks_opts *o = &run->opt;
	char err[256];
	rd_kafka_conf_t *conf = conf_base(o);
	if (!conf)
		return -1;
	if (rd_kafka_conf_set(conf, "enable.partition.eof", "true", err, sizeof err) ||
	    rd_kafka_conf_set(conf, "enable.auto.commit", "false", err, sizeof err) ||
	    rd_kafka_conf_set(conf, "enable.auto.offset.store", "false", err, sizeof err)) {
		fprintf(stderr, "conf: %s\n", err);
		rd_kafka_conf_destroy(conf);
		return -1;
	}
	rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
	if (!rk) {
		fprintf(stderr, "rd_kafka_new: %s\n", err);
		return -1;
	}
	rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, o->topic, NULL);
	rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
	int *at_eof = calloc((size_t)o->partitions, sizeof *at_eof);
	for (int p = 0; p < o->partitions; p++)
		if (rd_kafka_consume_start_queue(rkt, p, RD_KAFKA_OFFSET_BEGINNING, q) == -1)
			fail(run, "consume_start partition %d: %s", p,
			     rd_kafka_err2str(rd_kafka_last_error()));

	long expected = 0;
	for (int ph = 0; ph < PHASES; ph++)
		for (int i = 0; i < o->count; i++)
			expected += run->msgs[ph][i].delivered == 1 && run->msgs[ph][i].err == 0;

	rd_kafka_message_t *batch[1000];
	long got = 0;
	int64_t deadline = now_ms() + (int64_t)o->timeout_s * 1000;
	int eofs = 0;
	while (now_ms() < deadline && !(got >= expected && eofs == o->partitions)) {
		ssize_t n = rd_kafka_consume_batch_queue(q, 500, batch, 1000);
		for (ssize_t j = 0; j < n; j++) {
			rd_kafka_message_t *m = batch[j];
			int p = m->partition;
			if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
				if (p >= 0 && p < o->partitions && !at_eof[p]) {
					at_eof[p] = 1;
					eofs++;
				}
			} else if (m->err) {
				fprintf(stderr, "consume %d: %s\n", p, rd_kafka_message_errstr(m));
			} else {
				if (p >= 0 && p < o->partitions && at_eof[p]) {
					at_eof[p] = 0;
					eofs--;
				}
				got++;
				verify_message(run, m, verified);
			}
			rd_kafka_message_destroy(m);
		}
	}
	if (got < expected || eofs != o->partitions)
		fprintf(stderr, "consume: stopped with %ld/%ld records, %d/%d partitions at EOF\n",
			got, expected, eofs, o->partitions);
	printf("consumed %ld records (%ld expected)\n", got, expected);
	for (int p = 0; p < o->partitions; p++)
		rd_kafka_consume_stop(rkt, p);
	free(at_eof);
	rd_kafka_queue_destroy(q);
	rd_kafka_topic_destroy(rkt);
	rd_kafka_destroy(rk);
	return 0;
}

/* After read-back: every acked message seen exactly once; acks=0 losses counted. */
static int check_presence(struct acks_run *run)
{
	int acks0_missing = 0;
	for (int ph = 0; ph < PHASES; ph++) {
		int missing = 0;
		for (int i = 0; i < run->opt.count; i++) {
			const struct sent_msg *s = &run->msgs[ph][i];
			if (s->seen == 0 && s->delivered == 1 && s->err == 0) {
				missing++;
				if (phase_acks[ph] != 0 || !run->opt.allow_acks0_loss)
					fail(run, "%s msg %d (partition %d offset %" PRId64 ") missing",
					     phase_name[ph], i, s->partition, s->offset);
			}
		}
		printf("%s: %d missing after read-back\n", phase_name[ph], missing);
		if (phase_acks[ph] == 0)
			acks0_missing = missing;
	}
	return acks0_missing;
}

static void usage(const char *argv0)
{
	fprintf(stderr,
		"usage: %s --bootstrap HOST:PORT[,..] [--topic T] [--count N] [--partitions P]\n"
		"          [--replication R] [--timeout SECONDS] [--allow-acks0-loss]\n"
		"          [--no-create]   (use auto-creation instead of CreateTopics)\n"
		"BOOTSTRAP in the environment is used when --bootstrap is absent.\n",
		argv0);
}

static int parse_args(int argc, char **argv, struct acks_opts *o)
{
	static char topic_buf[64];
	snprintf(topic_buf, sizeof topic_buf, "acks-test-%ld", (long)time(NULL));
	*o = (struct acks_opts){ getenv("BOOTSTRAP"), topic_buf, 1000, 3, 3, 60, 0, 0 };
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--allow-acks0-loss")) {
			o->allow_acks0_loss = 1;
			continue;
		}
		if (!strcmp(a, "--no-create")) {
			o->no_create = 1;
			continue;
		}
		if (!v)
			return -1;
		if (!strcmp(a, "--bootstrap"))
			o->bootstrap = v;
		else if (!strcmp(a, "--topic"))
			o->topic = v;
		else if (!strcmp(a, "--count"))
			o->count = atoi(v);
		else if (!strcmp(a, "--partitions"))
			o->partitions = atoi(v);
		else if (!strcmp(a, "--replication"))
			o->replication = atoi(v);
		else if (!strcmp(a, "--timeout"))
			o->timeout_s = atoi(v);
		else
			return -1;
		i++;
	}
	if (!o->bootstrap || !*o->bootstrap || o->count < 1 || o->count > MAX_COUNT ||
	    o->partitions < 1 || o->partitions > MAX_PARTITIONS || o->replication < 1 ||
	    o->timeout_s < 1)
		return -1;
	return 0;
}

int main(int argc, char **argv)
{
	struct acks_run run = { 0 };
	if (parse_args(argc, argv, &run.opt)) {
		usage(argv[0]);
		return 2;
	}
	for (int ph = 0; ph < PHASES; ph++) {
		run.msgs[ph] = calloc((size_t)run.opt.count, sizeof(struct sent_msg));
		if (!run.msgs[ph])
			return 2;
	}
	printf("bootstrap=%s topic=%s count=%d per acks setting\n", run.opt.bootstrap,
	       run.opt.topic, run.opt.count);
	if (!run.opt.no_create && topic_create(&run.opt)) {
		fprintf(stderr, "FAIL: could not create topic\n");
		return 1;
	}
	int acked = 0, verified = 0;
	for (int ph = 0; ph < PHASES; ph++) {
		if (produce_phase(&run, ph))
			return 1;
		acked += check_reports(&run, ph);
	}
	if (consume_all(&run, &verified))
		return 1;
	int lost0 = check_presence(&run);
	int produced = PHASES * run.opt.count;
	printf("produced=%d acked=%d verified=%d acks0_lost=%d\n", produced, acked, verified, lost0);
	if (acked != produced || verified + (run.opt.allow_acks0_loss ? lost0 : 0) != produced)
		run.failures++;
	for (int ph = 0; ph < PHASES; ph++)
		free(run.msgs[ph]);
	if (run.failures) {
		printf("FAIL: %d problem(s)\n", run.failures);
		return 1;
	}
	printf("PASS\n");
	return 0;
}
