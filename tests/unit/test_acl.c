/* ACL filter matching and validation (coord/acl.c), the rules of Kafka's
 * ResourcePatternFilter / AccessControlEntryFilter / AuthorizerUtils. Pure
 * functions: no ZooKeeper. */
#include <check.h>
#include <stdlib.h>

#include "common/proto/kerr.h"
#include "coord/acl.h"

static struct acl_binding bind(int8_t rt, const char *name, int8_t pt)
{
	return (struct acl_binding){ rt, pt, ACL_OP_READ, ACL_PERM_ALLOW, name,
				     "User:alice", "*" };
}

static struct acl_filter any_filter(void)
{
	return (struct acl_filter){ ACL_RES_ANY, ACL_PAT_ANY, ACL_OP_ANY, ACL_PERM_ANY,
				    NULL, NULL, NULL };
}

START_TEST(test_any_filter_matches_everything)
{
	struct acl_filter f = any_filter();
	struct acl_binding b = bind(ACL_RES_GROUP, "g", ACL_PAT_PREFIXED);
	ck_assert(acl_filter_matches(&f, &b));
}
END_TEST

START_TEST(test_literal_filter_needs_exact_pattern)
{
	struct acl_filter f = any_filter();
	f.resource_type = ACL_RES_TOPIC;
	f.pattern_type = ACL_PAT_LITERAL;
	f.resource_name = "orders";
	struct acl_binding lit = bind(ACL_RES_TOPIC, "orders", ACL_PAT_LITERAL);
	struct acl_binding wild = bind(ACL_RES_TOPIC, "*", ACL_PAT_LITERAL);
	struct acl_binding pre = bind(ACL_RES_TOPIC, "ord", ACL_PAT_PREFIXED);
	struct acl_binding grp = bind(ACL_RES_GROUP, "orders", ACL_PAT_LITERAL);
	ck_assert(acl_filter_matches(&f, &lit));
	ck_assert(!acl_filter_matches(&f, &wild));
	ck_assert(!acl_filter_matches(&f, &pre));
	ck_assert(!acl_filter_matches(&f, &grp));
}
END_TEST

START_TEST(test_any_pattern_with_name_is_exact_name)
{
	struct acl_filter f = any_filter();
	f.resource_name = "ord";
	struct acl_binding pre = bind(ACL_RES_TOPIC, "ord", ACL_PAT_PREFIXED);
	struct acl_binding lit = bind(ACL_RES_TOPIC, "orders", ACL_PAT_LITERAL);
	ck_assert(acl_filter_matches(&f, &pre));
	ck_assert(!acl_filter_matches(&f, &lit));
}
END_TEST

START_TEST(test_match_finds_literal_wildcard_and_prefixes)
{
	struct acl_filter f = any_filter();
	f.resource_type = ACL_RES_TOPIC;
	f.pattern_type = ACL_PAT_MATCH;
	f.resource_name = "orders-eu";
	struct acl_binding yes[] = {
		bind(ACL_RES_TOPIC, "orders-eu", ACL_PAT_LITERAL),
		bind(ACL_RES_TOPIC, "*", ACL_PAT_LITERAL),
		bind(ACL_RES_TOPIC, "orders", ACL_PAT_PREFIXED),
		bind(ACL_RES_TOPIC, "orders-eu", ACL_PAT_PREFIXED),
	};
	struct acl_binding no[] = {
		bind(ACL_RES_TOPIC, "orders", ACL_PAT_LITERAL),
		bind(ACL_RES_TOPIC, "orders-eu-1", ACL_PAT_PREFIXED),
		bind(ACL_RES_TOPIC, "x", ACL_PAT_PREFIXED),
		bind(ACL_RES_GROUP, "*", ACL_PAT_LITERAL),
	};
	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
		ck_assert_msg(acl_filter_matches(&f, &yes[i]), "yes[%zu]", i);
	for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
		ck_assert_msg(!acl_filter_matches(&f, &no[i]), "no[%zu]", i);
}
END_TEST

START_TEST(test_entry_filter_principal_host_operation_permission)
{
	struct acl_binding b = bind(ACL_RES_TOPIC, "t", ACL_PAT_LITERAL);
	struct acl_filter f = any_filter();
	f.principal = "User:bob";
	ck_assert(!acl_filter_matches(&f, &b));
	f.principal = "User:alice";
	f.host = "10.0.0.1";
	ck_assert(!acl_filter_matches(&f, &b));
	f.host = "*";
	f.operation = ACL_OP_WRITE;
	ck_assert(!acl_filter_matches(&f, &b));
	f.operation = ACL_OP_READ;
	f.permission = ACL_PERM_DENY;
	ck_assert(!acl_filter_matches(&f, &b));
	f.permission = ACL_PERM_ALLOW;
	ck_assert(acl_filter_matches(&f, &b));
	/* ALL in a filter means the operation ALL, not any operation */
	f.operation = ACL_OP_ALL;
	ck_assert(!acl_filter_matches(&f, &b));
}
END_TEST

START_TEST(test_binding_check_refuses_what_kafka_refuses)
{
	const char *why;
	struct acl_binding ok = bind(ACL_RES_TOPIC, "t", ACL_PAT_LITERAL);
	ck_assert_int_eq(acl_binding_check(&ok, &why), 0);
	struct acl_binding cl = bind(ACL_RES_CLUSTER, "kafka-cluster", ACL_PAT_LITERAL);
	ck_assert_int_eq(acl_binding_check(&cl, &why), 0);
	struct acl_binding bad[8];
	for (int i = 0; i < 8; i++)
		bad[i] = ok;
	bad[0].resource_type = ACL_RES_ANY;
	bad[1].pattern_type = ACL_PAT_MATCH;
	bad[2].operation = ACL_OP_ANY;
	bad[3].permission = ACL_PERM_UNKNOWN;
	bad[4].principal = "alice";
	bad[5].resource_name = "";
	bad[6] = bind(ACL_RES_CLUSTER, "other", ACL_PAT_LITERAL);
	bad[7].resource_name = "a/b";
	for (int i = 0; i < 8; i++) {
		ck_assert_msg(acl_binding_check(&bad[i], &why) == KERR_INVALID_REQUEST, "bad[%d]", i);
		ck_assert_ptr_nonnull(why);
	}
}
END_TEST

START_TEST(test_filter_check_refuses_unknown)
{
	const char *why;
	struct acl_filter f = any_filter();
	ck_assert_int_eq(acl_filter_check(&f, &why), 0);
	f.pattern_type = ACL_PAT_UNKNOWN;
	ck_assert_int_eq(acl_filter_check(&f, &why), KERR_INVALID_REQUEST);
	f = any_filter();
	f.operation = 99;
	ck_assert_int_eq(acl_filter_check(&f, &why), KERR_INVALID_REQUEST);
}
END_TEST

START_TEST(test_names_round_trip)
{
	for (int8_t op = ACL_OP_ALL; op <= ACL_OP_IDEMPOTENT_WRITE; op++)
		ck_assert_int_eq(acl_operation_parse(acl_operation_name(op)), op);
	ck_assert_str_eq(acl_operation_name(ACL_OP_CLUSTER_ACTION), "ClusterAction");
	ck_assert_str_eq(acl_resource_type_name(ACL_RES_TRANSACTIONAL_ID), "TransactionalId");
	ck_assert_int_eq(acl_permission_parse("allow"), ACL_PERM_ALLOW);
	ck_assert_int_eq(acl_operation_parse("Any"), 0);
	ck_assert_ptr_null(acl_operation_name(ACL_OP_ANY));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("acl");
	TCase *tc = tcase_create("acl");
	tcase_add_test(tc, test_any_filter_matches_everything);
	tcase_add_test(tc, test_literal_filter_needs_exact_pattern);
	tcase_add_test(tc, test_any_pattern_with_name_is_exact_name);
	tcase_add_test(tc, test_match_finds_literal_wildcard_and_prefixes);
	tcase_add_test(tc, test_entry_filter_principal_host_operation_permission);
	tcase_add_test(tc, test_binding_check_refuses_what_kafka_refuses);
	tcase_add_test(tc, test_filter_check_refuses_unknown);
	tcase_add_test(tc, test_names_round_trip);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
