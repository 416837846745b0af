/* BROKER_LOGGER (see broker_logger.h), as Kafka's ConfigAdminManager: the
 * resource name must be this broker's id (INVALID_REQUEST), an unknown
 * logger or level is INVALID_CONFIG, APPEND/SUBTRACT and deleting the root
 * level are INVALID_REQUEST; every operation is checked before any applies.
 * Needs ALTER_CONFIGS / DESCRIBE_CONFIGS on the cluster. */
#include "broker/handlers/broker_logger.h"

#include <stdio.h>
#include <string.h>

#include "broker/auth/authorizer.h"
#include "broker/broker.h"
#include "broker/handlers/handler_str.h"
#include "common/log.h"
#include "common/proto/kerr.h"
#include "coord/coord.h"

#define ROOT_LOGGER "root"
#define OP_SET 0
#define OP_DELETE 1
#define SOURCE_DYNAMIC_BROKER_LOGGER 6

static int logger_known(const char *name)
{
	if (strcmp(name, ROOT_LOGGER) == 0)
		return 1;
	for (int k = 0; log_modules[k]; k++)
		if (strcmp(log_modules[k], name) == 0)
			return 1;
	return 0;
}

static int is_this_broker(struct request *req, struct kstr name)
{
	char id[16];
	snprintf(id, sizeof id, "%d", req->b->id);
	return name.len == (int32_t)strlen(id) && memcmp(name.p, id, (size_t)name.len) == 0;
}

/* Why op cannot apply, or NULL; *err gets its error code. */
static const char *logger_check(const struct coord_config_op *op, int16_t *err)
{
	*err = KERR_INVALID_REQUEST;
	if (op->op != OP_SET && op->op != OP_DELETE)
		return "APPEND and SUBTRACT are not supported for BROKER_LOGGER";
	if (op->op == OP_DELETE && strcmp(op->name, ROOT_LOGGER) == 0)
		return "Removing the log level of the root logger is not allowed";
	*err = KERR_INVALID_CONFIG;
	if (!logger_known(op->name))
		return "Logger does not exist";
	if (op->op == OP_SET && log_level_parse(op->value) < 0)
		return "Invalid log level: use DEBUG, INFO, WARN or ERROR";
	*err = 0;
	return NULL;
}

static void logger_apply(const struct coord_config_op *op)
{
	int level = op->op == OP_SET ? log_level_parse(op->value) : -1;
	if (strcmp(op->name, ROOT_LOGGER) == 0)
		log_set_level((enum log_level)level);
	else
		log_set_module_level(op->name, level);
	log_info("config", "log level of %s %s %s (BROKER_LOGGER)", op->name,
		 op->op == OP_SET ? "set to" : "reset to root,",
		 log_level_name(log_effective_level(op->name)));
}

void broker_logger_alter(struct request *req, struct kstr name,
			 const struct coord_config_op *ops, int n, int validate_only,
			 int16_t *error_code, struct kstr *error_message)
{
	*error_code = 0;
	*error_message = (struct kstr){ NULL, -1 };
	if (!authz_cluster(req, ACL_OP_ALTER_CONFIGS)) {
		*error_code = KERR_CLUSTER_AUTHORIZATION_FAILED;
		return;
	}
	if (!is_this_broker(req, name)) {
		*error_code = KERR_INVALID_REQUEST;
		*error_message = handler_kstr(&req->arena, "Unexpected broker id: a "
					      "BROKER_LOGGER resource names the broker it is sent to");
		return;
	}
	for (int k = 0; k < n; k++) {
		const char *why = logger_check(&ops[k], error_code);
		if (why) {
			char msg[200];
			snprintf(msg, sizeof msg, "%s: %.64s", why, ops[k].name);
			*error_message = handler_kstr(&req->arena, msg);
			return;
		}
	}
	for (int k = 0; k < n && !validate_only; k++)
		logger_apply(&ops[k]);
}

static void logger_entry(struct request *req, struct describe_configs_resp_result *res,
			 const char *name, enum log_level level)
{
	struct describe_configs_resp_config *c =
		&((struct describe_configs_resp_config *)res->configs.v)[res->configs.n++];
	*c = (struct describe_configs_resp_config){
		.name = handler_kstr(&req->arena, name),
		.value = handler_kstr(&req->arena, log_level_name(level)),
		.config_source = SOURCE_DYNAMIC_BROKER_LOGGER,
		.config_type = 2, /* STRING */
		.documentation = { NULL, -1 },
	};
}

static int logger_wanted(const struct describe_configs_req_resource *r, const char *name)
{
	if (r->configuration_keys.n < 0)
		return 1;
	for (int32_t i = 0; i < r->configuration_keys.n; i++) {
		struct kstr k = ((const struct kstr *)r->configuration_keys.v)[i];
		if (k.len == (int32_t)strlen(name) && memcmp(k.p, name, (size_t)k.len) == 0)
			return 1;
	}
	return 0;
}

void broker_logger_describe(struct request *req, const struct describe_configs_req_resource *r,
			    struct describe_configs_resp_result *res)
{
	if (!authz_cluster(req, ACL_OP_DESCRIBE_CONFIGS)) {
		res->error_code = KERR_CLUSTER_AUTHORIZATION_FAILED;
		return;
	}
	if (!is_this_broker(req, r->resource_name)) {
		res->error_code = KERR_INVALID_REQUEST;
		return;
	}
	int n = 1;
	while (log_modules[n - 1])
		n++;
	res->configs.v = arena_alloc(&req->arena, ((size_t)n + 1) *
						  sizeof(struct describe_configs_resp_config));
	if (!res->configs.v) {
		res->error_code = KERR_UNKNOWN_SERVER_ERROR;
		return;
	}
	if (logger_wanted(r, ROOT_LOGGER))
		logger_entry(req, res, ROOT_LOGGER, log_root_level());
	for (int k = 0; log_modules[k]; k++)
		if (logger_wanted(r, log_modules[k]))
			logger_entry(req, res, log_modules[k], log_effective_level(log_modules[k]));
}
