/* acked_producer: a bounded-rate librdkafka producer for the fault drills and the
 * integration tests that must lose no acknowledged write (tests/lib).
 * Every message has a unique, self-describing key k-<tag>-<seq> and value
 * v-<tag>-<seq>-<padding>; each acknowledged message is written as one line
 * "partition offset key ms" (ms since start) so that acked_verify can check
 * the final logs. Delivery errors are counted by kind and printed at exit.
 */
#include <errno.h>
#include <inttypes.h>
#include <librdkafka/rdkafka.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define ERR_KINDS 64

struct err_count {
	rd_kafka_resp_err_t err;
	long count;
};

struct acked_stats {
	FILE *ack_file;
	int64_t t0_ms;
	long acked;
	long failed;
	struct err_count errs[ERR_KINDS];
	int n_errs;
};

struct acked_opts {
	const char *bootstrap, *topic, *ack_path, *acks, *tag;
	long seconds, max_msgs, rate, msg_timeout_ms, payload;
	const char *extra[16];
	int n_extra;
};

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void stats_count_error(struct acked_stats *st, rd_kafka_resp_err_t err)
{
	int i;

	st->failed++;
	for (i = 0; i < st->n_errs; i++) {
		if (st->errs[i].err == err) {
			st->errs[i].count++;
			return;
		}
	}
	if (st->n_errs < ERR_KINDS) {
		st->errs[st->n_errs].err = err;
		st->errs[st->n_errs].count = 1;
		st->n_errs++;
	}
}

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
	struct acked_stats *st = opaque;

	(void)rk;
	if (m->err) {
		stats_count_error(st, m->err);
		return;
	}
	st->acked++;
	fprintf(st->ack_file, "%" PRId32 " %" PRId64 " %.*s %" PRId64 "\n", m->partition,
		m->offset, (int)m->key_len, (const char *)m->key, now_ms() - st->t0_ms);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: acked_producer -b BOOTSTRAP -t TOPIC -o ACKFILE [-s SECONDS] [-n MAXMSGS]\n"
		"       [-r MSGS_PER_S] [-a all|1] [-m MESSAGE_TIMEOUT_MS] [-p PAYLOAD_BYTES]\n"
		"       [-k TAG] [-X key=value ...]\n");
}

static int opts_parse(struct acked_opts *o, int argc, char **argv)
{
	int c;

	*o = (struct acked_opts){ .acks = "all", .tag = "0", .seconds = 10, .max_msgs = -1,
				  .rate = 200, .msg_timeout_ms = 30000, .payload = 32 };
	while ((c = getopt(argc, argv, "b:t:o:s:n:r:a:m:p:k:X:")) != -1) {
		switch (c) {
		case 'b': o->bootstrap = optarg; break;
		case 't': o->topic = optarg; break;
		case 'o': o->ack_path = optarg; break;
		case 's': o->seconds = atol(optarg); break;
		case 'n': o->max_msgs = atol(optarg); break;
		case 'r': o->rate = atol(optarg); break;
		case 'a': o->acks = optarg; break;
		case 'm': o->msg_timeout_ms = atol(optarg); break;
		case 'p': o->payload = atol(optarg); break;
		case 'k': o->tag = optarg; break;
		case 'X':
			if (o->n_extra >= 16)
				return -1;
			o->extra[o->n_extra++] = optarg;
			break;
		default: return -1;
		}
	}
	if (!o->bootstrap || !o->topic || !o->ack_path || o->rate < 1 || o->seconds < 1 ||
	    o->payload < 0 || o->payload > 100000 || o->msg_timeout_ms < 1)
		return -1;
	return 0;
}

static int conf_set(rd_kafka_conf_t *conf, const char *k, const char *v)
{
	char err[256];

	if (rd_kafka_conf_set(conf, k, v, err, sizeof(err)) != RD_KAFKA_CONF_OK) {
		fprintf(stderr, "acked_producer: %s=%s: %s\n", k, v, err);
		return -1;
	}
	return 0;
}

static rd_kafka_t *producer_create(const struct acked_opts *o, struct acked_stats *st)
{
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	char buf[32], err[256];
	rd_kafka_t *rk;
	int i, bad = 0;

	snprintf(buf, sizeof(buf), "%ld", o->msg_timeout_ms);
	bad |= conf_set(conf, "bootstrap.servers", o->bootstrap);
	bad |= conf_set(conf, "acks", o->acks);
	bad |= conf_set(conf, "enable.idempotence", "false");
	bad |= conf_set(conf, "retries", "1000000");
	bad |= conf_set(conf, "retry.backoff.ms", "100");
	bad |= conf_set(conf, "message.timeout.ms", buf);
	bad |= conf_set(conf, "linger.ms", "5");
	bad |= conf_set(conf, "topic.metadata.refresh.interval.ms", "2000");
	for (i = 0; i < o->n_extra; i++) {
		const char *eq = strchr(o->extra[i], '=');
		char key[128];
		if (!eq || (size_t)(eq - o->extra[i]) >= sizeof(key)) {
			bad = 1;
			continue;
		}
		memcpy(key, o->extra[i], (size_t)(eq - o->extra[i]));
		key[eq - o->extra[i]] = '\0';
		bad |= conf_set(conf, key, eq + 1);
	}
	if (bad) {
		rd_kafka_conf_destroy(conf);
		return NULL;
	}
	rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
	rd_kafka_conf_set_opaque(conf, st);
	rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
	if (!rk)
		fprintf(stderr, "acked_producer: rd_kafka_new: %s\n", err);
	return rk;
}

/* Returns 0 when queued, -1 on a non-retriable local error (counted). */
static int produce_one(rd_kafka_t *rk, const struct acked_opts *o, struct acked_stats *st,
		       long seq, char *valbuf, size_t valcap)
{
	char key[96];
	int klen, vlen;
	rd_kafka_resp_err_t err;

	klen = snprintf(key, sizeof(key), "k-%s-%ld", o->tag, seq);
	vlen = snprintf(valbuf, valcap, "v-%s-%ld-", o->tag, seq);
	if (klen < 0 || vlen < 0 || (size_t)klen >= sizeof(key) || (size_t)vlen >= valcap)
		return -1;
	memset(valbuf + vlen, 'x', (size_t)o->payload);
	vlen += (int)o->payload;
	for (;;) {
		err = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(o->topic),
					RD_KAFKA_V_KEY(key, (size_t)klen),
					RD_KAFKA_V_VALUE(valbuf, (size_t)vlen),
					RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
		if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL)
			break;
		rd_kafka_poll(rk, 10);
	}
	if (err) {
		stats_count_error(st, err);
		return -1;
	}
	return 0;
}

static void stats_print(const struct acked_stats *st, long sent)
{
	int i;

	printf("sent=%ld acknowledged=%ld failed=%ld\n", sent, st->acked, st->failed);
	for (i = 0; i < st->n_errs; i++)
		printf("error %s count=%ld: %s\n", rd_kafka_err2name(st->errs[i].err),
		       st->errs[i].count, rd_kafka_err2str(st->errs[i].err));
	fflush(stdout);
}

static long produce_loop(rd_kafka_t *rk, const struct acked_opts *o, struct acked_stats *st)
{
	size_t valcap = (size_t)o->payload + 128;
	char *valbuf = malloc(valcap);
	int64_t end = st->t0_ms + o->seconds * 1000, next_report = st->t0_ms + 5000;
	long seq = 0;

	if (!valbuf)
		return 0;
	while (!stop_requested && now_ms() < end && (o->max_msgs < 0 || seq < o->max_msgs)) {
		int64_t t = now_ms();
		long due = (long)((t - st->t0_ms) * o->rate / 1000) + 1;
		while (seq < due && (o->max_msgs < 0 || seq < o->max_msgs)) {
			produce_one(rk, o, st, seq, valbuf, valcap);
			seq++;
		}
		if (t >= next_report) {
			fprintf(stderr, "acked_producer: t=%" PRId64 "ms sent=%ld acked=%ld failed=%ld\n",
				t - st->t0_ms, seq, st->acked, st->failed);
			next_report += 5000;
		}
		rd_kafka_poll(rk, 5);
	}
	free(valbuf);
	return seq;
}

int main(int argc, char **argv)
{
	struct acked_opts o;
	struct acked_stats st = { 0 };
	rd_kafka_t *rk;
	long sent;
	int left;

	if (opts_parse(&o, argc, argv) != 0) {
		usage();
		return 64;
	}
	st.ack_file = fopen(o.ack_path, "w");
	if (!st.ack_file) {
		fprintf(stderr, "acked_producer: %s: %s\n", o.ack_path, strerror(errno));
		return 2;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	rk = producer_create(&o, &st);
	if (!rk) {
		fclose(st.ack_file);
		return 2;
	}
	st.t0_ms = now_ms();
	sent = produce_loop(rk, &o, &st);
	/* Every message resolves (ack or error) within message.timeout.ms. */
	rd_kafka_flush(rk, (int)(o.msg_timeout_ms + 15000));
	left = rd_kafka_outq_len(rk);
	rd_kafka_destroy(rk);
	stats_print(&st, sent);
	if (fclose(st.ack_file) != 0)
		return 2;
	if (left > 0) {
		printf("unresolved=%d\n", left);
		return 3;
	}
	return 0;
}
