/* Producer id allocator (see pid_alloc.h).
 *
 * Invariants: cur_next..cur_end are ids of our claimed block not yet given
 * out (empty when cur_next > cur_end); pre_* is a whole claimed block kept
 * for later (pre_start < 0: none); at most one claim is in flight; waiters
 * exist only while a claim is in flight. */
#include "broker/txn/pid_alloc.h"

#include <stdlib.h>

#include "common/log.h"
#include "common/proto/kerr.h"

#define PID_MAX_WAITERS 4096

struct pid_waiter {
	struct pid_waiter *next;
	pid_alloc_fn fn;
	void *arg;
};

struct pid_alloc {
	pid_block_claim_fn claim;
	void *claim_arg;
	int64_t cur_start, cur_next, cur_end;
	int64_t pre_start, pre_end;
	int claiming;
	struct pid_waiter *head, **tail;
	int nwaiting;
};

struct pid_alloc *pid_alloc_new(pid_block_claim_fn claim, void *claim_arg)
{
	struct pid_alloc *pa = calloc(1, sizeof *pa);
	if (!pa)
		return NULL;
	pa->claim = claim;
	pa->claim_arg = claim_arg;
	pa->cur_end = pa->pre_start = pa->pre_end = -1; /* nothing claimed */
	pa->tail = &pa->head;
	return pa;
}

void pid_alloc_free(struct pid_alloc *pa)
{
	free(pa);
}

static int pid_have(const struct pid_alloc *pa)
{
	return pa->cur_next <= pa->cur_end;
}

static void pid_take_prefetched(struct pid_alloc *pa)
{
	if (pid_have(pa) || pa->pre_start < 0)
		return;
	pa->cur_start = pa->cur_next = pa->pre_start;
	pa->cur_end = pa->pre_end;
	pa->pre_start = pa->pre_end = -1;
}

static void pid_claimed(void *arg, int16_t kerr, int64_t start, int64_t end);

/* Claims ahead once 90% of the current block is used and nothing is kept. */
static void pid_maybe_claim(struct pid_alloc *pa)
{
	if (pa->claiming || pa->pre_start >= 0)
		return;
	int64_t size = pa->cur_end - pa->cur_start + 1;
	if (pid_have(pa) && (pa->cur_next - pa->cur_start) * 10 < size * 9)
		return;
	pa->claiming = 1;
	pa->claim(pa->claim_arg, pid_claimed, pa);
}

static struct pid_waiter *pid_pop(struct pid_alloc *pa)
{
	struct pid_waiter *w = pa->head;
	pa->head = w->next;
	if (!pa->head)
		pa->tail = &pa->head;
	pa->nwaiting--;
	return w;
}

static void pid_claimed(void *arg, int16_t kerr, int64_t start, int64_t end)
{
	struct pid_alloc *pa = arg;
	pa->claiming = 0;
	if (kerr == 0 && (start < 0 || end < start))
		kerr = KERR_COORDINATOR_NOT_AVAILABLE;
	if (kerr == 0) {
		pa->pre_start = start;
		pa->pre_end = end;
	}
	/* waiters get ids in arrival order; with the claim failed, an error */
	while (pa->head) {
		pid_take_prefetched(pa);
		if (!pid_have(pa) && kerr == 0)
			break;
		struct pid_waiter *w = pid_pop(pa);
		if (pid_have(pa))
			w->fn(w->arg, 0, pa->cur_next++);
		else
			w->fn(w->arg, kerr, -1);
		free(w);
	}
	if (kerr == 0)
		pid_maybe_claim(pa);
	else
		log_warn("txn", "no producer id block: %s", kerr_name(kerr));
}

void pid_alloc_next(struct pid_alloc *pa, pid_alloc_fn fn, void *arg)
{
	pid_take_prefetched(pa);
	if (pid_have(pa) && !pa->head) {
		int64_t id = pa->cur_next++;
		pid_maybe_claim(pa);
		fn(arg, 0, id);
		return;
	}
	struct pid_waiter *w = pa->nwaiting < PID_MAX_WAITERS ? calloc(1, sizeof *w) : NULL;
	if (!w) {
		fn(arg, KERR_COORDINATOR_NOT_AVAILABLE, -1);
		return;
	}
	w->fn = fn;
	w->arg = arg;
	*pa->tail = w;
	pa->tail = &w->next;
	pa->nwaiting++;
	pid_maybe_claim(pa);
}
