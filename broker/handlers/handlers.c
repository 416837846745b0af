/* The dispatch table (see handlers.h). Client-facing APIs serve Kafka 3.9's
 * whole range (docs/api-versions.tsv lists it, and a unit test holds this
 * table to that file); inter-broker APIs serve the one version the
 * controller sends. */
#include "broker/handlers/handlers.h"

#include <stddef.h>

const struct handler_entry handler_table[] = {
	{ 0, 0, 11, handle_produce },
	{ 1, 0, 12, handle_fetch },
	{ 2, 0, 9, handle_list_offsets },
	{ 3, 0, 12, handle_metadata },
	{ 4, 2, 2, handle_leader_and_isr },
	{ 5, 1, 1, handle_stop_replica },
	{ 6, 5, 5, handle_update_metadata },
	{ 7, 1, 2, handle_controlled_shutdown },
	{ 18, 0, 4, handle_api_versions },
	{ 19, 0, 7, handle_create_topics },
	{ 20, 0, 6, handle_delete_topics },
	{ 21, 0, 2, handle_delete_records },
	{ 23, 0, 4, handle_offset_for_leader_epoch },
	{ 32, 0, 4, handle_describe_configs },
	{ 37, 0, 3, handle_create_partitions },
	/* ACLs: stored in ZooKeeper, not enforced (coord/acl.c) */
	{ 29, 0, 3, handle_describe_acls },
	{ 30, 0, 3, handle_create_acls },
	{ 31, 0, 3, handle_delete_acls },
	{ 33, 0, 2, handle_alter_configs },
	{ 44, 0, 1, handle_incremental_alter_configs },
	/* consumer groups */
	{ 8, 0, 9, handle_offset_commit },
	{ 9, 0, 9, handle_offset_fetch },
	{ 10, 0, 6, handle_find_coordinator },
	{ 11, 0, 9, handle_join_group },
	{ 12, 0, 4, handle_heartbeat },
	{ 13, 0, 5, handle_leave_group },
	{ 14, 0, 5, handle_sync_group },
	{ 15, 0, 5, handle_describe_groups },
	{ 16, 0, 5, handle_list_groups },
	{ 42, 0, 2, handle_delete_groups },
	{ 47, 0, 0, handle_offset_delete },
	/* idempotent producer (broker/txn/) */
	{ 22, 0, 5, handle_init_producer_id },
	/* transactions (broker/txn/); markers v0-1 */
	{ 24, 0, 3, handle_add_partitions_to_txn },
	{ 25, 0, 4, handle_add_offsets_to_txn },
	{ 26, 0, 4, handle_end_txn },
	{ 27, 0, 1, handle_write_txn_markers },
	{ 28, 0, 4, handle_txn_offset_commit },
	{ 61, 0, 0, handle_describe_producers },
	{ 65, 0, 0, handle_describe_transactions },
	{ 66, 0, 1, handle_list_transactions },
};
const int handler_count = (int)(sizeof handler_table / sizeof handler_table[0]);

const struct handler_entry *handler_find(int16_t key)
{
	for (int i = 0; i < handler_count; i++)
		if (handler_table[i].key == key)
			return &handler_table[i];
	return NULL;
}
