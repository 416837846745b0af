/* Listener and connections: framing, decode, dispatch, ordered responses.
 *
 * Invariants: a connection has at most one request in flight (conn->inflight);
 * a closed connection is freed only once nothing refers to it (no request in
 * flight), and never inside the event callback that is still using it. */
#include "broker/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
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
#include "broker/metrics.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/net/transport.h"
#include "common/proto/kerr.h"

#define RBUF_SIZE 65536
#define MAX_IOV 64
#define FILE_CHUNK 65536 /* pread size where the transport cannot sendfile */

struct outmsg {
	struct outmsg *next;
	struct kout out;
	int piece;        /* next piece to send */
	int64_t piece_off;/* bytes of that piece already sent */
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
	uint8_t rbuf[RBUF_SIZE];
	size_t rlen;
	uint8_t *big;              /* a frame larger than rbuf, being filled */
	uint32_t big_len, big_have;
	struct outmsg *out_head, *out_tail;
	struct request *inflight;
	int closed;
	int dispatching;           /* inside a handler call: do not recurse */
	int closing;               /* last flush before close under way */
	struct loop_timer free_timer;
	struct loop_timer resume_timer; /* picks up after an async completion */
	uint8_t *chunk;            /* FILE_CHUNK bytes for the pread path, lazily */
};

struct listener_sock {
	struct loop_io io;
	struct broker *b;
	struct listener_rt rt;
};

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
static void conn_process(struct conn *c);
static int conn_flush(struct conn *c);

/* ---- connection lifetime ---- */

/* File pieces hold their own duplicate of the segment fd, so a segment
 * deleted by retention while a response is queued stays readable. */
static void outmsg_free(struct outmsg *m)
{
	for (int i = 0; i < m->out.npieces; i++)
		if (m->out.pieces[i].fd >= 0)
			close(m->out.pieces[i].fd);
	kout_free(&m->out);
	free(m);
}

static int outmsg_own_files(struct outmsg *m)
{
	for (int i = 0; i < m->out.npieces; i++) {
		struct kpiece *p = &m->out.pieces[i];
		if (p->fd >= 0 && (p->fd = fcntl(p->fd, F_DUPFD_CLOEXEC, 0)) < 0) {
			for (int j = i + 1; j < m->out.npieces; j++)
				m->out.pieces[j].fd = -1;
			return -1;
		}
	}
	return 0;
}

static void conn_free_later(struct loop_timer *t)
{
	struct conn *c = t->arg;
	free(c->big);
	free(c->chunk);
	if (c->sess.mech && c->sess.mech_free)
		c->sess.mech_free(c->sess.mech);
	while (c->out_head) {
		struct outmsg *m = c->out_head;
		c->out_head = m->next;
		outmsg_free(m);
	}
	free(c);
}

static void conn_read(struct conn *c);

static void conn_resume(struct loop_timer *t)
{
	struct conn *c = t->arg;
	if (c->closed)
		return;
	conn_process(c);
	if (!c->closed && !c->inflight && c->tr->ops->pending(c->tr))
		conn_read(c);
}

static void conn_close(struct conn *c, const char *why)
{
	if (c->closed)
		return;
	if (c->out_head && !c->closing) {
		/* answers to earlier requests still go out (best effort, no wait),
		 * as they would have had the bad frame arrived a moment later */
		c->closing = 1;
		conn_flush(c);
		if (c->closed)
			return;
	}
	c->closed = 1;
	if (why)
		log_info("server", "closing connection from %s: %s", c->peer, why);
	loop_io_del(c->b->loop, &c->io);
	transport_free(c->tr);
	c->tr = NULL;
	if (c->prev)
		c->prev->next = c->next;
	else
		c->b->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	loop_timer_stop(c->b->loop, &c->resume_timer);
	if (!c->inflight)
		loop_timer_start(c->b->loop, &c->free_timer, 0);
}

const char *request_peer(const struct request *req) { return req->conn->peer; }
struct session *request_session(struct request *req) { return &req->conn->sess; }
const struct listener_rt *request_listener(const struct request *req) { return req->conn->lst; }
const char *request_client_host(const struct request *req) { return req->conn->client_host; }

static void request_free(struct request *req)
{
	struct conn *c = req->conn;
	metrics_request_done(c->b->metrics, req->hdr.api_key, req->hdr.api_version,
			     (double)(clock_mono_us() - req->recv_us) / 1000.0,
			     loop_now_ms(c->b->loop));
	arena_free(&req->arena);
	free(req->frame);
	free(req);
	c->inflight = NULL;
	if (c->closed) {
		loop_timer_start(c->b->loop, &c->free_timer, 0);
		return;
	}
	/* A parked request finished, typically inside another connection's
	 * handler (a wake-up). Frames that arrived meanwhile are handled from a
	 * timer, never from here: running handlers re-entrantly would let them
	 * change state (waiter lists, logs) that the caller is walking. */
	if (!c->dispatching)
		loop_timer_start(c->b->loop, &c->resume_timer, 0);
}

/* ---- sending ---- */

static void out_update_interest(struct conn *c)
{
	uint32_t ev = c->inflight ? 0 : EPOLLIN;
	if (c->out_head)
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

/* Sends as much as the socket takes. Returns 0, or -1 if the connection
 * failed and was closed. */
static int conn_flush(struct conn *c)
{
	while (c->out_head) {
		struct outmsg *m = c->out_head;
		struct kpiece *p = &m->out.pieces[m->piece];
		ssize_t n;
		if (p->fd >= 0) {
			n = conn_send_file(c, p, m->piece_off);
			if (n == 0) {
				/* the file shrank under us (truncation): the frame can no
				 * longer be completed, so the connection must go */
				conn_close(c, "log slice vanished during send");
				return -1;
			}
		} else {
			struct iovec iov[MAX_IOV];
			int k = 0;
			for (int i = m->piece; i < m->out.npieces && k < MAX_IOV; i++) {
				struct kpiece *q = &m->out.pieces[i];
				if (q->fd >= 0)
					break;
				int64_t skip = i == m->piece ? m->piece_off : 0;
				iov[k].iov_base = m->out.buf + q->off + skip;
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
		int64_t left = n;
		while (left > 0 || (m->piece < m->out.npieces &&
				    m->out.pieces[m->piece].len == m->piece_off)) {
			struct kpiece *q = &m->out.pieces[m->piece];
			int64_t take = q->len - m->piece_off;
			if (take > left) {
				m->piece_off += left;
				left = 0;
				break;
			}
			left -= take;
			m->piece++;
			m->piece_off = 0;
			if (m->piece == m->out.npieces)
				break;
		}
		if (m->piece < m->out.npieces)
			continue;
		c->out_head = m->next;
		if (!c->out_head)
			c->out_tail = NULL;
		outmsg_free(m);
	}
	return 0;
}

static void conn_queue(struct conn *c, struct outmsg *m)
{
	m->next = NULL;
	if (c->out_tail)
		c->out_tail->next = m;
	else
		c->out_head = m;
	c->out_tail = m;
}

void request_respond(struct request *req, const void *resp)
{
	struct conn *c = req->conn;
	if (!c->closed) {
		struct outmsg *m = calloc(1, sizeof *m);
		if (!m) {
			conn_close(c, "out of memory");
		} else {
			kout_init(&m->out);
			size_t at = kw_reserve_i32(&m->out);
			kresp_header_encode(&m->out, req->hdr.api_key, req->hdr.api_version,
					    req->hdr.correlation_id);
			int rc = kcodec_encode(req->api->resp, req->ver, resp, &m->out);
			kout_finish(&m->out);
			if (outmsg_own_files(m) < 0 || rc < 0 || m->out.oom) {
				log_error("server", "cannot encode %s v%d response for %s",
					  req->api->name, req->hdr.api_version, c->peer);
				outmsg_free(m);
				conn_close(c, "response encoding failed");
			} else {
				kw_patch_i32(&m->out, at, (int32_t)(m->out.total - 4));
				conn_queue(c, m);
			}
		}
	}
	request_free(req);
}

void request_finish_silent(struct request *req) { request_free(req); }

int request_respond_error(struct request *req, int16_t error_code)
{
	const struct kmsg *m = req->api->resp;
	const struct kfield *ef = NULL;
	for (int i = 0; i < m->nfields; i++)
		if (m->fields[i].type == KT_INT16 && strcmp(m->fields[i].name, "error_code") == 0)
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
static void respond_unsupported_api_versions(struct conn *c, const struct kreq_header *h)
{
	struct outmsg *m = calloc(1, sizeof *m);
	if (!m)
		return;
	const struct handler_entry *e = handler_find(18);
	kout_init(&m->out);
	size_t at = kw_reserve_i32(&m->out);
	kw_i32(&m->out, h->correlation_id);
	kw_i16(&m->out, KERR_UNSUPPORTED_VERSION);
	kw_i32(&m->out, 1);
	kw_i16(&m->out, 18);
	kw_i16(&m->out, e->min_ver);
	kw_i16(&m->out, e->max_ver);
	kout_finish(&m->out);
	kw_patch_i32(&m->out, at, (int32_t)(m->out.total - 4));
	conn_queue(c, m);
}

/* Takes ownership of frame. Returns 0 to continue reading frames. */
static int conn_dispatch(struct conn *c, uint8_t *frame, uint32_t len)
{
	struct kreader r = { frame, frame + len, 0 };
	struct kreq_header h;
	if (kreq_header_decode(&r, &h) < 0) {
		free(frame);
		conn_close(c, "malformed request header");
		return -1;
	}
	const struct handler_entry *e = handler_find(h.api_key);
	if (!e || h.api_version < e->min_ver || h.api_version > e->max_ver) {
		free(frame);
		if (e && h.api_key == 18) {
			respond_unsupported_api_versions(c, &h);
			return 0;
		}
		char why[96];
		snprintf(why, sizeof why, "unsupported api %d version %d", h.api_key,
			 h.api_version);
		conn_close(c, why);
		return -1;
	}
	struct request *req = calloc(1, sizeof *req);
	if (!req) {
		free(frame);
		conn_close(c, "out of memory");
		return -1;
	}
	req->b = c->b;
	req->conn = c;
	req->hdr = h;
	req->api = kapi_find(h.api_key);
	req->ver = kapi_ver(req->api, h.api_version);
	req->frame = frame;
	req->frame_len = len;
	req->recv_ms = loop_now_ms(c->b->loop);
	req->recv_us = clock_mono_us();
	arena_init(&req->arena);
	req->body = arena_alloc(&req->arena, req->api->req->size);
	c->inflight = req;
	if (!req->body || kcodec_decode(req->api->req, req->ver, &r, req->body, &req->arena) < 0) {
		log_warn("server", "malformed %s v%d request from %s", req->api->name,
			 h.api_version, c->peer);
		request_close(req, NULL);
		return -1;
	}
	c->dispatching = 1;
	if (gate_admit(req, e->flags))
		e->fn(req);
	c->dispatching = 0;
	return c->closed ? -1 : 0;
}

/* Handles every complete frame buffered, unless a request is in flight. */
static void conn_process(struct conn *c)
{
	while (!c->closed && !c->inflight && !c->big && c->rlen >= 4) {
		int32_t size = (int32_t)ntohl(*(uint32_t *)c->rbuf);
		if (size < 0 || size > c->b->max_request_bytes) {
			char why[80];
			snprintf(why, sizeof why, "frame size %d out of range", size);
			conn_close(c, why);
			return;
		}
		uint8_t *frame = malloc(size ? (size_t)size : 1);
		if (!frame) {
			conn_close(c, "out of memory");
			return;
		}
		size_t have = c->rlen - 4 < (size_t)size ? c->rlen - 4 : (size_t)size;
		memcpy(frame, c->rbuf + 4, have);
		memmove(c->rbuf, c->rbuf + 4 + have, c->rlen - 4 - have);
		c->rlen -= 4 + have;
		if (have < (size_t)size) {
			c->big = frame;
			c->big_len = (uint32_t)size;
			c->big_have = (uint32_t)have;
			break;
		}
		conn_dispatch(c, frame, (uint32_t)size);
	}
	if (!c->closed) {
		if (conn_flush(c) == 0)
			out_update_interest(c);
	}
}

static void conn_read(struct conn *c)
{
	for (int rounds = 0; rounds < 16 && !c->closed && !c->inflight; rounds++) {
		ssize_t n;
		if (c->big)
			n = c->tr->ops->read(c->tr, c->big + c->big_have, c->big_len - c->big_have);
		else
			n = c->tr->ops->read(c->tr, c->rbuf + c->rlen, RBUF_SIZE - c->rlen);
		if (n == 0) {
			conn_close(c, NULL);
			return;
		}
		if (n < 0) {
			if (n != -EAGAIN)
				conn_close(c, strerror((int)-n));
			else
				out_update_interest(c); /* the transport may want EPOLLOUT */
			return;
		}
		if (c->big) {
			c->big_have += (uint32_t)n;
			if (c->big_have == c->big_len) {
				uint8_t *f = c->big;
				c->big = NULL;
				if (conn_dispatch(c, f, c->big_len) < 0)
					return;
			}
		} else {
			c->rlen += (size_t)n;
		}
		conn_process(c);
	}
	/* bytes the transport decrypted but we did not take: epoll will not
	 * report them, so come back from a timer */
	if (!c->closed && !c->inflight && c->tr->ops->pending(c->tr))
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
		out_update_interest(c);
	}
	if ((events & EPOLLIN) || (want && (events & want)))
		conn_read(c);
}

/* ---- accepting ---- */

/* TLS listeners get their transport from broker/auth's TLS context once it
 * exists; until then only plaintext listeners are started (server_listen). */
static struct transport *conn_transport_new(struct listener_rt *l, int fd)
{
	(void)l;
	return transport_plain_new(fd);
}

static void session_init(struct session *s, const struct listener_rt *l)
{
	s->state = sec_protocol_is_sasl(l->protocol) ? AUTH_HANDSHAKE : AUTH_AUTHENTICATED;
	snprintf(s->principal, sizeof s->principal, "User:ANONYMOUS");
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
			if (errno != EAGAIN && errno != EINTR)
				log_warn("server", "accept: %s", strerror(errno));
			return;
		}
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		struct conn *c = calloc(1, sizeof *c);
		if (c && !(c->tr = conn_transport_new(&ls->rt, fd))) {
			free(c);
			c = NULL;
		}
		if (!c) {
			close(fd);
			continue;
		}
		c->lst = &ls->rt;
		session_init(&c->sess, &ls->rt);
		c->b = ls->b;
		c->io.fd = fd;
		c->io.fn = conn_io;
		c->io.arg = c;
		loop_timer_init(&c->free_timer, conn_free_later, c);
		loop_timer_init(&c->resume_timer, conn_resume, c);
		char host[INET6_ADDRSTRLEN] = "?";
		int port = 0;
		if (sa.sin6_family == AF_INET) {
			struct sockaddr_in *s4 = (struct sockaddr_in *)&sa;
			inet_ntop(AF_INET, &s4->sin_addr, host, sizeof host);
			port = ntohs(s4->sin_port);
		} else if (sa.sin6_family == AF_INET6) {
			inet_ntop(AF_INET6, &sa.sin6_addr, host, sizeof host);
			port = ntohs(sa.sin6_port);
		}
		snprintf(c->peer, sizeof c->peer, "%s:%d", host, port);
		snprintf(c->client_host, sizeof c->client_host, "/%s", host);
		c->next = ls->b->conns;
		if (c->next)
			c->next->prev = c;
		ls->b->conns = c;
		if (loop_io_add(ls->b->loop, &c->io, EPOLLIN) < 0)
			conn_close(c, "epoll registration failed");
	}
}

int server_listen(struct broker *b, const char *name, const char *host, int port,
		  enum sec_protocol protocol)
{
	if (b->nlisteners == BROKER_MAX_LISTENERS)
		return -ENOSPC;
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	if (!host || !*host)
		sa.sin_addr.s_addr = htonl(INADDR_ANY);
	else if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
		return -EINVAL;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, 1024) < 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	struct listener_sock *ls = calloc(1, sizeof *ls);
	if (!ls) {
		close(fd);
		return -ENOMEM;
	}
	ls->b = b;
	ls->io.fd = fd;
	ls->io.fn = listener_io;
	ls->io.arg = ls;
	snprintf(ls->rt.name, sizeof ls->rt.name, "%s", name);
	ls->rt.protocol = protocol;
	ls->rt.fd = fd;
	ls->rt.priv = ls;
	b->listeners[b->nlisteners++] = &ls->rt;
	return loop_io_add(b->loop, &ls->io, EPOLLIN);
}

void server_shutdown(struct broker *b)
{
	for (int i = 0; i < b->nlisteners; i++) {
		struct listener_sock *ls = b->listeners[i]->priv;
		loop_io_del(b->loop, &ls->io);
		close(ls->io.fd);
		free(ls);
	}
	b->nlisteners = 0;
	while (b->conns)
		conn_close(b->conns, NULL);
}
