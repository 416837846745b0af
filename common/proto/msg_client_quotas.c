/* DescribeClientQuotas (API key 48) and AlterClientQuotas (API key 49)
 * request and response schemas, v0-1 (flexible from v1). Field facts from
 * Kafka's DescribeClientQuotasRequest/Response.json and
 * AlterClientQuotasRequest/Response.json; see messages.h. */
#include <stddef.h>
#include <stdint.h>

#include "common/proto/messages.h"

#define F(s, name, type, nullv, field, sub) \
	{ name, type, 0, 0, KV_MAX, nullv, -1, offsetof(struct s, field), sub, 0 }

/* ---- DescribeClientQuotas ---- */

static const struct kfield dcq_req_component_fields[] = {
	F(describe_client_quotas_req_component, "EntityType", KT_STRING, -1, entity_type, NULL),
	F(describe_client_quotas_req_component, "MatchType", KT_INT8, -1, match_type, NULL),
	F(describe_client_quotas_req_component, "Match", KT_STRING, 0, match, NULL),
};
static const struct kmsg dcq_req_component_msg = { "describe_client_quotas_req_component",
	sizeof(struct describe_client_quotas_req_component), 3, dcq_req_component_fields };

static const struct kfield dcq_request_fields[] = {
	F(describe_client_quotas_request, "Components", KT_ARRAY, -1, components, &dcq_req_component_msg),
	F(describe_client_quotas_request, "Strict", KT_BOOL, -1, strict, NULL),
};
const struct kmsg describe_client_quotas_request_msg = { "describe_client_quotas_request",
	sizeof(struct describe_client_quotas_request), 2, dcq_request_fields };

static const struct kfield cq_entity_fields[] = {
	F(client_quota_entity, "EntityType", KT_STRING, -1, entity_type, NULL),
	F(client_quota_entity, "EntityName", KT_STRING, 0, entity_name, NULL),
};
static const struct kmsg cq_entity_msg = { "client_quota_entity",
	sizeof(struct client_quota_entity), 2, cq_entity_fields };

static const struct kfield dcq_resp_value_fields[] = {
	F(describe_client_quotas_resp_value, "Key", KT_STRING, -1, key, NULL),
	F(describe_client_quotas_resp_value, "Value", KT_FLOAT64, -1, value, NULL),
};
static const struct kmsg dcq_resp_value_msg = { "describe_client_quotas_resp_value",
	sizeof(struct describe_client_quotas_resp_value), 2, dcq_resp_value_fields };

static const struct kfield dcq_resp_entry_fields[] = {
	F(describe_client_quotas_resp_entry, "Entity", KT_ARRAY, -1, entity, &cq_entity_msg),
	F(describe_client_quotas_resp_entry, "Values", KT_ARRAY, -1, values, &dcq_resp_value_msg),
};
static const struct kmsg dcq_resp_entry_msg = { "describe_client_quotas_resp_entry",
	sizeof(struct describe_client_quotas_resp_entry), 2, dcq_resp_entry_fields };

static const struct kfield dcq_response_fields[] = {
	F(describe_client_quotas_response, "ThrottleTimeMs", KT_INT32, -1, throttle_time_ms, NULL),
	F(describe_client_quotas_response, "ErrorCode", KT_INT16, -1, error_code, NULL),
	F(describe_client_quotas_response, "ErrorMessage", KT_STRING, 0, error_message, NULL),
	F(describe_client_quotas_response, "Entries", KT_ARRAY, 0, entries, &dcq_resp_entry_msg),
};
const struct kmsg describe_client_quotas_response_msg = { "describe_client_quotas_response",
	sizeof(struct describe_client_quotas_response), 4, dcq_response_fields };

/* ---- AlterClientQuotas ---- */

static const struct kfield acq_req_op_fields[] = {
	F(alter_client_quotas_req_op, "Key", KT_STRING, -1, key, NULL),
	F(alter_client_quotas_req_op, "Value", KT_FLOAT64, -1, value, NULL),
	F(alter_client_quotas_req_op, "Remove", KT_BOOL, -1, remove, NULL),
};
static const struct kmsg acq_req_op_msg = { "alter_client_quotas_req_op",
	sizeof(struct alter_client_quotas_req_op), 3, acq_req_op_fields };

static const struct kfield acq_req_entry_fields[] = {
	F(alter_client_quotas_req_entry, "Entity", KT_ARRAY, -1, entity, &cq_entity_msg),
	F(alter_client_quotas_req_entry, "Ops", KT_ARRAY, -1, ops, &acq_req_op_msg),
};
static const struct kmsg acq_req_entry_msg = { "alter_client_quotas_req_entry",
	sizeof(struct alter_client_quotas_req_entry), 2, acq_req_entry_fields };

static const struct kfield acq_request_fields[] = {
	F(alter_client_quotas_request, "Entries", KT_ARRAY, -1, entries, &acq_req_entry_msg),
	F(alter_client_quotas_request, "ValidateOnly", KT_BOOL, -1, validate_only, NULL),
};
const struct kmsg alter_client_quotas_request_msg = { "alter_client_quotas_request",
	sizeof(struct alter_client_quotas_request), 2, acq_request_fields };

static const struct kfield acq_resp_entry_fields[] = {
	F(alter_client_quotas_resp_entry, "ErrorCode", KT_INT16, -1, error_code, NULL),
	F(alter_client_quotas_resp_entry, "ErrorMessage", KT_STRING, 0, error_message, NULL),
	F(alter_client_quotas_resp_entry, "Entity", KT_ARRAY, -1, entity, &cq_entity_msg),
};
static const struct kmsg acq_resp_entry_msg = { "alter_client_quotas_resp_entry",
	sizeof(struct alter_client_quotas_resp_entry), 3, acq_resp_entry_fields };

static const struct kfield acq_response_fields[] = {
	F(alter_client_quotas_response, "ThrottleTimeMs", KT_INT32, -1, throttle_time_ms, NULL),
	F(alter_client_quotas_response, "Entries", KT_ARRAY, -1, entries, &acq_resp_entry_msg),
};
const struct kmsg alter_client_quotas_response_msg = { "alter_client_quotas_response",
	sizeof(struct alter_client_quotas_response), 2, acq_response_fields };
