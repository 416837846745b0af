/* ListOffsets (API key 2) request and response schemas, v0-5. Field facts
 * from Kafka 3.8 ListOffsetsRequest/Response.json; see messages.h. */
#include <stddef.h>
#include <stdint.h>

#include "common/proto/messages.h"

static const struct kfield list_offsets_req_partition_fields[] = {
	{ "PartitionIndex", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct list_offsets_req_partition, partition_index), NULL, 0 },
	{ "CurrentLeaderEpoch", KT_INT32, 0, 4, KV_MAX, -1, -1, offsetof(struct list_offsets_req_partition, current_leader_epoch), NULL, -1 },
	{ "Timestamp", KT_INT64, 0, 0, KV_MAX, -1, -1, offsetof(struct list_offsets_req_partition, timestamp), NULL, 0 },
	{ "MaxNumOffsets", KT_INT32, 0, 0, 0, -1, -1, offsetof(struct list_offsets_req_partition, max_num_offsets), NULL, 1 },
};
static const struct kmsg list_offsets_req_partition_msg = { "list_offsets_req_partition", sizeof(struct list_offsets_req_partition), 4, list_offsets_req_partition_fields };

static const struct kfield list_offsets_req_topic_fields[] = {
	{ "Name", KT_STRING, 0, 0, KV_MAX, -1, -1, offsetof(struct list_offsets_req_topic, name), NULL, 0 },
	{ "Partitions", KT_ARRAY, 0, 0, KV_MAX, -1, -1, offsetof(struct list_offsets_req_topic, partitions), &list_offsets_req_partition_msg, 0 },
};
static const struct kmsg list_offsets_req_topic_msg = { "list_offsets_req_topic", sizeof(struct list_offsets_req_topic), 2, list_offsets_req_topic_fields };

static const struct kfield list_offsets_request_fields[] = {
	{ "ReplicaId", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct list_offsets_request, replica_id), NULL, 0 },
	{ "IsolationLevel", KT_INT8, 0, 2, KV_MAX, -1, -1, offsetof(struct list_offsets_request, isolation_level), NULL, 0 },
	{ "Topics", KT_ARRAY, 0, 0, KV_MAX, -1, -1, offsetof(struct list_offsets_request, topics), &list_offsets_req_topic_msg, 0 },
};
const struct kmsg list_offsets_request_msg = { "list_offsets_request", sizeof(struct list_offsets_request), 3, list_offsets_request_fields };

static const struct kfield list_offsets_resp_partition_fields[] = {
	{ "PartitionIndex", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct list_offsets_resp_partition, partition_index), NULL, 0 },
	{ "ErrorCode", KT_INT16, 0, 0, KV_MAX, -1, -1, offsetof(struct list_offsets_resp_partition, error_code), NULL, 0 },
	{ "OldStyleOffsets", KT_ARRAY, KT_INT64, 0, 0, -1, -1, offsetof(struct list_offsets_resp_partition, old_style_offsets), NULL, 0 },
	{ "Timestamp", KT_INT64, 0, 1, KV_MAX, -1, -1, offsetof(struct list_offsets_resp_partition, timestamp), NULL, -1 },
	{ "Offset", KT_INT64, 0, 1, KV_MAX, -1, -1, offsetof(struct list_offsets_resp_partition, offset), NULL, -1 },
	{ "LeaderEpoch", KT_INT32, 0, 4, KV_MAX, -1, -1, offsetof(struct list_offsets_resp_partition, leader_epoch), NULL, -1 },
};
static const struct kmsg list_offsets_resp_partition_msg = { "list_offsets_resp_partition", sizeof(struct list_offsets_resp_partition), 6, list_offsets_resp_partition_fields };

static const struct kfield list_offsets_resp_topic_fields[] = {
	{ "Name", KT_STRING, 0, 0, KV_MAX, -1, -1, offsetof(struct list_offsets_resp_topic, name), NULL, 0 },
	{ "Partitions", KT_ARRAY, 0, 0, KV_MAX, -1, -1, offsetof(struct list_offsets_resp_topic, partitions), &list_offsets_resp_partition_msg, 0 },
};
static const struct kmsg list_offsets_resp_topic_msg = { "list_offsets_resp_topic", sizeof(struct list_offsets_resp_topic), 2, list_offsets_resp_topic_fields };

static const struct kfield list_offsets_response_fields[] = {
	{ "ThrottleTimeMs", KT_INT32, 0, 2, KV_MAX, -1, -1, offsetof(struct list_offsets_response, throttle_time_ms), NULL, 0 },
	{ "Topics", KT_ARRAY, 0, 0, KV_MAX, -1, -1, offsetof(struct list_offsets_response, topics), &list_offsets_resp_topic_msg, 0 },
};
const struct kmsg list_offsets_response_msg = { "list_offsets_response", sizeof(struct list_offsets_response), 2, list_offsets_response_fields };
