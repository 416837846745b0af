/* The Kafka listener: accepts connections, frames requests, decodes them with
 * the codec, dispatches to broker/handlers/, and sends responses in request
 * order (writev for memory, sendfile for log slices).
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
/* "ip:port" of the client, for log lines. */
const char *request_peer(const struct request *req);
/* "/ip" of the client, the form Kafka reports for group members. */
const char *request_client_host(const struct request *req);

/* Starts listening on host:port; returns 0 or -errno. */
int server_listen(struct broker *b, const char *host, int port);
void server_shutdown(struct broker *b);

#endif
