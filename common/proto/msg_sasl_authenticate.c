/* SaslAuthenticate (API key 36) request and response schemas, v0-2. Field facts
 * from Kafka 3.8 SaslAuthenticateRequest/Response.json; see messages.h. */
#include <stddef.h>
#include <stdint.h>

#include "common/proto/messages.h"

static const struct kfield sasl_authenticate_request_fields[] = {
	{ "AuthBytes", KT_BYTES, 0, 0, KV_MAX, -1, -1, offsetof(struct sasl_authenticate_request, auth_bytes), NULL, 0 },
};
const struct kmsg sasl_authenticate_request_msg = { "sasl_authenticate_request", sizeof(struct sasl_authenticate_request), 1, sasl_authenticate_request_fields };

static const struct kfield sasl_authenticate_response_fields[] = {
	{ "ErrorCode", KT_INT16, 0, 0, KV_MAX, -1, -1, offsetof(struct sasl_authenticate_response, error_code), NULL, 0 },
	{ "ErrorMessage", KT_STRING, 0, 0, KV_MAX, 0, -1, offsetof(struct sasl_authenticate_response, error_message), NULL, 0 },
	{ "AuthBytes", KT_BYTES, 0, 0, KV_MAX, -1, -1, offsetof(struct sasl_authenticate_response, auth_bytes), NULL, 0 },
	{ "SessionLifetimeMs", KT_INT64, 0, 1, KV_MAX, -1, -1, offsetof(struct sasl_authenticate_response, session_lifetime_ms), NULL, 0 },
};
const struct kmsg sasl_authenticate_response_msg = { "sasl_authenticate_response", sizeof(struct sasl_authenticate_response), 4, sasl_authenticate_response_fields };
