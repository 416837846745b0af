/* Kafka's four batch codecs over Debian's libraries (zlib, snappy-c, lz4frame,
 * zstd). Inflate grows its output in steps and never past max_out + 1 bytes,
 * so what a stream header claims (snappy's length, zstd's window) is only
 * trusted after it has been checked against the cap. */
#include "common/compress.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <lz4frame.h>
#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

#define RB_HDR 61          /* RecordBatch v2 header bytes (record_batch.h) */
#define FIRST_STEP (64 << 10)
#define XERIAL_HDR 16      /* magic 8 + version 4 + compatible version 4 */
#define XERIAL_BLOCK (32 << 10) /* snappy-java's default block size */
/* No snappy element expands by more than 64/3 (a 3-byte copy of 64 bytes),
 * so a raw block claiming more than this is corrupt. */
#define SNAPPY_MAX_RATIO 22

static const uint8_t xerial_magic[8] = { 0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0 };

void cbuf_free(struct cbuf *b)
{
	free(b->p);
	*b = (struct cbuf){ 0 };
}

int cbuf_reserve(struct cbuf *b, size_t need)
{
	if (need <= b->cap - b->len)
		return 0;
	if (need > SIZE_MAX / 2 - b->len)
		return -ENOMEM;
	size_t cap = b->cap ? b->cap : 256;
	while (cap - b->len < need)
		cap *= 2;
	uint8_t *p = realloc(b->p, cap);
	if (!p)
		return -ENOMEM;
	b->p = p;
	b->cap = cap;
	return 0;
}

int cbuf_append(struct cbuf *b, const void *p, size_t n)
{
	int rc = cbuf_reserve(b, n);
	if (rc)
		return rc;
	if (n)
		memcpy(b->p + b->len, p, n);
	b->len += n;
	return 0;
}

const char *compress_codec_name(int codec)
{
	static const char *const names[] = { "none", "gzip", "snappy", "lz4", "zstd" };
	return codec >= 0 && codec <= COMPRESS_ZSTD ? names[codec] : "unknown";
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Room for the next piece of streamed output: doubles what was produced so
 * far (at least FIRST_STEP), never beyond max_out + 1 produced bytes in all
 * (the extra byte tells "exactly max_out" from "more than max_out"). Returns
 * the room made, 0 when the cap is reached, or -ENOMEM. */
static int64_t grow_step(struct cbuf *out, size_t start, size_t max_out)
{
	size_t produced = out->len - start;
	if (produced > max_out)
		return 0;
	size_t left = max_out + 1 - produced;
	size_t step = produced > FIRST_STEP ? produced : FIRST_STEP;
	if (step > left)
		step = left;
	if (step > (size_t)UINT_MAX)
		step = UINT_MAX; /* zlib counts in uInt */
	if (cbuf_reserve(out, step))
		return -ENOMEM;
	return (int64_t)step;
}

/* ---- gzip ---- */

static int gzip_run(z_stream *z, struct cbuf *out, size_t start, size_t max_out)
{
	for (;;) {
		int64_t room = grow_step(out, start, max_out);
		if (room < 0)
			return (int)room;
		if (room == 0)
			return -EFBIG;
		z->next_out = out->p + out->len;
		z->avail_out = (uInt)room;
		uInt in_before = z->avail_in;
		int zr = inflate(z, Z_NO_FLUSH);
		size_t made = (size_t)room - z->avail_out;
		out->len += made;
		if (zr == Z_STREAM_END) {
			if (z->avail_in == 0)
				return out->len - start > max_out ? -EFBIG : 0;
			/* another gzip member follows (GZIPInputStream reads them all) */
			if (inflateReset(z) != Z_OK)
				return -EINVAL;
			continue;
		}
		if (zr == Z_MEM_ERROR)
			return -ENOMEM;
		if (zr != Z_OK && zr != Z_BUF_ERROR)
			return -EINVAL;
		if (made == 0 && z->avail_in == in_before)
			return -EINVAL; /* no progress: input ends inside a member */
	}
}

static int inflate_gzip(const uint8_t *in, size_t n, size_t max_out, struct cbuf *out)
{
	if (n > UINT_MAX)
		return -EFBIG;
	z_stream z;
	memset(&z, 0, sizeof z);
	if (inflateInit2(&z, 15 + 16) != Z_OK) /* gzip framing only */
		return -ENOMEM;
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)n;
	int rc = n ? gzip_run(&z, out, out->len, max_out) : -EINVAL;
	inflateEnd(&z);
	return rc;
}

static int deflate_gzip(const uint8_t *in, size_t n, struct cbuf *out)
{
	if (n > UINT_MAX / 2)
		return -EFBIG;
	z_stream z;
	memset(&z, 0, sizeof z);
	if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
			 Z_DEFAULT_STRATEGY) != Z_OK)
		return -ENOMEM;
	uLong bound = deflateBound(&z, (uLong)n) + 32;
	int rc = cbuf_reserve(out, bound);
	if (rc == 0) {
		z.next_in = (Bytef *)(uintptr_t)in;
		z.avail_in = (uInt)n;
		z.next_out = out->p + out->len;
		z.avail_out = (uInt)bound;
		rc = deflate(&z, Z_FINISH) == Z_STREAM_END ? 0 : -EIO;
		if (rc == 0)
			out->len += bound - z.avail_out;
	}
	deflateEnd(&z);
	return rc;
}

/* ---- snappy ---- */

static int inflate_snappy_raw(const uint8_t *in, size_t n, size_t max_out, size_t produced,
			      struct cbuf *out)
{
	size_t ulen;
	if (n == 0 || snappy_uncompressed_length((const char *)in, n, &ulen) != SNAPPY_OK)
		return -EINVAL;
	if (ulen > max_out - produced)
		return -EFBIG;
	if (ulen / SNAPPY_MAX_RATIO > n)
		return -EINVAL; /* claims more than its elements can make */
	if (cbuf_reserve(out, ulen ? ulen : 1))
		return -ENOMEM;
	size_t got = ulen;
	if (snappy_uncompress((const char *)in, n, (char *)out->p + out->len, &got) != SNAPPY_OK ||
	    got != ulen)
		return -EINVAL;
	out->len += got;
	return 0;
}

/* snappy-java's stream: a 16-byte header, then [be32 length][raw block]... */
static int inflate_xerial(const uint8_t *in, size_t n, size_t max_out, struct cbuf *out)
{
	size_t start = out->len, pos = XERIAL_HDR;
	while (pos < n) {
		if (n - pos < 4)
			return -EINVAL;
		uint32_t blen = be32(in + pos);
		pos += 4;
		if (blen > n - pos)
			return -EINVAL;
		int rc = inflate_snappy_raw(in + pos, blen, max_out, out->len - start, out);
		if (rc)
			return rc;
		pos += blen;
	}
	return 0;
}

static int inflate_snappy(const uint8_t *in, size_t n, size_t max_out, struct cbuf *out)
{
	if (n >= XERIAL_HDR && memcmp(in, xerial_magic, sizeof xerial_magic) == 0)
		return inflate_xerial(in, n, max_out, out);
	return inflate_snappy_raw(in, n, max_out, 0, out);
}

static int deflate_snappy(const uint8_t *in, size_t n, struct cbuf *out)
{
	uint8_t hdr[XERIAL_HDR];
	memcpy(hdr, xerial_magic, sizeof xerial_magic);
	put_be32(hdr + 8, 1);  /* version */
	put_be32(hdr + 12, 1); /* minimum compatible version */
	int rc = cbuf_append(out, hdr, sizeof hdr);
	for (size_t pos = 0; rc == 0 && pos < n; pos += XERIAL_BLOCK) {
		size_t blk = n - pos < XERIAL_BLOCK ? n - pos : XERIAL_BLOCK;
		size_t clen = snappy_max_compressed_length(blk);
		if ((rc = cbuf_reserve(out, 4 + clen)) != 0)
			break;
		if (snappy_compress((const char *)in + pos, blk, (char *)out->p + out->len + 4,
				    &clen) != SNAPPY_OK || clen > UINT32_MAX)
			return -EIO;
		put_be32(out->p + out->len, (uint32_t)clen);
		out->len += 4 + clen;
	}
	return rc;
}

/* ---- lz4 ---- */

static int lz4_run(LZ4F_dctx *d, const uint8_t *in, size_t n, size_t max_out, struct cbuf *out)
{
	size_t start = out->len, pos = 0, hint = 1;
	while (pos < n) {
		int64_t room = grow_step(out, start, max_out);
		if (room < 0)
			return (int)room;
		if (room == 0)
			return -EFBIG;
		size_t dst = (size_t)room, src = n - pos;
		hint = LZ4F_decompress(d, out->p + out->len, &dst, in + pos, &src, NULL);
		if (LZ4F_isError(hint))
			return -EINVAL;
		out->len += dst;
		pos += src;
		if (dst == 0 && src == 0)
			return -EINVAL;
	}
	/* hint 0: the last frame ended; more output still buffered needs room */
	while (hint != 0) {
		int64_t room = grow_step(out, start, max_out);
		if (room <= 0)
			return room < 0 ? (int)room : -EFBIG;
		size_t dst = (size_t)room, src = 0;
		hint = LZ4F_decompress(d, out->p + out->len, &dst, in + n, &src, NULL);
		if (LZ4F_isError(hint) || dst == 0)
			return -EINVAL; /* truncated frame */
		out->len += dst;
	}
	return out->len - start > max_out ? -EFBIG : 0;
}

static int inflate_lz4(const uint8_t *in, size_t n, size_t max_out, struct cbuf *out)
{
	LZ4F_dctx *d;
	if (LZ4F_isError(LZ4F_createDecompressionContext(&d, LZ4F_VERSION)))
		return -ENOMEM;
	int rc = n ? lz4_run(d, in, n, max_out, out) : -EINVAL;
	LZ4F_freeDecompressionContext(d);
	return rc;
}

static int deflate_lz4(const uint8_t *in, size_t n, struct cbuf *out)
{
	/* KafkaLZ4BlockOutputStream: 64 KiB independent blocks, no checksums
	 * other than the frame header's */
	LZ4F_preferences_t prefs;
	memset(&prefs, 0, sizeof prefs);
	prefs.frameInfo.blockSizeID = LZ4F_max64KB;
	prefs.frameInfo.blockMode = LZ4F_blockIndependent;
	size_t bound = LZ4F_compressFrameBound(n, &prefs);
	int rc = cbuf_reserve(out, bound);
	if (rc)
		return rc;
	size_t w = LZ4F_compressFrame(out->p + out->len, bound, in, n, &prefs);
	if (LZ4F_isError(w))
		return -EIO;
	out->len += w;
	return 0;
}

/* ---- zstd ---- */

/* The largest window a frame may ask for: enough for any output up to
 * max_out and for what common encoders use (level <= 19: 2^23), never the
 * library's 2^27 default just because a header says so. */
static int zstd_window_log(size_t max_out)
{
	int wl = 23;
	while (wl < 27 && ((size_t)1 << wl) < max_out)
		wl++;
	return wl;
}

static int zstd_run(ZSTD_DCtx *d, const uint8_t *in, size_t n, size_t max_out, struct cbuf *out)
{
	ZSTD_inBuffer ib = { in, n, 0 };
	size_t start = out->len, ret = 1;
	while (ib.pos < ib.size || ret != 0) {
		int64_t room = grow_step(out, start, max_out);
		if (room < 0)
			return (int)room;
		if (room == 0)
			return -EFBIG;
		ZSTD_outBuffer ob = { out->p + out->len, (size_t)room, 0 };
		size_t in_before = ib.pos;
		ret = ZSTD_decompressStream(d, &ob, &ib);
		if (ZSTD_isError(ret))
			return ZSTD_getErrorCode(ret) == ZSTD_error_memory_allocation ? -ENOMEM : -EINVAL;
		out->len += ob.pos;
		if (ob.pos == 0 && ib.pos == in_before)
			return -EINVAL; /* input ends inside a frame */
	}
	return out->len - start > max_out ? -EFBIG : 0;
}

static int inflate_zstd(const uint8_t *in, size_t n, size_t max_out, struct cbuf *out)
{
	ZSTD_DCtx *d = ZSTD_createDCtx();
	if (!d)
		return -ENOMEM;
	int rc = -EINVAL;
	if (n && !ZSTD_isError(ZSTD_DCtx_setParameter(d, ZSTD_d_windowLogMax,
						      zstd_window_log(max_out))))
		rc = zstd_run(d, in, n, max_out, out);
	ZSTD_freeDCtx(d);
	return rc;
}

static int deflate_zstd(const uint8_t *in, size_t n, struct cbuf *out)
{
	size_t bound = ZSTD_compressBound(n);
	int rc = cbuf_reserve(out, bound);
	if (rc)
		return rc;
	size_t w = ZSTD_compress(out->p + out->len, bound, in, n, 3); /* Kafka's default level */
	if (ZSTD_isError(w))
		return -EIO;
	out->len += w;
	return 0;
}

/* ---- dispatch ---- */

int compress_inflate(int codec, const uint8_t *in, size_t n, size_t max_out, struct cbuf *out)
{
	size_t start = out->len;
	int rc;
	switch (codec) {
	case COMPRESS_NONE:
		rc = n > max_out ? -EFBIG : cbuf_append(out, in, n);
		break;
	case COMPRESS_GZIP: rc = inflate_gzip(in, n, max_out, out); break;
	case COMPRESS_SNAPPY: rc = inflate_snappy(in, n, max_out, out); break;
	case COMPRESS_LZ4: rc = inflate_lz4(in, n, max_out, out); break;
	case COMPRESS_ZSTD: rc = inflate_zstd(in, n, max_out, out); break;
	default: rc = -ENOTSUP; break;
	}
	if (rc)
		out->len = start;
	return rc;
}

int compress_deflate(int codec, const uint8_t *in, size_t n, struct cbuf *out)
{
	size_t start = out->len;
	int rc;
	switch (codec) {
	case COMPRESS_NONE: rc = cbuf_append(out, in, n); break;
	case COMPRESS_GZIP: rc = deflate_gzip(in, n, out); break;
	case COMPRESS_SNAPPY: rc = deflate_snappy(in, n, out); break;
	case COMPRESS_LZ4: rc = deflate_lz4(in, n, out); break;
	case COMPRESS_ZSTD: rc = deflate_zstd(in, n, out); break;
	default: rc = -ENOTSUP; break;
	}
	if (rc)
		out->len = start;
	return rc;
}

/* ---- batches ---- */

/* The whole batch's size from batchLength, or 0 if it does not fit len. */
static size_t batch_size(const uint8_t *batch, size_t len)
{
	if (len < RB_HDR)
		return 0;
	uint32_t bl = be32(batch + 8);
	if (bl > INT32_MAX || 12 + (size_t)bl < RB_HDR || 12 + (size_t)bl > len)
		return 0;
	return 12 + (size_t)bl;
}

static int set_batch_fields(struct cbuf *out, int codec)
{
	if (out->len - 12 > INT32_MAX)
		return -EFBIG;
	put_be32(out->p + 8, (uint32_t)(out->len - 12));
	out->p[22] = (uint8_t)((out->p[22] & ~0x07) | codec);
	return 0;
}

int compress_batch_view(const uint8_t *batch, size_t len, size_t max_out, struct cbuf *out)
{
	size_t total = batch_size(batch, len);
	if (!total || (batch[22] & 0x07) == 0)
		return -EINVAL;
	out->len = 0;
	int rc = cbuf_append(out, batch, RB_HDR);
	if (rc == 0)
		rc = compress_inflate(batch[22] & 0x07, batch + RB_HDR, total - RB_HDR, max_out, out);
	return rc ? rc : set_batch_fields(out, 0);
}

int compress_batch_pack(const uint8_t *view, size_t len, int codec, struct cbuf *out)
{
	size_t total = batch_size(view, len);
	if (!total || codec < 0 || codec > COMPRESS_ZSTD)
		return -EINVAL;
	out->len = 0;
	int rc = cbuf_append(out, view, RB_HDR);
	if (rc == 0)
		rc = compress_deflate(codec, view + RB_HDR, total - RB_HDR, out);
	return rc ? rc : set_batch_fields(out, codec);
}
