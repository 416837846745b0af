/* WriteTxnMarkers (API key 27) request and response schemas, v0-1. Field facts
 * from Kafka 3.8 WriteTxnMarkersRequest/Response.json; see messages.h. */
#include <stddef.h>
#include <stdint.h>

#include "common/proto/messages.h"

static const struct kfield write_txn_markers_req_topic_fields[] = {
	{ "Name", KT_STRING, 0, 0, KV_MAX, -1, -1, offsetof(struct write_txn_markers_req_topic, name), NULL, 0 },
	{ "PartitionIndexes", KT_ARRAY, KT_INT32, 0, KV_MAX, -1, -1, offsetof(struct write_txn_markers_req_topic, partition_indexes), NULL, 0 },
};
static const struct kmsg write_txn_markers_req_topic_msg = { "write_txn_markers_req_topic", sizeof(struct write_txn_markers_req_topic), 2, write_txn_markers_req_topic_fields };

static const struct kfield write_txn_markers_req_marker_fields[] = {
	{ "ProducerId", KT_INT64, 0, 0, KV_MAX, -1, -1, offsetof(struct write_txn_markers_req_marker, producer_id), NULL, 0 },
	{ "ProducerEpoch", KT_INT16, 0, 0, KV_MAX, -1, -1, offsetof(struct write_txn_markers_req_marker, producer_epoch), NULL, 0 },
	{ "TransactionResult", KT_BOOL, 0, 0, KV_MAX, -1, -1, offsetof(struct write_txn_markers_req_marker, transaction_result), NULL, 0 },
	{ "Topics", KT_ARRAY, 0, 0, KV_MAX, -1, -1, offsetof(struct write_txn_markers_req_marker, topics), &write_txn_markers_req_topic_msg, 0 },
	{ "CoordinatorEpoch", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct write_txn_markers_req_marker, coordinator_epoch), NULL, 0 },
};
static const struct kmsg write_txn_markers_req_marker_msg = { "write_txn_markers_req_marker", sizeof(struct write_txn_markers_req_marker), 5, write_txn_markers_req_marker_fields };

static const struct kfield write_txn_markers_request_fields[] = {
	{ "Markers", KT_ARRAY, 0, 0, KV_MAX, -1, -1, offsetof(struct write_txn_markers_request, markers), &write_txn_markers_req_marker_msg, 0 },
};
const struct kmsg write_txn_markers_request_msg = { "write_txn_markers_request", sizeof(struct write_txn_markers_request), 1, write_txn_markers_request_fields };

static const struct kfield write_txn_markers_resp_partition_fields[] = {
	{ "PartitionIndex", KT_INT32, 0, 0, KV_MAX, -1, -1, offsetof(struct write_txn_markers_resp_partition, partition_index), NULL, 0 },
	{ "ErrorCode", KT_INT16, 0, 0, KV_MAX, -1, -1, offsetof(struct write_txn_markers_resp_partition, error_code), NULL, 0 },
};
static const struct kmsg write_txn_markers_resp_partition_msg = { "write_txn_markers_resp_partition", sizeof(struct write_txn_markers_resp_partition), 2, write_txn_markers_resp_partition_fields };

static const struct kfield write_txn_markers_resp_topic_fields[] = {
	{ "Name", KT_STRING, 0, 0, KV_MAX, -1, -1, offsetof(struct write_txn_markers_resp_topic, name), NULL, 0 },
	{ "Partitions", KT_ARRAY, 0, 0, KV_MAX, -1, -1, offsetof(struct write_txn_markers_resp_topic, partitions), &write_txn_markers_resp_partition_msg, 0 },
};
static const struct kmsg write_txn_markers_resp_topic_msg = { "write_txn_markers_resp_topic", sizeof(struct write_txn_markers_resp_topic), 2, write_txn_markers_resp_topic_fields };

static const struct kfield write_txn_markers_resp_marker_fields[] = {
	{ "ProducerId", KT_INT64, 0, 0, KV_MAX, -1, -1, offsetof(struct write_txn_markers_resp_marker, producer_id), NULL, 0 },
	{ "Topics", KT_ARRAY, 0, 0, KV_MAX, -1, -1, offsetof(struct write_txn_markers_resp_marker, topics), &write_txn_markers_resp_topic_msg, 0 },
};
static const struct kmsg write_txn_markers_resp_marker_msg = { "write_txn_markers_resp_marker", sizeof(struct write_txn_markers_resp_marker), 2, write_txn_markers_resp_marker_fields };

static const struct kfield write_txn_markers_response_fields[] = {
	{ "Markers", KT_ARRAY, 0, 0, KV_MAX, -1, -1, offsetof(struct write_txn_markers_response, markers), &write_txn_markers_resp_marker_msg, 0 },
};
const struct kmsg write_txn_markers_response_msg = { "write_txn_markers_response", sizeof(struct write_txn_markers_response), 1, write_txn_markers_response_fields };
