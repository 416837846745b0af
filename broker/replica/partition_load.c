/* Start-up loading of partition logs on num.recovery.threads.per.data.dir
 * threads per log dir (partition_load.h). A thread takes the next job of
 * its dir's queue until none is left; the caller joins them all. */
#include "broker/replica/partition_load.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "broker/partition.h"
#include "common/log.h"

int pload_add(struct pload_queue *q, struct partition *p, char *path,
	      const struct log_config *cfg)
{
	if (q->n == q->cap) {
		size_t cap = q->cap ? q->cap * 2 : 64;
		struct pload_job *j = realloc(q->jobs, cap * sizeof *j);
		if (!j) {
			free(path);
			return -ENOMEM;
		}
		q->jobs = j;
		q->cap = cap;
	}
	q->jobs[q->n++] = (struct pload_job){ .p = p, .path = path, .cfg = *cfg, .rc = -EINTR };
	return 0;
}

struct pload_worker {
	pthread_t t;
	struct pload_queue *q;
	const struct log_storage *storage;
	int started;
};

static void *pload_work(void *arg)
{
	struct pload_worker *w = arg;
	size_t i;
	while ((i = atomic_fetch_add(&w->q->next, 1)) < w->q->n) {
		struct pload_job *j = &w->q->jobs[i];
		j->rc = partition_open_log(j->p, j->path, &j->cfg, w->storage);
	}
	return NULL;
}

/* Threads for queue q: no more than it has jobs. */
static int threads_for(const struct pload_queue *q, int threads)
{
	return q->n < (size_t)threads ? (int)q->n : threads;
}

void pload_run(struct pload_queue *qs, int nq, int threads, const struct log_storage *storage)
{
	if (threads < 1)
		threads = 1;
	int total = 0;
	for (int d = 0; d < nq; d++)
		total += threads_for(&qs[d], threads);
	struct pload_worker *w = calloc(total ? (size_t)total : 1, sizeof *w);
	if (!w) { /* no memory for the pool: one queue after another, here */
		for (int d = 0; d < nq; d++)
			pload_work(&(struct pload_worker){ .q = &qs[d], .storage = storage });
		return;
	}
	int k = 0;
	for (int d = 0; d < nq; d++) {
		int started = 0;
		for (int i = 0; i < threads_for(&qs[d], threads); i++, k++) {
			w[k] = (struct pload_worker){ .q = &qs[d], .storage = storage };
			w[k].started = pthread_create(&w[k].t, NULL, pload_work, &w[k]) == 0;
			started += w[k].started;
		}
		if (started < threads_for(&qs[d], threads))
			log_warn("replica", "log recovery: %d of %d thread(s) started",
				 started, threads_for(&qs[d], threads));
		if (started == 0) /* none: this thread loads the dir */
			pload_work(&(struct pload_worker){ .q = &qs[d], .storage = storage });
	}
	for (k = 0; k < total; k++)
		if (w[k].started)
			pthread_join(w[k].t, NULL);
	free(w);
}

void pload_free(struct pload_queue *q)
{
	for (size_t i = 0; i < q->n; i++)
		free(q->jobs[i].path);
	free(q->jobs);
	q->jobs = NULL;
	q->n = q->cap = 0;
}
