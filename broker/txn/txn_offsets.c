/* Transactional offset commits, the marker side (see txn_offsets.h): the
 * pending offsets themselves live with their groups in the group
 * coordinator, which this hands the acknowledged marker to. */
#include "broker/txn/txn_offsets.h"

#include "broker/group/coordinator.h"

void txn_offsets_on_marker(struct broker *b, int32_t partition, int64_t producer_id, int commit)
{
	struct group_coordinator *gc = gc_get(b);
	if (gc)
		gc_txn_marker(gc, partition, producer_id, commit);
}
