/* Broker configuration: Kafka's server.properties keys, Kafka's defaults.
 * The broker table of config_def.c (type, default, bounds, dynamic mode of
 * each key) drives defaults, parsing, range checks and read-back; this
 * struct holds the values Gregor acts on; broker_config_validate then derives the values that depend
 * on several keys (listeners, retention/roll precedence, log dir) and checks
 * the rules that span keys. Dynamic broker configs (Kafka's
 * /config/brokers/<id> and /config/brokers/<default>) are two layers laid
 * over the static values: per-broker > cluster default > server.properties
 * > Kafka's default. */
#ifndef GREGOR_BROKER_CONFIG_H
#define GREGOR_BROKER_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "broker/config_def.h"
#include "broker/storage/log.h"
#include "coord/coord.h"

#define CONFIG_MAX_LISTENERS 8
#define CONFIG_MAX_PROTOCOLS 16  /* entries in listener.security.protocol.map */
#define CONFIG_MAX_KEYS 192      /* room for the broker table's rows */

struct listener {
	char name[32];  /* upper-cased, as Kafka normalises listener names */
	char host[256]; /* listeners: an empty host becomes "0.0.0.0"; advertised: a
			 * resolvable name (hostname, else 127.0.0.1), never "" */
	int port;       /* 1..65535 */
};

struct listener_protocol {
	char name[32];     /* listener name, upper-cased */
	char protocol[16]; /* PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL */
};

/* A key Gregor does not know, kept (e.g. listener.name.* overrides) so later
 * modules can read it with broker_config_extra. */
struct config_extra {
	char *key, *value;
};

struct config_dynamic; /* the dynamic layers, config.c */

/* Strings are heap copies owned by the struct (NULL = Kafka's null). */
struct broker_config {
	/* identity, ZooKeeper */
	int32_t broker_id;
	char *broker_rack;
	char *zk_connect;
	int32_t zk_session_timeout_ms;
	int32_t zk_connection_timeout_ms; /* effective: session timeout if unset */

	/* listeners (raw text; parsed forms below) */
	char *listeners_str;
	char *advertised_listeners_str;
	char *listener_security_protocol_map;
	char *inter_broker_listener_name; /* effective after validate */
	char *security_inter_broker_protocol;
	char *metrics_listen; /* "host:port" of the Prometheus endpoint; NULL = off */

	/* topics and replication */
	int32_t num_partitions;
	int32_t default_replication_factor;
	int32_t min_insync_replicas;
	int unclean_leader_election_enable;
	int auto_create_topics_enable;
	int delete_topic_enable;
	int auto_leader_rebalance_enable;
	int32_t leader_imbalance_check_interval_seconds;
	int32_t leader_imbalance_per_broker_percentage;
	int controlled_shutdown_enable;
	int32_t controlled_shutdown_max_retries;
	int64_t controlled_shutdown_retry_backoff_ms;
	int64_t replica_lag_time_max_ms;
	int32_t replica_fetch_max_bytes;
	int32_t replica_fetch_min_bytes;
	int32_t replica_fetch_wait_max_ms;
	int32_t replica_fetch_backoff_ms;
	int32_t replica_fetch_response_max_bytes;
	int32_t max_incremental_fetch_session_cache_slots; /* fetch sessions (KIP-227) */
	char *replica_selector_class; /* KIP-392; NULL/"": consumers read the leader */
	int32_t replica_socket_timeout_ms;
	int64_t replica_high_watermark_checkpoint_interval_ms;
	int32_t num_replica_fetchers;
	int32_t controller_socket_timeout_ms;

	/* log */
	char *log_dir;
	char *log_dirs; /* effective after validate: log.dirs, else log.dir */
	int32_t log_segment_bytes;
	int64_t log_roll_ms_key;           /* log.roll.ms as written */
	int32_t log_roll_hours;
	int64_t log_retention_ms_key;      /* log.retention.ms as written */
	int32_t log_retention_minutes;
	int32_t log_retention_hours;
	int64_t log_retention_bytes;
	int64_t log_retention_check_interval_ms;
	int64_t log_flush_interval_messages;
	int64_t log_flush_interval_ms_key; /* log.flush.interval.ms as written */
	int32_t log_index_interval_bytes;
	int32_t log_index_size_max_bytes;
	int log_cleaner_enable;
	char *log_cleanup_policy;
	char *compression_type;
	char *log_message_timestamp_type;
	int32_t message_max_bytes;
	int32_t num_recovery_threads_per_data_dir; /* log loading threads per dir */

	/* effective values after validate (Kafka's precedence applied) */
	int64_t log_retention_ms;      /* ms > minutes > hours; -1 = forever */
	int64_t log_roll_ms;           /* ms > hours */
	int64_t log_flush_interval_ms; /* INT64_MAX when unset */
	int32_t log_flush_offset_checkpoint_interval_ms;

	/* groups, offsets, transactions */
	int32_t offsets_topic_replication_factor;
	int32_t offsets_topic_num_partitions;
	int32_t offsets_retention_minutes;
	int64_t offsets_retention_check_interval_ms;
	int32_t offset_metadata_max_bytes;
	int32_t group_initial_rebalance_delay_ms;
	int32_t group_min_session_timeout_ms;
	int32_t group_max_session_timeout_ms;
	int32_t group_max_size;
	int32_t transaction_state_log_replication_factor;
	int32_t transaction_state_log_min_isr;
	int32_t transaction_state_log_num_partitions;
	int32_t transaction_max_timeout_ms;
	int transaction_partition_verification_enable; /* KIP-890 part 1 */
	int32_t transactional_id_expiration_ms;
	int32_t transaction_abort_timed_out_cleanup_interval_ms;
	int32_t transaction_remove_expired_cleanup_interval_ms;

	/* network */
	int32_t socket_request_max_bytes;
	int32_t socket_send_buffer_bytes;    /* accepted, ignored */
	int32_t socket_receive_buffer_bytes; /* accepted, ignored */
	int32_t num_network_threads;         /* accepted, ignored */
	int32_t num_io_threads;              /* accepted, ignored */
	int32_t queued_max_requests;         /* broker-wide requests in progress */
	int64_t queued_max_request_bytes;    /* broker-wide request bytes; -1 none */
	int32_t queued_max_requests_per_connection;
	int64_t queued_max_bytes_per_connection;
	int32_t max_connections;
	int32_t max_connections_per_ip;
	char *max_connections_per_ip_overrides; /* "host:count,..." */
	int64_t connections_max_idle_ms;
	int64_t connections_max_reauth_ms; /* KIP-368 session lifetime; 0 = none */
	int32_t request_timeout_ms;
	int32_t fetch_max_bytes;
	int32_t quota_window_num;          /* client quotas: samples kept */
	int32_t quota_window_size_seconds; /* client quotas: one sample's span */
	int32_t replication_quota_window_num;          /* replication throttles */
	int32_t replication_quota_window_size_seconds;
	/* dynamic (live): bytes/s, INT64_MAX = none (broker/quota/replication_quota.c) */
	int64_t leader_replication_throttled_rate;
	int64_t follower_replication_throttled_rate;

	/* TLS and SASL: stored for the security work, not used yet */
	char *ssl_keystore_type, *ssl_keystore_location, *ssl_keystore_password;
	char *ssl_keystore_key, *ssl_keystore_certificate_chain, *ssl_key_password;
	char *ssl_truststore_type, *ssl_truststore_location, *ssl_truststore_password;
	char *ssl_truststore_certificates;
	char *ssl_protocol, *ssl_enabled_protocols, *ssl_cipher_suites;
	char *ssl_client_auth, *ssl_endpoint_identification_algorithm;
	char *ssl_keymanager_algorithm, *ssl_trustmanager_algorithm;
	char *ssl_principal_mapping_rules;
	char *sasl_enabled_mechanisms, *sasl_mechanism_inter_broker_protocol;
	char *sasl_jaas_config, *sasl_kerberos_service_name;

	/* authorization and ZooKeeper ACLs */
	char *authorizer_class_name;  /* "" none, or one of Kafka's ACL authorizers */
	char *super_users;            /* "User:a;User:b" or NULL */
	int allow_everyone_if_no_acl_found;
	int zookeeper_set_acl;
	char *zookeeper_digest;       /* "user:password" (secret) or NULL */
	char *zookeeper_digest_file;  /* file holding "user:password", or NULL */

	/* derived by broker_config_validate */
	struct listener listeners[CONFIG_MAX_LISTENERS];
	int nlisteners;
	struct listener advertised[CONFIG_MAX_LISTENERS]; /* same order as in the key */
	int nadvertised;
	char *advertised_str; /* advertised, hosts resolved: "NAME://host:port,..." */
	struct listener_protocol protocols[CONFIG_MAX_PROTOCOLS];
	int nprotocols;

	struct config_extra *extra; /* unknown keys, file order */
	int nextra;
	unsigned char set[CONFIG_MAX_KEYS]; /* per table row: given explicitly */
	char *given[CONFIG_MAX_KEYS]; /* per table row: the text given at start-up
				       * (trimmed; Kafka's static broker config), or NULL */
	struct config_dynamic *dyn; /* NULL until a dynamic layer arrives */
};

/* Kafka's defaults; zookeeper.connect and broker.id are left unset. */
void broker_config_defaults(struct broker_config *bc);
/* Defaults, then the file, then broker_config_validate. Unknown keys are
 * warned about by name. Returns 0, or -1 with a message naming the key and
 * value (and the line) in err; *out holds nothing to free after -1. */
int broker_config_load(const char *path, struct broker_config *out, char *err,
		       size_t errlen);
/* One key=value from some source; source names it in messages ("line 3",
 * "KAFKA_NUM_PARTITIONS"). */
struct config_entry {
	const char *key, *value, *source;
};
/* broker_config_load's work on entries from elsewhere (the environment):
 * defaults, the entries in order (the last of a key wins, with a warning),
 * then broker_config_validate. Same results and ownership as the load. */
int broker_config_load_entries(const struct config_entry *entries, int n,
			       struct broker_config *out, char *err, size_t errlen);
/* Sets one key from its text (an override). Checks type and range only;
 * call broker_config_validate afterwards for derived values. Returns 0, -1
 * with a message, or -2 for a key Gregor does not know (message set). */
int broker_config_set(struct broker_config *bc, const char *key, const char *value,
		      char *err, size_t errlen);
/* Requires zookeeper.connect and broker.id, parses the listeners, applies
 * retention/roll precedence, checks cross-key rules. Returns 0 or -1. */
int broker_config_validate(struct broker_config *bc, char *err, size_t errlen);
void broker_config_free(struct broker_config *bc);

/* Current value of a key as text (effective value for log.retention.ms,
 * log.roll.ms, log.flush.interval.ms, log.dirs; "" for null). Returns 1 if
 * the key was given explicitly, 0 if it holds its default, -1 if the key is
 * unknown or sensitive (passwords, JAAS config). */
int broker_config_get(const struct broker_config *bc, const char *key, char *buf,
		      size_t buflen);
/* Value of an unknown key kept from the file (last occurrence), or NULL. */
const char *broker_config_extra(const struct broker_config *bc, const char *key);
/* Security protocol of a listener name, or NULL if the map lacks it. */
const char *broker_config_protocol(const struct broker_config *bc, const char *name);

/* ---- dynamic broker configs (Kafka's DynamicBrokerConfig) ---- */

enum { CONFIG_LAYER_DEFAULT = 0, CONFIG_LAYER_BROKER = 1 };

/* Kafka's DynamicBrokerConfig.validateConfigs for the keys an alter sets
 * (per_broker: /config/brokers/<id>, else <default>): keys Kafka only reads
 * at start-up, SSL store keys without a listener.name.<l>. prefix, per-broker
 * keys at the default level, then each value's type. Returns 0, or -1 with
 * Kafka's message (e.g. "Cannot update these configs dynamically:
 * Set(log.dirs)") in err. Keys nobody knows are accepted, as Kafka accepts
 * custom configs. */
int broker_config_dynamic_check(const char *const *keys, const char *const *values, int n,
				int per_broker, char *err, size_t errlen);
/* Type check of one key's value (its listener prefix stripped). 0 or -1. */
int broker_config_dynamic_check_value(const char *key, const char *value, char *err,
				      size_t errlen);
/* Kafka's password-typed configs (stored encrypted by Kafka; Gregor has no
 * password.encoder.secret, so they cannot be altered, as in Kafka without
 * one). A listener-prefixed name counts. */
int broker_config_is_password(const char *key);
/* A list-type key (IncrementalAlterConfigs APPEND/SUBTRACT). */
int broker_config_is_list(const char *key);
/* Dynamic in Kafka (DescribeConfigs: read_only = !dynamic); listener.name.*
 * keys are. */
int broker_config_is_dynamic(const char *key);

/* Replaces one layer (n pairs, copied) and re-derives the effective values
 * of the dynamic keys Gregor acts on (log.* defaults, message.max.bytes,
 * min.insync.replicas, compression.type, log.message.timestamp.type); a
 * value that does not parse is logged and skipped. Loop thread only.
 * Returns 0 or -1 (out of memory: the layer is left as it was). */
int broker_config_dynamic_set(struct broker_config *bc, int layer, const char *const *keys,
			      const char *const *values, int n);
/* The key's value in a layer, or NULL. */
const char *broker_config_dynamic_get(const struct broker_config *bc, int layer,
				      const char *key);
/* Keys of a layer: i from 0 while it returns non-NULL. */
const char *broker_config_dynamic_key(const struct broker_config *bc, int layer, int i);
/* A key's text at one level of Kafka's precedence (config_level_fn for
 * config_collect_synonyms): a dynamic layer, the start-up text (file or
 * environment), or Kafka's default; NULL when it has none there. */
const char *broker_config_level(const struct broker_config *bc, const char *key,
				enum config_source level);

/* Storage settings for every partition log. */
void broker_config_log(const struct broker_config *bc, struct log_config *lc);
/* Coordination settings; the strings point into bc and live as long as it. */
void broker_config_coord(const struct broker_config *bc, struct coord_config *cc);

#endif
