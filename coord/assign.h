/* Kafka's rack-unaware replica assignment (AdminUtils): partition p's first
 * replica is brokers[(p + start) % n]; follower j sits at
 * (first + 1 + (shift + j) % (n - 1)) % n, and shift grows by one each time
 * p wraps around the broker list. Pure, unit-tested. */
#ifndef GREGOR_ASSIGN_H
#define GREGOR_ASSIGN_H

#include <stdint.h>

#include "coord/znode.h"

/* brokers: live broker ids sorted ascending (n >= rf >= 1).
 * Fills out[0..nparts) for partitions first_partition.. first_partition+nparts-1.
 * start and shift in [0, n) (callers pick them at random, as Kafka does).
 * Returns 0 or -EINVAL. */
int assign_replicas(const int32_t *brokers, int n, int32_t nparts, int rf,
		    int32_t first_partition, int start, int shift,
		    struct zn_assign *out);

#endif
