/* Heartbeat (API key 12) request and response schemas, v0-4. Field facts
 * from Kafka 3.8 HeartbeatRequest/Response.json; see messages.h. */
#include <stddef.h>
#include <stdint.h>

#include "common/proto/messages.h"

static const struct kfield heartbeat_request_fields[] = {
	{ "GroupId", KT_STRING, 0, 0, KV_MAX, -1, -1, offsetof(struct heartbeat_request, group_id), NULL, 0 },
	{ "GenerationId", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct heartbeat_request, generation_id), NULL, 0 },
	{ "MemberId", KT_STRING, 0, 0, KV_MAX, -1, -1, offsetof(struct heartbeat_request, member_id), NULL, 0 },
	{ "GroupInstanceId", KT_STRING, 0, 3, KV_MAX, 3, -1, offsetof(struct heartbeat_request, group_instance_id), NULL, 0 },
};
const struct kmsg heartbeat_request_msg = { "heartbeat_request", sizeof(struct heartbeat_request), 4, heartbeat_request_fields };

static const struct kfield heartbeat_response_fields[] = {
	{ "ThrottleTimeMs", KT_INT32, 0, 1, KV_MAX, -1, -1, offsetof(struct heartbeat_response, throttle_time_ms), NULL, 0 },
	{ "ErrorCode", KT_INT16, 0, 0, KV_MAX, -1, -1, offsetof(struct heartbeat_response, error_code), NULL, 0 },
};
const struct kmsg heartbeat_response_msg = { "heartbeat_response", sizeof(struct heartbeat_response), 2, heartbeat_response_fields };
