/* ElectLeaders (API key 43) request and response schemas, v0-2 (flexible
 * from v2; ElectionType and the top-level ErrorCode from v1). Field facts
 * from Kafka 3.9 ElectLeadersRequest/Response.json; see messages.h. */
#include <stddef.h>
#include <stdint.h>

#include "common/proto/messages.h"

#define F(st, m) offsetof(struct st, m)

static const struct kfield elr_req_topic_fields[] = {
	{ "Topic", KT_STRING, 0, 0, KV_MAX, -1, -1, F(elr_req_topic, topic), NULL, 0 },
	{ "Partitions", KT_ARRAY, KT_INT32, 0, KV_MAX, -1, -1, F(elr_req_topic, partitions), NULL, 0 },
};
static const struct kmsg elr_req_topic_msg = { "elr_req_topic", sizeof(struct elr_req_topic), 2, elr_req_topic_fields };

static const struct kfield elect_leaders_request_fields[] = {
	{ "ElectionType", KT_INT8, 0, 1, KV_MAX, -1, -1, F(elect_leaders_request, election_type), NULL, 0 },
	{ "TopicPartitions", KT_ARRAY, 0, 0, KV_MAX, 0, -1, F(elect_leaders_request, topic_partitions), &elr_req_topic_msg, 0 },
	{ "TimeoutMs", KT_INT32, 0, 0, KV_MAX, -1, -1, F(elect_leaders_request, timeout_ms), NULL, 60000 },
};
const struct kmsg elect_leaders_request_msg = { "elect_leaders_request", sizeof(struct elect_leaders_request), 3, elect_leaders_request_fields };

static const struct kfield elr_resp_partition_fields[] = {
	{ "PartitionId", KT_INT32, 0, 0, KV_MAX, -1, -1, F(elr_resp_partition, partition_id), NULL, 0 },
	{ "ErrorCode", KT_INT16, 0, 0, KV_MAX, -1, -1, F(elr_resp_partition, error_code), NULL, 0 },
	{ "ErrorMessage", KT_STRING, 0, 0, KV_MAX, 0, -1, F(elr_resp_partition, error_message), NULL, 0 },
};
static const struct kmsg elr_resp_partition_msg = { "elr_resp_partition", sizeof(struct elr_resp_partition), 3, elr_resp_partition_fields };

static const struct kfield elr_resp_topic_fields[] = {
	{ "Topic", KT_STRING, 0, 0, KV_MAX, -1, -1, F(elr_resp_topic, topic), NULL, 0 },
	{ "PartitionResult", KT_ARRAY, 0, 0, KV_MAX, -1, -1, F(elr_resp_topic, partition_result), &elr_resp_partition_msg, 0 },
};
static const struct kmsg elr_resp_topic_msg = { "elr_resp_topic", sizeof(struct elr_resp_topic), 2, elr_resp_topic_fields };

static const struct kfield elect_leaders_response_fields[] = {
	{ "ThrottleTimeMs", KT_INT32, 0, 0, KV_MAX, -1, -1, F(elect_leaders_response, throttle_time_ms), NULL, 0 },
	{ "ErrorCode", KT_INT16, 0, 1, KV_MAX, -1, -1, F(elect_leaders_response, error_code), NULL, 0 },
	{ "ReplicaElectionResults", KT_ARRAY, 0, 0, KV_MAX, -1, -1, F(elect_leaders_response, replica_election_results), &elr_resp_topic_msg, 0 },
};
const struct kmsg elect_leaders_response_msg = { "elect_leaders_response", sizeof(struct elect_leaders_response), 3, elect_leaders_response_fields };
