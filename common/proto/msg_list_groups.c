/* ListGroups (API key 16) request and response schemas, v0-4. Field facts
 * from Kafka 3.8 ListGroupsRequest/Response.json; see messages.h. */
#include <stddef.h>
#include <stdint.h>

#include "common/proto/messages.h"

static const struct kfield list_groups_request_fields[] = {
	{ "StatesFilter", KT_ARRAY, KT_STRING, 4, KV_MAX, -1, -1, offsetof(struct list_groups_request, states_filter), NULL, 0 },
	{ "TypesFilter", KT_ARRAY, KT_STRING, 5, KV_MAX, -1, -1, offsetof(struct list_groups_request, types_filter), NULL, 0 },
};
const struct kmsg list_groups_request_msg = { "list_groups_request", sizeof(struct list_groups_request), 2, list_groups_request_fields };

static const struct kfield list_groups_resp_group_fields[] = {
	{ "GroupId", KT_STRING, 0, 0, KV_MAX, -1, -1, offsetof(struct list_groups_resp_group, group_id), NULL, 0 },
	{ "ProtocolType", KT_STRING, 0, 0, KV_MAX, -1, -1, offsetof(struct list_groups_resp_group, protocol_type), NULL, 0 },
	{ "GroupState", KT_STRING, 0, 4, KV_MAX, -1, -1, offsetof(struct list_groups_resp_group, group_state), NULL, 0 },
	{ "GroupType", KT_STRING, 0, 5, KV_MAX, -1, -1, offsetof(struct list_groups_resp_group, group_type), NULL, 0 },
};
static const struct kmsg list_groups_resp_group_msg = { "list_groups_resp_group", sizeof(struct list_groups_resp_group), 4, list_groups_resp_group_fields };

static const struct kfield list_groups_response_fields[] = {
	{ "ThrottleTimeMs", KT_INT32, 0, 1, KV_MAX, -1, -1, offsetof(struct list_groups_response, throttle_time_ms), NULL, 0 },
	{ "ErrorCode", KT_INT16, 0, 0, KV_MAX, -1, -1, offsetof(struct list_groups_response, error_code), NULL, 0 },
	{ "Groups", KT_ARRAY, 0, 0, KV_MAX, -1, -1, offsetof(struct list_groups_response, groups), &list_groups_resp_group_msg, 0 },
};
const struct kmsg list_groups_response_msg = { "list_groups_response", sizeof(struct list_groups_response), 3, list_groups_response_fields };
