/* Shared fixture of the storage unit tests (tests/unit/test_storage*.c):
 * one mkdtemp root per test program that every test's directories live
 * under and that is removed when the suite has run, and record-batch
 * builders that assert instead of returning errors. */
#ifndef GREGOR_TESTS_STORAGE_FIXTURE_H
#define GREGOR_TESTS_STORAGE_FIXTURE_H

#include <check.h>
#include <stddef.h>
#include <stdint.h>

#include "broker/storage/log.h"

/* Creates /tmp/gregor-<name>-XXXXXX as the root. 0, or -1 on failure. */
int sfx_setup(const char *name);
/* A fresh directory path under the root (not created), in a static buffer
 * valid until the next call. Check forks tests, so the pid keeps the
 * names of sibling tests apart. */
const char *sfx_new_dir(void);
/* Runs s (in forked children unless nofork), then removes the root; the
 * exit status for main: 0 when every test passed and the root is gone. */
int sfx_run(Suite *s, int nofork);

/* A batch of n (<= 16) records, each with key "k" and value val[0, vlen),
 * timestamp ts, no producer; returns its length. */
size_t sfx_build(uint8_t *buf, size_t cap, int n, const void *val, int32_t vlen, int64_t ts);
/* Appends such a batch with leader epoch `epoch` and asserts that it got
 * offsets [old LEO, old LEO + n); returns its base offset. */
int64_t sfx_append(struct partition_log *log, int n, const void *val, int32_t vlen, int64_t ts,
		   int32_t epoch);

/* The value in dir's recovery-point file; -1 when there is none, -2 when
 * it does not parse. */
int64_t sfx_read_rp(const char *dir);

/* Every step that changes a log is followed by its invariant check
 * (log_check): these wrappers shadow the storage calls in the tests. */
static inline int sfx_checked(struct partition_log *log, int rc)
{
	ck_assert_int_eq(log_check(log), 0);
	return rc;
}

static inline int sfx_open_checked(const char *dir, const struct log_config *cfg,
				   const struct log_storage *st, struct partition_log **out)
{
	int rc = (log_open)(dir, cfg, st, out);
	if (rc == 0)
		ck_assert_int_eq(log_check(*out), 0);
	return rc;
}
#define log_open(dir, cfg, st, out) sfx_open_checked(dir, cfg, st, out)
#define log_truncate_to(log, o) sfx_checked(log, (log_truncate_to)(log, o))
#define log_truncate_fully_and_start_at(log, o) \
	sfx_checked(log, (log_truncate_fully_and_start_at)(log, o))
#define log_advance_start_offset(log, o) sfx_checked(log, (log_advance_start_offset)(log, o))
#define log_tick(log, now) sfx_checked(log, (log_tick)(log, now))
#define log_flush(log) sfx_checked(log, (log_flush)(log))
#define log_clean_force(log, now) sfx_checked(log, (log_clean_force)(log, now))
#define log_append_replica(log, b, n) sfx_checked(log, (log_append_replica)(log, b, n))
#define log_epoch_assign(log, e, s) sfx_checked(log, (log_epoch_assign)(log, e, s))

#endif
