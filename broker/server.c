/* Listener and connections: framing, decode, dispatch, pipelined requests
 * with responses in request order, and the bounds that keep one client from
 * wearing the broker down (docs/request-path.md).
 *
 * Invariants:
 * - Every request taken from a connection owns one slot in the connection's
 *   slot list (arrival order) until its response has been sent; responses
 *   leave from the oldest slot only, so they are never reordered.
 * - c->ninflight counts requests whose handler has not finished (parked ones
 *   included). A closed connection is freed only when it is 0, and never
 *   inside the event callback that is still using it.
 * - Handlers run only from conn_process, one at a time and never
 *   re-entrantly: a request that finishes inside another handler (a wake-up)
 *   only fills its slot and arms its connection's resume timer.
 * - A connection takes a new frame only while conn_may_take says so (one
 *   request is always allowed, as Kafka; more only under the per-connection
 *   and broker-wide bounds, and never before authentication); otherwise it is
 *   muted: no EPOLLIN until it drains. */
#include "broker/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "broker/broker.h"
#include "broker/gate.h"
#include "broker/handlers/handlers.h"
#include "broker/handlers/unsupported_log.h"
#include "broker/metrics.h"
#include "broker/quota/client_quotas.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/net/tls.h"
#include "common/net/transport.h"
#include "broker/tls_config.h"
#include "common/proto/kerr.h"
#include "common/strmap.h"

#define RBUF_SIZE 65536
#define MAX_IOV 64
#define FILE_CHUNK 65536    /* pread size where the transport cannot sendfile */
#define FRAME_STEP 65536    /* a large frame's buffer grows by at most this, or doubles */
#define CONN_MAX_FDS 256    /* segment fds held by one connection's queued responses */
#define PRE_AUTH_MAX_FRAME 524288 /* Kafka's limit on frames before authentication */
#define PARTIAL_MAX_MS 30000  /* a started frame must keep arriving */
#define ACCEPT_BACKOFF_MS 200 /* accepts pause this long when out of fds */

struct conn_slot {
	struct conn_slot *next;
	struct kout out;
	int ready;         /* the response is encoded (or none is due) */
	int piece;         /* next piece to send */
	int64_t piece_off; /* bytes of that piece already sent */
	int64_t bytes;     /* what it holds: request bytes, then response bytes */
	int nfds;          /* segment fds its response holds */
};

struct conn {
	struct loop_io io;         /* io.fd is the socket; I/O goes through tr */
	struct transport *tr;
	struct listener_rt *lst;
	struct session sess;
	struct broker *b;
	struct conn *prev, *next;  /* broker's list of live connections */
	char peer[64];
	char client_host[64];      /* "/ip", as Kafka shows a member's host */
	char ip[INET6_ADDRSTRLEN];
	uint8_t rbuf[RBUF_SIZE];
	size_t rlen;
	uint8_t *big;              /* a frame larger than what rbuf held, being filled */
	uint32_t big_len, big_have, big_cap;
	struct conn_slot *slots, *slots_tail;
	int nslots;                /* slots not yet sent */
	int ninflight;             /* requests whose handler has not finished */
	int64_t qbytes;            /* bytes held by the slots */
	int nfds;
	int barrier;               /* a serial request in progress: take no frame */
	uint8_t *held;             /* a serial request's frame waiting for the */
	uint32_t held_len;         /* requests before it to finish */
	int closed;
	int dispatching;           /* inside a handler call: do not recurse */
	int closing;               /* last flush before close under way */
	int global_muted;          /* muted by a broker-wide bound */
	int64_t last_active_ms;    /* last byte read or written */
	struct loop_timer free_timer;
	struct loop_timer resume_timer; /* picks up after an async completion */
	uint8_t *chunk;            /* FILE_CHUNK bytes for the pread path, lazily */
	struct request *running;   /* the request whose handler is being called */
	int64_t throttled_until;   /* client quota: no frame taken before (ms) */
	struct loop_timer throttle_timer; /* ends the quota mute */
	int peer_checked;          /* the TLS peer's principal was taken */
};

struct listener_sock {
	struct loop_io io;
	struct broker *b;
	struct listener_rt rt;
	struct loop_timer backoff; /* accepts paused (out of fds) */
};

/* What all connections hold together, and the connection limits. */
struct server {
	int64_t requests;        /* slots over all connections */
	int64_t bytes;
	int nconns;
	int nglobal_muted;
	struct strmap per_ip;    /* ip -> open connections (as a pointer-sized count) */
	struct strmap ip_limits; /* ip -> max.connections.per.ip.overrides value + 1 */
	struct loop_timer sweep; /* idle and stalled-frame checks */
	struct unsupported_log unsupported; /* clients told about refused versions */
};

void server_set_raw_token_handler(struct broker *b, handler_fn fn)
{
	b->raw_token_handler = fn;
}

static const char *const sec_names[] = { "PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL" };

int sec_protocol_parse(const char *name)
{
	for (int i = 0; i < 4; i++)
		if (strcmp(name, sec_names[i]) == 0)
			return i;
	return -1;
}

const char *sec_protocol_name(enum sec_protocol p)
{
	return (unsigned)p < 4 ? sec_names[p] : "?";
}

static void conn_io(struct loop_io *io, uint32_t events);
static int session_take_peer(struct conn *c);
static void conn_process(struct conn *c);
static int conn_flush(struct conn *c);
static void conn_read(struct conn *c);

/* ---- bounds ---- */

static int server_over_global(const struct server *s, const struct broker_config *cfg)
{
	return s->requests >= cfg->queued_max_requests ||
	       (cfg->queued_max_request_bytes > 0 && s->bytes >= cfg->queued_max_request_bytes);
}

/* A broker-wide bound eased: connections it muted look at their frames
 * again, from their resume timers (this may run inside a handler). */
static void server_unmute_all(struct broker *b)
{
	struct server *s = b->srv;
	for (struct conn *c = b->conns; c && s->nglobal_muted; c = c->next)
		if (c->global_muted) {
			c->global_muted = 0;
			s->nglobal_muted--;
			loop_timer_start(b->loop, &c->resume_timer, 0);
		}
}

static void conn_account(struct conn *c, int64_t dbytes, int dslots, int dfds)
{
	struct server *s = c->b->srv;
	c->qbytes += dbytes;
	c->nslots += dslots;
	c->nfds += dfds;
	s->bytes += dbytes;
	s->requests += dslots;
	if ((dbytes < 0 || dslots < 0) && s->nglobal_muted &&
	    !server_over_global(s, c->b->cfg))
		server_unmute_all(c->b);
}

/* Muted by a client quota (no byte read, not even the rest of a frame). */
static int conn_throttled(const struct conn *c)
{
	return c->throttled_until && loop_now_ms(c->b->loop) < c->throttled_until;
}

/* Whether the connection may take its next frame now. One request at a time
 * is always allowed (Kafka's own model, and what keeps inter-broker traffic
 * moving when the broker is full); more only under every bound. Before
 * authentication, and while a SASL request is in progress, nothing more. */
static int conn_may_take(struct conn *c)
{
	const struct broker_config *cfg = c->b->cfg;
	struct server *s = c->b->srv;
	if (c->closed || c->closing || c->held)
		return 0;
	/* a client quota's mute (Kafka mutes the channel for the throttle
	 * time) holds even the one request otherwise always allowed */
	if (conn_throttled(c))
		return 0;
	if (c->nslots == 0)
		return 1;
	if (c->ninflight > 0 && (c->barrier || c->sess.state != AUTH_AUTHENTICATED))
		return 0;
	if (c->nslots >= cfg->queued_max_requests_per_connection ||
	    c->qbytes >= cfg->queued_max_bytes_per_connection || c->nfds >= CONN_MAX_FDS)
		return 0;
	if (server_over_global(s, cfg)) {
		if (!c->global_muted) {
			c->global_muted = 1;
			s->nglobal_muted++;
		}
		return 0;
	}
	return 1;
}

/* ---- slots ---- */

static struct conn_slot *slot_new(struct conn *c, int64_t request_bytes)
{
	struct conn_slot *sl = calloc(1, sizeof *sl);
	if (!sl)
		return NULL;
	kout_init(&sl->out);
	sl->bytes = request_bytes;
	if (c->slots_tail)
		c->slots_tail->next = sl;
	else
		c->slots = sl;
	c->slots_tail = sl;
	conn_account(c, request_bytes, 1, 0);
	return sl;
}

/* File pieces hold their own duplicate of the segment fd, so a segment
 * deleted by retention while a response is queued stays readable. */
static void slot_close_files(struct conn_slot *sl)
{
	for (int i = 0; i < sl->out.npieces; i++)
		if (sl->out.pieces[i].fd >= 0) {
			close(sl->out.pieces[i].fd);
			sl->out.pieces[i].fd = -1;
		}
}

static int slot_own_files(struct conn_slot *sl)
{
	for (int i = 0; i < sl->out.npieces; i++) {
		struct kpiece *p = &sl->out.pieces[i];
		if (p->fd < 0)
			continue;
		if ((p->fd = fcntl(p->fd, F_DUPFD_CLOEXEC, 0)) < 0) {
			for (int j = i + 1; j < sl->out.npieces; j++)
				sl->out.pieces[j].fd = -1;
			return -1;
		}
		sl->nfds++;
	}
	return 0;
}

/* The response is in sl->out (encoded, files owned): it now holds what the
 * response holds instead of the request. */
static void slot_ready(struct conn *c, struct conn_slot *sl)
{
	int64_t now = sl->out.npieces ? sl->out.total : 0;
	sl->ready = 1;
	conn_account(c, now - sl->bytes, 0, sl->nfds);
	sl->bytes = now;
}

/* Unlinks sl (any position) and frees it. */
static void slot_drop(struct conn *c, struct conn_slot *sl)
{
	struct conn_slot **pp = &c->slots, *prev = NULL;
	while (*pp && *pp != sl) {
		prev = *pp;
		pp = &(*pp)->next;
	}
	if (*pp) {
		*pp = sl->next;
		if (c->slots_tail == sl)
			c->slots_tail = prev;
	}
	int fds = sl->ready ? sl->nfds : 0;
	slot_close_files(sl);
	kout_free(&sl->out);
	conn_account(c, -sl->bytes, -1, -fds);
	free(sl);
}

/* ---- connection lifetime ---- */

static void server_ip_release(struct broker *b, const char *ip)
{
	struct server *s = b->srv;
	uintptr_t n = (uintptr_t)strmap_get(&s->per_ip, ip, strlen(ip));
	if (n <= 1)
		strmap_del(&s->per_ip, ip, strlen(ip));
	else
		strmap_put(&s->per_ip, ip, strlen(ip), (void *)(n - 1));
}

static void conn_free_later(struct loop_timer *t)
{
	struct conn *c = t->arg;
	free(c->big);
	free(c->chunk);
	if (c->sess.mech && c->sess.mech_free)
		c->sess.mech_free(c->sess.mech);
	while (c->slots)
		slot_drop(c, c->slots);
	free(c);
}

static void conn_resume(struct loop_timer *t)
{
	struct conn *c = t->arg;
	if (c->closed)
		return;
	conn_process(c);
	if (!c->closed && conn_may_take(c) && c->tr->ops->pending(c->tr))
		conn_read(c);
}

static void conn_close(struct conn *c, const char *why)
{
	if (c->closed)
		return;
	if (c->slots && c->slots->ready && !c->closing) {
		/* answers to earlier requests still go out (best effort, no wait),
		 * as they would have had the bad frame arrived a moment later */
		c->closing = 1;
		conn_flush(c);
		if (c->closed)
			return;
	}
	c->closed = 1;
	if (why)
		log_info_rl("server", "closing connection from %s: %s", c->peer, why);
	loop_io_del(c->b->loop, &c->io);
	transport_free(c->tr);
	c->tr = NULL;
	if (c->prev)
		c->prev->next = c->next;
	else
		c->b->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	struct server *s = c->b->srv;
	s->nconns--;
	server_ip_release(c->b, c->ip);
	if (c->global_muted) {
		c->global_muted = 0;
		s->nglobal_muted--;
	}
	loop_timer_stop(c->b->loop, &c->resume_timer);
	loop_timer_stop(c->b->loop, &c->throttle_timer);
	/* what can no longer be sent stops counting now; slots of requests
	 * still in progress go when their request ends */
	for (struct conn_slot *sl = c->slots, *next; sl; sl = next) {
		next = sl->next;
		if (sl->ready)
			slot_drop(c, sl);
	}
	free(c->big);
	c->big = NULL;
	free(c->held);
	c->held = NULL;
	if (!c->ninflight)
		loop_timer_start(c->b->loop, &c->free_timer, 0);
}

const char *request_peer(const struct request *req) { return req->conn->peer; }
struct session *request_session(struct request *req) { return &req->conn->sess; }
const struct listener_rt *request_listener(const struct request *req) { return req->conn->lst; }
const char *request_client_host(const struct request *req) { return req->conn->client_host; }

/* The mute of a client quota: the connection takes no frame for ms
 * (Kafka 2.0+ sends the response at once and mutes the channel, KIP-219);
 * a later, longer throttle extends it. */
static void conn_throttle(struct conn *c, int32_t ms)
{
	int64_t until = loop_now_ms(c->b->loop) + ms;
	if (c->closed || until <= c->throttled_until)
		return;
	c->throttled_until = until;
	loop_timer_start(c->b->loop, &c->throttle_timer, ms);
}

static void conn_throttle_end(struct loop_timer *t)
{
	struct conn *c = t->arg;
	if (c->closed)
		return;
	c->throttled_until = 0;
	conn_process(c);
	if (!c->closed && conn_may_take(c) && c->tr->ops->pending(c->tr))
		conn_read(c);
}

int64_t request_cpu_us(struct request *req)
{
	return req->conn->running == req ? clock_mono_us() - req->recv_us : req->cpu_us;
}

/* The quota decision at the request's end: its throttle time goes into
 * the response's ThrottleTimeMs (where its version has one) and mutes the
 * connection. resp may be NULL (no response). */
static void request_quota_end(struct request *req, const void *resp)
{
	int32_t ms = quota_request_end(req, request_cpu_us(req));
	if (ms <= 0)
		return;
	const struct kmsg *m = req->api->resp;
	for (int i = 0; resp && i < m->nfields; i++) {
		const struct kfield *f = &m->fields[i];
		if (f->type == KT_INT32 && f->tag < 0 && strcmp(f->name, "ThrottleTimeMs") == 0 &&
		    req->ver.version >= f->min_ver && req->ver.version <= f->max_ver) {
			/* the handler's response struct lives in the request arena */
			int32_t *field = (int32_t *)((uint8_t *)(uintptr_t)resp + f->off);
			if (*field < ms)
				*field = ms;
		}
	}
	conn_throttle(req->conn, ms);
}

static void request_free(struct request *req)
{
	struct conn *c = req->conn;
	struct conn_slot *sl = req->slot;
	if (c->running == req)
		c->running = NULL;
	if (req->api) /* not for raw SASL tokens */
		metrics_request_done(c->b->metrics, req->hdr.api_key, req->hdr.api_version,
				     (double)(clock_mono_us() - req->recv_us) / 1000.0,
				     loop_now_ms(c->b->loop));
	arena_free(&req->arena);
	free(req->frame);
	free(req);
	c->ninflight--;
	if (c->ninflight == 0)
		c->barrier = 0;
	if (c->closed) {
		slot_drop(c, sl);
		if (!c->ninflight)
			loop_timer_start(c->b->loop, &c->free_timer, 0);
		return;
	}
	if (!sl->ready)
		slot_ready(c, sl); /* no response (acks=0) or a failed encoding */
	/* Typically inside another connection's handler (a wake-up): flushing
	 * and taking further frames happen from the timer, never from here, as
	 * running handlers re-entrantly would let them change state (waiter
	 * lists, logs) that the caller is walking. */
	if (!c->dispatching)
		loop_timer_start(c->b->loop, &c->resume_timer, 0);
}

/* ---- sending ---- */

static void conn_update_interest(struct conn *c)
{
	uint32_t ev = 0;
	if ((c->big && !conn_throttled(c)) || conn_may_take(c)) {
		ev |= EPOLLIN;
		/* bytes a TLS transport already decrypted: epoll will not
		 * announce them (say, when a muted connection drains) */
		if (c->tr->ops->pending(c->tr))
			loop_timer_start(c->b->loop, &c->resume_timer, 0);
	}
	if (c->slots && c->slots->ready)
		ev |= EPOLLOUT;
	loop_io_mod(c->b->loop, &c->io, ev | c->tr->want);
}

/* A file piece: sendfile where the transport can, else a bounded pread into
 * the connection's chunk and an ordinary write (TLS without kTLS). */
static ssize_t conn_send_file(struct conn *c, const struct kpiece *p, int64_t done)
{
	off_t off = p->off + done;
	size_t len = (size_t)(p->len - done);
	ssize_t n = c->tr->ops->sendfile(c->tr, p->fd, &off, len);
	if (n != -ENOTSUP)
		return n;
	if (!c->chunk && !(c->chunk = malloc(FILE_CHUNK)))
		return -ENOMEM;
	ssize_t r = pread(p->fd, c->chunk, len < FILE_CHUNK ? len : FILE_CHUNK, off);
	if (r <= 0)
		return r < 0 ? -errno : 0;
	struct iovec iov = { c->chunk, (size_t)r };
	return c->tr->ops->writev(c->tr, &iov, 1);
}

/* Marks n bytes of sl as sent. Returns 1 when sl is complete. */
static int slot_advance(struct conn_slot *sl, int64_t n)
{
	while (sl->piece < sl->out.npieces) {
		struct kpiece *q = &sl->out.pieces[sl->piece];
		int64_t take = q->len - sl->piece_off;
		if (take > n) {
			sl->piece_off += n;
			return 0;
		}
		n -= take;
		sl->piece++;
		sl->piece_off = 0;
	}
	return 1;
}

/* Sends the oldest slots while they are ready and the socket takes bytes.
 * Returns 0, or -1 if the connection failed and was closed. */
static int conn_flush(struct conn *c)
{
	while (c->slots && c->slots->ready) {
		struct conn_slot *sl = c->slots;
		if (sl->piece >= sl->out.npieces) {
			slot_drop(c, sl);
			continue;
		}
		struct kpiece *p = &sl->out.pieces[sl->piece];
		ssize_t n;
		if (p->fd >= 0) {
			n = conn_send_file(c, p, sl->piece_off);
			if (n == 0) {
				/* the file shrank under us (truncation): the frame can no
				 * longer be completed, so the connection must go */
				conn_close(c, "log slice vanished during send");
				return -1;
			}
		} else {
			struct iovec iov[MAX_IOV];
			int k = 0;
			for (int i = sl->piece; i < sl->out.npieces && k < MAX_IOV; i++) {
				struct kpiece *q = &sl->out.pieces[i];
				if (q->fd >= 0)
					break;
				int64_t skip = i == sl->piece ? sl->piece_off : 0;
				iov[k].iov_base = sl->out.buf + q->off + skip;
				iov[k].iov_len = (size_t)(q->len - skip);
				k++;
			}
			n = c->tr->ops->writev(c->tr, iov, k);
		}
		if (n < 0) {
			if (n == -EAGAIN)
				return 0;
			conn_close(c, strerror((int)-n));
			return -1;
		}
		c->last_active_ms = loop_now_ms(c->b->loop);
		if (slot_advance(sl, n))
			slot_drop(c, sl);
	}
	/* bytes a TLS transport accepted but could not send yet: its t->want
	 * keeps EPOLLOUT in the interest until they are out */
	ssize_t n = transport_flush(c->tr);
	if (n < 0 && n != -EAGAIN) {
		conn_close(c, strerror((int)-n));
		return -1;
	}
	return 0;
}

static void slot_encode_fail(struct request *req, const char *what)
{
	log_error_rl("server", "cannot encode %s response for %s", what, req->conn->peer);
	conn_close(req->conn, "response encoding failed");
}

void request_respond(struct request *req, const void *resp)
{
	struct conn *c = req->conn;
	struct conn_slot *sl = req->slot;
	if (!c->closed && !req->api) {
		slot_encode_fail(req, "a raw token request's");
	} else if (!c->closed) {
		struct kout *o = &sl->out;
		request_quota_end(req, resp);
		size_t at = kw_reserve_i32(o);
		kresp_header_encode(o, req->hdr.api_key, req->hdr.api_version,
				    req->hdr.correlation_id);
		int rc = kcodec_encode(req->api->resp, req->ver, resp, o);
		kout_finish(o);
		if (slot_own_files(sl) < 0 || rc < 0 || o->oom) {
			slot_close_files(sl);
			kout_free(o);
			kout_init(o);
			sl->nfds = 0;
			slot_encode_fail(req, req->api->name);
		} else {
			kw_patch_i32(o, at, (int32_t)(o->total - 4));
			slot_ready(c, sl);
		}
	}
	request_free(req);
}

void request_respond_raw(struct request *req, const void *buf, size_t len)
{
	struct conn *c = req->conn;
	struct conn_slot *sl = req->slot;
	if (!c->closed) {
		struct kout *o = &sl->out;
		kw_i32(o, (int32_t)len);
		kw_raw(o, buf, len);
		kout_finish(o);
		if (o->oom) {
			kout_free(o);
			kout_init(o);
			slot_encode_fail(req, "a raw token");
		} else {
			slot_ready(c, sl);
		}
	}
	request_free(req);
}

void request_finish_silent(struct request *req)
{
	if (!req->conn->closed && req->api)
		request_quota_end(req, NULL); /* acks=0: the mute still applies */
	request_free(req);
}

int request_respond_error(struct request *req, int16_t error_code)
{
	if (!req->api)
		return -1;
	const struct kmsg *m = req->api->resp;
	const struct kfield *ef = NULL;
	for (int i = 0; i < m->nfields; i++)
		if (m->fields[i].type == KT_INT16 && strcmp(m->fields[i].name, "ErrorCode") == 0)
			ef = &m->fields[i];
	if (!ef || req->ver.version < ef->min_ver || req->ver.version > ef->max_ver)
		return -1;
	uint8_t *resp = arena_alloc(&req->arena, m->size);
	if (!resp)
		return -1;
	memset(resp, 0, m->size);
	memcpy(resp + ef->off, &error_code, sizeof error_code);
	request_respond(req, resp);
	return 0;
}

void request_close(struct request *req, const char *why)
{
	conn_close(req->conn, why);
	request_free(req);
}

/* ---- receiving ---- */

/* ApiVersions above our range: Kafka answers in v0 format with error 35 and
 * one entry for ApiVersions, so the client can retry with a lower version. */
static void respond_unsupported_api_versions(struct conn *c, const struct kreq_header *h,
					     uint32_t frame_len)
{
	struct conn_slot *sl = slot_new(c, frame_len);
	if (!sl) {
		conn_close(c, "out of memory");
		return;
	}
	const struct handler_entry *e = handler_find(18);
	struct kout *o = &sl->out;
	size_t at = kw_reserve_i32(o);
	kw_i32(o, h->correlation_id);
	kw_i16(o, KERR_UNSUPPORTED_VERSION);
	kw_i32(o, 1);
	kw_i16(o, 18);
	kw_i16(o, e->min_ver);
	kw_i16(o, e->adv_max_ver);
	kout_finish(o);
	kw_patch_i32(o, at, (int32_t)(o->total - 4));
	slot_ready(c, sl);
}

/* A request for frame (owned from here on), holding a new slot. */
static struct request *request_new(struct conn *c, uint8_t *frame, uint32_t len)
{
	struct request *req = calloc(1, sizeof *req);
	struct conn_slot *sl = req ? slot_new(c, len) : NULL;
	if (!sl) {
		free(req);
		free(frame);
		conn_close(c, "out of memory");
		return NULL;
	}
	req->b = c->b;
	req->conn = c;
	req->slot = sl;
	req->frame = frame;
	req->frame_len = len;
	req->recv_ms = loop_now_ms(c->b->loop);
	req->recv_us = clock_mono_us();
	arena_init(&req->arena);
	c->ninflight++;
	return req;
}

static void conn_call(struct conn *c, handler_fn fn, struct request *req)
{
	c->dispatching = 1;
	fn(req);
	c->dispatching = 0;
}

/* APIs whose requests run while earlier requests of their connection are in
 * progress and let later ones start while they wait: reads, Produce, Fetch
 * and the group membership calls. Every other API is serial, as on a Kafka
 * connection: it starts once the requests before it have finished and the
 * frames after it wait for its end, so a client that pipelines a write to
 * broker or coordinator state (OffsetCommit, CreateTopics, AddPartitionsToTxn,
 * SASL...) and a request depending on it sees Kafka's order. */
static int api_pipelines(int api_key)
{
	switch (api_key) {
	case 0: case 1: case 2: case 3: case 9: case 10: case 11: case 12: case 13:
	case 14: case 15: case 16: case 18: case 23: case 29: case 32: case 35:
	case 48: case 50: case 60: case 61: case 65: case 66:
		return 1;
	default:
		return 0;
	}
}

static int conn_dispatch(struct conn *c, uint8_t *frame, uint32_t len);

/* A complete frame: dispatched now, or held while a serial request waits
 * for the requests before it. Returns 0 to continue taking frames. */
static int conn_frame_ready(struct conn *c, uint8_t *frame, uint32_t len)
{
	int serial = c->sess.state == AUTH_RAW_TOKENS ||
		     (len >= 2 && !api_pipelines((int16_t)((frame[0] << 8) | frame[1])));
	if (serial && c->ninflight > 0) {
		c->held = frame;
		c->held_len = len;
		return -1;
	}
	if (serial)
		c->barrier = 1;
	int rc = conn_dispatch(c, frame, len);
	if (!c->ninflight)
		c->barrier = 0;
	return rc;
}

/* The held frame, once nothing runs before it. Returns 0 to go on. */
static int conn_take_held(struct conn *c)
{
	if (!c->held)
		return 0;
	if (c->ninflight > 0)
		return -1;
	uint8_t *f = c->held;
	c->held = NULL;
	c->barrier = 1;
	int rc = conn_dispatch(c, f, c->held_len);
	if (!c->ninflight)
		c->barrier = 0;
	return rc;
}

/* A bare SASL token (SaslHandshake v0 framing). */
static int conn_dispatch_raw(struct conn *c, uint8_t *frame, uint32_t len)
{
	handler_fn raw = c->b->raw_token_handler;
	if (!raw) {
		free(frame);
		conn_close(c, "SASL token frame but no mechanism to take it");
		return -1;
	}
	struct request *req = request_new(c, frame, len);
	if (!req)
		return -1;
	conn_call(c, raw, req);
	return c->closed ? -1 : 0;
}

/* Takes ownership of frame. Returns 0 to continue taking frames. */
static int conn_dispatch(struct conn *c, uint8_t *frame, uint32_t len)
{
	if (c->sess.state == AUTH_RAW_TOKENS)
		return conn_dispatch_raw(c, frame, len);
	struct kreader r = { frame, frame + len, 0 };
	struct kreq_header h;
	if (kreq_header_decode(&r, &h) < 0) {
		free(frame);
		conn_close(c, "malformed request header");
		return -1;
	}
	const struct handler_entry *e = handler_find(h.api_key);
	if (!e || h.api_version < e->min_ver || h.api_version > e->max_ver) {
		if (e && h.api_key == 18) {
			free(frame);
			respond_unsupported_api_versions(c, &h, len);
			return c->closed ? -1 : 0;
		}
		/* h.client_id points into frame: free it only after the note */
		unsupported_log_note(&c->b->srv->unsupported, &h, c->client_host,
				     e ? e->min_ver : -1, e ? e->max_ver : -1,
				     loop_now_ms(c->b->loop));
		free(frame);
		char why[96];
		snprintf(why, sizeof why, "unsupported api %d version %d", h.api_key,
			 h.api_version);
		conn_close(c, why);
		return -1;
	}
	struct request *req = request_new(c, frame, len);
	if (!req)
		return -1;
	req->hdr = h;
	req->api = kapi_find(h.api_key);
	req->ver = kapi_ver(req->api, h.api_version);
	req->body = arena_alloc(&req->arena, req->api->req->size);
	if (!req->body || kcodec_decode(req->api->req, req->ver, &r, req->body, &req->arena) < 0) {
		log_warn_rl("server", "malformed %s v%d request from %s", req->api->name,
			    h.api_version, c->peer);
		request_close(req, NULL);
		return -1;
	}
	if (session_take_peer(c) < 0) {
		request_close(req, "client certificate not mapped to a principal");
		return -1;
	}
	c->dispatching = 1;
	c->running = req;
	if (gate_admit(req, e->flags))
		e->fn(req);
	if (c->running == req) { /* parked: its handler's time so far */
		req->cpu_us = clock_mono_us() - req->recv_us;
		c->running = NULL;
	}
	c->dispatching = 0;
	/* a failed SASL exchange ends the connection once its answer is out
	 * (conn_close sends what is ready first) */
	if (!c->closed && c->sess.state == AUTH_FAILED)
		conn_close(c, "SASL authentication failed");
	return c->closed ? -1 : 0;
}

/* The largest frame this connection may send now. */
static int64_t conn_max_frame(const struct conn *c)
{
	const struct broker_config *cfg = c->b->cfg;
	int64_t max = c->b->max_request_bytes;
	if (cfg->queued_max_request_bytes > 0 && cfg->queued_max_request_bytes < max)
		max = cfg->queued_max_request_bytes;
	if (c->sess.state != AUTH_AUTHENTICATED && max > PRE_AUTH_MAX_FRAME)
		max = PRE_AUTH_MAX_FRAME;
	return max;
}

/* Starts a frame that rbuf does not hold whole: its buffer grows as its
 * bytes arrive (conn_read), so a length prefix alone reserves nothing. */
static int conn_start_big(struct conn *c, uint32_t size, size_t have)
{
	uint32_t cap = size < FRAME_STEP ? size : FRAME_STEP;
	if (cap < have)
		cap = (uint32_t)have;
	c->big = malloc(cap);
	if (!c->big) {
		conn_close(c, "out of memory");
		return -1;
	}
	memcpy(c->big, c->rbuf + 4, have);
	c->big_len = size;
	c->big_have = (uint32_t)have;
	c->big_cap = cap;
	return 0;
}

/* Takes every complete frame buffered while the connection may take one. */
static void conn_take_frames(struct conn *c)
{
	if (conn_take_held(c) < 0)
		return;
	while (!c->closed && !c->big && c->rlen >= 4 && conn_may_take(c)) {
		uint32_t be;
		memcpy(&be, c->rbuf, sizeof be); /* rbuf need not be aligned */
		int32_t size = (int32_t)ntohl(be);
		if (size < 0 || size > conn_max_frame(c)) {
			char why[96];
			snprintf(why, sizeof why, "frame size %d out of range (at most %lld)", size,
				 (long long)conn_max_frame(c));
			conn_close(c, why);
			return;
		}
		size_t have = c->rlen - 4 < (size_t)size ? c->rlen - 4 : (size_t)size;
		uint8_t *frame = NULL;
		if (have < (size_t)size) {
			if (conn_start_big(c, (uint32_t)size, have) < 0)
				return;
		} else if (!(frame = malloc(size ? (size_t)size : 1))) {
			conn_close(c, "out of memory");
			return;
		} else {
			memcpy(frame, c->rbuf + 4, have);
		}
		memmove(c->rbuf, c->rbuf + 4 + have, c->rlen - 4 - have);
		c->rlen -= 4 + have;
		if (frame && conn_frame_ready(c, frame, (uint32_t)size) < 0)
			return;
	}
}

/* Takes frames and sends what is ready. Sending can unmute the connection
 * with frames still buffered that no new byte will announce, so it takes
 * again; after a few rounds the rest waits for the resume timer, letting
 * other connections have their turn. */
static void conn_process(struct conn *c)
{
	for (int round = 0; round < 4; round++) {
		conn_take_frames(c);
		if (c->closed || conn_flush(c) < 0)
			return;
		if (c->big || c->rlen < 4 || !conn_may_take(c)) {
			conn_update_interest(c);
			return;
		}
	}
	loop_timer_start(c->b->loop, &c->resume_timer, 0);
	conn_update_interest(c);
}

/* Room for the next bytes of the big frame: doubles, at most to its size. */
static int conn_grow_big(struct conn *c)
{
	if (c->big_have < c->big_cap)
		return 0;
	uint32_t cap = c->big_cap > c->big_len / 2 ? c->big_len : c->big_cap * 2;
	uint8_t *p = realloc(c->big, cap);
	if (!p) {
		conn_close(c, "out of memory");
		return -1;
	}
	c->big = p;
	c->big_cap = cap;
	return 0;
}

static void conn_read(struct conn *c)
{
	for (int rounds = 0; rounds < 16 && !c->closed; rounds++) {
		ssize_t n;
		if (c->big && conn_throttled(c)) {
			conn_update_interest(c);
			return;
		} else if (c->big) {
			if (conn_grow_big(c) < 0)
				return;
			n = c->tr->ops->read(c->tr, c->big + c->big_have, c->big_cap - c->big_have);
		} else if (conn_may_take(c) && c->rlen < RBUF_SIZE) {
			n = c->tr->ops->read(c->tr, c->rbuf + c->rlen, RBUF_SIZE - c->rlen);
		} else {
			/* muted since the interest was set (a broker-wide bound
			 * filled by other connections): stop asking epoll, or it
			 * reports this socket again at once, a busy loop */
			conn_update_interest(c);
			return;
		}
		if (n == 0) {
			conn_close(c, NULL);
			return;
		}
		if (n < 0) {
			if (n != -EAGAIN)
				conn_close(c, strerror((int)-n));
			else
				conn_update_interest(c); /* the transport may want EPOLLOUT */
			return;
		}
		c->last_active_ms = loop_now_ms(c->b->loop);
		if (c->big) {
			c->big_have += (uint32_t)n;
			if (c->big_have == c->big_len) {
				uint8_t *f = c->big;
				c->big = NULL;
				if (conn_frame_ready(c, f, c->big_len) < 0 && c->closed)
					return;
			}
		} else {
			c->rlen += (size_t)n;
		}
		conn_process(c);
	}
	/* bytes the transport decrypted but we did not take: epoll will not
	 * report them, so come back from a timer */
	if (!c->closed && conn_may_take(c) && c->tr->ops->pending(c->tr))
		loop_timer_start(c->b->loop, &c->resume_timer, 0);
}

static void conn_io(struct loop_io *io, uint32_t events)
{
	struct conn *c = io->arg;
	if (c->closed)
		return;
	if (events & (EPOLLERR | EPOLLHUP) && !(events & EPOLLIN)) {
		conn_close(c, NULL);
		return;
	}
	/* a TLS handshake may need either direction before either can move */
	uint32_t want = c->tr->want;
	if (events & EPOLLOUT) {
		if (conn_flush(c) < 0)
			return;
		conn_process(c); /* sending may have unmuted it */
		if (c->closed)
			return;
	}
	if ((events & EPOLLIN) || (want && (events & want)))
		conn_read(c);
}

/* ---- idle and stalled connections ---- */

static int64_t sweep_period_ms(const struct broker_config *cfg)
{
	int64_t idle = cfg->connections_max_idle_ms;
	int64_t p = idle > 0 && idle / 4 < 1000 ? idle / 4 : 1000;
	return p < 100 ? 100 : p;
}

/* connections.max.idle.ms: a connection with no request in progress and no
 * byte moved for that long is closed (one whose answers its client does
 * not read included). A started frame that stops arriving for
 * min(connections.max.idle.ms, 30 s) closes its connection too. */
static void server_sweep(struct loop_timer *t)
{
	struct broker *b = t->arg;
	const struct broker_config *cfg = b->cfg;
	int64_t now = loop_now_ms(b->loop), idle = cfg->connections_max_idle_ms;
	int64_t partial = idle > 0 && idle < PARTIAL_MAX_MS ? idle : PARTIAL_MAX_MS;
	for (struct conn *c = b->conns, *next; c; c = next) {
		next = c->next;
		int64_t quiet = now - c->last_active_ms;
		if (conn_throttled(c))
			continue; /* we are the ones not reading */
		if (c->big && quiet >= partial)
			conn_close(c, "request frame stalled");
		else if (idle > 0 && !c->ninflight && quiet >= idle)
			conn_close(c, "idle longer than connections.max.idle.ms");
	}
	loop_timer_start(b->loop, t, sweep_period_ms(cfg));
}

/* ---- accepting ---- */

static struct transport *conn_transport_new(struct listener_rt *l, int fd)
{
	if (l->tls)
		return transport_tls_new(l->tls, fd, NULL);
	return transport_plain_new(fd);
}

static void session_init(struct session *s, const struct listener_rt *l)
{
	s->state = sec_protocol_is_sasl(l->protocol) ? AUTH_HANDSHAKE : AUTH_AUTHENTICATED;
	snprintf(s->principal, sizeof s->principal, "User:ANONYMOUS");
}

static void peer_text(const struct sockaddr_in6 *sa, char *host, size_t hn, int *port)
{
	snprintf(host, hn, "?");
	*port = 0;
	if (sa->sin6_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;
		inet_ntop(AF_INET, &s4->sin_addr, host, (socklen_t)hn);
		*port = ntohs(s4->sin_port);
	} else if (sa->sin6_family == AF_INET6) {
		inet_ntop(AF_INET6, &sa->sin6_addr, host, (socklen_t)hn);
		*port = ntohs(sa->sin6_port);
	}
}

/* Kafka's ConnectionQuotas: max.connections over the broker, except for the
 * inter-broker listener when there are several listeners (it must never be
 * starved by clients); max.connections.per.ip and its overrides per address.
 * Returns NULL when the connection may stay, else why not. */
static const char *server_refuse(struct broker *b, const struct listener_rt *l,
				 const char *ip)
{
	const struct broker_config *cfg = b->cfg;
	struct server *s = b->srv;
	int protected_listener = b->nlisteners > 1 && cfg->inter_broker_listener_name &&
				 strcmp(cfg->inter_broker_listener_name, l->name) == 0;
	if (!protected_listener && s->nconns >= cfg->max_connections)
		return "max.connections reached";
	uintptr_t over = (uintptr_t)strmap_get(&s->ip_limits, ip, strlen(ip));
	int64_t limit = over ? (int64_t)over - 1 : cfg->max_connections_per_ip;
	if ((int64_t)(uintptr_t)strmap_get(&s->per_ip, ip, strlen(ip)) >= limit)
		return "max.connections.per.ip reached";
	return NULL;
}

static void listener_backoff_done(struct loop_timer *t)
{
	struct listener_sock *ls = t->arg;
	loop_io_mod(ls->b->loop, &ls->io, EPOLLIN);
}

/* accept() failed: out of fds or memory pauses accepting (the pending
 * connection would make epoll report the listener again at once, a busy
 * spin); anything else is the one connection's problem. Returns 1 to stop
 * this round. */
static int listener_accept_failed(struct listener_sock *ls, int err)
{
	if (err == EAGAIN || err == EWOULDBLOCK)
		return 1;
	if (err == EINTR || err == ECONNABORTED || err == EPROTO)
		return 0;
	if (err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM) {
		log_warn_rl("server", "accept on listener %s: %s; accepting again in %d ms",
			    ls->rt.name, strerror(err), ACCEPT_BACKOFF_MS);
		loop_io_mod(ls->b->loop, &ls->io, 0);
		loop_timer_start(ls->b->loop, &ls->backoff, ACCEPT_BACKOFF_MS);
		return 1;
	}
	log_warn_rl("server", "accept on listener %s: %s", ls->rt.name, strerror(err));
	return 1;
}

static struct conn *conn_new(struct listener_sock *ls, int fd, const char *ip, int port)
{
	struct conn *c = calloc(1, sizeof *c);
	if (c && !(c->tr = conn_transport_new(&ls->rt, fd))) {
		free(c);
		c = NULL;
	}
	if (!c)
		return NULL;
	struct broker *b = ls->b;
	c->lst = &ls->rt;
	session_init(&c->sess, &ls->rt);
	c->b = b;
	c->io.fd = fd;
	c->io.fn = conn_io;
	c->io.arg = c;
	c->last_active_ms = loop_now_ms(b->loop);
	loop_timer_init(&c->free_timer, conn_free_later, c);
	loop_timer_init(&c->resume_timer, conn_resume, c);
	loop_timer_init(&c->throttle_timer, conn_throttle_end, c);
	snprintf(c->ip, sizeof c->ip, "%s", ip);
	snprintf(c->peer, sizeof c->peer, "%s:%d", ip, port);
	snprintf(c->client_host, sizeof c->client_host, "/%s", ip);
	c->next = b->conns;
	if (c->next)
		c->next->prev = c;
	b->conns = c;
	struct server *s = b->srv;
	s->nconns++;
	uintptr_t n = (uintptr_t)strmap_get(&s->per_ip, ip, strlen(ip));
	strmap_put(&s->per_ip, ip, strlen(ip), (void *)(n + 1));
	return c;
}

/* On an SSL listener the principal is the verified client certificate's
 * subject through ssl.principal.mapping.rules (Kafka's
 * DefaultKafkaPrincipalBuilder); without a certificate it stays
 * ANONYMOUS. A subject no rule maps refuses the connection, as Kafka.
 * Runs before the first request: the handshake is complete by then. */
static int session_take_peer(struct conn *c)
{
	if (c->peer_checked || !c->tr->ready)
		return 0;
	c->peer_checked = 1;
	if (c->lst->protocol != SEC_SSL || !c->tr->peer_subject || !c->lst->principal_rules)
		return 0;
	char name[sizeof c->sess.principal - 5];
	if (ssl_principal_map(c->lst->principal_rules, c->tr->peer_subject, name,
			      sizeof name) < 0) {
		log_warn_rl("server", "%s: no ssl.principal.mapping.rules rule maps certificate "
			    "subject '%s'", c->peer, log_esc(c->tr->peer_subject));
		return -1;
	}
	snprintf(c->sess.principal, sizeof c->sess.principal, "User:%s", name);
	return 0;
}

static void listener_io(struct loop_io *io, uint32_t events)
{
	(void)events;
	struct listener_sock *ls = io->arg;
	for (int i = 0; i < 64; i++) {
		struct sockaddr_in6 sa;
		socklen_t slen = sizeof sa;
		int fd = accept4(io->fd, (struct sockaddr *)&sa, &slen,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (listener_accept_failed(ls, errno))
				return;
			continue;
		}
		char ip[INET6_ADDRSTRLEN];
		int port;
		peer_text(&sa, ip, sizeof ip, &port);
		const char *why = server_refuse(ls->b, &ls->rt, ip);
		if (why) {
			log_warn_rl("server", "refusing connection from %s:%d on %s: %s", ip, port,
				    ls->rt.name, why);
			close(fd);
			continue;
		}
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		struct conn *c = conn_new(ls, fd, ip, port);
		if (!c) {
			close(fd);
			continue;
		}
		if (loop_io_add(ls->b->loop, &c->io, EPOLLIN) < 0)
			conn_close(c, "epoll registration failed");
	}
}

/* max.connections.per.ip.overrides: "host:count"; a host that is not an
 * address literal is resolved once, at start. */
static void server_load_overrides(struct server *s, const char *v)
{
	for (const char *e = v; e && *e;) {
		const char *comma = strchr(e, ',');
		size_t len = comma ? (size_t)(comma - e) : strlen(e);
		const char *colon = memrchr(e, ':', len);
		char host[256];
		if (colon && (size_t)(colon - e) < sizeof host) {
			memcpy(host, e, (size_t)(colon - e));
			host[colon - e] = '\0';
			long n = strtol(colon + 1, NULL, 10);
			struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM };
			struct addrinfo *res = NULL;
			if (getaddrinfo(host, NULL, &hints, &res) == 0) {
				for (struct addrinfo *a = res; a; a = a->ai_next) {
					char ip[INET6_ADDRSTRLEN];
					int port;
					peer_text((const struct sockaddr_in6 *)a->ai_addr, ip,
						  sizeof ip, &port);
					strmap_put(&s->ip_limits, ip, strlen(ip),
						   (void *)(uintptr_t)(n + 1));
				}
				freeaddrinfo(res);
			} else {
				log_warn("server", "max.connections.per.ip.overrides: cannot "
					 "resolve %s; its override is not applied", host);
			}
		}
		e = comma ? comma + 1 : e + len;
	}
}

static int server_init(struct broker *b)
{
	if (b->srv)
		return 0;
	struct server *s = calloc(1, sizeof *s);
	if (!s)
		return -ENOMEM;
	strmap_init(&s->per_ip);
	strmap_init(&s->ip_limits);
	server_load_overrides(s, b->cfg->max_connections_per_ip_overrides);
	loop_timer_init(&s->sweep, server_sweep, b);
	loop_timer_start(b->loop, &s->sweep, sweep_period_ms(b->cfg));
	b->srv = s;
	return 0;
}

static void spec_free(const struct listener_rt *spec)
{
	tls_ctx_free(spec->tls);
	ssl_principal_rules_free(spec->principal_rules);
}

int server_listen(struct broker *b, const struct listener_rt *spec, const char *host, int port)
{
	if (b->nlisteners == BROKER_MAX_LISTENERS) {
		spec_free(spec);
		return -ENOSPC;
	}
	int rc = server_init(b);
	if (rc < 0) {
		spec_free(spec);
		return rc;
	}
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	if (!host || !*host)
		sa.sin_addr.s_addr = htonl(INADDR_ANY);
	else if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
		spec_free(spec);
		return -EINVAL;
	}
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		int e = errno;
		spec_free(spec);
		return -e;
	}
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	/* errno is read right after the call that failed (bind with EADDRINUSE
	 * is the common one): the caller's start-up error names the cause */
	int e = 0;
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, 1024) < 0)
		e = errno;
	struct listener_sock *ls = e ? NULL : calloc(1, sizeof *ls);
	if (!ls) {
		close(fd);
		spec_free(spec);
		return -(e ? e : ENOMEM);
	}
	ls->b = b;
	ls->io.fd = fd;
	ls->io.fn = listener_io;
	ls->io.arg = ls;
	loop_timer_init(&ls->backoff, listener_backoff_done, ls);
	ls->rt = *spec;
	ls->rt.fd = fd;
	ls->rt.priv = ls;
	b->listeners[b->nlisteners++] = &ls->rt;
	/* while held, connections wait in the kernel's backlog */
	return b->accept_held ? 0 : loop_io_add(b->loop, &ls->io, EPOLLIN);
}

void server_start_accepting(struct broker *b)
{
	if (!b->accept_held)
		return;
	b->accept_held = 0;
	for (int i = 0; i < b->nlisteners; i++) {
		struct listener_sock *ls = b->listeners[i]->priv;
		if (loop_io_add(b->loop, &ls->io, EPOLLIN) < 0)
			log_error("server", "listener %s: cannot start accepting", ls->rt.name);
	}
}

/* The server state itself stays: connections closed here are freed from
 * their timers (or when their last request ends) and still account to it. */
void server_shutdown(struct broker *b)
{
	/* connections first: they point at their listener */
	while (b->conns)
		conn_close(b->conns, NULL);
	for (int i = 0; i < b->nlisteners; i++) {
		struct listener_sock *ls = b->listeners[i]->priv;
		loop_io_del(b->loop, &ls->io);
		loop_timer_stop(b->loop, &ls->backoff);
		close(ls->io.fd);
		spec_free(&ls->rt);
		free(ls);
	}
	b->nlisteners = 0;
	if (b->srv)
		loop_timer_stop(b->loop, &b->srv->sweep);
}
