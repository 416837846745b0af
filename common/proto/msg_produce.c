/* Produce (API key 0) request and response schemas, v0-11 (flexible from v9). Field facts
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

static const struct kfield produce_resp_batch_error_fields[] = {
	{ "BatchIndex", KT_INT32, 0, 8, KV_MAX, -1, -1, offsetof(struct produce_resp_batch_error, batch_index), NULL, 0 },
	{ "BatchIndexErrorMessage", KT_STRING, 0, 8, KV_MAX, 8, -1, offsetof(struct produce_resp_batch_error, batch_index_error_message), NULL, 0 },
};
static const struct kmsg produce_resp_batch_error_msg = { "produce_resp_batch_error", sizeof(struct produce_resp_batch_error), 2, produce_resp_batch_error_fields };

static const struct kfield produce_resp_leader_fields[] = {
	{ "LeaderId", KT_INT32, 0, 10, KV_MAX, -1, -1, offsetof(struct produce_resp_leader, leader_id), NULL, -1 },
	{ "LeaderEpoch", KT_INT32, 0, 10, KV_MAX, -1, -1, offsetof(struct produce_resp_leader, leader_epoch), NULL, -1 },
};
static const struct kmsg produce_resp_leader_msg = { "produce_resp_leader", sizeof(struct produce_resp_leader), 2, produce_resp_leader_fields };

static const struct kfield produce_resp_node_endpoint_fields[] = {
	{ "NodeId", KT_INT32, 0, 10, KV_MAX, -1, -1, offsetof(struct produce_resp_node_endpoint, node_id), NULL, 0 },
	{ "Host", KT_STRING, 0, 10, KV_MAX, -1, -1, offsetof(struct produce_resp_node_endpoint, host), NULL, 0 },
	{ "Port", KT_INT32, 0, 10, KV_MAX, -1, -1, offsetof(struct produce_resp_node_endpoint, port), NULL, 0 },
	{ "Rack", KT_STRING, 0, 10, KV_MAX, 10, -1, offsetof(struct produce_resp_node_endpoint, rack), NULL, 0 },
};
static const struct kmsg produce_resp_node_endpoint_msg = { "produce_resp_node_endpoint", sizeof(struct produce_resp_node_endpoint), 4, produce_resp_node_endpoint_fields };

static const struct kfield produce_resp_partition_fields[] = {
	{ "Index", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct produce_resp_partition, index), NULL, 0 },
	{ "ErrorCode", KT_INT16, 0, 0, KV_MAX, -1, -1, offsetof(struct produce_resp_partition, error_code), NULL, 0 },
	{ "BaseOffset", KT_INT64, 0, 0, KV_MAX, -1, -1, offsetof(struct produce_resp_partition, base_offset), NULL, 0 },
	{ "LogAppendTimeMs", KT_INT64, 0, 2, KV_MAX, -1, -1, offsetof(struct produce_resp_partition, log_append_time_ms), NULL, -1 },
	{ "LogStartOffset", KT_INT64, 0, 5, KV_MAX, -1, -1, offsetof(struct produce_resp_partition, log_start_offset), NULL, -1 },
	{ "RecordErrors", KT_ARRAY, 0, 8, KV_MAX, -1, -1, offsetof(struct produce_resp_partition, record_errors), &produce_resp_batch_error_msg, 0 },
	{ "ErrorMessage", KT_STRING, 0, 8, KV_MAX, 8, -1, offsetof(struct produce_resp_partition, error_message), NULL, 0 },
	{ "CurrentLeader", KT_STRUCT, 0, 10, KV_MAX, -1, 0, offsetof(struct produce_resp_partition, current_leader), &produce_resp_leader_msg, 0 },
};
static const struct kmsg produce_resp_partition_msg = { "produce_resp_partition", sizeof(struct produce_resp_partition), 8, produce_resp_partition_fields };

static const struct kfield produce_resp_topic_fields[] = {
	{ "Name", KT_STRING, 0, 0, KV_MAX, -1, -1, offsetof(struct produce_resp_topic, name), NULL, 0 },
	{ "PartitionResponses", KT_ARRAY, 0, 0, KV_MAX, -1, -1, offsetof(struct produce_resp_topic, partition_responses), &produce_resp_partition_msg, 0 },
};
static const struct kmsg produce_resp_topic_msg = { "produce_resp_topic", sizeof(struct produce_resp_topic), 2, produce_resp_topic_fields };

static const struct kfield produce_response_fields[] = {
	{ "Responses", KT_ARRAY, 0, 0, KV_MAX, -1, -1, offsetof(struct produce_response, responses), &produce_resp_topic_msg, 0 },
	{ "ThrottleTimeMs", KT_INT32, 0, 1, KV_MAX, -1, -1, offsetof(struct produce_response, throttle_time_ms), NULL, 0 },
	{ "NodeEndpoints", KT_ARRAY, 0, 10, KV_MAX, -1, 0, offsetof(struct produce_response, node_endpoints), &produce_resp_node_endpoint_msg, 0 },
};
const struct kmsg produce_response_msg = { "produce_response", sizeof(struct produce_response), 3, produce_response_fields };
