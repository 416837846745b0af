/* acked_verify: reads every partition of a topic from its start to its high
 * watermark (simple consumer, no group) and checks that each acknowledged
 * (partition, offset, key) line of the ack files is in the log with exactly
 * that key, and that each record's value matches its key. Prints
 * "acknowledged=N lost=M duplicates=D ..."; exits 1 if anything is lost.
 */
#include <errno.h>
#include <inttypes.h>
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_PARTITIONS 256
#define MAX_RECORDS_PER_PARTITION 10000000
#define KEY_MAX 95

struct part_log {
	int64_t low, high;     /* watermarks when read */
	char **keys;           /* keys[offset - low]; NULL: no record read there */
	int64_t n_read;
};

struct verify_result {
	long acknowledged, lost, duplicates, corrupt, records;
};

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static rd_kafka_t *consumer_create(const char *bootstrap)
{
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	char err[256];
	rd_kafka_t *rk;

	if (rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap, err, sizeof(err)) ||
	    rd_kafka_conf_set(conf, "enable.partition.eof", "true", err, sizeof(err)) ||
	    rd_kafka_conf_set(conf, "check.crcs", "true", err, sizeof(err))) {
		fprintf(stderr, "acked_verify: %s\n", err);
		rd_kafka_conf_destroy(conf);
		return NULL;
	}
	rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof(err));
	if (!rk)
		fprintf(stderr, "acked_verify: rd_kafka_new: %s\n", err);
	return rk;
}

static int topic_partition_count(rd_kafka_t *rk, rd_kafka_topic_t *rkt)
{
	const struct rd_kafka_metadata *md;
	int n = -1, tries;

	for (tries = 0; tries < 10 && n < 0; tries++) {
		if (rd_kafka_metadata(rk, 0, rkt, &md, 5000) != RD_KAFKA_RESP_ERR_NO_ERROR)
			continue;
		if (md->topic_cnt == 1 && !md->topics[0].err)
			n = md->topics[0].partition_cnt;
		rd_kafka_metadata_destroy(md);
		if (n < 0)
			sleep(1);
	}
	return n;
}

/* The value of a drill record is "v" + key[1..] + "-" + padding. */
static int record_consistent(const rd_kafka_message_t *m)
{
	const char *k = m->key, *v = m->payload;

	if (!k || !v || m->key_len < 2 || m->len < m->key_len + 1 || k[0] != 'k' || v[0] != 'v')
		return 0;
	return memcmp(k + 1, v + 1, m->key_len - 1) == 0 && v[m->key_len] == '-';
}

static void log_store(struct part_log *pl, const rd_kafka_message_t *m, struct verify_result *r)
{
	int64_t i = m->offset - pl->low;
	char *key;

	if (i < 0 || i >= pl->high - pl->low || pl->keys[i])
		return;
	if (!record_consistent(m))
		r->corrupt++;
	key = malloc(m->key_len + 1 > 1 ? m->key_len + 1 : 1);
	if (!key)
		return;
	if (m->key)
		memcpy(key, m->key, m->key_len);
	key[m->key ? m->key_len : 0] = '\0';
	pl->keys[i] = key;
	pl->n_read++;
	r->records++;
}

/* Reads [low, high) of one partition; returns 0 or -1 after the deadline. */
static int partition_read(rd_kafka_t *rk, rd_kafka_topic_t *rkt, int32_t p, struct part_log *pl,
			  struct verify_result *r, int64_t deadline)
{
	int64_t next;
	rd_kafka_resp_err_t err;

	for (;;) {
		err = rd_kafka_query_watermark_offsets(rk, rd_kafka_topic_name(rkt), p, &pl->low,
						       &pl->high, 5000);
		if (!err)
			break;
		if (now_ms() > deadline) {
			fprintf(stderr, "acked_verify: watermarks of partition %d: %s\n", p,
				rd_kafka_err2str(err));
			return -1;
		}
		sleep(1);
	}
	if (pl->high - pl->low < 0 || pl->high - pl->low > MAX_RECORDS_PER_PARTITION)
		return -1;
	pl->keys = calloc((size_t)(pl->high - pl->low) + 1, sizeof(char *));
	if (!pl->keys)
		return -1;
	next = pl->low;
	if (pl->high == pl->low)
		return 0;
	if (rd_kafka_consume_start(rkt, p, pl->low) == -1)
		return -1;
	while (next < pl->high && now_ms() < deadline) {
		rd_kafka_message_t *m = rd_kafka_consume(rkt, p, 1000);
		if (!m)
			continue;
		if (!m->err) {
			log_store(pl, m, r);
			next = m->offset + 1;
		} else if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
			fprintf(stderr, "acked_verify: partition %d: %s\n", p,
				rd_kafka_message_errstr(m));
		}
		rd_kafka_message_destroy(m);
	}
	rd_kafka_consume_stop(rkt, p);
	if (next < pl->high) {
		fprintf(stderr, "acked_verify: partition %d read to %" PRId64 " of %" PRId64 "\n",
			p, next, pl->high);
		return -1;
	}
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Keys at more than one offset (a retried send that had been written). */
static long count_duplicates(struct part_log *logs, int n)
{
	long total = 0, i, dups = 0;
	int p;
	char **all;

	for (p = 0; p < n; p++)
		total += (long)(logs[p].high - logs[p].low);
	all = malloc(((size_t)total + 1) * sizeof(char *));
	if (!all)
		return -1;
	total = 0;
	for (p = 0; p < n; p++)
		for (i = 0; i < logs[p].high - logs[p].low; i++)
			if (logs[p].keys[i])
				all[total++] = logs[p].keys[i];
	qsort(all, (size_t)total, sizeof(char *), cmp_str);
	for (i = 1; i < total; i++)
		if (strcmp(all[i], all[i - 1]) == 0)
			dups++;
	free(all);
	return dups;
}

static void check_line(struct part_log *logs, int n, int32_t p, int64_t off, const char *key,
		       struct verify_result *r)
{
	const char *found = NULL;

	r->acknowledged++;
	if (p >= 0 && p < n && off >= logs[p].low && off < logs[p].high)
		found = logs[p].keys[off - logs[p].low];
	if (found && strcmp(found, key) == 0)
		return;
	r->lost++;
	if (r->lost <= 30)
		printf("LOST partition=%d offset=%" PRId64 " key=%s found=%s high_watermark=%" PRId64
		       "\n", p, off, key, found ? found : "(none)", p >= 0 && p < n ? logs[p].high : -1);
}

static int check_ack_file(const char *path, struct part_log *logs, int n, struct verify_result *r)
{
	FILE *f = fopen(path, "r");
	char line[256], key[KEY_MAX + 1];
	int32_t p;
	int64_t off;

	if (!f) {
		fprintf(stderr, "acked_verify: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%" SCNd32 " %" SCNd64 " %95s", &p, &off, key) != 3) {
			fprintf(stderr, "acked_verify: %s: bad line: %s", path, line);
			fclose(f);
			return -1;
		}
		check_line(logs, n, p, off, key, r);
	}
	fclose(f);
	return 0;
}

int main(int argc, char **argv)
{
	const char *bootstrap = NULL, *topic = NULL;
	long timeout_s = 120;
	int c, n, p, rc = 0;
	struct part_log *logs;
	struct verify_result r = { 0 };
	rd_kafka_t *rk;
	rd_kafka_topic_t *rkt;
	int64_t deadline;

	while ((c = getopt(argc, argv, "b:t:T:")) != -1) {
		switch (c) {
		case 'b': bootstrap = optarg; break;
		case 't': topic = optarg; break;
		case 'T': timeout_s = atol(optarg); break;
		default: bootstrap = NULL; break;
		}
	}
	if (!bootstrap || !topic || optind >= argc || timeout_s < 1) {
		fprintf(stderr, "usage: acked_verify -b BOOTSTRAP -t TOPIC [-T SECONDS] ACKFILE...\n");
		return 64;
	}
	deadline = now_ms() + timeout_s * 1000;
	rk = consumer_create(bootstrap);
	if (!rk)
		return 2;
	rkt = rd_kafka_topic_new(rk, topic, NULL);
	n = topic_partition_count(rk, rkt);
	if (n < 1 || n > MAX_PARTITIONS) {
		fprintf(stderr, "acked_verify: topic %s: no usable metadata (%d partitions)\n", topic, n);
		return 2;
	}
	logs = calloc((size_t)n, sizeof(*logs));
	for (p = 0; logs && p < n; p++) {
		if (partition_read(rk, rkt, p, &logs[p], &r, deadline) != 0)
			rc = 2;
		printf("partition %d: low=%" PRId64 " high=%" PRId64 " read=%" PRId64 "\n", p,
		       logs[p].low, logs[p].high, logs[p].n_read);
	}
	if (!logs)
		return 2;
	for (c = optind; c < argc; c++)
		if (check_ack_file(argv[c], logs, n, &r) != 0)
			rc = 2;
	r.duplicates = count_duplicates(logs, n);
	printf("acknowledged=%ld lost=%ld duplicates=%ld corrupt=%ld records=%ld\n", r.acknowledged,
	       r.lost, r.duplicates, r.corrupt, r.records);
	rd_kafka_topic_destroy(rkt);
	rd_kafka_destroy(rk);
	if (r.lost > 0 || r.corrupt > 0)
		return 1;
	return rc;
}
