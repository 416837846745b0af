/* net_client: non-blocking connect, the connection's transport (plain or
 * TLS), write the frame, read one response frame, decode it with the API's
 * response schema into a per-request arena.
 *
 * Phases of a connection: CONNECTING (TCP), READY (TLS needs nothing more:
 * its handshake runs inside the transport's first read/write). A request
 * waits in its buffer until the connection is READY. SASL_* inter-broker
 * listeners add an exchange of ordinary requests (SaslHandshake,
 * SaslAuthenticate) on each new connection before the caller's request,
 * which is held encoded meanwhile (nc->held). */
#include "broker/net_client.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/auth/sasl_client.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/net/peer_security.h"
#include "common/proto/apis.h"
#include "common/proto/messages.h"

#define NC_MAX_FRAME (256 << 20)
/* A response's first read takes its size and, in the same read, up to this
 * much of its body (all of a small one): one read per answer, not two. */
#define NC_FIRST_READ 4096

enum nc_phase { NC_CLOSED, NC_CONNECTING, NC_READY };

struct net_client {
	struct loop *loop;
	struct loop_io io;
	struct transport *tr;        /* owns io.fd while connected */
	const struct peer_security *sec;
	enum nc_phase phase;
	struct loop_timer timeout;
	struct loop_timer resume; /* reads on where the transport holds bytes */
	char host[256];
	int port;
	char client_id[64];
	int32_t next_corr;
	/* the request in flight */
	int busy;
	int16_t api_key, version;
	int32_t corr;
	net_client_fn fn;
	void *arg;
	struct kout out;
	size_t out_sent;
	uint8_t hdr[4];
	uint32_t hdr_have;
	uint8_t first[NC_FIRST_READ]; /* a response's first read */
	uint8_t *frame;
	uint32_t frame_len, frame_have;
	struct arena arena;
	/* inter-broker SASL: the caller's request waits in held while a new
	 * connection authenticates */
	int authed;              /* this connection completed the exchange */
	int64_t sent_ms;         /* monotonic: when the request in flight started */
	int start_err;           /* -errno of a send that failed inside nc_start */
	int start_connected;     /* ... on a connection that was already up */
	int64_t sasl_expiry_ms;  /* monotonic; reconnect first (KIP-368); 0 none */
	struct sasl_client sc;
	struct {
		int16_t api_key, version;
		int32_t corr, timeout_ms;
		net_client_fn fn;
		void *arg;
		struct kout out;
	} held;
};

static void nc_io(struct loop_io *io, uint32_t events);
static void nc_timeout(struct loop_timer *t);
static void nc_resume(struct loop_timer *t);

struct net_client *net_client_new(struct loop *l, const char *client_id,
				  const struct peer_security *sec)
{
	struct net_client *nc = calloc(1, sizeof *nc);
	if (!nc)
		return NULL;
	nc->loop = l;
	nc->sec = sec;
	nc->io.fd = -1;
	nc->io.fn = nc_io;
	nc->io.arg = nc;
	loop_timer_init(&nc->timeout, nc_timeout, nc);
	loop_timer_init(&nc->resume, nc_resume, nc);
	strncpy(nc->client_id, client_id, sizeof nc->client_id - 1);
	arena_init(&nc->arena);
	kout_init(&nc->out);
	kout_init(&nc->held.out);
	return nc;
}

static const struct sasl_client_conf *nc_sasl(const struct net_client *nc)
{
	return nc->sec && nc->sec->sasl && nc->sec->sasl->mechanism[0] ? nc->sec->sasl : NULL;
}

static void nc_disconnect(struct net_client *nc)
{
	if (nc->io.fd >= 0) {
		loop_io_del(nc->loop, &nc->io);
		if (nc->tr)
			transport_free(nc->tr);
		else
			close(nc->io.fd);
		nc->tr = NULL;
		nc->io.fd = -1;
	}
	nc->phase = NC_CLOSED;
	nc->authed = 0;
}

/* EPOLLOUT while connecting or while request bytes (or bytes the
 * transport holds) wait; EPOLLIN otherwise; plus what the transport needs. */
static int nc_interest(struct net_client *nc, int flushing)
{
	uint32_t ev;
	if (nc->phase == NC_CONNECTING)
		ev = EPOLLOUT;
	else
		ev = EPOLLIN | (nc->busy && (nc->out_sent < nc->out.len || flushing) ? EPOLLOUT : 0);
	return loop_io_mod(nc->loop, &nc->io, ev | (nc->tr ? nc->tr->want : 0));
}

/* Ends the request in flight: the callback sees err or the response. */
static void nc_finish(struct net_client *nc, int err, void *resp)
{
	net_client_fn fn = nc->fn;
	void *arg = nc->arg;
	loop_timer_stop(nc->loop, &nc->timeout);
	loop_timer_stop(nc->loop, &nc->resume);
	if (err)
		nc_disconnect(nc);
	else if (nc->io.fd >= 0)
		loop_io_mod(nc->loop, &nc->io, EPOLLIN | (nc->tr ? nc->tr->want : 0));
	nc->busy = 0;
	nc->fn = NULL;
	fn(nc, err, resp, arg);
	/* the frame and arena outlive the callback only until here */
	free(nc->frame);
	nc->frame = NULL;
	arena_reset(&nc->arena);
}

void net_client_free(struct net_client *nc)
{
	if (!nc)
		return;
	if (nc->busy)
		nc_finish(nc, -ECANCELED, NULL);
	nc_disconnect(nc);
	loop_timer_stop(nc->loop, &nc->timeout);
	loop_timer_stop(nc->loop, &nc->resume);
	kout_free(&nc->out);
	kout_free(&nc->held.out);
	arena_free(&nc->arena);
	free(nc);
}

void net_client_reset(struct net_client *nc)
{
	if (nc->busy)
		nc_finish(nc, -ECANCELED, NULL);
	nc_disconnect(nc);
}

void net_client_target(struct net_client *nc, const char *host, int port)
{
	if (nc->port == port && strcmp(nc->host, host) == 0)
		return;
	net_client_reset(nc);
	strncpy(nc->host, host, sizeof nc->host - 1);
	nc->port = port;
}

int net_client_busy(const struct net_client *nc) { return nc->busy; }

int64_t net_client_waiting_ms(const struct net_client *nc, int64_t now_ms)
{
	return nc->busy ? now_ms - nc->sent_ms : -1;
}

static void nc_timeout(struct loop_timer *t)
{
	struct net_client *nc = t->arg;
	int err = nc->start_err;
	nc->start_err = 0;
	if (err) /* a connect or first write that failed at once, reported
		  * through the timer */
		log_warn_rl("netclient", "request %d to %s:%d: %s: %s", nc->api_key, nc->host,
			    nc->port, nc->start_connected ? "cannot send" : "cannot connect",
			    strerror(-err));
	else
		log_warn("netclient", "request %d to %s:%d timed out", nc->api_key, nc->host,
			 nc->port);
	nc_finish(nc, err ? err : -ETIMEDOUT, NULL);
}

/* A peer that vanishes without a reset (killed host, network cut) would
 * hold a request until its own timeout (30 s for a follower's fetch): nothing
 * is sent while the answer is awaited, so TCP never notices. Keepalive
 * probes after NC_ALIVE_IDLE_S of silence, NC_ALIVE_PROBES of them
 * NC_ALIVE_INTERVAL_S apart, and a bound on unacknowledged writes end such a
 * connection within about 11 s; a peer that is alive answers the probes from
 * its kernel, so a slow answer (a parked fetch, a long wait) is not cut. */
#define NC_ALIVE_IDLE_S 5
#define NC_ALIVE_INTERVAL_S 2
#define NC_ALIVE_PROBES 3

static void nc_set_liveness(int fd)
{
	int one = 1, idle = NC_ALIVE_IDLE_S, intvl = NC_ALIVE_INTERVAL_S, cnt = NC_ALIVE_PROBES;
	unsigned user_ms = (NC_ALIVE_IDLE_S + NC_ALIVE_INTERVAL_S * NC_ALIVE_PROBES) * 1000;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof intvl);
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof cnt);
	setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &user_ms, sizeof user_ms);
}

static int nc_connect(struct net_client *nc)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_NUMERICSERV }, *res = NULL;
	char port[16];
	snprintf(port, sizeof port, "%d", nc->port);
	/* brokers advertise numeric addresses in tests; names resolve blocking */
	if (getaddrinfo(nc->host, port, &hints, &res) != 0 || !res)
		return -EHOSTUNREACH;
	int fd = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		freeaddrinfo(res);
		return -errno;
	}
	nc_set_liveness(fd);
	int rc = connect(fd, res->ai_addr, res->ai_addrlen);
	freeaddrinfo(res);
	if (rc < 0 && errno != EINPROGRESS) {
		int e = errno;
		close(fd);
		return -e;
	}
	if (!(nc->tr = peer_transport_new(nc->sec, fd, nc->host))) {
		close(fd);
		return -ENOMEM;
	}
	nc->io.fd = fd;
	nc->phase = NC_CONNECTING;
	return loop_io_add(nc->loop, &nc->io, EPOLLOUT);
}

/* The TCP connection is up: the request in the buffer can go (with SASL
 * it is the first request of the exchange, see net_client_send). */
static int nc_connected(struct net_client *nc)
{
	nc->phase = NC_READY;
	return 0;
}

/* Writes what the transport takes, then pushes what it holds; switches to
 * reading when all is out. */
static int nc_write(struct net_client *nc)
{
	while (nc->out_sent < nc->out.len) {
		struct iovec iov = { nc->out.buf + nc->out_sent, nc->out.len - nc->out_sent };
		ssize_t n = nc->tr->ops->writev(nc->tr, &iov, 1);
		if (n == -EAGAIN)
			return nc_interest(nc, 1);
		if (n < 0)
			return (int)n;
		nc->out_sent += (size_t)n;
	}
	ssize_t f = transport_flush(nc->tr);
	if (f < 0 && f != -EAGAIN)
		return (int)f;
	return nc_interest(nc, f == -EAGAIN);
}

static void nc_complete_frame(struct net_client *nc)
{
	struct kreader r = { nc->frame, nc->frame + nc->frame_len, 0 };
	int32_t corr;
	if (kresp_header_decode(&r, nc->api_key, nc->version, &corr) < 0 || corr != nc->corr) {
		nc_finish(nc, -EBADMSG, NULL);
		return;
	}
	const struct kapi *api = kapi_find(nc->api_key);
	void *resp = arena_alloc(&nc->arena, api->resp->size);
	if (!resp || kcodec_decode(api->resp, kapi_ver(api, nc->version), &r, resp, &nc->arena) < 0) {
		nc_finish(nc, -EBADMSG, NULL);
		return;
	}
	nc_finish(nc, 0, resp);
}

/* The 4 size bytes are in hdr: the frame's buffer. */
static int nc_frame_start(struct net_client *nc)
{
	int32_t len = (int32_t)ntohl(*(uint32_t *)nc->hdr);
	if (len < 4 || len > NC_MAX_FRAME)
		return -EBADMSG;
	nc->frame_len = (uint32_t)len;
	nc->frame_have = 0;
	return (nc->frame = malloc((size_t)len)) ? 0 : -ENOMEM;
}

/* A response's first read, N bytes in nc->first: its size, then as much
 * of its body as came along. Only one request is ever in flight, so a
 * byte past its response is one the peer was never asked for. Returns 1
 * when the frame is complete. */
static int nc_take_first(struct net_client *nc, size_t n)
{
	if (n < 4) {
		memcpy(nc->hdr, nc->first, n);
		nc->hdr_have = (uint32_t)n;
		return 0;
	}
	memcpy(nc->hdr, nc->first, 4);
	nc->hdr_have = 4;
	int rc = nc_frame_start(nc);
	if (rc < 0)
		return rc;
	if (n - 4 > nc->frame_len)
		return -EBADMSG;
	memcpy(nc->frame, nc->first + 4, n - 4);
	nc->frame_have = (uint32_t)(n - 4);
	return nc->frame_have == nc->frame_len;
}

static int nc_read(struct net_client *nc)
{
	for (int rounds = 0; rounds < 64 && nc->busy; rounds++) {
		ssize_t n;
		if (nc->hdr_have == 0)
			n = nc->tr->ops->read(nc->tr, nc->first, sizeof nc->first);
		else if (nc->hdr_have < 4)
			n = nc->tr->ops->read(nc->tr, nc->hdr + nc->hdr_have, 4 - nc->hdr_have);
		else
			n = nc->tr->ops->read(nc->tr, nc->frame + nc->frame_have,
					      nc->frame_len - nc->frame_have);
		if (n == 0)
			return -ECONNRESET;
		if (n == -EAGAIN)
			return nc_interest(nc, 0);
		if (n < 0)
			return (int)n;
		int done;
		if (nc->hdr_have == 0) {
			done = nc_take_first(nc, (size_t)n);
		} else if (nc->hdr_have < 4) {
			nc->hdr_have += (uint32_t)n;
			done = nc->hdr_have == 4 ? nc_frame_start(nc) : 0;
		} else {
			nc->frame_have += (uint32_t)n;
			done = nc->frame_have == nc->frame_len;
		}
		if (done < 0)
			return done;
		if (done) {
			nc_complete_frame(nc);
			return 0;
		}
	}
	/* out of rounds (fairness): bytes a TLS transport decrypted ahead are
	 * not signalled by epoll, so come back for them from a timer */
	if (nc->busy && nc->tr->ops->pending(nc->tr))
		loop_timer_start(nc->loop, &nc->resume, 0);
	return 0;
}

static void nc_resume(struct loop_timer *t)
{
	struct net_client *nc = t->arg;
	if (!nc->busy || !nc->tr)
		return;
	int rc = nc_read(nc);
	if (rc < 0 && nc->busy)
		nc_finish(nc, rc, NULL);
}

static void nc_io(struct loop_io *io, uint32_t events)
{
	struct net_client *nc = io->arg;
	if (!nc->busy) {
		/* idle connection closed or errored by the peer */
		nc_disconnect(nc);
		return;
	}
	int rc = 0;
	if (nc->phase == NC_CONNECTING) {
		if (!(events & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
			return;
		int err = 0;
		socklen_t len = sizeof err;
		getsockopt(io->fd, SOL_SOCKET, SO_ERROR, &err, &len);
		if (err) {
			nc_finish(nc, -err, NULL);
			return;
		}
		if ((rc = nc_connected(nc)) < 0) {
			nc_finish(nc, rc, NULL);
			return;
		}
	}
	/* the transport may need either direction for either (TLS handshake) */
	rc = nc_write(nc);
	if (!rc && nc->busy && nc->out_sent == nc->out.len)
		rc = nc_read(nc);
	if (rc < 0 && nc->busy) {
		log_warn_rl("netclient", "request %d to %s:%d failed: %s", nc->api_key,
			    nc->host, nc->port, strerror(-rc));
		nc_finish(nc, rc, NULL);
	}
}

/* Encodes a whole request frame into out; 0 or -ENOMEM. */
static int nc_encode(struct net_client *nc, const struct kapi *api, int16_t version,
		     const void *body, struct kout *out, int32_t *corr)
{
	kout_free(out);
	kout_init(out);
	size_t at = kw_reserve_i32(out);
	struct kreq_header h = { api->key, version, ++nc->next_corr,
				 { nc->client_id, (int32_t)strlen(nc->client_id) } };
	kreq_header_encode(out, &h);
	if (kcodec_encode(api->req, kapi_ver(api, version), body, out) < 0 || out->oom)
		return -ENOMEM;
	kout_finish(out);
	kw_patch_i32(out, at, (int32_t)(out->len - 4));
	*corr = h.correlation_id;
	return 0;
}

/* Sends the frame in nc->out; fn runs exactly once. */
static void nc_start(struct net_client *nc, int16_t api_key, int16_t version, int32_t corr,
		     int32_t timeout_ms, net_client_fn fn, void *arg)
{
	nc->busy = 1;
	nc->sent_ms = clock_mono_ms();
	nc->api_key = api_key;
	nc->version = version;
	nc->corr = corr;
	nc->fn = fn;
	nc->arg = arg;
	nc->out_sent = 0;
	nc->hdr_have = 0;
	loop_timer_start(nc->loop, &nc->timeout, timeout_ms);
	int rc = 0;
	nc->start_connected = nc->io.fd >= 0;
	if (nc->io.fd < 0)
		rc = nc_connect(nc);
	else if (nc->phase == NC_READY)
		/* written now: a request almost always fits the socket buffer,
		 * so it needs neither EPOLLOUT nor a turn of the loop (a
		 * follower's next fetch goes out as soon as it appended) */
		rc = nc_write(nc);
	else
		rc = loop_io_mod(nc->loop, &nc->io, EPOLLOUT | EPOLLIN | nc->tr->want);
	if (rc < 0) {
		/* report asynchronously-shaped: the caller may not expect a
		 * callback from inside send, so fail through the timer */
		nc->start_err = rc;
		loop_timer_start(nc->loop, &nc->timeout, 0);
		nc_disconnect(nc);
	}
}

/* ---- inter-broker SASL, run before the held request on a new connection ---- */

static void nc_sasl_on_handshake(struct net_client *nc, int err, void *resp, void *arg);
static void nc_sasl_on_token(struct net_client *nc, int err, void *resp, void *arg);

/* Ends the exchange: the held request goes out, or fails with err. */
static void nc_sasl_end(struct net_client *nc, int err, const char *why)
{
	if (err) {
		if (why)
			log_warn_rl("netclient", "%s:%d refused our SASL %s authentication: %s",
				    nc->host, nc->port, nc_sasl(nc)->mechanism, why);
		nc_disconnect(nc);
		nc->held.fn(nc, err, NULL, nc->held.arg);
		return;
	}
	nc->authed = 1;
	struct kout t = nc->out;
	nc->out = nc->held.out;
	nc->held.out = t;
	nc_start(nc, nc->held.api_key, nc->held.version, nc->held.corr, nc->held.timeout_ms,
		 nc->held.fn, nc->held.arg);
}

/* Sends one SASL request (handshake or token) ahead of the held one. */
static void nc_sasl_send(struct net_client *nc, int16_t key, const void *body, net_client_fn fn)
{
	int32_t corr;
	if (nc_encode(nc, kapi_find(key), 1, body, &nc->out, &corr) < 0) {
		nc_sasl_end(nc, -ENOMEM, NULL);
		return;
	}
	nc_start(nc, key, 1, corr, nc->held.timeout_ms, fn, nc);
}

static void nc_sasl_next_token(struct net_client *nc, const uint8_t *in, size_t inlen)
{
	uint8_t tok[SASL_TOKEN_MAX];
	size_t tl = 0;
	char err[160];
	int step = sasl_client_respond(&nc->sc, in, inlen, tok, sizeof tok, &tl, err, sizeof err);
	if (step < 0) {
		nc_sasl_end(nc, -EACCES, err);
	} else if (step == 0) {
		nc_sasl_end(nc, 0, NULL);
	} else {
		struct sasl_authenticate_request req = { { tok, (int32_t)tl } };
		nc_sasl_send(nc, 36, &req, nc_sasl_on_token);
	}
}

static void nc_sasl_on_handshake(struct net_client *nc, int err, void *resp, void *arg)
{
	(void)arg;
	const struct sasl_handshake_response *r = resp;
	char why[64];
	if (err) {
		nc_sasl_end(nc, err, NULL);
	} else if (r->error_code) {
		snprintf(why, sizeof why, "SaslHandshake error %d", r->error_code);
		nc_sasl_end(nc, -EACCES, why);
	} else {
		nc_sasl_next_token(nc, NULL, 0);
	}
}

static void nc_sasl_on_token(struct net_client *nc, int err, void *resp, void *arg)
{
	(void)arg;
	const struct sasl_authenticate_response *r = resp;
	char why[200];
	if (err) {
		nc_sasl_end(nc, err, NULL);
		return;
	}
	if (r->error_code) {
		snprintf(why, sizeof why, "error %d: %.*s", r->error_code,
			 r->error_message.len > 0 ? (int)r->error_message.len : 0,
			 r->error_message.p ? r->error_message.p : "");
		nc_sasl_end(nc, -EACCES, why);
		return;
	}
	nc->sasl_expiry_ms = r->session_lifetime_ms > 0
		? clock_mono_ms() + r->session_lifetime_ms * 9 / 10 : 0;
	nc_sasl_next_token(nc, r->auth_bytes.p,
			   r->auth_bytes.len > 0 ? (size_t)r->auth_bytes.len : 0);
}

/* Starts the exchange on a fresh connection; the caller's request is held. */
static void nc_sasl_begin(struct net_client *nc)
{
	const struct sasl_client_conf *conf = nc_sasl(nc);
	if (sasl_client_prepare(&nc->sc, conf) < 0) {
		nc_sasl_end(nc, -EPROTO, "unsupported mechanism");
		return;
	}
	nc->sasl_expiry_ms = 0;
	struct sasl_handshake_request req = { { conf->mechanism, (int32_t)strlen(conf->mechanism) } };
	nc_sasl_send(nc, 17, &req, nc_sasl_on_handshake);
}

int net_client_send(struct net_client *nc, int16_t api_key, int16_t version,
		    const void *body, int32_t timeout_ms, net_client_fn fn, void *arg)
{
	if (nc->busy)
		return -EBUSY;
	const struct kapi *api = kapi_find(api_key);
	if (!api)
		return -EINVAL;
	/* KIP-368: a session past its lifetime would be closed by the peer */
	if (nc->authed && nc->sasl_expiry_ms && clock_mono_ms() >= nc->sasl_expiry_ms)
		nc_disconnect(nc);
	int32_t corr;
	if (!nc_sasl(nc) || nc->authed) {
		if (nc_encode(nc, api, version, body, &nc->out, &corr) < 0)
			return -ENOMEM;
		nc_start(nc, api_key, version, corr, timeout_ms, fn, arg);
		return 0;
	}
	if (nc_encode(nc, api, version, body, &nc->held.out, &corr) < 0)
		return -ENOMEM;
	nc->held.api_key = api_key;
	nc->held.version = version;
	nc->held.corr = corr;
	nc->held.timeout_ms = timeout_ms;
	nc->held.fn = fn;
	nc->held.arg = arg;
	nc_disconnect(nc); /* a fresh connection for a fresh exchange */
	nc_sasl_begin(nc);
	return 0;
}
