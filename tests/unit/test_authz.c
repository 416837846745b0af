/* Kafka's authorization decision (broker/auth/acl_cache.c): literal,
 * prefixed and wildcard resources, DENY wins, implied operations, the
 * User:* principal, host matching, super users and
 * allow.everyone.if.no.acl.found. Pure: no broker, no ZooKeeper. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker/auth/acl_cache.h"

#define ALICE "User:alice"
#define BOB "User:bob"
#define HOST "127.0.0.1"

/* Adds one ACL to a growing array (the cache takes ownership later). */
static void add(struct acl_binding **v, int *n, int8_t rt, int8_t pt, const char *name,
		const char *principal, const char *host, int8_t op, int8_t perm)
{
	*v = realloc(*v, ((size_t)*n + 1) * sizeof **v);
	ck_assert_ptr_nonnull(*v);
	(*v)[(*n)++] = (struct acl_binding){ rt, pt, op, perm, strdup(name), strdup(principal),
					     strdup(host) };
}

static struct acl_cache cache;
static struct acl_binding *acls;
static int nacls;

static void setup(void)
{
	ck_assert_int_eq(acl_cache_init(&cache, " User:admin ; User:broker", 0), 0);
	acls = NULL;
	nacls = 0;
}

static void teardown(void)
{
	acl_cache_free(&cache);
}

static void load(void)
{
	acl_cache_replace(&cache, acls, nacls);
	acls = NULL;
	nacls = 0;
}

static int topic(const char *principal, const char *host, int8_t op, const char *name)
{
	return acl_cache_allows(&cache, principal, host, op, ACL_RES_TOPIC, name, strlen(name));
}

START_TEST(test_literal)
{
	add(&acls, &nacls, ACL_RES_TOPIC, ACL_PAT_LITERAL, "orders", ALICE, "*", ACL_OP_READ,
	    ACL_PERM_ALLOW);
	load();
	ck_assert(topic(ALICE, HOST, ACL_OP_READ, "orders"));
	ck_assert(!topic(ALICE, HOST, ACL_OP_WRITE, "orders"));
	ck_assert(!topic(BOB, HOST, ACL_OP_READ, "orders"));
	ck_assert(!topic(ALICE, HOST, ACL_OP_READ, "orders2")); /* no ACL, no allow.everyone */
	ck_assert(!topic(ALICE, HOST, ACL_OP_READ, "order"));
	/* the same name as a group is another resource */
	ck_assert(!acl_cache_allows(&cache, ALICE, HOST, ACL_OP_READ, ACL_RES_GROUP, "orders", 6));
	/* not NUL-terminated names compare by length */
	ck_assert(acl_cache_allows(&cache, ALICE, HOST, ACL_OP_READ, ACL_RES_TOPIC, "ordersXYZ", 6));
}
END_TEST

START_TEST(test_prefixed)
{
	add(&acls, &nacls, ACL_RES_TOPIC, ACL_PAT_PREFIXED, "pay-", ALICE, "*", ACL_OP_WRITE,
	    ACL_PERM_ALLOW);
	load();
	ck_assert(topic(ALICE, HOST, ACL_OP_WRITE, "pay-eu"));
	ck_assert(topic(ALICE, HOST, ACL_OP_WRITE, "pay-"));
	ck_assert(!topic(ALICE, HOST, ACL_OP_WRITE, "pay"));
	ck_assert(!topic(ALICE, HOST, ACL_OP_WRITE, "xpay-eu"));
}
END_TEST

START_TEST(test_wildcard_resource_and_principal)
{
	add(&acls, &nacls, ACL_RES_TOPIC, ACL_PAT_LITERAL, "*", ALICE, "*", ACL_OP_READ,
	    ACL_PERM_ALLOW);
	add(&acls, &nacls, ACL_RES_GROUP, ACL_PAT_LITERAL, "g", "User:*", "*", ACL_OP_READ,
	    ACL_PERM_ALLOW);
	load();
	ck_assert(topic(ALICE, HOST, ACL_OP_READ, "anything"));
	ck_assert(!topic(BOB, HOST, ACL_OP_READ, "anything"));
	ck_assert(acl_cache_allows(&cache, BOB, HOST, ACL_OP_READ, ACL_RES_GROUP, "g", 1));
	/* User:* is a principal pattern only as the ACL's, not the asker's */
	ck_assert(!topic("User:*", HOST, ACL_OP_READ, "x"));
}
END_TEST

START_TEST(test_deny_wins)
{
	add(&acls, &nacls, ACL_RES_TOPIC, ACL_PAT_LITERAL, "*", "User:*", "*", ACL_OP_ALL,
	    ACL_PERM_ALLOW);
	add(&acls, &nacls, ACL_RES_TOPIC, ACL_PAT_PREFIXED, "secret", ALICE, "*", ACL_OP_READ,
	    ACL_PERM_DENY);
	add(&acls, &nacls, ACL_RES_TOPIC, ACL_PAT_LITERAL, "locked", BOB, "*", ACL_OP_ALL,
	    ACL_PERM_DENY);
	load();
	ck_assert(!topic(ALICE, HOST, ACL_OP_READ, "secret-1"));
	ck_assert(topic(ALICE, HOST, ACL_OP_WRITE, "secret-1")); /* only READ denied */
	ck_assert(topic(BOB, HOST, ACL_OP_READ, "secret-1"));
	/* DENY ALL denies every operation, DESCRIBE included */
	ck_assert(!topic(BOB, HOST, ACL_OP_DESCRIBE, "locked"));
	ck_assert(!topic(BOB, HOST, ACL_OP_WRITE, "locked"));
	ck_assert(topic(ALICE, HOST, ACL_OP_WRITE, "locked"));
	/* a DENY READ does not deny DESCRIBE (denials are not implied) */
	ck_assert(topic(ALICE, HOST, ACL_OP_DESCRIBE, "secret-1"));
}
END_TEST

START_TEST(test_implied_operations)
{
	static const int8_t implies_describe[] = { ACL_OP_READ, ACL_OP_WRITE, ACL_OP_DELETE,
						   ACL_OP_ALTER };
	for (size_t i = 0; i < sizeof implies_describe; i++) {
		char name[16];
		snprintf(name, sizeof name, "t%zu", i);
		add(&acls, &nacls, ACL_RES_TOPIC, ACL_PAT_LITERAL, name, ALICE, "*",
		    implies_describe[i], ACL_PERM_ALLOW);
	}
	add(&acls, &nacls, ACL_RES_TOPIC, ACL_PAT_LITERAL, "cfg", ALICE, "*",
	    ACL_OP_ALTER_CONFIGS, ACL_PERM_ALLOW);
	add(&acls, &nacls, ACL_RES_TOPIC, ACL_PAT_LITERAL, "create", ALICE, "*",
	    ACL_OP_CREATE, ACL_PERM_ALLOW);
	add(&acls, &nacls, ACL_RES_TOPIC, ACL_PAT_LITERAL, "all", ALICE, "*", ACL_OP_ALL,
	    ACL_PERM_ALLOW);
	load();
	for (size_t i = 0; i < sizeof implies_describe; i++) {
		char name[16];
		snprintf(name, sizeof name, "t%zu", i);
		ck_assert_msg(topic(ALICE, HOST, ACL_OP_DESCRIBE, name), "%s", name);
		ck_assert(!topic(ALICE, HOST, ACL_OP_DESCRIBE_CONFIGS, name));
	}
	ck_assert(!topic(ALICE, HOST, ACL_OP_WRITE, "t0")); /* READ does not imply WRITE */
	ck_assert(topic(ALICE, HOST, ACL_OP_DESCRIBE_CONFIGS, "cfg"));
	ck_assert(!topic(ALICE, HOST, ACL_OP_DESCRIBE, "cfg"));
	ck_assert(!topic(ALICE, HOST, ACL_OP_DESCRIBE, "create")); /* CREATE does not */
	ck_assert(topic(ALICE, HOST, ACL_OP_DELETE, "all"));
	ck_assert(topic(ALICE, HOST, ACL_OP_IDEMPOTENT_WRITE, "all"));
}
END_TEST

START_TEST(test_host)
{
	add(&acls, &nacls, ACL_RES_CLUSTER, ACL_PAT_LITERAL, "kafka-cluster", "User:ANONYMOUS",
	    "127.0.0.1", ACL_OP_CLUSTER_ACTION, ACL_PERM_ALLOW);
	add(&acls, &nacls, ACL_RES_TOPIC, ACL_PAT_LITERAL, "t", ALICE, "*", ACL_OP_READ,
	    ACL_PERM_ALLOW);
	add(&acls, &nacls, ACL_RES_TOPIC, ACL_PAT_LITERAL, "t", ALICE, "10.0.0.9", ACL_OP_READ,
	    ACL_PERM_DENY);
	load();
	ck_assert(acl_cache_allows(&cache, "User:ANONYMOUS", "127.0.0.1", ACL_OP_CLUSTER_ACTION,
				   ACL_RES_CLUSTER, "kafka-cluster", 13));
	ck_assert(!acl_cache_allows(&cache, "User:ANONYMOUS", "127.0.0.2", ACL_OP_CLUSTER_ACTION,
				    ACL_RES_CLUSTER, "kafka-cluster", 13));
	ck_assert(topic(ALICE, "127.0.0.1", ACL_OP_READ, "t"));
	ck_assert(!topic(ALICE, "10.0.0.9", ACL_OP_READ, "t"));
}
END_TEST

START_TEST(test_super_users)
{
	add(&acls, &nacls, ACL_RES_TOPIC, ACL_PAT_LITERAL, "t", "User:admin", "*", ACL_OP_ALL,
	    ACL_PERM_DENY);
	load();
	ck_assert_int_eq(cache.n_super, 2);
	ck_assert(acl_cache_is_super(&cache, "User:broker"));
	ck_assert(!acl_cache_is_super(&cache, "User:brok"));
	/* super users pass even a DENY, as in Kafka */
	ck_assert(topic("User:admin", HOST, ACL_OP_WRITE, "t"));
	ck_assert(acl_cache_allows(&cache, "User:broker", HOST, ACL_OP_CLUSTER_ACTION,
				   ACL_RES_CLUSTER, "kafka-cluster", 13));
	ck_assert(!topic(ALICE, HOST, ACL_OP_WRITE, "t"));
}
END_TEST

START_TEST(test_allow_everyone_if_no_acl)
{
	acl_cache_free(&cache);
	ck_assert_int_eq(acl_cache_init(&cache, NULL, 1), 0);
	/* not loaded yet: everybody but super users is refused */
	ck_assert(!topic(ALICE, HOST, ACL_OP_READ, "free"));
	add(&acls, &nacls, ACL_RES_TOPIC, ACL_PAT_LITERAL, "guarded", BOB, "*", ACL_OP_READ,
	    ACL_PERM_ALLOW);
	load();
	ck_assert(topic(ALICE, HOST, ACL_OP_READ, "free"));
	ck_assert(topic(ALICE, HOST, ACL_OP_DELETE, "free"));
	/* any ACL on the resource, even another principal's, turns it off */
	ck_assert(!topic(ALICE, HOST, ACL_OP_READ, "guarded"));
	ck_assert(topic(BOB, HOST, ACL_OP_READ, "guarded"));
	/* a replaced store: guarded is free again */
	load();
	ck_assert(topic(ALICE, HOST, ACL_OP_READ, "guarded"));
}
END_TEST

START_TEST(test_long_names_and_types)
{
	char longname[600];
	memset(longname, 'g', sizeof longname - 1);
	longname[sizeof longname - 1] = 0;
	add(&acls, &nacls, ACL_RES_GROUP, ACL_PAT_LITERAL, longname, ALICE, "*", ACL_OP_READ,
	    ACL_PERM_ALLOW);
	add(&acls, &nacls, ACL_RES_TOPIC, ACL_PAT_LITERAL, "same", ALICE, "*", ACL_OP_READ,
	    ACL_PERM_ALLOW);
	load();
	ck_assert(acl_cache_allows(&cache, ALICE, HOST, ACL_OP_READ, ACL_RES_GROUP, longname,
				   strlen(longname)));
	ck_assert(!acl_cache_allows(&cache, ALICE, HOST, ACL_OP_READ, ACL_RES_GROUP, longname,
				    strlen(longname) - 1));
	/* the index keys on the type too: a group "same" has no ACL */
	ck_assert(!acl_cache_allows(&cache, ALICE, HOST, ACL_OP_READ, ACL_RES_GROUP, "same", 4));
	ck_assert(topic(ALICE, HOST, ACL_OP_READ, "same"));
}
END_TEST

/* A change notification replaces one resource pattern's ACLs, nothing else. */
START_TEST(test_replace_resource)
{
	add(&acls, &nacls, ACL_RES_TOPIC, ACL_PAT_LITERAL, "t", ALICE, "*", ACL_OP_READ,
	    ACL_PERM_ALLOW);
	add(&acls, &nacls, ACL_RES_TOPIC, ACL_PAT_PREFIXED, "t", BOB, "*", ACL_OP_READ,
	    ACL_PERM_ALLOW);
	add(&acls, &nacls, ACL_RES_GROUP, ACL_PAT_LITERAL, "t", ALICE, "*", ACL_OP_READ,
	    ACL_PERM_ALLOW);
	load();
	ck_assert(topic(ALICE, HOST, ACL_OP_READ, "t") && topic(BOB, HOST, ACL_OP_READ, "t"));
	/* literal topic "t" now: a DENY for alice only */
	add(&acls, &nacls, ACL_RES_TOPIC, ACL_PAT_LITERAL, "t", ALICE, "*", ACL_OP_READ,
	    ACL_PERM_DENY);
	ck_assert_int_eq(acl_cache_replace_resource(&cache, ACL_RES_TOPIC, ACL_PAT_LITERAL, "t",
						    acls, nacls), 0);
	acls = NULL;
	nacls = 0;
	ck_assert_int_eq(cache.n_acls, 3);
	ck_assert(!topic(ALICE, HOST, ACL_OP_READ, "t"));
	ck_assert(topic(BOB, HOST, ACL_OP_READ, "t")); /* the prefixed ACL stays */
	ck_assert(acl_cache_allows(&cache, ALICE, HOST, ACL_OP_READ, ACL_RES_GROUP, "t", 1));
	/* and gone: the prefixed one is all that is left for topic "t" */
	ck_assert_int_eq(acl_cache_replace_resource(&cache, ACL_RES_TOPIC, ACL_PAT_LITERAL, "t",
						    NULL, 0), 0);
	ck_assert_int_eq(cache.n_acls, 2);
	ck_assert(!topic(ALICE, HOST, ACL_OP_READ, "t"));
	ck_assert(topic(BOB, HOST, ACL_OP_READ, "t"));
	ck_assert_int_eq(acl_cache_replace_resource(&cache, ACL_RES_TOPIC, ACL_PAT_PREFIXED, "t",
						    NULL, 0), 0);
	ck_assert_int_eq(cache.n_acls, 1);
	ck_assert(!topic(BOB, HOST, ACL_OP_READ, "t")); /* no ACL, no allow.everyone */
}
END_TEST

static unsigned rnd(unsigned *seed, unsigned n)
{
	*seed = *seed * 1103515245u + 12345u;
	return (*seed >> 16) % n;
}

/* The indexed decision equals a scan of every ACL (the path an incomplete
 * index takes) over random stores and questions. */
START_TEST(test_index_matches_scan)
{
	static const char *const names[] = { "a", "ab", "abc", "b", "*", "" };
	static const char *const principals[] = { ALICE, BOB, "User:*" };
	static const char *const hosts[] = { "*", HOST, "10.0.0.1" };
	unsigned seed = 12345;
#define RND(n) rnd(&seed, n)
	for (int round = 0; round < 200; round++) {
		acl_cache_free(&cache);
		ck_assert_int_eq(acl_cache_init(&cache, NULL, (int)RND(2)), 0);
		int n = (int)RND(12);
		for (int i = 0; i < n; i++) {
			const char *name = names[RND(5)];
			add(&acls, &nacls, (int8_t)(ACL_RES_TOPIC + RND(2)),
			    RND(3) ? ACL_PAT_LITERAL : ACL_PAT_PREFIXED, name,
			    principals[RND(3)], hosts[RND(2)], (int8_t)(ACL_OP_ALL + RND(10)),
			    RND(3) ? ACL_PERM_ALLOW : ACL_PERM_DENY);
		}
		load();
		for (int q = 0; q < 50; q++) {
			int8_t rt = (int8_t)(ACL_RES_TOPIC + RND(2)), op = (int8_t)(ACL_OP_READ + RND(9));
			const char *name = names[RND(6)], *pr = principals[RND(2)], *h = hosts[1 + RND(2)];
			int fast = acl_cache_allows(&cache, pr, h, op, rt, name, strlen(name));
			cache.oom = 1;
			int slow = acl_cache_allows(&cache, pr, h, op, rt, name, strlen(name));
			cache.oom = 0;
			ck_assert_msg(fast == slow, "round %d query %d: %d vs %d", round, q, fast, slow);
		}
	}
#undef RND
}
END_TEST

static Suite *authz_suite(void)
{
	Suite *s = suite_create("authz");
	TCase *tc = tcase_create("decide");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_literal);
	tcase_add_test(tc, test_prefixed);
	tcase_add_test(tc, test_wildcard_resource_and_principal);
	tcase_add_test(tc, test_deny_wins);
	tcase_add_test(tc, test_implied_operations);
	tcase_add_test(tc, test_host);
	tcase_add_test(tc, test_super_users);
	tcase_add_test(tc, test_allow_everyone_if_no_acl);
	tcase_add_test(tc, test_long_names_and_types);
	tcase_add_test(tc, test_index_matches_scan);
	tcase_add_test(tc, test_replace_resource);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(authz_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
