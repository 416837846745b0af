/* The TLS transport: an OpenSSL SSL on a non-blocking socket, following the
 * transport.h contract.
 *
 * Writes: plaintext is copied into a stage buffer (coalescing a response's
 * small pieces into full records) and handed to SSL_write. When the socket
 * cannot take the record, OpenSSL keeps it and must later be called again
 * with the same bytes: the stage is kept for that retry and its bytes count
 * as accepted, so the caller never re-sends them. While the stage is held,
 * t->want says what the retry waits for, and every entry point (read,
 * writev, a flush) retries it first.
 * Reads: SSL_read drives the handshake; t->want carries EPOLLOUT when a read
 * has to write first (handshake, key update). The socket is read ahead, one
 * read(2) per up to READ_AHEAD bytes, by a buffer BIO in front of it, not by
 * OpenSSL's own read-ahead: OpenSSL 3.0 moves all the bytes it holds beyond a
 * record to the front of its buffer before each record (payload alignment),
 * so with many small records in a large buffer (librdkafka 2.0.2 sends about
 * two per 1 KiB message) every byte was moved tens of times. The BIO
 * copies each byte once. Bytes may wait in the BIO or in OpenSSL where epoll
 * cannot see them, so pending() may have to decrypt a record to answer. */
#include "common/net/tls.h"
#include "common/net/tls_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "common/log.h"

#define STAGE_BYTES 65536  /* plaintext per SSL_write: four full records */
#define DIRECT_BYTES 16384 /* a first piece this large is not copied */
#define READ_AHEAD 65536   /* socket bytes per read(2): many records */

struct tls_transport {
	struct transport t;
	SSL *ssl;
	struct tls_ctx *ctx;
	uint32_t read_want;  /* EPOLLOUT when the last read must write first */
	uint32_t write_want; /* what the held stage waits for */
	uint8_t *stage;
	size_t stage_len;    /* > 0: accepted bytes SSL_write must be retried with */
	int ktls_send;
};

static struct tls_transport *tx(struct transport *t)
{
	return (struct tls_transport *)t;
}

static void want_update(struct tls_transport *x)
{
	x->t.want = (x->stage_len ? x->write_want : 0) | x->read_want;
}

/* The peer certificate's subject in RFC 2253 form, as Java's
 * X500Principal.getName() gives it (non-ASCII kept as UTF-8). */
static char *subject_rfc2253(X509 *cert)
{
	BIO *bio = BIO_new(BIO_s_mem());
	if (!bio)
		return NULL;
	char *out = NULL;
	unsigned long flags = XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB;
	if (X509_NAME_print_ex(bio, X509_get_subject_name(cert), 0, flags) >= 0) {
		char *p;
		long n = BIO_get_mem_data(bio, &p);
		if (n >= 0 && (out = malloc((size_t)n + 1))) {
			memcpy(out, p, (size_t)n);
			out[n] = '\0';
		}
	}
	BIO_free(bio);
	return out;
}

/* Called after every SSL call until the handshake is done. */
static void handshake_check(struct tls_transport *x)
{
	if (x->t.ready || !SSL_is_init_finished(x->ssl))
		return;
	x->t.ready = 1;
	X509 *peer = SSL_get0_peer_certificate(x->ssl);
	if (peer && SSL_get_verify_result(x->ssl) == X509_V_OK)
		x->t.peer_subject = subject_rfc2253(peer);
	x->ktls_send = BIO_get_ktls_send(SSL_get_wbio(x->ssl)) ? 1 : 0;
	/* once per process and outcome, so an operator (and the benchmark) can
	 * tell which path file bytes take */
	static _Atomic int told[2];
	if (x->ctx->role == TLS_SERVER && !atomic_exchange(&told[x->ktls_send], 1))
		log_info("tls", "kernel TLS send %s (%s %s): log slices go out %s",
			 x->ktls_send ? "active" : "not available", SSL_get_version(x->ssl),
			 SSL_get_cipher_name(x->ssl),
			 x->ktls_send ? "with SSL_sendfile" : "by pread + SSL_write");
	log_debug("tls", "fd %d: %s %s established%s%s", x->t.fd, SSL_get_version(x->ssl),
		  SSL_get_cipher_name(x->ssl), x->ktls_send ? ", kernel TLS send" : "",
		  x->t.peer_subject ? ", peer verified" : "");
}

/* Maps a failed SSL call to the transport's return convention. */
static ssize_t ssl_failure(struct tls_transport *x, int rc, uint32_t *want)
{
	int sys = errno; /* the socket call's, before anything else runs */
	int e = SSL_get_error(x->ssl, rc);
	switch (e) {
	case SSL_ERROR_WANT_READ:
		*want = EPOLLIN;
		return -EAGAIN;
	case SSL_ERROR_WANT_WRITE:
		*want = EPOLLOUT;
		return -EAGAIN;
	case SSL_ERROR_ZERO_RETURN:
		return 0;
	case SSL_ERROR_SYSCALL:
		ERR_clear_error();
		/* EOF without close_notify: the peer went away */
		return sys && sys != EAGAIN ? -sys : 0;
	default: {
		char why[200];
		unsigned long err = ERR_peek_last_error();
		if (ERR_GET_LIB(err) == ERR_LIB_SSL &&
		    ERR_GET_REASON(err) == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
			/* OpenSSL 3 reports a peer that closed (or died) without
			 * close_notify this way, mid-handshake included (a broker
			 * killed while its fetcher connected): the end of the
			 * stream, not a TLS failure to log */
			ERR_clear_error();
			return 0;
		}
		ERR_error_string_n(err, why, sizeof why);
		ERR_clear_error();
		/* any client can cause this line: rate-limited */
		log_info_rl("tls", "fd %d: TLS %s failed: %s", x->t.fd,
			    x->t.ready ? "connection" : "handshake", why);
		return -EPROTO;
	}
	}
}

/* Retries the held stage. 0 when nothing is held any more, -EAGAIN, or a
 * dead connection's -errno. */
static ssize_t stage_push(struct tls_transport *x)
{
	if (!x->stage_len)
		return 0;
	size_t w = 0;
	ERR_clear_error();
	int rc = SSL_write_ex(x->ssl, x->stage, x->stage_len, &w);
	handshake_check(x);
	if (rc == 1) {
		x->stage_len = 0; /* without partial writes, all or nothing */
		want_update(x);
		return 0;
	}
	ssize_t r = ssl_failure(x, rc, &x->write_want);
	want_update(x);
	return r == 0 ? -EPIPE : r;
}

/* A read that had to write (key update) while the caller reads nothing
 * (a request in flight): push that write from here. SSL_peek consumes no
 * application data. */
static void read_side_push(struct tls_transport *x)
{
	char byte;
	size_t n = 0;
	ERR_clear_error();
	int rc = SSL_peek_ex(x->ssl, &byte, 1, &n);
	uint32_t want = 0;
	if (rc != 1 && ssl_failure(x, rc, &want) == -EAGAIN && want == EPOLLOUT)
		return;
	x->read_want = 0;
	want_update(x);
}

static int stage_alloc(struct tls_transport *x)
{
	if (!x->stage && !(x->stage = malloc(STAGE_BYTES)))
		return -ENOMEM;
	return 0;
}

static ssize_t tls_writev(struct transport *t, const struct iovec *iov, int iovcnt)
{
	struct tls_transport *x = tx(t);
	ssize_t r = stage_push(x);
	if (r < 0)
		return r;
	if (x->read_want == EPOLLOUT)
		read_side_push(x);
	if (iovcnt == 0)
		return x->read_want ? -EAGAIN : 0;
	if (stage_alloc(x) < 0)
		return -ENOMEM;
	/* a large first piece (a log slice read from disk) is encrypted from
	 * the caller's buffer; small pieces are coalesced into full records */
	const uint8_t *src = x->stage;
	size_t n = 0;
	if (iov[0].iov_len >= DIRECT_BYTES) {
		src = iov[0].iov_base;
		n = iov[0].iov_len < STAGE_BYTES ? iov[0].iov_len : STAGE_BYTES;
	} else {
		for (int i = 0; i < iovcnt && n < STAGE_BYTES; i++) {
			size_t take = iov[i].iov_len;
			if (take > STAGE_BYTES - n)
				take = STAGE_BYTES - n;
			memcpy(x->stage + n, iov[i].iov_base, take);
			n += take;
		}
	}
	if (n == 0)
		return 0;
	size_t w = 0;
	ERR_clear_error();
	int rc = SSL_write_ex(x->ssl, src, n, &w);
	handshake_check(x);
	if (rc == 1) {
		want_update(x);
		return (ssize_t)n;
	}
	r = ssl_failure(x, rc, &x->write_want);
	if (r == -EAGAIN) {
		/* OpenSSL holds (part of) these bytes as records: they are ours
		 * now, retried from the stage (the same bytes; OpenSSL accepts a
		 * moved buffer) */
		if (src != x->stage)
			memcpy(x->stage, src, n);
		x->stage_len = n;
		want_update(x);
		return (ssize_t)n;
	}
	want_update(x);
	return r == 0 ? -EPIPE : r;
}

static ssize_t tls_read(struct transport *t, void *buf, size_t len)
{
	struct tls_transport *x = tx(t);
	ssize_t r = stage_push(x);
	if (r < 0 && r != -EAGAIN)
		return r;
	size_t n = 0;
	ERR_clear_error();
	int rc = SSL_read_ex(x->ssl, buf, len, &n);
	handshake_check(x);
	if (rc == 1) {
		x->read_want = 0;
		want_update(x);
		return (ssize_t)n;
	}
	uint32_t want = 0;
	r = ssl_failure(x, rc, &want);
	/* a read waiting for input is the caller's normal EPOLLIN; only a read
	 * that must write first needs the transport's own interest */
	x->read_want = want == EPOLLOUT ? EPOLLOUT : 0;
	want_update(x);
	return r;
}

static ssize_t tls_sendfile(struct transport *t, int fd, off_t *off, size_t len)
{
	struct tls_transport *x = tx(t);
	if (!x->ktls_send)
		return -ENOTSUP;
	ssize_t r = stage_push(x);
	if (r < 0)
		return r;
	ERR_clear_error();
	ossl_ssize_t n = SSL_sendfile(x->ssl, fd, *off, len, 0);
	if (n > 0) {
		*off += n;
		return n;
	}
	uint32_t want = 0;
	r = ssl_failure(x, (int)n, &want);
	return r == 0 ? -EPIPE : r;
}

/* With read-ahead OpenSSL may hold whole records it has not decrypted yet
 * (epoll will not signal them) or the start of one (which needs more input
 * first). A peek decrypts a complete record without consuming it, so only
 * bytes a read can return at once are reported. */
static size_t tls_pending(const struct transport *t)
{
	SSL *ssl = ((const struct tls_transport *)t)->ssl;
	int n = SSL_pending(ssl);
	if (n > 0)
		return (size_t)n;
	if (!SSL_has_pending(ssl) && BIO_pending(SSL_get_rbio(ssl)) <= 0)
		return 0;
	char byte;
	size_t got = 0;
	ERR_clear_error();
	if (SSL_peek_ex(ssl, &byte, 1, &got) != 1)
		ERR_clear_error(); /* incomplete record or an error the next read reports */
	n = SSL_pending(ssl);
	return n > 0 ? (size_t)n : 0;
}

static void tls_free(struct transport *t)
{
	struct tls_transport *x = tx(t);
	if (x->t.ready) {
		/* a courtesy close_notify, never waited for */
		ERR_clear_error();
		SSL_set_quiet_shutdown(x->ssl, 0);
		if (SSL_shutdown(x->ssl) < 0)
			ERR_clear_error();
	}
	SSL_free(x->ssl);
	close(x->t.fd);
	free(x->t.peer_subject);
	free(x->stage);
	free(x);
}

static const struct transport_ops tls_ops = {
	.read = tls_read,
	.writev = tls_writev,
	.sendfile = tls_sendfile,
	.pending = tls_pending,
	.free = tls_free,
};

static int is_ip_literal(const char *host)
{
	unsigned char buf[16];
	return inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1;
}

/* SNI for names, and with https identification the name (or IP address)
 * the server's certificate must carry. */
static int client_peer_setup(struct tls_transport *x, const char *host)
{
	if (!host || !*host)
		return x->ctx->verify_host ? -1 : 0;
	int ip = is_ip_literal(host);
	if (!ip && SSL_set_tlsext_host_name(x->ssl, host) != 1)
		return -1;
	if (!x->ctx->verify_host)
		return 0;
	X509_VERIFY_PARAM *vp = SSL_get0_param(x->ssl);
	X509_VERIFY_PARAM_set_hostflags(vp, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
	return (ip ? X509_VERIFY_PARAM_set1_ip_asc(vp, host) : X509_VERIFY_PARAM_set1_host(vp, host, 0)) == 1
		       ? 0
		       : -1;
}

/* Puts a READ_AHEAD buffer BIO in front of the socket BIO SSL_set_fd made,
 * for reads only (writes and kernel TLS send keep the socket BIO). */
static int read_ahead_setup(SSL *ssl)
{
	BIO *sock = SSL_get_rbio(ssl), *buf = BIO_new(BIO_f_buffer());
	if (!buf || BIO_set_read_buffer_size(buf, READ_AHEAD) != 1 || BIO_up_ref(sock) != 1) {
		BIO_free(buf);
		return -1;
	}
	BIO_push(buf, sock);   /* the chain holds the reference just taken */
	SSL_set0_rbio(ssl, buf); /* drops the SSL's read reference to sock */
	return 0;
}

struct transport *transport_tls_new(struct tls_ctx *ctx, int fd, const char *host)
{
	struct tls_transport *x = calloc(1, sizeof *x);
	if (!x)
		return NULL;
	x->ctx = ctx;
	x->t.ops = &tls_ops;
	x->t.fd = fd;
	ERR_clear_error();
	if (!(x->ssl = SSL_new(ctx->ssl)) || SSL_set_fd(x->ssl, fd) != 1 ||
	    read_ahead_setup(x->ssl) < 0 ||
	    (ctx->role == TLS_CLIENT && client_peer_setup(x, host) < 0)) {
		ERR_clear_error();
		SSL_free(x->ssl);
		free(x);
		return NULL;
	}
	if (ctx->role == TLS_SERVER)
		SSL_set_accept_state(x->ssl);
	else
		SSL_set_connect_state(x->ssl);
	return &x->t;
}

int transport_tls_ktls_send(const struct transport *t)
{
	return t->ops == &tls_ops && ((const struct tls_transport *)t)->ktls_send;
}

const char *transport_tls_cipher(const struct transport *t)
{
	if (t->ops != &tls_ops || !t->ready)
		return NULL;
	return SSL_get_cipher_name(((const struct tls_transport *)t)->ssl);
}
