/* gregorctl drill: the read-back verdict and the cluster view. The plain
 * check reads every partition from its log start to its high watermark and
 * looks up each acknowledged (partition, offset) there; the transactional
 * check reads the topic read_committed and read_uncommitted and counts each
 * value. The view is one Metadata response: leaders, ISR sizes, brokers,
 * controller. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coord/gregorctl/gctl.h"
#include "coord/gregorctl/gctl_drill.h"

#define DRILL_MAX_RECORDS 20000000 /* per partition: a drill writes far fewer */
#define DRILL_LOST_SHOWN 20

/* ---- the plain check */

struct drill_plog {
	int64_t low, high;
	int64_t *seq; /* [offset - low]: the load's message there, -1 none/foreign */
};

/* The sequence number of key "k-TAG-SEQ", or -1 for a foreign record. */
static int64_t drill_key_seq(const char *tag, const rd_kafka_message_t *m)
{
	size_t tl = strlen(tag);
	const char *k = m->key;
	if (!k || m->key_len < tl + 3 || m->key_len > 60 || k[0] != 'k' || k[1] != '-' ||
	    memcmp(k + 2, tag, tl) || k[tl + 2] != '-')
		return -1;
	int64_t v = 0;
	for (size_t i = tl + 3; i < m->key_len; i++) {
		if (k[i] < '0' || k[i] > '9')
			return -1;
		v = v * 10 + (k[i] - '0');
	}
	return v;
}

static int drill_watermarks(rd_kafka_t *rk, const char *topic, int32_t p,
			    struct drill_plog *pl, int64_t deadline)
{
	for (;;) {
		rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(rk, topic, p, &pl->low,
									   &pl->high, 5000);
		if (!err)
			return 0;
		if (drill_now_ms() > deadline) {
			gctl_err("drill: watermarks of %s-%d: %s", topic, p, rd_kafka_err2str(err));
			return -1;
		}
		drill_sleep_ms(500);
	}
}

/* Reads [low, high) of partition p; 0, or -1 at the deadline. */
static int drill_read_partition(rd_kafka_t *rk, rd_kafka_topic_t *rkt, const char *tag,
				int32_t p, struct drill_plog *pl, long *records, int64_t deadline)
{
	if (drill_watermarks(rk, rd_kafka_topic_name(rkt), p, pl, deadline))
		return -1;
	int64_t n = pl->high - pl->low;
	if (n < 0 || n > DRILL_MAX_RECORDS)
		return gctl_err("drill: %s-%d holds %" PRId64 " records: too many to check",
				rd_kafka_topic_name(rkt), p, n), -1;
	pl->seq = malloc(((size_t)n + 1) * sizeof *pl->seq);
	if (!pl->seq)
		return -1;
	for (int64_t i = 0; i < n; i++)
		pl->seq[i] = -1;
	if (n == 0)
		return 0;
	if (rd_kafka_consume_start(rkt, p, pl->low) == -1)
		return -1;
	int64_t next = pl->low;
	while (next < pl->high && drill_now_ms() < deadline) {
		rd_kafka_message_t *m = rd_kafka_consume(rkt, p, 1000);
		if (!m)
			continue;
		if (!m->err && m->offset >= pl->low && m->offset < pl->high) {
			pl->seq[m->offset - pl->low] = drill_key_seq(tag, m);
			(*records)++;
			next = m->offset + 1;
		}
		rd_kafka_message_destroy(m);
	}
	rd_kafka_consume_stop(rkt, p);
	if (next < pl->high)
		return gctl_err("drill: read %s-%d only to offset %" PRId64 " of %" PRId64,
				rd_kafka_topic_name(rkt), p, next, pl->high), -1;
	return 0;
}

/* Extra copies of the load's messages (a retried send that had landed). */
static long drill_count_duplicates(const struct drill_plog *logs, int n, long sent)
{
	unsigned char *seen = calloc((size_t)sent + 1, 1);
	long dups = 0;
	if (!seen)
		return -1;
	for (int p = 0; p < n; p++)
		for (int64_t i = 0; logs[p].seq && i < logs[p].high - logs[p].low; i++) {
			int64_t s = logs[p].seq[i];
			if (s >= 0 && s <= sent && seen[s]++)
				dups++;
		}
	free(seen);
	return dups;
}

static void drill_check_acks(const struct drill_load *l, const struct drill_plog *logs,
			     struct drill_verdict *v)
{
	for (long i = 0; i < l->n_acks; i++) {
		const struct drill_ack *a = &l->acks[i];
		const struct drill_plog *pl = a->partition >= 0 && a->partition < l->nparts ?
					      &logs[a->partition] : NULL;
		int64_t found = pl && pl->seq && a->offset >= pl->low && a->offset < pl->high ?
				pl->seq[a->offset - pl->low] : -1;
		v->acked++;
		if (found == a->seq)
			continue;
		if (++v->lost <= DRILL_LOST_SHOWN)
			printf("LOST partition=%d offset=%" PRId64 " key=k-%s-%" PRId64
			       " found=%" PRId64 " high_watermark=%" PRId64 "\n", a->partition,
			       a->offset, l->tag, a->seq, found, pl ? pl->high : -1);
	}
}

static int drill_verify_plain(struct drill_load *l, struct drill_verdict *v, int timeout_s)
{
	const char *extra[] = { "enable.partition.eof=false", "check.crcs=true", NULL };
	rd_kafka_t *rk = drill_client_new(l->client, RD_KAFKA_CONSUMER, extra);
	if (!rk)
		return -1;
	rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, l->topic, NULL);
	struct drill_plog *logs = calloc((size_t)l->nparts, sizeof *logs);
	int64_t deadline = drill_now_ms() + (int64_t)timeout_s * 1000;
	int rc = logs ? 0 : -1;
	for (int p = 0; rc == 0 && p < l->nparts; p++)
		rc = drill_read_partition(rk, rkt, l->tag, p, &logs[p], &v->records, deadline);
	if (rc == 0) {
		drill_check_acks(l, logs, v);
		v->duplicates = drill_count_duplicates(logs, l->nparts, atomic_load(&l->sent));
	}
	for (int p = 0; logs && p < l->nparts; p++)
		free(logs[p].seq);
	free(logs);
	rd_kafka_topic_destroy(rkt);
	rd_kafka_destroy(rk);
	return rc;
}

/* ---- the transactional check */

struct drill_seen {
	const char *tag;
	long txns;
	int per;
	unsigned short *count; /* [t * per + i] */
};

static void drill_seen_value(struct drill_seen *s, const rd_kafka_message_t *m)
{
	char buf[128], extra;
	long t;
	int i;
	size_t tl = strlen(s->tag), n = m->len < sizeof buf - 1 ? m->len : sizeof buf - 1;
	memcpy(buf, m->payload ? m->payload : "", m->payload ? n : 0);
	buf[m->payload ? n : 0] = '\0';
	if (strncmp(buf, s->tag, tl) || buf[tl] != '-' ||
	    sscanf(buf + tl + 1, "t%ld-m%d%c", &t, &i, &extra) != 2 ||
	    t < 0 || t >= s->txns || i < 0 || i >= s->per)
		return;
	if (s->count[t * s->per + i] < 65535)
		s->count[t * s->per + i]++;
}

/* Reads every partition from its start at one isolation level until each
 * reached its end and 5 s passed without a message; 0, or -1 at the
 * deadline. */
static int drill_consume_all(const struct drill_load *l, const char *iso,
			     struct drill_seen *s, int64_t deadline)
{
	char isokv[64];
	snprintf(isokv, sizeof isokv, "isolation.level=%s", iso);
	const char *extra[] = { isokv, "enable.partition.eof=true", NULL };
	rd_kafka_t *rk = drill_client_new(l->client, RD_KAFKA_CONSUMER, extra);
	if (!rk)
		return -1;
	rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, l->topic, NULL);
	rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
	for (int p = 0; p < l->nparts; p++)
		rd_kafka_consume_start_queue(rkt, p, RD_KAFKA_OFFSET_BEGINNING, q);
	char eof[DRILL_MAX_PARTS] = { 0 };
	int neof = 0;
	int64_t last = drill_now_ms();
	while (drill_now_ms() < deadline && (neof < l->nparts || drill_now_ms() - last < 5000)) {
		rd_kafka_message_t *m = rd_kafka_consume_queue(q, 200);
		if (!m)
			continue;
		if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
			if (m->partition >= 0 && m->partition < l->nparts && !eof[m->partition]++)
				neof++;
		} else if (!m->err) {
			drill_seen_value(s, m);
			last = drill_now_ms();
		}
		rd_kafka_message_destroy(m);
	}
	for (int p = 0; p < l->nparts; p++)
		rd_kafka_consume_stop(rkt, p);
	rd_kafka_queue_destroy(q);
	rd_kafka_topic_destroy(rkt);
	rd_kafka_destroy(rk);
	if (neof < l->nparts)
		return gctl_err("drill: %s: only %d of %d partitions read to their end", iso, neof,
				l->nparts), -1;
	return 0;
}

static void drill_txn_judge_counts(const struct drill_load *l, const struct drill_seen *rc,
				   const struct drill_seen *ru, struct drill_verdict *v)
{
	for (long t = 0; t < l->n_txns; t++) {
		char st = l->txn_state[t];
		v->committed += st == DRILL_TXN_COMMITTED;
		v->aborted += st == DRILL_TXN_ABORTED;
		v->unknown += st == DRILL_TXN_UNKNOWN;
		for (int i = 0; i < l->txn_size; i++) {
			int c = rc->count[t * l->txn_size + i], u = ru->count[t * l->txn_size + i];
			if (st == DRILL_TXN_COMMITTED) {
				v->acked++;
				v->lost += c == 0;
				v->duplicates += c > 1 ? c - 1 : 0;
				v->ru_missing += u == 0;
				if (c == 0 && v->lost <= DRILL_LOST_SHOWN)
					printf("LOST value=%s-t%ld-m%d (committed)\n", l->tag, t, i);
			} else if (st == DRILL_TXN_ABORTED && c > 0) {
				v->aborted_seen++;
				if (v->aborted_seen <= DRILL_LOST_SHOWN)
					printf("ABORTED-READ value=%s-t%ld-m%d\n", l->tag, t, i);
			}
		}
	}
}

static int drill_verify_txn(struct drill_load *l, struct drill_verdict *v, int timeout_s)
{
	long cells = l->n_txns * (long)l->txn_size + 1;
	struct drill_seen rc = { l->tag, l->n_txns, l->txn_size, calloc((size_t)cells, 2) };
	struct drill_seen ru = { l->tag, l->n_txns, l->txn_size, calloc((size_t)cells, 2) };
	int64_t deadline = drill_now_ms() + (int64_t)timeout_s * 1000;
	int r = rc.count && ru.count ? 0 : -1;
	if (r == 0)
		r = drill_consume_all(l, "read_committed", &rc, deadline);
	if (r == 0)
		r = drill_consume_all(l, "read_uncommitted", &ru, deadline);
	if (r == 0)
		drill_txn_judge_counts(l, &rc, &ru, v);
	free(rc.count);
	free(ru.count);
	return r;
}

int drill_verify(struct drill_load *l, struct drill_verdict *v, int timeout_s)
{
	v->failed = atomic_load(&l->failed) + l->unresolved;
	return l->txn_id ? drill_verify_txn(l, v, timeout_s) : drill_verify_plain(l, v, timeout_s);
}

/* ---- time to recover */

static int64_t drill_gap_max(const int64_t *t, long n, int64_t fault_ms, int64_t end_ms)
{
	int64_t prev = -1, best = 0;
	for (long i = 0; i < n; i++) {
		if (prev >= 0 && t[i] > fault_ms && t[i] - (prev > fault_ms ? prev : fault_ms) > best)
			best = t[i] - (prev > fault_ms ? prev : fault_ms);
		prev = t[i];
	}
	if (prev >= 0 && end_ms > fault_ms && end_ms - (prev > fault_ms ? prev : fault_ms) > best)
		best = end_ms - (prev > fault_ms ? prev : fault_ms);
	return best;
}

int64_t drill_recover_ms(const struct drill_load *l, int64_t fault_ms)
{
	if (fault_ms < 0)
		return -1;
	if (l->txn_id)
		return drill_gap_max(l->txn_end_ms, l->n_txns, fault_ms, l->stop_ms);
	int64_t best = 0, *t = malloc(((size_t)l->n_acks + 1) * sizeof *t);
	if (!t)
		return -1;
	for (int p = 0; p < l->nparts; p++) {
		long n = 0;
		for (long i = 0; i < l->n_acks; i++)
			if (l->acks[i].partition == p)
				t[n++] = l->acks[i].t_ms;
		int64_t g = drill_gap_max(t, n, fault_ms, l->stop_ms);
		best = g > best ? g : best;
	}
	free(t);
	return best;
}

/* ---- the cluster view */

static int drill_cmp_i32(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
	return (x > y) - (x < y);
}

static int drill_view_fill(const struct rd_kafka_metadata *md, const char *topic,
			   struct drill_view *v)
{
	for (int i = 0; i < md->broker_cnt && v->n_brokers < DRILL_MAX_BROKERS; i++)
		v->brokers[v->n_brokers++] = md->brokers[i].id;
	qsort(v->brokers, (size_t)v->n_brokers, sizeof *v->brokers, drill_cmp_i32);
	if (!topic)
		return 0;
	if (md->topic_cnt != 1 || md->topics[0].err || md->topics[0].partition_cnt < 1)
		return -1;
	const rd_kafka_metadata_topic_t *t = &md->topics[0];
	v->n_parts = t->partition_cnt < DRILL_MAX_PARTS ? t->partition_cnt : DRILL_MAX_PARTS;
	for (int i = 0; i < t->partition_cnt; i++) {
		int32_t p = t->partitions[i].id;
		if (p < 0 || p >= v->n_parts)
			continue;
		v->leader[p] = t->partitions[i].leader;
		v->n_replicas[p] = t->partitions[i].replica_cnt;
		v->n_isr[p] = t->partitions[i].isr_cnt;
	}
	return 0;
}

int drill_view_get(rd_kafka_t *rk, const char *topic, struct drill_view *v, int timeout_ms)
{
	rd_kafka_topic_t *rkt = topic ? rd_kafka_topic_new(rk, topic, NULL) : NULL;
	const struct rd_kafka_metadata *md = NULL;
	memset(v, 0, sizeof *v);
	for (int p = 0; p < DRILL_MAX_PARTS; p++)
		v->leader[p] = -1;
	rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, rkt, &md, timeout_ms);
	int rc = err ? -1 : drill_view_fill(md, topic, v);
	/* the Metadata response just parsed also refreshed the controller id */
	v->controller = rd_kafka_controllerid(rk, 0);
	if (md)
		rd_kafka_metadata_destroy(md);
	if (rkt)
		rd_kafka_topic_destroy(rkt);
	return rc;
}

int drill_view_get_at(const struct drill_client *c, const char *addr, const char *topic,
		      struct drill_view *v, int timeout_ms)
{
	struct drill_client one = *c;
	one.bootstrap = addr;
	rd_kafka_t *rk = drill_client_new(&one, RD_KAFKA_PRODUCER, NULL);
	if (!rk)
		return -1;
	int rc = drill_view_get(rk, topic, v, timeout_ms);
	rd_kafka_destroy(rk);
	return rc;
}

int drill_view_healthy(const struct drill_view *v)
{
	if (v->n_parts < 1)
		return 0;
	for (int p = 0; p < v->n_parts; p++)
		if (v->leader[p] < 0 || v->n_isr[p] < v->n_replicas[p])
			return 0;
	return 1;
}

int drill_topic_create(rd_kafka_t *rk, const char *topic, int parts, int rf)
{
	char err[256];
	rd_kafka_NewTopic_t *nt = rd_kafka_NewTopic_new(topic, parts, rf, err, sizeof err);
	if (!nt)
		return gctl_err("drill: topic %s: %s", topic, err), -1;
	rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
	rd_kafka_AdminOptions_t *ao = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
	rd_kafka_AdminOptions_set_operation_timeout(ao, 20000, err, sizeof err);
	rd_kafka_AdminOptions_set_request_timeout(ao, 30000, err, sizeof err);
	rd_kafka_CreateTopics(rk, &nt, 1, ao, q);
	rd_kafka_event_t *ev = rd_kafka_queue_poll(q, 40000);
	int rc = -1;
	size_t n = 0;
	if (!ev) {
		gctl_err("drill: no CreateTopics result for %s within 40 s", topic);
	} else if (rd_kafka_event_error(ev)) {
		gctl_err("drill: CreateTopics %s: %s", topic, rd_kafka_event_error_string(ev));
	} else {
		const rd_kafka_topic_result_t **res =
			rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
		rd_kafka_resp_err_t e = n == 1 ? rd_kafka_topic_result_error(res[0]) :
					RD_KAFKA_RESP_ERR__BAD_MSG;
		rc = e == RD_KAFKA_RESP_ERR_NO_ERROR ? 0 :
		     e == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS ? 1 : -1;
		if (rc < 0)
			gctl_err("drill: CreateTopics %s: %s", topic, n == 1 ?
				 rd_kafka_topic_result_error_string(res[0]) : "no result");
	}
	if (ev)
		rd_kafka_event_destroy(ev);
	rd_kafka_AdminOptions_destroy(ao);
	rd_kafka_NewTopic_destroy(nt);
	rd_kafka_queue_destroy(q);
	return rc;
}
