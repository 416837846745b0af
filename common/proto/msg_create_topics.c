/* CreateTopics (API key 19) request and response schemas, v0-7. Field facts
 * from Kafka 3.8 CreateTopicsRequest/Response.json; see messages.h. */
#include <stddef.h>
#include <stdint.h>

#include "common/proto/messages.h"

static const struct kfield create_topics_req_assignment_fields[] = {
	{ "PartitionIndex", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct create_topics_req_assignment, partition_index), NULL, 0 },
	{ "BrokerIds", KT_ARRAY, KT_INT32, 0, KV_MAX, -1, -1, offsetof(struct create_topics_req_assignment, broker_ids), NULL, 0 },
};
static const struct kmsg create_topics_req_assignment_msg = { "create_topics_req_assignment", sizeof(struct create_topics_req_assignment), 2, create_topics_req_assignment_fields };

static const struct kfield create_topics_req_config_fields[] = {
	{ "Name", KT_STRING, 0, 0, KV_MAX, -1, -1, offsetof(struct create_topics_req_config, name), NULL, 0 },
	{ "Value", KT_STRING, 0, 0, KV_MAX, 0, -1, offsetof(struct create_topics_req_config, value), NULL, 0 },
};
static const struct kmsg create_topics_req_config_msg = { "create_topics_req_config", sizeof(struct create_topics_req_config), 2, create_topics_req_config_fields };

static const struct kfield create_topics_req_topic_fields[] = {
	{ "Name", KT_STRING, 0, 0, KV_MAX, -1, -1, offsetof(struct create_topics_req_topic, name), NULL, 0 },
	{ "NumPartitions", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct create_topics_req_topic, num_partitions), NULL, 0 },
	{ "ReplicationFactor", KT_INT16, 0, 0, KV_MAX, -1, -1, offsetof(struct create_topics_req_topic, replication_factor), NULL, 0 },
	{ "Assignments", KT_ARRAY, 0, 0, KV_MAX, -1, -1, offsetof(struct create_topics_req_topic, assignments), &create_topics_req_assignment_msg, 0 },
	{ "Configs", KT_ARRAY, 0, 0, KV_MAX, -1, -1, offsetof(struct create_topics_req_topic, configs), &create_topics_req_config_msg, 0 },
};
static const struct kmsg create_topics_req_topic_msg = { "create_topics_req_topic", sizeof(struct create_topics_req_topic), 5, create_topics_req_topic_fields };

static const struct kfield create_topics_request_fields[] = {
	{ "Topics", KT_ARRAY, 0, 0, KV_MAX, -1, -1, offsetof(struct create_topics_request, topics), &create_topics_req_topic_msg, 0 },
	{ "timeoutMs", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct create_topics_request, timeout_ms), NULL, 60000 },
	{ "validateOnly", KT_BOOL, 0, 1, KV_MAX, -1, -1, offsetof(struct create_topics_request, validate_only), NULL, 0 },
};
const struct kmsg create_topics_request_msg = { "create_topics_request", sizeof(struct create_topics_request), 3, create_topics_request_fields };

static const struct kfield create_topics_resp_config_fields[] = {
	{ "Name", KT_STRING, 0, 5, KV_MAX, -1, -1, offsetof(struct create_topics_resp_config, name), NULL, 0 },
	{ "Value", KT_STRING, 0, 5, KV_MAX, 5, -1, offsetof(struct create_topics_resp_config, value), NULL, 0 },
	{ "ReadOnly", KT_BOOL, 0, 5, KV_MAX, -1, -1, offsetof(struct create_topics_resp_config, read_only), NULL, 0 },
	{ "ConfigSource", KT_INT8, 0, 5, KV_MAX, -1, -1, offsetof(struct create_topics_resp_config, config_source), NULL, -1 },
	{ "IsSensitive", KT_BOOL, 0, 5, KV_MAX, -1, -1, offsetof(struct create_topics_resp_config, is_sensitive), NULL, 0 },
};
static const struct kmsg create_topics_resp_config_msg = { "create_topics_resp_config", sizeof(struct create_topics_resp_config), 5, create_topics_resp_config_fields };

static const struct kfield create_topics_resp_topic_fields[] = {
	{ "Name", KT_STRING, 0, 0, KV_MAX, -1, -1, offsetof(struct create_topics_resp_topic, name), NULL, 0 },
	{ "TopicId", KT_UUID, 0, 7, KV_MAX, -1, -1, offsetof(struct create_topics_resp_topic, topic_id), NULL, 0 },
	{ "ErrorCode", KT_INT16, 0, 0, KV_MAX, -1, -1, offsetof(struct create_topics_resp_topic, error_code), NULL, 0 },
	{ "ErrorMessage", KT_STRING, 0, 1, KV_MAX, 0, -1, offsetof(struct create_topics_resp_topic, error_message), NULL, 0 },
	{ "TopicConfigErrorCode", KT_INT16, 0, 5, KV_MAX, -1, 0, offsetof(struct create_topics_resp_topic, topic_config_error_code), NULL, 0 },
	{ "NumPartitions", KT_INT32, 0, 5, KV_MAX, -1, -1, offsetof(struct create_topics_resp_topic, num_partitions), NULL, -1 },
	{ "ReplicationFactor", KT_INT16, 0, 5, KV_MAX, -1, -1, offsetof(struct create_topics_resp_topic, replication_factor), NULL, -1 },
	{ "Configs", KT_ARRAY, 0, 5, KV_MAX, 5, -1, offsetof(struct create_topics_resp_topic, configs), &create_topics_resp_config_msg, 0 },
};
static const struct kmsg create_topics_resp_topic_msg = { "create_topics_resp_topic", sizeof(struct create_topics_resp_topic), 8, create_topics_resp_topic_fields };

static const struct kfield create_topics_response_fields[] = {
	{ "ThrottleTimeMs", KT_INT32, 0, 2, KV_MAX, -1, -1, offsetof(struct create_topics_response, throttle_time_ms), NULL, 0 },
	{ "Topics", KT_ARRAY, 0, 0, KV_MAX, -1, -1, offsetof(struct create_topics_response, topics), &create_topics_resp_topic_msg, 0 },
};
const struct kmsg create_topics_response_msg = { "create_topics_response", sizeof(struct create_topics_response), 2, create_topics_response_fields };
