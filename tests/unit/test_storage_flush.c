/* Background flush of rolled segments (broker/storage/flusher.h, log.h):
 * a roll queues the fsync of the sealed segments to the flusher thread and
 * the recovery point moves to the new active segment's base when its
 * result comes back; the recovery-point file follows at the checkpoint
 * interval; after an unclean stop only what reaches the written point is
 * validated again; a truncation or deletion while a flush runs, and a
 * failing fsync, are handled as log.h says. After an unclean stop, a large
 * range recovery read again is flushed in the background and the point
 * moves past it. Results come back through a
 * mailbox that the test drains itself, so "in flight" is deterministic. */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "broker/storage/flusher.h"
#include "broker/storage/log.h"
#include "common/clock.h"
#include "common/failpoint.h"
#include "common/mbox.h"
#include "tests/unit/storage_fixture.h"

static struct mbox *done_mb;
static struct flusher *flusher;
/* the owner's storage context the flushed logs are opened with */
static struct log_storage storage;

static void start_flusher(void)
{
	done_mb = mbox_new();
	ck_assert_ptr_nonnull(done_mb);
	flusher = flusher_start(done_mb, 16);
	ck_assert_ptr_nonnull(flusher);
	storage.flusher = flusher;
}

static void stop_flusher(void)
{
	storage.flusher = NULL;
	flusher_stop(flusher);
	mbox_drain(done_mb); /* results of logs already gone are dropped */
	mbox_free(done_mb);
}

/* Runs the done callbacks until the log has none pending (bounded). */
static void wait_flushed(struct partition_log *log)
{
	for (int i = 0; i < 200 && log_flushes_pending(log) > 0; i++)
		mbox_wait(done_mb, 50);
	ck_assert_int_eq(log_flushes_pending(log), 0);
}

static struct log_config small_cfg(void)
{
	struct log_config c;
	log_config_defaults(&c);
	c.segment_bytes = 400; /* a few batches a segment */
	c.index_interval_bytes = 1;
	c.retention_ms = -1; /* the batches' timestamps are old */
	return c;
}

/* Starts the flusher and opens a new log with small_cfg in *dir. */
static struct partition_log *open_with_flusher(const char **dir)
{
	start_flusher();
	*dir = sfx_new_dir();
	struct log_config c = small_cfg();
	struct partition_log *log;
	ck_assert_int_eq(log_open(*dir, &c, &storage, &log), 0);
	return log;
}

/* Appends 2-record batches until the log has rolled `rolls` more times;
 * returns the base of the last new segment (the LEO when it rolled). */
static int64_t append_until_rolled(struct partition_log *log, int rolls)
{
	size_t want = log_segment_count(log) + (size_t)rolls;
	int64_t base = -1;
	for (int i = 0; i < 1000 && log_segment_count(log) < want; i++) {
		size_t n = log_segment_count(log);
		int64_t leo = log_end_offset(log);
		sfx_append(log, 2, "value-value", 11, 1000 + i, 0);
		if (log_segment_count(log) > n)
			base = leo;
	}
	ck_assert_uint_eq(log_segment_count(log), want);
	return base;
}

/* Flips a byte inside the record values of the batch holding offset (the
 * CRC covers it, the header walk does not look at it). */
static void corrupt_batch(struct partition_log *log, int64_t offset)
{
	struct log_slice sl;
	ck_assert_int_eq(log_read(log, offset, 1, log_end_offset(log), &sl), 0);
	ck_assert_int_gt(sl.len, 10);
	uint8_t b;
	ck_assert_int_eq(pread(sl.fd, &b, 1, sl.pos + sl.len - 3), 1);
	b ^= 0x20;
	ck_assert_int_eq(pwrite(sl.fd, &b, 1, sl.pos + sl.len - 3), 1);
}

static int64_t last_batch_base(struct partition_log *log)
{
	struct log_slice sl;
	ck_assert_int_eq(log_read(log, log_end_offset(log) - 1, 1, log_end_offset(log), &sl), 0);
	return sl.first_offset;
}

/* The roll queues a flush; its result moves the recovery point to the new
 * active segment's base; the file follows at the next tick, then at most
 * once per checkpoint interval (and at a clean close, to the LEO). */
START_TEST(test_roll_moves_recovery_point)
{
	const char *dir;
	struct partition_log *log = open_with_flusher(&dir);
	int64_t now = clock_wall_ms();
	ck_assert_int_eq(log_recovery_point(log), 0);
	int64_t first = append_until_rolled(log, 2);
	ck_assert_int_gt(first, 0);
	wait_flushed(log);
	ck_assert_int_eq(log_recovery_point(log), first);
	ck_assert_int_eq(sfx_read_rp(dir), 0); /* not written yet */
	ck_assert_int_eq(log_tick(log, now), 0);
	ck_assert_int_eq(sfx_read_rp(dir), first); /* the first move: at once */
	int64_t base = append_until_rolled(log, 2);
	wait_flushed(log);
	ck_assert_int_eq(log_recovery_point(log), base);
	ck_assert_int_lt(log_recovery_point(log), log_end_offset(log));
	ck_assert_int_eq(log_tick(log, now + 1000), 0);
	ck_assert_int_eq(sfx_read_rp(dir), first); /* within the 60 s interval */
	ck_assert_int_eq(log_tick(log, now + 61000), 0);
	ck_assert_int_eq(sfx_read_rp(dir), base);
	int64_t leo = log_end_offset(log);
	log_close(log);
	ck_assert_int_eq(sfx_read_rp(dir), leo);
	stop_flusher();
}
END_TEST

static ino_t epoch_file_inode(const char *dir)
{
	char p[512];
	struct stat st;
	snprintf(p, sizeof p, "%s/leader-epoch-checkpoint", dir);
	ck_assert_int_eq(stat(p, &st), 0);
	return st.st_ino;
}

/* The leader-epoch file, written without fsync when the epoch began, is
 * synced by the roll flush too: a later flush finds nothing to rewrite
 * (a rewrite replaces the file, so its inode would change). */
START_TEST(test_roll_flush_syncs_epoch_file)
{
	const char *dir;
	struct partition_log *log = open_with_flusher(&dir);
	sfx_append(log, 2, "value-value", 11, 1000, 7); /* epoch 7 begins */
	ino_t before = epoch_file_inode(dir);
	append_until_rolled(log, 1);
	wait_flushed(log);
	ck_assert_int_eq(log_flush(log), 0);
	ck_assert_uint_eq(epoch_file_inode(dir), before);
	ck_assert_int_eq(log_latest_epoch(log), 7);
	log_close(log);
	stop_flusher();
}
END_TEST

/* Writes a log that rolled several times and was killed after the
 * recovery-point checkpoint, with one corrupt batch in the first (sealed)
 * segment and one in the active segment. Returns the active segment's
 * base; *bad_active is the corrupt active batch's base. */
static int64_t killed_log(const char *dir, const struct log_config *c, int with_flusher,
			  int64_t *bad_active)
{
	if (with_flusher)
		start_flusher();
	struct partition_log *log;
	ck_assert_int_eq(log_open(dir, c, with_flusher ? &storage : NULL, &log), 0);
	int64_t base = append_until_rolled(log, 4);
	for (int i = 0; i < 2; i++)
		sfx_append(log, 2, "value-value", 11, 5000 + i, 0);
	if (with_flusher) {
		wait_flushed(log);
		ck_assert_int_eq(log_tick(log, clock_wall_ms() + 61000), 0);
		ck_assert_int_eq(sfx_read_rp(dir), base);
	} else {
		ck_assert_int_eq(log_recovery_point(log), 0);
	}
	corrupt_batch(log, 2); /* segment 0, below the written point */
	*bad_active = last_batch_base(log);
	ck_assert_int_gt(*bad_active, base);
	corrupt_batch(log, *bad_active);
	log_abandon(log); /* SIGKILL: no flush, no clean-shutdown marker */
	if (with_flusher)
		stop_flusher();
	return base;
}

/* After the unclean stop only the segment at the recovery point is read
 * again: the corrupt batch in segment 0 is not looked at (it was synced
 * before the point passed it), the one in the active segment cuts the log. */
START_TEST(test_recovery_reads_only_above_recovery_point)
{
	const char *dir = sfx_new_dir();
	struct log_config c = small_cfg();
	int64_t bad;
	int64_t base = killed_log(dir, &c, 1, &bad);
	struct partition_log *log;
	ck_assert_int_eq(log_open(dir, &c, NULL, &log), 0);
	ck_assert_int_eq(log_end_offset(log), bad);
	ck_assert_int_eq(log_recovery_point(log), base);
	ck_assert_uint_eq(log_segment_count(log), 5);
	log_close(log);
}
END_TEST

/* The control: without the flusher the point stays at 0, so the same
 * damage is found in segment 0 and the log is cut there. */
START_TEST(test_recovery_without_flusher_reads_everything)
{
	const char *dir = sfx_new_dir();
	struct log_config c = small_cfg();
	int64_t bad;
	killed_log(dir, &c, 0, &bad);
	struct partition_log *log;
	ck_assert_int_eq(log_open(dir, &c, NULL, &log), 0);
	ck_assert_int_eq(log_end_offset(log), 2); /* the batch at 2 was corrupt */
	ck_assert_uint_eq(log_segment_count(log), 1);
	log_close(log);
}
END_TEST

/* A truncation while the flush is in flight: its result must not move the
 * point past data that was rewritten after it was queued. */
START_TEST(test_truncation_during_flush)
{
	const char *dir;
	struct partition_log *log = open_with_flusher(&dir);
	int64_t base = append_until_rolled(log, 2);
	ck_assert_int_eq(log_flushes_pending(log), 2); /* results not drained */
	ck_assert_int_eq(log_truncate_to(log, base - 2), 0);
	sfx_append(log, 2, "other-value", 11, 7000, 0); /* where the old data was */
	ck_assert_int_eq(log_flushes_pending(log), 2);
	wait_flushed(log);
	ck_assert_int_eq(log_recovery_point(log), 0);
	ck_assert_int_eq(log_check(log), 0);
	/* a roll after the truncation moves it again */
	int64_t next = append_until_rolled(log, 1);
	wait_flushed(log);
	ck_assert_int_eq(log_recovery_point(log), next);
	log_close(log);
	stop_flusher();
}
END_TEST

/* A log deleted (or closed) with flushes in flight: their results find it
 * gone and are dropped (the sanitizer build checks the memory). */
START_TEST(test_delete_during_flush)
{
	const char *dir;
	struct partition_log *log = open_with_flusher(&dir);
	append_until_rolled(log, 3);
	ck_assert_int_gt(log_flushes_pending(log), 0);
	ck_assert_int_eq(log_delete(log), 0);
	ck_assert_int_eq(access(dir, F_OK), -1);
	for (int i = 0; i < 20; i++)
		mbox_wait(done_mb, 10);
	stop_flusher();
}
END_TEST

/* An fsync that fails in the background: the point stays, and the error
 * comes back from the next append, log_tick and flush (the broker takes
 * the log dir offline on it); a close then leaves no clean marker. */
START_TEST(test_background_fsync_eio)
{
	const char *dir;
	struct partition_log *log = open_with_flusher(&dir);
	ck_assert_int_eq(failpoint_set("storage.fdatasync", "error(EIO)"), 0);
	append_until_rolled(log, 1);
	wait_flushed(log);
	ck_assert_int_eq(log_recovery_point(log), 0);
	ck_assert_int_eq(log_tick(log, clock_wall_ms()), -EIO);
	uint8_t buf[512];
	size_t len = sfx_build(buf, sizeof buf, 1, "v", 1, 1000);
	int64_t off;
	ck_assert_int_eq(log_append(log, buf, len, 0, &off), -EIO);
	ck_assert_int_eq(log_flush(log), -EIO);
	failpoint_clear_all();
	ck_assert_int_eq(log_flush(log), -EIO); /* sticky */
	log_close(log);
	char p[512];
	snprintf(p, sizeof p, "%s/clean-shutdown", dir);
	ck_assert_int_eq(access(p, F_OK), -1);
	stop_flusher();
}
END_TEST

/* Flush durations reported to one owner's observer. */
static void count_flush(void *arg, double ms)
{
	(void)ms;
	(*(int *)arg)++;
}

/* Two owners (as two brokers in one process): the flusher and the flush
 * observer come with the storage a log was opened with. A's log has its
 * rolls flushed by A's flusher and reported to A; B's log (no flusher)
 * keeps its recovery point until B flushes it, and only B hears of that. */
START_TEST(test_flusher_and_observer_per_owner)
{
	int flushes_a = 0, flushes_b = 0;
	start_flusher();
	storage.flush_observer = count_flush;
	storage.flush_observer_arg = &flushes_a;
	struct log_storage other = { .flush_observer = count_flush,
				     .flush_observer_arg = &flushes_b };
	struct log_config c = small_cfg();
	struct partition_log *a, *b;
	/* a new log is flushed once at open: each owner hears of its own */
	ck_assert_int_eq(log_open(sfx_new_dir(), &c, &storage, &a), 0);
	ck_assert_int_eq(flushes_a, 1);
	ck_assert_int_eq(flushes_b, 0);
	ck_assert_int_eq(log_open(sfx_new_dir(), &c, &other, &b), 0);
	ck_assert_int_eq(flushes_a, 1);
	ck_assert_int_eq(flushes_b, 1);
	int64_t base_a = append_until_rolled(a, 1);
	append_until_rolled(b, 1);
	ck_assert_int_eq(log_flushes_pending(b), 0); /* nothing queued for B */
	wait_flushed(a);
	ck_assert_int_eq(log_recovery_point(a), base_a);
	ck_assert_int_eq(log_recovery_point(b), 0);
	ck_assert_int_eq(flushes_a, 2); /* the roll's, from A's flusher */
	ck_assert_int_eq(flushes_b, 1);
	ck_assert_int_eq(log_flush(b), 0);
	ck_assert_int_eq(log_recovery_point(b), log_end_offset(b));
	ck_assert_int_eq(flushes_b, 2);
	ck_assert_int_eq(flushes_a, 2);
	log_close(a);
	log_close(b);
	storage.flush_observer = NULL;
	storage.flush_observer_arg = NULL;
	stop_flusher();
}
END_TEST

/* ---- log.flush.interval.messages=1: the flush syncs data only ---- */

static off_t file_size_of(const char *dir, int64_t base, const char *suffix)
{
	char p[512];
	struct stat st;
	snprintf(p, sizeof p, "%s/%020lld%s", dir, (long long)base, suffix);
	return stat(p, &st) == 0 ? st.st_size : -1;
}

/* What a power loss may take of files written without fsync: every index
 * file of the segments with base >= from, and the leader-epoch file. */
static void lose_unsynced_files(const char *dir, int64_t from)
{
	static const char *const suffixes[] = { ".index", ".timeindex" };
	DIR *d = opendir(dir);
	ck_assert_ptr_nonnull(d);
	struct dirent *e;
	int removed = 0;
	while ((e = readdir(d)) != NULL) {
		long long base;
		char suffix[32];
		if (sscanf(e->d_name, "%20lld%31s", &base, suffix) != 2 || base < from)
			continue;
		for (size_t i = 0; i < 2; i++)
			if (strcmp(suffix, suffixes[i]) == 0) {
				ck_assert_int_eq(unlinkat(dirfd(d), e->d_name, 0), 0);
				removed++;
			}
	}
	closedir(d);
	ck_assert_int_gt(removed, 0);
	char p[512];
	snprintf(p, sizeof p, "%s/leader-epoch-checkpoint", dir);
	unlink(p);
}

/* Appends 2-record batches (timestamp 1000 + batch number, epoch 1 for the
 * first ten batches, 4 after) until the log has `segments` segments; the
 * number of batches appended so far goes in and out through *batches. */
static void append_flushed(struct partition_log *log, size_t segments, int *batches)
{
	for (int i = 0; i < 1000 && log_segment_count(log) < segments; i++) {
		int k = (*batches)++;
		sfx_append(log, 2, "value-value", 11, 1000 + k, k < 10 ? 1 : 4);
		/* every append flushed (and moved the point in memory) */
		ck_assert_int_eq(log_recovery_point(log), log_end_offset(log));
	}
	ck_assert_uint_eq(log_segment_count(log), segments);
}

/* The log holds batches 0..n-1 of append_flushed at offsets 2k, 2k + 1,
 * all readable through the (rebuilt) indexes, with their epochs. */
static void check_flushed_log(struct partition_log *log, int n)
{
	ck_assert_int_eq(log_end_offset(log), 2 * n);
	ck_assert_int_eq(log_check(log), 0);
	for (int k = 0; k < n; k++) {
		struct log_slice sl;
		ck_assert_int_eq(log_read(log, 2 * k + 1, 1, 2 * n, &sl), 0);
		ck_assert_int_eq(sl.first_offset, 2 * k);
		int64_t ts = -1;
		ck_assert_int_eq(log_offset_for_time(log, 1000 + k, &ts), 2 * k);
		ck_assert_int_eq(ts, 1000 + k);
	}
	int32_t e;
	int64_t end;
	log_epoch_end_offset(log, 1, &e, &end);
	ck_assert_int_eq(e, 1);
	ck_assert_int_eq(end, 20);
	ck_assert_int_eq(log_latest_epoch(log), 4);
}

/* With a flush after every append the recovery-point file is not written
 * (nor any index): the point moves in memory only. A crash then (no close)
 * that also loses every file written without fsync loses nothing flushed:
 * the whole log is above the file's point, so it is read again and its
 * indexes and epoch cache are rebuilt. */
START_TEST(test_flush_syncs_data_only)
{
	const char *dir = sfx_new_dir();
	struct log_config c = small_cfg();
	c.flush_interval_messages = 1;
	struct partition_log *log;
	ck_assert_int_eq(log_open(dir, &c, NULL, &log), 0);
	ck_assert_int_eq(sfx_read_rp(dir), 0); /* a new log is checkpointed once */
	int n = 0;
	append_flushed(log, 4, &n);
	ck_assert_int_eq(sfx_read_rp(dir), 0);
	/* the active segment's index files were never written (created empty
	 * with the segment) */
	ck_assert_int_eq(file_size_of(dir, 2 * (n - 1), ".index"), 0);
	ck_assert_int_eq(file_size_of(dir, 2 * (n - 1), ".timeindex"), 0);
	check_flushed_log(log, n);
	log_abandon(log); /* SIGKILL */
	lose_unsynced_files(dir, 0);
	ck_assert_int_eq(log_open(dir, &c, NULL, &log), 0);
	ck_assert_int_eq(log_recovery_point(log), 0);
	check_flushed_log(log, n);
	ck_assert_int_gt(file_size_of(dir, 0, ".index"), 0); /* rebuilt and written */
	log_close(log);
	ck_assert_int_eq(sfx_read_rp(dir), 2 * n);
	ck_assert_int_eq(log_open(dir, &c, NULL, &log), 0);
	check_flushed_log(log, n);
	log_close(log);
}
END_TEST

/* log_checkpoint syncs the indexes of the segments wholly below the point
 * and writes the file; those segments are then trusted after a crash, and
 * everything from the segment holding the point on is read again: its
 * index files (and those of later segments), lost, are rebuilt. */
START_TEST(test_checkpoint_then_crash)
{
	const char *dir = sfx_new_dir();
	struct log_config c = small_cfg();
	c.flush_interval_messages = 1;
	struct partition_log *log;
	ck_assert_int_eq(log_open(dir, &c, NULL, &log), 0);
	int n = 0;
	append_flushed(log, 3, &n);
	sfx_append(log, 2, "value-value", 11, 1000 + n, n < 10 ? 1 : 4);
	n++; /* the point inside a segment */
	int64_t point = log_end_offset(log);
	ck_assert_int_eq(log_checkpoint(log), 0);
	ck_assert_int_eq(sfx_read_rp(dir), point);
	ck_assert_int_gt(file_size_of(dir, 0, ".timeindex"), 0);
	int64_t trusted_end = 0; /* base of the segment holding the point */
	for (int64_t o = 0; o < point; o += 2)
		if (file_size_of(dir, o, ".log") >= 0)
			trusted_end = o;
	ck_assert_int_gt(trusted_end, 0);
	append_flushed(log, 6, &n);
	ck_assert_int_eq(sfx_read_rp(dir), point);
	log_abandon(log);
	lose_unsynced_files(dir, trusted_end);
	ck_assert_int_eq(log_open(dir, &c, NULL, &log), 0);
	ck_assert_int_eq(log_recovery_point(log), point);
	check_flushed_log(log, n);
	ck_assert_int_gt(file_size_of(dir, trusted_end, ".index"), 0);
	log_close(log);
}
END_TEST

/* A follower's fetched range of several batches is flushed once (Kafka
 * flushes once per append), after the last batch: the call returns only
 * when all of it is durable. */
START_TEST(test_replica_append_flushes_once)
{
	const char *ldir = sfx_new_dir(), *fdir;
	struct log_config c = small_cfg();
	c.segment_bytes = 1 << 20;
	c.flush_interval_messages = 1;
	struct partition_log *leader, *follower;
	ck_assert_int_eq(log_open(ldir, &c, NULL, &leader), 0);
	for (int i = 0; i < 5; i++)
		sfx_append(leader, 2, "value-value", 11, 1000 + i, 0);
	fdir = sfx_new_dir();
	int flushes = 0;
	struct log_storage counted = { .flush_observer = count_flush,
				       .flush_observer_arg = &flushes };
	ck_assert_int_eq(log_open(fdir, &c, &counted, &follower), 0);
	flushes = 0; /* the new log's own flush at open */
	struct log_slice sl;
	ck_assert_int_eq(log_read(leader, 0, 1 << 20, 10, &sl), 0);
	uint8_t *buf = malloc((size_t)sl.len);
	ck_assert_ptr_nonnull(buf);
	ck_assert_int_eq(pread(sl.fd, buf, (size_t)sl.len, sl.pos), sl.len);
	ck_assert_int_eq(log_append_replica(follower, buf, (size_t)sl.len), 0);
	ck_assert_int_eq(flushes, 1);
	ck_assert_int_eq(log_end_offset(follower), 10);
	ck_assert_int_eq(log_recovery_point(follower), 10);
	free(buf);
	log_close(follower);
	log_close(leader);
}
END_TEST

/* What the storage->flushed callback saw. */
struct flushed_seen {
	int calls, last_rc;
	void *owner;
};

static void on_flushed(void *arg, struct partition_log *log, int rc)
{
	struct flushed_seen *seen = arg;
	seen->calls++;
	seen->last_rc = rc;
	seen->owner = log_owner(log);
}

/* Opens a log with a flush per message and the flusher, reporting to seen. */
static struct partition_log *open_flush_per_message(struct flushed_seen *seen,
						    const char **dir)
{
	start_flusher();
	storage.flushed = on_flushed;
	storage.flushed_arg = seen;
	*dir = sfx_new_dir();
	struct log_config c = small_cfg();
	c.segment_bytes = 1 << 20;
	c.flush_interval_messages = 1;
	struct partition_log *log;
	ck_assert_int_eq(log_open(*dir, &c, &storage, &log), 0);
	log_set_owner(log, seen);
	return log;
}

/* Waits (bounded) until no append flush is wanted or pending. */
static void wait_ack_end(struct partition_log *log)
{
	for (int i = 0; i < 200 && (log_flushes_pending(log) || log_flush_awaited(log)); i++)
		mbox_wait(done_mb, 50);
	ck_assert_int_eq(log_flushes_pending(log), 0);
}

/* With a flusher, the flush per message runs there: the append returns at
 * once and nothing it wrote may be acknowledged (log_ack_end) until the
 * job's result came back to the owner's thread. Appends meanwhile are
 * covered by one next job (group commit): three appends, two jobs. */
START_TEST(test_append_flush_in_background)
{
	struct flushed_seen seen = { 0 };
	const char *dir;
	struct partition_log *log = open_flush_per_message(&seen, &dir);
	ck_assert_int_eq(log_ack_end(log), 0);
	sfx_append(log, 2, "value-value", 11, 1000, 0);
	/* results come back only when the test drains them */
	ck_assert_int_eq(log_flushes_pending(log), 1);
	ck_assert(log_flush_awaited(log));
	ck_assert_int_eq(log_ack_end(log), 0);
	ck_assert_int_eq(log_recovery_point(log), 0);
	sfx_append(log, 2, "value-value", 11, 1001, 0);
	sfx_append(log, 2, "value-value", 11, 1002, 0);
	ck_assert_int_eq(log_flushes_pending(log), 1); /* still the one job */
	ck_assert_int_eq(log_ack_end(log), 0);
	wait_ack_end(log);
	ck_assert_int_eq(seen.calls, 2);
	ck_assert_int_eq(seen.last_rc, 0);
	ck_assert_ptr_eq(seen.owner, &seen);
	ck_assert_int_eq(log_recovery_point(log), 6);
	ck_assert_int_eq(log_ack_end(log), 6);
	ck_assert_int_eq(log_check(log), 0);
	/* flushed: a crash that loses what was not synced loses none of it */
	log_abandon(log);
	lose_unsynced_files(dir, 0);
	struct log_config c = small_cfg();
	ck_assert_int_eq(log_open(dir, &c, NULL, &log), 0);
	ck_assert_int_eq(log_end_offset(log), 6);
	log_close(log);
	stop_flusher();
	storage.flushed = NULL;
}
END_TEST

/* log.flush.interval.ms with a flusher: the tick queues the flush and
 * returns (the data stays acknowledgeable: a scheduled flush is awaited by
 * nobody, as in Kafka); its result moves the recovery point, and data lost
 * by a crash after it is none of what it covered. A failed one sticks to
 * the log and is reported to the owner like an append flush's. */
START_TEST(test_timed_flush_in_background)
{
	struct flushed_seen seen = { 0 };
	const char *dir;
	start_flusher();
	storage.flushed = on_flushed;
	storage.flushed_arg = &seen;
	dir = sfx_new_dir();
	struct log_config c = small_cfg();
	c.segment_bytes = 1 << 20;
	c.flush_interval_ms = 0;
	struct partition_log *log;
	ck_assert_int_eq(log_open(dir, &c, &storage, &log), 0);
	log_set_owner(log, &seen);
	sfx_append(log, 2, "value-value", 11, 1000, 0);
	ck_assert_int_eq(log_flushes_pending(log), 0); /* the append does not flush */
	ck_assert_int_eq(log_tick(log, clock_wall_ms()), 0);
	/* queued, not done: results come back only when the test drains them */
	ck_assert_int_eq(log_flushes_pending(log), 1);
	ck_assert_int_eq(log_recovery_point(log), 0);
	ck_assert(!log_flush_awaited(log));
	ck_assert_int_eq(log_ack_end(log), 2);
	sfx_append(log, 2, "value-value", 11, 1001, 0);
	ck_assert_int_eq(log_tick(log, clock_wall_ms()), 0); /* one job at a time */
	ck_assert_int_eq(log_flushes_pending(log), 1);
	wait_flushed(log);
	ck_assert_int_eq(seen.calls, 1);
	ck_assert_int_eq(seen.last_rc, 0);
	ck_assert_int_eq(log_recovery_point(log), 2);
	ck_assert_int_eq(log_tick(log, clock_wall_ms()), 0); /* the second append */
	wait_flushed(log);
	ck_assert_int_eq(log_recovery_point(log), 4);
	/* a failing one */
	ck_assert_int_eq(failpoint_set("storage.timed_flush", "error(EIO)"), 0);
	sfx_append(log, 2, "value-value", 11, 1002, 0);
	ck_assert_int_eq(log_tick(log, clock_wall_ms()), 0);
	wait_flushed(log);
	failpoint_clear_all();
	ck_assert_int_eq(seen.calls, 3);
	ck_assert_int_eq(seen.last_rc, -EIO);
	ck_assert_int_eq(log_tick(log, clock_wall_ms()), -EIO);
	ck_assert_int_eq(log_recovery_point(log), 4);
	/* what the good flushes covered survives losing everything unsynced */
	log_abandon(log);
	lose_unsynced_files(dir, 0);
	struct log_config c2 = small_cfg();
	ck_assert_int_eq(log_open(dir, &c2, NULL, &log), 0);
	ck_assert_int_ge(log_end_offset(log), 4);
	log_close(log);
	stop_flusher();
	storage.flushed = NULL;
}
END_TEST

/* An append flush that fails: the owner is told the error, nothing it
 * covered becomes acknowledgeable, and the error sticks to the log (the
 * next append, tick and flush return it; no clean marker at close). */
START_TEST(test_append_flush_eio)
{
	struct flushed_seen seen = { 0 };
	const char *dir;
	struct partition_log *log = open_flush_per_message(&seen, &dir);
	ck_assert_int_eq(failpoint_set("storage.append_flush", "error(EIO)"), 0);
	sfx_append(log, 2, "value-value", 11, 1000, 0);
	for (int i = 0; i < 200 && log_flushes_pending(log); i++)
		mbox_wait(done_mb, 50);
	failpoint_clear_all();
	ck_assert_int_eq(seen.calls, 1);
	ck_assert_int_eq(seen.last_rc, -EIO);
	ck_assert_int_eq(log_ack_end(log), 0);
	ck_assert(!log_flush_awaited(log)); /* no flush will end: none runs */
	uint8_t buf[512];
	size_t len = sfx_build(buf, sizeof buf, 1, "v", 1, 1000);
	int64_t off;
	ck_assert_int_eq(log_append(log, buf, len, 0, &off), -EIO);
	ck_assert_int_eq(log_tick(log, clock_wall_ms()), -EIO);
	ck_assert_int_eq(log_flush(log), -EIO);
	ck_assert_int_eq(log_ack_end(log), 0);
	log_close(log);
	char p[512];
	snprintf(p, sizeof p, "%s/clean-shutdown", dir);
	ck_assert_int_eq(access(p, F_OK), -1);
	stop_flusher();
	storage.flushed = NULL;
}
END_TEST

/* A truncation while an append flush runs: the job's result does not move
 * the recovery point (it covered data that is gone), and the next job
 * covers what the log holds now. */
START_TEST(test_truncation_during_append_flush)
{
	struct flushed_seen seen = { 0 };
	const char *dir;
	struct partition_log *log = open_flush_per_message(&seen, &dir);
	for (int i = 0; i < 3; i++)
		sfx_append(log, 2, "value-value", 11, 1000 + i, 0);
	ck_assert_int_eq(log_flushes_pending(log), 1);
	ck_assert_int_eq(log_truncate_to(log, 4), 0);
	ck_assert_int_le(log_ack_end(log), 4);
	sfx_append(log, 2, "other-value", 11, 7000, 0);
	wait_ack_end(log);
	ck_assert_int_eq(seen.last_rc, 0);
	ck_assert_int_eq(log_recovery_point(log), 6);
	ck_assert_int_eq(log_ack_end(log), 6);
	ck_assert_int_eq(log_check(log), 0);
	log_close(log);
	stop_flusher();
	storage.flushed = NULL;
}
END_TEST

/* With a flush per append the data below a roll is synced already, but the
 * index files the roll wrote (and the leader-epoch file, written without
 * fsync when epoch 0 began) are not: the roll still queues its background
 * flush for them, and the point (at the LEO) does not move back. */
START_TEST(test_roll_flush_syncs_indexes_when_data_is_flushed)
{
	start_flusher();
	const char *dir = sfx_new_dir();
	struct log_config c = small_cfg();
	c.flush_interval_messages = 1;
	struct partition_log *log;
	ck_assert_int_eq(log_open(dir, &c, &storage, &log), 0);
	append_until_rolled(log, 1);
	/* the append flush (one job at a time) and the roll's */
	ck_assert_int_eq(log_flushes_pending(log), 2);
	wait_flushed(log);
	ck_assert_int_eq(log_recovery_point(log), log_end_offset(log));
	ck_assert_int_eq(log_ack_end(log), log_end_offset(log));
	ck_assert_int_eq(log_check(log), 0);
	log_close(log);
	stop_flusher();
}
END_TEST

/* ---- the flush of what recovery read again ---- */

/* Segments of 512 KiB and batches of 16 values of 1000 bytes (about 16
 * KiB): the recovered range passes the 1 MiB from which log_open queues
 * its flush after about 64 batches. */
static struct log_config recovered_cfg(void)
{
	struct log_config c;
	log_config_defaults(&c);
	c.segment_bytes = 512 * 1024;
	c.retention_ms = -1;
	return c;
}

static void append_big(struct partition_log *log, int batches, int64_t ts)
{
	static char val[1000];
	memset(val, 'r', sizeof val);
	for (int i = 0; i < batches; i++)
		sfx_append(log, 16, val, (int32_t)sizeof val, ts + i, 0);
}

/* A log of `batches` big batches, killed (no flush, no marker) with its
 * recovery point at 0. */
static void killed_big_log(const char *dir, int batches)
{
	struct log_config c = recovered_cfg();
	struct partition_log *log;
	ck_assert_int_eq(log_open(dir, &c, NULL, &log), 0);
	append_big(log, batches, 1000);
	ck_assert_int_eq(log_recovery_point(log), 0);
	log_abandon(log);
}

/* Byte position in its segment file of the batch holding offset. */
static struct log_slice slice_of(struct partition_log *log, int64_t offset)
{
	struct log_slice sl;
	ck_assert_int_eq(log_read(log, offset, 1, log_end_offset(log), &sl), 0);
	ck_assert_int_gt(sl.len, 0);
	return sl;
}

/* After recovery validated more than 1 MiB above the recovery point, a
 * background flush makes it durable and the point moves to the recovered
 * end; the file follows at the next tick. Killed again, the log trusts
 * that range: damage below the new point is not looked at (it was synced
 * and validated before the point passed it). */
START_TEST(test_recovery_flush_moves_recovery_point)
{
	const char *dir = sfx_new_dir();
	killed_big_log(dir, 100);
	start_flusher();
	struct log_config c = recovered_cfg();
	struct partition_log *log;
	ck_assert_int_eq(log_open(dir, &c, &storage, &log), 0);
	int64_t leo = log_end_offset(log);
	ck_assert_int_eq(leo, 1600);
	ck_assert_int_eq(log_flushes_pending(log), 1);
	ck_assert_int_eq(log_recovery_point(log), 0);
	wait_flushed(log);
	ck_assert_int_eq(log_recovery_point(log), leo);
	ck_assert_int_eq(log_tick(log, clock_wall_ms()), 0);
	ck_assert_int_eq(sfx_read_rp(dir), leo);
	corrupt_batch(log, 800);
	log_abandon(log);
	stop_flusher();
	ck_assert_int_eq(log_open(dir, &c, NULL, &log), 0);
	ck_assert_int_eq(log_end_offset(log), leo);
	ck_assert_int_eq(log_recovery_point(log), leo);
	log_close(log);
}
END_TEST

/* A torn tail (the last batch cut short) and a corrupt batch are still
 * found and cut on the way: the flush then moves the point to the cut
 * end, never past it. */
START_TEST(test_recovery_flush_after_torn_and_corrupt_tail)
{
	const char *dir = sfx_new_dir();
	killed_big_log(dir, 100);
	struct log_config c = recovered_cfg();
	struct partition_log *log;
	ck_assert_int_eq(log_open(dir, &c, NULL, &log), 0);
	struct log_slice last = slice_of(log, log_end_offset(log) - 1);
	ck_assert_int_eq(ftruncate(last.fd, last.pos + last.len - 100), 0); /* torn */
	log_abandon(log);
	start_flusher();
	ck_assert_int_eq(log_open(dir, &c, &storage, &log), 0);
	ck_assert_int_eq(log_end_offset(log), 1584); /* the torn batch is gone */
	wait_flushed(log);
	ck_assert_int_eq(log_recovery_point(log), 1584);
	log_abandon(log);
	/* now a corrupt batch in the middle of the last (unflushed) part */
	ck_assert_int_eq(log_open(dir, &c, NULL, &log), 0);
	append_big(log, 80, 9000);
	ck_assert_int_eq(log_end_offset(log), 1584 + 1280);
	corrupt_batch(log, 1584 + 1200);
	log_abandon(log);
	ck_assert_int_eq(log_open(dir, &c, &storage, &log), 0);
	ck_assert_int_eq(log_end_offset(log), 1584 + 1200);
	wait_flushed(log);
	ck_assert_int_eq(log_recovery_point(log), 1584 + 1200);
	ck_assert_int_eq(log_check(log), 0);
	log_close(log);
	stop_flusher();
}
END_TEST

/* A truncation while that flush is in flight: its result must not move the
 * point over data written after the truncation. */
START_TEST(test_recovery_flush_then_truncation)
{
	const char *dir = sfx_new_dir();
	killed_big_log(dir, 100);
	start_flusher();
	struct log_config c = recovered_cfg();
	struct partition_log *log;
	ck_assert_int_eq(log_open(dir, &c, &storage, &log), 0);
	ck_assert_int_eq(log_flushes_pending(log), 1);
	ck_assert_int_eq(log_truncate_to(log, 160), 0);
	append_big(log, 2, 9000);
	wait_flushed(log);
	ck_assert_int_eq(log_recovery_point(log), 0);
	ck_assert_int_eq(log_check(log), 0);
	log_close(log);
	stop_flusher();
}
END_TEST

/* Little read again: no flush is queued (the next flush covers it). */
START_TEST(test_small_recovery_queues_no_flush)
{
	const char *dir = sfx_new_dir();
	killed_big_log(dir, 20); /* about 320 KiB */
	start_flusher();
	struct log_config c = recovered_cfg();
	struct partition_log *log;
	ck_assert_int_eq(log_open(dir, &c, &storage, &log), 0);
	ck_assert_int_eq(log_end_offset(log), 320);
	ck_assert_int_eq(log_flushes_pending(log), 0);
	ck_assert_int_eq(log_recovery_point(log), 0);
	log_close(log);
	stop_flusher();
}
END_TEST

int main(void)
{
	if (sfx_setup("storage-flush") < 0)
		return 1;
	Suite *s = suite_create("storage_flush");
	TCase *tc = tcase_create("flush");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_roll_moves_recovery_point);
	tcase_add_test(tc, test_roll_flush_syncs_epoch_file);
	tcase_add_test(tc, test_recovery_reads_only_above_recovery_point);
	tcase_add_test(tc, test_recovery_without_flusher_reads_everything);
	tcase_add_test(tc, test_truncation_during_flush);
	tcase_add_test(tc, test_delete_during_flush);
	tcase_add_test(tc, test_background_fsync_eio);
	tcase_add_test(tc, test_flusher_and_observer_per_owner);
	tcase_add_test(tc, test_flush_syncs_data_only);
	tcase_add_test(tc, test_checkpoint_then_crash);
	tcase_add_test(tc, test_replica_append_flushes_once);
	tcase_add_test(tc, test_roll_flush_syncs_indexes_when_data_is_flushed);
	tcase_add_test(tc, test_append_flush_in_background);
	tcase_add_test(tc, test_append_flush_eio);
	tcase_add_test(tc, test_timed_flush_in_background);
	tcase_add_test(tc, test_truncation_during_append_flush);
	tcase_add_test(tc, test_recovery_flush_moves_recovery_point);
	tcase_add_test(tc, test_recovery_flush_after_torn_and_corrupt_tail);
	tcase_add_test(tc, test_recovery_flush_then_truncation);
	tcase_add_test(tc, test_small_recovery_queues_no_flush);
	suite_add_tcase(s, tc);
	return sfx_run(s, 0);
}
