/* Unit tests for the pure parts of coord/: the bounded JSON reader, Kafka's
 * znode shapes (build and parse), the replica assignment and name rules,
 * the leader election rules, and the ZooKeeper connect string resolved
 * to addresses. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "coord/assign.h"
#include "coord/elect.h"
#include "coord/zjson.h"
#include "coord/zkacl.h"
#include "coord/znode.h"
#include "coord/zk_resolve.h"

static int parse_str(struct zjson *j, const char *s)
{
	return zj_parse(j, s, strlen(s));
}

START_TEST(test_zjson_reads_nested_values)
{
	struct zjson j;
	int64_t v;
	char s[16];
	ck_assert_int_eq(parse_str(&j, " {\"a\":[1, -2 ,3],\"b\":{\"c\":\"x\\\"y\"},"
				   "\"n\":null,\"t\":\"42\"} "), 0);
	int a = zj_get(&j, 0, "a");
	ck_assert_int_eq(zj_type(&j, a), ZJ_ARR);
	ck_assert_int_eq(zj_int(&j, zj_at(&j, a, 1), -10, 10, &v), 0);
	ck_assert_int_eq(v, -2);
	ck_assert_int_eq(zj_at(&j, a, 3), -1);
	ck_assert_int_eq(zj_str(&j, zj_get(&j, zj_get(&j, 0, "b"), "c"), s, sizeof s), 0);
	ck_assert_str_eq(s, "x\"y");
	ck_assert_int_eq(zj_type(&j, zj_get(&j, 0, "n")), ZJ_NULL);
	ck_assert_int_eq(zj_int(&j, zj_get(&j, 0, "t"), 0, 100, &v), 0);
	ck_assert_int_eq(v, 42);
	ck_assert_int_eq(zj_get(&j, 0, "missing"), -1);
	zj_free(&j);
}
END_TEST

START_TEST(test_zjson_rejects_malformed_input)
{
	static const char *bad[] = { "", "{", "{\"a\":}", "[1,]", "{\"a\" 1}",
				     "\"abc", "[1] x", "{\"a\":tru}", "[\"\\",
				     "{1:2}", "\"a\x01\"" };
	struct zjson j;
	for (size_t k = 0; k < sizeof bad / sizeof *bad; k++)
		ck_assert_msg(parse_str(&j, bad[k]) != 0, "accepted %s", bad[k]);
	char deep[200];
	memset(deep, '[', 100);
	memset(deep + 100, ']', 100);
	ck_assert_int_ne(zj_parse(&j, deep, sizeof deep), 0);
}
END_TEST

START_TEST(test_zjson_accessors_check_range_and_type)
{
	struct zjson j;
	int64_t v;
	char s[4];
	ck_assert_int_eq(parse_str(&j, "{\"big\":99999999999,\"f\":1.5,\"s\":\"long\"}"), 0);
	ck_assert_int_ne(zj_int(&j, zj_get(&j, 0, "big"), 0, INT32_MAX, &v), 0);
	ck_assert_int_ne(zj_int(&j, zj_get(&j, 0, "f"), 0, 10, &v), 0);
	ck_assert_int_ne(zj_str(&j, zj_get(&j, 0, "s"), s, sizeof s), 0);
	ck_assert_int_ne(zj_str(&j, zj_get(&j, 0, "big"), s, sizeof s), 0);
	zj_free(&j);
}
END_TEST

START_TEST(test_broker_registration_is_kafka_v5)
{
	struct zbuf b;
	struct zn_broker br;
	zb_init(&b);
	ck_assert_int_eq(zn_broker_build(&b, "PLAINTEXT://127.0.0.1:9092,INTERNAL://h2:9093",
					 "PLAINTEXT:PLAINTEXT,INTERNAL:SSL", NULL,
					 1700000000000LL), 0);
	ck_assert_ptr_nonnull(strstr(b.p, "\"version\":5"));
	ck_assert_ptr_nonnull(strstr(b.p, "\"timestamp\":\"1700000000000\""));
	ck_assert_ptr_nonnull(strstr(b.p, "\"jmx_port\":-1"));
	ck_assert_ptr_nonnull(strstr(b.p, "\"host\":\"127.0.0.1\",\"port\":9092"));
	ck_assert_ptr_nonnull(strstr(b.p, "\"features\":{}"));
	ck_assert_ptr_nonnull(strstr(b.p, "\"INTERNAL\":\"SSL\""));
	ck_assert_ptr_null(strstr(b.p, "rack"));
	ck_assert_int_eq(zn_broker_parse(b.p, b.len, &br), 0);
	ck_assert_int_eq(br.n_endpoints, 2);
	const struct zn_endpoint *ep = zn_broker_endpoint(&br, "INTERNAL");
	ck_assert_ptr_nonnull(ep);
	ck_assert_str_eq(ep->host, "h2");
	ck_assert_int_eq(ep->port, 9093);
	ck_assert_int_eq(ep->security_protocol, ZN_SSL);
	zb_free(&b);
}
END_TEST

START_TEST(test_broker_registration_without_plaintext_has_null_host)
{
	struct zbuf b;
	struct zn_broker br;
	zb_init(&b);
	ck_assert_int_eq(zn_broker_build(&b, "SSL://[::1]:9093", NULL, "r1", 1), 0);
	ck_assert_ptr_nonnull(strstr(b.p, "\"host\":null,\"port\":-1"));
	ck_assert_ptr_nonnull(strstr(b.p, "\"rack\":\"r1\""));
	ck_assert_ptr_nonnull(strstr(b.p, "\"SSL://[::1]:9093\""));
	ck_assert_int_eq(zn_broker_parse(b.p, b.len, &br), 0);
	ck_assert_str_eq(br.ep[0].host, "::1");
	ck_assert_int_eq(br.has_rack, 1);
	ck_assert_str_eq(br.rack, "r1");
	zb_free(&b);
	ck_assert_int_ne(zn_broker_build(&b, "FOO://h:1", NULL, NULL, 1), 0);
	zb_free(&b);
	ck_assert_int_lt(zn_parse_listeners("PLAINTEXT://h:99999", NULL, br.ep, 8), 0);
	ck_assert_int_lt(zn_parse_listeners("PLAINTEXT//h:1", NULL, br.ep, 8), 0);
}
END_TEST

START_TEST(test_old_broker_registration_parses)
{
	struct zn_broker br;
	const char *v1 = "{\"version\":1,\"host\":\"b1\",\"port\":9092,\"jmx_port\":-1}";
	ck_assert_int_eq(zn_broker_parse(v1, strlen(v1), &br), 0);
	ck_assert_str_eq(br.ep[0].host, "b1");
	ck_assert_str_eq(br.ep[0].listener, "PLAINTEXT");
	ck_assert_int_ne(zn_broker_parse("{}", 2, &br), 0);
}
END_TEST

START_TEST(test_controller_and_state_round_trip)
{
	struct zbuf b;
	zb_init(&b);
	zn_controller_build(&b, 2, 1700000000000LL);
	ck_assert_str_eq(b.p, "{\"version\":1,\"brokerid\":2,\"timestamp\":\"1700000000000\"}");
	ck_assert_int_eq(zn_controller_parse(b.p, b.len), 2);
	zb_free(&b);
	struct zn_pstate s = { .leader = 1, .leader_epoch = 3, .controller_epoch = 5,
			       .n_isr = 3, .isr = { 1, 2, 3 } }, r;
	zn_pstate_build(&b, &s);
	ck_assert_ptr_nonnull(strstr(b.p, "\"isr\":[1,2,3]"));
	ck_assert_ptr_nonnull(strstr(b.p, "\"version\":1"));
	ck_assert_int_eq(zn_pstate_parse(b.p, b.len, &r), 0);
	ck_assert_int_eq(r.leader, 1);
	ck_assert_int_eq(r.leader_epoch, 3);
	ck_assert_int_eq(r.controller_epoch, 5);
	ck_assert_int_eq(r.n_isr, 3);
	zb_free(&b);
	const char *bad = "{\"leader\":\"x\",\"leader_epoch\":0,\"controller_epoch\":1,\"isr\":[]}";
	ck_assert_int_ne(zn_pstate_parse(bad, strlen(bad), &r), 0);
}
END_TEST

START_TEST(test_topic_assignment_json)
{
	struct zn_assign a[3] = { { .partition = 0, .n_replicas = 2, .replicas = { 1, 2 } },
				  { .partition = 1, .n_replicas = 2, .replicas = { 2, 1 } } },
			 r[4];
	struct zbuf b;
	zb_init(&b);
	zn_topic_build(&b, a, 2);
	ck_assert_str_eq(b.p, "{\"version\":2,\"partitions\":{\"0\":[1,2],\"1\":[2,1]},"
			 "\"adding_replicas\":{},\"removing_replicas\":{}}");
	ck_assert_int_eq(zn_topic_parse(b.p, b.len, r, 4), 2);
	ck_assert_int_eq(r[1].replicas[0], 2);
	zb_free(&b);
	const char *v1 = "{\"version\":1,\"partitions\":{\"1\":[3],\"0\":[1]}}";
	ck_assert_int_eq(zn_topic_parse(v1, strlen(v1), r, 4), 2);
	ck_assert_int_eq(r[0].replicas[0], 1);
	ck_assert_int_eq(r[1].replicas[0], 3);
	const char *gap = "{\"version\":1,\"partitions\":{\"0\":[1],\"2\":[1]}}";
	ck_assert_int_lt(zn_topic_parse(gap, strlen(gap), r, 4), 0);
	const char *dup = "{\"version\":1,\"partitions\":{\"0\":[1],\"0\":[1]}}";
	ck_assert_int_lt(zn_topic_parse(dup, strlen(dup), r, 4), 0);
	const char *empty = "{\"version\":1,\"partitions\":{\"0\":[]}}";
	ck_assert_int_lt(zn_topic_parse(empty, strlen(empty), r, 4), 0);
	ck_assert_int_lt(zn_topic_parse(v1, strlen(v1), r, 1), 0);
}
END_TEST

START_TEST(test_topic_json_reassignment_maps)
{
	struct zn_assign a[2] = {
		{ .partition = 0, .n_replicas = 3, .replicas = { 2, 3, 1 },
		  .n_adding = 1, .adding = { 3 }, .n_removing = 1, .removing = { 1 } },
		{ .partition = 1, .n_replicas = 1, .replicas = { 2 } } }, r[4];
	struct zbuf b;
	zb_init(&b);
	zn_topic_build(&b, a, 2);
	ck_assert_str_eq(b.p, "{\"version\":2,\"partitions\":{\"0\":[2,3,1],\"1\":[2]},"
			 "\"adding_replicas\":{\"0\":[3]},\"removing_replicas\":{\"0\":[1]}}");
	ck_assert_int_eq(zn_topic_parse(b.p, b.len, r, 4), 2);
	ck_assert_int_eq(r[0].n_adding, 1);
	ck_assert_int_eq(r[0].adding[0], 3);
	ck_assert_int_eq(r[0].n_removing, 1);
	ck_assert_int_eq(r[0].removing[0], 1);
	ck_assert_int_eq(r[1].n_adding + r[1].n_removing, 0);
	zb_free(&b);
	/* a map entry must name a partition and a subset of its replicas */
	const char *stray = "{\"version\":2,\"partitions\":{\"0\":[1]},"
			    "\"adding_replicas\":{\"0\":[4]},\"removing_replicas\":{}}";
	ck_assert_int_lt(zn_topic_parse(stray, strlen(stray), r, 4), 0);
	const char *nopart = "{\"version\":2,\"partitions\":{\"0\":[1]},"
			     "\"adding_replicas\":{\"5\":[1]}}";
	ck_assert_int_lt(zn_topic_parse(nopart, strlen(nopart), r, 4), 0);
	const char *nul = "{\"version\":2,\"partitions\":{\"0\":[1]},"
			  "\"adding_replicas\":null}";
	ck_assert_int_eq(zn_topic_parse(nul, strlen(nul), r, 4), 1);
}
END_TEST

START_TEST(test_config_and_cluster_id)
{
	const char *k[] = { "retention.ms" }, *v[] = { "86400000" };
	struct zbuf b;
	char id[23], back[32];
	zb_init(&b);
	zn_config_build(&b, k, v, 1);
	ck_assert_str_eq(b.p, "{\"version\":1,\"config\":{\"retention.ms\":\"86400000\"}}");
	zb_free(&b);
	ck_assert_int_eq(zn_cluster_id_generate(id), 0);
	ck_assert_int_eq(strlen(id), 22);
	ck_assert_uint_eq(strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"), 22);
	zn_cluster_id_build(&b, id);
	ck_assert_ptr_nonnull(strstr(b.p, "\"version\":\"1\""));
	ck_assert_int_eq(zn_cluster_id_parse(b.p, b.len, back), 0);
	ck_assert_str_eq(back, id);
	zb_free(&b);
}
END_TEST

START_TEST(test_assignment_matches_kafka)
{
	/* AdminUtilsTest.testReplicaAssignment: 5 brokers, 10 partitions, rf 3,
	 * fixed start index 0 */
	static const int32_t expect[10][3] = {
		{ 0, 1, 2 }, { 1, 2, 3 }, { 2, 3, 4 }, { 3, 4, 0 }, { 4, 0, 1 },
		{ 0, 2, 3 }, { 1, 3, 4 }, { 2, 4, 0 }, { 3, 0, 1 }, { 4, 1, 2 } };
	int32_t brokers[5] = { 0, 1, 2, 3, 4 };
	struct zn_assign out[10];
	ck_assert_int_eq(assign_replicas(brokers, 5, 10, 3, 0, 0, 0, out), 0);
	for (int p = 0; p < 10; p++) {
		ck_assert_int_eq(out[p].partition, p);
		for (int r = 0; r < 3; r++)
			ck_assert_int_eq(out[p].replicas[r], expect[p][r]);
	}
	ck_assert_int_ne(assign_replicas(brokers, 5, 1, 6, 0, 0, 0, out), 0);
	ck_assert_int_ne(assign_replicas(brokers, 0, 1, 1, 0, 0, 0, out), 0);
}
END_TEST

START_TEST(test_assignment_spreads_leaders_and_never_repeats)
{
	int32_t brokers[3] = { 1, 2, 3 };
	struct zn_assign out[6];
	ck_assert_int_eq(assign_replicas(brokers, 3, 6, 3, 0, 1, 2, out), 0);
	int leaders[4] = { 0 };
	for (int p = 0; p < 6; p++) {
		leaders[out[p].replicas[0]]++;
		ck_assert_int_ne(out[p].replicas[0], out[p].replicas[1]);
		ck_assert_int_ne(out[p].replicas[1], out[p].replicas[2]);
		ck_assert_int_ne(out[p].replicas[0], out[p].replicas[2]);
	}
	ck_assert_int_eq(leaders[1], 2);
	ck_assert_int_eq(leaders[2], 2);
	ck_assert_int_eq(leaders[3], 2);
	/* added partitions continue the layout at first_partition */
	ck_assert_int_eq(assign_replicas(brokers, 3, 1, 1, 4, 0, 0, out), 0);
	ck_assert_int_eq(out[0].partition, 4);
	ck_assert_int_eq(out[0].replicas[0], 2);
}
END_TEST

START_TEST(test_topic_names_follow_kafka_rules)
{
	char long_name[251];
	memset(long_name, 'a', 250);
	long_name[250] = 0;
	ck_assert(zn_topic_name_valid("orders-v1.eu_west"));
	ck_assert(!zn_topic_name_valid(""));
	ck_assert(!zn_topic_name_valid("."));
	ck_assert(!zn_topic_name_valid(".."));
	ck_assert(!zn_topic_name_valid("a/b"));
	ck_assert(!zn_topic_name_valid("a b"));
	ck_assert(!zn_topic_name_valid(long_name));
	long_name[249] = 0;
	ck_assert(zn_topic_name_valid(long_name));
}
END_TEST

static struct zn_pstate st_of(int32_t leader, int32_t epoch, int n, const int32_t *isr)
{
	struct zn_pstate s = { .leader = leader, .leader_epoch = epoch, .n_isr = n };
	memcpy(s.isr, isr, sizeof *isr * (size_t)n);
	return s;
}

static const int32_t rep123[] = { 1, 2, 3 };

START_TEST(test_elect_offline_prefers_assignment_order_in_isr)
{
	static const int32_t live[] = { 2, 3 }, isr[] = { 3, 2, 1 };
	struct elect_brokers b = { live, 2, NULL, 0 };
	struct zn_pstate cur = st_of(1, 4, 3, isr), out;
	ck_assert_int_eq(elect_offline(&b, rep123, 3, &cur, 0, &out), ELECT_WRITE);
	ck_assert_int_eq(out.leader, 2);
	ck_assert_int_eq(out.leader_epoch, 5);
	ck_assert_int_eq(out.n_isr, 2);
	ck_assert_int_eq(out.isr[0], 3);
	ck_assert_int_eq(out.isr[1], 2);
	/* a shutting-down broker is neither elected nor kept in the ISR */
	static const int32_t shut[] = { 2 };
	b.shutting = shut;
	b.n_shutting = 1;
	ck_assert_int_eq(elect_offline(&b, rep123, 3, &cur, 0, &out), ELECT_WRITE);
	ck_assert_int_eq(out.leader, 3);
	ck_assert_int_eq(out.n_isr, 1);
}
END_TEST

START_TEST(test_elect_offline_unclean_on_and_off)
{
	static const int32_t live[] = { 3 }, isr[] = { 1, 2 };
	struct elect_brokers b = { live, 1, NULL, 0 };
	struct zn_pstate cur = st_of(1, 2, 2, isr), out;
	/* clean only: leader -1, ISR keeps one (the old leader), epoch+1 */
	ck_assert_int_eq(elect_offline(&b, rep123, 3, &cur, 0, &out), ELECT_WRITE);
	ck_assert_int_eq(out.leader, -1);
	ck_assert_int_eq(out.n_isr, 1);
	ck_assert_int_eq(out.isr[0], 1);
	ck_assert_int_eq(out.leader_epoch, 3);
	/* the same decision again changes nothing */
	struct zn_pstate again;
	ck_assert_int_eq(elect_offline(&b, rep123, 3, &out, 0, &again), ELECT_KEEP);
	/* unclean: first live replica, ISR [leader] */
	ck_assert_int_eq(elect_offline(&b, rep123, 3, &cur, 1, &out), ELECT_WRITE_UNCLEAN);
	ck_assert_int_eq(out.leader, 3);
	ck_assert_int_eq(out.n_isr, 1);
	ck_assert_int_eq(out.isr[0], 3);
	/* nobody live: stays offline even with unclean on */
	b.n_live = 0;
	ck_assert_int_eq(elect_offline(&b, rep123, 3, &cur, 1, &out), ELECT_WRITE);
	ck_assert_int_eq(out.leader, -1);
	ck_assert_int_gt(out.n_isr, 0);
}
END_TEST

START_TEST(test_elect_new_and_shrink)
{
	static const int32_t live[] = { 3, 1 }, shut[] = { 1 };
	struct elect_brokers b = { live, 2, shut, 1 };
	struct zn_pstate out;
	ck_assert_int_eq(elect_new(&b, rep123, 3, &out), ELECT_WRITE);
	ck_assert_int_eq(out.leader, 3);
	ck_assert_int_eq(out.leader_epoch, 0);
	ck_assert_int_eq(out.n_isr, 1);
	b.n_live = 0;
	ck_assert_int_eq(elect_new(&b, rep123, 3, &out), ELECT_KEEP);
	b.n_live = 2;
	static const int32_t isr[] = { 3, 2, 1 };
	struct zn_pstate cur = st_of(3, 0, 3, isr);
	ck_assert_int_eq(elect_shrink_dead(&b, &cur, &out), ELECT_WRITE);
	ck_assert_int_eq(out.n_isr, 2); /* 2 dead; shutting-down 1 stays */
	ck_assert_int_eq(out.leader_epoch, 1);
	ck_assert_int_eq(elect_shrink_dead(&b, &out, &cur), ELECT_KEEP);
}
END_TEST

START_TEST(test_elect_preferred_needs_live_in_sync_first_replica)
{
	static const int32_t live[] = { 1, 2, 3 }, isr[] = { 2, 3 }, isr_all[] = { 2, 3, 1 };
	struct elect_brokers b = { live, 3, NULL, 0 };
	struct zn_pstate cur = st_of(2, 7, 2, isr), out;
	ck_assert_int_eq(elect_preferred(&b, rep123, 3, &cur, &out), ELECT_KEEP);
	cur = st_of(2, 7, 3, isr_all);
	ck_assert_int_eq(elect_preferred(&b, rep123, 3, &cur, &out), ELECT_WRITE);
	ck_assert_int_eq(out.leader, 1);
	ck_assert_int_eq(out.leader_epoch, 8);
	ck_assert_int_eq(out.n_isr, 3);
	static const int32_t shut[] = { 1 };
	b.shutting = shut;
	b.n_shutting = 1;
	ck_assert_int_eq(elect_preferred(&b, rep123, 3, &cur, &out), ELECT_KEEP);
}
END_TEST

START_TEST(test_elect_controlled_shutdown)
{
	static const int32_t live[] = { 1, 2, 3 }, shut[] = { 1 }, isr[] = { 1, 3, 2 };
	struct elect_brokers b = { live, 3, shut, 1 };
	struct zn_pstate cur = st_of(1, 0, 3, isr), out;
	int follower;
	ck_assert_int_eq(elect_shutdown(&b, 1, rep123, 3, &cur, &out, &follower), ELECT_WRITE);
	ck_assert_int_eq(follower, 0);
	ck_assert_int_eq(out.leader, 2);   /* assignment order, not ISR order */
	ck_assert_int_eq(out.leader_epoch, 1);
	ck_assert_int_eq(out.n_isr, 2);
	/* follower: leaves the ISR, leader unchanged */
	cur = st_of(3, 4, 3, isr);
	ck_assert_int_eq(elect_shutdown(&b, 1, rep123, 3, &cur, &out, &follower), ELECT_WRITE);
	ck_assert_int_eq(follower, 1);
	ck_assert_int_eq(out.leader, 3);
	ck_assert_int_eq(out.n_isr, 2);
	ck_assert_int_eq(out.leader_epoch, 5);
	/* sole ISR member or single replica: nothing moves */
	static const int32_t only1[] = { 1 };
	cur = st_of(1, 0, 1, only1);
	ck_assert_int_eq(elect_shutdown(&b, 1, rep123, 3, &cur, &out, &follower), ELECT_KEEP);
	ck_assert_int_eq(elect_shutdown(&b, 1, only1, 1, &cur, &out, &follower), ELECT_KEEP);
}
END_TEST

START_TEST(test_reassign_sets_as_kafka)
{
	static const int32_t ors[] = { 1, 2 }, trs[] = { 2, 3 }, same[] = { 2, 1 };
	struct reassign_sets s;
	ck_assert_int_eq(elect_reassign_sets(ors, 2, trs, 2, &s), 0);
	/* (target ++ origin).distinct */
	ck_assert_int_eq(s.n_rs, 3);
	ck_assert_int_eq(s.rs[0], 2);
	ck_assert_int_eq(s.rs[1], 3);
	ck_assert_int_eq(s.rs[2], 1);
	ck_assert_int_eq(s.n_adding, 1);
	ck_assert_int_eq(s.adding[0], 3);
	ck_assert_int_eq(s.n_removing, 1);
	ck_assert_int_eq(s.removing[0], 1);
	ck_assert_int_eq(elect_reassign_sets(ors, 2, same, 2, &s), 0);
	ck_assert_int_eq(s.n_rs, 2);
	ck_assert_int_eq(s.rs[0], 2);
	ck_assert_int_eq(s.n_adding + s.n_removing, 0);
	int32_t big[ZN_MAX_REPLICAS], other[ZN_MAX_REPLICAS];
	for (int k = 0; k < ZN_MAX_REPLICAS; k++) {
		big[k] = k;
		other[k] = 100 + k;
	}
	ck_assert_int_lt(elect_reassign_sets(big, ZN_MAX_REPLICAS, other, 1, &s), 0);
}
END_TEST

START_TEST(test_elect_reassign_finish)
{
	static const int32_t live[] = { 1, 2, 3 }, shut[] = { 2 }, trs[] = { 2, 3 };
	struct elect_brokers b = { live, 3, NULL, 0 };
	struct zn_pstate cur = { .leader = 1, .leader_epoch = 4, .n_isr = 3,
				 .isr = { 1, 2, 3 } }, out;
	ck_assert_int_eq(elect_reassign_finish(&b, trs, 2, &cur, &out), ELECT_WRITE);
	ck_assert_int_eq(out.leader, 2);
	ck_assert_int_eq(out.leader_epoch, 5);
	ck_assert_int_eq(out.n_isr, 2);
	ck_assert_int_eq(out.isr[0], 2);
	ck_assert_int_eq(out.isr[1], 3);
	/* a target leader stays; the epoch still moves */
	cur.leader = 3;
	ck_assert_int_eq(elect_reassign_finish(&b, trs, 2, &cur, &out), ELECT_WRITE);
	ck_assert_int_eq(out.leader, 3);
	ck_assert_int_eq(out.leader_epoch, 5);
	/* shutting-down 2 is skipped; 3 out of the ISR: nobody qualifies */
	struct elect_brokers bs = { live, 3, shut, 1 };
	cur.leader = 1;
	cur.n_isr = 2;
	ck_assert_int_eq(elect_reassign_finish(&bs, trs, 2, &cur, &out), ELECT_KEEP);
	ck_assert_int_eq(out.leader, 1);
	ck_assert_int_eq(out.leader_epoch, 4);
}
END_TEST

START_TEST(test_tp_list_and_config_get)
{
	struct zn_tp v[2] = { { "a.b", 3, -1, { 0 } }, { "x\"y", 0, 2, { 5, 6 } } };
	struct zbuf b;
	zb_init(&b);
	zn_tp_list_build(&b, v, 2);
	ck_assert_str_eq(b.p, "{\"version\":1,\"partitions\":[{\"topic\":\"a.b\",\"partition\":3},"
			 "{\"topic\":\"x\\\"y\",\"partition\":0,\"replicas\":[5,6]}]}");
	struct zn_tp out[2];
	ck_assert_int_eq(zn_tp_list_parse(b.p, b.len, out, 2), 2);
	ck_assert_str_eq(out[1].topic, "x\"y");
	ck_assert_int_eq(out[0].partition, 3);
	ck_assert_int_eq(out[0].n_replicas, -1);
	ck_assert_int_eq(out[1].n_replicas, 2);
	ck_assert_int_eq(zn_tp_list_parse(b.p, b.len, out, 1), -EINVAL);
	zb_free(&b);
	const char *bad[] = { "{\"partitions\":[{\"topic\":1,\"partition\":0}]}",
			      "{\"partitions\":[{\"topic\":\"t\",\"partition\":-1}]}",
			      "{\"partitions\":{}}", "[]", "{" };
	for (size_t k = 0; k < sizeof bad / sizeof *bad; k++)
		ck_assert_int_eq(zn_tp_list_parse(bad[k], strlen(bad[k]), out, 2), -EINVAL);
	const char *cfg = "{\"version\":1,\"config\":{\"unclean.leader.election.enable\":\"true\"}}";
	char val[8];
	ck_assert_int_eq(zn_config_get(cfg, strlen(cfg), "unclean.leader.election.enable",
				       val, sizeof val), 0);
	ck_assert_str_eq(val, "true");
	ck_assert_int_eq(zn_config_get(cfg, strlen(cfg), "retention.ms", val, sizeof val),
			 -ENOENT);
}
END_TEST

/* zookeeper.set.acl: Kafka's ACL per path (creator-all + world-read;
 * /config/users and /delegation_token subtrees creator-only). */
START_TEST(test_znode_acl_per_path)
{
	struct ACL_vector *open = zk_acl_for(0, "/config/users");
	ck_assert_int_eq(open->count, 1);
	ck_assert_str_eq(open->data[0].id.scheme, "world");
	ck_assert_int_eq(open->data[0].perms, 0x1f);
	struct ACL_vector *v = zk_acl_for(1, "/brokers/topics/t");
	ck_assert_int_eq(v->count, 2);
	ck_assert_str_eq(v->data[0].id.scheme, "auth");
	ck_assert_int_eq(v->data[0].perms, 0x1f);
	ck_assert_str_eq(v->data[1].id.scheme, "world");
	ck_assert_int_eq(v->data[1].perms, 1); /* READ only */
	static const char *const sensitive[] = { "/config/users", "/config/users/alice",
						 "/delegation_token", "/delegation_token/x/y" };
	for (size_t i = 0; i < sizeof sensitive / sizeof *sensitive; i++) {
		ck_assert_msg(zk_path_sensitive(sensitive[i]), "%s", sensitive[i]);
		v = zk_acl_for(1, sensitive[i]);
		ck_assert_int_eq(v->count, 1);
		ck_assert_str_eq(v->data[0].id.scheme, "auth");
	}
	static const char *const plain[] = { "/config", "/config/usersX", "/config/topics/users",
					     "/", "/delegation_tokens" };
	for (size_t i = 0; i < sizeof plain / sizeof *plain; i++)
		ck_assert_msg(!zk_path_sensitive(plain[i]), "%s", plain[i]);
}
END_TEST

/* Only names /etc/hosts knows or numeric ones: no DNS in a unit test. */
START_TEST(test_zk_connect_resolved_to_addresses)
{
	char out[512];
	ck_assert_int_eq(zk_resolve_connect("127.0.0.1:2181,10.1.2.3:2182", NULL, out, sizeof out), 2);
	ck_assert_str_eq(out, "127.0.0.1:2181,10.1.2.3:2182");
	/* localhost may also be ::1: only IPv4 addresses are kept */
	ck_assert_int_eq(zk_resolve_connect("localhost:2181", "/kafka", out, sizeof out), 1);
	ck_assert_ptr_nonnull(strstr(out, "127.0.0.1:2181"));
	ck_assert_ptr_null(strchr(out, '['));
	ck_assert_str_eq(out + strlen(out) - strlen("/kafka"), "/kafka");
	/* an empty entry is skipped, a missing port is an error */
	ck_assert_int_eq(zk_resolve_connect("127.0.0.1:1,,127.0.0.2:2", NULL, out, sizeof out), 2);
	ck_assert_str_eq(out, "127.0.0.1:1,127.0.0.2:2");
	ck_assert_int_eq(zk_resolve_connect("127.0.0.1", NULL, out, sizeof out), -1);
	ck_assert_int_eq(zk_resolve_connect("127.0.0.1:", NULL, out, sizeof out), -1);
	/* too small for the result */
	ck_assert_int_eq(zk_resolve_connect("127.0.0.1:2181", "/chroot", out, 12), -1);
	ck_assert_int_eq(zk_resolve_connect("127.0.0.1:2181,127.0.0.2:2181", NULL, out, 20), -1);
}
END_TEST

static Suite *coord_suite(void)
{
	Suite *s = suite_create("coord");
	TCase *tc = tcase_create("pure");
	tcase_add_test(tc, test_zjson_reads_nested_values);
	tcase_add_test(tc, test_znode_acl_per_path);
	tcase_add_test(tc, test_zjson_rejects_malformed_input);
	tcase_add_test(tc, test_zjson_accessors_check_range_and_type);
	tcase_add_test(tc, test_broker_registration_is_kafka_v5);
	tcase_add_test(tc, test_broker_registration_without_plaintext_has_null_host);
	tcase_add_test(tc, test_old_broker_registration_parses);
	tcase_add_test(tc, test_controller_and_state_round_trip);
	tcase_add_test(tc, test_topic_assignment_json);
	tcase_add_test(tc, test_config_and_cluster_id);
	tcase_add_test(tc, test_assignment_matches_kafka);
	tcase_add_test(tc, test_assignment_spreads_leaders_and_never_repeats);
	tcase_add_test(tc, test_topic_names_follow_kafka_rules);
	tcase_add_test(tc, test_elect_offline_prefers_assignment_order_in_isr);
	tcase_add_test(tc, test_elect_offline_unclean_on_and_off);
	tcase_add_test(tc, test_elect_new_and_shrink);
	tcase_add_test(tc, test_elect_preferred_needs_live_in_sync_first_replica);
	tcase_add_test(tc, test_elect_controlled_shutdown);
	tcase_add_test(tc, test_tp_list_and_config_get);
	tcase_add_test(tc, test_topic_json_reassignment_maps);
	tcase_add_test(tc, test_reassign_sets_as_kafka);
	tcase_add_test(tc, test_elect_reassign_finish);
	tcase_add_test(tc, test_zk_connect_resolved_to_addresses);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(coord_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
