/* Kafka-format checkpoint files: atomic replacement and strict parsing.
 * A checkpoint is read back after crashes and by hand-edited deployments, so
 * every byte is untrusted: sizes and counts are bounded before anything is
 * allocated, and any deviation from the format is -EINVAL, never a guess. */
#include "broker/storage/checkpoint.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/failpoint.h"
#include "common/log.h"

#define MOD "storage"
#define MIN_LINE 6 /* "t 0 0\n": bounds the entries a file of a size can hold */

static int fsync_parent(const char *path)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');
	size_t len = slash ? (size_t)(slash - path) : 0;
	if (len >= sizeof dir)
		return -ENAMETOOLONG;
	if (slash && len == 0)
		len = 1; /* "/file": the root directory */
	if (!slash)
		memcpy(dir, ".", 2);
	else {
		memcpy(dir, path, len);
		dir[len] = '\0';
	}
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	int rc = fsync(fd) < 0 ? -errno : 0;
	close(fd);
	return rc;
}

static int write_all(int fd, const char *buf, size_t len)
{
	size_t done = 0;
	for (int tries = 0; done < len && tries < 1024; tries++) {
		ssize_t w = write(fd, buf + done, len - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? -errno : -EIO;
		done += (size_t)w;
	}
	return done == len ? 0 : -EIO;
}

static int replace_file(const char *path, const char *buf, size_t len, int durable)
{
	char tmp[4096];
	int n = snprintf(tmp, sizeof tmp, "%s.tmp", path);
	if (n < 0 || (size_t)n >= sizeof tmp)
		return -ENAMETOOLONG;
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	int rc = failpoint_error("storage.checkpoint.write");
	if (rc == 0)
		rc = write_all(fd, buf, len);
	if (rc == 0 && durable && fsync(fd) < 0)
		rc = -errno;
	if (close(fd) < 0 && rc == 0)
		rc = -errno;
	if (rc == 0 && rename(tmp, path) < 0)
		rc = -errno;
	if (rc) {
		unlink(tmp);
		return rc;
	}
	return durable ? fsync_parent(path) : 0;
}

int checkpoint_replace_file(const char *path, const char *buf, size_t len)
{
	return replace_file(path, buf, len, 1);
}

int checkpoint_replace_file_nosync(const char *path, const char *buf, size_t len)
{
	return replace_file(path, buf, len, 0);
}

int checkpoint_slurp(const char *path, size_t max, char **out, size_t *out_len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (uint64_t)st.st_size > max) {
		close(fd);
		return -EINVAL;
	}
	/* One byte more than the file claims: a file that grew meanwhile is
	 * noticed instead of silently cut. */
	size_t cap = (size_t)st.st_size + 1;
	char *buf = malloc(cap + 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	size_t len = 0;
	int rc = 0;
	for (int tries = 0; len < cap && tries < 1024; tries++) {
		ssize_t r = read(fd, buf + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			rc = -errno;
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	if (rc == 0 && len == cap)
		rc = -EINVAL;
	if (rc) {
		free(buf);
		return rc;
	}
	buf[len] = '\0';
	*out = buf;
	*out_len = len;
	return 0;
}

int checkpoint_parse_int(const char **pp, const char *end, char term, int64_t min,
			 int64_t max, int64_t *out)
{
	const char *p = *pp;
	int neg = p < end && *p == '-';
	p += neg;
	const char *digits = p;
	uint64_t v = 0;
	while (p < end && *p >= '0' && *p <= '9') {
		if (p - digits >= 19)
			return -EINVAL; /* more digits than any int64 */
		v = v * 10 + (uint64_t)(*p - '0');
		p++;
	}
	size_t nd = (size_t)(p - digits);
	if (nd == 0 || (nd > 1 && digits[0] == '0') || (neg && v == 0))
		return -EINVAL;
	if (p >= end || *p != term)
		return -EINVAL;
	if (v > (uint64_t)INT64_MAX)
		return -EINVAL;
	int64_t s = neg ? -(int64_t)v : (int64_t)v;
	if (s < min || s > max)
		return -EINVAL;
	*out = s;
	*pp = p + 1;
	return 0;
}

static int topic_ok(const char *t, size_t len)
{
	if (len == 0 || len > 255)
		return 0;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)t[i] <= ' ' || t[i] == 0x7f)
			return 0;
	return 1;
}

int checkpoint_write(const char *path, const struct checkpoint_entry *e, int n)
{
	if (n < 0 || n > CHECKPOINT_MAX_ENTRIES || (n > 0 && !e))
		return -EINVAL;
	for (int i = 0; i < n; i++)
		if (!topic_ok(e[i].topic, strnlen(e[i].topic, sizeof e[i].topic)) ||
		    e[i].partition < 0 || e[i].offset < 0)
			return -EINVAL;
	/* topic (255) + 2 spaces + int32 (10) + int64 (19) + newline */
	size_t cap = 32 + (size_t)n * 290;
	char *buf = malloc(cap);
	if (!buf)
		return -ENOMEM;
	size_t len = (size_t)snprintf(buf, cap, "0\n%d\n", n);
	for (int i = 0; i < n; i++)
		len += (size_t)snprintf(buf + len, cap - len, "%s %" PRId32 " %" PRId64 "\n",
					e[i].topic, e[i].partition, e[i].offset);
	int rc = checkpoint_replace_file(path, buf, len);
	free(buf);
	return rc;
}

static int cmp_entry(const void *a, const void *b)
{
	const struct checkpoint_entry *x = a, *y = b;
	int c = strcmp(x->topic, y->topic);
	return c ? c : (x->partition > y->partition) - (x->partition < y->partition);
}

/* Parses one `topic partition offset\n` line into *e. */
static int parse_entry(const char **pp, const char *end, struct checkpoint_entry *e)
{
	const char *p = *pp;
	const char *sp = memchr(p, ' ', (size_t)(end - p));
	if (!sp || !topic_ok(p, (size_t)(sp - p)))
		return -EINVAL;
	memcpy(e->topic, p, (size_t)(sp - p));
	e->topic[sp - p] = '\0';
	p = sp + 1;
	int64_t part, off;
	if (checkpoint_parse_int(&p, end, ' ', 0, INT32_MAX, &part) ||
	    checkpoint_parse_int(&p, end, '\n', 0, INT64_MAX, &off))
		return -EINVAL;
	e->partition = (int32_t)part;
	e->offset = off;
	*pp = p;
	return 0;
}

static int parse_file(const char *buf, size_t len, struct checkpoint_entry **out,
		      int *out_n, int *bad_line)
{
	const char *p = buf, *end = buf + len;
	int64_t version, count;
	*bad_line = 1;
	if (checkpoint_parse_int(&p, end, '\n', 0, 0, &version))
		return -EINVAL;
	*bad_line = 2;
	if (checkpoint_parse_int(&p, end, '\n', 0, CHECKPOINT_MAX_ENTRIES, &count) ||
	    (uint64_t)count > len / MIN_LINE)
		return -EINVAL;
	struct checkpoint_entry *e = count ? malloc((size_t)count * sizeof *e) : NULL;
	if (count && !e)
		return -ENOMEM;
	for (int64_t i = 0; i < count; i++) {
		*bad_line = (int)i + 3;
		if (parse_entry(&p, end, &e[i])) {
			free(e);
			return -EINVAL;
		}
	}
	*bad_line = (int)count + 3;
	if (p != end) { /* more lines than the count says */
		free(e);
		return -EINVAL;
	}
	if (count > 1) {
		struct checkpoint_entry *sorted = malloc((size_t)count * sizeof *sorted);
		if (!sorted) {
			free(e);
			return -ENOMEM;
		}
		memcpy(sorted, e, (size_t)count * sizeof *sorted);
		qsort(sorted, (size_t)count, sizeof *sorted, cmp_entry);
		int dup = 0;
		for (int64_t i = 1; i < count && !dup; i++)
			dup = cmp_entry(&sorted[i - 1], &sorted[i]) == 0;
		free(sorted);
		if (dup) {
			*bad_line = 0;
			free(e);
			return -EINVAL;
		}
	}
	*out = e;
	*out_n = (int)count;
	return 0;
}

int checkpoint_read(const char *path, struct checkpoint_entry **e, int *n)
{
	char *buf;
	size_t len;
	int rc = checkpoint_slurp(path, CHECKPOINT_MAX_BYTES, &buf, &len);
	if (rc == -EINVAL)
		log_error(MOD, "%s: not a regular file or larger than %d bytes", path,
			  CHECKPOINT_MAX_BYTES);
	if (rc)
		return rc;
	int line;
	rc = parse_file(buf, len, e, n, &line);
	free(buf);
	if (rc == -EINVAL && line > 0)
		log_error(MOD, "%s: malformed checkpoint at line %d", path, line);
	else if (rc == -EINVAL)
		log_error(MOD, "%s: malformed checkpoint: duplicate topic-partition", path);
	return rc;
}
