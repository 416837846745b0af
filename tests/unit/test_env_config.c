/* Unit tests for broker/env_config: Kafka images' KAFKA_<KEY> convention,
 * *_FILE secrets, and error messages that name the variable. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "broker/env_config.h"

#define ZK "KAFKA_ZOOKEEPER_CONNECT=zk-1:2181,zk-2:2181/gregor"
#define ID "KAFKA_BROKER_ID=7"

static void key_is(const char *var, const char *want)
{
	char key[128], why[160];
	ck_assert_int_eq(env_config_key(var, key, sizeof key, why, sizeof why), 0);
	ck_assert_str_eq(key, want);
	char back[160];
	ck_assert_int_eq(env_config_var(key, back, sizeof back), 0);
	ck_assert_str_eq(back, var); /* and back again */
}

START_TEST(test_env_key_follows_the_kafka_image_convention)
{
	key_is("KAFKA_BROKER_ID", "broker.id");
	key_is("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "offsets.topic.replication.factor");
	key_is("KAFKA_LISTENER_NAME_SASL__SSL_PLAIN_SASL_JAAS_CONFIG",
	       "listener.name.sasl_ssl.plain.sasl.jaas.config");
	key_is("KAFKA_SOME___DASHED_KEY", "some-dashed.key");
	char key[64], why[160];
	ck_assert_int_eq(env_config_key("KAFKA_A____B", key, sizeof key, why, sizeof why), -1);
	ck_assert_ptr_nonnull(strstr(why, "4 underscores"));
	ck_assert_int_eq(env_config_key("KAFKA_", key, sizeof key, why, sizeof why), -1);
	ck_assert_int_eq(env_config_key("KAFKA_A_VERY_LONG_NAME", key, 8, why, sizeof why), -1);
	ck_assert_int_eq(env_config_var("bad key", key, sizeof key), -1);
}
END_TEST

START_TEST(test_env_load_takes_kafka_variables_only)
{
	char *env[] = { ID, ZK, "KAFKA_LISTENERS=INTERNAL://:9092,EXTERNAL://:19092",
			"KAFKA_ADVERTISED_LISTENERS=INTERNAL://broker-1:9092,EXTERNAL://127.0.0.1:19092",
			"KAFKA_LISTENER_SECURITY_PROTOCOL_MAP=INTERNAL:PLAINTEXT,EXTERNAL:PLAINTEXT",
			"KAFKA_INTER_BROKER_LISTENER_NAME=INTERNAL", "KAFKA_NUM_PARTITIONS=6",
			"KAFKA_HEAP_OPTS=-Xmx1G", "KAFKA_JMX_PORT=9999", "NUM_PARTITIONS=9",
			"PATH=/usr/bin", "KAFKA_LOG_DIRS=/tmp/x", NULL };
	struct broker_config bc;
	char err[512] = "";
	ck_assert_msg(env_config_load(env, &bc, err, sizeof err) == 0, "%s", err);
	ck_assert_int_eq(bc.broker_id, 7);
	ck_assert_str_eq(bc.zk_connect, "zk-1:2181,zk-2:2181/gregor");
	ck_assert_int_eq(bc.num_partitions, 6);
	ck_assert_int_eq(bc.nlisteners, 2);
	ck_assert_str_eq(bc.inter_broker_listener_name, "INTERNAL");
	ck_assert_str_eq(bc.advertised_str,
			 "INTERNAL://broker-1:9092,EXTERNAL://127.0.0.1:19092");
	ck_assert_str_eq(bc.log_dirs, "/tmp/x");
	broker_config_free(&bc);
}
END_TEST

START_TEST(test_env_unknown_key_is_kept_not_fatal)
{
	char *env[] = { ID, ZK, "KAFKA_LISTENER_NAME_EXTERNAL_SOME_SETTING=1",
			"KAFKA_NO_SUCH_KEY=1", NULL };
	struct broker_config bc;
	char err[512] = "";
	ck_assert_msg(env_config_load(env, &bc, err, sizeof err) == 0, "%s", err);
	ck_assert_str_eq(broker_config_extra(&bc, "listener.name.external.some.setting"), "1");
	ck_assert_str_eq(broker_config_extra(&bc, "no.such.key"), "1");
	broker_config_free(&bc);
}
END_TEST

static void load_fails(char **env, const char *prefix, const char *also)
{
	struct broker_config bc;
	char err[512] = "";
	ck_assert_int_eq(env_config_load(env, &bc, err, sizeof err), -1);
	ck_assert_msg(strncmp(err, prefix, strlen(prefix)) == 0, "got: %s", err);
	if (also)
		ck_assert_msg(strstr(err, also) != NULL, "got: %s", err);
}

START_TEST(test_env_bad_value_names_the_variable)
{
	char *bad_number[] = { ID, ZK, "KAFKA_NUM_PARTITIONS=six", NULL };
	load_fails(bad_number, "KAFKA_NUM_PARTITIONS: invalid value \"six\" for num.partitions",
		   "not an integer");
	char *bad_listener[] = { ID, ZK, "KAFKA_LISTENERS=PLAINTEXT://:9092",
				 "KAFKA_ADVERTISED_LISTENERS=EXTERNAL://h:1", NULL };
	load_fails(bad_listener, "KAFKA_ADVERTISED_LISTENERS: ", "not in listeners");
	char *no_zk[] = { ID, NULL };
	load_fails(no_zk, "missing required key zookeeper.connect", "(set KAFKA_ZOOKEEPER_CONNECT)");
	char *runs[] = { ID, ZK, "KAFKA_LOG____DIRS=/x", NULL };
	load_fails(runs, "KAFKA_LOG____DIRS: 4 underscores", NULL);
}
END_TEST

START_TEST(test_env_file_variable_reads_the_value)
{
	char path[] = "/tmp/gregor_test_env_XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "zk-9:2181\n", 10), 10);
	close(fd);
	char var[128];
	snprintf(var, sizeof var, "KAFKA_ZOOKEEPER_CONNECT_FILE=%s", path);
	char *env[] = { ID, var, NULL };
	struct broker_config bc;
	char err[512] = "";
	ck_assert_msg(env_config_load(env, &bc, err, sizeof err) == 0, "%s", err);
	ck_assert_str_eq(bc.zk_connect, "zk-9:2181"); /* the trailing newline dropped */
	broker_config_free(&bc);

	char *both[] = { ID, ZK, var, NULL };
	load_fails(both, "KAFKA_ZOOKEEPER_CONNECT_FILE and KAFKA_ZOOKEEPER_CONNECT are both set",
		   NULL);
	unlink(path);
	char *missing[] = { ID, var, NULL };
	load_fails(missing, "KAFKA_ZOOKEEPER_CONNECT_FILE: cannot read /tmp/gregor_test_env_",
		   "No such file");
}
END_TEST

static Suite *env_config_suite(void)
{
	Suite *s = suite_create("env_config");
	TCase *c = tcase_create("core");
	tcase_add_test(c, test_env_key_follows_the_kafka_image_convention);
	tcase_add_test(c, test_env_load_takes_kafka_variables_only);
	tcase_add_test(c, test_env_unknown_key_is_kept_not_fatal);
	tcase_add_test(c, test_env_bad_value_names_the_variable);
	tcase_add_test(c, test_env_file_variable_reads_the_value);
	suite_add_tcase(s, c);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(env_config_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
