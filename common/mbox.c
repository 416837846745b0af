/* Mailbox: mutex-protected singly linked queue plus an eventfd doorbell. */
#include "mbox.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

struct mbox_item {
	struct mbox_item *next;
	mbox_fn fn;
	void *arg;
};

struct mbox {
	pthread_mutex_t lock;
	struct mbox_item *head, *tail;
	int efd;
};

struct mbox *mbox_new(void)
{
	struct mbox *mb = calloc(1, sizeof *mb);
	if (!mb)
		return NULL;
	mb->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (mb->efd < 0) {
		free(mb);
		return NULL;
	}
	pthread_mutex_init(&mb->lock, NULL);
	return mb;
}

void mbox_free(struct mbox *mb)
{
	if (!mb)
		return;
	mbox_drain(mb);
	close(mb->efd);
	pthread_mutex_destroy(&mb->lock);
	free(mb);
}

void mbox_post(struct mbox *mb, mbox_fn fn, void *arg)
{
	struct mbox_item *it = malloc(sizeof *it);
	if (!it)
		abort(); /* losing a hand-over silently would be worse */
	it->next = NULL;
	it->fn = fn;
	it->arg = arg;
	pthread_mutex_lock(&mb->lock);
	if (mb->tail)
		mb->tail->next = it;
	else
		mb->head = it;
	mb->tail = it;
	pthread_mutex_unlock(&mb->lock);
	uint64_t one = 1;
	ssize_t n = write(mb->efd, &one, sizeof one);
	(void)n; /* EAGAIN means the counter is already non-zero: still woken */
}

int mbox_fd(const struct mbox *mb) { return mb->efd; }

int mbox_drain(struct mbox *mb)
{
	uint64_t cnt;
	ssize_t n = read(mb->efd, &cnt, sizeof cnt);
	(void)n;
	pthread_mutex_lock(&mb->lock);
	struct mbox_item *it = mb->head;
	mb->head = mb->tail = NULL;
	pthread_mutex_unlock(&mb->lock);
	int ran = 0;
	while (it) {
		struct mbox_item *next = it->next;
		it->fn(it->arg);
		free(it);
		it = next;
		ran++;
	}
	return ran;
}

int mbox_wait(struct mbox *mb, int timeout_ms)
{
	struct pollfd pfd = { .fd = mb->efd, .events = POLLIN };
	int r = poll(&pfd, 1, timeout_ms);
	if (r < 0 && errno != EINTR)
		return 0;
	return mbox_drain(mb);
}
