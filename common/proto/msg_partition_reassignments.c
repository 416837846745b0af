/* AlterPartitionReassignments (45) and ListPartitionReassignments (46), v0
 * (flexible from v0). Field facts from Kafka 3.9's
 * AlterPartitionReassignmentsRequest/Response.json and
 * ListPartitionReassignmentsRequest/Response.json; see messages.h. */
#include <stddef.h>
#include <stdint.h>

#include "common/proto/messages.h"

#define F(st, m) offsetof(struct st, m)

static const struct kfield apr_req_partition_fields[] = {
	{ "PartitionIndex", KT_INT32, 0, 0, KV_MAX, -1, -1, F(apr_req_partition, partition_index), NULL, 0 },
	{ "Replicas", KT_ARRAY, KT_INT32, 0, KV_MAX, 0, -1, F(apr_req_partition, replicas), NULL, 0 },
};
static const struct kmsg apr_req_partition_msg = { "apr_req_partition", sizeof(struct apr_req_partition), 2, apr_req_partition_fields };

static const struct kfield apr_req_topic_fields[] = {
	{ "Name", KT_STRING, 0, 0, KV_MAX, -1, -1, F(apr_req_topic, name), NULL, 0 },
	{ "Partitions", KT_ARRAY, 0, 0, KV_MAX, -1, -1, F(apr_req_topic, partitions), &apr_req_partition_msg, 0 },
};
static const struct kmsg apr_req_topic_msg = { "apr_req_topic", sizeof(struct apr_req_topic), 2, apr_req_topic_fields };

static const struct kfield apr_request_fields[] = {
	{ "TimeoutMs", KT_INT32, 0, 0, KV_MAX, -1, -1, F(alter_partition_reassignments_request, timeout_ms), NULL, 60000 },
	{ "Topics", KT_ARRAY, 0, 0, KV_MAX, -1, -1, F(alter_partition_reassignments_request, topics), &apr_req_topic_msg, 0 },
};
const struct kmsg alter_partition_reassignments_request_msg = { "alter_partition_reassignments_request", sizeof(struct alter_partition_reassignments_request), 2, apr_request_fields };

static const struct kfield apr_resp_partition_fields[] = {
	{ "PartitionIndex", KT_INT32, 0, 0, KV_MAX, -1, -1, F(apr_resp_partition, partition_index), NULL, 0 },
	{ "ErrorCode", KT_INT16, 0, 0, KV_MAX, -1, -1, F(apr_resp_partition, error_code), NULL, 0 },
	{ "ErrorMessage", KT_STRING, 0, 0, KV_MAX, 0, -1, F(apr_resp_partition, error_message), NULL, 0 },
};
static const struct kmsg apr_resp_partition_msg = { "apr_resp_partition", sizeof(struct apr_resp_partition), 3, apr_resp_partition_fields };

static const struct kfield apr_resp_topic_fields[] = {
	{ "Name", KT_STRING, 0, 0, KV_MAX, -1, -1, F(apr_resp_topic, name), NULL, 0 },
	{ "Partitions", KT_ARRAY, 0, 0, KV_MAX, -1, -1, F(apr_resp_topic, partitions), &apr_resp_partition_msg, 0 },
};
static const struct kmsg apr_resp_topic_msg = { "apr_resp_topic", sizeof(struct apr_resp_topic), 2, apr_resp_topic_fields };

static const struct kfield apr_response_fields[] = {
	{ "ThrottleTimeMs", KT_INT32, 0, 0, KV_MAX, -1, -1, F(alter_partition_reassignments_response, throttle_time_ms), NULL, 0 },
	{ "ErrorCode", KT_INT16, 0, 0, KV_MAX, -1, -1, F(alter_partition_reassignments_response, error_code), NULL, 0 },
	{ "ErrorMessage", KT_STRING, 0, 0, KV_MAX, 0, -1, F(alter_partition_reassignments_response, error_message), NULL, 0 },
	{ "Responses", KT_ARRAY, 0, 0, KV_MAX, -1, -1, F(alter_partition_reassignments_response, responses), &apr_resp_topic_msg, 0 },
};
const struct kmsg alter_partition_reassignments_response_msg = { "alter_partition_reassignments_response", sizeof(struct alter_partition_reassignments_response), 4, apr_response_fields };

static const struct kfield lpr_req_topic_fields[] = {
	{ "Name", KT_STRING, 0, 0, KV_MAX, -1, -1, F(lpr_req_topic, name), NULL, 0 },
	{ "PartitionIndexes", KT_ARRAY, KT_INT32, 0, KV_MAX, -1, -1, F(lpr_req_topic, partition_indexes), NULL, 0 },
};
static const struct kmsg lpr_req_topic_msg = { "lpr_req_topic", sizeof(struct lpr_req_topic), 2, lpr_req_topic_fields };

static const struct kfield lpr_request_fields[] = {
	{ "TimeoutMs", KT_INT32, 0, 0, KV_MAX, -1, -1, F(list_partition_reassignments_request, timeout_ms), NULL, 60000 },
	{ "Topics", KT_ARRAY, 0, 0, KV_MAX, 0, -1, F(list_partition_reassignments_request, topics), &lpr_req_topic_msg, 0 },
};
const struct kmsg list_partition_reassignments_request_msg = { "list_partition_reassignments_request", sizeof(struct list_partition_reassignments_request), 2, lpr_request_fields };

static const struct kfield lpr_resp_partition_fields[] = {
	{ "PartitionIndex", KT_INT32, 0, 0, KV_MAX, -1, -1, F(lpr_resp_partition, partition_index), NULL, 0 },
	{ "Replicas", KT_ARRAY, KT_INT32, 0, KV_MAX, -1, -1, F(lpr_resp_partition, replicas), NULL, 0 },
	{ "AddingReplicas", KT_ARRAY, KT_INT32, 0, KV_MAX, -1, -1, F(lpr_resp_partition, adding_replicas), NULL, 0 },
	{ "RemovingReplicas", KT_ARRAY, KT_INT32, 0, KV_MAX, -1, -1, F(lpr_resp_partition, removing_replicas), NULL, 0 },
};
static const struct kmsg lpr_resp_partition_msg = { "lpr_resp_partition", sizeof(struct lpr_resp_partition), 4, lpr_resp_partition_fields };

static const struct kfield lpr_resp_topic_fields[] = {
	{ "Name", KT_STRING, 0, 0, KV_MAX, -1, -1, F(lpr_resp_topic, name), NULL, 0 },
	{ "Partitions", KT_ARRAY, 0, 0, KV_MAX, -1, -1, F(lpr_resp_topic, partitions), &lpr_resp_partition_msg, 0 },
};
static const struct kmsg lpr_resp_topic_msg = { "lpr_resp_topic", sizeof(struct lpr_resp_topic), 2, lpr_resp_topic_fields };

static const struct kfield lpr_response_fields[] = {
	{ "ThrottleTimeMs", KT_INT32, 0, 0, KV_MAX, -1, -1, F(list_partition_reassignments_response, throttle_time_ms), NULL, 0 },
	{ "ErrorCode", KT_INT16, 0, 0, KV_MAX, -1, -1, F(list_partition_reassignments_response, error_code), NULL, 0 },
	{ "ErrorMessage", KT_STRING, 0, 0, KV_MAX, 0, -1, F(list_partition_reassignments_response, error_message), NULL, 0 },
	{ "Topics", KT_ARRAY, 0, 0, KV_MAX, -1, -1, F(list_partition_reassignments_response, topics), &lpr_resp_topic_msg, 0 },
};
const struct kmsg list_partition_reassignments_response_msg = { "list_partition_reassignments_response", sizeof(struct list_partition_reassignments_response), 4, lpr_response_fields };
