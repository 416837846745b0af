/* Per-partition open transactions and aborted index (see txn_tracker.h). */
#include "broker/txn/txn_tracker.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "broker/storage/log.h"
#include "common/log.h"
#include "common/proto/record_batch.h"

void tt_init(struct txn_tracker *t)
{
	memset(t, 0, sizeof *t);
}

void tt_free(struct txn_tracker *t)
{
	free(t->open);
	free(t->ab);
	tt_init(t);
}

int tt_attach_log(struct txn_tracker *t, struct partition_log *log)
{
	for (size_t i = 0; i < t->nab; i++) {
		const struct txn_aborted *a = &t->ab[i];
		if (a->last_offset < log_start_offset(log))
			continue;
		struct txn_index_entry e = { a->producer_id, a->first_offset, a->last_offset,
					     a->last_stable_offset };
		int rc = log_txn_index_append(log, &e);
		if (rc < 0) {
			log_error("txn", "%s: cannot write aborted transaction at %lld to "
				  "its .txnindex: %s", log_dir(log), (long long)a->last_offset,
				  strerror(-rc));
			return rc;
		}
	}
	free(t->ab);
	t->ab = NULL;
	t->nab = t->capab = 0;
	t->log = log;
	return 0;
}

void tt_clear(struct txn_tracker *t)
{
	t->nopen = 0;
	t->nab = 0;
}

static ssize_t open_index(const struct txn_tracker *t, int64_t pid)
{
	for (size_t i = 0; i < t->nopen; i++)
		if (t->open[i].producer_id == pid)
			return (ssize_t)i;
	return -1;
}

int tt_on_data(struct txn_tracker *t, int64_t pid, int64_t base_offset)
{
	if (open_index(t, pid) >= 0)
		return 0;
	if (t->nopen == t->capopen) {
		size_t cap = t->capopen ? t->capopen * 2 : 4;
		struct txn_open *v = realloc(t->open, cap * sizeof *v);
		if (!v)
			return -ENOMEM;
		t->open = v;
		t->capopen = cap;
	}
	t->open[t->nopen++] = (struct txn_open){ pid, base_offset };
	return 0;
}

static int ab_push(struct txn_tracker *t, struct txn_aborted a)
{
	if (t->nab && t->ab[t->nab - 1].last_offset >= a.last_offset)
		return 0; /* replayed twice: keep the index in log order */
	if (t->nab == t->capab) {
		size_t cap = t->capab ? t->capab * 2 : 8;
		struct txn_aborted *v = realloc(t->ab, cap * sizeof *v);
		if (!v)
			return -ENOMEM;
		t->ab = v;
		t->capab = cap;
	}
	t->ab[t->nab++] = a;
	return 0;
}

/* Kafka's ProducerStateManager.lastStableOffset(completedTxn), with the
 * completed transaction already removed from the open list. */
static int64_t lso_after(const struct txn_tracker *t, int64_t marker)
{
	int64_t lso = marker + 1;
	for (size_t i = 0; i < t->nopen; i++)
		if (t->open[i].first_offset < lso)
			lso = t->open[i].first_offset;
	return lso;
}

static int index_abort(struct txn_tracker *t, const struct txn_aborted *a)
{
	if (!t->log)
		return ab_push(t, *a);
	struct txn_index_entry e = { a->producer_id, a->first_offset, a->last_offset,
				     a->last_stable_offset };
	int rc = log_txn_index_append(t->log, &e);
	if (rc < 0) {
		log_error("txn", "%s: aborted transaction of producer %lld at %lld not "
			  "indexed: %s", log_dir(t->log), (long long)a->producer_id,
			  (long long)a->last_offset, strerror(-rc));
		return rc == -ENOMEM ? rc : -EIO;
	}
	return 0;
}

int64_t tt_on_marker(struct txn_tracker *t, int64_t pid, int64_t offset, int type)
{
	ssize_t i = open_index(t, pid);
	if (i < 0)
		return -1;
	int64_t first = t->open[i].first_offset;
	t->open[i] = t->open[--t->nopen];
	if (type == TXN_MARKER_ABORT) {
		struct txn_aborted a = { pid, first, offset, lso_after(t, offset) };
		int rc = index_abort(t, &a);
		if (rc < 0)
			return rc;
	}
	return first;
}

int64_t tt_open_first(const struct txn_tracker *t, int64_t pid)
{
	ssize_t i = open_index(t, pid);
	return i < 0 ? -1 : t->open[i].first_offset;
}

int64_t tt_lso(const struct txn_tracker *t, int64_t hw)
{
	int64_t lso = hw;
	for (size_t i = 0; i < t->nopen; i++)
		if (t->open[i].first_offset < lso)
			lso = t->open[i].first_offset;
	return lso;
}

static size_t aborted_from_log(const struct txn_tracker *t, int64_t from, int64_t upper,
			       struct txn_aborted *out, size_t max)
{
	if (max == 0)
		return 0;
	struct txn_index_entry *tmp = calloc(max, sizeof *tmp);
	if (!tmp) {
		log_error("txn", "%s: out of memory reading aborted transactions",
			  log_dir(t->log));
		return 0;
	}
	int64_t n = log_txn_aborted(t->log, from, upper, tmp, max);
	if (n < 0) {
		log_error("txn", "%s: cannot read the transaction index: %s", log_dir(t->log),
			  strerror((int)-n));
		n = 0;
	}
	for (int64_t i = 0; i < n; i++)
		out[i] = (struct txn_aborted){ tmp[i].producer_id, tmp[i].first_offset,
					       tmp[i].last_offset, tmp[i].last_stable_offset };
	free(tmp);
	return (size_t)n;
}

size_t tt_aborted(const struct txn_tracker *t, int64_t from, int64_t upper,
		  struct txn_aborted *out, size_t max)
{
	if (t->log)
		return aborted_from_log(t, from, upper, out, max);
	/* first entry with last_offset >= from (entries sorted by it) */
	size_t lo = 0, hi = t->nab;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (t->ab[mid].last_offset < from)
			lo = mid + 1;
		else
			hi = mid;
	}
	size_t n = 0;
	for (size_t i = lo; i < t->nab && n < max; i++)
		if (t->ab[i].first_offset < upper)
			out[n++] = t->ab[i];
	return n;
}

void tt_prune(struct txn_tracker *t, int64_t log_start)
{
	size_t k = 0;
	if (t->log)
		return;
	while (k < t->nab && t->ab[k].last_offset < log_start)
		k++;
	if (k) {
		memmove(t->ab, t->ab + k, (t->nab - k) * sizeof *t->ab);
		t->nab -= k;
	}
}

/* Zigzag varint of a record; -1 when it runs past end or is too long. */
static int read_varint(const uint8_t **p, const uint8_t *end, int64_t *out)
{
	uint64_t v = 0;
	for (int shift = 0; shift < 64; shift += 7) {
		if (*p >= end)
			return -1;
		uint8_t b = *(*p)++;
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*out = (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
			return 0;
		}
	}
	return -1;
}

int txn_marker_parse(const uint8_t *batch, size_t avail, int32_t *coordinator_epoch)
{
	struct rb_header h;
	*coordinator_epoch = -1;
	if (rb_parse_header(batch, avail, &h) < 0 || !(h.attributes & RB_ATTR_CONTROL) ||
	    (h.attributes & RB_ATTR_COMPRESSION_MASK) || h.records_count < 1)
		return -1;
	int64_t total = rb_total_size(batch, avail);
	const uint8_t *p = batch + RB_HEADER_SIZE;
	const uint8_t *end = batch + (total > 0 && (uint64_t)total < avail ? (size_t)total : avail);
	int64_t len, ts, od, klen, vlen;
	if (read_varint(&p, end, &len) < 0 || p >= end)
		return -1;
	p++; /* record attributes */
	if (read_varint(&p, end, &ts) < 0 || read_varint(&p, end, &od) < 0 ||
	    read_varint(&p, end, &klen) < 0 || klen < 4 || end - p < klen)
		return -1;
	int16_t version = (int16_t)(p[0] << 8 | p[1]);
	int16_t type = (int16_t)(p[2] << 8 | p[3]);
	if (version != 0 || (type != TXN_MARKER_ABORT && type != TXN_MARKER_COMMIT))
		return -1;
	p += klen;
	if (read_varint(&p, end, &vlen) == 0 && vlen >= 6 && end - p >= 6)
		*coordinator_epoch = (int32_t)((uint32_t)p[2] << 24 | (uint32_t)p[3] << 16 |
					       (uint32_t)p[4] << 8 | p[5]);
	return type;
}

int txn_marker_build(int64_t producer_id, int16_t epoch, int type, int32_t coordinator_epoch,
		     int64_t now_ms, uint8_t **out, size_t *len)
{
	uint8_t key[4] = { 0, 0, 0, (uint8_t)type };
	uint8_t val[6] = { 0, 0, (uint8_t)(coordinator_epoch >> 24),
			   (uint8_t)(coordinator_epoch >> 16), (uint8_t)(coordinator_epoch >> 8),
			   (uint8_t)coordinator_epoch };
	struct rb_build_record r = { key, 4, val, 6 };
	size_t cap = RB_HEADER_SIZE + 64;
	uint8_t *buf = malloc(cap);
	if (!buf)
		return -ENOMEM;
	int64_t n = rb_build(buf, cap, &r, 1, now_ms, RB_ATTR_CONTROL | RB_ATTR_TRANSACTIONAL,
			     producer_id, epoch, -1);
	if (n < 0) {
		free(buf);
		return -ENOMEM;
	}
	*out = buf;
	*len = (size_t)n;
	return 0;
}
