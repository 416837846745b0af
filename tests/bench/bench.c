/*
 * bench: produce N messages of S bytes through librdkafka as fast as the
 * cluster takes them, wait for every delivery report, then read them all back
 * with the simple (group-less) consumer.  The same run measures what this
 * machine can do at best (loopback TCP, sendfile to a socket, fdatasync
 * latency) so the broker's numbers can be read against the hardware's.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#define MAX_PARTITIONS 1024
#define MAX_SIZE (1 << 20)
#define CHUNK_PER_PARTITION 1000    /* consecutive messages sent to one partition */
#define NET_BYTES (512ull << 20)
#define SENDFILE_FILE_BYTES (128ull << 20)
#define FSYNC_ROUNDS 200

struct bench_opts {
	const char *bootstrap;
	const char *topic;
	long count;
	int size;
	int partitions;
	int replication;
	int acks;
	int timeout_s;
	int no_create;
	int skip_machine;
	int machine_only;
	const char *fsync_dir;
	const char *compression; /* librdkafka compression.codec */
	int text_payload;        /* words instead of one repeated byte */
	const char *open_loop;   /* "2000,7000,...": open-loop latency at these msg/s */
	int duration_s;          /* of each open-loop rate */
	int idempotence_ratio;   /* closed loop: plain vs idempotent producer */
	int idempotent;
	double last_rate;        /* msgs/s of the last bench_produce */
	const char *client_config; /* librdkafka properties file (TLS settings) */
	int mock;                /* > 0: that many brokers of librdkafka's mock cluster */
	int chunk;               /* consecutive messages sent to one partition */
	int produce_only;
	int consume_only;        /* read back --count messages of an existing topic */
	long e2e_rate;           /* > 0: end-to-end latency at this many msg/s */
	const char *label;       /* prefix of the RESULT lines suite.sh reads */
	int client_stats;        /* open loop: librdkafka's own latency breakdown */
};

/* "RESULT LABEL.KEY VALUE" for suite.sh, only when --label was given. */
static void result(const struct bench_opts *o, const char *key, double value)
{
	if (o->label)
		printf("RESULT %s.%s %.4f\n", o->label, key, value);
}

struct produce_stats {
	long delivered;
	long failed;
	rd_kafka_resp_err_t first_err;
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void print_rate(const char *what, long msgs, double bytes, double secs)
{
	if (secs <= 0)
		secs = 1e-9;
	if (msgs >= 0)
		printf("%-28s %10.0f msgs/s %10.1f MB/s  (%ld msgs, %.2f s)\n", what, msgs / secs,
		       bytes / secs / 1e6, msgs, secs);
	else
		printf("%-28s %10s        %10.1f MB/s  (%.0f MiB, %.2f s)\n", what, "", bytes / secs / 1e6,
		       bytes / (1 << 20), secs);
}

/* ---- machine limits ---------------------------------------------------- */

static int loopback_pair(int *client, int *server)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof a;
	int lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0)
		return -errno;
	if (bind(lfd, (struct sockaddr *)&a, sizeof a) || listen(lfd, 1) ||
	    getsockname(lfd, (struct sockaddr *)&a, &alen)) {
		int e = -errno;
		close(lfd);
		return e;
	}
	*client = socket(AF_INET, SOCK_STREAM, 0);
	if (*client < 0 || connect(*client, (struct sockaddr *)&a, sizeof a)) {
		int e = -errno;
		close(lfd);
		return e;
	}
	*server = accept(lfd, NULL, NULL);
	close(lfd);
	return *server < 0 ? -errno : 0;
}

struct sink_arg {
	int fd;
	unsigned long long got;
};

/* Reader side of the loopback measurements: drains until EOF. */
static void *sink_run(void *p)
{
	struct sink_arg *s = p;
	static __thread char buf[1 << 18];
	for (;;) {
		ssize_t n = read(s->fd, buf, sizeof buf);
		if (n <= 0)
			break;
		s->got += (unsigned long long)n;
	}
	return NULL;
}

static void measure_loopback(void)
{
	int c, s;
	if (loopback_pair(&c, &s)) {
		printf("loopback TCP: setup failed: %s\n", strerror(errno));
		return;
	}
	static char buf[1 << 18];
	memset(buf, 'x', sizeof buf);
	struct sink_arg sink = { s, 0 };
	pthread_t th;
	pthread_create(&th, NULL, sink_run, &sink);
	double t0 = now_s();
	unsigned long long sent = 0;
	while (sent < NET_BYTES) {
		ssize_t n = write(c, buf, sizeof buf);
		if (n <= 0)
			break;
		sent += (unsigned long long)n;
	}
	shutdown(c, SHUT_WR);
	pthread_join(th, NULL);
	double dt = now_s() - t0;
	print_rate("machine: loopback TCP", -1, (double)sink.got, dt);
	close(c);
	close(s);
}

static int temp_file(const char *dir, char *path, size_t cap)
{
	snprintf(path, cap, "%s/bench-XXXXXX", dir);
	int fd = mkstemp(path);
	if (fd >= 0)
		unlink(path);
	return fd;
}

static void measure_sendfile(const char *dir)
{
	char path[4096];
	int fd = temp_file(dir, path, sizeof path);
	if (fd < 0) {
		printf("sendfile: temp file in %s: %s\n", dir, strerror(errno));
		return;
	}
	static char buf[1 << 20];
	memset(buf, 'y', sizeof buf);
	for (unsigned long long w = 0; w < SENDFILE_FILE_BYTES; w += sizeof buf)
		if (write(fd, buf, sizeof buf) != (ssize_t)sizeof buf) {
			printf("sendfile: writing temp file: %s\n", strerror(errno));
			close(fd);
			return;
		}
	int c, s;
	if (loopback_pair(&c, &s)) {
		printf("sendfile: socket setup failed\n");
		close(fd);
		return;
	}
	struct sink_arg sink = { s, 0 };
	pthread_t th;
	pthread_create(&th, NULL, sink_run, &sink);
	double t0 = now_s();
	unsigned long long sent = 0;
	/* File is in page cache after the write; this measures the send path. */
	while (sent < NET_BYTES) {
		off_t off = 0;
		while (off < (off_t)SENDFILE_FILE_BYTES) {
			ssize_t n = sendfile(c, fd, &off, SENDFILE_FILE_BYTES - (size_t)off);
			if (n <= 0)
				goto out;
			sent += (unsigned long long)n;
		}
	}
out:
	shutdown(c, SHUT_WR);
	pthread_join(th, NULL);
	print_rate("machine: sendfile->loopback", -1, (double)sink.got, now_s() - t0);
	close(c);
	close(s);
	close(fd);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static void measure_fsync(const char *dir)
{
	char path[4096];
	int fd = temp_file(dir, path, sizeof path);
	if (fd < 0) {
		printf("fsync: temp file in %s: %s\n", dir, strerror(errno));
		return;
	}
	char block[4096];
	memset(block, 'z', sizeof block);
	double lat[FSYNC_ROUNDS];
	int n = 0;
	for (int i = 0; i < FSYNC_ROUNDS; i++) {
		double t0 = now_s();
		if (write(fd, block, sizeof block) != (ssize_t)sizeof block || fdatasync(fd)) {
			printf("fsync: %s\n", strerror(errno));
			break;
		}
		lat[n++] = (now_s() - t0) * 1e6;
	}
	close(fd);
	if (n == 0)
		return;
	qsort(lat, (size_t)n, sizeof lat[0], cmp_double);
	printf("%-28s min %.0f us  p50 %.0f us  p99 %.0f us  max %.0f us  (%d x 4 KiB in %s)\n",
	       "machine: write+fdatasync", lat[0], lat[n / 2], lat[(n * 99) / 100], lat[n - 1], n,
	       dir);
}

/* ---- Kafka ------------------------------------------------------------- */

/* key=value lines of a librdkafka properties file (as kcat -F reads it,
 * e.g. cluster.sh's CLIENT_CONFIG); bootstrap.servers is left to --bootstrap. */
static int conf_load_file(rd_kafka_conf_t *conf, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	char line[1024];
	int rc = 0;
	while (rc == 0 && fgets(line, sizeof line, f)) {
		line[strcspn(line, "\r\n")] = '\0';
		char *eq = strchr(line, '=');
		if (line[0] == '#' || !eq)
			continue;
		*eq = '\0';
		if (strcmp(line, "bootstrap.servers") != 0 &&
		    rd_kafka_conf_set(conf, line, eq + 1, err, errlen) != RD_KAFKA_CONF_OK)
			rc = -1;
	}
	fclose(f);
	return rc;
}

static rd_kafka_conf_t *conf_new(const struct bench_opts *o, const char *const *kv)
{
	char err[256];
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	if (rd_kafka_conf_set(conf, "bootstrap.servers", o->bootstrap, err, sizeof err))
		goto bad;
	if (o->client_config && conf_load_file(conf, o->client_config, err, sizeof err) < 0)
		goto bad;
	for (; kv && kv[0]; kv += 2)
		if (rd_kafka_conf_set(conf, kv[0], kv[1], err, sizeof err))
			goto bad;
	return conf;
bad:
	fprintf(stderr, "conf: %s\n", err);
	rd_kafka_conf_destroy(conf);
	return NULL;
}

static int topic_create(const struct bench_opts *o)
{
	char err[256];
	rd_kafka_conf_t *conf = conf_new(o, NULL);
	rd_kafka_t *rk = conf ? rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err) : NULL;
	if (!rk)
		return -1;
	rd_kafka_NewTopic_t *nt = rd_kafka_NewTopic_new(o->topic, o->partitions, o->replication,
							err, sizeof err);
	rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
	rd_kafka_AdminOptions_t *ao = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
	rd_kafka_AdminOptions_set_operation_timeout(ao, 30000, err, sizeof err);
	rd_kafka_CreateTopics(rk, &nt, 1, ao, q);
	rd_kafka_event_t *ev = rd_kafka_queue_poll(q, 40000);
	int rc = -1;
	if (ev && !rd_kafka_event_error(ev)) {
		size_t n = 0;
		const rd_kafka_topic_result_t **res =
			rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
		rd_kafka_resp_err_t e = n == 1 ? rd_kafka_topic_result_error(res[0])
					       : RD_KAFKA_RESP_ERR__BAD_MSG;
		rc = (e == 0 || e == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) ? 0 : -1;
		if (rc)
			fprintf(stderr, "CreateTopics: %s\n", rd_kafka_err2str(e));
	} else {
		fprintf(stderr, "CreateTopics: %s\n", ev ? rd_kafka_event_error_string(ev) : "timed out");
	}
	if (ev)
		rd_kafka_event_destroy(ev);
	rd_kafka_AdminOptions_destroy(ao);
	rd_kafka_NewTopic_destroy(nt);
	rd_kafka_queue_destroy(q);
	rd_kafka_destroy(rk);
	return rc;
}

/* Waits for leaders on every partition; returns the partition count or -1. */
static int topic_wait_ready(rd_kafka_t *rk, const struct bench_opts *o)
{
	double deadline = now_s() + 30;
	rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, o->topic, NULL);
	int parts = -1;
	while (parts < 0 && now_s() < deadline) {
		const struct rd_kafka_metadata *md = NULL;
		if (rd_kafka_metadata(rk, 0, rkt, &md, 5000) == 0 && md->topic_cnt == 1 &&
		    md->topics[0].err == 0 && md->topics[0].partition_cnt > 0 &&
		    md->topics[0].partition_cnt <= MAX_PARTITIONS) {
			parts = md->topics[0].partition_cnt;
			for (int p = 0; p < parts; p++)
				if (md->topics[0].partitions[p].err || md->topics[0].partitions[p].leader < 0)
					parts = -1;
		}
		if (md)
			rd_kafka_metadata_destroy(md);
		if (parts < 0)
			usleep(200 * 1000);
	}
	rd_kafka_topic_destroy(rkt);
	return parts;
}

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
	struct produce_stats *st = opaque;
	(void)rk;
	if (m->err) {
		if (!st->failed)
			st->first_err = m->err;
		st->failed++;
	} else {
		st->delivered++;
	}
}

/* One repeated byte compresses to almost nothing; "text" is words from a
 * small set, which compresses about as well as log lines do. Messages are
 * windows into a TEXT_SPAN buffer at varying starts, so they differ. */
#define TEXT_SPAN (1 << 20)
static void fill_payload(char *p, int size, int text)
{
	static const char *const words[] = { "broker ", "partition ", "offset ", "leader ",
					     "replica ", "42 ", "ok ", "fetch " };
	uint32_t seed = 12345;
	for (int i = 0; i < size;) {
		if (!text) {
			p[i++] = 'p';
			continue;
		}
		seed = seed * 1103515245u + 12345u;
		for (const char *w = words[(seed >> 16) % 8]; *w && i < size; w++)
			p[i++] = *w;
	}
}

static int bench_produce(struct bench_opts *o)
{
	char err[256], acks[8];
	snprintf(acks, sizeof acks, "%d", o->acks);
	const char *kv[] = { "request.required.acks", acks, "linger.ms", "5",
			     "batch.size", "1000000", "queue.buffering.max.messages", "2000000",
			     "queue.buffering.max.kbytes", "2097151", "message.timeout.ms", "300000",
			     "enable.idempotence", o->idempotent ? "true" : "false",
			     "compression.codec", o->compression,
			     NULL };
	struct produce_stats st = { 0, 0, 0 };
	rd_kafka_conf_t *conf = conf_new(o, kv);
	if (!conf)
		return -1;
	rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
	rd_kafka_conf_set_opaque(conf, &st);
	rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
	if (!rk) {
		fprintf(stderr, "rd_kafka_new: %s\n", err);
		return -1;
	}
	int parts = topic_wait_ready(rk, o);
	if (parts < 0) {
		fprintf(stderr, "topic %s: no leaders after 30 s\n", o->topic);
		rd_kafka_destroy(rk);
		return -1;
	}
	o->partitions = parts;
	size_t span = (size_t)o->size + (o->text_payload ? TEXT_SPAN : 0);
	char *payload = malloc(span);
	fill_payload(payload, (int)span, o->text_payload);
	rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, o->topic, NULL);
	double t0 = now_s(), deadline = t0 + o->timeout_s;
	long i;
	for (i = 0; i < o->count && now_s() < deadline; i++) {
		int32_t p = (int32_t)((i / o->chunk) % parts);
		/* Shared payload, no copy: it outlives the handle. */
		char *msg = payload + (o->text_payload ? (size_t)(i * 7919) % TEXT_SPAN : 0);
		while (rd_kafka_produce(rkt, p, 0, msg, (size_t)o->size, NULL, 0, NULL) == -1) {
			if (rd_kafka_last_error() != RD_KAFKA_RESP_ERR__QUEUE_FULL ||
			    now_s() >= deadline) {
				fprintf(stderr, "produce: %s\n", rd_kafka_err2str(rd_kafka_last_error()));
				goto flush;
			}
			rd_kafka_poll(rk, 10);
		}
		if ((i & 1023) == 0)
			rd_kafka_poll(rk, 0);
	}
flush:
	while (rd_kafka_outq_len(rk) > 0 && now_s() < deadline)
		rd_kafka_poll(rk, 50);
	double dt = now_s() - t0;
	o->last_rate = dt > 0 ? (double)st.delivered / dt : 0;
	print_rate(o->idempotent ? "kafka: produce idempotent" : "kafka: produce (acked)",
		   st.delivered, (double)st.delivered * o->size, dt);
	result(o, "produce_msgs", o->last_rate);
	result(o, "produce_MBps", o->last_rate * o->size / 1e6);
	if (st.failed || st.delivered != o->count)
		fprintf(stderr, "produce: %ld delivered, %ld failed (first: %s) of %ld\n", st.delivered,
			st.failed, st.failed ? rd_kafka_err2str(st.first_err) : "-", o->count);
	rd_kafka_topic_destroy(rkt);
	rd_kafka_destroy(rk);
	free(payload);
	return st.delivered == o->count ? 0 : -1;
}

/* The mock cluster keeps only the newest 5 MiB of each partition (older
 * message sets are dropped on append), so a topic read back from the mock
 * must spread --count messages over enough partitions. 0 if they fit, else
 * the partitions needed. */
#define MOCK_PARTITION_BYTES (5l << 20)
#define MOCK_RECORD_OVERHEAD 70 /* record and batch headers per message, generous */

static long mock_partitions_needed(const struct bench_opts *o)
{
	long per_round = (long)o->chunk * o->partitions;
	long rounds = (o->count + per_round - 1) / per_round;
	long msg = o->size + MOCK_RECORD_OVERHEAD;
	if (rounds * o->chunk * msg <= MOCK_PARTITION_BYTES)
		return 0;
	long per_part = MOCK_PARTITION_BYTES / msg / o->chunk * o->chunk;
	return per_part > 0 ? (o->count + per_part - 1) / per_part : -1;
}

static int bench_consume(const struct bench_opts *o)
{
	char err[256];
	const char *kv[] = { "enable.auto.commit", "false", "enable.auto.offset.store", "false",
			     "fetch.message.max.bytes", "4194304", "fetch.max.bytes", "52428800",
			     "queued.max.messages.kbytes", "262144", "fetch.wait.max.ms", "100",
			     /* librdkafka pauses fetching for about a second whenever
			      * its local queue holds queued.min.messages (100k by
			      * default); the benchmark measures the broker, so keep
			      * that pause out of the way */
			     "queued.min.messages", "10000000",
			     "auto.offset.reset", "smallest",
			     NULL };
	rd_kafka_conf_t *conf = conf_new(o, kv);
	rd_kafka_t *rk = conf ? rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err) : NULL;
	if (!rk)
		return -1;
	rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, o->topic, NULL);
	rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
	double t0 = now_s(), deadline = t0 + o->timeout_s;
	/* leaders first, and offset 0 rather than "beginning": a partition
	 * whose offset lookup is pending when it moves to its leader looks it
	 * up again only after a fixed 500 ms (librdkafka 2.0.2), which was a
	 * third of a 512 MB read-back. A log that no longer starts at 0 resets
	 * to its start (auto.offset.reset). */
	if (topic_wait_ready(rk, o) < 0)
		fprintf(stderr, "consume: topic %s has no leaders after 30 s\n", o->topic);
	for (int p = 0; p < o->partitions; p++)
		rd_kafka_consume_start_queue(rkt, p, 0, q);
	long got = 0, wrong_size = 0, errors = 0;
	double bytes = 0, t_first = 0;
	rd_kafka_message_t *batch[4096];
	while (got < o->count && now_s() < deadline) {
		ssize_t n = rd_kafka_consume_batch_queue(q, 200, batch, 4096);
		for (ssize_t j = 0; j < n; j++) {
			if (batch[j]->err)
				errors++;
			else {
				if (!got++)
					t_first = now_s();
				bytes += (double)batch[j]->len;
				wrong_size += batch[j]->len != (size_t)o->size;
			}
			rd_kafka_message_destroy(batch[j]);
		}
	}
	double t_end = now_s(), dt = t_end - t0;
	print_rate("kafka: consume", got, bytes, dt);
	/* the client's start (metadata, leaders, offsets) is a fixed cost of
	 * about half a second in librdkafka 2.0.2: the stream rate is counted
	 * from the first message on */
	if (got > 1 && t_end > t_first) {
		print_rate("kafka: consume, streaming", got - 1, bytes * (double)(got - 1) / (double)got,
			   t_end - t_first);
		printf("  (first message after %.3f s)\n", t_first - t0);
		result(o, "consume_stream_MBps", bytes * (double)(got - 1) / (double)got /
						 (t_end - t_first) / 1e6);
		result(o, "consume_first_s", t_first - t0);
	}
	result(o, "consume_msgs", (double)got / dt);
	result(o, "consume_MBps", bytes / dt / 1e6);
	if (got != o->count || wrong_size || errors)
		fprintf(stderr, "consume: %ld of %ld, %ld wrong size, %ld errors\n", got, o->count,
			wrong_size, errors);
	for (int p = 0; p < o->partitions; p++)
		rd_kafka_consume_stop(rkt, p);
	rd_kafka_queue_destroy(q);
	rd_kafka_topic_destroy(rkt);
	rd_kafka_destroy(rk);
	return got == o->count && !wrong_size ? 0 : -1;
}

/* ---- open-loop latency ------------------------------------------------ */

/* Messages are sent on a fixed schedule whatever the answers do (so queueing
 * in the broker shows as latency, not as a lower send rate); each delivery
 * report's latency is its time since the message's scheduled send. */
struct lat_run {
	double *sent;    /* scheduled send time per message */
	double *lat;     /* delivery latencies, in report order */
	long nlat, failed;
	struct client_lat *cl; /* --client-stats, else NULL */
};

/* --client-stats: librdkafka's per-broker windows (statistics.interval.ms)
 * summed over one rate: int_latency (produce() until the message is in a
 * request), outbuf_latency (request queued until written to the socket)
 * and rtt (written until its response arrived), all in µs. The sums give
 * exact means; p50/p99 are the windows' own, weighted by their counts. */
enum { CL_INT, CL_OUTBUF, CL_RTT, CL_N };
static const char *const cl_names[CL_N] = { "int_latency", "outbuf_latency", "rtt" };

struct client_lat {
	double sum[CL_N], cnt[CL_N], p50w[CL_N], p99w[CL_N];
	long windows;
};

static double json_num(const char *obj, const char *end, const char *key)
{
	char k[32];
	snprintf(k, sizeof k, "\"%s\":", key);
	const char *at = strstr(obj, k);
	return at && at < end ? strtod(at + strlen(k), NULL) : 0;
}

/* Adds every broker's windows of one statistics JSON document. */
static void client_lat_add(struct client_lat *cl, const char *json)
{
	const char *b = strstr(json, "\"brokers\":");
	cl->windows++;
	for (const char *n = b; n && (n = strstr(n, "\"nodeid\":")); n++) {
		for (int i = 0; i < CL_N; i++) {
			char k[40];
			snprintf(k, sizeof k, "\"%s\":", cl_names[i]);
			const char *o = strstr(n, k), *end = o ? strchr(o, '}') : NULL;
			if (!end)
				continue;
			double cnt = json_num(o, end, "cnt");
			cl->sum[i] += json_num(o, end, "sum");
			cl->cnt[i] += cnt;
			cl->p50w[i] += cnt * json_num(o, end, "p50");
			cl->p99w[i] += cnt * json_num(o, end, "p99");
		}
	}
}

static int on_stats(rd_kafka_t *rk, char *json, size_t len, void *opaque)
{
	struct lat_run *r = opaque;
	(void)rk;
	(void)len;
	if (r->cl)
		client_lat_add(r->cl, json);
	return 0;
}

static void client_lat_print(const struct client_lat *cl)
{
	printf("  client:");
	for (int i = 0; i < CL_N; i++) {
		double c = cl->cnt[i] > 0 ? cl->cnt[i] : 1;
		printf(" %s mean %.0f p50~%.0f p99~%.0f us (%.0f)%s", cl_names[i], cl->sum[i] / c,
		       cl->p50w[i] / c, cl->p99w[i] / c, cl->cnt[i], i + 1 < CL_N ? ";" : "\n");
	}
}

static void on_lat_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
	struct lat_run *r = opaque;
	(void)rk;
	if (m->err) {
		r->failed++;
		return;
	}
	long i = (long)(intptr_t)m->_private;
	r->lat[r->nlat++] = now_s() - r->sent[i];
}

static double pct(const double *v, long n, double p)
{
	if (n == 0)
		return 0;
	long i = (long)(p * (double)n);
	return v[i < n ? i : n - 1];
}

/* RESULT lines of one latency run: delivered msg/s and percentiles in ms
 * of the sorted latencies LAT (seconds). */
static void latency_results(const struct bench_opts *o, const char *what, long rate,
			    double delivered, const double *lat, long n)
{
	static const struct { const char *key; double p; } ps[] = {
		{ "p50_ms", 0.5 }, { "p99_ms", 0.99 }, { "p999_ms", 0.999 } };
	char key[64];
	snprintf(key, sizeof key, "%s%ld.delivered", what, rate);
	result(o, key, delivered);
	for (size_t i = 0; i < sizeof ps / sizeof ps[0]; i++) {
		snprintf(key, sizeof key, "%s%ld.%s", what, rate, ps[i].key);
		result(o, key, pct(lat, n, ps[i].p) * 1e3);
	}
}

static int open_loop_rate(rd_kafka_t *rk, rd_kafka_topic_t *rkt, struct lat_run *r,
			  const struct bench_opts *o, long rate, const char *payload)
{
	long n = rate * o->duration_s;
	struct client_lat cl = { 0 };
	r->nlat = r->failed = 0;
	rd_kafka_poll(rk, 0); /* a window of the previous rate goes to it */
	r->cl = o->client_stats ? &cl : NULL;
	double t0 = now_s() + 0.01, end;
	long i = 0;
	while (i < n) {
		double now = now_s();
		long due = (long)((now - t0) * (double)rate) + 1;
		if (due > n)
			due = n;
		for (; i < due; i++) {
			r->sent[i] = t0 + (double)i / (double)rate;
			if (rd_kafka_produce(rkt, (int32_t)(i % o->partitions), 0, (void *)payload,
					     (size_t)o->size, NULL, 0, (void *)(intptr_t)i) == -1)
				r->failed++;
		}
		rd_kafka_poll(rk, 0);
		double next = t0 + (double)i / (double)rate;
		if (next - now_s() > 0.0002)
			usleep(100);
	}
	end = now_s();
	double deadline = end + 60;
	while (r->nlat + r->failed < n && now_s() < deadline)
		rd_kafka_poll(rk, 5);
	double last = now_s();
	qsort(r->lat, (size_t)r->nlat, sizeof r->lat[0], cmp_double);
	printf("open loop acks=%d %6ld msg/s: delivered %7.0f msg/s  p50 %8.2f ms  p99 %8.2f ms  "
	       "p99.9 %8.2f ms  max %8.2f ms  (%ld msgs, %ld failed)\n", o->acks, rate,
	       (double)r->nlat / (last - t0), pct(r->lat, r->nlat, 0.5) * 1e3,
	       pct(r->lat, r->nlat, 0.99) * 1e3, pct(r->lat, r->nlat, 0.999) * 1e3,
	       r->nlat ? r->lat[r->nlat - 1] * 1e3 : 0.0, r->nlat, r->failed);
	latency_results(o, "open", rate, (double)r->nlat / (last - t0), r->lat, r->nlat);
	if (r->cl) {
		/* the window holding the run's last responses */
		for (long w = r->cl->windows; r->cl->windows == w && now_s() < last + 1.5;)
			rd_kafka_poll(rk, 50);
		client_lat_print(r->cl);
		r->cl = NULL;
	}
	fflush(stdout);
	return r->failed ? -1 : 0;
}

static int bench_open_loop(struct bench_opts *o)
{
	char err[256], acks[8];
	snprintf(acks, sizeof acks, "%d", o->acks);
	const char *kv[] = { "request.required.acks", acks, "linger.ms", "0",
			     "queue.buffering.max.messages", "2000000",
			     "message.timeout.ms", "60000", "enable.idempotence",
			     o->idempotent ? "true" : "false", NULL };
	long maxrate = 0;
	for (const char *p = o->open_loop; p && *p;) {
		long r = strtol(p, (char **)&p, 10);
		maxrate = r > maxrate ? r : maxrate;
		p += *p == ',';
	}
	struct lat_run run = { 0 };
	long cap = maxrate * o->duration_s + 1;
	run.sent = calloc((size_t)cap, sizeof *run.sent);
	run.lat = calloc((size_t)cap, sizeof *run.lat);
	rd_kafka_conf_t *conf = conf_new(o, kv);
	if (!conf || !run.sent || !run.lat)
		return -1;
	rd_kafka_conf_set_dr_msg_cb(conf, on_lat_delivery);
	rd_kafka_conf_set_opaque(conf, &run);
	if (o->client_stats &&
	    rd_kafka_conf_set(conf, "statistics.interval.ms", "1000", err, sizeof err) == 0)
		rd_kafka_conf_set_stats_cb(conf, on_stats);
	rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
	if (!rk)
		return -1;
	int parts = topic_wait_ready(rk, o);
	if (parts < 0) {
		rd_kafka_destroy(rk);
		return -1;
	}
	o->partitions = parts;
	char *payload = malloc((size_t)o->size);
	fill_payload(payload, o->size, 0);
	rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, o->topic, NULL);
	/* warm-up: connections and leaders known before the clock runs */
	run.sent[0] = now_s();
	for (int p = 0; p < parts; p++)
		rd_kafka_produce(rkt, p, 0, payload, (size_t)o->size, NULL, 0, (void *)(intptr_t)0);
	rd_kafka_flush(rk, 10000);
	/* latency on a shared machine says little without its load */
	FILE *la = fopen("/proc/loadavg", "r");
	char load[64] = "?";
	if (la) {
		if (!fgets(load, sizeof load, la))
			snprintf(load, sizeof load, "?");
		fclose(la);
	}
	printf("open loop: linger 0, %d partitions, %d s per rate, load average %s",
	       parts, o->duration_s, load);
	int rc = 0;
	for (const char *p = o->open_loop; p && *p;) {
		long rate = strtol(p, (char **)&p, 10);
		p += *p == ',';
		if (rate > 0 && open_loop_rate(rk, rkt, &run, o, rate, payload) < 0)
			rc = -1;
	}
	rd_kafka_topic_destroy(rkt);
	rd_kafka_destroy(rk);
	free(payload);
	free(run.sent);
	free(run.lat);
	return rc;
}

/* ---- end-to-end latency ------------------------------------------------ */

/* A producer sends on schedule (open loop, linger 0, acks as given) and a
 * consumer in the same process receives: each message carries its scheduled
 * send time (CLOCK_MONOTONIC, one clock for both ends), and its latency is
 * the receive time minus that. Warm-up messages carry 0 and are not counted. */
struct e2e_run {
	double *lat;
	long cap;
	_Atomic long nlat;
	_Atomic long warm_seen;
	_Atomic int stop;
	rd_kafka_queue_t *q;
};

static void *e2e_consume(void *p)
{
	struct e2e_run *r = p;
	while (!atomic_load(&r->stop)) {
		rd_kafka_message_t *m = rd_kafka_consume_queue(r->q, 100);
		if (!m)
			continue;
		double sent;
		if (!m->err && m->len >= sizeof sent) {
			memcpy(&sent, m->payload, sizeof sent);
			long n = atomic_load(&r->nlat);
			if (sent == 0)
				atomic_fetch_add(&r->warm_seen, 1);
			else if (n < r->cap) {
				r->lat[n] = now_s() - sent;
				atomic_store(&r->nlat, n + 1);
			}
		}
		rd_kafka_message_destroy(m);
	}
	return NULL;
}

static rd_kafka_t *e2e_consumer(const struct bench_opts *o, rd_kafka_topic_t **rkt,
				struct e2e_run *r)
{
	char err[256];
	/* fetch.wait.max.ms only bounds an empty fetch: data answers at once */
	const char *kv[] = { "enable.auto.commit", "false", "fetch.wait.max.ms", "100",
			     "fetch.error.backoff.ms", "10", NULL };
	rd_kafka_conf_t *conf = conf_new(o, kv);
	rd_kafka_t *rk = conf ? rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err) : NULL;
	if (!rk)
		return NULL;
	*rkt = rd_kafka_topic_new(rk, o->topic, NULL);
	r->q = rd_kafka_queue_new(rk);
	for (int p = 0; p < o->partitions; p++)
		rd_kafka_consume_start_queue(*rkt, p, RD_KAFKA_OFFSET_END, r->q);
	return rk;
}

/* Warm-up until the consumer has seen a message of every round: fetchers
 * running and offsets resolved before the clock starts. */
static int e2e_warm_up(rd_kafka_t *rk, rd_kafka_topic_t *rkt, const struct bench_opts *o,
		       struct e2e_run *r, char *payload)
{
	double zero = 0, deadline = now_s() + 30;
	memcpy(payload, &zero, sizeof zero);
	while (now_s() < deadline) {
		for (int p = 0; p < o->partitions; p++)
			rd_kafka_produce(rkt, p, RD_KAFKA_MSG_F_COPY, payload, (size_t)o->size, NULL,
					 0, NULL);
		rd_kafka_flush(rk, 5000);
		usleep(300 * 1000);
		if (atomic_load(&r->warm_seen) >= 2L * o->partitions)
			return 0;
	}
	return -1;
}

static int bench_e2e(struct bench_opts *o)
{
	char err[256], acks[8];
	snprintf(acks, sizeof acks, "%d", o->acks);
	const char *kv[] = { "request.required.acks", acks, "linger.ms", "0",
			     "queue.buffering.max.messages", "2000000",
			     "message.timeout.ms", "60000", NULL };
	struct e2e_run r = { .cap = o->e2e_rate * o->duration_s };
	r.lat = calloc((size_t)r.cap + 1, sizeof *r.lat);
	rd_kafka_conf_t *conf = conf_new(o, kv);
	rd_kafka_t *rk = conf ? rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err) : NULL;
	if (!rk || !r.lat || o->size < (int)sizeof(double))
		return -1;
	int parts = topic_wait_ready(rk, o), rc = -1;
	rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, o->topic, NULL), *crkt = NULL;
	char *payload = calloc(1, (size_t)o->size);
	o->partitions = parts > 0 ? parts : o->partitions;
	rd_kafka_t *crk = parts > 0 ? e2e_consumer(o, &crkt, &r) : NULL;
	pthread_t th;
	if (!crk || pthread_create(&th, NULL, e2e_consume, &r))
		goto out_nothread;
	if (e2e_warm_up(rk, rkt, o, &r, payload)) {
		fprintf(stderr, "e2e: consumer saw no warm-up messages in 30 s\n");
		goto out;
	}
	long n = r.cap, i = 0;
	double t0 = now_s() + 0.01;
	while (i < n) {
		long due = (long)((now_s() - t0) * (double)o->e2e_rate) + 1;
		for (due = due > n ? n : due; i < due; i++) {
			double at = t0 + (double)i / (double)o->e2e_rate;
			memcpy(payload, &at, sizeof at);
			rd_kafka_produce(rkt, (int32_t)(i % parts), RD_KAFKA_MSG_F_COPY, payload,
					 (size_t)o->size, NULL, 0, NULL);
		}
		rd_kafka_poll(rk, 0);
		if (t0 + (double)i / (double)o->e2e_rate - now_s() > 0.0002)
			usleep(100);
	}
	double deadline = now_s() + 30;
	while (atomic_load(&r.nlat) < n && now_s() < deadline)
		rd_kafka_poll(rk, 5);
	double last = now_s();
	long got = atomic_load(&r.nlat);
	qsort(r.lat, (size_t)got, sizeof r.lat[0], cmp_double);
	printf("end-to-end acks=%d %6ld msg/s: received %7.0f msg/s  p50 %8.2f ms  p99 %8.2f ms  "
	       "p99.9 %8.2f ms  (%ld of %ld msgs)\n", o->acks, o->e2e_rate, (double)got / (last - t0),
	       pct(r.lat, got, 0.5) * 1e3, pct(r.lat, got, 0.99) * 1e3, pct(r.lat, got, 0.999) * 1e3,
	       got, n);
	latency_results(o, "e2e", o->e2e_rate, (double)got / (last - t0), r.lat, got);
	rc = got == n ? 0 : -1;
out:
	atomic_store(&r.stop, 1);
	pthread_join(th, NULL);
out_nothread:
	if (crk) {
		for (int p = 0; p < o->partitions; p++)
			rd_kafka_consume_stop(crkt, p);
		rd_kafka_queue_destroy(r.q);
		rd_kafka_topic_destroy(crkt);
		rd_kafka_destroy(crk);
	}
	rd_kafka_topic_destroy(rkt);
	rd_kafka_destroy(rk);
	free(payload);
	free(r.lat);
	return rc;
}

/* Closed loop acks as given: plain, idempotent, plain, idempotent. */
static int bench_idempotence_ratio(struct bench_opts *o)
{
	double plain = 0, idem = 0;
	for (int round = 0; round < 4; round++) {
		o->idempotent = round & 1;
		if (bench_produce(o))
			return -1;
		*(o->idempotent ? &idem : &plain) += o->last_rate / 2;
	}
	printf("idempotent / plain (acks=%d, mean of 2 runs each): %.2f  (%.0f / %.0f msg/s)\n",
	       o->acks, plain > 0 ? idem / plain : 0, idem, plain);
	return 0;
}

static void usage(const char *argv0)
{
	fprintf(stderr,
		"usage: %s --bootstrap B [--topic T] [--count N] [--size S] [--partitions P]\n"
		"          [--replication R] [--acks A] [--timeout SECONDS] [--no-create]\n"
		"          [--fsync-dir DIR] [--skip-machine | --machine-only]\n"
		"          [--compression none|gzip|snappy|lz4|zstd] [--payload fill|text]\n"
		"          [--open-loop RATE,RATE,... [--duration S] [--idempotent]\n"
		"           [--client-stats]]\n"
		"          [--idempotence-ratio] [--e2e RATE [--duration S]]\n"
		"          [--mock BROKERS] [--chunk N] [--produce-only | --consume-only]\n"
		"          [--label L]\n"
		"  --open-loop: linger 0, messages sent on schedule at each rate for S\n"
		"   seconds (default 5); prints delivered rate and latency percentiles\n"
		"  --client-stats: with --open-loop, also librdkafka's own breakdown\n"
		"   per rate (internal queue, output buffer, request round trip)\n"
		"  --idempotence-ratio: closed-loop produce, plain and idempotent twice\n"
		"  --e2e: open loop, linger 0, and a consumer in this process: latency\n"
		"   from scheduled send to receipt\n"
		"  --mock: librdkafka's in-process mock cluster instead of --bootstrap\n"
		"  --chunk: consecutive messages to one partition (default 1000)\n"
		"  --consume-only: read --count messages of an existing topic\n"
		"   (--partitions of them) from its start\n"
		"  --label: also print \"RESULT L.key value\" lines\n"
		"          [--client-config FILE]  (librdkafka properties, e.g. TLS)\n"
		"  (librdkafka 2.0.2 compresses with gzip/snappy/lz4 only if the broker\n"
		"   lists Produce v0, which Gregor does)\n",
		argv0);
}

static int parse_args(int argc, char **argv, struct bench_opts *o)
{
	static char topic_buf[64];
	snprintf(topic_buf, sizeof topic_buf, "bench-%ld", (long)time(NULL));
	const char *tmp = getenv("TMPDIR");
	*o = (struct bench_opts){ .bootstrap = getenv("BOOTSTRAP"), .topic = topic_buf,
				  .count = 1000000, .size = 100, .partitions = 3, .replication = 3,
				  .acks = 1, .timeout_s = 600, .fsync_dir = tmp ? tmp : "/tmp",
				  .compression = "none", .duration_s = 5,
				  .chunk = CHUNK_PER_PARTITION };
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--no-create")) { o->no_create = 1; continue; }
		if (!strcmp(a, "--skip-machine")) { o->skip_machine = 1; continue; }
		if (!strcmp(a, "--machine-only")) { o->machine_only = 1; continue; }
		if (!strcmp(a, "--idempotent")) { o->idempotent = 1; continue; }
		if (!strcmp(a, "--idempotence-ratio")) { o->idempotence_ratio = 1; continue; }
		if (!strcmp(a, "--produce-only")) { o->produce_only = 1; continue; }
		if (!strcmp(a, "--consume-only")) { o->consume_only = 1; o->no_create = 1; continue; }
		if (!strcmp(a, "--client-stats")) { o->client_stats = 1; continue; }
		if (!v)
			return -1;
		if (!strcmp(a, "--bootstrap")) o->bootstrap = v;
		else if (!strcmp(a, "--topic")) o->topic = v;
		else if (!strcmp(a, "--count")) o->count = atol(v);
		else if (!strcmp(a, "--size")) o->size = atoi(v);
		else if (!strcmp(a, "--partitions")) o->partitions = atoi(v);
		else if (!strcmp(a, "--replication")) o->replication = atoi(v);
		else if (!strcmp(a, "--acks")) o->acks = atoi(v);
		else if (!strcmp(a, "--timeout")) o->timeout_s = atoi(v);
		else if (!strcmp(a, "--fsync-dir")) o->fsync_dir = v;
		else if (!strcmp(a, "--compression")) o->compression = v;
		else if (!strcmp(a, "--open-loop")) o->open_loop = v;
		else if (!strcmp(a, "--duration")) o->duration_s = atoi(v);
		else if (!strcmp(a, "--client-config")) o->client_config = v;
		else if (!strcmp(a, "--mock")) o->mock = atoi(v);
		else if (!strcmp(a, "--chunk")) o->chunk = atoi(v);
		else if (!strcmp(a, "--e2e")) o->e2e_rate = atol(v);
		else if (!strcmp(a, "--label")) o->label = v;
		else if (!strcmp(a, "--payload") && (!strcmp(v, "fill") || !strcmp(v, "text")))
			o->text_payload = !strcmp(v, "text");
		else return -1;
		i++;
	}
	if (!o->machine_only && !o->mock && (!o->bootstrap || !*o->bootstrap))
		return -1;
	if ((o->mock && o->consume_only) || (o->produce_only && o->consume_only))
		return -1;
	if (o->mock < 0 || o->mock > 16 || o->chunk < 1 || o->e2e_rate < 0 ||
	    o->e2e_rate > 1000000)
		return -1;
	if (o->count < 1 || o->size < 1 || o->size > MAX_SIZE || o->partitions < 1 ||
	    o->partitions > MAX_PARTITIONS || o->replication < 1 || o->acks < -1 || o->acks > 1 ||
	    o->timeout_s < 1 || o->duration_s < 1 || o->duration_s > 600)
		return -1;
	return 0;
}

static rd_kafka_mock_cluster_t *mock_start(struct bench_opts *o);
static int bench_run(struct bench_opts *o);

int main(int argc, char **argv)
{
	struct bench_opts o;
	if (parse_args(argc, argv, &o)) {
		usage(argv[0]);
		return 2;
	}
	if (!o.skip_machine) {
		measure_loopback();
		measure_sendfile(o.fsync_dir);
		measure_fsync(o.fsync_dir);
	}
	if (o.machine_only)
		return 0;
	/* only a closed-loop run reads its messages back */
	int reads_back = !o.produce_only && !o.open_loop && !o.e2e_rate && !o.idempotence_ratio;
	long need = o.mock && reads_back ? mock_partitions_needed(&o) : 0;
	if (need) {
		fprintf(stderr, "bench: the mock keeps 5 MiB per partition: reading %ld messages "
			"back needs %s%ld partitions (or --produce-only)\n", o.count,
			need < 0 ? "a smaller --chunk or more than " : "", need < 0 ? 0 : need);
		return 2;
	}
	rd_kafka_mock_cluster_t *mc = o.mock ? mock_start(&o) : NULL;
	if (o.mock && !mc)
		return 1;
	int rc = bench_run(&o);
	if (mc) {
		rd_kafka_t *mock_rk = rd_kafka_mock_cluster_handle(mc);
		rd_kafka_mock_cluster_destroy(mc);
		rd_kafka_destroy(mock_rk);
	}
	return rc;
}

/* librdkafka's mock cluster, run by a handle of its own in this process:
 * the client's ceiling, with no network stack between processes and no
 * storage. Its topic is made through the mock API (no CreateTopics). */
static rd_kafka_mock_cluster_t *mock_start(struct bench_opts *o)
{
	char err[256];
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	/* this handle only hosts the cluster: no bootstrap, so no warning */
	rd_kafka_conf_set(conf, "log_level", "3", err, sizeof err);
	rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
	rd_kafka_mock_cluster_t *mc = rk ? rd_kafka_mock_cluster_new(rk, o->mock) : NULL;
	if (!mc || rd_kafka_mock_topic_create(mc, o->topic, o->partitions,
					      o->replication < o->mock ? o->replication : o->mock)) {
		fprintf(stderr, "bench: mock cluster: %s\n", rk ? "could not start" : err);
		if (rk)
			rd_kafka_destroy(rk);
		return NULL;
	}
	static char bootstrap[512];
	snprintf(bootstrap, sizeof bootstrap, "%s", rd_kafka_mock_cluster_bootstraps(mc));
	o->bootstrap = bootstrap;
	o->no_create = 1;
	return mc;
}

static int bench_run(struct bench_opts *o)
{
	printf("kafka: bootstrap=%s topic=%s count=%ld size=%d partitions=%d acks=%d "
	       "compression=%s payload=%s%s%s\n", o->bootstrap, o->topic, o->count, o->size,
	       o->partitions, o->acks, o->compression, o->text_payload ? "text" : "fill",
	       o->client_config ? " client-config=" : "", o->client_config ? o->client_config : "");
	fflush(stdout);
	if (!o->no_create && topic_create(o)) {
		fprintf(stderr, "bench: could not create topic %s\n", o->topic);
		return 1;
	}
	if (o->open_loop)
		return bench_open_loop(o) ? 1 : 0;
	if (o->e2e_rate)
		return bench_e2e(o) ? 1 : 0;
	if (o->idempotence_ratio)
		return bench_idempotence_ratio(o) ? 1 : 0;
	if (!o->consume_only && bench_produce(o))
		return 1;
	fflush(stdout);
	if (o->produce_only)
		return 0;
	if (bench_consume(o))
		return 1;
	return 0;
}
