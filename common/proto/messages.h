/* Every Kafka request and response Gregor speaks, as plain C structs: the
 * table of contents for handler writers. Field names are Kafka's JSON names in
 * snake_case; comments give the versions a field exists in (absent fields
 * decode as their default), nullability and tags. Strings/bytes point into the
 * request buffer; arrays (struct karray: n, v) live in the request arena.
 * Schemas <api>_request_msg / <api>_response_msg drive kcodec_decode/encode;
 * struct kapi (apis.h) tells which version is flexible. Versions described:
 *
 *   Produce                key  0  v0-7
 *   Fetch                  key  1  v0-17  flexible v12+
 *   ListOffsets            key  2  v0-5
 *   Metadata               key  3  v0-9  flexible v9+
 *   LeaderAndIsr           key  4  v0-2
 *   StopReplica            key  5  v0-1
 *   UpdateMetadata         key  6  v0-7  flexible v6+
 *   ControlledShutdown     key  7  v0-2
 *   OffsetCommit           key  8  v0-8  flexible v8+
 *   OffsetFetch            key  9  v0-8  flexible v6+
 *   FindCoordinator        key 10  v0-4  flexible v3+
 *   JoinGroup              key 11  v0-7  flexible v6+
 *   Heartbeat              key 12  v0-4  flexible v4+
 *   LeaveGroup             key 13  v0-5  flexible v4+
 *   SyncGroup              key 14  v0-5  flexible v4+
 *   DescribeGroups         key 15  v0-5  flexible v5+
 *   ListGroups             key 16  v0-4  flexible v3+
 *   SaslHandshake          key 17  v0-1
 *   ApiVersions            key 18  v0-3  flexible v3+
 *   CreateTopics           key 19  v0-7  flexible v5+
 *   DeleteTopics           key 20  v0-6  flexible v4+
 *   DeleteRecords          key 21  v0-2  flexible v2+
 *   InitProducerId         key 22  v0-4  flexible v2+
 *   OffsetForLeaderEpoch   key 23  v0-3
 *   AddPartitionsToTxn     key 24  v0-4  flexible v3+
 *   AddOffsetsToTxn        key 25  v0-3  flexible v3+
 *   EndTxn                 key 26  v0-3  flexible v3+
 *   WriteTxnMarkers        key 27  v0-1  flexible v1+
 *   TxnOffsetCommit        key 28  v0-3  flexible v3+
 *   DescribeAcls           key 29  v0-2  flexible v2+
 *   CreateAcls             key 30  v0-2  flexible v2+
 *   DeleteAcls             key 31  v0-2  flexible v2+
 *   DescribeConfigs        key 32  v0-2
 *   AlterConfigs           key 33  v0-2  flexible v2+
 *   DescribeLogDirs        key 35  v0-4  flexible v2+
 *   SaslAuthenticate       key 36  v0-2  flexible v2+
 *   CreatePartitions       key 37  v0-1
 *   DeleteGroups           key 42  v0-2  flexible v2+
 *   ElectLeaders           key 43  v0-2  flexible v2+
 *   IncrementalAlterConfigs key 44 v0-1  flexible v1+
 *   AlterPartitionReassignments key 45 v0 flexible v0+
 *   ListPartitionReassignments key 46 v0 flexible v0+
 *   OffsetDelete           key 47  v0
 *   DescribeClientQuotas   key 48  v0-1  flexible v1+
 *   AlterClientQuotas      key 49  v0-1  flexible v1+
 *   DescribeUserScramCredentials key 50 v0 flexible v0+
 *   AlterUserScramCredentials key 51 v0 flexible v0+
 *   DescribeCluster        key 60  v0  flexible v0+
 *   DescribeProducers      key 61  v0  flexible v0+
 *   DescribeTransactions   key 65  v0  flexible v0+
 *   ListTransactions       key 66  v0  flexible v0+
 */
#ifndef GREGOR_MESSAGES_H
#define GREGOR_MESSAGES_H

#include <stdint.h>

#include "common/proto/codec.h"

/* ==== Produce (key 0), v0-11, flexible from v9 ==== */

struct produce_req_partition {
	int32_t index; /* v0+ */
	struct krecords records; /* v0+, nullable v0+ */
};

struct produce_req_topic {
	struct kstr name; /* v0+ */
	struct karray partition_data; /* v0+, of struct produce_req_partition */
};

struct produce_request {
	struct kstr transactional_id; /* v3+, nullable v3+ */
	int16_t acks; /* v0+ */
	int32_t timeout_ms; /* v0+ */
	struct karray topic_data; /* v0+, of struct produce_req_topic */
};

struct produce_resp_batch_error {
	int32_t batch_index; /* v8+ */
	struct kstr batch_index_error_message; /* v8+, nullable v8+ */
};

struct produce_resp_leader {
	int32_t leader_id; /* v10+, default -1 */
	int32_t leader_epoch; /* v10+, default -1 */
};

struct produce_resp_node_endpoint {
	int32_t node_id; /* v10+ */
	struct kstr host; /* v10+ */
	int32_t port; /* v10+ */
	struct kstr rack; /* v10+, nullable v10+ */
};

struct produce_resp_partition {
	int32_t index; /* v0+ */
	int16_t error_code; /* v0+ */
	int64_t base_offset; /* v0+ */
	int64_t log_append_time_ms; /* v2+, default -1 */
	int64_t log_start_offset; /* v5+, default -1 */
	struct karray record_errors; /* v8+, of struct produce_resp_batch_error */
	struct kstr error_message; /* v8+, nullable v8+ */
	struct produce_resp_leader current_leader; /* v10+, tag 0 */
};

struct produce_resp_topic {
	struct kstr name; /* v0+ */
	struct karray partition_responses; /* v0+, of struct produce_resp_partition */
};

struct produce_response {
	struct karray responses; /* v0+, of struct produce_resp_topic */
	int32_t throttle_time_ms; /* v1+ */
	struct karray node_endpoints; /* v10+, tag 0, of struct produce_resp_node_endpoint */
};

extern const struct kmsg produce_request_msg;
extern const struct kmsg produce_response_msg;

/* ==== Fetch (key 1), v0-17, flexible from v12 ==== */

struct fetch_req_partition {
	int32_t partition; /* v0+ */
	int32_t current_leader_epoch; /* v9+, default -1 */
	int64_t fetch_offset; /* v0+ */
	int32_t last_fetched_epoch; /* v12+, default -1 */
	int64_t log_start_offset; /* v5+, default -1 */
	int32_t partition_max_bytes; /* v0+ */
	uint8_t replica_directory_id[16]; /* v17+, tag 0 */
};

struct fetch_req_topic {
	struct kstr topic; /* v0-12 */
	uint8_t topic_id[16]; /* v13+ */
	struct karray partitions; /* v0+, of struct fetch_req_partition */
};

struct fetch_req_forgotten_topic {
	struct kstr topic; /* v7-12 */
	uint8_t topic_id[16]; /* v13+ */
	struct karray partitions; /* v7+, of int32_t */
};

struct fetch_req_replica_state {
	int32_t replica_id; /* v15+, default -1 */
	int64_t replica_epoch; /* v15+, default -1 */
};

struct fetch_request {
	struct kstr cluster_id; /* v12+, nullable v12+, tag 0 */
	int32_t replica_id; /* v0-14, default -1 (v15+: replica_state's) */
	struct fetch_req_replica_state replica_state; /* v15+, tag 1 */
	int32_t max_wait_ms; /* v0+ */
	int32_t min_bytes; /* v0+ */
	int32_t max_bytes; /* v3+, default 2147483647 */
	int8_t isolation_level; /* v4+ */
	int32_t session_id; /* v7+ */
	int32_t session_epoch; /* v7+, default -1 */
	struct karray topics; /* v0+, of struct fetch_req_topic */
	struct karray forgotten_topics_data; /* v7+, of struct fetch_req_forgotten_topic */
	struct kstr rack_id; /* v11+ */
};

struct fetch_resp_epoch_end_offset {
	int32_t epoch; /* v12+, default -1 */
	int64_t end_offset; /* v12+, default -1 */
};

struct fetch_resp_leader_id_and_epoch {
	int32_t leader_id; /* v12+, default -1 */
	int32_t leader_epoch; /* v12+, default -1 */
};

struct fetch_resp_snapshot_id {
	int64_t end_offset; /* v0+, default -1 */
	int32_t epoch; /* v0+, default -1 */
};

struct fetch_resp_aborted_transaction {
	int64_t producer_id; /* v4+ */
	int64_t first_offset; /* v4+ */
};

struct fetch_resp_partition {
	int32_t partition_index; /* v0+ */
	int16_t error_code; /* v0+ */
	int64_t high_watermark; /* v0+ */
	int64_t last_stable_offset; /* v4+, default -1 */
	int64_t log_start_offset; /* v5+, default -1 */
	struct fetch_resp_epoch_end_offset diverging_epoch; /* v12+, tag 0 */
	struct fetch_resp_leader_id_and_epoch current_leader; /* v12+, tag 1 */
	struct fetch_resp_snapshot_id snapshot_id; /* v12+, tag 2 */
	struct karray aborted_transactions; /* v4+, nullable v4+, of struct fetch_resp_aborted_transaction */
	int32_t preferred_read_replica; /* v11+, default -1 */
	struct krecords records; /* v0+, nullable v0+ */
};

struct fetch_resp_topic {
	struct kstr topic; /* v0-12 */
	uint8_t topic_id[16]; /* v13+ */
	struct karray partitions; /* v0+, of struct fetch_resp_partition */
};

struct fetch_resp_node_endpoint {
	int32_t node_id; /* v16+ */
	struct kstr host; /* v16+ */
	int32_t port; /* v16+ */
	struct kstr rack; /* v16+, nullable v16+ */
};

struct fetch_response {
	int32_t throttle_time_ms; /* v1+ */
	int16_t error_code; /* v7+ */
	int32_t session_id; /* v7+ */
	struct karray responses; /* v0+, of struct fetch_resp_topic */
	struct karray node_endpoints; /* v16+, tag 0, of struct fetch_resp_node_endpoint */
};

extern const struct kmsg fetch_request_msg;
extern const struct kmsg fetch_response_msg;

/* ==== ListOffsets (key 2), v0-5 ==== */

struct list_offsets_req_partition {
	int32_t partition_index; /* v0+ */
	int32_t current_leader_epoch; /* v4+, default -1 */
	int64_t timestamp; /* v0+ */
	int32_t max_num_offsets; /* v0, default 1 */
};

struct list_offsets_req_topic {
	struct kstr name; /* v0+ */
	struct karray partitions; /* v0+, of struct list_offsets_req_partition */
};

struct list_offsets_request {
	int32_t replica_id; /* v0+ */
	int8_t isolation_level; /* v2+ */
	struct karray topics; /* v0+, of struct list_offsets_req_topic */
};

struct list_offsets_resp_partition {
	int32_t partition_index; /* v0+ */
	int16_t error_code; /* v0+ */
	struct karray old_style_offsets; /* v0, of int64_t */
	int64_t timestamp; /* v1+, default -1 */
	int64_t offset; /* v1+, default -1 */
	int32_t leader_epoch; /* v4+, default -1 */
};

struct list_offsets_resp_topic {
	struct kstr name; /* v0+ */
	struct karray partitions; /* v0+, of struct list_offsets_resp_partition */
};

struct list_offsets_response {
	int32_t throttle_time_ms; /* v2+ */
	struct karray topics; /* v0+, of struct list_offsets_resp_topic */
};

extern const struct kmsg list_offsets_request_msg;
extern const struct kmsg list_offsets_response_msg;

/* ==== Metadata (key 3), v0-9, flexible from v9 ==== */

struct metadata_req_topic {
	uint8_t topic_id[16]; /* v10+ */
	struct kstr name; /* v0+, nullable v10+ */
};

struct metadata_request {
	struct karray topics; /* v0+, nullable v1+, of struct metadata_req_topic */
	uint8_t allow_auto_topic_creation; /* v4+, default 1 */
	uint8_t include_cluster_authorized_operations; /* v8-10 */
	uint8_t include_topic_authorized_operations; /* v8+ */
};

struct metadata_resp_broker {
	int32_t node_id; /* v0+ */
	struct kstr host; /* v0+ */
	int32_t port; /* v0+ */
	struct kstr rack; /* v1+, nullable v1+ */
};

struct metadata_resp_partition {
	int16_t error_code; /* v0+ */
	int32_t partition_index; /* v0+ */
	int32_t leader_id; /* v0+ */
	int32_t leader_epoch; /* v7+, default -1 */
	struct karray replica_nodes; /* v0+, of int32_t */
	struct karray isr_nodes; /* v0+, of int32_t */
	struct karray offline_replicas; /* v5+, of int32_t */
};

struct metadata_resp_topic {
	int16_t error_code; /* v0+ */
	struct kstr name; /* v0+, nullable v12+ */
	uint8_t topic_id[16]; /* v10+ */
	uint8_t is_internal; /* v1+ */
	struct karray partitions; /* v0+, of struct metadata_resp_partition */
	int32_t topic_authorized_operations; /* v8+, default -2147483648 */
};

struct metadata_response {
	int32_t throttle_time_ms; /* v3+ */
	struct karray brokers; /* v0+, of struct metadata_resp_broker */
	struct kstr cluster_id; /* v2+, nullable v2+ */
	int32_t controller_id; /* v1+, default -1 */
	struct karray topics; /* v0+, of struct metadata_resp_topic */
	int32_t cluster_authorized_operations; /* v8-10, default -2147483648 */
};

extern const struct kmsg metadata_request_msg;
extern const struct kmsg metadata_response_msg;

/* ==== LeaderAndIsr (key 4), v0-2 ==== */

struct leader_and_isr_req_partition_state {
	struct kstr topic_name; /* v0-1 */
	int32_t partition_index; /* v0+ */
	int32_t controller_epoch; /* v0+ */
	int32_t leader; /* v0+ */
	int32_t leader_epoch; /* v0+ */
	struct karray isr; /* v0+, of int32_t */
	int32_t partition_epoch; /* v0+ */
	struct karray replicas; /* v0+, of int32_t */
	uint8_t is_new; /* v1+ */
};

struct leader_and_isr_req_topic_state {
	struct kstr topic_name; /* v2+ */
	struct karray partition_states; /* v2+, of struct leader_and_isr_req_partition_state */
};

struct leader_and_isr_req_live_leader {
	int32_t broker_id; /* v0+ */
	struct kstr host_name; /* v0+ */
	int32_t port; /* v0+ */
};

struct leader_and_isr_request {
	int32_t controller_id; /* v0+ */
	int32_t controller_epoch; /* v0+ */
	int64_t broker_epoch; /* v2+, default -1 */
	struct karray ungrouped_partition_states; /* v0-1, of struct leader_and_isr_req_partition_state */
	struct karray topic_states; /* v2+, of struct leader_and_isr_req_topic_state */
	struct karray live_leaders; /* v0+, of struct leader_and_isr_req_live_leader */
};

struct leader_and_isr_resp_partition_error {
	struct kstr topic_name; /* v0+ */
	int32_t partition_index; /* v0+ */
	int16_t error_code; /* v0+ */
};

struct leader_and_isr_response {
	int16_t error_code; /* v0+ */
	struct karray partition_errors; /* v0+, of struct leader_and_isr_resp_partition_error */
};

extern const struct kmsg leader_and_isr_request_msg;
extern const struct kmsg leader_and_isr_response_msg;

/* ==== StopReplica (key 5), v0-1 ==== */

struct stop_replica_req_partition_v0 {
	struct kstr topic_name; /* v0 */
	int32_t partition_index; /* v0 */
};

struct stop_replica_req_topic_v1 {
	struct kstr name; /* v1+ */
	struct karray partition_indexes; /* v1+, of int32_t */
};

struct stop_replica_request {
	int32_t controller_id; /* v0+ */
	int32_t controller_epoch; /* v0+ */
	int64_t broker_epoch; /* v1+, default -1 */
	uint8_t delete_partitions; /* v0+ */
	struct karray ungrouped_partitions; /* v0, of struct stop_replica_req_partition_v0 */
	struct karray topics; /* v1+, of struct stop_replica_req_topic_v1 */
};

struct stop_replica_resp_partition_error {
	struct kstr topic_name; /* v0+ */
	int32_t partition_index; /* v0+ */
	int16_t error_code; /* v0+ */
};

struct stop_replica_response {
	int16_t error_code; /* v0+ */
	struct karray partition_errors; /* v0+, of struct stop_replica_resp_partition_error */
};

extern const struct kmsg stop_replica_request_msg;
extern const struct kmsg stop_replica_response_msg;

/* ==== UpdateMetadata (key 6), v0-5 ==== */

struct update_metadata_req_partition_state {
	struct kstr topic_name; /* v0-4 */
	int32_t partition_index; /* v0+ */
	int32_t controller_epoch; /* v0+ */
	int32_t leader; /* v0+ */
	int32_t leader_epoch; /* v0+ */
	struct karray isr; /* v0+, of int32_t */
	int32_t zk_version; /* v0+ */
	struct karray replicas; /* v0+, of int32_t */
	struct karray offline_replicas; /* v4+, of int32_t */
};

struct update_metadata_req_topic_state {
	struct kstr topic_name; /* v5+ */
	uint8_t topic_id[16]; /* v7+ */
	struct karray partition_states; /* v5+, of struct update_metadata_req_partition_state */
};

struct update_metadata_req_endpoint {
	int32_t port; /* v1+ */
	struct kstr host; /* v1+ */
	struct kstr listener; /* v3+ */
	int16_t security_protocol; /* v1+ */
};

struct update_metadata_req_broker {
	int32_t id; /* v0+ */
	struct kstr v0_host; /* v0 */
	int32_t v0_port; /* v0 */
	struct karray endpoints; /* v1+, of struct update_metadata_req_endpoint */
	struct kstr rack; /* v2+, nullable v0+ */
};

struct update_metadata_request {
	int32_t controller_id; /* v0+ */
	int32_t controller_epoch; /* v0+ */
	int64_t broker_epoch; /* v5+, default -1 */
	struct karray ungrouped_partition_states; /* v0-4, of struct update_metadata_req_partition_state */
	struct karray topic_states; /* v5+, of struct update_metadata_req_topic_state */
	struct karray live_brokers; /* v0+, of struct update_metadata_req_broker */
};

struct update_metadata_response {
	int16_t error_code; /* v0+ */
};

extern const struct kmsg update_metadata_request_msg;
extern const struct kmsg update_metadata_response_msg;

/* ==== ControlledShutdown (key 7), v0-2 ==== */

struct controlled_shutdown_request {
	int32_t broker_id; /* v0+ */
	int64_t broker_epoch; /* v2+, default -1 */
};

struct controlled_shutdown_resp_remaining_partition {
	struct kstr topic_name; /* v0+ */
	int32_t partition_index; /* v0+ */
};

struct controlled_shutdown_response {
	int16_t error_code; /* v0+ */
	struct karray remaining_partitions; /* v0+, of struct controlled_shutdown_resp_remaining_partition */
};

extern const struct kmsg controlled_shutdown_request_msg;
extern const struct kmsg controlled_shutdown_response_msg;

/* ==== ApiVersions (key 18), v0-3, flexible from v3 ==== */

struct api_versions_request {
	struct kstr client_software_name; /* v3+ */
	struct kstr client_software_version; /* v3+ */
};

struct api_versions_resp_api_key {
	int16_t api_key; /* v0+ */
	int16_t min_version; /* v0+ */
	int16_t max_version; /* v0+ */
};

struct api_versions_resp_supported_feature {
	struct kstr name; /* v3+ */
	int16_t min_version; /* v3+ */
	int16_t max_version; /* v3+ */
};

struct api_versions_resp_finalized_feature {
	struct kstr name; /* v3+ */
	int16_t max_version_level; /* v3+ */
	int16_t min_version_level; /* v3+ */
};

struct api_versions_response {
	int16_t error_code; /* v0+ */
	struct karray api_keys; /* v0+, of struct api_versions_resp_api_key */
	int32_t throttle_time_ms; /* v1+ */
	struct karray supported_features; /* v3+, tag 0, of struct api_versions_resp_supported_feature */
	int64_t finalized_features_epoch; /* v3+, tag 1, default -1 */
	struct karray finalized_features; /* v3+, tag 2, of struct api_versions_resp_finalized_feature */
	uint8_t zk_migration_ready; /* v3+, tag 3 */
};

extern const struct kmsg api_versions_request_msg;
extern const struct kmsg api_versions_response_msg;

/* ==== CreateTopics (key 19), v0-7, flexible from v5 ==== */

struct create_topics_req_assignment {
	int32_t partition_index; /* v0+ */
	struct karray broker_ids; /* v0+, of int32_t */
};

struct create_topics_req_config {
	struct kstr name; /* v0+ */
	struct kstr value; /* v0+, nullable v0+ */
};

struct create_topics_req_topic {
	struct kstr name; /* v0+ */
	int32_t num_partitions; /* v0+ */
	int16_t replication_factor; /* v0+ */
	struct karray assignments; /* v0+, of struct create_topics_req_assignment */
	struct karray configs; /* v0+, of struct create_topics_req_config */
};

struct create_topics_request {
	struct karray topics; /* v0+, of struct create_topics_req_topic */
	int32_t timeout_ms; /* v0+, default 60000 */
	uint8_t validate_only; /* v1+ */
};

struct create_topics_resp_config {
	struct kstr name; /* v5+ */
	struct kstr value; /* v5+, nullable v5+ */
	uint8_t read_only; /* v5+ */
	int8_t config_source; /* v5+, default -1 */
	uint8_t is_sensitive; /* v5+ */
};

struct create_topics_resp_topic {
	struct kstr name; /* v0+ */
	uint8_t topic_id[16]; /* v7+ */
	int16_t error_code; /* v0+ */
	struct kstr error_message; /* v1+, nullable v0+ */
	int16_t topic_config_error_code; /* v5+, tag 0 */
	int32_t num_partitions; /* v5+, default -1 */
	int16_t replication_factor; /* v5+, default -1 */
	struct karray configs; /* v5+, nullable v5+, of struct create_topics_resp_config */
};

struct create_topics_response {
	int32_t throttle_time_ms; /* v2+ */
	struct karray topics; /* v0+, of struct create_topics_resp_topic */
};

extern const struct kmsg create_topics_request_msg;
extern const struct kmsg create_topics_response_msg;

/* ==== DeleteTopics (key 20), v0-6, flexible from v4 ==== */

struct delete_topics_req_topic {
	struct kstr name; /* v6+, nullable v6+ */
	uint8_t topic_id[16]; /* v6+ */
};

struct delete_topics_request {
	struct karray topics; /* v6+, of struct delete_topics_req_topic */
	struct karray topic_names; /* v0-5, of struct kstr */
	int32_t timeout_ms; /* v0+ */
};

struct delete_topics_resp_topic {
	struct kstr name; /* v0+, nullable v6+ */
	uint8_t topic_id[16]; /* v6+ */
	int16_t error_code; /* v0+ */
	struct kstr error_message; /* v5+, nullable v5+ */
};

struct delete_topics_response {
	int32_t throttle_time_ms; /* v1+ */
	struct karray responses; /* v0+, of struct delete_topics_resp_topic */
};

extern const struct kmsg delete_topics_request_msg;
extern const struct kmsg delete_topics_response_msg;

/* ==== OffsetForLeaderEpoch (key 23), v0-3 ==== */

struct offset_for_leader_epoch_req_partition {
	int32_t partition; /* v0+ */
	int32_t current_leader_epoch; /* v2+, default -1 */
	int32_t leader_epoch; /* v0+ */
};

struct offset_for_leader_epoch_req_topic {
	struct kstr topic; /* v0+ */
	struct karray partitions; /* v0+, of struct offset_for_leader_epoch_req_partition */
};

struct offset_for_leader_epoch_request {
	int32_t replica_id; /* v3+, default -2 */
	struct karray topics; /* v0+, of struct offset_for_leader_epoch_req_topic */
};

struct offset_for_leader_epoch_resp_partition {
	int16_t error_code; /* v0+ */
	int32_t partition; /* v0+ */
	int32_t leader_epoch; /* v1+, default -1 */
	int64_t end_offset; /* v0+, default -1 */
};

struct offset_for_leader_epoch_resp_topic {
	struct kstr topic; /* v0+ */
	struct karray partitions; /* v0+, of struct offset_for_leader_epoch_resp_partition */
};

struct offset_for_leader_epoch_response {
	int32_t throttle_time_ms; /* v2+ */
	struct karray topics; /* v0+, of struct offset_for_leader_epoch_resp_topic */
};

extern const struct kmsg offset_for_leader_epoch_request_msg;
extern const struct kmsg offset_for_leader_epoch_response_msg;

/* ==== DescribeConfigs (key 32), v0-2 ==== */

struct describe_configs_req_resource {
	int8_t resource_type; /* v0+ */
	struct kstr resource_name; /* v0+ */
	struct karray configuration_keys; /* v0+, nullable v0+, of struct kstr */
};

struct describe_configs_request {
	struct karray resources; /* v0+, of struct describe_configs_req_resource */
	uint8_t include_synonyms; /* v1+ */
	uint8_t include_documentation; /* v3+ */
};

struct describe_configs_resp_synonym {
	struct kstr name; /* v1+ */
	struct kstr value; /* v1+, nullable v0+ */
	int8_t source; /* v1+ */
};

struct describe_configs_resp_config {
	struct kstr name; /* v0+ */
	struct kstr value; /* v0+, nullable v0+ */
	uint8_t read_only; /* v0+ */
	uint8_t is_default; /* v0 */
	int8_t config_source; /* v1+, default -1 */
	uint8_t is_sensitive; /* v0+ */
	struct karray synonyms; /* v1+, of struct describe_configs_resp_synonym */
	int8_t config_type; /* v3+ (0 UNKNOWN, 1 BOOLEAN, 2 STRING, 3 INT, 4 SHORT, 5 LONG, 6 DOUBLE, 7 LIST, 8 CLASS, 9 PASSWORD) */
	struct kstr documentation; /* v3+, nullable v0+ */
};

struct describe_configs_resp_result {
	int16_t error_code; /* v0+ */
	struct kstr error_message; /* v0+, nullable v0+ */
	int8_t resource_type; /* v0+ */
	struct kstr resource_name; /* v0+ */
	struct karray configs; /* v0+, of struct describe_configs_resp_config */
};

struct describe_configs_response {
	int32_t throttle_time_ms; /* v0+ */
	struct karray results; /* v0+, of struct describe_configs_resp_result */
};

extern const struct kmsg describe_configs_request_msg;
extern const struct kmsg describe_configs_response_msg;

/* ==== CreatePartitions (key 37), v0-1 ==== */

struct create_partitions_req_assignment {
	struct karray broker_ids; /* v0+, of int32_t */
};

struct create_partitions_req_topic {
	struct kstr name; /* v0+ */
	int32_t count; /* v0+ */
	struct karray assignments; /* v0+, nullable v0+, of struct create_partitions_req_assignment */
};

struct create_partitions_request {
	struct karray topics; /* v0+, of struct create_partitions_req_topic */
	int32_t timeout_ms; /* v0+ */
	uint8_t validate_only; /* v0+ */
};

struct create_partitions_resp_topic {
	struct kstr name; /* v0+ */
	int16_t error_code; /* v0+ */
	struct kstr error_message; /* v0+, nullable v0+ */
};

struct create_partitions_response {
	int32_t throttle_time_ms; /* v0+ */
	struct karray results; /* v0+, of struct create_partitions_resp_topic */
};

extern const struct kmsg create_partitions_request_msg;
extern const struct kmsg create_partitions_response_msg;

/* ==== FindCoordinator (key 10), v0-4, flexible from v3 ==== */

struct find_coordinator_request {
	struct kstr key; /* v0-3 */
	int8_t key_type; /* v1+ */
	struct karray coordinator_keys; /* v4+, of struct kstr */
};

struct find_coordinator_resp_coordinator {
	struct kstr key; /* v4+ */
	int32_t node_id; /* v4+ */
	struct kstr host; /* v4+ */
	int32_t port; /* v4+ */
	int16_t error_code; /* v4+ */
	struct kstr error_message; /* v4+, nullable v4+ */
};

struct find_coordinator_response {
	int32_t throttle_time_ms; /* v1+ */
	int16_t error_code; /* v0-3 */
	struct kstr error_message; /* v1-3, nullable v1+ */
	int32_t node_id; /* v0-3 */
	struct kstr host; /* v0-3 */
	int32_t port; /* v0-3 */
	struct karray coordinators; /* v4+, of struct find_coordinator_resp_coordinator */
};

extern const struct kmsg find_coordinator_request_msg;
extern const struct kmsg find_coordinator_response_msg;

/* ==== JoinGroup (key 11), v0-7, flexible from v6 ==== */

struct join_group_req_protocol {
	struct kstr name; /* v0+ */
	struct kbytes metadata; /* v0+ */
};

struct join_group_request {
	struct kstr group_id; /* v0+ */
	int32_t session_timeout_ms; /* v0+ */
	int32_t rebalance_timeout_ms; /* v1+, default -1 */
	struct kstr member_id; /* v0+ */
	struct kstr group_instance_id; /* v5+, nullable v5+ */
	struct kstr protocol_type; /* v0+ */
	struct karray protocols; /* v0+, of struct join_group_req_protocol */
	struct kstr reason; /* v8+, nullable v8+ */
};

struct join_group_resp_member {
	struct kstr member_id; /* v0+ */
	struct kstr group_instance_id; /* v5+, nullable v5+ */
	struct kbytes metadata; /* v0+ */
};

struct join_group_response {
	int32_t throttle_time_ms; /* v2+ */
	int16_t error_code; /* v0+ */
	int32_t generation_id; /* v0+, default -1 */
	struct kstr protocol_type; /* v7+, nullable v7+ */
	struct kstr protocol_name; /* v0+, nullable v7+ */
	struct kstr leader; /* v0+ */
	uint8_t skip_assignment; /* v9+ */
	struct kstr member_id; /* v0+ */
	struct karray members; /* v0+, of struct join_group_resp_member */
};

extern const struct kmsg join_group_request_msg;
extern const struct kmsg join_group_response_msg;

/* ==== Heartbeat (key 12), v0-4, flexible from v4 ==== */

struct heartbeat_request {
	struct kstr group_id; /* v0+ */
	int32_t generation_id; /* v0+ */
	struct kstr member_id; /* v0+ */
	struct kstr group_instance_id; /* v3+, nullable v3+ */
};

struct heartbeat_response {
	int32_t throttle_time_ms; /* v1+ */
	int16_t error_code; /* v0+ */
};

extern const struct kmsg heartbeat_request_msg;
extern const struct kmsg heartbeat_response_msg;

/* ==== LeaveGroup (key 13), v0-5, flexible from v4 ==== */

struct leave_group_req_member {
	struct kstr member_id; /* v3+ */
	struct kstr group_instance_id; /* v3+, nullable v3+ */
	struct kstr reason; /* v5+, nullable v5+ */
};

struct leave_group_request {
	struct kstr group_id; /* v0+ */
	struct kstr member_id; /* v0-2 */
	struct karray members; /* v3+, of struct leave_group_req_member */
};

struct leave_group_resp_member {
	struct kstr member_id; /* v3+ */
	struct kstr group_instance_id; /* v3+, nullable v3+ */
	int16_t error_code; /* v3+ */
};

struct leave_group_response {
	int32_t throttle_time_ms; /* v1+ */
	int16_t error_code; /* v0+ */
	struct karray members; /* v3+, of struct leave_group_resp_member */
};

extern const struct kmsg leave_group_request_msg;
extern const struct kmsg leave_group_response_msg;

/* ==== SyncGroup (key 14), v0-5, flexible from v4 ==== */

struct sync_group_req_assignment {
	struct kstr member_id; /* v0+ */
	struct kbytes assignment; /* v0+ */
};

struct sync_group_request {
	struct kstr group_id; /* v0+ */
	int32_t generation_id; /* v0+ */
	struct kstr member_id; /* v0+ */
	struct kstr group_instance_id; /* v3+, nullable v3+ */
	struct kstr protocol_type; /* v5+, nullable v5+ */
	struct kstr protocol_name; /* v5+, nullable v5+ */
	struct karray assignments; /* v0+, of struct sync_group_req_assignment */
};

struct sync_group_response {
	int32_t throttle_time_ms; /* v1+ */
	int16_t error_code; /* v0+ */
	struct kstr protocol_type; /* v5+, nullable v5+ */
	struct kstr protocol_name; /* v5+, nullable v5+ */
	struct kbytes assignment; /* v0+ */
};

extern const struct kmsg sync_group_request_msg;
extern const struct kmsg sync_group_response_msg;

/* ==== DescribeGroups (key 15), v0-5, flexible from v5 ==== */

struct describe_groups_request {
	struct karray groups; /* v0+, of struct kstr */
	uint8_t include_authorized_operations; /* v3+ */
};

struct describe_groups_resp_member {
	struct kstr member_id; /* v0+ */
	struct kstr group_instance_id; /* v4+, nullable v4+ */
	struct kstr client_id; /* v0+ */
	struct kstr client_host; /* v0+ */
	struct kbytes member_metadata; /* v0+ */
	struct kbytes member_assignment; /* v0+ */
};

struct describe_groups_resp_group {
	int16_t error_code; /* v0+ */
	struct kstr group_id; /* v0+ */
	struct kstr group_state; /* v0+ */
	struct kstr protocol_type; /* v0+ */
	struct kstr protocol_data; /* v0+ */
	struct karray members; /* v0+, of struct describe_groups_resp_member */
	int32_t authorized_operations; /* v3+, default -2147483648 */
};

struct describe_groups_response {
	int32_t throttle_time_ms; /* v1+ */
	struct karray groups; /* v0+, of struct describe_groups_resp_group */
};

extern const struct kmsg describe_groups_request_msg;
extern const struct kmsg describe_groups_response_msg;

/* ==== ListGroups (key 16), v0-4, flexible from v3 ==== */

struct list_groups_request {
	struct karray states_filter; /* v4+, of struct kstr */
	struct karray types_filter; /* v5+, of struct kstr */
};

struct list_groups_resp_group {
	struct kstr group_id; /* v0+ */
	struct kstr protocol_type; /* v0+ */
	struct kstr group_state; /* v4+ */
	struct kstr group_type; /* v5+ */
};

struct list_groups_response {
	int32_t throttle_time_ms; /* v1+ */
	int16_t error_code; /* v0+ */
	struct karray groups; /* v0+, of struct list_groups_resp_group */
};

extern const struct kmsg list_groups_request_msg;
extern const struct kmsg list_groups_response_msg;

/* ==== OffsetCommit (key 8), v0-8, flexible from v8 ==== */

struct offset_commit_req_partition {
	int32_t partition_index; /* v0+ */
	int64_t committed_offset; /* v0+ */
	int32_t committed_leader_epoch; /* v6+, default -1 */
	int64_t commit_timestamp; /* v1, default -1 */
	struct kstr committed_metadata; /* v0+, nullable v0+ */
};

struct offset_commit_req_topic {
	struct kstr name; /* v0+ */
	struct karray partitions; /* v0+, of struct offset_commit_req_partition */
};

struct offset_commit_request {
	struct kstr group_id; /* v0+ */
	int32_t generation_id_or_member_epoch; /* v1+, default -1 */
	struct kstr member_id; /* v1+ */
	struct kstr group_instance_id; /* v7+, nullable v7+ */
	int64_t retention_time_ms; /* v2-4, default -1 */
	struct karray topics; /* v0+, of struct offset_commit_req_topic */
};

struct offset_commit_resp_partition {
	int32_t partition_index; /* v0+ */
	int16_t error_code; /* v0+ */
};

struct offset_commit_resp_topic {
	struct kstr name; /* v0+ */
	struct karray partitions; /* v0+, of struct offset_commit_resp_partition */
};

struct offset_commit_response {
	int32_t throttle_time_ms; /* v3+ */
	struct karray topics; /* v0+, of struct offset_commit_resp_topic */
};

extern const struct kmsg offset_commit_request_msg;
extern const struct kmsg offset_commit_response_msg;

/* ==== OffsetFetch (key 9), v0-8, flexible from v6 ==== */

struct offset_fetch_req_topic {
	struct kstr name; /* v0-7 */
	struct karray partition_indexes; /* v0-7, of int32_t */
};

struct offset_fetch_req_group_topic {
	struct kstr name; /* v8+ */
	struct karray partition_indexes; /* v8+, of int32_t */
};

struct offset_fetch_req_group {
	struct kstr group_id; /* v8+ */
	struct kstr member_id; /* v9+, nullable v9+ */
	int32_t member_epoch; /* v9+, default -1 */
	struct karray topics; /* v8+, nullable v8+, of struct offset_fetch_req_group_topic */
};

struct offset_fetch_request {
	struct kstr group_id; /* v0-7 */
	struct karray topics; /* v0-7, nullable v2+, of struct offset_fetch_req_topic */
	struct karray groups; /* v8+, of struct offset_fetch_req_group */
	uint8_t require_stable; /* v7+ */
};

struct offset_fetch_resp_partition {
	int32_t partition_index; /* v0-7 */
	int64_t committed_offset; /* v0-7 */
	int32_t committed_leader_epoch; /* v5-7, default -1 */
	struct kstr metadata; /* v0-7, nullable v0+ */
	int16_t error_code; /* v0-7 */
};

struct offset_fetch_resp_topic {
	struct kstr name; /* v0-7 */
	struct karray partitions; /* v0-7, of struct offset_fetch_resp_partition */
};

struct offset_fetch_resp_group_partition {
	int32_t partition_index; /* v8+ */
	int64_t committed_offset; /* v8+ */
	int32_t committed_leader_epoch; /* v8+, default -1 */
	struct kstr metadata; /* v8+, nullable v8+ */
	int16_t error_code; /* v8+ */
};

struct offset_fetch_resp_group_topic {
	struct kstr name; /* v8+ */
	struct karray partitions; /* v8+, of struct offset_fetch_resp_group_partition */
};

struct offset_fetch_resp_group {
	struct kstr group_id; /* v8+ */
	struct karray topics; /* v8+, of struct offset_fetch_resp_group_topic */
	int16_t error_code; /* v8+ */
};

struct offset_fetch_response {
	int32_t throttle_time_ms; /* v3+ */
	struct karray topics; /* v0-7, of struct offset_fetch_resp_topic */
	int16_t error_code; /* v2-7 */
	struct karray groups; /* v8+, of struct offset_fetch_resp_group */
};

extern const struct kmsg offset_fetch_request_msg;
extern const struct kmsg offset_fetch_response_msg;

/* ==== DeleteGroups (key 42), v0-2, flexible from v2 ==== */

struct delete_groups_request {
	struct karray groups_names; /* v0+, of struct kstr */
};

struct delete_groups_resp_result {
	struct kstr group_id; /* v0+ */
	int16_t error_code; /* v0+ */
};

struct delete_groups_response {
	int32_t throttle_time_ms; /* v0+ */
	struct karray results; /* v0+, of struct delete_groups_resp_result */
};

extern const struct kmsg delete_groups_request_msg;
extern const struct kmsg delete_groups_response_msg;

/* ==== OffsetDelete (key 47), v0 ==== */

struct offset_delete_req_partition {
	int32_t partition_index; /* v0+ */
};

struct offset_delete_req_topic {
	struct kstr name; /* v0+ */
	struct karray partitions; /* v0+, of struct offset_delete_req_partition */
};

struct offset_delete_request {
	struct kstr group_id; /* v0+ */
	struct karray topics; /* v0+, of struct offset_delete_req_topic */
};

struct offset_delete_resp_partition {
	int32_t partition_index; /* v0+ */
	int16_t error_code; /* v0+ */
};

struct offset_delete_resp_topic {
	struct kstr name; /* v0+ */
	struct karray partitions; /* v0+, of struct offset_delete_resp_partition */
};

struct offset_delete_response {
	int16_t error_code; /* v0+ */
	int32_t throttle_time_ms; /* v0+ */
	struct karray topics; /* v0+, of struct offset_delete_resp_topic */
};

extern const struct kmsg offset_delete_request_msg;
extern const struct kmsg offset_delete_response_msg;

/* ==== InitProducerId (key 22), v0-4, flexible from v2 ==== */

struct init_producer_id_request {
	struct kstr transactional_id; /* v0+, nullable v0+ */
	int32_t transaction_timeout_ms; /* v0+ */
	int64_t producer_id; /* v3+, default -1 */
	int16_t producer_epoch; /* v3+, default -1 */
};

struct init_producer_id_response {
	int32_t throttle_time_ms; /* v0+ */
	int16_t error_code; /* v0+ */
	int64_t producer_id; /* v0+, default -1 */
	int16_t producer_epoch; /* v0+ */
};

extern const struct kmsg init_producer_id_request_msg;
extern const struct kmsg init_producer_id_response_msg;

/* ==== AddPartitionsToTxn (key 24), v0-4, flexible from v3 ==== */

struct add_partitions_to_txn_req_topic {
	struct kstr name; /* v0+ */
	struct karray partitions; /* v0+, of int32_t */
};

/* v4+: one per transaction, sent between brokers (verify_only: KIP-890) */
struct add_partitions_to_txn_transaction {
	struct kstr transactional_id; /* v4+ */
	int64_t producer_id; /* v4+ */
	int16_t producer_epoch; /* v4+ */
	uint8_t verify_only; /* v4+ */
	struct karray topics; /* v4+, of struct add_partitions_to_txn_req_topic */
};

struct add_partitions_to_txn_request {
	struct karray transactions; /* v4+, of struct add_partitions_to_txn_transaction */
	struct kstr v3_and_below_transactional_id; /* v0-3 */
	int64_t v3_and_below_producer_id; /* v0-3 */
	int16_t v3_and_below_producer_epoch; /* v0-3 */
	struct karray v3_and_below_topics; /* v0-3, of struct add_partitions_to_txn_req_topic */
};

struct add_partitions_to_txn_resp_partition_result {
	int32_t partition_index; /* v0+ */
	int16_t partition_error_code; /* v0+ */
};

struct add_partitions_to_txn_resp_topic_result {
	struct kstr name; /* v0+ */
	struct karray results_by_partition; /* v0+, of struct add_partitions_to_txn_resp_partition_result */
};

struct add_partitions_to_txn_resp_txn_result {
	struct kstr transactional_id; /* v4+ */
	struct karray topic_results; /* v4+, of struct add_partitions_to_txn_resp_topic_result */
};

struct add_partitions_to_txn_response {
	int32_t throttle_time_ms; /* v0+ */
	int16_t error_code; /* v4+ */
	struct karray results_by_transaction; /* v4+, of struct add_partitions_to_txn_resp_txn_result */
	struct karray results_by_topic_v3_and_below; /* v0-3, of struct add_partitions_to_txn_resp_topic_result */
};

extern const struct kmsg add_partitions_to_txn_request_msg;
extern const struct kmsg add_partitions_to_txn_response_msg;

/* ==== AddOffsetsToTxn (key 25), v0-3, flexible from v3 ==== */

struct add_offsets_to_txn_request {
	struct kstr transactional_id; /* v0+ */
	int64_t producer_id; /* v0+ */
	int16_t producer_epoch; /* v0+ */
	struct kstr group_id; /* v0+ */
};

struct add_offsets_to_txn_response {
	int32_t throttle_time_ms; /* v0+ */
	int16_t error_code; /* v0+ */
};

extern const struct kmsg add_offsets_to_txn_request_msg;
extern const struct kmsg add_offsets_to_txn_response_msg;

/* ==== EndTxn (key 26), v0-3, flexible from v3 ==== */

struct end_txn_request {
	struct kstr transactional_id; /* v0+ */
	int64_t producer_id; /* v0+ */
	int16_t producer_epoch; /* v0+ */
	uint8_t committed; /* v0+ */
};

struct end_txn_response {
	int32_t throttle_time_ms; /* v0+ */
	int16_t error_code; /* v0+ */
};

extern const struct kmsg end_txn_request_msg;
extern const struct kmsg end_txn_response_msg;

/* ==== WriteTxnMarkers (key 27), v0-1, flexible from v1 ==== */

struct write_txn_markers_req_topic {
	struct kstr name; /* v0+ */
	struct karray partition_indexes; /* v0+, of int32_t */
};

struct write_txn_markers_req_marker {
	int64_t producer_id; /* v0+ */
	int16_t producer_epoch; /* v0+ */
	uint8_t transaction_result; /* v0+ */
	struct karray topics; /* v0+, of struct write_txn_markers_req_topic */
	int32_t coordinator_epoch; /* v0+ */
};

struct write_txn_markers_request {
	struct karray markers; /* v0+, of struct write_txn_markers_req_marker */
};

struct write_txn_markers_resp_partition {
	int32_t partition_index; /* v0+ */
	int16_t error_code; /* v0+ */
};

struct write_txn_markers_resp_topic {
	struct kstr name; /* v0+ */
	struct karray partitions; /* v0+, of struct write_txn_markers_resp_partition */
};

struct write_txn_markers_resp_marker {
	int64_t producer_id; /* v0+ */
	struct karray topics; /* v0+, of struct write_txn_markers_resp_topic */
};

struct write_txn_markers_response {
	struct karray markers; /* v0+, of struct write_txn_markers_resp_marker */
};

extern const struct kmsg write_txn_markers_request_msg;
extern const struct kmsg write_txn_markers_response_msg;

/* ==== TxnOffsetCommit (key 28), v0-3, flexible from v3 ==== */

struct txn_offset_commit_req_partition {
	int32_t partition_index; /* v0+ */
	int64_t committed_offset; /* v0+ */
	int32_t committed_leader_epoch; /* v2+, default -1 */
	struct kstr committed_metadata; /* v0+, nullable v0+ */
};

struct txn_offset_commit_req_topic {
	struct kstr name; /* v0+ */
	struct karray partitions; /* v0+, of struct txn_offset_commit_req_partition */
};

struct txn_offset_commit_request {
	struct kstr transactional_id; /* v0+ */
	struct kstr group_id; /* v0+ */
	int64_t producer_id; /* v0+ */
	int16_t producer_epoch; /* v0+ */
	int32_t generation_id; /* v3+, default -1 */
	struct kstr member_id; /* v3+ */
	struct kstr group_instance_id; /* v3+, nullable v3+ */
	struct karray topics; /* v0+, of struct txn_offset_commit_req_topic */
};

struct txn_offset_commit_resp_partition {
	int32_t partition_index; /* v0+ */
	int16_t error_code; /* v0+ */
};

struct txn_offset_commit_resp_topic {
	struct kstr name; /* v0+ */
	struct karray partitions; /* v0+, of struct txn_offset_commit_resp_partition */
};

struct txn_offset_commit_response {
	int32_t throttle_time_ms; /* v0+ */
	struct karray topics; /* v0+, of struct txn_offset_commit_resp_topic */
};

extern const struct kmsg txn_offset_commit_request_msg;
extern const struct kmsg txn_offset_commit_response_msg;

/* ==== DescribeProducers (key 61), v0, flexible from v0 ==== */

struct describe_producers_req_topic {
	struct kstr name; /* v0+ */
	struct karray partition_indexes; /* v0+, of int32_t */
};

struct describe_producers_request {
	struct karray topics; /* v0+, of struct describe_producers_req_topic */
};

struct describe_producers_resp_producer {
	int64_t producer_id; /* v0+ */
	int32_t producer_epoch; /* v0+ */
	int32_t last_sequence; /* v0+, default -1 */
	int64_t last_timestamp; /* v0+, default -1 */
	int32_t coordinator_epoch; /* v0+ */
	int64_t current_txn_start_offset; /* v0+, default -1 */
};

struct describe_producers_resp_partition {
	int32_t partition_index; /* v0+ */
	int16_t error_code; /* v0+ */
	struct kstr error_message; /* v0+, nullable v0+ */
	struct karray active_producers; /* v0+, of struct describe_producers_resp_producer */
};

struct describe_producers_resp_topic {
	struct kstr name; /* v0+ */
	struct karray partitions; /* v0+, of struct describe_producers_resp_partition */
};

struct describe_producers_response {
	int32_t throttle_time_ms; /* v0+ */
	struct karray topics; /* v0+, of struct describe_producers_resp_topic */
};

extern const struct kmsg describe_producers_request_msg;
extern const struct kmsg describe_producers_response_msg;

/* ==== DescribeTransactions (key 65), v0, flexible from v0 ==== */

struct describe_transactions_request {
	struct karray transactional_ids; /* v0+, of struct kstr */
};

struct describe_transactions_resp_topic {
	struct kstr topic; /* v0+ */
	struct karray partitions; /* v0+, of int32_t */
};

struct describe_transactions_resp_state {
	int16_t error_code; /* v0+ */
	struct kstr transactional_id; /* v0+ */
	struct kstr transaction_state; /* v0+ */
	int32_t transaction_timeout_ms; /* v0+ */
	int64_t transaction_start_time_ms; /* v0+ */
	int64_t producer_id; /* v0+ */
	int16_t producer_epoch; /* v0+ */
	struct karray topics; /* v0+, of struct describe_transactions_resp_topic */
};

struct describe_transactions_response {
	int32_t throttle_time_ms; /* v0+ */
	struct karray transaction_states; /* v0+, of struct describe_transactions_resp_state */
};

extern const struct kmsg describe_transactions_request_msg;
extern const struct kmsg describe_transactions_response_msg;

/* ==== ListTransactions (key 66), v0, flexible from v0 ==== */

struct list_transactions_request {
	struct karray state_filters; /* v0+, of struct kstr */
	struct karray producer_id_filters; /* v0+, of int64_t */
	int64_t duration_filter; /* v1+, default -1 */
};

struct list_transactions_resp_state {
	struct kstr transactional_id; /* v0+ */
	int64_t producer_id; /* v0+ */
	struct kstr transaction_state; /* v0+ */
};

struct list_transactions_response {
	int32_t throttle_time_ms; /* v0+ */
	int16_t error_code; /* v0+ */
	struct karray unknown_state_filters; /* v0+, of struct kstr */
	struct karray transaction_states; /* v0+, of struct list_transactions_resp_state */
};

extern const struct kmsg list_transactions_request_msg;
extern const struct kmsg list_transactions_response_msg;

/* ==== DescribeAcls (key 29), v0-2, flexible from v2 ==== */

struct describe_acls_request {
	int8_t resource_type_filter; /* v0+ */
	struct kstr resource_name_filter; /* v0+, nullable v0+ */
	int8_t pattern_type_filter; /* v1+, default 3 (LITERAL) */
	struct kstr principal_filter; /* v0+, nullable v0+ */
	struct kstr host_filter; /* v0+, nullable v0+ */
	int8_t operation; /* v0+ */
	int8_t permission_type; /* v0+ */
};

struct describe_acls_resp_acl {
	struct kstr principal; /* v0+ */
	struct kstr host; /* v0+ */
	int8_t operation; /* v0+ */
	int8_t permission_type; /* v0+ */
};

struct describe_acls_resp_resource {
	int8_t type; /* v0+ */
	struct kstr name; /* v0+ */
	int8_t pattern_type; /* v1+, default 3 */
	struct karray acls; /* v0+, of struct describe_acls_resp_acl */
};

struct describe_acls_response {
	int32_t throttle_time_ms; /* v0+ */
	int16_t error_code; /* v0+ */
	struct kstr error_message; /* v0+, nullable v0+ */
	struct karray resources; /* v0+, of struct describe_acls_resp_resource */
};

extern const struct kmsg describe_acls_request_msg;
extern const struct kmsg describe_acls_response_msg;

/* ==== CreateAcls (key 30), v0-2, flexible from v2 ==== */

struct create_acls_req_creation {
	int8_t resource_type; /* v0+ */
	struct kstr resource_name; /* v0+ */
	int8_t resource_pattern_type; /* v1+, default 3 (LITERAL) */
	struct kstr principal; /* v0+ */
	struct kstr host; /* v0+ */
	int8_t operation; /* v0+ */
	int8_t permission_type; /* v0+ */
};

struct create_acls_request {
	struct karray creations; /* v0+, of struct create_acls_req_creation */
};

struct create_acls_resp_result {
	int16_t error_code; /* v0+ */
	struct kstr error_message; /* v0+, nullable v0+ */
};

struct create_acls_response {
	int32_t throttle_time_ms; /* v0+ */
	struct karray results; /* v0+, of struct create_acls_resp_result */
};

extern const struct kmsg create_acls_request_msg;
extern const struct kmsg create_acls_response_msg;

/* ==== DeleteAcls (key 31), v0-2, flexible from v2 ==== */

struct delete_acls_req_filter {
	int8_t resource_type_filter; /* v0+ */
	struct kstr resource_name_filter; /* v0+, nullable v0+ */
	int8_t pattern_type_filter; /* v1+, default 3 (LITERAL) */
	struct kstr principal_filter; /* v0+, nullable v0+ */
	struct kstr host_filter; /* v0+, nullable v0+ */
	int8_t operation; /* v0+ */
	int8_t permission_type; /* v0+ */
};

struct delete_acls_request {
	struct karray filters; /* v0+, of struct delete_acls_req_filter */
};

struct delete_acls_resp_matching_acl {
	int16_t error_code; /* v0+ */
	struct kstr error_message; /* v0+, nullable v0+ */
	int8_t resource_type; /* v0+ */
	struct kstr resource_name; /* v0+ */
	int8_t pattern_type; /* v1+, default 3 */
	struct kstr principal; /* v0+ */
	struct kstr host; /* v0+ */
	int8_t operation; /* v0+ */
	int8_t permission_type; /* v0+ */
};

struct delete_acls_resp_filter_result {
	int16_t error_code; /* v0+ */
	struct kstr error_message; /* v0+, nullable v0+ */
	struct karray matching_acls; /* v0+, of struct delete_acls_resp_matching_acl */
};

struct delete_acls_response {
	int32_t throttle_time_ms; /* v0+ */
	struct karray filter_results; /* v0+, of struct delete_acls_resp_filter_result */
};

extern const struct kmsg delete_acls_request_msg;
extern const struct kmsg delete_acls_response_msg;

/* ==== DeleteRecords (key 21), v0-2, flexible from v2 ==== */

struct delete_records_req_partition {
	int32_t partition_index; /* v0+ */
	int64_t offset; /* v0+ */
};

struct delete_records_req_topic {
	struct kstr name; /* v0+ */
	struct karray partitions; /* v0+, of struct delete_records_req_partition */
};

struct delete_records_request {
	struct karray topics; /* v0+, of struct delete_records_req_topic */
	int32_t timeout_ms; /* v0+ */
};

struct delete_records_resp_partition {
	int32_t partition_index; /* v0+ */
	int64_t low_watermark; /* v0+ */
	int16_t error_code; /* v0+ */
};

struct delete_records_resp_topic {
	struct kstr name; /* v0+ */
	struct karray partitions; /* v0+, of struct delete_records_resp_partition */
};

struct delete_records_response {
	int32_t throttle_time_ms; /* v0+ */
	struct karray topics; /* v0+, of struct delete_records_resp_topic */
};

extern const struct kmsg delete_records_request_msg;
extern const struct kmsg delete_records_response_msg;

/* ==== AlterConfigs (key 33), v0-2, flexible from v2 ==== */

struct alter_configs_req_config {
	struct kstr name; /* v0+ */
	struct kstr value; /* v0+, nullable v0+ */
};

struct alter_configs_req_resource {
	int8_t resource_type; /* v0+ */
	struct kstr resource_name; /* v0+ */
	struct karray configs; /* v0+, of struct alter_configs_req_config */
};

struct alter_configs_request {
	struct karray resources; /* v0+, of struct alter_configs_req_resource */
	uint8_t validate_only; /* v0+ */
};

struct alter_configs_resp_resource {
	int16_t error_code; /* v0+ */
	struct kstr error_message; /* v0+, nullable v0+ */
	int8_t resource_type; /* v0+ */
	struct kstr resource_name; /* v0+ */
};

struct alter_configs_response {
	int32_t throttle_time_ms; /* v0+ */
	struct karray responses; /* v0+, of struct alter_configs_resp_resource */
};

extern const struct kmsg alter_configs_request_msg;
extern const struct kmsg alter_configs_response_msg;

/* ==== IncrementalAlterConfigs (key 44), v0-1, flexible from v1 ==== */

struct incremental_alter_configs_req_config {
	struct kstr name; /* v0+ */
	int8_t config_operation; /* v0+: 0 SET, 1 DELETE, 2 APPEND, 3 SUBTRACT */
	struct kstr value; /* v0+, nullable v0+ */
};

struct incremental_alter_configs_req_resource {
	int8_t resource_type; /* v0+ */
	struct kstr resource_name; /* v0+ */
	struct karray configs; /* v0+, of struct incremental_alter_configs_req_config */
};

struct incremental_alter_configs_request {
	struct karray resources; /* v0+, of struct incremental_alter_configs_req_resource */
	uint8_t validate_only; /* v0+ */
};

struct incremental_alter_configs_resp_resource {
	int16_t error_code; /* v0+ */
	struct kstr error_message; /* v0+, nullable v0+ */
	int8_t resource_type; /* v0+ */
	struct kstr resource_name; /* v0+ */
};

struct incremental_alter_configs_response {
	int32_t throttle_time_ms; /* v0+ */
	struct karray responses; /* v0+, of struct incremental_alter_configs_resp_resource */
};

extern const struct kmsg incremental_alter_configs_request_msg;
extern const struct kmsg incremental_alter_configs_response_msg;

/* ==== SaslHandshake (key 17), v0-1 ==== */

struct sasl_handshake_request {
	struct kstr mechanism; /* v0+ */
};

struct sasl_handshake_response {
	int16_t error_code; /* v0+ */
	struct karray mechanisms; /* v0+, of struct kstr */
};

extern const struct kmsg sasl_handshake_request_msg;
extern const struct kmsg sasl_handshake_response_msg;

/* ==== SaslAuthenticate (key 36), v0-2, flexible from v2 ==== */

struct sasl_authenticate_request {
	struct kbytes auth_bytes; /* v0+ */
};

struct sasl_authenticate_response {
	int16_t error_code; /* v0+ */
	struct kstr error_message; /* v0+, nullable v0+ */
	struct kbytes auth_bytes; /* v0+ */
	int64_t session_lifetime_ms; /* v1+ */
};

extern const struct kmsg sasl_authenticate_request_msg;
extern const struct kmsg sasl_authenticate_response_msg;

/* ==== DescribeClientQuotas (key 48), v0-1, flexible from v1 ==== */

struct describe_client_quotas_req_component {
	struct kstr entity_type; /* v0+: "user", "client-id" (Kafka also "ip") */
	int8_t match_type; /* v0+: 0 exact name, 1 default, 2 any specified name */
	struct kstr match; /* v0+, nullable v0+ */
};

struct describe_client_quotas_request {
	struct karray components; /* v0+, of struct describe_client_quotas_req_component */
	uint8_t strict; /* v0+ */
};

/* One (type, name) pair of a quota entity; shared by 48 and 49. */
struct client_quota_entity {
	struct kstr entity_type; /* v0+ */
	struct kstr entity_name; /* v0+, nullable v0+ (null: the default entity) */
};

struct describe_client_quotas_resp_value {
	struct kstr key; /* v0+ */
	double value; /* v0+ */
};

struct describe_client_quotas_resp_entry {
	struct karray entity; /* v0+, of struct client_quota_entity */
	struct karray values; /* v0+, of struct describe_client_quotas_resp_value */
};

struct describe_client_quotas_response {
	int32_t throttle_time_ms; /* v0+ */
	int16_t error_code; /* v0+ */
	struct kstr error_message; /* v0+, nullable v0+ */
	struct karray entries; /* v0+, nullable v0+, of struct describe_client_quotas_resp_entry */
};

extern const struct kmsg describe_client_quotas_request_msg;
extern const struct kmsg describe_client_quotas_response_msg;

/* ==== AlterClientQuotas (key 49), v0-1, flexible from v1 ==== */

struct alter_client_quotas_req_op {
	struct kstr key; /* v0+ */
	double value; /* v0+ (ignored when remove) */
	uint8_t remove; /* v0+ */
};

struct alter_client_quotas_req_entry {
	struct karray entity; /* v0+, of struct client_quota_entity */
	struct karray ops; /* v0+, of struct alter_client_quotas_req_op */
};

struct alter_client_quotas_request {
	struct karray entries; /* v0+, of struct alter_client_quotas_req_entry */
	uint8_t validate_only; /* v0+ */
};

struct alter_client_quotas_resp_entry {
	int16_t error_code; /* v0+ */
	struct kstr error_message; /* v0+, nullable v0+ */
	struct karray entity; /* v0+, of struct client_quota_entity */
};

struct alter_client_quotas_response {
	int32_t throttle_time_ms; /* v0+ */
	struct karray entries; /* v0+, of struct alter_client_quotas_resp_entry */
};

extern const struct kmsg alter_client_quotas_request_msg;
extern const struct kmsg alter_client_quotas_response_msg;

/* ==== DescribeUserScramCredentials (key 50), v0, flexible from v0 ==== */

struct describe_user_scram_credentials_req_user {
	struct kstr name; /* v0+ */
};

struct describe_user_scram_credentials_request {
	struct karray users; /* v0+, nullable v0+ (null or empty: every user) */
};

struct describe_user_scram_credentials_resp_info {
	int8_t mechanism; /* v0+: 1 SCRAM-SHA-256, 2 SCRAM-SHA-512 */
	int32_t iterations; /* v0+ */
};

struct describe_user_scram_credentials_resp_result {
	struct kstr user; /* v0+ */
	int16_t error_code; /* v0+ */
	struct kstr error_message; /* v0+, nullable v0+ */
	struct karray credential_infos; /* v0+, of struct describe_user_scram_credentials_resp_info */
};

struct describe_user_scram_credentials_response {
	int32_t throttle_time_ms; /* v0+ */
	int16_t error_code; /* v0+ */
	struct kstr error_message; /* v0+, nullable v0+ */
	struct karray results; /* v0+, of struct describe_user_scram_credentials_resp_result */
};

extern const struct kmsg describe_user_scram_credentials_request_msg;
extern const struct kmsg describe_user_scram_credentials_response_msg;

/* ==== AlterUserScramCredentials (key 51), v0, flexible from v0 ==== */

struct alter_user_scram_credentials_req_deletion {
	struct kstr name; /* v0+ */
	int8_t mechanism; /* v0+ */
};

struct alter_user_scram_credentials_req_upsertion {
	struct kstr name; /* v0+ */
	int8_t mechanism; /* v0+ */
	int32_t iterations; /* v0+ */
	struct kbytes salt; /* v0+ */
	struct kbytes salted_password; /* v0+ */
};

struct alter_user_scram_credentials_request {
	struct karray deletions; /* v0+, of struct alter_user_scram_credentials_req_deletion */
	struct karray upsertions; /* v0+, of struct alter_user_scram_credentials_req_upsertion */
};

struct alter_user_scram_credentials_resp_result {
	struct kstr user; /* v0+ */
	int16_t error_code; /* v0+ */
	struct kstr error_message; /* v0+, nullable v0+ */
};

struct alter_user_scram_credentials_response {
	int32_t throttle_time_ms; /* v0+ */
	struct karray results; /* v0+, of struct alter_user_scram_credentials_resp_result */
};

extern const struct kmsg alter_user_scram_credentials_request_msg;
extern const struct kmsg alter_user_scram_credentials_response_msg;

/* ==== DescribeCluster (key 60), v0, flexible from v0 ==== */

struct describe_cluster_request {
	uint8_t include_cluster_authorized_operations; /* v0+ */
};

struct describe_cluster_resp_broker {
	int32_t broker_id; /* v0+ */
	struct kstr host; /* v0+ */
	int32_t port; /* v0+ */
	struct kstr rack; /* v0+, nullable v0+ */
};

struct describe_cluster_response {
	int32_t throttle_time_ms; /* v0+ */
	int16_t error_code; /* v0+ */
	struct kstr error_message; /* v0+, nullable v0+ */
	struct kstr cluster_id; /* v0+ */
	int32_t controller_id; /* v0+, default -1 */
	struct karray brokers; /* v0+, of struct describe_cluster_resp_broker */
	int32_t cluster_authorized_operations; /* v0+, default -2147483648 */
};

extern const struct kmsg describe_cluster_request_msg;
extern const struct kmsg describe_cluster_response_msg;

/* ==== Internal records of __consumer_offsets and __transaction_state ====
 *
 * Kafka's record keys and values there are an i16 version followed by a
 * non-flexible body (kcodec_decode_versioned / kcodec_encode_versioned).
 * __consumer_offsets keys: version 0-1 = offset_commit_key (value
 * offset_commit_value v0-3; a null value deletes), version 2 =
 * group_metadata_key (value group_metadata_value v0-3). __transaction_state:
 * transaction_log_key v0, transaction_log_value v0. Facts from Kafka 3.8
 * group-coordinator and core message JSON; the flexible
 * versions (OffsetCommitValue v4, GroupMetadataValue v4, TransactionLogValue
 * v1) are not described. Constants for the version ranges follow. */

#define OFFSET_COMMIT_KEY_MAX_VERSION 1
#define GROUP_METADATA_KEY_VERSION 2
#define OFFSET_COMMIT_VALUE_MAX_VERSION 3
#define GROUP_METADATA_VALUE_MAX_VERSION 3
#define TRANSACTION_LOG_KEY_VERSION 0
#define TRANSACTION_LOG_VALUE_VERSION 0

struct offset_commit_key {
	struct kstr group; /* v0-1 */
	struct kstr topic; /* v0-1 */
	int32_t partition; /* v0-1 */
};

extern const struct kmsg offset_commit_key_msg;

struct offset_commit_value {
	int64_t offset; /* v0+ */
	int32_t leader_epoch; /* v3+, default -1 */
	struct kstr metadata; /* v0+ */
	int64_t commit_timestamp; /* v0+ */
	int64_t expire_timestamp; /* v1, default -1 */
};

extern const struct kmsg offset_commit_value_msg;

struct group_metadata_key {
	struct kstr group; /* v2 */
};

extern const struct kmsg group_metadata_key_msg;

struct group_metadata_member {
	struct kstr member_id; /* v0+ */
	struct kstr group_instance_id; /* v3+, nullable v3+ */
	struct kstr client_id; /* v0+ */
	struct kstr client_host; /* v0+ */
	int32_t rebalance_timeout; /* v1+, default -1 */
	int32_t session_timeout; /* v0+ */
	struct kbytes subscription; /* v0+ */
	struct kbytes assignment; /* v0+ */
};

struct group_metadata_value {
	struct kstr protocol_type; /* v0+ */
	int32_t generation; /* v0+ */
	struct kstr protocol; /* v0+, nullable v0+ */
	struct kstr leader; /* v0+, nullable v0+ */
	int64_t current_state_timestamp; /* v2+, default -1 */
	struct karray members; /* v0+, of struct group_metadata_member */
};

extern const struct kmsg group_metadata_value_msg;

struct transaction_log_key {
	struct kstr transactional_id; /* v0 */
};

extern const struct kmsg transaction_log_key_msg;

struct transaction_log_partitions {
	struct kstr topic; /* v0+ */
	struct karray partition_ids; /* v0+, of int32_t */
};

struct transaction_log_value {
	int64_t producer_id; /* v0+ */
	int16_t producer_epoch; /* v0+ */
	int32_t transaction_timeout_ms; /* v0+ */
	int8_t transaction_status; /* v0+ */
	struct karray transaction_partitions; /* v0+, nullable v0+, of struct transaction_log_partitions */
	int64_t transaction_last_update_timestamp_ms; /* v0+ */
	int64_t transaction_start_timestamp_ms; /* v0+ */
};

extern const struct kmsg transaction_log_value_msg;

/* ==== AlterPartitionReassignments (key 45), v0, flexible from v0 ==== */

struct apr_req_partition {
	int32_t partition_index; /* v0+ */
	struct karray replicas; /* v0+, nullable v0+ (null: cancel), of int32_t */
};

struct apr_req_topic {
	struct kstr name; /* v0+ */
	struct karray partitions; /* v0+, of struct apr_req_partition */
};

struct alter_partition_reassignments_request {
	int32_t timeout_ms; /* v0+, default 60000 */
	struct karray topics; /* v0+, of struct apr_req_topic */
};

struct apr_resp_partition {
	int32_t partition_index; /* v0+ */
	int16_t error_code; /* v0+ */
	struct kstr error_message; /* v0+, nullable v0+ */
};

struct apr_resp_topic {
	struct kstr name; /* v0+ */
	struct karray partitions; /* v0+, of struct apr_resp_partition */
};

struct alter_partition_reassignments_response {
	int32_t throttle_time_ms; /* v0+ */
	int16_t error_code; /* v0+ */
	struct kstr error_message; /* v0+, nullable v0+ */
	struct karray responses; /* v0+, of struct apr_resp_topic */
};

extern const struct kmsg alter_partition_reassignments_request_msg;
extern const struct kmsg alter_partition_reassignments_response_msg;

/* ==== ListPartitionReassignments (key 46), v0, flexible from v0 ==== */

struct lpr_req_topic {
	struct kstr name; /* v0+ */
	struct karray partition_indexes; /* v0+, of int32_t */
};

struct list_partition_reassignments_request {
	int32_t timeout_ms; /* v0+, default 60000 */
	struct karray topics; /* v0+, nullable v0+ (null: all), of struct lpr_req_topic */
};

struct lpr_resp_partition {
	int32_t partition_index; /* v0+ */
	struct karray replicas; /* v0+, of int32_t */
	struct karray adding_replicas; /* v0+, of int32_t */
	struct karray removing_replicas; /* v0+, of int32_t */
};

struct lpr_resp_topic {
	struct kstr name; /* v0+ */
	struct karray partitions; /* v0+, of struct lpr_resp_partition */
};

struct list_partition_reassignments_response {
	int32_t throttle_time_ms; /* v0+ */
	int16_t error_code; /* v0+ */
	struct kstr error_message; /* v0+, nullable v0+ */
	struct karray topics; /* v0+, of struct lpr_resp_topic */
};

extern const struct kmsg list_partition_reassignments_request_msg;
extern const struct kmsg list_partition_reassignments_response_msg;

/* ==== ElectLeaders (key 43), v0-2, flexible from v2 ==== */

struct elr_req_topic {
	struct kstr topic; /* v0+ */
	struct karray partitions; /* v0+, of int32_t */
};

struct elect_leaders_request {
	int8_t election_type; /* v1+ (0 preferred, 1 unclean) */
	struct karray topic_partitions; /* v0+, nullable v0+ (null: all), of struct elr_req_topic */
	int32_t timeout_ms; /* v0+, default 60000 */
};

struct elr_resp_partition {
	int32_t partition_id; /* v0+ */
	int16_t error_code; /* v0+ */
	struct kstr error_message; /* v0+, nullable v0+ */
};

struct elr_resp_topic {
	struct kstr topic; /* v0+ */
	struct karray partition_result; /* v0+, of struct elr_resp_partition */
};

struct elect_leaders_response {
	int32_t throttle_time_ms; /* v0+ */
	int16_t error_code; /* v1+ */
	struct karray replica_election_results; /* v0+, of struct elr_resp_topic */
};

extern const struct kmsg elect_leaders_request_msg;
extern const struct kmsg elect_leaders_response_msg;

/* ==== DescribeLogDirs (key 35), v0-4, flexible from v2 ==== */

struct dld_req_topic {
	struct kstr topic; /* v0+ */
	struct karray partitions; /* v0+, of int32_t */
};

struct describe_log_dirs_request {
	struct karray topics; /* v0+, nullable v0+ (null: all), of struct dld_req_topic */
};

struct dld_resp_partition {
	int32_t partition_index; /* v0+ */
	int64_t partition_size; /* v0+ */
	int64_t offset_lag; /* v0+ */
	uint8_t is_future_key; /* v0+ */
};

struct dld_resp_topic {
	struct kstr name; /* v0+ */
	struct karray partitions; /* v0+, of struct dld_resp_partition */
};

struct dld_resp_result {
	int16_t error_code; /* v0+ */
	struct kstr log_dir; /* v0+ */
	struct karray topics; /* v0+, of struct dld_resp_topic */
	int64_t total_bytes; /* v4+, default -1 */
	int64_t usable_bytes; /* v4+, default -1 */
};

struct describe_log_dirs_response {
	int32_t throttle_time_ms; /* v0+ */
	int16_t error_code; /* v3+ */
	struct karray results; /* v0+, of struct dld_resp_result */
};

extern const struct kmsg describe_log_dirs_request_msg;
extern const struct kmsg describe_log_dirs_response_msg;

#endif
