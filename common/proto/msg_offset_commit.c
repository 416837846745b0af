/* OffsetCommit (API key 8) request and response schemas, v0-8. Field facts
 * from Kafka 3.8 OffsetCommitRequest/Response.json; see messages.h. */
#include <stddef.h>
#include <stdint.h>

#include "common/proto/messages.h"

static const struct kfield offset_commit_req_partition_fields[] = {
	{ "PartitionIndex", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct offset_commit_req_partition, partition_index), NULL, 0 },
	{ "CommittedOffset", KT_INT64, 0, 0, KV_MAX, -1, -1, offsetof(struct offset_commit_req_partition, committed_offset), NULL, 0 },
	{ "CommittedLeaderEpoch", KT_INT32, 0, 6, KV_MAX, -1, -1, offsetof(struct offset_commit_req_partition, committed_leader_epoch), NULL, -1 },
	{ "CommitTimestamp", KT_INT64, 0, 1, 1, -1, -1, offsetof(struct offset_commit_req_partition, commit_timestamp), NULL, -1 },
	{ "CommittedMetadata", KT_STRING, 0, 0, KV_MAX, 0, -1, offsetof(struct offset_commit_req_partition, committed_metadata), NULL, 0 },
};
static const struct kmsg offset_commit_req_partition_msg = { "offset_commit_req_partition", sizeof(struct offset_commit_req_partition), 5, offset_commit_req_partition_fields };

static const struct kfield offset_commit_req_topic_fields[] = {
	{ "Name", KT_STRING, 0, 0, KV_MAX, -1, -1, offsetof(struct offset_commit_req_topic, name), NULL, 0 },
	{ "Partitions", KT_ARRAY, 0, 0, KV_MAX, -1, -1, offsetof(struct offset_commit_req_topic, partitions), &offset_commit_req_partition_msg, 0 },
};
static const struct kmsg offset_commit_req_topic_msg = { "offset_commit_req_topic", sizeof(struct offset_commit_req_topic), 2, offset_commit_req_topic_fields };

static const struct kfield offset_commit_request_fields[] = {
	{ "GroupId", KT_STRING, 0, 0, KV_MAX, -1, -1, offsetof(struct offset_commit_request, group_id), NULL, 0 },
	{ "GenerationIdOrMemberEpoch", KT_INT32, 0, 1, KV_MAX, -1, -1, offsetof(struct offset_commit_request, generation_id_or_member_epoch), NULL, -1 },
	{ "MemberId", KT_STRING, 0, 1, KV_MAX, -1, -1, offsetof(struct offset_commit_request, member_id), NULL, 0 },
	{ "GroupInstanceId", KT_STRING, 0, 7, KV_MAX, 7, -1, offsetof(struct offset_commit_request, group_instance_id), NULL, 0 },
	{ "RetentionTimeMs", KT_INT64, 0, 2, 4, -1, -1, offsetof(struct offset_commit_request, retention_time_ms), NULL, -1 },
	{ "Topics", KT_ARRAY, 0, 0, KV_MAX, -1, -1, offsetof(struct offset_commit_request, topics), &offset_commit_req_topic_msg, 0 },
};
const struct kmsg offset_commit_request_msg = { "offset_commit_request", sizeof(struct offset_commit_request), 6, offset_commit_request_fields };

static const struct kfield offset_commit_resp_partition_fields[] = {
	{ "PartitionIndex", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct offset_commit_resp_partition, partition_index), NULL, 0 },
	{ "ErrorCode", KT_INT16, 0, 0, KV_MAX, -1, -1, offsetof(struct offset_commit_resp_partition, error_code), NULL, 0 },
};
static const struct kmsg offset_commit_resp_partition_msg = { "offset_commit_resp_partition", sizeof(struct offset_commit_resp_partition), 2, offset_commit_resp_partition_fields };

static const struct kfield offset_commit_resp_topic_fields[] = {
	{ "Name", KT_STRING, 0, 0, KV_MAX, -1, -1, offsetof(struct offset_commit_resp_topic, name), NULL, 0 },
	{ "Partitions", KT_ARRAY, 0, 0, KV_MAX, -1, -1, offsetof(struct offset_commit_resp_topic, partitions), &offset_commit_resp_partition_msg, 0 },
};
static const struct kmsg offset_commit_resp_topic_msg = { "offset_commit_resp_topic", sizeof(struct offset_commit_resp_topic), 2, offset_commit_resp_topic_fields };

static const struct kfield offset_commit_response_fields[] = {
	{ "ThrottleTimeMs", KT_INT32, 0, 3, KV_MAX, -1, -1, offsetof(struct offset_commit_response, throttle_time_ms), NULL, 0 },
	{ "Topics", KT_ARRAY, 0, 0, KV_MAX, -1, -1, offsetof(struct offset_commit_response, topics), &offset_commit_resp_topic_msg, 0 },
};
const struct kmsg offset_commit_response_msg = { "offset_commit_response", sizeof(struct offset_commit_response), 2, offset_commit_response_fields };
