/* DescribeProducers (API key 61) request and response schemas, v0. Field facts
 * from Kafka 3.8 DescribeProducersRequest/Response.json; see messages.h. */
#include <stddef.h>
#include <stdint.h>

#include "common/proto/messages.h"

static const struct kfield describe_producers_req_topic_fields[] = {
	{ "Name", KT_STRING, 0, 0, KV_MAX, -1, -1, offsetof(struct describe_producers_req_topic, name), NULL, 0 },
	{ "PartitionIndexes", KT_ARRAY, KT_INT32, 0, KV_MAX, -1, -1, offsetof(struct describe_producers_req_topic, partition_indexes), NULL, 0 },
};
static const struct kmsg describe_producers_req_topic_msg = { "describe_producers_req_topic", sizeof(struct describe_producers_req_topic), 2, describe_producers_req_topic_fields };

static const struct kfield describe_producers_request_fields[] = {
	{ "Topics", KT_ARRAY, 0, 0, KV_MAX, -1, -1, offsetof(struct describe_producers_request, topics), &describe_producers_req_topic_msg, 0 },
};
const struct kmsg describe_producers_request_msg = { "describe_producers_request", sizeof(struct describe_producers_request), 1, describe_producers_request_fields };

static const struct kfield describe_producers_resp_producer_fields[] = {
	{ "ProducerId", KT_INT64, 0, 0, KV_MAX, -1, -1, offsetof(struct describe_producers_resp_producer, producer_id), NULL, 0 },
	{ "ProducerEpoch", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct describe_producers_resp_producer, producer_epoch), NULL, 0 },
	{ "LastSequence", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct describe_producers_resp_producer, last_sequence), NULL, -1 },
	{ "LastTimestamp", KT_INT64, 0, 0, KV_MAX, -1, -1, offsetof(struct describe_producers_resp_producer, last_timestamp), NULL, -1 },
	{ "CoordinatorEpoch", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct describe_producers_resp_producer, coordinator_epoch), NULL, 0 },
	{ "CurrentTxnStartOffset", KT_INT64, 0, 0, KV_MAX, -1, -1, offsetof(struct describe_producers_resp_producer, current_txn_start_offset), NULL, -1 },
};
static const struct kmsg describe_producers_resp_producer_msg = { "describe_producers_resp_producer", sizeof(struct describe_producers_resp_producer), 6, describe_producers_resp_producer_fields };

static const struct kfield describe_producers_resp_partition_fields[] = {
	{ "PartitionIndex", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct describe_producers_resp_partition, partition_index), NULL, 0 },
	{ "ErrorCode", KT_INT16, 0, 0, KV_MAX, -1, -1, offsetof(struct describe_producers_resp_partition, error_code), NULL, 0 },
	{ "ErrorMessage", KT_STRING, 0, 0, KV_MAX, 0, -1, offsetof(struct describe_producers_resp_partition, error_message), NULL, 0 },
	{ "ActiveProducers", KT_ARRAY, 0, 0, KV_MAX, -1, -1, offsetof(struct describe_producers_resp_partition, active_producers), &describe_producers_resp_producer_msg, 0 },
};
static const struct kmsg describe_producers_resp_partition_msg = { "describe_producers_resp_partition", sizeof(struct describe_producers_resp_partition), 4, describe_producers_resp_partition_fields };

static const struct kfield describe_producers_resp_topic_fields[] = {
	{ "Name", KT_STRING, 0, 0, KV_MAX, -1, -1, offsetof(struct describe_producers_resp_topic, name), NULL, 0 },
	{ "Partitions", KT_ARRAY, 0, 0, KV_MAX, -1, -1, offsetof(struct describe_producers_resp_topic, partitions), &describe_producers_resp_partition_msg, 0 },
};
static const struct kmsg describe_producers_resp_topic_msg = { "describe_producers_resp_topic", sizeof(struct describe_producers_resp_topic), 2, describe_producers_resp_topic_fields };

static const struct kfield describe_producers_response_fields[] = {
	{ "ThrottleTimeMs", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct describe_producers_response, throttle_time_ms), NULL, 0 },
	{ "Topics", KT_ARRAY, 0, 0, KV_MAX, -1, -1, offsetof(struct describe_producers_response, topics), &describe_producers_resp_topic_msg, 0 },
};
const struct kmsg describe_producers_response_msg = { "describe_producers_response", sizeof(struct describe_producers_response), 2, describe_producers_response_fields };
