/* Metadata (API key 3) request and response schemas, v0-12. Field facts
 * from Kafka 3.8 MetadataRequest/Response.json; see messages.h. */
#include <stddef.h>
#include <stdint.h>

#include "common/proto/messages.h"

static const struct kfield metadata_req_topic_fields[] = {
	{ "TopicId", KT_UUID, 0, 10, KV_MAX, -1, -1, offsetof(struct metadata_req_topic, topic_id), NULL, 0 },
	{ "Name", KT_STRING, 0, 0, KV_MAX, 10, -1, offsetof(struct metadata_req_topic, name), NULL, 0 },
};
static const struct kmsg metadata_req_topic_msg = { "metadata_req_topic", sizeof(struct metadata_req_topic), 2, metadata_req_topic_fields };

static const struct kfield metadata_request_fields[] = {
	{ "Topics", KT_ARRAY, 0, 0, KV_MAX, 1, -1, offsetof(struct metadata_request, topics), &metadata_req_topic_msg, 0 },
	{ "AllowAutoTopicCreation", KT_BOOL, 0, 4, KV_MAX, -1, -1, offsetof(struct metadata_request, allow_auto_topic_creation), NULL, 1 },
	{ "IncludeClusterAuthorizedOperations", KT_BOOL, 0, 8, 10, -1, -1, offsetof(struct metadata_request, include_cluster_authorized_operations), NULL, 0 },
	{ "IncludeTopicAuthorizedOperations", KT_BOOL, 0, 8, KV_MAX, -1, -1, offsetof(struct metadata_request, include_topic_authorized_operations), NULL, 0 },
};
const struct kmsg metadata_request_msg = { "metadata_request", sizeof(struct metadata_request), 4, metadata_request_fields };

static const struct kfield metadata_resp_broker_fields[] = {
	{ "NodeId", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct metadata_resp_broker, node_id), NULL, 0 },
	{ "Host", KT_STRING, 0, 0, KV_MAX, -1, -1, offsetof(struct metadata_resp_broker, host), NULL, 0 },
	{ "Port", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct metadata_resp_broker, port), NULL, 0 },
	{ "Rack", KT_STRING, 0, 1, KV_MAX, 1, -1, offsetof(struct metadata_resp_broker, rack), NULL, 0 },
};
static const struct kmsg metadata_resp_broker_msg = { "metadata_resp_broker", sizeof(struct metadata_resp_broker), 4, metadata_resp_broker_fields };

static const struct kfield metadata_resp_partition_fields[] = {
	{ "ErrorCode", KT_INT16, 0, 0, KV_MAX, -1, -1, offsetof(struct metadata_resp_partition, error_code), NULL, 0 },
	{ "PartitionIndex", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct metadata_resp_partition, partition_index), NULL, 0 },
	{ "LeaderId", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct metadata_resp_partition, leader_id), NULL, 0 },
	{ "LeaderEpoch", KT_INT32, 0, 7, KV_MAX, -1, -1, offsetof(struct metadata_resp_partition, leader_epoch), NULL, -1 },
	{ "ReplicaNodes", KT_ARRAY, KT_INT32, 0, KV_MAX, -1, -1, offsetof(struct metadata_resp_partition, replica_nodes), NULL, 0 },
	{ "IsrNodes", KT_ARRAY, KT_INT32, 0, KV_MAX, -1, -1, offsetof(struct metadata_resp_partition, isr_nodes), NULL, 0 },
	{ "OfflineReplicas", KT_ARRAY, KT_INT32, 5, KV_MAX, -1, -1, offsetof(struct metadata_resp_partition, offline_replicas), NULL, 0 },
};
static const struct kmsg metadata_resp_partition_msg = { "metadata_resp_partition", sizeof(struct metadata_resp_partition), 7, metadata_resp_partition_fields };

static const struct kfield metadata_resp_topic_fields[] = {
	{ "ErrorCode", KT_INT16, 0, 0, KV_MAX, -1, -1, offsetof(struct metadata_resp_topic, error_code), NULL, 0 },
	{ "Name", KT_STRING, 0, 0, KV_MAX, 12, -1, offsetof(struct metadata_resp_topic, name), NULL, 0 },
	{ "TopicId", KT_UUID, 0, 10, KV_MAX, -1, -1, offsetof(struct metadata_resp_topic, topic_id), NULL, 0 },
	{ "IsInternal", KT_BOOL, 0, 1, KV_MAX, -1, -1, offsetof(struct metadata_resp_topic, is_internal), NULL, 0 },
	{ "Partitions", KT_ARRAY, 0, 0, KV_MAX, -1, -1, offsetof(struct metadata_resp_topic, partitions), &metadata_resp_partition_msg, 0 },
	{ "TopicAuthorizedOperations", KT_INT32, 0, 8, KV_MAX, -1, -1, offsetof(struct metadata_resp_topic, topic_authorized_operations), NULL, INT64_C(-2147483648) },
};
static const struct kmsg metadata_resp_topic_msg = { "metadata_resp_topic", sizeof(struct metadata_resp_topic), 6, metadata_resp_topic_fields };

static const struct kfield metadata_response_fields[] = {
	{ "ThrottleTimeMs", KT_INT32, 0, 3, KV_MAX, -1, -1, offsetof(struct metadata_response, throttle_time_ms), NULL, 0 },
	{ "Brokers", KT_ARRAY, 0, 0, KV_MAX, -1, -1, offsetof(struct metadata_response, brokers), &metadata_resp_broker_msg, 0 },
	{ "ClusterId", KT_STRING, 0, 2, KV_MAX, 2, -1, offsetof(struct metadata_response, cluster_id), NULL, 0 },
	{ "ControllerId", KT_INT32, 0, 1, KV_MAX, -1, -1, offsetof(struct metadata_response, controller_id), NULL, -1 },
	{ "Topics", KT_ARRAY, 0, 0, KV_MAX, -1, -1, offsetof(struct metadata_response, topics), &metadata_resp_topic_msg, 0 },
	{ "ClusterAuthorizedOperations", KT_INT32, 0, 8, 10, -1, -1, offsetof(struct metadata_response, cluster_authorized_operations), NULL, INT64_C(-2147483648) },
};
const struct kmsg metadata_response_msg = { "metadata_response", sizeof(struct metadata_response), 6, metadata_response_fields };
