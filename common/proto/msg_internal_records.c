/* Schemas of Kafka's internal records in __consumer_offsets (offset commit
 * and group metadata keys/values) and __transaction_state (transaction log
 * key/value). Field facts from Kafka 3.8 OffsetCommitKey/Value.json,
 * GroupMetadataKey/Value.json and TransactionLogKey/Value.json; the field
 * names keep Kafka's spelling. Non-flexible versions only; see messages.h. */
#include <stddef.h>
#include <stdint.h>

#include "common/proto/messages.h"

static const struct kfield offset_commit_key_fields[] = {
	{ "group", KT_STRING, 0, 0, 1, -1, -1, offsetof(struct offset_commit_key, group), NULL, 0 },
	{ "topic", KT_STRING, 0, 0, 1, -1, -1, offsetof(struct offset_commit_key, topic), NULL, 0 },
	{ "partition", KT_INT32, 0, 0, 1, -1, -1, offsetof(struct offset_commit_key, partition), NULL, 0 },
};
const struct kmsg offset_commit_key_msg = { "offset_commit_key", sizeof(struct offset_commit_key), 3, offset_commit_key_fields };

static const struct kfield offset_commit_value_fields[] = {
	{ "offset", KT_INT64, 0, 0, KV_MAX, -1, -1, offsetof(struct offset_commit_value, offset), NULL, 0 },
	{ "leaderEpoch", KT_INT32, 0, 3, KV_MAX, -1, -1, offsetof(struct offset_commit_value, leader_epoch), NULL, -1 },
	{ "metadata", KT_STRING, 0, 0, KV_MAX, -1, -1, offsetof(struct offset_commit_value, metadata), NULL, 0 },
	{ "commitTimestamp", KT_INT64, 0, 0, KV_MAX, -1, -1, offsetof(struct offset_commit_value, commit_timestamp), NULL, 0 },
	{ "expireTimestamp", KT_INT64, 0, 1, 1, -1, -1, offsetof(struct offset_commit_value, expire_timestamp), NULL, -1 },
};
const struct kmsg offset_commit_value_msg = { "offset_commit_value", sizeof(struct offset_commit_value), 5, offset_commit_value_fields };

static const struct kfield group_metadata_key_fields[] = {
	{ "group", KT_STRING, 0, 2, 2, -1, -1, offsetof(struct group_metadata_key, group), NULL, 0 },
};
const struct kmsg group_metadata_key_msg = { "group_metadata_key", sizeof(struct group_metadata_key), 1, group_metadata_key_fields };

static const struct kfield group_metadata_member_fields[] = {
	{ "memberId", KT_STRING, 0, 0, KV_MAX, -1, -1, offsetof(struct group_metadata_member, member_id), NULL, 0 },
	{ "groupInstanceId", KT_STRING, 0, 3, KV_MAX, 3, -1, offsetof(struct group_metadata_member, group_instance_id), NULL, 0 },
	{ "clientId", KT_STRING, 0, 0, KV_MAX, -1, -1, offsetof(struct group_metadata_member, client_id), NULL, 0 },
	{ "clientHost", KT_STRING, 0, 0, KV_MAX, -1, -1, offsetof(struct group_metadata_member, client_host), NULL, 0 },
	{ "rebalanceTimeout", KT_INT32, 0, 1, KV_MAX, -1, -1, offsetof(struct group_metadata_member, rebalance_timeout), NULL, -1 },
	{ "sessionTimeout", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct group_metadata_member, session_timeout), NULL, 0 },
	{ "subscription", KT_BYTES, 0, 0, KV_MAX, -1, -1, offsetof(struct group_metadata_member, subscription), NULL, 0 },
	{ "assignment", KT_BYTES, 0, 0, KV_MAX, -1, -1, offsetof(struct group_metadata_member, assignment), NULL, 0 },
};
static const struct kmsg group_metadata_member_msg = { "group_metadata_member", sizeof(struct group_metadata_member), 8, group_metadata_member_fields };

static const struct kfield group_metadata_value_fields[] = {
	{ "protocolType", KT_STRING, 0, 0, KV_MAX, -1, -1, offsetof(struct group_metadata_value, protocol_type), NULL, 0 },
	{ "generation", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct group_metadata_value, generation), NULL, 0 },
	{ "protocol", KT_STRING, 0, 0, KV_MAX, 0, -1, offsetof(struct group_metadata_value, protocol), NULL, 0 },
	{ "leader", KT_STRING, 0, 0, KV_MAX, 0, -1, offsetof(struct group_metadata_value, leader), NULL, 0 },
	{ "currentStateTimestamp", KT_INT64, 0, 2, KV_MAX, -1, -1, offsetof(struct group_metadata_value, current_state_timestamp), NULL, -1 },
	{ "members", KT_ARRAY, 0, 0, KV_MAX, -1, -1, offsetof(struct group_metadata_value, members), &group_metadata_member_msg, 0 },
};
const struct kmsg group_metadata_value_msg = { "group_metadata_value", sizeof(struct group_metadata_value), 6, group_metadata_value_fields };

static const struct kfield transaction_log_key_fields[] = {
	{ "TransactionalId", KT_STRING, 0, 0, 0, -1, -1, offsetof(struct transaction_log_key, transactional_id), NULL, 0 },
};
const struct kmsg transaction_log_key_msg = { "transaction_log_key", sizeof(struct transaction_log_key), 1, transaction_log_key_fields };

static const struct kfield transaction_log_partitions_fields[] = {
	{ "Topic", KT_STRING, 0, 0, KV_MAX, -1, -1, offsetof(struct transaction_log_partitions, topic), NULL, 0 },
	{ "PartitionIds", KT_ARRAY, KT_INT32, 0, KV_MAX, -1, -1, offsetof(struct transaction_log_partitions, partition_ids), NULL, 0 },
};
static const struct kmsg transaction_log_partitions_msg = { "transaction_log_partitions", sizeof(struct transaction_log_partitions), 2, transaction_log_partitions_fields };

static const struct kfield transaction_log_value_fields[] = {
	{ "ProducerId", KT_INT64, 0, 0, KV_MAX, -1, -1, offsetof(struct transaction_log_value, producer_id), NULL, 0 },
	{ "ProducerEpoch", KT_INT16, 0, 0, KV_MAX, -1, -1, offsetof(struct transaction_log_value, producer_epoch), NULL, 0 },
	{ "TransactionTimeoutMs", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct transaction_log_value, transaction_timeout_ms), NULL, 0 },
	{ "TransactionStatus", KT_INT8, 0, 0, KV_MAX, -1, -1, offsetof(struct transaction_log_value, transaction_status), NULL, 0 },
	{ "TransactionPartitions", KT_ARRAY, 0, 0, KV_MAX, 0, -1, offsetof(struct transaction_log_value, transaction_partitions), &transaction_log_partitions_msg, 0 },
	{ "TransactionLastUpdateTimestampMs", KT_INT64, 0, 0, KV_MAX, -1, -1, offsetof(struct transaction_log_value, transaction_last_update_timestamp_ms), NULL, 0 },
	{ "TransactionStartTimestampMs", KT_INT64, 0, 0, KV_MAX, -1, -1, offsetof(struct transaction_log_value, transaction_start_timestamp_ms), NULL, 0 },
};
const struct kmsg transaction_log_value_msg = { "transaction_log_value", sizeof(struct transaction_log_value), 7, transaction_log_value_fields };
