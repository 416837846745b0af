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
	int in_sync = partition_log_end(p) >= p->high_watermark;
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
