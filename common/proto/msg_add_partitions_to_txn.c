/* AddPartitionsToTxn (API key 24) request and response schemas, v0-4. Field facts
 * from Kafka 3.8 AddPartitionsToTxnRequest/Response.json; see messages.h.
 * v0-3 are the clients' (one transaction), v4 the brokers' (several
 * transactions, VerifyOnly for produce-time verification). */
#include <stddef.h>
#include <stdint.h>

#include "common/proto/messages.h"

static const struct kfield add_partitions_to_txn_req_topic_fields[] = {
	{ "Name", KT_STRING, 0, 0, KV_MAX, -1, -1, offsetof(struct add_partitions_to_txn_req_topic, name), NULL, 0 },
	{ "Partitions", KT_ARRAY, KT_INT32, 0, KV_MAX, -1, -1, offsetof(struct add_partitions_to_txn_req_topic, partitions), NULL, 0 },
};
static const struct kmsg add_partitions_to_txn_req_topic_msg = { "add_partitions_to_txn_req_topic", sizeof(struct add_partitions_to_txn_req_topic), 2, add_partitions_to_txn_req_topic_fields };

static const struct kfield add_partitions_to_txn_transaction_fields[] = {
	{ "TransactionalId", KT_STRING, 0, 4, KV_MAX, -1, -1, offsetof(struct add_partitions_to_txn_transaction, transactional_id), NULL, 0 },
	{ "ProducerId", KT_INT64, 0, 4, KV_MAX, -1, -1, offsetof(struct add_partitions_to_txn_transaction, producer_id), NULL, 0 },
	{ "ProducerEpoch", KT_INT16, 0, 4, KV_MAX, -1, -1, offsetof(struct add_partitions_to_txn_transaction, producer_epoch), NULL, 0 },
	{ "VerifyOnly", KT_BOOL, 0, 4, KV_MAX, -1, -1, offsetof(struct add_partitions_to_txn_transaction, verify_only), NULL, 0 },
	{ "Topics", KT_ARRAY, 0, 4, KV_MAX, -1, -1, offsetof(struct add_partitions_to_txn_transaction, topics), &add_partitions_to_txn_req_topic_msg, 0 },
};
static const struct kmsg add_partitions_to_txn_transaction_msg = { "add_partitions_to_txn_transaction", sizeof(struct add_partitions_to_txn_transaction), 5, add_partitions_to_txn_transaction_fields };

static const struct kfield add_partitions_to_txn_request_fields[] = {
	{ "Transactions", KT_ARRAY, 0, 4, KV_MAX, -1, -1, offsetof(struct add_partitions_to_txn_request, transactions), &add_partitions_to_txn_transaction_msg, 0 },
	{ "V3AndBelowTransactionalId", KT_STRING, 0, 0, 3, -1, -1, offsetof(struct add_partitions_to_txn_request, v3_and_below_transactional_id), NULL, 0 },
	{ "V3AndBelowProducerId", KT_INT64, 0, 0, 3, -1, -1, offsetof(struct add_partitions_to_txn_request, v3_and_below_producer_id), NULL, 0 },
	{ "V3AndBelowProducerEpoch", KT_INT16, 0, 0, 3, -1, -1, offsetof(struct add_partitions_to_txn_request, v3_and_below_producer_epoch), NULL, 0 },
	{ "V3AndBelowTopics", KT_ARRAY, 0, 0, 3, -1, -1, offsetof(struct add_partitions_to_txn_request, v3_and_below_topics), &add_partitions_to_txn_req_topic_msg, 0 },
};
const struct kmsg add_partitions_to_txn_request_msg = { "add_partitions_to_txn_request", sizeof(struct add_partitions_to_txn_request), 5, add_partitions_to_txn_request_fields };

static const struct kfield add_partitions_to_txn_resp_partition_result_fields[] = {
	{ "PartitionIndex", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct add_partitions_to_txn_resp_partition_result, partition_index), NULL, 0 },
	{ "PartitionErrorCode", KT_INT16, 0, 0, KV_MAX, -1, -1, offsetof(struct add_partitions_to_txn_resp_partition_result, partition_error_code), NULL, 0 },
};
static const struct kmsg add_partitions_to_txn_resp_partition_result_msg = { "add_partitions_to_txn_resp_partition_result", sizeof(struct add_partitions_to_txn_resp_partition_result), 2, add_partitions_to_txn_resp_partition_result_fields };

static const struct kfield add_partitions_to_txn_resp_topic_result_fields[] = {
	{ "Name", KT_STRING, 0, 0, KV_MAX, -1, -1, offsetof(struct add_partitions_to_txn_resp_topic_result, name), NULL, 0 },
	{ "ResultsByPartition", KT_ARRAY, 0, 0, KV_MAX, -1, -1, offsetof(struct add_partitions_to_txn_resp_topic_result, results_by_partition), &add_partitions_to_txn_resp_partition_result_msg, 0 },
};
static const struct kmsg add_partitions_to_txn_resp_topic_result_msg = { "add_partitions_to_txn_resp_topic_result", sizeof(struct add_partitions_to_txn_resp_topic_result), 2, add_partitions_to_txn_resp_topic_result_fields };

static const struct kfield add_partitions_to_txn_resp_txn_result_fields[] = {
	{ "TransactionalId", KT_STRING, 0, 4, KV_MAX, -1, -1, offsetof(struct add_partitions_to_txn_resp_txn_result, transactional_id), NULL, 0 },
	{ "TopicResults", KT_ARRAY, 0, 4, KV_MAX, -1, -1, offsetof(struct add_partitions_to_txn_resp_txn_result, topic_results), &add_partitions_to_txn_resp_topic_result_msg, 0 },
};
static const struct kmsg add_partitions_to_txn_resp_txn_result_msg = { "add_partitions_to_txn_resp_txn_result", sizeof(struct add_partitions_to_txn_resp_txn_result), 2, add_partitions_to_txn_resp_txn_result_fields };

static const struct kfield add_partitions_to_txn_response_fields[] = {
	{ "ThrottleTimeMs", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct add_partitions_to_txn_response, throttle_time_ms), NULL, 0 },
	{ "ErrorCode", KT_INT16, 0, 4, KV_MAX, -1, -1, offsetof(struct add_partitions_to_txn_response, error_code), NULL, 0 },
	{ "ResultsByTransaction", KT_ARRAY, 0, 4, KV_MAX, -1, -1, offsetof(struct add_partitions_to_txn_response, results_by_transaction), &add_partitions_to_txn_resp_txn_result_msg, 0 },
	{ "ResultsByTopicV3AndBelow", KT_ARRAY, 0, 0, 3, -1, -1, offsetof(struct add_partitions_to_txn_response, results_by_topic_v3_and_below), &add_partitions_to_txn_resp_topic_result_msg, 0 },
};
const struct kmsg add_partitions_to_txn_response_msg = { "add_partitions_to_txn_response", sizeof(struct add_partitions_to_txn_response), 4, add_partitions_to_txn_response_fields };
