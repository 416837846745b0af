/* AlterConfigs (33), v0-2: replaces a resource's dynamic configs. Topics:
 * any broker writes /config/topics/<t> plus a change notification through
 * the coordination thread (Kafka's AdminZkClient); every broker's topic
 * config watch then applies it. Brokers: Gregor has no dynamic broker
 * configs, so any key is refused with Kafka's message and error. */
#include <stdio.h>
#include <string.h>

#include "broker/broker.h"
#include "broker/handlers/admin_op.h"
#include "broker/handlers/handlers.h"
#include "broker/topic_config.h"
#include "common/proto/kerr.h"
#include "common/proto/messages.h"

#define RESOURCE_TOPIC 2
#define RESOURCE_BROKER 4

static void set_message(struct arena *a, struct kstr *out, const char *msg)
{
	size_t n = strlen(msg);
	char *copy = arena_alloc(a, n + 1);
	if (copy) {
		memcpy(copy, msg, n + 1);
		*out = (struct kstr){ copy, (int32_t)n };
	}
}

static char *arena_cstr(struct arena *a, struct kstr s)
{
	if (s.len < 0)
		return NULL;
	char *c = arena_alloc(a, (size_t)s.len + 1);
	if (c) {
		memcpy(c, s.p, (size_t)s.len);
		c[s.len] = 0;
	}
	return c;
}

/* Kafka (DynamicBrokerConfig) refuses keys that are not dynamic; none of
 * Gregor's broker configs is. An empty set changes nothing and succeeds. */
static void alter_broker(struct admin_op *op, struct kstr name,
			 const struct coord_config_op *ops, int n, int16_t *error_code,
			 struct kstr *error_message)
{
	struct request *req = op->req;
	char id[16], msg[600];
	snprintf(id, sizeof id, "%d", req->b->id);
	if (name.len > 0 && (name.len != (int32_t)strlen(id) ||
			     memcmp(name.p, id, (size_t)name.len))) {
		*error_code = KERR_INVALID_REQUEST;
		snprintf(msg, sizeof msg, "Unexpected broker id, expected %s or empty string, "
			 "but received %.*s", id, name.len > 64 ? 64 : (int)name.len, name.p);
		set_message(&req->arena, error_message, msg);
		return;
	}
	if (n == 0)
		return;
	size_t o = (size_t)snprintf(msg, sizeof msg, "Cannot update these configs "
				    "dynamically: Set(");
	for (int i = 0; i < n && o < sizeof msg - 80; i++)
		o += (size_t)snprintf(msg + o, sizeof msg - o, "%s%.64s", i ? ", " : "",
				      ops[i].name);
	snprintf(msg + o, sizeof msg - o, ")");
	*error_code = KERR_INVALID_REQUEST;
	set_message(&req->arena, error_message, msg);
}

void alter_configs_resource(struct admin_op *op, int8_t type, struct kstr name,
			    const struct coord_config_op *ops, int n, int replace,
			    int validate_only, int16_t *error_code,
			    struct kstr *error_message)
{
	struct request *req = op->req;
	*error_code = 0;
	*error_message = (struct kstr){ NULL, -1 };
	if (type == RESOURCE_BROKER) {
		alter_broker(op, name, ops, n, error_code, error_message);
		return;
	}
	if (type != RESOURCE_TOPIC) {
		*error_code = KERR_INVALID_REQUEST;
		set_message(&req->arena, error_message, "Unsupported resource type");
		return;
	}
	char *topic = arena_cstr(&req->arena, name);
	struct admin_write *w = topic ? admin_write_new(op, error_code, error_message) : NULL;
	if (!w) {
		*error_code = topic ? KERR_UNKNOWN_SERVER_ERROR : KERR_INVALID_TOPIC_EXCEPTION;
		return;
	}
	coord_alter_topic_config(req->b->coord, topic, ops, n, replace, validate_only,
				 topic_config_check, admin_write_done, w);
}

/* The request's entries as SET operations (strings NUL-terminated in the
 * arena); NULL on allocation failure. */
static struct coord_config_op *read_ops(struct arena *a,
					const struct alter_configs_req_resource *r, int *n)
{
	*n = r->configs.n > 0 ? r->configs.n : 0;
	struct coord_config_op *ops = arena_alloc(a, ((size_t)*n + 1) * sizeof *ops);
	for (int i = 0; ops && i < *n; i++) {
		const struct alter_configs_req_config *c =
			&((const struct alter_configs_req_config *)r->configs.v)[i];
		ops[i].op = 0;
		ops[i].name = arena_cstr(a, c->name);
		ops[i].value = arena_cstr(a, c->value);
		if (!ops[i].name || (c->value.len >= 0 && !ops[i].value))
			return NULL;
	}
	return ops;
}

void handle_alter_configs(struct request *req)
{
	const struct alter_configs_request *in = req->body;
	int32_t n = in->resources.n > 0 ? in->resources.n : 0;
	struct alter_configs_response *out = arena_alloc(&req->arena, sizeof *out);
	struct admin_op *op = NULL;
	if (!out || !(out->responses.v = arena_alloc(&req->arena, ((size_t)n + 1) *
						     sizeof(struct alter_configs_resp_resource))) ||
	    !(op = admin_op_new(req, out, 0, NULL))) {
		request_close(req, "out of memory");
		return;
	}
	out->responses.n = n;
	for (int32_t i = 0; i < n; i++) {
		const struct alter_configs_req_resource *r =
			&((const struct alter_configs_req_resource *)in->resources.v)[i];
		struct alter_configs_resp_resource *o =
			&((struct alter_configs_resp_resource *)out->responses.v)[i];
		o->resource_type = r->resource_type;
		o->resource_name = r->resource_name;
		int nops;
		struct coord_config_op *ops = read_ops(&req->arena, r, &nops);
		if (!ops) {
			o->error_code = KERR_UNKNOWN_SERVER_ERROR;
			o->error_message = (struct kstr){ NULL, -1 };
			continue;
		}
		alter_configs_resource(op, r->resource_type, r->resource_name, ops, nops, 1,
				       in->validate_only, &o->error_code, &o->error_message);
	}
	admin_op_release(op);
}
