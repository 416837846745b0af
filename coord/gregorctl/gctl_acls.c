/* gregorctl acls: kafka-acls.sh over the Kafka protocol (CreateAcls,
 * DescribeAcls, DeleteAcls v1, any broker). An ACL is the product of the
 * resources (--topic, --group, --cluster, --transactional-id), principals
 * (--allow-principal, --deny-principal), hosts (default *) and operations
 * (default All); --producer and --consumer expand to the operations Kafka's
 * tool grants for them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "common/proto/kerr.h"
#include "coord/gregorctl/gctl.h"
#include "coord/gregorctl/gctl_kafka.h"
#include "coord/zjson.h"
#include "coord/zkacl.h"

enum { AC_API_DESCRIBE = 29, AC_API_CREATE = 30, AC_API_DELETE = 31 };
enum { AC_RES_ANY = 1, AC_RES_TOPIC = 2, AC_RES_GROUP = 3, AC_RES_CLUSTER = 4, AC_RES_TXN = 5 };
enum { AC_PAT_ANY = 1, AC_PAT_MATCH = 2, AC_PAT_LITERAL = 3, AC_PAT_PREFIXED = 4 };
enum { AC_OP_ANY = 1, AC_OP_ALL = 2, AC_OP_READ = 3, AC_OP_WRITE = 4, AC_OP_CREATE = 5,
       AC_OP_DESCRIBE = 8, AC_OP_IDEMPOTENT_WRITE = 12 };
enum { AC_PERM_ANY = 1, AC_PERM_DENY = 2, AC_PERM_ALLOW = 3 };
#define AC_MAX 4096

static const char *const ac_ops[] = { "Unknown", "Any", "All", "Read", "Write", "Create",
				      "Delete", "Alter", "Describe", "ClusterAction",
				      "DescribeConfigs", "AlterConfigs", "IdempotentWrite",
				      "CreateTokens", "DescribeTokens" };
static const char *const ac_res[] = { "UNKNOWN", "ANY", "TOPIC", "GROUP", "CLUSTER",
				      "TRANSACTIONAL_ID", "DELEGATION_TOKEN", "USER" };
static const char *const ac_pat[] = { "UNKNOWN", "ANY", "MATCH", "LITERAL", "PREFIXED" };
static const char *const ac_perm[] = { "UNKNOWN", "ANY", "DENY", "ALLOW" };

static const struct gctl_spec ac_spec = {
	"acls",
	"bootstrap-server bootstrap command-config zookeeper zk-digest zk-digest-file "
	"authorizer-properties add remove list allow-principal "
	"deny-principal allow-host deny-host operation topic group cluster transactional-id "
	"resource-pattern-type producer consumer idempotent principal force",
	"usage: gregorctl acls (--bootstrap-server H:P | --zookeeper H:P) ACTION [options]\n"
	"       (kafka-acls; --zookeeper, or --authorizer-properties zookeeper.connect=H:P,\n"
	"       reads and writes the authorizer's znodes with change notifications)\n"
	"actions:\n"
	"  --add      --allow-principal P ... | --deny-principal P ...  on RESOURCES\n"
	"             [--operation OP ...] [--allow-host H ...] [--deny-host H ...]\n"
	"  --remove   the same filters; without principals every ACL of the resources\n"
	"             (asks on a terminal unless --force)\n"
	"  --list     [RESOURCES] [--principal P]   (no resource: every ACL)\n"
	"resources: --topic T, --group G, --cluster, --transactional-id ID (repeatable;\n"
	"           * is every name), --resource-pattern-type LITERAL|PREFIXED (add), or\n"
	"           ANY|MATCH too (list, remove); default LITERAL\n"
	"operations: Read Write Create Delete Alter Describe ClusterAction DescribeConfigs\n"
	"           AlterConfigs IdempotentWrite All (default All)\n"
	"conveniences: --producer (topic Write, Describe, Create; --idempotent adds\n"
	"           cluster IdempotentWrite; --transactional-id adds its Write, Describe),\n"
	"           --consumer (topic Read, Describe; group Read; needs --group)\n"
	"principals are TYPE:NAME, e.g. User:alice\n"
	"  --bootstrap-server H:P[,H:P...]  --command-config FILE  --json  --timeout S\n"
	"example: gregorctl acls --bootstrap-server 127.0.0.1:9092 --add \\\n"
	"           --allow-principal User:alice --producer --topic orders\n",
};

/* One ACL binding (or a filter of them). */
struct ac_binding {
	int8_t res, pat;
	const char *name, *principal, *host;
	int8_t op, perm;
};

struct ac_set {
	struct ac_binding *v;
	int n;
};

static int ac_push(struct ac_set *s, struct ac_binding b)
{
	if (s->n == AC_MAX)
		return gctl_err("too many ACLs in one command"), -1;
	s->v[s->n++] = b;
	return 0;
}

static int ac_lookup(const char *const *names, int n, const char *s)
{
	for (int i = 2; i < n; i++)
		if (strcasecmp(names[i], s) == 0)
			return i;
	/* Kafka also takes the enum spellings: CLUSTER_ACTION, DESCRIBE_CONFIGS */
	char flat[64];
	size_t k = 0;
	for (const char *p = s; *p && k + 1 < sizeof flat; p++)
		if (*p != '_')
			flat[k++] = *p;
	flat[k] = 0;
	for (int i = 2; i < n; i++)
		if (strcasecmp(names[i], flat) == 0)
			return i;
	return -1;
}

/* The resources named on the command line, as (type, name) pairs. */
static int ac_resources(const struct gctl_opts *o, struct ac_binding *r, int cap)
{
	int n = 0;
	for (int i = 0; i < o->topics.n && n < cap; i++)
		r[n++] = (struct ac_binding){ .res = AC_RES_TOPIC, .name = o->topics.v[i] };
	for (int i = 0; i < o->groups.n && n < cap; i++)
		r[n++] = (struct ac_binding){ .res = AC_RES_GROUP, .name = o->groups.v[i] };
	for (int i = 0; i < o->txn_ids.n && n < cap; i++)
		r[n++] = (struct ac_binding){ .res = AC_RES_TXN, .name = o->txn_ids.v[i] };
	if (o->cluster && n < cap)
		r[n++] = (struct ac_binding){ .res = AC_RES_CLUSTER, .name = "kafka-cluster" };
	return n;
}

/* Operations for one resource type under --producer/--consumer, or the
 * --operation list; count, or -1 (printed). */
static int ac_ops_for(const struct gctl_opts *o, int8_t res, int8_t *ops)
{
	int n = 0;
	if (o->producer || o->consumer) {
		if (res == AC_RES_TOPIC && o->producer)
			ops[n++] = AC_OP_WRITE, ops[n++] = AC_OP_DESCRIBE, ops[n++] = AC_OP_CREATE;
		if (res == AC_RES_TOPIC && o->consumer)
			ops[n++] = AC_OP_READ, ops[n++] = AC_OP_DESCRIBE;
		if (res == AC_RES_GROUP && o->consumer)
			ops[n++] = AC_OP_READ;
		if (res == AC_RES_TXN && o->producer)
			ops[n++] = AC_OP_WRITE, ops[n++] = AC_OP_DESCRIBE;
		if (res == AC_RES_CLUSTER && o->producer && o->idempotent)
			ops[n++] = AC_OP_IDEMPOTENT_WRITE;
		return n;
	}
	for (int i = 0; i < o->operations.n && n < 16; i++) {
		int op = ac_lookup(ac_ops, 15, o->operations.v[i]);
		if (op < 0)
			return gctl_err("unknown --operation '%s'", o->operations.v[i]), -1;
		ops[n++] = (int8_t)op;
	}
	if (n == 0)
		ops[n++] = AC_OP_ALL;
	return n;
}

static int ac_principal_ok(const char *p)
{
	const char *c = strchr(p, ':');
	return c && c != p && c[1];
}

/* The bindings --add creates (or --remove deletes when principals are
 * given): resources x principals x hosts x operations. */
static int ac_expand(const struct gctl_opts *o, int8_t pat, struct ac_set *out)
{
	struct ac_binding r[64];
	struct ac_binding extra[2];
	int nr = ac_resources(o, r, 62);
	if (o->producer && o->idempotent && !o->cluster)
		extra[0] = (struct ac_binding){ .res = AC_RES_CLUSTER, .name = "kafka-cluster" },
		r[nr++] = extra[0];
	const struct gctl_list *pl[2] = { &o->allow_principals, &o->deny_principals };
	const struct gctl_list *hl[2] = { &o->allow_hosts, &o->deny_hosts };
	for (int i = 0; i < nr; i++) {
		int8_t ops[16];
		int no = ac_ops_for(o, r[i].res, ops);
		if (no < 0)
			return -1;
		for (int side = 0; side < 2; side++)
			for (int p = 0; p < pl[side]->n; p++) {
				if (!ac_principal_ok(pl[side]->v[p]))
					return gctl_err("principal '%s' is not TYPE:NAME (e.g. User:alice)",
							pl[side]->v[p]), -1;
				int nh = hl[side]->n ? hl[side]->n : 1;
				for (int h = 0; h < nh; h++)
					for (int q = 0; q < no; q++)
						if (ac_push(out, (struct ac_binding){
							r[i].res, pat, r[i].name, pl[side]->v[p],
							hl[side]->n ? hl[side]->v[h] : "*", ops[q],
							side ? AC_PERM_DENY : AC_PERM_ALLOW }))
							return -1;
			}
	}
	return 0;
}

static void ac_print_binding(struct gk *k, const char *principal, const char *host, int8_t op,
			     int8_t perm)
{
	(void)k;
	printf(" \t(principal=%s, host=%s, operation=%s, permissionType=%s)\n", principal, host,
	       op >= 0 && op < 15 ? ac_ops[op] : "Unknown", perm >= 0 && perm < 4 ? ac_perm[perm] : "UNKNOWN");
}

static const char *ac_enum(const char *const *v, int n, int8_t i)
{
	return i >= 0 && i < n ? v[i] : v[0];
}

static int ac_create(struct gk *k, struct broker_channel *ch, const struct ac_set *s)
{
	struct create_acls_req_creation *c = arena_alloc(&k->a, sizeof *c * (size_t)(s->n + 1));
	if (!c)
		return gctl_err("out of memory"), 1;
	for (int i = 0; i < s->n; i++) {
		const struct ac_binding *b = &s->v[i];
		c[i] = (struct create_acls_req_creation){ b->res, gk_kstr(b->name), b->pat,
			gk_kstr(b->principal), gk_kstr(b->host), b->op, b->perm };
	}
	struct create_acls_request req = { { s->n, c } };
	struct create_acls_response resp;
	int rc = gk_call(k, ch, AC_API_CREATE, 1, &create_acls_request_msg, &req,
			 &create_acls_response_msg, &resp);
	if (rc)
		return gk_failed("CreateAcls", rc);
	const struct create_acls_resp_result *r = resp.results.v;
	int bad = resp.results.n != s->n;
	for (int32_t i = 0; i < resp.results.n && i < s->n; i++) {
		const struct ac_binding *b = &s->v[i];
		if (r[i].error_code) {
			bad = 1;
			gctl_err("%s %s %s on %s:%s: %s%s%s", ac_perm[b->perm], b->principal,
				 ac_ops[b->op], ac_res[b->res], b->name, kerr_name(r[i].error_code),
				 r[i].error_message.len > 0 ? ": " : "", gk_cstr(k, r[i].error_message));
		}
	}
	if (bad)
		return 1;
	for (int i = 0; i < s->n; i++) {
		const struct ac_binding *b = &s->v[i];
		if (i == 0 || b->res != s->v[i - 1].res || strcmp(b->name, s->v[i - 1].name))
			printf("Adding ACLs for resource `ResourcePattern(resourceType=%s, name=%s, "
			       "patternType=%s)`: \n", ac_res[b->res], b->name, ac_pat[b->pat]);
		ac_print_binding(k, b->principal, b->host, b->op, b->perm);
	}
	return 0;
}

static struct kstr ac_kstr_or_null(const char *s)
{
	return s ? gk_kstr(s) : (struct kstr){ NULL, -1 };
}

static int ac_delete(struct gk *k, struct broker_channel *ch, const struct ac_set *f)
{
	struct delete_acls_req_filter *v = arena_alloc(&k->a, sizeof *v * (size_t)(f->n + 1));
	if (!v)
		return gctl_err("out of memory"), 1;
	for (int i = 0; i < f->n; i++) {
		const struct ac_binding *b = &f->v[i];
		v[i] = (struct delete_acls_req_filter){ b->res, ac_kstr_or_null(b->name), b->pat,
			ac_kstr_or_null(b->principal), ac_kstr_or_null(b->host), b->op, b->perm };
	}
	struct delete_acls_request req = { { f->n, v } };
	struct delete_acls_response resp;
	int rc = gk_call(k, ch, AC_API_DELETE, 1, &delete_acls_request_msg, &req,
			 &delete_acls_response_msg, &resp);
	if (rc)
		return gk_failed("DeleteAcls", rc);
	const struct delete_acls_resp_filter_result *r = resp.filter_results.v;
	int bad = 0, removed = 0;
	for (int32_t i = 0; i < resp.filter_results.n; i++) {
		if (r[i].error_code) {
			bad = 1;
			gctl_err("DeleteAcls: %s%s%s", kerr_name(r[i].error_code),
				 r[i].error_message.len > 0 ? ": " : "", gk_cstr(k, r[i].error_message));
			continue;
		}
		const struct delete_acls_resp_matching_acl *m = r[i].matching_acls.v;
		for (int32_t j = 0; j < r[i].matching_acls.n; j++) {
			removed++;
			printf("Removed ACL for resource `ResourcePattern(resourceType=%s, name=%s, "
			       "patternType=%s)`:\n", ac_enum(ac_res, 8, m[j].resource_type),
			       gk_cstr(k, m[j].resource_name), ac_enum(ac_pat, 5, m[j].pattern_type));
			ac_print_binding(k, gk_cstr(k, m[j].principal), gk_cstr(k, m[j].host),
					 m[j].operation, m[j].permission_type);
		}
	}
	if (!bad && removed == 0)
		printf("No ACLs matched.\n");
	return bad;
}

static int ac_describe(struct gctl *g, struct gk *k, struct broker_channel *ch,
		       const struct ac_binding *f, struct zbuf *j, int *first)
{
	struct describe_acls_request req = { f->res, ac_kstr_or_null(f->name), f->pat,
					     ac_kstr_or_null(g->o.principal), { NULL, -1 },
					     AC_OP_ANY, AC_PERM_ANY };
	struct describe_acls_response resp;
	int rc = gk_call(k, ch, AC_API_DESCRIBE, 1, &describe_acls_request_msg, &req,
			 &describe_acls_response_msg, &resp);
	if (rc)
		return gk_failed("DescribeAcls", rc);
	if (resp.error_code)
		return gctl_err("DescribeAcls: %s%s%s", kerr_name(resp.error_code),
				resp.error_message.len > 0 ? ": " : "",
				gk_cstr(k, resp.error_message)), 1;
	const struct describe_acls_resp_resource *r = resp.resources.v;
	for (int32_t i = 0; i < resp.resources.n; i++) {
		const struct describe_acls_resp_acl *a = r[i].acls.v;
		const char *rt = ac_enum(ac_res, 8, r[i].type), *pt = ac_enum(ac_pat, 5, r[i].pattern_type);
		const char *name = gk_cstr(k, r[i].name);
		if (!g->o.json)
			printf("Current ACLs for resource `ResourcePattern(resourceType=%s, name=%s, "
			       "patternType=%s)`: \n", rt, name, pt);
		for (int32_t q = 0; q < r[i].acls.n; q++) {
			const char *pr = gk_cstr(k, a[q].principal), *h = gk_cstr(k, a[q].host);
			if (!g->o.json) {
				ac_print_binding(k, pr, h, a[q].operation, a[q].permission_type);
				continue;
			}
			zb_printf(j, "%s{\"resource_type\":\"%s\",\"name\":", *first ? "" : ",", rt);
			zb_jstr(j, name);
			zb_printf(j, ",\"pattern_type\":\"%s\",\"principal\":", pt);
			zb_jstr(j, pr);
			zb_puts(j, ",\"host\":");
			zb_jstr(j, h);
			zb_printf(j, ",\"operation\":\"%s\",\"permission_type\":\"%s\"}",
				  ac_enum(ac_ops, 15, a[q].operation),
				  ac_enum(ac_perm, 4, a[q].permission_type));
			*first = 0;
		}
		if (!g->o.json)
			printf("\n");
	}
	return 0;
}

static int ac_list(struct gctl *g, struct gk *k, struct broker_channel *ch, int8_t pat)
{
	struct ac_binding r[64];
	int nr = ac_resources(&g->o, r, 64), rc = 0, first = 1;
	struct zbuf j;
	zb_init(&j);
	zb_puts(&j, "{\"acls\":[");
	if (nr == 0)
		rc = ac_describe(g, k, ch, &(struct ac_binding){ .res = AC_RES_ANY, .pat = AC_PAT_ANY },
				 &j, &first);
	for (int i = 0; i < nr; i++) {
		r[i].pat = pat;
		rc |= ac_describe(g, k, ch, &r[i], &j, &first);
	}
	zb_puts(&j, "]}\n");
	if (g->o.json && !rc)
		rc = gk_put_json(&j);
	zb_free(&j);
	return rc;
}

static int ac_confirm(const struct gctl *g)
{
	if (g->o.force || !isatty(0))
		return 1;
	fprintf(stderr, "Are you sure you want to delete all ACLs for the given resources? (y/n) ");
	char line[16];
	return fgets(line, sizeof line, stdin) && (line[0] == 'y' || line[0] == 'Y');
}

/* --remove: principals given, the exact bindings; else every ACL of each
 * resource. */
static int ac_remove(struct gctl *g, struct gk *k, struct broker_channel *ch, int8_t pat,
		     struct ac_set *s)
{
	if (g->o.allow_principals.n + g->o.deny_principals.n > 0) {
		if (ac_expand(&g->o, pat, s))
			return 1;
	} else {
		struct ac_binding r[64];
		int nr = ac_resources(&g->o, r, 64);
		if (!ac_confirm(g))
			return 1;
		for (int i = 0; i < nr; i++)
			s->v[s->n++] = (struct ac_binding){ r[i].res, pat, r[i].name, NULL, NULL,
							    AC_OP_ANY, AC_PERM_ANY };
	}
	return ac_delete(k, ch, s);
}


/* ================= over ZooKeeper (kafka-acls --authorizer-properties
 * zookeeper.connect=...): the authorizer's store itself. A resource's ACLs
 * are one znode, /kafka-acl/<Type>/<name> (PREFIXED patterns under
 * /kafka-acl-extended/prefixed), {"version":1,"acls":[{"principal":..,
 * "permissionType":"Allow","operation":"Read","host":"*"}]}; every write is
 * followed by the change notification the brokers follow. ================= */

#define AC_ZK_MAX 4096

struct ac_entry {
	char principal[512], host[256];
	int8_t op, perm;
};

static const char *const ac_zk_types[] = { NULL, NULL, "Topic", "Group", "Cluster",
					   "TransactionalId", "DelegationToken" };

static int ac_zk_path(char *out, int8_t res, int8_t pat, const char *name)
{
	return gctl_path(out, "%s/%s%s%s", pat == AC_PAT_PREFIXED ? "/kafka-acl-extended/prefixed"
			 : "/kafka-acl", ac_zk_types[res], name ? "/" : "", name ? name : "");
}

/* The entries of one resource node (none when absent: *version -1). */
static int ac_zk_read(struct gctl *g, const char *path, struct ac_entry *v, int *n, int32_t *version)
{
	char *d = NULL;
	int len = 0;
	struct Stat st;
	*n = 0;
	*version = -1;
	int rc = gctl_get(g, path, &d, &len, &st);
	if (rc == GCTL_NONODE)
		return 0;
	if (rc)
		return 1;
	*version = st.version;
	struct zjson j;
	int bad = len > 0 && zj_parse(&j, d, (size_t)len) != 0;
	if (len > 0 && !bad) {
		int arr = zj_get(&j, 0, "acls");
		int cnt = zj_type(&j, arr) == ZJ_ARR ? j.t[arr].count : 0;
		for (int i = 0; i < cnt && *n < AC_ZK_MAX; i++) {
			int e = zj_at(&j, arr, i);
			char op[64], perm[16];
			struct ac_entry *x = &v[*n];
			if (zj_str(&j, zj_get(&j, e, "principal"), x->principal, sizeof x->principal) ||
			    zj_str(&j, zj_get(&j, e, "host"), x->host, sizeof x->host) ||
			    zj_str(&j, zj_get(&j, e, "operation"), op, sizeof op) ||
			    zj_str(&j, zj_get(&j, e, "permissionType"), perm, sizeof perm)) {
				bad = 1;
				continue;
			}
			int o = ac_lookup(ac_ops, 15, op);
			x->op = (int8_t)(o < 0 ? 0 : o);
			x->perm = strcasecmp(perm, "Allow") == 0 ? AC_PERM_ALLOW :
				  strcasecmp(perm, "Deny") == 0 ? AC_PERM_DENY : 0;
			bad |= o < 0 || !x->perm;
			*n += o >= 0 && x->perm;
		}
		zj_free(&j);
	}
	free(d);
	if (bad)
		fprintf(stderr, "gregorctl: %s: malformed ACL entries skipped\n", path);
	return 0;
}

static void ac_zk_notify(struct gctl *g, int8_t res, int8_t pat, const char *name)
{
	static const char *const enums[] = { NULL, NULL, "TOPIC", "GROUP", "CLUSTER",
					     "TRANSACTIONAL_ID", "DELEGATION_TOKEN" };
	struct zbuf z;
	zb_init(&z);
	const char *path = pat == AC_PAT_LITERAL ? "/kafka-acl-changes/acl_changes_"
						 : "/kafka-acl-extended-changes/acl_changes_";
	if (pat == AC_PAT_LITERAL) {
		zb_printf(&z, "%s:%s", enums[res], name);
	} else {
		zb_printf(&z, "{\"version\":1,\"resourceType\":\"%s\",\"name\":", enums[res]);
		zb_jstr(&z, name);
		zb_puts(&z, ",\"patternType\":\"PREFIXED\"}");
	}
	int rc = z.oom ? ZSYSTEMERROR : zoo_create(g->zh, path, z.p, (int)z.len,
						   zk_acl_for(g->secure, path), ZOO_SEQUENCE, NULL, 0);
	if (rc == ZNONODE) {
		char parent[64];
		snprintf(parent, sizeof parent, "%s", path);
		*strrchr(parent, '/') = 0;
		zoo_create(g->zh, parent, NULL, -1, zk_acl_for(g->secure, parent), 0, NULL, 0);
		rc = zoo_create(g->zh, path, z.p, (int)z.len, zk_acl_for(g->secure, path),
				ZOO_SEQUENCE, NULL, 0);
	}
	if (rc != ZOK)
		fprintf(stderr, "gregorctl: warning: no ACL change notification for %s: %s\n", name,
			zerror(rc));
	zb_free(&z);
}

/* Creates the parents of a resource node that a fresh cluster lacks. */
static void ac_zk_parents(struct gctl *g, const char *path)
{
	char p[GCTL_PATH_MAX];
	snprintf(p, sizeof p, "%s", path);
	for (char *s = strchr(p + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = 0;
		zoo_create(g->zh, p, NULL, -1, zk_acl_for(g->secure, p), 0, NULL, 0);
		*s = '/';
	}
}

/* Writes the node at the version read (deleted when empty); 0, 2 when it
 * changed meanwhile (read again), 1 on failure (printed). */
static int ac_zk_write(struct gctl *g, const char *path, const struct ac_entry *v, int n,
		       int32_t version)
{
	int rc;
	if (n == 0) {
		rc = version < 0 ? ZOK : zoo_delete(g->zh, path, version);
	} else {
		struct zbuf z;
		zb_init(&z);
		zb_puts(&z, "{\"version\":1,\"acls\":[");
		for (int i = 0; i < n; i++) {
			zb_puts(&z, i ? ",{\"principal\":" : "{\"principal\":");
			zb_jstr(&z, v[i].principal);
			zb_printf(&z, ",\"permissionType\":\"%s\",\"operation\":\"%s\",\"host\":",
				  v[i].perm == AC_PERM_ALLOW ? "Allow" : "Deny", ac_ops[v[i].op]);
			zb_jstr(&z, v[i].host);
			zb_puts(&z, "}");
		}
		zb_puts(&z, "]}");
		if (version < 0) {
			ac_zk_parents(g, path);
			rc = zoo_create(g->zh, path, z.p, (int)z.len, zk_acl_for(g->secure, path), 0,
					NULL, 0);
		} else {
			rc = zoo_set(g->zh, path, z.p, (int)z.len, version);
		}
		zb_free(&z);
	}
	if (rc == ZBADVERSION || rc == ZNODEEXISTS || (rc == ZNONODE && version >= 0))
		return 2;
	if (rc != ZOK)
		return gctl_err("cannot write %s: %s", path, zerror(rc)), 1;
	return 0;
}

static int ac_entry_is(const struct ac_entry *e, const struct ac_binding *b)
{
	return e->op == b->op && e->perm == b->perm && !strcmp(e->principal, b->principal) &&
	       !strcmp(e->host, b->host);
}

/* Applies to one resource node the bindings of s that name it (add) or
 * removes them (remove; all = every entry). Retried on concurrent changes. */
static int ac_zk_update(struct gctl *g, const struct ac_binding *res, const struct ac_set *s,
			int add, int all)
{
	char path[GCTL_PATH_MAX];
	if (ac_zk_path(path, res->res, res->pat, res->name))
		return 1;
	struct ac_entry *v = malloc(sizeof *v * AC_ZK_MAX);
	if (!v)
		return gctl_err("out of memory"), 1;
	int rc = 2;
	for (int attempt = 0; rc == 2 && attempt < 10; attempt++) {
		int n;
		int32_t version;
		if (ac_zk_read(g, path, v, &n, &version)) {
			rc = 1;
			break;
		}
		int changed = all && n > 0;
		for (int i = 0; i < s->n; i++) {
			const struct ac_binding *b = &s->v[i];
			if (b->res != res->res || b->pat != res->pat || strcmp(b->name, res->name))
				continue;
			int at = -1;
			for (int q = 0; q < n && at < 0; q++)
				at = ac_entry_is(&v[q], b) ? q : -1;
			if (add && at < 0 && n < AC_ZK_MAX) {
				snprintf(v[n].principal, sizeof v[n].principal, "%s", b->principal);
				snprintf(v[n].host, sizeof v[n].host, "%s", b->host);
				v[n].op = b->op;
				v[n].perm = b->perm;
				n++;
				changed = 1;
			} else if (!add && at >= 0) {
				v[at] = v[--n];
				changed = 1;
			}
		}
		if (all)
			n = 0;
		rc = changed ? ac_zk_write(g, path, v, n, version) : 0;
		if (rc == 0 && changed)
			ac_zk_notify(g, res->res, res->pat, res->name);
	}
	free(v);
	return rc == 2 ? (gctl_err("%s kept changing concurrently", path), 1) : rc;
}

/* Lists one resource node (text or JSON), filtered by --principal. */
static int ac_zk_show(struct gctl *g, int8_t res, int8_t pat, const char *name, struct zbuf *j,
		      int *first)
{
	char path[GCTL_PATH_MAX];
	struct ac_entry *v = malloc(sizeof *v * AC_ZK_MAX);
	int n = 0;
	int32_t version;
	if (!v || ac_zk_path(path, res, pat, name) || ac_zk_read(g, path, v, &n, &version))
		return free(v), 1;
	int shown = 0;
	for (int i = 0; i < n; i++) {
		if (g->o.principal && strcmp(g->o.principal, v[i].principal))
			continue;
		if (g->o.json) {
			zb_printf(j, "%s{\"resource_type\":\"%s\",\"name\":", *first ? "" : ",", ac_res[res]);
			zb_jstr(j, name);
			zb_printf(j, ",\"pattern_type\":\"%s\",\"principal\":", ac_pat[pat]);
			zb_jstr(j, v[i].principal);
			zb_puts(j, ",\"host\":");
			zb_jstr(j, v[i].host);
			zb_printf(j, ",\"operation\":\"%s\",\"permission_type\":\"%s\"}", ac_ops[v[i].op],
				  ac_perm[v[i].perm]);
			*first = 0;
			continue;
		}
		if (!shown++)
			printf("Current ACLs for resource `ResourcePattern(resourceType=%s, name=%s, "
			       "patternType=%s)`: \n", ac_res[res], name, ac_pat[pat]);
		ac_print_binding(NULL, v[i].principal, v[i].host, v[i].op, v[i].perm);
	}
	if (shown)
		printf("\n");
	free(v);
	return 0;
}

/* Every resource node of both pattern types (or the named resources). */
static int ac_zk_list(struct gctl *g, int8_t pat)
{
	struct ac_binding r[64];
	int nr = ac_resources(&g->o, r, 64), rc = 0, first = 1;
	struct zbuf j;
	zb_init(&j);
	zb_puts(&j, "{\"acls\":[");
	for (int8_t p = AC_PAT_LITERAL; p <= AC_PAT_PREFIXED; p++) {
		if (pat != AC_PAT_ANY && pat != AC_PAT_MATCH && p != pat)
			continue;
		for (int i = 0; i < nr; i++)
			rc |= ac_zk_show(g, r[i].res, p, r[i].name, &j, &first);
		for (int8_t t = AC_RES_TOPIC; nr == 0 && t <= 6; t++) {
			char dir[GCTL_PATH_MAX];
			struct String_vector kids;
			if (ac_zk_path(dir, t, p, NULL))
				return 1;
			int c = gctl_children(g, dir, &kids);
			if (c == GCTL_FAIL)
				rc = 1;
			for (int k = 0; c == 0 && k < kids.count; k++)
				rc |= ac_zk_show(g, t, p, kids.data[k], &j, &first);
			if (c == 0)
				deallocate_String_vector(&kids);
		}
	}
	zb_puts(&j, "]}\n");
	if (g->o.json && !rc)
		rc = gk_put_json(&j);
	zb_free(&j);
	return rc;
}

static int ac_zk_run(struct gctl *g, int8_t pat, int list, int add)
{
	if (gctl_connect(g))
		return 1;
	int rc = 0;
	struct ac_set s = { malloc(sizeof(struct ac_binding) * AC_MAX), 0 };
	struct ac_binding r[64];
	int nr = ac_resources(&g->o, r, 64);
	int principals = g->o.allow_principals.n + g->o.deny_principals.n > 0;
	if (!s.v)
		rc = (gctl_err("out of memory"), 1);
	else if (list) /* without --resource-pattern-type: both kinds, as over the protocol */
		rc = ac_zk_list(g, g->o.pattern_type ? pat : AC_PAT_ANY);
	else if ((add || principals) && ac_expand(&g->o, pat, &s))
		rc = 1;
	else if (!add && !principals && !ac_confirm(g))
		rc = 1;
	for (int i = 0; !list && !rc && i < s.n; i++)
		if (i == 0 || s.v[i].res != s.v[i - 1].res || strcmp(s.v[i].name, s.v[i - 1].name))
			rc |= ac_zk_update(g, &s.v[i], &s, add, 0);
	for (int i = 0; !list && !rc && !add && !principals && i < nr; i++) {
		r[i].pat = pat;
		rc |= ac_zk_update(g, &r[i], &s, 0, 1);
	}
	if (!rc && !list)
		printf("%s ACLs in ZooKeeper.\n", add ? "Added" : "Removed");
	free(s.v);
	gctl_close(g);
	return rc;
}

static int ac_run(struct gctl *g)
{
	const char *a = g->o.action;
	if (!a || (strcmp(a, "add") && strcmp(a, "remove") && strcmp(a, "list")))
		return gctl_usage_err("acls", "one of --add, --remove, --list");
	int list = !strcmp(a, "list"), add = !strcmp(a, "add");
	int8_t pat = AC_PAT_LITERAL;
	if (g->o.pattern_type) {
		int p = ac_lookup(ac_pat, 5, g->o.pattern_type);
		if (p < 0 && strcasecmp(g->o.pattern_type, "ANY") == 0)
			p = AC_PAT_ANY;
		if (p < 0 || (add && p != AC_PAT_LITERAL && p != AC_PAT_PREFIXED))
			return gctl_usage_err("acls", "--resource-pattern-type is LITERAL or PREFIXED%s",
					      add ? "" : " (or ANY, MATCH)");
		pat = (int8_t)p;
	}
	struct ac_binding r[64];
	int nr = ac_resources(&g->o, r, 64);
	if (!list && nr == 0 && !(g->o.producer && g->o.idempotent))
		return gctl_usage_err("acls", "no resource (--topic, --group, --cluster, "
				      "--transactional-id)");
	if (g->o.consumer && g->o.groups.n == 0)
		return gctl_usage_err("acls", "--consumer needs --group");
	if (add && g->o.allow_principals.n + g->o.deny_principals.n == 0)
		return gctl_usage_err("acls", "--add needs --allow-principal or --deny-principal");
	if (!!g->o.bootstrap == !!g->o.zookeeper)
		return gctl_usage_err("acls", "one of --bootstrap-server or --zookeeper "
				      "(--authorizer-properties zookeeper.connect=H:P)");
	if (g->o.zookeeper)
		return ac_zk_run(g, pat, list, add);
	struct gk k;
	if (gk_open(&k, &g->o))
		return 1;
	struct ac_set s = { arena_alloc(&k.a, sizeof *s.v * AC_MAX), 0 };
	struct broker_channel *ch = gk_any(&k);
	int rc = 1;
	if (!s.v)
		gctl_err("out of memory");
	else if (ch && list)
		rc = ac_list(g, &k, ch, pat);
	else if (ch && add)
		rc = ac_expand(&g->o, pat, &s) ? 1 : ac_create(&k, ch, &s);
	else if (ch)
		rc = ac_remove(g, &k, ch, pat, &s);
	gk_close(&k);
	return rc;
}

int gctl_verb_acls(int argc, char **argv)
{
	struct gctl g;
	const char *w[1];
	int rc;
	if (gctl_parse(&g, argc, argv, &ac_spec, w, 0, &rc) >= 0)
		rc = ac_run(&g);
	gctl_done(&g);
	return rc;
}
