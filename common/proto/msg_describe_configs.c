/* DescribeConfigs (API key 32) request and response schemas, v0-2. Field facts
 * from Kafka 3.8 DescribeConfigsRequest/Response.json; see messages.h. */
#include <stddef.h>
#include <stdint.h>

#include "common/proto/messages.h"

static const struct kfield describe_configs_req_resource_fields[] = {
	{ "ResourceType", KT_INT8, 0, 0, KV_MAX, -1, -1, offsetof(struct describe_configs_req_resource, resource_type), NULL, 0 },
	{ "ResourceName", KT_STRING, 0, 0, KV_MAX, -1, -1, offsetof(struct describe_configs_req_resource, resource_name), NULL, 0 },
	{ "ConfigurationKeys", KT_ARRAY, KT_STRING, 0, KV_MAX, 0, -1, offsetof(struct describe_configs_req_resource, configuration_keys), NULL, 0 },
};
static const struct kmsg describe_configs_req_resource_msg = { "describe_configs_req_resource", sizeof(struct describe_configs_req_resource), 3, describe_configs_req_resource_fields };

static const struct kfield describe_configs_request_fields[] = {
	{ "Resources", KT_ARRAY, 0, 0, KV_MAX, -1, -1, offsetof(struct describe_configs_request, resources), &describe_configs_req_resource_msg, 0 },
	{ "IncludeSynonyms", KT_BOOL, 0, 1, KV_MAX, -1, -1, offsetof(struct describe_configs_request, include_synonyms), NULL, 0 },
	{ "IncludeDocumentation", KT_BOOL, 0, 3, KV_MAX, -1, -1, offsetof(struct describe_configs_request, include_documentation), NULL, 0 },
};
const struct kmsg describe_configs_request_msg = { "describe_configs_request", sizeof(struct describe_configs_request), 3, describe_configs_request_fields };

static const struct kfield describe_configs_resp_synonym_fields[] = {
	{ "Name", KT_STRING, 0, 1, KV_MAX, -1, -1, offsetof(struct describe_configs_resp_synonym, name), NULL, 0 },
	{ "Value", KT_STRING, 0, 1, KV_MAX, 0, -1, offsetof(struct describe_configs_resp_synonym, value), NULL, 0 },
	{ "Source", KT_INT8, 0, 1, KV_MAX, -1, -1, offsetof(struct describe_configs_resp_synonym, source), NULL, 0 },
};
static const struct kmsg describe_configs_resp_synonym_msg = { "describe_configs_resp_synonym", sizeof(struct describe_configs_resp_synonym), 3, describe_configs_resp_synonym_fields };

static const struct kfield describe_configs_resp_config_fields[] = {
	{ "Name", KT_STRING, 0, 0, KV_MAX, -1, -1, offsetof(struct describe_configs_resp_config, name), NULL, 0 },
	{ "Value", KT_STRING, 0, 0, KV_MAX, 0, -1, offsetof(struct describe_configs_resp_config, value), NULL, 0 },
	{ "ReadOnly", KT_BOOL, 0, 0, KV_MAX, -1, -1, offsetof(struct describe_configs_resp_config, read_only), NULL, 0 },
	{ "IsDefault", KT_BOOL, 0, 0, 0, -1, -1, offsetof(struct describe_configs_resp_config, is_default), NULL, 0 },
	{ "ConfigSource", KT_INT8, 0, 1, KV_MAX, -1, -1, offsetof(struct describe_configs_resp_config, config_source), NULL, -1 },
	{ "IsSensitive", KT_BOOL, 0, 0, KV_MAX, -1, -1, offsetof(struct describe_configs_resp_config, is_sensitive), NULL, 0 },
	{ "Synonyms", KT_ARRAY, 0, 1, KV_MAX, -1, -1, offsetof(struct describe_configs_resp_config, synonyms), &describe_configs_resp_synonym_msg, 0 },
	{ "ConfigType", KT_INT8, 0, 3, KV_MAX, -1, -1, offsetof(struct describe_configs_resp_config, config_type), NULL, 0 },
	{ "Documentation", KT_STRING, 0, 3, KV_MAX, 0, -1, offsetof(struct describe_configs_resp_config, documentation), NULL, 0 },
};
static const struct kmsg describe_configs_resp_config_msg = { "describe_configs_resp_config", sizeof(struct describe_configs_resp_config), 9, describe_configs_resp_config_fields };

static const struct kfield describe_configs_resp_result_fields[] = {
	{ "ErrorCode", KT_INT16, 0, 0, KV_MAX, -1, -1, offsetof(struct describe_configs_resp_result, error_code), NULL, 0 },
	{ "ErrorMessage", KT_STRING, 0, 0, KV_MAX, 0, -1, offsetof(struct describe_configs_resp_result, error_message), NULL, 0 },
	{ "ResourceType", KT_INT8, 0, 0, KV_MAX, -1, -1, offsetof(struct describe_configs_resp_result, resource_type), NULL, 0 },
	{ "ResourceName", KT_STRING, 0, 0, KV_MAX, -1, -1, offsetof(struct describe_configs_resp_result, resource_name), NULL, 0 },
	{ "Configs", KT_ARRAY, 0, 0, KV_MAX, -1, -1, offsetof(struct describe_configs_resp_result, configs), &describe_configs_resp_config_msg, 0 },
};
static const struct kmsg describe_configs_resp_result_msg = { "describe_configs_resp_result", sizeof(struct describe_configs_resp_result), 5, describe_configs_resp_result_fields };

static const struct kfield describe_configs_response_fields[] = {
	{ "ThrottleTimeMs", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct describe_configs_response, throttle_time_ms), NULL, 0 },
	{ "Results", KT_ARRAY, 0, 0, KV_MAX, -1, -1, offsetof(struct describe_configs_response, results), &describe_configs_resp_result_msg, 0 },
};
const struct kmsg describe_configs_response_msg = { "describe_configs_response", sizeof(struct describe_configs_response), 2, describe_configs_response_fields };
