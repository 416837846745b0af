/* The one definition of every config key Gregor knows, one table per
 * entity type (broker, topic, user and client-id quotas): each key's type, Kafka's default, range or allowed values, whether
 * and how it changes while running, whether it is a secret, its synonyms and
 * one line of documentation. Start-up parsing (config.c), the dynamic layers
 * and topic overrides read from ZooKeeper, (Incremental)AlterConfigs
 * validation, DescribeConfigs and docs/configuration.md (gregord
 * --print-config-docs) all read these tables. No state; nothing here
 * allocates but config_def_check's scratch copy. */
#ifndef GREGOR_BROKER_CONFIG_DEF_H
#define GREGOR_BROKER_CONFIG_DEF_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum config_entity {
	CONFIG_ENTITY_BROKER,
	CONFIG_ENTITY_TOPIC,
	CONFIG_ENTITY_USER,   /* quota keys (enforced by broker/quota) */
	CONFIG_ENTITY_CLIENT, /* the same keys per client id */
	CONFIG_ENTITY_COUNT,
};

/* Kafka's ConfigDef types; the values are DescribeConfigs v3+'s
 * config_type on the wire. */
enum config_type {
	CONFIG_TYPE_BOOLEAN = 1,
	CONFIG_TYPE_STRING = 2,
	CONFIG_TYPE_INT = 3,
	CONFIG_TYPE_SHORT = 4,
	CONFIG_TYPE_LONG = 5,
	CONFIG_TYPE_DOUBLE = 6,
	CONFIG_TYPE_LIST = 7,
	CONFIG_TYPE_CLASS = 8,
	CONFIG_TYPE_PASSWORD = 9,
};

/* How a key may change while the broker runs (Kafka's DynamicBrokerConfig
 * for brokers; every topic key is a per-topic override). */
enum config_mode {
	CONFIG_STATIC,       /* read at start-up only; read_only in DescribeConfigs */
	CONFIG_PER_BROKER,   /* /config/brokers/<id> only */
	CONFIG_CLUSTER_WIDE, /* /config/brokers/<id> or the cluster default <default> */
	CONFIG_PER_LISTENER, /* /config/brokers/<id>, only as listener.name.<l>.<key> */
	CONFIG_PER_TOPIC,    /* /config/topics/<t>, over the broker default */
	CONFIG_PER_ENTITY,   /* /config/users/<u>, /config/clients/<c> (quotas) */
};

#define CONFIG_F_SENSITIVE 1u /* a secret: DescribeConfigs returns null, never the value */
#define CONFIG_F_IGNORED 2u   /* accepted for compatibility; no effect (said at start-up) */
#define CONFIG_F_LIVE 4u      /* a dynamic change takes effect at once (else stored
			       * and shown, in effect after a restart) */
#define CONFIG_F_GREGOR 8u    /* Gregor's own key, not Kafka's */
#define CONFIG_F_FIELD64 16u  /* an INT kept in an int64_t field */

struct config_def {
	const char *name;
	enum config_type type;
	const char *def;            /* Kafka's default as text; NULL: null */
	int64_t min, max;           /* INT, SHORT, LONG: inclusive bounds */
	const char *const *choices; /* NULL-ended allowed values (LIST: each element) */
	/* a further check of the trimmed text (doubles, formats); 0 or -1 with why */
	int (*valid)(const char *text, char *why, size_t n);
	enum config_mode mode;
	unsigned flags;
	/* NULL-ended names of one config in precedence order. Broker: the unit
	 * group the key belongs to, itself included (log.retention.ms,
	 * log.retention.minutes, log.retention.hours); NULL for a key alone.
	 * Topic: the broker keys that supply its default. */
	const char *const *synonyms;
	/* 1 + offsetof the field holding the value in struct broker_config
	 * (broker) or struct topic_config (topic); 0: no field (kept as text) */
	size_t field;
	const char *doc;
};

/* Kafka's DescribeConfigs config sources (wire ids). */
enum config_source {
	CONFIG_SOURCE_TOPIC = 1,
	CONFIG_SOURCE_DYNAMIC_BROKER = 2,
	CONFIG_SOURCE_DYNAMIC_DEFAULT = 3,
	CONFIG_SOURCE_STATIC = 4,
	CONFIG_SOURCE_DEFAULT = 5,
};

/* The table of an entity type (n rows). */
const struct config_def *config_defs(enum config_entity e, int *n);
const struct config_def *config_def_find(enum config_entity e, const char *name);

/* Checks a value as text against the row: type, range, allowed values and
 * the row's own check; the text is trimmed as Java's String.trim. Returns
 * 0; -1 when it is not of the type ("not an integer"); -2 when of the type
 * but refused (range, choice). why says why in a few words. */
/* A printable prefix of an untrusted value for messages: control bytes
 * as '?', at most 200 bytes, "..." when cut; buf holds n bytes. */
const char *config_quote(const char *v, char *buf, size_t n);

int config_def_check(const struct config_def *d, const char *value, char *why, size_t n);
/* The same check with Kafka's ConfigException message for AlterConfigs and
 * the dynamic layers ("Invalid value x for configuration k: Not a number of
 * type LONG"). key is the name as written (listener prefix kept). */
int config_def_check_kafka(const struct config_def *d, const char *key, const char *value,
			   char *err, size_t errlen);
/* Strict integer text ("+12", "-3"); 0, -1 not a number, -2 out of range. */
int config_def_parse_long(const char *text, int64_t *out);
/* Kafka's name of a type ("INT", "LONG", ...). */
const char *config_type_name(enum config_type t);

/* The names one config goes by, highest precedence first: a broker key's
 * unit group (or just the key; for listener.name.<l>.<k>, that name then
 * k's group), a topic key's broker synonyms. Returns how many (<= cap). */
int config_def_synonym_names(enum config_entity e, const char *name, const char **out,
			     int cap);

/* A config's value at one level, or NULL (sources 2-5 above). */
typedef const char *(*config_level_fn)(void *ctx, const char *name,
				       enum config_source level);
struct config_synonym {
	const char *name, *value;
	enum config_source source;
};
/* Kafka's ConfigHelper.configSynonyms: for every level from the per-broker
 * dynamic layer down to Kafka's defaults, each of names that has a value
 * there; then everything before the first entry named described is
 * dropped (so describing log.retention.hours does not list a listener
 * override or a higher unit first). Returns the count (<= cap). */
int config_collect_synonyms(const char *described, const char *const *names, int nn,
			    config_level_fn level, void *ctx, struct config_synonym *out,
			    int cap);

/* docs/configuration.md: every table as Markdown. */
void config_defs_print_markdown(FILE *f);

#endif
