/* ACL store in Kafka's ZooKeeper layout (AclAuthorizer / ZkAclStore):
 * literal patterns under /kafka-acl/<Type>/<name>, prefixed ones under
 * /kafka-acl-extended/prefixed/<Type>/<name>, a change notification after
 * every write. Brokers with an authorizer follow the change notifications
 * (coord_config.acls_fn) and enforce the ACLs (broker/auth/authorizer.h).
 */
#ifndef GREGOR_ACL_H
#define GREGOR_ACL_H

#include <stddef.h>
#include <stdint.h>

#include "coord/coord.h"

/* Kafka's enum codes (ResourceType, PatternType, AclOperation,
 * AclPermissionType), as they travel on the wire. */
enum acl_resource_type {
	ACL_RES_UNKNOWN = 0, ACL_RES_ANY = 1, ACL_RES_TOPIC = 2, ACL_RES_GROUP = 3,
	ACL_RES_CLUSTER = 4, ACL_RES_TRANSACTIONAL_ID = 5,
	ACL_RES_DELEGATION_TOKEN = 6,
};
enum acl_pattern_type {
	ACL_PAT_UNKNOWN = 0, ACL_PAT_ANY = 1, ACL_PAT_MATCH = 2,
	ACL_PAT_LITERAL = 3, ACL_PAT_PREFIXED = 4,
};
enum acl_operation {
	ACL_OP_UNKNOWN = 0, ACL_OP_ANY = 1, ACL_OP_ALL = 2, ACL_OP_READ = 3,
	ACL_OP_WRITE = 4, ACL_OP_CREATE = 5, ACL_OP_DELETE = 6, ACL_OP_ALTER = 7,
	ACL_OP_DESCRIBE = 8, ACL_OP_CLUSTER_ACTION = 9,
	ACL_OP_DESCRIBE_CONFIGS = 10, ACL_OP_ALTER_CONFIGS = 11,
	ACL_OP_IDEMPOTENT_WRITE = 12,
};
enum acl_permission {
	ACL_PERM_UNKNOWN = 0, ACL_PERM_ANY = 1, ACL_PERM_DENY = 2,
	ACL_PERM_ALLOW = 3,
};

#define ACL_CLUSTER_NAME "kafka-cluster"
#define ACL_WILDCARD "*"

/* One ACL: a resource pattern and an access control entry. Strings are
 * NUL-terminated and never NULL in a binding. */
struct acl_binding {
	int8_t resource_type, pattern_type, operation, permission;
	const char *resource_name, *principal, *host;
};

/* A filter: NULL strings match anything; ANY codes match anything; pattern
 * type MATCH matches literal patterns equal to the name or "*", and prefixed
 * patterns the name starts with (Kafka's ResourcePatternFilter). */
struct acl_filter {
	int8_t resource_type, pattern_type, operation, permission;
	const char *resource_name, *principal, *host;
};

/* Pure functions (no ZooKeeper; unit-tested). */
/* 0, or INVALID_REQUEST (42) with a reason: every code concrete (no
 * UNKNOWN/ANY/MATCH), principal "Type:name", non-empty resource name, the
 * cluster's name "kafka-cluster", no '/' in names (znode names). */
int16_t acl_binding_check(const struct acl_binding *b, const char **why);
/* 0, or INVALID_REQUEST with a reason when the filter holds UNKNOWN codes. */
int16_t acl_filter_check(const struct acl_filter *f, const char **why);
int acl_filter_matches_pattern(const struct acl_filter *f, int8_t resource_type,
			       int8_t pattern_type, const char *name);
int acl_filter_matches(const struct acl_filter *f, const struct acl_binding *b);
/* Kafka's names: "Topic", "Read", "Allow", "Prefixed"...; NULL if none. */
const char *acl_resource_type_name(int8_t t);
const char *acl_operation_name(int8_t op);
const char *acl_permission_name(int8_t p);
/* Case-insensitive parse of those names; ACL_*_UNKNOWN (0) if not one. */
int8_t acl_resource_type_parse(const char *s);
int8_t acl_operation_parse(const char *s);
int8_t acl_permission_parse(const char *s);

/* Coordination thread: results arrive on the loop thread; the arrays passed
 * to done are valid during the call only. Without a ZooKeeper session the
 * kerr is REQUEST_TIMED_OUT (7) as Kafka's ZooKeeper client answers. */

/* errs[i]/msgs[i] (msg NULL on success) for bindings[i]. Bindings already
 * present count as created (Kafka's set semantics). Writes are conditional on
 * the znode version and retried on a concurrent change. */
typedef void (*coord_acls_created_fn)(void *arg, const int16_t *errs,
				      const char *const *msgs, int n);
void coord_create_acls(struct coord *c, const struct acl_binding *bindings, int n,
		       coord_acls_created_fn done, void *arg);

/* Every stored ACL the filter matches, grouped by resource. */
typedef void (*coord_acls_fn)(void *arg, int16_t kerr, const char *msg,
			      const struct acl_binding *b, int n);
void coord_describe_acls(struct coord *c, const struct acl_filter *f,
			 coord_acls_fn done, void *arg);

/* Deletes every ACL any filter matches; each deleted ACL is reported once,
 * under the first filter that matched it (filter_idx[i]), with errs[i] set
 * if its resource could not be rewritten. kerr != 0: nothing was read. */
typedef void (*coord_acls_deleted_fn)(void *arg, int16_t kerr, const char *msg,
				      const struct acl_binding *b,
				      const int *filter_idx, const int16_t *errs,
				      int n);
void coord_delete_acls(struct coord *c, const struct acl_filter *filters, int nf,
		       coord_acls_deleted_fn done, void *arg);

#endif
