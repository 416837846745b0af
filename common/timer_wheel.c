/* Hierarchical timing wheel: buckets are circular lists with a sentinel
 * head; a bitmap per level finds the non-empty ones. */
#include "common/timer_wheel.h"

#define SLOT_BITS 6 /* TW_SLOTS == 1 << SLOT_BITS */

_Static_assert(TW_SLOTS == 1 << SLOT_BITS, "TW_SLOTS is a power of two");

static int64_t span(int level) { return (int64_t)1 << (SLOT_BITS * level); }

void tw_list_init(struct tw_entry *head)
{
	head->prev = head->next = head;
	head->level = -1;
}

static void list_unlink(struct tw_entry *e)
{
	e->prev->next = e->next;
	e->next->prev = e->prev;
	e->prev = e->next = NULL;
}

static void list_append(struct tw_entry *head, struct tw_entry *e)
{
	e->next = head;
	e->prev = head->prev;
	e->prev->next = e;
	head->prev = e;
}

struct tw_entry *tw_list_pop(struct tw_entry *head)
{
	struct tw_entry *e = head->next;
	if (e == head)
		return NULL;
	list_unlink(e);
	return e;
}

void tw_init(struct timer_wheel *tw, int64_t tick_ms, int64_t now_ms)
{
	tw->tick_ms = tick_ms > 0 ? tick_ms : 1;
	tw->cur = now_ms > 0 ? now_ms / tw->tick_ms : 0;
	tw->count = 0;
	for (int k = 0; k < TW_LEVELS; k++) {
		tw->lv[k].used = 0;
		for (int s = 0; s < TW_SLOTS; s++) {
			tw_list_init(&tw->lv[k].slot[s]);
			tw->lv[k].due[s] = 0;
		}
	}
}

/* Puts e (expire in ticks, >= cur) in the finest level whose range holds
 * it; past the top level's range, in the top level's last bucket, from
 * where it comes back down when that bucket is due. */
static int64_t place(struct timer_wheel *tw, struct tw_entry *e)
{
	int k = 0;
	int64_t vid = 0;
	for (; k < TW_LEVELS; k++) {
		int64_t base = tw->cur - tw->cur % span(k);
		if (e->expire < base + span(k) * TW_SLOTS) {
			vid = e->expire / span(k);
			break;
		}
	}
	if (k == TW_LEVELS) {
		k = TW_LEVELS - 1;
		vid = tw->cur / span(k) + TW_SLOTS - 1;
	}
	int s = (int)(vid % TW_SLOTS);
	e->level = (int16_t)k;
	e->slot = (int16_t)s;
	list_append(&tw->lv[k].slot[s], e);
	tw->lv[k].due[s] = vid * span(k);
	tw->lv[k].used |= (uint64_t)1 << s;
	tw->count++;
	return tw->lv[k].due[s];
}

int64_t tw_add(struct timer_wheel *tw, struct tw_entry *e, int64_t expire_ms)
{
	int64_t t = expire_ms > 0 ? (expire_ms + tw->tick_ms - 1) / tw->tick_ms : 0;
	e->expire = t > tw->cur ? t : tw->cur;
	return place(tw, e) * tw->tick_ms;
}

void tw_cancel(struct timer_wheel *tw, struct tw_entry *e)
{
	if (!e->next)
		return;
	int k = e->level, s = e->slot;
	list_unlink(e);
	if (k < 0)
		return; /* on a due list */
	tw->count--;
	struct tw_entry *head = &tw->lv[k].slot[s];
	if (head->next == head)
		tw->lv[k].used &= ~((uint64_t)1 << s);
}

/* The earliest bucket: its level and slot; due INT64_MAX if none. */
static int64_t earliest(const struct timer_wheel *tw, int *lk, int *ls)
{
	int64_t best = INT64_MAX;
	for (int k = 0; k < TW_LEVELS; k++)
		for (uint64_t m = tw->lv[k].used; m; m &= m - 1) {
			int s = __builtin_ctzll(m);
			if (tw->lv[k].due[s] < best) {
				best = tw->lv[k].due[s];
				*lk = k;
				*ls = s;
			}
		}
	return best;
}

int64_t tw_next_ms(const struct timer_wheel *tw)
{
	int k = 0, s = 0;
	int64_t t = earliest(tw, &k, &s);
	return t == INT64_MAX ? t : t * tw->tick_ms;
}

size_t tw_advance(struct timer_wheel *tw, int64_t now_ms, struct tw_entry *due)
{
	int64_t now = now_ms > 0 ? now_ms / tw->tick_ms : 0;
	size_t n = 0;
	int k = 0, s = 0;
	int64_t t;
	while ((t = earliest(tw, &k, &s)) <= now) {
		if (t > tw->cur)
			tw->cur = t;
		struct tw_entry bucket;
		tw_list_init(&bucket);
		struct tw_entry *head = &tw->lv[k].slot[s];
		while (head->next != head) {
			struct tw_entry *e = tw_list_pop(head);
			tw->count--;
			list_append(&bucket, e);
		}
		tw->lv[k].used &= ~((uint64_t)1 << s);
		for (struct tw_entry *e; (e = tw_list_pop(&bucket));) {
			if (e->expire <= tw->cur) {
				e->level = -1;
				list_append(due, e);
				n++;
			} else {
				place(tw, e); /* down a level, into the future */
			}
		}
	}
	if (now > tw->cur)
		tw->cur = now; /* every bucket left is due after now */
	return n;
}

size_t tw_drain(struct timer_wheel *tw, struct tw_entry *due)
{
	size_t n = 0;
	for (int k = 0; k < TW_LEVELS; k++) {
		for (int s = 0; s < TW_SLOTS; s++)
			for (struct tw_entry *e; (e = tw_list_pop(&tw->lv[k].slot[s])); n++) {
				e->level = -1;
				list_append(due, e);
			}
		tw->lv[k].used = 0;
	}
	tw->count = 0;
	return n;
}
