/* RecordBatch v2: header decode, validation for the log and for producers,
 * record iteration and building (docs/protocol.md §3). Every length read from a
 * batch is checked against the bytes actually present before it is used. */
#include "common/proto/record_batch.h"

#include <string.h>

#include "common/proto/codec.h"
#include "common/proto/crc32c.h"
#include "common/proto/kerr.h"

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

int64_t rb_total_size(const uint8_t *p, size_t avail)
{
	if (avail < RB_LOG_OVERHEAD)
		return -1;
	return RB_LOG_OVERHEAD + (int64_t)(int32_t)be_get(p + 8, 4);
}

int rb_parse_header(const uint8_t *p, size_t avail, struct rb_header *h)
{
	if (avail < RB_HEADER_SIZE)
		return -1;
	h->base_offset = (int64_t)be_get(p, 8);
	h->batch_length = (int32_t)be_get(p + 8, 4);
	h->partition_leader_epoch = (int32_t)be_get(p + 12, 4);
	h->magic = (int8_t)p[16];
	h->crc = (uint32_t)be_get(p + 17, 4);
	h->attributes = (int16_t)be_get(p + 21, 2);
	h->last_offset_delta = (int32_t)be_get(p + 23, 4);
	h->base_timestamp = (int64_t)be_get(p + 27, 8);
	h->max_timestamp = (int64_t)be_get(p + 35, 8);
	h->producer_id = (int64_t)be_get(p + 43, 8);
	h->producer_epoch = (int16_t)be_get(p + 51, 2);
	h->base_sequence = (int32_t)be_get(p + 53, 4);
	h->records_count = (int32_t)be_get(p + 57, 4);
	return 0;
}

static int rd_vbytes(struct kreader *r, int null_ok, const uint8_t **p, int32_t *len);

/* One record's body: attributes, timestamp delta, offset delta (must be
 * want), key, value, headers (a header key is never null), ending exactly
 * at its length. rd_record's rules without filling a record: the produce
 * check and recovery run it over every record, and the codec's readers
 * are inline. */
static int check_record(const uint8_t *body, int32_t len, int32_t want)
{
	struct kreader r;
	const uint8_t *p;
	int32_t n;
	kreader_init(&r, body, (size_t)len);
	kr_i8(&r);
	kr_varlong(&r);
	if (kr_varint(&r) != want || rd_vbytes(&r, 1, &p, &n) || rd_vbytes(&r, 1, &p, &n))
		return -1;
	int32_t headers = kr_varint(&r);
	if (r.err || headers < 0 || (size_t)headers > kr_left(&r) / 2)
		return -1;
	for (int32_t i = 0; i < headers; i++)
		if (rd_vbytes(&r, 0, &p, &n) || rd_vbytes(&r, 1, &p, &n))
			return -1;
	return r.err || kr_left(&r) ? -1 : 0;
}

/* Uncompressed records must decode exactly to the batch end with offset
 * deltas 0..n-1 (what iterating them with rb_iter_next accepts). */
static int rb_check_records(const uint8_t *p, size_t total, int32_t count)
{
	if (total < RB_HEADER_SIZE || count < 0)
		return KERR_INVALID_RECORD;
	struct kreader r;
	kreader_init(&r, p + RB_HEADER_SIZE, total - RB_HEADER_SIZE);
	for (int32_t i = 0; i < count; i++) {
		int32_t n = kr_varint(&r);
		const uint8_t *body = n > 0 ? kr_take(&r, (size_t)n) : NULL;
		if (!body || check_record(body, n, i))
			return KERR_INVALID_RECORD;
	}
	return kr_left(&r) == 0 ? 0 : KERR_INVALID_RECORD;
}

int rb_validate(const uint8_t *p, size_t len, struct rb_header *h)
{
	if (rb_parse_header(p, len, h))
		return KERR_CORRUPT_MESSAGE;
	int64_t total = RB_LOG_OVERHEAD + (int64_t)h->batch_length;
	if (total < RB_HEADER_SIZE || (uint64_t)total > len)
		return KERR_CORRUPT_MESSAGE;
	if (h->magic != 2)
		return KERR_CORRUPT_MESSAGE;
	if (crc32c(0, p + 21, (size_t)total - 21) != h->crc)
		return KERR_CORRUPT_MESSAGE;
	if (h->records_count <= 0 ||
	    (int64_t)h->records_count != (int64_t)h->last_offset_delta + 1)
		return KERR_INVALID_RECORD;
	if ((h->attributes & RB_ATTR_COMPRESSION_MASK) == 0)
		return rb_check_records(p, (size_t)total, h->records_count);
	return 0;
}

int rb_validate_produce(const uint8_t *p, size_t len, int32_t max_bytes,
			struct rb_header *h)
{
	/* Kafka's order: the size limit before the checksum; older message
	 * formats are not corrupt but not allowed in Produce v3+ */
	if (max_bytes >= 0 && len > (size_t)max_bytes)
		return KERR_MESSAGE_TOO_LARGE;
	if (len > 16 && (p[16] == 0 || p[16] == 1))
		return KERR_INVALID_RECORD;
	int rc = rb_validate(p, len, h);
	if (rc)
		return rc;
	if ((uint64_t)RB_LOG_OVERHEAD + (uint32_t)h->batch_length != len)
		return KERR_INVALID_RECORD; /* exactly one batch */
	if (h->attributes & RB_ATTR_CONTROL)
		return KERR_INVALID_RECORD;
	if (h->producer_id >= 0 && h->base_sequence < 0)
		return KERR_INVALID_RECORD;
	return 0;
}

void rb_set_base_offset(uint8_t *p, int64_t base_offset)
{
	be_put(p, (uint64_t)base_offset, 8);
}

void rb_set_leader_epoch(uint8_t *p, int32_t epoch)
{
	be_put(p + 12, (uint32_t)epoch, 4);
}

int64_t rb_stamp_log_append_time(uint8_t *p, size_t len, int64_t now_ms)
{
	uint16_t attrs = (uint16_t)be_get(p + 21, 2) | RB_ATTR_LOG_APPEND_TIME;
	be_put(p + 21, attrs, 2);
	be_put(p + 35, (uint64_t)now_ms, 8);
	be_put(p + 17, crc32c(0, p + 21, len - 21), 4);
	return now_ms;
}

void rb_iter_init(struct rb_iter *it, const uint8_t *batch, size_t len)
{
	int64_t total = rb_total_size(batch, len);
	it->err = 0;
	it->left = 0;
	it->p = it->end = batch;
	if (len < RB_HEADER_SIZE || total < RB_HEADER_SIZE) {
		it->err = 1;
		return;
	}
	if ((uint64_t)total < len)
		len = (size_t)total;
	it->p = batch + RB_HEADER_SIZE;
	it->end = batch + len;
	it->left = (int32_t)be_get(batch + 57, 4);
	if (it->left < 0)
		it->err = 1;
}

/* A varint-length byte range; -1 is null when allowed. */
static int rd_vbytes(struct kreader *r, int null_ok, const uint8_t **p,
		     int32_t *len)
{
	int32_t n = kr_varint(r);
	*p = NULL;
	*len = n;
	if (r->err || n < -1 || (n == -1 && !null_ok))
		return -1;
	if (n >= 0 && !(*p = kr_take(r, (size_t)n)))
		return -1;
	return 0;
}

static int rd_record(struct kreader *r, struct rb_record *rec)
{
	rec->attributes = kr_i8(r);
	rec->timestamp_delta = kr_varlong(r);
	rec->offset_delta = kr_varint(r);
	if (rd_vbytes(r, 1, &rec->key, &rec->key_len) ||
	    rd_vbytes(r, 1, &rec->value, &rec->value_len))
		return -1;
	rec->hdr_p = r->p;
	rec->header_count = kr_varint(r);
	if (r->err || rec->header_count < 0 ||
	    (size_t)rec->header_count > kr_left(r) / 2)
		return -1;
	for (int32_t i = 0; i < rec->header_count; i++) {
		const uint8_t *p;
		int32_t n;
		if (rd_vbytes(r, 0, &p, &n) || rd_vbytes(r, 1, &p, &n))
			return -1;
	}
	rec->hdr_len = (size_t)(r->p - rec->hdr_p);
	return kr_left(r) == 0 ? 0 : -1; /* must end exactly at its length */
}

int rb_iter_next(struct rb_iter *it, struct rb_record *rec)
{
	if (it->err)
		return -1;
	if (it->left == 0) {
		if (it->p != it->end)
			it->err = 1;
		return it->err ? -1 : 0;
	}
	struct kreader r;
	kreader_init(&r, it->p, (size_t)(it->end - it->p));
	int32_t n = kr_varint(&r);
	const uint8_t *body = n > 0 ? kr_take(&r, (size_t)n) : NULL;
	if (!body) {
		it->err = 1;
		return -1;
	}
	struct kreader br;
	kreader_init(&br, body, (size_t)n);
	if (rd_record(&br, rec)) {
		it->err = 1;
		return -1;
	}
	it->p = r.p;
	it->left--;
	return 1;
}

/* Writer over a fixed buffer: overflow is sticky and detected at the end. */
struct rb_out {
	uint8_t *p;
	size_t len, cap;
	int over;
};

static void ro_raw(struct rb_out *o, const void *p, size_t n)
{
	if (o->over || o->cap - o->len < n) {
		o->over = 1;
		return;
	}
	if (n)
		memcpy(o->p + o->len, p, n);
	o->len += n;
}

static void ro_varlong(struct rb_out *o, int64_t v)
{
	uint64_t u = ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
	uint8_t b[10];
	size_t n = 0;
	while (u >= 0x80) {
		b[n++] = (uint8_t)(u | 0x80);
		u >>= 7;
	}
	b[n++] = (uint8_t)u;
	ro_raw(o, b, n);
}

static size_t varlong_size(int64_t v)
{
	uint64_t u = ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
	size_t n = 1;
	while (u >= 0x80) {
		u >>= 7;
		n++;
	}
	return n;
}

static size_t vbytes_size(int32_t len)
{
	return varlong_size(len) + (len > 0 ? (size_t)len : 0);
}

static void ro_vbytes(struct rb_out *o, const void *p, int32_t len)
{
	if (!p)
		len = -1;
	ro_varlong(o, len);
	if (len > 0)
		ro_raw(o, p, (size_t)len);
}

int64_t rb_build(uint8_t *buf, size_t cap, const struct rb_build_record *recs,
		 int n, int64_t timestamp, int16_t attributes,
		 int64_t producer_id, int16_t producer_epoch, int32_t base_sequence)
{
	struct rb_out o = { buf, RB_HEADER_SIZE, cap, cap < RB_HEADER_SIZE };
	if (n <= 0 || o.over)
		return -1;
	for (int i = 0; i < n; i++) {
		int32_t kl = recs[i].key ? recs[i].key_len : -1;
		int32_t vl = recs[i].value ? recs[i].value_len : -1;
		/* attributes, timestampDelta 0, offsetDelta, key, value, 0 headers */
		size_t body = 1 + 1 + varlong_size(i) + vbytes_size(kl) +
			      vbytes_size(vl) + 1;
		uint8_t a = 0, z = 0;
		ro_varlong(&o, (int64_t)body);
		ro_raw(&o, &a, 1);
		ro_varlong(&o, 0);
		ro_varlong(&o, i);
		ro_vbytes(&o, recs[i].key, kl);
		ro_vbytes(&o, recs[i].value, vl);
		ro_raw(&o, &z, 1);
	}
	if (o.over || o.len > (size_t)INT32_MAX)
		return -1;
	be_put(buf, 0, 8);
	be_put(buf + 8, o.len - RB_LOG_OVERHEAD, 4);
	be_put(buf + 12, (uint32_t)-1, 4);
	buf[16] = 2;
	be_put(buf + 21, (uint16_t)attributes, 2);
	be_put(buf + 23, (uint32_t)(n - 1), 4);
	be_put(buf + 27, (uint64_t)timestamp, 8);
	be_put(buf + 35, (uint64_t)timestamp, 8);
	be_put(buf + 43, (uint64_t)producer_id, 8);
	be_put(buf + 51, (uint16_t)producer_epoch, 2);
	be_put(buf + 53, (uint32_t)base_sequence, 4);
	be_put(buf + 57, (uint32_t)n, 4);
	be_put(buf + 17, crc32c(0, buf + 21, o.len - 21), 4);
	return (int64_t)o.len;
}
