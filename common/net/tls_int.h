/* What tls_ctx.c and transport_tls.c share; nothing outside common/net/
 * includes this. */
#ifndef GREGOR_TLS_INT_H
#define GREGOR_TLS_INT_H

#include <openssl/ssl.h>

#include "common/net/tls.h"

struct tls_ctx {
	SSL_CTX *ssl;
	enum tls_role role;
	int client_auth; /* server: 0 none, 1 requested, 2 required */
	int verify_host; /* client: check the server's name (https) */
};

#endif
