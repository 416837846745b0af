/* Every version of every API the codec describes, request and response:
 * a message filled from its schema (every field present in the version
 * set, arrays of two, tagged fields off their defaults) encodes, decodes
 * completely and re-encodes to the same bytes; the same with every
 * nullable field null; every truncation of the bytes fails cleanly. Real
 * client bytes are checked by test_codec_vectors; this covers the versions
 * no captured client sends. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/proto/apis.h"
#include "common/proto/codec.h"

#define MAX_DEPTH 6

static const uint8_t sample[8] = { 's', 'a', 'm', 'p', 'l', 'e', 0, 0xff };

static int in_version(const struct kfield *f, int16_t v)
{
	return f->min_ver <= v && v <= f->max_ver;
}

static void fill_struct(const struct kmsg *m, struct kver v, void *out, struct arena *a,
			int nulls, int depth, uint32_t *seq);

/* One value of type t at p; 0, or -1 if it cannot be filled (too deep). */
static void fill_value(uint8_t t, const struct kfield *f, struct kver v, void *p,
		       struct arena *a, int nulls, int depth, uint32_t *seq)
{
	uint32_t x = ++*seq;
	int null = nulls && f && f->nullable_from >= 0 && v.version >= f->nullable_from;
	switch (t) {
	case KT_BOOL: *(uint8_t *)p = 1; break;
	case KT_INT8: *(int8_t *)p = (int8_t)(x & 0x7f); break;
	case KT_INT16: *(int16_t *)p = (int16_t)(x * 7); break;
	case KT_UINT16: *(uint16_t *)p = (uint16_t)(x * 11); break;
	case KT_INT32: *(int32_t *)p = (int32_t)(x * 1000003u); break;
	case KT_INT64: *(int64_t *)p = (int64_t)x * INT64_C(1000000007) + 1; break;
	case KT_FLOAT64: *(double *)p = 1.5 * x; break;
	case KT_UUID:
		for (int i = 0; i < 16; i++)
			((uint8_t *)p)[i] = (uint8_t)(x + (uint32_t)i * 17);
		break;
	case KT_STRING:
		*(struct kstr *)p = null ? (struct kstr){ NULL, -1 } : (struct kstr){ "topic-x", 7 };
		break;
	case KT_BYTES:
		*(struct kbytes *)p = null ? (struct kbytes){ NULL, -1 } : (struct kbytes){ sample, 8 };
		break;
	case KT_RECORDS:
		*(struct krecords *)p = null ? (struct krecords){ NULL, -1, -1, 0 }
					     : (struct krecords){ sample, 8, -1, 0 };
		break;
	case KT_STRUCT:
		if (f && f->sub && depth < MAX_DEPTH)
			fill_struct(f->sub, v, p, a, nulls, depth + 1, seq);
		break;
	case KT_ARRAY: {
		struct karray *arr = p;
		if (null) {
			*arr = (struct karray){ -1, NULL };
			break;
		}
		if (depth >= MAX_DEPTH) {
			*arr = (struct karray){ 0, NULL };
			break;
		}
		size_t esz = f->sub ? f->sub->size : f->elem == KT_INT64 ? 8
					: f->elem == KT_STRING ? sizeof(struct kstr)
					: f->elem == KT_INT16 ? 2 : f->elem == KT_INT8 ? 1
					: f->elem == KT_UUID ? 16 : 4;
		uint8_t *e = arena_alloc(a, 2 * esz);
		ck_assert_ptr_nonnull(e);
		memset(e, 0, 2 * esz);
		for (int i = 0; i < 2; i++) {
			if (f->sub) {
				fill_struct(f->sub, v, e + i * esz, a, nulls, depth + 1, seq);
			} else {
				/* elements take no nullability of their own */
				fill_value(f->elem, NULL, v, e + i * esz, a, 0, depth + 1, seq);
			}
		}
		*arr = (struct karray){ 2, e };
		break;
	}
	default:
		ck_abort_msg("unknown field type %d", t);
	}
}

static void fill_struct(const struct kmsg *m, struct kver v, void *out, struct arena *a,
			int nulls, int depth, uint32_t *seq)
{
	kcodec_defaults(m, out);
	for (int i = 0; i < m->nfields; i++) {
		const struct kfield *f = &m->fields[i];
		if (!in_version(f, v.version))
			continue;
		fill_value(f->type, f, v, (uint8_t *)out + f->off, a, nulls, depth, seq);
	}
}

/* Encode, decode, encode again: same bytes, all consumed; every prefix
 * fails. Returns the encoded size. */
static size_t roundtrip(const struct kapi *api, int is_req, int16_t ver, int nulls)
{
	const struct kmsg *m = is_req ? api->req : api->resp;
	struct kver v = kapi_ver(api, ver);
	struct arena a;
	arena_init(&a);
	void *in = arena_alloc(&a, m->size);
	ck_assert_ptr_nonnull(in);
	memset(in, 0, m->size);
	uint32_t seq = (uint32_t)api->key * 1000u + (uint32_t)ver;
	fill_struct(m, v, in, &a, nulls, 0, &seq);
	struct kout w1, w2;
	kout_init(&w1);
	kout_init(&w2);
	ck_assert_int_eq(kcodec_encode(m, v, in, &w1), 0);
	kout_finish(&w1);
	struct kreader r;
	kreader_init(&r, w1.buf, w1.len);
	void *back = arena_alloc(&a, m->size);
	ck_assert_ptr_nonnull(back);
	int rc = kcodec_decode(m, v, &r, back, &a);
	ck_assert_msg(rc == 0, "%s v%d%s: decode of our own encoding failed", m->name, ver,
		      nulls ? " (nulls)" : "");
	ck_assert_msg(kr_left(&r) == 0, "%s v%d: %zu bytes left", m->name, ver, kr_left(&r));
	ck_assert_int_eq(kcodec_encode(m, v, back, &w2), 0);
	ck_assert_msg(w1.len == w2.len && (w1.len == 0 || memcmp(w1.buf, w2.buf, w1.len) == 0),
		      "%s v%d%s: re-encoding differs (%zu vs %zu bytes)", m->name, ver,
		      nulls ? " (nulls)" : "", w1.len, w2.len);
	for (size_t cut = 0; cut < w1.len; cut++) {
		struct kreader t;
		kreader_init(&t, w1.buf, cut);
		struct arena a2;
		arena_init(&a2);
		void *s2 = arena_alloc(&a2, m->size);
		ck_assert_msg(kcodec_decode(m, v, &t, s2, &a2) != 0, "%s v%d: prefix %zu/%zu decoded",
			      m->name, ver, cut, w1.len);
		arena_free(&a2);
	}
	size_t n = w1.len;
	kout_free(&w1);
	kout_free(&w2);
	arena_free(&a);
	return n;
}

START_TEST(test_every_api_every_version)
{
	int n;
	const struct kapi *apis = kapi_all(&n);
	int messages = 0;
	for (int i = 0; i < n; i++) {
		for (int16_t ver = 0; ver <= apis[i].max_version; ver++) {
			for (int nulls = 0; nulls < 2; nulls++) {
				ck_assert_uint_gt(roundtrip(&apis[i], 1, ver, nulls) +
						  roundtrip(&apis[i], 0, ver, nulls), 0);
				messages += 2;
			}
		}
	}
	/* 50+ APIs, most with several versions */
	ck_assert_int_ge(messages, 600);
	printf("round-tripped %d messages over %d APIs\n", messages, n);
}
END_TEST

/* The newest versions the topic-id work added, field by field. */
START_TEST(test_fetch_v13_topic_id_on_the_wire)
{
	const struct kapi *api = kapi_find(1);
	ck_assert_ptr_nonnull(api);
	ck_assert_int_ge(api->max_version, 17);
	/* a v13 request names the topic by its 16-byte id, no name */
	size_t v12 = roundtrip(api, 1, 12, 0), v13 = roundtrip(api, 1, 13, 0);
	ck_assert_uint_ne(v12, v13);
	const struct kapi *md = kapi_find(3);
	ck_assert_int_ge(md->max_version, 12);
	const struct kapi *um = kapi_find(6);
	ck_assert_int_ge(um->max_version, 7);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("codec_all_versions");
	TCase *tc = tcase_create("all");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_every_api_every_version);
	tcase_add_test(tc, test_fetch_v13_topic_id_on_the_wire);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
