/* Controller -> broker requests. TEMPORARY: the request schemas
 * (common/proto/messages.h) have not landed yet, so every send reports
 * failure and the controller keeps the broker owed a full resync. */
#include "coord/coord_int.h"

int ctl_send_leader_and_isr(struct coord *c, struct ctl_broker *b, int full)
{
	(void)c; (void)b; (void)full;
	return -1;
}

int ctl_send_update_metadata(struct coord *c, struct ctl_broker *b)
{
	(void)c; (void)b;
	return -1;
}

int ctl_send_stop_replica(struct coord *c, struct ctl_broker *b,
			  const struct ctl_topic *t, int delete_partitions)
{
	(void)c; (void)b; (void)t; (void)delete_partitions;
	return -1;
}
