/* tls_ctx: an OpenSSL SSL_CTX built from Kafka's ssl.* settings (see tls.h).
 * Stores are PEM (files, or inline PEM text as in Kafka's
 * ssl.keystore.certificate.chain / ssl.keystore.key /
 * ssl.truststore.certificates) or PKCS12; a store whose type is not given is
 * recognised by its content. Every failure names the key to fix. */
#include "common/net/tls.h"
#include "common/net/tls_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#define STORE_MAX_BYTES (1 << 20) /* a store is a few KiB; refuse anything huge */

static const char *const key_names[TLS_NKEYS] = {
	[TLS_KEYSTORE_TYPE] = "ssl.keystore.type",
	[TLS_KEYSTORE_LOCATION] = "ssl.keystore.location",
	[TLS_KEYSTORE_PASSWORD] = "ssl.keystore.password",
	[TLS_KEY_PASSWORD] = "ssl.key.password",
	[TLS_KEYSTORE_KEY] = "ssl.keystore.key",
	[TLS_KEYSTORE_CERTIFICATE_CHAIN] = "ssl.keystore.certificate.chain",
	[TLS_TRUSTSTORE_TYPE] = "ssl.truststore.type",
	[TLS_TRUSTSTORE_LOCATION] = "ssl.truststore.location",
	[TLS_TRUSTSTORE_PASSWORD] = "ssl.truststore.password",
	[TLS_TRUSTSTORE_CERTIFICATES] = "ssl.truststore.certificates",
	[TLS_CLIENT_AUTH] = "ssl.client.auth",
	[TLS_ENABLED_PROTOCOLS] = "ssl.enabled.protocols",
	[TLS_CIPHER_SUITES] = "ssl.cipher.suites",
	[TLS_ENDPOINT_IDENTIFICATION_ALGORITHM] = "ssl.endpoint.identification.algorithm",
};

const char *tls_key_name(enum tls_key k)
{
	return (unsigned)k < TLS_NKEYS ? key_names[k] : "?";
}

/* What the settings were built against, for messages. */
struct build {
	const struct tls_settings *s;
	char *err;
	size_t errlen;
};

static const char *val(const struct build *b, enum tls_key k)
{
	const char *v = b->s->value[k];
	return v && *v ? v : NULL;
}

static const char *kname(const struct build *b, enum tls_key k)
{
	return b->s->key[k][0] ? b->s->key[k] : key_names[k];
}

static void ssl_reason(char *buf, size_t n)
{
	unsigned long e = ERR_peek_last_error();
	if (e)
		ERR_error_string_n(e, buf, n);
	else
		snprintf(buf, n, "no detail");
	ERR_clear_error();
}

static int fail(struct build *b, enum tls_key k, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(struct build *b, enum tls_key k, const char *fmt, ...)
{
	char msg[384];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	snprintf(b->err, b->errlen, "%s: %s", kname(b, k), msg);
	return -1;
}

/* ---- reading stores ---- */

static int read_file(struct build *b, enum tls_key k, const char *path, char **out,
		     size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return fail(b, k, "cannot read %s: %s", path, strerror(errno));
	char *buf = malloc(STORE_MAX_BYTES + 1);
	errno = 0;
	size_t n = buf ? fread(buf, 1, STORE_MAX_BYTES + 1, f) : 0;
	int bad = ferror(f) ? (errno ? errno : EIO) : 0;
	fclose(f);
	if (!buf)
		return fail(b, k, "out of memory");
	if (bad || n == 0 || n > STORE_MAX_BYTES) {
		free(buf);
		return fail(b, k, "cannot read %s: %s", path,
			    bad ? strerror(bad) : n == 0 ? "empty file" : "larger than 1 MiB");
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

enum store_kind { STORE_PEM, STORE_PKCS12 };

/* The store type: given (PEM, PKCS12; JKS only if the file is not really
 * JKS, as Java reads PKCS12 files through a JKS keystore too), else by
 * content. */
static int store_kind(struct build *b, enum tls_key type_key, enum tls_key loc_key,
		      const char *data, size_t len)
{
	const char *t = val(b, type_key);
	int is_pem = strstr(data, "-----BEGIN ") != NULL;
	int is_jks = len >= 4 && (unsigned char)data[0] == 0xFE && (unsigned char)data[1] == 0xED &&
		     (unsigned char)data[2] == 0xFE && (unsigned char)data[3] == 0xED;
	if (t && strcasecmp(t, "PEM") == 0)
		return STORE_PEM;
	if (t && strcasecmp(t, "PKCS12") == 0)
		return STORE_PKCS12;
	if (t && strcasecmp(t, "JKS") != 0)
		return fail(b, type_key, "unknown store type '%.40s' (PEM or PKCS12)", t);
	if (is_jks)
		return fail(b, t ? type_key : loc_key, "%s is a Java JKS keystore, which Gregor "
			    "cannot read; convert it to PKCS12 (keytool -importkeystore "
			    "-deststoretype PKCS12) or use PEM", val(b, loc_key));
	return is_pem ? STORE_PEM : STORE_PKCS12;
}

/* Inline PEM as Kafka accepts it: a properties value whose line breaks may
 * be gone (backslash continuations) or be spaces. Rewrites every
 * BEGIN/END block with its base64 in 64-character lines. NULL on a value
 * without a complete block. */
static char *pem_normalize(const char *in)
{
	size_t cap = strlen(in) * 2 + 64, o = 0;
	char *out = malloc(cap);
	if (!out)
		return NULL;
	const char *p = in;
	int blocks = 0;
	while ((p = strstr(p, "-----BEGIN "))) {
		const char *lab = p + 11, *le = strstr(lab, "-----");
		if (!le)
			break;
		char end[96];
		int ll = (int)(le - lab);
		if (ll <= 0 || ll > 60)
			break;
		snprintf(end, sizeof end, "-----END %.*s-----", ll, lab);
		const char *body = le + 5, *be = strstr(body, end);
		if (!be)
			break;
		o += (size_t)snprintf(out + o, cap - o, "-----BEGIN %.*s-----\n", ll, lab);
		int col = 0;
		for (const char *q = body; q < be; q++) {
			if (*q == ' ' || *q == '\t' || *q == '\r' || *q == '\n' || *q == '\\')
				continue;
			out[o++] = *q;
			if (++col == 64) {
				out[o++] = '\n';
				col = 0;
			}
		}
		if (col)
			out[o++] = '\n';
		o += (size_t)snprintf(out + o, cap - o, "%s\n", end);
		p = be + strlen(end);
		blocks++;
	}
	out[o] = '\0';
	if (!blocks) {
		free(out);
		return NULL;
	}
	return out;
}

static int pass_cb(char *buf, int size, int rw, void *u)
{
	(void)rw;
	const char *pw = u;
	if (!pw)
		return -1; /* encrypted but no password: fail rather than prompt */
	int n = (int)strlen(pw);
	if (n > size)
		return -1;
	memcpy(buf, pw, (size_t)n);
	return n;
}

/* Every CERTIFICATE block of a PEM text, in order. */
static STACK_OF(X509) *pem_certs(const char *data, size_t len)
{
	STACK_OF(X509) *certs = sk_X509_new_null();
	BIO *bio = BIO_new_mem_buf(data, (int)len);
	X509 *x;
	while (certs && bio && (x = PEM_read_bio_X509(bio, NULL, NULL, NULL)))
		if (!sk_X509_push(certs, x))
			X509_free(x);
	BIO_free(bio);
	ERR_clear_error(); /* the loop ends on "no start line" */
	return certs;
}

/* ---- keystore ---- */

struct identity {
	EVP_PKEY *key;
	X509 *cert;
	STACK_OF(X509) *chain;
};

static void identity_free(struct identity *id)
{
	EVP_PKEY_free(id->key);
	X509_free(id->cert);
	sk_X509_pop_free(id->chain, X509_free);
	memset(id, 0, sizeof *id);
}

static int identity_pem(struct build *b, const char *certs_pem, const char *key_pem,
			enum tls_key cert_key, enum tls_key pkey_key, struct identity *id)
{
	id->chain = pem_certs(certs_pem, strlen(certs_pem));
	if (!id->chain || sk_X509_num(id->chain) == 0)
		return fail(b, cert_key, "no PEM certificate found");
	id->cert = sk_X509_shift(id->chain);
	BIO *bio = BIO_new_mem_buf(key_pem, -1);
	const char *pw = val(b, TLS_KEY_PASSWORD);
	id->key = bio ? PEM_read_bio_PrivateKey(bio, NULL, pass_cb, (void *)pw) : NULL;
	BIO_free(bio);
	if (id->key)
		return 0;
	char why[160];
	ssl_reason(why, sizeof why);
	if (strstr(key_pem, "ENCRYPTED"))
		return fail(b, TLS_KEY_PASSWORD, "cannot decrypt the private key in %s "
			    "(%s password)", kname(b, pkey_key), pw ? "wrong" : "missing");
	return fail(b, pkey_key, "no readable PEM private key (%s)", why);
}

/* A PKCS12 store's contents: its MAC checked with the password (when the
 * file has one), then parsed. what is "keystore" or "truststore"; loc and
 * pw are its location and password keys, named in the error. 0 or -1. */
static int pkcs12_open(struct build *b, const char *what, enum tls_key loc, enum tls_key pw_key,
		       const char *data, size_t len, EVP_PKEY **key, X509 **cert,
		       STACK_OF(X509) **ca)
{
	const char *path = val(b, loc);
	const char *pw = val(b, pw_key);
	BIO *bio = BIO_new_mem_buf(data, (int)len);
	PKCS12 *p12 = bio ? d2i_PKCS12_bio(bio, NULL) : NULL;
	BIO_free(bio);
	if (!p12) {
		ERR_clear_error();
		return fail(b, loc, "%s is neither PEM nor PKCS12", path);
	}
	if (PKCS12_mac_present(p12) && !PKCS12_verify_mac(p12, pw ? pw : "", -1) &&
	    !PKCS12_verify_mac(p12, NULL, 0)) {
		PKCS12_free(p12);
		ERR_clear_error();
		return fail(b, pw_key, "%s password for %s %s", pw ? "wrong" : "missing", what,
			    path);
	}
	int ok = PKCS12_parse(p12, pw ? pw : "", key, cert, ca);
	PKCS12_free(p12);
	if (!ok) {
		char why[160];
		ssl_reason(why, sizeof why);
		return fail(b, loc, "cannot read %s %s (%s)", what, path, why);
	}
	return 0;
}

static int identity_pkcs12(struct build *b, const char *data, size_t len, struct identity *id)
{
	if (pkcs12_open(b, "keystore", TLS_KEYSTORE_LOCATION, TLS_KEYSTORE_PASSWORD, data, len,
			&id->key, &id->cert, &id->chain) < 0)
		return -1;
	if (!id->key || !id->cert)
		return fail(b, TLS_KEYSTORE_LOCATION, "keystore %s holds no private key with "
			    "its certificate", val(b, TLS_KEYSTORE_LOCATION));
	return 0;
}

/* Reads the keystore into id; 1 if there is none, 0 loaded, -1 error. */
static int keystore_load(struct build *b, struct identity *id)
{
	const char *loc = val(b, TLS_KEYSTORE_LOCATION);
	const char *chain = val(b, TLS_KEYSTORE_CERTIFICATE_CHAIN);
	const char *key = val(b, TLS_KEYSTORE_KEY);
	if (chain || key) {
		if (!chain || !key)
			return fail(b, chain ? TLS_KEYSTORE_KEY : TLS_KEYSTORE_CERTIFICATE_CHAIN,
				    "required together with %s",
				    kname(b, chain ? TLS_KEYSTORE_CERTIFICATE_CHAIN : TLS_KEYSTORE_KEY));
		if (loc)
			return fail(b, TLS_KEYSTORE_LOCATION, "cannot be combined with %s",
				    kname(b, TLS_KEYSTORE_CERTIFICATE_CHAIN));
		const char *t = val(b, TLS_KEYSTORE_TYPE);
		if (t && strcasecmp(t, "PEM") != 0)
			return fail(b, TLS_KEYSTORE_TYPE, "must be PEM for %s",
				    kname(b, TLS_KEYSTORE_CERTIFICATE_CHAIN));
		char *c = pem_normalize(chain), *k = pem_normalize(key);
		int rc;
		if (!c)
			rc = fail(b, TLS_KEYSTORE_CERTIFICATE_CHAIN, "no PEM certificate found");
		else if (!k)
			rc = fail(b, TLS_KEYSTORE_KEY, "no PEM private key found");
		else
			rc = identity_pem(b, c, k, TLS_KEYSTORE_CERTIFICATE_CHAIN, TLS_KEYSTORE_KEY, id);
		free(c);
		free(k);
		return rc;
	}
	if (!loc)
		return 1;
	char *data;
	size_t len;
	if (read_file(b, TLS_KEYSTORE_LOCATION, loc, &data, &len) < 0)
		return -1;
	int kind = store_kind(b, TLS_KEYSTORE_TYPE, TLS_KEYSTORE_LOCATION, data, len);
	int rc = kind < 0 ? -1
		 : kind == STORE_PEM ? identity_pem(b, data, data, TLS_KEYSTORE_LOCATION,
						    TLS_KEYSTORE_LOCATION, id)
				     : identity_pkcs12(b, data, len, id);
	OPENSSL_cleanse(data, len);
	free(data);
	return rc;
}

static int keystore_apply(struct build *b, SSL_CTX *c, enum tls_role role)
{
	struct identity id = { 0 };
	int rc = keystore_load(b, &id);
	if (rc == 1) {
		if (role == TLS_CLIENT)
			return 0; /* a client without a certificate: fine */
		return fail(b, TLS_KEYSTORE_LOCATION, "required for an SSL listener (or %s "
			    "with %s)", kname(b, TLS_KEYSTORE_CERTIFICATE_CHAIN),
			    kname(b, TLS_KEYSTORE_KEY));
	}
	if (rc < 0) {
		identity_free(&id); /* what was read before the failure */
		return -1;
	}
	enum tls_key where = val(b, TLS_KEYSTORE_LOCATION) ? TLS_KEYSTORE_LOCATION
							   : TLS_KEYSTORE_CERTIFICATE_CHAIN;
	rc = 0;
	if (SSL_CTX_use_certificate(c, id.cert) != 1 || SSL_CTX_use_PrivateKey(c, id.key) != 1) {
		char why[160];
		ssl_reason(why, sizeof why);
		rc = fail(b, where, "unusable certificate or key (%s)", why);
	} else if (SSL_CTX_check_private_key(c) != 1) {
		ERR_clear_error();
		rc = fail(b, where, "the private key does not match the certificate");
	}
	for (int i = 0; rc == 0 && id.chain && i < sk_X509_num(id.chain); i++)
		if (SSL_CTX_add1_chain_cert(c, sk_X509_value(id.chain, i)) != 1)
			rc = fail(b, where, "cannot use chain certificate %d", i + 1);
	identity_free(&id);
	return rc;
}

/* ---- truststore ---- */

static int trust_add(struct build *b, X509_STORE *st, STACK_OF(X509) *certs, enum tls_key k)
{
	int n = certs ? sk_X509_num(certs) : 0;
	if (n == 0)
		return fail(b, k, "no certificate found");
	for (int i = 0; i < n; i++)
		if (X509_STORE_add_cert(st, sk_X509_value(certs, i)) != 1) {
			unsigned long e = ERR_peek_last_error();
			ERR_clear_error();
			if (ERR_GET_REASON(e) != X509_R_CERT_ALREADY_IN_HASH_TABLE)
				return fail(b, k, "cannot add certificate %d", i + 1);
		}
	return 0;
}

static int trust_pkcs12(struct build *b, X509_STORE *st, const char *data, size_t len)
{
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	STACK_OF(X509) *ca = NULL;
	if (pkcs12_open(b, "truststore", TLS_TRUSTSTORE_LOCATION, TLS_TRUSTSTORE_PASSWORD, data,
			len, &key, &cert, &ca) < 0)
		return -1;
	if (cert) {
		if (!ca)
			ca = sk_X509_new_null();
		if (ca && !sk_X509_push(ca, cert))
			X509_free(cert);
	}
	int rc = trust_add(b, st, ca, TLS_TRUSTSTORE_LOCATION);
	EVP_PKEY_free(key);
	sk_X509_pop_free(ca, X509_free);
	return rc;
}

static int truststore_apply(struct build *b, SSL_CTX *c)
{
	const char *loc = val(b, TLS_TRUSTSTORE_LOCATION);
	const char *inl = val(b, TLS_TRUSTSTORE_CERTIFICATES);
	X509_STORE *st = SSL_CTX_get_cert_store(c);
	if (loc && inl)
		return fail(b, TLS_TRUSTSTORE_LOCATION, "cannot be combined with %s",
			    kname(b, TLS_TRUSTSTORE_CERTIFICATES));
	if (inl) {
		char *pem = pem_normalize(inl);
		STACK_OF(X509) *certs = pem ? pem_certs(pem, strlen(pem)) : NULL;
		int rc = trust_add(b, st, certs, TLS_TRUSTSTORE_CERTIFICATES);
		sk_X509_pop_free(certs, X509_free);
		free(pem);
		return rc;
	}
	if (!loc) {
		/* as Java without a truststore: the platform's CAs */
		if (SSL_CTX_set_default_verify_paths(c) != 1)
			ERR_clear_error();
		return 0;
	}
	char *data;
	size_t len;
	if (read_file(b, TLS_TRUSTSTORE_LOCATION, loc, &data, &len) < 0)
		return -1;
	int kind = store_kind(b, TLS_TRUSTSTORE_TYPE, TLS_TRUSTSTORE_LOCATION, data, len);
	int rc = -1;
	if (kind == STORE_PEM) {
		STACK_OF(X509) *certs = pem_certs(data, len);
		rc = trust_add(b, st, certs, TLS_TRUSTSTORE_LOCATION);
		sk_X509_pop_free(certs, X509_free);
	} else if (kind == STORE_PKCS12) {
		rc = trust_pkcs12(b, st, data, len);
	}
	free(data);
	return rc;
}

/* ---- protocols, ciphers, client auth ---- */

static int protocol_version(const char *s, size_t n)
{
	if (n == 7 && strncmp(s, "TLSv1.2", 7) == 0)
		return TLS1_2_VERSION;
	if (n == 7 && strncmp(s, "TLSv1.3", 7) == 0)
		return TLS1_3_VERSION;
	return 0;
}

static int protocols_apply(struct build *b, SSL_CTX *c, int *has12, int *has13)
{
	const char *list = val(b, TLS_ENABLED_PROTOCOLS);
	if (!list)
		list = "TLSv1.2,TLSv1.3";
	*has12 = *has13 = 0;
	for (const char *p = list; *p;) {
		while (*p == ' ' || *p == ',')
			p++;
		size_t n = strcspn(p, ", ");
		if (!n)
			break;
		int v = protocol_version(p, n);
		if (!v)
			return fail(b, TLS_ENABLED_PROTOCOLS, "unknown or unsupported protocol "
				    "'%.*s' (TLSv1.2 and TLSv1.3 are supported)", (int)(n > 40 ? 40 : n), p);
		*has12 |= v == TLS1_2_VERSION;
		*has13 |= v == TLS1_3_VERSION;
		p += n;
	}
	if (!*has12 && !*has13)
		return fail(b, TLS_ENABLED_PROTOCOLS, "no protocol enabled");
	SSL_CTX_set_min_proto_version(c, *has12 ? TLS1_2_VERSION : TLS1_3_VERSION);
	SSL_CTX_set_max_proto_version(c, *has13 ? TLS1_3_VERSION : TLS1_2_VERSION);
	return 0;
}

static int is_tls13_suite(const char *name)
{
	return strncmp(name, "TLS_AES_", 8) == 0 || strncmp(name, "TLS_CHACHA20_", 13) == 0;
}

/* Without ssl.cipher.suites: OpenSSL's TLS 1.3 suites, AES-128-GCM first,
 * and on a server its own order wins. OpenSSL's default puts AES-256-GCM
 * first, which every client then picks; AES-128-GCM is the suite TLS 1.3
 * requires every implementation to have and costs about a quarter less CPU
 * per byte here (openssl speed: 5.0 vs 3.7 GB/s), which a broker that
 * encrypts every produced, replicated and fetched byte feels. TLS 1.2 keeps
 * OpenSSL's defaults. */
#define TLS13_DEFAULT_SUITES "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256"

static int ciphers_default(SSL_CTX *c)
{
	if (SSL_CTX_set_ciphersuites(c, TLS13_DEFAULT_SUITES) != 1) {
		ERR_clear_error(); /* keep OpenSSL's own order */
		return 0;
	}
	SSL_CTX_set_options(c, SSL_OP_CIPHER_SERVER_PREFERENCE);
	return 0;
}

/* Kafka names suites as the IANA/Java standard names; OpenSSL's TLS 1.2
 * names differ, so each is translated (OPENSSL_cipher_name), TLS 1.3
 * suites are the same in both. A version left without suites is disabled,
 * as Java could not negotiate it either. */
static int ciphers_apply(struct build *b, SSL_CTX *c, int has12, int has13)
{
	const char *list = val(b, TLS_CIPHER_SUITES);
	if (!list)
		return ciphers_default(c);
	char l12[2048] = "", l13[1024] = "";
	for (const char *p = list; *p;) {
		while (*p == ' ' || *p == ',')
			p++;
		size_t n = strcspn(p, ", ");
		if (!n)
			break;
		char name[128];
		if (n >= sizeof name)
			return fail(b, TLS_CIPHER_SUITES, "cipher suite name too long");
		memcpy(name, p, n);
		name[n] = '\0';
		p += n;
		char *dst = is_tls13_suite(name) ? l13 : l12;
		size_t cap = dst == l13 ? sizeof l13 : sizeof l12;
		const char *ossl = is_tls13_suite(name) ? name : OPENSSL_cipher_name(name);
		if (!ossl || strcmp(ossl, "(NONE)") == 0)
			ossl = name; /* perhaps already an OpenSSL name; checked below */
		size_t used = strlen(dst);
		if (used + strlen(ossl) + 2 > cap)
			return fail(b, TLS_CIPHER_SUITES, "too many cipher suites");
		snprintf(dst + used, cap - used, "%s%s", used ? ":" : "", ossl);
		SSL_CTX *probe = SSL_CTX_new(TLS_method());
		int ok = probe && (dst == l13 ? SSL_CTX_set_ciphersuites(probe, ossl)
					      : SSL_CTX_set_cipher_list(probe, ossl));
		SSL_CTX_free(probe);
		ERR_clear_error();
		if (!ok)
			return fail(b, TLS_CIPHER_SUITES, "unknown cipher suite '%s'", name);
	}
	if (!l12[0] && !l13[0])
		return fail(b, TLS_CIPHER_SUITES, "no cipher suite named");
	if (has13 && !l13[0] && !has12)
		return fail(b, TLS_CIPHER_SUITES, "no TLSv1.3 suite, and TLSv1.3 is the only "
			    "protocol in %s", kname(b, TLS_ENABLED_PROTOCOLS));
	if (has12 && !l12[0] && !has13)
		return fail(b, TLS_CIPHER_SUITES, "no TLSv1.2 suite, and TLSv1.2 is the only "
			    "protocol in %s", kname(b, TLS_ENABLED_PROTOCOLS));
	if (l13[0] && SSL_CTX_set_ciphersuites(c, l13) != 1)
		return fail(b, TLS_CIPHER_SUITES, "cannot use %s", l13);
	if (l12[0] && SSL_CTX_set_cipher_list(c, l12) != 1)
		return fail(b, TLS_CIPHER_SUITES, "cannot use %s", l12);
	if (!l13[0])
		SSL_CTX_set_max_proto_version(c, TLS1_2_VERSION);
	if (!l12[0])
		SSL_CTX_set_min_proto_version(c, TLS1_3_VERSION);
	return 0;
}

static int client_auth_parse(struct build *b, int *out)
{
	const char *v = val(b, TLS_CLIENT_AUTH);
	if (!v || strcasecmp(v, "none") == 0)
		*out = 0;
	else if (strcasecmp(v, "requested") == 0)
		*out = 1;
	else if (strcasecmp(v, "required") == 0)
		*out = 2;
	else
		return fail(b, TLS_CLIENT_AUTH, "'%.40s' is not one of none, requested, required", v);
	return 0;
}

static int identification_parse(struct build *b, int *verify_host)
{
	const char *v = val(b, TLS_ENDPOINT_IDENTIFICATION_ALGORITHM);
	if (!v) {
		*verify_host = 0; /* Kafka: an empty value turns the check off */
		return 0;
	}
	if (strcasecmp(v, "https") != 0)
		return fail(b, TLS_ENDPOINT_IDENTIFICATION_ALGORITHM,
			    "'%.40s' is not supported (https, or empty to disable)", v);
	*verify_host = 1;
	return 0;
}

struct tls_ctx *tls_ctx_new(const struct tls_settings *s, enum tls_role role, char *err,
			    size_t errlen)
{
	struct build b = { s, err, errlen };
	char dummy[8];
	if (!b.err || !errlen) {
		b.err = dummy;
		b.errlen = sizeof dummy;
	}
	ERR_clear_error();
	struct tls_ctx *ctx = calloc(1, sizeof *ctx);
	SSL_CTX *c = SSL_CTX_new(role == TLS_SERVER ? TLS_server_method() : TLS_client_method());
	if (!ctx || !c) {
		free(ctx);
		SSL_CTX_free(c);
		snprintf(b.err, b.errlen, "cannot create a TLS context (out of memory)");
		return NULL;
	}
	ctx->ssl = c;
	ctx->role = role;
	int has12, has13;
	SSL_CTX_set_options(c, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION |
				       SSL_OP_ENABLE_KTLS);
	SSL_CTX_set_mode(c, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	/* no OpenSSL read-ahead: the transport reads ahead itself through a
	 * buffer BIO (transport_tls.c says why) */
	SSL_CTX_set_read_ahead(c, 0);
	if (protocols_apply(&b, c, &has12, &has13) < 0 ||
	    ciphers_apply(&b, c, has12, has13) < 0 || keystore_apply(&b, c, role) < 0 ||
	    truststore_apply(&b, c) < 0)
		goto fail;
	if (role == TLS_SERVER) {
		if (client_auth_parse(&b, &ctx->client_auth) < 0)
			goto fail;
		int mode = ctx->client_auth == 0 ? SSL_VERIFY_NONE
			   : ctx->client_auth == 1 ? SSL_VERIFY_PEER
						   : SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
		SSL_CTX_set_verify(c, mode, NULL);
		static const unsigned char sid[] = "gregor";
		SSL_CTX_set_session_id_context(c, sid, sizeof sid - 1);
	} else {
		if (identification_parse(&b, &ctx->verify_host) < 0)
			goto fail;
		SSL_CTX_set_verify(c, SSL_VERIFY_PEER, NULL);
	}
	return ctx;
fail:
	tls_ctx_free(ctx);
	return NULL;
}

void tls_ctx_free(struct tls_ctx *ctx)
{
	if (!ctx)
		return;
	SSL_CTX_free(ctx->ssl);
	free(ctx);
}

int tls_ctx_client_auth(const struct tls_ctx *ctx)
{
	return ctx->client_auth;
}
