/* kafka-acls.c: a stand-in for Kafka's bin/kafka-acls.sh for librdkafka's
 * tests 0115/0119 (kafka-path/bin/kafka-acls.sh runs it). Only the one form
 * those tests use: --bootstrap-server B --add --(allow|deny)-principal P
 * --operation OP --(allow|deny)-host H --topic T, sent as one CreateAcls
 * (literal topic pattern) through librdkafka's admin API over PLAINTEXT,
 * then, as Kafka's AclCommand does after --add, one DescribeAcls of that
 * resource printed as "Current ACLs for resource ...";
 * fetch-and-build.sh builds it next to the test-runner.
 * Exit 0 when the broker created the ACL, 1 on its error, 2 on bad usage. */
#include "rdkafka.h" /* librdkafka 2.0.2's src/, as fetch-and-build.sh builds it */
#include <stdio.h>
#include <string.h>
#include <strings.h>

struct acl_args {
	const char *bootstrap;
	const char *principal;
	const char *host;
	const char *operation;
	const char *topic;
	int add;
	int deny; /* 1: deny-principal/deny-host, 0: allow-* */
};

static int usage(const char *why)
{
	fprintf(stderr, "kafka-acls.sh (gregor stand-in): %s\n", why);
	return 2;
}

/* Kafka's operation names (AclOperation), case-insensitive as kafka-acls.sh. */
static rd_kafka_AclOperation_t acl_parse_operation(const char *s)
{
	static const struct {
		const char *name;
		rd_kafka_AclOperation_t op;
	} ops[] = {
		{ "All", RD_KAFKA_ACL_OPERATION_ALL },
		{ "Read", RD_KAFKA_ACL_OPERATION_READ },
		{ "Write", RD_KAFKA_ACL_OPERATION_WRITE },
		{ "Create", RD_KAFKA_ACL_OPERATION_CREATE },
		{ "Delete", RD_KAFKA_ACL_OPERATION_DELETE },
		{ "Alter", RD_KAFKA_ACL_OPERATION_ALTER },
		{ "Describe", RD_KAFKA_ACL_OPERATION_DESCRIBE },
		{ "DescribeConfigs", RD_KAFKA_ACL_OPERATION_DESCRIBE_CONFIGS },
		{ "AlterConfigs", RD_KAFKA_ACL_OPERATION_ALTER_CONFIGS },
		{ "IdempotentWrite", RD_KAFKA_ACL_OPERATION_IDEMPOTENT_WRITE },
	};
	size_t i;

	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strcasecmp(s, ops[i].name) == 0)
			return ops[i].op;
	return RD_KAFKA_ACL_OPERATION_UNKNOWN;
}

/* Each option with a value must have one; returns 0 or usage()'s 2. */
static int acl_parse_args(int argc, char **argv, struct acl_args *a)
{
	int i;

	memset(a, 0, sizeof(*a));
	for (i = 1; i < argc; i++) {
		const char *opt = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(opt, "--add") == 0) {
			a->add = 1;
			continue;
		}
		if (!val)
			return usage("an option without a value");
		i++;
		if (strcmp(opt, "--bootstrap-server") == 0)
			a->bootstrap = val;
		else if (strcmp(opt, "--allow-principal") == 0 || strcmp(opt, "--deny-principal") == 0) {
			a->principal = val;
			a->deny = opt[2] == 'd';
		} else if (strcmp(opt, "--allow-host") == 0 || strcmp(opt, "--deny-host") == 0)
			a->host = val;
		else if (strcmp(opt, "--operation") == 0)
			a->operation = val;
		else if (strcmp(opt, "--topic") == 0)
			a->topic = val;
		else
			return usage("unsupported option (only --add of one topic ACL)");
	}
	if (!a->add || !a->bootstrap || !a->principal || !a->operation || !a->topic)
		return usage("need --bootstrap-server, --add, a principal, --operation and --topic");
	if (!a->host)
		a->host = "*";
	return 0;
}

/* Waits for the CreateAcls result on q; returns the exit status. */
static int acl_await_result(rd_kafka_queue_t *q)
{
	rd_kafka_event_t *ev = rd_kafka_queue_poll(q, 30000);
	const rd_kafka_acl_result_t **res;
	size_t n, i;
	int rc = 0;

	if (!ev)
		return fprintf(stderr, "kafka-acls.sh: no answer within 30 s\n"), 1;
	if (rd_kafka_event_error(ev)) {
		fprintf(stderr, "kafka-acls.sh: %s\n", rd_kafka_event_error_string(ev));
		rd_kafka_event_destroy(ev);
		return 1;
	}
	res = rd_kafka_CreateAcls_result_acls(rd_kafka_event_CreateAcls_result(ev), &n);
	for (i = 0; i < n; i++) {
		const rd_kafka_error_t *err = rd_kafka_acl_result_error(res[i]);

		if (err) {
			fprintf(stderr, "kafka-acls.sh: %s\n", rd_kafka_error_string(err));
			rc = 1;
		}
	}
	rd_kafka_event_destroy(ev);
	return rc;
}

/* Kafka's AclCommand lists the resource's ACLs after adding: one
 * DescribeAcls of the literal topic pattern, printed; 0 or 1. */
static int acl_list(rd_kafka_t *rk, rd_kafka_queue_t *q, const char *topic)
{
	char errstr[512];
	rd_kafka_AclBindingFilter_t *f = rd_kafka_AclBindingFilter_new(
		RD_KAFKA_RESOURCE_TOPIC, topic, RD_KAFKA_RESOURCE_PATTERN_LITERAL, NULL, NULL,
		RD_KAFKA_ACL_OPERATION_ANY, RD_KAFKA_ACL_PERMISSION_TYPE_ANY, errstr, sizeof(errstr));
	rd_kafka_event_t *ev;
	const rd_kafka_AclBinding_t **acls;
	size_t n, i;

	if (!f)
		return fprintf(stderr, "kafka-acls.sh: %s\n", errstr), 1;
	rd_kafka_DescribeAcls(rk, f, NULL, q);
	rd_kafka_AclBinding_destroy(f);
	ev = rd_kafka_queue_poll(q, 30000);
	if (!ev || rd_kafka_event_error(ev)) {
		fprintf(stderr, "kafka-acls.sh: listing: %s\n",
			ev ? rd_kafka_event_error_string(ev) : "no answer within 30 s");
		if (ev)
			rd_kafka_event_destroy(ev);
		return 1;
	}
	acls = rd_kafka_DescribeAcls_result_acls(rd_kafka_event_DescribeAcls_result(ev), &n);
	printf("Current ACLs for resource `ResourcePattern(resourceType=TOPIC, name=%s, "
	       "patternType=LITERAL)`:\n", topic);
	for (i = 0; i < n; i++)
		printf(" \t(principal=%s, host=%s, operation=%s, permissionType=%s)\n",
		       rd_kafka_AclBinding_principal(acls[i]), rd_kafka_AclBinding_host(acls[i]),
		       rd_kafka_AclOperation_name(rd_kafka_AclBinding_operation(acls[i])),
		       rd_kafka_AclPermissionType_name(rd_kafka_AclBinding_permission_type(acls[i])));
	printf("\n");
	rd_kafka_event_destroy(ev);
	return 0;
}

static int acl_create(const struct acl_args *a)
{
	char errstr[512];
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	rd_kafka_t *rk;
	rd_kafka_AclBinding_t *b;
	rd_kafka_queue_t *q;
	rd_kafka_AclOperation_t op = acl_parse_operation(a->operation);
	int rc;

	if (op == RD_KAFKA_ACL_OPERATION_UNKNOWN)
		return rd_kafka_conf_destroy(conf), usage("unknown --operation");
	if (rd_kafka_conf_set(conf, "bootstrap.servers", a->bootstrap, errstr, sizeof(errstr)) !=
		    RD_KAFKA_CONF_OK ||
	    !(rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr)))) {
		fprintf(stderr, "kafka-acls.sh: %s\n", errstr);
		return 1; /* conf is owned by rd_kafka_new only on success */
	}
	b = rd_kafka_AclBinding_new(RD_KAFKA_RESOURCE_TOPIC, a->topic,
				    RD_KAFKA_RESOURCE_PATTERN_LITERAL, a->principal, a->host, op,
				    a->deny ? RD_KAFKA_ACL_PERMISSION_TYPE_DENY :
					      RD_KAFKA_ACL_PERMISSION_TYPE_ALLOW,
				    errstr, sizeof(errstr));
	if (!b) {
		fprintf(stderr, "kafka-acls.sh: %s\n", errstr);
		rd_kafka_destroy(rk);
		return 2;
	}
	q = rd_kafka_queue_new(rk);
	rd_kafka_CreateAcls(rk, &b, 1, NULL, q);
	rc = acl_await_result(q);
	if (rc == 0)
		rc = acl_list(rk, q, a->topic);
	rd_kafka_AclBinding_destroy(b);
	rd_kafka_queue_destroy(q);
	rd_kafka_destroy(rk);
	return rc;
}

int main(int argc, char **argv)
{
	struct acl_args a;
	int rc = acl_parse_args(argc, argv, &a);

	return rc ? rc : acl_create(&a);
}
