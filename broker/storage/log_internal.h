/* The partition log's private state, shared by log.c and cleaner.c (the
 * log cleaner rewrites sealed segments of the same struct). Internal to
 * broker/storage; everything else uses log.h. */
#ifndef GREGOR_STORAGE_LOG_INTERNAL_H
#define GREGOR_STORAGE_LOG_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "broker/storage/epoch_cache.h"
#include "broker/storage/log.h"
#include "broker/storage/segment.h"

/* One compaction pass in progress (cleaner.c); phase CL_IDLE when none. */
struct key_map;
struct log_cleaner {
	int phase;
	int64_t first_dirty;  /* persisted: everything below was cleaned */
	int64_t end;          /* this pass cleans [log start, end) */
	int64_t now_ms;       /* the pass's clock (tombstone horizon) */
	int64_t seg_base;     /* segment being read */
	int64_t pos;          /* next batch position in it */
	int out_fd;           /* <base>.log.cleaned being written, or -1 */
	int64_t out_size;
	int dropped;          /* something of this segment was left out */
	int drop_tombstones;  /* this segment's tombstones have expired */
	struct key_map *map;  /* key -> latest offset in [first_dirty, end) */
	uint8_t *in, *out;
	size_t in_cap, out_cap;
	struct log_clean_stats stats;
};

/* What a roll flush in flight (flusher.h) knows of its log: the log
 * itself until it is closed or deleted (then NULL), and how many holders
 * (the log and each job) still point here. Loop thread only. */
struct log_flush_ref {
	struct partition_log *log;
	int refs;
};

struct partition_log {
	char *dir;
	struct log_config cfg;
	const struct log_storage *storage; /* the owner's (never NULL: log_open) */
	struct segment **segs; /* sorted by base; the last one is active */
	size_t n, cap;
	int64_t start;
	int64_t leo;
	int64_t size_total;
	int64_t recovery_point; /* the segments' data below it is fsynced */
	int64_t unflushed_msgs;
	int64_t last_flush_ms;
	int crashed; /* an injected fault "killed" this log: it only frees now */
	/* Roll flushes (log.c, "background flush of rolled segments"): */
	struct log_flush_ref *fref;
	uint64_t trunc_gen;  /* bumped by every truncation: a flush queued
			      * before one must not move the recovery point */
	int64_t rp_on_disk;  /* what the recovery-point file says (<= the point
			      * it had when written): below it the indexes,
			      * .txnindex and epoch file are fsynced too */
	int dir_unsynced;    /* a segment file was created since the directory
			      * was last fsynced */
	int64_t rp_ckpt_ms;  /* when log_tick last wrote it (long ago at open) */
	int flush_error;     /* a background flush failed: -errno, sticky */
	int flushes_pending; /* roll and append flushes queued, not yet done */
	uint64_t dir_creates; /* segment files created (dir_unsynced set) */
	/* Append flushes (log.c, "flush per message off the loop"): */
	int64_t flush_want;  /* the LEO when an append last reached the
			      * flush interval: acknowledgements wait while the
			      * recovery point is below it */
	int append_flush_queued; /* one append flush at a time per log */
	void *owner;         /* log_set_owner's, for storage->flushed */
	struct epoch_cache epochs;
	int epochs_dirty; /* memory differs from leader-epoch-checkpoint */
	int epochs_unsynced; /* the file was written without fsync since */
	uint64_t epochs_writes; /* how many such writes: a roll flush that synced
				 * the file clears epochs_unsynced only if no
				 * write came after it was queued */
	struct log_cleaner cleaner;
};

int log_path_in(char *buf, size_t cap, const char *dir, const char *name);
int log_fsync_dir(const char *dir);
/* fdatasync(fd) behind the storage.fdatasync failpoint: 0 or -errno. */
int log_datasync(int fd);
/* Index of the last segment whose base <= offset (0 if none). */
size_t log_seg_for_offset(const struct partition_log *log, int64_t offset);

/* cleaner.c: called by log.c */
void cleaner_init(struct partition_log *log); /* after open: checkpoint, ages */
void cleaner_abort(struct partition_log *log); /* drops a pass in progress */
void cleaner_free(struct partition_log *log);

#endif
