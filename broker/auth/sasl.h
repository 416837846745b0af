/* SASL on the broker (Kafka's SaslServerAuthenticator): which mechanisms
 * each SASL listener enables, PLAIN users from the listener's JAAS config,
 * the SCRAM credential cache (fed from /config/users by the coordination
 * thread), the SaslHandshake / SaslAuthenticate exchange on a connection's
 * session, and this broker's own identity for inter-broker connections.
 * Loop thread only. */
#ifndef GREGOR_AUTH_SASL_H
#define GREGOR_AUTH_SASL_H

#include <stddef.h>
#include <stdint.h>

#include "broker/server.h"
#include "common/auth/sasl_client.h"
#include "common/auth/scram.h"

struct broker;

/* Bits of listener_rt.sasl_mechanisms. */
enum sasl_mech_bit {
	SASL_MECH_PLAIN = 1u << 0,
	SASL_MECH_SCRAM_SHA_256 = 1u << 1,
	SASL_MECH_SCRAM_SHA_512 = 1u << 2,
};

/* Start-up: the SASL context and this broker's inter-broker identity
 * (sasl.mechanism.inter.broker.protocol with the username/password of the
 * inter-broker listener's JAAS config) when the inter-broker listener uses
 * SASL. 0, or -1 with a message naming the key in err. */
int sasl_setup(struct broker *b, char *err, size_t errlen);
void sasl_free(struct broker *b);
/* Reads a SASL listener's keys: listener.name.<l>.sasl.enabled.mechanisms
 * (else sasl.enabled.mechanisms), PLAIN users from
 * listener.name.<l>.plain.sasl.jaas.config, listener.name.<l>.sasl.jaas.config
 * or sasl.jaas.config, session lifetimes. Sets l->sasl_mechanisms. A
 * mechanism Gregor lacks (GSSAPI, OAUTHBEARER) or PLAIN without users stops
 * start-up: 0, or -1 with err. Listeners without SASL: nothing to do. */
int sasl_listener_setup(struct broker *b, struct listener_rt *l, char *err, size_t errlen);
/* This broker's identity towards other brokers, or NULL without SASL. */
const struct sasl_client_conf *sasl_inter_broker_conf(const struct broker *b);

/* ---- SCRAM credential cache ---- */

/* A user's config from /config/users/<sanitized name> (n == 0: gone):
 * keys SCRAM-SHA-256 / SCRAM-SHA-512 hold credentials in Kafka's text
 * form; a malformed one is logged and left out. */
void sasl_user_config_set(struct broker *b, const char *user, const char *const *keys,
			  const char *const *values, int n);
/* The n users that exist (names): credentials of any other user are
 * dropped (deleted while the ZooKeeper session was down). */
void sasl_users_retain(struct broker *b, const char *const *names, int n);
/* NULL when the user has no credential for m. */
const struct scram_cred *sasl_credential_find(const struct broker *b, const char *user,
					      enum scram_mech m);
/* Iterates users with credentials: for (size_t i = 0; sasl_credential_next(b, &i, &u, c);)
 * c[m] is NULL where the user has none for mechanism m. */
int sasl_credential_next(const struct broker *b, size_t *pos, const char **user,
			 const struct scram_cred *creds[SCRAM_NMECH]);

/* ---- the exchange ---- */

struct sasl_reply {
	int16_t error;                  /* 0, or Kafka's error code */
	char message[256];              /* for SaslAuthenticate's error_message */
	uint8_t token[SASL_TOKEN_MAX];  /* the server's token */
	size_t token_len;
	int64_t session_lifetime_ms;    /* set once authenticated (KIP-368) */
};

/* Names of the mechanisms in bits, in a fixed order; returns the count. */
int sasl_mechanism_names(unsigned bits, const char **names, int max);
/* SaslHandshake: 0 and the session waits for tokens (v0: raw frames), or
 * UNSUPPORTED_SASL_MECHANISM / ILLEGAL_SASL_STATE, after which the session
 * is AUTH_FAILED (the connection closes once the answer is out). An
 * authenticated session may hand-shake again (v1+) to re-authenticate
 * with the same mechanism (KIP-368). */
int16_t sasl_handshake(struct broker *b, struct session *s, const struct listener_rt *l,
		       const char *mech, size_t mech_len, int version);
/* One client token (from SaslAuthenticate or a raw frame). On success r's
 * token is the answer and, when the exchange completed, the session is
 * AUTH_AUTHENTICATED with its principal and expiry; on failure r->error
 * is SASL_AUTHENTICATION_FAILED (or ILLEGAL_SASL_STATE) with a message and
 * the session is AUTH_FAILED. */
void sasl_authenticate(struct broker *b, struct session *s, const struct listener_rt *l,
		       const char *peer, const uint8_t *tok, size_t len, struct sasl_reply *r);

#endif
