/* The broker configuration from KAFKA_* environment variables (see
 * env_config.h). The variables become config entries named after the
 * variable and go through the same loader as server.properties, so both
 * accept and refuse exactly the same values. */
#include "broker/env_config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"

#define MOD "config"
#define PLEN (sizeof ENV_CONFIG_PREFIX - 1)

/* What Kafka's image scripts hand to the JVM or the launcher: never keys. */
static const char *const launcher_vars[] = {
	"KAFKA_HEAP_OPTS", "KAFKA_OPTS", "KAFKA_JVM_PERFORMANCE_OPTS", "KAFKA_GC_LOG_OPTS",
	"KAFKA_JMX_OPTS", "KAFKA_JMX_PORT", "KAFKA_JMX_HOSTNAME", "KAFKA_LOG4J_OPTS",
	"KAFKA_LOG4J_ROOT_LOGLEVEL", "KAFKA_LOG4J_LOGGERS", "KAFKA_TOOLS_LOG4J_LOGLEVEL",
	"KAFKA_DEBUG", "KAFKA_VERSION", "KAFKA_HOME", NULL,
};

int env_config_is_launcher_var(const char *var)
{
	for (int i = 0; launcher_vars[i]; i++)
		if (strcmp(var, launcher_vars[i]) == 0)
			return 1;
	return 0;
}

int env_config_key(const char *var, char *key, size_t keylen, char *why, size_t whylen)
{
	static const char run_char[] = { 0, '.', '_', '-' };
	if (strncmp(var, ENV_CONFIG_PREFIX, PLEN) == 0)
		var += PLEN;
	size_t o = 0;
	if (!*var) {
		snprintf(why, whylen, "no key after %s", ENV_CONFIG_PREFIX);
		return -1;
	}
	for (const char *p = var; *p;) {
		size_t run = strspn(p, "_");
		if (run > 3) {
			snprintf(why, whylen, "%zu underscores in a row mean nothing "
				 "(_ is '.', __ is '_', ___ is '-')", run);
			return -1;
		}
		char c = run ? run_char[run] : (char)tolower((unsigned char)*p);
		if (o + 1 >= keylen) {
			snprintf(why, whylen, "name too long");
			return -1;
		}
		key[o++] = c;
		p += run ? run : 1;
	}
	key[o] = '\0';
	return 0;
}

int env_config_var(const char *key, char *var, size_t varlen)
{
	size_t o = (size_t)snprintf(var, varlen, "%s", ENV_CONFIG_PREFIX);
	for (const char *p = key; *p; p++) {
		const char *rep = *p == '.' ? "_" : *p == '_' ? "__" : *p == '-' ? "___" : NULL;
		char up[2] = { (char)toupper((unsigned char)*p), '\0' };
		if (!rep && !isalnum((unsigned char)*p))
			return -1;
		if (!rep)
			rep = up;
		if (o + strlen(rep) + 1 > varlen)
			return -1;
		memcpy(var + o, rep, strlen(rep) + 1);
		o += strlen(rep);
	}
	return o > PLEN ? 0 : -1;
}

/* The entries built from the environment; every string is owned here. */
struct env_entries {
	struct config_entry *v;
	int n, cap;
};

static void entries_free(struct env_entries *es)
{
	for (int i = 0; i < es->n; i++) {
		free((char *)es->v[i].key);
		free((char *)es->v[i].value);
		free((char *)es->v[i].source);
	}
	free(es->v);
	memset(es, 0, sizeof *es);
}

static int entries_add(struct env_entries *es, char *key, char *value, char *source)
{
	if (key && value && source && es->n == es->cap) {
		int cap = es->cap ? es->cap * 2 : 16;
		struct config_entry *v = realloc(es->v, (size_t)cap * sizeof *v);
		if (v) {
			es->v = v;
			es->cap = cap;
		}
	}
	if (!key || !value || !source || es->n == es->cap) {
		free(key);
		free(value);
		free(source);
		return -1;
	}
	es->v[es->n++] = (struct config_entry){ key, value, source };
	return 0;
}

/* The value of NAME in envp, or NULL. */
static const char *env_get(char *const *envp, const char *name, size_t len)
{
	for (char *const *e = envp; *e; e++)
		if (strncmp(*e, name, len) == 0 && (*e)[len] == '=')
			return *e + len + 1;
	return NULL;
}

/* A *_FILE's contents without one trailing newline; NULL with err set. */
static char *read_secret(const char *var, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	char *buf = f ? malloc(ENV_CONFIG_FILE_MAX + 1) : NULL;
	size_t n = buf ? fread(buf, 1, ENV_CONFIG_FILE_MAX + 1, f) : 0;
	int bad = !f ? errno : !buf ? ENOMEM : ferror(f) ? EIO : 0;
	if (f)
		fclose(f);
	if (bad || n > ENV_CONFIG_FILE_MAX) {
		snprintf(err, errlen, "%s: cannot read %s: %s", var, path,
			 bad ? strerror(bad) : "larger than 64 KiB");
		free(buf);
		return NULL;
	}
	if (n > 0 && buf[n - 1] == '\n')
		n--;
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	if (memchr(buf, '\0', n)) {
		snprintf(err, errlen, "%s: %s holds a NUL byte", var, path);
		free(buf);
		return NULL;
	}
	return buf;
}

/* One KAFKA_* variable (name[0..nlen), value) into es; 0, or -1 with err. */
static int env_take(char *const *envp, const char *name, size_t nlen, const char *value,
		    struct env_entries *es, char *err, size_t errlen)
{
	char var[256], key[256], why[160];
	if (nlen >= sizeof var) {
		snprintf(err, errlen, "%.40s...: variable name too long", name);
		return -1;
	}
	memcpy(var, name, nlen);
	var[nlen] = '\0';
	if (env_config_is_launcher_var(var)) {
		log_info(MOD, "%s is a setting of Kafka's JVM launcher; ignored", var);
		return 0;
	}
	size_t klen = nlen;
	char *v = NULL;
	if (nlen > PLEN + 5 && strcmp(var + nlen - 5, "_FILE") == 0) {
		klen = nlen - 5;
		if (env_get(envp, var, klen)) {
			snprintf(err, errlen, "%s and %.*s are both set; set only one", var,
				 (int)klen, var);
			return -1;
		}
		v = read_secret(var, value, err, errlen);
		if (!v)
			return -1;
	}
	char base[256];
	memcpy(base, var, klen);
	base[klen] = '\0';
	if (env_config_key(base, key, sizeof key, why, sizeof why) < 0) {
		snprintf(err, errlen, "%s: %s", var, why);
		free(v);
		return -1;
	}
	if (entries_add(es, strdup(key), v ? v : strdup(value), strdup(var)) < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

static int entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct config_entry *)a)->source,
		      ((const struct config_entry *)b)->source);
}

static int is_key_char(char c)
{
	return isalnum((unsigned char)c) || c == '.' || c == '_' || c == '-';
}

/* Where key occurs in s as a whole word, or NULL. */
static const char *find_word(const char *s, const char *key)
{
	size_t l = strlen(key);
	for (const char *p = strstr(s, key); p; p = strstr(p + 1, key))
		if ((p == s || !is_key_char(p[-1])) && !is_key_char(p[l]))
			return p;
	return NULL;
}

/* A cross-key error names keys: put the variable that set the first of
 * them in front, or, for a key nobody set, say which variable would. */
static void name_variable(const struct env_entries *es, char *err, size_t errlen)
{
	char msg[512];
	if (strncmp(err, ENV_CONFIG_PREFIX, PLEN) == 0)
		return; /* already names its variable */
	snprintf(msg, sizeof msg, "%s", err);
	const char *first = NULL, *var = NULL;
	for (int i = 0; i < es->n; i++) {
		const char *at = find_word(msg, es->v[i].key);
		if (at && (!first || at < first)) {
			first = at;
			var = es->v[i].source;
		}
	}
	if (var) {
		snprintf(err, errlen, "%s: %s", var, msg);
		return;
	}
	const char *missing = strstr(msg, "required key ");
	char key[128], want[160];
	if (missing && sscanf(missing + 13, "%127[a-z0-9._-]", key) == 1 &&
	    env_config_var(key, want, sizeof want) == 0)
		snprintf(err, errlen, "%s (set %s)", msg, want);
}

int env_config_load(char *const *envp, struct broker_config *out, char *err, size_t errlen)
{
	struct env_entries es = { 0 };
	int rc = 0;
	for (char *const *e = envp; rc == 0 && *e; e++) {
		const char *eq = strchr(*e, '=');
		if (eq && strncmp(*e, ENV_CONFIG_PREFIX, PLEN) == 0)
			rc = env_take(envp, *e, (size_t)(eq - *e), eq + 1, &es, err, errlen);
	}
	if (rc == 0) {
		/* the environment has no order a user chose: make it stable */
		if (es.n > 1)
			qsort(es.v, (size_t)es.n, sizeof *es.v, entry_cmp);
		rc = broker_config_load_entries(es.v, es.n, out, err, errlen);
		if (rc < 0)
			name_variable(&es, err, errlen);
	}
	entries_free(&es);
	return rc < 0 ? -1 : 0;
}
