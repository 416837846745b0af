/* The log flusher: one background thread that fsyncs what a segment roll
 * sealed, so that the event loop never waits for a large fsync (Kafka
 * schedules the same flush on its scheduler when a log rolls).
 *
 * Ownership: a job owns its file descriptors (dup()s and files opened for
 * it), so the loop may close, truncate, delete or rename the files they
 * name while the job runs: the fsync then reaches an unlinked inode, which
 * is harmless. The thread touches nothing but the job's fds, the job's
 * result fields and the queue; everything else about a job (what it
 * covers, whom to tell) is read and written only by the loop thread, in
 * job->done, which the thread posts to the loop's mailbox when it has
 * finished. Jobs run one at a time in submission order.
 */
#ifndef GREGOR_STORAGE_FLUSHER_H
#define GREGOR_STORAGE_FLUSHER_H

#include <stddef.h>

struct mbox;
struct flusher;

struct flush_job {
	struct flush_job *next; /* the queue's link */
	int *fds;               /* synced in order, closed by flush_job_free */
	size_t nfds, cap;
	int rc;                 /* set by the thread: 0 or the first -errno */
	double ms;              /* set by the thread: how long the syncs took */
	/* a failpoint the thread evaluates before the syncs (NULL: none):
	 * error(E) fails the job with -E and syncs nothing, delay(MS) holds
	 * it (common/failpoint.h) */
	const char *failpoint;
	void (*done)(struct flush_job *job); /* on the loop thread; frees the job */
};

/* Starts the thread; done callbacks are posted to done_mb (the loop's
 * mailbox). At most cap jobs wait at once. NULL on failure. */
struct flusher *flusher_start(struct mbox *done_mb, size_t cap);
/* Queues a job. 0, or -EAGAIN when cap jobs already wait (the caller keeps
 * the job and may drop it), -ESHUTDOWN after flusher_stop began. */
int flusher_submit(struct flusher *f, struct flush_job *job);
/* Runs the queued jobs, stops the thread and posts their done callbacks;
 * the caller then drains done_mb (mbox_drain) so none is left behind. */
void flusher_stop(struct flusher *f);

/* Adds fd to the job (the job owns it from here). 0 or -ENOMEM (fd is
 * closed then). */
int flush_job_add_fd(struct flush_job *job, int fd);
/* Closes the job's fds and frees it (not the containing struct, if any:
 * callers embed the job and free around it). */
void flush_job_release(struct flush_job *job);

#endif
