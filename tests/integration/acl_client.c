/* ACL admin client for the acls integration test, over librdkafka's admin
 * API (the real client): "create" makes three ACLs plus one invalid one,
 * "describe" and "delete" take a filter and print one line per ACL:
 * TYPE NAME PATTERN PRINCIPAL HOST OPERATION PERMISSION [error].
 * Usage: acl_client BOOTSTRAP create
 *        acl_client BOOTSTRAP describe|delete RESTYPE NAME|- PATTERN PRINCIPAL|-
 * (RESTYPE ANY/TOPIC/GROUP..., PATTERN ANY/MATCH/LITERAL/PREFIXED). */
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define WAIT_MS 20000

static rd_kafka_t *client(const char *bootstrap)
{
	char err[512];
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	if (rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap, err, sizeof err) ||
	    rd_kafka_conf_set(conf, "broker.address.family", "v4", err, sizeof err)) {
		fprintf(stderr, "conf: %s\n", err);
		return NULL;
	}
	rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
	if (!rk)
		fprintf(stderr, "rd_kafka_new: %s\n", err);
	return rk;
}

static int parse_enum(const char *s, const char *(*name)(int), int lo, int hi)
{
	for (int i = lo; i <= hi; i++)
		if (strcasecmp(name(i), s) == 0)
			return i;
	fprintf(stderr, "unknown value %s\n", s);
	exit(2);
}
static const char *rt_name(int i) { return rd_kafka_ResourceType_name(i); }
static const char *pt_name(int i) { return rd_kafka_ResourcePatternType_name(i); }

static void print_acl(const rd_kafka_AclBinding_t *b, const char *error)
{
	printf("%s %s %s %s %s %s %s%s%s\n",
	       rd_kafka_ResourceType_name(rd_kafka_AclBinding_restype(b)),
	       rd_kafka_AclBinding_name(b),
	       rd_kafka_ResourcePatternType_name(rd_kafka_AclBinding_resource_pattern_type(b)),
	       rd_kafka_AclBinding_principal(b), rd_kafka_AclBinding_host(b),
	       rd_kafka_AclOperation_name(rd_kafka_AclBinding_operation(b)),
	       rd_kafka_AclPermissionType_name(rd_kafka_AclBinding_permission_type(b)),
	       error ? " " : "", error ? error : "");
}

static rd_kafka_event_t *wait_result(rd_kafka_queue_t *q)
{
	rd_kafka_event_t *ev = rd_kafka_queue_poll(q, WAIT_MS + 5000);
	if (!ev) {
		fprintf(stderr, "no admin result\n");
		return NULL;
	}
	if (rd_kafka_event_error(ev)) {
		fprintf(stderr, "request failed: %s\n", rd_kafka_event_error_string(ev));
		rd_kafka_event_destroy(ev);
		return NULL;
	}
	return ev;
}

static int do_create(rd_kafka_t *rk, rd_kafka_queue_t *q)
{
	char err[512];
	rd_kafka_AclBinding_t *b[4] = {
		rd_kafka_AclBinding_new(RD_KAFKA_RESOURCE_TOPIC, "acl-t1",
			RD_KAFKA_RESOURCE_PATTERN_LITERAL, "User:alice", "*",
			RD_KAFKA_ACL_OPERATION_READ, RD_KAFKA_ACL_PERMISSION_TYPE_ALLOW, err, sizeof err),
		rd_kafka_AclBinding_new(RD_KAFKA_RESOURCE_TOPIC, "acl-pre",
			RD_KAFKA_RESOURCE_PATTERN_PREFIXED, "User:bob", "*",
			RD_KAFKA_ACL_OPERATION_WRITE, RD_KAFKA_ACL_PERMISSION_TYPE_ALLOW, err, sizeof err),
		rd_kafka_AclBinding_new(RD_KAFKA_RESOURCE_GROUP, "g1",
			RD_KAFKA_RESOURCE_PATTERN_LITERAL, "User:alice", "127.0.0.1",
			RD_KAFKA_ACL_OPERATION_DESCRIBE, RD_KAFKA_ACL_PERMISSION_TYPE_DENY, err, sizeof err),
		/* invalid: the cluster resource is called kafka-cluster */
		rd_kafka_AclBinding_new(RD_KAFKA_RESOURCE_BROKER, "not-the-cluster",
			RD_KAFKA_RESOURCE_PATTERN_LITERAL, "User:alice", "*",
			RD_KAFKA_ACL_OPERATION_ALTER, RD_KAFKA_ACL_PERMISSION_TYPE_ALLOW, err, sizeof err),
	};
	for (int i = 0; i < 4; i++)
		if (!b[i]) {
			fprintf(stderr, "binding %d: %s\n", i, err);
			return 1;
		}
	rd_kafka_AdminOptions_t *o = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATEACLS);
	rd_kafka_AdminOptions_set_request_timeout(o, WAIT_MS, err, sizeof err);
	rd_kafka_CreateAcls(rk, b, 4, o, q);
	rd_kafka_event_t *ev = wait_result(q);
	int rc = ev ? 0 : 1;
	if (ev) {
		size_t n;
		const rd_kafka_acl_result_t **r =
			rd_kafka_CreateAcls_result_acls(rd_kafka_event_CreateAcls_result(ev), &n);
		for (size_t i = 0; i < n && i < 4; i++) {
			const rd_kafka_error_t *e = rd_kafka_acl_result_error(r[i]);
			print_acl(b[i], e ? rd_kafka_error_name(e) : NULL);
		}
		if (n != 4)
			rc = 1;
		rd_kafka_event_destroy(ev);
	}
	rd_kafka_AclBinding_destroy_array(b, 4);
	rd_kafka_AdminOptions_destroy(o);
	return rc;
}

static int do_filter(rd_kafka_t *rk, rd_kafka_queue_t *q, int del, char **a)
{
	char err[512];
	const char *name = strcmp(a[1], "-") ? a[1] : NULL;
	const char *principal = strcmp(a[3], "-") ? a[3] : NULL;
	rd_kafka_AclBindingFilter_t *f = rd_kafka_AclBindingFilter_new(
		parse_enum(a[0], rt_name, 1, RD_KAFKA_RESOURCE__CNT - 1), name,
		parse_enum(a[2], pt_name, 1, RD_KAFKA_RESOURCE_PATTERN_TYPE__CNT - 1),
		principal, NULL, RD_KAFKA_ACL_OPERATION_ANY, RD_KAFKA_ACL_PERMISSION_TYPE_ANY,
		err, sizeof err);
	if (!f) {
		fprintf(stderr, "filter: %s\n", err);
		return 1;
	}
	rd_kafka_AdminOptions_t *o = rd_kafka_AdminOptions_new(
		rk, del ? RD_KAFKA_ADMIN_OP_DELETEACLS : RD_KAFKA_ADMIN_OP_DESCRIBEACLS);
	rd_kafka_AdminOptions_set_request_timeout(o, WAIT_MS, err, sizeof err);
	if (del)
		rd_kafka_DeleteAcls(rk, &f, 1, o, q);
	else
		rd_kafka_DescribeAcls(rk, f, o, q);
	rd_kafka_event_t *ev = wait_result(q);
	int rc = ev ? 0 : 1;
	size_t n = 0;
	if (ev && del) {
		const rd_kafka_DeleteAcls_result_response_t **r = rd_kafka_DeleteAcls_result_responses(
			rd_kafka_event_DeleteAcls_result(ev), &n);
		for (size_t i = 0; i < n; i++) {
			const rd_kafka_error_t *e = rd_kafka_DeleteAcls_result_response_error(r[i]);
			if (e) {
				fprintf(stderr, "filter %zu: %s\n", i, rd_kafka_error_string(e));
				rc = 1;
			}
			size_t m;
			const rd_kafka_AclBinding_t **acls =
				rd_kafka_DeleteAcls_result_response_matching_acls(r[i], &m);
			for (size_t k = 0; k < m; k++) {
				const rd_kafka_error_t *ae = rd_kafka_AclBinding_error(acls[k]);
				print_acl(acls[k], ae ? rd_kafka_error_name(ae) : NULL);
			}
		}
	} else if (ev) {
		const rd_kafka_AclBinding_t **acls =
			rd_kafka_DescribeAcls_result_acls(rd_kafka_event_DescribeAcls_result(ev), &n);
		for (size_t k = 0; k < n; k++)
			print_acl(acls[k], NULL);
	}
	if (ev)
		rd_kafka_event_destroy(ev);
	rd_kafka_AclBinding_destroy(f);
	rd_kafka_AdminOptions_destroy(o);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc < 3 || (strcmp(argv[2], "create") && argc < 7)) {
		fprintf(stderr, "usage: %s BOOTSTRAP create | describe|delete RESTYPE NAME|- PATTERN PRINCIPAL|-\n", argv[0]);
		return 2;
	}
	rd_kafka_t *rk = client(argv[1]);
	if (!rk)
		return 1;
	rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
	int rc;
	if (!strcmp(argv[2], "create"))
		rc = do_create(rk, q);
	else
		rc = do_filter(rk, q, !strcmp(argv[2], "delete"), argv + 3);
	rd_kafka_queue_destroy(q);
	rd_kafka_destroy(rk);
	return rc;
}
