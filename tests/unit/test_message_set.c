/* common/proto/message_set: legacy message sets (magic 0 and 1, plain and
 * compressed wrappers) convert to one valid RecordBatch v2 with the same
 * keys, values and timestamps; bad CRCs, truncation, nested compression,
 * mixed magics, garbage sizes and decompression bombs are refused with
 * Kafka's error codes and never read past the input. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/compress.h"
#include "common/proto/kerr.h"
#include "common/proto/message_set.h"
#include "common/proto/record_batch.h"

/* A message under construction; key/value NULL = null. */
struct tmsg {
	int64_t offset;
	int magic, attributes;
	int64_t ts;
	const void *key;
	int32_t key_len;
	const void *value;
	int32_t value_len;
};

static void put_be(struct cbuf *b, uint64_t v, int n)
{
	uint8_t t[8];
	for (int i = 0; i < n; i++)
		t[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
	ck_assert_int_eq(cbuf_append(b, t, (size_t)n), 0);
}

static void put_bytes(struct cbuf *b, const void *p, int32_t n)
{
	put_be(b, (uint32_t)(p ? n : -1), 4);
	if (p && n > 0)
		ck_assert_int_eq(cbuf_append(b, p, (size_t)n), 0);
}

/* Appends one entry (offset, size, crc, message) with a correct CRC-32. */
static void put_msg(struct cbuf *b, const struct tmsg *m)
{
	put_be(b, (uint64_t)m->offset, 8);
	size_t size_at = b->len;
	put_be(b, 0, 4);
	put_be(b, 0, 4); /* crc, patched below */
	size_t magic_at = b->len;
	put_be(b, (uint64_t)m->magic, 1);
	put_be(b, (uint64_t)m->attributes, 1);
	if (m->magic == 1)
		put_be(b, (uint64_t)m->ts, 8);
	put_bytes(b, m->key, m->key_len);
	put_bytes(b, m->value, m->value_len);
	uint32_t size = (uint32_t)(b->len - size_at - 4);
	uint32_t crc = ms_crc32(0, b->p + magic_at, b->len - magic_at);
	for (int i = 0; i < 4; i++) {
		b->p[size_at + i] = (uint8_t)(size >> (24 - 8 * i));
		b->p[size_at + 4 + i] = (uint8_t)(crc >> (24 - 8 * i));
	}
}

static void put_simple(struct cbuf *b, int64_t off, int magic, int64_t ts,
		       const char *key, const char *value)
{
	struct tmsg m = { off, magic, 0, ts, key, key ? (int32_t)strlen(key) : -1,
			  value, value ? (int32_t)strlen(value) : -1 };
	put_msg(b, &m);
}

/* A wrapper holding inner[0..n) compressed with codec. */
static void put_wrapper(struct cbuf *b, int64_t off, int magic, int attrs, int64_t ts,
			const struct cbuf *inner)
{
	struct cbuf z = { 0 };
	ck_assert_int_eq(compress_deflate(attrs & 7, inner->p, inner->len, &z), 0);
	struct tmsg m = { off, magic, attrs, ts, NULL, -1, z.p ? z.p : (const void *)"",
			  (int32_t)z.len };
	put_msg(b, &m);
	cbuf_free(&z);
}

/* The decoded output: header and records (view of a compressed batch). */
struct decoded {
	struct rb_header h;
	struct cbuf view;
	struct rb_record rec[64];
	int n;
};

static void decode(const struct cbuf *out, struct decoded *d)
{
	memset(d, 0, sizeof *d);
	ck_assert_int_eq(rb_validate_produce(out->p, out->len, -1, &d->h), 0);
	const uint8_t *recs = out->p;
	size_t len = out->len;
	if (d->h.attributes & RB_ATTR_COMPRESSION_MASK) {
		ck_assert_int_eq(compress_batch_view(out->p, out->len, 1 << 24, &d->view), 0);
		recs = d->view.p;
		len = d->view.len;
	}
	struct rb_iter it;
	rb_iter_init(&it, recs, len);
	int rc;
	while ((rc = rb_iter_next(&it, &d->rec[d->n])) == 1)
		ck_assert_int_lt(++d->n, 64);
	ck_assert_int_eq(rc, 0);
	ck_assert_int_eq(d->n, d->h.records_count);
	ck_assert_int_eq(d->h.producer_id, -1);
	ck_assert_int_eq(d->h.producer_epoch, -1);
	ck_assert_int_eq(d->h.base_sequence, -1);
	ck_assert_int_eq(d->h.partition_leader_epoch, -1);
}

static void check_rec(const struct decoded *d, int i, const char *key, const char *value,
		      int64_t ts)
{
	const struct rb_record *r = &d->rec[i];
	ck_assert_int_eq(r->offset_delta, i);
	if (key) {
		ck_assert_int_eq(r->key_len, (int32_t)strlen(key));
		ck_assert(memcmp(r->key, key, strlen(key)) == 0);
	} else {
		ck_assert_int_eq(r->key_len, -1);
	}
	if (value) {
		ck_assert_int_eq(r->value_len, (int32_t)strlen(value));
		ck_assert(memcmp(r->value, value, strlen(value)) == 0);
	} else {
		ck_assert_int_eq(r->value_len, -1);
	}
	ck_assert_int_eq(d->h.base_timestamp + r->timestamp_delta, ts);
	ck_assert_int_eq(r->header_count, 0);
}

START_TEST(crc32_vector)
{
	ck_assert_uint_eq(ms_crc32(0, (const uint8_t *)"123456789", 9), 0xCBF43926u);
}
END_TEST

START_TEST(magic0_plain)
{
	struct cbuf in = { 0 }, out = { 0 };
	struct decoded d;
	put_simple(&in, 0, 0, 0, "k0", "v0");
	put_simple(&in, 1, 0, 0, NULL, "no key");
	put_simple(&in, 2, 0, 0, "tomb", NULL);
	put_simple(&in, 3, 0, 0, "", "");
	ck_assert(ms_is_legacy(in.p, in.len));
	ck_assert_int_eq(ms_convert(in.p, in.len, -1, 1 << 20, &out), 0);
	decode(&out, &d);
	ck_assert_int_eq(d.n, 4);
	ck_assert_int_eq(d.h.attributes, 0);
	ck_assert_int_eq(d.h.base_timestamp, -1); /* NO_TIMESTAMP */
	ck_assert_int_eq(d.h.max_timestamp, -1);
	check_rec(&d, 0, "k0", "v0", -1);
	check_rec(&d, 1, NULL, "no key", -1);
	check_rec(&d, 2, "tomb", NULL, -1);
	check_rec(&d, 3, "", "", -1);
	cbuf_free(&in);
	cbuf_free(&out);
	cbuf_free(&d.view);
}
END_TEST

START_TEST(magic1_plain_timestamps)
{
	struct cbuf in = { 0 }, out = { 0 };
	struct decoded d;
	put_simple(&in, 0, 1, 1700000000500, "a", "1");
	put_simple(&in, 0, 1, 1700000000100, "b", "2");
	put_simple(&in, 0, 1, 1700000009000, "c", "3");
	ck_assert_int_eq(ms_convert(in.p, in.len, -1, 1 << 20, &out), 0);
	decode(&out, &d);
	ck_assert_int_eq(d.n, 3);
	ck_assert_int_eq(d.h.base_timestamp, 1700000000500);
	ck_assert_int_eq(d.h.max_timestamp, 1700000009000);
	check_rec(&d, 0, "a", "1", 1700000000500);
	check_rec(&d, 1, "b", "2", 1700000000100);
	check_rec(&d, 2, "c", "3", 1700000009000);
	cbuf_free(&in);
	cbuf_free(&out);
	cbuf_free(&d.view);
}
END_TEST

/* magic 1 wrappers carry relative inner offsets 0..n-1 and the last one's
 * absolute offset; magic 0 inner offsets are whatever the client chose */
START_TEST(wrapper_each_codec)
{
	static const int codecs[] = { COMPRESS_GZIP, COMPRESS_SNAPPY, COMPRESS_LZ4 };
	for (int magic = 0; magic <= 1; magic++) {
		for (int c = 0; c < 3; c++) {
			struct cbuf inner = { 0 }, in = { 0 }, out = { 0 };
			struct decoded d;
			put_simple(&inner, 0, magic, 1000, "k1", "value one");
			put_simple(&inner, 1, magic, 2000, NULL, "value two");
			put_simple(&inner, 2, magic, 3000, "k3", NULL);
			put_wrapper(&in, magic ? 2 : 0, magic, codecs[c], 3000, &inner);
			ck_assert_int_eq(ms_convert(in.p, in.len, -1, 1 << 20, &out), 0);
			decode(&out, &d);
			ck_assert_int_eq(d.h.attributes & RB_ATTR_COMPRESSION_MASK, codecs[c]);
			ck_assert_int_eq(d.n, 3);
			int64_t t = magic ? 1000 : -1;
			check_rec(&d, 0, "k1", "value one", t);
			check_rec(&d, 1, NULL, "value two", magic ? 2000 : -1);
			check_rec(&d, 2, "k3", NULL, magic ? 3000 : -1);
			ck_assert_int_eq(d.h.max_timestamp, magic ? 3000 : -1);
			cbuf_free(&inner);
			cbuf_free(&in);
			cbuf_free(&out);
			cbuf_free(&d.view);
		}
	}
}
END_TEST

/* Kafka ignores the LZ4 frame header checksum in magic 0 wrappers (0.8-0.9
 * producers computed it over the magic number too), not in magic 1 ones */
START_TEST(lz4_magic0_header_checksum)
{
	for (int magic = 0; magic <= 1; magic++) {
		struct cbuf inner = { 0 }, z = { 0 }, in = { 0 }, out = { 0 };
		struct decoded d;
		put_simple(&inner, 0, magic, 1, "k", "lz4 value");
		ck_assert_int_eq(compress_deflate(COMPRESS_LZ4, inner.p, inner.len, &z), 0);
		size_t hc = 6 + ((z.p[4] & 0x08) ? 8 : 0) + ((z.p[4] & 0x01) ? 4 : 0);
		ck_assert_uint_lt(hc, z.len);
		z.p[hc] ^= 0x5a;
		struct tmsg w = { 0, magic, COMPRESS_LZ4, 1, NULL, -1, z.p, (int32_t)z.len };
		put_msg(&in, &w);
		int rc = ms_convert(in.p, in.len, -1, 1 << 20, &out);
		if (magic == 0) {
			ck_assert_int_eq(rc, 0);
			decode(&out, &d);
			check_rec(&d, 0, "k", "lz4 value", -1);
			cbuf_free(&d.view);
		} else {
			ck_assert_int_eq(rc, KERR_CORRUPT_MESSAGE);
		}
		cbuf_free(&inner);
		cbuf_free(&z);
		cbuf_free(&in);
		cbuf_free(&out);
	}
}
END_TEST

/* LogAppendTime on a magic 1 wrapper: its timestamp is every inner one's */
START_TEST(wrapper_log_append_time)
{
	struct cbuf inner = { 0 }, in = { 0 }, out = { 0 };
	struct decoded d;
	put_simple(&inner, 0, 1, 5, "a", "x");
	put_simple(&inner, 1, 1, 6, "b", "y");
	put_wrapper(&in, 1, 1, COMPRESS_GZIP | 0x08, 777, &inner);
	ck_assert_int_eq(ms_convert(in.p, in.len, -1, 1 << 20, &out), 0);
	decode(&out, &d);
	check_rec(&d, 0, "a", "x", 777);
	check_rec(&d, 1, "b", "y", 777);
	cbuf_free(&inner);
	cbuf_free(&in);
	cbuf_free(&out);
	cbuf_free(&d.view);
}
END_TEST

/* plain entries and wrappers in one set: all records in order, the batch
 * compressed with the wrapper's codec */
START_TEST(mixed_entries)
{
	struct cbuf inner = { 0 }, in = { 0 }, out = { 0 };
	struct decoded d;
	put_simple(&in, 0, 1, 10, "p", "plain");
	put_simple(&inner, 0, 1, 11, "i0", "in0");
	put_simple(&inner, 1, 1, 12, "i1", "in1");
	put_wrapper(&in, 2, 1, COMPRESS_SNAPPY, 12, &inner);
	put_simple(&in, 3, 1, 13, "q", "after");
	ck_assert_int_eq(ms_convert(in.p, in.len, -1, 1 << 20, &out), 0);
	decode(&out, &d);
	ck_assert_int_eq(d.h.attributes & RB_ATTR_COMPRESSION_MASK, COMPRESS_SNAPPY);
	ck_assert_int_eq(d.n, 4);
	check_rec(&d, 0, "p", "plain", 10);
	check_rec(&d, 1, "i0", "in0", 11);
	check_rec(&d, 2, "i1", "in1", 12);
	check_rec(&d, 3, "q", "after", 13);
	cbuf_free(&inner);
	cbuf_free(&in);
	cbuf_free(&out);
	cbuf_free(&d.view);
}
END_TEST

START_TEST(crc_errors)
{
	struct cbuf in = { 0 }, out = { 0 };
	put_simple(&in, 0, 1, 1, "key", "value");
	for (size_t i = 12; i < in.len; i++) { /* crc and every byte it covers */
		in.p[i] ^= 0x40;
		int rc = ms_convert(in.p, in.len, -1, 1 << 20, &out);
		ck_assert_msg(rc != 0, "flip at %zu accepted", i);
		if (i != 16) /* the magic byte: 0x41 is not a magic */
			ck_assert_int_eq(rc, KERR_CORRUPT_MESSAGE);
		in.p[i] ^= 0x40;
	}
	ck_assert_int_eq(ms_convert(in.p, in.len, -1, 1 << 20, &out), 0);
	/* inside a wrapper: the inner CRC is checked too */
	struct cbuf inner = { 0 }, w = { 0 };
	put_simple(&inner, 0, 1, 1, "key", "value");
	inner.p[inner.len - 1] ^= 1;
	put_wrapper(&w, 0, 1, COMPRESS_GZIP, 1, &inner);
	ck_assert_int_eq(ms_convert(w.p, w.len, -1, 1 << 20, &out), KERR_CORRUPT_MESSAGE);
	cbuf_free(&inner);
	cbuf_free(&w);
	cbuf_free(&in);
	cbuf_free(&out);
}
END_TEST

START_TEST(truncation)
{
	struct cbuf inner = { 0 }, in = { 0 }, out = { 0 };
	put_simple(&in, 0, 0, 0, "k", "v");
	size_t first = in.len; /* a whole set by itself */
	put_simple(&inner, 0, 1, 1, "a", "b");
	put_simple(&inner, 1, 1, 1, "c", "d");
	put_wrapper(&in, 1, 1, COMPRESS_GZIP, 1, &inner);
	ck_assert_int_eq(ms_convert(in.p, in.len, -1, 1 << 20, &out), 0);
	ck_assert_int_eq(ms_convert(in.p, 0, -1, 1 << 20, &out), KERR_INVALID_RECORD);
	for (size_t n = 1; n < in.len; n++) {
		/* a private copy so that a read past n would be caught by ASan */
		uint8_t *p = malloc(n ? n : 1);
		ck_assert_ptr_nonnull(p);
		memcpy(p, in.p, n);
		int rc = ms_convert(p, n, -1, 1 << 20, &out);
		if (n == first)
			ck_assert_int_eq(rc, 0);
		else
			ck_assert_msg(rc == KERR_CORRUPT_MESSAGE, "prefix %zu: %d", n, rc);
		free(p);
	}
	cbuf_free(&inner);
	cbuf_free(&in);
	cbuf_free(&out);
}
END_TEST

START_TEST(nested_compression)
{
	struct cbuf inner = { 0 }, mid = { 0 }, in = { 0 }, out = { 0 };
	put_simple(&inner, 0, 1, 1, "a", "b");
	put_wrapper(&mid, 0, 1, COMPRESS_GZIP, 1, &inner);
	put_wrapper(&in, 0, 1, COMPRESS_GZIP, 1, &mid);
	ck_assert_int_eq(ms_convert(in.p, in.len, -1, 1 << 20, &out), KERR_INVALID_RECORD);
	cbuf_free(&inner);
	cbuf_free(&mid);
	cbuf_free(&in);
	cbuf_free(&out);
}
END_TEST

START_TEST(wrapper_rules)
{
	struct cbuf inner = { 0 }, in = { 0 }, out = { 0 }, empty = { 0 };
	/* inner magic differs from the wrapper's */
	put_simple(&inner, 0, 0, 0, "a", "b");
	put_wrapper(&in, 0, 1, COMPRESS_GZIP, 1, &inner);
	ck_assert_int_eq(ms_convert(in.p, in.len, -1, 1 << 20, &out), KERR_INVALID_RECORD);
	/* no inner messages */
	in.len = 0;
	put_wrapper(&in, 0, 1, COMPRESS_GZIP, 1, &empty);
	ck_assert_int_eq(ms_convert(in.p, in.len, -1, 1 << 20, &out), KERR_INVALID_RECORD);
	/* zstd and unknown codecs need magic 2 / do not exist */
	for (int codec = 4; codec <= 7; codec++) {
		in.len = 0;
		struct tmsg m = { 0, 1, codec, 1, NULL, -1, "zz", 2 };
		put_msg(&in, &m);
		ck_assert_int_eq(ms_convert(in.p, in.len, -1, 1 << 20, &out),
				 KERR_UNSUPPORTED_COMPRESSION_TYPE);
	}
	/* null wrapper value; a value that does not inflate */
	in.len = 0;
	struct tmsg nullv = { 0, 1, COMPRESS_GZIP, 1, NULL, -1, NULL, -1 };
	put_msg(&in, &nullv);
	ck_assert_int_eq(ms_convert(in.p, in.len, -1, 1 << 20, &out), KERR_INVALID_RECORD);
	in.len = 0;
	struct tmsg junk = { 0, 1, COMPRESS_GZIP, 1, NULL, -1, "not gzip at all", 15 };
	put_msg(&in, &junk);
	ck_assert_int_eq(ms_convert(in.p, in.len, -1, 1 << 20, &out), KERR_CORRUPT_MESSAGE);
	/* a negative timestamp other than -1 */
	in.len = 0;
	put_simple(&in, 0, 1, -2, "a", "b");
	ck_assert_int_eq(ms_convert(in.p, in.len, -1, 1 << 20, &out), KERR_INVALID_RECORD);
	cbuf_free(&inner);
	cbuf_free(&in);
	cbuf_free(&out);
}
END_TEST

/* a magic 2 batch after a legacy entry is not part of a legacy set */
START_TEST(mixed_magic)
{
	struct cbuf in = { 0 }, out = { 0 };
	put_simple(&in, 0, 1, 1, "a", "b");
	uint8_t batch[256];
	struct rb_build_record r = { "k", 1, "v", 1 };
	int64_t n = rb_build(batch, sizeof batch, &r, 1, 1, 0, -1, -1, -1);
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(cbuf_append(&in, batch, (size_t)n), 0);
	ck_assert_int_eq(ms_convert(in.p, in.len, -1, 1 << 20, &out), KERR_INVALID_RECORD);
	ck_assert(!ms_is_legacy(batch, (size_t)n));
	cbuf_free(&in);
	cbuf_free(&out);
}
END_TEST

/* sizes and lengths that lie: never trusted, never allocated */
START_TEST(garbage_sizes)
{
	struct cbuf in = { 0 }, out = { 0 };
	put_simple(&in, 0, 1, 1, "key", "value");
	const size_t size_at = 8, key_at = 12 + 14;
	static const uint32_t sizes[] = { 0, 13, 21, 0x7fffffff, 0x80000000u, 0xffffffffu };
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		struct cbuf c = { 0 };
		ck_assert_int_eq(cbuf_append(&c, in.p, in.len), 0);
		for (int j = 0; j < 4; j++)
			c.p[size_at + j] = (uint8_t)(sizes[i] >> (24 - 8 * j));
		ck_assert_int_eq(ms_convert(c.p, c.len, -1, 1 << 20, &out), KERR_CORRUPT_MESSAGE);
		cbuf_free(&c);
	}
	/* key lengths past the message or below -1, with a valid CRC */
	static const int32_t klens[] = { -2, 100, 0x7fffffff, 4, 2 };
	for (size_t i = 0; i < sizeof klens / sizeof klens[0]; i++) {
		struct cbuf c = { 0 };
		ck_assert_int_eq(cbuf_append(&c, in.p, in.len), 0);
		for (int j = 0; j < 4; j++)
			c.p[key_at + j] = (uint8_t)((uint32_t)klens[i] >> (24 - 8 * j));
		uint32_t crc = ms_crc32(0, c.p + 16, c.len - 16);
		for (int j = 0; j < 4; j++)
			c.p[12 + j] = (uint8_t)(crc >> (24 - 8 * j));
		ck_assert_int_eq(ms_convert(c.p, c.len, -1, 1 << 20, &out), KERR_CORRUPT_MESSAGE);
		cbuf_free(&c);
	}
	/* deterministic garbage, some of it starting like a legacy entry */
	uint32_t seed = 12345;
	for (int round = 0; round < 20000; round++) {
		uint8_t buf[200];
		size_t n = (size_t)(round % 200);
		for (size_t j = 0; j < n; j++) {
			seed = seed * 1103515245u + 12345u;
			buf[j] = (uint8_t)(seed >> 16);
		}
		if (n > 16)
			buf[16] = (uint8_t)(round & 1);
		if (n > 12) {
			uint32_t s = (uint32_t)(n - 12);
			for (int j = 0; j < 4 && round % 3; j++)
				buf[8 + j] = (uint8_t)(s >> (24 - 8 * j));
		}
		int rc = ms_convert(buf, n, -1, 1 << 16, &out);
		if (rc == 0) { /* only if it really was a valid set */
			struct rb_header h;
			ck_assert_int_eq(rb_validate(out.p, out.len, &h), 0);
		}
	}
	cbuf_free(&in);
	cbuf_free(&out);
}
END_TEST

START_TEST(limits)
{
	struct cbuf inner = { 0 }, in = { 0 }, out = { 0 };
	/* 4 MiB of zeros inflate past a 1 MiB cap: a bomb, stopped */
	size_t big = 4 << 20;
	uint8_t *zeros = calloc(1, big);
	ck_assert_ptr_nonnull(zeros);
	struct tmsg m = { 0, 1, 0, 1, NULL, -1, zeros, (int32_t)big };
	put_msg(&inner, &m);
	free(zeros);
	put_wrapper(&in, 0, 1, COMPRESS_GZIP, 1, &inner);
	ck_assert_uint_lt(in.len, 64 << 10);
	ck_assert_int_eq(ms_convert(in.p, in.len, -1, 1 << 20, &out), KERR_MESSAGE_TOO_LARGE);
	ck_assert_int_eq(ms_convert(in.p, in.len, -1, 8 << 20, &out), 0);
	/* the cap is for all wrappers together */
	struct cbuf two = { 0 };
	ck_assert_int_eq(cbuf_append(&two, in.p, in.len), 0);
	ck_assert_int_eq(cbuf_append(&two, in.p, in.len), 0);
	ck_assert_int_eq(ms_convert(two.p, two.len, -1, 6 << 20, &out), KERR_MESSAGE_TOO_LARGE);
	/* each top-level entry against max.message.bytes, inner ones not */
	ck_assert_int_eq(ms_convert(in.p, in.len, (int32_t)in.len - 1, 8 << 20, &out),
			 KERR_MESSAGE_TOO_LARGE);
	ck_assert_int_eq(ms_convert(in.p, in.len, (int32_t)in.len, 8 << 20, &out), 0);
	cbuf_free(&two);
	cbuf_free(&inner);
	cbuf_free(&in);
	cbuf_free(&out);
}
END_TEST


/* ---- down-conversion (Fetch v0-3) ---- */

/* A v2 batch of n records "k<i>"/"v<i>" at base, timestamps 1000 + i. */
static size_t v2_batch(uint8_t *buf, size_t cap, int64_t base, int n, int16_t attrs)
{
	struct rb_build_record recs[8];
	char keys[8][8], vals[8][8];
	for (int i = 0; i < n; i++) {
		snprintf(keys[i], sizeof keys[i], "k%d", i);
		snprintf(vals[i], sizeof vals[i], "v%d", i);
		recs[i] = (struct rb_build_record){ keys[i], (int32_t)strlen(keys[i]), vals[i],
						    (int32_t)strlen(vals[i]) };
	}
	int64_t len = rb_build(buf, cap, recs, n, 1000, attrs, -1, -1, -1);
	ck_assert_int_gt(len, 0);
	rb_set_base_offset(buf, base);
	return (size_t)len;
}

static uint64_t get_be(const uint8_t *p, int n)
{
	uint64_t v = 0;
	for (int i = 0; i < n; i++)
		v = (v << 8) | p[i];
	return v;
}

/* Walks a legacy set: checks every CRC and collects offsets/keys/timestamps. */
static int walk_legacy(const uint8_t *p, size_t len, int magic, int64_t *offs, int64_t *ts,
		       char keys[][8], int cap)
{
	size_t pos = 0;
	int n = 0;
	while (pos < len && n < cap) {
		ck_assert_uint_ge(len - pos, 12);
		int64_t off = (int64_t)get_be(p + pos, 8);
		uint32_t size = (uint32_t)get_be(p + pos + 8, 4);
		const uint8_t *m = p + pos + 12;
		ck_assert_uint_le(size, len - pos - 12);
		ck_assert_uint_eq(get_be(m, 4), ms_crc32(0, m + 4, size - 4));
		ck_assert_int_eq(m[4], magic);
		size_t kpos = 6 + (magic ? 8 : 0);
		ts[n] = magic ? (int64_t)get_be(m + 6, 8) : -1;
		int32_t klen = (int32_t)get_be(m + kpos, 4);
		ck_assert_int_ge(klen, 0);
		ck_assert_int_lt(klen, 8);
		memcpy(keys[n], m + kpos + 4, (size_t)klen);
		keys[n][klen] = 0;
		offs[n++] = off;
		pos += 12 + size;
	}
	ck_assert_uint_eq(pos, len);
	return n;
}

START_TEST(down_convert_plain_both_magics)
{
	uint8_t log[1024];
	size_t len = v2_batch(log, sizeof log, 40, 3, 0);
	len += v2_batch(log + len, sizeof log - len, 43, 2, 0);
	for (int magic = 0; magic <= 1; magic++) {
		struct cbuf out = { 0 };
		struct ms_down_stats st = { 0 };
		ck_assert_int_eq(ms_down_convert(log, len, magic, 41, 1 << 20, 1 << 20, &out, &st), 0);
		int64_t offs[8], ts[8];
		char keys[8][8];
		int n = walk_legacy(out.p, out.len, magic, offs, ts, keys, 8);
		/* offset 40 is before the fetch offset: dropped, as Kafka does */
		ck_assert_int_eq(n, 4);
		ck_assert_int_eq(offs[0], 41);
		ck_assert_int_eq(offs[3], 44);
		ck_assert_str_eq(keys[0], "k1");
		ck_assert_str_eq(keys[2], "k0");
		ck_assert_int_eq(ts[0], magic ? 1000 : -1);
		ck_assert_int_eq(st.records_out, 4);
		ck_assert_int_eq(st.batches_in, 2);
		/* and Gregor's own up-conversion reads it back */
		struct cbuf up = { 0 };
		ck_assert_int_eq(ms_convert(out.p, out.len, -1, 1 << 20, &up), 0);
		struct rb_header h;
		ck_assert_int_eq(rb_parse_header(up.p, up.len, &h), 0);
		ck_assert_int_eq(h.records_count, 4);
		cbuf_free(&up);
		cbuf_free(&out);
	}
}
END_TEST

START_TEST(down_convert_control_compressed_zstd)
{
	uint8_t log[2048];
	/* a control batch (transaction marker) vanishes */
	size_t len = v2_batch(log, sizeof log, 0, 1, RB_ATTR_CONTROL | RB_ATTR_TRANSACTIONAL);
	size_t plain = v2_batch(log + len, sizeof log - len, 1, 3, 0);
	/* the same batch gzip-compressed: inflated and written plain */
	struct cbuf gz = { 0 };
	ck_assert_int_eq(compress_batch_pack(log + len, plain, 1, &gz), 0);
	rb_set_base_offset(gz.p, 4);
	memcpy(log + len + plain, gz.p, gz.len);
	size_t total = len + plain + gz.len;
	struct cbuf out = { 0 };
	struct ms_down_stats st = { 0 };
	ck_assert_int_eq(ms_down_convert(log, total, 1, 0, 1 << 20, 1 << 20, &out, &st), 0);
	int64_t offs[8], ts[8];
	char keys[8][8];
	int n = walk_legacy(out.p, out.len, 1, offs, ts, keys, 8);
	ck_assert_int_eq(n, 6);
	ck_assert_int_eq(offs[0], 1);
	ck_assert_int_eq(offs[5], 6);
	ck_assert_int_gt(st.inflated, 0);
	cbuf_free(&out);
	/* a cut-off last batch is ignored, not an error */
	ck_assert_int_eq(ms_down_convert(log, total - 5, 1, 0, 1 << 20, 1 << 20, &out, &st), 0);
	ck_assert_int_eq(walk_legacy(out.p, out.len, 1, offs, ts, keys, 8), 3);
	cbuf_free(&out);
	/* zstd has no magic 0/1 form: UNSUPPORTED_COMPRESSION_TYPE, as Kafka */
	struct cbuf zs = { 0 };
	ck_assert_int_eq(compress_batch_pack(log + len, plain, 4, &zs), 0);
	ck_assert_int_eq(ms_down_convert(zs.p, zs.len, 1, 0, 1 << 20, 1 << 20, &out, &st),
			 KERR_UNSUPPORTED_COMPRESSION_TYPE);
	cbuf_free(&zs);
	cbuf_free(&gz);
	cbuf_free(&out);
}
END_TEST

START_TEST(down_convert_bounded)
{
	uint8_t log[1024];
	size_t len = v2_batch(log, sizeof log, 0, 5, 0);
	struct cbuf out = { 0 };
	struct ms_down_stats st = { 0 };
	/* a budget smaller than one message still yields exactly one */
	ck_assert_int_eq(ms_down_convert(log, len, 0, 0, 1, 1 << 20, &out, &st), 0);
	int64_t offs[8], ts[8];
	char keys[8][8];
	ck_assert_int_eq(walk_legacy(out.p, out.len, 0, offs, ts, keys, 8), 1);
	size_t one = out.len;
	cbuf_free(&out);
	/* room for two: two */
	ck_assert_int_eq(ms_down_convert(log, len, 0, 0, 2 * one, 1 << 20, &out, &st), 0);
	ck_assert_int_eq(walk_legacy(out.p, out.len, 0, offs, ts, keys, 8), 2);
	cbuf_free(&out);
	/* inflating past max_inflate stops with an error instead of growing */
	struct cbuf gz = { 0 };
	ck_assert_int_eq(compress_batch_pack(log, len, 1, &gz), 0);
	ck_assert_int_ne(ms_down_convert(gz.p, gz.len, 1, 0, 1 << 20, 8, &out, &st), 0);
	cbuf_free(&gz);
	cbuf_free(&out);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("message_set");
	TCase *tc = tcase_create("convert");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, crc32_vector);
	tcase_add_test(tc, magic0_plain);
	tcase_add_test(tc, magic1_plain_timestamps);
	tcase_add_test(tc, wrapper_each_codec);
	tcase_add_test(tc, wrapper_log_append_time);
	tcase_add_test(tc, lz4_magic0_header_checksum);
	tcase_add_test(tc, mixed_entries);
	tcase_add_test(tc, crc_errors);
	tcase_add_test(tc, truncation);
	tcase_add_test(tc, nested_compression);
	tcase_add_test(tc, wrapper_rules);
	tcase_add_test(tc, mixed_magic);
	tcase_add_test(tc, garbage_sizes);
	tcase_add_test(tc, limits);
	tcase_add_test(tc, down_convert_plain_both_magics);
	tcase_add_test(tc, down_convert_control_compressed_zstd);
	tcase_add_test(tc, down_convert_bounded);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
