/* Start-up loading of partition logs on several threads: Kafka's
 * num.recovery.threads.per.data.dir, a pool of that many threads per log
 * dir, all dirs at once. Each job opens one partition's log (log_open's
 * recovery, then the producer state replay) and touches nothing but that
 * partition, which is not yet registered anywhere: the threads share only
 * their queue's job counter, and the caller sees every job's result once
 * pload_run returns (the threads are joined). Used by rm_load alone. */
#ifndef GREGOR_REPLICA_PARTITION_LOAD_H
#define GREGOR_REPLICA_PARTITION_LOAD_H

#include <stdatomic.h>
#include <stddef.h>

#include "broker/storage/log.h"

struct partition;

struct pload_job {
	struct partition *p;
	char *path;             /* the partition's directory */
	struct log_config cfg;  /* its topic's log settings */
	int rc;                 /* out: partition_open_log's result */
};

/* The jobs of one log dir. */
struct pload_queue {
	struct pload_job *jobs;
	size_t n, cap;
	atomic_size_t next;     /* the next job to take */
};

/* Appends a job (the queue owns path from here, also on failure). 0 or
 * -ENOMEM. */
int pload_add(struct pload_queue *q, struct partition *p, char *path,
	      const struct log_config *cfg);
/* Runs the jobs of all nq queues, up to threads threads per queue, and
 * returns when every job has run. A thread that cannot be started leaves
 * its share to the others (the calling thread loads a dir none could take). */
void pload_run(struct pload_queue *qs, int nq, int threads, const struct log_storage *storage);
/* Frees the queue's job array and paths (not the partitions). */
void pload_free(struct pload_queue *q);

#endif
