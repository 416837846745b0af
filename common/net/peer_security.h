/* How this broker reaches other brokers: the inter-broker listener's
 * security protocol and its client settings. Shared by the loop thread's
 * clients (broker/net_client.c: follower fetches, transaction markers) and
 * the coordination thread's controller channel (coord/broker_channel.c);
 * the TLS context is safe to use from both threads. */
#ifndef GREGOR_PEER_SECURITY_H
#define GREGOR_PEER_SECURITY_H

#include "common/net/tls.h"
#include "common/net/transport.h"

struct sasl_client_conf;

struct peer_security {
	int protocol;        /* Kafka's SecurityProtocol id: 0 PLAINTEXT, 1 SSL, ... */
	struct tls_ctx *tls; /* client context for SSL and SASL_SSL, else NULL */
	/* SASL_PLAINTEXT, SASL_SSL: sasl.mechanism.inter.broker.protocol with
	 * this broker's username/password (common/auth/sasl_client.h), else
	 * NULL; clients run the exchange on each new connection before their
	 * first request. */
	const struct sasl_client_conf *sasl;
};

/* The transport for a fresh connection to host: TLS when sec has a TLS
 * context, else plain TCP (sec may be NULL). NULL on failure (fd open). */
static inline struct transport *peer_transport_new(const struct peer_security *sec, int fd,
						   const char *host)
{
	if (sec && sec->tls)
		return transport_tls_new(sec->tls, fd, host);
	return transport_plain_new(fd);
}

#endif
