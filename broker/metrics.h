/* Broker metrics, served in Prometheus text format on metrics.listen.
 *
 * Names and labels are those the Prometheus JMX exporter's standard Kafka
 * rules give Kafka's MBeans (kafka.server:type=BrokerTopicMetrics,
 * name=MessagesInPerSec,topic=t becomes
 * kafka_server_brokertopicmetrics_messagesin_total{topic="t"}), so dashboards
 * made for Kafka read Gregor unchanged; docs/metrics.md lists every series.
 *
 * Everything here belongs to the event-loop thread: counters are plain
 * integers bumped without locks or allocation (a topic's counters are
 * allocated once, the first time the topic is seen). Values owned by the
 * coordination thread are read through coord's atomic accessors when a
 * scrape renders the page.
 *
 *   metrics_new / metrics_free / metrics_listen
 *   metrics_topic                      a topic's counters (created on first use)
 *   metrics_request_done               a request's count and total time
 *   latency_record / latency_quantile  the windowed latency histograms
 *   metrics_render                     the whole page */
#ifndef GREGOR_METRICS_H
#define GREGOR_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "common/strmap.h"

struct broker;

#define METRICS_MAX_API 80
#define METRICS_MAX_VER 20
#define LATENCY_BUCKETS 28

/* A latency distribution over roughly the last two windows (Kafka's
 * histograms decay the same way: quantiles describe recent requests), plus
 * all-time count and sum. Values in milliseconds. */
struct latency {
	uint64_t cur[LATENCY_BUCKETS], prev[LATENCY_BUCKETS];
	int64_t window_start_ms;
	uint64_t count;
	double sum_ms;
};

void latency_record(struct latency *l, double ms, int64_t now_ms);
/* The q-quantile (0 < q < 1) of the recent window(s): the upper bound of the
 * bucket it falls in, 0 with no samples. */
double latency_quantile(const struct latency *l, double q, int64_t now_ms);

struct topic_metrics {
	uint64_t messages_in, bytes_in, bytes_out;
	uint64_t produce_total, produce_failed;
	uint64_t fetch_total, fetch_failed;
	uint64_t fetch_conversions; /* records down-converted for Fetch v0-3 */
};

struct broker_metrics {
	struct topic_metrics all;
	struct strmap topics; /* name -> struct topic_metrics, never removed */
	uint64_t requests[METRICS_MAX_API][METRICS_MAX_VER];
	struct latency total_time[METRICS_MAX_API];
	uint64_t isr_shrinks, isr_expands;
	struct latency flush;
	struct latency fetch_conversion_time; /* per down-converted partition read */
	struct metrics_http *http; /* NULL when metrics.listen is unset */
};

struct broker_metrics *metrics_new(void);
void metrics_free(struct broker_metrics *m);
/* Serves GET /metrics on "host:port" (host may be empty or 0.0.0.0).
 * Returns 0 or -errno. */
int metrics_listen(struct broker *b, const char *spec);
/* Closes the endpoint and its connections. */
void metrics_stop(struct broker *b);

/* A topic's counters; NULL only when out of memory (callers skip counting). */
struct topic_metrics *metrics_topic(struct broker_metrics *m, const char *topic, size_t len);

/* Counting helpers for the hot path: no lookup, no allocation. */
static inline void metrics_count_append(struct broker_metrics *m, struct topic_metrics *tm,
					uint64_t records, uint64_t bytes)
{
	m->all.messages_in += records;
	m->all.bytes_in += bytes;
	if (tm) {
		tm->messages_in += records;
		tm->bytes_in += bytes;
	}
}

static inline void metrics_count_produce(struct broker_metrics *m, struct topic_metrics *tm,
					 int failed)
{
	m->all.produce_total++;
	m->all.produce_failed += failed != 0;
	if (tm) {
		tm->produce_total++;
		tm->produce_failed += failed != 0;
	}
}

static inline void metrics_count_fetch(struct broker_metrics *m, struct topic_metrics *tm,
				       int failed, uint64_t bytes)
{
	m->all.fetch_total++;
	m->all.fetch_failed += failed != 0;
	m->all.bytes_out += bytes;
	if (tm) {
		tm->fetch_total++;
		tm->fetch_failed += failed != 0;
		tm->bytes_out += bytes;
	}
}

/* Fetch v0-3: records rewritten as magic 0/1 messages (Kafka's
 * FetchMessageConversionsPerSec) and the time it took (MessageConversionsTimeMs). */
static inline void metrics_count_conversions(struct broker_metrics *m, struct topic_metrics *tm,
					     uint64_t records, double ms, int64_t now_ms)
{
	m->all.fetch_conversions += records;
	if (tm)
		tm->fetch_conversions += records;
	latency_record(&m->fetch_conversion_time, ms, now_ms);
}

void metrics_request_done(struct broker_metrics *m, int16_t api_key, int16_t version,
			  double total_ms, int64_t now_ms);

/* A growable text buffer for the page. */
struct mtext {
	char *p;
	size_t len, cap;
	int oom;
};
void mtext_printf(struct mtext *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Appends s as a Prometheus label value (backslash, quote, newline escaped). */
void mtext_label(struct mtext *t, const char *s, size_t len);

/* Renders every series of this broker into t. */
void metrics_render(struct broker *b, struct mtext *t);
/* The client-quota series (metrics_quota.c), part of metrics_render. */
void metrics_render_quotas(struct broker *b, struct mtext *t);

#endif
