/* The ACL cache and Kafka's authorization decision (see acl_cache.h). A
 * decision reads the resource's literal ACLs through a hash index and its
 * type's wildcard and prefixed ACLs from a list, so its cost does not grow
 * with the ACLs of other resources. */
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
	strmap_init(&c->literal);
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

static void index_free(struct acl_cache *c)
{
	const char *k;
	void *v;
	for (size_t i = 0; strmap_next(&c->literal, &i, &k, &v);) {
		free(((struct acl_idx *)v)->v);
		free(v);
	}
	strmap_free(&c->literal);
	strmap_init(&c->literal);
	for (size_t t = 0; t < sizeof c->other / sizeof c->other[0]; t++)
		free(c->other[t].v);
	memset(c->other, 0, sizeof c->other);
	c->oom = 0;
}

static int idx_add(struct acl_idx *x, int i)
{
	if (x->n == x->cap) {
		int cap = x->cap ? 2 * x->cap : 4;
		int *v = realloc(x->v, (size_t)cap * sizeof *v);
		if (!v)
			return -1;
		x->v = v;
		x->cap = cap;
	}
	x->v[x->n++] = i;
	return 0;
}

/* "type byte + name" keys of the literal index */
static char *literal_key(int8_t rt, const char *name, size_t len, char *buf, size_t cap,
			 size_t *klen)
{
	char *k = len + 1 <= cap ? buf : malloc(len + 1);
	if (k) {
		k[0] = (char)rt;
		memcpy(k + 1, name, len);
		*klen = len + 1;
	}
	return k;
}

static int index_one(struct acl_cache *c, int i)
{
	const struct acl_binding *a = &c->acls[i];
	int8_t rt = a->resource_type;
	if (rt < 0 || (size_t)rt >= sizeof c->other / sizeof c->other[0])
		return 0; /* matches no question */
	if (a->pattern_type != ACL_PAT_LITERAL || strcmp(a->resource_name, "*") == 0)
		return idx_add(&c->other[rt], i);
	char buf[256];
	size_t kl;
	char *k = literal_key(rt, a->resource_name, strlen(a->resource_name), buf, sizeof buf, &kl);
	struct acl_idx *x = k ? strmap_get(&c->literal, k, kl) : NULL;
	int rc = k ? 0 : -1;
	if (k && !x) {
		x = calloc(1, sizeof *x);
		if (!x || strmap_put(&c->literal, k, kl, x) < 0) {
			free(x);
			x = NULL;
			rc = -1;
		}
	}
	if (x)
		rc = idx_add(x, i);
	if (k != buf)
		free(k);
	return rc;
}

void acl_cache_free(struct acl_cache *c)
{
	for (int i = 0; i < c->n_super; i++)
		free(c->super_users[i]);
	free(c->super_users);
	acl_bindings_free(c->acls, c->n_acls);
	index_free(c);
	strmap_free(&c->literal);
	memset(c, 0, sizeof *c);
}

void acl_cache_replace(struct acl_cache *c, struct acl_binding *v, int n)
{
	acl_bindings_free(c->acls, c->n_acls);
	index_free(c);
	c->acls = v;
	c->n_acls = v ? n : 0;
	c->loaded = 1;
	for (int i = 0; i < c->n_acls && !c->oom; i++)
		c->oom = index_one(c, i) < 0;
}

static int same_resource(const struct acl_binding *a, int8_t rt, int8_t pt, const char *name)
{
	return a->resource_type == rt && a->pattern_type == pt &&
	       strcmp(a->resource_name, name) == 0;
}

int acl_cache_replace_resource(struct acl_cache *c, int8_t rt, int8_t pt, const char *name,
			       struct acl_binding *v, int n)
{
	int keep = 0;
	for (int i = 0; i < c->n_acls; i++)
		keep += !same_resource(&c->acls[i], rt, pt, name);
	struct acl_binding *nv = malloc(((size_t)keep + (size_t)(v ? n : 0) + 1) * sizeof *nv);
	if (!nv) {
		acl_bindings_free(v, n);
		return -1;
	}
	int m = 0;
	for (int i = 0; i < c->n_acls; i++) {
		if (!same_resource(&c->acls[i], rt, pt, name)) {
			nv[m++] = c->acls[i]; /* strings move */
			continue;
		}
		free((char *)c->acls[i].resource_name);
		free((char *)c->acls[i].principal);
		free((char *)c->acls[i].host);
	}
	for (int i = 0; v && i < n; i++)
		nv[m++] = v[i];
	free(v);
	free(c->acls);
	c->acls = nv;
	c->n_acls = m;
	index_free(c);
	for (int i = 0; i < c->n_acls && !c->oom; i++)
		c->oom = index_one(c, i) < 0;
	return 0;
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

/* What the ACLs at idx[0..n) (all of them when idx is NULL) say:
 * -1 a DENY matched, else bit 0 "some ACL applies", bit 1 "an ALLOW
 * matched". */
static int decide_over(const struct acl_cache *c, const int *idx, int n, const char *principal,
		       const char *host, int8_t op, int8_t rt, const char *name, size_t len)
{
	int out = 0;
	for (int k = 0; k < n; k++) {
		const struct acl_binding *a = &c->acls[idx ? idx[k] : k];
		if (!pattern_applies(a, rt, name, len))
			continue;
		out |= 1;
		if (!principal_matches(a, principal) || !host_matches(a, host))
			continue;
		if (a->permission == ACL_PERM_DENY &&
		    (a->operation == op || a->operation == ACL_OP_ALL))
			return -1; /* DENY wins */
		if (a->permission == ACL_PERM_ALLOW && allow_grants(a->operation, op))
			out |= 2;
	}
	return out;
}

int acl_cache_allows(const struct acl_cache *c, const char *principal, const char *host,
		     int8_t op, int8_t rt, const char *name, size_t len)
{
	if (acl_cache_is_super(c, principal))
		return 1;
	if (!c->loaded)
		return 0;
	int r;
	if (c->oom || rt < 0 || (size_t)rt >= sizeof c->other / sizeof c->other[0]) {
		r = decide_over(c, NULL, c->n_acls, principal, host, op, rt, name, len);
	} else {
		char buf[256];
		size_t kl;
		char *k = literal_key(rt, name, len, buf, sizeof buf, &kl);
		const struct acl_idx *x = k ? strmap_get(&c->literal, k, kl) : NULL;
		if (k && k != buf)
			free(k);
		if (!k) /* out of memory: the slow way, never a wrong answer */
			r = decide_over(c, NULL, c->n_acls, principal, host, op, rt, name, len);
		else {
			int a = x ? decide_over(c, x->v, x->n, principal, host, op, rt, name, len) : 0;
			int b = a < 0 ? -1
				      : decide_over(c, c->other[rt].v, c->other[rt].n, principal,
						    host, op, rt, name, len);
			r = a < 0 || b < 0 ? -1 : a | b;
		}
	}
	if (r < 0)
		return 0;
	return r & 1 ? (r & 2) != 0 : c->allow_everyone_if_no_acl;
}
