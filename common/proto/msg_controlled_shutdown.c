/* ControlledShutdown (API key 7) request and response schemas, v0-2. Field facts
 * from Kafka 3.8 ControlledShutdownRequest/Response.json; see messages.h. */
#include <stddef.h>
#include <stdint.h>

#include "common/proto/messages.h"

static const struct kfield controlled_shutdown_request_fields[] = {
	{ "BrokerId", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct controlled_shutdown_request, broker_id), NULL, 0 },
	{ "BrokerEpoch", KT_INT64, 0, 2, KV_MAX, -1, -1, offsetof(struct controlled_shutdown_request, broker_epoch), NULL, -1 },
};
const struct kmsg controlled_shutdown_request_msg = { "controlled_shutdown_request", sizeof(struct controlled_shutdown_request), 2, controlled_shutdown_request_fields };

static const struct kfield controlled_shutdown_resp_remaining_partition_fields[] = {
	{ "TopicName", KT_STRING, 0, 0, KV_MAX, -1, -1, offsetof(struct controlled_shutdown_resp_remaining_partition, topic_name), NULL, 0 },
	{ "PartitionIndex", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct controlled_shutdown_resp_remaining_partition, partition_index), NULL, 0 },
};
static const struct kmsg controlled_shutdown_resp_remaining_partition_msg = { "controlled_shutdown_resp_remaining_partition", sizeof(struct controlled_shutdown_resp_remaining_partition), 2, controlled_shutdown_resp_remaining_partition_fields };

static const struct kfield controlled_shutdown_response_fields[] = {
	{ "ErrorCode", KT_INT16, 0, 0, KV_MAX, -1, -1, offsetof(struct controlled_shutdown_response, error_code), NULL, 0 },
	{ "RemainingPartitions", KT_ARRAY, 0, 0, KV_MAX, -1, -1, offsetof(struct controlled_shutdown_response, remaining_partitions), &controlled_shutdown_resp_remaining_partition_msg, 0 },
};
const struct kmsg controlled_shutdown_response_msg = { "controlled_shutdown_response", sizeof(struct controlled_shutdown_response), 2, controlled_shutdown_response_fields };
