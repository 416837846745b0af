/* InitProducerId (API key 22) request and response schemas, v0-4. Field facts
 * from Kafka 3.8 InitProducerIdRequest/Response.json; see messages.h. */
#include <stddef.h>
#include <stdint.h>

#include "common/proto/messages.h"

static const struct kfield init_producer_id_request_fields[] = {
	{ "TransactionalId", KT_STRING, 0, 0, KV_MAX, 0, -1, offsetof(struct init_producer_id_request, transactional_id), NULL, 0 },
	{ "TransactionTimeoutMs", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct init_producer_id_request, transaction_timeout_ms), NULL, 0 },
	{ "ProducerId", KT_INT64, 0, 3, KV_MAX, -1, -1, offsetof(struct init_producer_id_request, producer_id), NULL, -1 },
	{ "ProducerEpoch", KT_INT16, 0, 3, KV_MAX, -1, -1, offsetof(struct init_producer_id_request, producer_epoch), NULL, -1 },
};
const struct kmsg init_producer_id_request_msg = { "init_producer_id_request", sizeof(struct init_producer_id_request), 4, init_producer_id_request_fields };

static const struct kfield init_producer_id_response_fields[] = {
	{ "ThrottleTimeMs", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct init_producer_id_response, throttle_time_ms), NULL, 0 },
	{ "ErrorCode", KT_INT16, 0, 0, KV_MAX, -1, -1, offsetof(struct init_producer_id_response, error_code), NULL, 0 },
	{ "ProducerId", KT_INT64, 0, 0, KV_MAX, -1, -1, offsetof(struct init_producer_id_response, producer_id), NULL, -1 },
	{ "ProducerEpoch", KT_INT16, 0, 0, KV_MAX, -1, -1, offsetof(struct init_producer_id_response, producer_epoch), NULL, 0 },
};
const struct kmsg init_producer_id_response_msg = { "init_producer_id_response", sizeof(struct init_producer_id_response), 4, init_producer_id_response_fields };
