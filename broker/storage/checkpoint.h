/* Checkpoint files in Kafka's text format: a version line `0`, a count line,
 * then one entry per line. Per log dir: replication-offset-checkpoint (high
 * watermarks), recovery-point-offset-checkpoint, log-start-offset-checkpoint,
 * with `topic partition offset` lines. Writes are atomic (temp file, fsync,
 * rename, fsync of the directory): a reader sees the old or the new file. */
#ifndef GREGOR_STORAGE_CHECKPOINT_H
#define GREGOR_STORAGE_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>

#define CHECKPOINT_MAX_ENTRIES (1 << 20)
#define CHECKPOINT_MAX_BYTES (64 << 20)

struct checkpoint_entry {
	char topic[256]; /* NUL-terminated, 1..255 bytes, no whitespace */
	int32_t partition; /* >= 0 */
	int64_t offset;    /* >= 0 */
};

/* Replaces the file at path with the n entries (n <= CHECKPOINT_MAX_ENTRIES).
 * Refuses (-EINVAL, nothing written) entries that could not be read back:
 * an empty topic or one with whitespace, a negative partition or offset.
 * Returns 0 or -errno. */
int checkpoint_write(const char *path, const struct checkpoint_entry *e, int n);

/* Reads the file strictly: version 0, a count that matches the lines that
 * follow, each line exactly `topic partition offset` separated by single
 * spaces, no duplicate topic-partition, nothing after the last line. On
 * success *e is a malloc'd array of *n entries (NULL when *n == 0) for the
 * caller to free(). -ENOENT when the file is absent; -EINVAL (logged with
 * the path and line) when malformed or larger than the bounds above; the
 * outputs are untouched on error. */
int checkpoint_read(const char *path, struct checkpoint_entry **e, int *n);

/* Helpers for other files of this family (leader-epoch-checkpoint). */

/* Writes buf as the whole content of path atomically (see above). */
int checkpoint_replace_file(const char *path, const char *buf, size_t len);
/* The same without the fsyncs: atomic against a crashed process, not
 * against a lost page cache. For files that are checked against the log
 * after an unclean shutdown and made durable before they matter. */
int checkpoint_replace_file_nosync(const char *path, const char *buf, size_t len);
/* Reads the whole file (at most max bytes, else -EINVAL) into a malloc'd,
 * NUL-terminated buffer. -ENOENT when absent. */
int checkpoint_slurp(const char *path, size_t max, char **buf, size_t *len);
/* Parses a decimal integer in [min, max] at *p, which must be followed by
 * the character `term` (consumed). No sign except '-' for negatives, no
 * leading zeros, no spaces. 0 and *p moved past term, or -EINVAL. */
int checkpoint_parse_int(const char **p, const char *end, char term, int64_t min,
			 int64_t max, int64_t *out);

#endif
