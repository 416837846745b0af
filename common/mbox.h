/* Mailbox: a thread-safe queue of closures that one thread drains.
 * The event loop's mailbox wakes it through an eventfd (mbox_fd); other
 * threads may block in mbox_wait instead. Used for every hand-over between
 * the coordination thread and the data plane. */
#ifndef GREGOR_MBOX_H
#define GREGOR_MBOX_H

typedef void (*mbox_fn)(void *arg);

struct mbox;

struct mbox *mbox_new(void);
void mbox_free(struct mbox *mb);
/* Queue fn(arg) to run on the draining thread. Never blocks for long. */
void mbox_post(struct mbox *mb, mbox_fn fn, void *arg);
/* eventfd that becomes readable when work is queued. */
int mbox_fd(const struct mbox *mb);
/* Runs everything queued so far; returns how many ran. */
int mbox_drain(struct mbox *mb);
/* Blocks up to timeout_ms for work (then drains it); returns how many ran. */
int mbox_wait(struct mbox *mb, int timeout_ms);
#endif
