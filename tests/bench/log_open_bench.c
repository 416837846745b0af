/* log_open_bench: start-up cost of the storage layer after a crash.
 * Creates N partition logs under a temp directory, each with B batches of
 * 16 records of V bytes, flushes them (so the recovery point is the LEO),
 * appends U more unflushed batches, then leaves every log as SIGKILL would
 * (log_set_offline + log_close: no flush, no clean-shutdown marker) and
 * times log_open of all N, one after another, as the broker's load does.
 * Prints figures only.
 *   log_open_bench [N=1000] [B=20] [V=1000] [U=2] [DIR=/tmp] */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "broker/storage/log.h"
#include "common/proto/record_batch.h"

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int append(struct partition_log *log, const uint8_t *tmpl, size_t len, uint8_t *buf)
{
	int64_t base;
	memcpy(buf, tmpl, len); /* log_append stamps the batch in place */
	return log_append(log, buf, len, 0, &base);
}

static int fill(const char *dir, int batches, int unflushed, const uint8_t *tmpl, size_t len,
		uint8_t *buf)
{
	struct log_config cfg;
	log_config_defaults(&cfg);
	struct partition_log *log;
	int rc = log_open(dir, &cfg, NULL, &log);
	for (int i = 0; rc == 0 && i < batches; i++)
		rc = append(log, tmpl, len, buf);
	if (rc == 0)
		rc = log_flush(log);
	for (int i = 0; rc == 0 && i < unflushed; i++)
		rc = append(log, tmpl, len, buf);
	if (rc == 0) {
		log_set_offline(log); /* closes as a crash would */
		log_close(log);
	}
	return rc;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 1000, batches = argc > 2 ? atoi(argv[2]) : 20;
	int vlen = argc > 3 ? atoi(argv[3]) : 1000, unflushed = argc > 4 ? atoi(argv[4]) : 2;
	const char *tmp = argc > 5 ? argv[5] : "/tmp";
	if (n <= 0 || batches < 0 || vlen <= 0 || vlen > 1 << 20 || unflushed < 0) {
		fprintf(stderr, "usage: log_open_bench [N] [BATCHES] [VALUE_BYTES] [UNFLUSHED] [DIR]\n");
		return 2;
	}
	char root[4096];
	snprintf(root, sizeof root, "%s/gregor-open-bench-XXXXXX", tmp);
	if (!mkdtemp(root)) {
		perror("mkdtemp");
		return 1;
	}
	uint8_t *val = calloc(1, (size_t)vlen);
	size_t cap = RB_HEADER_SIZE + 64 + 16 * ((size_t)vlen + 32);
	uint8_t *tmpl = malloc(cap), *buf = malloc(cap);
	struct rb_build_record recs[16];
	for (int i = 0; i < 16; i++)
		recs[i] = (struct rb_build_record){ "k", 1, val, vlen };
	int64_t len = val && tmpl && buf ? rb_build(tmpl, cap, recs, 16, 1000, 0, -1, -1, -1) : -1;
	if (len <= 0)
		return 1;
	char dir[4200];
	for (int i = 0; i < n; i++) {
		snprintf(dir, sizeof dir, "%s/t-%d", root, i);
		if (fill(dir, batches, unflushed, tmpl, (size_t)len, buf)) {
			fprintf(stderr, "fill %s failed\n", dir);
			return 1;
		}
	}
	struct log_config cfg;
	log_config_defaults(&cfg);
	struct partition_log **logs = calloc((size_t)n, sizeof *logs);
	double t0 = now_ms();
	for (int i = 0; i < n; i++) {
		snprintf(dir, sizeof dir, "%s/t-%d", root, i);
		if (log_open(dir, &cfg, NULL, &logs[i])) {
			fprintf(stderr, "open %s failed\n", dir);
			return 1;
		}
	}
	double ms = now_ms() - t0;
	printf("opened %d partitions (%d flushed + %d unflushed batches of %" PRId64
	       " bytes each) after a crash in %.1f ms: %.2f ms per partition\n",
	       n, batches, unflushed, len, ms, ms / n);
	for (int i = 0; i < n; i++)
		log_delete(logs[i]);
	char cmd[4200];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : 1;
}
