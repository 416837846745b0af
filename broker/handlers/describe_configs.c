/* DescribeConfigs (32), v0-2: topic configs (the broker-wide defaults that
 * apply to every topic, or the topic's own override from /config/topics)
 * and this broker's own configs. */
#include <stdio.h>
#include <string.h>

#include "broker/broker.h"
#include "broker/handlers/handlers.h"
#include "broker/metadata_cache.h"
#include "broker/topic_config.h"
#include "common/proto/kerr.h"
#include "common/proto/messages.h"

#define RESOURCE_TOPIC 2
#define RESOURCE_BROKER 4
#define SOURCE_DYNAMIC_TOPIC 1
#define SOURCE_STATIC_BROKER 4
#define SOURCE_DEFAULT 5

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

static void add_config(struct request *req, struct describe_configs_resp_result *res,
		       const char *name, const char *broker_key)
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
	c->read_only = res->resource_type == RESOURCE_BROKER;
	c->is_default = !set;
	c->config_source = override ? SOURCE_DYNAMIC_TOPIC : set ? SOURCE_STATIC_BROKER : SOURCE_DEFAULT;
	c->is_sensitive = 0;
	c->synonyms.n = 0;
}

static void describe_one(struct request *req, const struct describe_configs_req_resource *r,
			 struct describe_configs_resp_result *res)
{
	res->resource_type = r->resource_type;
	res->resource_name = r->resource_name;
	res->error_message = (struct kstr){ NULL, -1 };
	res->configs.v = arena_alloc(&req->arena, (N_TOPIC_KEYS + N_BROKER_KEYS + 1) *
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
				add_config(req, res, topic_keys[i][0], topic_keys[i][1]);
	} else if (r->resource_type == RESOURCE_BROKER) {
		char id[16];
		snprintf(id, sizeof id, "%d", req->b->id);
		if (r->resource_name.len > 0 &&
		    (r->resource_name.len != (int32_t)strlen(id) ||
		     memcmp(r->resource_name.p, id, (size_t)r->resource_name.len))) {
			res->error_code = KERR_INVALID_REQUEST;
			return;
		}
		for (int i = 0; i < N_BROKER_KEYS; i++)
			if (wanted(r, broker_keys[i]))
				add_config(req, res, broker_keys[i], broker_keys[i]);
	} else {
		res->error_code = KERR_INVALID_REQUEST;
	}
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
	for (int32_t i = 0; i < n; i++)
		describe_one(req, &((const struct describe_configs_req_resource *)in->resources.v)[i],
			     &((struct describe_configs_resp_result *)out->results.v)[i]);
	request_respond(req, out);
}
