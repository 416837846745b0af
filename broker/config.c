/* Broker configuration (see config.h). What each key is (type, default,
 * bounds, dynamic or not) lives in the broker table of config_def.c; here
 * are where the values are kept and the rules that span keys. A default is
 * text parsed by the same code as the file, so defaults and file values
 * obey the same rules. Values are untrusted: numbers are parsed strictly,
 * lengths are bounded, messages quote at most a prefix of a value with
 * control bytes masked. */
#include "broker/config.h"

#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "broker/config_def.h"
#include "common/log.h"
#include "common/properties.h"

#define MOD "config"

/* listener.security.protocol.map's protocol names */
static const char *const protocols[] = { "PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL", NULL };

/* The broker table: constant rows (config_def.c checks at compile time that
 * they fit the CONFIG_MAX_KEYS room of struct broker_config). */
static int key_count(void)
{
	int n;
	config_defs(CONFIG_ENTITY_BROKER, &n);
	return n;
}

static const struct config_def *key_at(int i)
{
	int n;
	return &config_defs(CONFIG_ENTITY_BROKER, &n)[i];
}

/* ---- messages ---- */

static void fmt_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void fmt_err(char *err, size_t errlen, const char *fmt, ...)
{
	if (!err || errlen == 0)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static void invalid(char *err, size_t errlen, const char *key, const char *value,
		    const char *why)
{
	char q[256];
	fmt_err(err, errlen, "invalid value \"%s\" for %s: %s", config_quote(value, q, sizeof q),
		key, why);
}

/* ---- typed parsing ---- */

#define config_key config_def

static const struct config_key *key_find(const char *name)
{
	return config_def_find(CONFIG_ENTITY_BROKER, name);
}

static int key_row(const struct config_key *k)
{
	return (int)(k - key_at(0));
}

static int is_text(const struct config_key *k)
{
	return k->type == CONFIG_TYPE_STRING || k->type == CONFIG_TYPE_LIST ||
	       k->type == CONFIG_TYPE_PASSWORD || k->type == CONFIG_TYPE_CLASS;
}

static void *field(struct broker_config *bc, const struct config_key *k)
{
	return (char *)bc + k->field - 1;
}

static const void *cfield(const struct broker_config *bc, const struct config_key *k)
{
	return (const char *)bc + k->field - 1;
}

/* Java's String.trim: drops bytes <= ' ' at both ends. */
static char *trim_dup(const char *v)
{
	while (*v && (unsigned char)*v <= ' ')
		v++;
	size_t n = strlen(v);
	while (n > 0 && (unsigned char)v[n - 1] <= ' ')
		n--;
	return strndup(v, n);
}

static int parse_long(const char *t, int64_t *out)
{
	return config_def_parse_long(t, out);
}

static int in_choices(const char *const *choices, const char *v, size_t len)
{
	for (int i = 0; choices[i]; i++)
		if (strlen(choices[i]) == len && strncmp(choices[i], v, len) == 0)
			return 1;
	return 0;
}

/* A checked comma list rewritten with each element trimmed; "" is the
 * empty list. */
static char *list_normalise(const char *t)
{
	char *out = malloc(strlen(t) + 1);
	if (!out)
		return NULL;
	size_t o = 0;
	for (const char *p = t; *t;) {
		const char *comma = strchr(p, ',');
		size_t l = comma ? (size_t)(comma - p) : strlen(p);
		while (l > 0 && (unsigned char)*p <= ' ')
			p++, l--;
		while (l > 0 && (unsigned char)p[l - 1] <= ' ')
			l--;
		if (o)
			out[o++] = ',';
		memcpy(out + o, p, l);
		o += l;
		if (!comma)
			break;
		p = comma + 1;
	}
	out[o] = '\0';
	return out;
}

/* The checked, trimmed (lists: normalised) text of a value; NULL with why
 * set when the table's check refuses it. */
static char *key_text(const struct config_key *k, const char *value, char *why, size_t n)
{
	if (config_def_check(k, value, why, n) < 0)
		return NULL;
	char *t = trim_dup(value);
	if (t && k->type == CONFIG_TYPE_LIST) {
		char *l = list_normalise(t);
		free(t);
		t = l;
	}
	if (!t)
		snprintf(why, n, "out of memory");
	return t;
}

/* Checks text and stores it in the key's field (keys without a field are
 * only checked). On error writes the reason to why. */
static int key_apply(struct broker_config *bc, const struct config_key *k,
		     const char *value, char *why, size_t n)
{
	char *t = key_text(k, value, why, n);
	if (!t)
		return -1;
	int64_t num = 0;
	if (!k->field) {
		free(t);
		return 0;
	}
	if (is_text(k)) {
		free(*(char **)field(bc, k));
		*(char **)field(bc, k) = t;
		return 0;
	}
	if (k->type == CONFIG_TYPE_BOOLEAN)
		*(int *)field(bc, k) = strcasecmp(t, "true") == 0;
	else if (parse_long(t, &num) == 0 && k->type == CONFIG_TYPE_LONG)
		*(int64_t *)field(bc, k) = num;
	else
		*(int32_t *)field(bc, k) = (int32_t)num;
	free(t);
	return 0;
}

/* ---- defaults, set, free ---- */

static void dynamic_free(struct config_dynamic *d);

void broker_config_defaults(struct broker_config *bc)
{
	memset(bc, 0, sizeof *bc);
	for (int i = 0; i < key_count(); i++) {
		const struct config_key *k = key_at(i);
		char why[256];
		if (k->def && key_apply(bc, k, k->def, why, sizeof why) < 0)
			log_error(MOD, "default of %s: %s", k->name, why);
	}
	bc->zk_connection_timeout_ms = bc->zk_session_timeout_ms;
	bc->log_retention_ms = 7LL * 24 * 3600 * 1000;
	bc->log_roll_ms = 7LL * 24 * 3600 * 1000;
	bc->log_flush_interval_ms = INT64_MAX;
}

/* log.level and log.level.<module>: applied to the process's logging at
 * once (common/log.h); DEBUG|INFO|WARN|ERROR. */
static int log_level_key(const char *key, const char *value, char *err, size_t errlen)
{
	int level = log_level_parse(value);
	if (level < 0) {
		fmt_err(err, errlen, "invalid value for %s: must be DEBUG, INFO, WARN or ERROR", key);
		return -1;
	}
	if (strcmp(key, "log.level") == 0) {
		log_set_level((enum log_level)level);
		return 0;
	}
	if (log_set_module_level(key + strlen("log.level."), level) < 0) {
		fmt_err(err, errlen, "invalid key %s: module name too long or too many", key);
		return -1;
	}
	return 0;
}

int broker_config_set(struct broker_config *bc, const char *key, const char *value,
		      char *err, size_t errlen)
{
	if (strcmp(key, "log.level") == 0 || strncmp(key, "log.level.", 10) == 0)
		return log_level_key(key, value, err, errlen);
	const struct config_key *k = key_find(key);
	if (!k) {
		fmt_err(err, errlen, "unknown key %s", key);
		return -2;
	}
	char why[320];
	char *text = key_text(k, value, why, sizeof why);
	if (!text || key_apply(bc, k, value, why, sizeof why) < 0) {
		free(text);
		invalid(err, errlen, key, k->flags & CONFIG_F_SENSITIVE ? "(hidden)" : value, why);
		return -1;
	}
	int row = key_row(k);
	free(bc->given[row]);
	bc->given[row] = text; /* Kafka's "static broker config" of the key */
	bc->set[row] = 1;
	return 0;
}

void broker_config_free(struct broker_config *bc)
{
	for (int i = 0; i < key_count(); i++) {
		const struct config_key *k = key_at(i);
		if (k->field && is_text(k)) {
			free(*(char **)field(bc, k));
			*(char **)field(bc, k) = NULL;
		}
		free(bc->given[i]);
		bc->given[i] = NULL;
	}
	free(bc->advertised_str);
	bc->advertised_str = NULL;
	for (int i = 0; i < bc->nextra; i++) {
		free(bc->extra[i].key);
		free(bc->extra[i].value);
	}
	free(bc->extra);
	bc->extra = NULL;
	bc->nextra = 0;
	dynamic_free(bc->dyn);
	bc->dyn = NULL;
}

static int is_set(const struct broker_config *bc, const char *key)
{
	const struct config_key *k = key_find(key);
	return k && bc->set[key_row(k)];
}

/* ---- listeners ---- */

static void upcase(char *s)
{
	for (; *s; s++)
		*s = (char)toupper((unsigned char)*s);
}

static int name_ok(const char *s, size_t len)
{
	if (len == 0 || len >= sizeof ((struct listener *)0)->name)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '-' && s[i] != '.')
			return 0;
	return 1;
}

static int host_ok(const char *s, size_t len)
{
	if (len >= sizeof ((struct listener *)0)->host)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("-%._:", s[i]))
			return 0;
	return 1;
}

/* "NAME://host:port" or "NAME://[v6]:port" in s[0..len). */
static int listener_parse(const char *s, size_t len, struct listener *l, char *why,
			  size_t n)
{
	const char *sep = NULL;
	for (size_t i = 0; i + 3 <= len && !sep; i++)
		if (memcmp(s + i, "://", 3) == 0)
			sep = s + i;
	if (!sep || !name_ok(s, (size_t)(sep - s))) {
		snprintf(why, n, "expected NAME://host:port with a listener name of letters, "
				 "digits, '_', '-' or '.'");
		return -1;
	}
	const char *h = sep + 3, *end = s + len, *hs = h, *he, *colon = NULL;
	if (h < end && *h == '[') {
		const char *rb = memchr(h, ']', (size_t)(end - h));
		if (rb && rb + 1 < end && rb[1] == ':')
			colon = rb + 1;
		hs = h + 1;
		he = rb;
	} else {
		for (const char *q = h; q < end; q++)
			if (*q == ':')
				colon = q;
		he = colon;
	}
	if (!colon || !host_ok(hs, (size_t)(he - hs))) {
		snprintf(why, n, "expected NAME://host:port with a valid host");
		return -1;
	}
	char port[8];
	size_t pl = (size_t)(end - colon - 1);
	int64_t p = 0;
	if (pl == 0 || pl >= sizeof port ||
	    (memcpy(port, colon + 1, pl), port[pl] = '\0', parse_long(port, &p)) < 0 ||
	    p < 1 || p > 65535) {
		snprintf(why, n, "port must be a number from 1 to 65535");
		return -1;
	}
	memset(l, 0, sizeof *l);
	memcpy(l->name, s, (size_t)(sep - s));
	upcase(l->name);
	memcpy(l->host, hs, (size_t)(he - hs));
	l->port = (int)p;
	return 0;
}

/* Parses a normalised list (elements trimmed, none empty). */
static int listeners_parse(const char *list, struct listener *out, int *nout,
			   char *why, size_t n)
{
	*nout = 0;
	if (!list || !*list) {
		snprintf(why, n, "no listeners");
		return -1;
	}
	for (const char *p = list; *p;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		if (*nout == CONFIG_MAX_LISTENERS) {
			snprintf(why, n, "more than %d listeners", CONFIG_MAX_LISTENERS);
			return -1;
		}
		if (listener_parse(p, len, &out[*nout], why, n) < 0)
			return -1;
		for (int i = 0; i < *nout; i++)
			if (strcmp(out[i].name, out[*nout].name) == 0) {
				snprintf(why, n, "listener name %s appears twice", out[i].name);
				return -1;
			}
		(*nout)++;
		p = comma ? comma + 1 : p + len;
	}
	return 0;
}

static int protocols_parse(struct broker_config *bc, char *why, size_t n)
{
	bc->nprotocols = 0;
	for (const char *p = bc->listener_security_protocol_map; p && *p;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		const char *colon = memchr(p, ':', len);
		struct listener_protocol *lp = &bc->protocols[bc->nprotocols];
		size_t pl = colon ? len - (size_t)(colon - p) - 1 : 0;
		if (!colon || !name_ok(p, (size_t)(colon - p)) || !in_choices(protocols, colon + 1, pl)) {
			snprintf(why, n, "expected NAME:PROTOCOL pairs, PROTOCOL one of "
					 "PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL");
			return -1;
		}
		if (bc->nprotocols == CONFIG_MAX_PROTOCOLS) {
			snprintf(why, n, "more than %d entries", CONFIG_MAX_PROTOCOLS);
			return -1;
		}
		memset(lp, 0, sizeof *lp);
		memcpy(lp->name, p, (size_t)(colon - p));
		upcase(lp->name);
		memcpy(lp->protocol, colon + 1, pl);
		if (broker_config_protocol(bc, lp->name)) {
			snprintf(why, n, "listener name %s appears twice", lp->name);
			return -1;
		}
		bc->nprotocols++;
		p = comma ? comma + 1 : p + len;
	}
	return 0;
}

const char *broker_config_protocol(const struct broker_config *bc, const char *name)
{
	for (int i = 0; i < bc->nprotocols; i++)
		if (strcasecmp(bc->protocols[i].name, name) == 0)
			return bc->protocols[i].protocol;
	return NULL;
}

/* The host to advertise for an empty listener host: this machine's name if
 * it resolves, else loopback (a name nobody can resolve is worse). */
static void advertise_host(char *out, size_t n)
{
	char name[256];
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
	struct addrinfo *ai = NULL;
	snprintf(out, n, "127.0.0.1");
	if (gethostname(name, sizeof name) < 0 || !name[0])
		return;
	name[sizeof name - 1] = '\0';
	if (getaddrinfo(name, NULL, &hints, &ai) == 0) {
		snprintf(out, n, "%s", name);
		freeaddrinfo(ai);
	}
}

static int listeners_check(struct broker_config *bc, char *err, size_t errlen)
{
	char why[320];
	if (listeners_parse(bc->listeners_str, bc->listeners, &bc->nlisteners, why,
			    sizeof why) < 0) {
		invalid(err, errlen, "listeners", bc->listeners_str, why);
		return -1;
	}
	for (int i = 0; i < bc->nlisteners; i++) {
		struct listener *l = &bc->listeners[i];
		if (!broker_config_protocol(bc, l->name)) {
			snprintf(why, sizeof why, "listener %s has no entry in "
				 "listener.security.protocol.map", l->name);
			invalid(err, errlen, "listeners", bc->listeners_str, why);
			return -1;
		}
		if (!l->host[0])
			snprintf(l->host, sizeof l->host, "0.0.0.0");
	}
	return 0;
}

static int advertised_build_str(struct broker_config *bc)
{
	size_t cap = (size_t)bc->nadvertised * (sizeof bc->advertised[0] + 16) + 1, o = 0;
	char *s = malloc(cap);
	if (!s)
		return -1;
	s[0] = '\0';
	for (int i = 0; i < bc->nadvertised; i++) {
		const struct listener *l = &bc->advertised[i];
		int v6 = strchr(l->host, ':') != NULL;
		o += (size_t)snprintf(s + o, cap - o, "%s%s://%s%s%s:%d", i ? "," : "", l->name,
				      v6 ? "[" : "", l->host, v6 ? "]" : "", l->port);
	}
	free(bc->advertised_str);
	bc->advertised_str = s;
	return 0;
}

static int advertised_check(struct broker_config *bc, char *err, size_t errlen)
{
	int given = is_set(bc, "advertised.listeners");
	const char *key = given ? "advertised.listeners" : "advertised.listeners (from listeners)";
	const char *text = given ? bc->advertised_listeners_str : bc->listeners_str;
	char why[320], host[256] = "";
	if (listeners_parse(text, bc->advertised, &bc->nadvertised, why, sizeof why) < 0) {
		invalid(err, errlen, key, text, why);
		return -1;
	}
	for (int i = 0; i < bc->nadvertised; i++) {
		struct listener *l = &bc->advertised[i];
		int known = 0;
		for (int j = 0; j < bc->nlisteners; j++)
			known |= strcmp(bc->listeners[j].name, l->name) == 0;
		if (!known) {
			snprintf(why, sizeof why, "listener %s is not in listeners", l->name);
			invalid(err, errlen, key, text, why);
			return -1;
		}
		if (strcmp(l->host, "0.0.0.0") == 0 || strcmp(l->host, "::") == 0) {
			invalid(err, errlen, key, text, "cannot advertise the non-routable "
				"address 0.0.0.0; set advertised.listeners to a routable host");
			return -1;
		}
		if (!l->host[0]) {
			if (!host[0])
				advertise_host(host, sizeof host);
			snprintf(l->host, sizeof l->host, "%s", host);
		}
	}
	if (advertised_build_str(bc) < 0) {
		fmt_err(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

static int inter_broker_check(struct broker_config *bc, char *err, size_t errlen)
{
	if (is_set(bc, "inter.broker.listener.name")) {
		if (is_set(bc, "security.inter.broker.protocol")) {
			fmt_err(err, errlen, "only one of inter.broker.listener.name and "
				"security.inter.broker.protocol may be set");
			return -1;
		}
		upcase(bc->inter_broker_listener_name);
	} else {
		char *name = strdup(bc->security_inter_broker_protocol);
		if (!name) {
			fmt_err(err, errlen, "out of memory");
			return -1;
		}
		free(bc->inter_broker_listener_name);
		bc->inter_broker_listener_name = name;
	}
	for (int i = 0; i < bc->nadvertised; i++)
		if (strcmp(bc->advertised[i].name, bc->inter_broker_listener_name) == 0)
			return 0;
	invalid(err, errlen, "inter.broker.listener.name", bc->inter_broker_listener_name,
		"not the name of one of the advertised listeners");
	return -1;
}

/* ---- derived values and cross-key rules ---- */

static int required_check(struct broker_config *bc, char *err, size_t errlen)
{
	if (!is_set(bc, "zookeeper.connect")) {
		fmt_err(err, errlen, "missing required key zookeeper.connect");
		return -1;
	}
	if (!bc->zk_connect || !bc->zk_connect[0]) {
		invalid(err, errlen, "zookeeper.connect", "", "must not be empty");
		return -1;
	}
	if (!is_set(bc, "broker.id")) {
		fmt_err(err, errlen, "missing required key broker.id (automatic broker id "
			"generation is not supported yet)");
		return -1;
	}
	if (bc->broker_id < 0) {
		invalid(err, errlen, "broker.id", "-1", "automatic broker id generation is not "
			"supported yet; set broker.id to a number >= 0");
		return -1;
	}
	return 0;
}

static int log_dirs_check(struct broker_config *bc, char *err, size_t errlen)
{
	int given = is_set(bc, "log.dirs");
	const char *key = given ? "log.dirs" : "log.dir";
	const char *v = given ? bc->log_dirs : bc->log_dir;
	if (!v || !*v) {
		invalid(err, errlen, key, "", "must not be empty");
		return -1;
	}
	/* several dirs: each partition lives in one; a failed dir goes offline
	 * alone (broker/replica/replica_manager.h) */
	int n = 0;
	for (const char *p = v; *p; n++) {
		size_t l = strcspn(p, ",");
		for (const char *q = p + l + (p[l] == ','); *q;) {
			size_t m = strcspn(q, ",");
			if (m == l && strncmp(p, q, l) == 0) {
				invalid(err, errlen, key, v, "a log directory is listed twice");
				return -1;
			}
			q += m + (q[m] == ',');
		}
		p += l + (p[l] == ',');
	}
	if (n > 32) {
		invalid(err, errlen, key, v, "more than 32 log directories");
		return -1;
	}
	if (!given) {
		char *d = strdup(v);
		if (!d) {
			fmt_err(err, errlen, "out of memory");
			return -1;
		}
		free(bc->log_dirs);
		bc->log_dirs = d;
	}
	return 0;
}

/* Kafka: log.retention.ms > log.retention.minutes > log.retention.hours; any
 * negative result means forever; 0 is refused. */
static int retention_check(struct broker_config *bc, char *err, size_t errlen)
{
	const char *key = "log.retention.hours";
	int64_t ms = (int64_t)bc->log_retention_hours * 3600000;
	if (is_set(bc, "log.retention.ms")) {
		key = "log.retention.ms";
		ms = bc->log_retention_ms_key;
	} else if (is_set(bc, "log.retention.minutes")) {
		key = "log.retention.minutes";
		ms = (int64_t)bc->log_retention_minutes * 60000;
	}
	if (ms == 0) {
		invalid(err, errlen, key, "0", "must be -1 (unlimited) or at least 1 ms");
		return -1;
	}
	bc->log_retention_ms = ms < 0 ? -1 : ms;
	bc->log_roll_ms = is_set(bc, "log.roll.ms") ? bc->log_roll_ms_key
						     : (int64_t)bc->log_roll_hours * 3600000;
	bc->log_flush_interval_ms = is_set(bc, "log.flush.interval.ms")
					    ? bc->log_flush_interval_ms_key : INT64_MAX;
	return 0;
}

static int replica_check(struct broker_config *bc, char *err, size_t errlen)
{
	char v[32];
	snprintf(v, sizeof v, "%d", bc->replica_fetch_wait_max_ms);
	if (bc->replica_fetch_wait_max_ms > bc->replica_socket_timeout_ms) {
		invalid(err, errlen, "replica.fetch.wait.max.ms", v,
			"must not exceed replica.socket.timeout.ms");
		return -1;
	}
	if (bc->replica_fetch_wait_max_ms > bc->replica_lag_time_max_ms) {
		invalid(err, errlen, "replica.fetch.wait.max.ms", v,
			"must not exceed replica.lag.time.max.ms");
		return -1;
	}
	return 0;
}

/* max.connections.per.ip.overrides: "host:count" entries, count >= 0. */
static int overrides_check(const struct broker_config *bc, char *err, size_t errlen)
{
	const char *v = bc->max_connections_per_ip_overrides;
	char q[256];
	for (const char *e = v; e && *e;) {
		const char *comma = strchr(e, ',');
		size_t len = comma ? (size_t)(comma - e) : strlen(e);
		const char *colon = memchr(e, ':', len);
		int64_t n = -1;
		char num[24];
		size_t nl = colon ? len - (size_t)(colon + 1 - e) : 0;
		if (colon && colon > e && nl > 0 && nl < sizeof num) {
			memcpy(num, colon + 1, nl);
			num[nl] = '\0';
			if (parse_long(num, &n) < 0)
				n = -1;
		}
		if (n < 0 || n > INT32_MAX) {
			fmt_err(err, errlen, "Invalid value %s for configuration "
				"max.connections.per.ip.overrides: each entry must be "
				"host:count with a count >= 0", config_quote(v, q, sizeof q));
			return -1;
		}
		e = comma ? comma + 1 : e + len;
	}
	return 0;
}

/* super.users: "User:a;User:b", each entry a principal Type:name (blanks
 * around entries allowed, as Kafka trims them). */
static int super_users_check(const struct broker_config *bc, char *err, size_t errlen)
{
	for (const char *p = bc->super_users; p && *p;) {
		const char *e = strchr(p, ';');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		while (n && (*p == ' ' || *p == '\t')) {
			p++;
			n--;
		}
		while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		const char *colon = n ? memchr(p, ':', n) : NULL;
		if (n && (!colon || colon == p || colon == p + n - 1)) {
			invalid(err, errlen, "super.users", bc->super_users,
				"each entry must be a principal Type:name, separated by ';'");
			return -1;
		}
		p = e ? e + 1 : p + n;
	}
	return 0;
}

/* zookeeper.set.acl needs credentials: zookeeper.digest, or the first line
 * of zookeeper.digest.file (read here, kept in zookeeper_digest). Either
 * must be user:password. */
static int zk_digest_check(struct broker_config *bc, char *err, size_t errlen)
{
	if (bc->zookeeper_digest_file && bc->zookeeper_digest_file[0]) {
		FILE *f = fopen(bc->zookeeper_digest_file, "r");
		char line[512];
		if (!f || !fgets(line, sizeof line, f)) {
			invalid(err, errlen, "zookeeper.digest.file", bc->zookeeper_digest_file,
				f ? "file is empty" : strerror(errno));
			if (f)
				fclose(f);
			return -1;
		}
		fclose(f);
		line[strcspn(line, "\r\n")] = 0;
		free(bc->zookeeper_digest);
		if (!(bc->zookeeper_digest = strdup(line))) {
			fmt_err(err, errlen, "out of memory");
			return -1;
		}
	}
	const char *d = bc->zookeeper_digest;
	const char *colon = d ? strchr(d, ':') : NULL;
	if (d && (!colon || colon == d || !colon[1])) {
		fmt_err(err, errlen, "invalid value for zookeeper.digest%s: must be user:password",
			bc->zookeeper_digest_file ? " (from zookeeper.digest.file)" : "");
		return -1;
	}
	if (bc->zookeeper_set_acl && !d) {
		fmt_err(err, errlen, "zookeeper.set.acl=true needs ZooKeeper credentials: "
			"set zookeeper.digest=user:password or zookeeper.digest.file");
		return -1;
	}
	return 0;
}

int broker_config_validate(struct broker_config *bc, char *err, size_t errlen)
{
	char why[320];
	if (required_check(bc, err, errlen) < 0)
		return -1;
	if (protocols_parse(bc, why, sizeof why) < 0) {
		invalid(err, errlen, "listener.security.protocol.map",
			bc->listener_security_protocol_map, why);
		return -1;
	}
	if (listeners_check(bc, err, errlen) < 0 || advertised_check(bc, err, errlen) < 0 ||
	    inter_broker_check(bc, err, errlen) < 0 || log_dirs_check(bc, err, errlen) < 0 ||
	    retention_check(bc, err, errlen) < 0 || replica_check(bc, err, errlen) < 0 ||
	    overrides_check(bc, err, errlen) < 0 ||
	    super_users_check(bc, err, errlen) < 0 || zk_digest_check(bc, err, errlen) < 0)
		return -1;
	if (!is_set(bc, "zookeeper.connection.timeout.ms"))
		bc->zk_connection_timeout_ms = bc->zk_session_timeout_ms;
	return 0;
}

/* ---- loading ---- */

static int extra_add(struct broker_config *bc, const char *key, const char *value)
{
	if (bc->nextra % 16 == 0) {
		struct config_extra *e =
			realloc(bc->extra, ((size_t)bc->nextra + 16) * sizeof *e);
		if (!e)
			return -1;
		bc->extra = e;
	}
	char *k = strdup(key), *v = strdup(value);
	if (!k || !v) {
		free(k);
		free(v);
		return -1;
	}
	bc->extra[bc->nextra++] = (struct config_extra){ k, v };
	return 0;
}

const char *broker_config_extra(const struct broker_config *bc, const char *key)
{
	for (int i = bc->nextra - 1; i >= 0; i--)
		if (strcmp(bc->extra[i].key, key) == 0)
			return bc->extra[i].value;
	return NULL;
}

/* An unknown key, kept: a listener.name.<l>.<key> override of a table key
 * is checked against that key's row (a bad one stops start-up, as Kafka);
 * anything else is warned about. */
static int extra_load(struct broker_config *bc, const struct config_entry *e, char *err,
		      size_t errlen)
{
	static const char pre[] = "listener.name.";
	const char *dot = strncmp(e->key, pre, sizeof pre - 1) == 0
				  ? strchr(e->key + sizeof pre - 1, '.') : NULL;
	const struct config_key *k = dot ? key_find(dot + 1) : NULL;
	char why[320];
	if (k && config_def_check(k, e->value, why, sizeof why) < 0) {
		char msg[512];
		invalid(msg, sizeof msg, e->key, k->flags & CONFIG_F_SENSITIVE ? "(hidden)"
									: e->value, why);
		fmt_err(err, errlen, "%s: %s", e->source, msg);
		return -1;
	}
	if (!dot)
		log_warn(MOD, "%s: unknown key %s (ignored)", e->source, e->key);
	if (extra_add(bc, e->key, e->value) < 0) {
		fmt_err(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

/* Applies one entry; where[] remembers which source last set each key. */
static int load_entry(struct broker_config *bc, const struct config_entry *e,
		      const char **where, char *err, size_t errlen)
{
	char msg[512];
	int rc = broker_config_set(bc, e->key, e->value, msg, sizeof msg);
	if (rc == -2)
		return extra_load(bc, e, err, errlen);
	if (rc < 0) {
		fmt_err(err, errlen, "%s: %s", e->source, msg);
		return -1;
	}
	const struct config_key *k = key_find(e->key);
	if (!k)
		return 0; /* log.level keys: applied to logging, no table row */
	int row = key_row(k);
	if (where[row])
		log_warn(MOD, "%s is set by %s and again by %s; the last wins", e->key,
			 where[row], e->source);
	where[row] = e->source;
	if (k->flags & CONFIG_F_IGNORED)
		log_info(MOD, "%s is accepted for compatibility and ignored", e->key);
	return 0;
}

int broker_config_load_entries(const struct config_entry *entries, int n,
			       struct broker_config *out, char *err, size_t errlen)
{
	const char *where[CONFIG_MAX_KEYS] = { 0 };
	int rc = 0;
	broker_config_defaults(out);
	for (int i = 0; rc == 0 && i < n; i++)
		rc = load_entry(out, &entries[i], where, err, errlen);
	if (rc == 0)
		rc = broker_config_validate(out, err, errlen);
	if (rc < 0)
		broker_config_free(out);
	return rc < 0 ? -1 : 0;
}

int broker_config_load(const char *path, struct broker_config *out, char *err,
		       size_t errlen)
{
	struct props props = { 0 };
	if (props_load_file(path, &props, err, errlen) < 0)
		return -1;
	struct config_entry *e = calloc((size_t)props.n + 1, sizeof *e);
	char (*labels)[24] = calloc((size_t)props.n + 1, sizeof *labels);
	int rc = -1;
	if (!e || !labels) {
		fmt_err(err, errlen, "out of memory");
	} else {
		for (int i = 0; i < props.n; i++) {
			snprintf(labels[i], sizeof labels[i], "line %d", props.v[i].line);
			e[i] = (struct config_entry){ props.v[i].key, props.v[i].value, labels[i] };
		}
		rc = broker_config_load_entries(e, props.n, out, err, errlen);
	}
	free(e);
	free(labels);
	props_free(&props);
	return rc;
}

/* ---- read-back and hand-off ---- */

/* Keys whose read-back is a derived value; set if any source key was. */
static int get_effective(const struct broker_config *bc, const char *key, char *buf,
			 size_t n)
{
	if (strcmp(key, "log.retention.ms") == 0) {
		snprintf(buf, n, "%lld", (long long)bc->log_retention_ms);
		return is_set(bc, "log.retention.ms") || is_set(bc, "log.retention.minutes") ||
		       is_set(bc, "log.retention.hours");
	}
	if (strcmp(key, "log.roll.ms") == 0) {
		snprintf(buf, n, "%lld", (long long)bc->log_roll_ms);
		return is_set(bc, "log.roll.ms") || is_set(bc, "log.roll.hours");
	}
	if (strcmp(key, "log.flush.interval.ms") == 0) {
		snprintf(buf, n, "%lld", (long long)bc->log_flush_interval_ms);
		return is_set(bc, key);
	}
	if (strcmp(key, "advertised.listeners") == 0 && !is_set(bc, key)) {
		snprintf(buf, n, "%s", bc->advertised_str ? bc->advertised_str : "");
		return 0;
	}
	return -1;
}

static const char *layer_value(const struct broker_config *bc, int layer, const char *key);

/* A key without a field: its text from the highest level that has one. */
static int get_text(const struct broker_config *bc, const struct config_key *k, char *buf,
		    size_t buflen)
{
	const char *v = layer_value(bc, CONFIG_LAYER_BROKER, k->name);
	int set = 1;
	if (!v)
		v = layer_value(bc, CONFIG_LAYER_DEFAULT, k->name);
	if (!v)
		v = bc->given[key_row(k)];
	if (!v) {
		v = k->def ? k->def : "";
		set = 0;
	}
	snprintf(buf, buflen, "%s", v);
	return set;
}

int broker_config_get(const struct broker_config *bc, const char *key, char *buf,
		      size_t buflen)
{
	const struct config_key *k = key_find(key);
	if (!k || (k->flags & CONFIG_F_SENSITIVE) || buflen == 0)
		return -1;
	int eff = get_effective(bc, key, buf, buflen);
	if (eff >= 0)
		return eff;
	if (!k->field)
		return get_text(bc, k, buf, buflen);
	const void *f = cfield(bc, k);
	if (is_text(k)) {
		const char *s = *(char *const *)f;
		snprintf(buf, buflen, "%s", s ? s : "");
	} else if (k->type == CONFIG_TYPE_BOOLEAN) {
		snprintf(buf, buflen, "%s", *(const int *)f ? "true" : "false");
	} else if (k->type == CONFIG_TYPE_LONG) {
		snprintf(buf, buflen, "%lld", (long long)*(const int64_t *)f);
	} else {
		snprintf(buf, buflen, "%d", *(const int32_t *)f);
	}
	return bc->set[key_row(k)];
}

void broker_config_log(const struct broker_config *bc, struct log_config *lc)
{
	log_config_defaults(lc);
	lc->segment_bytes = bc->log_segment_bytes;
	lc->roll_ms = bc->log_roll_ms;
	lc->retention_ms = bc->log_retention_ms;
	lc->retention_bytes = bc->log_retention_bytes < 0 ? -1 : bc->log_retention_bytes;
	lc->flush_interval_messages = bc->log_flush_interval_messages;
	lc->flush_interval_ms = bc->log_flush_interval_ms;
	lc->recovery_point_checkpoint_ms = bc->log_flush_offset_checkpoint_interval_ms;
	lc->index_interval_bytes = bc->log_index_interval_bytes;
	lc->segment_index_bytes = bc->log_index_size_max_bytes;
}

void broker_config_coord(const struct broker_config *bc, struct coord_config *cc)
{
	memset(cc, 0, sizeof *cc);
	cc->broker_id = bc->broker_id;
	cc->zk_connect = bc->zk_connect;
	cc->zk_session_timeout_ms = bc->zk_session_timeout_ms;
	cc->advertised_listeners = bc->advertised_str;
	cc->listener_security_protocol_map = bc->listener_security_protocol_map;
	cc->inter_broker_listener_name = bc->inter_broker_listener_name;
	cc->rack = bc->broker_rack && bc->broker_rack[0] ? bc->broker_rack : NULL;
	cc->num_partitions = bc->num_partitions;
	cc->default_replication_factor = (int16_t)bc->default_replication_factor;
	cc->unclean_leader_election = bc->unclean_leader_election_enable;
	cc->delete_topic_enable = bc->delete_topic_enable;
	cc->auto_leader_rebalance_enable = bc->auto_leader_rebalance_enable;
	cc->leader_imbalance_check_interval_seconds = bc->leader_imbalance_check_interval_seconds;
	cc->leader_imbalance_per_broker_percentage = bc->leader_imbalance_per_broker_percentage;
	cc->zk_set_acl = bc->zookeeper_set_acl;
	cc->zk_digest = bc->zookeeper_digest;
}

/* ---- dynamic broker configs ----
 * Which keys are dynamic and how (per broker, cluster-wide, per listener)
 * is the table's mode (Kafka 3.9's DynamicBrokerConfig sets). Gregor acts
 * at once on the keys flagged CONFIG_F_LIVE (the log defaults, message and
 * replica limits); the other dynamic keys are stored and shown. A live key
 * has a scalar field or a string nobody keeps a pointer to, as a layer
 * change rewrites the field in place. */

struct dyn_layer {
	int n;
	char **keys, **values;
};

struct config_dynamic {
	struct dyn_layer layer[2]; /* CONFIG_LAYER_DEFAULT, _BROKER */
	/* per table row of a live key: its static value, taken before any layer */
	int64_t num[CONFIG_MAX_KEYS];
	char *str[CONFIG_MAX_KEYS];
	unsigned char set[CONFIG_MAX_KEYS];
};

/* "listener.name.<l>.<base>": the base, else NULL. */
static const char *listener_base(const char *key)
{
	static const char pre[] = "listener.name.";
	if (strncmp(key, pre, sizeof pre - 1) != 0)
		return NULL;
	const char *dot = strchr(key + sizeof pre - 1, '.');
	return dot && dot > key + sizeof pre - 1 && dot[1] ? dot + 1 : NULL;
}

/* The row of a key, its listener prefix stripped. */
static const struct config_key *base_find(const char *key)
{
	const char *base = listener_base(key);
	return key_find(base ? base : key);
}

static int is_live(const struct config_key *k)
{
	return (k->flags & CONFIG_F_LIVE) && k->field && k->mode != CONFIG_STATIC;
}

int broker_config_is_dynamic(const char *key)
{
	const struct config_key *k = key_find(key);
	return (k && k->mode != CONFIG_STATIC) || listener_base(key) != NULL;
}

int broker_config_is_password(const char *key)
{
	const struct config_key *k = base_find(key);
	return k && (k->flags & CONFIG_F_SENSITIVE);
}

int broker_config_is_list(const char *key)
{
	const struct config_key *k = base_find(key);
	return k && k->type == CONFIG_TYPE_LIST;
}

/* Appends name to a "Set(a, b)" list being built in buf. */
static void set_add(char *buf, size_t n, const char *name)
{
	size_t o = strlen(buf);
	if (o + 4 < n)
		snprintf(buf + o, n - o, "%s%.100s", o ? ", " : "", name);
}

static int check_kind(const char *const *keys, int n, int (*bad)(const char *key),
		      const char *what, char *err, size_t errlen)
{
	char names[400] = "";
	for (int i = 0; i < n; i++)
		if (bad(keys[i]))
			set_add(names, sizeof names, keys[i]);
	if (!names[0])
		return 0;
	fmt_err(err, errlen, "%s: Set(%s)", what, names);
	return -1;
}

static int non_dynamic(const char *key)
{
	const struct config_key *k = key_find(key);
	return k && k->mode == CONFIG_STATIC;
}

static int needs_listener_prefix(const char *key)
{
	const struct config_key *k = key_find(key);
	return k && k->mode == CONFIG_PER_LISTENER;
}

static int per_broker_only(const char *key)
{
	const char *base = listener_base(key);
	if (base)
		return strcmp(base, "max.connections") && strcmp(base, "max.connection.creation.rate");
	const struct config_key *k = key_find(key);
	return k && (k->mode == CONFIG_PER_BROKER || k->mode == CONFIG_PER_LISTENER);
}

int broker_config_dynamic_check_value(const char *key, const char *value, char *err,
				      size_t errlen)
{
	const struct config_key *k = base_find(key);
	if (!value || !k || (k->flags & CONFIG_F_SENSITIVE))
		return 0; /* custom keys are accepted, as Kafka accepts them */
	return config_def_check_kafka(k, key, value, err, errlen);
}

int broker_config_dynamic_check(const char *const *keys, const char *const *values, int n,
				int per_broker, char *err, size_t errlen)
{
	if (check_kind(keys, n, non_dynamic, "Cannot update these configs dynamically",
		       err, errlen) < 0 ||
	    check_kind(keys, n, needs_listener_prefix, "These security configs can be "
		       "dynamically updated only per-listener using the listener prefix",
		       err, errlen) < 0)
		return -1;
	for (int i = 0; i < n; i++)
		if (broker_config_dynamic_check_value(keys[i], values[i], err, errlen) < 0)
			return -1;
	if (!per_broker && check_kind(keys, n, per_broker_only, "Cannot update these configs "
				      "at default cluster level, broker id must be specified",
				      err, errlen) < 0)
		return -1;
	return 0;
}

/* ---- the layers and the effective values ---- */

static void layer_clear(struct dyn_layer *l)
{
	for (int i = 0; i < l->n; i++) {
		free(l->keys[i]);
		free(l->values[i]);
	}
	free(l->keys);
	free(l->values);
	memset(l, 0, sizeof *l);
}

static void dynamic_free(struct config_dynamic *d)
{
	if (!d)
		return;
	for (int i = 0; i < 2; i++)
		layer_clear(&d->layer[i]);
	for (int i = 0; i < CONFIG_MAX_KEYS; i++)
		free(d->str[i]);
	free(d);
}

/* Reads a scalar field of any numeric kind into an int64_t and back. */
static int64_t num_get(const struct broker_config *bc, const struct config_key *k)
{
	const void *f = cfield(bc, k);
	return k->type == CONFIG_TYPE_LONG ? *(const int64_t *)f
	       : k->type == CONFIG_TYPE_BOOLEAN ? *(const int *)f : *(const int32_t *)f;
}

static void num_put(struct broker_config *bc, const struct config_key *k, int64_t v)
{
	void *f = field(bc, k);
	if (k->type == CONFIG_TYPE_LONG)
		*(int64_t *)f = v;
	else if (k->type == CONFIG_TYPE_BOOLEAN)
		*(int *)f = (int)v;
	else
		*(int32_t *)f = (int32_t)v;
}

/* First use: remembers the static values of the live keys. */
static struct config_dynamic *dynamic_get(struct broker_config *bc)
{
	if (bc->dyn)
		return bc->dyn;
	struct config_dynamic *d = calloc(1, sizeof *d);
	for (int i = 0; d && i < key_count(); i++) {
		const struct config_key *k = key_at(i);
		if (!is_live(k))
			continue;
		d->set[i] = bc->set[i];
		if (!is_text(k)) {
			d->num[i] = num_get(bc, k);
			continue;
		}
		const char *v = *(char *const *)cfield(bc, k);
		if (v && !(d->str[i] = strdup(v))) {
			dynamic_free(d);
			return NULL;
		}
	}
	bc->dyn = d;
	return d;
}

static const char *layer_get(const struct dyn_layer *l, const char *key)
{
	for (int i = 0; i < l->n; i++)
		if (strcmp(l->keys[i], key) == 0)
			return l->values[i];
	return NULL;
}

static const char *layer_value(const struct broker_config *bc, int layer, const char *key)
{
	return bc->dyn ? layer_get(&bc->dyn->layer[layer], key) : NULL;
}

/* Restores the static value of live row i, then lays the layers over it. */
static void dynamic_apply_key(struct broker_config *bc, const struct config_dynamic *d, int i)
{
	const struct config_key *k = key_at(i);
	if (is_text(k)) {
		char *copy = d->str[i] ? strdup(d->str[i]) : NULL;
		if (d->str[i] && !copy)
			return; /* out of memory: keep the current value */
		free(*(char **)field(bc, k));
		*(char **)field(bc, k) = copy;
	} else {
		num_put(bc, k, d->num[i]);
	}
	bc->set[i] = d->set[i];
	for (int l = CONFIG_LAYER_DEFAULT; l <= CONFIG_LAYER_BROKER; l++) {
		const char *v = layer_get(&d->layer[l], k->name);
		char why[320];
		if (!v)
			continue;
		if (key_apply(bc, k, v, why, sizeof why) < 0) {
			log_warn(MOD, "dynamic %s config %s: %s (ignored)",
				 l == CONFIG_LAYER_BROKER ? "per-broker" : "default", k->name, why);
			continue;
		}
		bc->set[i] = 1;
	}
}

/* Re-derives every live key and the values that depend on several. */
static void dynamic_apply(struct broker_config *bc)
{
	struct config_dynamic *d = bc->dyn;
	int64_t retention = bc->log_retention_ms, roll = bc->log_roll_ms;
	for (int i = 0; i < key_count(); i++)
		if (is_live(key_at(i)))
			dynamic_apply_key(bc, d, i);
	char err[400];
	if (retention_check(bc, err, sizeof err) < 0) {
		log_warn(MOD, "dynamic config: %s; keeping the previous retention", err);
		bc->log_retention_ms = retention;
		bc->log_roll_ms = roll;
	}
}

int broker_config_dynamic_set(struct broker_config *bc, int layer, const char *const *keys,
			      const char *const *values, int n)
{
	struct config_dynamic *d = layer == CONFIG_LAYER_BROKER || layer == CONFIG_LAYER_DEFAULT
					   ? dynamic_get(bc) : NULL;
	if (!d)
		return -1;
	struct dyn_layer nl = { 0 };
	nl.keys = calloc((size_t)(n > 0 ? n : 0) + 1, sizeof *nl.keys);
	nl.values = calloc((size_t)(n > 0 ? n : 0) + 1, sizeof *nl.values);
	int bad = !nl.keys || !nl.values;
	for (int i = 0; !bad && i < n; i++) {
		/* the layer comes from ZooKeeper, where anyone with write access
		 * (zkCli) can put anything: validated as AlterConfigs validates;
		 * a refused value leaves the key's previous value in force */
		const char *v = values[i];
		char why[320];
		if (broker_config_dynamic_check_value(keys[i], v, why, sizeof why) < 0) {
			const char *old = layer_get(&d->layer[layer], keys[i]);
			log_warn(MOD, "dynamic %s config from ZooKeeper refused: %s; %s%s",
				 layer == CONFIG_LAYER_BROKER ? "per-broker" : "default", why,
				 old ? "keeping the previous value " : "the key stays unset",
				 old ? old : "");
			if (!old)
				continue;
			v = old;
		}
		nl.keys[nl.n] = strdup(keys[i]);
		nl.values[nl.n] = strdup(v);
		bad = !nl.keys[nl.n] || !nl.values[nl.n];
		nl.n++;
	}
	if (bad) {
		layer_clear(&nl);
		return -1;
	}
	layer_clear(&d->layer[layer]);
	d->layer[layer] = nl;
	dynamic_apply(bc);
	log_info(MOD, "dynamic %s config: %d key(s)",
		 layer == CONFIG_LAYER_BROKER ? "per-broker" : "cluster default", n);
	return 0;
}

const char *broker_config_dynamic_get(const struct broker_config *bc, int layer,
				      const char *key)
{
	if (layer != CONFIG_LAYER_BROKER && layer != CONFIG_LAYER_DEFAULT)
		return NULL;
	return layer_value(bc, layer, key);
}

const char *broker_config_dynamic_key(const struct broker_config *bc, int layer, int i)
{
	if (!bc->dyn || (layer != CONFIG_LAYER_BROKER && layer != CONFIG_LAYER_DEFAULT) ||
	    i < 0 || i >= bc->dyn->layer[layer].n)
		return NULL;
	return bc->dyn->layer[layer].keys[i];
}

const char *broker_config_level(const struct broker_config *bc, const char *key,
				enum config_source level)
{
	const struct config_key *k;
	switch (level) {
	case CONFIG_SOURCE_DYNAMIC_BROKER:
		return layer_value(bc, CONFIG_LAYER_BROKER, key);
	case CONFIG_SOURCE_DYNAMIC_DEFAULT:
		return layer_value(bc, CONFIG_LAYER_DEFAULT, key);
	case CONFIG_SOURCE_STATIC:
		k = key_find(key);
		return k ? bc->given[key_row(k)] : NULL;
	case CONFIG_SOURCE_DEFAULT:
		k = key_find(key);
		return k ? k->def : NULL;
	default:
		return NULL;
	}
}
