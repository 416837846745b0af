/* gregorctl's Kafka client: bootstrap, per-broker channels and coordinator
 * calls. Responses are untrusted: the codec bounds every read, and the
 * flexible response header's tag buffer is skipped with bounded reads. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"
#include "common/net/peer_security.h"
#include "common/proto/apis.h"
#include "common/proto/kerr.h"
#include "coord/gregorctl/gctl_kafka.h"
#include "coord/zjson.h"

#define GK_MAX_NODES 4096
#define GK_RETRY_MS 200

struct kstr gk_kstr(const char *s)
{
	struct kstr k = { s, s ? (int32_t)strlen(s) : -1 }; /* NULL: a null string */
	return k;
}

const char *gk_cstr(struct gk *k, struct kstr s)
{
	if (s.len <= 0 || !s.p)
		return "";
	char *c = arena_alloc(&k->a, (size_t)s.len + 1);
	if (!c)
		return "";
	memcpy(c, s.p, (size_t)s.len);
	c[s.len] = 0;
	return c;
}

static int gk_timeout_ms(const struct gk *k)
{
	return k->o->timeout_s * 1000;
}

static struct gk_node *gk_add_node(struct gk *k, int32_t id, const char *host,
				   int32_t port)
{
	if (k->n_nodes == k->cap_nodes) {
		if (k->cap_nodes >= GK_MAX_NODES)
			return NULL;
		int cap = k->cap_nodes ? k->cap_nodes * 2 : 8;
		struct gk_node *n = realloc(k->nodes, sizeof *n * (size_t)cap);
		if (!n)
			return NULL;
		k->nodes = n;
		k->cap_nodes = cap;
	}
	struct gk_node *n = &k->nodes[k->n_nodes++];
	n->id = id;
	broker_channel_init(&n->ch, id, host, port);
	n->ch.sec = k->sec;
	n->ch.timeout_ms = gk_timeout_ms(k);
	return n;
}

/* A flexible response header ends in a tag buffer that broker_channel
 * leaves in the body: kresp_header_tags_decode skips it. */
int gk_call(struct gk *k, struct broker_channel *ch, int16_t key, int16_t ver,
	    const struct kmsg *req_msg, const void *req,
	    const struct kmsg *resp_msg, void *resp)
{
	const struct kapi *api = kapi_find(key);
	if (!api || ver > api->max_version)
		return -EINVAL;
	struct kout w;
	kout_init(&w);
	size_t at = kw_reserve_i32(&w);
	int32_t corr = ch->next_corr_id++;
	struct kreq_header h = { key, ver, corr, gk_kstr("gregorctl") };
	kreq_header_encode(&w, &h);
	int rc = kcodec_encode(req_msg, kapi_ver(api, ver), req, &w);
	kw_patch_i32(&w, at, (int32_t)(w.len - at - 4));
	kout_finish(&w);
	if (rc || w.oom) {
		kout_free(&w);
		return -ENOMEM;
	}
	uint8_t *body = NULL;
	size_t blen = 0;
	rc = broker_channel_roundtrip(ch, w.buf, w.len, corr, &body, &blen);
	kout_free(&w);
	if (rc)
		return rc;
	/* decoded strings point into the body: keep it as long as the arena */
	uint8_t *keep = arena_alloc(&k->a, blen ? blen : 1);
	if (!keep) {
		free(body);
		return -ENOMEM;
	}
	memcpy(keep, body, blen);
	free(body);
	struct kreader r;
	kreader_init(&r, keep, blen);
	memset(resp, 0, resp_msg->size);
	if (kresp_header_tags_decode(&r, key, ver) || kcodec_decode(resp_msg, kapi_ver(api, ver), &r, resp, &k->a)) {
		broker_channel_close(ch);
		return -EBADMSG;
	}
	return 0;
}

struct broker_channel *gk_broker(struct gk *k, int32_t id)
{
	for (int i = 0; i < k->n_nodes; i++)
		if (k->nodes[i].id == id)
			return &k->nodes[i].ch;
	return NULL;
}

/* "host:port" or "[v6]:port" into host/port; 0 or -1. */
static int gk_parse_hostport(const char *s, size_t n, char *host, size_t hcap,
			     int32_t *port)
{
	const char *colon = NULL;
	for (size_t i = 0; i < n; i++)
		if (s[i] == ':')
			colon = s + i;
	if (!colon || colon == s || (size_t)(colon - s) >= hcap)
		return -1;
	const char *h = s, *he = colon;
	if (*h == '[' && he[-1] == ']')
		h++, he--;
	if (he <= h)
		return -1;
	memcpy(host, h, (size_t)(he - h));
	host[he - h] = 0;
	long p = 0;
	const char *d = colon + 1;
	if (d == s + n)
		return -1;
	for (; d < s + n; d++) {
		if (*d < '0' || *d > '9' || (p = p * 10 + (*d - '0')) > 65535)
			return -1;
	}
	if (p == 0)
		return -1;
	*port = (int32_t)p;
	return 0;
}

/* Metadata v4 for all topics, no auto-creation. */
static int gk_metadata(struct gk *k, struct broker_channel *ch)
{
	struct metadata_request req = { .topics = { -1, NULL } };
	return gk_call(k, ch, GK_API_METADATA, 4, &metadata_request_msg, &req,
		       &metadata_response_msg, &k->md);
}

static int gk_adopt_brokers(struct gk *k)
{
	const struct metadata_resp_broker *b = k->md.brokers.v;
	for (int32_t i = 0; i < k->md.brokers.n; i++) {
		const char *host = gk_cstr(k, b[i].host);
		if (b[i].port <= 0 || b[i].port > 65535 || !*host ||
		    strlen(host) >= sizeof k->nodes[0].ch.host) {
			gctl_err("broker %d has an invalid address in Metadata", b[i].node_id);
			return 1;
		}
		if (!gk_broker(k, b[i].node_id) && !gk_add_node(k, b[i].node_id, host, b[i].port)) {
			gctl_err("out of memory");
			return 1;
		}
	}
	return 0;
}

int gk_open(struct gk *k, const struct gctl_opts *o)
{
	static struct peer_security sec; /* lives as long as the process */
	memset(k, 0, sizeof *k);
	k->o = o;
	if (o->command_config) {
		if (!sec.tls && gk_security_load(o->command_config, &sec))
			return 1;
		k->sec = &sec;
	}
	arena_init(&k->a);
	const char *s = o->bootstrap, *why = "empty --bootstrap";
	char last[300] = "";
	while (*s) {
		size_t n = strcspn(s, ",");
		char host[256];
		int32_t port;
		if (gk_parse_hostport(s, n, host, sizeof host, &port)) {
			gctl_err("bad --bootstrap entry '%.*s' (want HOST:PORT)", (int)n, s);
			return 1;
		}
		struct broker_channel ch;
		broker_channel_init(&ch, -1, host, port);
		ch.sec = k->sec;
		ch.timeout_ms = gk_timeout_ms(k);
		int rc = gk_metadata(k, &ch);
		broker_channel_close(&ch);
		if (rc == 0)
			return gk_adopt_brokers(k);
		snprintf(last, sizeof last, "%.*s: %s", (int)n, s,
			 rc == -EBADMSG ? "undecodable Metadata response" : strerror(-rc));
		why = last;
		s += n;
		s += *s == ',';
	}
	gctl_err("no bootstrap broker answered (%s)", why);
	return 1;
}

void gk_close(struct gk *k)
{
	for (int i = 0; i < k->n_nodes; i++)
		broker_channel_close(&k->nodes[i].ch);
	free(k->nodes);
	k->nodes = NULL;
	k->n_nodes = 0;
	arena_free(&k->a);
}

const struct metadata_resp_topic *gk_topic(const struct gk *k, const char *t)
{
	const struct metadata_resp_topic *v = k->md.topics.v;
	size_t tl = strlen(t);
	for (int32_t i = 0; i < k->md.topics.n; i++)
		if (v[i].name.len == (int32_t)tl && memcmp(v[i].name.p, t, tl) == 0)
			return &v[i];
	return NULL;
}

static int gk_retriable(int16_t e)
{
	return e == KERR_COORDINATOR_NOT_AVAILABLE || e == KERR_NOT_COORDINATOR ||
	       e == KERR_COORDINATOR_LOAD_IN_PROGRESS;
}

static void gk_sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

/* The coordinator's channel; NULL with *err set (a Kafka error, or -errno
 * for transport failures, with *who naming the broker). */
static struct broker_channel *gk_coordinator(struct gk *k, const char *group,
					     int *err, int32_t *who)
{
	struct find_coordinator_request req = { .key = gk_kstr(group), .key_type = 0 };
	struct find_coordinator_response resp;
	*err = -EHOSTUNREACH;
	for (int i = 0; i < k->n_nodes; i++) {
		*who = k->nodes[i].id;
		int rc = gk_call(k, &k->nodes[i].ch, GK_API_FIND_COORDINATOR, 2,
				 &find_coordinator_request_msg, &req,
				 &find_coordinator_response_msg, &resp);
		if (rc) {
			*err = rc;
			continue; /* another broker may answer */
		}
		if ((*err = resp.error_code))
			return NULL;
		*who = resp.node_id;
		struct broker_channel *ch = gk_broker(k, resp.node_id);
		const char *host = gk_cstr(k, resp.host);
		if (ch) {
			broker_channel_set_addr(ch, host, resp.port);
			return ch;
		}
		if (resp.port <= 0 || resp.port > 65535 || !*host ||
		    strlen(host) >= sizeof ch->host) {
			*err = -EBADMSG;
			return NULL;
		}
		struct gk_node *n = gk_add_node(k, resp.node_id, host, resp.port);
		*err = n ? 0 : -ENOMEM;
		return n ? &n->ch : NULL;
	}
	return NULL;
}

static void gk_report(const char *group, int err, int32_t who)
{
	if (err == -EBADMSG)
		gctl_err("broker %d sent an undecodable response", who);
	else if (err < 0)
		gctl_err("cannot reach broker %d: %s", who, strerror(-err));
	else
		gctl_err("coordinator for group '%s': %s", group, kerr_name(err));
}

int gk_group_call(struct gk *k, const char *group, int16_t key, int16_t ver,
		  const struct kmsg *req_msg, const void *req,
		  const struct kmsg *resp_msg, void *resp,
		  int16_t (*err_of)(const void *resp))
{
	int64_t deadline = clock_mono_ms() + gk_timeout_ms(k);
	int err = 0;
	int32_t who = -1;
	for (;;) {
		struct broker_channel *ch = gk_coordinator(k, group, &err, &who);
		if (ch) {
			err = gk_call(k, ch, key, ver, req_msg, req, resp_msg, resp);
			if (err == 0 && !gk_retriable(err_of(resp)))
				return 0;
			if (err == 0)
				err = err_of(resp);
		}
		/* transport errors already waited out their own timeout */
		if (err < 0 || !gk_retriable((int16_t)err) ||
		    clock_mono_ms() + GK_RETRY_MS > deadline)
			break;
		gk_sleep_ms(GK_RETRY_MS);
	}
	gk_report(group, err, who);
	return 1;
}

struct broker_channel *gk_any(struct gk *k)
{
	const struct metadata_resp_broker *b = k->md.brokers.v;
	struct broker_channel *ch = k->md.brokers.n > 0 ? gk_broker(k, b[0].node_id) : NULL;
	if (!ch)
		gctl_err("no brokers in the cluster's metadata");
	return ch;
}

int gk_failed(const char *what, int rc)
{
	gctl_err("%s: %s", what, rc == -EBADMSG ? "undecodable response" : strerror(-rc));
	return 1;
}

int gk_put_json(struct zbuf *b)
{
	if (b->oom) {
		gctl_err("out of memory");
		return 1;
	}
	fwrite(b->p, 1, b->len, stdout);
	return 0;
}
