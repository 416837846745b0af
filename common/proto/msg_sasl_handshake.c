/* SaslHandshake (API key 17) request and response schemas, v0-1. Field facts
 * from Kafka 3.8 SaslHandshakeRequest/Response.json; see messages.h. */
#include <stddef.h>
#include <stdint.h>

#include "common/proto/messages.h"

static const struct kfield sasl_handshake_request_fields[] = {
	{ "Mechanism", KT_STRING, 0, 0, KV_MAX, -1, -1, offsetof(struct sasl_handshake_request, mechanism), NULL, 0 },
};
const struct kmsg sasl_handshake_request_msg = { "sasl_handshake_request", sizeof(struct sasl_handshake_request), 1, sasl_handshake_request_fields };

static const struct kfield sasl_handshake_response_fields[] = {
	{ "ErrorCode", KT_INT16, 0, 0, KV_MAX, -1, -1, offsetof(struct sasl_handshake_response, error_code), NULL, 0 },
	{ "Mechanisms", KT_ARRAY, KT_STRING, 0, KV_MAX, -1, -1, offsetof(struct sasl_handshake_response, mechanisms), NULL, 0 },
};
const struct kmsg sasl_handshake_response_msg = { "sasl_handshake_response", sizeof(struct sasl_handshake_response), 2, sasl_handshake_response_fields };
