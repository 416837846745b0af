/* DescribeConfigs (32), v0-4: topic and broker configs as Kafka's
 * ConfigHelper shows them, every key, type, synonym and line of
 * documentation taken from the config tables (broker/config_def.c). A
 * topic lists every topic key: its own override (source 1) or the broker
 * default it comes from, with that default's synonyms level by level. A
 * broker (this broker's id) lists every broker key and anything set in a
 * dynamic layer, each with its source (per-broker dynamic 2, cluster
 * default 3, start-up 4, Kafka's default 5); the empty name lists only the
 * cluster-default layer. Secrets have a null value everywhere. Needs
 * DESCRIBE_CONFIGS on the topic, or on the cluster for brokers. */
#include <stdio.h>
#include <string.h>

#include "broker/auth/authorizer.h"
#include "broker/broker.h"
#include "broker/config_def.h"
#include "broker/handlers/broker_logger.h"
#include "broker/handlers/handlers.h"
#include "broker/metadata_cache.h"
#include "broker/topic_config.h"
#include "common/proto/kerr.h"
#include "common/proto/messages.h"
#include "common/strmap.h"

#define RESOURCE_TOPIC 2
#define RESOURCE_BROKER 4
#define MAX_SYNONYMS 16

static int wanted(const struct describe_configs_req_resource *r, const char *key)
{
	if (r->configuration_keys.n < 0)
		return 1;
	for (int32_t i = 0; i < r->configuration_keys.n; i++) {
		struct kstr k = ((const struct kstr *)r->configuration_keys.v)[i];
		if (k.len == (int32_t)strlen(key) && memcmp(k.p, key, (size_t)k.len) == 0)
			return 1;
	}
	return 0;
}

static struct kstr arena_kstr(struct arena *a, const char *s)
{
	size_t n = s ? strlen(s) : 0;
	char *c = s ? arena_alloc(a, n + 1) : NULL;
	if (!c)
		return (struct kstr){ NULL, -1 };
	memcpy(c, s, n + 1);
	return (struct kstr){ c, (int32_t)n };
}

/* What the level walk sees: the broker's levels, without the per-broker
 * layer for the cluster-default view (as Kafka). */
struct levels {
	const struct broker_config *cfg;
	int per_broker;
};

static const char *level_of(void *ctx, const char *name, enum config_source level)
{
	const struct levels *l = ctx;
	if (level == CONFIG_SOURCE_DYNAMIC_BROKER && !l->per_broker)
		return NULL;
	return broker_config_level(l->cfg, name, level);
}

struct describe_ctx {
	struct request *req;
	struct describe_configs_resp_result *res;
	int with_synonyms, with_docs;
};

/* Appends an entry; its synonyms (first nsyn of syn, the topic's own
 * override in front when override) when asked. */
static void add_entry(struct describe_ctx *x, const char *name, const char *value,
		      const struct config_def *d, int sensitive, int read_only,
		      const struct config_synonym *syn, int nsyn, const char *override)
{
	struct arena *a = &x->req->arena;
	struct describe_configs_resp_config *c =
		&((struct describe_configs_resp_config *)x->res->configs.v)[x->res->configs.n++];
	int8_t source = override ? CONFIG_SOURCE_TOPIC : nsyn ? (int8_t)syn[0].source
						       : CONFIG_SOURCE_DEFAULT;
	*c = (struct describe_configs_resp_config){
		.name = arena_kstr(a, name),
		.value = sensitive ? (struct kstr){ NULL, -1 } : arena_kstr(a, value),
		.read_only = (uint8_t)read_only,
		.is_default = source == CONFIG_SOURCE_DEFAULT,
		.config_source = source,
		.is_sensitive = (uint8_t)sensitive,
		.config_type = d ? (int8_t)d->type : 0,
		.documentation = x->with_docs && d ? arena_kstr(a, d->doc) : (struct kstr){ NULL, -1 },
	};
	if (!x->with_synonyms)
		return;
	struct describe_configs_resp_synonym *s = arena_alloc(a, ((size_t)nsyn + 2) * sizeof *s);
	if (!s)
		return;
	int k = 0;
	if (override)
		s[k++] = (struct describe_configs_resp_synonym){
			c->name, arena_kstr(a, override), CONFIG_SOURCE_TOPIC };
	for (int i = 0; i < nsyn; i++)
		s[k++] = (struct describe_configs_resp_synonym){
			arena_kstr(a, syn[i].name),
			sensitive ? (struct kstr){ NULL, -1 } : arena_kstr(a, syn[i].value),
			(int8_t)syn[i].source };
	c->synonyms = (struct karray){ k, s };
}

/* A topic key: the override, else the effective broker default of its
 * first synonym (derived values such as log.retention.ms from
 * log.retention.hours included), else the table's default. */
static void add_topic_config(struct describe_ctx *x, const struct config_def *d)
{
	struct request *req = x->req;
	const struct broker_config *cfg = req->b->cfg;
	const char *override = topic_config_override(req->b, x->res->resource_name.p,
						     x->res->resource_name.len, d->name);
	const char *names[8];
	int nn = config_def_synonym_names(CONFIG_ENTITY_TOPIC, d->name, names, 8);
	struct levels lv = { cfg, 1 };
	struct config_synonym syn[MAX_SYNONYMS];
	int ns = nn ? config_collect_synonyms(names[0], names, nn, level_of, &lv, syn,
					      MAX_SYNONYMS) : 0;
	char buf[1024];
	const char *value = override;
	if (!value && nn && broker_config_get(cfg, names[0], buf, sizeof buf) >= 0)
		value = buf;
	if (!value)
		value = d->def;
	add_entry(x, d->name, value, d, (d->flags & CONFIG_F_SENSITIVE) != 0, 0, syn, ns,
		  override);
}

static void describe_topic(struct describe_ctx *x, const struct describe_configs_req_resource *r)
{
	struct request *req = x->req;
	int n;
	const struct config_def *t = config_defs(CONFIG_ENTITY_TOPIC, &n);
	if (!mc_topic(req->b->meta, r->resource_name.p, r->resource_name.len)) {
		x->res->error_code = KERR_UNKNOWN_TOPIC_OR_PARTITION;
		return;
	}
	x->res->configs.v = arena_alloc(&req->arena, ((size_t)n + 1) *
					sizeof(struct describe_configs_resp_config));
	if (!x->res->configs.v) {
		x->res->error_code = KERR_UNKNOWN_SERVER_ERROR;
		return;
	}
	for (int i = 0; i < n; i++)
		if (wanted(r, t[i].name))
			add_topic_config(x, &t[i]);
}

/* One broker config entry; per_broker is 0 for the cluster-default view,
 * which leaves the per-broker layer out as Kafka does. */
static void add_broker_config(struct describe_ctx *x, const char *name, int per_broker)
{
	const struct broker_config *cfg = x->req->b->cfg;
	const char *names[8];
	int nn = config_def_synonym_names(CONFIG_ENTITY_BROKER, name, names, 8);
	struct levels lv = { cfg, per_broker };
	struct config_synonym syn[MAX_SYNONYMS];
	int ns = config_collect_synonyms(name, names, nn, level_of, &lv, syn, MAX_SYNONYMS);
	const char *base = strncmp(name, "listener.name.", 14) == 0 && nn > 1 ? names[1] : name;
	const struct config_def *d = config_def_find(CONFIG_ENTITY_BROKER, base);
	char buf[1024];
	const char *value = ns ? syn[0].value : NULL;
	if (!value && config_def_find(CONFIG_ENTITY_BROKER, name) &&
	    broker_config_get(cfg, name, buf, sizeof buf) >= 0 && (buf[0] || (d && d->def)))
		value = buf; /* an effective value (log.retention.ms from .hours) */
	add_entry(x, name, value, d, broker_config_is_password(name),
		  !broker_config_is_dynamic(name), syn, ns, NULL);
}

/* The names a broker resource lists: every broker key (this broker's view)
 * and anything set in a layer (custom keys, listener.name.* keys), each
 * once. Returns the count. */
static int broker_names(struct request *req, int per_broker, const char ***out)
{
	const struct broker_config *cfg = req->b->cfg;
	int nt, n = 0;
	const struct config_def *t = config_defs(CONFIG_ENTITY_BROKER, &nt);
	int cap = nt + 2;
	for (int l = 0; l < 2; l++)
		for (int i = 0; broker_config_dynamic_key(cfg, l, i); i++)
			cap++;
	const char **v = arena_alloc(&req->arena, (size_t)cap * sizeof *v);
	if (!v)
		return -1;
	for (int i = 0; per_broker && i < nt; i++)
		v[n++] = t[i].name;
	for (int l = per_broker ? 0 : CONFIG_LAYER_DEFAULT; l <= (per_broker ? 1 : 0); l++)
		for (int i = 0; broker_config_dynamic_key(cfg, l, i); i++) {
			const char *k = broker_config_dynamic_key(cfg, l, i);
			int dup = 0;
			for (int j = 0; j < n && !dup; j++)
				dup = strcmp(v[j], k) == 0;
			if (!dup)
				v[n++] = k;
		}
	*out = v;
	return n;
}

static void describe_broker(struct describe_ctx *x, const struct describe_configs_req_resource *r)
{
	struct request *req = x->req;
	struct describe_configs_resp_result *res = x->res;
	char id[16], msg[200];
	snprintf(id, sizeof id, "%d", req->b->id);
	int per_broker = r->resource_name.len > 0;
	if (per_broker && (r->resource_name.len != (int32_t)strlen(id) ||
			   memcmp(r->resource_name.p, id, (size_t)r->resource_name.len))) {
		res->error_code = KERR_INVALID_REQUEST;
		snprintf(msg, sizeof msg, "Unexpected broker id, expected %s or empty string, "
			 "but received %.*s", id,
			 r->resource_name.len > 64 ? 64 : (int)r->resource_name.len,
			 r->resource_name.p);
		res->error_message = arena_kstr(&req->arena, msg);
		return;
	}
	const char **names;
	int n = broker_names(req, per_broker, &names);
	res->configs.v = n >= 0 ? arena_alloc(&req->arena, ((size_t)n + 1) *
					      sizeof(struct describe_configs_resp_config)) : NULL;
	if (!res->configs.v) {
		res->error_code = KERR_UNKNOWN_SERVER_ERROR;
		return;
	}
	for (int i = 0; i < n; i++)
		if (wanted(r, names[i]))
			add_broker_config(x, names[i], per_broker);
}

static void describe_one(struct request *req, const struct describe_configs_req_resource *r,
			 struct describe_configs_resp_result *res,
			 const struct describe_configs_request *in)
{
	struct describe_ctx x = { req, res, in->include_synonyms, in->include_documentation };
	res->resource_type = r->resource_type;
	res->resource_name = r->resource_name;
	res->error_message = (struct kstr){ NULL, -1 };
	res->configs.n = 0;
	/* as KafkaApis: DESCRIBE_CONFIGS on the topic, or on the cluster for
	 * broker resources */
	if (r->resource_type == RESOURCE_BROKER && !authz_cluster(req, ACL_OP_DESCRIBE_CONFIGS)) {
		res->error_code = KERR_CLUSTER_AUTHORIZATION_FAILED;
		return;
	}
	if (r->resource_type == RESOURCE_TOPIC &&
	    !authz_topic(req, ACL_OP_DESCRIBE_CONFIGS, r->resource_name)) {
		res->error_code = KERR_TOPIC_AUTHORIZATION_FAILED;
		return;
	}
	if (r->resource_type == RESOURCE_BROKER)
		describe_broker(&x, r);
	else if (r->resource_type == RESOURCE_BROKER_LOGGER)
		broker_logger_describe(req, r, res);
	else if (r->resource_type == RESOURCE_TOPIC)
		describe_topic(&x, r);
	else
		res->error_code = KERR_INVALID_REQUEST;
}

/* 1 if (type, name) came before in this request, else records it: 0, or -1
 * out of memory. */
static int resource_seen(struct strmap *seen, const struct describe_configs_req_resource *r)
{
	char key[1 + 32768];
	int32_t len = r->resource_name.len > 0 ? r->resource_name.len : 0;
	if (len > (int32_t)sizeof key - 1)
		len = (int32_t)sizeof key - 1;
	key[0] = (char)r->resource_type;
	if (len)
		memcpy(key + 1, r->resource_name.p, (size_t)len);
	if (strmap_get(seen, key, (size_t)len + 1))
		return 1;
	return strmap_put(seen, key, (size_t)len + 1, seen) < 0 ? -1 : 0;
}

void handle_describe_configs(struct request *req)
{
	const struct describe_configs_request *in = req->body;
	int32_t n = in->resources.n > 0 ? in->resources.n : 0;
	struct describe_configs_response *out = arena_alloc(&req->arena, sizeof *out);
	if (!out || !(out->results.v = arena_alloc(&req->arena, ((size_t)n + 1) * sizeof(struct describe_configs_resp_result)))) {
		request_close(req, "out of memory");
		return;
	}
	out->results.n = n;
	struct strmap seen;
	strmap_init(&seen);
	for (int32_t i = 0; i < n; i++) {
		const struct describe_configs_req_resource *r =
			&((const struct describe_configs_req_resource *)in->resources.v)[i];
		struct describe_configs_resp_result *res =
			&((struct describe_configs_resp_result *)out->results.v)[i];
		int dup = resource_seen(&seen, r);
		if (dup) {
			/* a resource named twice is answered once; the repeats get
			 * INVALID_REQUEST (Kafka's answer to duplicate resources) and
			 * no message, so the answer never outgrows the request */
			*res = (struct describe_configs_resp_result){
				.error_code = dup < 0 ? KERR_UNKNOWN_SERVER_ERROR : KERR_INVALID_REQUEST,
				.error_message = { NULL, -1 },
				.resource_type = r->resource_type,
				.resource_name = r->resource_name,
			};
			continue;
		}
		describe_one(req, r, res, in);
	}
	strmap_free(&seen);
	request_respond(req, out);
}
