/* Broker configuration (see config.h). Every key is one row of key_table:
 * its default is text parsed by the same code as the file, so defaults and
 * file values obey the same rules. Values are untrusted: numbers are parsed
 * strictly, lengths are bounded, messages quote at most a prefix of a value
 * with control bytes masked. */
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

#include "common/log.h"
#include "common/properties.h"

#define MOD "config"

enum key_type { T_INT, T_LONG, T_BOOL, T_STRING, T_LIST };

#define F_IGNORED 1u   /* accepted for compatibility; an info line says so */
#define F_SENSITIVE 2u /* never read back */

struct config_key {
	const char *name;
	enum key_type type;
	size_t off;
	const char *def; /* NULL: Kafka's null (unset) */
	int64_t min, max;
	const char *const *choices; /* allowed values (list: each element) */
	unsigned flags;
};

#define OFF(f) offsetof(struct broker_config, f)
#define I32(n, f, d, lo, hi) { n, T_INT, OFF(f), d, lo, hi, NULL, 0 }
#define I64(n, f, d, lo, hi) { n, T_LONG, OFF(f), d, lo, hi, NULL, 0 }
#define BOOL(n, f, d) { n, T_BOOL, OFF(f), d, 0, 0, NULL, 0 }
#define STR(n, f, d, ch) { n, T_STRING, OFF(f), d, 0, 0, ch, 0 }
#define LIST(n, f, d, ch) { n, T_LIST, OFF(f), d, 0, 0, ch, 0 }
#define SECRET(n, f) { n, T_STRING, OFF(f), NULL, 0, 0, NULL, F_SENSITIVE }
#define IGNORED(n, f, d) { n, T_INT, OFF(f), d, 1, INT32_MAX, NULL, F_IGNORED }

#define IMAX INT32_MAX
#define LMAX INT64_MAX

static const char *const protocols[] = { "PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL", NULL };
static const char *const client_auth[] = { "required", "requested", "none", NULL };
static const char *const compressions[] = { "uncompressed", "zstd", "lz4", "snappy",
					    "gzip", "producer", NULL };
static const char *const cleanup_policies[] = { "delete", "compact", NULL };
/* Kafka's ZooKeeper-era ACL authorizers; "" is none (Kafka's default) */
static const char *const authorizer_classes[] = { "", "kafka.security.authorizer.AclAuthorizer",
						  "kafka.security.auth.SimpleAclAuthorizer", NULL };
static const char *const timestamp_types[] = { "CreateTime", "LogAppendTime", NULL };

/* KIP-392's selectors Gregor implements (Kafka's class names) */
static const char *const replica_selectors[] = {
	"", "org.apache.kafka.common.replica.LeaderSelector",
	"org.apache.kafka.common.replica.RackAwareReplicaSelector", NULL };

static const struct config_key key_table[] = {
	I32("broker.id", broker_id, "-1", -1, IMAX),
	STR("broker.rack", broker_rack, NULL, NULL),
	STR("zookeeper.connect", zk_connect, NULL, NULL),
	I32("zookeeper.session.timeout.ms", zk_session_timeout_ms, "18000", 1, IMAX),
	I32("zookeeper.connection.timeout.ms", zk_connection_timeout_ms, NULL, 1, IMAX),

	LIST("listeners", listeners_str, "PLAINTEXT://:9092", NULL),
	LIST("advertised.listeners", advertised_listeners_str, NULL, NULL),
	LIST("listener.security.protocol.map", listener_security_protocol_map,
	     "PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL", NULL),
	STR("inter.broker.listener.name", inter_broker_listener_name, NULL, NULL),
	STR("metrics.listen", metrics_listen, NULL, NULL),
	STR("security.inter.broker.protocol", security_inter_broker_protocol, "PLAINTEXT",
	    protocols),

	I32("num.partitions", num_partitions, "1", 1, IMAX),
	I32("default.replication.factor", default_replication_factor, "1", 1, INT16_MAX),
	I32("min.insync.replicas", min_insync_replicas, "1", 1, IMAX),
	BOOL("unclean.leader.election.enable", unclean_leader_election_enable, "false"),
	BOOL("auto.create.topics.enable", auto_create_topics_enable, "true"),
	BOOL("delete.topic.enable", delete_topic_enable, "true"),
	BOOL("auto.leader.rebalance.enable", auto_leader_rebalance_enable, "true"),
	I32("leader.imbalance.check.interval.seconds", leader_imbalance_check_interval_seconds,
	    "300", 1, IMAX),
	I32("leader.imbalance.per.broker.percentage", leader_imbalance_per_broker_percentage,
	    "10", 0, 100),
	BOOL("controlled.shutdown.enable", controlled_shutdown_enable, "true"),
	I32("controlled.shutdown.max.retries", controlled_shutdown_max_retries, "3", 0, IMAX),
	I64("controlled.shutdown.retry.backoff.ms", controlled_shutdown_retry_backoff_ms, "5000",
	    0, LMAX),
	I64("replica.lag.time.max.ms", replica_lag_time_max_ms, "30000", 1, LMAX),
	I32("replica.fetch.max.bytes", replica_fetch_max_bytes, "1048576", 0, IMAX),
	I32("replica.fetch.min.bytes", replica_fetch_min_bytes, "1", 0, IMAX),
	I32("replica.fetch.wait.max.ms", replica_fetch_wait_max_ms, "500", 0, IMAX),
	I32("replica.fetch.backoff.ms", replica_fetch_backoff_ms, "1000", 0, IMAX),
	I32("replica.fetch.response.max.bytes", replica_fetch_response_max_bytes, "10485760",
	    0, IMAX),
	I32("max.incremental.fetch.session.cache.slots",
	    max_incremental_fetch_session_cache_slots, "1000", 0, IMAX),
	STR("replica.selector.class", replica_selector_class, NULL, replica_selectors),
	I32("replica.socket.timeout.ms", replica_socket_timeout_ms, "30000", 1, IMAX),
	I64("replica.high.watermark.checkpoint.interval.ms",
	    replica_high_watermark_checkpoint_interval_ms, "5000", 1, LMAX),
	I32("num.replica.fetchers", num_replica_fetchers, "1", 1, IMAX),
	I32("controller.socket.timeout.ms", controller_socket_timeout_ms, "30000", 1, IMAX),

	STR("log.dir", log_dir, "/tmp/kafka-logs", NULL),
	LIST("log.dirs", log_dirs, NULL, NULL),
	I32("log.segment.bytes", log_segment_bytes, "1073741824", 14, IMAX),
	I64("log.roll.ms", log_roll_ms_key, NULL, 1, LMAX),
	I32("log.roll.hours", log_roll_hours, "168", 1, IMAX),
	I64("log.retention.ms", log_retention_ms_key, NULL, INT64_MIN, LMAX),
	I32("log.retention.minutes", log_retention_minutes, NULL, INT32_MIN, IMAX),
	I32("log.retention.hours", log_retention_hours, "168", INT32_MIN, IMAX),
	I64("log.retention.bytes", log_retention_bytes, "-1", INT64_MIN, LMAX),
	I64("log.retention.check.interval.ms", log_retention_check_interval_ms, "300000", 1,
	    LMAX),
	I64("log.flush.interval.messages", log_flush_interval_messages, "9223372036854775807",
	    1, LMAX),
	I64("log.flush.interval.ms", log_flush_interval_ms_key, NULL, 0, LMAX),
	I32("log.index.interval.bytes", log_index_interval_bytes, "4096", 0, IMAX),
	I32("log.index.size.max.bytes", log_index_size_max_bytes, "10485760", 4, IMAX),
	BOOL("log.cleaner.enable", log_cleaner_enable, "true"),
	LIST("log.cleanup.policy", log_cleanup_policy, "delete", cleanup_policies),
	STR("compression.type", compression_type, "producer", compressions),
	STR("log.message.timestamp.type", log_message_timestamp_type, "CreateTime",
	    timestamp_types),
	I32("message.max.bytes", message_max_bytes, "1048588", 0, IMAX),
	IGNORED("num.recovery.threads.per.data.dir", num_recovery_threads_per_data_dir, "1"),

	I32("offsets.topic.replication.factor", offsets_topic_replication_factor, "3", 1,
	    INT16_MAX),
	I32("offsets.topic.num.partitions", offsets_topic_num_partitions, "50", 1, IMAX),
	I32("offsets.retention.minutes", offsets_retention_minutes, "10080", 1, IMAX),
	I64("offsets.retention.check.interval.ms", offsets_retention_check_interval_ms,
	    "600000", 1, LMAX),
	I32("offset.metadata.max.bytes", offset_metadata_max_bytes, "4096", 0, IMAX),
	I32("group.initial.rebalance.delay.ms", group_initial_rebalance_delay_ms, "3000", 0,
	    IMAX),
	I32("group.min.session.timeout.ms", group_min_session_timeout_ms, "6000", 0, IMAX),
	I32("group.max.session.timeout.ms", group_max_session_timeout_ms, "1800000", 0, IMAX),
	I32("group.max.size", group_max_size, "2147483647", 1, IMAX),
	I32("transaction.state.log.replication.factor", transaction_state_log_replication_factor,
	    "3", 1, INT16_MAX),
	I32("transaction.state.log.min.isr", transaction_state_log_min_isr, "2", 1, IMAX),
	I32("transaction.state.log.num.partitions", transaction_state_log_num_partitions, "50",
	    1, IMAX),
	I32("transaction.max.timeout.ms", transaction_max_timeout_ms, "900000", 1, IMAX),
	BOOL("transaction.partition.verification.enable",
	     transaction_partition_verification_enable, "true"),
	I32("transactional.id.expiration.ms", transactional_id_expiration_ms, "604800000", 1,
	    IMAX),
	I32("transaction.abort.timed.out.transaction.cleanup.interval.ms",
	    transaction_abort_timed_out_cleanup_interval_ms, "10000", 1, IMAX),
	I32("transaction.remove.expired.transaction.cleanup.interval.ms",
	    transaction_remove_expired_cleanup_interval_ms, "3600000", 1, IMAX),

	I32("socket.request.max.bytes", socket_request_max_bytes, "104857600", 1, IMAX),
	IGNORED("socket.send.buffer.bytes", socket_send_buffer_bytes, "102400"),
	IGNORED("socket.receive.buffer.bytes", socket_receive_buffer_bytes, "102400"),
	IGNORED("num.network.threads", num_network_threads, "3"),
	IGNORED("num.io.threads", num_io_threads, "8"),
	I32("queued.max.requests", queued_max_requests, "500", 1, IMAX),
	I64("queued.max.request.bytes", queued_max_request_bytes, "-1", -1, LMAX),
	/* Gregor's own: what one connection may have in progress (requests
	 * parked or answered but not yet sent) before it is muted */
	I32("queued.max.requests.per.connection", queued_max_requests_per_connection, "100",
	    1, IMAX),
	I64("queued.max.bytes.per.connection", queued_max_bytes_per_connection, "67108864",
	    1, LMAX),
	I32("max.connections", max_connections, "2147483647", 0, IMAX),
	I32("max.connections.per.ip", max_connections_per_ip, "2147483647", 0, IMAX),
	LIST("max.connections.per.ip.overrides", max_connections_per_ip_overrides, "", NULL),
	I64("connections.max.idle.ms", connections_max_idle_ms, "600000", INT64_MIN, LMAX),
	I64("connections.max.reauth.ms", connections_max_reauth_ms, "0", 0, LMAX),
	I32("request.timeout.ms", request_timeout_ms, "30000", 0, IMAX),
	I32("fetch.max.bytes", fetch_max_bytes, "57671680", 1024, IMAX),

	STR("ssl.keystore.type", ssl_keystore_type, "JKS", NULL),
	STR("ssl.keystore.location", ssl_keystore_location, NULL, NULL),
	SECRET("ssl.keystore.password", ssl_keystore_password),
	SECRET("ssl.keystore.key", ssl_keystore_key),
	SECRET("ssl.keystore.certificate.chain", ssl_keystore_certificate_chain),
	SECRET("ssl.key.password", ssl_key_password),
	STR("ssl.truststore.type", ssl_truststore_type, "JKS", NULL),
	STR("ssl.truststore.location", ssl_truststore_location, NULL, NULL),
	SECRET("ssl.truststore.password", ssl_truststore_password),
	SECRET("ssl.truststore.certificates", ssl_truststore_certificates),
	STR("ssl.protocol", ssl_protocol, "TLSv1.3", NULL),
	LIST("ssl.enabled.protocols", ssl_enabled_protocols, "TLSv1.2,TLSv1.3", NULL),
	LIST("ssl.cipher.suites", ssl_cipher_suites, NULL, NULL),
	STR("ssl.client.auth", ssl_client_auth, "none", client_auth),
	STR("ssl.endpoint.identification.algorithm", ssl_endpoint_identification_algorithm,
	    "https", NULL),
	STR("ssl.keymanager.algorithm", ssl_keymanager_algorithm, "SunX509", NULL),
	STR("ssl.trustmanager.algorithm", ssl_trustmanager_algorithm, "PKIX", NULL),
	STR("ssl.principal.mapping.rules", ssl_principal_mapping_rules, "DEFAULT", NULL),
	LIST("sasl.enabled.mechanisms", sasl_enabled_mechanisms, "GSSAPI", NULL),
	STR("sasl.mechanism.inter.broker.protocol", sasl_mechanism_inter_broker_protocol,
	    "GSSAPI", NULL),
	SECRET("sasl.jaas.config", sasl_jaas_config),
	STR("sasl.kerberos.service.name", sasl_kerberos_service_name, NULL, NULL),

	/* authorization (broker/auth/authorizer.c) and ZooKeeper ACLs (coord) */
	STR("authorizer.class.name", authorizer_class_name, "", authorizer_classes),
	STR("super.users", super_users, NULL, NULL),
	BOOL("allow.everyone.if.no.acl.found", allow_everyone_if_no_acl_found, "false"),
	BOOL("zookeeper.set.acl", zookeeper_set_acl, "false"),
	SECRET("zookeeper.digest", zookeeper_digest),
	STR("zookeeper.digest.file", zookeeper_digest_file, NULL, NULL),
};

#define N_KEYS (int)(sizeof key_table / sizeof key_table[0])
_Static_assert(sizeof key_table / sizeof key_table[0] <= CONFIG_MAX_KEYS,
	       "raise CONFIG_MAX_KEYS");

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

/* A printable prefix of an untrusted value for messages. */
static const char *quote(const char *v, char *buf, size_t n)
{
	size_t i = 0;
	for (; v && v[i] && i + 4 < n && i < 200; i++)
		buf[i] = (unsigned char)v[i] < 0x20 || v[i] == 0x7f ? '?' : v[i];
	if (v && v[i] && i + 4 <= n) {
		memcpy(buf + i, "...", 3);
		i += 3;
	}
	buf[i] = '\0';
	return buf;
}

static void invalid(char *err, size_t errlen, const char *key, const char *value,
		    const char *why)
{
	char q[256];
	fmt_err(err, errlen, "invalid value \"%s\" for %s: %s", quote(value, q, sizeof q),
		key, why);
}

/* ---- typed parsing ---- */

static const struct config_key *key_find(const char *name)
{
	for (int i = 0; i < N_KEYS; i++)
		if (strcmp(key_table[i].name, name) == 0)
			return &key_table[i];
	return NULL;
}

static void *field(struct broker_config *bc, const struct config_key *k)
{
	return (char *)bc + k->off;
}

static const void *cfield(const struct broker_config *bc, const struct config_key *k)
{
	return (const char *)bc + k->off;
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
	const char *p = t;
	if (*p == '+' || *p == '-')
		p++;
	if (!*p)
		return -1;
	for (const char *q = p; *q; q++)
		if (!isdigit((unsigned char)*q))
			return -1;
	errno = 0;
	long long v = strtoll(t, NULL, 10);
	if (errno == ERANGE)
		return -2;
	*out = v;
	return 0;
}

static int parse_number(const struct config_key *k, const char *t, int64_t *out,
			char *why, size_t n)
{
	int rc = parse_long(t, out);
	if (rc == -1) {
		snprintf(why, n, "not an integer");
		return -1;
	}
	if (rc == -2 || (k->type == T_INT && (*out < INT32_MIN || *out > INT32_MAX))) {
		snprintf(why, n, "out of range for a %s integer", k->type == T_INT ? "32-bit" : "64-bit");
		return -1;
	}
	if (*out < k->min) {
		snprintf(why, n, "must be at least %lld", (long long)k->min);
		return -1;
	}
	if (*out > k->max) {
		snprintf(why, n, "must be at most %lld", (long long)k->max);
		return -1;
	}
	return 0;
}

static int in_choices(const char *const *choices, const char *v, size_t len)
{
	for (int i = 0; choices[i]; i++)
		if (strlen(choices[i]) == len && strncmp(choices[i], v, len) == 0)
			return 1;
	return 0;
}

static void choices_text(const char *const *choices, char *buf, size_t n)
{
	size_t o = 0;
	buf[0] = '\0';
	for (int i = 0; choices[i] && o < n; i++) {
		int w = snprintf(buf + o, n - o, "%s%s", i ? ", " : "", choices[i]);
		if (w < 0)
			break;
		o += (size_t)w;
	}
}

/* Rewrites a comma list with each element trimmed. Empty elements are
 * refused; an empty list is "". */
static char *list_normalise(const char *t, const char *const *choices, char *why,
			    size_t n)
{
	char *out = malloc(strlen(t) + 1);
	if (!out) {
		snprintf(why, n, "out of memory");
		return NULL;
	}
	size_t o = 0;
	const char *p = t;
	while (*t) { /* "" is the empty list */
		const char *comma = strchr(p, ',');
		size_t l = comma ? (size_t)(comma - p) : strlen(p);
		while (l > 0 && (unsigned char)*p <= ' ')
			p++, l--;
		while (l > 0 && (unsigned char)p[l - 1] <= ' ')
			l--;
		if (l == 0 || (choices && !in_choices(choices, p, l))) {
			char allowed[256] = "";
			if (choices)
				choices_text(choices, allowed, sizeof allowed);
			snprintf(why, n, l == 0 ? "empty element in list"
						: "each element must be one of: %s", allowed);
			free(out);
			return NULL;
		}
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

static int parse_bool(const char *t, int *out)
{
	if (strcasecmp(t, "true") == 0)
		*out = 1;
	else if (strcasecmp(t, "false") == 0)
		*out = 0;
	else
		return -1;
	return 0;
}

/* Parses text into the key's field. On error writes the reason to why. */
static int key_apply(struct broker_config *bc, const struct config_key *k,
		     const char *value, char *why, size_t n)
{
	char *t = trim_dup(value);
	if (!t) {
		snprintf(why, n, "out of memory");
		return -1;
	}
	int rc = 0;
	int64_t num = 0;
	switch (k->type) {
	case T_INT:
	case T_LONG:
		rc = parse_number(k, t, &num, why, n);
		if (rc == 0 && k->type == T_INT)
			*(int32_t *)field(bc, k) = (int32_t)num;
		else if (rc == 0)
			*(int64_t *)field(bc, k) = num;
		break;
	case T_BOOL:
		rc = parse_bool(t, (int *)field(bc, k));
		if (rc < 0)
			snprintf(why, n, "not a boolean (expected true or false)");
		break;
	case T_STRING:
		if (k->choices && !in_choices(k->choices, t, strlen(t))) {
			char allowed[256];
			choices_text(k->choices, allowed, sizeof allowed);
			snprintf(why, n, "must be one of: %s", allowed);
			rc = -1;
			break;
		}
		free(*(char **)field(bc, k));
		*(char **)field(bc, k) = t;
		return 0;
	case T_LIST: {
		char *l = list_normalise(t, k->choices, why, n);
		if (!l) {
			rc = -1;
			break;
		}
		free(*(char **)field(bc, k));
		*(char **)field(bc, k) = l;
		break;
	}
	}
	free(t);
	return rc;
}

/* ---- defaults, set, free ---- */

static void dynamic_free(struct config_dynamic *d);

void broker_config_defaults(struct broker_config *bc)
{
	memset(bc, 0, sizeof *bc);
	for (int i = 0; i < N_KEYS; i++) {
		const struct config_key *k = &key_table[i];
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
	if (key_apply(bc, k, value, why, sizeof why) < 0) {
		invalid(err, errlen, key, k->flags & F_SENSITIVE ? "(hidden)" : value, why);
		return -1;
	}
	bc->set[k - key_table] = 1;
	return 0;
}

void broker_config_free(struct broker_config *bc)
{
	for (int i = 0; i < N_KEYS; i++) {
		const struct config_key *k = &key_table[i];
		if (k->type == T_STRING || k->type == T_LIST) {
			free(*(char **)field(bc, k));
			*(char **)field(bc, k) = NULL;
		}
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
	return k && bc->set[k - key_table];
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
	if (strchr(v, ',')) {
		invalid(err, errlen, key, v, "more than one log directory is not supported yet");
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
				"host:count with a count >= 0", quote(v, q, sizeof q));
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

/* Applies one entry; where[] remembers which source last set each key. */
static int load_entry(struct broker_config *bc, const struct config_entry *e,
		      const char **where, char *err, size_t errlen)
{
	char msg[512];
	int rc = broker_config_set(bc, e->key, e->value, msg, sizeof msg);
	if (rc == -2) {
		if (strncmp(e->key, "listener.name.", 14) != 0)
			log_warn(MOD, "%s: unknown key %s (ignored)", e->source, e->key);
		if (extra_add(bc, e->key, e->value) < 0) {
			fmt_err(err, errlen, "out of memory");
			return -1;
		}
		return 0;
	}
	if (rc < 0) {
		fmt_err(err, errlen, "%s: %s", e->source, msg);
		return -1;
	}
	const struct config_key *k = key_find(e->key);
	if (!k)
		return 0; /* log.level keys: applied to logging, no table row */
	int row = (int)(k - key_table);
	if (where[row])
		log_warn(MOD, "%s is set by %s and again by %s; the last wins", e->key,
			 where[row], e->source);
	where[row] = e->source;
	if (k->flags & F_IGNORED)
		log_info(MOD, "%s is accepted for compatibility and ignored", e->key);
	return 0;
}

int broker_config_load_entries(const struct config_entry *entries, int n,
			       struct broker_config *out, char *err, size_t errlen)
{
	const char *where[N_KEYS] = { 0 };
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

int broker_config_get(const struct broker_config *bc, const char *key, char *buf,
		      size_t buflen)
{
	const struct config_key *k = key_find(key);
	if (!k || (k->flags & F_SENSITIVE) || buflen == 0)
		return -1;
	int eff = get_effective(bc, key, buf, buflen);
	if (eff >= 0)
		return eff;
	const void *f = cfield(bc, k);
	switch (k->type) {
	case T_INT: snprintf(buf, buflen, "%d", *(const int32_t *)f); break;
	case T_LONG: snprintf(buf, buflen, "%lld", (long long)*(const int64_t *)f); break;
	case T_BOOL: snprintf(buf, buflen, "%s", *(const int *)f ? "true" : "false"); break;
	case T_STRING:
	case T_LIST: {
		const char *s = *(char *const *)f;
		snprintf(buf, buflen, "%s", s ? s : "");
		break;
	}
	}
	return bc->set[k - key_table];
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
 * Kafka 2.8's dynamic sets (DynamicBrokerConfig.AllDynamicConfigs): the log
 * defaults (DynamicLogConfig: every broker synonym of a topic config but
 * log.message.format.version), the log cleaner's, thread pools, socket
 * server limits, replication quotas, metric reporters, and the per-broker
 * listener, SSL and SASL keys. Gregor acts on the log defaults listed in
 * dyn_applied; the rest is stored and shown but has no effect (Gregor has
 * no SASL/TLS, a single network thread and no quotas yet). */

#define D_BROKER 1u   /* per-broker only (Kafka's PerBrokerConfigs) */
#define D_LISTENER 2u /* SSL stores: only as listener.name.<l>.<key> */
#define D_PASSWORD 4u /* Kafka's PASSWORD type */

struct dyn_key {
	const char *name;
	char type; /* i int, s short, l long, d double, b boolean, t string, L list */
	unsigned flags;
};

static const struct dyn_key dyn_keys[] = {
	{ "log.segment.bytes", 'i', 0 }, { "log.roll.ms", 'l', 0 },
	{ "log.roll.jitter.ms", 'l', 0 }, { "log.index.size.max.bytes", 'i', 0 },
	{ "log.flush.interval.messages", 'l', 0 }, { "log.flush.interval.ms", 'l', 0 },
	{ "log.retention.bytes", 'l', 0 }, { "log.retention.ms", 'l', 0 },
	{ "message.max.bytes", 'i', 0 }, { "log.index.interval.bytes", 'i', 0 },
	{ "log.cleaner.delete.retention.ms", 'l', 0 },
	{ "log.cleaner.min.compaction.lag.ms", 'l', 0 },
	{ "log.cleaner.max.compaction.lag.ms", 'l', 0 },
	{ "log.segment.delete.delay.ms", 'l', 0 }, { "log.cleaner.min.cleanable.ratio", 'd', 0 },
	{ "log.cleanup.policy", 'L', 0 }, { "unclean.leader.election.enable", 'b', 0 },
	{ "min.insync.replicas", 'i', 0 }, { "compression.type", 't', 0 },
	{ "log.preallocate", 'b', 0 }, { "log.message.timestamp.type", 't', 0 },
	{ "log.message.timestamp.difference.max.ms", 'l', 0 },
	{ "log.message.downconversion.enable", 'b', 0 },
	{ "log.cleaner.threads", 'i', 0 }, { "log.cleaner.dedupe.buffer.size", 'l', 0 },
	{ "log.cleaner.io.buffer.load.factor", 'd', 0 }, { "log.cleaner.io.buffer.size", 'i', 0 },
	{ "log.cleaner.io.max.bytes.per.second", 'd', 0 }, { "log.cleaner.backoff.ms", 'l', 0 },
	{ "num.io.threads", 'i', 0 }, { "num.network.threads", 'i', 0 },
	{ "num.replica.fetchers", 'i', 0 }, { "num.recovery.threads.per.data.dir", 'i', 0 },
	{ "background.threads", 'i', 0 }, { "metric.reporters", 'L', 0 },
	{ "max.connections.per.ip", 'i', 0 }, { "max.connections.per.ip.overrides", 't', 0 },
	{ "max.connections", 'i', 0 }, { "max.connection.creation.rate", 'i', 0 },
	{ "leader.replication.throttled.rate", 'l', 0 },
	{ "follower.replication.throttled.rate", 'l', 0 },
	{ "replica.alter.log.dirs.io.max.bytes.per.second", 'l', 0 },
	{ "advertised.listeners", 't', D_BROKER }, { "listeners", 't', D_BROKER },
	{ "listener.security.protocol.map", 't', D_BROKER },
	{ "principal.builder.class", 't', D_BROKER }, { "ssl.protocol", 't', D_BROKER },
	{ "ssl.provider", 't', D_BROKER }, { "ssl.cipher.suites", 'L', D_BROKER },
	{ "ssl.enabled.protocols", 'L', D_BROKER },
	{ "ssl.keystore.type", 't', D_BROKER | D_LISTENER },
	{ "ssl.keystore.location", 't', D_BROKER | D_LISTENER },
	{ "ssl.keystore.password", 't', D_BROKER | D_LISTENER | D_PASSWORD },
	{ "ssl.key.password", 't', D_BROKER | D_LISTENER | D_PASSWORD },
	{ "ssl.keystore.key", 't', D_BROKER | D_LISTENER | D_PASSWORD },
	{ "ssl.keystore.certificate.chain", 't', D_BROKER | D_LISTENER | D_PASSWORD },
	{ "ssl.truststore.type", 't', D_BROKER | D_LISTENER },
	{ "ssl.truststore.location", 't', D_BROKER | D_LISTENER },
	{ "ssl.truststore.password", 't', D_BROKER | D_LISTENER | D_PASSWORD },
	{ "ssl.truststore.certificates", 't', D_BROKER | D_LISTENER | D_PASSWORD },
	{ "ssl.keymanager.algorithm", 't', D_BROKER }, { "ssl.trustmanager.algorithm", 't', D_BROKER },
	{ "ssl.endpoint.identification.algorithm", 't', D_BROKER },
	{ "ssl.secure.random.implementation", 't', D_BROKER }, { "ssl.client.auth", 't', D_BROKER },
	{ "ssl.engine.factory.class", 't', D_BROKER },
	{ "sasl.mechanism.inter.broker.protocol", 't', D_BROKER },
	{ "sasl.jaas.config", 't', D_BROKER | D_PASSWORD },
	{ "sasl.enabled.mechanisms", 'L', D_BROKER }, { "sasl.kerberos.service.name", 't', D_BROKER },
	{ "sasl.kerberos.kinit.cmd", 't', D_BROKER },
	{ "sasl.kerberos.ticket.renew.window.factor", 'd', D_BROKER },
	{ "sasl.kerberos.ticket.renew.jitter", 'd', D_BROKER },
	{ "sasl.kerberos.min.time.before.relogin", 'l', D_BROKER },
	{ "sasl.kerberos.principal.to.local.rules", 'L', D_BROKER },
	{ "sasl.login.refresh.window.factor", 'd', D_BROKER },
	{ "sasl.login.refresh.window.jitter", 'd', D_BROKER },
	{ "sasl.login.refresh.min.period.seconds", 's', D_BROKER },
	{ "sasl.login.refresh.buffer.seconds", 's', D_BROKER },
};
#define N_DYN (int)(sizeof dyn_keys / sizeof dyn_keys[0])

/* Dynamic keys whose effective value Gregor reads (through topic configs,
 * produce checks and log settings); only scalars and strings nobody keeps a
 * pointer to, as a layer change rewrites the field in place. */
static const char *const dyn_applied[] = {
	"log.segment.bytes", "log.roll.ms", "log.retention.ms", "log.retention.bytes",
	"log.flush.interval.messages", "log.flush.interval.ms", "log.index.interval.bytes",
	"log.index.size.max.bytes", "log.cleanup.policy", "min.insync.replicas",
	"compression.type", "log.message.timestamp.type", "message.max.bytes",
};
#define N_APPLIED (int)(sizeof dyn_applied / sizeof dyn_applied[0])

struct dyn_layer {
	int n;
	char **keys, **values;
};

struct config_dynamic {
	struct dyn_layer layer[2];            /* CONFIG_LAYER_DEFAULT, _BROKER */
	/* the static values of the dyn_applied keys, taken before any layer */
	int64_t num[N_APPLIED];
	char *str[N_APPLIED];
	unsigned char set[N_APPLIED];
	/* their read-back (broker_config_get, derived values included) */
	char *text[N_APPLIED];
	int text_set[N_APPLIED];
};

static const struct dyn_key *dyn_find(const char *name)
{
	for (int i = 0; i < N_DYN; i++)
		if (strcmp(dyn_keys[i].name, name) == 0)
			return &dyn_keys[i];
	return NULL;
}

/* "listener.name.<l>.<base>": the base, else NULL. */
static const char *listener_base(const char *key)
{
	static const char pre[] = "listener.name.";
	if (strncmp(key, pre, sizeof pre - 1) != 0)
		return NULL;
	const char *dot = strchr(key + sizeof pre - 1, '.');
	return dot && dot > key + sizeof pre - 1 && dot[1] ? dot + 1 : NULL;
}

int broker_config_is_dynamic(const char *key)
{
	return dyn_find(key) != NULL || listener_base(key) != NULL;
}

const char *broker_config_dynamic_name(int i)
{
	return i >= 0 && i < N_DYN ? dyn_keys[i].name : NULL;
}

int broker_config_is_password(const char *key)
{
	size_t kl = strlen(key);
	for (int i = 0; i < N_DYN; i++) {
		size_t nl = strlen(dyn_keys[i].name);
		if ((dyn_keys[i].flags & D_PASSWORD) && kl >= nl &&
		    strcmp(key + kl - nl, dyn_keys[i].name) == 0)
			return 1;
	}
	return 0;
}

int broker_config_is_list(const char *key)
{
	const char *base = listener_base(key);
	const struct dyn_key *d = dyn_find(base ? base : key);
	const struct config_key *k = key_find(base ? base : key);
	return (d && d->type == 'L') || (k && k->type == T_LIST);
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
	return key_find(key) && !dyn_find(key);
}

static int needs_listener_prefix(const char *key)
{
	const struct dyn_key *d = dyn_find(key);
	return d && (d->flags & D_LISTENER);
}

static int per_broker_only(const char *key)
{
	const char *base = listener_base(key);
	if (base)
		return strcmp(base, "max.connections") && strcmp(base, "max.connection.creation.rate");
	const struct dyn_key *d = dyn_find(key);
	return d && (d->flags & D_BROKER);
}

static int check_dyn_type(const struct dyn_key *d, const char *key, const char *value,
			  char *err, size_t errlen)
{
	char *t = trim_dup(value), *end = NULL, q[256];
	if (!t) {
		fmt_err(err, errlen, "out of memory");
		return -1;
	}
	const char *what = NULL;
	int64_t x = 0;
	int rc = d->type == 'i' || d->type == 's' || d->type == 'l' ? parse_long(t, &x) : 0;
	if (d->type == 'i' && (rc || x < INT32_MIN || x > INT32_MAX))
		what = "Not a number of type INT";
	else if (d->type == 's' && (rc || x < INT16_MIN || x > INT16_MAX))
		what = "Not a number of type SHORT";
	else if (d->type == 'l' && rc)
		what = "Not a number of type LONG";
	else if (d->type == 'd' && ((void)strtod(t, &end), end == t || *end))
		what = "Not a number of type DOUBLE";
	else if (d->type == 'b' && strcasecmp(t, "true") && strcasecmp(t, "false"))
		what = "Expected value to be either true or false";
	if (what)
		fmt_err(err, errlen, "Invalid value %s for configuration %s: %s",
			quote(value, q, sizeof q), key, what);
	free(t);
	return what ? -1 : 0;
}

int broker_config_dynamic_check_value(const char *key, const char *value, char *err,
				      size_t errlen)
{
	const char *base = listener_base(key);
	const char *name = base ? base : key;
	const struct config_key *k = key_find(name);
	if (!value || (k && (k->flags & F_SENSITIVE)))
		return 0;
	if (k) {
		/* Gregor's own parser and ranges, on a scratch struct */
		struct broker_config *tmp = calloc(1, sizeof *tmp);
		char why[320];
		if (!tmp) {
			fmt_err(err, errlen, "out of memory");
			return -1;
		}
		int rc = key_apply(tmp, k, value, why, sizeof why);
		if (k->type == T_STRING || k->type == T_LIST)
			free(*(char **)field(tmp, k));
		free(tmp);
		if (rc < 0) {
			invalid(err, errlen, key, value, why);
			return -1;
		}
		return 0;
	}
	const struct dyn_key *d = dyn_find(name);
	return d ? check_dyn_type(d, key, value, err, errlen) : 0;
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
	for (int i = 0; i < N_APPLIED; i++) {
		free(d->str[i]);
		free(d->text[i]);
	}
	free(d);
}

/* Reads a scalar field of any numeric kind into an int64_t and back. */
static int64_t num_get(const struct broker_config *bc, const struct config_key *k)
{
	const void *f = cfield(bc, k);
	return k->type == T_LONG ? *(const int64_t *)f
	       : k->type == T_INT ? *(const int32_t *)f : *(const int *)f;
}

static void num_put(struct broker_config *bc, const struct config_key *k, int64_t v)
{
	void *f = field(bc, k);
	if (k->type == T_LONG)
		*(int64_t *)f = v;
	else if (k->type == T_INT)
		*(int32_t *)f = (int32_t)v;
	else
		*(int *)f = (int)v;
}

/* First use: remembers the static values of the applied keys. */
static struct config_dynamic *dynamic_get(struct broker_config *bc)
{
	if (bc->dyn)
		return bc->dyn;
	struct config_dynamic *d = calloc(1, sizeof *d);
	for (int i = 0; d && i < N_APPLIED; i++) {
		const struct config_key *k = key_find(dyn_applied[i]);
		d->set[i] = bc->set[k - key_table];
		if (k->type == T_STRING || k->type == T_LIST) {
			const char *v = *(char *const *)cfield(bc, k);
			if (v && !(d->str[i] = strdup(v))) {
				dynamic_free(d);
				return NULL;
			}
		} else {
			d->num[i] = num_get(bc, k);
		}
		char buf[1024];
		d->text_set[i] = broker_config_get(bc, k->name, buf, sizeof buf);
		if (!(d->text[i] = strdup(buf))) {
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

/* Restores the static value of applied key i, then lays the layers over it. */
static void dynamic_apply_key(struct broker_config *bc, const struct config_dynamic *d, int i)
{
	const struct config_key *k = key_find(dyn_applied[i]);
	int row = (int)(k - key_table);
	if (k->type == T_STRING || k->type == T_LIST) {
		char *copy = d->str[i] ? strdup(d->str[i]) : NULL;
		if (d->str[i] && !copy)
			return; /* out of memory: keep the current value */
		free(*(char **)field(bc, k));
		*(char **)field(bc, k) = copy;
	} else {
		num_put(bc, k, d->num[i]);
	}
	bc->set[row] = d->set[i];
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
		bc->set[row] = 1;
	}
}

/* Re-derives every applied key and the values that depend on several. */
static void dynamic_apply(struct broker_config *bc)
{
	struct config_dynamic *d = bc->dyn;
	int64_t retention = bc->log_retention_ms, roll = bc->log_roll_ms;
	for (int i = 0; i < N_APPLIED; i++)
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
	if (!bc->dyn || (layer != CONFIG_LAYER_BROKER && layer != CONFIG_LAYER_DEFAULT))
		return NULL;
	return layer_get(&bc->dyn->layer[layer], key);
}

const char *broker_config_dynamic_key(const struct broker_config *bc, int layer, int i)
{
	if (!bc->dyn || (layer != CONFIG_LAYER_BROKER && layer != CONFIG_LAYER_DEFAULT) ||
	    i < 0 || i >= bc->dyn->layer[layer].n)
		return NULL;
	return bc->dyn->layer[layer].keys[i];
}

int broker_config_default_get(const char *key, char *buf, size_t buflen)
{
	const struct config_key *k = key_find(key);
	if (!k || !k->def || (k->flags & F_SENSITIVE) || buflen == 0)
		return -1;
	snprintf(buf, buflen, "%s", k->def);
	return 0;
}

int broker_config_static_get(const struct broker_config *bc, const char *key, char *buf,
			     size_t buflen)
{
	const struct config_dynamic *d = bc->dyn;
	for (int i = 0; d && i < N_APPLIED && buflen > 0; i++)
		if (strcmp(dyn_applied[i], key) == 0) {
			snprintf(buf, buflen, "%s", d->text[i] ? d->text[i] : "");
			return d->text_set[i];
		}
	return broker_config_get(bc, key, buf, buflen);
}
