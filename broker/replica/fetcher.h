/* Follower fetchers: one per leader broker, each a loop of Fetch requests
 * (replica_id = this broker) for every partition this broker follows on that
 * leader, appending what comes back to the local logs. The leader parks each
 * fetch until it has data (replica.fetch.wait.max.ms), so an idle fetcher
 * costs one request per wait period. */
#ifndef GREGOR_FETCHER_H
#define GREGOR_FETCHER_H

#include <stdint.h>

struct replica_manager;
struct partition;
struct fetcher;

/* Starts following p on leader_id (creating that leader's fetcher). */
void fetcher_add(struct replica_manager *rm, int32_t leader_id, const char *host,
		 int port, struct partition *p);
/* An append flush of one of f's partitions ended: the fetch it held back
 * (fetch offsets are sent only once flushed) goes out when none is left. */
void fetcher_flushed(struct fetcher *f);
/* Stops following p. */
void fetcher_remove(struct fetcher *f, struct partition *p);
void fetchers_free(struct replica_manager *rm);

#endif
