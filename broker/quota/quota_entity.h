/* What DescribeClientQuotas and AlterClientQuotas share (broker/quota/
 * quota_entity.c): Kafka's quota config keys and their types, and the
 * wire form of an entity (entity types "user" and "client-id", a null
 * name for the default) against its ZooKeeper form (sanitized names,
 * "<default>"). Kept apart from the broker config table so the keys can be
 * folded into one config registry later. */
#ifndef GREGOR_QUOTA_ENTITY_H
#define GREGOR_QUOTA_ENTITY_H

#include <stddef.h>

#include "common/arena.h"
#include "common/proto/codec.h"

/* Kafka's user/client quota keys (QuotaConfigs.userAndClientQuotaConfigs):
 * 'l' LONG, 'd' DOUBLE. controller_mutation_rate is stored and described
 * but not enforced by Gregor. */
struct quota_key_def {
	const char *name;
	char type;
};
extern const struct quota_key_def quota_key_defs[4];
const struct quota_key_def *quota_key_def_find(const char *name);

/* A double as Java's Double.toString writes it ("50.0", "1.0E7",
 * "1.5E-4"), which is how Kafka stores DOUBLE quota values. */
void quota_format_double(double d, char *out, size_t cap);

/* The value string Kafka's AlterClientQuotas stores for key = v:
 * 0 with out filled, or -1 with msg (Kafka's INVALID_REQUEST text). */
int quota_value_text(const struct quota_key_def *k, double v, char *out, size_t cap,
		     char *msg, size_t mcap);

/* A znode name (sanitized, or "<default>") as the wire names it: NULL for
 * the default, else desanitized into the arena; *ok 0 on a bad escape. */
struct kstr quota_wire_name(struct arena *a, const char *znode_name, int *ok);

#endif
