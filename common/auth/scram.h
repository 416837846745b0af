/* SCRAM-SHA-256 and SCRAM-SHA-512 (RFC 5802, RFC 7677) as Kafka speaks them:
 * the credential Kafka stores per user and mechanism (salt, StoredKey,
 * ServerKey, iterations; text form "salt=<b64>,stored_key=<b64>,
 * server_key=<b64>,iterations=<n>"), the server side of the exchange the
 * broker runs, and the client side inter-broker connections run. Pure:
 * no sockets, no logging; PBKDF2, HMAC and digests from OpenSSL, every
 * secret comparison constant-time. */
#ifndef GREGOR_AUTH_SCRAM_H
#define GREGOR_AUTH_SCRAM_H

#include <stddef.h>
#include <stdint.h>

enum scram_mech { SCRAM_SHA_256 = 0, SCRAM_SHA_512 = 1 };
#define SCRAM_NMECH 2
#define SCRAM_KEY_MAX 64     /* SHA-512 output */
#define SCRAM_SALT_MAX 128
#define SCRAM_NAME_MAX 256   /* user names, decoded */
#define SCRAM_MSG_MAX 1024   /* any one SCRAM message */
/* Kafka's ScramMechanism bounds on iterations */
#define SCRAM_MIN_ITERATIONS 4096
#define SCRAM_MAX_ITERATIONS 16384

struct scram_cred {
	uint8_t salt[SCRAM_SALT_MAX];
	size_t salt_len;
	uint8_t stored_key[SCRAM_KEY_MAX];
	uint8_t server_key[SCRAM_KEY_MAX];
	int iterations;
};

/* "SCRAM-SHA-256" / "SCRAM-SHA-512"; parse returns the mech or -1. */
const char *scram_mech_name(enum scram_mech m);
int scram_mech_parse(const char *name);
/* Kafka's ScramMechanism wire ids in Describe/AlterUserScramCredentials
 * (1 = SHA-256, 2 = SHA-512; 0 unknown); -1 when id is neither. */
int8_t scram_mech_wire_id(enum scram_mech m);
int scram_mech_from_wire_id(int8_t id);
size_t scram_key_len(enum scram_mech m);

/* SaltedPassword = PBKDF2(password, salt, iterations). 0 or -1. */
int scram_salted_password(enum scram_mech m, const char *password, size_t plen,
			  const uint8_t *salt, size_t salt_len, int iterations,
			  uint8_t out[SCRAM_KEY_MAX]);
/* StoredKey and ServerKey from a salted password (what
 * AlterUserScramCredentials sends). 0 or -1. */
int scram_cred_from_salted(enum scram_mech m, const uint8_t *salted, const uint8_t *salt,
			   size_t salt_len, int iterations, struct scram_cred *out);
/* A credential for password with the given salt (NULL: 32 random bytes). */
int scram_cred_make(enum scram_mech m, const char *password, const uint8_t *salt,
		    size_t salt_len, int iterations, struct scram_cred *out);
/* Kafka's text form; returns its length or -1 if cap is too small. */
int scram_cred_format(enum scram_mech m, const struct scram_cred *c, char *out, size_t cap);
/* Parses Kafka's text form (keys in any order, all four required, key
 * lengths matching the mechanism). 0, or -1 with a reason in err. */
int scram_cred_parse(enum scram_mech m, const char *text, struct scram_cred *out,
		     char *err, size_t errlen);

/* ---- server side ---- */

enum scram_server_state { SCRAM_S_START, SCRAM_S_FIRST_SENT, SCRAM_S_DONE, SCRAM_S_FAILED };

struct scram_server {
	enum scram_mech mech;
	enum scram_server_state state;
	char user[SCRAM_NAME_MAX];      /* decoded saslname of client-first */
	char gs2[SCRAM_NAME_MAX + 8];   /* the client's gs2 header, e.g. "n,," */
	char client_first_bare[SCRAM_MSG_MAX];
	char server_first[SCRAM_MSG_MAX];
	char nonce[SCRAM_MSG_MAX];      /* client nonce + server nonce */
	char server_nonce[64];          /* set before step 1 to fix it (tests) */
	struct scram_cred cred;
	int known;                      /* 0: a fake credential, always fails */
	int token_auth;                 /* client asked for delegation tokens */
};

void scram_server_init(struct scram_server *s, enum scram_mech m);
/* Step 1: parses client-first-message into s->user; 0, or -1 with err. */
int scram_server_parse_first(struct scram_server *s, const uint8_t *msg, size_t len,
			     char *err, size_t errlen);
/* Step 1b: the user's credential, or NULL for an unknown user; then a fake
 * one derived from fake_secret and the user name, so that salt and
 * iterations look alike for every attempt at that name. Writes
 * server-first-message; returns its length or -1. */
int scram_server_first_reply(struct scram_server *s, const struct scram_cred *cred,
			     const uint8_t *fake_secret, size_t secret_len,
			     char *out, size_t cap);
/* Step 2: verifies client-final-message; on success writes
 * server-final-message and returns its length, else -1 with err. An unknown
 * user fails here exactly like a wrong password. */
int scram_server_final(struct scram_server *s, const uint8_t *msg, size_t len,
		       char *out, size_t cap, char *err, size_t errlen);

/* ---- client side ---- */

struct scram_client {
	enum scram_mech mech;
	char client_first_bare[SCRAM_MSG_MAX];
	char cnonce[64];                /* set before first to fix it (tests) */
	uint8_t server_signature[SCRAM_KEY_MAX];
};

void scram_client_init(struct scram_client *c, enum scram_mech m);
/* client-first-message for user; returns its length or -1. */
int scram_client_first(struct scram_client *c, const char *user, char *out, size_t cap);
/* client-final-message from server-first and the password; length or -1
 * with err (bad nonce, too few iterations). */
int scram_client_final(struct scram_client *c, const uint8_t *server_first, size_t len,
		       const char *password, char *out, size_t cap, char *err, size_t errlen);
/* Checks server-final-message's signature; 0 or -1 with err. */
int scram_client_verify(struct scram_client *c, const uint8_t *server_final, size_t len,
			char *err, size_t errlen);

#endif
