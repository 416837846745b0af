/* ListTransactions (API key 66) request and response schemas, v0. Field facts
 * from Kafka 3.8 ListTransactionsRequest/Response.json; see messages.h. */
#include <stddef.h>
#include <stdint.h>

#include "common/proto/messages.h"

static const struct kfield list_transactions_request_fields[] = {
	{ "StateFilters", KT_ARRAY, KT_STRING, 0, KV_MAX, -1, -1, offsetof(struct list_transactions_request, state_filters), NULL, 0 },
	{ "ProducerIdFilters", KT_ARRAY, KT_INT64, 0, KV_MAX, -1, -1, offsetof(struct list_transactions_request, producer_id_filters), NULL, 0 },
	{ "DurationFilter", KT_INT64, 0, 1, KV_MAX, -1, -1, offsetof(struct list_transactions_request, duration_filter), NULL, -1 },
};
const struct kmsg list_transactions_request_msg = { "list_transactions_request", sizeof(struct list_transactions_request), 3, list_transactions_request_fields };

static const struct kfield list_transactions_resp_state_fields[] = {
	{ "TransactionalId", KT_STRING, 0, 0, KV_MAX, -1, -1, offsetof(struct list_transactions_resp_state, transactional_id), NULL, 0 },
	{ "ProducerId", KT_INT64, 0, 0, KV_MAX, -1, -1, offsetof(struct list_transactions_resp_state, producer_id), NULL, 0 },
	{ "TransactionState", KT_STRING, 0, 0, KV_MAX, -1, -1, offsetof(struct list_transactions_resp_state, transaction_state), NULL, 0 },
};
static const struct kmsg list_transactions_resp_state_msg = { "list_transactions_resp_state", sizeof(struct list_transactions_resp_state), 3, list_transactions_resp_state_fields };

static const struct kfield list_transactions_response_fields[] = {
	{ "ThrottleTimeMs", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct list_transactions_response, throttle_time_ms), NULL, 0 },
	{ "ErrorCode", KT_INT16, 0, 0, KV_MAX, -1, -1, offsetof(struct list_transactions_response, error_code), NULL, 0 },
	{ "UnknownStateFilters", KT_ARRAY, KT_STRING, 0, KV_MAX, -1, -1, offsetof(struct list_transactions_response, unknown_state_filters), NULL, 0 },
	{ "TransactionStates", KT_ARRAY, 0, 0, KV_MAX, -1, -1, offsetof(struct list_transactions_response, transaction_states), &list_transactions_resp_state_msg, 0 },
};
const struct kmsg list_transactions_response_msg = { "list_transactions_response", sizeof(struct list_transactions_response), 4, list_transactions_response_fields };
