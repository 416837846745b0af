/* The ACL cache and Kafka's authorization decision (see acl_cache.h). A
 * decision scans the cache's ACLs once; the cache holds the whole store,
 * which Kafka clusters keep in the hundreds, not millions. */
#include "broker/auth/acl_cache.h"

#include <stdlib.h>
#include <string.h>

#define WILDCARD_PRINCIPAL "User:*"

static char *dup_n(const char *s, size_t n)
{
	char *d = malloc(n + 1);
	if (d) {
		memcpy(d, s, n);
		d[n] = 0;
	}
	return d;
}

int acl_cache_init(struct acl_cache *c, const char *super_users, int allow_everyone)
{
	memset(c, 0, sizeof *c);
	c->allow_everyone_if_no_acl = allow_everyone;
	for (const char *p = super_users; p && *p;) {
		const char *e = strchr(p, ';');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		const char *next = e ? e + 1 : p + n;
		while (n && (*p == ' ' || *p == '\t')) {
			p++;
			n--;
		}
		while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (n) {
			char **v = realloc(c->super_users, ((size_t)c->n_super + 1) * sizeof *v);
			if (!v)
				return -1;
			c->super_users = v;
			if (!(v[c->n_super] = dup_n(p, n)))
				return -1;
			c->n_super++;
		}
		p = next;
	}
	return 0;
}

void acl_bindings_free(struct acl_binding *v, int n)
{
	for (int i = 0; v && i < n; i++) {
		free((char *)v[i].resource_name);
		free((char *)v[i].principal);
		free((char *)v[i].host);
	}
	free(v);
}

void acl_cache_free(struct acl_cache *c)
{
	for (int i = 0; i < c->n_super; i++)
		free(c->super_users[i]);
	free(c->super_users);
	acl_bindings_free(c->acls, c->n_acls);
	memset(c, 0, sizeof *c);
}

void acl_cache_replace(struct acl_cache *c, struct acl_binding *v, int n)
{
	acl_bindings_free(c->acls, c->n_acls);
	c->acls = v;
	c->n_acls = v ? n : 0;
	c->loaded = 1;
}

int acl_cache_is_super(const struct acl_cache *c, const char *principal)
{
	for (int i = 0; i < c->n_super; i++)
		if (strcmp(c->super_users[i], principal) == 0)
			return 1;
	return 0;
}

/* Does the ACL's resource pattern apply to the resource? */
static int pattern_applies(const struct acl_binding *a, int8_t rt, const char *name,
			   size_t len)
{
	if (a->resource_type != rt)
		return 0;
	const char *p = a->resource_name;
	size_t pl = strlen(p);
	if (a->pattern_type == ACL_PAT_LITERAL)
		return strcmp(p, "*") == 0 || (pl == len && memcmp(p, name, len) == 0);
	if (a->pattern_type == ACL_PAT_PREFIXED)
		return pl <= len && memcmp(p, name, pl) == 0;
	return 0;
}

static int principal_matches(const struct acl_binding *a, const char *principal)
{
	return strcmp(a->principal, principal) == 0 ||
	       strcmp(a->principal, WILDCARD_PRINCIPAL) == 0;
}

static int host_matches(const struct acl_binding *a, const char *host)
{
	return strcmp(a->host, "*") == 0 || (host && strcmp(a->host, host) == 0);
}

/* Operations an ALLOW entry for op grants (Kafka's implied operations). */
static int allow_grants(int8_t acl_op, int8_t op)
{
	if (acl_op == ACL_OP_ALL || acl_op == op)
		return 1;
	if (op == ACL_OP_DESCRIBE)
		return acl_op == ACL_OP_READ || acl_op == ACL_OP_WRITE ||
		       acl_op == ACL_OP_DELETE || acl_op == ACL_OP_ALTER;
	if (op == ACL_OP_DESCRIBE_CONFIGS)
		return acl_op == ACL_OP_ALTER_CONFIGS;
	return 0;
}

int acl_cache_allows(const struct acl_cache *c, const char *principal, const char *host,
		     int8_t op, int8_t rt, const char *name, size_t len)
{
	if (acl_cache_is_super(c, principal))
		return 1;
	if (!c->loaded)
		return 0;
	int any = 0, allowed = 0;
	for (int i = 0; i < c->n_acls; i++) {
		const struct acl_binding *a = &c->acls[i];
		if (!pattern_applies(a, rt, name, len))
			continue;
		any = 1;
		if (!principal_matches(a, principal) || !host_matches(a, host))
			continue;
		if (a->permission == ACL_PERM_DENY &&
		    (a->operation == op || a->operation == ACL_OP_ALL))
			return 0; /* DENY wins */
		if (a->permission == ACL_PERM_ALLOW && allow_grants(a->operation, op))
			allowed = 1;
	}
	return any ? allowed : c->allow_everyone_if_no_acl;
}
