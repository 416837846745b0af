/* SyncGroup (API key 14) request and response schemas, v0-5. Field facts
 * from Kafka 3.8 SyncGroupRequest/Response.json; see messages.h. */
#include <stddef.h>
#include <stdint.h>

#include "common/proto/messages.h"

static const struct kfield sync_group_req_assignment_fields[] = {
	{ "MemberId", KT_STRING, 0, 0, KV_MAX, -1, -1, offsetof(struct sync_group_req_assignment, member_id), NULL, 0 },
	{ "Assignment", KT_BYTES, 0, 0, KV_MAX, -1, -1, offsetof(struct sync_group_req_assignment, assignment), NULL, 0 },
};
static const struct kmsg sync_group_req_assignment_msg = { "sync_group_req_assignment", sizeof(struct sync_group_req_assignment), 2, sync_group_req_assignment_fields };

static const struct kfield sync_group_request_fields[] = {
	{ "GroupId", KT_STRING, 0, 0, KV_MAX, -1, -1, offsetof(struct sync_group_request, group_id), NULL, 0 },
	{ "GenerationId", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct sync_group_request, generation_id), NULL, 0 },
	{ "MemberId", KT_STRING, 0, 0, KV_MAX, -1, -1, offsetof(struct sync_group_request, member_id), NULL, 0 },
	{ "GroupInstanceId", KT_STRING, 0, 3, KV_MAX, 3, -1, offsetof(struct sync_group_request, group_instance_id), NULL, 0 },
	{ "ProtocolType", KT_STRING, 0, 5, KV_MAX, 5, -1, offsetof(struct sync_group_request, protocol_type), NULL, 0 },
	{ "ProtocolName", KT_STRING, 0, 5, KV_MAX, 5, -1, offsetof(struct sync_group_request, protocol_name), NULL, 0 },
	{ "Assignments", KT_ARRAY, 0, 0, KV_MAX, -1, -1, offsetof(struct sync_group_request, assignments), &sync_group_req_assignment_msg, 0 },
};
const struct kmsg sync_group_request_msg = { "sync_group_request", sizeof(struct sync_group_request), 7, sync_group_request_fields };

static const struct kfield sync_group_response_fields[] = {
	{ "ThrottleTimeMs", KT_INT32, 0, 1, KV_MAX, -1, -1, offsetof(struct sync_group_response, throttle_time_ms), NULL, 0 },
	{ "ErrorCode", KT_INT16, 0, 0, KV_MAX, -1, -1, offsetof(struct sync_group_response, error_code), NULL, 0 },
	{ "ProtocolType", KT_STRING, 0, 5, KV_MAX, 5, -1, offsetof(struct sync_group_response, protocol_type), NULL, 0 },
	{ "ProtocolName", KT_STRING, 0, 5, KV_MAX, 5, -1, offsetof(struct sync_group_response, protocol_name), NULL, 0 },
	{ "Assignment", KT_BYTES, 0, 0, KV_MAX, -1, -1, offsetof(struct sync_group_response, assignment), NULL, 0 },
};
const struct kmsg sync_group_response_msg = { "sync_group_response", sizeof(struct sync_group_response), 5, sync_group_response_fields };
