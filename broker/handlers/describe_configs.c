/* DescribeConfigs (32), v0-4: topic configs (the broker-wide defaults that
 * apply to every topic, or the topic's own override from /config/topics)
 * and broker configs as Kafka's ConfigHelper shows them: for this broker's
 * id every config with its source (per-broker dynamic 2, cluster default
 * dynamic 3, server.properties 4, Kafka's default 5) and, when asked, its
 * synonyms in precedence order; for the empty name only the cluster-default
 * layer. Topic configs list their synonyms as Kafka does (the broker default
 * they come from). v3+ carries each topic config's type (broker configs:
 * UNKNOWN) and no documentation (null, as when it is not asked for). Needs
 * DESCRIBE_CONFIGS on the topic, or on the cluster for brokers. */
#include <stdio.h>
#include <string.h>

#include "broker/auth/authorizer.h"
#include "broker/broker.h"
#include "broker/handlers/broker_logger.h"
#include "broker/handlers/handlers.h"
#include "broker/metadata_cache.h"
#include "broker/topic_config.h"
#include "common/proto/kerr.h"
#include "common/proto/messages.h"
#include "common/strmap.h"

#define RESOURCE_TOPIC 2
#define RESOURCE_BROKER 4
#define SOURCE_DYNAMIC_TOPIC 1
#define SOURCE_STATIC_BROKER 4
#define SOURCE_DEFAULT 5
#define MAX_SYNONYMS 12

/* Topic-level key and the broker key that supplies its default. */
static const char *const topic_keys[][2] = {
	{ "cleanup.policy", "log.cleanup.policy" },
	{ "compression.type", "compression.type" },
	{ "max.message.bytes", "message.max.bytes" },
	{ "min.insync.replicas", "min.insync.replicas" },
	{ "retention.bytes", "log.retention.bytes" },
	{ "retention.ms", "log.retention.ms" },
	{ "segment.bytes", "log.segment.bytes" },
	{ "segment.ms", "log.roll.ms" },
	{ "flush.messages", "log.flush.interval.messages" },
	{ "flush.ms", "log.flush.interval.ms" },
	{ "unclean.leader.election.enable", "unclean.leader.election.enable" },
	{ "message.timestamp.type", "log.message.timestamp.type" },
};
/* Their types as DescribeConfigs v3+ reports them (Kafka's ConfigType:
 * 1 BOOLEAN, 2 STRING, 3 INT, 5 LONG, 7 LIST), in the same order. */
static const int8_t topic_key_types[] = { 7, 2, 3, 3, 5, 5, 3, 5, 5, 5, 1, 2 };
_Static_assert(sizeof topic_key_types == sizeof topic_keys / sizeof topic_keys[0],
	       "one type per topic key");
#define N_TOPIC_KEYS (int)(sizeof topic_keys / sizeof topic_keys[0])

static const char *const broker_keys[] = {
	"broker.id", "listeners", "advertised.listeners", "log.dirs", "zookeeper.connect",
	"num.partitions", "default.replication.factor", "min.insync.replicas",
	"auto.create.topics.enable", "delete.topic.enable", "log.segment.bytes",
	"log.retention.ms", "log.retention.bytes", "message.max.bytes",
	"unclean.leader.election.enable", "replica.lag.time.max.ms",
};
#define N_BROKER_KEYS (int)(sizeof broker_keys / sizeof broker_keys[0])

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

static void add_topic_synonyms(struct request *req, struct describe_configs_resp_config *c,
			       const char *broker_key, const char *override);

static void add_config(struct request *req, struct describe_configs_resp_result *res,
		       const char *name, const char *broker_key, int8_t type, int with_synonyms)
{
	char buf[1024];
	const char *override = res->resource_type == RESOURCE_TOPIC
				       ? topic_config_override(req->b, res->resource_name.p,
							       res->resource_name.len, name)
				       : NULL;
	int set = override ? 1 : broker_config_get(req->b->cfg, broker_key, buf, sizeof buf);
	if (set < 0)
		return;
	if (override)
		snprintf(buf, sizeof buf, "%s", override);
	struct describe_configs_resp_config *c =
		&((struct describe_configs_resp_config *)res->configs.v)[res->configs.n++];
	size_t n = strlen(buf);
	char *v = arena_alloc(&req->arena, n + 1);
	if (v)
		memcpy(v, buf, n);
	c->name = (struct kstr){ name, (int32_t)strlen(name) };
	c->value = v ? (struct kstr){ v, (int32_t)n } : (struct kstr){ NULL, -1 };
	c->read_only = 0;
	c->is_default = !set;
	c->config_source = override ? SOURCE_DYNAMIC_TOPIC : set ? SOURCE_STATIC_BROKER : SOURCE_DEFAULT;
	/* a broker default may come from a dynamic broker config layer */
	if (!override && broker_config_dynamic_get(req->b->cfg, CONFIG_LAYER_BROKER, broker_key))
		c->config_source = CONFIG_SOURCE_DYNAMIC_BROKER;
	else if (!override && broker_config_dynamic_get(req->b->cfg, CONFIG_LAYER_DEFAULT,
							broker_key))
		c->config_source = CONFIG_SOURCE_DYNAMIC_DEFAULT;
	c->is_sensitive = 0;
	c->synonyms.n = 0;
	c->config_type = type;
	c->documentation = (struct kstr){ NULL, -1 };
	if (with_synonyms)
		add_topic_synonyms(req, c, broker_key, override);
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

/* Kafka's brokerConfigSynonyms: keys that are one config in several units. */
static int synonym_names(const char *name, const char **out)
{
	static const char *const retention[] = { "log.retention.ms", "log.retention.minutes",
						 "log.retention.hours" };
	static const char *const roll[] = { "log.roll.ms", "log.roll.hours" };
	const char *const *set = NULL;
	int n = 1;
	if (strcmp(name, retention[0]) == 0 || strcmp(name, retention[1]) == 0 ||
	    strcmp(name, retention[2]) == 0)
		set = retention, n = 3;
	else if (strcmp(name, roll[0]) == 0 || strcmp(name, roll[1]) == 0)
		set = roll, n = 2;
	for (int i = 0; i < n; i++)
		out[i] = set ? set[i] : name;
	return n;
}

/* Keys whose Kafka default is null (Gregor reads back a derived value). */
static int null_default(const char *name)
{
	return strcmp(name, "log.retention.ms") == 0 || strcmp(name, "log.retention.minutes") == 0 ||
	       strcmp(name, "log.roll.ms") == 0 || strcmp(name, "log.flush.interval.ms") == 0;
}

struct broker_syn {
	const char *name;
	char value[1024];
	int8_t source;
};

/* Every level at which one synonym name has a value, highest first. */
static int synonyms_of(const struct broker_config *cfg, const char *name, int per_broker,
		       struct broker_syn *out, int cap)
{
	int n = 0;
	const char *v;
	if (per_broker && n < cap && (v = broker_config_dynamic_get(cfg, CONFIG_LAYER_BROKER, name)))
		out[n].name = name, snprintf(out[n].value, sizeof out[n].value, "%s", v),
		out[n++].source = CONFIG_SOURCE_DYNAMIC_BROKER;
	if (n < cap && (v = broker_config_dynamic_get(cfg, CONFIG_LAYER_DEFAULT, name)))
		out[n].name = name, snprintf(out[n].value, sizeof out[n].value, "%s", v),
		out[n++].source = CONFIG_SOURCE_DYNAMIC_DEFAULT;
	if (n < cap &&
	    broker_config_static_get(cfg, name, out[n].value, sizeof out[n].value) == 1)
		out[n].name = name, out[n++].source = CONFIG_SOURCE_STATIC;
	/* Kafka's default (its own value; a derived read-back is not one) */
	if (n < cap && !null_default(name) &&
	    broker_config_default_get(name, out[n].value, sizeof out[n].value) == 0)
		out[n].name = name, out[n++].source = CONFIG_SOURCE_DEFAULT;
	return n;
}

/* A topic config's synonyms as Kafka's ConfigHelper lists them: the
 * topic's own override (TOPIC_CONFIG), then the broker key and its unit
 * synonyms level by level (dynamic per-broker, dynamic default, static,
 * Kafka's default), dropping those before the broker key itself. So
 * compression.type at its default lists compression.type=producer
 * (DEFAULT_CONFIG), and retention.ms at its default lists nothing (Kafka's
 * log.retention.ms has no default; only log.retention.hours has). */
static void add_topic_synonyms(struct request *req, struct describe_configs_resp_config *c,
			       const char *broker_key, const char *override)
{
	const char *names[3];
	struct broker_syn syn[MAX_SYNONYMS], by_level[MAX_SYNONYMS];
	int nn = synonym_names(broker_key, names), ns = 0, nl = 0;
	for (int i = 0; i < nn; i++)
		ns += synonyms_of(req->b->cfg, names[i], 1, syn + ns, MAX_SYNONYMS - ns);
	for (int8_t lvl = CONFIG_SOURCE_DYNAMIC_BROKER; lvl <= CONFIG_SOURCE_DEFAULT; lvl++)
		for (int i = 0; i < ns; i++)
			if (syn[i].source == lvl)
				by_level[nl++] = syn[i];
	int from = 0;
	while (from < nl && strcmp(by_level[from].name, broker_key) != 0)
		from++;
	struct describe_configs_resp_synonym *s =
		arena_alloc(&req->arena, ((size_t)(nl - from) + 2) * sizeof *s);
	if (!s)
		return;
	int k = 0;
	if (override)
		s[k++] = (struct describe_configs_resp_synonym){
			c->name, arena_kstr(&req->arena, override), SOURCE_DYNAMIC_TOPIC };
	for (int i = from; i < nl; i++)
		s[k++] = (struct describe_configs_resp_synonym){
			arena_kstr(&req->arena, by_level[i].name),
			arena_kstr(&req->arena, by_level[i].value), by_level[i].source };
	c->synonyms = (struct karray){ k, s };
}

/* One broker config entry; per_broker is 0 for the cluster-default view,
 * which leaves the per-broker layer out as Kafka does. */
static void add_broker_config(struct request *req, struct describe_configs_resp_result *res,
			      const char *name, int per_broker, int with_synonyms)
{
	const struct broker_config *cfg = req->b->cfg;
	const char *names[3];
	struct broker_syn syn[MAX_SYNONYMS];
	int nn = synonym_names(name, names), ns = 0;
	for (int i = 0; i < nn; i++)
		if (i == 0 || strcmp(names[i], name) != 0)
			ns += synonyms_of(cfg, names[i], per_broker, syn + ns, MAX_SYNONYMS - ns);
	/* Kafka's order: the described name's own levels first, then the rest */
	int sensitive = broker_config_is_password(name);
	char buf[1024];
	int first = -1;
	for (int i = 0; i < ns && first < 0; i++)
		if (strcmp(syn[i].name, name) == 0)
			first = i;
	if (first < 0 && broker_config_get(cfg, name, buf, sizeof buf) < 0 && !sensitive)
		return; /* neither known here nor set dynamically */
	struct describe_configs_resp_config *c =
		&((struct describe_configs_resp_config *)res->configs.v)[res->configs.n++];
	c->name = arena_kstr(&req->arena, name);
	if (first >= 0)
		snprintf(buf, sizeof buf, "%s", syn[first].value);
	else
		broker_config_get(cfg, name, buf, sizeof buf);
	c->value = sensitive ? (struct kstr){ NULL, -1 } : arena_kstr(&req->arena, buf);
	c->config_source = ns ? syn[first >= 0 ? first : 0].source : SOURCE_DEFAULT;
	if (first < 0 && ns && syn[0].source <= CONFIG_SOURCE_DYNAMIC_DEFAULT)
		c->config_source = syn[0].source; /* e.g. log.retention.ms via a synonym */
	c->is_default = c->config_source == SOURCE_DEFAULT;
	c->read_only = !broker_config_is_dynamic(name);
	c->is_sensitive = (uint8_t)sensitive;
	c->synonyms.n = 0;
	c->documentation = (struct kstr){ NULL, -1 };
	struct describe_configs_resp_synonym *s =
		with_synonyms ? arena_alloc(&req->arena, ((size_t)ns + 1) * sizeof *s) : NULL;
	for (int i = 0; s && i < ns; i++) {
		s[i].name = arena_kstr(&req->arena, syn[i].name);
		s[i].value = sensitive ? (struct kstr){ NULL, -1 }
				       : arena_kstr(&req->arena, syn[i].value);
		s[i].source = syn[i].source;
	}
	if (s) {
		c->synonyms.v = s;
		c->synonyms.n = ns;
	}
}

/* The names a broker resource lists: Gregor's broker keys, Kafka's dynamic
 * keys that have a value here, and anything set in a layer (custom keys,
 * listener.name.* keys), each once. Returns the count. */
static int broker_names(struct request *req, int per_broker, const char ***out)
{
	const struct broker_config *cfg = req->b->cfg;
	int cap = N_BROKER_KEYS + 2, n = 0;
	for (int i = 0; broker_config_dynamic_name(i); i++)
		cap++;
	for (int l = 0; l < 2; l++)
		for (int i = 0; broker_config_dynamic_key(cfg, l, i); i++)
			cap++;
	const char **v = arena_alloc(&req->arena, (size_t)cap * sizeof *v);
	if (!v)
		return -1;
	for (int i = 0; per_broker && i < N_BROKER_KEYS; i++)
		v[n++] = broker_keys[i];
	for (int i = 0; per_broker && broker_config_dynamic_name(i); i++)
		v[n++] = broker_config_dynamic_name(i);
	for (int l = per_broker ? 0 : CONFIG_LAYER_DEFAULT; l <= (per_broker ? 1 : 0); l++)
		for (int i = 0; broker_config_dynamic_key(cfg, l, i); i++)
			v[n++] = broker_config_dynamic_key(cfg, l, i);
	int m = 0;
	for (int i = 0; i < n; i++) {
		int dup = 0;
		for (int j = 0; j < m && !dup; j++)
			dup = strcmp(v[j], v[i]) == 0;
		if (!dup)
			v[m++] = v[i];
	}
	*out = v;
	return m;
}

static void describe_broker(struct request *req, const struct describe_configs_req_resource *r,
			    struct describe_configs_resp_result *res, int with_synonyms)
{
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
			add_broker_config(req, res, names[i], per_broker, with_synonyms);
}

static void describe_one(struct request *req, const struct describe_configs_req_resource *r,
			 struct describe_configs_resp_result *res, int with_synonyms)
{
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
	if (r->resource_type == RESOURCE_BROKER) {
		describe_broker(req, r, res, with_synonyms);
		return;
	}
	if (r->resource_type == RESOURCE_BROKER_LOGGER) {
		broker_logger_describe(req, r, res);
		return;
	}
	res->configs.v = arena_alloc(&req->arena, (N_TOPIC_KEYS + 1) *
							  sizeof(struct describe_configs_resp_config));
	if (!res->configs.v) {
		res->error_code = KERR_UNKNOWN_SERVER_ERROR;
		return;
	}
	if (r->resource_type == RESOURCE_TOPIC) {
		if (!mc_topic(req->b->meta, r->resource_name.p, r->resource_name.len)) {
			res->error_code = KERR_UNKNOWN_TOPIC_OR_PARTITION;
			return;
		}
		for (int i = 0; i < N_TOPIC_KEYS; i++)
			if (wanted(r, topic_keys[i][0]))
				add_config(req, res, topic_keys[i][0], topic_keys[i][1],
					   topic_key_types[i], with_synonyms);
	} else {
		res->error_code = KERR_INVALID_REQUEST;
	}
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
		describe_one(req, r, res, in->include_synonyms);
	}
	strmap_free(&seen);
	request_respond(req, out);
}
