/* DeleteRecords (API key 21) request and response schemas, v0-2. Field facts
 * from Kafka 3.8 DeleteRecordsRequest/Response.json; see messages.h. */
#include <stddef.h>
#include <stdint.h>

#include "common/proto/messages.h"

static const struct kfield delete_records_req_partition_fields[] = {
	{ "PartitionIndex", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct delete_records_req_partition, partition_index), NULL, 0 },
	{ "Offset", KT_INT64, 0, 0, KV_MAX, -1, -1, offsetof(struct delete_records_req_partition, offset), NULL, 0 },
};
static const struct kmsg delete_records_req_partition_msg = { "delete_records_req_partition", sizeof(struct delete_records_req_partition), 2, delete_records_req_partition_fields };

static const struct kfield delete_records_req_topic_fields[] = {
	{ "Name", KT_STRING, 0, 0, KV_MAX, -1, -1, offsetof(struct delete_records_req_topic, name), NULL, 0 },
	{ "Partitions", KT_ARRAY, 0, 0, KV_MAX, -1, -1, offsetof(struct delete_records_req_topic, partitions), &delete_records_req_partition_msg, 0 },
};
static const struct kmsg delete_records_req_topic_msg = { "delete_records_req_topic", sizeof(struct delete_records_req_topic), 2, delete_records_req_topic_fields };

static const struct kfield delete_records_request_fields[] = {
	{ "Topics", KT_ARRAY, 0, 0, KV_MAX, -1, -1, offsetof(struct delete_records_request, topics), &delete_records_req_topic_msg, 0 },
	{ "TimeoutMs", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct delete_records_request, timeout_ms), NULL, 0 },
};
const struct kmsg delete_records_request_msg = { "delete_records_request", sizeof(struct delete_records_request), 2, delete_records_request_fields };

static const struct kfield delete_records_resp_partition_fields[] = {
	{ "PartitionIndex", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct delete_records_resp_partition, partition_index), NULL, 0 },
	{ "LowWatermark", KT_INT64, 0, 0, KV_MAX, -1, -1, offsetof(struct delete_records_resp_partition, low_watermark), NULL, 0 },
	{ "ErrorCode", KT_INT16, 0, 0, KV_MAX, -1, -1, offsetof(struct delete_records_resp_partition, error_code), NULL, 0 },
};
static const struct kmsg delete_records_resp_partition_msg = { "delete_records_resp_partition", sizeof(struct delete_records_resp_partition), 3, delete_records_resp_partition_fields };

static const struct kfield delete_records_resp_topic_fields[] = {
	{ "Name", KT_STRING, 0, 0, KV_MAX, -1, -1, offsetof(struct delete_records_resp_topic, name), NULL, 0 },
	{ "Partitions", KT_ARRAY, 0, 0, KV_MAX, -1, -1, offsetof(struct delete_records_resp_topic, partitions), &delete_records_resp_partition_msg, 0 },
};
static const struct kmsg delete_records_resp_topic_msg = { "delete_records_resp_topic", sizeof(struct delete_records_resp_topic), 2, delete_records_resp_topic_fields };

static const struct kfield delete_records_response_fields[] = {
	{ "ThrottleTimeMs", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct delete_records_response, throttle_time_ms), NULL, 0 },
	{ "Topics", KT_ARRAY, 0, 0, KV_MAX, -1, -1, offsetof(struct delete_records_response, topics), &delete_records_resp_topic_msg, 0 },
};
const struct kmsg delete_records_response_msg = { "delete_records_response", sizeof(struct delete_records_response), 2, delete_records_response_fields };
