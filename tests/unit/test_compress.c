/* common/compress: every codec round-trips; truncated and garbage input is
 * refused; inflate never grows past its cap (bombs); real librdkafka batches
 * (vectors/compressed_batches.txt, from vectors/compress_capture.sh) decode
 * to the records the producer sent; batch view/pack round-trip. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ZSTD_STATIC_LINKING_ONLY /* ZSTD_getFrameHeader */
#include <zstd.h>

#include "common/compress.h"
#include "common/proto/crc32c.h"
#include "common/proto/record_batch.h"

static const int codecs[] = { COMPRESS_GZIP, COMPRESS_SNAPPY, COMPRESS_LZ4, COMPRESS_ZSTD };
#define NCODECS 4

/* Deterministic data that compresses somewhat: words from a small set. */
static uint8_t *sample(size_t n, uint32_t seed)
{
	static const char *words[] = { "kafka ", "gregor ", "batch ", "record ", "\x01\x02", "zz" };
	uint8_t *p = malloc(n ? n : 1);
	ck_assert_ptr_nonnull(p);
	for (size_t i = 0; i < n;) {
		seed = seed * 1103515245u + 12345u;
		const char *w = words[(seed >> 16) % 6];
		for (size_t j = 0; w[j] && i < n; j++)
			p[i++] = (uint8_t)w[j];
		if ((seed >> 8) % 7 == 0 && i < n)
			p[i++] = (uint8_t)(seed >> 24);
	}
	return p;
}

START_TEST(round_trip)
{
	static const size_t sizes[] = { 0, 1, 1000, 70000, 300000 };
	for (int c = 0; c < NCODECS; c++) {
		for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
			size_t n = sizes[s];
			uint8_t *in = sample(n, (uint32_t)(n + 7));
			struct cbuf z = { 0 }, out = { 0 };
			ck_assert_int_eq(compress_deflate(codecs[c], in, n, &z), 0);
			int rc = compress_inflate(codecs[c], z.p, z.len, n, &out);
			ck_assert_msg(rc == 0, "%s %zu: %d", compress_codec_name(codecs[c]), n, rc);
			ck_assert_uint_eq(out.len, n);
			ck_assert(n == 0 || memcmp(out.p, in, n) == 0);
			if (n > 1000) {
				ck_assert_uint_lt(z.len, n); /* it did compress */
				/* one byte short of the real size is over the cap */
				ck_assert_int_eq(compress_inflate(codecs[c], z.p, z.len, n - 1, &out),
						 -EFBIG);
				ck_assert_uint_eq(out.len, n); /* untouched on error */
			}
			cbuf_free(&z);
			cbuf_free(&out);
			free(in);
		}
	}
}
END_TEST

START_TEST(format_markers)
{
	/* the framings other clients expect: gzip magic, xerial header, LZ4
	 * frame magic, zstd frame magic */
	static const uint8_t magic[NCODECS][8] = {
		{ 0x1f, 0x8b }, { 0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0 },
		{ 0x04, 0x22, 0x4d, 0x18 }, { 0x28, 0xb5, 0x2f, 0xfd } };
	static const size_t mlen[NCODECS] = { 2, 8, 4, 4 };
	uint8_t *in = sample(5000, 1);
	for (int c = 0; c < NCODECS; c++) {
		struct cbuf z = { 0 };
		ck_assert_int_eq(compress_deflate(codecs[c], in, 5000, &z), 0);
		ck_assert(z.len >= mlen[c] && memcmp(z.p, magic[c], mlen[c]) == 0);
		cbuf_free(&z);
	}
	free(in);
}
END_TEST

START_TEST(truncated_rejected)
{
	uint8_t *in = sample(100000, 3);
	for (int c = 0; c < NCODECS; c++) {
		struct cbuf z = { 0 }, out = { 0 };
		ck_assert_int_eq(compress_deflate(codecs[c], in, 100000, &z), 0);
		static const size_t cuts[] = { 1, 2, 5, 17, 100 };
		for (size_t k = 0; k < sizeof cuts / sizeof cuts[0]; k++) {
			int rc = compress_inflate(codecs[c], z.p, z.len - cuts[k], 1 << 20, &out);
			ck_assert_msg(rc == -EINVAL, "%s cut %zu: %d",
				      compress_codec_name(codecs[c]), cuts[k], rc);
			ck_assert_uint_eq(out.len, 0);
		}
		ck_assert_int_eq(compress_inflate(codecs[c], z.p, 0, 1 << 20, &out), -EINVAL);
		ck_assert_int_eq(compress_inflate(codecs[c], z.p, 3, 1 << 20, &out), -EINVAL);
		cbuf_free(&z);
		cbuf_free(&out);
	}
	free(in);
}
END_TEST

START_TEST(garbage_rejected)
{
	uint8_t junk[4096];
	uint32_t s = 99;
	for (size_t i = 0; i < sizeof junk; i++) {
		s = s * 1103515245u + 12345u;
		junk[i] = (uint8_t)(s >> 16);
	}
	struct cbuf out = { 0 };
	for (int c = 0; c < NCODECS; c++)
		ck_assert_int_lt(compress_inflate(codecs[c], junk, sizeof junk, 1 << 20, &out), 0);
	ck_assert_int_eq(compress_inflate(7, junk, 10, 100, &out), -ENOTSUP);
	/* a gzip member whose CRC32 trailer is wrong */
	uint8_t *in = sample(3000, 5);
	struct cbuf z = { 0 };
	ck_assert_int_eq(compress_deflate(COMPRESS_GZIP, in, 3000, &z), 0);
	z.p[z.len - 6] ^= 0x40;
	ck_assert_int_eq(compress_inflate(COMPRESS_GZIP, z.p, z.len, 1 << 20, &out), -EINVAL);
	/* xerial block length past the end */
	z.len = 0;
	ck_assert_int_eq(compress_deflate(COMPRESS_SNAPPY, in, 3000, &z), 0);
	z.p[16] = 0x7f;
	ck_assert_int_eq(compress_inflate(COMPRESS_SNAPPY, z.p, z.len, 1 << 20, &out), -EINVAL);
	ck_assert_uint_eq(out.len, 0);
	cbuf_free(&z);
	cbuf_free(&out);
	free(in);
}
END_TEST

START_TEST(bomb_capped)
{
	size_t n = 16 << 20;
	uint8_t *zeros = calloc(1, n);
	ck_assert_ptr_nonnull(zeros);
	for (int c = 0; c < NCODECS; c++) {
		struct cbuf z = { 0 }, out = { 0 };
		ck_assert_int_eq(compress_deflate(codecs[c], zeros, n, &z), 0);
		ck_assert_uint_lt(z.len, n / 20);
		ck_assert_int_eq(compress_inflate(codecs[c], z.p, z.len, 1 << 20, &out), -EFBIG);
		/* the output never grew much past the cap */
		ck_assert_uint_le(out.cap, 2u << 20);
		ck_assert_int_eq(compress_inflate(codecs[c], z.p, z.len, n, &out), 0);
		ck_assert_uint_eq(out.len, n);
		cbuf_free(&z);
		cbuf_free(&out);
	}
	free(zeros);
	/* raw snappy whose length varint claims 2 GiB over three bytes: refused
	 * before anything that size is allocated */
	uint8_t claim[] = { 0x80, 0x80, 0x80, 0x80, 0x08, 0x00, 0x61 };
	struct cbuf out = { 0 };
	ck_assert_int_eq(compress_inflate(COMPRESS_SNAPPY, claim, sizeof claim, 1 << 20, &out),
			 -EFBIG);
	ck_assert_int_eq(compress_inflate(COMPRESS_SNAPPY, claim, sizeof claim, (size_t)4 << 30,
					  &out), -EINVAL);
	ck_assert_uint_le(out.cap, 4096);
	cbuf_free(&out);
}
END_TEST

START_TEST(zstd_window_claim)
{
	/* a frame that asks for a 128 MiB window (no content size) is refused
	 * under a small cap instead of being given the window */
	ZSTD_CCtx *cc = ZSTD_createCCtx();
	ZSTD_CCtx_setParameter(cc, ZSTD_c_windowLog, 27);
	ZSTD_CCtx_setParameter(cc, ZSTD_c_contentSizeFlag, 0);
	uint8_t *in = sample(1000, 9);
	uint8_t buf[2048];
	ZSTD_outBuffer ob = { buf, sizeof buf, 0 };
	/* fed in two calls, so the encoder cannot shrink the window to the size */
	ZSTD_inBuffer ib = { in, 500, 0 };
	ck_assert(!ZSTD_isError(ZSTD_compressStream2(cc, &ob, &ib, ZSTD_e_continue)));
	ib.size = 1000;
	ck_assert(!ZSTD_isError(ZSTD_compressStream2(cc, &ob, &ib, ZSTD_e_end)));
	ZSTD_freeCCtx(cc);
	ZSTD_frameHeader fh;
	ck_assert_uint_eq(ZSTD_getFrameHeader(&fh, buf, ob.pos), 0);
	ck_assert_uint_eq(fh.windowSize, 1u << 27);
	struct cbuf out = { 0 };
	ck_assert_int_eq(compress_inflate(COMPRESS_ZSTD, buf, ob.pos, 1 << 20, &out), -EINVAL);
	ck_assert_uint_eq(out.len, 0);
	cbuf_free(&out);
	free(in);
}
END_TEST

static size_t unhex(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;
	unsigned v;
	while (s[0] && s[1] && s[0] != '\n' && n < cap && sscanf(s, "%2x", &v) == 1) {
		out[n++] = (uint8_t)v;
		s += 2;
	}
	return n;
}

/* What vectors/compress_capture.sh produced: key k(i%3), value
 * "<i as 60 digits>-value-<i>-<codec>", i = 1..5. */
static void check_librdkafka_records(const struct cbuf *view, const char *codec)
{
	struct rb_iter it;
	struct rb_record r;
	rb_iter_init(&it, view->p, view->len);
	int i = 0;
	while (rb_iter_next(&it, &r) == 1) {
		i++;
		char key[8], val[128];
		snprintf(key, sizeof key, "k%d", i % 3);
		snprintf(val, sizeof val, "%060d-value-%d-%s", i, i, codec);
		ck_assert_int_eq(r.offset_delta, i - 1);
		ck_assert_int_eq(r.key_len, (int)strlen(key));
		ck_assert(memcmp(r.key, key, strlen(key)) == 0);
		ck_assert_int_eq(r.value_len, (int)strlen(val));
		ck_assert(memcmp(r.value, val, strlen(val)) == 0);
	}
	ck_assert_int_eq(it.err, 0);
	ck_assert_int_eq(i, 5);
}

START_TEST(librdkafka_batches)
{
	FILE *f = fopen("vectors/compressed_batches.txt", "r");
	ck_assert_ptr_nonnull(f);
	char line[8192], name[16];
	int seen = 0, count;
	uint8_t batch[4096];
	struct cbuf view = { 0 }, packed = { 0 };
	while (fgets(line, sizeof line, f)) {
		char *hex = line;
		int off;
		ck_assert_int_eq(sscanf(line, "%15s %d %n", name, &count, &off), 2);
		hex += off;
		size_t n = unhex(hex, batch, sizeof batch);
		struct rb_header h;
		ck_assert_int_eq(rb_validate(batch, n, &h), 0);
		ck_assert_str_eq(compress_codec_name(h.attributes & 7), name);
		ck_assert_int_eq(compress_batch_view(batch, n, 1 << 20, &view), 0);
		ck_assert_int_eq(view.p[22] & 7, 0);
		check_librdkafka_records(&view, name);
		/* packed again with the same codec, the batch checks out and
		 * holds the same records */
		ck_assert_int_eq(compress_batch_pack(view.p, view.len, h.attributes & 7, &packed), 0);
		uint32_t crc = crc32c(0, packed.p + 21, packed.len - 21);
		for (int k = 0; k < 4; k++)
			packed.p[17 + k] = (uint8_t)(crc >> (24 - 8 * k));
		ck_assert_int_eq(rb_validate(packed.p, packed.len, &h), 0);
		ck_assert_int_eq(compress_batch_view(packed.p, packed.len, 1 << 20, &view), 0);
		check_librdkafka_records(&view, name);
		/* a cap below the records' size refuses the batch */
		ck_assert_int_eq(compress_batch_view(batch, n, 100, &view), -EFBIG);
		seen |= 1 << (h.attributes & 7);
	}
	fclose(f);
	cbuf_free(&view);
	cbuf_free(&packed);
	ck_assert_int_eq(seen, 0x1e); /* gzip, snappy, lz4, zstd */
}
END_TEST

START_TEST(batch_view_rejects)
{
	uint8_t buf[512];
	struct rb_build_record r = { "k", 1, "v", 1 };
	int64_t n = rb_build(buf, sizeof buf, &r, 1, 1000, 0, -1, -1, -1);
	ck_assert_int_gt(n, 0);
	struct cbuf v = { 0 };
	ck_assert_int_eq(compress_batch_view(buf, (size_t)n, 1 << 20, &v), -EINVAL); /* not compressed */
	buf[22] |= COMPRESS_LZ4;
	ck_assert_int_eq(compress_batch_view(buf, (size_t)n, 1 << 20, &v), -EINVAL); /* not lz4 */
	ck_assert_int_eq(compress_batch_view(buf, 40, 1 << 20, &v), -EINVAL);          /* short */
	buf[22] = (uint8_t)((buf[22] & ~7) | 6);
	ck_assert_int_eq(compress_batch_view(buf, (size_t)n, 1 << 20, &v), -ENOTSUP);
	cbuf_free(&v);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("compress");
	TCase *tc = tcase_create("codecs");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, round_trip);
	tcase_add_test(tc, format_markers);
	tcase_add_test(tc, truncated_rejected);
	tcase_add_test(tc, garbage_rejected);
	tcase_add_test(tc, bomb_capped);
	tcase_add_test(tc, zstd_window_claim);
	tcase_add_test(tc, librdkafka_batches);
	tcase_add_test(tc, batch_view_rejects);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
