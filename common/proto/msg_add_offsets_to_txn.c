/* AddOffsetsToTxn (API key 25) request and response schemas, v0-3. Field facts
 * from Kafka 3.8 AddOffsetsToTxnRequest/Response.json; see messages.h. */
#include <stddef.h>
#include <stdint.h>

#include "common/proto/messages.h"

static const struct kfield add_offsets_to_txn_request_fields[] = {
	{ "TransactionalId", KT_STRING, 0, 0, KV_MAX, -1, -1, offsetof(struct add_offsets_to_txn_request, transactional_id), NULL, 0 },
	{ "ProducerId", KT_INT64, 0, 0, KV_MAX, -1, -1, offsetof(struct add_offsets_to_txn_request, producer_id), NULL, 0 },
	{ "ProducerEpoch", KT_INT16, 0, 0, KV_MAX, -1, -1, offsetof(struct add_offsets_to_txn_request, producer_epoch), NULL, 0 },
	{ "GroupId", KT_STRING, 0, 0, KV_MAX, -1, -1, offsetof(struct add_offsets_to_txn_request, group_id), NULL, 0 },
};
const struct kmsg add_offsets_to_txn_request_msg = { "add_offsets_to_txn_request", sizeof(struct add_offsets_to_txn_request), 4, add_offsets_to_txn_request_fields };

static const struct kfield add_offsets_to_txn_response_fields[] = {
	{ "ThrottleTimeMs", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct add_offsets_to_txn_response, throttle_time_ms), NULL, 0 },
	{ "ErrorCode", KT_INT16, 0, 0, KV_MAX, -1, -1, offsetof(struct add_offsets_to_txn_response, error_code), NULL, 0 },
};
const struct kmsg add_offsets_to_txn_response_msg = { "add_offsets_to_txn_response", sizeof(struct add_offsets_to_txn_response), 2, add_offsets_to_txn_response_fields };
