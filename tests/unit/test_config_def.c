/* Unit tests for broker/config_def (the config tables): every row is
 * consistent (its default passes its own check, synonyms name rows, no key
 * twice), the validators' verdicts and messages, dynamic modes, synonym
 * names and Kafka's synonym walk over the precedence levels, and the
 * broker config's reading of the levels (broker/config.c). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker/config.h"
#include "broker/config_def.h"
#include "broker/quota/quota_entity.h"

/* ---- the tables ---- */

static void check_rows(enum config_entity e)
{
	int n;
	const struct config_def *t = config_defs(e, &n);
	ck_assert_ptr_nonnull(t);
	ck_assert_int_ge(n, 4);
	for (int i = 0; i < n; i++) {
		char why[300];
		ck_assert_msg(t[i].doc && strlen(t[i].doc) > 5, "%s: no documentation", t[i].name);
		ck_assert_msg(!strchr(t[i].doc, '|'), "%s: '|' breaks the Markdown table", t[i].name);
		ck_assert_msg(!t[i].def || config_def_check(&t[i], t[i].def, why, sizeof why) == 0,
			      "%s: default %s refused: %s", t[i].name, t[i].def, why);
		ck_assert_msg(config_def_find(e, t[i].name) == &t[i], "%s twice", t[i].name);
		for (int k = 0; t[i].synonyms && t[i].synonyms[k]; k++)
			ck_assert_msg(config_def_find(CONFIG_ENTITY_BROKER, t[i].synonyms[k]),
				      "%s: synonym %s is no broker key", t[i].name, t[i].synonyms[k]);
		if (t[i].flags & CONFIG_F_SENSITIVE)
			ck_assert_msg(t[i].type == CONFIG_TYPE_PASSWORD, "%s: secret not PASSWORD",
				      t[i].name);
		if (t[i].flags & CONFIG_F_LIVE)
			ck_assert_msg(t[i].field && t[i].mode != CONFIG_STATIC, "%s: live without a "
				      "field or static", t[i].name);
	}
}

START_TEST(test_tables_consistent)
{
	check_rows(CONFIG_ENTITY_BROKER);
	check_rows(CONFIG_ENTITY_TOPIC);
	check_rows(CONFIG_ENTITY_USER);
	check_rows(CONFIG_ENTITY_CLIENT);
	int n;
	ck_assert_ptr_null(config_def_find(CONFIG_ENTITY_TOPIC, "log.retention.ms"));
	ck_assert_ptr_null(config_def_find(CONFIG_ENTITY_BROKER, "no.such.key"));
	ck_assert_int_le(config_defs(CONFIG_ENTITY_BROKER, &n) ? n : 0, CONFIG_MAX_KEYS);
}
END_TEST

/* broker/quota enforces three keys and stores a fourth: each is in the user
 * and the client table with Kafka's type, and the quota module finds it. */
START_TEST(test_quota_keys_agree_with_the_quota_module)
{
	static const struct { const char *name; enum config_type type; } keys[] = {
		{ "producer_byte_rate", CONFIG_TYPE_LONG },
		{ "consumer_byte_rate", CONFIG_TYPE_LONG },
		{ "request_percentage", CONFIG_TYPE_DOUBLE },
		{ "controller_mutation_rate", CONFIG_TYPE_DOUBLE },
	};
	int nu, nc;
	const struct config_def *u = config_defs(CONFIG_ENTITY_USER, &nu);
	const struct config_def *c = config_defs(CONFIG_ENTITY_CLIENT, &nc);
	ck_assert_int_eq(nu, 4);
	ck_assert_int_eq(nc, 4);
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		for (int e = 0; e < 2; e++) {
			const struct config_def *d = config_def_find(e ? CONFIG_ENTITY_CLIENT
								      : CONFIG_ENTITY_USER, keys[i].name);
			ck_assert_msg(d != NULL, "%s missing", keys[i].name);
			ck_assert_int_eq(d->type, keys[i].type);
			ck_assert_int_eq(d->mode, CONFIG_PER_ENTITY);
		}
		ck_assert_ptr_nonnull(quota_key_def_find(keys[i].name));
	}
	ck_assert_ptr_null(quota_key_def_find("SCRAM-SHA-256"));
	ck_assert_str_eq(u[0].name, c[0].name);
	char why[200];
	ck_assert_int_eq(config_def_check(config_def_find(CONFIG_ENTITY_USER, "request_percentage"),
					  "12.5", why, sizeof why), 0);
	ck_assert_int_eq(config_def_check(config_def_find(CONFIG_ENTITY_USER, "producer_byte_rate"),
					  "1.5", why, sizeof why), -1);
}
END_TEST

/* ---- validators ---- */

static int check(enum config_entity e, const char *key, const char *value, char *why)
{
	const struct config_def *d = config_def_find(e, key);
	ck_assert_msg(d != NULL, "no row %s", key);
	return config_def_check(d, value, why, 300);
}

START_TEST(test_numbers_types_and_bounds)
{
	char why[300];
	ck_assert_int_eq(check(CONFIG_ENTITY_TOPIC, "retention.ms", " 1000 ", why), 0);
	ck_assert_int_eq(check(CONFIG_ENTITY_TOPIC, "retention.ms", "-1", why), 0);
	ck_assert_int_eq(check(CONFIG_ENTITY_TOPIC, "retention.ms", "-2", why), -2);
	ck_assert_str_eq(why, "must be at least -1");
	ck_assert_int_eq(check(CONFIG_ENTITY_TOPIC, "retention.ms", "1e3", why), -1);
	ck_assert_str_eq(why, "not an integer");
	ck_assert_int_eq(check(CONFIG_ENTITY_TOPIC, "retention.ms", "", why), -1);
	ck_assert_int_eq(check(CONFIG_ENTITY_TOPIC, "segment.bytes", "13", why), -2);
	ck_assert_int_eq(check(CONFIG_ENTITY_TOPIC, "segment.bytes", "2147483648", why), -1);
	ck_assert_str_eq(why, "out of range for a 32-bit integer");
	ck_assert_int_eq(check(CONFIG_ENTITY_TOPIC, "retention.bytes",
			       "99999999999999999999", why), -1);
	ck_assert_int_eq(check(CONFIG_ENTITY_BROKER, "sasl.login.refresh.buffer.seconds",
			       "40000", why), -1); /* a SHORT */
	ck_assert_int_eq(check(CONFIG_ENTITY_BROKER, "sasl.login.refresh.buffer.seconds",
			       "3601", why), -2);
	ck_assert_int_eq(check(CONFIG_ENTITY_BROKER, "leader.imbalance.per.broker.percentage",
			       "101", why), -2);
	ck_assert_str_eq(why, "must be at most 100");
}
END_TEST

START_TEST(test_booleans_doubles_choices_lists)
{
	char why[300];
	ck_assert_int_eq(check(CONFIG_ENTITY_TOPIC, "preallocate", "TRUE", why), 0);
	ck_assert_int_eq(check(CONFIG_ENTITY_TOPIC, "preallocate", "yes", why), -1);
	ck_assert_int_eq(check(CONFIG_ENTITY_TOPIC, "min.cleanable.dirty.ratio", "0.25", why), 0);
	ck_assert_int_eq(check(CONFIG_ENTITY_TOPIC, "min.cleanable.dirty.ratio", "1.5", why), -2);
	ck_assert_int_eq(check(CONFIG_ENTITY_TOPIC, "min.cleanable.dirty.ratio", "half", why), -1);
	ck_assert_int_eq(check(CONFIG_ENTITY_TOPIC, "min.cleanable.dirty.ratio", "nan", why), -1);
	ck_assert_int_eq(check(CONFIG_ENTITY_TOPIC, "compression.type", "zstd", why), 0);
	ck_assert_int_eq(check(CONFIG_ENTITY_TOPIC, "compression.type", "brotli", why), -2);
	ck_assert_ptr_nonnull(strstr(why, "must be one of: uncompressed"));
	ck_assert_int_eq(check(CONFIG_ENTITY_TOPIC, "cleanup.policy", "compact, delete", why), 0);
	ck_assert_int_eq(check(CONFIG_ENTITY_TOPIC, "cleanup.policy", "compact,,delete", why), -2);
	ck_assert_str_eq(why, "empty element in list");
	ck_assert_int_eq(check(CONFIG_ENTITY_TOPIC, "cleanup.policy", "shrink", why), -2);
	ck_assert_int_eq(check(CONFIG_ENTITY_TOPIC, "cleanup.policy", "", why), 0);
	ck_assert_int_eq(check(CONFIG_ENTITY_BROKER, "authorizer.class.name", "", why), 0);
	ck_assert_int_eq(check(CONFIG_ENTITY_BROKER, "authorizer.class.name", "x.Y", why), -2);
}
END_TEST

START_TEST(test_kafka_messages)
{
	char err[400];
	const struct config_def *d = config_def_find(CONFIG_ENTITY_BROKER,
						     "sasl.kerberos.min.time.before.relogin");
	ck_assert_int_eq(config_def_check_kafka(d, d->name, "soon", err, sizeof err), -1);
	ck_assert_str_eq(err, "Invalid value soon for configuration "
			 "sasl.kerberos.min.time.before.relogin: Not a number of type LONG");
	d = config_def_find(CONFIG_ENTITY_BROKER, "log.preallocate");
	ck_assert_int_eq(config_def_check_kafka(d, d->name, "maybe", err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "Expected value to be either true or false"));
	d = config_def_find(CONFIG_ENTITY_TOPIC, "segment.bytes");
	ck_assert_int_eq(config_def_check_kafka(d, d->name, "1\n0", err, sizeof err), -1);
	ck_assert_str_eq(err, "Invalid value 1?0 for configuration segment.bytes: "
			 "Not a number of type INT");
	ck_assert_int_eq(config_def_check_kafka(d, d->name, "100000", err, sizeof err), 0);
	ck_assert_int_eq(config_def_check_kafka(d, d->name, "10", err, sizeof err), -1);
	ck_assert_str_eq(err, "Invalid value 10 for configuration segment.bytes: "
			 "Value must be at least 14");
	d = config_def_find(CONFIG_ENTITY_TOPIC, "cleanup.policy");
	ck_assert_int_eq(config_def_check_kafka(d, d->name, "shrink", err, sizeof err), -1);
	ck_assert_str_eq(err, "Invalid value shrink for configuration cleanup.policy: "
			 "String must be one of: delete, compact");
}
END_TEST

/* ---- dynamic modes (broker/config.c reads them) ---- */

START_TEST(test_dynamic_modes)
{
	char err[400];
	ck_assert(broker_config_is_dynamic("message.max.bytes"));
	ck_assert(!broker_config_is_dynamic("broker.id"));
	ck_assert(broker_config_is_dynamic("listener.name.internal.ssl.keystore.location"));
	ck_assert(broker_config_is_password("listener.name.internal.ssl.key.password"));
	ck_assert(!broker_config_is_password("ssl.keystore.location"));
	ck_assert(broker_config_is_list("listener.name.x.ssl.enabled.protocols"));
	const char *k[] = { "log.dirs", "broker.id" }, *v[] = { "/x", "7" };
	ck_assert_int_eq(broker_config_dynamic_check(k, v, 2, 1, err, sizeof err), -1);
	ck_assert_str_eq(err, "Cannot update these configs dynamically: Set(log.dirs, broker.id)");
	const char *k2[] = { "ssl.keystore.location" }, *v2[] = { "/k" };
	ck_assert_int_eq(broker_config_dynamic_check(k2, v2, 1, 1, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "only per-listener using the listener prefix"));
	const char *k3[] = { "listeners" }, *v3[] = { "PLAINTEXT://:9" };
	ck_assert_int_eq(broker_config_dynamic_check(k3, v3, 1, 1, err, sizeof err), 0);
	ck_assert_int_eq(broker_config_dynamic_check(k3, v3, 1, 0, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "broker id must be specified: Set(listeners)"));
	const char *k4[] = { "custom.key", "log.retention.ms" }, *v4[] = { "anything", "-1" };
	ck_assert_int_eq(broker_config_dynamic_check(k4, v4, 2, 0, err, sizeof err), 0);
}
END_TEST

/* ---- synonyms ---- */

START_TEST(test_synonym_names)
{
	const char *out[8];
	int n = config_def_synonym_names(CONFIG_ENTITY_TOPIC, "retention.ms", out, 8);
	ck_assert_int_eq(n, 3);
	ck_assert_str_eq(out[0], "log.retention.ms");
	ck_assert_str_eq(out[1], "log.retention.minutes");
	ck_assert_str_eq(out[2], "log.retention.hours");
	n = config_def_synonym_names(CONFIG_ENTITY_TOPIC, "max.message.bytes", out, 8);
	ck_assert_int_eq(n, 1);
	ck_assert_str_eq(out[0], "message.max.bytes");
	ck_assert_int_eq(config_def_synonym_names(CONFIG_ENTITY_TOPIC,
						  "leader.replication.throttled.replicas", out, 8), 0);
	n = config_def_synonym_names(CONFIG_ENTITY_BROKER, "log.roll.hours", out, 8);
	ck_assert_int_eq(n, 2);
	ck_assert_str_eq(out[0], "log.roll.ms");
	n = config_def_synonym_names(CONFIG_ENTITY_BROKER, "num.partitions", out, 8);
	ck_assert_int_eq(n, 1);
	ck_assert_str_eq(out[0], "num.partitions");
	n = config_def_synonym_names(CONFIG_ENTITY_BROKER, "listener.name.a.ssl.protocol", out, 8);
	ck_assert_int_eq(n, 2);
	ck_assert_str_eq(out[0], "listener.name.a.ssl.protocol");
	ck_assert_str_eq(out[1], "ssl.protocol");
	ck_assert_int_eq(config_def_synonym_names(CONFIG_ENTITY_TOPIC, "retention.ms", out, 2), 2);
}
END_TEST

/* A fake precedence: "name@level=value" entries. */
static const char *const fake[] = {
	"log.retention.hours@3=24", "log.retention.minutes@4=90", "log.retention.hours@5=168",
	"message.max.bytes@2=100", "message.max.bytes@4=1000", "message.max.bytes@5=1048588",
	NULL,
};

static const char *fake_level(void *ctx, const char *name, enum config_source level)
{
	static char vals[8][32];
	int *calls = ctx;
	(*calls)++;
	for (int i = 0; fake[i]; i++) {
		const char *at = strchr(fake[i], '@');
		if (strlen(name) == (size_t)(at - fake[i]) && !strncmp(fake[i], name, strlen(name)) &&
		    at[1] - '0' == (int)level) {
			snprintf(vals[i], sizeof vals[i], "%s", strchr(at, '=') + 1);
			return vals[i];
		}
	}
	return NULL;
}

START_TEST(test_collect_synonyms_level_first_then_drop)
{
	const char *names[] = { "log.retention.ms", "log.retention.minutes", "log.retention.hours" };
	struct config_synonym s[8];
	int calls = 0;
	/* topic retention.ms: nothing is log.retention.ms, so nothing is listed */
	ck_assert_int_eq(config_collect_synonyms("log.retention.ms", names, 3, fake_level, &calls,
						 s, 8), 0);
	ck_assert_int_eq(calls, 12); /* 4 levels x 3 names */
	/* describing log.retention.minutes drops the dynamic hours before it */
	int n = config_collect_synonyms("log.retention.minutes", names, 3, fake_level, &calls, s, 8);
	ck_assert_int_eq(n, 2);
	ck_assert_str_eq(s[0].name, "log.retention.minutes");
	ck_assert_str_eq(s[0].value, "90");
	ck_assert_int_eq(s[0].source, CONFIG_SOURCE_STATIC);
	ck_assert_str_eq(s[1].name, "log.retention.hours");
	ck_assert_int_eq(s[1].source, CONFIG_SOURCE_DEFAULT);
	/* hours: every level of it, highest first */
	n = config_collect_synonyms("log.retention.hours", names, 3, fake_level, &calls, s, 8);
	ck_assert_int_eq(n, 3);
	ck_assert_int_eq(s[0].source, CONFIG_SOURCE_DYNAMIC_DEFAULT);
	ck_assert_str_eq(s[0].value, "24");
	ck_assert_str_eq(s[1].name, "log.retention.minutes");
	ck_assert_int_eq(s[2].source, CONFIG_SOURCE_DEFAULT);
	const char *mm[] = { "message.max.bytes" };
	n = config_collect_synonyms("message.max.bytes", mm, 1, fake_level, &calls, s, 8);
	ck_assert_int_eq(n, 3);
	ck_assert_int_eq(s[0].source, CONFIG_SOURCE_DYNAMIC_BROKER);
	ck_assert_int_eq(s[2].source, CONFIG_SOURCE_DEFAULT);
	ck_assert_int_eq(config_collect_synonyms("message.max.bytes", mm, 1, fake_level, &calls,
						 s, 1), 1); /* bounded by cap */
}
END_TEST

START_TEST(test_broker_levels_from_file_and_layers)
{
	static const struct config_entry e[] = {
		{ "broker.id", "1", "t" }, { "zookeeper.connect", "z:1", "t" },
		{ "log.retention.minutes", " 90 ", "t" }, { "log.cleaner.threads", "3", "t" },
	};
	struct broker_config bc;
	char err[300], buf[64];
	ck_assert_int_eq(broker_config_load_entries(e, 4, &bc, err, sizeof err), 0);
	ck_assert_str_eq(broker_config_level(&bc, "log.retention.minutes", CONFIG_SOURCE_STATIC),
			 "90");
	ck_assert_ptr_null(broker_config_level(&bc, "log.retention.ms", CONFIG_SOURCE_STATIC));
	ck_assert_ptr_null(broker_config_level(&bc, "log.retention.ms", CONFIG_SOURCE_DEFAULT));
	ck_assert_str_eq(broker_config_level(&bc, "log.retention.hours", CONFIG_SOURCE_DEFAULT),
			 "168");
	ck_assert_int_eq(broker_config_get(&bc, "log.retention.ms", buf, sizeof buf), 1);
	ck_assert_str_eq(buf, "5400000");
	/* a key without a field: file text, then the layers over it */
	ck_assert_int_eq(broker_config_get(&bc, "log.cleaner.threads", buf, sizeof buf), 1);
	ck_assert_str_eq(buf, "3");
	const char *k[] = { "log.cleaner.threads", "log.retention.ms" }, *v[] = { "5", "60000" };
	ck_assert_int_eq(broker_config_dynamic_set(&bc, CONFIG_LAYER_DEFAULT, k, v, 2), 0);
	ck_assert_int_eq(broker_config_get(&bc, "log.cleaner.threads", buf, sizeof buf), 1);
	ck_assert_str_eq(buf, "5");
	ck_assert_int_eq(bc.log_retention_ms, 60000);
	ck_assert_str_eq(broker_config_level(&bc, "log.retention.ms",
					     CONFIG_SOURCE_DYNAMIC_DEFAULT), "60000");
	ck_assert_ptr_null(broker_config_level(&bc, "log.retention.ms",
					       CONFIG_SOURCE_DYNAMIC_BROKER));
	/* a refused value from ZooKeeper leaves the key unset */
	const char *k2[] = { "log.retention.ms" }, *v2[] = { "soon" };
	ck_assert_int_eq(broker_config_dynamic_set(&bc, CONFIG_LAYER_BROKER, k2, v2, 1), 0);
	ck_assert_ptr_null(broker_config_level(&bc, "log.retention.ms",
					       CONFIG_SOURCE_DYNAMIC_BROKER));
	ck_assert_int_eq(bc.log_retention_ms, 60000);
	ck_assert_int_eq(broker_config_get(&bc, "ssl.key.password", buf, sizeof buf), -1);
	broker_config_free(&bc);
}
END_TEST

START_TEST(test_bad_value_of_table_only_key_stops_start_up)
{
	static const struct config_entry e[] = {
		{ "broker.id", "1", "t" }, { "zookeeper.connect", "z:1", "t" },
		{ "log.cleaner.min.cleanable.ratio", "2", "line 3" },
	};
	struct broker_config bc;
	char err[300];
	ck_assert_int_eq(broker_config_load_entries(e, 3, &bc, err, sizeof err), -1);
	ck_assert_str_eq(err, "line 3: invalid value \"2\" for log.cleaner.min.cleanable.ratio: "
			 "must be between 0 and 1");
}
END_TEST

START_TEST(test_listener_override_checked_against_its_key)
{
	static const struct config_entry e[] = {
		{ "broker.id", "1", "t" }, { "zookeeper.connect", "z:1", "t" },
		{ "listener.name.ssl.ssl.client.auth", "sometimes", "line 4" },
	};
	static const struct config_entry ok[] = {
		{ "broker.id", "1", "t" }, { "zookeeper.connect", "z:1", "t" },
		{ "listener.name.ssl.ssl.client.auth", "required", "line 4" },
		{ "listener.name.ssl.custom.thing", "x", "line 5" },
	};
	struct broker_config bc;
	char err[300];
	ck_assert_int_eq(broker_config_load_entries(e, 3, &bc, err, sizeof err), -1);
	ck_assert_ptr_nonnull(strstr(err, "line 4: invalid value \"sometimes\" for "
				      "listener.name.ssl.ssl.client.auth: must be one of"));
	ck_assert_int_eq(broker_config_load_entries(ok, 4, &bc, err, sizeof err), 0);
	ck_assert_str_eq(broker_config_extra(&bc, "listener.name.ssl.ssl.client.auth"), "required");
	broker_config_free(&bc);
}
END_TEST

START_TEST(test_markdown_lists_every_key)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	ck_assert_ptr_nonnull(f);
	config_defs_print_markdown(f);
	fclose(f);
	for (enum config_entity e = CONFIG_ENTITY_BROKER; e < CONFIG_ENTITY_COUNT; e++) {
		int n;
		const struct config_def *t = config_defs(e, &n);
		for (int i = 0; i < n; i++) {
			char cell[200];
			snprintf(cell, sizeof cell, "| `%s` |", t[i].name);
			ck_assert_msg(strstr(text, cell), "%s missing", t[i].name);
		}
	}
	ck_assert_ptr_nonnull(strstr(text, "| `retention.ms` | LONG | `604800000` | at least -1 "
				      "| per topic | `log.retention.ms`, `log.retention.minutes`, "
				      "`log.retention.hours` |"));
	free(text);
}
END_TEST

static Suite *config_def_suite(void)
{
	Suite *s = suite_create("config_def");
	TCase *tc = tcase_create("tables");
	tcase_add_test(tc, test_tables_consistent);
	tcase_add_test(tc, test_quota_keys_agree_with_the_quota_module);
	tcase_add_test(tc, test_numbers_types_and_bounds);
	tcase_add_test(tc, test_booleans_doubles_choices_lists);
	tcase_add_test(tc, test_kafka_messages);
	tcase_add_test(tc, test_dynamic_modes);
	tcase_add_test(tc, test_synonym_names);
	tcase_add_test(tc, test_collect_synonyms_level_first_then_drop);
	tcase_add_test(tc, test_broker_levels_from_file_and_layers);
	tcase_add_test(tc, test_bad_value_of_table_only_key_stops_start_up);
	tcase_add_test(tc, test_listener_override_checked_against_its_key);
	tcase_add_test(tc, test_markdown_lists_every_key);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(config_def_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
