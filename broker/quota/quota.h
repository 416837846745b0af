/* Client quotas, the pure core (no sockets, timers or log): Kafka's
 * sampled rate and throttle-time arithmetic, the quota entities
 * (/config/users, /config/clients, /config/users/<u>/clients/<c>), which
 * entity applies to a request (Kafka's precedence of the 8 combinations)
 * and the per user/client-id sensors the metrics show. docs/quotas.md has
 * the rules this follows.
 *
 *   qstat_record / qstat_sum / qrate_window_ms / qrate_measure   the sampled stat
 *   quota_throttle_ms                   time to bring a rate back to its bound
 *   quotas_new / quotas_free / quotas_clear / quotas_set_entity  the entities
 *   quotas_enabled / quotas_limit       which bound applies to (user, client)
 *   quotas_record / quotas_unrecord / quotas_record_throttle     a request's use
 *   quotas_max_in_window                Kafka's cap on a consumer's fetch size
 *   quotas_expire / quotas_next_sensor  sensor lifetime and the metrics' view
 *   repl_throttled_parse / repl_rate    replication throttles' lists and rate */
#ifndef GREGOR_QUOTA_H
#define GREGOR_QUOTA_H

#include <stddef.h>
#include <stdint.h>

#include "common/strmap.h"

#define QUOTA_SAMPLES_MAX 100 /* quota.window.num is at most this here */
#define QUOTA_DEFAULT "<default>"

/* The quota types and their keys, in this order: producer_byte_rate,
 * consumer_byte_rate, request_percentage. */
enum quota_type { QUOTA_PRODUCE, QUOTA_FETCH, QUOTA_REQUEST, QUOTA_NTYPES };
extern const char *const quota_keys[QUOTA_NTYPES];
/* Kafka's quota type names (the MBean type, the metrics' resource label). */
extern const char *const quota_type_names[QUOTA_NTYPES];
/* The type of a config key, or -1 (not one of the three). */
int quota_key_type(const char *key);

/* Kafka's SampledStat: up to samples + 1 windows of window_ms each (the
 * extra one overlaps the oldest, as Kafka 3.9 keeps it); a window that saw no
 * event for samples * window_ms is reset when measured. */
struct qsample {
	double value;
	int64_t events;
	int64_t start_ms, last_ms;
};
struct qstat {
	struct qsample s[QUOTA_SAMPLES_MAX + 1];
	int n, cur;
};
struct qcfg {
	int samples;       /* quota.window.num (>= 1) */
	int64_t window_ms; /* quota.window.size.seconds * 1000 */
};

void qstat_record(struct qstat *st, const struct qcfg *cfg, double v, int64_t now_ms);
/* The sum (and count, if count is not NULL) over the live samples. */
double qstat_sum(struct qstat *st, const struct qcfg *cfg, int64_t now_ms, int64_t *count);
/* Kafka's Rate.windowSize: time since the oldest live sample, at least
 * samples - 1 whole windows, at least 1 ms. */
int64_t qrate_window_ms(struct qstat *st, const struct qcfg *cfg, int64_t now_ms);
/* Per second: the sum over the window. */
double qrate_measure(struct qstat *st, const struct qcfg *cfg, int64_t now_ms);
/* Kafka's QuotaUtils.throttleTime: with observed rate O over a window W and
 * bound T, the delay X for which O * W / (W + X) = T, i.e. (O - T) / T * W,
 * rounded; 0 when O <= T. A bound <= 0 (Kafka divides by it) gives max_ms. */
int64_t quota_throttle_ms(double observed, double bound, int64_t window_ms, int64_t max_ms);

/* One quota sensor: a (type, user tag, client-id tag) as Kafka's metric
 * tags name it; an empty tag is absent. */
struct quota_sensor {
	int type;
	char *user;      /* sanitized user, or "" */
	char *client;    /* client id as sent, or "" */
	struct qstat rate;     /* bytes or request-time percentage, quota window */
	struct qstat throttle; /* throttle times, Kafka's default 2 x 30 s window */
	int64_t last_ms;       /* last recorded */
	double bound;          /* the quota in force at the last record */
};

struct quotas {
	struct qcfg cfg;
	/* entity key (see quota.c) -> struct quota_entity */
	struct strmap entities;
	/* Kafka's quotaTypesEnabled per type: bit 1 client-id, 2 user,
	 * 4 user+client-id; set by any update of such an entity, never
	 * cleared until restart (as Kafka) */
	unsigned enabled[QUOTA_NTYPES];
	struct strmap sensors; /* sensor key -> struct quota_sensor */
	int64_t next_expire_ms; /* client_quotas.c: the next sweep of idle sensors */
};

/* samples and window_s as quota.window.num / quota.window.size.seconds;
 * out of range values are clamped to [1, QUOTA_SAMPLES_MAX] and >= 1. */
struct quotas *quotas_new(int samples, int window_s);
void quotas_free(struct quotas *q);
/* Forgets every entity (before a full reload); sensors stay. */
void quotas_clear(struct quotas *q);

/* An entity's configs as delivered from ZooKeeper: user is a sanitized user
 * name or QUOTA_DEFAULT, client a sanitized client id or QUOTA_DEFAULT,
 * either NULL when the entity does not have that part. Keys that are not
 * quota keys are ignored (a user node also holds SCRAM credentials);
 * n == 0 removes every quota of the entity. Values are Kafka's strings
 * (the byte rates are longs, request_percentage a double); a malformed
 * value drops that key and returns -1 (the rest applies). */
int quotas_set_entity(struct quotas *q, const char *user, const char *client,
		      const char *const *keys, const char *const *values, int n);

/* Any quota of this type was ever configured (Kafka's quotasEnabled). */
int quotas_enabled(const struct quotas *q, enum quota_type t);

/* The bound for a request of (user, client) (user sanitized, client as sent
 * in the request header): Kafka's metric tags for the pair and the most
 * specific quota among them; *bound is HUGE_VAL when none applies. The tags
 * are written to user_tag/client_tag (each at least the input's size). */
void quotas_limit(const struct quotas *q, enum quota_type t, const char *user,
		  const char *client, char *user_tag, size_t ucap, char *client_tag,
		  size_t ccap, double *bound);

/* Records value for (user, client) at now_ms and returns the throttle time
 * (0 within the quota), Kafka's recordAndGetThrottleTimeMs: the value is
 * recorded first, then the rate is checked. max_ms caps the answer (the
 * request quota caps at one window; byte quotas pass INT32_MAX). Nothing is
 * recorded and 0 returned while the type was never enabled. */
int32_t quotas_record(struct quotas *q, enum quota_type t, const char *user, const char *client,
		      double value, int64_t now_ms, int64_t max_ms);
/* Takes value back (a throttled fetch answers empty, as Kafka). */
void quotas_unrecord(struct quotas *q, enum quota_type t, const char *user, const char *client,
		     double value, int64_t now_ms);
/* Records a throttle for the throttle-time metric. */
void quotas_record_throttle(struct quotas *q, enum quota_type t, const char *user,
			    const char *client, int32_t ms, int64_t now_ms);
/* Kafka's getMaxValueInQuotaWindow: bound * (samples - 1) * window seconds,
 * the most one request may take without being throttled for sure; HUGE_VAL
 * without a quota. */
double quotas_max_in_window(const struct quotas *q, enum quota_type t, const char *user,
			    const char *client);

/* Drops sensors idle for an hour (Kafka's InactiveSensorExpirationTimeSeconds). */
void quotas_expire(struct quotas *q, int64_t now_ms);
/* Iteration over sensors for the metrics: for (size_t i = 0; (s = quotas_next_sensor(q, &i));) */
struct quota_sensor *quotas_next_sensor(const struct quotas *q, size_t *pos);

/* Replication throttles (replication_quota.h): pure parts. */
/* The partitions of one topic a side throttles: all, or a list. */
struct repl_throttled {
	int all;
	int n;
	int32_t parts[];
};

/* Parses Kafka's throttled-replicas list for broker_id into a new
 * repl_throttled (NULL: nothing for this broker, or malformed; *bad set
 * when malformed). */
struct repl_throttled *repl_throttled_parse(const char *list, int32_t broker_id, int *bad);

/* Kafka's SimpleRate: the window is the time since the oldest sample, at
 * least one sample's span. */
double repl_rate(struct qstat *st, const struct qcfg *cfg, int64_t now_ms);

#endif
