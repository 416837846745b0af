/* OffsetDelete (API key 47) request and response schemas, v0. Field facts
 * from Kafka 3.8 OffsetDeleteRequest/Response.json; see messages.h. */
#include <stddef.h>
#include <stdint.h>

#include "common/proto/messages.h"

static const struct kfield offset_delete_req_partition_fields[] = {
	{ "PartitionIndex", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct offset_delete_req_partition, partition_index), NULL, 0 },
};
static const struct kmsg offset_delete_req_partition_msg = { "offset_delete_req_partition", sizeof(struct offset_delete_req_partition), 1, offset_delete_req_partition_fields };

static const struct kfield offset_delete_req_topic_fields[] = {
	{ "Name", KT_STRING, 0, 0, KV_MAX, -1, -1, offsetof(struct offset_delete_req_topic, name), NULL, 0 },
	{ "Partitions", KT_ARRAY, 0, 0, KV_MAX, -1, -1, offsetof(struct offset_delete_req_topic, partitions), &offset_delete_req_partition_msg, 0 },
};
static const struct kmsg offset_delete_req_topic_msg = { "offset_delete_req_topic", sizeof(struct offset_delete_req_topic), 2, offset_delete_req_topic_fields };

static const struct kfield offset_delete_request_fields[] = {
	{ "GroupId", KT_STRING, 0, 0, KV_MAX, -1, -1, offsetof(struct offset_delete_request, group_id), NULL, 0 },
	{ "Topics", KT_ARRAY, 0, 0, KV_MAX, -1, -1, offsetof(struct offset_delete_request, topics), &offset_delete_req_topic_msg, 0 },
};
const struct kmsg offset_delete_request_msg = { "offset_delete_request", sizeof(struct offset_delete_request), 2, offset_delete_request_fields };

static const struct kfield offset_delete_resp_partition_fields[] = {
	{ "PartitionIndex", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct offset_delete_resp_partition, partition_index), NULL, 0 },
	{ "ErrorCode", KT_INT16, 0, 0, KV_MAX, -1, -1, offsetof(struct offset_delete_resp_partition, error_code), NULL, 0 },
};
static const struct kmsg offset_delete_resp_partition_msg = { "offset_delete_resp_partition", sizeof(struct offset_delete_resp_partition), 2, offset_delete_resp_partition_fields };

static const struct kfield offset_delete_resp_topic_fields[] = {
	{ "Name", KT_STRING, 0, 0, KV_MAX, -1, -1, offsetof(struct offset_delete_resp_topic, name), NULL, 0 },
	{ "Partitions", KT_ARRAY, 0, 0, KV_MAX, -1, -1, offsetof(struct offset_delete_resp_topic, partitions), &offset_delete_resp_partition_msg, 0 },
};
static const struct kmsg offset_delete_resp_topic_msg = { "offset_delete_resp_topic", sizeof(struct offset_delete_resp_topic), 2, offset_delete_resp_topic_fields };

static const struct kfield offset_delete_response_fields[] = {
	{ "ErrorCode", KT_INT16, 0, 0, KV_MAX, -1, -1, offsetof(struct offset_delete_response, error_code), NULL, 0 },
	{ "ThrottleTimeMs", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct offset_delete_response, throttle_time_ms), NULL, 0 },
	{ "Topics", KT_ARRAY, 0, 0, KV_MAX, -1, -1, offsetof(struct offset_delete_response, topics), &offset_delete_resp_topic_msg, 0 },
};
const struct kmsg offset_delete_response_msg = { "offset_delete_response", sizeof(struct offset_delete_response), 3, offset_delete_response_fields };
