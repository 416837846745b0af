/* Producer state of one partition: the idempotence window and its snapshot
 * encoding and files (see producer_state.h). */
#include "broker/txn/producer_state.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "common/proto/crc32c.h"
#include "common/proto/kerr.h"
#include "common/proto/record_batch.h"

void ps_init(struct producer_state *s)
{
	memset(s, 0, sizeof *s);
}

void ps_free(struct producer_state *s)
{
	free(s->v);
	ps_init(s);
}

void ps_clear(struct producer_state *s)
{
	s->n = 0;
}

/* Index of the first entry with id >= producer_id. */
static size_t ps_lower_bound(const struct producer_state *s, int64_t producer_id)
{
	size_t lo = 0, hi = s->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->v[mid].producer_id < producer_id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct ps_entry *ps_find(const struct producer_state *s, int64_t producer_id)
{
	size_t i = ps_lower_bound(s, producer_id);
	return i < s->n && s->v[i].producer_id == producer_id ? &s->v[i] : NULL;
}

static int ps_in_sequence(int32_t last_seq, int32_t next_seq)
{
	return (last_seq == INT32_MAX && next_seq == 0) ||
	       (last_seq != INT32_MAX && next_seq == last_seq + 1);
}

int16_t ps_check(const struct producer_state *s, int64_t producer_id, int16_t epoch,
		 int32_t first_seq, int32_t last_seq, int *dup, int64_t *dup_base_offset)
{
	*dup = 0;
	const struct ps_entry *e = ps_find(s, producer_id);
	if (!e)
		return 0;
	if (epoch == e->epoch) {
		for (int k = 0; k < e->nbatches; k++) {
			const struct ps_batch *b = &e->batches[k];
			if (b->first_seq == first_seq && b->last_seq == last_seq) {
				*dup = 1;
				*dup_base_offset = b->last_offset - b->offset_delta;
				return 0;
			}
		}
	}
	if (epoch < e->epoch)
		return KERR_INVALID_PRODUCER_EPOCH;
	if (epoch != e->epoch)
		return first_seq == 0 ? 0 : KERR_OUT_OF_ORDER_SEQUENCE_NUMBER;
	/* same epoch and no history (e.g. only a marker seen): any start */
	if (e->nbatches == 0)
		return 0;
	return ps_in_sequence(e->batches[e->nbatches - 1].last_seq, first_seq)
		       ? 0 : KERR_OUT_OF_ORDER_SEQUENCE_NUMBER;
}

static struct ps_entry *ps_get_or_add(struct producer_state *s, int64_t producer_id)
{
	size_t i = ps_lower_bound(s, producer_id);
	if (i < s->n && s->v[i].producer_id == producer_id)
		return &s->v[i];
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 8;
		struct ps_entry *v = realloc(s->v, cap * sizeof *v);
		if (!v)
			return NULL;
		s->v = v;
		s->cap = cap;
	}
	memmove(&s->v[i + 1], &s->v[i], (s->n - i) * sizeof *s->v);
	s->n++;
	struct ps_entry *e = &s->v[i];
	memset(e, 0, sizeof *e);
	e->producer_id = producer_id;
	e->epoch = -1;
	e->coordinator_epoch = -1;
	e->current_txn_first_offset = -1;
	return e;
}

int ps_record(struct producer_state *s, int64_t producer_id, int16_t epoch,
	      int32_t first_seq, int32_t last_seq, int64_t last_offset,
	      int32_t offset_delta, int64_t timestamp)
{
	struct ps_entry *e = ps_get_or_add(s, producer_id);
	if (!e)
		return -ENOMEM;
	if (epoch != e->epoch) {
		e->epoch = epoch;
		e->nbatches = 0;
	}
	if (e->nbatches == PS_WINDOW) {
		memmove(&e->batches[0], &e->batches[1], (PS_WINDOW - 1) * sizeof e->batches[0]);
		e->nbatches--;
	}
	e->batches[e->nbatches++] = (struct ps_batch){ first_seq, last_seq, last_offset,
						       offset_delta, timestamp };
	e->last_timestamp = timestamp;
	return 0;
}

struct ps_entry *ps_lookup(struct producer_state *s, int64_t producer_id)
{
	size_t i = ps_lower_bound(s, producer_id);
	return i < s->n && s->v[i].producer_id == producer_id ? &s->v[i] : NULL;
}

int ps_record_marker(struct producer_state *s, int64_t producer_id, int16_t epoch,
		     int32_t coordinator_epoch, int64_t timestamp)
{
	struct ps_entry *e = ps_get_or_add(s, producer_id);
	if (!e)
		return -ENOMEM;
	if (epoch > e->epoch) {
		e->epoch = epoch;
		e->nbatches = 0;
	}
	if (coordinator_epoch > e->coordinator_epoch)
		e->coordinator_epoch = coordinator_epoch;
	e->current_txn_first_offset = -1;
	e->last_timestamp = timestamp;
	return 0;
}

static int ps_record_epoch(struct producer_state *s, int64_t producer_id, int16_t epoch,
			   int64_t timestamp)
{
	struct ps_entry *e = ps_get_or_add(s, producer_id);
	if (!e)
		return -ENOMEM;
	if (epoch > e->epoch) {
		e->epoch = epoch;
		e->nbatches = 0;
	}
	e->last_timestamp = timestamp;
	return 0;
}

int ps_record_header(struct producer_state *s, const uint8_t *hdr, size_t avail)
{
	struct rb_header h;
	if (rb_parse_header(hdr, avail, &h) < 0 || h.producer_id < 0 ||
	    (h.attributes & RB_ATTR_CONTROL) || h.last_offset_delta < 0)
		return 0;
	/* Sequence -1 (transactional offset commits on __consumer_offsets)
	 * carries no sequence history, but its epoch still fences older ones. */
	if (h.base_sequence < 0)
		return ps_record_epoch(s, h.producer_id, h.producer_epoch, h.max_timestamp);
	/* sequences wrap like Kafka's: first + delta modulo 2^31 */
	int64_t last = (int64_t)h.base_sequence + h.last_offset_delta;
	int32_t last_seq = (int32_t)(last > INT32_MAX ? last - INT32_MAX - 1 : last);
	return ps_record(s, h.producer_id, h.producer_epoch, h.base_sequence, last_seq,
			 rb_last_offset(&h), h.last_offset_delta, h.max_timestamp);
}

/* ---- snapshot encoding ---- */

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)(v >> 16)); put16(p + 2, (uint16_t)v); }
static void put64(uint8_t *p, uint64_t v) { put32(p, (uint32_t)(v >> 32)); put32(p + 4, (uint32_t)v); }
static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t get32(const uint8_t *p) { return (uint32_t)get16(p) << 16 | get16(p + 2); }
static uint64_t get64(const uint8_t *p) { return (uint64_t)get32(p) << 32 | get32(p + 4); }

int ps_snapshot_encode(const struct producer_state *s, uint8_t **out, size_t *len)
{
	size_t n = PS_SNAPSHOT_HEADER_SIZE + s->n * PS_SNAPSHOT_ENTRY_SIZE;
	uint8_t *p = malloc(n);
	if (!p)
		return -ENOMEM;
	put16(p, PS_SNAPSHOT_VERSION);
	put32(p + 6, (uint32_t)s->n);
	uint8_t *q = p + PS_SNAPSHOT_HEADER_SIZE;
	for (size_t i = 0; i < s->n; i++, q += PS_SNAPSHOT_ENTRY_SIZE) {
		const struct ps_entry *e = &s->v[i];
		const struct ps_batch *b = e->nbatches ? &e->batches[e->nbatches - 1] : NULL;
		put64(q, (uint64_t)e->producer_id);
		put16(q + 8, (uint16_t)e->epoch);
		put32(q + 10, (uint32_t)(b ? b->last_seq : -1));
		put64(q + 14, (uint64_t)(b ? b->last_offset : -1));
		put32(q + 22, (uint32_t)(b ? b->offset_delta : 0));
		put64(q + 26, (uint64_t)(b ? b->timestamp : e->last_timestamp));
		put32(q + 34, (uint32_t)e->coordinator_epoch);
		put64(q + 38, (uint64_t)e->current_txn_first_offset);
	}
	put32(p + 2, crc32c(0, p + 6, n - 6));
	*out = p;
	*len = n;
	return 0;
}

int ps_snapshot_decode(const uint8_t *p, size_t len, struct producer_state *s)
{
	if (len < PS_SNAPSHOT_HEADER_SIZE || get16(p) != PS_SNAPSHOT_VERSION ||
	    get32(p + 2) != crc32c(0, p + 6, len - 6))
		return -EINVAL;
	uint32_t count = get32(p + 6);
	if ((len - PS_SNAPSHOT_HEADER_SIZE) % PS_SNAPSHOT_ENTRY_SIZE ||
	    count != (len - PS_SNAPSHOT_HEADER_SIZE) / PS_SNAPSHOT_ENTRY_SIZE)
		return -EINVAL;
	struct ps_entry *v = calloc((size_t)count + 1, sizeof *v);
	if (!v)
		return -ENOMEM;
	const uint8_t *q = p + PS_SNAPSHOT_HEADER_SIZE;
	for (uint32_t i = 0; i < count; i++, q += PS_SNAPSHOT_ENTRY_SIZE) {
		struct ps_entry *e = &v[i];
		e->producer_id = (int64_t)get64(q);
		e->epoch = (int16_t)get16(q + 8);
		int32_t last_seq = (int32_t)get32(q + 10);
		int64_t last_offset = (int64_t)get64(q + 14);
		int32_t delta = (int32_t)get32(q + 22);
		int64_t ts = (int64_t)get64(q + 26);
		e->coordinator_epoch = (int32_t)get32(q + 34);
		e->current_txn_first_offset = (int64_t)get64(q + 38);
		e->last_timestamp = ts;
		if (e->producer_id < 0 || (i > 0 && e->producer_id <= v[i - 1].producer_id) ||
		    delta < 0 || (last_seq >= 0 && last_offset < delta)) {
			free(v);
			return -EINVAL;
		}
		if (last_seq >= 0) {
			int64_t first = (int64_t)last_seq - delta;
			e->batches[0] = (struct ps_batch){
				(int32_t)(first < 0 ? first + INT32_MAX + 1 : first), last_seq,
				last_offset, delta, ts };
			e->nbatches = 1;
		}
	}
	free(s->v);
	s->v = v;
	s->n = count;
	s->cap = (size_t)count + 1;
	return 0;
}

/* ---- snapshot files ---- */

#define PS_SUFFIX ".snapshot"
#define PS_MAX_SNAPSHOT_BYTES (64u << 20)

/* Parses "<20 digits>.snapshot"; -1 if the name is anything else. */
static int64_t ps_parse_name(const char *name)
{
	size_t l = strlen(name);
	if (l != 20 + strlen(PS_SUFFIX) || strcmp(name + 20, PS_SUFFIX) != 0)
		return -1;
	int64_t v = 0;
	for (int i = 0; i < 20; i++) {
		if (name[i] < '0' || name[i] > '9' || v > (INT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (name[i] - '0');
	}
	return v;
}

static int ps_cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* Offsets of the snapshot files in dir, ascending; count or -errno. */
static int ps_list(const char *dir, int64_t **out)
{
	DIR *d = opendir(dir);
	if (!d)
		return -errno;
	int64_t *v = NULL;
	int n = 0, cap = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		int64_t off = ps_parse_name(de->d_name);
		if (off < 0)
			continue;
		if (n == cap) {
			int ncap = cap ? cap * 2 : 8;
			int64_t *nv = realloc(v, (size_t)ncap * sizeof *nv);
			if (!nv)
				break;
			v = nv;
			cap = ncap;
		}
		v[n++] = off;
	}
	closedir(d);
	if (n > 1)
		qsort(v, (size_t)n, sizeof *v, ps_cmp_i64);
	*out = v;
	return n;
}

static void ps_path(char *buf, size_t cap, const char *dir, int64_t offset, const char *ext)
{
	snprintf(buf, cap, "%s/%020" PRId64 "%s%s", dir, offset, PS_SUFFIX, ext);
}

static int ps_write_all(int fd, const uint8_t *p, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? -errno : -EIO;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

int ps_snapshot_write(const char *dir, int64_t offset, const struct producer_state *s,
		      int durable)
{
	uint8_t *buf;
	size_t len;
	int rc = ps_snapshot_encode(s, &buf, &len);
	if (rc < 0)
		return rc;
	char tmp[4096], path[4096];
	ps_path(tmp, sizeof tmp, dir, offset, ".tmp");
	ps_path(path, sizeof path, dir, offset, "");
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		free(buf);
		return -errno;
	}
	rc = ps_write_all(fd, buf, len);
	free(buf);
	if (rc == 0 && durable && fsync(fd) < 0)
		rc = -errno;
	close(fd);
	if (rc == 0 && rename(tmp, path) < 0)
		rc = -errno;
	if (rc < 0) {
		unlink(tmp);
		return rc;
	}
	if (!durable)
		return 0;
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
}

/* Reads one snapshot file into *s; 0 or -errno / -EINVAL. */
static int ps_read_file(const char *path, struct producer_state *s)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	struct stat st;
	if (fstat(fd, &st) < 0 || st.st_size < PS_SNAPSHOT_HEADER_SIZE ||
	    (uint64_t)st.st_size > PS_MAX_SNAPSHOT_BYTES) {
		close(fd);
		return -EINVAL;
	}
	size_t len = (size_t)st.st_size, got = 0;
	uint8_t *buf = malloc(len);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	while (got < len) {
		ssize_t r = read(fd, buf + got, len - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	int rc = got == len ? ps_snapshot_decode(buf, len, s) : -EIO;
	free(buf);
	return rc;
}

int64_t ps_snapshot_load(const char *dir, int64_t max_offset, struct producer_state *s)
{
	int64_t *offs = NULL;
	int n = ps_list(dir, &offs);
	ps_clear(s);
	for (int i = n - 1; i >= 0; i--) {
		if (offs[i] > max_offset)
			continue;
		char path[4096];
		ps_path(path, sizeof path, dir, offs[i], "");
		int rc = ps_read_file(path, s);
		if (rc == 0) {
			int64_t off = offs[i];
			free(offs);
			return off;
		}
		log_warn("txn", "ignoring unreadable producer snapshot %s: %s", path,
			 strerror(-rc));
	}
	free(offs);
	ps_clear(s);
	return -1;
}

int ps_snapshot_delete_above(const char *dir, int64_t max_offset)
{
	int64_t *offs = NULL;
	int n = ps_list(dir, &offs), deleted = 0;
	for (int i = 0; i < n; i++) {
		if (offs[i] <= max_offset)
			continue;
		char path[4096];
		ps_path(path, sizeof path, dir, offs[i], "");
		deleted += unlink(path) == 0;
	}
	free(offs);
	return deleted;
}

void ps_snapshot_retain(const char *dir, int keep)
{
	int64_t *offs = NULL;
	int n = ps_list(dir, &offs);
	for (int i = 0; i < n - keep; i++) {
		char path[4096];
		ps_path(path, sizeof path, dir, offs[i], "");
		unlink(path);
	}
	free(offs);
}

/* ---- invariants (ps_check_state) ---- */

static int ps_bad(const struct ps_entry *e, const char *what, int i)
{
	log_error("producer_state", "producer %" PRId64 ": invariant broken: %s (batch %d)",
		  e ? e->producer_id : -1, what, i);
	return -1;
}

static int ps_check_entry(const struct ps_entry *e)
{
	if (e->nbatches < 0 || e->nbatches > PS_WINDOW)
		return ps_bad(e, "window size", e->nbatches);
	for (int i = 0; i < e->nbatches; i++) {
		const struct ps_batch *b = &e->batches[i];
		int64_t span = (int64_t)b->last_seq - b->first_seq;
		if (span < 0)
			span += (int64_t)INT32_MAX + 1; /* wrapped */
		if (b->first_seq < 0 || b->last_seq < 0 || span != b->offset_delta)
			return ps_bad(e, "sequences do not span the batch's offsets", i);
		if (i == 0)
			continue;
		const struct ps_batch *p = &e->batches[i - 1];
		if (b->last_offset <= p->last_offset)
			return ps_bad(e, "last offsets not increasing", i);
		if (!ps_in_sequence(p->last_seq, b->first_seq))
			return ps_bad(e, "sequences not contiguous", i);
	}
	return 0;
}

int ps_check_state(const struct producer_state *s)
{
	for (size_t i = 0; i < s->n; i++) {
		if (i && s->v[i].producer_id <= s->v[i - 1].producer_id)
			return ps_bad(&s->v[i], "entries not sorted by producer id", (int)i);
		if (ps_check_entry(&s->v[i]))
			return -1;
	}
	return 0;
}
