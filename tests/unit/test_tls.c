/* TLS unit tests: tls_ctx from PEM files, inline PEM and PKCS12 stores and
 * its refusals (each naming its key); server and client transports over a
 * socketpair with a small send buffer (handshake inside read/writev, bytes
 * held for SSL_write retries, flush, mutual TLS with the peer subject in
 * RFC 2253 form, hostname verification); ssl.principal.mapping.rules.
 * Certificates are made in-process with OpenSSL in a temp dir. */
#include <check.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "broker/tls_config.h"
#include "common/net/tls.h"

static char dir[64];
static char path_ca[128], path_server[128], path_client_crt[128], path_client_key[128];
static char path_p12[128], path_enc[128];
static char *server_cert_pem, *server_key_pem;

/* ---- certificates ---- */

static EVP_PKEY *key_new(void)
{
	return EVP_EC_gen("P-256");
}

static X509 *cert_new(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *ikey, int ca,
		      const char *san)
{
	X509 *x = X509_new();
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), (long)(random() & 0xffffff));
	X509_gmtime_adj(X509_getm_notBefore(x), -60);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_set_pubkey(x, key);
	X509_NAME *n = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(n, "O", MBSTRING_ASC, (const unsigned char *)"Gregor", -1, -1, 0);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : n);
	X509V3_CTX v3;
	X509V3_set_ctx(&v3, issuer ? issuer : x, x, NULL, NULL, 0);
	const char *exts[][2] = {
		{ "basicConstraints", ca ? "critical,CA:TRUE" : "CA:FALSE" },
		{ "keyUsage", ca ? "critical,keyCertSign,cRLSign" : "digitalSignature" },
		{ "subjectAltName", san },
	};
	for (int i = 0; i < 3; i++) {
		if (!exts[i][1])
			continue;
		X509_EXTENSION *e = X509V3_EXT_conf(NULL, &v3, exts[i][0], exts[i][1]);
		ck_assert_ptr_nonnull(e);
		X509_add_ext(x, e, -1);
		X509_EXTENSION_free(e);
	}
	ck_assert_int_gt(X509_sign(x, ikey ? ikey : key, EVP_sha256()), 0);
	return x;
}

static char *pem_of(X509 *cert, EVP_PKEY *key, const char *pass)
{
	BIO *b = BIO_new(BIO_s_mem());
	if (key)
		PEM_write_bio_PKCS8PrivateKey(b, key, pass ? EVP_aes_256_cbc() : NULL, NULL, 0, NULL,
					      (void *)pass);
	if (cert)
		PEM_write_bio_X509(b, cert);
	char *p;
	long n = BIO_get_mem_data(b, &p);
	char *out = strndup(p, (size_t)n);
	BIO_free(b);
	return out;
}

static void write_file(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(text, 1, len, f), len);
	fclose(f);
}

static void fixture_up(void)
{
	snprintf(dir, sizeof dir, "/tmp/gregor-test-tls-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	EVP_PKEY *cak = key_new(), *sk = key_new(), *ck = key_new();
	X509 *ca = cert_new(cak, "Test CA", NULL, NULL, 1, NULL);
	X509 *sc = cert_new(sk, "broker-1", ca, cak, 0, "DNS:localhost,IP:127.0.0.1");
	X509 *cc = cert_new(ck, "alice", ca, cak, 0, NULL);
	snprintf(path_ca, sizeof path_ca, "%s/ca.pem", dir);
	snprintf(path_server, sizeof path_server, "%s/server.pem", dir);
	snprintf(path_client_crt, sizeof path_client_crt, "%s/client.crt", dir);
	snprintf(path_client_key, sizeof path_client_key, "%s/client.key", dir);
	snprintf(path_p12, sizeof path_p12, "%s/server.p12", dir);
	snprintf(path_enc, sizeof path_enc, "%s/enc.pem", dir);
	char *s;
	s = pem_of(ca, NULL, NULL);
	write_file(path_ca, s, strlen(s));
	free(s);
	server_cert_pem = pem_of(sc, NULL, NULL);
	server_key_pem = pem_of(NULL, sk, NULL);
	s = pem_of(sc, sk, NULL);
	write_file(path_server, s, strlen(s));
	free(s);
	s = pem_of(sc, sk, "keypass");
	write_file(path_enc, s, strlen(s));
	free(s);
	/* the client keystore as PEM: key then certificate in one file */
	s = pem_of(cc, ck, NULL);
	write_file(path_client_crt, s, strlen(s));
	write_file(path_client_key, s, strlen(s));
	free(s);
	PKCS12 *p12 = PKCS12_create("p12pass", "server", sk, sc, NULL, 0, 0, 0, 0, 0);
	ck_assert_ptr_nonnull(p12);
	BIO *b = BIO_new(BIO_s_mem());
	i2d_PKCS12_bio(b, p12);
	char *p;
	long n = BIO_get_mem_data(b, &p);
	write_file(path_p12, p, (size_t)n);
	BIO_free(b);
	PKCS12_free(p12);
	X509_free(ca);
	X509_free(sc);
	X509_free(cc);
	EVP_PKEY_free(cak);
	EVP_PKEY_free(sk);
	EVP_PKEY_free(ck);
}

static void fixture_down(void)
{
	const char *names[] = { "ca.pem", "server.pem", "client.crt", "client.key", "server.p12",
				"enc.pem" };
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		char p[192];
		snprintf(p, sizeof p, "%s/%s", dir, names[i]);
		unlink(p);
	}
	rmdir(dir);
	free(server_cert_pem);
	free(server_key_pem);
}

static void set(struct tls_settings *s, enum tls_key k, const char *v)
{
	s->value[k] = v;
}

static struct tls_ctx *server_ctx(const char *client_auth)
{
	struct tls_settings s = { 0 };
	set(&s, TLS_KEYSTORE_LOCATION, path_server);
	set(&s, TLS_TRUSTSTORE_LOCATION, path_ca);
	set(&s, TLS_CLIENT_AUTH, client_auth);
	char err[512] = "";
	struct tls_ctx *c = tls_ctx_new(&s, TLS_SERVER, err, sizeof err);
	ck_assert_msg(c != NULL, "server ctx: %s", err);
	return c;
}

static struct tls_ctx *client_ctx(int with_cert, const char *identification)
{
	struct tls_settings s = { 0 };
	set(&s, TLS_TRUSTSTORE_LOCATION, path_ca);
	set(&s, TLS_ENDPOINT_IDENTIFICATION_ALGORITHM, identification);
	if (with_cert)
		set(&s, TLS_KEYSTORE_LOCATION, path_client_crt);
	char err[512] = "";
	struct tls_ctx *c = tls_ctx_new(&s, TLS_CLIENT, err, sizeof err);
	ck_assert_msg(c != NULL, "client ctx: %s", err);
	return c;
}

/* ---- context building ---- */

/* tls_ctx_new must fail and name key in its message. */
static void expect_refusal(const struct tls_settings *s, enum tls_role role, const char *key)
{
	char err[512] = "";
	struct tls_ctx *c = tls_ctx_new(s, role, err, sizeof err);
	ck_assert_msg(c == NULL, "accepted, want a refusal naming %s", key);
	ck_assert_msg(strstr(err, key) != NULL, "message '%s' does not name %s", err, key);
}

START_TEST(test_ctx_stores)
{
	char err[512];
	struct tls_settings s = { 0 };
	set(&s, TLS_KEYSTORE_LOCATION, path_p12);
	set(&s, TLS_KEYSTORE_PASSWORD, "p12pass");
	struct tls_ctx *c = tls_ctx_new(&s, TLS_SERVER, err, sizeof err);
	ck_assert_msg(c != NULL, "PKCS12 (type detected): %s", err);
	tls_ctx_free(c);
	set(&s, TLS_KEYSTORE_TYPE, "PKCS12");
	c = tls_ctx_new(&s, TLS_SERVER, err, sizeof err);
	ck_assert_msg(c != NULL, "PKCS12: %s", err);
	tls_ctx_free(c);
	/* the same file as a PKCS12 truststore: its certificate is trusted
	 * with the right password; a wrong one names the password key */
	set(&s, TLS_TRUSTSTORE_LOCATION, path_p12);
	set(&s, TLS_TRUSTSTORE_PASSWORD, "p12pass");
	c = tls_ctx_new(&s, TLS_SERVER, err, sizeof err);
	ck_assert_msg(c != NULL, "PKCS12 truststore: %s", err);
	tls_ctx_free(c);
	set(&s, TLS_TRUSTSTORE_PASSWORD, "wrong");
	c = tls_ctx_new(&s, TLS_SERVER, err, sizeof err);
	ck_assert_msg(c == NULL && strstr(err, "ssl.truststore.password"),
		      "PKCS12 truststore, wrong password: %s", c ? "accepted" : err);
	set(&s, TLS_TRUSTSTORE_LOCATION, NULL);
	set(&s, TLS_TRUSTSTORE_PASSWORD, NULL);

	struct tls_settings e = { 0 };
	set(&e, TLS_KEYSTORE_LOCATION, path_enc);
	set(&e, TLS_KEY_PASSWORD, "keypass");
	c = tls_ctx_new(&e, TLS_SERVER, err, sizeof err);
	ck_assert_msg(c != NULL, "encrypted PEM key: %s", err);
	tls_ctx_free(c);

	/* inline PEM as a properties value whose line breaks became spaces */
	char *chain = strdup(server_cert_pem), *key = strdup(server_key_pem);
	for (char *p = chain; *p; p++)
		if (*p == '\n')
			*p = ' ';
	for (char *p = key; *p; p++)
		if (*p == '\n')
			*p = ' ';
	struct tls_settings i = { 0 };
	set(&i, TLS_KEYSTORE_TYPE, "PEM");
	set(&i, TLS_KEYSTORE_CERTIFICATE_CHAIN, chain);
	set(&i, TLS_KEYSTORE_KEY, key);
	c = tls_ctx_new(&i, TLS_SERVER, err, sizeof err);
	ck_assert_msg(c != NULL, "inline PEM: %s", err);
	tls_ctx_free(c);
	free(chain);
	free(key);
}
END_TEST

START_TEST(test_ctx_refusals)
{
	struct tls_settings s = { 0 };
	expect_refusal(&s, TLS_SERVER, "ssl.keystore.location"); /* none at all */
	set(&s, TLS_KEYSTORE_LOCATION, "/nonexistent/k.pem");
	expect_refusal(&s, TLS_SERVER, "ssl.keystore.location");
	set(&s, TLS_KEYSTORE_LOCATION, dir); /* a directory: unreadable */
	expect_refusal(&s, TLS_SERVER, "ssl.keystore.location");
	set(&s, TLS_KEYSTORE_LOCATION, path_ca); /* certificate, no key */
	expect_refusal(&s, TLS_SERVER, "ssl.keystore.location");
	set(&s, TLS_KEYSTORE_LOCATION, path_p12);
	set(&s, TLS_KEYSTORE_PASSWORD, "wrong");
	expect_refusal(&s, TLS_SERVER, "ssl.keystore.password");
	set(&s, TLS_KEYSTORE_PASSWORD, NULL);
	expect_refusal(&s, TLS_SERVER, "ssl.keystore.password");
	set(&s, TLS_KEYSTORE_LOCATION, path_enc);
	expect_refusal(&s, TLS_SERVER, "ssl.key.password");
	set(&s, TLS_KEY_PASSWORD, "nope");
	expect_refusal(&s, TLS_SERVER, "ssl.key.password");
	set(&s, TLS_KEYSTORE_LOCATION, path_server);
	set(&s, TLS_KEY_PASSWORD, NULL);
	set(&s, TLS_KEYSTORE_TYPE, "JCEKS");
	expect_refusal(&s, TLS_SERVER, "ssl.keystore.type");
	set(&s, TLS_KEYSTORE_TYPE, NULL);
	set(&s, TLS_ENABLED_PROTOCOLS, "TLSv1.2,SSLv3");
	expect_refusal(&s, TLS_SERVER, "ssl.enabled.protocols");
	set(&s, TLS_ENABLED_PROTOCOLS, NULL);
	set(&s, TLS_CIPHER_SUITES, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,TLS_BOGUS");
	expect_refusal(&s, TLS_SERVER, "ssl.cipher.suites");
	set(&s, TLS_CIPHER_SUITES, NULL);
	set(&s, TLS_CLIENT_AUTH, "maybe");
	expect_refusal(&s, TLS_SERVER, "ssl.client.auth");
	set(&s, TLS_CLIENT_AUTH, NULL);
	set(&s, TLS_TRUSTSTORE_LOCATION, "/nonexistent/ca.pem");
	expect_refusal(&s, TLS_SERVER, "ssl.truststore.location");
	/* the name reported is the one the setting came from */
	set(&s, TLS_TRUSTSTORE_LOCATION, NULL);
	set(&s, TLS_KEYSTORE_LOCATION, "/nonexistent/k.pem");
	snprintf(s.key[TLS_KEYSTORE_LOCATION], sizeof s.key[0],
		 "listener.name.external.ssl.keystore.location");
	expect_refusal(&s, TLS_SERVER, "listener.name.external.ssl.keystore.location");
	struct tls_settings c = { 0 };
	set(&c, TLS_ENDPOINT_IDENTIFICATION_ALGORITHM, "ldaps");
	expect_refusal(&c, TLS_CLIENT, "ssl.endpoint.identification.algorithm");
}
END_TEST

START_TEST(test_ctx_ciphers)
{
	char err[512];
	struct tls_settings s = { 0 };
	set(&s, TLS_KEYSTORE_LOCATION, path_server);
	set(&s, TLS_CIPHER_SUITES, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, TLS_AES_128_GCM_SHA256");
	struct tls_ctx *c = tls_ctx_new(&s, TLS_SERVER, err, sizeof err);
	ck_assert_msg(c != NULL, "IANA names: %s", err);
	tls_ctx_free(c);
	set(&s, TLS_ENABLED_PROTOCOLS, "TLSv1.3");
	set(&s, TLS_CIPHER_SUITES, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
	expect_refusal(&s, TLS_SERVER, "ssl.cipher.suites"); /* no 1.3 suite for a 1.3-only ctx */
}
END_TEST

/* ---- transports over a socketpair ---- */

struct pair {
	struct transport *srv, *cli;
};

static void pair_new(struct pair *p, struct tls_ctx *sc, struct tls_ctx *cc, const char *host)
{
	int sv[2];
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
	int small = 4096; /* small buffers: writes must be held and retried */
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
	setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
	p->srv = transport_tls_new(sc, sv[0], NULL);
	p->cli = transport_tls_new(cc, sv[1], host);
	ck_assert_ptr_nonnull(p->srv);
	ck_assert_ptr_nonnull(p->cli);
}

static void pair_free(struct pair *p)
{
	transport_free(p->srv);
	transport_free(p->cli);
}

static void wait_any(struct pair *p)
{
	struct pollfd f[2] = { { p->srv->fd, POLLIN, 0 }, { p->cli->fd, POLLIN, 0 } };
	if (p->srv->want & EPOLLOUT)
		f[0].events |= POLLOUT;
	if (p->cli->want & EPOLLOUT)
		f[1].events |= POLLOUT;
	poll(f, 2, 100);
}

/* Sends len bytes from 'from' to 'to' through writev in uneven pieces
 * while reading on the other side; returns 0 when all arrived intact, or
 * the failing transport's -errno. */
static ssize_t transfer(struct pair *p, struct transport *from, struct transport *to, size_t len)
{
	uint8_t *src = malloc(len), *dst = malloc(len);
	for (size_t i = 0; i < len; i++)
		src[i] = (uint8_t)(i * 131 + (i >> 9));
	size_t sent = 0, got = 0;
	ssize_t rc = 0;
	for (int rounds = 0; rounds < 200000 && got < len && rc == 0; rounds++) {
		if (sent < len) {
			/* three pieces: small, large, small, as a response's iovecs */
			size_t a = 7 < len - sent ? 7 : len - sent;
			size_t b = (len - sent - a) < 20000 ? len - sent - a : 20000;
			size_t c = (len - sent - a - b) < 5 ? len - sent - a - b : 5;
			struct iovec iov[3] = { { src + sent, a }, { src + sent + a, b },
						{ src + sent + a + b, c } };
			ssize_t n = from->ops->writev(from, iov, 3);
			if (n > 0)
				sent += (size_t)n;
			else if (n != -EAGAIN)
				rc = n;
		} else {
			ssize_t f = transport_flush(from);
			if (f < 0 && f != -EAGAIN)
				rc = f;
		}
		ssize_t n = to->ops->read(to, dst + got, len - got);
		if (n > 0)
			got += (size_t)n;
		else if (n == 0)
			rc = -ECONNRESET;
		else if (n != -EAGAIN)
			rc = n;
		while (got < len && to->ops->pending(to) > 0 &&
		       (n = to->ops->read(to, dst + got, len - got)) > 0)
			got += (size_t)n;
		if (n == -EAGAIN)
			wait_any(p);
	}
	if (rc == 0)
		ck_assert_msg(got == len && memcmp(src, dst, len) == 0,
			      "got %zu of %zu bytes, or different ones", got, len);
	free(src);
	free(dst);
	return rc;
}

START_TEST(test_transport_roundtrip)
{
	struct tls_ctx *sc = server_ctx("none"), *cc = client_ctx(0, "https");
	struct pair p;
	pair_new(&p, sc, cc, "localhost");
	/* the client speaks first (a request), the server answers a lot */
	ck_assert_int_eq(transfer(&p, p.cli, p.srv, 300), 0);
	ck_assert_int_eq(p.srv->ready, 1);
	ck_assert_int_eq(p.cli->ready, 1);
	ck_assert_ptr_null(p.srv->peer_subject); /* no client certificate */
	/* without ssl.cipher.suites the broker's order wins: AES-128-GCM */
	ck_assert_str_eq(transport_tls_cipher(p.srv), "TLS_AES_128_GCM_SHA256");
	ck_assert_str_eq(transport_tls_cipher(p.cli), "TLS_AES_128_GCM_SHA256");
	ck_assert_int_eq(transfer(&p, p.srv, p.cli, 3 << 20), 0);
	ck_assert_int_eq(transfer(&p, p.cli, p.srv, 1 << 20), 0);
	/* without kernel TLS, file bytes take the caller's pread path */
	off_t off = 0;
	if (!transport_tls_ktls_send(p.srv))
		ck_assert_int_eq(p.srv->ops->sendfile(p.srv, 0, &off, 10), -ENOTSUP);
	pair_free(&p);
	tls_ctx_free(sc);
	tls_ctx_free(cc);
}
END_TEST


/* Many small records (librdkafka writes one per message it does not copy)
 * read ahead from the socket: once the socket is drained, every byte still
 * held by the transport must be announced by pending(), since epoll will
 * never report it. */
START_TEST(test_transport_small_records)
{
	struct tls_ctx *sc = server_ctx("none"), *cc = client_ctx(0, "https");
	struct pair p;
	pair_new(&p, sc, cc, "localhost");
	int big = 1 << 20;
	setsockopt(p.cli->fd, SOL_SOCKET, SO_SNDBUF, &big, sizeof big);
	setsockopt(p.srv->fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
	ck_assert_int_eq(transfer(&p, p.cli, p.srv, 300), 0); /* handshake */
	enum { RECORDS = 300, RECORD = 1000 };
	uint8_t *src = malloc(RECORDS * RECORD), *dst = malloc(RECORDS * RECORD);
	for (size_t i = 0; i < RECORDS * RECORD; i++)
		src[i] = (uint8_t)(i * 7 + (i >> 10));
	/* one writev per record: each a TLS record of its own */
	size_t sent = 0;
	for (int tries = 0; sent < RECORDS * RECORD && tries < 100000; tries++) {
		struct iovec iov = { src + sent, RECORD };
		ssize_t n = p.cli->ops->writev(p.cli, &iov, 1);
		if (n > 0)
			sent += (size_t)n;
		else
			ck_assert_int_eq(n, -EAGAIN);
		if (transport_flush(p.cli) == -EAGAIN)
			wait_any(&p);
	}
	for (int tries = 0; tries < 1000 && transport_flush(p.cli) == -EAGAIN; tries++)
		wait_any(&p);
	ck_assert_uint_eq(sent, RECORDS * RECORD);
	/* read until the socket is empty, then only while pending() says so */
	size_t got = 0;
	for (int tries = 0; tries < 100000 && got < RECORDS * RECORD; tries++) {
		struct pollfd f = { p.srv->fd, POLLIN, 0 };
		ssize_t n;
		if (poll(&f, 1, 0) == 1 || p.srv->ops->pending(p.srv) > 0) {
			n = p.srv->ops->read(p.srv, dst + got, 700); /* less than a record */
			if (n > 0)
				got += (size_t)n;
			else
				ck_assert_int_eq(n, -EAGAIN);
		} else {
			break; /* nothing announced: the rest would never be read */
		}
	}
	ck_assert_uint_eq(got, RECORDS * RECORD);
	ck_assert_int_eq(memcmp(src, dst, got), 0);
	free(src);
	free(dst);
	pair_free(&p);
	tls_ctx_free(sc);
	tls_ctx_free(cc);
}
END_TEST

START_TEST(test_transport_mtls)
{
	struct tls_ctx *sc = server_ctx("required"), *cc = client_ctx(1, "https");
	struct pair p;
	pair_new(&p, sc, cc, "127.0.0.1"); /* an IP literal checks the IP SAN */
	ck_assert_int_eq(transfer(&p, p.cli, p.srv, 1000), 0);
	ck_assert_ptr_nonnull(p.srv->peer_subject);
	ck_assert_str_eq(p.srv->peer_subject, "CN=alice,O=Gregor");
	pair_free(&p);
	/* required: a client without a certificate fails the handshake */
	struct tls_ctx *anon = client_ctx(0, "https");
	pair_new(&p, sc, anon, "localhost");
	ck_assert_int_lt(transfer(&p, p.cli, p.srv, 1000), 0);
	pair_free(&p);
	tls_ctx_free(anon);
	tls_ctx_free(sc);
	tls_ctx_free(cc);
}
END_TEST

START_TEST(test_transport_requested)
{
	struct tls_ctx *sc = server_ctx("requested");
	struct tls_ctx *with = client_ctx(1, "https"), *without = client_ctx(0, "https");
	struct pair p;
	pair_new(&p, sc, with, "localhost");
	ck_assert_int_eq(transfer(&p, p.cli, p.srv, 100), 0);
	ck_assert_ptr_nonnull(p.srv->peer_subject);
	ck_assert_str_eq(p.srv->peer_subject, "CN=alice,O=Gregor");
	pair_free(&p);
	pair_new(&p, sc, without, "localhost"); /* requested, not required */
	ck_assert_int_eq(transfer(&p, p.cli, p.srv, 100), 0);
	ck_assert_ptr_null(p.srv->peer_subject);
	pair_free(&p);
	tls_ctx_free(sc);
	tls_ctx_free(with);
	tls_ctx_free(without);
}
END_TEST

START_TEST(test_inline_truststore)
{
	FILE *f = fopen(path_ca, "r");
	char ca[8192];
	size_t n = fread(ca, 1, sizeof ca - 1, f);
	fclose(f);
	ca[n] = '\0';
	for (char *q = ca; *q; q++) /* a properties value: newlines lost */
		if (*q == '\n')
			*q = ' ';
	struct tls_settings s = { 0 };
	set(&s, TLS_TRUSTSTORE_CERTIFICATES, ca);
	set(&s, TLS_ENDPOINT_IDENTIFICATION_ALGORITHM, "https");
	char err[512] = "";
	struct tls_ctx *cc = tls_ctx_new(&s, TLS_CLIENT, err, sizeof err);
	ck_assert_msg(cc != NULL, "inline truststore: %s", err);
	struct tls_ctx *sc = server_ctx("none");
	struct pair p;
	pair_new(&p, sc, cc, "localhost");
	ck_assert_int_eq(transfer(&p, p.cli, p.srv, 100), 0);
	pair_free(&p);
	/* a client trusting nothing of ours (no truststore: system CAs) */
	struct tls_settings none = { 0 };
	struct tls_ctx *sys = tls_ctx_new(&none, TLS_CLIENT, err, sizeof err);
	ck_assert_ptr_nonnull(sys);
	pair_new(&p, sc, sys, "localhost");
	ck_assert_int_lt(transfer(&p, p.cli, p.srv, 100), 0);
	pair_free(&p);
	tls_ctx_free(sys);
	tls_ctx_free(sc);
	tls_ctx_free(cc);
}
END_TEST

START_TEST(test_transport_hostname)
{
	struct tls_ctx *sc = server_ctx("none"), *cc = client_ctx(0, "https");
	struct pair p;
	pair_new(&p, sc, cc, "broker.example.com"); /* not in the certificate */
	ck_assert_int_lt(transfer(&p, p.cli, p.srv, 100), 0);
	pair_free(&p);
	/* identification off (empty value): the chain is still verified */
	struct tls_ctx *off = client_ctx(0, "");
	pair_new(&p, sc, off, "broker.example.com");
	ck_assert_int_eq(transfer(&p, p.cli, p.srv, 100), 0);
	pair_free(&p);
	tls_ctx_free(off);
	tls_ctx_free(sc);
	tls_ctx_free(cc);
}
END_TEST

START_TEST(test_transport_plaintext_refused)
{
	struct tls_ctx *sc = server_ctx("none");
	int sv[2];
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
	struct transport *srv = transport_tls_new(sc, sv[0], NULL);
	/* a Kafka ApiVersions request in plaintext */
	static const uint8_t req[] = { 0, 0, 0, 10, 0, 18, 0, 0, 0, 0, 0, 1, 0, 0 };
	ck_assert_int_eq(write(sv[1], req, sizeof req), (ssize_t)sizeof req);
	uint8_t buf[64];
	ssize_t n = srv->ops->read(srv, buf, sizeof buf);
	ck_assert_int_lt(n, 0);
	ck_assert_int_ne(n, -EAGAIN);
	transport_free(srv);
	close(sv[1]);
	tls_ctx_free(sc);
}
END_TEST

/* A client that goes away mid-handshake (a broker killed while its fetcher
 * connected) is the end of the stream (0), not a TLS failure (-EPROTO,
 * logged as "TLS handshake failed"). */
START_TEST(test_transport_eof_mid_handshake)
{
	struct tls_ctx *sc = server_ctx("none"), *cc = client_ctx(0, "https");
	int sv[2];
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
	struct transport *srv = transport_tls_new(sc, sv[0], NULL);
	struct transport *cli = transport_tls_new(cc, sv[1], "localhost");
	uint8_t buf[64];
	/* the client's hello goes out, then the client's side ends (FIN, as a
	 * killed process's socket with nothing unread): the server answers the
	 * hello and then reads the end of the stream */
	ck_assert_int_eq(cli->ops->read(cli, buf, sizeof buf), -EAGAIN);
	ck_assert_int_eq(shutdown(sv[1], SHUT_WR), 0);
	ssize_t n = srv->ops->read(srv, buf, sizeof buf);
	for (int i = 0; i < 3 && n == -EAGAIN; i++)
		n = srv->ops->read(srv, buf, sizeof buf);
	ck_assert_int_eq(srv->ready, 0);
	ck_assert_int_eq(n, 0);
	transport_free(cli);
	transport_free(srv);
	tls_ctx_free(sc);
	tls_ctx_free(cc);
}
END_TEST

/* ---- principal mapping ---- */

static void expect_map(const char *rules, const char *dn, const char *want)
{
	char err[256] = "", out[256];
	struct ssl_principal_rules *r = ssl_principal_rules_parse(rules, err, sizeof err);
	ck_assert_msg(r != NULL, "rules '%s': %s", rules, err);
	int rc = ssl_principal_map(r, dn, out, sizeof out);
	if (want) {
		ck_assert_msg(rc == 0, "'%s' not mapped by '%s'", dn, rules);
		ck_assert_str_eq(out, want);
	} else {
		ck_assert_msg(rc < 0, "'%s' mapped to '%s' by '%s'", dn, out, rules);
	}
	ssl_principal_rules_free(r);
}

START_TEST(test_principal_rules)
{
	expect_map("DEFAULT", "CN=alice,O=Gregor", "CN=alice,O=Gregor");
	expect_map(NULL, "CN=alice,O=Gregor", "CN=alice,O=Gregor");
	expect_map("RULE:^CN=(.*?),OU=ServiceUsers.*$/$1/,DEFAULT",
		   "CN=svc,OU=ServiceUsers,O=Org", "svc");
	expect_map("RULE:^CN=(.*?),OU=ServiceUsers.*$/$1/,DEFAULT", "CN=bob,O=Org", "CN=bob,O=Org");
	expect_map("RULE:^CN=(.*?),OU=(.*?),O=(.*?),L=(.*?),ST=(.*?),C=(.*?)$/$1@$2/L",
		   "CN=Adm,OU=Ops,O=Org,L=X,ST=Y,C=Z", "adm@ops");
	expect_map("RULE:^CN=([a-z]+),.*$/$1/U", "CN=carol,O=Org", "CAROL");
	expect_map("RULE:^CN=([a-z]+)$/$1/", "CN=dave,O=Org", NULL); /* no rule matches */
	char err[256];
	ck_assert_ptr_null(ssl_principal_rules_parse("RULE:^CN=(.*$", err, sizeof err));
	ck_assert_ptr_nonnull(strstr(err, "ssl.principal.mapping.rules"));
	ck_assert_ptr_null(ssl_principal_rules_parse("SOMETHING", err, sizeof err));
	ck_assert_ptr_null(ssl_principal_rules_parse("RULE:^CN=((a$/$1/", err, sizeof err));
}
END_TEST

int main(void)
{
	signal(SIGPIPE, SIG_IGN); /* as gregord: a peer that went away is an error code */
	Suite *s = suite_create("tls");
	TCase *tc = tcase_create("tls");
	tcase_add_unchecked_fixture(tc, fixture_up, fixture_down);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_ctx_stores);
	tcase_add_test(tc, test_ctx_refusals);
	tcase_add_test(tc, test_ctx_ciphers);
	tcase_add_test(tc, test_transport_roundtrip);
	tcase_add_test(tc, test_transport_small_records);
	tcase_add_test(tc, test_transport_mtls);
	tcase_add_test(tc, test_transport_requested);
	tcase_add_test(tc, test_inline_truststore);
	tcase_add_test(tc, test_transport_hostname);
	tcase_add_test(tc, test_transport_plaintext_refused);
	tcase_add_test(tc, test_transport_eof_mid_handshake);
	tcase_add_test(tc, test_principal_rules);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
