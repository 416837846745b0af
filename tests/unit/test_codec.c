/* Codec unit tests: primitives, headers, and for every described API and
 * version a schema-driven round trip (random struct -> bytes -> struct ->
 * identical bytes), every truncation failing cleanly, and claimed counts
 * that cannot fit failing without allocating. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/proto/apis.h"
#include "common/proto/codec.h"
#include "common/proto/kerr.h"
#include "common/proto/messages.h"

static uint32_t rnd_state = 12345;
static uint32_t rnd(void)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return rnd_state >> 8;
}

static void fill(const struct kmsg *m, struct kver v, void *out,
		 struct arena *a, int depth);

static void fill_bytes(struct arena *a, const uint8_t **p, int32_t *len,
		       int nullable)
{
	if (nullable && rnd() % 4 == 0) {
		*p = NULL;
		*len = -1;
		return;
	}
	int32_t n = (int32_t)(rnd() % 6);
	uint8_t *b = arena_alloc(a, (size_t)n + 1);
	for (int32_t i = 0; i < n; i++)
		b[i] = (uint8_t)('a' + rnd() % 26);
	*p = b;
	*len = n;
}

static void fill_value(uint8_t t, const struct kfield *f, struct kver v,
		       void *dst, struct arena *a, int depth)
{
	int nullable = f->nullable_from >= 0 && v.version >= f->nullable_from;
	switch (t) {
	case KT_BOOL: *(uint8_t *)dst = rnd() & 1; break;
	case KT_INT8: *(int8_t *)dst = (int8_t)rnd(); break;
	case KT_INT16: *(int16_t *)dst = (int16_t)rnd(); break;
	case KT_UINT16: *(uint16_t *)dst = (uint16_t)rnd(); break;
	case KT_INT32: *(int32_t *)dst = (int32_t)(rnd() * 7919u); break;
	case KT_INT64:
		*(int64_t *)dst = (int64_t)(((uint64_t)rnd() << 40) ^ rnd());
		break;
	case KT_UUID:
		for (int i = 0; i < 16; i++)
			((uint8_t *)dst)[i] = (uint8_t)rnd();
		break;
	case KT_FLOAT64: *(double *)dst = (double)(rnd() % 1000) / 8; break;
	case KT_STRING: {
		struct kstr *s = dst;
		fill_bytes(a, (const uint8_t **)&s->p, &s->len, nullable);
		break;
	}
	case KT_BYTES: {
		struct kbytes *b = dst;
		fill_bytes(a, &b->p, &b->len, nullable);
		break;
	}
	case KT_RECORDS: {
		struct krecords *r = dst;
		fill_bytes(a, &r->p, &r->len, nullable);
		r->fd = -1;
		break;
	}
	case KT_ARRAY: {
		struct karray *arr = dst;
		if (nullable && rnd() % 4 == 0) {
			arr->n = -1;
			arr->v = NULL;
			break;
		}
		arr->n = depth > 4 ? 0 : (int32_t)(rnd() % 4);
		uint8_t et = f->sub ? KT_STRUCT : f->elem;
		size_t esz = f->sub ? f->sub->size
			   : et == KT_STRING ? sizeof(struct kstr)
			   : et == KT_INT64 ? 8 : et == KT_INT16 ? 2
			   : et == KT_UUID ? 16 : 4;
		arr->v = arena_alloc(a, (size_t)arr->n * esz);
		struct kfield ef = { .type = et, .nullable_from = -1,
				     .tag = -1, .sub = f->sub };
		for (int32_t i = 0; i < arr->n; i++)
			fill_value(et, &ef, v, (uint8_t *)arr->v + i * esz, a,
				   depth + 1);
		break;
	}
	case KT_STRUCT:
		fill(f->sub, v, dst, a, depth + 1);
		break;
	}
}

static void fill(const struct kmsg *m, struct kver v, void *out,
		 struct arena *a, int depth)
{
	memset(out, 0, m->size);
	kcodec_defaults(m, out);
	for (int i = 0; i < m->nfields; i++) {
		const struct kfield *f = &m->fields[i];
		if (v.version < f->min_ver || v.version > f->max_ver)
			continue;
		if (f->tag >= 0 && (!v.flexible || rnd() % 2))
			continue; /* tagged fields: sometimes left default */
		fill_value(f->type, f, v, (uint8_t *)out + f->off, a, depth);
	}
}

/* Encodes msg, decodes it back, re-encodes: bytes must match and decoding
 * must consume everything; every strict prefix must fail. */
static void roundtrip_one(const struct kmsg *m, struct kver v, int iter)
{
	struct arena a;
	arena_init(&a);
	void *s1 = arena_alloc(&a, m->size);
	void *s2 = arena_alloc(&a, m->size);
	fill(m, v, s1, &a, 0);
	struct kout w1, w2;
	kout_init(&w1);
	kout_init(&w2);
	ck_assert_int_eq(kcodec_encode(m, v, s1, &w1), 0);
	struct kreader r;
	kreader_init(&r, w1.buf, w1.len);
	int rc = kcodec_decode(m, v, &r, s2, &a);
	ck_assert_msg(rc == 0, "%s v%d iter %d: decode %d", m->name,
		      v.version, iter, rc);
	ck_assert_msg(kr_left(&r) == 0, "%s v%d: %zu bytes left", m->name,
		      v.version, kr_left(&r));
	ck_assert_int_eq(kcodec_encode(m, v, s2, &w2), 0);
	ck_assert_msg(w1.len == w2.len &&
		      (!w1.len || memcmp(w1.buf, w2.buf, w1.len) == 0),
		      "%s v%d iter %d: re-encode differs", m->name, v.version,
		      iter);
	for (size_t cut = 0; cut < w1.len; cut++) {
		struct arena a2;
		arena_init(&a2);
		void *s3 = arena_alloc(&a2, m->size);
		kreader_init(&r, w1.buf, cut);
		ck_assert_msg(kcodec_decode(m, v, &r, s3, &a2) == -EBADMSG,
			      "%s v%d: prefix %zu of %zu decoded", m->name,
			      v.version, cut, w1.len);
		arena_free(&a2);
	}
	kout_free(&w1);
	kout_free(&w2);
	arena_free(&a);
}

START_TEST(test_roundtrip_every_api_version)
{
	int n;
	const struct kapi *apis = kapi_all(&n);
	ck_assert_int_eq(n, 51);
	for (int i = 0; i < n; i++)
		for (int16_t ver = 0; ver <= apis[i].max_version; ver++) {
			struct kver v = kapi_ver(&apis[i], ver);
			for (int it = 0; it < 30; it++) {
				roundtrip_one(apis[i].req, v, it);
				roundtrip_one(apis[i].resp, v, it);
			}
		}
}
END_TEST

/* The internal records of __consumer_offsets / __transaction_state, each
 * in every version it is described in (never flexible). */
START_TEST(test_roundtrip_internal_records)
{
	static const struct { const struct kmsg *m; int16_t lo, hi; } recs[] = {
		{ &offset_commit_key_msg, 0, OFFSET_COMMIT_KEY_MAX_VERSION },
		{ &offset_commit_value_msg, 0, OFFSET_COMMIT_VALUE_MAX_VERSION },
		{ &group_metadata_key_msg, GROUP_METADATA_KEY_VERSION,
		  GROUP_METADATA_KEY_VERSION },
		{ &group_metadata_value_msg, 0, GROUP_METADATA_VALUE_MAX_VERSION },
		{ &transaction_log_key_msg, 0, TRANSACTION_LOG_KEY_VERSION },
		{ &transaction_log_value_msg, 0, TRANSACTION_LOG_VALUE_VERSION },
	};
	for (size_t i = 0; i < sizeof recs / sizeof recs[0]; i++)
		for (int16_t ver = recs[i].lo; ver <= recs[i].hi; ver++)
			for (int it = 0; it < 30; it++)
				roundtrip_one(recs[i].m, (struct kver){ ver, 0 }, it);
}
END_TEST

/* Hand-built bytes in Kafka's layout: version prefix, classic lengths. */
START_TEST(test_internal_record_bytes)
{
	static const uint8_t key[] = { 0, 1, 0, 2, 'g', '1', 0, 1, 't',
				       0, 0, 0, 3 };
	static const uint8_t val3[] = { 0, 3,
		0, 0, 0, 0, 0, 0, 0, 42,    /* offset */
		0, 0, 0, 7,                 /* leaderEpoch (v3+) */
		0, 2, 'm', 'd',             /* metadata */
		0, 0, 0, 0, 0, 0, 1, 0 };   /* commitTimestamp */
	static const uint8_t gm3[] = { 0, 3,
		0, 8, 'c', 'o', 'n', 's', 'u', 'm', 'e', 'r',
		0, 0, 0, 5,                 /* generation */
		0, 5, 'r', 'a', 'n', 'g', 'e',
		0xff, 0xff,                 /* leader: null */
		0, 0, 0, 0, 0, 0, 0, 9,     /* currentStateTimestamp */
		0, 0, 0, 1,                 /* one member */
		0, 1, 'm', 0xff, 0xff, 0, 1, 'c', 0, 1, 'h',
		0, 0, 0x75, 0x30, 0, 0, 0x27, 0x10,
		0, 0, 0, 1, 0xaa, 0, 0, 0, 0 };
	struct arena a;
	arena_init(&a);
	struct kreader r;
	int16_t ver;
	struct offset_commit_key k;
	kreader_init(&r, key, sizeof key);
	ck_assert_int_eq(kcodec_decode_versioned(&offset_commit_key_msg, 0, 1,
						 &r, &ver, &k, &a), 0);
	ck_assert_int_eq(ver, 1);
	ck_assert_int_eq(k.group.len, 2);
	ck_assert(memcmp(k.group.p, "g1", 2) == 0);
	ck_assert_int_eq(k.partition, 3);
	ck_assert_int_eq((int)kr_left(&r), 0);
	/* a group metadata key (version 2) is not an offset commit key */
	kreader_init(&r, (const uint8_t[]){ 0, 2, 0, 0 }, 4);
	ck_assert_int_eq(kcodec_decode_versioned(&offset_commit_key_msg, 0, 1,
						 &r, &ver, &k, &a), -EBADMSG);

	struct offset_commit_value v;
	kreader_init(&r, val3, sizeof val3);
	ck_assert_int_eq(kcodec_decode_versioned(&offset_commit_value_msg, 0, 3,
						 &r, &ver, &v, &a), 0);
	ck_assert(v.offset == 42 && v.leader_epoch == 7);
	ck_assert(v.commit_timestamp == 256 && v.expire_timestamp == -1);
	ck_assert_int_eq((int)kr_left(&r), 0);
	struct kout w;
	kout_init(&w);
	ck_assert_int_eq(kcodec_encode_versioned(&offset_commit_value_msg, 3,
						 &v, &w), 0);
	ck_assert(w.len == sizeof val3 && memcmp(w.buf, val3, w.len) == 0);
	kout_free(&w);

	struct group_metadata_value g;
	kreader_init(&r, gm3, sizeof gm3);
	ck_assert_int_eq(kcodec_decode_versioned(&group_metadata_value_msg, 0, 3,
						 &r, &ver, &g, &a), 0);
	ck_assert_int_eq((int)kr_left(&r), 0);
	ck_assert_int_eq(g.generation, 5);
	ck_assert_int_eq(g.leader.len, -1);
	ck_assert_int_eq(g.members.n, 1);
	struct group_metadata_member *m = g.members.v;
	ck_assert_int_eq(m->group_instance_id.len, -1);
	ck_assert_int_eq(m->rebalance_timeout, 30000);
	ck_assert_int_eq(m->session_timeout, 10000);
	ck_assert_int_eq(m->subscription.len, 1);
	ck_assert_int_eq(m->assignment.len, 0);
	kout_init(&w);
	ck_assert_int_eq(kcodec_encode_versioned(&group_metadata_value_msg, 3,
						 &g, &w), 0);
	ck_assert(w.len == sizeof gm3 && memcmp(w.buf, gm3, w.len) == 0);
	kout_free(&w);
	arena_free(&a);
}
END_TEST

START_TEST(test_primitives_varints)
{
	static const struct { int32_t v; uint8_t b[5]; int n; } zz[] = {
		{ 0, { 0x00 }, 1 }, { -1, { 0x01 }, 1 }, { 1, { 0x02 }, 1 },
		{ 63, { 0x7e }, 1 }, { -64, { 0x7f }, 1 },
		{ 64, { 0x80, 0x01 }, 2 },
		{ INT32_MAX, { 0xfe, 0xff, 0xff, 0xff, 0x0f }, 5 },
		{ INT32_MIN, { 0xff, 0xff, 0xff, 0xff, 0x0f }, 5 },
	};
	for (size_t i = 0; i < sizeof zz / sizeof zz[0]; i++) {
		struct kout w;
		kout_init(&w);
		kw_varint(&w, zz[i].v);
		ck_assert_int_eq((int)w.len, zz[i].n);
		ck_assert(memcmp(w.buf, zz[i].b, w.len) == 0);
		struct kreader r;
		kreader_init(&r, w.buf, w.len);
		ck_assert_int_eq(kr_varint(&r), zz[i].v);
		ck_assert_int_eq(r.err, 0);
		kout_free(&w);
	}
	struct kout w;
	kout_init(&w);
	kw_varlong(&w, INT64_MIN);
	kw_uvarint(&w, 300);
	kw_i16(&w, -2);
	kw_i32(&w, 0x01020304);
	kw_i64(&w, -3);
	ck_assert_int_eq((int)w.len, 10 + 2 + 2 + 4 + 8);
	ck_assert_int_eq(w.buf[10], 0xac);
	ck_assert_int_eq(w.buf[11], 0x02);
	ck_assert_int_eq(w.buf[14], 0x01);
	struct kreader r;
	kreader_init(&r, w.buf, w.len);
	ck_assert(kr_varlong(&r) == INT64_MIN);
	ck_assert_uint_eq(kr_uvarint(&r), 300);
	ck_assert_int_eq(kr_i16(&r), -2);
	ck_assert_int_eq(kr_i32(&r), 0x01020304);
	ck_assert(kr_i64(&r) == -3);
	ck_assert_int_eq(r.err, 0);
	ck_assert_int_eq(kr_i8(&r), 0); /* past the end: error, no move */
	ck_assert_int_eq(r.err, 1);
	kout_free(&w);
	/* a 6-byte uvarint is malformed */
	static const uint8_t long_var[] = { 0x80, 0x80, 0x80, 0x80, 0x80, 0 };
	kreader_init(&r, long_var, sizeof long_var);
	kr_uvarint(&r);
	ck_assert_int_eq(r.err, 1);
}
END_TEST

/* ApiVersions v3 request as Kafka defines it: compact strings, tag buffer. */
START_TEST(test_api_versions_v3_bytes)
{
	static const uint8_t body[] = { 0x06, 'g', 'r', 'e', 'g', 'o',
		0x04, '1', '.', '0', 0x00 };
	struct arena a;
	arena_init(&a);
	struct api_versions_request req;
	struct kreader r;
	kreader_init(&r, body, sizeof body);
	const struct kapi *api = kapi_find(18);
	ck_assert_int_eq(kcodec_decode(api->req, kapi_ver(api, 3), &r, &req, &a),
			 0);
	ck_assert_int_eq(req.client_software_name.len, 5);
	ck_assert(memcmp(req.client_software_name.p, "grego", 5) == 0);
	ck_assert_int_eq(req.client_software_version.len, 3);
	ck_assert_int_eq((int)kr_left(&r), 0);
	arena_free(&a);
}
END_TEST

/* CreateAcls v2 (flexible) built by hand: pattern type sits between the
 * resource name and the principal; compact strings; tag buffers. */
START_TEST(test_create_acls_v2_bytes)
{
	static const uint8_t body[] = { 0x02, /* 1 creation */
		0x02, 0x02, 't', /* Topic "t" */ 0x04, /* PREFIXED */
		0x07, 'U', 's', 'e', 'r', ':', 'a', 0x02, '*',
		0x03, 0x03, /* Read, Allow */ 0x00, 0x00 };
	struct arena a;
	arena_init(&a);
	struct create_acls_request req;
	struct kreader r;
	kreader_init(&r, body, sizeof body);
	const struct kapi *api = kapi_find(30);
	ck_assert_int_eq(kcodec_decode(api->req, kapi_ver(api, 2), &r, &req, &a), 0);
	ck_assert_int_eq((int)kr_left(&r), 0);
	ck_assert_int_eq(req.creations.n, 1);
	const struct create_acls_req_creation *c = req.creations.v;
	ck_assert_int_eq(c->resource_type, 2);
	ck_assert_int_eq(c->resource_pattern_type, 4);
	ck_assert_int_eq(c->principal.len, 6);
	ck_assert(memcmp(c->principal.p, "User:a", 6) == 0);
	ck_assert_int_eq(c->operation, 3);
	ck_assert_int_eq(c->permission_type, 3);
	/* v0 has no pattern type: it decodes as LITERAL (3) */
	static const uint8_t v0[] = { 0, 0, 0, 1, 0x02, 0, 1, 't',
		0, 6, 'U', 's', 'e', 'r', ':', 'a', 0, 1, '*', 0x04, 0x02 };
	kreader_init(&r, v0, sizeof v0);
	ck_assert_int_eq(kcodec_decode(api->req, kapi_ver(api, 0), &r, &req, &a), 0);
	ck_assert_int_eq((int)kr_left(&r), 0);
	c = req.creations.v;
	ck_assert_int_eq(c->resource_pattern_type, 3);
	ck_assert_int_eq(c->operation, 4);
	ck_assert_int_eq(c->permission_type, 2);
	arena_free(&a);
}
END_TEST

/* IncrementalAlterConfigs v1 (flexible) built by hand: operation between
 * name and value; a DELETE carries a null value; response round trip. */
START_TEST(test_incremental_alter_configs_v1_bytes)
{
	static const uint8_t body[] = { 0x02, /* 1 resource */
		0x02, 0x02, 't', /* TOPIC "t" */ 0x03, /* 2 configs */
		0x0d, 'r', 'e', 't', 'e', 'n', 't', 'i', 'o', 'n', '.', 'm', 's',
		0x00, 0x03, '6', '0', 0x00, /* SET "60" */
		0x0f, 'c', 'l', 'e', 'a', 'n', 'u', 'p', '.', 'p', 'o', 'l', 'i', 'c', 'y',
		0x01, 0x00, 0x00, /* DELETE, null */ 0x00, /* resource tags */
		0x01, /* validate_only */ 0x00 };
	struct arena a;
	arena_init(&a);
	struct incremental_alter_configs_request req;
	struct kreader r;
	kreader_init(&r, body, sizeof body);
	const struct kapi *api = kapi_find(44);
	ck_assert_ptr_nonnull(api);
	ck_assert_int_eq(kcodec_decode(api->req, kapi_ver(api, 1), &r, &req, &a), 0);
	ck_assert_int_eq((int)kr_left(&r), 0);
	ck_assert_int_eq(req.resources.n, 1);
	ck_assert_int_eq(req.validate_only, 1);
	const struct incremental_alter_configs_req_resource *res = req.resources.v;
	ck_assert_int_eq(res->resource_type, 2);
	ck_assert_int_eq(res->configs.n, 2);
	const struct incremental_alter_configs_req_config *c = res->configs.v;
	ck_assert_int_eq(c[0].name.len, 12);
	ck_assert_int_eq(c[0].config_operation, 0);
	ck_assert(c[0].value.len == 2 && memcmp(c[0].value.p, "60", 2) == 0);
	ck_assert_int_eq(c[1].config_operation, 1);
	ck_assert_int_eq(c[1].value.len, -1);
	struct incremental_alter_configs_resp_resource rr = {
		40, { "bad", 3 }, 2, { "t", 1 } };
	struct incremental_alter_configs_response resp = { 5, { 1, &rr } };
	static const uint8_t want[] = { 0, 0, 0, 5, 0x02, 0, 40, 0x04, 'b', 'a', 'd',
		0x02, 0x02, 't', 0x00, 0x00 };
	struct kout w;
	kout_init(&w);
	ck_assert_int_eq(kcodec_encode(api->resp, kapi_ver(api, 1), &resp, &w), 0);
	kout_finish(&w);
	ck_assert_int_eq((int)w.len, (int)sizeof want);
	ck_assert(memcmp(w.buf, want, sizeof want) == 0);
	kout_free(&w);
	arena_free(&a);
}
END_TEST

/* Unknown tags are skipped; known ones decode; defaults stay elsewhere. */
START_TEST(test_tags_unknown_skipped_known_decoded)
{
	/* Fetch v12 response partition tail built by hand inside a response */
	struct fetch_resp_partition p;
	memset(&p, 0, sizeof p);
	kcodec_defaults(fetch_response_msg.fields[3].sub->fields[2].sub, &p);
	ck_assert_int_eq(p.diverging_epoch.epoch, -1);
	ck_assert_int_eq(p.current_leader.leader_id, -1);
	ck_assert(p.last_stable_offset == -1);

	/* Metadata v9 request with an unknown tag 7 (3 bytes) at the end */
	static const uint8_t body[] = {
		0x01,       /* topics: compact array, 0 elements */
		0x01,       /* allow_auto_topic_creation */
		0x00, 0x00, /* include cluster/topic authorized operations */
		0x01, 0x07, 0x03, 0xaa, 0xbb, 0xcc, /* tags: {7: 3 bytes} */
	};
	struct arena a;
	arena_init(&a);
	struct metadata_request req;
	struct kreader r;
	kreader_init(&r, body, sizeof body);
	ck_assert_int_eq(kcodec_decode(&metadata_request_msg,
				       (struct kver){ 9, 1 }, &r, &req, &a), 0);
	ck_assert_int_eq(req.topics.n, 0);
	ck_assert_int_eq(req.allow_auto_topic_creation, 1);
	ck_assert_int_eq((int)kr_left(&r), 0);
	/* a tag claiming more bytes than present fails */
	static const uint8_t bad[] = { 0x01, 0x01, 0x00, 0x00, 0x01, 0x07, 0x09,
				       0xaa };
	kreader_init(&r, bad, sizeof bad);
	ck_assert_int_eq(kcodec_decode(&metadata_request_msg,
				       (struct kver){ 9, 1 }, &r, &req, &a),
			 -EBADMSG);
	arena_free(&a);
}
END_TEST

/* Tagged fields go out only when not default, in tag order. */
START_TEST(test_tagged_struct_written_only_when_set)
{
	struct fetch_resp_partition part;
	memset(&part, 0, sizeof part);
	kcodec_defaults(fetch_response_msg.fields[3].sub->fields[2].sub, &part);
	struct fetch_resp_topic topic = { .topic = { "t", 1 },
		.partitions = { 1, &part } };
	struct fetch_response resp = { .responses = { 1, &topic } };
	struct kout w;
	kout_init(&w);
	ck_assert_int_eq(kcodec_encode(&fetch_response_msg,
				       (struct kver){ 12, 1 }, &resp, &w), 0);
	size_t plain = w.len;
	kout_free(&w);
	part.current_leader.leader_id = 3;
	part.current_leader.leader_epoch = 9;
	kout_init(&w);
	ck_assert_int_eq(kcodec_encode(&fetch_response_msg,
				       (struct kver){ 12, 1 }, &resp, &w), 0);
	/* + tag 1, size 9: i32 leader id, i32 epoch, the struct's own empty
	 * tag buffer (every flexible struct has one) */
	ck_assert_uint_eq(w.len, plain + 11);
	struct arena a;
	arena_init(&a);
	struct fetch_response back;
	struct kreader r;
	kreader_init(&r, w.buf, w.len);
	ck_assert_int_eq(kcodec_decode(&fetch_response_msg,
				       (struct kver){ 12, 1 }, &r, &back, &a), 0);
	struct fetch_resp_topic *bt = back.responses.v;
	struct fetch_resp_partition *bp = bt->partitions.v;
	ck_assert_int_eq(bp->current_leader.leader_id, 3);
	ck_assert_int_eq(bp->current_leader.leader_epoch, 9);
	ck_assert_int_eq(bp->diverging_epoch.epoch, -1);
	ck_assert_int_eq(bp->records.fd, -1);
	arena_free(&a);
	kout_free(&w);
}
END_TEST

/* A count that cannot fit in the remaining bytes fails before allocating. */
START_TEST(test_huge_counts_fail_without_allocating)
{
	static const uint8_t classic[] = { 0x7f, 0xff, 0xff, 0xff, 0, 1, 'x' };
	static const uint8_t compact[] = { 0xff, 0xff, 0xff, 0xff, 0x07, 1, 0 };
	struct metadata_request req;
	struct arena a;
	arena_init(&a);
	struct kreader r;
	kreader_init(&r, classic, sizeof classic);
	ck_assert_int_eq(kcodec_decode(&metadata_request_msg,
				       (struct kver){ 1, 0 }, &r, &req, &a),
			 -EBADMSG);
	ck_assert_ptr_null(a.head);
	kreader_init(&r, compact, sizeof compact);
	ck_assert_int_eq(kcodec_decode(&metadata_request_msg,
				       (struct kver){ 9, 1 }, &r, &req, &a),
			 -EBADMSG);
	ck_assert_ptr_null(a.head);
	/* string length beyond the buffer */
	static const uint8_t str[] = { 0, 0, 0, 1, 0x7f, 0xff, 'a' };
	kreader_init(&r, str, sizeof str);
	ck_assert_int_eq(kcodec_decode(&metadata_request_msg,
				       (struct kver){ 1, 0 }, &r, &req, &a),
			 -EBADMSG);
	/* null where not nullable (Metadata v0 topics) */
	static const uint8_t nul[] = { 0xff, 0xff, 0xff, 0xff };
	kreader_init(&r, nul, sizeof nul);
	ck_assert_int_eq(kcodec_decode(&metadata_request_msg,
				       (struct kver){ 0, 0 }, &r, &req, &a),
			 -EBADMSG);
	kreader_init(&r, nul, sizeof nul);
	ck_assert_int_eq(kcodec_decode(&metadata_request_msg,
				       (struct kver){ 1, 0 }, &r, &req, &a), 0);
	ck_assert_int_eq(req.topics.n, -1);
	ck_assert_int_eq(req.allow_auto_topic_creation, 1); /* v<4 default */
	arena_free(&a);
}
END_TEST

START_TEST(test_headers)
{
	struct kout w;
	kout_init(&w);
	struct kreq_header h = { 3, 9, 77, { "cli", 3 } };
	kreq_header_encode(&w, &h); /* Metadata v9: header v2 */
	kreq_header_encode(&w, &(struct kreq_header){ 3, 4, 78, { NULL, -1 } });
	kreq_header_encode(&w, &(struct kreq_header){ 7, 0, 79, { "x", 1 } });
	ck_assert_uint_eq(w.len, (8 + 2 + 3 + 1) + (8 + 2) + 8);
	struct kreader r;
	kreader_init(&r, w.buf, w.len);
	struct kreq_header d;
	ck_assert_int_eq(kreq_header_decode(&r, &d), 0);
	ck_assert_int_eq(d.correlation_id, 77);
	ck_assert_int_eq(d.client_id.len, 3);
	ck_assert_int_eq(kreq_header_decode(&r, &d), 0);
	ck_assert_int_eq(d.client_id.len, -1);
	ck_assert_int_eq(kreq_header_decode(&r, &d), 0);
	ck_assert_int_eq(d.api_key, 7);
	ck_assert_int_eq(d.client_id.len, -1); /* header v0: no client id */
	ck_assert_int_eq((int)kr_left(&r), 0);
	kout_free(&w);

	kout_init(&w);
	kresp_header_encode(&w, 18, 3, 5); /* ApiVersions: always v0 */
	ck_assert_uint_eq(w.len, 4);
	kresp_header_encode(&w, 1, 12, 6); /* Fetch v12: v1 */
	ck_assert_uint_eq(w.len, 9);
	kresp_header_encode(&w, 1, 11, 7);
	ck_assert_uint_eq(w.len, 13);
	int32_t cid;
	kreader_init(&r, w.buf, w.len);
	ck_assert_int_eq(kresp_header_decode(&r, 18, 3, &cid), 0);
	ck_assert_int_eq(cid, 5);
	ck_assert_int_eq(kresp_header_decode(&r, 1, 12, &cid), 0);
	ck_assert_int_eq(cid, 6);
	ck_assert_int_eq(kresp_header_decode(&r, 1, 11, &cid), 0);
	ck_assert_int_eq(cid, 7);
	kout_free(&w);
	/* a broker channel's body starts after the correlation id: the tag
	 * buffer of UpdateMetadata v7 comes before the error code
	 * (STALE_BROKER_EPOCH 77 here), none for v5 or for ApiVersions */
	static const uint8_t um7[] = { 0, 0, 77, 0 };
	kreader_init(&r, um7, sizeof um7);
	ck_assert_int_eq(kresp_header_tags_decode(&r, 6, 7), 0);
	ck_assert_int_eq(kr_i16(&r), 77);
	kreader_init(&r, um7 + 1, 2);
	ck_assert_int_eq(kresp_header_tags_decode(&r, 6, 5), 0);
	ck_assert_int_eq(kr_i16(&r), 77);
	kreader_init(&r, um7 + 1, 2);
	ck_assert_int_eq(kresp_header_tags_decode(&r, 18, 3), 0);
	ck_assert_int_eq(kr_i16(&r), 77);
	/* truncated header */
	static const uint8_t t[] = { 0, 3, 0, 1, 0, 0, 0, 1, 0, 5, 'a' };
	kreader_init(&r, t, sizeof t);
	ck_assert_int_eq(kreq_header_decode(&r, &d), -EBADMSG);
}
END_TEST

/* File-backed records become their own piece after an in-memory length. */
START_TEST(test_kout_file_pieces)
{
	struct kout w;
	kout_init(&w);
	size_t at = kw_reserve_i32(&w);
	struct fetch_resp_partition part = { .records = { NULL, 100, 7, 40 } };
	struct fetch_resp_topic topic = { .topic = { "t", 1 },
		.partitions = { 1, &part } };
	struct fetch_response resp = { .responses = { 1, &topic } };
	ck_assert_int_eq(kcodec_encode(&fetch_response_msg,
				       (struct kver){ 4, 0 }, &resp, &w), 0);
	kout_finish(&w);
	kw_patch_i32(&w, at, (int32_t)(w.total - 4));
	ck_assert_int_eq(w.npieces, 2); /* nothing follows the records */
	ck_assert_int_eq(w.pieces[0].fd, -1);
	ck_assert_int_eq(w.pieces[1].fd, 7);
	ck_assert(w.pieces[1].off == 40 && w.pieces[1].len == 100);
	ck_assert(w.total == (int64_t)w.len + 100);
	/* the last 4 memory bytes are the records length */
	ck_assert_int_eq(w.buf[w.len - 1], 100);
	ck_assert_int_eq(w.buf[0], 0);
	kout_free(&w);
}
END_TEST

START_TEST(test_kerr_names)
{
	ck_assert_str_eq(kerr_name(KERR_NOT_CONTROLLER), "NOT_CONTROLLER");
	ck_assert_str_eq(kerr_name(-1), "UNKNOWN_SERVER_ERROR");
	ck_assert_str_eq(kerr_name(0), "NONE");
	ck_assert_str_eq(kerr_name(5000), "UNKNOWN");
	ck_assert_int_eq(KERR_STALE_BROKER_EPOCH, 77);
	ck_assert_int_eq(KERR_UNKNOWN_TOPIC_ID, 100);
	ck_assert_int_eq(KERR_KAFKA_STORAGE_ERROR, 56);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("codec");
	TCase *tc = tcase_create("codec");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_primitives_varints);
	tcase_add_test(tc, test_api_versions_v3_bytes);
	tcase_add_test(tc, test_create_acls_v2_bytes);
	tcase_add_test(tc, test_tags_unknown_skipped_known_decoded);
	tcase_add_test(tc, test_tagged_struct_written_only_when_set);
	tcase_add_test(tc, test_huge_counts_fail_without_allocating);
	tcase_add_test(tc, test_headers);
	tcase_add_test(tc, test_kout_file_pieces);
	tcase_add_test(tc, test_kerr_names);
	tcase_add_test(tc, test_roundtrip_every_api_version);
	tcase_add_test(tc, test_roundtrip_internal_records);
	tcase_add_test(tc, test_incremental_alter_configs_v1_bytes);
	tcase_add_test(tc, test_internal_record_bytes);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
