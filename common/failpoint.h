/* Failpoints: faults injected on purpose, by name, at the spots where code
 * asks failpoint_eval(name). One registry for the whole process, armed from
 * the environment (GREGOR_FAILPOINT, read by failpoint_init) or by tests
 * (failpoint_set). Unarmed, a check costs one atomic load.
 *
 * A spec is a chain of terms tried in order, `term(->term)*`, each
 * `[count*]type[(arg)]`; a term with a count applies to that many hits and
 * then hands over to the next, a term without one applies for ever; after the
 * last counted term the point is off again. Types:
 *   off          nothing happens (used to skip hits: `2*off->error(EIO)`)
 *   on           the caller's own fault (failpoint_hit() returns 1)
 *   error(E)     the caller fails with errno E (a name such as ENOSPC, EIO,
 *                EDQUOT, EROFS, ENOMEM, or a number)
 *   short(N)     an I/O call transfers at most N bytes (a short write)
 *   torn(N)      N bytes reach the file, then the process "dies" (tests of
 *                crash recovery in one process)
 *   delay(MS)    the caller sleeps MS milliseconds, then goes on
 *   crash        the process logs the name and exits at once (_exit 86)
 * GREGOR_FAILPOINT is `name=spec,name=spec`; a bare `name` means `name=on`.
 *
 * Points in the code:
 *   storage.segment.write     appending a batch to a segment (error, short, torn)
 *   storage.index.write       writing a segment's offset/time index (error)
 *   storage.fdatasync         flushing a segment, its indexes, .txnindex or
 *                             directory, on the loop or the roll flusher (error)
 *   storage.append_flush      the flusher thread's job for a flush that
 *                             log.flush.interval.messages asked for, before
 *                             its syncs (error: the job fails, delay: held)
 *   storage.timed_flush       the same for a flush log.flush.interval.ms asked
 *                             for (error, delay)
 *   storage.checkpoint.write  writing a checkpoint file (error)
 *   txn_after_prepare         transaction coordinator: exit once a
 *                             Prepare* state is persisted (on)
 *   produce.delay_txn         a Produce with a transactional id is held on
 *                             the event loop, as if the network delayed it
 *                             (delay, served by the caller: failpoint_delay)
 */
#ifndef GREGOR_FAILPOINT_H
#define GREGOR_FAILPOINT_H

#include <stddef.h>

#define FAILPOINT_CRASH_STATUS 86

enum fp_type { FP_OFF = 0, FP_ON, FP_ERROR, FP_SHORT, FP_TORN, FP_DELAY, FP_CRASH };

/* Reads GREGOR_FAILPOINT; call once from main before any thread starts.
 * A malformed value is logged and ignored. */
void failpoint_init(void);
/* Arms name with spec (NULL, "" or "off" disarms). 0, -EINVAL for a bad
 * spec or name, -ENOSPC when the registry is full. Thread-safe. */
int failpoint_set(const char *name, const char *spec);
/* The `name=spec,...` list of GREGOR_FAILPOINT; 0 or -EINVAL (nothing armed
 * then). */
int failpoint_set_list(const char *list);
void failpoint_clear_all(void);
/* How often name was evaluated while armed / how often it fired (a term
 * other than off applied). 0 for an unknown name. */
unsigned long failpoint_hits(const char *name);
unsigned long failpoint_fired(const char *name);

/* Evaluates name: FP_OFF if nothing applies now. delay is served here
 * (then FP_OFF is returned) and crash never returns; for error, short and
 * torn *arg gets the errno or byte count. */
enum fp_type failpoint_eval(const char *name, long *arg);
/* For callers on an event loop: evaluates name like failpoint_eval but
 * returns a delay term's MS instead of sleeping (the caller parks its work
 * on a timer); 0 when no delay applies. */
long failpoint_delay(const char *name);
/* For callers whose only fault is an error: -errno, or 0. */
int failpoint_error(const char *name);
/* 1 when name fires with `on` (or any type the caller has no use for). */
int failpoint_hit(const char *name);

#endif
