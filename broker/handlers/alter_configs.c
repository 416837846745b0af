/* AlterConfigs (33), v0-2: replaces a resource's dynamic configs. Topics:
 * any broker writes /config/topics/<t> plus a change notification through
 * the coordination thread (Kafka's AdminZkClient); every broker's topic
 * config watch then applies it. Brokers: checked as Kafka's
 * DynamicBrokerConfig does here, then written the same way to
 * /config/brokers/<id> (resource name = this broker's id, as Kafka 2.8's
 * ZkAdminManager requires; clients send it to that broker) or
 * /config/brokers/<default> (empty name); every broker's watch applies it.
 * Needs ALTER_CONFIGS on the topic, or on the cluster for brokers (also for
 * IncrementalAlterConfigs, which shares alter_configs_resource). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker/auth/authorizer.h"
#include "broker/broker.h"
#include "broker/config.h"
#include "broker/handlers/admin_op.h"
#include "broker/handlers/broker_logger.h"
#include "broker/handlers/handler_str.h"
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

/* Kafka's resourceNameToBrokerId and ZkAdminManager.getBrokerId: an empty
 * name is the cluster default, anything else must be this broker's id.
 * Writes the entity name ("<default>" or the id) to entity; 0 or -1 with
 * the error set. */
static int broker_entity(struct request *req, struct kstr name, char *entity, size_t n,
			 int16_t *error_code, struct kstr *error_message)
{
	char msg[200], digits[16];
	if (name.len <= 0) {
		snprintf(entity, n, "<default>");
		return 0;
	}
	int numeric = name.len < (int32_t)sizeof digits;
	for (int32_t i = 0; numeric && i < name.len; i++)
		numeric = (name.p[i] >= '0' && name.p[i] <= '9') || (i == 0 && name.p[i] == '-' &&
									name.len > 1);
	long id = 0;
	if (numeric) {
		memcpy(digits, name.p, (size_t)name.len);
		digits[name.len] = 0;
		id = strtol(digits, NULL, 10);
	}
	*error_code = KERR_INVALID_REQUEST;
	if (!numeric || id < INT32_MIN || id > INT32_MAX) {
		snprintf(msg, sizeof msg, "Broker id must be an integer, but it is: %.*s",
			 name.len > 64 ? 64 : (int)name.len, name.p);
		set_message(&req->arena, error_message, msg);
		return -1;
	}
	if (id != req->b->id) {
		snprintf(msg, sizeof msg, "Unexpected broker id, expected %d, but received %s",
			 req->b->id, digits);
		set_message(&req->arena, error_message, msg);
		return -1;
	}
	*error_code = 0;
	snprintf(entity, n, "%d", req->b->id);
	return 0;
}

/* Kafka's ConfigException answer: INVALID_REQUEST with the resource named. */
static void broker_invalid(struct request *req, const char *entity, const char *why,
			   int16_t *error_code, struct kstr *error_message)
{
	char msg[800];
	snprintf(msg, sizeof msg, "Invalid config value for resource ConfigResource("
		 "type=BROKER, name='%s'): %s", strcmp(entity, "<default>") ? entity : "", why);
	*error_code = KERR_INVALID_REQUEST;
	set_message(&req->arena, error_message, msg);
}

/* Dynamic broker configs: the keys the request sets are checked here, on
 * the loop thread, with Kafka's messages; the write (and for incremental
 * requests the merge with the stored layer) happens on the coordination
 * thread. Keys being deleted need no check, as in Kafka. */
static void alter_broker(struct admin_op *op, struct kstr name,
			 const struct coord_config_op *ops, int n, int replace,
			 int validate_only, int16_t *error_code, struct kstr *error_message)
{
	struct request *req = op->req;
	char entity[32], why[600];
	if (broker_entity(req, name, entity, sizeof entity, error_code, error_message) < 0)
		return;
	int per_broker = strcmp(entity, "<default>") != 0, m = 0;
	const char **keys = arena_alloc(&req->arena, ((size_t)n + 1) * sizeof *keys);
	const char **values = arena_alloc(&req->arena, ((size_t)n + 1) * sizeof *values);
	if (!keys || !values) {
		*error_code = KERR_UNKNOWN_SERVER_ERROR;
		return;
	}
	for (int i = 0; i < n; i++)
		if (ops[i].value && (replace || ops[i].op == 0 || ops[i].op == 2)) {
			keys[m] = ops[i].name;
			values[m++] = ops[i].value;
		}
	if (broker_config_dynamic_check(keys, values, m, per_broker, why, sizeof why) < 0) {
		broker_invalid(req, entity, why, error_code, error_message);
		return;
	}
	/* Kafka encrypts password configs with password.encoder.secret, which
	 * Gregor lacks; validation alone does not need it */
	for (int i = 0; i < m && !validate_only; i++)
		if (broker_config_is_password(keys[i])) {
			broker_invalid(req, entity, per_broker ? "Password encoder secret not "
				       "configured" : "Password config can be defined only at "
				       "broker level", error_code, error_message);
			return;
		}
	struct admin_write *w = admin_write_new(op, error_code, error_message);
	if (!w) {
		*error_code = KERR_UNKNOWN_SERVER_ERROR;
		return;
	}
	struct coord_entity_alter ea = {
		.type = "brokers", .name = entity, .ops = ops, .n = n, .replace = replace,
		.validate_only = validate_only, .check = broker_config_dynamic_check_value,
		.check_kerr = KERR_INVALID_REQUEST, .is_list = broker_config_is_list,
	};
	coord_alter_entity_config(req->b->coord, &ea, admin_write_done, w);
}

void alter_configs_resource(struct admin_op *op, int8_t type, struct kstr name,
			    const struct coord_config_op *ops, int n, int replace,
			    int validate_only, int16_t *error_code,
			    struct kstr *error_message)
{
	struct request *req = op->req;
	*error_code = 0;
	*error_message = (struct kstr){ NULL, -1 };
	/* as KafkaApis: ALTER_CONFIGS on the topic, or on the cluster for
	 * broker resources */
	if (type == RESOURCE_BROKER && !authz_cluster(req, ACL_OP_ALTER_CONFIGS)) {
		*error_code = KERR_CLUSTER_AUTHORIZATION_FAILED;
		return;
	}
	if (type == RESOURCE_TOPIC && !authz_topic(req, ACL_OP_ALTER_CONFIGS, name)) {
		*error_code = KERR_TOPIC_AUTHORIZATION_FAILED;
		return;
	}
	if (type == RESOURCE_BROKER) {
		alter_broker(op, name, ops, n, replace, validate_only, error_code,
			     error_message);
		return;
	}
	if (type == RESOURCE_BROKER_LOGGER && !replace) {
		broker_logger_alter(req, name, ops, n, validate_only, error_code,
				    error_message);
		return;
	}
	if (type != RESOURCE_TOPIC) {
		*error_code = KERR_INVALID_REQUEST;
		set_message(&req->arena, error_message, "Unsupported resource type");
		return;
	}
	char *topic = handler_cstr(&req->arena, name);
	struct admin_write *w = topic ? admin_write_new(op, error_code, error_message) : NULL;
	if (!w) {
		*error_code = topic ? KERR_UNKNOWN_SERVER_ERROR : KERR_INVALID_TOPIC_EXCEPTION;
		return;
	}
	struct coord_entity_alter ea = {
		.type = "topics", .name = topic, .ops = ops, .n = n, .replace = replace,
		.validate_only = validate_only, .check = topic_config_check,
		.check_kerr = KERR_INVALID_CONFIG, .is_list = topic_config_is_list,
	};
	coord_alter_entity_config(req->b->coord, &ea, admin_write_done, w);
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
		ops[i].name = handler_cstr(a, c->name);
		ops[i].value = handler_cstr(a, c->value);
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
