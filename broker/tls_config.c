/* TLS settings from the broker config, and the certificate principal mapper
 * (see tls_config.h). */
#include "broker/tls_config.h"

#include <ctype.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The base value of a key (server.properties or Kafka's default). */
static const char *base_value(const struct broker_config *bc, enum tls_key k)
{
	switch (k) {
	case TLS_KEYSTORE_TYPE: return bc->ssl_keystore_type;
	case TLS_KEYSTORE_LOCATION: return bc->ssl_keystore_location;
	case TLS_KEYSTORE_PASSWORD: return bc->ssl_keystore_password;
	case TLS_KEY_PASSWORD: return bc->ssl_key_password;
	case TLS_KEYSTORE_KEY: return bc->ssl_keystore_key;
	case TLS_KEYSTORE_CERTIFICATE_CHAIN: return bc->ssl_keystore_certificate_chain;
	case TLS_TRUSTSTORE_TYPE: return bc->ssl_truststore_type;
	case TLS_TRUSTSTORE_LOCATION: return bc->ssl_truststore_location;
	case TLS_TRUSTSTORE_PASSWORD: return bc->ssl_truststore_password;
	case TLS_TRUSTSTORE_CERTIFICATES: return bc->ssl_truststore_certificates;
	case TLS_CLIENT_AUTH: return bc->ssl_client_auth;
	case TLS_ENABLED_PROTOCOLS: return bc->ssl_enabled_protocols;
	case TLS_CIPHER_SUITES: return bc->ssl_cipher_suites;
	case TLS_ENDPOINT_IDENTIFICATION_ALGORITHM:
		return bc->ssl_endpoint_identification_algorithm;
	case TLS_NKEYS: break;
	}
	return NULL;
}

/* "listener.name.<listener>.": Kafka writes the listener name in lower
 * case; a name as written in listeners (upper case here) counts too. */
static const char *listener_override(const struct broker_config *bc, const char *listener,
				     const char *base, char *key, size_t keylen)
{
	char lower[64];
	size_t i = 0;
	for (; listener[i] && i + 1 < sizeof lower; i++)
		lower[i] = (char)tolower((unsigned char)listener[i]);
	lower[i] = '\0';
	snprintf(key, keylen, "listener.name.%s.%s", lower, base);
	const char *v = broker_config_extra(bc, key);
	if (v)
		return v;
	char alt[160];
	int n = snprintf(alt, sizeof alt, "listener.name.%s.%s", listener, base);
	if ((v = broker_config_extra(bc, alt)) && n > 0 && (size_t)n < keylen)
		memcpy(key, alt, (size_t)n + 1);
	return v;
}

void tls_settings_for_listener(const struct broker_config *bc, const char *listener,
			       struct tls_settings *out)
{
	memset(out, 0, sizeof *out);
	for (int k = 0; k < TLS_NKEYS; k++) {
		const char *base = tls_key_name((enum tls_key)k);
		const char *v = listener_override(bc, listener, base, out->key[k], sizeof out->key[k]);
		if (!v) {
			snprintf(out->key[k], sizeof out->key[k], "%s", base);
			v = base_value(bc, (enum tls_key)k);
			/* a store type Kafka defaults to JKS: unless written, let
			 * the content decide (PEM or PKCS12) */
			if (k == TLS_KEYSTORE_TYPE || k == TLS_TRUSTSTORE_TYPE) {
				char buf[16];
				if (broker_config_get(bc, base, buf, sizeof buf) != 1)
					v = NULL;
			}
		}
		out->value[k] = v;
	}
}

struct tls_ctx *tls_server_ctx_for_listener(const struct broker_config *bc,
					    const char *listener, int sasl, char *err,
					    size_t errlen)
{
	struct tls_settings s;
	tls_settings_for_listener(bc, listener, &s);
	if (sasl && strcmp(s.key[TLS_CLIENT_AUTH], tls_key_name(TLS_CLIENT_AUTH)) == 0)
		s.value[TLS_CLIENT_AUTH] = NULL;
	return tls_ctx_new(&s, TLS_SERVER, err, errlen);
}

struct tls_ctx *tls_client_ctx_for_listener(const struct broker_config *bc,
					    const char *listener, char *err, size_t errlen)
{
	struct tls_settings s;
	tls_settings_for_listener(bc, listener, &s);
	return tls_ctx_new(&s, TLS_CLIENT, err, errlen);
}

/* ---- principal mapping ---- */

#define MAX_RULES 32

struct principal_rule {
	int is_default;
	regex_t re;
	char *replacement;
	char cases; /* 'L', 'U' or 0 */
};

struct ssl_principal_rules {
	struct principal_rule r[MAX_RULES];
	int n;
};

void ssl_principal_rules_free(struct ssl_principal_rules *rs)
{
	if (!rs)
		return;
	for (int i = 0; i < rs->n; i++)
		if (!rs->r[i].is_default) {
			regfree(&rs->r[i].re);
			free(rs->r[i].replacement);
		}
	free(rs);
}

/* Reads up to an unescaped '/' into out (escapes kept for the regex, and
 * resolved later for the replacement). Returns the '/' or NULL. */
static const char *take_part(const char *p, char *out, size_t n)
{
	size_t o = 0;
	for (; *p && *p != '/'; p++) {
		if (*p == '\\' && p[1]) {
			if (o + 2 >= n)
				return NULL;
			out[o++] = *p++;
		}
		if (o + 1 >= n)
			return NULL;
		out[o++] = *p;
	}
	out[o] = '\0';
	return *p == '/' ? p : NULL;
}

/* Java's lazy quantifiers have no POSIX form: "*?" / "+?" become greedy. */
static void regex_from_java(const char *in, char *out, size_t n)
{
	size_t o = 0;
	o += (size_t)snprintf(out, n, "^(");
	for (const char *p = in; *p && o + 4 < n; p++) {
		if ((p[0] == '*' || p[0] == '+') && p[1] == '?' && (p == in || p[-1] != '\\')) {
			out[o++] = *p++;
			continue;
		}
		out[o++] = *p;
	}
	snprintf(out + o, n - o, ")$");
}

static int rule_parse(struct principal_rule *r, const char *p, const char **end, char *err,
		      size_t errlen)
{
	char pat[512], rep[512], re[1100];
	const char *s = take_part(p, pat, sizeof pat);
	const char *t = s ? take_part(s + 1, rep, sizeof rep) : NULL;
	if (!t) {
		snprintf(err, errlen, "ssl.principal.mapping.rules: expected RULE:pattern/"
			 "replacement/[LU] at '%.40s'", p);
		return -1;
	}
	t++;
	r->cases = (*t == 'L' || *t == 'U') ? *t++ : 0;
	regex_from_java(pat, re, sizeof re);
	if (regcomp(&r->re, re, REG_EXTENDED) != 0) {
		snprintf(err, errlen, "ssl.principal.mapping.rules: bad pattern '%.80s'", pat);
		return -1;
	}
	if (!(r->replacement = strdup(rep))) {
		regfree(&r->re);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	*end = t;
	return 0;
}

struct ssl_principal_rules *ssl_principal_rules_parse(const char *rules, char *err,
						      size_t errlen)
{
	struct ssl_principal_rules *rs = calloc(1, sizeof *rs);
	if (!rs) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	const char *p = rules && *rules ? rules : "DEFAULT";
	while (*p) {
		while (isspace((unsigned char)*p) || *p == ',')
			p++;
		if (!*p)
			break;
		if (rs->n == MAX_RULES) {
			snprintf(err, errlen, "ssl.principal.mapping.rules: more than %d rules", MAX_RULES);
			goto fail;
		}
		struct principal_rule *r = &rs->r[rs->n];
		if (strncmp(p, "DEFAULT", 7) == 0) {
			r->is_default = 1;
			p += 7;
		} else if (strncmp(p, "RULE:", 5) == 0) {
			if (rule_parse(r, p + 5, &p, err, errlen) < 0)
				goto fail;
		} else {
			snprintf(err, errlen, "ssl.principal.mapping.rules: expected DEFAULT or "
				 "RULE:pattern/replacement/[LU] at '%.40s'", p);
			goto fail;
		}
		rs->n++;
		/* Kafka ignores anything after a rule up to the next comma */
		while (*p && *p != ',')
			p++;
	}
	if (rs->n == 0) {
		snprintf(err, errlen, "ssl.principal.mapping.rules: no rule");
		goto fail;
	}
	return rs;
fail:
	ssl_principal_rules_free(rs);
	return NULL;
}

/* The replacement with $N group references filled in and escapes resolved. */
static int expand(const struct principal_rule *r, const char *dn, const regmatch_t *m,
		  char *out, size_t n)
{
	size_t o = 0;
	for (const char *p = r->replacement; *p; p++) {
		if (*p == '\\' && p[1]) {
			p++;
		} else if (*p == '$' && isdigit((unsigned char)p[1])) {
			int g = p[1] - '0' + 1; /* group 1 is the whole-DN wrapper */
			p++;
			if (g < 10 && m[g].rm_so >= 0) {
				size_t len = (size_t)(m[g].rm_eo - m[g].rm_so);
				if (o + len >= n)
					return -1;
				memcpy(out + o, dn + m[g].rm_so, len);
				o += len;
			}
			continue;
		}
		if (o + 1 >= n)
			return -1;
		out[o++] = *p;
	}
	out[o] = '\0';
	for (char *q = out; *q; q++)
		if (r->cases)
			*q = (char)(r->cases == 'L' ? tolower((unsigned char)*q)
						    : toupper((unsigned char)*q));
	return 0;
}

int ssl_principal_map(const struct ssl_principal_rules *rs, const char *dn, char *out,
		      size_t outlen)
{
	for (int i = 0; i < rs->n; i++) {
		const struct principal_rule *r = &rs->r[i];
		if (r->is_default) {
			if (strlen(dn) >= outlen)
				return -1;
			snprintf(out, outlen, "%s", dn);
			return 0;
		}
		regmatch_t m[10];
		if (regexec(&r->re, dn, 10, m, 0) == 0 && expand(r, dn, m, out, outlen) == 0)
			return 0;
	}
	return -1;
}
