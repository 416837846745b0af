/* What DescribeClientQuotas and AlterClientQuotas share (broker/quota/
 * quota_entity.c): Kafka's user and client-id quota keys, found in the user
 * and client tables of the config registry (broker/config_def.c), and the
 * wire form of
 * an entity (entity types "user" and "client-id", a null name for the
 * default) against its ZooKeeper form (sanitized names, "<default>"). */
#ifndef GREGOR_QUOTA_ENTITY_H
#define GREGOR_QUOTA_ENTITY_H

#include <stddef.h>

#include "broker/config_def.h"
#include "common/arena.h"
#include "common/proto/codec.h"

/* A quota key of Kafka's QuotaConfigs.userAndClientQuotaConfigs (LONG
 * byte rates, DOUBLE percentage and mutation rate), or NULL.
 * controller_mutation_rate is stored and described, not enforced. */
const struct config_def *quota_key_def_find(const char *name);

/* A double as Java's Double.toString writes it ("50.0", "1.0E7",
 * "1.5E-4"), which is how Kafka stores DOUBLE quota values. */
void quota_format_double(double d, char *out, size_t cap);

/* The value string Kafka's AlterClientQuotas stores for key = v:
 * 0 with out filled, or -1 with msg (Kafka's INVALID_REQUEST text). */
int quota_value_text(const struct config_def *k, double v, char *out, size_t cap,
		     char *msg, size_t mcap);

/* A znode name (sanitized, or "<default>") as the wire names it: NULL for
 * the default, else desanitized into the arena; *ok 0 on a bad escape. */
struct kstr quota_wire_name(struct arena *a, const char *znode_name, int *ok);

#endif
