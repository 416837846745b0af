/* Quota keys, values and entity names as Kafka's ZkAdminManager handles
 * them for DescribeClientQuotas / AlterClientQuotas (quota_entity.h). */
#include "broker/quota/quota_entity.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/auth/entity_name.h"

/* A finite double, as Kafka's ConfigDef parses a DOUBLE. */
static int valid_double(const char *t, char *why, size_t n)
{
	char *end;
	double d = strtod(t, &end);
	if (end == t || *end || !isfinite(d)) {
		snprintf(why, n, "not a number");
		return -1;
	}
	return 0;
}

#define QUOTA_ROWS \
	{ "producer_byte_rate", CONFIG_TYPE_LONG, "9223372036854775807", INT64_MIN, INT64_MAX, \
	  .mode = CONFIG_PER_ENTITY, .flags = CONFIG_F_LIVE, \
	  .doc = "Bytes/s of Produce requests (docs/quotas.md)." }, \
	{ "consumer_byte_rate", CONFIG_TYPE_LONG, "9223372036854775807", INT64_MIN, INT64_MAX, \
	  .mode = CONFIG_PER_ENTITY, .flags = CONFIG_F_LIVE, \
	  .doc = "Bytes/s of records in consumer Fetch answers (docs/quotas.md)." }, \
	{ "request_percentage", CONFIG_TYPE_DOUBLE, "2.147483647E9", .valid = valid_double, \
	  .mode = CONFIG_PER_ENTITY, .flags = CONFIG_F_LIVE, \
	  .doc = "Percent of one thread's time per second its requests may take." }, \
	{ "controller_mutation_rate", CONFIG_TYPE_DOUBLE, "2.147483647E9", .valid = valid_double, \
	  .mode = CONFIG_PER_ENTITY, \
	  .doc = "Partitions created or deleted per second; not enforced by Gregor." }

static const struct config_def client_rows[] = { QUOTA_ROWS };
static const struct config_def user_rows[] = {
	{ "SCRAM-SHA-256", CONFIG_TYPE_STRING, NULL, .mode = CONFIG_PER_ENTITY,
	  .flags = CONFIG_F_SENSITIVE | CONFIG_F_LIVE,
	  .doc = "The user's SCRAM-SHA-256 credential (docs/sasl.md)." },
	{ "SCRAM-SHA-512", CONFIG_TYPE_STRING, NULL, .mode = CONFIG_PER_ENTITY,
	  .flags = CONFIG_F_SENSITIVE | CONFIG_F_LIVE,
	  .doc = "The user's SCRAM-SHA-512 credential (docs/sasl.md)." },
	QUOTA_ROWS,
};

void quota_config_register(void)
{
	config_defs_register(CONFIG_ENTITY_USER, user_rows,
			     (int)(sizeof user_rows / sizeof user_rows[0]));
	config_defs_register(CONFIG_ENTITY_CLIENT, client_rows,
			     (int)(sizeof client_rows / sizeof client_rows[0]));
}

const struct config_def *quota_key_def_find(const char *name)
{
	for (size_t i = 0; i < sizeof client_rows / sizeof client_rows[0]; i++)
		if (strcmp(client_rows[i].name, name) == 0)
			return &client_rows[i];
	return NULL;
}

/* The shortest "%.*e" text that reads back as d. */
static int shortest_e(double d, char *buf, size_t cap)
{
	for (int p = 0; p <= 17; p++) {
		snprintf(buf, cap, "%.*e", p, d);
		if (strtod(buf, NULL) == d)
			return p;
	}
	return 17;
}

void quota_format_double(double d, char *out, size_t cap)
{
	char e[64];
	if (isnan(d)) {
		snprintf(out, cap, "NaN");
		return;
	}
	if (isinf(d)) {
		snprintf(out, cap, "%sInfinity", d < 0 ? "-" : "");
		return;
	}
	double a = fabs(d);
	int p = shortest_e(d, e, sizeof e);
	char *ex = strchr(e, 'e');
	int exp10 = ex ? atoi(ex + 1) : 0;
	if (d == 0 || (a >= 1e-3 && a < 1e7)) {
		/* plain notation with the digits that round-trip */
		int decimals = p - exp10 > 1 ? p - exp10 : 1;
		snprintf(out, cap, "%.*f", decimals, d);
		return;
	}
	/* Java's computerized scientific notation: d.ddd E exponent */
	*ex = 0;
	snprintf(out, cap, "%s%sE%d", e, strchr(e, '.') ? "" : ".0", exp10);
}

int quota_value_text(const struct config_def *k, double v, char *out, size_t cap,
		     char *msg, size_t mcap)
{
	if (!isfinite(v)) {
		snprintf(msg, mcap, "Configuration %s must be a finite value", k->name);
		return -1;
	}
	if (k->type == CONFIG_TYPE_DOUBLE) {
		quota_format_double(v, out, cap);
		return 0;
	}
	/* Kafka: (value + 1e-6).toLong, refused if more than 1e-6 away */
	const double eps = 1e-6;
	double x = v + eps;
	long long l = x >= 9.2e18 ? INT64_MAX : x <= -9.2e18 ? INT64_MIN : (long long)x;
	if (fabs((double)l - v) > eps) {
		snprintf(msg, mcap, "Configuration %s must be a LONG value", k->name);
		return -1;
	}
	snprintf(out, cap, "%lld", l);
	return 0;
}

struct kstr quota_wire_name(struct arena *a, const char *znode_name, int *ok)
{
	*ok = 1;
	if (strcmp(znode_name, "<default>") == 0)
		return (struct kstr){ NULL, -1 };
	size_t cap = strlen(znode_name) + 1;
	char *out = arena_alloc(a, cap);
	if (!out || entity_desanitize(znode_name, out, cap) < 0) {
		*ok = 0;
		return (struct kstr){ NULL, -1 };
	}
	return (struct kstr){ out, (int32_t)strlen(out) };
}
