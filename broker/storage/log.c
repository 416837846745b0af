/* Partition log: segments of one partition directory, appends, reads,
 * retention, flushing and crash recovery (see log.h for the file layout).
 * Besides the segments the directory holds `recovery-point` (decimal offset
 * and a newline: everything below it was fsynced, data, indexes and
 * .txnindex; a flush moves the point in memory, log_checkpoint writes the
 * file), the leader epoch cache's
 * `leader-epoch-checkpoint` (epoch_cache.c) and, only between a clean
 * log_close() and the next log_open(), an empty `clean-shutdown` marker. */
#include "broker/storage/log.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "broker/storage/epoch_cache.h"
#include "broker/storage/flusher.h"
#include "broker/storage/log_internal.h"
#include "broker/storage/segment.h"
#include "common/clock.h"
#include "common/failpoint.h"
#include "common/log.h"
#include "common/proto/record_batch.h"

#define MOD "storage"
#define RP_FILE "recovery-point"
#define CLEAN_FILE "clean-shutdown"
#define MAX_SEGMENTS (1 << 20)

/* fdatasync with the storage.fdatasync failpoint in front of it. */
int log_datasync(int fd)
{
	int rc = failpoint_error("storage.fdatasync");
	if (rc)
		return rc;
	return fdatasync(fd) < 0 ? -errno : 0;
}

/* One pwrite of segment data, through the storage.segment.write failpoint:
 * error(E) fails it, short(N) caps it at N bytes, torn(N) writes N bytes and
 * reports the process dead (*torn set). */
static ssize_t seg_pwrite(int fd, const uint8_t *p, size_t len, int64_t at, int *torn)
{
	long arg = 0;
	switch (failpoint_eval("storage.segment.write", &arg)) {
	case FP_ERROR:
		errno = (int)arg;
		return -1;
	case FP_SHORT:
		return pwrite(fd, p, (size_t)arg < len ? (size_t)arg : len, at);
	case FP_TORN:
		*torn = 1;
		if (arg > 0 && pwrite(fd, p, (size_t)arg < len ? (size_t)arg : len, at) < 0)
			return -1;
		errno = EIO;
		return -1;
	default:
		return pwrite(fd, p, len, at);
	}
}

void log_config_defaults(struct log_config *c)
{
	c->segment_bytes = 1 << 30;
	c->roll_ms = 7LL * 24 * 3600 * 1000;
	c->retention_ms = 7LL * 24 * 3600 * 1000;
	c->retention_bytes = -1;
	c->flush_interval_messages = INT64_MAX;
	c->flush_interval_ms = INT64_MAX;
	c->index_interval_bytes = 4096;
	c->segment_index_bytes = 10 << 20;
	c->compact = 0;
	c->min_cleanable_dirty_ratio = 0.5;
	c->delete_retention_ms = 86400000;
	c->min_compaction_lag_ms = 0;
	c->recovery_point_checkpoint_ms = 60000;
}

static void config_sanitize(struct log_config *c)
{
	if (c->segment_bytes < 1 || c->segment_bytes > INT32_MAX)
		c->segment_bytes = INT32_MAX; /* positions in the index are u32 */
	if (c->roll_ms < 1)
		c->roll_ms = INT64_MAX;
	if (c->flush_interval_messages < 1)
		c->flush_interval_messages = 1;
	if (c->flush_interval_ms < 0)
		c->flush_interval_ms = 0;
	if (c->index_interval_bytes < 0)
		c->index_interval_bytes = 0;
	if (c->segment_index_bytes < 24)
		c->segment_index_bytes = 24;
	if (!(c->min_cleanable_dirty_ratio >= 0)) /* also NaN */
		c->min_cleanable_dirty_ratio = 0;
	if (c->min_cleanable_dirty_ratio > 1)
		c->min_cleanable_dirty_ratio = 1;
	if (c->delete_retention_ms < 0)
		c->delete_retention_ms = 0;
	if (c->min_compaction_lag_ms < 0)
		c->min_compaction_lag_ms = 0;
	if (c->recovery_point_checkpoint_ms < 0)
		c->recovery_point_checkpoint_ms = 0;
}

void log_set_config(struct partition_log *log, const struct log_config *cfg)
{
	if (!cfg->compact)
		cleaner_abort(log);
	log->cfg = *cfg;
	config_sanitize(&log->cfg);
}

int64_t log_start_offset(const struct partition_log *log) { return log->start; }
int64_t log_end_offset(const struct partition_log *log) { return log->leo; }
int64_t log_size_bytes(const struct partition_log *log) { return log->size_total; }
size_t log_segment_count(const struct partition_log *log) { return log->n; }
const char *log_dir(const struct partition_log *log) { return log->dir; }

static struct segment *active(const struct partition_log *log)
{
	return log->segs[log->n - 1];
}

int log_path_in(char *buf, size_t cap, const char *dir, const char *name)
{
	int n = snprintf(buf, cap, "%s/%s", dir, name);
	return (n < 0 || (size_t)n >= cap) ? -ENAMETOOLONG : 0;
}

int log_fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	int rc = fsync(fd) < 0 ? -errno : 0;
	close(fd);
	return rc;
}

static int mkdir_p(const char *dir)
{
	char p[4096];
	size_t len = strlen(dir);
	if (len == 0 || len >= sizeof p)
		return -ENAMETOOLONG;
	memcpy(p, dir, len + 1);
	for (size_t i = 1; i <= len; i++) {
		if (p[i] != '/' && p[i] != '\0')
			continue;
		char c = p[i];
		p[i] = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			return -errno;
		p[i] = c;
	}
	return 0;
}

static int segs_push(struct partition_log *log, struct segment *s)
{
	if (log->n == log->cap) {
		size_t cap = log->cap ? log->cap * 2 : 8;
		void *n = realloc(log->segs, cap * sizeof *log->segs);
		if (!n)
			return -ENOMEM;
		log->segs = n;
		log->cap = cap;
	}
	log->segs[log->n++] = s;
	return 0;
}

/* ---- recovery point ---- */

static int64_t rp_read(const char *dir)
{
	char p[4096], buf[32];
	if (log_path_in(p, sizeof p, dir, RP_FILE))
		return 0;
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	char *end;
	errno = 0;
	long long v = strtoll(buf, &end, 10);
	if (errno || end == buf || (*end != '\n' && *end != '\0') || v < 0)
		return 0; /* unreadable: rescan everything */
	return v;
}

static int rp_write(const char *dir, int64_t rp)
{
	char p[4096], tmp[4096], buf[32];
	if (log_path_in(p, sizeof p, dir, RP_FILE) || log_path_in(tmp, sizeof tmp, dir, RP_FILE ".tmp"))
		return -ENAMETOOLONG;
	int len = snprintf(buf, sizeof buf, "%" PRId64 "\n", rp);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	int rc = 0;
	if (write(fd, buf, (size_t)len) != len)
		rc = errno ? -errno : -EIO;
	if (rc == 0 && fsync(fd) < 0)
		rc = -errno;
	close(fd);
	if (rc == 0 && rename(tmp, p) < 0)
		rc = -errno;
	if (rc == 0)
		rc = log_fsync_dir(dir);
	return rc;
}

/* Writes the file and notes what it holds now. */
static int rp_store(struct partition_log *log, int64_t rp)
{
	int rc = rp_write(log->dir, rp);
	if (rc == 0) {
		log->rp_on_disk = rp;
		log->dir_unsynced = 0; /* rp_write fsynced the directory last */
	}
	return rc;
}

/* ---- leader epoch cache ---- */

/* Writes the cache file if memory has moved on from it, or (durable) if
 * it was last written without fsync. */
static int epoch_write(struct partition_log *log, int durable)
{
	if (!log->epochs_dirty && !(durable && log->epochs_unsynced))
		return 0;
	int rc = ec_store(&log->epochs, log->dir, durable);
	if (rc) {
		log_error(MOD, "%s: writing %s: %s", log->dir, EPOCH_FILE, strerror(-rc));
		return rc;
	}
	log->epochs_dirty = 0;
	log->epochs_unsynced = !durable;
	log->epochs_writes += !durable;
	return 0;
}

static int epoch_sync(struct partition_log *log)
{
	return epoch_write(log, 1);
}

/* Assigns and writes the file before the caller writes any batch of that
 * epoch, without fsync: the first append of each epoch to each partition
 * would otherwise cost two fsyncs on the loop thread (after a failover, two
 * per partition moved, back to back). A crash cannot leave a wrong file
 * behind unnoticed: after an unclean shutdown epoch_open checks the file
 * against the batch headers and rebuilds it, and log_checkpoint (or a roll
 * flush, or log_close) makes it durable before the recovery-point file
 * passes the batches it describes. */
static int epoch_note(struct partition_log *log, int32_t epoch, int64_t start)
{
	int rc = ec_assign(&log->epochs, epoch, start);
	if (rc < 0)
		return rc;
	log->epochs_dirty |= rc;
	return epoch_write(log, 0);
}

int log_epoch_assign(struct partition_log *log, int32_t epoch, int64_t start_offset)
{
	if (log->crashed)
		return -EIO;
	if (epoch < 0 || start_offset < log->start || start_offset > log->leo)
		return -EINVAL;
	return epoch_note(log, epoch, start_offset);
}

int32_t log_latest_epoch(const struct partition_log *log)
{
	return ec_latest_epoch(&log->epochs);
}

void log_epoch_end_offset(const struct partition_log *log, int32_t epoch,
			  int32_t *out_epoch, int64_t *end_offset)
{
	ec_end_offset(&log->epochs, epoch, log->leo, out_epoch, end_offset);
}

/* ---- writes ---- */

/* Writes one batch at the append position; a short write goes on from
 * where it stopped. On failure the file is cut back so that no partial batch
 * stays, except after a torn write (failpoint), which stands for a crash:
 * the torn bytes stay and the log refuses further work. */
static int seg_append_bytes(struct partition_log *log, struct segment *s,
			    const uint8_t *p, size_t len)
{
	size_t done = 0;
	int rc = 0, torn = 0;
	for (int tries = 0; done < len && tries < 1024; tries++) {
		ssize_t w = seg_pwrite(s->fd, p + done, len - done, s->size + (int64_t)done, &torn);
		if (torn) {
			log->crashed = 1;
			return -EIO;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			rc = w < 0 ? -errno : -EIO;
			break;
		}
		done += (size_t)w;
	}
	if (rc == 0 && done < len)
		rc = -EIO;
	if (rc && ftruncate(s->fd, s->size) < 0)
		log_error(MOD, "%s: cannot cut back a failed write at %" PRId64 ": %s",
			  log->dir, s->size, strerror(errno));
	return rc;
}

/* ---- background flush of rolled segments (log.h) ---- */

/* A log opened without a storage context: no flusher, no observer. */
static const struct log_storage no_storage;

int64_t log_recovery_point(const struct partition_log *log) { return log->recovery_point; }
int log_flushes_pending(const struct partition_log *log) { return log->flushes_pending; }

struct roll_flush {
	struct flush_job job; /* first: the done callback gets &job */
	struct log_flush_ref *ref;
	int64_t upto;         /* the new active segment's base */
	uint64_t gen;         /* log->trunc_gen when queued */
	int epoch_file;       /* the job syncs leader-epoch-checkpoint too */
	uint64_t epochs_writes; /* log->epochs_writes when queued */
};

static void ref_put(struct log_flush_ref *ref)
{
	if (--ref->refs == 0)
		free(ref);
}

/* The sealed segments that end at or below upto were synced by a
 * background flush (a segment seals only by a roll, and only truncation
 * rewrites one; the cleaner syncs what it rewrites itself): their data is
 * clean, and their indexes too if the files held every entry when the job
 * was queued (written before queuing; a failed write left entries in
 * memory). A segment that was active when the job was queued and has
 * rolled since may hold batches appended after its sync: it ends past
 * upto and stays dirty. */
static void roll_flush_mark_clean(struct partition_log *log, int64_t upto)
{
	for (size_t i = 0; i + 1 < log->n && log->segs[i + 1]->base <= upto; i++) {
		struct segment *s = log->segs[i];
		s->dirty = 0;
		if (s->idx_on_disk == s->n_idx && s->tidx_on_disk == s->n_tidx)
			s->idx_dirty = 0;
	}
}

/* On the loop thread, after the fsyncs: if the log is still there,
 * nothing was truncated meanwhile and all went well, marks what was synced
 * clean and moves the recovery point up to upto (a flush may have moved it
 * further already). */
static void roll_flush_done(struct flush_job *job)
{
	struct roll_flush *rf = (struct roll_flush *)job;
	struct partition_log *log = rf->ref->log;
	if (log) {
		log->flushes_pending--;
		if (job->rc) {
			log_error(MOD, "%s: background flush below offset %" PRId64 ": %s", log->dir,
				  rf->upto, strerror(-job->rc));
			if (!log->flush_error)
				log->flush_error = job->rc;
		} else if (rf->gen == log->trunc_gen) {
			roll_flush_mark_clean(log, rf->upto);
			if (rf->epoch_file && rf->epochs_writes == log->epochs_writes)
				log->epochs_unsynced = 0; /* not rewritten since */
			if (rf->upto > log->recovery_point)
				log->recovery_point = rf->upto;
		}
		if (log->storage->flush_observer)
			log->storage->flush_observer(log->storage->flush_observer_arg, job->ms);
	}
	flush_job_release(job);
	ref_put(rf->ref);
	free(rf);
}

/* Adds an fd opened on one of the segment's files, if it exists (an index
 * whose write failed is rebuilt from the .log on open anyway). */
static int job_add_path(struct flush_job *job, const char *dir, int64_t base,
			const char *suffix)
{
	char p[4096];
	if (seg_path(p, sizeof p, dir, base, suffix))
		return -ENAMETOOLONG;
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	return flush_job_add_fd(job, fd);
}

static int job_add_dup(struct flush_job *job, int fd)
{
	int d = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	return d < 0 ? -errno : flush_job_add_fd(job, d);
}

/* The fds of every segment below nsegs (the sealed ones: log->n - 1)
 * whose data or index files are not known to be synced, the leader-epoch file if it was written without fsync
 * (durable before the recovery-point file passes the batches it describes,
 * as log_checkpoint does), then the directory's. */
static int roll_flush_collect(struct partition_log *log, struct roll_flush *rf, size_t nsegs)
{
	struct flush_job *job = &rf->job;
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < nsegs; i++) {
		struct segment *s = log->segs[i];
		if (!s->dirty && !s->idx_dirty && !s->txn.dirty)
			continue;
		rc = job_add_dup(job, s->fd);
		if (rc == 0)
			rc = job_add_path(job, log->dir, s->base, ".index");
		if (rc == 0)
			rc = job_add_path(job, log->dir, s->base, ".timeindex");
		if (rc == 0 && s->txn.fd >= 0)
			rc = job_add_dup(job, s->txn.fd);
	}
	if (rc == 0 && log->epochs_unsynced) {
		char p[4096];
		rc = log_path_in(p, sizeof p, log->dir, EPOCH_FILE);
		int fd = rc ? -1 : open(p, O_RDONLY | O_CLOEXEC);
		if (fd >= 0 && (rc = flush_job_add_fd(job, fd)) == 0) {
			rf->epoch_file = 1;
			rf->epochs_writes = log->epochs_writes;
		}
	}
	if (rc == 0) {
		int fd = open(log->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		rc = fd < 0 ? -errno : flush_job_add_fd(job, fd);
	}
	return rc;
}

/* Queues the flush of segments [0, nsegs) (their data, index files, the
 * epoch file if unsynced, the directory); when it is done, the recovery
 * point moves to upto unless the log was truncated meanwhile. Nothing
 * queued (no flusher, queue full, no fds left) only delays the recovery
 * point, so it is logged and not an error of the caller. */
static void background_flush_submit(struct partition_log *log, size_t nsegs, int64_t upto)
{
	struct flusher *f = log->storage->flusher;
	if (!f)
		return;
	struct roll_flush *rf = calloc(1, sizeof *rf);
	if (!rf)
		return;
	rf->job.done = roll_flush_done;
	rf->ref = log->fref;
	rf->upto = upto;
	rf->gen = log->trunc_gen;
	int rc = roll_flush_collect(log, rf, nsegs);
	if (rc == 0)
		rc = flusher_submit(f, &rf->job);
	if (rc) {
		log_warn(MOD, "%s: no background flush below offset %" PRId64 " now: %s",
			 log->dir, upto, strerror(-rc));
		flush_job_release(&rf->job);
		free(rf);
		return;
	}
	log->fref->refs++;
	log->flushes_pending++;
}

/* Something below the active segment is not known to be synced: data
 * above the recovery point, or (with the data flushed already, as with
 * log.flush.interval.messages=1) the index files the roll just wrote. */
static int sealed_unsynced(const struct partition_log *log)
{
	if (log->recovery_point < active(log)->base || log->epochs_unsynced)
		return 1;
	for (size_t i = 0; i + 1 < log->n; i++)
		if (log->segs[i]->dirty || log->segs[i]->idx_dirty || log->segs[i]->txn.dirty)
			return 1;
	return 0;
}

/* Queues the flush of everything below the new active segment (not
 * queued, log_checkpoint later syncs the indexes itself). */
static void roll_flush_submit(struct partition_log *log)
{
	if (log->storage->flusher && sealed_unsynced(log))
		background_flush_submit(log, log->n - 1, active(log)->base);
}

static int log_roll(struct partition_log *log)
{
	struct segment *old = active(log);
	seg_seal_time_index(old);
	/* Sealed, the segment is trusted without a rescan once the
	 * recovery-point file reaches its end: if the file is there already
	 * (a checkpoint at exactly this LEO), its indexes are synced now. */
	int rc = seg_write_indexes(log->dir, old, 0, log->rp_on_disk >= log->leo);
	if (rc)
		log_warn(MOD, "%s: writing indexes of %" PRId64 ": %s", log->dir, old->base,
			 strerror(-rc));
	struct segment *s;
	rc = seg_create(log->dir, log->leo, clock_wall_ms(), &s);
	if (rc == 0 && (rc = segs_push(log, s)) != 0)
		seg_remove(log->dir, s);
	if (rc == 0) {
		log->dir_unsynced = 1;
		log->dir_creates++;
		roll_flush_submit(log);
	}
	return rc;
}

static int needs_roll(const struct partition_log *log, size_t len, int64_t last)
{
	const struct segment *s = active(log);
	if (s->size == 0)
		return 0;
	return s->size + (int64_t)len > log->cfg.segment_bytes ||
	       seg_index_full(s, log->cfg.segment_index_bytes) ||
	       last - s->base > INT32_MAX;
}

/* ---- flush per message off the loop (log.h, "append flushes") ---- */

struct append_flush {
	struct flush_job job; /* first: the done callback gets &job */
	struct log_flush_ref *ref;
	int64_t upto;         /* the LEO when queued: durable once it is done */
	uint64_t gen;         /* log->trunc_gen when queued */
	uint64_t dir_creates; /* log->dir_creates when queued */
	int with_dir;         /* the job syncs the directory too */
	size_t nsegs;
	struct append_flush_seg { int64_t base, size; } *segs; /* dirty ones */
};

int64_t log_ack_end(const struct partition_log *log)
{
	return log->flush_want > log->recovery_point ? log->recovery_point : log->leo;
}

int log_flush_awaited(const struct partition_log *log)
{
	return log->flush_want > log->recovery_point && !log->flush_error && !log->crashed;
}

void log_set_owner(struct partition_log *log, void *owner) { log->owner = owner; }
void *log_owner(const struct partition_log *log) { return log->owner; }

static void append_flush_free(struct append_flush *af)
{
	flush_job_release(&af->job);
	free(af->segs);
	free(af);
}

/* The fds of the segments with unsynced data (dups), then the directory's
 * if a segment file was created since it was last synced: what flush_now
 * syncs on the loop. */
static int append_flush_collect(struct partition_log *log, struct append_flush *af)
{
	af->segs = calloc(log->n, sizeof *af->segs);
	if (!af->segs)
		return -ENOMEM;
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < log->n; i++) {
		struct segment *s = log->segs[i];
		if (!s->dirty)
			continue;
		rc = job_add_dup(&af->job, s->fd);
		af->segs[af->nsegs++] = (struct append_flush_seg){ s->base, s->size };
	}
	if (rc == 0 && log->dir_unsynced) {
		int fd = open(log->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		rc = fd < 0 ? -errno : flush_job_add_fd(&af->job, fd);
		af->with_dir = rc == 0;
		af->dir_creates = log->dir_creates;
	}
	return rc;
}

/* A segment the job synced is clean unless it was written since (its size
 * moved) or is gone; the directory unless a segment was created since. */
static void append_flush_mark_clean(struct partition_log *log, const struct append_flush *af)
{
	for (size_t k = 0; k < af->nsegs; k++) {
		size_t i = log_seg_for_offset(log, af->segs[k].base);
		struct segment *s = log->segs[i];
		if (s->base == af->segs[k].base && s->size == af->segs[k].size)
			s->dirty = 0;
	}
	if (af->with_dir && af->dir_creates == log->dir_creates)
		log->dir_unsynced = 0;
}

static void append_flush_done(struct flush_job *job);

/* Queues the sync of everything up to the LEO (failpoint: the job's, for
 * tests). 0, or -errno when nothing was queued (the caller flushes on the
 * loop instead). */
static int append_flush_submit(struct partition_log *log, const char *failpoint)
{
	struct append_flush *af = calloc(1, sizeof *af);
	if (!af)
		return -ENOMEM;
	af->job.done = append_flush_done;
	af->job.failpoint = failpoint;
	af->ref = log->fref;
	af->upto = log->leo;
	af->gen = log->trunc_gen;
	int rc = append_flush_collect(log, af);
	if (rc == 0)
		rc = flusher_submit(log->storage->flusher, &af->job);
	if (rc) {
		append_flush_free(af);
		return rc;
	}
	log->fref->refs++;
	log->flushes_pending++;
	log->append_flush_queued = 1;
	log->last_flush_ms = clock_wall_ms();
	return 0;
}

/* What flush_if_due and a finished job do when the wanted point is not
 * reached: queue the next job (group commit: it covers every append since
 * the last one was queued), or flush on the loop if none can be queued. */
static int append_flush_next(struct partition_log *log)
{
	if (log->crashed || log->flush_error)
		return log->crashed ? -EIO : log->flush_error;
	if (log->append_flush_queued || !log_flush_awaited(log))
		return 0;
	int rc = append_flush_submit(log, "storage.append_flush");
	if (rc == 0)
		return 0;
	log_warn(MOD, "%s: flushing on the loop (no background flush: %s)", log->dir,
		 strerror(-rc));
	rc = log_flush(log);
	if (rc)
		log_error(MOD, "%s: flush: %s", log->dir, strerror(-rc));
	return rc;
}

/* On the loop thread: a failure is sticky (as a roll flush's); success
 * moves the recovery point to what the job covered unless a truncation
 * came in between; then the next job if appends wanted one meanwhile, and
 * the owner is told. */
static void append_flush_done(struct flush_job *job)
{
	struct append_flush *af = (struct append_flush *)job;
	struct partition_log *log = af->ref->log;
	if (log) {
		int rc = job->rc;
		log->flushes_pending--;
		log->append_flush_queued = 0;
		if (rc) {
			log_error(MOD, "%s: flush below offset %" PRId64 ": %s", log->dir,
				  af->upto, strerror(-rc));
			if (!log->flush_error)
				log->flush_error = rc;
		} else if (af->gen == log->trunc_gen) {
			append_flush_mark_clean(log, af);
			if (af->upto > log->recovery_point)
				log->recovery_point = af->upto;
		}
		if (log->storage->flush_observer)
			log->storage->flush_observer(log->storage->flush_observer_arg, job->ms);
		if (rc == 0 && !log->crashed)
			rc = append_flush_next(log);
		if (log->storage->flushed)
			log->storage->flushed(log->storage->flushed_arg, log, rc);
	}
	ref_put(af->ref);
	append_flush_free(af);
}

/* The flush log.flush.interval.messages asks for, once enough messages
 * were appended since the last one. With a flusher (the broker's) it runs
 * there: the append returns at once and what it wrote is acknowledged
 * only when log_ack_end passes it. Without one (tests, tools) it runs
 * here. The batches are in the file but the flush failed: as in Kafka,
 * the append fails (the caller must not acknowledge what is not durable as
 * promised; its log dir goes offline). The batches stay: a retry is
 * deduplicated or re-appended, never lost. */
static int flush_if_due(struct partition_log *log)
{
	if (log->unflushed_msgs < log->cfg.flush_interval_messages)
		return 0;
	if (log->storage->flusher) {
		log->flush_want = log->leo;
		log->unflushed_msgs = 0;
		return append_flush_next(log);
	}
	int rc = log_flush(log);
	if (rc)
		log_error(MOD, "%s: flush: %s", log->dir, strerror(-rc));
	return rc;
}

/* Appends one batch whose offsets are already stamped (b->base == LEO);
 * the caller then calls flush_if_due (once for all the batches of one
 * call, as Kafka flushes once per append). */
static int append_stamped(struct partition_log *log, const uint8_t *p, struct seg_batch *b)
{
	if (log->crashed)
		return -EIO;
	if (log->flush_error)
		return log->flush_error;
	if (needs_roll(log, (size_t)b->size, b->last)) {
		int rc = log_roll(log);
		if (rc)
			return rc;
	}
	struct segment *s = active(log);
	int rc = seg_append_bytes(log, s, p, (size_t)b->size);
	if (rc)
		return rc;
	if (s->size == 0)
		s->roll_start_ms = clock_wall_ms();
	b->pos = s->size;
	seg_note_batch(s, b, log->cfg.index_interval_bytes);
	s->size += b->size;
	log->size_total += b->size;
	log->leo = b->last + 1;
	log->unflushed_msgs += b->count;
	return 0;
}

int log_append(struct partition_log *log, uint8_t *batch, size_t len,
	       int32_t leader_epoch, int64_t *base_offset)
{
	struct rb_header h;
	if (len < RB_HEADER_SIZE || len > INT32_MAX ||
	    rb_total_size(batch, len) != (int64_t)len ||
	    rb_parse_header(batch, len, &h) < 0 || h.last_offset_delta < 0)
		return -EINVAL;
	if (log->crashed)
		return -EIO;
	int rc = epoch_note(log, leader_epoch, log->leo);
	if (rc)
		return rc;
	rb_set_base_offset(batch, log->leo);
	rb_set_leader_epoch(batch, leader_epoch);
	struct seg_batch b = {
		.size = (int64_t)len,
		.base = log->leo,
		.last = log->leo + h.last_offset_delta,
		.max_ts = h.max_timestamp,
		.count = h.last_offset_delta + 1,
		.epoch = leader_epoch,
	};
	rc = append_stamped(log, batch, &b);
	if (rc == 0)
		rc = flush_if_due(log);
	if (rc == 0 && base_offset)
		*base_offset = b.base;
	return rc;
}

int log_append_replica(struct partition_log *log, const uint8_t *batches, size_t len)
{
	/* Validate everything first so that a bad batch appends nothing. A
	 * trailing incomplete batch (a fetch cut by max_bytes) is ignored. */
	size_t off = 0, whole = 0;
	int64_t next = log->leo;
	while (len - off >= RB_LOG_OVERHEAD) {
		int64_t total = rb_total_size(batches + off, len - off);
		if (total < RB_HEADER_SIZE)
			return -EINVAL;
		if ((uint64_t)total > len - off)
			break;
		struct rb_header h;
		/* a compacted leader log has gaps; offsets never go back */
		if (seg_validate_replica_batch(batches + off, (size_t)total, &h) != 0 ||
		    h.base_offset < next)
			return -EINVAL;
		next = rb_last_offset(&h) + 1;
		off += (size_t)total;
		whole = off;
	}
	for (off = 0; off < whole;) {
		struct rb_header h;
		rb_parse_header(batches + off, whole - off, &h);
		struct seg_batch b = {
			.size = RB_LOG_OVERHEAD + (int64_t)h.batch_length,
			.base = h.base_offset,
			.last = rb_last_offset(&h),
			.max_ts = h.max_timestamp,
			.count = h.last_offset_delta + 1,
			.epoch = h.partition_leader_epoch,
		};
		int rc = log->crashed ? -EIO : epoch_note(log, h.partition_leader_epoch, b.base);
		if (rc == 0)
			rc = append_stamped(log, batches + off, &b);
		if (rc)
			return rc;
		off += (size_t)b.size;
	}
	/* one flush for the whole fetched range: nothing of it is reported
	 * to the leader (the next fetch offset) before this returns */
	return flush_if_due(log);
}

/* ---- reads ---- */

size_t log_seg_for_offset(const struct partition_log *log, int64_t offset)
{
	size_t lo = 0, hi = log->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (log->segs[mid]->base <= offset)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? lo - 1 : 0;
}

/* End of the last whole batch that ends at or before target, walking from
 * `from` (a batch boundary) via the nearest indexed position. */
static int64_t whole_batches_end(const struct segment *s, int64_t from, int64_t target)
{
	int64_t p = seg_index_floor_pos(s, from, target);
	struct seg_batch b;
	while (seg_read_header(s, p, &b) == 1 && p + b.size <= target)
		p += b.size;
	return p;
}

int log_read(struct partition_log *log, int64_t offset, int32_t max_bytes,
	     int64_t max_offset, struct log_slice *slice)
{
	if (offset < log->start || offset > log->leo)
		return -ERANGE;
	if (log->n == 0)
		return -EIO; /* a failed log_truncate_fully_and_start_at */
	struct segment *s = active(log);
	*slice = (struct log_slice){ s->fd, s->size, 0, offset };
	if (offset == log->leo || offset >= max_offset)
		return 0;
	size_t i = log_seg_for_offset(log, offset);
	int64_t spos = 0;
	struct seg_batch fb;
	int rc = 0;
	for (; i < log->n; i++) {
		s = log->segs[i];
		rc = seg_find(s, offset, &spos, &fb);
		if (rc != 0)
			break;
	}
	if (rc < 0)
		return -EIO;
	if (rc == 0)
		return 0;
	int64_t seg_end = i + 1 < log->n ? log->segs[i + 1]->base : log->leo;
	int64_t limit = s->size;
	if (max_offset < seg_end) {
		struct seg_batch mb;
		if (seg_find(s, max_offset, &limit, &mb) < 0)
			return -EIO;
	}
	*slice = (struct log_slice){ s->fd, spos, 0, fb.base };
	if (limit <= spos)
		return 0;
	int64_t cap = max_bytes > fb.size ? max_bytes : fb.size;
	int64_t end = limit - spos <= cap ? limit : whole_batches_end(s, spos + fb.size, spos + cap);
	slice->len = (int32_t)(end - spos > INT32_MAX ? fb.size : end - spos);
	return 0;
}

/* Relative offset of the last time index entry with ts <= target (0). */
static uint32_t tidx_floor(const struct segment *s, int64_t ts)
{
	size_t lo = 0, hi = s->n_tidx;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->tidx[mid].ts <= ts)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? s->tidx[lo - 1].rel : 0;
}

int64_t log_offset_for_time(struct partition_log *log, int64_t ts, int64_t *found_ts)
{
	for (size_t i = 0; i < log->n; i++) {
		struct segment *s = log->segs[i];
		if (s->size == 0 || s->max_ts < ts)
			continue;
		/* Batches before the floor entry all have maxTimestamp < its ts
		 * <= target, so the walk may start there. */
		int64_t pos;
		struct seg_batch b;
		int rc = seg_find(s, s->base + tidx_floor(s, ts), &pos, &b);
		for (int64_t p = pos; rc == 1; rc = seg_read_header(s, p, &b)) {
			if (b.max_ts >= ts) {
				if (found_ts)
					*found_ts = b.max_ts;
				return b.base < log->start ? log->start : b.base;
			}
			p += b.size;
		}
	}
	if (found_ts)
		*found_ts = -1;
	return -1;
}

int64_t log_max_timestamp_batch(struct partition_log *log, int64_t *ts)
{
	struct segment *best = NULL;
	for (size_t i = 0; i < log->n; i++)
		if (log->segs[i]->size > 0 && log->segs[i]->max_ts >= 0 &&
		    (!best || log->segs[i]->max_ts > best->max_ts))
			best = log->segs[i];
	*ts = best ? best->max_ts : -1;
	if (!best)
		return -1;
	int64_t off = best->base + best->max_ts_rel;
	return off < log->start ? log->start : off;
}

static int64_t seg_mtime_ms(const struct segment *s)
{
	struct stat st;
	if (fstat(s->fd, &st) < 0)
		return 0;
	return (int64_t)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000;
}

int log_legacy_offsets(struct partition_log *log, int64_t ts, int32_t max,
		       int64_t now_ms, int64_t *out, int cap)
{
	size_t n = log->n + (active(log)->size > 0);
	int64_t start;
	if (ts == -1)
		start = (int64_t)n - 1;
	else if (ts == -2)
		start = 0;
	else
		for (start = (int64_t)n - 1; start >= 0; start--) {
			int64_t mt = (size_t)start < log->n ? seg_mtime_ms(log->segs[start]) : now_ms;
			if (mt <= ts)
				break;
		}
	int k = 0;
	for (int64_t i = start; i >= 0 && k < max && k < cap; i--) {
		int64_t off = (size_t)i < log->n ? log->segs[i]->base : log->leo;
		out[k++] = off < log->start ? log->start : off;
	}
	return k; /* walked from newer to older: already descending */
}

/* ---- aborted-transaction index ---- */

int log_txn_index_append(struct partition_log *log, const struct txn_index_entry *e)
{
	if (log->crashed)
		return -EIO;
	if (e->last_offset < log->start || e->last_offset >= log->leo)
		return -ERANGE;
	struct segment *s = log->segs[log_seg_for_offset(log, e->last_offset)];
	return txn_index_append(&s->txn, e);
}

int64_t log_txn_aborted(struct partition_log *log, int64_t from, int64_t upper,
			struct txn_index_entry *out, size_t max)
{
	size_t n = 0;
	for (size_t i = log_seg_for_offset(log, from); i < log->n && n < max; i++) {
		int complete;
		int64_t got = txn_index_collect(&log->segs[i]->txn, from, upper, out + n,
						max - n, &complete);
		if (got < 0)
			return got;
		n += (size_t)got;
		if (complete)
			break;
	}
	return (int64_t)n;
}

/* ---- periodic work ---- */

static void delete_oldest(struct partition_log *log, const char *why)
{
	struct segment *s = log->segs[0];
	log_info(MOD, "%s: deleting segment %" PRId64 " (%" PRId64 " bytes, %s)", log->dir,
		 s->base, s->size, why);
	log->size_total -= s->size;
	seg_remove(log->dir, s);
	memmove(log->segs, log->segs + 1, (log->n - 1) * sizeof *log->segs);
	log->n--;
	/* a start moved into the next segment by DeleteRecords stays */
	if (log->start < log->segs[0]->base)
		log->start = log->segs[0]->base;
}

int log_advance_start_offset(struct partition_log *log, int64_t new_start)
{
	if (log->crashed)
		return -EIO;
	if (new_start > log->leo)
		return -ERANGE;
	if (new_start <= log->start)
		return 0;
	log->start = new_start;
	while (log->n > 1 && log->segs[1]->base <= new_start)
		delete_oldest(log, "below the log start offset");
	/* the cleaner's first dirty offset may lie below; it restarts from
	 * the log start anyway */
	if (ec_truncate_from_start(&log->epochs, log->start))
		log->epochs_dirty = 1;
	epoch_write(log, 0); /* as epoch_note; a failure is logged, retried later */
	log_info(MOD, "%s: log start offset now %" PRId64, log->dir, new_start);
	return 0;
}

static void log_retain(struct partition_log *log, int64_t now_ms)
{
	int64_t old_start = log->start;
	if (log->cfg.retention_ms >= 0) {
		int64_t cutoff = now_ms - log->cfg.retention_ms;
		while (log->n > 1 && log->segs[0]->max_ts < cutoff)
			delete_oldest(log, "retention.ms");
	}
	if (log->cfg.retention_bytes >= 0) {
		while (log->n > 1 &&
		       log->size_total - log->segs[0]->size >= log->cfg.retention_bytes)
			delete_oldest(log, "retention.bytes");
	}
	if (log->start != old_start && ec_truncate_from_start(&log->epochs, log->start))
		log->epochs_dirty = 1;
	epoch_write(log, 0); /* as epoch_note; a failure is logged, retried later */
}

/* log.flush.interval.ms: as in Kafka, a scheduled flush that no
 * acknowledgement waits for. With a flusher it is an append-flush job
 * that nobody awaits (flush_want stays): the loop goes on, and its result
 * moves the recovery point or, failing, takes the log dir offline through
 * storage->flushed. While a job is queued the next tick tries again. */
static int timed_flush(struct partition_log *log)
{
	if (!log->storage->flusher)
		return log_flush(log);
	if (log->append_flush_queued || log->crashed || log->flush_error)
		return log->crashed ? -EIO : log->flush_error;
	int rc = append_flush_submit(log, "storage.timed_flush");
	if (rc == 0) {
		log->unflushed_msgs = 0;
		return 0;
	}
	log_warn(MOD, "%s: flushing on the loop (no background flush: %s)", log->dir,
		 strerror(-rc));
	return log_flush(log);
}

int log_tick(struct partition_log *log, int64_t now_ms)
{
	if (log->crashed)
		return 0;
	int first = 0;
	struct segment *s = active(log);
	if (s->size > 0 && now_ms - s->roll_start_ms >= log->cfg.roll_ms) {
		int rc = log_roll(log);
		if (rc)
			log_error(MOD, "%s: time roll: %s", log->dir, strerror(-rc));
		first = rc;
	}
	log_retain(log, now_ms);
	if (log->cfg.compact) {
		int rc = log_clean(log, now_ms);
		if (rc < 0)
			log_error(MOD, "%s: cleaner: %s", log->dir, strerror(-rc));
		first = first ? first : rc < 0 ? rc : 0;
	}
	if (log->unflushed_msgs > 0 &&
	    now_ms - log->last_flush_ms >= log->cfg.flush_interval_ms) {
		int rc = timed_flush(log);
		if (rc)
			log_error(MOD, "%s: flush: %s", log->dir, strerror(-rc));
		log->last_flush_ms = now_ms;
		first = first ? first : rc;
	}
	if (log->recovery_point != log->rp_on_disk && !log->flush_error &&
	    now_ms - log->rp_ckpt_ms >= log->cfg.recovery_point_checkpoint_ms) {
		/* at most once per interval (Kafka's recovery-point checkpoint):
		 * a few fsyncs per move, none on the flush path */
		int rc = log_checkpoint(log);
		if (rc)
			log_error(MOD, "%s: writing the recovery point: %s", log->dir, strerror(-rc));
		log->rp_ckpt_ms = now_ms;
		first = first ? first : rc;
	}
	return first ? first : log->flush_error;
}

void log_set_offline(struct partition_log *log)
{
	log->crashed = 1;
}

static int flush_now(struct partition_log *log);

int log_flush(struct partition_log *log)
{
	const struct log_storage *st = log->storage;
	int64_t t0 = st->flush_observer ? clock_mono_us() : 0;
	int rc = flush_now(log);
	if (st->flush_observer)
		st->flush_observer(st->flush_observer_arg,
				   (double)(clock_mono_us() - t0) / 1000.0);
	return rc;
}

/* Makes the data up to the LEO durable, and only the data: what an
 * acknowledgement promises. The indexes, .txnindex and epoch file are what
 * an unclean open trusts below the recovery-point FILE and rebuilds above
 * it (log_open), so they wait for log_checkpoint, which writes the file. */
static int flush_now(struct partition_log *log)
{
	if (log->crashed)
		return -EIO;
	if (log->flush_error)
		return log->flush_error;
	for (size_t i = 0; i < log->n; i++) {
		struct segment *s = log->segs[i];
		if (!s->dirty)
			continue;
		int rc = log_datasync(s->fd);
		if (rc)
			return rc;
		s->dirty = 0;
	}
	if (log->dir_unsynced) { /* a new segment's name is part of its data */
		int rc = log_fsync_dir(log->dir);
		if (rc)
			return rc;
		log->dir_unsynced = 0;
	}
	log->recovery_point = log->leo;
	log->unflushed_msgs = 0;
	log->last_flush_ms = clock_wall_ms();
	return 0;
}

/* Everything an unclean open trusts below a recovery-point file at rp,
 * fsynced: the index files of each segment that ends at or below rp (such
 * a segment is loaded, not rescanned; the one rp falls in is rescanned and
 * its indexes rebuilt) and their .txnindex. */
static int sync_trusted_indexes(struct partition_log *log, int64_t rp)
{
	for (size_t i = 0; i + 1 < log->n && log->segs[i + 1]->base <= rp; i++) {
		struct segment *s = log->segs[i];
		int rc = s->idx_dirty ? seg_write_indexes(log->dir, s, 0, 1) : 0;
		if (rc == 0)
			rc = txn_index_sync(&s->txn);
		if (rc)
			return rc;
	}
	return 0;
}

int log_checkpoint(struct partition_log *log)
{
	if (log->crashed)
		return -EIO;
	if (log->flush_error)
		return log->flush_error;
	int64_t rp = log->recovery_point; /* the data below it is durable */
	/* what an unclean open would trust below rp: durable before the
	 * recovery-point file passes it */
	int rc = sync_trusted_indexes(log, rp);
	if (rc == 0) /* checked against the batches after an unclean stop;
		      * synced all the same, once per checkpoint at most */
		rc = epoch_sync(log);
	if (rc == 0)
		rc = rp_store(log, rp); /* also fsyncs the directory */
	return rc;
}

/* ---- truncation (followers) ---- */

/* The LEO that truncating at offset leaves: the base of the batch holding
 * offset (offset itself when it is a segment base or below the log). */
static int truncation_point(const struct partition_log *log, int64_t offset, int64_t *leo)
{
	const struct segment *s = log->segs[log_seg_for_offset(log, offset)];
	*leo = offset;
	if (s->base >= offset)
		return 0;
	int64_t pos;
	struct seg_batch b;
	int rc = seg_find(s, offset, &pos, &b);
	if (rc < 0)
		return rc;
	if (rc == 1)
		*leo = b.base;
	return 0;
}

int log_truncate_to(struct partition_log *log, int64_t offset)
{
	if (log->crashed)
		return -EIO;
	if (offset < 0)
		return -EINVAL;
	if (offset >= log->leo)
		return 0;
	if (offset < log->start) /* as Kafka: nothing of the log would be left */
		return log_truncate_fully_and_start_at(log, offset);
	log->trunc_gen++;
	cleaner_abort(log);
	/* The cache loses its entries first: a crash in between leaves data the
	 * file does not cover, which recovery's header scan repairs. */
	int64_t point;
	int erc = truncation_point(log, offset, &point);
	if (erc)
		return erc;
	if (ec_truncate_from_end(&log->epochs, point))
		log->epochs_dirty = 1;
	if ((erc = epoch_sync(log)) != 0)
		return erc;
	while (log->n > 1 && active(log)->base >= offset) {
		log->size_total -= active(log)->size;
		seg_remove(log->dir, active(log));
		log->n--;
	}
	struct segment *s = active(log);
	int64_t cut = 0, new_leo = offset;
	if (s->base < offset) {
		struct seg_batch b;
		int rc = seg_find(s, offset, &cut, &b);
		if (rc < 0)
			return rc;
		/* rc == 0: the segment ends exactly at offset (the removed
		 * segment after it started there). */
		new_leo = rc == 1 ? b.base : offset;
	} else if (s->base > offset) {
		/* Everything is above: start over at offset, as Kafka does. */
		struct segment *n;
		int rc = seg_create(log->dir, offset, clock_wall_ms(), &n);
		if (rc)
			return rc;
		log->dir_unsynced = 1;
		log->dir_creates++;
		log->size_total -= s->size;
		seg_remove(log->dir, s);
		log->segs[0] = n;
		log->start = offset;
		s = n;
		if (ec_truncate_from_start(&log->epochs, offset))
			log->epochs_dirty = 1;
		epoch_sync(log); /* entries below the start are harmless if kept */
	}
	if (ftruncate(s->fd, cut) < 0)
		return -errno;
	int trc = txn_index_truncate(&s->txn, new_leo);
	if (trc)
		return trc;
	log->size_total -= s->size - cut;
	s->size = cut;
	if (seg_rebuild_indexes(s, log->cfg.index_interval_bytes) < 0)
		log_warn(MOD, "%s: index rebuild after truncation failed", log->dir);
	int rc = seg_write_indexes(log->dir, s, 1, 0);
	log->leo = new_leo;
	if (log->flush_want > new_leo) /* an append flush in flight is ignored */
		log->flush_want = new_leo;
	log_info(MOD, "%s: truncated to offset %" PRId64, log->dir, new_leo);
	if (log->recovery_point > new_leo) {
		/* Offsets below a stale recovery point would be trusted on the
		 * next unclean open (the file) or flush (memory) although their
		 * new bytes were never synced. The cut is made durable either
		 * way, the file pulled back only when it is above. */
		if ((rc = log_datasync(s->fd)) != 0)
			return rc;
		rc = log->rp_on_disk > new_leo ? rp_store(log, new_leo) : log_fsync_dir(log->dir);
		if (rc)
			return rc;
		log->recovery_point = new_leo;
	}
	return rc;
}

int log_truncate_fully_and_start_at(struct partition_log *log, int64_t new_start)
{
	if (log->crashed)
		return -EIO;
	if (new_start < 0)
		return -EINVAL;
	log->trunc_gen++;
	cleaner_abort(log);
	ec_clear(&log->epochs);
	log->epochs_dirty = 1;
	int rc = epoch_sync(log);
	if (rc)
		return rc;
	while (log->n > 0) {
		seg_remove(log->dir, active(log));
		log->n--;
	}
	log->size_total = 0;
	log->start = log->leo = new_start;
	log->unflushed_msgs = 0;
	if (log->flush_want > new_start)
		log->flush_want = new_start;
	struct segment *s;
	rc = seg_create(log->dir, new_start, clock_wall_ms(), &s);
	if (rc == 0 && (rc = segs_push(log, s)) != 0)
		seg_remove(log->dir, s);
	log->dir_unsynced = 1; /* rp_store below syncs it */
	log->dir_creates++;
	if (rc) {
		log_error(MOD, "%s: no segment at %" PRId64 " after full truncation: %s",
			  log->dir, new_start, strerror(-rc));
		log->crashed = 1;
		return rc;
	}
	log_info(MOD, "%s: truncated fully, log now starts at %" PRId64, log->dir, new_start);
	/* A stale recovery point above new_start would let recovery trust
	 * bytes that were never synced. */
	rc = log_datasync(s->fd);
	if (rc == 0)
		rc = rp_store(log, new_start);
	if (rc == 0)
		log->recovery_point = new_start;
	return rc;
}

/* ---- open, recovery, close ---- */

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* Parses "<20 digits><suffix>" into *base. */
static int parse_seg_name(const char *name, const char *suffix, int64_t *base)
{
	size_t sl = strlen(suffix);
	if (strlen(name) != 20 + sl || strcmp(name + 20, suffix) != 0)
		return 0;
	int64_t v = 0;
	for (int i = 0; i < 20; i++) {
		if (name[i] < '0' || name[i] > '9' || v > (INT64_MAX - 9) / 10)
			return 0;
		v = v * 10 + (name[i] - '0');
	}
	*base = v;
	return 1;
}

/* Bases of all .log files, sorted; removes leftover temporary files. */
static int list_segments(const char *dir, int64_t **out, size_t *n)
{
	DIR *d = opendir(dir);
	if (!d)
		return -errno;
	int64_t *v = NULL;
	size_t cnt = 0, cap = 0;
	int rc = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL && rc == 0) {
		int64_t base;
		size_t len = strlen(e->d_name);
		if ((len > 4 && strcmp(e->d_name + len - 4, ".tmp") == 0) ||
		    (len > 8 && strcmp(e->d_name + len - 8, ".cleaned") == 0)) {
			/* a write or a cleaner pass cut short: the real file stands */
			unlinkat(dirfd(d), e->d_name, 0);
			continue;
		}
		if (!parse_seg_name(e->d_name, ".log", &base))
			continue;
		if (cnt == cap) {
			cap = cap ? cap * 2 : 16;
			void *nv = cap <= MAX_SEGMENTS ? realloc(v, cap * sizeof *v) : NULL;
			if (!nv) {
				rc = -ENOMEM;
				break;
			}
			v = nv;
		}
		v[cnt++] = base;
	}
	closedir(d);
	if (rc) {
		free(v);
		return rc;
	}
	if (cnt > 1)
		qsort(v, cnt, sizeof *v, cmp_i64);
	*out = v;
	*n = cnt;
	return 0;
}

static void remove_orphan_indexes(const struct partition_log *log)
{
	DIR *d = opendir(log->dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		int64_t base;
		if (!parse_seg_name(e->d_name, ".index", &base) &&
		    !parse_seg_name(e->d_name, ".timeindex", &base) &&
		    !parse_seg_name(e->d_name, TXN_INDEX_SUFFIX, &base))
			continue;
		size_t i = log_seg_for_offset(log, base);
		if (log->n == 0 || log->segs[i]->base != base)
			unlinkat(dirfd(d), e->d_name, 0);
	}
	closedir(d);
}

/* Drops segments from index `from` on (recovery found them unusable). */
static void drop_segments_from(struct partition_log *log, size_t from, const char *why)
{
	while (log->n > from) {
		struct segment *s = active(log);
		log_warn(MOD, "%s: deleting segment %" PRId64 " (%" PRId64 " bytes): %s",
			 log->dir, s->base, s->size, why);
		seg_remove(log->dir, s);
		log->n--;
	}
}

/* Trusted path for the active segment: walk the headers after the last
 * index entry to find the LEO. 0, or -1 if the tail is not sound. */
static int walk_tail(struct partition_log *log, struct segment *s, int64_t *next)
{
	int64_t pos = 0, expect = s->base;
	if (s->n_idx) {
		pos = s->idx[s->n_idx - 1].pos;
		expect = s->base + s->idx[s->n_idx - 1].rel;
		s->n_idx--; /* re-added by the walk */
		if (s->idx_on_disk > s->n_idx)
			s->idx_on_disk = s->n_idx;
		s->since_index = log->cfg.index_interval_bytes;
	}
	struct seg_batch b;
	int rc;
	while ((rc = seg_read_header(s, pos, &b)) == 1) {
		if (b.base < expect)
			return -1;
		seg_note_batch(s, &b, log->cfg.index_interval_bytes);
		expect = b.last + 1;
		pos += b.size;
	}
	if (rc < 0)
		return -1;
	*next = expect;
	return 0;
}

/* Loaded index entries must name offsets below limit (the next segment's
 * base, or the end the tail walk found): a file that says otherwise is
 * rebuilt rather than trusted (log_check's rule). */
static int indexes_within(const struct segment *s, int64_t limit)
{
	return (s->n_idx == 0 || s->base + s->idx[s->n_idx - 1].rel < limit) &&
	       (s->n_tidx == 0 || s->base + s->tidx[s->n_tidx - 1].rel < limit);
}

/* Trusts a segment's indexes (clean shutdown, or below the recovery point).
 * 0 with *next = offset after it, -1 if it must be rescanned. */
static int open_trusted(struct partition_log *log, size_t i, int64_t *next)
{
	struct segment *s = log->segs[i];
	int last = i + 1 == log->n;
	if (seg_load_indexes(log->dir, s) == 0) {
		if (!last && indexes_within(s, log->segs[i + 1]->base)) {
			*next = log->segs[i + 1]->base;
			return 0;
		}
		if (last && walk_tail(log, s, next) == 0 && indexes_within(s, *next))
			return 0;
	}
	int64_t end = seg_rebuild_indexes(s, log->cfg.index_interval_bytes);
	if (end < 0 || (!last && end > log->segs[i + 1]->base))
		return -1;
	log_info(MOD, "%s: rebuilt indexes of segment %" PRId64, log->dir, s->base);
	seg_write_indexes(log->dir, s, 1, 0);
	*next = end;
	return 0;
}

/* Rescans segment i: full validation of the batches that reach the
 * recovery point, a header walk below it. 1 if the log ends here (it was
 * cut, or the next segment does not follow on), 0 otherwise, -errno if its
 * indexes cannot be written. The segment is left dirty and idx_dirty
 * (seg_note_batch): the next flush fsyncs the data recovery accepted before
 * the recovery point passes it, a later checkpoint its index files before
 * the recovery-point file passes the segment. */
static int open_rescan(struct partition_log *log, size_t i, int64_t *next, int64_t *reread)
{
	struct segment *s = log->segs[i];
	int64_t n = s->base, from;
	/* unsynced entries cannot be trusted; the tracker's replay restores them */
	int trc = txn_index_reset(&s->txn);
	if (trc)
		log_warn(MOD, "%s: cannot reset the transaction index of %" PRId64 ": %s",
			 log->dir, s->base, strerror(-trc));
	int64_t good = seg_recover(s, &n, log->recovery_point, log->cfg.index_interval_bytes,
				   &from);
	*reread = s->size - from; /* below `from` only headers were walked */
	int cut = good < s->size;
	if (cut) {
		log_warn(MOD, "%s: corrupt or torn data at offset %" PRId64
			 " (segment %" PRId64 ", position %" PRId64 "): truncating %" PRId64 " bytes",
			 log->dir, n, s->base, good, s->size - good);
		if (ftruncate(s->fd, good) < 0)
			log_error(MOD, "%s: truncate: %s", log->dir, strerror(errno));
		s->size = good;
	}
	/* unsynced (a checkpoint syncs them), but a disk that cannot take
	 * them fails the open, as that checkpoint would */
	int wrc = seg_write_indexes(log->dir, s, 1, 0);
	if (wrc)
		return wrc;
	*next = n;
	if (cut && i + 1 < log->n)
		drop_segments_from(log, i + 1, "after a corrupt segment");
	return cut;
}

/* What an unclean open rescanned (the log line of log_open): segments
 * walked again, and the bytes of them read and checked in full (from the
 * first batch that reaches the recovery point on; below it only the batch
 * headers are walked). */
struct rescan_stats {
	size_t segments;
	int64_t bytes;
};

static int open_segments(struct partition_log *log, int clean, struct rescan_stats *st)
{
	int64_t *bases = NULL;
	size_t nb = 0;
	int rc = list_segments(log->dir, &bases, &nb);
	for (size_t i = 0; rc == 0 && i < nb; i++) {
		struct segment *s;
		rc = seg_open(log->dir, bases[i], &s);
		if (rc == 0 && (rc = segs_push(log, s)) != 0)
			seg_free(s);
	}
	free(bases);
	if (rc)
		return rc;
	int64_t next = log->n ? log->segs[0]->base : 0;
	for (size_t i = 0; i < log->n; i++) {
		struct segment *s = log->segs[i];
		if (s->base < next) { /* a gap is fine: compaction leaves them */
			drop_segments_from(log, i, "offsets do not follow on");
			break;
		}
		int last = i + 1 == log->n;
		int trusted = clean || (!last && log->segs[i + 1]->base <= log->recovery_point);
		if (trusted && open_trusted(log, i, &next) == 0)
			continue;
		int64_t reread = 0;
		rc = open_rescan(log, i, &next, &reread);
		st->segments++;
		st->bytes += reread;
		if (rc < 0)
			return rc;
		if (rc) {
			rc = 0;
			break;
		}
	}
	if (log->n == 0) {
		struct segment *s;
		rc = seg_create(log->dir, 0, clock_wall_ms(), &s);
		if (rc == 0 && (rc = segs_push(log, s)) != 0)
			seg_free(s);
		if (rc)
			return rc;
		log->dir_unsynced = 1;
		log->dir_creates++;
		next = 0;
	}
	log->start = log->segs[0]->base;
	log->leo = next;
	for (size_t i = 0; i < log->n; i++)
		log->size_total += log->segs[i]->size;
	/* markers past the recovered end are gone */
	rc = txn_index_truncate(&active(log)->txn, next);
	if (rc)
		return rc;
	remove_orphan_indexes(log);
	return 0;
}

/* The cache the batch headers imply (partitionLeaderEpoch of each batch). */
static int epoch_rebuild(const struct partition_log *log, struct epoch_cache *out)
{
	for (size_t i = 0; i < log->n; i++) {
		const struct segment *s = log->segs[i];
		struct seg_batch b;
		int64_t pos = 0;
		int rc;
		while ((rc = seg_read_header(s, pos, &b)) == 1) {
			if (b.epoch >= 0 && (rc = ec_assign(out, b.epoch, b.base)) < 0)
				return rc;
			pos += b.size;
		}
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* The last batch of the log: 1 with *out, 0 if the log is empty. */
static int last_batch(const struct partition_log *log, struct seg_batch *out)
{
	for (size_t i = log->n; i-- > 0;) {
		const struct segment *s = log->segs[i];
		if (s->size == 0)
			continue;
		int64_t pos = seg_index_floor_pos(s, 0, s->size);
		struct seg_batch b;
		int rc, found = 0;
		while ((rc = seg_read_header(s, pos, &b)) == 1) {
			*out = b;
			found = 1;
			pos += b.size;
		}
		return rc < 0 ? rc : found;
	}
	return 0;
}

/* Epoch of the batch starting exactly at offset (or, in a compacted log,
 * of the first batch after a gap that begins there): 1 with *epoch, 0 if no
 * batch starts there, < 0 on a read error. In a dense log a batch found at
 * or after offset starts exactly there or holds offset mid-way. */
static int epoch_of_batch_at(const struct partition_log *log, int64_t offset, int32_t *epoch)
{
	const struct segment *s = log->segs[log_seg_for_offset(log, offset)];
	int64_t pos;
	struct seg_batch b;
	int rc = seg_find(s, offset, &pos, &b);
	if (rc <= 0)
		return rc;
	*epoch = b.epoch;
	return b.base >= offset;
}

/* After a clean shutdown the file is trusted if the batches agree where it
 * can be checked cheaply: each entry starts a batch of its epoch, and the
 * first and last batches carry the epochs the cache gives their offsets.
 * (Batches inside an epoch's range are only checked by the full scan.) */
static int epoch_file_plausible(const struct partition_log *log)
{
	const struct epoch_cache *c = &log->epochs;
	for (size_t i = 0; i < c->n; i++) {
		int32_t e;
		if (c->e[i].start == log->leo)
			continue; /* begun, no batch yet */
		if (epoch_of_batch_at(log, c->e[i].start, &e) != 1 || e != c->e[i].epoch)
			return 0;
	}
	int32_t e;
	if (log->leo > log->start) {
		if (epoch_of_batch_at(log, log->start, &e) != 1)
			return 0;
		if (e >= 0 && ec_epoch_at(c, log->start) != e)
			return 0;
	}
	struct seg_batch b;
	int rc = last_batch(log, &b);
	if (rc < 0)
		return 0;
	return rc == 0 || b.epoch < 0 || ec_epoch_at(c, b.base) == b.epoch;
}

/* The loaded file agrees with the headers: equal, or one more entry at
 * exactly the LEO (an epoch begun before any batch of it was written). */
static int epoch_file_matches(const struct partition_log *log, const struct epoch_cache *built)
{
	if (ec_equal(&log->epochs, built))
		return 1;
	struct epoch_cache head = log->epochs;
	if (head.n == 0 || head.e[head.n - 1].start != log->leo)
		return 0;
	head.n--;
	return ec_equal(&head, built);
}

/* Loads leader-epoch-checkpoint and checks it against the log (see log.h):
 * clamps it to [start, LEO]; rebuilds it from the headers when missing,
 * malformed, after an unclean shutdown if it disagrees, or after a clean one
 * if the cheap checks of epoch_file_plausible fail. */
static void epoch_open(struct partition_log *log, int clean)
{
	int rc = ec_load(&log->epochs, log->dir);
	int changed = 0;
	if (rc == 0) {
		changed |= ec_truncate_from_end(&log->epochs, log->leo + 1);
		changed |= ec_truncate_from_start(&log->epochs, log->start);
		if (clean && epoch_file_plausible(log))
			goto out;
	}
	struct epoch_cache built = { 0 };
	int brc = epoch_rebuild(log, &built);
	if (brc) {
		log_error(MOD, "%s: cannot rebuild the leader epoch cache: %s", log->dir,
			  strerror(-brc));
	} else if (rc != 0 || !epoch_file_matches(log, &built)) {
		if (rc != -ENOENT || built.n)
			log_warn(MOD, "%s: %s %s; rebuilt from batch headers (%zu epochs)",
				 log->dir, EPOCH_FILE, rc == -ENOENT ? "missing" :
				 rc ? "unreadable" : "disagrees with the log", built.n);
		struct epoch_cache t = log->epochs;
		log->epochs = built;
		built = t;
		changed = rc != -ENOENT || log->epochs.n;
	}
	ec_free(&built);
out:
	log->epochs_dirty |= changed;
	epoch_sync(log);
}

/* Time-based roll counts from the first batch's timestamp after a restart
 * (as Kafka does), or from now if that is absent or in the future. */
static void set_roll_start(struct partition_log *log)
{
	struct segment *s = active(log);
	struct seg_batch b;
	int64_t now = clock_wall_ms();
	s->roll_start_ms = now;
	if (seg_read_header(s, 0, &b) == 1 && b.max_ts >= 0 && b.max_ts < now)
		s->roll_start_ms = b.max_ts;
}

/* The directory holding dir: its entry for dir is durable once this
 * returns 0. */
static int fsync_parent(const char *dir)
{
	char p[4096];
	size_t len = strlen(dir);
	while (len > 1 && dir[len - 1] == '/')
		len--;
	while (len > 0 && dir[len - 1] != '/')
		len--;
	if (len >= sizeof p)
		return -ENAMETOOLONG;
	if (len == 0)
		return log_fsync_dir(".");
	memcpy(p, dir, len);
	p[len] = '\0';
	return log_fsync_dir(p);
}

/* Recovery itself flushes nothing (as Kafka: no fsync per partition at
 * start-up): what lies above the recovery point stays unsynced and dirty,
 * and a crash before the next flush (or the background flush log_open
 * queues for a large recovered range) simply rescans it again. A new
 * partition is flushed and checkpointed once (its files, its directory and
 * the directory's name made durable). The file is rewritten only when a
 * point past the recovered LEO (the tail below it was lost after all) must
 * be pulled back: offsets written there again must not be trusted
 * unsynced. */
static int recovery_point_settle(struct partition_log *log, int fresh)
{
	if (fresh) {
		int rc = log_flush(log);
		if (rc == 0)
			rc = log_checkpoint(log);
		return rc ? rc : fsync_parent(log->dir);
	}
	if (log->recovery_point <= log->leo)
		return 0;
	log_warn(MOD, "%s: recovery point %" PRId64 " is past the recovered end %" PRId64,
		 log->dir, log->recovery_point, log->leo);
	int rc = rp_store(log, log->leo);
	if (rc == 0)
		log->recovery_point = log->leo;
	return rc;
}

/* What an unclean open read again and validated is made durable by a
 * background flush, after which the recovery point moves to the recovered
 * end (and the recovery-point file follows at the next checkpoint), so
 * that another crash does not read it again (Kafka moves its recovery
 * point only on a flush, too). Below this many bytes read again the log is
 * left to its next flush: reading that little again costs less than the
 * fsyncs and the file write spared, which for a thousand small partitions
 * would be thousands right after start-up. */
#define RECOVERED_FLUSH_MIN_BYTES ((int64_t)1 << 20)

int log_open(const char *dir, const struct log_config *cfg, const struct log_storage *storage,
	     struct partition_log **out)
{
	int fresh = access(dir, F_OK) != 0; /* a new partition: nothing to recover */
	int rc = mkdir_p(dir);
	if (rc)
		return rc;
	struct partition_log *log = calloc(1, sizeof *log);
	if (!log || !(log->dir = strdup(dir))) {
		free(log);
		return -ENOMEM;
	}
	log->cleaner.out_fd = -1;
	log->fref = calloc(1, sizeof *log->fref);
	if (!log->fref) {
		free(log->dir);
		free(log);
		return -ENOMEM;
	}
	log->fref->log = log;
	log->fref->refs = 1;
	log->cfg = *cfg;
	config_sanitize(&log->cfg);
	log->storage = storage ? storage : &no_storage;
	char marker[4096];
	if ((rc = log_path_in(marker, sizeof marker, dir, CLEAN_FILE)) != 0)
		goto fail;
	int clean = !fresh && access(marker, F_OK) == 0;
	log->recovery_point = log->rp_on_disk = rp_read(dir);
	/* Gone before any append, so a crash in this session is never
	 * mistaken for a clean shutdown. */
	if (clean && (unlink(marker) < 0 || log_fsync_dir(dir) < 0)) {
		rc = -errno;
		goto fail;
	}
	struct rescan_stats st = { 0 };
	if ((rc = open_segments(log, clean, &st)) != 0)
		goto fail;
	epoch_open(log, clean);
	set_roll_start(log);
	cleaner_init(log);
	log->last_flush_ms = clock_wall_ms();
	log->rp_ckpt_ms = INT64_MIN / 2; /* the first move is written at once */
	if (!clean && !fresh)
		log_info(MOD, "%s: recovered after unclean shutdown: offsets %" PRId64
			 "..%" PRId64 " (recovery point %" PRId64 "; read again: %zu of %zu "
			 "segments, %" PRId64 " bytes)", dir, log->start, log->leo,
			 log->recovery_point, st.segments, log->n, st.bytes);
	if ((rc = recovery_point_settle(log, fresh)) != 0)
		goto fail;
	if (!clean && !fresh && st.bytes >= RECOVERED_FLUSH_MIN_BYTES)
		background_flush_submit(log, log->n, log->leo);
	*out = log;
	return 0;
fail:
	log_abandon(log);
	return rc;
}

void log_abandon(struct partition_log *log)
{
	if (!log)
		return;
	if (log->fref) { /* flushes in flight drop their results */
		log->fref->log = NULL;
		ref_put(log->fref);
	}
	cleaner_free(log);
	for (size_t i = 0; i < log->n; i++)
		seg_free(log->segs[i]);
	ec_free(&log->epochs);
	free(log->segs);
	free(log->dir);
	free(log);
}

void log_close(struct partition_log *log)
{
	if (!log)
		return;
	if (!log->crashed) {
		/* A clean open trusts every file: the data, every segment's
		 * indexes (the active one's too, sealed like the others),
		 * .txnindex and epoch file, and the recovery point at the LEO. */
		struct segment *s = active(log);
		seg_seal_time_index(s);
		int rc = log_flush(log);
		if (rc == 0)
			rc = seg_write_indexes(log->dir, s, 0, 1);
		if (rc == 0)
			rc = txn_index_sync(&s->txn);
		if (rc == 0) /* the sealed segments' files, the epoch file */
			rc = log_checkpoint(log);
		char marker[4096];
		if (rc == 0 && log_path_in(marker, sizeof marker, log->dir, CLEAN_FILE) == 0) {
			int fd = open(marker, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
			if (fd >= 0) {
				close(fd);
				log_fsync_dir(log->dir);
			}
		} else if (rc) {
			log_error(MOD, "%s: flush on close: %s", log->dir, strerror(-rc));
		}
	}
	log_abandon(log);
}

int log_delete(struct partition_log *log)
{
	char *dir = strdup(log->dir);
	log_abandon(log);
	if (!dir)
		return -ENOMEM;
	DIR *d = opendir(dir);
	int rc = 0;
	if (!d) {
		rc = -errno;
	} else {
		struct dirent *e;
		while ((e = readdir(d)) != NULL)
			if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
				unlinkat(dirfd(d), e->d_name, 0);
		closedir(d);
		if (rmdir(dir) < 0)
			rc = -errno;
	}
	free(dir);
	return rc;
}

/* ---- invariants (log.h: log_check) ---- */

static int check_fail_at(const struct partition_log *log, const char *what, int64_t a, int64_t b)
{
	log_error(MOD, "%s: invariant broken: %s (%" PRId64 ", %" PRId64 ")", log->dir, what, a, b);
	return -1;
}

static int check_segment_indexes(const struct partition_log *log, const struct segment *s,
				 int64_t limit)
{
	for (size_t i = 0; i < s->n_idx; i++) {
		const struct seg_idx *x = &s->idx[i];
		if ((int64_t)x->pos >= s->size || s->base + x->rel >= limit)
			return check_fail_at(log, "offset index entry outside its segment",
					     s->base + x->rel, x->pos);
		if (i && (x->rel <= x[-1].rel || x->pos <= x[-1].pos))
			return check_fail_at(log, "offset index not ascending", s->base, (int64_t)i);
	}
	for (size_t i = 0; i < s->n_tidx; i++) {
		const struct seg_tidx *t = &s->tidx[i];
		if (s->base + t->rel >= limit)
			return check_fail_at(log, "time index entry outside its segment",
					     s->base + t->rel, t->ts);
		if (i && (t->rel < t[-1].rel || t->ts < t[-1].ts))
			return check_fail_at(log, "time index not ascending", s->base, (int64_t)i);
	}
	return 0;
}

int log_check(const struct partition_log *log)
{
	if (log->n == 0)
		return check_fail_at(log, "no segment", 0, 0);
	if (log->start > log->leo || log->recovery_point > log->leo)
		return check_fail_at(log, "start or recovery point past the LEO", log->start,
				     log->recovery_point);
	if (log->rp_on_disk > log->recovery_point) /* the file only follows the point */
		return check_fail_at(log, "recovery-point file past the recovery point",
				     log->rp_on_disk, log->recovery_point);
	int64_t total = 0;
	for (size_t i = 0; i < log->n; i++) {
		const struct segment *s = log->segs[i];
		int64_t limit = i + 1 < log->n ? log->segs[i + 1]->base : log->leo;
		if (s->size < 0 || (i + 1 < log->n && s->base >= log->segs[i + 1]->base) ||
		    s->base > log->leo)
			return check_fail_at(log, "segments out of order", s->base, s->size);
		if (check_segment_indexes(log, s, limit))
			return -1;
		/* the active segment's ring (a sealed one only changes through
		 * cleaning, which rebuilds it): up to SEG_TAIL preads */
		int64_t at;
		if (i + 1 == log->n && seg_tail_check(s, &at))
			return check_fail_at(log, "cached tail header differs from the file", s->base, at);
		total += s->size;
	}
	if (total != log->size_total)
		return check_fail_at(log, "size_total differs from the segments", total,
				     log->size_total);
	if (ec_check(&log->epochs))
		return -1;
	if (log->epochs.n && log->epochs.e[log->epochs.n - 1].start > log->leo)
		return check_fail_at(log, "leader epoch starts past the LEO",
				     log->epochs.e[log->epochs.n - 1].start, log->leo);
	return 0;
}
