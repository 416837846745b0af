/* Byte-for-byte vectors from real client traffic (vectors/librdkafka.txt,
 * librdkafka_groups.txt, kafkajs.txt, captured by vectors/capture.sh against
 * librdkafka's mock; vectors/gregor_*.txt, captured by
 * vectors/capture_gregor.sh from every client of tests/integration/clients
 * against a Gregor cluster): every frame must decode completely and
 * re-encode to the identical bytes. This checks the schemas against what
 * real clients write, not against our own encoder. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/proto/apis.h"
#include "common/proto/codec.h"
#include "common/proto/messages.h"


static size_t unhex(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;
	while (s[0] && s[1] && s[0] != '\n' && n < cap) {
		unsigned v;
		if (sscanf(s, "%2x", &v) != 1)
			break;
		out[n++] = (uint8_t)v;
		s += 2;
	}
	return n;
}

/* Decodes one frame and re-encodes it; 0 if identical. */
static int check_frame(int is_req, int16_t key, int16_t ver,
		       const uint8_t *b, size_t n)
{
	const struct kapi *api = kapi_find(key);
	ck_assert_ptr_nonnull(api);
	struct kreader r;
	kreader_init(&r, b, n);
	struct kout w;
	kout_init(&w);
	if (is_req) {
		struct kreq_header h;
		ck_assert_int_eq(kreq_header_decode(&r, &h), 0);
		ck_assert_int_eq(h.api_key, key);
		ck_assert_int_eq(h.api_version, ver);
		kreq_header_encode(&w, &h);
	} else {
		int32_t cid;
		ck_assert_int_eq(kresp_header_decode(&r, key, ver, &cid), 0);
		kresp_header_encode(&w, key, ver, cid);
		/* an ApiVersions error answer is always in v0 format */
		if (key == 18 && kr_left(&r) >= 2 && r.p[0] == 0 && r.p[1] == 35)
			ver = 0;
	}
	struct arena a;
	arena_init(&a);
	const struct kmsg *m = is_req ? api->req : api->resp;
	void *s = arena_alloc(&a, m->size);
	struct kver v = kapi_ver(api, ver);
	int rc = kcodec_decode(m, v, &r, s, &a);
	ck_assert_msg(rc == 0, "%s v%d decode failed", m->name, ver);
	ck_assert_msg(kr_left(&r) == 0, "%s v%d: %zu bytes not decoded",
		      m->name, ver, kr_left(&r));
	ck_assert_int_eq(kcodec_encode(m, v, s, &w), 0);
	int same = w.len == n && memcmp(w.buf, b, n) == 0;
	/* and every truncation fails cleanly */
	for (size_t cut = 0; cut < n; cut++) {
		struct kreader t;
		kreader_init(&t, b, cut);
		struct arena a2;
		arena_init(&a2);
		int ok = 0;
		if (is_req) {
			struct kreq_header h;
			ok = kreq_header_decode(&t, &h) == 0;
		} else {
			int32_t cid;
			ok = kresp_header_decode(&t, key, ver, &cid) == 0;
		}
		void *s2 = arena_alloc(&a2, m->size);
		if (ok)
			ok = kcodec_decode(m, v, &t, s2, &a2) == 0;
		ck_assert_msg(!ok, "%s v%d: prefix %zu/%zu decoded", m->name,
			      ver, cut, n);
		arena_free(&a2);
	}
	arena_free(&a);
	kout_free(&w);
	return same ? 0 : -1;
}

/* Checks every frame of one vector file; returns how many. */
static int check_file(const char *path, int seen_req[64])
{
	FILE *f = fopen(path, "r");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	static char line[1 << 20];
	static uint8_t buf[1 << 19];
	int count = 0;
	while (fgets(line, sizeof line, f)) {
		char kind[8];
		int key, ver, off;
		if (sscanf(line, "%7s %d %d %n", kind, &key, &ver, &off) != 3)
			continue;
		size_t n = unhex(line + off, buf, sizeof buf);
		int is_req = strcmp(kind, "req") == 0;
		ck_assert_msg(check_frame(is_req, (int16_t)key, (int16_t)ver,
					  buf, n) == 0,
			      "%s line %d (%s %d v%d) re-encodes differently",
			      path, count + 1, kind, key, ver);
		if (is_req && key < 64)
			seen_req[key] = 1;
		count++;
	}
	fclose(f);
	return count;
}

START_TEST(test_librdkafka_vectors_roundtrip)
{
	int seen_req[64] = { 0 };
	ck_assert_int_ge(check_file("vectors/librdkafka.txt", seen_req), 20);
	/* ApiVersions, Metadata, Produce, Fetch, ListOffsets requests */
	ck_assert(seen_req[18] && seen_req[3] && seen_req[0] && seen_req[1] &&
		  seen_req[2]);
}
END_TEST

/* Consumer group (subscribe, heartbeats, commit, leave) and idempotent /
 * transactional producer traffic. */
START_TEST(test_librdkafka_group_txn_vectors_roundtrip)
{
	int seen_req[64] = { 0 };
	ck_assert_int_ge(check_file("vectors/librdkafka_groups.txt", seen_req),
			 40);
	static const int want[] = { 8, 9, 10, 11, 12, 13, 14, 22, 24, 25, 26,
				    28 };
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
		ck_assert_msg(seen_req[want[i]], "no request with key %d",
			      want[i]);
}
END_TEST

START_TEST(test_kafkajs_vectors_roundtrip)
{
	int seen_req[64] = { 0 };
	ck_assert_int_ge(check_file("vectors/kafkajs.txt", seen_req), 24);
	ck_assert(seen_req[18] && seen_req[3] && seen_req[0] && seen_req[2]);
	/* its consumer group: OffsetCommit, OffsetFetch, FindCoordinator,
	 * JoinGroup, Heartbeat, LeaveGroup, SyncGroup */
	for (int k = 8; k <= 14; k++)
		ck_assert_msg(seen_req[k], "no kafkajs request with key %d", k);
}
END_TEST

/* What each client captured against Gregor sends: (API key, version). */
struct client_vectors {
	const char *file;
	int min_frames;
	int want[16][2];
};

static const struct client_vectors gregor_clients[] = {
	/* kafka-python 2.0.2, versions auto-detected */
	{ "vectors/gregor_kafka_python.txt", 40,
	  { { 18, 0 }, { 3, 5 }, { 0, 7 }, { 1, 4 }, { 2, 1 }, { 8, 2 }, { 9, 1 }, { 10, 0 },
	    { 11, 2 }, { 12, 1 }, { 13, 1 }, { 14, 1 }, { -1, -1 } } },
	/* pinned to 0.10: JoinGroup v0, Produce/Fetch v2 (magic 1) */
	{ "vectors/gregor_kafka_python_0_10.txt", 40,
	  { { 0, 2 }, { 1, 2 }, { 11, 0 }, { 12, 0 }, { 14, 0 }, { -1, -1 } } },
	/* pinned to 0.8.2: Metadata/Produce/Fetch/ListOffsets v0, offsets v1 */
	{ "vectors/gregor_kafka_python_0_8_2.txt", 20,
	  { { 3, 0 }, { 0, 0 }, { 1, 0 }, { 2, 0 }, { 8, 1 }, { 9, 1 }, { 10, 0 }, { -1, -1 } } },
	/* pinned to 0.8.1: ZooKeeper-kept offsets through OffsetCommit/Fetch v0 */
	{ "vectors/gregor_kafka_python_0_8_1.txt", 20,
	  { { 3, 0 }, { 0, 0 }, { 1, 0 }, { 8, 0 }, { 9, 0 }, { -1, -1 } } },
	/* sarama 1.22's default (0.8.2 protocols) */
	{ "vectors/gregor_sarama_default.txt", 20,
	  { { 3, 0 }, { 0, 0 }, { 1, 0 }, { 2, 0 }, { 8, 1 }, { 9, 1 }, { 10, 0 }, { -1, -1 } } },
	/* sarama 1.22 at V2_1_0 */
	{ "vectors/gregor_sarama_2_1.txt", 30,
	  { { 3, 5 }, { 0, 3 }, { 1, 4 }, { 19, 2 }, { 11, 1 }, { 14, 0 }, { -1, -1 } } },
	/* segmentio/kafka-go 0.2.1 */
	{ "vectors/gregor_kafka_go.txt", 20,
	  { { 3, 1 }, { 0, 2 }, { 1, 2 }, { 11, 1 }, { 14, 0 }, { -1, -1 } } },
	/* confluent-kafka-python 1.7.0 (librdkafka 2.0.2) */
	{ "vectors/gregor_confluent_kafka.txt", 40,
	  { { 18, 3 }, { 0, 7 }, { 1, 11 }, { 22, 4 }, { 24, 0 }, { 26, 1 }, { 32, 1 }, { -1, -1 } } },
	/* kafkajs 2.2.4 */
	{ "vectors/gregor_kafkajs.txt", 20,
	  { { 18, 2 }, { 3, 6 }, { 0, 7 }, { 1, 11 }, { 19, 3 }, { -1, -1 } } },
	/* @platformatic/kafka: the newest versions (topic ids) */
	{ "vectors/gregor_platformatic.txt", 10,
	  { { 18, 3 }, { 3, 12 }, { 1, 17 }, { 0, 11 }, { 2, 9 }, { 19, 7 }, { -1, -1 } } },
	/* kafka-node 5.0.0 */
	{ "vectors/gregor_kafka_node.txt", 10,
	  { { 18, 0 }, { 3, 1 }, { 0, 2 }, { 1, 2 }, { 11, 0 }, { 14, 0 }, { -1, -1 } } },
};

START_TEST(test_gregor_client_vectors_roundtrip)
{
	const struct client_vectors *cv = &gregor_clients[_i];
	int seen[64][32] = { { 0 } };
	FILE *f = fopen(cv->file, "r");
	ck_assert_msg(f != NULL, "cannot open %s", cv->file);
	static char line[1 << 16];
	while (fgets(line, sizeof line, f)) {
		int key, ver;
		if (sscanf(line, "req %d %d", &key, &ver) == 2 && key >= 0 && key < 64 &&
		    ver >= 0 && ver < 32)
			seen[key][ver] = 1;
	}
	fclose(f);
	int dummy[64] = { 0 };
	ck_assert_int_ge(check_file(cv->file, dummy), cv->min_frames);
	for (int i = 0; i < 16 && cv->want[i][0] >= 0; i++)
		ck_assert_msg(seen[cv->want[i][0]][cv->want[i][1]], "%s: no request with key %d v%d",
			      cv->file, cv->want[i][0], cv->want[i][1]);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("codec_vectors");
	TCase *tc = tcase_create("vectors");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_librdkafka_vectors_roundtrip);
	tcase_add_test(tc, test_librdkafka_group_txn_vectors_roundtrip);
	tcase_add_test(tc, test_kafkajs_vectors_roundtrip);
	tcase_add_loop_test(tc, test_gregor_client_vectors_roundtrip, 0,
			    (int)(sizeof gregor_clients / sizeof gregor_clients[0]));
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
