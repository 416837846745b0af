/* Produce (API key 0) request and response schemas, v0-7. Field facts
 * from Kafka 3.8 ProduceRequest/Response.json; see messages.h. */
#include <stddef.h>
#include <stdint.h>

#include "common/proto/messages.h"

static const struct kfield produce_req_partition_fields[] = {
	{ "Index", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct produce_req_partition, index), NULL, 0 },
	{ "Records", KT_RECORDS, 0, 0, KV_MAX, 0, -1, offsetof(struct produce_req_partition, records), NULL, 0 },
};
static const struct kmsg produce_req_partition_msg = { "produce_req_partition", sizeof(struct produce_req_partition), 2, produce_req_partition_fields };

static const struct kfield produce_req_topic_fields[] = {
	{ "Name", KT_STRING, 0, 0, KV_MAX, -1, -1, offsetof(struct produce_req_topic, name), NULL, 0 },
	{ "PartitionData", KT_ARRAY, 0, 0, KV_MAX, -1, -1, offsetof(struct produce_req_topic, partition_data), &produce_req_partition_msg, 0 },
};
static const struct kmsg produce_req_topic_msg = { "produce_req_topic", sizeof(struct produce_req_topic), 2, produce_req_topic_fields };

static const struct kfield produce_request_fields[] = {
	{ "TransactionalId", KT_STRING, 0, 3, KV_MAX, 3, -1, offsetof(struct produce_request, transactional_id), NULL, 0 },
	{ "Acks", KT_INT16, 0, 0, KV_MAX, -1, -1, offsetof(struct produce_request, acks), NULL, 0 },
	{ "TimeoutMs", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct produce_request, timeout_ms), NULL, 0 },
	{ "TopicData", KT_ARRAY, 0, 0, KV_MAX, -1, -1, offsetof(struct produce_request, topic_data), &produce_req_topic_msg, 0 },
};
const struct kmsg produce_request_msg = { "produce_request", sizeof(struct produce_request), 4, produce_request_fields };

static const struct kfield produce_resp_partition_fields[] = {
	{ "Index", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct produce_resp_partition, index), NULL, 0 },
	{ "ErrorCode", KT_INT16, 0, 0, KV_MAX, -1, -1, offsetof(struct produce_resp_partition, error_code), NULL, 0 },
	{ "BaseOffset", KT_INT64, 0, 0, KV_MAX, -1, -1, offsetof(struct produce_resp_partition, base_offset), NULL, 0 },
	{ "LogAppendTimeMs", KT_INT64, 0, 2, KV_MAX, -1, -1, offsetof(struct produce_resp_partition, log_append_time_ms), NULL, -1 },
	{ "LogStartOffset", KT_INT64, 0, 5, KV_MAX, -1, -1, offsetof(struct produce_resp_partition, log_start_offset), NULL, -1 },
};
static const struct kmsg produce_resp_partition_msg = { "produce_resp_partition", sizeof(struct produce_resp_partition), 5, produce_resp_partition_fields };

static const struct kfield produce_resp_topic_fields[] = {
	{ "Name", KT_STRING, 0, 0, KV_MAX, -1, -1, offsetof(struct produce_resp_topic, name), NULL, 0 },
	{ "PartitionResponses", KT_ARRAY, 0, 0, KV_MAX, -1, -1, offsetof(struct produce_resp_topic, partition_responses), &produce_resp_partition_msg, 0 },
};
static const struct kmsg produce_resp_topic_msg = { "produce_resp_topic", sizeof(struct produce_resp_topic), 2, produce_resp_topic_fields };

static const struct kfield produce_response_fields[] = {
	{ "Responses", KT_ARRAY, 0, 0, KV_MAX, -1, -1, offsetof(struct produce_response, responses), &produce_resp_topic_msg, 0 },
	{ "ThrottleTimeMs", KT_INT32, 0, 1, KV_MAX, -1, -1, offsetof(struct produce_response, throttle_time_ms), NULL, 0 },
};
const struct kmsg produce_response_msg = { "produce_response", sizeof(struct produce_response), 2, produce_response_fields };
