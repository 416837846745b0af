/* Client quotas, the pure core (quota.h): Kafka's SampledStat/Rate and
 * QuotaUtils arithmetic, the DefaultQuotaCallback's precedence of entities
 * and its metric tags, kept as plain maps owned by the loop thread. */
#include "broker/quota/quota.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/auth/entity_name.h"

const char *const quota_keys[QUOTA_NTYPES] = {
	"producer_byte_rate", "consumer_byte_rate", "request_percentage",
};
const char *const quota_type_names[QUOTA_NTYPES] = { "Produce", "Fetch", "Request" };

#define SENSOR_IDLE_MS (3600 * 1000)        /* Kafka's sensor expiry */
#define THROTTLE_CFG { 2, 30000 }           /* Kafka's default MetricConfig */
#define KEY_MAX 1100                        /* user (<= 800 sanitized) + client */

enum { EN_CLIENT = 1, EN_USER = 2, EN_USER_CLIENT = 4 };

struct quota_entity {
	double v[QUOTA_NTYPES];
	uint8_t has[QUOTA_NTYPES];
};

int quota_key_type(const char *key)
{
	for (int t = 0; t < QUOTA_NTYPES; t++)
		if (strcmp(key, quota_keys[t]) == 0)
			return t;
	return -1;
}

/* ---- the sampled stat (Kafka 3.9's SampledStat, WindowedSum, Rate) ---- */

static void sample_reset(struct qsample *s, int64_t now)
{
	*s = (struct qsample){ 0, 0, now, now };
}

static int samples_of(const struct qcfg *cfg)
{
	return cfg->samples < 1 ? 1 : cfg->samples > QUOTA_SAMPLES_MAX ? QUOTA_SAMPLES_MAX
									: cfg->samples;
}

static struct qsample *stat_current(struct qstat *st, int64_t now)
{
	if (st->n == 0) {
		sample_reset(&st->s[0], now);
		st->n = 1;
		st->cur = 0;
	}
	return &st->s[st->cur];
}

/* Windows with no event for samples * window are stale: reset (a window
 * that started earlier but still saw events overlaps and stays). */
static void stat_purge(struct qstat *st, const struct qcfg *cfg, int64_t now)
{
	int64_t expire = (int64_t)samples_of(cfg) * cfg->window_ms;
	for (int i = 0; i < st->n; i++)
		if (now - st->s[i].last_ms >= expire)
			sample_reset(&st->s[i], now);
}

void qstat_record(struct qstat *st, const struct qcfg *cfg, double v, int64_t now_ms)
{
	struct qsample *s = stat_current(st, now_ms);
	if (now_ms - s->start_ms >= cfg->window_ms) {
		int max = samples_of(cfg) + 1;
		st->cur = (st->cur + 1) % max;
		if (st->cur >= st->n)
			st->n = st->cur + 1;
		s = &st->s[st->cur];
		sample_reset(s, now_ms);
	}
	s->value += v;
	s->events++;
	s->last_ms = now_ms;
}

double qstat_sum(struct qstat *st, const struct qcfg *cfg, int64_t now_ms, int64_t *count)
{
	stat_purge(st, cfg, now_ms);
	double total = 0;
	int64_t events = 0;
	for (int i = 0; i < st->n; i++) {
		total += st->s[i].value;
		events += st->s[i].events;
	}
	if (count)
		*count = events;
	return total;
}

int64_t qrate_window_ms(struct qstat *st, const struct qcfg *cfg, int64_t now_ms)
{
	stat_purge(st, cfg, now_ms);
	stat_current(st, now_ms);
	int64_t oldest = st->s[0].start_ms;
	for (int i = 1; i < st->n; i++)
		if (st->s[i].start_ms < oldest)
			oldest = st->s[i].start_ms;
	int64_t elapsed = now_ms - oldest;
	int64_t full = elapsed / cfg->window_ms, min_full = samples_of(cfg) - 1;
	if (full < min_full)
		elapsed += (min_full - full) * cfg->window_ms;
	return elapsed > 1 ? elapsed : 1;
}

double qrate_measure(struct qstat *st, const struct qcfg *cfg, int64_t now_ms)
{
	double sum = qstat_sum(st, cfg, now_ms, NULL);
	return sum / ((double)qrate_window_ms(st, cfg, now_ms) / 1000.0);
}

int64_t quota_throttle_ms(double observed, double bound, int64_t window_ms, int64_t max_ms)
{
	if (!(observed > bound))
		return 0;
	if (bound <= 0)
		return max_ms;
	double x = (observed - bound) / bound * (double)window_ms;
	if (!(x < (double)max_ms))
		return max_ms;
	return (int64_t)llround(x);
}

/* ---- entities ---- */

/* The map key of an entity: user part, NUL, client part. A part is "" when
 * absent, "\1" for <default>, else the sanitized user / the client id as
 * clients send it (Kafka keeps ClientIdEntity desanitized). */
static size_t entity_key(char *out, size_t cap, const char *user, int user_default,
			 const char *client, int client_default)
{
	const char *u = user_default ? "\1" : user ? user : "";
	const char *c = client_default ? "\1" : client ? client : "";
	int n = snprintf(out, cap, "%s%c%s", u, 0, c);
	return n < 0 || (size_t)n >= cap ? 0 : (size_t)n;
}

static const struct quota_entity *entity_get(const struct quotas *q, const char *user,
					     int ud, const char *client, int cd)
{
	char key[KEY_MAX];
	size_t len = entity_key(key, sizeof key, user, ud, client, cd);
	return len ? strmap_get(&q->entities, key, len) : NULL;
}

static int entity_has(const struct quotas *q, int t, const char *user, int ud,
		      const char *client, int cd)
{
	const struct quota_entity *e = entity_get(q, user, ud, client, cd);
	return e && e->has[t];
}

struct quotas *quotas_new(int samples, int window_s)
{
	struct quotas *q = calloc(1, sizeof *q);
	if (!q)
		return NULL;
	q->cfg.samples = samples < 1 ? 1 : samples > QUOTA_SAMPLES_MAX ? QUOTA_SAMPLES_MAX : samples;
	q->cfg.window_ms = (int64_t)(window_s < 1 ? 1 : window_s) * 1000;
	strmap_init(&q->entities);
	strmap_init(&q->sensors);
	return q;
}

void quotas_clear(struct quotas *q)
{
	const char *k;
	void *v;
	for (size_t i = 0; strmap_next(&q->entities, &i, &k, &v);)
		free(v);
	strmap_free(&q->entities);
	strmap_init(&q->entities);
}

static void sensor_free(struct quota_sensor *s)
{
	free(s->user);
	free(s->client);
	free(s);
}

void quotas_free(struct quotas *q)
{
	if (!q)
		return;
	quotas_clear(q);
	strmap_free(&q->entities);
	const char *k;
	void *v;
	for (size_t i = 0; strmap_next(&q->sensors, &i, &k, &v);)
		sensor_free(v);
	strmap_free(&q->sensors);
	free(q);
}

/* Kafka's ConfigDef parse: a LONG for the byte rates, a DOUBLE for
 * request_percentage. */
static int value_parse(int t, const char *s, double *out)
{
	char *end;
	errno = 0;
	if (t == QUOTA_REQUEST) {
		double d = strtod(s, &end);
		if (end == s || *end || errno || isnan(d))
			return -1;
		*out = d;
		return 0;
	}
	long long v = strtoll(s, &end, 10);
	if (end == s || *end || errno)
		return -1;
	*out = (double)v;
	return 0;
}

int quotas_set_entity(struct quotas *q, const char *user, const char *client,
		      const char *const *keys, const char *const *values, int n)
{
	char raw_client[512], key[KEY_MAX];
	int ud = user && strcmp(user, QUOTA_DEFAULT) == 0;
	int cd = client && strcmp(client, QUOTA_DEFAULT) == 0;
	if (client && !cd && entity_desanitize(client, raw_client, sizeof raw_client) < 0)
		return -1;
	size_t len = entity_key(key, sizeof key, user, ud, client && !cd ? raw_client : NULL, cd);
	if (!len || (!user && !client))
		return -1;
	unsigned level = user && client ? EN_USER_CLIENT : user ? EN_USER : EN_CLIENT;
	/* every update of an entity enables its level, as Kafka's updateQuota
	 * does for each quota type whether the key is set or removed */
	for (int t = 0; t < QUOTA_NTYPES; t++)
		q->enabled[t] |= level;
	struct quota_entity e = { { 0 }, { 0 } };
	int rc = 0;
	for (int i = 0; i < n; i++) {
		int t = quota_key_type(keys[i]);
		if (t < 0)
			continue;
		if (value_parse(t, values[i], &e.v[t]) < 0)
			rc = -1;
		else
			e.has[t] = 1;
	}
	struct quota_entity *old = strmap_del(&q->entities, key, len);
	free(old);
	if (!e.has[0] && !e.has[1] && !e.has[2])
		return rc;
	struct quota_entity *ne = malloc(sizeof *ne);
	if (!ne || strmap_put(&q->entities, key, len, ne) < 0) {
		free(ne);
		return -1;
	}
	*ne = e;
	return rc;
}

int quotas_enabled(const struct quotas *q, enum quota_type t)
{
	return q->enabled[t] != 0;
}

/* Kafka's DefaultQuotaCallback.quotaMetricTags: which (user, client-id)
 * tags a request's usage is counted under. *ut / *ct are set to 1 when the
 * user / client tag is present. */
static void metric_tags(const struct quotas *q, int t, const char *user, const char *client,
			int *ut, int *ct)
{
	switch (q->enabled[t]) {
	case 0:
	case EN_CLIENT: *ut = 0; *ct = 1; return;
	case EN_USER: *ut = 1; *ct = 0; return;
	case EN_USER_CLIENT: *ut = 1; *ct = 1; return;
	default: break;
	}
	*ut = 1;
	*ct = 1;
	if (entity_has(q, t, user, 0, client, 0) || entity_has(q, t, user, 0, NULL, 1))
		return; /* 1) <user, client-id>  2) <user, default client-id> */
	if (entity_has(q, t, user, 0, NULL, 0)) {
		*ct = 0; /* 3) <user> */
		return;
	}
	if (entity_has(q, t, NULL, 1, client, 0) || entity_has(q, t, NULL, 1, NULL, 1))
		return; /* 4) <default user, client-id>  5) <default, default> */
	if (entity_has(q, t, NULL, 1, NULL, 0)) {
		*ct = 0; /* 6) <default user> */
		return;
	}
	*ut = 0; /* 7) <client-id>  8) <default client-id> */
}

/* Kafka's DefaultQuotaCallback.quotaLimit for the tags. */
static double limit_for_tags(const struct quotas *q, int t, const char *user, const char *client)
{
	const struct quota_entity *e = NULL;
	if (*user && *client) {
		if (!(e = entity_get(q, user, 0, client, 0)) || !e->has[t])
			e = entity_get(q, user, 0, NULL, 1);
		if (!e || !e->has[t])
			e = entity_get(q, NULL, 1, client, 0);
		if (!e || !e->has[t])
			e = entity_get(q, NULL, 1, NULL, 1);
	} else if (*user) {
		if (!(e = entity_get(q, user, 0, NULL, 0)) || !e->has[t])
			e = entity_get(q, NULL, 1, NULL, 0);
	} else if (*client) {
		if (!(e = entity_get(q, NULL, 0, client, 0)) || !e->has[t])
			e = entity_get(q, NULL, 0, NULL, 1);
	}
	return e && e->has[t] ? e->v[t] : HUGE_VAL;
}

static void copy_tag(char *out, size_t cap, const char *s, int present)
{
	snprintf(out, cap, "%s", present && s ? s : "");
}

void quotas_limit(const struct quotas *q, enum quota_type t, const char *user,
		  const char *client, char *user_tag, size_t ucap, char *client_tag,
		  size_t ccap, double *bound)
{
	int ut, ct;
	metric_tags(q, (int)t, user ? user : "", client ? client : "", &ut, &ct);
	copy_tag(user_tag, ucap, user, ut);
	copy_tag(client_tag, ccap, client, ct);
	*bound = limit_for_tags(q, (int)t, user_tag, client_tag);
}

/* The sensor of (t, user, client), created on first use; NULL when out of
 * memory (the request then goes unthrottled). */
static struct quota_sensor *sensor_get(struct quotas *q, int t, const char *user,
				       const char *client, double *bound)
{
	char ut[KEY_MAX / 2], ct[KEY_MAX / 2], key[KEY_MAX];
	quotas_limit(q, (enum quota_type)t, user, client, ut, sizeof ut, ct, sizeof ct, bound);
	int n = snprintf(key, sizeof key, "%c%s%c%s", '0' + t, ut, 0, ct);
	if (n < 0 || (size_t)n >= sizeof key)
		return NULL;
	struct quota_sensor *s = strmap_get(&q->sensors, key, (size_t)n);
	if (s)
		return s;
	s = calloc(1, sizeof *s);
	if (!s || !(s->user = strdup(ut)) || !(s->client = strdup(ct)) ||
	    strmap_put(&q->sensors, key, (size_t)n, s) < 0) {
		if (s)
			sensor_free(s);
		return NULL;
	}
	s->type = t;
	return s;
}

int32_t quotas_record(struct quotas *q, enum quota_type t, const char *user, const char *client,
		      double value, int64_t now_ms, int64_t max_ms)
{
	double bound;
	if (!quotas_enabled(q, t))
		return 0;
	struct quota_sensor *s = sensor_get(q, (int)t, user, client, &bound);
	if (!s)
		return 0;
	s->bound = bound;
	s->last_ms = now_ms;
	qstat_record(&s->rate, &q->cfg, value, now_ms);
	if (isinf(bound))
		return 0;
	double observed = qrate_measure(&s->rate, &q->cfg, now_ms);
	int64_t w = qrate_window_ms(&s->rate, &q->cfg, now_ms);
	int64_t ms = quota_throttle_ms(observed, bound, w, max_ms < INT32_MAX ? max_ms : INT32_MAX);
	return (int32_t)ms;
}

void quotas_unrecord(struct quotas *q, enum quota_type t, const char *user, const char *client,
		     double value, int64_t now_ms)
{
	double bound;
	if (!quotas_enabled(q, t))
		return;
	struct quota_sensor *s = sensor_get(q, (int)t, user, client, &bound);
	if (s)
		qstat_record(&s->rate, &q->cfg, -value, now_ms);
}

void quotas_record_throttle(struct quotas *q, enum quota_type t, const char *user,
			    const char *client, int32_t ms, int64_t now_ms)
{
	static const struct qcfg tcfg = THROTTLE_CFG;
	double bound;
	struct quota_sensor *s = quotas_enabled(q, t) ? sensor_get(q, (int)t, user, client, &bound)
						      : NULL;
	if (s)
		qstat_record(&s->throttle, &tcfg, ms, now_ms);
}

double quotas_max_in_window(const struct quotas *q, enum quota_type t, const char *user,
			    const char *client)
{
	char ut[KEY_MAX / 2], ct[KEY_MAX / 2];
	double bound;
	if (!quotas_enabled(q, t))
		return HUGE_VAL;
	quotas_limit(q, t, user, client, ut, sizeof ut, ct, sizeof ct, &bound);
	if (isinf(bound))
		return HUGE_VAL;
	return bound * (double)(q->cfg.samples - 1) * ((double)q->cfg.window_ms / 1000.0);
}

void quotas_expire(struct quotas *q, int64_t now_ms)
{
	const char *k;
	void *v;
	for (size_t i = 0; strmap_next(&q->sensors, &i, &k, &v);) {
		struct quota_sensor *s = v;
		if (now_ms - s->last_ms < SENSOR_IDLE_MS)
			continue;
		/* deletion leaves a tombstone: the position stays valid */
		sensor_free(strmap_del(&q->sensors, k, strlen(k) + 1 + strlen(k + strlen(k) + 1)));
	}
}

/* ---- replication throttles' pure parts (replication_quota.h uses them) ---- */

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

struct quota_sensor *quotas_next_sensor(const struct quotas *q, size_t *pos)
{
	const char *k;
	void *v;
	return strmap_next(&q->sensors, pos, &k, &v) ? v : NULL;
}
