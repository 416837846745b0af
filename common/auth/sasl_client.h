/* The client side of SASL PLAIN and SCRAM-SHA-256/512, token by token, for
 * the connections one broker opens to another (replica fetchers, markers,
 * the controller's channel). The transport of tokens (SaslHandshake v1,
 * then SaslAuthenticate) is the caller's. Also PLAIN's token format
 * (RFC 4616: authzid NUL user NUL password), which the broker parses. */
#ifndef GREGOR_AUTH_SASL_CLIENT_H
#define GREGOR_AUTH_SASL_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "common/auth/scram.h"

#define SASL_TOKEN_MAX 2048

/* Who a broker is when it connects to another: mechanism "" means the
 * inter-broker listener has no SASL. */
struct sasl_client_conf {
	char mechanism[32];
	char username[256];
	char password[256];
};

struct sasl_client {
	const struct sasl_client_conf *conf;
	int scram;   /* SCRAM mechanism, or -1 for PLAIN */
	int step;
	struct scram_client sc;
};

/* 0, or -1 if conf's mechanism is not PLAIN or SCRAM-SHA-256/512. (Not
 * named sasl_client_init/_step: those are Cyrus SASL's, which librdkafka
 * loads into gregorctl, and an executable's symbol would win over them.) */
int sasl_client_prepare(struct sasl_client *c, const struct sasl_client_conf *conf);
/* Feeds the server's last token (NULL, 0 before the first) and writes the
 * next one. Returns 1 with a token in out[0..*outlen), 0 when the exchange
 * is complete (the server's last token verified), -1 with err. */
int sasl_client_respond(struct sasl_client *c, const uint8_t *in, size_t inlen, uint8_t *out,
			size_t cap, size_t *outlen, char *err, size_t errlen);

/* PLAIN: splits a token into its three parts (copied, NUL-terminated).
 * 0, or -1 if malformed (not exactly two NULs, empty user or password, a
 * part too long). */
int sasl_plain_parse(const uint8_t *tok, size_t len, char *authzid, char *user,
		     char *password, size_t cap);

#endif
