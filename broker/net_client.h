/* An asynchronous Kafka client connection on the event loop, for requests
 * this broker sends to another (follower fetches, transaction markers). It
 * connects with the inter-broker listener's security (struct
 * peer_security: plain TCP or TLS through common/net/transport.h). One
 * request in flight at a time; a request that gets no answer within the
 * timeout fails and the connection is dropped, to be re-established by the
 * next send. With inter-broker SASL (sec->sasl) a new connection first runs
 * the SASL exchange (SaslHandshake v1, SaslAuthenticate v1) and only then
 * sends the request that opened it; a refused exchange fails that request
 * with -EACCES. */
#ifndef GREGOR_NET_CLIENT_H
#define GREGOR_NET_CLIENT_H

#include <stdint.h>

#include "common/arena.h"
#include "common/net/loop.h"
#include "common/proto/codec.h"

struct net_client;
struct peer_security;

/* err is 0 with the decoded response in resp (valid until the callback
 * returns), or -errno / -EBADMSG with resp NULL. */
typedef void (*net_client_fn)(struct net_client *nc, int err, void *resp, void *arg);

/* sec (kept by pointer, may be NULL for plain TCP) must outlive the client. */
struct net_client *net_client_new(struct loop *l, const char *client_id,
				  const struct peer_security *sec);
void net_client_free(struct net_client *nc);
/* Points the client at host:port, closing any connection to another address. */
void net_client_target(struct net_client *nc, const char *host, int port);
int net_client_busy(const struct net_client *nc);
/* How long the request in flight has waited (ms, against now_ms of
 * clock_mono_ms), or -1 when none is. */
int64_t net_client_waiting_ms(const struct net_client *nc, int64_t now_ms);
/* Drops the connection; a request in flight fails with -ECANCELED (its
 * callback runs before this returns). The next request reconnects. */
void net_client_reset(struct net_client *nc);

/* Encodes body with the API's request schema and sends it; fn runs exactly
 * once. Returns 0, or -EBUSY if a request is in flight. */
int net_client_send(struct net_client *nc, int16_t api_key, int16_t version,
		    const void *body, int32_t timeout_ms, net_client_fn fn, void *arg);

#endif
