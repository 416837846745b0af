/* CreatePartitions (API key 37) request and response schemas, v0-1. Field facts
 * from Kafka 3.8 CreatePartitionsRequest/Response.json; see messages.h. */
#include <stddef.h>
#include <stdint.h>

#include "common/proto/messages.h"

static const struct kfield create_partitions_req_assignment_fields[] = {
	{ "BrokerIds", KT_ARRAY, KT_INT32, 0, KV_MAX, -1, -1, offsetof(struct create_partitions_req_assignment, broker_ids), NULL, 0 },
};
static const struct kmsg create_partitions_req_assignment_msg = { "create_partitions_req_assignment", sizeof(struct create_partitions_req_assignment), 1, create_partitions_req_assignment_fields };

static const struct kfield create_partitions_req_topic_fields[] = {
	{ "Name", KT_STRING, 0, 0, KV_MAX, -1, -1, offsetof(struct create_partitions_req_topic, name), NULL, 0 },
	{ "Count", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct create_partitions_req_topic, count), NULL, 0 },
	{ "Assignments", KT_ARRAY, 0, 0, KV_MAX, 0, -1, offsetof(struct create_partitions_req_topic, assignments), &create_partitions_req_assignment_msg, 0 },
};
static const struct kmsg create_partitions_req_topic_msg = { "create_partitions_req_topic", sizeof(struct create_partitions_req_topic), 3, create_partitions_req_topic_fields };

static const struct kfield create_partitions_request_fields[] = {
	{ "Topics", KT_ARRAY, 0, 0, KV_MAX, -1, -1, offsetof(struct create_partitions_request, topics), &create_partitions_req_topic_msg, 0 },
	{ "TimeoutMs", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct create_partitions_request, timeout_ms), NULL, 0 },
	{ "ValidateOnly", KT_BOOL, 0, 0, KV_MAX, -1, -1, offsetof(struct create_partitions_request, validate_only), NULL, 0 },
};
const struct kmsg create_partitions_request_msg = { "create_partitions_request", sizeof(struct create_partitions_request), 3, create_partitions_request_fields };

static const struct kfield create_partitions_resp_topic_fields[] = {
	{ "Name", KT_STRING, 0, 0, KV_MAX, -1, -1, offsetof(struct create_partitions_resp_topic, name), NULL, 0 },
	{ "ErrorCode", KT_INT16, 0, 0, KV_MAX, -1, -1, offsetof(struct create_partitions_resp_topic, error_code), NULL, 0 },
	{ "ErrorMessage", KT_STRING, 0, 0, KV_MAX, 0, -1, offsetof(struct create_partitions_resp_topic, error_message), NULL, 0 },
};
static const struct kmsg create_partitions_resp_topic_msg = { "create_partitions_resp_topic", sizeof(struct create_partitions_resp_topic), 3, create_partitions_resp_topic_fields };

static const struct kfield create_partitions_response_fields[] = {
	{ "ThrottleTimeMs", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct create_partitions_response, throttle_time_ms), NULL, 0 },
	{ "Results", KT_ARRAY, 0, 0, KV_MAX, -1, -1, offsetof(struct create_partitions_response, results), &create_partitions_resp_topic_msg, 0 },
};
const struct kmsg create_partitions_response_msg = { "create_partitions_response", sizeof(struct create_partitions_response), 2, create_partitions_response_fields };
