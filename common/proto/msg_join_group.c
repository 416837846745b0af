/* JoinGroup (API key 11) request and response schemas, v0-7. Field facts
 * from Kafka 3.8 JoinGroupRequest/Response.json; see messages.h. */
#include <stddef.h>
#include <stdint.h>

#include "common/proto/messages.h"

static const struct kfield join_group_req_protocol_fields[] = {
	{ "Name", KT_STRING, 0, 0, KV_MAX, -1, -1, offsetof(struct join_group_req_protocol, name), NULL, 0 },
	{ "Metadata", KT_BYTES, 0, 0, KV_MAX, -1, -1, offsetof(struct join_group_req_protocol, metadata), NULL, 0 },
};
static const struct kmsg join_group_req_protocol_msg = { "join_group_req_protocol", sizeof(struct join_group_req_protocol), 2, join_group_req_protocol_fields };

static const struct kfield join_group_request_fields[] = {
	{ "GroupId", KT_STRING, 0, 0, KV_MAX, -1, -1, offsetof(struct join_group_request, group_id), NULL, 0 },
	{ "SessionTimeoutMs", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct join_group_request, session_timeout_ms), NULL, 0 },
	{ "RebalanceTimeoutMs", KT_INT32, 0, 1, KV_MAX, -1, -1, offsetof(struct join_group_request, rebalance_timeout_ms), NULL, -1 },
	{ "MemberId", KT_STRING, 0, 0, KV_MAX, -1, -1, offsetof(struct join_group_request, member_id), NULL, 0 },
	{ "GroupInstanceId", KT_STRING, 0, 5, KV_MAX, 5, -1, offsetof(struct join_group_request, group_instance_id), NULL, 0 },
	{ "ProtocolType", KT_STRING, 0, 0, KV_MAX, -1, -1, offsetof(struct join_group_request, protocol_type), NULL, 0 },
	{ "Protocols", KT_ARRAY, 0, 0, KV_MAX, -1, -1, offsetof(struct join_group_request, protocols), &join_group_req_protocol_msg, 0 },
	{ "Reason", KT_STRING, 0, 8, KV_MAX, 8, -1, offsetof(struct join_group_request, reason), NULL, 0 },
};
const struct kmsg join_group_request_msg = { "join_group_request", sizeof(struct join_group_request), 8, join_group_request_fields };

static const struct kfield join_group_resp_member_fields[] = {
	{ "MemberId", KT_STRING, 0, 0, KV_MAX, -1, -1, offsetof(struct join_group_resp_member, member_id), NULL, 0 },
	{ "GroupInstanceId", KT_STRING, 0, 5, KV_MAX, 5, -1, offsetof(struct join_group_resp_member, group_instance_id), NULL, 0 },
	{ "Metadata", KT_BYTES, 0, 0, KV_MAX, -1, -1, offsetof(struct join_group_resp_member, metadata), NULL, 0 },
};
static const struct kmsg join_group_resp_member_msg = { "join_group_resp_member", sizeof(struct join_group_resp_member), 3, join_group_resp_member_fields };

static const struct kfield join_group_response_fields[] = {
	{ "ThrottleTimeMs", KT_INT32, 0, 2, KV_MAX, -1, -1, offsetof(struct join_group_response, throttle_time_ms), NULL, 0 },
	{ "ErrorCode", KT_INT16, 0, 0, KV_MAX, -1, -1, offsetof(struct join_group_response, error_code), NULL, 0 },
	{ "GenerationId", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct join_group_response, generation_id), NULL, -1 },
	{ "ProtocolType", KT_STRING, 0, 7, KV_MAX, 7, -1, offsetof(struct join_group_response, protocol_type), NULL, 0 },
	{ "ProtocolName", KT_STRING, 0, 0, KV_MAX, 7, -1, offsetof(struct join_group_response, protocol_name), NULL, 0 },
	{ "Leader", KT_STRING, 0, 0, KV_MAX, -1, -1, offsetof(struct join_group_response, leader), NULL, 0 },
	{ "SkipAssignment", KT_BOOL, 0, 9, KV_MAX, -1, -1, offsetof(struct join_group_response, skip_assignment), NULL, 0 },
	{ "MemberId", KT_STRING, 0, 0, KV_MAX, -1, -1, offsetof(struct join_group_response, member_id), NULL, 0 },
	{ "Members", KT_ARRAY, 0, 0, KV_MAX, -1, -1, offsetof(struct join_group_response, members), &join_group_resp_member_msg, 0 },
};
const struct kmsg join_group_response_msg = { "join_group_response", sizeof(struct join_group_response), 9, join_group_response_fields };
