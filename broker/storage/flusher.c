/* The log flusher thread (flusher.h): a mutex-protected FIFO of jobs, a
 * condition variable to wake the thread, and the loop's mailbox for the
 * results. The queue is bounded so that a disk slower than the rolls cannot
 * make it grow without limit; a job refused then is simply not flushed
 * early (the next roll's job covers its segments). */
#include "broker/storage/flusher.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "broker/storage/log_internal.h"
#include "common/clock.h"
#include "common/failpoint.h"
#include "common/mbox.h"

struct flusher {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct flush_job *head, *tail;
	size_t queued, cap;
	int stopping;
	struct mbox *done_mb;
	pthread_t thread;
};

static void post_done(void *arg)
{
	struct flush_job *job = arg;
	job->done(job);
}

/* The thread's one piece of work: sync every fd, remember the first error
 * (later fds are still synced: they may be fine, and the error decides). */
static void job_run(struct flush_job *job)
{
	int64_t t0 = clock_mono_us();
	job->rc = 0;
	if (job->failpoint && (job->rc = failpoint_error(job->failpoint)) != 0) {
		job->ms = (double)(clock_mono_us() - t0) / 1000.0;
		return;
	}
	for (size_t i = 0; i < job->nfds; i++) {
		int rc = log_datasync(job->fds[i]);
		if (rc && !job->rc)
			job->rc = rc;
	}
	job->ms = (double)(clock_mono_us() - t0) / 1000.0;
}

static void *flusher_main(void *arg)
{
	struct flusher *f = arg;
	pthread_mutex_lock(&f->lock);
	for (;;) {
		while (!f->head && !f->stopping)
			pthread_cond_wait(&f->wake, &f->lock);
		struct flush_job *job = f->head;
		if (!job)
			break; /* stopping and nothing left */
		f->head = job->next;
		if (!f->head)
			f->tail = NULL;
		f->queued--;
		pthread_mutex_unlock(&f->lock);
		job_run(job);
		mbox_post(f->done_mb, post_done, job);
		pthread_mutex_lock(&f->lock);
	}
	pthread_mutex_unlock(&f->lock);
	return NULL;
}

struct flusher *flusher_start(struct mbox *done_mb, size_t cap)
{
	struct flusher *f = calloc(1, sizeof *f);
	if (!f)
		return NULL;
	pthread_mutex_init(&f->lock, NULL);
	pthread_cond_init(&f->wake, NULL);
	f->cap = cap ? cap : 1;
	f->done_mb = done_mb;
	if (pthread_create(&f->thread, NULL, flusher_main, f)) {
		pthread_cond_destroy(&f->wake);
		pthread_mutex_destroy(&f->lock);
		free(f);
		return NULL;
	}
	return f;
}

int flusher_submit(struct flusher *f, struct flush_job *job)
{
	int rc = 0;
	job->next = NULL;
	pthread_mutex_lock(&f->lock);
	if (f->stopping) {
		rc = -ESHUTDOWN;
	} else if (f->queued >= f->cap) {
		rc = -EAGAIN;
	} else {
		if (f->tail)
			f->tail->next = job;
		else
			f->head = job;
		f->tail = job;
		f->queued++;
		pthread_cond_signal(&f->wake);
	}
	pthread_mutex_unlock(&f->lock);
	return rc;
}

void flusher_stop(struct flusher *f)
{
	if (!f)
		return;
	pthread_mutex_lock(&f->lock);
	f->stopping = 1;
	pthread_cond_signal(&f->wake);
	pthread_mutex_unlock(&f->lock);
	pthread_join(f->thread, NULL);
	pthread_cond_destroy(&f->wake);
	pthread_mutex_destroy(&f->lock);
	free(f);
}

int flush_job_add_fd(struct flush_job *job, int fd)
{
	if (job->nfds == job->cap) {
		size_t cap = job->cap ? job->cap * 2 : 8;
		int *v = realloc(job->fds, cap * sizeof *v);
		if (!v) {
			close(fd);
			return -ENOMEM;
		}
		job->fds = v;
		job->cap = cap;
	}
	job->fds[job->nfds++] = fd;
	return 0;
}

void flush_job_release(struct flush_job *job)
{
	for (size_t i = 0; i < job->nfds; i++)
		close(job->fds[i]);
	free(job->fds);
	job->fds = NULL;
	job->nfds = job->cap = 0;
}
