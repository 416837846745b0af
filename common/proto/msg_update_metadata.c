/* UpdateMetadata (API key 6) request and response schemas, v0-7 (v6+ flexible, v7 adds topic ids). Field facts
 * from Kafka 3.8 UpdateMetadataRequest/Response.json; see messages.h. */
#include <stddef.h>
#include <stdint.h>

#include "common/proto/messages.h"

static const struct kfield update_metadata_req_partition_state_fields[] = {
	{ "TopicName", KT_STRING, 0, 0, 4, -1, -1, offsetof(struct update_metadata_req_partition_state, topic_name), NULL, 0 },
	{ "PartitionIndex", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct update_metadata_req_partition_state, partition_index), NULL, 0 },
	{ "ControllerEpoch", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct update_metadata_req_partition_state, controller_epoch), NULL, 0 },
	{ "Leader", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct update_metadata_req_partition_state, leader), NULL, 0 },
	{ "LeaderEpoch", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct update_metadata_req_partition_state, leader_epoch), NULL, 0 },
	{ "Isr", KT_ARRAY, KT_INT32, 0, KV_MAX, -1, -1, offsetof(struct update_metadata_req_partition_state, isr), NULL, 0 },
	{ "ZkVersion", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct update_metadata_req_partition_state, zk_version), NULL, 0 },
	{ "Replicas", KT_ARRAY, KT_INT32, 0, KV_MAX, -1, -1, offsetof(struct update_metadata_req_partition_state, replicas), NULL, 0 },
	{ "OfflineReplicas", KT_ARRAY, KT_INT32, 4, KV_MAX, -1, -1, offsetof(struct update_metadata_req_partition_state, offline_replicas), NULL, 0 },
};
static const struct kmsg update_metadata_req_partition_state_msg = { "update_metadata_req_partition_state", sizeof(struct update_metadata_req_partition_state), 9, update_metadata_req_partition_state_fields };

static const struct kfield update_metadata_req_topic_state_fields[] = {
	{ "TopicName", KT_STRING, 0, 5, KV_MAX, -1, -1, offsetof(struct update_metadata_req_topic_state, topic_name), NULL, 0 },
	{ "TopicId", KT_UUID, 0, 7, KV_MAX, -1, -1, offsetof(struct update_metadata_req_topic_state, topic_id), NULL, 0 },
	{ "PartitionStates", KT_ARRAY, 0, 5, KV_MAX, -1, -1, offsetof(struct update_metadata_req_topic_state, partition_states), &update_metadata_req_partition_state_msg, 0 },
};
static const struct kmsg update_metadata_req_topic_state_msg = { "update_metadata_req_topic_state", sizeof(struct update_metadata_req_topic_state), 3, update_metadata_req_topic_state_fields };

static const struct kfield update_metadata_req_endpoint_fields[] = {
	{ "Port", KT_INT32, 0, 1, KV_MAX, -1, -1, offsetof(struct update_metadata_req_endpoint, port), NULL, 0 },
	{ "Host", KT_STRING, 0, 1, KV_MAX, -1, -1, offsetof(struct update_metadata_req_endpoint, host), NULL, 0 },
	{ "Listener", KT_STRING, 0, 3, KV_MAX, -1, -1, offsetof(struct update_metadata_req_endpoint, listener), NULL, 0 },
	{ "SecurityProtocol", KT_INT16, 0, 1, KV_MAX, -1, -1, offsetof(struct update_metadata_req_endpoint, security_protocol), NULL, 0 },
};
static const struct kmsg update_metadata_req_endpoint_msg = { "update_metadata_req_endpoint", sizeof(struct update_metadata_req_endpoint), 4, update_metadata_req_endpoint_fields };

static const struct kfield update_metadata_req_broker_fields[] = {
	{ "Id", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct update_metadata_req_broker, id), NULL, 0 },
	{ "V0Host", KT_STRING, 0, 0, 0, -1, -1, offsetof(struct update_metadata_req_broker, v0_host), NULL, 0 },
	{ "V0Port", KT_INT32, 0, 0, 0, -1, -1, offsetof(struct update_metadata_req_broker, v0_port), NULL, 0 },
	{ "Endpoints", KT_ARRAY, 0, 1, KV_MAX, -1, -1, offsetof(struct update_metadata_req_broker, endpoints), &update_metadata_req_endpoint_msg, 0 },
	{ "Rack", KT_STRING, 0, 2, KV_MAX, 0, -1, offsetof(struct update_metadata_req_broker, rack), NULL, 0 },
};
static const struct kmsg update_metadata_req_broker_msg = { "update_metadata_req_broker", sizeof(struct update_metadata_req_broker), 5, update_metadata_req_broker_fields };

static const struct kfield update_metadata_request_fields[] = {
	{ "ControllerId", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct update_metadata_request, controller_id), NULL, 0 },
	{ "ControllerEpoch", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct update_metadata_request, controller_epoch), NULL, 0 },
	{ "BrokerEpoch", KT_INT64, 0, 5, KV_MAX, -1, -1, offsetof(struct update_metadata_request, broker_epoch), NULL, -1 },
	{ "UngroupedPartitionStates", KT_ARRAY, 0, 0, 4, -1, -1, offsetof(struct update_metadata_request, ungrouped_partition_states), &update_metadata_req_partition_state_msg, 0 },
	{ "TopicStates", KT_ARRAY, 0, 5, KV_MAX, -1, -1, offsetof(struct update_metadata_request, topic_states), &update_metadata_req_topic_state_msg, 0 },
	{ "LiveBrokers", KT_ARRAY, 0, 0, KV_MAX, -1, -1, offsetof(struct update_metadata_request, live_brokers), &update_metadata_req_broker_msg, 0 },
};
const struct kmsg update_metadata_request_msg = { "update_metadata_request", sizeof(struct update_metadata_request), 6, update_metadata_request_fields };

static const struct kfield update_metadata_response_fields[] = {
	{ "ErrorCode", KT_INT16, 0, 0, KV_MAX, -1, -1, offsetof(struct update_metadata_response, error_code), NULL, 0 },
};
const struct kmsg update_metadata_response_msg = { "update_metadata_response", sizeof(struct update_metadata_response), 1, update_metadata_response_fields };
