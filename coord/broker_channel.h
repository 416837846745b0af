/* A small blocking Kafka client the controller uses to reach one broker:
 * connect with a timeout, send one request frame, read its response frame.
 * It connects with the inter-broker listener's security (sec: plain TCP or
 * TLS through common/net/transport.h; NULL = plain, as gregorctl uses it),
 * and with SASL (sec->sasl) authenticates each new connection before its
 * first request.
 * Every wait is bounded (BCHAN_TIMEOUT_MS) so a dead broker costs the
 * coordination thread at most one timeout per call; on any failure the
 * connection is dropped and the next call reconnects. */
#ifndef GREGOR_BROKER_CHANNEL_H
#define GREGOR_BROKER_CHANNEL_H

#include <stddef.h>
#include <stdint.h>

struct peer_security;
struct transport;

#define BCHAN_TIMEOUT_MS 5000
#define BCHAN_MAX_RESPONSE (64 << 20)

struct broker_channel {
	int32_t broker_id;
	char host[256];
	int32_t port;
	int fd;                 /* -1 when not connected */
	struct transport *tr;   /* owns fd while connected */
	const struct peer_security *sec; /* NULL: plain TCP; set after init */
	int32_t next_corr_id;
	int timeout_ms;
	int64_t sasl_expiry_ms; /* monotonic; reconnect before (KIP-368); 0 none */
};

void broker_channel_init(struct broker_channel *ch, int32_t broker_id,
			 const char *host, int32_t port);
/* Points the channel at a new address (closing the old connection if it
 * differs). */
void broker_channel_set_addr(struct broker_channel *ch, const char *host,
			     int32_t port);
void broker_channel_close(struct broker_channel *ch);

/* Sends frame[0..len) (a complete request: i32 size + header + body, whose
 * correlation id is corr_id) and reads the response. On success *resp is a
 * malloc'd response body after the correlation id and 0 is returned;
 * otherwise -errno (-ETIMEDOUT, -ECONNREFUSED, -EPROTO on a mismatched
 * correlation id or oversized frame). */
int broker_channel_roundtrip(struct broker_channel *ch, const uint8_t *frame,
			     size_t len, int32_t corr_id, uint8_t **resp,
			     size_t *resp_len);

#endif
