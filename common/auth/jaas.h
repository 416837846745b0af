/* Kafka's sasl.jaas.config value: one or more login modules, each
 *   <LoginModuleClass> <required|requisite|sufficient|optional> key=value ... ;
 * values bare words or quoted strings ("..." or '...', backslash escapes),
 * // and slash-star comments allowed, as Kafka's JaasConfig reads it. The
 * broker takes its PLAIN users from user_<name>="<password>" options and
 * its own inter-broker identity from username/password. */
#ifndef GREGOR_AUTH_JAAS_H
#define GREGOR_AUTH_JAAS_H

#include <stddef.h>

struct jaas_option {
	char *key, *value;
};

struct jaas_module {
	char *name;  /* e.g. org.apache.kafka.common.security.plain.PlainLoginModule */
	char *flag;  /* lower-cased */
	struct jaas_option *opts;
	int nopts;
};

struct jaas_config {
	struct jaas_module *mods;
	int nmods;
};

#define JAAS_PLAIN_MODULE "org.apache.kafka.common.security.plain.PlainLoginModule"
#define JAAS_SCRAM_MODULE "org.apache.kafka.common.security.scram.ScramLoginModule"

/* Parses text; 0, or -1 with a reason (and position) in err and nothing to
 * free. At least one module is required, as Kafka requires. */
int jaas_parse(const char *text, struct jaas_config *out, char *err, size_t errlen);
void jaas_free(struct jaas_config *c);
/* The last value of key in m (Kafka keeps the last), or NULL. */
const char *jaas_option(const struct jaas_module *m, const char *key);

#endif
