/* The dispatch table (see handlers.h). Client-facing APIs serve Kafka 3.9's
 * whole range (docs/api-versions.tsv lists it, and a unit test holds this
 * table to that file); inter-broker APIs serve the one version the
 * controller sends. Columns: key, lowest version, highest served, highest
 * advertised to clients in ApiVersions (lower only where the versions
 * above it are brokers-only forms), handler, gate flags. */
#include "broker/handlers/handlers.h"

#include "broker/gate.h"

#include <stddef.h>

const struct handler_entry handler_table[] = {
	{ 0, 0, 11, 11, handle_produce, 0 },
	{ 1, 0, 17, 17, handle_fetch, 0 },
	{ 2, 0, 9, 9, handle_list_offsets, 0 },
	{ 3, 0, 12, 12, handle_metadata, 0 },
	{ 60, 0, 0, 0, handle_describe_cluster, 0 },
	{ 4, 2, 2, 2, handle_leader_and_isr, GATE_CLUSTER_ACTION },
	{ 5, 1, 1, 1, handle_stop_replica, GATE_CLUSTER_ACTION },
	{ 6, 5, 7, 7, handle_update_metadata, GATE_CLUSTER_ACTION },
	{ 7, 1, 2, 2, handle_controlled_shutdown, GATE_CLUSTER_ACTION },
	{ 18, 0, 4, 4, handle_api_versions, GATE_PRE_AUTH },
	/* SASL (broker/auth): the exchange itself runs before authentication */
	{ 17, 0, 1, 1, handle_sasl_handshake, GATE_PRE_AUTH },
	{ 36, 0, 2, 2, handle_sasl_authenticate, GATE_PRE_AUTH },
	/* client quotas (broker/quota, coord/quota_configs.c) */
	{ 48, 0, 1, 1, handle_describe_client_quotas, 0 },
	{ 49, 0, 1, 1, handle_alter_client_quotas, 0 },
	{ 50, 0, 0, 0, handle_describe_user_scram_credentials, 0 },
	{ 51, 0, 0, 0, handle_alter_user_scram_credentials, 0 },
	{ 19, 0, 7, 7, handle_create_topics, 0 },
	{ 20, 0, 6, 6, handle_delete_topics, 0 },
	{ 21, 0, 2, 2, handle_delete_records, 0 },
	{ 23, 0, 4, 4, handle_offset_for_leader_epoch, 0 },
	{ 32, 0, 4, 4, handle_describe_configs, 0 },
	{ 37, 0, 3, 3, handle_create_partitions, 0 },
	/* ACLs: stored in ZooKeeper (coord/acl.c), enforced by broker/auth */
	{ 29, 0, 3, 3, handle_describe_acls, 0 },
	{ 30, 0, 3, 3, handle_create_acls, 0 },
	{ 31, 0, 3, 3, handle_delete_acls, 0 },
	{ 33, 0, 2, 2, handle_alter_configs, 0 },
	{ 44, 0, 1, 1, handle_incremental_alter_configs, 0 },
	/* consumer groups */
	{ 8, 0, 9, 9, handle_offset_commit, 0 },
	{ 9, 0, 9, 9, handle_offset_fetch, 0 },
	{ 10, 0, 6, 6, handle_find_coordinator, 0 },
	{ 11, 0, 9, 9, handle_join_group, 0 },
	{ 12, 0, 4, 4, handle_heartbeat, 0 },
	{ 13, 0, 5, 5, handle_leave_group, 0 },
	{ 14, 0, 5, 5, handle_sync_group, 0 },
	{ 15, 0, 5, 5, handle_describe_groups, 0 },
	{ 16, 0, 5, 5, handle_list_groups, 0 },
	{ 42, 0, 2, 2, handle_delete_groups, 0 },
	{ 47, 0, 0, 0, handle_offset_delete, 0 },
	/* reassignment (coord/reassign_admin.c, the controller does the move) */
	{ 45, 0, 0, 0, handle_alter_partition_reassignments, 0 },
	{ 46, 0, 0, 0, handle_list_partition_reassignments, 0 },
	/* leader election by the controller (coord/elect_admin.c) */
	{ 43, 0, 2, 2, handle_elect_leaders, 0 },
	{ 35, 0, 4, 4, handle_describe_log_dirs, 0 },
	/* idempotent producer (broker/txn/) */
	{ 22, 0, 5, 5, handle_init_producer_id, 0 },
	/* transactions (broker/txn/); markers v0-1 */
	/* v4 is the brokers' VerifyOnly form (produce-time verification); a
	 * client that picked v4 from ApiVersions (@platformatic/kafka does)
	 * would send the adding form, which Gregor does not serve: clients are
	 * told 0-3 */
	{ 24, 0, 4, 3, handle_add_partitions_to_txn, 0 },
	{ 25, 0, 4, 4, handle_add_offsets_to_txn, 0 },
	{ 26, 0, 4, 4, handle_end_txn, 0 },
	{ 27, 0, 1, 1, handle_write_txn_markers, GATE_CLUSTER_ACTION },
	{ 28, 0, 4, 4, handle_txn_offset_commit, 0 },
	{ 61, 0, 0, 0, handle_describe_producers, 0 },
	{ 65, 0, 0, 0, handle_describe_transactions, 0 },
	{ 66, 0, 1, 1, handle_list_transactions, 0 },
};
const int handler_count = (int)(sizeof handler_table / sizeof handler_table[0]);

const struct handler_entry *handler_find(int16_t key)
{
	for (int i = 0; i < handler_count; i++)
		if (handler_table[i].key == key)
			return &handler_table[i];
	return NULL;
}
