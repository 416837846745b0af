/* DescribeAcls (API key 29) request and response schemas, v0-2 (flexible
 * from v2), as Kafka 2.8 has them: v1 adds the pattern type. Field facts from
 * Kafka's DescribeAclsRequest/Response.json; see messages.h. */
#include <stddef.h>
#include <stdint.h>

#include "common/proto/messages.h"

#define F(name, type, minv, nullv, field, dflt) \
	{ name, type, 0, minv, KV_MAX, nullv, -1, offsetof(struct describe_acls_request, field), NULL, dflt }
static const struct kfield describe_acls_request_fields[] = {
	F("ResourceTypeFilter", KT_INT8, 0, -1, resource_type_filter, 0),
	F("ResourceNameFilter", KT_STRING, 0, 0, resource_name_filter, 0),
	F("PatternTypeFilter", KT_INT8, 1, -1, pattern_type_filter, 3),
	F("PrincipalFilter", KT_STRING, 0, 0, principal_filter, 0),
	F("HostFilter", KT_STRING, 0, 0, host_filter, 0),
	F("Operation", KT_INT8, 0, -1, operation, 0),
	F("PermissionType", KT_INT8, 0, -1, permission_type, 0),
};
#undef F
const struct kmsg describe_acls_request_msg = { "describe_acls_request", sizeof(struct describe_acls_request), 7, describe_acls_request_fields };

#define F(name, type, field) \
	{ name, type, 0, 0, KV_MAX, -1, -1, offsetof(struct describe_acls_resp_acl, field), NULL, 0 }
static const struct kfield describe_acls_resp_acl_fields[] = {
	F("Principal", KT_STRING, principal),
	F("Host", KT_STRING, host),
	F("Operation", KT_INT8, operation),
	F("PermissionType", KT_INT8, permission_type),
};
#undef F
static const struct kmsg describe_acls_resp_acl_msg = { "describe_acls_resp_acl", sizeof(struct describe_acls_resp_acl), 4, describe_acls_resp_acl_fields };

static const struct kfield describe_acls_resp_resource_fields[] = {
	{ "Type", KT_INT8, 0, 0, KV_MAX, -1, -1, offsetof(struct describe_acls_resp_resource, type), NULL, 0 },
	{ "Name", KT_STRING, 0, 0, KV_MAX, -1, -1, offsetof(struct describe_acls_resp_resource, name), NULL, 0 },
	{ "PatternType", KT_INT8, 0, 1, KV_MAX, -1, -1, offsetof(struct describe_acls_resp_resource, pattern_type), NULL, 3 },
	{ "Acls", KT_ARRAY, 0, 0, KV_MAX, -1, -1, offsetof(struct describe_acls_resp_resource, acls), &describe_acls_resp_acl_msg, 0 },
};
static const struct kmsg describe_acls_resp_resource_msg = { "describe_acls_resp_resource", sizeof(struct describe_acls_resp_resource), 4, describe_acls_resp_resource_fields };

static const struct kfield describe_acls_response_fields[] = {
	{ "ThrottleTimeMs", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct describe_acls_response, throttle_time_ms), NULL, 0 },
	{ "ErrorCode", KT_INT16, 0, 0, KV_MAX, -1, -1, offsetof(struct describe_acls_response, error_code), NULL, 0 },
	{ "ErrorMessage", KT_STRING, 0, 0, KV_MAX, 0, -1, offsetof(struct describe_acls_response, error_message), NULL, 0 },
	{ "Resources", KT_ARRAY, 0, 0, KV_MAX, -1, -1, offsetof(struct describe_acls_response, resources), &describe_acls_resp_resource_msg, 0 },
};
const struct kmsg describe_acls_response_msg = { "describe_acls_response", sizeof(struct describe_acls_response), 4, describe_acls_response_fields };
