/* The purgatory: watch lists per key (doubly linked, so an operation leaves
 * all its keys in O(keys)), deadlines on a 1 ms timer wheel, and one loop
 * timer set for the wheel's earliest bucket. */
#include "common/purgatory.h"

#include <stddef.h>
#include <stdlib.h>

#define OP_OF(e) ((struct purg_op *)((char *)(e) - offsetof(struct purg_op, timer)))

static void link_unlink(struct purg_link *l)
{
	if (!l->next)
		return;
	l->prev->next = l->next;
	l->next->prev = l->prev;
	l->prev = l->next = NULL;
}

static void link_tail(struct purg_link *head, struct purg_link *l)
{
	l->next = head;
	l->prev = head->prev;
	l->prev->next = l;
	head->prev = l;
}

void purg_key_init(struct purg_key *key)
{
	key->head.prev = key->head.next = &key->head;
	key->head.op = NULL;
}

static void key_ready(struct purg_key *key)
{
	if (!key->head.next)
		purg_key_init(key);
}

static void on_tick(struct loop_timer *t);

void purg_init(struct purgatory *pg, struct loop *loop)
{
	*pg = (struct purgatory){ .loop = loop, .armed_at = INT64_MAX };
	tw_init(&pg->wheel, 1, loop_now_ms(loop));
	loop_timer_init(&pg->tick, on_tick, pg);
}

/* Leaves every key and the wheel; the op is no longer parked. */
static void unpark(struct purgatory *pg, struct purg_op *op)
{
	for (int32_t i = 0; i < op->nlinks; i++)
		link_unlink(&op->links[i]);
	if (op->links != &op->one)
		free(op->links);
	op->links = NULL;
	op->nlinks = 0;
	tw_cancel(&pg->wheel, &op->timer);
	op->parked = 0;
	if (op->kind >= 0 && op->kind < PURG_KINDS)
		pg->size[op->kind]--;
}

void purg_free(struct purgatory *pg)
{
	loop_timer_stop(pg->loop, &pg->tick);
	struct tw_entry due;
	tw_list_init(&due);
	tw_drain(&pg->wheel, &due);
	for (struct tw_entry *e; (e = tw_list_pop(&due));)
		unpark(pg, OP_OF(e));
}

void purg_op_init(struct purg_op *op, int kind, int (*try_complete)(struct purg_op *),
		  void (*on_complete)(struct purg_op *, int), void *arg)
{
	*op = (struct purg_op){ .try_complete = try_complete, .on_complete = on_complete,
				.arg = arg, .kind = kind };
}

static void arm(struct purgatory *pg, int64_t at)
{
	if (at >= pg->armed_at)
		return;
	int64_t now = loop_now_ms(pg->loop);
	pg->armed_at = at;
	loop_timer_start(pg->loop, &pg->tick, at > now ? at - now : 0);
}

static void finish(struct purgatory *pg, struct purg_op *op, int expired)
{
	unpark(pg, op);
	op->on_complete(op, expired);
}

/* Expiry: everything due goes to a list first, so an on_complete that
 * completes or cancels another due operation finds it on that list. */
static void on_tick(struct loop_timer *t)
{
	struct purgatory *pg = t->arg;
	pg->armed_at = INT64_MAX;
	struct tw_entry due;
	tw_list_init(&due);
	tw_advance(&pg->wheel, loop_now_ms(pg->loop), &due);
	for (struct tw_entry *e; (e = tw_list_pop(&due));)
		finish(pg, OP_OF(e), 1);
	arm(pg, tw_next_ms(&pg->wheel));
}

void purg_watch(struct purgatory *pg, struct purg_op *op, struct purg_key *const *keys,
		int32_t nkeys, int64_t timeout_ms)
{
	op->nlinks = 0;
	op->links = nkeys == 1 ? &op->one : NULL;
	if (nkeys > 1)
		op->links = calloc((size_t)nkeys, sizeof *op->links);
	/* out of memory: only the deadline completes it, which is still an answer */
	for (int32_t i = 0; op->links && i < nkeys; i++) {
		struct purg_link *l = &op->links[op->nlinks++];
		l->op = op;
		key_ready(keys[i]);
		link_tail(&keys[i]->head, l);
	}
	op->parked = 1;
	op->busy = 0;
	if (op->kind >= 0 && op->kind < PURG_KINDS)
		pg->size[op->kind]++;
	int64_t now = loop_now_ms(pg->loop);
	arm(pg, tw_add(&pg->wheel, &op->timer, now + (timeout_ms > 0 ? timeout_ms : 0)));
}

int purg_try_else_watch(struct purgatory *pg, struct purg_op *op,
			struct purg_key *const *keys, int32_t nkeys, int64_t timeout_ms)
{
	pg->checks++;
	if (op->try_complete && op->try_complete(op)) {
		op->on_complete(op, 0);
		return 1;
	}
	purg_watch(pg, op, keys, nkeys, timeout_ms);
	return 0;
}

/* The key's list is moved aside and each link is put back before its op is
 * tried, so a try or a completion may park, complete or cancel anything
 * (this op, another, one on this key) and may check this key again:
 * nothing the loop still holds can be freed under it. */
int purg_check_key(struct purgatory *pg, struct purg_key *key)
{
	if (!key->head.next || key->head.next == &key->head)
		return 0;
	struct purg_link pending;
	pending.next = key->head.next;
	pending.prev = key->head.prev;
	pending.next->prev = &pending;
	pending.prev->next = &pending;
	purg_key_init(key);
	int done = 0;
	while (pending.next != &pending) {
		struct purg_link *l = pending.next;
		link_unlink(l);
		link_tail(&key->head, l);
		struct purg_op *op = l->op;
		if (op->busy || !op->try_complete)
			continue;
		op->busy = 1;
		pg->checks++;
		int ok = op->try_complete(op);
		op->busy = 0;
		if (ok) {
			finish(pg, op, 0);
			done++;
		}
	}
	return done;
}

int purg_complete(struct purgatory *pg, struct purg_op *op)
{
	if (!op->parked)
		return -1;
	finish(pg, op, 0);
	return 0;
}

void purg_cancel(struct purgatory *pg, struct purg_op *op)
{
	if (op->parked)
		unpark(pg, op);
}

void purg_key_release(struct purg_key *key)
{
	if (!key->head.next)
		return;
	while (key->head.next != &key->head)
		link_unlink(key->head.next);
}

size_t purg_key_watchers(const struct purg_key *key)
{
	size_t n = 0;
	if (!key->head.next)
		return 0;
	for (const struct purg_link *l = key->head.next; l != &key->head; l = l->next)
		n++;
	return n;
}
