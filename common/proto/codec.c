/* Kafka wire codec: bounded primitive readers, the growable response writer
 * and the one schema interpreter that decodes and encodes every message.
 * Version rules (field ranges, nullability, compact forms, tag buffers) live
 * here so that handlers only ever see plain C structs. */
#include "common/proto/codec.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* ---- primitive readers: once r->err is set nothing moves ---- */

static uint64_t kr_be(struct kreader *r, size_t n)
{
	const uint8_t *p = kr_take(r, n);
	uint64_t v = 0;
	if (!p)
		return 0;
	for (size_t i = 0; i < n; i++)
		v = (v << 8) | p[i];
	return v;
}

int16_t kr_i16(struct kreader *r) { return (int16_t)kr_be(r, 2); }
uint16_t kr_u16(struct kreader *r) { return (uint16_t)kr_be(r, 2); }
int32_t kr_i32(struct kreader *r) { return (int32_t)kr_be(r, 4); }
int64_t kr_i64(struct kreader *r) { return (int64_t)kr_be(r, 8); }

/* ---- writer ---- */

void kout_init(struct kout *w) { memset(w, 0, sizeof *w); }

void kout_free(struct kout *w)
{
	free(w->buf);
	free(w->pieces);
	kout_init(w);
}

static int kout_grow(struct kout *w, size_t n)
{
	if (w->oom)
		return -1;
	if (w->cap - w->len >= n)
		return 0;
	size_t cap = w->cap ? w->cap : 256;
	while (cap - w->len < n) {
		if (cap > SIZE_MAX / 2) {
			w->oom = 1;
			return -1;
		}
		cap *= 2;
	}
	uint8_t *b = realloc(w->buf, cap);
	if (!b) {
		w->oom = 1;
		return -1;
	}
	w->buf = b;
	w->cap = cap;
	return 0;
}

void kw_raw(struct kout *w, const void *p, size_t n)
{
	if (n == 0 || kout_grow(w, n))
		return;
	memcpy(w->buf + w->len, p, n);
	w->len += n;
}

static void kw_be(struct kout *w, uint64_t v, size_t n)
{
	uint8_t b[8];
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
	kw_raw(w, b, n);
}

void kw_i8(struct kout *w, int8_t v) { kw_be(w, (uint8_t)v, 1); }
void kw_i16(struct kout *w, int16_t v) { kw_be(w, (uint16_t)v, 2); }
void kw_u16(struct kout *w, uint16_t v) { kw_be(w, v, 2); }
void kw_i32(struct kout *w, int32_t v) { kw_be(w, (uint32_t)v, 4); }
void kw_i64(struct kout *w, int64_t v) { kw_be(w, (uint64_t)v, 8); }

static void kw_leb(struct kout *w, uint64_t v)
{
	uint8_t b[10];
	size_t n = 0;
	while (v >= 0x80) {
		b[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	b[n++] = (uint8_t)v;
	kw_raw(w, b, n);
}

void kw_uvarint(struct kout *w, uint32_t v) { kw_leb(w, v); }

void kw_varint(struct kout *w, int32_t v)
{
	kw_leb(w, ((uint32_t)v << 1) ^ (uint32_t)(v >> 31));
}

void kw_varlong(struct kout *w, int64_t v)
{
	kw_leb(w, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

size_t kw_reserve_i32(struct kout *w)
{
	size_t at = w->len;
	kw_i32(w, 0);
	return at;
}

void kw_patch_i32(struct kout *w, size_t at, int32_t v)
{
	if (w->oom || at + 4 > w->len)
		return;
	for (int i = 0; i < 4; i++)
		w->buf[at + i] = (uint8_t)((uint32_t)v >> (24 - 8 * i));
}

/* End of the memory already covered by pieces: the open memory piece is
 * [kout_mem_start, len). */
static size_t kout_mem_start(const struct kout *w)
{
	for (int i = w->npieces - 1; i >= 0; i--)
		if (w->pieces[i].fd < 0)
			return (size_t)(w->pieces[i].off + w->pieces[i].len);
	return 0;
}

static void kout_add_piece(struct kout *w, int fd, int64_t off, int64_t len)
{
	if (w->oom || len <= 0)
		return;
	if (w->npieces == w->cappieces) {
		int cap = w->cappieces ? w->cappieces * 2 : 8;
		struct kpiece *p = realloc(w->pieces, (size_t)cap * sizeof *p);
		if (!p) {
			w->oom = 1;
			return;
		}
		w->pieces = p;
		w->cappieces = cap;
	}
	w->pieces[w->npieces++] = (struct kpiece){ fd, off, len };
}

static void kout_close_mem(struct kout *w)
{
	size_t start = kout_mem_start(w);
	kout_add_piece(w, -1, (int64_t)start, (int64_t)(w->len - start));
}

void kw_file(struct kout *w, int fd, int64_t off, int64_t len)
{
	kout_close_mem(w);
	kout_add_piece(w, fd, off, len);
}

void kout_finish(struct kout *w)
{
	kout_close_mem(w);
	w->total = 0;
	for (int i = 0; i < w->npieces; i++)
		w->total += w->pieces[i].len;
}

/* ---- schema interpreter ---- */

static int field_in(const struct kfield *f, int16_t ver)
{
	return ver >= f->min_ver && ver <= f->max_ver;
}

static int field_nullable(const struct kfield *f, int16_t ver)
{
	return f->nullable_from >= 0 && ver >= f->nullable_from;
}

static size_t type_size(uint8_t t)
{
	switch (t) {
	case KT_BOOL: case KT_INT8: return 1;
	case KT_INT16: case KT_UINT16: return 2;
	case KT_INT32: return 4;
	case KT_INT64: case KT_FLOAT64: return 8;
	case KT_UUID: return 16;
	case KT_STRING: return sizeof(struct kstr);
	case KT_BYTES: return sizeof(struct kbytes);
	case KT_RECORDS: return sizeof(struct krecords);
	default: return sizeof(struct karray);
	}
}

/* Minimal wire size of one value of type t (not tagged). */
static size_t wire_min(uint8_t t, const struct kmsg *sub, struct kver v)
{
	switch (t) {
	case KT_STRING: return v.flexible ? 1 : 2;
	case KT_BYTES: case KT_RECORDS: case KT_ARRAY:
		return v.flexible ? 1 : 4;
	case KT_STRUCT: return sub ? kcodec_min_size(sub, v) : 0;
	default: return type_size(t);
	}
}

size_t kcodec_min_size(const struct kmsg *m, struct kver v)
{
	size_t n = v.flexible ? 1 : 0;
	for (int i = 0; i < m->nfields; i++) {
		const struct kfield *f = &m->fields[i];
		if (field_in(f, v.version) && f->tag < 0)
			n += wire_min(f->type, f->sub, v);
	}
	return n;
}

static void set_int(uint8_t t, void *p, int64_t x)
{
	switch (t) {
	case KT_BOOL: *(uint8_t *)p = x != 0; break;
	case KT_INT8: *(int8_t *)p = (int8_t)x; break;
	case KT_INT16: *(int16_t *)p = (int16_t)x; break;
	case KT_UINT16: *(uint16_t *)p = (uint16_t)x; break;
	case KT_INT32: *(int32_t *)p = (int32_t)x; break;
	case KT_INT64: *(int64_t *)p = x; break;
	default: break;
	}
}

static int64_t get_int(uint8_t t, const void *p)
{
	switch (t) {
	case KT_BOOL: return *(const uint8_t *)p;
	case KT_INT8: return *(const int8_t *)p;
	case KT_INT16: return *(const int16_t *)p;
	case KT_UINT16: return *(const uint16_t *)p;
	case KT_INT32: return *(const int32_t *)p;
	case KT_INT64: return *(const int64_t *)p;
	default: return 0;
	}
}

void kcodec_defaults(const struct kmsg *m, void *out)
{
	for (int i = 0; i < m->nfields; i++) {
		const struct kfield *f = &m->fields[i];
		void *p = (uint8_t *)out + f->off;
		if (f->type == KT_STRUCT && f->sub)
			kcodec_defaults(f->sub, p);
		else if (f->dflt)
			set_int(f->type, p, f->dflt);
	}
}

/* Length of a string/bytes/array: classic i16/i32 with -1 null, compact
 * uvarint N+1 with 0 null. Returns -1 for null, -2 on error. */
static int64_t rd_len(struct kreader *r, struct kver v, int wide)
{
	if (v.flexible) {
		uint32_t n = kr_uvarint(r);
		return r->err ? -2 : (int64_t)n - 1;
	}
	int64_t n = wide ? kr_i32(r) : kr_i16(r);
	if (r->err || n < -1)
		return -2;
	return n;
}

static void wr_len(struct kout *w, struct kver v, int wide, int64_t n)
{
	if (v.flexible)
		kw_uvarint(w, (uint32_t)(n + 1));
	else if (wide)
		kw_i32(w, (int32_t)n);
	else
		kw_i16(w, (int16_t)n);
}

static int rd_struct(const struct kmsg *m, struct kver v, struct kreader *r,
		     void *out, struct arena *a);

static int bad(struct kreader *r)
{
	r->err = 1;
	return -EBADMSG;
}

/* Byte ranges shared by STRING, BYTES, RECORDS: points into the buffer. */
static int rd_range(struct kreader *r, struct kver v, int wide, int nullable,
		    const uint8_t **p, int32_t *len)
{
	int64_t n = rd_len(r, v, wide);
	if (n == -2 || (n == -1 && !nullable) || n > INT32_MAX)
		return bad(r);
	*p = NULL;
	*len = (int32_t)n;
	if (n >= 0 && !(*p = kr_take(r, (size_t)n)))
		return bad(r);
	return 0;
}

static int rd_value(uint8_t t, const struct kfield *f, struct kver v,
		    struct kreader *r, void *dst, struct arena *a);

static int rd_array(const struct kfield *f, struct kver v, struct kreader *r,
		    struct karray *arr, struct arena *a)
{
	int64_t n = rd_len(r, v, 1);
	if (n == -2 || (n == -1 && !field_nullable(f, v.version)) ||
	    n > INT32_MAX)
		return bad(r);
	arr->n = (int32_t)n;
	arr->v = NULL;
	if (n < 0)
		return 0;
	uint8_t et = f->sub ? KT_STRUCT : f->elem;
	size_t min = wire_min(et, f->sub, v);
	if (min == 0)
		min = 1;
	/* Never allocate what a count merely claims. */
	if ((uint64_t)n > kr_left(r) / min)
		return bad(r);
	size_t esz = f->sub ? f->sub->size : type_size(et);
	arr->v = arena_alloc(a, (size_t)n * esz);
	if (!arr->v)
		return -ENOMEM;
	struct kfield ef = { .type = et, .nullable_from = -1, .tag = -1,
			     .sub = f->sub };
	for (int64_t i = 0; i < n; i++) {
		int rc = rd_value(et, &ef, v, r, (uint8_t *)arr->v + i * esz, a);
		if (rc)
			return rc;
	}
	return 0;
}

static int rd_value(uint8_t t, const struct kfield *f, struct kver v,
		    struct kreader *r, void *dst, struct arena *a)
{
	int nullable = field_nullable(f, v.version);
	switch (t) {
	case KT_BOOL: case KT_INT8: case KT_INT16: case KT_UINT16:
	case KT_INT32: case KT_INT64: {
		static const uint8_t w[] = { [KT_BOOL] = 1, [KT_INT8] = 1,
			[KT_INT16] = 2, [KT_UINT16] = 2, [KT_INT32] = 4,
			[KT_INT64] = 8 };
		int64_t x = (int64_t)kr_be(r, w[t]);
		if (t == KT_INT8) x = (int8_t)x;
		if (t == KT_INT16) x = (int16_t)x;
		if (t == KT_INT32) x = (int32_t)x;
		set_int(t, dst, x);
		break;
	}
	case KT_UUID: {
		const uint8_t *p = kr_take(r, 16);
		if (p)
			memcpy(dst, p, 16);
		break;
	}
	case KT_FLOAT64: {
		uint64_t x = kr_be(r, 8);
		memcpy(dst, &x, 8);
		break;
	}
	case KT_STRING: {
		struct kstr *s = dst;
		return rd_range(r, v, 0, nullable, (const uint8_t **)&s->p,
				&s->len);
	}
	case KT_BYTES: {
		struct kbytes *b = dst;
		return rd_range(r, v, 1, nullable, &b->p, &b->len);
	}
	case KT_RECORDS: {
		struct krecords *rec = dst;
		rec->fd = -1;
		rec->file_off = 0;
		return rd_range(r, v, 1, nullable, &rec->p, &rec->len);
	}
	case KT_ARRAY:
		return rd_array(f, v, r, dst, a);
	case KT_STRUCT:
		if (!f->sub)
			return bad(r);
		return rd_struct(f->sub, v, r, dst, a);
	default:
		return bad(r);
	}
	return r->err ? -EBADMSG : 0;
}

static const struct kfield *find_tag(const struct kmsg *m, int16_t ver,
				     uint32_t tag)
{
	for (int i = 0; i < m->nfields; i++) {
		const struct kfield *f = &m->fields[i];
		if (f->tag >= 0 && (uint32_t)f->tag == tag && field_in(f, ver))
			return f;
	}
	return NULL;
}

static int rd_tags(const struct kmsg *m, struct kver v, struct kreader *r,
		   void *out, struct arena *a)
{
	uint32_t n = kr_uvarint(r);
	if (r->err || n > kr_left(r) / 2) /* each tag needs >= 2 bytes */
		return bad(r);
	for (uint32_t i = 0; i < n; i++) {
		uint32_t tag = kr_uvarint(r);
		uint32_t size = kr_uvarint(r);
		const uint8_t *p = kr_take(r, size);
		if (!p)
			return bad(r);
		const struct kfield *f = find_tag(m, v.version, tag);
		if (!f)
			continue; /* unknown tags are skipped */
		struct kreader sub;
		kreader_init(&sub, p, size);
		int rc = rd_value(f->type, f, v, &sub, (uint8_t *)out + f->off,
				  a);
		if (rc)
			return rc == -ENOMEM ? rc : bad(r);
	}
	return 0;
}

static int rd_struct(const struct kmsg *m, struct kver v, struct kreader *r,
		     void *out, struct arena *a)
{
	for (int i = 0; i < m->nfields; i++) {
		const struct kfield *f = &m->fields[i];
		void *dst = (uint8_t *)out + f->off;
		if (!field_in(f, v.version) || f->tag >= 0) {
			/* absent here or maybe tagged: default first */
			if (f->type == KT_STRUCT && f->sub)
				kcodec_defaults(f->sub, dst);
			else if (f->dflt)
				set_int(f->type, dst, f->dflt);
			continue;
		}
		int rc = rd_value(f->type, f, v, r, dst, a);
		if (rc)
			return rc;
	}
	if (v.flexible)
		return rd_tags(m, v, r, out, a);
	return 0;
}

int kcodec_decode(const struct kmsg *m, struct kver v, struct kreader *r,
		  void *out, struct arena *a)
{
	if (r->err)
		return -EBADMSG;
	memset(out, 0, m->size);
	return rd_struct(m, v, r, out, a);
}

static void wr_struct(const struct kmsg *m, struct kver v, const void *in,
		      struct kout *w);

static void wr_value(uint8_t t, const struct kfield *f, struct kver v,
		     const void *src, struct kout *w)
{
	int nullable = field_nullable(f, v.version);
	switch (t) {
	case KT_BOOL: case KT_INT8: kw_be(w, (uint64_t)get_int(t, src), 1); break;
	case KT_INT16: case KT_UINT16:
		kw_be(w, (uint64_t)get_int(t, src), 2);
		break;
	case KT_INT32: kw_be(w, (uint64_t)get_int(t, src), 4); break;
	case KT_INT64: kw_be(w, (uint64_t)get_int(t, src), 8); break;
	case KT_UUID: kw_raw(w, src, 16); break;
	case KT_FLOAT64: {
		uint64_t x;
		memcpy(&x, src, 8);
		kw_be(w, x, 8);
		break;
	}
	case KT_STRING: {
		const struct kstr *s = src;
		int32_t n = s->len < 0 && !nullable ? 0 : s->len;
		wr_len(w, v, 0, n < 0 ? -1 : n);
		if (n > 0)
			kw_raw(w, s->p, (size_t)n);
		break;
	}
	case KT_BYTES: {
		const struct kbytes *b = src;
		int32_t n = b->len < 0 && !nullable ? 0 : b->len;
		wr_len(w, v, 1, n < 0 ? -1 : n);
		if (n > 0)
			kw_raw(w, b->p, (size_t)n);
		break;
	}
	case KT_RECORDS: {
		const struct krecords *rec = src;
		int32_t n = rec->len < 0 && !nullable ? 0 : rec->len;
		wr_len(w, v, 1, n < 0 ? -1 : n);
		if (n > 0 && !rec->p && rec->fd >= 0)
			kw_file(w, rec->fd, rec->file_off, n);
		else if (n > 0)
			kw_raw(w, rec->p, (size_t)n);
		break;
	}
	case KT_ARRAY: {
		const struct karray *arr = src;
		int32_t n = arr->n < 0 && !nullable ? 0 : arr->n;
		if (n > 0 && !arr->v)
			n = 0;
		wr_len(w, v, 1, n < 0 ? -1 : n);
		uint8_t et = f->sub ? KT_STRUCT : f->elem;
		size_t esz = f->sub ? f->sub->size : type_size(et);
		struct kfield ef = { .type = et, .nullable_from = -1,
				     .tag = -1, .sub = f->sub };
		for (int32_t i = 0; i < n; i++)
			wr_value(et, &ef, v, (const uint8_t *)arr->v + i * esz,
				 w);
		break;
	}
	case KT_STRUCT:
		if (f->sub)
			wr_struct(f->sub, v, src, w);
		break;
	default:
		break;
	}
}

static int is_default(const struct kfield *f, const void *p)
{
	switch (f->type) {
	case KT_STRING: return ((const struct kstr *)p)->p == NULL;
	case KT_BYTES: return ((const struct kbytes *)p)->p == NULL;
	case KT_RECORDS: return ((const struct krecords *)p)->p == NULL;
	case KT_ARRAY: return ((const struct karray *)p)->v == NULL;
	case KT_UUID: {
		static const uint8_t zero[16];
		return memcmp(p, zero, 16) == 0;
	}
	case KT_FLOAT64: {
		double d;
		memcpy(&d, p, sizeof d);
		return d == 0;
	}
	case KT_STRUCT:
		for (int i = 0; f->sub && i < f->sub->nfields; i++) {
			const struct kfield *sf = &f->sub->fields[i];
			if (!is_default(sf, (const uint8_t *)p + sf->off))
				return 0;
		}
		return 1;
	default:
		return get_int(f->type, p) == f->dflt;
	}
}

/* Tagged fields go out in ascending tag order, each as tag, size, value. */
static void wr_tags(const struct kmsg *m, struct kver v, const void *in,
		    struct kout *w)
{
	const struct kfield *sel[64];
	int n = 0;
	for (int i = 0; i < m->nfields && n < 64; i++) {
		const struct kfield *f = &m->fields[i];
		if (f->tag >= 0 && field_in(f, v.version) &&
		    !is_default(f, (const uint8_t *)in + f->off))
			sel[n++] = f;
	}
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && sel[j - 1]->tag > sel[j]->tag; j--) {
			const struct kfield *t = sel[j];
			sel[j] = sel[j - 1];
			sel[j - 1] = t;
		}
	kw_uvarint(w, (uint32_t)n);
	for (int i = 0; i < n; i++) {
		struct kout tmp;
		kout_init(&tmp);
		wr_value(sel[i]->type, sel[i], v,
			 (const uint8_t *)in + sel[i]->off, &tmp);
		if (tmp.oom || tmp.npieces)
			w->oom = 1; /* file pieces cannot be tagged */
		kw_uvarint(w, (uint32_t)sel[i]->tag);
		kw_uvarint(w, (uint32_t)tmp.len);
		kw_raw(w, tmp.buf, tmp.len);
		kout_free(&tmp);
	}
}

static void wr_struct(const struct kmsg *m, struct kver v, const void *in,
		      struct kout *w)
{
	for (int i = 0; i < m->nfields; i++) {
		const struct kfield *f = &m->fields[i];
		if (field_in(f, v.version) && f->tag < 0)
			wr_value(f->type, f, v, (const uint8_t *)in + f->off, w);
	}
	if (v.flexible)
		wr_tags(m, v, in, w);
}

int kcodec_encode(const struct kmsg *m, struct kver v, const void *in,
		  struct kout *w)
{
	wr_struct(m, v, in, w);
	return w->oom ? -ENOMEM : 0;
}

int kcodec_decode_versioned(const struct kmsg *m, int16_t min_ver,
			    int16_t max_ver, struct kreader *r,
			    int16_t *version, void *out, struct arena *a)
{
	*version = kr_i16(r);
	if (r->err || *version < min_ver || *version > max_ver)
		return bad(r);
	return kcodec_decode(m, (struct kver){ *version, 0 }, r, out, a);
}

int kcodec_encode_versioned(const struct kmsg *m, int16_t version,
			    const void *in, struct kout *w)
{
	kw_i16(w, version);
	return kcodec_encode(m, (struct kver){ version, 0 }, in, w);
}
