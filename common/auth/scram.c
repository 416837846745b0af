/* SCRAM (RFC 5802/7677) for Kafka's SCRAM-SHA-256/512: credentials, the
 * server exchange and the client exchange (see scram.h). Messages are
 * handled as NUL-terminated copies of at most SCRAM_MSG_MAX bytes; every
 * comparison of secret material goes through CRYPTO_memcmp. */
#include "common/auth/scram.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/auth/b64.h"

static const char *const mech_names[SCRAM_NMECH] = { "SCRAM-SHA-256", "SCRAM-SHA-512" };

const char *scram_mech_name(enum scram_mech m) { return mech_names[m]; }

int scram_mech_parse(const char *name)
{
	for (int i = 0; i < SCRAM_NMECH; i++)
		if (name && strcmp(name, mech_names[i]) == 0)
			return i;
	return -1;
}

int8_t scram_mech_wire_id(enum scram_mech m) { return (int8_t)(m + 1); }

int scram_mech_from_wire_id(int8_t id)
{
	return id == 1 ? SCRAM_SHA_256 : id == 2 ? SCRAM_SHA_512 : -1;
}

static const EVP_MD *scram_md(enum scram_mech m)
{
	return m == SCRAM_SHA_512 ? EVP_sha512() : EVP_sha256();
}

size_t scram_key_len(enum scram_mech m) { return m == SCRAM_SHA_512 ? 64 : 32; }

static int scram_hmac(enum scram_mech m, const uint8_t *key, size_t klen, const void *data,
		      size_t dlen, uint8_t *out)
{
	unsigned int n = 0;
	return HMAC(scram_md(m), key, (int)klen, data, dlen, out, &n) && n == scram_key_len(m)
		       ? 0 : -1;
}

static int scram_hash(enum scram_mech m, const uint8_t *in, size_t len, uint8_t *out)
{
	unsigned int n = 0;
	return EVP_Digest(in, len, out, &n, scram_md(m), NULL) == 1 ? 0 : -1;
}

int scram_salted_password(enum scram_mech m, const char *password, size_t plen,
			  const uint8_t *salt, size_t salt_len, int iterations,
			  uint8_t out[SCRAM_KEY_MAX])
{
	if (iterations < 1 || salt_len > SCRAM_SALT_MAX)
		return -1;
	return PKCS5_PBKDF2_HMAC(password, (int)plen, salt, (int)salt_len, iterations,
				 scram_md(m), (int)scram_key_len(m), out) == 1 ? 0 : -1;
}

int scram_cred_from_salted(enum scram_mech m, const uint8_t *salted, const uint8_t *salt,
			   size_t salt_len, int iterations, struct scram_cred *out)
{
	uint8_t client_key[SCRAM_KEY_MAX];
	size_t kl = scram_key_len(m);
	if (salt_len > SCRAM_SALT_MAX)
		return -1;
	memset(out, 0, sizeof *out);
	memcpy(out->salt, salt, salt_len);
	out->salt_len = salt_len;
	out->iterations = iterations;
	int rc = scram_hmac(m, salted, kl, "Client Key", 10, client_key) ||
		 scram_hash(m, client_key, kl, out->stored_key) ||
		 scram_hmac(m, salted, kl, "Server Key", 10, out->server_key);
	OPENSSL_cleanse(client_key, sizeof client_key);
	return rc ? -1 : 0;
}

int scram_cred_make(enum scram_mech m, const char *password, const uint8_t *salt,
		    size_t salt_len, int iterations, struct scram_cred *out)
{
	uint8_t rnd[32], salted[SCRAM_KEY_MAX];
	if (!salt) {
		if (RAND_bytes(rnd, sizeof rnd) != 1)
			return -1;
		salt = rnd;
		salt_len = sizeof rnd;
	}
	int rc = scram_salted_password(m, password, strlen(password), salt, salt_len,
				       iterations, salted) ||
		 scram_cred_from_salted(m, salted, salt, salt_len, iterations, out);
	OPENSSL_cleanse(salted, sizeof salted);
	return rc ? -1 : 0;
}

int scram_cred_format(enum scram_mech m, const struct scram_cred *c, char *out, size_t cap)
{
	char salt[SCRAM_SALT_MAX * 2], sk[SCRAM_KEY_MAX * 2], vk[SCRAM_KEY_MAX * 2];
	size_t kl = scram_key_len(m);
	if (b64_encode(c->salt, c->salt_len, salt, sizeof salt) < 0 ||
	    b64_encode(c->stored_key, kl, sk, sizeof sk) < 0 ||
	    b64_encode(c->server_key, kl, vk, sizeof vk) < 0)
		return -1;
	int n = snprintf(out, cap, "salt=%s,stored_key=%s,server_key=%s,iterations=%d", salt,
			 sk, vk, c->iterations);
	return n < 0 || (size_t)n >= cap ? -1 : n;
}

static int fail(char *err, size_t errlen, const char *msg)
{
	if (err && errlen)
		snprintf(err, errlen, "%s", msg);
	return -1;
}

/* One "key=value" of a credential string into out. 0 or -1. */
static int cred_field(enum scram_mech m, const char *key, size_t klen, const char *v,
		      size_t vlen, struct scram_cred *out, unsigned *seen)
{
	size_t kl = scram_key_len(m);
	if (klen == 4 && memcmp(key, "salt", 4) == 0) {
		int n = b64_decode(v, vlen, out->salt, sizeof out->salt);
		if (n <= 0)
			return -1;
		out->salt_len = (size_t)n;
		*seen |= 1;
	} else if (klen == 10 && memcmp(key, "stored_key", 10) == 0) {
		uint8_t k[SCRAM_KEY_MAX + 3];
		if (b64_decode(v, vlen, k, sizeof k) != (int)kl)
			return -1;
		memcpy(out->stored_key, k, kl);
		*seen |= 2;
	} else if (klen == 10 && memcmp(key, "server_key", 10) == 0) {
		uint8_t k[SCRAM_KEY_MAX + 3];
		if (b64_decode(v, vlen, k, sizeof k) != (int)kl)
			return -1;
		memcpy(out->server_key, k, kl);
		*seen |= 4;
	} else if (klen == 10 && memcmp(key, "iterations", 10) == 0) {
		if (vlen == 0 || vlen > 9 || strspn(v, "0123456789") < vlen)
			return -1;
		out->iterations = (int)strtol(v, NULL, 10);
		*seen |= 8;
	}
	/* other keys (Kafka may add some) are ignored */
	return 0;
}

int scram_cred_parse(enum scram_mech m, const char *text, struct scram_cred *out,
		     char *err, size_t errlen)
{
	unsigned seen = 0;
	memset(out, 0, sizeof *out);
	for (const char *p = text; p && *p;) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		const char *eq = memchr(p, '=', n);
		if (!eq)
			return fail(err, errlen, "credential field without '='");
		if (cred_field(m, p, (size_t)(eq - p), eq + 1, n - (size_t)(eq - p) - 1, out,
			       &seen) < 0) {
			char msg[96];
			snprintf(msg, sizeof msg, "bad credential field %.*s", (int)(eq - p), p);
			return fail(err, errlen, msg);
		}
		p = end ? end + 1 : NULL;
	}
	if (seen != 15)
		return fail(err, errlen, "credential lacks salt, stored_key, server_key or iterations");
	if (out->iterations < 1)
		return fail(err, errlen, "credential iterations must be positive");
	return 0;
}

/* ---- message helpers ---- */

/* Copies msg into a NUL-terminated buffer; -1 if too long or holds NUL. */
static int msg_copy(char *dst, size_t cap, const uint8_t *msg, size_t len)
{
	if (len >= cap || memchr(msg, 0, len))
		return -1;
	memcpy(dst, msg, len);
	dst[len] = 0;
	return 0;
}

/* RFC 5802 saslname: "=2C" is ',' and "=3D" is '='; any other '=' is an
 * error. Decodes src[0..n) into dst. 0 or -1. */
static int saslname_decode(const char *src, size_t n, char *dst, size_t cap)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		char ch = src[i];
		if (ch == '=') {
			if (i + 2 >= n)
				return -1;
			if (src[i + 1] == '2' && src[i + 2] == 'C')
				ch = ',';
			else if (src[i + 1] == '3' && src[i + 2] == 'D')
				ch = '=';
			else
				return -1;
			i += 2;
		}
		if (o + 1 >= cap)
			return -1;
		dst[o++] = ch;
	}
	dst[o] = 0;
	return 0;
}

static int saslname_encode(const char *src, char *dst, size_t cap)
{
	size_t o = 0;
	for (; *src; src++) {
		const char *rep = *src == ',' ? "=2C" : *src == '=' ? "=3D" : NULL;
		size_t n = rep ? 3 : 1;
		if (o + n >= cap)
			return -1;
		if (rep)
			memcpy(dst + o, rep, 3);
		else
			dst[o] = *src;
		o += n;
	}
	dst[o] = 0;
	return 0;
}

/* The value of attribute `name` (one letter) at p ("x=value,..."): sets
 * *v and *vlen and returns the position after the value (at ',' or NUL),
 * or NULL if p does not start with it. */
static const char *attr(const char *p, char name, const char **v, size_t *vlen)
{
	if (p[0] != name || p[1] != '=')
		return NULL;
	*v = p + 2;
	*vlen = strcspn(*v, ",");
	return *v + *vlen;
}

static int nonce_ok(const char *v, size_t n)
{
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (v[i] < 0x21 || v[i] > 0x7e || v[i] == ',')
			return 0;
	return 1;
}

static int random_nonce(char *out, size_t cap)
{
	uint8_t r[18];
	if (RAND_bytes(r, sizeof r) != 1)
		return -1;
	return b64_encode(r, sizeof r, out, cap) < 0 ? -1 : 0;
}

/* ---- server ---- */

void scram_server_init(struct scram_server *s, enum scram_mech m)
{
	memset(s, 0, sizeof *s);
	s->mech = m;
}

/* gs2-header: gs2-cbind-flag "," [ "a=" saslname ] ","; sets *authzid. */
static const char *parse_gs2(struct scram_server *s, const char *p, char *authzid,
			     size_t cap, char *err, size_t errlen)
{
	if (p[0] == 'p') {
		fail(err, errlen, "channel binding is not supported");
		return NULL;
	}
	if ((p[0] != 'n' && p[0] != 'y') || p[1] != ',') {
		fail(err, errlen, "malformed gs2 header");
		return NULL;
	}
	const char *q = p + 2, *v;
	size_t vlen = 0;
	authzid[0] = 0;
	const char *after = attr(q, 'a', &v, &vlen);
	if (after) {
		if (saslname_decode(v, vlen, authzid, cap) < 0) {
			fail(err, errlen, "malformed authorization id");
			return NULL;
		}
		q = after;
	}
	if (*q != ',') {
		fail(err, errlen, "malformed gs2 header");
		return NULL;
	}
	q++;
	if ((size_t)(q - p) >= sizeof s->gs2) {
		fail(err, errlen, "gs2 header too long");
		return NULL;
	}
	memcpy(s->gs2, p, (size_t)(q - p));
	s->gs2[q - p] = 0;
	return q;
}

int scram_server_parse_first(struct scram_server *s, const uint8_t *msg, size_t len,
			     char *err, size_t errlen)
{
	char buf[SCRAM_MSG_MAX], authzid[SCRAM_NAME_MAX];
	s->state = SCRAM_S_FAILED;
	if (msg_copy(buf, sizeof buf, msg, len) < 0)
		return fail(err, errlen, "client-first-message too long or has NUL");
	const char *bare = parse_gs2(s, buf, authzid, sizeof authzid, err, errlen), *v;
	size_t vlen = 0;
	if (!bare)
		return -1;
	const char *p = attr(bare, 'n', &v, &vlen);
	if (!p || saslname_decode(v, vlen, s->user, sizeof s->user) < 0 || !s->user[0])
		return fail(err, errlen, "client-first-message lacks a valid user name");
	if (*p != ',' || !(p = attr(p + 1, 'r', &v, &vlen)) || !nonce_ok(v, vlen))
		return fail(err, errlen, "client-first-message lacks a valid nonce");
	if (vlen + sizeof s->server_nonce >= sizeof s->nonce)
		return fail(err, errlen, "client nonce too long");
	memcpy(s->nonce, v, vlen);
	s->nonce[vlen] = 0;
	/* extensions: Kafka's only one is delegation-token authentication */
	while (*p == ',') {
		const char *e = p + 1;
		size_t n = strcspn(e, ",");
		if (n == 14 && strncmp(e, "tokenauth=true", 14) == 0)
			s->token_auth = 1;
		p = e + n;
	}
	if (authzid[0] && strcmp(authzid, s->user) != 0)
		return fail(err, errlen,
			    "authorization id differs from the user name");
	snprintf(s->client_first_bare, sizeof s->client_first_bare, "%s", bare);
	s->state = SCRAM_S_START;
	return 0;
}

/* A credential that no proof matches, stable per user name. */
static int fake_cred(struct scram_server *s, const uint8_t *secret, size_t slen)
{
	uint8_t salt[SCRAM_KEY_MAX];
	uint8_t key[SCRAM_KEY_MAX];
	memset(&s->cred, 0, sizeof s->cred);
	if (scram_hmac(SCRAM_SHA_256, secret, slen, s->user, strlen(s->user), salt) ||
	    RAND_bytes(key, sizeof key) != 1)
		return -1;
	memcpy(s->cred.salt, salt, 32);
	s->cred.salt_len = 32;
	memcpy(s->cred.stored_key, key, sizeof key);
	memcpy(s->cred.server_key, key, sizeof key);
	s->cred.iterations = SCRAM_MIN_ITERATIONS;
	return 0;
}

int scram_server_first_reply(struct scram_server *s, const struct scram_cred *cred,
			     const uint8_t *fake_secret, size_t secret_len,
			     char *out, size_t cap)
{
	if (s->state != SCRAM_S_START)
		return -1;
	s->state = SCRAM_S_FAILED;
	s->known = cred != NULL && !s->token_auth;
	if (s->known)
		s->cred = *cred;
	else if (fake_cred(s, fake_secret, secret_len) < 0)
		return -1;
	if (!s->server_nonce[0] && random_nonce(s->server_nonce, sizeof s->server_nonce) < 0)
		return -1;
	size_t have = strlen(s->nonce);
	if (have + strlen(s->server_nonce) >= sizeof s->nonce)
		return -1;
	strcat(s->nonce, s->server_nonce);
	char salt[SCRAM_SALT_MAX * 2];
	if (b64_encode(s->cred.salt, s->cred.salt_len, salt, sizeof salt) < 0)
		return -1;
	int n = snprintf(s->server_first, sizeof s->server_first, "r=%s,s=%s,i=%d", s->nonce,
			 salt, s->cred.iterations);
	if (n < 0 || (size_t)n >= sizeof s->server_first || (size_t)n >= cap)
		return -1;
	memcpy(out, s->server_first, (size_t)n + 1);
	s->state = SCRAM_S_FIRST_SENT;
	return n;
}

/* AuthMessage = client-first-bare "," server-first "," client-final-without-proof */
static int auth_message(char *out, size_t cap, const char *cfb, const char *sf,
			const char *cf, size_t cf_len)
{
	int n = snprintf(out, cap, "%s,%s,%.*s", cfb, sf, (int)cf_len, cf);
	return n < 0 || (size_t)n >= cap ? -1 : n;
}

/* Splits client-final at ",p=": checks channel binding and nonce, decodes
 * the proof. Returns the length without the proof, or -1. */
static int parse_client_final(struct scram_server *s, const char *buf, uint8_t *proof,
			      char *err, size_t errlen)
{
	size_t kl = scram_key_len(s->mech);
	const char *pp = strstr(buf, ",p=");
	if (!pp || strchr(pp + 3, ','))
		return fail(err, errlen, "client-final-message lacks the proof");
	const char *v, *p;
	size_t vlen = 0;
	uint8_t cb[sizeof s->gs2];
	int cbn;
	if (!(p = attr(buf, 'c', &v, &vlen)) ||
	    (cbn = b64_decode(v, vlen, cb, sizeof cb - 1)) < 0 ||
	    (size_t)cbn != strlen(s->gs2) || memcmp(cb, s->gs2, (size_t)cbn) != 0)
		return fail(err, errlen, "channel binding does not match the gs2 header");
	/* Kafka's ScramSaslServer accepts a nonce that ends with the one it sent
	 * (librdkafka puts its client nonce before the whole server nonce); the
	 * proof covers the message as sent, so this admits nothing unproven */
	size_t nl = strlen(s->nonce);
	if (*p != ',' || !(p = attr(p + 1, 'r', &v, &vlen)) || vlen < nl ||
	    memcmp(v + vlen - nl, s->nonce, nl) != 0)
		return fail(err, errlen, "nonce does not match");
	uint8_t pr[SCRAM_KEY_MAX + 3];
	if (b64_decode(pp + 3, strlen(pp + 3), pr, sizeof pr) != (int)kl)
		return fail(err, errlen, "malformed proof");
	memcpy(proof, pr, kl);
	return (int)(pp - buf);
}

int scram_server_final(struct scram_server *s, const uint8_t *msg, size_t len,
		       char *out, size_t cap, char *err, size_t errlen)
{
	char buf[SCRAM_MSG_MAX], am[3 * SCRAM_MSG_MAX];
	uint8_t proof[SCRAM_KEY_MAX], sig[SCRAM_KEY_MAX], ck[SCRAM_KEY_MAX], sk[SCRAM_KEY_MAX];
	size_t kl = scram_key_len(s->mech);
	if (s->state != SCRAM_S_FIRST_SENT)
		return fail(err, errlen, "unexpected client-final-message");
	s->state = SCRAM_S_FAILED;
	if (msg_copy(buf, sizeof buf, msg, len) < 0)
		return fail(err, errlen, "client-final-message too long or has NUL");
	int wl = parse_client_final(s, buf, proof, err, errlen);
	if (wl < 0)
		return -1;
	int an = auth_message(am, sizeof am, s->client_first_bare, s->server_first, buf,
			      (size_t)wl);
	if (an < 0 || scram_hmac(s->mech, s->cred.stored_key, kl, am, (size_t)an, sig))
		return fail(err, errlen, "internal error");
	for (size_t i = 0; i < kl; i++)
		ck[i] = proof[i] ^ sig[i];
	if (scram_hash(s->mech, ck, kl, sk))
		return fail(err, errlen, "internal error");
	int match = CRYPTO_memcmp(sk, s->cred.stored_key, kl) == 0;
	if (!match || !s->known)
		return fail(err, errlen, s->token_auth ? "delegation tokens are not supported"
							: "invalid credentials");
	if (scram_hmac(s->mech, s->cred.server_key, kl, am, (size_t)an, sig))
		return fail(err, errlen, "internal error");
	char v[SCRAM_KEY_MAX * 2];
	b64_encode(sig, kl, v, sizeof v);
	int n = snprintf(out, cap, "v=%s", v);
	if (n < 0 || (size_t)n >= cap)
		return fail(err, errlen, "internal error");
	s->state = SCRAM_S_DONE;
	return n;
}

/* ---- client ---- */

void scram_client_init(struct scram_client *c, enum scram_mech m)
{
	memset(c, 0, sizeof *c);
	c->mech = m;
}

int scram_client_first(struct scram_client *c, const char *user, char *out, size_t cap)
{
	char name[SCRAM_NAME_MAX * 3];
	if (saslname_encode(user, name, sizeof name) < 0)
		return -1;
	if (!c->cnonce[0] && random_nonce(c->cnonce, sizeof c->cnonce) < 0)
		return -1;
	int n = snprintf(c->client_first_bare, sizeof c->client_first_bare, "n=%s,r=%s", name,
			 c->cnonce);
	if (n < 0 || (size_t)n >= sizeof c->client_first_bare)
		return -1;
	n = snprintf(out, cap, "n,,%s", c->client_first_bare);
	return n < 0 || (size_t)n >= cap ? -1 : n;
}

int scram_client_final(struct scram_client *c, const uint8_t *server_first, size_t len,
		       const char *password, char *out, size_t cap, char *err, size_t errlen)
{
	char sf[SCRAM_MSG_MAX], wp[SCRAM_MSG_MAX], am[3 * SCRAM_MSG_MAX];
	if (msg_copy(sf, sizeof sf, server_first, len) < 0)
		return fail(err, errlen, "server-first-message too long");
	const char *v, *p, *nonce;
	size_t vlen = 0, nlen = 0;
	if (!(p = attr(sf, 'r', &nonce, &nlen)) || nlen <= strlen(c->cnonce) ||
	    strncmp(nonce, c->cnonce, strlen(c->cnonce)) != 0 || !nonce_ok(nonce, nlen))
		return fail(err, errlen, "server nonce does not extend ours");
	uint8_t salt[SCRAM_SALT_MAX];
	int sl;
	if (*p != ',' || !(p = attr(p + 1, 's', &v, &vlen)) ||
	    (sl = b64_decode(v, vlen, salt, sizeof salt)) <= 0)
		return fail(err, errlen, "server-first-message lacks a salt");
	if (*p != ',' || !(p = attr(p + 1, 'i', &v, &vlen)) || vlen == 0 || vlen > 9 ||
	    strspn(v, "0123456789") < vlen)
		return fail(err, errlen, "server-first-message lacks iterations");
	int iter = (int)strtol(v, NULL, 10);
	if (iter < SCRAM_MIN_ITERATIONS)
		return fail(err, errlen, "server asks for fewer iterations than allowed");
	size_t kl = scram_key_len(c->mech);
	uint8_t salted[SCRAM_KEY_MAX], ck[SCRAM_KEY_MAX], stored[SCRAM_KEY_MAX],
		sig[SCRAM_KEY_MAX], svk[SCRAM_KEY_MAX];
	int wn = snprintf(wp, sizeof wp, "c=biws,r=%.*s", (int)nlen, nonce);
	int an = wn < 0 || (size_t)wn >= sizeof wp ? -1
		 : auth_message(am, sizeof am, c->client_first_bare, sf, wp, (size_t)wn);
	if (an < 0 ||
	    scram_salted_password(c->mech, password, strlen(password), salt, (size_t)sl, iter,
				  salted) ||
	    scram_hmac(c->mech, salted, kl, "Client Key", 10, ck) ||
	    scram_hash(c->mech, ck, kl, stored) ||
	    scram_hmac(c->mech, stored, kl, am, (size_t)an, sig) ||
	    scram_hmac(c->mech, salted, kl, "Server Key", 10, svk) ||
	    scram_hmac(c->mech, svk, kl, am, (size_t)an, c->server_signature))
		return fail(err, errlen, "internal error");
	for (size_t i = 0; i < kl; i++)
		ck[i] ^= sig[i];
	char proof[SCRAM_KEY_MAX * 2];
	b64_encode(ck, kl, proof, sizeof proof);
	OPENSSL_cleanse(salted, sizeof salted);
	int n = snprintf(out, cap, "%s,p=%s", wp, proof);
	return n < 0 || (size_t)n >= cap ? fail(err, errlen, "internal error") : n;
}

int scram_client_verify(struct scram_client *c, const uint8_t *server_final, size_t len,
			char *err, size_t errlen)
{
	char buf[SCRAM_MSG_MAX];
	if (msg_copy(buf, sizeof buf, server_final, len) < 0)
		return fail(err, errlen, "server-final-message too long");
	if (buf[0] == 'e' && buf[1] == '=') {
		char msg[160];
		snprintf(msg, sizeof msg, "server error: %.120s", buf + 2);
		return fail(err, errlen, msg);
	}
	uint8_t sig[SCRAM_KEY_MAX + 3];
	size_t kl = scram_key_len(c->mech);
	if (buf[0] != 'v' || buf[1] != '=' ||
	    b64_decode(buf + 2, strcspn(buf + 2, ","), sig, sizeof sig) != (int)kl ||
	    CRYPTO_memcmp(sig, c->server_signature, kl) != 0)
		return fail(err, errlen, "server signature does not match");
	return 0;
}
