/* ACL store in Kafka's ZooKeeper layout (see acl.h and docs/zookeeper.md §1): the
 * pure matching rules of Kafka's ResourcePatternFilter and
 * AccessControlEntryFilter, the znode JSON, and CreateAcls/DescribeAcls/
 * DeleteAcls run on the coordination thread, and the feed that hands the
 * whole store to the broker's authorizer (broker/auth) after each change.
 */
#include "coord/acl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/clock.h"
#include "common/log.h"
#include "common/proto/kerr.h"
#include "coord/coord_int.h"
#include "coord/zjson.h"

#define ACL_LITERAL_ROOT "/kafka-acl"
#define ACL_PREFIXED_ROOT "/kafka-acl-extended/prefixed"
#define ACL_LITERAL_CHANGES "/kafka-acl-changes/acl_changes_"
#define ACL_EXTENDED_CHANGES "/kafka-acl-extended-changes/acl_changes_"
#define ACL_UPDATE_ATTEMPTS 10   /* Kafka's maxUpdateRetries */
#define ACL_MAX_BINDINGS 100000  /* bounds a scan of a hostile store */
#define ACL_STR_MAX 4096
#define ACL_PATH_MAX 1024

/* ---- names ---- */

static const char *const res_names[] = {
	[ACL_RES_TOPIC] = "Topic", [ACL_RES_GROUP] = "Group",
	[ACL_RES_CLUSTER] = "Cluster", [ACL_RES_TRANSACTIONAL_ID] = "TransactionalId",
	[ACL_RES_DELEGATION_TOKEN] = "DelegationToken",
};
/* Kafka's enum names (ResourceType.toString), used in change notifications */
static const char *const res_enum_names[] = {
	[ACL_RES_TOPIC] = "TOPIC", [ACL_RES_GROUP] = "GROUP",
	[ACL_RES_CLUSTER] = "CLUSTER", [ACL_RES_TRANSACTIONAL_ID] = "TRANSACTIONAL_ID",
	[ACL_RES_DELEGATION_TOKEN] = "DELEGATION_TOKEN",
};
static const char *const op_names[] = {
	[ACL_OP_ALL] = "All", [ACL_OP_READ] = "Read", [ACL_OP_WRITE] = "Write",
	[ACL_OP_CREATE] = "Create", [ACL_OP_DELETE] = "Delete",
	[ACL_OP_ALTER] = "Alter", [ACL_OP_DESCRIBE] = "Describe",
	[ACL_OP_CLUSTER_ACTION] = "ClusterAction",
	[ACL_OP_DESCRIBE_CONFIGS] = "DescribeConfigs",
	[ACL_OP_ALTER_CONFIGS] = "AlterConfigs",
	[ACL_OP_IDEMPOTENT_WRITE] = "IdempotentWrite",
};
static const char *const perm_names[] = {
	[ACL_PERM_DENY] = "Deny", [ACL_PERM_ALLOW] = "Allow",
};

#define NAME_AT(tab, i) \
	((i) >= 0 && (size_t)(i) < sizeof tab / sizeof tab[0] ? tab[i] : NULL)

const char *acl_resource_type_name(int8_t t) { return NAME_AT(res_names, t); }
const char *acl_operation_name(int8_t op) { return NAME_AT(op_names, op); }
const char *acl_permission_name(int8_t p) { return NAME_AT(perm_names, p); }

static int8_t name_parse(const char *const *tab, size_t n, const char *s)
{
	for (size_t i = 0; s && i < n; i++)
		if (tab[i] && strcasecmp(tab[i], s) == 0)
			return (int8_t)i;
	return 0;
}
#define PARSE(tab, s) name_parse(tab, sizeof tab / sizeof tab[0], s)

int8_t acl_resource_type_parse(const char *s) { return PARSE(res_names, s); }
int8_t acl_operation_parse(const char *s) { return PARSE(op_names, s); }
int8_t acl_permission_parse(const char *s) { return PARSE(perm_names, s); }

/* ---- validation and matching (Kafka's AuthorizerUtils and filters) ---- */

int16_t acl_binding_check(const struct acl_binding *b, const char **why)
{
	*why = NULL;
	if (!acl_resource_type_name(b->resource_type))
		*why = "resource type must be TOPIC, GROUP, CLUSTER, TRANSACTIONAL_ID or DELEGATION_TOKEN";
	else if (b->pattern_type != ACL_PAT_LITERAL && b->pattern_type != ACL_PAT_PREFIXED)
		*why = "resource pattern type must be LITERAL or PREFIXED";
	else if (!acl_operation_name(b->operation))
		*why = "operation must be a concrete operation";
	else if (!acl_permission_name(b->permission))
		*why = "permission type must be ALLOW or DENY";
	else if (!b->resource_name || !b->resource_name[0])
		*why = "Invalid empty resource name";
	else if (b->resource_type == ACL_RES_CLUSTER &&
		 strcmp(b->resource_name, ACL_CLUSTER_NAME) != 0)
		*why = "The only valid name for the CLUSTER resource is " ACL_CLUSTER_NAME;
	else if (strchr(b->resource_name, '/') || strcmp(b->resource_name, ".") == 0 ||
		 strcmp(b->resource_name, "..") == 0)
		*why = "resource name cannot be stored as a ZooKeeper node name";
	else if (!b->principal || !strchr(b->principal, ':') || b->principal[0] == ':')
		*why = "principal must be of the form Type:name";
	else if (!b->host || !b->host[0])
		*why = "host must not be empty";
	return *why ? KERR_INVALID_REQUEST : 0;
}

int16_t acl_filter_check(const struct acl_filter *f, const char **why)
{
	*why = NULL;
	if (f->resource_type != ACL_RES_ANY && !acl_resource_type_name(f->resource_type))
		*why = "unknown resource type in filter";
	else if (f->pattern_type < ACL_PAT_ANY || f->pattern_type > ACL_PAT_PREFIXED)
		*why = "unknown pattern type in filter";
	else if (f->operation != ACL_OP_ANY && !acl_operation_name(f->operation))
		*why = "unknown operation in filter";
	else if (f->permission != ACL_PERM_ANY && !acl_permission_name(f->permission))
		*why = "unknown permission type in filter";
	return *why ? KERR_INVALID_REQUEST : 0;
}

int acl_filter_matches_pattern(const struct acl_filter *f, int8_t resource_type,
			       int8_t pattern_type, const char *name)
{
	if (f->resource_type != ACL_RES_ANY && f->resource_type != resource_type)
		return 0;
	if (f->pattern_type != ACL_PAT_ANY && f->pattern_type != ACL_PAT_MATCH &&
	    f->pattern_type != pattern_type)
		return 0;
	if (!f->resource_name)
		return 1;
	if (f->pattern_type == ACL_PAT_ANY || f->pattern_type == pattern_type)
		return strcmp(f->resource_name, name) == 0;
	/* MATCH: what would apply to a resource called f->resource_name */
	if (pattern_type == ACL_PAT_LITERAL)
		return strcmp(f->resource_name, name) == 0 || strcmp(name, ACL_WILDCARD) == 0;
	if (pattern_type == ACL_PAT_PREFIXED)
		return strncmp(f->resource_name, name, strlen(name)) == 0;
	return 0;
}

static int filter_matches_entry(const struct acl_filter *f, const struct acl_binding *b)
{
	return (!f->principal || strcmp(f->principal, b->principal) == 0) &&
	       (!f->host || strcmp(f->host, b->host) == 0) &&
	       (f->operation == ACL_OP_ANY || f->operation == b->operation) &&
	       (f->permission == ACL_PERM_ANY || f->permission == b->permission);
}

int acl_filter_matches(const struct acl_filter *f, const struct acl_binding *b)
{
	return acl_filter_matches_pattern(f, b->resource_type, b->pattern_type,
					  b->resource_name) &&
	       filter_matches_entry(f, b);
}

/* ---- owned binding lists ---- */

struct acl_list {
	struct acl_binding *v;
	int n, cap;
	int oom;
};

static void list_free(struct acl_list *l)
{
	for (int i = 0; i < l->n; i++) {
		free((char *)l->v[i].resource_name);
		free((char *)l->v[i].principal);
		free((char *)l->v[i].host);
	}
	free(l->v);
	memset(l, 0, sizeof *l);
}

static int list_add(struct acl_list *l, const struct acl_binding *b)
{
	if (l->n >= ACL_MAX_BINDINGS) {
		l->oom = 1;
		return -1;
	}
	if (l->n == l->cap) {
		int cap = l->cap ? l->cap * 2 : 16;
		struct acl_binding *v = realloc(l->v, (size_t)cap * sizeof *v);
		if (!v) {
			l->oom = 1;
			return -1;
		}
		l->v = v;
		l->cap = cap;
	}
	struct acl_binding *d = &l->v[l->n];
	*d = *b;
	d->resource_name = strdup(b->resource_name);
	d->principal = strdup(b->principal);
	d->host = strdup(b->host);
	if (!d->resource_name || !d->principal || !d->host) {
		free((char *)d->resource_name);
		free((char *)d->principal);
		free((char *)d->host);
		l->oom = 1;
		return -1;
	}
	l->n++;
	return 0;
}

static int same_entry(const struct acl_binding *a, const struct acl_binding *b)
{
	return a->operation == b->operation && a->permission == b->permission &&
	       strcmp(a->principal, b->principal) == 0 && strcmp(a->host, b->host) == 0;
}

static int same_resource(const struct acl_binding *a, const struct acl_binding *b)
{
	return a->resource_type == b->resource_type && a->pattern_type == b->pattern_type &&
	       strcmp(a->resource_name, b->resource_name) == 0;
}

/* ---- znode data ---- */

static int node_path(char *out, size_t cap, int8_t rt, int8_t pt, const char *name)
{
	int n = snprintf(out, cap, "%s/%s%s%s",
			 pt == ACL_PAT_LITERAL ? ACL_LITERAL_ROOT : ACL_PREFIXED_ROOT,
			 acl_resource_type_name(rt), name ? "/" : "", name ? name : "");
	return n > 0 && (size_t)n < cap ? 0 : -1;
}

/* Appends the entries of a resource node's JSON to l (resource fields from
 * res). Entries with names Kafka would not write are skipped and logged. */
static int node_decode(const char *d, int len, const struct acl_binding *res,
		       struct acl_list *l)
{
	struct zjson j;
	if (len == 0)
		return 0;
	if (zj_parse(&j, d, (size_t)len) < 0)
		return -1;
	int arr = zj_get(&j, 0, "acls");
	int bad = arr < 0 || zj_type(&j, arr) != ZJ_ARR;
	int count = bad ? 0 : j.t[arr].count;
	char p[ACL_STR_MAX], h[ACL_STR_MAX], op[64], perm[64];
	for (int i = 0; i < count && !l->oom; i++) {
		int e = zj_at(&j, arr, i);
		if (zj_str(&j, zj_get(&j, e, "principal"), p, sizeof p) ||
		    zj_str(&j, zj_get(&j, e, "host"), h, sizeof h) ||
		    zj_str(&j, zj_get(&j, e, "operation"), op, sizeof op) ||
		    zj_str(&j, zj_get(&j, e, "permissionType"), perm, sizeof perm)) {
			bad = 1;
			continue;
		}
		struct acl_binding b = *res;
		b.principal = p;
		b.host = h;
		b.operation = acl_operation_parse(op);
		b.permission = acl_permission_parse(perm);
		if (!b.operation || !b.permission) {
			bad = 1;
			continue;
		}
		list_add(l, &b);
	}
	zj_free(&j);
	return bad ? -1 : 0;
}

static void node_encode(struct zbuf *z, const struct acl_list *l)
{
	zb_puts(z, "{\"version\":1,\"acls\":[");
	for (int i = 0; i < l->n; i++) {
		zb_puts(z, i ? ",{\"principal\":" : "{\"principal\":");
		zb_jstr(z, l->v[i].principal);
		zb_printf(z, ",\"permissionType\":\"%s\",\"operation\":\"%s\",\"host\":",
			  acl_permission_name(l->v[i].permission),
			  acl_operation_name(l->v[i].operation));
		zb_jstr(z, l->v[i].host);
		zb_puts(z, "}");
	}
	zb_puts(z, "]}");
}

/* ---- ZooKeeper (coordination thread only) ---- */

static int zk_ok(struct coord *c)
{
	return !atomic_load(&c->stopping) && c->zh && zoo_state(c->zh) == ZOO_CONNECTED_STATE;
}

/* Reads one resource node into l; *version -1 when it does not exist. */
static int res_read(struct coord *c, const struct acl_binding *res,
		    struct acl_list *l, int32_t *version)
{
	char path[ACL_PATH_MAX];
	if (node_path(path, sizeof path, res->resource_type, res->pattern_type,
		      res->resource_name) < 0)
		return ZBADARGUMENTS;
	char *d;
	int len;
	struct Stat st;
	*version = -1;
	int rc = zk_get_alloc(c, path, 0, &d, &len, &st);
	if (rc == ZNONODE)
		return ZOK;
	if (rc != ZOK)
		return rc;
	*version = st.version;
	if (node_decode(d, len, res, l) < 0)
		log_warn(COORD_MOD, "%s: malformed ACL entries skipped", path);
	free(d);
	return l->oom ? ZSYSTEMERROR : ZOK;
}

/* Kafka's change notification: literal patterns "TOPIC:name" under
 * /kafka-acl-changes, others a JSON event under /kafka-acl-extended-changes.
 * Other brokers' caches (and Kafka's) refresh from these. */
static void res_notify(struct coord *c, const struct acl_binding *res)
{
	struct zbuf z;
	zb_init(&z);
	const char *path;
	if (res->pattern_type == ACL_PAT_LITERAL) {
		path = ACL_LITERAL_CHANGES;
		zb_printf(&z, "%s:%s", res_enum_names[res->resource_type], res->resource_name);
	} else {
		path = ACL_EXTENDED_CHANGES;
		zb_printf(&z, "{\"version\":1,\"resourceType\":\"%s\",\"name\":",
			  res_enum_names[res->resource_type]);
		zb_jstr(&z, res->resource_name);
		zb_puts(&z, ",\"patternType\":\"PREFIXED\"}");
	}
	int rc = z.oom ? ZSYSTEMERROR : ZOK;
	for (int k = 0; rc == ZOK && k < 2; k++) {
		rc = zoo_create(c->zh, path, z.p, (int)z.len, zk_acl(c, path),
				ZOO_SEQUENCE, NULL, 0);
		if (rc == ZNONODE) {
			char parent[128];
			snprintf(parent, sizeof parent, "%s", path);
			*strrchr(parent, '/') = 0;
			rc = zk_create_path(c, parent);
			if (rc == ZOK)
				continue;
		}
		break;
	}
	if (rc != ZOK)
		log_warn(COORD_MOD, "ACL change notification for %s not written: %s",
			 res->resource_name, zerror(rc));
	zb_free(&z);
}

/* Writes l as the resource's node: create, conditional set, or conditional
 * delete when l is empty. */
static int res_write(struct coord *c, const struct acl_binding *res,
		     const struct acl_list *l, int32_t version)
{
	char path[ACL_PATH_MAX];
	if (node_path(path, sizeof path, res->resource_type, res->pattern_type,
		      res->resource_name) < 0)
		return ZBADARGUMENTS;
	if (l->n == 0)
		return version < 0 ? ZOK : zoo_delete(c->zh, path, version);
	struct zbuf z;
	zb_init(&z);
	node_encode(&z, l);
	int rc = ZSYSTEMERROR;
	if (z.oom)
		goto out;
	if (version >= 0) {
		rc = zoo_set(c->zh, path, z.p, (int)z.len, version);
		goto out;
	}
	rc = zoo_create(c->zh, path, z.p, (int)z.len, zk_acl(c, path), 0, NULL, 0);
	if (rc == ZNONODE) {
		char parent[ACL_PATH_MAX];
		node_path(parent, sizeof parent, res->resource_type, res->pattern_type, NULL);
		rc = zk_create_path(c, parent);
		if (rc == ZOK)
			rc = zoo_create(c->zh, path, z.p, (int)z.len, zk_acl(c, path),
					0, NULL, 0);
	}
out:
	zb_free(&z);
	return rc;
}

/* Read-modify-write of one resource, as Kafka's updateResourceAcls: modify
 * turns the current entries into the new ones (returns nonzero if changed)
 * and must be repeatable, since a concurrent writer makes us start over. */
typedef int (*res_modify_fn)(void *ctx, struct acl_list *cur, struct acl_list *next);

static void res_deliver(struct coord *c, const struct acl_binding *res, struct acl_list *l);

static int res_update(struct coord *c, const struct acl_binding *res,
		      res_modify_fn modify, void *ctx)
{
	int rc = ZBADVERSION;
	for (int k = 0; k < ACL_UPDATE_ATTEMPTS && zk_ok(c); k++) {
		struct acl_list cur = { 0 }, next = { 0 };
		int32_t version;
		rc = res_read(c, res, &cur, &version);
		int changed = rc == ZOK ? modify(ctx, &cur, &next) : 0;
		if (rc == ZOK && next.oom)
			rc = ZSYSTEMERROR;
		else if (rc == ZOK && changed)
			rc = res_write(c, res, &next, version);
		/* As Kafka's updateCache: this broker's own cache gets what was
		 * just written (or found unchanged) before the caller answers;
		 * mbox order puts it ahead of the answer on the loop thread.
		 * Other brokers follow the notification. */
		if (rc == ZOK)
			res_deliver(c, res, changed ? &next : &cur);
		list_free(&cur);
		list_free(&next);
		if (rc == ZOK && changed)
			res_notify(c, res);
		if (rc != ZBADVERSION && rc != ZNODEEXISTS && rc != ZNONODE &&
		    rc != ZNOTEMPTY)
			return rc;
	}
	return rc;
}

/* Appends every stored binding the filter matches (NULL: all) to out. */
static int store_scan(struct coord *c, const struct acl_filter *f, struct acl_list *out)
{
	static const int8_t pats[] = { ACL_PAT_LITERAL, ACL_PAT_PREFIXED };
	for (size_t p = 0; p < 2; p++) {
		for (int8_t rt = ACL_RES_TOPIC; rt <= ACL_RES_DELEGATION_TOKEN; rt++) {
			char dir[ACL_PATH_MAX];
			node_path(dir, sizeof dir, rt, pats[p], NULL);
			struct String_vector kids = { 0, NULL };
			int rc = zoo_get_children(c->zh, dir, 0, &kids);
			if (rc == ZNONODE)
				continue;
			if (rc != ZOK)
				return rc;
			for (int i = 0; i < kids.count && rc == ZOK; i++) {
				struct acl_binding res = { .resource_type = rt,
					.pattern_type = pats[p], .resource_name = kids.data[i] };
				if (f && !acl_filter_matches_pattern(f, rt, pats[p], kids.data[i]))
					continue;
				struct acl_list l = { 0 };
				int32_t version;
				rc = res_read(c, &res, &l, &version);
				for (int e = 0; rc == ZOK && e < l.n; e++)
					if ((!f || acl_filter_matches(f, &l.v[e])) &&
					    list_add(out, &l.v[e]) < 0)
						rc = ZSYSTEMERROR;
				list_free(&l);
			}
			deallocate_String_vector(&kids);
			if (rc != ZOK)
				return rc;
		}
	}
	return ZOK;
}

static int16_t zk_kerr(struct coord *c, int rc, const char **msg)
{
	if (rc == ZOK)
		return 0;
	*msg = zerror(rc);
	if (!zk_ok(c) || rc == ZCONNECTIONLOSS || rc == ZOPERATIONTIMEOUT)
		return KERR_REQUEST_TIMED_OUT;
	return KERR_UNKNOWN_SERVER_ERROR;
}

/* ---- the three operations ---- */

struct acl_op {
	struct coord *c;
	struct acl_list in;        /* bindings to create; filters as bindings */
	struct acl_filter *filters;
	int nf;
	coord_acls_created_fn created;
	coord_acls_fn described;
	coord_acls_deleted_fn deleted;
	void *arg;
	int16_t kerr;
	const char *msg;
	int16_t *errs;
	const char **msgs;
	struct acl_list out;       /* described or deleted */
	int *fidx;
	int16_t *out_errs;
	int cap_out;
};

static void op_free(struct acl_op *op)
{
	list_free(&op->in);
	list_free(&op->out);
	for (int i = 0; i < op->nf; i++) {
		free((char *)op->filters[i].resource_name);
		free((char *)op->filters[i].principal);
		free((char *)op->filters[i].host);
	}
	free(op->filters);
	free(op->errs);
	free(op->msgs);
	free(op->fidx);
	free(op->out_errs);
	free(op);
}

static char *dup_or_null(const char *s, int *oom)
{
	if (!s)
		return NULL;
	char *d = strdup(s);
	if (!d)
		*oom = 1;
	return d;
}

static struct acl_op *op_new(struct coord *c, void *arg, const struct acl_filter *f,
			     int nf)
{
	struct acl_op *op = calloc(1, sizeof *op);
	if (!op)
		return NULL;
	op->c = c;
	op->arg = arg;
	int oom = 0;
	if (nf > 0 && !(op->filters = calloc((size_t)nf, sizeof *op->filters)))
		oom = 1;
	for (int i = 0; !oom && i < nf; i++) {
		op->filters[i] = f[i];
		op->filters[i].resource_name = dup_or_null(f[i].resource_name, &oom);
		op->filters[i].principal = dup_or_null(f[i].principal, &oom);
		op->filters[i].host = dup_or_null(f[i].host, &oom);
		op->nf = i + 1;
	}
	if (oom) {
		op_free(op);
		return NULL;
	}
	return op;
}

/* create */

struct create_ctx {
	const struct acl_list *want;
	const struct acl_binding *res;
};

static int create_modify(void *arg, struct acl_list *cur, struct acl_list *next)
{
	struct create_ctx *x = arg;
	int changed = 0;
	for (int i = 0; i < cur->n; i++)
		list_add(next, &cur->v[i]);
	for (int i = 0; i < x->want->n; i++) {
		const struct acl_binding *b = &x->want->v[i];
		if (!same_resource(b, x->res))
			continue;
		int have = 0;
		for (int e = 0; e < next->n && !have; e++)
			have = same_entry(&next->v[e], b);
		if (!have) {
			list_add(next, b);
			changed = 1;
		}
	}
	return changed;
}

static void create_deliver(void *arg)
{
	struct acl_op *op = arg;
	op->created(op->arg, op->errs, op->msgs, op->in.n);
	op_free(op);
}

static void create_run(void *arg)
{
	struct acl_op *op = arg;
	struct coord *c = op->c;
	for (int i = 0; i < op->in.n; i++) {
		if (op->errs[i] != -2)
			continue; /* invalid, or written with an earlier resource */
		const struct acl_binding *res = &op->in.v[i];
		struct create_ctx x = { &op->in, res };
		int rc = zk_ok(c) ? res_update(c, res, create_modify, &x) : ZINVALIDSTATE;
		const char *msg = NULL;
		int16_t kerr = zk_kerr(c, rc, &msg);
		for (int j = i; j < op->in.n; j++)
			if (op->errs[j] == -2 && same_resource(&op->in.v[j], res)) {
				op->errs[j] = kerr;
				op->msgs[j] = msg;
			}
		if (rc == ZOK)
			log_info(COORD_MOD, "ACLs updated for %s:%s (%s)",
				 acl_resource_type_name(res->resource_type),
				 res->resource_name,
				 res->pattern_type == ACL_PAT_LITERAL ? "literal" : "prefixed");
	}
	mbox_post(c->loop_mbox, create_deliver, op);
}

void coord_create_acls(struct coord *c, const struct acl_binding *bindings, int n,
		       coord_acls_created_fn done, void *arg)
{
	struct acl_op *op = op_new(c, arg, NULL, 0);
	int oom = !op || n < 0;
	if (op)
		op->created = done;
	if (!oom) {
		op->errs = calloc((size_t)n + 1, sizeof *op->errs);
		op->msgs = calloc((size_t)n + 1, sizeof *op->msgs);
		oom = !op->errs || !op->msgs;
	}
	for (int i = 0; !oom && i < n; i++) {
		const char *why;
		/* -2: valid, still to be written */
		op->errs[op->in.n] = acl_binding_check(&bindings[i], &why);
		op->msgs[op->in.n] = why;
		if (op->errs[op->in.n] == 0)
			op->errs[op->in.n] = -2;
		/* list_add needs non-NULL strings; an invalid binding may lack one */
		struct acl_binding b = bindings[i];
		if (!b.resource_name) b.resource_name = "";
		if (!b.principal) b.principal = "";
		if (!b.host) b.host = "";
		oom = list_add(&op->in, &b) < 0;
	}
	if (oom) {
		int16_t *errs = calloc((size_t)n + 1, sizeof *errs);
		for (int i = 0; errs && i < n; i++)
			errs[i] = KERR_UNKNOWN_SERVER_ERROR;
		const char **msgs = calloc((size_t)n + 1, sizeof *msgs);
		if (errs && msgs)
			done(arg, errs, msgs, n);
		else
			done(arg, NULL, NULL, 0);
		free(errs);
		free(msgs);
		if (op)
			op_free(op);
		return;
	}
	mbox_post(c->events, create_run, op);
}

/* describe */

static void describe_deliver(void *arg)
{
	struct acl_op *op = arg;
	op->described(op->arg, op->kerr, op->msg, op->out.v, op->out.n);
	op_free(op);
}

static void describe_run(void *arg)
{
	struct acl_op *op = arg;
	struct coord *c = op->c;
	int rc = zk_ok(c) ? store_scan(c, &op->filters[0], &op->out) : ZINVALIDSTATE;
	op->kerr = zk_kerr(c, rc, &op->msg);
	if (op->kerr)
		list_free(&op->out);
	mbox_post(c->loop_mbox, describe_deliver, op);
}

void coord_describe_acls(struct coord *c, const struct acl_filter *f,
			 coord_acls_fn done, void *arg)
{
	struct acl_op *op = op_new(c, arg, f, 1);
	if (!op) {
		done(arg, KERR_UNKNOWN_SERVER_ERROR, "out of memory", NULL, 0);
		return;
	}
	op->described = done;
	mbox_post(c->events, describe_run, op);
}

/* delete */

struct delete_ctx {
	struct acl_op *op;
	struct acl_list gone;   /* this resource's deleted bindings */
	int *gone_fidx;
	int cap;
};

static int delete_modify(void *arg, struct acl_list *cur, struct acl_list *next)
{
	struct delete_ctx *x = arg;
	list_free(&x->gone); /* a retry starts over */
	for (int e = 0; e < cur->n; e++) {
		int hit = -1;
		for (int f = 0; f < x->op->nf && hit < 0; f++)
			if (acl_filter_matches(&x->op->filters[f], &cur->v[e]))
				hit = f;
		if (hit < 0) {
			list_add(next, &cur->v[e]);
			continue;
		}
		if (x->gone.n == x->cap) {
			int cap = x->cap ? 2 * x->cap : 8;
			int *v = realloc(x->gone_fidx, (size_t)cap * sizeof *v);
			if (!v) {
				next->oom = 1;
				continue;
			}
			x->gone_fidx = v;
			x->cap = cap;
		}
		x->gone_fidx[x->gone.n] = hit;
		if (list_add(&x->gone, &cur->v[e]) < 0)
			next->oom = 1;
	}
	return x->gone.n > 0;
}

static int out_reserve(struct acl_op *op, int more)
{
	if (op->out.n + more <= op->cap_out)
		return 0;
	int cap = op->out.n + more + 16;
	int *fi = realloc(op->fidx, (size_t)cap * sizeof *fi);
	if (fi)
		op->fidx = fi;
	int16_t *er = realloc(op->out_errs, (size_t)cap * sizeof *er);
	if (er)
		op->out_errs = er;
	if (!fi || !er)
		return -1;
	op->cap_out = cap;
	return 0;
}

static void delete_deliver(void *arg)
{
	struct acl_op *op = arg;
	op->deleted(op->arg, op->kerr, op->msg, op->out.v,
					   op->fidx, op->out_errs, op->out.n);
	op_free(op);
}

/* Resources (not entries) that some filter's pattern part matches. */
static int delete_resources(struct acl_op *op, struct acl_list *res)
{
	struct acl_list all = { 0 };
	int rc = store_scan(op->c, NULL, &all);
	for (int i = 0; rc == ZOK && i < all.n; i++) {
		const struct acl_binding *b = &all.v[i];
		int hit = 0, dup = 0;
		for (int f = 0; f < op->nf && !hit; f++)
			hit = acl_filter_matches_pattern(&op->filters[f], b->resource_type,
							 b->pattern_type, b->resource_name);
		for (int r = 0; hit && r < res->n && !dup; r++)
			dup = same_resource(&res->v[r], b);
		if (hit && !dup && list_add(res, b) < 0)
			rc = ZSYSTEMERROR;
	}
	list_free(&all);
	return rc;
}

static void delete_run(void *arg)
{
	struct acl_op *op = arg;
	struct coord *c = op->c;
	struct acl_list res = { 0 };
	int rc = zk_ok(c) ? delete_resources(op, &res) : ZINVALIDSTATE;
	op->kerr = zk_kerr(c, rc, &op->msg);
	for (int r = 0; op->kerr == 0 && r < res.n; r++) {
		struct delete_ctx x = { .op = op };
		int wrc = res_update(c, &res.v[r], delete_modify, &x);
		const char *msg;
		int16_t kerr = zk_kerr(c, wrc, &msg);
		if (out_reserve(op, x.gone.n) < 0) {
			op->kerr = KERR_UNKNOWN_SERVER_ERROR;
			op->msg = "out of memory";
		}
		for (int e = 0; op->kerr == 0 && e < x.gone.n; e++) {
			op->fidx[op->out.n] = x.gone_fidx[e];
			op->out_errs[op->out.n] = kerr;
			if (list_add(&op->out, &x.gone.v[e]) < 0) {
				op->kerr = KERR_UNKNOWN_SERVER_ERROR;
				op->msg = "out of memory";
			}
		}
		if (wrc == ZOK && x.gone.n)
			log_info(COORD_MOD, "deleted %d ACL(s) of %s:%s", x.gone.n,
				 acl_resource_type_name(res.v[r].resource_type),
				 res.v[r].resource_name);
		list_free(&x.gone);
		free(x.gone_fidx);
	}
	list_free(&res);
	if (op->kerr)
		list_free(&op->out);
	mbox_post(c->loop_mbox, delete_deliver, op);
}

void coord_delete_acls(struct coord *c, const struct acl_filter *filters, int nf,
		       coord_acls_deleted_fn done, void *arg)
{
	struct acl_op *op = nf >= 0 ? op_new(c, arg, filters, nf) : NULL;
	if (!op) {
		done(arg, KERR_UNKNOWN_SERVER_ERROR, "out of memory", NULL, NULL, NULL, 0);
		return;
	}
	op->deleted = done;
	mbox_post(c->events, delete_run, op);
}

/* ---- the authorizer's feed (coordination thread) ---- */

#define ACL_CHANGE_EXPIRY_MS (15 * 60 * 1000) /* Kafka's changeExpirationMs */
#define ACL_PURGE_INTERVAL_MS 60000
#define ACL_PURGE_MAX 1000                    /* change znodes examined per pass */

struct acl_feed {
	coord_acls_changed_fn fn;
	void *arg;
	struct acl_list l;
};

static void feed_deliver(void *arg)
{
	struct acl_feed *f = arg;
	f->fn(f->arg, f->l.v, f->l.n); /* the callee owns the list now */
	free(f);
}

/* Deletes change notifications older than Kafka's 15 minutes. */
static void changes_purge(struct coord *c, const char *dir, const struct String_vector *kids)
{
	int64_t now = clock_wall_ms();
	for (int i = 0; i < kids->count && i < ACL_PURGE_MAX; i++) {
		char path[ACL_PATH_MAX];
		struct Stat st;
		snprintf(path, sizeof path, "%s/%s", dir, kids->data[i]);
		if (zoo_exists(c->zh, path, 0, &st) == ZOK &&
		    now - st.ctime > ACL_CHANGE_EXPIRY_MS)
			zoo_delete(c->zh, path, -1);
	}
}

static const char *const change_dirs[2] = { "/kafka-acl-changes", "/kafka-acl-extended-changes" };
#define ACL_INCREMENTAL_MAX 200 /* more new notifications at once: re-read all */

/* The sequence number of "acl_changes_0000000042", or -1. */
static int64_t change_seq(const char *child)
{
	const char *u = strrchr(child, '_');
	if (!u || !u[1] || strspn(u + 1, "0123456789") != strlen(u + 1) || strlen(u + 1) > 18)
		return -1;
	return strtoll(u + 1, NULL, 10);
}

/* Lists a change directory, re-arming its child watch (creating it if it
 * was removed). */
static int changes_list(struct coord *c, int d, struct String_vector *kids)
{
	int rc = zoo_get_children(c->zh, change_dirs[d], 1, kids);
	if (rc == ZNONODE && zk_create_path(c, change_dirs[d]) == ZOK)
		rc = zoo_get_children(c->zh, change_dirs[d], 1, kids);
	return rc;
}

/* Full-read start: watch both directories, note how far they go, purge. */
static int changes_watch(struct coord *c, int d, int purge)
{
	struct String_vector kids = { 0, NULL };
	int rc = changes_list(c, d, &kids);
	c->acl_seen[d] = -1;
	for (int i = 0; rc == ZOK && i < kids.count; i++) {
		int64_t q = change_seq(kids.data[i]);
		if (q > c->acl_seen[d])
			c->acl_seen[d] = q;
	}
	if (rc == ZOK && purge)
		changes_purge(c, change_dirs[d], &kids);
	deallocate_String_vector(&kids);
	return rc;
}

void acl_sync_all(struct coord *c)
{
	if (!c->cfg.acls_fn)
		return;
	int64_t now = clock_mono_ms();
	int purge = now >= c->acl_purge_at_ms;
	if (purge)
		c->acl_purge_at_ms = now + ACL_PURGE_INTERVAL_MS;
	/* watches first: a change made during the scan fires them again */
	int rc = changes_watch(c, 0, purge);
	if (rc == ZOK)
		rc = changes_watch(c, 1, purge);
	struct acl_feed *f = rc == ZOK ? calloc(1, sizeof *f) : NULL;
	if (f)
		rc = store_scan(c, NULL, &f->l);
	if (!f || rc != ZOK) {
		/* the session start re-reads everything; until then the old cache
		 * stays in force */
		log_warn(COORD_MOD, "ACLs not re-read: %s", f ? zerror(rc) : "out of memory");
		if (f)
			list_free(&f->l);
		free(f);
		return;
	}
	f->fn = c->cfg.acls_fn;
	f->arg = c->cfg.acls_arg;
	mbox_post(c->loop_mbox, feed_deliver, f);
}

/* The resource a notification names: "Type:name" (literal; Kafka writes
 * "Topic:x", Gregor and some tools "TOPIC:x") or Kafka's extended JSON
 * event. 0, or -1 when it does not parse. */
static int8_t type_of(const char *s, size_t n)
{
	char t[32];
	if (n == 0 || n >= sizeof t)
		return 0;
	memcpy(t, s, n);
	t[n] = 0;
	for (int8_t rt = ACL_RES_TOPIC; rt <= ACL_RES_DELEGATION_TOKEN; rt++)
		if (strcasecmp(t, res_names[rt]) == 0 || strcasecmp(t, res_enum_names[rt]) == 0)
			return rt;
	return 0;
}

static int change_parse(int d, const char *data, int len, struct acl_binding *res, char *name,
			size_t cap)
{
	*res = (struct acl_binding){ .resource_name = name, .principal = "", .host = "" };
	if (d == 0) {
		const char *colon = memchr(data, ':', (size_t)len);
		size_t nl = colon ? (size_t)(data + len - colon - 1) : 0;
		if (!colon || nl == 0 || nl >= cap)
			return -1;
		res->resource_type = type_of(data, (size_t)(colon - data));
		res->pattern_type = ACL_PAT_LITERAL;
		memcpy(name, colon + 1, nl);
		name[nl] = 0;
		return res->resource_type ? 0 : -1;
	}
	struct zjson j;
	char rt[32], pt[32];
	if (zj_parse(&j, data, (size_t)len) < 0)
		return -1;
	int bad = zj_str(&j, zj_get(&j, 0, "resourceType"), rt, sizeof rt) ||
		  zj_str(&j, zj_get(&j, 0, "name"), name, cap) ||
		  zj_str(&j, zj_get(&j, 0, "patternType"), pt, sizeof pt);
	zj_free(&j);
	if (bad)
		return -1;
	res->resource_type = type_of(rt, strlen(rt));
	res->pattern_type = strcasecmp(pt, "PREFIXED") == 0 ? ACL_PAT_PREFIXED
			    : strcasecmp(pt, "LITERAL") == 0 ? ACL_PAT_LITERAL : 0;
	return res->resource_type && res->pattern_type && name[0] ? 0 : -1;
}

struct acl_res_update {
	coord_acl_resource_fn fn;
	void *arg;
	int8_t rt, pt;
	char *name;
	struct acl_list l;
};

static void res_update_deliver(void *arg)
{
	struct acl_res_update *u = arg;
	u->fn(u->arg, u->rt, u->pt, u->name, u->l.v, u->l.n); /* the callee owns l.v */
	free(u->name);
	free(u);
}

/* Hands l (moved out: l is left empty) to the loop as the resource's ACLs;
 * 0, or -1 (out of memory: l is freed). */
static int res_post(struct coord *c, const struct acl_binding *res, struct acl_list *l)
{
	struct acl_res_update *u = calloc(1, sizeof *u);
	if (!u || !(u->name = strdup(res->resource_name))) {
		free(u);
		list_free(l);
		return -1;
	}
	u->l = *l;
	*l = (struct acl_list){ 0 };
	u->fn = c->cfg.acl_resource_fn;
	u->arg = c->cfg.acls_arg;
	u->rt = res->resource_type;
	u->pt = res->pattern_type;
	mbox_post(c->loop_mbox, res_update_deliver, u);
	return 0;
}

/* Re-reads one resource and hands its ACLs to the loop; 0 or -1. */
static int res_refresh(struct coord *c, const struct acl_binding *res)
{
	struct acl_list l = { 0 };
	int32_t version;
	if (res_read(c, res, &l, &version) != ZOK) {
		list_free(&l);
		return -1;
	}
	return res_post(c, res, &l);
}

/* The written state of res into this broker's cache (l is moved out and
 * left empty; no authorizer: nothing). Out of memory falls back to a full
 * re-read so the cache is never left allowing what ZooKeeper now denies. */
static void res_deliver(struct coord *c, const struct acl_binding *res, struct acl_list *l)
{
	if (!c->cfg.acls_fn)
		return;
	if (!c->cfg.acl_resource_fn || l->oom || res_post(c, res, l) < 0)
		acl_sync_all(c);
}

/* Applies the notifications of directory d newer than the last applied, in
 * order, each by re-reading only the resource it names (as Kafka's
 * AclAuthorizer). Returns -1 when only a full re-read will do. */
static int changes_apply(struct coord *c, int d)
{
	struct String_vector kids = { 0, NULL };
	if (changes_list(c, d, &kids) != ZOK)
		return -1;
	int64_t seqs[ACL_INCREMENTAL_MAX];
	int idx[ACL_INCREMENTAL_MAX], n = 0, rc = 0;
	for (int i = 0; i < kids.count && rc == 0; i++) {
		int64_t q = change_seq(kids.data[i]);
		if (q <= c->acl_seen[d])
			continue;
		if (n == ACL_INCREMENTAL_MAX) {
			rc = -1;
			break;
		}
		/* insertion by sequence: ZooKeeper lists children unordered */
		int k = n++;
		for (; k > 0 && seqs[k - 1] > q; k--) {
			seqs[k] = seqs[k - 1];
			idx[k] = idx[k - 1];
		}
		seqs[k] = q;
		idx[k] = i;
	}
	for (int k = 0; k < n && rc == 0; k++) {
		char path[ACL_PATH_MAX], name[ACL_STR_MAX];
		snprintf(path, sizeof path, "%s/%s", change_dirs[d], kids.data[idx[k]]);
		char *data;
		int len;
		struct acl_binding res;
		int zrc = zk_get_alloc(c, path, 0, &data, &len, NULL);
		if (zrc == ZNONODE) /* purged meanwhile: a full re-read is safe */
			rc = -1;
		else if (zrc != ZOK || change_parse(d, data, len, &res, name, sizeof name) < 0)
			rc = -1;
		else
			rc = res_refresh(c, &res);
		if (zrc == ZOK)
			free(data);
		if (rc == 0)
			c->acl_seen[d] = seqs[k];
	}
	int64_t now = clock_mono_ms();
	if (rc == 0 && now >= c->acl_purge_at_ms) {
		c->acl_purge_at_ms = now + ACL_PURGE_INTERVAL_MS;
		changes_purge(c, change_dirs[d], &kids);
	}
	deallocate_String_vector(&kids);
	return rc;
}

int acl_on_watch(struct coord *c, const char *path)
{
	int d = strcmp(path, change_dirs[0]) == 0 ? 0 : strcmp(path, change_dirs[1]) == 0 ? 1 : -1;
	if (d < 0)
		return 0;
	if (!c->cfg.acls_fn)
		return 1;
	if (!c->cfg.acl_resource_fn) {
		acl_sync_all(c);
	} else if (changes_apply(c, d) < 0) {
		/* unreadable, unknown or too many notifications */
		log_info(COORD_MOD, "ACL change notifications under %s not applied one by one: "
			 "re-reading every ACL", change_dirs[d]);
		acl_sync_all(c);
	}
	return 1;
}
