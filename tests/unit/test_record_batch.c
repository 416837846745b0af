/* RecordBatch v2 and CRC-32C tests: known CRC vectors (hardware and table),
 * build/validate/iterate, and that each class of corruption is reported
 * with the error Kafka gives for it. */
#include <check.h>
#include <string.h>

#include "common/proto/crc32c.h"
#include "common/proto/kerr.h"
#include "common/proto/record_batch.h"

START_TEST(test_crc32c_known_vectors)
{
	ck_assert_uint_eq(crc32c(0, "123456789", 9), 0xE3069283u);
	ck_assert_uint_eq(crc32c_portable(0, "123456789", 9), 0xE3069283u);
	ck_assert_uint_eq(crc32c(0, "", 0), 0);
	uint8_t zeros[32] = { 0 };
	ck_assert_uint_eq(crc32c(0, zeros, 32), 0x8A9136AAu); /* RFC 3720 */
	uint8_t ones[32];
	memset(ones, 0xff, sizeof ones);
	ck_assert_uint_eq(crc32c(0, ones, 32), 0x62A8AB43u);
	/* incremental == one shot, odd lengths hit the byte tail */
	uint8_t buf[1000];
	for (int i = 0; i < 1000; i++)
		buf[i] = (uint8_t)(i * 31 + 7);
	for (size_t cut = 0; cut < 1000; cut += 37) {
		uint32_t c = crc32c(crc32c(0, buf, cut), buf + cut, 1000 - cut);
		ck_assert_uint_eq(c, crc32c(0, buf, 1000));
		ck_assert_uint_eq(c, crc32c_portable(0, buf, 1000));
	}
}
END_TEST

/* The three-stream path (inputs of 768 B and more, 24 KiB and more) must
 * give the table's answer at every length around its block edges, from
 * every alignment, one shot and split at any point. */
START_TEST(test_crc32c_three_streams)
{
	enum { N = 3 * 3 * 8192 + 3 * 256 + 64 };
	static uint8_t buf[N + 8];
	uint32_t x = 12345;
	for (size_t i = 0; i < sizeof buf; i++) {
		x = x * 1103515245u + 12345u; /* fixed pseudo-random bytes */
		buf[i] = (uint8_t)(x >> 16);
	}
	const size_t lens[] = { 0,	   7,	    767,      768,     769,	 1535,
				1536,	   24575,   24576,    24577,   24576 + 768, 49152,
				73727,	   73728,   73729,    N - 1,   N };
	for (size_t li = 0; li < sizeof lens / sizeof lens[0]; li++)
		for (size_t off = 0; off < 8; off += 3) {
			const uint8_t *p = buf + off;
			size_t n = lens[li];
			uint32_t want = crc32c_portable(0, p, n);
			ck_assert_uint_eq(crc32c(0, p, n), want);
			for (size_t cut = 0; cut <= n; cut += n / 5 + 1)
				ck_assert_uint_eq(crc32c(crc32c(0, p, cut), p + cut, n - cut), want);
		}
	/* and the chained value of a non-zero start */
	ck_assert_uint_eq(crc32c(0xdeadbeef, buf, N), crc32c_portable(0xdeadbeef, buf, N));
}
END_TEST

static const struct rb_build_record recs3[] = {
	{ "k1", 2, "value-1", 7 },
	{ NULL, 0, "v2", 2 },
	{ "k3", 2, NULL, 0 },
};

static int64_t build3(uint8_t *buf, size_t cap)
{
	return rb_build(buf, cap, recs3, 3, 1700000000000, 0, 1000, 2, 5);
}

START_TEST(test_build_validate_iterate)
{
	uint8_t buf[512];
	int64_t n = build3(buf, sizeof buf);
	ck_assert(n > RB_HEADER_SIZE);
	ck_assert(rb_total_size(buf, (size_t)n) == n);
	struct rb_header h;
	ck_assert_int_eq(rb_validate(buf, (size_t)n, &h), 0);
	ck_assert_int_eq(rb_validate_produce(buf, (size_t)n, 1 << 20, &h), 0);
	ck_assert_int_eq(h.magic, 2);
	ck_assert_int_eq(h.records_count, 3);
	ck_assert_int_eq(h.last_offset_delta, 2);
	ck_assert_int_eq(h.partition_leader_epoch, -1);
	ck_assert(h.producer_id == 1000 && h.producer_epoch == 2);
	ck_assert_int_eq(h.base_sequence, 5);
	ck_assert(h.base_timestamp == 1700000000000);

	struct rb_iter it;
	struct rb_record rec;
	rb_iter_init(&it, buf, (size_t)n);
	ck_assert_int_eq(rb_iter_next(&it, &rec), 1);
	ck_assert_int_eq(rec.offset_delta, 0);
	ck_assert_int_eq(rec.key_len, 2);
	ck_assert(memcmp(rec.key, "k1", 2) == 0);
	ck_assert_int_eq(rec.value_len, 7);
	ck_assert(memcmp(rec.value, "value-1", 7) == 0);
	ck_assert_int_eq(rec.header_count, 0);
	ck_assert_int_eq(rb_iter_next(&it, &rec), 1);
	ck_assert_int_eq(rec.key_len, -1);
	ck_assert_ptr_null(rec.key);
	ck_assert_int_eq(rb_iter_next(&it, &rec), 1);
	ck_assert_int_eq(rec.offset_delta, 2);
	ck_assert_int_eq(rec.value_len, -1);
	ck_assert_int_eq(rb_iter_next(&it, &rec), 0);

	/* stamping offset and epoch keeps the CRC valid */
	rb_set_base_offset(buf, 4242);
	rb_set_leader_epoch(buf, 7);
	ck_assert_int_eq(rb_validate(buf, (size_t)n, &h), 0);
	ck_assert(h.base_offset == 4242);
	ck_assert(rb_last_offset(&h) == 4244);
	ck_assert_int_eq(h.partition_leader_epoch, 7);

	ck_assert(rb_build(buf, 70, recs3, 3, 0, 0, -1, -1, -1) == -1);
	ck_assert(rb_build(buf, sizeof buf, recs3, 0, 0, 0, -1, -1, -1) == -1);
}
END_TEST

/* Rewrites the CRC after a content edit, so only the content check fires. */
static void recrc(uint8_t *b, int64_t n)
{
	uint32_t c = crc32c(0, b + 21, (size_t)n - 21);
	b[17] = (uint8_t)(c >> 24);
	b[18] = (uint8_t)(c >> 16);
	b[19] = (uint8_t)(c >> 8);
	b[20] = (uint8_t)c;
}

START_TEST(test_corruption_classes)
{
	uint8_t good[512], b[600];
	struct rb_header h;
	int64_t n = build3(good, sizeof good);

	/* every truncation: CORRUPT_MESSAGE (size) */
	for (int64_t cut = 0; cut < n; cut++)
		ck_assert_int_eq(rb_validate(good, (size_t)cut, &h),
				 KERR_CORRUPT_MESSAGE);
	/* every single-bit flip after magic: CRC catches it */
	for (int64_t i = 21; i < n; i++) {
		memcpy(b, good, (size_t)n);
		b[i] ^= 0x10;
		ck_assert_int_eq(rb_validate(b, (size_t)n, &h),
				 KERR_CORRUPT_MESSAGE);
	}
	/* CRC field itself */
	memcpy(b, good, (size_t)n);
	b[20] ^= 1;
	ck_assert_int_eq(rb_validate(b, (size_t)n, &h), KERR_CORRUPT_MESSAGE);
	/* magic 1 */
	memcpy(b, good, (size_t)n);
	b[16] = 1;
	ck_assert_int_eq(rb_validate(b, (size_t)n, &h), KERR_CORRUPT_MESSAGE);
	/* batchLength smaller than a header */
	memcpy(b, good, (size_t)n);
	b[11] = 10;
	b[10] = b[9] = b[8] = 0;
	ck_assert_int_eq(rb_validate(b, (size_t)n, &h), KERR_CORRUPT_MESSAGE);
	/* count != lastOffsetDelta + 1 */
	memcpy(b, good, (size_t)n);
	b[60] = 2;
	recrc(b, n);
	ck_assert_int_eq(rb_validate(b, (size_t)n, &h), KERR_INVALID_RECORD);
	/* count 0 */
	memcpy(b, good, (size_t)n);
	b[60] = 0;
	b[26] = 0xff;
	b[25] = b[24] = b[23] = 0xff;
	recrc(b, n);
	ck_assert_int_eq(rb_validate(b, (size_t)n, &h), KERR_INVALID_RECORD);
	/* offset delta of record 0 = 1 (zigzag 2) */
	memcpy(b, good, (size_t)n);
	ck_assert_int_eq(b[RB_HEADER_SIZE + 3], 0); /* len, attr, tsd, od */
	b[RB_HEADER_SIZE + 3] = 2;
	recrc(b, n);
	ck_assert_int_eq(rb_validate(b, (size_t)n, &h), KERR_INVALID_RECORD);
	/* record length overruns the batch */
	memcpy(b, good, (size_t)n);
	b[RB_HEADER_SIZE] = 0x7e;
	recrc(b, n);
	ck_assert_int_eq(rb_validate(b, (size_t)n, &h), KERR_INVALID_RECORD);
	/* trailing garbage inside the batch after the last record */
	memcpy(b, good, (size_t)n);
	b[n] = 0;
	b[11] = (uint8_t)(b[11] + 1);
	recrc(b, n + 1);
	ck_assert_int_eq(rb_validate(b, (size_t)n + 1, &h), KERR_INVALID_RECORD);
}
END_TEST

START_TEST(test_produce_checks)
{
	uint8_t b[1200];
	struct rb_header h;
	int64_t n = build3(b, sizeof b);
	ck_assert_int_eq(rb_validate_produce(b, (size_t)n, (int32_t)n - 1, &h),
			 KERR_MESSAGE_TOO_LARGE);
	/* two batches in one partition */
	memcpy(b + n, b, (size_t)n);
	ck_assert_int_eq(rb_validate(b, (size_t)(2 * n), &h), 0);
	ck_assert_int_eq(rb_validate_produce(b, (size_t)(2 * n), 1 << 20, &h),
			 KERR_INVALID_RECORD);
	/* control batch */
	n = rb_build(b, sizeof b, recs3, 3, 0, RB_ATTR_CONTROL |
		     RB_ATTR_TRANSACTIONAL, 1000, 0, 0);
	ck_assert_int_eq(rb_validate(b, (size_t)n, &h), 0);
	ck_assert_int_eq(rb_validate_produce(b, (size_t)n, 1 << 20, &h),
			 KERR_INVALID_RECORD);
	/* idempotent producer without a sequence */
	n = rb_build(b, sizeof b, recs3, 3, 0, 0, 1000, 0, -1);
	ck_assert_int_eq(rb_validate_produce(b, (size_t)n, 1 << 20, &h),
			 KERR_INVALID_RECORD);
	/* no producer id: any sequence */
	n = rb_build(b, sizeof b, recs3, 3, 0, 0, -1, -1, -1);
	ck_assert_int_eq(rb_validate_produce(b, (size_t)n, 1 << 20, &h), 0);
	/* compressed batches are not record-checked (opaque blob) */
	n = rb_build(b, sizeof b, recs3, 3, 0, 1, -1, -1, -1);
	b[RB_HEADER_SIZE + 3] = 9;
	recrc(b, n);
	ck_assert_int_eq(rb_validate(b, (size_t)n, &h), 0);
}
END_TEST

START_TEST(test_iter_headers_and_malformed)
{
	/* one record with 1 header, built by hand then CRC'd */
	uint8_t b[200];
	int64_t n = rb_build(b, sizeof b, recs3, 1, 0, 0, -1, -1, -1);
	/* record: len attr tsd od klen k k vlen v... hcount(0) at the end */
	uint8_t tail[] = { 2, 'h', 2, 'v' }; /* key "h", value "v" */
	b[n - 1] = 2; /* header count 1 (zigzag) */
	memcpy(b + n, tail, sizeof tail);
	n += (int64_t)sizeof tail;
	b[RB_HEADER_SIZE] = (uint8_t)(b[RB_HEADER_SIZE] + 2 * sizeof tail);
	b[11] = (uint8_t)(b[11] + sizeof tail);
	recrc(b, n);
	struct rb_header h;
	ck_assert_int_eq(rb_validate(b, (size_t)n, &h), 0);
	struct rb_iter it;
	struct rb_record rec;
	rb_iter_init(&it, b, (size_t)n);
	ck_assert_int_eq(rb_iter_next(&it, &rec), 1);
	ck_assert_int_eq(rec.header_count, 1);
	ck_assert_uint_eq(rec.hdr_len, 1 + sizeof tail);
	ck_assert_int_eq(rb_iter_next(&it, &rec), 0);
	/* a negative header key length is malformed */
	b[n - 4] = 1;
	recrc(b, n);
	ck_assert_int_eq(rb_validate(b, (size_t)n, &h), KERR_INVALID_RECORD);
	rb_iter_init(&it, b, 10);
	ck_assert_int_eq(rb_iter_next(&it, &rec), -1);
}
END_TEST

/* The verdict of the record-iterator rules (rb_iter_next) on a batch whose
 * framing and CRC are good: 0 or KERR_INVALID_RECORD. rb_validate checks
 * the records with its own scanner; the two must agree on every input. */
static int iter_verdict(const uint8_t *b, int64_t n, int32_t count)
{
	struct rb_iter it;
	struct rb_record rec;
	int32_t i = 0;
	int rc;
	rb_iter_init(&it, b, (size_t)n);
	while ((rc = rb_iter_next(&it, &rec)) == 1)
		if (rec.offset_delta != i++)
			return KERR_INVALID_RECORD;
	return rc == 0 && i == count ? 0 : KERR_INVALID_RECORD;
}

/* Every record byte of a batch with keys, null keys and values, headers
 * and a long value, set to values that break varints, lengths and counts
 * (CRC rewritten each time, records count kept): rb_validate's record
 * check and the iterator's give the same verdict, and both accept the
 * unchanged batch. */
START_TEST(test_record_check_matches_iterator)
{
	static char big[300];
	memset(big, 'x', sizeof big);
	const struct rb_build_record recs[] = {
		{ "k1", 2, "value-1", 7 }, { NULL, 0, "v2", 2 }, { "k3", 2, NULL, 0 },
		{ "", 0, big, (int32_t)sizeof big }, { "k5", 2, "", 0 },
	};
	uint8_t good[1024], b[1024];
	int64_t n = rb_build(good, sizeof good, recs, 5, 1700000000000, 0, -1, -1, -1);
	ck_assert(n > RB_HEADER_SIZE);
	struct rb_header h;
	ck_assert_int_eq(rb_validate(good, (size_t)n, &h), 0);
	ck_assert_int_eq(iter_verdict(good, n, 5), 0);
	static const uint8_t vals[] = { 0x00, 0x01, 0x02, 0x7f, 0x80, 0x81, 0xfe, 0xff };
	int agreed_bad = 0;
	for (int64_t pos = RB_HEADER_SIZE; pos < n; pos++) {
		for (size_t v = 0; v < sizeof vals; v++) {
			memcpy(b, good, (size_t)n);
			if (b[pos] == vals[v])
				continue;
			b[pos] = vals[v];
			recrc(b, n);
			int want = iter_verdict(b, n, 5);
			ck_assert_msg(rb_validate(b, (size_t)n, &h) == want,
				      "byte %lld = 0x%02x: rb_validate disagrees with the iterator",
				      (long long)pos, vals[v]);
			agreed_bad += want != 0;
		}
	}
	ck_assert_int_gt(agreed_bad, 100); /* the mutations do break records */
}
END_TEST

int main(void)
{
	Suite *s = suite_create("record_batch");
	TCase *tc = tcase_create("record_batch");
	tcase_add_test(tc, test_crc32c_known_vectors);
	tcase_add_test(tc, test_crc32c_three_streams);
	tcase_add_test(tc, test_build_validate_iterate);
	tcase_add_test(tc, test_corruption_classes);
	tcase_add_test(tc, test_produce_checks);
	tcase_add_test(tc, test_iter_headers_and_malformed);
	tcase_add_test(tc, test_record_check_matches_iterator);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
