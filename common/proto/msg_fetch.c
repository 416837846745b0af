/* Fetch (API key 1) request and response schemas, v0-17. Field facts
 * from Kafka 3.9 FetchRequest/Response.json; see messages.h. */
#include <stddef.h>
#include <stdint.h>

#include "common/proto/messages.h"

static const struct kfield fetch_req_partition_fields[] = {
	{ "Partition", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct fetch_req_partition, partition), NULL, 0 },
	{ "CurrentLeaderEpoch", KT_INT32, 0, 9, KV_MAX, -1, -1, offsetof(struct fetch_req_partition, current_leader_epoch), NULL, -1 },
	{ "FetchOffset", KT_INT64, 0, 0, KV_MAX, -1, -1, offsetof(struct fetch_req_partition, fetch_offset), NULL, 0 },
	{ "LastFetchedEpoch", KT_INT32, 0, 12, KV_MAX, -1, -1, offsetof(struct fetch_req_partition, last_fetched_epoch), NULL, -1 },
	{ "LogStartOffset", KT_INT64, 0, 5, KV_MAX, -1, -1, offsetof(struct fetch_req_partition, log_start_offset), NULL, -1 },
	{ "PartitionMaxBytes", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct fetch_req_partition, partition_max_bytes), NULL, 0 },
	{ "ReplicaDirectoryId", KT_UUID, 0, 17, KV_MAX, -1, 0, offsetof(struct fetch_req_partition, replica_directory_id), NULL, 0 },
};
static const struct kmsg fetch_req_partition_msg = { "fetch_req_partition", sizeof(struct fetch_req_partition), 7, fetch_req_partition_fields };

static const struct kfield fetch_req_topic_fields[] = {
	{ "Topic", KT_STRING, 0, 0, 12, -1, -1, offsetof(struct fetch_req_topic, topic), NULL, 0 },
	{ "TopicId", KT_UUID, 0, 13, KV_MAX, -1, -1, offsetof(struct fetch_req_topic, topic_id), NULL, 0 },
	{ "Partitions", KT_ARRAY, 0, 0, KV_MAX, -1, -1, offsetof(struct fetch_req_topic, partitions), &fetch_req_partition_msg, 0 },
};
static const struct kmsg fetch_req_topic_msg = { "fetch_req_topic", sizeof(struct fetch_req_topic), 3, fetch_req_topic_fields };

static const struct kfield fetch_req_forgotten_topic_fields[] = {
	{ "Topic", KT_STRING, 0, 7, 12, -1, -1, offsetof(struct fetch_req_forgotten_topic, topic), NULL, 0 },
	{ "TopicId", KT_UUID, 0, 13, KV_MAX, -1, -1, offsetof(struct fetch_req_forgotten_topic, topic_id), NULL, 0 },
	{ "Partitions", KT_ARRAY, KT_INT32, 7, KV_MAX, -1, -1, offsetof(struct fetch_req_forgotten_topic, partitions), NULL, 0 },
};
static const struct kmsg fetch_req_forgotten_topic_msg = { "fetch_req_forgotten_topic", sizeof(struct fetch_req_forgotten_topic), 3, fetch_req_forgotten_topic_fields };

static const struct kfield fetch_req_replica_state_fields[] = {
	{ "ReplicaId", KT_INT32, 0, 15, KV_MAX, -1, -1, offsetof(struct fetch_req_replica_state, replica_id), NULL, -1 },
	{ "ReplicaEpoch", KT_INT64, 0, 15, KV_MAX, -1, -1, offsetof(struct fetch_req_replica_state, replica_epoch), NULL, -1 },
};
static const struct kmsg fetch_req_replica_state_msg = { "fetch_req_replica_state", sizeof(struct fetch_req_replica_state), 2, fetch_req_replica_state_fields };

static const struct kfield fetch_request_fields[] = {
	{ "ClusterId", KT_STRING, 0, 12, KV_MAX, 12, 0, offsetof(struct fetch_request, cluster_id), NULL, 0 },
	{ "ReplicaId", KT_INT32, 0, 0, 14, -1, -1, offsetof(struct fetch_request, replica_id), NULL, -1 },
	{ "ReplicaState", KT_STRUCT, 0, 15, KV_MAX, -1, 1, offsetof(struct fetch_request, replica_state), &fetch_req_replica_state_msg, 0 },
	{ "MaxWaitMs", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct fetch_request, max_wait_ms), NULL, 0 },
	{ "MinBytes", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct fetch_request, min_bytes), NULL, 0 },
	{ "MaxBytes", KT_INT32, 0, 3, KV_MAX, -1, -1, offsetof(struct fetch_request, max_bytes), NULL, INT64_C(2147483647) },
	{ "IsolationLevel", KT_INT8, 0, 4, KV_MAX, -1, -1, offsetof(struct fetch_request, isolation_level), NULL, 0 },
	{ "SessionId", KT_INT32, 0, 7, KV_MAX, -1, -1, offsetof(struct fetch_request, session_id), NULL, 0 },
	{ "SessionEpoch", KT_INT32, 0, 7, KV_MAX, -1, -1, offsetof(struct fetch_request, session_epoch), NULL, -1 },
	{ "Topics", KT_ARRAY, 0, 0, KV_MAX, -1, -1, offsetof(struct fetch_request, topics), &fetch_req_topic_msg, 0 },
	{ "ForgottenTopicsData", KT_ARRAY, 0, 7, KV_MAX, -1, -1, offsetof(struct fetch_request, forgotten_topics_data), &fetch_req_forgotten_topic_msg, 0 },
	{ "RackId", KT_STRING, 0, 11, KV_MAX, -1, -1, offsetof(struct fetch_request, rack_id), NULL, 0 },
};
const struct kmsg fetch_request_msg = { "fetch_request", sizeof(struct fetch_request), 12, fetch_request_fields };

static const struct kfield fetch_resp_epoch_end_offset_fields[] = {
	{ "Epoch", KT_INT32, 0, 12, KV_MAX, -1, -1, offsetof(struct fetch_resp_epoch_end_offset, epoch), NULL, -1 },
	{ "EndOffset", KT_INT64, 0, 12, KV_MAX, -1, -1, offsetof(struct fetch_resp_epoch_end_offset, end_offset), NULL, -1 },
};
static const struct kmsg fetch_resp_epoch_end_offset_msg = { "fetch_resp_epoch_end_offset", sizeof(struct fetch_resp_epoch_end_offset), 2, fetch_resp_epoch_end_offset_fields };

static const struct kfield fetch_resp_leader_id_and_epoch_fields[] = {
	{ "LeaderId", KT_INT32, 0, 12, KV_MAX, -1, -1, offsetof(struct fetch_resp_leader_id_and_epoch, leader_id), NULL, -1 },
	{ "LeaderEpoch", KT_INT32, 0, 12, KV_MAX, -1, -1, offsetof(struct fetch_resp_leader_id_and_epoch, leader_epoch), NULL, -1 },
};
static const struct kmsg fetch_resp_leader_id_and_epoch_msg = { "fetch_resp_leader_id_and_epoch", sizeof(struct fetch_resp_leader_id_and_epoch), 2, fetch_resp_leader_id_and_epoch_fields };

static const struct kfield fetch_resp_snapshot_id_fields[] = {
	{ "EndOffset", KT_INT64, 0, 0, KV_MAX, -1, -1, offsetof(struct fetch_resp_snapshot_id, end_offset), NULL, -1 },
	{ "Epoch", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct fetch_resp_snapshot_id, epoch), NULL, -1 },
};
static const struct kmsg fetch_resp_snapshot_id_msg = { "fetch_resp_snapshot_id", sizeof(struct fetch_resp_snapshot_id), 2, fetch_resp_snapshot_id_fields };

static const struct kfield fetch_resp_aborted_transaction_fields[] = {
	{ "ProducerId", KT_INT64, 0, 4, KV_MAX, -1, -1, offsetof(struct fetch_resp_aborted_transaction, producer_id), NULL, 0 },
	{ "FirstOffset", KT_INT64, 0, 4, KV_MAX, -1, -1, offsetof(struct fetch_resp_aborted_transaction, first_offset), NULL, 0 },
};
static const struct kmsg fetch_resp_aborted_transaction_msg = { "fetch_resp_aborted_transaction", sizeof(struct fetch_resp_aborted_transaction), 2, fetch_resp_aborted_transaction_fields };

static const struct kfield fetch_resp_partition_fields[] = {
	{ "PartitionIndex", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct fetch_resp_partition, partition_index), NULL, 0 },
	{ "ErrorCode", KT_INT16, 0, 0, KV_MAX, -1, -1, offsetof(struct fetch_resp_partition, error_code), NULL, 0 },
	{ "HighWatermark", KT_INT64, 0, 0, KV_MAX, -1, -1, offsetof(struct fetch_resp_partition, high_watermark), NULL, 0 },
	{ "LastStableOffset", KT_INT64, 0, 4, KV_MAX, -1, -1, offsetof(struct fetch_resp_partition, last_stable_offset), NULL, -1 },
	{ "LogStartOffset", KT_INT64, 0, 5, KV_MAX, -1, -1, offsetof(struct fetch_resp_partition, log_start_offset), NULL, -1 },
	{ "DivergingEpoch", KT_STRUCT, 0, 12, KV_MAX, -1, 0, offsetof(struct fetch_resp_partition, diverging_epoch), &fetch_resp_epoch_end_offset_msg, 0 },
	{ "CurrentLeader", KT_STRUCT, 0, 12, KV_MAX, -1, 1, offsetof(struct fetch_resp_partition, current_leader), &fetch_resp_leader_id_and_epoch_msg, 0 },
	{ "SnapshotId", KT_STRUCT, 0, 12, KV_MAX, -1, 2, offsetof(struct fetch_resp_partition, snapshot_id), &fetch_resp_snapshot_id_msg, 0 },
	{ "AbortedTransactions", KT_ARRAY, 0, 4, KV_MAX, 4, -1, offsetof(struct fetch_resp_partition, aborted_transactions), &fetch_resp_aborted_transaction_msg, 0 },
	{ "PreferredReadReplica", KT_INT32, 0, 11, KV_MAX, -1, -1, offsetof(struct fetch_resp_partition, preferred_read_replica), NULL, -1 },
	{ "Records", KT_RECORDS, 0, 0, KV_MAX, 0, -1, offsetof(struct fetch_resp_partition, records), NULL, 0 },
};
static const struct kmsg fetch_resp_partition_msg = { "fetch_resp_partition", sizeof(struct fetch_resp_partition), 11, fetch_resp_partition_fields };

static const struct kfield fetch_resp_topic_fields[] = {
	{ "Topic", KT_STRING, 0, 0, 12, -1, -1, offsetof(struct fetch_resp_topic, topic), NULL, 0 },
	{ "TopicId", KT_UUID, 0, 13, KV_MAX, -1, -1, offsetof(struct fetch_resp_topic, topic_id), NULL, 0 },
	{ "Partitions", KT_ARRAY, 0, 0, KV_MAX, -1, -1, offsetof(struct fetch_resp_topic, partitions), &fetch_resp_partition_msg, 0 },
};
static const struct kmsg fetch_resp_topic_msg = { "fetch_resp_topic", sizeof(struct fetch_resp_topic), 3, fetch_resp_topic_fields };

static const struct kfield fetch_resp_node_endpoint_fields[] = {
	{ "NodeId", KT_INT32, 0, 16, KV_MAX, -1, -1, offsetof(struct fetch_resp_node_endpoint, node_id), NULL, 0 },
	{ "Host", KT_STRING, 0, 16, KV_MAX, -1, -1, offsetof(struct fetch_resp_node_endpoint, host), NULL, 0 },
	{ "Port", KT_INT32, 0, 16, KV_MAX, -1, -1, offsetof(struct fetch_resp_node_endpoint, port), NULL, 0 },
	{ "Rack", KT_STRING, 0, 16, KV_MAX, 16, -1, offsetof(struct fetch_resp_node_endpoint, rack), NULL, 0 },
};
static const struct kmsg fetch_resp_node_endpoint_msg = { "fetch_resp_node_endpoint", sizeof(struct fetch_resp_node_endpoint), 4, fetch_resp_node_endpoint_fields };

static const struct kfield fetch_response_fields[] = {
	{ "ThrottleTimeMs", KT_INT32, 0, 1, KV_MAX, -1, -1, offsetof(struct fetch_response, throttle_time_ms), NULL, 0 },
	{ "ErrorCode", KT_INT16, 0, 7, KV_MAX, -1, -1, offsetof(struct fetch_response, error_code), NULL, 0 },
	{ "SessionId", KT_INT32, 0, 7, KV_MAX, -1, -1, offsetof(struct fetch_response, session_id), NULL, 0 },
	{ "Responses", KT_ARRAY, 0, 0, KV_MAX, -1, -1, offsetof(struct fetch_response, responses), &fetch_resp_topic_msg, 0 },
	{ "NodeEndpoints", KT_ARRAY, 0, 16, KV_MAX, -1, 0, offsetof(struct fetch_response, node_endpoints), &fetch_resp_node_endpoint_msg, 0 },
};
const struct kmsg fetch_response_msg = { "fetch_response", sizeof(struct fetch_response), 5, fetch_response_fields };
