/* EndTxn (API key 26) request and response schemas, v0-3. Field facts
 * from Kafka 3.8 EndTxnRequest/Response.json; see messages.h. */
#include <stddef.h>
#include <stdint.h>

#include "common/proto/messages.h"

static const struct kfield end_txn_request_fields[] = {
	{ "TransactionalId", KT_STRING, 0, 0, KV_MAX, -1, -1, offsetof(struct end_txn_request, transactional_id), NULL, 0 },
	{ "ProducerId", KT_INT64, 0, 0, KV_MAX, -1, -1, offsetof(struct end_txn_request, producer_id), NULL, 0 },
	{ "ProducerEpoch", KT_INT16, 0, 0, KV_MAX, -1, -1, offsetof(struct end_txn_request, producer_epoch), NULL, 0 },
	{ "Committed", KT_BOOL, 0, 0, KV_MAX, -1, -1, offsetof(struct end_txn_request, committed), NULL, 0 },
};
const struct kmsg end_txn_request_msg = { "end_txn_request", sizeof(struct end_txn_request), 4, end_txn_request_fields };

static const struct kfield end_txn_response_fields[] = {
	{ "ThrottleTimeMs", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct end_txn_response, throttle_time_ms), NULL, 0 },
	{ "ErrorCode", KT_INT16, 0, 0, KV_MAX, -1, -1, offsetof(struct end_txn_response, error_code), NULL, 0 },
};
const struct kmsg end_txn_response_msg = { "end_txn_response", sizeof(struct end_txn_response), 2, end_txn_response_fields };
