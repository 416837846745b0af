/* CreateAcls (API key 30) request and response schemas, v0-2 (flexible from
 * v2), as Kafka 2.8 has them: v1 adds the resource pattern type. Field facts
 * from Kafka's CreateAclsRequest/Response.json; see messages.h. */
#include <stddef.h>
#include <stdint.h>

#include "common/proto/messages.h"

#define F(name, type, minv, nullv, field, dflt) \
	{ name, type, 0, minv, KV_MAX, nullv, -1, offsetof(struct create_acls_req_creation, field), NULL, dflt }
static const struct kfield create_acls_req_creation_fields[] = {
	F("ResourceType", KT_INT8, 0, -1, resource_type, 0),
	F("ResourceName", KT_STRING, 0, -1, resource_name, 0),
	F("ResourcePatternType", KT_INT8, 1, -1, resource_pattern_type, 3),
	F("Principal", KT_STRING, 0, -1, principal, 0),
	F("Host", KT_STRING, 0, -1, host, 0),
	F("Operation", KT_INT8, 0, -1, operation, 0),
	F("PermissionType", KT_INT8, 0, -1, permission_type, 0),
};
#undef F
static const struct kmsg create_acls_req_creation_msg = { "create_acls_req_creation", sizeof(struct create_acls_req_creation), 7, create_acls_req_creation_fields };

static const struct kfield create_acls_request_fields[] = {
	{ "Creations", KT_ARRAY, 0, 0, KV_MAX, -1, -1, offsetof(struct create_acls_request, creations), &create_acls_req_creation_msg, 0 },
};
const struct kmsg create_acls_request_msg = { "create_acls_request", sizeof(struct create_acls_request), 1, create_acls_request_fields };

static const struct kfield create_acls_resp_result_fields[] = {
	{ "ErrorCode", KT_INT16, 0, 0, KV_MAX, -1, -1, offsetof(struct create_acls_resp_result, error_code), NULL, 0 },
	{ "ErrorMessage", KT_STRING, 0, 0, KV_MAX, 0, -1, offsetof(struct create_acls_resp_result, error_message), NULL, 0 },
};
static const struct kmsg create_acls_resp_result_msg = { "create_acls_resp_result", sizeof(struct create_acls_resp_result), 2, create_acls_resp_result_fields };

static const struct kfield create_acls_response_fields[] = {
	{ "ThrottleTimeMs", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct create_acls_response, throttle_time_ms), NULL, 0 },
	{ "Results", KT_ARRAY, 0, 0, KV_MAX, -1, -1, offsetof(struct create_acls_response, results), &create_acls_resp_result_msg, 0 },
};
const struct kmsg create_acls_response_msg = { "create_acls_response", sizeof(struct create_acls_response), 2, create_acls_response_fields };
