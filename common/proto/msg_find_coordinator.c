/* FindCoordinator (API key 10) request and response schemas, v0-4. Field facts
 * from Kafka 3.8 FindCoordinatorRequest/Response.json; see messages.h. */
#include <stddef.h>
#include <stdint.h>

#include "common/proto/messages.h"

static const struct kfield find_coordinator_request_fields[] = {
	{ "Key", KT_STRING, 0, 0, 3, -1, -1, offsetof(struct find_coordinator_request, key), NULL, 0 },
	{ "KeyType", KT_INT8, 0, 1, KV_MAX, -1, -1, offsetof(struct find_coordinator_request, key_type), NULL, 0 },
	{ "CoordinatorKeys", KT_ARRAY, KT_STRING, 4, KV_MAX, -1, -1, offsetof(struct find_coordinator_request, coordinator_keys), NULL, 0 },
};
const struct kmsg find_coordinator_request_msg = { "find_coordinator_request", sizeof(struct find_coordinator_request), 3, find_coordinator_request_fields };

static const struct kfield find_coordinator_resp_coordinator_fields[] = {
	{ "Key", KT_STRING, 0, 4, KV_MAX, -1, -1, offsetof(struct find_coordinator_resp_coordinator, key), NULL, 0 },
	{ "NodeId", KT_INT32, 0, 4, KV_MAX, -1, -1, offsetof(struct find_coordinator_resp_coordinator, node_id), NULL, 0 },
	{ "Host", KT_STRING, 0, 4, KV_MAX, -1, -1, offsetof(struct find_coordinator_resp_coordinator, host), NULL, 0 },
	{ "Port", KT_INT32, 0, 4, KV_MAX, -1, -1, offsetof(struct find_coordinator_resp_coordinator, port), NULL, 0 },
	{ "ErrorCode", KT_INT16, 0, 4, KV_MAX, -1, -1, offsetof(struct find_coordinator_resp_coordinator, error_code), NULL, 0 },
	{ "ErrorMessage", KT_STRING, 0, 4, KV_MAX, 4, -1, offsetof(struct find_coordinator_resp_coordinator, error_message), NULL, 0 },
};
static const struct kmsg find_coordinator_resp_coordinator_msg = { "find_coordinator_resp_coordinator", sizeof(struct find_coordinator_resp_coordinator), 6, find_coordinator_resp_coordinator_fields };

static const struct kfield find_coordinator_response_fields[] = {
	{ "ThrottleTimeMs", KT_INT32, 0, 1, KV_MAX, -1, -1, offsetof(struct find_coordinator_response, throttle_time_ms), NULL, 0 },
	{ "ErrorCode", KT_INT16, 0, 0, 3, -1, -1, offsetof(struct find_coordinator_response, error_code), NULL, 0 },
	{ "ErrorMessage", KT_STRING, 0, 1, 3, 1, -1, offsetof(struct find_coordinator_response, error_message), NULL, 0 },
	{ "NodeId", KT_INT32, 0, 0, 3, -1, -1, offsetof(struct find_coordinator_response, node_id), NULL, 0 },
	{ "Host", KT_STRING, 0, 0, 3, -1, -1, offsetof(struct find_coordinator_response, host), NULL, 0 },
	{ "Port", KT_INT32, 0, 0, 3, -1, -1, offsetof(struct find_coordinator_response, port), NULL, 0 },
	{ "Coordinators", KT_ARRAY, 0, 4, KV_MAX, -1, -1, offsetof(struct find_coordinator_response, coordinators), &find_coordinator_resp_coordinator_msg, 0 },
};
const struct kmsg find_coordinator_response_msg = { "find_coordinator_response", sizeof(struct find_coordinator_response), 7, find_coordinator_response_fields };
