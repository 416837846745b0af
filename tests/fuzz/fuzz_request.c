/* libFuzzer target: arbitrary bytes as a request frame (header + body) for
 * every API and version common/proto describes, and as every internal
 * record (__consumer_offsets, __transaction_state key or value). Any decode
 * that succeeds must re-encode to bytes that decode again to the same
 * encoding. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/proto/apis.h"
#include "common/proto/codec.h"
#include "common/proto/messages.h"
#include "common/proto/record_batch.h"

static void reencode_stable(const struct kmsg *m, struct kver v, void *s)
{
	struct kout w1, w2;
	struct arena a;
	kout_init(&w1);
	kout_init(&w2);
	arena_init(&a);
	if (kcodec_encode(m, v, s, &w1) == 0) {
		struct kreader r;
		kreader_init(&r, w1.buf, w1.len);
		void *s2 = arena_alloc(&a, m->size);
		if (!s2 || kcodec_decode(m, v, &r, s2, &a) != 0 || kr_left(&r))
			abort();
		if (kcodec_encode(m, v, s2, &w2) != 0 || w1.len != w2.len ||
		    (w1.len && memcmp(w1.buf, w2.buf, w1.len)))
			abort();
	}
	kout_free(&w1);
	kout_free(&w2);
	arena_free(&a);
}

/* The whole input as an i16 version + body of each internal record. */
static void fuzz_internal_records(const uint8_t *data, size_t size)
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
	for (size_t i = 0; i < sizeof recs / sizeof recs[0]; i++) {
		struct kreader r;
		struct arena a;
		int16_t ver;
		kreader_init(&r, data, size);
		arena_init(&a);
		void *s = arena_alloc(&a, recs[i].m->size);
		if (s && kcodec_decode_versioned(recs[i].m, recs[i].lo,
						 recs[i].hi, &r, &ver, s,
						 &a) == 0)
			reencode_stable(recs[i].m, (struct kver){ ver, 0 }, s);
		arena_free(&a);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_internal_records(data, size);
	struct kreader r;
	struct kreq_header h;
	kreader_init(&r, data, size);
	if (kreq_header_decode(&r, &h) != 0)
		return 0;
	const struct kapi *api = kapi_find(h.api_key);
	if (!api || h.api_version < 0 || h.api_version > api->max_version)
		return 0;
	struct kver v = kapi_ver(api, h.api_version);
	struct arena a;
	arena_init(&a);
	/* the same body also as the response of that API/version */
	for (int resp = 0; resp < 2; resp++) {
		const struct kmsg *m = resp ? api->resp : api->req;
		struct kreader body = r;
		void *s = arena_alloc(&a, m->size);
		if (s && kcodec_decode(m, v, &body, s, &a) == 0)
			reencode_stable(m, v, s);
	}
	struct rb_header rh;
	if (rb_validate(r.p, kr_left(&r), &rh) == 0) {
		struct rb_iter it;
		struct rb_record rec;
		rb_iter_init(&it, r.p, kr_left(&r));
		for (int i = 0; i < 1000 && rb_iter_next(&it, &rec) == 1; i++)
			;
	}
	arena_free(&a);
	return 0;
}
