/* Replication throttles (replication_quota.h): Kafka's
 * ReplicationQuotaManager for the leader and the follower side, fed from
 * the dynamic broker configs and the topic configs. */
#include "broker/quota/replication_quota.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker/broker.h"
#include "broker/config.h"
#include "broker/replica/replica_manager.h"
#include "common/log.h"

#define MOD "quota"

static const char *const list_keys[2] = { "leader.replication.throttled.replicas",
					  "follower.replication.throttled.replicas" };

struct repl_quotas *repl_quotas_new(int samples, int window_s)
{
	struct repl_quotas *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	r->cfg.samples = samples < 1 ? 1 : samples > QUOTA_SAMPLES_MAX ? QUOTA_SAMPLES_MAX : samples;
	r->cfg.window_ms = (int64_t)(window_s < 1 ? 1 : window_s) * 1000;
	for (int s = 0; s < 2; s++) {
		r->side[s].bound = HUGE_VAL;
		strmap_init(&r->side[s].topics);
	}
	return r;
}

void repl_quotas_free(struct repl_quotas *r)
{
	if (!r)
		return;
	for (int s = 0; s < 2; s++) {
		const char *k;
		void *v;
		for (size_t i = 0; strmap_next(&r->side[s].topics, &i, &k, &v);)
			free(v);
		strmap_free(&r->side[s].topics);
	}
	free(r);
}

double repl_rate(struct qstat *st, const struct qcfg *cfg, int64_t now_ms)
{
	double sum = qstat_sum(st, cfg, now_ms, NULL);
	int64_t oldest = now_ms;
	for (int i = 0; i < st->n; i++)
		if (st->s[i].start_ms < oldest)
			oldest = st->s[i].start_ms;
	int64_t w = now_ms - oldest;
	if (w < cfg->window_ms)
		w = cfg->window_ms;
	return sum / ((double)w / 1000.0);
}

/* One "partition:broker" pair; 0 or -1. */
static int pair_parse(const char *s, size_t len, int32_t *part, int32_t *broker)
{
	char buf[48], *colon, *e1, *e2;
	if (len == 0 || len >= sizeof buf)
		return -1;
	memcpy(buf, s, len);
	buf[len] = 0;
	if (!(colon = strchr(buf, ':')))
		return -1;
	*colon = 0;
	errno = 0;
	long p = strtol(buf, &e1, 10), b = strtol(colon + 1, &e2, 10);
	if (e1 == buf || *e1 || e2 == colon + 1 || *e2 || errno || p < 0 || p > INT32_MAX ||
	    b < 0 || b > INT32_MAX)
		return -1;
	*part = (int32_t)p;
	*broker = (int32_t)b;
	return 0;
}

struct repl_throttled *repl_throttled_parse(const char *list, int32_t broker_id, int *bad)
{
	*bad = 0;
	while (*list == ' ')
		list++;
	size_t len = strlen(list);
	while (len && list[len - 1] == ' ')
		len--;
	if (len == 1 && list[0] == '*') {
		struct repl_throttled *t = calloc(1, sizeof *t);
		if (t)
			t->all = 1;
		return t;
	}
	size_t max = 1;
	for (size_t i = 0; i < len; i++)
		max += list[i] == ',';
	struct repl_throttled *t = calloc(1, sizeof *t + max * sizeof(int32_t));
	if (!t)
		return NULL;
	for (const char *p = list, *end = list + len; len && p <= end;) {
		const char *c = memchr(p, ',', (size_t)(end - p));
		size_t n = c ? (size_t)(c - p) : (size_t)(end - p);
		while (n && *p == ' ')
			p++, n--;
		while (n && p[n - 1] == ' ')
			n--;
		int32_t part, broker;
		if (pair_parse(p, n, &part, &broker) < 0) {
			*bad = 1;
			free(t);
			return NULL;
		}
		if (broker == broker_id)
			t->parts[t->n++] = part;
		if (!c)
			break;
		p = c + 1;
	}
	if (t->n == 0) {
		free(t);
		return NULL;
	}
	return t;
}

/* The config layers (per broker over the cluster default, as Kafka's
 * BrokerConfigHandler reads them) keep the fields current. */
void repl_quotas_rates_changed(struct broker *b)
{
	struct repl_quotas *r = b->repl_quotas;
	if (!r)
		return;
	int64_t rates[2] = { b->cfg->leader_replication_throttled_rate,
			     b->cfg->follower_replication_throttled_rate };
	for (int s = 0; s < 2; s++) {
		double bound = rates[s] == INT64_MAX ? HUGE_VAL : (double)rates[s];
		if (bound != r->side[s].bound)
			log_info(MOD, "%s replication throttle: %lld bytes/s",
				 s == REPL_LEADER ? "leader" : "follower",
				 (long long)rates[s]);
		r->side[s].bound = bound;
	}
}

void repl_quotas_topic_config(struct broker *b, const char *topic, const char *const *keys,
			      const char *const *values, int n)
{
	struct repl_quotas *r = b->repl_quotas;
	if (!r)
		return;
	for (int s = 0; s < 2; s++) {
		struct repl_throttled *t = NULL;
		for (int i = 0; i < n; i++) {
			int bad = 0;
			if (strcmp(keys[i], list_keys[s]) != 0)
				continue;
			t = repl_throttled_parse(values[i], b->id, &bad);
			if (bad)
				log_warn_rl(MOD, "topic %s: %s '%s' is not partition:broker pairs or *: "
					    "ignored", topic, list_keys[s], values[i]);
		}
		free(strmap_del(&r->side[s].topics, topic, strlen(topic)));
		if (t && strmap_put(&r->side[s].topics, topic, strlen(topic), t) < 0)
			free(t);
	}
}

static int throttled(const struct repl_quota *q, const struct partition *p)
{
	const struct repl_throttled *t = strmap_get(&q->topics, p->topic, strlen(p->topic));
	if (!t)
		return 0;
	if (t->all)
		return 1;
	for (int i = 0; i < t->n; i++)
		if (t->parts[i] == p->index)
			return 1;
	return 0;
}

static int exceeded(struct broker *b, struct repl_quota *q)
{
	return !isinf(q->bound) &&
	       repl_rate(&q->rate, &b->repl_quotas->cfg, loop_now_ms(b->loop)) > q->bound;
}

int repl_quota_leader_skip(struct broker *b, const struct partition *p, int32_t follower)
{
	struct repl_quotas *r = b->repl_quotas;
	return r && !rm_in_isr(p, follower) && throttled(&r->side[REPL_LEADER], p) &&
	       exceeded(b, &r->side[REPL_LEADER]);
}

int repl_quota_follower_skip(struct broker *b, const struct partition *p)
{
	struct repl_quotas *r = b->repl_quotas;
	/* in sync: caught up with the leader's high watermark at the last fetch */
	int in_sync = log_end_offset(p->log) >= p->high_watermark;
	return r && !in_sync && throttled(&r->side[REPL_FOLLOWER], p) &&
	       exceeded(b, &r->side[REPL_FOLLOWER]);
}

void repl_quota_record(struct broker *b, enum repl_side side, const struct partition *p,
		       int64_t bytes)
{
	struct repl_quotas *r = b->repl_quotas;
	if (r && bytes > 0 && throttled(&r->side[side], p))
		qstat_record(&r->side[side].rate, &r->cfg, (double)bytes, loop_now_ms(b->loop));
}
