/* gregorctl quotas: client quotas, the counterpart of kafka-configs.sh
 * --entity-type users/clients for producer_byte_rate, consumer_byte_rate,
 * request_percentage (and controller_mutation_rate). Against
 * --bootstrap-server it sends DescribeClientQuotas / AlterClientQuotas (any
 * broker); against --zookeeper it reads and writes /config/users/<u>,
 * /config/clients/<c> and /config/users/<u>/clients/<c> itself with a
 * /config/changes notification, as the ZooKeeper-era tool did (other keys
 * of a user node, SCRAM credentials, are kept). Its own options
 * (getopt_long); exit 0, 1 on an error, 64 on a usage error. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/auth/entity_name.h"
#include "common/proto/kerr.h"
#include "coord/gregorctl/gctl.h"
#include "coord/gregorctl/gctl_kafka.h"
#include "coord/zkacl.h"
#include "coord/zjson.h"

#define GCTL_USAGE 64
#define GQ_MAX_KEYS 64
#define GQ_API_DESCRIBE 48
#define GQ_API_ALTER 49

static const char gq_usage_text[] =
	"usage: gregorctl quotas describe [ENTITY] (--bootstrap-server B | --zookeeper Z) [--json]\n"
	"       gregorctl quotas alter ENTITY --add-config k=v[,k=v...] [--delete-config k[,k...]]\n"
	"                 [--validate-only] (--bootstrap-server B | --zookeeper Z)\n"
	"       gregorctl quotas delete ENTITY [--delete-config k[,k...]] (--bootstrap-server B |\n"
	"                 --zookeeper Z)\n"
	"  ENTITY: --user U | --user-default, and/or --client-id C | --client-default\n"
	"  keys: producer_byte_rate, consumer_byte_rate (bytes/s), request_percentage,\n"
	"        controller_mutation_rate; delete without --delete-config removes them all\n"
	"  describe without ENTITY lists every quota entity; with one, that entity only\n"
	"  --command-config FILE (TLS client properties), --timeout S (default 10),\n"
	"  --zk-digest USER:PASSWORD | --zk-digest-file F, --help\n";

static const char *const gq_keys[] = { "producer_byte_rate", "consumer_byte_rate",
				       "request_percentage", "controller_mutation_rate" };

int gctl_quota_key(const char *key)
{
	for (size_t i = 0; i < sizeof gq_keys / sizeof *gq_keys; i++)
		if (strcmp(gq_keys[i], key) == 0)
			return 1;
	return 0;
}

struct gq {
	struct gctl g;
	const char *verb;
	const char *user, *client;   /* NULL with *_default: the default */
	int has_user, has_client;
	char *add[GQ_MAX_KEYS], *add_val[GQ_MAX_KEYS];
	int n_add;
	char *del[GQ_MAX_KEYS];
	int n_del;
	int validate_only;
};

/* A usage error: one line, and where the usage is (gregorctl's rule). */
static int gq_usage(const char *why)
{
	return gctl_usage_err("quotas", "%s", why ? why : "bad usage");
}

/* "k=v,k=v" into add/add_val, or "k,k" into del (vals NULL). */
static const char *gq_split(char *s, char **keys, char **vals, int *n)
{
	for (char *tok = strtok(s, ","); tok; tok = strtok(NULL, ",")) {
		if (*n == GQ_MAX_KEYS)
			return "too many configs";
		char *eq = strchr(tok, '=');
		if (vals && (!eq || eq == tok || !eq[1]))
			return "--add-config wants k=v[,k=v...]";
		if (!vals && eq)
			return "--delete-config wants k[,k...]";
		if (eq)
			*eq = 0;
		if (!gctl_quota_key(tok))
			return "unknown quota key (producer_byte_rate, consumer_byte_rate, "
			       "request_percentage, controller_mutation_rate)";
		keys[*n] = tok;
		if (vals)
			vals[*n] = eq + 1;
		(*n)++;
	}
	return NULL;
}

enum { GQ_ZK = 1, GQ_BOOT, GQ_CC, GQ_TIMEOUT, GQ_JSON, GQ_USER, GQ_USER_DEF, GQ_CLIENT,
       GQ_CLIENT_DEF, GQ_ADD, GQ_DEL, GQ_VALIDATE, GQ_DIGEST, GQ_DIGEST_FILE, GQ_HELP };

static const struct option gq_longopts[] = {
	{ "zookeeper", required_argument, NULL, GQ_ZK },
	{ "bootstrap-server", required_argument, NULL, GQ_BOOT },
	{ "bootstrap", required_argument, NULL, GQ_BOOT },
	{ "command-config", required_argument, NULL, GQ_CC },
	{ "timeout", required_argument, NULL, GQ_TIMEOUT },
	{ "json", no_argument, NULL, GQ_JSON },
	{ "user", required_argument, NULL, GQ_USER },
	{ "user-default", no_argument, NULL, GQ_USER_DEF },
	{ "client-id", required_argument, NULL, GQ_CLIENT },
	{ "client-default", no_argument, NULL, GQ_CLIENT_DEF },
	{ "add-config", required_argument, NULL, GQ_ADD },
	{ "delete-config", required_argument, NULL, GQ_DEL },
	{ "validate-only", no_argument, NULL, GQ_VALIDATE },
	{ "zk-digest", required_argument, NULL, GQ_DIGEST },
	{ "zk-digest-file", required_argument, NULL, GQ_DIGEST_FILE },
	{ "help", no_argument, NULL, GQ_HELP },
	{ NULL, 0, NULL, 0 },
};

/* Applies one option; NULL, "" (help) or a usage error. */
static const char *gq_apply(struct gq *q, int id, char *v)
{
	char *end;
	switch (id) {
	case GQ_ZK: q->g.o.zookeeper = v; break;
	case GQ_BOOT: q->g.o.bootstrap = v; break;
	case GQ_CC: q->g.o.command_config = v; break;
	case GQ_TIMEOUT:
		q->g.o.timeout_s = (int)strtol(v, &end, 10);
		if (*end || q->g.o.timeout_s < 1 || q->g.o.timeout_s > 3600)
			return "--timeout must be 1..3600 seconds";
		break;
	case GQ_JSON: q->g.o.json = 1; break;
	case GQ_USER: q->user = v; q->has_user = 1; break;
	case GQ_USER_DEF: q->user = NULL; q->has_user = 1; break;
	case GQ_CLIENT: q->client = v; q->has_client = 1; break;
	case GQ_CLIENT_DEF: q->client = NULL; q->has_client = 1; break;
	case GQ_ADD: return gq_split(v, q->add, q->add_val, &q->n_add);
	case GQ_DEL: return gq_split(v, q->del, NULL, &q->n_del);
	case GQ_VALIDATE: q->validate_only = 1; break;
	case GQ_DIGEST: q->g.o.zk_digest = v; break;
	case GQ_DIGEST_FILE: q->g.o.zk_digest_file = v; break;
	case GQ_HELP: return "";
	default: return "unknown option";
	}
	return NULL;
}

/* A quota value as people read it: integral without a fraction. */
static void gq_num(double d, char *out, size_t cap)
{
	snprintf(out, cap, "%.15g", d);
}

static void gq_print_row(const struct gctl_opts *o, int first, const char *user, int has_user,
			 const char *client, int has_client, const char *const *keys,
			 const char *const *vals, int n)
{
	if (o->json) {
		printf("%s{\"user\":", first ? "" : ",");
		has_user ? (user ? printf("\"%s\"", user) : printf("\"<default>\"")) : printf("null");
		printf(",\"client_id\":");
		has_client ? (client ? printf("\"%s\"", client) : printf("\"<default>\""))
			   : printf("null");
		printf(",\"quotas\":{");
		for (int i = 0; i < n; i++) {
			char *end;
			strtod(vals[i], &end); /* a number as JSON, anything else quoted */
			int num = *vals[i] && !*end && !strpbrk(vals[i], "nNiI");
			printf(num ? "%s\"%s\":%s" : "%s\"%s\":\"%s\"", i ? "," : "", keys[i],
			       vals[i]);
		}
		printf("}}");
		return;
	}
	if (first)
		printf("%-24s %-24s %s\n", "USER", "CLIENT-ID", "QUOTAS");
	printf("%-24s %-24s ", has_user ? user ? user : "<default>" : "-",
	       has_client ? client ? client : "<default>" : "-");
	for (int i = 0; i < n; i++)
		printf("%s%s=%s", i ? "," : "", keys[i], vals[i]);
	printf("\n");
}

/* ---- over the Kafka protocol ---- */

static struct broker_channel *gq_any_broker(struct gk *k)
{
	const struct metadata_resp_broker *b = k->md.brokers.v;
	for (int i = 0; i < k->md.brokers.n; i++) {
		struct broker_channel *ch = gk_broker(k, b[i].node_id);
		if (ch)
			return ch;
	}
	gctl_err("no broker in the cluster's metadata");
	return NULL;
}

static struct kstr gq_name(const char *s)
{
	return s ? gk_kstr(s) : (struct kstr){ NULL, -1 };
}

/* The components of an entity, or of a describe filter. */
static struct karray gq_components(struct gk *k, const struct gctl_qpart *parts, int n)
{
	struct describe_client_quotas_req_component *c = arena_alloc(&k->a, sizeof *c * 2);
	for (int i = 0; c && i < n && i < 2; i++)
		c[i] = (struct describe_client_quotas_req_component){ gk_kstr(parts[i].type),
			parts[i].match, parts[i].match == GCTL_QMATCH_EXACT ? gk_kstr(parts[i].name)
									   : gq_name(NULL) };
	return (struct karray){ c ? n : 0, c };
}

/* One response entry as a gctl_qentry (names NULL for the default). */
static int gq_entry_of(struct gk *k, const struct describe_client_quotas_resp_entry *e,
		       struct gctl_qentry *out)
{
	memset(out, 0, sizeof *out);
	const struct client_quota_entity *en = e->entity.v;
	for (int j = 0; j < e->entity.n && out->n_parts < 2; j++) {
		struct gctl_qpart *p = &out->part[out->n_parts++];
		p->type = gk_cstr(k, en[j].entity_type);
		p->match = en[j].entity_name.len < 0 ? GCTL_QMATCH_DEFAULT : GCTL_QMATCH_EXACT;
		p->name = p->match == GCTL_QMATCH_EXACT ? gk_cstr(k, en[j].entity_name) : NULL;
	}
	const struct describe_client_quotas_resp_value *v = e->values.v;
	for (int j = 0; j < e->values.n && out->n < GCTL_QMAX_KEYS; j++) {
		out->keys[out->n] = gk_cstr(k, v[j].key);
		out->values[out->n++] = v[j].value;
	}
	return 0;
}

int gctl_quota_describe(struct gk *k, const struct gctl_qpart *parts, int n_parts, int strict,
			void (*row)(void *ctx, const struct gctl_qentry *e), void *ctx)
{
	struct broker_channel *ch = gq_any_broker(k);
	if (!ch)
		return 1;
	struct describe_client_quotas_request req = { gq_components(k, parts, n_parts),
						      (uint8_t)(strict != 0) };
	struct describe_client_quotas_response resp;
	int rc = gk_call(k, ch, GQ_API_DESCRIBE, 1, &describe_client_quotas_request_msg, &req,
			 &describe_client_quotas_response_msg, &resp);
	if (rc < 0)
		return gctl_err("DescribeClientQuotas: %s", strerror(-rc)), 1;
	if (resp.error_code)
		return gctl_err("DescribeClientQuotas: %s: %s", kerr_name(resp.error_code),
				gk_cstr(k, resp.error_message)), 1;
	const struct describe_client_quotas_resp_entry *e = resp.entries.v;
	for (int i = 0; i < resp.entries.n; i++) {
		struct gctl_qentry q;
		gq_entry_of(k, &e[i], &q);
		row(ctx, &q);
	}
	return 0;
}

int gctl_quota_alter(struct gk *k, const struct gctl_qpart *parts, int n_parts,
		     const char *const *add, const double *values, int n_add,
		     const char *const *del, int n_del, int validate_only)
{
	struct broker_channel *ch = gq_any_broker(k);
	if (!ch)
		return 1;
	struct client_quota_entity en[2];
	struct alter_client_quotas_req_op *ops = arena_alloc(&k->a, sizeof *ops * (size_t)(n_add + n_del + 1));
	int ne = 0, no = 0;
	if (!ops)
		return gctl_err("out of memory"), 1;
	for (int i = 0; i < n_parts && i < 2; i++)
		en[ne++] = (struct client_quota_entity){ gk_kstr(parts[i].type),
			gq_name(parts[i].match == GCTL_QMATCH_EXACT ? parts[i].name : NULL) };
	for (int i = 0; i < n_add; i++)
		ops[no++] = (struct alter_client_quotas_req_op){ gk_kstr(add[i]), values[i], 0 };
	for (int i = 0; i < n_del; i++)
		ops[no++] = (struct alter_client_quotas_req_op){ gk_kstr(del[i]), 0, 1 };
	struct alter_client_quotas_req_entry entry = { { ne, en }, { no, ops } };
	struct alter_client_quotas_request req = { { 1, &entry }, (uint8_t)validate_only };
	struct alter_client_quotas_response resp;
	int rc = gk_call(k, ch, GQ_API_ALTER, 1, &alter_client_quotas_request_msg, &req,
			 &alter_client_quotas_response_msg, &resp);
	if (rc < 0)
		return gctl_err("AlterClientQuotas: %s", strerror(-rc)), 1;
	const struct alter_client_quotas_resp_entry *r = resp.entries.v;
	if (resp.entries.n != 1)
		return gctl_err("AlterClientQuotas: %d results for 1 entity", resp.entries.n), 1;
	if (r->error_code)
		return gctl_err("AlterClientQuotas: %s: %s", kerr_name(r->error_code),
				gk_cstr(k, r->error_message)), 1;
	return 0;
}

/* The --user/--client-id of 'quotas' as entity parts. */
static int gq_parts(const struct gq *q, struct gctl_qpart *p)
{
	int n = 0;
	if (q->has_user)
		p[n++] = (struct gctl_qpart){ "user", q->user ? GCTL_QMATCH_EXACT : GCTL_QMATCH_DEFAULT,
					      q->user };
	if (q->has_client)
		p[n++] = (struct gctl_qpart){ "client-id",
					      q->client ? GCTL_QMATCH_EXACT : GCTL_QMATCH_DEFAULT,
					      q->client };
	return n;
}

struct gq_rows {
	struct gq *q;
	int first;
};

static void gq_row(void *ctx, const struct gctl_qentry *e)
{
	struct gq_rows *r = ctx;
	const char *user = NULL, *client = NULL, *vals[GCTL_QMAX_KEYS];
	char num[GCTL_QMAX_KEYS][32];
	int hu = 0, hc = 0;
	for (int j = 0; j < e->n_parts; j++) {
		if (strcmp(e->part[j].type, "user") == 0)
			user = e->part[j].name, hu = 1;
		else if (strcmp(e->part[j].type, "client-id") == 0)
			client = e->part[j].name, hc = 1;
	}
	for (int j = 0; j < e->n; j++) {
		gq_num(e->values[j], num[j], sizeof num[j]);
		vals[j] = num[j];
	}
	gq_print_row(&r->q->g.o, r->first, user, hu, client, hc, e->keys, vals, e->n);
	r->first = 0;
}

static int gq_kafka_describe(struct gq *q, struct gk *k)
{
	struct gctl_qpart p[2];
	int n = gq_parts(q, p);
	struct gq_rows r = { q, 1 };
	if (q->g.o.json)
		printf("[");
	int rc = gctl_quota_describe(k, p, n, n > 0, gq_row, &r);
	if (q->g.o.json)
		printf("]\n");
	return rc;
}

static int gq_kafka_alter(struct gq *q, struct gk *k)
{
	struct gctl_qpart p[2];
	double vals[GQ_MAX_KEYS];
	int n = gq_parts(q, p);
	for (int i = 0; i < q->n_add; i++) {
		char *end;
		errno = 0;
		vals[i] = strtod(q->add_val[i], &end);
		if (*end || errno || !isfinite(vals[i]))
			return gq_usage("--add-config values are numbers");
	}
	if (gctl_quota_alter(k, p, n, (const char *const *)q->add, vals, q->n_add,
			     (const char *const *)q->del, q->n_del, q->validate_only))
		return 1;
	printf("%s quotas of %s%s%s%s%s\n", q->validate_only ? "validated" : "altered",
	       q->has_user ? "user " : "", q->has_user ? (q->user ? q->user : "<default>") : "",
	       q->has_user && q->has_client ? " " : "", q->has_client ? "client-id " : "",
	       q->has_client ? (q->client ? q->client : "<default>") : "");
	return 0;
}

static int gq_kafka(struct gq *q)
{
	struct gk k;
	if (gk_open(&k, &q->g.o))
		return 1;
	int rc = strcmp(q->verb, "describe") == 0 ? gq_kafka_describe(q, &k) : gq_kafka_alter(q, &k);
	gk_close(&k);
	return rc;
}

/* ---- against ZooKeeper ---- */

struct gq_node {
	int n;
	char *keys[GQ_MAX_KEYS], *vals[GQ_MAX_KEYS];
	int32_t version; /* -1: absent */
};

static void gq_node_free(struct gq_node *c)
{
	for (int i = 0; i < c->n; i++) {
		free(c->keys[i]);
		free(c->vals[i]);
	}
	c->n = 0;
}

/* Reads a config node; 0 (absent: version -1) or 1 (printed). */
static int gq_node_read(struct gctl *g, const char *path, struct gq_node *c)
{
	char *data = NULL;
	int len = 0;
	struct Stat st;
	memset(c, 0, sizeof *c);
	c->version = -1;
	int rc = gctl_get(g, path, &data, &len, &st);
	if (rc == GCTL_NONODE)
		return 0;
	if (rc)
		return 1;
	c->version = st.version;
	struct zjson j;
	int bad = len > 0 && zj_parse(&j, data, (size_t)len);
	if (len > 0 && !bad) {
		int cfg = zj_get(&j, 0, "config"), tok = cfg + 1;
		bad = zj_type(&j, cfg) != ZJ_OBJ;
		for (int i = 0; !bad && i < j.t[cfg].count && c->n < GQ_MAX_KEYS; i++) {
			char key[256], val[1024];
			int v = tok + 1;
			bad = zj_str(&j, tok, key, sizeof key) || zj_str(&j, v, val, sizeof val) ||
			      !(c->keys[c->n] = strdup(key)) || !(c->vals[c->n++] = strdup(val));
			tok = j.t[v].next;
		}
		zj_free(&j);
	}
	free(data);
	if (bad) {
		gq_node_free(c);
		return gctl_err("%s: malformed config", path), 1;
	}
	return 0;
}

static int gq_san(const char *name, char *out, size_t cap)
{
	if (!name) {
		snprintf(out, cap, "<default>");
		return 0;
	}
	if (entity_sanitize(name, out, cap) < 0)
		return gctl_err("entity name too long or empty"), 1;
	return 0;
}

static void gq_print_node(struct gq *q, int *first, const char *usan, const char *csan,
			  const struct gq_node *c)
{
	const char *keys[GQ_MAX_KEYS], *vals[GQ_MAX_KEYS];
	char u[512], cl[512];
	int n = 0;
	for (int i = 0; i < c->n; i++)
		if (gctl_quota_key(c->keys[i])) {
			keys[n] = c->keys[i];
			vals[n++] = c->vals[i];
		}
	if (n == 0)
		return;
	int du = usan && strcmp(usan, "<default>") == 0, dc = csan && strcmp(csan, "<default>") == 0;
	if (usan && !du && entity_desanitize(usan, u, sizeof u) < 0)
		snprintf(u, sizeof u, "%s", usan);
	if (csan && !dc && entity_desanitize(csan, cl, sizeof cl) < 0)
		snprintf(cl, sizeof cl, "%s", csan);
	gq_print_row(&q->g.o, *first, du ? NULL : u, usan != NULL, dc ? NULL : cl, csan != NULL,
		     keys, vals, n);
	*first = 0;
}

/* Prints the entity at path (names as znode names) if it matches. */
static int gq_zk_show(struct gq *q, int *first, const char *usan, const char *csan)
{
	char path[GCTL_PATH_MAX], want_u[512], want_c[512];
	struct gq_node c;
	if (q->has_user && (gq_san(q->user, want_u, sizeof want_u) ||
			    !usan || strcmp(usan, want_u) != 0))
		return 0;
	if (q->has_client && (gq_san(q->client, want_c, sizeof want_c) ||
			      !csan || strcmp(csan, want_c) != 0))
		return 0;
	if ((q->has_user || q->has_client) && ((!q->has_user && usan) || (!q->has_client && csan)))
		return 0; /* an entity given: only that one (strict) */
	if (usan && csan ? gctl_path(path, "/config/users/%s/clients/%s", usan, csan)
	    : usan ? gctl_path(path, "/config/users/%s", usan)
		   : gctl_path(path, "/config/clients/%s", csan))
		return 1;
	if (gq_node_read(&q->g, path, &c))
		return 1;
	gq_print_node(q, first, usan, csan, &c);
	gq_node_free(&c);
	return 0;
}

static int gq_zk_describe(struct gq *q)
{
	struct String_vector users = { 0, NULL }, clients = { 0, NULL };
	int first = 1, rc = 0;
	if (q->g.o.json)
		printf("[");
	if (gctl_children(&q->g, "/config/clients", &clients) == GCTL_FAIL ||
	    gctl_children(&q->g, "/config/users", &users) == GCTL_FAIL)
		rc = 1;
	for (int i = 0; !rc && i < clients.count; i++)
		rc = gq_zk_show(q, &first, NULL, clients.data[i]);
	for (int i = 0; !rc && i < users.count; i++) {
		char path[GCTL_PATH_MAX];
		struct String_vector uc = { 0, NULL };
		rc = gq_zk_show(q, &first, users.data[i], NULL) ||
		     gctl_path(path, "/config/users/%s/clients", users.data[i]) ||
		     gctl_children(&q->g, path, &uc) == GCTL_FAIL;
		for (int k = 0; !rc && k < uc.count; k++)
			rc = gq_zk_show(q, &first, users.data[i], uc.data[k]);
		deallocate_String_vector(&uc);
	}
	deallocate_String_vector(&users);
	deallocate_String_vector(&clients);
	if (q->g.o.json)
		printf("]\n");
	return rc;
}

static int gq_node_put(struct gq_node *c, const char *k, const char *v)
{
	for (int i = 0; i < c->n; i++)
		if (strcmp(c->keys[i], k) == 0) {
			free(c->vals[i]);
			return !(c->vals[i] = strdup(v));
		}
	if (c->n == GQ_MAX_KEYS)
		return 1;
	c->keys[c->n] = strdup(k);
	c->vals[c->n] = strdup(v);
	return !c->keys[c->n++] || !c->vals[c->n - 1];
}

static void gq_node_del(struct gq_node *c, const char *k)
{
	for (int i = 0; i < c->n; i++)
		if (strcmp(c->keys[i], k) == 0) {
			free(c->keys[i]);
			free(c->vals[i]);
			c->n--;
			c->keys[i] = c->keys[c->n];
			c->vals[i] = c->vals[c->n];
			return;
		}
}

/* Kafka's stored forms: byte rates as longs, percentages as doubles. */
static int gq_zk_value(const char *key, const char *in, char *out, size_t cap)
{
	char *end;
	errno = 0;
	double d = strtod(in, &end);
	if (*end || errno || !isfinite(d))
		return gctl_err("%s: '%s' is not a number", key, in), 1;
	if (strcmp(key, "producer_byte_rate") == 0 || strcmp(key, "consumer_byte_rate") == 0) {
		if (d != floor(d))
			return gctl_err("Configuration %s must be a LONG value", key), 1;
		snprintf(out, cap, "%.0f", d);
	} else {
		snprintf(out, cap, d == floor(d) && fabs(d) < 1e7 ? "%.1f" : "%.17g", d);
	}
	return 0;
}

static int gq_zk_alter(struct gq *q)
{
	char usan[512], csan[512], path[GCTL_PATH_MAX], ep[GCTL_PATH_MAX];
	if ((q->has_user && gq_san(q->user, usan, sizeof usan)) ||
	    (q->has_client && gq_san(q->client, csan, sizeof csan)))
		return 1;
	if (q->has_user && q->has_client ? gctl_path(ep, "users/%s/clients/%s", usan, csan)
	    : q->has_user ? gctl_path(ep, "users/%s", usan) : gctl_path(ep, "clients/%s", csan))
		return 1;
	if (gctl_path(path, "/config/%s", ep))
		return 1;
	struct gq_node c;
	if (gq_node_read(&q->g, path, &c))
		return 1;
	for (int i = 0; i < q->n_add; i++) {
		char v[64];
		if (gq_zk_value(q->add[i], q->add_val[i], v, sizeof v) || gq_node_put(&c, q->add[i], v)) {
			gq_node_free(&c);
			return 1;
		}
	}
	for (int i = 0; i < q->n_del; i++)
		gq_node_del(&c, q->del[i]);
	if (q->validate_only) {
		gq_node_free(&c);
		printf("validated quotas of %s\n", ep);
		return 0;
	}
	struct zbuf b;
	zb_init(&b);
	zn_config_build(&b, (const char *const *)c.keys, (const char *const *)c.vals, c.n);
	int rc = b.oom ? ZSYSTEMERROR
		 : c.version >= 0 ? zoo_set(q->g.zh, path, b.p, (int)b.len, c.version)
				  : GCTL_NONODE;
	if (rc == GCTL_NONODE) {
		/* parents first (null data), as Kafka's createRecursive */
		char parent[GCTL_PATH_MAX];
		for (char *s = strchr(path + 1, '/'); s; s = strchr(s + 1, '/')) {
			snprintf(parent, sizeof parent, "%.*s", (int)(s - path), path);
			gctl_write_new(&q->g, parent, NULL, 0);
		}
		rc = gctl_write_new(&q->g, path, b.p, b.len) == 0 ? ZOK : ZSYSTEMERROR;
	}
	zb_free(&b);
	gq_node_free(&c);
	if (rc != ZOK)
		return gctl_err("%s: %s (changed concurrently? try again)", path,
				rc == ZSYSTEMERROR ? "write failed" : zerror(rc)), 1;
	zb_init(&b);
	zb_puts(&b, "{\"version\":2,\"entity_path\":");
	zb_jstr(&b, ep);
	zb_puts(&b, "}");
	const char *seq = "/config/changes/config_change_";
	rc = b.oom ? ZSYSTEMERROR : zoo_create(q->g.zh, seq, b.p, (int)b.len,
					       zk_acl_for(q->g.secure, seq), ZOO_SEQUENCE, NULL, 0);
	zb_free(&b);
	if (rc != ZOK)
		return gctl_err("%s written, but no change notification: %s", path, zerror(rc)), 1;
	printf("altered quotas of %s\n", ep);
	return 0;
}

static int gq_run(struct gq *q)
{
	int describe = strcmp(q->verb, "describe") == 0;
	if (!describe && strcmp(q->verb, "alter") && strcmp(q->verb, "delete"))
		return gq_usage("quotas COMMAND is describe, alter or delete");
	if (!q->g.o.bootstrap == !q->g.o.zookeeper)
		return gq_usage("exactly one of --bootstrap-server and --zookeeper is required");
	if (!describe && !q->has_user && !q->has_client)
		return gq_usage("alter and delete need --user/--user-default and/or "
				"--client-id/--client-default");
	if (strcmp(q->verb, "alter") == 0 && q->n_add == 0 && q->n_del == 0)
		return gq_usage("alter needs --add-config or --delete-config");
	if (strcmp(q->verb, "delete") == 0) {
		if (q->n_add)
			return gq_usage("delete takes --delete-config, not --add-config");
		for (size_t i = 0; q->n_del == 0 && i < sizeof gq_keys / sizeof *gq_keys; i++)
			q->del[i] = (char *)gq_keys[i];
		if (q->n_del == 0)
			q->n_del = (int)(sizeof gq_keys / sizeof *gq_keys);
	}
	if (q->g.o.bootstrap)
		return gq_kafka(q);
	if (gctl_connect(&q->g))
		return 1;
	int rc = describe ? gq_zk_describe(q) : gq_zk_alter(q);
	gctl_close(&q->g);
	return rc;
}

int gctl_quotas_main(int argc, char **argv)
{
	struct gq q;
	memset(&q, 0, sizeof q);
	q.g.o.timeout_s = 10;
	q.g.o.partitions = q.g.o.rf = q.g.o.partition = -1;
	opterr = 0;
	optind = 1;
	int id;
	while ((id = getopt_long(argc, argv, "", gq_longopts, NULL)) != -1) {
		if (id == '?' || id == ':') {
			const char *bad = argv[optind - 1];
			return gctl_usage_err("quotas", optopt ? "option %s needs a value"
							      : "unknown option %s", bad);
		}
		const char *why = gq_apply(&q, id, optarg);
		if (why && !*why) {
			fputs(gq_usage_text, stdout);
			return 0;
		}
		if (why)
			return gq_usage(why);
	}
	if (optind >= argc)
		return gq_usage("quotas needs a COMMAND: describe, alter or delete");
	if (optind + 1 < argc)
		return gq_usage("unexpected words after the COMMAND");
	q.verb = argv[optind];
	int rc = gq_run(&q);
	if (fflush(stdout) != 0 && rc == 0)
		rc = (gctl_err("cannot write output"), 1);
	return rc;
}
