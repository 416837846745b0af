/* TLS for Kafka connections (OpenSSL 3): a context built from Kafka's ssl.*
 * settings, and server/client transports (common/net/transport.h) over a
 * connected non-blocking socket.
 *
 *   tls_ctx_new        stores, protocols, ciphers, client auth -> context
 *   transport_tls_new  one connection; the handshake runs inside read/writev
 *
 * Nothing fails open: a setting that cannot be applied exactly as written
 * is an error naming its key, and a client always verifies the server's
 * certificate chain. Kernel TLS (SSL_OP_ENABLE_KTLS) is asked for; where the
 * kernel and cipher allow it, sendfile goes through SSL_sendfile, otherwise
 * sendfile answers -ENOTSUP and the caller falls back to read + writev.
 * OpenSSL writes to the socket with write(2): the process must ignore
 * SIGPIPE (gregord does), so a vanished peer is an error code. */
#ifndef GREGOR_TLS_H
#define GREGOR_TLS_H

#include <stddef.h>

#include "common/net/transport.h"

/* The ssl.* keys a context is built from (Kafka's names, without a
 * listener.name.<l>. prefix). */
enum tls_key {
	TLS_KEYSTORE_TYPE,
	TLS_KEYSTORE_LOCATION,
	TLS_KEYSTORE_PASSWORD,
	TLS_KEY_PASSWORD,
	TLS_KEYSTORE_KEY,
	TLS_KEYSTORE_CERTIFICATE_CHAIN,
	TLS_TRUSTSTORE_TYPE,
	TLS_TRUSTSTORE_LOCATION,
	TLS_TRUSTSTORE_PASSWORD,
	TLS_TRUSTSTORE_CERTIFICATES,
	TLS_CLIENT_AUTH,
	TLS_ENABLED_PROTOCOLS,
	TLS_CIPHER_SUITES,
	TLS_ENDPOINT_IDENTIFICATION_ALGORITHM,
	TLS_NKEYS
};

/* "ssl.keystore.type"... */
const char *tls_key_name(enum tls_key k);

/* value[k] is the setting (NULL = not given: the store type is then
 * detected from the file); key[k] the name to report in messages, e.g.
 * "listener.name.external.ssl.keystore.location" when a listener override
 * supplied it ("" = the plain key name). */
struct tls_settings {
	const char *value[TLS_NKEYS];
	char key[TLS_NKEYS][128];
};

enum tls_role { TLS_SERVER, TLS_CLIENT };

struct tls_ctx;

/* Builds a context. A server needs a keystore; a client uses one if given
 * (mutual TLS) and verifies the server against the truststore (the system's
 * CA paths without one). Returns the context, or NULL with a message naming
 * the offending key in err. */
struct tls_ctx *tls_ctx_new(const struct tls_settings *s, enum tls_role role, char *err,
			    size_t errlen);
void tls_ctx_free(struct tls_ctx *ctx);
/* The client auth a server context demands: 0 none, 1 requested, 2 required. */
int tls_ctx_client_auth(const struct tls_ctx *ctx);

/* Wraps a connected non-blocking socket (owned from now on, closed by
 * free). host is the peer's advertised host for a client (SNI and, with
 * ssl.endpoint.identification.algorithm=https, the name its certificate
 * must carry); ignored for a server. NULL on out of memory (fd left open). */
struct transport *transport_tls_new(struct tls_ctx *ctx, int fd, const char *host);
/* 1 when the connection's records are sent by the kernel (kTLS). */
int transport_tls_ktls_send(const struct transport *t);
/* The negotiated cipher suite's name ("TLS_AES_128_GCM_SHA256"), or NULL
 * (not TLS, or no handshake yet). */
const char *transport_tls_cipher(const struct transport *t);

#endif
