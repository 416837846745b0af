/* StopReplica (API key 5) request and response schemas, v0-1. Field facts
 * from Kafka 3.8 StopReplicaRequest/Response.json; see messages.h. */
#include <stddef.h>
#include <stdint.h>

#include "common/proto/messages.h"

static const struct kfield stop_replica_req_partition_v0_fields[] = {
	{ "TopicName", KT_STRING, 0, 0, 0, -1, -1, offsetof(struct stop_replica_req_partition_v0, topic_name), NULL, 0 },
	{ "PartitionIndex", KT_INT32, 0, 0, 0, -1, -1, offsetof(struct stop_replica_req_partition_v0, partition_index), NULL, 0 },
};
static const struct kmsg stop_replica_req_partition_v0_msg = { "stop_replica_req_partition_v0", sizeof(struct stop_replica_req_partition_v0), 2, stop_replica_req_partition_v0_fields };

static const struct kfield stop_replica_req_topic_v1_fields[] = {
	{ "Name", KT_STRING, 0, 1, KV_MAX, -1, -1, offsetof(struct stop_replica_req_topic_v1, name), NULL, 0 },
	{ "PartitionIndexes", KT_ARRAY, KT_INT32, 1, KV_MAX, -1, -1, offsetof(struct stop_replica_req_topic_v1, partition_indexes), NULL, 0 },
};
static const struct kmsg stop_replica_req_topic_v1_msg = { "stop_replica_req_topic_v1", sizeof(struct stop_replica_req_topic_v1), 2, stop_replica_req_topic_v1_fields };

static const struct kfield stop_replica_request_fields[] = {
	{ "ControllerId", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct stop_replica_request, controller_id), NULL, 0 },
	{ "ControllerEpoch", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct stop_replica_request, controller_epoch), NULL, 0 },
	{ "BrokerEpoch", KT_INT64, 0, 1, KV_MAX, -1, -1, offsetof(struct stop_replica_request, broker_epoch), NULL, -1 },
	{ "DeletePartitions", KT_BOOL, 0, 0, KV_MAX, -1, -1, offsetof(struct stop_replica_request, delete_partitions), NULL, 0 },
	{ "UngroupedPartitions", KT_ARRAY, 0, 0, 0, -1, -1, offsetof(struct stop_replica_request, ungrouped_partitions), &stop_replica_req_partition_v0_msg, 0 },
	{ "Topics", KT_ARRAY, 0, 1, KV_MAX, -1, -1, offsetof(struct stop_replica_request, topics), &stop_replica_req_topic_v1_msg, 0 },
};
const struct kmsg stop_replica_request_msg = { "stop_replica_request", sizeof(struct stop_replica_request), 6, stop_replica_request_fields };

static const struct kfield stop_replica_resp_partition_error_fields[] = {
	{ "TopicName", KT_STRING, 0, 0, KV_MAX, -1, -1, offsetof(struct stop_replica_resp_partition_error, topic_name), NULL, 0 },
	{ "PartitionIndex", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct stop_replica_resp_partition_error, partition_index), NULL, 0 },
	{ "ErrorCode", KT_INT16, 0, 0, KV_MAX, -1, -1, offsetof(struct stop_replica_resp_partition_error, error_code), NULL, 0 },
};
static const struct kmsg stop_replica_resp_partition_error_msg = { "stop_replica_resp_partition_error", sizeof(struct stop_replica_resp_partition_error), 3, stop_replica_resp_partition_error_fields };

static const struct kfield stop_replica_response_fields[] = {
	{ "ErrorCode", KT_INT16, 0, 0, KV_MAX, -1, -1, offsetof(struct stop_replica_response, error_code), NULL, 0 },
	{ "PartitionErrors", KT_ARRAY, 0, 0, KV_MAX, -1, -1, offsetof(struct stop_replica_response, partition_errors), &stop_replica_resp_partition_error_msg, 0 },
};
const struct kmsg stop_replica_response_msg = { "stop_replica_response", sizeof(struct stop_replica_response), 2, stop_replica_response_fields };
