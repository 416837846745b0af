/* LeaveGroup (API key 13) request and response schemas, v0-5. Field facts
 * from Kafka 3.8 LeaveGroupRequest/Response.json; see messages.h. */
#include <stddef.h>
#include <stdint.h>

#include "common/proto/messages.h"

static const struct kfield leave_group_req_member_fields[] = {
	{ "MemberId", KT_STRING, 0, 3, KV_MAX, -1, -1, offsetof(struct leave_group_req_member, member_id), NULL, 0 },
	{ "GroupInstanceId", KT_STRING, 0, 3, KV_MAX, 3, -1, offsetof(struct leave_group_req_member, group_instance_id), NULL, 0 },
	{ "Reason", KT_STRING, 0, 5, KV_MAX, 5, -1, offsetof(struct leave_group_req_member, reason), NULL, 0 },
};
static const struct kmsg leave_group_req_member_msg = { "leave_group_req_member", sizeof(struct leave_group_req_member), 3, leave_group_req_member_fields };

static const struct kfield leave_group_request_fields[] = {
	{ "GroupId", KT_STRING, 0, 0, KV_MAX, -1, -1, offsetof(struct leave_group_request, group_id), NULL, 0 },
	{ "MemberId", KT_STRING, 0, 0, 2, -1, -1, offsetof(struct leave_group_request, member_id), NULL, 0 },
	{ "Members", KT_ARRAY, 0, 3, KV_MAX, -1, -1, offsetof(struct leave_group_request, members), &leave_group_req_member_msg, 0 },
};
const struct kmsg leave_group_request_msg = { "leave_group_request", sizeof(struct leave_group_request), 3, leave_group_request_fields };

static const struct kfield leave_group_resp_member_fields[] = {
	{ "MemberId", KT_STRING, 0, 3, KV_MAX, -1, -1, offsetof(struct leave_group_resp_member, member_id), NULL, 0 },
	{ "GroupInstanceId", KT_STRING, 0, 3, KV_MAX, 3, -1, offsetof(struct leave_group_resp_member, group_instance_id), NULL, 0 },
	{ "ErrorCode", KT_INT16, 0, 3, KV_MAX, -1, -1, offsetof(struct leave_group_resp_member, error_code), NULL, 0 },
};
static const struct kmsg leave_group_resp_member_msg = { "leave_group_resp_member", sizeof(struct leave_group_resp_member), 3, leave_group_resp_member_fields };

static const struct kfield leave_group_response_fields[] = {
	{ "ThrottleTimeMs", KT_INT32, 0, 1, KV_MAX, -1, -1, offsetof(struct leave_group_response, throttle_time_ms), NULL, 0 },
	{ "ErrorCode", KT_INT16, 0, 0, KV_MAX, -1, -1, offsetof(struct leave_group_response, error_code), NULL, 0 },
	{ "Members", KT_ARRAY, 0, 3, KV_MAX, -1, -1, offsetof(struct leave_group_response, members), &leave_group_resp_member_msg, 0 },
};
const struct kmsg leave_group_response_msg = { "leave_group_response", sizeof(struct leave_group_response), 3, leave_group_response_fields };
