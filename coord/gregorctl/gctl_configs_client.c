/* gregorctl configs --bootstrap-server for users and clients, as
 * kafka-configs.sh 2.7+ does it over the Kafka protocol: quota keys through
 * DescribeClientQuotas / AlterClientQuotas (the code 'gregorctl quotas'
 * uses, gctl_quotas.c), a user's SCRAM credentials through
 * DescribeUserScramCredentials / AlterUserScramCredentials. The password
 * never leaves this process: the tool sends a random salt and the salted
 * password, as Kafka's admin client does. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "common/auth/scram.h"
#include "common/proto/kerr.h"
#include "coord/gregorctl/gctl.h"
#include "coord/gregorctl/gctl_kafka.h"
#include "coord/zjson.h"

enum { CC_API_DESCRIBE_SCRAM = 50, CC_API_ALTER_SCRAM = 51 };
#define CC_DEFAULT_ITERATIONS 4096 /* kafka-configs' default */
#define CC_SALT_LEN 32

/* The entity as quota parts: the i-th --entity-type takes the i-th name,
 * "" being --entity-default's default (gctl_opts.c); without one, any name. */
static int cc_parts(const struct gctl_opts *o, struct gctl_qpart *p)
{
	int n = 0;
	for (int i = 0; i < o->entity_types.n && n < 2; i++, n++) {
		const char *name = i < o->entity_names.n ? o->entity_names.v[i] : NULL;
		p[n].type = strcmp(o->entity_types.v[i], "users") == 0 ? "user" : "client-id";
		p[n].match = !name ? GCTL_QMATCH_ANY : *name ? GCTL_QMATCH_EXACT : GCTL_QMATCH_DEFAULT;
		p[n].name = name && *name ? name : NULL;
	}
	return n;
}

/* A double as Java's Double.toString writes it (what kafka-configs prints):
 * 1048576.0, 0.5, 1.0E7. */
static void cc_java_double(double d, char *out, size_t cap)
{
	double a = fabs(d);
	int plain = d == 0 || (a >= 1e-3 && a < 1e7);
	for (int p = 1; p <= 17; p++) {
		snprintf(out, cap, plain ? "%.*f" : "%.*e", p, d);
		if (strtod(out, NULL) == d)
			break;
	}
	char *e = strchr(out, 'e');
	if (!plain && e) { /* 1.048576e+07 -> 1.048576E7 */
		int x = atoi(e + 1);
		snprintf(e, cap - (size_t)(e - out), "E%d", x);
	}
}

struct cc_rows {
	const struct gctl_opts *o;
	struct zbuf *j;
	int n;
};

static void cc_part_text(const struct gctl_qpart *p, char *out, size_t cap)
{
	const char *t = strcmp(p->type, "user") == 0 ? "user-principal" : "client-id";
	if (p->name)
		snprintf(out, cap, "%s '%s'", t, p->name);
	else
		snprintf(out, cap, "the default %s", t);
}

static void cc_row_json(struct cc_rows *r, const struct gctl_qentry *e)
{
	struct zbuf *j = r->j;
	const struct gctl_qpart *u = NULL, *c = NULL;
	for (int i = 0; i < e->n_parts; i++)
		*(strcmp(e->part[i].type, "user") == 0 ? &u : &c) = &e->part[i];
	const struct gctl_qpart *head = u ? u : c;
	zb_printf(j, "%s{\"entity_type\":\"%s\",\"entity_name\":", r->n ? "," : "",
		  u ? "users" : "clients");
	head && head->name ? zb_jstr(j, head->name) : zb_puts(j, "null");
	if (u && c) {
		zb_puts(j, ",\"client\":");
		c->name ? zb_jstr(j, c->name) : zb_puts(j, "null");
	}
	zb_puts(j, ",\"configs\":{");
	for (int i = 0; i < e->n; i++) {
		char v[64];
		cc_java_double(e->values[i], v, sizeof v);
		zb_puts(j, i ? "," : "");
		zb_jstr(j, e->keys[i]);
		zb_printf(j, ":%s", v);
	}
	zb_puts(j, "}}");
}

/* "Quota configs for user-principal 'alice', client-id 'c' are k=v, k2=v2" */
static void cc_row(void *ctx, const struct gctl_qentry *e)
{
	struct cc_rows *r = ctx;
	if (r->o->json) {
		cc_row_json(r, e);
		r->n++;
		return;
	}
	char who[2][600], v[64];
	int iu = e->n_parts > 1 && strcmp(e->part[1].type, "user") == 0;
	for (int i = 0; i < e->n_parts && i < 2; i++)
		cc_part_text(&e->part[i], who[i], sizeof who[i]);
	printf("Quota configs for %s%s%s are ", who[iu], e->n_parts > 1 ? ", " : "",
	       e->n_parts > 1 ? who[!iu] : "");
	for (int i = 0; i < e->n; i++) {
		cc_java_double(e->values[i], v, sizeof v);
		printf("%s%s=%s", i ? ", " : "", e->keys[i], v);
	}
	printf("\n");
	r->n++;
}

/* DescribeUserScramCredentials of the named user (NULL: every user). */
static int cc_describe_scram(struct gk *k, const char *user, struct cc_rows *r)
{
	struct broker_channel *ch = gk_any(k);
	if (!ch)
		return 1;
	struct describe_user_scram_credentials_req_user u = { gk_kstr(user) };
	struct describe_user_scram_credentials_request req = {
		user ? (struct karray){ 1, &u } : (struct karray){ -1, NULL } };
	struct describe_user_scram_credentials_response resp;
	int rc = gk_call(k, ch, CC_API_DESCRIBE_SCRAM, 0, &describe_user_scram_credentials_request_msg,
			 &req, &describe_user_scram_credentials_response_msg, &resp);
	if (rc)
		return gk_failed("DescribeUserScramCredentials", rc);
	if (resp.error_code)
		return gctl_err("DescribeUserScramCredentials: %s", kerr_name(resp.error_code)), 1;
	const struct describe_user_scram_credentials_resp_result *res = resp.results.v;
	for (int32_t i = 0; i < resp.results.n; i++) {
		const char *name = gk_cstr(k, res[i].user);
		if (res[i].error_code == KERR_RESOURCE_NOT_FOUND)
			continue; /* a user without credentials: nothing to show */
		if (res[i].error_code) {
			gctl_err("Error retrieving SCRAM credential configs for user-principal '%s': %s",
				 name, kerr_name(res[i].error_code));
			rc = 1;
			continue;
		}
		const struct describe_user_scram_credentials_resp_info *c = res[i].credential_infos.v;
		if (!r->o->json)
			printf("SCRAM credential configs for user-principal '%s' are ", name);
		for (int32_t m = 0; m < res[i].credential_infos.n; m++) {
			int mech = scram_mech_from_wire_id(c[m].mechanism);
			const char *mn = mech < 0 ? "UNKNOWN" : scram_mech_name((enum scram_mech)mech);
			if (r->o->json) {
				zb_puts(r->j, r->n++ ? ",{\"user\":" : "{\"user\":");
				zb_jstr(r->j, name);
				zb_printf(r->j, ",\"mechanism\":\"%s\",\"iterations\":%d}", mn,
					  c[m].iterations);
			} else {
				printf("%s%s=iterations=%d", m ? ", " : "", mn, c[m].iterations);
			}
		}
		if (!r->o->json)
			printf("\n");
	}
	return rc != 0;
}

static int cc_describe(struct gctl *g, struct gk *k)
{
	struct gctl_qpart p[2];
	int n = cc_parts(&g->o, p);
	struct zbuf j;
	struct cc_rows r = { &g->o, &j, 0 };
	zb_init(&j);
	zb_puts(&j, "{\"entities\":[");
	int rc = gctl_quota_describe(k, p, n, 1, cc_row, &r);
	/* as Kafka: a user's SCRAM credentials unless a client or a default
	 * is part of the entity */
	zb_puts(&j, "],\"scram_credentials\":[");
	r.n = 0;
	if (!rc && n == 1 && !strcmp(p[0].type, "user") && p[0].match != GCTL_QMATCH_DEFAULT)
		rc = cc_describe_scram(k, p[0].name, &r);
	zb_puts(&j, "]}\n");
	if (g->o.json && !rc)
		rc = gk_put_json(&j);
	zb_free(&j);
	return rc;
}

/* ---- alter ---- */

struct cc_keys {
	char **add, **add_val, **del;
	int n_add, n_del;
	int quota, scram;     /* how many of each kind */
	const char *unknown;  /* the first key of neither kind */
	const char *first_scram;
};

static void cc_classify(struct cc_keys *c)
{
	for (int i = 0; i < c->n_add + c->n_del; i++) {
		const char *key = i < c->n_add ? c->add[i] : c->del[i - c->n_add];
		if (gctl_quota_key(key))
			c->quota++;
		else if (scram_mech_parse(key) >= 0)
			c->first_scram = c->scram++ ? c->first_scram : key;
		else if (!c->unknown)
			c->unknown = key;
	}
}

/* kafka-configs' refusals for users and clients over --bootstrap-server. */
static int cc_refuse(const struct gctl_qpart *p, int n, const struct cc_keys *c)
{
	for (int i = 0; i < n; i++)
		if (p[i].match == GCTL_QMATCH_ANY)
			return gctl_usage_err("configs", "--entity-name or --entity-default must be "
					      "specified with each --entity-type for --alter");
	int users = n == 1 && !strcmp(p[0].type, "user");
	if (!users && (c->unknown || c->scram))
		return gctl_usage_err("configs", "Only quota configs can be altered for 'clients' "
				      "using --bootstrap-server. Unexpected config name: %s",
				      c->unknown ? c->unknown : c->first_scram);
	if (c->unknown)
		return gctl_usage_err("configs", "Only quota and SCRAM credential configs can be "
				      "altered for 'users' using --bootstrap-server. Unexpected "
				      "config name: %s", c->unknown);
	if (c->scram && p[0].match == GCTL_QMATCH_DEFAULT)
		return gctl_usage_err("configs", "The use of --entity-default is not allowed with "
				      "User SCRAM Credentials using --bootstrap-server.");
	if (c->scram && c->quota)
		return gctl_usage_err("configs", "Cannot alter both quota and SCRAM credential "
				      "configs simultaneously for 'users' using --bootstrap-server.");
	return 0;
}

struct cc_have {
	const char *keys[GCTL_QMAX_KEYS];
	int n;
};

static void cc_have_row(void *ctx, const struct gctl_qentry *e)
{
	struct cc_have *h = ctx;
	for (int i = 0; i < e->n && h->n < GCTL_QMAX_KEYS; i++)
		h->keys[h->n++] = e->keys[i];
}

static int cc_alter_quota(struct gk *k, const struct gctl_qpart *p, int n, const struct cc_keys *c)
{
	double vals[GCTL_QMAX_KEYS];
	if (c->n_add > GCTL_QMAX_KEYS)
		return gctl_usage_err("configs", "too many quota configs");
	for (int i = 0; i < c->n_add; i++) {
		char *end;
		errno = 0;
		vals[i] = strtod(c->add_val[i], &end);
		if (end == c->add_val[i] || *end || errno || !isfinite(vals[i]))
			return gctl_err("Cannot parse quota configuration value for %s: %s",
					c->add[i], c->add_val[i]), 1;
	}
	/* as Kafka: deleting a quota the entity does not have is an error */
	struct cc_have h = { .n = 0 };
	if (c->n_del && gctl_quota_describe(k, p, n, 1, cc_have_row, &h))
		return 1;
	for (int i = 0; i < c->n_del; i++) {
		int found = 0;
		for (int m = 0; m < h.n && !found; m++)
			found = strcmp(h.keys[m], c->del[i]) == 0;
		if (!found)
			return gctl_err("Invalid config(s): %s", c->del[i]), 1;
	}
	return gctl_quota_alter(k, p, n, (const char *const *)c->add, vals, c->n_add,
				(const char *const *)c->del, c->n_del, 0);
}

/* "[iterations=N,]password=P" (brackets already dropped), Kafka's form. */
static int cc_scram_value(enum scram_mech m, const char *v, int *iter, const char **pw)
{
	*iter = CC_DEFAULT_ITERATIONS;
	if (strncmp(v, "iterations=", 11) == 0) {
		char *end;
		long it = strtol(v + 11, &end, 10);
		if (end == v + 11 || strncmp(end, ",password=", 10) != 0)
			goto bad;
		*iter = it == -1 ? CC_DEFAULT_ITERATIONS : it < 0 || it > INT32_MAX ? 0 : (int)it;
		v = end + 1;
	}
	if (strncmp(v, "password=", 9) != 0)
		goto bad;
	*pw = v + 9;
	if (*iter < SCRAM_MIN_ITERATIONS)
		return gctl_err("Iterations %d is less than the minimum %d required for %s", *iter,
				SCRAM_MIN_ITERATIONS, scram_mech_name(m)), 1;
	return 0;
bad:
	return gctl_err("Invalid credential property %s=%s", scram_mech_name(m), v), 1;
}

static int cc_upsertion(struct gk *k, const char *user, const char *key, const char *value,
			struct alter_user_scram_credentials_req_upsertion *u)
{
	enum scram_mech m = (enum scram_mech)scram_mech_parse(key);
	int iter;
	const char *pw;
	if (cc_scram_value(m, value, &iter, &pw))
		return 1;
	uint8_t *salt = arena_alloc(&k->a, CC_SALT_LEN), *salted = arena_alloc(&k->a, SCRAM_KEY_MAX);
	if (!salt || !salted || RAND_bytes(salt, CC_SALT_LEN) != 1 ||
	    scram_salted_password(m, pw, strlen(pw), salt, CC_SALT_LEN, iter, salted) < 0)
		return gctl_err("cannot compute the salted password"), 1;
	*u = (struct alter_user_scram_credentials_req_upsertion){
		gk_kstr(user), scram_mech_wire_id(m), iter, { salt, CC_SALT_LEN },
		{ salted, (int32_t)scram_key_len(m) } };
	return 0;
}

static int cc_alter_scram(struct gk *k, const char *user, const struct cc_keys *c)
{
	struct alter_user_scram_credentials_req_deletion *d =
		arena_alloc(&k->a, sizeof *d * (size_t)(c->n_del + 1));
	struct alter_user_scram_credentials_req_upsertion *u =
		arena_alloc(&k->a, sizeof *u * (size_t)(c->n_add + 1));
	struct broker_channel *ch = gk_any(k);
	if (!d || !u || !ch)
		return ch ? (gctl_err("out of memory"), 1) : 1;
	for (int i = 0; i < c->n_del; i++)
		d[i] = (struct alter_user_scram_credentials_req_deletion){
			gk_kstr(user), scram_mech_wire_id((enum scram_mech)scram_mech_parse(c->del[i])) };
	for (int i = 0; i < c->n_add; i++)
		if (cc_upsertion(k, user, c->add[i], c->add_val[i], &u[i]))
			return 1;
	struct alter_user_scram_credentials_request req = { { c->n_del, d }, { c->n_add, u } };
	struct alter_user_scram_credentials_response resp;
	int rc = gk_call(k, ch, CC_API_ALTER_SCRAM, 0, &alter_user_scram_credentials_request_msg,
			 &req, &alter_user_scram_credentials_response_msg, &resp);
	if (rc)
		return gk_failed("AlterUserScramCredentials", rc);
	const struct alter_user_scram_credentials_resp_result *r = resp.results.v;
	for (int32_t i = 0; i < resp.results.n; i++)
		if (r[i].error_code)
			rc = (gctl_err("user %s: %s%s%s", gk_cstr(k, r[i].user), kerr_name(r[i].error_code),
				       r[i].error_message.len > 0 ? ": " : "",
				       gk_cstr(k, r[i].error_message)), 1);
	return rc;
}

int gctl_configs_client_kafka(struct gctl *g, char **add, char **add_val, int n_add, char **del,
			      int n_del)
{
	struct gctl_qpart p[2];
	int n = cc_parts(&g->o, p), rc;
	struct gk k;
	if (strcmp(g->o.action, "describe") == 0) {
		if (gk_open(&k, &g->o))
			return 1;
		rc = cc_describe(g, &k);
		gk_close(&k);
		return rc;
	}
	struct cc_keys c = { add, add_val, del, n_add, n_del, 0, 0, NULL, NULL };
	cc_classify(&c);
	if ((rc = cc_refuse(p, n, &c)) != 0)
		return rc;
	if (gk_open(&k, &g->o))
		return 1;
	rc = c.scram ? cc_alter_scram(&k, p[0].name, &c) : cc_alter_quota(&k, p, n, &c);
	gk_close(&k);
	if (rc)
		return rc;
	const char *type = strcmp(g->o.entity_types.v[0], "users") == 0 ? "user" : "client";
	if (p[0].name)
		printf("Completed updating config for %s %s.\n", type, p[0].name);
	else
		printf("Completed updating default config for %ss in the cluster.\n", type);
	return 0;
}
