/* IncrementalAlterConfigs (API key 44) request and response schemas, v0-1
 * (flexible from v1). Field facts from Kafka's
 * IncrementalAlterConfigsRequest/Response.json; see messages.h. */
#include <stddef.h>
#include <stdint.h>

#include "common/proto/messages.h"

static const struct kfield incremental_alter_configs_req_config_fields[] = {
	{ "Name", KT_STRING, 0, 0, KV_MAX, -1, -1, offsetof(struct incremental_alter_configs_req_config, name), NULL, 0 },
	{ "ConfigOperation", KT_INT8, 0, 0, KV_MAX, -1, -1, offsetof(struct incremental_alter_configs_req_config, config_operation), NULL, 0 },
	{ "Value", KT_STRING, 0, 0, KV_MAX, 0, -1, offsetof(struct incremental_alter_configs_req_config, value), NULL, 0 },
};
static const struct kmsg incremental_alter_configs_req_config_msg = { "incremental_alter_configs_req_config", sizeof(struct incremental_alter_configs_req_config), 3, incremental_alter_configs_req_config_fields };

static const struct kfield incremental_alter_configs_req_resource_fields[] = {
	{ "ResourceType", KT_INT8, 0, 0, KV_MAX, -1, -1, offsetof(struct incremental_alter_configs_req_resource, resource_type), NULL, 0 },
	{ "ResourceName", KT_STRING, 0, 0, KV_MAX, -1, -1, offsetof(struct incremental_alter_configs_req_resource, resource_name), NULL, 0 },
	{ "Configs", KT_ARRAY, 0, 0, KV_MAX, -1, -1, offsetof(struct incremental_alter_configs_req_resource, configs), &incremental_alter_configs_req_config_msg, 0 },
};
static const struct kmsg incremental_alter_configs_req_resource_msg = { "incremental_alter_configs_req_resource", sizeof(struct incremental_alter_configs_req_resource), 3, incremental_alter_configs_req_resource_fields };

static const struct kfield incremental_alter_configs_request_fields[] = {
	{ "Resources", KT_ARRAY, 0, 0, KV_MAX, -1, -1, offsetof(struct incremental_alter_configs_request, resources), &incremental_alter_configs_req_resource_msg, 0 },
	{ "ValidateOnly", KT_BOOL, 0, 0, KV_MAX, -1, -1, offsetof(struct incremental_alter_configs_request, validate_only), NULL, 0 },
};
const struct kmsg incremental_alter_configs_request_msg = { "incremental_alter_configs_request", sizeof(struct incremental_alter_configs_request), 2, incremental_alter_configs_request_fields };

static const struct kfield incremental_alter_configs_resp_resource_fields[] = {
	{ "ErrorCode", KT_INT16, 0, 0, KV_MAX, -1, -1, offsetof(struct incremental_alter_configs_resp_resource, error_code), NULL, 0 },
	{ "ErrorMessage", KT_STRING, 0, 0, KV_MAX, 0, -1, offsetof(struct incremental_alter_configs_resp_resource, error_message), NULL, 0 },
	{ "ResourceType", KT_INT8, 0, 0, KV_MAX, -1, -1, offsetof(struct incremental_alter_configs_resp_resource, resource_type), NULL, 0 },
	{ "ResourceName", KT_STRING, 0, 0, KV_MAX, -1, -1, offsetof(struct incremental_alter_configs_resp_resource, resource_name), NULL, 0 },
};
static const struct kmsg incremental_alter_configs_resp_resource_msg = { "incremental_alter_configs_resp_resource", sizeof(struct incremental_alter_configs_resp_resource), 4, incremental_alter_configs_resp_resource_fields };

static const struct kfield incremental_alter_configs_response_fields[] = {
	{ "ThrottleTimeMs", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct incremental_alter_configs_response, throttle_time_ms), NULL, 0 },
	{ "Responses", KT_ARRAY, 0, 0, KV_MAX, -1, -1, offsetof(struct incremental_alter_configs_response, responses), &incremental_alter_configs_resp_resource_msg, 0 },
};
const struct kmsg incremental_alter_configs_response_msg = { "incremental_alter_configs_response", sizeof(struct incremental_alter_configs_response), 2, incremental_alter_configs_response_fields };
