/* gregorctl --command-config FILE: client properties for the Kafka
 * connections (groups, transactions, producers), as Kafka's tools take
 * them. Both spellings are read: librdkafka's (ssl.ca.location,
 * ssl.certificate.location, ssl.key.location: what cluster.sh up --secure
 * prints as CLIENT_CONFIG) and Java's (ssl.truststore.*, ssl.keystore.*). */
#include "coord/gregorctl/gctl_kafka.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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
	if (strcasecmp(proto, "ssl") != 0) {
		gctl_err("--command-config %s: security.protocol=%s is not supported (PLAINTEXT, SSL)",
			 path, proto);
		props_free(&p);
		return 1;
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
	sec->protocol = 1; /* SSL */
	free(crt_pem);
	free(key_pem);
	props_free(&p);
	return rc;
}
