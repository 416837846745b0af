/* The Kafka listeners: accept connections, frame requests, decode them with
 * the codec, pass each through the request gate (broker/gate.h: session,
 * authorization, quota, metrics) and dispatch it to broker/handlers/; send
 * responses in request order (writev for memory, sendfile for log slices).
 * Every connection reads and writes through a transport
 * (common/net/transport.h), never a raw fd; docs/request-path.md has the
 * whole path.
 *
 * A connection handles one request at a time, as Kafka does: while a request
 * is in flight (a handler parked it as a delayed operation) no further frame
 * of that connection is read, so responses can never be reordered. */
#ifndef GREGOR_SERVER_H
#define GREGOR_SERVER_H

#include <stdint.h>

#include "common/arena.h"
#include "common/proto/apis.h"
#include "common/proto/codec.h"

struct broker;
struct conn;
struct tls_ctx;

/* Kafka's SecurityProtocol ids (also the ids in UpdateMetadata endpoints). */
enum sec_protocol {
	SEC_PLAINTEXT = 0,
	SEC_SSL = 1,
	SEC_SASL_PLAINTEXT = 2,
	SEC_SASL_SSL = 3,
};
/* "PLAINTEXT"... -> id, or -1. */
int sec_protocol_parse(const char *name);
const char *sec_protocol_name(enum sec_protocol p);
static inline int sec_protocol_is_tls(enum sec_protocol p)
{
	return p == SEC_SSL || p == SEC_SASL_SSL;
}
static inline int sec_protocol_is_sasl(enum sec_protocol p)
{
	return p == SEC_SASL_PLAINTEXT || p == SEC_SASL_SSL;
}

/* One listening socket and what every connection accepted on it shares.
 * Owned by the broker; lives until server_shutdown. */
struct listener_rt {
	char name[32];               /* upper-cased listener name, e.g. "EXTERNAL" */
	enum sec_protocol protocol;
	struct tls_ctx *tls;         /* server TLS context (TLS listeners), else NULL */
	unsigned sasl_mechanisms;    /* bit set of enabled SASL mechanisms (broker/auth) */
	int fd;
	void *priv;                  /* server.c's accept state */
};

/* A connection's authentication state (Kafka's SaslServerAuthenticator and
 * KIP-368 re-authentication). Listeners without SASL start AUTHENTICATED
 * with the TLS client certificate's principal or User:ANONYMOUS. */
enum auth_state {
	AUTH_HANDSHAKE,     /* SASL listener: only ApiVersions, SaslHandshake */
	AUTH_TOKENS,        /* after SaslHandshake v1: SaslAuthenticate frames */
	AUTH_RAW_TOKENS,    /* after SaslHandshake v0: raw token frames, no header */
	AUTH_AUTHENTICATED, /* any request the gate admits */
	AUTH_FAILED,        /* authentication failed: the connection closes */
};

struct session {
	enum auth_state state;
	char principal[256];   /* "User:alice"; "User:ANONYMOUS" before auth */
	const char *mechanism; /* static name ("SCRAM-SHA-256") or NULL */
	void *mech;            /* mechanism state during an exchange (broker/auth) */
	void (*mech_free)(void *mech);
	int64_t expiry_ms;     /* monotonic; 0 = no session lifetime (KIP-368) */
};

struct request {
	struct broker *b;
	struct conn *conn;
	struct kreq_header hdr;
	const struct kapi *api;
	struct kver ver;
	void *body;          /* the decoded request struct of api->req */
	struct arena arena;  /* per-request memory, freed with the request */
	uint8_t *frame;      /* the request bytes; body points into it */
	uint32_t frame_len;
	int64_t recv_ms;     /* monotonic */
	int64_t recv_us;     /* monotonic, for the request-time metrics */
	int replica_id_fetch; /* set by handlers for logging only */
};

typedef void (*handler_fn)(struct request *req);

/* Encodes resp (a struct of api->resp) at the request's version, queues it on
 * the connection and frees the request. Safe after the client went away. */
void request_respond(struct request *req, const void *resp);
/* Ends a request that gets no response (Produce acks=0). */
void request_finish_silent(struct request *req);
/* Ends a request by closing its connection (Kafka's answer to some errors). */
void request_close(struct request *req, const char *why);
/* Encodes a response of the request's API with every field zero except a
 * top-level error_code (and throttle_time_ms 0): the gate's refusal of an
 * API whose response has one. Returns 0, or -1 (request untouched) when the
 * response has no top-level error_code. */
int request_respond_error(struct request *req, int16_t error_code);
/* The connection's session and listener (valid while the request lives). */
struct session *request_session(struct request *req);
const struct listener_rt *request_listener(const struct request *req);
/* "ip:port" of the client, for log lines. */
const char *request_peer(const struct request *req);
/* "/ip" of the client, the form Kafka reports for group members. */
const char *request_client_host(const struct request *req);

/* Starts listening for one configured listener (host:port, name) with the
 * given security protocol; returns 0 or -errno. The broker keeps the
 * listener_rt in b->listeners. */
int server_listen(struct broker *b, const char *name, const char *host, int port,
		  enum sec_protocol protocol);
void server_shutdown(struct broker *b);

#endif
