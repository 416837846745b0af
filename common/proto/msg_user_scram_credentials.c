/* DescribeUserScramCredentials (API key 50) and AlterUserScramCredentials
 * (API key 51) request and response schemas, v0 (flexible). Field facts from
 * Kafka's DescribeUserScramCredentialsRequest/Response.json and
 * AlterUserScramCredentialsRequest/Response.json; see messages.h. */
#include <stddef.h>
#include <stdint.h>

#include "common/proto/messages.h"

#define F(s, name, type, nullv, field, sub) \
	{ name, type, 0, 0, KV_MAX, nullv, -1, offsetof(struct s, field), sub, 0 }

/* ---- DescribeUserScramCredentials ---- */

static const struct kfield dusc_req_user_fields[] = {
	F(describe_user_scram_credentials_req_user, "Name", KT_STRING, -1, name, NULL),
};
static const struct kmsg dusc_req_user_msg = { "describe_user_scram_credentials_req_user",
	sizeof(struct describe_user_scram_credentials_req_user), 1, dusc_req_user_fields };

static const struct kfield dusc_request_fields[] = {
	F(describe_user_scram_credentials_request, "Users", KT_ARRAY, 0, users, &dusc_req_user_msg),
};
const struct kmsg describe_user_scram_credentials_request_msg = {
	"describe_user_scram_credentials_request",
	sizeof(struct describe_user_scram_credentials_request), 1, dusc_request_fields };

static const struct kfield dusc_resp_info_fields[] = {
	F(describe_user_scram_credentials_resp_info, "Mechanism", KT_INT8, -1, mechanism, NULL),
	F(describe_user_scram_credentials_resp_info, "Iterations", KT_INT32, -1, iterations, NULL),
};
static const struct kmsg dusc_resp_info_msg = { "describe_user_scram_credentials_resp_info",
	sizeof(struct describe_user_scram_credentials_resp_info), 2, dusc_resp_info_fields };

static const struct kfield dusc_resp_result_fields[] = {
	F(describe_user_scram_credentials_resp_result, "User", KT_STRING, -1, user, NULL),
	F(describe_user_scram_credentials_resp_result, "ErrorCode", KT_INT16, -1, error_code, NULL),
	F(describe_user_scram_credentials_resp_result, "ErrorMessage", KT_STRING, 0, error_message, NULL),
	F(describe_user_scram_credentials_resp_result, "CredentialInfos", KT_ARRAY, -1,
	  credential_infos, &dusc_resp_info_msg),
};
static const struct kmsg dusc_resp_result_msg = { "describe_user_scram_credentials_resp_result",
	sizeof(struct describe_user_scram_credentials_resp_result), 4, dusc_resp_result_fields };

static const struct kfield dusc_response_fields[] = {
	F(describe_user_scram_credentials_response, "ThrottleTimeMs", KT_INT32, -1, throttle_time_ms, NULL),
	F(describe_user_scram_credentials_response, "ErrorCode", KT_INT16, -1, error_code, NULL),
	F(describe_user_scram_credentials_response, "ErrorMessage", KT_STRING, 0, error_message, NULL),
	F(describe_user_scram_credentials_response, "Results", KT_ARRAY, -1, results, &dusc_resp_result_msg),
};
const struct kmsg describe_user_scram_credentials_response_msg = {
	"describe_user_scram_credentials_response",
	sizeof(struct describe_user_scram_credentials_response), 4, dusc_response_fields };

/* ---- AlterUserScramCredentials ---- */

static const struct kfield ausc_req_deletion_fields[] = {
	F(alter_user_scram_credentials_req_deletion, "Name", KT_STRING, -1, name, NULL),
	F(alter_user_scram_credentials_req_deletion, "Mechanism", KT_INT8, -1, mechanism, NULL),
};
static const struct kmsg ausc_req_deletion_msg = { "alter_user_scram_credentials_req_deletion",
	sizeof(struct alter_user_scram_credentials_req_deletion), 2, ausc_req_deletion_fields };

static const struct kfield ausc_req_upsertion_fields[] = {
	F(alter_user_scram_credentials_req_upsertion, "Name", KT_STRING, -1, name, NULL),
	F(alter_user_scram_credentials_req_upsertion, "Mechanism", KT_INT8, -1, mechanism, NULL),
	F(alter_user_scram_credentials_req_upsertion, "Iterations", KT_INT32, -1, iterations, NULL),
	F(alter_user_scram_credentials_req_upsertion, "Salt", KT_BYTES, -1, salt, NULL),
	F(alter_user_scram_credentials_req_upsertion, "SaltedPassword", KT_BYTES, -1, salted_password, NULL),
};
static const struct kmsg ausc_req_upsertion_msg = { "alter_user_scram_credentials_req_upsertion",
	sizeof(struct alter_user_scram_credentials_req_upsertion), 5, ausc_req_upsertion_fields };

static const struct kfield ausc_request_fields[] = {
	F(alter_user_scram_credentials_request, "Deletions", KT_ARRAY, -1, deletions, &ausc_req_deletion_msg),
	F(alter_user_scram_credentials_request, "Upsertions", KT_ARRAY, -1, upsertions, &ausc_req_upsertion_msg),
};
const struct kmsg alter_user_scram_credentials_request_msg = {
	"alter_user_scram_credentials_request",
	sizeof(struct alter_user_scram_credentials_request), 2, ausc_request_fields };

static const struct kfield ausc_resp_result_fields[] = {
	F(alter_user_scram_credentials_resp_result, "User", KT_STRING, -1, user, NULL),
	F(alter_user_scram_credentials_resp_result, "ErrorCode", KT_INT16, -1, error_code, NULL),
	F(alter_user_scram_credentials_resp_result, "ErrorMessage", KT_STRING, 0, error_message, NULL),
};
static const struct kmsg ausc_resp_result_msg = { "alter_user_scram_credentials_resp_result",
	sizeof(struct alter_user_scram_credentials_resp_result), 3, ausc_resp_result_fields };

static const struct kfield ausc_response_fields[] = {
	F(alter_user_scram_credentials_response, "ThrottleTimeMs", KT_INT32, -1, throttle_time_ms, NULL),
	F(alter_user_scram_credentials_response, "Results", KT_ARRAY, -1, results, &ausc_resp_result_msg),
};
const struct kmsg alter_user_scram_credentials_response_msg = {
	"alter_user_scram_credentials_response",
	sizeof(struct alter_user_scram_credentials_response), 2, ausc_response_fields };
