/* DescribeGroups (API key 15) request and response schemas, v0-5. Field facts
 * from Kafka 3.8 DescribeGroupsRequest/Response.json; see messages.h. */
#include <stddef.h>
#include <stdint.h>

#include "common/proto/messages.h"

static const struct kfield describe_groups_request_fields[] = {
	{ "Groups", KT_ARRAY, KT_STRING, 0, KV_MAX, -1, -1, offsetof(struct describe_groups_request, groups), NULL, 0 },
	{ "IncludeAuthorizedOperations", KT_BOOL, 0, 3, KV_MAX, -1, -1, offsetof(struct describe_groups_request, include_authorized_operations), NULL, 0 },
};
const struct kmsg describe_groups_request_msg = { "describe_groups_request", sizeof(struct describe_groups_request), 2, describe_groups_request_fields };

static const struct kfield describe_groups_resp_member_fields[] = {
	{ "MemberId", KT_STRING, 0, 0, KV_MAX, -1, -1, offsetof(struct describe_groups_resp_member, member_id), NULL, 0 },
	{ "GroupInstanceId", KT_STRING, 0, 4, KV_MAX, 4, -1, offsetof(struct describe_groups_resp_member, group_instance_id), NULL, 0 },
	{ "ClientId", KT_STRING, 0, 0, KV_MAX, -1, -1, offsetof(struct describe_groups_resp_member, client_id), NULL, 0 },
	{ "ClientHost", KT_STRING, 0, 0, KV_MAX, -1, -1, offsetof(struct describe_groups_resp_member, client_host), NULL, 0 },
	{ "MemberMetadata", KT_BYTES, 0, 0, KV_MAX, -1, -1, offsetof(struct describe_groups_resp_member, member_metadata), NULL, 0 },
	{ "MemberAssignment", KT_BYTES, 0, 0, KV_MAX, -1, -1, offsetof(struct describe_groups_resp_member, member_assignment), NULL, 0 },
};
static const struct kmsg describe_groups_resp_member_msg = { "describe_groups_resp_member", sizeof(struct describe_groups_resp_member), 6, describe_groups_resp_member_fields };

static const struct kfield describe_groups_resp_group_fields[] = {
	{ "ErrorCode", KT_INT16, 0, 0, KV_MAX, -1, -1, offsetof(struct describe_groups_resp_group, error_code), NULL, 0 },
	{ "GroupId", KT_STRING, 0, 0, KV_MAX, -1, -1, offsetof(struct describe_groups_resp_group, group_id), NULL, 0 },
	{ "GroupState", KT_STRING, 0, 0, KV_MAX, -1, -1, offsetof(struct describe_groups_resp_group, group_state), NULL, 0 },
	{ "ProtocolType", KT_STRING, 0, 0, KV_MAX, -1, -1, offsetof(struct describe_groups_resp_group, protocol_type), NULL, 0 },
	{ "ProtocolData", KT_STRING, 0, 0, KV_MAX, -1, -1, offsetof(struct describe_groups_resp_group, protocol_data), NULL, 0 },
	{ "Members", KT_ARRAY, 0, 0, KV_MAX, -1, -1, offsetof(struct describe_groups_resp_group, members), &describe_groups_resp_member_msg, 0 },
	{ "AuthorizedOperations", KT_INT32, 0, 3, KV_MAX, -1, -1, offsetof(struct describe_groups_resp_group, authorized_operations), NULL, INT64_C(-2147483648) },
};
static const struct kmsg describe_groups_resp_group_msg = { "describe_groups_resp_group", sizeof(struct describe_groups_resp_group), 7, describe_groups_resp_group_fields };

static const struct kfield describe_groups_response_fields[] = {
	{ "ThrottleTimeMs", KT_INT32, 0, 1, KV_MAX, -1, -1, offsetof(struct describe_groups_response, throttle_time_ms), NULL, 0 },
	{ "Groups", KT_ARRAY, 0, 0, KV_MAX, -1, -1, offsetof(struct describe_groups_response, groups), &describe_groups_resp_group_msg, 0 },
};
const struct kmsg describe_groups_response_msg = { "describe_groups_response", sizeof(struct describe_groups_response), 2, describe_groups_response_fields };
