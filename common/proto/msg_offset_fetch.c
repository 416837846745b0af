/* OffsetFetch (API key 9) request and response schemas, v0-8. Field facts
 * from Kafka 3.8 OffsetFetchRequest/Response.json; see messages.h. */
#include <stddef.h>
#include <stdint.h>

#include "common/proto/messages.h"

static const struct kfield offset_fetch_req_topic_fields[] = {
	{ "Name", KT_STRING, 0, 0, 7, -1, -1, offsetof(struct offset_fetch_req_topic, name), NULL, 0 },
	{ "PartitionIndexes", KT_ARRAY, KT_INT32, 0, 7, -1, -1, offsetof(struct offset_fetch_req_topic, partition_indexes), NULL, 0 },
};
static const struct kmsg offset_fetch_req_topic_msg = { "offset_fetch_req_topic", sizeof(struct offset_fetch_req_topic), 2, offset_fetch_req_topic_fields };

static const struct kfield offset_fetch_req_group_topic_fields[] = {
	{ "Name", KT_STRING, 0, 8, KV_MAX, -1, -1, offsetof(struct offset_fetch_req_group_topic, name), NULL, 0 },
	{ "PartitionIndexes", KT_ARRAY, KT_INT32, 8, KV_MAX, -1, -1, offsetof(struct offset_fetch_req_group_topic, partition_indexes), NULL, 0 },
};
static const struct kmsg offset_fetch_req_group_topic_msg = { "offset_fetch_req_group_topic", sizeof(struct offset_fetch_req_group_topic), 2, offset_fetch_req_group_topic_fields };

static const struct kfield offset_fetch_req_group_fields[] = {
	{ "GroupId", KT_STRING, 0, 8, KV_MAX, -1, -1, offsetof(struct offset_fetch_req_group, group_id), NULL, 0 },
	{ "MemberId", KT_STRING, 0, 9, KV_MAX, 9, -1, offsetof(struct offset_fetch_req_group, member_id), NULL, 0 },
	{ "MemberEpoch", KT_INT32, 0, 9, KV_MAX, -1, -1, offsetof(struct offset_fetch_req_group, member_epoch), NULL, -1 },
	{ "Topics", KT_ARRAY, 0, 8, KV_MAX, 8, -1, offsetof(struct offset_fetch_req_group, topics), &offset_fetch_req_group_topic_msg, 0 },
};
static const struct kmsg offset_fetch_req_group_msg = { "offset_fetch_req_group", sizeof(struct offset_fetch_req_group), 4, offset_fetch_req_group_fields };

static const struct kfield offset_fetch_request_fields[] = {
	{ "GroupId", KT_STRING, 0, 0, 7, -1, -1, offsetof(struct offset_fetch_request, group_id), NULL, 0 },
	{ "Topics", KT_ARRAY, 0, 0, 7, 2, -1, offsetof(struct offset_fetch_request, topics), &offset_fetch_req_topic_msg, 0 },
	{ "Groups", KT_ARRAY, 0, 8, KV_MAX, -1, -1, offsetof(struct offset_fetch_request, groups), &offset_fetch_req_group_msg, 0 },
	{ "RequireStable", KT_BOOL, 0, 7, KV_MAX, -1, -1, offsetof(struct offset_fetch_request, require_stable), NULL, 0 },
};
const struct kmsg offset_fetch_request_msg = { "offset_fetch_request", sizeof(struct offset_fetch_request), 4, offset_fetch_request_fields };

static const struct kfield offset_fetch_resp_partition_fields[] = {
	{ "PartitionIndex", KT_INT32, 0, 0, 7, -1, -1, offsetof(struct offset_fetch_resp_partition, partition_index), NULL, 0 },
	{ "CommittedOffset", KT_INT64, 0, 0, 7, -1, -1, offsetof(struct offset_fetch_resp_partition, committed_offset), NULL, 0 },
	{ "CommittedLeaderEpoch", KT_INT32, 0, 5, 7, -1, -1, offsetof(struct offset_fetch_resp_partition, committed_leader_epoch), NULL, -1 },
	{ "Metadata", KT_STRING, 0, 0, 7, 0, -1, offsetof(struct offset_fetch_resp_partition, metadata), NULL, 0 },
	{ "ErrorCode", KT_INT16, 0, 0, 7, -1, -1, offsetof(struct offset_fetch_resp_partition, error_code), NULL, 0 },
};
static const struct kmsg offset_fetch_resp_partition_msg = { "offset_fetch_resp_partition", sizeof(struct offset_fetch_resp_partition), 5, offset_fetch_resp_partition_fields };

static const struct kfield offset_fetch_resp_topic_fields[] = {
	{ "Name", KT_STRING, 0, 0, 7, -1, -1, offsetof(struct offset_fetch_resp_topic, name), NULL, 0 },
	{ "Partitions", KT_ARRAY, 0, 0, 7, -1, -1, offsetof(struct offset_fetch_resp_topic, partitions), &offset_fetch_resp_partition_msg, 0 },
};
static const struct kmsg offset_fetch_resp_topic_msg = { "offset_fetch_resp_topic", sizeof(struct offset_fetch_resp_topic), 2, offset_fetch_resp_topic_fields };

static const struct kfield offset_fetch_resp_group_partition_fields[] = {
	{ "PartitionIndex", KT_INT32, 0, 8, KV_MAX, -1, -1, offsetof(struct offset_fetch_resp_group_partition, partition_index), NULL, 0 },
	{ "CommittedOffset", KT_INT64, 0, 8, KV_MAX, -1, -1, offsetof(struct offset_fetch_resp_group_partition, committed_offset), NULL, 0 },
	{ "CommittedLeaderEpoch", KT_INT32, 0, 8, KV_MAX, -1, -1, offsetof(struct offset_fetch_resp_group_partition, committed_leader_epoch), NULL, -1 },
	{ "Metadata", KT_STRING, 0, 8, KV_MAX, 8, -1, offsetof(struct offset_fetch_resp_group_partition, metadata), NULL, 0 },
	{ "ErrorCode", KT_INT16, 0, 8, KV_MAX, -1, -1, offsetof(struct offset_fetch_resp_group_partition, error_code), NULL, 0 },
};
static const struct kmsg offset_fetch_resp_group_partition_msg = { "offset_fetch_resp_group_partition", sizeof(struct offset_fetch_resp_group_partition), 5, offset_fetch_resp_group_partition_fields };

static const struct kfield offset_fetch_resp_group_topic_fields[] = {
	{ "Name", KT_STRING, 0, 8, KV_MAX, -1, -1, offsetof(struct offset_fetch_resp_group_topic, name), NULL, 0 },
	{ "Partitions", KT_ARRAY, 0, 8, KV_MAX, -1, -1, offsetof(struct offset_fetch_resp_group_topic, partitions), &offset_fetch_resp_group_partition_msg, 0 },
};
static const struct kmsg offset_fetch_resp_group_topic_msg = { "offset_fetch_resp_group_topic", sizeof(struct offset_fetch_resp_group_topic), 2, offset_fetch_resp_group_topic_fields };

static const struct kfield offset_fetch_resp_group_fields[] = {
	{ "GroupId", KT_STRING, 0, 8, KV_MAX, -1, -1, offsetof(struct offset_fetch_resp_group, group_id), NULL, 0 },
	{ "Topics", KT_ARRAY, 0, 8, KV_MAX, -1, -1, offsetof(struct offset_fetch_resp_group, topics), &offset_fetch_resp_group_topic_msg, 0 },
	{ "ErrorCode", KT_INT16, 0, 8, KV_MAX, -1, -1, offsetof(struct offset_fetch_resp_group, error_code), NULL, 0 },
};
static const struct kmsg offset_fetch_resp_group_msg = { "offset_fetch_resp_group", sizeof(struct offset_fetch_resp_group), 3, offset_fetch_resp_group_fields };

static const struct kfield offset_fetch_response_fields[] = {
	{ "ThrottleTimeMs", KT_INT32, 0, 3, KV_MAX, -1, -1, offsetof(struct offset_fetch_response, throttle_time_ms), NULL, 0 },
	{ "Topics", KT_ARRAY, 0, 0, 7, -1, -1, offsetof(struct offset_fetch_response, topics), &offset_fetch_resp_topic_msg, 0 },
	{ "ErrorCode", KT_INT16, 0, 2, 7, -1, -1, offsetof(struct offset_fetch_response, error_code), NULL, 0 },
	{ "Groups", KT_ARRAY, 0, 8, KV_MAX, -1, -1, offsetof(struct offset_fetch_response, groups), &offset_fetch_resp_group_msg, 0 },
};
const struct kmsg offset_fetch_response_msg = { "offset_fetch_response", sizeof(struct offset_fetch_response), 4, offset_fetch_response_fields };
