/* Transactional offset commits, the marker side (see txn_offsets.h). Not
 * yet implemented: TxnOffsetCommit is not served, so no pending offsets
 * exist and a marker on __consumer_offsets has nothing to apply. */
#include "broker/txn/txn_offsets.h"

void txn_offsets_on_marker(struct broker *b, int32_t partition, int64_t producer_id, int commit)
{
	(void)b;
	(void)partition;
	(void)producer_id;
	(void)commit;
}
