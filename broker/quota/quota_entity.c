/* Quota keys, values and entity names as Kafka's ZkAdminManager handles
 * them for DescribeClientQuotas / AlterClientQuotas (quota_entity.h). */
#include "broker/quota/quota_entity.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/auth/entity_name.h"

/* The quota keys are rows of the config tables (broker/config_def.c, the
 * user and client entities): one definition for AlterClientQuotas'
 * validation, the ZooKeeper reader and docs/configuration.md. */
const struct config_def *quota_key_def_find(const char *name)
{
	return config_def_find(CONFIG_ENTITY_CLIENT, name);
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
