/* Aborted-transaction index files (see txn_index.h). Everything read back
 * is checked entry by entry; what cannot be trusted is cut off, since the
 * transaction tracker re-appends whatever the log's markers imply. */
#include "broker/storage/txn_index.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "broker/storage/segment.h"
#include "common/failpoint.h"
#include "common/log.h"

#define MOD "storage"
#define CHUNK_ENTRIES 128

int txn_index_init(struct txn_index *ix, const char *dir, int64_t base)
{
	char p[4096];
	memset(ix, 0, sizeof *ix);
	ix->fd = -1;
	ix->base = base;
	ix->last_offset = -1;
	int rc = seg_path(p, sizeof p, dir, base, TXN_INDEX_SUFFIX);
	if (rc)
		return rc;
	ix->path = strdup(p);
	return ix->path ? 0 : -ENOMEM;
}

void txn_index_encode(const struct txn_index_entry *e, uint8_t out[TXN_INDEX_ENTRY_SIZE])
{
	out[0] = 0;
	out[1] = 0; /* version 0 */
	seg_put_be64(out + 2, (uint64_t)e->producer_id);
	seg_put_be64(out + 10, (uint64_t)e->first_offset);
	seg_put_be64(out + 18, (uint64_t)e->last_offset);
	seg_put_be64(out + 26, (uint64_t)e->last_stable_offset);
}

int txn_index_decode(const uint8_t in[TXN_INDEX_ENTRY_SIZE], struct txn_index_entry *e)
{
	e->producer_id = (int64_t)seg_get_be64(in + 2);
	e->first_offset = (int64_t)seg_get_be64(in + 10);
	e->last_offset = (int64_t)seg_get_be64(in + 18);
	e->last_stable_offset = (int64_t)seg_get_be64(in + 26);
	return in[0] == 0 && in[1] == 0 ? 0 : -1;
}

/* Why entry e (after an entry ending at prev_last) cannot be trusted, or NULL. */
static const char *entry_fault(const struct txn_index *ix, const uint8_t *raw,
			       struct txn_index_entry *e, int64_t prev_last)
{
	if (txn_index_decode(raw, e) < 0)
		return "unknown version";
	if (e->producer_id < 0)
		return "negative producer id";
	if (e->first_offset < 0 || e->first_offset > e->last_offset)
		return "first offset after last offset";
	if (e->last_offset < ix->base)
		return "last offset below the segment base";
	if (e->last_offset <= prev_last)
		return "last offsets out of order";
	if (e->last_stable_offset < 0)
		return "negative last stable offset";
	return NULL;
}

static int cut_at(struct txn_index *ix, int64_t entries)
{
	if (ftruncate(ix->fd, entries * TXN_INDEX_ENTRY_SIZE) < 0)
		return -errno;
	ix->n = entries;
	ix->dirty = 1;
	return 0;
}

/* Reads up to `want` entries from entry `at`; returns how many whole ones. */
static int64_t read_entries(const struct txn_index *ix, int64_t at, uint8_t *buf, int64_t want)
{
	size_t len = (size_t)want * TXN_INDEX_ENTRY_SIZE, got = 0;
	for (int tries = 0; got < len && tries < 64; tries++) {
		ssize_t r = pread(ix->fd, buf + got, len - got,
				  at * TXN_INDEX_ENTRY_SIZE + (int64_t)got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (int64_t)(got / TXN_INDEX_ENTRY_SIZE);
}

/* Walks the file's entries; the index of the first bad one (== count when
 * all are good), its reason in *why; leaves ix->last_offset at the last
 * good entry. -errno on read errors. */
static int64_t check_entries(struct txn_index *ix, int64_t count, const char **why)
{
	uint8_t buf[CHUNK_ENTRIES * TXN_INDEX_ENTRY_SIZE];
	int64_t i = 0, prev = -1;
	*why = NULL;
	while (i < count) {
		int64_t want = count - i < CHUNK_ENTRIES ? count - i : CHUNK_ENTRIES;
		int64_t got = read_entries(ix, i, buf, want);
		if (got < 0)
			return got;
		if (got == 0) {
			*why = "short read";
			break;
		}
		for (int64_t k = 0; k < got; k++, i++) {
			struct txn_index_entry e;
			*why = entry_fault(ix, buf + k * TXN_INDEX_ENTRY_SIZE, &e, prev);
			if (*why) {
				ix->last_offset = prev;
				return i;
			}
			prev = e.last_offset;
		}
	}
	ix->last_offset = prev;
	return i;
}

int64_t txn_index_load(struct txn_index *ix)
{
	if (ix->fd >= 0)
		close(ix->fd);
	ix->fd = -1;
	ix->n = 0;
	ix->last_offset = -1;
	int fd = open(ix->path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	struct stat st;
	if (fstat(fd, &st) < 0) {
		int rc = -errno;
		close(fd);
		return rc;
	}
	ix->fd = fd;
	int64_t count = st.st_size / TXN_INDEX_ENTRY_SIZE;
	int64_t torn = st.st_size % TXN_INDEX_ENTRY_SIZE;
	const char *why;
	int64_t good = check_entries(ix, count, &why);
	if (good < 0) {
		close(fd);
		ix->fd = -1;
		ix->last_offset = -1;
		return good;
	}
	if (good < count)
		log_warn(MOD, "%s: entry %" PRId64 " of %" PRId64 " is corrupt (%s): "
			 "cutting the index there", ix->path, good, count, why);
	else if (torn)
		log_warn(MOD, "%s: torn tail entry (%" PRId64 " stray bytes): cut off",
			 ix->path, torn);
	ix->n = good;
	if ((good < count || torn) && cut_at(ix, good) < 0)
		log_error(MOD, "%s: cannot cut: %s", ix->path, strerror(errno));
	return count - good + (torn ? 1 : 0);
}

static int ensure_open(struct txn_index *ix)
{
	if (ix->fd >= 0)
		return 0;
	int fd = open(ix->path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	ix->fd = fd;
	ix->n = 0;
	ix->last_offset = -1;
	return 0;
}

int txn_index_append(struct txn_index *ix, const struct txn_index_entry *e)
{
	if (e->last_offset < ix->base || e->first_offset < 0 ||
	    e->first_offset > e->last_offset || e->producer_id < 0)
		return -EINVAL;
	if (e->last_offset <= ix->last_offset)
		return 0;
	int rc = ensure_open(ix);
	if (rc)
		return rc;
	uint8_t raw[TXN_INDEX_ENTRY_SIZE];
	txn_index_encode(e, raw);
	int64_t at = ix->n * TXN_INDEX_ENTRY_SIZE;
	ssize_t w;
	do
		w = pwrite(ix->fd, raw, sizeof raw, at);
	while (w < 0 && errno == EINTR);
	if (w != (ssize_t)sizeof raw) {
		rc = w < 0 ? -errno : -EIO;
		if (ftruncate(ix->fd, at) < 0)
			log_error(MOD, "%s: cannot cut a failed write: %s", ix->path,
				  strerror(errno));
		return rc;
	}
	ix->n++;
	ix->last_offset = e->last_offset;
	ix->dirty = 1;
	return 0;
}

int txn_index_truncate(struct txn_index *ix, int64_t offset)
{
	if (ix->fd < 0 || ix->last_offset < offset)
		return 0;
	/* entries are sorted by last_offset: find the first at or above offset */
	int64_t lo = 0, hi = ix->n;
	uint8_t raw[TXN_INDEX_ENTRY_SIZE];
	while (lo < hi) {
		int64_t mid = lo + (hi - lo) / 2;
		struct txn_index_entry e;
		int64_t got = read_entries(ix, mid, raw, 1);
		if (got < 0)
			return (int)got;
		if (got == 0)
			return -EIO;
		txn_index_decode(raw, &e);
		if (e.last_offset < offset)
			lo = mid + 1;
		else
			hi = mid;
	}
	int rc = cut_at(ix, lo);
	if (rc)
		return rc;
	ix->last_offset = -1;
	if (lo > 0) {
		struct txn_index_entry e;
		if (read_entries(ix, lo - 1, raw, 1) != 1)
			return -EIO;
		txn_index_decode(raw, &e);
		ix->last_offset = e.last_offset;
	}
	return 0;
}

int txn_index_reset(struct txn_index *ix)
{
	return txn_index_truncate(ix, INT64_MIN);
}

int txn_index_sync(struct txn_index *ix)
{
	if (ix->fd < 0 || !ix->dirty)
		return 0;
	int rc = failpoint_error("storage.fdatasync");
	if (rc == 0 && fdatasync(ix->fd) < 0)
		rc = -errno;
	if (rc)
		return rc;
	ix->dirty = 0;
	return 0;
}

int64_t txn_index_collect(const struct txn_index *ix, int64_t from, int64_t upper,
			  struct txn_index_entry *out, size_t max, int *complete)
{
	uint8_t buf[CHUNK_ENTRIES * TXN_INDEX_ENTRY_SIZE];
	size_t n = 0;
	*complete = 0;
	if (ix->fd < 0 || ix->last_offset < from)
		return 0;
	for (int64_t i = 0; i < ix->n && n < max;) {
		int64_t want = ix->n - i < CHUNK_ENTRIES ? ix->n - i : CHUNK_ENTRIES;
		int64_t got = read_entries(ix, i, buf, want);
		if (got < 0)
			return got;
		if (got == 0)
			return -EIO;
		for (int64_t k = 0; k < got && n < max; k++, i++) {
			struct txn_index_entry e;
			txn_index_decode(buf + k * TXN_INDEX_ENTRY_SIZE, &e);
			if (e.last_offset >= from && e.first_offset < upper)
				out[n++] = e;
			if (e.last_stable_offset >= upper) {
				*complete = 1;
				return (int64_t)n;
			}
		}
	}
	return (int64_t)n;
}

void txn_index_close(struct txn_index *ix)
{
	if (ix->fd >= 0)
		close(ix->fd);
	ix->fd = -1;
	free(ix->path);
	ix->path = NULL;
}

void txn_index_remove(struct txn_index *ix)
{
	if (ix->path)
		unlink(ix->path);
	txn_index_close(ix);
}
