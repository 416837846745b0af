/* What parked delayed operations cost the appends of other partitions.
 * In-process: one broker's replica manager with N partitions this broker
 * leads (replicas {0,1}, ISR {0,1}, the follower never fetches, so the high
 * watermark stays put), M warm-up appends, W acks=all internal appends
 * parked on each partition, then:
 *   1. M appends to one partition while N*W waiters are parked;
 *   2. the follower catches up on each partition in turn, which moves its
 *      high watermark and completes that partition's waiters;
 *   3. M appends to the same partition with nothing parked.
 * Prints the cost per append with and without waiters (median of 5 rounds)
 * and per completed waiter. Figures only: no assertion on time. */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "broker/broker.h"
#include "broker/config.h"
#include "broker/metadata_cache.h"
#include "broker/metrics.h"
#include "broker/replica/replica_manager.h"
#include "common/log.h"
#include "common/proto/record_batch.h"

#define TOPIC "bench"

static uint8_t batch_tmpl[256];
static size_t batch_len;
static long completed;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void on_done(void *arg, int16_t kerr, int64_t base)
{
	(void)arg;
	(void)base;
	if (kerr == 0)
		completed++;
}

static int rm_cb(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return remove(path);
}

static int lead_partitions(struct replica_manager *rm, int n)
{
	static const int32_t reps[2] = { 0, 1 };
	for (int i = 0; i < n; i++) {
		struct rm_partition_state s = { .topic = TOPIC, .tlen = (int32_t)strlen(TOPIC),
						.index = i, .leader = 0, .leader_epoch = 1,
						.controller_epoch = 1, .replicas = reps,
						.isr = reps, .nreplicas = 2, .nisr = 2 };
		if (rm_apply_leader_and_isr(rm, &s) != 0)
			return -1;
	}
	return 0;
}

/* M appends to partition 0; returns seconds per append. */
static double time_appends(struct replica_manager *rm, int m)
{
	struct partition *p = rm_get(rm, TOPIC, (int32_t)strlen(TOPIC), 0);
	uint8_t buf[sizeof batch_tmpl];
	double t0 = now_s();
	for (int i = 0; i < m; i++) {
		memcpy(buf, batch_tmpl, batch_len);
		int64_t base;
		if (rm_append(rm, p, buf, batch_len, &base) != 0) {
			fprintf(stderr, "append failed\n");
			exit(1);
		}
	}
	return (now_s() - t0) / m;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* The median of 5 rounds of M appends: the machine is shared and noisy. */
static double median_appends(struct replica_manager *rm, int m)
{
	double r[5];
	for (int i = 0; i < 5; i++)
		r[i] = time_appends(rm, m);
	qsort(r, 5, sizeof r[0], cmp_double);
	return r[2];
}

static void park(struct replica_manager *rm, int n, int w)
{
	uint8_t buf[sizeof batch_tmpl];
	for (int i = 0; i < n; i++)
		for (int j = 0; j < w; j++) {
			memcpy(buf, batch_tmpl, batch_len);
			rm_append_internal(rm, TOPIC, i, buf, batch_len, 1, 600000, on_done, NULL);
		}
}

/* The follower reaches each partition's log end: its waiters complete. */
static double time_completions(struct broker *b, int n)
{
	double t0 = now_s();
	for (int i = 0; i < n; i++) {
		struct partition *p = rm_get(b->rm, TOPIC, (int32_t)strlen(TOPIC), i);
		rm_follower_fetched(b->rm, p, 1, partition_log_end(p), loop_now_ms(b->loop));
	}
	return now_s() - t0;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 1000, w = argc > 2 ? atoi(argv[2]) : 1;
	int m = argc > 3 ? atoi(argv[3]) : 2000;
	if (n < 1 || w < 1 || m < 1) {
		fprintf(stderr, "usage: %s [partitions] [waiters per partition] [appends]\n", argv[0]);
		return 2;
	}
	log_set_level(LOG_WARN);
	char dir[] = "/tmp/gregor-waiters-XXXXXX";
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	struct broker_config cfg;
	broker_config_defaults(&cfg);
	struct broker b = { .cfg = &cfg, .id = 0 };
	b.loop = loop_new();
	if (!b.loop)
		return 1;
	purg_init(&b.purgatory, b.loop);
	b.meta = mc_new();
	b.metrics = metrics_new();
	strmap_init(&b.topic_configs);
	struct log_config lc;
	broker_config_log(&cfg, &lc);
	b.rm = rm_new(&b, dir, &lc);
	struct rb_build_record rec = { "k", 1, "value-of-sixteen", 16 };
	int64_t len = rb_build(batch_tmpl, sizeof batch_tmpl, &rec, 1, 1700000000000, 0, -1, -1, -1);
	if (!b.loop || !b.rm || len <= 0 || rm_load(b.rm) < 0 || lead_partitions(b.rm, n) < 0) {
		fprintf(stderr, "set-up failed\n");
		return 1;
	}
	batch_len = (size_t)len;
	rm_start(b.rm); /* its timers, which rm_free stops */
	time_appends(b.rm, m); /* warm: the segment's pages, the caches */
	park(b.rm, n, w);
	double parked = median_appends(b.rm, m);
	double all = time_completions(&b, n);
	double idle = median_appends(b.rm, m);
	printf("partitions %d, acks=all waiters parked %d (%d per partition), appends %d\n",
	       n, n * w, w, m);
	printf("append to one partition, %d waiters parked: %.2f us per append\n", n * w,
	       parked * 1e6);
	printf("append to one partition, none parked:     %.2f us per append\n", idle * 1e6);
	printf("waiter cost per append:                   %.2f us\n", (parked - idle) * 1e6);
	printf("completing waiters, one partition at a time: %.2f us per completed waiter "
	       "(%ld of %d completed)\n", completed ? all * 1e6 / (double)completed : 0.0,
	       completed, n * w);
	printf("waiter checks (try_complete calls) in all: %lld\n",
	       (long long)b.purgatory.checks);
	rm_free(b.rm);
	purg_free(&b.purgatory);
	nftw(dir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	return completed == (long)n * w ? 0 : 1;
}
