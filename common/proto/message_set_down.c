/* Down-conversion of RecordBatch v2 to legacy message sets (magic 0/1) for
 * Fetch v0-3, the reverse of message_set.c's up-conversion. Each record
 * becomes one uncompressed message with its own offset; control batches
 * vanish; the output is bounded by the caller's byte budget. */
#include <errno.h>
#include <string.h>

#include "common/proto/kerr.h"
#include "common/proto/message_set.h"
#include "common/proto/record_batch.h"

#define CODEC_ZSTD 4

static void be_put(uint8_t *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
}

/* One legacy entry: offset, size, crc, magic, attributes, [timestamp], key,
 * value. */
static int put_message(struct cbuf *out, int magic, int64_t offset, int64_t ts, int log_append,
		       const uint8_t *key, int32_t key_len, const uint8_t *val, int32_t val_len)
{
	size_t klen = key_len > 0 ? (size_t)key_len : 0;
	size_t vlen = val_len > 0 ? (size_t)val_len : 0;
	size_t body = 4 + 1 + 1 + (magic ? 8 : 0) + 4 + klen + 4 + vlen;
	if (cbuf_reserve(out, 12 + body))
		return -ENOMEM;
	uint8_t *m = out->p + out->len;
	be_put(m, (uint64_t)offset, 8);
	be_put(m + 8, body, 4);
	uint8_t *c = m + 12;
	size_t pos = 4;
	c[pos++] = (uint8_t)magic;
	c[pos++] = magic && log_append ? 0x08 : 0;
	if (magic) {
		be_put(c + pos, (uint64_t)ts, 8);
		pos += 8;
	}
	be_put(c + pos, (uint64_t)(uint32_t)(key ? key_len : -1), 4);
	pos += 4;
	if (klen)
		memcpy(c + pos, key, klen);
	pos += klen;
	be_put(c + pos, (uint64_t)(uint32_t)(val ? val_len : -1), 4);
	pos += 4;
	if (vlen)
		memcpy(c + pos, val, vlen);
	be_put(c, ms_crc32(0, c + 4, body - 4), 4);
	out->len += 12 + body;
	return 0;
}

/* Converts one batch (records in rec[0..rlen) as rb_iter expects). Stops
 * before a message that would pass max_out unless nothing was written. */
static int convert_batch(const struct rb_header *h, const uint8_t *view, size_t vlen,
			 int magic, int64_t first_offset, size_t max_out, struct cbuf *out,
			 struct ms_down_stats *st, int *full)
{
	struct rb_iter it;
	struct rb_record r;
	int log_append = (h->attributes & RB_ATTR_LOG_APPEND_TIME) != 0;
	rb_iter_init(&it, view, vlen);
	int rc;
	while ((rc = rb_iter_next(&it, &r)) == 1) {
		int64_t off, ts;
		if (__builtin_add_overflow(h->base_offset, (int64_t)r.offset_delta, &off) ||
		    __builtin_add_overflow(h->base_timestamp, r.timestamp_delta, &ts))
			return KERR_CORRUPT_MESSAGE; /* no log batch of ours holds these */
		if (off < first_offset)
			continue;
		size_t need = 12 + 14 + (magic ? 8 : 0) +
			      (size_t)(r.key_len > 0 ? r.key_len : 0) +
			      (size_t)(r.value_len > 0 ? r.value_len : 0);
		if (out->len > 0 && out->len + need > max_out) {
			*full = 1;
			return 0;
		}
		if (log_append)
			ts = h->max_timestamp;
		if (ts < -1) /* a magic 1 timestamp is -1 (none) or a time */
			ts = -1;
		if (put_message(out, magic, off, ts, log_append, r.key, r.key_len, r.value,
				r.value_len))
			return KERR_UNKNOWN_SERVER_ERROR;
		st->records_out++;
		st->bytes_out += (int64_t)need;
	}
	return rc < 0 ? KERR_CORRUPT_MESSAGE : 0;
}

int ms_down_convert(const uint8_t *p, size_t len, int magic, int64_t first_offset,
		    size_t max_out, size_t max_inflate, struct cbuf *out,
		    struct ms_down_stats *st)
{
	struct cbuf view = { 0 };
	size_t start_len = out->len, pos = 0;
	int rc = 0, full = 0;
	while (!rc && !full && pos < len) {
		int64_t size = rb_total_size(p + pos, len - pos);
		struct rb_header h;
		if (size < 0 || (size_t)size > len - pos ||
		    rb_parse_header(p + pos, (size_t)size, &h) < 0)
			break; /* a batch cut by the read limit: clients ignore it too */
		st->batches_in++;
		st->bytes_in += size;
		const uint8_t *b = p + pos;
		pos += (size_t)size;
		if (h.magic != 2) {
			rc = KERR_CORRUPT_MESSAGE;
			break;
		}
		if (h.attributes & RB_ATTR_CONTROL)
			continue;
		int codec = h.attributes & RB_ATTR_COMPRESSION_MASK;
		if (codec == CODEC_ZSTD) {
			/* Kafka refuses the whole partition; we keep what we have */
			if (out->len == start_len)
				rc = KERR_UNSUPPORTED_COMPRESSION_TYPE;
			break;
		}
		const uint8_t *v = b;
		size_t vlen = (size_t)size;
		if (codec) {
			int e = compress_batch_view(b, (size_t)size, max_inflate, &view);
			if (e)
				rc = e == -ENOMEM ? KERR_UNKNOWN_SERVER_ERROR : KERR_CORRUPT_MESSAGE;
			if (e)
				break;
			max_inflate -= view.len < max_inflate ? view.len : max_inflate;
			st->inflated += (int64_t)view.len;
			v = view.p;
			vlen = view.len;
		}
		rc = convert_batch(&h, v, vlen, magic, first_offset, max_out, out, st, &full);
	}
	cbuf_free(&view);
	return rc;
}
