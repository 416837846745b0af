/* DescribeTransactions (API key 65) request and response schemas, v0. Field facts
 * from Kafka 3.8 DescribeTransactionsRequest/Response.json; see messages.h. */
#include <stddef.h>
#include <stdint.h>

#include "common/proto/messages.h"

static const struct kfield describe_transactions_request_fields[] = {
	{ "TransactionalIds", KT_ARRAY, KT_STRING, 0, KV_MAX, -1, -1, offsetof(struct describe_transactions_request, transactional_ids), NULL, 0 },
};
const struct kmsg describe_transactions_request_msg = { "describe_transactions_request", sizeof(struct describe_transactions_request), 1, describe_transactions_request_fields };

static const struct kfield describe_transactions_resp_topic_fields[] = {
	{ "Topic", KT_STRING, 0, 0, KV_MAX, -1, -1, offsetof(struct describe_transactions_resp_topic, topic), NULL, 0 },
	{ "Partitions", KT_ARRAY, KT_INT32, 0, KV_MAX, -1, -1, offsetof(struct describe_transactions_resp_topic, partitions), NULL, 0 },
};
static const struct kmsg describe_transactions_resp_topic_msg = { "describe_transactions_resp_topic", sizeof(struct describe_transactions_resp_topic), 2, describe_transactions_resp_topic_fields };

static const struct kfield describe_transactions_resp_state_fields[] = {
	{ "ErrorCode", KT_INT16, 0, 0, KV_MAX, -1, -1, offsetof(struct describe_transactions_resp_state, error_code), NULL, 0 },
	{ "TransactionalId", KT_STRING, 0, 0, KV_MAX, -1, -1, offsetof(struct describe_transactions_resp_state, transactional_id), NULL, 0 },
	{ "TransactionState", KT_STRING, 0, 0, KV_MAX, -1, -1, offsetof(struct describe_transactions_resp_state, transaction_state), NULL, 0 },
	{ "TransactionTimeoutMs", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct describe_transactions_resp_state, transaction_timeout_ms), NULL, 0 },
	{ "TransactionStartTimeMs", KT_INT64, 0, 0, KV_MAX, -1, -1, offsetof(struct describe_transactions_resp_state, transaction_start_time_ms), NULL, 0 },
	{ "ProducerId", KT_INT64, 0, 0, KV_MAX, -1, -1, offsetof(struct describe_transactions_resp_state, producer_id), NULL, 0 },
	{ "ProducerEpoch", KT_INT16, 0, 0, KV_MAX, -1, -1, offsetof(struct describe_transactions_resp_state, producer_epoch), NULL, 0 },
	{ "Topics", KT_ARRAY, 0, 0, KV_MAX, -1, -1, offsetof(struct describe_transactions_resp_state, topics), &describe_transactions_resp_topic_msg, 0 },
};
static const struct kmsg describe_transactions_resp_state_msg = { "describe_transactions_resp_state", sizeof(struct describe_transactions_resp_state), 8, describe_transactions_resp_state_fields };

static const struct kfield describe_transactions_response_fields[] = {
	{ "ThrottleTimeMs", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct describe_transactions_response, throttle_time_ms), NULL, 0 },
	{ "TransactionStates", KT_ARRAY, 0, 0, KV_MAX, -1, -1, offsetof(struct describe_transactions_response, transaction_states), &describe_transactions_resp_state_msg, 0 },
};
const struct kmsg describe_transactions_response_msg = { "describe_transactions_response", sizeof(struct describe_transactions_response), 2, describe_transactions_response_fields };
