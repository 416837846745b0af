/* Fetcher: first, for partitions that just became followers, asks the leader
 * where their latest leader epoch ends (OffsetForLeaderEpoch) and truncates a
 * divergent tail (KIP-101/279); then builds a Fetch v11 over its partitions,
 * appends each partition's records on the answer, and fetches again; backs
 * off after errors. Partitions are looked up again by name in every answer,
 * so a partition dropped while a request was in flight is simply skipped. */
#include "broker/replica/fetcher.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker/broker.h"
#include "broker/net_client.h"
#include "broker/quota/replication_quota.h"
#include "broker/replica/replica_manager.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/proto/kerr.h"
#include "common/proto/messages.h"
#include "common/proto/record_batch.h"

#define FETCH_VERSION 11
#define EPOCH_VERSION 3
/* beyond replica.fetch.wait.max.ms, before a fetch counts as stuck */
#define FETCH_STALE_SLACK_MS 5000

struct fetcher {
	struct fetcher *next;
	struct replica_manager *rm;
	int32_t leader_id;
	struct net_client *nc;
	struct partition *parts; /* linked through partition->fnext */
	struct loop_timer backoff;
	struct arena arena;      /* the request being built */
	int flush_wait;          /* the next fetch waits for append flushes */
};

static void fetcher_send(struct fetcher *f);

static struct fetcher *fetcher_get(struct replica_manager *rm, int32_t leader_id)
{
	for (struct fetcher *f = rm->fetchers; f; f = f->next)
		if (f->leader_id == leader_id)
			return f;
	return NULL;
}

static void fetcher_backoff_done(struct loop_timer *t)
{
	fetcher_send(t->arg);
}

/* LeaderAndIsr tends to follow a network fault: this broker lost its
 * session, or a leader moved. A fetch the leader should have answered
 * long ago (it holds one at most replica.fetch.wait.max.ms) is then most
 * likely stuck on a connection that died with the fault, and would hold
 * every partition of this leader until replica.socket.timeout.ms (30 s):
 * after a network partition healed, the ISR stayed short that long. */
static void fetcher_drop_stale(struct fetcher *f)
{
	const struct broker_config *cfg = f->rm->b->cfg;
	int64_t stale_ms = (int64_t)cfg->replica_fetch_wait_max_ms + FETCH_STALE_SLACK_MS;
	int64_t waited = net_client_waiting_ms(f->nc, clock_mono_ms());
	if (waited <= stale_ms)
		return;
	log_info("replica", "request to leader %d unanswered for %lld ms: reconnecting",
		 f->leader_id, (long long)waited);
	net_client_reset(f->nc);
}

void fetcher_add(struct replica_manager *rm, int32_t leader_id, const char *host,
		 int port, struct partition *p)
{
	struct fetcher *f = fetcher_get(rm, leader_id);
	if (!f) {
		char client_id[32];
		snprintf(client_id, sizeof client_id, "broker-%d-fetcher", rm->b->id);
		f = calloc(1, sizeof *f);
		if (!f || !(f->nc = net_client_new(rm->b->loop, client_id, &rm->b->inter_broker))) {
			free(f);
			log_error("replica", "cannot create fetcher for leader %d", leader_id);
			return;
		}
		f->rm = rm;
		f->leader_id = leader_id;
		arena_init(&f->arena);
		loop_timer_init(&f->backoff, fetcher_backoff_done, f);
		f->next = rm->fetchers;
		rm->fetchers = f;
	}
	net_client_target(f->nc, host, port);
	fetcher_drop_stale(f);
	p->fetcher = f;
	p->fnext = f->parts;
	f->parts = p;
	if (!net_client_busy(f->nc) && !loop_timer_armed(&f->backoff))
		fetcher_send(f);
}

/* A fetch offset is this follower's log end as the leader counts it for
 * the high watermark: with a flush per message it is sent only once the
 * log is flushed up to it (log_flush_awaited), as when the flush ran
 * inside the append. The flushes of one answer's partitions run back to
 * back on the flusher thread, so the fetcher waits for all of them and
 * sends one fetch (one that left some partitions out would hold them for a
 * whole replica.fetch.wait.max.ms behind the others). */
static int flush_awaited(const struct fetcher *f)
{
	for (const struct partition *p = f->parts; p; p = p->fnext)
		if (p->log && log_flush_awaited(p->log))
			return 1;
	return 0;
}

void fetcher_flushed(struct fetcher *f)
{
	if (f->flush_wait && !flush_awaited(f)) {
		f->flush_wait = 0;
		fetcher_send(f);
	}
}

void fetcher_remove(struct fetcher *f, struct partition *p)
{
	for (struct partition **pp = &f->parts; *pp; pp = &(*pp)->fnext)
		if (*pp == p) {
			*pp = p->fnext;
			break;
		}
	p->fetcher = NULL;
	p->fnext = NULL;
	fetcher_flushed(f); /* p may have been the one it waited for */
}

void fetchers_free(struct replica_manager *rm)
{
	while (rm->fetchers) {
		struct fetcher *f = rm->fetchers;
		rm->fetchers = f->next;
		f->flush_wait = 0; /* nothing is sent any more */
		while (f->parts)
			fetcher_remove(f, f->parts);
		loop_timer_stop(rm->b->loop, &f->backoff);
		net_client_free(f->nc);
		arena_free(&f->arena);
		free(f);
	}
}

static void fetcher_retry_later(struct fetcher *f)
{
	int32_t ms = f->rm->b->cfg->replica_fetch_backoff_ms;
	loop_timer_start(f->rm->b->loop, &f->backoff, ms > 0 ? ms : 1000);
}

/* DeleteRecords can leave the leader's log start inside a batch; an empty
 * follower that starts there is sent the whole batch, which begins below
 * its log end and would be refused. As Kafka's follower does, the empty
 * log restarts at the batch's base offset; its log start then follows the
 * leader's again once the batch is in (handle_partition). */
static void follower_align_empty_log(struct partition *p, const uint8_t *data, size_t len)
{
	struct rb_header h;
	int64_t leo = partition_log_end(p);
	if (!data || leo != partition_log_start(p) || rb_parse_header(data, len, &h) < 0 ||
	    h.base_offset >= leo || rb_last_offset(&h) < leo)
		return;
	log_info("replica", "%s-%d: the leader's first batch starts at %lld, below our empty "
		 "log's start %lld: starting at the batch", p->topic, p->index,
		 (long long)h.base_offset, (long long)leo);
	partition_truncate_fully(p, h.base_offset);
}

/* Returns 1 if the partition's answer was an error worth backing off for. */
static int handle_partition(struct fetcher *f, struct kstr topic,
			    const struct fetch_resp_partition *rp)
{
	struct replica_manager *rm = f->rm;
	struct partition *p = rm_get(rm, topic.p, topic.len, rp->partition_index);
	if (!p || p->fetcher != f)
		return 0;
	if (rp->error_code == KERR_OFFSET_OUT_OF_RANGE &&
	    rp->log_start_offset > partition_log_end(p)) {
		/* the leader deleted what we would need next: start at its start */
		log_warn("replica", "%s-%d: behind leader %d's log start %lld, starting over there",
			 p->topic, p->index, f->leader_id, (long long)rp->log_start_offset);
		partition_truncate_fully(p, rp->log_start_offset);
		return 0;
	}
	if (rp->error_code == KERR_OFFSET_OUT_OF_RANGE) {
		p->truncating = 1; /* ahead of the leader: find the divergence */
		return 0;
	}
	if (rp->error_code) {
		/* e.g. the leader has not yet heard it leads: ask again later */
		log_debug("replica", "%s-%d: fetch from leader %d: %s", p->topic, p->index,
			  f->leader_id, kerr_name(rp->error_code));
		return 1;
	}
	const uint8_t *data = rp->records.len > 0 ? rp->records.p : NULL;
	follower_align_empty_log(p, data, data ? (size_t)rp->records.len : 0);
	repl_quota_record(rm->b, REPL_FOLLOWER, p, data ? rp->records.len : 0);
	int rc = rm_append_replica(rm, p, data, data ? (size_t)rp->records.len : 0,
				   rp->high_watermark);
	if (rc < 0) {
		log_error("replica", "%s-%d: cannot append %d bytes from leader %d at offset %lld",
			  p->topic, p->index, rp->records.len, f->leader_id,
			  (long long)partition_log_end(p));
		p->truncating = 1; /* the logs disagree: find where */
		return 1;
	}
	/* DeleteRecords on the leader: follow its log start (Kafka's
	 * maybeIncrementLogStartOffset on the follower), never past our end */
	if (rp->log_start_offset > partition_log_start(p)) {
		int64_t leo = partition_log_end(p);
		int64_t to = rp->log_start_offset < leo ? rp->log_start_offset : leo;
		if (rm_advance_log_start(rm, p, to) < 0)
			log_error("replica", "%s-%d: cannot move the log start to %lld",
				  p->topic, p->index, (long long)to);
	}
	return 0;
}

static void fetcher_done(struct net_client *nc, int err, void *resp, void *arg)
{
	(void)nc;
	struct fetcher *f = arg;
	arena_reset(&f->arena);
	if (err) {
		fetcher_retry_later(f);
		return;
	}
	const struct fetch_response *r = resp;
	if (r->error_code) {
		log_warn("replica", "fetch from leader %d: %s", f->leader_id, kerr_name(r->error_code));
		fetcher_retry_later(f);
		return;
	}
	int errors = 0;
	for (int32_t i = 0; i < r->responses.n; i++) {
		const struct fetch_resp_topic *t = &((const struct fetch_resp_topic *)r->responses.v)[i];
		for (int32_t j = 0; j < t->partitions.n; j++)
			errors += handle_partition(f, t->topic,
						   &((const struct fetch_resp_partition *)t->partitions.v)[j]);
	}
	if (errors)
		fetcher_retry_later(f);
	else
		fetcher_send(f);
}

/* Whether a partition goes into the next Fetch: not while its tail is
 * being checked, nor while the follower replication throttle holds it. */
static int fetchable(struct fetcher *f, const struct partition *p, int *throttled)
{
	if (p->truncating)
		return 0;
	if (repl_quota_follower_skip(f->rm->b, p)) {
		*throttled = 1;
		return 0;
	}
	return 1;
}

/* Groups the followed partitions by topic into a Fetch request; NULL with
 * *throttled set when throttled partitions were all it had. */
static struct fetch_request *build_request(struct fetcher *f, int *throttled)
{
	const struct broker_config *cfg = f->rm->b->cfg;
	int32_t n = 0;
	for (struct partition *p = f->parts; p; p = p->fnext)
		n += fetchable(f, p, throttled);
	if (n == 0)
		return NULL;
	struct fetch_request *req = arena_alloc(&f->arena, sizeof *req);
	struct fetch_req_topic *topics = arena_alloc(&f->arena, (size_t)n * sizeof *topics);
	struct fetch_req_partition *parts = arena_alloc(&f->arena, (size_t)n * sizeof *parts);
	if (!req || !topics || !parts)
		return NULL;
	req->replica_id = f->rm->b->id;
	req->max_wait_ms = cfg->replica_fetch_wait_max_ms;
	req->min_bytes = cfg->replica_fetch_min_bytes;
	req->max_bytes = cfg->replica_fetch_response_max_bytes;
	req->session_epoch = -1;
	req->rack_id = (struct kstr){ "", 0 };
	int32_t nt = 0, k = 0;
	/* partitions of one topic are adjacent in parts[]: one pass per topic */
	int ignore = 0;
	for (struct partition *p = f->parts; p; p = p->fnext) {
		if (!fetchable(f, p, &ignore))
			continue;
		int seen = 0;
		for (int32_t t = 0; t < nt && !seen; t++)
			seen = strcmp(topics[t].topic.p, p->topic) == 0;
		if (seen)
			continue;
		topics[nt].topic = (struct kstr){ p->topic, (int32_t)strlen(p->topic) };
		topics[nt].partitions.v = &parts[k];
		for (struct partition *q = p; q; q = q->fnext) {
			if (strcmp(q->topic, p->topic) != 0 || !fetchable(f, q, &ignore))
				continue;
			parts[k] = (struct fetch_req_partition){
				.partition = q->index,
				.current_leader_epoch = q->leader_epoch,
				.fetch_offset = partition_log_end(q),
				.last_fetched_epoch = -1,
				.log_start_offset = partition_log_start(q),
				.partition_max_bytes = cfg->replica_fetch_max_bytes,
			};
			k++;
			topics[nt].partitions.n++;
		}
		nt++;
	}
	req->topics = (struct karray){ nt, topics };
	req->forgotten_topics_data = (struct karray){ 0, NULL };
	return req;
}

/* Where to cut a follower's log given the leader's answer for its latest
 * epoch (docs/zookeeper.md §3): undefined → the high watermark; an epoch the
 * leader does not have → the end of our largest epoch at or below the one the
 * leader answered; else the leader's end offset for it. Never above our LEO. */
static int64_t truncation_point(struct partition *p, int32_t asked,
				int32_t leader_epoch, int64_t leader_end)
{
	int64_t leo = partition_log_end(p), at = leo;
	if (leader_epoch < 0 || leader_end < 0) {
		at = p->high_watermark;
	} else if (leader_epoch < asked) {
		int32_t e;
		int64_t ours;
		partition_epoch_end(p, leader_epoch, &e, &ours);
		at = ours >= 0 && ours < leader_end ? ours : leader_end;
	} else {
		at = leader_end;
	}
	return at < leo ? at : leo;
}

static void truncate_partition(struct fetcher *f, struct kstr topic,
			       const struct offset_for_leader_epoch_resp_partition *rp)
{
	struct partition *p = rm_get(f->rm, topic.p, topic.len, rp->partition);
	if (!p || p->fetcher != f || !p->truncating)
		return;
	if (rp->error_code) {
		log_warn("replica", "%s-%d: epoch lookup at leader %d: %s", p->topic, p->index,
			 f->leader_id, kerr_name(rp->error_code));
		return; /* stays truncating; retried after the back-off */
	}
	int64_t at = truncation_point(p, partition_latest_epoch(p), rp->leader_epoch, rp->end_offset);
	if (at < partition_log_end(p)) {
		log_warn("replica", "%s-%d: truncating divergent tail %lld..%lld (leader %d epoch %d ends at %lld)",
			 p->topic, p->index, (long long)at, (long long)partition_log_end(p),
			 f->leader_id, rp->leader_epoch, (long long)rp->end_offset);
		if (partition_truncate_to(p, at) < 0)
			return;
	}
	if (p->high_watermark > partition_log_end(p))
		p->high_watermark = partition_log_end(p);
	p->truncating = 0;
}

static void epochs_done(struct net_client *nc, int err, void *resp, void *arg)
{
	(void)nc;
	struct fetcher *f = arg;
	arena_reset(&f->arena);
	if (err) {
		fetcher_retry_later(f);
		return;
	}
	const struct offset_for_leader_epoch_response *r = resp;
	for (int32_t i = 0; i < r->topics.n; i++) {
		const struct offset_for_leader_epoch_resp_topic *t =
			&((const struct offset_for_leader_epoch_resp_topic *)r->topics.v)[i];
		for (int32_t j = 0; j < t->partitions.n; j++)
			truncate_partition(f, t->topic,
					   &((const struct offset_for_leader_epoch_resp_partition *)t->partitions.v)[j]);
	}
	int stuck = 0;
	for (struct partition *p = f->parts; p; p = p->fnext)
		stuck |= p->truncating;
	if (stuck)
		fetcher_retry_later(f);
	else
		fetcher_send(f);
}

/* Partitions without any epoch need no question: an empty log has nothing
 * to cut, and otherwise (data from before epochs were kept) the high
 * watermark is all that is known to be shared with the leader. */
static int settle_without_epochs(struct partition *p)
{
	if (partition_latest_epoch(p) >= 0)
		return 0;
	if (partition_log_end(p) > p->high_watermark)
		partition_truncate_to(p, p->high_watermark);
	p->truncating = 0;
	return 1;
}

/* One topic entry per truncating partition: duplicates of a topic name are
 * legal in the request and keep this simple. */
static struct offset_for_leader_epoch_request *build_epoch_request(struct fetcher *f)
{
	int32_t n = 0;
	for (struct partition *p = f->parts; p; p = p->fnext)
		n += p->truncating && !settle_without_epochs(p);
	if (n == 0)
		return NULL;
	struct offset_for_leader_epoch_request *req = arena_alloc(&f->arena, sizeof *req);
	struct offset_for_leader_epoch_req_topic *topics = arena_alloc(&f->arena, (size_t)n * sizeof *topics);
	struct offset_for_leader_epoch_req_partition *parts = arena_alloc(&f->arena, (size_t)n * sizeof *parts);
	if (!req || !topics || !parts)
		return NULL;
	int32_t k = 0;
	for (struct partition *p = f->parts; p; p = p->fnext) {
		if (!p->truncating)
			continue;
		parts[k] = (struct offset_for_leader_epoch_req_partition){
			.partition = p->index,
			.current_leader_epoch = p->leader_epoch,
			.leader_epoch = partition_latest_epoch(p),
		};
		topics[k].topic = (struct kstr){ p->topic, (int32_t)strlen(p->topic) };
		topics[k].partitions = (struct karray){ 1, &parts[k] };
		k++;
	}
	req->replica_id = f->rm->b->id;
	req->topics = (struct karray){ k, topics };
	return req;
}

static void fetcher_send(struct fetcher *f)
{
	if (!f->parts || net_client_busy(f->nc))
		return;
	int32_t timeout = f->rm->b->cfg->replica_socket_timeout_ms;
	timeout = timeout > 0 ? timeout : 30000;
	struct offset_for_leader_epoch_request *ereq = build_epoch_request(f);
	if (ereq) {
		if (net_client_send(f->nc, 23, EPOCH_VERSION, ereq, timeout, epochs_done, f) < 0) {
			arena_reset(&f->arena);
			fetcher_retry_later(f);
		}
		return;
	}
	if (flush_awaited(f)) {
		f->flush_wait = 1; /* fetcher_flushed sends it */
		return;
	}
	int throttled = 0;
	struct fetch_request *req = build_request(f, &throttled);
	if (!req) {
		arena_reset(&f->arena);
		if (throttled)
			fetcher_retry_later(f); /* until the throttle lets go */
		return; /* else nothing to fetch until a partition is added */
	}
	if (net_client_send(f->nc, 1, FETCH_VERSION, req, timeout, fetcher_done, f) < 0) {
		arena_reset(&f->arena);
		fetcher_retry_later(f);
	}
}
