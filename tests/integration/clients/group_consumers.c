/* group_consumers: three librdkafka group consumers (forked processes) share
 * a 6-partition topic of --messages messages; once a third of them has been
 * consumed one consumer is SIGKILLed. The survivors must take over its
 * partitions from the committed offsets so that every message is consumed
 * at least once. Consumers commit synchronously after processing every
 * --batch messages and when partitions are revoked, so an orderly rebalance
 * repeats nothing and a killed consumer repeats at most the batch it had not
 * committed: the run fails on any missing message and on more than
 * batch x kills duplicates. Prints consumed/duplicates/missing.
 * The victim is the consumer that has read the most so far.
 *
 *   group_consumers [--bootstrap H:P] [--messages N] [--timeout S] [--batch B]
 * BOOTSTRAP in the environment is used when --bootstrap is absent. */
#include <errno.h>
#include <fcntl.h>
#include <librdkafka/rdkafka.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NCONSUMERS 3
#define NPARTITIONS 6

static const char *bootstrap;
static long nmsgs = 100000;
static int timeout_s = 180;
static long batch = 100;
static char topic[64], group[64], dir[256];
static volatile sig_atomic_t stop;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Eager rebalancing: what was processed is committed before the partitions
 * go, so their next owner starts right after it. */
static void on_rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t err,
			 rd_kafka_topic_partition_list_t *parts, void *opaque)
{
	(void)opaque;
	if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
		rd_kafka_assign(rk, parts);
		return;
	}
	rd_kafka_resp_err_t cerr = rd_kafka_commit(rk, NULL, 0);
	if (cerr && cerr != RD_KAFKA_RESP_ERR__NO_OFFSET)
		fprintf(stderr, "group_consumers: commit on revoke: %s\n", rd_kafka_err2str(cerr));
	rd_kafka_assign(rk, NULL);
}

static rd_kafka_t *client(rd_kafka_type_t type, int consumer)
{
	char err[256];
	rd_kafka_conf_t *c = rd_kafka_conf_new();
	rd_kafka_conf_set(c, "bootstrap.servers", bootstrap, err, sizeof err);
	if (type == RD_KAFKA_PRODUCER) {
		rd_kafka_conf_set(c, "acks", "all", err, sizeof err);
		rd_kafka_conf_set(c, "linger.ms", "5", err, sizeof err);
	}
	if (consumer) {
		rd_kafka_conf_set(c, "group.id", group, err, sizeof err);
		rd_kafka_conf_set(c, "auto.offset.reset", "earliest", err, sizeof err);
		rd_kafka_conf_set(c, "session.timeout.ms", "6000", err, sizeof err);
		rd_kafka_conf_set(c, "heartbeat.interval.ms", "1000", err, sizeof err);
		rd_kafka_conf_set(c, "enable.auto.commit", "false", err, sizeof err);
		rd_kafka_conf_set_rebalance_cb(c, on_rebalance);
	}
	rd_kafka_t *rk = rd_kafka_new(type, c, err, sizeof err);
	if (!rk)
		fprintf(stderr, "group_consumers: rd_kafka_new: %s\n", err);
	return rk;
}

static int create_topic(void)
{
	rd_kafka_t *rk = client(RD_KAFKA_PRODUCER, 0);
	if (!rk)
		return -1;
	char err[256];
	rd_kafka_NewTopic_t *nt = rd_kafka_NewTopic_new(topic, NPARTITIONS, 3, err, sizeof err);
	rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
	rd_kafka_CreateTopics(rk, &nt, 1, NULL, q);
	rd_kafka_event_t *ev = rd_kafka_queue_poll(q, 30000);
	int rc = -1;
	if (ev) {
		size_t n;
		const rd_kafka_topic_result_t **res =
			rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
		rc = n == 1 && rd_kafka_topic_result_error(res[0]) == RD_KAFKA_RESP_ERR_NO_ERROR ? 0 : -1;
		if (rc)
			fprintf(stderr, "group_consumers: create topic: %s\n",
				n ? rd_kafka_err2str(rd_kafka_topic_result_error(res[0])) : "no result");
		rd_kafka_event_destroy(ev);
	}
	rd_kafka_NewTopic_destroy(nt);
	rd_kafka_queue_destroy(q);
	rd_kafka_destroy(rk);
	return rc;
}

static int produce_all(void)
{
	rd_kafka_t *rk = client(RD_KAFKA_PRODUCER, 0);
	if (!rk)
		return -1;
	char buf[32];
	for (long i = 0; i < nmsgs; i++) {
		int n = snprintf(buf, sizeof buf, "m%07ld", i);
		while (rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_VALUE(buf, (size_t)n),
					 RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END) ==
		       RD_KAFKA_RESP_ERR__QUEUE_FULL)
			rd_kafka_poll(rk, 10);
		rd_kafka_poll(rk, 0);
	}
	int left = rd_kafka_flush(rk, 60000) == RD_KAFKA_RESP_ERR_NO_ERROR ? 0 : -1;
	rd_kafka_destroy(rk);
	return left;
}

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

/* Child: consume and record every message id with one write(2) each, so a
 * SIGKILL loses nothing that was handed to us. */
static int consumer_main(int idx)
{
	char path[300];
	snprintf(path, sizeof path, "%s/consumer-%d.txt", dir, idx);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
	rd_kafka_t *rk = fd >= 0 ? client(RD_KAFKA_CONSUMER, 1) : NULL;
	if (!rk)
		return 1;
	signal(SIGTERM, on_term);
	rd_kafka_poll_set_consumer(rk);
	rd_kafka_topic_partition_list_t *sub = rd_kafka_topic_partition_list_new(1);
	rd_kafka_topic_partition_list_add(sub, topic, RD_KAFKA_PARTITION_UA);
	rd_kafka_subscribe(rk, sub);
	rd_kafka_topic_partition_list_destroy(sub);
	double end = now_s() + timeout_s;
	long uncommitted = 0;
	while (!stop && now_s() < end) {
		rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 200);
		if (!m)
			continue;
		if (!m->err && m->len < 30) {
			char line[40];
			memcpy(line, m->payload, m->len);
			line[m->len] = '\n';
			if (write(fd, line, m->len + 1) < 0)
				stop = 1;
			usleep(200); /* a slow consumer: the kill lands mid-stream */
			if (++uncommitted >= batch) {
				rd_kafka_resp_err_t cerr = rd_kafka_commit(rk, NULL, 0);
				if (cerr)
					fprintf(stderr, "group_consumers: commit: %s\n",
						rd_kafka_err2str(cerr));
				uncommitted = 0;
			}
		}
		rd_kafka_message_destroy(m);
	}
	rd_kafka_consumer_close(rk);
	rd_kafka_destroy(rk);
	close(fd);
	return 0;
}

static long count_lines(int idx)
{
	char path[300];
	snprintf(path, sizeof path, "%s/consumer-%d.txt", dir, idx);
	FILE *f = fopen(path, "r");
	long n = 0;
	for (int c; f && (c = fgetc(f)) != EOF;)
		n += c == '\n';
	if (f)
		fclose(f);
	return n;
}

/* Fills seen[] from every consumer's file; returns the number of lines. */
static long tally(unsigned char *seen, long *distinct)
{
	long lines = 0;
	*distinct = 0;
	memset(seen, 0, (size_t)nmsgs);
	for (int i = 0; i < NCONSUMERS; i++) {
		char path[300], line[64];
		snprintf(path, sizeof path, "%s/consumer-%d.txt", dir, i);
		FILE *f = fopen(path, "r");
		while (f && fgets(line, sizeof line, f)) {
			long id;
			if (sscanf(line, "m%ld", &id) != 1 || id < 0 || id >= nmsgs)
				continue;
			lines++;
			if (seen[id] < 255 && seen[id]++ == 0)
				(*distinct)++;
		}
		if (f)
			fclose(f);
	}
	return lines;
}

static int parse_args(int argc, char **argv)
{
	bootstrap = getenv("BOOTSTRAP");
	for (int i = 1; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(argv[i], "--bootstrap") && v)
			bootstrap = argv[++i];
		else if (!strcmp(argv[i], "--messages") && v)
			nmsgs = atol(argv[++i]);
		else if (!strcmp(argv[i], "--timeout") && v)
			timeout_s = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--batch") && v)
			batch = atol(argv[++i]);
		else
			return -1;
	}
	return bootstrap && nmsgs > 0 && timeout_s > 0 && batch > 0 ? 0 : -1;
}

static void stop_children(pid_t *pids)
{
	for (int i = 0; i < NCONSUMERS; i++)
		if (pids[i] > 0)
			kill(pids[i], SIGTERM);
	for (int i = 0; i < NCONSUMERS; i++) {
		for (int k = 0; pids[i] > 0 && k < 300; k++) { /* 30 s each at most */
			if (waitpid(pids[i], NULL, WNOHANG) == pids[i]) {
				pids[i] = 0;
				break;
			}
			usleep(100000);
		}
		if (pids[i] > 0) {
			kill(pids[i], SIGKILL);
			waitpid(pids[i], NULL, 0);
		}
	}
}

/* Parent: waits for a third, kills the busiest consumer, waits for the rest. */
static int supervise(pid_t *pids, unsigned char *seen)
{
	double end = now_s() + timeout_s;
	int killed = 0;
	long lines = 0, distinct = 0;
	while (now_s() < end) {
		usleep(250000);
		long c = count_lines(0) + count_lines(1) + count_lines(2);
		if (!killed && c >= nmsgs / 3) {
			/* the busiest consumer: it surely holds partitions mid-stream */
			int v = 0;
			for (int i = 1; i < NCONSUMERS; i++)
				if (count_lines(i) > count_lines(v))
					v = i;
			fprintf(stderr, "group_consumers: %ld consumed, SIGKILL consumer %d (pid %d)\n", c,
				v, (int)pids[v]);
			kill(pids[v], SIGKILL);
			waitpid(pids[v], NULL, 0);
			pids[v] = 0;
			killed = 1;
		}
		if (killed && c >= nmsgs) {
			lines = tally(seen, &distinct);
			if (distinct == nmsgs)
				break;
		}
	}
	stop_children(pids);
	lines = tally(seen, &distinct);
	long dups = lines - distinct, bound = batch * killed;
	printf("consumed=%ld duplicates=%ld (bound %ld: batch %ld x %d kill) missing=%ld killed=%d "
	       "(per consumer %ld %ld %ld)\n",
	       lines, dups, bound, batch, killed, nmsgs - distinct, killed, count_lines(0),
	       count_lines(1), count_lines(2));
	if (dups > bound)
		fprintf(stderr, "group_consumers: FAIL: %ld duplicates exceed one batch per kill\n",
			dups);
	return killed && distinct == nmsgs && dups <= bound ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (parse_args(argc, argv) < 0) {
		fprintf(stderr, "usage: %s [--bootstrap H:P] [--messages N] [--timeout S] [--batch B]\n", argv[0]);
		return 2;
	}
	snprintf(topic, sizeof topic, "grp-%d", (int)getpid());
	snprintf(group, sizeof group, "grp-consumers-%d", (int)getpid());
	snprintf(dir, sizeof dir, "%s/group_consumers.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	unsigned char *seen = malloc((size_t)nmsgs);
	if (!seen || !mkdtemp(dir) || create_topic() < 0 || produce_all() < 0) {
		fprintf(stderr, "group_consumers: set-up failed\n");
		return 1;
	}
	fprintf(stderr, "group_consumers: produced %ld messages to %s\n", nmsgs, topic);
	pid_t pids[NCONSUMERS] = { 0 };
	for (int i = 0; i < NCONSUMERS; i++) {
		pids[i] = fork();
		if (pids[i] == 0)
			_exit(consumer_main(i));
	}
	int rc = supervise(pids, seen);
	for (int i = 0; i < NCONSUMERS; i++) {
		char path[300];
		snprintf(path, sizeof path, "%s/consumer-%d.txt", dir, i);
		unlink(path);
	}
	rmdir(dir);
	free(seen);
	return rc;
}
