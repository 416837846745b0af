/* The Prometheus page of one broker: every series of docs/metrics.md, read
 * from the replica manager, the metadata cache, the group coordinator and
 * the coordination thread's atomic stats when a scrape asks. */
#include "broker/metrics.h"

#include <stdio.h>
#include <string.h>

#include "broker/broker.h"
#include "broker/group/coordinator.h"
#include "broker/handlers/fetch_session.h"
#include "broker/metadata_cache.h"
#include "broker/replica/replica_manager.h"
#include "broker/topic_config.h"
#include "broker/txn/txn_coordinator.h"
#include "common/proto/apis.h"

static void family(struct mtext *t, const char *name, const char *type, const char *help)
{
	mtext_printf(t, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* ---- BrokerTopicMetrics: all topics, then one series per topic ---- */

enum tm_field { TM_MSGS_IN, TM_BYTES_IN, TM_BYTES_OUT, TM_PRODUCE, TM_PRODUCE_FAILED,
		TM_FETCH, TM_FETCH_FAILED, TM_FETCH_CONVERSIONS, TM_COUNT };
static const struct {
	const char *name, *help;
} tm_names[TM_COUNT] = {
	{ "messagesin", "Records appended by this broker as leader" },
	{ "bytesin", "Bytes of record batches appended by this broker as leader" },
	{ "bytesout", "Bytes of records sent to consumers (not to followers)" },
	{ "totalproducerequests", "Produce requests per topic" },
	{ "failedproducerequests", "Produce requests that failed per topic" },
	{ "totalfetchrequests", "Consumer fetch requests per topic" },
	{ "failedfetchrequests", "Consumer fetch requests that failed per topic" },
	{ "fetchmessageconversions", "Records down-converted to magic 0/1 for Fetch v0-3" },
};

static uint64_t tm_get(const struct topic_metrics *m, int f)
{
	switch (f) {
	case TM_MSGS_IN: return m->messages_in;
	case TM_BYTES_IN: return m->bytes_in;
	case TM_BYTES_OUT: return m->bytes_out;
	case TM_PRODUCE: return m->produce_total;
	case TM_PRODUCE_FAILED: return m->produce_failed;
	case TM_FETCH: return m->fetch_total;
	case TM_FETCH_CONVERSIONS: return m->fetch_conversions;
	default: return m->fetch_failed;
	}
}

static void render_topics(struct broker_metrics *m, struct mtext *t)
{
	for (int f = 0; f < TM_COUNT; f++) {
		char name[96];
		snprintf(name, sizeof name, "kafka_server_brokertopicmetrics_%s_total",
			 tm_names[f].name);
		family(t, name, "counter", tm_names[f].help);
		mtext_printf(t, "%s %llu\n", name, (unsigned long long)tm_get(&m->all, f));
		const char *k;
		void *v;
		for (size_t i = 0; strmap_next(&m->topics, &i, &k, &v);) {
			mtext_printf(t, "%s{topic=\"", name);
			mtext_label(t, k, strlen(k));
			mtext_printf(t, "\"} %llu\n", (unsigned long long)tm_get(v, f));
		}
	}
}

/* ---- RequestMetrics ---- */

static void render_requests(struct broker_metrics *m, struct mtext *t, int64_t now)
{
	static const double qs[] = { 0.50, 0.75, 0.95, 0.98, 0.99, 0.999 };
	family(t, "kafka_network_requestmetrics_requests_total", "counter",
	       "Requests received per API and version");
	for (int k = 0; k < METRICS_MAX_API; k++) {
		const struct kapi *api = kapi_find((int16_t)k);
		for (int v = 0; api && v < METRICS_MAX_VER; v++)
			if (m->requests[k][v])
				mtext_printf(t, "kafka_network_requestmetrics_requests_total"
					     "{request=\"%s\",version=\"%d\"} %llu\n", api->name, v,
					     (unsigned long long)m->requests[k][v]);
	}
	family(t, "kafka_network_requestmetrics_totaltimems", "summary",
	       "Milliseconds from a request's arrival to its response (recent window)");
	for (int k = 0; k < METRICS_MAX_API; k++) {
		const struct kapi *api = kapi_find((int16_t)k);
		const struct latency *l = &m->total_time[k];
		if (!api || !l->count)
			continue;
		for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++)
			mtext_printf(t, "kafka_network_requestmetrics_totaltimems"
				     "{request=\"%s\",quantile=\"%g\"} %g\n", api->name, qs[i],
				     latency_quantile(l, qs[i], now));
		mtext_printf(t, "kafka_network_requestmetrics_totaltimems_sum{request=\"%s\"} %.3f\n",
			     api->name, l->sum_ms);
		mtext_printf(t, "kafka_network_requestmetrics_totaltimems_count{request=\"%s\"} %llu\n",
			     api->name, (unsigned long long)l->count);
	}
}

/* ---- ReplicaManager, purgatory, log ---- */

struct rm_counts {
	int64_t partitions, leaders, under_replicated, under_min_isr, offline;
};

static void count_partitions(struct broker *b, struct rm_counts *c)
{
	const char *k;
	void *v;
	memset(c, 0, sizeof *c);
	for (size_t i = 0; strmap_next(&b->rm->parts, &i, &k, &v);) {
		const struct partition *p = v;
		c->partitions++;
		c->offline += rm_partition_offline(b->rm, p);
		if (!p->is_leader)
			continue;
		c->leaders++;
		c->under_replicated += p->nisr < p->nreplicas;
		struct topic_config tc;
		topic_config_effective(b, p->topic, (int32_t)strlen(p->topic), &tc);
		c->under_min_isr += p->nisr < tc.min_insync_replicas;
	}
}

static void gauge(struct mtext *t, const char *name, const char *help, int64_t v)
{
	family(t, name, "gauge", help);
	mtext_printf(t, "%s %lld\n", name, (long long)v);
}

static void counter(struct mtext *t, const char *name, const char *help, uint64_t v)
{
	family(t, name, "counter", help);
	mtext_printf(t, "%s %llu\n", name, (unsigned long long)v);
}

static void render_replica_manager(struct broker *b, struct mtext *t)
{
	struct rm_counts c;
	count_partitions(b, &c);
	gauge(t, "kafka_server_replicamanager_partitioncount", "Partitions on this broker",
	      c.partitions);
	gauge(t, "kafka_server_replicamanager_leadercount", "Partitions this broker leads",
	      c.leaders);
	gauge(t, "kafka_server_replicamanager_underreplicatedpartitions",
	      "Led partitions whose ISR is smaller than their replica set", c.under_replicated);
	gauge(t, "kafka_server_replicamanager_underminisrpartitioncount",
	      "Led partitions whose ISR is below min.insync.replicas", c.under_min_isr);
	gauge(t, "kafka_server_replicamanager_offlinereplicacount",
	      "Replicas on this broker that are offline (in a failed log dir)", c.offline);
	gauge(t, "kafka_log_logmanager_offlinelogdirectorycount",
	      "Log directories of this broker that failed", b->rm->dirs_offline);
	counter(t, "kafka_server_replicamanager_isrshrinks_total", "ISR shrinks by this leader",
		b->metrics->isr_shrinks);
	counter(t, "kafka_server_replicamanager_isrexpands_total", "ISR expands by this leader",
		b->metrics->isr_expands);
}

/* Kafka's FetchSessionCache metrics (KIP-227) */
static void render_fetch_sessions(struct broker *b, struct mtext *t)
{
	const struct fs_cache *c = fetch_session_cache(b);
	gauge(t, "kafka_server_fetchsessioncache_numincrementalfetchsessions",
	      "Fetch sessions this broker keeps", c->n);
	gauge(t, "kafka_server_fetchsessioncache_numincrementalfetchpartitionscached",
	      "Partitions over all fetch sessions", fs_cache_partitions(c));
	counter(t, "kafka_server_fetchsessioncache_incrementalfetchsessionevictions_total",
		"Fetch sessions evicted to make room for others", c->evicted);
}

static void render_purgatory(struct broker *b, struct mtext *t)
{
	int64_t n[4] = { 0 };
	for (int k = 0; k < 4; k++)
		n[k] = purg_size(&b->purgatory, k);
	family(t, "kafka_server_delayedoperationpurgatory_purgatorysize", "gauge",
	       "Requests parked as delayed operations");
	static const char *const names[4] = { NULL, "Produce", "Fetch", "DeleteRecords" };
	for (int i = 1; i < 4; i++)
		mtext_printf(t, "kafka_server_delayedoperationpurgatory_purgatorysize"
			     "{delayedoperation=\"%s\"} %lld\n", names[i], (long long)n[i]);
}

static void log_series(struct mtext *t, const char *name, const struct partition *p, int64_t v)
{
	mtext_printf(t, "%s{topic=\"", name);
	mtext_label(t, p->topic, strlen(p->topic));
	mtext_printf(t, "\",partition=\"%d\"} %lld\n", p->index, (long long)v);
}

static void render_logs(struct broker *b, struct mtext *t)
{
	static const char *const names[4] = { "kafka_log_log_size", "kafka_log_log_logendoffset",
					      "kafka_log_log_logstartoffset",
					      "kafka_log_log_numlogsegments" };
	static const char *const help[4] = { "Bytes of the partition's log", "Log end offset",
					     "Log start offset", "Segments of the log" };
	for (int f = 0; f < 4; f++) {
		family(t, names[f], "gauge", help[f]);
		const char *k;
		void *v;
		for (size_t i = 0; strmap_next(&b->rm->parts, &i, &k, &v);) {
			const struct partition *p = v;
			int64_t x = f == 0 ? partition_size_bytes(p) : f == 1 ? partition_log_end(p) :
				    f == 2 ? partition_log_start(p) :
					     (int64_t)partition_segment_count(p);
			log_series(t, names[f], p, x);
		}
	}
	const struct latency *fl = &b->metrics->flush;
	int64_t now = loop_now_ms(b->loop);
	family(t, "kafka_log_logflushstats_logflushrateandtimems", "summary",
	       "Milliseconds per log flush (segment data; a roll's also syncs the sealed indexes)");
	static const double qs[] = { 0.50, 0.99, 0.999 };
	for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++)
		mtext_printf(t, "kafka_log_logflushstats_logflushrateandtimems{quantile=\"%g\"} %g\n",
			     qs[i], latency_quantile(fl, qs[i], now));
	mtext_printf(t, "kafka_log_logflushstats_logflushrateandtimems_sum %.3f\n", fl->sum_ms);
	mtext_printf(t, "kafka_log_logflushstats_logflushrateandtimems_count %llu\n",
		     (unsigned long long)fl->count);
	/* Kafka's MessageConversionsTimeMs of Fetch (down-conversion for v0-3) */
	const struct latency *cv = &b->metrics->fetch_conversion_time;
	const char *cn = "kafka_network_requestmetrics_messageconversionstimems";
	family(t, cn, "summary", "Milliseconds spent down-converting records for Fetch v0-3");
	for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++)
		mtext_printf(t, "%s{request=\"Fetch\",quantile=\"%g\"} %g\n", cn, qs[i],
			     latency_quantile(cv, qs[i], now));
	mtext_printf(t, "%s_sum{request=\"Fetch\"} %.3f\n", cn, cv->sum_ms);
	mtext_printf(t, "%s_count{request=\"Fetch\"} %llu\n", cn, (unsigned long long)cv->count);
}

/* ---- controller and ZooKeeper ---- */

static void render_controller(struct broker *b, struct mtext *t)
{
	int active = coord_controller_id(b->coord) == b->id;
	int64_t offline = 0, parts = 0, topics = 0;
	const char *k;
	void *v;
	/* as in Kafka only the active controller reports the cluster's counts */
	for (size_t i = 0; active && strmap_next(&b->meta->topics, &i, &k, &v);) {
		const struct mc_topic *mt = v;
		topics++;
		for (int32_t j = 0; j < mt->npartitions; j++) {
			parts++;
			offline += mt->parts[j].exists && mt->parts[j].leader < 0;
		}
	}
	gauge(t, "kafka_controller_kafkacontroller_activecontrollercount",
	      "1 on the broker that is the active controller", active);
	gauge(t, "kafka_controller_kafkacontroller_offlinepartitionscount",
	      "Partitions without a leader (active controller only)", offline);
	gauge(t, "kafka_controller_kafkacontroller_globalpartitioncount",
	      "Partitions in the cluster (active controller only)", parts);
	gauge(t, "kafka_controller_kafkacontroller_globaltopiccount",
	      "Topics in the cluster (active controller only)", topics);
	gauge(t, "kafka_server_kafkaserver_brokerstate",
	      "3 running, 7 pending controlled shutdown (Kafka's BrokerState)",
	      b->shutting_down ? 7 : 3);
}

static void render_zookeeper(struct broker *b, struct mtext *t)
{
	static const char *const states[] = { "CONNECTED", "CONNECTING", "EXPIRED",
					      "AUTH_FAILED", "CLOSED" };
	struct coord_zk_stats z;
	coord_zk_stats(b->coord, &z);
	family(t, "kafka_server_sessionexpirelistener_sessionstate", "gauge",
	       "1 for the ZooKeeper session's current state");
	for (size_t i = 0; i < sizeof states / sizeof states[0]; i++)
		mtext_printf(t, "kafka_server_sessionexpirelistener_sessionstate{state=\"%s\"} %d\n",
			     states[i], strcmp(states[i], z.state) == 0);
	counter(t, "kafka_server_sessionexpirelistener_zookeeperdisconnects_total",
		"Times the ZooKeeper connection was lost", (uint64_t)z.disconnects);
	counter(t, "kafka_server_sessionexpirelistener_zookeeperexpires_total",
		"Times the ZooKeeper session expired", (uint64_t)z.expires);
}

/* ---- transactions ---- */

/* No Kafka MBean counts these; the names follow the exporter's shape under
 * Kafka's transaction coordinator domain. */
static void render_transactions(struct broker *b, struct mtext *t)
{
	struct txn_coordinator *tc = tc_get(b);
	gauge(t, "kafka_coordinator_transaction_transactionstatemanager_ongoingpasttimeout",
	      "Ongoing transactions this coordinator holds open past their transaction.timeout.ms",
	      tc ? tc_count_past_timeout(tc) : 0);
	counter(t, "kafka_coordinator_transaction_transactionstatemanager_timedoutaborts_total",
		"Transactions this coordinator aborted because they outlived their timeout",
		tc ? tc_stats(tc)->timed_out_total : 0);
}

/* ---- consumer groups (kafka-exporter's names) ---- */

struct lag_ctx {
	struct broker *b;
	struct mtext *t;
	int lag; /* 0: current offsets pass, 1: lag pass */
};

static void group_series(void *arg, const char *group, const struct group_offset *o)
{
	struct lag_ctx *c = arg;
	int64_t v = o->offset;
	if (c->lag) {
		/* lag needs the partition's end: known where this broker holds a
		 * replica (its high watermark) */
		struct partition *p = rm_get(c->b->rm, o->topic, (int32_t)strlen(o->topic),
					     o->partition);
		if (!p)
			return;
		v = p->high_watermark > o->offset ? p->high_watermark - o->offset : 0;
	}
	mtext_printf(c->t, "%s{consumergroup=\"",
		     c->lag ? "kafka_consumergroup_lag" : "kafka_consumergroup_current_offset");
	mtext_label(c->t, group, strlen(group));
	mtext_printf(c->t, "\",topic=\"");
	mtext_label(c->t, o->topic, strlen(o->topic));
	mtext_printf(c->t, "\",partition=\"%d\"} %lld\n", o->partition, (long long)v);
}

static void render_groups(struct broker *b, struct mtext *t)
{
	struct group_coordinator *gc = gc_peek(b);
	struct lag_ctx c = { b, t, 0 };
	family(t, "kafka_consumergroup_current_offset", "gauge",
	       "Committed offset of a group this broker coordinates");
	if (gc)
		gc_each_offset(gc, group_series, &c);
	family(t, "kafka_consumergroup_lag", "gauge",
	       "High watermark minus committed offset (partitions with a replica here)");
	c.lag = 1;
	if (gc)
		gc_each_offset(gc, group_series, &c);
}

void metrics_render(struct broker *b, struct mtext *t)
{
	render_topics(b->metrics, t);
	render_requests(b->metrics, t, loop_now_ms(b->loop));
	render_replica_manager(b, t);
	render_purgatory(b, t);
	render_fetch_sessions(b, t);
	render_logs(b, t);
	render_controller(b, t);
	render_zookeeper(b, t);
	render_transactions(b, t);
	render_groups(b, t);
	metrics_render_quotas(b, t);
}
