/* Client quotas on the loop thread (client_quotas.h): glue between the
 * pure core (quota.c), the coordination thread's feed, the gate and the
 * server's response path. */
#include "broker/quota/client_quotas.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "broker/broker.h"
#include "broker/config.h"
#include "broker/gate.h"
#include "broker/quota/quota.h"
#include "broker/quota/replication_quota.h"
#include "common/auth/entity_name.h"
#include "common/log.h"
#include "common/proto/messages.h"

#define MOD "quota"
#define EXPIRE_EVERY_MS 60000

int client_quotas_init(struct broker *b)
{
	b->quotas = quotas_new(b->cfg->quota_window_num, b->cfg->quota_window_size_seconds);
	b->repl_quotas = repl_quotas_new(b->cfg->replication_quota_window_num,
					 b->cfg->replication_quota_window_size_seconds);
	if (!b->quotas || !b->repl_quotas)
		return -1;
	repl_quotas_rates_changed(b); /* server.properties; ZooKeeper's layers follow */
	return 0;
}

void client_quotas_free(struct broker *b)
{
	quotas_free(b->quotas);
	b->quotas = NULL;
	repl_quotas_free(b->repl_quotas);
	b->repl_quotas = NULL;
}

static void entity_name(char *out, size_t cap, const struct coord_quota_entity *e)
{
	if (e->user && e->client)
		snprintf(out, cap, "user %s client-id %s", e->user, e->client);
	else if (e->user)
		snprintf(out, cap, "user %s", e->user);
	else
		snprintf(out, cap, "client-id %s", e->client ? e->client : "");
}

void client_quotas_feed(void *arg, int reset, const struct coord_quota_entity *v, int n)
{
	struct broker *b = arg;
	if (!b->quotas)
		return;
	if (reset)
		quotas_clear(b->quotas);
	for (int i = 0; i < n; i++) {
		char name[600];
		entity_name(name, sizeof name, &v[i]);
		if (quotas_set_entity(b->quotas, v[i].user, v[i].client,
				      (const char *const *)v[i].keys,
				      (const char *const *)v[i].values, v[i].n) < 0)
			log_warn_rl(MOD, "quotas of %s: a malformed value was ignored", name);
		else if (!reset)
			log_info(MOD, "quotas of %s changed (%d config(s))", name, v[i].n);
	}
	if (reset && n > 0)
		log_info(MOD, "client quota entities loaded: %d", n);
}

/* The request's user, sanitized as in /config/users (Kafka's
 * KafkaPrincipal name of "User:alice" is "alice"). */
static void request_user(struct request *req, char *out, size_t cap)
{
	const char *p = request_session(req)->principal;
	const char *colon = strchr(p, ':');
	if (entity_sanitize(colon ? colon + 1 : p, out, cap) < 0)
		snprintf(out, cap, "%s", colon ? colon + 1 : p);
}

/* The client id as the header carries it (null: ""). */
static void request_client(const struct request *req, char *out, size_t cap)
{
	const struct kstr *c = &req->hdr.client_id;
	size_t n = c->len > 0 ? (size_t)c->len : 0;
	if (n >= cap)
		n = cap - 1;
	if (n)
		memcpy(out, c->p, n);
	out[n] = 0;
}

static int64_t now_ms(struct request *req)
{
	return loop_now_ms(req->b->loop);
}

static void maybe_expire(struct broker *b, int64_t now)
{
	struct quotas *q = b->quotas;
	if (now < q->next_expire_ms)
		return;
	q->next_expire_ms = now + EXPIRE_EVERY_MS;
	quotas_expire(q, now);
}

void quota_gate(struct request *req, unsigned gate_flags)
{
	struct quotas *q = req->b->quotas;
	req->quota_exempt = (gate_flags & GATE_CLUSTER_ACTION) != 0;
	if (!q || req->hdr.api_key != 0 || !quotas_enabled(q, QUOTA_PRODUCE))
		return;
	char user[800], client[512];
	request_user(req, user, sizeof user);
	request_client(req, client, sizeof client);
	int64_t now = now_ms(req);
	int32_t ms = quotas_record(q, QUOTA_PRODUCE, user, client, (double)req->frame_len, now,
				   INT32_MAX);
	if (ms > 0) {
		req->throttle_ms = ms;
		req->throttle_type = QUOTA_PRODUCE;
	}
	/* Kafka does not enforce the request quota on acks=0 */
	if (((const struct produce_request *)req->body)->acks == 0)
		req->quota_exempt = 1;
}

/* A follower's fetch: replica_id >= 0 (v15+ carry it in ReplicaState). */
static int is_follower_fetch(const struct request *req)
{
	const struct fetch_request *in = req->body;
	if (req->hdr.api_key != 1)
		return 0;
	return (req->hdr.api_version >= 15 ? in->replica_state.replica_id : in->replica_id) >= 0;
}

int32_t quota_fetch_max_bytes(struct request *req)
{
	struct quotas *q = req->b->quotas;
	if (!q || is_follower_fetch(req) || !quotas_enabled(q, QUOTA_FETCH))
		return INT32_MAX;
	char user[800], client[512];
	request_user(req, user, sizeof user);
	request_client(req, client, sizeof client);
	double max = quotas_max_in_window(q, QUOTA_FETCH, user, client);
	return max >= (double)INT32_MAX ? INT32_MAX : max < 0 ? 0 : (int32_t)max;
}

/* The request quota's throttle for cpu_us of loop time (Kafka records
 * nanoseconds as a percentage of one second; its throttle is capped at one
 * quota window). */
static int32_t request_time_record(struct request *req, const char *user, const char *client,
				   int64_t cpu_us, int64_t now)
{
	struct quotas *q = req->b->quotas;
	req->quota_recorded = 1;
	if (req->quota_exempt || !quotas_enabled(q, QUOTA_REQUEST))
		return 0;
	double pct = (double)cpu_us * 100.0 / 1e6;
	return quotas_record(q, QUOTA_REQUEST, user, client, pct, now, q->cfg.window_ms);
}

int32_t quota_fetch_record(struct request *req, int64_t bytes)
{
	struct quotas *q = req->b->quotas;
	if (!q || is_follower_fetch(req) ||
	    (!quotas_enabled(q, QUOTA_FETCH) && !quotas_enabled(q, QUOTA_REQUEST)))
		return 0; /* nothing to count (the request's end records nothing either) */
	char user[800], client[512];
	request_user(req, user, sizeof user);
	request_client(req, client, sizeof client);
	int64_t now = now_ms(req);
	int32_t rt = request_time_record(req, user, client, request_cpu_us(req), now);
	int32_t bt = quotas_record(q, QUOTA_FETCH, user, client, (double)bytes, now, INT32_MAX);
	int32_t ms = bt > rt ? bt : rt;
	if (ms <= 0)
		return 0;
	quotas_unrecord(q, QUOTA_FETCH, user, client, (double)bytes, now);
	if (ms > req->throttle_ms) {
		req->throttle_ms = ms;
		req->throttle_type = bt > rt ? QUOTA_FETCH : QUOTA_REQUEST;
	}
	return ms;
}

int32_t quota_request_end(struct request *req, int64_t cpu_us)
{
	struct quotas *q = req->b->quotas;
	if (!q || !req->api ||
	    (!req->throttle_ms && !q->enabled[0] && !q->enabled[1] && !q->enabled[2]))
		return 0; /* no quota ever configured: nothing to count */
	char user[800], client[512];
	request_user(req, user, sizeof user);
	request_client(req, client, sizeof client);
	int64_t now = now_ms(req);
	maybe_expire(req->b, now);
	if (!req->quota_recorded && !is_follower_fetch(req)) {
		int32_t rt = request_time_record(req, user, client, cpu_us, now);
		if (rt > req->throttle_ms) {
			req->throttle_ms = rt;
			req->throttle_type = QUOTA_REQUEST;
		}
	}
	if (req->throttle_ms > 0)
		quotas_record_throttle(q, (enum quota_type)req->throttle_type, user, client,
				       req->throttle_ms, now);
	return req->throttle_ms;
}
