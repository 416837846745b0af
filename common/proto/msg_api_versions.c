/* ApiVersions (API key 18) request and response schemas, v0-3. Field facts
 * from Kafka 3.8 ApiVersionsRequest/Response.json; see messages.h. */
#include <stddef.h>
#include <stdint.h>

#include "common/proto/messages.h"

static const struct kfield api_versions_request_fields[] = {
	{ "ClientSoftwareName", KT_STRING, 0, 3, KV_MAX, -1, -1, offsetof(struct api_versions_request, client_software_name), NULL, 0 },
	{ "ClientSoftwareVersion", KT_STRING, 0, 3, KV_MAX, -1, -1, offsetof(struct api_versions_request, client_software_version), NULL, 0 },
};
const struct kmsg api_versions_request_msg = { "api_versions_request", sizeof(struct api_versions_request), 2, api_versions_request_fields };

static const struct kfield api_versions_resp_api_key_fields[] = {
	{ "ApiKey", KT_INT16, 0, 0, KV_MAX, -1, -1, offsetof(struct api_versions_resp_api_key, api_key), NULL, 0 },
	{ "MinVersion", KT_INT16, 0, 0, KV_MAX, -1, -1, offsetof(struct api_versions_resp_api_key, min_version), NULL, 0 },
	{ "MaxVersion", KT_INT16, 0, 0, KV_MAX, -1, -1, offsetof(struct api_versions_resp_api_key, max_version), NULL, 0 },
};
static const struct kmsg api_versions_resp_api_key_msg = { "api_versions_resp_api_key", sizeof(struct api_versions_resp_api_key), 3, api_versions_resp_api_key_fields };

static const struct kfield api_versions_resp_supported_feature_fields[] = {
	{ "Name", KT_STRING, 0, 3, KV_MAX, -1, -1, offsetof(struct api_versions_resp_supported_feature, name), NULL, 0 },
	{ "MinVersion", KT_INT16, 0, 3, KV_MAX, -1, -1, offsetof(struct api_versions_resp_supported_feature, min_version), NULL, 0 },
	{ "MaxVersion", KT_INT16, 0, 3, KV_MAX, -1, -1, offsetof(struct api_versions_resp_supported_feature, max_version), NULL, 0 },
};
static const struct kmsg api_versions_resp_supported_feature_msg = { "api_versions_resp_supported_feature", sizeof(struct api_versions_resp_supported_feature), 3, api_versions_resp_supported_feature_fields };

static const struct kfield api_versions_resp_finalized_feature_fields[] = {
	{ "Name", KT_STRING, 0, 3, KV_MAX, -1, -1, offsetof(struct api_versions_resp_finalized_feature, name), NULL, 0 },
	{ "MaxVersionLevel", KT_INT16, 0, 3, KV_MAX, -1, -1, offsetof(struct api_versions_resp_finalized_feature, max_version_level), NULL, 0 },
	{ "MinVersionLevel", KT_INT16, 0, 3, KV_MAX, -1, -1, offsetof(struct api_versions_resp_finalized_feature, min_version_level), NULL, 0 },
};
static const struct kmsg api_versions_resp_finalized_feature_msg = { "api_versions_resp_finalized_feature", sizeof(struct api_versions_resp_finalized_feature), 3, api_versions_resp_finalized_feature_fields };

static const struct kfield api_versions_response_fields[] = {
	{ "ErrorCode", KT_INT16, 0, 0, KV_MAX, -1, -1, offsetof(struct api_versions_response, error_code), NULL, 0 },
	{ "ApiKeys", KT_ARRAY, 0, 0, KV_MAX, -1, -1, offsetof(struct api_versions_response, api_keys), &api_versions_resp_api_key_msg, 0 },
	{ "ThrottleTimeMs", KT_INT32, 0, 1, KV_MAX, -1, -1, offsetof(struct api_versions_response, throttle_time_ms), NULL, 0 },
	{ "SupportedFeatures", KT_ARRAY, 0, 3, KV_MAX, -1, 0, offsetof(struct api_versions_response, supported_features), &api_versions_resp_supported_feature_msg, 0 },
	{ "FinalizedFeaturesEpoch", KT_INT64, 0, 3, KV_MAX, -1, 1, offsetof(struct api_versions_response, finalized_features_epoch), NULL, -1 },
	{ "FinalizedFeatures", KT_ARRAY, 0, 3, KV_MAX, -1, 2, offsetof(struct api_versions_response, finalized_features), &api_versions_resp_finalized_feature_msg, 0 },
	{ "ZkMigrationReady", KT_BOOL, 0, 3, KV_MAX, -1, 3, offsetof(struct api_versions_response, zk_migration_ready), NULL, 0 },
};
const struct kmsg api_versions_response_msg = { "api_versions_response", sizeof(struct api_versions_response), 7, api_versions_response_fields };
