/* Fetch (1), v0-17: answers from the segment files without copying them
 * (the response carries file slices that the server sends with sendfile;
 * only small slices are copied, copy_small_slice).
 * v0-3 consumers get the data down-converted to magic 0/1 message sets
 * (read, converted, bounded by the partition's byte budget; the cost is
 * counted and logged once a minute). v7+ keep fetch sessions (KIP-227,
 * fetch_session.h): the request is first turned into a plan, the list of
 * partitions to read (the request's, or its session's), then answered;
 * an incremental answer carries only partitions with news. v13+ name
 * topics by id: an unknown id answers UNKNOWN_TOPIC_ID; a session
 * partition whose topic name now belongs to another id (the topic was
 * deleted and re-created while the session lived) INCONSISTENT_TOPIC_ID.
 * v11+ consumers may read from a follower (KIP-392) up to its high
 * watermark, and with replica.selector.class=RackAwareReplicaSelector the
 * leader names a same-rack replica (preferred_read_replica) instead of
 * answering data. v16+ name the leader after NOT_LEADER_OR_FOLLOWER /
 * FENCED_LEADER_EPOCH (current_leader, node_endpoints; KIP-951).
 * If fewer than min_bytes are available the request is parked in the
 * broker's purgatory, watching its partitions, as a delayed fetch until
 * enough data arrives or max_wait_ms passes. Consumers are served only
 * below the high watermark. Authorization as KafkaApis: a follower's
 * fetch (replica_id >= 0) needs CLUSTER_ACTION on the cluster, a consumer's
 * READ on each topic; refused partitions answer TOPIC_AUTHORIZATION_FAILED
 * and a refused follower moves no follower position. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "broker/auth/authorizer.h"
#include "broker/broker.h"
#include "broker/handlers/dedup.h"
#include "broker/handlers/fetch.h"
#include "broker/handlers/fetch_session.h"
#include "broker/handlers/handlers.h"
#include "broker/metrics.h"
#include "broker/quota/client_quotas.h"
#include "broker/quota/replication_quota.h"
#include "broker/metadata_cache.h"
#include "broker/txn/producer_state_manager.h"
#include "broker/replica/replica_manager.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/proto/kerr.h"
#include "common/proto/message_set.h"
#include "common/proto/messages.h"

#define FETCH_MAX_WAIT_CAP_MS 30000
#define FETCH_DOWN_MAX_INFLATE (64 << 20) /* per partition, like max.message.bytes x64 */
#define FETCH_DOWN_LOG_MS 60000

#define RACK_AWARE_SELECTOR "org.apache.kafka.common.replica.RackAwareReplicaSelector"

/* One partition to read: from the request, or from its fetch session. */
struct fetch_item {
	struct kstr topic;          /* len -1: a topic id that names no topic */
	uint8_t topic_id[16];       /* v13+ */
	struct fetch_req_partition p;
	int16_t error;              /* answered without reading, if set */
};

enum fetch_kind { FK_SESSIONLESS, FK_FULL, FK_INCREMENTAL, FK_ERROR };

/* What a request asks for, fixed when it arrives (a parked fetch answers
 * the same partitions later). */
struct fetch_plan {
	enum fetch_kind kind;
	int16_t error;              /* FK_ERROR: the top-level error */
	int32_t session_id;         /* FK_INCREMENTAL */
	int32_t replica_id;         /* v15+: from ReplicaState */
	int32_t n;
	struct fetch_item *items;
};

struct delayed_fetch {
	struct purg_op op;
	struct request *req;
	struct fetch_plan *plan;
};

#define REQ_TOPIC(in, i) (&((const struct fetch_req_topic *)(in)->topics.v)[i])
#define REQ_PART(t, j) (&((const struct fetch_req_partition *)(t)->partitions.v)[j])

struct fetch_state *fetch_state_new(int32_t max_sessions)
{
	struct fetch_state *fs = calloc(1, sizeof *fs);
	if (fs)
		fs_cache_init(&fs->sessions, max_sessions, FS_EVICTION_MS);
	return fs;
}

void fetch_state_free(struct fetch_state *fs)
{
	if (!fs)
		return;
	fs_cache_free(&fs->sessions);
	free(fs);
}

struct fs_cache *fetch_session_cache(struct broker *b)
{
	return &b->fetch->sessions;
}

static int32_t fetch_replica_id(const struct request *req)
{
	const struct fetch_request *in = req->body;
	return req->hdr.api_version >= 15 ? in->replica_state.replica_id : in->replica_id;
}

static int fetch_allowed(struct request *req, struct kstr topic)
{
	if (fetch_replica_id(req) >= 0)
		return authz_cluster(req, ACL_OP_CLUSTER_ACTION);
	return authz_topic(req, ACL_OP_READ, topic);
}

/* Where one partition's data comes from, or why there is none. Followers
 * read up to the log end, consumers up to the high watermark; v11+
 * consumers may read a follower replica (KIP-392: Kafka's fetchOnlyLeader
 * is false once the request carries client metadata). */
static int16_t partition_slice(struct request *req, struct kstr topic,
			       const struct fetch_req_partition *pi, int32_t max_bytes,
			       struct partition **pp, struct log_slice *s)
{
	struct broker *b = req->b;
	int32_t replica_id = fetch_replica_id(req);
	memset(s, 0, sizeof *s);
	s->fd = -1;
	*pp = NULL;
	if (!fetch_allowed(req, topic))
		return KERR_TOPIC_AUTHORIZATION_FAILED;
	struct partition *p = rm_get(b->rm, topic.p, topic.len, pi->partition);
	*pp = p;
	if (!p)
		return mc_missing_partition_error(b->meta, topic.p, topic.len, pi->partition);
	/* Kafka: a replica in a failed log dir answers KAFKA_STORAGE_ERROR */
	if (rm_partition_offline(b->rm, p))
		return KERR_KAFKA_STORAGE_ERROR;
	if (!p->is_leader && (replica_id >= 0 || req->hdr.api_version < 11))
		return KERR_NOT_LEADER_OR_FOLLOWER;
	if (pi->current_leader_epoch >= 0 && pi->current_leader_epoch < p->leader_epoch)
		return KERR_FENCED_LEADER_EPOCH;
	if (pi->current_leader_epoch > p->leader_epoch)
		return KERR_UNKNOWN_LEADER_EPOCH;
	if (replica_id >= 0 && !rm_is_replica(p, replica_id))
		return KERR_NOT_LEADER_OR_FOLLOWER;
	/* a throttled replica out of the ISR gets nothing while the leader's
	 * replication throttle is exceeded (nor does it count for min_bytes) */
	if (replica_id >= 0 && repl_quota_leader_skip(b, p, replica_id))
		max_bytes = 0; /* the offset is still checked */
	/* the partition's read rules: followers to the log end, consumers to the
	 * high watermark, read_committed to the last stable offset */
	enum partition_reader who = replica_id >= 0 ? READ_FOLLOWER
		: ((const struct fetch_request *)req->body)->isolation_level == 1 ? READ_COMMITTED
		: READ_UNCOMMITTED;
	return partition_read(p, who, pi->fetch_offset, max_bytes, s);
}

/* KIP-392's RackAwareReplicaSelector, on the leader, for a v11+ consumer
 * with a rack: among the in-sync replicas that hold fetch_offset and have
 * an endpoint on the client's listener, those in the client's rack; the
 * leader if it is one of them or none is, else the most caught-up (highest
 * log end, then most recently caught up). Returns the replica to name in
 * preferred_read_replica, or -1 (read here). */
static int32_t preferred_replica(struct request *req, const struct partition *p,
				 const struct fetch_req_partition *pi)
{
	const struct fetch_request *in = req->body;
	const char *sel = req->b->cfg->replica_selector_class;
	if (!p || !p->is_leader || fetch_replica_id(req) >= 0 || req->hdr.api_version < 11 ||
	    !sel || strcmp(sel, RACK_AWARE_SELECTOR) != 0 || in->rack_id.len <= 0)
		return -1;
	const char *lname = request_listener(req)->name;
	const struct mc_broker *me = mc_broker(req->b->meta, req->b->id);
	if (me && strlen(me->rack) == (size_t)in->rack_id.len &&
	    memcmp(me->rack, in->rack_id.p, (size_t)in->rack_id.len) == 0)
		return -1;
	int32_t best = -1;
	int64_t best_leo = -1, best_lag = 0, now = loop_now_ms(req->b->loop);
	for (int32_t i = 0; i < p->nrstate; i++) {
		const struct replica_state *r = &p->rstate[i];
		const struct mc_broker *mb = mc_broker(req->b->meta, r->broker_id);
		int in_isr = 0;
		for (int32_t k = 0; k < p->nisr; k++)
			in_isr |= p->isr[k] == r->broker_id;
		if (r->broker_id == req->b->id || !in_isr || !mb || !mc_broker_endpoint(mb, lname) ||
		    r->leo < pi->fetch_offset || (r->log_start >= 0 && r->log_start > pi->fetch_offset) ||
		    strlen(mb->rack) != (size_t)in->rack_id.len ||
		    memcmp(mb->rack, in->rack_id.p, (size_t)in->rack_id.len) != 0)
			continue;
		int64_t lag = now - r->last_caught_up_ms;
		if (best < 0 || r->leo > best_leo || (r->leo == best_leo && lag < best_lag)) {
			best = r->broker_id;
			best_leo = r->leo;
			best_lag = lag;
		}
	}
	return best;
}

/* Bytes a response would carry now, without building it; the count stops
 * once it reaches min_bytes (all that callers compare it with), so a
 * waiting fetch over many partitions is not read in full on every wake. */
static int64_t fetch_available(struct request *req, const struct fetch_plan *plan,
			       int64_t min_bytes)
{
	int64_t total = 0;
	for (int32_t i = 0; i < plan->n && total < min_bytes; i++) {
		const struct fetch_item *it = &plan->items[i];
		struct partition *p;
		struct log_slice s;
		if (it->error)
			return INT64_MAX; /* errors are answered at once */
		int16_t ec = partition_slice(req, it->topic, &it->p, it->p.partition_max_bytes, &p, &s);
		if (ec || preferred_replica(req, p, &it->p) >= 0)
			return INT64_MAX; /* so is a redirect to another replica */
		total += s.len;
	}
	return total;
}

/* transactions (broker/txn): the aborted transactions a read_committed
 * consumer must skip in what it gets, [fetch offset, LSO). */
#define FETCH_MAX_ABORTED 4096
static int fetch_aborted(struct arena *a, struct partition *p, int64_t from,
			 struct fetch_resp_partition *po)
{
	struct txn_aborted tmp[64];
	size_t n = partition_aborted(p, from, po->last_stable_offset, tmp, 64);
	if (n == 64) /* rare: many aborts in one fetch; ask again for them all */
		n = FETCH_MAX_ABORTED;
	struct txn_aborted *all = n > 64 ? arena_alloc(a, n * sizeof *all) : tmp;
	if (!all)
		return -1;
	if (n > 64)
		n = partition_aborted(p, from, po->last_stable_offset, all, n);
	struct fetch_resp_aborted_transaction *v = arena_alloc(a, (n + 1) * sizeof *v);
	if (!v)
		return -1;
	for (size_t i = 0; i < n; i++)
		v[i] = (struct fetch_resp_aborted_transaction){ all[i].producer_id, all[i].first_offset };
	po->aborted_transactions = (struct karray){ (int32_t)n, v };
	return 0;
}

/* Down-conversion cost, summed and logged at most once a minute. */
static void down_account(struct fetch_down_totals *t, const struct ms_down_stats *st,
			 int64_t ns, int64_t now_ms)
{
	t->partitions++;
	t->ns += ns;
	t->st.batches_in += st->batches_in;
	t->st.bytes_in += st->bytes_in;
	t->st.records_out += st->records_out;
	t->st.bytes_out += st->bytes_out;
	t->st.inflated += st->inflated;
	if (now_ms - t->last_log_ms < FETCH_DOWN_LOG_MS)
		return;
	log_info("fetch", "down-conversion (Fetch v0-3): %" PRId64 " partition reads, %" PRId64
		 " batches / %" PRId64 " bytes in, %" PRId64 " inflated, %" PRId64
		 " messages / %" PRId64 " bytes out, %.1f ms CPU (%.2f us per message)",
		 t->partitions, t->st.batches_in, t->st.bytes_in, t->st.inflated,
		 t->st.records_out, t->st.bytes_out, (double)t->ns / 1e6,
		 t->st.records_out ? (double)t->ns / 1e3 / (double)t->st.records_out : 0.0);
	memset(t, 0, sizeof *t);
	t->last_log_ms = now_ms;
}

/* Fetch v0-3: replaces the file slice with the same data as a legacy
 * message set (magic 0 for v0-1, 1 for v2-3) in the request's memory. */
static int16_t down_convert(struct request *req, const struct log_slice *s, int64_t offset,
			    int32_t limit, struct fetch_resp_partition *po, struct topic_metrics *tm)
{
	int64_t t0 = clock_mono_ns();
	uint8_t *raw = malloc((size_t)s->len);
	struct cbuf out = { 0 };
	struct ms_down_stats st = { 0 };
	int16_t err = 0;
	if (!raw || pread(s->fd, raw, (size_t)s->len, s->pos) != s->len)
		err = raw ? KERR_KAFKA_STORAGE_ERROR : KERR_UNKNOWN_SERVER_ERROR;
	else
		err = (int16_t)ms_down_convert(raw, (size_t)s->len, req->hdr.api_version >= 2,
					       offset, (size_t)(limit > 0 ? limit : 1),
					       FETCH_DOWN_MAX_INFLATE, &out, &st);
	free(raw);
	uint8_t *p = !err && out.len ? arena_alloc(&req->arena, out.len) : NULL;
	if (p)
		memcpy(p, out.p, out.len);
	else if (!err && out.len)
		err = KERR_UNKNOWN_SERVER_ERROR;
	po->records = (struct krecords){ .p = p, .len = p ? (int32_t)out.len : 0, .fd = -1 };
	cbuf_free(&out);
	int64_t ns = clock_mono_ns() - t0;
	down_account(&req->b->fetch->down, &st, ns, loop_now_ms(req->b->loop));
	metrics_count_conversions(req->b->metrics, tm, (uint64_t)st.records_out, (double)ns / 1e6,
				  loop_now_ms(req->b->loop));
	return err;
}

/* State of one response under construction. */
struct fetch_build {
	struct request *req;
	const struct fetch_plan *plan;
	int64_t budget;       /* the response's max_bytes left */
	int first;            /* no partition has data yet (KIP-74) */
	int64_t copied;       /* bytes copied into the response (copy_small_slice) */
	struct dedup seen;
	int32_t *leaders;     /* v16+: leaders named in current_leader */
	int32_t nleaders;
};

/* v16+ (KIP-951): after NOT_LEADER_OR_FOLLOWER or FENCED_LEADER_EPOCH the
 * answer names the current leader, and node_endpoints gives its address
 * on the client's listener. */
static void name_leader(struct fetch_build *fb, struct kstr topic, int32_t partition,
			struct fetch_resp_partition *po)
{
	struct request *req = fb->req;
	if (req->hdr.api_version < 16 || (po->error_code != KERR_NOT_LEADER_OR_FOLLOWER &&
					  po->error_code != KERR_FENCED_LEADER_EPOCH))
		return;
	const struct mc_topic *t = topic.len > 0 ? mc_topic(req->b->meta, topic.p, topic.len) : NULL;
	if (!t || partition < 0 || partition >= t->npartitions || !t->parts[partition].exists ||
	    t->parts[partition].leader < 0)
		return;
	int32_t leader = t->parts[partition].leader;
	po->current_leader = (struct fetch_resp_leader_id_and_epoch){
		leader, t->parts[partition].leader_epoch };
	for (int32_t i = 0; i < fb->nleaders; i++)
		if (fb->leaders[i] == leader)
			return;
	fb->leaders[fb->nleaders++] = leader;
}

static void fill_node_endpoints(struct fetch_build *fb, struct fetch_response *out)
{
	struct request *req = fb->req;
	const char *lname = request_listener(req)->name;
	struct fetch_resp_node_endpoint *v =
		arena_alloc(&req->arena, ((size_t)fb->nleaders + 1) * sizeof *v);
	int32_t n = 0;
	for (int32_t i = 0; v && i < fb->nleaders; i++) {
		const struct mc_broker *mb = mc_broker(req->b->meta, fb->leaders[i]);
		const struct mc_endpoint *ep = mb ? mc_broker_endpoint(mb, lname) : NULL;
		if (!ep)
			continue;
		v[n++] = (struct fetch_resp_node_endpoint){
			.node_id = mb->id,
			.host = { ep->host, (int32_t)strlen(ep->host) },
			.port = ep->port,
			.rack = mb->rack[0] ? (struct kstr){ mb->rack, (int32_t)strlen(mb->rack) }
					    : (struct kstr){ NULL, -1 },
		};
	}
	out->node_endpoints = n ? (struct karray){ n, v } : (struct karray){ 0, NULL };
}

/* A small slice is copied into the response: sent as a file piece it
 * would cost a descriptor dup, a sendfile, a close and a write of the
 * bytes around it, which for a follower's fetch over many partitions with
 * a few records each is most of the response's cost; one pread here and
 * one write for the whole response replace them. Bounded per response;
 * on a failed read the slice stays a file piece. */
#define FETCH_COPY_MAX (16 << 10)
#define FETCH_COPY_BUDGET (1 << 20)
static void copy_small_slice(struct fetch_build *fb, struct fetch_resp_partition *po)
{
	int32_t n = po->records.len;
	if (n > FETCH_COPY_MAX || fb->copied + n > FETCH_COPY_BUDGET)
		return;
	uint8_t *buf = arena_alloc(&fb->req->arena, (size_t)n);
	if (!buf || pread(po->records.fd, buf, (size_t)n, po->records.file_off) != n)
		return;
	po->records.p = buf;
	po->records.fd = -1;
	fb->copied += n;
}

/* Fills po for one item. Returns 0, or -1 when out of memory. */
static int fill_partition(struct fetch_build *fb, const struct fetch_item *it,
			  struct fetch_resp_partition *po, struct topic_metrics *tm)
{
	struct request *req = fb->req;
	const struct fetch_request *in = req->body;
	const struct fetch_req_partition *pi = &it->p;
	int32_t replica_id = fb->plan->replica_id;
	/* the response's max_bytes bounds every partition; only the first
	 * partition with data may exceed it, by its first batch (KIP-74), so
	 * that a consumer never stalls */
	int32_t limit = pi->partition_max_bytes;
	if (fb->budget < limit)
		limit = fb->budget > 0 ? (int32_t)fb->budget : 0;
	struct partition *p = NULL;
	struct log_slice s = { .fd = -1 };
	po->partition_index = pi->partition;
	po->error_code = it->error ? it->error : partition_slice(req, it->topic, pi, limit, &p, &s);
	po->high_watermark = p ? p->high_watermark : -1;
	po->last_stable_offset = p ? partition_last_stable(p) : -1;
	po->log_start_offset = p ? partition_log_start(p) : -1;
	po->preferred_read_replica = -1;
	/* v12 tagged fields: -1 everywhere means "absent" (not sent) */
	po->diverging_epoch = (struct fetch_resp_epoch_end_offset){ -1, -1 };
	po->current_leader = (struct fetch_resp_leader_id_and_epoch){ -1, -1 };
	po->snapshot_id = (struct fetch_resp_snapshot_id){ -1, -1 };
	po->aborted_transactions.n = in->isolation_level == 1 ? 0 : -1;
	po->records = (struct krecords){ .p = NULL, .len = 0, .fd = -1 };
	name_leader(fb, it->topic, pi->partition, po);
	if (!po->error_code && (po->preferred_read_replica = preferred_replica(req, p, pi)) >= 0)
		s.len = 0; /* the client reads that replica instead */
	if (!fb->first && s.len > limit)
		s.len = 0; /* its first batch alone is over what is left */
	/* a partition named twice gets its data once (Kafka keeps a map of
	 * them): repeats cannot pin more segment fds */
	if (it->topic.len >= 0 && dedup_seen(&fb->seen, it->topic, pi->partition))
		s.len = 0;
	if (!po->error_code && s.len > 0 && req->hdr.api_version <= 3 && replica_id < 0) {
		po->error_code = down_convert(req, &s, pi->fetch_offset, limit, po, tm);
		fb->budget -= po->records.len;
		fb->first = fb->first && po->records.len == 0;
	} else if (!po->error_code && s.len > 0) {
		po->records.fd = s.fd;
		po->records.file_off = s.pos;
		po->records.len = s.len;
		copy_small_slice(fb, po);
		fb->budget -= s.len;
		fb->first = 0;
		if (replica_id >= 0)
			repl_quota_record(req->b, REPL_LEADER, p, s.len);
		if (in->isolation_level == 1 && fetch_aborted(&req->arena, p, pi->fetch_offset, po) < 0)
			return -1;
	}
	if (replica_id < 0)
		metrics_count_fetch(req->b->metrics, tm, po->error_code,
				    po->error_code ? 0 : (uint64_t)po->records.len);
	return 0;
}

static int same_topic(const struct fetch_item *a, const struct fetch_item *b)
{
	return memcmp(a->topic_id, b->topic_id, 16) == 0 && a->topic.len == b->topic.len &&
	       (a->topic.len <= 0 || memcmp(a->topic.p, b->topic.p, (size_t)a->topic.len) == 0);
}

static struct fs_part *session_part(struct fetch_session *s, const struct fetch_item *it)
{
	return s ? fs_find(s, it->topic.p, it->topic.len, it->topic_id, it->p.partition) : NULL;
}

/* A full fetch that asked for a session (epoch 0) gets one now, holding
 * every partition with what this response tells of it. */
static int32_t session_create(struct fetch_build *fb, const struct fetch_response *out)
{
	struct request *req = fb->req;
	const struct fetch_plan *plan = fb->plan;
	struct fetch_session *s = fs_create(fetch_session_cache(req->b), plan->replica_id >= 0,
					    req->hdr.api_version >= 13, plan->n,
					    loop_now_ms(req->b->loop));
	if (!s)
		return FS_INVALID_ID;
	int32_t k = 0;
	for (int32_t i = 0; i < out->responses.n; i++) {
		const struct fetch_resp_topic *to = &((const struct fetch_resp_topic *)out->responses.v)[i];
		for (int32_t j = 0; j < to->partitions.n; j++, k++) {
			const struct fetch_item *it = &plan->items[k];
			const struct fetch_resp_partition *po =
				&((const struct fetch_resp_partition *)to->partitions.v)[j];
			struct fs_part *sp = fs_upsert(s, it->topic.p, it->topic.len, it->topic_id,
						      it->p.partition);
			if (!sp) {
				fs_remove(fetch_session_cache(req->b), s->id);
				return FS_INVALID_ID;
			}
			sp->fetch_offset = it->p.fetch_offset;
			sp->log_start_offset = it->p.log_start_offset;
			sp->max_bytes = it->p.partition_max_bytes;
			sp->current_leader_epoch = it->p.current_leader_epoch;
			sp->last_fetched_epoch = it->p.last_fetched_epoch;
			fs_must_respond(sp, po->error_code, po->high_watermark, po->log_start_offset,
					po->records.len, po->preferred_read_replica);
		}
	}
	fs_touch(fetch_session_cache(req->b), s, loop_now_ms(req->b->loop));
	return s->id;
}

/* Items [i, end) of one topic into *to. An incremental answer leaves out
 * partitions without news. Returns 0, or -1 when out of memory. */
static int fill_topic(struct fetch_build *fb, int32_t i, int32_t end,
		      struct fetch_session *sess, uint8_t *answered, struct fetch_resp_topic *to)
{
	struct request *req = fb->req;
	const struct fetch_plan *plan = fb->plan;
	const struct fetch_item *first = &plan->items[i];
	to->topic = first->topic;
	memcpy(to->topic_id, first->topic_id, 16);
	/* consumers only: follower traffic is replication, not bytes out */
	struct topic_metrics *tm = plan->replica_id < 0 && first->topic.len > 0 ?
		metrics_topic(req->b->metrics, first->topic.p, (size_t)first->topic.len) : NULL;
	to->partitions.v = arena_alloc(&req->arena,
				       ((size_t)(end - i) + 1) * sizeof(struct fetch_resp_partition));
	if (!to->partitions.v)
		return -1;
	int32_t np = 0;
	for (int32_t k = i; k < end; k++) {
		struct fetch_resp_partition *po = &((struct fetch_resp_partition *)to->partitions.v)[np];
		if (fill_partition(fb, &plan->items[k], po, tm) < 0)
			return -1;
		answered[k] = po->records.len > 0;
		struct fs_part *sp = plan->kind == FK_INCREMENTAL ? session_part(sess, &plan->items[k])
								  : NULL;
		if (!sp || fs_must_respond(sp, po->error_code, po->high_watermark,
					   po->log_start_offset, po->records.len,
					   po->preferred_read_replica))
			np++;
	}
	to->partitions.n = np;
	return 0;
}

/* Every item, grouped by topic in plan order. 0 or -1 (out of memory). */
static int fill_topics(struct fetch_build *fb, struct fetch_session *sess, uint8_t *answered,
		       struct fetch_response *out)
{
	const struct fetch_plan *plan = fb->plan;
	int32_t nt = 0;
	int rc = 0;
	dedup_init(&fb->seen);
	for (int32_t i = 0, end; rc == 0 && i < plan->n; i = end) {
		for (end = i + 1; end < plan->n && same_topic(&plan->items[i], &plan->items[end]);)
			end++;
		struct fetch_resp_topic *to = &((struct fetch_resp_topic *)out->responses.v)[nt];
		rc = fill_topic(fb, i, end, sess, answered, to);
		nt += rc == 0 && (to->partitions.n > 0 || plan->kind != FK_INCREMENTAL);
	}
	dedup_free(&fb->seen);
	out->responses.n = nt;
	return rc;
}

static void fetch_respond(struct request *req, const struct fetch_plan *plan)
{
	const struct fetch_request *in = req->body;
	struct fetch_response *out = arena_alloc(&req->arena, sizeof *out);
	struct arena *a = &req->arena;
	struct fetch_build fb = { .req = req, .plan = plan, .first = 1,
				  .budget = in->max_bytes > 0 ? in->max_bytes : INT32_MAX };
	int32_t quota_max = quota_fetch_max_bytes(req); /* consumer_byte_rate */
	if (quota_max < fb.budget)
		fb.budget = quota_max;
	int64_t budget0 = fb.budget;
	if (!out)
		goto oom;
	if (plan->kind == FK_ERROR) {
		out->error_code = plan->error;
		request_respond(req, out);
		return;
	}
	out->responses.v = arena_alloc(a, ((size_t)plan->n + 1) * sizeof(struct fetch_resp_topic));
	fb.leaders = arena_alloc(a, ((size_t)plan->n + 1) * sizeof *fb.leaders);
	uint8_t *answered = arena_alloc(a, (size_t)plan->n + 1);
	struct fetch_session *sess = plan->kind == FK_INCREMENTAL ?
		fs_get(fetch_session_cache(req->b), plan->session_id) : NULL;
	if (!out->responses.v || !fb.leaders || !answered || fill_topics(&fb, sess, answered, out))
		goto oom;
	if (req->hdr.api_version >= 16 && fb.nleaders)
		fill_node_endpoints(&fb, out);
	/* a consumer over its quota gets an empty answer, as Kafka; a throttled
	 * full fetch opens no session (Kafka's getThrottledResponse), and a
	 * throttled session resends everything next time */
	if (plan->replica_id < 0 && quota_fetch_record(req, budget0 - fb.budget) > 0) {
		out->responses.n = 0;
		for (int32_t i = 0; sess && i < sess->n; i++)
			sess->parts[i].sent_hw = -1;
		if (sess)
			out->session_id = sess->id;
	} else if (plan->kind == FK_FULL) {
		out->session_id = session_create(&fb, out);
	} else if (sess) {
		out->session_id = sess->id;
		/* items are the session's parts in order, unless a later request
		 * changed the session while this one was parked */
		if (sess->n == plan->n)
			fs_rotate(sess, answered);
	}
	request_respond(req, out);
	return;
oom:
	request_close(req, "out of memory");
}

static int delayed_fetch_ready(struct purg_op *op)
{
	struct delayed_fetch *d = op->arg;
	const struct fetch_request *in = d->req->body;
	return fetch_available(d->req, d->plan, in->min_bytes) >= in->min_bytes;
}

/* Enough data, or max_wait_ms passed: answer with what there is. */
static void delayed_fetch_complete(struct purg_op *op, int expired)
{
	(void)expired;
	struct delayed_fetch *d = op->arg;
	struct request *req = d->req;
	const struct fetch_plan *plan = d->plan;
	free(d);
	fetch_respond(req, plan);
}

/* The plan's partitions hosted here (a session's, for an incremental
 * fetch): the keys it waits on. NULL on OOM. */
static struct purg_key **fetch_keys(struct request *req, const struct fetch_plan *plan,
				    int32_t *nk)
{
	struct purg_key **keys = arena_alloc(&req->arena, ((size_t)plan->n + 1) * sizeof *keys);
	*nk = 0;
	for (int32_t i = 0; keys && i < plan->n; i++) {
		const struct fetch_item *it = &plan->items[i];
		struct partition *p = it->topic.len >= 0 ?
			rm_get(req->b->rm, it->topic.p, it->topic.len, it->p.partition) : NULL;
		if (p)
			keys[(*nk)++] = &p->waiters;
	}
	return keys;
}

/* A follower's fetch offset is its log end offset: the leader learns from it
 * how far each replica has come, which moves the high watermark. */
static void record_follower_positions(struct request *req, const struct fetch_plan *plan)
{
	for (int32_t i = 0; i < plan->n; i++) {
		const struct fetch_item *it = &plan->items[i];
		if (it->error || it->topic.len <= 0)
			continue;
		struct partition *p = rm_get(req->b->rm, it->topic.p, it->topic.len, it->p.partition);
		if (!p || !p->is_leader)
			continue;
		rm_follower_fetched(req->b->rm, p, plan->replica_id, it->p.fetch_offset,
				    loop_now_ms(req->b->loop));
		/* DeleteRecords waits for followers' log starts (v5+) */
		if (it->p.log_start_offset >= 0)
			rm_follower_log_start(req->b->rm, p, plan->replica_id, it->p.log_start_offset);
	}
}

/* ---- plans: what a request reads ---- */

static struct kstr arena_kstr(struct arena *a, const char *p, size_t n)
{
	char *c = arena_alloc(a, n + 1);
	if (c && n)
		memcpy(c, p, n);
	return c ? (struct kstr){ c, (int32_t)n } : (struct kstr){ NULL, -1 };
}

/* v13+: the topic's name now, copied (the cache may drop it while the
 * fetch is parked); UNKNOWN_TOPIC_ID if the id names no topic. */
static void resolve_id(struct request *req, struct fetch_item *it)
{
	const struct mc_topic *t = mc_topic_by_id(req->b->meta, it->topic_id);
	it->topic = t ? arena_kstr(&req->arena, t->name, strlen(t->name)) : (struct kstr){ NULL, -1 };
	if (!t)
		it->error = KERR_UNKNOWN_TOPIC_ID;
}

/* The request's own partitions, in request order. */
static int plan_from_request(struct request *req, struct fetch_plan *plan)
{
	const struct fetch_request *in = req->body;
	int64_t n = 0;
	for (int32_t i = 0; i < in->topics.n; i++)
		n += REQ_TOPIC(in, i)->partitions.n > 0 ? REQ_TOPIC(in, i)->partitions.n : 0;
	plan->items = arena_alloc(&req->arena, ((size_t)n + 1) * sizeof *plan->items);
	if (!plan->items)
		return -1;
	plan->n = 0;
	for (int32_t i = 0; i < in->topics.n; i++) {
		const struct fetch_req_topic *t = REQ_TOPIC(in, i);
		struct fetch_item proto = { .topic = t->topic };
		if (req->hdr.api_version >= 13) {
			memcpy(proto.topic_id, t->topic_id, 16);
			resolve_id(req, &proto);
		}
		for (int32_t j = 0; j < t->partitions.n; j++) {
			struct fetch_item *it = &plan->items[plan->n++];
			*it = proto;
			it->p = *REQ_PART(t, j);
		}
	}
	return 0;
}

/* A session partition as an item. Its name was resolved when it joined
 * (or is resolved now, if its id was unknown then); if that name belongs
 * to another id by now, the topic was re-created: INCONSISTENT_TOPIC_ID,
 * as Kafka answers when the log's topic id differs from the session's. */
static void item_from_session(struct request *req, const struct fetch_session *s,
			      struct fs_part *sp, struct fetch_item *it)
{
	memset(it, 0, sizeof *it);
	memcpy(it->topic_id, sp->topic_id, 16);
	it->p = (struct fetch_req_partition){
		.partition = sp->partition, .current_leader_epoch = sp->current_leader_epoch,
		.fetch_offset = sp->fetch_offset, .last_fetched_epoch = sp->last_fetched_epoch,
		.log_start_offset = sp->log_start_offset, .partition_max_bytes = sp->max_bytes,
	};
	if (s->uses_ids && !sp->topic) {
		const struct mc_topic *t = mc_topic_by_id(req->b->meta, sp->topic_id);
		if (t)
			sp->topic = strdup(t->name);
	}
	if (!sp->topic) {
		it->topic = (struct kstr){ NULL, -1 };
		it->error = s->uses_ids ? KERR_UNKNOWN_TOPIC_ID : KERR_UNKNOWN_TOPIC_OR_PARTITION;
		return;
	}
	it->topic = arena_kstr(&req->arena, sp->topic, strlen(sp->topic));
	const struct mc_topic *now = mc_topic(req->b->meta, sp->topic, (int32_t)strlen(sp->topic));
	if (s->uses_ids && now && !mc_id_is_zero(now->id) && memcmp(now->id, sp->topic_id, 16))
		it->error = KERR_INCONSISTENT_TOPIC_ID;
}

/* An incremental fetch: the request's partitions update the session's,
 * forgotten ones leave it, and the plan is every session partition. */
static int plan_incremental(struct request *req, struct fetch_session *s, struct fetch_plan *plan)
{
	const struct fetch_request *in = req->body;
	struct fetch_plan req_plan = { 0 };
	if (plan_from_request(req, &req_plan) < 0)
		return -1;
	for (int32_t i = 0; i < req_plan.n; i++) {
		const struct fetch_item *it = &req_plan.items[i];
		struct fs_part *sp = fs_upsert(s, it->topic.p, it->topic.len, it->topic_id,
					      it->p.partition);
		if (!sp)
			return -1;
		sp->fetch_offset = it->p.fetch_offset;
		sp->log_start_offset = it->p.log_start_offset;
		sp->max_bytes = it->p.partition_max_bytes;
		sp->current_leader_epoch = it->p.current_leader_epoch;
		sp->last_fetched_epoch = it->p.last_fetched_epoch;
	}
	for (int32_t i = 0; i < in->forgotten_topics_data.n; i++) {
		const struct fetch_req_forgotten_topic *f =
			&((const struct fetch_req_forgotten_topic *)in->forgotten_topics_data.v)[i];
		for (int32_t j = 0; j < f->partitions.n; j++)
			fs_forget(s, f->topic.p, f->topic.len, f->topic_id,
				  ((const int32_t *)f->partitions.v)[j]);
	}
	plan->items = arena_alloc(&req->arena, ((size_t)s->n + 1) * sizeof *plan->items);
	if (!plan->items)
		return -1;
	for (int32_t i = 0; i < s->n; i++)
		item_from_session(req, s, &s->parts[i], &plan->items[i]);
	plan->n = s->n;
	return 0;
}

/* Kafka's FetchManager.newContext: which kind of answer a request gets.
 * Epoch -1 closes the named session and is answered without one; epoch 0
 * closes it and opens a new one with the answer (a full fetch); a higher
 * epoch continues a session, which must exist (FETCH_SESSION_ID_NOT_FOUND),
 * carry exactly that epoch (INVALID_FETCH_SESSION_EPOCH) and use topic ids
 * as it did when created (FETCH_SESSION_TOPIC_ID_ERROR). */
static int plan_build(struct request *req, struct fetch_plan *plan)
{
	const struct fetch_request *in = req->body;
	struct fs_cache *cache = fetch_session_cache(req->b);
	plan->replica_id = fetch_replica_id(req);
	plan->kind = FK_SESSIONLESS;
	if (req->hdr.api_version < 7)
		return plan_from_request(req, plan);
	if (in->session_epoch == FS_FINAL_EPOCH || in->session_epoch == FS_INITIAL_EPOCH) {
		if (in->session_id != FS_INVALID_ID)
			fs_remove(cache, in->session_id);
		plan->kind = in->session_epoch == FS_INITIAL_EPOCH ? FK_FULL : FK_SESSIONLESS;
		return plan_from_request(req, plan);
	}
	struct fetch_session *s = fs_get(cache, in->session_id);
	plan->kind = FK_ERROR;
	if (!s || in->session_epoch < 0)
		plan->error = KERR_FETCH_SESSION_ID_NOT_FOUND;
	else if (s->epoch != in->session_epoch)
		plan->error = KERR_INVALID_FETCH_SESSION_EPOCH;
	else if (s->uses_ids != (req->hdr.api_version >= 13))
		plan->error = KERR_FETCH_SESSION_TOPIC_ID_ERROR;
	if (plan->error)
		return 0;
	plan->kind = FK_INCREMENTAL;
	plan->session_id = s->id;
	if (plan_incremental(req, s, plan) < 0)
		return -1;
	if (s->n == 0) {
		/* nothing left to fetch: the session ends (Kafka answers such a
		 * request without one) */
		fs_remove(cache, s->id);
		plan->kind = FK_SESSIONLESS;
		return 0;
	}
	s->epoch = fs_next_epoch(s->epoch);
	fs_touch(cache, s, loop_now_ms(req->b->loop));
	return 0;
}

void handle_fetch(struct request *req)
{
	const struct fetch_request *in = req->body;
	struct fetch_plan *plan = arena_alloc(&req->arena, sizeof *plan);
	if (!plan || (memset(plan, 0, sizeof *plan), plan_build(req, plan) < 0)) {
		request_close(req, "out of memory");
		return;
	}
	if (plan->kind == FK_ERROR) {
		fetch_respond(req, plan);
		return;
	}
	if (plan->replica_id >= 0 && authz_cluster(req, ACL_OP_CLUSTER_ACTION))
		record_follower_positions(req, plan);
	int32_t wait = in->max_wait_ms;
	if (wait <= 0 || in->min_bytes <= 0 ||
	    fetch_available(req, plan, in->min_bytes) >= in->min_bytes) {
		fetch_respond(req, plan);
		return;
	}
	struct delayed_fetch *d = calloc(1, sizeof *d);
	int32_t nk;
	struct purg_key **keys = fetch_keys(req, plan, &nk);
	if (!d || !keys) {
		free(d);
		fetch_respond(req, plan);
		return;
	}
	d->req = req;
	d->plan = plan;
	purg_op_init(&d->op, DELAYED_FETCH, delayed_fetch_ready, delayed_fetch_complete, d);
	purg_watch(&req->b->purgatory, &d->op, keys, nk,
		   wait > FETCH_MAX_WAIT_CAP_MS ? FETCH_MAX_WAIT_CAP_MS : wait);
}
