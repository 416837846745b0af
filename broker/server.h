/* The Kafka listeners: accept connections, frame requests, decode them with
 * the codec, pass each through the request gate (broker/gate.h: session,
 * authorization, quota, metrics) and dispatch it to broker/handlers/; send
 * responses in request order (writev for memory, sendfile for log slices).
 * Every connection reads and writes through a transport
 * (common/net/transport.h), never a raw fd; docs/request-path.md has the
 * whole path.
 *
 * Requests of one connection are pipelined: the next frame is decoded and
 * dispatched while earlier requests are parked (acks=all, fetch waits, group
 * joins); each request owns a response slot and responses leave strictly in
 * request order. What a connection (and the broker as a whole) may hold in
 * progress is bounded; past a bound the connection is muted (not read) until
 * it drains. Until a session is authenticated, and while a SASL request is in
 * progress, a connection takes one request at a time, because the framing of
 * the next frame can depend on the answer (SaslHandshake v0). */
#ifndef GREGOR_SERVER_H
#define GREGOR_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "common/arena.h"
#include "common/proto/apis.h"
#include "common/proto/codec.h"

struct broker;
struct conn;
struct conn_slot;
struct tls_ctx;
struct ssl_principal_rules;

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
	/* ssl.principal.mapping.rules: client certificate subject -> principal
	 * name (SSL listeners); NULL elsewhere */
	struct ssl_principal_rules *principal_rules;
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
	struct conn_slot *slot; /* where its response waits for its turn */
	struct kreq_header hdr;
	const struct kapi *api; /* NULL for a raw SASL token (AUTH_RAW_TOKENS) */
	struct kver ver;
	void *body;          /* the decoded request struct of api->req */
	struct arena arena;  /* per-request memory, freed with the request */
	uint8_t *frame;      /* the request bytes; body points into it */
	uint32_t frame_len;
	int64_t recv_ms;     /* monotonic */
	int64_t recv_us;     /* monotonic, for the request-time metrics */
	int replica_id_fetch; /* set by handlers for logging only */
	/* client quotas (broker/quota/client_quotas.h) */
	int64_t cpu_us;         /* loop time its handler took before parking */
	int32_t throttle_ms;    /* throttle decided so far (bandwidth or request) */
	uint8_t throttle_type;  /* the quota type that set it (enum quota_type) */
	uint8_t quota_exempt;   /* not counted against request_percentage */
	uint8_t quota_recorded; /* its request time is already recorded */
};

typedef void (*handler_fn)(struct request *req);

/* Encodes resp (a struct of api->resp) at the request's version, queues it on
 * the connection and frees the request. Safe after the client went away. */
void request_respond(struct request *req, const void *resp);
/* Loop time spent on the request so far: since it was taken while its
 * handler still runs, else what its handler took before it was parked. */
int64_t request_cpu_us(struct request *req);
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

/* SASL v0 framing: while a session is AUTH_RAW_TOKENS, every frame is a bare
 * token without a request header. The server hands each one to this handler
 * (broker/auth sets it) as a request whose api is NULL, hdr is zero and
 * frame/frame_len hold the token; the handler answers with
 * request_respond_raw or ends it with request_close. Such a connection has
 * one request in progress at a time. Without a handler, a raw token frame
 * closes the connection. Per broker (b->raw_token_handler). */
void server_set_raw_token_handler(struct broker *b, handler_fn fn);
/* Queues len bytes as one frame: a length prefix and the bytes, no response
 * header (the raw token answer); frees the request like request_respond. */
void request_respond_raw(struct request *req, const void *buf, size_t len);

/* Starts listening on host:port for a listener described by spec (name,
 * protocol, TLS context, principal rules, SASL mechanisms; fd and priv are
 * ignored); returns 0 or -errno. The broker keeps its own listener_rt in
 * b->listeners and owns spec's TLS context and rules from then on, also on
 * failure. */
int server_listen(struct broker *b, const struct listener_rt *spec, const char *host, int port);
void server_shutdown(struct broker *b);
/* With b->accept_held set before server_listen, listeners are bound but take
 * no connection until this is called (the authorizer holds them until its
 * first ACL load, as Kafka serves only once its authorizer is ready). */
void server_start_accepting(struct broker *b);

#endif
