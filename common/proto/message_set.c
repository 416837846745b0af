/* Legacy message sets (magic 0/1) up-converted to one RecordBatch v2, as
 * Kafka's LogValidator does for old producers. Every size is checked against
 * the bytes present before use; inflating is capped; the output grows only
 * with what the input really holds (a record never needs more than a legacy
 * message's own header plus 8 bytes). */
#include "common/proto/message_set.h"

#include <errno.h>
#include <string.h>
#include <zlib.h>

#include "common/proto/crc32c.h"
#include "common/proto/kerr.h"
#include "common/proto/record_batch.h"

#define MS_LOG_OVERHEAD 12 /* offset + size */
#define MS_ATTR_CODEC 0x07
#define MS_ATTR_LOG_APPEND_TIME 0x08
#define NO_TIMESTAMP (-1)

/* One message of a set, decoded; key/value NULL with length -1 when null. */
struct ms_msg {
	int8_t magic;
	uint8_t attributes;
	int64_t timestamp; /* NO_TIMESTAMP for magic 0 */
	const uint8_t *key, *value;
	int32_t key_len, value_len;
};

/* The conversion in progress: out holds a reserved header, then records. */
struct ms_conv {
	struct cbuf *out;
	int32_t count;
	int64_t base_ts, max_ts;
	int codec;
	size_t inflate_left;
	struct cbuf inner; /* one wrapper's inflated message set at a time */
};

static uint64_t be_get(const uint8_t *p, int n)
{
	uint64_t v = 0;
	for (int i = 0; i < n; i++)
		v = (v << 8) | p[i];
	return v;
}

static void be_put(uint8_t *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
}

int ms_is_legacy(const uint8_t *p, size_t len)
{
	return len > 16 && (p[16] == 0 || p[16] == 1);
}

uint32_t ms_crc32(uint32_t crc, const uint8_t *p, size_t n)
{
	uLong c = crc;
	/* zlib takes uInt lengths: feed large inputs in slices */
	while (n > 0) {
		uInt k = n > (1u << 30) ? (1u << 30) : (uInt)n;
		c = crc32(c, p, k);
		p += k;
		n -= k;
	}
	return (uint32_t)c;
}

/* A length-prefixed key or value at m[*pos..size); -1 is null. For the
 * value (last) the length must end the message exactly. */
static int read_bytes(const uint8_t *m, size_t size, size_t *pos, int last,
		      const uint8_t **p, int32_t *len)
{
	if (size - *pos < 4)
		return KERR_CORRUPT_MESSAGE;
	int32_t n = (int32_t)be_get(m + *pos, 4);
	*pos += 4;
	size_t left = size - *pos;
	if (n < -1 || (n > 0 && (size_t)n > left))
		return KERR_CORRUPT_MESSAGE;
	size_t used = n > 0 ? (size_t)n : 0;
	if (last && used != left)
		return KERR_CORRUPT_MESSAGE;
	*len = n;
	*p = n >= 0 ? m + *pos : NULL;
	*pos += used;
	return 0;
}

/* Decodes the entry at p[0..avail): *used is its whole size (12 + size).
 * Kafka's order: the size limit before the checksum. */
static int read_entry(const uint8_t *p, size_t avail, int32_t max_entry,
		      size_t *used, struct ms_msg *msg)
{
	if (avail < MS_LOG_OVERHEAD)
		return KERR_CORRUPT_MESSAGE;
	int32_t size = (int32_t)be_get(p + 8, 4);
	if (size < MS_V0_MIN - MS_LOG_OVERHEAD || (size_t)size > avail - MS_LOG_OVERHEAD)
		return KERR_CORRUPT_MESSAGE;
	if (max_entry >= 0 && (int64_t)size + MS_LOG_OVERHEAD > max_entry)
		return KERR_MESSAGE_TOO_LARGE;
	const uint8_t *m = p + MS_LOG_OVERHEAD;
	msg->magic = (int8_t)m[4];
	if (msg->magic == 2)
		return KERR_INVALID_RECORD; /* a v2 batch mixed into a legacy set */
	if (msg->magic != 0 && msg->magic != 1)
		return KERR_CORRUPT_MESSAGE;
	size_t pos = msg->magic ? 14 : 6; /* crc, magic, attributes, timestamp */
	if ((size_t)size < pos + 8)
		return KERR_CORRUPT_MESSAGE;
	if (ms_crc32(0, m + 4, (size_t)size - 4) != (uint32_t)be_get(m, 4))
		return KERR_CORRUPT_MESSAGE;
	msg->attributes = m[5];
	msg->timestamp = msg->magic ? (int64_t)be_get(m + 6, 8) : NO_TIMESTAMP;
	int rc = read_bytes(m, (size_t)size, &pos, 0, &msg->key, &msg->key_len);
	if (!rc)
		rc = read_bytes(m, (size_t)size, &pos, 1, &msg->value, &msg->value_len);
	*used = MS_LOG_OVERHEAD + (size_t)size;
	return rc;
}

static size_t varint_size(int64_t v)
{
	uint64_t u = ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
	size_t n = 1;
	while (u >= 0x80) {
		u >>= 7;
		n++;
	}
	return n;
}

static size_t put_varint(uint8_t *p, int64_t v)
{
	uint64_t u = ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
	size_t n = 0;
	while (u >= 0x80) {
		p[n++] = (uint8_t)(u | 0x80);
		u >>= 7;
	}
	p[n++] = (uint8_t)u;
	return n;
}

static size_t put_vbytes(uint8_t *p, const uint8_t *b, int32_t len)
{
	size_t n = put_varint(p, len);
	if (len > 0)
		memcpy(p + n, b, (size_t)len);
	return n + (len > 0 ? (size_t)len : 0);
}

/* Appends msg as the next record (attributes 0, no headers). */
static int conv_add(struct ms_conv *c, const struct ms_msg *msg, int64_t ts)
{
	/* Kafka's record builder refuses negative timestamps but NO_TIMESTAMP */
	if (ts < NO_TIMESTAMP)
		return KERR_INVALID_RECORD;
	if (c->count == INT32_MAX)
		return KERR_INVALID_RECORD;
	if (c->count == 0)
		c->base_ts = ts;
	if (ts > c->max_ts)
		c->max_ts = ts;
	int64_t delta = ts - c->base_ts; /* both in [-1, INT64_MAX]: no overflow */
	size_t kl = msg->key_len > 0 ? (size_t)msg->key_len : 0;
	size_t vl = msg->value_len > 0 ? (size_t)msg->value_len : 0;
	size_t body = 1 + varint_size(delta) + varint_size(c->count) +
		      varint_size(msg->key_len) + kl + varint_size(msg->value_len) + vl + 1;
	if (cbuf_reserve(c->out, varint_size((int64_t)body) + body))
		return KERR_UNKNOWN_SERVER_ERROR;
	uint8_t *p = c->out->p + c->out->len;
	size_t n = put_varint(p, (int64_t)body);
	p[n++] = 0;
	n += put_varint(p + n, delta);
	n += put_varint(p + n, c->count);
	n += put_vbytes(p + n, msg->key, msg->key_len);
	n += put_vbytes(p + n, msg->value, msg->value_len);
	p[n++] = 0;
	c->out->len += n;
	c->count++;
	return 0;
}

static int inflate_error(int rc)
{
	switch (rc) {
	case -EFBIG: return KERR_MESSAGE_TOO_LARGE;
	case -ENOTSUP: return KERR_UNSUPPORTED_COMPRESSION_TYPE;
	case -ENOMEM: return KERR_UNKNOWN_SERVER_ERROR;
	default: return KERR_CORRUPT_MESSAGE;
	}
}

static uint32_t rotl32(uint32_t x, int r)
{
	return x << r | x >> (32 - r);
}

/* XXH32 with seed 0 of fewer than 16 bytes (an LZ4 frame descriptor). */
static uint32_t xxh32_short(const uint8_t *p, size_t n)
{
	const uint32_t p1 = 2654435761u, p2 = 2246822519u, p3 = 3266489917u,
		       p4 = 668265263u, p5 = 374761393u;
	uint32_t h = p5 + (uint32_t)n;
	for (; n >= 4; p += 4, n -= 4)
		h = rotl32(h + ((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
				(uint32_t)p[3] << 24) * p3, 17) * p4;
	for (; n > 0; p++, n--)
		h = rotl32(h + *p * p5, 11) * p1;
	h ^= h >> 15;
	h *= p2;
	h ^= h >> 13;
	h *= p3;
	return h ^ (h >> 16);
}

/* Kafka 0.8-0.9 producers computed an LZ4 frame's header checksum over the
 * magic number too, and Kafka ignores that byte in magic 0 wrappers; a copy
 * with the right byte lets liblz4 inflate them. The frame stays as it is
 * when its header is too short: the inflate then calls it corrupt. */
static int lz4_fix_header(const uint8_t *v, size_t n, struct cbuf *copy)
{
	copy->len = 0;
	if (cbuf_append(copy, v, n))
		return -ENOMEM;
	if (n < 7)
		return 0;
	size_t hc = 6 + ((v[4] & 0x08) ? 8 : 0) + ((v[4] & 0x01) ? 4 : 0);
	if (hc < n)
		copy->p[hc] = (uint8_t)(xxh32_short(v + 4, hc - 4) >> 8);
	return 0;
}

/* Inflates a wrapper's value into c->inner within what is left of the cap. */
static int conv_inflate(struct ms_conv *c, const struct ms_msg *w, int codec)
{
	c->inner.len = 0;
	if (codec != COMPRESS_LZ4 || w->magic != 0)
		return compress_inflate(codec, w->value, (size_t)w->value_len,
					c->inflate_left, &c->inner);
	struct cbuf fixed = { 0 };
	int rc = lz4_fix_header(w->value, (size_t)w->value_len, &fixed);
	if (!rc)
		rc = compress_inflate(codec, fixed.p, fixed.len, c->inflate_left, &c->inner);
	cbuf_free(&fixed);
	return rc;
}

/* A compressed wrapper: its value inflated is a set of uncompressed
 * messages of the wrapper's magic. Their offsets (absolute in magic 0,
 * relative in magic 1) are reassigned by the log, so they are not checked,
 * as Kafka rebuilds such a batch rather than refusing it. */
static int conv_wrapper(struct ms_conv *c, const struct ms_msg *w)
{
	int codec = w->attributes & MS_ATTR_CODEC;
	if (codec > COMPRESS_LZ4)
		return KERR_UNSUPPORTED_COMPRESSION_TYPE;
	if (!w->value)
		return KERR_INVALID_RECORD;
	int rc = conv_inflate(c, w, codec);
	if (rc)
		return inflate_error(rc);
	c->inflate_left -= c->inner.len;
	c->codec = codec;
	int log_append = w->magic == 1 && (w->attributes & MS_ATTR_LOG_APPEND_TIME);
	size_t pos = 0, used = 0;
	int n = 0;
	while (pos < c->inner.len) {
		struct ms_msg m;
		if ((rc = read_entry(c->inner.p + pos, c->inner.len - pos, -1, &used, &m)))
			return rc;
		if (m.magic != w->magic || (m.attributes & MS_ATTR_CODEC))
			return KERR_INVALID_RECORD;
		if ((rc = conv_add(c, &m, log_append ? w->timestamp : m.timestamp)))
			return rc;
		pos += used;
		n++;
	}
	return n > 0 ? 0 : KERR_INVALID_RECORD;
}

/* The 61-byte header of the uncompressed batch at out[0..len). */
static void write_header(const struct ms_conv *c)
{
	uint8_t *b = c->out->p;
	memset(b, 0, RB_HEADER_SIZE);
	be_put(b + 8, c->out->len - RB_LOG_OVERHEAD, 4);
	be_put(b + 12, (uint32_t)-1, 4);
	b[16] = 2;
	be_put(b + 23, (uint32_t)(c->count - 1), 4);
	be_put(b + 27, (uint64_t)c->base_ts, 8);
	be_put(b + 35, (uint64_t)c->max_ts, 8);
	be_put(b + 43, (uint64_t)-1, 8);
	be_put(b + 51, (uint16_t)-1, 2);
	be_put(b + 53, (uint32_t)-1, 4);
	be_put(b + 57, (uint32_t)c->count, 4);
}

/* Replaces the uncompressed batch in out by its compressed form. */
static int conv_pack(struct ms_conv *c)
{
	struct cbuf packed = { 0 };
	int rc = compress_batch_pack(c->out->p, c->out->len, c->codec, &packed);
	if (rc) {
		cbuf_free(&packed);
		return KERR_UNKNOWN_SERVER_ERROR;
	}
	cbuf_free(c->out);
	*c->out = packed;
	return 0;
}

static int conv_entries(struct ms_conv *c, const uint8_t *p, size_t len,
			int32_t max_entry)
{
	size_t pos = 0, used = 0;
	while (pos < len) {
		struct ms_msg m;
		int rc = read_entry(p + pos, len - pos, max_entry, &used, &m);
		if (!rc)
			rc = (m.attributes & MS_ATTR_CODEC) ? conv_wrapper(c, &m)
							    : conv_add(c, &m, m.timestamp);
		if (rc)
			return rc;
		pos += used;
	}
	return c->count > 0 ? 0 : KERR_INVALID_RECORD;
}

int ms_convert(const uint8_t *p, size_t len, int32_t max_entry,
	       size_t max_inflate, struct cbuf *out)
{
	struct ms_conv c = { .out = out, .base_ts = NO_TIMESTAMP,
			     .max_ts = NO_TIMESTAMP, .inflate_left = max_inflate };
	out->len = 0;
	static const uint8_t zero[RB_HEADER_SIZE];
	if (cbuf_append(out, zero, sizeof zero))
		return KERR_UNKNOWN_SERVER_ERROR;
	int rc = conv_entries(&c, p, len, max_entry);
	cbuf_free(&c.inner);
	if (rc)
		return rc;
	if (out->len - RB_LOG_OVERHEAD > INT32_MAX)
		return KERR_MESSAGE_TOO_LARGE;
	write_header(&c);
	if (c.codec && (rc = conv_pack(&c)))
		return rc;
	be_put(out->p + 17, crc32c(0, out->p + 21, out->len - 21), 4);
	return 0;
}
