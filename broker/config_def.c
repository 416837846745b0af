/* The config tables (see config_def.h): every broker key of server.properties
 * and /config/brokers, every topic key of /config/topics, with Kafka's types,
 * defaults, bounds and dynamic sets (Kafka 3.9, ZooKeeper mode), plus the
 * checks and the synonym walk every reader shares, and the Markdown
 * printer behind docs/configuration.md. */
#include "broker/config_def.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "broker/config.h"
#include "broker/topic_config.h"

#define IMAX INT32_MAX
#define LMAX INT64_MAX
#define BF(f) (offsetof(struct broker_config, f) + 1)
#define TF(f) (offsetof(struct topic_config, f) + 1)

#define BOOL CONFIG_TYPE_BOOLEAN
#define STR CONFIG_TYPE_STRING
#define INT CONFIG_TYPE_INT
#define SHORT CONFIG_TYPE_SHORT
#define LONG CONFIG_TYPE_LONG
#define DBL CONFIG_TYPE_DOUBLE
#define LIST CONFIG_TYPE_LIST
#define CLASS CONFIG_TYPE_CLASS
#define PASS CONFIG_TYPE_PASSWORD

#define STATIC CONFIG_STATIC
#define PER_BROKER CONFIG_PER_BROKER
#define CLUSTER CONFIG_CLUSTER_WIDE
#define LISTENER CONFIG_PER_LISTENER
#define TOPIC CONFIG_PER_TOPIC

#define SENSITIVE CONFIG_F_SENSITIVE
#define IGNORED CONFIG_F_IGNORED
#define LIVE CONFIG_F_LIVE
#define GREGOR CONFIG_F_GREGOR

/* ---- allowed values ---- */

static const char *const protocols[] = { "PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL", NULL };
static const char *const client_auth[] = { "required", "requested", "none", NULL };
static const char *const compressions[] = { "uncompressed", "zstd", "lz4", "snappy",
					    "gzip", "producer", NULL };
static const char *const cleanup_policies[] = { "delete", "compact", NULL };
/* Kafka's ZooKeeper-era ACL authorizers; "" is none (Kafka's default) */
static const char *const authorizer_classes[] = { "", "kafka.security.authorizer.AclAuthorizer",
						  "kafka.security.auth.SimpleAclAuthorizer", NULL };
static const char *const timestamp_types[] = { "CreateTime", "LogAppendTime", NULL };
/* KIP-392's selectors Gregor implements (Kafka's class names); "": the leader */
static const char *const replica_selectors[] = {
	"", "org.apache.kafka.common.replica.LeaderSelector",
	"org.apache.kafka.common.replica.RackAwareReplicaSelector", NULL };

/* ---- synonym groups (Kafka's DynamicBrokerConfig.brokerConfigSynonyms) ---- */

static const char *const syn_retention[] = { "log.retention.ms", "log.retention.minutes",
					     "log.retention.hours", NULL };
static const char *const syn_roll[] = { "log.roll.ms", "log.roll.hours", NULL };
static const char *const syn_jitter[] = { "log.roll.jitter.ms", "log.roll.jitter.hours", NULL };
static const char *const syn_flush[] = { "log.flush.interval.ms",
					 "log.flush.scheduler.interval.ms", NULL };

/* ---- the extra checks ---- */

static int parse_double(const char *t, double *out)
{
	char *end;
	errno = 0;
	double d = strtod(t, &end);
	if (!*t || end == t || *end || errno == ERANGE || isnan(d))
		return -1;
	*out = d;
	return 0;
}

static int double_in(const char *t, double lo, double hi, char *why, size_t n)
{
	double d;
	if (parse_double(t, &d) < 0)
		return -1;
	if (d < lo || d > hi) {
		snprintf(why, n, "must be between %g and %g", lo, hi);
		return -2;
	}
	return 0;
}

static int valid_ratio(const char *t, char *why, size_t n)
{
	return double_in(t, 0, 1, why, n);
}

static int valid_refresh_factor(const char *t, char *why, size_t n)
{
	return double_in(t, 0.5, 1, why, n);
}

static int valid_refresh_jitter(const char *t, char *why, size_t n)
{
	return double_in(t, 0, 0.25, why, n);
}

static int valid_double(const char *t, char *why, size_t n)
{
	return double_in(t, -HUGE_VAL, HUGE_VAL, why, n);
}

/* ---- broker keys ---- */

static const struct config_def broker_defs[] = {
	/* identity and ZooKeeper */
	{ "broker.id", INT, "-1", -1, IMAX, .field = BF(broker_id),
	  .doc = "This broker's id, unique in the cluster; required (no automatic ids)." },
	{ "broker.rack", STR, NULL, .field = BF(broker_rack),
	  .doc = "Rack of this broker, used for rack-aware replica assignment." },
	{ "zookeeper.connect", STR, NULL, .field = BF(zk_connect),
	  .doc = "ZooKeeper connection string host:port[,host:port...][/chroot]; required." },
	{ "zookeeper.session.timeout.ms", INT, "18000", 1, IMAX,
	  .field = BF(zk_session_timeout_ms), .doc = "ZooKeeper session timeout." },
	{ "zookeeper.connection.timeout.ms", INT, NULL, 1, IMAX,
	  .field = BF(zk_connection_timeout_ms),
	  .doc = "How long to wait for a ZooKeeper connection; unset: the session timeout." },
	{ "zookeeper.set.acl", BOOL, "false", .field = BF(zookeeper_set_acl),
	  .doc = "Create znodes with ACLs so that only this digest user may change them." },
	{ "zookeeper.digest", PASS, NULL, .flags = SENSITIVE | GREGOR,
	  .field = BF(zookeeper_digest),
	  .doc = "ZooKeeper digest credentials user:password (Kafka takes them from JAAS)." },
	{ "zookeeper.digest.file", STR, NULL, .flags = GREGOR, .field = BF(zookeeper_digest_file),
	  .doc = "File whose first line holds the ZooKeeper digest user:password." },

	/* listeners */
	{ "listeners", LIST, "PLAINTEXT://:9092", .mode = PER_BROKER,
	  .field = BF(listeners_str),
	  .doc = "Listeners NAME://host:port to bind; an empty host binds every address." },
	{ "advertised.listeners", LIST, NULL, .mode = PER_BROKER,
	  .field = BF(advertised_listeners_str),
	  .doc = "Listeners published in ZooKeeper for clients; unset: listeners." },
	{ "listener.security.protocol.map", LIST,
	  "PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL",
	  .mode = PER_BROKER, .field = BF(listener_security_protocol_map),
	  .doc = "Security protocol of each listener name, NAME:PROTOCOL pairs." },
	{ "inter.broker.listener.name", STR, NULL, .field = BF(inter_broker_listener_name),
	  .doc = "Listener brokers use to talk to each other; unset: "
		 "security.inter.broker.protocol." },
	{ "security.inter.broker.protocol", STR, "PLAINTEXT", .choices = protocols,
	  .field = BF(security_inter_broker_protocol),
	  .doc = "Protocol between brokers when inter.broker.listener.name is unset." },
	{ "metrics.listen", STR, NULL, .flags = GREGOR, .field = BF(metrics_listen),
	  .doc = "host:port of the Prometheus metrics endpoint; unset: none." },

	/* topics and replication */
	{ "num.partitions", INT, "1", 1, IMAX, .field = BF(num_partitions),
	  .doc = "Partitions of an automatically created topic." },
	{ "default.replication.factor", INT, "1", 1, INT16_MAX,
	  .field = BF(default_replication_factor),
	  .doc = "Replication factor of automatically created topics." },
	{ "min.insync.replicas", INT, "1", 1, IMAX, .mode = CLUSTER, .flags = LIVE,
	  .field = BF(min_insync_replicas),
	  .doc = "Fewest in-sync replicas for an acks=all produce to succeed." },
	{ "unclean.leader.election.enable", BOOL, "false", .mode = CLUSTER,
	  .field = BF(unclean_leader_election_enable),
	  .doc = "Elect a leader outside the ISR as a last resort, losing data." },
	{ "auto.create.topics.enable", BOOL, "true", .field = BF(auto_create_topics_enable),
	  .doc = "Create a topic on metadata requests for an unknown topic." },
	{ "delete.topic.enable", BOOL, "true", .field = BF(delete_topic_enable),
	  .doc = "Allow deleting topics." },
	{ "auto.leader.rebalance.enable", BOOL, "true", .field = BF(auto_leader_rebalance_enable),
	  .doc = "The controller moves leadership back to preferred replicas." },
	{ "leader.imbalance.check.interval.seconds", INT, "300", 1, IMAX,
	  .field = BF(leader_imbalance_check_interval_seconds),
	  .doc = "How often the controller checks the leader balance." },
	{ "leader.imbalance.per.broker.percentage", INT, "10", 0, 100,
	  .field = BF(leader_imbalance_per_broker_percentage),
	  .doc = "Imbalance per broker above which leadership is rebalanced." },
	{ "controlled.shutdown.enable", BOOL, "true", .field = BF(controlled_shutdown_enable),
	  .doc = "Move leadership away before shutting down." },
	{ "controlled.shutdown.max.retries", INT, "3", 0, IMAX,
	  .field = BF(controlled_shutdown_max_retries),
	  .doc = "Attempts at a controlled shutdown before shutting down anyway." },
	{ "controlled.shutdown.retry.backoff.ms", LONG, "5000", 0, LMAX,
	  .field = BF(controlled_shutdown_retry_backoff_ms),
	  .doc = "Wait between controlled shutdown attempts." },
	{ "replica.lag.time.max.ms", LONG, "30000", 1, LMAX, .field = BF(replica_lag_time_max_ms),
	  .doc = "A follower not caught up for this long leaves the ISR." },
	{ "replica.fetch.max.bytes", INT, "1048576", 0, IMAX,
	  .field = BF(replica_fetch_max_bytes),
	  .doc = "Bytes a follower asks for per partition." },
	{ "replica.fetch.min.bytes", INT, "1", 0, IMAX, .field = BF(replica_fetch_min_bytes),
	  .doc = "Bytes a follower fetch waits for." },
	{ "replica.fetch.wait.max.ms", INT, "500", 0, IMAX, .field = BF(replica_fetch_wait_max_ms),
	  .doc = "Longest a follower fetch waits on the leader." },
	{ "replica.fetch.backoff.ms", INT, "1000", 0, IMAX, .field = BF(replica_fetch_backoff_ms),
	  .doc = "Pause after a follower fetch error." },
	{ "replica.fetch.response.max.bytes", INT, "10485760", 0, IMAX,
	  .field = BF(replica_fetch_response_max_bytes),
	  .doc = "Bytes a follower asks for per fetch response." },
	{ "max.incremental.fetch.session.cache.slots", INT, "1000", 0, IMAX,
	  .field = BF(max_incremental_fetch_session_cache_slots),
	  .doc = "Incremental fetch sessions (KIP-227) the broker keeps at most." },
	{ "replica.selector.class", STR, NULL, .choices = replica_selectors,
	  .field = BF(replica_selector_class),
	  .doc = "How consumers are pointed at a replica to read from (KIP-392); unset: the leader." },
	{ "replica.socket.timeout.ms", INT, "30000", 1, IMAX,
	  .field = BF(replica_socket_timeout_ms),
	  .doc = "Timeout of a follower's fetch request." },
	{ "replica.high.watermark.checkpoint.interval.ms", LONG, "5000", 1, LMAX,
	  .field = BF(replica_high_watermark_checkpoint_interval_ms),
	  .doc = "How often high watermarks are written to disk." },
	{ "num.replica.fetchers", INT, "1", 1, IMAX, .mode = CLUSTER,
	  .field = BF(num_replica_fetchers),
	  .doc = "Fetcher connections per source broker." },
	{ "controller.socket.timeout.ms", INT, "30000", 1, IMAX,
	  .field = BF(controller_socket_timeout_ms),
	  .doc = "Timeout of the controller's requests to brokers." },

	/* log */
	{ "log.dir", STR, "/tmp/kafka-logs", .field = BF(log_dir),
	  .doc = "The log directory when log.dirs is unset." },
	{ "log.dirs", LIST, NULL, .field = BF(log_dirs),
	  .doc = "Comma-separated log directories; a failed one goes offline alone." },
	{ "log.segment.bytes", INT, "1073741824", 14, IMAX, .mode = CLUSTER, .flags = LIVE,
	  .field = BF(log_segment_bytes), .doc = "Size at which a segment is rolled." },
	{ "log.roll.ms", LONG, NULL, 1, LMAX, .mode = CLUSTER, .flags = LIVE,
	  .synonyms = syn_roll, .field = BF(log_roll_ms_key),
	  .doc = "Age at which a segment is rolled; unset: log.roll.hours." },
	{ "log.roll.hours", INT, "168", 1, IMAX, .synonyms = syn_roll,
	  .field = BF(log_roll_hours), .doc = "Age in hours at which a segment is rolled." },
	{ "log.roll.jitter.ms", LONG, NULL, 0, LMAX, .mode = CLUSTER, .synonyms = syn_jitter,
	  .doc = "Random jitter subtracted from the roll time; unset: log.roll.jitter.hours." },
	{ "log.roll.jitter.hours", INT, "0", 0, IMAX, .synonyms = syn_jitter,
	  .doc = "Roll jitter in hours." },
	{ "log.retention.ms", LONG, NULL, INT64_MIN, LMAX, .mode = CLUSTER, .flags = LIVE,
	  .synonyms = syn_retention, .field = BF(log_retention_ms_key),
	  .doc = "How long segments are kept; -1: forever; unset: log.retention.minutes." },
	{ "log.retention.minutes", INT, NULL, INT32_MIN, IMAX, .synonyms = syn_retention,
	  .field = BF(log_retention_minutes),
	  .doc = "Retention in minutes; unset: log.retention.hours." },
	{ "log.retention.hours", INT, "168", INT32_MIN, IMAX, .synonyms = syn_retention,
	  .field = BF(log_retention_hours), .doc = "Retention in hours." },
	{ "log.retention.bytes", LONG, "-1", INT64_MIN, LMAX, .mode = CLUSTER, .flags = LIVE,
	  .field = BF(log_retention_bytes),
	  .doc = "Size a partition log is trimmed to; -1: unlimited." },
	{ "log.retention.check.interval.ms", LONG, "300000", 1, LMAX,
	  .field = BF(log_retention_check_interval_ms),
	  .doc = "How often retention is applied." },
	{ "log.flush.interval.messages", LONG, "9223372036854775807", 1, LMAX, .mode = CLUSTER,
	  .flags = LIVE, .field = BF(log_flush_interval_messages),
	  .doc = "Messages appended before the log is flushed to disk." },
	{ "log.flush.interval.ms", LONG, NULL, 0, LMAX, .mode = CLUSTER, .flags = LIVE,
	  .synonyms = syn_flush, .field = BF(log_flush_interval_ms_key),
	  .doc = "Longest a message stays unflushed; unset: never forced." },
	{ "log.flush.offset.checkpoint.interval.ms", INT, "60000", 0, IMAX,
	  .field = BF(log_flush_offset_checkpoint_interval_ms),
	  .doc = "At most how often a partition's recovery point is written to disk "
		 "(a first move at once), with the index files below it; it moves "
		 "when a flush or a rolled segment's background flush completes." },
	{ "log.flush.scheduler.interval.ms", LONG, "9223372036854775807", INT64_MIN, LMAX,
	  .synonyms = syn_flush, .flags = IGNORED,
	  .doc = "How often the flusher runs (Gregor flushes on append)." },
	{ "log.index.interval.bytes", INT, "4096", 0, IMAX, .mode = CLUSTER, .flags = LIVE,
	  .field = BF(log_index_interval_bytes),
	  .doc = "Bytes between two offset index entries." },
	{ "log.index.size.max.bytes", INT, "10485760", 4, IMAX, .mode = CLUSTER, .flags = LIVE,
	  .field = BF(log_index_size_max_bytes),
	  .doc = "Size of an offset index; a full index rolls the segment." },
	{ "log.segment.delete.delay.ms", LONG, "60000", 0, LMAX, .mode = CLUSTER,
	  .doc = "Delay before a deleted segment's files go." },
	{ "log.preallocate", BOOL, "false", .mode = CLUSTER,
	  .doc = "Preallocate segment files." },
	{ "log.cleaner.enable", BOOL, "true", .field = BF(log_cleaner_enable),
	  .doc = "Run the log cleaner for compacted topics." },
	{ "log.cleanup.policy", LIST, "delete", .choices = cleanup_policies, .mode = CLUSTER,
	  .flags = LIVE, .field = BF(log_cleanup_policy),
	  .doc = "delete (retention), compact (keep the last value per key), or both." },
	{ "log.cleaner.threads", INT, "1", 0, IMAX, .mode = CLUSTER,
	  .doc = "Log cleaner threads." },
	{ "log.cleaner.dedupe.buffer.size", LONG, "134217728", INT64_MIN, LMAX, .mode = CLUSTER,
	  .doc = "Memory for the cleaner's key map." },
	{ "log.cleaner.io.buffer.load.factor", DBL, "0.9", .valid = valid_double, .mode = CLUSTER,
	  .doc = "Load factor of the cleaner's key map." },
	{ "log.cleaner.io.buffer.size", INT, "524288", 0, IMAX, .mode = CLUSTER,
	  .doc = "I/O buffer of the cleaner." },
	{ "log.cleaner.io.max.bytes.per.second", DBL, "1.7976931348623157E308",
	  .valid = valid_double, .mode = CLUSTER, .doc = "Cleaner I/O throttle." },
	{ "log.cleaner.backoff.ms", LONG, "15000", 0, LMAX, .mode = CLUSTER,
	  .doc = "Cleaner sleep when there is nothing to clean." },
	{ "log.cleaner.min.cleanable.ratio", DBL, "0.5", .valid = valid_ratio, .mode = CLUSTER,
	  .doc = "Dirty share of a log above which it is cleaned." },
	{ "log.cleaner.delete.retention.ms", LONG, "86400000", 0, LMAX, .mode = CLUSTER,
	  .doc = "How long tombstones are kept in compacted topics." },
	{ "log.cleaner.min.compaction.lag.ms", LONG, "0", 0, LMAX, .mode = CLUSTER,
	  .doc = "Least age of a message before it may be compacted." },
	{ "log.cleaner.max.compaction.lag.ms", LONG, "9223372036854775807", 1, LMAX,
	  .mode = CLUSTER, .doc = "Greatest age of a message before it must be compacted." },
	{ "compression.type", STR, "producer", .choices = compressions, .mode = CLUSTER,
	  .flags = LIVE, .field = BF(compression_type),
	  .doc = "Compression of stored batches; producer keeps the producer's." },
	{ "log.message.timestamp.type", STR, "CreateTime", .choices = timestamp_types,
	  .mode = CLUSTER, .flags = LIVE, .field = BF(log_message_timestamp_type),
	  .doc = "CreateTime (the producer's) or LogAppendTime (the broker's)." },
	{ "log.message.timestamp.difference.max.ms", LONG, "9223372036854775807", 0, LMAX,
	  .mode = CLUSTER, .doc = "Largest difference between a CreateTime and now." },
	{ "log.message.downconversion.enable", BOOL, "true", .mode = CLUSTER,
	  .doc = "Down-convert batches for old fetch versions." },
	{ "log.message.format.version", STR, "3.0-IV1",
	  .doc = "Message format version (ignored since Kafka 3.0)." },
	{ "message.max.bytes", INT, "1048588", 0, IMAX, .mode = CLUSTER, .flags = LIVE,
	  .field = BF(message_max_bytes), .doc = "Largest record batch a produce may append." },
	/* Kafka 4.0's default (KIP-1030; 1 before): after an unclean shutdown
	 * one thread leaves the second core and the disk queue idle (see
	 * docs/operations.md, "Restart after a crash") */
	{ "num.recovery.threads.per.data.dir", INT, "2", 1, IMAX, .mode = CLUSTER,
	  .field = BF(num_recovery_threads_per_data_dir),
	  .doc = "Threads per log dir that load and recover its partition logs at start-up "
		 "(the server.properties value: logs load before stored configs are read). "
		 "Default 2, Kafka 4.0's (Kafka 3.x: 1)." },
	{ "background.threads", INT, "10", 1, IMAX, .mode = CLUSTER,
	  .doc = "Background task threads." },

	/* groups, offsets, transactions */
	{ "offsets.topic.replication.factor", INT, "3", 1, INT16_MAX,
	  .field = BF(offsets_topic_replication_factor),
	  .doc = "Replication factor of __consumer_offsets." },
	{ "offsets.topic.num.partitions", INT, "50", 1, IMAX,
	  .field = BF(offsets_topic_num_partitions), .doc = "Partitions of __consumer_offsets." },
	{ "offsets.retention.minutes", INT, "10080", 1, IMAX,
	  .field = BF(offsets_retention_minutes),
	  .doc = "How long committed offsets of an empty group are kept." },
	{ "offsets.retention.check.interval.ms", LONG, "600000", 1, LMAX,
	  .field = BF(offsets_retention_check_interval_ms),
	  .doc = "How often expired offsets are removed." },
	{ "offset.metadata.max.bytes", INT, "4096", 0, IMAX,
	  .field = BF(offset_metadata_max_bytes), .doc = "Largest offset commit metadata." },
	{ "group.initial.rebalance.delay.ms", INT, "3000", 0, IMAX,
	  .field = BF(group_initial_rebalance_delay_ms),
	  .doc = "Wait for more members before the first rebalance of a group." },
	{ "group.min.session.timeout.ms", INT, "6000", 0, IMAX,
	  .field = BF(group_min_session_timeout_ms), .doc = "Least session timeout a member may ask." },
	{ "group.max.session.timeout.ms", INT, "1800000", 0, IMAX,
	  .field = BF(group_max_session_timeout_ms),
	  .doc = "Greatest session timeout a member may ask." },
	{ "group.max.size", INT, "2147483647", 1, IMAX, .field = BF(group_max_size),
	  .doc = "Most members in one group." },
	{ "transaction.state.log.replication.factor", INT, "3", 1, INT16_MAX,
	  .field = BF(transaction_state_log_replication_factor),
	  .doc = "Replication factor of __transaction_state." },
	{ "transaction.state.log.min.isr", INT, "2", 1, IMAX,
	  .field = BF(transaction_state_log_min_isr),
	  .doc = "min.insync.replicas of __transaction_state." },
	{ "transaction.state.log.num.partitions", INT, "50", 1, IMAX,
	  .field = BF(transaction_state_log_num_partitions),
	  .doc = "Partitions of __transaction_state." },
	{ "transaction.max.timeout.ms", INT, "900000", 1, IMAX,
	  .field = BF(transaction_max_timeout_ms), .doc = "Greatest transaction timeout." },
	{ "transaction.partition.verification.enable", BOOL, "true",
	  .field = BF(transaction_partition_verification_enable),
	  .doc = "Verify a transactional produce's partition was added (KIP-890)." },
	{ "transactional.id.expiration.ms", INT, "604800000", 1, IMAX,
	  .field = BF(transactional_id_expiration_ms),
	  .doc = "Idle time after which a transactional id expires." },
	{ "transaction.abort.timed.out.transaction.cleanup.interval.ms", INT, "10000", 1, IMAX,
	  .field = BF(transaction_abort_timed_out_cleanup_interval_ms),
	  .doc = "How often timed-out transactions are aborted." },
	{ "transaction.remove.expired.transaction.cleanup.interval.ms", INT, "3600000", 1, IMAX,
	  .field = BF(transaction_remove_expired_cleanup_interval_ms),
	  .doc = "How often expired transactional ids are removed." },

	/* network */
	{ "socket.request.max.bytes", INT, "104857600", 1, IMAX,
	  .field = BF(socket_request_max_bytes), .doc = "Largest request." },
	{ "socket.send.buffer.bytes", INT, "102400", 1, IMAX, .flags = IGNORED,
	  .field = BF(socket_send_buffer_bytes), .doc = "SO_SNDBUF of sockets." },
	{ "socket.receive.buffer.bytes", INT, "102400", 1, IMAX, .flags = IGNORED,
	  .field = BF(socket_receive_buffer_bytes), .doc = "SO_RCVBUF of sockets." },
	{ "num.network.threads", INT, "3", 1, IMAX, .mode = CLUSTER, .flags = IGNORED,
	  .field = BF(num_network_threads), .doc = "Network threads (Gregor: one event loop)." },
	{ "num.io.threads", INT, "8", 1, IMAX, .mode = CLUSTER, .flags = IGNORED,
	  .field = BF(num_io_threads), .doc = "Request threads (Gregor: one event loop)." },
	{ "queued.max.requests", INT, "500", 1, IMAX, .field = BF(queued_max_requests),
	  .doc = "Requests in progress in the whole broker before reading stops." },
	{ "queued.max.request.bytes", LONG, "-1", -1, LMAX, .field = BF(queued_max_request_bytes),
	  .doc = "Request bytes in progress in the whole broker; -1: no limit." },
	{ "queued.max.requests.per.connection", INT, "100", 1, IMAX, .flags = GREGOR,
	  .field = BF(queued_max_requests_per_connection),
	  .doc = "Requests one connection may have in progress before it is muted." },
	{ "queued.max.bytes.per.connection", LONG, "67108864", 1, LMAX, .flags = GREGOR,
	  .field = BF(queued_max_bytes_per_connection),
	  .doc = "Bytes one connection may have in progress before it is muted." },
	{ "max.connections", INT, "2147483647", 0, IMAX, .mode = CLUSTER,
	  .field = BF(max_connections), .doc = "Most client connections." },
	{ "max.connections.per.ip", INT, "2147483647", 0, IMAX, .mode = CLUSTER,
	  .field = BF(max_connections_per_ip), .doc = "Most connections from one address." },
	{ "max.connections.per.ip.overrides", LIST, "", .mode = CLUSTER,
	  .field = BF(max_connections_per_ip_overrides),
	  .doc = "Per-address limits, host:count pairs." },
	{ "max.connection.creation.rate", INT, "2147483647", 0, IMAX, .mode = CLUSTER,
	  .doc = "Most new connections a second." },
	{ "connections.max.idle.ms", LONG, "600000", INT64_MIN, LMAX,
	  .field = BF(connections_max_idle_ms), .doc = "Idle connections are closed after this." },
	{ "connections.max.reauth.ms", LONG, "0", 0, LMAX, .field = BF(connections_max_reauth_ms),
	  .doc = "Lifetime of an authenticated session (KIP-368); 0: none." },
	{ "request.timeout.ms", INT, "30000", 0, IMAX, .field = BF(request_timeout_ms),
	  .doc = "Timeout of the broker's own requests." },
	{ "fetch.max.bytes", INT, "57671680", 1024, IMAX, .field = BF(fetch_max_bytes),
	  .doc = "Most bytes one fetch response carries." },
	{ "quota.window.num", INT, "11", 1, 100, .field = BF(quota_window_num),
	  .doc = "Samples kept per client quota (Gregor keeps at most 100)." },
	{ "quota.window.size.seconds", INT, "1", 1, IMAX, .field = BF(quota_window_size_seconds),
	  .doc = "Time span of one client quota sample." },
	{ "replication.quota.window.num", INT, "11", 1, 100,
	  .field = BF(replication_quota_window_num),
	  .doc = "Samples kept per replication throttle (Gregor keeps at most 100)." },
	{ "replication.quota.window.size.seconds", INT, "1", 1, IMAX,
	  .field = BF(replication_quota_window_size_seconds),
	  .doc = "Time span of one replication throttle sample." },
	{ "metric.reporters", LIST, "", .mode = CLUSTER, .doc = "Metric reporter classes." },
	{ "leader.replication.throttled.rate", LONG, "9223372036854775807", 0, LMAX,
	  .mode = PER_BROKER, .flags = LIVE, .field = BF(leader_replication_throttled_rate),
	  .doc = "Replication throttle of leaders, bytes/s (broker/quota/replication_quota.h)." },
	{ "follower.replication.throttled.rate", LONG, "9223372036854775807", 0, LMAX,
	  .mode = PER_BROKER, .flags = LIVE, .field = BF(follower_replication_throttled_rate),
	  .doc = "Replication throttle of followers, bytes/s (broker/quota/replication_quota.h)." },
	{ "replica.alter.log.dirs.io.max.bytes.per.second", LONG, "9223372036854775807", 0, LMAX,
	  .mode = PER_BROKER, .doc = "Throttle of moves between log dirs, bytes/s." },

	/* TLS */
	{ "ssl.keystore.type", STR, "JKS", .mode = LISTENER, .field = BF(ssl_keystore_type),
	  .doc = "Format of the key store: PEM here." },
	{ "ssl.keystore.location", STR, NULL, .mode = LISTENER, .field = BF(ssl_keystore_location),
	  .doc = "File of the broker's key and certificate chain." },
	{ "ssl.keystore.password", PASS, NULL, .mode = LISTENER, .flags = SENSITIVE,
	  .field = BF(ssl_keystore_password), .doc = "Password of the key store." },
	{ "ssl.keystore.key", PASS, NULL, .mode = LISTENER, .flags = SENSITIVE,
	  .field = BF(ssl_keystore_key), .doc = "The private key in PEM, inline." },
	{ "ssl.keystore.certificate.chain", PASS, NULL, .mode = LISTENER, .flags = SENSITIVE,
	  .field = BF(ssl_keystore_certificate_chain),
	  .doc = "The certificate chain in PEM, inline." },
	{ "ssl.key.password", PASS, NULL, .mode = LISTENER, .flags = SENSITIVE,
	  .field = BF(ssl_key_password), .doc = "Password of the private key." },
	{ "ssl.truststore.type", STR, "JKS", .mode = LISTENER, .field = BF(ssl_truststore_type),
	  .doc = "Format of the trust store: PEM here." },
	{ "ssl.truststore.location", STR, NULL, .mode = LISTENER,
	  .field = BF(ssl_truststore_location), .doc = "File of the trusted CA certificates." },
	{ "ssl.truststore.password", PASS, NULL, .mode = LISTENER, .flags = SENSITIVE,
	  .field = BF(ssl_truststore_password), .doc = "Password of the trust store." },
	{ "ssl.truststore.certificates", PASS, NULL, .mode = LISTENER, .flags = SENSITIVE,
	  .field = BF(ssl_truststore_certificates), .doc = "Trusted certificates in PEM, inline." },
	{ "ssl.protocol", STR, "TLSv1.3", .mode = PER_BROKER, .field = BF(ssl_protocol),
	  .doc = "TLS protocol of the SSL context." },
	{ "ssl.provider", STR, NULL, .mode = PER_BROKER, .doc = "Security provider (JVM)." },
	{ "ssl.enabled.protocols", LIST, "TLSv1.2,TLSv1.3", .mode = PER_BROKER,
	  .field = BF(ssl_enabled_protocols), .doc = "TLS versions accepted." },
	{ "ssl.cipher.suites", LIST, NULL, .mode = PER_BROKER, .field = BF(ssl_cipher_suites),
	  .doc = "Cipher suites accepted; unset: the library's defaults." },
	{ "ssl.client.auth", STR, "none", .choices = client_auth, .mode = PER_BROKER,
	  .field = BF(ssl_client_auth), .doc = "Whether clients must present a certificate." },
	{ "ssl.endpoint.identification.algorithm", STR, "https", .mode = PER_BROKER,
	  .field = BF(ssl_endpoint_identification_algorithm),
	  .doc = "https: check the peer's host name; empty: do not." },
	{ "ssl.keymanager.algorithm", STR, "SunX509", .mode = PER_BROKER,
	  .field = BF(ssl_keymanager_algorithm), .doc = "Key manager algorithm (JVM)." },
	{ "ssl.trustmanager.algorithm", STR, "PKIX", .mode = PER_BROKER,
	  .field = BF(ssl_trustmanager_algorithm), .doc = "Trust manager algorithm (JVM)." },
	{ "ssl.secure.random.implementation", STR, NULL, .mode = PER_BROKER,
	  .doc = "SecureRandom implementation (JVM)." },
	{ "ssl.engine.factory.class", CLASS, NULL, .mode = PER_BROKER,
	  .doc = "SSL engine factory (JVM)." },
	{ "ssl.principal.mapping.rules", STR, "DEFAULT", .field = BF(ssl_principal_mapping_rules),
	  .doc = "Rules mapping a certificate's subject to a principal name." },
	{ "principal.builder.class", CLASS,
	  "org.apache.kafka.common.security.authenticator.DefaultKafkaPrincipalBuilder",
	  .mode = PER_BROKER, .doc = "Principal builder (JVM)." },

	/* SASL */
	{ "sasl.enabled.mechanisms", LIST, "GSSAPI", .mode = PER_BROKER,
	  .field = BF(sasl_enabled_mechanisms), .doc = "SASL mechanisms clients may use." },
	{ "sasl.mechanism.inter.broker.protocol", STR, "GSSAPI", .mode = PER_BROKER,
	  .field = BF(sasl_mechanism_inter_broker_protocol),
	  .doc = "SASL mechanism between brokers." },
	{ "sasl.jaas.config", PASS, NULL, .mode = PER_BROKER, .flags = SENSITIVE,
	  .field = BF(sasl_jaas_config), .doc = "JAAS login configuration text." },
	{ "sasl.kerberos.service.name", STR, NULL, .mode = PER_BROKER,
	  .field = BF(sasl_kerberos_service_name), .doc = "Kerberos principal name of Kafka." },
	{ "sasl.kerberos.kinit.cmd", STR, "/usr/bin/kinit", .mode = PER_BROKER,
	  .doc = "Kerberos kinit command." },
	{ "sasl.kerberos.ticket.renew.window.factor", DBL, "0.8", .valid = valid_double,
	  .mode = PER_BROKER, .doc = "Share of a ticket's lifetime before renewal." },
	{ "sasl.kerberos.ticket.renew.jitter", DBL, "0.05", .valid = valid_double,
	  .mode = PER_BROKER, .doc = "Random jitter of the renewal time." },
	{ "sasl.kerberos.min.time.before.relogin", LONG, "60000", INT64_MIN, LMAX,
	  .mode = PER_BROKER, .doc = "Least time between two logins." },
	{ "sasl.kerberos.principal.to.local.rules", LIST, "DEFAULT", .mode = PER_BROKER,
	  .doc = "Rules mapping Kerberos principals to short names." },
	{ "sasl.login.refresh.window.factor", DBL, "0.8", .valid = valid_refresh_factor,
	  .mode = PER_BROKER, .doc = "Share of a token's lifetime before refresh." },
	{ "sasl.login.refresh.window.jitter", DBL, "0.05", .valid = valid_refresh_jitter,
	  .mode = PER_BROKER, .doc = "Random jitter of the refresh time." },
	{ "sasl.login.refresh.min.period.seconds", SHORT, "60", 0, 900, .mode = PER_BROKER,
	  .doc = "Least time between two refreshes." },
	{ "sasl.login.refresh.buffer.seconds", SHORT, "300", 0, 3600, .mode = PER_BROKER,
	  .doc = "Time kept before expiry at a refresh." },

	/* authorization */
	{ "authorizer.class.name", STR, "", .choices = authorizer_classes,
	  .field = BF(authorizer_class_name),
	  .doc = "ACL authorizer; empty: none (everything allowed)." },
	{ "super.users", STR, NULL, .field = BF(super_users),
	  .doc = "Principals allowed everything, User:a;User:b." },
	{ "allow.everyone.if.no.acl.found", BOOL, "false",
	  .field = BF(allow_everyone_if_no_acl_found),
	  .doc = "Allow access to a resource that has no ACL." },
};

/* ---- topic keys (Kafka's TopicConfig, LogConfig's synonyms) ---- */

#define SYN(...) ((const char *const[]){ __VA_ARGS__, NULL })

static const struct config_def topic_defs[] = {
	{ "cleanup.policy", LIST, "delete", .choices = cleanup_policies, .mode = TOPIC,
	  .synonyms = SYN("log.cleanup.policy"),
	  .doc = "delete (retention), compact (keep the last value per key), or both." },
	{ "compression.type", STR, "producer", .choices = compressions, .mode = TOPIC,
	  .synonyms = SYN("compression.type"),
	  .doc = "Compression of stored batches; producer keeps the producer's." },
	{ "delete.retention.ms", LONG, "86400000", 0, LMAX, .mode = TOPIC,
	  .synonyms = SYN("log.cleaner.delete.retention.ms"),
	  .field = TF(delete_retention_ms), .doc = "How long tombstones are kept when compacting." },
	{ "file.delete.delay.ms", LONG, "60000", 0, LMAX, .mode = TOPIC,
	  .synonyms = SYN("log.segment.delete.delay.ms"),
	  .doc = "Delay before a deleted segment's files go." },
	{ "flush.messages", LONG, "9223372036854775807", 1, LMAX, .mode = TOPIC,
	  .synonyms = SYN("log.flush.interval.messages"),
	  .field = TF(log.flush_interval_messages),
	  .doc = "Messages appended before the log is flushed." },
	{ "flush.ms", LONG, "9223372036854775807", 0, LMAX, .mode = TOPIC,
	  .synonyms = SYN("log.flush.interval.ms"), .field = TF(log.flush_interval_ms),
	  .doc = "Longest a message stays unflushed." },
	{ "follower.replication.throttled.replicas", LIST, "", .mode = TOPIC,
	  .doc = "Replicas throttled on followers, partition:broker pairs or *." },
	{ "index.interval.bytes", INT, "4096", 0, IMAX, .mode = TOPIC,
	  .synonyms = SYN("log.index.interval.bytes"), .field = TF(log.index_interval_bytes),
	  .doc = "Bytes between two offset index entries." },
	{ "leader.replication.throttled.replicas", LIST, "", .mode = TOPIC,
	  .doc = "Replicas throttled on leaders, partition:broker pairs or *." },
	{ "max.compaction.lag.ms", LONG, "9223372036854775807", 1, LMAX, .mode = TOPIC,
	  .synonyms = SYN("log.cleaner.max.compaction.lag.ms"),
	  .doc = "Greatest age of a message before it must be compacted." },
	{ "max.message.bytes", INT, "1048588", 0, IMAX, .mode = TOPIC,
	  .synonyms = SYN("message.max.bytes"), .field = TF(max_message_bytes),
	  .doc = "Largest record batch a produce may append." },
	{ "message.downconversion.enable", BOOL, "true", .mode = TOPIC,
	  .synonyms = SYN("log.message.downconversion.enable"),
	  .doc = "Down-convert batches for old fetch versions." },
	{ "message.format.version", STR, "3.0-IV1", .mode = TOPIC,
	  .synonyms = SYN("log.message.format.version"),
	  .doc = "Message format version (ignored since Kafka 3.0)." },
	{ "message.timestamp.difference.max.ms", LONG, "9223372036854775807", 0, LMAX,
	  .mode = TOPIC, .synonyms = SYN("log.message.timestamp.difference.max.ms"),
	  .doc = "Largest difference between a CreateTime and now." },
	{ "message.timestamp.type", STR, "CreateTime", .choices = timestamp_types, .mode = TOPIC,
	  .synonyms = SYN("log.message.timestamp.type"),
	  .doc = "CreateTime (the producer's) or LogAppendTime (the broker's)." },
	{ "min.cleanable.dirty.ratio", DBL, "0.5", .valid = valid_ratio, .mode = TOPIC,
	  .synonyms = SYN("log.cleaner.min.cleanable.ratio"),
	  .field = TF(log.min_cleanable_dirty_ratio),
	  .doc = "Dirty share of the log above which it is cleaned." },
	{ "min.compaction.lag.ms", LONG, "0", 0, LMAX, .mode = TOPIC,
	  .synonyms = SYN("log.cleaner.min.compaction.lag.ms"),
	  .field = TF(min_compaction_lag_ms),
	  .doc = "Least age of a message before it may be compacted." },
	{ "min.insync.replicas", INT, "1", 1, IMAX, .mode = TOPIC,
	  .synonyms = SYN("min.insync.replicas"), .field = TF(min_insync_replicas),
	  .doc = "Fewest in-sync replicas for an acks=all produce to succeed." },
	{ "preallocate", BOOL, "false", .mode = TOPIC, .synonyms = SYN("log.preallocate"),
	  .doc = "Preallocate segment files." },
	{ "retention.bytes", LONG, "-1", -1, LMAX, .mode = TOPIC,
	  .synonyms = SYN("log.retention.bytes"), .field = TF(log.retention_bytes),
	  .doc = "Size each partition log is trimmed to; -1: unlimited." },
	{ "retention.ms", LONG, "604800000", -1, LMAX, .mode = TOPIC,
	  .synonyms = syn_retention, .field = TF(log.retention_ms),
	  .doc = "How long segments are kept; -1: forever." },
	{ "segment.bytes", INT, "1073741824", 14, IMAX, .mode = TOPIC,
	  .flags = CONFIG_F_FIELD64, .synonyms = SYN("log.segment.bytes"),
	  .field = TF(log.segment_bytes), .doc = "Size at which a segment is rolled." },
	{ "segment.index.bytes", INT, "10485760", 4, IMAX, .mode = TOPIC,
	  .synonyms = SYN("log.index.size.max.bytes"), .field = TF(log.segment_index_bytes),
	  .doc = "Size of an offset index; a full index rolls the segment." },
	{ "segment.jitter.ms", LONG, "0", 0, LMAX, .mode = TOPIC, .synonyms = syn_jitter,
	  .doc = "Random jitter subtracted from the roll time." },
	{ "segment.ms", LONG, "604800000", 1, LMAX, .mode = TOPIC, .synonyms = syn_roll,
	  .field = TF(log.roll_ms), .doc = "Age at which a segment is rolled." },
	{ "unclean.leader.election.enable", BOOL, "false", .mode = TOPIC,
	  .synonyms = SYN("unclean.leader.election.enable"),
	  .doc = "Elect a leader outside the ISR as a last resort, losing data." },
};

/* ---- user and client-id quota keys (Kafka's QuotaConfigs), in
 * /config/users/<u>, /config/clients/<c> and /config/users/<u>/clients/<c>;
 * enforced by broker/quota, which reads these rows ---- */

#define QUOTA_ROWS(who)                                                                   \
	{ "producer_byte_rate", LONG, "9223372036854775807", .mode = CONFIG_PER_ENTITY,     \
	  .doc = "Bytes a second " who " may produce before being throttled." },           \
	{ "consumer_byte_rate", LONG, "9223372036854775807", .mode = CONFIG_PER_ENTITY,     \
	  .doc = "Bytes a second " who " may fetch before being throttled." },             \
	{ "request_percentage", DBL, "2.147483647E9", .valid = valid_double,                \
	  .mode = CONFIG_PER_ENTITY,                                                        \
	  .doc = "Share of request handling time " who " may use, in percent." },          \
	{ "controller_mutation_rate", DBL, "2.147483647E9", .valid = valid_double,          \
	  .mode = CONFIG_PER_ENTITY,                                                        \
	  .doc = "Partition mutations a second " who " may make (stored, not enforced)." }

static const struct config_def user_defs[] = { QUOTA_ROWS("a user") };
static const struct config_def client_defs[] = { QUOTA_ROWS("a client id") };

#define N_ROWS(t) (int)(sizeof t / sizeof t[0])
/* struct broker_config keeps a slot per broker row (config.h) */
_Static_assert(sizeof broker_defs / sizeof broker_defs[0] <= CONFIG_MAX_KEYS,
	       "the broker config table outgrew CONFIG_MAX_KEYS");

static const struct {
	const struct config_def *rows;
	int n;
} tables[CONFIG_ENTITY_COUNT] = {
	[CONFIG_ENTITY_BROKER] = { broker_defs, N_ROWS(broker_defs) },
	[CONFIG_ENTITY_TOPIC] = { topic_defs, N_ROWS(topic_defs) },
	[CONFIG_ENTITY_USER] = { user_defs, N_ROWS(user_defs) },
	[CONFIG_ENTITY_CLIENT] = { client_defs, N_ROWS(client_defs) },
};

const struct config_def *config_defs(enum config_entity e, int *n)
{
	*n = e < CONFIG_ENTITY_COUNT ? tables[e].n : 0;
	return e < CONFIG_ENTITY_COUNT ? tables[e].rows : NULL;
}

const struct config_def *config_def_find(enum config_entity e, const char *name)
{
	int n;
	const struct config_def *t = config_defs(e, &n);
	for (int i = 0; name && i < n; i++)
		if (strcmp(t[i].name, name) == 0)
			return &t[i];
	return NULL;
}

/* ---- checks ---- */

int config_def_parse_long(const char *t, int64_t *out)
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

const char *config_type_name(enum config_type t)
{
	static const char *const names[] = { "UNKNOWN", "BOOLEAN", "STRING", "INT", "SHORT",
					      "LONG", "DOUBLE", "LIST", "CLASS", "PASSWORD" };
	return (int)t >= 1 && (int)t <= 9 ? names[t] : names[0];
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

static int check_number(const struct config_def *d, const char *t, char *why, size_t n)
{
	int64_t x;
	int rc = config_def_parse_long(t, &x);
	if (rc == -1) {
		snprintf(why, n, "not an integer");
		return -1;
	}
	int64_t lo = d->type == INT ? INT32_MIN : d->type == SHORT ? INT16_MIN : INT64_MIN;
	int64_t hi = d->type == INT ? INT32_MAX : d->type == SHORT ? INT16_MAX : INT64_MAX;
	if (rc == -2 || x < lo || x > hi) {
		snprintf(why, n, "out of range for a %s integer",
			 d->type == INT ? "32-bit" : d->type == SHORT ? "16-bit" : "64-bit");
		return -1;
	}
	if (d->min != d->max && x < d->min) {
		snprintf(why, n, "must be at least %lld", (long long)d->min);
		return -2;
	}
	if (d->min != d->max && x > d->max) {
		snprintf(why, n, "must be at most %lld", (long long)d->max);
		return -2;
	}
	return 0;
}

/* Elements trimmed, none empty, each among the choices if any. */
static int check_list(const struct config_def *d, const char *t, char *why, size_t n)
{
	for (const char *p = t; *t;) {
		const char *comma = strchr(p, ',');
		size_t l = comma ? (size_t)(comma - p) : strlen(p);
		while (l > 0 && (unsigned char)*p <= ' ')
			p++, l--;
		while (l > 0 && (unsigned char)p[l - 1] <= ' ')
			l--;
		if (l == 0) {
			snprintf(why, n, "empty element in list");
			return -2;
		}
		if (d->choices && !in_choices(d->choices, p, l)) {
			char allowed[256];
			choices_text(d->choices, allowed, sizeof allowed);
			snprintf(why, n, "each element must be one of: %s", allowed);
			return -2;
		}
		if (!comma)
			break;
		p = comma + 1;
	}
	return 0;
}

static int check_trimmed(const struct config_def *d, const char *t, char *why, size_t n)
{
	int rc = 0;
	switch (d->type) {
	case INT:
	case SHORT:
	case LONG:
		rc = check_number(d, t, why, n);
		break;
	case BOOL:
		if (strcasecmp(t, "true") && strcasecmp(t, "false")) {
			snprintf(why, n, "not a boolean (expected true or false)");
			rc = -1;
		}
		break;
	case DBL:
		if (!d->valid) {
			double x;
			if (parse_double(t, &x) < 0) {
				snprintf(why, n, "not a number");
				rc = -1;
			}
		}
		break;
	case LIST:
		rc = check_list(d, t, why, n);
		break;
	default:
		if (d->choices && !in_choices(d->choices, t, strlen(t))) {
			char allowed[256];
			choices_text(d->choices, allowed, sizeof allowed);
			snprintf(why, n, "must be one of: %s", allowed);
			rc = -2;
		}
	}
	if (rc == 0 && d->valid) {
		rc = d->valid(t, why, n);
		if (rc == -1)
			snprintf(why, n, "not a number");
	}
	return rc;
}

int config_def_check(const struct config_def *d, const char *value, char *why, size_t n)
{
	if (!value) {
		snprintf(why, n, "no value");
		return -1;
	}
	while (*value && (unsigned char)*value <= ' ')
		value++;
	size_t len = strlen(value);
	while (len > 0 && (unsigned char)value[len - 1] <= ' ')
		len--;
	char *t = strndup(value, len);
	if (!t) {
		snprintf(why, n, "out of memory");
		return -2;
	}
	int rc = check_trimmed(d, t, why, n);
	free(t);
	return rc;
}

const char *config_quote(const char *v, char *buf, size_t n)
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

int config_def_check_kafka(const struct config_def *d, const char *key, const char *value,
			   char *err, size_t errlen)
{
	char why[240], q[256];
	int rc = config_def_check(d, value, why, sizeof why);
	if (rc == 0)
		return 0;
	if (rc == -1 && d->type == BOOL)
		snprintf(why, sizeof why, "Expected value to be either true or false");
	else if (rc == -1)
		snprintf(why, sizeof why, "Not a number of type %s", config_type_name(d->type));
	const char *subject = strstr(why, "one of") ? "String " : "Value ";
	if (strncmp(why, "must ", 5) == 0 || strncmp(why, "each element must ", 18) == 0) {
		char tmp[sizeof why + 8];
		snprintf(tmp, sizeof tmp, "%s%s", subject,
			 strncmp(why, "each element ", 13) == 0 ? why + 13 : why);
		snprintf(why, sizeof why, "%.*s", (int)sizeof why - 1, tmp);
	}
	snprintf(err, errlen, "Invalid value %s for configuration %s: %s",
		 config_quote(value, q, sizeof q), key, why);
	return -1;
}

/* ---- synonyms ---- */

/* "listener.name.<l>.<base>": the base, else NULL. */
static const char *listener_base(const char *key)
{
	static const char pre[] = "listener.name.";
	if (strncmp(key, pre, sizeof pre - 1) != 0)
		return NULL;
	const char *dot = strchr(key + sizeof pre - 1, '.');
	return dot && dot > key + sizeof pre - 1 && dot[1] ? dot + 1 : NULL;
}

int config_def_synonym_names(enum config_entity e, const char *name, const char **out,
			     int cap)
{
	int n = 0;
	if (cap <= 0)
		return 0;
	const char *base = e == CONFIG_ENTITY_BROKER ? listener_base(name) : NULL;
	if (base)
		out[n++] = name; /* the listener override comes first, as Kafka */
	const struct config_def *d = config_def_find(e, base ? base : name);
	if (e == CONFIG_ENTITY_TOPIC) {
		for (int i = 0; d && d->synonyms && d->synonyms[i] && n < cap; i++)
			out[n++] = d->synonyms[i];
		return n;
	}
	if (d && d->synonyms) {
		for (int i = 0; d->synonyms[i] && n < cap; i++)
			out[n++] = d->synonyms[i];
	} else if (n < cap) {
		out[n++] = base ? base : name;
	}
	return n;
}

int config_collect_synonyms(const char *described, const char *const *names, int nn,
			    config_level_fn level, void *ctx, struct config_synonym *out,
			    int cap)
{
	int n = 0, from = -1;
	for (int l = CONFIG_SOURCE_DYNAMIC_BROKER; l <= CONFIG_SOURCE_DEFAULT; l++)
		for (int i = 0; i < nn && n < cap; i++) {
			const char *v = level(ctx, names[i], (enum config_source)l);
			if (!v)
				continue;
			if (from < 0 && strcmp(names[i], described) == 0)
				from = n;
			out[n++] = (struct config_synonym){ names[i], v, (enum config_source)l };
		}
	if (from <= 0)
		return from < 0 ? 0 : n;
	memmove(out, out + from, (size_t)(n - from) * sizeof *out);
	return n - from;
}

/* ---- docs/configuration.md ---- */

static const char *mode_text(const struct config_def *d)
{
	switch (d->mode) {
	case CONFIG_PER_BROKER: return "per broker";
	case CONFIG_CLUSTER_WIDE: return "cluster-wide";
	case CONFIG_PER_LISTENER: return "per listener";
	case CONFIG_PER_TOPIC: return "per topic";
	case CONFIG_PER_ENTITY: return "per entity";
	default: return "no";
	}
}

static void range_text(const struct config_def *d, char *buf, size_t n)
{
	size_t o = 0;
	buf[0] = '\0';
	for (int i = 0; d->choices && d->choices[i] && o + 1 < n; i++) {
		int w = snprintf(buf + o, n - o, "%s%s", i ? ", " : "",
				 d->choices[i][0] ? d->choices[i] : "\"\"");
		o += w > 0 ? (size_t)w : 0;
	}
	if (d->choices || (d->type != INT && d->type != SHORT && d->type != LONG) ||
	    d->min == d->max)
		return;
	int64_t hi = d->type == INT ? INT32_MAX : d->type == SHORT ? INT16_MAX : INT64_MAX;
	int64_t lo = d->type == INT ? INT32_MIN : d->type == SHORT ? INT16_MIN : INT64_MIN;
	if (d->min > lo && d->max < hi)
		snprintf(buf, n, "[%lld, %lld]", (long long)d->min, (long long)d->max);
	else if (d->min > lo)
		snprintf(buf, n, "at least %lld", (long long)d->min);
	else if (d->max < hi)
		snprintf(buf, n, "at most %lld", (long long)d->max);
}

static void print_table(FILE *f, enum config_entity e)
{
	int n;
	const struct config_def *t = config_defs(e, &n);
	fprintf(f, "| key | type | default | valid | dynamic | synonyms | description |\n");
	fprintf(f, "|---|---|---|---|---|---|---|\n");
	for (int i = 0; i < n; i++) {
		const struct config_def *d = &t[i];
		char range[400], syn[300] = "";
		range_text(d, range, sizeof range);
		const char *names[6];
		int ns = config_def_synonym_names(e, d->name, names, 6);
		for (int k = 0; k < ns; k++)
			if (strcmp(names[k], d->name)) {
				size_t o = strlen(syn);
				snprintf(syn + o, sizeof syn - o, "%s`%s`", o ? ", " : "", names[k]);
			}
		const char *def = d->def ? d->def : "null";
		fprintf(f, "| `%s` | %s | %s%s%s | %s | %s%s | %s | %s%s%s%s |\n", d->name,
			config_type_name(d->type), *def ? "`" : "\"\"", def, *def ? "`" : "",
			range, mode_text(d),
			(d->mode == CONFIG_PER_BROKER || d->mode == CONFIG_CLUSTER_WIDE ||
			 d->mode == CONFIG_PER_LISTENER) && !(d->flags & LIVE) ? " (stored)" : "",
			syn, d->doc, d->flags & SENSITIVE ? " Secret: never shown." : "",
			d->flags & IGNORED ? " Accepted, no effect." : "",
			d->flags & GREGOR ? " Gregor's own key." : "");
	}
}

void config_defs_print_markdown(FILE *f)
{
	fprintf(f, "# Configuration reference\n\n"
		"Generated by `gregord --print-config-docs` from the config tables in "
		"`broker/config_def.c`;\nthe test `config-docs` fails when this file differs. "
		"Do not edit it by hand.\n\n"
		"Broker keys go in `server.properties`, or with `gregord --env` in `KAFKA_*` "
		"variables (the key upper-cased,\n`.` as `_`, `_` as `__`, `-` as `___`: "
		"`KAFKA_LOG_RETENTION_HOURS`). An unknown key is warned about and\nignored; "
		"a bad value stops start-up with a message naming the key. "
		"`listener.name.<listener>.<key>`\noverrides a key for one listener and is "
		"checked as that key.\n\n"
		"*dynamic* says where a key may change while the cluster runs: *per broker* "
		"in `/config/brokers/<id>`,\n*cluster-wide* also in `/config/brokers/<default>` "
		"(the per-broker value wins), *per listener* only as\n"
		"`listener.name.<listener>.<key>` in `/config/brokers/<id>`, *no*: at start-up "
		"only. Precedence: per-broker,\ncluster default, `server.properties`, the "
		"default. *(stored)*: accepted, stored and shown by\nDescribeConfigs, "
		"in effect after a restart. Secrets are never returned by DescribeConfigs.\n"
		"Synonyms are the other names of one config, highest precedence first "
		"(`log.retention.ms` beats\n`log.retention.minutes` beats "
		"`log.retention.hours`).\n\n## Broker\n\n");
	print_table(f, CONFIG_ENTITY_BROKER);
	fprintf(f, "\n## Topic\n\n"
		"Overrides in `/config/topics/<topic>` (CreateTopics, AlterConfigs, "
		"IncrementalAlterConfigs, `kafka-configs.sh`).\nA key without an override takes "
		"its value from the broker synonyms, highest precedence first.\n\n");
	print_table(f, CONFIG_ENTITY_TOPIC);
	fprintf(f, "\n## User\n\nQuotas in `/config/users/<user>` (`<default>`: every user), "
		"also per user and client id in\n`/config/users/<user>/clients/<client-id>` "
		"(AlterClientQuotas, `kafka-configs.sh`).\n\n");
	print_table(f, CONFIG_ENTITY_USER);
	fprintf(f, "\n## Client id\n\nQuotas in `/config/clients/<client-id>` "
		"(`<default>`: every client id).\n\n");
	print_table(f, CONFIG_ENTITY_CLIENT);
}
