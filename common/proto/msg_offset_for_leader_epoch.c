/* OffsetForLeaderEpoch (API key 23) request and response schemas, v0-3. Field facts
 * from Kafka 3.8 OffsetForLeaderEpochRequest/Response.json; see messages.h. */
#include <stddef.h>
#include <stdint.h>

#include "common/proto/messages.h"

static const struct kfield offset_for_leader_epoch_req_partition_fields[] = {
	{ "Partition", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct offset_for_leader_epoch_req_partition, partition), NULL, 0 },
	{ "CurrentLeaderEpoch", KT_INT32, 0, 2, KV_MAX, -1, -1, offsetof(struct offset_for_leader_epoch_req_partition, current_leader_epoch), NULL, -1 },
	{ "LeaderEpoch", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct offset_for_leader_epoch_req_partition, leader_epoch), NULL, 0 },
};
static const struct kmsg offset_for_leader_epoch_req_partition_msg = { "offset_for_leader_epoch_req_partition", sizeof(struct offset_for_leader_epoch_req_partition), 3, offset_for_leader_epoch_req_partition_fields };

static const struct kfield offset_for_leader_epoch_req_topic_fields[] = {
	{ "Topic", KT_STRING, 0, 0, KV_MAX, -1, -1, offsetof(struct offset_for_leader_epoch_req_topic, topic), NULL, 0 },
	{ "Partitions", KT_ARRAY, 0, 0, KV_MAX, -1, -1, offsetof(struct offset_for_leader_epoch_req_topic, partitions), &offset_for_leader_epoch_req_partition_msg, 0 },
};
static const struct kmsg offset_for_leader_epoch_req_topic_msg = { "offset_for_leader_epoch_req_topic", sizeof(struct offset_for_leader_epoch_req_topic), 2, offset_for_leader_epoch_req_topic_fields };

static const struct kfield offset_for_leader_epoch_request_fields[] = {
	{ "ReplicaId", KT_INT32, 0, 3, KV_MAX, -1, -1, offsetof(struct offset_for_leader_epoch_request, replica_id), NULL, -2 },
	{ "Topics", KT_ARRAY, 0, 0, KV_MAX, -1, -1, offsetof(struct offset_for_leader_epoch_request, topics), &offset_for_leader_epoch_req_topic_msg, 0 },
};
const struct kmsg offset_for_leader_epoch_request_msg = { "offset_for_leader_epoch_request", sizeof(struct offset_for_leader_epoch_request), 2, offset_for_leader_epoch_request_fields };

static const struct kfield offset_for_leader_epoch_resp_partition_fields[] = {
	{ "ErrorCode", KT_INT16, 0, 0, KV_MAX, -1, -1, offsetof(struct offset_for_leader_epoch_resp_partition, error_code), NULL, 0 },
	{ "Partition", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct offset_for_leader_epoch_resp_partition, partition), NULL, 0 },
	{ "LeaderEpoch", KT_INT32, 0, 1, KV_MAX, -1, -1, offsetof(struct offset_for_leader_epoch_resp_partition, leader_epoch), NULL, -1 },
	{ "EndOffset", KT_INT64, 0, 0, KV_MAX, -1, -1, offsetof(struct offset_for_leader_epoch_resp_partition, end_offset), NULL, -1 },
};
static const struct kmsg offset_for_leader_epoch_resp_partition_msg = { "offset_for_leader_epoch_resp_partition", sizeof(struct offset_for_leader_epoch_resp_partition), 4, offset_for_leader_epoch_resp_partition_fields };

static const struct kfield offset_for_leader_epoch_resp_topic_fields[] = {
	{ "Topic", KT_STRING, 0, 0, KV_MAX, -1, -1, offsetof(struct offset_for_leader_epoch_resp_topic, topic), NULL, 0 },
	{ "Partitions", KT_ARRAY, 0, 0, KV_MAX, -1, -1, offsetof(struct offset_for_leader_epoch_resp_topic, partitions), &offset_for_leader_epoch_resp_partition_msg, 0 },
};
static const struct kmsg offset_for_leader_epoch_resp_topic_msg = { "offset_for_leader_epoch_resp_topic", sizeof(struct offset_for_leader_epoch_resp_topic), 2, offset_for_leader_epoch_resp_topic_fields };

static const struct kfield offset_for_leader_epoch_response_fields[] = {
	{ "ThrottleTimeMs", KT_INT32, 0, 2, KV_MAX, -1, -1, offsetof(struct offset_for_leader_epoch_response, throttle_time_ms), NULL, 0 },
	{ "Topics", KT_ARRAY, 0, 0, KV_MAX, -1, -1, offsetof(struct offset_for_leader_epoch_response, topics), &offset_for_leader_epoch_resp_topic_msg, 0 },
};
const struct kmsg offset_for_leader_epoch_response_msg = { "offset_for_leader_epoch_response", sizeof(struct offset_for_leader_epoch_response), 2, offset_for_leader_epoch_response_fields };
