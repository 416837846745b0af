/* DeleteAcls (API key 31) request and response schemas, v0-2 (flexible from
 * v2), as Kafka 2.8 has them: v1 adds the pattern type. Field facts from
 * Kafka's DeleteAclsRequest/Response.json; see messages.h. */
#include <stddef.h>
#include <stdint.h>

#include "common/proto/messages.h"

#define F(name, type, minv, nullv, field, dflt) \
	{ name, type, 0, minv, KV_MAX, nullv, -1, offsetof(struct delete_acls_req_filter, field), NULL, dflt }
static const struct kfield delete_acls_req_filter_fields[] = {
	F("ResourceTypeFilter", KT_INT8, 0, -1, resource_type_filter, 0),
	F("ResourceNameFilter", KT_STRING, 0, 0, resource_name_filter, 0),
	F("PatternTypeFilter", KT_INT8, 1, -1, pattern_type_filter, 3),
	F("PrincipalFilter", KT_STRING, 0, 0, principal_filter, 0),
	F("HostFilter", KT_STRING, 0, 0, host_filter, 0),
	F("Operation", KT_INT8, 0, -1, operation, 0),
	F("PermissionType", KT_INT8, 0, -1, permission_type, 0),
};
#undef F
static const struct kmsg delete_acls_req_filter_msg = { "delete_acls_req_filter", sizeof(struct delete_acls_req_filter), 7, delete_acls_req_filter_fields };

static const struct kfield delete_acls_request_fields[] = {
	{ "Filters", KT_ARRAY, 0, 0, KV_MAX, -1, -1, offsetof(struct delete_acls_request, filters), &delete_acls_req_filter_msg, 0 },
};
const struct kmsg delete_acls_request_msg = { "delete_acls_request", sizeof(struct delete_acls_request), 1, delete_acls_request_fields };

#define F(name, type, minv, nullv, field, dflt) \
	{ name, type, 0, minv, KV_MAX, nullv, -1, offsetof(struct delete_acls_resp_matching_acl, field), NULL, dflt }
static const struct kfield delete_acls_resp_matching_acl_fields[] = {
	F("ErrorCode", KT_INT16, 0, -1, error_code, 0),
	F("ErrorMessage", KT_STRING, 0, 0, error_message, 0),
	F("ResourceType", KT_INT8, 0, -1, resource_type, 0),
	F("ResourceName", KT_STRING, 0, -1, resource_name, 0),
	F("PatternType", KT_INT8, 1, -1, pattern_type, 3),
	F("Principal", KT_STRING, 0, -1, principal, 0),
	F("Host", KT_STRING, 0, -1, host, 0),
	F("Operation", KT_INT8, 0, -1, operation, 0),
	F("PermissionType", KT_INT8, 0, -1, permission_type, 0),
};
#undef F
static const struct kmsg delete_acls_resp_matching_acl_msg = { "delete_acls_resp_matching_acl", sizeof(struct delete_acls_resp_matching_acl), 9, delete_acls_resp_matching_acl_fields };

static const struct kfield delete_acls_resp_filter_result_fields[] = {
	{ "ErrorCode", KT_INT16, 0, 0, KV_MAX, -1, -1, offsetof(struct delete_acls_resp_filter_result, error_code), NULL, 0 },
	{ "ErrorMessage", KT_STRING, 0, 0, KV_MAX, 0, -1, offsetof(struct delete_acls_resp_filter_result, error_message), NULL, 0 },
	{ "MatchingAcls", KT_ARRAY, 0, 0, KV_MAX, -1, -1, offsetof(struct delete_acls_resp_filter_result, matching_acls), &delete_acls_resp_matching_acl_msg, 0 },
};
static const struct kmsg delete_acls_resp_filter_result_msg = { "delete_acls_resp_filter_result", sizeof(struct delete_acls_resp_filter_result), 3, delete_acls_resp_filter_result_fields };

static const struct kfield delete_acls_response_fields[] = {
	{ "ThrottleTimeMs", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct delete_acls_response, throttle_time_ms), NULL, 0 },
	{ "FilterResults", KT_ARRAY, 0, 0, KV_MAX, -1, -1, offsetof(struct delete_acls_response, filter_results), &delete_acls_resp_filter_result_msg, 0 },
};
const struct kmsg delete_acls_response_msg = { "delete_acls_response", sizeof(struct delete_acls_response), 2, delete_acls_response_fields };
