/* Producer state manager: recovery by snapshot + header replay, the
 * per-log registry, periodic snapshots (see producer_state_manager.h). */
#include "broker/txn/producer_state_manager.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "broker/storage/log.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/proto/kerr.h"
#include "common/strmap.h"

#define PSM_KEEP_SNAPSHOTS 3


/* Bytes of a batch read during replay: the header and the first record of
 * a control batch (the marker's type and coordinator epoch). */
#define PSM_REPLAY_BYTES (RB_HEADER_SIZE + 64)

/* A marker of the producer ended (or fenced) its transaction here: a
 * verification asked before it may describe that transaction, not the
 * next, so its guard goes. */
static void psm_guards_void(struct producer_state_manager *m, int64_t producer_id)
{
	for (size_t i = 0; i < m->nguards;)
		if (m->guards[i].producer_id == producer_id)
			m->guards[i] = m->guards[--m->nguards];
		else
			i++;
}

/* Feeds one batch (header, and the marker record of a control batch) to
 * the transaction tracker and, when ps_too, to the producer state. */
static int psm_feed(struct producer_state_manager *m, const uint8_t *b, size_t avail, int ps_too)
{
	struct rb_header h;
	if (rb_parse_header(b, avail, &h) < 0 || h.producer_id < 0)
		return 0;
	if (h.attributes & RB_ATTR_CONTROL) {
		int32_t cepoch;
		int type = txn_marker_parse(b, avail, &cepoch);
		if (type < 0)
			return 0;
		psm_guards_void(m, h.producer_id);
		if (tt_on_marker(&m->txns, h.producer_id, h.base_offset, type) == -ENOMEM)
			return -ENOMEM;
		m->fed_since_snapshot += ps_too;
		return ps_too ? ps_record_marker(&m->state, h.producer_id, h.producer_epoch,
						 cepoch, h.max_timestamp) : 0;
	}
	if ((h.attributes & RB_ATTR_TRANSACTIONAL) &&
	    tt_on_data(&m->txns, h.producer_id, h.base_offset) < 0)
		return -ENOMEM;
	if (!ps_too)
		return 0;
	m->fed_since_snapshot++;
	if (ps_record_header(&m->state, b, avail) < 0)
		return -ENOMEM;
	struct ps_entry *e = ps_lookup(&m->state, h.producer_id);
	if (e)
		e->current_txn_first_offset = tt_open_first(&m->txns, h.producer_id);
	return 0;
}

/* Reads the batches in one slice (header + marker record) and records
 * them; the producer state only from ps_from on (below it the snapshot
 * holds it). Returns the offset after the last whole batch read, or -errno. */
static int64_t psm_replay_slice(struct producer_state_manager *m, const struct log_slice *sl,
				int64_t ps_from, int64_t *nbatches)
{
	int64_t pos = sl->pos, end = sl->pos + sl->len, next = -1;
	uint8_t hdr[PSM_REPLAY_BYTES];
	while (end - pos >= RB_HEADER_SIZE) {
		size_t want = end - pos < (int64_t)sizeof hdr ? (size_t)(end - pos) : sizeof hdr;
		ssize_t r = pread(sl->fd, hdr, want, pos);
		if (r < RB_HEADER_SIZE)
			return r < 0 ? -errno : -EIO;
		int64_t size = rb_total_size(hdr, (size_t)r);
		if (size < RB_HEADER_SIZE || size > end - pos)
			break;
		size_t avail = (size_t)r < (uint64_t)size ? (size_t)r : (size_t)size;
		struct rb_header h;
		rb_parse_header(hdr, avail, &h);
		if (psm_feed(m, hdr, avail, h.base_offset >= ps_from) < 0)
			return -ENOMEM;
		next = rb_last_offset(&h) + 1;
		pos += size;
		(*nbatches)++;
	}
	return next;
}

int64_t psm_rebuild(struct producer_state_manager *m)
{
	struct partition_log *log = m->log;
	int64_t leo = log_end_offset(log), start = log_start_offset(log);
	m->leo_seen = leo; /* also after a failed replay: no rebuild loop */
	int64_t snap = ps_snapshot_load(log_dir(log), leo, &m->state);
	m->snapshot_offset = snap;
	m->fed_since_snapshot = 0; /* the replay counts what follows snap */
	/* transactions need the whole log (the aborted index is kept in memory
	 * only); the producer state only what follows its snapshot. A snapshot
	 * below the log start (retention moved on) still holds valid producers. */
	int64_t ps_from = snap < start ? start : snap;
	int64_t from = start;
	tt_clear(&m->txns);
	m->nguards = 0; /* the state may have lost or gained markers */
	int64_t n = 0;
	/* each round consumes at least one batch of one segment */
	for (int64_t rounds = 0; from < leo && rounds < (int64_t)1 << 40; rounds++) {
		struct log_slice sl;
		int rc = log_read(log, from, INT32_MAX, leo, &sl);
		if (rc < 0)
			return rc;
		if (sl.len == 0)
			break;
		int64_t next = psm_replay_slice(m, &sl, ps_from, &n);
		if (next < 0)
			return next;
		if (next <= from)
			break; /* no progress: a malformed slice */
		from = next;
	}
	for (size_t i = 0; i < m->state.n; i++)
		m->state.v[i].current_txn_first_offset =
			tt_open_first(&m->txns, m->state.v[i].producer_id);
	return n;
}

/* FNV-1a: spreads the logs' snapshot phases over the interval. */
static uint32_t dir_hash(const char *dir)
{
	uint32_t h = 2166136261u;
	for (const unsigned char *c = (const unsigned char *)dir; *c; c++)
		h = (h ^ *c) * 16777619u;
	return h;
}

struct producer_state_manager *psm_open(struct partition_log *log)
{
	struct producer_state_manager *m = calloc(1, sizeof *m);
	if (!m)
		return NULL;
	m->log = log;
	ps_init(&m->state);
	tt_init(&m->txns);
	m->last_tick_ms = clock_mono_ms();
	m->phase = dir_hash(log_dir(log));
	/* Snapshots above the recovered end describe batches that a crash
	 * lost: once the log grows past them again with other batches they
	 * would be believed, so they go now (as Kafka removes stray ones). */
	int stray = ps_snapshot_delete_above(log_dir(log), log_end_offset(log));
	if (stray > 0)
		log_warn("txn", "%s: %d producer snapshot(s) above the log end %lld removed",
			 log_dir(log), stray, (long long)log_end_offset(log));
	int64_t n = psm_rebuild(m);
	if (n < 0)
		log_warn("txn", "%s: producer state replay stopped: %s", log_dir(log),
			 strerror((int)-n));
	else if (m->state.n > 0)
		log_info("txn", "%s: %zu producer(s) from snapshot at %lld + %lld batch(es)",
			 log_dir(log), m->state.n, (long long)m->snapshot_offset, (long long)n);
	return m;
}

static void psm_snapshot(struct producer_state_manager *m, int durable)
{
	int64_t leo = log_end_offset(m->log);
	int rc = ps_snapshot_write(log_dir(m->log), leo, &m->state, durable);
	if (rc < 0) {
		log_warn("txn", "%s: cannot write producer snapshot: %s", log_dir(m->log),
			 strerror(-rc));
		return;
	}
	m->snapshot_offset = leo;
	m->fed_since_snapshot = 0;
	ps_snapshot_retain(log_dir(m->log), PSM_KEEP_SNAPSHOTS);
}

void psm_close(struct producer_state_manager *m, int clean)
{
	if (!m)
		return;
	if (clean && m->snapshot_offset != log_end_offset(m->log))
		psm_snapshot(m, 1);
	free(m->guards);
	ps_free(&m->state);
	tt_free(&m->txns);
	free(m);
}

int16_t psm_check(const struct producer_state_manager *m, const struct rb_header *h,
		  int *dup, int64_t *dup_base_offset)
{
	int64_t last = (int64_t)h->base_sequence + h->last_offset_delta;
	int32_t last_seq = (int32_t)(last > INT32_MAX ? last - INT32_MAX - 1 : last);
	int16_t kerr = ps_check(&m->state, h->producer_id, h->producer_epoch, h->base_sequence,
				last_seq, dup, dup_base_offset);
	/* Kafka: a producer with an open transaction writes transactionally */
	if (!kerr && !*dup && !(h->attributes & RB_ATTR_TRANSACTIONAL) &&
	    tt_open_first(&m->txns, h->producer_id) >= 0)
		return KERR_INVALID_TXN_STATE;
	return kerr;
}

void psm_on_append(struct producer_state_manager *m, const uint8_t *batches, size_t len)
{
	size_t pos = 0;
	while (len - pos >= RB_HEADER_SIZE) {
		int64_t size = rb_total_size(batches + pos, len - pos);
		if (size < RB_HEADER_SIZE || (uint64_t)size > len - pos)
			break;
		if (psm_feed(m, batches + pos, (size_t)size, 1) < 0)
			log_error("txn", "%s: out of memory recording a batch", log_dir(m->log));
		pos += (size_t)size;
	}
	m->leo_seen = log_end_offset(m->log);
}

int16_t psm_check_produce(struct producer_state_manager *m, const struct rb_header *h,
			  int *dup, int64_t *dup_base_offset)
{
	*dup = 0;
	if (!m || h->producer_id < 0)
		return 0;
	int16_t kerr = psm_check(m, h, dup, dup_base_offset);
	/* rare (a resend after a lost answer): worth a line each */
	if (*dup)
		log_info_rl("txn", "%s: producer %lld epoch %d resent sequence %d: duplicate of "
			 "offset %lld, not appended", log_dir(m->log), (long long)h->producer_id,
			 h->producer_epoch, h->base_sequence, (long long)*dup_base_offset);
	else if (kerr)
		log_info_rl("txn", "%s: producer %lld epoch %d sequence %d refused: error %d",
			 log_dir(m->log), (long long)h->producer_id, h->producer_epoch,
			 h->base_sequence, kerr);
	return kerr;
}

void psm_on_truncate(struct producer_state_manager *m)
{
	int64_t leo = log_end_offset(m->log);
	int d = ps_snapshot_delete_above(log_dir(m->log), leo);
	int64_t n = psm_rebuild(m);
	log_info("txn", "%s: truncated to %lld: %d snapshot(s) dropped, producer state "
		 "rebuilt (%zu producer(s), %lld batch(es) replayed)", log_dir(m->log),
		 (long long)leo, d, m->state.n, (long long)n);
}

/* The periodic snapshot bounds replay after a crash; it is written without
 * fsync (two per partition every interval, all on the loop thread, were a
 * burst of thousands of fsyncs with many partitions), and an empty log
 * (nothing to replay) gets none, nor a log that got no batch with a
 * producer id since its newest snapshot: that snapshot plus the replay
 * gives the same state (the replay reads every batch header of the log
 * anyway, for the transaction index), and a file created per partition
 * and interval under plain producers was 13 % of the brokers' CPU over
 * 1,000 partitions (ext4's inode allocation after many deletions). It is due when a tick passes this log's
 * boundary (now + phase a multiple of the interval): with one common
 * boundary, every partition of a topic produced to at once wrote its file in
 * the same tick, every interval (1,000 file creations per broker at once
 * over 1,000 partitions). */
void psm_tick(struct producer_state_manager *m, int64_t now_ms, int64_t interval_ms)
{
	int64_t phase = interval_ms > 0 ? (int64_t)(m->phase % (uint64_t)interval_ms) : 0;
	int64_t prev = m->last_tick_ms;
	m->last_tick_ms = now_ms;
	if (interval_ms <= 0 || (now_ms + phase) / interval_ms == (prev + phase) / interval_ms)
		return; /* no boundary of this log's in (prev, now] */
	int64_t leo = log_end_offset(m->log);
	if (m->snapshot_offset == leo || leo == 0 || m->fed_since_snapshot == 0)
		return;
	psm_snapshot(m, 0);
}

/* ---- transactions ---- */

int64_t psm_lso(struct producer_state_manager *m, int64_t hw)
{
	if (!m)
		return hw;
	return tt_lso(&m->txns, hw);
}

size_t psm_aborted(struct producer_state_manager *m, int64_t from, int64_t upper,
		   struct txn_aborted *out, size_t max)
{
	if (!m)
		return 0;
	tt_prune(&m->txns, log_start_offset(m->log));
	return tt_aborted(&m->txns, from, upper, out, max);
}

int16_t psm_check_marker(struct producer_state_manager *m, int64_t producer_id, int16_t epoch,
			 int32_t coordinator_epoch)
{
	if (!m)
		return 0;
	const struct ps_entry *e = ps_find(&m->state, producer_id);
	if (!e)
		return 0;
	if (e->coordinator_epoch > coordinator_epoch)
		return KERR_TRANSACTION_COORDINATOR_FENCED;
	if (epoch < e->epoch)
		return KERR_INVALID_PRODUCER_EPOCH;
	return 0;
}

/* ---- produce-time verification ---- */

int psm_txn_open_at(struct producer_state_manager *m, int64_t producer_id, int16_t epoch)
{
	if (!m)
		return 0;
	const struct ps_entry *e = ps_find(&m->state, producer_id);
	return e && e->epoch == epoch && tt_open_first(&m->txns, producer_id) >= 0;
}

uint64_t psm_verify_begin(struct producer_state_manager *m, int64_t producer_id)
{
	/* process-wide on purpose: a token is never handed out twice, even by
	 * a manager allocated where a freed one was (txn_verify.c compares
	 * the manager's address and the token); atomic, so that the loop
	 * threads of two brokers in one process may both take tokens */
	static _Atomic uint64_t next_token = 1;
	if (!m)
		return PSM_GUARD_NONE;
	if (m->nguards == m->capguards) {
		size_t cap = m->capguards ? 2 * m->capguards : 8;
		struct psm_guard *v = realloc(m->guards, cap * sizeof *v);
		if (!v)
			return PSM_GUARD_VOID;
		m->guards = v;
		m->capguards = cap;
	}
	uint64_t token = atomic_fetch_add(&next_token, 1);
	m->guards[m->nguards++] = (struct psm_guard){ producer_id, token };
	return token;
}

int psm_verify_valid(struct producer_state_manager *m, int64_t producer_id, uint64_t guard)
{
	if (!m || guard == PSM_GUARD_NONE)
		return !m && guard == PSM_GUARD_NONE;
	for (size_t i = 0; i < m->nguards; i++)
		if (m->guards[i].producer_id == producer_id && m->guards[i].token == guard)
			return 1;
	return 0;
}

void psm_verify_end(struct producer_state_manager *m, int64_t producer_id, uint64_t guard)
{
	for (size_t i = 0; m && i < m->nguards; i++)
		if (m->guards[i].producer_id == producer_id && m->guards[i].token == guard) {
			m->guards[i] = m->guards[--m->nguards];
			return;
		}
}
