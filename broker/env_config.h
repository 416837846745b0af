/* The broker configuration from the environment, in the convention of
 * Kafka's container images: KAFKA_<KEY> is the key <key> in lower case with
 * "_" -> ".", "__" -> "_" and "___" -> "-" (KAFKA_BROKER_ID -> broker.id);
 * KAFKA_<KEY>_FILE names a file holding the value (secrets). Messages name
 * the variable, not just the key, since that is what the user wrote. */
#ifndef GREGOR_BROKER_ENV_CONFIG_H
#define GREGOR_BROKER_ENV_CONFIG_H

#include <stddef.h>

#include "broker/config.h"

#define ENV_CONFIG_PREFIX "KAFKA_"
#define ENV_CONFIG_FILE_MAX 65536 /* bytes read from a *_FILE */

/* The key for a variable name (with or without the prefix); 0, or -1 with
 * why (e.g. four underscores in a row, an empty name). */
int env_config_key(const char *var, char *key, size_t keylen, char *why, size_t whylen);
/* The variable for a key (the inverse of env_config_key); 0, or -1 if the
 * key has a character the convention cannot express or does not fit. */
int env_config_var(const char *key, char *var, size_t varlen);
/* Nonzero for the variables Kafka's image scripts give to the JVM or the
 * launcher (KAFKA_HEAP_OPTS, KAFKA_JMX_PORT, ...): not broker keys. */
int env_config_is_launcher_var(const char *var);

/* Loads *out from the KAFKA_* variables of envp (NULL-terminated
 * "NAME=value" strings; others are ignored) as broker_config_load does from
 * a file: unknown keys are warned about, a bad value or a failed cross-key
 * check returns -1 with a message in err that starts with the variable's
 * name. *out holds nothing to free after -1. */
int env_config_load(char *const *envp, struct broker_config *out, char *err, size_t errlen);

#endif
