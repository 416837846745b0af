/* Event loop: epoll_wait with a timeout taken from the earliest timer.
 * Timers live in a binary min-heap of pointers; each timer knows its heap
 * index, so stopping one is O(log n). */
#include "loop.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "common/clock.h"

#define LOOP_MAX_EVENTS 256

struct loop {
	int epfd;
	int stop;
	int64_t now;
	struct loop_timer **heap;
	int nheap, capheap;
};

struct loop *loop_new(void)
{
	struct loop *l = calloc(1, sizeof *l);
	if (!l)
		return NULL;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0) {
		free(l);
		return NULL;
	}
	l->now = clock_mono_ms();
	return l;
}

void loop_free(struct loop *l)
{
	if (!l)
		return;
	close(l->epfd);
	free(l->heap);
	free(l);
}

int64_t loop_now_ms(const struct loop *l) { return l->now; }
void loop_stop(struct loop *l) { l->stop = 1; }

int loop_io_add(struct loop *l, struct loop_io *io, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = io };
	io->events = events;
	return epoll_ctl(l->epfd, EPOLL_CTL_ADD, io->fd, &ev) < 0 ? -errno : 0;
}

int loop_io_mod(struct loop *l, struct loop_io *io, uint32_t events)
{
	if (io->events == events)
		return 0;
	struct epoll_event ev = { .events = events, .data.ptr = io };
	io->events = events;
	return epoll_ctl(l->epfd, EPOLL_CTL_MOD, io->fd, &ev) < 0 ? -errno : 0;
}

void loop_io_del(struct loop *l, struct loop_io *io)
{
	epoll_ctl(l->epfd, EPOLL_CTL_DEL, io->fd, NULL);
	io->events = 0;
}

void loop_timer_init(struct loop_timer *t, loop_timer_fn fn, void *arg)
{
	t->when = 0;
	t->heap_idx = -1;
	t->fn = fn;
	t->arg = arg;
}

static void heap_swap(struct loop *l, int a, int b)
{
	struct loop_timer *t = l->heap[a];
	l->heap[a] = l->heap[b];
	l->heap[b] = t;
	l->heap[a]->heap_idx = a;
	l->heap[b]->heap_idx = b;
}

static void heap_up(struct loop *l, int i)
{
	while (i > 0) {
		int p = (i - 1) / 2;
		if (l->heap[p]->when <= l->heap[i]->when)
			break;
		heap_swap(l, i, p);
		i = p;
	}
}

static void heap_down(struct loop *l, int i)
{
	for (;;) {
		int c = 2 * i + 1, m = i;
		if (c < l->nheap && l->heap[c]->when < l->heap[m]->when)
			m = c;
		if (c + 1 < l->nheap && l->heap[c + 1]->when < l->heap[m]->when)
			m = c + 1;
		if (m == i)
			return;
		heap_swap(l, i, m);
		i = m;
	}
}

void loop_timer_stop(struct loop *l, struct loop_timer *t)
{
	int i = t->heap_idx;
	if (i < 0)
		return;
	t->heap_idx = -1;
	l->nheap--;
	if (i == l->nheap)
		return;
	l->heap[i] = l->heap[l->nheap];
	l->heap[i]->heap_idx = i;
	heap_down(l, i);
	heap_up(l, i);
}

void loop_timer_start(struct loop *l, struct loop_timer *t, int64_t delay_ms)
{
	loop_timer_stop(l, t);
	if (l->nheap == l->capheap) {
		int cap = l->capheap ? l->capheap * 2 : 64;
		struct loop_timer **h = realloc(l->heap, (size_t)cap * sizeof *h);
		if (!h)
			abort(); /* a lost timer would hang a client: fail loudly */
		l->heap = h;
		l->capheap = cap;
	}
	t->when = clock_mono_ms() + delay_ms;
	t->heap_idx = l->nheap;
	l->heap[l->nheap++] = t;
	heap_up(l, t->heap_idx);
}

static void run_timers(struct loop *l)
{
	/* bounded: a timer re-armed with delay 0 runs next round, not forever */
	int budget = l->nheap;
	while (l->nheap > 0 && budget-- > 0 && l->heap[0]->when <= l->now) {
		struct loop_timer *t = l->heap[0];
		loop_timer_stop(l, t);
		t->fn(t);
	}
}

static int next_timeout(const struct loop *l)
{
	if (l->nheap == 0)
		return 1000;
	int64_t d = l->heap[0]->when - l->now;
	if (d < 0)
		return 0;
	return d > 1000 ? 1000 : (int)d;
}

int loop_run(struct loop *l)
{
	struct epoll_event evs[LOOP_MAX_EVENTS];
	l->stop = 0;
	while (!l->stop) {
		l->now = clock_mono_ms();
		int n = epoll_wait(l->epfd, evs, LOOP_MAX_EVENTS, next_timeout(l));
		if (n < 0 && errno != EINTR)
			return -errno;
		l->now = clock_mono_ms();
		for (int i = 0; i < n; i++) {
			struct loop_io *io = evs[i].data.ptr;
			io->fn(io, evs[i].events);
		}
		run_timers(l);
	}
	return 0;
}
