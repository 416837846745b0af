/* LeaderAndIsr (API key 4) request and response schemas, v0-2. Field facts
 * from Kafka 3.8 LeaderAndIsrRequest/Response.json; see messages.h. */
#include <stddef.h>
#include <stdint.h>

#include "common/proto/messages.h"

static const struct kfield leader_and_isr_req_partition_state_fields[] = {
	{ "TopicName", KT_STRING, 0, 0, 1, -1, -1, offsetof(struct leader_and_isr_req_partition_state, topic_name), NULL, 0 },
	{ "PartitionIndex", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct leader_and_isr_req_partition_state, partition_index), NULL, 0 },
	{ "ControllerEpoch", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct leader_and_isr_req_partition_state, controller_epoch), NULL, 0 },
	{ "Leader", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct leader_and_isr_req_partition_state, leader), NULL, 0 },
	{ "LeaderEpoch", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct leader_and_isr_req_partition_state, leader_epoch), NULL, 0 },
	{ "Isr", KT_ARRAY, KT_INT32, 0, KV_MAX, -1, -1, offsetof(struct leader_and_isr_req_partition_state, isr), NULL, 0 },
	{ "PartitionEpoch", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct leader_and_isr_req_partition_state, partition_epoch), NULL, 0 },
	{ "Replicas", KT_ARRAY, KT_INT32, 0, KV_MAX, -1, -1, offsetof(struct leader_and_isr_req_partition_state, replicas), NULL, 0 },
	{ "IsNew", KT_BOOL, 0, 1, KV_MAX, -1, -1, offsetof(struct leader_and_isr_req_partition_state, is_new), NULL, 0 },
};
static const struct kmsg leader_and_isr_req_partition_state_msg = { "leader_and_isr_req_partition_state", sizeof(struct leader_and_isr_req_partition_state), 9, leader_and_isr_req_partition_state_fields };

static const struct kfield leader_and_isr_req_topic_state_fields[] = {
	{ "TopicName", KT_STRING, 0, 2, KV_MAX, -1, -1, offsetof(struct leader_and_isr_req_topic_state, topic_name), NULL, 0 },
	{ "PartitionStates", KT_ARRAY, 0, 2, KV_MAX, -1, -1, offsetof(struct leader_and_isr_req_topic_state, partition_states), &leader_and_isr_req_partition_state_msg, 0 },
};
static const struct kmsg leader_and_isr_req_topic_state_msg = { "leader_and_isr_req_topic_state", sizeof(struct leader_and_isr_req_topic_state), 2, leader_and_isr_req_topic_state_fields };

static const struct kfield leader_and_isr_req_live_leader_fields[] = {
	{ "BrokerId", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct leader_and_isr_req_live_leader, broker_id), NULL, 0 },
	{ "HostName", KT_STRING, 0, 0, KV_MAX, -1, -1, offsetof(struct leader_and_isr_req_live_leader, host_name), NULL, 0 },
	{ "Port", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct leader_and_isr_req_live_leader, port), NULL, 0 },
};
static const struct kmsg leader_and_isr_req_live_leader_msg = { "leader_and_isr_req_live_leader", sizeof(struct leader_and_isr_req_live_leader), 3, leader_and_isr_req_live_leader_fields };

static const struct kfield leader_and_isr_request_fields[] = {
	{ "ControllerId", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct leader_and_isr_request, controller_id), NULL, 0 },
	{ "ControllerEpoch", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct leader_and_isr_request, controller_epoch), NULL, 0 },
	{ "BrokerEpoch", KT_INT64, 0, 2, KV_MAX, -1, -1, offsetof(struct leader_and_isr_request, broker_epoch), NULL, -1 },
	{ "UngroupedPartitionStates", KT_ARRAY, 0, 0, 1, -1, -1, offsetof(struct leader_and_isr_request, ungrouped_partition_states), &leader_and_isr_req_partition_state_msg, 0 },
	{ "TopicStates", KT_ARRAY, 0, 2, KV_MAX, -1, -1, offsetof(struct leader_and_isr_request, topic_states), &leader_and_isr_req_topic_state_msg, 0 },
	{ "LiveLeaders", KT_ARRAY, 0, 0, KV_MAX, -1, -1, offsetof(struct leader_and_isr_request, live_leaders), &leader_and_isr_req_live_leader_msg, 0 },
};
const struct kmsg leader_and_isr_request_msg = { "leader_and_isr_request", sizeof(struct leader_and_isr_request), 6, leader_and_isr_request_fields };

static const struct kfield leader_and_isr_resp_partition_error_fields[] = {
	{ "TopicName", KT_STRING, 0, 0, KV_MAX, -1, -1, offsetof(struct leader_and_isr_resp_partition_error, topic_name), NULL, 0 },
	{ "PartitionIndex", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct leader_and_isr_resp_partition_error, partition_index), NULL, 0 },
	{ "ErrorCode", KT_INT16, 0, 0, KV_MAX, -1, -1, offsetof(struct leader_and_isr_resp_partition_error, error_code), NULL, 0 },
};
static const struct kmsg leader_and_isr_resp_partition_error_msg = { "leader_and_isr_resp_partition_error", sizeof(struct leader_and_isr_resp_partition_error), 3, leader_and_isr_resp_partition_error_fields };

static const struct kfield leader_and_isr_response_fields[] = {
	{ "ErrorCode", KT_INT16, 0, 0, KV_MAX, -1, -1, offsetof(struct leader_and_isr_response, error_code), NULL, 0 },
	{ "PartitionErrors", KT_ARRAY, 0, 0, KV_MAX, -1, -1, offsetof(struct leader_and_isr_response, partition_errors), &leader_and_isr_resp_partition_error_msg, 0 },
};
const struct kmsg leader_and_isr_response_msg = { "leader_and_isr_response", sizeof(struct leader_and_isr_response), 2, leader_and_isr_response_fields };
