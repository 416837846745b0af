/* Kafka znode JSON: builders write exactly Kafka 2.6's shapes (key order is
 * free, string-typed numbers stay strings); parsers accept what Kafka and
 * zkCli users write and reject everything else. */
#include "coord/znode.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

int16_t zn_secproto_from_name(const char *name)
{
	static const char *const names[] = { "PLAINTEXT", "SSL", "SASL_PLAINTEXT",
					     "SASL_SSL" };
	for (int16_t k = 0; k < 4; k++)
		if (strcmp(name, names[k]) == 0)
			return k;
	return -1;
}

/* Looks up name in "NAME:PROTO,..."; copies PROTO into out. */
static int zn_secmap_lookup(const char *secmap, const char *name, char *out,
			    size_t cap)
{
	size_t nl = strlen(name);
	const char *p = secmap;
	while (p && *p) {
		const char *comma = strchr(p, ',');
		size_t l = comma ? (size_t)(comma - p) : strlen(p);
		const char *colon = memchr(p, ':', l);
		if (colon && (size_t)(colon - p) == nl && memcmp(p, name, nl) == 0) {
			size_t vl = l - nl - 1;
			if (vl >= cap)
				return -EINVAL;
			memcpy(out, colon + 1, vl);
			out[vl] = 0;
			return 0;
		}
		p = comma ? comma + 1 : NULL;
	}
	return -ENOENT;
}

static int zn_parse_one_listener(const char *s, size_t l, const char *secmap,
				 struct zn_endpoint *ep)
{
	const char *sep = NULL;
	for (size_t k = 0; k + 3 <= l; k++)
		if (memcmp(s + k, "://", 3) == 0) {
			sep = s + k;
			break;
		}
	if (!sep || sep == s || (size_t)(sep - s) >= sizeof ep->listener)
		return -EINVAL;
	memset(ep, 0, sizeof *ep);
	memcpy(ep->listener, s, (size_t)(sep - s));
	const char *h = sep + 3, *end = s + l;
	const char *colon;
	const char *hs = h, *he;
	if (h < end && *h == '[') {
		const char *rb = memchr(h, ']', (size_t)(end - h));
		if (!rb || rb + 1 >= end || rb[1] != ':')
			return -EINVAL;
		hs = h + 1;
		he = rb;
		colon = rb + 1;
	} else {
		colon = NULL;
		for (const char *q = h; q < end; q++)
			if (*q == ':')
				colon = q;
		if (!colon)
			return -EINVAL;
		he = colon;
	}
	if ((size_t)(he - hs) >= sizeof ep->host)
		return -EINVAL;
	memcpy(ep->host, hs, (size_t)(he - hs));
	char port[8];
	size_t pl = (size_t)(end - colon - 1);
	if (pl == 0 || pl >= sizeof port)
		return -EINVAL;
	memcpy(port, colon + 1, pl);
	port[pl] = 0;
	char *e;
	long v = strtol(port, &e, 10);
	if (*e || v < 0 || v > 65535)
		return -EINVAL;
	ep->port = (int32_t)v;
	char proto[ZN_NAME_MAX];
	if (!secmap || zn_secmap_lookup(secmap, ep->listener, proto, sizeof proto))
		snprintf(proto, sizeof proto, "%s", ep->listener);
	ep->security_protocol = zn_secproto_from_name(proto);
	return 0;
}

int zn_parse_listeners(const char *listeners, const char *secmap,
		       struct zn_endpoint *out, int max)
{
	int n = 0;
	const char *p = listeners;
	if (!p || !*p)
		return -EINVAL;
	while (*p) {
		while (*p == ' ')
			p++;
		const char *comma = strchr(p, ',');
		size_t l = comma ? (size_t)(comma - p) : strlen(p);
		while (l > 0 && p[l - 1] == ' ')
			l--;
		if (n >= max || zn_parse_one_listener(p, l, secmap, &out[n]))
			return -EINVAL;
		n++;
		if (!comma)
			break;
		p = comma + 1;
	}
	return n;
}

int zn_broker_build(struct zbuf *b, const char *listeners, const char *secmap,
		    const char *rack, int64_t now_ms)
{
	struct zn_endpoint ep[ZN_MAX_ENDPOINTS];
	int n = zn_parse_listeners(listeners, secmap, ep, ZN_MAX_ENDPOINTS);
	if (n <= 0)
		return -EINVAL;
	const struct zn_endpoint *plain = NULL;
	for (int k = 0; k < n && !plain; k++)
		if (ep[k].security_protocol == ZN_PLAINTEXT)
			plain = &ep[k];
	static const char *const pnames[] = { "PLAINTEXT", "SSL", "SASL_PLAINTEXT",
					      "SASL_SSL" };
	zb_puts(b, "{\"features\":{},\"listener_security_protocol_map\":{");
	for (int k = 0; k < n; k++) {
		if (ep[k].security_protocol < 0)
			return -EINVAL;
		zb_puts(b, k ? "," : "");
		zb_jstr(b, ep[k].listener);
		zb_puts(b, ":");
		zb_jstr(b, pnames[ep[k].security_protocol]);
	}
	zb_puts(b, "},\"endpoints\":[");
	for (int k = 0; k < n; k++) {
		char e[ZN_NAME_MAX + ZN_HOST_MAX + 16];
		int v6 = strchr(ep[k].host, ':') != NULL;
		snprintf(e, sizeof e, "%s://%s%s%s:%d", ep[k].listener, v6 ? "[" : "",
			 ep[k].host, v6 ? "]" : "", ep[k].port);
		zb_puts(b, k ? "," : "");
		zb_jstr(b, e);
	}
	zb_puts(b, "],\"jmx_port\":-1,\"host\":");
	if (plain)
		zb_jstr(b, plain->host);
	else
		zb_puts(b, "null");
	zb_printf(b, ",\"port\":%d,\"timestamp\":\"%lld\",\"version\":5",
		  plain ? plain->port : -1, (long long)now_ms);
	if (rack && *rack) {
		zb_puts(b, ",\"rack\":");
		zb_jstr(b, rack);
	}
	zb_puts(b, "}");
	return b->oom ? -ENOMEM : 0;
}

/* Reads one "NAME://host:port" endpoint string token. */
static int zn_broker_endpoint_tok(const struct zjson *j, int tok, int secmap_tok,
				  struct zn_endpoint *ep)
{
	char s[ZN_NAME_MAX + ZN_HOST_MAX + 16];
	if (zj_str(j, tok, s, sizeof s) ||
	    zn_parse_one_listener(s, strlen(s), NULL, ep))
		return -EINVAL;
	char proto[ZN_NAME_MAX];
	int pt = zj_get(j, secmap_tok, ep->listener);
	if (pt >= 0 && zj_str(j, pt, proto, sizeof proto) == 0)
		ep->security_protocol = zn_secproto_from_name(proto);
	return 0;
}

int zn_broker_parse(const char *data, size_t len, struct zn_broker *out)
{
	struct zjson j;
	memset(out, 0, sizeof *out);
	if (zj_parse(&j, data, len))
		return -EINVAL;
	int rc = -EINVAL;
	int eps = zj_get(&j, 0, "endpoints");
	int secmap = zj_get(&j, 0, "listener_security_protocol_map");
	if (zj_type(&j, eps) == ZJ_ARR) {
		for (int k = 0; k < j.t[eps].count && out->n_endpoints < ZN_MAX_ENDPOINTS; k++)
			if (zn_broker_endpoint_tok(&j, zj_at(&j, eps, k), secmap,
						   &out->ep[out->n_endpoints]) == 0)
				out->n_endpoints++;
	}
	if (out->n_endpoints == 0) {
		/* v1-v3 registrations: host and port only */
		int64_t port;
		struct zn_endpoint *ep = &out->ep[0];
		if (zj_str(&j, zj_get(&j, 0, "host"), ep->host, sizeof ep->host) ||
		    zj_int(&j, zj_get(&j, 0, "port"), 0, 65535, &port))
			goto out;
		snprintf(ep->listener, sizeof ep->listener, "PLAINTEXT");
		ep->port = (int32_t)port;
		ep->security_protocol = ZN_PLAINTEXT;
		out->n_endpoints = 1;
	}
	int rack = zj_get(&j, 0, "rack");
	if (zj_type(&j, rack) == ZJ_STR &&
	    zj_str(&j, rack, out->rack, sizeof out->rack) == 0)
		out->has_rack = 1;
	rc = 0;
out:
	zj_free(&j);
	return rc;
}

const struct zn_endpoint *zn_broker_endpoint(const struct zn_broker *b,
					     const char *listener)
{
	for (int k = 0; k < b->n_endpoints; k++)
		if (strcmp(b->ep[k].listener, listener) == 0)
			return &b->ep[k];
	return NULL;
}

void zn_controller_build(struct zbuf *b, int32_t broker_id, int64_t now_ms)
{
	zb_printf(b, "{\"version\":1,\"brokerid\":%d,\"timestamp\":\"%lld\"}",
		  broker_id, (long long)now_ms);
}

int32_t zn_controller_parse(const char *data, size_t len)
{
	struct zjson j;
	int64_t id;
	if (zj_parse(&j, data, len))
		return -EINVAL;
	int rc = zj_int(&j, zj_get(&j, 0, "brokerid"), 0, INT32_MAX, &id);
	zj_free(&j);
	return rc ? -EINVAL : (int32_t)id;
}

static void zn_int_array(struct zbuf *b, const int32_t *v, int n)
{
	zb_puts(b, "[");
	for (int k = 0; k < n; k++)
		zb_printf(b, k ? ",%d" : "%d", v[k]);
	zb_puts(b, "]");
}

/* Reads an array of broker ids; -EINVAL on non-integers or too many. */
static int zn_parse_int_array(const struct zjson *j, int tok, int32_t *out, int max)
{
	if (zj_type(j, tok) != ZJ_ARR || j->t[tok].count > max)
		return -EINVAL;
	int n = j->t[tok].count;
	int e = tok + 1;
	for (int k = 0; k < n; k++) {
		int64_t v;
		if (zj_int(j, e, -1, INT32_MAX, &v))
			return -EINVAL;
		out[k] = (int32_t)v;
		e = j->t[e].next;
	}
	return n;
}

void zn_pstate_build(struct zbuf *b, const struct zn_pstate *s)
{
	zb_printf(b, "{\"controller_epoch\":%d,\"leader\":%d,\"version\":1,"
		  "\"leader_epoch\":%d,\"isr\":", s->controller_epoch, s->leader,
		  s->leader_epoch);
	zn_int_array(b, s->isr, s->n_isr);
	zb_puts(b, "}");
}

int zn_pstate_parse(const char *data, size_t len, struct zn_pstate *out)
{
	struct zjson j;
	int64_t l, le, ce;
	memset(out, 0, sizeof *out);
	if (zj_parse(&j, data, len))
		return -EINVAL;
	int rc = -EINVAL;
	if (zj_int(&j, zj_get(&j, 0, "leader"), -2, INT32_MAX, &l) ||
	    zj_int(&j, zj_get(&j, 0, "leader_epoch"), 0, INT32_MAX, &le) ||
	    zj_int(&j, zj_get(&j, 0, "controller_epoch"), 0, INT32_MAX, &ce))
		goto out;
	int n = zn_parse_int_array(&j, zj_get(&j, 0, "isr"), out->isr, ZN_MAX_REPLICAS);
	if (n < 0)
		goto out;
	out->leader = (int32_t)l;
	out->leader_epoch = (int32_t)le;
	out->controller_epoch = (int32_t)ce;
	out->n_isr = n;
	rc = 0;
out:
	zj_free(&j);
	return rc;
}

/* One of the "adding_replicas"/"removing_replicas" maps. */
static void zn_topic_map(struct zbuf *b, const struct zn_assign *parts, int n,
			 int removing)
{
	int first = 1;
	zb_puts(b, "{");
	for (int k = 0; k < n; k++) {
		int cnt = removing ? parts[k].n_removing : parts[k].n_adding;
		if (cnt <= 0)
			continue;
		zb_printf(b, "%s\"%d\":", first ? "" : ",", parts[k].partition);
		zn_int_array(b, removing ? parts[k].removing : parts[k].adding, cnt);
		first = 0;
	}
	zb_puts(b, "}");
}

void zn_topic_build(struct zbuf *b, const struct zn_assign *parts, int n)
{
	zn_topic_build_id(b, NULL, parts, n);
}

void zn_topic_build_id(struct zbuf *b, const uint8_t *id, const struct zn_assign *parts,
		       int n)
{
	zb_puts(b, id ? "{\"version\":3," : "{\"version\":2,");
	if (id) {
		char s[23];
		zn_uuid_str(id, s);
		zb_puts(b, "\"topic_id\":");
		zb_jstr(b, s);
		zb_puts(b, ",");
	}
	zb_puts(b, "\"partitions\":{");
	for (int k = 0; k < n; k++) {
		zb_printf(b, "%s\"%d\":", k ? "," : "", parts[k].partition);
		zn_int_array(b, parts[k].replicas, parts[k].n_replicas);
	}
	zb_puts(b, "},\"adding_replicas\":");
	zn_topic_map(b, parts, n, 0);
	zb_puts(b, ",\"removing_replicas\":");
	zn_topic_map(b, parts, n, 1);
	zb_puts(b, "}");
}

static int zn_in(const int32_t *v, int n, int32_t id)
{
	for (int k = 0; k < n; k++)
		if (v[k] == id)
			return 1;
	return 0;
}

/* Reads an adding/removing map into out[0..n); absent or null = empty.
 * Every listed id must be one of the partition's replicas. */
static int zn_topic_parse_map(const struct zjson *j, int tok, struct zn_assign *out,
			      int n, int removing)
{
	if (tok < 0 || zj_type(j, tok) == ZJ_NULL)
		return 0;
	if (zj_type(j, tok) != ZJ_OBJ)
		return -EINVAL;
	int key = tok + 1;
	for (int m = 0; m < j->t[tok].count; m++) {
		int64_t p;
		if (zj_int(j, key, 0, n - 1, &p))
			return -EINVAL;
		struct zn_assign *a = &out[p];
		int32_t *v = removing ? a->removing : a->adding;
		int r = zn_parse_int_array(j, key + 1, v, ZN_MAX_REPLICAS);
		if (r < 0)
			return -EINVAL;
		for (int x = 0; x < r; x++)
			if (!zn_in(a->replicas, a->n_replicas, v[x]))
				return -EINVAL;
		if (removing)
			a->n_removing = r;
		else
			a->n_adding = r;
		key = j->t[key + 1].next;
	}
	return 0;
}

int zn_topic_parse(const char *data, size_t len, struct zn_assign *out, int max)
{
	struct zjson j;
	if (zj_parse(&j, data, len))
		return -EINVAL;
	int rc = -EINVAL;
	int parts = zj_get(&j, 0, "partitions");
	if (zj_type(&j, parts) != ZJ_OBJ)
		goto out;
	int n = j.t[parts].count;
	if (n > max)
		goto out;
	for (int k = 0; k < n; k++) {
		out[k].partition = -1;
		out[k].n_adding = out[k].n_removing = 0;
	}
	int key = parts + 1;
	for (int m = 0; m < n; m++) {
		int64_t p;
		/* the partition id is the key; it must be a dense index */
		if (zj_int(&j, key, 0, n - 1, &p) || out[p].partition >= 0)
			goto out;
		int r = zn_parse_int_array(&j, key + 1, out[p].replicas, ZN_MAX_REPLICAS);
		if (r <= 0)
			goto out;
		for (int x = 0; x < r; x++)
			if (out[p].replicas[x] < 0)
				goto out;
		out[p].n_replicas = r;
		out[p].partition = (int32_t)p;
		key = j.t[key + 1].next;
	}
	if (zn_topic_parse_map(&j, zj_get(&j, 0, "adding_replicas"), out, n, 0) ||
	    zn_topic_parse_map(&j, zj_get(&j, 0, "removing_replicas"), out, n, 1))
		goto out;
	rc = n;
out:
	zj_free(&j);
	return rc;
}

void zn_config_build(struct zbuf *b, const char *const *keys,
		     const char *const *values, int n)
{
	zb_puts(b, "{\"version\":1,\"config\":{");
	for (int k = 0; k < n; k++) {
		zb_puts(b, k ? "," : "");
		zb_jstr(b, keys[k]);
		zb_puts(b, ":");
		zb_jstr(b, values[k]);
	}
	zb_puts(b, "}}");
}

static const char zn_b64url[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

void zn_uuid_str(const uint8_t id[16], char out[23])
{
	uint8_t r[18] = { 0 };
	memcpy(r, id, 16);
	int o = 0;
	for (int k = 0; k < 18 && o < 22; k += 3) {
		uint32_t v = (uint32_t)r[k] << 16 | (uint32_t)r[k + 1] << 8 | r[k + 2];
		for (int s = 18; s >= 0 && o < 22; s -= 6)
			out[o++] = zn_b64url[(v >> s) & 63];
	}
	out[22] = 0;
}

int zn_uuid_from_str(const char *s, uint8_t id[16])
{
	if (strlen(s) != 22)
		return -EINVAL;
	uint8_t r[18] = { 0 };
	uint32_t acc = 0;
	int bits = 0, o = 0;
	for (int k = 0; k < 22; k++) {
		const char *q = memchr(zn_b64url, s[k], 64);
		if (!s[k] || !q)
			return -EINVAL;
		acc = acc << 6 | (uint32_t)(q - zn_b64url);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			r[o++] = (uint8_t)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	if (acc != 0) /* the last sextet's 4 spare bits must be zero */
		return -EINVAL;
	memcpy(id, r, 16);
	return 0;
}

static int zn_uuid_reserved(const uint8_t id[16])
{
	static const uint8_t zero[16], one[16] = { [15] = 1 };
	return memcmp(id, zero, 16) == 0 || memcmp(id, one, 16) == 0;
}

int zn_uuid_generate(uint8_t id[16])
{
	for (int tries = 0; tries < 64; tries++) {
		if (getrandom(id, 16, 0) != 16)
			return -EIO;
		/* Kafka's Uuid.randomUuid makes it a version 4 UUID */
		id[6] = (uint8_t)((id[6] & 0x0f) | 0x40);
		id[8] = (uint8_t)((id[8] & 0x3f) | 0x80);
		char s[23];
		zn_uuid_str(id, s);
		if (!zn_uuid_reserved(id) && s[0] != '-')
			return 0;
	}
	return -EIO;
}

int zn_topic_id_parse(const char *data, size_t len, uint8_t id[16])
{
	struct zjson j;
	if (zj_parse(&j, data, len))
		return -EINVAL;
	int rc = -ENOENT;
	int tok = zj_get(&j, 0, "topic_id");
	char s[64];
	if (tok >= 0 && zj_type(&j, tok) != ZJ_NULL)
		rc = zj_str(&j, tok, s, sizeof s) || zn_uuid_from_str(s, id) ||
				     zn_uuid_reserved(id) ? -EINVAL : 0;
	zj_free(&j);
	return rc;
}

int zn_cluster_id_generate(char out[23])
{
	static const char b64[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	uint8_t r[18] = { 0 };
	if (getrandom(r, 16, 0) != 16)
		return -EIO;
	/* 16 bytes = 128 bits -> 22 sextets; the last one holds 2 bits */
	int o = 0;
	for (int k = 0; k < 18 && o < 22; k += 3) {
		uint32_t v = (uint32_t)r[k] << 16 | (uint32_t)r[k + 1] << 8 | r[k + 2];
		for (int s = 18; s >= 0 && o < 22; s -= 6)
			out[o++] = b64[(v >> s) & 63];
	}
	out[22] = 0;
	return 0;
}

void zn_cluster_id_build(struct zbuf *b, const char *id)
{
	zb_puts(b, "{\"version\":\"1\",\"id\":");
	zb_jstr(b, id);
	zb_puts(b, "}");
}

int zn_cluster_id_parse(const char *data, size_t len, char out[32])
{
	struct zjson j;
	if (zj_parse(&j, data, len))
		return -EINVAL;
	int rc = zj_str(&j, zj_get(&j, 0, "id"), out, 32);
	zj_free(&j);
	return rc || !out[0] ? -EINVAL : 0;
}

int zn_topic_name_valid(const char *name)
{
	size_t l = strlen(name);
	if (l == 0 || l > 249 || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return 0;
	for (size_t k = 0; k < l; k++) {
		char c = name[k];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

void zn_tp_list_build(struct zbuf *b, const struct zn_tp *v, int n)
{
	zb_puts(b, "{\"version\":1,\"partitions\":[");
	for (int k = 0; k < n; k++) {
		zb_puts(b, k ? ",{\"topic\":" : "{\"topic\":");
		zb_jstr(b, v[k].topic);
		zb_printf(b, ",\"partition\":%d", v[k].partition);
		if (v[k].n_replicas >= 0) {
			zb_puts(b, ",\"replicas\":");
			zn_int_array(b, v[k].replicas, v[k].n_replicas);
		}
		zb_puts(b, "}");
	}
	zb_puts(b, "]}");
}

int zn_tp_list_parse(const char *data, size_t len, struct zn_tp *out, int max)
{
	struct zjson j;
	if (zj_parse(&j, data, len))
		return -EINVAL;
	int rc = -EINVAL;
	int arr = zj_get(&j, 0, "partitions");
	if (zj_type(&j, arr) != ZJ_ARR || j.t[arr].count > max)
		goto out;
	int n = j.t[arr].count;
	for (int k = 0; k < n; k++) {
		int e = zj_at(&j, arr, k);
		int64_t p;
		if (zj_str(&j, zj_get(&j, e, "topic"), out[k].topic, sizeof out[k].topic) ||
		    zj_int(&j, zj_get(&j, e, "partition"), 0, INT32_MAX, &p))
			goto out;
		out[k].partition = (int32_t)p;
		out[k].n_replicas = -1;
		int r = zj_get(&j, e, "replicas");
		if (r >= 0) {
			out[k].n_replicas = zn_parse_int_array(&j, r, out[k].replicas,
							       ZN_MAX_REPLICAS);
			if (out[k].n_replicas < 0)
				goto out;
		}
	}
	rc = n;
out:
	zj_free(&j);
	return rc;
}

int zn_config_get(const char *data, size_t len, const char *key, char *out,
		  size_t cap)
{
	struct zjson j;
	if (zj_parse(&j, data, len))
		return -EINVAL;
	int cfg = zj_get(&j, 0, "config");
	int rc = -EINVAL;
	if (zj_type(&j, cfg) == ZJ_OBJ) {
		int v = zj_get(&j, cfg, key);
		rc = v < 0 ? -ENOENT : zj_str(&j, v, out, cap);
	}
	zj_free(&j);
	return rc;
}
