/* TxnOffsetCommit (API key 28) request and response schemas, v0-3. Field facts
 * from Kafka 3.8 TxnOffsetCommitRequest/Response.json; see messages.h. */
#include <stddef.h>
#include <stdint.h>

#include "common/proto/messages.h"

static const struct kfield txn_offset_commit_req_partition_fields[] = {
	{ "PartitionIndex", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct txn_offset_commit_req_partition, partition_index), NULL, 0 },
	{ "CommittedOffset", KT_INT64, 0, 0, KV_MAX, -1, -1, offsetof(struct txn_offset_commit_req_partition, committed_offset), NULL, 0 },
	{ "CommittedLeaderEpoch", KT_INT32, 0, 2, KV_MAX, -1, -1, offsetof(struct txn_offset_commit_req_partition, committed_leader_epoch), NULL, -1 },
	{ "CommittedMetadata", KT_STRING, 0, 0, KV_MAX, 0, -1, offsetof(struct txn_offset_commit_req_partition, committed_metadata), NULL, 0 },
};
static const struct kmsg txn_offset_commit_req_partition_msg = { "txn_offset_commit_req_partition", sizeof(struct txn_offset_commit_req_partition), 4, txn_offset_commit_req_partition_fields };

static const struct kfield txn_offset_commit_req_topic_fields[] = {
	{ "Name", KT_STRING, 0, 0, KV_MAX, -1, -1, offsetof(struct txn_offset_commit_req_topic, name), NULL, 0 },
	{ "Partitions", KT_ARRAY, 0, 0, KV_MAX, -1, -1, offsetof(struct txn_offset_commit_req_topic, partitions), &txn_offset_commit_req_partition_msg, 0 },
};
static const struct kmsg txn_offset_commit_req_topic_msg = { "txn_offset_commit_req_topic", sizeof(struct txn_offset_commit_req_topic), 2, txn_offset_commit_req_topic_fields };

static const struct kfield txn_offset_commit_request_fields[] = {
	{ "TransactionalId", KT_STRING, 0, 0, KV_MAX, -1, -1, offsetof(struct txn_offset_commit_request, transactional_id), NULL, 0 },
	{ "GroupId", KT_STRING, 0, 0, KV_MAX, -1, -1, offsetof(struct txn_offset_commit_request, group_id), NULL, 0 },
	{ "ProducerId", KT_INT64, 0, 0, KV_MAX, -1, -1, offsetof(struct txn_offset_commit_request, producer_id), NULL, 0 },
	{ "ProducerEpoch", KT_INT16, 0, 0, KV_MAX, -1, -1, offsetof(struct txn_offset_commit_request, producer_epoch), NULL, 0 },
	{ "GenerationId", KT_INT32, 0, 3, KV_MAX, -1, -1, offsetof(struct txn_offset_commit_request, generation_id), NULL, -1 },
	{ "MemberId", KT_STRING, 0, 3, KV_MAX, -1, -1, offsetof(struct txn_offset_commit_request, member_id), NULL, 0 },
	{ "GroupInstanceId", KT_STRING, 0, 3, KV_MAX, 3, -1, offsetof(struct txn_offset_commit_request, group_instance_id), NULL, 0 },
	{ "Topics", KT_ARRAY, 0, 0, KV_MAX, -1, -1, offsetof(struct txn_offset_commit_request, topics), &txn_offset_commit_req_topic_msg, 0 },
};
const struct kmsg txn_offset_commit_request_msg = { "txn_offset_commit_request", sizeof(struct txn_offset_commit_request), 8, txn_offset_commit_request_fields };

static const struct kfield txn_offset_commit_resp_partition_fields[] = {
	{ "PartitionIndex", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct txn_offset_commit_resp_partition, partition_index), NULL, 0 },
	{ "ErrorCode", KT_INT16, 0, 0, KV_MAX, -1, -1, offsetof(struct txn_offset_commit_resp_partition, error_code), NULL, 0 },
};
static const struct kmsg txn_offset_commit_resp_partition_msg = { "txn_offset_commit_resp_partition", sizeof(struct txn_offset_commit_resp_partition), 2, txn_offset_commit_resp_partition_fields };

static const struct kfield txn_offset_commit_resp_topic_fields[] = {
	{ "Name", KT_STRING, 0, 0, KV_MAX, -1, -1, offsetof(struct txn_offset_commit_resp_topic, name), NULL, 0 },
	{ "Partitions", KT_ARRAY, 0, 0, KV_MAX, -1, -1, offsetof(struct txn_offset_commit_resp_topic, partitions), &txn_offset_commit_resp_partition_msg, 0 },
};
static const struct kmsg txn_offset_commit_resp_topic_msg = { "txn_offset_commit_resp_topic", sizeof(struct txn_offset_commit_resp_topic), 2, txn_offset_commit_resp_topic_fields };

static const struct kfield txn_offset_commit_response_fields[] = {
	{ "ThrottleTimeMs", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct txn_offset_commit_response, throttle_time_ms), NULL, 0 },
	{ "Topics", KT_ARRAY, 0, 0, KV_MAX, -1, -1, offsetof(struct txn_offset_commit_response, topics), &txn_offset_commit_resp_topic_msg, 0 },
};
const struct kmsg txn_offset_commit_response_msg = { "txn_offset_commit_response", sizeof(struct txn_offset_commit_response), 2, txn_offset_commit_response_fields };
