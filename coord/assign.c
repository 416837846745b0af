/* Rack-unaware round-robin assignment, same arithmetic as Kafka so that
 * operators see the layouts they expect. */
#include "coord/assign.h"

#include <errno.h>

int assign_replicas(const int32_t *brokers, int n, int32_t nparts, int rf,
		    int32_t first_partition, int start, int shift,
		    struct zn_assign *out)
{
	if (n <= 0 || rf <= 0 || rf > n || rf > ZN_MAX_REPLICAS || nparts < 0 ||
	    first_partition < 0 || start < 0 || shift < 0)
		return -EINVAL;
	int64_t next_shift = shift;
	for (int32_t k = 0; k < nparts; k++) {
		int64_t p = (int64_t)first_partition + k;
		if (p > 0 && p % n == 0)
			next_shift++;
		int first = (int)((p + start) % n);
		out[k].partition = (int32_t)p;
		out[k].n_replicas = rf;
		out[k].replicas[0] = brokers[first];
		for (int j = 0; j < rf - 1; j++) {
			int off = 1 + (int)((next_shift + j) % (n - 1));
			out[k].replicas[j + 1] = brokers[(first + off) % n];
		}
	}
	return 0;
}
