/* Broker metrics: counters, windowed latency histograms and the Prometheus
 * text page (see metrics.h; the HTTP side is metrics_http.c). */
#include "broker/metrics.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Bucket upper bounds in ms; the last bucket takes everything above. */
static const double bucket_ms[LATENCY_BUCKETS] = {
	0.5, 1, 2, 3, 5, 7, 10, 15, 20, 30, 50, 75, 100, 150, 200, 300, 500,
	750, 1000, 1500, 2000, 3000, 5000, 7500, 10000, 30000, 60000, 1e300,
};
#define WINDOW_MS 30000

static void latency_roll(struct latency *l, int64_t now_ms)
{
	if (now_ms - l->window_start_ms < WINDOW_MS)
		return;
	if (now_ms - l->window_start_ms < 2 * WINDOW_MS)
		memcpy(l->prev, l->cur, sizeof l->prev);
	else
		memset(l->prev, 0, sizeof l->prev);
	memset(l->cur, 0, sizeof l->cur);
	l->window_start_ms = now_ms;
}

void latency_record(struct latency *l, double ms, int64_t now_ms)
{
	latency_roll(l, now_ms);
	int i = 0;
	while (i < LATENCY_BUCKETS - 1 && ms > bucket_ms[i])
		i++;
	l->cur[i]++;
	l->count++;
	l->sum_ms += ms;
}

double latency_quantile(const struct latency *l, double q, int64_t now_ms)
{
	/* a window older than two periods describes nothing recent */
	int64_t age = now_ms - l->window_start_ms;
	int use_cur = age < 2 * WINDOW_MS, use_prev = age < WINDOW_MS;
	uint64_t n = 0;
	for (int i = 0; i < LATENCY_BUCKETS; i++)
		n += (use_cur ? l->cur[i] : 0) + (use_prev ? l->prev[i] : 0);
	if (n == 0)
		return 0;
	uint64_t rank = (uint64_t)(q * (double)n), seen = 0;
	for (int i = 0; i < LATENCY_BUCKETS - 1; i++) {
		seen += (use_cur ? l->cur[i] : 0) + (use_prev ? l->prev[i] : 0);
		if (seen > rank)
			return bucket_ms[i];
	}
	return bucket_ms[LATENCY_BUCKETS - 2];
}

struct broker_metrics *metrics_new(void)
{
	struct broker_metrics *m = calloc(1, sizeof *m);
	if (m)
		strmap_init(&m->topics);
	return m;
}

void metrics_free(struct broker_metrics *m)
{
	if (!m)
		return;
	const char *k;
	void *v;
	for (size_t i = 0; strmap_next(&m->topics, &i, &k, &v);)
		free(v);
	strmap_free(&m->topics);
	free(m);
}

struct topic_metrics *metrics_topic(struct broker_metrics *m, const char *topic, size_t len)
{
	struct topic_metrics *t = strmap_get(&m->topics, topic, len);
	if (t)
		return t;
	t = calloc(1, sizeof *t);
	if (!t || strmap_put(&m->topics, topic, len, t) < 0) {
		free(t);
		return NULL;
	}
	return t;
}

void metrics_request_done(struct broker_metrics *m, int16_t api_key, int16_t version,
			  double total_ms, int64_t now_ms)
{
	if (api_key < 0 || api_key >= METRICS_MAX_API)
		return;
	if (version >= 0 && version < METRICS_MAX_VER)
		m->requests[api_key][version]++;
	latency_record(&m->total_time[api_key], total_ms, now_ms);
}

/* ---- text ---- */

static int mtext_grow(struct mtext *t, size_t need)
{
	if (t->oom)
		return -1;
	if (t->len + need + 1 <= t->cap)
		return 0;
	size_t cap = t->cap ? t->cap : 16384;
	while (cap < t->len + need + 1)
		cap *= 2;
	char *p = realloc(t->p, cap);
	if (!p) {
		t->oom = 1;
		return -1;
	}
	t->p = p;
	t->cap = cap;
	return 0;
}

void mtext_printf(struct mtext *t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || mtext_grow(t, (size_t)n) < 0)
		return;
	va_start(ap, fmt);
	vsnprintf(t->p + t->len, t->cap - t->len, fmt, ap);
	va_end(ap);
	t->len += (size_t)n;
}

void mtext_label(struct mtext *t, const char *s, size_t len)
{
	if (mtext_grow(t, 2 * len) < 0)
		return;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c == '\\' || c == '"') {
			t->p[t->len++] = '\\';
			t->p[t->len++] = c;
		} else if (c == '\n') {
			t->p[t->len++] = '\\';
			t->p[t->len++] = 'n';
		} else {
			t->p[t->len++] = c;
		}
	}
	t->p[t->len] = '\0';
}
