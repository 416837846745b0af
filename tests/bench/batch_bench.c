/*
 * batch_bench: what the record-batch checks cost per byte and per record,
 * in process and against memcpy of the same bytes (the machine's limit for
 * touching them once). Prints figures only.
 *   batch_bench [ROUNDS]
 * Three shapes: a batch of 2,000 records of 100 B (a linger-5 batch of the
 * suite's 100 B runs), one of 500 records of 1 KiB, and one-record batches
 * of 100 B (one message per request). For each: CRC-32C of the batch body
 * (GB/s), the full produce check rb_validate (CRC + record walk, ns per
 * record and GB/s) and memcpy (GB/s). Medians of ROUNDS (default 7).
 * Timed in the thread's own CPU time, so that a busy machine's other
 * processes do not count (a preempted round costs nothing here).
 */
#include "common/proto/crc32c.h"
#include "common/proto/record_batch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static volatile uint32_t sink_out;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

struct shape {
	const char *name;
	int records, value_size, batches; /* batches: copies walked per round */
};

/* Builds one batch of the shape with keys like a keyed producer's. */
static uint8_t *shape_build(const struct shape *s, size_t *len)
{
	struct rb_build_record *recs = calloc((size_t)s->records, sizeof *recs);
	char *value = malloc((size_t)s->value_size);
	size_t cap = (size_t)s->records * ((size_t)s->value_size + 40) + 256;
	uint8_t *buf = malloc(cap);
	if (!recs || !value || !buf)
		exit(2);
	memset(value, 'v', (size_t)s->value_size);
	for (int i = 0; i < s->records; i++) {
		recs[i].key = "key-0001";
		recs[i].key_len = 8;
		recs[i].value = value;
		recs[i].value_len = s->value_size;
	}
	int64_t n = rb_build(buf, cap, recs, s->records, 1700000000000, 0, -1, -1, -1);
	free(recs);
	free(value);
	if (n < 0)
		exit(2);
	*len = (size_t)n;
	return buf;
}

enum op { OP_CRC, OP_VALIDATE, OP_MEMCPY };

/* Seconds for one round of op over s->batches copies of the batch. */
static double round_s(enum op op, const struct shape *s, const uint8_t *b, size_t len,
		      uint8_t *scratch, uint32_t *sink)
{
	struct rb_header h;
	double t0 = now_s();
	for (int i = 0; i < s->batches; i++) {
		if (op == OP_CRC)
			*sink ^= crc32c(0, b + 21, len - 21);
		else if (op == OP_VALIDATE) {
			if (rb_validate(b, len, &h) != 0) {
				fprintf(stderr, "batch_bench: own batch invalid\n");
				exit(1);
			}
			*sink ^= (uint32_t)h.records_count;
		} else {
			memcpy(scratch, b, len);
			*sink ^= scratch[len / 2];
		}
	}
	return now_s() - t0;
}

static double median_s(enum op op, const struct shape *s, const uint8_t *b, size_t len,
		       uint8_t *scratch, int rounds, uint32_t *sink)
{
	double t[64];
	round_s(op, s, b, len, scratch, sink); /* warm caches */
	for (int r = 0; r < rounds; r++)
		t[r] = round_s(op, s, b, len, scratch, sink);
	qsort(t, (size_t)rounds, sizeof t[0], cmp_double);
	return t[rounds / 2];
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 7;
	if (rounds < 1 || rounds > 64) {
		fprintf(stderr, "usage: batch_bench [ROUNDS 1-64]\n");
		return 2;
	}
	const struct shape shapes[] = {
		{ "2000 x 100 B", 2000, 100, 200 },
		{ "500 x 1 KiB", 500, 1024, 200 },
		{ "1 x 100 B", 1, 100, 200000 },
	};
	uint32_t sink = 0;
	for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
		const struct shape *s = &shapes[i];
		size_t len;
		uint8_t *b = shape_build(s, &len);
		uint8_t *scratch = malloc(len);
		if (!scratch)
			return 2;
		double bytes = (double)len * s->batches, recs = (double)s->records * s->batches;
		double crc = median_s(OP_CRC, s, b, len, scratch, rounds, &sink);
		double val = median_s(OP_VALIDATE, s, b, len, scratch, rounds, &sink);
		double cpy = median_s(OP_MEMCPY, s, b, len, scratch, rounds, &sink);
		printf("%-13s batch %7zu B: crc32c %6.2f GB/s  validate %6.2f GB/s %6.1f ns/record"
		       "  memcpy %6.2f GB/s\n", s->name, len, bytes / crc / 1e9, bytes / val / 1e9,
		       val / recs * 1e9, bytes / cpy / 1e9);
		printf("RESULT batch.%d_%d.crc_GBps %.3f\nRESULT batch.%d_%d.validate_ns_per_record %.2f\n",
		       s->records, s->value_size, bytes / crc / 1e9, s->records, s->value_size,
		       val / recs * 1e9);
		free(scratch);
		free(b);
	}
	sink_out = sink; /* the work has an observable result */
	return 0;
}
