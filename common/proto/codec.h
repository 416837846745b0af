/* Kafka wire codec: one interpreter for every message.
 *
 * Each request and response is described once as a table of fields
 * (struct kfield), each with the versions it exists in and where it lives in
 * a plain C struct. kcodec_decode() fills the struct from bytes for a given
 * version; kcodec_encode() writes it back. Flexible versions (compact
 * lengths, tag buffers) are handled here, never in handlers.
 *
 * Invariants:
 * - The decoder never reads past the reader's end and never allocates what a
 *   length merely claims: an array of n elements is allocated only after
 *   checking that n minimal elements fit in the remaining bytes.
 * - Decoded strings and bytes point into the request buffer (no copies); they
 *   live as long as that buffer. Arrays live in the caller's arena.
 * - Fields absent in a version decode as zero (or as the field's dflt).
 */
#ifndef GREGOR_CODEC_H
#define GREGOR_CODEC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../arena.h"

/* A string or byte range. len == -1 means null. Not NUL-terminated. */
struct kstr {
	const char *p;
	int32_t len;
};
struct kbytes {
	const uint8_t *p;
	int32_t len;
};

/* RECORDS fields: in requests always memory (p/len). In responses either
 * memory (fd == -1) or a file region (fd >= 0, file_off) that the writer
 * sends with sendfile; the writer does not own fd (see struct kout).
 * The encoder takes the file path only when p == NULL, len > 0 and fd >= 0,
 * so a zeroed krecords is an empty (not null) byte range. */
struct krecords {
	const uint8_t *p;
	int32_t len; /* -1 = null */
	int fd;
	int64_t file_off;
};

/* An array: n == -1 means null. v points to n elements of the element type
 * (int32_t, int64_t, struct kstr, or the element struct). */
struct karray {
	int32_t n;
	void *v;
};

enum ktype {
	KT_BOOL,    /* uint8_t in C, 0/1 */
	KT_INT8,
	KT_INT16,
	KT_INT32,
	KT_INT64,
	KT_UINT16,
	KT_UUID,    /* uint8_t[16] */
	KT_FLOAT64, /* double */
	KT_STRING,  /* struct kstr; nullable if the field says so */
	KT_BYTES,   /* struct kbytes */
	KT_RECORDS, /* struct krecords */
	KT_ARRAY,   /* struct karray of elem (a primitive) or of sub (a struct) */
	KT_STRUCT,  /* a struct of schema sub stored inline (Fetch v12 tags) */
};

struct kmsg;

/* max_ver of a field that exists in every later version */
#define KV_MAX INT16_MAX

struct kfield {
	const char *name;
	uint8_t type;
	uint8_t elem;          /* element type when type == KT_ARRAY and !sub */
	int16_t min_ver;       /* field exists in [min_ver, max_ver] */
	int16_t max_ver;
	int16_t nullable_from; /* nullable in versions >= this; -1 = never */
	int16_t tag;           /* >= 0: a tagged field with this tag (flexible only) */
	uint16_t off;          /* offsetof() in the C struct */
	const struct kmsg *sub;/* element schema for arrays of structs */
	int64_t dflt;          /* default for integer fields absent in a version */
};

struct kmsg {
	const char *name;
	size_t size;           /* sizeof the C struct */
	int nfields;
	const struct kfield *fields;
};

/* Bounded reader: once err is set every read returns 0 and nothing moves. */
struct kreader {
	const uint8_t *p;
	const uint8_t *end;
	int err;
};

/* Response writer: bytes go into a growable buffer; RECORDS file regions are
 * recorded as separate pieces so that the sender can writev the memory and
 * sendfile the files in order. */
struct kpiece {
	int fd;          /* -1: memory piece [off, off+len) of buf */
	int64_t off;
	int64_t len;
};
struct kout {
	uint8_t *buf;
	size_t len, cap;
	struct kpiece *pieces;
	int npieces, cappieces;
	int64_t total;   /* sum of all pieces' lengths once kout_finish() ran */
	int oom;
};

/* Flexible-version rule for a whole message tree. */
struct kver {
	int16_t version;
	int flexible;
};

/* Decode returns 0, -EBADMSG (malformed: also sets r->err) or -ENOMEM.
 * Unknown tagged fields are skipped; a null in a non-nullable version is
 * malformed. Encode returns 0 or -ENOMEM; it writes a null string/array in
 * a version where it is not nullable as empty, and a tagged field only when
 * it differs from its default (strings/bytes/arrays: when p/v != NULL). */
int kcodec_decode(const struct kmsg *m, struct kver v, struct kreader *r,
		  void *out, struct arena *a);
int kcodec_encode(const struct kmsg *m, struct kver v, const void *in,
		  struct kout *w);
/* Kafka's internal records (__consumer_offsets, __transaction_state keys
 * and values): an i16 version, then the body of m in that version, never
 * flexible. Decode reads the version into *version and fails with -EBADMSG
 * (setting r->err) when it is outside [min_ver, max_ver]; bytes after the
 * body are left in r for the caller to judge. */
int kcodec_decode_versioned(const struct kmsg *m, int16_t min_ver,
			    int16_t max_ver, struct kreader *r,
			    int16_t *version, void *out, struct arena *a);
int kcodec_encode_versioned(const struct kmsg *m, int16_t version,
			    const void *in, struct kout *w);
/* Fills the integer defaults (dflt) of every field of m, recursively into
 * inline structs; arrays and strings stay zero. For building responses. */
void kcodec_defaults(const struct kmsg *m, void *out);
/* Smallest encoding of one m in version v: the bound used for array counts. */
size_t kcodec_min_size(const struct kmsg *m, struct kver v);

static inline void kreader_init(struct kreader *r, const void *p, size_t n)
{
	r->p = p;
	r->end = r->p + n;
	r->err = 0;
}
static inline size_t kr_left(const struct kreader *r)
{
	return (size_t)(r->end - r->p);
}

/* Primitive readers/writers, also used by the RecordBatch codec. The ones
 * a record walk calls several times per record are inline: the produce
 * check walks every record of every batch. */
static inline const uint8_t *kr_take(struct kreader *r, size_t n)
{
	if (r->err || kr_left(r) < n) {
		r->err = 1;
		return NULL;
	}
	const uint8_t *p = r->p;
	r->p += n;
	return p;
}

/* LEB128 of at most max_bytes; longer or cut-off encodings are malformed
 * (r->err set, r->p unmoved). */
static inline uint64_t kr_leb(struct kreader *r, int max_bytes)
{
	const uint8_t *p = r->p;
	uint64_t v = 0;
	if (r->err)
		return 0;
	for (int i = 0; i < max_bytes && p < r->end; i++) {
		uint8_t b = *p++;
		v |= (uint64_t)(b & 0x7f) << (7 * i);
		if (!(b & 0x80)) {
			r->p = p;
			return v;
		}
	}
	r->err = 1;
	return 0;
}

static inline int8_t kr_i8(struct kreader *r)
{
	const uint8_t *p = kr_take(r, 1);
	return p ? (int8_t)*p : 0;
}

static inline uint32_t kr_uvarint(struct kreader *r)
{
	uint64_t v = kr_leb(r, 5);
	if (v > UINT32_MAX) {
		r->err = 1;
		return 0;
	}
	return (uint32_t)v;
}

static inline int32_t kr_varint(struct kreader *r) /* zigzag */
{
	uint32_t u = kr_uvarint(r);
	return (int32_t)((u >> 1) ^ (~(u & 1) + 1));
}

static inline int64_t kr_varlong(struct kreader *r) /* zigzag */
{
	uint64_t u = kr_leb(r, 10);
	return (int64_t)((u >> 1) ^ (~(u & 1) + 1));
}

int16_t kr_i16(struct kreader *r);
int32_t kr_i32(struct kreader *r);
int64_t kr_i64(struct kreader *r);
uint16_t kr_u16(struct kreader *r);

void kout_init(struct kout *w);
void kout_free(struct kout *w);
void kw_i8(struct kout *w, int8_t v);
void kw_i16(struct kout *w, int16_t v);
void kw_u16(struct kout *w, uint16_t v);
void kw_i32(struct kout *w, int32_t v);
void kw_i64(struct kout *w, int64_t v);
void kw_uvarint(struct kout *w, uint32_t v);
void kw_varint(struct kout *w, int32_t v);
void kw_varlong(struct kout *w, int64_t v);
void kw_raw(struct kout *w, const void *p, size_t n);
void kw_file(struct kout *w, int fd, int64_t off, int64_t len);
/* Reserve 4 bytes now and fill them later (frame sizes). */
size_t kw_reserve_i32(struct kout *w);
void kw_patch_i32(struct kout *w, size_t at, int32_t v);
/* Close the last memory piece and compute total. */
void kout_finish(struct kout *w);

#endif
