/* __transaction_state for the transaction coordinator: Kafka's record
 * formats (TransactionLogKey v0, TransactionLogValue v0), persisting state
 * changes with acks=all appends, and loading a partition on leadership
 * from its log (replayed stepwise by broker/internal_topic.c). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "broker/broker.h"
#include "broker/replica/replica_manager.h"
#include "broker/txn/tc_int.h"
#include "common/log.h"
#include "common/proto/codec.h"
#include "common/proto/kerr.h"
#include "common/proto/messages.h"
#include "common/proto/record_batch.h"

#define TC_APPEND_TIMEOUT_MS 5000

/* ---- records in memory ---- */

void tc_rec_free(struct txn_rec *r)
{
	for (int i = 0; i < r->ntps; i++)
		free((char *)r->tps[i].topic);
	free(r->tps);
	r->tps = NULL;
	r->ntps = 0;
}

int tc_rec_add_tp(struct txn_rec *r, const char *topic, int32_t partition)
{
	for (int i = 0; i < r->ntps; i++)
		if (r->tps[i].partition == partition && strcmp(r->tps[i].topic, topic) == 0)
			return 0;
	struct tc_tp *v = realloc(r->tps, ((size_t)r->ntps + 1) * sizeof *v);
	if (!v)
		return -ENOMEM;
	r->tps = v;
	char *t = strdup(topic);
	if (!t)
		return -ENOMEM;
	r->tps[r->ntps++] = (struct tc_tp){ t, partition };
	return 0;
}

int tc_rec_copy(struct txn_rec *dst, const struct txn_rec *src)
{
	*dst = *src;
	dst->tps = NULL;
	dst->ntps = 0;
	for (int i = 0; i < src->ntps; i++)
		if (tc_rec_add_tp(dst, src->tps[i].topic, src->tps[i].partition) < 0) {
			tc_rec_free(dst);
			return -ENOMEM;
		}
	return 0;
}

/* ---- encoding ---- */

static int encode_key(const char *id, struct kout *w)
{
	struct transaction_log_key k = { { id, (int32_t)strlen(id) } };
	return kcodec_encode_versioned(&transaction_log_key_msg, TRANSACTION_LOG_KEY_VERSION, &k, w);
}

/* Kafka groups the partitions by topic. */
static int encode_value(const struct txn_rec *r, struct kout *w)
{
	struct transaction_log_partitions *tv = calloc((size_t)r->ntps + 1, sizeof *tv);
	int32_t *ids = calloc((size_t)r->ntps + 1, sizeof *ids);
	int nt = 0, rc = -ENOMEM;
	if (!tv || !ids)
		goto out;
	for (int i = 0; i < r->ntps; i++) {
		int t = 0;
		while (t < nt && strcmp(tv[t].topic.p, r->tps[i].topic) != 0)
			t++;
		if (t == nt)
			tv[nt++].topic = (struct kstr){ r->tps[i].topic, (int32_t)strlen(r->tps[i].topic) };
	}
	/* partition ids of topic t are contiguous in ids */
	int pos = 0;
	for (int t = 0; t < nt; t++) {
		int start = pos;
		for (int i = 0; i < r->ntps; i++)
			if (strcmp(tv[t].topic.p, r->tps[i].topic) == 0)
				ids[pos++] = r->tps[i].partition;
		tv[t].partition_ids = (struct karray){ pos - start, ids + start };
	}
	struct transaction_log_value v = {
		.producer_id = r->pid,
		.producer_epoch = r->epoch,
		.transaction_timeout_ms = r->timeout_ms,
		.transaction_status = (int8_t)r->status,
		.transaction_partitions = { nt, tv },
		.transaction_last_update_timestamp_ms = r->update_ts,
		.transaction_start_timestamp_ms = r->start_ts,
	};
	rc = kcodec_encode_versioned(&transaction_log_value_msg, TRANSACTION_LOG_VALUE_VERSION, &v, w);
out:
	free(tv);
	free(ids);
	return rc;
}

/* r == NULL: a tombstone (null value) stamped at ts. */
static int build_batch(const char *id, const struct txn_rec *r, int64_t ts, uint8_t **out,
		       size_t *len)
{
	struct kout k, v;
	kout_init(&k);
	kout_init(&v);
	int rc = -ENOMEM;
	if (encode_key(id, &k) == 0 && (!r || encode_value(r, &v) == 0)) {
		struct rb_build_record rec = { k.buf, (int32_t)k.len, r ? v.buf : NULL,
					       r ? (int32_t)v.len : -1 };
		size_t cap = RB_HEADER_SIZE + k.len + v.len + 64;
		uint8_t *buf = malloc(cap);
		int64_t n = buf ? rb_build(buf, cap, &rec, 1, ts, 0, -1, -1, -1) : -1;
		if (n >= 0) {
			*out = buf;
			*len = (size_t)n;
			rc = 0;
		} else {
			free(buf);
		}
	}
	kout_free(&k);
	kout_free(&v);
	return rc;
}

/* ---- writes ---- */

struct write_ctx {
	struct txn_coordinator *tc;
	int32_t part, epoch;
	char *id;
	struct txn_rec rec;
	int tombstone;
	tc_write_fn done;
	void *arg;
};

static int16_t client_error(int16_t kerr)
{
	switch (kerr) {
	case 0:
		return 0;
	case KERR_NOT_LEADER_OR_FOLLOWER:
		return KERR_NOT_COORDINATOR;
	default: /* not enough replicas, timeouts, storage: retriable for the client */
		return KERR_COORDINATOR_NOT_AVAILABLE;
	}
}

/* This broker still leads partition part of the state topic. */
static int tc_still_leads(struct txn_coordinator *tc, int32_t part)
{
	struct partition *p = rm_get(tc->b->rm, TC_TOPIC, (int32_t)strlen(TC_TOPIC), part);
	return p && p->is_leader;
}

static void on_written(void *arg, int16_t kerr, int64_t base_offset)
{
	(void)base_offset;
	struct write_ctx *c = arg;
	struct txn_meta *m = tc_lookup(c->tc, c->part, c->epoch, c->id);
	int16_t err = client_error(kerr);
	/* NOT_LEADER_OR_FOLLOWER while the partition is still loaded at the
	 * coordinator epoch the write began with and still led here: a new
	 * leader epoch of this same leader (the controller shrank the ISR for a
	 * broker's controlled shutdown) ended the append's wait, coordination
	 * was not lost (on_leadership keeps the state). Retriable like any
	 * unavailability: taken as NOT_COORDINATOR, a Complete* write was never
	 * retried and the transaction stayed Prepare* until the next load, every
	 * InitProducerId of its id answered CONCURRENT_TRANSACTIONS meanwhile
	 * (seen in the txn-check 'delay' drill). */
	if (m && kerr == KERR_NOT_LEADER_OR_FOLLOWER && tc_still_leads(c->tc, c->part))
		err = KERR_COORDINATOR_NOT_AVAILABLE;
	if (!m) {
		err = KERR_NOT_COORDINATOR;
	} else if (c->tombstone && !err) {
		/* pending kept every other change out: the tombstone is the latest */
		log_info_rl("txn", "%s: transactional id expired (tombstone written)",
			    log_esc(c->id));
		strmap_del(&c->tc->parts[c->part].txns, c->id, strlen(c->id));
		tc_meta_free(m);
		m = NULL;
	} else {
		m->pending = 0;
		if (!err) {
			tc_rec_free(&m->cur);
			m->cur = c->rec;
			c->rec.tps = NULL;
			c->rec.ntps = 0;
		} else {
			log_warn_rl("txn", "%s: writing state %s failed: %d", log_esc(c->id),
				 txn_status_name(c->rec.status), kerr);
		}
	}
	c->done(c->tc, m, err, c->arg);
	tc_rec_free(&c->rec);
	free(c->id);
	free(c);
}

static void write_record(struct txn_coordinator *tc, struct txn_meta *m, struct txn_rec *rec,
			 int tombstone, tc_write_fn done, void *arg)
{
	struct write_ctx *c = calloc(1, sizeof *c);
	uint8_t *batch = NULL;
	size_t len = 0;
	if (!c || !(c->id = strdup(m->id)) ||
	    build_batch(m->id, tombstone ? NULL : rec, tombstone ? tc_wall() : rec->update_ts,
			&batch, &len) < 0) {
		if (c)
			free(c->id);
		free(c);
		tc_rec_free(rec);
		done(tc, m, KERR_COORDINATOR_NOT_AVAILABLE, arg);
		return;
	}
	c->tc = tc;
	c->part = m->part;
	c->epoch = tc->parts[m->part].epoch;
	c->rec = *rec;
	c->tombstone = tombstone;
	c->done = done;
	c->arg = arg;
	m->pending = 1;
	struct partition *p = rm_get(tc->b->rm, TC_TOPIC, (int32_t)strlen(TC_TOPIC), m->part);
	int32_t min_isr = tc->b->cfg->transaction_state_log_min_isr;
	if (p && min_isr > p->nreplicas)
		min_isr = p->nreplicas; /* capped like the topic's creation */
	rm_append_internal(tc->b->rm, TC_TOPIC, m->part, batch, len, min_isr,
			   TC_APPEND_TIMEOUT_MS, on_written, c);
	free(batch);
}

void tc_write(struct txn_coordinator *tc, struct txn_meta *m, struct txn_rec *rec,
	      tc_write_fn done, void *arg)
{
	write_record(tc, m, rec, 0, done, arg);
}

void tc_write_tombstone(struct txn_coordinator *tc, struct txn_meta *m, tc_write_fn done,
			void *arg)
{
	struct txn_rec none = { .tps = NULL, .ntps = 0 };
	write_record(tc, m, &none, 1, done, arg);
}

/* ---- metadata objects ---- */

static void on_retry_timer(struct loop_timer *t);

struct txn_meta *tc_meta_new(struct txn_coordinator *tc, int32_t part, const char *id)
{
	struct txn_meta *m = calloc(1, sizeof *m);
	if (!m || !(m->id = strdup(id))) {
		free(m);
		return NULL;
	}
	m->tc = tc;
	m->part = part;
	m->cur = (struct txn_rec){ .pid = -1, .last_pid = -1, .epoch = -1, .last_epoch = -1,
				   .status = TXN_EMPTY, .start_ts = -1 };
	loop_timer_init(&m->retry, on_retry_timer, m);
	if (strmap_put(&tc->parts[part].txns, m->id, strlen(m->id), m) < 0) {
		free(m->id);
		free(m);
		return NULL;
	}
	return m;
}

void tc_meta_free(struct txn_meta *m)
{
	tc_held_fail(m, KERR_NOT_COORDINATOR);
	loop_timer_stop(m->tc->b->loop, &m->retry);
	tc_rec_free(&m->cur);
	free(m->marker_done);
	free(m->id);
	free(m);
}

static void on_retry_timer(struct loop_timer *t)
{
	struct txn_meta *m = t->arg;
	if (m->cur.status == TXN_PREPARE_COMMIT || m->cur.status == TXN_PREPARE_ABORT)
		tc_markers_resume(m->tc, m);
}

struct txn_meta *tc_lookup(struct txn_coordinator *tc, int32_t part, int32_t epoch,
			   const char *id)
{
	if (part < 0 || part >= tc->nparts)
		return NULL;
	struct tc_partition *p = &tc->parts[part];
	if (p->state != TC_LOADED || p->epoch != epoch)
		return NULL;
	return strmap_get(&p->txns, id, strlen(id));
}

/* ---- loading ---- */

void tc_unload(struct tc_partition *p)
{
	itopic_replay_stop(&p->load);
	if (p->state != TC_NOT_LEADER)
		log_info("txn", "no longer transaction coordinator for %s-%d", TC_TOPIC, p->index);
	p->state = TC_NOT_LEADER;
	const char *k;
	void *v;
	for (size_t pos = 0; strmap_next(&p->txns, &pos, &k, &v);)
		tc_meta_free(v);
	strmap_free(&p->txns);
	strmap_init(&p->txns);
}

static void replay_record(struct tc_partition *p, const struct rb_record *rec)
{
	struct arena a;
	arena_init(&a);
	struct kreader kr = { 0 };
	kr.p = rec->key;
	kr.end = rec->key + rec->key_len;
	int16_t ver;
	struct transaction_log_key key;
	if (kcodec_decode_versioned(&transaction_log_key_msg, 0, 0, &kr, &ver, &key, &a) < 0 ||
	    key.transactional_id.len <= 0)
		goto out;
	char *id = strndup(key.transactional_id.p, (size_t)key.transactional_id.len);
	if (!id)
		goto out;
	struct txn_meta *m = strmap_get(&p->txns, id, strlen(id));
	if (!rec->value) { /* tombstone: expired id */
		if (m) {
			strmap_del(&p->txns, id, strlen(id));
			tc_meta_free(m);
		}
		free(id);
		goto out;
	}
	struct transaction_log_value v;
	struct kreader vr = { 0 };
	vr.p = rec->value;
	vr.end = rec->value + rec->value_len;
	if (kcodec_decode_versioned(&transaction_log_value_msg, 0, 0, &vr, &ver, &v, &a) < 0 ||
	    !txn_status_persistable(v.transaction_status) || (!m && !(m = tc_meta_new(p->tc, p->index, id)))) {
		free(id);
		goto out;
	}
	free(id);
	tc_rec_free(&m->cur);
	m->cur.last_pid = m->cur.pid != v.producer_id ? m->cur.pid : m->cur.last_pid;
	m->cur.pid = v.producer_id;
	m->cur.epoch = v.producer_epoch;
	m->cur.timeout_ms = v.transaction_timeout_ms;
	m->cur.status = v.transaction_status;
	m->cur.update_ts = v.transaction_last_update_timestamp_ms;
	m->cur.start_ts = v.transaction_start_timestamp_ms;
	const struct transaction_log_partitions *tv = v.transaction_partitions.v;
	for (int32_t t = 0; t < v.transaction_partitions.n; t++) {
		char *topic = strndup(tv[t].topic.p ? tv[t].topic.p : "",
				      (size_t)(tv[t].topic.len > 0 ? tv[t].topic.len : 0));
		const int32_t *ids = tv[t].partition_ids.v;
		for (int32_t j = 0; topic && j < tv[t].partition_ids.n; j++)
			tc_rec_add_tp(&m->cur, topic, ids[j]);
		free(topic);
	}
out:
	arena_free(&a);
}

/* Records of a plain batch at or past from. Control batches hold no
 * transaction state, and the coordinator writes its batches uncompressed:
 * both are passed over. */
static void replay_batch(void *arg, const uint8_t *batch, size_t len, const struct rb_header *h,
			 int64_t from)
{
	struct tc_partition *p = arg;
	if (h->attributes & (RB_ATTR_CONTROL | RB_ATTR_COMPRESSION_MASK))
		return;
	struct rb_iter it;
	struct rb_record rec;
	rb_iter_init(&it, batch, len);
	while (rb_iter_next(&it, &rec) == 1)
		if (h->base_offset + rec.offset_delta >= from && rec.key)
			replay_record(p, &rec);
}

/* Prepare* transactions found in the log lost their markers with the old
 * coordinator: resend them under our epoch. */
static void load_finish(void *arg)
{
	struct tc_partition *p = arg;
	p->state = TC_LOADED;
	int n = 0, resumed = 0;
	const char *k;
	void *v;
	for (size_t pos = 0; strmap_next(&p->txns, &pos, &k, &v); n++) {
		struct txn_meta *m = v;
		if (m->cur.status == TXN_PREPARE_COMMIT || m->cur.status == TXN_PREPARE_ABORT) {
			resumed++;
			tc_markers_start(p->tc, m);
		}
	}
	log_info("txn", "loaded %s-%d (coordinator epoch %d): %d transactional id(s), %d "
		 "transaction(s) resumed", TC_TOPIC, p->index, p->epoch, n, resumed);
}

static void load_lost(void *arg)
{
	tc_unload(arg);
}

void tc_partition_init(struct tc_partition *p, struct txn_coordinator *tc, int32_t index)
{
	p->tc = tc;
	p->index = index;
	strmap_init(&p->txns);
	itopic_replay_init(&p->load, tc->b, "txn", TC_TOPIC, index, replay_batch, load_finish,
			   load_lost, p);
}

void tc_load_start(struct tc_partition *p, int32_t epoch)
{
	tc_unload(p);
	p->state = TC_LOADING;
	p->epoch = epoch;
	itopic_replay_start(&p->load, epoch, 0);
}
