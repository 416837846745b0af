/* DescribeLogDirs (API key 35) request and response schemas, v0-4 (flexible
 * from v2; top-level ErrorCode from v3, TotalBytes/UsableBytes from v4).
 * Field facts from Kafka 3.9 DescribeLogDirsRequest/Response.json; see
 * messages.h. */
#include <stddef.h>
#include <stdint.h>

#include "common/proto/messages.h"

#define F(st, m) offsetof(struct st, m)

static const struct kfield dld_req_topic_fields[] = {
	{ "Topic", KT_STRING, 0, 0, KV_MAX, -1, -1, F(dld_req_topic, topic), NULL, 0 },
	{ "Partitions", KT_ARRAY, KT_INT32, 0, KV_MAX, -1, -1, F(dld_req_topic, partitions), NULL, 0 },
};
static const struct kmsg dld_req_topic_msg = { "dld_req_topic", sizeof(struct dld_req_topic), 2, dld_req_topic_fields };

static const struct kfield describe_log_dirs_request_fields[] = {
	{ "Topics", KT_ARRAY, 0, 0, KV_MAX, 0, -1, F(describe_log_dirs_request, topics), &dld_req_topic_msg, 0 },
};
const struct kmsg describe_log_dirs_request_msg = { "describe_log_dirs_request", sizeof(struct describe_log_dirs_request), 1, describe_log_dirs_request_fields };

static const struct kfield dld_resp_partition_fields[] = {
	{ "PartitionIndex", KT_INT32, 0, 0, KV_MAX, -1, -1, F(dld_resp_partition, partition_index), NULL, 0 },
	{ "PartitionSize", KT_INT64, 0, 0, KV_MAX, -1, -1, F(dld_resp_partition, partition_size), NULL, 0 },
	{ "OffsetLag", KT_INT64, 0, 0, KV_MAX, -1, -1, F(dld_resp_partition, offset_lag), NULL, 0 },
	{ "IsFutureKey", KT_BOOL, 0, 0, KV_MAX, -1, -1, F(dld_resp_partition, is_future_key), NULL, 0 },
};
static const struct kmsg dld_resp_partition_msg = { "dld_resp_partition", sizeof(struct dld_resp_partition), 4, dld_resp_partition_fields };

static const struct kfield dld_resp_topic_fields[] = {
	{ "Name", KT_STRING, 0, 0, KV_MAX, -1, -1, F(dld_resp_topic, name), NULL, 0 },
	{ "Partitions", KT_ARRAY, 0, 0, KV_MAX, -1, -1, F(dld_resp_topic, partitions), &dld_resp_partition_msg, 0 },
};
static const struct kmsg dld_resp_topic_msg = { "dld_resp_topic", sizeof(struct dld_resp_topic), 2, dld_resp_topic_fields };

static const struct kfield dld_resp_result_fields[] = {
	{ "ErrorCode", KT_INT16, 0, 0, KV_MAX, -1, -1, F(dld_resp_result, error_code), NULL, 0 },
	{ "LogDir", KT_STRING, 0, 0, KV_MAX, -1, -1, F(dld_resp_result, log_dir), NULL, 0 },
	{ "Topics", KT_ARRAY, 0, 0, KV_MAX, -1, -1, F(dld_resp_result, topics), &dld_resp_topic_msg, 0 },
	{ "TotalBytes", KT_INT64, 0, 4, KV_MAX, -1, -1, F(dld_resp_result, total_bytes), NULL, -1 },
	{ "UsableBytes", KT_INT64, 0, 4, KV_MAX, -1, -1, F(dld_resp_result, usable_bytes), NULL, -1 },
};
static const struct kmsg dld_resp_result_msg = { "dld_resp_result", sizeof(struct dld_resp_result), 5, dld_resp_result_fields };

static const struct kfield describe_log_dirs_response_fields[] = {
	{ "ThrottleTimeMs", KT_INT32, 0, 0, KV_MAX, -1, -1, F(describe_log_dirs_response, throttle_time_ms), NULL, 0 },
	{ "ErrorCode", KT_INT16, 0, 3, KV_MAX, -1, -1, F(describe_log_dirs_response, error_code), NULL, 0 },
	{ "Results", KT_ARRAY, 0, 0, KV_MAX, -1, -1, F(describe_log_dirs_response, results), &dld_resp_result_msg, 0 },
};
const struct kmsg describe_log_dirs_response_msg = { "describe_log_dirs_response", sizeof(struct describe_log_dirs_response), 3, describe_log_dirs_response_fields };
