/* gregorctl --command-config FILE: client properties for the Kafka
 * connections (groups, transactions, producers), as Kafka's tools take
 * them. Both spellings are read: librdkafka's (ssl.ca.location,
 * ssl.certificate.location, ssl.key.location, sasl.mechanisms,
 * sasl.username, sasl.password: what cluster.sh up prints as
 * CLIENT_CONFIG) and Java's (ssl.truststore.*, ssl.keystore.*,
 * sasl.mechanism, sasl.jaas.config). */
#include "coord/gregorctl/gctl_kafka.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/auth/jaas.h"
#include "common/auth/sasl_client.h"
#include "common/net/peer_security.h"
#include "common/properties.h"

#define PEM_MAX (1 << 20)

static char *read_text(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = malloc(PEM_MAX + 1);
	size_t n = buf ? fread(buf, 1, PEM_MAX, f) : 0;
	fclose(f);
	if (!buf || n == 0) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	return buf;
}

static const struct { const char *prop; enum tls_key key; } same_keys[] = {
	{ "ssl.truststore.location", TLS_TRUSTSTORE_LOCATION },
	{ "ssl.truststore.password", TLS_TRUSTSTORE_PASSWORD },
	{ "ssl.truststore.type", TLS_TRUSTSTORE_TYPE },
	{ "ssl.keystore.location", TLS_KEYSTORE_LOCATION },
	{ "ssl.keystore.password", TLS_KEYSTORE_PASSWORD },
	{ "ssl.keystore.type", TLS_KEYSTORE_TYPE },
	{ "ssl.key.password", TLS_KEY_PASSWORD },
	{ "ssl.enabled.protocols", TLS_ENABLED_PROTOCOLS },
	{ "ssl.cipher.suites", TLS_CIPHER_SUITES },
	{ "ssl.endpoint.identification.algorithm", TLS_ENDPOINT_IDENTIFICATION_ALGORITHM },
	{ "ssl.ca.location", TLS_TRUSTSTORE_LOCATION },
};

/* The SASL identity of the connections (the process keeps one). */
static struct sasl_client_conf gk_sasl;

/* sasl.mechanism(s) and the user: sasl.username/sasl.password, else the
 * username/password options of sasl.jaas.config. 0, or 1 (printed). */
static int sasl_load(struct props *p, const char *path)
{
	const char *mech = props_get(p, "sasl.mechanisms");
	const char *user = props_get(p, "sasl.username"), *pw = props_get(p, "sasl.password");
	const char *jaas = props_get(p, "sasl.jaas.config");
	struct jaas_config jc = { 0 };
	char err[256];
	if (!mech)
		mech = props_get(p, "sasl.mechanism");
	if ((!user || !pw) && jaas) {
		if (jaas_parse(jaas, &jc, err, sizeof err) < 0) {
			gctl_err("--command-config %s: %s", path, err);
			return 1;
		}
		user = jaas_option(&jc.mods[0], "username");
		pw = jaas_option(&jc.mods[0], "password");
	}
	int rc = 0;
	if (!mech || !user || !pw || strlen(mech) >= sizeof gk_sasl.mechanism ||
	    strlen(user) >= sizeof gk_sasl.username || strlen(pw) >= sizeof gk_sasl.password) {
		gctl_err("--command-config %s: SASL needs sasl.mechanisms, sasl.username and "
			 "sasl.password (or sasl.mechanism and sasl.jaas.config)", path);
		rc = 1;
	} else {
		snprintf(gk_sasl.mechanism, sizeof gk_sasl.mechanism, "%s", mech);
		snprintf(gk_sasl.username, sizeof gk_sasl.username, "%s", user);
		snprintf(gk_sasl.password, sizeof gk_sasl.password, "%s", pw);
		struct sasl_client probe;
		if (sasl_client_prepare(&probe, &gk_sasl) < 0) {
			gctl_err("--command-config %s: SASL mechanism %s is not supported (PLAIN, "
				 "SCRAM-SHA-256, SCRAM-SHA-512)", path, mech);
			rc = 1;
		}
	}
	jaas_free(&jc);
	return rc;
}

int gk_security_load(const char *path, struct peer_security *sec)
{
	struct props p = { 0 };
	char err[512];
	memset(sec, 0, sizeof *sec);
	if (props_load_file(path, &p, err, sizeof err) < 0) {
		gctl_err("--command-config %s: %s", path, err);
		return 1;
	}
	const char *proto = props_get(&p, "security.protocol");
	int rc = 0;
	if (!proto || !strcasecmp(proto, "plaintext")) {
		props_free(&p);
		return 0;
	}
	int sasl = !strcasecmp(proto, "sasl_plaintext") || !strcasecmp(proto, "sasl_ssl");
	int tls = !strcasecmp(proto, "ssl") || !strcasecmp(proto, "sasl_ssl");
	if (!sasl && !tls) {
		gctl_err("--command-config %s: security.protocol=%s is not supported (PLAINTEXT, "
			 "SSL, SASL_PLAINTEXT, SASL_SSL)", path, proto);
		props_free(&p);
		return 1;
	}
	if (sasl) {
		if (sasl_load(&p, path)) {
			props_free(&p);
			return 1;
		}
		sec->sasl = &gk_sasl;
	}
	sec->protocol = tls ? (sasl ? 3 : 1) : 2; /* Kafka's ids: SSL, SASL_PLAINTEXT, SASL_SSL */
	if (!tls) {
		props_free(&p);
		return 0;
	}
	struct tls_settings s;
	memset(&s, 0, sizeof s);
	s.value[TLS_ENDPOINT_IDENTIFICATION_ALGORITHM] = "https"; /* Kafka's default */
	for (size_t i = 0; i < sizeof same_keys / sizeof same_keys[0]; i++) {
		const char *v = props_get(&p, same_keys[i].prop);
		if (v) {
			s.value[same_keys[i].key] = v;
			snprintf(s.key[same_keys[i].key], sizeof s.key[0], "%s", same_keys[i].prop);
		}
	}
	/* librdkafka's separate certificate and key files: inline PEM */
	const char *crt = props_get(&p, "ssl.certificate.location");
	const char *key = props_get(&p, "ssl.key.location");
	char *crt_pem = NULL, *key_pem = NULL;
	if (crt || key) {
		if (!crt || !key || !(crt_pem = read_text(crt)) || !(key_pem = read_text(key))) {
			gctl_err("--command-config %s: ssl.certificate.location and ssl.key.location "
				 "must both name readable PEM files", path);
			rc = 1;
		}
		s.value[TLS_KEYSTORE_TYPE] = "PEM";
		s.value[TLS_KEYSTORE_CERTIFICATE_CHAIN] = crt_pem;
		s.value[TLS_KEYSTORE_KEY] = key_pem;
		snprintf(s.key[TLS_KEYSTORE_CERTIFICATE_CHAIN], sizeof s.key[0], "ssl.certificate.location");
		snprintf(s.key[TLS_KEYSTORE_KEY], sizeof s.key[0], "ssl.key.location");
	}
	if (rc == 0 && !(sec->tls = tls_ctx_new(&s, TLS_CLIENT, err, sizeof err))) {
		gctl_err("--command-config %s: %s", path, err);
		rc = 1;
	}
	free(crt_pem);
	free(key_pem);
	props_free(&p);
	return rc;
}
