/* The broker's ACL cache and Kafka's authorization decision (AclAuthorizer
 * of the ZooKeeper era), pure and single-threaded: the event-loop thread
 * owns one cache, replaced whole whenever the coordination thread delivers
 * the ACL store after a change notification. Unit-tested without a broker.
 *
 * Decision for (principal, host, operation, resource), as Kafka:
 *   1. a super user (super.users) is allowed everything;
 *   2. the ACLs that apply to the resource are its literal ones, the
 *      literal wildcard "*" ones and every prefixed one its name starts
 *      with; with none at all, allow.everyone.if.no.acl.found decides;
 *   3. a DENY entry matching principal (or User:*), host (or *) and
 *      operation (or ALL) refuses; DENY always wins;
 *   4. else an ALLOW entry matching principal, host and operation allows,
 *      where READ, WRITE, DELETE and ALTER imply DESCRIBE, ALTER_CONFIGS
 *      implies DESCRIBE_CONFIGS and ALL implies everything;
 *   5. else refused.
 * Until the first load the cache refuses everyone but super users. */
#ifndef GREGOR_ACL_CACHE_H
#define GREGOR_ACL_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "common/strmap.h"
#include "coord/acl.h"

/* Indexes into acl_cache.acls. */
struct acl_idx {
	int n, cap;
	int *v;
};

struct acl_cache {
	int allow_everyone_if_no_acl;
	char **super_users;       /* "User:admin", ... */
	int n_super;
	struct acl_binding *acls; /* owned, strings owned */
	int n_acls;
	int loaded;               /* the store was delivered at least once */
	/* A decision looks at the resource's own literal ACLs (by type and
	 * name) and at its type's wildcard and prefixed ones, never at the
	 * whole store: Metadata asks once per topic. */
	struct strmap literal;    /* type byte + name -> struct acl_idx */
	struct acl_idx other[ACL_RES_DELEGATION_TOKEN + 1]; /* "*" and prefixed */
	int oom;                  /* the index is incomplete: decisions scan all */
};

/* super_users: Kafka's super.users ("User:a;User:b", blanks trimmed;
 * NULL or "" for none). Returns 0 or -1 (out of memory). */
int acl_cache_init(struct acl_cache *c, const char *super_users, int allow_everyone);
void acl_cache_free(struct acl_cache *c);
/* Replaces the ACLs with v (ownership of v and its strings passes). */
void acl_cache_replace(struct acl_cache *c, struct acl_binding *v, int n);
/* Replaces the ACLs of one resource pattern (type, pattern type, name) with
 * v (n == 0: it has none left); ownership of v and its strings passes.
 * Everything else stays. Returns 0, or -1 (out of memory: v is freed and
 * the cache left as it was, now stale for that resource). */
int acl_cache_replace_resource(struct acl_cache *c, int8_t rt, int8_t pt, const char *name,
			       struct acl_binding *v, int n);
/* Frees an ACL array as acl_cache_replace would own it. */
void acl_bindings_free(struct acl_binding *v, int n);

int acl_cache_is_super(const struct acl_cache *c, const char *principal);
/* 1 allowed, 0 refused. name need not be NUL-terminated. host is the
 * client's IP address text ("127.0.0.1"). */
int acl_cache_allows(const struct acl_cache *c, const char *principal, const char *host,
		     int8_t operation, int8_t resource_type, const char *name, size_t name_len);

#endif
