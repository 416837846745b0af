/* DeleteGroups (API key 42) request and response schemas, v0-2. Field facts
 * from Kafka 3.8 DeleteGroupsRequest/Response.json; see messages.h. */
#include <stddef.h>
#include <stdint.h>

#include "common/proto/messages.h"

static const struct kfield delete_groups_request_fields[] = {
	{ "GroupsNames", KT_ARRAY, KT_STRING, 0, KV_MAX, -1, -1, offsetof(struct delete_groups_request, groups_names), NULL, 0 },
};
const struct kmsg delete_groups_request_msg = { "delete_groups_request", sizeof(struct delete_groups_request), 1, delete_groups_request_fields };

static const struct kfield delete_groups_resp_result_fields[] = {
	{ "GroupId", KT_STRING, 0, 0, KV_MAX, -1, -1, offsetof(struct delete_groups_resp_result, group_id), NULL, 0 },
	{ "ErrorCode", KT_INT16, 0, 0, KV_MAX, -1, -1, offsetof(struct delete_groups_resp_result, error_code), NULL, 0 },
};
static const struct kmsg delete_groups_resp_result_msg = { "delete_groups_resp_result", sizeof(struct delete_groups_resp_result), 2, delete_groups_resp_result_fields };

static const struct kfield delete_groups_response_fields[] = {
	{ "ThrottleTimeMs", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct delete_groups_response, throttle_time_ms), NULL, 0 },
	{ "Results", KT_ARRAY, 0, 0, KV_MAX, -1, -1, offsetof(struct delete_groups_response, results), &delete_groups_resp_result_msg, 0 },
};
const struct kmsg delete_groups_response_msg = { "delete_groups_response", sizeof(struct delete_groups_response), 2, delete_groups_response_fields };
