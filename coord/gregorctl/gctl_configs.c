/* gregorctl configs: kafka-configs.sh. Over --bootstrap-server, topic,
 * broker, broker-default and broker-logger configs through DescribeConfigs
 * and IncrementalAlterConfigs (SET for --add-config, DELETE for
 * --delete-config); users and clients in gctl_configs_client.c (client
 * quotas, SCRAM credentials). Over --zookeeper, as Kafka's ZooKeeper-era
 * ConfigCommand: read and rewrite /config/<type>/<name> (users, clients and
 * user+client pairs too) and announce it with a change notification. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/auth/entity_name.h"
#include "common/proto/kerr.h"
#include "coord/gregorctl/gctl.h"
#include "coord/gregorctl/gctl_kafka.h"
#include "coord/gregorctl/gctl_text.h"
#include "coord/zjson.h"

enum { CF_API_DESCRIBE = 32, CF_API_INCR_ALTER = 44 };
enum { CF_RES_TOPIC = 2, CF_RES_BROKER = 4, CF_RES_BROKER_LOGGER = 8 };
#define CF_MAX_KV 256
#define CF_DEFAULT "<default>"

/* One entity: type "topics", "brokers", "users", "clients",
 * "broker-loggers", or "users" with a client (user+client quotas).
 * name NULL: the default entity; "" : every entity of the type. */
struct cf_entity {
	const char *type, *name;
	const char *client_type, *client; /* users/<u>/clients/<c> */
};

struct cf_kv {
	char *keys[CF_MAX_KV], *values[CF_MAX_KV];
	int n;
};

static const struct gctl_spec cf_spec = {
	"configs",
	"bootstrap-server bootstrap command-config zookeeper zk-digest zk-digest-file describe "
	"alter entity-type entity-name entity-default add-config delete-config topic broker "
	"broker-defaults user client user-defaults client-defaults all",
	"usage: gregorctl configs (--bootstrap-server H:P | --zookeeper H:P) ACTION ENTITY\n"
	"       (kafka-configs)\n"
	"actions:\n"
	"  --describe [--all]      dynamic configs (--all: every config with its source)\n"
	"  --alter [--add-config k=v,k2=[a,b],...] [--delete-config k,k2,...]\n"
	"entity:\n"
	"  --entity-type topics|brokers|broker-loggers|users|clients\n"
	"  (--entity-name NAME | --entity-default); shortcuts: --topic T, --broker N,\n"
	"  --broker-defaults, --user U, --client C, --user-defaults, --client-defaults\n"
	"  (--user U --client C together: the user's config for that client).\n"
	"  Without a name --describe shows every entity of the type.\n"
	"Over --bootstrap-server: topics, brokers, broker defaults, broker-loggers\n"
	"(DescribeConfigs, IncrementalAlterConfigs); users and clients: the quota keys\n"
	"producer_byte_rate, consumer_byte_rate, request_percentage,\n"
	"controller_mutation_rate (Describe/AlterClientQuotas) and a user's SCRAM\n"
	"credentials, 'SCRAM-SHA-256=[iterations=8192,password=P]' to add, the\n"
	"mechanism's name to delete (Describe/AlterUserScramCredentials; not with\n"
	"quota keys in one --alter, not for --entity-default). Over --zookeeper: every\n"
	"type, written to /config/<type>/<name> with a /config/changes notification.\n"
	"  --bootstrap-server H:P[,H:P...]  --command-config FILE (security.protocol, ssl.*)\n"
	"  --zookeeper H:P[/chroot]  --zk-digest USER:PASSWORD | --zk-digest-file F\n"
	"  --json  --timeout S\n"
	"examples:\n"
	"  gregorctl configs --bootstrap-server 127.0.0.1:9092 --alter --entity-type topics \\\n"
	"      --entity-name t --add-config retention.ms=60000,cleanup.policy=[compact,delete]\n"
	"  gregorctl configs --bootstrap-server 127.0.0.1:9092 --describe --broker-defaults\n"
	"  gregorctl configs --bootstrap-server 127.0.0.1:9092 --alter --entity-type users \\\n"
	"      --entity-name alice --add-config 'SCRAM-SHA-256=[iterations=8192,password=pw]'\n"
	"  gregorctl configs --bootstrap-server 127.0.0.1:9092 --alter --user alice \\\n"
	"      --client app --add-config producer_byte_rate=1048576\n"
	"  gregorctl configs --zookeeper 127.0.0.1:2181 --alter --entity-type users \\\n"
	"      --entity-name alice --add-config producer_byte_rate=1048576\n",
};

static const char *cf_singular(const char *type)
{
	return !strcmp(type, "topics") ? "topic" : !strcmp(type, "brokers") ? "broker" :
	       !strcmp(type, "users") ? "user" : !strcmp(type, "clients") ? "client" :
	       "broker-logger";
}

/* --add-config "k=v,k2=[a,b]" (gctl_text.c); s is modified. */
static int cf_split_add(char *s, struct cf_kv *kv)
{
	const char *why;
	int n = gctl_split_configs(s, kv->keys, kv->values, CF_MAX_KV, &why);
	if (n < 0)
		return gctl_err("--add-config: %s", why), -1;
	kv->n = n;
	return 0;
}

static int cf_split_delete(char *s, struct cf_kv *kv)
{
	for (char *save = NULL, *t = strtok_r(s, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (kv->n == CF_MAX_KV)
			return gctl_err("--delete-config: too many keys"), -1;
		kv->keys[kv->n++] = t;
	}
	return 0;
}

/* The entity from --entity-type/--entity-name/--entity-default and the
 * shortcuts; 0 or 64 (printed). */
static int cf_entity_of(struct gctl *g, struct cf_entity *e)
{
	struct gctl_opts *o = &g->o;
	memset(e, 0, sizeof *e);
	for (int i = 0; i < o->topics.n; i++) {
		o->entity_types.v[o->entity_types.n++] = "topics";
		o->entity_names.v[o->entity_names.n++] = o->topics.v[i];
	}
	if (o->entity_types.n == 0)
		return gctl_usage_err("configs", "no entity (--entity-type, --topic, --broker, ...)");
	if (o->entity_types.n > 2 || o->entity_names.n > 2)
		return gctl_usage_err("configs", "one entity at a time (or --user with --client)");
	static const char *types[] = { "topics", "brokers", "users", "clients", "broker-loggers" };
	for (int i = 0; i < o->entity_types.n; i++) {
		size_t t = 0;
		while (t < 5 && strcmp(types[t], o->entity_types.v[i]) != 0)
			t++;
		if (t == 5)
			return gctl_usage_err("configs", "--entity-type is topics, brokers, "
					      "broker-loggers, users or clients, not '%s'",
					      o->entity_types.v[i]);
	}
	e->type = o->entity_types.v[0];
	/* a name "" is --entity-default's (gctl_opts.c); no name: every entity */
	e->name = o->entity_names.n == 0 ? "" : *o->entity_names.v[0] ? o->entity_names.v[0] : NULL;
	if (o->entity_types.n == 2) {
		if (strcmp(e->type, "users") || strcmp(o->entity_types.v[1], "clients"))
			return gctl_usage_err("configs", "two entity types: only users then clients");
		e->client_type = "clients";
		e->client = o->entity_names.n > 1 && *o->entity_names.v[1] ? o->entity_names.v[1] : NULL;
		if (!e->name || !*e->name)
			e->name = NULL;
	}
	if (e->name == NULL && (!strcmp(e->type, "topics") || !strcmp(e->type, "broker-loggers")))
		return gctl_usage_err("configs", "--entity-default is for brokers, users, clients");
	if (e->name && *e->name && !strcmp(e->type, "topics") && !zn_topic_name_valid(e->name))
		return gctl_err("topic name '%s' is illegal", e->name), 1;
	return 0;
}

/* ================= over the Kafka protocol ================= */

static const char *cf_source_name(int8_t s)
{
	static const char *n[] = { "UNKNOWN", "DYNAMIC_TOPIC_CONFIG", "DYNAMIC_BROKER_CONFIG",
				   "DYNAMIC_DEFAULT_BROKER_CONFIG", "STATIC_BROKER_CONFIG",
				   "DEFAULT_CONFIG", "DYNAMIC_BROKER_LOGGER_CONFIG" };
	return s >= 0 && s <= 6 ? n[s] : "UNKNOWN";
}

/* Kafka's describe shows, without --all, only what was set for the entity. */
static int cf_shown(const struct gctl *g, int8_t res, const char *name, int8_t source)
{
	if (g->o.all || res == CF_RES_BROKER_LOGGER)
		return 1;
	if (res == CF_RES_TOPIC)
		return source == 1;
	return *name ? source == 2 : source == 3;
}

static void cf_print_entity(struct gctl *g, struct gk *k, const struct describe_configs_resp_result *r,
			    struct zbuf *j, int *first)
{
	const char *name = gk_cstr(k, r->resource_name);
	const char *type = r->resource_type == CF_RES_TOPIC ? "topics" :
			   r->resource_type == CF_RES_BROKER ? "brokers" : "broker-loggers";
	const struct describe_configs_resp_config *c = r->configs.v;
	if (g->o.json) {
		zb_printf(j, "%s{\"entity_type\":\"%s\",\"entity_name\":", *first ? "" : ",", type);
		if (*name || r->resource_type != CF_RES_BROKER)
			zb_jstr(j, name);
		else
			zb_puts(j, "null");
		zb_puts(j, ",\"configs\":[");
	} else if (!*name && r->resource_type == CF_RES_BROKER) {
		printf("%s default configs for brokers in the cluster are:\n",
		       g->o.all ? "All" : "Dynamic");
	} else {
		printf("%s configs for %s %s are:\n", g->o.all ? "All" : "Dynamic",
		       cf_singular(type), name);
	}
	int n = 0;
	for (int32_t i = 0; i < r->configs.n; i++) {
		if (!cf_shown(g, r->resource_type, name, c[i].config_source))
			continue;
		const char *v = c[i].is_sensitive ? NULL : c[i].value.p ? gk_cstr(k, c[i].value) : NULL;
		if (g->o.json) {
			zb_puts(j, n++ ? ",{\"name\":" : "{\"name\":");
			zb_jstr(j, gk_cstr(k, c[i].name));
			zb_puts(j, ",\"value\":");
			if (v)
				zb_jstr(j, v);
			else
				zb_puts(j, "null");
			zb_printf(j, ",\"source\":\"%s\",\"sensitive\":%s,\"read_only\":%s}",
				  cf_source_name(c[i].config_source),
				  c[i].is_sensitive ? "true" : "false", c[i].read_only ? "true" : "false");
		} else {
			printf("  %s=%s sensitive=%s synonyms={%s:%s=%s}\n", gk_cstr(k, c[i].name),
			       v ? v : c[i].is_sensitive ? "null" : "", c[i].is_sensitive ? "true" : "false",
			       cf_source_name(c[i].config_source), gk_cstr(k, c[i].name), v ? v : "");
		}
	}
	if (g->o.json)
		zb_puts(j, "]}");
	*first = 0;
}

static int cf_describe_one(struct gctl *g, struct gk *k, int8_t res, const char *name,
			   struct zbuf *j, int *first)
{
	struct broker_channel *ch;
	if (res == CF_RES_TOPIC || !*name)
		ch = gk_any(k);
	else if (!(ch = gk_broker(k, (int32_t)atoi(name))))
		return gctl_err("broker %s is not in the cluster's metadata", name), 1;
	if (!ch)
		return 1;
	struct describe_configs_req_resource rr = { res, gk_kstr(name), { -1, NULL } };
	struct describe_configs_request req = { { 1, &rr }, 0, 0 };
	struct describe_configs_response resp;
	int rc = gk_call(k, ch, CF_API_DESCRIBE, 1, &describe_configs_request_msg, &req,
			 &describe_configs_response_msg, &resp);
	if (rc)
		return gk_failed("DescribeConfigs", rc);
	const struct describe_configs_resp_result *r = resp.results.v;
	if (resp.results.n != 1)
		return gctl_err("DescribeConfigs answered %d results for one", resp.results.n), 1;
	if (r->error_code)
		return gctl_err("%s %s: %s%s%s", cf_singular(res == CF_RES_TOPIC ? "topics" : "brokers"),
				*name ? name : CF_DEFAULT, kerr_name(r->error_code),
				r->error_message.len > 0 ? ": " : "", gk_cstr(k, r->error_message)), 1;
	cf_print_entity(g, k, r, j, first);
	return 0;
}

static int8_t cf_res_of(const char *type)
{
	return !strcmp(type, "topics") ? CF_RES_TOPIC :
	       !strcmp(type, "brokers") ? CF_RES_BROKER :
	       !strcmp(type, "broker-loggers") ? CF_RES_BROKER_LOGGER : -1;
}

static int cf_k_describe(struct gctl *g, struct gk *k, const struct cf_entity *e)
{
	int8_t res = cf_res_of(e->type);
	struct zbuf j;
	int first = 1, rc = 0;
	zb_init(&j);
	zb_puts(&j, "{\"entities\":[");
	char id[16];
	if (e->name && !*e->name && res == CF_RES_TOPIC) {
		const struct metadata_resp_topic *t = k->md.topics.v;
		for (int32_t i = 0; i < k->md.topics.n; i++)
			rc |= cf_describe_one(g, k, res, gk_cstr(k, t[i].name), &j, &first);
	} else if (e->name && !*e->name) {
		const struct metadata_resp_broker *b = k->md.brokers.v;
		for (int32_t i = 0; i < k->md.brokers.n; i++) {
			snprintf(id, sizeof id, "%d", b[i].node_id);
			rc |= cf_describe_one(g, k, res, id, &j, &first);
		}
		if (res == CF_RES_BROKER)
			rc |= cf_describe_one(g, k, res, "", &j, &first);
	} else {
		rc = cf_describe_one(g, k, res, e->name ? e->name : "", &j, &first);
	}
	zb_puts(&j, "]}\n");
	if (g->o.json)
		rc |= gk_put_json(&j);
	zb_free(&j);
	return rc;
}

static int cf_k_alter(struct gk *k, const struct cf_entity *e, const struct cf_kv *add,
		      const struct cf_kv *del)
{
	int8_t res = cf_res_of(e->type);
	if (e->name && !*e->name)
		return gctl_usage_err("configs", "--alter needs --entity-name or --entity-default");
	const char *name = e->name ? e->name : "";
	struct broker_channel *ch = res == CF_RES_TOPIC || !*name ? gk_any(k)
				    : gk_broker(k, (int32_t)atoi(name));
	if (!ch)
		return gctl_err("broker %s is not in the cluster's metadata", name), 1;
	int n = add->n + del->n;
	struct incremental_alter_configs_req_config *c = arena_alloc(&k->a, sizeof *c * (size_t)(n + 1));
	if (!c)
		return gctl_err("out of memory"), 1;
	for (int i = 0; i < add->n; i++)
		c[i] = (struct incremental_alter_configs_req_config){
			gk_kstr(add->keys[i]), 0, gk_kstr(add->values[i]) };
	for (int i = 0; i < del->n; i++)
		c[add->n + i] = (struct incremental_alter_configs_req_config){
			gk_kstr(del->keys[i]), 1, { NULL, -1 } };
	struct incremental_alter_configs_req_resource rr = { res, gk_kstr(name), { n, c } };
	struct incremental_alter_configs_request req = { { 1, &rr }, 0 };
	struct incremental_alter_configs_response resp;
	int rc = gk_call(k, ch, CF_API_INCR_ALTER, 0, &incremental_alter_configs_request_msg, &req,
			 &incremental_alter_configs_response_msg, &resp);
	if (rc)
		return gk_failed("IncrementalAlterConfigs", rc);
	const struct incremental_alter_configs_resp_resource *r = resp.responses.v;
	if (resp.responses.n != 1)
		return gctl_err("IncrementalAlterConfigs answered %d results for one",
				resp.responses.n), 1;
	if (r->error_code)
		return gctl_err("%s%s%s", kerr_name(r->error_code), r->error_message.len > 0 ? ": " : "",
				gk_cstr(k, r->error_message)), 1;
	if (*name)
		printf("Completed updating config for %s %s.\n", cf_singular(e->type), name);
	else
		printf("Completed updating default config for brokers in the cluster.\n");
	return 0;
}

static int cf_kafka(struct gctl *g, const struct cf_entity *e, const struct cf_kv *add,
		    const struct cf_kv *del)
{
	if (cf_res_of(e->type) < 0) /* users, clients: quotas and SCRAM */
		return gctl_configs_client_kafka(g, (char **)add->keys, (char **)add->values, add->n,
						 (char **)del->keys, del->n);
	if (e->name && *e->name && !strcmp(e->type, "brokers") &&
	    strspn(e->name, "0123456789") != strlen(e->name))
		return gctl_usage_err("configs", "a broker's --entity-name is its id");
	struct gk k;
	if (gk_open(&k, &g->o))
		return 1;
	int rc = !strcmp(g->o.action, "describe") ? cf_k_describe(g, &k, e)
						 : cf_k_alter(&k, e, add, del);
	gk_close(&k);
	return rc;
}

/* ================= over ZooKeeper ================= */

/* "<type>/<sanitized name>[/clients/<sanitized client>]" */
static int cf_zk_entity(const struct cf_entity *e, const char *name, char *out, size_t cap)
{
	char sn[GCTL_PATH_MAX], sc[GCTL_PATH_MAX];
	const char *n = name ? name : CF_DEFAULT;
	int user_like = !strcmp(e->type, "users") || !strcmp(e->type, "clients");
	if (user_like && name && entity_sanitize(n, sn, sizeof sn) < 0)
		return gctl_err("entity name too long"), 1;
	if (!user_like || !name)
		snprintf(sn, sizeof sn, "%s", n);
	if (e->client_type) {
		const char *c = e->client ? e->client : CF_DEFAULT;
		if (e->client && entity_sanitize(c, sc, sizeof sc) < 0)
			return gctl_err("client id too long"), 1;
		if (!e->client)
			snprintf(sc, sizeof sc, "%s", c);
		return gctl_path(out, "%s/%s/clients/%s", e->type, sn, sc) ? 1 : 0;
	}
	(void)cap;
	return gctl_path(out, "%s/%s", e->type, sn) ? 1 : 0;
}

static int cf_z_show(struct gctl *g, const char *ent, struct zbuf *j, int *first)
{
	struct gctl_zcfg u;
	if (gctl_zcfg_read(g, ent, &u))
		return 1;
	char type[64];
	const char *slash = strchr(ent, '/');
	snprintf(type, sizeof type, "%.*s", (int)(slash - ent), ent);
	if (g->o.json) {
		zb_printf(j, "%s{\"entity_type\":", *first ? "" : ",");
		zb_jstr(j, type);
		zb_puts(j, ",\"entity_name\":");
		zb_jstr(j, slash + 1);
		zb_puts(j, ",\"configs\":{");
		for (int i = 0; i < u.n; i++) {
			zb_puts(j, i ? "," : "");
			zb_jstr(j, u.keys[i]);
			zb_puts(j, ":");
			zb_jstr(j, u.values[i]);
		}
		zb_puts(j, "}}");
	} else {
		printf("Configs for %s '%s' are ", cf_singular(type), slash + 1);
		for (int i = 0; i < u.n; i++)
			printf("%s%s=%s", i ? "," : "", u.keys[i], u.values[i]);
		printf("\n");
	}
	*first = 0;
	gctl_zcfg_free(&u);
	return 0;
}

static int cf_z_describe(struct gctl *g, const struct cf_entity *e)
{
	struct zbuf j;
	int first = 1, rc = 0;
	char ent[GCTL_PATH_MAX], path[GCTL_PATH_MAX];
	zb_init(&j);
	zb_puts(&j, "{\"entities\":[");
	if (e->name && !*e->name && !e->client_type) {
		struct String_vector kids;
		if (gctl_path(path, "/config/%s", e->type))
			return 1;
		int r = gctl_children(g, path, &kids);
		if (r == GCTL_FAIL)
			return zb_free(&j), 1;
		for (int i = 0; r == 0 && i < kids.count; i++) {
			if (gctl_path(ent, "%s/%s", e->type, kids.data[i]) == 0)
				rc |= cf_z_show(g, ent, &j, &first);
		}
		if (r == 0)
			deallocate_String_vector(&kids);
	} else if (!cf_zk_entity(e, e->name, ent, sizeof ent)) {
		rc = cf_z_show(g, ent, &j, &first);
	} else {
		rc = 1;
	}
	zb_puts(&j, "]}\n");
	if (g->o.json && !rc)
		rc = gk_put_json(&j);
	zb_free(&j);
	return rc;
}

/* Kafka's ZooKeeper-era checks: a topic must exist, a broker is an id. */
static int cf_z_check(struct gctl *g, const struct cf_entity *e)
{
	char path[GCTL_PATH_MAX];
	if (!strcmp(e->type, "topics")) {
		char *d = NULL;
		int len;
		if (gctl_path(path, "/brokers/topics/%s", e->name))
			return 1;
		int rc = gctl_get(g, path, &d, &len, NULL);
		free(d);
		if (rc == GCTL_NONODE)
			return gctl_err("topic '%s' does not exist", e->name), 1;
		return rc != 0;
	}
	if (!strcmp(e->type, "brokers") && e->name &&
	    strspn(e->name, "0123456789") != strlen(e->name))
		return gctl_err("a broker's --entity-name is its id"), 1;
	if (!strcmp(e->type, "broker-loggers"))
		return gctl_err("broker-loggers configs are not kept in ZooKeeper: use "
				"--bootstrap-server"), 1;
	return 0;
}

static int cf_z_alter(struct gctl *g, const struct cf_entity *e, const struct cf_kv *add,
		      const struct cf_kv *del)
{
	char ent[GCTL_PATH_MAX];
	if ((e->name && !*e->name) || cf_z_check(g, e) || cf_zk_entity(e, e->name, ent, sizeof ent))
		return e->name && !*e->name ? gctl_usage_err("configs", "--alter needs "
							     "--entity-name or --entity-default") : 1;
	if (gctl_zcfg_change(g, ent, (const char *const *)add->keys,
			     (const char *const *)add->values, add->n,
			     (const char *const *)del->keys, del->n, 1))
		return 1;
	printf("Completed updating config for entity: %s.\n", ent);
	return 0;
}

static int cf_zookeeper(struct gctl *g, const struct cf_entity *e, const struct cf_kv *add,
			const struct cf_kv *del)
{
	if (gctl_connect(g))
		return 1;
	int rc = !strcmp(g->o.action, "describe") ? cf_z_describe(g, e) : cf_z_alter(g, e, add, del);
	gctl_close(g);
	return rc;
}

static int cf_run(struct gctl *g)
{
	struct cf_entity e;
	struct cf_kv add = { .n = 0 }, del = { .n = 0 };
	int rc = cf_entity_of(g, &e);
	if (rc)
		return rc;
	if (!g->o.action || (strcmp(g->o.action, "describe") && strcmp(g->o.action, "alter")))
		return gctl_usage_err("configs", "--describe or --alter");
	if (!strcmp(g->o.action, "alter")) {
		if (!g->o.add_config && !g->o.delete_config)
			return gctl_usage_err("configs", "--alter needs --add-config or --delete-config");
		if ((g->o.add_config && cf_split_add((char *)g->o.add_config, &add)) ||
		    (g->o.delete_config && cf_split_delete((char *)g->o.delete_config, &del)))
			return GCTL_EXIT_USAGE;
	}
	if (!!g->o.bootstrap == !!g->o.zookeeper)
		return gctl_usage_err("configs", "one of --bootstrap-server or --zookeeper");
	return g->o.bootstrap ? cf_kafka(g, &e, &add, &del) : cf_zookeeper(g, &e, &add, &del);
}

int gctl_verb_configs(int argc, char **argv)
{
	struct gctl g;
	const char *w[1];
	int rc;
	if (gctl_parse(&g, argc, argv, &cf_spec, w, 0, &rc) >= 0)
		rc = cf_run(&g);
	gctl_done(&g);
	return rc;
}
