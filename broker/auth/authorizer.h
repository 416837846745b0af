/* The broker's authorizer: on when authorizer.class.name names one of
 * Kafka's ZooKeeper ACL authorizers (kafka.security.authorizer.AclAuthorizer,
 * kafka.security.auth.SimpleAclAuthorizer). Its ACL cache (acl_cache.h)
 * lives on the event-loop thread and is replaced whenever the coordination
 * thread delivers the store after a /kafka-acl-changes or
 * /kafka-acl-extended-changes notification.
 *
 * Handlers ask one question per resource, the way KafkaApis does:
 *     if (!authz_allowed(req, ACL_OP_WRITE, ACL_RES_TOPIC, name.p, name.len))
 *             error = KERR_TOPIC_AUTHORIZATION_FAILED;
 * Without an authorizer every question is answered "allowed". */
#ifndef GREGOR_AUTHORIZER_H
#define GREGOR_AUTHORIZER_H

#include <stddef.h>
#include <stdint.h>

#include "broker/auth/acl_cache.h"
#include "common/proto/codec.h"

struct broker;
struct request;

/* From the broker config; 0, or -1 (out of memory). */
int authz_init(struct broker *b);
void authz_free(struct broker *b);
/* coord_acls_changed_fn for the coordination thread's feed (arg: broker),
 * and coord_acl_resource_fn for one resource's change. */
void authz_on_acls(void *arg, struct acl_binding *v, int n);
void authz_on_acl_resource(void *arg, int8_t rt, int8_t pt, const char *name,
			   struct acl_binding *v, int n);

/* Is an authorizer configured? (ACL APIs answer SECURITY_DISABLED if not.) */
int authz_enabled(const struct broker *b);
/* 1 if the request's principal, from the client's address, may perform op
 * on the resource (or no authorizer is configured); 0 if refused. */
int authz_allowed(struct request *req, int8_t op, int8_t resource_type, const char *name,
		  size_t name_len);
static inline int authz_topic(struct request *req, int8_t op, struct kstr name)
{
	return authz_allowed(req, op, ACL_RES_TOPIC, name.p ? name.p : "",
			     name.len > 0 ? (size_t)name.len : 0);
}
static inline int authz_group(struct request *req, int8_t op, struct kstr name)
{
	return authz_allowed(req, op, ACL_RES_GROUP, name.p ? name.p : "",
			     name.len > 0 ? (size_t)name.len : 0);
}
static inline int authz_txn_id(struct request *req, int8_t op, struct kstr name)
{
	return authz_allowed(req, op, ACL_RES_TRANSACTIONAL_ID, name.p ? name.p : "",
			     name.len > 0 ? (size_t)name.len : 0);
}
static inline int authz_cluster(struct request *req, int8_t op)
{
	return authz_allowed(req, op, ACL_RES_CLUSTER, ACL_CLUSTER_NAME,
			     sizeof ACL_CLUSTER_NAME - 1);
}

/* KIP-430: the bit field (1 << operation code) of the operations Kafka
 * supports on the resource's type that the principal may perform; every
 * supported one without an authorizer, as Kafka. No refusal is logged. */
int32_t authz_operations(struct request *req, int8_t resource_type, const char *name,
			 size_t name_len);

/* CREATE on the cluster, or else on the topic (CreateTopics, auto-creation). */
int authz_may_create_topic(struct request *req, struct kstr name);

/* The ACL APIs' gate (KafkaApis): SECURITY_DISABLED (54) without an
 * authorizer, CLUSTER_AUTHORIZATION_FAILED (31) without op (DESCRIBE for
 * DescribeAcls, ALTER for Create/DeleteAcls) on the cluster; 0 if allowed. */
int16_t authz_acl_api_check(struct request *req, int8_t op, const char **msg);

#endif
