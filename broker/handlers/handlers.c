/* The dispatch table (see handlers.h). Ranges follow PROTOCOL.md column B for
 * the APIs implemented so far; inter-broker APIs serve the one version the
 * controller sends. */
#include "broker/handlers/handlers.h"

#include <stddef.h>

const struct handler_entry handler_table[] = {
	{ 0, 0, 7, handle_produce },
	{ 1, 4, 12, handle_fetch },
	{ 2, 1, 5, handle_list_offsets },
	{ 3, 1, 9, handle_metadata },
	{ 4, 2, 2, handle_leader_and_isr },
	{ 5, 1, 1, handle_stop_replica },
	{ 6, 5, 5, handle_update_metadata },
	{ 7, 1, 2, handle_controlled_shutdown },
	{ 18, 0, 3, handle_api_versions },
	{ 19, 0, 7, handle_create_topics },
	{ 20, 0, 6, handle_delete_topics },
	{ 21, 0, 2, handle_delete_records },
	{ 23, 3, 3, handle_offset_for_leader_epoch },
	{ 32, 0, 2, handle_describe_configs },
	{ 37, 0, 1, handle_create_partitions },
	/* ACLs: stored in ZooKeeper, not enforced (coord/acl.c) */
	{ 29, 0, 2, handle_describe_acls },
	{ 30, 0, 2, handle_create_acls },
	{ 31, 0, 2, handle_delete_acls },
	{ 33, 0, 2, handle_alter_configs },
	{ 44, 0, 1, handle_incremental_alter_configs },
	/* consumer groups: PROTOCOL.md column B */
	{ 8, 2, 8, handle_offset_commit },
	{ 9, 1, 8, handle_offset_fetch },
	{ 10, 0, 4, handle_find_coordinator },
	{ 11, 0, 6, handle_join_group },
	{ 12, 0, 4, handle_heartbeat },
	{ 13, 0, 4, handle_leave_group },
	{ 14, 0, 4, handle_sync_group },
	{ 15, 0, 5, handle_describe_groups },
	{ 16, 0, 4, handle_list_groups },
	{ 42, 0, 2, handle_delete_groups },
	{ 47, 0, 0, handle_offset_delete },
	/* idempotent producer (broker/txn/) */
	{ 22, 0, 4, handle_init_producer_id },
	/* transactions (broker/txn/): PROTOCOL.md column B; markers v0-1 */
	{ 24, 0, 4, handle_add_partitions_to_txn },
	{ 25, 0, 1, handle_add_offsets_to_txn },
	{ 26, 0, 3, handle_end_txn },
	{ 27, 0, 1, handle_write_txn_markers },
	{ 28, 0, 3, handle_txn_offset_commit },
	{ 61, 0, 0, handle_describe_producers },
	{ 65, 0, 0, handle_describe_transactions },
	{ 66, 0, 0, handle_list_transactions },
};
const int handler_count = (int)(sizeof handler_table / sizeof handler_table[0]);

const struct handler_entry *handler_find(int16_t key)
{
	for (int i = 0; i < handler_count; i++)
		if (handler_table[i].key == key)
			return &handler_table[i];
	return NULL;
}
