/* DescribeCluster (API key 60) request and response schemas, v0. Field facts
 * from Kafka 3.8 DescribeClusterRequest/Response.json; see messages.h. */
#include <stddef.h>
#include <stdint.h>

#include "common/proto/messages.h"

static const struct kfield describe_cluster_request_fields[] = {
	{ "IncludeClusterAuthorizedOperations", KT_BOOL, 0, 0, KV_MAX, -1, -1, offsetof(struct describe_cluster_request, include_cluster_authorized_operations), NULL, 0 },
};
const struct kmsg describe_cluster_request_msg = { "describe_cluster_request", sizeof(struct describe_cluster_request), 1, describe_cluster_request_fields };

static const struct kfield describe_cluster_resp_broker_fields[] = {
	{ "BrokerId", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct describe_cluster_resp_broker, broker_id), NULL, 0 },
	{ "Host", KT_STRING, 0, 0, KV_MAX, -1, -1, offsetof(struct describe_cluster_resp_broker, host), NULL, 0 },
	{ "Port", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct describe_cluster_resp_broker, port), NULL, 0 },
	{ "Rack", KT_STRING, 0, 0, KV_MAX, 0, -1, offsetof(struct describe_cluster_resp_broker, rack), NULL, 0 },
};
static const struct kmsg describe_cluster_resp_broker_msg = { "describe_cluster_resp_broker", sizeof(struct describe_cluster_resp_broker), 4, describe_cluster_resp_broker_fields };

static const struct kfield describe_cluster_response_fields[] = {
	{ "ThrottleTimeMs", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct describe_cluster_response, throttle_time_ms), NULL, 0 },
	{ "ErrorCode", KT_INT16, 0, 0, KV_MAX, -1, -1, offsetof(struct describe_cluster_response, error_code), NULL, 0 },
	{ "ErrorMessage", KT_STRING, 0, 0, KV_MAX, 0, -1, offsetof(struct describe_cluster_response, error_message), NULL, 0 },
	{ "ClusterId", KT_STRING, 0, 0, KV_MAX, -1, -1, offsetof(struct describe_cluster_response, cluster_id), NULL, 0 },
	{ "ControllerId", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct describe_cluster_response, controller_id), NULL, -1 },
	{ "Brokers", KT_ARRAY, 0, 0, KV_MAX, -1, -1, offsetof(struct describe_cluster_response, brokers), &describe_cluster_resp_broker_msg, 0 },
	{ "ClusterAuthorizedOperations", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct describe_cluster_response, cluster_authorized_operations), NULL, INT64_C(-2147483648) },
};
const struct kmsg describe_cluster_response_msg = { "describe_cluster_response", sizeof(struct describe_cluster_response), 7, describe_cluster_response_fields };
