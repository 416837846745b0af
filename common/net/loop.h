/* The event loop: epoll for sockets, a min-heap of one-shot timers.
 *
 *   loop_new / loop_free / loop_run / loop_stop
 *   loop_io_add / loop_io_mod / loop_io_del      sockets (edge: level-triggered)
 *   loop_timer_start / loop_timer_stop           one-shot timers
 *   loop_now_ms                                   cached monotonic time
 *
 * Callers embed struct loop_io / struct loop_timer in their own objects, so
 * the loop allocates nothing per event. Single-threaded: only the thread in
 * loop_run may call these (other threads talk to it through a mailbox). */
#ifndef GREGOR_LOOP_H
#define GREGOR_LOOP_H

#include <stdint.h>

struct loop;

struct loop_io;
typedef void (*loop_io_fn)(struct loop_io *io, uint32_t events);
struct loop_io {
	int fd;
	uint32_t events; /* EPOLLIN / EPOLLOUT currently registered */
	loop_io_fn fn;
	void *arg;
};

struct loop_timer;
typedef void (*loop_timer_fn)(struct loop_timer *t);
struct loop_timer {
	int64_t when;     /* monotonic ms */
	int heap_idx;     /* -1 when not armed */
	loop_timer_fn fn;
	void *arg;
};

struct loop *loop_new(void);
void loop_free(struct loop *l);
/* Runs until loop_stop; returns 0, or -errno if epoll failed. */
int loop_run(struct loop *l);
void loop_stop(struct loop *l);
int64_t loop_now_ms(const struct loop *l);

int loop_io_add(struct loop *l, struct loop_io *io, uint32_t events);
int loop_io_mod(struct loop *l, struct loop_io *io, uint32_t events);
void loop_io_del(struct loop *l, struct loop_io *io);

void loop_timer_init(struct loop_timer *t, loop_timer_fn fn, void *arg);
/* (Re)arms t to fire once after delay_ms. */
void loop_timer_start(struct loop *l, struct loop_timer *t, int64_t delay_ms);
void loop_timer_stop(struct loop *l, struct loop_timer *t);
static inline int loop_timer_armed(const struct loop_timer *t) { return t->heap_idx >= 0; }

#endif
