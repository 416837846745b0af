/* Unit tests for common/properties (Java .properties reading) and
 * broker/config (Kafka keys, defaults, validation messages, retention
 * precedence, listener parsing). */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "broker/config.h"
#include "common/properties.h"

/* ---- helpers ---- */

static int parse_str(const char *text, struct props *p, char *err, size_t errlen)
{
	memset(p, 0, sizeof *p);
	return props_parse(text, strlen(text), p, err, errlen);
}

static char *write_temp(const char *text, size_t len)
{
	static char path[64];
	snprintf(path, sizeof path, "/tmp/gregor_test_config_XXXXXX");
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, len), (ssize_t)len);
	close(fd);
	return path;
}

/* Loads text as a server.properties; returns broker_config_load's result. */
static int load_str(const char *text, struct broker_config *bc, char *err, size_t errlen)
{
	char *path = write_temp(text, strlen(text));
	err[0] = '\0';
	int rc = broker_config_load(path, bc, err, errlen);
	unlink(path);
	return rc;
}

#define BASE "broker.id=0\nzookeeper.connect=127.0.0.1:2181\n"

/* ---- properties ---- */

START_TEST(test_props_separators_and_blank_values)
{
	struct props p;
	char err[256];
	ck_assert_int_eq(parse_str("a=1\nb:2\nc 3\nd  =  4\ne\t:\t5\nf\ng=\nh = x=y:z\n", &p,
				   err, sizeof err), 0);
	ck_assert_int_eq(p.n, 8);
	const char *keys[] = { "a", "b", "c", "d", "e", "f", "g", "h" };
	const char *vals[] = { "1", "2", "3", "4", "5", "", "", "x=y:z" };
	for (int i = 0; i < 8; i++) {
		ck_assert_str_eq(p.v[i].key, keys[i]);
		ck_assert_str_eq(p.v[i].value, vals[i]);
		ck_assert_int_eq(p.v[i].line, i + 1);
	}
	props_free(&p);
}
END_TEST

START_TEST(test_props_comments_blank_lines_and_line_numbers)
{
	struct props p;
	char err[256];
	ck_assert_int_eq(parse_str("# comment\n! bang comment\n\n   \n  # indented\nk=v\n"
				   "\t\tx = y\n", &p, err, sizeof err), 0);
	ck_assert_int_eq(p.n, 2);
	ck_assert_str_eq(p.v[0].key, "k");
	ck_assert_int_eq(p.v[0].line, 6);
	ck_assert_str_eq(p.v[1].key, "x");
	ck_assert_str_eq(p.v[1].value, "y");
	ck_assert_int_eq(p.v[1].line, 7);
	props_free(&p);
}
END_TEST

START_TEST(test_props_whitespace_key_trimmed_value_trailing_kept)
{
	struct props p;
	char err[256];
	ck_assert_int_eq(parse_str("   key   =   value  \n", &p, err, sizeof err), 0);
	ck_assert_str_eq(p.v[0].key, "key");
	ck_assert_str_eq(p.v[0].value, "value  ");
	props_free(&p);
}
END_TEST

START_TEST(test_props_continuation_joins_and_drops_leading_blanks)
{
	struct props p;
	char err[256];
	ck_assert_int_eq(parse_str("list = a,\\\n      b,\\\n\tc\nnext=1\n", &p, err,
				   sizeof err), 0);
	ck_assert_int_eq(p.n, 2);
	ck_assert_str_eq(p.v[0].value, "a,b,c");
	ck_assert_int_eq(p.v[0].line, 1);
	ck_assert_int_eq(p.v[1].line, 4);
	props_free(&p);
}
END_TEST

START_TEST(test_props_even_backslashes_do_not_continue)
{
	struct props p;
	char err[256];
	ck_assert_int_eq(parse_str("path=C:\\\\dir\\\\\nx=1\n", &p, err, sizeof err), 0);
	ck_assert_int_eq(p.n, 2);
	ck_assert_str_eq(p.v[0].value, "C:\\dir\\");
	ck_assert_str_eq(p.v[1].key, "x");
	props_free(&p);
}
END_TEST

START_TEST(test_props_comment_line_never_continues)
{
	struct props p;
	char err[256];
	ck_assert_int_eq(parse_str("# ends in backslash \\\nk=v\n", &p, err, sizeof err), 0);
	ck_assert_int_eq(p.n, 1);
	ck_assert_str_eq(p.v[0].key, "k");
	props_free(&p);
}
END_TEST

START_TEST(test_props_continued_line_starting_with_hash_is_value)
{
	struct props p;
	char err[256];
	ck_assert_int_eq(parse_str("k=a\\\n  #b\n", &p, err, sizeof err), 0);
	ck_assert_int_eq(p.n, 1);
	ck_assert_str_eq(p.v[0].value, "a#b");
	props_free(&p);
}
END_TEST

START_TEST(test_props_continuation_at_end_of_text)
{
	struct props p;
	char err[256];
	ck_assert_int_eq(parse_str("k=abc\\", &p, err, sizeof err), 0);
	ck_assert_int_eq(p.n, 1);
	ck_assert_str_eq(p.v[0].value, "abc");
	props_free(&p);
}
END_TEST

START_TEST(test_props_escapes)
{
	struct props p;
	char err[256];
	ck_assert_int_eq(parse_str("my\\ key\\=x = t\\tn\\nr\\rf\\fb\\\\e\\=c\\:q\\q\n"
				   "u=\\u0041\\u00e9\\u20AC\\uD83D\\uDE00\n", &p, err, sizeof err), 0);
	ck_assert_int_eq(p.n, 2);
	ck_assert_str_eq(p.v[0].key, "my key=x");
	ck_assert_str_eq(p.v[0].value, "t\tn\nr\rf\fb\\e=c:qq");
	ck_assert_str_eq(p.v[1].value, "A\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
	props_free(&p);
}
END_TEST

START_TEST(test_props_crlf_and_cr_line_endings)
{
	struct props p;
	char err[256];
	ck_assert_int_eq(parse_str("a=1\r\nb=2\rc=3\r\n\r\nd=4", &p, err, sizeof err), 0);
	ck_assert_int_eq(p.n, 4);
	ck_assert_str_eq(p.v[0].value, "1");
	ck_assert_str_eq(p.v[1].value, "2");
	ck_assert_int_eq(p.v[2].line, 3);
	ck_assert_int_eq(p.v[3].line, 5);
	ck_assert_str_eq(p.v[3].value, "4");
	props_free(&p);
}
END_TEST

START_TEST(test_props_errors_carry_line_numbers)
{
	static const struct {
		const char *text, *msg;
	} cases[] = {
		{ "a=1\nb=\\u12\n", "line 2: malformed \\uXXXX escape" },
		{ "a=1\n\nc=\\u12zz\n", "line 3: malformed \\uXXXX escape" },
		{ "x=\\u0000\n", "line 1: \\u0000 is not allowed" },
		{ "a=1\nx=\\uD83Dz\n", "line 2: unpaired surrogate" },
		{ "x=\\uDE00\n", "line 1: unpaired surrogate" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct props p;
		char err[256] = "";
		ck_assert_int_eq(parse_str(cases[i].text, &p, err, sizeof err), -1);
		ck_assert_msg(strstr(err, cases[i].msg), "case %zu: got '%s'", i, err);
		props_free(&p);
	}
}
END_TEST

START_TEST(test_props_nul_byte_rejected)
{
	struct props p = { 0 };
	char err[256] = "";
	const char text[] = "a=1\nb=x\0y\n";
	ck_assert_int_eq(props_parse(text, sizeof text - 1, &p, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "line 2"));
	props_free(&p);
}
END_TEST

START_TEST(test_props_get_returns_last_occurrence)
{
	struct props p;
	char err[256];
	ck_assert_int_eq(parse_str("k=1\nj=2\nk=3\n", &p, err, sizeof err), 0);
	ck_assert_int_eq(p.n, 3);
	ck_assert_str_eq(props_get(&p, "k"), "3");
	ck_assert_ptr_null(props_get(&p, "missing"));
	props_free(&p);
}
END_TEST

START_TEST(test_props_load_file_missing_and_too_large)
{
	struct props p = { 0 };
	char err[256] = "";
	ck_assert_int_eq(props_load_file("/nonexistent/gregor.properties", &p, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "cannot open"));
	size_t n = PROPS_MAX_FILE + 10;
	char *big = malloc(n);
	ck_assert_ptr_nonnull(big);
	memset(big, '#', n);
	char *path = write_temp(big, n);
	free(big);
	ck_assert_int_eq(props_load_file(path, &p, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "larger than"));
	unlink(path);
}
END_TEST

/* Random text built from the characters that steer the parser: every call
 * must return 0 or -1 without reading outside the text (run under ASan). */
START_TEST(test_props_random_text_never_misbehaves)
{
	static const char alphabet[] = "ab=: \t\f\r\n\\#!u0D8E9";
	unsigned seed = 12345;
	for (int iter = 0; iter < 5000; iter++) {
		char text[64];
		seed = seed * 1103515245u + 12345u;
		size_t len = (seed >> 16) % sizeof text;
		for (size_t i = 0; i < len; i++) {
			seed = seed * 1103515245u + 12345u;
			text[i] = alphabet[(seed >> 16) % (sizeof alphabet - 1)];
		}
		struct props p = { 0 };
		char err[128] = "";
		int rc = props_parse(text, len, &p, err, sizeof err);
		ck_assert(rc == 0 || rc == -1);
		if (rc < 0)
			ck_assert_ptr_nonnull(strstr(err, "line "));
		for (int i = 0; i < p.n; i++) {
			ck_assert_ptr_nonnull(p.v[i].key);
			ck_assert_ptr_nonnull(p.v[i].value);
			ck_assert_int_ge(p.v[i].line, 1);
			ck_assert(strlen(p.v[i].key) + strlen(p.v[i].value) <= len);
		}
		props_free(&p);
	}
}
END_TEST

/* ---- config: defaults and loading ---- */

START_TEST(test_config_minimal_file_gets_kafka_defaults)
{
	struct broker_config bc;
	char err[512];
	ck_assert_int_eq(load_str(BASE, &bc, err, sizeof err), 0);
	ck_assert_int_eq(bc.broker_id, 0);
	ck_assert_str_eq(bc.zk_connect, "127.0.0.1:2181");
	ck_assert_int_eq(bc.zk_session_timeout_ms, 18000);
	ck_assert_int_eq(bc.zk_connection_timeout_ms, 18000);
	ck_assert_int_eq(bc.num_partitions, 1);
	ck_assert_int_eq(bc.default_replication_factor, 1);
	ck_assert_int_eq(bc.min_insync_replicas, 1);
	ck_assert_int_eq(bc.unclean_leader_election_enable, 0);
	ck_assert_int_eq(bc.auto_create_topics_enable, 1);
	ck_assert_int_eq(bc.delete_topic_enable, 1);
	ck_assert_int_eq(bc.auto_leader_rebalance_enable, 1);
	ck_assert_int_eq(bc.controlled_shutdown_enable, 1);
	ck_assert_int_eq(bc.log_segment_bytes, 1073741824);
	ck_assert_int_eq(bc.log_retention_ms, 168LL * 3600 * 1000);
	ck_assert_int_eq(bc.log_roll_ms, 168LL * 3600 * 1000);
	ck_assert_int_eq(bc.log_retention_bytes, -1);
	ck_assert_int_eq(bc.log_retention_check_interval_ms, 300000);
	ck_assert_int_eq(bc.log_flush_interval_messages, INT64_MAX);
	ck_assert_int_eq(bc.log_flush_interval_ms, INT64_MAX);
	ck_assert_int_eq(bc.log_index_interval_bytes, 4096);
	ck_assert_int_eq(bc.log_index_size_max_bytes, 10485760);
	ck_assert_int_eq(bc.message_max_bytes, 1048588);
	ck_assert_int_eq(bc.replica_lag_time_max_ms, 30000);
	ck_assert_int_eq(bc.replica_fetch_max_bytes, 1048576);
	ck_assert_int_eq(bc.replica_fetch_wait_max_ms, 500);
	ck_assert_int_eq(bc.num_replica_fetchers, 1);
	ck_assert_int_eq(bc.offsets_topic_replication_factor, 3);
	ck_assert_int_eq(bc.offsets_topic_num_partitions, 50);
	ck_assert_int_eq(bc.offsets_retention_minutes, 10080);
	ck_assert_int_eq(bc.transaction_state_log_replication_factor, 3);
	ck_assert_int_eq(bc.transaction_state_log_min_isr, 2);
	ck_assert_int_eq(bc.transaction_state_log_num_partitions, 50);
	ck_assert_int_eq(bc.transaction_max_timeout_ms, 900000);
	ck_assert_int_eq(bc.transactional_id_expiration_ms, 604800000);
	ck_assert_int_eq(bc.group_initial_rebalance_delay_ms, 3000);
	ck_assert_int_eq(bc.socket_request_max_bytes, 104857600);
	ck_assert_int_eq(bc.request_timeout_ms, 30000);
	ck_assert_str_eq(bc.log_dirs, "/tmp/kafka-logs");
	ck_assert_str_eq(bc.listener_security_protocol_map,
			 "PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL");
	ck_assert_str_eq(bc.inter_broker_listener_name, "PLAINTEXT");
	ck_assert_ptr_null(bc.broker_rack);
	ck_assert_str_eq(bc.ssl_client_auth, "none");
	ck_assert_str_eq(bc.sasl_enabled_mechanisms, "GSSAPI");
	broker_config_free(&bc);
}
END_TEST

START_TEST(test_config_default_listener_binds_all_and_advertises_a_host)
{
	struct broker_config bc;
	char err[512];
	ck_assert_int_eq(load_str(BASE, &bc, err, sizeof err), 0);
	ck_assert_int_eq(bc.nlisteners, 1);
	ck_assert_str_eq(bc.listeners[0].name, "PLAINTEXT");
	ck_assert_str_eq(bc.listeners[0].host, "0.0.0.0");
	ck_assert_int_eq(bc.listeners[0].port, 9092);
	ck_assert_int_eq(bc.nadvertised, 1);
	char host[256];
	ck_assert_int_eq(gethostname(host, sizeof host), 0);
	const char *adv = bc.advertised[0].host;
	ck_assert_msg(strcmp(adv, host) == 0 || strcmp(adv, "127.0.0.1") == 0,
		      "advertised host '%s' (hostname '%s')", adv, host);
	char want[300];
	snprintf(want, sizeof want, "PLAINTEXT://%s:9092", adv);
	ck_assert_str_eq(bc.advertised_str, want);
	broker_config_free(&bc);
}
END_TEST

START_TEST(test_config_cluster_sh_style_file_loads)
{
	struct broker_config bc;
	char err[512];
	const char *text =
		"# Written by deploy/cluster.sh up\n"
		"broker.id=2\n"
		"listeners=PLAINTEXT://127.0.0.1:19093\n"
		"advertised.listeners=PLAINTEXT://127.0.0.1:19093\n"
		"log.dirs=/tmp/gregor/broker/2/data\n"
		"zookeeper.connect=127.0.0.1:2181,127.0.0.1:2182/gregor\n"
		"zookeeper.session.timeout.ms=6000\n"
		"num.partitions=3\n"
		"default.replication.factor=3\n"
		"min.insync.replicas=2\n"
		"auto.create.topics.enable=false\n"
		"offsets.topic.replication.factor=1\n"
		"transaction.state.log.replication.factor=1\n"
		"transaction.state.log.min.isr=1\n"
		"group.initial.rebalance.delay.ms=0\n"
		"num.network.threads=3\n"
		"num.io.threads=8\n"
		"socket.send.buffer.bytes=102400\n"
		"socket.receive.buffer.bytes=102400\n"
		"num.recovery.threads.per.data.dir=1\n"
		"zookeeper.connection.timeout.ms=18000\n";
	ck_assert_msg(load_str(text, &bc, err, sizeof err) == 0, "%s", err);
	ck_assert_int_eq(bc.broker_id, 2);
	ck_assert_str_eq(bc.listeners[0].host, "127.0.0.1");
	ck_assert_int_eq(bc.listeners[0].port, 19093);
	ck_assert_str_eq(bc.advertised_str, "PLAINTEXT://127.0.0.1:19093");
	ck_assert_str_eq(bc.log_dirs, "/tmp/gregor/broker/2/data");
	ck_assert_int_eq(bc.num_partitions, 3);
	ck_assert_int_eq(bc.min_insync_replicas, 2);
	ck_assert_int_eq(bc.auto_create_topics_enable, 0);
	ck_assert_int_eq(bc.zk_session_timeout_ms, 6000);
	ck_assert_int_eq(bc.zk_connection_timeout_ms, 18000);
	ck_assert_int_eq(bc.group_initial_rebalance_delay_ms, 0);
	broker_config_free(&bc);
}
END_TEST

START_TEST(test_config_values_are_trimmed_and_bools_case_insensitive)
{
	struct broker_config bc;
	char err[512];
	ck_assert_int_eq(load_str("broker.id =  7  \nzookeeper.connect = zk:2181   \n"
				  "delete.topic.enable = FALSE \nlog.dirs = /a  \n",
				  &bc, err, sizeof err), 0);
	ck_assert_int_eq(bc.broker_id, 7);
	ck_assert_str_eq(bc.zk_connect, "zk:2181");
	ck_assert_int_eq(bc.delete_topic_enable, 0);
	ck_assert_str_eq(bc.log_dirs, "/a");
	broker_config_free(&bc);
}
END_TEST

START_TEST(test_config_later_line_wins)
{
	struct broker_config bc;
	char err[512];
	ck_assert_int_eq(load_str(BASE "num.partitions=2\nnum.partitions=5\n", &bc, err,
				  sizeof err), 0);
	ck_assert_int_eq(bc.num_partitions, 5);
	broker_config_free(&bc);
}
END_TEST

START_TEST(test_config_unknown_keys_warned_and_kept)
{
	struct broker_config bc;
	char err[512];
	ck_assert_int_eq(load_str(BASE "no.such.key=1\n"
				  "listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=x y\n",
				  &bc, err, sizeof err), 0);
	ck_assert_int_eq(bc.nextra, 2);
	ck_assert_str_eq(broker_config_extra(&bc, "no.such.key"), "1");
	ck_assert_str_eq(broker_config_extra(&bc,
			 "listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config"), "x y");
	ck_assert_ptr_null(broker_config_extra(&bc, "num.partitions"));
	broker_config_free(&bc);
}
END_TEST

START_TEST(test_config_ssl_and_sasl_stored_as_strings)
{
	struct broker_config bc;
	char err[512];
	ck_assert_int_eq(load_str(BASE "ssl.keystore.location=/k.jks\nssl.keystore.password=s3\n"
				  "ssl.client.auth=required\nsasl.enabled.mechanisms=PLAIN, SCRAM-SHA-256\n",
				  &bc, err, sizeof err), 0);
	ck_assert_str_eq(bc.ssl_keystore_location, "/k.jks");
	ck_assert_str_eq(bc.ssl_keystore_password, "s3");
	ck_assert_str_eq(bc.ssl_client_auth, "required");
	ck_assert_str_eq(bc.sasl_enabled_mechanisms, "PLAIN,SCRAM-SHA-256");
	char buf[64];
	ck_assert_int_eq(broker_config_get(&bc, "ssl.keystore.password", buf, sizeof buf), -1);
	broker_config_free(&bc);
}
END_TEST

/* ---- config: validation messages name key and value ---- */

START_TEST(test_config_missing_required_keys)
{
	struct broker_config bc;
	char err[512];
	ck_assert_int_eq(load_str("broker.id=0\n", &bc, err, sizeof err), -1);
	ck_assert_str_eq(err, "missing required key zookeeper.connect");
	ck_assert_int_eq(load_str("zookeeper.connect=zk:2181\n", &bc, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "missing required key broker.id"));
	ck_assert_int_eq(load_str("zookeeper.connect=zk:2181\nbroker.id=-1\n", &bc, err,
				  sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "invalid value \"-1\" for broker.id"));
	ck_assert_ptr_nonnull(strstr(err, "not supported"));
	ck_assert_int_eq(load_str("broker.id=0\nzookeeper.connect=\n", &bc, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "for zookeeper.connect: must not be empty"));
}
END_TEST

START_TEST(test_config_missing_file)
{
	struct broker_config bc;
	char err[512] = "";
	ck_assert_int_eq(broker_config_load("/nonexistent/server.properties", &bc, err,
					    sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "cannot open"));
}
END_TEST

START_TEST(test_config_bad_values_name_key_and_value)
{
	static const struct {
		const char *line, *msg;
	} cases[] = {
		{ "num.partitions=abc", "line 3: invalid value \"abc\" for num.partitions: not an integer" },
		{ "num.partitions=0", "invalid value \"0\" for num.partitions: must be at least 1" },
		{ "num.partitions=1.5", "invalid value \"1.5\" for num.partitions: not an integer" },
		{ "num.partitions=", "invalid value \"\" for num.partitions: not an integer" },
		{ "num.partitions=4294967296", "for num.partitions: out of range for a 32-bit integer" },
		{ "log.retention.bytes=99999999999999999999", "for log.retention.bytes: out of range" },
		{ "broker.id=-2", "invalid value \"-2\" for broker.id: must be at least -1" },
		{ "default.replication.factor=40000", "for default.replication.factor: must be at most 32767" },
		{ "auto.create.topics.enable=yes", "invalid value \"yes\" for auto.create.topics.enable: not a boolean" },
		{ "compression.type=brotli", "invalid value \"brotli\" for compression.type: must be one of" },
		{ "log.cleanup.policy=delete,shrink", "for log.cleanup.policy: each element must be one of" },
		{ "security.inter.broker.protocol=TLS", "invalid value \"TLS\" for security.inter.broker.protocol" },
		{ "log.segment.bytes=10", "invalid value \"10\" for log.segment.bytes: must be at least 14" },
		{ "log.roll.ms=0", "invalid value \"0\" for log.roll.ms: must be at least 1" },
		{ "log.flush.interval.messages=0", "for log.flush.interval.messages: must be at least 1" },
		{ "zookeeper.session.timeout.ms=x1", "invalid value \"x1\" for zookeeper.session.timeout.ms" },
		{ "socket.request.max.bytes=0", "for socket.request.max.bytes: must be at least 1" },
		{ "replica.fetch.wait.max.ms=40000", "invalid value \"40000\" for replica.fetch.wait.max.ms: must not exceed replica.socket.timeout.ms" },
		{ "log.dirs=/a,/b,/a", "invalid value \"/a,/b,/a\" for log.dirs: a log directory is listed twice" },
		{ "log.dirs=/a,,/b", "invalid value \"/a,,/b\" for log.dirs: empty element" },
		{ "ssl.client.auth=maybe", "invalid value \"maybe\" for ssl.client.auth" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct broker_config bc;
		char err[512], text[256];
		snprintf(text, sizeof text, BASE "%s\n", cases[i].line);
		ck_assert_msg(load_str(text, &bc, err, sizeof err) == -1, "case %zu accepted", i);
		ck_assert_msg(strstr(err, cases[i].msg), "case %zu: got '%s'", i, err);
	}
}
END_TEST

START_TEST(test_config_control_bytes_masked_in_messages)
{
	struct broker_config bc;
	char err[512];
	ck_assert_int_eq(load_str(BASE "num.partitions=1\\n2\n", &bc, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "invalid value \"1?2\" for num.partitions"));
}
END_TEST

/* ---- config: retention and roll precedence ---- */

static int64_t retention_of(const char *lines)
{
	struct broker_config bc;
	char err[512], text[512];
	snprintf(text, sizeof text, BASE "%s", lines);
	ck_assert_msg(load_str(text, &bc, err, sizeof err) == 0, "%s", err);
	int64_t ms = bc.log_retention_ms;
	broker_config_free(&bc);
	return ms;
}

START_TEST(test_config_retention_precedence_ms_minutes_hours)
{
	ck_assert_int_eq(retention_of(""), 168LL * 3600000);
	ck_assert_int_eq(retention_of("log.retention.hours=2\n"), 2LL * 3600000);
	ck_assert_int_eq(retention_of("log.retention.hours=2\nlog.retention.minutes=3\n"), 180000);
	ck_assert_int_eq(retention_of("log.retention.ms=1234\nlog.retention.hours=2\n"
				      "log.retention.minutes=3\n"), 1234);
	ck_assert_int_eq(retention_of("log.retention.minutes=3\nlog.retention.ms=1234\n"), 1234);
	ck_assert_int_eq(retention_of("log.retention.hours=-1\n"), -1);
	ck_assert_int_eq(retention_of("log.retention.minutes=-1\n"), -1);
	ck_assert_int_eq(retention_of("log.retention.ms=-1\nlog.retention.hours=5\n"), -1);
	ck_assert_int_eq(retention_of("log.retention.hours=1000000\n"), 1000000LL * 3600000);
}
END_TEST

START_TEST(test_config_retention_zero_is_refused_naming_the_winning_key)
{
	struct broker_config bc;
	char err[512];
	ck_assert_int_eq(load_str(BASE "log.retention.ms=0\nlog.retention.hours=0\n", &bc, err,
				  sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "invalid value \"0\" for log.retention.ms"));
	ck_assert_int_eq(load_str(BASE "log.retention.hours=0\n", &bc, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "invalid value \"0\" for log.retention.hours"));
}
END_TEST

START_TEST(test_config_roll_ms_beats_roll_hours)
{
	struct broker_config bc;
	char err[512];
	ck_assert_int_eq(load_str(BASE "log.roll.hours=1\n", &bc, err, sizeof err), 0);
	ck_assert_int_eq(bc.log_roll_ms, 3600000);
	broker_config_free(&bc);
	ck_assert_int_eq(load_str(BASE "log.roll.hours=1\nlog.roll.ms=500\n", &bc, err,
				  sizeof err), 0);
	ck_assert_int_eq(bc.log_roll_ms, 500);
	broker_config_free(&bc);
}
END_TEST

/* ---- config: listeners ---- */

START_TEST(test_config_listeners_parse_names_hosts_ports)
{
	struct broker_config bc;
	char err[512];
	ck_assert_msg(load_str(BASE "listeners=plaintext://127.0.0.1:9092, SSL://broker-1.example:9093,"
			       "SASL_PLAINTEXT://[::1]:9094\n"
			       "advertised.listeners=PLAINTEXT://10.0.0.5:19092,SSL://b1.example:19093\n",
			       &bc, err, sizeof err) == 0, "%s", err);
	ck_assert_int_eq(bc.nlisteners, 3);
	ck_assert_str_eq(bc.listeners[0].name, "PLAINTEXT");
	ck_assert_str_eq(bc.listeners[0].host, "127.0.0.1");
	ck_assert_int_eq(bc.listeners[0].port, 9092);
	ck_assert_str_eq(bc.listeners[1].name, "SSL");
	ck_assert_str_eq(bc.listeners[1].host, "broker-1.example");
	ck_assert_int_eq(bc.listeners[1].port, 9093);
	ck_assert_str_eq(bc.listeners[2].host, "::1");
	ck_assert_int_eq(bc.listeners[2].port, 9094);
	ck_assert_int_eq(bc.nadvertised, 2);
	ck_assert_str_eq(bc.advertised[0].host, "10.0.0.5");
	ck_assert_int_eq(bc.advertised[1].port, 19093);
	ck_assert_str_eq(bc.advertised_str, "PLAINTEXT://10.0.0.5:19092,SSL://b1.example:19093");
	ck_assert_str_eq(broker_config_protocol(&bc, "SSL"), "SSL");
	broker_config_free(&bc);
}
END_TEST

START_TEST(test_config_custom_protocol_map_and_inter_broker_listener)
{
	struct broker_config bc;
	char err[512];
	ck_assert_msg(load_str(BASE "listeners=INTERNAL://127.0.0.1:9092,EXTERNAL://127.0.0.1:9093\n"
			       "listener.security.protocol.map=INTERNAL:PLAINTEXT,EXTERNAL:SASL_SSL\n"
			       "inter.broker.listener.name=internal\n", &bc, err, sizeof err) == 0,
		      "%s", err);
	ck_assert_str_eq(bc.inter_broker_listener_name, "INTERNAL");
	ck_assert_str_eq(broker_config_protocol(&bc, "EXTERNAL"), "SASL_SSL");
	ck_assert_ptr_null(broker_config_protocol(&bc, "PLAINTEXT"));
	ck_assert_str_eq(bc.advertised_str, "INTERNAL://127.0.0.1:9092,EXTERNAL://127.0.0.1:9093");
	struct coord_config cc;
	broker_config_coord(&bc, &cc);
	ck_assert_str_eq(cc.inter_broker_listener_name, "INTERNAL");
	ck_assert_str_eq(cc.listener_security_protocol_map, "INTERNAL:PLAINTEXT,EXTERNAL:SASL_SSL");
	broker_config_free(&bc);
}
END_TEST

START_TEST(test_config_listener_errors)
{
	static const struct {
		const char *lines, *msg;
	} cases[] = {
		{ "listeners=PLAINTEXT://127.0.0.1:0", "for listeners: port must be a number from 1 to 65535" },
		{ "listeners=PLAINTEXT://127.0.0.1:65536", "invalid value \"PLAINTEXT://127.0.0.1:65536\" for listeners: port" },
		{ "listeners=PLAINTEXT://127.0.0.1:abc", "for listeners: port" },
		{ "listeners=PLAINTEXT://127.0.0.1", "for listeners: expected NAME://host:port" },
		{ "listeners=127.0.0.1:9092", "invalid value \"127.0.0.1:9092\" for listeners: expected NAME://host:port" },
		{ "listeners=PLAINTEXT://h o:1", "for listeners: expected NAME://host:port with a valid host" },
		{ "listeners=", "invalid value \"\" for listeners: no listeners" },
		{ "listeners=PLAINTEXT://:1,PLAINTEXT://:2", "listener name PLAINTEXT appears twice" },
		{ "listeners=FOO://:9092", "for listeners: listener FOO has no entry in listener.security.protocol.map" },
		{ "listeners=A://:1,B://:2,C://:3,D://:4,E://:5,F://:6,G://:7,H://:8,I://:9",
		  "for listeners: more than 8 listeners" },
		{ "listener.security.protocol.map=PLAINTEXT:TLS", "invalid value \"PLAINTEXT:TLS\" for listener.security.protocol.map" },
		{ "listener.security.protocol.map=PLAINTEXT", "for listener.security.protocol.map: expected NAME:PROTOCOL" },
		{ "advertised.listeners=SSL://h:9093", "for advertised.listeners: listener SSL is not in listeners" },
		{ "advertised.listeners=PLAINTEXT://0.0.0.0:9092", "for advertised.listeners: cannot advertise the non-routable address" },
		{ "listeners=PLAINTEXT://0.0.0.0:9092", "for advertised.listeners (from listeners): cannot advertise" },
		{ "inter.broker.listener.name=SSL", "invalid value \"SSL\" for inter.broker.listener.name" },
		{ "inter.broker.listener.name=PLAINTEXT\nsecurity.inter.broker.protocol=PLAINTEXT",
		  "only one of inter.broker.listener.name and security.inter.broker.protocol" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct broker_config bc;
		char err[512], text[512];
		snprintf(text, sizeof text, BASE "%s\n", cases[i].lines);
		ck_assert_msg(load_str(text, &bc, err, sizeof err) == -1, "case %zu accepted", i);
		ck_assert_msg(strstr(err, cases[i].msg), "case %zu: got '%s'", i, err);
	}
}
END_TEST

START_TEST(test_config_advertised_empty_host_resolved)
{
	struct broker_config bc;
	char err[512];
	ck_assert_int_eq(load_str(BASE "listeners=PLAINTEXT://127.0.0.1:9092\n"
				  "advertised.listeners=PLAINTEXT://:29092\n", &bc, err, sizeof err), 0);
	ck_assert_str_ne(bc.advertised[0].host, "");
	ck_assert_str_ne(bc.advertised[0].host, "0.0.0.0");
	ck_assert_int_eq(bc.advertised[0].port, 29092);
	broker_config_free(&bc);
}
END_TEST

/* ---- config: set, get, hand-off ---- */

START_TEST(test_config_set_and_validate_without_a_file)
{
	struct broker_config bc;
	char err[512];
	broker_config_defaults(&bc);
	ck_assert_int_eq(broker_config_validate(&bc, err, sizeof err), -1);
	ck_assert_str_eq(err, "missing required key zookeeper.connect");
	ck_assert_int_eq(broker_config_set(&bc, "zookeeper.connect", "zk:1", err, sizeof err), 0);
	ck_assert_int_eq(broker_config_set(&bc, "broker.id", "4", err, sizeof err), 0);
	ck_assert_int_eq(broker_config_set(&bc, "listeners", "PLAINTEXT://127.0.0.1:7000", err,
					   sizeof err), 0);
	ck_assert_int_eq(broker_config_set(&bc, "num.partitions", "-3", err, sizeof err), -1);
	ck_assert_str_eq(err, "invalid value \"-3\" for num.partitions: must be at least 1");
	ck_assert_int_eq(bc.num_partitions, 1); /* unchanged after a refused value */
	ck_assert_int_eq(broker_config_set(&bc, "bogus.key", "1", err, sizeof err), -2);
	ck_assert_str_eq(err, "unknown key bogus.key");
	ck_assert_msg(broker_config_validate(&bc, err, sizeof err) == 0, "%s", err);
	ck_assert_int_eq(bc.listeners[0].port, 7000);
	ck_assert_str_eq(bc.advertised_str, "PLAINTEXT://127.0.0.1:7000");
	/* validate is repeatable after further overrides */
	ck_assert_int_eq(broker_config_set(&bc, "log.retention.minutes", "1", err, sizeof err), 0);
	ck_assert_int_eq(broker_config_validate(&bc, err, sizeof err), 0);
	ck_assert_int_eq(bc.log_retention_ms, 60000);
	ck_assert_str_eq(bc.inter_broker_listener_name, "PLAINTEXT");
	broker_config_free(&bc);
	broker_config_free(&bc); /* idempotent */
}
END_TEST

START_TEST(test_config_get_reports_value_and_whether_set)
{
	struct broker_config bc;
	char err[512], buf[128];
	ck_assert_int_eq(load_str(BASE "num.partitions=6\nlog.retention.hours=1\n"
				  "listeners=PLAINTEXT://127.0.0.1:9000\n", &bc, err, sizeof err), 0);
	ck_assert_int_eq(broker_config_get(&bc, "num.partitions", buf, sizeof buf), 1);
	ck_assert_str_eq(buf, "6");
	ck_assert_int_eq(broker_config_get(&bc, "message.max.bytes", buf, sizeof buf), 0);
	ck_assert_str_eq(buf, "1048588");
	ck_assert_int_eq(broker_config_get(&bc, "log.retention.ms", buf, sizeof buf), 1);
	ck_assert_str_eq(buf, "3600000");
	ck_assert_int_eq(broker_config_get(&bc, "log.roll.ms", buf, sizeof buf), 0);
	ck_assert_str_eq(buf, "604800000");
	ck_assert_int_eq(broker_config_get(&bc, "unclean.leader.election.enable", buf, sizeof buf), 0);
	ck_assert_str_eq(buf, "false");
	ck_assert_int_eq(broker_config_get(&bc, "log.dirs", buf, sizeof buf), 0);
	ck_assert_str_eq(buf, "/tmp/kafka-logs");
	ck_assert_int_eq(broker_config_get(&bc, "advertised.listeners", buf, sizeof buf), 0);
	ck_assert_str_eq(buf, "PLAINTEXT://127.0.0.1:9000");
	ck_assert_int_eq(broker_config_get(&bc, "log.cleanup.policy", buf, sizeof buf), 0);
	ck_assert_str_eq(buf, "delete");
	ck_assert_int_eq(broker_config_get(&bc, "broker.rack", buf, sizeof buf), 0);
	ck_assert_str_eq(buf, "");
	ck_assert_int_eq(broker_config_get(&bc, "no.such.key", buf, sizeof buf), -1);
	broker_config_free(&bc);
}
END_TEST

START_TEST(test_config_log_config_from_broker_config)
{
	struct broker_config bc;
	char err[512];
	ck_assert_int_eq(load_str(BASE "log.segment.bytes=1048576\nlog.retention.minutes=10\n"
				  "log.retention.bytes=5000000\nlog.roll.ms=60000\n"
				  "log.flush.interval.messages=100\nlog.flush.interval.ms=2000\n"
				  "log.index.interval.bytes=1024\nlog.index.size.max.bytes=4096\n",
				  &bc, err, sizeof err), 0);
	struct log_config lc;
	broker_config_log(&bc, &lc);
	ck_assert_int_eq(lc.segment_bytes, 1048576);
	ck_assert_int_eq(lc.retention_ms, 600000);
	ck_assert_int_eq(lc.retention_bytes, 5000000);
	ck_assert_int_eq(lc.roll_ms, 60000);
	ck_assert_int_eq(lc.flush_interval_messages, 100);
	ck_assert_int_eq(lc.flush_interval_ms, 2000);
	ck_assert_int_eq(lc.index_interval_bytes, 1024);
	ck_assert_int_eq(lc.segment_index_bytes, 4096);
	broker_config_free(&bc);

	ck_assert_int_eq(load_str(BASE, &bc, err, sizeof err), 0);
	broker_config_log(&bc, &lc);
	struct log_config def;
	log_config_defaults(&def);
	ck_assert_int_eq(lc.segment_bytes, def.segment_bytes);
	ck_assert_int_eq(lc.roll_ms, def.roll_ms);
	ck_assert_int_eq(lc.retention_ms, def.retention_ms);
	ck_assert_int_eq(lc.retention_bytes, def.retention_bytes);
	ck_assert_int_eq(lc.flush_interval_messages, def.flush_interval_messages);
	ck_assert_int_eq(lc.flush_interval_ms, def.flush_interval_ms);
	ck_assert_int_eq(lc.index_interval_bytes, def.index_interval_bytes);
	ck_assert_int_eq(lc.segment_index_bytes, def.segment_index_bytes);
	broker_config_free(&bc);
}
END_TEST

START_TEST(test_config_coord_config_from_broker_config)
{
	struct broker_config bc;
	char err[512];
	ck_assert_int_eq(load_str("broker.id=3\nzookeeper.connect=127.0.0.1:2181/g\n"
				  "zookeeper.session.timeout.ms=6000\nbroker.rack=r1\n"
				  "listeners=PLAINTEXT://127.0.0.1:9095\nnum.partitions=4\n"
				  "default.replication.factor=2\nunclean.leader.election.enable=true\n"
				  "delete.topic.enable=false\n", &bc, err, sizeof err), 0);
	struct coord_config cc;
	broker_config_coord(&bc, &cc);
	ck_assert_int_eq(cc.broker_id, 3);
	ck_assert_str_eq(cc.zk_connect, "127.0.0.1:2181/g");
	ck_assert_int_eq(cc.zk_session_timeout_ms, 6000);
	ck_assert_str_eq(cc.advertised_listeners, "PLAINTEXT://127.0.0.1:9095");
	ck_assert_str_eq(cc.inter_broker_listener_name, "PLAINTEXT");
	ck_assert_str_eq(cc.rack, "r1");
	ck_assert_int_eq(cc.num_partitions, 4);
	ck_assert_int_eq(cc.default_replication_factor, 2);
	ck_assert_int_eq(cc.unclean_leader_election, 1);
	ck_assert_int_eq(cc.delete_topic_enable, 0);
	broker_config_free(&bc);
}
END_TEST

START_TEST(test_config_connection_limits)
{
	struct broker_config bc;
	char err[512];
	ck_assert_int_eq(load_str(BASE, &bc, err, sizeof err), 0);
	ck_assert_int_eq(bc.max_connections, INT32_MAX);
	ck_assert_int_eq(bc.max_connections_per_ip, INT32_MAX);
	ck_assert_int_eq(bc.queued_max_request_bytes, -1);
	ck_assert_int_eq(bc.queued_max_requests_per_connection, 100);
	broker_config_free(&bc);
	ck_assert_int_eq(load_str(BASE "max.connections.per.ip.overrides=127.0.0.1:5, host-a:0\n"
				  "max.connections=10\nqueued.max.request.bytes=1000000\n",
				  &bc, err, sizeof err), 0);
	ck_assert_int_eq(bc.max_connections, 10);
	ck_assert_int_eq(bc.queued_max_request_bytes, 1000000);
	broker_config_free(&bc);
	static const char *const bad[] = { "127.0.0.1", "127.0.0.1:", ":5", "127.0.0.1:-1",
					   "a:1,b:x", "a:99999999999" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char text[256];
		snprintf(text, sizeof text, BASE "max.connections.per.ip.overrides=%s\n", bad[i]);
		ck_assert_int_eq(load_str(text, &bc, err, sizeof err), -1);
		ck_assert_ptr_nonnull(strstr(err, "max.connections.per.ip.overrides"));
	}
	ck_assert_int_eq(load_str(BASE "queued.max.requests.per.connection=0\n", &bc, err,
				  sizeof err), -1);
}
END_TEST


static Suite *config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *p = tcase_create("properties");
	tcase_add_test(p, test_props_separators_and_blank_values);
	tcase_add_test(p, test_props_comments_blank_lines_and_line_numbers);
	tcase_add_test(p, test_props_whitespace_key_trimmed_value_trailing_kept);
	tcase_add_test(p, test_props_continuation_joins_and_drops_leading_blanks);
	tcase_add_test(p, test_props_even_backslashes_do_not_continue);
	tcase_add_test(p, test_props_comment_line_never_continues);
	tcase_add_test(p, test_props_continued_line_starting_with_hash_is_value);
	tcase_add_test(p, test_props_continuation_at_end_of_text);
	tcase_add_test(p, test_props_escapes);
	tcase_add_test(p, test_props_crlf_and_cr_line_endings);
	tcase_add_test(p, test_props_errors_carry_line_numbers);
	tcase_add_test(p, test_props_nul_byte_rejected);
	tcase_add_test(p, test_props_get_returns_last_occurrence);
	tcase_add_test(p, test_props_load_file_missing_and_too_large);
	tcase_add_test(p, test_props_random_text_never_misbehaves);
	suite_add_tcase(s, p);

	TCase *c = tcase_create("broker_config");
	tcase_add_test(c, test_config_minimal_file_gets_kafka_defaults);
	tcase_add_test(c, test_config_default_listener_binds_all_and_advertises_a_host);
	tcase_add_test(c, test_config_cluster_sh_style_file_loads);
	tcase_add_test(c, test_config_values_are_trimmed_and_bools_case_insensitive);
	tcase_add_test(c, test_config_later_line_wins);
	tcase_add_test(c, test_config_unknown_keys_warned_and_kept);
	tcase_add_test(c, test_config_ssl_and_sasl_stored_as_strings);
	tcase_add_test(c, test_config_missing_required_keys);
	tcase_add_test(c, test_config_missing_file);
	tcase_add_test(c, test_config_bad_values_name_key_and_value);
	tcase_add_test(c, test_config_control_bytes_masked_in_messages);
	tcase_add_test(c, test_config_retention_precedence_ms_minutes_hours);
	tcase_add_test(c, test_config_retention_zero_is_refused_naming_the_winning_key);
	tcase_add_test(c, test_config_roll_ms_beats_roll_hours);
	tcase_add_test(c, test_config_listeners_parse_names_hosts_ports);
	tcase_add_test(c, test_config_custom_protocol_map_and_inter_broker_listener);
	tcase_add_test(c, test_config_listener_errors);
	tcase_add_test(c, test_config_advertised_empty_host_resolved);
	tcase_add_test(c, test_config_set_and_validate_without_a_file);
	tcase_add_test(c, test_config_get_reports_value_and_whether_set);
	tcase_add_test(c, test_config_log_config_from_broker_config);
	tcase_add_test(c, test_config_coord_config_from_broker_config);
	tcase_add_test(c, test_config_connection_limits);
	suite_add_tcase(s, c);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(config_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
